"""``newskit pull``: raw snapshots kept byte for byte, normalized rows, validation, agreement."""

from __future__ import annotations

import json
import os
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newskit.errors import NewskitError
from newskit.jsonio import read_jsonl
from newskit.labels.annotations import rebuild_annotations
from newskit.labels.schema import load_schema
from newskit.labels.snapshots import EDIT_GRACE, normalize_snapshot, slugify, write_snapshot
from newskit.studio.pull import pull
from newskit.studio.push import push
from tests.corpus_samples import write_small_corpus
from tests.fake_studio import FakeStudioClient

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = REPO_ROOT / "labels" / "schema.yaml"
NOW = datetime(2025, 3, 1, 12, 30, 5, tzinfo=UTC)
ROW_KEYS = {
    "sentence_id", "article_id", "text", "annotator", "event_type", "stance", "cancelled", "created_at",
    "updated_at", "lead_time", "task_id", "annotation_id", "project", "snapshot", "author", "status",
    "source",
}  # fmt: skip
SIDECARS = (".users.json", ".source.json")


def choices(name: str, *labels: str) -> dict:
    return {"from_name": name, "to_name": "text", "type": "choices", "value": {"choices": list(labels)}}


@pytest.fixture
def schema():
    return load_schema(SCHEMA_PATH)


@pytest.fixture
def labeled(tmp_path):
    """A fake server with the small corpus pushed and a few annotations by two users."""
    fake = FakeStudioClient()
    write_small_corpus(tmp_path / "corpus")
    report = push(url=fake.url, api_key="k", project_title="Ukraine DE", corpus_dir=tmp_path / "corpus",
                  schema_path=SCHEMA_PATH, client=fake)  # fmt: skip
    ids = fake.list_task_sentence_ids(report.project_id)
    tasks = list(ids.values())
    anna, ben = fake.create_user("anna@example.org"), fake.create_user("ben@example.org")
    both = [choices("event_type", "civilian_impact", "strike"), choices("stance", "pro_ukraine")]
    fake.create_annotation(tasks[0], both, completed_by=anna, lead_time=4.5)
    fake.create_annotation(
        tasks[0], [choices("event_type", "strike"), choices("stance", "neutral")], completed_by=ben
    )
    fake.create_annotation(tasks[1], [], completed_by=ben, was_cancelled=True)
    labels_dir = tmp_path / "labels"
    return fake, labels_dir


def test_slugify():
    assert slugify("Ukraine DE: Runde 2!") == "ukraine-de-runde-2"
    assert slugify("???") == "project"


def test_pull_keeps_raw_export_and_users_and_writes_rows(labeled, schema):
    fake, labels_dir = labeled
    report = pull(url=fake.url, api_key="k", project_title="Ukraine DE", labels_dir=labels_dir,
                  schema_path=SCHEMA_PATH, client=fake, now=NOW)  # fmt: skip
    snapshot = labels_dir / "snapshots" / "20250301T123005Z__ukraine-de.json"
    assert report.snapshot == snapshot
    assert snapshot.read_bytes() == fake.export_json(1)
    users = json.loads((labels_dir / "snapshots" / "20250301T123005Z__ukraine-de.users.json").read_text())
    assert users == {"1": "admin@example.com", "2": "anna@example.org", "3": "ben@example.org"}
    assert (report.tasks, report.annotations, report.rows) == (5, 3, 3)
    rows = list(read_jsonl(labels_dir / "annotations.jsonl"))
    assert all(set(r) == ROW_KEYS for r in rows)
    by_id = {r["annotation_id"]: r for r in rows}
    assert sorted(by_id) == [1, 2, 3]
    assert by_id[1]["annotator"] == "anna@example.org"
    assert by_id[1]["event_type"] == ["strike", "civilian_impact"]  # schema order, not click order
    assert (by_id[1]["stance"], by_id[1]["lead_time"], by_id[1]["cancelled"]) == ("pro_ukraine", 4.5, False)
    assert (by_id[2]["annotator"], by_id[2]["event_type"], by_id[2]["stance"]) == (
        "ben@example.org",
        ["strike"],
        "neutral",
    )
    assert (by_id[3]["cancelled"], by_id[3]["event_type"], by_id[3]["stance"]) == (True, [], None)
    export = json.loads(snapshot.read_bytes())
    assert {(t["id"], t["data"]["sentence_id"]) for t in export if t["annotations"]} == {
        (r["task_id"], r["sentence_id"]) for r in rows
    }
    assert {r["project"] for r in rows} == {"ukraine-de"}
    assert {r["source"] for r in rows} == {"http://fake-studio/projects/1"}
    assert {r["status"] for r in rows} == {"current"} and all(r["author"] == r["annotator"] for r in rows)
    source = json.loads(snapshot.with_name("20250301T123005Z__ukraine-de.source.json").read_text())
    assert source == {"url": "http://fake-studio", "project_id": 1, "project_title": "Ukraine DE",
                      "drop_deleted": False}  # fmt: skip
    assert {r["snapshot"] for r in rows} == {"snapshots/20250301T123005Z__ukraine-de.json"}


