"""``newskit build``: the dataset folder loads with ``datasets``, is deterministic, and never leaks."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from newskit.build import build_dataset
from newskit.dataset_files import read_parquet_rows
from newskit.errors import NewskitError
from newskit.jsonio import read_jsonl, write_jsonl
from newskit.schema import load_schema
from tests.dataset_fixtures import annotation, make_article, write_corpus, write_schema

SHARED = "Russland griff in der Nacht erneut die Energieversorgung der Hauptstadt Kiew mit Drohnen an."


def article_texts(number: int) -> list[str]:
    return [
        f"Dies ist der erste Satz von Artikel {number} über den Krieg.",
        f"Die Regierung in Kiew forderte am Tag {number} neue Hilfe von den Partnern.",
        f"Ein Sprecher des Kremls wies die Berichte am Tag {number} scharf zurück.",
    ]


@pytest.fixture
def inputs(tmp_path):
    """Eight articles; articles 2 and 6 share a near-identical agency sentence; one unlabeled sentence."""
    articles = []
    for number in range(8):
        texts = article_texts(number)
        if number == 2:
            texts.append(SHARED)
        if number == 6:
            texts.append(SHARED.replace(" an.", " an, hieß es."))
        articles.append(make_article(number, texts, source="Agentur" if number % 2 else "Zeitung"))
    corpus = write_corpus(tmp_path / "corpus", articles)
    sentences = [s for _, records in articles for s in records]
    rows = []
    for number, sentence in enumerate(sentences[:-1]):  # the very last sentence stays unlabeled
        labels = (
            ["strike"]
            if "Drohnen" in sentence["text"]
            else ["diplomacy"]
            if "Hilfe" in sentence["text"]
            else ["none"]
        )
        stance = "pro_russia" if "Kreml" in sentence["text"] else "neutral"
        rows.append(
            annotation(
                sentence["id"],
                "newskit-maintainers",
                labels,
                stance,
                number=number,
                updated_at=f"2025-04-{number % 20 + 1:02d}T08:00:00Z",
            )
        )
    rows.append(annotation(sentences[0]["id"], "newskit-maintainers", None, None, number=999, cancelled=True))
    write_jsonl(tmp_path / "labels" / "annotations.jsonl", rows)
    schema_path = write_schema(tmp_path / "labels")
    return {
        "corpus": corpus,
        "annotations": tmp_path / "labels" / "annotations.jsonl",
        "schema": schema_path,
        "sentences": sentences,
        "root": tmp_path,
    }


def build(inputs, out, **options):
    return build_dataset(
        corpus_dir=inputs["corpus"],
        annotations_path=inputs["annotations"],
        snapshot_path=None,
        schema_path=inputs["schema"],
        out_dir=out,
        policy=options.get("policy", "majority"),
        ratios=options.get("ratios", (0.8, 0.1, 0.1)),
        seed=options.get("seed", 13),
    )


def test_build_writes_three_splits_report_and_card(inputs, tmp_path):
    report = build(inputs, tmp_path / "dataset")
    out = tmp_path / "dataset"
    for name in ("train", "validation", "test"):
        assert (out / "data" / f"{name}.parquet").is_file()
    assert (out / "README.md").is_file() and (out / "adjudication.jsonl").is_file()
    assert {name: stats.sentences for name, stats in report.splits.items()} == {
        name: pq.read_metadata(out / "data" / f"{name}.parquet").num_rows
        for name in ("train", "validation", "test")
    }
    assert sum(stats.sentences for stats in report.splits.values()) == len(inputs["sentences"]) - 1
    assert report.unlabeled_sentences == 1
    assert report.adjudication.cancelled == 1
    assert all(stats.articles >= 1 for stats in report.splits.values())


def test_rows_are_sorted_and_carry_context_and_labels(inputs, tmp_path):
    build(inputs, tmp_path / "dataset")
    schema = load_schema(inputs["schema"])
    rows = read_parquet_rows(tmp_path / "dataset" / "data" / "train.parquet", schema)
    assert [(r["article_id"], r["sentence_index"]) for r in rows] == sorted(
        (r["article_id"], r["sentence_index"]) for r in rows
    )
    by_id = {s["id"]: s for s in inputs["sentences"]}
    for row in rows:
        sentence = by_id[row["id"]]
        assert row["text"] == sentence["text"] and row["sentence_index"] == sentence["index"]
        assert row["n_annotations"] == 1 and row["agreement"] is True
        expected = (
            ["strike"] if "Drohnen" in row["text"] else ["diplomacy"] if "Hilfe" in row["text"] else ["none"]
        )
        assert row["event_types"] == expected
        if row["sentence_index"] == 0:
            assert row["context_before"] == ""
        else:
            assert row["context_before"] in {
                s["text"] for s in inputs["sentences"] if s["article_id"] == row["article_id"]
            }
    assert list(pq.read_schema(tmp_path / "dataset" / "data" / "train.parquet").names) == [
        "id", "article_id", "sentence_index", "text", "context_before", "context_after", "title",
        "source", "url", "date", "event_types", "stance", "n_annotations", "agreement",
    ]  # fmt: skip


def test_no_article_and_no_duplicate_crosses_splits(inputs, tmp_path):
    report = build(inputs, tmp_path / "dataset")
    schema = load_schema(inputs["schema"])
    split_of_article: dict[str, set[str]] = {}
    split_of_text: dict[str, str] = {}
    for name in ("train", "validation", "test"):
        for row in read_parquet_rows(tmp_path / "dataset" / "data" / f"{name}.parquet", schema):
            split_of_article.setdefault(row["article_id"], set()).add(name)
            split_of_text[row["text"]] = name
    assert all(len(splits) == 1 for splits in split_of_article.values())
    assert split_of_text[SHARED] == split_of_text[SHARED.replace(" an.", " an, hieß es.")]
    assert report.duplicate_pairs == 1 and len(report.linked_article_groups) == 1


def test_load_dataset_on_the_folder_gives_class_labels_in_schema_order(inputs, tmp_path):
    import datasets

    build(inputs, tmp_path / "dataset")
    loaded = datasets.load_dataset(str(tmp_path / "dataset"), cache_dir=str(tmp_path / "cache"))
    assert isinstance(loaded, datasets.DatasetDict)
    assert set(loaded) == {"train", "validation", "test"}
    features = loaded["train"].features
    assert isinstance(features["stance"], datasets.ClassLabel)
    assert features["stance"].names == ["pro_ukraine", "pro_russia", "neutral"]
    assert isinstance(features["event_types"], datasets.List)
    assert isinstance(features["event_types"].feature, datasets.ClassLabel)
    assert features["event_types"].feature.names == ["strike", "diplomacy", "none"]
    first = loaded["train"][0]
    assert features["stance"].int2str(first["stance"]) in {"neutral", "pro_russia"}
    assert sum(len(split) for split in loaded.values()) == len(inputs["sentences"]) - 1


def test_plain_parquet_load_keeps_class_labels(inputs, tmp_path):
    import datasets

    build(inputs, tmp_path / "dataset")
    data = tmp_path / "dataset" / "data"
    loaded = datasets.load_dataset(
        "parquet", data_files={"train": str(data / "train.parquet")}, cache_dir=str(tmp_path / "cache")
    )
    features = loaded["train"].features
    assert isinstance(features["stance"], datasets.ClassLabel)
    assert features["event_types"].feature.names == ["strike", "diplomacy", "none"]


def test_building_twice_gives_byte_identical_files(inputs, tmp_path):
    build(inputs, tmp_path / "first")
    build(inputs, tmp_path / "second")
    for relative in (
        "data/train.parquet",
        "data/validation.parquet",
        "data/test.parquet",
        "README.md",
        "adjudication.jsonl",
    ):
        assert (tmp_path / "first" / relative).read_bytes() == (
            tmp_path / "second" / relative
        ).read_bytes(), relative


def test_unknown_sentence_ids_are_an_error_naming_them(inputs, tmp_path):
    rows = list(read_jsonl(inputs["annotations"]))
    rows.append(
        annotation("deadbeefdeadbeef:0-10", "newskit-maintainers", ["strike"], "neutral", number=5000)
    )
    write_jsonl(inputs["annotations"], rows)
    with pytest.raises(NewskitError) as caught:
        build(inputs, tmp_path / "dataset")
    assert "1 sentence id(s) not in" in caught.value.message
    assert "deadbeefdeadbeef:0-10" in caught.value.message
    assert "re-split" in caught.value.hint
    assert not (tmp_path / "dataset").exists()


def test_labels_outside_the_schema_are_an_error_listing_them(inputs, tmp_path):
    rows = list(read_jsonl(inputs["annotations"]))
    rows[0]["event_type"] = ["strike", "teleport"]
    rows[1]["stance"] = "pro_mars"
    write_jsonl(inputs["annotations"], rows)
    with pytest.raises(
        NewskitError, match=r"labels not in the schema .*event_type: teleport; stance: pro_mars"
    ):
        build(inputs, tmp_path / "dataset")


def test_all_cancelled_is_an_error(inputs, tmp_path):
    rows = [dict(row, cancelled=True) for row in read_jsonl(inputs["annotations"])]
    write_jsonl(inputs["annotations"], rows)
    with pytest.raises(NewskitError, match="no usable annotations"):
        build(inputs, tmp_path / "dataset")
