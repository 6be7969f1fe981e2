"""Connect a project to ``newskit serve`` and keep its suggestions and task order current.

:func:`connect` (``newskit studio connect``) adds the model server to a project as its ML
backend, adds a webhook that sends annotation events to it, and sets the project to
pre-label tasks with the model's predictions and to serve the least certain task next
(Label Studio's uncertainty sampling: lowest prediction score of the project's
``model_version`` first). :func:`refresh_predictions` gives every open task a prediction of a
new model and makes it the project's model version, so the order follows the newest model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from newskit.errors import NewskitError
from newskit.labels.schema import Schema, load_schema
from newskit.studio.client import StudioClient, require_project
from newskit.studio.push import Predictor, check_predictions, to_prediction

# Annotation events that count as new labels for retraining.
ANNOTATION_ACTIONS = ["ANNOTATION_CREATED", "ANNOTATIONS_CREATED", "ANNOTATION_UPDATED"]
BACKEND_TITLE = "newskit"
UNCERTAINTY_SAMPLING = "Uncertainty sampling"
PREDICTION_BATCH = 1000


@dataclass(frozen=True)
class ConnectReport:
    """What ``connect`` set up."""

    project_id: int
    project_title: str
    backend_url: str
    backend_id: int
    backend_added: bool
    webhook_added: bool
    model_version: str


def backend_model_version(backend_url: str) -> str:
    """The model version a running ``newskit serve`` reports at ``GET /health``."""
    try:
        response = httpx.get(f"{backend_url.rstrip('/')}/health", timeout=5.0)
        response.raise_for_status()
        return str(response.json()["model_version"])
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        raise NewskitError(
            f"no newskit model server answers at {backend_url}",
            "start it first with `newskit serve RUN_DIR`, and pass the URL it prints with --backend",
        ) from None


def connect(
    *,
    url: str,
    api_key: str,
    backend_url: str,
    project_title: str | None = None,
    schema_path: Path = Path("labels/schema.yaml"),
    client: StudioClient | None = None,
) -> ConnectReport:
    """Make the model server at ``backend_url`` the suggestion source of a project (re-runnable)."""
    backend_url = backend_url.rstrip("/")
    version = backend_model_version(backend_url)
    title = project_title or load_schema(Path(schema_path)).name
    client = client or StudioClient(url, api_key)
    project_id = require_project(client, title, "check --project, or create it with `newskit push`")
    backend = client.ensure_ml_backend(project_id, backend_url, BACKEND_TITLE)
    _, webhook_added = client.ensure_webhook(project_id, f"{backend_url}/webhook", ANNOTATION_ACTIONS)
    # Label Studio accepts a project model version only once predictions of it exist; until
    # then "" shows the predictions the server makes as tasks are opened, whatever their version.
    known = any(p["model_version"] == version for p in client.list_predictions(project_id))
    client.update_project(
        project_id,
        {
            "show_collab_predictions": True,  # "use predictions to pre-label tasks"
            "evaluate_predictions_automatically": True,  # ask the model when a task without one opens
            "model_version": version if known else "",
            "sampling": UNCERTAINTY_SAMPLING,
        },
    )
    return ConnectReport(
        project_id=project_id,
        project_title=title,
        backend_url=backend_url,
        backend_id=backend["id"],
        backend_added=backend["created"],
        webhook_added=webhook_added,
        model_version=version,
    )


def refresh_predictions(client: StudioClient, project_id: int, schema: Schema, run: Predictor) -> int:
    """Give every open task a prediction of ``run`` (once) and make it the project's model version.

    Returns how many predictions were added. Earlier predictions stay (they are not labels).
    """
    version = run.model_version
    done = {p["task"] for p in client.list_predictions(project_id) if p["model_version"] == version}
    todo = [task for task in client.open_tasks(project_id) if task["id"] not in done]
    added = 0
    for start in range(0, len(todo), PREDICTION_BATCH):
        batch = todo[start : start + PREDICTION_BATCH]
        outputs = run.predict([str(task["data"].get("text") or "") for task in batch])
        predictions = [
            {"task": task["id"], **to_prediction(schema, version, output)}
            for task, output in zip(batch, outputs, strict=True)
        ]
        check_predictions(schema, version, predictions)
        added += client.import_predictions(project_id, predictions)
    client.update_project(project_id, {"model_version": version, "sampling": UNCERTAINTY_SAMPLING})
    return added
