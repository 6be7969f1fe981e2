"""``newskit studio add-user``: give a person an account on the local Label Studio.

The user is created through the API (with the administrator's key); Label Studio ignores a
password given there, so it is set with Label Studio's own ``label-studio reset_password``
command on the server's data folder, reading the password from its standard input (never from
the command line, which ``ps`` shows). The generated password is kept in
``<data dir>/users/<email>.password`` (mode 0600, never printed) for the administrator to hand
over privately. A remote server has its own way to add people (see the README).
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from newskit.errors import NewskitError
from newskit.studio.client import StudioClient
from newskit.studio.install import ensure_installed
from newskit.studio.server import DEFAULT_DATA_DIR, label_studio_env

USERS_DIR = "users"
EMAIL = re.compile(r"^[^@\s/\\]+@[^@\s/\\]+\.[^@\s/\\]+$")


@dataclass(frozen=True)
class AddedUser:
    """A user of the local server; the password is in ``password_path``, never in this object."""

    email: str
    user_id: int
    password_path: Path
    url: str


def password_path(data_dir: Path, email: str) -> Path:
    """Where ``add_user`` keeps the password of ``email``."""
    return Path(data_dir) / USERS_DIR / f"{email.lower()}.password"


def _set_password(data_dir: Path, email: str, password: str, venv_dir: Path | None) -> None:
    """Set a user's password with ``label-studio reset_password`` (password on stdin)."""
    done = subprocess.run(
        [str(ensure_installed(venv_dir)), "reset_password", "--username", email],
        cwd=data_dir,
        env=label_studio_env(Path(data_dir).absolute()),
        input=password + "\n",
        capture_output=True,
        text=True,
        # No controlling terminal: its getpass prompt then reads the password from stdin.
        start_new_session=True,
        check=False,
    )
    if "Password successfully changed" not in done.stdout:
        last = " ".join((done.stdout + done.stderr).split()[-30:])
        raise NewskitError(
            f"Label Studio in {data_dir} did not set the password of {email} ({last or 'no output'})",
            f"is --data-dir the folder of the server you talk to? run `newskit studio add-user {email}` "
            "again to retry (the user exists; only the password is set)",
        )


def add_user(
    *,
    email: str,
    url: str,
    api_key: str,
    data_dir: Path = DEFAULT_DATA_DIR,
    venv_dir: Path | None = None,
    client: StudioClient | None = None,
) -> AddedUser:
    """Create ``email`` on the Label Studio at ``url`` (started from ``data_dir``) with a new password.

    A user who exists without a password file gets one (so a half-done run can be repeated);
    a user who already has one is an error (the password is not replaced).
    """
    email = email.strip()
    if not EMAIL.match(email):
        raise NewskitError(f"{email!r} is not an e-mail address", "Label Studio names users by e-mail")
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise NewskitError(
            f"no local Label Studio data folder at {data_dir}",
            "pass the --data-dir of `newskit studio up`; for a server you did not start, invite people "
            "from its Organization page (see 'Label with a team' in the README)",
        )
    target = password_path(data_dir, email)
    client = client or StudioClient(url, api_key)
    existing = {address.lower(): user_id for user_id, address in client.list_users().items()}
    if email.lower() in existing and target.exists():
        raise NewskitError(
            f"Label Studio at {client.url} already has the user {email} (id {existing[email.lower()]})",
            f"their password is in {target}; they can change it under Account & Settings",
        )
    user_id = existing.get(email.lower()) or client.create_user(email)
    target.parent.mkdir(mode=0o700, exist_ok=True)
    password = secrets.token_urlsafe(15)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    try:
        _set_password(data_dir, email, password, venv_dir)
    except BaseException:
        target.unlink(missing_ok=True)  # no file for a password that was not set
        raise
    return AddedUser(email=email, user_id=user_id, password_path=target, url=client.url)
