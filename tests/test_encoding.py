"""Decoding and mojibake repair: the broken seed is fully repaired, clean text is never touched."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newskit.corpus.encoding import decode_bytes, remaining_mojibake, repair_misread_utf8, repair_mojibake
from newskit.errors import NewskitError

BROKEN_SEED = "004_6e5cbdba8f6a5aad.txt"


def test_broken_seed_is_fully_repaired(repo_root):
    raw = (repo_root / "corpus" / "raw" / BROKEN_SEED).read_text(encoding="utf-8")
    fixed, repairs = repair_mojibake(raw)
    assert "Ă" not in fixed
    assert "À" not in fixed
    assert remaining_mojibake(fixed) == []
    for word in ("Präsident", "Führung", "größten", "lässt", "Gespräche", "überprüft", "Rückzug", "Städte"):
        assert word in fixed
    # German quotes survive: „…“ and «…»
    assert fixed.count("„") == raw.count("„") == 2
    assert fixed.count("“") == raw.count("“")
    assert fixed.count("«") == raw.count("«") == 3
    # 37 "Ă?" pairs plus 2 doubly misread "À"
    assert repairs == raw.count("Ă") + raw.count("À") == 39
    # nothing else changed: same text once the known fixes are undone character by character
    assert len(fixed) == len(raw) - raw.count("Ă")


@pytest.mark.parametrize(
    "name",
    [
        "000_61bbbed13fae7b5a.txt",
        "001_6e41c4af48554dda.txt",
        "002_9fb6c44093db0c73.txt",
        "003_3b7177720c4ddf56.txt",
    ],
)
def test_clean_seeds_are_not_altered(repo_root, name):
    raw = (repo_root / "corpus" / "raw" / name).read_text(encoding="utf-8")
    assert repair_mojibake(raw) == (raw, 0)


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        ("PrĂ€sident", "Präsident"),
        ("FĂŒhrung", "Führung"),
        ("grĂ¶ĂŸten", "größten"),
        ("Ă–sterreich", "Österreich"),
        ("Ă„nderung", "Änderung"),
        ("GRĂśSSE", "GRĂśSSE"),  # Ś is no second byte of a German letter
        ("lÀsst", "lässt"),
        ("SchÃ¶n fÃ¼r", "Schön für"),  # classic cp1252 mojibake: ftfy's part
    ],
)
def test_repairs(broken, expected):
    assert repair_mojibake(broken)[0] == expected


@pytest.mark.parametrize(
    "legit",
    [
        "PĂȘUNE și CÂMPIE",  # Romanian capitals: Ă followed by a letter that is no misread byte
        "ȚARĂ–EUROPA",  # Romanian word ending in Ă before a dash
        "Bogdan Ăn, Wiesław Ząbek",
        "À bientôt, DÉJÀ VU, Cafè À la carte",
        "„Das Nadelöhr wird immer enger!“ «Niemand»",
        "Ă€",  # not inside a word
    ],
)
def test_legitimate_text_is_left_alone(legit):
    assert repair_mojibake(legit) == (legit, 0)
    assert repair_misread_utf8(legit) == (legit, 0)


def test_decode_utf8_cp1252_and_latin1():
    assert decode_bytes("Größe „gut“".encode(), where="x").encoding == "utf-8"
    cp = decode_bytes("Größe „gut“ – 5 €".encode("cp1252"), where="x")
    assert (cp.text, cp.encoding) == ("Größe „gut“ – 5 €", "cp1252")
    # 0x81 is undefined in Windows-1252: Latin-1 is the last resort
    latin = decode_bytes(b"Gr\xf6\xdfe \x81", where="x")
    assert (latin.text, latin.encoding) == ("Größe \x81", "latin-1")
    bom = decode_bytes(b"\xef\xbb\xbfHallo", where="x")
    assert (bom.text, bom.encoding) == ("Hallo", "utf-8-sig")


def test_binary_is_an_error():
    with pytest.raises(NewskitError) as info:
        decode_bytes(b"PK\x03\x04\x00\x00binary", where="raw/a.txt")
    assert info.value.one_line() == (
        "error: raw/a.txt: looks like a binary file (contains NUL bytes) "
        "(hint: give a text, HTML, JSONL or CSV file)"
    )
    with pytest.raises(NewskitError, match="cannot decode"):
        decode_bytes(bytes(range(1, 32)) * 10 + b"\xff", where="raw/b.txt")


def misread_as_iso8859_16(text: str) -> str:
    """Make the seed's kind of mojibake: UTF-8 bytes read as ISO-8859-16, Windows-1252 for 0x80-0x9F."""
    return "".join(
        bytes([byte]).decode("cp1252" if 0x80 <= byte <= 0x9F else "iso8859_16")
        for byte in text.encode("utf-8")
    )


_SYLLABLE = st.tuples(st.sampled_from("aeinrstäöüßÄÖÜBKW"), st.sampled_from("aeilnrst")).map("".join)
_GERMAN_WORDS = st.lists(st.lists(_SYLLABLE, min_size=1, max_size=4).map("".join), min_size=1, max_size=8)


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(_GERMAN_WORDS)
def test_misread_german_round_trips(words):
    text = " ".join(words) + " „gut“ «sagte» er."
    assert repair_mojibake(text) == (text, 0)
    broken = misread_as_iso8859_16(text)
    assert repair_mojibake(broken)[0] == text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be"])
def test_text_with_a_utf16_or_utf32_byte_order_mark_is_decoded(encoding):
    text = "Größe „gut“ – Kiew meldet 5 Drohnen.\n"
    data = ("\ufeff" + text).encode(encoding) if encoding.endswith("-be") else text.encode(encoding)
    decoded = decode_bytes(data, where="x")
    assert decoded.text == text
    assert decoded.encoding.startswith(encoding[:6])


def test_random_high_bytes_are_not_an_article():
    noise = bytes(random.Random(3).randrange(0x80, 0x100) for _ in range(3000))
    with pytest.raises(NewskitError, match=r"^error: raw/noise.txt: does not look like text .*non-ASCII\)"):
        decode_bytes(noise, where="raw/noise.txt")


def test_a_false_byte_order_mark_is_an_error():
    with pytest.raises(NewskitError, match="starts with a UTF-32-LE byte order mark but is not UTF-32-LE"):
        decode_bytes(b"\xff\xfe\x00\x00abc", where="x")
