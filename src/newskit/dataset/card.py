"""The dataset card (``dataset/README.md``), rendered from measured data.

The YAML header is written by ``huggingface_hub``'s :class:`DatasetCardData`, with the
``configs`` and ``dataset_info`` blocks produced by ``datasets`` itself, so that
``datasets.load_dataset(folder)`` gets the splits and the ClassLabel features from it.
The body is our Jinja template ``data/dataset_card.md.jinja`` (the Hub's dataset card
sections), filled only with facts the kit knows; every other fact is the Hub's
placeholder ``[More Information Needed]``. No timestamps: the same inputs give the same card.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from datasets import DatasetInfo, SplitDict, SplitInfo
from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCard, DatasetCardData

from newskit.dataset.assign import SPLIT_NAMES
from newskit.dataset.files import dataset_features
from newskit.dataset.quality import Review, annotator_rows, review_is_current, review_rows
from newskit.jsonio import atomic_write
from newskit.labels.adjudicate import Decision, public_annotator
from newskit.labels.annotators import Registry
from newskit.labels.schema import Schema

if TYPE_CHECKING:
    from newskit.dataset.build import BuildReport

MISSING = "[More Information Needed]"
LANGUAGE_NAMES = {"de": "German", "en": "English", "fr": "French", "uk": "Ukrainian", "ru": "Russian"}
POLICY_TEXT = {
    "majority": "A multi-label task keeps each label chosen by more than half of the annotators who answered "
    "it; a single-label task takes the most frequent label, and a tie between the most frequent labels "
    "gives no decision.",
    "unanimous": "A task keeps its value only where every annotator who answered it gave the same value.",
    "reviewer": "Where the reviewer `{reviewer}` labeled a sentence, their answer wins; elsewhere the "
    "majority rule applies (more than half for each multi label, the most frequent single label).",
}


@dataclass
class CardFacts:
    """Everything the card is rendered from."""

    schema: Schema
    report: BuildReport
    decisions: dict[str, Decision]
    articles: list[dict[str, Any]]  # the articles that have rows in the dataset
    rows: list[dict[str, Any]]  # the annotation rows as read (for the agreement figures)
    annotators: Registry = field(default_factory=Registry)  # labels/annotators.yaml
    review: Review | None = None  # labels/review.json(l), written by `newskit review`


def size_category(count: int) -> str:
    """The Hub's ``size_categories`` bucket for a number of rows."""
    for limit, name in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
    ):
        if count < limit:
            return name
    return "n>1M"


def card_data(facts: CardFacts, split_bytes: dict[str, int] | None = None) -> DatasetCardData:
    """The YAML header: languages, license, sizes, ``configs`` → ``data_files``, ``dataset_info``."""
    schema, report = facts.schema, facts.report
    total = sum(stats.sentences for stats in report.splits.values())
    data = DatasetCardData(
        language=[schema.language],
        license="other",
        pretty_name=schema.name,
        language_creators=["found"],
        multilinguality=["monolingual"],
        size_categories=[size_category(total)],
        source_datasets=["original"],
        task_categories=["text-classification"],
        task_ids=sorted(
            {
                "multi-label-classification" if t.kind == "multi" else "multi-class-classification"
                for t in schema.tasks
            }
        ),
    )
    splits = SplitDict()
    for name in report.written_splits:
        splits.add(
            SplitInfo(
                name=name,
                num_bytes=(split_bytes or {}).get(name, 0),
                num_examples=report.splits[name].sentences,
            )
        )
    info = DatasetInfo(features=dataset_features(schema), splits=splits)
    DatasetInfosDict({"default": info}).to_dataset_card_data(data)
    files = [{"split": name, "path": f"data/{name}.parquet"} for name in report.written_splits]
    MetadataConfigs({"default": {"data_files": files}}).to_dataset_card_data(data)
    return data


def _date_range(dates: list[str]) -> str:
    dates = sorted(dates)
    if not dates:
        return MISSING
    return dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"


def _agreement_rows(facts: CardFacts) -> dict[str, Any] | None:
    """The figures of :func:`newskit.labels.agreement.compute_agreement` (None for one annotator)."""
    annotators = {vote.annotator for decision in facts.decisions.values() for vote in decision.votes}
    if len(annotators) < 2:
        return None
    from newskit.labels.agreement import compute_agreement

    result = compute_agreement(facts.rows, facts.schema)
    measures = {
        "single": [("alpha", "Krippendorff's alpha"), ("mean_kappa", "mean pairwise Cohen's kappa")],
        "multi": [
            ("mean_label_alpha", "mean Krippendorff's alpha per label"),
            ("alpha_exact_set", "Krippendorff's alpha on the label set"),
            ("exact_set_agreement", "share of annotator pairs with the same label set"),
            ("mean_jaccard", "mean Jaccard overlap of label sets"),
        ],
    }
    rows = []
    for task in facts.schema.tasks:
        figures = result["tasks"][task.name]
        for key, measure in measures[task.kind]:
            metric = figures[key]
            value = (
                f"{metric['value']:.3f}" if metric["value"] is not None else f"undefined ({metric['reason']})"
            )
            rows.append({"task": f"`{task.field}`", "measure": measure, "value": value})
    return {"multi_annotated": result["sentences_with_2_or_more_annotators"], "rows": rows}


