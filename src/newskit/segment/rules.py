"""Sentence-boundary rules for German news text, on spaCy tokens.

The rules look only at a few tokens around each candidate: a token ending in ``.``, ``!``,
``?`` or ``…``, and each whitespace token holding a line break. Token offsets come from one
``Doc.to_array`` call per document, so the cost is one Python step per candidate, not per token.

In short:

* ``!`` and ``?`` end a sentence unless a lower-case word or a comma follows (``?“, schrieb er``).
* A period ends a sentence before a capitalized word, a digit or an opening quote or bracket,
  except after abbreviations (``Dr.``, ``z.B.``, ``Nr. 5``), ordinals and dates (``am 27. November``,
  ``der 2. Armee``) and initials (``J. Fischer``). Ambiguous cases (``3 Mrd.``, ``v. Chr.``, ``J.``)
  end a sentence only before a word that clearly opens one (``Die``, ``Er``, ``Dann``, ...).
* Closing quotes and brackets after the sentence end stay with the sentence. An ellipsis that
  opens a unit (``„… Dann sei man bereit.“``, ``Schulze: … und ich``) is not a sentence end.
* A line break separates units (headline, dateline, byline, caption) unless the line clearly
  continues: the next line starts lower-case, or the line ends in a comma, colon, dash, opening
  bracket or a word such as ``der`` or ``und`` (but ``an\nDer`` is a headline ending in a verb
  particle). After a sentence end a blank line always separates; within a running sentence the
  text goes on across a blank line too when it goes on in lower case, or after a comma or a
  word such as ``der``, ``und`` or ``in``.
* Classes of lines (:mod:`newskit.segment.lines`): a credit line (``dpa``, ``© Name/dpa``,
  ``picture alliance/dpa | Name``) and a dateline alone on its line (``Moskau.``) are units of
  their own; a metadata prefix at the start of a line (``date 2024``, ``date 2023-06``,
  ``date 2024-03-05T14:30:00+01:00``, ``Stand: 12.03.2024 14:05 Uhr``) is its own unit when the
  text goes on in the same line.
* Colons, semicolons and dashes never end a sentence; no boundary is ever placed inside a token.
"""

from __future__ import annotations

import bisect
import itertools
import re

from spacy.tokens import Doc

from newskit.segment.lines import (
    continues_line,
    is_credit_line,
    is_dateline,
    metadata_prefix_end,
    text_lines,
)
from newskit.segment.tokens import (
    BULLETS,
    CLOSERS,
    LINE_END_CONTINUATIONS,
    OPENERS,
    PARAGRAPH_CONTINUATIONS,
    TERMINAL_CHARS,
    TokenView,
    token_kind,
)
from newskit.segment.words import (
    AMBIGUOUS_ABBREVIATIONS,
    CONTINUING_WORDS,
    DETERMINERS,
    FINAL_ABBREVIATIONS,
    MONTHS,
    NUMBER_PREFIXES,
    POLITE_PRONOUNS,
    PREFIX_ABBREVIATIONS,
    QUANTITY_WORDS,
    SENTENCE_STARTERS,
    VERB_PARTICLES,
)

ORDINAL_RE = re.compile(r"\d{1,3}|\d{1,2}\.\d{1,2}|\d{1,3}\.?[-–/]\d{1,3}|[IVX]{2,5}")
NUMBER_RE = re.compile(r"\d{4,}|\d{1,3}(?:\.\d{3})+|\d+,\d+|\d{1,2}\.\d{1,2}\.\d{2,4}")
DOTTED_RE = re.compile(r"(?:\w{1,4}\.)+\w{1,4}")


def _classify(base: str | None) -> str:
    """Category of the word before a period: how likely the period ends a sentence."""
    if not base:
        return "normal"
    low = base.lower()
    if ORDINAL_RE.fullmatch(base):
        return "ordinal"
    if NUMBER_RE.fullmatch(base):
        return "number"
    if low in FINAL_ABBREVIATIONS:
        return "final"
    if low in PREFIX_ABBREVIATIONS:
        return "prefix"
    if low in NUMBER_PREFIXES:
        return "number_prefix"
    if low in AMBIGUOUS_ABBREVIATIONS:
        return "ambiguous"
    if len(base) == 1 and base.isalpha():
        return "prefix" if base.islower() else "ambiguous"
    if "." in base and DOTTED_RE.fullmatch(base):
        return "prefix" if base[0].islower() else "ambiguous"
    return "normal"


