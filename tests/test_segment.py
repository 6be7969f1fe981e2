"""Tests of newskit.segment: the German news sentence splitter."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import spacy

from newskit.segment import segmenter as segment_module
from newskit.segment.evaluation import (
    Scores,
    align_sentences,
    read_gold_article,
    read_hard_cases,
    score_spans,
)
from newskit.segment.segmenter import (
    build_segmenter,
    get_pipeline,
    remove_whitespace_special_cases,
    segment,
    segment_many,
)


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in segment(text)]


def test_empty_and_whitespace_only_text_have_no_sentences():
    assert segment("") == []
    assert segment(" \n\t \n") == []


def test_spans_are_offsets_into_the_uncleaned_text():
    text = "  Erster Satz.\n\nZweiter   Satz!  "
    assert segment(text) == [(2, 14), (16, 31)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Line structure: headline, dateline, byline and caption lines are units ...
        (
            "Kreml droht Kiew\nVon J. Fischer\nBerlin - Der Kreml droht.",
            ["Kreml droht Kiew", "Von J. Fischer", "Berlin - Der Kreml droht."],
        ),
        ("Titel\n\nText beginnt hier.", ["Titel", "Text beginnt hier."]),
        # ... but a line break inside a running sentence is not a boundary.
        (
            "Seit\ndem Vorabend sei die Versorgung gesichert.",
            ["Seit\ndem Vorabend sei die Versorgung gesichert."],
        ),
        ("Die Gespräche mit der\nUkraine laufen.", ["Die Gespräche mit der\nUkraine laufen."]),
        ("Er sagte,\nDie Lage sei ernst.", ["Er sagte,\nDie Lage sei ernst."]),
    ],
)
def test_line_breaks(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Der Angriff war bis 1. Februar geplant.",
        "Einheiten der 2. Armee rückten vor.",
        "Das geschah am 27. November 2025 in Kiew.",
        "Aktualisiert am 25.01.2026 um 14 Uhr.",
        "Die EU beschließt das 17. Sanktionspaket gegen Russland.",
        "EU beschließt 17. Sanktionspaket.",
    ],
)
def test_no_boundary_after_ordinals_and_dates(text):
    assert sentences(text) == [text]


def test_boundary_after_a_year_or_number_ending_a_sentence():
    assert sentences("Das war im Juni 2023. Im Süden wird gekämpft.") == [
        "Das war im Juni 2023.",
        "Im Süden wird gekämpft.",
    ]
    assert sentences("Die Zahl der Toten stieg auf 12. Die Retter suchen weiter.") == [
        "Die Zahl der Toten stieg auf 12.",
        "Die Retter suchen weiter.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Dr. Müller und Prof. Schmidt sprachen mit ihm.",
        "Das Gesetz Nr. 5 gilt z.B. für Kiew u.a. im Winter.",
        "Es kamen ca. 300 Menschen bzw. mehr als 2 Mio. Euro.",
        "Der Haushalt umfasst 3,5 Mrd. Euro nach Abs. 2 und Art. 5 des Gesetzes.",
        "Er wohnt in St. Petersburg, vgl. den sog. Bericht der F.A.Z. vom Montag.",
        "Rund 1.700 Häuser waren um 5.00 Uhr ohne Strom.",
        "Das meldete J. Fischer aus Kiew.",
    ],
)
def test_abbreviations_numbers_and_initials_do_not_end_sentences(text):
    assert sentences(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("„Wir kommen.“ Dann gingen sie.", ["„Wir kommen.“", "Dann gingen sie."]),
        ('"Wir kommen." Dann gingen sie.', ['"Wir kommen."', "Dann gingen sie."]),
        ("«Wir kommen.» Dann gingen sie.", ["«Wir kommen.»", "Dann gingen sie."]),
        ("»Wir kommen.« Dann gingen sie.", ["»Wir kommen.«", "Dann gingen sie."]),
        ("Er ging. „Wir kommen“, sagte sie.", ["Er ging.", "„Wir kommen“, sagte sie."]),
        ("Er ging (endlich.) Dann kam sie.", ["Er ging (endlich.)", "Dann kam sie."]),
        (
            "„Wir reden ehrlich. Die Lieferungen reichen nicht“, sagte er.",
            ["„Wir reden ehrlich.", "Die Lieferungen reichen nicht“, sagte er."],
        ),
        ("„Warum?“, schrieb er.", ["„Warum?“, schrieb er."]),
        ("„Warum?“ schrieb er.", ["„Warum?“ schrieb er."]),
        (
            "Alarm! „Es wird eng!“ Ukraine in der Klemme!",
            ["Alarm!", "„Es wird eng!“", "Ukraine in der Klemme!"],
        ),
    ],
)
def test_quotes_and_brackets(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Selenskyj hatte ein Angebot: Die Ukraine wäre bereit.",
        "Kiew/Washington - Die Verhandlungen sollen heute fortgesetzt werden.",
        "Berlin (dpa) – Die Regierung plant neue Hilfen; Details folgen.",
    ],
)
def test_colons_dashes_and_semicolons_never_end_a_sentence(text):
    assert sentences(text) == [text]


def test_datelines():
    assert sentences(" date 2026-01-17 Seit Wochen vermitteln die USA. Nun reist er.") == [
        "date 2026-01-17",
        "Seit Wochen vermitteln die USA.",
        "Nun reist er.",
    ]
    assert sentences("Moskau. Unter dem Druck gibt der Kreml nach.") == [
        "Moskau.",
        "Unter dem Druck gibt der Kreml nach.",
    ]
    assert sentences("Stand: 12.03.2024 14:05 Uhr Russland greift an.") == [
        "Stand: 12.03.2024 14:05 Uhr",
        "Russland greift an.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" date 2023-06 Die Lage ist ernst.", ["date 2023-06", "Die Lage ist ernst."]),
        ("date 2024 Die Lage ist ernst.", ["date 2024", "Die Lage ist ernst."]),
        ("date 2024-03-05T14:30:00Z Die Lage.", ["date 2024-03-05T14:30:00Z", "Die Lage."]),
    ],
)
def test_metadata_prefixes_of_any_precision(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("„Wir warten.“ „… Dann reden wir.“", ["„Wir warten.“", "„… Dann reden wir.“"]),
        ("… Dann reden wir.", ["… Dann reden wir."]),
        ("Er sagte: „… Wir sind bereit.“", ["Er sagte: „… Wir sind bereit.“"]),
        ("Wir warten … … und dann reden wir.", ["Wir warten … … und dann reden wir."]),
        # An ellipsis that ends a sentence still does.
        (
            "Und dann kam der Winter … Niemand war bereit.",
            ["Und dann kam der Winter …", "Niemand war bereit."],
        ),
    ],
)
def test_an_opening_ellipsis_is_not_a_sentence_end(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Die Regierung habe\n\nnicht reagiert.", ["Die Regierung habe\n\nnicht reagiert."]),
        ("Die Lage sei ernst,\n\nsagte er.", ["Die Lage sei ernst,\n\nsagte er."]),
        ("Sie fordert Geld und\n\nMunition.", ["Sie fordert Geld und\n\nMunition."]),
        # A headline ending in a verb particle, a sentence end or a colon before a blank line.
        (
            "Russland greift Kiew an\n\nRussland hat Drohnen gestartet.",
            ["Russland greift Kiew an", "Russland hat Drohnen gestartet."],
        ),
        (
            "Die Angriffe gehen weiter.\n\ndpa meldete Explosionen.",
            ["Die Angriffe gehen weiter.", "dpa meldete Explosionen."],
        ),
        ("Die Forderungen:\n\nAbzug der Truppen.", ["Die Forderungen:", "Abzug der Truppen."]),
    ],
)
def test_paragraph_breaks_inside_a_running_sentence(text, expected):
    assert sentences(text) == expected


def test_raw_text_artefacts():
    # A sentence end glued to the next capitalized word is a boundary ...
    assert sentences("Er wollte nichts präsentieren.Vergrößern des Bildes") == [
        "Er wollte nichts präsentieren.",
        "Vergrößern des Bildes",
    ]
    # ... but never inside a token: "UhrLesedauer" is one token.
    assert sentences("Aktualisiert am 25.01.2026 – 13:04 UhrLesedauer: 54 Min.\n\nDer Text.") == [
        "Aktualisiert am 25.01.2026 – 13:04 UhrLesedauer: 54 Min.",
        "Der Text.",
    ]


def test_whitespace_special_cases_are_removed_without_changing_tokens(repo_root):
    sample = "\n\n".join(
        path.read_text(encoding="utf-8") for path in sorted((repo_root / "corpus/raw").glob("*"))
    )
    sample += " Ende.\n \t\nNeu  \n\tda\xa0dort\r\nhier \n"
    default = spacy.blank("de")
    fixed = spacy.blank("de")
    remove_whitespace_special_cases(fixed)
    assert "\n" in default.tokenizer.rules and " " in default.tokenizer.rules
    assert not {"\n", " ", "\t"} & set(fixed.tokenizer.rules)

    def tokens(nlp):
        return [(token.text, token.idx, token.whitespace_) for token in nlp(sample)]

    assert tokens(fixed) == tokens(default)


def test_pipeline_is_blank_german_plus_our_component_and_built_once():
    nlp = get_pipeline()
    assert nlp is get_pipeline()
    assert nlp.lang == "de"
    assert nlp.pipe_names == ["newskit_news_sentences"]
    doc = nlp("Erster Satz. Zweiter Satz.")
    assert [sent.text for sent in doc.sents] == ["Erster Satz.", "Zweiter Satz."]


def test_segment_many_matches_segment_and_streams():
    texts = ["Ein Satz. Noch einer.", "", "Titel\nText hier.", "Nur eins"]
    assert list(segment_many(texts, batch_size=3)) == [segment(text) for text in texts]
    endless = itertools.cycle(texts)
    first_five = list(itertools.islice(segment_many(endless, batch_size=2), 5))
    assert first_five[4] == segment(texts[0])


def test_pipeline_is_renewed_when_its_vocabulary_grows(monkeypatch):
    text = "Ein ganz neuer Satz mit Wörtern. Und noch einer."
    expected = segment(text)
    first = get_pipeline()
    monkeypatch.setattr(segment_module, "MAX_STRINGS", 1)
    assert segment(text) == expected
    assert get_pipeline() is not first
    assert list(segment_many([text, text], batch_size=1)) == [expected, expected]


def test_build_pipeline_gives_an_independent_pipeline():
    nlp = build_segmenter()
    assert nlp is not get_pipeline()
    assert [sent.text for sent in nlp("Eins. Zwei.").sents] == ["Eins.", "Zwei."]


GOLD_DIR = Path(__file__).parent / "data" / "gold"
SEED_GOLDS = sorted(GOLD_DIR.glob("0*.txt"))


def test_every_seed_article_has_a_gold_file(repo_root):
    seeds = sorted(path.stem for path in (repo_root / "corpus" / "raw").glob("*.txt"))
    assert [path.stem for path in SEED_GOLDS] == seeds


@pytest.mark.parametrize("gold_path", SEED_GOLDS, ids=lambda path: path.stem)
def test_seed_gold_is_the_raw_text_and_the_splitter_matches_it(repo_root, gold_path):
    text = (repo_root / "corpus" / "raw" / gold_path.name).read_text(encoding="utf-8")
    gold = align_sentences(text, read_gold_article(gold_path))  # raises if the gold is not the raw text
    scores = score_spans(segment(text), gold)
    assert scores.f1 >= 0.99
    assert scores.exact_match >= 0.98


def test_hard_cases_gold():
    cases = read_hard_cases(GOLD_DIR / "hard_cases.txt")
    assert len(cases) >= 100
    total = Scores(0, 0, 0, 0, 0)
    for text, gold_sentences in cases:
        total += score_spans(segment(text), align_sentences(text, gold_sentences))
    assert total.f1 >= 0.99
    assert total.exact_match >= 0.98


def test_hard_case_format(tmp_path):
    path = tmp_path / "cases.txt"
    content = "# comment\nKopfzeile\\n\nSeit\\ndem Abend.\nZweiter Satz.\n\n\nNur einer.\n"
    path.write_text(content, encoding="utf-8")
    assert read_hard_cases(path) == [
        ("Kopfzeile\nSeit\ndem Abend. Zweiter Satz.", ["Kopfzeile", "Seit\ndem Abend.", "Zweiter Satz."]),
        ("Nur einer.", ["Nur einer."]),
    ]


def test_alignment_rejects_sentences_that_are_not_the_text():
    assert align_sentences("Ein Satz.\nNoch einer.", ["Ein Satz.", "Noch  einer."]) == [(0, 9), (10, 21)]
    with pytest.raises(ValueError, match="does not match"):
        align_sentences("Ein Satz.", ["Ein Satz!"])
    with pytest.raises(ValueError, match="left over"):
        align_sentences("Ein Satz. Rest", ["Ein Satz."])


def test_scores_count_boundaries_and_exact_sentences():
    scores = score_spans(predicted=[(0, 5), (6, 10), (11, 20)], gold=[(0, 10), (11, 20)])
    assert (scores.precision, scores.recall, scores.exact_match) == (0.5, 1.0, 0.5)
    assert scores.f1 == pytest.approx(2 / 3)


def test_long_texts_beyond_spacys_default_limit():
    text = "Ein Satz. " * 100_001  # just over spaCy's default limit of a million characters
    spans = segment(text)
    assert len(spans) == 100_001
    assert text[spans[-1][0] : spans[-1][1]] == "Ein Satz."
