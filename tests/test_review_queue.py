"""``newskit review --push``: the review queue in Label Studio, and a re-label flowing back to the dataset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newskit.dataset.build import build_dataset
from newskit.errors import NewskitError
from newskit.jsonio import read_jsonl, write_jsonl
from newskit.studio.pull import pull
from newskit.studio.push import push
from newskit.studio.review_queue import REVIEW_MODEL_VERSION, push_review
from tests.corpus_samples import write_small_corpus
from tests.fake_studio import FakeStudioClient

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = REPO_ROOT / "labels" / "schema.yaml"


def choices(name: str, *labels: str) -> dict:
    return {"from_name": name, "to_name": "text", "type": "choices", "value": {"choices": list(labels)}}


def review_rows(ids: list[str]) -> list[dict]:
    """Three flagged (sentence, task) rows as `newskit review` writes them: two for one sentence."""
    base = {"kind": "single", "probabilities": {}, "split": "train", "article_id": "a1", "text": ""}
    return [
        {**base, "rank": 1, "sentence_id": ids[1], "task": "stance", "given": "pro_russia",
         "suggested": "neutral", "score": 0.97},
        {**base, "rank": 2, "sentence_id": ids[3], "task": "event_types", "kind": "multi",
         "given": ["strike"], "suggested": ["diplomacy"], "score": 0.9},
        {**base, "rank": 3, "sentence_id": ids[1], "task": "event_types", "kind": "multi",
         "given": ["none"], "suggested": ["civilian_impact"], "score": 0.5},
    ]  # fmt: skip


def test_queue_has_one_task_per_sentence_in_rank_order_with_the_suggestion(tmp_path):
    fake = FakeStudioClient()
    ids = write_small_corpus(tmp_path / "corpus")
    write_jsonl(tmp_path / "review.jsonl", review_rows(ids))
    options = dict(url=fake.url, api_key="k", review_path=tmp_path / "review.jsonl",
                   corpus_dir=tmp_path / "corpus", schema_path=SCHEMA_PATH, client=fake)  # fmt: skip
    report = push_review(**options)
    assert (report.project_title, report.created_project) == ("ukraine-war-de-review", True)
    assert (report.flagged_rows, report.sentences, report.imported) == (3, 2, 2)
    tasks = [t for _, t in sorted(fake.tasks.items())]
    assert [t["data"]["sentence_id"] for t in tasks] == [ids[1], ids[3]]
    note = tasks[0]["data"]["review_note"]
    assert "Haltung" in note and "„pro Russland“" in note and "„neutral“" in note and "rank 1" in note
    assert "„Kein Kriegsereignis“" in note and "„Folgen für Zivilisten“" in note
    (prediction,) = tasks[0]["predictions"]
    assert prediction["model_version"] == REVIEW_MODEL_VERSION and prediction["score"] == 0.97
    assert sorted(r["value"]["choices"][0] for r in prediction["result"]) == ["civilian_impact", "neutral"]
    again = push_review(**options)
    assert (again.created_project, again.already_present, again.imported) == (False, 2, 0)
    assert len(fake.tasks) == 2


def test_bad_review_files_are_one_line_errors(tmp_path):
    fake = FakeStudioClient()
    ids = write_small_corpus(tmp_path / "corpus")
    options = dict(url=fake.url, api_key="k", review_path=tmp_path / "review.jsonl",
                   corpus_dir=tmp_path / "corpus", schema_path=SCHEMA_PATH, client=fake)  # fmt: skip
    with pytest.raises(NewskitError, match="no review file"):
        push_review(**options)
    rows = review_rows(ids)
    write_jsonl(tmp_path / "review.jsonl", [{**rows[0], "task": "topic"}])
    with pytest.raises(NewskitError, match=r"review.jsonl:1: task 'topic' is not a field of schema"):
        push_review(**options)
    write_jsonl(tmp_path / "review.jsonl", [{k: v for k, v in rows[0].items() if k != "suggested"}])
    with pytest.raises(NewskitError, match=r"review.jsonl:1: missing suggested"):
        push_review(**options)
    write_jsonl(tmp_path / "review.jsonl", [{**rows[0], "sentence_id": "zz:0-5"}])
    with pytest.raises(NewskitError, match=r"1 sentence\(s\) not in .*sentences.jsonl, e.g. zz:0-5"):
        push_review(**options)
    write_jsonl(tmp_path / "review.jsonl", [{**rows[0], "suggested": "pro_mars"}])
    with pytest.raises(NewskitError, match="does not fit the schema"):
        push_review(**options)
    assert fake.projects == {}


@pytest.mark.studio
def test_a_relabeled_sentence_flows_back_through_pull_and_adjudication(
    studio_server, project_title, tmp_path
):
    client = studio_server.client()
    ids = write_small_corpus(tmp_path / "corpus")
    server = dict(url=studio_server.url, api_key=studio_server.api_key)
    push(**server, project_title=project_title, corpus_dir=tmp_path / "corpus", schema_path=SCHEMA_PATH)
    main_tasks = client.list_task_sentence_ids(client.find_project(project_title))
    suffix = project_title.split()[0]
    first = f"first.{suffix}@example.org"
    reviewer = f"reviewer.{suffix}@example.org"
    first_id, reviewer_id = client.create_user(first), client.create_user(reviewer)
    original = {sentence_id: ["strike"] for sentence_id in ids}
    original[ids[3]] = ["diplomacy"]
    for sentence_id in ids:
        stance = "pro_russia" if sentence_id == ids[1] else "neutral"
        result = [choices("event_type", *original[sentence_id]), choices("stance", stance)]
        client.create_annotation(main_tasks[sentence_id], result, completed_by=first_id)
    labels = tmp_path / "labels"
    pull(**server, project_title=project_title, labels_dir=labels, schema_path=SCHEMA_PATH)

    write_jsonl(tmp_path / "review.jsonl", review_rows(ids))
    queue_title = f"{suffix} review queue"
    report = push_review(**server, review_path=tmp_path / "review.jsonl", project_title=queue_title,
                         corpus_dir=tmp_path / "corpus", schema_path=SCHEMA_PATH)  # fmt: skip
    assert (report.created_project, report.imported) == (True, 2)
    queue = client.list_task_sentence_ids(report.project_id)
    assert sorted(queue, key=queue.get) == [ids[1], ids[3]]  # most likely wrong first (task id order)
    predictions = {p["task"]: p for p in client.list_predictions(report.project_id)}
    suggested = predictions[queue[ids[1]]]
    assert suggested["model_version"] == REVIEW_MODEL_VERSION
    assert sorted(r["value"]["choices"][0] for r in suggested["result"]) == ["civilian_impact", "neutral"]
    export = json.loads(client.export_json(report.project_id))
    exported = {t["data"]["sentence_id"]: t["data"] for t in export}
    assert "„pro Russland“" in exported[ids[1]]["review_note"]
    again = push_review(**server, review_path=tmp_path / "review.jsonl", project_title=queue_title,
                        corpus_dir=tmp_path / "corpus", schema_path=SCHEMA_PATH)  # fmt: skip
    assert (again.already_present, again.imported) == (2, 0)

    # The reviewer agrees with the suggestion for the stance and keeps the event type.
    relabel = [choices("event_type", "strike"), choices("stance", "neutral")]
    client.create_annotation(queue[ids[1]], relabel, completed_by=reviewer_id)
    pull(**server, project_title=queue_title, labels_dir=labels, schema_path=SCHEMA_PATH)
    rows = list(read_jsonl(labels / "annotations.jsonl"))
    assert len(rows) == len(ids) + 1  # the first pass is kept beside the review
    assert {(r["annotator"], r["stance"]) for r in rows if r["sentence_id"] == ids[1]} == {
        (first, "pro_russia"),
        (reviewer, "neutral"),
    }
    build_dataset(corpus_dir=tmp_path / "corpus", annotations_path=labels / "annotations.jsonl",
                  schema_path=SCHEMA_PATH, out_dir=tmp_path / "dataset",
                  policy=f"reviewer:{reviewer}")  # fmt: skip
    import datasets
    import pyarrow.parquet as pq

    # Two articles fill two splits; `datasets` cannot read the third, empty parquet file.
    files = {p.stem: str(p) for p in (tmp_path / "dataset" / "data").glob("*.parquet")}
    loaded = datasets.load_dataset(
        "parquet", data_files={name: path for name, path in files.items() if pq.read_metadata(path).num_rows}
    )
    stance_names = next(iter(loaded.values())).features["stance"].names
    by_id = {row["id"]: row for split in loaded.values() for row in split}
    assert len(by_id) == len(ids)
    assert stance_names[by_id[ids[1]]["stance"]] == "neutral"
    assert by_id[ids[1]]["n_annotations"] == 2 and by_id[ids[1]]["agreement"] is False
    adjudicated = {row["sentence_id"] for row in read_jsonl(tmp_path / "dataset" / "adjudication.jsonl")}
    assert ids[1] in adjudicated


def test_review_push_without_a_key_stops_before_the_review(tmp_path, run_cli, monkeypatch):
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    out = tmp_path / "review.jsonl"
    code, _, err = run_cli("review", "--push", "--dataset", str(tmp_path / "nope"), "--out", str(out))
    assert code == 1
    assert err.startswith("error: no Label Studio API key: LABEL_STUDIO_API_KEY is not set (hint:")
    assert len(err.strip().splitlines()) == 1 and not out.exists()
