"""Decoding raw bytes and repairing mojibake (text decoded with the wrong charset).

Decoding follows a byte order mark (UTF-8, UTF-16 or UTF-32) where there is one, else tries
UTF-8, then Windows-1252, then Latin-1 as the last resort (Latin-1 never fails, so it is only
used when Windows-1252 cannot decode a byte). Bytes that decode but are not text (most
characters neither letters, digits, punctuation nor spaces in any script, or a legacy
decoding that is mostly non-ASCII) are refused: every byte sequence decodes as Latin-1.

Repair runs ftfy first, then a targeted repair for UTF-8 that was misread as
ISO-8859-16 (the Romanian/South-East-European Latin charset) with Windows-1252
for the 0x80-0x9F range, which is what browsers do with unlabeled Latin pages.
ftfy alone is not enough for that: it only tries the charsets it knows
(sloppy Windows-125x, Latin-1/2, MacRoman, cp437), none of which maps "Ă" to the
byte 0xC3, so "PrĂ€sident" or "FĂŒhrung" pass through ftfy unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import ftfy

from newskit.errors import NewskitError

# German letters whose UTF-8 bytes are 0xC3 0x?? : the only results the targeted repair accepts.
GERMAN_LETTERS = frozenset("äöüÄÖÜß")
# ISO-8859-16 maps 0xC3 to "Ă"; the second UTF-8 byte of a German letter lies in 0x80-0xBF.
_MISREAD_PAIR = re.compile(r"Ă(.)", re.DOTALL)
# A byte was re-encoded once more on the way: "Ă€" (ä) became the bytes C3 80 and so "À",
# "ĂŒ" (ü) became C3 8C, i.e. "Ì". Only repaired between two lowercase letters, where
# an upper-case accented vowel never occurs in real text.
_DOUBLE_MISREAD = {"À": "ä", "Ì": "ü"}
_DASH_AND_QUOTE_CATEGORIES = frozenset({"Pd", "Pi", "Pf", "Ps", "Pe"})
_DOUBLE_MISREAD_RE = re.compile(r"(?<=[a-zäöüß])[ÀÌ](?=[a-zäöüß])")


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes, with the encoding that worked."""

    text: str
    encoding: str


# Byte order marks, longest first (the UTF-32-LE mark starts with the UTF-16-LE one).
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_TEXT_CATEGORIES = frozenset("LNPZ")  # letters, digits/numbers, punctuation, separators
MIN_TEXT_SHARE = 0.5  # most characters of a text are in _TEXT_CATEGORIES (markup is mostly letters)
MAX_OTHER_SHARE = 0.1  # controls, unassigned and private-use characters
MAX_LEGACY_NON_ASCII = 0.3  # German in Windows-1252 has a few percent non-ASCII characters ...
MIN_LEGACY_SAMPLE = 200  # ... which only says something about a text of some length


def decode_bytes(data: bytes, *, where: str) -> Decoded:
    """Decode ``data`` (BOM, else UTF-8, else Windows-1252, else Latin-1); non-text is an error.

    ``where`` names the file (and record) in error messages.
    """
    decoded = _decode(data, where=where)
    _require_text(decoded, where=where)
    return decoded


def _decode(data: bytes, *, where: str) -> Decoded:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data[len(bom) :].decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                raise NewskitError(
                    f"{where}: starts with a {encoding.upper()} byte order mark but is not "
                    f"{encoding.upper()} (byte {exc.start + len(bom)})",
                    "re-save the file as UTF-8",
                ) from None
    if b"\x00" in data:
        raise NewskitError(
            f"{where}: looks like a binary file (contains NUL bytes)",
            "give a text, HTML, JSONL or CSV file",
        )
    if data.startswith(b"\xef\xbb\xbf") and _is_utf8(data[3:]):
        return Decoded(data[3:].decode("utf-8"), "utf-8-sig")
    if _is_utf8(data):
        return Decoded(data.decode("utf-8"), "utf-8")
    return _decode_legacy(data, where=where)


