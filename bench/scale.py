"""Benchmark of the stages that scale with data (on demand, not in CI): one process vs Ray.

    python bench/scale.py                                   # 1 GB of articles, 1,000,000 sentences
    python bench/scale.py --size-mb 50 --predict-sentences 100000
    python bench/scale.py --steps predict --run training/runs/baseline

Targets on 2 cores: Ray split ≥ 1.7× the single-process throughput, driver peak RSS < 1 GB;
predict ≥ 20,000 sentences/s per core.

The corpus is generated under ``bench/data/`` (git-ignored): the seed articles of
``corpus/articles.jsonl`` repeated until ``articles.jsonl`` reaches ``--size-mb``, each copy
made unique (its own id) by a first line "Meldung N." Each run is a fresh process: ``split``
(``newskit.segment.sentences.split_corpus`` or ``newskit.segment.split_ray.split_corpus_sharded``
with ``engine="ray"``), then ``predict`` on the first ``--predict-sentences`` sentences
(``newskit.training.batch_predict.predict_file`` or
``newskit.training.predict_ray.predict_file_sharded``) with ``--run``, by default a run of
``training/large.toml`` (the config for large corpora, which the 20,000/s target is for) trained
on the committed ``dataset/`` into ``bench/data/runs/large`` (its speed does not depend on how
much it was trained on: hashed features, one linear model per label). The
driver's peak RSS is its own ``ru_maxrss``; the workers' peak is the largest ``VmHWM`` of the
driver's descendant processes (Ray's workers), read from ``/proc`` every 0.2 s. CPU seconds
(driver plus every descendant: workers and Ray's daemons) give a rate that does not depend on
what else the machine runs: records per CPU second. The outputs
of the two engines are compared byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "bench" / "data"
RUN = DATA / "runs" / "large"
SPLIT_SPEEDUP_TARGET = 1.7
DRIVER_RSS_TARGET_MB = 1024
PREDICT_PER_CORE_TARGET = 20_000


def generate(folder: Path, size_mb: int) -> Path:
    """``folder/corpus/articles.jsonl`` of at least ``size_mb`` MB; reused when already there."""
    articles = folder / "corpus" / "articles.jsonl"
    if articles.is_file() and articles.stat().st_size >= size_mb * 1_000_000:
        return articles
    articles.parent.mkdir(parents=True, exist_ok=True)
    with (REPO / "corpus" / "articles.jsonl").open(encoding="utf-8") as handle:
        seeds = [json.loads(line) for line in handle if line.strip()]
    size, number = 0, 0
    with articles.open("w", encoding="utf-8") as out:
        while size < size_mb * 1_000_000:
            seed = seeds[number % len(seeds)]
            text = f"Meldung {number}.\n\n{seed['text']}"
            record = {**seed, "id": hashlib.sha256(text.encode()).hexdigest()[:16], "text": text}
            line = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
            out.write(line)
            size += len(line.encode())
            number += 1
    return articles


def large_run() -> Path:
    """A run of ``training/large.toml`` on the committed dataset (trained once, then reused)."""
    if not (RUN / "train_info.json").is_file():
        from newskit.training.train import train

        train(dataset_dir=REPO / "dataset", config_path=REPO / "training" / "large.toml", out_dir=RUN)
    return RUN


def predict_input(folder: Path, sentences: Path, count: int) -> Path:
    """The first ``count`` sentences of ``sentences`` as the predict input."""
    target = folder / f"predict-{count}.jsonl"
    if not target.is_file():
        with sentences.open("rb") as handle, target.open("wb") as out:
            for number, line in enumerate(handle):
                if number >= count:
                    break
                out.write(line)
    return target


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (from /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def high_water_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measured(args: list[str]) -> dict:
    """Run ``bench/scale.py --one ...`` in a fresh process; its result plus the workers' peak RSS."""
    process = subprocess.Popen([sys.executable, __file__, "--one", *args], stdout=subprocess.PIPE, text=True)
    peaks: dict[int, float] = {}
    cpu: dict[int, float] = {}

    def watch() -> None:
        while process.poll() is None:
            for pid in descendants(process.pid):
                peaks[pid] = max(peaks.get(pid, 0.0), high_water_mb(pid))
                cpu[pid] = max(cpu.get(pid, 0.0), cpu_seconds(pid))
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out, _ = process.communicate()
    watcher.join()
    if process.returncode != 0:
        raise SystemExit(f"run failed: {' '.join(args)}")
    result = json.loads(out.strip().splitlines()[-1])
    workers = sorted(peaks.values(), reverse=True)
    result["worker_peak_mb"] = round(workers[0], 1) if workers else None
    # Ray's own daemons (raylet, GCS) are descendants too: their CPU counts, as it is the cost of Ray.
    result["cpu_seconds"] = round(result["driver_cpu_seconds"] + sum(cpu.values()), 1)
    return result


