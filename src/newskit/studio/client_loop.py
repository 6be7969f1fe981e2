"""The calls of the model in the loop (``newskit serve``, ``newskit studio connect``).

A part of :class:`newskit.studio.client.StudioClient`, kept apart to keep each module short:
the methods use the client's SDK handle and its error mapping (``_sdk``, ``_call``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
PAGE_SIZE = 5000


class ModelLoopCalls:
    """ML backend, webhook, project settings, open tasks and predictions of a project."""

    _sdk: Any

    def _call(self, what: str, fn: Callable[[], T]) -> T:  # provided by StudioClient
        raise NotImplementedError

    def ensure_ml_backend(self, project_id: int, backend_url: str, title: str) -> dict[str, Any]:
        """Connect the model server at ``backend_url`` to a project (once); return its id and version.

        Label Studio checks the server (``/health``, ``/setup``) when it is added, so it must run.
        """
        backends = self._call(
            f"list the ML backends of project {project_id}", lambda: self._sdk.ml.list(project=project_id)
        )
        found = [b for b in backends if (b.url or "").rstrip("/") == backend_url.rstrip("/")]
        backend = found[0] if found else None
        if backend is None:
            backend = self._call(
                f"connect the model server {backend_url} to project {project_id}",
                lambda: self._sdk.ml.create(
                    project=project_id, url=backend_url, title=title, is_interactive=False, auto_update=True
                ),
            )
        return {"id": int(backend.id), "model_version": backend.model_version or "", "created": not found}

    def ensure_webhook(self, project_id: int, url: str, actions: list[str]) -> tuple[int, bool]:
        """A webhook of the project that posts ``actions`` (with payload) to ``url``; (id, created)."""
        hooks = self._call("list webhooks", lambda: self._sdk.webhooks.list(project=str(project_id)))
        for hook in hooks:
            if hook.url == url and hook.project == project_id:
                return int(hook.id), False
        hook = self._call(
            f"add a webhook to project {project_id}",
            lambda: self._sdk.webhooks.create(
                url=url, project=project_id, actions=actions, send_payload=True, send_for_all_actions=False
            ),
        )
        return int(hook.id), True

    def open_tasks(self, project_id: int) -> list[dict[str, Any]]:
        """Tasks nobody has annotated (or skipped) yet: ``{"id", "data"}``, in task id order."""

        # Filtered on the server: with "evaluate predictions automatically" on, Label Studio asks
        # the model server for every listed task that has no prediction yet.
        items = [
            {"filter": f"filter:tasks:{name}", "operator": "equal", "type": "Number", "value": 0}
            for name in ("total_annotations", "cancelled_annotations")
        ]
        query = json.dumps({"filters": {"conjunction": "and", "items": items}})

        def fetch() -> list[dict[str, Any]]:
            pager = self._sdk.tasks.list(
                project=project_id,
                page_size=PAGE_SIZE,
                fields="task_only",
                include="id,data,total_annotations,cancelled_annotations",
                query=query,
            )
            return sorted(
                (
                    {"id": int(t.id), "data": t.data or {}}
                    for t in pager
                    if not (t.total_annotations or 0) and not (t.cancelled_annotations or 0)
                ),
                key=lambda t: t["id"],
            )

        return self._call(f"list the open tasks of project {project_id}", fetch)

    def import_predictions(self, project_id: int, predictions: list[dict[str, Any]]) -> int:
        """Add predictions (``{"task", "result", "score", "model_version"}``) to tasks; return how many."""
        if not predictions:
            return 0
        self._call(
            f"import {len(predictions)} predictions into project {project_id}",
            lambda: self._sdk.projects.import_predictions(id=project_id, request=predictions),
        )
        return len(predictions)
