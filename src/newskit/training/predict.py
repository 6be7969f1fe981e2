"""Load a training run and predict labels with probabilities (``newskit predict`` and the Python API).

``confidence`` of a prediction is the confidence of its least sure task:

* single-label task: the highest class probability;
* multi-label task: for every label the distance of its probability from the label's
  decision threshold, scaled to [0, 1] by the room on that side of the threshold
  (``(p - t) / (1 - t)`` above, ``(t - p) / t`` below), and the smallest of these.

So 0 means "a probability sits right on a decision boundary", 1 "every decision is certain".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from newskit.errors import NewskitError
from newskit.jsonio import sha256_file
from newskit.training.config import TrainConfig, parse_config
from newskit.training.crossval import FittedTask
from newskit.training.data import TaskSpec
from newskit.training.metrics import decide
from newskit.training.models import load_model, task_probabilities
from newskit.training.shared_steps import SharedSteps
from newskit.training.train import CONFIG_NAME, TRAIN_INFO_NAME

PROBABILITY_DIGITS = 4


@dataclass
class Run:
    """A trained run folder: its config, ``train_info``, tasks and one fitted model per task."""

    path: Path
    name: str
    config: TrainConfig
    info: dict[str, Any]
    tasks: list[TaskSpec]
    models: dict[str, FittedTask] = field(repr=False)
    model_version: str = ""

    @cached_property
    def shared_steps(self) -> SharedSteps:
        """The task pipelines, with feature steps that are equal across tasks applied once per batch."""
        return SharedSteps({task.field: self.models[task.field].pipeline for task in self.tasks})

    def probabilities(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Per task field, probabilities (rows × labels)."""
        array = np.array(list(texts), dtype=object)
        raw = self.shared_steps.predict_proba(array)
        return {
            task.field: task_probabilities(*raw[task.field], task.kind, len(task.labels))
            for task in self.tasks
        }

    def predict(self, texts: list[str]) -> list[dict[str, Any]]:
        """One dict per text: ``{field: {"labels": [...], "probabilities": {...}}, "confidence": float}``."""
        if not texts:
            return []
        results: list[dict[str, Any]] = [{} for _ in texts]
        confidence = np.ones(len(texts))
        all_proba = self.probabilities(texts)
        for task in self.tasks:
            proba = all_proba[task.field]
            thresholds = self.models[task.field].thresholds
            decided = decide(proba, task.kind, thresholds)
            confidence = np.minimum(confidence, task_confidence(proba, task.kind, thresholds))
            # Whole-array rounding and tolist(): per-value Python calls cost as much as the model.
            rounded_rows = np.round(proba, PROBABILITY_DIGITS).tolist()
            if task.kind == "single":
                label_rows: list[list[str]] = [[task.labels[i]] for i in decided.tolist()]
            else:
                names = np.array(task.labels, dtype=object)
                label_rows = [names[row].tolist() for row in decided.astype(bool)]
            for result, labels, row in zip(results, label_rows, rounded_rows, strict=True):
                result[task.field] = {
                    "labels": labels,
                    "probabilities": dict(zip(task.labels, row, strict=True)),
                }
        for result, value in zip(results, np.round(confidence, PROBABILITY_DIGITS).tolist(), strict=True):
            result["confidence"] = value
        return results


def task_confidence(proba: np.ndarray, kind: str, thresholds: list[float] | None) -> np.ndarray:
    """Confidence per row in [0, 1] (see the module docstring)."""
    if kind == "single":
        return proba.max(axis=1)
    limits = np.asarray(thresholds if thresholds is not None else [0.5] * proba.shape[1])
    above = (proba - limits) / (1 - limits)
    below = (limits - proba) / limits
    return np.clip(np.where(proba >= limits, above, below).min(axis=1), 0.0, 1.0)


def model_files(run_dir: Path, info: dict[str, Any]) -> list[Path]:
    """The skops files of a run, in task order of ``train_info``."""
    return [Path(run_dir) / f"{name}.skops" for name in info["tasks"]]


def load_run(run_dir: Path) -> Run:
    """Load a run folder written by ``newskit train``; a missing piece is a one-line error."""
    import json

    run_dir = Path(run_dir)
    info_path, config_path = run_dir / TRAIN_INFO_NAME, run_dir / CONFIG_NAME
    for needed in (info_path, config_path):
        if not needed.is_file():
            raise NewskitError(
                f"{run_dir}: not a training run ({needed.name} missing)", "run `newskit train` first"
            )
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
        tasks = [TaskSpec(name, task["kind"], list(task["labels"])) for name, task in info["tasks"].items()]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise NewskitError(f"{info_path}: malformed train info ({exc})", "re-run `newskit train`") from None
    config = parse_config(config_path.read_text(encoding="utf-8"), str(config_path))
    models = {}
    for task, path in zip(tasks, model_files(run_dir, info), strict=True):
        thresholds = info["tasks"][task.field].get("thresholds")
        models[task.field] = FittedTask(
            load_model(path), [thresholds[label] for label in task.labels] if thresholds else None
        )
    digest = hashlib.sha256()
    for path in model_files(run_dir, info):
        digest.update(f"{path.name}:{sha256_file(path)}\n".encode())
    name = info.get("run_name", run_dir.name)
    return Run(run_dir, name, config, info, tasks, models, f"{name}-{digest.hexdigest()[:8]}")


def read_sentences(text: str | None, file: Path | None) -> list[str]:
    """The sentences to predict: ``text`` as one sentence, or the sentences of ``file``.

    A file is split with :func:`newskit.segment.segment`. A file without any sentence is an error.
    """
    if (text is None) == (file is None):
        raise NewskitError("give either a TEXT argument or --file", "e.g. newskit predict RUN 'Ein Satz.'")
    if text is not None:
        if not text.strip():
            raise NewskitError("TEXT is empty", "pass a sentence to classify")
        return [text.strip()]
    file = Path(file)
    if not file.is_file():
        raise NewskitError(f"{file}: file not found", "check the path")
    try:
        content = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise NewskitError(
            f"{file}: not UTF-8 text (byte {exc.start})", "convert the file to UTF-8"
        ) from None
    from newskit.segment import segment  # loads spaCy: only when a file is split

    sentences = [content[start:end].strip() for start, end in segment(content)]
    sentences = [sentence for sentence in sentences if sentence]
    if not sentences:
        raise NewskitError(
            f"{file}: no text to predict (the file is empty or only whitespace)",
            "pass a file with at least one sentence",
        )
    return sentences


def predict(*, run_dir: Path, text: str | None = None, file: Path | None = None) -> list[dict[str, Any]]:
    """Predict every sentence of ``text``/``file``; each result also carries its ``text``."""
    run = load_run(run_dir)
    sentences = read_sentences(text, file)
    return [{"text": s, **result} for s, result in zip(sentences, run.predict(sentences), strict=True)]
