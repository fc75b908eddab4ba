"""Pool, Snapshot and columns: updates, snapshots, zero-copy input, conversions."""
import numpy as np
import pytest

import libmatch as lm
from libmatch._base import DEBUG
from conftest import gen_data, one_candidate, one_vacancy


def test_version_and_loading():
    assert lm.version() == "%d.%d.%d" % lm.version_info()
    assert lm.version_number() // 10000 == 1
    assert lm.library_path().endswith("libmatch.so.1")
    assert lm.strerror(-5) == "unknown id"
    assert lm.strerror(12345) == "unknown status"
    assert set(lm.features()) == {"assign", "pg"}
    assert lm.has_function("lm_pool_create") and not lm.has_function("lm_no_such_function")


def test_version_check(monkeypatch):
    from libmatch import _ffi
    _ffi.check_version(10100, "x")
    _ffi.check_version(10203, "x")  # newer minor: fine
    for bad in (20000, 10000, 9999, 0):
        with pytest.raises(lm.LibraryLoadError, match="same major"):
            _ffi.check_version(bad, "/some/libmatch.so.1")
    assert issubclass(lm.LibraryLoadError, ImportError)


def test_library_search_order(monkeypatch, tmp_path):
    from libmatch import _ffi
    monkeypatch.setenv("LIBMATCH_LIBRARY", "/x/libmatch.so.1")
    assert _ffi.candidate_paths() == [("LIBMATCH_LIBRARY", "/x/libmatch.so.1")]
    monkeypatch.delenv("LIBMATCH_LIBRARY")
    hows = [h for h, _ in _ffi.candidate_paths()]
    assert hows[-1] == "installed (dynamic loader)"
    if (_ffi.Path(_ffi.__file__).resolve().parents[2] / "build" / "libmatch.so.1").exists():
        assert hows[0] == "build directory"
    monkeypatch.setenv("LIBMATCH_LIBRARY", str(tmp_path / "missing.so"))
    with pytest.raises(lm.LibraryLoadError, match="LIBMATCH_LIBRARY"):
        _ffi.load()


def test_add_count_snapshot_ids():
    c, v = gen_data(3, 40, 25, 6)
    with lm.Pool(6) as pool:
        assert pool.dim == 6 and pool.n_candidates == 0
        s0 = pool.snapshot()
        assert pool.add_candidates(c) == 40
        assert pool.add_vacancies(v) == 25
        assert pool.count(lm.Side.CANDIDATE) == 40 and pool.count("vacancies") == 25
        s1 = pool.snapshot()
        assert s1.version == s0.version + 2
        assert s0.n_candidates == 0 and s1.n_candidates == 40
        assert sorted(s1.candidate_ids.tolist()) == sorted(c["id"].tolist())
        assert sorted(s1.vacancy_ids.tolist()) == sorted(v["id"].tolist())
        assert s1.contains(lm.Side.CANDIDATE, int(c["id"][3]))
        assert not s1.contains(lm.Side.VACANCY, int(c["id"][3]))
        pool.remove_candidates(c["id"][:10])
        pool.remove_vacancies(int(v["id"][0]))
        assert pool.n_candidates == 30 and pool.n_vacancies == 24
        assert s1.n_candidates == 40, "a snapshot does not change"
        # upsert replaces existing ids and adds new ones
        c2 = {k: a[5:15] for k, a in c.items()}
        pool.upsert_candidates(c2)
        assert pool.n_candidates == 35
        assert "candidates=35" in repr(pool) and "Snapshot" in repr(s1)
        s0.close()
        s1.close()


def test_columns_keyword_scalar_and_single_row():
    with lm.Pool(4) as pool:
        pool.add_candidates(**one_candidate(1))
        pool.add_candidates(id=2, owner_org=1, municipality=361, groups=1, vectors=[1, 0, 0, 0], zone=1941)
        pool.add_vacancies(**one_vacancy(100, hours_min=[8.0], open_until=[20000]))
        # structured array input (vectors as a sub-array field) with a keyword override
        rec = np.zeros(3, dtype=[("id", "i8"), ("owner_org", "i8"), ("municipality", "i4"),
                                 ("groups", "u4"), ("vectors", "f4", (4,))])
        rec["id"] = [10, 11, 12]
        rec["owner_org"] = 2
        rec["municipality"] = 363
        rec["groups"] = 1
        rec["vectors"] = 1.0
        pool.add_candidates(rec, scope=3, lat=52.63, lon=4.75)
        assert pool.n_candidates == 5
        with pool.snapshot() as s, lm.Engine() as e:
            m = e.explain(s, lm.Viewer(org=99), 100, 11)
            assert m.candidate_municipality == 363 and m.feasible


