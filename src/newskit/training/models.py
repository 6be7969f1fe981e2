"""Model pipelines (built-in scikit-learn parts only) and their safe persistence with skops.

Vectorizers use built-in analyzers (``word`` and ``char_wb``) and no Python callables,
so skops can save them. Models are never pickled: :func:`save_model` writes a skops
file and :func:`load_model` loads it only if every type it contains is one scikit-learn
or skops trust by default or one on our short :data:`TRUSTED_TYPES` allow-list.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.multiclass import OneVsRestClassifier
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from newskit.errors import NewskitError
from newskit.jsonio import atomic_write
from newskit.training.config import FeatureConfig
from newskit.training.nbsvm import LogCountRatio

# Types our pipelines contain that skops does not trust by default. Only these are
# accepted on load besides skops' own defaults; anything else refuses the file.
TRUSTED_TYPES = (
    "newskit.training.nbsvm.LogCountRatio",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.multiclass._ConstantPredictor",
)
SVM_CALIBRATION_FOLDS = 3


def _ngram_ranges(features: FeatureConfig, params: dict[str, Any]) -> list[tuple[str, str, tuple]]:
    """(name, analyzer, range) of each n-gram kind switched on; ``params`` may override the ranges."""
    word = params.get("word_ngrams", features.word_ngrams)
    char = params.get("char_ngrams", features.char_ngrams)
    kinds = (("word", "word", word), ("char", "char_wb", char))
    return [(name, analyzer, tuple(ngrams)) for name, analyzer, ngrams in kinds if ngrams is not None]


def build_features(features: FeatureConfig, params: dict[str, Any]) -> FeatureUnion:
    """TF-IDF word and character n-gram features, or (``kind = "hashing"``) hashed n-gram counts.

    Hashed counts carry no fitted state: every task pipeline of a run starts with the same
    step, so prediction computes it once per batch (see :mod:`newskit.training.shared_steps`).
    """
    parts = []
    for name, analyzer, ngrams in _ngram_ranges(features, params):
        if features.kind == "tfidf":
            vectorizer: Any = TfidfVectorizer(
                analyzer=analyzer,
                ngram_range=ngrams,
                lowercase=features.lowercase,
                min_df=features.min_df,
                max_features=features.max_features,
                sublinear_tf=features.sublinear_tf,
                dtype=np.float32,
            )
        else:  # hashing: no vocabulary to hold in memory
            vectorizer = HashingVectorizer(
                analyzer=analyzer,
                ngram_range=ngrams,
                lowercase=features.lowercase,
                n_features=features.hashing_features,
                alternate_sign=False,
                norm=None,
                dtype=np.float32,
            )
        parts.append((name, vectorizer))
    if params.get("attribution", features.attribution):
        # A regular expression as the token pattern: a built-in analyzer, so skops can save it.
        # Hashed (no vocabulary): a fold without any cue must not fail with an empty vocabulary.
        attribution = HashingVectorizer(
            analyzer="word",
            token_pattern=ATTRIBUTION_PATTERN,
            lowercase=True,
            n_features=ATTRIBUTION_FEATURES,
            alternate_sign=False,
            binary=True,
            norm="l2",
            dtype=np.float32,
        )
        parts.append(("attribution", attribution))
    char_weight = params.get("char_weight", features.char_weight)
    weights = {"char": char_weight} if char_weight != 1.0 and any(n == "char" for n, _ in parts) else None
    return FeatureUnion(parts, transformer_weights=weights)


# Reported speech and attribution cues (lowercased text): a speech verb or "laut"/"so" with the
# (article and) word after it, "X zufolge", "nach Angaben (der|des|von) X". One capture group:
# scikit-learn then uses the group as the token.
ATTRIBUTION_PATTERN = (
    r"(?u)\b((?:laut|so|sagte|sagt|sagten|erklärte|erklärten|betonte|warnte|kritisierte|forderte|"
    r"behauptete|meldete|meldeten|berichtete|schrieb|bestätigte|dementierte|drohte|hieß es aus)"
    r"\s+(?:(?:der|die|das|dem|den|des)\s+)?\w+"
    r"|\w+\s+zufolge"
    r"|nach\s+angaben\s+(?:(?:der|des|von)\s+)?\w+)"
)

ATTRIBUTION_FEATURES = 2**14

# Models whose per-class fits may run in threads at once with the same result. Not linear_svm:
# liblinear draws from the C library's process-wide random generator, so threads interleave it.
THREAD_SAFE_MODELS = frozenset({"logreg", "complement_nb", "sgd", "nbsvm"})


def build_classifier(params: dict[str, Any], seed: int, kind: str = "single") -> Any:
    """One binary/multi-class classifier with ``predict_proba`` for the given grid candidate."""
    model = params["model"]
    weight = None if params.get("class_weight", "none") == "none" else params["class_weight"]
    if model == "logreg":
        return LogisticRegression(C=params["C"], class_weight=weight, max_iter=2000, random_state=seed)
    if model == "linear_svm":
        # LinearSVC has no probabilities: calibrate with Platt scaling on internal folds.
        svm = LinearSVC(C=params["C"], class_weight=weight, random_state=seed)
        return CalibratedClassifierCV(svm, method="sigmoid", cv=SVM_CALIBRATION_FOLDS)
    if model == "complement_nb":
        return ComplementNB(alpha=params["alpha"])
    if model == "nbsvm":
        scaled = Pipeline(
            [
                ("ratio", LogCountRatio(alpha=1.0)),
                (
                    "logreg",
                    LogisticRegression(C=params["C"], class_weight=weight, max_iter=2000, random_state=seed),
                ),
            ]
        )
        # One ratio per binary problem: multi-class tasks go one-vs-rest (multi-label ones already do).
        return scaled if kind == "multi" else OneVsRestClassifier(scaled)
    if model == "sgd":
        return SGDClassifier(
            loss="log_loss",
            alpha=params["alpha"],
            class_weight=weight,
            random_state=seed,
            max_iter=20,
            tol=1e-4,
        )
    raise NewskitError(f"unknown model '{model}'", "use logreg, linear_svm, complement_nb, nbsvm or sgd")


def build_model(kind: str, params: dict[str, Any], features: FeatureConfig, seed: int) -> Pipeline:
    """Features + classifier; a multi-label task gets one-vs-rest over its labels.

    Hashing features get their IDF weighting as a step of its own after the (stateless)
    hashing, one TF-IDF over all hashed n-gram kinds together.
    """
    classifier = build_classifier(params, seed, kind)
    if kind == "multi":
        classifier = OneVsRestClassifier(classifier)
    steps: list[tuple[str, Any]] = [("features", build_features(features, params))]
    if features.kind == "hashing":
        steps.append(("tfidf", TfidfTransformer(sublinear_tf=features.sublinear_tf)))
    return Pipeline([*steps, ("classifier", classifier)])


def class_probabilities(pipeline: Pipeline, texts, kind: str, n_labels: int) -> np.ndarray:
    """Probabilities as (rows × all task labels), also when training saw only some classes."""
    return task_probabilities(pipeline.predict_proba(texts), pipeline.classes_, kind, n_labels)


def task_probabilities(proba, classes, kind: str, n_labels: int) -> np.ndarray:
    """A classifier's ``predict_proba`` output as float64 (rows × all task labels)."""
    proba = np.asarray(proba, dtype=np.float64)
    if kind == "multi":
        return proba
    full = np.zeros((proba.shape[0], n_labels))
    full[:, np.asarray(classes, dtype=np.int64)] = proba
    # float32 features give float32 probabilities; renormalise so rows sum to one in float64.
    return full / full.sum(axis=1, keepdims=True)


