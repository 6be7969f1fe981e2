"""The label schema: which tasks annotators answer and which labels each task has.

``labels/schema.yaml`` is the single source of truth: the Label Studio config, the
annotation instructions, the dataset features and the classifiers are all derived
from it. The structure is validated by pydantic; the checks across fields (duplicate
ids, hotkeys shared between tasks, exclusive labels) raise :class:`SchemaProblem`,
which carries its own location, so every error names the place, e.g.
``labels/schema.yaml: [tasks.event_type.labels.3] duplicate id 'strike'``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from newskit.errors import NewskitError
from newskit.labels.schema_yaml import read_yaml

DEFAULT_SCHEMA_PATH = Path("labels/schema.yaml")
SUPPORTED_SCHEMA_VERSIONS = ("1",)
ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
HOTKEY_PATTERN = re.compile(r"((ctrl|shift|alt|meta)\+)*[a-z0-9]")
# Names the Label Studio config, the annotation rows and the dataset already use for
# something else: a task (or its dataset field) with one of these names would clash.
RESERVED_NAMES = frozenset(
    {
        "text", "title", "source", "date", "url", "context_before", "context_after",  # config / task data
        "sentence_id", "article_id", "annotator", "cancelled", "created_at", "updated_at",  # annotation rows
        "lead_time", "task_id", "annotation_id", "project", "snapshot",
        "id", "sentence_index", "n_annotations", "agreement", "confidence",  # dataset columns, predictions
    }
)  # fmt: skip


class SchemaProblem(ValueError):
    """A problem found by a cross-field check, with the place it refers to."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


def _check_id(value: str) -> str:
    if not ID_PATTERN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid id (use lowercase letters, digits and _: [a-z][a-z0-9_]*)"
        )
    return value


def _check_no_dollar(value: str) -> str:
    if "$" in value:
        raise ValueError(f"{value!r} contains '$', which starts a data variable in Label Studio")
    return value


