"""Label Studio on PostgreSQL: --database-url parsing, and `studio up --postgres` on a real cluster.

The real test needs Debian's PostgreSQL (installed with apt-get when missing and running as
root, by the same code `studio up --postgres` uses); it skips, with the reason, where that is
impossible.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from newskit.errors import NewskitError
from newskit.studio.postgres import LocalPostgres, connection_from_url, ensure_postgres
from newskit.studio.push import push
from newskit.studio.server import SERVER_FILE
from tests.corpus_samples import write_small_corpus
from tests.studio_fixtures import free_port
from tests.test_studio_server import _listening_addresses

SCHEMA = Path(__file__).resolve().parent.parent / "labels" / "schema.yaml"


def test_database_url_takes_the_password_from_the_environment_only(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "s3cret-pw")
    connection = connection_from_url("postgresql://ls@db.example.org:6543/labels")
    assert connection.describe() == "postgresql://ls@db.example.org:6543/labels"
    assert "s3cret-pw" not in repr(connection)
    assert connection.label_studio_env() == {
        "LABEL_STUDIO_DJANGO_DB": "postgresql",
        "LABEL_STUDIO_POSTGRE_HOST": "db.example.org",
        "LABEL_STUDIO_POSTGRE_PORT": "6543",
        "LABEL_STUDIO_POSTGRE_USER": "ls",
        "LABEL_STUDIO_POSTGRE_PASSWORD": "s3cret-pw",
        "LABEL_STUDIO_POSTGRE_NAME": "labels",
    }
    assert connection_from_url("postgres://ls@db").describe() == "postgresql://ls@db:5432/postgres"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://ls:pw@db/labels", "--database-url contains a password"),
        ("mysql://ls@db/labels", "--database-url must start with postgresql://, got mysql"),
        ("postgresql://db/labels", "--database-url needs a user and a host"),
        ("postgresql://ls@db:port/labels", "--database-url has an invalid port"),
    ],
)
def test_bad_database_urls_are_refused(url, message, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "pw")
    monkeypatch.delenv("PGUSER", raising=False)
    with pytest.raises(NewskitError) as info:
        connection_from_url(url)
    assert info.value.message == message
    assert "pw" not in info.value.one_line().replace("password", "")


def test_database_url_without_pgpassword_is_refused(monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    with pytest.raises(NewskitError, match="no password for --database-url: PGPASSWORD is not set"):
        connection_from_url("postgresql://ls@db/labels")


def _psql_count(bin_dir: Path, port: int, password: str, table: str) -> int:
    done = subprocess.run(
        [str(bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "labelstudio", "-d", "postgres",
         "-tAc", f"select count(*) from {table}"],
        env={"PATH": os.environ["PATH"], "PGPASSWORD": password}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(done.stdout.strip())


@pytest.fixture
def reachable_dir():
    """A fresh folder others may pass through (as root, PostgreSQL runs as the postgres user)."""
    folder = Path(tempfile.mkdtemp(prefix="newskit-postgres-"))
    folder.chmod(0o711)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _copy_data_dir(source: Path, target: Path) -> None:
    """Copy a stopped data folder; the cluster keeps its owner (the postgres user when we are root)."""
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns(SERVER_FILE, "*.log"))
    target.chmod(source.stat().st_mode & 0o777)
    owner = (source / "postgres").stat()
    for path in [target / "postgres", *(target / "postgres").rglob("*")]:
        os.chown(path, owner.st_uid, owner.st_gid, follow_symlinks=False)


@pytest.fixture
def postgres_template(request) -> Path:
    """The cache folder for a stopped data folder on PostgreSQL (Label Studio's first start on a
    fresh database takes a minute or more; a copy of a migrated one starts in seconds)."""
    return Path(request.config.cache.mkdir("label-studio-1.23.2-postgres-template"))


@pytest.mark.studio
def test_studio_up_postgres_then_database_url(run_cli, reachable_dir, postgres_template, monkeypatch):
    try:
        bin_dir = ensure_postgres(quiet=True)
    except NewskitError as exc:
        pytest.skip(f"PostgreSQL is not available: {exc.message}")
    from tests.studio_fixtures import label_studio_venv

    monkeypatch.setenv("NEWSKIT_LABEL_STUDIO_VENV", str(label_studio_venv()))
    data_dir, port = reachable_dir / "ls", free_port()
    where = ("--port", str(port), "--data-dir", str(data_dir))
    cluster = LocalPostgres(data_dir)
    cached = LocalPostgres(postgres_template).exists() and (postgres_template / "api_key").exists()
    if cached:
        _copy_data_dir(postgres_template, data_dir)
    try:
        code, out, err = run_cli("studio", "up", "--postgres", *where)
        assert code == 0, err
        assert f"Database: PostgreSQL in {data_dir / 'postgres'} (local" in out
        record = json.loads((data_dir / SERVER_FILE).read_text())
        assert (record["database"], record["url"]) == ("postgres", f"http://127.0.0.1:{port}")
        api_key = (data_dir / "api_key").read_text().strip()
        password = cluster.password_path.read_text().strip()
        assert not (data_dir / "label_studio.sqlite3").exists()
        db_port = cluster.running_port()
        assert db_port and _listening_addresses(db_port) <= {"0100007F"}  # 127.0.0.1 only
        tasks_before = _psql_count(bin_dir, db_port, password, "task")
        corpus = reachable_dir / "corpus"
        write_small_corpus(corpus)
        report = push(url=record["url"], api_key=api_key, project_title=f"team {port}", corpus_dir=corpus,
                      schema_path=SCHEMA)  # fmt: skip
        assert _psql_count(bin_dir, db_port, password, "task") - tasks_before == report.imported > 0
        # Label Studio's own management commands reach the same database (studio add-user uses one).
        monkeypatch.setenv("LABEL_STUDIO_URL", record["url"])
        monkeypatch.setenv("LABEL_STUDIO_API_KEY", api_key)
        code, out, err = run_cli("studio", "add-user", f"anna{port}@example.org", "--data-dir", str(data_dir))
        assert code == 0, err
        monkeypatch.delenv("LABEL_STUDIO_URL")
        log = (data_dir / "label-studio.log").read_text(errors="replace")
        for secret in (api_key, password):
            assert secret not in out + err + log

        code, out, _ = run_cli("studio", "down", "--data-dir", str(data_dir))
        assert code == 0 and cluster.running_port() is None  # stopped with the server
        if not cached:
            shutil.rmtree(postgres_template)
            _copy_data_dir(data_dir, postgres_template)

        # The same database given by address: the project is still there.
        connection = cluster.start(password)
        monkeypatch.setenv("PGPASSWORD", password)
        url = f"postgresql://labelstudio@127.0.0.1:{connection.port}/postgres"
        code, out, err = run_cli("studio", "up", "--database-url", url, *where)
        assert code == 0, err
        assert f"Database: PostgreSQL at {url}" in out and password not in out + err
        from newskit.studio.client import StudioClient

        client = StudioClient(record["url"], api_key)
        assert client.task_count(report.project_id) == report.imported
        run_cli("studio", "down", "--data-dir", str(data_dir))
        assert cluster.running_port() == connection.port  # not ours to stop: it was given by address
    finally:
        run_cli("studio", "down", "--data-dir", str(data_dir))
        cluster.stop()
