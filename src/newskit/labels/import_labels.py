"""``newskit import-labels``: labeled sentences from a file, without Label Studio.

One row per sentence: ``text`` (required, taken exactly as given: never re-split or
cleaned), ``article_id`` (optional), ``annotator`` (optional, else ``--annotator``), one
column per schema task (named by the task id or its dataset field; multi-label values a
JSON list, ``a|b`` in CSV) and the optional article metadata ``title``, ``source``,
``url``, ``date``. Without ``article_id`` each sentence is an article of its own (keyed by
its text), so sentences of one article cannot be kept in one split and have no context.

Every row is validated before anything is written. The import writes two files under one
name, ``<UTC time>__<input name>-<hash>.jsonl``: ``corpus/given/`` (the sentences, which
``ingest`` turns into articles that ``split`` does not re-segment) and
``labels/imported/`` (one annotation row per sentence), then rebuilds
``labels/annotations.jsonl``. The hash covers the input and the annotator, so importing
the same file again adds nothing. Rows stream from input to output: memory grows with the
number of articles, not rows (with ``article_id``, whose rows must be grouped together).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from newskit.errors import NewskitError
from newskit.identity import given_article_id, sentence_id, sentence_ids, text_id
from newskit.jsonio import atomic_write, read_jsonl
from newskit.labels.annotations import IMPORTED_DIR, AnnotationsReport, rebuild_annotations
from newskit.labels.label_files import Format, fingerprint, guess_format, read_label_rows
from newskit.labels.schema import Schema, Task, load_schema

GIVEN_DIR = "given"  # under the corpus folder; read by newskit.corpus.given
META = ("title", "source", "url", "date")
PROJECT = "imported"


@dataclass
class LabelImportReport:
    """What an import did."""

    source: Path
    rows: int = 0
    articles: int = 0
    new_sentences: int = 0
    already_imported: Path | None = None  # the earlier import of the same file, when nothing was added
    labels_path: Path | None = None
    given_path: Path | None = None
    annotators: Counter[str] = field(default_factory=Counter)
    ignored_columns: list[str] = field(default_factory=list)
    annotations: AnnotationsReport | None = None
    assumed: str = ""
    without_article: int = 0


def _line(row: dict[str, Any]) -> bytes:
    """One JSON line, byte for byte as :func:`newskit.jsonio.dumps` writes it.

    orjson is several times faster than the json module, which matters at a million rows; the
    rows hold only strings, lists of strings, booleans and nulls, where both give the same bytes
    (floats, which they print differently, never occur here).
    """
    return orjson.dumps(row, option=orjson.OPT_SORT_KEYS) + b"\n"


def _columns(schema: Schema) -> dict[str, Task]:
    """Column name → task, for both the task id and the dataset field name."""
    return {name: task for task in schema.tasks for name in (task.name, task.field)}


class _Problem(Exception):
    """A bad value in a row; the caller adds the file and row."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


class _TaskCheck:
    """One task's validation, with the label ids looked up once (it runs a million times)."""

    __slots__ = ("empty", "exclusive", "kind", "name", "names", "order", "task")

    def __init__(self, task: Task) -> None:
        self.task, self.name, self.kind = task, task.name, task.kind
        self.names = (task.name, task.field) if task.field != task.name else (task.name,)
        self.order = {label: index for index, label in enumerate(task.label_ids)}
        self.exclusive = set(task.exclusive)
        self.empty: Any = [] if task.kind == "multi" else None

    def value(self, values: dict[str, Any]) -> Any:
        """The row's checked value: schema label ids, one for a single task, an exclusive label alone."""
        given = [values[c] for c in self.names if values.get(c) not in (None, "", [])]
        if not given:
            return self.empty
        if len(given) > 1 and given[0] != given[1]:
            raise _Problem(
                f"both {self.names[0]} and {self.names[1]} are filled and differ", "keep one column"
            )
        raw = given[0]
        labels = raw if isinstance(raw, list) else [raw]
        for label in labels:
            if label not in self.order:
                if not isinstance(label, str):
                    raise _Problem(f"{self.name}: expected label ids, got {raw!r}", "use label ids as text")
                raise _Problem(
                    f"{self.name}: unknown label {label!r}",
                    f"labels of {self.name} are: {', '.join(self.order)} (labels/schema.yaml)",
                )
        if self.kind == "single":
            if len(labels) > 1:
                shown = " and ".join(map(repr, labels))
                raise _Problem(
                    f"{self.name}: {shown}: a single-choice task takes one label", "keep one label"
                )
            return labels[0]
        if len(labels) > 1 and self.exclusive.intersection(labels) and len(set(labels)) > 1:
            label = sorted(self.exclusive.intersection(labels))[0]
            raise _Problem(
                f"{self.name}: {labels!r}: {label!r} must be chosen alone", f"drop {label!r} or the others"
            )
        return sorted(set(labels), key=self.order.__getitem__)


