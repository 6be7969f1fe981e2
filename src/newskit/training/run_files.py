"""The files of a training run folder and the progress callback every training step takes.

Kept apart from the stages that write them (``train``, ``evaluate``), so readers (prediction,
the model card) need not import those stages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newskit.errors import NewskitError

CONFIG_NAME = "config.toml"
TRAIN_INFO_NAME = "train_info.json"
METRICS_NAME = "metrics.json"
PLOTS_DIR = "plots"
Progress = Callable[[str], None]  # receives what a step is doing now (for a status line)


def silent(_message: str) -> None:
    """A :data:`Progress` that shows nothing."""


def load_metrics(run_dir: Path) -> dict[str, Any]:
    """Read ``RUN_DIR/metrics.json`` (written by ``newskit evaluate``)."""
    path = Path(run_dir) / METRICS_NAME
    if not path.is_file():
        raise NewskitError(f"{run_dir}: no {METRICS_NAME}", f"run `newskit evaluate {run_dir}` first")
    return json.loads(path.read_text(encoding="utf-8"))
