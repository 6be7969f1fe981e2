"""The resampling parts of the evaluation: nested grouped CV with baselines, learning curve, bootstrap CIs.

The cross-validation is nested: in every outer fold the whole of training (grid selection
by inner grouped CV, threshold tuning, the final fit) runs on the outer training articles
only, and the outer articles are scored once. Its mean is the honest estimate of what
``newskit train`` gives on new articles; the selection score in ``train_info.json`` is the
best of several candidates on the same folds and reads high. The learning curve refits the
hyperparameters training chose (labeled so), with thresholds tuned inside each fold.
"""

from __future__ import annotations

import math
from collections.abc import Callable
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


def cross_validate(cv: TaskCV, report: Callable[[str], None] | None = None) -> dict:
    """Nested grouped CV of the model (selection inside each outer fold) and the baselines.

    Macro/micro F1 per outer fold, mean ± std, and the candidate each outer fold chose.
    """
    task, y = cv.task, cv.y
    scores: dict[str, dict[str, list[float]]] = {
        name: {"macro_f1": [], "micro_f1": []} for name in ("model", *BASELINES)
    }
    chosen = []
    for fold, (train_idx, score_idx) in enumerate(cv.folds, start=1):
        if report is not None:
            report(f"{task.field}: nested CV, outer fold {fold}/{len(cv.folds)}")
        inner = cv.subset(train_idx)
        best, _ = inner.select()
        chosen.append(best["params"])
        fitted = inner.fit(best["params"], rule=best)
        predictions = {"model": fitted.predict(cv.texts[score_idx], task)}
        for name in BASELINES:
            predictions[name] = baseline_predict(
                fit_baseline(name, y[train_idx], cv.config.seed), len(score_idx)
            )
        for name, predicted in predictions.items():
            macro, micro = f1_scores(task.kind, y[score_idx], predicted, len(task.labels))
            scores[name]["macro_f1"].append(macro)
            scores[name]["micro_f1"].append(micro)
    return {
        "nested": True,
        "n_folds": len(cv.folds),
        "n_sentences": len(y),
        "n_articles": cv.n_articles,
        "chosen_per_fold": chosen,
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


def learning_curve(cv: TaskCV, params: dict[str, Any]) -> list[dict]:
    """Macro F1 (grouped CV) when training on growing shares of each training fold's articles.

    Articles are added whole, in a seeded random order, so the x axis is the mean number
    of training sentences actually used. A share whose training data lacks a needed class
    gives an undefined (null) score instead of an error. ``params`` are the hyperparameters
    training chose (not re-selected per fold: a curve of how data helps, not an estimate).
    """
    config = cv.config
    points_wanted = config.evaluation.learning_curve_points
    shares = np.linspace(1 / points_wanted, 1.0, points_wanted)
    rng = np.random.default_rng(config.seed)
    members = [rows_by_group(cv.groups[train_idx]) for train_idx, _ in cv.folds]
    orders = [list(rng.permutation(list(fold_members))) for fold_members in members]
    points = []
    scored: dict[tuple[int, int], float] = {}  # whole articles repeat subset sizes: fit each once
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


def bootstrap_unit(config: TrainConfig) -> str:
    """What the bootstrap resamples: articles (``auto``), unless the config says ``sentence``.

    Sentences of one article are not independent (same event, same outlet, same wording), so
    resampling sentences gives intervals that are too narrow; ``sentence`` is for comparisons
    with older runs only.
    """
    return "sentence" if config.evaluation.bootstrap_unit == "sentence" else "article"


def bootstrap_ci(
    task: TaskSpec, y_true: np.ndarray, y_pred: np.ndarray, groups: np.ndarray, config: TrainConfig
) -> dict:
    """95% percentile bootstrap interval of macro F1 (seeded; articles resampled).

    With fewer test articles than ``bootstrap_min_articles`` the interval is still computed but
    marked ``reliable: false``: a handful of articles cannot show how much the score varies.
    """
    unit = bootstrap_unit(config)
    n_articles = len(set(groups.tolist()))
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
        "n_articles": n_articles,
        "reliable": unit == "article" and n_articles >= config.evaluation.bootstrap_min_articles,
        "seed": config.seed,
    }
