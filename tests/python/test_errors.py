"""Every error path raises the right LibmatchError subclass, with the C
status and the handle's detailed message, and leaves the object unchanged."""
import struct

import numpy as np
import pytest

import libmatch as lm
from libmatch import _base
from libmatch.errors import error_class
from conftest import one_candidate, one_vacancy

S = lm.Status


def check(excinfo, cls, status, *needles):
    e = excinfo.value
    assert type(e) is cls, f"{type(e).__name__} is not {cls.__name__}"
    assert isinstance(e, lm.LibmatchError)
    assert e.status == status
    assert e.message and str(e) == e.message
    for n in needles:
        assert n in e.message, f"{n!r} not in {e.message!r}"
    return e


def test_hierarchy():
    bad_args = [S.ERR_NULL, S.ERR_NONFINITE, S.ERR_DIMENSION, S.ERR_RANGE, S.ERR_INVALID, S.ERR_DUPLICATE,
                S.ERR_LIMIT]
    for st in bad_args:
        assert issubclass(error_class(st), ValueError), st
    assert issubclass(error_class(S.ERR_UNKNOWN_ID), KeyError)
    assert issubclass(error_class(S.ERR_UNSUPPORTED), NotImplementedError)
    assert issubclass(error_class(S.ERR_IO), OSError)
    assert issubclass(error_class(S.ERR_NOMEM), MemoryError)
    assert issubclass(lm.ClosedError, lm.StateError)
    for st in S:
        if st != S.OK:
            cls = error_class(st)
            assert cls.status == st and issubclass(cls, lm.LibmatchError)
    assert error_class(-99) is lm.LibmatchError
    e = lm.UnknownIdError("no such vacancy 5", -5)
    assert str(e) == "no such vacancy 5" and "status=-5" in repr(e)


@pytest.fixture
def pool():
    p = lm.Pool(4)
    p.add_candidates(**one_candidate(1))
    p.add_vacancies(**one_vacancy(100))
    yield p
    p.close()


def test_pool_errors(pool):
    with pytest.raises(lm.NullArgumentError) as ei:
        pool.add_candidates(id=[2], owner_org=1, municipality=1, vectors=[[1, 1, 1, 1]])
    check(ei, lm.NullArgumentError, S.ERR_NULL, "groups")
    with pytest.raises(lm.NullArgumentError):
        pool.add_vacancies(id=[2], employer_id=1, municipality=1)
    with pytest.raises(lm.InvalidArgumentError) as ei:
        pool.add_candidates(**one_candidate(2, id=np.array([], np.int64), vectors=np.zeros((0, 4), np.float32)))
    check(ei, lm.InvalidArgumentError, S.ERR_INVALID, "empty batch")
    with pytest.raises(lm.InvalidArgumentError) as ei:
        pool.add_candidates(**one_candidate(2, municipality=[1, 2]))
    check(ei, lm.InvalidArgumentError, S.ERR_INVALID, "municipality")
    with pytest.raises(lm.NonFiniteError) as ei:
        pool.add_candidates(**one_candidate(2, vectors=[[1, np.nan, 0, 0]]))
    check(ei, lm.NonFiniteError, S.ERR_NONFINITE, "row 0")
    with pytest.raises(lm.DimensionError) as ei:
        pool.add_candidates(**one_candidate(2, vectors=np.ones((1, 5), np.float32)))
    check(ei, lm.DimensionError, S.ERR_DIMENSION)
    with pytest.raises(lm.DimensionError):
        pool.add_candidates(**one_candidate(2, id=[2, 3], vectors=np.ones(7, np.float32)))
    with pytest.raises(lm.DimensionError, match="weights"):
        pool.add_vacancies(**one_vacancy(101, weights=np.ones((1, 3), np.float32)))
    with pytest.raises(lm.RangeError) as ei:
        pool.add_candidates(**one_candidate(2, readiness=[9]))
    check(ei, lm.RangeError, S.ERR_RANGE, "readiness")
    with pytest.raises(lm.DuplicateError) as ei:
        pool.add_candidates(**one_candidate(1))
    check(ei, lm.DuplicateError, S.ERR_DUPLICATE, "1")
    with pytest.raises(lm.DuplicateError):
        pool.add_candidates(**one_candidate(5, id=[5, 5], vectors=np.ones((2, 4), np.float32)))
    with pytest.raises(lm.DuplicateError):
        pool.remove_candidates([1, 1])
    with pytest.raises(lm.UnknownIdError) as ei:
        pool.remove_candidates([1, 777])
    e = check(ei, lm.UnknownIdError, S.ERR_UNKNOWN_ID, "777")
    assert isinstance(e, KeyError)
    with pytest.raises(lm.RangeError):
        pool.count(7)
    with pytest.raises(lm.RangeError):
        pool.count("nonsense")
    # nothing above changed the pool
    assert pool.n_candidates == 1 and pool.n_vacancies == 1
    for bad in (0, 5000, -1):
        with pytest.raises(lm.RangeError):
            lm.Pool(bad)
    with pytest.raises(TypeError):
        lm.Pool("four")
    with pytest.raises(TypeError):
        lm.Snapshot()


