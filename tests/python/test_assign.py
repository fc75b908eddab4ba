"""Coordinated proposals (assign.h) through Python. Skipped, with the reason,
when the loaded library does not export the assignment functions."""
import itertools

import numpy as np
import pytest

import libmatch as lm
from conftest import gen_data, make_pool

pytestmark = pytest.mark.skipif(not lm.features()["assign"],
                                reason="the loaded libmatch does not export lm_engine_assign* (assign.c)")


def test_assign_from_batch():
    c, v = gen_data(51, 200, 60, 8, 1.0)
    v["slots"] = np.full(len(v["id"]), 2, np.int32)
    with make_pool(c, v) as pool, pool.snapshot() as snap, lm.Engine(threads=1) as eng:
        with eng.batch(snap, lm.Viewer(1, 1, 1), k_candidates=8, k_vacancies=4) as b:
            calls = []
            a = eng.assign(b, max_per_candidate=1, progress=lambda d, t: calls.append(d) and False)
            p = a.proposals
            assert p.dtype == lm.MATCH_DTYPE and len(a) == len(p) > 0
            # capacities and the per-person limit hold
            _, per_vac = np.unique(p["vacancy_id"], return_counts=True)
            assert per_vac.max() <= 2
            _, per_cand = np.unique(p["candidate_id"], return_counts=True)
            assert per_cand.max() == 1
            # each proposal is a pair of the batch's graph, with the batch's explanation
            graph = {(int(m["vacancy_id"]), int(m["candidate_id"])): m for m in b.by_vacancy}
            graph.update({(int(m["vacancy_id"]), int(m["candidate_id"])): m for m in b.by_candidate})
            for m in p:
                g = graph[(int(m["vacancy_id"]), int(m["candidate_id"]))]
                assert m["score"] == g["score"] and m["travel_minutes"] == g["travel_minutes"]
            st = a.stats
            assert st["proposals"] == len(p)
            assert st["objective"] == pytest.approx(float(p["score"].astype(np.float64).sum()), abs=1e-4)
            assert a.objective == st["objective"] >= st["greedy_objective"] - 1e-9
            assert st["cross_border"] == int((p["candidate_municipality"] != p["vacancy_municipality"]).sum())
            assert st["edges"] >= len(p)
            groups = a.groups()
            assert groups.dtype == lm.GROUP_REPORT_DTYPE
            assert int(groups["proposals"].sum()) == len(p)
            assert (np.diff(groups["group"]) > 0).all()
            assert "Assignment proposals=" in repr(a)
            # m = 2 gives at least as much
            a2 = eng.assign(b, max_per_candidate=2, fairness_floor=0.5)
            assert a2.objective >= a.objective - 1e-9
            a.close()
            a2.close()
            with pytest.raises(lm.ClosedError):
                a.proposals
        with pytest.raises(lm.CancelledError):
            with eng.batch(snap, lm.Viewer(1, 1, 1)) as b2:
                eng.assign(b2, progress=lambda d, t: True)


def brute_force(n_people, cap, edges):
    """Best total score with each person at most once and capacities held."""
    by_person = [[(j, s) for (i, j, s) in edges if i == p] for p in range(n_people)]
    best = 0.0
    for choice in itertools.product(*[[None] + opts for opts in by_person]):
        used = [0] * len(cap)
        total = 0.0
        ok = True
        for o in choice:
            if o is None:
                continue
            j, s = o
            used[j] += 1
            if used[j] > cap[j]:
                ok = False
                break
            total += s
        if ok:
            best = max(best, total)
    return best


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_assign_graph_is_optimal(seed):
    rng = np.random.default_rng(seed)
    n_people, n_vac = 7, 4
    cap = rng.integers(0, 3, n_vac).astype(np.int32)
    pairs = [(i, j) for i in range(n_people) for j in range(n_vac) if rng.random() < 0.5]
    ep = np.array([i for i, _ in pairs], np.uint32)
    ev = np.array([j for _, j in pairs], np.uint32)
    es = rng.random(len(pairs)).astype(np.float32)
    with lm.Engine() as eng:
        a = eng.assign_graph(capacity=cap, edge_person=ep, edge_vacancy=ev, edge_score=es, n_people=n_people)
        p = a.proposals
        edges = [(int(i), int(j), float(s)) for i, j, s in zip(ep, ev, es.astype(np.float64))]
        assert a.objective == pytest.approx(brute_force(n_people, cap.tolist(), edges), abs=1e-5)
        for m in p:  # ids are indices; rank is the slot
            assert 1 <= m["rank"] <= cap[m["vacancy_id"]]
            assert (int(m["candidate_id"]), int(m["vacancy_id"])) in pairs
        a.close()


def test_assign_graph_groups_and_errors():
    with lm.Engine() as eng:
        kw = dict(capacity=[1, 1], edge_person=[0, 1, 2], edge_vacancy=[0, 0, 1], edge_score=[0.9, 0.8, 0.5],
                  person_group=[361, 361, 375], vacancy_group=[361, 375])
        a = eng.assign_graph(**kw)
        g = a.groups()
        assert g["group"].tolist() == [361, 375]
        assert a.stats["cross_border"] == 0 and len(a) == 2
        a.close()
        with pytest.raises(lm.NonFiniteError) as ei:
            eng.assign_graph(**dict(kw, edge_score=[0.9, np.nan, 0.5]))
        assert ei.value.status == lm.Status.ERR_NONFINITE and "edge 1" in ei.value.message
        with pytest.raises(lm.DuplicateError):
            eng.assign_graph(**dict(kw, edge_person=[0, 0, 2], edge_vacancy=[0, 0, 1]))
        with pytest.raises(lm.RangeError, match="max_per_candidate"):
            eng.assign_graph(**kw, max_per_candidate=0)
        with pytest.raises(lm.RangeError, match="out of range"):
            eng.assign_graph(**dict(kw, edge_vacancy=[0, 0, 7]))
        with pytest.raises(lm.LimitError) as ei:
            eng.assign_graph(capacity=[1], edge_person=[0], edge_vacancy=[0], edge_score=[0.5],
                             n_people=lm.MAX_ROWS + 1)
        assert ei.value.status == lm.Status.ERR_LIMIT
        with pytest.raises(lm.NullArgumentError):
            eng.assign_graph(capacity=None, edge_person=[0], edge_vacancy=[0], edge_score=[0.5])
        with pytest.raises(lm.InvalidArgumentError):
            eng.assign_graph(**dict(kw, edge_score=[0.9, 0.5]))
        with pytest.raises(TypeError):
            eng.assign("not results")
