"""The one typer app every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="newskit",
    help="Turn news articles into a labeled sentence dataset and train classifiers on it.",
    no_args_is_help=True,
    add_completion=False,
    # Locals could hold an API key: never show them in a traceback.
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def root() -> None:
    """newskit: ingest → split → label → build → train → evaluate → card."""
