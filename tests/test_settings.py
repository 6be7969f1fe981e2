"""Where the server is: --url, $LABEL_STUDIO_URL, the record of `studio up`, the default; URL forms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newskit.errors import NewskitError
from newskit.studio.settings import SERVER_FILE, normalize_url, read_server_record, resolve_url

SCHEMA = Path(__file__).resolve().parent.parent / "labels" / "schema.yaml"


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A working directory without a running `studio up` and without $LABEL_STUDIO_URL."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    return tmp_path


def record_server(folder, url="http://127.0.0.1:18493", pid=4242):
    (folder / ".labelstudio").mkdir(exist_ok=True)
    (folder / ".labelstudio" / SERVER_FILE).write_text(json.dumps({"pid": pid, "port": 18493, "url": url}))


def test_flag_then_environment_then_studio_up_then_default(here, monkeypatch):
    assert resolve_url() == ("http://127.0.0.1:8080", "default")
    record_server(here)
    assert resolve_url() == ("http://127.0.0.1:18493", ".labelstudio/server.json")
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://ls.example:9000/")
    assert resolve_url() == ("http://ls.example:9000", "$LABEL_STUDIO_URL")
    assert resolve_url("127.0.0.1:1") == ("http://127.0.0.1:1", "--url")


def test_a_broken_record_is_ignored(here):
    (here / ".labelstudio").mkdir()
    (here / ".labelstudio" / SERVER_FILE).write_text("{not json")
    assert read_server_record() is None
    assert resolve_url()[0] == "http://127.0.0.1:8080"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("127.0.0.1:18493", "http://127.0.0.1:18493"),
        ("localhost:8080/", "http://localhost:8080"),
        ("labels.example.org", "http://labels.example.org"),
        (" https://labels.example.org/studio/ ", "https://labels.example.org/studio"),
        ("HTTP://[::1]:8080", "HTTP://[::1]:8080"),
    ],
)
def test_urls_without_scheme_get_http(given, expected):
    assert normalize_url(given) == expected


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("ftp://127.0.0.1:21", "is not an http(s) URL"),
        ("http://:8080", "is not a valid server address"),
        ("127.0.0.1:99999", "is not a valid server address"),
        ("127.0.0.1:port", "is not a valid server address"),
        ("http://127.0.0.1:8080/?next=1", "has a query or fragment"),
    ],
)
def test_bad_urls_are_refused_naming_their_origin(given, problem, here, monkeypatch):
    with pytest.raises(NewskitError) as info:
        normalize_url(given)
    assert info.value.message == f"--url {given!r} {problem}"
    assert info.value.hint == "give the server's address in --url, e.g. http://127.0.0.1:8080"
    monkeypatch.setenv("LABEL_STUDIO_URL", given)
    with pytest.raises(NewskitError, match=r"^error: \$LABEL_STUDIO_URL "):
        resolve_url()


def test_push_to_an_address_without_scheme_says_where_it_went(run_cli, here, monkeypatch):
    from tests.corpus_samples import write_small_corpus

    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "k" * 40)
    write_small_corpus(here / "corpus")
    code, _, err = run_cli("push", "--url", "127.0.0.1:9", "--schema", str(SCHEMA))
    assert code == 1
    assert err.startswith("error: cannot reach Label Studio at http://127.0.0.1:9 (")
    assert err.count("\n") == 1


def test_later_commands_use_the_recorded_server(run_cli, here, monkeypatch):
    from tests.corpus_samples import write_small_corpus

    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "k" * 40)
    write_small_corpus(here / "corpus")
    record_server(here, url="http://127.0.0.1:9")
    code, _, err = run_cli("push", "--schema", str(SCHEMA))
    assert code == 1 and err.startswith("error: cannot reach Label Studio at http://127.0.0.1:9 (")
