"""The dataset card: YAML that the Hub and ``datasets`` read, measured facts, placeholders elsewhere."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from huggingface_hub import DatasetCard

from newskit.dataset.card import MISSING, size_category
from newskit.jsonio import read_jsonl, write_jsonl
from tests.dataset_fixtures import annotation, build, make_inputs


@pytest.fixture
def inputs(tmp_path):
    return make_inputs(tmp_path)


def card_text(folder) -> str:
    return (folder / "README.md").read_text(encoding="utf-8")


def test_yaml_header_declares_splits_features_and_license(inputs, tmp_path):
    report = build(inputs, tmp_path / "dataset")
    card = DatasetCard.load(tmp_path / "dataset" / "README.md")
    data = card.data.to_dict()
    assert data["license"] == "other" and data["language"] == ["de"]
    assert data["configs"] == [
        {
            "config_name": "default",
            "data_files": [
                {"split": name, "path": f"data/{name}.parquet"} for name in ("train", "validation", "test")
            ],
        }
    ]
    features = {feature["name"]: feature for feature in data["dataset_info"]["features"]}
    assert features["stance"]["dtype"]["class_label"]["names"] == {
        "0": "pro_ukraine",
        "1": "pro_russia",
        "2": "neutral",
    }
    assert features["event_types"]["list"]["class_label"]["names"] == {
        "0": "strike",
        "1": "diplomacy",
        "2": "none",
    }
    splits = {split["name"]: split["num_examples"] for split in data["dataset_info"]["splits"]}
    assert splits == {name: stats.sentences for name, stats in report.splits.items()}
    assert data["size_categories"] == ["n<1K"]


def test_body_reports_measured_statistics_and_schema_mappings(inputs, tmp_path):
    report = build(inputs, tmp_path / "dataset")
    text = card_text(tmp_path / "dataset")
    for name, stats in report.splits.items():
        assert f"| {name} | {stats.articles} | {stats.sentences} |" in text
    total = sum(stats.sentences for stats in report.splits.values())
    strike = [stats.labels["event_types"]["strike"] for stats in report.splits.values()]
    counts = " | ".join(map(str, strike))
    row = f"| `strike` | Angriff | Raketen und Drohnen. | Explosions/Remote violence | ASSAULT | {counts} |"
    assert f"{row} {sum(strike)} |" in text
    assert "| `diplomacy` | Diplomatie | Gespräche. | – | CONSULT, AGREE |" in text
    assert f"{total} sentences from 8 articles" in text
    assert "| Agentur | 4 |" in text and "| Zeitung | 4 |" in text
    assert "Article dates: 2025-03-01 to 2025-03-08." in text
    assert "guidelines version 0.3" in text
    assert "| newskit-maintainers | 25 |" in text
    assert "Inter-annotator agreement is not measured: each sentence was labeled once" in text
    assert f"- `newskit-maintainers`: {MISSING}" in text  # no annotators.yaml: unknown, not invented
    assert 'load_dataset("path/to/this/folder")' in text


def test_annotator_registry_names_and_describes_annotators(inputs, tmp_path):
    rows = list(read_jsonl(inputs["annotations"]))
    write_jsonl(inputs["annotations"], [{**row, "annotator": "team@example.org"} for row in rows])
    (inputs["annotations"].parent / "annotators.yaml").write_text(
        "team@example.org:\n  name: seed-team\n  description: Two editors, one pass each.\n",
        encoding="utf-8",
    )
    build(inputs, tmp_path / "dataset")
    text = card_text(tmp_path / "dataset")
    assert "- `seed-team`: Two editors, one pass each." in text
    assert "| seed-team | 25 |" in text
    assert "team@example.org" not in text


def test_unknown_facts_are_placeholders_and_no_build_time_appears(inputs, tmp_path):
    build(inputs, tmp_path / "dataset")
    text = card_text(tmp_path / "dataset")
    for section in ("### Curation Rationale", "## Citation", "## Dataset Card Contact"):
        after = text.split(section, 1)[1].strip()
        assert after.startswith(MISSING), section
    data_dates = {f"2025-03-0{d}" for d in range(1, 10)} | {f"2025-04-{d:02d}" for d in range(1, 21)}
    assert set(re.findall(r"\d{4}-\d{2}-\d{2}", text)) <= data_dates


def test_several_annotators_give_agreement_figures_and_pseudonyms(inputs, tmp_path):
    rows = [row for row in read_jsonl(inputs["annotations"]) if not row["cancelled"]]
    extra = []
    for number, row in enumerate(rows[:10]):
        extra.append(dict(row, annotator="ann.one@example.org", annotation_id=5000 + number))
        stance = row["stance"] if number % 3 else "pro_ukraine"
        extra.append(dict(row, annotator="ann.two@example.org", annotation_id=6000 + number, stance=stance))
    write_jsonl(inputs["annotations"], rows + extra)
    report = build(inputs, tmp_path / "dataset")
    text = card_text(tmp_path / "dataset")
    assert "example.org" not in text
    assert re.search(r"\| annotator-[0-9a-f]{10} \| 10 \|", text)
    # Not a plain hash of the address: guessing addresses and hashing them finds nothing.
    for email in ("ann.one@example.org", "ann.two@example.org"):
        guessed = hashlib.sha256(email.encode()).hexdigest()
        for path in (tmp_path / "dataset").rglob("*"):
            if path.is_file():
                data = str(pq.read_table(path).to_pylist()) if path.suffix == ".parquet" else path.read_text()
                assert guessed[:8] not in data and email not in data, path
    salt = Path(inputs["annotations"]).parent / ".pseudonym-salt"
    assert salt.stat().st_mode & 0o777 == 0o600
    assert "Inter-annotator agreement (10 sentences labeled by two or more annotators)" in text
    assert "| `stance` | Krippendorff's alpha |" in text
    assert "| `event_types` | mean Krippendorff's alpha per label |" in text
    # Sentences 0, 3, 6, 9: one annotator said pro_ukraine against two: the majority decides, flagged.
    assert report.adjudication.disagreed == 4
    assert "| annotators disagreed | 4 |" in text
    report_rows = list(read_jsonl(tmp_path / "dataset" / "adjudication.jsonl"))
    assert len(report_rows) == 4
    for row in report_rows:
        stances = sorted(vote["stance"] for vote in row["votes"])
        assert len(stances) == 3 and stances.count("pro_ukraine") == 1
        assert row["decision"]["stance"] == stances[0] if stances[0] != "pro_ukraine" else stances[1]
        assert row["outcomes"]["stance"] == "majority" and row["agreement"] is False


def test_split_notes_and_warnings_appear_in_the_card(inputs, tmp_path):
    report = build(inputs, tmp_path / "dataset")
    text = card_text(tmp_path / "dataset")
    # The two articles with the strike sentence share it (one group): only train can have it.
    assert any("strike" in warning for warning in report.warnings)
    for note in report.notes:
        assert f"- {note}" in text
    for warning in report.warnings:
        assert f"- warning: {warning}" in text


def test_ties_are_counted_in_the_card(inputs, tmp_path):
    rows = list(read_jsonl(inputs["annotations"]))
    first = rows[0]
    rows.append(annotation(first["sentence_id"], "second-pass", ["strike"], "pro_ukraine", number=7000))
    write_jsonl(inputs["annotations"], rows)
    build(inputs, tmp_path / "dataset")
    text = card_text(tmp_path / "dataset")
    assert "| no decision for `stance` (tie or disagreement) | 1 |" in text
    assert "| no decision for `event_type` (tie or disagreement) | 1 |" in text
    assert re.search(r"\| \| \*no gold label \(null\)\* \| \| \| \|( \d+ \|){3} 1 \|", text)


@pytest.mark.parametrize(
    ("count", "category"), [(0, "n<1K"), (999, "n<1K"), (1000, "1K<n<10K"), (10**7, "n>1M")]
)
def test_size_category(count, category):
    assert size_category(count) == category


def test_reviewer_email_is_not_published(inputs, tmp_path):
    rows = list(read_jsonl(inputs["annotations"]))
    first = rows[0]
    rows.append(annotation(first["sentence_id"], "chief@example.org", ["strike"], "pro_ukraine", number=7000))
    write_jsonl(inputs["annotations"], rows)
    report = build(inputs, tmp_path / "dataset", policy="reviewer:chief@example.org")
    assert report.adjudication.reviewer_decisions == 1
    for name in ("README.md", "adjudication.jsonl"):
        text = (tmp_path / "dataset" / name).read_text(encoding="utf-8")
        assert "example.org" not in text
        assert "reviewer:annotator-" in text
