"""Deterministic, atomic file helpers."""

from __future__ import annotations

import os
import stat

import pytest

from newskit.errors import NewskitError
from newskit.jsonio import atomic_write, dumps, file_mode, read_jsonl, write_jsonl


def test_dumps_is_sorted_compact_utf8():
    assert dumps({"b": 1, "a": "Kiew „ä“"}) == '{"a":"Kiew „ä“","b":1}'


def test_write_then_read_round_trip_and_usual_permissions(tmp_path):
    path = tmp_path / "x" / "rows.jsonl"
    assert write_jsonl(path, ({"i": i} for i in range(3))) == 3
    assert list(read_jsonl(path)) == [{"i": 0}, {"i": 1}, {"i": 2}]
    assert stat.S_IMODE(path.stat().st_mode) == file_mode()
    assert file_mode(writable=False) & 0o222 == 0


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "rows.jsonl"
    write_jsonl(path, [{"old": True}])
    with pytest.raises(RuntimeError), atomic_write(path) as handle:
        handle.write("half")
        raise RuntimeError("interrupted")
    assert list(read_jsonl(path)) == [{"old": True}]
    assert os.listdir(tmp_path) == ["rows.jsonl"]


def test_malformed_line_names_file_and_line(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"a": 1}\n{"a": \n', encoding="utf-8")
    with pytest.raises(NewskitError) as caught:
        list(read_jsonl(path))
    assert caught.value.message.startswith(f"{path}:2: malformed JSON")


def test_sha256_json_digests_content_not_layout():
    from newskit.jsonio import sha256_json

    assert sha256_json({"b": [1, "ä"], "a": None}) == sha256_json({"a": None, "b": [1, "ä"]})
    assert sha256_json({"a": ["x"]}) != sha256_json({"a": "x"})
    assert len(sha256_json([])) == 64
