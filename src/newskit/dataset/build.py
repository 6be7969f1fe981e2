"""``newskit build``: annotations + corpus + schema → a Hugging Face dataset folder.

Reads the normalized annotations (or one snapshot), the corpus sentences and articles
and the label schema, never a live server. Validates that every annotation refers to a
corpus sentence and uses schema labels, adjudicates several annotations per sentence
(:mod:`newskit.labels.adjudicate`), splits by article groups linked by duplicate sentences
(:mod:`newskit.corpus.duplicates`, :mod:`newskit.dataset.assign`), and writes ``data/*.parquet``, the
adjudication report ``adjudication.jsonl`` and the dataset card ``README.md``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newskit.corpus.duplicates import find_duplicate_pairs
from newskit.dataset.assign import DEFAULT_RATIOS, SPLIT_NAMES, assign_splits
from newskit.dataset.card import CardFacts, write_dataset_card
from newskit.dataset.files import write_parquet
from newskit.dataset.quality import REVIEW_FILE, load_review
from newskit.errors import NewskitError
from newskit.jsonio import read_jsonl, write_jsonl
from newskit.labels.adjudicate import (
    AdjudicationCounts,
    Decision,
    adjudicate,
    latest_votes,
    parse_policy,
    report_rows,
)
from newskit.labels.annotators import REGISTRY_FILE, load_annotators
from newskit.labels.schema import Schema, load_schema
from newskit.records import iter_sentences_of, sentences_source

ADJUDICATION_REPORT = "adjudication.jsonl"


@dataclass
class SplitStats:
    """Size and label distribution of one split."""

    name: str
    articles: int = 0
    sentences: int = 0
    labels: dict[str, dict[str, int]] = field(default_factory=dict)  # field → label id → sentences
    no_label: dict[str, int] = field(default_factory=dict)  # field → sentences with null


@dataclass
class BuildReport:
    """What ``build_dataset`` wrote and did, for the CLI summary and for tests."""

    out_dir: Path
    policy: str  # as published: a reviewer e-mail address is pseudonymized
    ratios: tuple[float, float, float]
    seed: int
    splits: dict[str, SplitStats]
    adjudication: AdjudicationCounts
    unlabeled_sentences: int
    duplicate_pairs: int
    linked_article_groups: list[list[str]]
    notes: list[str]
    warnings: list[str]  # labels a split lacks
    files: list[Path]

    @property
    def written_splits(self) -> list[str]:
        """The splits that have rows (only those are written and declared in the card)."""
        return [name for name in SPLIT_NAMES if self.splits[name].sentences > 0]


def build_dataset(
    *,
    corpus_dir: Path = Path("corpus"),
    annotations_path: Path = Path("labels/annotations.jsonl"),
    snapshot_path: Path | None = None,
    schema_path: Path = Path("labels/schema.yaml"),
    out_dir: Path = Path("dataset"),
    policy: str = "majority",
    ratios: tuple[float, float, float] = DEFAULT_RATIOS,
    seed: int = 13,
    annotators_path: Path | None = None,
    review_path: Path | None = None,
) -> BuildReport:
    """Build the dataset folder ``out_dir`` (parquet splits, adjudication report, card).

    ``annotators_path`` (default: ``annotators.yaml`` beside the annotations) says who the
    annotators are; see :mod:`newskit.labels.annotators`. ``review_path`` (default:
    ``review.jsonl`` beside the annotations, used when present) is the output of ``newskit
    review``, whose label-issue figures the card reports (:mod:`newskit.dataset.quality`).
    """
    schema = load_schema(schema_path)
    registry = load_annotators(annotators_path or Path(annotations_path).parent / REGISTRY_FILE)
    adjudication_policy = parse_policy(policy)
    if snapshot_path is not None:
        from newskit.labels.snapshots import normalize_snapshot

        source, rows = Path(snapshot_path), normalize_snapshot(Path(snapshot_path), schema)
    else:
        source, rows = Path(annotations_path), list(read_jsonl(annotations_path))
    articles = {article["id"]: article for article in read_jsonl(Path(corpus_dir) / "articles.jsonl")}
    sentences = list(iter_sentences_of(corpus_dir))  # sentences.jsonl or sentences/part-*
    validate_annotations(rows, schema, {s["id"] for s in sentences}, source, sentences_source(corpus_dir))

    counts = AdjudicationCounts()
    decisions = adjudicate(latest_votes(rows, schema, counts), schema, adjudication_policy, counts)
    if not decisions:
        raise NewskitError(
            f"{source}: no usable annotations ({counts.annotations} rows, {counts.cancelled} cancelled)",
            "label some sentences in Label Studio and run `newskit pull` first",
        )
    labeled = [s for s in sentences if s["id"] in decisions]
    pairs = find_duplicate_pairs(labeled)
    article_of = {s["id"]: s["article_id"] for s in labeled}
    links = [(article_of[pair.first], article_of[pair.second]) for pair in pairs]
    per_article = Counter(s["article_id"] for s in labeled)
    plan = assign_splits(
        per_article,
        links,
        ratios=ratios,
        seed=seed,
        labels_per_article=labels_per_article(labeled, decisions, schema),
    )

    split_rows = dataset_rows(sentences, articles, decisions, plan.article_split, schema)
    out_dir = Path(out_dir)
    files, split_bytes = [], {}
    for name in SPLIT_NAMES:
        path = out_dir / "data" / f"{name}.parquet"
        if not split_rows[name]:
            # An empty parquet file makes ``datasets.load_dataset`` fail: the split is left out
            # (and a file from an earlier build removed), and the card declares only the others.
            path.unlink(missing_ok=True)
            if ratios[SPLIT_NAMES.index(name)] > 0:
                plan.notes.append(f"split {name!r} has no articles: not written")
            continue
        files.append(path)
        split_bytes[name] = write_parquet(path, split_rows[name], schema)
    files.append(out_dir / ADJUDICATION_REPORT)
    write_jsonl(files[-1], report_rows(decisions, schema, adjudication_policy, registry))
    stats = {name: split_statistics(name, split_rows[name], schema) for name in SPLIT_NAMES}
    report = BuildReport(
        out_dir=out_dir,
        policy=adjudication_policy.public(registry),
        ratios=ratios,
        seed=seed,
        splits=stats,
        adjudication=counts,
        unlabeled_sentences=len(sentences) - len(labeled),
        duplicate_pairs=len(pairs),
        linked_article_groups=plan.linked_groups,
        notes=plan.notes,
        warnings=plan.warnings,
        files=files,
    )
    used_articles = [articles[a] for a in sorted(per_article)]
    facts = CardFacts(
        schema=schema,
        report=report,
        decisions=decisions,
        articles=used_articles,
        rows=rows,
        annotators=registry,
        review=load_review(review_path or Path(annotations_path).parent / REVIEW_FILE),
    )
    files.append(write_dataset_card(out_dir / "README.md", facts, split_bytes))
    return report


def labels_per_article(
    labeled: list[dict[str, Any]], decisions: dict[str, Decision], schema: Schema
) -> dict[str, Counter[str]]:
    """Per article, how many sentences carry each label (keys ``"<field>:<label id>"``)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for sentence in labeled:
        for task in schema.tasks:
            value = decisions[sentence["id"]].values[task.name]
            chosen = value if isinstance(value, tuple | list) else [value] if value is not None else []
            counts[sentence["article_id"]].update(f"{task.field}:{label}" for label in chosen)
    return dict(counts)


