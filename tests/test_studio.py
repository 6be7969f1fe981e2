"""The Label Studio adapter: error mapping, env handling, and the fake's interface (no server needed)."""

from __future__ import annotations

import inspect
import socket

import httpx
import pytest
from label_studio_sdk.core.api_error import ApiError

from newskit.errors import NewskitError
from newskit.studio.client import StudioClient, StudioUnavailable, api_key_from_env, url_from_env
from tests.fake_studio import FakeStudioClient

KEY = "0123456789abcdef0123456789abcdef01234567"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def client() -> StudioClient:
    return StudioClient("http://127.0.0.1:9/", KEY)


def raising(exc: Exception):
    def fn():
        raise exc

    return fn


def test_url_and_key_from_env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .labelstudio/server.json here
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    assert url_from_env() == "http://127.0.0.1:8080"
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://ls.example:9000/")
    assert url_from_env() == "http://ls.example:9000"
    assert url_from_env("http://other:1") == "http://other:1"
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", f"  {KEY}\n")
    assert api_key_from_env() == KEY


def test_missing_key_is_an_error_with_hint(monkeypatch):
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    with pytest.raises(NewskitError) as info:
        api_key_from_env()
    assert info.value.message == "no Label Studio API key: LABEL_STUDIO_API_KEY is not set"
    assert "export LABEL_STUDIO_API_KEY" in info.value.hint


def test_repr_hides_the_key(client):
    assert KEY not in repr(client)
    assert repr(client) == "StudioClient('http://127.0.0.1:9')"


def test_401_says_key_rejected_without_the_key(client):
    body = {"detail": f"Invalid token {KEY}."}
    with pytest.raises(NewskitError) as info:
        client._call("list projects", raising(ApiError(status_code=401, body=body)))
    line = info.value.one_line()
    assert line.startswith(
        "error: Label Studio at http://127.0.0.1:9 rejected the API key (Invalid token ***.)"
    )
    assert "LABEL_STUDIO_API_KEY" in line and "legacy token" in line
    assert KEY not in line
    assert not isinstance(info.value, StudioUnavailable)


def test_an_html_page_is_named_by_its_title_never_pasted(client):
    title = "<title>Page not found &middot; Label Studio</title>"
    page = f"<!DOCTYPE html>\n<html><head>{title}</head>" + "<p>x</p>" * 500
    with pytest.raises(NewskitError) as info:
        client._call("list projects", raising(ApiError(status_code=404, body=page)))
    assert info.value.one_line() == (
        "error: Label Studio at http://127.0.0.1:9 answered with an HTML page titled "
        "'Page not found · Label Studio' (HTTP 404) instead of the API (list projects) "
        "(hint: check --url: give the server's base address, e.g. http://127.0.0.1:8080, without a path)"
    )


def test_404_hints_at_project_and_url(client):
    with pytest.raises(NewskitError) as info:
        client._call("read project 7", raising(ApiError(status_code=404, body={"detail": "Not found."})))
    assert info.value.message == (
        "Label Studio at http://127.0.0.1:9 has no such object (read project 7: Not found.)"
    )
    assert "--project" in info.value.hint


def test_400_shows_validation_errors(client):
    body = {"detail": "Validation error", "validation_errors": {"label_config": ["toName not found"]}}
    with pytest.raises(NewskitError) as info:
        client._call("create project 'x'", raising(ApiError(status_code=400, body=body)))
    assert info.value.message == (
        "Label Studio at http://127.0.0.1:9 rejected the request to create project 'x' "
        "(HTTP 400: Validation error - label_config: toName not found)"
    )


@pytest.mark.parametrize(
    "exc",
    [
        ApiError(status_code=502, body="Bad gateway"),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("closed"),
    ],
)
def test_transient_failures_are_retryable(client, exc):
    with pytest.raises(StudioUnavailable):
        client._call("import 3 tasks into project 1", raising(exc))


def test_unreachable_server_is_one_clear_error():
    client = StudioClient(f"http://127.0.0.1:{free_port()}", KEY, timeout=5)
    with pytest.raises(StudioUnavailable) as info:
        client.whoami()
    port = client.url.rsplit(":", 1)[1]
    assert info.value.one_line().startswith(
        f"error: cannot reach Label Studio at http://127.0.0.1:{port} (identify the API key's user) "
        "(hint: is it running? start a local one with `newskit studio up`"
    )


def test_expired_personal_access_token_is_rejected_clearly():
    import jwt

    expired = jwt.encode(
        {"token_type": "refresh", "exp": 1}, "a-signing-key-of-at-least-32-bytes!", algorithm="HS256"
    )
    with pytest.raises(NewskitError) as info:
        StudioClient("http://127.0.0.1:9", expired)
    assert "rejected the API key (API key has expired" in info.value.message
    assert expired not in info.value.one_line()


def test_fake_has_the_adapters_interface():
    public = {n for n in dir(StudioClient) if not n.startswith("_")}
    assert public <= set(dir(FakeStudioClient))
    for name in public:
        real = inspect.signature(getattr(StudioClient, name))
        fake = inspect.signature(getattr(FakeStudioClient, name))
        assert list(real.parameters) == list(fake.parameters), name


def test_fake_duplicates_on_reimport_like_the_server():
    fake = FakeStudioClient()
    pid = fake.create_project("p", "<View/>")
    tasks = [{"data": {"text": "a", "sentence_id": "s1"}}]
    fake.import_tasks(pid, tasks)
    fake.import_tasks(pid, tasks)
    assert fake.task_count(pid) == 2
    assert fake.list_task_sentence_ids(pid) == {"s1": 1}
