"""The ingest stage: raw inputs → ``corpus/raw/`` (byte for byte) → ``corpus/articles.jsonl``.

``corpus/raw/`` is the store of raw inputs. Ingesting paths copies their files
into it, then rebuilds ``articles.jsonl`` from every file in it, in sorted
order, followed by the articles of the labeled sentences in ``corpus/given/``
(:mod:`newskit.corpus.given`). Everything is read and checked before anything is copied or
written, so a bad input leaves the corpus as it was.

An article's id comes from its raw record (:func:`newskit.identity.raw_article_id`), so
changing the cleaning rules never changes it; articles with the same cleaned text are
stored once (the first in sorted order), as before.
"""

from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newskit.corpus.boilerplate import RuleSet, load_rules
from newskit.corpus.given import given_articles
from newskit.corpus.normalize import normalize_record
from newskit.corpus.readers import SUPPORTED_SUFFIXES, is_supported, read_records
from newskit.corpus.warc import is_warc, read_warc_records
from newskit.errors import NewskitError
from newskit.identity import raw_article_id, text_id
from newskit.jsonio import atomic_write, sha256_file, write_jsonl

DEFAULT_MAX_BYTES = 20_000_000
ARTICLES_FILE = "articles.jsonl"
RAW_DIR = "raw"


@dataclass
class IngestReport:
    """What an ingest run did, for the summary the CLI prints."""

    articles_path: Path
    articles: int = 0
    records: int = 0
    raw_files: int = 0
    copied: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (duplicate, kept) raw references
    lines_removed: int = 0
    fragments_removed: int = 0
    mojibake_repairs: int = 0
    skipped: list[str] = field(default_factory=list)  # unsupported files in corpus/raw, left alone
    skipped_records: Counter = field(default_factory=Counter)  # reason → records left out (WARC, language)
    given_articles: int = 0  # articles of labeled sentences imported with `newskit import-labels`
    changed: bool = False


