"""Platt scaling on out-of-fold probabilities: better calibrated, order kept, rows summing to one."""

from __future__ import annotations

import numpy as np

from newskit.training.calibration import (
    calibrate,
    calibration_pairs,
    expected_calibration_error,
    fit_calibration,
)


def _overconfident(n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Binary labels whose true rate is p, reported as a probability pushed towards 0 and 1."""
    p = rng.uniform(0.05, 0.95, n)
    y = (rng.uniform(size=n) < p).astype(np.int64)
    reported = 1 / (1 + np.exp(-3 * np.log(p / (1 - p))))
    return y, reported


def test_calibration_lowers_the_ece_of_overconfident_multi_label_probabilities():
    rng = np.random.default_rng(0)
    columns = [_overconfident(4000, rng) for _ in range(2)]
    y = np.stack([c[0] for c in columns], axis=1)
    proba = np.stack([c[1] for c in columns], axis=1)
    calibration = fit_calibration("multi", y[:2000], proba[:2000])
    fresh = calibrate("multi", proba[2000:], calibration)
    before = expected_calibration_error(*calibration_pairs("multi", y[2000:], proba[2000:]), 10)
    after = expected_calibration_error(*calibration_pairs("multi", y[2000:], fresh), 10)
    assert after < before / 2
    assert all(0.2 < slope < 0.5 for slope, _ in calibration)  # undoes the factor 3 on the log-odds
    order = np.argsort(proba[2000:, 0])
    assert np.all(np.diff(fresh[order, 0]) >= 0)  # monotone: a ranking is kept


def test_single_label_rows_sum_to_one_and_a_missing_class_is_left_alone():
    rng = np.random.default_rng(1)
    proba = rng.dirichlet([1, 1, 1], size=300)
    y = proba[:, :2].argmax(axis=1)  # class 2 never occurs
    calibration = fit_calibration("single", y, proba)
    assert calibration[2] == (1.0, 0.0)
    calibrated = calibrate("single", proba, calibration)
    np.testing.assert_allclose(calibrated.sum(axis=1), 1.0)
    assert calibrate("single", proba, None) is proba
