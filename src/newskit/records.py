"""Record files that may be sharded: one JSON Lines or Parquet file, or a folder of ``part-*`` files.

Large outputs (``corpus/sentences/part-00000.parquet``, …) are read through
:func:`iter_records` exactly like one ``.jsonl`` file, in the sorted order of the part
names. :func:`line_shards` cuts a JSON Lines file into line-aligned byte ranges that
workers read with :func:`iter_jsonl_range`, so no process ever holds the whole file.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newskit.errors import NewskitError
from newskit.jsonio import atomic_write, parse_object

RECORD_SUFFIXES = (".jsonl", ".parquet")
PARQUET_BATCH_ROWS = 4096


@dataclass(frozen=True)
class LineShard:
    """Bytes ``start``-``end`` of a JSON Lines file; ``first_line`` is the number of its first line."""

    index: int
    start: int
    end: int
    first_line: int


def part_name(index: int, suffix: str) -> str:
    """The file name of part ``index`` of a sharded output: ``part-00007.parquet``."""
    return f"part-{index:05d}{suffix}"


def record_files(path: Path) -> list[Path]:
    """The files behind ``path``: itself, or the ``part-*`` files of a folder, sorted by name."""
    path = Path(path)
    if path.is_dir():
        parts = sorted(p for p in path.glob("part-*") if p.suffix in RECORD_SUFFIXES and p.is_file())
        if not parts:
            raise NewskitError(
                f"{path}: folder has no part-*.jsonl or part-*.parquet files", "check the path"
            )
        return parts
    if not path.is_file():
        raise NewskitError(f"{path}: no such file or folder", "check the path")
    if path.suffix not in RECORD_SUFFIXES:
        raise NewskitError(
            f"{path}: unsupported record file {path.suffix!r}", "give a .jsonl or .parquet file"
        )
    return [path]


def iter_jsonl_range(
    path: Path, shard: LineShard, *, name: str | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, record)`` for each non-blank line of one shard; ``where`` is ``name:line``.

    ``name`` is the file as the user gave it (default: ``path``), for error messages.
    """
    with Path(path).open("rb") as handle:
        handle.seek(shard.start)
        number = shard.first_line
        while handle.tell() < shard.end:
            raw = handle.readline()
            if raw.strip():
                where = f"{name or path}:{number}"
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise NewskitError(
                        f"{where}: not UTF-8 (byte {exc.start})", "convert it to UTF-8"
                    ) from None
                yield where, parse_object(line, where)
            number += 1


def _iter_parquet(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    import pyarrow.parquet as pq

    try:
        reader = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several error types for a file that is not Parquet
        raise NewskitError(f"{path}: not a readable Parquet file ({exc})", "regenerate it") from None
    number = 0
    for batch in reader.iter_batches(batch_size=PARQUET_BATCH_ROWS):
        for record in batch.to_pylist():
            number += 1
            yield f"{path} row {number}", record


def iter_records(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Stream ``(where, record)`` from a ``.jsonl``/``.parquet`` file or a folder of parts."""
    for file in record_files(path):
        if file.suffix == ".parquet":
            yield from _iter_parquet(file)
        else:
            size = file.stat().st_size
            yield from iter_jsonl_range(file, LineShard(0, 0, size, 1))


def sentences_source(corpus_dir: Path) -> Path:
    """Where the corpus's sentences are: ``sentences.jsonl`` or the sharded ``sentences/`` folder."""
    single, folder = Path(corpus_dir) / "sentences.jsonl", Path(corpus_dir) / "sentences"
    if single.is_file() and folder.is_dir():
        raise NewskitError(
            f"{corpus_dir}: both sentences.jsonl and sentences/ exist",
            "re-run `newskit split` (it writes one of them and removes the other)",
        )
    return folder if folder.is_dir() else single


def iter_sentences_of(corpus_dir: Path) -> Iterator[dict[str, Any]]:
    """Every sentence record of the corpus, in corpus order, however it is stored."""
    for _where, record in iter_records(sentences_source(corpus_dir)):
        yield record


def line_shards(path: Path, *, target_bytes: int) -> list[LineShard]:
    """Cut a JSON Lines file into line-aligned shards of about ``target_bytes`` (one pass, flat memory)."""
    shards: list[LineShard] = []
    start, line, offset = 0, 1, 0
    lines_in_shard = 0
    with Path(path).open("rb") as handle:
        for raw in handle:
            offset += len(raw)
            lines_in_shard += 1
            if offset - start >= target_bytes:
                shards.append(LineShard(len(shards), start, offset, line))
                start, line, lines_in_shard = offset, line + lines_in_shard, 0
    if offset > start:
        shards.append(LineShard(len(shards), start, offset, line))
    return shards


def concatenate(parts: Iterable[Path], out_path: Path) -> None:
    """Write the bytes of ``parts`` one after the other into ``out_path``, atomically."""
    with atomic_write(out_path, "wb") as out:
        for part in parts:
            with Path(part).open("rb") as handle:
                shutil.copyfileobj(handle, out, 1 << 20)


def write_part(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write one part file (``.jsonl`` as every kit file, or ``.parquet``) atomically; return the count."""
    path = Path(path)
    if path.suffix == ".jsonl":
        from newskit.jsonio import write_jsonl

        return write_jsonl(path, records)
    import pyarrow as pa
    import pyarrow.parquet as pq

    count, batch, writer = 0, [], None
    with atomic_write(path, "wb") as handle:
        for record in records:
            batch.append(record)
            if len(batch) >= PARQUET_BATCH_ROWS:
                table = pa.Table.from_pylist(batch)
                writer = writer or pq.ParquetWriter(handle, table.schema)
                writer.write_table(table)
                count, batch = count + len(batch), []
        if batch or writer is None:
            table = pa.Table.from_pylist(batch)
            writer = writer or pq.ParquetWriter(handle, table.schema)
            writer.write_table(table)
            count += len(batch)
        writer.close()
    return count
