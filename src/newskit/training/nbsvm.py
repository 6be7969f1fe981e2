"""NB-SVM-style features: term weights scaled by their naive Bayes log-count ratio (Wang & Manning, 2012).

For a binary problem every feature is multiplied by ``log((p / |p|₁) / (q / |q|₁))``, where ``p`` and
``q`` are the feature's summed values over positive and negative rows plus ``alpha``; a linear
model on top then starts from naive Bayes evidence. Multi-class and multi-label tasks fit one
ratio per binary one-vs-rest problem (the step sits inside each binary pipeline).

Hand-written: scikit-learn has no such transformer, and the packages that offer one are not
maintained. A plain class with NumPy state, so skops saves it (it is on the trusted list).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin


class LogCountRatio(TransformerMixin, BaseEstimator):
    """Scale each feature by its naive Bayes log-count ratio for the positive class (label 1)."""

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def fit(self, X, y) -> LogCountRatio:
        """Learn the ratio from non-negative features ``X`` and 0/1 labels ``y``."""
        positive = np.asarray(y) == 1
        p = np.asarray(X[positive].sum(axis=0)).ravel() + self.alpha
        q = np.asarray(X[~positive].sum(axis=0)).ravel() + self.alpha
        self.ratio_ = np.log((p / p.sum()) / (q / q.sum())).astype(np.float64)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        """``X`` with every column multiplied by its ratio (sparse stays sparse)."""
        if sparse.issparse(X):
            return sparse.csr_matrix(X.multiply(self.ratio_))
        return np.asarray(X) * self.ratio_
