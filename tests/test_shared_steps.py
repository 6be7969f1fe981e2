"""Feature steps shared across task pipelines: equality of fitted steps, same numbers as each pipeline."""

from __future__ import annotations

import numpy as np
import pytest

from newskit.training.config import FeatureConfig
from newskit.training.models import build_model
from newskit.training.shared_steps import SharedSteps, same_fitted
from tests.test_models import MULTI, PARAMS, SINGLE, TEXTS

TFIDF = FeatureConfig(word_ngrams=(1, 2), char_ngrams=(2, 4))
HASHING = FeatureConfig(kind="hashing", word_ngrams=(1, 2), char_ngrams=(3, 4), hashing_features=2**12)


def _fit(features: FeatureConfig, kind: str, rows=slice(None), model: str = "logreg"):
    y = SINGLE if kind == "single" else MULTI
    return build_model(kind, PARAMS[model], features, seed=3).fit(TEXTS[rows], y[rows])


def _assert_same_numbers_as_each_pipeline(pipelines):
    shared = SharedSteps(pipelines).predict_proba(TEXTS)
    for name, pipeline in pipelines.items():
        proba, classes = shared[name]
        np.testing.assert_array_equal(proba, pipeline.predict_proba(TEXTS))
        np.testing.assert_array_equal(classes, pipeline.classes_)


def test_features_fitted_on_the_same_texts_are_shared():
    pipelines = {"a": _fit(TFIDF, "multi"), "b": _fit(TFIDF, "single", model="linear_svm")}
    assert same_fitted(pipelines["a"].steps[0][1], pipelines["b"].steps[0][1])
    assert SharedSteps(pipelines).shared_names() == [["a", "b"]]
    _assert_same_numbers_as_each_pipeline(pipelines)


def test_features_fitted_on_other_texts_are_not_shared():
    pipelines = {"a": _fit(TFIDF, "multi"), "b": _fit(TFIDF, "single", rows=slice(2, None))}
    assert not same_fitted(pipelines["a"].steps[0][1], pipelines["b"].steps[0][1])
    assert SharedSteps(pipelines).shared_names() == [["a"], ["b"]]
    _assert_same_numbers_as_each_pipeline(pipelines)


def test_other_settings_are_not_shared():
    other = FeatureConfig(word_ngrams=(1, 1), char_ngrams=(2, 4))
    pipelines = {"a": _fit(TFIDF, "single"), "b": _fit(other, "single")}
    assert SharedSteps(pipelines).shared_names() == [["a"], ["b"]]


def test_hashing_step_is_shared_even_when_the_idf_differs():
    pipelines = {
        "a": _fit(HASHING, "multi", model="sgd"),
        "b": _fit(HASHING, "single", slice(3, None), "sgd"),
    }
    keys = SharedSteps(pipelines).prefix_keys
    assert keys["a"][1] == keys["b"][1]  # the stateless hashing step
    assert keys["a"][2] != keys["b"][2]  # IDF weights fitted on other rows
    _assert_same_numbers_as_each_pipeline(pipelines)


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (np.array([1.0, 2.0]), np.array([1.0, 2.0]), True),
        (np.array([1.0, 2.0]), np.array([1.0, 2.0], dtype=np.float32), False),
        ({"x": [1, (2, 3)]}, {"x": [1, (2, 3)]}, True),
        ({"x": [1, (2, 3)]}, {"x": [1, (2, 4)]}, False),
        (np.float32, np.float32, True),
        (np.float32, np.float64, False),
        (1, 1.0, False),
    ],
)
def test_same_fitted_compares_values_and_types(a, b, equal):
    assert same_fitted(a, b) is equal
