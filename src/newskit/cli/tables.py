"""Rich tables for the terminal: evaluation summaries and predictions."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from newskit.cards.tables import ROW_NAMES, interval_text, number


def _mean_std(entry: dict) -> str:
    return "n/a" if entry["mean"] is None else f"{number(entry['mean'])} ± {number(entry['std'])}"


def metrics_tables(metrics: dict[str, Any]) -> list[Table]:
    """One table per task: model and baselines, test and CV, macro and micro F1, calibration."""
    tables = []
    for field, task in metrics["tasks"].items():
        test = task["test"]
        title = (
            f"{field} ({task['kind']}): test {test['n_sentences']} sentences / "
            f"{test['n_articles']} articles, "
            f"nested CV {task['cv']['n_folds']} folds; Brier {number(task['calibration']['brier'])}, "
            f"ECE {number(task['calibration']['ece'])}"
        )
        table = Table(title=title)
        columns = (
            "",
            "test macro F1",
            "95% CI (articles)",
            "test micro F1",
            "nested CV macro F1",
            "nested CV micro F1",
        )
        for column in columns:
            table.add_column(column)
        for name, label in ROW_NAMES.items():
            table.add_row(
                label.strip("*"),
                number(test[name]["macro_f1"]),
                interval_text(test[name].get("macro_f1_ci"), dash="–"),
                number(test[name]["micro_f1"]),
                _mean_std(task["cv"][name]["macro_f1"]),
                _mean_std(task["cv"][name]["micro_f1"]),
            )
        tables.append(table)
    return tables


def predictions_table(results: list[dict[str, Any]]) -> Table:
    """Sentences with predicted labels (and their probabilities) per task, plus confidence."""
    table = Table()
    table.add_column("sentence", overflow="fold")
    fields = [key for key in (results[0] if results else {}) if key not in ("text", "confidence")]
    for field in fields:
        table.add_column(field)
    table.add_column("confidence")
    for result in results:
        cells = []
        for field in fields:
            task = result[field]
            cells.append(
                ", ".join(f"{label} ({task['probabilities'][label]:.2f})" for label in task["labels"]) or "–"
            )
        table.add_row(result["text"], *cells, f"{result['confidence']:.2f}")
    return table


def output_console() -> Console:
    """The console commands print results to: on a pipe or file as wide as the content.

    Rich assumes 80 columns when stdout is not a terminal and folds or cuts table cells to fit;
    output meant for a file or another program must be complete instead.
    """
    console = Console()
    return console if console.is_terminal else Console(width=10_000)
