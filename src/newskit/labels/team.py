"""How many people label each task: ``labels/team.yaml``, applied to the project by ``newskit push``.

Label Studio (community edition) has three project settings for it, set here under ``overlap``:

- ``annotators_per_task`` → ``maximum_annotations``: a task counts as done once it has this many
  annotations, and "Label All Tasks" serves it to other people until then;
- ``share_percent`` → ``overlap_cohort_percentage``: the share of tasks that get
  ``annotators_per_task`` people (for measuring agreement); the other tasks get one;
- ``overlap_first`` → ``show_overlap_first``: serve the shared tasks before the others.

A missing file leaves the project's settings as they are (Label Studio's default: one person per
task). Server-free: pydantic validates the file and errors name the key that is wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from newskit.errors import NewskitError
from newskit.labels.schema_yaml import read_yaml

TEAM_FILE = "team.yaml"


class Overlap(BaseModel):
    """How many annotators label each task, and on which share of the tasks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    annotators_per_task: int = Field(default=1, ge=1, le=100)
    share_percent: int = Field(default=100, ge=0, le=100)
    overlap_first: bool = False

    def project_settings(self) -> dict[str, Any]:
        """The Label Studio project fields that carry this setting."""
        return {
            "maximum_annotations": self.annotators_per_task,
            "overlap_cohort_percentage": self.share_percent,
            "show_overlap_first": self.overlap_first,
        }

    def describe(self) -> str:
        """One line for people: ``2 annotators on 20% of tasks (shared tasks first), 1 on the rest``."""
        if self.annotators_per_task == 1:
            return "1 annotator per task"
        if self.share_percent == 100:
            return f"{self.annotators_per_task} annotators on every task"
        first = " (shared tasks first)" if self.overlap_first else ""
        shared = f"{self.annotators_per_task} annotators on {self.share_percent}% of tasks"
        return f"{shared}{first}, 1 on the rest"


class TeamSettings(BaseModel):
    """The contents of ``labels/team.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    overlap: Overlap = Overlap()


def load_team_settings(path: Path) -> TeamSettings | None:
    """Read ``path``; ``None`` when it does not exist (the project's settings are then left alone)."""
    path = Path(path)
    if not path.exists():
        return None
    data = read_yaml(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise NewskitError(f"{path}: expected a mapping with the key overlap", "see the README")
    try:
        return TeamSettings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        place = ".".join(str(p) for p in first["loc"])
        raise NewskitError(
            f"{path}: [{place}] {first['msg']}",
            "overlap takes annotators_per_task (1-100), share_percent (0-100) and overlap_first (true/false)",
        ) from None
