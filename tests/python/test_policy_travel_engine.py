"""Policy, Travel and Engine options."""
import math

import numpy as np
import pytest

import libmatch as lm
from conftest import gen_data, make_pool, one_candidate, one_vacancy
import reference as ref


def test_policy_defaults_keywords_and_attributes():
    p = lm.Policy()
    assert p.to_dict() == ref.DEFAULT_POLICY | {"version": 1}
    assert isinstance(p.version, int) and isinstance(p.allowed_modes, int) and isinstance(p.w_travel, float)
    q = lm.Policy(w_competence=0.7, max_travel_min=60, version=3, allowed_modes=lm.Mode.BIKE.bit | lm.Mode.PT.bit)
    assert (q.w_competence, q.max_travel_min, q.version, q.allowed_modes) == (0.7, 60.0, 3, 6)
    q.min_score = 0.25
    assert q.get("min_score") == q.get(lm.PolicyKey.MIN_SCORE) == 0.25
    q.set(lm.PolicyKey.AS_OF_DAY, 19000)
    assert q.as_of_day == 19000
    assert q.copy() == q and q != p
    assert "max_travel_min=60.0" in repr(q)
    assert set(lm.Policy.KEYS) == set(ref.DEFAULT_POLICY) | {"version"}
    # weights that pass through "all zero" when set one by one still work
    z = lm.Policy(w_competence=0, w_travel=0, w_hours=0, w_readiness=0, w_priority=1)
    assert z.w_priority == 1 and z.w_competence == 0
    for o in (p, q, z):
        o.close()


def test_engine_policy_changes_results():
    c, v = gen_data(41, 80, 30, 8, 1.0)
    viewer = (1, 1, 1)
    with make_pool(c, v) as pool, pool.snapshot() as snap, lm.Engine(threads=1) as eng:
        V = lm.Viewer(*viewer)
        pol = lm.Policy(w_competence=1.0, w_travel=0, w_hours=0, w_readiness=0, version=7)
        eng.policy = pol
        pol.min_score = 0.9  # the engine holds a copy: no effect until assigned again
        assert eng.policy.version == 7 and eng.policy.min_score == 0.25  # the default (docs/scoring.md)
        score, _, _ = ref.score_matrix(c, v, viewer, dict(w_competence=1.0, w_travel=0, w_hours=0, w_readiness=0))
        for j, vj in enumerate(v["id"][:10]):
            rows = eng.query_vacancy(snap, V, int(vj), 5)
            ref.assert_topk(rows["candidate_id"].tolist(), rows["score"].tolist(),
                            ref.topk(score, c["id"], j, False, 5))
            assert eng.last_stats["policy_version"] == 7
        eng.policy = pol
        for vj in v["id"][:10]:
            assert (eng.query_vacancy(snap, V, int(vj), 5)["score"] >= 0.9 - 1e-6).all()
        pol.close()


def test_engine_options():
    with lm.Engine(threads=2, kernel="scalar") as e:
        assert e.threads == 2 and e.kernel == lm.Kernel.SCALAR
        e.kernel = lm.Kernel.AUTO
        assert e.kernel in (lm.Kernel.SCALAR, lm.Kernel.AVX2, lm.Kernel.AVX512)
        e.threads = 0
        assert "Engine threads=0" in repr(e)
        assert e.travel is None and e.policy == lm.Policy()


def test_results_of_every_kernel_are_equal():
    c, v = gen_data(42, 90, 40, 37, 0.9)
    with make_pool(c, v) as pool, pool.snapshot() as snap:
        got = []
        for k in lm.Kernel:
            with lm.Engine(threads=1) as e:
                try:
                    e.kernel = k
                except lm.UnsupportedError:
                    continue
                with e.batch(snap, lm.Viewer(1, 1, 1)) as r:
                    got.append((k, r.by_vacancy[["vacancy_id", "candidate_id", "rank"]].copy(), r.by_vacancy["score"].copy()))
        assert len(got) >= 2
        for k, ids, sc in got[1:]:
            assert np.array_equal(ids, got[0][1]), k
            assert np.allclose(sc, got[0][2], atol=1e-5)


