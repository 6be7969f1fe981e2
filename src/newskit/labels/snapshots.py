"""Label Studio snapshots, read and written without a server.

A raw JSON export is written byte for byte to ``labels/snapshots/<UTC time>__<project>.json``
and never overwritten; a sidecar ``<stem>.users.json`` maps user ids to emails.
Each annotation becomes one row, validated against the schema, carrying the task's sentence id,
article id and text (so the sentence can be found again after the corpus changed);
:mod:`newskit.labels.annotations` rebuilds ``labels/annotations.jsonl`` from the newest
snapshot of each project. ``newskit pull`` (in :mod:`newskit.studio`) fetches the export;
everything after that lives in this package, so offline stages never load the SDK.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newskit.errors import NewskitError
from newskit.jsonio import dumps, file_mode
from newskit.labels.label_config import validate_result
from newskit.labels.schema import Schema

SNAPSHOTS = "snapshots"
SNAPSHOT_NAME = re.compile(r"^(?P<time>\d{8}T\d{6}Z)__(?P<project>[a-z0-9-]+)(?:\.(?P<n>\d+))?\.json$")
MAX_LISTED = 10


def slugify(title: str) -> str:
    """A file-name-safe project slug: lowercase ASCII letters, digits and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug or "project"


def _write_new(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` only if it does not exist (temp file + hard link: atomic, no overwrite).

    :func:`newskit.jsonio.atomic_write` renames over an existing file; snapshots must never be replaced.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, file_mode(writable=False))  # snapshots are never edited
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_snapshot(
    labels_dir: Path, project_title: str, raw: bytes, users: dict[int, str], now: datetime
) -> Path:
    """Save a raw export and its users sidecar under a new name; return the snapshot's path."""
    folder = Path(labels_dir) / SNAPSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    base = f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}__{slugify(project_title)}"
    sidecar = (dumps({str(k): v for k, v in sorted(users.items())}) + "\n").encode("utf-8")
    for counter in range(1, 1000):
        stem = base if counter == 1 else f"{base}.{counter}"
        snapshot, users_path = folder / f"{stem}.json", folder / f"{stem}.users.json"
        if snapshot.exists() or users_path.exists():
            continue
        # The sidecar first: every snapshot then has its users file.
        if _write_new(users_path, sidecar) and _write_new(snapshot, raw):
            return snapshot
    raise NewskitError(f"no free snapshot name for {base} in {folder}", "wait a second and pull again")


def _users_of(snapshot: Path) -> dict[int, str]:
    sidecar = snapshot.with_name(snapshot.name[: -len(".json")] + ".users.json")
    if not sidecar.exists():
        return {}
    return {int(k): v for k, v in json.loads(sidecar.read_text(encoding="utf-8")).items()}


def _annotator(completed_by: Any, users: dict[int, str]) -> str:
    if isinstance(completed_by, dict):  # some exports inline the user
        return str(completed_by.get("email") or f"label-studio-user-{completed_by.get('id')}")
    if completed_by is None:
        return "label-studio-user-unknown"
    return users.get(int(completed_by)) or f"label-studio-user-{completed_by}"


def _labels(schema: Schema, result: list[dict[str, Any]]) -> dict[str, Any]:
    chosen: dict[str, set[str]] = {}
    for item in result:
        if item.get("type") == "choices":
            chosen.setdefault(item.get("from_name"), set()).update(
                (item.get("value") or {}).get("choices") or []
            )
    labels: dict[str, Any] = {}
    for task in schema.tasks:
        picked = [label for label in task.label_ids if label in chosen.get(task.name, set())]
        labels[task.name] = picked if task.kind == "multi" else (picked[0] if picked else None)
    return labels


def load_export(snapshot: Path) -> list[dict[str, Any]]:
    try:
        tasks = json.loads(snapshot.read_bytes())
    except ValueError as exc:
        raise NewskitError(
            f"{snapshot}: not a JSON export ({exc})", "pull again; keep the file for inspection"
        ) from None
    if not isinstance(tasks, list):
        raise NewskitError(
            f"{snapshot}: expected a JSON list of tasks", "use a full JSON export of the project"
        )
    return tasks


def normalize_snapshot(snapshot_path: Path, schema: Schema) -> list[dict[str, Any]]:
    """One row per annotation (cancelled ones included) of a raw JSON export, validated against ``schema``."""
    snapshot_path = Path(snapshot_path)
    match = SNAPSHOT_NAME.match(snapshot_path.name)
    project = match["project"] if match else snapshot_path.stem
    relative = f"{SNAPSHOTS}/{snapshot_path.name}"
    users = _users_of(snapshot_path)
    rows, problems = [], []
    for task in load_export(snapshot_path):
        data = task.get("data") or {}
        sentence_id = data.get("sentence_id")
        if sentence_id is None:
            problems.append(f"task {task.get('id')}: no data.sentence_id (not imported by `newskit push`?)")
            continue
        for annotation in task.get("annotations") or []:
            result = annotation.get("result") or []
            for problem in validate_result(schema, result):
                problems.append(f"task {task.get('id')} annotation {annotation.get('id')}: {problem}")
            rows.append(
                {
                    "sentence_id": sentence_id,
                    "article_id": data.get("article_id"),
                    "text": data.get("text"),
                    "annotator": _annotator(annotation.get("completed_by"), users),
                    **_labels(schema, result),
                    "cancelled": bool(annotation.get("was_cancelled")),
                    "created_at": annotation.get("created_at"),
                    "updated_at": annotation.get("updated_at"),
                    "lead_time": annotation.get("lead_time"),
                    "task_id": task.get("id"),
                    "annotation_id": annotation.get("id"),
                    "project": project,
                    "snapshot": relative,
                }
            )
    if problems:
        shown = "; ".join(problems[:MAX_LISTED])
        more = f"; … and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
        raise NewskitError(
            f"{snapshot_path}: {len(problems)} problem(s) with the labels of schema "
            f"{schema.name!r}: {shown}{more}",
            "the snapshot is saved unchanged; fix these annotations in Label Studio (or add the labels "
            "to the schema) and pull again",
        )
    rows.sort(key=lambda r: (r["sentence_id"], r["annotation_id"]))
    return rows


def newest_snapshots(labels_dir: Path) -> dict[str, Path]:
    """The newest snapshot of each project in ``labels_dir/snapshots`` (project slug → path)."""
    folder = Path(labels_dir) / SNAPSHOTS
    newest: dict[str, tuple[tuple[str, int], Path]] = {}
    for path in sorted(folder.glob("*.json")) if folder.exists() else []:
        if path.name.endswith(".users.json"):
            continue
        match = SNAPSHOT_NAME.match(path.name)
        if not match:
            raise NewskitError(
                f"{path}: unexpected file name in {folder}",
                "snapshots are named <YYYYMMDDTHHMMSSZ>__<project>.json; move other files elsewhere",
            )
        key = (match["time"], int(match["n"] or 1))
        if match["project"] not in newest or key > newest[match["project"]][0]:
            newest[match["project"]] = (key, path)
    return {project: path for project, (_, path) in sorted(newest.items())}
