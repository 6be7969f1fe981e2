"""How well predicted probabilities match observed frequencies: Brier score and ECE.

Single-label tasks are judged on their top-label probability (the confidence of the
predicted class against whether it was right); multi-label tasks on every
(sentence, label) probability against the 0/1 truth, pooled over labels.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import brier_score_loss

from newskit.training.metrics import rounded


def calibration_pairs(kind: str, y_true: np.ndarray, proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(outcome 0/1, probability) pairs the reliability diagram and ECE are computed on."""
    if kind == "single":
        return (proba.argmax(axis=1) == y_true).astype(np.int64), proba.max(axis=1)
    return y_true.ravel().astype(np.int64), proba.ravel()


def expected_calibration_error(outcomes: np.ndarray, probabilities: np.ndarray, n_bins: int) -> float:
    """ECE with equal-width bins: sum over bins of (share of examples) × |accuracy − mean probability|.

    Hand-written because scikit-learn has no ECE (``calibration_curve`` drops the bin sizes
    the weighting needs). A probability of exactly 1.0 falls into the last bin.
    """
    if len(outcomes) == 0:
        return float("nan")
    bins = np.minimum((probabilities * n_bins).astype(np.int64), n_bins - 1)
    error = 0.0
    for b in range(n_bins):
        in_bin = bins == b
        if in_bin.any():
            error += in_bin.mean() * abs(outcomes[in_bin].mean() - probabilities[in_bin].mean())
    return float(error)


def brier_score(kind: str, y_true: np.ndarray, proba: np.ndarray) -> float:
    """Brier score: multi-class (scaled to [0, 1]) for single tasks, mean of per-label scores for multi."""
    if len(y_true) == 0:
        return float("nan")
    if kind == "single":
        return float(brier_score_loss(y_true, proba, labels=list(range(proba.shape[1]))))
    return float(
        np.mean([brier_score_loss(y_true[:, i], proba[:, i], pos_label=1) for i in range(proba.shape[1])])
    )


def calibration_report(kind: str, y_true: np.ndarray, proba: np.ndarray, n_bins: int) -> dict:
    """Brier score and ECE (rounded), plus what they were computed on."""
    outcomes, probabilities = calibration_pairs(kind, y_true, proba)
    return {
        "brier": rounded(brier_score(kind, y_true, proba)),
        "ece": rounded(expected_calibration_error(outcomes, probabilities, n_bins)),
        "n_bins": n_bins,
        "on": "top-label probability" if kind == "single" else "every label probability, pooled",
    }


# Platt scaling fitted out of fold. Hand-written around LogisticRegression rather than
# CalibratedClassifierCV: that class calibrates on folds of its own (sentence-level, not by
# article) or needs the folds stored inside the saved model; here the calibration is fitted on
# the article-grouped out-of-fold probabilities training computes anyway, and stored as two
# numbers per label in train_info.json.
_EPSILON = 1e-6
Calibration = list[tuple[float, float]]  # per label: (slope, intercept) on the log-odds


def _log_odds(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EPSILON, 1 - _EPSILON)
    return np.log(p / (1 - p))


def fit_calibration(kind: str, y: np.ndarray, proba: np.ndarray) -> Calibration:
    """Per label, Platt scaling of out-of-fold probabilities against the truth.

    Multi-label: each label's probability against its 0/1 column; single-label: each class's
    probability one-vs-rest (then :func:`calibrate` renormalises rows, as scikit-learn's
    ``CalibratedClassifierCV`` does). A label without both outcomes keeps its probabilities.
    """
    from sklearn.linear_model import LogisticRegression

    truth = np.eye(proba.shape[1], dtype=np.int64)[y] if kind == "single" else np.asarray(y)
    result = []
    for column in range(proba.shape[1]):
        outcome = truth[:, column]
        if outcome.min() == outcome.max():
            result.append((1.0, 0.0))
            continue
        model = LogisticRegression(C=1e4, max_iter=1000).fit(_log_odds(proba[:, column])[:, None], outcome)
        result.append((round(float(model.coef_[0, 0]), 6), round(float(model.intercept_[0]), 6)))
    return result


def calibrate(kind: str, proba: np.ndarray, calibration: Calibration | None) -> np.ndarray:
    """Apply :func:`fit_calibration`'s result (``None``: the probabilities as they are)."""
    if calibration is None:
        return proba
    slopes = np.array([slope for slope, _ in calibration])
    intercepts = np.array([intercept for _, intercept in calibration])
    calibrated = 1 / (1 + np.exp(-(slopes * _log_odds(proba) + intercepts)))
    if kind == "single":
        calibrated = calibrated / calibrated.sum(axis=1, keepdims=True)
    return calibrated