def test_travel_geometric_matrix_and_files(tmp_path):
    t = lm.Travel()
    assert t.geometric("bike") == {"speed_kmh": 15.0, "detour": 1.3, "access_min": 2.0}
    # docs/travel.md: Amsterdam centre to Haarlem centre
    ams, hlm = (52.3728, 4.8936), (52.3874, 4.6462)
    kw = dict(from_lat=ams[0], from_lon=ams[1], to_lat=hlm[0], to_lon=hlm[1])
    assert t.minutes("car", **kw) == pytest.approx(27.9, abs=0.05)
    assert t.minutes(lm.Mode.PT, **kw) == pytest.approx(55.9, abs=0.05)
    t.set_geometric("bike", speed_kmh=20, access_min=1)
    assert t.get_param("bike", lm.TravelParam.SPEED_KMH) == 20
    assert t.minutes("walk", from_zone=1012, to_zone=2011) == math.inf
    zones = np.array([1012, 2011], np.int32)
    minutes = np.array([[4, 25], [27, 255]], np.uint8)
    t.set_matrix("pt", zones, minutes)
    assert t.minutes("pt", from_zone=1012, to_zone=2011) == 25
    assert t.minutes("pt", from_zone=2011, to_zone=1012) == 27
    assert t.minutes("pt", from_zone=2011, to_zone=2011, from_lat=52, from_lon=4, to_lat=52, to_lon=4) == math.inf
    path = tmp_path / "m.bin"
    t.save(path)
    t2 = lm.Travel.from_file(path)
    assert t2.minutes("pt", from_zone=1012, to_zone=2011) == 25
    txt = tmp_path / "m.tsv"
    txt.write_text("origin\tdestination\tmode\tminutes\n1012\t2011\tbike\t70\n")
    t2.load(str(txt))
    assert t2.minutes("bike", from_zone=1012, to_zone=2011) == 70
    assert t2.minutes("pt", from_zone=1012, to_zone=2011) == 25, "other modes keep their matrices"
    with pytest.raises(lm.LibmatchIOError):
        lm.Travel.from_file(tmp_path / "nope")
    t.close()
    t2.close()


def test_travel_matrix_used_by_engine():
    t = lm.Travel()
    t.set_matrix("bike", [1941, 2011], [[0, 30], [30, 0]])
    with lm.Pool(4) as pool:
        pool.add_candidates(**one_candidate(1, zone=1941, modes=lm.Mode.BIKE.bit, lat=np.nan, lon=np.nan))
        pool.add_vacancies(**one_vacancy(100, zone=2011, lat=np.nan, lon=np.nan))
        with pool.snapshot() as s, lm.Engine(travel=t) as e, lm.Engine() as plain:
            m = e.explain(s, lm.Viewer(1), 100, 1)
            assert m.travel_minutes == 30 and m.travel_mode == lm.Mode.BIKE
            assert plain.explain(s, lm.Viewer(1), 100, 1).constraint == lm.Constraint.TRAVEL
    t.close()


def test_match_dataclass_from_rows():
    c, v = gen_data(43, 40, 10, 8, 1.0)
    with make_pool(c, v) as pool, pool.snapshot() as snap, lm.Engine() as e:
        for vid in v["id"]:
            rows = e.query_vacancy(snap, lm.Viewer(1, 1, 1), int(vid), 5)
            if len(rows):
                break
        assert rows.dtype == lm.MATCH_DTYPE and len(rows)
        m = lm.Match.from_record(rows[0])
        assert m.rank == 1 and m.feasible and m.vacancy_id == int(vid)
        assert isinstance(m.constraint, lm.Constraint) and isinstance(m.travel_mode, lm.Mode)
        assert m == lm.Match.from_record(rows[0])
        x = e.explain(snap, lm.Viewer(1, 1, 1), m.vacancy_id, m.candidate_id)
        assert x.rank == 0 and x.score == pytest.approx(m.score, abs=1e-6)
        with pytest.raises(Exception):
            m.score = 1.0  # frozen
