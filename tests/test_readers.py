"""Readers for txt, HTML, JSONL and CSV: records, metadata, and one clear error per kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newskit.corpus.readers import read_records
from newskit.errors import NewskitError

ARTICLE_HTML = """<html><head><title>Kiew meldet Angriffe | Beispielzeitung</title>
<meta property="og:site_name" content="Beispielzeitung">
<meta name="author" content="Anna Muster">
<meta property="article:published_time" content="2026-01-05T08:00:00+01:00">
<link rel="canonical" href="https://example.org/kiew-angriffe"></head>
<body><nav>Startseite | Politik | Sport</nav><article><h1>Kiew meldet Angriffe</h1>
<p>Russland hat in der Nacht erneut Kiew mit Drohnen angegriffen, teilte die Stadtverwaltung mit.
Dabei seien drei Menschen verletzt worden.</p>
<p>Die Luftabwehr habe die meisten Drohnen abgeschossen, hieß es weiter in der Mitteilung der Behörden.</p>
</article><footer>Impressum Datenschutz</footer></body></html>"""


def read(name: str, data: bytes):
    return read_records(Path(name), data, where=f"in/{name}")


def error_of(name: str, data: bytes) -> str:
    with pytest.raises(NewskitError) as info:
        read(name, data)
    return info.value.one_line()


def test_text_file_is_one_record():
    (record,) = read("a.txt", b"Kiew wurde angegriffen.\n")
    assert (record.text, record.encoding, record.raw_record, record.meta) == (
        "Kiew wurde angegriffen.\n",
        "utf-8",
        None,
        {},
    )


def test_jsonl_records_with_metadata_and_text_fields():
    lines = [
        {"text": "Erster Artikel.", "title": "Eins", "date": "2026-01-02", "url": "https://e.org/1", "x": 1},
        {},
        {"body": "Zweiter Artikel.", "source": "Agentur", "author": " B. Muster "},
        {"content": "Dritter Artikel.", "title": ""},
    ]
    data = "\n".join("" if not line else json.dumps(line, ensure_ascii=False) for line in lines).encode()
    records = read("a.jsonl", data)
    assert [(r.text, r.raw_record, r.text_column) for r in records] == [
        ("Erster Artikel.", 1, "text"),
        ("Zweiter Artikel.", 3, "body"),
        ("Dritter Artikel.", 4, "content"),
    ]
    assert records[0].meta == {"title": "Eins", "date": "2026-01-02", "url": "https://e.org/1"}
    assert records[1].meta == {"source": "Agentur", "author": "B. Muster"}
    assert records[2].meta == {}


def test_csv_records_in_cp1252():
    data = 'Title,Text,Date\nEins,"Größe „gut“, zweite Zeile.",2026-01-02\nZwei,Kurz.,\n'.encode("cp1252")
    records = read("a.csv", data)
    assert [(r.text, r.raw_record, r.encoding) for r in records] == [
        ("Größe „gut“, zweite Zeile.", 1, "cp1252"),
        ("Kurz.", 2, "cp1252"),
    ]
    assert records[0].meta == {"title": "Eins", "date": "2026-01-02"}


def test_html_main_text_and_metadata():
    (record,) = read("a.html", ARTICLE_HTML.encode())
    assert "Russland hat in der Nacht erneut Kiew mit Drohnen angegriffen" in record.text
    assert "Impressum" not in record.text and "Startseite" not in record.text
    assert record.meta["title"].startswith("Kiew meldet Angriffe")
    assert record.meta["author"] == "Anna Muster"
    assert record.meta["date"] == "2026-01-05"
    assert record.meta["source"] == "Beispielzeitung"
    assert record.meta["url"] == "https://example.org/kiew-angriffe"


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        (
            "a.txt",
            b"  \n\n",
            "error: in/a.txt: file is empty (hint: add the article text or remove the file)",
        ),
        (
            "a.txt",
            b"\x89PNG\r\n\x1a\n\x00\x00",
            "error: in/a.txt: looks like a binary file (contains NUL bytes) "
            "(hint: give a text, HTML, JSONL or CSV file)",
        ),
        (
            "a.jsonl",
            b'{"text": "ok"}\n{"text": broken}\n',
            "error: in/a.jsonl:2: malformed JSON (Expecting value at column 10) "
            "(hint: fix or remove that line)",
        ),
        (
            "a.jsonl",
            b'{"text": "ok"}\n{"title": "no text"}\n',
            "error: in/a.jsonl:2: no article text (none of the fields text, body, content has text) "
            '(hint: give each line a non-empty "text" field)',
        ),
        (
            "a.jsonl",
            b'["text"]\n',
            'error: in/a.jsonl:1: expected a JSON object (hint: each line must be {"text": ...})',
        ),
        (
            "a.csv",
            b"title,summary\nEins,Kurz\n",
            "error: in/a.csv: no text column (header: title, summary) "
            "(hint: name the article column one of: text, body, content)",
        ),
        (
            "a.csv",
            b"title,text\nEins,\n",
            "error: in/a.csv: row 1: the text column is empty (hint: fill it in or remove the row)",
        ),
        (
            "a.html",
            b"<html><head><title>Index</title></head><body><script>var a = 1;</script></body></html>",
            "error: in/a.html: no main text found in the HTML page "
            "(hint: save the article page itself (not an index page), or paste its text into a .txt file)",
        ),
        (
            "a.pdf",
            b"%PDF-1.4 text",
            "error: in/a.pdf: unsupported file type '.pdf' "
            "(hint: give .txt, .html, .htm, .jsonl, .csv, .warc, .warc.gz files)",
        ),
    ],
)
def test_bad_input_errors(name, data, expected):
    assert error_of(name, data) == expected
