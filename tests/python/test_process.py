"""The proposal lifecycle in Python (libmatch.process): the enums and the
transition check against a table written here, History built from arrays and
lists, and an Engine that honours it (docs/lifecycle.md)."""
import numpy as np
import pytest

import libmatch as lm
from conftest import gen_data, make_pool

S = lm.ProposalStatus
# Allowed changes, written from docs/lifecycle.md.
ALLOWED = {
    S.PROPOSED: {S.INTRODUCED, S.REJECTED, S.DECLINED, S.WITHDRAWN, S.EXPIRED},
    S.INTRODUCED: {S.INTERVIEW, S.PLACED, S.REJECTED, S.DECLINED, S.WITHDRAWN, S.EXPIRED},
    S.INTERVIEW: {S.PLACED, S.REJECTED, S.DECLINED, S.WITHDRAWN, S.EXPIRED},
}


def test_enums_match_the_c_library():
    for s in S:
        assert lm.process.status_name(s) == s.name.lower()
    for r in lm.Reason:
        assert lm.process.reason_name(r) == r.name.lower()
    assert [c.value for c in (lm.Constraint.COOLDOWN, lm.Constraint.IN_PROGRESS, lm.Constraint.VACANCY_FULL,
                              lm.Constraint.PLACED)] == [11, 12, 13, 14]
    assert S.PLACED.final and S.EXPIRED.final and not S.INTERVIEW.final
    assert S.INTRODUCED.open and S.INTERVIEW.open and not S.PROPOSED.open


def test_transitions_all_pairs():
    for a in S:
        for b in S:
            want = b in ALLOWED.get(a, set())
            assert lm.transition_allowed(a, b) == want, (a, b)
            if want:
                lm.check_transition(a, b)
            else:
                with pytest.raises(lm.StateError):
                    lm.check_transition(a, b)
    assert lm.transition_allowed("proposed", "Introduced")
    with pytest.raises(lm.RangeError):
        lm.transition_allowed(0, 8)
    with pytest.raises(lm.RangeError):
        lm.transition_allowed("hired", 0)


def test_history_from_arrays_and_lists():
    h = lm.History()
    assert len(h) == 0
    n = h.add(proposal_id=np.array([1, 2, 3], np.int64), vacancy_id=[10, 10, 11], candidate_id=[5, 6, 5],
              status=["proposed", S.REJECTED, 1], day=np.array([100, 101, 102], np.int32),
              lead_org=[0, 0, 4], reason=[lm.Reason.NONE, "skills", 0])
    assert n == 3 and len(h) == 3
    rec = np.zeros(2, dtype=[("proposal_id", np.int64), ("vacancy_id", np.int64), ("candidate_id", np.int64),
                             ("status", np.int32), ("day", np.int32)])
    rec["proposal_id"] = [4, 5]
    rec["status"] = [S.PLACED, S.EXPIRED]
    h.add(rec)
    assert len(h) == 5
    h.add(proposal_id=[8, 9], vacancy_id=[1, 1], candidate_id=[1, 2], status=np.array(["interview", "declined"]),
          day=[3, 3], reason=np.array(["other", "wage"], dtype=object))
    assert len(h) == 7
    with pytest.raises(lm.DuplicateError):
        h.add(proposal_id=[6, 1], vacancy_id=[1, 1], candidate_id=[1, 2], status=[0, 0], day=[1, 1])
    with pytest.raises(lm.RangeError):
        h.add(proposal_id=[7], vacancy_id=[1], candidate_id=[1], status=[0], day=[-1])
    with pytest.raises(lm.RangeError):
        h.add(proposal_id=[7], vacancy_id=[1], candidate_id=[1], status=["hired"], day=[1])
    with pytest.raises(lm.NullArgumentError):
        h.add(proposal_id=[7], vacancy_id=[1], candidate_id=[1], day=[1])
    with pytest.raises(TypeError):
        h.add(proposal_id=[7], vacancy_id=[1], candidate_id=[1], status=[0], day=[1], colour=[1])
    assert len(h) == 7, "failed adds change nothing"
    h.close()
    with pytest.raises(lm.ClosedError):
        len(h)


def _setup(policy=None):
    c, v = gen_data(21, 40, 20, 6, 0.9)
    c["scope"][:] = int(lm.Scope.NATIONAL)
    pool = make_pool(c, v)
    snap = pool.snapshot()
    pol = policy or lm.Policy(as_of_day=50)
    eng = lm.Engine(pol, threads=1)
    return pool, snap, eng, c, v


