"""Shared fixtures. Tests never write into the repository tree: they use tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.studio_fixtures", "tests.browser"]

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "corpus" / "raw"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (read-only for tests)."""
    return REPO_ROOT


@pytest.fixture
def run_cli(capsys):
    """Run ``newskit ARGS...`` in-process; return (exit code, stdout, stderr)."""
    from newskit.cli import main

    def _run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run
