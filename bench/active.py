"""Simulated labeling (on demand, not in CI): uncertainty-first vs random order of labeling.

    python bench/active.py                              # the committed seed dataset (dataset/)
    python bench/active.py --dataset path/to/dataset    # any dataset folder written by `newskit build`
    python bench/active.py --synthetic 1000             # recombined seed sentences, keyword-rule labels

The labels of a labeled dataset stand in for the annotators. Per seed, whole articles are held
out (about ``--test-share`` of the sentences; article-grouped, as everywhere in newskit); the
rest is the pool. Both orders start from the same random batch of ``--step`` sentences; each
round trains one model per task on the sentences "labeled" so far, scores macro F1 on the
held-out articles, then "labels" the next ``--step`` sentences: the next ones of a seeded random
permutation (random), or the ones the current models are least sure of (uncertainty-first: the
confidence of the least sure task, exactly what ``newskit push --order uncertain`` uses).

Reported per task: the full-pool macro F1 and how many labeled sentences each order needs to
first reach 95% of it (mean over seeds; a seed that never reaches it counts the whole pool),
and how many fewer uncertainty-first needs. The model is the training config's features with
one grid candidate (``--candidate``, default the first), multi-label thresholds at the default.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from newskit.training.config import load_config  # noqa: E402
from newskit.training.data import SPLITS, SplitData, TaskSpec, load_splits  # noqa: E402
from newskit.training.fitting import fit_pipeline  # noqa: E402
from newskit.training.metrics import decide, f1_scores  # noqa: E402
from newskit.training.models import class_probabilities  # noqa: E402
from newskit.training.predict import task_confidence  # noqa: E402

ORDERS = ("random", "uncertainty")
TARGET_SHARE = 0.95


def all_rows(dataset: Path, config) -> tuple[SplitData, list[TaskSpec]]:
    """Every split of the dataset as one set of rows (the held-out set is chosen here, by article)."""
    splits, tasks = load_splits(dataset, text_field=config.text_field, group_field=config.group_field)
    parts = [splits[name] for name in SPLITS if name in splits]
    rows = SplitData(
        texts=np.concatenate([p.texts for p in parts]),
        groups=np.concatenate([p.groups for p in parts]),
        columns={t.field: [v for p in parts for v in p.columns[t.field]] for t in tasks},
    )
    return rows, tasks


def held_out(groups: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """A mask of whole articles, taken in a seeded random order until ``share`` of the rows."""
    articles = sorted(set(groups.tolist()))
    if len(articles) < 3:
        raise SystemExit(f"need at least 3 articles (one held out, two to learn from), got {len(articles)}")
    order = rng.permutation(len(articles))
    mask = np.zeros(len(groups), dtype=bool)
    for taken, index in enumerate(order, start=1):
        mask |= groups == articles[index]
        if mask.mean() >= share or taken == len(articles) - 2:
            break
    return mask


class Simulation:
    """One seed: the held-out articles, the pool and the targets of every task."""

    def __init__(self, rows: SplitData, tasks: list[TaskSpec], config, params, seed: int, share: float):
        self.tasks, self.config, self.params = tasks, config, params
        rng = np.random.default_rng(seed)
        test = held_out(rows.groups, share, rng)
        self.pool_texts, self.test_texts = rows.texts[~test], rows.texts[test]
        self.targets = {t.field: rows.targets(t) for t in tasks}  # (y, present) over all rows
        self.pool_index, self.test_index = np.flatnonzero(~test), np.flatnonzero(test)
        self.permutation = rng.permutation(len(self.pool_index))
        self.test_articles = len(set(rows.groups[test].tolist()))

    def fit(self, chosen: np.ndarray) -> dict[str, object]:
        """One model per task on the chosen pool rows that have its label (None if it cannot be fitted)."""
        models = {}
        for task in self.tasks:
            y, present = self.targets[task.field]
            rows = self.pool_index[chosen]
            rows = rows[present[rows]]
            try:
                texts = self.pool_texts_of(rows)
                models[task.field] = fit_pipeline(task, texts, y[rows], self.params, self.config)
            except ValueError:  # e.g. one class only in a small labeled set
                models[task.field] = None
        return models

    def pool_texts_of(self, rows: np.ndarray) -> np.ndarray:
        return self.pool_texts[np.searchsorted(self.pool_index, rows)]

    def score(self, models: dict[str, object]) -> dict[str, float]:
        """Macro F1 per task on the held-out rows that have its label."""
        scores = {}
        for task in self.tasks:
            y, present = self.targets[task.field]
            rows = self.test_index[present[self.test_index]]
            model = models[task.field]
            if model is None or len(rows) == 0:
                scores[task.field] = math.nan
                continue
            texts = self.test_texts[np.searchsorted(self.test_index, rows)]
            proba = class_probabilities(model, texts, task.kind, len(task.labels))
            predicted = decide(proba, task.kind, None)
            scores[task.field] = f1_scores(task.kind, y[rows], predicted, len(task.labels))[0]
        return scores

    def least_sure(self, models: dict[str, object], candidates: np.ndarray, count: int) -> np.ndarray:
        """The ``count`` candidates (pool positions) with the lowest least-sure-task confidence."""
        confidence = np.ones(len(candidates))
        texts = self.pool_texts[candidates]
        for task in self.tasks:
            model = models[task.field]
            if model is not None:
                proba = class_probabilities(model, texts, task.kind, len(task.labels))
                confidence = np.minimum(confidence, task_confidence(proba, task.kind, None))
        return candidates[np.argsort(confidence, kind="stable")[:count]]

    def curve(self, order: str, step: int) -> list[dict]:
        """Macro F1 per task after each batch of ``step`` labels, until the whole pool is labeled."""
        size = len(self.pool_index)
        chosen = np.zeros(size, dtype=bool)
        chosen[self.permutation[:step]] = True
        points = []
        while True:
            models = self.fit(chosen)
            points.append({"labeled": int(chosen.sum()), "macro_f1": self.score(models)})
            if chosen.all():
                return points
            remaining = self.permutation[~chosen[self.permutation]]  # unlabeled, in random order
            if order == "random":
                chosen[remaining[:step]] = True
            else:
                chosen[self.least_sure(models, remaining, step)] = True


def labels_to_reach(points: list[dict], field: str, target: float) -> int:
    """The first number of labels whose macro F1 reaches ``target`` (the whole pool if none does)."""
    for point in points:
        value = point["macro_f1"][field]
        if not math.isnan(value) and value >= target:
            return point["labeled"]
    return points[-1]["labeled"]


def synthetic_dataset(folder: Path, n: int) -> Path:
    """``bench/training.py``'s synthetic dataset: recombined seed sentences, keyword-rule labels."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from training import write_dataset  # bench/training.py

    return write_dataset(folder, n, seed=0)


