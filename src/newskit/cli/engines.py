"""The options every scalable command shares: ``--engine local|ray`` and ``--address``."""

from __future__ import annotations

from typing import Annotated

import typer

from newskit.engines.ray_engine import check_engine

__all__ = ["AddressOption", "EngineOption", "check_engine"]

EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="local (one process, the default) or ray (a local Ray on this machine's cores, or --address).",
    ),
]
AddressOption = Annotated[
    str | None,
    typer.Option(
        "--address", help="With --engine ray: an existing Ray cluster (auto, HOST:PORT or ray://HOST:10001)."
    ),
]
