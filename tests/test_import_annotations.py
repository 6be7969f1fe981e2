"""Offline annotations brought into Label Studio as a named user, then pulled like any other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newskit.errors import NewskitError
from newskit.jsonio import read_jsonl, write_jsonl
from newskit.labels.schema import load_schema
from newskit.studio.import_annotations import import_annotations, result_items
from newskit.studio.pull import pull
from newskit.studio.push import push
from tests.corpus_samples import write_small_corpus

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA = REPO_ROOT / "labels" / "schema.yaml"
ANNOTATOR = "newskit-maintainers@example.org"


class NoCalls:
    """A client that fails the test if anything is sent."""

    url = "http://127.0.0.1:9"

    def __getattr__(self, name):
        raise AssertionError(f"client.{name} called although the input is invalid")


def test_result_items_follow_the_schema_order():
    schema = load_schema(SCHEMA)
    items = result_items(schema, {"event_type": ["strike", "civilian_impact"], "stance": "neutral"})
    assert items == [
        {"from_name": "event_type", "to_name": "text", "type": "choices",
         "value": {"choices": ["strike", "civilian_impact"]}},
        {"from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": ["neutral"]}},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ({"sentence_id": "a1:0-5", "event_type": ["bombing"], "stance": "neutral"}, "bombing"),
        ({"sentence_id": "a1:0-5", "event_type": ["strike"]}, "no label for stance"),
        ({"event_type": ["strike"], "stance": "neutral"}, "no sentence_id"),
    ],
)
def test_invalid_rows_are_refused_before_anything_is_sent(tmp_path, row, problem):
    path = tmp_path / "labels.jsonl"
    write_jsonl(path, [row])
    with pytest.raises(NewskitError) as caught:
        import_annotations(
            path, url="", api_key="", annotator=ANNOTATOR, schema_path=SCHEMA, client=NoCalls()
        )
    assert problem in caught.value.message
    assert "line 1" in caught.value.message
    assert "nothing was sent" in caught.value.hint


@pytest.mark.studio
def test_import_then_pull_gives_the_same_labels_by_the_named_user(studio_server, project_title, tmp_path):
    corpus_dir = tmp_path / "corpus"
    ids = write_small_corpus(corpus_dir)
    client = studio_server.client()
    push(url=studio_server.url, api_key=studio_server.api_key, project_title=project_title,
         corpus_dir=corpus_dir, schema_path=SCHEMA, client=client)  # fmt: skip
    labels = [
        {"sentence_id": sid, "event_type": ["strike"] if i % 2 else ["none"],
         "stance": "pro_ukraine" if i == 1 else "neutral", "text": "ignored", "note": ""}
        for i, sid in enumerate(ids)
    ]  # fmt: skip
    path = tmp_path / "offline.jsonl"
    write_jsonl(path, labels)
    options = dict(url=studio_server.url, api_key=studio_server.api_key, annotator=ANNOTATOR,
                   project_title=project_title, schema_path=SCHEMA, client=client)  # fmt: skip
    first = import_annotations(path, **options)
    again = import_annotations(path, **options)
    assert (first.created, first.skipped_existing) == (len(ids), 0)
    assert (again.created, again.skipped_existing) == (0, len(ids))

    labels_dir = tmp_path / "labels"
    report = pull(url=studio_server.url, api_key=studio_server.api_key, project_title=project_title,
                  labels_dir=labels_dir, schema_path=SCHEMA, client=client)  # fmt: skip
    rows = list(read_jsonl(report.annotations_path))
    assert len(rows) == len(ids)
    got = {r["sentence_id"]: (r["annotator"], r["event_type"], r["stance"], r["cancelled"]) for r in rows}
    want = {r["sentence_id"]: (ANNOTATOR, r["event_type"], r["stance"], False) for r in labels}
    assert got == want
    assert json.loads(report.snapshot.read_bytes())  # the raw export is kept
