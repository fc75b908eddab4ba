"""The same pool gives the same results through Python as through C, and both
agree with an independent numpy reference of docs/scoring.md."""
import ctypes
import shutil
import subprocess

import numpy as np
import pytest

import libmatch as lm
from libmatch import _ffi
from conftest import ROOT, build_dir, gen_data, make_pool
import reference as ref

VIEWER = (2, 3, 1)


def fmt_row(tag, m):
    return (f"{tag} {int(m['vacancy_id'])} {int(m['candidate_id'])} {int(m['rank'])} {int(m['constraint'])} "
            + " ".join("%.9g" % float(m[f]) for f in ("score", "competence", "travel", "hours", "readiness",
                                                       "priority", "travel_minutes"))
            + f" {int(m['travel_mode'])} {int(m['candidate_municipality'])} {int(m['vacancy_municipality'])}")


def python_text(c, v, k, threads):
    out = []
    with make_pool(c, v) as pool, pool.snapshot() as snap, lm.Engine(threads=threads) as eng:
        viewer = lm.Viewer(*VIEWER)
        for tag, fnq, ids, d in (("QV", eng.query_vacancy, v["id"], 0), ("QC", eng.query_candidate, c["id"], 1)):
            for x in ids:
                try:
                    rows = fnq(snap, viewer, int(x), k)
                except lm.LibmatchError as e:
                    out.append(f"{tag} {int(x)} ERR {e.status}")
                    continue
                out.append(f"L{tag} {int(x)} 0 {len(rows)}")
                out += [fmt_row(tag, m) for m in rows]
        with eng.batch(snap, viewer, k_candidates=k, k_vacancies=k - 2 if k > 2 else 1) as b:
            for tag, d in (("BV", lm.Direction.VACANCY), ("BC", lm.Direction.CANDIDATE)):
                out += [f"L{tag} {int(i)} {int(f)} {int(n)}" for i, f, n in b.lists(d)]
                out += [fmt_row(tag, m) for m in b.matches(d)]
        for ci in c["id"]:
            for vj in v["id"]:
                try:
                    m = eng.explain(snap, viewer, int(vj), int(ci))
                except lm.LibmatchError as e:
                    out.append(f"EX {int(vj)} {int(ci)} ERR {e.status}")
                    continue
                rec = np.zeros(1, lm.MATCH_DTYPE)[0]
                for f in ("vacancy_id", "candidate_id", "rank", "score", "competence", "travel", "hours",
                          "readiness", "priority", "travel_minutes", "candidate_municipality",
                          "vacancy_municipality"):
                    rec[f] = getattr(m, f)
                rec["constraint"] = int(m.constraint)
                rec["travel_mode"] = -1 if m.travel_mode is None else int(m.travel_mode)
                out.append(fmt_row("EX", rec))
    return out


