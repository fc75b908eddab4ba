"""Competence models and centring through the binding (docs/scoring.md)."""
import warnings

import numpy as np
import pytest

import libmatch as lm
from conftest import gen_data, make_pool, one_candidate, one_vacancy


def raw_levels(c, v, seed=3):
    rng = np.random.default_rng(seed)
    c["vectors"] = (rng.integers(1, 33, c["vectors"].shape) / 8).astype(np.float32)
    v["vectors"] = (rng.integers(1, 33, v["vectors"].shape) / 8).astype(np.float32)


def test_competence_model_enum_and_policy_names():
    assert [m.name.lower() for m in lm.CompetenceModel] == [
        "requirement", "cosine", "symmetric", "coverage", "cosine_coverage"]
    p = lm.Policy()
    assert p.competence_model is lm.CompetenceModel.COSINE_COVERAGE  # the default (docs/scoring.md, "Choosing the default")
    for m in lm.CompetenceModel:
        p.competence_model = m.name.lower()
        assert p.competence_model is m
        assert lm.Policy(competence_model=m.name.lower()).get("competence_model") == m
    p.set(lm.PolicyKey.COMPETENCE_MODEL, 2)
    assert p.competence_model is lm.CompetenceModel.SYMMETRIC
    with pytest.raises(lm.RangeError):
        p.competence_model = "dot"
    with pytest.raises(lm.RangeError):
        p.competence_model = 5
    assert p.competence_model is lm.CompetenceModel.SYMMETRIC  # unchanged
    p.overqualification = 0.5
    assert p.overqualification == 0.5
    with pytest.raises(lm.RangeError):
        p.overqualification = 1.5
    p.close()


def test_hand_computed_models():
    # c = (3, 1, 2), r = (2, 2, 2), w = (1, 2, 0.5), centre (1, 1, 1); see test_competence.c
    want = {"requirement": 2.5 / np.sqrt(5 * 5.25), "cosine": 3 / np.sqrt(15),
            "symmetric": 2.5 / np.sqrt(4.5 * 3.5), "coverage": 1 - 2.25 / 7}
    want["cosine_coverage"] = want["cosine"] * want["coverage"]
    with lm.Pool(3) as pool:
        pool.add_candidates(**one_candidate(1, dim=3, vectors=np.array([[3, 1, 2]], np.float32)))
        pool.add_vacancies(**one_vacancy(2, dim=3, vectors=np.array([[2, 2, 2]], np.float32),
                                         weights=np.array([[1, 2, 0.5]], np.float32)))
        pool.set_centre([1, 1, 1])
        assert pool.centred and np.array_equal(pool.centre(), np.ones(3, np.float32))
        with pool.snapshot() as snap:
            for name, w in want.items():
                with lm.Policy(competence_model=name) as pol, lm.Engine(pol, threads=1) as eng:
                    m = eng.explain(snap, (1, 361, 0), 2, 1)
                    assert abs(m.competence - w) < 1e-6, name
                    res = eng.batch(snap, (1, 361, 0))
                    assert res.stats["competence_model"] == lm.CompetenceModel[name.upper()]
                    res.close()


def test_set_centre_errors_and_atomicity():
    c, v = gen_data(5, 40, 20, 6)
    raw_levels(c, v)
    with pytest.warns(lm.UncentredWarning, match="mean pairwise cosine"):
        pool = make_pool(c, v)
    with pool:
        assert pool.centre() is None and not pool.centred
        assert pool.mean_cosine > 0.5
        before = pool.snapshot()
        with pytest.raises(lm.DimensionError):
            pool.set_centre(np.zeros(5))
        with pytest.raises(lm.NonFiniteError):
            pool.set_centre([0, 0, np.nan, 0, 0, 0])
        with pytest.raises(lm.RangeError):
            pool.stat("median")
        assert pool.centre() is None
        pool.set_centre()
        after = pool.snapshot()
        assert after.version == before.version + 1
        allv = np.vstack([c["vectors"], v["vectors"]]).astype(np.float64)
        assert np.allclose(pool.centre(), allv.mean(axis=0), atol=1e-6)
        assert abs(pool.mean_cosine) < 0.2 and pool.stat("centred") == 1.0
        # rows added to a centred pool do not warn
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            c2 = {k: a for k, a in c.items()}
            c2["id"] = c["id"] + 10**9
            pool.add_candidates(c2)
        pool.set_centre(np.zeros(6))
        assert not pool.centred
        before.close()
        after.close()
    with lm.Pool(4) as empty, pytest.raises(lm.StateError):
        empty.set_centre()


def test_generic_models_batch_equals_explain():
    c, v = gen_data(9, 120, 50, 10)
    raw_levels(c, v)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lm.UncentredWarning)
        pool = make_pool(c, v)
    with pool:
        pool.set_centre()
        with pool.snapshot() as snap:
            for name in ("symmetric", "coverage", "cosine_coverage", "cosine"):
                with lm.Policy(competence_model=name) as pol, lm.Engine(pol, threads=2) as eng:
                    res = eng.batch(snap, (1, 1, 1), k_candidates=5, k_vacancies=5)
                    rows = res.by_vacancy
                    assert len(rows) > 20
                    for r in rows[:40]:
                        m = eng.explain(snap, (1, 1, 1), int(r["vacancy_id"]), int(r["candidate_id"]))
                        if name in ("cosine", "cosine_coverage"):  # fast batch: the panel kernel's cosine may differ in the last bit
                            assert abs(m.score - r["score"]) < 1e-6
                        else:
                            assert m.score == r["score"], name
                    res.close()
