"""Install, start and stop a local Label Studio for users who have none (``newskit studio up/down``).

Label Studio pins versions of Django, pyarrow and its SDK that clash with ours, so it runs
from its own virtual environment (``.venv-labelstudio/``, or ``$NEWSKIT_LABEL_STUDIO_VENV``)
as a separate process bound to 127.0.0.1. Its data folder (default ``.labelstudio/``) holds
the database, the administrator's API key and password (files with mode 0600, never
printed), the pid file and the server log.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from newskit.errors import NewskitError
from newskit.studio.install import LABEL_STUDIO_VERSION, VENV_ENV, default_venv_dir, ensure_installed

__all__ = [
    "LABEL_STUDIO_VERSION",
    "VENV_ENV",
    "ServerInfo",
    "default_venv_dir",
    "ensure_installed",
    "start_server",
    "stop_server",
]

DEFAULT_DATA_DIR = Path(".labelstudio")
DEFAULT_EMAIL = "admin@example.com"
API_KEY_FILE = "api_key"
PASSWORD_FILE = "admin_password"
PID_FILE = "label-studio.pid"
LOG_FILE = "label-studio.log"
PORT_RELEASE_WAIT = 10.0  # seconds a just-stopped server may keep its port
# Variables Label Studio reads with or without a prefix: inherited values would change its
# port, host or admin user behind our back (HOST, PORT, USERNAME, PASSWORD, ...).
_LS_ENV_NAMES = ("HOST", "PORT", "USERNAME", "PASSWORD", "USER_TOKEN", "BASE_DATA_DIR")


@dataclass(frozen=True)
class ServerInfo:
    """A running local Label Studio. The API key is in ``api_key_path``, never in this object."""

    url: str
    port: int
    pid: int
    data_dir: Path
    email: str
    already_running: bool = False

    @property
    def api_key_path(self) -> Path:
        return self.data_dir / API_KEY_FILE

    @property
    def password_path(self) -> Path:
        return self.data_dir / PASSWORD_FILE

    @property
    def log_path(self) -> Path:
        return self.data_dir / LOG_FILE


def _write_secret(path: Path, value: str) -> None:
    """Write a secret readable by its owner only (0600), created exclusively."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")


def _secret(path: Path, make: str) -> str:
    """The secret stored at ``path``, created from ``make`` if absent (Label Studio only applies
    the admin user and token when its database is first created, so they are never changed)."""
    if not path.exists():
        _write_secret(path, make)
    return path.read_text(encoding="utf-8").strip()


def _read_pid_file(data_dir: Path) -> dict | None:
    try:
        record = json.loads((data_dir / PID_FILE).read_text(encoding="utf-8"))
        return record if isinstance(record, dict) and isinstance(record.get("pid"), int) else None
    except (OSError, ValueError):
        return None


