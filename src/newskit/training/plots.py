"""Evaluation plots as deterministic PNG files (matplotlib, Agg backend, no timestamp metadata)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.calibration import CalibrationDisplay
from sklearn.metrics import ConfusionMatrixDisplay, multilabel_confusion_matrix

from newskit.jsonio import atomic_write

DPI = 100


def _save(figure, path: Path) -> None:
    # No "Software"/date metadata and a fixed DPI: the same numbers give the same bytes.
    with atomic_write(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(figure)


def confusion_plot(path: Path, kind: str, y_true, y_pred, labels: list[str], title: str) -> None:
    """Confusion matrix (single task) or one 2×2 matrix per label (multi task)."""
    if kind == "single":
        figure, axis = plt.subplots(figsize=(1.2 * len(labels) + 3, 1.1 * len(labels) + 2.5))
        ConfusionMatrixDisplay.from_predictions(
            y_true, y_pred, labels=list(range(len(labels))), display_labels=labels, ax=axis, colorbar=False
        )
        axis.tick_params(axis="x", labelrotation=45)
        axis.set_title(title)
    else:
        matrices = multilabel_confusion_matrix(y_true, y_pred, labels=list(range(len(labels))))
        columns = min(4, len(labels))
        rows = int(np.ceil(len(labels) / columns))
        figure, axes = plt.subplots(rows, columns, figsize=(3 * columns, 3 * rows), squeeze=False)
        for index, axis in enumerate(axes.ravel()):
            if index >= len(labels):
                axis.axis("off")
                continue
            ConfusionMatrixDisplay(matrices[index], display_labels=["no", "yes"]).plot(
                ax=axis, colorbar=False
            )
            axis.set_title(labels[index])
        figure.suptitle(title)
    figure.tight_layout()
    _save(figure, path)


def reliability_plot(path: Path, outcomes, probabilities, n_bins: int, title: str) -> None:
    """Reliability diagram: observed frequency against mean predicted probability per bin."""
    figure, axis = plt.subplots(figsize=(5, 5))
    CalibrationDisplay.from_predictions(outcomes, probabilities, n_bins=n_bins, ax=axis, name="model")
    axis.set_title(title)
    figure.tight_layout()
    _save(figure, path)


def learning_curve_plot(path: Path, points: list[dict], title: str) -> None:
    """Cross-validated macro F1 (mean ± std over folds) against the number of training sentences."""
    usable = [p for p in points if p["macro_f1"]["mean"] is not None]
    figure, axis = plt.subplots(figsize=(6, 4))
    if usable:
        sizes = np.array([p["n_sentences"] for p in usable])
        means = np.array([p["macro_f1"]["mean"] for p in usable])
        stds = np.array([p["macro_f1"]["std"] for p in usable])
        axis.plot(sizes, means, marker="o", label="model (CV)")
        axis.fill_between(sizes, means - stds, means + stds, alpha=0.2)
    axis.set_xlabel("training sentences")
    axis.set_ylabel("macro F1")
    axis.set_ylim(0, 1)
    axis.set_title(title)
    axis.legend(loc="lower right")
    figure.tight_layout()
    _save(figure, path)