def test_flat_vectors_and_unknown_columns():
    with lm.Pool(3) as pool:
        pool.add_candidates(id=[1, 2], owner_org=1, municipality=1, groups=1, zone=1000,
                            vectors=np.arange(6, dtype=np.float32))
        with pytest.raises(TypeError, match="unexpected column 'colour'"):
            pool.add_candidates(id=[3], owner_org=1, municipality=1, groups=1, vectors=[[1, 2, 3]], colour=[1])
        with pytest.raises(TypeError, match="unknown column"):
            pool.add_vacancies({"id": [5], "nope": [1]})
        assert pool.n_candidates == 2


def test_zero_copy_vector_block():
    """A C-contiguous float32 block goes to C as is (same address, no
    conversion); other layouts and dtypes are converted, and counted."""
    n, dim = 500, 32
    c, _ = gen_data(5, n, 1, dim)
    vec = np.ascontiguousarray(c["vectors"], dtype=np.float32)
    DEBUG.reset()
    with lm.Pool(dim) as pool:
        pool.add_candidates(c, vectors=vec)
        assert DEBUG.conversions["vectors"] == 0
        assert DEBUG.last_address["vectors"] == vec.ctypes.data
        # every column of gen_data has the C type already: nothing converted at all
        assert sum(DEBUG.conversions.values()) == 0, DEBUG.conversions
        assert DEBUG.last_address["id"] == c["id"].ctypes.data
        # float64 vectors: converted once
        c2 = dict(c, id=c["id"] + 10**9, vectors=vec.astype(np.float64))
        pool.add_candidates(c2)
        assert DEBUG.conversions["vectors"] == 1
        # a non-contiguous float32 view (every other column of a wider block): converted
        wide = np.zeros((n, 2 * dim), np.float32)
        wide[:, ::2] = vec
        c3 = dict(c, id=c["id"] + 2 * 10**9, vectors=wide[:, ::2])
        pool.add_candidates(c3)
        assert DEBUG.conversions["vectors"] == 2
        # Fortran order: converted
        c4 = dict(c, id=c["id"] + 3 * 10**9, vectors=np.asfortranarray(vec))
        pool.add_candidates(c4)
        assert DEBUG.conversions["vectors"] == 3
        # a contiguous row slice of a float32 block is still zero-copy
        sl = vec[100:200]
        c5 = {k: a[100:200] for k, a in c.items()}
        c5["id"] = c5["id"] + 4 * 10**9
        pool.add_candidates(c5, vectors=sl)
        assert DEBUG.conversions["vectors"] == 3
        assert DEBUG.last_address["vectors"] == sl.ctypes.data
        assert pool.n_candidates == 4 * n + 100
        # all copies are equivalent: the same person scores the same
        with pool.snapshot() as s, lm.Engine() as e:
            assert s.n_vacancies == 0
            pool.add_vacancies(**one_vacancy(7, dim=dim, lat=52.3, lon=4.9))
            s2 = pool.snapshot()
            v = lm.Viewer(org=int(c["owner_org"][0]))
            a = e.explain(s2, v, 7, int(c["id"][0]))
            b = e.explain(s2, v, 7, int(c["id"][0]) + 3 * 10**9)
            assert a.competence == b.competence
            s2.close()


def test_integer_columns_are_range_checked():
    with lm.Pool(2) as pool:
        with pytest.raises(lm.RangeError, match="municipality"):
            pool.add_candidates(id=[1], owner_org=1, municipality=[2**40], groups=1, vectors=[[1, 0]])
        with pytest.raises(lm.RangeError, match="readiness"):
            pool.add_candidates(id=[1], owner_org=1, municipality=1, groups=1, vectors=[[1, 0]], readiness=[300])
        with pytest.raises(lm.InvalidArgumentError, match="non-integral"):
            pool.add_candidates(id=[1.5], owner_org=1, municipality=1, groups=1, vectors=[[1, 0]])
        with pytest.raises(lm.InvalidArgumentError, match="dtype"):
            pool.add_candidates(id=["a"], owner_org=1, municipality=1, groups=1, vectors=[[1, 0]])
        # integral floats and python ints are fine
        pool.add_candidates(id=np.array([1.0, 2.0]), owner_org=1, municipality=1, groups=1, zone=1000,
                            vectors=[[1, 0], [0, 1]])
        assert pool.n_candidates == 2


def test_snapshot_outlives_pool_and_results_outlive_everything():
    c, v = gen_data(9, 30, 10, 4)
    pool = lm.Pool(4)
    pool.add_candidates(c)
    pool.add_vacancies(v)
    snap = pool.snapshot()
    pool.close()
    eng = lm.Engine()
    res = eng.batch(snap, lm.Viewer(1, 1, 1))
    eng.close()
    snap.close()
    assert res.count(lm.Direction.VACANCY) > 0
    assert (res.by_vacancy["score"] > 0).all()
    res.close()
