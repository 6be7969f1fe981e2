"""Label quality for the dataset card: likely label issues (from ``newskit review``) and annotators.

``newskit build`` reads ``review.json`` and ``review.jsonl`` beside the annotations when they
exist (``newskit review`` writes them from a built dataset, so they describe the previous
build; the card says whether the gold labels it reviewed are the ones just built). Per
annotator it measures, from the votes themselves, how often each annotator's label equals the
adjudicated one, and how many of their labels the review flagged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newskit.errors import NewskitError
from newskit.jsonio import read_jsonl, sha256_json
from newskit.labels.adjudicate import Decision, public_annotator
from newskit.labels.annotators import Registry
from newskit.labels.schema import Schema

REVIEW_FILE = "review.jsonl"
REVIEW_SUMMARY_FILE = "review.json"


@dataclass
class Review:
    """What ``newskit review`` wrote: its summary and the flagged (sentence id, field) → given label."""

    summary: dict[str, Any]
    flagged: dict[tuple[str, str], Any] = field(default_factory=dict)


def load_review(review_path: Path) -> Review | None:
    """The review file and its summary, or None when there is no review yet."""
    review_path = Path(review_path)
    summary_path = review_path.with_suffix(".json")
    if not review_path.is_file() or not summary_path.is_file():
        return None
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        flagged = {(row["sentence_id"], row["task"]): row["given"] for row in read_jsonl(review_path)}
        if not all(isinstance(summary.get(key), dict) for key in ("tasks", "config", "dataset")):
            raise ValueError(f"{summary_path.name} lacks tasks, config or dataset")
    except (ValueError, KeyError, TypeError) as exc:
        raise NewskitError(
            f"{review_path}: not a review file written by `newskit review` ({type(exc).__name__}: {exc})",
            "run `newskit review` again, or delete the file to build without it",
        ) from None
    return Review(summary, flagged)


def review_is_current(review: Review, decisions: dict[str, Decision], schema: Schema) -> bool:
    """True if the review was made on exactly these gold labels (same digest as the review's)."""
    labels = {
        task.field: {
            sentence_id: list(value) if isinstance(value, tuple) else value
            for sentence_id, decision in decisions.items()
            for value in [decision.values.get(task.name)]
        }
        for task in schema.tasks
    }
    return review.summary.get("dataset", {}).get("labels_sha256") == sha256_json(labels)


def _same(value: Any, other: Any) -> bool:
    as_list = list(value) if isinstance(value, tuple | list) else value
    return as_list == (list(other) if isinstance(other, tuple | list) else other)


def review_rows(review: Review, schema: Schema) -> list[dict[str, Any]]:
    """Per task of the schema: sentences checked, flagged, share flagged, the review model and its F1."""
    rows = []
    for task in schema.tasks:
        figures = review.summary.get("tasks", {}).get(task.field)
        if figures is None:
            continue
        rows.append(
            {
                "task": task.field,
                "checked": figures["checked"],
                "flagged": figures["flagged"],
                "share": f"{figures['share']:.1%}",
                "model": figures["model"]["model"],
                "oof_macro_f1": "–" if figures["oof_macro_f1"] is None else f"{figures['oof_macro_f1']:.3f}",
            }
        )
    return rows


def annotator_rows(
    decisions: dict[str, Decision], schema: Schema, registry: Registry, review: Review | None
) -> list[dict[str, Any]]:
    """Per annotator and task: labels given, share equal to the adjudicated label, share flagged."""
    counts: dict[tuple[str, str], list[int]] = {}
    for sentence_id, decision in decisions.items():
        for vote in decision.votes:
            name = public_annotator(vote.annotator, registry)
            for task in schema.tasks:
                value = vote.values.get(task.name)
                if value is None:
                    continue
                entry = counts.setdefault((name, task.field), [0, 0, 0, 0])
                entry[0] += 1
                gold = decision.values.get(task.name)
                if gold is not None:
                    entry[1] += 1
                    entry[2] += _same(value, gold)
                key = (sentence_id, task.field)
                if review is not None and key in review.flagged and _same(value, review.flagged[key]):
                    entry[3] += 1
    order = {task.field: number for number, task in enumerate(schema.tasks)}
    rows = []
    for (name, task_field), (labels, decided, agreeing, flagged) in sorted(
        counts.items(), key=lambda item: (item[0][0], order[item[0][1]])
    ):
        rows.append(
            {
                "annotator": name,
                "task": task_field,
                "labels": labels,
                "agreement": f"{agreeing / decided:.1%}" if decided else "–",
                "flagged": f"{flagged} ({flagged / labels:.1%})" if review is not None else "–",
            }
        )
    return rows