def _period_ends_sentence(category: str, word: str, kind: str, before: str) -> bool:
    """Decide a period of ``category`` followed by ``word`` (of ``kind``); ``before`` precedes it."""
    if kind in ("lower", "cont"):
        return False
    starter = word in SENTENCE_STARTERS or kind == "open"
    month = word.rstrip(".").lower() in MONTHS
    if category == "normal" or category == "final":
        return True
    if category == "prefix":
        return False
    if category == "number_prefix":
        return kind != "digit"
    if category == "ambiguous":
        return starter
    if category == "ordinal":
        if kind == "digit" or month:
            return False
        return starter or (kind == "upper" and before in QUANTITY_WORDS)
    # category == "number": a year or a quantity ("im Juni 2023. Im Süden", "rund 1.700.")
    if month:
        return False
    return starter or before not in DETERMINERS


def _terminal_run(t: TokenView, i: int) -> tuple[int, str, str]:
    """From a token ``i`` ending in a terminal char: (last index of the run, kind of run, base word)."""
    first = t.word(i)
    j = i
    while t.attached(j) and all(c in TERMINAL_CHARS for c in t.word(j + 1)):
        j += 1
    punct = "".join(t.word(k) for k in range(i, j + 1))
    if all(c in TERMINAL_CHARS for c in first):
        base = t.word(i - 1) if i > 0 and t.attached(i - 1) else ""
    else:
        base = first.rstrip(TERMINAL_CHARS)
        punct = punct[len(base) :]
    if "!" in punct or "?" in punct:
        return j, "strong", base
    if "…" in punct or ".." in punct:
        return j, "ellipsis", base
    return j, "period", base


def _skip_closers(t: TokenView, j: int) -> int:
    """Last index of the closing quotes and brackets attached after token ``j``."""
    while t.attached(j) and t.word(j + 1) in CLOSERS:
        j += 1
    return j


def _terminal_boundary(t: TokenView, i: int) -> tuple[int, int | None, bool]:
    """Handle a terminal run starting at ``i``: (last index used, next content token, boundary?)."""
    last, run, base = _terminal_run(t, i)
    last = _skip_closers(t, last)
    k = t.next_content(last)
    if k is None:
        return last, None, False
    word = t.word(k)
    kind = token_kind(word)
    if run == "strong":
        decided = kind not in ("lower", "cont")
        category = "strong"
    elif run == "ellipsis":
        opener = t.prev_content(i)
        if opener is not None and t.word(opener) in ("(", "["):
            return last, k, False
        if t.word(i).strip(".…") == "" and _opens_unit(t, i):
            return last, k, False  # "„… Dann sei man bereit“": it opens a (continued) quotation
        category = "normal"
        resumed = t.next_content(k) if word.strip(".…") == "" and not t.line_breaks(last, k) else None
        if resumed is not None and token_kind(t.word(resumed)) == "lower":
            return last, k, False  # "Man werde abwarten … … und dann": the sentence resumes
        decided = _period_ends_sentence(category, word, kind, "")
    else:
        category = _classify(base)
        start_of_base = i - 1 if t.word(i) == "." else i
        before = t.prev_content(start_of_base)
        before_word = t.word(before).lower() if before is not None else ""
        decided = _period_ends_sentence(category, word, kind, before_word)
    if (
        not decided
        and kind not in ("lower", "cont")
        and category not in ("prefix", "ordinal", "number_prefix")
    ):
        # A line break after an ambiguous period ("54 Min.\nDer ...") is a boundary.
        decided = t.line_breaks(last, k) > 0
    if not decided and t.line_breaks(last, k) > 1:
        decided = True
    return last, k, decided


