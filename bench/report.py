#!/usr/bin/python3
"""Turn the benchmark's JSON lines into report.json, report.md and *.png.

    bench/report.py --build BUILD [--update-docs docs/performance.md]

Inputs in BUILD/bench/: results.jsonl (written by lmbench through
bench/run.py) and any other *.jsonl there (pg.jsonl from bench_pg,
assign.jsonl from bench_assign, ...), merged as they are.
"""
import argparse
import datetime
import glob
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys

GIB = 1024.0 ** 3
LIBMATCH = ("libmatch", "libmatch-int8")   # rows that get speedup_vs
FAISS_ENGINES = ("faiss+openblas-skylakex", "faiss+openblas-default")
NUMPY_ENGINES = ("numpy+openblas-skylakex", "numpy+openblas-default")

# Which rows each run must produce: (case name, engine). A missing peer is an
# error unless BENCH_ALLOW_MISSING=1; a missing libmatch row always is.
EXPECTED = {
    "allpairs-fp32-d64": ("libmatch", "libmatch-scalar") + FAISS_ENGINES,
    "topk50-unfiltered": ("libmatch", "libmatch-scalar") + FAISS_ENGINES + NUMPY_ENGINES,
    "topk50-elig10": ("libmatch", "libmatch-scalar") + FAISS_ENGINES + NUMPY_ENGINES,
    "topk50-elig10-sql": ("libmatch", "postgresql"),
    "region": ("libmatch", "libmatch-1.0-policy"),
    "query-vacancy-top20": ("libmatch", "faiss+openblas-skylakex"),
}
EXPECTED_FULL = {"country": ("libmatch",), "region": ("libmatch", "libmatch-1.0-policy", "libmatch-scalar")}
SHORT = {"faiss+openblas-skylakex": "FAISS (SkylakeX)", "faiss+openblas-default": "FAISS (default BLAS)",
         "numpy+openblas-skylakex": "numpy (SkylakeX)", "numpy+openblas-default": "numpy (default BLAS)",
         "libmatch-scalar": "scalar path", "postgresql": "SQL", "libmatch-1.0-policy": "1.0's default policy"}
CASE_SHORT = {"allpairs-fp32-d64": "all pairs", "topk50-unfiltered": "top-50", "topk50-elig10": "top-50, 10%",
              "topk50-elig10-sql": "top-50, 10%", "query-vacancy-top20": "one query", "region": "region",
              "country": "country"}

CASE_TEXT = {
    "allpairs-fp32-d64": "score all pairs, fp32, d = 64 (k = 1 both ways, every pair feasible)",
    "topk50-unfiltered": "top-50 both ways, unfiltered",
    "topk50-elig10": "top-50 both ways, 10% of pairs eligible",
    "topk50-elig10-sql": "top-50 per vacancy, 10% eligible, same query in SQL",
    "region": "region (Noord-Holland Noord): both ways, top-50, filters on",
    "country": "country: both ways, top-50, filters on",
    "query-vacancy-top20": "one vacancy, top-20 over 1e5 candidates, filters on",
}


def fnum(x, digits=3):
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    if x == 0:
        return "0"
    a = abs(x)
    if a >= 1e5 or a < 1e-3:
        return "%.*g" % (digits, x)
    return ("%.*f" % (max(0, digits - 1 - int(math.floor(math.log10(a)))), x))


def fsize(n):
    if n is None:
        return "–"
    n = float(n)
    for div, suf in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if n >= div and n % (div / 10) == 0:
            return ("%g%s" % (n / div, suf))
    return "%d" % n


def fsec(s):
    if s is None:
        return "–"
    if s < 1e-6:
        return "%.2f ns" % (s * 1e9)
    if s < 1e-3:
        return "%.1f µs" % (s * 1e6)
    if s < 1:
        return "%.2f ms" % (s * 1e3)
    return "%.3f s" % s


