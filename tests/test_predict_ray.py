"""predict --input in shards: the run reaches each worker once; the output is the single-process output."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from newskit.jsonio import write_jsonl
from newskit.records import part_name, write_part
from newskit.training.batch_predict import predict_file
from newskit.training.predict_ray import input_shards, predict_file_sharded

REPO = Path(__file__).resolve().parent.parent
RUN = REPO / "training" / "runs" / "baseline"


@pytest.fixture(scope="module")
def sentences(tmp_path_factory):
    folder = tmp_path_factory.mktemp("predict-ray")
    path = folder / "sentences.jsonl"
    shutil.copyfile(REPO / "corpus" / "sentences.jsonl", path)
    single = io.StringIO()
    predict_file(run_dir=RUN, input_path=path, stream=single)
    return path, single.getvalue()


def test_local_shards_and_parquet_parts_match(sentences, tmp_path):
    path, single = sentences
    assert len(input_shards(path, shard_bytes=4_000)) > 3
    report = predict_file_sharded(
        run_dir=RUN, input_path=path, output=tmp_path / "out.jsonl", engine="local", shard_bytes=4_000
    )
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == single
    assert report.records == 180 and len(report.workers) == 1  # one process loaded the run once
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    write_part(tmp_path / "parts" / part_name(0, ".parquet"), records[:100])
    write_part(tmp_path / "parts" / part_name(1, ".parquet"), records[100:])
    stream = io.StringIO()
    predict_file_sharded(run_dir=RUN, input_path=tmp_path / "parts", stream=stream, engine="local")
    assert stream.getvalue() == single


def test_empty_input_is_an_error_without_output(tmp_path):
    write_jsonl(tmp_path / "empty.jsonl", [])
    from newskit.errors import NewskitError

    with pytest.raises(NewskitError, match="no records to predict"):
        predict_file_sharded(
            run_dir=RUN, input_path=tmp_path / "empty.jsonl", output=tmp_path / "o.jsonl", engine="local"
        )
    assert sorted(tmp_path.iterdir()) == [tmp_path / "empty.jsonl"]


@pytest.mark.ray
def test_ray_matches_the_single_process_output(local_ray, sentences, tmp_path):
    path, single = sentences
    out = tmp_path / "out.jsonl"
    report = predict_file_sharded(run_dir=RUN, input_path=path, output=out, shard_bytes=4_000)
    assert out.read_text(encoding="utf-8") == single
    # More shards than workers, and each worker process loaded the run once: at most one per CPU.
    assert len(input_shards(path, shard_bytes=4_000)) > 3 and 1 <= len(report.workers) <= 2


def test_the_schema_exclusive_labels_reach_the_shards(sentences, tmp_path):
    from newskit.labels.schema import load_schema
    from newskit.training.predict import load_run

    path, _ = sentences
    schema = REPO / "labels" / "schema.yaml"
    single = io.StringIO()
    predict_file(run_dir=RUN, input_path=path, stream=single, schema_path=schema)
    sharded = io.StringIO()
    predict_file_sharded(
        run_dir=RUN, input_path=path, stream=sharded, engine="local", shard_bytes=4_000, schema_path=schema
    )
    assert sharded.getvalue() == single.getvalue()
    run = load_run(RUN, schema=load_schema(schema))
    rows = [json.loads(line) for line in single.getvalue().splitlines()]
    expected = run.predict([row["text"] for row in rows])
    assert [{k: v for k, v in row["prediction"].items() if k != "model_version"} for row in rows] == expected
