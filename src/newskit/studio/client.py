"""The adapter: every call the kit makes to the Label Studio API goes through :class:`StudioClient`.

Nothing else in the kit imports ``label_studio_sdk``. The adapter turns the SDK's and
httpx's exceptions into :class:`NewskitError` with a hint, and never puts the API key
into a message. The SDK's own retries are switched off (``max_retries=0``): a retried
import can duplicate tasks, so callers retry themselves after re-listing what exists
(see :mod:`newskit.studio.push`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import httpx
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError

from newskit.errors import NewskitError
from newskit.studio.client_loop import ModelLoopCalls
from newskit.studio.settings import API_KEY_ENV, DEFAULT_URL, URL_ENV, api_key_from_env, url_from_env

__all__ = [
    "DEFAULT_URL",
    "StudioClient",
    "StudioUnavailable",
    "api_key_from_env",
    "require_project",
    "url_from_env",
]

LIST_PAGE_SIZE = 5000

T = TypeVar("T")


class StudioUnavailable(NewskitError):
    """Label Studio could not answer (connection refused or dropped, timeout, 5xx): worth a retry."""


def require_project(client: StudioClient, title: str, hint: str) -> int:
    """The id of the project titled ``title``; a missing project is an error with ``hint``."""
    project_id = client.find_project(title)
    if project_id is None:
        raise NewskitError(f"Label Studio at {client.url} has no project titled {title!r}", hint)
    return project_id


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _html_summary(text: str) -> str | None:
    """``HTML page 'Title'`` if ``text`` is a web page (a wrong URL or path), else None.

    A regular expression for the title is enough here: the page is only named, never parsed.
    """
    head = text.lstrip()[:200].lower()
    if not (head.startswith(("<!doctype html", "<html")) or "<html" in head):
        return None
    match = _TITLE.search(text)
    title = " ".join(html.unescape(match.group(1)).split()) if match else ""
    return f"an HTML page titled {title[:80]!r}" if title else "an HTML page without a title"


def _detail(body: Any) -> str:
    """A short, readable reason from an error body of Label Studio (a web page is only named)."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if isinstance(body, str) and (page := _html_summary(body)):
        return page
    if isinstance(body, dict):
        parts = [str(body.get("detail") or "")]
        errors = body.get("validation_errors")
        if isinstance(errors, dict):
            parts += [f"{field}: {'; '.join(map(str, msgs))}" for field, msgs in errors.items()]
        text = " - ".join(p for p in parts if p)
    else:
        text = str(body or "")
    text = " ".join(text.split())
    return text[:300] + ("…" if len(text) > 300 else "")


