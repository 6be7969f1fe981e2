"""The split stage: ``corpus/articles.jsonl`` → ``corpus/sentences.jsonl``.

A chain of generators: articles are read one by one, their texts go to the
segmenter in batches, and each sentence is written as soon as its article is
segmented, so memory stays flat however large the corpus is. A sentence's id is
its article's id plus a hash of its text (:mod:`newskit.identity`): the same on every
run, and unchanged when a new rule moves the sentence within its article. Articles with
``given_spans`` (labeled sentences imported as they were given) are not re-segmented.
"""

from __future__ import annotations

import shutil
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newskit.errors import NewskitError
from newskit.identity import sentence_ids
from newskit.jsonio import read_jsonl, write_jsonl

ARTICLES_FILE = "articles.jsonl"
SENTENCES_FILE = "sentences.jsonl"
BATCH_SIZE = 64


@dataclass
class SplitReport:
    """Counts of a split run."""

    sentences_path: Path
    articles: int = 0
    sentences: int = 0
    empty_articles: int = 0


def count_articles(articles_path: Path) -> int:
    """Number of non-empty lines in ``articles.jsonl`` (for a progress bar's total)."""
    with Path(articles_path).open(encoding="utf-8") as handle:
        return sum(1 for line in handle if line.strip())


def _checked_articles(articles_path: Path) -> Iterator[dict[str, Any]]:
    for number, article in enumerate(read_jsonl(articles_path), start=1):
        if not isinstance(article.get("id"), str) or not isinstance(article.get("text"), str):
            raise NewskitError(
                f"{articles_path}: article {number} has no id or text",
                "regenerate the file with: newskit ingest",
            )
        yield article


def iter_sentences(
    articles: Iterator[dict[str, Any]],
    *,
    batch_size: int = BATCH_SIZE,
    on_article: Callable[[dict[str, Any], int], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Sentence records for a stream of articles, in article order.

    The segmenter reads ahead at most ``batch_size`` texts; their articles wait in a
    small queue until their spans come back. ``on_article(article, n_sentences)``
    is called after each article (for progress and counts).
    """
    from newskit.segment.segmenter import segment_many  # the spaCy pipeline loads only when splitting

    waiting: deque[dict[str, Any]] = deque()

    def texts() -> Iterator[str]:
        for article in articles:
            waiting.append(article)
            yield "" if "given_spans" in article else article["text"]  # given sentences are kept as they are

    for spans in segment_many(texts(), batch_size=batch_size):
        article = waiting.popleft()
        text = article["text"]
        spans = [tuple(span) for span in article.get("given_spans", spans)]
        ids = sentence_ids(article["id"], (text[start:end] for start, end in spans))
        for index, ((start, end), identifier) in enumerate(zip(spans, ids, strict=True)):
            yield {
                "id": identifier,
                "article_id": article["id"],
                "index": index,
                "start": start,
                "end": end,
                "text": text[start:end],
            }
        if on_article is not None:
            on_article(article, len(spans))


def split_corpus(
    *,
    corpus_dir: Path = Path("corpus"),
    on_article: Callable[[dict[str, Any], int], None] | None = None,
) -> SplitReport:
    """Segment every article of ``corpus_dir/articles.jsonl`` into ``corpus_dir/sentences.jsonl``.

    Streams from input to output and writes atomically; the same articles give a
    byte-identical file. ``on_article(article, n_sentences)`` is called after each article.
    """
    corpus_dir = Path(corpus_dir)
    articles_path = corpus_dir / ARTICLES_FILE
    if not articles_path.is_file():
        raise NewskitError(f"{articles_path}: no articles to split", "run `newskit ingest` first")
    report = SplitReport(sentences_path=corpus_dir / SENTENCES_FILE)

    def counted(article: dict[str, Any], n_sentences: int) -> None:
        report.articles += 1
        report.empty_articles += n_sentences == 0
        if on_article is not None:
            on_article(article, n_sentences)

    stream = iter_sentences(_checked_articles(articles_path), on_article=counted)
    report.sentences = write_jsonl(report.sentences_path, stream)
    shutil.rmtree(corpus_dir / "sentences", ignore_errors=True)  # a sharded output it replaces
    return report
