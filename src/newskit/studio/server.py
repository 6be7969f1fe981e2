"""Install, start and stop a local Label Studio for users who have none (``newskit studio up/down``).

Label Studio pins versions of Django, pyarrow and its SDK that clash with ours, so it runs
from its own virtual environment (``.venv-labelstudio/``, or ``$NEWSKIT_LABEL_STUDIO_VENV``)
as a separate process bound to 127.0.0.1. Its data folder (default ``.labelstudio/``) holds
the database (SQLite, or a PostgreSQL cluster: :mod:`newskit.studio.postgres`), the
administrator's API key and password (files with mode 0600, never printed), ``server.json``
(pid, port, URL and database of the running server: later commands find the server there)
and the server log.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from newskit.errors import NewskitError
from newskit.studio.install import LABEL_STUDIO_VERSION, VENV_ENV, default_venv_dir, ensure_installed
from newskit.studio.postgres import PASSWORD_FILE as POSTGRES_PASSWORD_FILE
from newskit.studio.postgres import Connection, LocalPostgres, connection_from_url
from newskit.studio.processes import is_label_studio as _is_label_studio
from newskit.studio.processes import stop_process_group
from newskit.studio.settings import DEFAULT_DATA_DIR, SERVER_FILE, read_server_record

__all__ = [
    "LABEL_STUDIO_VERSION",
    "VENV_ENV",
    "ServerInfo",
    "default_venv_dir",
    "ensure_installed",
    "start_server",
    "stop_server",
]

DEFAULT_EMAIL = "admin@example.com"
API_KEY_FILE = "api_key"
PASSWORD_FILE = "admin_password"
PID_FILE = SERVER_FILE
DEFAULT_PORT = 8080
SQLITE = "sqlite"
LOCAL_POSTGRES = "postgres"
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
    database: str = SQLITE  # "sqlite", or the PostgreSQL address without its password

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
    it would read behind our back, plus its data folder and the database of the server running
    from it (management commands such as ``reset_password`` must reach the same database)."""
    env = _base_env(data_dir)
    record = read_server_record(data_dir)
    database = record.get("database", SQLITE) if record else SQLITE
    if database == LOCAL_POSTGRES:
        env.update(LocalPostgres(data_dir).running_connection().label_studio_env())
    elif database != SQLITE:
        env.update(connection_from_url(database).label_studio_env())
    else:
        env["LABEL_STUDIO_DJANGO_DB"] = SQLITE
    return env


def _base_env(data_dir: Path) -> dict[str, str]:
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
    env = _base_env(data_dir)
    # Credentials go through the environment, not the command line: `ps` shows arguments.
    env.update(
        LABEL_STUDIO_USERNAME=email,
        LABEL_STUDIO_PASSWORD=password,
        LABEL_STUDIO_USER_TOKEN=token,
        LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true",
        # The server listens on 127.0.0.1 only; a model server (`newskit serve`) and the webhook
        # it receives run on this machine too, which Label Studio blocks by default.
        LABEL_STUDIO_ML_BLOCK_LOCAL_IP="false",
        LABEL_STUDIO_SSRF_PROTECTION_ENABLED="false",
        # Only people added with `studio add-user` or the organization's invite link get an account.
        LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK="true",
    )
    return env


def _database(
    data_dir: Path, postgres: bool, database_url: str | None
) -> tuple[str, Connection | None, bool]:
    """The database asked for: ``sqlite``, ``postgres`` (a local cluster) or a PostgreSQL address,
    and whether it was asked for explicitly. Without a flag, a data folder that holds a local
    cluster keeps using it (a team's labels must not seem to vanish into a fresh SQLite file)."""
    if postgres and database_url:
        raise NewskitError("--postgres and --database-url exclude each other", "give one of them")
    if database_url:
        connection = connection_from_url(database_url)
        return connection.describe(), connection, True
    if postgres:
        return LOCAL_POSTGRES, None, True
    return (LOCAL_POSTGRES if LocalPostgres(data_dir).exists() else SQLITE), None, False