def _require_text(decoded: Decoded, *, where: str) -> None:
    """Refuse decoded bytes that are not text in any script."""
    # Count each distinct character once (Counter runs in C), then look up its category: the
    # same shares as going character by character, without a Python loop over the whole file.
    counts = Counter(decoded.text)
    for whitespace in "\t\n\r\f":
        counts.pop(whitespace, None)
    total = sum(counts.values())
    if not total:
        return
    by_category: Counter[str] = Counter()
    for ch, n in counts.items():
        by_category[unicodedata.category(ch)[0]] += n
    texty = sum(by_category[c] for c in _TEXT_CATEGORIES) / total
    other_count = by_category["C"]
    other = other_count / total
    non_ascii = sum(n for ch, n in counts.items() if ord(ch) > 127) / total
    legacy = decoded.encoding in ("cp1252", "latin-1") and total >= MIN_LEGACY_SAMPLE
    too_many_other = other_count > max(8, MAX_OTHER_SHARE * total)  # a stray control char is no sign
    if texty < MIN_TEXT_SHARE or too_many_other or (legacy and non_ascii > MAX_LEGACY_NON_ASCII):
        raise NewskitError(
            f"{where}: does not look like text (as {decoded.encoding}: {texty:.0%} letters, digits, "
            f"punctuation or spaces, {other:.0%} control characters, {non_ascii:.0%} non-ASCII)",
            "give a text, HTML, JSONL or CSV file in UTF-8 (or UTF-16/32 with a byte order mark)",
        )


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode_legacy(data: bytes, *, where: str) -> Decoded:
    try:
        text, encoding = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "latin-1"
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if control > max(8, len(text) // 100):
        raise NewskitError(
            f"{where}: cannot decode the file (not UTF-8, and full of control characters)",
            "give a text file in UTF-8 or Windows-1252",
        )
    return Decoded(text, encoding)


def _misread_bytes(char: str) -> list[int]:
    """The bytes (0x80-0xBF) a sloppy ISO-8859-16 decoder may have turned into ``char``."""
    found = []
    for codec in ("iso8859_16", "cp1252"):
        try:
            raw = char.encode(codec)
        except UnicodeEncodeError:
            continue
        if 0x80 <= raw[0] <= 0xBF:
            found.append(raw[0])
    return found


def _german_letter(second: str) -> str | None:
    """The German letter that "Ă" + ``second`` was before the misreading, if any."""
    for byte in _misread_bytes(second):
        letter = bytes([0xC3, byte]).decode("utf-8", errors="replace")
        if letter in GERMAN_LETTERS:
            return letter
    return None


def _plausible_in_word(text: str, start: int, end: int) -> bool:
    """A repaired letter must sit in a word; after punctuation ("Ă–" = Ö) a lowercase letter must follow.

    "Ă" followed by a dash or quote can be a Romanian word ending before punctuation
    ("ȚARĂ–EUROPA"), so that case needs the lowercase continuation of a German word.
    """
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if unicodedata.category(text[start + 1]) in _DASH_AND_QUOTE_CATEGORIES:
        return after.isalpha() and after.islower()
    return before.isalpha() or after.isalpha()


def repair_misread_utf8(text: str) -> tuple[str, int]:
    """Repair German letters whose UTF-8 bytes were read as ISO-8859-16/Windows-1252.

    Only pairs that give a German letter (ä ö ü Ä Ö Ü ß) and stand next to another
    letter are repaired, so Romanian or Polish words with "Ă" (whose second byte
    never decodes to a German letter in a word) are left alone. Returns the text and
    the number of letters repaired.
    """
    pieces: list[str] = []
    repairs = 0
    last = 0
    for match in _MISREAD_PAIR.finditer(text):
        letter = _german_letter(match.group(1))
        if letter is None or not _plausible_in_word(text, match.start(), match.end()):
            continue
        pieces.append(text[last : match.start()])
        pieces.append(letter)
        last = match.end()
        repairs += 1
    pieces.append(text[last:])
    text = "".join(pieces)
    text, doubles = _DOUBLE_MISREAD_RE.subn(lambda m: _DOUBLE_MISREAD[m.group(0)], text)
    return text, repairs + doubles


def repair_mojibake(text: str) -> tuple[str, int]:
    """Repair mojibake with ftfy, then the ISO-8859-16 misreading ftfy does not know.

    Quotes are never uncurled (German „…“ and «…» stay), and text without
    mojibake comes back unchanged. Returns the text and the number of repairs
    (ftfy's fixes count once per changed line).
    """
    repairs = 0
    fixed_lines = []
    for line in text.split("\n"):
        fixed = ftfy.fix_text(
            line,
            uncurl_quotes=False,
            fix_latin_ligatures=False,
            fix_character_width=False,
            normalization=None,
        )
        repairs += fixed != line
        fixed_lines.append(fixed)
    text, targeted = repair_misread_utf8("\n".join(fixed_lines))
    return text, repairs + targeted


def remaining_mojibake(text: str) -> list[str]:
    """Fragments that still look like mojibake (for tests and a warning in the report)."""
    suspicious = re.findall(r"\w*(?:Ă[^\w\s]|Ă[€ŒŸœ]|Ã[\x80-\xbf¤¶¼Ÿ–„œ]|â€|Â[\xa0-\xbf])\w*", text)
    return sorted(set(suspicious))