def test_snapshots_are_never_overwritten_and_the_newest_wins(labeled, schema):
    fake, labels_dir = labeled
    options = dict(url=fake.url, api_key="k", project_title="Ukraine DE", labels_dir=labels_dir,
                   schema_path=SCHEMA_PATH, client=fake, now=NOW)  # fmt: skip
    first = pull(**options)
    before = first.snapshot.read_bytes()
    fake.create_annotation(5, [choices("event_type", "diplomacy"), choices("stance", "neutral")])
    second = pull(**options)
    assert second.snapshot.name == "20250301T123005Z__ukraine-de.2.json"
    assert (labels_dir / "snapshots" / "20250301T123005Z__ukraine-de.2.users.json").exists()
    assert first.snapshot.read_bytes() == before
    rows = list(read_jsonl(labels_dir / "annotations.jsonl"))
    assert len(rows) == 4 and {r["snapshot"] for r in rows} == {
        "snapshots/20250301T123005Z__ukraine-de.2.json"
    }
    assert sorted(p.name for p in (labels_dir / "snapshots").iterdir()) == [
        "20250301T123005Z__ukraine-de.2.json",
        "20250301T123005Z__ukraine-de.2.source.json",
        "20250301T123005Z__ukraine-de.2.users.json",
        "20250301T123005Z__ukraine-de.json",
        "20250301T123005Z__ukraine-de.source.json",
        "20250301T123005Z__ukraine-de.users.json",
    ]


def test_unknown_label_stops_after_the_snapshot_is_saved(labeled):
    fake, labels_dir = labeled
    fake.create_annotation(
        4, [choices("stance", "pro_ukraine", "neutral"), choices("event_type", "shelling")]
    )
    with pytest.raises(NewskitError) as info:
        pull(url=fake.url, api_key="k", project_title="Ukraine DE", labels_dir=labels_dir,
             schema_path=SCHEMA_PATH, client=fake, now=NOW)  # fmt: skip
    snapshot = labels_dir / "snapshots" / "20250301T123005Z__ukraine-de.json"
    assert snapshot.read_bytes() == fake.export_json(1)
    assert info.value.message == (
        f"{snapshot}: 2 problem(s) with the labels of schema 'ukraine-war-de': "
        "task 4 annotation 4: result[0]: task 'stance' takes one label, got 2; "
        "task 4 annotation 4: result[1]: unknown label(s) 'shelling' for task 'event_type'"
    )
    assert "the snapshot is saved unchanged" in info.value.hint
    assert not (labels_dir / "annotations.jsonl").exists()


def test_rebuild_takes_all_snapshots_per_project_in_stable_order(tmp_path, schema):
    labels_dir = tmp_path / "labels"

    def export(task_id, sentence_id, annotation_id, label):
        annotation = {"id": annotation_id, "completed_by": 7, "result": [choices("stance", label)]}
        return json.dumps(
            [{"id": task_id, "data": {"sentence_id": sentence_id}, "annotations": [annotation]}]
        ).encode()

    write_snapshot(labels_dir, "B", export(1, "x:0-1", 1, "neutral"), {7: "b@example.org"}, NOW)
    write_snapshot(labels_dir, "A", export(1, "y:0-1", 1, "neutral"), {}, NOW)
    write_snapshot(labels_dir, "A", export(1, "y:0-1", 2, "pro_russia"), {}, NOW.replace(second=9))
    first = rebuild_annotations(labels_dir, schema).path.read_bytes()
    rows = list(read_jsonl(labels_dir / "annotations.jsonl"))
    assert [(r["project"], r["sentence_id"], r["stance"], r["annotator"], r["status"]) for r in rows] == [
        ("a", "y:0-1", "neutral", "label-studio-user-7", "deleted"),  # not in A's newer snapshot: kept
        ("a", "y:0-1", "pro_russia", "label-studio-user-7", "current"),
        ("b", "x:0-1", "neutral", "b@example.org", "current"),
    ]
    assert {r["source"] for r in rows} == {"legacy:a", "legacy:b"}  # no source sidecar: grouped by slug
    assert rebuild_annotations(labels_dir, schema).path.read_bytes() == first


