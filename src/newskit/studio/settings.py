"""Where the Label Studio server is and which key to use: read from the environment, no SDK.

The CLI reads these for every Label Studio command; keeping them apart from the adapter means
``newskit --help`` and the offline commands never load ``label_studio_sdk``.
"""

from __future__ import annotations

import os

from newskit.errors import NewskitError

DEFAULT_URL = "http://127.0.0.1:8080"
API_KEY_ENV = "LABEL_STUDIO_API_KEY"
URL_ENV = "LABEL_STUDIO_URL"


def url_from_env(url: str | None = None) -> str:
    """The Label Studio URL: ``url`` if given, else ``$LABEL_STUDIO_URL``, else the local default."""
    return (url or os.environ.get(URL_ENV) or DEFAULT_URL).rstrip("/")


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