def _opens_unit(t: TokenView, i: int) -> bool:
    """Whether token ``i`` stands where a unit begins: at the start of the text or of a line,
    after opening quotes or brackets, after a colon or after a sentence end."""
    j = t.prev_content(i)
    while j is not None and t.word(j) in OPENERS and t.line_breaks(j, i) == 0:
        i, j = j, t.prev_content(j)
    if j is None or t.line_breaks(j, i) > 0:
        return True
    word = t.word(j)
    while word in CLOSERS and (j := t.prev_content(j)) is not None:
        word = t.word(j)
    return word[-1] in TERMINAL_CHARS or word == ":"


def _line_break_boundary(t: TokenView, prev: int, k: int, sentence_inside_line: bool) -> bool:
    """Whether the line break(s) between content tokens ``prev`` and ``k`` separate two units.

    ``sentence_inside_line`` tells whether a sentence started inside the line that ``prev``
    ends: a line of running text whose last sentence is unfinished goes on in the next line.
    ``prev`` never ends a sentence here (the terminal rule decides those line breaks), so a
    text going on in lower case goes on the sentence, across a blank line too.
    """
    word = t.word(k)
    if word in BULLETS or _is_enumeration(t, k):
        return True
    blank_line = t.line_breaks(prev, k) > 1
    if token_kind(word) == "cont" or (token_kind(word) == "lower" and (word.islower() or not blank_line)):
        return False
    last = t.word(prev)
    if last in PARAGRAPH_CONTINUATIONS:
        return False
    if not blank_line and (last in LINE_END_CONTINUATIONS or last.endswith("-")):
        return False
    if last.islower() and last in CONTINUING_WORDS and not (blank_line and last in VERB_PARTICLES):
        # "Gespräche mit der\nUkraine" goes on; a headline ending in a verb particle
        # ("Kreml kündigt Gespräche an\nDer Kreml ...") does not: "Der" never follows "an".
        return word in SENTENCE_STARTERS and word not in POLITE_PRONOUNS and last not in DETERMINERS
    if blank_line:
        return True
    return not (sentence_inside_line and token_kind(last) in ("lower", "upper", "digit"))


def _is_enumeration(t: TokenView, k: int) -> bool:
    """Whether token ``k`` opens a numbered list item ("1. Punkt", "a) Punkt")."""
    word = t.word(k)
    if re.fullmatch(r"\d{1,2}\.", word):
        return True
    return len(word) <= 2 and word.isalnum() and t.attached(k) and t.word(k + 1) == ")"


def sentence_starts(doc: Doc, terminal_flag: int, break_flag: int) -> list[int]:
    """Indices of the tokens of ``doc`` that start a sentence (0 first, if ``doc`` is not empty).

    ``terminal_flag`` and ``break_flag`` are the ids of the lexeme flags that
    :class:`newskit.segment.segmenter.NewsSentenceBoundaries` registers on the vocabulary.
    """
    t = TokenView(doc, terminal_flag, break_flag)
    if t.n == 0:
        return []
    candidates = set(t.candidates)
    starts = {0}
    handled_until = -1
    for i in t.candidates:
        if i > handled_until:
            handled_until, k, boundary = _terminal_boundary(t, i)
            if boundary and k is not None:
                starts.add(k)
    lines = text_lines(t)
    for number, line in enumerate(lines):
        if (end := metadata_prefix_end(t, line.first)) is not None:
            starts.add(end)
        credit = is_credit_line(t, line)
        if (credit or is_dateline(t, line)) and number and not continues_line(t, lines[number - 1].last):
            starts.add(line.first)  # a credit line or a dateline is a unit of its own
        if credit and number + 1 < len(lines):
            starts.add(lines[number + 1].first)
    inner_starts = sorted(starts)
    for line, following in itertools.pairwise(lines):
        prev, k = line.last, following.first
        if k in starts or _ends_terminal_run(t, prev, candidates):
            continue  # the terminal rule already took the line break into account
        inside = bisect.bisect_right(inner_starts, line.first) < bisect.bisect_right(inner_starts, prev)
        if _line_break_boundary(t, prev, k, inside):
            starts.add(k)
    return sorted(starts)


def _ends_terminal_run(t: TokenView, prev: int, candidates: set[int]) -> bool:
    """Whether content token ``prev`` is the end of a terminal run (plus closing quotes)."""
    j = prev
    while j >= 0 and t.word(j) in CLOSERS and j - 1 >= 0 and t.attached(j - 1):
        j -= 1
    return j in candidates
