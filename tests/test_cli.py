"""The CLI layer: errors become one line and exit 1; help exists for every command."""

from __future__ import annotations

import typer

from newskit.cli import app, main
from newskit.errors import NewskitError


def test_newskit_error_is_one_line_with_hint():
    err = NewskitError("corpus/x.txt: file is empty", "add text\nor remove it")
    assert err.one_line() == "error: corpus/x.txt: file is empty (hint: add text or remove it)"


def test_cli_turns_newskit_error_into_exit_1(capsys):
    @app.command("raise-for-test", hidden=True)
    def _raise() -> None:
        raise NewskitError("something/where: broken", "do this")

    try:
        assert main(["raise-for-test"]) == 1
        captured = capsys.readouterr()
        assert captured.err == "error: something/where: broken (hint: do this)\n"
        assert "Traceback" not in captured.out + captured.err
    finally:
        app.registered_commands = [c for c in app.registered_commands if c.name != "raise-for-test"]


def test_unknown_command_is_usage_error(capsys):
    assert main(["no-such-command"]) == 2
    assert "No such command" in capsys.readouterr().err


def test_every_command_has_help_text():
    group = typer.main.get_command(app)
    missing = []

    def walk(command, prefix):
        for name, sub in getattr(command, "commands", {}).items():
            if sub.hidden:
                continue
            if not (sub.help or "").strip():
                missing.append(f"{prefix}{name}")
            walk(sub, f"{prefix}{name} ")

    walk(group, "")
    assert missing == []
