"""The import picture: cli → stages → base, and only the studio package loads the Label Studio SDK."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "newskit"
BASE = {"errors", "jsonio", "records", "identity"}
# Each stage may import the base and the stages listed here, never the CLI. ``engines`` runs the
# shards of the stages that scale with data (in this process or on Ray) and knows no stage.
ALLOWED = {
    "engines": set(),
    "corpus": {"engines"},
    "segment": {"engines"},
    "labels": set(),
    "dataset": {"corpus", "labels"},
    "training": {"segment", "labels", "engines"},
    "cards": {"training", "labels"},
    # studio → dataset: ``newskit serve`` rebuilds the dataset when it retrains.
    "studio": {"labels", "dataset", "training"},
}
OFFLINE = ["engines", "corpus", "segment", "labels", "dataset", "training", "cards"]


def newskit_imports(path: Path) -> set[str]:
    """The first component below ``newskit`` of every newskit module that ``path`` imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        found |= {name.split(".")[1] for name in names if name.startswith("newskit.")}
    return found


def module_files() -> list[tuple[str, Path]]:
    return [(path.relative_to(PACKAGE).parts[0].removesuffix(".py"), path) for path in PACKAGE.rglob("*.py")]


@pytest.mark.parametrize("stage", sorted(ALLOWED))
def test_each_stage_imports_only_the_base_and_the_stages_before_it(stage):
    for owner, path in module_files():
        if owner != stage:
            continue
        wrong = newskit_imports(path) - BASE - ALLOWED[stage] - {stage}
        assert not wrong, f"{path.relative_to(PACKAGE)} imports newskit.{sorted(wrong)}"


def test_the_base_imports_no_stage():
    for name in BASE:
        assert newskit_imports(PACKAGE / f"{name}.py") <= BASE


def test_nothing_offline_loads_the_label_studio_sdk():
    """The CLI (with --help of every offline command) and every offline stage module import no SDK."""
    modules = [
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for owner, path in module_files()
        if owner in OFFLINE and path.name != "__main__.py"
    ]
    script = (
        "import importlib, sys\n"
        "from newskit.cli import main\n"
        f"for name in {modules!r}: importlib.import_module(name.removesuffix('.__init__'))\n"
        "for command in ['ingest', 'split', 'build', 'train', 'evaluate', 'card', 'predict', 'review',"
        " 'run']:\n"
        "    main([command, '--help'])\n"
        "main(['--help'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('label_studio')))\n"
        "print(sorted(m for m in sys.modules if m == 'ray' or m.startswith('ray.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-2:] == ["[]", "[]"]  # no Label Studio SDK, no Ray
