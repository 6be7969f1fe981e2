"""Bring a project's tasks in line with a changed corpus, on the next ``newskit push``.

A task whose ``sentence_id`` is no longer in the corpus is searched again by its article
and text (:func:`newskit.labels.sentence_map.resolve`):

- the same text was found (the sentence moved, or its ids changed): the task is pointed at
  the new sentence (its data is replaced by the new sentence's, ``newskit_previous_id`` and
  ``newskit_previous_article_id`` keep the old ids), unless another task already holds it;
- a similar text was found (``changed``) or none (``gone``): the task is marked in its data
  (``newskit_status``, and ``newskit_now`` for the sentence that replaced it) so people can
  filter for it in the Data Manager; the new sentence is imported as a new task.

Tasks and annotations are never deleted; their annotations stay in the project and in every
snapshot, and ``labels/sentence_map.jsonl`` attaches them to the current sentences.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from newskit.labels.sentence_map import Reference, resolve
from newskit.studio.client import StudioClient

STATUS = "newskit_status"
NOW = "newskit_now"
PREVIOUS = "newskit_previous_id"
PREVIOUS_ARTICLE = "newskit_previous_article_id"


def reconcile_tasks(
    client: StudioClient, project_id: int, corpus_data: dict[str, dict[str, Any]], sentences_path: Path
) -> tuple[dict[str, int], Counter[str]]:
    """Re-point or mark the tasks of vanished sentences; return the present sentence ids and counts."""
    tasks = client.list_tasks(project_id)
    present: dict[str, int] = {}
    for task_id, data in tasks:
        if data.get("sentence_id") is not None:
            present.setdefault(str(data["sentence_id"]), task_id)
    vanished = {
        str(data["sentence_id"]): (task_id, data)
        for task_id, data in tasks
        if data.get("sentence_id") is not None and str(data["sentence_id"]) not in corpus_data
    }
    counts: Counter[str] = Counter()
    if not vanished:
        return present, counts
    references = [
        Reference(sid, data.get("article_id"), data.get("text")) for sid, (_, data) in vanished.items()
    ]
    # Re-pointed tasks remember their old article: it finds that article again for the others.
    hints = {
        str(task_id): {"article_id": data[PREVIOUS_ARTICLE], "now_article_id": data.get("article_id")}
        for task_id, data in tasks
        if data.get(PREVIOUS_ARTICLE)
    }
    rows, _ = resolve(references, Path(sentences_path), hints)
    for row in rows:
        task_id, data = vanished[row["id"]]
        if row["status"] == "moved" and row["now"] not in present:
            new_data = {**corpus_data[row["now"]], PREVIOUS: row["id"], PREVIOUS_ARTICLE: row["article_id"]}
            client.update_task_data(task_id, new_data)
            present[row["now"]] = task_id
            counts["re-pointed"] += 1
            continue
        marks = {STATUS: row["status"], NOW: row["now"] or ""}
        if all(data.get(key) == value for key, value in marks.items()):
            counts["already marked"] += 1
            continue
        client.update_task_data(task_id, {**data, **marks})
        counts[f"marked {row['status']}"] += 1
    return present, counts
