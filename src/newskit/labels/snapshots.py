"""Label Studio snapshots, read without a server: ``labels/annotations.jsonl`` from every snapshot.

Snapshot files (names, sidecars, writing once) are in :mod:`newskit.labels.snapshot_files`.
The rows of ``labels/annotations.jsonl`` come from all snapshots of each (server, project) pair,
one row per annotation and person, validated against the schema, each carrying the task's
sentence id, article id and text (so the sentence can be found again after the corpus changed;
:mod:`newskit.labels.annotations` writes the file through the sentence map):

- an annotation's newest state is taken from the newest snapshot that holds it;
- an annotation missing from the newest snapshot of its project was deleted on the server: it
  is kept (status ``deleted``) unless a later pull was made with ``drop_deleted``;
- Label Studio lets anyone change anyone's annotation and keeps no history: a result saved by
  someone other than the annotation's author is credited to that person, and the result the
  author made is kept (status ``overwritten``) where an earlier snapshot holds it.

``newskit pull`` (in :mod:`newskit.studio`) fetches the export; everything after that lives in
this package, so offline stages never load the SDK.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from newskit.errors import NewskitError
from newskit.labels.label_config import validate_result
from newskit.labels.schema import Schema
from newskit.labels.snapshot_files import (
    SNAPSHOTS,
    SnapshotFile,
    list_snapshots,
    load_export,
    slugify,
    snapshot_file,
    source_key,
    users_of,
    write_snapshot,
)

__all__ = [
    "SNAPSHOTS",
    "Edit",
    "Merged",
    "has_snapshots",
    "load_export",
    "merge_snapshots",
    "normalize_snapshot",
    "result_maker",
    "slugify",
    "source_key",
    "write_snapshot",
]

MAX_LISTED = 10
# An annotation saved by someone else within this time of its creation was created on the
# author's behalf (``import-annotations`` does that as the administrator), not edited.
EDIT_GRACE = timedelta(seconds=1)


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


def _user_id(user: Any) -> int | None:
    if isinstance(user, dict):  # some exports inline the user
        user = user.get("id")
    try:
        return None if user is None else int(user)
    except (TypeError, ValueError):
        return None


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def result_maker(annotation: dict[str, Any]) -> Any:
    """Who made an annotation's result: its author (``completed_by``), unless someone else saved it
    later (``updated_by``; Label Studio sets it on every save and keeps no history)."""
    author, saver = annotation.get("completed_by"), annotation.get("updated_by")
    if _user_id(saver) is None or _user_id(saver) == _user_id(author):
        return author
    created, updated = _time(annotation.get("created_at")), _time(annotation.get("updated_at"))
    if created and updated and updated - created <= EDIT_GRACE:
        return author  # saved together with its creation, on the author's behalf
    return saver


@dataclass(frozen=True)
class Version:
    """An annotation as one snapshot holds it."""

    snapshot: SnapshotFile
    task: dict[str, Any]
    annotation: dict[str, Any]
    users: dict[int, str]


@dataclass(frozen=True)
class Edit:
    """An annotation whose newest result was made by someone other than its author."""

    source: str
    task_id: Any
    annotation_id: Any
    author: str
    editor: str
    kept_from: str | None  # the snapshot holding the author's own earlier result, None if none does


@dataclass
class Merged:
    """The rows of all snapshots, and what the merge had to keep that the server no longer has."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    deleted: dict[str, int] = field(default_factory=dict)  # source → annotations kept though deleted
    edits: list[Edit] = field(default_factory=list)


def _row(schema: Schema, version: Version, maker: Any, status: str) -> dict[str, Any]:
    task, annotation = version.task, version.annotation
    data = task.get("data") or {}
    return {
        "sentence_id": data.get("sentence_id"),
        "article_id": data.get("article_id"),
        "text": data.get("text"),
        "annotator": _annotator(maker, version.users),
        "author": _annotator(annotation.get("completed_by"), version.users),
        "status": status,
        **_labels(schema, annotation.get("result") or []),
        "cancelled": bool(annotation.get("was_cancelled")),
        "created_at": annotation.get("created_at"),
        "updated_at": annotation.get("updated_at"),
        "lead_time": annotation.get("lead_time"),
        "task_id": task.get("id"),
        "annotation_id": annotation.get("id"),
        "project": version.snapshot.slug,
        "source": version.snapshot.source,
        "snapshot": version.snapshot.relative,
    }


Problem = tuple[Path, str]  # (snapshot, what is wrong)


