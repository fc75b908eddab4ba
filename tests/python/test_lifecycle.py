"""Lifetimes: use after close raises (never crashes), 10,000 create/free
cycles do not grow memory, and objects behave under threads as documented."""
import gc
import os
import threading
import time

import numpy as np
import pytest

import libmatch as lm
from conftest import gen_data, make_pool, one_candidate, one_vacancy


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def cycle(i, explicit):
    """Create and free one of everything, with some rows and queries."""
    p = lm.Pool(4)
    p.add_candidates(**one_candidate(1, lat=52.6 + (i % 7) * 0.01))
    p.add_vacancies(**one_vacancy(100))
    s = p.snapshot()
    pol = lm.Policy(min_score=0.01)
    t = lm.Travel()
    e = lm.Engine(pol, t, threads=1)
    rows = e.query_vacancy(s, lm.Viewer(1), 100, 3)
    m = e.explain(s, lm.Viewer(1), 100, 1)
    r = e.batch(s, lm.Viewer(1), k_candidates=2, k_vacancies=2)
    assert len(rows) == 1 and m.feasible and r.count(0) == 1
    if explicit:
        for o in (r, e, t, pol, s, p):
            o.close()
    # otherwise: dropped here, freed by their finalizers


def test_10000_create_free_cycles_do_not_grow_rss():
    for i in range(300):  # warm up allocator pools and caches
        cycle(i, i % 2 == 0)
    gc.collect()
    before = rss_bytes()
    for i in range(10000):
        cycle(i, i % 2 == 0)
    gc.collect()
    grown = rss_bytes() - before
    assert grown < 2 * 1024 * 1024, f"RSS grew by {grown} bytes over 10,000 cycles"


def test_pool_create_free_cycles_do_not_grow_rss():
    vec = np.ones((64, 16), np.float32)
    ids = np.arange(64, dtype=np.int64)
    for _ in range(200):
        with lm.Pool(16) as p:
            p.add_candidates(id=ids, owner_org=1, municipality=1, groups=1, zone=1000, vectors=vec)
    before = rss_bytes()
    for _ in range(10000):
        with lm.Pool(16) as p:
            p.add_candidates(id=ids, owner_org=1, municipality=1, groups=1, zone=1000, vectors=vec)
    grown = rss_bytes() - before
    assert grown < 1024 * 1024, f"RSS grew by {grown} bytes"


def _objects():
    c, v = gen_data(4, 20, 10, 4)
    pool = make_pool(c, v)
    snap = pool.snapshot()
    pol = lm.Policy()
    trav = lm.Travel()
    eng = lm.Engine()
    res = eng.batch(snap, lm.Viewer(1, 1, 1))
    return pool, snap, pol, trav, eng, res, c, v


def test_use_after_close_raises_for_every_object():
    pool, snap, pol, trav, eng, res, c, v = _objects()
    res.by_vacancy  # cached data must not be served after close either
    for o in (pool, snap, pol, trav, eng, res):
        assert not o.closed
        o.close()
        o.close()  # idempotent
        assert o.closed and "closed" in repr(o)
    calls = [
        lambda: pool.add_candidates(**one_candidate(999)),
        lambda: pool.remove_candidates([1]),
        lambda: pool.count("candidate"),
        lambda: pool.dim,
        lambda: pool.snapshot(),
        lambda: snap.version,
        lambda: snap.ids("vacancy"),
        lambda: snap.contains(0, 1),
        lambda: pol.min_score,
        lambda: setattr(pol, "min_score", 0.5),
        lambda: pol.to_dict(),
        lambda: trav.set_geometric("bike", speed_kmh=16),
        lambda: trav.minutes("car", from_lat=52, from_lon=4, to_lat=52.1, to_lon=4),
        lambda: trav.save("/tmp/never-written"),
        lambda: eng.threads,
        lambda: eng.query_vacancy(lm.Pool(4).snapshot(), lm.Viewer(1), 1),
        lambda: res.by_vacancy,
        lambda: res.lists(0),
        lambda: res.stats,
        lambda: res.for_vacancy(int(v["id"][0])),
    ]
    for i, call in enumerate(calls):
        with pytest.raises(lm.ClosedError) as ei:
            call()
        assert isinstance(ei.value, lm.LibmatchError) and ei.value.status == lm.Status.ERR_STATE, i
    # a closed object passed to a live one
    with lm.Engine() as e2:
        with pytest.raises(lm.ClosedError):
            e2.query_vacancy(snap, lm.Viewer(1), 1)
        with pytest.raises(lm.ClosedError):
            e2.policy = pol
    with pytest.raises(lm.ClosedError):
        lm.Engine(policy=pol)
    with pytest.raises(lm.ClosedError):
        with pool:
            pass


