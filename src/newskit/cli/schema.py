"""CLI commands for the label schema: checking it, rendering the Label Studio config, agreement."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from newskit.cli.app import app

schema_app = typer.Typer(
    help="Check the label schema and render the Label Studio config from it.", no_args_is_help=True
)
app.add_typer(schema_app, name="schema")

SCHEMA_OPTION = typer.Option(Path("labels/schema.yaml"), "--schema", help="The label schema (YAML).")


@schema_app.command("check")
def check_cli(schema: Path = SCHEMA_OPTION) -> None:
    """Validate the label schema and its guidelines; print its tasks and labels."""
    from newskit.labels.schema_report import check_schema

    check_schema(schema_path=schema, console=Console())


@schema_app.command("render")
def render_cli(
    schema: Path = SCHEMA_OPTION,
    out: Path = typer.Option(Path("labels/label_config.xml"), "--out", help="Where to write the config."),
) -> None:
    """Write the Label Studio labeling config generated from the schema."""
    from newskit.labels.schema_report import render_config_file

    render_config_file(schema_path=schema, out=out, console=Console())


@app.command("agreement")
def agreement_cli(
    annotations: Path = typer.Option(
        Path("labels/annotations.jsonl"), "--annotations", help="Normalized annotation rows (JSONL)."
    ),
    schema: Path = SCHEMA_OPTION,
    out: Path = typer.Option(Path("labels/agreement.json"), "--out", help="Report file (JSON)."),
) -> None:
    """Inter-annotator agreement per task and label (Krippendorff's alpha, Cohen's kappa)."""
    from newskit.labels.agreement_report import agreement_report

    agreement_report(annotations_path=annotations, schema_path=schema, out=out, console=Console())
