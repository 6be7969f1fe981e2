"""Command-line entry point: ``newskit`` and ``python -m newskit``.

Command modules only parse arguments and call the plain functions of the
stage modules. Errors of the kit (:class:`NewskitError`) become one line on
stderr and exit code 1 here, and only here.
"""

from __future__ import annotations

import sys

import typer

from newskit.cli import (  # noqa: F401  (importing a module registers its commands)
    annotation_import,
    corpus,
    dataset,
    label_import,
    labels,
    live,
    review,
    run,
    schema,
    team,
    training,
)
from newskit.cli.app import app
from newskit.errors import NewskitError

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="newskit", standalone_mode=False)
    except NewskitError as exc:
        print(exc.one_line(), file=sys.stderr)
        return 1
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:  # usage errors, bad parameters: typer's own message
        exc.show()
        return exc.exit_code
    except typer.Abort:
        print("error: aborted", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted (hint: re-run the command; finished files are kept)", file=sys.stderr)
        return 130
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where} (hint: check the path and permissions)", file=sys.stderr)
        return 1
    return result if isinstance(result, int) else 0
