"""Scores for single- and multi-label tasks, the same way everywhere (CV, test, bootstrap, curves).

Macro F1 is the mean F1 over **all labels of the task** (the schema's labels), whatever the
sample holds. A label with no true and no predicted example in the sample counts 0 in the
mean (scikit-learn's ``zero_division=0``): leaving it out would let a sample that lacks a
rare label, and a model that never predicts it, look better than one that sometimes does.
The per-class table reports precision, recall and F1 of such a label as ``null`` (undefined).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import f1_score, precision_recall_fscore_support

DIGITS = 4  # metrics are stored rounded, so the card can print exactly what metrics.json holds


def rounded(value: float | None) -> float | None:
    """Round for storage; NaN/None become None (JSON null)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), DIGITS)


def decide(proba: np.ndarray, kind: str, thresholds: list[float] | None = None) -> np.ndarray:
    """Turn probabilities into predictions: argmax (single) or per-label thresholds (multi)."""
    if kind == "single":
        return np.argmax(proba, axis=1)
    limits = np.asarray(thresholds if thresholds is not None else [0.5] * proba.shape[1])
    return (proba >= limits).astype(np.int64)


def f1_scores(kind: str, y_true: np.ndarray, y_pred: np.ndarray, n_labels: int) -> tuple[float, float]:
    """(macro F1 over all ``n_labels`` labels, micro F1); NaN for an empty sample."""
    if len(y_true) == 0:
        return math.nan, math.nan
    labels = list(range(n_labels))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        macro = f1_score(y_true, y_pred, average="macro", labels=labels, zero_division=0.0)
        micro = f1_score(y_true, y_pred, average="micro", labels=labels, zero_division=0.0)
    return float(macro), float(micro)


def row_outcomes(
    kind: str, y_true: np.ndarray, y_pred: np.ndarray, n_labels: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row and class: true positive, false positive, false negative (0/1 matrices, rows × classes)."""
    if kind == "single":
        truth = np.eye(n_labels, dtype=np.int64)[y_true]
        predicted = np.eye(n_labels, dtype=np.int64)[y_pred]
    else:
        truth, predicted = np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)
    return truth & predicted, predicted & (1 - truth), truth & (1 - predicted)


def macro_f1_from_counts(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> float:
    """Macro F1 from per-class counts, as :func:`f1_scores` computes it (all classes; undefined → 0).

    The bootstrap needs a thousand macro F1s of resampled rows; summing counts of the picked
    rows is exact and takes microseconds, where scikit-learn's ``f1_score`` takes milliseconds.
    """
    denominator = 2 * tp + fp + fn
    if denominator.sum() == 0:
        return math.nan
    return float(np.sum(2 * tp / np.maximum(denominator, 1)) / len(tp))


def score_report(kind: str, y_true: np.ndarray, y_pred: np.ndarray, labels: list[str]) -> dict:
    """Macro/micro F1 and per-class precision, recall, F1 and support (rounded, JSON-ready)."""
    macro, micro = f1_scores(kind, y_true, y_pred, len(labels))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        precision, recall, f1, support = precision_recall_fscore_support(
            y_true, y_pred, average=None, zero_division=np.nan, labels=list(range(len(labels)))
        )
    per_class = {
        label: {
            "precision": rounded(precision[i]),
            "recall": rounded(recall[i]),
            "f1": rounded(f1[i]),
            "support": int(support[i]),
        }
        for i, label in enumerate(labels)
    }
    return {"macro_f1": rounded(macro), "micro_f1": rounded(micro), "per_class": per_class, "n": len(y_true)}


def mean_std(values: list[float]) -> dict:
    """Mean and (population) standard deviation over folds, ignoring undefined folds."""
    finite = [v for v in values if not math.isnan(v)]
    if not finite:
        return {"mean": None, "std": None, "folds": [rounded(v) for v in values]}
    return {
        "mean": rounded(float(np.mean(finite))),
        "std": rounded(float(np.std(finite))),
        "folds": [rounded(v) for v in values],
    }