def test_engine_errors(pool):
    snap = pool.snapshot()
    eng = lm.Engine()
    v = lm.Viewer(1)
    with pytest.raises(lm.UnknownIdError) as ei:
        eng.query_vacancy(snap, v, 123456789, 5)
    check(ei, lm.UnknownIdError, S.ERR_UNKNOWN_ID, "123456789")
    with pytest.raises(lm.UnknownIdError):
        eng.query_candidate(snap, v, 123456789, 5)
    with pytest.raises(lm.RangeError) as ei:
        eng.query_vacancy(snap, v, 100, 0)
    check(ei, lm.RangeError, S.ERR_RANGE, "k = 0")
    with pytest.raises(lm.RangeError):
        eng.query_vacancy(snap, v, 100, lm.MAX_K + 1)
    with pytest.raises(lm.RangeError):
        eng.query_vacancy(snap, lm.Viewer(1, 0, -1), 100, 5)
    with pytest.raises(lm.RangeError):
        eng.batch(snap, v, k_candidates=0)
    with pytest.raises(lm.RangeError):
        eng.batch(snap, v, vacancy_region=-3)
    with pytest.raises(lm.RangeError):
        eng.threads = -1
    with pytest.raises(lm.RangeError):
        eng.kernel = 17
    with pytest.raises(lm.RangeError):
        eng.kernel = "sse9"
    assert eng.threads == 0, "a failed set leaves the option unchanged"
    eng.kernel = "scalar"
    assert eng.kernel == lm.Kernel.SCALAR
    if not _try_kernel(eng, lm.Kernel.AVX512):
        with pytest.raises(lm.UnsupportedError) as ei:
            eng.kernel = lm.Kernel.AVX512
        check(ei, lm.UnsupportedError, S.ERR_UNSUPPORTED)
    # invisible candidate: exactly like a missing one
    pool.add_candidates(**one_candidate(2, owner_org=5, scope=int(lm.Scope.ORG)))
    s2 = pool.snapshot()
    with pytest.raises(lm.UnknownIdError) as ei:
        eng.explain(s2, v, 100, 2)
    check(ei, lm.UnknownIdError, S.ERR_UNKNOWN_ID, "candidate")
    assert eng.explain(s2, lm.Viewer(5), 100, 2).feasible
    with pytest.raises(TypeError):
        eng.query_vacancy(pool, v, 100)
    with pytest.raises(TypeError):
        eng.explain(s2, "viewer", 100, 2)
    with pytest.raises(TypeError):
        lm.Engine(policy="strict")
    with pytest.raises(lm.UnknownIdError):
        with eng.batch(s2, v) as b:
            b.for_vacancy(424242)
    with pytest.raises(lm.RangeError):
        with eng.batch(s2, v) as b:
            b.matches("sideways")
    s2.close()
    snap.close()
    eng.close()


def _try_kernel(eng, k):
    try:
        eng.kernel = k
        eng.kernel = lm.Kernel.AUTO
        return True
    except lm.UnsupportedError:
        return False


def test_policy_errors():
    p = lm.Policy()
    with pytest.raises(lm.RangeError) as ei:
        p.min_score = 2
    check(ei, lm.RangeError, S.ERR_RANGE, "min_score")
    with pytest.raises(lm.NonFiniteError) as ei:
        p.w_travel = float("nan")
    check(ei, lm.NonFiniteError, S.ERR_NONFINITE, "w_travel")
    with pytest.raises(lm.RangeError, match="integer"):
        p.version = 1.5
    with pytest.raises(lm.RangeError, match="unknown policy key"):
        p.get("speed")
    with pytest.raises(lm.RangeError):
        p.get(99)
    with pytest.raises(TypeError):
        lm.Policy(speed=3)
    with pytest.raises(TypeError):
        p.min_score = "high"
    for w in ("w_travel", "w_hours", "w_readiness"):
        setattr(p, w, 0)
    with pytest.raises(lm.RangeError, match="all weights"):
        p.w_competence = 0
    assert p.w_competence == 0.6, "a failed set leaves the policy unchanged"
    p.close()


