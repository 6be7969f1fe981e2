"""The splitter on held-out German news (tests/data/gold_heldout/): text its rules were not built from."""

from __future__ import annotations

from pathlib import Path

import pytest

from newskit.segment import segment
from newskit.segment.evaluation import Scores, align_sentences, read_hard_cases, score_spans

HELDOUT_DIR = Path(__file__).parent / "data" / "gold_heldout"
HELDOUT_FILES = sorted(HELDOUT_DIR.glob("*.txt"))


def heldout_scores(path: Path) -> Scores:
    total = Scores(0, 0, 0, 0, 0)
    for text, gold_sentences in read_hard_cases(path):
        total += score_spans(segment(text), align_sentences(text, gold_sentences))
    return total


def test_heldout_set_is_several_hundred_sentences_in_several_styles():
    assert len(HELDOUT_FILES) >= 5
    sentences = sum(len(gold) for path in HELDOUT_FILES for _, gold in read_hard_cases(path))
    assert sentences >= 400


@pytest.mark.parametrize("path", HELDOUT_FILES, ids=lambda path: path.stem)
def test_heldout_gold_is_well_formed(path):
    for text, gold_sentences in read_hard_cases(path):
        align_sentences(text, gold_sentences)  # raises if the gold is not the text


def test_heldout_targets():
    total = Scores(0, 0, 0, 0, 0)
    for path in HELDOUT_FILES:
        total += heldout_scores(path)
    assert total.f1 >= 0.985
    assert total.exact_match >= 0.95