_OBJECT_ID = re.compile(r'("__id__":\s*)(\d+)|("file":\s*")(\d+)(\.npy")')
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _deterministic_skops(data: bytes) -> bytes:
    """Rewrite a skops archive so the same model always gives the same bytes.

    skops names array files and memo entries after ``id()`` of the Python objects and
    stamps zip entries with the current time, so two dumps of one model differ. Here
    every object id is renumbered in order of first appearance in ``schema.json`` (one
    consistent mapping, so references stay valid), entries are written in name order
    with a fixed timestamp, and everything is deflated (the vocabulary is verbose JSON).
    """
    numbers: dict[str, str] = {}

    def renumber(match: re.Match) -> str:
        old = match.group(2) or match.group(4)
        new = numbers.setdefault(old, str(len(numbers) + 1))
        if match.group(1) is not None:
            return match.group(1) + new
        return match.group(3) + new + match.group(5)

    source = zipfile.ZipFile(io.BytesIO(data))
    schema = _OBJECT_ID.sub(renumber, source.read("schema.json").decode("utf-8"))
    entries = {"schema.json": schema.encode("utf-8")}
    for name in source.namelist():
        if name != "schema.json":
            stem = name.removesuffix(".npy")
            entries[f"{numbers.get(stem, stem)}.npy" if name.endswith(".npy") else name] = source.read(name)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, entries[name], compresslevel=6)
    return out.getvalue()


def save_model(pipeline: Pipeline, path: Path) -> None:
    """Write ``pipeline`` as a byte-deterministic skops file (atomically; never pickle)."""
    import skops.io as sio

    for _, step in pipeline.named_steps["features"].transformer_list:
        for part in step.named_steps.values() if isinstance(step, Pipeline) else [step]:
            # A cache holding id() of a Python object: an address means nothing in a file and
            # made every save differ. Without it the vectorizer re-checks its (absent) stop words.
            if hasattr(part, "_stop_words_id"):
                del part._stop_words_id
    with atomic_write(Path(path), "wb") as handle:
        handle.write(_deterministic_skops(sio.dumps(pipeline)))


def load_model(path: Path) -> Pipeline:
    """Load a skops file, refusing it if it holds a type outside skops' defaults and our allow-list."""
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise NewskitError(f"{path}: model file not found", "run `newskit train` first")
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise NewskitError(
            f"{path}: not a skops model file ({type(exc).__name__})", "retrain with `newskit train`"
        ) from None
    refused = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if refused:
        raise NewskitError(
            f"{path}: refusing to load untrusted types {', '.join(refused)}",
            "only load models written by `newskit train`",
        )
    try:
        return sio.load(path, trusted=list(untrusted))
    except Exception as exc:  # a corrupt skops archive can fail in many ways
        raise NewskitError(f"{path}: cannot load model ({type(exc).__name__}: {exc})", "retrain it") from None
