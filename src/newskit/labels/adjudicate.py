"""Turn the annotations of a sentence (possibly by several annotators) into one gold label per task.

The rules (documented in the dataset card and the README):

- Cancelled (skipped) annotations are left out and counted.
- One vote per annotator and sentence: the annotation with the latest ``updated_at``
  (then ``created_at``, then the larger ``annotation_id`` as a number; :mod:`newskit.labels.latest`);
  the older ones are counted as superseded.
- An annotator who left a task unanswered (``null`` / empty list) does not vote on that task.
- ``majority``: a multi task keeps each label chosen by more than half of the annotators who
  answered it; a single task takes the most frequent label.
- ``unanimous``: a task keeps its value only if every annotator who answered it gave the same value.
- ``reviewer:<name>``: where that annotator labeled the sentence, their answer wins (task by task);
  elsewhere ``majority``.
- No decision (a tie between the most frequent single labels, no multi label above half, or any
  disagreement under ``unanimous``) gives ``null`` for that task: the sentence is kept, flagged
  (``agreement`` false), counted and listed with all its votes in ``adjudication.jsonl``.
  ``null`` never means a label; it means "no gold label for this task".
- A multi value that breaks exclusivity (``none`` together with another label) keeps the other
  labels: the specific labels carry the information, an exclusive label chosen alongside them is
  taken as a slip. Counted, and listed in the report. Several exclusive labels alone give ``null``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from newskit.errors import NewskitError
from newskit.labels.annotators import Registry
from newskit.labels.latest import latest_annotations
from newskit.labels.schema import Schema, Task

Value = tuple[str, ...] | str | None  # multi: label ids in schema order; single: a label id


@dataclass(frozen=True)
class Policy:
    """How several annotations of a sentence become one: ``majority``, ``unanimous`` or a reviewer."""

    kind: str  # "majority" | "unanimous" | "reviewer"
    reviewer: str | None = None

    def __str__(self) -> str:
        return f"reviewer:{self.reviewer}" if self.kind == "reviewer" else self.kind

    def public(self, registry: Registry | None = None) -> str:
        """The policy as published (a reviewer's e-mail address replaced by its public name)."""
        if self.kind != "reviewer":
            return self.kind
        return f"reviewer:{public_annotator(self.reviewer or '', registry)}"


def parse_policy(text: str) -> Policy:
    """Parse ``majority``, ``unanimous`` or ``reviewer:<annotator>``."""
    if text in ("majority", "unanimous"):
        return Policy(text)
    if text.startswith("reviewer:") and text.removeprefix("reviewer:").strip():
        return Policy("reviewer", text.removeprefix("reviewer:").strip())
    raise NewskitError(
        f"unknown adjudication policy {text!r}", "use majority, unanimous or reviewer:<annotator>"
    )


@dataclass(frozen=True)
class Vote:
    """The latest annotation of one annotator for one sentence."""

    annotator: str
    annotation_id: Any
    updated_at: str | None
    values: dict[str, Value]  # task name → value


@dataclass
class Decision:
    """The adjudicated labels of one sentence, and how they came about."""

    sentence_id: str
    values: dict[str, Value]
    votes: list[Vote]
    agreement: bool
    outcomes: dict[str, str]  # task name → agreed | majority | reviewer | tie | disagreement | unanswered
    exclusive_resolved: list[str] = field(default_factory=list)  # task names

    @property
    def n_annotations(self) -> int:
        """How many annotators' votes the decision is based on."""
        return len(self.votes)


@dataclass
class AdjudicationCounts:
    """What adjudication did, in numbers (shown in the summary and the card)."""

    annotations: int = 0
    cancelled: int = 0
    superseded: int = 0
    sentences: int = 0
    agreed: int = 0
    disagreed: int = 0
    ties: dict[str, int] = field(default_factory=dict)  # task name → sentences without a decision
    reviewer_decisions: int = 0
    exclusive_resolved: int = 0


def public_annotator(name: str, registry: Registry | None = None) -> str:
    """The annotator name as published (:meth:`Registry.public`); e-mail addresses never appear."""
    return (registry if registry is not None else _PROCESS_REGISTRY).public(name)


_PROCESS_REGISTRY = Registry()  # no project folder: $NEWSKIT_PSEUDONYM_SALT, else a per-process salt


def task_value(task: Task, raw: Any) -> Value:
    """A row's answer for one task in canonical form (multi: schema order, empty → ``None``)."""
    if task.kind == "multi":
        chosen = set(raw or [])
        ordered = tuple(label for label in task.label_ids if label in chosen)
        return ordered or None
    return raw or None


def latest_votes(rows: Iterable[dict], schema: Schema, counts: AdjudicationCounts) -> dict[str, list[Vote]]:
    """Group valid annotation rows by sentence: one vote per annotator (:func:`latest_annotations`)."""
    latest = latest_annotations(rows)
    counts.annotations += latest.total
    counts.cancelled += latest.cancelled
    counts.superseded += latest.superseded
    votes: dict[str, list[Vote]] = defaultdict(list)
    for (sentence_id, annotator), row in latest.rows.items():
        values = {task.name: task_value(task, row.get(task.name)) for task in schema.tasks}
        votes[sentence_id].append(Vote(annotator, row.get("annotation_id"), row.get("updated_at"), values))
    return dict(votes)


def _majority(task: Task, answers: list[Value]) -> tuple[Value, str]:
    if task.kind == "multi":
        label_votes = Counter(label for answer in answers for label in answer)  # type: ignore[union-attr]
        chosen = tuple(label for label in task.label_ids if label_votes[label] * 2 > len(answers))
        return (chosen, "majority") if chosen else (None, "tie")
    ranked = Counter(answers).most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None, "tie"
    return ranked[0][0], "majority"


def decide_task(task: Task, votes: list[Vote], policy: Policy) -> tuple[Value, str]:
    """The value of one task for one sentence, and the outcome that produced it."""
    answers = [vote.values[task.name] for vote in votes if vote.values[task.name] is not None]
    if not answers:
        return None, "unanswered"
    if len(set(answers)) == 1:
        return answers[0], "agreed"
    if policy.kind == "unanimous":
        return None, "disagreement"
    if policy.kind == "reviewer":
        for vote in votes:
            if vote.annotator == policy.reviewer and vote.values[task.name] is not None:
                return vote.values[task.name], "reviewer"
    return _majority(task, answers)


def _resolve_exclusive(task: Task, value: Value) -> tuple[Value, bool]:
    if task.kind != "multi" or not value or len(value) < 2:
        return value, False
    exclusive = [label for label in value if label in task.exclusive]
    if not exclusive:
        return value, False
    specific = tuple(label for label in value if label not in task.exclusive)
    return (specific or None), True


def adjudicate(
    votes_by_sentence: dict[str, list[Vote]], schema: Schema, policy: Policy, counts: AdjudicationCounts
) -> dict[str, Decision]:
    """Decide every annotated sentence under ``policy``; updates ``counts``."""
    if policy.kind == "reviewer":
        annotators = sorted({vote.annotator for votes in votes_by_sentence.values() for vote in votes})
        if policy.reviewer not in annotators:
            raise NewskitError(
                f"reviewer {policy.reviewer!r} has no annotations",
                f"annotators are: {', '.join(annotators) or 'none'}",
            )
    counts.ties = {task.name: 0 for task in schema.tasks}
    decisions: dict[str, Decision] = {}
    for sentence_id, votes in sorted(votes_by_sentence.items()):
        values: dict[str, Value] = {}
        outcomes: dict[str, str] = {}
        resolved: list[str] = []
        for task in schema.tasks:
            value, outcome = decide_task(task, votes, policy)
            value, was_resolved = _resolve_exclusive(task, value)
            values[task.name], outcomes[task.name] = value, outcome
            if was_resolved:
                resolved.append(task.name)
            if outcome in ("tie", "disagreement"):
                counts.ties[task.name] += 1
        agreement = all(vote.values == votes[0].values for vote in votes)
        decisions[sentence_id] = Decision(sentence_id, values, votes, agreement, outcomes, resolved)
        counts.sentences += 1
        counts.agreed += agreement
        counts.disagreed += not agreement
        counts.reviewer_decisions += "reviewer" in outcomes.values()
        counts.exclusive_resolved += bool(resolved)
    return decisions


def report_rows(
    decisions: dict[str, Decision],
    schema: Schema,
    policy: Policy,
    registry: Registry | None = None,
) -> list[dict]:
    """One row per sentence with a disagreement or a resolved exclusivity conflict, with all votes."""
    rows = []
    for decision in decisions.values():
        if decision.agreement and not decision.exclusive_resolved:
            continue
        rows.append(
            {
                "sentence_id": decision.sentence_id,
                "policy": policy.public(registry),
                "agreement": decision.agreement,
                "decision": {task.name: _jsonable(decision.values[task.name]) for task in schema.tasks},
                "outcomes": decision.outcomes,
                "exclusive_resolved": decision.exclusive_resolved,
                "votes": [
                    {
                        "annotator": public_annotator(vote.annotator, registry),
                        "annotation_id": vote.annotation_id,
                        "updated_at": vote.updated_at,
                        **{task.name: _jsonable(vote.values[task.name]) for task in schema.tasks},
                    }
                    for vote in decision.votes
                ],
            }
        )
    return rows


def _jsonable(value: Value) -> list[str] | str | None:
    return list(value) if isinstance(value, tuple) else value
