"""Reading the schema's YAML: safe loading, duplicate keys refused, errors with file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from newskit.errors import NewskitError


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses duplicate keys (PyYAML keeps the last one silently)."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file safely; errors (missing file, bad syntax, duplicate keys) name file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NewskitError(
            f"{path}: schema file not found", "run from the project folder or pass --schema PATH"
        ) from None
    except UnicodeDecodeError as exc:
        raise NewskitError(
            f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})", "save it as UTF-8"
        ) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = exc.problem or exc.context or "syntax error"
        raise NewskitError(f"{where}: YAML error: {problem}", "fix the YAML syntax at that line") from None
    except yaml.YAMLError as exc:
        raise NewskitError(f"{path}: YAML error: {exc}", "fix the YAML syntax") from None
