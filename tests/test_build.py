"""``newskit build``: the dataset folder loads with ``datasets``, is deterministic, and never leaks."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from newskit.dataset.files import read_parquet_rows
from newskit.errors import NewskitError
from newskit.jsonio import read_jsonl, write_jsonl
from newskit.labels.schema import load_schema
from tests.dataset_fixtures import SHARED, annotation, build, make_inputs


@pytest.fixture
def inputs(tmp_path):
    return make_inputs(tmp_path)


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
        neighbours = {
            s["index"]: s["text"] for s in inputs["sentences"] if s["article_id"] == row["article_id"]
        }
        assert row["context_before"] == neighbours.get(row["sentence_index"] - 1, "")
        assert row["context_after"] == neighbours.get(row["sentence_index"] + 1, "")
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


@pytest.mark.parametrize(
    ("n_articles", "ratios", "written"),
    [
        (1, (0.8, 0.1, 0.1), ["train"]),
        (2, (0.8, 0.1, 0.1), ["train", "test"]),
        (3, (0.8, 0.1, 0.1), ["train", "validation", "test"]),
        (8, (0.9, 0.1, 0.0), ["train", "validation"]),
    ],
)
def test_every_dataset_build_writes_loads_with_datasets(inputs, tmp_path, n_articles, ratios, written):
    """Few articles: only the splits that can be filled are written and declared, and they load."""
    import datasets

    kept = {s["id"] for s in inputs["sentences"] if s["article_id"] in _first_articles(inputs, n_articles)}
    rows = [row for row in read_jsonl(inputs["annotations"]) if row["sentence_id"] in kept]
    write_jsonl(inputs["annotations"], rows)
    out = tmp_path / "dataset"
    (out / "data").mkdir(parents=True)
    (out / "data" / "test.parquet").write_bytes(b"from an earlier build")  # must not survive
    report = build(inputs, out, ratios=ratios)
    assert report.written_splits == written
    assert sorted(p.stem for p in (out / "data").glob("*.parquet")) == sorted(written)
    loaded = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "cache"))
    assert list(loaded) == written
    cancelled = sum(row["cancelled"] for row in rows)  # the first article's cancelled annotation
    assert sum(len(split) for split in loaded.values()) == len(rows) - cancelled
    names = ("train", "validation", "test")
    for name in [n for n, ratio in zip(names, ratios, strict=True) if ratio and n not in written]:
        assert f"split {name!r} has no articles: not written" in report.notes


def _first_articles(inputs: dict, n: int) -> set[str]:
    order = list(dict.fromkeys(s["article_id"] for s in inputs["sentences"]))
    return set(order[:n])


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


def test_cli_build_prints_the_summary(inputs, tmp_path, run_cli):
    out_dir = tmp_path / "dataset"
    code, out, err = run_cli(
        "build", "--corpus", str(inputs["corpus"]), "--annotations", str(inputs["annotations"]),
        "--schema", str(inputs["schema"]), "--out", str(out_dir), "--ratios", "0.6,0.2,0.2", "--seed", "3",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert (out_dir / "data" / "train.parquet").is_file()
    for expected in (
        "train",
        "validation",
        "test",
        "articles",
        "sentences",
        "event_types: strike",
        "stance: neutral",
    ):
        assert expected in out
    assert "adjudication (majority): 25 sentences, 25 agreed, 0 disagreed" in out
    assert "1 cancelled" in out and "1 corpus sentences without annotation" in out


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        (
            "--ratios",
            "0.5,0.5",
            "error: --ratios '0.5,0.5': expected three non-negative numbers summing to 1",
        ),
        ("--policy", "loudest", "error: unknown adjudication policy 'loudest'"),
        ("--policy", "reviewer:nobody", "error: reviewer 'nobody' has no annotations"),
    ],
)
def test_cli_build_bad_options_are_one_line_errors(inputs, tmp_path, run_cli, option, value, message):
    code, out, err = run_cli(
        "build", "--corpus", str(inputs["corpus"]), "--annotations", str(inputs["annotations"]),
        "--schema", str(inputs["schema"]), "--out", str(tmp_path / "dataset"), option, value,
    )  # fmt: skip
    assert code == 1
    assert err.startswith(message) and err.count("\n") == 1
    assert "Traceback" not in out + err


def test_cli_build_missing_annotations_file(inputs, tmp_path, run_cli):
    missing = tmp_path / "nothing.jsonl"
    code, _, err = run_cli(
        "build", "--corpus", str(inputs["corpus"]), "--annotations", str(missing),
        "--schema", str(inputs["schema"]), "--out", str(tmp_path / "dataset"),
    )  # fmt: skip
    assert code == 1
    assert err == f"error: {missing} does not exist (hint: run the stage that writes it first)\n"


def test_build_from_one_snapshot(inputs, tmp_path):
    """--snapshot: the raw Label Studio export is normalized by the pull stage, then built."""
    sentences = inputs["sentences"][:6]
    tasks = []
    for number, sentence in enumerate(sentences):
        result = [
            {
                "from_name": "event_type",
                "to_name": "text",
                "type": "choices",
                "value": {"choices": ["strike"]},
            },
            {"from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": ["neutral"]}},
        ]
        tasks.append(
            {
                "id": number + 1,
                "data": {"sentence_id": sentence["id"], "text": sentence["text"]},
                "annotations": [
                    {
                        "id": 100 + number,
                        "completed_by": 7,
                        "result": result,
                        "was_cancelled": False,
                        "created_at": "2025-05-02T09:00:00.000000Z",
                        "updated_at": "2025-05-02T09:00:00.000000Z",
                        "lead_time": 2.0,
                    }
                ],
            }
        )
    snapshots = tmp_path / "labels" / "snapshots"
    snapshots.mkdir(parents=True)
    snapshot = snapshots / "20250502T090000Z__tiny.json"
    snapshot.write_text(json.dumps(tasks), encoding="utf-8")
    (snapshots / "20250502T090000Z__tiny.users.json").write_text('{"7": "ann@example.org"}', encoding="utf-8")
    report = build(inputs, tmp_path / "dataset", snapshot=snapshot)
    assert sum(stats.sentences for stats in report.splits.values()) == 6
    assert report.unlabeled_sentences == len(inputs["sentences"]) - 6
    card = (tmp_path / "dataset" / "README.md").read_text(encoding="utf-8")
    assert "ann@example.org" not in card
    assert "annotator-" in card
