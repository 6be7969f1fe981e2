"""Small, deterministic file helpers shared by every stage.

Every file the kit writes goes through :func:`atomic_write`, so an interrupted
run never leaves a half-written file behind; JSON is written with sorted keys
and no ASCII escaping so the same data gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from newskit.errors import NewskitError

# mkstemp creates files readable by the owner only; kit outputs get the usual permissions.
_UMASK = os.umask(0)
os.umask(_UMASK)


def file_mode(*, writable: bool = True) -> int:
    """The permission bits for a new kit file under the current umask (read-only if not writable)."""
    return (0o666 if writable else 0o444) & ~_UMASK


def dumps(record: Any) -> str:
    """Serialize one record the way every kit file does (sorted keys, UTF-8, compact)."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@contextmanager
def atomic_write(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` and rename it over ``path`` only on success.

    The data is flushed to disk (fsync) before the rename and the folder after it, so a crash
    leaves either the old file or the new one, never an empty file in its place.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    binary = "b" in mode
    try:
        with os.fdopen(fd, mode, **({} if binary else {"encoding": "utf-8", "newline": "\n"})) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, file_mode())
        os.replace(tmp_name, path)
        _fsync_folder(path.parent)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX: the directory entry is data of the folder)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write records (streamed) as JSON Lines, atomically; return how many were written."""
    count = 0
    with atomic_write(path) as handle:
        for record in records:
            handle.write(dumps(record) + "\n")
            count += 1
    return count


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Stream the records of a JSON Lines file; a malformed line is an error naming the line."""
    path = Path(path)
    if not path.exists():
        raise NewskitError(f"{path} does not exist", "run the stage that writes it first")
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise NewskitError(
                    f"{path}:{number}: malformed JSON ({exc.msg} at column {exc.colno})",
                    "fix or remove that line",
                ) from None
            if not isinstance(record, dict):
                raise NewskitError(f"{path}:{number}: expected a JSON object", "each line must be {...}")
            yield record


def write_json(path: Path, data: Any) -> None:
    """Write pretty, key-sorted JSON atomically (for metrics and reports)."""
    with atomic_write(path) as handle:
        handle.write(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n")


def sha256_json(value: Any) -> str:
    """Hex SHA-256 of ``value`` as canonical JSON (sorted keys, no spaces, UTF-8): a content digest."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
