"""Where the Label Studio server is and which key to use: flags, environment, the local record; no SDK.

The CLI reads these for every Label Studio command; keeping them apart from the adapter means
``newskit --help`` and the offline commands never load ``label_studio_sdk``.

The server URL is, in this order: ``--url``, else ``$LABEL_STUDIO_URL``, else the server that
``newskit studio up`` started from ``.labelstudio/`` in the working directory (it records its
URL in ``.labelstudio/server.json`` while it runs), else ``http://127.0.0.1:8080``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from newskit.errors import NewskitError

DEFAULT_URL = "http://127.0.0.1:8080"
DEFAULT_DATA_DIR = Path(".labelstudio")
SERVER_FILE = "server.json"  # written by `studio up` while the server runs: pid, port, url, database
API_KEY_ENV = "LABEL_STUDIO_API_KEY"
URL_ENV = "LABEL_STUDIO_URL"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def read_server_record(data_dir: Path = DEFAULT_DATA_DIR) -> dict | None:
    """The record of the server started from ``data_dir`` (``server.json``), or None."""
    try:
        record = json.loads((Path(data_dir) / SERVER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("pid"), int) else None


def normalize_url(url: str, *, origin: str = "--url") -> str:
    """``url`` with ``http://`` added when it has no scheme and without a trailing slash.

    ``127.0.0.1:18493`` becomes ``http://127.0.0.1:18493``; a scheme other than http(s), a
    missing host or a bad port is an error naming ``origin`` (the flag or variable it came from).
    """
    text = url.strip()
    if not _SCHEME.match(text):
        text = "http://" + text
    hint = f"give the server's address in {origin}, e.g. http://127.0.0.1:8080"
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise NewskitError(f"{origin} {url!r} is not an http(s) URL", hint)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if not parts.hostname or port == -1:
        raise NewskitError(f"{origin} {url!r} is not a valid server address", hint)
    if parts.query or parts.fragment:
        raise NewskitError(f"{origin} {url!r} has a query or fragment", hint)
    return text.rstrip("/")


def resolve_url(url: str | None = None, *, data_dir: Path = DEFAULT_DATA_DIR) -> tuple[str, str]:
    """The Label Studio URL and where it came from (see the module docstring for the order)."""
    if url:
        return normalize_url(url, origin="--url"), "--url"
    if os.environ.get(URL_ENV, "").strip():
        return normalize_url(os.environ[URL_ENV], origin=f"${URL_ENV}"), f"${URL_ENV}"
    record = read_server_record(data_dir)
    if record and isinstance(record.get("url"), str):
        return normalize_url(record["url"], origin=str(Path(data_dir) / SERVER_FILE)), str(
            Path(data_dir) / SERVER_FILE
        )
    return DEFAULT_URL, "default"


def url_from_env(url: str | None = None, *, data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """The Label Studio URL: ``url``, ``$LABEL_STUDIO_URL``, the running ``studio up``, the default."""
    return resolve_url(url, data_dir=data_dir)[0]


def api_key_from_env() -> str:
    """The API key from ``$LABEL_STUDIO_API_KEY`` (never from a flag: flags land in shell history)."""
    key = os.environ.get(API_KEY_ENV, "").strip()
    if not key:
        raise NewskitError(
            f"no Label Studio API key: {API_KEY_ENV} is not set",
            f"copy the key (legacy token or personal access token) from Label Studio's "
            f"'Account & Settings' page and run: export {API_KEY_ENV}=...; for a server started "
            f"with `newskit studio up`: export {API_KEY_ENV}=$(cat .labelstudio/api_key)",
        )
    return key
