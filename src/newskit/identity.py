"""Ids that survive a change of the cleaning rules or the splitter.

An article's id comes from where it was found, not from its cleaned text: the SHA-256 of
its raw file's bytes plus the record number in that file (raw files are never edited, so
this never changes), or, for sentences imported with their labels, the article key the
labeled file gave. A sentence's id is the article id plus a hash of the sentence text, so
the same sentence keeps its id wherever the splitter puts it; the second and later
occurrences of the same text in one article get ``-2``, ``-3``…

Every stage uses these functions; they import nothing from the stages.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator

ID_DIGITS = 16
TEXT_DIGITS = 12


def _digest(text: str, digits: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:digits]


def raw_article_id(raw_sha256: str, raw_record: int | None) -> str:
    """The article id of record ``raw_record`` (``None`` for a one-article file) of a raw file."""
    return _digest(f"raw:{raw_sha256}:{raw_record or 0}", ID_DIGITS)


def given_article_id(key: str) -> str:
    """The article id of an article known only by the key a labeled file gave it."""
    return _digest(f"given:{key}", ID_DIGITS)


def text_id(text: str) -> str:
    """The content hash of a text (article dedup, sentences without an article)."""
    return _digest(text, ID_DIGITS)


def sentence_id(article_id: str, text: str, occurrence: int = 1) -> str:
    """``<article id>:<text hash>``, with ``-<n>`` for the n-th occurrence of the text (n > 1)."""
    base = f"{article_id}:{_digest(text, TEXT_DIGITS)}"
    return base if occurrence == 1 else f"{base}-{occurrence}"


def sentence_ids(article_id: str, texts: Iterable[str]) -> Iterator[str]:
    """The ids of an article's sentences in order (repeated texts numbered by occurrence)."""
    seen: Counter[str] = Counter()
    for text in texts:
        seen[text] += 1
        yield sentence_id(article_id, text, seen[text])
