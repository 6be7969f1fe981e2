"""One retraining of ``newskit serve``: pull the project, build the dataset, train a new run.

The pull is an ordinary ``newskit pull`` (a new read-only snapshot, a regenerated
``annotations.jsonl``). Building and training run in a child process
(``python -m newskit.studio.retrain OPTIONS``), so the server's predictions never compete with
training for the interpreter; a :class:`~newskit.errors.NewskitError` there comes back as
the same error. (A plain subprocess rather than ``multiprocessing``: spawning re-runs the
caller's main script, which a script without a ``__main__`` guard does not survive.)
Each retraining gets its own numbered dataset and run folder under the work folder
(``datasets/live-003``, ``runs/live-003``); nothing earlier is overwritten, and the run's
name is the start of its model version.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newskit.errors import NewskitError

DEFAULT_WORK_DIR = Path("training/live")
RUN_PREFIX = "live-"


def next_number(work_dir: Path) -> int:
    """1 + the highest ``live-NNN`` run under ``work_dir/runs`` (1 for none), so restarts go on counting."""
    numbers = [
        int(m.group(1))
        for path in (Path(work_dir) / "runs").glob(f"{RUN_PREFIX}*")
        if (m := re.fullmatch(rf"{RUN_PREFIX}(\d+)", path.name))
    ]
    return max(numbers, default=0) + 1


def build_and_train(
    *,
    corpus_dir: Path,
    annotations_path: Path,
    schema_path: Path,
    config_path: Path,
    dataset_dir: Path,
    run_dir: Path,
    policy: str,
) -> Path:
    """Build the dataset from the annotations and train a run on it; return the run folder."""
    from newskit.dataset.build import build_dataset
    from newskit.training.train import train

    build_dataset(
        corpus_dir=corpus_dir,
        annotations_path=annotations_path,
        schema_path=schema_path,
        out_dir=dataset_dir,
        policy=policy,
    )
    train(dataset_dir=dataset_dir, config_path=config_path, out_dir=run_dir)
    return run_dir


@dataclass(frozen=True)
class StudioTrainer:
    """The :data:`~newskit.studio.live.Trainer` of ``newskit serve``: pull, then build and train."""

    url: str
    api_key: str
    project_title: str
    labels_dir: Path
    corpus_dir: Path
    schema_path: Path
    config_path: Path
    work_dir: Path = DEFAULT_WORK_DIR
    policy: str = "majority"

    def __repr__(self) -> str:  # the key stays out of reprs and logs
        return f"StudioTrainer({self.url!r}, {self.project_title!r})"

    def __call__(self, number: int) -> Path:
        from newskit.studio.pull import pull

        report = pull(
            url=self.url,
            api_key=self.api_key,
            project_title=self.project_title,
            labels_dir=self.labels_dir,
            schema_path=self.schema_path,
        )
        name = f"{RUN_PREFIX}{number:03d}"
        options = {
            "corpus_dir": self.corpus_dir,
            "annotations_path": report.annotations_path,
            "schema_path": self.schema_path,
            "config_path": self.config_path,
            "dataset_dir": self.work_dir / "datasets" / name,
            "run_dir": self.work_dir / "runs" / name,
            "policy": self.policy,
        }
        return run_child({key: str(value) for key, value in options.items()})


def run_child(options: dict[str, str]) -> Path:
    """``build_and_train(**options)`` in a child process; its error is raised here."""
    done = subprocess.run(
        [sys.executable, "-m", "newskit.studio.retrain", json.dumps(options)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        return Path(options["run_dir"])
    try:
        error: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        tail = " ".join(done.stderr.strip().splitlines()[-1:]) or f"exit code {done.returncode}"
        raise NewskitError(f"building and training failed ({tail})", "see the message above") from None
    raise NewskitError(error["message"], error.get("hint", ""))


def main(argv: list[str]) -> int:
    """The child: build and train; a :class:`NewskitError` is printed as JSON for the parent."""
    options = {key: Path(value) for key, value in json.loads(argv[0]).items()}
    options["policy"] = str(options["policy"])
    try:
        build_and_train(**options)  # type: ignore[arg-type]
    except NewskitError as exc:
        print(json.dumps({"message": exc.message, "hint": exc.hint}))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
