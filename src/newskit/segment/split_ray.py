"""The split stage in shards: the same sentences as :func:`split_corpus`, on Ray or sharded output.

``articles.jsonl`` is cut into line-aligned byte ranges; each shard goes through the very
same :func:`newskit.segment.sentences.iter_sentences` and is written to its own part file.
For ``sentences.jsonl`` the parts are joined in shard order, so the file is byte-identical
to the single-process one; with ``sharded`` they stay as ``sentences/part-NNNNN.parquet``
(the same records in the same order, read by ``build``, ``push`` and ``predict --input``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from newskit.engines.shards import run_shards
from newskit.errors import NewskitError
from newskit.records import LineShard, concatenate, iter_jsonl_range, line_shards, part_name, write_part
from newskit.segment.sentences import ARTICLES_FILE, SENTENCES_FILE, SplitReport, iter_sentences

SHARDED_DIR = "sentences"
SHARD_BYTES = 4_000_000  # fixed, so the parts of --sharded are the same on any cluster


class SplitShard:
    """Shard worker: loads the segmenter once, then splits one byte range of articles per call."""

    def __init__(self, articles_path: str, name: str, parts_dir: str, suffix: str) -> None:
        from newskit.segment.segmenter import get_pipeline

        get_pipeline()
        self.articles_path, self.name = Path(articles_path), name
        self.parts_dir, self.suffix = Path(parts_dir), suffix

    def __call__(self, shard: dict[str, Any]) -> dict[str, Any]:
        line_shard = LineShard(**shard)
        counts = {"index": line_shard.index, "articles": 0, "empty_articles": 0}

        def articles():
            for where, article in iter_jsonl_range(self.articles_path, line_shard, name=self.name):
                if not isinstance(article.get("id"), str) or not isinstance(article.get("text"), str):
                    raise NewskitError(
                        f"{where}: article has no id or text", "regenerate the file with: newskit ingest"
                    )
                yield article

        def counted(_article: dict[str, Any], n_sentences: int) -> None:
            counts["articles"] += 1
            counts["empty_articles"] += n_sentences == 0

        part = self.parts_dir / part_name(line_shard.index, self.suffix)
        counts["sentences"] = write_part(part, iter_sentences(articles(), on_article=counted))
        return counts


def split_corpus_sharded(
    *,
    corpus_dir: Path = Path("corpus"),
    engine: str = "local",
    address: str | None = None,
    sharded: bool = False,
    shard_bytes: int = SHARD_BYTES,
    workers: int | None = None,
) -> SplitReport:
    """Split ``corpus_dir/articles.jsonl`` shard by shard (``engine`` ``local`` or ``ray``).

    Writes ``sentences.jsonl`` (and removes a ``sentences/`` folder), or with ``sharded``
    the folder ``sentences/`` of Parquet parts (and removes ``sentences.jsonl``). The new
    output is complete before the old one is removed.
    """
    corpus_dir = Path(corpus_dir)
    articles_path = corpus_dir / ARTICLES_FILE
    if not articles_path.is_file():
        raise NewskitError(f"{articles_path}: no articles to split", "run `newskit ingest` first")
    shards = [vars(shard) for shard in line_shards(articles_path, target_bytes=shard_bytes)]
    single, folder = corpus_dir / SENTENCES_FILE, corpus_dir / SHARDED_DIR
    parts_dir = Path(tempfile.mkdtemp(prefix=".sentences-parts.", dir=corpus_dir))
    try:
        kwargs = {
            "articles_path": str(articles_path.resolve()),
            "name": str(articles_path),
            "parts_dir": str(parts_dir.resolve()),
            "suffix": ".parquet" if sharded else ".jsonl",
        }
        summaries = run_shards(
            shards, SplitShard, kwargs=kwargs, engine=engine, address=address, workers=workers
        )
        report = SplitReport(sentences_path=folder if sharded else single)
        for summary in summaries:
            report.articles += summary["articles"]
            report.sentences += summary["sentences"]
            report.empty_articles += summary["empty_articles"]
        if sharded:
            if not shards:  # an empty articles file still gives a readable (empty) output
                write_part(parts_dir / part_name(0, ".parquet"), [])
            parts_dir.chmod(0o755)
            old = corpus_dir / f".sentences-old.{parts_dir.name}"
            if folder.exists():
                folder.rename(old)
            parts_dir.rename(folder)
            shutil.rmtree(old, ignore_errors=True)
            single.unlink(missing_ok=True)
        else:
            concatenate(sorted(parts_dir.iterdir()), single)
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(parts_dir, ignore_errors=True)
    return report