@pytest.fixture(scope="module")
def compare_bin(tmp_path_factory):
    cc = shutil.which("cc") or shutil.which("gcc")
    lib_a = build_dir() / "libmatch.a"
    if not cc or not lib_a.exists():
        pytest.skip(f"needs a C compiler and {lib_a}")
    exe = tmp_path_factory.mktemp("cmp") / "compare"
    libs = subprocess.run(["pkg-config", "--libs", "libpq"], capture_output=True, text=True).stdout.split() or ["-lpq"]
    cmd = [cc, "-std=c11", "-O1", "-I", str(ROOT / "libmatch" / "include"), "-o", str(exe),
           str(ROOT / "tests" / "python" / "compare.c"), str(lib_a)] + libs + ["-lpthread", "-lm"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return exe


@pytest.mark.parametrize("seed,nc,nv,dim,density,k", [(11, 70, 45, 8, 0.7, 6), (12, 120, 30, 33, 0.9, 10)])
def test_python_equals_c(compare_bin, tmp_path, seed, nc, nv, dim, density, k):
    c, v = gen_data(seed, nc, nv, dim, density)
    for side, cols in (("c", c), ("v", v)):
        for name, a in cols.items():
            np.ascontiguousarray(a).tofile(tmp_path / f"{side}_{name}.bin")
    r = subprocess.run([str(compare_bin), str(tmp_path), str(nc), str(nv), str(dim), *map(str, VIEWER), str(k), "2"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    c_lines = r.stdout.splitlines()
    tail = [ln for ln in c_lines if ln.startswith(("SIZE", "GROUPSIZE", "STRUCTS"))]
    c_lines = [ln for ln in c_lines if not ln.startswith(("SIZE", "GROUPSIZE", "STRUCTS"))]
    py_lines = python_text(c, v, k, threads=2)
    assert len(py_lines) == len(c_lines)
    for a, b in zip(py_lines, c_lines):
        assert a == b
    feasible = sum(1 for ln in c_lines if ln.startswith("EX ") and " ERR " not in ln and ln.split()[4] == "0")
    assert feasible > 50, "the comparison needs feasible pairs"
    # The C layout, as printed by the compiler, equals the binding's.
    size = dict(kv.split("=") for kv in tail[0].split()[2:])
    assert int(tail[0].split()[1]) == lm.MATCH_DTYPE.itemsize == ctypes.sizeof(_ffi.Match_)
    for name, off in size.items():
        assert lm.MATCH_DTYPE.fields[name][1] == int(off), name
    gsize = dict(kv.split("=") for kv in tail[1].split()[2:])
    assert int(tail[1].split()[1]) == lm.GROUP_REPORT_DTYPE.itemsize
    for name, off in gsize.items():
        assert lm.GROUP_REPORT_DTYPE.fields[name][1] == int(off), name
    sizes = dict(kv.split("=") for kv in tail[2].split()[1:])
    assert int(sizes["cand"]) == ctypes.sizeof(_ffi.CandidateCols)
    assert int(sizes["vac"]) == ctypes.sizeof(_ffi.VacancyCols)
    assert int(sizes["viewer"]) == ctypes.sizeof(_ffi.Viewer_)
    assert int(sizes["batch"]) == ctypes.sizeof(_ffi.BatchOptions)
    assert int(sizes["assignopt"]) == ctypes.sizeof(_ffi.AssignOptions)
    assert int(sizes["graph"]) == ctypes.sizeof(_ffi.AssignGraph)
    assert int(sizes["runinfo"]) == ctypes.sizeof(_ffi.RunInfo)


def test_match_dtype_layout():
    """MATCH_DTYPE has every lm_match field at the ctypes offset, same itemsize."""
    assert lm.MATCH_DTYPE.itemsize == ctypes.sizeof(_ffi.Match_) == 112  # 72 in 1.0, 88 in 1.1 (+ lead_org, process_*), 1.2: + failed .. loonwaarde_gap
    assert list(lm.MATCH_DTYPE.names) == [f for f, _ in _ffi.Match_._fields_]
    for name, _ in _ffi.Match_._fields_:
        assert lm.MATCH_DTYPE.fields[name][1] == getattr(_ffi.Match_, name).offset
        assert lm.MATCH_DTYPE.fields[name][0].itemsize == ctypes.sizeof(dict(_ffi.Match_._fields_)[name])
    assert lm.GROUP_REPORT_DTYPE.itemsize == ctypes.sizeof(_ffi.GroupReport_) == 24


def _explain_all(eng, snap, viewer, c, v):
    got = {}
    for i, ci in enumerate(c["id"]):
        for j, vj in enumerate(v["id"]):
            try:
                got[i, j] = eng.explain(snap, viewer, int(vj), int(ci))
            except lm.UnknownIdError:
                got[i, j] = None
    return got


@pytest.mark.parametrize("policy", [{}, dict(w_competence=1.0, w_priority=0.5, max_travel_min=60, min_score=0.25,
                                             allowed_modes=6, as_of_day=120)])
def test_explain_matches_numpy_reference(policy):
    c, v = gen_data(21, 80, 50, 12, 1.0)
    viewer = (1, 2, 1)
    score, constraint, comps = ref.score_matrix(c, v, viewer, policy)
    with make_pool(c, v) as pool, pool.snapshot() as snap, lm.Engine(lm.Policy(**policy), threads=1) as eng:
        got = _explain_all(eng, snap, lm.Viewer(*viewer), c, v)
    feasible = 0
    for (i, j), m in got.items():
        if constraint[i, j] == 1:
            assert m is None, "an invisible candidate is reported as unknown"
            continue
        assert m.constraint == constraint[i, j], (i, j, m, constraint[i, j])
        if constraint[i, j] == 0:
            feasible += 1
            assert m.score == pytest.approx(score[i, j], abs=1e-5)
            assert m.competence == pytest.approx(comps["competence"][i, j], abs=1e-5)
            assert m.travel == pytest.approx(comps["travel"][i, j], abs=1e-5)
            assert m.hours == pytest.approx(comps["hours"][i, j], abs=1e-5)
            assert m.readiness == pytest.approx(comps["readiness"][i, j], abs=1e-6)
            assert m.travel_minutes == pytest.approx(comps["minutes"][i, j], rel=1e-5)
        else:
            assert m.score == 0.0
    assert feasible > 20


def test_query_and_batch_match_numpy_reference():
    c, v = gen_data(31, 150, 60, 16, 0.8)
    viewer = (2, 3, 1)
    score, _, _ = ref.score_matrix(c, v, viewer)
    vis = ref.visible(c, viewer)
    k = 7
    with make_pool(c, v) as pool, pool.snapshot() as snap, lm.Engine(threads=2) as eng:
        V = lm.Viewer(*viewer)
        for j, vj in enumerate(v["id"][:25]):
            rows = eng.query_vacancy(snap, V, int(vj), k)
            assert (rows["rank"] == np.arange(1, len(rows) + 1)).all()
            ref.assert_topk(rows["candidate_id"].tolist(), rows["score"].tolist(),
                            ref.topk(score, c["id"], j, False, k), what=f"vacancy {j}")
        for i, ci in enumerate(c["id"][:25]):
            if not vis[i]:
                with pytest.raises(lm.UnknownIdError):
                    eng.query_candidate(snap, V, int(ci), k)
                continue
            rows = eng.query_candidate(snap, V, int(ci), k)
            ref.assert_topk(rows["vacancy_id"].tolist(), rows["score"].tolist(),
                            ref.topk(score, v["id"], i, True, k), what=f"candidate {i}")
        with eng.batch(snap, V, k_candidates=k, k_vacancies=4) as b:
            lists = b.lists(lm.Direction.VACANCY)
            assert len(lists) == len(v["id"])
            for j, vj in enumerate(v["id"]):
                rows = b.for_vacancy(int(vj))
                ref.assert_topk(rows["candidate_id"].tolist(), rows["score"].tolist(),
                                ref.topk(score, c["id"], j, False, k), what=f"batch vacancy {j}")
            assert len(b.lists(lm.Direction.CANDIDATE)) == int(vis.sum())
            for i, ci in enumerate(c["id"]):
                if vis[i]:
                    rows = b.for_candidate(int(ci))
                    ref.assert_topk(rows["vacancy_id"].tolist(), rows["score"].tolist(),
                                    ref.topk(score, v["id"], i, True, 4), what=f"batch candidate {i}")
            # every batch row agrees with explain() of the same pair (the
            # batch kernel may differ from explain() in the last bit)
            for m in b.by_vacancy[:200]:
                e = eng.explain(snap, V, int(m["vacancy_id"]), int(m["candidate_id"]))
                assert e.feasible
                assert e.score == pytest.approx(m["score"], abs=1e-6)
                assert e.competence == pytest.approx(m["competence"], abs=1e-6)
                assert e.travel == m["travel"] and e.travel_mode == m["travel_mode"]
            st = b.stats
            assert st["pairs_scored"] >= st["pairs_feasible"] > 0
            assert st["snapshot_version"] == snap.version


def test_worked_example_of_docs_scoring():
    """docs/scoring.md section 3, through Python: score 0.629032."""
    travel = lm.Travel()
    zones = np.array([1941, 2011], np.int32)
    minutes = np.array([[0, 30], [30, 0]], np.uint8)
    travel.set_matrix("bike", zones, minutes)
    G = lm.Group
    with lm.Pool(3) as pool:
        pool.add_vacancies(id=[500], employer_id=1, municipality=392, zone=2011,
                           vectors=[[2, 1, 2]], weights=[[1, 1, 0.5]], hours_min=24, hours_max=36,
                           accepted_groups=int(G.BIJSTAND), max_readiness=int(lm.Readiness.C))
        pool.add_candidates(id=[1, 2, 3], owner_org=1, municipality=375, zone=1941,
                            vectors=[[1, 2, 2]] * 3, modes=lm.Mode.BIKE.bit, hours_min=20, hours_max=32,
                            readiness=int(lm.Readiness.B), max_minutes=[0, 25, 0],
                            groups=[int(G.BIJSTAND), int(G.BIJSTAND), int(G.BANENAFSPRAAK)],
                            scope=int(lm.Scope.REGION), region=1)
        with pool.snapshot() as snap, lm.Engine(travel=travel) as eng:
            viewer = lm.Viewer(org=9, municipality=392, region=1)
            m = eng.explain(snap, viewer, 500, 1)
            assert m.score == pytest.approx(0.629032, abs=1e-6)
            assert m.competence == pytest.approx(0.611111, abs=1e-6)  # cos 8/9 x coverage 0.6875
            assert m.travel_mode == lm.Mode.BIKE and m.travel_minutes == 30
            assert m.cross_border and m.feasible
            assert eng.explain(snap, viewer, 500, 2).constraint == lm.Constraint.TRAVEL
            assert eng.explain(snap, viewer, 500, 3).constraint == lm.Constraint.TARGET_GROUP
            top = eng.query_vacancy(snap, viewer, 500, k=3)
            assert top["candidate_id"].tolist() == [1]
            assert "0.629" in m.describe()
    travel.close()
