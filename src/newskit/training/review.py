"""``newskit review``: rank the sentences whose gold label is most likely wrong.

Every labeled sentence of the dataset (all splits: a wrong label hurts wherever it is) gets
out-of-fold probabilities from article-grouped cross-validation with the training config's
grid (the candidate with the best out-of-fold macro F1 is used). cleanlab's confident
learning then finds the likely label issues: ``cleanlab.filter.find_label_issues`` for
single-label tasks, ``cleanlab.multilabel_classification.filter.find_label_issues`` for
multi-label tasks. The score of a flagged (sentence, task) is one minus cleanlab's label
quality score (self-confidence: the out-of-fold probability of the given label, for multi
tasks aggregated over the labels), so higher means more likely wrong.

Writes ``labels/review.jsonl`` (one line per flagged sentence and task, most likely wrong
first) and ``labels/review.json`` (per task: sentences checked, flagged, the share flagged,
the model used, the dataset's checksums). Same dataset and config, same files.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from newskit.errors import NewskitError
from newskit.jsonio import sha256_file, sha256_json, write_json, write_jsonl
from newskit.training.calibration import calibrate
from newskit.training.config import DEFAULT_CONFIG_PATH, TrainConfig, load_config
from newskit.training.crossval import TaskCV
from newskit.training.data import SPLITS, SplitData, TaskSpec, load_splits
from newskit.training.fitting import group_folds
from newskit.training.metrics import decide, f1_scores, rounded

DEFAULT_REVIEW_PATH = Path("labels/review.jsonl")
SUMMARY_SUFFIX = ".json"  # labels/review.jsonl → labels/review.json
ID_COLUMN = "id"


@dataclass
class ReviewRows(SplitData):
    """The labeled sentences of every split, concatenated in split order, with ids and split names."""

    ids: np.ndarray
    splits: np.ndarray


@dataclass
class TaskReview:
    """Out-of-fold probabilities and cleanlab's verdict for one task."""

    task: TaskSpec
    rows: np.ndarray  # indices into ReviewRows of the sentences with a gold label for the task
    proba: np.ndarray
    thresholds: list[float] | None
    given: np.ndarray  # the gold labels of ``rows`` (class indices or an indicator matrix)
    issues: np.ndarray  # boolean, per row of ``rows``
    scores: np.ndarray  # 1 - label quality, per row of ``rows``
    params: dict[str, Any]
    oof_macro_f1: float


def summary_path(review_path: Path) -> Path:
    """``labels/review.json`` beside ``labels/review.jsonl``."""
    return Path(review_path).with_suffix(SUMMARY_SUFFIX)


def load_review_rows(dataset_dir: Path, config: TrainConfig) -> tuple[ReviewRows, list[TaskSpec]]:
    """All splits of the dataset as one set of rows, with sentence ids."""
    splits, tasks = load_splits(
        dataset_dir,
        text_field=config.text_field,
        group_field=config.group_field,
        extra_columns=(ID_COLUMN,),
    )
    names = [name for name in SPLITS if name in splits]
    parts = [splits[name] for name in names]
    return ReviewRows(
        texts=np.concatenate([p.texts for p in parts]),
        groups=np.concatenate([p.groups for p in parts]),
        columns={t.field: [v for p in parts for v in p.columns[t.field]] for t in tasks},
        ids=np.array([i for p in parts for i in p.columns[ID_COLUMN]], dtype=object),
        splits=np.array([name for name, p in zip(names, parts, strict=True) for _ in range(len(p))]),
    ), tasks


def best_oof_proba(
    task: TaskSpec, texts: np.ndarray, y: np.ndarray, groups: np.ndarray, config: TrainConfig
) -> tuple[np.ndarray, dict[str, Any], float, list[float] | None]:
    """Out-of-fold probabilities of the grid candidate with the best out-of-fold macro F1.

    Calibrated and decided as training does (:meth:`TaskCV.decision_rule`).
    """
    cv = TaskCV(task, texts, y, groups, config)
    best: tuple[np.ndarray, dict[str, Any], float, list[float] | None] | None = None
    errors = []
    for params in config.candidates():
        try:
            raw = cv.out_of_fold_proba(params)
        except ValueError as exc:  # e.g. too few examples of a class for calibration folds
            errors.append(" ".join(str(exc).split()))
            continue
        calibration, thresholds = cv.decision_rule(raw)
        proba = calibrate(task.kind, raw, calibration)
        macro = f1_scores(task.kind, y, decide(proba, task.kind, thresholds), len(task.labels))[0]
        if best is None or (not np.isnan(macro) and (np.isnan(best[2]) or macro > best[2])):
            best = (proba, params, macro, thresholds)
    if best is None:
        raise NewskitError(
            f"task {task.field}: no grid candidate could be fitted ({errors[0] if errors else 'no grid'})",
            "label more sentences per class or add logreg to the grid of the config",
        )
    return best


def judged_columns(task: TaskSpec, y: np.ndarray) -> np.ndarray:
    """Labels cleanlab can judge: single tasks need 2 classes; a multi label given to every row cannot be."""
    if task.kind == "single":
        return np.arange(len(task.labels)) if len(np.unique(y)) >= 2 else np.arange(0)
    return np.flatnonzero(y.min(axis=0) == 0)