def run_one(step: str, engine: str, source: Path, target: Path, run: Path) -> None:
    """One timed run in this process; prints a JSON line with seconds, counts and peak RSS."""
    start = time.perf_counter()
    if step == "split":
        if engine == "local":
            from newskit.segment.sentences import split_corpus

            report = split_corpus(corpus_dir=source)
        else:
            from newskit.segment.split_ray import split_corpus_sharded

            report = split_corpus_sharded(corpus_dir=source, engine="ray")
        count = report.sentences
    else:
        with target.open("w", encoding="utf-8") as out:
            if engine == "local":
                from newskit.training.batch_predict import predict_file

                count = predict_file(run_dir=run, input_path=source, stream=out).records
            else:
                from newskit.training.predict_ray import predict_file_sharded

                count = predict_file_sharded(run_dir=run, input_path=source, stream=out, engine="ray").records
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "seconds": round(seconds, 2),
        "records": count,
        "driver_peak_mb": round(usage.ru_maxrss / 1024, 1),
        "driver_cpu_seconds": usage.ru_utime + usage.ru_stime,
    }
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="size of the generated articles.jsonl")
    parser.add_argument("--predict-sentences", type=int, default=1_000_000)
    parser.add_argument("--cpus", type=int, default=os.cpu_count(), help="cores (for per-core figures)")
    parser.add_argument("--run", type=Path, default=None, help="run for predict (default: large.toml)")
    parser.add_argument("--steps", default="split,predict", help="split, predict or both")
    parser.add_argument("--one", nargs=5, help=argparse.SUPPRESS)  # STEP ENGINE SOURCE TARGET RUN
    args = parser.parse_args()
    if args.one:
        step, engine, source, target, run = args.one
        run_one(step, engine, Path(source), Path(target), Path(run))
        return
    steps = args.steps.split(",")
    run = args.run or large_run()
    rows = []
    folders = {engine: DATA / f"scale-{args.size_mb}mb" / engine for engine in ("local", "ray")}
    articles = generate(folders["local"], args.size_mb)
    (folders["ray"] / "corpus").mkdir(parents=True, exist_ok=True)
    linked = folders["ray"] / "corpus" / "articles.jsonl"
    if not linked.exists():
        linked.symlink_to(articles)  # one generated corpus, two output folders
    mb = articles.stat().st_size / 1e6
    results: dict[str, dict] = {}
    sentences = {engine: folder / "corpus" / "sentences.jsonl" for engine, folder in folders.items()}
    same = {}
    if "split" in steps:
        for engine, folder in folders.items():
            results[engine] = measured(["split", engine, str(folder / "corpus"), "-", str(run)])
            rows.append(("split", engine, mb, results[engine]))
        same["split"] = sentences["local"].read_bytes() == sentences["ray"].read_bytes()
    if "predict" in steps:
        source = predict_input(DATA / f"scale-{args.size_mb}mb", sentences["local"], args.predict_sentences)
        predicted = {}
        for engine, folder in folders.items():
            predicted[engine] = folder / "predictions.jsonl"
            result = measured(["predict", engine, str(source), str(predicted[engine]), str(run)])
            rows.append(("predict", engine, source.stat().st_size / 1e6, result))
        same["predict"] = predicted["local"].read_bytes() == predicted["ray"].read_bytes()

    print(f"articles.jsonl: {mb:,.0f} MB; {args.cpus} cores; Ray: a local Ray on this machine's cores")
    print(
        "| step | engine | input MB | seconds | MB/s | records/s | per core | speedup"
        " | CPU s | records per CPU s | driver peak MB | worker peak MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    base: dict[str, float] = {}
    for step, engine, size, result in rows:
        rate = result["records"] / result["seconds"]
        base.setdefault(step, result["seconds"])
        cores = 1 if engine == "local" else args.cpus
        print(
            f"| {step} | {engine} | {size:,.0f} | {result['seconds']:,.1f} "
            f"| {size / result['seconds']:,.2f} | {rate:,.0f} | {rate / cores:,.0f} "
            f"| {base[step] / result['seconds']:.2f}× | {result['cpu_seconds']:,.1f} "
            f"| {result['records'] / result['cpu_seconds']:,.0f} | {result['driver_peak_mb']:,.0f} "
            f"| {result['worker_peak_mb'] or '–'} |"
        )
    print(f"run: {run}; outputs identical (one process vs Ray): {same}")
    if results:
        speedup = results["local"]["seconds"] / results["ray"]["seconds"]
        print(
            f"target split: speedup {speedup:.2f}× (≥ {SPLIT_SPEEDUP_TARGET}×), Ray driver peak "
            f"{results['ray']['driver_peak_mb']:,.0f} MB (< {DRIVER_RSS_TARGET_MB} MB)"
        )
    for step, engine, _size, result in rows:
        if step == "predict":
            per_core = result["records"] / result["seconds"] / (1 if engine == "local" else args.cpus)
            print(
                f"target predict ({engine}): {per_core:,.0f} sentences/s per core"
                f" (≥ {PREDICT_PER_CORE_TARGET:,})"
            )


if __name__ == "__main__":
    main()
