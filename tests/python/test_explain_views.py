"""Full explanations, region-wide views and presets (issue 14) through the binding."""
import itertools

import numpy as np
import pytest

import libmatch as lm
from conftest import gen_data, make_pool, one_candidate, one_vacancy

TOGGLES = {
    "group": (lm.Constraint.TARGET_GROUP, {}, {"accepted_groups": 2}),
    "ready": (lm.Constraint.READINESS, {"readiness": 5}, {"max_readiness": 2}),
    "lw": (lm.Constraint.LOONWAARDE, {"loonwaarde": 50}, {"min_loonwaarde": 80}),
    "flags": (lm.Constraint.FLAGS, {}, {"required_flags": 4}),
    "hours": (lm.Constraint.HOURS, {"hours_min": 0, "hours_max": 8}, {"hours_min": 20, "hours_max": 32}),
    "dates": (lm.Constraint.DATES, {"available_from": 2000}, {"open_until": 1000}),
    "slots": (lm.Constraint.SLOTS, {}, {"slots": 0}),
    "travel": (lm.Constraint.TRAVEL, {"max_minutes": 60}, {"lat": 53.3}),
}


def explain_with(on, min_score=0.0):
    c = one_candidate(1, groups=1)
    v = one_vacancy(100, accepted_groups=1, open_until=1000)
    for name in on:
        _, cc, vv = TOGGLES[name]
        c.update(cc)
        v.update(vv)
    with lm.Pool(4) as pool:
        pool.add_candidates(**c)
        pool.add_vacancies(**v)
        with pool.snapshot() as snap, lm.Engine(lm.Policy(min_score=min_score, min_competence=0)) as eng:
            return eng.explain(snap, 1, 100, 1)


def test_every_combination_reported():
    names = list(TOGGLES)
    for r in range(len(names) + 1):
        for on in itertools.combinations(names, r):
            for ms in (0.0, 0.99):
                m = explain_with(on, ms)
                want = {TOGGLES[n][0] for n in on} | ({lm.Constraint.MIN_SCORE} if ms else set())
                assert set(m.failed_constraints) == want, (on, ms, m.failed_constraints)
                assert m.constraint == (min(want) if want else lm.Constraint.NONE)
                assert m.hours_gap == (12.0 if "hours" in on else 0.0)
                assert m.loonwaarde_gap == (30.0 if "lw" in on else 0.0)
                assert m.travel_limit == (60.0 if "travel" in on else 90.0)
                assert m.travel_limit_own == ("travel" in on)


def test_describe_gives_the_distances():
    m = explain_with(("travel", "hours", "lw"))
    text = m.describe()
    assert f"limit {m.travel_limit:.0f} (own)" in text and f"{m.travel_minutes:.0f} min by" in text
    assert "12 h/week apart" in text and "30 points short" in text
    assert m.travel_minutes > m.travel_limit
    assert lm.constraints_of(m.failed) == m.failed_constraints
    ok = explain_with(())
    assert ok.failed == 0 and ok.feasible and ok.failed_constraints == []


def test_results_rows_have_failed_zero_and_limits(small):
    pool, snap, eng, c, v = small
    res = eng.batch(snap, (1, 2, 1))
    rows = res.by_candidate
    assert len(rows) and (rows["failed"] == 0).all()
    assert (rows["travel_minutes"] <= rows["travel_limit"]).all()
    assert (rows["hours_gap"] == 0).all() and (rows["loonwaarde_gap"] == 0).all()
    res.close()


def ref_feasible(eng, snap, viewer, c, v):
    """Per visible candidate, the number of vacancies whose explanation has no failing constraint."""
    out = {}
    for cid in c["id"]:
        n = 0
        try:
            for vid in v["id"]:
                n += eng.explain(snap, viewer, int(vid), int(cid)).failed == 0
        except lm.UnknownIdError:
            continue
        out[int(cid)] = n
    return out