def test_task_without_sentence_id_is_an_error(tmp_path, schema):
    raw = json.dumps([{"id": 9, "data": {"text": "x"}, "annotations": []}]).encode()
    snapshot = write_snapshot(tmp_path, "p", raw, {}, NOW)
    with pytest.raises(NewskitError, match=r"task 9: no data.sentence_id"):
        normalize_snapshot(snapshot, schema)


def test_stray_file_in_snapshots_is_an_error(tmp_path, schema):
    (tmp_path / "snapshots").mkdir()
    (tmp_path / "snapshots" / "export.json").write_text("[]")
    with pytest.raises(NewskitError, match="unexpected file name"):
        rebuild_annotations(tmp_path, schema)


def test_failed_snapshot_write_leaves_nothing_half_written(tmp_path, monkeypatch):
    def broken_link(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "link", broken_link)
    with pytest.raises(OSError):
        write_snapshot(tmp_path, "p", b"[]", {}, NOW)
    assert list((tmp_path / "snapshots").iterdir()) == []


def test_missing_project_is_an_error(tmp_path):
    fake = FakeStudioClient()
    with pytest.raises(NewskitError) as info:
        pull(url=fake.url, api_key="k", project_title="nope", labels_dir=tmp_path, schema_path=SCHEMA_PATH,
             client=fake)  # fmt: skip
    assert info.value.message == "Label Studio at http://fake-studio has no project titled 'nope'"


def test_unreachable_server_through_the_cli(run_cli, monkeypatch, tmp_path):
    key = "f" * 40
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", key)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    code, out, err = run_cli("pull", "--url", url, "--labels", str(tmp_path), "--schema", str(SCHEMA_PATH))
    assert code == 1
    assert err.startswith(f"error: cannot reach Label Studio at {url} (list projects) (hint: is it running?")
    assert err.count("\n") == 1 and "Traceback" not in err and key not in err + out
    assert list(tmp_path.iterdir()) == []


def test_projects_are_told_apart_by_server_and_id_not_by_title_slug(labeled, schema):
    fake, labels_dir = labeled
    options = dict(api_key="k", labels_dir=labels_dir, schema_path=SCHEMA_PATH, now=NOW)
    pull(url=fake.url, project_title="Ukraine DE", client=fake, **options)
    # A second project whose title has the same slug, on the same server ...
    other_id = fake.create_project("ukraine-de", fake.project_config(1))
    task = fake.import_tasks(other_id, [{"data": {"sentence_id": "z:0-1", "text": "x"}}])[0]
    fake.create_annotation(task, [choices("stance", "neutral")], completed_by=2)
    second = pull(url=fake.url, project_title="ukraine-de", client=fake, **options)
    assert (second.snapshot.name, second.rows) == ("20250301T123005Z__ukraine-de.2.json", 4)
    # ... and the first project's title on another server: each pull adds.
    elsewhere = FakeStudioClient(url="http://other-studio")
    elsewhere.create_project("Ukraine DE", fake.project_config(1))
    task = elsewhere.import_tasks(1, [{"data": {"sentence_id": "w:0-1", "text": "y"}}])[0]
    elsewhere.create_annotation(task, [choices("stance", "pro_russia")])
    third = pull(url=elsewhere.url, project_title="Ukraine DE", client=elsewhere, **options)
    assert third.rows == 5 and third.warnings == []
    rows = list(read_jsonl(labels_dir / "annotations.jsonl"))
    assert sorted({r["source"] for r in rows}) == [
        "http://fake-studio/projects/1", "http://fake-studio/projects/2", "http://other-studio/projects/1",
    ]  # fmt: skip
    assert (
        rebuild_annotations(labels_dir, schema).path.read_bytes()
        == (labels_dir / "annotations.jsonl").read_bytes()
    )


