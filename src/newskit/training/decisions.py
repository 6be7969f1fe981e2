"""From probabilities to a decision that obeys the label schema, and how sure the model is of it.

The rule, applied by :meth:`newskit.training.predict.Run.predict` to every prediction:

* single-choice task: the most probable label, and only it;
* multi-label task: every label whose probability reaches its decision threshold, then
  - an **exclusive** label (one that must be chosen alone, such as ``none``) is never kept
    together with others: if the strongest exclusive label clears its threshold by a larger
    margin than the strongest other label (margin ``(p - t) / (1 - t)``, the share of the room
    above the threshold), it stays alone; otherwise the exclusive labels are dropped;
  - if no label reaches its threshold, the label nearest to its threshold (largest ``p / t``)
    is chosen, so that every task gets an answer, as the labeling config requires.

The **confidence** of a decision is the probability the model gives to the least probable label
it proposes: for a single-choice task the probability of its choice, for a multi-label task the
smallest probability among the chosen labels. Across tasks the smallest value counts, so a
sentence's confidence reads "every label proposed for this sentence has at least this
probability". It lies in [0, 1] and is what ``push --order uncertain`` sorts by.
"""

from __future__ import annotations

import numpy as np


def decide_with_schema(
    proba: np.ndarray,
    kind: str,
    thresholds: list[float] | None = None,
    exclusive: list[int] | None = None,
) -> np.ndarray:
    """The decision for each row of ``proba`` (rows × labels), following the module's rule.

    Returns a 0/1 matrix (rows × labels) for both kinds; a single-choice row has one 1.
    ``exclusive`` lists the column indices of labels that must be chosen alone.
    """
    proba = np.asarray(proba, dtype=float)
    rows = np.arange(len(proba))
    if kind == "single":
        chosen = np.zeros(proba.shape, dtype=np.int64)
        if len(proba):
            chosen[rows, np.argmax(proba, axis=1)] = 1
        return chosen
    limits = np.asarray(thresholds if thresholds is not None else [0.5] * proba.shape[1], dtype=float)
    chosen = proba >= limits
    if exclusive:
        is_exclusive = np.zeros(proba.shape[1], dtype=bool)
        is_exclusive[list(exclusive)] = True
        margin = np.where(chosen, (proba - limits) / np.maximum(1 - limits, 1e-12), -np.inf)
        best_exclusive = np.where(is_exclusive, margin, -np.inf).max(axis=1)
        best_other = np.where(~is_exclusive, margin, -np.inf).max(axis=1)
        clash = chosen[:, is_exclusive].any(axis=1) & chosen[:, ~is_exclusive].any(axis=1)
        exclusive_wins = clash & (best_exclusive > best_other)
        chosen[clash & ~exclusive_wins] &= ~is_exclusive
        chosen[exclusive_wins] &= is_exclusive
        # Several exclusive labels (alone) cannot stand together either: keep the strongest.
        several = chosen[:, is_exclusive].sum(axis=1) > 1
        if several.any():
            strongest = np.where(is_exclusive, margin, -np.inf).argmax(axis=1)
            chosen[several] = False
            chosen[rows[several], strongest[several]] = True
    empty = ~chosen.any(axis=1)
    if empty.any():
        nearest = (proba / np.maximum(limits, 1e-12)).argmax(axis=1)
        chosen[rows[empty], nearest[empty]] = True
    return chosen.astype(np.int64)


def decision_confidence(proba: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Per row, the smallest probability among the chosen labels (see the module docstring)."""
    proba = np.asarray(proba, dtype=float)
    return np.where(np.asarray(chosen, dtype=bool), proba, np.inf).min(axis=1).clip(0.0, 1.0)
