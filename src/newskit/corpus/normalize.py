"""From one raw record to one article record: repair, remove furniture, find metadata.

The normalized text is the article's paragraphs (kept lines, whitespace
collapsed, hard-wrapped lines joined) separated by one blank line, in Unicode
NFC. The article id does not come from this text (it would change with every cleaning
rule): ingest gives it from the raw record (:func:`newskit.identity.raw_article_id`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from newskit.corpus.boilerplate import RuleSet, remove_furniture
from newskit.corpus.encoding import remaining_mojibake, repair_mojibake
from newskit.corpus.readers import RawRecord
from newskit.corpus.textmeta import extract_text_metadata
from newskit.errors import NewskitError

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def _iso_date(value: str | None) -> str | None:
    """ISO date (YYYY-MM-DD) from a metadata value such as '2026-01-05T10:00:00Z', else None."""
    if not value:
        return None
    match = _ISO_DATE.match(value.strip())
    return "-".join(match.groups()) if match else None


def normalize_record(record: RawRecord, *, rules: RuleSet, where: str) -> dict[str, Any]:
    """The article fields (without id, raw_path, raw_sha256) and the ``cleaning`` report for one record."""
    text = record.text.replace("\r\n", "\n").replace("\r", "\n")
    text, repairs = repair_mojibake(text)
    text = unicodedata.normalize("NFC", text)
    raw_lines = text.split("\n")
    cleaned = remove_furniture(text, rules)
    if not cleaned.lines:
        raise NewskitError(
            f"{where}: no article text left after removing page furniture",
            "check the text, or pass --boilerplate with rules that keep it",
        )
    normalized = "\n\n".join(cleaned.paragraphs)
    found = extract_text_metadata(raw_lines, cleaned.lines, cleaned.removed)
    meta = record.meta
    metadata_from = {key: "input" for key in ("title", "source", "url", "author") if meta.get(key)}
    date = _iso_date(meta.get("date"))
    if date:
        metadata_from["date"] = "input"
    elif meta.get("date"):
        metadata_from["date_unparsed"] = meta["date"]
    for key, value in (("title", found.title), ("date", found.date), ("author", found.author)):
        current = date if key == "date" else meta.get(key)
        if not current and value:
            metadata_from[key] = {"from": "text", **found.found[key]}
    counts = {
        "input_lines": sum(1 for line in raw_lines if line.strip()),
        "lines_removed": sum(1 for item in cleaned.removed if item["scope"] == "line"),
        "fragments_removed": sum(1 for item in cleaned.removed if item["scope"] == "fragment"),
        "lines_joined": len(cleaned.joined_lines),
        "paragraphs": len(cleaned.lines),
        "characters": len(normalized),
    }
    cleaning: dict[str, Any] = {
        "encoding": record.encoding,
        "mojibake_repairs": repairs,
        "mojibake_left": remaining_mojibake(normalized),
        "removed_lines": cleaned.removed,
        "joined_lines": cleaned.joined_lines,
        "counts": counts,
        "metadata_from": metadata_from,
        "boilerplate_rules": {"file": rules.origin, "sha256": rules.sha256},
        "text_field": record.text_column,
        "duplicates": [],
    }
    return {
        "title": meta.get("title") or found.title,
        "source": meta.get("source"),
        "url": meta.get("url"),
        "date": date or found.date,
        "author": meta.get("author") or found.author,
        "text": normalized,
        "raw_record": record.raw_record,
        "cleaning": cleaning,
    }