def test_deleted_annotations_are_kept_and_said_unless_dropped(labeled):
    fake, labels_dir = labeled
    options = dict(url=fake.url, api_key="k", project_title="Ukraine DE", labels_dir=labels_dir,
                   schema_path=SCHEMA_PATH, client=fake, now=NOW)  # fmt: skip
    assert pull(**options).rows == 3
    fake.delete_annotation(2)
    kept = pull(**options)
    assert (kept.annotations, kept.rows, kept.deleted_kept) == (2, 3, 1)
    assert kept.warnings == [
        "1 annotation(s) of project 'Ukraine DE' are no longer on the server (deleted there); kept from "
        "earlier snapshots (pull with --drop-deleted to drop them)"
    ]
    by_id = {r["annotation_id"]: r for r in read_jsonl(labels_dir / "annotations.jsonl")}
    assert (by_id[2]["status"], by_id[2]["annotator"], by_id[2]["snapshot"]) == (
        "deleted", "ben@example.org", "snapshots/20250301T123005Z__ukraine-de.json",
    )  # fmt: skip
    dropped = pull(**options, drop_deleted=True)
    assert (dropped.rows, dropped.deleted_kept, dropped.deleted_dropped) == (2, 0, 1)
    assert "dropped 1 annotation(s)" in dropped.warnings[0]
    assert pull(**options).rows == 2  # the choice is recorded beside that snapshot: later pulls agree


def test_a_result_someone_else_saved_is_theirs_and_the_authors_is_kept(labeled):
    fake, labels_dir = labeled
    options = dict(url=fake.url, api_key="k", project_title="Ukraine DE", labels_dir=labels_dir,
                   schema_path=SCHEMA_PATH, client=fake, now=NOW)  # fmt: skip
    fake.edit_annotation(
        3, [choices("stance", "neutral")], by=2, at="2025-01-01T00:05:00Z"
    )  # before any pull
    first = pull(**options)
    ben_result = [choices("event_type", "diplomacy"), choices("stance", "pro_russia")]
    fake.edit_annotation(1, ben_result, by=3, at="2025-01-01T00:10:00Z")  # ben changes anna's annotation
    second = pull(**options)
    assert first.warnings == [
        "annotation 3 (task 2) by ben@example.org was changed by anna@example.org: its result is credited "
        "to anna@example.org; ben@example.org's own result is lost: no earlier snapshot holds it"
    ]
    assert second.warnings[0] == (
        "annotation 1 (task 1) by anna@example.org was changed by ben@example.org: its result is credited "
        "to ben@example.org; anna@example.org's own result is kept from "
        "snapshots/20250301T123005Z__ukraine-de.json"
    )
    rows = [r for r in read_jsonl(labels_dir / "annotations.jsonl") if r["annotation_id"] == 1]
    assert [(r["annotator"], r["author"], r["status"], r["event_type"], r["stance"]) for r in rows] == [
        ("anna@example.org", "anna@example.org", "overwritten", ["strike", "civilian_impact"], "pro_ukraine"),
        ("ben@example.org", "anna@example.org", "current", ["diplomacy"], "pro_russia"),
    ]
    assert second.rows == 4


# -- against a real Label Studio ---------------------------------------------------------------

# Designed labels on the five sentences of the small corpus: (event types, stance) per annotator.
# Stance on the four sentences both labeled: anna [pu, n, n, n], ben [pu, n, pu, n]:
# observed 3/4, expected 1/4·2/4 + 3/4·2/4 = 1/2, so Cohen's kappa = (3/4 - 1/2) / (1 - 1/2) = 0.5.
# Event types: exact sets agree on 2 of 4; Jaccard 1/2, 1, 0, 1 → mean 0.625; "strike" as yes/no:
# anna [1, 0, 0, 0], ben [1, 0, 1, 0] → kappa 0.5 as for stance.
DESIGN = {
    "anna": [
        (["strike"], "pro_ukraine"),
        (["civilian_impact"], "neutral"),
        (["none"], "neutral"),
        (["diplomacy"], "neutral"),
        (["diplomacy", "aid_support"], "pro_russia"),
    ],
    "ben": [
        (["strike", "civilian_impact"], "pro_ukraine"),
        (["civilian_impact"], "neutral"),
        (["strike"], "pro_ukraine"),
        (["diplomacy"], "neutral"),
        None,  # skipped: a cancelled annotation
    ],
}


