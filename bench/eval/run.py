#!/usr/bin/env python3
"""make eval: the match-quality evaluation of libmatch (docs/quality.md).

    /usr/bin/python3 bench/eval/run.py --build build --mode full --seed 1
    /usr/bin/python3 bench/eval/run.py --build build --report-only   # re-render report.md and plots

Writes OUT/report.json, OUT/report.md and OUT/*.png (OUT defaults to BUILD/eval).
Exits 2 with a message when the reference data (../shared/data) is absent.
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lmeval import data as D          # noqa: E402
from lmeval import report, runner     # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="build directory with libmatch.so.1 [build]")
    ap.add_argument("--out", help="output directory [BUILD/eval]")
    ap.add_argument("--mode", default="full", choices=sorted(D.SIZES), help="size: full, quick or tiny [full]")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeats", type=int, help="seeds seed, seed+1, ...: the report is the first seed's, plus "
                    "the mean and sd of nDCG@10 over all [3 in full mode, else 1]")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", help="reference data directory [../shared/data beside the repository]")
    ap.add_argument("--variants", help="comma-separated subset of: " + ", ".join(D.VARIANTS))
    ap.add_argument("--tradeoff-model", default="cosine_coverage", choices=list(runner.MODELS.values()),
                    help="model of the trade-off curves [cosine_coverage, the shipped default]")
    ap.add_argument("--tradeoff-input", default="lib_centred", choices=list(runner.INPUTS))
    ap.add_argument("--no-plots", action="store_true", help="report.json and report.md only")
    ap.add_argument("--report-only", action="store_true", help="re-render report.md and plots from report.json")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)
    out = Path(a.out) if a.out else Path(a.build) / "eval"
    log = (lambda *x: None) if a.quiet else (lambda *x: print(*x, flush=True))
    if a.report_only:
        rep = json.loads((out / "report.json").read_text())
        report.write(rep, out, plots=not a.no_plots)
        log(f"eval: wrote {out / 'report.md'}")
        return 0
    try:
        data_dir = D.find_data(a.data, runner.ROOT)
        variants = [v.strip() for v in a.variants.split(",")] if a.variants else None
        for v in variants or []:
            if v not in D.VARIANTS:
                ap.error(f"unknown variant {v!r}")
        lm = runner.load_libmatch(Path(a.build))
        model = {v: k for k, v in runner.MODELS.items()}[a.tradeoff_model]
        t0 = time.monotonic()
        rep = runner.evaluate(lm, data_dir, a.mode, a.seed, a.threads, variants, model, a.tradeoff_input, log)
        repeats = a.repeats if a.repeats is not None else (3 if a.mode == "full" else 1)
        if repeats > 1:
            others = []
            for s in range(a.seed + 1, a.seed + repeats):
                log(f"eval: repeat with seed {s}")
                others.append(runner.evaluate(lm, data_dir, a.mode, s, a.threads, variants, model,
                                              a.tradeoff_input, lambda *x: None, light=True))
            runner.add_repeats(rep, others)
        rep["meta"]["seconds"] = round(time.monotonic() - t0, 1)
    except D.DataMissing as e:
        print(f"eval: {e}. The evaluation needs the reference data (O*NET skill profiles, Dutch postcode "
              "areas) of ../shared/data; it is not part of the repository. Nothing was written.", file=sys.stderr)
        return 2
    rep["meta"]["command"] = " ".join(shlex.quote(x) for x in [sys.executable] + sys.argv)
    rep["meta"]["machine"] = runner.machine()
    rep["meta"]["data"] = str(data_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(rep, indent=1, sort_keys=False) + "\n")
    report.write(rep, out, plots=not a.no_plots)
    log(f"eval: wrote {out}/report.json, report.md and plots in {time.monotonic() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
