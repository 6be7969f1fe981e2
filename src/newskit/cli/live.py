"""CLI commands for the model in the loop: ``newskit serve`` and ``newskit studio connect``.

Nothing heavy is imported at module level: ``newskit --help`` loads neither the web server
nor the Label Studio SDK.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from newskit.cli.app import app
from newskit.cli.labels import ProjectOption, UrlOption, studio_app
from newskit.studio.settings import api_key_from_env, url_from_env

DEFAULT_SERVE_PORT = 9090  # as newskit.studio.ml_backend.DEFAULT_PORT (not imported: keeps --help light)


@app.command("serve")
def serve_cli(
    run_dir: Annotated[Path, typer.Argument(help="Training run folder to serve (training/runs/NAME)")],
    port: Annotated[int, typer.Option(help="Port of the model server")] = DEFAULT_SERVE_PORT,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    schema: Annotated[Path, typer.Option(help="Label schema")] = Path("labels/schema.yaml"),
    project: ProjectOption = None,
    retrain_every: Annotated[
        int, typer.Option(help="Retrain after this many new annotations (0: never retrain)")
    ] = 20,
    debounce: Annotated[
        float, typer.Option(help="Seconds without a new annotation before a retraining starts")
    ] = 10.0,
    config: Annotated[
        Path | None,
        typer.Option(help="Retraining config (default: RUN_DIR/config.toml)", show_default=False),
    ] = None,
    labels: Annotated[Path, typer.Option(help="Labels folder the pulls write to")] = Path("labels"),
    corpus: Annotated[Path, typer.Option(help="Corpus folder")] = Path("corpus"),
    work_dir: Annotated[
        Path, typer.Option(help="Where retrained datasets and runs go (datasets/, runs/)")
    ] = Path("training/live"),
    policy: Annotated[str, typer.Option(help="Adjudication policy of the retraining builds")] = "majority",
    url: UrlOption = None,
) -> None:
    """Serve a run as Label Studio's ML backend: suggestions for each task, retraining as people label."""
    from newskit.studio.serve import Retraining, make_server

    retraining = None
    if retrain_every:
        retraining = Retraining(
            url=url_from_env(url),
            api_key=api_key_from_env(),
            project_title=project,
            every=retrain_every,
            debounce=debounce,
            labels_dir=labels,
            corpus_dir=corpus,
            config_path=config,
            work_dir=work_dir,
            policy=policy,
        )
    server = make_server(run_dir=run_dir, schema_path=schema, host=host, port=port, retraining=retraining)
    version = server.app.state.live.run.model_version
    typer.echo(f"Serving {version} at {server.url} (Ctrl-C stops it)", err=True)
    typer.echo(
        f"Connect it to the project with: newskit studio connect --backend {server.url}"
        + (f" --project {project!r}" if project else ""),
        err=True,
    )
    if retraining:
        typer.echo(f"Retraining after every {retrain_every} new annotations ({debounce:g} s quiet)", err=True)
    server.run()


@studio_app.command("connect")
def connect_cli(
    backend: Annotated[
        str, typer.Option(help="URL of the running `newskit serve`")
    ] = f"http://127.0.0.1:{DEFAULT_SERVE_PORT}",
    project: ProjectOption = None,
    schema: Annotated[Path, typer.Option(help="Label schema (names the default project)")] = Path(
        "labels/schema.yaml"
    ),
    url: UrlOption = None,
) -> None:
    """Connect a running `newskit serve` to a project: suggestions, annotation events, uncertain first."""
    from newskit.studio.connect import connect

    report = connect(
        url=url_from_env(url),
        api_key=api_key_from_env(),
        backend_url=backend,
        project_title=project,
        schema_path=schema,
    )
    added = "added" if report.backend_added else "already connected"
    where = f"Project {report.project_title!r} (id {report.project_id})"
    typer.echo(f"{where}: model server {report.backend_url} {added}")
    typer.echo(
        f"Tasks are pre-labeled by {report.model_version} when opened; "
        "the next task is the one the newest model is least sure of"
    )
