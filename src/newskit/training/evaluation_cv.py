"""The resampling parts of the evaluation: grouped CV with baselines, learning curve, bootstrap CIs.

Every model fitted here is fitted by :meth:`newskit.training.crossval.TaskCV.fit` with the
hyperparameters training chose, so thresholds of multi-label tasks are tuned inside
each training fold (nested), never on the sentences being scored.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.dummy import DummyClassifier

from newskit.training.config import TrainConfig
from newskit.training.crossval import TaskCV
from newskit.training.data import TaskSpec
from newskit.training.metrics import f1_scores, macro_f1_from_counts, mean_std, rounded, row_outcomes

BASELINES = {"majority": "most_frequent", "stratified": "stratified"}


def fit_baseline(name: str, y: np.ndarray, seed: int) -> DummyClassifier:
    """A dummy classifier (per label for multi tasks) fitted on the label distribution of ``y``."""
    return DummyClassifier(strategy=BASELINES[name], random_state=seed).fit(np.zeros((len(y), 1)), y)


def baseline_predict(model: DummyClassifier, n_rows: int) -> np.ndarray:
    """Predictions of a dummy classifier for ``n_rows`` sentences (it ignores the text)."""
    return np.asarray(model.predict(np.zeros((n_rows, 1))))


FoldScores = dict[tuple[int, int], float]  # (fold, number of training rows) → model macro F1


def cross_validate(cv: TaskCV, params: dict[str, Any], fold_scores: FoldScores | None = None) -> dict:
    """Grouped CV of the chosen model and the baselines: macro/micro F1 per fold, mean ± std.

    ``fold_scores``, if given, receives the model's macro F1 per fold, for :func:`learning_curve`
    to reuse at the share where it trains on whole folds too (the same fit).
    """
    task, y = cv.task, cv.y
    scores: dict[str, dict[str, list[float]]] = {
        name: {"macro_f1": [], "micro_f1": []} for name in ("model", *BASELINES)
    }
    for fold, (train_idx, score_idx) in enumerate(cv.folds):
        fitted = cv.subset(train_idx).fit(params)
        predictions = {"model": fitted.predict(cv.texts[score_idx], task)}
        for name in BASELINES:
            predictions[name] = baseline_predict(
                fit_baseline(name, y[train_idx], cv.config.seed), len(score_idx)
            )
        for name, predicted in predictions.items():
            macro, micro = f1_scores(task.kind, y[score_idx], predicted, len(task.labels))
            scores[name]["macro_f1"].append(macro)
            scores[name]["micro_f1"].append(micro)
        if fold_scores is not None:
            fold_scores[fold, len(train_idx)] = scores["model"]["macro_f1"][-1]
    return {
        "n_folds": len(cv.folds),
        "n_sentences": len(y),
        "n_articles": cv.n_articles,
        **{name: {metric: mean_std(values) for metric, values in s.items()} for name, s in scores.items()},
    }


def rows_by_group(groups: np.ndarray) -> dict[Any, np.ndarray]:
    """Row indices (ascending) of every group, keys in sorted order; one pass, not one per group."""
    keys, inverse = np.unique(groups, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.cumsum(np.bincount(inverse, minlength=len(keys)))[:-1]
    return dict(zip(keys.tolist(), np.split(order, bounds), strict=True))


def _first_articles(members: dict[Any, np.ndarray], order: list, n_wanted: int) -> np.ndarray:
    """Row indices of whole articles (``members``), taken in ``order`` until at least ``n_wanted`` rows."""
    chosen, total = [], 0
    for group in order:
        rows = members[group]
        chosen.append(rows)
        total += len(rows)
        if total >= n_wanted:
            break
    return np.sort(np.concatenate(chosen))


def learning_curve(cv: TaskCV, params: dict[str, Any], known: FoldScores | None = None) -> list[dict]:
    """Macro F1 (grouped CV) when training on growing shares of each training fold's articles.

    Articles are added whole, in a seeded random order, so the x axis is the mean number
    of training sentences actually used. A share whose training data lacks a needed class
    gives an undefined (null) score instead of an error. ``known`` scores (from
    :func:`cross_validate`, same folds) are reused instead of fitted again.
    """
    config = cv.config
    points_wanted = config.evaluation.learning_curve_points
    shares = np.linspace(1 / points_wanted, 1.0, points_wanted)
    rng = np.random.default_rng(config.seed)
    members = [rows_by_group(cv.groups[train_idx]) for train_idx, _ in cv.folds]
    orders = [list(rng.permutation(list(fold_members))) for fold_members in members]
    points = []
    scored: FoldScores = dict(known or {})  # whole articles repeat subset sizes: fit each once
    for share in shares:
        sizes, values = [], []
        for fold, ((train_idx, score_idx), order) in enumerate(zip(cv.folds, orders, strict=True)):
            wanted = math.ceil(share * len(train_idx))
            subset = train_idx[_first_articles(members[fold], order, wanted)]
            sizes.append(len(subset))
            if (fold, len(subset)) not in scored:
                scored[fold, len(subset)] = _score_subset(cv, subset, score_idx, params)
            values.append(scored[fold, len(subset)])
        points.append(
            {"share": rounded(share), "n_sentences": rounded(np.mean(sizes)), "macro_f1": mean_std(values)}
        )
    return points


def _score_subset(cv: TaskCV, subset: np.ndarray, score_idx: np.ndarray, params: dict[str, Any]) -> float:
    try:
        fitted = cv.subset(subset).fit(params)
    except ValueError:  # e.g. a single class in a small subset
        return math.nan
    predicted = fitted.predict(cv.texts[score_idx], cv.task)
    return f1_scores(cv.task.kind, cv.y[score_idx], predicted, len(cv.task.labels))[0]


def bootstrap_unit(groups: np.ndarray, config: TrainConfig) -> str:
    """Resample articles when the test split has enough of them, else sentences (see the config)."""
    unit = config.evaluation.bootstrap_unit
    if unit != "auto":
        return unit
    enough = len(set(groups.tolist())) >= config.evaluation.bootstrap_min_articles
    return "article" if enough else "sentence"


def bootstrap_ci(
    task: TaskSpec, y_true: np.ndarray, y_pred: np.ndarray, groups: np.ndarray, config: TrainConfig
) -> dict:
    """95% percentile bootstrap interval of macro F1 (seeded; articles or sentences resampled)."""
    unit = bootstrap_unit(groups, config)
    rng = np.random.default_rng(config.seed)
    if unit == "article":
        members = list(rows_by_group(groups).values())
    else:
        members = [np.array([i]) for i in range(len(y_true))]
    # Outcome counts per unit, so a resample's counts are the picked units' counts weighted by
    # how often each was picked: the same macro F1 as scoring the concatenated rows.
    outcomes = row_outcomes(task.kind, y_true, y_pred, len(task.labels))
    if unit == "sentence":
        unit_counts = list(outcomes)
    else:
        unit_counts = [np.array([counts[rows].sum(axis=0) for rows in members]) for counts in outcomes]
    values = []
    for _ in range(config.evaluation.bootstrap_resamples):
        picked = rng.integers(0, len(members), size=len(members))
        weights = np.bincount(picked, minlength=len(members))
        values.append(macro_f1_from_counts(*(weights @ counts for counts in unit_counts)))
    finite = np.array([v for v in values if not math.isnan(v)])
    low, high = np.percentile(finite, [2.5, 97.5]) if len(finite) else (math.nan, math.nan)
    return {
        "low": rounded(low),
        "high": rounded(high),
        "level": 0.95,
        "resamples": config.evaluation.bootstrap_resamples,
        "unit": unit,
        "seed": config.seed,
    }
