"""CLI commands for the label schema: checking it, rendering the Label Studio config, agreement."""

from __future__ import annotations

from newskit.cli.app import app  # noqa: F401
