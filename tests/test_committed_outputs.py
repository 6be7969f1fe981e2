"""Everything derived that is committed is what the code makes today from the committed inputs.

Corpus files, the Label Studio config, annotations.jsonl, the label review, the dataset folder,
the baseline run and its model card are regenerated into tmp_path and compared on what matters:
text files byte for byte where their bytes depend only on our code and data; parquet files by their rows
and features (the footer names the pyarrow version); ``train_info.json`` without its library
versions; models by their predictions on fixed sentences (skops files embed versions); the
model card with its library-version line and model digest masked. With the committed lock
(``constraints.txt``) ``newskit run`` reproduces every committed file byte for byte; CI checks that.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq
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
from newskit.training.predict import load_run
from newskit.training.review import review
from newskit.training.train import train

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "training" / "runs" / "baseline"


SENTENCES = [
    "Russische Drohnen griffen in der Nacht Kiew an.",
    "Die EU beschloss ein neues Sanktionspaket gegen Moskau.",
    "Der Kreml bezeichnete die Vorwürfe als westliche Propaganda.",
    "Im Kernkraftwerk Saporischschja fiel erneut die externe Stromversorgung aus.",
    "Das Wetter in Berlin bleibt am Wochenende mild.",
]


def same_files(fresh: Path, committed: Path, names: list[str]) -> None:
    for name in names:
        assert (fresh / name).read_bytes() == (committed / name).read_bytes(), f"{committed / name} is stale"


def same_parquet(fresh: Path, committed: Path) -> None:
    """Same rows and the same Hugging Face features; the footer's writer version may differ."""
    new, old = pq.read_table(fresh), pq.read_table(committed)
    assert new.to_pylist() == old.to_pylist(), f"{committed} is stale (rows)"
    assert new.schema.remove_metadata() == old.schema.remove_metadata(), f"{committed} is stale (schema)"
    features = [json.loads(t.schema.metadata[b"huggingface"]) for t in (new, old)]
    assert features[0] == features[1], f"{committed} is stale (features)"


def without_versions(path: Path) -> dict:
    info = json.loads(path.read_text(encoding="utf-8"))
    info.pop("versions")
    return info


def masked_card(text: str) -> str:
    """The card without what names library versions: their line, and the model digest."""
    text = re.sub(r"(?m)^Library versions: .*$", "Library versions: …", text)
    return re.sub(r"`([a-z0-9_-]+)-[0-9a-f]{8}`", r"`\1-…`", text)


def test_corpus_files_are_a_fresh_ingest_and_split(tmp_path):
    shutil.copytree(ROOT / "corpus" / "raw", tmp_path / "raw")
    if (ROOT / "corpus" / "given").exists():
        shutil.copytree(ROOT / "corpus" / "given", tmp_path / "given")
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
    same_files(fresh_dataset, ROOT / "dataset", ["README.md", "adjudication.jsonl"])
    committed = sorted(p.name for p in (ROOT / "dataset" / "data").glob("*.parquet"))
    assert sorted(p.name for p in (fresh_dataset / "data").glob("*.parquet")) == committed
    for name in committed:
        same_parquet(fresh_dataset / "data" / name, ROOT / "dataset" / "data" / name)


def test_label_review_is_a_fresh_review_of_the_committed_dataset(tmp_path):
    review(dataset_dir=ROOT / "dataset", config_path=ROOT / "training" / "baseline.toml",
           out_path=tmp_path / "review.jsonl")  # fmt: skip
    same_files(tmp_path, ROOT / "labels", ["review.jsonl", "review.json"])


def test_baseline_run_is_a_fresh_training_and_evaluation(fresh_dataset, tmp_path):
    run = tmp_path / "baseline"
    train(dataset_dir=fresh_dataset, config_path=ROOT / "training" / "baseline.toml", out_dir=run)
    evaluate(run_dir=run, dataset_dir=fresh_dataset)
    models = sorted(p.name for p in RUN.glob("*.skops"))
    assert models == ["event_types.skops", "stance.skops"]
    assert sorted(p.name for p in run.glob("*.skops")) == models
    same_files(run, RUN, ["config.toml", "metrics.json"])
    assert without_versions(run / "train_info.json") == without_versions(RUN / "train_info.json")
    fresh, committed = load_run(run).predict(SENTENCES), load_run(RUN).predict(SENTENCES)
    assert fresh == committed, "the committed models predict differently from freshly trained ones"


def test_model_card_is_a_fresh_render():
    card = ROOT / "model_cards" / "baseline.md"
    fresh = render_card(run_dir=RUN, out_path=card, dataset_card=ROOT / "dataset" / "README.md")
    assert masked_card(fresh) == masked_card(card.read_text(encoding="utf-8"))
