"""Page furniture: every seed's removals pinned line by line; real text, headlines and datelines kept."""

from __future__ import annotations

import pytest

from newskit.corpus.boilerplate import load_rules, parse_rules, remove_furniture
from newskit.corpus.encoding import repair_mojibake
from newskit.corpus.textmeta import extract_text_metadata, find_date
from newskit.errors import NewskitError

SEED_REMOVALS = {
    "000_61bbbed13fae7b5a.txt": [
        (1, "section-label"),
        (7, "reading-time"),
        (9, "image-enlarge"),
        (11, "image-credit"),
    ],
    "001_6e41c4af48554dda.txt": [
        (1, "site-name"),
        (2, "page-date"),
        (3, "breaking-label"),
        (7, "cut-off-teaser"),
        (9, "repeated-line"),
        (10, "site-name"),
        (11, "relative-time"),
        (12, "view-counter"),
        (14, "site-name"),
        (16, "repeated-line"),
    ],
    "002_9fb6c44093db0c73.txt": [(8, "ticker-promo"), (9, "ticker-promo"), (10, "ticker-promo")],
    "003_3b7177720c4ddf56.txt": [(1, "date-label")],
    "004_6e5cbdba8f6a5aad.txt": [(3, "published-in"), (31, "separator"), (33, "credit")],
}


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def seed_text(repo_root, name):
    return repair_mojibake((repo_root / "corpus" / "raw" / name).read_text(encoding="utf-8"))[0]


@pytest.mark.parametrize("name", sorted(SEED_REMOVALS))
def test_seed_removals_line_by_line(repo_root, rules, name):
    cleaned = remove_furniture(seed_text(repo_root, name), rules)
    assert [(item["line"], item["rule"]) for item in cleaned.removed] == SEED_REMOVALS[name]
    kept = "\n".join(cleaned.paragraphs)
    for item in cleaned.removed:
        assert item["text"].strip()
        if item["scope"] == "line":
            assert item["text"].strip() not in kept or item["rule"] == "repeated-line"


def test_seed_000_keeps_caption_dateline_and_byline(repo_root, rules):
    cleaned = remove_furniture(seed_text(repo_root, "000_61bbbed13fae7b5a.txt"), rules)
    kept = dict(cleaned.lines)
    assert kept[3] == "Kreml über EU-Beauftragte: Werden niemals mit ihr reden"
    assert kept[5].startswith("Von J. Fischer, S. Cleven")
    assert kept[7] == "Aktualisiert am 25.01.2026 – 13:04 Uhr"
    assert kept[9].endswith("Residenz Putins präsentieren.")  # "Vergrößern des Bildes" cut off the caption
    assert kept[11].endswith("Kaja Kallas.")
    # the hard-wrapped sentence "… Seit\ndem Vorabend …" is one paragraph again
    assert "ohne Heizung. Seit dem Vorabend sei" in kept[17]
    assert cleaned.joined_lines == [18]


def test_seed_001_keeps_first_headline_and_subheads(repo_root, rules):
    cleaned = remove_furniture(seed_text(repo_root, "001_6e41c4af48554dda.txt"), rules)
    headline = "Ukraine-Krieg: Kreml behauptet Trump bat Putin um Stopp der Kiew-Angriffe bis 1. Februar"
    assert cleaned.lines[0][1].startswith(headline)
    assert sum(text.startswith(headline) for text in cleaned.paragraphs) == 1
    assert "Humanitäre Krise und nukleare Sicherheit im Fokus" in cleaned.paragraphs
    assert not any("Ekhbary" in text or text == "91" for text in cleaned.paragraphs)


def test_seed_003_and_004_keep_dateline_and_quotes(repo_root, rules):
    lead = remove_furniture(seed_text(repo_root, "003_3b7177720c4ddf56.txt"), rules).paragraphs
    assert lead[0].startswith("Seit Wochen vermitteln die USA")
    assert lead[1].startswith("Kiew/Washington - Die Verhandlungen")
    last = remove_furniture(seed_text(repo_root, "004_6e5cbdba8f6a5aad.txt"), rules).paragraphs
    assert last[0] == (
        "PUTINS KRIEG: Alarm im Halbkessel! „Das Nadelöhr wird immer enger!“ Ukraine in der Klemme!"
    )
    assert last[-1].endswith("zum Rückzug gezwungen oder eingekesselt werden.")


