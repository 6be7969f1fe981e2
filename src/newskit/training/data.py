"""Load a dataset folder for training and derive the tasks from its features.

Every ``ClassLabel`` column is a single-label task, every ``List(ClassLabel)`` column a
multi-label task, so training works for any label schema. The folder is read with the
real ``datasets.load_dataset`` (its parquet builder on the split files, into a throw-away
cache, so nothing is looked up on the Hub and no process-wide setting changes) and turned
into plain arrays: texts, article groups and per-task label arrays.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from newskit.errors import NewskitError
from newskit.jsonio import sha256_file

DEFAULT_DATASET_DIR = Path("dataset")
SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class TaskSpec:
    """One prediction task derived from a dataset column."""

    field: str
    kind: Literal["single", "multi"]
    labels: list[str]


@dataclass
class SplitData:
    """One split as arrays: ``texts`` and ``groups`` (object arrays) and raw label columns."""

    texts: np.ndarray
    groups: np.ndarray
    columns: dict[str, list]

    def __len__(self) -> int:
        return len(self.texts)

    def targets(self, task: TaskSpec) -> tuple[np.ndarray, np.ndarray]:
        """Labels of ``task`` and a mask of the rows that have them.

        Single tasks give class indices (``-1`` where missing); multi tasks give an
        indicator matrix (rows × labels). Missing labels (``None``/``-1``) are masked out.
        """
        values = self.columns[task.field]
        present = np.array([v is not None and v != -1 for v in values], dtype=bool)
        if task.kind == "single":
            return np.array(
                [v if ok else -1 for v, ok in zip(values, present, strict=True)], dtype=np.int64
            ), present
        matrix = np.zeros((len(values), len(task.labels)), dtype=np.int64)
        for row, labels in enumerate(values):
            if labels:
                matrix[row, list(labels)] = 1
        return matrix, present


def derive_tasks(features) -> list[TaskSpec]:
    """Tasks from ``datasets.Features``: ClassLabel → single, List/Sequence(ClassLabel) → multi."""
    import datasets

    tasks = []
    for name, feature in features.items():
        if isinstance(feature, datasets.ClassLabel):
            tasks.append(TaskSpec(name, "single", list(feature.names)))
        elif isinstance(feature, datasets.List | datasets.Sequence) and isinstance(
            feature.feature, datasets.ClassLabel
        ):
            tasks.append(TaskSpec(name, "multi", list(feature.feature.names)))
    return tasks


@contextmanager
def _quiet_datasets() -> Iterator[None]:
    """No ``datasets`` progress bars while loading; the caller's setting is restored afterwards."""
    import datasets

    was_enabled = not datasets.are_progress_bars_disabled()
    datasets.disable_progress_bars()
    try:
        yield
    finally:
        if was_enabled:
            datasets.enable_progress_bars()


def load_splits(
    dataset_dir: Path,
    *,
    text_field: str = "text",
    group_field: str = "article_id",
    extra_columns: tuple[str, ...] = (),
) -> tuple[dict[str, SplitData], list[TaskSpec]]:
    """Load ``dataset_dir`` with ``datasets.load_dataset`` (offline) → splits as arrays, and the tasks.

    ``extra_columns`` (such as ``id``) are read into ``SplitData.columns`` beside the task columns.
    """
    dataset_dir = Path(dataset_dir)
    if not (dataset_dir / "README.md").is_file() and not (dataset_dir / "data").is_dir():
        raise NewskitError(
            f"{dataset_dir}: no dataset folder here", "run `newskit build` first or pass --dataset"
        )
    import datasets

    # The parquet builder on local files, not the folder name: a folder name that also reads as
    # a Hub repository id ("org/name") could otherwise send a request to the Hub.
    data_files = {
        name: str(dataset_dir / "data" / f"{name}.parquet")
        for name in SPLITS
        if (dataset_dir / "data" / f"{name}.parquet").is_file()
    }
    if "train" not in data_files:
        raise NewskitError(
            f"{dataset_dir}: the dataset has no train split (data/train.parquet)",
            "rebuild it with `newskit build`",
        )
    with tempfile.TemporaryDirectory(prefix="newskit-datasets-") as cache_dir, _quiet_datasets():
        try:
            loaded = datasets.load_dataset(
                "parquet", data_files=data_files, cache_dir=cache_dir, keep_in_memory=True
            )
        except Exception as exc:  # datasets raises many types for a broken folder
            raise NewskitError(
                f"{dataset_dir}: cannot load dataset ({type(exc).__name__}: {exc})",
                "rebuild it with `newskit build`",
            ) from None
        splits: dict[str, SplitData] = {}
        tasks: list[TaskSpec] | None = None
        for name in SPLITS:
            if name not in loaded:
                continue
            split = loaded[name]
            for column in (text_field, group_field, *extra_columns):
                if column not in split.column_names:
                    raise NewskitError(
                        f"{dataset_dir}: split {name} has no column '{column}'",
                        "set text_field/group_field in the training config",
                    )
            tasks = tasks or derive_tasks(split.features)
            # Columns through Arrow: ``split[column]`` formats row by row (15 s per column at
            # 1M sentences), ``to_pylist`` converts a whole Arrow column in C (under 1 s).
            table = split.with_format("arrow")[:]
            splits[name] = SplitData(
                texts=np.array(table.column(text_field).to_pylist(), dtype=object),
                groups=np.array(table.column(group_field).to_pylist(), dtype=object),
                columns={
                    name: table.column(name).to_pylist()
                    for name in (*(task.field for task in tasks), *extra_columns)
                },
            )
    if "train" not in splits:
        raise NewskitError(
            f"{dataset_dir}: the dataset has no train split", "rebuild it with `newskit build`"
        )
    if not tasks:
        raise NewskitError(
            f"{dataset_dir}: no ClassLabel or List(ClassLabel) column to train on",
            "check dataset_info.features in the dataset card",
        )
    return splits, tasks


def dataset_fingerprint(dataset_dir: Path) -> dict[str, str]:
    """SHA-256 of every parquet file of the dataset (paths relative to the folder, sorted)."""
    dataset_dir = Path(dataset_dir)
    return {
        path.relative_to(dataset_dir).as_posix(): sha256_file(path)
        for path in sorted(dataset_dir.rglob("*.parquet"))
    }


def training_pool(splits: dict[str, SplitData], validation: str) -> SplitData:
    """The data CV and the final fit use: train, plus validation when ``validation == "merge"``."""
    parts = [splits["train"]]
    if validation == "merge" and "validation" in splits:
        parts.append(splits["validation"])
    if len(parts) == 1:
        return parts[0]
    return SplitData(
        texts=np.concatenate([p.texts for p in parts]),
        groups=np.concatenate([p.groups for p in parts]),
        columns={k: [v for p in parts for v in p.columns[k]] for k in parts[0].columns},
    )
