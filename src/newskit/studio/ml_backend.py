"""``newskit serve``: a trained run as a Label Studio ML backend, retrained while people label.

The protocol is the one Label Studio 1.23 speaks to model servers (its ``ml/api_connector.py``
and ``ml/models.py``): ``GET /health``, ``POST /setup`` (answered with the model version),
``POST /predict`` (``{"tasks": [...]}`` → ``{"results": [one prediction per task]}``, each
with ``model_version`` and ``score``) and ``POST /webhook`` (Label Studio's "Start training"
and the project webhook's annotation events), ``GET /versions`` (the versions served, newest
first). ``GET /status`` tells what serves and how the
trainings went. Label Studio's own ``label-studio-ml`` package is not used: its last release
on PyPI (1.0.9) pins Flask 1.1.2, Werkzeug 2.0.2 and Jinja2 3.0.3, older than the Jinja2 the
kit needs; Starlette and uvicorn carry the five routes instead.

``/setup`` receives the project owner's API token (``access_token``): it is never read,
logged or stored. The server needs no token of Label Studio's; it pulls annotations with
``$LABEL_STUDIO_API_KEY`` like every other command.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from newskit.errors import NewskitError
from newskit.labels.schema import Schema
from newskit.studio.connect import ANNOTATION_ACTIONS
from newskit.studio.live import LiveModel, Retrainer
from newskit.studio.push import to_prediction
from newskit.training.predict import Run

DEFAULT_PORT = 9090


def check_run_fits_schema(run: Run, schema: Schema) -> None:
    """Refuse a run whose tasks or labels are not the schema's (Label Studio would show nothing)."""
    fields = {task.field: task for task in schema.tasks}
    for task in run.tasks:
        expected = fields.get(task.field)
        if expected is None or set(task.labels) - set(expected.label_ids):
            raise NewskitError(
                f"run {run.path} does not fit schema {schema.name!r} (task {task.field!r})",
                "serve a run trained on a dataset built with this schema",
            )


def check_port_free(host: str, port: int) -> None:
    """Refuse a port something already listens on, before loading anything (uvicorn would exit)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise NewskitError(
                f"the model server cannot listen on {host}:{port} ({exc.strerror or exc})",
                "choose another port with --port (is another `newskit serve` running?)",
            ) from None


def _bad_request(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


async def _json_body(request: Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def annotation_count(payload: dict[str, Any]) -> int:
    """How many annotations a Label Studio webhook payload reports (0 for other actions)."""
    if payload.get("action") not in ANNOTATION_ACTIONS:
        return 0
    annotation = payload.get("annotation")
    if isinstance(annotation, list):
        return len(annotation)
    return 1


def _project_id(payload: dict[str, Any]) -> int | None:
    project = payload.get("project")
    value = project.get("id") if isinstance(project, dict) else project
    try:
        return int(str(value).split(".")[0])  # /train and /setup send "<id>.<created_at>"
    except (TypeError, ValueError):
        return None


def create_app(
    live: LiveModel, schema: Schema, *, retrainer: Retrainer | None = None, project_id: int | None = None
) -> Starlette:
    """The ASGI app of the model server; events of other projects than ``project_id`` are ignored."""
    counters = {"predict_requests": 0, "predicted_tasks": 0, "annotation_events": 0}

    async def health(_request: Request) -> JSONResponse:
        version = live.run.model_version
        return JSONResponse({"status": "UP", "model_class": "newskit", "model_version": version})

    async def setup(_request: Request) -> JSONResponse:
        # The body carries the owner's access_token: deliberately not read at all.
        return JSONResponse({"model_version": live.run.model_version})

    async def predict(request: Request) -> JSONResponse:
        body = await _json_body(request)
        tasks = body.get("tasks") if body else None
        if not isinstance(tasks, list) or not tasks:
            return _bad_request("expected a JSON object with a non-empty 'tasks' list")
        texts = []
        for position, task in enumerate(tasks):
            data = task.get("data") if isinstance(task, dict) else None
            if not isinstance(data, dict) or not isinstance(data.get("text"), str):
                return _bad_request(f"task {position} has no data.text")
            texts.append(data["text"])
        run = live.run  # one model for the whole request, even if a new one arrives meanwhile
        outputs = await run_in_threadpool(run.predict, texts)
        counters["predict_requests"] += 1
        counters["predicted_tasks"] += len(texts)
        results = [to_prediction(schema, run.model_version, output) for output in outputs]
        return JSONResponse({"results": results, "model_version": run.model_version})

    async def webhook(request: Request) -> JSONResponse:
        body = await _json_body(request)
        if body is None:
            return _bad_request("expected a JSON object")
        action = body.get("action")
        if project_id is not None and _project_id(body) not in (None, project_id):
            return JSONResponse({"status": "ignored", "reason": "another project"})
        if retrainer is None:
            return JSONResponse({"status": "ignored", "reason": "retraining is off"})
        if action == "START_TRAINING":
            retrainer.request()
            return JSONResponse({"status": "training requested"})
        count = annotation_count(body)
        counters["annotation_events"] += count
        retrainer.annotation_events(count)
        return JSONResponse({"status": "ok", "counted": count})

    async def versions(_request: Request) -> JSONResponse:
        # The model versions this server has served, newest first (Label Studio's version list).
        state = retrainer.status() if retrainer else {"trainings": []}
        served = [t["model_version"] for t in reversed(state["trainings"]) if t.get("model_version")]
        first = [t["previous_model_version"] for t in state["trainings"][:1]]
        newest = live.run.model_version
        return JSONResponse({"versions": list(dict.fromkeys([newest, *served, *first]))})

    async def status(_request: Request) -> JSONResponse:
        state = retrainer.status() if retrainer else {"model_version": live.run.model_version}
        return JSONResponse({**state, **counters})

    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/", health, methods=["GET"]),
        Route("/setup", setup, methods=["POST"]),
        Route("/predict", predict, methods=["POST"]),
        Route("/webhook", webhook, methods=["POST"]),
        Route("/status", status, methods=["GET"]),
        Route("/versions", versions, methods=["GET"]),
    ]
    app = Starlette(routes=routes)
    app.state.live, app.state.retrainer = live, retrainer
    return app


@dataclass
class BackendServer:
    """The model server on ``host:port``: :meth:`run` blocks (the CLI), :meth:`start` runs it in a thread."""

    app: Starlette
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    retrainer: Retrainer | None = None

    def __post_init__(self) -> None:
        config = uvicorn.Config(
            self.app, host=self.host, port=self.port, log_level="warning", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def run(self) -> None:
        """Serve until interrupted (Ctrl-C)."""
        try:
            self._server.run()
        finally:
            if self.retrainer:
                self.retrainer.stop(timeout=0)
        if not self._server.started:
            raise NewskitError(
                f"the model server could not listen on {self.host}:{self.port}",
                "choose another port with --port (is another server using it?)",
            )

    def start(self, timeout: float = 30.0) -> BackendServer:
        """Serve in a background thread; return once it accepts connections."""
        self._thread = threading.Thread(target=self._server.run, name="newskit-serve", daemon=True)
        self._thread.start()
        for _ in range(int(timeout / 0.05)):
            if self._server.started:
                return self
            if not self._thread.is_alive():
                break
            threading.Event().wait(0.05)
        raise NewskitError(f"the model server did not start on {self.host}:{self.port}", "try another port")

    def stop(self) -> None:
        """Stop serving and retraining (a training under way is left to finish in its thread)."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        if self.retrainer:
            self.retrainer.stop(timeout=0)
