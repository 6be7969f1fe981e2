"""Classes of lines for the sentence rules: metadata prefixes, credit lines and datelines.

A line is judged by its shape, never by its words alone: a credit line opens with a credit
word (an agency, a photo service, ``©``, ``Foto:``) and has no sentence end; a dateline is one
to a few capitalized words and a final period, alone on its line; a metadata prefix is a label
(``date``, ``Stand:``) with an ISO or German date of any precision (``2024``, ``2023-06``,
``2024-03-05T14:30:00+01:00``, ``12.03.2024 14:05 Uhr``) before the text of the same line.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from newskit.segment.tokens import LINE_END_CONTINUATIONS, TERMINAL_CHARS, TokenView, token_kind
from newskit.segment.words import (
    CONTINUING_WORDS,
    CREDIT_LABELS,
    CREDIT_LOWER_WORDS,
    CREDIT_WORDS,
    DATELINE_LABELS,
    VERB_PARTICLES,
)

DATE_RE = re.compile(
    r"\d{4}(?:-\d{2}(?:-\d{2})?)?(?:T\d{2}(?::\d{2}){0,2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}\.\d{1,2}\.\d{2,4}"
)
TIME_RE = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")
DATELINE_OPENERS = DATELINE_LABELS - frozenset(
    {"am", "um", "vom", "uhr", "mez", "mesz", ":", "|", "-", "–", ",", "/"}
)
CREDIT_SEPARATORS = re.compile(r"[/|,:·\-–]")
DATELINE_JOINERS = frozenset({"/", "-", "–", "(", ")", ","})
MAX_CREDIT_TOKENS = 16
MAX_DATELINE_TOKENS = 8


class Line(NamedTuple):
    """A line of the text: its first and last content token."""

    first: int
    last: int


def text_lines(t: TokenView) -> list[Line]:
    """The lines of the doc that hold content, in order."""
    lines: list[Line] = []
    first = t.next_content(-1)
    for brk in t.break_tokens:
        if first is not None and first < brk:
            last = t.prev_content(brk)
            if last is not None and last >= first:
                lines.append(Line(first, last))
            first = None
        if first is None:
            first = t.next_content(brk)
    if first is not None:
        last = t.prev_content(t.n)
        if last is not None and (not lines or first > lines[-1].last):
            lines.append(Line(first, last))
    return lines


def chunk_end(t: TokenView, i: int) -> int:
    """Last index of the tokens written without space from token ``i`` on."""
    while t.attached(i):
        i += 1
    return i


def metadata_prefix_end(t: TokenView, i: int) -> int | None:
    """If a line starting at token ``i`` opens with a date label and goes on, the token after it.

    Words are read as chunks of tokens written without space ("2026-01-17" is five tokens).
    """
    seen_date = False
    j = i
    while j < t.n and j - i < 24:
        if t.space[j]:
            if t.has_break(j):
                return None
            j += 1
            continue
        end = chunk_end(t, j)
        chunk = t.words(j, end)
        label = chunk.lower().rstrip(":,|")
        if DATE_RE.fullmatch(chunk.rstrip(",;|")):
            seen_date = True
        elif j == i and label not in DATELINE_OPENERS:
            return None
        elif not (TIME_RE.fullmatch(chunk.rstrip(",")) or DATELINE_LABELS & {label, chunk}):
            break
        j = end + 1
    if not seen_date or j >= t.n:
        return None
    word = t.word(j)
    kind = token_kind(word)
    if word.startswith("Uhr") or not (kind == "upper" or (kind == "open" and word not in "([{")):
        return None
    return j


def _has_terminal(t: TokenView, line: Line) -> bool:
    return any(t.word(k)[-1] in TERMINAL_CHARS for k in range(line.first, line.last + 1) if not t.space[k])


def is_credit_line(t: TokenView, line: Line) -> bool:
    """An agency or photo credit: a short line opening with a credit word, without a sentence end.

    ``dpa``, ``AFP``, ``Reuters``, ``© Name/dpa``, ``picture alliance/dpa | Name``,
    ``Foto: Name/AP/dpa``, ``IMAGO/Ukrinform``, ``epd/kna``, ``mrc/dpa/AFP`` (editor initials).
    """
    if line.last - line.first + 1 > MAX_CREDIT_TOKENS or _has_terminal(t, line):
        return False
    chunk = t.words(line.first, chunk_end(t, line.first))
    pieces = CREDIT_SEPARATORS.split(chunk.lower())
    head = pieces[0]
    credited = head in CREDIT_WORDS or head.startswith("©") or (chunk.endswith(":") and head in CREDIT_LABELS)
    if not (credited or ("/" in chunk and CREDIT_WORDS.intersection(pieces))):
        return False
    for k in range(line.first, line.last + 1):
        word = t.word(k)
        if word.isalpha() and word.islower() and not _credit_lower_word(t, k):
            return False  # running text ("dpa meldete am Abend"), not a credit
    return t.word(line.last) not in LINE_END_CONTINUATIONS


def _credit_lower_word(t: TokenView, k: int) -> bool:
    """Whether lower-case token ``k`` may stand in a credit: an agency, or initials joined by ``/``."""
    word = t.word(k)
    if word in CREDIT_WORDS or word in CREDIT_LOWER_WORDS:
        return True
    after_slash = k > 0 and t.attached(k - 1) and t.word(k - 1) == "/"
    before_slash = t.attached(k) and t.word(k + 1) == "/"
    return (after_slash or before_slash) and len(word) <= 4


def is_dateline(t: TokenView, line: Line) -> bool:
    """A dateline alone on its line: capitalized words and a final period (``Moskau.``, ``Kiew/Moskau.``)."""
    if line.last - line.first + 1 > MAX_DATELINE_TOKENS or t.word(line.last) != ".":
        return False
    words = [t.word(k) for k in range(line.first, line.last) if not t.space[k]]
    if not words or token_kind(words[0]) != "upper":
        return False
    return all(_dateline_word(word) for word in words)


def _dateline_word(word: str) -> bool:
    """A word a dateline is made of: a place name, a joiner, an agency (``Berlin (epd).``)."""
    if word in DATELINE_JOINERS or word in CREDIT_WORDS:
        return True
    return word[0].isupper() and word.replace("-", "").isalpha()


def continues_line(t: TokenView, last: int) -> bool:
    """Whether a line ending in content token ``last`` clearly goes on in the next line.

    A verb particle does not count: a headline may end in one ("Kreml kündigt Gespräche an").
    """
    word = t.word(last)
    if word in LINE_END_CONTINUATIONS or word.endswith("-"):
        return True
    return word.islower() and word in CONTINUING_WORDS and word not in VERB_PARTICLES
