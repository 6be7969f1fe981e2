"""split in shards: local or on Ray, the same sentences.jsonl bytes as the single-process split."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newskit.dataset.build import build_dataset
from newskit.errors import NewskitError
from newskit.records import iter_sentences_of
from newskit.segment.sentences import split_corpus
from newskit.segment.split_ray import split_corpus_sharded
from newskit.studio.push import sentence_tasks

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def corpus(tmp_path):
    target = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", target)
    (target / "sentences.jsonl").unlink()
    return target


@pytest.fixture
def reference(tmp_path_factory):
    target = tmp_path_factory.mktemp("single") / "corpus"
    shutil.copytree(REPO / "corpus", target)
    split_corpus(corpus_dir=target)
    return (target / "sentences.jsonl").read_bytes()


@pytest.mark.parametrize("shard_bytes", [1, 5_000, 10**8])
def test_local_shards_give_the_single_process_bytes(corpus, reference, shard_bytes):
    report = split_corpus_sharded(corpus_dir=corpus, shard_bytes=shard_bytes)
    assert (corpus / "sentences.jsonl").read_bytes() == reference
    assert (report.articles, report.sentences) == (5, 180)
    assert sorted(p.name for p in corpus.iterdir()) == ["articles.jsonl", "raw", "sentences.jsonl"]


def test_sharded_parquet_output_replaces_the_jsonl_and_is_read_by_build_and_push(corpus, reference, tmp_path):
    split_corpus_sharded(corpus_dir=corpus, shard_bytes=5_000, sharded=True)
    parts = sorted(p.name for p in (corpus / "sentences").iterdir())
    assert parts == [f"part-0000{i}.parquet" for i in range(len(parts))] and len(parts) > 1
    assert not (corpus / "sentences.jsonl").exists()
    jsonl = tmp_path / "jsonl"
    shutil.copytree(REPO / "corpus", jsonl)
    assert list(iter_sentences_of(corpus)) == list(iter_sentences_of(jsonl))
    assert list(sentence_tasks(corpus)) == list(sentence_tasks(jsonl))  # what push sends
    common = {
        "annotations_path": REPO / "labels" / "annotations.jsonl",
        "schema_path": REPO / "labels" / "schema.yaml",
    }
    build_dataset(corpus_dir=corpus, out_dir=tmp_path / "from-parts", **common)
    build_dataset(corpus_dir=jsonl, out_dir=tmp_path / "from-jsonl", **common)
    for split in ("train", "validation", "test"):
        path = f"data/{split}.parquet"
        assert (tmp_path / "from-parts" / path).read_bytes() == (tmp_path / "from-jsonl" / path).read_bytes()
    split_corpus(corpus_dir=corpus)  # back to one file: the folder goes
    assert (corpus / "sentences.jsonl").read_bytes() == reference and not (corpus / "sentences").exists()


def test_a_bad_article_line_is_named(corpus):
    with (corpus / "articles.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"id": "x"}\n')
    with pytest.raises(NewskitError, match=r"articles\.jsonl:6: article has no id or text"):
        split_corpus_sharded(corpus_dir=corpus, shard_bytes=5_000)
    assert not (corpus / "sentences.jsonl").exists()
    assert [p.name for p in corpus.iterdir() if p.name.startswith(".")] == []


@pytest.mark.ray
def test_ray_gives_the_single_process_bytes(local_ray, corpus, reference, run_cli):
    report = split_corpus_sharded(corpus_dir=corpus, engine="ray", shard_bytes=5_000)
    assert (corpus / "sentences.jsonl").read_bytes() == reference
    assert (report.articles, report.sentences, report.empty_articles) == (5, 180, 0)