def test_travel_errors(tmp_path):
    t = lm.Travel()
    with pytest.raises(lm.RangeError) as ei:
        t.set_param("bike", lm.TravelParam.SPEED_KMH, 0)
    check(ei, lm.RangeError, S.ERR_RANGE, "bike")
    with pytest.raises(lm.NonFiniteError):
        t.set_geometric("car", detour=float("inf"))
    with pytest.raises(lm.RangeError):
        t.set_param(9, 0, 10)
    with pytest.raises(lm.RangeError):
        t.set_param("boat", 0, 10)
    with pytest.raises(lm.DuplicateError) as ei:
        t.set_matrix("pt", [1012, 1012], np.zeros((2, 2), np.uint8))
    check(ei, lm.DuplicateError, S.ERR_DUPLICATE, "1012")
    with pytest.raises(lm.RangeError):
        t.set_matrix("pt", np.array([], np.int32), np.zeros((0, 0), np.uint8))
    with pytest.raises(lm.DimensionError):
        t.set_matrix("pt", [1, 2, 3], np.zeros((2, 2), np.uint8))
    with pytest.raises(lm.RangeError, match="minutes"):
        t.set_matrix("pt", [1, 2], [[0, 300], [1, 0]])
    with pytest.raises(lm.StateError) as ei:
        t.save(tmp_path / "none.bin")
    check(ei, lm.StateError, S.ERR_STATE, "no matrix")
    with pytest.raises(lm.LibmatchIOError) as ei:
        t.load(tmp_path / "missing.tsv")
    e = check(ei, lm.LibmatchIOError, S.ERR_IO, "missing.tsv")
    assert isinstance(e, OSError)
    bad = tmp_path / "bad.tsv"
    bad.write_text("origin\tdestination\tmode\tminutes\n1012\t2011\tpt\t25\n1012\t2011\tboat\t3\n")
    with pytest.raises(lm.FormatError) as ei:
        t.load(bad)
    check(ei, lm.FormatError, S.ERR_FORMAT, "line 3")
    huge = tmp_path / "huge.bin"
    huge.write_bytes(b"LMTRAVEL" + struct.pack("<III", 1, 1, 1) + struct.pack("<I", 20001))
    with pytest.raises(lm.LimitError) as ei:
        t.load(huge)
    check(ei, lm.LimitError, S.ERR_LIMIT, "20000")
    with pytest.raises(lm.RangeError):
        t.minutes("car", from_lat=95, from_lon=4, to_lat=52, to_lon=4)
    # attached to an engine it becomes read-only
    e = lm.Engine(travel=t)
    with pytest.raises(lm.StateError) as ei:
        t.set_geometric("bike", speed_kmh=20)
    check(ei, lm.StateError, S.ERR_STATE, "read-only")
    assert e.travel is t
    e.close()
    t.close()


def test_cancel_and_callback_exceptions():
    from conftest import gen_data, make_pool
    c, v = gen_data(3, 100, 300, 4, 1.0)
    with make_pool(c, v) as pool, pool.snapshot() as snap, lm.Engine(threads=1) as eng:
        calls = []
        res = eng.batch(snap, lm.Viewer(1, 1, 1), progress=lambda d, t: calls.append((d, t)))
        assert len(calls) >= 2 and calls[-1][0] == calls[-1][1]
        res.close()
        with pytest.raises(lm.CancelledError) as ei:
            eng.batch(snap, lm.Viewer(1, 1, 1), progress=lambda d, t: d > 0)
        check(ei, lm.CancelledError, S.ERR_CANCELLED, "cancel")

        def boom(d, t):
            if d > 0:
                raise ZeroDivisionError("from the callback")
        with pytest.raises(ZeroDivisionError, match="from the callback"):
            eng.batch(snap, lm.Viewer(1, 1, 1), progress=boom)

        def reenter(d, t):
            eng.query_vacancy(snap, lm.Viewer(1), int(v["id"][0]))
        with pytest.raises(lm.StateError, match="in use"):
            eng.batch(snap, lm.Viewer(1, 1, 1), progress=reenter)

        def close_inside(d, t):
            eng.close()
        with pytest.raises(lm.StateError, match="cannot close"):
            eng.batch(snap, lm.Viewer(1, 1, 1), progress=close_inside)
        with pytest.raises(TypeError):
            eng.batch(snap, lm.Viewer(1), progress=42)
        # the engine still works after all that
        assert len(eng.query_vacancy(snap, lm.Viewer(1, 1, 1), int(v["id"][0]), 3)) <= 3


def test_missing_function_raises_unsupported(monkeypatch):
    monkeypatch.setitem(_base.LIB.fn, "lm_pool_remove_vacancies", None)
    with lm.Pool(4) as p:
        with pytest.raises(lm.UnsupportedError) as ei:
            p.remove_vacancies([1])
        e = check(ei, lm.UnsupportedError, S.ERR_UNSUPPORTED, "lm_pool_remove_vacancies")
        assert isinstance(e, NotImplementedError)


def test_errors_pickle():
    import pickle
    for st in S:
        if st != S.OK:
            e = error_class(st)("m", st)
            e2 = pickle.loads(pickle.dumps(e))
            assert type(e2) is type(e) and e2.status == st and e2.message == "m"
