"""``newskit push``: import the corpus sentences into a Label Studio project, idempotently.

Every task carries our ``sentence_id``. Before importing, the tasks already in the project
are listed; tasks of sentences that left the corpus are re-pointed or marked
(:mod:`newskit.studio.reconcile`), and only the missing sentences are sent, in batches.
Label Studio duplicates re-imported tasks and a failed request may still have been applied,
so after any error the ids are listed again before the next batch: a retried or resumed push
never duplicates.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from newskit.errors import NewskitError
from newskit.jsonio import read_jsonl
from newskit.labels.label_config import render_instructions, render_label_config, validate_result
from newskit.labels.schema import Schema, load_schema
from newskit.labels.team import TEAM_FILE, TeamSettings, load_team_settings
from newskit.records import iter_records, sentences_source
from newskit.studio.client import StudioClient, StudioUnavailable
from newskit.studio.reconcile import reconcile_tasks

Order = Literal["corpus", "uncertain"]
Progress = Callable[[int, int], None]


class Predictor(Protocol):
    """What push needs of a trained run (``newskit.training.predict.Run``)."""

    model_version: str

    def predict(self, texts: list[str]) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class PushReport:
    """What a push did."""

    url: str
    project_id: int
    project_title: str
    created_project: bool
    selected: int
    already_present: int
    imported: int
    with_predictions: bool
    overlap: str | None = None  # the overlap applied from the team settings, None if no settings file
    overlap_changed: bool = False  # a re-push changed the project's overlap
    reconciled: dict[str, int] = field(default_factory=dict)  # tasks of vanished sentences: what was done


def sentence_tasks(corpus_dir: Path) -> Iterator[dict[str, Any]]:
    """Label Studio task data for every sentence of ``corpus_dir``, in corpus order, with context."""
    corpus_dir = Path(corpus_dir)
    articles = {a["id"]: a for a in read_jsonl(corpus_dir / "articles.jsonl")}
    by_article: dict[str, list[dict[str, Any]]] = {}
    for where, sentence in iter_records(sentences_source(corpus_dir)):  # sentences.jsonl or sentences/part-*
        if sentence.get("article_id") not in articles:
            raise NewskitError(
                f"{where}: article {sentence.get('article_id')!r} is not in {corpus_dir / 'articles.jsonl'}",
                "re-run `newskit ingest` and `newskit split` so both files come from one run",
            )
        by_article.setdefault(sentence["article_id"], []).append(sentence)
    for article_id, sentences in by_article.items():
        article = articles[article_id]
        sentences.sort(key=lambda s: s["index"])
        for position, sentence in enumerate(sentences):
            yield {
                "sentence_id": sentence["id"],
                "article_id": article_id,
                "text": sentence["text"],
                "context_before": sentences[position - 1]["text"] if position > 0 else "",
                "context_after": sentences[position + 1]["text"] if position + 1 < len(sentences) else "",
                "title": article.get("title") or "",
                "source": article.get("source") or "",
                # Shown by the labeling config: Label Studio's editor resolves ``$source`` to the task itself.
                "source_name": article.get("source") or "",
                "date": article.get("date") or "",
                "url": article.get("url") or "",
            }


def to_prediction(schema: Schema, model_version: str, predicted: dict[str, Any]) -> dict[str, Any]:
    """A Label Studio prediction (pre-annotation) from one ``Run.predict`` output."""
    result = []
    for task in schema.tasks:
        output = predicted.get(task.field) or {}
        labels = list(output.get("labels") or [])  # Run.predict applied the schema (training.decisions)
        if labels:
            result.append(
                {"from_name": task.name, "to_name": "text", "type": "choices", "value": {"choices": labels}}
            )
    return {"model_version": model_version, "score": float(predicted["confidence"]), "result": result}


def check_predictions(schema: Schema, model_version: str, predictions: list[dict[str, Any]]) -> None:
    """Refuse predictions whose labels are not the schema's (Label Studio would accept them)."""
    problems: set[str] = set()
    for prediction in predictions:
        problems.update(p.split(": ", 1)[-1] for p in validate_result(schema, prediction["result"]))
    if problems:
        raise NewskitError(
            f"the predictions of model {model_version!r} do not fit schema {schema.name!r}: "
            + "; ".join(sorted(problems)[:5])
            + (f"; … and {len(problems) - 5} more" if len(problems) > 5 else ""),
            f"use a run trained on a dataset built with schema {schema.name!r} (its labels and tasks)",
        )


