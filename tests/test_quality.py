"""The card's label quality section: review figures per task, annotators against the adjudicated labels."""

from __future__ import annotations

import json

import pytest

from newskit.errors import NewskitError
from newskit.jsonio import read_jsonl, write_jsonl
from newskit.training.review import review
from tests.dataset_fixtures import annotation, build, make_inputs
from tests.training_fixtures import write_tiny_config


@pytest.fixture
def inputs(tmp_path):
    """The build fixture plus a second annotator: same labels on two sentences, another stance on two."""
    inputs = make_inputs(tmp_path)
    rows = list(read_jsonl(inputs["annotations"]))
    firsts = [r for r in rows if not r["cancelled"]][:4]
    for number, row in enumerate(firsts):
        stance = row["stance"] if number < 2 else "pro_ukraine"
        rows.append(
            annotation(row["sentence_id"], "anna@example.org", row["event_type"], stance, number=500 + number)
        )
    write_jsonl(inputs["annotations"], rows)
    return inputs


def section(card: str) -> str:
    return card.split("#### Label quality", 1)[1].split("#### Who are the annotators?", 1)[0]


def table_rows(text: str) -> list[list[str]]:
    return [
        [c.strip() for c in line.strip("|").split("|")] for line in text.splitlines() if line.startswith("| ")
    ]


def test_without_a_review_the_card_says_so_and_measures_annotators(inputs, tmp_path):
    build(inputs, tmp_path / "dataset", policy="reviewer:newskit-maintainers")
    text = section((tmp_path / "dataset" / "README.md").read_text())
    assert "Likely label errors have not been searched for" in text
    anna = [row for row in table_rows(text) if row[0].startswith("annotator-")]
    # Anna's event types all equal the maintainers' (who decide); her stance equals it on 2 of 4.
    assert [row[1:] for row in anna] == [
        ["`event_types`", "4", "100.0%", "–"],
        ["`stance`", "4", "50.0%", "–"],
    ]
    maintainers = [row for row in table_rows(text) if row[0] == "newskit-maintainers"]
    assert [row[3] for row in maintainers] == ["100.0%", "100.0%"]


def test_the_review_figures_reach_the_card_and_changed_labels_are_marked(inputs, tmp_path):
    build(inputs, tmp_path / "dataset")
    out = inputs["annotations"].parent / "review.jsonl"
    summary = review(dataset_dir=tmp_path / "dataset", config_path=write_tiny_config(tmp_path), out_path=out)
    build(inputs, tmp_path / "dataset")
    text = section((tmp_path / "dataset" / "README.md").read_text())
    assert "on an earlier build" not in text
    figures = {row[0]: row[1:4] for row in table_rows(text) if row[0] in ("`event_types`", "`stance`")}
    for field, task in summary["tasks"].items():
        assert figures[f"`{field}`"] == [str(task["checked"]), str(task["flagged"]), f"{task['share']:.1%}"]
    flagged_stance = sum(1 for row in read_jsonl(out) if row["task"] == "stance")
    maintainers = {row[1]: row[4] for row in table_rows(text) if row[0] == "newskit-maintainers"}
    assert maintainers["`stance`"].startswith(f"{flagged_stance} (")

    build(inputs, tmp_path / "dataset", seed=99, ratios=(0.5, 0.25, 0.25))  # other splits, same labels
    assert "on an earlier build" not in section((tmp_path / "dataset" / "README.md").read_text())
    rows = list(read_jsonl(inputs["annotations"]))
    rows[0]["stance"] = "pro_ukraine" if rows[0]["stance"] != "pro_ukraine" else "neutral"
    write_jsonl(inputs["annotations"], rows)
    build(inputs, tmp_path / "dataset")  # one gold label changed since the review
    assert "on an earlier build" in section((tmp_path / "dataset" / "README.md").read_text())


def test_a_broken_review_summary_is_a_one_line_error(inputs, tmp_path):
    labels = inputs["annotations"].parent
    write_jsonl(labels / "review.jsonl", [])
    (labels / "review.json").write_text(json.dumps({"tasks": []}))
    with pytest.raises(NewskitError, match=r"review.jsonl: not a review file written by `newskit review`"):
        build(inputs, tmp_path / "dataset")
