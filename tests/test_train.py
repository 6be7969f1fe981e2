"""newskit train: grouped CV selection, run folder contents, determinism, config and data errors."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import numpy as np
import pytest

from newskit.errors import NewskitError
from newskit.jsonio import sha256_file
from newskit.training.config import parse_config
from newskit.training.crossval import TaskCV
from newskit.training.data import TaskSpec, derive_tasks
from newskit.training.fitting import group_folds, hashed_rows, tune_thresholds
from newskit.training.models import build_model, save_model
from newskit.training.train import train
from tests.test_models import MULTI, SINGLE, TEXTS
from tests.training_fixtures import TINY_CONFIG, build_fixture_dataset, write_tiny_config


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("train")
    dataset = build_fixture_dataset(root / "dataset")
    config = write_tiny_config(root)
    info = train(dataset_dir=dataset, config_path=config, out_dir=root / "runs" / "a")
    return root, dataset, config, info


def test_run_folder_holds_config_models_and_info(trained):
    root, dataset, config, info = trained
    run = root / "runs" / "a"
    assert (run / "config.toml").read_bytes() == config.read_bytes()
    assert sorted(p.name for p in run.glob("*.skops")) == ["event_types.skops", "stance.skops"]
    on_disk = json.loads((run / "train_info.json").read_text(encoding="utf-8"))
    assert on_disk == info
    assert info["dataset"]["fingerprint"] == {
        f"data/{s}.parquet": sha256_file(dataset / "data" / f"{s}.parquet")
        for s in ("test", "train", "validation")
    }
    assert info["dataset"]["n_training_sentences"] == sum(
        info["dataset"]["split_sizes"][s] for s in ("train", "validation")
    )
    assert set(info["versions"]) >= {"scikit-learn", "skops", "numpy", "datasets"}


def test_tasks_and_selection_come_from_the_grid(trained):
    *_, info = trained
    assert {f: t["kind"] for f, t in info["tasks"].items()} == {"event_types": "multi", "stance": "single"}
    for task in info["tasks"].values():
        scores = {json.dumps(c["params"], sort_keys=True): c["mean_macro_f1"] for c in task["grid"]}
        assert len(scores) == 2
        assert task["cv_macro_f1"] == max(scores.values())
        assert scores[json.dumps(task["chosen"], sort_keys=True)] == task["cv_macro_f1"]
        assert task["n_folds"] == 3  # 4 training articles, max_folds = 3
    stance = info["tasks"]["stance"]
    assert stance["thresholds"] is None
    assert stance["n_missing_label"] > 0  # rows without a stance are counted, not silently dropped
    thresholds = info["tasks"]["event_types"]["thresholds"]
    assert list(thresholds) == ["attack", "diplomacy", "humanitarian", "none"]
    assert all(0 < t < 1 for t in thresholds.values())


def test_same_data_and_config_give_identical_models(trained):
    root, dataset, config, info = trained
    again = train(dataset_dir=dataset, config_path=config, out_dir=root / "runs" / "b")
    for name in ("event_types.skops", "stance.skops"):
        assert (root / "runs" / "a" / name).read_bytes() == (root / "runs" / "b" / name).read_bytes()
    assert {**again, "run_name": "a"} == info


def test_group_folds_never_split_an_article():
    groups = np.array(["a", "a", "b", "b", "b", "c", "d", "d"], dtype=object)
    folds = group_folds(groups, max_folds=5)
    assert len(folds) == 4  # as many folds as articles
    for train_idx, score_idx in folds:
        assert not set(groups[train_idx]) & set(groups[score_idx])
    assert sorted(np.concatenate([s for _, s in folds]).tolist()) == list(range(len(groups)))


def test_one_article_is_not_enough():
    with pytest.raises(NewskitError, match="needs at least 2 articles, the training data has 1"):
        group_folds(np.array(["a", "a"], dtype=object), max_folds=5)


def test_thresholds_maximise_out_of_fold_f1():
    config = parse_config(TINY_CONFIG)
    truth = np.array([[1, 0], [1, 0], [0, 0], [0, 0]])
    proba = np.array([[0.3, 0.1], [0.25, 0.2], [0.1, 0.3], [0.05, 0.4]])
    # label 0: any threshold in (0.1, 0.25] separates perfectly; ties go to the one nearest 0.5.
    # label 1: no positives, so the default stays.
    assert tune_thresholds(truth, proba, config) == [0.25, 0.5]


def test_tasks_are_derived_from_any_schema():
    features = datasets.Features(
        {
            "text": datasets.Value("string"),
            "topic": datasets.ClassLabel(names=["x", "y"]),
            "tags": datasets.List(datasets.ClassLabel(names=["p", "q", "r"])),
            "score": datasets.Value("float32"),
        }
    )
    assert [(t.field, t.kind, t.labels) for t in derive_tasks(features)] == [
        ("topic", "single", ["x", "y"]),
        ("tags", "multi", ["p", "q", "r"]),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("seed = [", "error: cfg.toml: not valid TOML"),
        (
            "[[grid]]\nmodel = 'forest'",
            "error: cfg.toml: [grid.0.model] Input should be 'logreg', 'linear_svm',",
        ),
        (
            "[[grid]]\nmodel = 'logreg'\ncolour = 1",
            "error: cfg.toml: [grid.0.colour] Extra inputs are not permitted",
        ),
        ("seed = 1", "error: cfg.toml: [grid] Field required"),
        (
            "jobs = 0\n[[grid]]\nmodel = 'sgd'",
            "error: cfg.toml: [jobs] Input should be greater than or equal to 1",
        ),
    ],
)
def test_config_errors_name_the_place(text, message):
    with pytest.raises(NewskitError) as error:
        parse_config(text, "cfg.toml")
    assert error.value.one_line().startswith(message)


def test_cli_train_missing_dataset_is_one_line(tmp_path, run_cli):
    config = write_tiny_config(tmp_path)
    code, out, err = run_cli("train", "--dataset", str(tmp_path / "nope"), "--config", str(config))
    assert code == 1
    hint = "(hint: run `newskit build` first or pass --dataset)"
    assert err == f"error: {tmp_path / 'nope'}: no dataset folder here {hint}\n"
    assert "Traceback" not in out + err


def test_cli_train_missing_config_is_one_line(tmp_path, run_cli):
    code, _, err = run_cli("train", "--dataset", str(tmp_path), "--config", str(tmp_path / "x.toml"))
    assert code == 1
    assert err.startswith(f"error: {tmp_path / 'x.toml'}: config file not found")


def test_single_class_task_is_an_error(tmp_path):
    dataset = build_fixture_dataset(tmp_path / "dataset")
    for split in ("train", "validation", "test"):
        path = dataset / "data" / f"{split}.parquet"
        table = datasets.Dataset.from_parquet(str(path), cache_dir=str(tmp_path / "c"))
        table.map(
            lambda row: {"stance": 1}, cache_file_name=str(tmp_path / "c" / f"{split}.arrow")
        ).to_parquet(tmp_path / f"{split}.parquet")
        path.write_bytes((tmp_path / f"{split}.parquet").read_bytes())
    with pytest.raises(NewskitError, match="task stance: the training data has only one class"):
        train(dataset_dir=dataset, config_path=write_tiny_config(tmp_path), out_dir=tmp_path / "run")


def test_committed_configs_are_valid(repo_root):
    from newskit.training.config import load_config

    baseline, _ = load_config(repo_root / "training" / "baseline.toml")
    large, _ = load_config(repo_root / "training" / "large.toml")
    assert baseline.features.kind == "tfidf" and baseline.features.char_ngrams == (2, 5)
    assert len(baseline.candidates()) >= 3
    assert large.features.kind == "hashing" and large.features.char_ngrams is None  # [] switches it off


HASHING_CONFIG = """
seed = 7
max_folds = 3

