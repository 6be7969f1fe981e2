"""Property-based tests of newskit.segment: invariants that hold for any input text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newskit.segment import get_pipeline, segment, segment_many

FRAGMENTS = [
    "Die Lage ist ernst.",
    "„Wir kommen“, sagte er.",
    "«Nein.»",
    "Dr.",
    "z.B.",
    "u. a.",
    "am 27. November 2025",
    "25.01.2026",
    "1.700",
    "3,5 Mrd. Euro",
    "J. Fischer",
    "im Juni 2023.",
    "Im Süden",
    "Warum?!",
    "Und dann …",
    "...",
    "(Quelle: dpa)",
    "Kiew/Washington -",
    "date 2026-01-17",
    "date 2023-06",
    "date 2024-03-05T14:30:00+01:00",
    "dpa",
    "© Max Mustermann/dpa",
    "picture alliance/dpa | Max",
    "mrc/dpa/AFP",
    "Moskau.",
    "„… Dann",
    "… und",
    "an",
    "Stand: 12.03.2024 14:05 Uhr",
    "www.tagesschau.de.",
    "präsentieren.Vergrößern",
    "UhrLesedauer:",
    "- Punkt",
    "1.",
    '"',
    "“",
    ")",
    "(",
]
SEPARATORS = st.sampled_from(["", " ", "  ", "\n", "\n\n", " \n ", "\t", "\xa0"])
GERMAN_TEXT = st.lists(st.tuples(st.sampled_from(FRAGMENTS), SEPARATORS), max_size=30).map(
    lambda parts: "".join(fragment + separator for fragment, separator in parts)
)
ANY_TEXT = st.text(max_size=300)
SETTINGS = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def check_invariants(text: str, spans: list[tuple[int, int]]) -> None:
    previous_end = 0
    covered: list[int] = []
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        covered.extend(range(start, end))
        previous_end = end
    inside = {i for i in covered if not text[i].isspace()}
    assert inside == {i for i, char in enumerate(text) if not char.isspace()}
    assert len(covered) == len(set(covered))
    tokens = get_pipeline().tokenizer(text)
    token_starts = {token.idx for token in tokens}
    token_ends = {token.idx + len(token) for token in tokens}
    for start, end in spans:
        assert start in token_starts and end in token_ends


@SETTINGS
@given(ANY_TEXT)
def test_invariants_on_arbitrary_unicode(text):
    check_invariants(text, segment(text))


@SETTINGS
@given(GERMAN_TEXT)
def test_invariants_on_german_news_fragments(text):
    check_invariants(text, segment(text))


@settings(max_examples=30, deadline=None, database=None)
@given(st.lists(GERMAN_TEXT, max_size=5))
def test_segment_many_agrees_with_segment(texts):
    assert list(segment_many(texts, batch_size=2)) == [segment(text) for text in texts]