def _is_label_studio(pid: int) -> bool:
    """True if ``pid`` is alive, is not this process, and (where /proc tells) runs ``label-studio``."""
    if pid <= 1 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():
        return True
    try:
        arguments = cmdline.read_bytes().split(b"\0")
    except OSError:
        return False
    return any(Path(os.fsdecode(a)).name == "label-studio" for a in arguments) and b"start" in arguments


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Like the server itself: connections of a stopped server in TIME_WAIT do not block it.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_for_free_port(port: int, seconds: float) -> bool:
    """True once ``port`` is free; a server stopped a moment ago may still hold it briefly."""
    deadline = time.monotonic() + seconds
    while not _port_is_free(port):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.25)
    return True


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def label_studio_env(data_dir: Path) -> dict[str, str]:
    """The environment for a ``label-studio`` command on ``data_dir``: ours without the variables
    it would read behind our back, plus its data folder."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in _LS_ENV_NAMES
        and not k.startswith(("LABEL_STUDIO_", "HEARTEX_"))
        and k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
    }
    env.update(LABEL_STUDIO_BASE_DATA_DIR=str(data_dir), LABEL_STUDIO_LATEST_VERSION_CHECK="false")
    return env


def _server_env(data_dir: Path, email: str, password: str, token: str) -> dict[str, str]:
    env = label_studio_env(data_dir)
    # Credentials go through the environment, not the command line: `ps` shows arguments.
    env.update(
        LABEL_STUDIO_USERNAME=email,
        LABEL_STUDIO_PASSWORD=password,
        LABEL_STUDIO_USER_TOKEN=token,
        LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true",
        # Only people added with `studio add-user` or the organization's invite link get an account.
        LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK="true",
    )
    return env


def start_server(
    *,
    data_dir: Path = DEFAULT_DATA_DIR,
    port: int = 8080,
    venv_dir: Path | None = None,
    email: str = DEFAULT_EMAIL,
    timeout: float = 300.0,
) -> ServerInfo:
    """Start Label Studio on 127.0.0.1:``port`` with its data in ``data_dir``; wait until it is healthy.

    A fresh data folder gets an administrator ``email`` with a generated password and API key
    (legacy token), stored in the data folder with mode 0600. If a server from this data folder
    is already running, its details are returned (``already_running=True``).
    """
    data_dir = Path(data_dir).absolute()
    running = _read_pid_file(data_dir)
    if running and _is_label_studio(running["pid"]):
        url = f"http://127.0.0.1:{running['port']}"
        if _healthy(url):
            stored_email = running.get("email", email)
            return ServerInfo(
                url, running["port"], running["pid"], data_dir, stored_email, already_running=True
            )
    if not _wait_for_free_port(port, seconds=PORT_RELEASE_WAIT):
        raise NewskitError(
            f"port {port} on 127.0.0.1 is already in use",
            "stop what uses it, or choose another port with --port",
        )
    executable = ensure_installed(venv_dir)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = _secret(data_dir / API_KEY_FILE, secrets.token_hex(20))
    password = _secret(data_dir / PASSWORD_FILE, secrets.token_urlsafe(18))
    command = [str(executable), "start", "--no-browser", "--internal-host", "127.0.0.1",
               "--port", str(port), "--enable-legacy-api-token"]  # fmt: skip
    with (data_dir / LOG_FILE).open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=data_dir,
            env=_server_env(data_dir, email, password, token),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: `down` stops it and its children
        )
    (data_dir / PID_FILE).write_text(
        json.dumps({"pid": process.pid, "port": port, "email": email}) + "\n", encoding="utf-8"
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while not _healthy(url):
        if process.poll() is not None:
            (data_dir / PID_FILE).unlink(missing_ok=True)
            raise NewskitError(
                f"Label Studio exited while starting (exit code {process.returncode})",
                f"see its log: {data_dir / LOG_FILE}",
            )
        if time.monotonic() > deadline:
            stop_server(data_dir)
            raise NewskitError(
                f"Label Studio did not answer on {url}/health within {timeout:.0f} s",
                f"see its log: {data_dir / LOG_FILE}",
            )
        time.sleep(0.5)
    return ServerInfo(url, port, process.pid, data_dir, email)


def stop_server(data_dir: Path = DEFAULT_DATA_DIR, *, timeout: float = 20.0) -> bool:
    """Stop the Label Studio started from ``data_dir`` (SIGTERM, SIGKILL after ``timeout``).

    Returns True if a server was stopped, False if none was running.
    """
    data_dir = Path(data_dir).absolute()
    record = _read_pid_file(data_dir)
    pid_file = data_dir / PID_FILE
    if record is None or not _is_label_studio(record["pid"]):
        pid_file.unlink(missing_ok=True)
        return False
    pid = record["pid"]
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _group_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _group_alive(pid):
        _signal_group(pid, signal.SIGKILL)
        deadline = time.monotonic() + timeout
        while _group_alive(pid):
            if time.monotonic() > deadline:
                raise NewskitError(f"Label Studio (pid {pid}) did not stop", f"stop it yourself: kill {pid}")
            time.sleep(0.1)
    pid_file.unlink(missing_ok=True)
    return True


def _signal_group(pid: int, sig: signal.Signals) -> None:
    """Signal the server's process group (created by start_new_session: its id is the pid)."""
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _group_alive(pgid: int) -> bool:
    """True while the server or any process of its group still runs (it may hold the port)."""
    if _alive(pgid):
        return True
    if pgid == os.getpgid(0):  # never wait for our own group
        return False
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _alive(pid: int) -> bool:
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)  # reap it if it is our child
        if finished == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():  # a zombie that is not our child counts as gone
        try:
            return stat.read_text().split(") ", 1)[1][0] != "Z"
        except (OSError, IndexError):
            return True
    return True
