"""Batch prediction over a file of sentence records (``newskit predict RUN --input FILE``).

Each input record needs a ``text`` (one sentence, never re-split). The output is the
record unchanged plus one key, ``prediction``: per task its labels and per-label
probabilities, the ``confidence`` and the run's ``model_version``. Records stream through
in batches, so memory stays flat however large the input is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from newskit.errors import NewskitError
from newskit.jsonio import atomic_write, dumps
from newskit.records import iter_records
from newskit.training.predict import Run, load_run

PREDICTION_KEY = "prediction"
BATCH_SIZE = 2048


@dataclass
class BatchReport:
    """What a batch prediction did."""

    records: int = 0
    output: Path | None = None
    workers: list[str] = field(default_factory=list)  # processes that loaded the run (sharded runs)


def load_run_with_schema(run_dir: Path, schema_path: Path | None) -> Run:
    """The run, with the exclusive labels of the schema at ``schema_path`` applied (if given)."""
    from newskit.labels.schema import load_schema

    return load_run(run_dir, schema=load_schema(Path(schema_path)) if schema_path else None)


def checked_text(record: dict[str, Any], where: str) -> str:
    """The record's ``text``; a missing or empty text, or a field we would overwrite, is an error."""
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise NewskitError(
            f'{where}: no text (each record needs a non-empty "text")', "fix or remove that record"
        )
    if PREDICTION_KEY in record:
        raise NewskitError(
            f"{where}: the record already has a {PREDICTION_KEY!r} field, which the output would overwrite",
            f"rename or drop the {PREDICTION_KEY!r} field of the input",
        )
    return text


def predict_records(
    run: Run, records: Iterable[tuple[str, dict[str, Any]]], *, batch_size: int = BATCH_SIZE
) -> Iterator[dict[str, Any]]:
    """Each ``(where, record)`` → the record with its ``prediction``, in input order."""
    batch: list[dict[str, Any]] = []
    texts: list[str] = []

    def flush() -> Iterator[dict[str, Any]]:
        for record, result in zip(batch, run.predict(texts), strict=True):
            result["model_version"] = run.model_version
            yield {**record, PREDICTION_KEY: result}
        batch.clear()
        texts.clear()

    for where, record in records:
        texts.append(checked_text(record, where))
        batch.append(record)
        if len(batch) >= batch_size:
            yield from flush()
    if batch:
        yield from flush()


def write_predictions(run: Run, records: Iterable[tuple[str, dict[str, Any]]], handle: IO[str]) -> int:
    """Write the predicted records as JSON Lines to ``handle``; return how many."""
    count = 0
    for result in predict_records(run, records):
        handle.write(dumps(result) + "\n")
        count += 1
    return count


def predict_file(
    *,
    run_dir: Path,
    input_path: Path,
    output: Path | None = None,
    stream: IO[str] | None = None,
    schema_path: Path | None = None,
) -> BatchReport:
    """Predict every record of ``input_path`` (``.jsonl``, ``.parquet`` or a folder of parts).

    Writes to ``output`` (atomically: an error leaves no file) or, without it, to ``stream``.
    An input without records is an error. With ``schema_path``, its exclusive labels apply.
    """
    run = load_run_with_schema(run_dir, schema_path)
    records = iter_records(Path(input_path))
    report = BatchReport(output=output)
    if output is not None:
        with atomic_write(Path(output)) as handle:
            report.records = write_predictions(run, records, handle)
            _check_not_empty(report.records, input_path)
    else:
        if stream is None:
            raise NewskitError("no output given", "pass --output FILE or write to stdout")
        report.records = write_predictions(run, records, stream)
        _check_not_empty(report.records, input_path)
    return report


def _check_not_empty(count: int, input_path: Path) -> None:
    if count == 0:
        raise NewskitError(
            f"{input_path}: no records to predict", 'give one JSON object with a "text" per line'
        )
