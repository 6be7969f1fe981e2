"""``labels/annotations.jsonl``: every annotation, attached to the corpus as it is now.

The rows come from all Label Studio snapshots, merged per (server, project)
(:func:`newskit.labels.snapshots.merge_snapshots`: deleted annotations kept unless a pull
dropped them, a result someone else saved credited to them, the author's earlier result kept
as ``overwritten``), and from every file of labels imported with ``newskit import-labels``
(``labels/imported/*.jsonl``), in that order. Each row goes
through the sentence map (:mod:`newskit.labels.sentence_map`): a row whose sentence moved
gets the current ``sentence_id`` and keeps the original one in ``original_sentence_id``;
one whose sentence changed a little is also marked ``review``; one whose sentence is gone
is written to ``labels/orphans.jsonl`` instead, never dropped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from newskit.jsonio import atomic_write, dumps, read_jsonl, write_jsonl
from newskit.labels.schema import Schema
from newskit.labels.sentence_map import ORPHANS_FILE, MapReport, Reference, follow, load_map, reconcile
from newskit.labels.snapshots import Merged, has_snapshots, merge_snapshots

ANNOTATIONS = "annotations.jsonl"
IMPORTED_DIR = "imported"
ORPHAN_REASON = "its sentence is no longer in the corpus (see sentence_map.jsonl)"


@dataclass
class AnnotationsReport:
    """What a rebuild of ``annotations.jsonl`` wrote."""

    path: Path
    orphans_path: Path
    rows: int = 0
    statuses: Counter[str] = field(default_factory=Counter)  # same, moved, changed, gone → annotation rows


def imported_files(labels_dir: Path) -> list[Path]:
    """The files of labels brought in by ``newskit import-labels``, in name (= import) order."""
    folder = Path(labels_dir) / IMPORTED_DIR
    return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []


def source_rows(labels_dir: Path, schema: Schema) -> Iterator[dict[str, Any]]:
    """Every annotation row as its source has it: merged snapshots, then imported files (streamed)."""
    yield from merge_snapshots(labels_dir, schema).rows
    for path in imported_files(labels_dir):
        yield from read_jsonl(path)


def references(labels_dir: Path, schema: Schema) -> list[Reference]:
    """Each labeled sentence once, as its first annotation row knows it (id, article id, text)."""
    found: dict[str, Reference] = {}
    for row in source_rows(labels_dir, schema):
        if row["sentence_id"] not in found:
            found[row["sentence_id"]] = Reference(row["sentence_id"], row.get("article_id"), row.get("text"))
    return list(found.values())


def rebuild_annotations(labels_dir: Path, schema: Schema, merged: Merged | None = None) -> AnnotationsReport:
    """Regenerate ``annotations.jsonl`` and ``orphans.jsonl`` in ``labels_dir`` through the sentence map.

    ``merged`` is :func:`~newskit.labels.snapshots.merge_snapshots` of ``labels_dir`` when the
    caller has it already. Lines of imported files whose sentence is not in the map are copied
    as they are (they are written in the kit's JSON form already), so a million imported rows
    take seconds.
    """
    labels_dir = Path(labels_dir)
    merged = merged if merged is not None else merge_snapshots(labels_dir, schema)
    sentence_map = load_map(labels_dir)
    report = AnnotationsReport(path=labels_dir / ANNOTATIONS, orphans_path=labels_dir / ORPHANS_FILE)
    orphans: list[dict[str, Any]] = []

    def attach(row: dict[str, Any]) -> str | None:
        moved, status = follow(row, sentence_map)
        report.statuses[status] += 1
        if moved is None:
            orphans.append({**row, "orphan_reason": ORPHAN_REASON})
            return None
        return dumps(moved) + "\n"

    with atomic_write(report.path) as handle:
        for row in merged.rows:
            line = attach(row)
            report.rows += line is not None
            handle.write(line or "")
        for path in imported_files(labels_dir):
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    if not line.strip():
                        continue
                    if sentence_map:
                        row = orjson.loads(line)
                        if row["sentence_id"] in sentence_map:
                            line = attach(row) or ""
                            report.rows += bool(line)
                            handle.write(line)
                            continue
                    report.statuses["same"] += 1
                    report.rows += 1
                    handle.write(line)
    write_jsonl(report.orphans_path, orphans)
    return report


def has_labels(labels_dir: Path) -> bool:
    """Whether ``labels_dir`` holds any labels (a snapshot or an imported file)."""
    return bool(has_snapshots(labels_dir) or imported_files(labels_dir))


def labeled_positions(labels_dir: Path, schema: Schema, sentences_path: Path) -> dict[str, tuple[int, int]]:
    """Where the labeled sentences are in ``sentences_path`` now (read before a split replaces it)."""
    wanted = {ref.sentence_id for ref in references(labels_dir, schema)}
    wanted |= {row["now"] for row in load_map(labels_dir).values() if row.get("now")}
    found = {}
    if Path(sentences_path).exists():
        for sentence in read_jsonl(sentences_path):
            if sentence["id"] in wanted:
                found[sentence["id"]] = (sentence["start"], sentence["end"])
    return found


def relink_labels(
    *,
    labels_dir: Path,
    schema: Schema,
    sentences_path: Path,
    previous_positions: dict[str, tuple[int, int]] | None = None,
) -> tuple[MapReport, AnnotationsReport]:
    """After the corpus changed: re-find every labeled sentence, write the map, rebuild the annotations."""
    mapped = reconcile(
        references(labels_dir, schema),
        labels_dir=labels_dir,
        sentences_path=sentences_path,
        previous_positions=previous_positions,
    )
    return mapped, rebuild_annotations(labels_dir, schema)
