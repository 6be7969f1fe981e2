"""Agreement: checked against values computed by hand on a small example."""

from __future__ import annotations

import json

import pytest

from newskit.errors import NewskitError
from newskit.jsonio import write_jsonl
from newskit.labels.agreement import NO_OVERLAP, NO_VARIATION, compute_agreement
from newskit.labels.schema import Schema, load_schema


@pytest.fixture(scope="module")
def schema(repo_root) -> Schema:
    return load_schema(repo_root / "labels" / "schema.yaml")


def row(sentence, annotator, events, stance, cancelled=False, updated="2025-01-01T00:00:00Z", annotation=1):
    return {
        "sentence_id": sentence,
        "annotator": annotator,
        "event_type": events,
        "stance": stance,
        "cancelled": cancelled,
        "updated_at": updated,
        "annotation_id": annotation,
    }


# Three annotators a, b, c on five sentences (pu = pro_ukraine, pr = pro_russia, n = neutral).
#          event_type                              stance
#   s1     a {strike}  b {strike, civ}  c {strike}  a pu  b pu  c pu
#   s2     a {dipl}    b {dipl}                     a pu  b n
#   s3     a {none}    b {none}         c {dipl}    a n   b n   c pr
#   s4     a {strike}  b {ground}                   a pr  b pr   (a's earlier n/{none} is superseded)
#   s5     a {none}   (b cancelled)                 a n          (one annotator: not pairable)
ROWS = [
    row("s1", "a", ["strike"], "pro_ukraine"),
    row("s1", "b", ["strike", "civilian_impact"], "pro_ukraine"),
    row("s1", "c", ["strike"], "pro_ukraine"),
    row("s2", "a", ["diplomacy"], "pro_ukraine"),
    row("s2", "b", ["diplomacy"], "neutral"),
    row("s3", "a", ["none"], "neutral"),
    row("s3", "b", ["none"], "neutral"),
    row("s3", "c", ["diplomacy"], "pro_russia"),
    row("s4", "a", ["strike"], "pro_russia", updated="2025-01-02T00:00:00Z", annotation=7),
    row("s4", "a", ["none"], "neutral", updated="2025-01-01T00:00:00Z", annotation=6),
    row("s4", "b", ["ground_combat"], "pro_russia"),
    row("s5", "a", ["none"], "neutral"),
    row("s5", "b", [], None, cancelled=True),
]


@pytest.fixture(scope="module")
def report(schema):
    return compute_agreement(ROWS, schema)


def test_counts(report):
    assert report["annotations"] == {"rows": 13, "cancelled": 1, "superseded": 1, "used": 11}
    assert report["annotators"] == ["a", "b", "c"]
    assert report["sentences"] == 5
    assert report["sentences_with_2_or_more_annotators"] == 4
    assert report["pairs"] == [
        {"annotators": ["a", "b"], "items": 4},
        {"annotators": ["a", "c"], "items": 2},
        {"annotators": ["b", "c"], "items": 2},
    ]
    assert report["reason"] is None


def test_cohen_kappa_per_pair_for_stance(report):
    # a-b on s1..s4: a = [pu, pu, n, pr], b = [pu, n, n, pr]; p_o = 3/4.
    # Marginals a: pu 1/2, n 1/4, pr 1/4; b: pu 1/4, n 1/2, pr 1/4.
    # p_e = 1/2*1/4 + 1/4*1/2 + 1/4*1/4 = 5/16; kappa = (3/4 - 5/16) / (1 - 5/16) = (7/16) / (11/16) = 7/11.
    # a-c and b-c on s1, s3: [pu, n] vs [pu, pr]: p_o = 1/2, p_e = 1/2*1/2 = 1/4, kappa = (1/4) / (3/4) = 1/3.
    pairs = {tuple(p["annotators"]): p for p in report["tasks"]["stance"]["pairs"]}
    assert pairs[("a", "b")]["kappa"] == pytest.approx(7 / 11, abs=1e-6)
    assert pairs[("a", "b")]["agreement"] == pytest.approx(3 / 4)
    assert pairs[("a", "c")]["kappa"] == pytest.approx(1 / 3, abs=1e-6)
    assert pairs[("b", "c")]["items"] == 2
    assert report["tasks"]["stance"]["mean_kappa"]["value"] == pytest.approx((7 / 11 + 2 / 3) / 3, abs=1e-6)


