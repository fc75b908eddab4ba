"""The match-quality evaluation harness (bench/eval, `make eval`, docs/quality.md):
the metric functions against hand-computed values, and a tiny run of the whole
harness (every model, variant, truth and baseline present; metrics in [0, 1];
the same seed gives the same numbers). The harness needs the reference data in
../shared/data; without it the harness tests skip."""
import importlib.util
import json
import math
import sys

import numpy as np
import pytest

from conftest import ROOT, build_dir

sys.path.insert(0, str(ROOT / "bench" / "eval"))
_spec = importlib.util.spec_from_file_location("lmeval_run", ROOT / "bench" / "eval" / "run.py")
eval_run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(eval_run)
from lmeval import data as D  # noqa: E402
from lmeval import metrics as M  # noqa: E402
from lmeval import runner as R  # noqa: E402


def _data_dir():
    try:
        d = D.find_data(None, ROOT)
        for f in ("onet_skill_profiles.csv", "onet_occupations.csv", "nl_pc4_2017.tsv", "nl_gemeenten_2024.tsv"):
            D._need(d / f)
        return d
    except D.DataMissing as e:
        pytest.skip(f"reference data absent ({e}): the evaluation harness needs ../shared/data")


# ---------------------------------------------------------------------------
# metric functions, hand-computed


def test_ndcg_hand_computed():
    rel = np.array([[True, False, True, False]])
    p = M.per_query(np.array([[0, 1, 2, 3]]), rel, k=4)
    # DCG = 1/log2(2) + 1/log2(4) = 1.5; ideal = 1 + 1/log2(3)
    assert p["ndcg"][0] == pytest.approx(1.5 / (1 + 1 / math.log2(3)))
    assert p["precision"][0] == pytest.approx(0.5)
    assert p["hit"][0] == 1.0
    # the relevant ones last: DCG = 1/log2(4) + 1/log2(5)
    p = M.per_query(np.array([[1, 3, 0, 2]]), rel, k=4)
    assert p["ndcg"][0] == pytest.approx((0.5 + 1 / math.log2(5)) / (1 + 1 / math.log2(3)))
    # cut at k = 2: nothing relevant in the top 2
    p = M.per_query(np.array([[1, 3, 0, 2]]), rel, k=2)
    assert p["ndcg"][0] == 0.0 and p["precision"][0] == 0.0 and p["hit"][0] == 0.0


def test_ndcg_padding_and_undefined():
    rel = np.array([[False, False, True], [False, False, False]])
    top = np.array([[2, -1, -1], [0, 1, -1]])
    p = M.per_query(top, rel, k=3)
    assert p["ndcg"][0] == 1.0                      # the only relevant item first
    assert p["precision"][0] == pytest.approx(1 / 3)
    assert math.isnan(p["ndcg"][1]) and p["n_rel"][1] == 0
    s = M.summary(top, rel, k=3)
    assert s["queries"] == 1 and s["queries_total"] == 2 and s["ndcg@3"] == 1.0


def test_oracle_one_random_far_lower():
    rng = np.random.default_rng(5)
    rel = rng.random((200, 400)) < 0.02
    feas = rng.random((200, 400)) < 0.6
    relf = rel & feas
    oracle = M.topk(relf.astype(float) + rng.random(rel.shape) * 0.1, feas)
    rnd = M.topk(rng.random(rel.shape), feas)
    so, sr = M.summary(oracle, relf), M.summary(rnd, relf)
    assert so["ndcg@10"] == pytest.approx(1.0) and so["hit@10"] == pytest.approx(1.0)
    assert sr["ndcg@10"] < 0.2
    assert 0 < sr["precision@10"] < so["precision@10"]


def test_topk_ties_feasibility_padding():
    score = np.array([[0.5, 0.9, 0.5, 0.9, 0.1]])
    feas = np.array([[True, True, True, False, True]])
    t = M.topk(score, feas, k=6)
    assert t.tolist() == [[1, 0, 2, 4, -1, -1]]     # infeasible 3 out, ties by lower index, padded


def test_greedy_and_cosine():
    # vacancy 0 has 1 slot, vacancy 1 has 1: greedy takes (0, p0) = 0.9, then (1, p1) = 0.5;
    # (1, p0) = 0.8 is blocked because p0 already has a proposal.
    v, p = M.greedy(np.array([0, 1, 1]), np.array([0, 0, 1]), np.array([0.9, 0.8, 0.5]), np.array([1, 1]))
    assert list(zip(v.tolist(), p.tolist())) == [(0, 0), (1, 1)]
    # a pair of value 0 is never proposed (lm_engine_assign drops it too)
    v, p = M.greedy(np.array([0, 1]), np.array([0, 1]), np.array([0.5, 0.0]), np.array([1, 1]))
    assert v.tolist() == [0] and p.tolist() == [0]
    c = M.cosine(np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[2.0, 0.0], [0.0, 3.0]]))
    assert c.tolist() == [[1.0, 0.0], [0.0, 0.0]]


def test_important_mask_fallback():
    im = np.array([[1.0, 3.5, 2.0, 3.0, 1.0], [2.9, 1.0, 2.5, 2.0, 1.5]])
    D_CANDO = D.CANDO_MIN_SKILLS
    m = D.important_mask(im)
    assert m[0].tolist() == [False, True, False, True, False]
    assert m[1].sum() == D_CANDO and m[1][0] and m[1][2]


