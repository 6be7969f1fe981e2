"""The ingest stage: raw store, articles.jsonl contract, determinism, duplicates, all-or-nothing errors."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from pathlib import Path

import pytest

from newskit.corpus.ingest import ingest
from newskit.errors import NewskitError
from newskit.identity import raw_article_id
from newskit.jsonio import read_jsonl

FIELDS = {
    "id",
    "title",
    "source",
    "url",
    "date",
    "author",
    "text",
    "raw_path",
    "raw_sha256",
    "raw_record",
    "cleaning",
}


@pytest.fixture
def seeds(tmp_path, repo_root):
    """A copy of the seed files outside the repository."""
    folder = tmp_path / "seeds"
    shutil.copytree(repo_root / "corpus" / "raw", folder)
    return folder


def snapshot(folder):
    """Every file under ``folder`` with its bytes (to prove nothing changed)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_seed_corpus(tmp_path, seeds):
    corpus = tmp_path / "corpus"
    report = ingest([seeds], corpus_dir=corpus)
    assert (report.articles, report.records, report.raw_files, report.duplicates) == (5, 5, 5, [])
    assert snapshot(corpus / "raw") == snapshot(seeds)  # byte for byte
    articles = list(read_jsonl(corpus / "articles.jsonl"))
    assert [a["raw_path"] for a in articles] == [f"raw/{p.name}" for p in sorted(seeds.iterdir())]
    for article in articles:
        assert set(article) == FIELDS
        assert article["id"] == raw_article_id(article["raw_sha256"], article["raw_record"])
        assert (
            article["raw_sha256"] == hashlib.sha256((corpus / article["raw_path"]).read_bytes()).hexdigest()
        )
        assert article["raw_record"] is None
        assert article["cleaning"]["mojibake_left"] == []
        assert "\n\n\n" not in article["text"] and article["text"] == article["text"].strip()
    by_seed = {a["raw_path"][4:7]: a for a in articles}
    assert [by_seed[k]["date"] for k in sorted(by_seed)] == [
        "2026-01-25",
        "2026-02-01",
        None,
        "2026-01-17",
        "2025-11-27",
    ]
    assert by_seed["000"]["title"] == "Kreml über EU-Beauftragte: Werden niemals mit ihr reden"
    assert by_seed["000"]["author"].startswith("J. Fischer, S. Cleven")
    assert by_seed["002"]["title"] is None
    broken = by_seed["004"]
    assert "Ă" not in broken["text"] and "Präsident Wladimir Putin" in broken["text"]
    assert broken["cleaning"]["mojibake_repairs"] == 39
    assert broken["cleaning"]["encoding"] == "utf-8"
    removed = broken["cleaning"]["removed_lines"]
    assert {
        "line": 3,
        "rule": "published-in",
        "scope": "line",
        "text": "Veröffentlicht in: NACHRICHTEN | 0",
    } in removed
    assert report.mojibake_repairs == 39
    assert report.lines_removed + report.fragments_removed == sum(
        len(a["cleaning"]["removed_lines"]) for a in articles
    )


def test_rerun_is_byte_identical(tmp_path, seeds):
    corpus = tmp_path / "corpus"
    first = ingest([seeds], corpus_dir=corpus)
    written = (corpus / "articles.jsonl").read_bytes()
    again = ingest([seeds], corpus_dir=corpus)
    assert (corpus / "articles.jsonl").read_bytes() == written
    renormalized = ingest([], corpus_dir=corpus)
    assert (corpus / "articles.jsonl").read_bytes() == written
    assert (first.changed, again.changed, renormalized.changed) == (True, False, False)
    assert again.copied == [] and len(first.copied) == 5


