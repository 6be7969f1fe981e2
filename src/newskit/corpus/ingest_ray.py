"""The ingest stage in shards (``newskit ingest --engine ray``): raw files read in parallel.

Every raw file is one shard: a worker runs :func:`newskit.corpus.ingest.file_articles` on it
(the very function of the single-process path) and writes the articles to a part file,
returning only ids and counts. The driver then keeps the first article of each id in sorted
file order, as the single-process path does, records the later ones as duplicates of it,
and joins the parts into ``articles.jsonl`` in file order: the same bytes as
:func:`newskit.corpus.ingest.ingest`. Parts without duplicates are copied byte for byte, so
the driver parses only the articles that gain or lose a duplicate.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from newskit.corpus.boilerplate import RuleSet, load_rules
from newskit.corpus.given import given_articles
from newskit.corpus.ingest import (
    ARTICLES_FILE,
    DEFAULT_MAX_BYTES,
    RAW_DIR,
    IngestReport,
    collect_inputs,
    copy_planned,
    file_articles,
    plan_copies,
    raw_sources,
)
from newskit.engines.shards import run_shards
from newskit.identity import text_id
from newskit.jsonio import atomic_write, dumps, sha256_file
from newskit.records import part_name, write_part


class IngestShard:
    """Shard worker: normalizes the articles of one raw file into a part file."""

    def __init__(self, rules: RuleSet, parts_dir: str, max_bytes: int, language: str | None) -> None:
        self.rules, self.parts_dir = rules, Path(parts_dir)
        self.max_bytes, self.language = max_bytes, language

    def __call__(self, shard: dict[str, Any]) -> dict[str, Any]:
        skipped: Counter = Counter()
        rows: list[list[Any]] = []

        def articles():
            for article in file_articles(
                shard["name"],
                Path(shard["source"]),
                where=shard["source"],
                rules=self.rules,
                max_bytes=self.max_bytes,
                language=self.language,
                skipped=skipped,
            ):
                cleaning = article["cleaning"]
                counts = cleaning["counts"]
                rows.append(
                    [
                        article["id"],
                        article["raw_record"],
                        counts["lines_removed"],
                        counts["fragments_removed"],
                        cleaning["mojibake_repairs"],
                        text_id(article["text"]),  # duplicates are the same text (newskit.identity)
                    ]
                )
                yield article

        write_part(self.parts_dir / part_name(shard["index"], ".jsonl"), articles())
        return {"index": shard["index"], "articles": rows, "skipped": dict(skipped)}


def _reference(raw_path: str, raw_record: int | None) -> str:
    return f"{raw_path}:{raw_record}" if raw_record is not None else raw_path


def ingest_sharded(
    paths: list[Path],
    *,
    corpus_dir: Path = Path("corpus"),
    max_bytes: int = DEFAULT_MAX_BYTES,
    boilerplate_path: Path | None = None,
    language: str | None = None,
    engine: str = "ray",
    address: str | None = None,
    workers: int | None = None,
) -> IngestReport:
    """:func:`newskit.corpus.ingest.ingest`, one raw file per shard (``engine`` ``ray`` or ``local``).

    All or nothing as well: the raw copies and ``articles.jsonl`` are written only after every
    file was read without error.
    """
    corpus_dir = Path(corpus_dir)
    raw_dir = corpus_dir / RAW_DIR
    rules = load_rules(boilerplate_path)
    planned, origins = plan_copies(collect_inputs(paths), raw_dir, max_bytes, keep_bytes=False)
    report = IngestReport(articles_path=corpus_dir / ARTICLES_FILE)
    given = given_articles(corpus_dir)
    sources = raw_sources(raw_dir, planned, origins, report, allow_empty=bool(given))
    shards = [
        {"index": index, "name": name, "source": str(source.resolve())}
        for index, (name, source) in enumerate(sources)
    ]
    corpus_dir.mkdir(parents=True, exist_ok=True)
    parts_dir = Path(tempfile.mkdtemp(prefix=".articles-parts.", dir=corpus_dir))
    try:
        kwargs = {
            "rules": rules,
            "parts_dir": str(parts_dir.resolve()),
            "max_bytes": max_bytes,
            "language": language,
        }
        summaries = run_shards(
            shards, IngestShard, kwargs=kwargs, engine=engine, address=address, workers=workers
        )
        first: dict[str, tuple[str, str]] = {}  # text id → (kept article id, its reference)
        dropped: dict[int, set[int]] = {}  # part → lines that are duplicates
        extra: dict[str, list[dict[str, Any]]] = {}  # kept id → its duplicates, in file order
        kept_in: dict[str, int] = {}
        for shard, summary in zip(shards, summaries, strict=True):
            raw_path = f"{RAW_DIR}/{shard['name']}"
            report.skipped_records.update(summary["skipped"])
            for line, row in enumerate(summary["articles"]):
                article_id, raw_record, lines, fragments, repairs, same_text = row
                report.records += 1
                reference = _reference(raw_path, raw_record)
                if same_text in first:
                    kept_id, kept_reference = first[same_text]
                    dropped.setdefault(shard["index"], set()).add(line)
                    extra.setdefault(kept_id, []).append({"raw_path": raw_path, "raw_record": raw_record})
                    report.duplicates.append((reference, kept_reference))
                    continue
                first[same_text], kept_in[article_id] = (article_id, reference), shard["index"]
                report.articles += 1
                report.lines_removed += lines
                report.fragments_removed += fragments
                report.mojibake_repairs += repairs
        touched = dropped.keys() | {kept_in[article_id] for article_id in extra}
        report.copied = copy_planned(planned, origins, raw_dir)
        before = sha256_file(report.articles_path) if report.articles_path.exists() else None
        with atomic_write(report.articles_path, "wb") as out:
            for shard in shards:
                part = parts_dir / part_name(shard["index"], ".jsonl")
                if shard["index"] not in touched:
                    with part.open("rb") as handle:
                        shutil.copyfileobj(handle, out, 1 << 20)
                    continue
                _write_fixed_part(part, out, dropped.get(shard["index"], set()), extra)
            for article in given:  # imported sentences' articles come last, as in ingest()
                out.write((dumps(article) + "\n").encode("utf-8"))
        report.given_articles = len(given)
        report.articles += len(given)
        report.changed = sha256_file(report.articles_path) != before
    finally:
        shutil.rmtree(parts_dir, ignore_errors=True)
    return report


def _write_fixed_part(
    part: Path, out: Any, dropped: set[int], extra: dict[str, list[dict[str, Any]]]
) -> None:
    """Copy one part without its duplicate lines, adding the duplicates of the articles it keeps."""
    with part.open("rb") as handle:
        for line, raw in enumerate(handle):
            if line in dropped:
                continue
            article = json.loads(raw)
            if article["id"] in extra:
                article["cleaning"]["duplicates"].extend(extra[article["id"]])
                raw = (dumps(article) + "\n").encode("utf-8")
            out.write(raw)
