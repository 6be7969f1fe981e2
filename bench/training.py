"""Benchmark of the training stage (on demand, not in CI): the shipped configs and alternatives.

    python bench/training.py                          # train 1,000,000 sentences, predict 100,000
    python bench/training.py --train-size 20000 --configs all

Targets: prediction ≥ 20,000 sentences/s through ``newskit.training.predict.load_run(run).predict``
(both tasks), and training on 1,000,000 sentences in under 3 minutes and 4 GB peak RSS.

Every configuration is a training config file: the shipped ``training/*.toml`` or a
shipped file with one line changed (the alternatives). For each one the benchmark

* predicts: trains a run with ``newskit.training.train.train`` (the config as it is, whole grid) on
  5,000 sentences, loads it with ``load_run`` and times ``Run.predict`` on ``--predict-size``;
* trains one task model (the config's features and first grid candidate, one fit, as
  ``newskit train`` does last) per task kind on ``--train-size`` sentences, each in a fresh
  process so its peak RSS (``ru_maxrss``) is its own;
* with ``--full-train``: runs the whole ``newskit.training.train.train`` (both tasks, grouped CV of
  every grid candidate, threshold tuning, final fits) on ``--train-size`` sentences, then
  ``newskit.training.evaluate.evaluate`` on a test split a tenth that size.

The corpus is synthetic: real sentences of the seed articles recombined (the first part
of one sentence + the rest of another), 50 per article, with labels from a keyword rule.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
EVENT_RULES = {
    "attack": r"angriff|drohne|rakete|beschuss|front|soldat|armee",
    "diplomacy": r"gespräch|verhandl|friede|kreml|treffen|abkommen",
    "humanitarian": r"heizung|strom|zivil|wasser|kälte|energie",
}
STANCES = ["pro_ukraine", "neutral", "pro_russia"]
TARGET_PER_SECOND = 20_000
TARGET_SECONDS = 180
TARGET_RSS_GB = 4
# name → (shipped config file, {line to replace: replacement}); the shipped ones change nothing.
CONFIGS: dict[str, tuple[str, dict[str, str]]] = {
    "baseline.toml": ("baseline.toml", {}),
    "baseline.toml, words only": ("baseline.toml", {"char_ngrams = [2, 5]": "char_ngrams = []"}),
    "baseline.toml, min_df = 2": ("baseline.toml", {"min_df = 1": "min_df = 2"}),
    "baseline.toml, max_folds = 3": ("baseline.toml", {"max_folds = 5": "max_folds = 3"}),
    "large.toml": ("large.toml", {}),
    "large.toml, jobs = 1": ("large.toml", {"jobs = 2": "jobs = 1"}),
    "large.toml + hashed char_wb 3-5": ("large.toml", {"char_ngrams = []": "char_ngrams = [3, 5]"}),
}
DEFAULT_CONFIGS = ["large.toml"]


def config_text(name: str) -> str:
    """The TOML text of configuration ``name`` (a shipped file, maybe with one line changed)."""
    file, changes = CONFIGS[name]
    text = (REPO / "training" / file).read_text(encoding="utf-8")
    for old, new in changes.items():
        lines = [line for line in text.splitlines() if line.split("#")[0].strip() == old]
        if len(lines) != 1:
            raise SystemExit(f"training/{file} has no line '{old}' any more: update CONFIGS in {__file__}")
        text = text.replace(lines[0], new)
    return text


SEED_CACHE = Path(tempfile.gettempdir()) / "newskit-bench-seed-sentences.json"


def seed_sentences() -> list[str]:
    """Sentences of the seed articles, split by the kit's segmenter (cached for the child processes)."""
    if SEED_CACHE.is_file():
        return json.loads(SEED_CACHE.read_text(encoding="utf-8"))
    import ftfy

    from newskit.segment import segment

    sentences = []
    for path in sorted((REPO / "corpus" / "raw").glob("*.txt")):
        text = ftfy.fix_text(path.read_text(encoding="utf-8", errors="replace"))
        sentences += [text[a:b].strip() for a, b in segment(text) if len(text[a:b].split()) >= 4]
    SEED_CACHE.write_text(json.dumps(sentences, ensure_ascii=False), encoding="utf-8")
    return sentences


