"""The table ``newskit build`` prints: per split articles, sentences and label counts; adjudication counts."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from newskit.dataset.build import BuildReport


def print_build_summary(report: BuildReport, console: Console) -> None:
    """Print the split table, the adjudication counts and the split notes."""
    splits = list(report.splits.values())
    table = Table(title=f"dataset → {report.out_dir}", title_justify="left")
    table.add_column("")
    for stats in splits:
        table.add_column(stats.name, justify="right")
    table.add_row("articles", *(str(s.articles) for s in splits))
    table.add_row("sentences", *(str(s.sentences) for s in splits), end_section=True)
    for field, labels in splits[0].labels.items():
        for label in labels:
            table.add_row(f"{field}: {label}", *(str(s.labels[field][label]) for s in splits))
        table.add_row(f"{field}: (null)", *(str(s.no_label[field]) for s in splits), end_section=True)
    console.print(table)
    counts = report.adjudication
    ties = ", ".join(f"{task} {n}" for task, n in counts.ties.items())
    console.print(
        f"adjudication ({report.policy}): {counts.sentences} sentences, {counts.agreed} agreed, "
        f"{counts.disagreed} disagreed; no decision: {ties}; reviewer decided {counts.reviewer_decisions}; "
        f"exclusive label dropped {counts.exclusive_resolved}",
        highlight=False,
    )
    console.print(
        f"annotations: {counts.annotations} rows, {counts.cancelled} cancelled, "
        f"{counts.superseded} superseded; {report.unlabeled_sentences} corpus sentences without "
        f"annotation (not in the dataset); {report.duplicate_pairs} duplicate sentence pairs linked "
        f"{len(report.linked_article_groups)} article groups",
        highlight=False,
    )
    for note in report.notes:
        console.print(f"note: {note}", highlight=False)
    for warning in report.warnings:
        console.print(f"warning: {warning}", highlight=False)
