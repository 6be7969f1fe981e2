"""The whole workflow as a user runs it, through the CLI, against a real Label Studio.

ingest → split → push → two annotators label through the API → pull → agreement → build →
datasets.load_dataset → train → evaluate → card → predict, asserting on each step's outputs.
Finally, nothing the run wrote or printed contains the API key or the Hub token.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import datasets
import pytest

from newskit.jsonio import read_jsonl, write_jsonl

ROOT = Path(__file__).resolve().parent.parent
SEED_LABELS = ROOT / "labels" / "seed" / "maintainers-pass1.jsonl"
FIRST, SECOND = "first@example.org", "second@example.org"


def cohen_kappa_by_hand(a: list[str], b: list[str]) -> float:
    """Cohen's kappa from its definition: (p_o - p_e) / (1 - p_e)."""
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    count_a, count_b = Counter(a), Counter(b)
    expected = sum(count_a[label] * count_b[label] for label in count_a.keys() | count_b.keys()) / n**2
    return (observed - expected) / (1 - expected)


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    """A project folder with the shipped inputs only: raw corpus, schema, guidelines, config."""
    shutil.copytree(ROOT / "corpus" / "raw", tmp_path / "corpus" / "raw")
    (tmp_path / "labels").mkdir()
    for name in ("schema.yaml", "GUIDELINES.md"):
        shutil.copyfile(ROOT / "labels" / name, tmp_path / "labels" / name)
    (tmp_path / "training").mkdir()
    shutil.copyfile(ROOT / "training" / "baseline.toml", tmp_path / "training" / "baseline.toml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.studio
@pytest.mark.slow
def test_whole_workflow_through_the_cli(workdir, studio_env, project_title, run_cli, monkeypatch):
    printed: list[str] = []
    hf_token = "hf_end_to_end_secret_0123456789"
    monkeypatch.setenv("HF_TOKEN", hf_token)
    uploads: list[dict] = []  # no network here: the Hub calls are recorded instead
    monkeypatch.setattr(
        "newskit.dataset.publish.HfApi.create_repo",
        lambda self, repo_id, **kw: f"https://hf.co/datasets/{repo_id}",
    )
    monkeypatch.setattr("newskit.dataset.publish.HfApi.upload_folder", lambda self, **kw: uploads.append(kw))

    def ok(*args: str) -> str:
        code, out, err = run_cli(*args)
        printed.extend([out, err])
        assert code == 0, f"newskit {' '.join(args)} failed: {err}"
        return out

    # corpus: the same bytes as the committed files
    ok("ingest")
    ok("split")
    for name in ("articles.jsonl", "sentences.jsonl"):
        assert (workdir / "corpus" / name).read_bytes() == (ROOT / "corpus" / name).read_bytes()
    sentences = list(read_jsonl(workdir / "corpus" / "sentences.jsonl"))

    # Label Studio: push twice, no duplicates
    assert f"{len(sentences)} imported" in ok("push", "--project", project_title)
    assert "0 imported" in ok("push", "--project", project_title)

    # two annotators: the seed labels, and a second pass that disagrees on every 5th stance
    # (the seed file carries ids of the old id scheme: the committed sentence map says where they are now)
    now = {row["id"]: row for row in read_jsonl(ROOT / "labels" / "sentence_map.jsonl")}
    seed = {}
    for row in read_jsonl(SEED_LABELS):
        moved = now.get(row["sentence_id"])
        if moved:
            row = {**row, "sentence_id": moved["now"], "article_id": moved["now_article_id"]}
        seed[row["sentence_id"]] = row
    assert set(seed) == {s["id"] for s in sentences}
    first = [seed[s["id"]] for s in sentences]
    other = {"neutral": "pro_ukraine", "pro_ukraine": "pro_russia", "pro_russia": "neutral"}
    second = [{**row, "stance": other[row["stance"]]} if i % 5 == 0 else row for i, row in enumerate(first)]
    write_jsonl(workdir / "first.jsonl", first)
    write_jsonl(workdir / "second.jsonl", second)
    for path, email in (("first.jsonl", FIRST), ("second.jsonl", SECOND)):
        out = ok("import-annotations", path, "--annotator", email, "--project", project_title)
        assert f"{len(sentences)} annotation(s) created by {email}" in out

    # pull: raw snapshot kept, every annotation back exactly
    ok("pull", "--project", project_title)
    snapshots = sorted((workdir / "labels" / "snapshots").glob("*.json"))
    assert len([p for p in snapshots if not p.name.endswith((".users.json", ".source.json"))]) == 1
    rows = list(read_jsonl(workdir / "labels" / "annotations.jsonl"))
    assert len(rows) == 2 * len(sentences)
    got = {(r["annotator"], r["sentence_id"]): (r["event_type"], r["stance"]) for r in rows}
    want = {(FIRST, r["sentence_id"]): (r["event_type"], r["stance"]) for r in first}
    want |= {(SECOND, r["sentence_id"]): (r["event_type"], r["stance"]) for r in second}
    assert got == want

    # agreement: stance kappa equals the hand-computed value; event types agree fully
    ok("agreement")
    report = json.loads((workdir / "labels" / "agreement.json").read_text(encoding="utf-8"))
    stance = report["tasks"]["stance"]
    expected = cohen_kappa_by_hand([r["stance"] for r in first], [r["stance"] for r in second])
    assert stance["mean_kappa"]["value"] == pytest.approx(expected, abs=1e-3)
    assert report["tasks"]["event_type"]["exact_set_agreement"]["value"] == 1.0

    # build and load with the real datasets loader
    ok("build")
    loaded = datasets.load_dataset(str(workdir / "dataset"), cache_dir=str(workdir / "hf-cache"))
    assert set(loaded) == {"train", "validation", "test"}
    assert sum(len(split) for split in loaded.values()) == len(sentences)
    stance_names = loaded["train"].features["stance"].names
    assert stance_names == ["pro_ukraine", "pro_russia", "neutral"]
    articles = [set(loaded[name]["article_id"]) for name in loaded]
    assert sum(len(a) for a in articles) == len(set().union(*articles))  # no article in two splits
    disagreements = sum(1 for i in range(len(first)) if i % 5 == 0)
    assert sum(1 for split in loaded.values() for flag in split["agreement"] if not flag) == disagreements

    # publish (the upload itself is recorded, not sent)
    ok("publish", "--repo-id", "newsroom/ukraine-war-de")
    assert [(u["repo_id"], Path(u["folder_path"]).name, u["token"]) for u in uploads] == [
        ("newsroom/ukraine-war-de", "dataset", hf_token)
    ]

    # train, evaluate, card, predict
    ok("train")
    run_dir = workdir / "training" / "runs" / "baseline"
    ok("evaluate", str(run_dir))
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert set(metrics["tasks"]) == {"event_types", "stance"}
    ok("card", str(run_dir))
    card = (workdir / "model_cards" / "baseline.md").read_text(encoding="utf-8")
    assert "model-index" in card and "library_name: sklearn" in card
    out = ok("predict", str(run_dir), "Russland griff Kiew in der Nacht mit Drohnen an.", "--format", "jsonl")
    prediction = json.loads(out.splitlines()[0])
    assert set(prediction) >= {"event_types", "stance", "confidence"}

    # neither the API key nor the Hub token appears in anything the run printed or wrote
    for secret in (studio_env.api_key, hf_token):
        assert all(secret not in text for text in printed)
        for path in workdir.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), f"a secret was written to {path}"