def import_labels(
    path: Path,
    *,
    annotator: str | None = None,
    file_format: Format | None = None,
    corpus_dir: Path = Path("corpus"),
    labels_dir: Path = Path("labels"),
    schema_path: Path | None = None,
    now: datetime | None = None,
) -> LabelImportReport:
    """Import a file of labeled sentences into the corpus and the labels (see the module docs)."""
    path, corpus_dir, labels_dir = Path(path), Path(corpus_dir), Path(labels_dir)
    schema = load_schema(Path(schema_path) if schema_path else labels_dir / "schema.yaml")
    file_format = file_format or guess_format(path)
    if not path.exists():
        raise NewskitError(f"{path}: no such file or folder", "check the path")
    report = LabelImportReport(source=path)
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-") or "labels"
    key = text_id(f"{fingerprint(path)}\0{annotator or ''}")[:12]
    earlier = sorted((labels_dir / IMPORTED_DIR).glob(f"*__{slug}-{key}.jsonl"))
    if earlier:
        report.already_imported = earlier[0]
        return report
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    name = f"{stamp:%Y%m%dT%H%M%SZ}__{slug}-{key}.jsonl"
    report.labels_path, report.given_path = labels_dir / IMPORTED_DIR / name, corpus_dir / GIVEN_DIR / name
    known = _given_ids(corpus_dir / GIVEN_DIR)
    new_dirs = [
        d for d in (corpus_dir, report.given_path.parent, report.labels_path.parent) if not d.exists()
    ]
    try:
        with ExitStack() as stack:  # both files appear only if every row is valid
            labels_out = stack.enter_context(atomic_write(report.labels_path, "wb"))
            given_out = stack.enter_context(atomic_write(report.given_path, "wb"))
            _stream(path, file_format, schema, annotator, stamp, name, known, labels_out, given_out, report)
    except BaseException:
        for folder in reversed(new_dirs):  # leave no trace: not even an empty folder
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        raise
    if report.new_sentences == 0:
        os.unlink(report.given_path)  # nothing new for the corpus: the sentences are there already
        report.given_path = None
    report.annotations = rebuild_annotations(labels_dir, schema)
    return report


def _given_ids(folder: Path) -> set[str]:
    """The ids of the sentences already given by earlier imports (as ``split`` will number them)."""
    by_article: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        for row in read_jsonl(path):
            by_article.setdefault(row["article_id"], []).append(row["text"])
    return {i for article, texts in by_article.items() for i in sentence_ids(article, texts)}


def _stream(
    path: Path,
    file_format: Format,
    schema: Schema,
    annotator: str | None,
    stamp: datetime,
    name: str,
    known: set[str],
    labels_out: Any,
    given_out: Any,
    report: LabelImportReport,
) -> None:
    checks = [_TaskCheck(task) for task in schema.tasks]
    label_columns = set(_columns(schema))  # split on | in CSV: a second single label is an error
    created = stamp.isoformat().replace("+00:00", "Z")
    finished: set[str] = set()  # articles whose rows are done (rows of an article must be together)
    current, occurrences = None, Counter()
    seen_columns: set[str] = set()
    for where_row, values in read_label_rows(path, file_format, label_columns):
        if not seen_columns:
            seen_columns = set(values)
            _check_header(path, seen_columns, schema, annotator, report)
        where = f"{path}: {where_row}"
        text = values.get("text")
        if not isinstance(text, str) or not text.strip():
            raise NewskitError(f"{where}: no text (got {text!r})", "every row needs the sentence in `text`")
        who = values.get("annotator") or annotator
        if not isinstance(who, str) or not who.strip():
            raise NewskitError(f"{where}: no annotator", "add an annotator column or pass --annotator NAME")
        try:
            labels = {check.name: check.value(values) for check in checks}
        except _Problem as problem:
            raise NewskitError(f"{where}: {problem.message}", problem.hint) from None
        if not any(labels.values()):
            raise NewskitError(f"{where}: no label for any task", "label the sentence or remove the row")
        raw_key = values.get("article_id")
        article_key = str(raw_key) if raw_key not in (None, "") else None
        report.without_article += article_key is None
        article = given_article_id(article_key) if article_key else given_article_id(f"text:{text_id(text)}")
        if article_key is None and (article == current or article in finished):
            raise NewskitError(
                f"{where}: the sentence {text[:60]!r} is in the file twice (without article_id the same "
                "text is the same sentence)",
                "remove the repeated row, or give the rows an article_id",
            )
        if article != current:
            if article in finished:
                raise NewskitError(
                    f"{where}: article {article_key!r} appears again after other articles",
                    "keep the rows of one article together (sort the file by article_id)",
                )
            if current is not None:
                finished.add(current)
            current, occurrences = article, Counter()
            report.articles += 1
        occurrences[text] += 1
        identifier = sentence_id(article, text, occurrences[text])
        if identifier not in known:
            meta = {k: (str(values[k]) if values.get(k) not in (None, "") else None) for k in META}
            given_out.write(_line({"article_id": article, "article_key": article_key, "text": text, **meta}))
            report.new_sentences += 1
        labels_out.write(
            _line(
                {
                    "sentence_id": identifier,
                    "article_id": article,
                    "text": text,
                    "annotator": who.strip(),
                    **labels,
                    "cancelled": False,
                    "created_at": created,
                    "updated_at": created,
                    "lead_time": None,
                    "task_id": None,
                    "annotation_id": f"{name}:{where_row}",
                    "project": PROJECT,
                    "snapshot": f"{IMPORTED_DIR}/{name}",
                }
            )
        )
        report.rows += 1
        report.annotators[who.strip()] += 1
    if report.rows == 0:
        raise NewskitError(f"{path}: no rows", "add one labeled sentence per row")
    if report.without_article:
        report.assumed = (
            f"{report.without_article} row(s) without article_id: each of those sentences is an article "
            "of its own (no context; the split cannot keep sentences of one article together)"
        )


def _check_header(path: Path, columns: set[str], schema: Schema, annotator: str | None, report: Any) -> None:
    """Columns: text and at least one task; the rest known or listed as ignored."""
    if "text" not in columns:
        raise NewskitError(f"{path}: no text column (columns: {', '.join(sorted(columns))})", "name it text")
    task_columns = set(_columns(schema))
    if not columns & task_columns:
        raise NewskitError(
            f"{path}: no label column (columns: {', '.join(sorted(columns))})",
            f"name label columns by task id or field: {', '.join(sorted(task_columns))}",
        )
    known = {"text", "article_id", "annotator", *META, *task_columns}
    report.ignored_columns = sorted(columns - known)
