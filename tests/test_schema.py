"""The label schema: the shipped file loads, and every kind of mistake gets a located, one-line error."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from newskit.errors import NewskitError
from newskit.labels.schema import Schema, load_schema, schema_from_data


@pytest.fixture(scope="module")
def shipped(repo_root) -> Schema:
    return load_schema(repo_root / "labels" / "schema.yaml")


@pytest.fixture
def data(repo_root) -> dict:
    return yaml.safe_load((repo_root / "labels" / "schema.yaml").read_text(encoding="utf-8"))


def error_of(data: dict) -> str:
    with pytest.raises(NewskitError) as caught:
        schema_from_data(data, "labels/schema.yaml")
    assert "\n" not in caught.value.one_line()
    return caught.value.message


def test_shipped_schema_has_the_contracted_tasks(shipped):
    assert [t.name for t in shipped.tasks] == ["event_type", "stance"]
    assert (shipped.version, shipped.guidelines_version, shipped.language) == ("1", "1.1", "de")
    events = shipped.task("event_type")
    assert (events.field, events.kind, events.exclusive) == ("event_types", "multi", ["none"])
    assert events.label_ids == [
        "strike", "ground_combat", "civilian_impact", "diplomacy", "aid_support",
        "sanctions_economy", "nuclear_safety", "info_hybrid", "none",
    ]  # fmt: skip
    assert events.label("strike").acled == "Explosions/Remote violence"
    assert events.label("ground_combat").plover == ["ASSAULT", "RETREAT"]
    assert events.label("aid_support").acled is None
    stance = shipped.task("stance")
    assert (stance.field, stance.kind, stance.label_ids) == (
        "stance",
        "single",
        ["pro_ukraine", "pro_russia", "neutral"],
    )
    hotkeys = [label.hotkey for task in shipped.tasks for label in task.labels]
    assert len(hotkeys) == len(set(hotkeys)) and None not in hotkeys


def test_unknown_task_name_is_an_error_listing_known_tasks(shipped):
    with pytest.raises(NewskitError, match=r"no task 'topic'.*event_type, stance"):
        shipped.task("topic")


def label_at(data, task: int, index: int) -> dict:
    return data["tasks"][task]["labels"][index]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: label_at(d, 0, 3).update(id="strike"),
            "[tasks.event_type.labels.3] duplicate id 'strike'",
        ),
        (
            lambda d: label_at(d, 1, 0).update(hotkey="1"),
            "[tasks.stance.labels.0.hotkey] hotkey '1' is already used by tasks.event_type.labels.0 "
            "(Label Studio hotkeys are global)",
        ),
        (
            lambda d: label_at(d, 0, 4).update(hotkey="2"),
            "[tasks.event_type.labels.4.hotkey] hotkey '2' is already used by tasks.event_type.labels.1 "
            "(Label Studio hotkeys are global)",
        ),
        (
            lambda d: d["tasks"][0].update(exclusive=["none", "nothing"]),
            "[tasks.event_type.exclusive.1] exclusive label 'nothing' is not a label of this task",
        ),
        (
            lambda d: d["tasks"][1].update(exclusive=["neutral"]),
            "[tasks.stance.exclusive] exclusive labels only make sense in a multi task (single is exclusive)",
        ),
        (
            lambda d: d["tasks"][1].update(labels=[]),
            "[tasks.stance.labels] empty label list (a task needs at least one label)",
        ),
        (
            lambda d: d["tasks"][1].update(kind="ranking"),
            "[tasks.stance.kind] unknown task kind 'ranking' (expected 'multi' or 'single')",
        ),
        (
            lambda d: label_at(d, 0, 2).update(id="Civilian"),
            "[tasks.event_type.labels.2.id] 'Civilian' is not a valid id "
            "(use lowercase letters, digits and _: [a-z][a-z0-9_]*)",
        ),
        (
            lambda d: d["tasks"][1].update(name="2stance"),
            "[tasks.2stance.name] '2stance' is not a valid id "
            "(use lowercase letters, digits and _: [a-z][a-z0-9_]*)",
        ),
        (
            lambda d: label_at(d, 0, 2).update(colour="red"),
            "[tasks.event_type.labels.2] unknown key 'colour'",
        ),
        (lambda d: d.update(owner="x"), "unknown key 'owner'"),
        (
            lambda d: d["tasks"][1].update(name="event_type"),
            "[tasks.1.name] duplicate task name 'event_type'",
        ),
        (
            lambda d: d["tasks"][1].update(field="event_types"),
            "[tasks.stance.field] duplicate field 'event_types' (also the field of task 'event_type')",
        ),
        (
            lambda d: d["tasks"][1].update(name="text"),
            "[tasks.text.name] 'text' is reserved (the kit uses it for other data)",
        ),
        (lambda d: d.update(version=1), "[version] expected a string, got 1 (quote it in YAML)"),
        (lambda d: d.update(version="2"), "[version] unsupported schema version '2' (supported: 1)"),
        (lambda d: label_at(d, 0, 0).pop("display"), "[tasks.event_type.labels.0] missing key 'display'"),
        (
            lambda d: label_at(d, 0, 0).update(display="Preis in $"),
            "[tasks.event_type.labels.0.display] 'Preis in $' contains '$', "
            "which starts a data variable in Label Studio",
        ),
    ],
)
def test_schema_errors_name_the_place(data, mutate, expected):
    mutate(data)
    assert error_of(data) == f"labels/schema.yaml: {expected}"


def test_several_problems_are_counted(data):
    data["tasks"][0]["labels"][0]["colour"] = "red"
    data["tasks"][1]["kind"] = "ranking"
    message = error_of(data)
    assert message.startswith("labels/schema.yaml: [tasks.event_type.labels.0] unknown key 'colour'")
    assert message.endswith("(and 1 more problem)")


def test_schema_must_be_a_mapping():
    with pytest.raises(NewskitError, match=r"^error: x.yaml: expected a mapping"):
        schema_from_data(["tasks"], "x.yaml")


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path):
    path = tmp_path / "schema.yaml"
    path.write_text('name: x\nversion: "1"\ntasks:\n  - name: [unclosed\n', encoding="utf-8")
    with pytest.raises(NewskitError) as caught:
        load_schema(path)
    assert caught.value.message.startswith(f"{path}:5: YAML error: ")


def test_duplicate_yaml_key_is_an_error_not_silently_last_wins(tmp_path: Path):
    path = tmp_path / "schema.yaml"
    path.write_text('name: x\nversion: "1"\nname: y\n', encoding="utf-8")
    with pytest.raises(NewskitError) as caught:
        load_schema(path)
    assert caught.value.message == f"{path}:3: YAML error: duplicate key 'name'"


def test_missing_schema_file(tmp_path: Path):
    with pytest.raises(NewskitError) as caught:
        load_schema(tmp_path / "nope.yaml")
    assert caught.value.message == f"{tmp_path / 'nope.yaml'}: schema file not found"
    assert "--schema" in caught.value.hint


def test_loaded_schema_knows_its_guidelines(repo_root):
    schema = load_schema(repo_root / "labels" / "schema.yaml")
    assert schema.guidelines_path == repo_root / "labels" / "GUIDELINES.md"
    assert (
        schema_from_data(yaml.safe_load((repo_root / "labels" / "schema.yaml").read_text())).source_path
        is None
    )


def test_another_corpus_can_bring_its_own_schema(tmp_path: Path, data):
    other = copy.deepcopy(data)
    other["name"] = "sports"
    other["tasks"] = [
        {
            "name": "sport",
            "field": "sport",
            "kind": "single",
            "title": "Sport",
            "labels": [{"id": "football", "display": "Fußball"}, {"id": "tennis", "display": "Tennis"}],
        }
    ]
    path = tmp_path / "schema.yaml"
    path.write_text(yaml.safe_dump(other, allow_unicode=True), encoding="utf-8")
    schema = load_schema(path)
    assert schema.task("sport").label_ids == ["football", "tennis"]
    assert schema.task("sport").labels[0].hotkey is None


def test_schema_check_cli(run_cli, repo_root):
    code, out, err = run_cli("schema", "check", "--schema", str(repo_root / "labels" / "schema.yaml"))
    assert (code, err) == (0, "")
    assert "OK (2 tasks, 12 labels)" in out


def test_schema_check_cli_error_is_one_line(run_cli, tmp_path, data):
    label_at(data, 0, 3)["id"] = "strike"
    path = tmp_path / "schema.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, out, err = run_cli("schema", "check", "--schema", str(path))
    assert code == 1
    assert err == (
        f"error: {path}: [tasks.event_type.labels.3] duplicate id 'strike' "
        "(hint: fix the schema file; `newskit schema check` validates it)\n"
    )
    assert "Traceback" not in out + err


def test_schema_check_cli_missing_file(run_cli, tmp_path):
    code, _, err = run_cli("schema", "check", "--schema", str(tmp_path / "missing.yaml"))
    assert code == 1
    assert err.count("\n") == 1 and err.startswith(
        f"error: {tmp_path / 'missing.yaml'}: schema file not found"
    )