def card_context(facts: CardFacts) -> dict[str, Any]:
    """The values the template is filled with."""
    schema, report = facts.schema, facts.report
    splits = []
    for ratio, name in zip(report.ratios, SPLIT_NAMES, strict=True):
        if name not in report.written_splits:
            continue
        stats = report.splits[name]
        splits.append(
            {
                "name": name,
                "ratio": f"{ratio:g}",
                "articles": stats.articles,
                "sentences": stats.sentences,
                "labels": stats.labels,
                "no_label": stats.no_label,
            }
        )
    total = {
        "articles": sum(s["articles"] for s in splits),
        "sentences": sum(s["sentences"] for s in splits),
        "labels": {
            f: {label: sum(s["labels"][f][label] for s in splits) for label in splits[0]["labels"][f]}
            for f in splits[0]["labels"]
        },
        "no_label": {f: sum(s["no_label"][f] for s in splits) for f in splits[0]["no_label"]},
    }
    votes = [vote for decision in facts.decisions.values() for vote in decision.votes]
    annotators = Counter(public_annotator(vote.annotator, facts.annotators) for vote in votes)
    described = {a.name: " ".join(a.description.split()) for a in facts.annotators.values()}
    counts = report.adjudication
    dated = [a["date"] for a in facts.articles if a.get("date")]
    article_dates = _date_range(dated)
    if len(dated) < len(facts.articles):
        article_dates += f" ({len(facts.articles) - len(dated)} article(s) without a date)"
    policy_kind = report.policy.split(":", 1)[0]
    reviewer = report.policy.split(":", 1)[1] if ":" in report.policy else ""
    return {
        "MISSING": MISSING,
        "name": schema.name,
        "description": " ".join(schema.description.split()),
        "language": schema.language,
        "language_name": LANGUAGE_NAMES.get(schema.language, schema.language),
        "schema_version": schema.version,
        "guidelines_version": schema.guidelines_version,
        "tasks": schema.tasks,
        "splits": splits,
        "total": total,
        "sources": sorted(
            Counter(a.get("source") or f"not recorded {MISSING}" for a in facts.articles).items()
        ),
        "article_dates": article_dates,
        "annotators": sorted(annotators.items()),
        "annotator_descriptions": [(name, described.get(name, MISSING)) for name in sorted(annotators)],
        "annotation_dates": _date_range([v.updated_at[:10] for v in votes if v.updated_at]),
        "agreement": _agreement_rows(facts),
        "adjudication": {
            **vars(counts),
            "used": len(votes),
            "ties": sorted(counts.ties.items()),
        },
        "policy": report.policy,
        "policy_text": POLICY_TEXT[policy_kind].format(reviewer=reviewer),
        "unlabeled_sentences": report.unlabeled_sentences,
        "duplicate_pairs": report.duplicate_pairs,
        "linked_groups": len(report.linked_article_groups),
        "seed": report.seed,
        "notes": report.notes + [f"warning: {warning}" for warning in report.warnings],
        "quality": _quality(facts),
    }


def _quality(facts: CardFacts) -> dict[str, Any]:
    """Likely label issues per task (from the review, if any) and each annotator's agreement."""
    review = facts.review
    return {
        "review": review_rows(review, facts.schema) if review else None,
        "current": review is not None and review_is_current(review, facts.decisions, facts.schema),
        "config": (review.summary.get("config") or {}).get("name", MISSING) if review else MISSING,
        "cleanlab": review.summary.get("cleanlab", MISSING) if review else MISSING,
        "annotators": annotator_rows(facts.decisions, facts.schema, facts.annotators, review),
    }


def _cell(text: Any) -> str:
    """Text safe inside a Markdown table cell: one line, no pipes."""
    return " ".join(str(text).split()).replace("|", "\\|")


def render_dataset_card(facts: CardFacts, split_bytes: dict[str, int] | None = None) -> DatasetCard:
    """The card as a :class:`DatasetCard` (YAML header + Markdown body)."""
    template_text = (
        resources.files("newskit").joinpath("data/dataset_card.md.jinja").read_text(encoding="utf-8")
    )
    environment = jinja2.Environment(
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False
    )
    environment.filters["cell"] = _cell
    body = environment.from_string(template_text).render(**card_context(facts))
    return DatasetCard(f"---\n{card_data(facts, split_bytes).to_yaml()}\n---\n\n{body}")


def write_dataset_card(path: Path, facts: CardFacts, split_bytes: dict[str, int] | None = None) -> Path:
    """Render the card and write it atomically to ``path``."""
    card = render_dataset_card(facts, split_bytes)
    with atomic_write(path) as handle:
        handle.write(str(card))
    return path