@pytest.mark.parametrize("density", [0.3, 0.8])
def test_counts_and_unmatched_agree_with_explanations(density):
    c, v = gen_data(31, 80, 40, 6, density)
    viewer = (1, 2, 1)
    with make_pool(c, v) as pool, pool.snapshot() as snap, lm.Engine(threads=2) as eng:
        assert eng.count_feasible is False
        res = eng.batch(snap, viewer)
        with pytest.raises(lm.StateError):
            res.feasible_count(int(c["id"][0]))
        res.close()
        eng.count_feasible = True
        res = eng.batch(snap, viewer)
        ref = ref_feasible(eng, snap, viewer, c, v)
        counts = res.feasible_counts()
        assert {int(i): int(n) for i, n in counts} == ref
        um = eng.unmatched(snap, viewer)
        assert sorted(int(x) for x in um.people["candidate_id"]) == sorted(k for k, n in ref.items() if n == 0)
        assert um.stats["people"] == len(ref) and um.stats["unmatched"] == len(um)
        total = um.by_binding(0)
        assert sum(total.values()) == len(um)
        for p in um.people:
            if p["binding"] >= 0:
                assert p["opened"] > 0 and p["failed_any"] >> p["binding"] & 1
        for bit in range(6):
            g = 1 << bit
            assert sum(um.by_binding(g).values()) == int(((um.people["groups"] & g) != 0).sum())
        res.close()


def test_unmatched_bad_input_and_cancel(small):
    pool, snap, eng, c, v = small
    with pytest.raises(TypeError):
        eng.unmatched(None, 1)
    with pytest.raises(lm.RangeError):
        eng.unmatched(snap, 1, vacancy_region=-1)
    with pytest.raises(lm.CancelledError):
        eng.unmatched(snap, (1, 2, 1), progress=lambda done, total: True)
    with pytest.raises(lm.RangeError):
        eng._set(3, 2)
    assert lm.Unmatched.binding_name(-1) == "several" and lm.Unmatched.binding_name(9) == "travel"


def test_presets_policy_values():
    p = lm.Policy()
    d = lm.Policy.from_preset("default")
    assert p == d
    p.max_travel_min = 45
    p.preset(lm.Preset.FURTHEST_FIRST)
    assert p.w_readiness == 0.2 and p.favour_furthest == 1 and p.max_travel_min == 45
    for bad in (3, -1, "nearest"):
        with pytest.raises(lm.RangeError):
            p.preset(bad)
        assert p.favour_furthest == 1 and p.w_readiness == 0.2
    p.preset("closest_first")
    assert p.favour_furthest == 0 and p.w_readiness == 0.2


def test_presets_move_proposals_by_readiness():
    c, v = gen_data(5, 300, 50, 6, 0.9)
    v["max_readiness"][:] = 5
    v["slots"][:] = 2
    ready = dict(zip(c["id"].tolist(), c["readiness"].tolist()))
    share = {}
    with make_pool(c, v) as pool, pool.snapshot() as snap:
        for preset in lm.Preset:
            with lm.Engine(lm.Policy.from_preset(preset)) as eng:
                res = eng.batch(snap, (1, 2, 1))
                a = eng.assign(res)
                cats = np.array([ready[int(x)] for x in a.proposals["candidate_id"]])
                share[preset] = ((cats <= 2).sum(), (cats >= 4).sum())
                want = (cats - 1) * 0.25 if preset == lm.Preset.FURTHEST_FIRST else (5 - cats) * 0.25
                assert np.allclose(a.proposals["readiness"], want)
                a.close()
                res.close()
    assert share[lm.Preset.CLOSEST_FIRST][0] >= share[lm.Preset.DEFAULT][0]
    assert share[lm.Preset.FURTHEST_FIRST][1] > share[lm.Preset.DEFAULT][1]
    assert share[lm.Preset.FURTHEST_FIRST][0] < share[lm.Preset.CLOSEST_FIRST][0]
