"""What the README shows a command printing is what it prints.

Every README example that starts with ``$ newskit`` and needs no server is run in a copy of
the project; each shown output line (lines with "…" are abbreviations and only their parts
before "…" are checked) must appear in what the command printed.
"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NEEDS_SERVER = {"studio", "push", "pull", "import-annotations", "publish", "serve"}
# Shown in a fresh project with example files of its own (timestamped output names);
# tests/test_import_labels.py runs the same steps and checks what they print.
OTHER_PROJECT = {"import-labels"}


def readme_examples() -> list[tuple[list[str], list[str]]]:
    """(argv, shown output lines) for each ``$ newskit ...`` line in the README's code blocks."""
    examples: list[tuple[list[str], list[str]]] = []
    in_block, current = False, None
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_block, current = not in_block, None
        elif in_block and line.startswith("$ newskit "):
            current = (shlex.split(line[len("$ newskit ") :]), [])
            examples.append(current)
        elif in_block and current is not None:
            current[1].append(line)
    return examples


EXAMPLES = [(argv, shown) for argv, shown in readme_examples() if argv[0] not in NEEDS_SERVER | OTHER_PROJECT]


def test_the_readme_has_runnable_examples():
    assert {argv[0] for argv, _ in EXAMPLES} >= {"ingest", "split", "build"}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the committed inputs, as a user's clone has them."""
    folder = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "corpus", folder / "corpus")
    shutil.copytree(ROOT / "labels", folder / "labels")
    return folder


@pytest.mark.parametrize(("argv", "shown"), EXAMPLES, ids=[" ".join(a) for a, _ in EXAMPLES])
def test_readme_example_output_matches(argv, shown, project, run_cli, monkeypatch):
    monkeypatch.chdir(project)
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps long lines at the terminal width
    code, out, err = run_cli(*argv)
    printed = " ".join((out + err).split())
    for line in shown:
        for part in line.split("…"):
            part = " ".join(part.split())
            assert part in printed, f"README shows {part!r} for `newskit {' '.join(argv)}`"
    assert code == (1 if any(line.startswith("error:") for line in shown) else 0)
