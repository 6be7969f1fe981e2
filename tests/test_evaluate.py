"""newskit evaluate: test and CV scores next to baselines, CIs, calibration, plots, determinism, errors."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import newskit.training.evaluate
from newskit.errors import NewskitError
from newskit.training.calibration import brier_score, expected_calibration_error
from newskit.training.data import load_splits
from newskit.training.evaluate import evaluate
from newskit.training.evaluation_cv import rows_by_group
from newskit.training.fitting import Rows
from newskit.training.metrics import f1_scores, macro_f1_from_counts, row_outcomes
from newskit.training.train import train
from tests.training_fixtures import train_tiny_run


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    root = tmp_path_factory.mktemp("evaluate")
    dataset, run_dir = train_tiny_run(root, evaluate=True)
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    return root, dataset, run_dir, metrics


def test_every_task_has_model_and_baselines_on_test_and_cv(evaluated):
    *_, metrics = evaluated
    assert set(metrics["tasks"]) == {"event_types", "stance"}
    for task in metrics["tasks"].values():
        for name in ("model", "majority", "stratified"):
            for score in (task["test"][name]["macro_f1"], task["test"][name]["micro_f1"]):
                assert 0 <= score <= 1
            assert len(task["cv"][name]["macro_f1"]["folds"]) == task["cv"]["n_folds"] == 3
            assert set(task["test"][name]["per_class"]) == set(task["labels"])
        ci = task["test"]["model"]["macro_f1_ci"]
        assert ci["low"] <= task["test"]["model"]["macro_f1"] <= ci["high"]
        assert ci["unit"] == "article" and ci["n_articles"] == 1
        assert ci["reliable"] is False  # one test article: the interval says nothing
        assert ci["resamples"] == 50
        assert task["cv"]["nested"] is True and len(task["cv"]["chosen_per_fold"]) == 3


def test_majority_baseline_matches_the_data(evaluated):
    _, dataset, _, metrics = evaluated
    splits, tasks = load_splits(dataset)
    stance = next(t for t in tasks if t.field == "stance")
    pool = [v for s in ("train", "validation") for v in splits[s].columns["stance"] if v is not None]
    majority = Counter(pool).most_common(1)[0][0]
    test = [v for v in splits["test"].columns["stance"] if v is not None]
    expected_accuracy = sum(v == majority for v in test) / len(test)
    reported = metrics["tasks"]["stance"]["test"]["majority"]
    assert reported["micro_f1"] == round(expected_accuracy, 4)
    assert reported["per_class"][stance.labels[majority]]["recall"] == 1.0
    assert metrics["tasks"]["stance"]["test"]["n_sentences"] == len(test)


def test_support_counts_match_the_test_split(evaluated):
    _, dataset, _, metrics = evaluated
    splits, tasks = load_splits(dataset)
    events = next(t for t in tasks if t.field == "event_types")
    truth, _ = splits["test"].targets(events)
    per_class = metrics["tasks"]["event_types"]["test"]["model"]["per_class"]
    assert [per_class[label]["support"] for label in events.labels] == truth.sum(axis=0).tolist()


def test_calibration_and_learning_curve_are_recorded(evaluated):
    _, _, run_dir, metrics = evaluated
    for field, task in metrics["tasks"].items():
        assert 0 <= task["calibration"]["brier"] <= 1
        assert 0 <= task["calibration"]["ece"] <= 1
        curve = task["learning_curve"]
        assert [p["share"] for p in curve] == [0.5, 1.0]
        assert curve[0]["n_sentences"] <= curve[1]["n_sentences"]
        assert set(task["plots"]) == {"confusion", "reliability", "learning_curve"}
        for path in task["plots"].values():
            assert (run_dir / path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert field in path


def test_same_run_gives_byte_identical_metrics_and_plots(evaluated):
    _, dataset, run_dir, _ = evaluated
    before = {
        p.relative_to(run_dir): p.read_bytes() for p in [run_dir / "metrics.json", *run_dir.glob("plots/*")]
    }
    evaluate(run_dir=run_dir, dataset_dir=dataset)
    after = {
        p.relative_to(run_dir): p.read_bytes() for p in [run_dir / "metrics.json", *run_dir.glob("plots/*")]
    }
    assert before == after


def test_ece_by_hand():
    outcomes = np.array([1, 0, 1, 1])
    probabilities = np.array([0.9, 0.9, 0.2, 1.0])
    # bins of width 0.5: [0.2] → |1 − 0.2| = 0.8 (share 1/4); [0.9, 0.9, 1.0] → |2/3 − 0.9333| (share 3/4)
    expected = 0.25 * 0.8 + 0.75 * abs(2 / 3 - (0.9 + 0.9 + 1.0) / 3)
    assert expected_calibration_error(outcomes, probabilities, n_bins=2) == pytest.approx(expected)


def test_brier_of_perfect_and_worst_predictions():
    assert brier_score("single", np.array([0, 1]), np.array([[1.0, 0.0], [0.0, 1.0]])) == 0
    assert brier_score("multi", np.array([[1, 0]]), np.array([[0.0, 1.0]])) == 1


def test_run_without_models_is_one_line_error(evaluated, tmp_path, run_cli):
    _, dataset, run_dir, _ = evaluated
    broken = tmp_path / "broken"
    shutil.copytree(run_dir, broken)
    (broken / "stance.skops").unlink()
    code, out, err = run_cli("evaluate", str(broken), "--dataset", str(dataset))
    assert code == 1
    assert (
        err == f"error: {broken / 'stance.skops'}: model file not found (hint: run `newskit train` first)\n"
    )
    assert "Traceback" not in out + err


def test_other_dataset_is_refused(evaluated, tmp_path):
    _, dataset, run_dir, _ = evaluated
    other = tmp_path / "other"
    shutil.copytree(dataset, other)
    (other / "data" / "test.parquet").write_bytes((other / "data" / "train.parquet").read_bytes())
    with pytest.raises(NewskitError, match="not the dataset run tiny was trained on"):
        evaluate(run_dir=run_dir, dataset_dir=other)


def test_missing_run_dir(tmp_path, run_cli):
    code, _, err = run_cli("evaluate", str(tmp_path / "nothing"))
    assert code == 1
    assert err == (
        f"error: {tmp_path / 'nothing'}: not a training run (train_info.json missing) "
        "(hint: run `newskit train` first)\n"
    )


def test_rows_by_group_matches_a_scan_per_group():
    groups = np.array(np.random.default_rng(3).choice(["b", "a", "c", "d"], size=200), dtype=object)
    members = rows_by_group(groups)
    assert list(members) == sorted(set(groups.tolist()))
    for group, rows in members.items():
        assert np.array_equal(rows, np.flatnonzero(groups == group))


def test_hashing_once_gives_the_same_metrics_as_hashing_per_fit(tmp_path, monkeypatch):
    """Evaluation refits on texts hashed once; the metrics equal refits that hash their own texts."""
    root = Path(__file__).resolve().parent.parent
    run_dir = tmp_path / "run"
    train(dataset_dir=root / "dataset", config_path=root / "training" / "large.toml", out_dir=run_dir)
    once = evaluate(run_dir=run_dir, dataset_dir=root / "dataset")
    calls = []

    def unhashed(texts, config):
        calls.append(len(texts))
        return Rows(texts)

    monkeypatch.setattr(newskit.training.evaluate, "hashed_rows", unhashed)
    assert evaluate(run_dir=run_dir, dataset_dir=root / "dataset") == once
    assert len(calls) == 1  # the patched path ran: the pool, once


@pytest.mark.parametrize("kind", ["single", "multi"])
def test_macro_f1_from_summed_counts_equals_scoring_the_rows(kind):
    """The bootstrap's shortcut: counts of picked rows summed give f1_scores' macro F1 exactly."""
    rng = np.random.default_rng(11)
    n_labels = 4
    for _ in range(50):
        n = int(rng.integers(1, 30))
        if kind == "single":
            y_true, y_pred = rng.integers(0, n_labels, n), rng.integers(0, n_labels, n)
        else:
            y_true, y_pred = rng.integers(0, 2, (n, n_labels)), rng.integers(0, 2, (n, n_labels))
        picked = rng.integers(0, n, n)
        weights = np.bincount(picked, minlength=n)
        counts = [weights @ c for c in row_outcomes(kind, y_true, y_pred, n_labels)]
        expected = f1_scores(kind, y_true[picked], y_pred[picked], n_labels)[0]
        assert macro_f1_from_counts(*counts) == pytest.approx(expected, abs=1e-12, nan_ok=True)


def test_progress_reports_each_step(evaluated):
    _, dataset, run_dir, metrics = evaluated
    steps: list[str] = []
    assert evaluate(run_dir=run_dir, dataset_dir=dataset, progress=steps.append) == metrics
    assert steps[0] == f"loading {run_dir} and {dataset}"
    for field in ("event_types", "stance"):
        mine = [s.split(": ", 1)[1].split(",")[0] for s in steps if s.startswith(f"{field}: ")]
        assert mine[0].startswith("scoring") and mine[-1] == "learning curve"
        assert mine[1:-1] == ["nested CV"] * 3


def test_bootstrap_resamples_articles_and_says_when_they_are_too_few():
    from newskit.training.config import parse_config
    from newskit.training.data import TaskSpec
    from newskit.training.evaluation_cv import bootstrap_ci

    config = parse_config("[[grid]]\nmodel = 'logreg'\n[evaluation]\nbootstrap_min_articles = 10")
    task = TaskSpec("stance", "single", ["a", "b"])
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, 120)
    # Whole articles right or wrong (as when a model knows one outlet's wording and not another's).
    y_pred = np.where(np.repeat(np.arange(12), 10) % 2 == 0, y_true, 1 - y_true)
    few = bootstrap_ci(task, y_true, y_pred, np.repeat(np.arange(4), 30), config)
    many = bootstrap_ci(task, y_true, y_pred, np.repeat(np.arange(12), 10), config)
    assert (few["unit"], few["reliable"], few["n_articles"]) == ("article", False, 4)
    assert (many["unit"], many["reliable"], many["n_articles"]) == ("article", True, 12)
    # Resampling articles keeps their dependence: wider than resampling the 120 sentences.
    sentences = parse_config("[[grid]]\nmodel = 'logreg'\n[evaluation]\nbootstrap_unit = 'sentence'")
    by_sentence = bootstrap_ci(task, y_true, y_pred, np.repeat(np.arange(12), 10), sentences)
    assert by_sentence["unit"] == "sentence" and by_sentence["reliable"] is False
    assert many["high"] - many["low"] > 2 * (by_sentence["high"] - by_sentence["low"])


def test_nested_cv_selects_without_the_outer_fold(evaluated, monkeypatch):
    """Every selection inside the evaluation's CV sees only articles outside the fold it scores."""
    from newskit.training import crossval
    from newskit.training.evaluation_cv import cross_validate

    _, dataset, _, _ = evaluated
    splits, tasks = load_splits(dataset)
    config = crossval_config()
    cv = crossval.TaskCV.for_task(tasks[1], splits["train"], config)
    seen: list[set] = []
    original = crossval.TaskCV.select

    def spy(self, report=None):
        seen.append(set(self.groups.tolist()))
        return original(self, report)

    monkeypatch.setattr(crossval.TaskCV, "select", spy)
    result = cross_validate(cv)
    assert len(seen) == len(cv.folds) == result["n_folds"]
    for selected_on, (_, score_idx) in zip(seen, cv.folds, strict=True):
        assert not selected_on & set(cv.groups[score_idx].tolist())


def crossval_config():
    from newskit.training.config import parse_config
    from tests.training_fixtures import TINY_CONFIG

    return parse_config(TINY_CONFIG)
