"""``newskit run``: the main job, every stage in order on the committed corpus and annotations.

Like a weasel/spaCy project workflow, the job is a list of ordinary newskit commands; each
one prints what it prints when run alone. No Label Studio server is needed: the labels
come from the committed snapshot (``labels/annotations.jsonl``).
"""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.console import Console

from newskit.cli.app import app
from newskit.errors import NewskitError

RUN_DIR = "training/runs/baseline"

MAIN_JOB: list[list[str]] = [
    ["ingest"],
    ["split"],
    ["build"],
    ["train", "--out", RUN_DIR],
    ["evaluate", RUN_DIR],
    ["card", RUN_DIR],
]


def step_names() -> list[str]:
    """The step names of the main job, in order."""
    return [argv[0] for argv in MAIN_JOB]


@app.command("run")
def run_cli(
    only: Annotated[
        list[str] | None,
        typer.Argument(help="Steps to run (default: all): ingest split build train evaluate card."),
    ] = None,
) -> None:
    """Run the main job: ingest → split → build → train → evaluate → card, with no server."""
    unknown = sorted(set(only or []) - set(step_names()))
    if unknown:
        raise NewskitError(f"unknown step(s): {', '.join(unknown)}", f"steps are: {' '.join(step_names())}")
    command = typer.main.get_command(app)
    console = Console()
    for argv in MAIN_JOB:
        if only and argv[0] not in only:
            continue
        console.rule(f"newskit {' '.join(argv)}")
        started = time.perf_counter()
        command.main(args=argv, prog_name="newskit", standalone_mode=False)
        console.print(f"[dim]{argv[0]} done in {time.perf_counter() - started:.1f} s[/dim]")
