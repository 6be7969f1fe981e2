"""One retraining of ``newskit serve``: numbering, and errors that cross the child process intact."""

from __future__ import annotations

from pathlib import Path

import pytest

from newskit.errors import NewskitError
from newskit.studio.retrain import next_number, run_child

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_numbers_go_on_after_the_highest_existing_run(tmp_path):
    assert next_number(tmp_path) == 1
    for name in ("live-001", "live-007", "live-x", "baseline"):
        (tmp_path / "runs" / name).mkdir(parents=True)
    assert next_number(tmp_path) == 8


def test_a_failing_training_in_the_child_is_the_same_one_line_error(tmp_path):
    config = tmp_path / "broken.toml"
    config.write_text(
        'seed = 1\nmax_folds = "five"\n[[grid]]\nmodel = "logreg"\nC = [1.0]\n', encoding="utf-8"
    )
    options = {
        "corpus_dir": REPO_ROOT / "corpus",
        "annotations_path": REPO_ROOT / "labels" / "annotations.jsonl",
        "schema_path": REPO_ROOT / "labels" / "schema.yaml",
        "config_path": config,
        "dataset_dir": tmp_path / "datasets" / "live-001",
        "run_dir": tmp_path / "runs" / "live-001",
        "policy": "majority",
    }
    with pytest.raises(NewskitError) as caught:
        run_child({key: str(value) for key, value in options.items()})
    assert str(config) in caught.value.message and "max_folds" in caught.value.one_line()
    assert (tmp_path / "datasets" / "live-001" / "data" / "train.parquet").exists()  # built, then failed
    assert not (tmp_path / "runs" / "live-001" / "train_info.json").exists()
