"""Who the annotators are, as the dataset card may say it: ``labels/annotators.yaml``.

Label Studio names annotators by e-mail address, which the kit never publishes. The
registry maps an annotator id (as in ``labels/annotations.jsonl``) to a public name and a
sentence about who they are and how they labeled. Annotators not in the registry are
published under a pseudonym and the card marks their description as unknown.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from newskit.errors import NewskitError

REGISTRY_FILE = "annotators.yaml"


class Annotator(BaseModel):
    """The public face of one annotator id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str = Field(min_length=1)


def load_annotators(path: Path | None) -> dict[str, Annotator]:
    """Read the registry at ``path``; a missing file (or ``None``) is an empty registry."""
    if path is None or not Path(path).exists():
        return {}
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise NewskitError(f"{path}{where}: not valid YAML", "fix the syntax of the file") from None
    if not isinstance(data, dict):
        raise NewskitError(f"{path}: expected a mapping of annotator id → name, description", "see README")
    registry: dict[str, Annotator] = {}
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
