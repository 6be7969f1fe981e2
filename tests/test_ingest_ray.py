"""ingest in shards (one raw file each): the same articles.jsonl bytes and report as the single process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newskit.corpus.ingest import ingest
from newskit.corpus.ingest_ray import ingest_sharded
from newskit.errors import NewskitError
from newskit.jsonio import write_jsonl
from tests.warc_samples import seed_articles, write_warc

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def inputs(tmp_path):
    """Seed raw files, a WARC of the same articles (all duplicates), a JSONL with a duplicate line."""
    folder = tmp_path / "inputs"
    shutil.copytree(REPO / "corpus" / "raw", folder)
    write_warc(folder / "crawl.warc.gz")
    seeds = seed_articles()
    write_jsonl(
        folder / "feed.jsonl", [{"text": seeds[0]["text"], "url": "https://a.example/1"}, *seeds[1:3]]
    )
    return folder


def report_facts(report):
    return (report.articles, report.records, report.duplicates, report.skipped_records, report.raw_files)


def test_local_shards_give_the_same_bytes_and_report(inputs, tmp_path):
    single = ingest([inputs], corpus_dir=tmp_path / "single", language="de")
    sharded = ingest_sharded([inputs], corpus_dir=tmp_path / "sharded", language="de", engine="local")
    assert (tmp_path / "sharded" / "articles.jsonl").read_bytes() == (
        tmp_path / "single" / "articles.jsonl"
    ).read_bytes()
    assert report_facts(sharded) == report_facts(single)
    # The WARC and the feed repeat seed articles (two WARC pages differ: their headline joins the text).
    assert single.articles == 7 and len(single.duplicates) == 6
    for name in ("crawl.warc.gz", "feed.jsonl"):
        assert (tmp_path / "sharded" / "raw" / name).read_bytes() == (inputs / name).read_bytes()


def test_a_bad_file_stops_before_anything_is_written(inputs, tmp_path):
    (inputs / "zz.jsonl").write_text('{"text": "gut"}\n{"text": \n', encoding="utf-8")
    with pytest.raises(NewskitError, match=r"zz\.jsonl:2: malformed JSON"):
        ingest_sharded([inputs], corpus_dir=tmp_path / "corpus", engine="local")
    assert sorted(p.name for p in (tmp_path / "corpus").iterdir()) == []


@pytest.mark.ray
def test_ray_gives_the_same_bytes_and_errors(local_ray, inputs, tmp_path):
    single = ingest([inputs], corpus_dir=tmp_path / "single")
    sharded = ingest_sharded([inputs], corpus_dir=tmp_path / "sharded", engine="ray")
    assert (tmp_path / "sharded" / "articles.jsonl").read_bytes() == (
        tmp_path / "single" / "articles.jsonl"
    ).read_bytes()
    assert report_facts(sharded) == report_facts(single)
    (inputs / "zz.jsonl").write_text('{"text": "gut"}\n{"text": \n', encoding="utf-8")
    with pytest.raises(NewskitError) as failed:
        ingest_sharded([inputs], corpus_dir=tmp_path / "again", engine="ray")
    with pytest.raises(NewskitError) as single_failed:
        ingest([inputs], corpus_dir=tmp_path / "again-single")
    assert failed.value.one_line() == single_failed.value.one_line()  # the same error, across processes
    assert failed.value.one_line().startswith(f"error: {inputs / 'zz.jsonl'}:2: malformed JSON (")
    assert not (tmp_path / "again" / "articles.jsonl").exists()
