"""Metadata found in the text itself: headline, date, byline.

Used when the input carries no metadata (plain text files, JSONL/CSV rows
without those columns). Dates are only taken from places that state the
article's own date (a dateline, a date label, the page's date header, a credit
line), never from a date mentioned in a sentence.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

MONTHS_DE = ["januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober"]
MONTHS_DE += ["november", "dezember"]
MONTHS_EN = ["january", "february", "march", "april", "may", "june", "july", "august", "september"]
MONTHS_EN += ["october", "november", "december"]
_MONTH_NUMBER = {name: number for names in (MONTHS_DE, MONTHS_EN) for number, name in enumerate(names, 1)}
_MONTH_NAMES = "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True))

# (name, pattern, where it may be searched): "any" = every input line, "removed" = only
# lines removed as furniture (a credit line), so dates inside sentences are never used.
_WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_UPDATED = r"(?:Aktualisiert|Veröffentlicht|Erschienen|Stand)(?: am)?:?"
_DATE_PATTERNS: list[tuple[str, re.Pattern[str], str]] = [
    (
        "dateline",
        re.compile(rf"{_UPDATED} (\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}})"),
        "any",
    ),
    ("date-label", re.compile(r"^\s*date\s+(\d{4})-(\d{2})-(\d{2})\b"), "any"),
    (
        "page-date",
        re.compile(rf"^(?:{_WEEKDAYS}), (\d{{1,2}}) ({_MONTH_NAMES}) (\d{{4}})$", re.I),
        "any",
    ),
    ("credit-date", re.compile(rf"\bam (\d{{1,2}})\. ({_MONTH_NAMES}) (\d{{4}})\b", re.I), "removed"),
]
_BYLINE = re.compile(r"^(?:Von|By) ([A-ZÄÖÜ][^.!?]*(?:\.[^.!?]+)*)$")
_HEADLINE_MAX_WORDS = 30


@dataclass(frozen=True)
class TextMetadata:
    """What the text says about itself; ``found`` tells where each value came from."""

    title: str | None
    date: str | None
    author: str | None
    found: dict[str, Any]


def _to_iso(name: str, groups: tuple[str, ...]) -> str | None:
    try:
        if name == "date-label":
            year, month, day = (int(part) for part in groups)
        elif name == "dateline":
            day, month, year = (int(part) for part in groups)
        else:
            day, month, year = int(groups[0]), _MONTH_NUMBER[groups[1].lower()], int(groups[2])
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def find_date(lines: list[str], removed_numbers: set[int]) -> tuple[str | None, dict[str, Any] | None]:
    """The article date (ISO) from a dateline, a date label, a date header or a credit line."""
    for name, pattern, scope in _DATE_PATTERNS:
        for number, line in enumerate(lines, start=1):
            if scope == "removed" and number not in removed_numbers:
                continue
            match = pattern.search(line)
            if match and (iso := _to_iso(name, match.groups())):
                return iso, {"line": number, "pattern": name}
    return None, None


def looks_like_headline(line: str) -> bool:
    """A short line that does not end like a sentence of body text ('.', ',', ':' or ';')."""
    return len(line.split()) <= _HEADLINE_MAX_WORDS and not re.search(r"[.,:;]$", line)


def extract_text_metadata(
    raw_lines: list[str], kept: list[tuple[int, str]], removed: list[dict[str, Any]]
) -> TextMetadata:
    """Title (first kept line, if it is a headline), date and byline author from the text."""
    found: dict[str, Any] = {}
    title = None
    if kept and looks_like_headline(kept[0][1]):
        title = kept[0][1]
        found["title"] = {"line": kept[0][0], "pattern": "first-headline-line"}
    date, where = find_date(raw_lines, {item["line"] for item in removed})
    if where:
        found["date"] = where
    author = None
    for number, line in kept[:6]:
        match = _BYLINE.match(line)
        if match:
            author = match.group(1).strip()
            found["author"] = {"line": number, "pattern": "byline"}
            break
    return TextMetadata(title=title, date=date, author=author, found=found)
