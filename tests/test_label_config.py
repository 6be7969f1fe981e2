"""The Label Studio config and the instructions, generated from the schema."""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml

from newskit.errors import NewskitError
from newskit.labels.label_config import (
    SHADOWED_DATA_KEYS,
    guidelines_version,
    render_instructions,
    render_label_config,
    validate_result,
)
from newskit.labels.schema import Schema, load_schema, schema_from_data


@pytest.fixture(scope="module")
def schema(repo_root) -> Schema:
    return load_schema(repo_root / "labels" / "schema.yaml")


@pytest.fixture
def tricky(repo_root, tmp_path) -> Schema:
    """The shipped schema with characters XML and HTML must escape, loaded from tmp_path."""
    data = yaml.safe_load((repo_root / "labels" / "schema.yaml").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    label = data["tasks"][0]["labels"][0]
    label["display"] = 'Angriffe & "Beschuss" <Drohnen>'
    label["description"] = "Raketen & Drohnen <b>fett</b> 'zitiert'"
    data["tasks"][1]["title"] = "Haltung <&>"
    data["guidelines_version"] = "1.0"  # pinned here: the shipped version moves on
    (tmp_path / "schema.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (tmp_path / "GUIDELINES.md").write_text(
        "# Guide\n\n**Version:** 1.0\n\nText with <script>alert(1)</script> & more.\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n",
        encoding="utf-8",
    )
    return load_schema(tmp_path / "schema.yaml")


def test_committed_config_is_a_fresh_render(schema, repo_root):
    committed = (repo_root / "labels" / "label_config.xml").read_text(encoding="utf-8")
    assert committed == render_label_config(schema), (
        "run `newskit schema render` and commit labels/label_config.xml"
    )


def test_render_is_deterministic(schema):
    assert render_label_config(schema) == render_label_config(schema)


def test_config_has_the_sentence_context_and_one_choices_block_per_task(schema):
    root = ET.fromstring(render_label_config(schema))
    texts = {t.get("name"): t.get("value") for t in root.iter("Text")}
    assert texts["text"] == "$text"
    assert texts["context_before"] == "$context_before" and texts["context_after"] == "$context_after"
    assert texts["source_name"] == "$source_name" and texts["date"] == "$date"
    assert next(h.get("value") for h in root.iter("Header")) == "$title"
    blocks = {c.get("name"): c for c in root.iter("Choices")}
    assert list(blocks) == ["event_type", "stance"]
    assert blocks["event_type"].get("choice") == "multiple"
    assert blocks["stance"].get("choice") == "single-radio"
    for task in schema.tasks:
        block = blocks[task.name]
        assert block.get("toName") == "text" and block.get("required") == "true"
        choices = list(block.iter("Choice"))
        assert [c.get("alias") for c in choices] == task.label_ids
        assert [c.get("value") for c in choices] == [label.display for label in task.labels]
        assert [c.get("hotkey") for c in choices] == [label.hotkey for label in task.labels]
        assert all(c.get("hint") for c in choices)


def test_config_never_references_a_key_label_studio_shadows(schema):
    # `$source` shows the whole task JSON in Label Studio 1.23, whatever the task data says.
    variables = set(re.findall(r"\$(\w+)", render_label_config(schema)))
    assert variables == {"title", "source_name", "date", "context_before", "text", "context_after"}
    assert not variables & SHADOWED_DATA_KEYS


def test_config_escapes_special_characters(tricky):
    xml = render_label_config(tricky)
    assert "&amp;" in xml and "&lt;Drohnen&gt;" in xml
    root = ET.fromstring(xml)
    first = next(root.iter("Choice"))
    assert first.get("value") == 'Angriffe & "Beschuss" <Drohnen>'
    assert first.get("hint") == "Raketen & Drohnen <b>fett</b> 'zitiert'"
    assert "Haltung <&>" in [h.get("value").split(":")[0] for h in root.iter("Header")]


def test_instructions_show_version_tables_and_guidelines(schema):
    html = render_instructions(schema)
    assert "Guidelines version 1.1" in html
    assert "<code>civilian_impact</code>" in html and "Folgen für Zivilisten" in html
    assert (
        "<table>" in html and '<h1 id="deutsch">' in html
    )  # the guidelines' own heading, rendered from markdown


def test_instructions_links_point_to_headings(schema):
    html = render_instructions(schema)
    targets = [unquote(href) for href in re.findall(r'href="#([^"]+)"', html)]
    ids = set(re.findall(r'<h[1-6] id="([^"]+)"', html))
    assert targets and all(target in ids for target in targets)


def test_instructions_escape_html_in_schema_and_guidelines(tricky):
    html = render_instructions(tricky)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Angriffe &amp; &quot;Beschuss&quot; &lt;Drohnen&gt;" in html
    assert "<b>fett</b>" not in html
    assert "<td>1</td>" in html  # markdown tables are rendered


def test_instructions_refuse_a_guidelines_version_mismatch(tricky, tmp_path: Path):
    guide = tmp_path / "GUIDELINES.md"
    guide.write_text("# Guide\n\n**Version:** 2.0\n", encoding="utf-8")
    with pytest.raises(NewskitError) as caught:
        render_instructions(tricky)
    assert caught.value.message == f"{guide}: guidelines declare version '2.0', the schema says '1.0'"


def test_instructions_without_a_guidelines_file(schema, repo_root):
    data = yaml.safe_load((repo_root / "labels" / "schema.yaml").read_text(encoding="utf-8"))
    html = render_instructions(schema_from_data(data))
    assert "Guidelines version 1.1" in html and "<hr/>" not in html


@pytest.mark.parametrize(
    ("text", "version"),
    [("**Version:** 1.0\n", "1.0"), ("x\nVersion: 2.1-rc1\n", "2.1-rc1"), ("no version here", None)],
)
def test_guidelines_version_line(text, version):
    assert guidelines_version(text) == version


def item(task: str, *choices: str) -> dict:
    return {"from_name": task, "to_name": "text", "type": "choices", "value": {"choices": list(choices)}}


def test_validate_result_accepts_a_good_result(schema):
    assert (
        validate_result(schema, [item("event_type", "strike", "civilian_impact"), item("stance", "neutral")])
        == []
    )


def test_validate_result_lists_every_problem(schema):
    problems = validate_result(
        schema,
        [
            item("event_type", "none", "strike"),
            item("stance", "neutral", "pro_russia"),
            item("topic", "x"),
            item("stance", "Neutral"),
            {"from_name": "event_type", "type": "choices", "value": {}},
        ],
    )
    assert problems == [
        "result[0]: 'none' must be chosen alone in task 'event_type'",
        "result[1]: task 'stance' takes one label, got 2",
        "result[2]: unknown task 'topic' (known: event_type, stance)",
        "result[3]: task 'stance' answered twice",
        "result[3]: unknown label(s) 'Neutral' for task 'stance'",
        "result[4]: task 'event_type' answered twice",
        "result[4]: task 'event_type' has no list of choices",
    ]


def test_schema_render_cli_writes_the_config(run_cli, repo_root, schema, tmp_path):
    out = tmp_path / "config.xml"
    code, stdout, err = run_cli(
        "schema", "render", "--schema", str(repo_root / "labels/schema.yaml"), "--out", str(out)
    )
    assert (code, err) == (0, "")
    assert out.read_text(encoding="utf-8") == render_label_config(schema)
    assert str(out) in stdout.replace("\n", "")


def test_schema_render_cli_bad_schema_is_one_line(run_cli, tmp_path):
    bad = tmp_path / "schema.yaml"
    bad.write_text("name: [\n", encoding="utf-8")
    code, _, err = run_cli("schema", "render", "--schema", str(bad), "--out", str(tmp_path / "c.xml"))
    assert code == 1 and err.startswith(f"error: {bad}:2: YAML error") and err.count("\n") == 1
    assert not (tmp_path / "c.xml").exists()


EXAMPLE_ROW = re.compile(
    r"^\| \*(?P<sentence>.+?)\* \| (?P<events>[a-z_, ]+) \| (?P<stance>[a-z_]+) \| (?P<why>.+) \|$"
)


def guideline_examples(repo_root: Path) -> list[dict[str, str]]:
    text = (repo_root / "labels" / "GUIDELINES.md").read_text(encoding="utf-8")
    return [m.groupdict() for line in text.splitlines() if (m := EXAMPLE_ROW.match(line))]


def test_guideline_examples_are_real_corpus_sentences_with_valid_labels(repo_root, schema):
    examples = guideline_examples(repo_root)
    assert len(examples) >= 80  # German and English parts, every label and every hard case
    # The normalized articles (encoding of 004 repaired) plus the raw files (bylines and navigation
    # lines that ingest removes are still examples of what annotators may meet in another corpus).
    articles = repo_root / "corpus" / "articles.jsonl"
    texts = [json.loads(line)["text"] for line in articles.open(encoding="utf-8")]
    texts += [
        path.read_bytes().decode("utf-8", "replace")
        for path in sorted((repo_root / "corpus" / "raw").iterdir())
    ]
    corpus = " ".join(" ".join(text.split()) for text in texts)
    events, stance = schema.task("event_type"), schema.task("stance")
    missing, invalid = [], []
    for example in examples:
        if " ".join(example["sentence"].split()) not in corpus:
            missing.append(example["sentence"])
        chosen = [label.strip() for label in example["events"].split(",")]
        if set(chosen) - set(events.label_ids) or example["stance"] not in stance.label_ids:
            invalid.append(example["sentence"])
        if "none" in chosen and (len(chosen) > 1 or example["stance"] != "neutral"):
            invalid.append(example["sentence"])
    assert missing == [] and invalid == []
    used = {label.strip() for example in examples for label in example["events"].split(",")}
    assert used == set(events.label_ids)
    assert {example["stance"] for example in examples} == set(stance.label_ids)


def test_german_and_english_parts_give_the_same_labels(repo_root):
    examples = guideline_examples(repo_root)
    german, english = examples[: len(examples) // 2], examples[len(examples) // 2 :]
    assert [(e["sentence"], e["events"], e["stance"]) for e in german] == [
        (e["sentence"], e["events"], e["stance"]) for e in english
    ]


def test_label_studio_sdk_accepts_the_config_and_reads_ids_as_result_values(schema):
    from label_studio_sdk.label_interface import LabelInterface

    interface = LabelInterface(render_label_config(schema))
    interface.validate()  # Label Studio's own checks: unique names, toName targets, tag schema
    for task in schema.tasks:
        assert interface.get_control(task.name).labels == task.label_ids  # alias wins over value
