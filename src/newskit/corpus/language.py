"""Language identification for ``ingest --language``, with py3langid's packaged model (no download)."""

from __future__ import annotations

import functools
from typing import Any


@functools.lru_cache(maxsize=1)
def _identifier() -> Any:
    import py3langid  # the model ships inside the package; loading it takes a few seconds

    return py3langid


def language_of(text: str) -> str:
    """The ISO 639-1 code of the most likely language of ``text`` (e.g. ``de``)."""
    code, _score = _identifier().classify(text)
    return code
