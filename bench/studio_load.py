"""Load test: many annotators submitting at once, on SQLite and on PostgreSQL (run on demand).

    .venv/bin/python bench/studio_load.py [--annotators 10] [--per-annotator 200]
        [--databases sqlite,postgres]

For each database, starts a throw-away Label Studio with ``newskit.studio.server.start_server``
(a temporary data folder, a free port of 127.0.0.1; ``postgres`` is the local cluster of
``newskit studio up --postgres``), creates a project of ``--per-annotator`` tasks and
``--annotators`` users, then lets every annotator submit one annotation per task, all at once
(one thread and one HTTP client per annotator, tasks in a shuffled order per annotator, fixed
seed). Each submission goes through the API (``POST /api/tasks/{id}/annotations``) with the
administrator's key on behalf of the annotator (``completed_by``).

Afterwards the project is exported and every submission that got an id back is looked up in
the export: "lost" counts submissions that were acknowledged but are missing (must be 0), and
annotations credited to the wrong annotator or task. Prints errors, lost annotations,
throughput and latency per database.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "src"))
sys.path.insert(0, str(REPO_ROOT / "bench"))

from newskit.errors import NewskitError  # noqa: E402
from newskit.labels.label_config import render_label_config  # noqa: E402
from newskit.labels.schema import load_schema  # noqa: E402
from newskit.studio.client import StudioClient  # noqa: E402
from newskit.studio.push import sentence_tasks  # noqa: E402
from newskit.studio.server import start_server, stop_server  # noqa: E402
from studio import free_port, synthetic_corpus, timed  # noqa: E402

SCHEMA = REPO_ROOT / "labels" / "schema.yaml"
SEED = 13


def submit_all(url: str, key: str, user_id: int, task_ids: list[int], result: list[dict]) -> dict:
    """One annotator: an annotation on every task, in a shuffled order; ids, errors and latencies."""
    client = StudioClient(url, key)
    order = list(task_ids)
    random.Random(SEED + user_id).shuffle(order)
    done: dict[int, int] = {}  # annotation id → task id
    errors: list[str] = []
    latencies: list[float] = []
    for task_id in order:
        start = time.perf_counter()
        try:
            done[client.create_annotation(task_id, result, completed_by=user_id, lead_time=1.0)] = task_id
        except NewskitError as exc:
            errors.append(exc.message)
        latencies.append(time.perf_counter() - start)
    return {"user": user_id, "done": done, "errors": errors, "latencies": latencies}


def load_test(database: str, work: Path, annotators: int, per_annotator: int) -> dict:
    data_dir = work / database
    try:
        info = timed(
            f"[{database}] start Label Studio (fresh data folder)",
            lambda: start_server(data_dir=data_dir, port=free_port(), postgres=database == "postgres"),
        )
        key = info.api_key_path.read_text(encoding="utf-8").strip()
        admin = StudioClient(info.url, key)
        schema = load_schema(SCHEMA)
        project_id = admin.create_project(f"load {database}", render_label_config(schema))
        corpus = work / "corpus"
        if not corpus.exists():
            synthetic_corpus(corpus, per_annotator)
        task_ids = admin.import_tasks(project_id, [{"data": d} for d in sentence_tasks(corpus)])
        users = [admin.create_user(f"annotator{i:02d}-{database}@example.org") for i in range(annotators)]
        result = [
            {"from_name": task, "to_name": "text", "type": "choices", "value": {"choices": [label]}}
            for task, label in (("event_type", "strike"), ("stance", "neutral"))
        ]
        barrier = threading.Barrier(annotators)

        def one(user: int) -> dict:
            barrier.wait()  # everyone starts together
            return submit_all(info.url, key, user, task_ids, result)

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=annotators) as pool:
            outcomes = list(pool.map(one, users))
        seconds = time.perf_counter() - start
        export = json.loads(admin.export_json(project_id))
        stored = {
            a["id"]: (a["completed_by"], task["id"]) for task in export for a in task.get("annotations", [])
        }
        acknowledged = {aid: (o["user"], tid) for o in outcomes for aid, tid in o["done"].items()}
        lost = sum(aid not in stored for aid in acknowledged)
        misattributed = sum(aid in stored and stored[aid] != who for aid, who in acknowledged.items())
        latencies = sorted(x for o in outcomes for x in o["latencies"])
        errors = [e for o in outcomes for e in o["errors"]]
        return {
            "database": database,
            "submitted": annotators * len(task_ids),
            "acknowledged": len(acknowledged),
            "errors": len(errors),
            "first_error": errors[0] if errors else "",
            "stored": len(stored),
            "lost": lost,
            "misattributed": misattributed,
            "seconds": seconds,
            "per_second": len(acknowledged) / seconds,
            "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p95_ms": 1000 * latencies[int(len(latencies) * 0.95)],
        }
    finally:
        stop_server(data_dir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--annotators", type=int, default=10)
    parser.add_argument("--per-annotator", type=int, default=200)
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()
    # As root, PostgreSQL runs as the postgres user, which must be able to pass through this folder.
    work = Path(tempfile.mkdtemp(prefix="newskit-bench-load-"))
    work.chmod(0o711)
    rows = []
    try:
        for database in args.databases.split(","):
            rows.append(load_test(database, work, args.annotators, args.per_annotator))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n| database | submitted | acknowledged | errors | stored | lost | misattributed | seconds "
          "| annotations/s | p50 ms | p95 ms |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['database']} | {r['submitted']} | {r['acknowledged']} | {r['errors']} | {r['stored']} "
              f"| {r['lost']} | {r['misattributed']} | {r['seconds']:.1f} | {r['per_second']:.1f} "
              f"| {r['p50_ms']:.0f} | {r['p95_ms']:.0f} |")  # fmt: skip
        if r["first_error"]:
            print(f"  first error ({r['database']}): {r['first_error']}")


if __name__ == "__main__":
    main()
