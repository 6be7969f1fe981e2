"""WARC input for ingest: HTML responses become articles with the record's URL and date; the rest counted."""

from __future__ import annotations

import gzip
import json

import pytest

from newskit.corpus.ingest import ingest
from newskit.errors import NewskitError
from tests.warc_samples import seed_articles, write_warc


def articles_of(corpus):
    with (corpus / "articles.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_ingest_keeps_the_german_html_responses(tmp_path, run_cli):
    warc = tmp_path / "crawl.warc.gz"
    urls = write_warc(warc)
    corpus = tmp_path / "corpus"
    code, out, err = run_cli("ingest", str(warc), "--corpus", str(corpus), "--language", "de")
    assert code == 0, err
    assert out.splitlines()[:5] == [
        "left out: 5 WARC request records",
        "left out: 1 WARC warcinfo records",
        "left out: 1 articles not in language 'de'",
        "left out: 1 non-HTML responses",
        "left out: 1 responses with HTTP status other than 200",
    ]
    assert out.splitlines()[5].startswith("5 articles from 1 raw files (1 new)")
    assert (corpus / "raw" / "crawl.warc.gz").read_bytes() == warc.read_bytes()
    articles = articles_of(corpus)
    assert [a["url"] for a in articles] == urls
    assert [a["raw_record"] for a in articles] == [3, 5, 7, 9, 11]  # the response records, from 1
    # The page's own date where it has one, else the crawl date of the record.
    assert [a["date"] for a in articles] == [
        "2026-01-20",
        "2026-01-21",
        "2026-02-03",
        "2026-02-04",
        "2026-02-05",
    ]
    seeds = seed_articles()
    same_text = [a["text"] == s["text"] for a, s in zip(articles, seeds, strict=True)]
    assert same_text.count(True) >= 3  # trafilatura gives back the article text itself
    assert all(a["cleaning"]["text_field"] == "html-main-text" for a in articles)


def test_without_language_every_page_with_main_text_is_kept(tmp_path):
    warc = tmp_path / "crawl.warc"
    write_warc(warc)
    report = ingest([warc], corpus_dir=tmp_path / "corpus")
    assert report.articles == 6 and "articles not in language 'de'" not in report.skipped_records
    assert articles_of(tmp_path / "corpus")[-1]["url"] == "https://news.example.org/en/kyiv"


def test_plain_and_gzipped_archives_give_the_same_articles(tmp_path):
    write_warc(tmp_path / "a.warc")
    write_warc(tmp_path / "b.warc.gz")
    for name in ("a.warc", "b.warc.gz"):
        ingest([tmp_path / name], corpus_dir=tmp_path / name.split(".")[0])

    # The ids come from the raw file's bytes (newskit.identity), which differ; all else is equal.
    def strip(corpus):
        return [
            {k: v for k, v in a.items() if k != "id" and not k.startswith("raw_")}
            for a in articles_of(corpus)
        ]

    assert strip(tmp_path / "a") == strip(tmp_path / "b")


def test_a_broken_archive_is_one_line_and_changes_nothing(tmp_path, run_cli):
    bad = tmp_path / "broken.warc.gz"
    bad.write_bytes(gzip.compress(b"this is not a WARC file\r\n\r\n"))
    code, out, err = run_cli("ingest", str(bad), "--corpus", str(tmp_path / "corpus"))
    assert (code, out) == (1, "")
    assert err.startswith(f"error: {bad}: not a readable WARC file (") and err.endswith(
        "(hint: check that it is a .warc or .warc.gz file)\n"
    )
    assert not (tmp_path / "corpus").exists()


def test_max_bytes_limits_each_record(tmp_path):
    warc = tmp_path / "crawl.warc"
    write_warc(warc, extras=False)
    with pytest.raises(NewskitError, match=r"crawl\.warc:5: WARC record is too large \(over 5,000 bytes\)"):
        ingest([warc], corpus_dir=tmp_path / "corpus", max_bytes=5_000)
