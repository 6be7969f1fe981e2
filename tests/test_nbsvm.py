"""NB-SVM log-count ratios: the naive Bayes evidence of each feature, by hand."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from newskit.training.nbsvm import LogCountRatio


def test_ratio_by_hand_and_sparse_stays_sparse():
    X = sparse.csr_matrix(np.array([[2.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 3.0, 1.0]]))
    y = np.array([1, 1, 0])
    step = LogCountRatio(alpha=1.0).fit(X, y)
    p = np.array([3.0, 0.0, 1.0]) + 1  # positive rows summed, plus alpha
    q = np.array([0.0, 3.0, 1.0]) + 1
    expected = np.log((p / p.sum()) / (q / q.sum()))
    np.testing.assert_allclose(step.ratio_, expected)
    scaled = step.transform(X)
    assert sparse.issparse(scaled)
    np.testing.assert_allclose(scaled.toarray(), X.toarray() * expected)
    assert step.ratio_[0] > 0 > step.ratio_[1]  # evidence for and against the positive class
