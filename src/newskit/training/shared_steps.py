"""Apply a feature step once per batch when several task pipelines begin with the same fitted steps.

A run keeps one pipeline per task (one ``<field>.skops`` file each). Tasks trained on the
same sentences with the same feature settings end up with equal fitted feature steps (same
vocabulary, same IDF weights), and the hashing step of a hashing config holds no fitted
state at all. Prediction then transforms each text once for all of those tasks instead of
once per task; every task still gets exactly the numbers its own pipeline would give.

Equality is checked on the loaded objects, attribute by attribute (settings and fitted
state), never assumed from the config: a step counts as shared only if it really is equal.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse
from sklearn.pipeline import Pipeline

# A cache scikit-learn vectorizers keep of ``id()`` of their stop word list: not model state.
_IGNORED_ATTRIBUTES = frozenset({"_stop_words_id"})


def same_fitted(a: Any, b: Any) -> bool:
    """True if ``a`` and ``b`` are the same type with equal settings and equal fitted state."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and bool(np.array_equal(a, b))
    if sparse.issparse(a):
        return a.dtype == b.dtype and a.shape == b.shape and (a != b).nnz == 0
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_fitted(a[key], b[key]) for key in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same_fitted(x, y) for x, y in zip(a, b, strict=True))
    if hasattr(a, "__dict__") and not isinstance(a, type):
        mine = {k: v for k, v in vars(a).items() if k not in _IGNORED_ATTRIBUTES}
        theirs = {k: v for k, v in vars(b).items() if k not in _IGNORED_ATTRIBUTES}
        return same_fitted(mine, theirs)
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # objects without a meaningful ==: never assume equal
        return False


class SharedSteps:
    """The pipelines of a run, with equal leading steps applied once per batch.

    ``prefix_keys[name][k]`` names the first pipeline whose first ``k`` steps equal those of
    pipeline ``name``; outputs are cached per batch under that key.
    """

    def __init__(self, pipelines: dict[str, Pipeline]) -> None:
        self.pipelines = pipelines
        self.prefix_keys: dict[str, list[tuple[str, int]]] = {}
        for name, pipeline in pipelines.items():
            steps = pipeline.steps[:-1]
            keys = [("", 0)]  # the texts themselves
            for k, (step_name, step) in enumerate(steps, start=1):
                key = (name, k)
                for other, other_keys in self.prefix_keys.items():
                    other_steps = pipelines[other].steps[:-1]
                    if (
                        len(other_keys) > k
                        and other_keys[k - 1] == keys[k - 1]
                        and other_steps[k - 1][0] == step_name
                        and same_fitted(other_steps[k - 1][1], step)
                    ):
                        key = other_keys[k]
                        break
                keys.append(key)
            self.prefix_keys[name] = keys

    def shared_names(self) -> list[list[str]]:
        """Groups of pipelines whose whole feature part (all steps but the classifier) is shared."""
        groups: dict[tuple[str, int], list[str]] = {}
        for name, keys in self.prefix_keys.items():
            groups.setdefault(keys[-1], []).append(name)
        return list(groups.values())

    def predict_proba(self, texts) -> dict[str, tuple[np.ndarray, Any]]:
        """Per pipeline, ``predict_proba`` of its classifier on the batch, and the classifier's classes."""
        cache: dict[tuple[str, int], Any] = {("", 0): texts}

        def output(name: str, k: int) -> Any:
            key = self.prefix_keys[name][k]
            if key not in cache:
                cache[key] = self.pipelines[name].steps[k - 1][1].transform(output(name, k - 1))
            return cache[key]

        results = {}
        for name, pipeline in self.pipelines.items():
            classifier = pipeline.steps[-1][1]
            features = output(name, len(pipeline.steps) - 1)
            results[name] = (classifier.predict_proba(features), classifier.classes_)
        return results
