"""The README stays true: its two commands are what CI runs, and every command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from newskit.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    """The two commands the README starts with (the first two bash blocks)."""
    blocks = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)
    return [block.strip() for block in blocks[:2]]


def cli_command_paths() -> list[str]:
    """Every visible command as the user types it, e.g. 'studio up'."""
    paths: list[str] = []

    def walk(command, prefix: str) -> None:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            if sub.hidden:
                continue
            if getattr(sub, "commands", None):
                walk(sub, f"{prefix}{name} ")
            else:
                paths.append(f"{prefix}{name}")

    walk(typer.main.get_command(app), "")
    return paths


def test_readme_starts_with_the_two_commands():
    first_lines = [line for line in README.splitlines() if line.strip()][:8]
    assert first_lines[0] == "# newskit"
    assert first_lines[1] == "```bash"
    run_job, run_tests = readme_commands()
    assert run_job.endswith("newskit run")
    assert "pytest" in run_tests


def test_ci_runs_exactly_the_readme_test_command():
    ci_script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    _, run_tests = readme_commands()
    assert run_tests in ci_script.splitlines()


def test_ci_runs_the_readme_main_job_as_the_readme_says(tmp_path):
    """CI extracts the first bash block of the README; the extraction gives the first command."""
    import subprocess

    ci_script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    line = next(line for line in ci_script.splitlines() if line.startswith("main_job=$("))
    extract = line[len("main_job=$(") : -1]
    run_job, _ = readme_commands()
    got = subprocess.run(["bash", "-c", extract], cwd=ROOT, capture_output=True, text=True, check=True)
    assert got.stdout.strip() == run_job


def test_every_command_has_a_readme_section_with_an_example():
    missing = []
    for path in cli_command_paths():
        heading = re.search(rf"^#+ `newskit {re.escape(path)}\b[^`]*`", README, flags=re.M)
        example = re.search(rf"^\s*(\.venv/bin/)?newskit {re.escape(path)}\b", README, flags=re.M)
        if not (heading and example):
            missing.append(path)
    assert missing == []
