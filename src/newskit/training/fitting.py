"""Fitting one grid candidate: article-grouped folds, rows hashed once, out-of-fold probabilities, thresholds.

Sentences of one article are never split between training and scoring folds
(``GroupKFold`` on ``article_id``): neighbouring sentences share names and phrasing,
and a sentence-level split would reward memorising articles.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from joblib import parallel_config
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from newskit.errors import NewskitError
from newskit.training.config import TrainConfig
from newskit.training.data import TaskSpec
from newskit.training.models import (
    THREAD_SAFE_MODELS,
    build_features,
    build_model,
    class_probabilities,
    task_probabilities,
)
from newskit.training.shared_steps import same_fitted

Folds = list[tuple[np.ndarray, np.ndarray]]


def n_folds_for(groups: np.ndarray, max_folds: int) -> int:
    """As many folds as there are articles, at most ``max_folds``; at least 2 articles are needed."""
    n_groups = len(set(groups.tolist()))
    if n_groups < 2:
        raise NewskitError(
            f"cross-validation needs at least 2 articles, the training data has {n_groups}",
            "label sentences from more articles",
        )
    return min(max_folds, n_groups)


def group_folds(groups: np.ndarray, max_folds: int) -> Folds:
    """Deterministic article-grouped folds (GroupKFold, no shuffling)."""
    splitter = GroupKFold(n_splits=n_folds_for(groups, max_folds))
    return list(splitter.split(np.zeros(len(groups)), groups=groups))


@dataclass
class Rows:
    """Training texts, with the output of a stateless hashing step computed once for all of them.

    Hashing holds no fitted state, so every fold, grid candidate and the final fit can slice
    one hashed matrix instead of hashing the same sentences again (the slow part at scale).
    """

    texts: np.ndarray
    hashed: Any = None
    step: Any = None

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, index) -> Rows:
        return Rows(self.texts[index], None if self.hashed is None else self.hashed[index], self.step)

    def precomputed(self, pipeline: Pipeline) -> bool:
        """True if ``hashed`` is what the first step of ``pipeline`` makes of ``texts``."""
        return self.hashed is not None and same_fitted(pipeline.steps[0][1], self.step)


def hashed_rows(texts: np.ndarray, config: TrainConfig) -> Rows:
    """``texts`` as :class:`Rows`; for hashing features with the hashing done once."""
    if config.features.kind != "hashing":
        return Rows(texts)
    step = build_features(config.features, {})
    return Rows(texts, step.transform(texts), step)


def as_rows(texts) -> Rows:
    """``texts`` as :class:`Rows` (unchanged if they are already)."""
    return texts if isinstance(texts, Rows) else Rows(texts)


def fit_pipeline(
    task: TaskSpec,
    texts,
    y: np.ndarray,
    params: dict[str, Any],
    config: TrainConfig,
    features: tuple[Any, Any] | None = None,
) -> Pipeline:
    """Build and fit the pipeline of one grid candidate, as every fold and final fit does.

    ``features``: the candidate's feature step already fitted on these rows, and its output
    for them (see :meth:`TaskCV.fold_features`); then only the later steps are fitted.
    """
    rows = as_rows(texts)
    pipeline = build_model(task.kind, params, config.features, config.seed)
    # ``jobs`` > 1: the per-class binary problems (SGD one-vs-all, one-vs-rest) run in threads.
    # Threads, not processes: they share the training matrix instead of holding a copy each (at
    # 1M sentences a process per task needed over 4 GB) and SGD's inner loop runs without the
    # GIL; every binary problem gets its seed before they start, so results equal ``jobs = 1``.
    jobs = config.jobs if params["model"] in THREAD_SAFE_MODELS else 1
    # One BLAS thread: on small data, thread start-up and contention cost more than they save.
    with (
        warnings.catch_warnings(),
        threadpool_limits(limits=1),
        parallel_config(backend="threading", n_jobs=jobs),
    ):
        # A label without positives in a fold is expected in small data (constant predictor).
        warnings.filterwarnings("ignore", message="Label .* is present in all training examples")
        warnings.simplefilter("ignore", ConvergenceWarning)
        if features is not None:
            tail = Pipeline(pipeline.steps[1:]).fit(features[1], y)
            return Pipeline([(pipeline.steps[0][0], features[0]), *tail.steps])
        if rows.precomputed(pipeline):  # fit the steps after the hashing on the hashed rows
            tail = Pipeline(pipeline.steps[1:]).fit(rows.hashed, y)
            return Pipeline([pipeline.steps[0], *tail.steps])
        pipeline.fit(rows.texts, y)
    return pipeline


def probabilities_of(model: Pipeline, texts, task: TaskSpec) -> np.ndarray:
    """Probabilities (rows × task labels) of a fitted pipeline for texts or :class:`Rows`."""
    rows = as_rows(texts)
    if rows.precomputed(model):
        proba = Pipeline(model.steps[1:]).predict_proba(rows.hashed)
        return task_probabilities(proba, model.classes_, task.kind, len(task.labels))
    return class_probabilities(model, rows.texts, task.kind, len(task.labels))


def out_of_fold_proba(
    task: TaskSpec,
    texts: np.ndarray | Rows,
    y: np.ndarray,
    folds: Folds,
    params: dict[str, Any],
    config: TrainConfig,
) -> np.ndarray:
    """Probabilities for every row from the fold model that did not see it."""
    proba = np.zeros((len(texts), len(task.labels)))
    for train_idx, score_idx in folds:
        model = fit_pipeline(task, texts[train_idx], y[train_idx], params, config)
        proba[score_idx] = probabilities_of(model, texts[score_idx], task)
    return proba


def tune_thresholds(y: np.ndarray, proba: np.ndarray, config: TrainConfig) -> list[float]:
    """Per label, the candidate threshold with the best F1 on out-of-fold probabilities.

    Ties go to the candidate closest to the default; a label without positives keeps the default.
    """
    default = config.thresholds.default
    candidates = sorted(config.thresholds.candidates, key=lambda t: (abs(t - default), t))
    chosen = []
    for column in range(y.shape[1]):
        truth = y[:, column]
        if not config.thresholds.tune or truth.sum() == 0:
            chosen.append(default)
            continue
        best, best_f1 = default, -1.0
        for threshold in candidates:
            predicted = proba[:, column] >= threshold
            tp = int(np.sum(predicted & (truth == 1)))
            f1 = 2 * tp / (int(predicted.sum()) + int(truth.sum()))
            if f1 > best_f1 + 1e-12:
                best, best_f1 = threshold, f1
        chosen.append(float(best))
    return chosen
