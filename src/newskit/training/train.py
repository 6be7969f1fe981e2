"""``newskit train``: one model per task, hyperparameters chosen by article-grouped CV on training data.

The validation split is merged into the training data by default (``validation =
"merge"``): with a few dozen articles every article counts, and grouped CV already
gives held-out scores for model selection and threshold tuning. The test split is
never read here; ``newskit evaluate`` touches it once, at the end.
"""

from __future__ import annotations

import platform
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from newskit.errors import NewskitError
from newskit.jsonio import write_json
from newskit.training.config import TrainConfig, load_config
from newskit.training.crossval import TaskCV
from newskit.training.data import TaskSpec, dataset_fingerprint, load_splits, training_pool
from newskit.training.fitting import Rows, hashed_rows
from newskit.training.metrics import rounded
from newskit.training.models import save_model
from newskit.training.run_files import CONFIG_NAME, METRICS_NAME, PLOTS_DIR, TRAIN_INFO_NAME, Progress, silent

DEFAULT_RUNS_DIR = Path("training/runs")


def library_versions() -> dict[str, str]:
    """Versions of the libraries whose behaviour decides the models."""
    import datasets
    import scipy
    import sklearn
    import skops

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "skops": skops.__version__,
        "datasets": datasets.__version__,
    }


def _grid_record(candidate: dict) -> dict:
    if "error" in candidate:
        return {"params": candidate["params"], "error": candidate["error"]}
    return {
        "params": candidate["params"],
        "fold_macro_f1": [rounded(v) for v in candidate["fold_macro_f1"]],
        "mean_macro_f1": rounded(candidate["mean_macro_f1"]),
    }


def train_task(
    task: TaskSpec,
    pool,
    config: TrainConfig,
    out_dir: Path,
    rows: Rows | None = None,
    report: Progress = silent,
) -> dict[str, Any]:
    """Select, fit and save the model of one task; return its ``train_info`` entry.

    ``rows`` are the pool's texts (hashed once for all tasks with hashing features); without
    them the task hashes its own.
    """
    cv = TaskCV.for_task(task, pool, config, rows)
    y, present = cv.y, pool.targets(task)[1]
    if task.kind == "single" and len(set(y.tolist())) < 2:
        raise NewskitError(
            f"task {task.field}: the training data has only one class", "label examples of other classes"
        )
    best, grid = cv.select(report)
    report(f"{task.field}: fitting the chosen model on {len(y):,} sentences")
    fitted = cv.fit(best["params"], rule=best)
    save_model(fitted.pipeline, out_dir / f"{task.field}.skops")
    counts = y.sum(axis=0) if task.kind == "multi" else np.bincount(y, minlength=len(task.labels))
    n_folds = len(cv.folds)
    return {
        "kind": task.kind,
        "labels": task.labels,
        "label_counts": dict(zip(task.labels, (int(c) for c in counts), strict=True)),
        "n_train": len(y),
        "n_missing_label": int((~present).sum()),
        "n_articles": cv.n_articles,
        "n_folds": n_folds,
        "chosen": best["params"],
        "cv_macro_f1": rounded(best["mean_macro_f1"]),
        "grid": [_grid_record(c) for c in grid],
        "thresholds": dict(zip(task.labels, fitted.thresholds, strict=True)) if fitted.thresholds else None,
        "calibration": (
            {label: list(pair) for label, pair in zip(task.labels, fitted.calibration, strict=True)}
            if fitted.calibration
            else None
        ),
    }


def _train_tasks(
    tasks: list[TaskSpec], pool, config: TrainConfig, out_dir: Path, report: Progress
) -> list[dict]:
    """``train_task`` for every task, one after the other, on texts hashed once for all of them."""
    if config.features.kind == "hashing":
        report(f"hashing {len(pool):,} sentences")
    rows = hashed_rows(pool.texts, config)
    return [train_task(task, pool, config, out_dir, rows, report) for task in tasks]


def train(
    *,
    dataset_dir: Path,
    config_path: Path | None = None,
    out_dir: Path | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Train one model per task of ``dataset_dir``; write the run folder; return ``train_info``.

    ``progress``, if given, is called with a short description of each step as it starts.
    """
    report = progress or silent
    config, config_text = load_config(config_path)
    report(f"loading {dataset_dir}")
    out_dir = Path(out_dir or DEFAULT_RUNS_DIR / Path(config_path or "baseline").stem)
    splits, tasks = load_splits(dataset_dir, text_field=config.text_field, group_field=config.group_field)
    pool = training_pool(splits, config.validation)
    out_dir.mkdir(parents=True, exist_ok=True)
    # Metrics and plots of an earlier training in this folder describe other models: drop them.
    (out_dir / METRICS_NAME).unlink(missing_ok=True)
    shutil.rmtree(out_dir / PLOTS_DIR, ignore_errors=True)
    info: dict[str, Any] = {
        "run_name": out_dir.name,
        "seed": config.seed,
        "text_field": config.text_field,
        "group_field": config.group_field,
        "validation_use": config.validation,
        "dataset": {
            "fingerprint": dataset_fingerprint(dataset_dir),
            "split_sizes": {name: len(split) for name, split in splits.items()},
            "n_training_sentences": len(pool),
        },
        "tasks": dict(
            zip((t.field for t in tasks), _train_tasks(tasks, pool, config, out_dir, report), strict=True)
        ),
        "versions": library_versions(),
    }
    n_folds = min(t["n_folds"] for t in info["tasks"].values())
    info["cv_note"] = f"{n_folds}-fold GroupKFold by {config.group_field}" + (
        f" (fewer than max_folds={config.max_folds}: only {n_folds} articles)"
        if n_folds < config.max_folds
        else ""
    )
    (out_dir / CONFIG_NAME).write_text(config_text, encoding="utf-8")
    write_json(out_dir / TRAIN_INFO_NAME, info)
    return info
