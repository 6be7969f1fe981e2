"""An in-memory Label Studio with the interface of :class:`newskit.studio.client.StudioClient`.

It behaves like the real server where the kit depends on it: re-importing duplicates tasks,
the full JSON export lists every task with its annotations, unknown choice values are
accepted. Failures can be injected to test retries (``fail_imports``).
"""

from __future__ import annotations

import json
from typing import Any

from newskit.errors import NewskitError
from newskit.studio.client import StudioUnavailable

TIMESTAMP = "2025-01-01T00:00:00.000000Z"


class FakeStudioClient:
    """Same methods and error behaviour as ``StudioClient``, backed by dicts."""

    def __init__(self, url: str = "http://fake-studio", api_key: str = "fake-key") -> None:
        self.url = url
        self.projects: dict[int, dict[str, Any]] = {}
        self.tasks: dict[int, dict[str, Any]] = {}
        self.users: dict[int, str] = {1: "admin@example.com"}
        self.import_calls = 0
        # Each entry is consulted on one import call, in order: "fail" (nothing stored, error),
        # "commit-then-fail" (stored, but the client sees an error, like a client-side timeout),
        # "ok". When the list is empty, imports succeed.
        self.fail_imports: list[str] = []
        self._next = {"project": 1, "task": 1, "annotation": 1, "user": 2}

    def _id(self, kind: str) -> int:
        value = self._next[kind]
        self._next[kind] += 1
        return value

    def _project(self, project_id: int) -> dict[str, Any]:
        if project_id not in self.projects:
            raise NewskitError(f"Label Studio at {self.url} has no such object (project {project_id})")
        return self.projects[project_id]

    def whoami(self) -> dict[str, Any]:
        return {"id": 1, "email": self.users[1]}

    def find_project(self, title: str) -> int | None:
        ids = sorted(pid for pid, p in self.projects.items() if p["title"] == title)
        return ids[0] if ids else None

    def create_project(
        self, title: str, label_config: str, instructions: str = "", settings: dict[str, Any] | None = None
    ) -> int:
        project_id = self._id("project")
        self.projects[project_id] = {
            "title": title,
            "label_config": label_config,
            "instructions": instructions,
            # Label Studio's defaults: one annotation per task
            "maximum_annotations": 1,
            "overlap_cohort_percentage": 100,
            "show_overlap_first": False,
            **(settings or {}),
        }
        return project_id

    def project_settings(self, project_id: int, names) -> dict[str, Any]:
        project = self._project(project_id)
        return {name: project.get(name) for name in names}

    def update_project(self, project_id: int, settings: dict[str, Any]) -> None:
        self._project(project_id).update(settings)

    def project_config(self, project_id: int) -> str:
        return self._project(project_id)["label_config"]

    def task_count(self, project_id: int) -> int:
        return sum(1 for t in self.tasks.values() if t["project"] == project_id)

    def list_task_sentence_ids(self, project_id: int) -> dict[str, int]:
        self._project(project_id)
        found: dict[str, int] = {}
        for task_id, task in sorted(self.tasks.items()):
            if task["project"] == project_id and "sentence_id" in task["data"]:
                found.setdefault(task["data"]["sentence_id"], task_id)
        return found

    def list_tasks(self, project_id: int) -> list[tuple[int, dict[str, Any]]]:
        self._project(project_id)
        return [(i, dict(t["data"])) for i, t in sorted(self.tasks.items()) if t["project"] == project_id]

    def update_task_data(self, task_id: int, data: dict[str, Any]) -> None:
        if task_id not in self.tasks:
            raise NewskitError(f"Label Studio at {self.url} has no such object (task {task_id})")
        self.tasks[task_id]["data"] = dict(data)

    def import_tasks(self, project_id: int, tasks: list[dict[str, Any]]) -> list[int]:
        self._project(project_id)
        self.import_calls += 1
        mode = self.fail_imports.pop(0) if self.fail_imports else "ok"
        if mode == "fail":
            raise StudioUnavailable(f"cannot reach Label Studio at {self.url} (import)", "start it")
        ids = []
        for task in list(tasks):
            if "text" not in task.get("data", {}):
                raise NewskitError(f"Label Studio at {self.url} rejected the request (no text)")
            task_id = self._id("task")
            predictions = [{**p, "task": task_id} for p in task.get("predictions", [])]
            self.tasks[task_id] = {
                "project": project_id,
                "data": dict(task["data"]),
                "predictions": predictions,
                "annotations": [],
            }
            ids.append(task_id)
        if mode == "commit-then-fail":
            raise StudioUnavailable(f"Label Studio at {self.url} did not answer in time (import)", "retry")
        return ids

    def list_predictions(self, project_id: int) -> list[dict[str, Any]]:
        self._project(project_id)
        return [
            {key: p[key] for key in ("task", "model_version", "score", "result")}
            for task in self.tasks.values()
            if task["project"] == project_id
            for p in task["predictions"]
        ]

    def create_annotation(
        self,
        task_id: int,
        result: list[dict[str, Any]],
        *,
        completed_by: int | None = None,
        lead_time: float | None = None,
        was_cancelled: bool = False,
    ) -> int:
        if task_id not in self.tasks:
            raise NewskitError(f"Label Studio at {self.url} has no such object (task {task_id})")
        annotation_id = self._id("annotation")
        self.tasks[task_id]["annotations"].append(
            {
                "id": annotation_id,
                "completed_by": completed_by or 1,
                "result": result,
                "was_cancelled": was_cancelled,
                "ground_truth": False,
                "created_at": TIMESTAMP,
                "updated_at": TIMESTAMP,
                "lead_time": lead_time,
                "updated_by": 1,  # the real server records the key's user: the administrator
                "task": task_id,
                "project": self.tasks[task_id]["project"],
            }
        )
        return annotation_id

    def _annotation(self, annotation_id: int) -> dict[str, Any]:
        for task in self.tasks.values():
            for annotation in task["annotations"]:
                if annotation["id"] == annotation_id:
                    return annotation
        raise NewskitError(f"Label Studio at {self.url} has no such object (annotation {annotation_id})")

    def edit_annotation(self, annotation_id: int, result: list[dict[str, Any]], *, by: int, at: str) -> None:
        """What ``PATCH /api/annotations/{id}`` by user ``by`` does: new result, same author."""
        self._annotation(annotation_id).update(result=result, updated_by=by, updated_at=at)

    def delete_annotation(self, annotation_id: int) -> None:
        annotation = self._annotation(annotation_id)
        self.tasks[annotation["task"]]["annotations"].remove(annotation)

    def create_user(self, email: str, *, first_name: str = "", last_name: str = "") -> int:
        user_id = self._id("user")
        self.users[user_id] = email
        return user_id

    def list_users(self) -> dict[int, str]:
        return dict(self.users)

    def export_json(self, project_id: int) -> bytes:
        self._project(project_id)
        tasks = [
            {
                "id": task_id,
                "annotations": task["annotations"],
                "predictions": list(range(len(task["predictions"]))),  # the server lists prediction ids
                "data": task["data"],
                "project": project_id,
                "created_at": TIMESTAMP,
                "updated_at": TIMESTAMP,
            }
            for task_id, task in sorted(self.tasks.items())
            if task["project"] == project_id
        ]
        return json.dumps(tasks, ensure_ascii=False).encode("utf-8")

    # -- the model in the loop -----------------------------------------------------------------

    def ensure_ml_backend(self, project_id: int, backend_url: str, title: str) -> dict[str, Any]:
        backends = self._project(project_id).setdefault("ml_backends", {})
        created = backend_url not in backends
        backends.setdefault(backend_url, {"id": len(backends) + 1, "title": title})
        return {"id": backends[backend_url]["id"], "model_version": "", "created": created}

    def ensure_webhook(self, project_id: int, url: str, actions: list[str]) -> tuple[int, bool]:
        hooks = self._project(project_id).setdefault("webhooks", {})
        created = url not in hooks
        hooks.setdefault(url, {"id": len(hooks) + 1, "actions": list(actions)})
        return hooks[url]["id"], created

    def open_tasks(self, project_id: int) -> list[dict[str, Any]]:
        self._project(project_id)
        return [
            {"id": task_id, "data": task["data"]}
            for task_id, task in sorted(self.tasks.items())
            if task["project"] == project_id and not task["annotations"]
        ]

    def import_predictions(self, project_id: int, predictions: list[dict[str, Any]]) -> int:
        self._project(project_id)
        for prediction in predictions:
            self.tasks[prediction["task"]]["predictions"].append(dict(prediction))
        return len(predictions)
