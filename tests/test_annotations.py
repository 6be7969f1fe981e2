"""Labels survive a change of the cleaning rules: the seed corpus with one more boilerplate rule.

The committed snapshot's tasks carry sentence ids of an older id scheme, so the first split
already re-links all 180 annotations; then a new rule removes the byline line (a labeled
sentence) and cuts "(Archivbild)" out of two captions, and ingest, split and build run again.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import datasets
import pytest

from newskit.jsonio import read_jsonl

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_RULES = ROOT / "src" / "newskit" / "data" / "boilerplate.toml"
NEW_RULES = """
[[rule]]
name = "byline-line"
scope = "line"
pattern = 'Von J\\. Fischer, .*'
comment = "test: the byline of the first seed article becomes furniture"

[[rule]]
name = "archive-photo"
scope = "fragment"
pattern = ' \\(Archivbild\\)'
comment = "test: a photo note inside a caption"
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "corpus" / "raw", root / "corpus" / "raw")
    (root / "labels").mkdir()
    for name in ("schema.yaml", "GUIDELINES.md", "annotators.yaml"):
        shutil.copy(ROOT / "labels" / name, root / "labels" / name)
    shutil.copytree(ROOT / "labels" / "snapshots", root / "labels" / "snapshots")
    return root


def run(run_cli, *args):
    code, out, err = run_cli(*args)
    assert code == 0, err
    return out


def dataset_labels(out_dir):
    loaded = datasets.load_dataset(str(out_dir))
    rows = [row for split in loaded.values() for row in split]
    names = loaded["train"].features["stance"].names
    return {row["text"]: names[row["stance"]] for row in rows}, rows


def test_labels_follow_a_new_boilerplate_rule(project, run_cli, monkeypatch):
    monkeypatch.chdir(project)
    run(run_cli, "ingest")
    out = run(run_cli, "split")
    assert (
        "labeled sentences: 180 (0 new, 0 unchanged, 180 moved, 0 changed, 0 gone)" in out
    )  # the old id scheme
    run(run_cli, "build", "--out", "before")
    before, _ = dataset_labels(project / "before")
    assert len(before) == 180

    rules = project / "rules.toml"
    rules.write_text(SHIPPED_RULES.read_text(encoding="utf-8") + NEW_RULES, encoding="utf-8")
    run(run_cli, "ingest", "--boilerplate", str(rules))
    out = run(run_cli, "split")
    assert "labeled sentences: 180 (" in out and "2 changed, 1 gone" in out
    assert "2 to review, 1 orphaned" in out
    assert "\ngone: 30b489d9990dc305:57-187 'Von J. Fischer, S. Cleven" in out  # listed with its old id
    out = run(run_cli, "build", "--out", "after")
    assert "not attached: 1 annotation rows; 1 because sentence gone from the corpus" in out
    assert "2 attached to a changed sentence (marked review)" in out

    after, rows = dataset_labels(project / "after")
    corpus_texts = {s["text"] for s in read_jsonl(project / "corpus" / "sentences.jsonl")}
    unchanged = {text: stance for text, stance in before.items() if text in corpus_texts}
    assert len(unchanged) == 177
    assert {text: after[text] for text in unchanged} == unchanged  # every unchanged sentence, same labels
    orphans = list(read_jsonl(project / "labels" / "orphans.jsonl"))
    assert [row["text"] for row in orphans] == [t for t in before if t.startswith("Von J. Fischer")]
    assert orphans[0]["stance"] == before[orphans[0]["text"]]
    changed = [row for row in read_jsonl(project / "labels" / "annotations.jsonl") if row.get("review")]
    assert len(changed) == 2 and all("(Archivbild)" in row["text"] for row in changed)
    assert all(after[text.replace(" (Archivbild)", "")] for text in (row["text"] for row in changed))
    assert len(rows) + len(orphans) == 180  # everything accounted for
    snapshot = next((project / "labels" / "snapshots").glob("*__ukraine-war-de.json"))
    out = run(run_cli, "build", "--snapshot", str(snapshot), "--out", "from-snapshot")
    assert "not attached: 1 annotation rows; 1 because sentence gone from the corpus" in out
    assert dataset_labels(project / "from-snapshot")[0] == after  # the map serves --snapshot too
    assert snapshot.read_bytes() == (ROOT / "labels" / "snapshots" / snapshot.name).read_bytes()
