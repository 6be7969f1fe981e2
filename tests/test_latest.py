"""Tests of newskit.labels.latest: the one rule for which annotation of an annotator counts."""

from __future__ import annotations

import pytest

from newskit.errors import NewskitError
from newskit.labels.adjudicate import AdjudicationCounts, latest_votes
from newskit.labels.agreement import compute_agreement
from newskit.labels.latest import annotation_order, latest_annotations
from newskit.labels.schema import load_schema


def row(annotation_id, stance, *, annotator="a@example.org", sentence="s1", updated="2026-01-01T10:00:00Z"):
    return {
        "sentence_id": sentence,
        "annotator": annotator,
        "annotation_id": annotation_id,
        "updated_at": updated,
        "created_at": updated,
        "stance": stance,
        "event_type": ["diplomacy"],
    }


def test_annotation_ids_compare_as_numbers_not_strings():
    """Annotation 10 is newer than annotation 9 (as strings, "9" > "10")."""
    latest = latest_annotations([row(10, "pro_ukraine"), row(9, "neutral")])
    assert latest.rows[("s1", "a@example.org")]["annotation_id"] == 10
    latest = latest_annotations([row("10", "pro_ukraine"), row("9", "neutral")])
    assert latest.rows[("s1", "a@example.org")]["annotation_id"] == "10"
    assert latest.superseded == 1


def test_updated_at_wins_over_the_id():
    older_but_larger_id = row(10, "neutral", updated="2026-01-01T09:00:00Z")
    latest = latest_annotations([older_but_larger_id, row(9, "pro_ukraine")])
    assert latest.rows[("s1", "a@example.org")]["stance"] == "pro_ukraine"


def test_order_is_total_over_mixed_ids():
    keys = sorted(annotation_order(row(i, "neutral")) for i in (None, "x", 2, "11"))
    assert [k[2][1] for k in keys][-2:] == [2, 11]


def test_cancelled_rows_never_count():
    cancelled = {**row(11, "pro_russia"), "cancelled": True}
    latest = latest_annotations([row(10, "neutral"), cancelled])
    assert latest.cancelled == 1
    assert latest.rows[("s1", "a@example.org")]["stance"] == "neutral"


def test_row_without_annotator_is_an_error():
    with pytest.raises(NewskitError, match="annotation row 2: missing sentence_id or annotator"):
        latest_annotations([row(1, "neutral"), {**row(2, "neutral"), "annotator": None}])


def test_agreement_and_adjudication_count_the_same_votes(repo_root):
    """With ids 9 and 10 of one annotator, both use annotation 10's answer."""
    schema = load_schema(repo_root / "labels" / "schema.yaml")
    rows = [
        row(9, "neutral"),
        row(10, "pro_ukraine"),
        row(3, "pro_ukraine", annotator="b@example.org"),
    ]
    votes = latest_votes(rows, schema, AdjudicationCounts())
    assert {vote.annotator: vote.values["stance"] for vote in votes["s1"]} == {
        "a@example.org": "pro_ukraine",
        "b@example.org": "pro_ukraine",
    }
    report = compute_agreement(rows, schema)
    assert report["tasks"]["stance"]["pairs"][0]["agreement"] == 1.0  # with annotation 9 it would be 0
