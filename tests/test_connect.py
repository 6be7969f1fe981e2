"""The model in the loop: connect, live suggestions, retraining after annotations, and the queue
following the newest model, against a real Label Studio (marker studio) and the fake adapter."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from newskit.errors import NewskitError
from newskit.jsonio import read_jsonl
from newskit.labels.label_config import render_label_config
from newskit.labels.schema import load_schema
from newskit.studio.connect import connect
from newskit.studio.push import sentence_tasks
from newskit.studio.serve import Retraining, make_server
from tests.studio_fixtures import free_port

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = REPO_ROOT / "labels" / "schema.yaml"
BASELINE = REPO_ROOT / "training" / "runs" / "baseline"
TINY_CONFIG = """\
seed = 7
max_folds = 2
[features]
word_ngrams = [1, 1]
char_ngrams = []
[[grid]]
model = "logreg"
C = [1.0]
class_weight = ["balanced"]
"""


def result_of(row: dict) -> list[dict]:
    return [
        {
            "from_name": "event_type",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": row["event_type"]},
        },
        {"from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": [row["stance"]]}},
    ]


@pytest.mark.studio
def test_connect_needs_a_running_model_server(studio_server, project_title):
    with pytest.raises(NewskitError, match=r"no newskit model server answers at http://127\.0\.0\.1:"):
        connect(url=studio_server.url, api_key=studio_server.api_key, project_title=project_title,
                backend_url=f"http://127.0.0.1:{free_port()}", schema_path=SCHEMA_PATH)  # fmt: skip


@pytest.mark.studio
def test_annotations_retrain_the_model_and_the_queue_follows_it(studio_server, project_title, tmp_path):
    corpus, labels = tmp_path / "corpus", tmp_path / "labels"
    corpus.mkdir(), labels.mkdir()
    for name in ("articles.jsonl", "sentences.jsonl"):
        shutil.copyfile(REPO_ROOT / "corpus" / name, corpus / name)
    for name in ("schema.yaml", "GUIDELINES.md"):
        shutil.copyfile(REPO_ROOT / "labels" / name, labels / name)
    (tmp_path / "tiny.toml").write_text(TINY_CONFIG, encoding="utf-8")
    # The seed pass names sentences by the ids of the earlier scheme: follow the committed map.
    now = {row["id"]: row["now"] for row in read_jsonl(REPO_ROOT / "labels" / "sentence_map.jsonl")}
    seed = {
        now.get(row["sentence_id"], row["sentence_id"]): row
        for row in read_jsonl(REPO_ROOT / "labels" / "seed" / "maintainers-pass1.jsonl")
    }
    client = studio_server.client()
    project_id = client.create_project(project_title, render_label_config(load_schema(SCHEMA_PATH)))
    # Every 18th sentence stays open; the others come labeled (one import: fast).
    tasks = [
        {"data": data} if number % 18 == 0
        else {"data": data, "annotations": [{"result": result_of(seed[data["sentence_id"]])}]}
        for number, data in enumerate(sentence_tasks(corpus))
    ]  # fmt: skip
    client.import_tasks(project_id, tasks)

    server = make_server(
        run_dir=BASELINE, schema_path=SCHEMA_PATH, port=free_port(),
        retraining=Retraining(url=studio_server.url, api_key=studio_server.api_key,
                              project_title=project_title, every=2, debounce=0.5, labels_dir=labels,
                              corpus_dir=corpus, config_path=tmp_path / "tiny.toml",
                              work_dir=tmp_path / "live"),
    ).start()  # fmt: skip
    try:
        baseline_version = server.app.state.live.run.model_version
        report = connect(url=studio_server.url, api_key=studio_server.api_key, project_title=project_title,
                         backend_url=server.url, schema_path=SCHEMA_PATH)  # fmt: skip
        assert report.backend_added and report.model_version == baseline_version
        again = connect(url=studio_server.url, api_key=studio_server.api_key, project_title=project_title,
                        backend_url=server.url, schema_path=SCHEMA_PATH)  # fmt: skip
        assert not again.backend_added and not again.webhook_added  # re-runnable, nothing doubled

        open_tasks = client.open_tasks(project_id)
        assert len(open_tasks) == 10
        for task in open_tasks[:2]:  # two annotators' answers arrive as webhook events
            client.create_annotation(task["id"], result_of(seed[task["data"]["sentence_id"]]))
        assert server.retrainer.wait_idle(240)
        status = httpx.get(f"{server.url}/status").json()
        versions = httpx.get(f"{server.url}/versions").json()["versions"]
    finally:
        server.stop()

    training = status["trainings"][0]
    assert training["outcome"] == "ok", training
    assert training["annotation_events"] == 2
    new_version = status["model_version"]
    assert new_version.startswith("live-001-") and new_version == training["model_version"]
    assert versions == [new_version, baseline_version]
    assert (tmp_path / "live" / "runs" / "live-001" / "event_types.skops").exists()
    # The pull behind it: a snapshot and all 172 annotations, nothing lost.
    exports = [path for path in (labels / "snapshots").glob("*.json") if path.name.count(".") == 1]
    assert len(exports) == 1  # one export (beside it the pull's sidecars)
    assert sum(1 for _ in read_jsonl(labels / "annotations.jsonl")) == 172
    # Every open task has a suggestion of the new model, and the project serves that version...
    remaining = {t["id"] for t in client.open_tasks(project_id)}
    assert len(remaining) == 8
    newest = {
        p["task"]: p["score"]
        for p in client.list_predictions(project_id)
        if p["model_version"] == new_version
    }
    assert set(newest) == remaining
    headers = {"Authorization": f"Token {studio_server.api_key}"}
    project = httpx.get(f"{studio_server.url}/api/projects/{project_id}", headers=headers).json()
    assert project["model_version"] == new_version and project["sampling"] == "Uncertainty sampling"
    # ...so the next task Label Studio hands out is the one the newest model is least sure of.
    following = httpx.get(f"{studio_server.url}/api/projects/{project_id}/next", headers=headers).json()
    assert newest[following["id"]] == min(newest.values())


def test_refresh_gives_open_tasks_the_new_model_once_and_orders_by_it(tmp_path):
    """A fast check with the fake adapter (the real server is checked above)."""
    from newskit.studio.connect import refresh_predictions
    from tests.corpus_samples import StandInRun, write_small_corpus
    from tests.fake_studio import FakeStudioClient

    write_small_corpus(tmp_path / "corpus")
    fake = FakeStudioClient()
    project_id = fake.create_project("p", "<View/>")
    task_ids = fake.import_tasks(project_id, [{"data": d} for d in sentence_tasks(tmp_path / "corpus")])
    fake.create_annotation(task_ids[0], [])
    schema = load_schema(SCHEMA_PATH)
    assert refresh_predictions(fake, project_id, schema, StandInRun()) == 4
    assert refresh_predictions(fake, project_id, schema, StandInRun()) == 0  # not twice
    stored = fake.list_predictions(project_id)
    assert {p["task"] for p in stored} == set(task_ids[1:])
    assert all(p["model_version"] == "stand-in-1" for p in stored)
    assert fake.projects[project_id]["model_version"] == "stand-in-1"
    assert fake.projects[project_id]["sampling"] == "Uncertainty sampling"
