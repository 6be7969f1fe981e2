"""``newskit push`` after the corpus changed: tasks re-pointed or marked, annotations kept (real server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newskit.identity import sentence_ids
from newskit.jsonio import read_jsonl, write_jsonl
from newskit.studio.push import push
from tests.corpus_samples import write_small_corpus

SCHEMA = Path(__file__).resolve().parent.parent / "labels" / "schema.yaml"
RESULT = [
    {"from_name": "event_type", "to_name": "text", "type": "choices", "value": {"choices": ["strike"]}},
    {"from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": ["neutral"]}},
]


def rewrite_first_article(corpus_dir: Path) -> dict[str, str]:
    """Article a1 gets a new id, its second sentence a few more words, its third is gone."""
    texts = ["Russland griff Kiew mit Drohnen an.", "Zwei Menschen starben am Morgen."]
    articles = [dict(a, id="a1-new", text=" ".join(texts)) if a["id"] == "a1" else a
                for a in read_jsonl(corpus_dir / "articles.jsonl")]  # fmt: skip
    sentences = [s for s in read_jsonl(corpus_dir / "sentences.jsonl") if s["article_id"] != "a1"]
    start, new = 0, []
    for index, (text, identifier) in enumerate(zip(texts, sentence_ids("a1-new", texts), strict=True)):
        new.append({"id": identifier, "article_id": "a1-new", "index": index, "start": start,
                    "end": start + len(text), "text": text})  # fmt: skip
        start += len(text) + 1
    write_jsonl(corpus_dir / "articles.jsonl", articles)
    write_jsonl(corpus_dir / "sentences.jsonl", new + sentences)
    return {s["text"]: s["id"] for s in new}


@pytest.mark.studio
def test_tasks_of_a_changed_corpus_are_re_pointed_or_marked_and_keep_their_annotations(
    studio_server, project_title, tmp_path
):
    corpus_dir = tmp_path / "corpus"
    old_ids = write_small_corpus(corpus_dir)
    options = {"url": studio_server.url, "api_key": studio_server.api_key, "project_title": project_title,
               "corpus_dir": corpus_dir, "schema_path": SCHEMA}  # fmt: skip
    first = push(**options)
    assert first.imported == 5 and first.reconciled == {}
    client = studio_server.client()
    project_id = first.project_id
    tasks = client.list_task_sentence_ids(project_id)
    for sentence_id in old_ids[:3]:  # the three sentences of a1 are labeled
        client.create_annotation(tasks[sentence_id], RESULT)

    new_ids = rewrite_first_article(corpus_dir)
    second = push(**options)
    assert second.reconciled == {"marked changed": 1, "marked gone": 1, "re-pointed": 1}
    assert second.imported == 1  # the changed sentence, as a new task
    assert second.already_present == 3  # re-pointed, and the two sentences of a2

    export = {task["id"]: task for task in json.loads(client.export_json(project_id))}
    assert len(export) == 6
    assert sum(len(task["annotations"]) for task in export.values()) == 3  # nothing lost
    moved = export[tasks[old_ids[0]]]["data"]
    assert moved["sentence_id"] == new_ids["Russland griff Kiew mit Drohnen an."]
    assert moved["newskit_previous_id"] == old_ids[0] and moved["article_id"] == "a1-new"
    assert moved["newskit_previous_article_id"] == "a1"
    changed = export[tasks[old_ids[1]]]["data"]
    assert (changed["sentence_id"], changed["newskit_status"]) == (old_ids[1], "changed")
    assert changed["newskit_now"] == new_ids["Zwei Menschen starben am Morgen."]
    gone = export[tasks[old_ids[2]]]["data"]
    assert (gone["newskit_status"], gone["newskit_now"]) == ("gone", "")
    assert all(len(export[tasks[sid]]["annotations"]) == 1 for sid in old_ids[:3])

    third = push(**options)
    assert third.reconciled == {"already marked": 2} and third.imported == 0
    assert client.task_count(project_id) == 6
