"""``labels/team.yaml``: overlap settings, validated, applied to the project by ``push``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newskit.errors import NewskitError
from newskit.labels.team import Overlap, load_team_settings
from newskit.studio.push import push
from tests.corpus_samples import write_small_corpus
from tests.fake_studio import FakeStudioClient

REPO_ROOT = Path(__file__).resolve().parent.parent
FIELDS = ("maximum_annotations", "overlap_cohort_percentage", "show_overlap_first")


def test_shipped_team_file_asks_for_two_annotators_on_a_fifth_of_the_tasks():
    team = load_team_settings(REPO_ROOT / "labels" / "team.yaml")
    assert team is not None
    assert team.overlap.project_settings() == {
        "maximum_annotations": 2,
        "overlap_cohort_percentage": 20,
        "show_overlap_first": True,
    }
    assert team.overlap.describe() == "2 annotators on 20% of tasks (shared tasks first), 1 on the rest"


def test_missing_file_leaves_the_project_alone(tmp_path):
    assert load_team_settings(tmp_path / "team.yaml") is None


def test_descriptions():
    assert Overlap().describe() == "1 annotator per task"
    assert Overlap(annotators_per_task=3).describe() == "3 annotators on every task"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("overlap:\n  share_percent: 120\n", "[overlap.share_percent] Input should be less than or equal"),
        ("overlap:\n  annotators_per_task: 0\n", "[overlap.annotators_per_task] Input should be greater"),
        ("overlap:\n  annotators: 2\n", "[overlap.annotators] Extra inputs are not permitted"),
        ("overlap:\n  overlap_first: maybe\n", "[overlap.overlap_first] Input should be a valid boolean"),
        ("- 2\n", "expected a mapping with the key overlap"),
    ],
)
def test_errors_name_the_key(tmp_path, text, message):
    path = tmp_path / "team.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NewskitError) as info:
        load_team_settings(path)
    assert info.value.message.startswith(f"{path}: ")
    assert message in info.value.message


def labels_folder(tmp_path: Path) -> Path:
    """A labels folder with the shipped schema and guidelines, and no team.yaml."""
    write_small_corpus(tmp_path / "corpus")
    labels = tmp_path / "labels"
    labels.mkdir()
    for name in ("schema.yaml", "GUIDELINES.md"):
        shutil.copy(REPO_ROOT / "labels" / name, labels / name)
    return labels


def test_push_creates_with_overlap_and_a_repush_updates_it(tmp_path):
    labels = labels_folder(tmp_path)
    fake = FakeStudioClient()
    options = dict(url=fake.url, api_key="k", corpus_dir=tmp_path / "corpus", client=fake)

    report = push(schema_path=labels / "schema.yaml", **options)  # no team.yaml: Label Studio's default
    assert report.overlap is None
    assert fake.project_settings(report.project_id, FIELDS)["maximum_annotations"] == 1

    (labels / "team.yaml").write_text("overlap:\n  annotators_per_task: 3\n", encoding="utf-8")
    report = push(schema_path=labels / "schema.yaml", **options)
    assert (report.overlap, report.overlap_changed) == ("3 annotators on every task", True)
    assert fake.project_settings(report.project_id, FIELDS) == dict(zip(FIELDS, (3, 100, False), strict=True))
    assert push(schema_path=labels / "schema.yaml", **options).overlap_changed is False


@pytest.mark.studio
def test_overlap_reaches_the_real_project_and_a_repush_changes_it(
    studio_env, project_title, tmp_path, run_cli
):
    labels = labels_folder(tmp_path)
    shutil.copy(REPO_ROOT / "labels" / "team.yaml", labels / "team.yaml")
    args = ("push", "--project", project_title, "--corpus", str(tmp_path / "corpus"),
            "--schema", str(labels / "schema.yaml"))  # fmt: skip
    code, out, err = run_cli(*args)
    assert code == 0, err
    assert "Overlap: 2 annotators on 20% of tasks (shared tasks first), 1 on the rest" in out
    client = studio_env.client()
    project_id = client.find_project(project_title)
    assert client.project_settings(project_id, FIELDS) == dict(zip(FIELDS, (2, 20, True), strict=True))

    (labels / "team.yaml").write_text("overlap:\n  annotators_per_task: 2\n  share_percent: 100\n", "utf-8")
    code, out, err = run_cli(*args)
    assert code == 0, err
    assert "Overlap: 2 annotators on every task (updated)" in out
    assert client.project_settings(project_id, FIELDS) == dict(zip(FIELDS, (2, 100, False), strict=True))
