"""``newskit review --push``: send the flagged sentences to Label Studio as a review queue.

The queue is a project of its own (default title ``<schema name>-review``) with the schema's
choices and a note on top of each task: which task was flagged, its current label and the
model's suggestion. The suggestion is also the task's prediction, so it is pre-filled in the
editor. Tasks are imported most-likely-wrong first, so Label Studio's default (sequential)
order shows reviewers the strongest suspects first. One task per sentence, even when several
of its tasks are flagged; a sentence already in the queue is not imported again.

A reviewer's answer is an ordinary annotation: ``newskit pull --project <queue>`` snapshots
it, ``labels/annotations.jsonl`` holds it beside the original votes, and ``newskit build``
adjudicates it with them (``--policy reviewer:<email>`` lets the reviewer decide). Nothing in
the original project is changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newskit.errors import NewskitError
from newskit.jsonio import read_jsonl
from newskit.labels.label_config import (
    REVIEW_NOTE_KEY,
    render_review_config,
    validate_result,
)
from newskit.labels.schema import Schema, Task, load_schema
from newskit.studio.client import StudioClient
from newskit.studio.push import ensure_project, import_missing, sentence_tasks

REVIEW_MODEL_VERSION = "newskit-review"
REVIEW_FIELDS = ("sentence_id", "task", "given", "suggested", "score", "rank")


@dataclass(frozen=True)
class ReviewPushReport:
    """What a review push did."""

    url: str
    project_id: int
    project_title: str
    created_project: bool
    flagged_rows: int
    sentences: int
    already_present: int
    imported: int


def read_review(path: Path, schema: Schema) -> dict[str, list[tuple[Task, dict[str, Any]]]]:
    """Flagged rows of ``path`` grouped by sentence (in rank order), each with its schema task."""
    path = Path(path)
    if not path.is_file():
        raise NewskitError(f"{path}: no review file", "run `newskit review` first")
    by_field = {task.field: task for task in schema.tasks}
    grouped: dict[str, list[tuple[Task, dict[str, Any]]]] = {}
    for number, row in enumerate(read_jsonl(path), start=1):
        missing = [key for key in REVIEW_FIELDS if key not in row]
        if missing:
            raise NewskitError(
                f"{path}:{number}: missing {', '.join(missing)}", "write the file with `newskit review`"
            )
        task = by_field.get(row["task"])
        if task is None:
            raise NewskitError(
                f"{path}:{number}: task {row['task']!r} is not a field of schema {schema.name!r}",
                "review a dataset built with this schema, or pass --schema",
            )
        grouped.setdefault(row["sentence_id"], []).append((task, row))
    return dict(sorted(grouped.items(), key=lambda item: min(row["rank"] for _, row in item[1])))


def _display(task: Task, value: Any) -> str:
    names = {label.id: label.display for label in task.labels}
    values = value if isinstance(value, list) else [value] if value is not None else []
    return ", ".join(f"„{names.get(v, v)}“" for v in values) or "–"


def review_note(flags: list[tuple[Task, dict[str, Any]]]) -> str:
    """What the reviewer reads above the sentence: per flagged task, the label and the suggestion."""
    parts = [
        f"{task.title}: labeled {_display(task, row['given'])}, model suggests "
        f"{_display(task, row['suggested'])} (rank {row['rank']}, score {row['score']:.3f})"
        for task, row in flags
    ]
    return "Review: " + "; ".join(parts)


def review_task(data: dict[str, Any], flags: list[tuple[Task, dict[str, Any]]]) -> dict[str, Any]:
    """One Label Studio task: the sentence with its context, the note, the suggestion as prediction."""
    result = []
    for task, row in flags:
        suggested = row["suggested"] if isinstance(row["suggested"], list) else [row["suggested"]]
        if suggested:
            value = {"choices": suggested}
            result.append({"from_name": task.name, "to_name": "text", "type": "choices", "value": value})
    prediction = {
        "model_version": REVIEW_MODEL_VERSION,
        "score": max(float(row["score"]) for _, row in flags),
        "result": result,
    }
    return {"data": {**data, REVIEW_NOTE_KEY: review_note(flags)}, "predictions": [prediction]}


def push_review(
    *,
    url: str,
    api_key: str,
    review_path: Path = Path("labels/review.jsonl"),
    project_title: str | None = None,
    corpus_dir: Path = Path("corpus"),
    schema_path: Path = Path("labels/schema.yaml"),
    limit: int | None = None,
    client: StudioClient | None = None,
) -> ReviewPushReport:
    """Create (or check) the review project and import the flagged sentences not in it yet."""
    if limit is not None and limit < 0:
        raise NewskitError(f"--limit must not be negative, got {limit}")
    schema = load_schema(Path(schema_path))
    flagged = read_review(review_path, schema)
    corpus = {d["sentence_id"]: d for d in sentence_tasks(Path(corpus_dir))}
    unknown = [sentence_id for sentence_id in flagged if sentence_id not in corpus]
    if unknown:
        raise NewskitError(
            f"{review_path}: {len(unknown)} sentence(s) not in {Path(corpus_dir) / 'sentences.jsonl'}, "
            f"e.g. {unknown[0]}",
            "review the dataset built from this corpus, or pass --corpus",
        )
    selected = list(flagged.items())[:limit] if limit is not None else list(flagged.items())
    tasks = [review_task(corpus[sentence_id], flags) for sentence_id, flags in selected]
    for task in tasks:
        problems = validate_result(schema, task["predictions"][0]["result"])
        if problems:
            raise NewskitError(
                f"{review_path}: suggestion for {task['data']['sentence_id']} does not fit the schema: "
                + "; ".join(problems[:3]),
                "review a dataset built with this schema",
            )

    client = client or StudioClient(url, api_key)
    title = project_title or f"{schema.name}-review"
    config = render_review_config(schema)
    project_id, created = ensure_project(client, title, config, schema, Path(schema_path))
    present = client.list_task_sentence_ids(project_id)
    missing = [t for t in tasks if t["data"]["sentence_id"] not in present]
    imported = import_missing(client, project_id, missing)
    return ReviewPushReport(
        url=client.url,
        project_id=project_id,
        project_title=title,
        created_project=created,
        flagged_rows=sum(len(flags) for flags in flagged.values()),
        sentences=len(tasks),
        already_present=len(tasks) - len(missing),
        imported=imported,
    )
