"""Compare model candidates by nested article-grouped CV on the labeled data (on demand, not in CI).

    python bench/candidates.py                      # the committed dataset, train + validation
    python bench/candidates.py --dataset other/dataset --max-folds 5

For every candidate (one config with one grid entry) and task: outer article-grouped folds;
inside each outer training part the kit's own fit (``TaskCV.fit``: calibration and decision
thresholds from inner grouped out-of-fold probabilities, then the final fit); the outer
articles are scored once. Reported: macro F1 over all labels (mean over outer folds), expected
calibration error of the pooled outer probabilities, and the seconds all fits took. Last, the
whole selection of ``training/baseline.toml`` (grid + calibration + thresholds) is nested the
same way, as ``newskit evaluate`` does. The test split is not read.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
COMMON = """
seed = 20240224
max_folds = {folds}
[evaluation]
calibration_bins = 10
"""
PLAIN = "[thresholds]\ntune = false\n"
# name → config text after COMMON (features, calibration, one grid entry).
CANDIDATES: dict[str, str] = {
    "anchor: TF-IDF word 1-2 + char 2-5, LR (C=1, unweighted), no tuning": PLAIN
    + "[[grid]]\nmodel = 'logreg'\nC = [1.0]\nclass_weight = ['none']\n",
    "LR C=10 balanced, thresholds tuned (the 0.1 baseline's first choice)": "[[grid]]\nmodel = 'logreg'\n"
    "C = [10.0]\n",
    "LR C=10 balanced + sigmoid calibration": "[calibration]\nmethod = 'sigmoid'\n"
    "[[grid]]\nmodel = 'logreg'\nC = [10.0]\n",
    "LR C=10 balanced + calibration + attribution features": "[calibration]\nmethod = 'sigmoid'\n"
    "[features]\nattribution = true\n[[grid]]\nmodel = 'logreg'\nC = [10.0]\n",
    "LR C=10 balanced + calibration, char weight 0.5": "[calibration]\nmethod = 'sigmoid'\n"
    "[features]\nchar_weight = 0.5\n[[grid]]\nmodel = 'logreg'\nC = [10.0]\n",
    "NB-SVM (LR C=1 on log-count ratios) + calibration": "[calibration]\nmethod = 'sigmoid'\n"
    "[[grid]]\nmodel = 'nbsvm'\nC = [1.0]\n",
    "NB-SVM + calibration + attribution": "[calibration]\nmethod = 'sigmoid'\n"
    "[features]\nattribution = true\n[[grid]]\nmodel = 'nbsvm'\nC = [1.0]\n",
    "complement NB alpha=0.3 + calibration": "[calibration]\nmethod = 'sigmoid'\n"
    "[[grid]]\nmodel = 'complement_nb'\nalpha = [0.3]\n",
    "linear SVM C=0.5 (Platt inside) + calibration": "[calibration]\nmethod = 'sigmoid'\n"
    "[[grid]]\nmodel = 'linear_svm'\nC = [0.5]\n",
}


def nested_scores(config, pool, tasks) -> dict[str, dict[str, float]]:
    """Per task: mean outer-fold macro F1, ECE of the pooled outer probabilities, seconds."""
    from newskit.training.calibration import calibration_pairs, expected_calibration_error
    from newskit.training.crossval import TaskCV
    from newskit.training.metrics import decide, f1_scores

    params = config.candidates()[0]
    result = {}
    for task in tasks:
        cv = TaskCV.for_task(task, pool, config)
        start = time.perf_counter()
        proba = np.zeros((len(cv), len(task.labels)))
        scores = []
        for train_idx, score_idx in cv.folds:
            fitted = cv.subset(train_idx).fit(params)
            proba[score_idx] = fitted.probabilities(cv.texts[score_idx], task)
            predicted = decide(proba[score_idx], task.kind, fitted.thresholds)
            scores.append(f1_scores(task.kind, cv.y[score_idx], predicted, len(task.labels))[0])
        outcomes, probabilities = calibration_pairs(task.kind, cv.y, proba)
        result[task.field] = {
            "macro_f1": float(np.mean(scores)),
            "macro_f1_std": float(np.std(scores)),
            "ece": expected_calibration_error(outcomes, probabilities, config.evaluation.calibration_bins),
            "seconds": time.perf_counter() - start,
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", type=Path, default=REPO / "dataset")
    parser.add_argument("--max-folds", type=int, default=5)
    args = parser.parse_args()

    from newskit.training.config import load_config, parse_config
    from newskit.training.crossval import TaskCV
    from newskit.training.data import load_splits, training_pool
    from newskit.training.evaluation_cv import cross_validate

    splits, tasks = load_splits(args.dataset)
    pool = training_pool(splits, "merge")
    print(f"{len(pool)} sentences, {len(set(pool.groups.tolist()))} articles (train + validation)")
    fields = [task.field for task in tasks]
    header = " | ".join(f"{f} macro F1 | {f} ECE" for f in fields)
    print(f"| candidate | {header} | seconds |")
    print("|---|" + "---:|" * (2 * len(fields) + 1))
    for name, text in CANDIDATES.items():
        config = parse_config(COMMON.format(folds=args.max_folds) + text, name)
        try:
            scores = nested_scores(config, pool, tasks)
        except ValueError as exc:  # e.g. the SVM's own 3 calibration folds need 3 examples per class
            print(f"| {name} | failed: {' '.join(str(exc).split())} |", flush=True)
            continue
        cells = " | ".join(
            f"{scores[f]['macro_f1']:.3f} ± {scores[f]['macro_f1_std']:.3f} | {scores[f]['ece']:.3f}"
            for f in fields
        )
        print(f"| {name} | {cells} | {sum(s['seconds'] for s in scores.values()):.1f} |", flush=True)
    config, _ = load_config(REPO / "training" / "baseline.toml")
    start = time.perf_counter()
    cells = []
    for task in tasks:
        nested = cross_validate(TaskCV.for_task(task, pool, config))
        cells.append(
            f"{nested['model']['macro_f1']['mean']:.3f} ± {nested['model']['macro_f1']['std']:.3f} | –"
        )
    print(
        f"| training/baseline.toml, whole selection nested | {' | '.join(cells)} | "
        f"{time.perf_counter() - start:.1f} |"
    )


if __name__ == "__main__":
    main()
