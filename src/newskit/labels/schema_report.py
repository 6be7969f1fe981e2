"""The work behind ``newskit schema check`` and ``newskit schema render``."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from newskit.jsonio import atomic_write
from newskit.labels.label_config import render_instructions, render_label_config
from newskit.labels.schema import Schema, load_schema


def schema_table(schema: Schema) -> Table:
    """A rich table of every task's labels."""
    table = Table(title=f"{schema.name}: schema v{schema.version}, guidelines v{schema.guidelines_version}")
    for column in ("task (kind → field)", "label", "display", "key", "ACLED", "PLOVER"):
        table.add_column(column)
    for task in schema.tasks:
        first = f"{task.name} ({task.kind} → {task.field})"
        for label in task.labels:
            alone = " (alone)" if label.id in task.exclusive else ""
            table.add_row(
                first,
                label.id + alone,
                label.display,
                label.hotkey or "",
                label.acled or "–",
                ", ".join(label.plover) or "–",
            )
            first = ""
        table.add_section()
    return table


def check_schema(*, schema_path: Path, console: Console | None = None) -> Schema:
    """Validate the schema, its guidelines (version) and that it renders; print a summary."""
    schema = load_schema(schema_path)
    render_label_config(schema)
    render_instructions(schema)
    if console is not None:
        console.print(schema_table(schema))
        labels = sum(len(task.labels) for task in schema.tasks)
        console.print(f"{schema_path}: OK ({len(schema.tasks)} tasks, {labels} labels)")
    return schema


def render_config_file(*, schema_path: Path, out: Path, console: Console | None = None) -> Path:
    """Write the Label Studio config rendered from the schema to ``out``."""
    schema = load_schema(schema_path)
    config = render_label_config(schema)
    with atomic_write(out) as handle:
        handle.write(config)
    if console is not None:
        console.print(f"wrote {out} ({len(schema.tasks)} tasks) from {schema_path}")
    return out
