"""``newskit publish``: upload the built dataset folder to a dataset repository on the Hugging Face Hub.

The token comes from the environment variable ``HF_TOKEN`` only; it is passed to
``huggingface_hub`` and never printed, logged or written. Every failure of the Hub
(HTTP status, no connection) becomes one :class:`NewskitError` line with a hint.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from huggingface_hub import DatasetCard, HfApi
from huggingface_hub.errors import HfHubHTTPError, HFValidationError
from huggingface_hub.utils import validate_repo_id

from newskit.dataset.assign import SPLIT_NAMES
from newskit.errors import NewskitError

TOKEN_VARIABLE = "HF_TOKEN"
REPO_ID_PATTERN = re.compile(r"[^/\s]+/[^/\s]+")


def _transport_errors() -> tuple[type[BaseException], ...]:
    """The connection errors of the HTTP clients ``huggingface_hub`` may use (httpx2, httpx, requests)."""
    errors: list[type[BaseException]] = [OSError]  # requests' errors are OSErrors
    for module_name in ("httpx2", "httpx"):
        try:
            module = __import__(module_name)
        except ImportError:
            continue
        errors.append(module.HTTPError)
    return tuple(errors)


def check_repo_id(repo_id: str) -> str:
    """``ORG/NAME`` as the Hub accepts it, or a :class:`NewskitError`."""
    problem = None
    if not REPO_ID_PATTERN.fullmatch(repo_id):
        problem = "expected ORG/NAME"
    else:
        try:
            validate_repo_id(repo_id)
        except HFValidationError as exc:
            problem = str(exc).splitlines()[0]
    if problem:
        raise NewskitError(
            f"invalid --repo-id {repo_id!r}: {problem}",
            "use your user or organization name and a dataset name, e.g. my-org/ukraine-news-de",
        )
    return repo_id


def check_dataset_folder(dataset_dir: Path) -> list[Path]:
    """The folder holds a dataset card with a YAML header and the three split files; return the files."""
    dataset_dir = Path(dataset_dir)
    hint = "run `newskit build` first (or pass --dataset FOLDER)"
    if not dataset_dir.is_dir():
        raise NewskitError(f"{dataset_dir}: dataset folder not found", hint)
    card_path = dataset_dir / "README.md"
    if not card_path.is_file():
        raise NewskitError(f"{dataset_dir}: no README.md (the dataset card)", hint)
    missing = [
        f"data/{name}.parquet"
        for name in SPLIT_NAMES
        if not (dataset_dir / "data" / f"{name}.parquet").is_file()
    ]
    if missing:
        raise NewskitError(f"{dataset_dir}: missing data files: {', '.join(missing)}", hint)
    try:
        card = DatasetCard.load(card_path)
    except (ValueError, OSError) as exc:
        raise NewskitError(
            f"{card_path}: not a valid dataset card ({str(exc).splitlines()[0]})", hint
        ) from None
    if not card.data.to_dict().get("configs"):
        raise NewskitError(f"{card_path}: the card's YAML header has no configs/data_files", hint)
    return [card_path, *(dataset_dir / "data" / f"{name}.parquet" for name in SPLIT_NAMES)]


def token_from_env() -> str:
    """The Hub token from ``HF_TOKEN`` (never printed)."""
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        raise NewskitError(
            f"{TOKEN_VARIABLE} is not set: publishing needs a Hugging Face write token",
            f"create a write token in your Hugging Face account settings, then export {TOKEN_VARIABLE}=...",
        )
    return token


def _hub_error(exc: BaseException, repo_id: str, token: str) -> NewskitError:
    text = " ".join((str(exc).splitlines() or [type(exc).__name__])[0].split()).replace(token, "***")
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if status in (401, 403):
        hint = f"check that {TOKEN_VARIABLE} is a write token with access to {repo_id.split('/')[0]}"
    elif status is not None:
        hint = "check the repository id; try again later if the Hub is unavailable"
    else:
        hint = "check your network connection and try again"
    where = f" (HTTP {status})" if status is not None else ""
    return NewskitError(f"publishing to {repo_id} failed{where}: {text or type(exc).__name__}", hint)


def publish_dataset(*, repo_id: str, dataset_dir: Path = Path("dataset"), private: bool = False) -> str:
    """Create the dataset repository if needed and upload the folder; return the repository URL."""
    check_repo_id(repo_id)
    check_dataset_folder(dataset_dir)
    token = token_from_env()
    api = HfApi()
    try:
        url = api.create_repo(repo_id, token=token, private=private, repo_type="dataset", exist_ok=True)
        api.upload_folder(
            repo_id=repo_id,
            folder_path=str(dataset_dir),
            repo_type="dataset",
            token=token,
            commit_message="Upload dataset built with newskit",
            ignore_patterns=[".*", "**/.*"],  # temporary files of interrupted writes
        )
    except (HfHubHTTPError, *_transport_errors()) as exc:
        raise _hub_error(exc, repo_id, token) from None
    return str(url)
