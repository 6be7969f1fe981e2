"""One macro F1 everywhere: the mean over all labels of the task, absent labels counting 0."""

from __future__ import annotations

import numpy as np
import pytest

from newskit.training.metrics import f1_scores, macro_f1_from_counts, row_outcomes, score_report


def test_a_label_absent_from_truth_and_prediction_counts_zero():
    y_true, y_pred = np.array([0, 0, 1]), np.array([0, 0, 1])
    macro, micro = f1_scores("single", y_true, y_pred, 3)
    assert macro == pytest.approx(2 / 3) and micro == 1.0
    multi_true = np.array([[1, 0, 0], [0, 1, 0]])
    assert f1_scores("multi", multi_true, multi_true, 3)[0] == pytest.approx(2 / 3)


def test_majority_baseline_divides_by_every_label_whatever_the_sample_holds():
    """A sample lacking label 2 no longer lifts the majority baseline (0.8/2 before, 0.8/3 now)."""
    y_true, majority = np.array([0, 0, 0, 0, 1, 1]), np.zeros(6, dtype=int)
    assert f1_scores("single", y_true, majority, 3)[0] == pytest.approx(0.8 / 3)


@pytest.mark.parametrize("kind", ["single", "multi"])
def test_counts_shortcut_uses_the_same_definition(kind):
    rng = np.random.default_rng(4)
    if kind == "single":
        y_true, y_pred = rng.integers(0, 3, 30), rng.integers(0, 3, 30)  # label 3 never occurs
    else:
        y_true, y_pred = rng.integers(0, 2, (30, 4)), rng.integers(0, 2, (30, 4))
        y_true[:, 3] = y_pred[:, 3] = 0
    counts = [c.sum(axis=0) for c in row_outcomes(kind, y_true, y_pred, 4)]
    assert macro_f1_from_counts(*counts) == pytest.approx(f1_scores(kind, y_true, y_pred, 4)[0])


def test_per_class_table_marks_an_absent_label_undefined():
    report = score_report("single", np.array([0, 1]), np.array([0, 1]), ["a", "b", "c"])
    assert report["per_class"]["c"] == {"precision": None, "recall": None, "f1": None, "support": 0}
    assert report["macro_f1"] == pytest.approx(0.6667)
