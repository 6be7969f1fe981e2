"""CLI commands for the labels stage: ``push``, ``pull``, ``studio up`` and ``studio down``.

The API key is read from ``$LABEL_STUDIO_API_KEY`` only (a flag would land in the shell
history) and is never printed.
"""

from __future__ import annotations

import shlex
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from newskit.cli.app import app
from newskit.studio.server import default_venv_dir, start_server, stop_server
from newskit.studio.settings import DEFAULT_DATA_DIR, DEFAULT_URL, URL_ENV, api_key_from_env, url_from_env

UrlOption = Annotated[
    str | None,
    typer.Option(
        help=f"Label Studio URL (default: ${URL_ENV}, else the server `newskit studio up` started from "
        f"{DEFAULT_DATA_DIR}/, else {DEFAULT_URL})",
        show_default=False,
    ),
]
ProjectOption = Annotated[
    str | None,
    typer.Option("--project", help="Project title (default: the schema's name)", show_default=False),
]


class Order(StrEnum):
    """The order in which ``push`` imports tasks."""

    corpus = "corpus"
    uncertain = "uncertain"


studio_app = typer.Typer(help="Run a local Label Studio (installed into its own venv on first use).")
app.add_typer(studio_app, name="studio")


def _database_text(database: str, data_dir: Path) -> str:
    if database == "sqlite":
        return f"SQLite ({data_dir / 'label_studio.sqlite3'})"
    if database == "postgres":
        return f"PostgreSQL in {data_dir / 'postgres'} (local, started and stopped with Label Studio)"
    return f"PostgreSQL at {database}"


@studio_app.command("up")
def studio_up_cli(
    port: Annotated[
        int | None, typer.Option(help="Port on 127.0.0.1 (default: 8080)", show_default=False)
    ] = None,
    data_dir: Annotated[Path, typer.Option(help="Label Studio's data folder")] = DEFAULT_DATA_DIR,
    postgres: Annotated[
        bool, typer.Option("--postgres", help="Keep the data in a local PostgreSQL under DATA_DIR/postgres")
    ] = False,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="Use this PostgreSQL: postgresql://USER@HOST:PORT/NAME (password from $PGPASSWORD)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Start a local Label Studio on 127.0.0.1 (installing it first if needed) and tell how to use it."""
    database = {"postgres": postgres, "database_url": database_url}
    info = start_server(data_dir=data_dir, port=port, venv_dir=default_venv_dir(), **database)
    state = "is already running" if info.already_running else "is running"
    folder = shlex.quote(str(data_dir))
    typer.echo(f"Label Studio {state} at {info.url} (pid {info.pid}, data in {data_dir})")
    typer.echo(f"Database: {_database_text(info.database, data_dir)}")
    typer.echo(f"Log in as {info.email}; the password is in {data_dir / 'admin_password'}")
    typer.echo("Give newskit the API key with:")
    typer.echo(f"  export LABEL_STUDIO_API_KEY=$(cat {folder}/api_key)")
    if data_dir == DEFAULT_DATA_DIR:
        typer.echo(f"newskit commands run here use {info.url} unless --url or ${URL_ENV} say otherwise")
    else:
        typer.echo(f"Point newskit at it with: export {URL_ENV}={info.url}")
    typer.echo(f"Stop it with: newskit studio down --data-dir {folder}")


@studio_app.command("down")
def studio_down_cli(
    data_dir: Annotated[Path, typer.Option(help="Label Studio's data folder")] = DEFAULT_DATA_DIR,
) -> None:
    """Stop the local Label Studio started from DATA_DIR (and its local PostgreSQL, if it has one)."""
    if stop_server(data_dir):
        typer.echo(f"Stopped Label Studio (data in {data_dir})")
    else:
        typer.echo(f"No Label Studio was running from {data_dir}")


@app.command("push")
def push_cli(
    project: ProjectOption = None,
    corpus: Annotated[Path, typer.Option(help="Corpus folder (articles.jsonl, sentences.jsonl)")] = Path(
        "corpus"
    ),
    schema: Annotated[Path, typer.Option(help="Label schema")] = Path("labels/schema.yaml"),
    team: Annotated[
        Path | None,
        typer.Option(
            help="Team settings: overlap (default: team.yaml beside the schema)", show_default=False
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="Push only the first N sentences (after ordering)")
    ] = None,
    predictions: Annotated[
        Path | None, typer.Option(help="Training run folder: pre-annotate tasks with its predictions")
    ] = None,
    order: Annotated[
        Order, typer.Option(help="corpus order, or uncertain: least confident predictions first")
    ] = Order.corpus,
    batch_size: Annotated[int, typer.Option(help="Tasks per import request")] = 1000,
    url: UrlOption = None,
) -> None:
    """Import the corpus sentences into a Label Studio project (only those not there yet)."""
    from newskit.studio.push import push

    url, api_key = url_from_env(url), api_key_from_env()
    bar = Progress(
        TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=Console(stderr=True),
    )  # fmt: skip
    job = bar.add_task("import", total=None)

    started = []

    def show(done: int, total: int) -> None:
        if not started:  # shown from the first import on: errors before it stay one line
            bar.start()
            started.append(True)
        bar.update(job, completed=done, total=total)

    try:
        report = push(
            url=url,
            api_key=api_key,
            project_title=project,
            corpus_dir=corpus,
            schema_path=schema,
            team_path=team,
            limit=limit,
            predictions=predictions,
            order=order.value,
            batch_size=batch_size,
            progress=show,
        )
    finally:
        if started:
            bar.stop()
    created = "created" if report.created_project else "existing"
    typer.echo(f"Project {report.project_title!r} ({created}, id {report.project_id}) at {report.url}")
    typer.echo(
        f"{report.selected} sentences selected: {report.already_present} already present, "
        f"{report.imported} imported" + (" with predictions" if report.with_predictions else "")
    )
    if report.overlap:
        typer.echo(f"Overlap: {report.overlap}" + (" (updated)" if report.overlap_changed else ""))
    if report.reconciled:
        done = ", ".join(f"{n} {what}" for what, n in report.reconciled.items())
        typer.echo(f"Tasks of sentences no longer in the corpus: {done} (annotations kept)")


@app.command("pull")
def pull_cli(
    project: ProjectOption = None,
    labels: Annotated[Path, typer.Option(help="Labels folder (snapshots/, annotations.jsonl)")] = Path(
        "labels"
    ),
    schema: Annotated[
        Path | None, typer.Option(help="Label schema (default: LABELS/schema.yaml)", show_default=False)
    ] = None,
    drop_deleted: Annotated[
        bool,
        typer.Option(
            "--drop-deleted",
            help="Leave out annotations deleted on the server (default: keep them from earlier snapshots)",
        ),
    ] = False,
    url: UrlOption = None,
) -> None:
    """Snapshot a Label Studio project's annotations and regenerate LABELS/annotations.jsonl."""
    from newskit.studio.pull import pull

    report = pull(
        url=url_from_env(url),
        api_key=api_key_from_env(),
        project_title=project,
        labels_dir=labels,
        schema_path=schema,
        drop_deleted=drop_deleted,
    )
    typer.echo(f"Snapshot {report.snapshot}: {report.tasks} tasks, {report.annotations} annotations")
    typer.echo(f"Wrote {report.annotations_path} ({report.rows} annotations from all projects)")
    for line in report.warnings:
        typer.echo(f"warning: {line}", err=True)
