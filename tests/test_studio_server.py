"""Local Label Studio management: secrets, ports, pid files, environment, ``newskit studio up/down``."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from newskit.errors import NewskitError
from newskit.studio import install as studio_install
from newskit.studio import server as studio_server
from newskit.studio.client import StudioClient
from newskit.studio.server import (
    API_KEY_FILE,
    PID_FILE,
    _secret,
    _server_env,
    ensure_installed,
    start_server,
    stop_server,
)


def test_secret_is_created_once_with_mode_0600(tmp_path):
    path = tmp_path / "api_key"
    assert _secret(path, "first") == "first"
    assert _secret(path, "second") == "first"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_busy_port_is_refused_before_anything_starts(tmp_path, monkeypatch):
    monkeypatch.setattr(studio_server, "PORT_RELEASE_WAIT", 0.5)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(NewskitError) as info:
            start_server(data_dir=tmp_path / "ls", port=port)
    assert info.value.one_line() == (
        f"error: port {port} on 127.0.0.1 is already in use "
        "(hint: stop what uses it, or choose another port with --port)"
    )
    assert not (tmp_path / "ls").exists()


def test_stop_without_server_and_with_stale_pid_file(tmp_path):
    assert stop_server(tmp_path) is False
    # A pid that is alive but not Label Studio (this test process) is never signalled.
    (tmp_path / PID_FILE).write_text(f'{{"pid": {os.getpid()}, "port": 1}}\n')
    assert stop_server(tmp_path) is False
    assert not (tmp_path / PID_FILE).exists()
    # Nor is another process whose command line merely mentions label_studio.
    command = [
        sys.executable,
        "-c",
        "import time; time.sleep(30)",
        "tests/test_label_studio_page.py",
        "start",
    ]
    other = subprocess.Popen(command, start_new_session=True)
    try:
        (tmp_path / PID_FILE).write_text(f'{{"pid": {other.pid}, "port": 1}}\n')
        assert stop_server(tmp_path) is False
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()


def test_server_environment_drops_inherited_settings(monkeypatch, tmp_path):
    for name in ("HOST", "PORT", "USERNAME", "PASSWORD", "LABEL_STUDIO_HOST", "HEARTEX_PORT"):
        monkeypatch.setenv(name, "x")
    env = _server_env(tmp_path, "admin@example.com", "pw", "tok")
    assert not {"HOST", "PORT", "USERNAME", "PASSWORD", "LABEL_STUDIO_HOST", "HEARTEX_PORT"} & set(env)
    assert env["LABEL_STUDIO_BASE_DATA_DIR"] == str(tmp_path)
    assert env["LABEL_STUDIO_LATEST_VERSION_CHECK"] == "false"
    assert env["LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN"] == "true"
    assert (env["LABEL_STUDIO_USERNAME"], env["LABEL_STUDIO_PASSWORD"]) == ("admin@example.com", "pw")


def test_failed_install_is_one_clear_error(monkeypatch, tmp_path):
    def failing_run(command, **kwargs):
        return subprocess.CompletedProcess(command, 1, "", "ERROR: No matching distribution found\n")

    monkeypatch.setattr(studio_install.subprocess, "run", failing_run)
    with pytest.raises(NewskitError) as info:
        ensure_installed(tmp_path / "venv", quiet=True)
    assert info.value.message == (
        f"installing Label Studio into {tmp_path / 'venv'} failed: ERROR: No matching distribution found"
    )


def test_studio_down_when_nothing_runs(run_cli, tmp_path):
    code, out, _ = run_cli("studio", "down", "--data-dir", str(tmp_path))
    assert (code, out) == (0, f"No Label Studio was running from {tmp_path}\n")


# -- the session's real server -----------------------------------------------------------------


def _listening_addresses(port: int) -> set[str]:
    """Local addresses listening on ``port`` (from /proc/net/tcp, state 0A = LISTEN)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


