"""Assign articles to train/validation/test, by article and never by sentence.

Rules (documented in the dataset card):

1. Articles that share an (near-)exact duplicate sentence are grouped
   (connected components of the "shares a duplicate" graph), so a group is one
   unit: all its sentences land in the same split.
2. Groups are ordered by ``sha256("<seed>:<smallest article id of the group>")``;
   the order depends only on the article ids and the seed.
3. Label-aware stratification by group (iterative stratification, Sechidis et al. 2011,
   with article groups as the units and sentence counts per label as the targets; multi-label
   rows count for each of their labels): labels are taken rarest first (fewest article groups
   carrying them, then fewest sentences); each group carrying the label goes, in hash order,
   to a split that has none of the label yet and is not full (the one lacking most of the
   group's labels; train, then test, then validation), else to the split that still wants the
   most sentences of the label, then the most sentences overall. Groups
   without labels fill the split that wants the most sentences. So every label appears in every
   split where there are enough groups carrying it, and sizes follow the ratios.
4. Every split with a non-zero ratio gets at least one group when there are
   enough groups: an empty split takes the last group (in hash order) of the
   split holding the most groups. Each such move is reported as a note.
5. A label that a split with a non-zero ratio lacks is reported as a warning.

Hand-written: scikit-learn's ``StratifiedGroupKFold`` handles one label per row and folds of
equal size, and the multi-label stratifiers on PyPI (``iterative-stratification``,
scikit-multilearn) do not keep groups together.
"""

from __future__ import annotations

import hashlib
from collections import Counter
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
    warnings: list[str] = field(default_factory=list)  # labels a split lacks

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


# The order in which splits that lack a label get it: training needs it most, then the test.
_FIRST_NEEDS = ("train", "test", "validation")


def assign_splits(
    sentences_per_article: Mapping[str, int],
    links: Iterable[tuple[str, str]],
    *,
    ratios: tuple[float, float, float] = DEFAULT_RATIOS,
    seed: int = 13,
    labels_per_article: Mapping[str, Mapping[str, int]] | None = None,
) -> SplitPlan:
    """Assign each article (with its duplicate-linked group) to one split; see the module docstring.

    ``labels_per_article`` maps an article to its sentence count per label (any label keys,
    e.g. ``"stance:pro_russia"``); without it the split follows sentence counts only.
    """
    ratios = check_ratios(tuple(ratios))
    groups = group_articles(sentences_per_article, links)
    groups.sort(key=lambda group: group_order_key(group, seed))
    labels_per_article = labels_per_article or {}
    sizes = [sum(sentences_per_article[article] for article in group) for group in groups]
    group_labels: list[Counter[str]] = []
    for group in groups:
        counts: Counter[str] = Counter()
        for article in group:
            counts.update({k: v for k, v in labels_per_article.get(article, {}).items() if v > 0})
        group_labels.append(counts)
    wanted = [name for name, ratio in zip(SPLIT_NAMES, ratios, strict=True) if ratio > 0]
    ratio_of = dict(zip(SPLIT_NAMES, ratios, strict=True))
    totals: Counter[str] = Counter()
    for counts in group_labels:
        totals.update(counts)
    carriers = Counter(label for counts in group_labels for label in counts)
    want_sentences = {name: ratio_of[name] * sum(sizes) for name in wanted}
    want_label = {name: {label: ratio_of[name] * n for label, n in totals.items()} for name in wanted}
    has_label: dict[str, set[str]] = {name: set() for name in wanted}
    members: dict[str, list[int]] = {name: [] for name in SPLIT_NAMES}
    unplaced = list(range(len(groups)))

    def place(index: int, split: str) -> None:
        members[split].append(index)
        unplaced.remove(index)
        want_sentences[split] -= sizes[index]
        for label, n in group_labels[index].items():
            want_label[split][label] -= n
            has_label[split].add(label)

    def preference(name: str, index: int, label: str) -> tuple:
        """How much split ``name`` should get group ``index`` (carrying ``label``): higher is better."""
        lacks = label not in has_label[name] and want_sentences[name] > 0  # a full split is no option
        others = sum(1 for other in group_labels[index] if other not in has_label[name])
        return (
            lacks,
            others if lacks else 0,
            -_FIRST_NEEDS.index(name) if lacks else 0,
            want_label[name][label],
            want_sentences[name],
            -wanted.index(name),
        )

    while unplaced:
        remaining: Counter[str] = Counter()
        for index in unplaced:
            remaining.update(group_labels[index])
        if not remaining:  # only groups without labels are left
            for index in list(unplaced):
                place(index, max(wanted, key=lambda name: (want_sentences[name], -wanted.index(name))))
            break
        # Rarest first: fewest article groups carrying the label, then fewest sentences.
        label = min(remaining, key=lambda name: (carriers[name], totals[name], name))
        for index in [i for i in unplaced if group_labels[i][label] > 0]:
            place(index, max(wanted, key=lambda name, i=index, lab=label: preference(name, i, lab)))
    notes = _ensure_every_split_filled(members, ratios, groups)
    article_split = {article: split for split in SPLIT_NAMES for i in members[split] for article in groups[i]}
    warnings = [
        f"label {label} is in no {name!r} article ({_count_groups(group_labels, label)} "
        f"article group(s) carry it)"
        for label in sorted(totals)
        for name in wanted
        if all(group_labels[i][label] == 0 for i in members[name])
    ]
    return SplitPlan(
        article_split=dict(sorted(article_split.items())),
        groups=sorted(groups),
        notes=notes,
        warnings=warnings,
    )


def _count_groups(group_labels: list[Counter[str]], label: str) -> int:
    return sum(1 for counts in group_labels if counts[label] > 0)


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
