"""The labeling page as an annotator sees it, in a headless Debian chromium (markers studio, browser).

Playwright's Python package drives the system chromium; no browser is downloaded. The
screenshot is kept in ``test-artifacts/label_studio_task.png`` (not committed).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newskit.studio.push import push
from tests.browser import labeling_page
from tests.corpus_samples import ARTICLES, SENTENCES, write_small_corpus

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = REPO_ROOT / "labels" / "schema.yaml"
SCREENSHOT = REPO_ROOT / "test-artifacts" / "label_studio_task.png"
pytestmark = [pytest.mark.studio, pytest.mark.browser]


def test_labeling_page_shows_both_tasks_and_the_context(studio_server, chromium, project_title, tmp_path):
    ids = write_small_corpus(tmp_path / "corpus")
    report = push(url=studio_server.url, api_key=studio_server.api_key, project_title=project_title,
                  corpus_dir=tmp_path / "corpus", schema_path=SCHEMA_PATH)  # fmt: skip
    task_id = studio_server.client().list_task_sentence_ids(report.project_id)[ids[1]]

    with labeling_page(studio_server, chromium, report.project_id, task_id) as page:
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        # The innermost block holding the article title and the stance question: the labeling
        # view itself, not the task table beside it (which also shows sentences).
        labeling = (
            page.locator("div", has=page.get_by_text(ARTICLES[0][1], exact=True))
            .filter(has=page.get_by_text("Haltung:"))
            .last
        )
        body = labeling.inner_text()

    title = ARTICLES[0][1]
    previous, sentence = SENTENCES["a1"][0], SENTENCES["a1"][1]
    for expected in (
        "Ereignistyp",
        "Haltung",
        "Angriff aus der Distanz",
        "Kein Kriegsereignis",
        "pro Ukraine",
        "pro Russland",
        title,
        previous,
        sentence,
    ):
        assert expected in body, expected
    assert "source_name" not in body  # the task table's column header: checked text is the labeling view
    assert SCREENSHOT.stat().st_size > 10_000
