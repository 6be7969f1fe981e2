"""Label Studio's own virtual environment: created and filled on first use.

Label Studio pins versions of Django, pyarrow and its SDK that clash with ours, so it is
installed into a venv of its own (``.venv-labelstudio/`` or ``$NEWSKIT_LABEL_STUDIO_VENV``)
and run as a separate process (see :mod:`newskit.studio.server`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

from newskit.errors import NewskitError

LABEL_STUDIO_VERSION = "1.23.2"
VENV_ENV = "NEWSKIT_LABEL_STUDIO_VENV"
DEFAULT_VENV = Path(".venv-labelstudio")
LOCK_FILE = "labelstudio-constraints.txt"  # refreshed by scripts/lock.sh


def default_venv_dir() -> Path:
    """Label Studio's own venv: ``$NEWSKIT_LABEL_STUDIO_VENV``, else ``.venv-labelstudio``."""
    return Path(os.environ.get(VENV_ENV) or DEFAULT_VENV)


def _installed_version(venv_dir: Path) -> str | None:
    python = venv_dir / "bin" / "python"
    if not (python.exists() and (venv_dir / "bin" / "label-studio").exists()):
        return None
    probe = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('label-studio'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return probe.stdout.strip() if probe.returncode == 0 else None


def _lock_args() -> list[str]:
    """``-c LOCK`` for pip: Label Studio's dependencies at the versions the kit was tested with."""
    lock = resources.files("newskit.studio").joinpath(LOCK_FILE)
    return ["-c", str(lock)] if lock.is_file() else []


def ensure_installed(venv_dir: Path | None = None, *, quiet: bool = False) -> Path:
    """Make sure Label Studio (pinned version) is installed in its own venv; return its executable.

    Creates the venv with ``python -m venv`` and installs ``label-studio==1.23.2`` with pip
    (about 1.5 minutes and 1 GB) when it is missing or another version is installed, with
    every dependency at the version of the committed lock (``labelstudio-constraints.txt``).
    """
    venv_dir = Path(venv_dir or default_venv_dir()).absolute()
    executable = venv_dir / "bin" / "label-studio"
    if _installed_version(venv_dir) == LABEL_STUDIO_VERSION:
        return executable
    python = venv_dir / "bin" / "python"
    steps = [] if python.exists() else [[sys.executable, "-m", "venv", str(venv_dir)]]
    steps.append([str(python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet",
                  *_lock_args(), f"label-studio=={LABEL_STUDIO_VERSION}"])  # fmt: skip
    if not quiet:
        print(f"Installing Label Studio {LABEL_STUDIO_VERSION} into {venv_dir} (takes a few minutes)…")
    for step in steps:
        done = subprocess.run(step, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise NewskitError(
                f"installing Label Studio into {venv_dir} failed: {last}",
                "check the network access to the package index, or install it yourself with "
                f"`python -m venv {venv_dir}` and "
                f"`{venv_dir}/bin/pip install label-studio=={LABEL_STUDIO_VERSION}`",
            )
    if _installed_version(venv_dir) != LABEL_STUDIO_VERSION:
        raise NewskitError(
            f"Label Studio is still not importable from {venv_dir}", f"delete {venv_dir} and retry"
        )
    return executable
