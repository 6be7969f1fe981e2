"""An annotator opens a task and sees the served model's suggestion (markers studio, browser).

Label Studio asks ``newskit serve`` for a prediction when a task without one is opened; the
labeling page shows it pre-filled, under the model version. The screenshot is kept in
``test-artifacts/label_studio_suggestion.png`` (not committed).
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from newskit.labels.schema import load_schema
from newskit.studio.connect import connect
from newskit.studio.push import push, to_prediction
from newskit.studio.serve import make_server
from tests.browser import labeling_page
from tests.corpus_samples import SENTENCES, write_small_corpus
from tests.studio_fixtures import free_port

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = REPO_ROOT / "labels" / "schema.yaml"
SCREENSHOT = REPO_ROOT / "test-artifacts" / "label_studio_suggestion.png"

pytestmark = [pytest.mark.studio, pytest.mark.browser]


def test_opening_a_task_shows_the_models_suggestion_with_its_version(
    studio_server, chromium, project_title, tmp_path
):
    ids = write_small_corpus(tmp_path / "corpus")
    report = push(url=studio_server.url, api_key=studio_server.api_key, project_title=project_title,
                  corpus_dir=tmp_path / "corpus", schema_path=SCHEMA_PATH)  # fmt: skip
    task_id = studio_server.client().list_task_sentence_ids(report.project_id)[ids[0]]
    server = make_server(run_dir=REPO_ROOT / "training" / "runs" / "baseline", schema_path=SCHEMA_PATH,
                         port=free_port()).start()  # fmt: skip
    try:
        run = server.app.state.live.run
        connect(url=studio_server.url, api_key=studio_server.api_key, project_title=project_title,
                backend_url=server.url, schema_path=SCHEMA_PATH)  # fmt: skip
        assert studio_server.client().list_predictions(report.project_id) == []  # nothing pre-computed
        with labeling_page(studio_server, chromium, report.project_id, task_id) as page:
            page.wait_for_timeout(1500)
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            text = page.inner_text("body")
            checked = page.eval_on_selector_all(
                "input:checked", "nodes => nodes.map(n => n.closest('label')?.innerText || n.value)"
            )
        status = httpx.get(f"{server.url}/status").json()
    finally:
        server.stop()

    expected = to_prediction(
        load_schema(SCHEMA_PATH), run.model_version, run.predict([SENTENCES["a1"][0]])[0]
    )
    assert status["predicted_tasks"] >= 1  # Label Studio asked the server when the task was opened
    stored = studio_server.client().list_predictions(report.project_id)
    # Label Studio may ask twice when a page opens (task list and task); every answer is this model.
    assert {p["model_version"] for p in stored if p["task"] == task_id} == {run.model_version}
    # The suggestion's tab names the model version (shortened in the middle: "baseline…9f6602").
    name, digest = run.model_version.rsplit("-", 1)
    assert re.search(rf"{re.escape(name)}\S*{digest[-6:]}", text), text[:2000]
    # ... and its choices are pre-filled: exactly the model's labels are ticked.
    schema = load_schema(SCHEMA_PATH)
    suggested = {
        schema.task(item["from_name"]).label(label).display
        for item in expected["result"]
        for label in item["value"]["choices"]
    }
    choices = {label.display for task in schema.tasks for label in task.labels}
    ticked = {re.sub(r"\[\w\]$", "", c.strip()) for c in checked}  # the hotkey hint "[1]" follows
    assert suggested and ticked & choices == suggested
