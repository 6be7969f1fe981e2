"""Run a stage's shard worker over its shards, in this process or on Ray, with the same results.

The ``local`` engine builds the worker once and calls it on each shard in order; the ``ray``
engine does the same on a pool of Ray workers (:mod:`newskit.engines.ray_engine`). Either
way each shard writes its own part file and returns a summary, so the parts, joined in
shard order, are the same bytes whichever engine ran them.
"""

from __future__ import annotations

from typing import Any

from newskit.engines.ray_engine import check_engine, map_shards, ray_session


def run_shards(
    shards: list[dict[str, Any]],
    worker: type,
    *,
    kwargs: dict[str, Any],
    engine: str = "local",
    address: str | None = None,
    workers: int | None = None,
) -> list[dict[str, Any]]:
    """``worker(**kwargs)(shard)`` for every shard; the summaries in shard order."""
    check_engine(engine, address)
    if engine == "local":
        run = worker(**kwargs)
        return [run(shard) for shard in shards]
    with ray_session(address) as ray:
        # Every argument goes to the object store once; each worker fetches it once, not per shard.
        refs = {key: ray.put(value) for key, value in kwargs.items()}
        return map_shards(ray, shards, worker, kwargs=refs, workers=workers)
