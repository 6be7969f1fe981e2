"""Gold segmentations and boundary scores for the sentence splitter (tests and ``bench/``).

Two gold formats live in ``tests/data/gold/`` (described in its ``README.md``):

* ``<seed file stem>.txt``: the raw article, one sentence per line. A line break inside a
  sentence is written as a space; otherwise the lines are the raw text as is.
* ``hard_cases.txt``: short cases separated by blank lines, one sentence per line; the escape
  ``\\n`` stands for a line break of the input text. Lines starting with ``#`` are comments.

Scores compare sentence starts (boundaries) and whole sentences, in character offsets of the
text; sentences are aligned to the text by their non-whitespace characters, so splitters that
normalise whitespace can be scored too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

Span = tuple[int, int]


def align_sentences(text: str, sentences: Iterable[str]) -> list[Span]:
    """Spans of ``sentences`` in ``text``, matching non-whitespace characters in order.

    Raises ``ValueError`` if the sentences are not the text's non-whitespace characters.
    """
    spans: list[Span] = []
    pos = 0
    for sentence in sentences:
        start = end = None
        for char in sentence:
            if char.isspace():
                continue
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text) or text[pos] != char:
                found = text[pos : pos + 20] if pos < len(text) else "end of text"
                raise ValueError(f"sentence {len(spans) + 1} ({sentence[:40]!r}) does not match {found!r}")
            if start is None:
                start = pos
            pos += 1
            end = pos
        if start is not None and end is not None:
            spans.append((start, end))
    rest = text[pos:]
    if rest.strip():
        raise ValueError(f"text left over after the last sentence: {rest.strip()[:40]!r}")
    return spans


def read_gold_article(gold_path: Path) -> list[str]:
    """The sentences of a gold article file (one per line, empty lines ignored)."""
    return [line for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_hard_cases(path: Path) -> list[tuple[str, list[str]]]:
    """The cases of a hard-case file: ``(input text, gold sentences)`` per case."""
    cases: list[tuple[str, list[str]]] = []
    block: list[str] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in [*lines, ""]:
        if line.startswith("#"):
            continue
        if line.strip():
            block.append(line)
            continue
        if block:
            sentences = [part.replace("\\n", "\n") for part in block]
            text = ""
            for sentence in sentences:
                separator = "" if not text or text.endswith("\n") else " "
                text += separator + sentence
            cases.append((text, [s.strip() for s in sentences]))
            block = []
    return cases


@dataclass(frozen=True)
class Scores:
    """Boundary precision/recall/F1 and the share of gold sentences found exactly."""

    true_positives: int
    predicted: int
    gold: int
    exact: int
    gold_sentences: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def exact_match(self) -> float:
        return self.exact / self.gold_sentences if self.gold_sentences else 1.0

    def __add__(self, other: Scores) -> Scores:
        return Scores(
            self.true_positives + other.true_positives,
            self.predicted + other.predicted,
            self.gold + other.gold,
            self.exact + other.exact,
            self.gold_sentences + other.gold_sentences,
        )


def score_spans(predicted: Sequence[Span], gold: Sequence[Span]) -> Scores:
    """Compare the sentence spans of one text (the first sentence start is not a boundary)."""
    predicted_starts = {start for start, _ in predicted[1:]}
    gold_starts = {start for start, _ in gold[1:]}
    return Scores(
        true_positives=len(predicted_starts & gold_starts),
        predicted=len(predicted_starts),
        gold=len(gold_starts),
        exact=len(set(predicted) & set(gold)),
        gold_sentences=len(gold),
    )
