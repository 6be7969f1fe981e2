"""The decision rule and the confidence of predictions (newskit.training.decisions)."""

from __future__ import annotations

import numpy as np

from newskit.training.decisions import decide_with_schema, decision_confidence

THRESHOLDS = [0.5, 0.25, 0.05]  # labels: a, b, none (exclusive: index 2)


def test_single_choice_is_exactly_one_label():
    chosen = decide_with_schema(np.array([[0.2, 0.5, 0.3], [0.4, 0.35, 0.25]]), "single")
    np.testing.assert_array_equal(chosen, [[0, 1, 0], [1, 0, 0]])
    np.testing.assert_allclose(decision_confidence([[0.2, 0.5, 0.3], [0.4, 0.35, 0.25]], chosen), [0.5, 0.4])


def test_labels_passing_their_thresholds_are_chosen():
    chosen = decide_with_schema(np.array([[0.9, 0.3, 0.01]]), "multi", THRESHOLDS, [2])
    np.testing.assert_array_equal(chosen, [[1, 1, 0]])
    np.testing.assert_allclose(decision_confidence([[0.9, 0.3, 0.01]], chosen), [0.3])


def test_an_exclusive_label_never_stands_with_others():
    proba = np.array(
        [
            [0.9, 0.1, 0.06],  # a clears by (0.9-0.5)/0.5 = 0.8, none by 0.01/0.95: a wins, none dropped
            [0.55, 0.1, 0.9],  # none clears by 0.85/0.95 ≈ 0.89 > 0.1: none alone
            [0.6, 0.3, 0.2],  # a clears by 0.2, none by 0.158: a and b stay
        ]
    )
    chosen = decide_with_schema(proba, "multi", THRESHOLDS, [2])
    np.testing.assert_array_equal(chosen, [[1, 0, 0], [0, 0, 1], [1, 1, 0]])
    np.testing.assert_allclose(decision_confidence(proba, chosen), [0.9, 0.9, 0.3])


def test_without_exclusive_labels_they_may_combine():
    chosen = decide_with_schema(np.array([[0.9, 0.1, 0.06]]), "multi", THRESHOLDS)
    np.testing.assert_array_equal(chosen, [[1, 0, 1]])


def test_when_no_label_passes_the_nearest_to_its_threshold_is_chosen():
    # p / t: 0.4/0.5 = 0.8, 0.24/0.25 = 0.96, 0.01/0.05 = 0.2 → b
    proba = np.array([[0.4, 0.24, 0.01]])
    chosen = decide_with_schema(proba, "multi", THRESHOLDS, [2])
    np.testing.assert_array_equal(chosen, [[0, 1, 0]])
    np.testing.assert_allclose(decision_confidence(proba, chosen), [0.24])


def test_several_exclusive_labels_keep_the_strongest_alone():
    chosen = decide_with_schema(np.array([[0.1, 0.7, 0.3]]), "multi", [0.5, 0.5, 0.5], [1, 2])
    np.testing.assert_array_equal(chosen, [[0, 1, 0]])


def test_no_rows():
    assert decide_with_schema(np.zeros((0, 3)), "multi", THRESHOLDS, [2]).shape == (0, 3)
    assert decide_with_schema(np.zeros((0, 3)), "single").shape == (0, 3)
