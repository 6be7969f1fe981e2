"""``newskit pull``: snapshot a Label Studio project and regenerate ``labels/annotations.jsonl``.

The export is saved by :func:`newskit.labels.snapshots.write_snapshot` (never overwritten) and
the normalized file rebuilt from the newest snapshot of each project. A label that is not in
the schema stops the pull with an error, after the snapshot is safely on disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from newskit.labels.annotations import rebuild_annotations
from newskit.labels.schema import load_schema
from newskit.labels.snapshots import load_export, write_snapshot
from newskit.studio.client import StudioClient, require_project


@dataclass(frozen=True)
class PullReport:
    """What a pull wrote."""

    project_title: str
    snapshot: Path
    tasks: int
    annotations: int
    annotations_path: Path
    rows: int


def pull(
    *,
    url: str,
    api_key: str,
    project_title: str | None = None,
    labels_dir: Path = Path("labels"),
    schema_path: Path | None = None,
    client: StudioClient | None = None,
    now: datetime | None = None,
) -> PullReport:
    """Export a project into a new snapshot, then rebuild ``annotations.jsonl`` from the snapshots."""
    labels_dir = Path(labels_dir)
    schema = load_schema(Path(schema_path) if schema_path else labels_dir / "schema.yaml")
    title = project_title or schema.name
    client = client or StudioClient(url, api_key)
    project_id = require_project(client, title, "check --project, or create it with `newskit push`")
    raw = client.export_json(project_id)
    users = client.list_users()
    snapshot = write_snapshot(labels_dir, title, raw, users, now or datetime.now(UTC))
    tasks = load_export(snapshot)
    rebuilt = rebuild_annotations(labels_dir, schema)
    return PullReport(
        project_title=title,
        snapshot=snapshot,
        tasks=len(tasks),
        annotations=sum(len(t.get("annotations") or []) for t in tasks),
        annotations_path=rebuilt.path,
        rows=rebuilt.rows,
    )
