"""CLI commands for the labels stage (thin wrappers over the stage functions)."""

from __future__ import annotations

from newskit.cli.app import app  # noqa: F401
