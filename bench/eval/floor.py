#!/usr/bin/python3
"""What a competence floor and a minimum score keep out, and what they cost
(issue 14, item 4; docs/scoring.md, "Reliable proposals").

On the synthetic regions of `make eval` (docs/quality.md; variant noise_all,
the library's default model and weights), for each (min_competence,
min_score): the batch's top-10 lists both ways and the coordinated
assignment (one proposal per person), against the truths of the harness:

- proposals, and the share whose person is relevant (same occupation, same
  SOC minor group, can do the job);
- relevant proposals lost against no floor (the cost in good matches);
- the proposals of the run without floors that the floor keeps out, and the
  share of them that is relevant (what it keeps out);
- nDCG@10 per vacancy (same occupation) of the lists.

Usage (from the repository root, after `make`):

    /usr/bin/python3 bench/eval/floor.py [--mode full] [--seeds 1,2,3] [--input raw,lib_centred]

Prints a table per input and writes BUILD/eval/floor.json.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from lmeval import data as D  # noqa: E402
from lmeval import metrics as M  # noqa: E402
from lmeval import runner as R  # noqa: E402

FLOORS = [0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4]
MIN_SCORES = [0.0, 0.25]
BUCKETS = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 1.01]
TRUTHS = ("occupation", "group", "can_do")


def run_one(lm, snap, pop, rel, floor, min_score, threads):
    pol = lm.Policy(min_competence=floor, min_score=min_score)
    with lm.Engine(pol, threads=threads) as eng:
        with eng.batch(snap, R.VIEWER_ORG, k_candidates=M.K, k_vacancies=M.K) as b:
            top_v = R.tops(b.by_vacancy, "vacancy", pop.m)
            ndcg = M.summary(top_v, rel["occupation"])["ndcg@10"]
            with eng.assign(b, max_per_candidate=1) as a:
                pr = a.proposals
                v = pr["vacancy_id"] - R.VAC_ID0
                c = pr["candidate_id"] - R.CAND_ID0
                comp = pr["competence"].copy()
    pol.close()
    return {"v": v, "c": c, "comp": comp, "ndcg": ndcg}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--data", default=None)
    ap.add_argument("--mode", default="full", choices=list(D.SIZES))
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--input", default="raw,lib_centred")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--variants", default="noise_all,foreign_occupations,missing_zero")
    args = ap.parse_args()
    lm = R.load_libmatch(Path(args.build))
    data_dir = D.find_data(args.data, R.ROOT)
    out = {"mode": args.mode, "seeds": args.seeds, "library": lm.version(), "rows": []}
    for inp, variant in [(i, v) for i in args.input.split(",") for v in args.variants.split(",")]:
        agg = {}
        buckets = np.zeros((len(BUCKETS) - 1, 1 + len(TRUTHS)), dtype=np.int64)
        for seed in [int(s) for s in args.seeds.split(",")]:
            region = D.make_region(data_dir, args.mode, seed)
            pop = D.make_variant(region, variant)
            rel_all = D.truths(pop)
            pool = R.make_pool(lm, pop, "raw", pop.mean())
            if inp == "lib_centred":
                R.set_centre_null(lm, pool)
            with pool.snapshot() as snap:
                base = run_one(lm, snap, pop, rel_all, 0.0, 0.0, args.threads)
                for b in range(len(BUCKETS) - 1):  # proposals without floors, by competence
                    sel = (base["comp"] >= BUCKETS[b]) & (base["comp"] < BUCKETS[b + 1])
                    buckets[b, 0] += int(sel.sum())
                    for q, t in enumerate(TRUTHS):
                        buckets[b, 1 + q] += int(rel_all[t][base["v"][sel], base["c"][sel]].sum())
                bkey = set(zip(base["v"].tolist(), base["c"].tolist()))
                for ms in MIN_SCORES:
                    for f in FLOORS:
                        r = base if (f == 0 and ms == 0) else run_one(lm, snap, pop, rel_all, f, ms, args.threads)
                        key = set(zip(r["v"].tolist(), r["c"].tolist()))
                        out_pairs = np.array(sorted(bkey - key), dtype=np.int64).reshape(-1, 2)
                        a = agg.setdefault((ms, f), {"proposals": 0, "ndcg": [], "kept_out": 0,
                                                     **{t: [0, 0, 0] for t in TRUTHS}})
                        a["proposals"] += len(r["v"])
                        a["ndcg"].append(r["ndcg"])
                        a["kept_out"] += len(out_pairs)
                        for t in TRUTHS:
                            rel = rel_all[t]
                            a[t][0] += int(rel[r["v"], r["c"]].sum())          # relevant proposals
                            a[t][1] += int(rel[out_pairs[:, 0], out_pairs[:, 1]].sum()) if len(out_pairs) else 0
                            a[t][2] += int(rel[base["v"], base["c"]].sum())    # relevant without floors
            pool.close()
        print(f"\ninput {inp}, variant {variant}, mode {args.mode}, seeds {args.seeds} (sums over the seeds)")
        print("proposals without floors by competence: bucket, proposals, share relevant (" + ", ".join(TRUTHS) + ")")
        for b in range(len(BUCKETS) - 1):
            n = buckets[b, 0]
            print(f"  [{BUCKETS[b]:.1f}, {min(BUCKETS[b + 1], 1.0):.1f}) {n:6d} "
                  + " ".join(f"{buckets[b, 1 + q] / n:.3f}" if n else "  -  " for q in range(len(TRUTHS))))
        out["rows"].append({"input": inp, "variant": variant, "buckets": BUCKETS,
                            "by_competence": buckets.tolist()})
        print(f"{'min_score':>9} {'floor':>5} {'props':>6} {'kept out':>8} | "
              + " | ".join(f"{t}: rel share, lost, rel of kept-out" for t in TRUTHS) + " | nDCG@10 occ")
        for (ms, f), a in sorted(agg.items()):
            cells = []
            for t in TRUTHS:
                hit, out_rel, base_hit = a[t]
                share = hit / a["proposals"] if a["proposals"] else float("nan")
                ko = out_rel / a["kept_out"] if a["kept_out"] else float("nan")
                cells.append(f"{share:.3f} {base_hit - hit:+5d} {ko:.3f}")
            print(f"{ms:9.2f} {f:5.2f} {a['proposals']:6d} {a['kept_out']:8d} | " + " | ".join(cells)
                  + f" | {np.mean(a['ndcg']):.4f}")
            out["rows"].append({"input": inp, "variant": variant, "min_score": ms, "min_competence": f, "proposals": a["proposals"],
                                "kept_out": a["kept_out"], "ndcg10_occupation": float(np.mean(a["ndcg"])),
                                **{t: {"relevant": a[t][0], "relevant_kept_out": a[t][1],
                                       "relevant_without_floors": a[t][2]} for t in TRUTHS}})
    dst = Path(args.build) / "eval"
    dst.mkdir(parents=True, exist_ok=True)
    (dst / "floor.json").write_text(json.dumps(out, indent=1))
    print(f"\nwritten {dst / 'floor.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
