"""Shared fixtures of the Python binding tests.

Run through tests/python/run.sh BUILD (which sets LIBMATCH_LIBRARY to
BUILD/libmatch.so.1), or directly:
    LIBMATCH_LIBRARY=$PWD/build/libmatch.so.1 /usr/bin/python3 -m pytest -q tests/python
"""
import os
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "bindings" / "python"
sys.path.insert(0, str(PKG))
sys.path.insert(0, str(Path(__file__).resolve().parent))

if not os.environ.get("LIBMATCH_LIBRARY") and (ROOT / "build" / "libmatch.so.1").exists():
    os.environ["LIBMATCH_LIBRARY"] = str(ROOT / "build" / "libmatch.so.1")

import libmatch as lm  # noqa: E402


def build_dir() -> Path:
    b = os.environ.get("LIBMATCH_TEST_BUILD")
    if b:
        return Path(b)
    return Path(os.environ["LIBMATCH_LIBRARY"]).resolve().parent


def gen_data(seed, nc, nv, dim, density=0.8, needs=False):
    """Random candidates and vacancies (column dicts) in the Haarlem/IJmond
    area. density in (0, 1]: lower makes the filters stricter. needs: also
    1.2's columns (support needs and offers, kinds, the new groups), from
    their own random stream so the other columns stay the same."""
    rng = np.random.default_rng(seed)
    c = {}
    c["id"] = (np.arange(nc, dtype=np.int64) * 7919 + 13) * np.where(np.arange(nc) % 5 == 0, -1, 1) + seed * 1000
    c["owner_org"] = rng.integers(1, 5, nc).astype(np.int64)
    c["municipality"] = rng.integers(1, 7, nc).astype(np.int32)
    c["region"] = (1 + (c["municipality"] - 1) // 3).astype(np.int32)
    c["zone"] = (1000 + rng.integers(0, 51, nc)).astype(np.int32)
    c["lat"] = 52.0 + rng.random(nc) * 0.6 * (2 - density)
    c["lon"] = 4.6 + rng.random(nc) * 0.8 * (2 - density)
    c["groups"] = rng.integers(1, 64, nc).astype(np.uint32)
    c["readiness"] = rng.integers(1, 6, nc).astype(np.uint8)
    c["loonwaarde"] = rng.integers(20, 121, nc).astype(np.float32)
    c["vectors"] = (rng.random((nc, dim)) * 2 - 1).astype(np.float32)
    c["flags"] = rng.integers(0, 8, nc).astype(np.uint64)
    c["hours_min"] = rng.integers(0, 25, nc).astype(np.float32)
    c["hours_max"] = c["hours_min"] + rng.integers(0, 25, nc).astype(np.float32)
    c["modes"] = rng.integers(1, 16, nc).astype(np.uint8)
    c["max_minutes"] = np.where(rng.random(nc) < 0.5, 0, rng.integers(10, 121, nc)).astype(np.float32)
    c["available_from"] = rng.integers(100, 201, nc).astype(np.int32)
    c["scope"] = rng.integers(0, 4, nc).astype(np.uint8)
    c["priority"] = rng.random(nc).astype(np.float32)
    v = {}
    v["id"] = np.arange(nv, dtype=np.int64) * 104729 + 7 + seed * 999999937
    v["employer_id"] = rng.integers(1, 51, nv).astype(np.int64)
    v["municipality"] = rng.integers(1, 7, nv).astype(np.int32)
    v["region"] = (1 + (v["municipality"] - 1) // 3).astype(np.int32)
    v["zone"] = (1000 + rng.integers(0, 51, nv)).astype(np.int32)
    v["lat"] = 52.0 + rng.random(nv) * 0.6
    v["lon"] = 4.6 + rng.random(nv) * 0.8
    v["vectors"] = (rng.random((nv, dim)) * 2 - 1).astype(np.float32)
    v["weights"] = (0.5 + rng.random((nv, dim)) * 1.5).astype(np.float32)
    v["required_flags"] = np.where(rng.random(nv) < density, 0, rng.integers(0, 8, nv)).astype(np.uint64)
    v["hours_min"] = rng.integers(0, 33, nv).astype(np.float32)
    v["hours_max"] = v["hours_min"] + rng.integers(0, 17, nv).astype(np.float32)
    v["slots"] = np.where(rng.random(nv) < 0.05, 0, rng.integers(1, 4, nv)).astype(np.int32)
    v["accepted_groups"] = np.where(rng.random(nv) < density, 63, rng.integers(1, 64, nv)).astype(np.uint32)
    v["min_loonwaarde"] = np.where(rng.random(nv) < density, 0, rng.integers(0, 101, nv)).astype(np.float32)
    v["max_readiness"] = np.where(rng.random(nv) < density, 5, rng.integers(1, 6, nv)).astype(np.uint8)
    v["open_until"] = rng.integers(90, 401, nv).astype(np.int32)
    if needs:
        r2 = np.random.default_rng(seed + 14000)
        c["needs"] = np.where(r2.random(nc) < 0.4, 1 << r2.integers(0, 6, nc), 0).astype(np.uint64)
        c["needs"][r2.random(nc) < 0.05] = np.uint64(1 << 40)  # a host-defined need
        c["groups"] = c["groups"] | np.where(r2.random(nc) < 0.2, 1 << r2.integers(6, 9, nc), 0).astype(np.uint32)
        v["offers"] = (r2.integers(0, 64, nv) | np.where(r2.random(nv) < 0.2, 1 << 40, 0)).astype(np.uint64)
        v["kind"] = r2.integers(0, 6, nv).astype(np.uint8)
        v["accepted_groups"] = np.where(r2.random(nv) < 0.3, 0x1FF, v["accepted_groups"]).astype(np.uint32)
    return c, v


def make_pool(c, v, dim=None):
    dim = dim or c["vectors"].shape[1]
    p = lm.Pool(dim)
    if len(c["id"]):
        p.add_candidates(c)
    if len(v["id"]):
        p.add_vacancies(v)
    return p


@pytest.fixture
def small():
    """(pool, snapshot, engine, c, v) of a small random pool; closed afterwards."""
    c, v = gen_data(7, 60, 40, 8, 0.7)
    pool = make_pool(c, v)
    snap = pool.snapshot()
    eng = lm.Engine(threads=1)
    yield pool, snap, eng, c, v
    eng.close()
    snap.close()
    pool.close()


def one_candidate(i=1, dim=4, **over):
    """Column kwargs of a single valid candidate."""
    kw = dict(id=[i], owner_org=1, municipality=361, groups=int(lm.Group.BIJSTAND), lat=52.63, lon=4.75,
              vectors=np.ones((1, dim), np.float32), scope=int(lm.Scope.NATIONAL))
    kw.update(over)
    return kw


def one_vacancy(j=100, dim=4, **over):
    kw = dict(id=[j], employer_id=7, municipality=361, lat=52.64, lon=4.76,
              vectors=np.ones((1, dim), np.float32))
    kw.update(over)
    return kw
