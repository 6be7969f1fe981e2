"""Batch prediction in shards (``newskit predict RUN --input FILE --engine ray``).

The run's files travel to the workers once, as bytes; each worker loads them with the
same trusted-type skops loader as :func:`newskit.training.predict.load_run`, once, and
then predicts shard after shard with :func:`newskit.training.batch_predict.predict_records`.
Shards are line-aligned byte ranges of a JSON Lines input, or the part files of a folder;
their outputs are joined in shard order, so the result is the single-process output, byte
for byte.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

from newskit.engines.shards import run_shards
from newskit.errors import NewskitError
from newskit.jsonio import atomic_write
from newskit.records import (
    LineShard,
    iter_jsonl_range,
    iter_records,
    line_shards,
    part_name,
    record_files,
    write_part,
)
from newskit.training.batch_predict import BatchReport, load_run_with_schema, predict_records
from newskit.training.predict import load_run, model_files
from newskit.training.run_files import CONFIG_NAME, TRAIN_INFO_NAME

SHARD_BYTES = 2_000_000


def run_bundle(run_dir: Path, schema_path: Path | None = None) -> dict[str, Any]:
    """What a worker needs to load the run: its files (name → bytes) and the schema's exclusive labels."""
    run = load_run_with_schema(run_dir, schema_path)  # checks both here, with the driver's errors
    paths = [run.path / CONFIG_NAME, run.path / TRAIN_INFO_NAME, *model_files(run.path, run.info)]
    files = {path.name: path.read_bytes() for path in paths}
    return {"name": run.path.resolve().name, "files": files, "exclusive": run.exclusive}


class PredictShard:
    """Shard worker: loads the run once from its bytes, then predicts one shard per call."""

    def __init__(self, bundle: dict[str, Any], parts_dir: str) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="newskit-run-")) / bundle["name"]
        self.home.mkdir()
        for name, data in bundle["files"].items():
            (self.home / name).write_bytes(data)
        self.run = load_run(self.home)
        self.run.exclusive = bundle["exclusive"]
        self.parts_dir = Path(parts_dir)
        self.worker = f"{socket.gethostname()}:{os.getpid()}"  # which process loaded the run

    def __call__(self, shard: dict[str, Any]) -> dict[str, Any]:
        if "file" in shard:
            records = iter_records(Path(shard["file"]))
        else:
            records = iter_jsonl_range(Path(shard["path"]), LineShard(**shard["range"]), name=shard["name"])
        part = self.parts_dir / part_name(shard["index"], ".jsonl")
        count = write_part(part, predict_records(self.run, records))
        return {"index": shard["index"], "records": count, "worker": self.worker}


def input_shards(input_path: Path, *, shard_bytes: int) -> list[dict[str, Any]]:
    """Byte ranges of one JSON Lines file, else one shard per file (Parquet, or a folder's parts)."""
    files = record_files(input_path)
    if len(files) == 1 and files[0].suffix == ".jsonl":
        path, name = str(files[0].resolve()), str(files[0])
        return [
            {"index": s.index, "path": path, "name": name, "range": vars(s)}
            for s in line_shards(files[0], target_bytes=shard_bytes)
        ]
    return [{"index": index, "file": str(file.resolve())} for index, file in enumerate(files)]


def predict_file_sharded(
    *,
    run_dir: Path,
    input_path: Path,
    output: Path | None = None,
    stream: IO[str] | None = None,
    engine: str = "ray",
    address: str | None = None,
    shard_bytes: int = SHARD_BYTES,
    workers: int | None = None,
    schema_path: Path | None = None,
) -> BatchReport:
    """:func:`newskit.training.batch_predict.predict_file` on shards (``engine`` ``ray`` or ``local``)."""
    bundle = run_bundle(run_dir, schema_path)
    shards = input_shards(Path(input_path), shard_bytes=shard_bytes)
    # Workers write their parts beside the output (or the input): a place they can all reach.
    scratch = Path(output).parent if output is not None else record_files(input_path)[0].parent
    scratch.mkdir(parents=True, exist_ok=True)
    parts_dir = Path(tempfile.mkdtemp(prefix=".predict-parts.", dir=scratch))
    try:
        kwargs = {"bundle": bundle, "parts_dir": str(parts_dir.resolve())}
        summaries = run_shards(
            shards, PredictShard, kwargs=kwargs, engine=engine, address=address, workers=workers
        )
        report = BatchReport(records=sum(summary["records"] for summary in summaries), output=output)
        report.workers = sorted({summary["worker"] for summary in summaries})
        if report.records == 0:
            raise NewskitError(
                f"{input_path}: no records to predict", 'give one JSON object with a "text" per line'
            )
        parts = sorted(parts_dir.iterdir())
        if output is not None:
            with atomic_write(Path(output), "wb") as out:
                _copy(parts, out, binary=True)
        else:
            target = stream if stream is not None else sys.stdout
            _copy(parts, target, binary=False)
    finally:
        shutil.rmtree(parts_dir, ignore_errors=True)
    return report


def _copy(parts: list[Path], out: IO[Any], *, binary: bool) -> None:
    for part in parts:
        with part.open("rb" if binary else "r", encoding=None if binary else "utf-8") as handle:
            shutil.copyfileobj(handle, out, 1 << 20)
