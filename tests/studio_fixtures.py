"""Session fixtures for tests against a real Label Studio (marker ``studio``).

One server per test session: Label Studio is installed into its own venv if missing
(``ensure_installed``), a template data folder is built once and kept in pytest's cache
(the first start creates the database in about 50 s; a copy starts in about 6 s), copied
into a temporary folder, and started on a free port of 127.0.0.1. The server is always
stopped at the end of the session, also when tests fail. The template also holds two
annotators, anna and ben, added with ``newskit.studio.users.add_user`` (``annotators``).
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newskit.studio.client import StudioClient
from newskit.studio.server import (
    LABEL_STUDIO_VERSION,
    LOG_FILE,
    PID_FILE,
    VENV_ENV,
    ensure_installed,
    start_server,
    stop_server,
)
from newskit.studio.users import add_user, password_path

REPO_ROOT = Path(__file__).resolve().parent.parent
# People of the template server, added with `newskit studio add-user` (see ``annotators``).
ANNOTATORS = ("anna@example.org", "ben@example.org")


def label_studio_venv() -> Path:
    """Label Studio's venv for the tests: ``$NEWSKIT_LABEL_STUDIO_VENV`` or the project's own."""
    return Path(os.environ.get(VENV_ENV) or REPO_ROOT / ".venv-labelstudio")


def free_port() -> int:
    """A TCP port of 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class StudioServer:
    """The test session's Label Studio: URL, admin credentials, data folder, port."""

    url: str
    api_key: str
    data_dir: Path
    port: int
    email: str
    password: str

    def client(self) -> StudioClient:
        return StudioClient(self.url, self.api_key)

    def restart(self) -> None:
        """Stop the server (if running) and start it again on the same data folder and port."""
        stop_server(self.data_dir)
        start_server(data_dir=self.data_dir, port=self.port, venv_dir=label_studio_venv(), timeout=240)

    def stop(self) -> None:
        stop_server(self.data_dir)


@pytest.fixture(scope="session")
def studio_template(request) -> Path:
    """A stopped Label Studio data folder with an admin user and token, built once and cached."""
    ensure_installed(label_studio_venv(), quiet=True)
    template = Path(request.config.cache.mkdir(f"label-studio-{LABEL_STUDIO_VERSION}-template"))
    ready = ["label_studio.sqlite3", "api_key"] + [str(password_path(Path("."), e)) for e in ANNOTATORS]
    if all((template / name).exists() for name in ready):
        return template
    building = template.with_name(template.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    try:
        info = start_server(data_dir=building, port=free_port(), venv_dir=label_studio_venv(), timeout=300)
        # Setting a password takes Label Studio ~10 s per person: done once here, not per session.
        key = info.api_key_path.read_text(encoding="utf-8").strip()
        for email in ANNOTATORS:
            add_user(email=email, url=info.url, api_key=key, data_dir=building, venv_dir=label_studio_venv())
    finally:
        stop_server(building)
    for name in (PID_FILE, LOG_FILE):
        (building / name).unlink(missing_ok=True)
    shutil.rmtree(template)
    building.rename(template)
    return template


@pytest.fixture(scope="session")
def studio_server(studio_template: Path, tmp_path_factory) -> Iterator[StudioServer]:
    """A running Label Studio for the whole session (stopped at its end, whatever happens)."""
    data_dir = tmp_path_factory.mktemp("labelstudio") / "data"
    shutil.copytree(studio_template, data_dir, symlinks=True)
    port = free_port()
    try:
        info = start_server(data_dir=data_dir, port=port, venv_dir=label_studio_venv(), timeout=240)
        yield StudioServer(
            url=info.url,
            api_key=info.api_key_path.read_text(encoding="utf-8").strip(),
            data_dir=data_dir,
            port=port,
            email=info.email,
            password=info.password_path.read_text(encoding="utf-8").strip(),
        )
    finally:
        stop_server(data_dir)


_titles = itertools.count(1)


@pytest.fixture
def project_title(request) -> str:
    """A project title unique within the session (tests share one server)."""
    return f"{next(_titles)} {request.node.name[5:45]}"  # Label Studio allows 50 characters


@pytest.fixture
def studio_env(studio_server: StudioServer, monkeypatch) -> StudioServer:
    """The session server, with LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY set for CLI calls."""
    monkeypatch.setenv("LABEL_STUDIO_URL", studio_server.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio_server.api_key)
    return studio_server


@dataclass
class Annotator:
    """A person on the session server, added with ``newskit studio add-user``."""

    email: str
    user_id: int
    password: str
    api_key: str  # their own legacy token, read after logging in as them


def login(url: str, email: str, password: str):
    """An httpx client logged in to Label Studio as ``email`` (session cookie and CSRF token)."""
    import httpx

    session = httpx.Client(base_url=url, timeout=60, follow_redirects=True)
    session.get("/user/login/")
    response = session.post(
        "/user/login/",
        data={"email": email, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"{url}/user/login/"},
    )
    assert "/user/login" not in str(response.url), f"{email} could not log in"
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    return session


@pytest.fixture(scope="session")
def annotators(studio_server: StudioServer) -> dict[str, Annotator]:
    """The template's two annotators, anna and ben, with their passwords and API keys."""
    people = {}
    for email in ANNOTATORS:
        password = password_path(studio_server.data_dir, email).read_text(encoding="utf-8").strip()
        session = login(studio_server.url, email, password)
        try:
            token = session.get("/api/current-user/token").json()["token"]
            user_id = session.get("/api/current-user/whoami").json()["id"]
        finally:
            session.close()
        people[email.split("@")[0]] = Annotator(email, user_id, password, token)
    return people