@pytest.mark.studio
def test_session_server_listens_on_loopback_only(studio_server):
    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs /proc/net/tcp")
    assert _listening_addresses(studio_server.port) == {"0100007F"}  # 127.0.0.1


@pytest.mark.studio
def test_secrets_are_private_and_never_logged(studio_server):
    data_dir = studio_server.data_dir
    for name in (API_KEY_FILE, "admin_password"):
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600
    log = (data_dir / "label-studio.log").read_text(errors="replace")
    assert studio_server.api_key not in log and studio_server.password not in log


@pytest.mark.studio
def test_studio_up_on_a_running_server_says_so_without_the_key(studio_server, run_cli):
    folder = str(studio_server.data_dir)
    code, out, err = run_cli("studio", "up", "--data-dir", folder, "--port", str(studio_server.port))
    assert code == 0, err
    assert f"Label Studio is already running at {studio_server.url}" in out
    assert f"export LABEL_STUDIO_API_KEY=$(cat {folder}/api_key)" in out
    assert f"Point newskit at it with: export LABEL_STUDIO_URL={studio_server.url}" in out
    assert studio_server.api_key not in out + err and studio_server.password not in out + err


@pytest.mark.studio
def test_a_second_up_with_another_port_or_database_is_refused(studio_server, run_cli):
    folder = str(studio_server.data_dir)
    code, _, err = run_cli("studio", "up", "--data-dir", folder, "--port", "1")
    assert code == 1
    assert err == (
        f"error: Label Studio from {folder} is already running at {studio_server.url} (pid "
        f"{json.loads((studio_server.data_dir / PID_FILE).read_text())['pid']}, database sqlite); "
        f"--port 1 not applied (hint: use that server, or stop it with `newskit studio down --data-dir "
        f"{folder}` and start it again; a second server needs its own --data-dir)\n"
    )
    code, _, err = run_cli("studio", "up", "--data-dir", folder, "--postgres")
    assert code == 1 and "database postgres not applied" in err


@pytest.mark.studio
def test_later_commands_find_the_server_that_studio_up_started(studio_server, run_cli, monkeypatch, tmp_path):
    from tests.corpus_samples import write_small_corpus

    record = json.loads((studio_server.data_dir / PID_FILE).read_text())
    assert record["url"] == studio_server.url and record["database"] == "sqlite"
    assert studio_server.api_key not in json.dumps(record)
    (tmp_path / ".labelstudio").symlink_to(studio_server.data_dir)  # as if `studio up` ran here
    write_small_corpus(tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio_server.api_key)
    schema = str(Path(__file__).resolve().parent.parent / "labels" / "schema.yaml")
    code, out, err = run_cli("push", "--project", "found by record", "--schema", schema)
    assert code == 0, err
    assert f"at {studio_server.url}\n" in out
    # A wrong path is named by the page's title, never pasted.
    code, _, err = run_cli(
        "push", "--url", studio_server.url.removeprefix("http://") + "/labels", "--schema", schema
    )
    assert code == 1 and err.count("\n") == 1 and "<" not in err
    assert err.startswith(
        f"error: Label Studio at {studio_server.url}/labels answered with an HTML page titled "
    )
    assert "(HTTP 404) instead of the API (list projects) (hint: check --url" in err


@pytest.mark.studio
def test_installed_venv_is_reused(studio_server):
    from tests.studio_fixtures import label_studio_venv

    assert (
        ensure_installed(label_studio_venv(), quiet=True)
        == label_studio_venv().absolute() / "bin/label-studio"
    )


@pytest.mark.studio
def test_personal_access_token_works_like_a_legacy_token(studio_server):
    response = httpx.post(
        f"{studio_server.url}/api/token/", headers={"Authorization": f"Token {studio_server.api_key}"}
    )
    if response.status_code == 409:
        pytest.skip("this server's admin already has a personal access token")
    assert response.status_code in (200, 201), response.text
    token = response.json()["token"]
    client = StudioClient(studio_server.url, token)
    assert client.whoami()["email"] == studio_server.email
    assert client.find_project("no such project") is None
