"""Where each labeled sentence is now, after ``ingest`` or ``split`` changed the corpus.

Every annotation row carries the sentence id, article id and text its task was made
with. When the corpus no longer has that sentence id, the sentence is searched again:

- ``moved``: a sentence with the same text in the same article (found by its article id,
  by the article the last map found, or, for ids of an older id scheme, by the corpus
  article that holds most of that old article's labeled texts);
- ``changed``: the most similar sentence of that article, when close enough (a boundary
  moved, a credit line removed): the annotations follow it, marked for review;
- ``gone``: nothing close enough: the annotations go to ``labels/orphans.jsonl``.

The result is ``labels/sentence_map.jsonl`` (derived, committed), one row per labeled
sentence id that is not in the corpus as it is; raw snapshots are never edited, and
``labels/annotations.jsonl`` is rebuilt through this map (:mod:`newskit.labels.snapshots`).
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newskit.jsonio import read_jsonl, write_jsonl

MAP_FILE = "sentence_map.jsonl"
ORPHANS_FILE = "orphans.jsonl"
SIMILAR = 0.8  # difflib ratio from which a sentence counts as the same one, changed a little
CONTAINED = (
    1 / 3
)  # or: the shorter text lies inside the longer one (a merge or a split) and is this share of it
MIN_CONTAINED_CHARS = 15


@dataclass(frozen=True)
class Reference:
    """A labeled sentence as its annotations know it."""

    sentence_id: str
    article_id: str | None
    text: str | None


@dataclass
class MapReport:
    """What a reconciliation found, per labeled sentence (not per annotation)."""

    map_path: Path
    labeled: int = 0
    counts: Counter[str] = field(default_factory=Counter)  # new, unchanged, moved, changed, gone (this run)
    review: int = 0  # sentences followed to a changed text (all of them, not only new ones)
    orphaned: int = 0  # labeled sentences not found in the corpus
    gone: list[dict[str, Any]] = field(default_factory=list)  # their map rows, in id order


def similarity(old: str, new: str) -> float:
    """How alike two sentence texts are (0–1): difflib's ratio, or 1-ish for a contained text.

    difflib (standard library) is enough here: it only compares a few dozen sentences of one
    article for the rare sentence that is not found unchanged.
    """
    shorter, longer = sorted((old, new), key=len)
    if len(shorter) >= MIN_CONTAINED_CHARS and shorter in longer and len(shorter) >= CONTAINED * len(longer):
        return round(max(SIMILAR, len(shorter) / len(longer)), 3)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return round(matcher.ratio(), 3)


def load_map(labels_dir: Path) -> dict[str, dict[str, Any]]:
    """The current sentence map (original sentence id → row); empty when there is none."""
    path = Path(labels_dir) / MAP_FILE
    return {row["id"]: row for row in read_jsonl(path)} if path.exists() else {}


def _scan(sentences_path: Path, wanted_texts: set[str], wanted_ids: set[str]) -> tuple[Any, ...]:
    """One pass over the corpus sentences: what exists, where wanted texts are, positions of wanted ids."""
    present: dict[str, str] = {}
    articles: set[str] = set()
    by_text: dict[str, list[tuple[str, str, int, int, int]]] = defaultdict(list)  # text → sentences
    positions: dict[str, tuple[int, int]] = {}
    for sentence in read_jsonl(sentences_path):
        articles.add(sentence["article_id"])
        if sentence["id"] in wanted_ids:
            present[sentence["id"]] = sentence["text"]
            positions[sentence["id"]] = (sentence["start"], sentence["end"])
        if sentence["text"] in wanted_texts:
            found = (
                sentence["article_id"],
                sentence["id"],
                sentence["index"],
                sentence["start"],
                sentence["end"],
            )
            by_text[sentence["text"]].append(found)
    return present, articles, by_text, positions


def _article_sentences(sentences_path: Path, wanted: set[str]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if wanted:
        for sentence in read_jsonl(sentences_path):
            if sentence["article_id"] in wanted:
                found[sentence["article_id"]].append(sentence)
    return found


def resolve(
    references: list[Reference], sentences_path: Path, previous: dict[str, dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, tuple[int, int]]]:
    """Map rows for the references not in the corpus as they are, and positions of all that are found."""
    texts = {ref.text for ref in references if ref.text}
    ids = {ref.sentence_id for ref in references} | {
        row["now"] for row in previous.values() if row.get("now")
    }
    present, articles, by_text, positions = _scan(sentences_path, texts, ids)
    lost = [ref for ref in references if ref.sentence_id not in present]

    votes: dict[str, Counter[str]] = defaultdict(Counter)  # old article → corpus article → exact texts
    for ref in lost:
        for article, *_ in by_text.get(ref.text or "", []):
            votes[ref.article_id or ""][article] += 1
    hints = {row.get("article_id"): row.get("now_article_id") for row in previous.values()}

    def article_of(ref: Reference) -> str | None:
        if ref.article_id in articles:
            return ref.article_id
        if hints.get(ref.article_id) in articles:
            return hints[ref.article_id]
        ranked = sorted(votes[ref.article_id or ""].items(), key=lambda item: (-item[1], item[0]))
        return ranked[0][0] if ranked else None

    rows, claimed, fuzzy = [], set(), []
    for ref in sorted(lost, key=lambda r: r.sentence_id):
        article = article_of(ref)
        row = {
            "id": ref.sentence_id,
            "article_id": ref.article_id,
            "text": ref.text,
            "now_article_id": article,
        }
        exact = sorted((i, s, (b, e)) for a, s, i, b, e in by_text.get(ref.text or "", []) if a == article)
        free = [found for found in exact if found[1] not in claimed] or exact
        if free:
            _, now, positions[now] = free[0]
            claimed.add(now)
            rows.append({**row, "status": "moved", "now": now, "now_text": ref.text, "similarity": 1.0})
        else:
            fuzzy.append(row)
    candidates = _article_sentences(sentences_path, {row["now_article_id"] for row in fuzzy} - {None})
    for row in fuzzy:
        scored = [
            (similarity(row["text"] or "", s["text"]), -s["index"], s)
            for s in candidates.get(row["now_article_id"], [])
        ]
        best = max(scored, key=lambda item: item[:2], default=None)
        if best and best[0] >= SIMILAR:
            sentence = best[2]
            rows.append({**row, "status": "changed", "now": sentence["id"], "now_text": sentence["text"]})
            rows[-1]["similarity"] = best[0]
            positions[sentence["id"]] = (sentence["start"], sentence["end"])
        else:
            rows.append({**row, "status": "gone", "now": None, "now_text": None, "similarity": None})
    rows.sort(key=lambda r: r["id"])
    return rows, positions


def reconcile(
    references: list[Reference],
    *,
    labels_dir: Path,
    sentences_path: Path,
    previous_positions: dict[str, tuple[int, int]] | None = None,
) -> MapReport:
    """Write ``labels_dir/sentence_map.jsonl`` for the corpus in ``sentences_path``; count what changed.

    ``previous_positions`` (sentence id → (start, end) in the corpus before this split)
    tells unchanged from moved; without it, every found sentence counts as unchanged.
    """
    previous = load_map(labels_dir)
    rows, positions = resolve(references, Path(sentences_path), previous)
    report = MapReport(map_path=Path(labels_dir) / MAP_FILE, labeled=len(references))
    by_id = {row["id"]: row for row in rows}
    for ref in references:
        row = by_id.get(ref.sentence_id)
        old = previous.get(ref.sentence_id) or {"status": "same", "now": ref.sentence_id}
        new = row or {"status": "same", "now": ref.sentence_id}
        before = (previous_positions or {}).get(old["now"] or "")
        moved_here = previous_positions is not None and before != positions.get(new["now"] or "")
        if (old["status"], old["now"]) == (new["status"], new["now"]) and not moved_here:
            report.counts["unchanged"] += 1
        elif previous_positions is not None and before is None and new["status"] == "same":
            report.counts["new"] += 1  # labeled, but not in the corpus before this split
        else:
            report.counts["moved" if new["status"] == "same" else new["status"]] += 1
        report.review += new["status"] == "changed"
        report.orphaned += new["status"] == "gone"
    report.gone = [row for row in rows if row["status"] == "gone"]
    write_jsonl(report.map_path, rows)
    return report


def follow(row: dict[str, Any], sentence_map: dict[str, dict[str, Any]]) -> tuple[dict[str, Any] | None, str]:
    """An annotation row as it attaches now (``None`` if its sentence is gone) and its status."""
    entry = sentence_map.get(row["sentence_id"])
    if entry is None:
        return row, "same"
    if entry["status"] == "gone":
        return None, "gone"
    moved = {
        **row,
        "sentence_id": entry["now"],
        "article_id": entry["now_article_id"],
        "original_sentence_id": row["sentence_id"],
    }
    if entry["status"] == "changed":
        moved["review"] = True
    return moved, entry["status"]
