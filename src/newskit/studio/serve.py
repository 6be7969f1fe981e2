"""Put a model server together: the served run, the schema, Label Studio, the retrainer.

:func:`make_server` is what ``newskit serve`` runs; it returns a :class:`BackendServer` that
the CLI runs in the foreground and tests start in a thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from newskit.errors import NewskitError
from newskit.labels.schema import load_schema
from newskit.studio.live import LiveModel, Retrainer, log_to_stderr
from newskit.studio.ml_backend import (
    DEFAULT_PORT,
    BackendServer,
    check_port_free,
    check_run_fits_schema,
    create_app,
)
from newskit.studio.retrain import DEFAULT_WORK_DIR, StudioTrainer, next_number
from newskit.training.predict import Run, load_run


@dataclass(frozen=True)
class Retraining:
    """Where the annotations come from and how to retrain (``newskit serve`` options)."""

    url: str
    api_key: str
    project_title: str | None = None
    every: int = 20
    debounce: float = 10.0
    labels_dir: Path = Path("labels")
    corpus_dir: Path = Path("corpus")
    config_path: Path | None = None  # default: the served run's own config.toml
    work_dir: Path = DEFAULT_WORK_DIR
    policy: str = "majority"

    def __repr__(self) -> str:  # the key stays out of reprs and logs
        return f"Retraining({self.url!r}, {self.project_title!r}, every={self.every})"


def make_server(
    *,
    run_dir: Path,
    schema_path: Path = Path("labels/schema.yaml"),
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    retraining: Retraining | None = None,
    log=log_to_stderr,
) -> BackendServer:
    """The model server for ``run_dir``; with ``retraining``, it also retrains and refreshes the project."""
    check_port_free(host, port)
    schema = load_schema(Path(schema_path))
    run = load_run(Path(run_dir), schema=schema)  # the schema's exclusive labels apply
    check_run_fits_schema(run, schema)
    live = LiveModel(run)
    if retraining is None:
        return BackendServer(create_app(live, schema), host=host, port=port)

    from newskit.studio.client import StudioClient, require_project
    from newskit.studio.connect import refresh_predictions

    client = StudioClient(retraining.url, retraining.api_key)
    title = retraining.project_title or schema.name
    project_id = require_project(client, title, "check --project, or create it with `newskit push`")
    config_path = retraining.config_path or Path(run_dir) / "config.toml"
    if not Path(config_path).is_file():
        raise NewskitError(f"{config_path}: training config not found", "pass one with --config")
    trainer = StudioTrainer(
        url=retraining.url,
        api_key=retraining.api_key,
        project_title=title,
        labels_dir=retraining.labels_dir,
        corpus_dir=retraining.corpus_dir,
        schema_path=Path(schema_path),
        config_path=Path(config_path),
        work_dir=retraining.work_dir,
        policy=retraining.policy,
    )

    def refresh(new_run: Run) -> str:
        added = refresh_predictions(client, project_id, schema, new_run)
        return f"{added} open task(s) got predictions of {new_run.model_version}; the queue follows it"

    log(f"project {title!r} (id {project_id}): {refresh(run)}")
    retrainer = Retrainer(
        live,
        trainer,
        every=retraining.every,
        debounce=retraining.debounce,
        first_number=next_number(retraining.work_dir),
        on_new_model=refresh,
        load=lambda path: load_run(path, schema=schema),  # retrained models obey the schema too
        log=log,
    ).start()
    app = create_app(live, schema, retrainer=retrainer, project_id=project_id)
    return BackendServer(app, host=host, port=port, retrainer=retrainer)
