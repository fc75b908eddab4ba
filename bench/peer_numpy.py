#!/usr/bin/python3
"""numpy peer of lmbench: the same top-k both ways with numpy + OpenBLAS.

Usage: peer_numpy.py DIR   (DIR holds the files lmbench wrote: meta.txt,
cand.f32, vac.f32, cclass.i32, vclass.i32)

Per direction: blocked matrix product (queries x base^T), for the 10%-eligible
workload the ineligible entries set to -inf, then argpartition for the top k
and a sort of those k. The OpenBLAS core type and thread count come from the
environment (OPENBLAS_CORETYPE, OPENBLAS_NUM_THREADS) set by lmbench.

Prints one line: "LMB median_s min_s max_s reps openblas_core numpy_version",
and writes the row indices of the top k of the first `check` queries of each
direction to check_vac.i64 / check_cand.i64 for the agreement check.
"""
import ctypes
import os
import sys
import time

import numpy as np


def openblas_core():
    """Core type of the OpenBLAS numpy actually loaded (via /proc/self/maps)."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "blas" in line.lower() and line.split()[-1].startswith("/")}
        for p in sorted(paths):
            lib = ctypes.CDLL(p)
            if hasattr(lib, "openblas_get_corename"):
                lib.openblas_get_corename.restype = ctypes.c_char_p
                return lib.openblas_get_corename().decode()
    except OSError:
        pass
    return "not-openblas"


def topk_rows(s, k):
    """Indices of the k largest entries of each row, best first."""
    if k >= s.shape[1]:
        idx = np.broadcast_to(np.arange(s.shape[1]), s.shape).copy()
    else:
        idx = np.argpartition(-s, k - 1, axis=1)[:, :k]
    part = np.take_along_axis(s, idx, axis=1)
    order = np.argsort(-part, axis=1, kind="stable")
    idx = np.take_along_axis(idx, order, axis=1)
    part = np.take_along_axis(part, order, axis=1)
    idx[~np.isfinite(part)] = -1
    return idx


def knn(q, b, k, qclass=None, bclass=None):
    """Top k of b for every row of q (inner product), in blocks of 128 MB of scores."""
    out = np.empty((q.shape[0], min(k, b.shape[0])), dtype=np.int64)
    bs = max(1, (1 << 25) // max(1, b.shape[0]))
    for s in range(0, q.shape[0], bs):
        e = min(q.shape[0], s + bs)
        sc = q[s:e] @ b.T
        if qclass is not None:
            np.putmask(sc, qclass[s:e, None] != bclass[None, :], -np.inf)
        out[s:e] = topk_rows(sc, k)
    return out


def main():
    d = sys.argv[1]
    meta = {}
    with open(os.path.join(d, "meta.txt")) as f:
        for line in f:
            key, val = line.split()
            meta[key] = float(val) if "." in val else int(val)
    nc, nv, dim, k = meta["nc"], meta["nv"], meta["dim"], meta["k"]
    cand = np.fromfile(os.path.join(d, "cand.f32"), dtype=np.float32).reshape(nc, dim)
    vac = np.fromfile(os.path.join(d, "vac.f32"), dtype=np.float32).reshape(nv, dim)
    cc = vc = None
    if meta["elig"]:
        cc = np.fromfile(os.path.join(d, "cclass.i32"), dtype=np.int32)
        vc = np.fromfile(os.path.join(d, "vclass.i32"), dtype=np.int32)

    def run():
        a = knn(vac, cand, k, vc, cc)
        b = knn(cand, vac, k, cc, vc)
        return a, b

    reps, budget = meta["reps"], float(meta["budget"])
    times = []
    t0 = time.perf_counter()
    a, b = run()
    dt = time.perf_counter() - t0
    if dt >= 0.5:
        times.append(dt)
    target = reps if dt * reps <= budget else max(1, int(budget / max(dt, 1e-9)))
    while len(times) < target:
        t0 = time.perf_counter()
        a, b = run()
        times.append(time.perf_counter() - t0)
    times.sort()
    n = len(times)
    med = times[n // 2] if n % 2 else 0.5 * (times[n // 2 - 1] + times[n // 2])
    check = meta["check"]
    np.ascontiguousarray(a[:check]).astype(np.int64).tofile(os.path.join(d, "check_vac.i64"))
    np.ascontiguousarray(b[:check]).astype(np.int64).tofile(os.path.join(d, "check_cand.i64"))
    print("LMB %.9g %.9g %.9g %d %s %s" % (med, times[0], times[-1], n, openblas_core().replace(" ", "_"),
                                            np.__version__))


if __name__ == "__main__":
    main()
