"""The dataset's columns and its parquet files.

The features come from the schema: a multi task becomes ``List(ClassLabel)``, a single
task ``ClassLabel``, both with the schema's label ids as names in schema order. The
parquet files carry those features in the arrow schema metadata (key ``huggingface``,
where ``datasets`` looks for them), so even ``load_dataset("parquet", data_files=...)``
gives ClassLabels. Files are written with pyarrow and an explicit schema (no pandas
index metadata, no timestamps): the same rows give byte-identical files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from datasets import ClassLabel, Features, List, Value

from newskit.jsonio import atomic_write
from newskit.labels.schema import Schema

# Columns before and after the task columns, with their types.
LEADING_COLUMNS: dict[str, Value] = {
    "id": Value("string"),
    "article_id": Value("string"),
    "sentence_index": Value("int32"),
    "text": Value("string"),
    "context_before": Value("string"),
    "context_after": Value("string"),
    "title": Value("string"),
    "source": Value("string"),
    "url": Value("string"),
    "date": Value("string"),
}
TRAILING_COLUMNS: dict[str, Value] = {"n_annotations": Value("int32"), "agreement": Value("bool")}


def dataset_features(schema: Schema) -> Features:
    """The ``datasets`` features of the built dataset, in column order."""
    columns: dict[str, Any] = dict(LEADING_COLUMNS)
    for task in schema.tasks:
        label = ClassLabel(names=task.label_ids)
        columns[task.field] = List(label) if task.kind == "multi" else label
    columns.update(TRAILING_COLUMNS)
    return Features(columns)


def encode_row(row: dict[str, Any], schema: Schema) -> dict[str, Any]:
    """Replace label ids by their class indices (schema order); ``None`` stays ``None``."""
    encoded = dict(row)
    for task in schema.tasks:
        value = row.get(task.field)
        index = {label: i for i, label in enumerate(task.label_ids)}
        if value is None:
            encoded[task.field] = None
        elif task.kind == "multi":
            encoded[task.field] = [index[label] for label in value]
        else:
            encoded[task.field] = index[value]
    return encoded


def write_parquet(path: Path, rows: list[dict[str, Any]], schema: Schema) -> int:
    """Write rows (label ids as strings) to a parquet file with the dataset's features.

    Returns the size of the rows in memory (arrow bytes), which the card reports as ``num_bytes``.
    """
    features = dataset_features(schema)
    arrow_schema = features.arrow_schema
    table = pa.Table.from_pylist([encode_row(row, schema) for row in rows], schema=arrow_schema)
    with atomic_write(path, "wb") as handle:
        pq.write_table(table, handle, compression="zstd", write_statistics=True)
    return table.nbytes


def read_parquet_rows(path: Path, schema: Schema) -> list[dict[str, Any]]:
    """Read a written split back with label ids as strings (for statistics and tests)."""
    rows = pq.read_table(path).to_pylist()
    for row in rows:
        for task in schema.tasks:
            value = row.get(task.field)
            if value is None:
                continue
            ids = task.label_ids
            row[task.field] = [ids[i] for i in value] if task.kind == "multi" else ids[value]
    return rows