def _supported_files_in(folder: Path) -> list[Path]:
    """Supported files under ``folder``, recursively, sorted, hidden files and folders skipped."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if is_supported(path):
            found.append(path)
    return found


def collect_inputs(paths: list[Path]) -> list[Path]:
    """The files named by ``paths`` (folders expanded); unsupported or missing paths are errors."""
    files: list[Path] = []
    supported = ", ".join(SUPPORTED_SUFFIXES)
    for path in paths:
        path = Path(path)
        if path.is_dir():
            inside = _supported_files_in(path)
            if not inside:
                raise NewskitError(f"{path}: folder has no supported files", f"put {supported} files in it")
            files.extend(inside)
        elif path.is_file():
            if not is_supported(path):
                raise NewskitError(
                    f"{path}: unsupported file type {path.suffix or '(no extension)'!r}",
                    f"give {supported} files",
                )
            files.append(path)
        else:
            raise NewskitError(f"{path}: no such file or folder", "check the path")
    return files


def _read_bytes(path: Path, *, where: str, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise NewskitError(
                f"{where}: file is too large ({size:,} bytes, limit {max_bytes:,})",
                "split it into smaller files or raise --max-bytes",
            )
        return path.read_bytes()
    except OSError as exc:
        message = f"{where}: cannot read the file ({exc.strerror})"
        raise NewskitError(message, "check the permissions") from None


def _digest(path: Path, data: bytes | None) -> str:
    return hashlib.sha256(data).hexdigest() if data is not None else sha256_file(path)


def plan_copies(
    files: list[Path], raw_dir: Path, max_bytes: int, *, keep_bytes: bool = True
) -> tuple[dict[str, bytes | None], dict[str, Path]]:
    """File name → bytes (and → input path) of every input not yet in ``raw_dir``; name clashes are errors.

    WARC files (which can be gigabytes), and every file without ``keep_bytes``, are not kept in
    memory: their bytes are None, compared by hash and streamed when copied. ``max_bytes``
    limits each record of a WARC file instead of the file.
    """
    planned: dict[str, bytes | None] = {}
    origins: dict[str, Path] = {}
    for path in files:
        data = None
        if not is_warc(path):
            data = _read_bytes(path, where=str(path), max_bytes=max_bytes)
            data = data if keep_bytes else None
        target = raw_dir / path.name
        if target.exists() and path.resolve() == target.resolve():
            continue
        if path.name in planned:
            other = origins[path.name]
            same = _digest(other, planned[path.name]) == _digest(path, data)
        elif target.exists():
            same, other = sha256_file(target) == _digest(path, data), target
        else:
            planned[path.name], origins[path.name] = data, path
            continue
        if not same:
            raise NewskitError(
                f"{path}: a different file with the same name is already in the corpus ({other})",
                "rename the new file (raw files are never overwritten)",
            )
    return planned, origins


def copy_planned(planned: dict[str, bytes | None], origins: dict[str, Path], raw_dir: Path) -> list[str]:
    """Copy the planned inputs into ``raw_dir`` byte for byte (atomically each); their raw paths."""
    copied = []
    for name, data in planned.items():
        with atomic_write(raw_dir / name, "wb") as handle:
            if data is None:
                with origins[name].open("rb") as source:
                    shutil.copyfileobj(source, handle, 1 << 20)
            else:
                handle.write(data)
        copied.append(f"{RAW_DIR}/{name}")
    return copied


def _raw_reference(record: dict[str, Any]) -> str:
    where = record["raw_path"]
    return f"{where}:{record['raw_record']}" if record["raw_record"] is not None else where


def file_articles(
    name: str,
    source: Path,
    *,
    where: str,
    rules: RuleSet,
    max_bytes: int,
    data: bytes | None = None,
    language: str | None = None,
    skipped: Counter,
) -> Iterator[dict[str, Any]]:
    """The normalized articles of one raw file, in file order, with ``raw_path`` and ``raw_sha256``.

    ``source`` is read unless its bytes are given as ``data``; a WARC file is streamed.
    With ``language``, articles in another language are left out and counted in ``skipped``.
    """
    raw_path = f"{RAW_DIR}/{name}"
    if is_warc(Path(name)):
        digest = sha256_file(source)
        records = read_warc_records(source, where=where, max_bytes=max_bytes, skipped=skipped)
    else:
        data = _read_bytes(source, where=where, max_bytes=max_bytes) if data is None else data
        digest = hashlib.sha256(data).hexdigest()
        records = iter(read_records(Path(name), data, where=where))
    for record in records:
        label = f"{where}:{record.raw_record}" if record.raw_record is not None else where
        try:
            article = normalize_record(record, rules=rules, where=label)
        except NewskitError:
            if not is_warc(Path(name)):
                raise
            skipped["WARC pages with no text left after removing page furniture"] += 1
            continue
        if language is not None:
            from newskit.corpus.language import language_of

            if language_of(article["text"]) != language:
                skipped[f"articles not in language {language!r}"] += 1
                continue
        # The id comes from the raw file and the record, not the cleaned text: it survives
        # changes to cleaning rules (newskit.identity).
        article.update(id=raw_article_id(digest, record.raw_record), raw_path=raw_path, raw_sha256=digest)
        yield article


def raw_sources(
    raw_dir: Path,
    planned: dict[str, bytes | None],
    origins: dict[str, Path],
    report: IngestReport,
    *,
    allow_empty: bool = False,
) -> list[tuple[str, Path]]:
    """``(raw file name, where to read it)`` for every raw file after the copies, in sorted name order.

    Planned inputs are read from where they come from (they are copied only at the end);
    unsupported files in ``raw_dir`` are listed in ``report.skipped``.
    """
    existing = {}
    if raw_dir.is_dir():
        for path in sorted(raw_dir.iterdir()):
            if path.name.startswith(".") or not path.is_file():
                continue
            if is_supported(path):
                existing[path.name] = path
            else:
                report.skipped.append(f"{RAW_DIR}/{path.name}")
    names = sorted(set(existing) | set(planned))
    if not names and not allow_empty:  # allowed when the corpus holds imported (given) articles
        raise NewskitError(f"{raw_dir}: no raw files to ingest", "run: newskit ingest PATH (file or folder)")
    report.raw_files = len(names)
    return [(name, origins[name] if name in planned else existing[name]) for name in names]


def ingest(
    paths: list[Path],
    *,
    corpus_dir: Path = Path("corpus"),
    max_bytes: int = DEFAULT_MAX_BYTES,
    boilerplate_path: Path | None = None,
    language: str | None = None,
) -> IngestReport:
    """Copy ``paths`` into ``corpus_dir/raw`` and rebuild ``corpus_dir/articles.jsonl`` from all raw files.

    With no paths, re-normalizes what is already in ``raw/``. All or nothing: any
    bad input raises :class:`NewskitError` before a file is copied or written.
    """
    corpus_dir = Path(corpus_dir)
    raw_dir = corpus_dir / RAW_DIR
    rules = load_rules(boilerplate_path)
    planned, origins = plan_copies(collect_inputs(paths), raw_dir, max_bytes)
    report = IngestReport(articles_path=corpus_dir / ARTICLES_FILE)

    given = given_articles(corpus_dir)
    articles: list[dict[str, Any]] = []
    kept: dict[str, dict[str, Any]] = {}
    for name, source in raw_sources(raw_dir, planned, origins, report, allow_empty=bool(given)):
        for article in file_articles(
            name,
            source,
            where=str(source),
            rules=rules,
            max_bytes=max_bytes,
            data=planned.get(name),
            language=language,
            skipped=report.skipped_records,
        ):
            report.records += 1
            same_text = text_id(article["text"])
            first = kept.get(same_text)
            if first is not None:
                duplicate = {"raw_path": article["raw_path"], "raw_record": article["raw_record"]}
                first["cleaning"]["duplicates"].append(duplicate)
                report.duplicates.append((_raw_reference(article), _raw_reference(first)))
                continue
            kept[same_text] = article
            articles.append(article)
            cleaning = article["cleaning"]
            report.lines_removed += cleaning["counts"]["lines_removed"]
            report.fragments_removed += cleaning["counts"]["fragments_removed"]
            report.mojibake_repairs += cleaning["mojibake_repairs"]
    report.given_articles = len(given)
    articles.extend(given)
    report.articles = len(articles)

    report.copied = copy_planned(planned, origins, raw_dir)
    before = sha256_file(report.articles_path) if report.articles_path.exists() else None
    write_jsonl(report.articles_path, articles)
    report.changed = sha256_file(report.articles_path) != before
    return report
