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


def test_single_label_temperature_keeps_every_decision_and_rows_sum_to_one():
    rng = np.random.default_rng(1)
    true_p = rng.dirichlet([1, 1, 1], size=3000)
    y = np.array([rng.choice(3, p=row) for row in true_p])
    sharpened = true_p**3 / (true_p**3).sum(axis=1, keepdims=True)  # overconfident
    calibration = fit_calibration("single", y[:1500], sharpened[:1500])
    slope = calibration[0][0]
    assert calibration == [(slope, 0.0)] * 3 and 0.2 < slope < 0.5
    calibrated = calibrate("single", sharpened[1500:], calibration)
    np.testing.assert_allclose(calibrated.sum(axis=1), 1.0)
    np.testing.assert_array_equal(calibrated.argmax(axis=1), sharpened[1500:].argmax(axis=1))
    before = expected_calibration_error(*calibration_pairs("single", y[1500:], sharpened[1500:]), 10)
    after = expected_calibration_error(*calibration_pairs("single", y[1500:], calibrated), 10)
    assert after < before / 2
    assert calibrate("single", sharpened, None) is sharpened


def test_a_label_with_few_examples_keeps_its_probabilities():
    rng = np.random.default_rng(2)
    proba = rng.uniform(size=(200, 2))
    y = np.zeros((200, 2), dtype=np.int64)
    y[:9, 1] = 1  # 9 positives: fewer than MIN_EXAMPLES
    y[:, 0] = (rng.uniform(size=200) < proba[:, 0]).astype(np.int64)
    calibration = fit_calibration("multi", y, proba)
    assert calibration[1] == (1.0, 0.0) and calibration[0] != (1.0, 0.0)
    np.testing.assert_allclose(calibrate("multi", proba, calibration)[:, 1], proba[:, 1])


def test_a_reversed_ranking_is_not_turned_round():
    rng = np.random.default_rng(3)
    proba = rng.uniform(size=(300, 1))
    y = (rng.uniform(size=(300, 1)) < 1 - proba).astype(np.int64)  # higher probability, fewer positives
    assert fit_calibration("multi", y, proba) == [(1.0, 0.0)]