@pytest.mark.studio
def test_annotations_round_trip_through_label_studio(studio_env, project_title, tmp_path, run_cli, schema):
    client = studio_env.client()
    ids = write_small_corpus(tmp_path / "corpus")
    code, _, err = run_cli("push", "--project", project_title, "--corpus", str(tmp_path / "corpus"),
                           "--schema", str(SCHEMA_PATH))  # fmt: skip
    assert code == 0, err
    project_id = client.find_project(project_title)
    task_of = client.list_task_sentence_ids(project_id)
    suffix = project_title.split()[0]
    users = {name: client.create_user(f"{name}.{suffix}@example.org") for name in DESIGN}
    expected = {}
    for name, labels in DESIGN.items():
        for sentence_id, answer in zip(ids, labels, strict=True):
            if answer is None:
                result, cancelled = [], True
            else:
                result = [choices("event_type", *answer[0]), choices("stance", answer[1])]
                cancelled = False
            annotation_id = client.create_annotation(task_of[sentence_id], result, completed_by=users[name],
                                                     lead_time=2.0, was_cancelled=cancelled)  # fmt: skip
            event_types = (
                [] if answer is None else [x for x in schema.task("event_type").label_ids if x in answer[0]]
            )
            stance = None if answer is None else answer[1]
            email = f"{name}.{suffix}@example.org"
            expected[annotation_id] = (
                sentence_id,
                task_of[sentence_id],
                email,
                event_types,
                stance,
                cancelled,
            )

    labels_dir = tmp_path / "labels"
    code, out, err = run_cli("pull", "--project", project_title, "--labels", str(labels_dir),
                             "--schema", str(SCHEMA_PATH))  # fmt: skip
    assert code == 0, err
    assert "5 tasks, 10 annotations" in out
    rows = list(read_jsonl(labels_dir / "annotations.jsonl"))
    got = {r["annotation_id"]: (r["sentence_id"], r["task_id"], r["annotator"], r["event_type"], r["stance"],
                                r["cancelled"]) for r in rows}  # fmt: skip
    assert got == expected
    assert all(r["lead_time"] == 2.0 and r["created_at"] and r["updated_at"] for r in rows)
    (snapshot,) = [p for p in (labels_dir / "snapshots").iterdir() if not p.name.endswith(SIDECARS)]
    assert len(json.loads(snapshot.read_bytes())) == 5
    users_file = json.loads(snapshot.with_suffix(".users.json").read_text())
    assert {users_file[str(uid)] for uid in users.values()} == {f"{n}.{suffix}@example.org" for n in DESIGN}

    from newskit.labels.agreement import compute_agreement

    agreement = compute_agreement(rows, schema)
    assert agreement["annotations"]["cancelled"] == 1
    (stance_pair,) = agreement["tasks"]["stance"]["pairs"]
    assert (stance_pair["items"], stance_pair["kappa"]) == (4, 0.5)
    event = agreement["tasks"]["event_type"]
    assert (event["exact_set_agreement"]["value"], event["mean_jaccard"]["value"]) == (0.5, 0.625)
    assert event["labels"]["strike"]["mean_kappa"]["value"] == 0.5


