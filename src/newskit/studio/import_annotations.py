"""Bring annotations made outside Label Studio (a JSONL file) into a Label Studio project.

Teams sometimes label offline (a spreadsheet, a first pass by the maintainers). Importing
those labels as real Label Studio annotations by a named user keeps one path for all
labels: afterwards `newskit pull` snapshots them like any other annotation work. The
kit's own seed annotations were brought in this way.

Input rows: ``sentence_id`` plus one key per schema task (a list of label ids for a multi
task, one label id for a single task); other keys (``text``, ``note``) are ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newskit.errors import NewskitError
from newskit.jsonio import read_jsonl
from newskit.labels.label_config import validate_result
from newskit.labels.schema import Schema, load_schema
from newskit.studio.client import StudioClient, require_project

MAX_LISTED = 5


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    project_id: int
    annotator: str
    created: int
    skipped_existing: int


def result_items(schema: Schema, row: dict[str, Any]) -> list[dict[str, Any]]:
    """The Label Studio result list for one row's labels (one choices item per labeled task)."""
    items = []
    for task in schema.tasks:
        value = row.get(task.name)
        choices = list(value) if isinstance(value, list) else ([value] if value else [])
        if choices:
            items.append(
                {"from_name": task.name, "to_name": "text", "type": "choices", "value": {"choices": choices}}
            )
    return items


def _read_rows(path: Path, schema: Schema) -> list[tuple[str, list[dict[str, Any]]]]:
    """Validate every row before anything is sent: unknown labels and missing ids are errors."""
    rows, problems, seen = [], [], set()
    for number, row in enumerate(read_jsonl(path), start=1):
        sentence_id = row.get("sentence_id")
        if not isinstance(sentence_id, str) or not sentence_id:
            problems.append(f"line {number}: no sentence_id")
            continue
        if sentence_id in seen:
            problems.append(f"line {number}: sentence {sentence_id} appears twice")
        seen.add(sentence_id)
        items = result_items(schema, row)
        problems += [f"line {number}: {p}" for p in validate_result(schema, items)]
        missing = [t.name for t in schema.tasks if t.name not in {i["from_name"] for i in items}]
        if missing:
            problems.append(f"line {number}: no label for {', '.join(missing)}")
        rows.append((sentence_id, items))
    if problems:
        more = f"; … and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
        raise NewskitError(
            f"{path}: {len(problems)} problem(s): {'; '.join(problems[:MAX_LISTED])}{more}",
            "fix the file; nothing was sent to Label Studio",
        )
    return rows


def _tasks_annotated_by(client: StudioClient, project_id: int, user_id: int) -> set[int]:
    """Task ids that already carry an annotation by ``user_id`` (read from a full export)."""
    done = set()
    for task in json.loads(client.export_json(project_id)):
        for annotation in task.get("annotations") or []:
            author = annotation.get("completed_by")
            author_id = author.get("id") if isinstance(author, dict) else author
            if author_id == user_id:
                done.add(int(task["id"]))
    return done


def import_annotations(
    path: Path,
    *,
    url: str,
    api_key: str,
    annotator: str,
    project_title: str | None = None,
    schema_path: Path = Path("labels/schema.yaml"),
    client: StudioClient | None = None,
) -> ImportReport:
    """Create one annotation by ``annotator`` (an email) per row of ``path`` in the project.

    The sentences must already be tasks of the project (`newskit push`). A task that already
    has an annotation by this annotator is skipped, so the import can be re-run safely.
    """
    schema = load_schema(Path(schema_path))
    rows = _read_rows(Path(path), schema)
    client = client or StudioClient(url, api_key)
    title = project_title or schema.name
    project_id = require_project(client, title, "push the sentences first: newskit push")
    tasks = client.list_task_sentence_ids(project_id)
    unknown = [sentence_id for sentence_id, _ in rows if sentence_id not in tasks]
    if unknown:
        raise NewskitError(
            f"{path}: {len(unknown)} sentence id(s) are not tasks of project {title!r}: "
            f"{', '.join(unknown[:MAX_LISTED])}",
            "push the corpus these ids come from (newskit push), or re-split it",
        )
    users = {email: user_id for user_id, email in client.list_users().items()}
    user_id = users.get(annotator) or client.create_user(annotator)
    done = _tasks_annotated_by(client, project_id, user_id)
    created = skipped = 0
    for sentence_id, items in rows:
        task_id = tasks[sentence_id]
        if task_id in done:
            skipped += 1
            continue
        client.create_annotation(task_id, items, completed_by=user_id)
        created += 1
    return ImportReport(project_id, annotator, created, skipped)