def validate_annotations(
    rows: list[dict[str, Any]], schema: Schema, sentence_ids: set[str], source: Path, sentences_path: Path
) -> None:
    """Every row names a corpus sentence and an annotator, and uses only schema labels of the right shape."""
    missing_ids: list[str] = []
    unknown: dict[str, set[str]] = defaultdict(set)
    for number, row in enumerate(rows, start=1):
        if not isinstance(row.get("sentence_id"), str) or not str(row.get("annotator") or ""):
            raise NewskitError(
                f"{source}: row {number}: missing sentence_id or annotator", "re-run `newskit pull`"
            )
        if row["sentence_id"] not in sentence_ids and row["sentence_id"] not in missing_ids:
            missing_ids.append(row["sentence_id"])
        for task in schema.tasks:
            value = row.get(task.name)
            if task.kind == "multi" and not isinstance(value, list | None):
                raise NewskitError(
                    f"{source}: row {number}: {task.name} must be a list of label ids, got {value!r}",
                    "re-run `newskit pull` with the current schema",
                )
            if task.kind == "single" and not isinstance(value, str | None):
                raise NewskitError(
                    f"{source}: row {number}: {task.name} must be one label id or null, got {value!r}",
                    "re-run `newskit pull` with the current schema",
                )
            chosen = value if isinstance(value, list) else [value] if value else []
            unknown[task.name].update(str(label) for label in chosen if label not in task.label_ids)
    if missing_ids:
        shown = ", ".join(missing_ids[:3]) + (
            f" and {len(missing_ids) - 3} more" if len(missing_ids) > 3 else ""
        )
        raise NewskitError(
            f"{source}: {len(missing_ids)} sentence id(s) not in {sentences_path}: {shown}",
            "were the sentences re-split (which changes ids), or is --corpus the wrong folder?",
        )
    listed = [f"{task}: {', '.join(sorted(labels))}" for task, labels in unknown.items() if labels]
    if listed:
        raise NewskitError(
            f"{source}: labels not in the schema {schema.source_path or ''}: {'; '.join(listed)}",
            "add them to the schema or pull again with the current schema (`newskit schema check`)",
        )