class StudioClient(ModelLoopCalls):
    """A Label Studio server reached with one API key (a legacy token or a personal access token)."""

    def __init__(self, url: str, api_key: str, *, timeout: float = 300.0) -> None:
        self.url = url.rstrip("/")
        if not api_key:
            raise NewskitError(f"no API key given for Label Studio at {self.url}", f"set {API_KEY_ENV}")
        self._api_key = api_key
        # max_retries=0: the SDK would retry POSTs on 5xx/connection errors and duplicate imports.
        self._sdk = self._call(
            "connect",
            lambda: LabelStudio(base_url=self.url, api_key=api_key, timeout=timeout, max_retries=0),
        )

    def __repr__(self) -> str:  # the key stays out of reprs and tracebacks
        return f"StudioClient({self.url!r})"

    # -- error mapping -------------------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        return text.replace(self._api_key, "***") if getattr(self, "_api_key", "") else text

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        """Run one API call; map every failure to a one-line :class:`NewskitError` with a hint."""
        try:
            return fn()
        except ApiError as exc:
            raise self._api_error(what, exc) from None
        except httpx.ConnectError:
            raise StudioUnavailable(
                f"cannot reach Label Studio at {self.url} ({what})",
                f"is it running? start a local one with `newskit studio up`, or pass --url / set {URL_ENV}",
            ) from None
        except httpx.TimeoutException:
            raise StudioUnavailable(
                f"Label Studio at {self.url} did not answer in time ({what})",
                "the server may be busy: try again (tasks already imported are skipped)",
            ) from None
        except httpx.TransportError as exc:
            raise StudioUnavailable(
                f"the connection to Label Studio at {self.url} failed ({what}: {type(exc).__name__})",
                "the server may have stopped: check it and try again",
            ) from None

    def _api_error(self, what: str, exc: ApiError) -> NewskitError:
        status = exc.status_code
        detail = self._scrub(_detail(exc.body))
        if status == 401:
            return NewskitError(
                f"Label Studio at {self.url} rejected the API key ({detail or 'HTTP 401'})",
                f"check {API_KEY_ENV}: use the key shown on the 'Account & Settings' page of that "
                "server, a personal access token, or a legacy token if the organization allows them",
            )
        if status == 403:
            return NewskitError(
                f"Label Studio at {self.url} refused to {what} (HTTP 403: {detail or 'forbidden'})",
                "use the API key of a user allowed to do this (an administrator or the project owner)",
            )
        if detail.startswith("an HTML page"):
            return NewskitError(
                f"Label Studio at {self.url} answered with {detail} (HTTP {status}) "
                f"instead of the API ({what})",
                "check --url: give the server's base address, e.g. http://127.0.0.1:8080, without a path",
            )
        if status == 404:
            return NewskitError(
                f"Label Studio at {self.url} has no such object ({what}: {detail or 'HTTP 404'})",
                "check the project title (--project) and that you use the right server (--url)",
            )
        if status is not None and (status >= 500 or status in (408, 429)):
            return StudioUnavailable(
                f"Label Studio at {self.url} failed to {what} (HTTP {status}: {detail})",
                "the server had a problem: see its log, then try again",
            )
        return NewskitError(
            f"Label Studio at {self.url} rejected the request to {what} (HTTP {status}: {detail})",
            "check the input; the message above is Label Studio's own",
        )

    # -- projects ------------------------------------------------------------------------------

    def whoami(self) -> dict[str, Any]:
        """The user the API key belongs to: ``{"id": ..., "email": ...}``."""
        user = self._call("identify the API key's user", self._sdk.users.whoami)
        return {"id": user.id, "email": user.email}

    def find_project(self, title: str) -> int | None:
        """The id of the project titled exactly ``title``, or None; several of them is an error."""
        projects = self._call("list projects", lambda: list(self._sdk.projects.list(title=title)))
        ids = sorted(p.id for p in projects if p.title == title)
        if len(ids) > 1:
            raise NewskitError(
                f"Label Studio at {self.url} has {len(ids)} projects titled {title!r} (ids {ids})",
                "rename or delete the extra ones so the title names one project",
            )
        return ids[0] if ids else None

    def create_project(
        self, title: str, label_config: str, instructions: str = "", settings: dict[str, Any] | None = None
    ) -> int:
        """Create a project with a labeling config, HTML instructions shown to annotators and
        further project ``settings`` (such as ``maximum_annotations``)."""
        project = self._call(
            f"create project {title!r}",
            lambda: self._sdk.projects.create(
                title=title,
                label_config=label_config,
                expert_instruction=instructions,
                show_instruction=bool(instructions),
                **(settings or {}),
            ),
        )
        return int(project.id)

    def project_settings(self, project_id: int, names: Iterable[str]) -> dict[str, Any]:
        """The values of the named project fields (such as ``maximum_annotations``)."""
        project = self._call(f"read project {project_id}", lambda: self._sdk.projects.get(id=project_id))
        return {name: getattr(project, name, None) for name in names}

    def update_project(self, project_id: int, settings: dict[str, Any]) -> None:
        """Change project fields (such as ``maximum_annotations``)."""
        self._call(
            f"update the settings of project {project_id}",
            lambda: self._sdk.projects.update(id=project_id, **settings),
        )

    def project_config(self, project_id: int) -> str:
        """The labeling config (XML) of a project."""
        project = self._call(f"read project {project_id}", lambda: self._sdk.projects.get(id=project_id))
        return str(project.label_config or "")

    def task_count(self, project_id: int) -> int:
        """How many tasks a project holds (duplicates included)."""
        project = self._call(f"read project {project_id}", lambda: self._sdk.projects.get(id=project_id))
        return int(project.task_number or 0)

    # -- tasks and annotations -----------------------------------------------------------------

    def list_task_sentence_ids(self, project_id: int) -> dict[str, int]:
        """Map ``data.sentence_id`` → task id for every task of a project (lowest id if repeated)."""

        def fetch() -> dict[str, int]:
            found: dict[str, int] = {}
            pager = self._sdk.tasks.list(
                project=project_id, page_size=LIST_PAGE_SIZE, fields="task_only", include="id,data"
            )
            for task in pager:
                sentence_id = (task.data or {}).get("sentence_id")
                if sentence_id is not None:
                    key = str(sentence_id)
                    found[key] = min(found.get(key, task.id), task.id)
            return found

        return self._call(f"list the tasks of project {project_id}", fetch)

    def list_tasks(self, project_id: int) -> list[tuple[int, dict[str, Any]]]:
        """``(task id, data)`` of every task of a project, in id order."""

        def fetch() -> list[tuple[int, dict[str, Any]]]:
            pager = self._sdk.tasks.list(
                project=project_id, page_size=LIST_PAGE_SIZE, fields="task_only", include="id,data"
            )
            return sorted((int(task.id), dict(task.data or {})) for task in pager)

        return self._call(f"list the tasks of project {project_id}", fetch)

    def update_task_data(self, task_id: int, data: dict[str, Any]) -> None:
        """Replace a task's data (its annotations stay as they are)."""
        self._call(f"update task {task_id}", lambda: self._sdk.tasks.update(id=str(task_id), data=data))

    def import_tasks(self, project_id: int, tasks: Iterable[dict[str, Any]]) -> list[int]:
        """Import tasks (``{"data": ..., "predictions": [...]}``) in one request; return their ids."""
        batch = list(tasks)
        response = self._call(
            f"import {len(batch)} tasks into project {project_id}",
            lambda: self._sdk.projects.import_tasks(id=project_id, request=batch, return_task_ids=True),
        )
        return [int(i) for i in (response.task_ids or [])]

    def list_predictions(self, project_id: int) -> list[dict[str, Any]]:
        """The predictions (pre-annotations) of a project: task id, model version, score, result."""
        predictions = self._call(
            f"list the predictions of project {project_id}",
            lambda: self._sdk.predictions.list(project=project_id),
        )
        return [
            {"task": p.task, "model_version": p.model_version, "score": p.score, "result": p.result}
            for p in predictions
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
        """Create one annotation on a task (as ``completed_by`` if given); return its id."""
        options: dict[str, Any] = {"result": result, "was_cancelled": was_cancelled}
        if completed_by is not None:
            options["completed_by"] = completed_by
        if lead_time is not None:
            options["lead_time"] = lead_time
        annotation = self._call(
            f"annotate task {task_id}", lambda: self._sdk.annotations.create(id=task_id, **options)
        )
        return int(annotation.id)

    # -- users and export ----------------------------------------------------------------------

    def create_user(self, email: str, *, first_name: str = "", last_name: str = "") -> int:
        """Create a user (no password: Label Studio ignores it here); return the user id."""
        user = self._call(
            f"create user {email!r}",
            lambda: self._sdk.users.create(
                username=email, email=email, first_name=first_name, last_name=last_name
            ),
        )
        return int(user.id)

    def list_users(self) -> dict[int, str]:
        """Map user id → email for every user of the server."""
        users = self._call("list users", self._sdk.users.list)
        return {int(u.id): str(u.email or "") for u in users}

    def export_json(self, project_id: int) -> bytes:
        """The full JSON export of a project: every task, every annotation (cancelled ones too)."""
        return self._call(
            f"export project {project_id}",
            lambda: b"".join(
                self._sdk.projects.exports.download_sync(
                    project_id, export_type="JSON", download_all_tasks=True
                )
            ),
        )
