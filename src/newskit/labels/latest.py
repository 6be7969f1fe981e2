"""Which annotation counts: one rule for agreement, adjudication and the dataset card.

An annotator may annotate a sentence more than once (a second pass, an edit saved as a new
annotation). Only the latest counts: the latest ``updated_at``, then ``created_at``, then
the larger ``annotation_id``, compared as a number when it is one (Label Studio's ids are
integers: annotation 10 is newer than annotation 9). Cancelled (skipped) annotations never
count. Agreement and adjudication both use :func:`latest_annotations`, so the card's
agreement is computed on the same votes as the gold labels.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from newskit.errors import NewskitError


def annotation_order(row: dict[str, Any]) -> tuple[str, str, tuple[int, int, str]]:
    """Sort key of an annotation row: later annotations sort after earlier ones."""
    raw_id = row.get("annotation_id")
    if isinstance(raw_id, int) or (isinstance(raw_id, str) and raw_id.isdigit()):
        id_key = (1, int(raw_id), "")
    else:
        id_key = (0, 0, "" if raw_id is None else str(raw_id))
    return (str(row.get("updated_at") or ""), str(row.get("created_at") or ""), id_key)


@dataclass
class LatestAnnotations:
    """The counting annotation of each (sentence, annotator), and what was left out and why."""

    rows: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    total: int = 0
    cancelled: int = 0
    superseded: int = 0


def latest_annotations(rows: Iterable[dict[str, Any]]) -> LatestAnnotations:
    """One row per (sentence id, annotator): the latest one that is not cancelled.

    Rows without a sentence id or annotator are an error (the file is not a pulled
    ``annotations.jsonl``).
    """
    result = LatestAnnotations()
    for number, row in enumerate(rows, start=1):
        result.total += 1
        if row.get("cancelled"):
            result.cancelled += 1
            continue
        sentence, annotator = row.get("sentence_id"), row.get("annotator")
        if not isinstance(sentence, str) or annotator is None:
            raise NewskitError(
                f"annotation row {number}: missing sentence_id or annotator", "re-run `newskit pull`"
            )
        key = (sentence, str(annotator))
        held = result.rows.get(key)
        if held is not None:
            result.superseded += 1
            if annotation_order(held) >= annotation_order(row):
                continue
        result.rows[key] = row
    result.rows = dict(sorted(result.rows.items()))
    return result
