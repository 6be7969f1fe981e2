"""How fast ``newskit import-labels`` reads, validates and writes N labeled sentences, and its peak memory.

Writes a synthetic JSONL file (German-like sentences, 20 per article, labels drawn with a fixed
seed from the shipped schema) into a temporary project, then runs
``newskit.labels.import_labels.import_labels`` on it in a fresh process per size, so the peak
resident memory (``ru_maxrss``) of each size is its own. The timed part is the import stage:
validation, ``corpus/given/`` and ``labels/imported/``, and the rebuild of
``labels/annotations.jsonl``. ``ingest`` and ``split`` of the given sentences (which the CLI
runs afterwards) are timed separately with ``--with-corpus``.

    python bench/import_labels.py --rows 100000 1000000
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["Russland", "Ukraine", "Kiew", "Moskau", "griff", "an", "meldete", "sagte", "Hilfe", "Angriff",
         "Drohnen", "Nacht", "Regierung", "Sprecher"]  # fmt: skip
EVENTS = ["strike", "ground_combat", "civilian_impact", "diplomacy", "aid_support", "info_hybrid"]
STANCES = ["pro_ukraine", "pro_russia", "neutral"]


def write_input(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for number in range(rows):
            words = rng.choices(WORDS, k=rng.randint(6, 18))
            text = " ".join(words).capitalize() + f" ({number})."
            events = ["none"] if rng.random() < 0.1 else sorted(set(rng.choices(EVENTS, k=rng.randint(1, 2))))
            row = {"text": text, "article_id": f"art-{number // 20}", "event_type": events,
                   "stance": rng.choice(STANCES)}  # fmt: skip
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def child(project: Path, source: Path, with_corpus: bool) -> None:
    """Run in a fresh process: the import (and optionally ingest + split), print a JSON result line."""
    from newskit.labels.import_labels import import_labels

    started, cpu = time.perf_counter(), time.process_time()
    report = import_labels(source, annotator="bench@example.org", corpus_dir=project / "corpus",
                           labels_dir=project / "labels")  # fmt: skip
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    result = {"rows": report.rows, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2)}
    result["annotations"] = report.annotations.rows
    if with_corpus:
        from newskit.corpus.ingest import ingest
        from newskit.segment.sentences import split_corpus

        started = time.perf_counter()
        ingest([], corpus_dir=project / "corpus")
        split = split_corpus(corpus_dir=project / "corpus")
        result.update(corpus_seconds=round(time.perf_counter() - started, 2), sentences=split.sentences)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--with-corpus", action="store_true", help="also time ingest + split of the sentences"
    )
    parser.add_argument("--child", nargs=2, metavar=("PROJECT", "SOURCE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), args.with_corpus)
        return
    print(
        "| rows | import s (wall) | CPU s | rows/s (wall) | peak RSS MB |"
        + (" ingest+split s |" if args.with_corpus else "")
    )
    print("|---|---|---|---|---|" + ("---|" if args.with_corpus else ""))
    for rows in args.rows:
        with tempfile.TemporaryDirectory() as folder:
            project = Path(folder)
            (project / "labels").mkdir()
            for name in ("schema.yaml", "GUIDELINES.md"):
                shutil.copy(ROOT / "labels" / name, project / "labels" / name)
            source = project / "labeled.jsonl"
            write_input(source, rows)
            command = [sys.executable, __file__, "--child", str(project), str(source)]
            done = subprocess.run(command + (["--with-corpus"] if args.with_corpus else []),
                                  capture_output=True, text=True, check=True)  # fmt: skip
            result = json.loads(done.stdout.strip().splitlines()[-1])
            line = (
                f"| {rows:,} | {result['seconds']} | {result['cpu_seconds']} "
                f"| {rows / result['seconds']:,.0f} | {result['peak_rss_mb']} |"
            )
            print(line + (f" {result['corpus_seconds']} |" if args.with_corpus else ""), flush=True)


if __name__ == "__main__":
    main()
