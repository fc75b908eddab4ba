"""SciPy peer for bench_assign: min_weight_full_bipartite_matching on an
instance file written by bench/bench_assign.c.

Two modes. "plain": a square instance with one slot per vacancy is solved as
the full (perfect) matching of the graph itself, costs max(w) + 1 - w, as in
the issue's reference figure. When libmatch's optimum proposes everyone (the
case on the benchmark instances) the two objectives must be equal, since a
maximum-weight matching that is perfect is also a maximum-weight perfect
matching. "doubled": otherwise, capacities are expanded into slot copies and
staying unassigned is allowed through the doubled graph with dummy nodes
(exact in general, but the many equal dummy costs make LAPJVsp much slower).

usage: peer_scipy_assign.py FILE RUNS
prints one line: median min max objective peak_rss_bytes mode
"""
import resource
import sys
import time

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching


def load(path):
    with open(path, "rb") as f:
        assert f.read(8) == b"LMASGN1\n"
        n, nv, ne = np.frombuffer(f.read(24), dtype=np.uint64).astype(np.int64)
        cap = np.frombuffer(f.read(4 * nv), dtype=np.int32)
        ep = np.frombuffer(f.read(4 * ne), dtype=np.uint32).astype(np.int64)
        ev = np.frombuffer(f.read(4 * ne), dtype=np.uint32).astype(np.int64)
        w = np.frombuffer(f.read(8 * ne), dtype=np.int64)
    return int(n), int(nv), cap, ep, ev, w


def solve_plain(n, nv, cap, ep, ev, w):
    big = int(w.max()) + 1
    G = csr_matrix(coo_matrix(((big - w).astype(np.float64), (ep, ev)), shape=(n, nv)))
    t0 = time.perf_counter()
    r, c = min_weight_full_bipartite_matching(G)
    t = time.perf_counter() - t0
    return t, len(r) * big - int(round(np.asarray(G[r, c]).sum()))


def solve(n, nv, cap, ep, ev, w):
    keep = (w > 0) & (cap[ev] > 0)
    ep, ev, w = ep[keep], ev[keep], w[keep]
    if n == nv and np.all(cap == 1) and len(w) == len(keep):
        return solve_plain(n, nv, cap, ep, ev, w)
    slot0 = np.concatenate([[0], np.cumsum(cap)]).astype(np.int64)
    reps = cap[ev].astype(np.int64)
    rows = np.repeat(ep, reps)
    within = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
    cols = np.repeat(slot0[ev], reps) + within
    ws = np.repeat(w, reps)
    a, b = n, int(slot0[-1])
    big = int(ws.max()) + 1
    R = np.concatenate([rows, np.arange(a), a + np.arange(b), a + cols])
    C = np.concatenate([cols, b + np.arange(a), np.arange(b), b + rows])
    W = np.concatenate([big - ws, np.full(a, big), np.full(b, big), np.full(len(ws), big)]).astype(np.float64)
    G = csr_matrix(coo_matrix((W, (R, C)), shape=(a + b, a + b)))
    t0 = time.perf_counter()
    r, c = min_weight_full_bipartite_matching(G)
    t = time.perf_counter() - t0
    total = int(round(np.asarray(G[r, c]).sum()))
    return t, (a + b) * big - total


def main():
    inst = load(sys.argv[1])
    n, nv, cap, ep, ev, w = inst
    mode = "plain" if n == nv and np.all(cap == 1) and np.all(w > 0) else "doubled"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    times, obj = [], None
    for _ in range(max(1, runs)):
        t, obj = solve(*inst)
        times.append(t)
        print(f"  scipy run: {t:.3f} s, objective {obj}", file=sys.stderr)
    times.sort()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"{times[len(times) // 2]:.9f} {times[0]:.9f} {times[-1]:.9f} {obj} {rss} {mode}")


if __name__ == "__main__":
    main()
