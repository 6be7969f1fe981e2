"""Markdown tables of the model card, rendered only from ``metrics.json`` and ``train_info.json``.

Every number is printed with :func:`number`, from the stored (already rounded) value,
so the card shows exactly what the evaluation measured; a missing value shows ``n/a``.
"""

from __future__ import annotations

from typing import Any

MISSING = "n/a"
ROW_NAMES = {
    "model": "**model**",
    "majority": "majority class (baseline)",
    "stratified": "stratified random (baseline)",
}


def number(value: Any) -> str:
    """A stored metric as text (4 decimals), or ``n/a``."""
    return MISSING if value is None else f"{value:.4f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _mean_std(entry: dict) -> str:
    if entry["mean"] is None:
        return MISSING
    return f"{number(entry['mean'])} ± {number(entry['std'])}"


def interval_text(ci: dict | None, dash: str = " – ") -> str:
    """A bootstrap interval, marked unreliable when it rests on too few test articles."""
    if not ci:
        return ""
    text = f"{number(ci['low'])}{dash}{number(ci['high'])}"
    if ci.get("reliable") is False:
        return f"{text} (unreliable: {ci.get('n_articles')} test articles)"
    return text


def summary_table(task_metrics: dict) -> str:
    """Model and baselines: test macro/micro F1 (with the model's bootstrap CI) and nested CV mean ± std."""
    rows = []
    for name, label in ROW_NAMES.items():
        test, cv = task_metrics["test"][name], task_metrics["cv"][name]
        interval = interval_text(test.get("macro_f1_ci"))
        rows.append(
            [
                label,
                number(test["macro_f1"]),
                interval,
                number(test["micro_f1"]),
                _mean_std(cv["macro_f1"]),
                _mean_std(cv["micro_f1"]),
            ]
        )
    header = ["", "test macro F1", "95% CI", "test micro F1", "nested CV macro F1", "nested CV micro F1"]
    return _table(header, rows)


def per_class_table(task_metrics: dict) -> str:
    """Per-class precision, recall, F1 and support of the model on the test split."""
    per_class = task_metrics["test"]["model"]["per_class"]
    rows = []
    for label in task_metrics["labels"]:  # schema order (JSON keys are sorted)
        s = per_class[label]
        rows.append([label, number(s["precision"]), number(s["recall"]), number(s["f1"]), str(s["support"])])
    return _table(["label", "precision", "recall", "F1", "support"], rows)


def calibration_table(metrics: dict) -> str:
    """Brier score and ECE of every task on the test split."""
    rows = [
        [field, number(t["calibration"]["brier"]), number(t["calibration"]["ece"]), t["calibration"]["on"]]
        for field, t in metrics["tasks"].items()
    ]
    return _table(["task", "Brier score", "ECE", "computed on"], rows)


def learning_curve_table(task_metrics: dict) -> str:
    """Mean training sentences and CV macro F1 per share of the training articles."""
    rows = [
        [number(p["share"]), number(p["n_sentences"]), _mean_std(p["macro_f1"])]
        for p in task_metrics["learning_curve"]
    ]
    return _table(["share of training articles", "training sentences (mean)", "CV macro F1"], rows)


def _params(params: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())


def hyperparameter_table(info: dict) -> str:
    """The hyperparameters chosen per task and the cross-validated score they won with."""
    rows = [
        [
            field,
            t["kind"],
            _params(t["chosen"]),
            number(t["cv_macro_f1"]),
            str(t["n_train"]),
            str(t["n_folds"]),
        ]
        for field, t in info["tasks"].items()
    ]
    header = ["task", "kind", "chosen", "selection CV macro F1 (optimistic)", "training sentences", "folds"]
    return _table(header, rows)


def grid_table(task_info: dict) -> str:
    """Every grid candidate of one task with its mean CV macro F1 (or why it failed)."""
    rows = [
        [
            _params(c["params"]),
            number(c.get("mean_macro_f1")) if "error" not in c else f"failed: {c['error']}",
        ]
        for c in task_info["grid"]
    ]
    return _table(["candidate", "mean CV macro F1 (selection)"], rows)


def thresholds_table(task_info: dict) -> str:
    """Per-label decision thresholds and training label counts of a multi-label task."""
    thresholds = task_info["thresholds"] or {}
    rows = [
        [label, number(thresholds.get(label)), str(task_info["label_counts"][label])]
        for label in task_info["labels"]
    ]
    return _table(["label", "threshold", "training examples"], rows)
