"""Articles made of given sentences: the labeled sentences ``newskit import-labels`` brought in.

``corpus/given/<name>.jsonl`` holds one row per sentence, exactly as the labeled file gave it
(``article_id``, ``article_key``, ``text`` and the optional ``title``, ``source``, ``url``,
``date``). Ingest turns them into article records: the sentences of one article, from all
files in name order (import order), joined by a line break, with their spans in
``given_spans`` so that ``split`` takes them as they are instead of re-segmenting. No
cleaning rule touches them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from newskit.errors import NewskitError
from newskit.jsonio import read_jsonl

GIVEN_DIR = "given"
META = ("title", "source", "url", "date")
SEPARATOR = "\n"


def given_files(corpus_dir: Path) -> list[Path]:
    """The given-sentence files of a corpus, in name (= import) order."""
    folder = Path(corpus_dir) / GIVEN_DIR
    return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []


def given_articles(corpus_dir: Path) -> list[dict[str, Any]]:
    """Article records for every article of ``corpus_dir/given/*.jsonl``, in order of first appearance."""
    articles: dict[str, dict[str, Any]] = {}
    parts: dict[str, list[str]] = {}
    for path in given_files(corpus_dir):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        name = f"{GIVEN_DIR}/{path.name}"
        for number, row in enumerate(read_jsonl(path), start=1):
            if not isinstance(row.get("article_id"), str) or not isinstance(row.get("text"), str):
                raise NewskitError(
                    f"{path}: row {number} has no article_id or text",
                    "this file is written by `newskit import-labels`; restore it from version control",
                )
            article = articles.get(row["article_id"])
            if article is None:
                article = articles[row["article_id"]] = {
                    "id": row["article_id"],
                    "author": None,
                    "raw_path": name,
                    "raw_record": number,
                    "raw_sha256": digest,
                    "cleaning": {"given": {"article_key": row.get("article_key")}},
                    **{key: None for key in META},
                }
                parts[row["article_id"]] = []
            for key in META:
                if article[key] is None and row.get(key):
                    article[key] = row[key]
            parts[row["article_id"]].append(row["text"])
    for article_id, article in articles.items():
        spans, position = [], 0
        for text in parts[article_id]:
            spans.append([position, position + len(text)])
            position += len(text) + len(SEPARATOR)
        article["text"] = SEPARATOR.join(parts[article_id])
        article["given_spans"] = spans
    return list(articles.values())
