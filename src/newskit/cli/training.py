"""CLI commands for the training stage (thin wrappers over the stage functions)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from newskit.cli.app import app
from newskit.cli.engines import AddressOption, EngineOption, check_engine

RunDir = Annotated[Path, typer.Argument(help="Training run folder (training/runs/NAME).")]
DatasetOption = Annotated[Path, typer.Option("--dataset", help="Dataset folder written by `newskit build`.")]


@contextmanager
def status_line(verb: str) -> Iterator[Callable[[str], None] | None]:
    """A spinner with the current step on stderr (a terminal only; pipes and logs get no noise)."""
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    with console.status(verb) as status:
        yield lambda step: status.update(f"{verb}: {step}")


@app.command("train")
def train_cli(
    dataset: DatasetOption = Path("dataset"),
    config: Annotated[Path, typer.Option(help="Training config (TOML).")] = Path("training/baseline.toml"),
    out: Annotated[
        Path | None, typer.Option(help="Run folder (default training/runs/<config name>).")
    ] = None,
) -> None:
    """Train one classifier per task; choose hyperparameters by article-grouped CV."""
    from rich.table import Table

    from newskit.cli.tables import output_console
    from newskit.training.train import train

    with status_line("training") as progress:
        info = train(dataset_dir=dataset, config_path=config, out_dir=out, progress=progress)
    table = Table(title=f"run {info['run_name']}: {info['cv_note']}")
    for column in ("task", "kind", "chosen", "selection CV macro F1 (optimistic)", "sentences", "thresholds"):
        table.add_column(column)
    for field, task in info["tasks"].items():
        chosen = ", ".join(f"{k}={v}" for k, v in task["chosen"].items())
        thresholds = ", ".join(f"{k}={v}" for k, v in (task["thresholds"] or {}).items())
        table.add_row(field, task["kind"], chosen, str(task["cv_macro_f1"]), str(task["n_train"]), thresholds)
    output_console().print(table)


@app.command("evaluate")
def evaluate_cli(run_dir: RunDir, dataset: DatasetOption = Path("dataset")) -> None:
    """Score a run on the test split and by grouped CV next to dummy baselines; write metrics and plots."""
    from newskit.cli.tables import metrics_tables, output_console
    from newskit.training.evaluate import evaluate

    with status_line("evaluating") as progress:
        metrics = evaluate(run_dir=run_dir, dataset_dir=dataset, progress=progress)
    console = output_console()
    for table in metrics_tables(metrics):
        console.print(table)
    console.print(f"wrote {run_dir / 'metrics.json'} and {run_dir / 'plots'}/")


@app.command("card")
def card_cli(
    run_dir: RunDir,
    out: Annotated[Path | None, typer.Option(help="Card file (default model_cards/<run name>.md).")] = None,
    dataset_card: Annotated[Path, typer.Option(help="Dataset card to link to.")] = Path("dataset/README.md"),
) -> None:
    """Write the model card of a run from its metrics.json and train_info.json."""
    from newskit.cards.model_card import write_card

    path = write_card(run_dir=run_dir, out_path=out, dataset_card=dataset_card)
    typer.echo(f"wrote {path}")


@app.command("predict")
def predict_cli(
    run_dir: RunDir,
    text: Annotated[str | None, typer.Argument(help="One sentence to classify.")] = None,
    file: Annotated[
        Path | None, typer.Option(help="Text file: split into sentences, each classified.")
    ] = None,
    format: Annotated[str, typer.Option("--format", help="table or jsonl.")] = "table",
    schema: Annotated[
        Path | None, typer.Option(help="Label schema whose exclusive labels apply, e.g. labels/schema.yaml.")
    ] = None,
    input: Annotated[
        Path | None,
        typer.Option(
            "--input",
            help="Records with a `text` (.jsonl, .parquet or a folder of part-* files), each one sentence:"
            " JSON Lines out, the record plus its `prediction`.",
        ),
    ] = None,
    output: Annotated[Path | None, typer.Option(help="With --input: write here instead of stdout.")] = None,
    engine: EngineOption = "local",
    address: AddressOption = None,
) -> None:
    """Predict labels and probabilities: a sentence, each sentence of a file, or each record of --input."""
    from newskit.errors import NewskitError
    from newskit.jsonio import dumps

    check_engine(engine, address)
    if input is not None:
        if text is not None or file is not None:
            raise NewskitError("--input cannot be combined with TEXT or --file", "give one of them")
        if engine == "ray":
            from newskit.training.predict_ray import predict_file_sharded

            report = predict_file_sharded(
                run_dir=run_dir, input_path=input, output=output, address=address, schema_path=schema
            )
        else:
            import sys

            from newskit.training.batch_predict import predict_file

            report = predict_file(
                run_dir=run_dir, input_path=input, output=output, stream=sys.stdout, schema_path=schema
            )
        if output is not None:
            typer.echo(f"{report.records} records predicted → {output}")
        return
    if output is not None or engine != "local":
        raise NewskitError("--output and --engine go with --input", "add --input FILE.jsonl")
    from newskit.training.predict import predict

    if format not in ("table", "jsonl"):
        raise NewskitError(f"unknown --format {format!r}", "use table or jsonl")
    results = predict(run_dir=run_dir, text=text, file=file, schema_path=schema)
    if format == "jsonl":
        for result in results:
            typer.echo(dumps(result))
        return
    from newskit.cli.tables import output_console, predictions_table

    output_console().print(predictions_table(results))
