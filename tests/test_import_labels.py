"""``newskit import-labels``: labels without a server: validated, idempotent, used like any other."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import datasets
import pytest

from newskit.jsonio import read_jsonl
from newskit.labels.agreement import compute_agreement
from newskit.labels.schema import load_schema

ROOT = Path(__file__).resolve().parent.parent

ROWS = [
    {"text": "Russland griff Kiew in der Nacht mit Drohnen an.", "article_id": "a1",
     "title": "Nacht in Kiew", "event_type": ["strike"], "stance": "neutral"},
    {"text": "  Zwei  Menschen starben (dpa).", "article_id": "a1",
     "event_type": ["civilian_impact", "strike"], "stance": "pro_ukraine"},
    {"text": "Berlin sagte weitere Hilfe zu.", "article_id": "a2", "url": "https://example.org/a2",
     "event_types": ["aid_support"], "stance": "pro_ukraine"},
    {"text": "Moskau wies das zurück.", "article_id": "a3", "event_type": ["diplomacy"],
     "stance": "pro_russia"},
    {"text": "Das Wetter war gut.", "article_id": "a4", "event_type": ["none"], "stance": "neutral"},
]  # fmt: skip


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "labels").mkdir()
    for name in ("schema.yaml", "GUIDELINES.md", "annotators.yaml"):
        shutil.copy(ROOT / "labels" / name, tmp_path / "labels" / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_jsonl_rows(path, rows):
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def written_files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_jsonl_rows_become_corpus_sentences_and_annotations_as_given(project, run_cli):
    source = write_jsonl_rows(project / "team.jsonl", ROWS)
    code, out, err = run_cli("import-labels", str(source), "--annotator", "anna@example.org")
    assert code == 0, err
    assert "5 labeled sentences from" in out and "in 4 articles by anna@example.org (5)" in out
    sentences = list(read_jsonl(project / "corpus" / "sentences.jsonl"))
    assert [s["text"] for s in sentences] == [row["text"] for row in ROWS]  # not re-split, not cleaned
    annotations = list(read_jsonl(project / "labels" / "annotations.jsonl"))
    assert [a["sentence_id"] for a in annotations] == [s["id"] for s in sentences]
    assert annotations[1]["event_type"] == ["strike", "civilian_impact"]  # schema order
    assert {a["annotator"] for a in annotations} == {"anna@example.org"}

    code, out, err = run_cli("build", "--ratios", "0.5,0.25,0.25")
    assert code == 0, err
    loaded = datasets.load_dataset(str(project / "dataset"))
    rows = {row["text"]: row for split in loaded.values() for row in split}
    assert set(rows) == {row["text"] for row in ROWS}
    assert (
        rows[ROWS[0]["text"]]["title"] == "Nacht in Kiew"
        and rows[ROWS[1]["text"]]["title"] == "Nacht in Kiew"
    )
    assert rows[ROWS[2]["text"]]["url"] == "https://example.org/a2"
    assert rows[ROWS[1]["text"]]["context_before"] == ROWS[0]["text"]
    assert rows[ROWS[0]["text"]]["article_id"] == rows[ROWS[1]["text"]]["article_id"]

    code, out, _ = run_cli("import-labels", str(source), "--annotator", "anna@example.org")
    assert code == 0 and "was imported before" in out and "nothing added" in out
    assert len(list(read_jsonl(project / "labels" / "annotations.jsonl"))) == 5


def test_a_second_annotators_csv_gives_agreement(project, run_cli):
    run_cli(
        "import-labels", str(write_jsonl_rows(project / "a.jsonl", ROWS)), "--annotator", "anna@example.org"
    )
    csv_text = (
        "text,article_id,event_types,stance,annotator\n"
        '"Russland griff Kiew in der Nacht mit Drohnen an.",a1,strike,neutral,ben@example.org\n'
        '"  Zwei  Menschen starben (dpa).",a1,strike|civilian_impact,neutral,ben@example.org\n'
        '"Berlin sagte weitere Hilfe zu.",a2,aid_support,pro_ukraine,ben@example.org\n'
    )
    (project / "b.csv").write_text(csv_text, encoding="utf-8")
    code, out, err = run_cli("import-labels", str(project / "b.csv"))
    assert code == 0, err
    assert "0 new to the corpus" in out
    assert len(list(read_jsonl(project / "corpus" / "sentences.jsonl"))) == 5
    rows = read_jsonl(project / "labels" / "annotations.jsonl")
    report = compute_agreement(rows, load_schema(project / "labels" / "schema.yaml"))
    assert report["sentences_with_2_or_more_annotators"] == 3
    assert report["tasks"]["event_type"]["exact_set_agreement"]["value"] == 1.0


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"text": "Ein Satz.", "event_type": ["teleport"], "stance": "neutral"},
         "event_type: unknown label 'teleport'"),
        ({"text": "Ein Satz.", "event_type": ["strike"], "stance": ["neutral", "pro_russia"]},
         "stance: 'neutral' and 'pro_russia': a single-choice task takes one label"),
        ({"text": "Ein Satz.", "event_type": ["none", "strike"], "stance": "neutral"},
         "'none' must be chosen alone"),
        ({"text": "  ", "event_type": ["strike"], "stance": "neutral"}, "no text (got '"),
    ],
)  # fmt: skip
def test_a_bad_row_is_one_error_line_naming_file_row_and_value_and_nothing_changes(
    project, run_cli, row, message
):
    source = write_jsonl_rows(project / "bad.jsonl", [ROWS[0], ROWS[1], row])
    before = written_files(project)
    code, out, err = run_cli("import-labels", str(source), "--annotator", "anna@example.org")
    assert code == 1 and out == ""
    assert err.startswith(f"error: {source}: row 3: ") and message in err and "(hint: " in err
    assert len(err.strip().splitlines()) == 1
    assert written_files(project) == before


def test_csv_errors_and_a_missing_annotator(project, run_cli):
    (project / "x.csv").write_text(
        'text,event_type,stance\n"Ein Satz.",strike|diplomacy,neutral|pro_russia\n'
    )
    code, _, err = run_cli("import-labels", str(project / "x.csv"), "--annotator", "a@example.org")
    assert code == 1 and "x.csv: row 1: stance: 'neutral' and 'pro_russia'" in err
    code, _, err = run_cli("import-labels", str(write_jsonl_rows(project / "y.jsonl", ROWS)))
    assert code == 1 and "y.jsonl: row 1: no annotator" in err and "--annotator" in err
    assert not (project / "corpus").exists() and not (project / "labels" / "imported").exists()


def test_rows_of_an_article_must_stay_together(project, run_cli):
    rows = [ROWS[0], ROWS[2], {**ROWS[1], "article_id": "a1"}]
    code, _, err = run_cli(
        "import-labels", str(write_jsonl_rows(project / "z.jsonl", rows)), "--annotator", "a@x.org"
    )
    assert code == 1 and "row 3: article 'a1' appears again after other articles" in err


def test_without_article_id_each_sentence_is_its_own_article(project, run_cli):
    rows = [{key: value for key, value in row.items() if key != "article_id"} for row in ROWS]
    code, out, err = run_cli(
        "import-labels", str(write_jsonl_rows(project / "n.jsonl", rows)), "--annotator", "a@x.org"
    )
    assert code == 0, err
    assert "assumed: 5 row(s) without article_id: each of those sentences is an article of its own" in out
    assert len({s["article_id"] for s in read_jsonl(project / "corpus" / "sentences.jsonl")}) == 5
    source = write_jsonl_rows(project / "twice.jsonl", [rows[0], rows[1], rows[0]])
    code, _, err = run_cli("import-labels", str(source), "--annotator", "a@x.org")
    assert (
        code == 1
        and "twice.jsonl: row 3: the sentence 'Russland griff" in err
        and "is in the file twice" in err
    )


def test_a_dataset_folder_imports_with_its_class_label_names(project, run_cli):
    code, out, err = run_cli(
        "import-labels", str(ROOT / "dataset"), "--annotator", "second@example.org", "--format", "dataset"
    )
    assert code == 0, err
    assert "180 labeled sentences" in out and "ignored columns: agreement, context_after" in out
    imported = list(read_jsonl(next((project / "labels" / "imported").glob("*.jsonl"))))
    committed = {row["text"]: row for row in read_jsonl(ROOT / "labels" / "annotations.jsonl")}
    assert len(imported) == 180
    assert all(
        (row["event_type"], row["stance"])
        == (committed[row["text"]]["event_type"], committed[row["text"]]["stance"])
        for row in imported
    )
