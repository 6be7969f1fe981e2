"""Snapshot files on disk: names, sidecars, writing once, listing by (server, project).

A raw JSON export is written byte for byte to ``labels/snapshots/<UTC time>__<slug>.json`` and
never overwritten. Two sidecars are written before it: ``<stem>.users.json`` (user id → email)
and ``<stem>.source.json`` (where the export came from: server URL, project id and title, and
whether that pull dropped annotations deleted on the server). The source is the snapshot's
identity: snapshots are grouped by server and project, never by the slug of a title
("Ukraine DE" and "ukraine-de" are two projects). A snapshot without a source sidecar (written
before sidecars existed) is grouped by its slug, as it always was.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newskit.errors import NewskitError
from newskit.jsonio import dumps, file_mode

SNAPSHOTS = "snapshots"
USERS_SUFFIX = ".users.json"
SOURCE_SUFFIX = ".source.json"
SNAPSHOT_NAME = re.compile(r"^(?P<time>\d{8}T\d{6}Z)__(?P<project>[a-z0-9-]+)(?:\.(?P<n>\d+))?\.json$")


def slugify(title: str) -> str:
    """A file-name-safe project slug: lowercase ASCII letters, digits and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug or "project"


def source_key(url: str, project_id: int) -> str:
    """The identity of a project: its server's URL and its id there."""
    return f"{url.rstrip('/')}/projects/{project_id}"


@dataclass(frozen=True)
class SnapshotFile:
    """One snapshot on disk with what its name and sidecars tell."""

    path: Path
    slug: str
    order: tuple[str, int]  # (UTC time, counter): later snapshots sort later
    source: str  # server URL + project id, or ``legacy:<slug>`` without a source sidecar
    drop_deleted: bool  # the pull that wrote it dropped annotations deleted on the server

    @property
    def relative(self) -> str:
        return f"{SNAPSHOTS}/{self.path.name}"


def _sidecar(snapshot: Path, suffix: str) -> Path:
    return snapshot.with_name(snapshot.name[: -len(".json")] + suffix)


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
    labels_dir: Path,
    project_title: str,
    raw: bytes,
    users: dict[int, str],
    now: datetime,
    *,
    source: dict[str, Any] | None = None,
) -> Path:
    """Save a raw export and its sidecars under a new name; return the snapshot's path.

    ``source`` (``url``, ``project_id``, ``project_title``, ``drop_deleted``) is written to the
    source sidecar; without it the snapshot is grouped by its slug.
    """
    folder = Path(labels_dir) / SNAPSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    base = f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}__{slugify(project_title)}"
    sidecars = {USERS_SUFFIX: dumps({str(k): v for k, v in sorted(users.items())})}
    if source is not None:
        sidecars[SOURCE_SUFFIX] = dumps(source)
    for counter in range(1, 1000):
        stem = base if counter == 1 else f"{base}.{counter}"
        snapshot = folder / f"{stem}.json"
        if snapshot.exists() or any((folder / f"{stem}{suffix}").exists() for suffix in sidecars):
            continue
        # The sidecars first: every snapshot then has them.
        if all(
            _write_new(folder / f"{stem}{suffix}", (text + "\n").encode("utf-8"))
            for suffix, text in sidecars.items()
        ) and _write_new(snapshot, raw):
            return snapshot
    raise NewskitError(f"no free snapshot name for {base} in {folder}", "wait a second and pull again")


def users_of(snapshot: Path) -> dict[int, str]:
    """The users sidecar of a snapshot (user id → email); empty if it has none."""
    sidecar = _sidecar(snapshot, USERS_SUFFIX)
    if not sidecar.exists():
        return {}
    return {int(k): v for k, v in json.loads(sidecar.read_text(encoding="utf-8")).items()}


def snapshot_file(path: Path) -> SnapshotFile:
    """A snapshot's name and sidecars, read; a name that is not a snapshot's is an error."""
    path = Path(path)
    match = SNAPSHOT_NAME.match(path.name)
    slug = match["project"] if match else path.stem
    order = (match["time"], int(match["n"] or 1)) if match else ("", 0)
    sidecar = _sidecar(path, SOURCE_SUFFIX)
    if not sidecar.exists():
        return SnapshotFile(path, slug, order, f"legacy:{slug}", drop_deleted=False)
    try:
        source = json.loads(sidecar.read_text(encoding="utf-8"))
        key = source_key(str(source["url"]), int(source["project_id"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise NewskitError(
            f"{sidecar}: not a snapshot source record ({type(exc).__name__}: {exc})",
            "it is written by `newskit pull` with url and project_id; restore it from version control",
        ) from None
    return SnapshotFile(path, slug, order, key, drop_deleted=bool(source.get("drop_deleted")))


def list_snapshots(labels_dir: Path) -> dict[str, list[SnapshotFile]]:
    """Every snapshot in ``labels_dir/snapshots``, grouped by source, oldest first."""
    folder = Path(labels_dir) / SNAPSHOTS
    groups: dict[str, list[SnapshotFile]] = {}
    for path in sorted(folder.glob("*.json")) if folder.exists() else []:
        if path.name.endswith((USERS_SUFFIX, SOURCE_SUFFIX)):
            continue
        if not SNAPSHOT_NAME.match(path.name):
            raise NewskitError(
                f"{path}: unexpected file name in {folder}",
                "snapshots are named <YYYYMMDDTHHMMSSZ>__<project>.json; move other files elsewhere",
            )
        found = snapshot_file(path)
        groups.setdefault(found.source, []).append(found)
    return {key: sorted(files, key=lambda f: f.order) for key, files in sorted(groups.items())}


def load_export(snapshot: Path) -> list[dict[str, Any]]:
    """The tasks of a raw JSON export; anything else is an error naming the file."""
    try:
        tasks = json.loads(Path(snapshot).read_bytes())
    except ValueError as exc:
        raise NewskitError(
            f"{snapshot}: not a JSON export ({exc})", "pull again; keep the file for inspection"
        ) from None
    if not isinstance(tasks, list):
        raise NewskitError(
            f"{snapshot}: expected a JSON list of tasks", "use a full JSON export of the project"
        )
    return tasks
