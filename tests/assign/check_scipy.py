"""Compare lm_engine_assign_graph's exact objective with SciPy's solvers.

Usage: check_scipy.py LIBMATCH_SO [TOTALS_FILE]

Dense instances: scipy.optimize.linear_sum_assignment on the slot-expanded
matrix (non-edges weigh 0, which is the same as staying unassigned). Sparse
instances: scipy.sparse.csgraph.min_weight_full_bipartite_matching on the
doubled graph (each person copy may take a dummy column, each slot copy a
dummy row, dummies pair up along mirrored edges), with every cost shifted by
a constant so no weight is zero. Copies: vacancies become `capacity` slot
copies and, with m > 1, people become m copies; that is exact only when no
pair could be used twice, so those instances have m = 1 or all capacities 1.
Instances with m > 1 and capacities > 1, or a per-employer limit, are checked
against the LP relaxation (scipy.optimize.linprog, HiGHS), which is integral
for this network matrix. Weights are the library's own integers, computed
here independently from the same float32 inputs.
"""
import sys
import time

import numpy as np
from scipy.optimize import linear_sum_assignment, linprog
from scipy.sparse import csr_matrix, coo_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

sys.path.insert(0, __import__("os").path.dirname(__file__))
from lmassign import Lib, scaled_weights  # noqa: E402


def expand(n, nv, cap, ep, ev, w, m):
    """Row copies of people, column copies of slots; returns rows, cols, weights, n_rows, n_cols."""
    slot0 = np.concatenate([[0], np.cumsum(cap)])
    rows, cols, ws = [], [], []
    for e in range(len(ep)):
        if w[e] <= 0 or cap[ev[e]] == 0:
            continue
        for r in range(m):
            for c in range(cap[ev[e]]):
                rows.append(ep[e] * m + r)
                cols.append(slot0[ev[e]] + c)
                ws.append(w[e])
    return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64), np.array(ws, dtype=np.int64), n * m, int(
        slot0[-1])


def ref_dense(n, nv, cap, ep, ev, w, m):
    rows, cols, ws, a, b = expand(n, nv, cap, ep, ev, w, m)
    if a == 0 or b == 0 or len(ws) == 0:
        return 0
    M = np.zeros((a, b), dtype=np.float64)
    M[rows, cols] = ws
    r, c = linear_sum_assignment(M, maximize=True)
    return int(round(M[r, c].sum()))


def ref_sparse(n, nv, cap, ep, ev, w, m):
    rows, cols, ws, a, b = expand(n, nv, cap, ep, ev, w, m)
    if a == 0 or b == 0 or len(ws) == 0:
        return 0
    big = int(ws.max()) + 1
    # rows: person copies [0, a), slot dummies [a, a + b); cols: slots [0, b), person dummies [b, b + a)
    R = np.concatenate([rows, np.arange(a), a + np.arange(b), a + cols])
    Cc = np.concatenate([cols, b + np.arange(a), np.arange(b), b + rows])
    W = np.concatenate([big - ws, np.full(a, big), np.full(b, big), np.full(len(ws), big)]).astype(np.float64)
    G = csr_matrix(coo_matrix((W, (R, Cc)), shape=(a + b, a + b)))
    r, c = min_weight_full_bipartite_matching(G)
    total = int(round(np.asarray(G[r, c]).sum()))
    return (a + b) * big - total


def ref_lp(n, nv, cap, ep, ev, w, m, per_employer=0, employer=None):
    keep = [e for e in range(len(ep)) if w[e] > 0 and cap[ev[e]] > 0]
    if not keep:
        return 0
    E = len(keep)
    rows, cols, b = [], [], []
    r = 0
    for i in range(n):
        es = [k for k, e in enumerate(keep) if ep[e] == i]
        if es:
            rows += [r] * len(es); cols += es; b.append(m); r += 1
    for j in range(nv):
        es = [k for k, e in enumerate(keep) if ev[e] == j]
        if es:
            rows += [r] * len(es); cols += es; b.append(cap[j]); r += 1
    if per_employer and employer is not None:
        groups = {}
        for k, e in enumerate(keep):
            groups.setdefault((ep[e], employer[ev[e]]), []).append(k)
        for es in groups.values():
            if len(es) > per_employer:
                rows += [r] * len(es); cols += es; b.append(per_employer); r += 1
    A = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(r, E))
    c = -np.array([w[e] for e in keep], dtype=np.float64)
    res = linprog(c, A_ub=A, b_ub=np.array(b, dtype=np.float64), bounds=(0, 1), method="highs-ds")
    assert res.status == 0, res.message
    return int(round(-res.fun))