def find_issues(task: TaskSpec, y: np.ndarray, proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """cleanlab's label issues (boolean mask) and scores (1 - self-confidence label quality).

    Labels cleanlab cannot judge (:func:`judged_columns`) are left out; with none left,
    nothing is flagged (the summary says why).
    """
    columns = judged_columns(task, y)
    if len(columns) == 0:
        return np.zeros(len(y), dtype=bool), np.zeros(len(y))
    if task.kind == "multi":
        y, proba = y[:, columns], proba[:, columns]
    with warnings.catch_warnings():
        # cleanlab warns about classes with few examples; small datasets have them by nature.
        warnings.simplefilter("ignore")
        if task.kind == "single":
            from cleanlab.filter import find_label_issues
            from cleanlab.rank import get_label_quality_scores

            issues = find_label_issues(labels=y, pred_probs=proba, n_jobs=1)
            quality = get_label_quality_scores(y, proba, method="self_confidence")
        else:
            from cleanlab.multilabel_classification.filter import find_label_issues
            from cleanlab.multilabel_classification.rank import get_label_quality_scores

            given = [np.flatnonzero(row).tolist() for row in y]
            issues = find_label_issues(labels=given, pred_probs=proba, n_jobs=1)
            quality = get_label_quality_scores(given, proba, method="self_confidence")
    return np.asarray(issues, dtype=bool), 1.0 - np.asarray(quality, dtype=np.float64)


def review_task(rows: ReviewRows, task: TaskSpec, config: TrainConfig) -> TaskReview:
    """Out-of-fold probabilities and cleanlab's issues for the labeled sentences of one task."""
    y_all, present = rows.targets(task)
    index = np.flatnonzero(present)
    y = y_all[index]
    proba, params, macro, thresholds = best_oof_proba(task, rows.texts[index], y, rows.groups[index], config)
    issues, scores = find_issues(task, y, proba)
    return TaskReview(task, index, proba, thresholds, y, issues, scores, params, macro)


def _names(task: TaskSpec, value) -> list[str] | str:
    if task.kind == "single":
        return task.labels[int(value)]
    return [task.labels[i] for i in np.flatnonzero(value)]


def review_records(rows: ReviewRows, reviews: list[TaskReview]) -> list[dict[str, Any]]:
    """One record per flagged (sentence, task), most likely wrong first (ties: sentence id, task)."""
    records = []
    for review in reviews:
        task = review.task
        y_all, _ = rows.targets(task)
        suggested = decide(review.proba, task.kind, review.thresholds)
        for position in np.flatnonzero(review.issues):
            row = int(review.rows[position])
            records.append(
                {
                    "sentence_id": rows.ids[row],
                    "article_id": rows.groups[row],
                    "split": str(rows.splits[row]),
                    "task": task.field,
                    "kind": task.kind,
                    "given": _names(task, y_all[row]),
                    "suggested": _names(task, suggested[position]),
                    "score": round(float(review.scores[position]), 6),
                    "probabilities": {
                        label: round(float(p), 4)
                        for label, p in zip(task.labels, review.proba[position], strict=True)
                    },
                    "text": rows.texts[row],
                }
            )
    records.sort(key=lambda r: (-r["score"], r["sentence_id"], r["task"]))
    for rank, record in enumerate(records, start=1):
        record["rank"] = rank
    return records


def labels_digest(rows: ReviewRows, tasks: list[TaskSpec]) -> str:
    """SHA-256 of every sentence's gold labels, ``{field: {sentence id: label ids}}`` (null: none).

    The dataset card compares it with the labels it is built from (``newskit.dataset.quality``)
    to say whether the review describes this dataset; the parquet bytes would not do (they
    name the pyarrow version).
    """
    labels: dict[str, dict[str, Any]] = {}
    for task in tasks:
        y, present = rows.targets(task)
        labels[task.field] = {
            sentence_id: _names(task, value) if ok else None
            for sentence_id, value, ok in zip(rows.ids.tolist(), y, present, strict=True)
        }
    return sha256_json(labels)


def _not_judged(review: TaskReview) -> list[str]:
    """Labels cleanlab could not judge (the given labels were constant)."""
    y, judged = review.given, set(judged_columns(review.task, review.given).tolist())
    if review.task.kind == "single":
        return [] if judged else list(review.task.labels)
    return [label for column, label in enumerate(review.task.labels) if column not in judged and len(y)]


def review(
    *,
    dataset_dir: Path = Path("dataset"),
    config_path: Path = DEFAULT_CONFIG_PATH,
    out_path: Path = DEFAULT_REVIEW_PATH,
) -> dict[str, Any]:
    """Find likely label errors in ``dataset_dir``; write ``out_path`` and its summary; return the summary."""
    config, _ = load_config(config_path)
    rows, tasks = load_review_rows(Path(dataset_dir), config)
    reviews = [review_task(rows, task, config) for task in tasks]
    records = review_records(rows, reviews)
    import cleanlab

    summary = {
        "dataset": {"sentences": len(rows.ids), "labels_sha256": labels_digest(rows, tasks)},
        "config": {"name": Path(config_path).name, "sha256": sha256_file(Path(config_path))},
        "cleanlab": cleanlab.__version__,
        "method": "out-of-fold probabilities (article-grouped CV, best grid candidate) + cleanlab "
        "find_label_issues; score = 1 - self-confidence label quality",
        "sentences": len(rows.ids),
        "flagged": len(records),
        "tasks": {
            r.task.field: {
                "kind": r.task.kind,
                "checked": len(r.rows),
                "flagged": int(r.issues.sum()),
                "share": round(float(r.issues.mean()), 4) if len(r.rows) else 0.0,
                "model": r.params,
                "folds": len(group_folds(rows.groups[r.rows], config.max_folds)),
                "oof_macro_f1": rounded(r.oof_macro_f1),
                "not_judged": _not_judged(r),
            }
            for r in reviews
        },
    }
    out_path = Path(out_path)
    write_jsonl(out_path, records)
    write_json(summary_path(out_path), summary)
    return summary
