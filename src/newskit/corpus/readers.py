"""Readers for the raw input formats: text, HTML, JSON Lines and CSV.

Each reader turns one file's bytes into raw records (text plus whatever
metadata the format carries). Every problem is a :class:`NewskitError` naming
the file (and line or row) and what to do about it.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newskit.corpus.encoding import decode_bytes
from newskit.errors import NewskitError

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
TABLE_SUFFIXES = (".jsonl", ".csv")
WARC_SUFFIXES = (".warc", ".warc.gz")  # read by newskit.corpus.warc, streamed from the file
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + TABLE_SUFFIXES + WARC_SUFFIXES
TEXT_COLUMNS = ("text", "body", "content")
META_COLUMNS = ("title", "source", "url", "date", "author")


@dataclass(frozen=True)
class RawRecord:
    """One article as found in a raw file, before cleaning."""

    text: str
    encoding: str
    raw_record: int | None = None  # line (JSONL) or data row (CSV) number, 1-based
    meta: dict[str, Any] = field(default_factory=dict)
    text_column: str | None = None


def is_supported(path: Path) -> bool:
    """Whether ``path`` has an extension ingest can read."""
    return path.suffix.lower() in SUPPORTED_SUFFIXES or path.name.lower().endswith(WARC_SUFFIXES)


def read_records(path: Path, data: bytes, *, where: str) -> list[RawRecord]:
    """Parse ``data`` (the bytes of ``path``) into raw records; ``where`` names it in errors."""
    suffix = path.suffix.lower()
    if not data.strip():
        raise NewskitError(f"{where}: file is empty", "add the article text or remove the file")
    decoded = decode_bytes(data, where=where)
    if suffix in TEXT_SUFFIXES:
        return [RawRecord(decoded.text, decoded.encoding)]
    if suffix in HTML_SUFFIXES:
        return [read_html(decoded.text, encoding=decoded.encoding, where=where)]
    if suffix == ".jsonl":
        return read_jsonl_records(decoded.text, encoding=decoded.encoding, where=where)
    if suffix == ".csv":
        return read_csv_records(decoded.text, encoding=decoded.encoding, where=where)
    raise NewskitError(
        f"{where}: unsupported file type {path.suffix or '(no extension)'!r}",
        f"give {', '.join(SUPPORTED_SUFFIXES)} files",
    )


def _clean_meta(values: dict[str, Any]) -> dict[str, Any]:
    """Metadata columns with a non-empty value, as stripped strings."""
    meta = {}
    for key in META_COLUMNS:
        value = values.get(key)
        if value is not None and str(value).strip():
            meta[key] = str(value).strip()
    return meta


def _text_of(values: dict[str, Any]) -> tuple[str | None, str | None]:
    for column in TEXT_COLUMNS:
        value = values.get(column)
        if isinstance(value, str) and value.strip():
            return column, value
    return None, None


def read_jsonl_records(text: str, *, encoding: str, where: str) -> list[RawRecord]:
    """One article per JSON line, text in ``text`` (or ``body``/``content``)."""
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values = json.loads(line)
        except json.JSONDecodeError as exc:
            message = f"{where}:{number}: malformed JSON ({exc.msg} at column {exc.colno})"
            raise NewskitError(message, "fix or remove that line") from None
        if not isinstance(values, dict):
            raise NewskitError(f"{where}:{number}: expected a JSON object", 'each line must be {"text": ...}')
        column, body = _text_of(values)
        if body is None:
            raise NewskitError(
                f"{where}:{number}: no article text (none of the fields {', '.join(TEXT_COLUMNS)} has text)",
                'give each line a non-empty "text" field',
            )
        records.append(RawRecord(body, encoding, number, _clean_meta(values), column))
    if not records:
        raise NewskitError(f"{where}: no records", "add one JSON object per line")
    return records


def read_csv_records(text: str, *, encoding: str, where: str) -> list[RawRecord]:
    """One article per CSV row; the header must name a text column (``text``, ``body`` or ``content``)."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    column = next((name for name in TEXT_COLUMNS if name in header), None)
    if column is None:
        raise NewskitError(
            f"{where}: no text column (header: {', '.join(header) or 'empty'})",
            f"name the article column one of: {', '.join(TEXT_COLUMNS)}",
        )
    records = []
    try:
        for number, row in enumerate(reader, start=1):
            values = {str(key).strip().lower(): value for key, value in row.items() if key is not None}
            body = values.get(column)
            if not isinstance(body, str) or not body.strip():
                raise NewskitError(
                    f"{where}: row {number}: the {column} column is empty", "fill it in or remove the row"
                )
            records.append(RawRecord(body, encoding, number, _clean_meta(values), column))
    except csv.Error as exc:
        raise NewskitError(f"{where}: malformed CSV ({exc})", "check the quoting of that file") from None
    if not records:
        raise NewskitError(f"{where}: no rows", "add one article per row below the header")
    return records


def read_html(html: str, *, encoding: str, where: str) -> RawRecord:
    """Main text and metadata of an HTML page, extracted offline by trafilatura."""
    import trafilatura  # imported here: loading it takes a moment and plain text does not need it

    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    logging.getLogger("htmldate").setLevel(logging.ERROR)
    try:
        document = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            deduplicate=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # trafilatura raises many kinds of parser errors on broken markup
        message = f"{where}: cannot parse the HTML ({exc})"
        raise NewskitError(message, "check that it is an HTML page") from None
    values = document.as_dict() if document is not None and hasattr(document, "as_dict") else document or {}
    body = values.get("text")
    if not isinstance(body, str) or not body.strip():
        raise NewskitError(
            f"{where}: no main text found in the HTML page",
            "save the article page itself (not an index page), or paste its text into a .txt file",
        )
    meta = _clean_meta(
        {
            "title": values.get("title"),
            "source": values.get("sitename") or values.get("hostname"),
            "url": values.get("url"),
            "date": values.get("date"),
            "author": values.get("author"),
        }
    )
    return RawRecord(body, encoding, None, meta, "html-main-text")
