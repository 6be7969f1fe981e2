"""The cross-validation of one task as one object: selection, fits, calibration and thresholds.

:class:`TaskCV` carries a task's rows, labels, article groups, config and grouped folds, built
once; training selects and fits through it, and the evaluation's nested CV and learning curve
take their data and folds from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from newskit.errors import NewskitError
from newskit.training.calibration import Calibration, calibrate, fit_calibration
from newskit.training.config import FEATURE_OVERRIDES, TrainConfig
from newskit.training.data import TaskSpec
from newskit.training.fitting import (
    Folds,
    Rows,
    as_rows,
    fit_pipeline,
    group_folds,
    hashed_rows,
    out_of_fold_proba,
    probabilities_of,
    tune_thresholds,
)
from newskit.training.metrics import decide, f1_scores
from newskit.training.models import build_features, task_probabilities


@dataclass
class FittedTask:
    """A trained task model, its decision thresholds (multi tasks; ``None`` for single) and calibration."""

    pipeline: Pipeline
    thresholds: list[float] | None
    calibration: Calibration | None = None

    def probabilities(self, texts, task: TaskSpec) -> np.ndarray:
        """Calibrated probabilities (rows × task labels) for texts or :class:`Rows`."""
        return calibrate(task.kind, probabilities_of(self.pipeline, texts, task), self.calibration)

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
    _features: dict = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.texts = as_rows(self.texts)

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

    def fold_features(self, fold: int, params: dict[str, Any]) -> tuple[Any, Any, Any]:
        """The fitted TF-IDF step of fold ``fold`` for ``params``, and its output for both parts.

        Grid candidates that differ only in the classifier share their features: the vocabulary
        and IDF weights of a fold are fitted once and reused (the same numbers as fitting them
        again, at a fraction of the cost: vectorizing is most of a fit on small data).
        """
        key = (fold, *(repr(params.get(name)) for name in FEATURE_OVERRIDES))
        if key not in self._features:
            train_idx, score_idx = self.folds[fold]
            step = build_features(self.config.features, params)
            with threadpool_limits(limits=1):
                matrix = step.fit_transform(self.texts.texts[train_idx])
                self._features[key] = (step, matrix, step.transform(self.texts.texts[score_idx]))
        return self._features[key]

    def out_of_fold_proba(self, params: dict[str, Any]) -> np.ndarray:
        """Probabilities for every row from the fold model that did not see its article."""
        if self.config.features.kind != "tfidf":  # hashing: rows are hashed once already
            return out_of_fold_proba(self.task, self.texts, self.y, self.folds, params, self.config)
        task = self.task
        proba = np.zeros((len(self), len(task.labels)))
        for fold, (train_idx, score_idx) in enumerate(self.folds):
            step, matrix, scored = self.fold_features(fold, params)
            model = fit_pipeline(task, None, self.y[train_idx], params, self.config, (step, matrix))
            tail = Pipeline(model.steps[1:])
            proba[score_idx] = task_probabilities(
                tail.predict_proba(scored), model.classes_, task.kind, len(task.labels)
            )
        return proba

    def decision_rule(self, proba: np.ndarray) -> tuple[Calibration | None, list[float] | None]:
        """Calibration and thresholds from out-of-fold probabilities, as the config asks.

        The calibration is fitted first; multi-label thresholds are tuned on the calibrated
        probabilities, so a threshold means the same on every label.
        """
        task, config = self.task, self.config
        calibration = None
        if config.calibration.method == "sigmoid":
            calibration = fit_calibration(task.kind, self.y, proba)
        if task.kind == "single":
            return calibration, None
        return calibration, tune_thresholds(self.y, calibrate(task.kind, proba, calibration), config)

    def score(self, params: dict[str, Any]) -> dict[str, Any]:
        """Cross-validated macro F1 of one grid candidate (per fold and mean), with its decision rule.

        The calibration and thresholds are fitted on the same out-of-fold probabilities they
        are scored on (optimistic; the evaluation's nested CV is not).
        """
        proba = self.out_of_fold_proba(params)
        kind = self.task.kind
        calibration, thresholds = self.decision_rule(proba)
        predictions = decide(calibrate(kind, proba, calibration), kind, thresholds)
        n_labels = len(self.task.labels)
        per_fold = [f1_scores(kind, self.y[idx], predictions[idx], n_labels)[0] for _, idx in self.folds]
        finite = [f for f in per_fold if not np.isnan(f)]
        return {
            "params": params,
            "fold_macro_f1": per_fold,
            "mean_macro_f1": float(np.mean(finite)) if finite else float("nan"),
            "thresholds": thresholds,
            "calibration": calibration,
        }

    def fit(self, params: dict[str, Any], rule: dict[str, Any] | None = None) -> FittedTask:
        """Fit on all rows, with calibration and thresholds from this object's out-of-fold probabilities.

        Pass ``rule`` (a :meth:`score` result) to reuse its calibration and thresholds, fitted
        on the same data, instead of computing them again.
        """
        task, config = self.task, self.config
        needs_rule = (task.kind == "multi" and config.thresholds.tune) or config.calibration.method != "none"
        calibration, thresholds = None, None
        if rule is not None:
            calibration, thresholds = rule.get("calibration"), rule.get("thresholds")
        elif needs_rule and self.n_articles >= 2:
            calibration, thresholds = self.decision_rule(self.out_of_fold_proba(params))
        if task.kind == "multi" and thresholds is None:
            thresholds = [config.thresholds.default] * len(task.labels)
        pipeline = fit_pipeline(task, self.texts, self.y, params, config)
        return FittedTask(pipeline, thresholds if task.kind == "multi" else None, calibration)

    def select(self, report: Callable[[str], None] | None = None) -> tuple[dict[str, Any], list[dict]]:
        """Score every grid candidate by grouped CV; return the best and the whole grid.

        The best candidate's score is optimistic (the best of several, with thresholds tuned on
        the probabilities it is scored on): the evaluation's nested CV gives the honest figure.
        """
        task = self.task
        grid = []
        candidates = self.config.candidates()
        for number, params in enumerate(candidates, start=1):
            if report is not None:
                shown = ", ".join(f"{k}={v}" for k, v in params.items())
                step = f"{len(self.folds)}-fold CV of candidate {number}/{len(candidates)}"
                report(f"{task.field}: {step} ({shown})")
            try:
                grid.append(self.score(params))
            except ValueError as exc:  # e.g. too few examples of a class for a fold or for calibration
                grid.append({"params": params, "error": " ".join(str(exc).split())})
        scored = [c for c in grid if "error" not in c and not np.isnan(c["mean_macro_f1"])]
        if not scored:
            raise NewskitError(
                f"task {task.field}: no grid candidate could be trained ({grid[0].get('error', 'no score')})",
                "label more sentences per class or add a model without internal folds (logreg) to the grid",
            )
        best = max(scored, key=lambda c: c["mean_macro_f1"])  # max keeps the first of equal scores
        return best, grid
