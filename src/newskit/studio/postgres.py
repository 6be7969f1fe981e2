"""PostgreSQL for a team's Label Studio (``newskit studio up --postgres`` or ``--database-url``).

Label Studio on SQLite is for one person; for a team it recommends PostgreSQL. Label Studio
1.23.2 reads its database settings from the environment (``DJANGO_DB=postgresql`` and
``POSTGRE_HOST``/``POSTGRE_PORT``/``POSTGRE_USER``/``POSTGRE_PASSWORD``/``POSTGRE_NAME``, each
also with the ``LABEL_STUDIO_`` prefix, which wins) and talks to it through ``psycopg`` 3, a
dependency of Label Studio itself.

A local cluster uses Debian's PostgreSQL programs (installed with ``apt-get install postgresql``
when missing and running as root). It lives in ``<data dir>/postgres/``, listens on 127.0.0.1
only (no Unix socket), on a free port chosen at each start, with one user ``labelstudio`` whose
generated password is in ``<data dir>/postgres_password`` (mode 0600, never printed). PostgreSQL
refuses to run as root: as root, its programs run as Debian's ``postgres`` user, which owns the
cluster folder.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from newskit.errors import NewskitError

CLUSTER_DIR = "postgres"
PASSWORD_FILE = "postgres_password"
USER = "labelstudio"
DATABASE = "postgres"  # the cluster's own database: the cluster serves Label Studio only
SYSTEM_USER = "postgres"  # Debian's account for PostgreSQL, used when we run as root
PASSWORD_ENV = "PGPASSWORD"
_SEARCH = [Path("/usr/lib/postgresql")]


@dataclass(frozen=True)
class Connection:
    """Where Label Studio finds its PostgreSQL database. ``password`` never appears in output."""

    host: str
    port: int
    user: str
    name: str
    password: str

    def __repr__(self) -> str:
        return f"Connection({self.describe()!r})"

    def describe(self) -> str:
        """``postgresql://user@host:port/name``: the address without the password."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.name}"

    def label_studio_env(self) -> dict[str, str]:
        """The environment that points Label Studio 1.23.2 at this database."""
        return {
            "LABEL_STUDIO_DJANGO_DB": "postgresql",
            "LABEL_STUDIO_POSTGRE_HOST": self.host,
            "LABEL_STUDIO_POSTGRE_PORT": str(self.port),
            "LABEL_STUDIO_POSTGRE_USER": self.user,
            "LABEL_STUDIO_POSTGRE_PASSWORD": self.password,
            "LABEL_STUDIO_POSTGRE_NAME": self.name,
        }


def connection_from_url(url: str) -> Connection:
    """Parse ``--database-url postgresql://USER@HOST[:PORT]/NAME``; the password comes from ``$PGPASSWORD``.

    A password inside the URL is refused: a flag lands in the shell history and in ``ps``.
    """
    hint = "give --database-url postgresql://USER@HOST:5432/NAME and the password in $PGPASSWORD"
    parts = urlsplit(url.strip())
    if parts.scheme not in ("postgresql", "postgres"):
        scheme = parts.scheme or "none"
        raise NewskitError(f"--database-url must start with postgresql://, got {scheme}", hint)
    if parts.password is not None:
        raise NewskitError("--database-url contains a password", f"remove it and export {PASSWORD_ENV}=...")
    try:
        port = parts.port or 5432
    except ValueError:
        raise NewskitError("--database-url has an invalid port", hint) from None
    user = unquote(parts.username or "") or os.environ.get("PGUSER", "")
    if not parts.hostname or not user:
        raise NewskitError("--database-url needs a user and a host", hint)
    password = os.environ.get(PASSWORD_ENV, "")
    if not password:
        raise NewskitError(f"no password for --database-url: {PASSWORD_ENV} is not set", hint)
    name = unquote(parts.path.lstrip("/")) or "postgres"
    return Connection(parts.hostname, port, user, name, password)