def dataset_rows(
    sentences: list[dict[str, Any]],
    articles: dict[str, dict[str, Any]],
    decisions: dict[str, Decision],
    article_split: dict[str, str],
    schema: Schema,
) -> dict[str, list[dict[str, Any]]]:
    """The rows of each split (label ids as strings), sorted by article id, then sentence index."""
    by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for sentence in sentences:
        by_article[sentence["article_id"]].append(sentence)
    split_rows: dict[str, list[dict[str, Any]]] = {name: [] for name in SPLIT_NAMES}
    for article_id in sorted(article_split):
        article = articles.get(article_id)
        if article is None:
            raise NewskitError(
                f"article {article_id} has sentences but is not in articles.jsonl",
                "rebuild the corpus (`newskit ingest` and `newskit split`)",
            )
        in_order = sorted(by_article[article_id], key=lambda s: s["index"])
        for position, sentence in enumerate(in_order):
            decision = decisions.get(sentence["id"])
            if decision is None:
                continue
            row = {
                "id": sentence["id"],
                "article_id": article_id,
                "sentence_index": sentence["index"],
                "text": sentence["text"],
                "context_before": in_order[position - 1]["text"] if position > 0 else "",
                "context_after": in_order[position + 1]["text"] if position + 1 < len(in_order) else "",
                "title": article.get("title"),
                "source": article.get("source"),
                "url": article.get("url"),
                "date": article.get("date"),
            }
            for task in schema.tasks:
                value = decision.values[task.name]
                row[task.field] = list(value) if isinstance(value, tuple) else value
            row["n_annotations"] = decision.n_annotations
            row["agreement"] = decision.agreement
            split_rows[article_split[article_id]].append(row)
    return split_rows


def split_statistics(name: str, rows: list[dict[str, Any]], schema: Schema) -> SplitStats:
    """Articles, sentences and per-label sentence counts of one split (labels in schema order)."""
    stats = SplitStats(name=name, articles=len({row["article_id"] for row in rows}), sentences=len(rows))
    for task in schema.tasks:
        counter: Counter[str] = Counter()
        for row in rows:
            value = row[task.field]
            counter.update(value if isinstance(value, list) else [value] if value is not None else [])
        stats.labels[task.field] = {label: counter[label] for label in task.label_ids}
        stats.no_label[task.field] = sum(row[task.field] is None for row in rows)
    return stats