def test_krippendorff_alpha_for_stance(report):
    # Pairable units s1..s4 (s5 has one value). Coincidences o_ck = sum over units of (c,k) pairs / (m_u - 1):
    #   s1 (pu,pu,pu): o(pu,pu) += 6/2 = 3;  s2 (pu,n): o(pu,n) = o(n,pu) = 1
    #   s3 (n,n,pr): o(n,n) += 2/2 = 1, o(n,pr) = o(pr,n) = 2/2 = 1;  s4 (pr,pr): o(pr,pr) += 2
    # n_pu = 4, n_n = 3, n_pr = 3, n = 10. Observed disagreement: off-diagonal 4 of 10.
    # Expected: (n² - Σ n_c²) / (n (n-1)) = (100 - 34) / 90 = 66/90.
    # alpha = 1 - (4/10) / (66/90) = 1 - 36/66 = 5/11.
    assert report["tasks"]["stance"]["units"] == 4
    assert report["tasks"]["stance"]["alpha"] == {"value": pytest.approx(5 / 11, abs=1e-6), "reason": None}


def test_multi_task_set_agreement(report):
    events = report["tasks"]["event_type"]
    # Pairs of annotations on the same sentence:
    # a-b s1 ≠, s2 =, s3 =, s4 ≠; a-c s1 =, s3 ≠; b-c s1 ≠, s3 ≠ → 3/8.
    assert events["exact_set_agreement"]["value"] == pytest.approx(3 / 8)
    # Jaccard: a-b 1/2 + 1 + 1 + 0; a-c 1 + 0; b-c 1/2 + 0 → 4 / 8.
    assert events["mean_jaccard"]["value"] == pytest.approx(1 / 2)
    pairs = {tuple(p["annotators"]): p for p in events["pairs"]}
    assert pairs[("a", "b")]["exact_set_agreement"] == pytest.approx(1 / 2)
    assert pairs[("b", "c")]["mean_jaccard"] == pytest.approx(1 / 4)
    # Each distinct set one nominal value: S={strike}, SC={strike,civ}, D, N, G.
    #   s1 (S,SC,S): o(S,S) = 2/2 = 1, o(S,SC) = o(SC,S) = 2/2 = 1; s2 (D,D): o(D,D) = 2
    #   s3 (N,N,D): o(N,N) = 1, o(N,D) = o(D,N) = 1; s4 (S,G): o(S,G) = o(G,S) = 1
    # n_S = 3, n_SC = 1, n_D = 3, n_N = 2, n_G = 1 (n = 10); off-diagonal 6.
    # alpha = 1 - (6/10) / ((100 - 24) / 90) = 1 - 54/76 = 11/38.
    assert events["alpha_exact_set"]["value"] == pytest.approx(11 / 38, abs=1e-6)


