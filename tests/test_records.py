"""Record files that may be sharded: line shards; JSONL, Parquet and part folders read alike."""

from __future__ import annotations

import itertools
import json

import pytest

from newskit.errors import NewskitError
from newskit.jsonio import write_jsonl
from newskit.records import (
    concatenate,
    iter_jsonl_range,
    iter_records,
    iter_sentences_of,
    line_shards,
    part_name,
    sentences_source,
    write_part,
)

RECORDS = [{"id": f"a:{i}", "index": i, "text": f"Satz {i} über Kiew."} for i in range(50)]


@pytest.mark.parametrize("target", [1, 100, 700, 10_000])
def test_line_shards_cover_every_line_once_in_order(tmp_path, target):
    path = tmp_path / "in.jsonl"
    write_jsonl(path, RECORDS)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n")  # a blank line counts for the line numbers but gives no record
    write_jsonl(tmp_path / "tail.jsonl", [{"id": "tail", "text": "Ende."}])
    path.write_bytes(path.read_bytes() + (tmp_path / "tail.jsonl").read_bytes())
    shards = line_shards(path, target_bytes=target)
    assert [s.index for s in shards] == list(range(len(shards)))
    assert shards[0].start == 0 and shards[-1].end == path.stat().st_size
    assert all(a.end == b.start for a, b in itertools.pairwise(shards))
    found = [pair for shard in shards for pair in iter_jsonl_range(path, shard)]
    assert [record for _, record in found] == [*RECORDS, {"id": "tail", "text": "Ende."}]
    assert found[-1][0] == f"{path}:52" and found[0][0] == f"{path}:1"


def test_jsonl_parquet_and_part_folders_read_the_same(tmp_path):
    write_jsonl(tmp_path / "one.jsonl", RECORDS)
    write_part(tmp_path / "one.parquet", RECORDS)
    folder = tmp_path / "parts"
    write_part(folder / part_name(1, ".parquet"), RECORDS[20:])
    write_part(folder / part_name(0, ".parquet"), RECORDS[:20])
    (folder / "notes.txt").write_text("not a part")
    for source in ("one.jsonl", "one.parquet", "parts"):
        assert [record for _, record in iter_records(tmp_path / source)] == RECORDS
    assert [where for where, _ in iter_records(folder)][20] == f"{folder / 'part-00001.parquet'} row 1"


def test_concatenate_joins_parts_byte_for_byte(tmp_path):
    write_part(tmp_path / "p0.jsonl", RECORDS[:3])
    write_part(tmp_path / "p1.jsonl", RECORDS[3:])
    concatenate([tmp_path / "p0.jsonl", tmp_path / "p1.jsonl"], tmp_path / "all.jsonl")
    write_jsonl(tmp_path / "direct.jsonl", RECORDS)
    assert (tmp_path / "all.jsonl").read_bytes() == (tmp_path / "direct.jsonl").read_bytes()


def test_the_corpus_sentences_are_one_file_or_a_folder_never_both(tmp_path):
    write_jsonl(tmp_path / "sentences.jsonl", RECORDS)
    assert sentences_source(tmp_path) == tmp_path / "sentences.jsonl"
    write_part(tmp_path / "sentences" / part_name(0, ".parquet"), RECORDS[:2])
    with pytest.raises(NewskitError, match=r"both sentences\.jsonl and sentences/ exist"):
        list(iter_sentences_of(tmp_path))
    (tmp_path / "sentences.jsonl").unlink()
    assert list(iter_sentences_of(tmp_path)) == RECORDS[:2]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "a"}\n{"text": \n', "bad.jsonl:2: malformed JSON"),
        ('{"text": "a"}\n\n[1, 2]\n', "bad.jsonl:3: expected a JSON object"),
    ],
)
def test_bad_lines_are_named(tmp_path, content, message):
    (tmp_path / "bad.jsonl").write_text(content, encoding="utf-8")
    with pytest.raises(NewskitError, match=message):
        list(iter_records(tmp_path / "bad.jsonl"))


def test_missing_and_unsupported_inputs(tmp_path):
    with pytest.raises(NewskitError, match="no such file or folder"):
        list(iter_records(tmp_path / "nope.jsonl"))
    (tmp_path / "x.csv").write_text("a")
    with pytest.raises(NewskitError, match=r"unsupported record file '\.csv'"):
        list(iter_records(tmp_path / "x.csv"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(NewskitError, match="folder has no part-"):
        list(iter_records(tmp_path / "empty"))
    (tmp_path / "fake.parquet").write_text(json.dumps({"text": "x"}))
    with pytest.raises(NewskitError, match="not a readable Parquet file"):
        list(iter_records(tmp_path / "fake.parquet"))
