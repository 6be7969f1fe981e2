"""``newskit push``: tasks from the corpus, idempotent batched import, retries, predictions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newskit.errors import NewskitError
from newskit.labels.label_config import render_label_config
from newskit.labels.schema import load_schema
from newskit.studio.client import StudioUnavailable
from newskit.studio.push import import_missing, push, sentence_tasks
from tests.corpus_samples import StandInRun, seed_or_small_corpus, write_small_corpus
from tests.fake_studio import FakeStudioClient

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA = REPO_ROOT / "labels" / "schema.yaml"
DATA_KEYS = {
    "sentence_id",
    "article_id",
    "text",
    "context_before",
    "context_after",
    "title",
    "source",
    "source_name",
    "date",
    "url",
}


@pytest.fixture
def corpus(tmp_path) -> tuple[Path, list[str]]:
    ids = write_small_corpus(tmp_path / "corpus")
    return tmp_path / "corpus", ids


def run_push(fake, corpus_dir, **options):
    options.setdefault("backoff", 0.0)
    return push(url=fake.url, api_key="k", corpus_dir=corpus_dir, schema_path=SCHEMA, client=fake, **options)


def test_tasks_carry_sentence_context_and_article_metadata(corpus):
    corpus_dir, ids = corpus
    tasks = list(sentence_tasks(corpus_dir))
    assert [t["sentence_id"] for t in tasks] == ids
    assert all(set(t) == DATA_KEYS for t in tasks)
    second = tasks[1]
    assert second["text"] == "Zwei Menschen starben."
    assert second["context_before"] == "Russland griff Kiew mit Drohnen an."
    assert second["context_after"] == "Die Luftabwehr war aktiv."
    assert (second["title"], second["source"], second["date"]) == (
        "Angriff auf Kiew",
        "Tagesschau",
        "2024-03-01",
    )
    assert tasks[2]["context_after"] == "" and tasks[3]["context_before"] == ""
    assert (tasks[3]["source"], tasks[3]["date"], tasks[3]["url"]) == ("", "", "")
    assert second["source_name"] == second["source"]


def test_sentence_of_unknown_article_is_an_error(corpus):
    corpus_dir, _ = corpus
    with (corpus_dir / "sentences.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "zz:0-1", "article_id": "zz", "index": 0, "text": "x"}) + "\n")
    with pytest.raises(NewskitError) as info:
        list(sentence_tasks(corpus_dir))
    assert info.value.message == (
        f"{corpus_dir / 'sentences.jsonl'}:6: article 'zz' is not in {corpus_dir / 'articles.jsonl'}"
    )


def test_push_creates_the_project_then_imports_nothing_twice(corpus):
    corpus_dir, ids = corpus
    fake = FakeStudioClient()
    first = run_push(fake, corpus_dir, batch_size=2)
    assert (first.created_project, first.selected, first.already_present, first.imported) == (True, 5, 0, 5)
    project = fake.projects[first.project_id]
    assert project["title"] == "ukraine-war-de"
    assert project["label_config"] == render_label_config(load_schema(SCHEMA))
    assert "<" in project["instructions"]
    assert fake.import_calls == 3
    second = run_push(fake, corpus_dir, batch_size=2)
    assert (second.created_project, second.already_present, second.imported) == (False, 5, 0)
    assert fake.task_count(first.project_id) == 5
    assert sorted(fake.list_task_sentence_ids(first.project_id)) == sorted(ids)


def test_limit_then_full_push_completes_the_project(corpus):
    corpus_dir, ids = corpus
    fake = FakeStudioClient()
    report = run_push(fake, corpus_dir, limit=2, project_title="p")
    assert report.imported == 2 and list(fake.list_task_sentence_ids(report.project_id)) == ids[:2]
    report = run_push(fake, corpus_dir, project_title="p")
    assert (report.already_present, report.imported) == (2, 3)
    assert fake.task_count(report.project_id) == 5


def test_failed_and_half_applied_batches_are_retried_without_duplicates(corpus):
    corpus_dir, ids = corpus
    fake = FakeStudioClient()
    fake.fail_imports = ["ok", "fail", "commit-then-fail", "ok"]
    seen = []
    report = run_push(fake, corpus_dir, batch_size=2, progress=lambda done, total: seen.append((done, total)))
    assert report.imported == 5
    assert fake.task_count(report.project_id) == 5
    assert sorted(fake.list_task_sentence_ids(report.project_id)) == sorted(ids)
    assert seen[-1] == (5, 5)


def test_backoff_doubles_and_resets_after_success():
    fake = FakeStudioClient()
    pid = fake.create_project("p", "<View/>")
    tasks = [{"data": {"sentence_id": f"s{i}", "text": "t"}} for i in range(4)]
    fake.fail_imports = ["fail", "fail", "ok", "fail", "ok"]
    waits: list[float] = []
    assert import_missing(fake, pid, tasks, batch_size=2, backoff=0.5, sleep=waits.append) == 4
    assert waits == [0.5, 1.0, 0.5]
    assert fake.task_count(pid) == 4


def test_giving_up_says_how_far_it_got_and_a_rerun_finishes(corpus):
    corpus_dir, _ = corpus
    fake = FakeStudioClient()
    fake.fail_imports = ["ok", "fail", "fail", "fail"]
    with pytest.raises(StudioUnavailable) as info:
        run_push(fake, corpus_dir, batch_size=2, retries=2)
    assert info.value.message == (
        "cannot reach Label Studio at http://fake-studio (import); gave up after 2 retries "
        "with 2 of 5 tasks imported"
    )
    assert "run the same `newskit push` again" in info.value.hint
    report = run_push(fake, corpus_dir, batch_size=2)
    assert (report.already_present, report.imported) == (2, 3)
    assert fake.task_count(report.project_id) == 5


def test_existing_project_with_other_config_is_refused(corpus):
    corpus_dir, _ = corpus
    fake = FakeStudioClient()
    other = render_label_config(load_schema(SCHEMA)).replace('alias="neutral"', 'alias="balanced"')
    fake.create_project("ukraine-war-de", other)
    with pytest.raises(NewskitError) as info:
        run_push(fake, corpus_dir)
    assert info.value.message == (
        f"project 'ukraine-war-de' (id 1) at http://fake-studio has a labeling config that differs from "
        f"the one rendered from {SCHEMA} (missing in the project: stance=neutral; not in the schema: "
        "stance=balanced)"
    )
    assert fake.task_count(1) == 0


def test_same_config_with_other_whitespace_and_comments_is_accepted(corpus):
    corpus_dir, _ = corpus
    fake = FakeStudioClient()
    config = render_label_config(load_schema(SCHEMA))
    fake.create_project("ukraine-war-de", "<!-- edited -->" + config.replace("\n  ", "\n\t\t"))
    assert run_push(fake, corpus_dir).imported == 5


def test_predictions_carry_model_version_score_and_choices(corpus):
    corpus_dir, _ = corpus
    fake = FakeStudioClient()
    report = run_push(fake, corpus_dir, predictions=StandInRun())
    assert report.with_predictions
    task = fake.tasks[1]
    assert task["data"]["text"] == "Russland griff Kiew mit Drohnen an."
    (prediction,) = task["predictions"]
    assert prediction["model_version"] == "stand-in-1"
    assert prediction["score"] == pytest.approx(len(task["data"]["text"]) / 50)
    assert prediction["result"] == [
        {"from_name": "event_type", "to_name": "text", "type": "choices", "value": {"choices": ["strike"]}},
        {"from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": ["neutral"]}},
    ]


def test_uncertain_order_imports_least_confident_first(corpus):
    corpus_dir, _ = corpus
    fake = FakeStudioClient()
    run_push(fake, corpus_dir, predictions=StandInRun(), order="uncertain", limit=3, batch_size=1)
    scores = [t["predictions"][0]["score"] for _, t in sorted(fake.tasks.items())]
    all_scores = sorted(len(t["text"]) / 50 for t in sentence_tasks(corpus_dir))
    assert scores == pytest.approx(all_scores[:3])


class OtherSchemaRun(StandInRun):
    model_version = "other-schema"

    def predict(self, texts):
        outputs = super().predict(texts)
        for output in outputs:
            output["event_types"]["labels"] = ["attack"]
        return outputs


def test_predictions_with_labels_outside_the_schema_are_refused(corpus):
    fake = FakeStudioClient()
    with pytest.raises(NewskitError) as info:
        run_push(fake, corpus[0], predictions=OtherSchemaRun())
    assert info.value.message == (
        "the predictions of model 'other-schema' do not fit schema 'ukraine-war-de': "
        "unknown label(s) 'attack' for task 'event_type'"
    )
    assert fake.projects == {}


def test_cli_loads_a_trained_run_for_predictions(run_cli, monkeypatch, tmp_path):
    from tests.training_fixtures import EVENT_LABELS, train_tiny_run

    _, run_dir = train_tiny_run(tmp_path / "training")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "k" * 40)
    write_small_corpus(tmp_path / "corpus")
    code, _, err = run_cli("push", "--corpus", str(tmp_path / "corpus"), "--schema", str(SCHEMA),
                           "--predictions", str(run_dir), "--url", "http://127.0.0.1:9")  # fmt: skip
    # The tiny run is trained on a fixture label set, so push refuses it before contacting the server.
    assert code == 1
    line = err.splitlines()[-1]  # (training the fixture run printed progress before)
    unknown = sorted(set(EVENT_LABELS) - set(load_schema(SCHEMA).task("event_type").label_ids))
    assert unknown == ["attack", "humanitarian"]
    assert (
        line.startswith("error: the predictions of model ") and "do not fit schema 'ukraine-war-de'" in line
    )
    assert "'attack'" in line and "'humanitarian'" in line and "for task 'event_type'" in line


def test_uncertain_order_needs_predictions(corpus):
    with pytest.raises(NewskitError, match="--order uncertain needs model predictions"):
        run_push(FakeStudioClient(), corpus[0], order="uncertain")


def test_cli_without_api_key_is_one_line_error(run_cli, monkeypatch, tmp_path):
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    write_small_corpus(tmp_path / "corpus")
    code, _, err = run_cli("push", "--corpus", str(tmp_path / "corpus"), "--schema", str(SCHEMA))
    assert code == 1
    assert err.startswith("error: no Label Studio API key: LABEL_STUDIO_API_KEY is not set (hint: ")
    assert err.count("\n") == 1 and "Traceback" not in err


# -- against a real Label Studio ---------------------------------------------------------------


@pytest.mark.studio
def test_push_seed_corpus_twice_without_duplicates(studio_env, project_title, tmp_path, run_cli):
    corpus_dir = seed_or_small_corpus(tmp_path / "corpus")
    expected = [t["sentence_id"] for t in sentence_tasks(corpus_dir)]
    args = ("push", "--project", project_title, "--corpus", str(corpus_dir), "--schema", str(SCHEMA))
    code, out, err = run_cli(*args, "--batch-size", "40")
    assert code == 0, err
    assert f"{len(expected)} sentences selected: 0 already present, {len(expected)} imported" in out
    code, out, err = run_cli(*args)
    assert code == 0, err
    assert f"{len(expected)} already present, 0 imported" in out
    client = studio_env.client()
    project_id = client.find_project(project_title)
    assert client.task_count(project_id) == len(expected)
    assert sorted(client.list_task_sentence_ids(project_id)) == sorted(expected)
    assert studio_env.api_key not in out + err


@pytest.mark.studio
def test_predictions_arrive_with_model_version_and_score(studio_server, project_title, tmp_path):
    corpus_dir = tmp_path / "corpus"
    write_small_corpus(corpus_dir)
    report = push(
        url=studio_server.url,
        api_key=studio_server.api_key,
        project_title=project_title,
        corpus_dir=corpus_dir,
        schema_path=SCHEMA,
        predictions=StandInRun(),
        order="uncertain",
    )
    client = studio_server.client()
    texts = {task_id: sid for sid, task_id in client.list_task_sentence_ids(report.project_id).items()}
    by_sentence = {t["sentence_id"]: t["text"] for t in sentence_tasks(corpus_dir)}
    predictions = client.list_predictions(report.project_id)
    assert sorted(p["task"] for p in predictions) == sorted(texts)
    for prediction in predictions:
        text = by_sentence[texts[prediction["task"]]]
        assert prediction["model_version"] == "stand-in-1"
        assert prediction["score"] == pytest.approx(len(text) / 50)
        assert [r["from_name"] for r in prediction["result"]] == ["event_type", "stance"]
        assert prediction["result"][0]["value"]["choices"] == (["strike"] if "Drohnen" in text else ["none"])


@pytest.mark.studio
def test_wrong_token_is_one_line_error(studio_env, run_cli, monkeypatch, tmp_path):
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "0" * 40)
    write_small_corpus(tmp_path / "corpus")
    code, _, err = run_cli("push", "--corpus", str(tmp_path / "corpus"), "--schema", str(SCHEMA))
    assert code == 1
    assert err.startswith(
        f"error: Label Studio at {studio_env.url} rejected the API key (Invalid token.) (hint: "
    )
    assert err.count("\n") == 1 and "Traceback" not in err and "0" * 40 not in err


@pytest.mark.studio
def test_mismatching_project_config_is_refused(studio_server, project_title, tmp_path):
    client = studio_server.client()
    other = render_label_config(load_schema(SCHEMA)).replace('alias="strike"', 'alias="shelling"')
    project_id = client.create_project(project_title, other)
    write_small_corpus(tmp_path / "corpus")
    with pytest.raises(NewskitError) as info:
        push(url=studio_server.url, api_key=studio_server.api_key, project_title=project_title,
             corpus_dir=tmp_path / "corpus", schema_path=SCHEMA)  # fmt: skip
    assert "has a labeling config that differs" in info.value.message
    assert (
        "missing in the project: event_type=strike; not in the schema: event_type=shelling"
        in info.value.message
    )
    assert client.task_count(project_id) == 0


@pytest.mark.studio
def test_server_stopped_mid_push_then_resumed_without_duplicates(studio_server, project_title, tmp_path):
    corpus_dir = seed_or_small_corpus(tmp_path / "corpus")
    expected = [t["sentence_id"] for t in sentence_tasks(corpus_dir)]
    batch = max(1, len(expected) // 4)
    calls = []

    def stop_after_first_batch(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 1:
            studio_server.stop()

    options = dict(url=studio_server.url, api_key=studio_server.api_key, project_title=project_title,
                   corpus_dir=corpus_dir, schema_path=SCHEMA, batch_size=batch)  # fmt: skip
    try:
        with pytest.raises(StudioUnavailable) as info:
            push(**options, progress=stop_after_first_batch, retries=2, backoff=0.05)
        assert info.value.message.startswith(f"cannot reach Label Studio at {studio_server.url}")
        assert f"gave up after 2 retries with {batch} of {len(expected)} tasks imported" in info.value.message
    finally:
        studio_server.restart()
    report = push(**options)
    assert (report.already_present, report.imported) == (batch, len(expected) - batch)
    client = studio_server.client()
    assert client.task_count(report.project_id) == len(expected)
    assert sorted(client.list_task_sentence_ids(report.project_id)) == sorted(expected)


@pytest.mark.studio
def test_readme_predictions_example_with_the_shipped_run(studio_env, run_cli, monkeypatch, tmp_path):
    """The README's own `push --predictions` line, run as written, in a copy of the project."""
    import shlex
    import shutil

    from newskit.labels.label_config import validate_result
    from newskit.training.predict import load_run

    (line,) = [
        s.strip()
        for s in (REPO_ROOT / "README.md").read_text().splitlines()
        if s.startswith("newskit push --pred")
    ]
    for folder in ("corpus", "labels", "training/runs/baseline"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(*shlex.split(line)[1:])
    assert code == 0, err
    sentences = list(sentence_tasks(tmp_path / "corpus"))
    assert f"{len(sentences)} sentences selected: 0 already present, {len(sentences)} imported with" in out

    schema = load_schema(SCHEMA)
    run = load_run(REPO_ROOT / "training/runs/baseline", schema=schema)
    outputs = run.predict([s["text"] for s in sentences])
    expected = {s["sentence_id"]: output for s, output in zip(sentences, outputs, strict=True)}
    client = studio_env.client()
    project_id = client.find_project(schema.name)
    task_of = {
        task_id: sentence_id for sentence_id, task_id in client.list_task_sentence_ids(project_id).items()
    }
    stored = sorted(client.list_predictions(project_id), key=lambda p: p["task"])
    assert len(stored) == len(sentences) == len(task_of)
    scores = [p["score"] for p in stored]
    assert scores == sorted(scores), "imported least confident first"
    assert min(scores) > 0.0 and max(scores) <= 1.0 and max(scores) - min(scores) > 0.5  # readable, spread
    for prediction in stored:
        wanted = expected[task_of[prediction["task"]]]
        assert prediction["model_version"] == run.model_version
        assert prediction["score"] == pytest.approx(wanted["confidence"])
        assert validate_result(schema, prediction["result"]) == []
        choices = {r["from_name"]: r["value"]["choices"] for r in prediction["result"]}
        assert choices == {
            "event_type": wanted["event_types"]["labels"],
            "stance": wanted["stance"]["labels"],
        }
        assert len(choices["stance"]) == 1 and choices["event_type"]
        assert "none" not in choices["event_type"] or choices["event_type"] == ["none"]
        # the score is the smallest probability among the proposed labels
        proposed = [wanted["event_types"]["probabilities"][x] for x in choices["event_type"]]
        proposed += [wanted["stance"]["probabilities"][x] for x in choices["stance"]]
        assert prediction["score"] == pytest.approx(min(proposed), abs=1e-4)
