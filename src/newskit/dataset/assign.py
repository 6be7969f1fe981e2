"""Assign articles to train/validation/test, by article and never by sentence.

Rules (documented in the dataset card):

1. Articles that share an (near-)exact duplicate sentence are grouped
   (connected components of the "shares a duplicate" graph), so a group is one
   unit: all its sentences land in the same split.
2. Groups are ordered by ``sha256("<seed>:<smallest article id of the group>")``;
   the order depends only on the article ids and the seed.
3. Splits are filled in that order by **sentences**: a group goes to the split
   whose share of the cumulative sentence count contains the group's midpoint.
4. Every split with a non-zero ratio gets at least one group when there are
   enough groups: an empty split takes the last group (in hash order) of the
   split holding the most groups. Each such move is reported as a note.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from newskit.errors import NewskitError

SPLIT_NAMES = ("train", "validation", "test")
DEFAULT_RATIOS = (0.8, 0.1, 0.1)


@dataclass
class SplitPlan:
    """Which split each article is in, the article groups, and what the splitter had to do."""

    article_split: dict[str, str]
    groups: list[list[str]]  # every group of linked articles (sorted), including single articles
    notes: list[str] = field(default_factory=list)

    @property
    def linked_groups(self) -> list[list[str]]:
        """Only the groups with more than one article (linked by duplicates)."""
        return [group for group in self.groups if len(group) > 1]


def parse_ratios(text: str) -> tuple[float, float, float]:
    """Parse ``"0.8,0.1,0.1"`` into three non-negative ratios that sum to 1 (±0.001)."""
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        values = ()
    return check_ratios(values, text)


def check_ratios(values: tuple[float, ...], text: str | None = None) -> tuple[float, float, float]:
    """Three non-negative ratios summing to 1 (±0.001) with a non-zero train ratio, else an error."""
    shown = text if text is not None else ",".join(f"{value:g}" for value in values)
    if len(values) != 3 or any(value < 0 for value in values) or abs(sum(values) - 1) > 1e-3:
        raise NewskitError(
            f"--ratios {shown!r}: expected three non-negative numbers summing to 1 (train,validation,test)",
            "e.g. --ratios 0.8,0.1,0.1",
        )
    if values[0] == 0:
        raise NewskitError(
            f"--ratios {shown!r}: the train ratio must be above 0", "e.g. --ratios 0.8,0.1,0.1"
        )
    return (values[0], values[1], values[2])


def group_articles(articles: Iterable[str], links: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Connected components of articles linked by shared duplicate sentences (sorted, deterministic)."""
    names = sorted(set(articles))
    position = {name: i for i, name in enumerate(names)}
    rows, cols = [], []
    for first, second in links:
        if first in position and second in position:
            rows.append(position[first])
            cols.append(position[second])
    graph = coo_matrix(([1] * len(rows), (rows, cols)), shape=(len(names), len(names)))
    _, component_of = connected_components(graph, directed=False)
    components: dict[int, list[str]] = {}
    for name, component in zip(names, component_of, strict=True):
        components.setdefault(int(component), []).append(name)
    return sorted(components.values())


def group_order_key(group: list[str], seed: int) -> str:
    """The hash that orders a group: depends only on its smallest article id and the seed."""
    return hashlib.sha256(f"{seed}:{min(group)}".encode()).hexdigest()


def assign_splits(
    sentences_per_article: Mapping[str, int],
    links: Iterable[tuple[str, str]],
    *,
    ratios: tuple[float, float, float] = DEFAULT_RATIOS,
    seed: int = 13,
) -> SplitPlan:
    """Assign each article (with its duplicate-linked group) to one split; see the module docstring."""
    ratios = check_ratios(tuple(ratios))
    groups = group_articles(sentences_per_article, links)
    groups.sort(key=lambda group: group_order_key(group, seed))
    sizes = [sum(sentences_per_article[article] for article in group) for group in groups]
    total = sum(sizes)
    boundaries = [sum(ratios[: i + 1]) for i in range(len(SPLIT_NAMES))]
    members: dict[str, list[int]] = {name: [] for name in SPLIT_NAMES}
    done = 0
    for index, size in enumerate(sizes):
        midpoint = (done + size / 2) / total if total else 0.0
        split = next(
            (name for name, bound in zip(SPLIT_NAMES, boundaries, strict=True) if midpoint < bound),
            # Rounding can leave the midpoint at the upper edge: the last non-zero split takes it.
            [name for name, ratio in zip(SPLIT_NAMES, ratios, strict=True) if ratio > 0][-1],
        )
        members[split].append(index)
        done += size
    notes = _ensure_every_split_filled(members, ratios, groups)
    article_split = {article: split for split in SPLIT_NAMES for i in members[split] for article in groups[i]}
    return SplitPlan(article_split=dict(sorted(article_split.items())), groups=sorted(groups), notes=notes)


def _ensure_every_split_filled(
    members: dict[str, list[int]], ratios: tuple[float, float, float], groups: list[list[str]]
) -> list[str]:
    notes: list[str] = []
    wanted = [name for name, ratio in zip(SPLIT_NAMES, ratios, strict=True) if ratio > 0]
    for name in wanted:
        if members[name]:
            continue
        donor = max(SPLIT_NAMES, key=lambda other: (len(members[other]), -SPLIT_NAMES.index(other)))
        if len(members[donor]) < 2:
            notes.append(
                f"split {name!r} is empty: only {len(groups)} article group(s) for "
                f"{len(wanted)} splits with a non-zero ratio"
            )
            continue
        moved = members[donor].pop()
        members[name].append(moved)
        notes.append(
            f"split {name!r} would have been empty with so few articles: moved "
            f"{len(groups[moved])} article(s) ({', '.join(groups[moved])}) from {donor!r} to {name!r}"
        )
    return notes