def machine_info():
    model, fam, mod = "unknown", None, None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, val = line.partition(":")
                key, val = key.strip(), val.strip()
                if key == "model name" and model == "unknown":
                    model = val
                elif key == "cpu family" and fam is None:
                    fam = val
                elif key == "model" and mod is None:
                    mod = val
                elif not key and model != "unknown":
                    break
    except OSError:
        pass
    if fam is not None:
        model = "%s (family %s, model %s)" % (model, fam, mod)
    mem = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = line
                    break
    except OSError:
        pass
    return {
        "cpu_model": model,
        "cores": os.cpu_count(),
        "memory_bytes": mem,
        "kernel": platform.release(),
        "isa_flags": [x for x in ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni") if re.search(r"\b%s\b" % x, flags)],
        "load_average_at_report": os.getloadavg(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def read_jsonl(path):
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except ValueError:
                rows.append({"type": "process", "what": os.path.basename(path), "status": "error",
                             "error": "line %d is not JSON" % n})
    return rows


def load(out):
    main = read_jsonl(os.path.join(out, "results.jsonl")) if os.path.exists(os.path.join(out, "results.jsonl")) else []
    extra = []
    for path in sorted(glob.glob(os.path.join(out, "*.jsonl"))):
        if os.path.basename(path) == "results.jsonl":
            continue
        mtime = datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc)
        seen = {}
        for r in read_jsonl(path):
            if r.get("type", "case") != "case":
                continue
            r = dict(r, type="case", source=os.path.basename(path), source_time=mtime.isoformat(timespec="seconds"))
            key = (r.get("name"), r.get("engine"), r.get("candidates"), r.get("vacancies"), r.get("dim"), r.get("k"))
            seen[key] = r  # the same case twice (appended runs): the last line wins
        extra.extend(seen.values())
    return main, extra


def peak_for(cal, threads):
    if not cal:
        return None
    t = cal.get("threads", 1)
    one = cal.get("fma_peak_gflops_1t")
    if threads == 1:
        return one
    if threads == t:
        return cal.get("fma_peak_gflops")
    return one * threads if one else None


def build_cases(main, extra, cal):
    cases = []
    memory, recall = {}, {}
    for r in main:
        if r.get("type") == "memory":
            memory[(r["name"], r["engine"])] = r
        elif r.get("type") == "recall":
            recall[(r["name"], r["engine"])] = r
    for r in main + extra:
        if r.get("type", "case") != "case":
            continue
        c = {k: r.get(k) for k in ("name", "engine", "candidates", "vacancies", "dim", "k", "selectivity", "threads",
                                   "median_s", "min_s", "max_s", "pairs_per_s")}
        c.update({k: v for k, v in r.items() if k not in c and k != "type"})
        c.setdefault("status", "ok")
        m = memory.get((c["name"], c["engine"]))
        if m:
            c.update({k: m[k] for k in ("peak_rss_bytes", "peak_rss_load_bytes", "peak_rss_batch_bytes") if k in m})
        rc = recall.get((c["name"], c["engine"]))
        if rc:
            c.update({k: rc[k] for k in rc if k.startswith("recall")})
        if c["status"] == "ok" and c.get("pairs_per_s") and c.get("dim") and "source" not in c:
            c["gflops"] = c["pairs_per_s"] * 2 * c["dim"] / 1e9
            if c.get("workload") == "open" and c.get("k") == 1:
                peak = peak_for(cal, c.get("threads") or 1)
                if peak:
                    c["fma_fraction"] = c["gflops"] / peak
        cases.append(c)
    # one block per case, libmatch first, then its peers
    order = {}
    for c in cases:
        order.setdefault(c["name"], len(order))
    eng = ("libmatch", "libmatch-int8", "libmatch-scalar") + FAISS_ENGINES + NUMPY_ENGINES + ("postgresql",)
    cases.sort(key=lambda c: ("source" in c, order[c["name"]], eng.index(c["engine"]) if c["engine"] in eng else 99))
    # speed-ups, within one case name, measured in the same run
    for c in cases:
        if c["engine"] not in LIBMATCH or c["status"] != "ok" or not c.get("median_s") or "source" in c:
            continue
        sv = {}
        for p in cases:
            if p is c or p["name"] != c["name"] or p["status"] != "ok" or not p.get("median_s") or "source" in p:
                continue
            if p["engine"] == "libmatch" and c["engine"] == "libmatch":
                continue
            if p["engine"] == "libmatch-int8":
                continue
            sv[p["engine"]] = p["median_s"] / c["median_s"]
        c["speedup_vs"] = sv
    return cases


def find(cases, name, engine):
    for c in cases:
        if c["name"] == name and c["engine"] == engine and "source" not in c:
            return c
    return None


def best_peer(cases, name, engines):
    best = None
    for e in engines:
        p = find(cases, name, e)
        if p and p["status"] == "ok" and p.get("median_s") and (best is None or p["median_s"] < best["median_s"]):
            best = p
    return best


def evaluate_targets(cases, mode, meta):
    T = []

    def add(case, target, measured, ok, reference="", note="", value=None, threshold=None, status=None):
        T.append({"case": case, "target": target, "measured": measured, "reference": reference, "note": note,
                  "value": value, "threshold": threshold,
                  "status": status or ("pass" if ok else "miss")})

    def size_note(c, nc, nv):
        if c and (c.get("candidates") != nc or c.get("vacancies") != nv):
            return "measured at %s × %s, not at the target's %s × %s" % (
                fsize(c.get("candidates")), fsize(c.get("vacancies")), fsize(nc), fsize(nv))
        return ""

    # 1. all pairs vs FMA peak
    c = find(cases, "allpairs-fp32-d64", "libmatch")
    if c and c["status"] == "ok" and c.get("fma_fraction") is not None:
        refs = []
        for e in FAISS_ENGINES:
            p = find(cases, "allpairs-fp32-d64", e)
            if p and p.get("fma_fraction") is not None:
                refs.append("%s %.0f%%" % (e, 100 * p["fma_fraction"]))
        add("score all pairs, fp32, d = 64, %d threads" % c["threads"], "≥ 60% of measured FMA peak",
            "%.1f%% of peak (%s GFLOP/s, %s pairs/s)" % (100 * c["fma_fraction"], fnum(c["gflops"]),
                                                         fnum(c["pairs_per_s"])),
            c["fma_fraction"] >= 0.60, "; ".join(refs) + " (same run, same threads)", value=c["fma_fraction"],
            threshold=0.60)
    else:
        add("score all pairs, fp32, d = 64", "≥ 60% of measured FMA peak", "–", False, status="missing")

    # 2./3. top-50 vs FAISS
    for name, text, thr, tsize in (("topk50-unfiltered", "top-50 both ways, unfiltered", 1.5, (100000, 10000)),
                                   ("topk50-elig10", "top-50 both ways, 10% of pairs eligible", 10.0, (100000, 10000))):
        c, p = find(cases, name, "libmatch"), best_peer(cases, name, FAISS_ENGINES)
        if c and p and c["status"] == "ok":
            s = p["median_s"] / c["median_s"]
            add(text, "≥ %gx FAISS%s" % (thr, " with IDSelectorBitmap" if "elig" in name else ""),
                "%.2fx (libmatch %s, FAISS %s)" % (s, fsec(c["median_s"]), fsec(p["median_s"])), s >= thr,
                "%s: %s pairs/s" % (p["engine"], fnum(p["pairs_per_s"])), size_note(c, *tsize), value=s,
                threshold=thr)
        else:
            add(text, "≥ %gx FAISS" % thr, "–", False, status="missing")

    # 4. vs PostgreSQL
    c, p = find(cases, "topk50-elig10-sql", "libmatch"), find(cases, "topk50-elig10-sql", "postgresql")
    if c and p and c["status"] == "ok" and p["status"] == "ok":
        s = p["median_s"] / c["median_s"]
        pg_pair = p["median_s"] / (p["candidates"] * p["vacancies"])
        big = find(cases, "topk50-elig10", "libmatch")
        at_scale = ""
        if big and big["status"] == "ok" and big.get("pairs_per_s"):
            at_scale = "; against libmatch's per-pair time in the %s × %s batch of the same workload: %.0fx" % (
                fsize(big["candidates"]), fsize(big["vacancies"]), pg_pair * big["pairs_per_s"])
        add("same query vs PostgreSQL SQL", "≥ 1000x per pair",
            "%.0fx on the same %s × %s data (libmatch %s per pair, SQL %s per pair)%s" % (
                s, fsize(c["candidates"]), fsize(c["vacancies"]),
                fsec(c["median_s"] / (c["candidates"] * c["vacancies"])), fsec(pg_pair), at_scale), s >= 1000,
            "PostgreSQL %s, one backend" % p.get("server_version", ""), value=s, threshold=1000,
            note="pass/miss on the same data")
    else:
        add("same query vs PostgreSQL SQL", "≥ 1000x per pair", "–", False, status="missing",
            note=(p or {}).get("error", ""))

    # 5. region
    c = find(cases, "region", "libmatch")
    if c and c["status"] == "ok":
        add("region: 1e4 candidates × 1e4 vacancies, both ways, filters on", "under 0.2 s",
            "%s (%s pairs/s; %.2f%% of pairs feasible)" % (fsec(c["median_s"]), fnum(c["pairs_per_s"]),
                                                           100 * (c.get("selectivity_sampled") or 0)),
            c["median_s"] < 0.2, value=c["median_s"], threshold=0.2, note=size_note(c, 10000, 10000))
    else:
        add("region: 1e4 × 1e4, both ways, filters on", "under 0.2 s", "–", False, status="missing")
    # 5b. the default competence model and weights against 1.0's default policy, same data, same run
    c10 = find(cases, "region", "libmatch-1.0-policy")
    if c and c["status"] == "ok" and c10 and c10["status"] == "ok":
        r = c["median_s"] / c10["median_s"]
        add("region with the default policy (cosine x coverage) vs 1.0's default policy", "within 15% (ratio ≤ 1.15)",
            "%.2fx (%s vs %s)" % (r, fsec(c["median_s"]), fsec(c10["median_s"])), r <= 1.15,
            "1.0 policy in the same run", value=r, threshold=1.15)
    else:
        add("region with the default policy vs 1.0's default policy", "within 15% (ratio ≤ 1.15)", "–", False,
            status="missing")

    # 6. country
    c = find(cases, "country", "libmatch")
    if mode != "full" and not c:
        add("country: 4e5 × 4e5, both ways, top-50, filters on", "under 60 s and under 8 GiB", "–", False,
            status="not run", note="full run only (make bench)")
    elif c and c["status"] == "ok":
        rss = c.get("peak_rss_bytes")
        add("country: %s × %s, both ways, top-50, filters on" % (fsize(c["candidates"]), fsize(c["vacancies"])),
            "under 60 s and under 8 GiB", "%s, peak RSS %.2f GiB" % (fsec(c["median_s"]), (rss or 0) / GIB),
            c["median_s"] < 60 and rss is not None and rss < 8 * GIB, value=c["median_s"], threshold=60,
            note=size_note(c, 400000, 400000))
    else:
        add("country: 4e5 × 4e5, both ways, top-50, filters on", "under 60 s and under 8 GiB",
            (c or {}).get("status", "–"), False, status="missing", note=(c or {}).get("error", ""))

    # 7. latency
    c = find(cases, "query-vacancy-top20", "libmatch")
    if c and c["status"] == "ok":
        p = find(cases, "query-vacancy-top20", "faiss+openblas-skylakex")
        add("one vacancy, top-20 over %s candidates" % fsize(c["candidates"]), "p99 under 2 ms",
            "p99 %s, p50 %s (%d queries)" % (fsec(c["p99_s"]), fsec(c["p50_s"]), c.get("queries", 0)),
            c["p99_s"] < 2e-3, ("FAISS one query, unfiltered: p99 %s" % fsec(p["p99_s"])) if p and p.get("p99_s") else "",
            value=c["p99_s"], threshold=2e-3,
            note="" if c.get("candidates") == 100000 else "measured over %s candidates, not 100k" % fsize(c.get("candidates")))
    else:
        add("one vacancy, top-20 over 1e5 candidates", "p99 under 2 ms", "–", False, status="missing")

    # 8. int8
    c = find(cases, "topk50-unfiltered", "libmatch-int8")
    if c and c["status"] == "ok" and c.get("recall_at_k") is not None:
        add("int8 quantised mode, top-50 recall@k vs fp32", "≥ 0.99", "recall@50 %.4f, %s" % (
            c["recall_at_k"], fsec(c["median_s"])), c["recall_at_k"] >= 0.99, value=c["recall_at_k"], threshold=0.99)
    elif not meta.get("int8_option"):
        add("int8 quantised mode, recall@k", "≥ 0.99", "–", False, status="n/a",
            note="the engine exposes no LM_ENGINE_QUANTIZE option (core.h): row left out")
    else:
        add("int8 quantised mode, recall@k", "≥ 0.99", "–", False, status="missing", note=(c or {}).get("error", ""))
    return T


def check_missing(cases, mode, meta, processes):
    missing = []
    exp = dict(EXPECTED)
    if mode == "full":
        exp.update(EXPECTED_FULL)
    if meta.get("int8_option"):
        exp["topk50-unfiltered"] = exp["topk50-unfiltered"] + ("libmatch-int8",)
    curve_names = sorted({c["name"] for c in cases if c.get("group")})
    for n in curve_names:
        exp[n] = ("libmatch", "libmatch-scalar", "faiss+openblas-skylakex") if n.endswith("-t1") else ("libmatch",
                                                                                                      "faiss+openblas-skylakex")
    for name, engines in exp.items():
        for e in engines:
            c = find(cases, name, e)
            if not c:
                missing.append({"name": name, "engine": e, "status": "absent", "error": "no row (see process errors)"})
            elif c["status"] != "ok":
                missing.append({"name": name, "engine": e, "status": c["status"], "error": c.get("error", "")})
    for p in processes:
        missing.append({"name": p.get("what"), "engine": "process", "status": p.get("status"), "error": p.get("error")})
    return missing


# ---- plots (gnuplot) ----------------------------------------------------------
def series_key(c):
    return "%s, %d thread%s" % (c["engine"], c["threads"], "" if c["threads"] == 1 else "s")


def plots(out, cases):
    gp = shutil.which("gnuplot")
    if not gp:
        return ["gnuplot not found: no plots (install gnuplot-nox)"]
    pdir = os.path.join(out, "plots")
    os.makedirs(pdir, exist_ok=True)
    notes = []
    ok = [c for c in cases if c["status"] == "ok" and "source" not in c]
    script = ["set terminal pngcairo size 900,560 font 'DejaVu Sans,10'", "set grid", "set key left top box opaque",
              "set style data linespoints"]

    def write_series(prefix, rows, xf):
        by = {}
        for c in rows:
            by.setdefault(series_key(c), []).append(c)
        files = []
        for i, (k, rs) in enumerate(sorted(by.items())):
            path = os.path.join(pdir, "%s_%d.dat" % (prefix, i))
            with open(path, "w") as f:
                for c in sorted(rs, key=xf):
                    f.write("%g %g %g\n" % (xf(c), c["pairs_per_s"] / 1e9, c.get("fma_fraction") or 0))
            files.append((path, k))
        return files

    size_rows = [c for c in ok if c.get("group") == "curve-size"]
    if size_rows:
        files = write_series("size", size_rows, lambda c: c["candidates"] * c["vacancies"])
        script += ["set output '%s'" % os.path.join(out, "throughput_vs_size.png"),
                   "set title 'All pairs scored (k = 1, d = 64): throughput against size'",
                   "set logscale x", "set logscale y", "set xlabel 'pairs (candidates x vacancies)'",
                   "set ylabel 'G pairs / s'",
                   "plot " + ", ".join("'%s' using 1:2 title '%s' lw 2 pt 7" % (p, k) for p, k in files),
                   "unset logscale"]
    big = max((c["candidates"] for c in size_rows), default=None)
    dim_rows = [c for c in ok if c.get("group") == "curve-dim" or (c.get("group") == "curve-size" and c["candidates"] == big)]
    if dim_rows:
        files = write_series("dim", dim_rows, lambda c: c["dim"])
        script += ["set output '%s'" % os.path.join(out, "throughput_vs_dim.png"),
                   "set title 'All pairs scored (k = 1): throughput against dimension'",
                   "set logscale y", "set xlabel 'dimension d'", "set ylabel 'G pairs / s'", "set xtics (32, 64, 128)",
                   "plot " + ", ".join("'%s' using 1:2 title '%s' lw 2 pt 7" % (p, k) for p, k in files),
                   "unset logscale", "set output '%s'" % os.path.join(out, "kernel_efficiency.png"),
                   "set title 'Kernel efficiency: fraction of the measured FMA peak (k = 1)'",
                   "set ylabel 'fraction of FMA peak'", "set yrange [0:1]",
                   "plot " + ", ".join("'%s' using 1:3 title '%s' lw 2 pt 7" % (p, k) for p, k in files)
                   + ", 0.6 title 'target 60%' lw 1 dt 2 lc rgb 'black'",
                   "set autoscale y", "set xtics autofreq"]
    # speed-ups of libmatch over each peer, per case
    bars = []
    targets = {("topk50-unfiltered", "faiss"): 1.5, ("topk50-elig10", "faiss"): 10, ("topk50-elig10-sql", "postgresql"): 1000}
    for c in ok:
        if c["engine"] != "libmatch" or not c.get("speedup_vs") or c.get("group"):
            continue
        for peer, s in sorted(c["speedup_vs"].items()):
            t = next((v for (n, e), v in targets.items() if n == c["name"] and peer.startswith(e)), None)
            bars.append(("%s vs %s" % (CASE_SHORT.get(c["name"], c["name"]), SHORT.get(peer, peer)), s, t))
    if bars:
        path = os.path.join(pdir, "speedups.dat")
        with open(path, "w") as f:
            for i, (label, s, t) in enumerate(bars):
                f.write("%d \"%s\" %g %s\n" % (i, label, s, t if t else "NaN"))
        script += ["set output '%s'" % os.path.join(out, "speedups.png"),
                   "set terminal pngcairo size 1000,620 font 'DejaVu Sans,9'",
                   "set title 'libmatch speed-up over each peer (same run, same data)'",
                   "set logscale y", "set ylabel 'speed-up (peer time / libmatch time)'", "set xlabel ''",
                   "set xtics rotate by 35 right", "set style fill solid 0.6", "set boxwidth 0.7",
                   "set bmargin 11", "set lmargin 22",
                   "set yrange [%g:%g]" % (min([0.1] + [b[1] / 2 for b in bars]),
                                           2 * max([10] + [b[1] for b in bars] + [b[2] or 0 for b in bars])),
                   "plot '%s' using 1:3:xtic(2) with boxes title 'speed-up', "
                   "'' using 1:4 with points pt 9 ps 1.6 lc rgb 'red' title 'target', "
                   "1 with lines lc rgb 'black' dt 2 title 'parity'" % path]
    gpf = os.path.join(pdir, "plots.gp")
    with open(gpf, "w") as f:
        f.write("\n".join(script) + "\n")
    p = subprocess.run([gp, gpf], capture_output=True, text=True)
    if p.returncode != 0:
        notes.append("gnuplot failed: " + p.stderr.strip()[:500])
    return notes


# ---- markdown -----------------------------------------------------------------
def md_targets(T):
    lines = ["| case | target | measured | peer in the same run | status |", "|---|---|---|---|---|"]
    for t in T:
        st = {"pass": "**pass**", "miss": "**miss**"}.get(t["status"], t["status"])
        note = (" — " + t["note"]) if t.get("note") else ""
        lines.append("| %s | %s | %s%s | %s | %s |" % (t["case"], t["target"], t["measured"], note, t["reference"] or "–", st))
    return lines


def md_cases(cases, with_curve=True):
    lines = ["| case | engine | candidates × vacancies | d | k | sel. | thr. | median | min | max | pairs/s | notes |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for c in cases:
        if "source" in c or (not with_curve and c.get("group")):
            continue
        notes = []
        if c["status"] != "ok":
            notes.append("**%s**: %s" % (c["status"], c.get("error", "")))
        if c.get("speedup_vs"):
            notes.append("speed-up: " + ", ".join("%s %sx" % (k, fnum(v)) for k, v in sorted(c["speedup_vs"].items())))
        if c.get("fma_fraction") is not None:
            notes.append("%.0f%% of FMA peak" % (100 * c["fma_fraction"]))
        for k in ("agreement_vacancy_lists", "agreement_candidate_lists"):
            if c.get(k) is not None:
                notes.append("%s %.4f" % (k.replace("agreement_", "agreement ").replace("_lists", ""), c[k]))
        if c.get("recall_at_k") is not None:
            notes.append("recall@k %.4f" % c["recall_at_k"])
        if c.get("p99_s") is not None:
            notes.append("p50 %s, p99 %s" % (fsec(c["p50_s"]), fsec(c["p99_s"])))
        if c.get("peak_rss_bytes"):
            notes.append("peak RSS %.2f GiB" % (c["peak_rss_bytes"] / GIB))
        if c.get("selectivity_sampled") is not None and c.get("workload") == "realistic":
            notes.append("%.2f%% of pairs feasible" % (100 * c["selectivity_sampled"]))
        if c.get("openblas_core"):
            notes.append("OpenBLAS %s" % c["openblas_core"])
        if c.get("kernel"):
            notes.append("kernel %s" % c["kernel"])
        if c.get("us_per_pair") is not None:
            notes.append("%s µs per pair" % fnum(c["us_per_pair"]))
        sel = c.get("selectivity")
        lines.append("| %s | %s | %s × %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            c["name"], c["engine"], fsize(c.get("candidates")), fsize(c.get("vacancies")), c.get("dim") or "–",
            c.get("k") or "–", fnum(sel) if sel is not None else "–", c.get("threads") or "–",
            fsec(c.get("median_s")), fsec(c.get("min_s")), fsec(c.get("max_s")), fnum(c.get("pairs_per_s")),
            "; ".join(notes)))
    return lines


def md_extra(cases):
    ext = [c for c in cases if "source" in c]
    if not ext:
        return ["No other benchmark files (pg.jsonl, assign.jsonl) in this build directory."]
    keys = ["name", "engine", "candidates", "vacancies", "dim", "k", "median_s", "min_s", "max_s"]
    more = sorted({k for c in ext for k in c if k not in keys and k not in ("source", "source_time", "status",
                                                                           "selectivity", "threads", "pairs_per_s")
                   and not isinstance(c[k], (dict, list))})
    cols = keys + ["pairs_per_s"] + more + ["source"]
    cols = [k for k in cols if any(c.get(k) is not None for c in ext)]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for c in ext:
        vals = []
        for k in cols:
            v = c.get(k)
            if k == "source":
                v = "%s (%s)" % (c["source"], c["source_time"])
            elif k.endswith("_s") and isinstance(v, (int, float)):
                v = fsec(v)
            elif isinstance(v, float):
                v = fnum(v)
            vals.append("–" if v is None else str(v))
        lines.append("| " + " | ".join(vals) + " |")
    return lines


def figures_section(rep):
    m, T = rep["machine"], rep["targets"]
    load = m.get("load_average_at_start")
    lines = ["Latest figures: **%s** run of %s on %s (%d cores; FMA peak %s GFLOP/s on %d threads, %s GFLOP/s on "
             "one; load average %s when it started), data %s, libmatch %s, FAISS %s. Produced by `make bench%s` and "
             "`make bench-docs`." % (
                 rep["mode"], m["date"][:10], m["cpu_model"], m["cores"] or 0, fnum(m.get("fma_peak_gflops")),
                 m.get("fma_threads") or 0, fnum(m.get("fma_peak_gflops_1t")),
                 "%.1f" % load[0] if load else "?", rep.get("data", "?"),
                 rep.get("libmatch_version", "?"), rep.get("faiss_version", "?"),
                 " BENCH=quick" if rep["mode"] == "quick" else ""), ""]
    if load and load[0] > 0.5 * (m.get("cores") or 1):
        lines += ["The machine was busy with other work during this run: the timings are indicative only.", ""]
    lines += md_targets(T)
    lines += ["", "Main rows (all rows, the kernel curve and the other harnesses' rows are in "
              "`build/bench/report.md`):", ""]
    main = [c for c in rep["cases"] if not c.get("group") and "source" not in c]
    lines += md_cases(main, with_curve=False)
    return "\n".join(lines)


def build(out, mode="full", threads=2, elapsed=None, allow_missing=False, update_docs=None):
    main, extra = load(out)
    meta = next((r for r in main if r.get("type") == "meta" and not r.get("faiss_only")), {})
    cal = next((r for r in main if r.get("type") == "calibration"), None)
    processes = [r for r in main if r.get("type") == "process"]
    mach = machine_info()
    run = next((r for r in main if r.get("type") == "run"), {})
    if run.get("load_average_start") is not None:
        mach["load_average_at_start"] = run["load_average_start"]
    if run.get("date"):
        mach["date"] = run["date"]
    if cal:
        measured_nt = cal.get("fma_peak_gflops") or 0
        one = cal.get("fma_peak_gflops_1t") or 0
        t = cal.get("threads", 1)
        # FMA units are per core: when other processes disturb the t-thread
        # run, t x the one-thread figure is the (larger, conservative) limit.
        cal = dict(cal, fma_peak_gflops_measured=measured_nt, fma_peak_gflops=max(measured_nt, one * t))
        mach.update({"fma_peak_gflops": cal["fma_peak_gflops"], "fma_peak_gflops_1t": one, "fma_threads": t,
                     "fma_method": cal.get("method", "wall clock"), "fma_wall_clock_gflops": cal.get("wall_clock_gflops"),
                     "fma_peak_gflops_measured_nt": measured_nt, "fma_isa": cal.get("isa"),
                     "fma_avx512_gflops_1t": cal.get("avx512_gflops_1t"), "fma_avx2_gflops_1t": cal.get("avx2_gflops_1t")})
        if one and measured_nt < 0.9 * one * t:
            mach["fma_note"] = ("the %d-thread calibration (%.0f GFLOP/s) was below %d x one thread (%.0f): other "
                                "load on the machine; the larger value is used" % (t, measured_nt, t, one * t))
    if mode is None:
        mode = meta.get("mode", "full")
    cases = build_cases(main, extra, cal)
    mode = next((c.get("mode") for c in cases if c.get("mode")), mode)
    T = evaluate_targets(cases, mode, meta)
    missing = check_missing(cases, mode, meta, processes)
    lm_missing = [m for m in missing if m["engine"].startswith("libmatch") or m["engine"] == "process"]
    peer_missing = [m for m in missing if m not in lm_missing]
    notes = []
    if meta.get("scale"):
        notes.append("LMB_SCALE=%s: every size was scaled for testing the harness; these are not valid figures"
                     % meta["scale"])
    if not meta.get("int8_option"):
        notes.append("int8 mode: libmatch/include/libmatch/core.h has no LM_ENGINE_QUANTIZE option yet, so the "
                     "int8 recall@k row is left out.")
    for c in cases:
        want = {"open": 1.0, "elig10": 0.1}.get(c.get("workload"))
        got = c.get("selectivity_sampled")
        if want is not None and got is not None and abs(got - want) > 0.02 and c["engine"] == "libmatch":
            notes.append("DATA CHECK: %s should have %.0f%% of pairs feasible, lm_engine_explain on sampled pairs "
                         "finds %.1f%%" % (c["name"], 100 * want, 100 * got))
    notes.append("pairs_per_s is candidates × vacancies / median_s for every engine (a pair computed for both "
                 "directions counts once; FAISS and numpy run one search per direction).")
    rep = {
        "mode": mode,
        "threads": threads,
        "data": meta.get("data"),
        "data_source": meta.get("data_source"),
        "libmatch_version": meta.get("libmatch_version"),
        "faiss_version": meta.get("faiss_version"),
        "openblas_config": meta.get("openblas_config"),
        "elapsed_s": elapsed,
        "machine": mach,
        "targets": T,
        "cases": cases,
        "missing": missing,
        "allow_missing": allow_missing,
        "notes": notes,
    }
    rep["notes"] += plots(out, cases)
    rep["plots"] = sorted(os.path.basename(p) for p in glob.glob(os.path.join(out, "*.png")))
    status = "ok"
    if lm_missing or (peer_missing and not allow_missing):
        status = "error"
    elif peer_missing:
        status = "incomplete"
    rep["status"] = status
    with open(os.path.join(out, "report.json"), "w") as f:
        json.dump(rep, f, indent=1, sort_keys=False, ensure_ascii=False)
        f.write("\n")

    md = ["# libmatch benchmark report", "",
          "Mode **%s**, %s; data: **%s** (%s); libmatch %s; FAISS %s; %d threads%s." % (
              mode, mach["date"], rep["data"], rep["data_source"], rep["libmatch_version"], rep["faiss_version"],
              threads, (", %.0f s in all" % elapsed) if elapsed else ""),
          "",
          "Machine: %s, %s cores, %.1f GiB, load average %s at the start, %s at the end; FMA peak %s GFLOP/s on %s threads (%s), %s GFLOP/s on one thread "
          "(AVX-512 %s, AVX2 %s)." % (
              mach["cpu_model"], mach["cores"], (mach["memory_bytes"] or 0) / GIB,
              "%.1f" % mach["load_average_at_start"][0] if mach.get("load_average_at_start") else "?",
              "%.1f" % mach["load_average_at_report"][0], fnum(mach.get("fma_peak_gflops")),
              mach.get("fma_threads"), mach.get("fma_isa"), fnum(mach.get("fma_peak_gflops_1t")),
              fnum(mach.get("fma_avx512_gflops_1t")), fnum(mach.get("fma_avx2_gflops_1t")))]
    if mach.get("fma_note"):
        md += ["", "Note: " + mach["fma_note"] + "."]
    md += ["", "## Targets (issue 4)", ""] + md_targets(T)
    md += ["", "## All cases", "", "Times are medians of repeated runs (min and max beside); "
           "`speed-up` is peer time / libmatch time on the same data in this run; `agreement` is the mean overlap "
           "of the peer's top-k lists with libmatch's (first 1000 lists of each direction).", ""]
    md += md_cases(cases)
    md += ["", "## Other harnesses (merged)", ""] + md_extra(cases)
    md += ["", "## Missing peers and errors", ""]
    if missing:
        md += ["| case | engine | status | detail |", "|---|---|---|---|"]
        md += ["| %s | %s | %s | %s |" % (m["name"], m["engine"], m["status"], (m.get("error") or "").replace("|", "/"))
               for m in missing]
        md += ["", "Run status: **%s**%s." % (status, " (BENCH_ALLOW_MISSING=1)" if allow_missing and peer_missing else "")]
    else:
        md += ["None: every peer ran."]
    md += ["", "## Notes", ""] + ["- " + n for n in rep["notes"]]
    md += ["", "## Plots", ""] + ["![%s](%s)" % (p, p) for p in rep["plots"]]
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("\n".join(md) + "\n")

    if update_docs:
        with open(update_docs) as f:
            doc = f.read()
        b, e = "<!-- bench:figures:begin -->", "<!-- bench:figures:end -->"
        if b in doc and e in doc:
            doc = doc[:doc.index(b) + len(b)] + "\n" + figures_section(rep) + "\n" + doc[doc.index(e):]
            with open(update_docs, "w") as f:
                f.write(doc)
        else:
            print("report: %s has no %s ... %s markers" % (update_docs, b, e), file=sys.stderr)
            return 1

    for m in missing:
        print("bench: MISSING %s / %s: %s %s" % (m["name"], m["engine"], m["status"], m.get("error") or ""),
              file=sys.stderr)
    if status == "error":
        print("bench: error: %s (set BENCH_ALLOW_MISSING=1 to accept missing peers)" % (
            "libmatch rows failed" if lm_missing else "peers missing"), file=sys.stderr)
        return 1
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--update-docs", default=None)
    a = ap.parse_args()
    out = os.path.join(a.build, "bench")
    prev = {}
    try:
        with open(os.path.join(out, "report.json")) as f:
            prev = json.load(f)
    except (OSError, ValueError):
        pass
    rc = build(out, mode=prev.get("mode"), threads=prev.get("threads", 2), elapsed=prev.get("elapsed_s"),
               allow_missing=os.environ.get("BENCH_ALLOW_MISSING") == "1" or prev.get("allow_missing", False),
               update_docs=a.update_docs)
    sys.exit(rc)


if __name__ == "__main__":
    main()