def test_cp1252_and_mojibake_files(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_bytes("Die Größe der Schäden ist „enorm“, sagte er.\n".encode("cp1252"))
    (inputs / "b.txt").write_text("Die FĂŒhrung in Moskau lÀsst grĂ¶ĂŸere Angriffe zu.\n", encoding="utf-8")
    ingest([inputs], corpus_dir=tmp_path / "corpus")
    a, b = read_jsonl(tmp_path / "corpus" / "articles.jsonl")
    assert (a["text"], a["cleaning"]["encoding"]) == (
        "Die Größe der Schäden ist „enorm“, sagte er.",
        "cp1252",
    )
    assert (b["text"], b["cleaning"]["mojibake_repairs"]) == (
        "Die Führung in Moskau lässt größere Angriffe zu.",
        4,
    )


def test_jsonl_and_csv_metadata_and_duplicates(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    rows = [
        {
            "text": "Kiew meldet Angriffe.\nZwei Menschen wurden verletzt.",
            "title": "Angriffe",
            "date": "2026-01-03T10:00",
        },
        {"text": "Moskau bestreitet das."},
    ]
    (inputs / "feed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (inputs / "same.csv").write_text('text,source\n"Moskau bestreitet das.",Agentur\n', encoding="utf-8")
    (inputs / "same.txt").write_text("Moskau   bestreitet das.\r\n", encoding="utf-8")
    report = ingest([inputs], corpus_dir=tmp_path / "corpus")
    articles = list(read_jsonl(tmp_path / "corpus" / "articles.jsonl"))
    assert [(a["raw_path"], a["raw_record"]) for a in articles] == [
        ("raw/feed.jsonl", 1),
        ("raw/feed.jsonl", 2),
    ]
    first, second = articles
    assert (first["title"], first["date"]) == ("Angriffe", "2026-01-03")
    assert first["text"] == "Kiew meldet Angriffe.\n\nZwei Menschen wurden verletzt."
    assert second["cleaning"]["duplicates"] == [
        {"raw_path": "raw/same.csv", "raw_record": 1},
        {"raw_path": "raw/same.txt", "raw_record": None},
    ]
    assert report.duplicates == [("raw/same.csv:1", "raw/feed.jsonl:2"), ("raw/same.txt", "raw/feed.jsonl:2")]
    assert (report.articles, report.records) == (2, 4)


def test_html_input(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Kiew meldet Angriffe</title></head><body><article><h1>Kiew meldet Angriffe</h1>"
        "<p>Russland hat in der Nacht erneut Kiew mit Drohnen angegriffen, teilte die Stadt mit.</p>"
        "<p>Die Luftabwehr habe die meisten Drohnen abgeschossen, hieß es weiter in der Mitteilung.</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    ingest([page], corpus_dir=tmp_path / "corpus")
    (article,) = read_jsonl(tmp_path / "corpus" / "articles.jsonl")
    assert article["title"] == "Kiew meldet Angriffe"
    assert article["cleaning"]["metadata_from"]["title"] == "input"
    assert "Russland hat in der Nacht erneut Kiew" in article["text"]
    assert article["raw_path"] == "raw/page.html"


def test_same_name_different_bytes_is_refused(tmp_path, seeds):
    corpus = tmp_path / "corpus"
    ingest([seeds], corpus_dir=corpus)
    before = snapshot(corpus)
    other = tmp_path / "other"
    other.mkdir()
    (other / "000_61bbbed13fae7b5a.txt").write_text("Etwas anderes.", encoding="utf-8")
    with pytest.raises(NewskitError) as info:
        ingest([other], corpus_dir=corpus)
    assert info.value.message.startswith(
        f"{other / '000_61bbbed13fae7b5a.txt'}: a different file with the same"
    )
    assert info.value.hint == "rename the new file (raw files are never overwritten)"
    assert snapshot(corpus) == before
    ingest([seeds / "000_61bbbed13fae7b5a.txt"], corpus_dir=corpus)  # same bytes: fine
    assert snapshot(corpus) == before


def test_all_or_nothing(tmp_path, seeds):
    corpus = tmp_path / "corpus"
    ingest([seeds], corpus_dir=corpus)
    before = snapshot(corpus)
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "a_good.txt").write_text("Ein guter Artikel.", encoding="utf-8")
    (batch / "b_bad.jsonl").write_text('{"text": "ok"}\n{"text": \n', encoding="utf-8")
    with pytest.raises(NewskitError, match=r"b_bad\.jsonl:2: malformed JSON"):
        ingest([batch], corpus_dir=corpus)
    assert snapshot(corpus) == before


def test_size_limit(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("Kiew. " * 100, encoding="utf-8")
    with pytest.raises(NewskitError) as info:
        ingest([big], corpus_dir=tmp_path / "corpus", max_bytes=100)
    assert info.value.one_line() == (
        f"error: {big}: file is too large (600 bytes, limit 100) "
        "(hint: split it into smaller files or raise --max-bytes)"
    )
    assert not (tmp_path / "corpus").exists()


def test_only_furniture_is_an_error(tmp_path):
    page = tmp_path / "furniture.txt"
    page.write_text("Ekhbary\n1 day ago\n91\n", encoding="utf-8")
    with pytest.raises(NewskitError, match="no article text left after removing page furniture"):
        ingest([page], corpus_dir=tmp_path / "corpus")


def test_custom_boilerplate_rules(tmp_path, seeds):
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nname = "nothing"\npattern = "NEVER MATCHES"\n', encoding="utf-8")
    ingest([seeds / "001_6e41c4af48554dda.txt"], corpus_dir=tmp_path / "corpus", boilerplate_path=rules)
    (article,) = read_jsonl(tmp_path / "corpus" / "articles.jsonl")
    assert article["text"].startswith("Ekhbary\n\nSunday, 01 February 2026\n\nBreaking")
    assert {item["rule"] for item in article["cleaning"]["removed_lines"]} == {
        "repeated-line",
        "cut-off-teaser",
    }
    assert article["cleaning"]["boilerplate_rules"]["file"] == "rules.toml"


def test_cli_ingest_prints_summary(run_cli, tmp_path, seeds):
    code, out, err = run_cli("ingest", str(seeds), "--corpus", str(tmp_path / "corpus"))
    assert (code, err) == (0, "")
    assert "5 articles from 5 raw files (5 new)" in out
    assert "17 lines and 4 fragments of page furniture removed, 39 encoding repairs" in out


def test_cli_reports_duplicates(run_cli, tmp_path):
    (tmp_path / "a.txt").write_text("Kiew wurde angegriffen.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Kiew wurde angegriffen.\n", encoding="utf-8")
    code, out, _ = run_cli(
        "ingest", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--corpus", str(tmp_path / "c")
    )
    assert code == 0
    assert "duplicate: raw/b.txt has the same text as raw/a.txt (stored once)" in out
    assert "1 articles from 2 raw files" in out


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: d / "missing.txt", "{d}/missing.txt: no such file or folder (hint: check the path)"),
        (
            lambda d: (d / "empty").mkdir() or d / "empty",
            "{d}/empty: folder has no supported files "
            "(hint: put .txt, .html, .htm, .jsonl, .csv, .warc, .warc.gz files in it)",
        ),
        (
            lambda d: (d / "notes.md").write_text("x") and d / "notes.md",
            "{d}/notes.md: unsupported file type '.md' "
            "(hint: give .txt, .html, .htm, .jsonl, .csv, .warc, .warc.gz files)",
        ),
        (
            lambda d: (d / "empty.txt").write_text("\n") and d / "empty.txt",
            "{d}/empty.txt: file is empty (hint: add the article text or remove the file)",
        ),
        (
            lambda d: (d / "bin.txt").write_bytes(b"\x00\x01") and d / "bin.txt",
            "{d}/bin.txt: looks like a binary file (contains NUL bytes) "
            "(hint: give a text, HTML, JSONL or CSV file)",
        ),
        (
            lambda d: (d / "t.csv").write_text("title\nx\n") and d / "t.csv",
            "{d}/t.csv: no text column (header: title) "
            "(hint: name the article column one of: text, body, content)",
        ),
    ],
)
def test_cli_errors_are_one_line(run_cli, tmp_path, make, expected):
    path = make(tmp_path)
    code, out, err = run_cli("ingest", str(path), "--corpus", str(tmp_path / "corpus"))
    assert code == 1
    assert err == "error: " + expected.format(d=tmp_path) + "\n"
    assert "Traceback" not in out + err
    assert not (tmp_path / "corpus").exists()


def test_cli_no_raw_files(run_cli, tmp_path):
    code, _, err = run_cli("ingest", "--corpus", str(tmp_path / "corpus"))
    assert (code, err) == (
        1,
        f"error: {tmp_path / 'corpus' / 'raw'}: no raw files to ingest "
        "(hint: run: newskit ingest PATH (file or folder))\n",
    )


def test_file_already_in_raw_is_not_copied(tmp_path, seeds):
    corpus = tmp_path / "corpus"
    ingest([seeds], corpus_dir=corpus)
    report = ingest([corpus / "raw" / "002_9fb6c44093db0c73.txt"], corpus_dir=corpus)
    assert (report.copied, report.articles, report.changed) == ([], 5, False)


def test_unreadable_file_is_an_error(tmp_path, monkeypatch):
    locked = tmp_path / "locked.txt"
    locked.write_text("Kiew.", encoding="utf-8")
    real_read_bytes = Path.read_bytes

    def read_bytes(self):
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(NewskitError) as info:
        ingest([locked], corpus_dir=tmp_path / "corpus")
    assert info.value.one_line() == (
        f"error: {locked}: cannot read the file (Permission denied) (hint: check the permissions)"
    )


def test_article_ids_do_not_change_with_the_cleaning_rules(tmp_path, seeds):
    corpus = tmp_path / "corpus"
    ingest([seeds], corpus_dir=corpus)
    before = {a["raw_path"]: (a["id"], a["text"]) for a in read_jsonl(corpus / "articles.jsonl")}
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nname = "x"\nscope = "fragment"\npattern = "Kreml"\ncomment = "test"\n')
    ingest([], corpus_dir=corpus, boilerplate_path=rules)
    after = {a["raw_path"]: (a["id"], a["text"]) for a in read_jsonl(corpus / "articles.jsonl")}
    assert {path: ids for path, (ids, _) in after.items()} == {path: ids for path, (ids, _) in before.items()}
    assert any(after[path][1] != before[path][1] for path in before)  # the texts did change


def test_cli_ingests_utf16_and_refuses_noise(run_cli, tmp_path):
    text = "Kiew. Russische Drohnen griffen in der Nacht die Hauptstadt an, sagte der Bürgermeister.\n"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "utf16.txt").write_bytes(text.encode("utf-16"))
    code, _, err = run_cli("ingest", str(tmp_path / "in"), "--corpus", str(tmp_path / "corpus"))
    assert (code, err) == (0, "")
    [article] = read_jsonl(tmp_path / "corpus" / "articles.jsonl")
    assert "Bürgermeister" in article["text"]
    noise = tmp_path / "noise.txt"
    noise.write_bytes(bytes(random.Random(1).randrange(0x80, 0x100) for _ in range(3000)))
    code, _, err = run_cli("ingest", str(noise), "--corpus", str(tmp_path / "corpus"))
    assert code == 1
    assert err.startswith(f"error: {noise}: does not look like text") and err.count("\n") == 1
    assert len(list(read_jsonl(tmp_path / "corpus" / "articles.jsonl"))) == 1  # nothing changed
