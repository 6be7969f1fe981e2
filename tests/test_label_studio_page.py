"""The labeling page as an annotator sees it, in a headless Debian chromium (markers studio, browser).

Playwright's Python package drives the system chromium; no browser is downloaded. The
screenshot is kept in ``test-artifacts/label_studio_task.png`` (not committed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from newskit.studio.push import push
from tests.corpus_samples import ARTICLES, SENTENCES, write_small_corpus

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = REPO_ROOT / "labels" / "schema.yaml"
SCREENSHOT = REPO_ROOT / "test-artifacts" / "label_studio_task.png"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip

pytestmark = [pytest.mark.studio, pytest.mark.browser]


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium: installed with apt-get when missing and running as root, else skip."""
    if not CHROMIUM.exists() and shutil.which("apt-get") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, check=False)
        subprocess.run(["apt-get", "install", "-y", "chromium"], env=env, capture_output=True, check=False)
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium: apt-get install -y chromium)")
    return CHROMIUM


def test_labeling_page_shows_both_tasks_and_the_context(studio_server, chromium, project_title, tmp_path):
    from playwright.sync_api import sync_playwright

    ids = write_small_corpus(tmp_path / "corpus")
    report = push(url=studio_server.url, api_key=studio_server.api_key, project_title=project_title,
                  corpus_dir=tmp_path / "corpus", schema_path=SCHEMA_PATH)  # fmt: skip
    task_id = studio_server.client().list_task_sentence_ids(report.project_id)[ids[1]]

    with sync_playwright() as playwright:
        # Playwright gives the browser a fresh temporary profile of its own.
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(f"{studio_server.url}/user/login/")
            page.fill("input[name=email]", studio_server.email)
            page.fill("input[name=password]", studio_server.password)
            page.click("button[type=submit], input[type=submit]")
            page.wait_for_url(lambda url: "/user/login" not in url, timeout=60_000)
            page.goto(f"{studio_server.url}/projects/{report.project_id}/data?task={task_id}")
            page.get_by_text("Angriff aus der Distanz").first.wait_for(timeout=90_000)
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
        finally:
            browser.close()

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