def _versions(snapshot: SnapshotFile, problems: list[Problem]) -> Iterator[Version]:
    users = users_of(snapshot.path)
    for task in load_export(snapshot.path):
        if (task.get("data") or {}).get("sentence_id") is None:
            problems.append(
                (
                    snapshot.path,
                    f"task {task.get('id')}: no data.sentence_id (not imported by `newskit push`?)",
                )
            )
            continue
        for annotation in task.get("annotations") or []:
            yield Version(snapshot, task, annotation, users)


def _check(schema: Schema, rows_of: list[tuple[Version, dict[str, Any]]], problems: list[Problem]) -> None:
    for version, row in rows_of:
        for problem in validate_result(schema, version.annotation.get("result") or []):
            where = f"task {row['task_id']} annotation {row['annotation_id']}"
            problems.append((version.snapshot.path, f"{where}: {problem}"))
    if not problems:
        return
    files = sorted({str(path) for path, _ in problems})
    one_file = len(files) == 1
    listed = [text if one_file else f"{path}: {text}" for path, text in problems]
    shown = "; ".join(listed[:MAX_LISTED])
    more = f"; … and {len(listed) - MAX_LISTED} more" if len(listed) > MAX_LISTED else ""
    raise NewskitError(
        f"{files[0] + ': ' if one_file else ''}{len(problems)} problem(s) with the labels of schema "
        f"{schema.name!r}: {shown}{more}",
        "the snapshot is saved unchanged; fix these annotations in Label Studio (or add the labels "
        "to the schema) and pull again",
    )


def _merge_source(
    schema: Schema, files: list[SnapshotFile], merged: Merged, problems: list[Problem]
) -> list[tuple[Version, dict[str, Any]]]:
    """Rows of one (server, project): each person's newest result of each annotation."""
    kept: dict[Any, dict[int | None, Version]] = {}  # annotation id → result maker → newest version
    current: dict[Any, Version] = {}  # annotation id → its version in the newest snapshot
    for snapshot in files:
        current = {v.annotation.get("id"): v for v in _versions(snapshot, problems)}
        if snapshot.drop_deleted:
            kept = {key: makers for key, makers in kept.items() if key in current}
        for annotation_id, version in current.items():
            kept.setdefault(annotation_id, {})[_user_id(result_maker(version.annotation))] = version
    newest = files[-1]
    rows_of = []
    for annotation_id, makers in kept.items():
        for maker, version in makers.items():
            if annotation_id not in current:
                status = "deleted"
            else:
                status = "current" if version is current[annotation_id] else "overwritten"
            rows_of.append((version, _row(schema, version, maker, status)))
        if annotation_id not in current:
            merged.deleted[newest.source] = merged.deleted.get(newest.source, 0) + 1
            continue
        now = current[annotation_id].annotation
        author, maker = now.get("completed_by"), result_maker(now)
        if _user_id(maker) != _user_id(author):
            users = current[annotation_id].users
            own = makers.get(_user_id(author))
            task_id = current[annotation_id].task.get("id")
            kept_from = own.snapshot.relative if own else None
            names = _annotator(author, users), _annotator(maker, users)
            merged.edits.append(Edit(newest.source, task_id, annotation_id, *names, kept_from))
    return rows_of


def _number(value: Any) -> tuple[int, str]:
    """Sort ids as numbers (Label Studio's are integers), anything else after them."""
    return (int(value), "") if isinstance(value, int) else (2**63, str(value))


def merge_snapshots(labels_dir: Path, schema: Schema) -> Merged:
    """The annotation rows of every snapshot in ``labels_dir``, merged per (server, project)."""
    merged, problems, rows_of = Merged(), [], []  # type: ignore[var-annotated]
    for files in list_snapshots(labels_dir).values():
        rows_of.extend(_merge_source(schema, files, merged, problems))
    _check(schema, rows_of, problems)
    merged.rows = sorted(
        (row for _, row in rows_of),
        key=lambda r: (r["source"], r["sentence_id"], _number(r["annotation_id"]), r["annotator"]),
    )
    return merged


def normalize_snapshot(snapshot_path: Path, schema: Schema) -> list[dict[str, Any]]:
    """One row per annotation (cancelled ones included) of one raw JSON export, validated against
    ``schema``; a result someone else saved is credited to them."""
    snapshot, problems = snapshot_file(Path(snapshot_path)), []  # type: ignore[var-annotated]
    rows_of = [
        (v, _row(schema, v, result_maker(v.annotation), "current")) for v in _versions(snapshot, problems)
    ]
    _check(schema, rows_of, problems)
    return sorted((row for _, row in rows_of), key=lambda r: (r["sentence_id"], _number(r["annotation_id"])))


def has_snapshots(labels_dir: Path) -> bool:
    """Whether ``labels_dir`` holds any snapshot."""
    return bool(list_snapshots(labels_dir))
