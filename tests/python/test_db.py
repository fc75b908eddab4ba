"""PostgreSQL (pg.h) through Python, against a throwaway cluster from
scripts/pg-test-cluster.sh: the one tests/python/run.sh started (LM_PG_DIR
set), else one started here. Skipped, with the reason, when the loaded
library lacks the lm_db_* functions or no cluster can be started (no
PostgreSQL server binaries). LIBMATCH_TEST_PG=0 skips it on purpose."""
import os
import shlex
import subprocess
import uuid

import numpy as np
import pytest

import libmatch as lm
from conftest import ROOT, gen_data

pytestmark = pytest.mark.skipif(not lm.features()["pg"],
                                reason="the loaded libmatch does not export the lm_db_* functions (pg.c)")

PG_ENV = ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE")


@pytest.fixture(scope="module")
def pg():
    if os.environ.get("LIBMATCH_TEST_PG") == "0":
        pytest.skip("LIBMATCH_TEST_PG=0 (or tests/python/run.sh could not start a cluster)")
    if os.environ.get("LM_PG_DIR"):  # a cluster started by tests/python/run.sh, which removes it
        yield {k: os.environ[k] for k in PG_ENV + ("LM_PG_DIR",)}
        return
    script = ROOT / "scripts" / "pg-test-cluster.sh"
    if not script.exists():
        pytest.skip("no scripts/pg-test-cluster.sh")
    r = subprocess.run([str(script), "start"], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        pytest.skip(f"cannot start a PostgreSQL test cluster: {r.stderr.strip()[-300:]}")
    env = {}
    for word in shlex.split(r.stdout.replace("export", "")):
        k, _, v = word.partition("=")
        env[k] = v
    saved = {k: os.environ.get(k) for k in PG_ENV}
    os.environ.update({k: env[k] for k in PG_ENV})
    try:
        yield env
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        subprocess.run([str(script), "stop", env["LM_PG_DIR"]], capture_output=True, timeout=120)


def test_db_round_trip(pg):
    c, v = gen_data(61, 120, 40, 8, 1.0)
    schema = "py_" + uuid.uuid4().hex[:10]  # a fresh schema: independent of earlier runs
    with lm.Db(schema=schema) as db:  # the PG* environment variables
        db.init()
        assert db.schema_version >= 1
        assert db.vector_dim == 0
        assert db.write_candidates(c) == 120
        assert db.write_vacancies(v) == 40
        assert db.vector_dim == 8
        assert db.regions().tolist() == sorted(set(v["region"].tolist()))
        with lm.Pool(db.vector_dim) as pool:
            wm = db.load_pool(pool)
            assert pool.n_candidates == 120 and pool.n_vacancies == 40
            # incremental: one changed row, one new
            c2 = {k: a[:1] for k, a in c.items()}
            c2["hours_max"] = np.array([40], np.float32)
            db.write_candidates(c2)
            c3 = {k: a[1:2] for k, a in c.items()}
            c3["id"] = np.array([987654321], np.int64)
            db.write_candidates(c3)
            wm2 = db.load_pool(pool, since=wm)
            assert wm2 >= wm and pool.n_candidates == 121
            # cancelling a load changes nothing
            db.set_progress(lambda d, t: True)
            with lm.Pool(8) as p2:
                with pytest.raises(lm.CancelledError) as ei:
                    db.load_pool(p2)
                assert ei.value.status == lm.Status.ERR_CANCELLED
                assert p2.n_candidates == 0

                def boom(d, t):
                    raise RuntimeError("stop loading")
                db.set_progress(boom)
                with pytest.raises(RuntimeError, match="stop loading"):
                    db.load_pool(p2)
                db.set_progress(None)
                assert p2.n_candidates == 0
            with pool.snapshot() as snap, lm.Engine(threads=1) as eng, \
                    eng.batch(snap, lm.Viewer(1, 1, 1)) as res:
                parts = []
                if lm.features()["assign"]:
                    a = eng.assign(res)
                    run = db.write_run(res, a, label="python test", region=0)
                    parts.append((res, a, 1))
                else:
                    run = db.write_run(res, label="python test")
                assert run > 0
                parts.append((res, None, 2))
                run2 = db.write_run_parts(parts, label="parts")
                assert run2 > run
        t = lm.Travel()
        db.load_travel(t)  # an empty travel_times table: nothing to load, no error
        t.close()
        db.set_table("candidates", None)
        assert f"schema='{schema}'" in repr(db)
    with pytest.raises(lm.ClosedError):
        db.init()


def test_db_errors(pg):
    with pytest.raises(lm.DatabaseError) as ei:
        lm.Db("host=/nonexistent-socket-dir dbname=x connect_timeout=2")
    assert ei.value.status == lm.Status.ERR_DB and "connect" in ei.value.message
    with lm.Db() as db:
        with pytest.raises(lm.RangeError) as ei:
            db.schema = ""
        assert ei.value.status == lm.Status.ERR_RANGE
        with pytest.raises(lm.RangeError):
            db.set_table("nope", "x")
        with pytest.raises(lm.RangeError):
            db.set_table(7, "x")
        with pytest.raises(lm.DimensionError):
            c, _ = gen_data(62, 3, 1, 4)
            db.write_candidates(c, vectors=np.ones(12, np.float32))  # 1-D without dim=
        with pytest.raises(lm.RangeError):
            db.load_pool(lm.Pool(4), since=-1)
        with pytest.raises(lm.InvalidArgumentError):
            db.write_run_parts([])


@pytest.mark.skipif(not lm.has_function("lm_db_set_status") or not lm.features()["assign"],
                    reason="the loaded libmatch lacks the proposal lifecycle (pg_process.c) or the assignment")
def test_db_proposal_lifecycle(pg):
    c, v = gen_data(67, 200, 60, 8, 1.0)
    schema = "py_" + uuid.uuid4().hex[:10]
    with lm.Db(schema=schema) as db, lm.Db(schema=schema) as other:
        db.init()
        assert db.schema_version >= 2
        db.write_candidates(c)
        db.write_vacancies(v)
        with lm.Pool(db.vector_dim) as pool:
            db.load_pool(pool)
            with pool.snapshot() as snap, lm.Engine(threads=1) as eng, \
                    eng.batch(snap, lm.Viewer(1, 1, 1)) as res:
                run = db.write_run(res, eng.assign(res))
        rows = db.proposals(run="latest")
        assert rows and all(r["run_id"] == run and r["status"] == "proposed" and r["version"] == 1 for r in rows)
        assert {"proposal_id", "vacancy_id", "candidate_id", "owner_org", "lead_org", "score"} <= set(rows[0])
        p, q = rows[0]["proposal_id"], rows[1]["proposal_id"]
        with pytest.raises(lm.StateError, match="not allowed"):
            db.set_status(p, "placed", by_org=5)
        with pytest.raises(lm.UnknownIdError):
            db.set_status(10**12, "introduced", by_org=5)
        with pytest.raises(lm.RangeError):
            db.set_status(p, "hired", by_org=5)
        db.set_status(p, "introduced", by_org=5, expected_version=1)
        # the other connection read version 1 too: its change loses
        with pytest.raises(lm.ConflictError) as ei:
            other.set_status(p, "rejected", by_org=6, expected_version=1)
        assert ei.value.status == -18
        r = db.proposals(proposal_id=p)[0]
        assert (r["status"], r["lead_org"], r["version"]) == ("introduced", 5, 2)
        # a batch with one illegal change applies nothing
        with pytest.raises(lm.StateError):
            db.set_status_batch([dict(proposal_id=q, status="rejected", by_org=5, reason="skills"),
                                 dict(proposal_id=p, status="proposed", by_org=5)])
        assert db.proposals(proposal_id=q)[0]["status"] == "proposed"
        db.set_status_batch([dict(proposal_id=q, status="rejected", by_org=5, reason="skills", day=20000),
                             dict(proposal_id=p, status="placed", by_org=5)])
        r = db.proposals(proposal_id=q)[0]
        assert (r["status"], r["reason"], r["day"]) == ("rejected", "skills", 20000)
        counts = db.proposal_counts()
        assert counts["placed"] == 1 and counts["rejected"] == 1 and sum(counts.values()) == len(rows)
        h = db.load_history()
        assert isinstance(h, lm.History) and len(h) == len(rows)
        # the loaded history drives an engine: the rejected pair is in its cool-down
        rq = db.proposals(proposal_id=q)[0]
        with lm.Pool(db.vector_dim) as pool:
            db.load_pool(pool)
            with pool.snapshot() as snap, lm.Policy(cooldown_days=3650) as pol, lm.Engine(pol, threads=1) as eng:
                eng.set_history(h)
                m = eng.explain(snap, lm.Viewer(1, 1, 1), int(rq["vacancy_id"]), int(rq["candidate_id"]))
                assert m.constraint == lm.Constraint.COOLDOWN and m.process_day == 20000
        h.close()
        db.log_access(400001, "query", vacancy_id=rows[2]["vacancy_id"], candidate_id=rows[2]["candidate_id"])
        with pytest.raises(lm.RangeError):
            db.log_access(1, "Not An Action")
        assert [r["proposal_id"] for r in db.proposals(org=5, viewer_org=5)] == [p]  # the lead it took
        run_id, prev, changes = db.run_changes()
        assert run_id == run and prev == 0 and changes == []  # the first run: nothing to compare with
