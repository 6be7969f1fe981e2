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


# Calibration fitted out of fold. Hand-written around LogisticRegression and a 1-D minimiser
# rather than CalibratedClassifierCV: that class calibrates on folds of its own (sentence-level,
# not by article) or needs the folds stored inside the saved model; here the calibration is
# fitted on the article-grouped out-of-fold probabilities training computes anyway, and stored
# as two numbers per label in train_info.json.
_EPSILON = 1e-6
# A label's Platt fit needs this many positive and negative examples; with fewer it would follow
# noise, and the label keeps its probabilities (slope 1, intercept 0).
MIN_EXAMPLES = 10
Calibration = list[tuple[float, float]]  # per label: (slope, intercept) on the log-odds


def _log_odds(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EPSILON, 1 - _EPSILON)
    return np.log(p / (1 - p))


def _softmax_power(proba: np.ndarray, slope: float) -> np.ndarray:
    """``softmax(slope · log p)``: temperature scaling with temperature ``1 / slope``."""
    logits = slope * np.log(np.clip(proba, _EPSILON, 1.0))
    logits -= logits.max(axis=1, keepdims=True)
    scaled = np.exp(logits)
    return scaled / scaled.sum(axis=1, keepdims=True)


def fit_calibration(kind: str, y: np.ndarray, proba: np.ndarray) -> Calibration:
    """Calibration of out-of-fold probabilities against the truth.

    Multi-label: Platt scaling per label (its probability against its 0/1 column), for labels with
    at least :data:`MIN_EXAMPLES` positives and negatives; a label whose out-of-fold probabilities
    rank the wrong way round (slope ≤ 0: the model's ranking did not carry over to unseen
    articles) keeps its probabilities instead of having them reversed. Single-label: temperature scaling, one
    slope on the log-probabilities shared by all classes (stored once per class), which leaves
    the most probable class, and so every decision, unchanged.
    """
    from scipy.optimize import minimize_scalar
    from sklearn.linear_model import LogisticRegression

    if kind == "single":
        rows = np.arange(len(y))

        def loss(log_slope: float) -> float:
            return float(-np.log(_softmax_power(proba, np.exp(log_slope))[rows, y]).mean())

        slope = float(np.exp(minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded").x))
        return [(round(slope, 6), 0.0)] * proba.shape[1]
    result = []
    for column in range(proba.shape[1]):
        outcome = np.asarray(y)[:, column]
        if min(int(outcome.sum()), int((1 - outcome).sum())) < MIN_EXAMPLES:
            result.append((1.0, 0.0))
            continue
        model = LogisticRegression().fit(_log_odds(proba[:, column])[:, None], outcome)
        slope = float(model.coef_[0, 0])
        if slope <= 0:  # the ranking did not carry over to unseen articles: do not reverse it
            result.append((1.0, 0.0))
            continue
        result.append((round(slope, 6), round(float(model.intercept_[0]), 6)))
    return result


def calibrate(kind: str, proba: np.ndarray, calibration: Calibration | None) -> np.ndarray:
    """Apply :func:`fit_calibration`'s result (``None``: the probabilities as they are)."""
    if calibration is None:
        return proba
    if kind == "single":
        return _softmax_power(proba, calibration[0][0])
    slopes = np.array([slope for slope, _ in calibration])
    intercepts = np.array([intercept for _, intercept in calibration])
    return 1 / (1 + np.exp(-(slopes * _log_odds(proba) + intercepts)))
