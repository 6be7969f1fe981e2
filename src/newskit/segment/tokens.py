"""Token view for the sentence rules: token attributes of a spaCy doc, read once per doc.

Two lexeme flags (:func:`ends_in_terminal`, :func:`holds_line_break`) are computed once per
vocabulary entry; a doc's candidates then come from one ``Doc.to_array`` call, without a
Python step per token.
"""

from __future__ import annotations

import numpy as np
from spacy.attrs import IDX, IS_SPACE, LENGTH, ORTH
from spacy.tokens import Doc

TERMINAL_CHARS = ".!?…"
OPENERS = frozenset("„‚»«“‘\"'‹›”’([{")
CLOSERS = frozenset("“”\"«»’‘'‹›)]}")
CONTINUATION_PUNCT = frozenset(",;:)]}")
BULLETS = frozenset({"-", "–", "—", "•", "*", "·", "▪", "►", "→", ">"})
LINE_END_CONTINUATIONS = frozenset({",", ";", ":", "-", "–", "—", "/", "&", "+", "(", "[", "„", "‚"})
# Line ends that go on across a blank line too (a paragraph break inside a running sentence).
PARAGRAPH_CONTINUATIONS = frozenset({",", ";", "(", "[", "„", "‚"})


def ends_in_terminal(word: str) -> bool:
    """Lexeme flag: the word ends in ``.``, ``!``, ``?`` or ``…`` (a sentence-end candidate)."""
    return bool(word) and word[-1] in TERMINAL_CHARS and not word.isspace()


def count_line_breaks(word: str) -> int:
    """Number of line breaks in ``word`` (any of the breaks ``str.splitlines`` knows)."""
    return len(f"x{word}x".splitlines()) - 1


def holds_line_break(word: str) -> bool:
    """Lexeme flag: the word is whitespace holding a line break."""
    return word.isspace() and count_line_breaks(word) > 0


class TokenView:
    """Token attributes of one doc, read with one ``Doc.to_array`` call.

    ``terminal_flag`` and ``break_flag`` are lexeme flags set by :func:`ends_in_terminal` and
    :func:`holds_line_break`: computed once per vocabulary entry, so finding the candidates of
    a doc needs no Python step per token.
    """

    __slots__ = ("break_tokens", "candidates", "ends", "n", "orth", "space", "starts", "strings")

    def __init__(self, doc: Doc, terminal_flag: int, break_flag: int) -> None:
        self.n = len(doc)
        self.strings = doc.vocab.strings
        array = doc.to_array([ORTH, IDX, LENGTH, IS_SPACE, terminal_flag, break_flag]).reshape(-1, 6)
        self.orth = array[:, 0].tolist()
        self.starts = array[:, 1].tolist()
        self.ends = (array[:, 1] + array[:, 2]).tolist()
        self.space = array[:, 3].astype(bool).tolist()
        self.candidates = np.flatnonzero(array[:, 4]).tolist()
        self.break_tokens = np.flatnonzero(array[:, 5]).tolist()

    def word(self, i: int) -> str:
        return self.strings[self.orth[i]]

    def words(self, i: int, j: int) -> str:
        """The text of tokens ``i`` to ``j`` (inclusive), which follow each other without space."""
        return "".join(self.word(k) for k in range(i, j + 1))

    def attached(self, i: int) -> bool:
        """Whether token ``i + 1`` follows token ``i`` without whitespace."""
        return i + 1 < self.n and self.ends[i] == self.starts[i + 1] and not self.space[i + 1]

    def next_content(self, i: int) -> int | None:
        j = i + 1
        while j < self.n and self.space[j]:
            j += 1
        return j if j < self.n else None

    def prev_content(self, i: int) -> int | None:
        j = i - 1
        while j >= 0 and self.space[j]:
            j -= 1
        return j if j >= 0 else None

    def has_break(self, i: int) -> bool:
        """Whether whitespace token ``i`` holds a line break."""
        return self.space[i] and count_line_breaks(self.word(i)) > 0

    def line_breaks(self, i: int, j: int) -> int:
        """Number of line breaks in the whitespace tokens between tokens ``i`` and ``j``."""
        return sum(count_line_breaks(self.word(k)) for k in range(i + 1, j) if self.space[k])


def token_kind(word: str) -> str:
    first = word[0]
    if first.isalpha():
        return "lower" if first.islower() else "upper"
    if first.isdigit():
        return "digit"
    if first in OPENERS:
        return "open"
    if first in CONTINUATION_PUNCT:
        return "cont"
    return "other"