def synthetic(n: int, seed: int = 0) -> tuple[list[str], np.ndarray, np.ndarray]:
    """``n`` recombined sentences, their stance indices and event indicator matrix."""
    base = [s.split() for s in seed_sentences()]
    rng = np.random.default_rng(seed)
    first, second = rng.integers(0, len(base), n), rng.integers(0, len(base), n)
    texts = []
    for a, b in zip(first, second, strict=True):
        left, right = base[a], base[b]
        texts.append(" ".join(left[: len(left) // 2] + right[len(right) // 2 :]))
    lowered = [t.lower() for t in texts]
    events = np.array(
        [[bool(re.search(p, t)) for p in EVENT_RULES.values()] for t in lowered], dtype=np.int64
    )
    stance = np.array([2 if "russ" in t else 0 if "ukrain" in t else 1 for t in lowered], dtype=np.int64)
    return texts, stance, events


def write_dataset(folder: Path, n: int, seed: int) -> Path:
    """A dataset folder: ``n`` synthetic training sentences, ``n // 10`` test sentences, 50 per article."""
    import datasets

    datasets.disable_progress_bars()
    features = datasets.Features(
        {
            "text": datasets.Value("string"),
            "article_id": datasets.Value("string"),
            "event_types": datasets.List(datasets.ClassLabel(names=list(EVENT_RULES))),
            "stance": datasets.ClassLabel(names=STANCES),
        }
    )
    (folder / "data").mkdir(parents=True)
    for split, size, split_seed in (("train", n, seed), ("test", n // 10, seed + 100)):
        texts, stance, events = synthetic(size, seed=split_seed)
        rows = {
            "text": texts,
            "article_id": [f"{split}-article-{i // 50}" for i in range(size)],
            "event_types": [np.flatnonzero(r).tolist() for r in events],
            "stance": stance.tolist(),
        }
        dataset = datasets.Dataset.from_dict(rows, features=features)
        dataset.to_parquet(folder / "data" / f"{split}.parquet")
    return folder


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # Linux: KiB


def fit_child(name: str, kind: str, n: int) -> None:
    """(In a fresh process) fit one task model of config ``name`` on ``n`` sentences; print the cost."""
    from newskit.training.config import parse_config
    from newskit.training.data import TaskSpec
    from newskit.training.fitting import fit_pipeline

    config = parse_config(config_text(name), name)
    texts, stance, events = synthetic(n)
    task = TaskSpec(kind, kind, list(EVENT_RULES) if kind == "multi" else STANCES)
    start = time.perf_counter()  # the fit as newskit.training.fitting does it (threads, warnings, BLAS)
    fit_pipeline(
        task,
        np.array(texts, dtype=object),
        events if kind == "multi" else stance,
        config.candidates()[0],
        config,
    )
    print(json.dumps({"seconds": time.perf_counter() - start, "rss_gb": _peak_rss_gb()}))


def _tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants now (Linux ``/proc``), in bytes."""
    try:
        with open(f"/proc/{pid}/statm") as handle:
            total = int(handle.read().split()[1]) * resource.getpagesize()
        children = []
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as handle:
                children += [int(c) for c in handle.read().split()]
    except (FileNotFoundError, ProcessLookupError):  # it ended while we looked
        return 0
    return total + sum(_tree_rss_bytes(child) for child in children)


def full_train_child(name: str, dataset: str, evaluate_too: bool = True) -> None:
    """(In a fresh process) ``newskit.training.train.train`` of ``name`` on ``dataset``, then ``evaluate``.

    Memory is sampled every 50 ms over this process and any child processes together, so the
    peak is what the machine held; each stage reports its own peak.
    """
    import threading

    from newskit.training.evaluate import evaluate
    from newskit.training.train import train

    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], _tree_rss_bytes(os.getpid()))

    sampler = threading.Thread(target=sample, daemon=True)
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "bench.toml"
        config.write_text(config_text(name), encoding="utf-8")
        sampler.start()
        stages = {
            "train": lambda: train(dataset_dir=Path(dataset), config_path=config, out_dir=Path(tmp) / "run"),
            "evaluate": lambda: evaluate(run_dir=Path(tmp) / "run", dataset_dir=Path(dataset)),
        }
        for stage, call in stages.items():
            if stage == "evaluate" and not evaluate_too:
                continue
            peak[0] = 0
            start = time.perf_counter()
            call()
            result[stage] = {"seconds": time.perf_counter() - start, "rss_gb": peak[0] / 1024**3}
        done.set()
        sampler.join()
    print(json.dumps(result))


def write_dataset_child(folder: str, n: int) -> None:
    """(In a fresh process) write the synthetic dataset, so its making costs the trainer nothing."""
    write_dataset(Path(folder), n, seed=0)
    print(json.dumps({"folder": folder}))


def in_child(*args: str) -> dict:
    """Run this script with ``--child ARGS`` in a fresh process; return the JSON it prints."""
    command = [sys.executable, __file__, "--child", *args]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure_prediction(name: str, n_train: int, n_predict: int) -> dict:
    """Train a run of config ``name`` on ``n_train`` sentences via the kit, then time ``Run.predict``."""
    from newskit.training.predict import load_run
    from newskit.training.train import train

    with tempfile.TemporaryDirectory() as tmp:
        dataset = write_dataset(Path(tmp) / "dataset", n_train, seed=1)
        config = Path(tmp) / "bench.toml"
        config.write_text(config_text(name), encoding="utf-8")
        train(dataset_dir=dataset, config_path=config, out_dir=Path(tmp) / "run")
        run = load_run(Path(tmp) / "run")
        sentences = synthetic(n_predict, seed=2)[0]
        run.predict(sentences[:1000])  # warm-up
        start = time.perf_counter()
        results = run.predict(sentences)
        seconds = time.perf_counter() - start
    assert len(results) == n_predict
    return {
        "per_second": n_predict / seconds,
        "shared": " + ".join("/".join(group) for group in run.shared_steps.shared_names()),
        "chosen": {field: task["chosen"] for field, task in run.info["tasks"].items()},
    }


def verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--train-size", type=int, default=1_000_000, help="sentences to train on")
    parser.add_argument("--predict-size", type=int, default=100_000, help="sentences to predict")
    parser.add_argument(
        "--predict-train-size", type=int, default=5_000, help="training size of the run used to predict"
    )
    parser.add_argument(
        "--configs", nargs="*", default=DEFAULT_CONFIGS, help=f"'all' or some of: {', '.join(CONFIGS)}"
    )
    parser.add_argument("--kinds", nargs="*", default=["single", "multi"], help="task kinds to fit")
    parser.add_argument("--skip-predict", action="store_true")
    parser.add_argument("--skip-fit", action="store_true", help="skip the one-model fits")
    parser.add_argument("--full-train", action="store_true", help="also time the whole `newskit train`")
    parser.add_argument("--skip-evaluate", action="store_true", help="with --full-train: train only")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child[0] == "fit":
            fit_child(args.child[1], args.child[2], int(args.child[3]))
        elif args.child[0] == "dataset":
            write_dataset_child(args.child[1], int(args.child[2]))
        else:
            full_train_child(args.child[1], args.child[2], evaluate_too=args.child[3:] != ["train-only"])
        return
    names = list(CONFIGS) if args.configs == ["all"] else args.configs
    unknown = sorted(set(names) - set(CONFIGS))
    if unknown:
        parser.error(f"unknown configs {unknown}; choose from {list(CONFIGS)} or 'all'")
    seed_sentences()  # fill the cache before the children start
    print(
        f"train size {args.train_size:,}; predict {args.predict_size:,} "
        f"with runs trained on {args.predict_train_size:,}"
    )
    fits: dict[tuple[str, str], dict] = {}
    for name in names:
        if not args.skip_predict:
            p = measure_prediction(name, args.predict_train_size, args.predict_size)
            print(
                f"predict {name:34} {p['per_second']:9,.0f} sentences/s "
                f"({verdict(p['per_second'] >= TARGET_PER_SECOND)} ≥ {TARGET_PER_SECOND:,}); "
                f"features computed once for: {p['shared']}",
                flush=True,
            )
        for kind in [] if args.skip_fit else args.kinds:
            r = fits[name, kind] = in_child("fit", name, kind, str(args.train_size))
            ok = r["seconds"] < TARGET_SECONDS and r["rss_gb"] < TARGET_RSS_GB
            print(
                f"fit     {name:34} {kind:6} model: {r['seconds']:7.1f} s, peak RSS {r['rss_gb']:.2f} GB "
                f"({verdict(ok)} < {TARGET_SECONDS} s, < {TARGET_RSS_GB} GB)",
                flush=True,
            )
        if args.full_train:
            with tempfile.TemporaryDirectory() as tmp:
                in_child("dataset", str(Path(tmp) / "dataset"), str(args.train_size))
                only = ["train-only"] if args.skip_evaluate else []
                stages = in_child("train", name, str(Path(tmp) / "dataset"), *only)
            r = stages["train"]
            ok = r["seconds"] < TARGET_SECONDS and r["rss_gb"] < TARGET_RSS_GB
            print(
                f"train   {name:34} newskit train: {r['seconds']:7.1f} s, peak RSS {r['rss_gb']:.2f} GB "
                f"({verdict(ok)} < {TARGET_SECONDS} s, < {TARGET_RSS_GB} GB)",
                flush=True,
            )
            if "evaluate" in stages:
                e = stages["evaluate"]
                print(
                    f"evaluate {name:33} newskit evaluate: {e['seconds']:5.1f} s, peak RSS "
                    f"{e['rss_gb']:.2f} GB (no target; test split {args.train_size // 10:,} sentences)",
                    flush=True,
                )
    reference = names[0]
    for kind in [] if args.skip_fit else args.kinds:
        for name in names[1:]:
            ratio = fits[name, kind]["seconds"] / fits[reference, kind]["seconds"]
            print(f"ratio   {name:34} {kind:6} fit time: {ratio:5.2f} × {reference}")


if __name__ == "__main__":
    main()
