"""newskit card: every number in the card equals metrics.json/train_info.json; placeholders; errors."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from newskit.cards.model_card import PLACEHOLDER, render_card, write_card
from newskit.errors import NewskitError
from tests.training_fixtures import train_tiny_run


@pytest.fixture(scope="module")
def carded(tmp_path_factory):
    root = tmp_path_factory.mktemp("card")
    dataset, run_dir = train_tiny_run(root, evaluate=True)
    path = write_card(
        run_dir=run_dir, out_path=root / "cards" / "tiny.md", dataset_card=dataset / "README.md"
    )
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    info = json.loads((run_dir / "train_info.json").read_text(encoding="utf-8"))
    return root, dataset, run_dir, path, path.read_text(encoding="utf-8"), metrics, info


def _header(text: str) -> dict:
    match = re.match(r"^---\n(.*?)\n---\n", text, re.DOTALL)
    assert match, "card has no YAML header"
    return yaml.safe_load(match.group(1))


def _numbers(data) -> set[float]:
    if isinstance(data, dict):
        return set().union(*(_numbers(v) for v in data.values())) if data else set()
    if isinstance(data, list):
        return set().union(*(_numbers(v) for v in data)) if data else set()
    if isinstance(data, bool) or not isinstance(data, int | float):
        return set()
    return {round(float(data), 4)}


def test_model_index_holds_test_f1_of_every_task(carded):
    *_, text, metrics, _ = carded
    header = _header(text)
    assert header["library_name"] == "sklearn"
    assert header["language"] == "de"
    assert header["pipeline_tag"] == "text-classification"
    assert header["license"] == "cc-by-4.0"  # from the dataset card
    (entry,) = header["model-index"]
    values = {m["name"]: m["value"] for r in entry["results"] for m in r["metrics"]}
    expected = {
        f"{average} F1 ({field})": task["test"]["model"][f"{average}_f1"]
        for field, task in metrics["tasks"].items()
        for average in ("macro", "micro")
    }
    assert values == expected
    assert all(r["dataset"]["split"] == "test" for r in entry["results"])


def test_summary_tables_equal_metrics(carded):
    *_, text, metrics, _ = carded
    for field, task in metrics["tasks"].items():
        section = text.split(f"### `{field}` (")[1]
        rows = {}
        for line in section.splitlines():
            cells = [c.strip() for c in line.strip("|").split("|")]
            if cells[0] in ("**model**", "majority class (baseline)", "stratified random (baseline)"):
                rows.setdefault(cells[0], cells)
        model = rows["**model**"]
        assert float(model[1]) == task["test"]["model"]["macro_f1"]
        interval, _, remark = model[2].partition(" (")
        low, high = (float(x) for x in interval.split(" – "))
        ci = task["test"]["model"]["macro_f1_ci"]
        assert remark == ("" if ci["reliable"] else f"unreliable: {ci['n_articles']} test articles)")
        assert (low, high) == (
            task["test"]["model"]["macro_f1_ci"]["low"],
            task["test"]["model"]["macro_f1_ci"]["high"],
        )
        assert float(model[3]) == task["test"]["model"]["micro_f1"]
        mean, std = (float(x) for x in model[4].split(" ± "))
        assert (mean, std) == (
            task["cv"]["model"]["macro_f1"]["mean"],
            task["cv"]["model"]["macro_f1"]["std"],
        )
        majority = rows["majority class (baseline)"]
        assert float(majority[1]) == task["test"]["majority"]["macro_f1"]
        assert float(rows["stratified random (baseline)"][3]) == task["test"]["stratified"]["micro_f1"]


def test_every_decimal_in_the_card_was_measured(carded):
    *_, text, metrics, info = carded
    body = text.split("\n---\n", 1)[1]
    measured = _numbers(metrics) | _numbers(info)
    decimals = [float(x) for x in re.findall(r"(?<![\w.])\d+\.\d{4}(?![\d])", body)]
    assert len(decimals) > 50
    assert [d for d in decimals if d not in measured] == []


def test_plots_are_linked_relative_to_the_card(carded):
    _, _, _, path, text, metrics, _ = carded
    links = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", text)
    assert len(links) == 3 * len(metrics["tasks"])
    for link in links:
        assert (path.parent / link).is_file()
    assert "](../dataset/README.md)" in text


def test_unknown_facts_are_placeholders_and_output_is_deterministic(carded):
    _, dataset, run_dir, path, text, _, _ = carded
    assert f"Model id: {PLACEHOLDER}" in text
    assert "Ethical considerations" in text
    assert render_card(run_dir=run_dir, out_path=path, dataset_card=dataset / "README.md") == text


def test_card_without_metrics_is_one_line_error(carded, tmp_path, run_cli):
    _, _, run_dir, *_ = carded
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    (copy / "metrics.json").unlink()
    code, out, err = run_cli("card", str(copy), "--out", str(tmp_path / "card.md"))
    assert code == 1
    assert err == f"error: {copy}: no metrics.json (hint: run `newskit evaluate {copy}` first)\n"
    assert "Traceback" not in out + err
    assert not (tmp_path / "card.md").exists()


def test_stale_metrics_are_refused(carded, tmp_path):
    _, _, run_dir, *_ = carded
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    metrics = json.loads((copy / "metrics.json").read_text(encoding="utf-8"))
    metrics["model_version"] = "tiny-00000000"
    (copy / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    with pytest.raises(NewskitError, match=r"metrics\.json is from other models"):
        render_card(run_dir=copy, out_path=tmp_path / "c.md")
