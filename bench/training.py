"""Benchmark of the training stage (on demand, not in CI).

    python bench/training.py                 # 1,000,000 training sentences, 100,000 to predict
    python bench/training.py --train-size 100000 --predict-size 50000

Targets: prediction ≥ 20,000 sentences/s through ``Run.predict`` (both tasks), and
training one task model on 1,000,000 sentences in under 3 minutes and 4 GB RSS.
The corpus is synthetic: real sentences of the seed articles recombined (the first
part of one sentence + the rest of another), with labels from a keyword rule. Each
training measurement runs in a fresh process so its peak RSS (``ru_maxrss``) is its own.
"""

from __future__ import annotations

import argparse
import json
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
# (name, features, model): ours (the baseline config's shape), the large option, and plain alternatives.
SETUPS = {
    "tfidf+logreg (newskit baseline)": ("tfidf", "logreg"),
    "tfidf words only+logreg (newskit fast)": ("tfidf-words", "logreg"),
    "hashing+sgd (newskit large)": ("hashing", "sgd"),
    "default TfidfVectorizer+LogisticRegression": ("plain", "plain"),
    "default HashingVectorizer+SGDClassifier": ("plain-hashing", "plain"),
}


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


def build_model(features: str, model: str, kind: str):
    """The pipeline of one setup (ours via newskit.models; the alternatives with library defaults)."""
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline

    from newskit.models import build_pipeline
    from newskit.train_config import FeatureConfig

    if features in ("tfidf", "tfidf-words"):
        config = FeatureConfig(char_ngrams=(2, 5) if features == "tfidf" else None)
        return build_pipeline(kind, {"model": "logreg", "C": 1.0, "class_weight": "balanced"}, config, 0)
    if features == "hashing":
        config = FeatureConfig(kind="hashing", word_ngrams=(1, 2), char_ngrams=None)
        return build_pipeline(kind, {"model": "sgd", "alpha": 1e-5, "class_weight": "balanced"}, config, 0)
    vectorizer = TfidfVectorizer() if features == "plain" else HashingVectorizer()
    classifier = LogisticRegression() if features == "plain" else SGDClassifier(loss="log_loss")
    return make_pipeline(vectorizer, OneVsRestClassifier(classifier) if kind == "multi" else classifier)


def train_child(setup: str, kind: str, n: int) -> None:
    """(In a fresh process) fit one task model on ``n`` sentences; print seconds and peak RSS."""
    import warnings

    from threadpoolctl import threadpool_limits

    texts, stance, events = synthetic(n)
    model = build_model(*SETUPS[setup], kind)
    start = time.perf_counter()
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.simplefilter("ignore")
        model.fit(texts, events if kind == "multi" else stance)
    seconds = time.perf_counter() - start
    rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # Linux: KiB
    print(json.dumps({"seconds": seconds, "rss_gb": rss_gb}))


def measure_training(setup: str, kind: str, n: int) -> dict:
    """Run :func:`train_child` in a subprocess and return its measurements."""
    command = [sys.executable, __file__, "--child", setup, kind, str(n)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure_prediction(n_train: int, n_predict: int, char_ngrams: str) -> dict:
    """Train a run via the kit (baseline config with ``char_ngrams``), then time ``Run.predict``."""
    import datasets

    from newskit.predict import load_run
    from newskit.train import train

    texts, stance, events = synthetic(n_train, seed=1)
    groups = [f"article-{i // 50}" for i in range(n_train)]
    features = datasets.Features(
        {
            "text": datasets.Value("string"),
            "article_id": datasets.Value("string"),
            "event_types": datasets.List(datasets.ClassLabel(names=list(EVENT_RULES))),
            "stance": datasets.ClassLabel(names=STANCES),
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "dataset"
        (folder / "data").mkdir(parents=True)
        rows = {
            "text": texts,
            "article_id": groups,
            "event_types": [np.flatnonzero(r).tolist() for r in events],
            "stance": stance.tolist(),
        }
        datasets.Dataset.from_dict(rows, features=features).to_parquet(folder / "data" / "train.parquet")
        config = Path(tmp) / "bench.toml"
        baseline = (REPO / "training" / "baseline.toml").read_text(encoding="utf-8").split("[[grid]]")[0]
        baseline = baseline.replace("char_ngrams = [2, 5]", f"char_ngrams = {char_ngrams}")
        config.write_text(baseline + '[[grid]]\nmodel = "logreg"\nC = [1.0]\n', encoding="utf-8")
        train(dataset_dir=folder, config_path=config, out_dir=Path(tmp) / "run")
        run = load_run(Path(tmp) / "run")
        sentences = synthetic(n_predict, seed=2)[0]
        run.predict(sentences[:1000])  # warm-up
        start = time.perf_counter()
        run.predict(sentences)
        seconds = time.perf_counter() - start
    return {"sentences": n_predict, "seconds": seconds, "per_second": n_predict / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--train-size", type=int, default=1_000_000)
    parser.add_argument("--predict-size", type=int, default=100_000)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--skip-predict", action="store_true")
    parser.add_argument("--setups", nargs="*", default=list(SETUPS), help="which training setups to measure")
    parser.add_argument("--kinds", nargs="*", default=["single", "multi"])
    args = parser.parse_args()
    if args.child:
        train_child(args.child[0], args.child[1], int(args.child[2]))
        return
    seed_sentences()  # fill the cache before the children start
    if not args.skip_predict:
        for name, char_ngrams in (("baseline: words + char_wb 2-5", "[2, 5]"), ("words only", "[]")):
            result = measure_prediction(5_000, args.predict_size, char_ngrams)
            verdict = "meets" if result["per_second"] >= 20_000 else "MISSES"
            print(
                f"predict {name:30} (Run.predict, 2 tasks): {result['per_second']:,.0f} sentences/s "
                f"({verdict} ≥ 20,000)",
                flush=True,
            )
    results = {}
    for setup in args.setups:
        for kind in args.kinds:
            results[setup, kind] = measure_training(setup, kind, args.train_size)
            r = results[setup, kind]
            ok = "meets" if r["seconds"] < 180 and r["rss_gb"] < 4 else "MISSES"
            print(
                f"train {kind:6} {setup:44} n={args.train_size:,}: {r['seconds']:7.1f} s, "
                f"peak RSS {r['rss_gb']:.2f} GB ({ok} < 180 s, < 4 GB)",
                flush=True,
            )
    for kind in args.kinds:
        ours = results.get(("tfidf+logreg (newskit baseline)", kind), {}).get("seconds")
        for setup in args.setups if ours else []:
            print(f"ratio {kind:6} {setup:44}: {results[setup, kind]['seconds'] / ours:5.2f} × baseline time")


if __name__ == "__main__":
    main()