def _load_run(predictions: Path | Predictor, schema: Schema) -> Predictor:
    if hasattr(predictions, "predict"):
        return predictions  # type: ignore[return-value]
    from newskit.training.predict import (
        load_run,  # imported here: scikit-learn is only needed with predictions
    )

    return load_run(Path(predictions), schema=schema)  # the schema's exclusive labels apply


def select_tasks(
    schema: Schema,
    data: list[dict[str, Any]],
    *,
    run: Predictor | None,
    order: Order,
    limit: int | None,
) -> list[dict[str, Any]]:
    """Tasks to have in the project: with predictions if ``run``, ordered, cut to ``limit``."""
    tasks = [{"data": d} for d in data]
    if run is not None:
        outputs = run.predict([d["text"] for d in data])
        for task, output in zip(tasks, outputs, strict=True):
            task["predictions"] = [to_prediction(schema, run.model_version, output)]
        check_predictions(schema, run.model_version, [t["predictions"][0] for t in tasks])
    if order == "uncertain":
        if run is None:
            raise NewskitError("--order uncertain needs model predictions", "add --predictions RUN_DIR")
        tasks = sorted(tasks, key=lambda t: t["predictions"][0]["score"])  # stable: ties keep corpus order
    elif order != "corpus":
        raise NewskitError(f"unknown order {order!r}", "use corpus or uncertain")
    return tasks if limit is None else tasks[:limit]


def _canonical(xml: str) -> str:
    try:
        return ET.canonicalize(xml_data=xml, strip_text=True)  # drops comments, sorts attributes
    except ET.ParseError as exc:
        raise NewskitError(
            f"the labeling config is not valid XML ({exc})", "fix it in Label Studio"
        ) from None


def _choice_pairs(xml: str) -> set[str]:
    root = ET.fromstring(xml)
    return {
        f"{choices.get('name')}={choice.get('alias') or choice.get('value')}"
        for choices in root.iter("Choices")
        for choice in choices.iter("Choice")
    }


def check_project_config(
    client: StudioClient, project_id: int, title: str, expected: str, schema_path: Path
) -> None:
    """Refuse a project whose labeling config is not the one rendered from the schema."""
    actual = client.project_config(project_id)
    if _canonical(actual) == _canonical(expected):
        return
    missing = sorted(_choice_pairs(expected) - _choice_pairs(actual))
    extra = sorted(_choice_pairs(actual) - _choice_pairs(expected))
    what = "; ".join(
        part
        for part in (
            f"missing in the project: {', '.join(missing)}" if missing else "",
            f"not in the schema: {', '.join(extra)}" if extra else "",
        )
        if part
    )
    raise NewskitError(
        f"project {title!r} (id {project_id}) at {client.url} has a labeling config that differs from "
        f"the one rendered from {schema_path} ({what or 'layout or attributes differ'})",
        "push into a new project with --project NEW_TITLE, or paste the output of "
        "`newskit schema render` into the project's Labeling Interface settings",
    )


def ensure_project(
    client: StudioClient,
    title: str,
    label_config: str,
    schema: Schema,
    schema_path: Path,
    settings: dict[str, Any] | None = None,
) -> tuple[int, bool]:
    """The id of project ``title`` (created with ``label_config`` and project ``settings`` if
    missing, else its config checked) and whether it was created."""
    project_id = client.find_project(title)
    if project_id is None:
        return client.create_project(title, label_config, render_instructions(schema), settings), True
    check_project_config(client, project_id, title, label_config, schema_path)
    return project_id, False