def _already_running(
    data_dir: Path, record: dict, port: int | None, database: str | None, email: str
) -> ServerInfo:
    """The running server of ``data_dir``; asking it for another port or database is an error."""
    url = record.get("url") or f"http://127.0.0.1:{record['port']}"
    running_database = record.get("database", SQLITE)
    wanted = []
    if port is not None and port != record["port"]:
        wanted.append(f"--port {port}")
    if database is not None and database != running_database:
        wanted.append(f"database {database}")
    if wanted:
        folder = shlex.quote(str(data_dir))
        raise NewskitError(
            f"Label Studio from {data_dir} is already running at {url} (pid {record['pid']}, "
            f"database {running_database}); {' and '.join(wanted)} not applied",
            f"use that server, or stop it with `newskit studio down --data-dir {folder}` and start it "
            "again; a second server needs its own --data-dir",
        )
    stored_email = record.get("email", email)
    return ServerInfo(url, record["port"], record["pid"], data_dir, stored_email, True, running_database)


def start_server(
    *,
    data_dir: Path = DEFAULT_DATA_DIR,
    port: int | None = None,
    venv_dir: Path | None = None,
    email: str = DEFAULT_EMAIL,
    timeout: float = 300.0,
    postgres: bool = False,
    database_url: str | None = None,
) -> ServerInfo:
    """Start Label Studio on 127.0.0.1:``port`` (default 8080) with its data in ``data_dir``.

    Waits until it is healthy and records pid, port, URL and database in ``server.json``.
    The database is SQLite in ``data_dir``, a local PostgreSQL cluster in ``data_dir/postgres``
    (``postgres=True``, started and stopped with the server) or the PostgreSQL at
    ``database_url`` (``postgresql://USER@HOST:PORT/NAME``, password from ``$PGPASSWORD``).
    A fresh data folder gets an administrator ``email`` with a generated password and API key
    (legacy token), stored in the data folder with mode 0600. If a server from this data folder
    is already running, its details are returned (``already_running=True``); asking it for
    another port or database is an error.
    """
    data_dir = Path(data_dir).absolute()
    database, connection, explicit = _database(data_dir, postgres, database_url)
    running = read_server_record(data_dir)
    running_url = (running or {}).get("url") or f"http://127.0.0.1:{(running or {}).get('port')}"
    if running and _is_label_studio(running["pid"]) and _healthy(running_url):
        return _already_running(data_dir, running, port, database if explicit else None, email)
    port = DEFAULT_PORT if port is None else port
    if not _wait_for_free_port(port, seconds=PORT_RELEASE_WAIT):
        raise NewskitError(
            f"port {port} on 127.0.0.1 is already in use",
            "stop what uses it, or choose another port with --port",
        )
    executable = ensure_installed(venv_dir)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = _secret(data_dir / API_KEY_FILE, secrets.token_hex(20))
    password = _secret(data_dir / PASSWORD_FILE, secrets.token_urlsafe(18))
    if database == LOCAL_POSTGRES:
        db_password = _secret(data_dir / POSTGRES_PASSWORD_FILE, secrets.token_urlsafe(24))
        connection = LocalPostgres(data_dir).start(db_password)
    env = _server_env(data_dir, email, password, token)
    env.update(connection.label_studio_env() if connection else {"LABEL_STUDIO_DJANGO_DB": SQLITE})
    command = [str(executable), "start", "--no-browser", "--internal-host", "127.0.0.1",
               "--port", str(port), "--enable-legacy-api-token"]  # fmt: skip
    with (data_dir / LOG_FILE).open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=data_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: `down` stops it and its children
        )
    url = f"http://127.0.0.1:{port}"
    record = {"pid": process.pid, "port": port, "url": url, "email": email, "database": database}
    (data_dir / PID_FILE).write_text(json.dumps(record, sort_keys=True) + "\n", encoding="utf-8")
    deadline = time.monotonic() + timeout
    while not _healthy(url):
        if process.poll() is not None:
            (data_dir / PID_FILE).unlink(missing_ok=True)
            LocalPostgres(data_dir).stop()
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
    return ServerInfo(url, port, process.pid, data_dir, email, database=database)


def stop_server(data_dir: Path = DEFAULT_DATA_DIR, *, timeout: float = 20.0) -> bool:
    """Stop the Label Studio started from ``data_dir`` (SIGTERM, SIGKILL after ``timeout``), then its
    local PostgreSQL cluster if it has one.

    Returns True if a server was stopped, False if none was running.
    """
    data_dir = Path(data_dir).absolute()
    record = read_server_record(data_dir)
    pid_file = data_dir / PID_FILE
    stopped = False
    if record is not None and _is_label_studio(record["pid"]):
        stop_process_group(record["pid"], timeout)
        stopped = True
    pid_file.unlink(missing_ok=True)
    if record is None or record.get("database") == LOCAL_POSTGRES:  # ours, or left by a crash
        stopped = LocalPostgres(data_dir).stop() or stopped
    return stopped
