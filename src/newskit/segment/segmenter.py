"""Sentence segmentation of German news text: ``spacy.blank("de")`` plus our boundary rules.

No trained German spaCy pipeline can be installed from a package registry, so the sentence
boundaries come from the rule component in :mod:`newskit.segment.rules` (abbreviations,
ordinals and dates, quotes, line structure). Spans are character offsets into the text as
given: nothing is cleaned, and every non-whitespace character is in exactly one span.

Raw, uncleaned text is handled too. Two decisions worth knowing:

* a sentence end glued to the next capitalized word (``präsentieren.Vergrößern des Bildes``,
  a scraping artefact) is a boundary, because spaCy's tokenizer splits the period off there;
* words glued without a space (``13:04 UhrLesedauer``) are one token, and no boundary is ever
  placed inside a token.
"""

# No `from __future__ import annotations` here: spaCy validates the factory's signature with
# pydantic, and older confection releases cannot resolve string annotations.

import functools
import itertools
from collections.abc import Iterable, Iterator

import numpy as np
import spacy
from spacy.attrs import IDX, IS_SPACE, LENGTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from newskit.segment.rules import sentence_starts
from newskit.segment.tokens import ends_in_terminal, holds_line_break

COMPONENT_NAME = "newskit_news_sentences"

# Tokenizer special cases that are a single whitespace string. Whitespace is split off as its
# own token without them too, but each hit of a special case turns the tokenizer cache off for
# the rest of the document (spaCy issue 13950), which makes multi-line articles several times
# slower. ("\xa0" stays: its special case also sets a norm, and it is rare.)
WHITESPACE_SPECIAL_CASES = ("\n", "\t", " ")

# Strings the pipeline may collect before it is renewed (a few hundred MB at most).
MAX_STRINGS = 1_000_000


# Lexeme flag bits for our two token attributes (spaCy's own attributes use bits 1-18).
TERMINAL_FLAG = 60
LINE_BREAK_FLAG = 61


class NewsSentenceBoundaries:
    """Pipeline component: sets ``is_sent_start`` on every token by the German news rules."""

    def __init__(self, vocab: Vocab) -> None:
        # Flags are computed once per vocabulary entry, then read per doc with Doc.to_array.
        vocab.add_flag(ends_in_terminal, TERMINAL_FLAG)
        vocab.add_flag(holds_line_break, LINE_BREAK_FLAG)

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        values = np.full(len(doc), -1, dtype=np.int64)
        values[sentence_starts(doc, TERMINAL_FLAG, LINE_BREAK_FLAG)] = 1
        doc.from_array([SENT_START], values.astype(np.uint64).reshape(-1, 1))
        return doc


@Language.factory(COMPONENT_NAME)
def make_news_sentence_boundaries(nlp: Language, name: str) -> NewsSentenceBoundaries:
    """Factory of :class:`NewsSentenceBoundaries` (``nlp.add_pipe("newskit_news_sentences")``)."""
    return NewsSentenceBoundaries(nlp.vocab)


def build_segmenter() -> Language:
    """A fresh ``spacy.blank("de")`` pipeline with our tokenizer fix and sentence component."""
    nlp = spacy.blank("de")
    # No parser or tagger: long articles cost only tokens, so accept texts up to the tokenizer's limit.
    nlp.max_length = 2**30 - 1
    remove_whitespace_special_cases(nlp)
    nlp.add_pipe(COMPONENT_NAME)
    return nlp


def remove_whitespace_special_cases(nlp: Language) -> None:
    """Drop the whitespace-only tokenizer special cases of ``nlp`` (see WHITESPACE_SPECIAL_CASES)."""
    rules = nlp.tokenizer.rules or {}
    nlp.tokenizer.rules = {key: value for key, value in rules.items() if key not in WHITESPACE_SPECIAL_CASES}


@functools.lru_cache(maxsize=1)
def get_pipeline() -> Language:
    """The shared pipeline, built once per process (and again after :func:`_limit_memory`)."""
    return build_segmenter()


def _limit_memory(nlp: Language) -> Language:
    """Return ``nlp``, or a fresh pipeline once its vocabulary has grown past MAX_STRINGS.

    spaCy keeps every string it has seen; renewing the pipeline now and then keeps memory flat
    on any corpus size. (spaCy's ``memory_zone`` does the same, but switches the tokenizer cache
    off and makes tokenizing about 30 times slower.)
    """
    if len(nlp.vocab.strings) <= MAX_STRINGS:
        return nlp
    get_pipeline.cache_clear()
    return get_pipeline()


def doc_spans(doc: Doc) -> list[tuple[int, int]]:
    """Character spans of the sentences of a processed ``doc``, trimmed of whitespace."""
    n = len(doc)
    if n == 0:
        return []
    array = doc.to_array([SENT_START, IS_SPACE, IDX, LENGTH]).reshape(-1, 4)
    space = array[:, 1].astype(bool).tolist()
    starts = array[:, 2].tolist()
    ends = (array[:, 2] + array[:, 3]).tolist()
    bounds = [*sorted({0, *np.flatnonzero(array[:, 0] == 1).tolist()}), n]
    spans: list[tuple[int, int]] = []
    for first, stop in itertools.pairwise(bounds):
        last = stop - 1
        while first <= last and space[first]:
            first += 1
        while last >= first and space[last]:
            last -= 1
        if first <= last:
            spans.append((starts[first], ends[last]))
    return spans


def segment(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of ``text``, in order.

    Spans are trimmed of surrounding whitespace and together cover every non-whitespace
    character of ``text`` exactly once. ``text[start:end]`` is the sentence, uncleaned.
    """
    nlp = _limit_memory(get_pipeline())
    return doc_spans(nlp(text))


def segment_many(texts: Iterable[str], *, batch_size: int = 64) -> Iterator[list[tuple[int, int]]]:
    """Stream the sentence spans of each text (as :func:`segment`), one list per text, in order.

    Texts are processed with ``nlp.pipe`` in batches of ``batch_size``; only one batch is held
    in memory, and the pipeline is renewed when its vocabulary grows too large, so memory stays
    flat however many texts pass through.
    """
    iterator = iter(texts)
    while batch := list(itertools.islice(iterator, batch_size)):
        nlp = _limit_memory(get_pipeline())
        yield from (doc_spans(doc) for doc in nlp.pipe(batch, batch_size=batch_size))
