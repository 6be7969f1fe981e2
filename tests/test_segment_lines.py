"""Tests of newskit.segment.lines: the classes of lines the sentence rules know."""

from __future__ import annotations

import pytest

from newskit.segment import get_pipeline, segment
from newskit.segment.lines import (
    DATE_RE,
    continues_line,
    is_credit_line,
    is_dateline,
    metadata_prefix_end,
    text_lines,
)
from newskit.segment.segmenter import LINE_BREAK_FLAG, TERMINAL_FLAG
from newskit.segment.tokens import TokenView


def view(text: str) -> TokenView:
    return TokenView(get_pipeline()(text), TERMINAL_FLAG, LINE_BREAK_FLAG)


def line_texts(text: str) -> list[str]:
    t = view(text)
    return [text[t.starts[line.first] : t.ends[line.last]] for line in text_lines(t)]


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in segment(text)]


def test_text_lines_skip_blank_lines_and_surrounding_whitespace():
    assert line_texts("  Titel \n\n \nErster Satz.\nZweite Zeile  \n") == [
        "Titel",
        "Erster Satz.",
        "Zweite Zeile",
    ]
    assert line_texts("") == []
    assert line_texts("\n \n") == []
    assert line_texts("Nur eine Zeile") == ["Nur eine Zeile"]


@pytest.mark.parametrize(
    "date",
    [
        "2024",
        "2023-06",
        "2024-03-05",
        "2024-03-05T14:30",
        "2024-03-05T14:30:00Z",
        "2024-03-05T14:30:00.5+01:00",
        "12.03.2024",
        "1.3.24",
    ],
)
def test_date_pattern_takes_every_precision(date):
    assert DATE_RE.fullmatch(date)


@pytest.mark.parametrize("text", ["202", "20245", "2024-3", "2024-03-05T", "12.03."])
def test_date_pattern_rejects_other_numbers(text):
    assert not DATE_RE.fullmatch(text)


@pytest.mark.parametrize(
    ("text", "prefix"),
    [
        ("date 2024 Die Lage.", "date 2024"),
        ("date 2023-06 Die Lage.", "date 2023-06"),
        ("date 2024-03-05 14:30 Die Lage.", "date 2024-03-05 14:30"),
        ("date 2024-03-05T14:30:00+01:00 Die Lage.", "date 2024-03-05T14:30:00+01:00"),
        ("Stand: 12.03.2024, 14:05 Uhr Die Lage.", "Stand: 12.03.2024, 14:05 Uhr"),
        ("Datum: 2024-03 „Wir kommen“, sagte er.", "Datum: 2024-03"),
    ],
)
def test_metadata_prefix_end(text, prefix):
    t = view(text)
    end = metadata_prefix_end(t, 0)
    assert end is not None and text[: t.starts[end]].strip() == prefix


@pytest.mark.parametrize(
    "text",
    [
        "Im Jahr 2024 Die Lage.",  # no label
        "date 2024 die Lage.",  # the text does not open a sentence
        "date Die Lage.",  # no date
        "date 2024",  # nothing follows
        "date 2024 (Archiv) Die Lage.",  # a bracket does not open the text
        "date 2024\nDie Lage.",  # the line ends
    ],
)
def test_no_metadata_prefix(text):
    assert metadata_prefix_end(view(text), 0) is None


@pytest.mark.parametrize(
    "line",
    [
        "dpa",
        "AFP",
        "Reuters",
        "epd/kna",
        "© Max Mustermann/dpa",
        "©Reuters",
        "picture alliance/dpa | Max Mustermann",
        "picture alliance / NurPhoto | Max Mustermann",
        "imago images/ITAR-TASS",
        "IMAGO/Ukrinform",
        "Foto: Max Mustermann/AP/dpa",
        "Quelle: Reuters",
        "AFP/dpa/jm",
        "mrc/dpa/Reuters",
    ],
)
def test_credit_lines(line):
    t = view(line)
    assert is_credit_line(t, text_lines(t)[0])


@pytest.mark.parametrize(
    "line",
    [
        "dpa meldete neue Explosionen.",  # a sentence
        "Reuters berichtet, dass",  # goes on
        "Foto des Tages",  # a label without a colon
        "Die Agentur dpa",  # a credit word not first
        "sagte er/sie am Abend",  # initials-like words without an agency
        "dpa " + "und AFP " * 9,  # too long for a credit
    ],
)
def test_not_credit_lines(line):
    t = view(line)
    assert not is_credit_line(t, text_lines(t)[0])


@pytest.mark.parametrize(
    "line", ["Moskau.", "MOSKAU.", "Kiew/Moskau.", "Den Haag.", "Berlin (epd).", "Frankfurt/Main."]
)
def test_datelines(line):
    t = view(line)
    assert is_dateline(t, text_lines(t)[0])


@pytest.mark.parametrize("line", ["Moskau", "Er kam.", "Moskau!", "Moskau, 12. März.", "Sie sagt: Nein."])
def test_not_datelines(line):
    t = view(line)
    assert not is_dateline(t, text_lines(t)[0])


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("mit der", True),
        ("schwierig,", True),
        ("Ukraine-", True),
        ("Geld und", True),
        ("Gespräche an", False),
        ("Titel", False),
    ],
)
def test_continues_line(line, expected):
    t = view(line)
    assert continues_line(t, text_lines(t)[0].last) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A credit line is a unit of its own, before or after the body, after a sentence end or a caption.
        (
            "Die Lage ist ernst.\ndpa\nKiew meldet Angriffe.",
            ["Die Lage ist ernst.", "dpa", "Kiew meldet Angriffe."],
        ),
        (
            "Ein Haus in Dnipro\npicture alliance/dpa | Max Mustermann",
            ["Ein Haus in Dnipro", "picture alliance/dpa | Max Mustermann"],
        ),
        # ... but a line starting with an agency inside a running sentence is not a credit.
        ("Das meldete die\ndpa am Abend.", ["Das meldete die\ndpa am Abend."]),
        # A dateline after a headline ending in a verb particle.
        (
            "Kreml kündigt Gespräche an\nMoskau.\nDer Kreml will reden.",
            ["Kreml kündigt Gespräche an", "Moskau.", "Der Kreml will reden."],
        ),
        ("Er reiste mit der\nUkraine.", ["Er reiste mit der\nUkraine."]),
    ],
)
def test_line_classes_in_the_splitter(text, expected):
    assert sentences(text) == expected
