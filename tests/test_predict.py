"""newskit predict and the Python API used for pre-annotations: load_run, Run.predict, confidence."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from newskit.errors import NewskitError
from newskit.training.predict import load_run, task_confidence
from tests.training_fixtures import EVENT_LABELS, STANCE_LABELS, train_tiny_run

SENTENCES = ["Russische Drohnen griffen in der Nacht Kiew an.", "Die EU verhandelt in Brüssel über Frieden."]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return train_tiny_run(tmp_path_factory.mktemp("predict"))[1]


def test_predictions_follow_the_contract(run_dir):
    run = load_run(run_dir)
    assert re.fullmatch(r"tiny-[0-9a-f]{8}", run.model_version)
    results = run.predict(SENTENCES)
    assert len(results) == 2
    for result in results:
        assert set(result) == {"event_types", "stance", "confidence"}
        assert list(result["event_types"]["probabilities"]) == EVENT_LABELS
        assert list(result["stance"]["probabilities"]) == STANCE_LABELS
        assert sum(result["stance"]["probabilities"].values()) == pytest.approx(1, abs=1e-3)
        stance = result["stance"]["probabilities"]
        assert result["stance"]["labels"] == [max(stance, key=stance.get)]
        thresholds = run.info["tasks"]["event_types"]["thresholds"]
        probabilities = result["event_types"]["probabilities"]
        assert result["event_types"]["labels"] == [
            label for label in EVENT_LABELS if probabilities[label] >= thresholds[label]
        ]
        assert 0 <= result["confidence"] <= max(stance.values())
    assert run.predict([]) == []


def test_model_version_changes_with_the_models(run_dir, tmp_path):
    import shutil

    copy = tmp_path / "tiny"
    shutil.copytree(run_dir, copy)
    assert load_run(copy).model_version == load_run(run_dir).model_version
    (copy / "stance.skops").write_bytes((copy / "event_types.skops").read_bytes())
    assert load_run(copy).model_version != load_run(run_dir).model_version


def test_confidence_is_the_least_sure_decision():
    single = task_confidence(np.array([[0.7, 0.2, 0.1], [0.4, 0.35, 0.25]]), "single", None)
    np.testing.assert_allclose(single, [0.7, 0.4])
    multi = task_confidence(np.array([[0.9, 0.1], [0.5, 0.0]]), "multi", [0.5, 0.25])
    # row 0: (0.9-0.5)/0.5 = 0.8 and (0.25-0.1)/0.25 = 0.6 → 0.6; row 1: p on the threshold → 0
    np.testing.assert_allclose(multi, [0.6, 0.0])


def test_cli_jsonl_for_a_file(run_dir, tmp_path, run_cli):
    text_file = tmp_path / "in.txt"
    text_file.write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
    code, out, err = run_cli("predict", str(run_dir), "--file", str(text_file), "--format", "jsonl")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["text"] for row in rows] == SENTENCES
    direct = load_run(run_dir).predict(SENTENCES)
    assert [{k: v for k, v in row.items() if k != "text"} for row in rows] == direct


def test_cli_table_for_one_sentence(run_dir, run_cli):
    code, out, _ = run_cli("predict", str(run_dir), SENTENCES[0])
    assert code == 0
    assert "Russische Drohnen" in out and "confidence" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "error: give either a TEXT argument or --file (hint: e.g. newskit predict RUN 'Ein Satz.')\n"),
        (("   ",), "error: TEXT is empty (hint: pass a sentence to classify)\n"),
        (("x", "--format", "csv"), "error: unknown --format 'csv' (hint: use table or jsonl)\n"),
    ],
)
def test_cli_errors_are_one_line(run_dir, run_cli, args, message):
    code, out, err = run_cli("predict", str(run_dir), *args)
    assert (code, err) == (1, message)
    assert "Traceback" not in out + err


def test_not_a_run(tmp_path):
    with pytest.raises(NewskitError, match="not a training run"):
        load_run(tmp_path)


def test_shared_features_give_each_task_its_own_numbers(run_dir):
    run = load_run(run_dir)
    # The fixture has sentences without a stance: that model's TF-IDF saw fewer rows, so no sharing.
    assert run.info["tasks"]["stance"]["n_missing_label"] > 0
    assert run.shared_steps.shared_names() == [["event_types"], ["stance"]]
    texts = np.array(SENTENCES * 3, dtype=object)
    shared = run.probabilities(list(texts))
    for task in run.tasks:
        np.testing.assert_array_equal(shared[task.field], run.models[task.field].probabilities(texts, task))


@pytest.mark.parametrize("content", ["", " \n\n\t\n"])
def test_cli_file_without_text_is_an_error(run_dir, run_cli, tmp_path, content):
    empty = tmp_path / "empty.txt"
    empty.write_text(content, encoding="utf-8")
    code, out, err = run_cli("predict", str(run_dir), "--file", str(empty))
    assert (code, out) == (1, "")
    assert err == (
        f"error: {empty}: no text to predict (the file is empty or only whitespace) "
        "(hint: pass a file with at least one sentence)\n"
    )
