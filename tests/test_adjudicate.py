"""Adjudication: majority, unanimous, reviewer; ties, cancelled, superseded, exclusivity."""

from __future__ import annotations

import pytest

from newskit.errors import NewskitError
from newskit.labels.adjudicate import (
    AdjudicationCounts,
    adjudicate,
    latest_votes,
    parse_policy,
    public_annotator,
    report_rows,
)
from newskit.labels.schema import load_schema
from tests.dataset_fixtures import annotation, write_schema


@pytest.fixture
def schema(tmp_path):
    return load_schema(write_schema(tmp_path))


def run(rows, schema, policy="majority"):
    counts = AdjudicationCounts()
    decisions = adjudicate(latest_votes(rows, schema, counts), schema, parse_policy(policy), counts)
    return decisions, counts


def test_single_annotator_is_taken_as_is_and_counts_as_agreement(schema):
    decisions, counts = run(
        [annotation("s1", "newskit-maintainers", ["diplomacy", "strike"], "neutral")], schema
    )
    decision = decisions["s1"]
    assert decision.values == {"event_type": ("strike", "diplomacy"), "stance": "neutral"}  # schema order
    assert decision.agreement is True and decision.n_annotations == 1
    assert counts.agreed == 1 and counts.disagreed == 0


def test_majority_per_label_and_most_frequent_single_label(schema):
    rows = [
        annotation("s1", "a@x.org", ["strike", "diplomacy"], "pro_ukraine", number=1),
        annotation("s1", "b@x.org", ["strike"], "pro_ukraine", number=2),
        annotation("s1", "c@x.org", ["diplomacy", "strike"], "neutral", number=3),
    ]
    decisions, counts = run(rows, schema)
    decision = decisions["s1"]
    assert decision.values == {"event_type": ("strike", "diplomacy"), "stance": "pro_ukraine"}
    assert decision.outcomes == {"event_type": "majority", "stance": "majority"}
    assert (
        decision.agreement is False
        and counts.disagreed == 1
        and counts.ties == {"event_type": 0, "stance": 0}
    )


def test_ties_give_null_are_kept_flagged_counted_and_reported(schema):
    rows = [
        annotation("s1", "a@x.org", ["strike"], "pro_ukraine", number=1),
        annotation("s1", "b@x.org", ["diplomacy"], "neutral", number=2),
    ]
    decisions, counts = run(rows, schema)
    decision = decisions["s1"]
    assert decision.values == {"event_type": None, "stance": None}
    assert decision.outcomes == {"event_type": "tie", "stance": "tie"}
    assert counts.ties == {"event_type": 1, "stance": 1}
    [row] = report_rows(decisions, schema, parse_policy("majority"))
    assert row["decision"] == {"event_type": None, "stance": None}
    assert [vote["event_type"] for vote in row["votes"]] == [["strike"], ["diplomacy"]]
    assert all(vote["annotator"].startswith("annotator-") for vote in row["votes"])  # no e-mails published


def test_unanimous_keeps_only_identical_answers(schema):
    rows = [
        annotation("s1", "a", ["strike"], "neutral", number=1),
        annotation("s1", "b", ["strike"], "pro_ukraine", number=2),
        annotation("s1", "c", ["strike"], "neutral", number=3),
    ]
    decisions, counts = run(rows, schema, "unanimous")
    assert decisions["s1"].values == {"event_type": ("strike",), "stance": None}
    assert decisions["s1"].outcomes == {"event_type": "agreed", "stance": "disagreement"}
    assert counts.ties["stance"] == 1


def test_reviewer_wins_where_present_majority_elsewhere(schema):
    rows = [
        annotation("s1", "a", ["strike"], "neutral", number=1),
        annotation("s1", "b", ["strike"], "neutral", number=2),
        annotation("s1", "boss", ["diplomacy"], "pro_russia", number=3),
        annotation("s2", "a", ["strike"], "neutral", number=4),
        annotation("s2", "b", ["strike"], "pro_ukraine", number=5),
        annotation("s2", "c", ["strike"], "pro_ukraine", number=6),
    ]
    decisions, counts = run(rows, schema, "reviewer:boss")
    assert decisions["s1"].values == {"event_type": ("diplomacy",), "stance": "pro_russia"}
    assert decisions["s1"].outcomes == {"event_type": "reviewer", "stance": "reviewer"}
    assert decisions["s2"].values == {"event_type": ("strike",), "stance": "pro_ukraine"}
    assert counts.reviewer_decisions == 1


def test_unknown_reviewer_and_policy_are_errors(schema):
    with pytest.raises(NewskitError, match=r"reviewer 'nobody' has no annotations.*annotators are: a"):
        run([annotation("s1", "a", ["strike"], "neutral")], schema, "reviewer:nobody")
    with pytest.raises(NewskitError, match="unknown adjudication policy 'mostly'"):
        parse_policy("mostly")


def test_cancelled_are_excluded_and_latest_annotation_per_annotator_counts(schema):
    rows = [
        annotation("s1", "a", ["strike"], "neutral", number=1, updated_at="2025-04-01T10:00:00Z"),
        annotation("s1", "a", ["diplomacy"], "pro_ukraine", number=2, updated_at="2025-04-02T10:00:00Z"),
        annotation("s1", "b", ["strike"], "neutral", number=3, cancelled=True),
        annotation("s2", "b", None, None, number=4, cancelled=True),
    ]
    decisions, counts = run(rows, schema)
    assert set(decisions) == {"s1"}
    assert decisions["s1"].values == {"event_type": ("diplomacy",), "stance": "pro_ukraine"}
    assert decisions["s1"].n_annotations == 1
    assert (counts.annotations, counts.cancelled, counts.superseded) == (4, 2, 1)


def test_exclusive_label_beside_others_is_dropped_and_counted(schema):
    decisions, counts = run([annotation("s1", "a", ["none", "strike"], "neutral")], schema)
    assert decisions["s1"].values["event_type"] == ("strike",)
    assert decisions["s1"].exclusive_resolved == ["event_type"]
    assert counts.exclusive_resolved == 1
    assert len(report_rows(decisions, schema, parse_policy("majority"))) == 1


def test_unanswered_task_is_null_and_does_not_vote(schema):
    rows = [
        annotation("s1", "a", [], "neutral", number=1),
        annotation("s1", "b", ["strike"], None, number=2),
    ]
    decisions, _ = run(rows, schema)
    assert decisions["s1"].values == {"event_type": ("strike",), "stance": "neutral"}
    assert decisions["s1"].agreement is False


def test_public_annotator_hides_emails_only():
    assert public_annotator("newskit-maintainers") == "newskit-maintainers"
    pseudonym = public_annotator("Jane@Example.org")
    assert pseudonym == public_annotator("jane@example.org") and "@" not in pseudonym
