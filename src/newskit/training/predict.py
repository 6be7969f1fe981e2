"""Load a training run and predict labels with probabilities (``newskit predict`` and the Python API).

Decisions obey the label schema and carry a ``confidence`` that a person can read: the rule
and the definition are in :mod:`newskit.training.decisions`. A run does not store which labels
are exclusive; pass the schema to :func:`load_run` to apply them (``newskit push`` does).
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
from newskit.labels.schema import Schema, load_schema
from newskit.training.calibration import calibrate
from newskit.training.config import TrainConfig, parse_config
from newskit.training.crossval import FittedTask
from newskit.training.data import TaskSpec
from newskit.training.decisions import decide_with_schema, decision_confidence
from newskit.training.models import load_model, task_probabilities
from newskit.training.run_files import CONFIG_NAME, TRAIN_INFO_NAME
from newskit.training.shared_steps import SharedSteps

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
    exclusive: dict[str, list[str]] = field(default_factory=dict)  # field → labels chosen alone

    @cached_property
    def shared_steps(self) -> SharedSteps:
        """The task pipelines, with feature steps that are equal across tasks applied once per batch."""
        return SharedSteps({task.field: self.models[task.field].pipeline for task in self.tasks})

    def probabilities(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Per task field, probabilities (rows × labels)."""
        array = np.array(list(texts), dtype=object)
        raw = self.shared_steps.predict_proba(array)
        return {
            task.field: calibrate(
                task.kind,
                task_probabilities(*raw[task.field], task.kind, len(task.labels)),
                self.models[task.field].calibration,
            )
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
            exclusive = [task.labels.index(x) for x in self.exclusive.get(task.field, []) if x in task.labels]
            decided = decide_with_schema(proba, task.kind, self.models[task.field].thresholds, exclusive)
            confidence = np.minimum(confidence, decision_confidence(proba, decided))
            # Whole-array rounding and tolist(): per-value Python calls cost as much as the model.
            rounded_rows = np.round(proba, PROBABILITY_DIGITS).tolist()
            names = np.array(task.labels, dtype=object)
            label_rows: list[list[str]] = [names[row].tolist() for row in decided.astype(bool)]
            for result, labels, row in zip(results, label_rows, rounded_rows, strict=True):
                result[task.field] = {
                    "labels": labels,
                    "probabilities": dict(zip(task.labels, row, strict=True)),
                }
        for result, value in zip(results, np.round(confidence, PROBABILITY_DIGITS).tolist(), strict=True):
            result["confidence"] = value
        return results


def model_files(run_dir: Path, info: dict[str, Any]) -> list[Path]:
    """The skops files of a run, in task order of ``train_info``."""
    return [Path(run_dir) / f"{name}.skops" for name in info["tasks"]]


def load_run(run_dir: Path, *, schema: Schema | None = None) -> Run:
    """Load a run folder written by ``newskit train``; a missing piece is a one-line error.

    With ``schema``, the exclusive labels of its multi-label tasks are applied to predictions.
    """
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
        calibration = info["tasks"][task.field].get("calibration")
        models[task.field] = FittedTask(
            load_model(path),
            [thresholds[label] for label in task.labels] if thresholds else None,
            [tuple(calibration[label]) for label in task.labels] if calibration else None,
        )
    digest = hashlib.sha256()
    for path in model_files(run_dir, info):
        digest.update(f"{path.name}:{sha256_file(path)}\n".encode())
    name = info.get("run_name", run_dir.name)
    exclusive = {t.field: list(t.exclusive) for t in schema.tasks if t.exclusive} if schema else {}
    return Run(run_dir, name, config, info, tasks, models, f"{name}-{digest.hexdigest()[:8]}", exclusive)


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


def predict(
    *, run_dir: Path, text: str | None = None, file: Path | None = None, schema_path: Path | None = None
) -> list[dict[str, Any]]:
    """Predict every sentence of ``text``/``file``; each result also carries its ``text``.

    With ``schema_path``, the schema's exclusive labels apply (as in ``push`` and ``serve``).
    """

    run = load_run(run_dir, schema=load_schema(Path(schema_path)) if schema_path else None)
    sentences = read_sentences(text, file)
    return [{"text": s, **result} for s, result in zip(sentences, run.predict(sentences), strict=True)]