def test_real_sentences_are_not_furniture(rules):
    text = "\n".join(
        [
            "Das Foto zeigt den Kremlsprecher. Vergrößern des Bildes",
            "Russland meldete 91 Drohnenangriffe in der Nacht.",
            "Die Ukraine teilte auf Telegram mit, es gebe keine Verletzten.",
            "Quelle der Angaben war das Verteidigungsministerium in Kiew.",
        ]
    )
    cleaned = remove_furniture(text, rules)
    assert cleaned.paragraphs == [
        "Das Foto zeigt den Kremlsprecher.",
        "Russland meldete 91 Drohnenangriffe in der Nacht.",
        "Die Ukraine teilte auf Telegram mit, es gebe keine Verletzten.",
        "Quelle der Angaben war das Verteidigungsministerium in Kiew.",
    ]
    assert [(item["rule"], item["scope"]) for item in cleaned.removed] == [("image-enlarge", "fragment")]


def test_shipped_rules_are_named_and_commented(rules):
    names = [rule.name for rule in rules.rules]
    assert len(names) == len(set(names)) >= 10
    assert all(rule.comment for rule in rules.rules)
    assert rules.origin == "newskit/data/boilerplate.toml"


def test_custom_rules_replace_the_shipped_ones(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[[rule]]\nname = "promo"\nscope = "line"\npattern = "Jetzt abonnieren!"\ncomment = ""\n')
    rules = load_rules(path)
    cleaned = remove_furniture("Ekhbary\nJetzt abonnieren!\nKiew wurde angegriffen.", rules)
    assert cleaned.paragraphs == ["Ekhbary", "Kiew wurde angegriffen."]
    assert cleaned.removed == [{"line": 2, "rule": "promo", "scope": "line", "text": "Jetzt abonnieren!"}]
    assert rules.origin == "mine.toml"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[[rule]]\nname = 'x'\npattern = '(unclosed'\n", "mine.toml: rule 1 (x): bad regular expression"),
        (b"[[rule]]\nname = 'x'\npattern = 'a'\nscope = 'page'\n", "rule 1 (x): unknown scope 'page'"),
        (b"title = 'no rules'\n", "mine.toml: no [[rule]] entries"),
        (b"[[rule]\n", "mine.toml: not a valid TOML file"),
        (b"[[rule]]\nname = 'repeated-line'\npattern = 'a'\n", "is used twice or reserved"),
    ],
)
def test_bad_rule_files_are_errors(content, message):
    with pytest.raises(NewskitError) as info:
        parse_rules(content, origin="mine.toml")
    assert message in info.value.message


def test_missing_rule_file_is_an_error(tmp_path):
    with pytest.raises(NewskitError, match=r"nope\.toml: cannot read the boilerplate rules"):
        load_rules(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("lines", "removed", "expected"),
    [
        (["Aktualisiert am 25.01.2026 – 13:04 Uhr"], set(), "2026-01-25"),
        ([" date 2026-01-17 Seit Wochen vermitteln die USA."], set(), "2026-01-17"),
        (["Ekhbary", "Sunday, 01 February 2026"], set(), "2026-02-01"),
        (["Text", "Text/Foto: Welt Nachrichtensender am 27. November 2025"], {2}, "2025-11-27"),
        # a date inside a kept sentence is not the article's date
        (["Das Treffen fand am 3. März 2025 statt."], set(), None),
        (["Aktualisiert am 31.02.2026"], set(), None),  # no such day
    ],
)
def test_find_date(lines, removed, expected):
    assert find_date(lines, removed)[0] == expected


def test_title_only_from_a_headline_first_line():
    meta = extract_text_metadata(["x"], [(1, "Kiew meldet neue Angriffe"), (3, "Von A. Muster")], [])
    assert (meta.title, meta.author) == ("Kiew meldet neue Angriffe", "A. Muster")
    body = extract_text_metadata(["x"], [(1, "Russland griff an. Kiew meldet Schäden.")], [])
    assert body.title is None