[features]
kind = "hashing"
word_ngrams = [1, 2]
char_ngrams = [3, 4]
hashing_features = 4096

[[grid]]
model = "sgd"
alpha = [1e-4]
"""


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("kind", ["single", "multi"])
def test_hashing_once_for_all_fits_gives_the_same_model(tmp_path, kind):
    config = parse_config(HASHING_CONFIG)
    task = TaskSpec("t", kind, ["a", "b", "c"])
    y, groups = (SINGLE if kind == "single" else MULTI), np.arange(len(TEXTS)) % 4
    params = config.candidates()[0]
    rows = hashed_rows(TEXTS, config)
    assert rows.hashed.shape == (len(TEXTS), 2 * 4096)
    from_rows = TaskCV(task, rows, y, groups, config).fit(params)
    from_texts = TaskCV(task, TEXTS, y, groups, config).fit(params)
    assert from_rows.thresholds == from_texts.thresholds
    save_model(from_rows.pipeline, tmp_path / "rows.skops")
    save_model(from_texts.pipeline, tmp_path / "texts.skops")
    assert (tmp_path / "rows.skops").read_bytes() == (tmp_path / "texts.skops").read_bytes()


def test_a_candidate_with_other_ngrams_hashes_its_own_way():
    config = parse_config(HASHING_CONFIG)
    rows = hashed_rows(TEXTS, config)
    assert rows.precomputed(build_model("single", config.candidates()[0], config.features, 7))
    other = {**config.candidates()[0], "word_ngrams": (1, 1)}
    assert not rows.precomputed(build_model("single", other, config.features, 7))


@pytest.mark.parametrize("config_name", ["baseline.toml", "large.toml"])
def test_fits_in_threads_give_the_same_run(tmp_path, config_name):
    """``jobs = 2`` spreads each fit's binary problems over two threads; the run is byte-identical."""
    root = Path(__file__).resolve().parent.parent
    shipped = (root / "training" / config_name).read_text(encoding="utf-8")
    shipped = "\n".join(line for line in shipped.splitlines() if not line.startswith("jobs"))
    runs = {}
    for jobs in (1, 2):
        config = tmp_path / f"jobs{jobs}.toml"
        config.write_text(f"jobs = {jobs}\n{shipped}\n", encoding="utf-8")
        runs[jobs] = tmp_path / str(jobs) / "run"
        train(dataset_dir=root / "dataset", config_path=config, out_dir=runs[jobs])
    for name in ("event_types.skops", "stance.skops", "train_info.json"):
        assert (runs[1] / name).read_bytes() == (runs[2] / name).read_bytes(), name