def test_context_managers_close():
    with lm.Pool(4) as p:
        with p.snapshot() as s:
            pass
        assert s.closed
    assert p.closed
    with lm.Policy(version=3) as pol, lm.Travel() as t, lm.Engine(pol, t) as e:
        assert e.policy.version == 3
    assert pol.closed and t.closed and e.closed


def test_garbage_collection_frees_without_close():
    import weakref
    p = lm.Pool(4)
    w = weakref.ref(p)
    fin = p._g._finalizer
    assert fin.alive
    del p
    gc.collect()
    assert w() is None and not fin.alive


def test_close_waits_for_a_call_in_flight():
    """close() from another thread while a batch runs: the batch finishes,
    then the engine is freed; later calls raise."""
    c, v = gen_data(8, 200, 300, 8, 1.0)
    with make_pool(c, v) as pool, pool.snapshot() as snap:
        eng = lm.Engine(threads=1)
        started = threading.Event()
        out = {}

        def slow(done, total):
            started.set()
            time.sleep(0.002)

        def run():
            try:
                out["res"] = eng.batch(snap, lm.Viewer(1, 1, 1), progress=slow)
            except BaseException as e:  # pragma: no cover - reported below
                out["err"] = e

        th = threading.Thread(target=run)
        th.start()
        assert started.wait(10)
        eng.close()  # blocks until the batch returned
        th.join(10)
        assert "err" not in out, out.get("err")
        assert out["res"].count(0) > 0
        out["res"].close()
        with pytest.raises(lm.ClosedError):
            eng.batch(snap, lm.Viewer(1))


def test_threads_share_pool_and_snapshot_one_engine_each():
    c, v = gen_data(12, 150, 80, 16, 0.9)
    with make_pool(c, v) as pool, pool.snapshot() as snap:
        viewer = lm.Viewer(2, 3, 1)
        with lm.Engine(threads=1) as e0:
            expect = e0.batch(snap, viewer)
            want = expect.by_vacancy.copy()
            expect.close()
        results, errors = [], []

        def worker():
            try:
                with lm.Engine(threads=1) as e:
                    for _ in range(3):
                        with e.batch(snap, viewer) as r:
                            results.append(r.by_vacancy.copy())
            except BaseException as ex:  # pragma: no cover
                errors.append(ex)

        def updater():
            try:
                for k in range(50):
                    pool.upsert_candidates(**one_candidate(10**12 + k, dim=16))
                    with pool.snapshot():
                        pass
            except BaseException as ex:  # pragma: no cover
                errors.append(ex)

        ths = [threading.Thread(target=worker) for _ in range(3)] + [threading.Thread(target=updater)]
        for t in ths:
            t.start()
        for t in ths:
            t.join(60)
        assert not errors, errors
        assert len(results) == 9
        for r in results:
            assert np.array_equal(r, want), "the snapshot does not see concurrent updates"
        assert pool.n_candidates == 150 + 50


def test_one_engine_shared_by_threads_is_serialised():
    c, v = gen_data(13, 60, 40, 8, 0.9)
    with make_pool(c, v) as pool, pool.snapshot() as snap, lm.Engine(threads=1) as eng:
        viewer = lm.Viewer(1, 1, 1)
        want = [eng.query_vacancy(snap, viewer, int(x), 5) for x in v["id"]]
        bad = []

        def worker():
            for _ in range(5):
                for x, w in zip(v["id"], want):
                    if not np.array_equal(eng.query_vacancy(snap, viewer, int(x), 5), w):
                        bad.append(x)

        ths = [threading.Thread(target=worker) for _ in range(4)]
        for t in ths:
            t.start()
        for t in ths:
            t.join(60)
        assert not bad