def test_policy_keys():
    p = lm.Policy(cooldown_days=30, exclusive_progress=0, stability_margin=0.1)
    assert p.cooldown_days == 30 and p.exclusive_progress == 0 and abs(p.stability_margin - 0.1) < 1e-12
    assert lm.Policy().cooldown_days == 90 and lm.Policy().exclusive_progress == 1
    with pytest.raises(lm.RangeError):
        p.cooldown_days = 4000


def test_engine_honours_the_history():
    pool, snap, eng, c, v = _setup()
    viewer = lm.Viewer(1, 1, 1)
    b0 = eng.batch(snap, viewer, k_candidates=3, k_vacancies=2)
    rows = b0.by_vacancy
    assert len(rows) > 5
    assert (rows["process_status"] == -1).all() and (rows["lead_org"] == 0).all()
    # the best pair: rejected 10 days ago; another person introduced elsewhere; a third placed
    top = rows[0]
    vid, cid = int(top["vacancy_id"]), int(top["candidate_id"])
    other = list(dict.fromkeys(int(x) for x in rows["candidate_id"] if int(x) != cid))  # distinct, in list order
    busy, placed = other[0], other[1]
    vids = [int(x) for x in v["id"]]
    h = lm.History(proposal_id=[1, 2, 3], vacancy_id=[vid, vids[-1], vids[-2]], candidate_id=[cid, busy, placed],
                   status=["rejected", "interview", "placed"], day=[40, 45, 46], lead_org=[0, 8, 9])
    eng.set_history(h)
    with pytest.raises(lm.StateError):
        h.add(proposal_id=[4], vacancy_id=[1], candidate_id=[1], status=[0], day=[1])
    h.close()  # the engine keeps its own reference
    m = eng.explain(snap, viewer, vid, cid)
    assert m.constraint == lm.Constraint.COOLDOWN and m.score == 0
    assert m.process_status == S.REJECTED and m.process_day == 40
    m = eng.explain(snap, viewer, vid, busy)
    assert m.lead_org == 8, "the organisation leading the person elsewhere"
    assert m.constraint in (lm.Constraint.IN_PROGRESS, lm.Constraint.SLOTS) or not m.feasible
    b = eng.batch(snap, viewer, k_candidates=3, k_vacancies=2)
    got = b.by_vacancy
    pairs = set(zip(got["vacancy_id"].tolist(), got["candidate_id"].tolist()))
    assert (vid, cid) not in pairs
    assert busy not in set(got["candidate_id"].tolist()) and placed not in set(got["candidate_id"].tolist())
    assert busy not in set(b.lists("candidate")["id"].tolist()), "a busy person has no list"
    assert placed not in set(b.lists("candidate")["id"].tolist())
    assert b.stats["history_excluded"] >= 1
    # queries list every pair, annotated
    q = eng.query_vacancy(snap, viewer, vid, 40)
    row = q[q["candidate_id"] == cid]
    assert len(row) == 1 and int(row["process_status"][0]) == S.REJECTED and int(row["process_day"][0]) == 40
    a = eng.assign(b)
    props = a.proposals
    assert (vid, cid) not in set(zip(props["vacancy_id"].tolist(), props["candidate_id"].tolist()))
    eng.set_history(None)
    m = eng.explain(snap, viewer, vid, cid)
    assert m.constraint == lm.Constraint.NONE and m.process_status == -1
    for x in (a, b, b0, eng, snap, pool):
        x.close()


def test_stability_keeps_open_proposals():
    pool, snap, eng, c, v = _setup()
    viewer = lm.Viewer(1, 1, 1)
    b1 = eng.batch(snap, viewer, k_candidates=4, k_vacancies=3)
    p1 = eng.assign(b1).proposals
    assert len(p1) > 3
    h = lm.History(proposal_id=np.arange(1, len(p1) + 1), vacancy_id=p1["vacancy_id"],
                   candidate_id=p1["candidate_id"], status=np.zeros(len(p1), np.int32),
                   day=np.full(len(p1), 49, np.int32))
    eng.set_history(h)
    b2 = eng.batch(snap, viewer, k_candidates=4, k_vacancies=3)
    p2 = eng.assign(b2).proposals
    kept = set(zip(p2["vacancy_id"].tolist(), p2["candidate_id"].tolist()))
    assert set(zip(p1["vacancy_id"].tolist(), p1["candidate_id"].tolist())) <= kept
    assert (p2["process_status"] == S.PROPOSED).sum() == len(p1)
    for x in (h, b1, b2, eng, snap, pool):
        x.close()
