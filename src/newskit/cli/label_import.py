"""CLI command ``import-labels``: labeled sentences from a file, no server (thin wrapper)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

from newskit.cli.app import app


class FileFormat(StrEnum):
    """Input formats of ``import-labels``."""

    jsonl = "jsonl"
    csv = "csv"
    dataset = "dataset"


@app.command("import-labels")
def import_labels_cli(
    path: Path = typer.Argument(
        ..., exists=True, help="JSONL or CSV file, or a Hugging Face dataset folder."
    ),
    annotator: str | None = typer.Option(
        None, "--annotator", help="Who labeled the rows (required unless the file has an annotator column)."
    ),
    file_format: FileFormat | None = typer.Option(
        None, "--format", help="jsonl, csv or dataset (default: from the path).", show_default=False
    ),
    corpus: Path = typer.Option(Path("corpus"), "--corpus", help="Corpus folder."),
    labels: Path = typer.Option(Path("labels"), "--labels", help="Labels folder."),
    schema: Path | None = typer.Option(
        None, "--schema", help="Label schema (default: LABELS/schema.yaml).", show_default=False
    ),
) -> None:
    """Import labeled sentences (one row per sentence) without Label Studio, then ingest and split.

    The sentences are taken as given (never re-split or cleaned); every row is validated before
    anything is written; importing the same file again adds nothing.
    """
    from newskit.labels.import_labels import import_labels

    report = import_labels(
        path,
        annotator=annotator,
        file_format=file_format.value if file_format else None,
        corpus_dir=corpus,
        labels_dir=labels,
        schema_path=schema,
    )
    console = Console(soft_wrap=True)
    if report.already_imported is not None:
        console.print(
            f"{path} was imported before ({report.already_imported}): nothing added", highlight=False
        )
        return
    who = ", ".join(f"{name} ({n})" for name, n in sorted(report.annotators.items()))
    console.print(
        f"{report.rows} labeled sentences from {path} in {report.articles} articles by {who}; "
        f"{report.new_sentences} new to the corpus → {report.given_path or '(none)'}",
        highlight=False,
    )
    console.print(f"labels → {report.labels_path}", highlight=False)
    if report.assumed:
        console.print(f"assumed: {report.assumed}", highlight=False)
    if report.ignored_columns:
        console.print(f"ignored columns: {', '.join(report.ignored_columns)}", highlight=False)
    # The sentences become corpus records: the ordinary ingest and split commands, as `newskit run` runs them.
    split = ["split", "--corpus", str(corpus), "--labels", str(labels)]
    command = typer.main.get_command(app)
    for argv in (["ingest", "--corpus", str(corpus)], split + (["--schema", str(schema)] if schema else [])):
        command.main(args=argv, prog_name="newskit", standalone_mode=False)
