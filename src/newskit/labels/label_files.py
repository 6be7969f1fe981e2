"""Reading files of labeled sentences (JSONL, CSV or a Hugging Face dataset folder), row by row.

Each reader yields ``(row number, values)`` where ``values`` maps a column name to a plain
value: multi-label values are lists (JSONL lists, CSV ``a|b``, dataset ``List(ClassLabel)``
names), everything else a string or ``None``. Nothing is read into memory beyond one row
(a dataset folder is memory-mapped by ``datasets``).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import orjson

from newskit.errors import NewskitError
from newskit.jsonio import sha256_file

Format = Literal["jsonl", "csv", "dataset"]
FORMATS = ("jsonl", "csv", "dataset")
CSV_SEPARATOR = "|"
Rows = Iterator[tuple[str, dict[str, Any]]]  # (where: "row 12" / "train row 3", values)


def guess_format(path: Path) -> Format:
    """The format of ``path`` from its kind and extension."""
    path = Path(path)
    if path.is_dir():
        return "dataset"
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    raise NewskitError(
        f"{path}: cannot tell the format from the extension {suffix or '(none)'!r}",
        "pass --format jsonl, csv or dataset",
    )


def fingerprint(path: Path) -> str:
    """SHA-256 of a file, or of a dataset folder's files (names and bytes, in sorted order)."""
    path = Path(path)
    if path.is_file():
        return sha256_file(path)
    digest = hashlib.sha256()
    for item in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
        digest.update(str(item.relative_to(path)).encode("utf-8") + b"\0" + sha256_file(item).encode())
    return digest.hexdigest()


def read_label_rows(path: Path, file_format: Format, multi_columns: set[str]) -> Rows:
    """Stream the rows of a labeled file; ``multi_columns`` (label columns) are split on ``|`` in CSV."""
    path = Path(path)
    if file_format == "dataset" and not path.is_dir():
        raise NewskitError(f"{path}: not a folder", "--format dataset reads a Hugging Face dataset folder")
    if file_format != "dataset" and not path.is_file():
        raise NewskitError(f"{path}: no such file", "check the path")
    if file_format == "jsonl":
        return _jsonl_rows(path)
    if file_format == "csv":
        return _csv_rows(path, multi_columns)
    if file_format == "dataset":
        return _dataset_rows(path)
    raise NewskitError(f"unknown format {file_format!r}", "use jsonl, csv or dataset")


def _jsonl_rows(path: Path) -> Rows:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                values = orjson.loads(line)  # several times faster than json at a million rows
            except orjson.JSONDecodeError as exc:
                raise NewskitError(
                    f"{path}: row {number}: malformed JSON ({exc.msg} at column {exc.colno})",
                    "fix that line; nothing was imported",
                ) from None
            if not isinstance(values, dict):
                raise NewskitError(
                    f"{path}: row {number}: expected a JSON object", 'each line is {"text": …}'
                )
            yield f"row {number}", values


def _csv_rows(path: Path, multi_columns: set[str]) -> Rows:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        try:
            for number, row in enumerate(reader, start=1):
                if None in row:
                    raise NewskitError(
                        f"{path}: row {number}: more cells than the header has columns",
                        "quote cells that contain the delimiter",
                    )
                values: dict[str, Any] = {}
                for key, cell in row.items():
                    name = key.strip()
                    cell = cell if cell is None or name == "text" else cell.strip()
                    if name in multi_columns:
                        values[name] = [part.strip() for part in cell.split(CSV_SEPARATOR)] if cell else []
                    else:
                        values[name] = cell if cell != "" else None
                yield f"row {number}", values
        except csv.Error as exc:
            raise NewskitError(f"{path}: malformed CSV ({exc})", "check the quoting") from None


def _dataset_rows(path: Path) -> Rows:
    import datasets  # imported here: only this format needs it

    try:
        loaded = datasets.load_dataset(str(path))
    except Exception as exc:  # datasets raises many kinds of errors for a folder it cannot read
        raise NewskitError(
            f"{path}: not a Hugging Face dataset folder ({type(exc).__name__}: {exc})",
            "give the folder `newskit build` writes, or any folder `datasets.load_dataset` reads",
        ) from None
    for split_name, split in loaded.items():
        decoders = {name: _decoder(feature) for name, feature in split.features.items()}
        for number, row in enumerate(split, start=1):
            yield (
                f"{split_name} row {number}",
                {name: decoders[name](value) for name, value in row.items()},
            )


def _decoder(feature: Any) -> Any:
    """A function that turns a stored value into label names (ClassLabel ints → names)."""
    import datasets

    if isinstance(feature, datasets.ClassLabel):
        return lambda value: None if value is None or value < 0 else feature.int2str(value)
    inner = getattr(feature, "feature", None)
    if isinstance(inner, datasets.ClassLabel):
        return lambda values: None if values is None else [inner.int2str(v) for v in values]
    return lambda value: value