def instance(rng, kind, dense):
    if kind == "single":
        n, nv = 1, 1
    elif kind == "noedge":
        n, nv = int(rng.integers(0, 6)), int(rng.integers(0, 6))
    else:
        n, nv = int(rng.integers(1, 40 if dense else 150)), int(rng.integers(1, 40 if dense else 150))
    cap = rng.integers(0 if kind == "cap0" else 1, 4, size=nv).astype(np.int32)
    if kind == "cap0":
        cap[rng.random(nv) < 0.5] = 0
    p = 0.5 if dense else min(1.0, 4.0 / max(nv, 1))
    if kind == "noedge":
        pairs = np.zeros((0, 2), dtype=np.int64)
    else:
        mask = rng.random((n, nv)) < p
        if kind == "disconnected":  # two blocks with no edge between them
            mask[: n // 2, nv // 2:] = False
            mask[n // 2:, : nv // 2] = False
        pairs = np.argwhere(mask)
        if kind == "single":
            pairs = np.array([[0, 0]])
    rng.shuffle(pairs)
    ep, ev = pairs[:, 0].astype(np.uint32), pairs[:, 1].astype(np.uint32)
    if kind == "tied":
        es = rng.choice(np.array([0.25, 0.5, 0.75], dtype=np.float32), size=len(ep))
    elif kind == "equal":
        es = np.full(len(ep), 0.5, dtype=np.float32)
    else:
        es = rng.random(len(ep)).astype(np.float32)
        es[rng.random(len(ep)) < 0.02] = 0.0  # a few zero-value pairs: never proposed
    return n, nv, cap, ep, ev, es


def main():
    lib = Lib(sys.argv[1])
    totals = sys.argv[2] if len(sys.argv) > 2 else None
    rng = np.random.default_rng(20261123)
    kinds = ["random", "tied", "equal", "disconnected", "single", "noedge", "cap0"]
    passed = failed = greedy_worse = 0
    t0 = time.time()
    plan = []
    for dense in (True, False):
        for kind in kinds:
            reps = 24 if kind in ("random", "tied", "equal", "disconnected") else 8
            plan += [(kind, dense)] * reps
    plan += [("lp", False)] * 40
    for idx, (kind, dense) in enumerate(plan):
        use_lp = kind == "lp"
        n, nv, cap, ep, ev, es = instance(rng, "random" if use_lp else kind, dense)
        pw = float(rng.choice([0.0, 0.0, 0.5, 2.0]))
        prio = rng.random(n).astype(np.float32) if pw > 0 or rng.random() < 0.5 else None
        pe = prio[ep] if prio is not None else np.zeros(len(ep), dtype=np.float32)
        w = scaled_weights(es, pe, pw)
        per_emp, employer = 0, None
        if use_lp:
            m = int(rng.integers(1, 4))
            if rng.random() < 0.6:
                per_emp = int(rng.integers(1, 3))
                employer = rng.integers(0, max(1, nv // 3), size=nv).astype(np.int64)
            want = ref_lp(n, nv, cap, ep, ev, w, m, per_emp, employer)
            how = "linprog"
        else:
            m = 1
            if rng.random() < 0.3:  # m > 1 through person copies: all capacities 1
                m = int(rng.integers(2, 4))
                cap = np.minimum(cap, 1).astype(np.int32)
            want = (ref_dense if dense else ref_sparse)(n, nv, cap, ep, ev, w, m)
            how = "linear_sum_assignment" if dense else "min_weight_full_bipartite_matching"
        st, stats, _ = lib.assign(n, nv, cap, ep, ev, es, m=m, per_employer=per_emp, employer=employer, prio=prio,
                                  pw=pw)
        got = None if st else int(stats["OBJECTIVE_SCALED"])
        ok = st == 0 and got == want and stats["GREEDY_OBJECTIVE"] * 1e6 <= got + 0.5
        if ok and round(stats["GREEDY_OBJECTIVE"] * 1e6) < got:
            greedy_worse += 1
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL #{idx} {kind} dense={dense} n={n} nv={nv} edges={len(ep)} m={m} per_employer={per_emp} "
                  f"pw={pw}: libmatch {got if not st else ('status %d %s' % (st, stats))}, {how} {want}")
    lib.close()
    print(f"assign vs SciPy: {len(plan)} instances in {time.time() - t0:.1f} s; the greedy baseline is below "
          f"the optimum on {greedy_worse} of them")
    if totals:
        with open(totals, "a") as f:
            f.write(f"assign {passed} {failed}\n")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
