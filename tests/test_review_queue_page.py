"""A review task as the reviewer sees it, in a headless Debian chromium (markers studio, browser).

The screenshot is kept in ``test-artifacts/label_studio_review_task.png`` (not committed).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newskit.jsonio import write_jsonl
from newskit.studio.review_queue import push_review
from tests.browser import labeling_page
from tests.corpus_samples import SENTENCES, write_small_corpus
from tests.test_review_queue import review_rows

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = REPO_ROOT / "labels" / "schema.yaml"
SCREENSHOT = REPO_ROOT / "test-artifacts" / "label_studio_review_task.png"

pytestmark = [pytest.mark.studio, pytest.mark.browser]


def test_the_reviewer_sees_the_note_and_the_suggestion(studio_server, chromium, project_title, tmp_path):
    ids = write_small_corpus(tmp_path / "corpus")
    write_jsonl(tmp_path / "review.jsonl", review_rows(ids))
    report = push_review(url=studio_server.url, api_key=studio_server.api_key, project_title=project_title,
                         review_path=tmp_path / "review.jsonl", corpus_dir=tmp_path / "corpus",
                         schema_path=SCHEMA_PATH)  # fmt: skip
    task_id = studio_server.client().list_task_sentence_ids(report.project_id)[ids[1]]

    with labeling_page(studio_server, chromium, report.project_id, task_id, height=1200) as page:
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        labeling = (
            page.locator("div", has=page.get_by_text("Review:", exact=False))
            .filter(has=page.get_by_text("Welche Position"))
            .last
        )
        body = labeling.inner_text()
        checked = sorted(
            name
            for name in ("Angriff aus der Distanz", "Folgen für Zivilisten", "pro Russland", "neutral")
            if labeling.locator("label", has_text=name).locator("input").first.is_checked()
        )

    assert "Haltung: labeled „pro Russland“, model suggests „neutral“ (rank 1, score 0.970)" in body
    assert "model suggests „Folgen für Zivilisten“" in body
    assert SENTENCES["a1"][1] in body
    # The suggestion is pre-filled: the flagged tasks' suggested labels, nothing else.
    assert checked == ["Folgen für Zivilisten", "neutral"]
    assert SCREENSHOT.stat().st_size > 10_000