def postgres_bin_dir() -> Path | None:
    """The folder of PostgreSQL's server programs (``initdb``, ``pg_ctl``), newest version first."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    for root in _SEARCH:
        versions = sorted(
            root.glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0
        )
        if versions:
            return versions[-1].parent
    return None


def ensure_postgres(*, quiet: bool = False) -> Path:
    """PostgreSQL's program folder; installs Debian's ``postgresql`` package when missing (as root)."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None and os.geteuid() == 0 and shutil.which("apt-get"):
        if not quiet:
            print("Installing PostgreSQL (Debian package postgresql) with apt-get…")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "--no-install-recommends", "postgresql"]
        for step in (["apt-get", "update"], install):
            subprocess.run(step, env=env, capture_output=True, check=False)
        bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise NewskitError(
            "PostgreSQL is not installed (no pg_ctl found)",
            "install Debian's package as root: apt-get install postgresql; or use --database-url",
        )
    return bin_dir


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalPostgres:
    """The PostgreSQL cluster in ``<data dir>/postgres``: created on first start, started, stopped."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir).absolute()
        self.cluster = self.data_dir / CLUSTER_DIR
        self.password_path = self.data_dir / PASSWORD_FILE
        self.log_path = self.cluster / "server.log"

    def exists(self) -> bool:
        """True once the cluster has been created."""
        return (self.cluster / "PG_VERSION").exists()

    def _as_owner(self) -> dict:
        """Popen options that run PostgreSQL's programs as a non-root user (it refuses root)."""
        if os.geteuid() != 0:
            return {}
        try:
            pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            raise NewskitError(
                f"PostgreSQL cannot run as root and there is no {SYSTEM_USER!r} user",
                "install Debian's postgresql package (it creates that user), or run newskit as another user",
            ) from None
        return {"user": SYSTEM_USER, "group": SYSTEM_USER, "extra_groups": []}

    def _run(self, bin_dir: Path, *args: str, what: str) -> subprocess.CompletedProcess:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}
        done = subprocess.run(
            [str(bin_dir / args[0]), *args[1:]], env=env, cwd="/", capture_output=True, text=True,
            check=False, **self._as_owner(),
        )  # fmt: skip
        if done.returncode != 0:
            last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
            raise NewskitError(f"PostgreSQL: {what} failed: {last}", f"see {self.log_path} if it exists")
        return done

    def _give_to_owner(self, path: Path) -> None:
        options = self._as_owner()
        if options:
            record = pwd.getpwnam(SYSTEM_USER)
            os.chown(path, record.pw_uid, record.pw_gid)

    def _init(self, bin_dir: Path, password: str) -> None:
        self.cluster.mkdir(mode=0o700)
        self._give_to_owner(self.cluster)
        if self._as_owner():
            self.data_dir.chmod(0o711)  # the postgres user may pass through, not list or read
            probe = subprocess.run(["test", "-w", str(self.cluster)], check=False, **self._as_owner())
            if probe.returncode != 0:
                self.cluster.rmdir()
                raise NewskitError(
                    f"the {SYSTEM_USER!r} user cannot reach {self.cluster}",
                    "PostgreSQL runs as that user when newskit runs as root: use a --data-dir whose "
                    "parent folders others may enter (chmod o+x), e.g. outside /root",
                )
        pwfile = self.data_dir / "postgres.pwfile"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(password + "\n")
        self._give_to_owner(pwfile)
        try:
            self._run(bin_dir, "initdb", "-D", str(self.cluster), "-U", USER, f"--pwfile={pwfile}",
                      "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", what="initdb")  # fmt: skip
        except NewskitError:
            shutil.rmtree(self.cluster, ignore_errors=True)
            raise
        finally:
            pwfile.unlink(missing_ok=True)
        with (self.cluster / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# newskit: reachable from this machine only, over TCP\n")
            conf.write("listen_addresses = '127.0.0.1'\nunix_socket_directories = ''\n")

    def start(self, password: str, *, quiet: bool = False) -> Connection:
        """Create the cluster (user ``labelstudio`` with ``password``) if needed, start it on a free
        port of 127.0.0.1 and return how to connect."""
        bin_dir = ensure_postgres(quiet=quiet)
        if not self.exists():
            self._init(bin_dir, password)
        port = self.running_port()
        if port is None:
            port = _free_port()
            self._run(bin_dir, "pg_ctl", "-D", str(self.cluster), "-l", str(self.log_path), "-w", "-t", "120",
                      "-o", f"-p {port}", "start", what="start")  # fmt: skip
        return Connection("127.0.0.1", port, USER, DATABASE, password)

    def running_connection(self) -> Connection:
        """How to reach the running cluster; an error if it is not running."""
        port = self.running_port()
        if port is None:
            raise NewskitError(
                f"the PostgreSQL cluster in {self.cluster} is not running", "start it: newskit studio up"
            )
        password = self.password_path.read_text(encoding="utf-8").strip()
        return Connection("127.0.0.1", port, USER, DATABASE, password)

    def running_port(self) -> int | None:
        """The port of the running cluster (from ``postmaster.pid``), or None."""
        try:
            lines = (self.cluster / "postmaster.pid").read_text(encoding="utf-8").splitlines()
            pid, port = int(lines[0]), int(lines[3])
            os.kill(pid, 0)
        except (OSError, ValueError, IndexError):
            return None
        return port

    def stop(self) -> bool:
        """Stop the cluster if it runs (fast shutdown); True if it was running."""
        if self.running_port() is None:
            return False
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            raise NewskitError("pg_ctl is missing", f"stop the PostgreSQL cluster in {self.cluster} yourself")
        self._run(bin_dir, "pg_ctl", "-D", str(self.cluster), "-m", "fast", "-w", "stop", what="stop")
        return True