@pytest.mark.studio
def test_unknown_label_from_the_server_keeps_the_snapshot(studio_server, project_title, tmp_path, schema):
    client = studio_server.client()
    write_small_corpus(tmp_path / "corpus")
    push(url=studio_server.url, api_key=studio_server.api_key, project_title=project_title,
         corpus_dir=tmp_path / "corpus", schema_path=SCHEMA_PATH)  # fmt: skip
    project_id = client.find_project(project_title)
    task_id = min(client.list_task_sentence_ids(project_id).values())
    client.create_annotation(task_id, [choices("event_type", "strike"), choices("stance", "hawkish")])
    labels_dir = tmp_path / "labels"
    with pytest.raises(NewskitError) as info:
        pull(url=studio_server.url, api_key=studio_server.api_key, project_title=project_title,
             labels_dir=labels_dir, schema_path=SCHEMA_PATH)  # fmt: skip
    (snapshot,) = [p for p in (labels_dir / "snapshots").iterdir() if not p.name.endswith(SIDECARS)]
    assert info.value.message.startswith(f"{snapshot}: 1 problem(s) with the labels")
    assert (
        f"task {task_id} annotation" in info.value.message
        and "unknown label(s) 'hawkish'" in info.value.message
    )
    assert json.loads(snapshot.read_bytes())[0]["annotations"][0]["result"][1]["value"]["choices"] == [
        "hawkish"
    ]


@pytest.mark.studio
def test_real_server_edit_by_another_user_and_a_deletion_lose_nothing(
    studio_env, annotators, project_title, tmp_path, run_cli
):
    import httpx

    ids = write_small_corpus(tmp_path / "corpus")
    push(url=studio_env.url, api_key=studio_env.api_key, project_title=project_title,
         corpus_dir=tmp_path / "corpus", schema_path=SCHEMA_PATH)  # fmt: skip
    client = studio_env.client()
    task_of = client.list_task_sentence_ids(client.find_project(project_title))
    anna, ben = annotators["anna"], annotators["ben"]

    def as_user(person, method, path, **json_body):
        response = httpx.request(method, f"{studio_env.url}{path}", json=json_body or None, timeout=60,
                                 headers={"Authorization": f"Token {person.api_key}"})  # fmt: skip
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    annas = [choices("event_type", "strike"), choices("stance", "pro_ukraine")]
    first = as_user(anna, "POST", f"/api/tasks/{task_of[ids[0]]}/annotations/", result=annas)
    doomed = as_user(ben, "POST", f"/api/tasks/{task_of[ids[1]]}/annotations/", result=annas)
    labels_dir = tmp_path / "labels"
    args = ("pull", "--project", project_title, "--labels", str(labels_dir), "--schema", str(SCHEMA_PATH))
    code, out, err = run_cli(*args)
    assert (code, err) == (0, "")
    (earlier,) = [p.name for p in (labels_dir / "snapshots").glob("*.json") if not p.name.endswith(SIDECARS)]

    # Community edition: no roles. ben sees the project and may change anyone's annotation; the
    # export keeps anna as its author.
    assert project_title in [p["title"] for p in as_user(ben, "GET", "/api/projects/")["results"]]
    bens = [choices("event_type", "diplomacy"), choices("stance", "neutral")]
    # A save within EDIT_GRACE of creation counts as made on the author's behalf; a person's
    # edit comes later. Wait it out, so a fast machine tests the same case as a slow one.
    time.sleep(EDIT_GRACE.total_seconds() + 0.5)
    as_user(ben, "PATCH", f"/api/annotations/{first['id']}/", result=bens)
    as_user(anna, "DELETE", f"/api/annotations/{doomed['id']}/")
    code, out, err = run_cli(*args)
    assert code == 0, err
    assert err.splitlines() == [
        f"warning: 1 annotation(s) of project {project_title!r} are no longer on the server (deleted there); "
        "kept from earlier snapshots (pull with --drop-deleted to drop them)",
        f"warning: annotation {first['id']} (task {task_of[ids[0]]}) by anna@example.org was changed by "
        "ben@example.org: its result is credited to ben@example.org; anna@example.org's own result is kept "
        f"from snapshots/{earlier}",
    ]
    rows = {(r["annotation_id"], r["annotator"]): r for r in read_jsonl(labels_dir / "annotations.jsonl")}
    assert {key: (r["status"], r["author"], r["stance"]) for key, r in rows.items()} == {
        (first["id"], "anna@example.org"): ("overwritten", "anna@example.org", "pro_ukraine"),
        (first["id"], "ben@example.org"): ("current", "anna@example.org", "neutral"),
        (doomed["id"], "ben@example.org"): ("deleted", "ben@example.org", "pro_ukraine"),
    }

    code, out, err = run_cli(*args, "--drop-deleted")
    assert code == 0 and "(2 annotations from all projects)" in out
    assert err.startswith(f"warning: dropped 1 annotation(s) of project {project_title!r}")
