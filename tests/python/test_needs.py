"""Issue 14 through the binding: support needs and offers, kinds of places,
the new target groups, the competence floor and the municipal-only run."""
import math

import numpy as np
import pytest

import libmatch as lm
from conftest import gen_data, make_pool
import reference as ref


def test_constants_match_core_h():
    assert (lm.Group.WW, lm.Group.WAJONG, lm.Group.JONGERE) == (64, 128, 256)
    assert lm.Group.ALL == 0x3F and lm.Group.KNOWN == lm.GROUP_KNOWN == 0x1FF
    assert [int(n) for n in lm.Need] == [1, 2, 4, 8, 16, 32] and lm.NEED_STANDARD_MASK == 0xFFFF
    assert [k.name for k in lm.VacancyKind] == ["REGULAR", "GARANTIEBAAN", "BESCHUT", "WERKERVARINGSPLEK",
                                                "PARTICIPATIEPLEK", "DETACHERING"]
    assert (lm.Constraint.NEEDS, lm.Constraint.MIN_COMPETENCE, lm.Constraint.LOCAL_ONLY) == (15, 16, 17)
    assert (lm.PolicyKey.MIN_COMPETENCE, lm.PolicyKey.LOCAL_ONLY) == (15, 16)
    with lm.Policy() as p:
        assert p.min_competence == pytest.approx(0.2) and p.min_score == pytest.approx(0.25) and p.local_only == 0


def one_pair_pool(needs=0, offers=0, kind=0, cmuni=361, vmuni=361, groups=lm.Group.WW, accepted=None):
    pool = lm.Pool(2)
    pool.add_candidates(id=[1], owner_org=1, municipality=[cmuni], groups=[int(groups)], scope=lm.Scope.NATIONAL,
                        lat=52.4, lon=4.6, vectors=np.array([[1.0, 0.2]], np.float32), needs=[needs])
    cols = dict(id=[10], employer_id=5, municipality=[vmuni], lat=52.41, lon=4.6,
                vectors=np.array([[1.0, 0.25]], np.float32), offers=[offers], kind=[kind])
    if accepted is not None:
        cols["accepted_groups"] = [int(accepted)]
    pool.add_vacancies(**cols)
    return pool


@pytest.mark.parametrize("args,policy,want", [
    (dict(needs=lm.Need.JOB_COACH | lm.Need.ACCESSIBLE, offers=lm.Need.JOB_COACH), {}, lm.Constraint.NEEDS),
    (dict(needs=lm.Need.JOB_COACH, offers=int(lm.Need.JOB_COACH | lm.Need.SUPERVISION)), {}, lm.Constraint.NONE),
    (dict(needs=1 << 40, offers=1 << 40), {}, lm.Constraint.NONE),                       # host-defined bit
    (dict(vmuni=392), dict(local_only=1), lm.Constraint.LOCAL_ONLY),
    (dict(vmuni=392), {}, lm.Constraint.NONE),
    (dict(accepted=lm.Group.ALL), {}, lm.Constraint.TARGET_GROUP),                       # 1.0's six, not WW
    (dict(accepted=lm.Group.KNOWN), {}, lm.Constraint.NONE),
    (dict(), dict(min_competence=1.0), lm.Constraint.MIN_COMPETENCE),
])
def test_explain_new_constraints(args, policy, want):
    with one_pair_pool(kind=lm.VacancyKind.BESCHUT, **args) as pool, pool.snapshot() as snap, \
            lm.Engine(lm.Policy(**policy)) as eng:
        m = eng.explain(snap, lm.Viewer(1), 10, 1)
        assert m.constraint == want
        assert m.vacancy_kind == lm.VacancyKind.BESCHUT
        rows = eng.query_candidate(snap, lm.Viewer(1), 1, 5)
        assert len(rows) == (want == lm.Constraint.NONE)
        if len(rows):
            assert rows["vacancy_kind"][0] == lm.VacancyKind.BESCHUT


def test_bad_input_is_refused_and_changes_nothing():
    with one_pair_pool() as pool:
        v0 = pool.snapshot()
        version = v0.version
        v0.close()
        base = dict(id=[11], employer_id=5, municipality=[361], lat=52.4, lon=4.6,
                    vectors=np.array([[1.0, 0.0]], np.float32))
        with pytest.raises(lm.RangeError, match="kind 6"):
            pool.add_vacancies(**base, kind=[6])
        with pytest.raises(lm.RangeError, match="accepted groups"):
            pool.add_vacancies(**base, accepted_groups=[1 << 9])
        with pytest.raises(lm.RangeError, match="target groups"):
            pool.add_candidates(id=[2], owner_org=1, municipality=[361], groups=[1 << 9], lat=52.4, lon=4.6,
                                vectors=np.array([[1.0, 0.0]], np.float32))
        with pool.snapshot() as s:
            assert s.version == version and s.count(lm.Side.VACANCY) == 1 and s.count(lm.Side.CANDIDATE) == 1
    with lm.Policy(min_competence=0.3) as p:
        for bad, err in ((math.nan, lm.NonFiniteError), (-0.1, lm.RangeError), (1.5, lm.RangeError)):
            with pytest.raises(err):
                p.min_competence = bad
        assert p.min_competence == pytest.approx(0.3)
        for bad in (2, 0.5, -1):
            with pytest.raises(lm.RangeError):
                p.local_only = bad
        assert p.local_only == 0


@pytest.mark.parametrize("policy", [{}, dict(min_competence=0.0, min_score=0.0),
                                    dict(local_only=1, min_competence=0.1, min_score=0.0)])
def test_batch_matches_reference_with_needs(policy):
    c, v = gen_data(77, 160, 70, 6, 0.9, needs=True)
    viewer = (2, 3, 1)
    score, _, _ = ref.score_matrix(c, v, viewer, policy)
    with make_pool(c, v) as pool, pool.snapshot() as snap, lm.Engine(lm.Policy(**policy), threads=2) as eng:
        with eng.batch(snap, lm.Viewer(*viewer), k_candidates=6, k_vacancies=3) as b:
            for j, vj in enumerate(v["id"]):
                rows = b.for_vacancy(int(vj))
                ref.assert_topk(rows["candidate_id"].tolist(), rows["score"].tolist(),
                                ref.topk(score, c["id"], j, False, 6), what=f"vacancy {j}")
                assert (rows["vacancy_kind"] == v["kind"][j]).all()
            if policy.get("local_only"):
                m = b.by_vacancy
                assert (m["candidate_municipality"] == m["vacancy_municipality"]).all()
