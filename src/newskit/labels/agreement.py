"""Inter-annotator agreement on the normalized annotation rows (``labels/annotations.jsonl``).

Single-choice tasks: Krippendorff's alpha (nominal, all annotators, missing values
allowed) and Cohen's kappa per pair of annotators on the sentences both labeled.
Multi-label tasks: the same per label (each label a yes/no decision), plus the share
of annotator pairs that chose exactly the same set, the mean Jaccard overlap of their
sets, and alpha with each distinct set as one nominal value.
Metrics that are undefined (fewer than two annotators overlap, or no variation at all)
are ``null`` with a ``reason``, never an error.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from itertools import combinations
from typing import Any

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score

from newskit.errors import NewskitError
from newskit.labels.latest import latest_annotations
from newskit.labels.schema import Schema, Task

NO_OVERLAP = "fewer than 2 annotators labeled the same sentences"
NO_VARIATION = "undefined: every annotation has the same value (no variation to agree on)"
Labels = dict[str, dict[str, Any]]  # sentence id -> annotator -> value (str for single, frozenset for multi)


def _round(value: float | None) -> float | None:
    """Round for stable, readable JSON; NaN (undefined) becomes None."""
    if value is None or math.isnan(value):
        return None
    return round(float(value), 6)


def _metric(value: float | None, reason_if_missing: str) -> dict[str, Any]:
    value = _round(value)
    return {"value": value, "reason": None if value is not None else reason_if_missing}


def _collect(rows: Iterable[dict[str, Any]], schema: Schema) -> tuple[dict[str, Labels], dict[str, int]]:
    """Per task: sentence -> annotator -> value, from the annotations that count (see latest.py)."""
    latest = latest_annotations(rows)
    counts = {"rows": latest.total, "cancelled": latest.cancelled, "superseded": latest.superseded}
    per_task: dict[str, Labels] = {task.name: {} for task in schema.tasks}
    for (sentence, annotator), row in latest.rows.items():
        for task in schema.tasks:
            value = _value(task, row, sentence, annotator)
            if value is not None:
                per_task[task.name].setdefault(sentence, {})[annotator] = value
    return per_task, counts


def _value(task: Task, row: dict[str, Any], sentence: str, annotator: str) -> Any:
    """The row's answer for ``task`` (None when absent); unknown label ids are an error."""
    value = row.get(task.name)
    if value is None:
        return None
    chosen = value if isinstance(value, list) else [value]
    unknown = sorted({str(v) for v in chosen} - set(task.label_ids))
    if unknown:
        raise NewskitError(
            f"annotation of {sentence} by {annotator}: "
            f"unknown label(s) {', '.join(unknown)} for task {task.name!r}",
            "the schema and the annotations disagree: check labels/schema.yaml or re-run `newskit pull`",
        )
    if task.kind == "multi":
        return frozenset(chosen) if chosen else None
    return value


def _alpha(labels: Labels, annotators: list[str], code: Any, domain: list[int]) -> float | None:
    """Krippendorff's alpha (nominal) over sentences with ≥2 values; ``code`` maps a value to an int."""
    units = sorted(s for s, by in labels.items() if len(by) >= 2)
    if not units:
        return None
    data = np.full((len(annotators), len(units)), np.nan)
    for column, sentence in enumerate(units):
        for annotator, value in labels[sentence].items():
            data[annotators.index(annotator), column] = code(value)
    if len(domain) < 2:
        return math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0/0 when there is no variation → NaN
        return float(krippendorff.alpha(data, level_of_measurement="nominal", value_domain=domain))


def _kappa(first: list[Any], second: list[Any], labels: list[Any]) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined kappa (one label only) → NaN, reported as null
        return float(cohen_kappa_score(first, second, labels=labels, replace_undefined_by=np.nan))


def _shared(labels: Labels, a: str, b: str) -> list[str]:
    return sorted(s for s, by in labels.items() if a in by and b in by)


def _jaccard(first: frozenset, second: frozenset) -> float:
    union = first | second
    return len(first & second) / len(union) if union else 1.0


def _mean(values: list[float | None]) -> float | None:
    defined = [v for v in values if v is not None and not math.isnan(v)]
    return sum(defined) / len(defined) if defined else None


def _single_task(task: Task, labels: Labels, annotators: list[str]) -> dict[str, Any]:
    ids = task.label_ids
    pairs = []
    for a, b in combinations(annotators, 2):
        shared = _shared(labels, a, b)
        if not shared:
            continue
        first, second = [labels[s][a] for s in shared], [labels[s][b] for s in shared]
        same = sum(x == y for x, y in zip(first, second, strict=True)) / len(shared)
        kappa = _kappa(first, second, ids)
        pairs.append({"annotators": [a, b], "items": len(shared), "agreement": _round(same), **_kv(kappa)})
    alpha = _alpha(labels, annotators, ids.index, list(range(len(ids))))
    return {
        "kind": task.kind,
        "units": sum(len(by) >= 2 for by in labels.values()),
        "alpha": _metric(alpha, NO_OVERLAP if alpha is None else NO_VARIATION),
        "mean_kappa": _metric(_mean([p["kappa"] for p in pairs]), NO_OVERLAP if not pairs else NO_VARIATION),
        "pairs": pairs,
    }


