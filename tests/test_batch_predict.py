"""newskit predict RUN --input FILE: records in, the same records plus their prediction out, in order."""

from __future__ import annotations

import json

import pytest

from newskit.jsonio import write_jsonl
from newskit.records import iter_records, part_name, write_part
from newskit.training.batch_predict import predict_records
from newskit.training.predict import load_run
from tests.training_fixtures import train_tiny_run

RECORDS = [
    {"id": "s1", "text": "Russische Drohnen griffen in der Nacht Kiew an.", "stance": "neutral"},
    {"id": "s2", "text": "Die EU verhandelt in Brüssel über Frieden.", "meta": {"page": 3}},
    {"text": "Selenskyj traf Trump zu Gesprächen über ein Abkommen."},
    {"id": "s4", "text": "Der Kreml wies die Vorwürfe zurück.", "score": None},
    {"id": "s5", "text": "Strom und Heizung fielen in Charkiw aus."},
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return train_tiny_run(tmp_path_factory.mktemp("batch"))[1]


@pytest.fixture
def input_file(tmp_path):
    path = tmp_path / "in.jsonl"
    write_jsonl(path, RECORDS)
    return path


def test_each_record_comes_back_with_its_prediction(run_dir, input_file, run_cli):
    code, out, err = run_cli("predict", str(run_dir), "--input", str(input_file))
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    run = load_run(run_dir)
    expected = run.predict([record["text"] for record in RECORDS])
    assert [{k: v for k, v in row.items() if k != "prediction"} for row in rows] == RECORDS
    for row, direct in zip(rows, expected, strict=True):
        assert row["prediction"] == {**direct, "model_version": run.model_version}
        assert set(row["prediction"]) == {"event_types", "stance", "confidence", "model_version"}


def test_output_file_and_batches_give_the_same_lines(run_dir, input_file, run_cli, tmp_path):
    _, out, _ = run_cli("predict", str(run_dir), "--input", str(input_file))
    code, said, _ = run_cli(
        "predict", str(run_dir), "--input", str(input_file), "--output", str(tmp_path / "o.jsonl")
    )
    assert code == 0 and said == f"5 records predicted → {tmp_path / 'o.jsonl'}\n"
    assert (tmp_path / "o.jsonl").read_text(encoding="utf-8") == out
    run = load_run(run_dir)
    small = list(predict_records(run, iter_records(input_file), batch_size=2))
    assert [json.loads(line) for line in out.splitlines()] == small


def test_parquet_parts_are_read_like_jsonl(run_dir, input_file, run_cli, tmp_path):
    plain = [{"id": r.get("id", "x"), "text": r["text"]} for r in RECORDS]
    write_jsonl(input_file, plain)
    write_part(tmp_path / "parts" / part_name(0, ".parquet"), plain[:2])
    write_part(tmp_path / "parts" / part_name(1, ".parquet"), plain[2:])
    outputs = [
        run_cli("predict", str(run_dir), "--input", str(source))[1]
        for source in (input_file, tmp_path / "parts")
    ]
    assert outputs[0] == outputs[1] and len(outputs[0].splitlines()) == 5


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"text": "Ein Satz."}\n{"text": "Noch\n',
            "{f}:2: malformed JSON (Invalid control character at at column 15)"
            " (hint: fix or remove that line)",
        ),
        (
            '{"text": "Ein Satz."}\n\n{"body": "kein text"}\n',
            '{f}:3: no text (each record needs a non-empty "text") (hint: fix or remove that record)',
        ),
        (
            '{"text": "   "}\n',
            '{f}:1: no text (each record needs a non-empty "text") (hint: fix or remove that record)',
        ),
        (
            '{"text": "Ein Satz.", "prediction": 1}\n',
            "{f}:1: the record already has a 'prediction' field, which the output would overwrite "
            "(hint: rename or drop the 'prediction' field of the input)",
        ),
        ("\n\n", '{f}: no records to predict (hint: give one JSON object with a "text" per line)'),
    ],
)
def test_bad_input_is_one_line_and_writes_no_file(run_dir, run_cli, tmp_path, content, message):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    out_file = tmp_path / "out.jsonl"
    code, out, err = run_cli("predict", str(run_dir), "--input", str(bad), "--output", str(out_file))
    assert (code, out) == (1, "")
    assert err == f"error: {message.format(f=bad)}\n"
    assert not out_file.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("Ein Satz.", "--input", "x.jsonl"),
            "--input cannot be combined with TEXT or --file (hint: give one of them)",
        ),
        (
            ("Ein Satz.", "--engine", "ray"),
            "--output and --engine go with --input (hint: add --input FILE.jsonl)",
        ),
        (
            ("--input", "x.jsonl", "--engine", "spark"),
            "unknown --engine 'spark' (hint: use one of: local, ray)",
        ),
        (
            ("--input", "x.jsonl", "--address", "auto"),
            "--address needs --engine ray (hint: add --engine ray, or drop --address)",
        ),
        (("--input", "missing.jsonl"), "missing.jsonl: no such file or folder (hint: check the path)"),
    ],
)
def test_option_errors(run_dir, run_cli, args, message):
    code, _, err = run_cli("predict", str(run_dir), *args)
    assert (code, err) == (1, f"error: {message}\n")
