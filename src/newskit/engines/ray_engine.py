"""Run a stage's shards on Ray: connect (or start a local Ray), map shards on workers, collect summaries.

A stage cuts its input into shards (byte ranges of a JSON Lines file, or raw files) and gives a
*shard worker* class: its constructor loads what every shard needs (the segmenter, a model)
once per worker process, and ``worker(shard)`` reads that shard, writes its own part file and
returns a small summary. Ray Data runs the workers as an actor pool, one per CPU; the driver
only sees shard descriptions and summaries, never the records, so its memory stays flat.
Part files go to a folder every worker can reach (on a cluster: a shared filesystem).
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from newskit.errors import NewskitError

ENGINES = ("local", "ray")
RAY_HINT = 'install the Ray extra: pip install "newskit[ray]"'


class ShardWorker(Protocol):
    """What a stage gives the engine: built once per worker, then called once per shard."""

    def __call__(self, shard: dict[str, Any]) -> dict[str, Any]: ...


def check_engine(engine: str, address: str | None) -> None:
    """An unknown engine, ``--address`` without ``--engine ray``, or Ray missing is a one-line error."""
    if engine not in ENGINES:
        raise NewskitError(f"unknown --engine {engine!r}", f"use one of: {', '.join(ENGINES)}")
    if address and engine != "ray":
        raise NewskitError("--address needs --engine ray", "add --engine ray, or drop --address")
    if engine == "ray":
        require_ray()  # a missing extra is said before any work starts


def require_ray() -> Any:
    """The ``ray`` module, or a one-line error saying how to install it."""
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise NewskitError(
            f"--engine ray needs Ray Data, which is not installed ({exc.name})", RAY_HINT
        ) from None
    return ray


@contextmanager
def ray_session(address: str | None = None) -> Iterator[Any]:
    """Ray, connected: to ``address`` (an existing cluster), or a local Ray on this machine's cores.

    A Ray already initialised in this process (a test session, a notebook) is used as it is
    and left running.
    """
    ray = require_ray()
    if ray.is_initialized():
        yield ray
        return
    os.environ.setdefault("RAY_DATA_DISABLE_PROGRESS_BARS", "1")
    try:
        ray.init(
            address=address,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
            configure_logging=False,
        )
    except (ConnectionError, ValueError, RuntimeError) as exc:
        where = f"at {address}" if address else "on this machine"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise NewskitError(
            f"cannot start or reach Ray {where} ({reason})",
            "check --address (e.g. ray://head:10001 or auto), or start the cluster with `ray start --head`",
        ) from None
    try:
        yield ray
    finally:
        ray.shutdown()


class _ShardRunner:
    """The Ray Data actor: builds the stage's worker once, then runs it on each shard of a batch."""

    def __init__(self, worker: type, kwargs: dict[str, Any]) -> None:
        import ray

        resolved = {k: ray.get(v) if isinstance(v, ray.ObjectRef) else v for k, v in kwargs.items()}
        self.worker = worker(**resolved)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        summaries = []
        for shard in batch["shard"]:
            try:
                summary = self.worker(json.loads(shard))
            except NewskitError as exc:  # reaches the driver as data: Ray would wrap it in its own error
                summary = {"error": [exc.message, exc.hint]}
            except OSError as exc:  # a full disk, a path this node cannot see
                where = f" ({exc.filename})" if exc.filename else ""
                hint = "check that every node sees the corpus at the same path, with free space"
                summary = {"error": [f"{exc.strerror or exc}{where}", hint]}
            summaries.append(json.dumps(summary))
        return {"summary": summaries}


def map_shards(
    ray: Any,
    shards: list[dict[str, Any]],
    worker: type,
    *,
    kwargs: dict[str, Any],
    workers: int | None = None,
) -> list[dict[str, Any]]:
    """Run ``worker(**kwargs)(shard)`` for every shard on a pool of Ray workers; summaries in shard order.

    ``kwargs`` values that are Ray object references are fetched once per worker. The first
    :class:`NewskitError` a shard raised is raised here, unchanged.
    """
    if not shards:
        return []
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    context.print_on_execution_start = False
    pool = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
    items = [{"shard": json.dumps(shard)} for shard in shards]
    with warnings.catch_warnings():
        # Ray Data restarts failed pool actors unless told max_restarts=0, through a keyword it
        # marks deprecated; a failed shard is an error to report here, not an actor to restart.
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
            _ShardRunner,
            fn_constructor_kwargs={"worker": worker, "kwargs": kwargs},
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=min(pool, len(shards))),
            num_cpus=1,
            max_restarts=0,
        )
    try:
        summaries = [json.loads(row["summary"]) for row in dataset.iter_rows()]
    except ray.exceptions.RayError as exc:  # a worker died (out of memory, a lost node)
        reason = " ".join(str(exc).split())[:300]
        raise NewskitError(
            f"a Ray worker failed ({reason})", "see the Ray logs; re-run the command"
        ) from None
    for summary in summaries:
        if "error" in summary:
            raise NewskitError(*summary["error"])
    return summaries