def import_missing(
    client: StudioClient,
    project_id: int,
    tasks: list[dict[str, Any]],
    *,
    batch_size: int = 1000,
    retries: int = 5,
    backoff: float = 1.0,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Import the tasks whose sentence ids are not in the project yet; return how many were imported.

    Transient failures are retried with exponential backoff; after each failure the project's
    ids are listed again, so a batch the server applied despite the error is not sent twice.
    """
    pending = list(tasks)
    total = len(pending)
    failures = 0
    relist = False
    while pending:
        try:
            if relist:
                present = client.list_task_sentence_ids(project_id)
                pending = [t for t in pending if t["data"]["sentence_id"] not in present]
                relist = False
            else:
                batch = pending[:batch_size]
                client.import_tasks(project_id, batch)
                pending = pending[len(batch) :]
                failures = 0
            if progress:
                progress(total - len(pending), total)
        except StudioUnavailable as exc:
            failures += 1
            if failures > retries:
                raise StudioUnavailable(
                    f"{exc.message}; gave up after {retries} retries with "
                    f"{total - len(pending)} of {total} tasks imported",
                    "check the server, then run the same `newskit push` again: sentences already in "
                    "the project are skipped, so nothing is duplicated",
                ) from None
            relist = True
            sleep(backoff * 2 ** (failures - 1))
    return total


def apply_team_settings(client: StudioClient, project_id: int, team: TeamSettings) -> bool:
    """Make the project's overlap settings those of ``team``; True if something had to change."""
    wanted = team.overlap.project_settings()
    if client.project_settings(project_id, wanted) == wanted:
        return False
    client.update_project(project_id, wanted)
    return True


def push(
    *,
    url: str,
    api_key: str,
    project_title: str | None = None,
    corpus_dir: Path = Path("corpus"),
    schema_path: Path = Path("labels/schema.yaml"),
    team_path: Path | None = None,
    limit: int | None = None,
    predictions: Path | Predictor | None = None,
    order: Order = "corpus",
    batch_size: int = 1000,
    progress: Progress | None = None,
    retries: int = 5,
    backoff: float = 1.0,
    client: StudioClient | None = None,
) -> PushReport:
    """Create (or check) the project for ``schema_path``, apply the overlap of ``team_path`` (default
    ``team.yaml`` beside the schema, if it exists) and import the corpus sentences missing from it."""
    if batch_size < 1:
        raise NewskitError(f"--batch-size must be at least 1, got {batch_size}")
    if limit is not None and limit < 0:
        raise NewskitError(f"--limit must not be negative, got {limit}")
    schema = load_schema(Path(schema_path))
    team = load_team_settings(Path(team_path) if team_path else Path(schema_path).parent / TEAM_FILE)
    label_config = render_label_config(schema)
    data = list(sentence_tasks(Path(corpus_dir)))
    run = _load_run(predictions, schema) if predictions is not None else None
    tasks = select_tasks(schema, data, run=run, order=order, limit=limit)

    client = client or StudioClient(url, api_key)
    title = project_title or schema.name
    settings = team.overlap.project_settings() if team else None
    project_id, created = ensure_project(client, title, label_config, schema, Path(schema_path), settings)
    changed = not created and team is not None and apply_team_settings(client, project_id, team)

    present, reconciled = reconcile_tasks(
        client, project_id, {d["sentence_id"]: d for d in data}, Path(corpus_dir) / "sentences.jsonl"
    )
    missing = [t for t in tasks if t["data"]["sentence_id"] not in present]
    imported = import_missing(
        client,
        project_id,
        missing,
        batch_size=batch_size,
        retries=retries,
        backoff=backoff,
        progress=progress,
    )
    return PushReport(
        url=client.url,
        project_id=project_id,
        project_title=title,
        created_project=created,
        selected=len(tasks),
        already_present=len(tasks) - len(missing),
        imported=imported,
        with_predictions=run is not None,
        overlap=team.overlap.describe() if team else None,
        overlap_changed=changed,
        reconciled=dict(sorted(reconciled.items())),
    )
