"""The work behind ``newskit agreement``: read rows, compute agreement, write JSON, print tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from newskit.errors import NewskitError
from newskit.jsonio import read_jsonl, write_json
from newskit.labels.agreement import compute_agreement
from newskit.labels.schema import load_schema


def _fmt(metric: dict[str, Any] | float | None) -> str:
    value = metric.get("value") if isinstance(metric, dict) else metric
    return "–" if value is None else f"{value:.3f}"


def agreement_tables(report: dict[str, Any]) -> list[Table]:
    """Rich tables: one per task (per label for multi tasks) and one of annotator pairs."""
    tables = []
    for name, task in report["tasks"].items():
        table = Table(title=f"{name} ({task['kind']}): {task['units']} sentences with ≥2 annotators")
        if task["kind"] == "multi":
            for column in ("label", "chosen", "alpha", "mean kappa"):
                table.add_column(column, justify="left" if column == "label" else "right")
            for label_id, label in task["labels"].items():
                table.add_row(label_id, str(label["chosen"]), _fmt(label["alpha"]), _fmt(label["mean_kappa"]))
            table.add_section()
            table.add_row("mean of labels", "", _fmt(task["mean_label_alpha"]), "")
            table.add_row("exact set (nominal)", "", _fmt(task["alpha_exact_set"]), "")
            table.caption = (
                f"exact-set agreement {_fmt(task['exact_set_agreement'])}, "
                f"mean Jaccard {_fmt(task['mean_jaccard'])}"
            )
        else:
            for column in ("metric", "value"):
                table.add_column(column)
            table.add_row("Krippendorff's alpha", _fmt(task["alpha"]))
            table.add_row("mean Cohen's kappa", _fmt(task["mean_kappa"]))
        tables.append(table)
    pairs = Table(title="annotator pairs")
    single = [name for name, task in report["tasks"].items() if task["kind"] == "single"]
    for column in ("annotators", "items", *(f"kappa {name}" for name in single)):
        pairs.add_column(column)
    kappas = {
        name: {tuple(p["annotators"]): p["kappa"] for p in report["tasks"][name]["pairs"]} for name in single
    }
    for pair in report["pairs"]:
        key = tuple(pair["annotators"])
        cells = [_fmt(kappas[name].get(key)) for name in single]
        pairs.add_row(" + ".join(key), str(pair["items"]), *cells)
    tables.append(pairs)
    return tables


def agreement_report(
    *, annotations_path: Path, schema_path: Path, out: Path, console: Console | None = None
) -> dict[str, Any]:
    """Compute agreement for the annotation rows in ``annotations_path``, write ``out``, print a summary."""
    schema = load_schema(schema_path)
    if not Path(annotations_path).exists():
        raise NewskitError(f"{annotations_path} does not exist", "run `newskit pull` first")
    report = compute_agreement(read_jsonl(annotations_path), schema)
    write_json(out, report)
    if console is not None:
        counts = report["annotations"]
        console.print(
            f"{counts['rows']} annotations ({counts['cancelled']} cancelled and ignored, "
            f"{counts['superseded']} superseded by a newer one of the same annotator), "
            f"{len(report['annotators'])} annotators, {report['sentences']} sentences, "
            f"{report['sentences_with_2_or_more_annotators']} with ≥2 annotators"
        )
        if report["reason"]:
            console.print(f"no agreement to measure: {report['reason']}")
        else:
            for table in agreement_tables(report):
                console.print(table)
        console.print(f"wrote {out}")
    return report
