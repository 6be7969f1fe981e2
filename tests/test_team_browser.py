"""Two annotators in a real browser (markers studio, browser): overlap, "Label All Tasks", the task list.

anna and ben (added with ``newskit studio add-user``) label a project whose team settings ask
for two annotators per task, each once through "Label All Tasks" and once by opening a task from
the list, where ben sees anna's annotation and adds his own with "+" instead of updating hers.
``newskit pull`` then has both annotations of every task, each credited to its own annotator.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from newskit.jsonio import read_jsonl
from tests.browser import CHROMIUM_ARGS
from tests.corpus_samples import write_small_corpus

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA = REPO_ROOT / "labels" / "schema.yaml"

pytestmark = [pytest.mark.studio, pytest.mark.browser]


def annotations_of(server, task_id: int) -> list[dict]:
    response = httpx.get(f"{server.url}/api/tasks/{task_id}/annotations/", timeout=60,
                         headers={"Authorization": f"Token {server.api_key}"})  # fmt: skip
    return response.json()


def wait_for_annotations(server, task_id: int, count: int) -> list[dict]:
    deadline = time.monotonic() + 60
    while len(found := annotations_of(server, task_id)) < count:
        assert time.monotonic() < deadline, f"task {task_id} has {len(found)} annotations, not {count}"
        time.sleep(0.5)
    return found


def wait_for_ben(server, tasks: list[int], ben: int) -> int:
    """The task "Label All Tasks" served to ben, once his annotation of it is saved."""
    deadline = time.monotonic() + 60
    while True:
        found = [t for t in tasks if any(a["completed_by"] == ben for a in annotations_of(server, t))]
        if found:
            return found[0]
        assert time.monotonic() < deadline, "ben's annotation through Label All Tasks was not saved"
        time.sleep(0.5)


def test_two_annotators_label_every_task_and_pull_has_both(
    studio_env,
    annotators,
    chromium,
    project_title,
    tmp_path,
    run_cli,
):
    from playwright.sync_api import sync_playwright

    write_small_corpus(tmp_path / "corpus")
    team = tmp_path / "team.yaml"
    team.write_text("overlap:\n  annotators_per_task: 2\n", encoding="utf-8")
    code, out, err = run_cli("push", "--project", project_title, "--corpus", str(tmp_path / "corpus"),
                             "--schema", str(SCHEMA), "--team", str(team), "--limit", "2")  # fmt: skip
    assert code == 0, err
    assert "Overlap: 2 annotators on every task" in out
    client = studio_env.client()
    project_id = client.find_project(project_title)
    tasks = sorted(client.list_task_sentence_ids(project_id).values())
    data = f"{studio_env.url}/projects/{project_id}/data"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:

            def log_in(person):
                page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                page.goto(f"{studio_env.url}/user/login/")
                page.fill("input[name=email]", person.email)
                page.fill("input[name=password]", person.password)
                page.click("button[type=submit], input[type=submit]")
                page.wait_for_url(lambda url: "/user/login" not in url, timeout=60_000)
                return page

            def label_and_submit(page, event_type, stance):
                page.get_by_text(event_type).first.click()
                page.get_by_text(stance).first.click()
                page.get_by_label("Submit current annotation").click()

            def label_all_tasks(page):
                page.goto(data)
                page.get_by_text("Label All Tasks").first.click()
                page.get_by_label("Close modal").click()  # the instructions open first

            anna = log_in(annotators["anna"])
            label_all_tasks(anna)
            label_and_submit(anna, "Angriff aus der Distanz", "pro Ukraine")
            (first,) = wait_for_annotations(studio_env, tasks[0], 1)  # served in corpus order
            anna.goto(f"{data}?task={tasks[1]}")  # from the list: nobody labeled it yet
            label_and_submit(anna, "Folgen für Zivilisten", "neutral")
            wait_for_annotations(studio_env, tasks[1], 1)

            ben = log_in(annotators["ben"])
            label_all_tasks(ben)  # serves a task anna labeled: it wants a second annotator
            label_and_submit(ben, "Diplomatie / Verhandlungen", "pro Russland")
            served = wait_for_ben(studio_env, tasks, annotators["ben"].user_id)
            other = tasks[1] if served == tasks[0] else tasks[0]
            ben.goto(f"{data}?task={other}")
            # From the list, ben sees anna's annotation with an "Update" button: "+" adds his own.
            ben.locator("button", has_text="Update").wait_for(timeout=90_000)
            assert ben.get_by_text("anna@exa").count() >= 1
            ben.get_by_label("Create an annotation").click()
            label_and_submit(ben, "Bodenkämpfe / Front", "pro Russland")
            wait_for_annotations(studio_env, other, 2)
        finally:
            browser.close()

    labels_dir = tmp_path / "labels"
    code, out, err = run_cli("pull", "--project", project_title, "--labels", str(labels_dir),
                             "--schema", str(SCHEMA))  # fmt: skip
    assert (code, err) == (0, "")
    assert "2 tasks, 4 annotations" in out
    rows = list(read_jsonl(labels_dir / "annotations.jsonl"))
    got = {(r["task_id"], r["annotator"]): (r["event_type"], r["stance"], r["status"]) for r in rows}
    assert got == {
        (tasks[0], "anna@example.org"): (["strike"], "pro_ukraine", "current"),
        (tasks[1], "anna@example.org"): (["civilian_impact"], "neutral", "current"),
        (served, "ben@example.org"): (["diplomacy"], "pro_russia", "current"),
        (other, "ben@example.org"): (["ground_combat"], "pro_russia", "current"),
    }
    assert all(r["author"] == r["annotator"] for r in rows)
    assert first["completed_by"] == annotators["anna"].user_id
