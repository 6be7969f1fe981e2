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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newskit.corpus.boilerplate import load_rules
from newskit.corpus.given import given_articles
from newskit.corpus.normalize import normalize_record
from newskit.corpus.readers import SUPPORTED_SUFFIXES, is_supported, read_records
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


def _plan_copies(
    files: list[Path], raw_dir: Path, max_bytes: int
) -> tuple[dict[str, bytes], dict[str, Path]]:
    """File name → bytes (and → input path) of every input not yet in ``raw_dir``; name clashes are errors."""
    planned: dict[str, bytes] = {}
    origins: dict[str, Path] = {}
    for path in files:
        data = _read_bytes(path, where=str(path), max_bytes=max_bytes)
        target = raw_dir / path.name
        if target.exists() and path.resolve() == target.resolve():
            continue
        if path.name in planned:
            same, other = planned[path.name] == data, origins[path.name]
        elif target.exists():
            same, other = target.read_bytes() == data, target
        else:
            planned[path.name], origins[path.name] = data, path
            continue
        if not same:
            raise NewskitError(
                f"{path}: a different file with the same name is already in the corpus ({other})",
                "rename the new file (raw files are never overwritten)",
            )
    return planned, origins


def _raw_reference(record: dict[str, Any]) -> str:
    where = record["raw_path"]
    return f"{where}:{record['raw_record']}" if record["raw_record"] is not None else where


def ingest(
    paths: list[Path],
    *,
    corpus_dir: Path = Path("corpus"),
    max_bytes: int = DEFAULT_MAX_BYTES,
    boilerplate_path: Path | None = None,
) -> IngestReport:
    """Copy ``paths`` into ``corpus_dir/raw`` and rebuild ``corpus_dir/articles.jsonl`` from all raw files.

    With no paths, re-normalizes what is already in ``raw/``. All or nothing: any
    bad input raises :class:`NewskitError` before a file is copied or written.
    """
    corpus_dir = Path(corpus_dir)
    raw_dir = corpus_dir / RAW_DIR
    rules = load_rules(boilerplate_path)
    planned, origins = _plan_copies(collect_inputs(paths), raw_dir, max_bytes)
    report = IngestReport(articles_path=corpus_dir / ARTICLES_FILE)

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
    given = given_articles(corpus_dir)
    if not names and not given:
        raise NewskitError(f"{raw_dir}: no raw files to ingest", "run: newskit ingest PATH (file or folder)")

    articles: list[dict[str, Any]] = []
    kept: dict[str, dict[str, Any]] = {}
    for name in names:
        raw_path = f"{RAW_DIR}/{name}"
        where = str(origins[name]) if name in planned else str(existing[name])
        data = planned.get(name)
        if data is None:
            data = _read_bytes(existing[name], where=where, max_bytes=max_bytes)
        digest = hashlib.sha256(data).hexdigest()
        for record in read_records(Path(name), data, where=where):
            label = f"{where}:{record.raw_record}" if record.raw_record is not None else where
            article = normalize_record(record, rules=rules, where=label)
            article.update(id=raw_article_id(digest, record.raw_record), raw_path=raw_path, raw_sha256=digest)
            report.records += 1
            same_text = text_id(article["text"])
            first = kept.get(same_text)
            if first is not None:
                duplicate = {"raw_path": raw_path, "raw_record": record.raw_record}
                first["cleaning"]["duplicates"].append(duplicate)
                report.duplicates.append((_raw_reference(article), _raw_reference(first)))
                continue
            kept[same_text] = article
            articles.append(article)
            cleaning = article["cleaning"]
            report.lines_removed += cleaning["counts"]["lines_removed"]
            report.fragments_removed += cleaning["counts"]["fragments_removed"]
            report.mojibake_repairs += cleaning["mojibake_repairs"]
    report.raw_files = len(names)
    report.given_articles = len(given)
    articles.extend(given)
    report.articles = len(articles)

    for name, data in planned.items():
        with atomic_write(raw_dir / name, "wb") as handle:
            handle.write(data)
        report.copied.append(f"{RAW_DIR}/{name}")
    before = sha256_file(report.articles_path) if report.articles_path.exists() else None
    write_jsonl(report.articles_path, articles)
    report.changed = sha256_file(report.articles_path) != before
    return report
