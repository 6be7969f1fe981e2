"""``newskit publish``: everything up to the Hub upload, with HfApi's methods replaced."""

from __future__ import annotations

import importlib
import importlib.util

import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from newskit.dataset.publish import check_dataset_folder, check_repo_id, publish_dataset
from newskit.errors import NewskitError

TOKEN = "hf_secretTOKENvalue123"
CARD = """---
license: other
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train.parquet
---

# Dataset Card
"""

# huggingface_hub's HTTP client: httpx2 in its newest releases, httpx before.
http_client = importlib.import_module("httpx2" if importlib.util.find_spec("httpx2") else "httpx")


@pytest.fixture
def dataset_dir(tmp_path):
    folder = tmp_path / "dataset"
    (folder / "data").mkdir(parents=True)
    (folder / "README.md").write_text(CARD, encoding="utf-8")
    for name in ("train", "validation", "test"):
        (folder / "data" / f"{name}.parquet").write_bytes(b"PAR1")
    return folder


@pytest.fixture
def hub(monkeypatch):
    """Replace the two HfApi methods publish uses; record their arguments."""
    calls: dict[str, dict] = {}

    def create_repo(self, repo_id, **kwargs):
        calls["create_repo"] = {"repo_id": repo_id, **kwargs}
        return f"https://hub.example/datasets/{repo_id}"

    def upload_folder(self, **kwargs):
        calls["upload_folder"] = kwargs
        return "commit"

    monkeypatch.setattr(HfApi, "create_repo", create_repo)
    monkeypatch.setattr(HfApi, "upload_folder", upload_folder)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    return calls


def test_publish_creates_the_repo_and_uploads_the_folder(dataset_dir, hub, run_cli):
    code, out, err = run_cli(
        "publish", "--repo-id", "my-org/news-de", "--dataset", str(dataset_dir), "--private"
    )
    assert (code, err) == (0, "")
    assert hub["create_repo"] == {
        "repo_id": "my-org/news-de",
        "token": TOKEN,
        "private": True,
        "repo_type": "dataset",
        "exist_ok": True,
    }
    upload = hub["upload_folder"]
    assert upload["repo_id"] == "my-org/news-de"
    assert upload["folder_path"] == str(dataset_dir)
    assert upload["repo_type"] == "dataset"
    assert upload["token"] == TOKEN
    assert "https://hub.example/datasets/my-org/news-de" in out
    assert TOKEN not in out + err


def test_missing_token_is_one_line_exit_1(dataset_dir, hub, monkeypatch, run_cli):
    monkeypatch.delenv("HF_TOKEN")
    code, out, err = run_cli("publish", "--repo-id", "my-org/news-de", "--dataset", str(dataset_dir))
    assert code == 1
    assert err == (
        "error: HF_TOKEN is not set: publishing needs a Hugging Face write token (hint: create a write token "
        "in your Hugging Face account settings, then export HF_TOKEN=...)\n"
    )
    assert "Traceback" not in out + err and hub == {}


@pytest.mark.parametrize("repo_id", ["news-de", "a/b/c", "my org/x", "org/bad--name", "org/x.git", ""])
def test_invalid_repo_ids_are_rejected(repo_id):
    with pytest.raises(NewskitError, match=r"invalid --repo-id"):
        check_repo_id(repo_id)


def test_invalid_repo_id_on_the_cli(dataset_dir, hub, run_cli):
    code, _, err = run_cli("publish", "--repo-id", "news-de", "--dataset", str(dataset_dir))
    assert code == 1
    assert err.startswith("error: invalid --repo-id 'news-de': expected ORG/NAME (hint: ")
    assert err.count("\n") == 1 and hub == {}


def test_missing_or_incomplete_dataset_folder(tmp_path, dataset_dir, hub, run_cli):
    code, _, err = run_cli("publish", "--repo-id", "org/x", "--dataset", str(tmp_path / "nope"))
    assert code == 1 and "dataset folder not found" in err and "newskit build" in err
    (dataset_dir / "data" / "test.parquet").unlink()
    with pytest.raises(NewskitError, match=r"missing data files: data/test.parquet"):
        check_dataset_folder(dataset_dir)
    (dataset_dir / "README.md").unlink()
    with pytest.raises(NewskitError, match=r"no README.md"):
        check_dataset_folder(dataset_dir)
    assert hub == {}


def test_card_without_configs_is_rejected(dataset_dir):
    (dataset_dir / "README.md").write_text("# just text\n", encoding="utf-8")
    with pytest.raises(NewskitError, match="no configs/data_files"):
        check_dataset_folder(dataset_dir)


def _http_error(status: int) -> HfHubHTTPError:
    request = http_client.Request("POST", "https://hub.example/api/repos/create")
    response = http_client.Response(status, request=request)
    return HfHubHTTPError(f"{status} Client Error: denied for token {TOKEN}\nmore details", response=response)


def test_http_error_becomes_one_line_without_the_token(dataset_dir, hub, monkeypatch, run_cli):
    def refuse(self, repo_id, **kwargs):
        raise _http_error(403)

    monkeypatch.setattr(HfApi, "create_repo", refuse)
    code, out, err = run_cli("publish", "--repo-id", "my-org/news-de", "--dataset", str(dataset_dir))
    assert code == 1
    assert err.startswith("error: publishing to my-org/news-de failed (HTTP 403): 403 Client Error")
    assert "write token with access to my-org" in err
    assert TOKEN not in out + err and err.count("\n") == 1 and "Traceback" not in err


def test_connection_error_during_upload_becomes_one_line(dataset_dir, hub, monkeypatch):
    def offline(self, **kwargs):
        raise http_client.ConnectError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(HfApi, "upload_folder", offline)
    with pytest.raises(NewskitError) as caught:
        publish_dataset(repo_id="my-org/news-de", dataset_dir=dataset_dir)
    assert caught.value.message == (
        "publishing to my-org/news-de failed: [Errno -3] Temporary failure in name resolution"
    )
    assert "network" in caught.value.hint
