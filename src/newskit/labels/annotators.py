"""Who the annotators are, as the dataset card may say it: ``labels/annotators.yaml``.

Label Studio names annotators by e-mail address, which the kit never publishes. The
registry maps an annotator id (as in ``labels/annotations.jsonl``) to a public name and a
sentence about who they are and how they labeled. Annotators not in the registry are
published under a pseudonym and the card marks their description as unknown.

A pseudonym is an HMAC of the e-mail address under the project's secret salt
(``$NEWSKIT_PSEUDONYM_SALT``, else ``labels/.pseudonym-salt``, created with mode 0600 on
first need and kept out of git): a plain hash of an address could be reversed by hashing
guesses, a keyed one cannot without the salt. A team that builds on several machines shares
the salt privately, or names everyone in ``annotators.yaml``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from newskit.errors import NewskitError

REGISTRY_FILE = "annotators.yaml"
SALT_FILE = ".pseudonym-salt"
SALT_ENV = "NEWSKIT_PSEUDONYM_SALT"


class Annotator(BaseModel):
    """The public face of one annotator id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str = Field(min_length=1)


class Registry(dict[str, Annotator]):
    """Annotator id → :class:`Annotator`, and the pseudonyms of everyone not listed."""

    def __init__(self, entries: dict[str, Annotator] | None = None, *, salt_path: Path | None = None):
        super().__init__(entries or {})
        self.salt_path = salt_path
        self._salt: bytes | None = None

    def salt(self) -> bytes:
        """The secret salt: from the environment, else the salt file (created on first need)."""
        if self._salt is None:
            self._salt = _read_or_create_salt(self.salt_path)
        return self._salt

    def public(self, name: str) -> str:
        """The published name: the registry's name, a named id as it is, an e-mail as a pseudonym."""
        if name in self:
            return self[name].name
        if "@" not in name:
            return name
        digest = hmac.new(self.salt(), name.strip().lower().encode("utf-8"), hashlib.sha256)
        return "annotator-" + digest.hexdigest()[:10]


def _read_or_create_salt(path: Path | None) -> bytes:
    from_env = os.environ.get(SALT_ENV, "").strip()
    if from_env:
        return from_env.encode("utf-8")
    if path is None:  # no project folder: a salt for this process only
        return secrets.token_bytes(32)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        raise NewskitError(f"{path}: the pseudonym salt is empty", f"delete the file or set ${SALT_ENV}")
    return value.encode("utf-8")


def load_annotators(path: Path | None) -> Registry:
    """Read the registry at ``path``; a missing file (or ``None``) is an empty registry.

    Pseudonyms use the salt beside the registry (:data:`SALT_FILE`).
    """
    salt_path = Path(path).parent / SALT_FILE if path is not None else None
    if path is None or not Path(path).exists():
        return Registry(salt_path=salt_path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise NewskitError(f"{path}{where}: not valid YAML", "fix the syntax of the file") from None
    if not isinstance(data, dict):
        raise NewskitError(f"{path}: expected a mapping of annotator id → name, description", "see README")
    registry = Registry(salt_path=salt_path)
    for key, value in data.items():
        try:
            registry[str(key)] = Annotator.model_validate(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            place = ".".join(str(p) for p in (key, *first["loc"]))
            raise NewskitError(
                f"{path}: [{place}] {first['msg']}", "each entry needs name and description"
            ) from None
    names = [a.name for a in registry.values()]
    if len(names) != len(set(names)):
        raise NewskitError(f"{path}: two annotator ids share a public name", "give each a name of its own")
    return registry