def _kv(kappa: float) -> dict[str, Any]:
    value = _round(kappa)
    return {"kappa": value, "kappa_reason": None if value is not None else NO_VARIATION}


def _multi_task(task: Task, labels: Labels, annotators: list[str]) -> dict[str, Any]:
    per_label: dict[str, Any] = {}
    for label_id in task.label_ids:
        binary = {s: {a: int(label_id in v) for a, v in by.items()} for s, by in labels.items()}
        label_pairs = []
        for a, b in combinations(annotators, 2):
            shared = _shared(binary, a, b)
            if shared:
                kappa = _kappa([binary[s][a] for s in shared], [binary[s][b] for s in shared], [0, 1])
                label_pairs.append({"annotators": [a, b], "items": len(shared), **_kv(kappa)})
        alpha = _alpha(binary, annotators, int, [0, 1])
        per_label[label_id] = {
            "chosen": sum(label_id in v for by in labels.values() for v in by.values()),
            "alpha": _metric(alpha, NO_OVERLAP if alpha is None else NO_VARIATION),
            "mean_kappa": _metric(
                _mean([p["kappa"] for p in label_pairs]), NO_OVERLAP if not label_pairs else NO_VARIATION
            ),
            "pairs": label_pairs,
        }
    pairs, exact_all, jaccard_all = [], [], []
    for a, b in combinations(annotators, 2):
        shared = _shared(labels, a, b)
        if not shared:
            continue
        exact = [float(labels[s][a] == labels[s][b]) for s in shared]
        jaccard = [_jaccard(labels[s][a], labels[s][b]) for s in shared]
        exact_all += exact
        jaccard_all += jaccard
        pairs.append(
            {
                "annotators": [a, b],
                "items": len(shared),
                "exact_set_agreement": _round(sum(exact) / len(exact)),
                "mean_jaccard": _round(sum(jaccard) / len(jaccard)),
            }
        )
    sets = sorted({tuple(sorted(v)) for by in labels.values() for v in by.values()})
    set_alpha = _alpha(labels, annotators, lambda v: sets.index(tuple(sorted(v))), list(range(len(sets))))
    none_reason = NO_OVERLAP if not pairs else NO_VARIATION
    return {
        "kind": task.kind,
        "units": sum(len(by) >= 2 for by in labels.values()),
        "alpha_exact_set": _metric(set_alpha, NO_OVERLAP if set_alpha is None else NO_VARIATION),
        "mean_label_alpha": _metric(_mean([v["alpha"]["value"] for v in per_label.values()]), none_reason),
        "exact_set_agreement": _metric(_mean(exact_all), NO_OVERLAP),
        "mean_jaccard": _metric(_mean(jaccard_all), NO_OVERLAP),
        "labels": per_label,
        "pairs": pairs,
    }


def compute_agreement(rows: Iterable[dict[str, Any]], schema: Schema) -> dict[str, Any]:
    """Agreement per task, per label and overall for annotation rows (see ``labels/annotations.jsonl``).

    Cancelled annotations are skipped and counted. Returns a JSON-ready dict; metrics
    that cannot be computed are ``{"value": null, "reason": ...}``.
    """
    per_task, counts = _collect(rows, schema)
    annotators = sorted({a for labels in per_task.values() for by in labels.values() for a in by})
    sentences = sorted({s for labels in per_task.values() for s in labels})
    by_sentence = {s: {a for labels in per_task.values() for a in labels.get(s, {})} for s in sentences}
    overlap_pairs = []
    for a, b in combinations(annotators, 2):
        items = sum(a in who and b in who for who in by_sentence.values())
        if items:
            overlap_pairs.append({"annotators": [a, b], "items": items})
    multi_annotated = sum(len(who) >= 2 for who in by_sentence.values())
    tasks = {}
    for task in schema.tasks:
        compute = _multi_task if task.kind == "multi" else _single_task
        tasks[task.name] = compute(task, per_task[task.name], annotators)
    return {
        "schema": schema.name,
        "guidelines_version": schema.guidelines_version,
        "annotations": {
            "rows": counts["rows"],
            "cancelled": counts["cancelled"],
            "superseded": counts["superseded"],
            "used": counts["rows"] - counts["cancelled"] - counts["superseded"],
        },
        "annotators": annotators,
        "sentences": len(sentences),
        "sentences_with_2_or_more_annotators": multi_annotated,
        "pairs": overlap_pairs,
        "reason": None if overlap_pairs else NO_OVERLAP,
        "tasks": tasks,
    }