def run(dataset: Path, config_path: Path, candidate: int, seeds: int, step: int | None, share: float) -> dict:
    """Both orders on every seed; the summary per task."""
    config, _ = load_config(config_path)
    params = config.candidates()[candidate]
    rows, tasks = all_rows(dataset, config)
    results = {"dataset": str(dataset), "sentences": len(rows), "articles": len(set(rows.groups.tolist())),
               "config": config_path.name, "params": params, "seeds": seeds, "tasks": {}}  # fmt: skip
    runs = []
    for seed in range(seeds):
        simulation = Simulation(rows, tasks, config, params, seed, share)
        batch = step or max(5, round(0.05 * len(simulation.pool_index)))
        curves = {order: simulation.curve(order, batch) for order in ORDERS}
        runs.append({"seed": seed, "pool": len(simulation.pool_index),
                     "held_out": len(simulation.test_index), "held_out_articles": simulation.test_articles,
                     "step": batch, "curves": curves})  # fmt: skip
    for task in tasks:
        needed = {order: [] for order in ORDERS}
        full = []
        for one in runs:
            final = one["curves"]["random"][-1]["macro_f1"][task.field]
            full.append(final)
            for order in ORDERS:
                needed[order].append(labels_to_reach(one["curves"][order], task.field, TARGET_SHARE * final))
        mean = {order: float(np.mean(values)) for order, values in needed.items()}
        results["tasks"][task.field] = {
            "full_pool_macro_f1": float(np.nanmean(full)),
            "labels_needed": {order: {"mean": mean[order], "per_seed": needed[order]} for order in ORDERS},
            "fewer_labels": 1 - mean["uncertainty"] / mean["random"],
        }
    results["runs"] = runs
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=REPO / "dataset")
    parser.add_argument("--synthetic", type=int, default=None, help="use N synthetic sentences instead")
    parser.add_argument("--config", type=Path, default=REPO / "training" / "baseline.toml")
    parser.add_argument("--candidate", type=int, default=0, help="grid candidate of the config (from 0)")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--step", type=int, default=None, help="labels per round (default 5%% of the pool)")
    parser.add_argument("--test-share", type=float, default=0.25)
    parser.add_argument("--out", type=Path, default=None, help="write the full results as JSON")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newskit-active-") as folder:
        dataset = args.dataset
        if args.synthetic:
            dataset = synthetic_dataset(Path(folder) / "synthetic", args.synthetic)
        results = run(dataset, args.config, args.candidate, args.seeds, args.step, args.test_share)
    if args.dataset.resolve().is_relative_to(REPO):  # print the folder as the repository names it
        results["dataset"] = args.dataset.resolve().relative_to(REPO).as_posix()
    if args.synthetic:
        results["dataset"] = f"synthetic ({args.synthetic} + {args.synthetic // 10} sentences)"
    results["seconds"] = round(time.perf_counter() - started, 1)
    first = results["runs"][0]
    print(f"dataset: {results['dataset']}: {results['sentences']} sentences, {results['articles']} articles; "
          f"model {results['params']}; {args.seeds} seeds; pool about {first['pool']} sentences, "
          f"held out about {first['held_out']} ({first['held_out_articles']} article(s)); "
          f"{first['step']} labels per round; {results['seconds']} s")  # fmt: skip
    print()
    print("| task | full-pool macro F1 | labels to 95%: random | uncertainty-first | fewer labels |")
    print("|---|---:|---:|---:|---:|")
    for field, task in results["tasks"].items():
        needed = task["labels_needed"]
        print(f"| {field} | {task['full_pool_macro_f1']:.3f} | {needed['random']['mean']:.1f} "
              f"{needed['random']['per_seed']} | {needed['uncertainty']['mean']:.1f} "
              f"{needed['uncertainty']['per_seed']} | {task['fewer_labels']:.0%} |")  # fmt: skip
    if args.out:
        args.out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
