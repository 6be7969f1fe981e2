"""Everything derived that is committed is what the code makes today from the committed inputs.

Corpus files, the Label Studio config, annotations.jsonl, the dataset folder, the baseline run
and its model card are regenerated into tmp_path and compared byte for byte.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newskit.cards.model_card import render_card
from newskit.corpus.ingest import ingest
from newskit.dataset.build import build_dataset
from newskit.jsonio import read_jsonl
from newskit.labels.annotations import rebuild_annotations, relink_labels
from newskit.labels.label_config import render_label_config
from newskit.labels.schema import load_schema
from newskit.segment.sentences import split_corpus
from newskit.training.evaluate import evaluate
from newskit.training.train import train

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "training" / "runs" / "baseline"


def same_files(fresh: Path, committed: Path, names: list[str]) -> None:
    for name in names:
        assert (fresh / name).read_bytes() == (committed / name).read_bytes(), f"{committed / name} is stale"


def test_corpus_files_are_a_fresh_ingest_and_split(tmp_path):
    shutil.copytree(ROOT / "corpus" / "raw", tmp_path / "raw")
    ingest([], corpus_dir=tmp_path)
    split_corpus(corpus_dir=tmp_path)
    same_files(tmp_path, ROOT / "corpus", ["articles.jsonl", "sentences.jsonl"])


def test_label_config_is_a_fresh_render():
    committed = (ROOT / "labels" / "label_config.xml").read_text(encoding="utf-8")
    assert render_label_config(load_schema(ROOT / "labels" / "schema.yaml")) == committed


def copy_labels(target: Path) -> None:
    shutil.copytree(ROOT / "labels" / "snapshots", target / "snapshots")
    if (ROOT / "labels" / "imported").exists():
        shutil.copytree(ROOT / "labels" / "imported", target / "imported")
    shutil.copy(ROOT / "labels" / "sentence_map.jsonl", target / "sentence_map.jsonl")


def test_annotations_are_the_normalized_snapshots_through_the_sentence_map(tmp_path):
    copy_labels(tmp_path)
    rebuild_annotations(tmp_path, load_schema(ROOT / "labels" / "schema.yaml"))
    same_files(tmp_path, ROOT / "labels", ["annotations.jsonl", "orphans.jsonl"])


def test_sentence_map_is_current_for_the_committed_corpus(tmp_path):
    copy_labels(tmp_path)
    relink_labels(
        labels_dir=tmp_path,
        schema=load_schema(ROOT / "labels" / "schema.yaml"),
        sentences_path=ROOT / "corpus" / "sentences.jsonl",
    )
    same_files(tmp_path, ROOT / "labels", ["sentence_map.jsonl", "annotations.jsonl", "orphans.jsonl"])
    assert {row["sentence_id"] for row in read_jsonl(tmp_path / "annotations.jsonl")} <= {
        s["id"] for s in read_jsonl(ROOT / "corpus" / "sentences.jsonl")
    }


@pytest.fixture(scope="module")
def fresh_dataset(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fresh") / "dataset"
    build_dataset(
        corpus_dir=ROOT / "corpus",
        annotations_path=ROOT / "labels" / "annotations.jsonl",
        schema_path=ROOT / "labels" / "schema.yaml",
        out_dir=out,
    )
    return out


def test_dataset_folder_is_a_fresh_build(fresh_dataset):
    names = ["README.md", "adjudication.jsonl", "data/train.parquet", "data/validation.parquet"]
    same_files(fresh_dataset, ROOT / "dataset", [*names, "data/test.parquet"])


def test_baseline_run_is_a_fresh_training_and_evaluation(fresh_dataset, tmp_path):
    run = tmp_path / "baseline"
    train(dataset_dir=fresh_dataset, config_path=ROOT / "training" / "baseline.toml", out_dir=run)
    evaluate(run_dir=run, dataset_dir=fresh_dataset)
    models = sorted(p.name for p in RUN.glob("*.skops"))
    assert models == ["event_types.skops", "stance.skops"]
    same_files(run, RUN, ["config.toml", "train_info.json", "metrics.json", *models])


def test_model_card_is_a_fresh_render():
    card = ROOT / "model_cards" / "baseline.md"
    fresh = render_card(run_dir=RUN, out_path=card, dataset_card=ROOT / "dataset" / "README.md")
    assert fresh == card.read_text(encoding="utf-8")
