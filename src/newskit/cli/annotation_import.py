"""CLI command that brings offline annotations into Label Studio."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from newskit.cli.app import app
from newskit.studio.settings import api_key_from_env, url_from_env


@app.command("import-annotations")
def import_annotations_cli(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSONL file of labels."),
    annotator: str = typer.Option(..., "--annotator", help="Email of the labeling user."),
    project: str | None = typer.Option(None, "--project", help="Project title (default: the schema's name)."),
    schema: Path = typer.Option(Path("labels/schema.yaml"), "--schema", help="The label schema."),
    url: str | None = typer.Option(None, "--url", help="Label Studio URL (default: $LABEL_STUDIO_URL)."),
) -> None:
    """Import annotations made outside Label Studio as annotations by a named user.

    The API key is read from $LABEL_STUDIO_API_KEY. Re-running skips tasks the user already annotated.
    """
    from newskit.studio.import_annotations import import_annotations  # loads the SDK: only here

    report = import_annotations(
        path,
        url=url_from_env(url),
        api_key=api_key_from_env(),
        annotator=annotator,
        project_title=project,
        schema_path=schema,
    )
    Console().print(
        f"project {report.project_id}: {report.created} annotation(s) created by {report.annotator}, "
        f"{report.skipped_existing} already present"
    )
