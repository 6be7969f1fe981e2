"""The split stage: exact offsets, stable ids, byte-identical reruns, streaming, and a clear error."""

from __future__ import annotations

import hashlib
import itertools
import re
import shutil
import sys
import types

import pytest

from newskit.corpus.ingest import ingest
from newskit.errors import NewskitError
from newskit.identity import sentence_id
from newskit.jsonio import read_jsonl, write_jsonl
from newskit.segment.sentences import iter_sentences, split_corpus

FIELDS = {"id", "article_id", "index", "start", "end", "text"}


def fake_spans(text: str) -> list[tuple[int, int]]:
    """Sentences end at '.', '!' or '?' followed by whitespace or the end (leading whitespace skipped)."""
    return [(m.start(), m.end()) for m in re.finditer(r"\S.*?(?:[.!?](?=\s|$)|$)", text, flags=re.S)]


@pytest.fixture
def fake_segmenter(monkeypatch):
    """Stand-in for newskit.segment.segmenter with the same interface; records how far it has read ahead."""
    module = types.ModuleType("newskit.segment.segmenter")
    module.texts_read = 0

    def segment_many(texts, *, batch_size=64):
        batch = []
        for text in texts:
            module.texts_read += 1
            batch.append(text)
            if len(batch) == batch_size:
                yield from (fake_spans(t) for t in batch)
                batch = []
        yield from (fake_spans(t) for t in batch)

    module.segment = fake_spans
    module.segment_many = segment_many
    monkeypatch.setitem(sys.modules, "newskit.segment.segmenter", module)
    return module


def write_articles(corpus, texts):
    write_jsonl(corpus / "articles.jsonl", ({"id": f"a{i:015d}", "text": t} for i, t in enumerate(texts)))


def test_offsets_ids_and_order(tmp_path, fake_segmenter):
    texts = ["Erster Satz. Zweiter Satz!\n\nDritter Satz?", "  Nur einer.", ""]
    write_articles(tmp_path, texts)
    report = split_corpus(corpus_dir=tmp_path)
    sentences = list(read_jsonl(tmp_path / "sentences.jsonl"))
    assert (report.articles, report.sentences, report.empty_articles) == (3, 4, 1)
    assert [s["text"] for s in sentences] == ["Erster Satz.", "Zweiter Satz!", "Dritter Satz?", "Nur einer."]
    for sentence in sentences:
        assert set(sentence) == FIELDS
        article_text = texts[int(sentence["article_id"][1:])]
        assert article_text[sentence["start"] : sentence["end"]] == sentence["text"]
        assert sentence["id"] == sentence_id(sentence["article_id"], sentence["text"])
    assert [s["index"] for s in sentences] == [0, 1, 2, 0]
    assert sentences[3]["id"] == "a000000000000001:" + hashlib.sha256(b"Nur einer.").hexdigest()[:12]


def test_rerun_is_byte_identical(tmp_path, fake_segmenter):
    write_articles(tmp_path, ["Ein Satz. Noch einer.", "Und hier."])
    split_corpus(corpus_dir=tmp_path)
    first = (tmp_path / "sentences.jsonl").read_bytes()
    split_corpus(corpus_dir=tmp_path)
    assert (tmp_path / "sentences.jsonl").read_bytes() == first
    assert first.count(b"\n") == 3


def test_streams_articles_in_batches(fake_segmenter):
    endless = ({"id": f"a{i}", "text": f"Satz {i}. Noch einer."} for i in itertools.count())
    first = list(itertools.islice(iter_sentences(endless, batch_size=4), 10))
    assert [s["article_id"] for s in first] == ["a0", "a0", "a1", "a1", "a2", "a2", "a3", "a3", "a4", "a4"]
    assert fake_segmenter.texts_read == 8  # two batches read ahead, not the whole (endless) stream


def test_missing_articles_is_an_error(tmp_path):
    with pytest.raises(NewskitError) as info:
        split_corpus(corpus_dir=tmp_path)
    assert info.value.one_line() == (
        f"error: {tmp_path / 'articles.jsonl'}: no articles to split (hint: run `newskit ingest` first)"
    )


def test_article_without_text_is_an_error(tmp_path, fake_segmenter):
    write_jsonl(tmp_path / "articles.jsonl", [{"id": "x", "text": "Satz."}, {"id": "y"}])
    with pytest.raises(NewskitError, match=r"articles\.jsonl: article 2 has no id or text"):
        split_corpus(corpus_dir=tmp_path)
    assert not (tmp_path / "sentences.jsonl").exists()  # atomic: nothing half-written


def test_cli_split(run_cli, tmp_path, fake_segmenter):
    write_articles(tmp_path, ["Ein Satz. Noch einer."])
    code, out, err = run_cli("split", "--corpus", str(tmp_path))
    assert (code, err) == (0, "")
    assert f"2 sentences from 1 articles → {tmp_path / 'sentences.jsonl'}" in out


def test_cli_split_without_articles(run_cli, tmp_path):
    code, out, err = run_cli("split", "--corpus", str(tmp_path))
    assert code == 1
    assert (
        err
        == f"error: {tmp_path / 'articles.jsonl'}: no articles to split (hint: run `newskit ingest` first)\n"
    )
    assert "Traceback" not in out + err


def test_sentence_ids_follow_the_text_not_the_offsets(tmp_path, fake_segmenter):
    write_articles(tmp_path, ["Ein Satz. Noch einer. Ein Satz."])
    split_corpus(corpus_dir=tmp_path)
    before = [s["id"] for s in read_jsonl(tmp_path / "sentences.jsonl")]
    assert before[2] == before[0] + "-2"  # the same text again in one article: numbered
    write_articles(tmp_path, ["Neu davor. Ein Satz. Noch einer. Ein Satz."])
    split_corpus(corpus_dir=tmp_path)
    assert [s["id"] for s in read_jsonl(tmp_path / "sentences.jsonl")][1:] == before


def test_given_sentences_are_not_re_split(tmp_path, fake_segmenter):
    text = "Erster Satz. Noch im ersten\nZweiter."
    write_jsonl(tmp_path / "articles.jsonl", [{"id": "g1", "text": text, "given_spans": [[0, 27], [28, 36]]}])
    split_corpus(corpus_dir=tmp_path)
    assert [s["text"] for s in read_jsonl(tmp_path / "sentences.jsonl")] == [text[:27], "Zweiter."]


def test_seed_corpus_with_the_real_segmenter(tmp_path, repo_root):
    shutil.copytree(repo_root / "corpus" / "raw", tmp_path / "seeds")
    corpus = tmp_path / "corpus"
    ingest([tmp_path / "seeds"], corpus_dir=corpus)
    split_corpus(corpus_dir=corpus)
    first = (corpus / "sentences.jsonl").read_bytes()
    articles = {a["id"]: a["text"] for a in read_jsonl(corpus / "articles.jsonl")}
    sentences = list(read_jsonl(corpus / "sentences.jsonl"))
    assert len(sentences) > len(articles) * 5
    assert {s["article_id"] for s in sentences} == set(articles)
    for sentence in sentences:
        assert articles[sentence["article_id"]][sentence["start"] : sentence["end"]] == sentence["text"]
        assert sentence["text"].strip() == sentence["text"] != ""
    split_corpus(corpus_dir=corpus)
    assert (corpus / "sentences.jsonl").read_bytes() == first