class Label(BaseModel):
    """One label of a task: its id (stored in results), display name, description and hotkey."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    display: str = Field(min_length=1)
    description: str = ""
    hotkey: str | None = None
    acled: str | None = None
    plover: list[str] = Field(default_factory=list)

    _id = field_validator("id")(_check_id)
    _display = field_validator("display", "description")(_check_no_dollar)

    @field_validator("hotkey")
    @classmethod
    def _hotkey_is_one_key(cls, value: str | None) -> str | None:
        if value is not None and not HOTKEY_PATTERN.fullmatch(value):
            raise ValueError(
                f"hotkey {value!r} must be one lowercase key, optionally with modifiers (shift+a)"
            )
        return value


class Task(BaseModel):
    """One question annotators answer per sentence: multi-label (``multi``) or one choice (``single``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    field: str
    kind: Literal["multi", "single"]
    title: str = Field(min_length=1)
    question: str = ""
    labels: list[Label]
    exclusive: list[str] = Field(default_factory=list)

    _ids = field_validator("name", "field")(_check_id)
    _texts = field_validator("title", "question")(_check_no_dollar)

    @property
    def label_ids(self) -> list[str]:
        """The label ids in schema order."""
        return [label.id for label in self.labels]

    def label(self, label_id: str) -> Label:
        """The label with this id (``KeyError`` if there is none)."""
        for label in self.labels:
            if label.id == label_id:
                return label
        raise KeyError(label_id)

    @model_validator(mode="after")
    def _check_labels(self) -> Task:
        where = ("tasks", self.name)
        if not self.labels:
            raise SchemaProblem((*where, "labels"), "empty label list (a task needs at least one label)")
        seen: dict[str, int] = {}
        for index, label in enumerate(self.labels):
            if label.id in seen:
                raise SchemaProblem((*where, "labels", index), f"duplicate id {label.id!r}")
            seen[label.id] = index
        if self.exclusive and self.kind != "multi":
            raise SchemaProblem(
                (*where, "exclusive"),
                "exclusive labels only make sense in a multi task (single is exclusive)",
            )
        for index, label_id in enumerate(self.exclusive):
            if label_id not in seen:
                raise SchemaProblem(
                    (*where, "exclusive", index), f"exclusive label {label_id!r} is not a label of this task"
                )
        return self


class Schema(BaseModel):
    """The whole label schema: metadata plus the ordered list of tasks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    version: str
    guidelines_version: str = Field(min_length=1)
    guidelines: str = "GUIDELINES.md"
    language: str = Field(min_length=2)
    description: str = ""
    tasks: list[Task] = Field(min_length=1)

    _source: Path | None = PrivateAttr(default=None)

    @property
    def source_path(self) -> Path | None:
        """The file the schema was loaded from (``None`` if built in code)."""
        return self._source

    @property
    def guidelines_path(self) -> Path | None:
        """The guidelines file, relative to the schema file's folder (``None`` if built in code)."""
        return None if self._source is None else self._source.parent / self.guidelines

    def task(self, name: str) -> Task:
        """The task with this name; a :class:`NewskitError` naming the known tasks if there is none."""
        for task in self.tasks:
            if task.name == name:
                return task
        known = ", ".join(t.name for t in self.tasks)
        raise NewskitError(f"the schema has no task {name!r}", f"known tasks: {known}")

    @field_validator("version")
    @classmethod
    def _known_version(cls, value: str) -> str:
        if value not in SUPPORTED_SCHEMA_VERSIONS:
            raise ValueError(
                f"unsupported schema version {value!r} (supported: {', '.join(SUPPORTED_SCHEMA_VERSIONS)})"
            )
        return value

    @model_validator(mode="after")
    def _check_tasks(self) -> Schema:
        names: dict[str, int] = {}
        fields: dict[str, str] = {}
        hotkeys: dict[str, str] = {}
        for index, task in enumerate(self.tasks):
            if task.name in names:
                raise SchemaProblem(("tasks", index, "name"), f"duplicate task name {task.name!r}")
            names[task.name] = index
            for attribute in ("name", "field"):
                value = getattr(task, attribute)
                if value in RESERVED_NAMES:
                    raise SchemaProblem(
                        ("tasks", task.name, attribute),
                        f"{value!r} is reserved (the kit uses it for other data)",
                    )
            if task.field in fields:
                raise SchemaProblem(
                    ("tasks", task.name, "field"),
                    f"duplicate field {task.field!r} (also the field of task {fields[task.field]!r})",
                )
            fields[task.field] = task.name
            for label_index, label in enumerate(task.labels):
                if label.hotkey is None:
                    continue
                here = f"tasks.{task.name}.labels.{label_index}"
                if label.hotkey in hotkeys:
                    raise SchemaProblem(
                        ("tasks", task.name, "labels", label_index, "hotkey"),
                        f"hotkey {label.hotkey!r} is already used by {hotkeys[label.hotkey]} "
                        "(Label Studio hotkeys are global)",
                    )
                hotkeys[label.hotkey] = here
        return self


def _location(loc: tuple[str | int, ...], data: Any) -> str:
    """Render a pydantic location, naming tasks by their name where the raw data has one."""
    parts: list[str] = []
    for position, part in enumerate(loc):
        if position == 1 and loc[0] == "tasks" and isinstance(part, int) and isinstance(data, dict):
            tasks = data.get("tasks")
            if isinstance(tasks, list) and part < len(tasks) and isinstance(tasks[part], dict):
                name = tasks[part].get("name")
                same = [t for t in tasks if isinstance(t, dict) and t.get("name") == name]
                if isinstance(name, str) and name and len(same) == 1:
                    part = name
        parts.append(str(part))
    return ".".join(parts)


def _describe(error: dict[str, Any], data: Any) -> str:
    """One readable line for one pydantic error."""
    context = error.get("ctx") or {}
    problem = context.get("error")
    if isinstance(problem, SchemaProblem):
        return f"[{'.'.join(str(part) for part in problem.loc)}] {problem.message}"
    loc = tuple(error["loc"])
    where = _location(loc, data)
    kind = error["type"]
    if kind == "extra_forbidden":
        message = f"unknown key {loc[-1]!r}"
        where = _location(loc[:-1], data)
    elif kind == "missing":
        message = f"missing key {loc[-1]!r}"
        where = _location(loc[:-1], data)
    elif kind == "literal_error" and loc[-1] == "kind":
        message = f"unknown task kind {error['input']!r} (expected 'multi' or 'single')"
    elif kind == "value_error" and isinstance(problem, Exception):
        message = str(problem)
    elif kind == "string_type":
        message = f"expected a string, got {error['input']!r} (quote it in YAML)"
    else:
        message = error["msg"][:1].lower() + error["msg"][1:]
    return f"[{where}] {message}" if where else message


def schema_from_data(data: Any, source: str | Path = "<schema>") -> Schema:
    """Validate already-parsed schema data; errors become one :class:`NewskitError` naming ``source``."""
    if not isinstance(data, dict):
        raise NewskitError(
            f"{source}: expected a mapping with name, version and tasks", "see labels/schema.yaml"
        )
    try:
        schema = Schema.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(error, data) for error in exc.errors()]
        message = f"{source}: {problems[0]}"
        if len(problems) > 1:
            message += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
        raise NewskitError(message, "fix the schema file; `newskit schema check` validates it") from None
    return schema


def load_schema(path: Path | None = None) -> Schema:
    """Load and validate the label schema (default ``labels/schema.yaml``)."""
    path = Path(path) if path is not None else DEFAULT_SCHEMA_PATH
    schema = schema_from_data(read_yaml(path), path)
    schema._source = path
    return schema