def test_newskit_error_keeps_its_hint_across_processes():
    import pickle

    error = pickle.loads(pickle.dumps(NewskitError("task x: broken", "fix it")))
    assert (error.message, error.hint) == ("task x: broken", "fix it")


def test_progress_reports_each_step(tmp_path):
    root = Path(__file__).resolve().parent.parent
    steps: list[str] = []
    config = root / "training" / "large.toml"
    train(dataset_dir=root / "dataset", config_path=config, out_dir=tmp_path / "run", progress=steps.append)
    assert steps[0] == f"loading {root / 'dataset'}"
    assert steps[1].startswith("hashing ") and steps[1].endswith(" sentences")
    for field in ("event_types", "stance"):
        cv = [s for s in steps if s.startswith(f"{field}: ") and "-fold CV of candidate 1/1" in s]
        final = [s for s in steps if s.startswith(f"{field}: fitting the chosen model on ")]
        assert len(cv) == 1 and len(final) == 1
        assert steps.index(cv[0]) < steps.index(final[0])


@pytest.mark.parametrize("terminal", [False, True])
def test_cli_train_status_line_only_in_a_terminal(tmp_path, run_cli, monkeypatch, terminal):
    root = Path(__file__).resolve().parent.parent
    if terminal:
        monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich then draws as on a terminal
    code, out, err = run_cli(
        "train", "--dataset", str(root / "dataset"), "--config", str(root / "training" / "large.toml"),
        "--out", str(tmp_path / "run"),
    )  # fmt: skip
    assert code == 0 and "optimistic" in out
    if not terminal:  # a pipe gets every cell whole, never cut or folded at 80 columns
        assert "selection CV macro F1 (optimistic)" in out
        assert "model=sgd, alpha=1e-05, class_weight=balanced" in out
    assert ("training" in err) == terminal
    assert "training:" not in out
