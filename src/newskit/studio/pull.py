"""``newskit pull``: snapshot a Label Studio project and regenerate ``labels/annotations.jsonl``.

The export is saved by :func:`newskit.labels.snapshots.write_snapshot` (never overwritten), with
the server URL and project id beside it, and the normalized file rebuilt from all snapshots of
every (server, project) pair ever pulled (:func:`newskit.labels.snapshots.merge_snapshots`):
a pull from another server or project adds, annotations deleted on the server are kept unless
``drop_deleted``, and results that someone else overwrote are kept where a snapshot has them.
The rows are attached to the corpus as it is now through ``labels/sentence_map.jsonl``
(:func:`newskit.labels.annotations.rebuild_annotations`); those whose sentence is gone go to
``labels/orphans.jsonl``.
A label that is not in the schema stops the pull with an error, after the snapshot is safely on disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from newskit.labels.annotations import rebuild_annotations
from newskit.labels.schema import load_schema
from newskit.labels.snapshots import (
    Edit,
    load_export,
    merge_snapshots,
    source_key,
    write_snapshot,
)
from newskit.studio.client import StudioClient, require_project

MAX_WARNED = 10


@dataclass(frozen=True)
class PullReport:
    """What a pull wrote, and what it kept that the server no longer has."""

    project_title: str
    snapshot: Path
    tasks: int
    annotations: int
    annotations_path: Path
    rows: int
    source: str = ""
    deleted_kept: int = 0  # annotations of this project deleted on the server, kept from earlier snapshots
    deleted_dropped: int = 0  # ... dropped by this pull (drop_deleted)
    edits: list[Edit] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """Lines for people: deletions kept, and annotations someone else changed."""
        lines = []
        if self.deleted_kept:
            lines.append(
                f"{self.deleted_kept} annotation(s) of project {self.project_title!r} are no longer on the "
                "server (deleted there); kept from earlier snapshots (pull with --drop-deleted to drop them)"
            )
        if self.deleted_dropped:
            lines.append(
                f"dropped {self.deleted_dropped} annotation(s) of project {self.project_title!r} that were "
                "deleted on the server (--drop-deleted); the earlier snapshots still hold them"
            )
        for edit in self.edits[:MAX_WARNED]:
            kept = (
                f"{edit.author}'s own result is kept from {edit.kept_from}"
                if edit.kept_from
                else f"{edit.author}'s own result is lost: no earlier snapshot holds it"
            )
            lines.append(
                f"annotation {edit.annotation_id} (task {edit.task_id}) by {edit.author} was changed by "
                f"{edit.editor}: its result is credited to {edit.editor}; {kept}"
            )
        if len(self.edits) > MAX_WARNED:
            lines.append(f"… and {len(self.edits) - MAX_WARNED} more annotations changed by someone else")
        return lines


def pull(
    *,
    url: str,
    api_key: str,
    project_title: str | None = None,
    labels_dir: Path = Path("labels"),
    schema_path: Path | None = None,
    drop_deleted: bool = False,
    client: StudioClient | None = None,
    now: datetime | None = None,
) -> PullReport:
    """Export a project into a new snapshot, then rebuild ``annotations.jsonl`` from all snapshots.

    With ``drop_deleted``, annotations deleted on the server since earlier pulls are left out
    (recorded beside the snapshot, so later rebuilds agree).
    """
    labels_dir = Path(labels_dir)
    schema = load_schema(Path(schema_path) if schema_path else labels_dir / "schema.yaml")
    title = project_title or schema.name
    client = client or StudioClient(url, api_key)
    project_id = require_project(client, title, "check --project, or create it with `newskit push`")
    key = source_key(client.url, project_id)
    before = _ids_of(merge_snapshots(labels_dir, schema).rows, key) if drop_deleted else set()
    raw = client.export_json(project_id)
    users = client.list_users()
    source = {
        "url": client.url,
        "project_id": project_id,
        "project_title": title,
        "drop_deleted": drop_deleted,
    }
    snapshot = write_snapshot(labels_dir, title, raw, users, now or datetime.now(UTC), source=source)
    tasks = load_export(snapshot)
    merged = merge_snapshots(labels_dir, schema)
    rebuilt = rebuild_annotations(labels_dir, schema, merged)
    return PullReport(
        project_title=title,
        snapshot=snapshot,
        tasks=len(tasks),
        annotations=sum(len(t.get("annotations") or []) for t in tasks),
        annotations_path=rebuilt.path,
        rows=rebuilt.rows,
        source=key,
        deleted_kept=merged.deleted.get(key, 0),
        deleted_dropped=len(before - _ids_of(merged.rows, key)),
        edits=[edit for edit in merged.edits if edit.source == key],
    )


def _ids_of(rows: list[dict], key: str) -> set:
    return {row["annotation_id"] for row in rows if row["source"] == key}
