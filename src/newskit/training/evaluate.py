"""``newskit evaluate``: held-out test scores, grouped CV, baselines, calibration, plots.

The test split is scored once with the saved models. Every number is next to the
majority-class and stratified-random baselines, so no baseline is mistaken for skill.
Output: ``RUN_DIR/metrics.json`` and ``RUN_DIR/plots/*.png``; the same data, config and
models give byte-identical files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newskit.errors import NewskitError
from newskit.jsonio import write_json
from newskit.training.calibration import calibration_pairs, calibration_report
from newskit.training.crossval import TaskCV
from newskit.training.data import (
    DEFAULT_DATASET_DIR,
    TaskSpec,
    dataset_fingerprint,
    load_splits,
    training_pool,
)
from newskit.training.evaluation_cv import (
    BASELINES,
    baseline_predict,
    bootstrap_ci,
    cross_validate,
    fit_baseline,
    learning_curve,
)
from newskit.training.fitting import Rows, hashed_rows
from newskit.training.metrics import decide, score_report
from newskit.training.plots import confusion_plot, learning_curve_plot, reliability_plot
from newskit.training.predict import Run, load_run
from newskit.training.run_files import METRICS_NAME, PLOTS_DIR, Progress, silent


def _check_dataset(run: Run, dataset_dir: Path) -> None:
    """Refuse to score a run on data other than the data it was trained on (the test split could leak)."""
    trained_on = run.info.get("dataset", {}).get("fingerprint")
    if trained_on != dataset_fingerprint(dataset_dir):
        raise NewskitError(
            f"{dataset_dir}: not the dataset run {run.name} was trained on (parquet checksums differ)",
            "pass the --dataset used for training, or re-run `newskit train`",
        )


def evaluate_task(
    run: Run, task: TaskSpec, pool, test, plots_dir: Path, rows: Rows, report: Progress = silent
) -> dict[str, Any]:
    """All metrics and plots of one task; ``rows`` are the pool's texts, hashed once for all tasks."""
    config = run.config
    params = run.info["tasks"][task.field]["chosen"]
    cv = TaskCV.for_task(task, pool, config, rows)
    y_pool = cv.y
    y_test, test_present = test.targets(task)
    test_texts, test_groups, y_test = (
        test.texts[test_present],
        test.groups[test_present],
        y_test[test_present],
    )

    report(f"{task.field}: scoring the test split ({len(y_test):,} sentences)")
    model = run.models[task.field]
    proba = model.probabilities(test_texts, task)
    predicted = decide(proba, task.kind, model.thresholds)
    test_scores = {"model": score_report(task.kind, y_test, predicted, task.labels)}
    test_scores["model"]["macro_f1_ci"] = bootstrap_ci(task, y_test, predicted, test_groups, config)
    for name in BASELINES:
        baseline = fit_baseline(name, y_pool, config.seed)
        test_scores[name] = score_report(
            task.kind, y_test, baseline_predict(baseline, len(y_test)), task.labels
        )

    calibration = calibration_report(task.kind, y_test, proba, config.evaluation.calibration_bins)
    cv_scores = cross_validate(cv, report)
    report(f"{task.field}: learning curve")
    curve = learning_curve(cv, params)
    plots = {
        "confusion": f"{PLOTS_DIR}/confusion_{task.field}.png",
        "reliability": f"{PLOTS_DIR}/reliability_{task.field}.png",
        "learning_curve": f"{PLOTS_DIR}/learning_curve_{task.field}.png",
    }
    confusion_plot(
        plots_dir.parent / plots["confusion"],
        task.kind,
        y_test,
        predicted,
        task.labels,
        f"{task.field} (test)",
    )
    outcomes, probabilities = calibration_pairs(task.kind, y_test, proba)
    reliability_plot(
        plots_dir.parent / plots["reliability"],
        outcomes,
        probabilities,
        config.evaluation.calibration_bins,
        f"{task.field}: {calibration['on']} (test)",
    )
    learning_curve_plot(
        plots_dir.parent / plots["learning_curve"], curve, f"{task.field}: learning curve (CV)"
    )
    return {
        "kind": task.kind,
        "labels": task.labels,
        "test": {"n_sentences": len(y_test), "n_articles": len(set(test_groups.tolist())), **test_scores},
        "cv": cv_scores,
        "calibration": calibration,
        "learning_curve": curve,
        "plots": plots,
    }


def evaluate(
    *, run_dir: Path, dataset_dir: Path = DEFAULT_DATASET_DIR, progress: Progress | None = None
) -> dict[str, Any]:
    """Evaluate every task model of ``run_dir``; write ``metrics.json`` and plots; return the metrics.

    ``progress``, if given, is called with a short description of each step as it starts.
    """
    report = progress or silent
    report(f"loading {run_dir} and {dataset_dir}")
    run = load_run(run_dir)
    _check_dataset(run, dataset_dir)
    config = run.config
    splits, tasks = load_splits(dataset_dir, text_field=config.text_field, group_field=config.group_field)
    if "test" not in splits or len(splits["test"]) == 0:
        raise NewskitError(f"{dataset_dir}: the dataset has no test split", "rebuild it with `newskit build`")
    pool = training_pool(splits, config.validation)
    rows = hashed_rows(pool.texts, config)  # hashing configs: once for every refit below
    plots_dir = Path(run_dir) / PLOTS_DIR
    plots_dir.mkdir(parents=True, exist_ok=True)
    metrics = {
        "run_name": run.name,
        "model_version": run.model_version,
        "dataset_fingerprint": run.info["dataset"]["fingerprint"],
        "validation_use": config.validation,
        "baselines": {
            name: f"DummyClassifier(strategy={strategy!r})" for name, strategy in BASELINES.items()
        },
        "tasks": {
            task.field: evaluate_task(run, task, pool, splits["test"], plots_dir, rows, report)
            for task in tasks
        },
    }
    write_json(Path(run_dir) / METRICS_NAME, metrics)
    return metrics
