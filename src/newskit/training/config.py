"""The training config (``training/baseline.toml``): features, model grid, seeds, evaluation settings.

The TOML file is validated by pydantic; an error names the file and the place
(``training/baseline.toml: [grid.1.C] ...``). The grid is a list of tables, each with
one ``model`` and lists of values; every combination of one table is a candidate.
"""

from __future__ import annotations

import tomllib
from itertools import product
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from newskit.errors import NewskitError

DEFAULT_CONFIG_PATH = Path("training/baseline.toml")
ModelKind = Literal["logreg", "linear_svm", "complement_nb", "sgd", "nbsvm"]
# Which hyperparameters each model accepts (besides the feature overrides every model accepts).
MODEL_PARAMS: dict[str, tuple[str, ...]] = {
    "logreg": ("C", "class_weight"),
    "linear_svm": ("C", "class_weight"),
    "complement_nb": ("alpha",),
    "sgd": ("alpha", "class_weight"),
    "nbsvm": ("C", "class_weight"),  # logistic regression on log-count-ratio scaled features
}
FEATURE_OVERRIDES = ("word_ngrams", "char_ngrams", "char_weight", "attribution")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeatureConfig(_Strict):
    """How sentences become vectors: TF-IDF (vocabulary) or hashing (no vocabulary, for large data)."""

    kind: Literal["tfidf", "hashing"] = "tfidf"
    word_ngrams: tuple[int, int] | None = (1, 2)
    char_ngrams: tuple[int, int] | None = (2, 5)
    lowercase: bool = True
    min_df: int = Field(1, ge=1)
    max_features: int | None = Field(None, ge=1)
    sublinear_tf: bool = True
    hashing_features: int = Field(2**20, ge=16)
    # Weight of the character n-gram block against the word block in the feature union.
    char_weight: float = Field(1.0, gt=0)
    # Reported speech and attribution: one feature per cue and the word after it ("sagte peskow",
    # "laut kiew", "kiew zufolge"); who says something matters for stance.
    attribution: bool = False

    @field_validator("word_ngrams", "char_ngrams", mode="before")
    @classmethod
    def _empty_means_off(cls, value: Any) -> Any:
        # TOML has no null: an empty list switches a kind of n-grams off.
        return None if value == [] else value

    @model_validator(mode="after")
    def _some_features(self) -> FeatureConfig:
        if self.word_ngrams is None and self.char_ngrams is None:
            raise ValueError("set word_ngrams or char_ngrams (or both)")
        return self


class GridEntry(_Strict):
    """One table of the grid: a model and lists of values to try."""

    model: ModelKind
    C: list[float] = Field(default_factory=lambda: [1.0])
    alpha: list[float] = Field(default_factory=lambda: [1.0])
    # TOML has no null: "none" means unweighted classes.
    class_weight: list[Literal["balanced", "none"]] = Field(default_factory=lambda: ["balanced"])
    word_ngrams: list[tuple[int, int]] | None = None
    char_ngrams: list[tuple[int, int]] | None = None
    char_weight: list[float] | None = None
    attribution: list[bool] | None = None

    def candidates(self) -> list[dict[str, Any]]:
        """Every combination of this table's values, as flat parameter dicts (deterministic order)."""
        names = [*MODEL_PARAMS[self.model], *(n for n in FEATURE_OVERRIDES if getattr(self, n) is not None)]
        values = [getattr(self, name) for name in names]
        return [{"model": self.model, **dict(zip(names, combo, strict=True))} for combo in product(*values)]


class ThresholdConfig(_Strict):
    """Per-label decision thresholds of multi-label tasks, tuned on out-of-fold training probabilities."""

    tune: bool = True
    default: float = Field(0.5, gt=0, lt=1)
    candidates: list[float] = Field(default_factory=lambda: [round(0.05 * i, 2) for i in range(1, 20)])


class CalibrationConfig(_Strict):
    """Probability calibration, kept apart from decisions.

    ``sigmoid``: fitted on the article-grouped out-of-fold probabilities of the training data,
    Platt scaling per label (multi-label tasks) or temperature scaling (single-label tasks, the
    argmax unchanged); decision thresholds are then tuned on the calibrated probabilities.
    ``none``: the classifier's own probabilities.
    """

    method: Literal["none", "sigmoid"] = "none"


class EvaluationConfig(_Strict):
    """Settings of ``newskit evaluate``."""

    bootstrap_resamples: int = Field(1000, ge=10)
    # "auto" and "article" resample test articles; "sentence" (too narrow: sentences of one
    # article are not independent) is kept for comparison with older runs.
    bootstrap_unit: Literal["auto", "article", "sentence"] = "auto"
    # Fewer test articles than this: the interval is marked unreliable.
    bootstrap_min_articles: int = Field(10, ge=2)
    calibration_bins: int = Field(10, ge=2)
    learning_curve_points: int = Field(5, ge=2)


class CardConfig(_Strict):
    """Facts for the model card that the data cannot tell (left as placeholders when unset)."""

    model_id: str | None = None
    dataset_id: str | None = None
    license: str | None = None


class TrainConfig(_Strict):
    """The whole training config."""

    seed: int = 0
    text_field: str = "text"
    group_field: str = "article_id"
    max_folds: int = Field(5, ge=2)
    validation: Literal["merge", "ignore"] = "merge"
    # Threads per fit for its per-class binary problems (SGD one-vs-all, one-vs-rest over labels).
    # The calibrated linear SVM always runs in one thread (liblinear's random generator is
    # process-wide; see models.THREAD_SAFE_MODELS).
    jobs: int = Field(1, ge=1)
    features: FeatureConfig = FeatureConfig()
    thresholds: ThresholdConfig = ThresholdConfig()
    calibration: CalibrationConfig = CalibrationConfig()
    evaluation: EvaluationConfig = EvaluationConfig()
    card: CardConfig = CardConfig()
    grid: list[GridEntry] = Field(min_length=1)

    def candidates(self) -> list[dict[str, Any]]:
        """All grid candidates in file order."""
        return [candidate for entry in self.grid for candidate in entry.candidates()]


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def parse_config(text: str, source: str = "<config>") -> TrainConfig:
    """Parse and validate TOML text; errors name ``source`` and the field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise NewskitError(f"{source}: not valid TOML ({exc})", "fix the syntax of the config") from None
    try:
        return TrainConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise NewskitError(
            f"{source}: [{_location(first['loc'])}] {first['msg']}",
            "see training/baseline.toml for a valid config",
        ) from None


def load_config(path: Path | None = None) -> tuple[TrainConfig, str]:
    """Read a config file; return the validated config and its exact text (copied into the run)."""
    path = Path(path or DEFAULT_CONFIG_PATH)
    if not path.is_file():
        raise NewskitError(
            f"{path}: config file not found", "pass --config PATH or create training/baseline.toml"
        )
    text = path.read_text(encoding="utf-8")
    return parse_config(text, str(path)), text