def test_multi_task_per_label(report):
    labels = report["tasks"]["event_type"]["labels"]
    strike = labels["strike"]
    # strike yes/no: s1 (1,1,1), s2 (0,0), s3 (0,0,0), s4 a 1 / b 0.
    # o(1,1) = 3, o(0,0) = 2 + 3 = 5, o(1,0) = o(0,1) = 1; n_1 = 4, n_0 = 6, n = 10.
    # alpha = 1 - (2/10) / ((100 - 16 - 36) / 90) = 1 - 18/48 = 5/8.
    assert strike["alpha"]["value"] == pytest.approx(5 / 8, abs=1e-6)
    # a-b on s1..s4: a = [1,0,0,1], b = [1,0,0,0]; p_o = 3/4, p_e = 1/2*1/4 + 1/2*3/4 = 1/2 → kappa = 1/2.
    pairs = {tuple(p["annotators"]): p for p in strike["pairs"]}
    assert pairs[("a", "b")]["kappa"] == pytest.approx(1 / 2, abs=1e-6)
    assert strike["chosen"] == 4  # s1 ×3, s4 (a); cancelled and superseded rows do not count
    # nobody chose nuclear_safety: no variation, so alpha and kappa are undefined, with a reason.
    assert labels["nuclear_safety"]["alpha"] == {"value": None, "reason": NO_VARIATION}
    assert labels["nuclear_safety"]["pairs"][0]["kappa"] is None
    defined = [v["alpha"]["value"] for v in labels.values() if v["alpha"]["value"] is not None]
    mean = report["tasks"]["event_type"]["mean_label_alpha"]["value"]
    assert mean == pytest.approx(sum(defined) / len(defined), abs=1e-6)


def test_input_order_does_not_matter(schema, report):
    assert compute_agreement(list(reversed(ROWS)), schema) == report


def test_fewer_than_two_annotators_is_reported_not_an_error(schema):
    result = compute_agreement(
        [row("s1", "a", ["strike"], "neutral"), row("s2", "a", ["none"], "neutral")], schema
    )
    assert result["reason"] == NO_OVERLAP
    assert result["pairs"] == [] and result["sentences_with_2_or_more_annotators"] == 0
    assert result["tasks"]["stance"]["alpha"] == {"value": None, "reason": NO_OVERLAP}
    assert result["tasks"]["stance"]["mean_kappa"] == {"value": None, "reason": NO_OVERLAP}
    assert result["tasks"]["event_type"]["exact_set_agreement"] == {"value": None, "reason": NO_OVERLAP}
    assert result["tasks"]["event_type"]["labels"]["strike"]["alpha"] == {"value": None, "reason": NO_OVERLAP}


def test_unknown_label_is_an_error(schema):
    with pytest.raises(NewskitError) as caught:
        compute_agreement([row("s1", "a", ["shelling"], "neutral")], schema)
    assert caught.value.message == "annotation of s1 by a: unknown label(s) shelling for task 'event_type'"


def test_agreement_cli_writes_json_and_prints_tables(run_cli, repo_root, tmp_path, report):
    rows_path, out = tmp_path / "annotations.jsonl", tmp_path / "agreement.json"
    write_jsonl(rows_path, ROWS)
    schema_path = str(repo_root / "labels" / "schema.yaml")
    code, stdout, err = run_cli(
        "agreement", "--annotations", str(rows_path), "--schema", schema_path, "--out", str(out)
    )
    assert (code, err) == (0, "")
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(json.dumps(report))
    assert "1 cancelled and ignored" in stdout and "Krippendorff" in stdout


def test_agreement_cli_without_overlap_says_so(run_cli, repo_root, tmp_path):
    rows_path, out = tmp_path / "annotations.jsonl", tmp_path / "agreement.json"
    write_jsonl(rows_path, [row("s1", "a", ["strike"], "neutral")])
    schema_path = str(repo_root / "labels" / "schema.yaml")
    code, stdout, _ = run_cli(
        "agreement", "--annotations", str(rows_path), "--schema", schema_path, "--out", str(out)
    )
    assert code == 0
    assert f"no agreement to measure: {NO_OVERLAP}" in stdout.replace("\n", " ")
    assert json.loads(out.read_text(encoding="utf-8"))["reason"] == NO_OVERLAP


def test_agreement_cli_missing_annotations_is_one_line(run_cli, repo_root, tmp_path):
    missing = tmp_path / "annotations.jsonl"
    schema_path = str(repo_root / "labels" / "schema.yaml")
    code, stdout, err = run_cli("agreement", "--annotations", str(missing), "--schema", schema_path)
    assert code == 1
    assert err == f"error: {missing} does not exist (hint: run `newskit pull` first)\n"
    assert "Traceback" not in stdout + err
