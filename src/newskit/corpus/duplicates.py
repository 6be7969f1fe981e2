"""Find exact and near-exact duplicate sentences across articles.

Agency texts are republished by several outlets, so the same sentence can occur
in two articles of the corpus. If those articles landed in different splits, the
test split would contain sentences the model was trained on. The build links
such articles so they stay on one side of the split.

- Exact duplicates share a normalized key: Unicode NFKC, casefolded, punctuation,
  quotes and symbols removed, whitespace collapsed.
- Near-exact duplicates have a Jaccard similarity of at least ``threshold``
  (default 0.9) between their sets of character 5-grams of that normalized text.
- Sentences with fewer than ``min_tokens`` (default 5) tokens never link
  articles: short sentences ("Das sagte er.") repeat by chance.

Candidate pairs are found with prefix filtering (Bayardo et al., "Scaling up
all pairs similarity search", 2007): hand-written because it is exact (no
missed pairs, unlike MinHash/LSH) and about thirty lines, so it needs no extra
dependency.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

SHINGLE_SIZE = 5
DEFAULT_THRESHOLD = 0.9
DEFAULT_MIN_TOKENS = 5


@dataclass(frozen=True)
class DuplicatePair:
    """Two sentences of different articles that are (near-)exact duplicates."""

    first: str  # sentence id (the smaller of the two)
    second: str
    kind: str  # "exact" | "near"
    similarity: float


def normalize_for_duplicates(text: str) -> str:
    """The comparison key of a sentence: NFKC, casefold, no punctuation/quotes/symbols, single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    kept = [" " if unicodedata.category(char)[0] in "PSZC" else char for char in text]
    return " ".join("".join(kept).split())


def shingles(normalized: str, size: int = SHINGLE_SIZE) -> frozenset[str]:
    """The set of character ``size``-grams of a normalized sentence (the whole text if shorter)."""
    if len(normalized) <= size:
        return frozenset([normalized])
    return frozenset(normalized[i : i + size] for i in range(len(normalized) - size + 1))


def jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    """Jaccard similarity of two sets (1.0 for two empty sets)."""
    if not first and not second:
        return 1.0
    return len(first & second) / len(first | second)


def find_duplicate_pairs(
    sentences: Iterable[dict],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    min_tokens: int = DEFAULT_MIN_TOKENS,
) -> list[DuplicatePair]:
    """Pairs of sentences from different articles that are exact or near-exact duplicates.

    ``sentences`` are corpus sentence records (``id``, ``article_id``, ``text``).
    The result is sorted, so the same input always gives the same list.
    """
    records = []
    for sentence in sentences:
        key = normalize_for_duplicates(sentence["text"])
        if len(key.split()) >= min_tokens:
            records.append((sentence["id"], sentence["article_id"], key))
    records.sort()
    pairs: dict[tuple[str, str], DuplicatePair] = {}

    by_key: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for sentence_id, article_id, key in records:
        by_key[key].append((sentence_id, article_id))
    for members in by_key.values():
        for i, (first_id, first_article) in enumerate(members):
            for second_id, second_article in members[i + 1 :]:
                if first_article != second_article:
                    pairs[(first_id, second_id)] = DuplicatePair(first_id, second_id, "exact", 1.0)

    # Near-exact: one representative per distinct key, compared with prefix filtering.
    representatives = [(key, members) for key, members in sorted(by_key.items())]
    sets = [shingles(key) for key, _ in representatives]
    frequency = Counter(gram for grams in sets for gram in grams)
    ordered = [sorted(grams, key=lambda gram: (frequency[gram], gram)) for grams in sets]
    index: dict[str, list[int]] = defaultdict(list)
    for position in sorted(range(len(ordered)), key=lambda i: (len(ordered[i]), i)):
        grams = ordered[position]
        prefix_length = len(grams) - math.ceil(threshold * len(grams)) + 1
        candidates = {other for gram in grams[:prefix_length] for other in index[gram]}
        for other in candidates:
            # Processed in order of size, so ``other`` is never larger: length filter.
            if len(ordered[other]) < threshold * len(grams):
                continue
            similarity = jaccard(sets[position], sets[other])
            if similarity >= threshold:
                _add_near_pairs(pairs, representatives[position][1], representatives[other][1], similarity)
        for gram in grams[:prefix_length]:
            index[gram].append(position)
    return sorted(pairs.values(), key=lambda pair: (pair.first, pair.second))


def _add_near_pairs(
    pairs: dict[tuple[str, str], DuplicatePair],
    first_members: list[tuple[str, str]],
    second_members: list[tuple[str, str]],
    similarity: float,
) -> None:
    for first_id, first_article in first_members:
        for second_id, second_article in second_members:
            if first_article == second_article:
                continue
            low, high = sorted((first_id, second_id))
            pairs.setdefault((low, high), DuplicatePair(low, high, "near", round(similarity, 4)))
