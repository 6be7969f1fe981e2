"""Benchmark of push and pull against a real local Label Studio (run on demand, not in CI).

    .venv/bin/python bench/studio.py [--tasks 20000] [--batch-size 1000]

Starts a throw-away Label Studio (its own venv, a temporary data folder, a free port of
127.0.0.1), then measures:

1. ``push`` of N synthetic sentences into a new project;
2. the same ``push`` again (must import 0: the idempotence check lists the project's ids);
3. ``pull`` of a project with N annotated tasks. The annotations are imported together with
   the tasks (one request per batch) instead of ~115 ms per ``annotations.create`` call;
   Label Studio marks annotations imported this way ``ground_truth=True``, which does not
   change the export's size or the work ``pull`` does.

Prints one line per step with the seconds taken, and the counts that prove nothing was lost.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "src"))

from newskit.jsonio import read_jsonl, write_jsonl  # noqa: E402
from newskit.labels.label_config import render_label_config  # noqa: E402
from newskit.labels.schema import load_schema  # noqa: E402
from newskit.studio.client import StudioClient  # noqa: E402
from newskit.studio.pull import pull  # noqa: E402
from newskit.studio.push import push, sentence_tasks  # noqa: E402
from newskit.studio.server import start_server, stop_server  # noqa: E402

SCHEMA = REPO_ROOT / "labels" / "schema.yaml"
SENTENCES_PER_ARTICLE = 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def synthetic_corpus(folder: Path, n_sentences: int) -> None:
    """``n_sentences`` German-looking sentences in articles of 20 sentences each."""
    articles, sentences = [], []
    for a in range((n_sentences + SENTENCES_PER_ARTICLE - 1) // SENTENCES_PER_ARTICLE):
        article_id = f"{a:016x}"
        parts, text = [], ""
        for i in range(min(SENTENCES_PER_ARTICLE, n_sentences - a * SENTENCES_PER_ARTICLE)):
            sentence = f"Satz {i} von Artikel {a}: In der Region wurden in der Nacht Angriffe gemeldet."
            start = len(text)
            text += sentence + " "
            end = start + len(sentence)
            parts.append({"id": f"{article_id}:{start}-{end}", "article_id": article_id, "index": i,
                          "start": start, "end": end, "text": sentence})  # fmt: skip
        sentences += parts
        articles.append({"id": article_id, "title": f"Artikel {a}", "source": "Bench", "url": None,
                         "date": "2025-01-01", "text": text.strip()})  # fmt: skip
    write_jsonl(folder / "articles.jsonl", articles)
    write_jsonl(folder / "sentences.jsonl", sentences)


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<58} {time.perf_counter() - start:8.1f} s", flush=True)
    return result


def annotated_project(client: StudioClient, corpus: Path, title: str, batch_size: int) -> int:
    """A project whose every task carries one annotation (imported with the task)."""
    schema = load_schema(SCHEMA)
    project_id = client.create_project(title, render_label_config(schema))
    result = [
        {"from_name": "event_type", "to_name": "text", "type": "choices", "value": {"choices": ["strike"]}},
        {"from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": ["neutral"]}},
    ]
    user = client.whoami()["id"]
    tasks = [
        {"data": d, "annotations": [{"result": result, "completed_by": user}]} for d in sentence_tasks(corpus)
    ]
    for start in range(0, len(tasks), batch_size):
        client.import_tasks(project_id, tasks[start : start + batch_size])
    return project_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newskit-bench-studio-"))
    data_dir = work / "labelstudio"
    try:
        info = timed(
            "start Label Studio (fresh data folder)",
            lambda: start_server(data_dir=data_dir, port=free_port()),
        )
        key = info.api_key_path.read_text(encoding="utf-8").strip()
        client = StudioClient(info.url, key)
        corpus = work / "corpus"
        synthetic_corpus(corpus, args.tasks)
        options = dict(url=info.url, api_key=key, project_title="bench push", corpus_dir=corpus,
                       schema_path=SCHEMA, batch_size=args.batch_size)  # fmt: skip
        first = timed(f"push {args.tasks} tasks", lambda: push(**options))
        again = timed(f"push the same {args.tasks} tasks again", lambda: push(**options))
        print(f"  imported {first.imported}, then {again.imported}; tasks in project: "
              f"{client.task_count(first.project_id)}")  # fmt: skip
        timed(f"import {args.tasks} tasks with one annotation each (setup)",
              lambda: annotated_project(client, corpus, "bench pull", args.batch_size))  # fmt: skip
        labels = work / "labels"
        report = timed(
            f"pull {args.tasks} annotated tasks",
            lambda: pull(
                url=info.url,
                api_key=key,
                project_title="bench pull",
                labels_dir=labels,
                schema_path=SCHEMA,
                now=datetime.now(UTC),
            ),
        )
        rows = list(read_jsonl(report.annotations_path))
        print(f"  snapshot {report.snapshot.stat().st_size / 1e6:.1f} MB, {report.tasks} tasks, "
              f"{report.annotations} annotations, {len(rows)} rows, "
              f"{len({r['sentence_id'] for r in rows})} distinct sentences")  # fmt: skip
    finally:
        stop_server(data_dir)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