# ---------------------------------------------------------------------------
# the harness at a tiny size


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    _data_dir()
    out = []
    for i, plots in enumerate((True, False)):
        d = tmp_path_factory.mktemp(f"eval{i}")
        args = ["--build", str(build_dir()), "--out", str(d), "--mode", "tiny", "--seed", "3", "--quiet",
                "--threads", "1"]
        # the second run also repeats over a second seed: the first seed's numbers must not change
        assert eval_run.main(args + ([] if plots else ["--no-plots", "--repeats", "2"])) == 0
        out.append((d, json.loads((d / "report.json").read_text())))
    return out


def _numbers(rep):
    return {k: rep[k] for k in ("results", "baselines", "population", "tradeoff", "definitions")}


def test_report_has_everything(runs):
    d, rep = runs[0]
    res = rep["results"]
    for v in D.VARIANTS:
        assert v in rep["population"]
        for inp in R.INPUTS:
            for model in R.MODELS.values():
                for pol in R.POLICIES:
                    rows = [r for r in res if (r["variant"], r["input"], r["model"], r["policy"]) == (v, inp, model, pol)]
                    assert len(rows) == 1, (v, inp, model, pol)
                    r = rows[0]
                    if r["available"]:
                        assert set(r["metrics"]) == set(D.TRUTHS)
                    else:
                        assert r["note"].startswith("not available")
        names = {b["baseline"] for b in rep["baselines"] if b["variant"] == v}
        assert names == set(R.BASELINES)
    assert all(r["available"] for r in res if r["input"] != "lib_centred" and r["model"] == "requirement")
    assert set(rep["tradeoff"]["curves"]) == set(R.TRADEOFF_WEIGHTS)
    for pts in rep["tradeoff"]["curves"].values():
        assert [p["weight"] for p in pts] == R.TRADEOFF_GRID
    md = (d / "report.md").read_text()
    for t in ("same occupation", "can do the job", "numpy_cosine", "Trade-offs", "tradeoff.png"):
        assert t in md
    for png in ("models.png", "variants.png", "tradeoff.png"):
        assert (d / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_repeats(runs):
    (_, a), (_, b) = runs
    assert "repeats" not in a
    rp = b["repeats"]
    assert rp["seeds"] == [3, 4]
    x = rp["ndcg@10"]["noise_all|centred|requirement|competence_only"]["occupation"]
    first = [r for r in b["results"] if (r["variant"], r["input"], r["model"], r["policy"]) ==
             ("noise_all", "centred", "requirement", "competence_only")][0]
    assert x["values"][0] == first["metrics"]["occupation"]["vacancy"]["ndcg@10"]
    assert len(x["values"]) == 2 and min(x["values"]) <= x["mean"] <= max(x["values"])
    assert set(rp["ndcg@10"]["missing_zero|random"]) == set(D.TRUTHS)


def test_metrics_in_unit_interval(runs):
    _, rep = runs[0]
    rows = [r for r in rep["results"] if r["available"]] + rep["baselines"]
    assert rows
    for r in rows:
        for truth, sides in r["metrics"].items():
            for side, m in sides.items():
                for k in ("ndcg@10", "precision@10", "hit@10"):
                    if m["queries"] == 0:
                        assert m[k] is None
                    else:
                        assert 0.0 <= m[k] <= 1.0, (r.get("model", r.get("baseline")), truth, side, k, m[k])
                    assert m["ndcg@10_se"] is None or 0.0 <= m["ndcg@10_se"] < 0.5
        a = r.get("assignment")
        if a:
            for who in ("assign", "greedy"):
                for truth in D.TRUTHS:
                    x = a[who][truth]
                    assert x["relevant"] <= min(a[who]["proposals"], max(x["possible"], x["relevant"]))
                    for k in ("share_relevant", "of_possible"):
                        assert x[k] is None or 0.0 <= x[k] <= 1.0
            assert a["greedy"]["proposals"] <= a["edges"]


def test_rankings_beat_random(runs):
    _, rep = runs[0]
    get = {(b["variant"], b["baseline"]): b["metrics"]["occupation"]["vacancy"]["ndcg@10"] for b in rep["baselines"]}
    assert get[("noise_all", "numpy_cosine")] > 2 * get[("noise_all", "random")]
    lib = [r for r in rep["results"] if (r["variant"], r["input"], r["policy"]) == ("noise_all", "centred",
                                                                                    "competence_only")]
    assert lib[0]["metrics"]["occupation"]["vacancy"]["ndcg@10"] > 2 * get[("noise_all", "random")]


def test_oracle_on_the_population():
    dd = _data_dir()
    region = D.make_region(dd, "tiny", 3)
    pop = D.make_variant(region, "noise_all")
    rel = D.truths(pop)
    feas = np.ones((pop.m, pop.n), dtype=bool)
    rng = np.random.default_rng(0)
    for truth, r in rel.items():
        so = M.summary(M.topk(r.astype(float), feas), r)
        sr = M.summary(M.topk(rng.random(r.shape), feas), r)
        assert so["ndcg@10"] == pytest.approx(1.0), truth
        assert sr["ndcg@10"] < 0.6 * so["ndcg@10"], truth


def test_deterministic_for_a_seed(runs):
    (_, a), (_, b) = runs
    assert json.dumps(_numbers(a), sort_keys=True) == json.dumps(_numbers(b), sort_keys=True)


def test_missing_data_message(tmp_path, capsys):
    rc = eval_run.main(["--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o"), "--mode", "tiny"])
    assert rc == 2
    assert "reference data" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
