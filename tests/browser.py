"""The headless Debian chromium of the browser tests: the fixture and a logged-in labeling page."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


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


@contextmanager
def labeling_page(server, chromium: Path, project_id: int, task_id: int, *, height: int = 1100) -> Iterator:
    """A Playwright page logged in as the server's admin, showing one task's labeling view.

    Waits until the schema's first event label is drawn. Playwright gives the browser a fresh
    temporary profile of its own; the browser is closed on exit.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": height})
            page.goto(f"{server.url}/user/login/")
            page.fill("input[name=email]", server.email)
            page.fill("input[name=password]", server.password)
            page.click("button[type=submit], input[type=submit]")
            page.wait_for_url(lambda url: "/user/login" not in url, timeout=60_000)
            page.goto(f"{server.url}/projects/{project_id}/data?task={task_id}")
            page.get_by_text("Angriff aus der Distanz").first.wait_for(timeout=90_000)
            yield page
        finally:
            browser.close()
