"""Outcomes in PostgreSQL through Python (schema version 3): placements
(Db.place, Db.placement_end), the outcome history (Db.outcomes) and the
effect figures of the database (Db.effects) equal to compute_effects() on the
same history, against the throwaway cluster of test_db.py's fixture."""
import datetime as dt
import math
import uuid

import numpy as np
import pytest

import libmatch as lm
from conftest import gen_data
from test_db import pg  # noqa: F401  (the cluster fixture)

pytestmark = pytest.mark.skipif(not lm.has_function("lm_db_place") or not lm.features()["assign"],
                                reason="the loaded libmatch lacks lm_db_place (pg.h 1.2) or the assignment")


def _run(db):
    c, v = gen_data(71, 150, 60, 8, 1.0)
    db.write_candidates(c)
    db.write_vacancies(v)
    with lm.Pool(db.vector_dim) as pool:
        db.load_pool(pool)
        with pool.snapshot() as snap, lm.Engine(threads=1) as eng:
            res = eng.batch(snap, lm.Viewer(1))
            asg = eng.assign(res)
            run = db.write_run(res, asg)
            asg.close()
            res.close()
    return run


def _same(a, b):
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-9 * (1 + abs(b))


def test_placements_outcomes_and_effects(pg):  # noqa: F811
    schema = "py_out_" + uuid.uuid4().hex[:8]
    with lm.Db(schema=schema) as db:
        db.init()
        assert db.schema_version == 3
        _run(db)
        rows = db.proposals()
        assert len(rows) > 10
        day0 = min(r["day"] for r in rows)
        ids = [r["proposal_id"] for r in rows[:8]]
        for p in ids:
            db.set_status(p, "introduced", by_org=5, day=day0 + 1)
        start = dt.date(1970, 1, 1) + dt.timedelta(days=day0 + 3)
        db.place(ids[0], by_org=5, start=start, hours=24, contract="garantiebaan", lks=True)
        db.place(ids[1], by_org=5, start=day0 + 200, contract=lm.Contract.BESCHUT)
        db.place(ids[2], by_org=5, day=day0 + 5)  # starts on the day of the change
        # bad values are refused and change nothing
        with pytest.raises(lm.RangeError):
            db.place(ids[3], by_org=5, start=day0 + 3, hours=100)
        with pytest.raises(lm.RangeError):
            db.place(ids[3], by_org=5, start=day0 - 10)  # before the proposal
        with pytest.raises(lm.RangeError):
            db.place(ids[3], by_org=5, start=day0 + 3, contract="freelance")
        with pytest.raises(lm.StateError):
            db.place(ids[0], by_org=5, start=day0 + 3)  # already placed
        assert db.proposals(proposal_id=ids[3])[0]["status"] == "introduced"
        db.placement_end(ids[0], start + dt.timedelta(days=100), "dismissed")
        with pytest.raises(lm.StateError):
            db.placement_end(ids[0], day0 + 300, "moved")  # already ended
        with pytest.raises(lm.RangeError):
            db.placement_end(ids[1], day0 + 300, "none")
        with pytest.raises(lm.RangeError):
            db.placement_end(ids[1], day0 + 300, "bored")
        with pytest.raises(lm.StateError):
            db.placement_end(ids[4], day0 + 300, "moved")  # not placed
        with pytest.raises(lm.UnknownIdError):
            db.placement_end(10**12, day0 + 300, "moved")

        P, R = db.outcomes()
        assert len(P) == 150 and len(R) == len(rows)
        assert set(P.dtype.names) == set(lm.effects.PERSON_COLUMNS)
        assert set(R.dtype.names) == set(lm.effects.RECORD_COLUMNS)
        by_id = {int(r["proposal_id"]): r for r in R}
        r0 = by_id[ids[0]]
        assert (r0["placed_day"], r0["end_day"], r0["end_reason"], r0["contract"], r0["lks"], r0["hours"]) == \
            (day0 + 3, day0 + 103, lm.EndReason.DISMISSED, lm.Contract.GARANTIEBAAN, 1, 24.0)
        assert by_id[ids[1]]["placed_day"] == day0 + 200 and by_id[ids[2]]["placed_day"] == day0 + 5
        assert by_id[ids[3]]["introduced_day"] == day0 + 1 and by_id[ids[3]]["placed_day"] == -1

        for as_of, thr in ((day0 + 400, 1), (day0 + 190, 1), (day0 + 400, 5), (day0, 3)):
            sql = db.effects(day0, day0, as_of, threshold=thr)
            lib = lm.compute_effects({k: P[k] for k in P.dtype.names}, {k: R[k] for k in R.dtype.names},
                                     day0, day0, as_of, threshold=thr)
            assert len(sql) == len(lib) > 0
            for a, b in zip(sql.array, lib.array):
                assert (a["dim"], a["key"], a["suppressed"]) == (b["dim"], b["key"], b["suppressed"])
                for f in lm.EffectFig:
                    nm = f.name.lower()
                    assert _same(float(a[nm]), float(b[nm])), (a["dim"], a["key"], nm, a[nm], b[nm])
        total = db.effects(day0, day0, day0 + 400, threshold=1).row("total")
        assert (total["placed"], total["introduced"], total["lks"]) == (3.0, 8.0, 1.0)
        assert total["observed_6m"] == 3.0 and total["retained_6m"] == pytest.approx(2 / 3)
        assert total["observed_12m"] == 2.0 and total["retained_12m"] == pytest.approx(1 / 2)
        small = db.effects(day0, day0, day0 + 400).row("total")  # threshold 5: 3 placed is hidden
        assert math.isnan(small["placed"]) and "placed" in small["suppressed"]
        with pytest.raises(lm.RangeError):
            db.effects(day0, day0 - 1)
        with pytest.raises(lm.RangeError):
            db.effects(day0, day0, threshold=0)


def test_outcomes_need_schema_3(pg):  # noqa: F811
    schema = "py_out2_" + uuid.uuid4().hex[:8]
    with lm.Db(schema=schema) as db:
        db.init()
        with pytest.raises(lm.RangeError):
            db.place(1, by_org=1, start="2026-01-01", hours=float("nan"))
        with pytest.raises(lm.UnknownIdError):
            db.place(10**12, by_org=1, start="2026-01-01")
        P, R = db.outcomes()
        assert len(P) == 0 and len(R) == 0
        fx = db.effects("2026-01-01", "2026-01-31")
        assert len(fx) == 1 and fx.row("total")["people"] == 0.0
