"""Article-grouped cross-validation, threshold tuning and the fit of one task model.

Sentences of one article are never split between training and scoring folds
(``GroupKFold`` on ``article_id``): neighbouring sentences share names and phrasing,
and a sentence-level split would reward memorising articles.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property
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
from newskit.training.metrics import decide, f1_scores
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


def _as_rows(texts) -> Rows:
    return texts if isinstance(texts, Rows) else Rows(texts)


def fit_pipeline(
    task: TaskSpec, texts, y: np.ndarray, params: dict[str, Any], config: TrainConfig
) -> Pipeline:
    """Build and fit the pipeline of one grid candidate, as every fold and final fit does."""
    rows = _as_rows(texts)
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
        if rows.precomputed(pipeline):  # fit the steps after the hashing on the hashed rows
            tail = Pipeline(pipeline.steps[1:]).fit(rows.hashed, y)
            return Pipeline([pipeline.steps[0], *tail.steps])
        pipeline.fit(rows.texts, y)
    return pipeline


def _probabilities(model: Pipeline, texts, task: TaskSpec) -> np.ndarray:
    rows = _as_rows(texts)
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
        proba[score_idx] = _probabilities(model, texts[score_idx], task)
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


@dataclass
class FittedTask:
    """A trained task model and its decision thresholds (multi tasks; ``None`` for single)."""

    pipeline: Pipeline
    thresholds: list[float] | None

    def probabilities(self, texts, task: TaskSpec) -> np.ndarray:
        """Probabilities (rows × task labels) for texts or :class:`Rows`."""
        return _probabilities(self.pipeline, texts, task)

    def predict(self, texts, task: TaskSpec) -> np.ndarray:
        """Class indices (single) or an indicator matrix (multi)."""
        return decide(self.probabilities(texts, task), task.kind, self.thresholds)


@dataclass
class TaskCV:
    """The cross-validation of one task: its rows, labels, article groups, config and folds.

    Built once per task; model selection, the final fit, the evaluation's cross-validation,
    the learning curve and the nested estimate all take their data and folds from it, so
    they cannot disagree about what was split how.
    """

    task: TaskSpec
    texts: Rows
    y: np.ndarray
    groups: np.ndarray
    config: TrainConfig

    def __post_init__(self) -> None:
        self.texts = _as_rows(self.texts)

    @cached_property
    def folds(self) -> Folds:
        """Article-grouped folds, made on first use (one article is enough for a plain fit)."""
        return group_folds(self.groups, self.config.max_folds)

    @classmethod
    def for_task(cls, task: TaskSpec, pool, config: TrainConfig, rows: Rows | None = None) -> TaskCV:
        """The rows of ``pool`` (a :class:`~newskit.training.data.SplitData`) that have ``task``'s labels.

        ``rows`` are the pool's texts, hashed once for all tasks (hashing configs); without
        them the texts are hashed here.
        """
        rows = rows if rows is not None else hashed_rows(pool.texts, config)
        y, present = pool.targets(task)
        return cls(task, rows[present], y[present], pool.groups[present], config)

    def __len__(self) -> int:
        return len(self.y)

    @property
    def n_articles(self) -> int:
        """How many articles the rows come from."""
        return len(set(self.groups.tolist()))

    def subset(self, indices: np.ndarray) -> TaskCV:
        """The same task on some of the rows (whole articles), with folds of its own."""
        return TaskCV(self.task, self.texts[indices], self.y[indices], self.groups[indices], self.config)

    def out_of_fold_proba(self, params: dict[str, Any]) -> np.ndarray:
        """Probabilities for every row from the fold model that did not see its article."""
        return out_of_fold_proba(self.task, self.texts, self.y, self.folds, params, self.config)

    def score(self, params: dict[str, Any]) -> dict[str, Any]:
        """Cross-validated macro F1 of one grid candidate (per fold and mean), plus its OOF thresholds."""
        proba = self.out_of_fold_proba(params)
        kind = self.task.kind
        thresholds = tune_thresholds(self.y, proba, self.config) if kind == "multi" else None
        predictions = decide(proba, kind, thresholds)
        n_labels = len(self.task.labels)
        per_fold = [f1_scores(kind, self.y[idx], predictions[idx], n_labels)[0] for _, idx in self.folds]
        finite = [f for f in per_fold if not np.isnan(f)]
        return {
            "params": params,
            "fold_macro_f1": per_fold,
            "mean_macro_f1": float(np.mean(finite)) if finite else float("nan"),
            "thresholds": thresholds,
        }

    def fit(self, params: dict[str, Any], thresholds: list[float] | None = None) -> FittedTask:
        """Fit on all rows; multi tasks get thresholds tuned on this object's out-of-fold probabilities.

        Pass ``thresholds`` to skip the tuning (when they were already tuned on the same data).
        """
        task, config = self.task, self.config
        if task.kind == "multi" and thresholds is None:
            thresholds = [config.thresholds.default] * len(task.labels)
            if config.thresholds.tune and self.n_articles >= 2:
                thresholds = tune_thresholds(self.y, self.out_of_fold_proba(params), config)
        pipeline = fit_pipeline(task, self.texts, self.y, params, config)
        return FittedTask(pipeline, thresholds if task.kind == "multi" else None)
