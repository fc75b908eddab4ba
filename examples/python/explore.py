#!/usr/bin/env python3
"""A small analysis of one region's nightly batch, with plots.

Runs the batch and the coordinated proposals as nightly.py does (generated
pool, or PostgreSQL with --db), then writes into OUTDIR:

- scores.png       score distributions: every top-k row, the best candidate
                   per vacancy and the proposals; and the score components of
                   the proposals;
- flow_matrix.png  the cross-municipality flow matrix of the proposals: how
                   many people living in municipality A were proposed for a
                   vacancy in municipality B (the diagonal stays local);
- flow_matrix.csv  the same numbers, for a spreadsheet.

Run from the repository root after `make` (matplotlib: Debian's
python3-matplotlib; no display needed):

    PYTHONPATH=bindings/python python3 examples/python/explore.py out/explore
    PYTHONPATH=bindings/python python3 examples/python/explore.py out/explore --db "dbname=wsp" --region 1
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Optional

import matplotlib
matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import libmatch as lm  # noqa: E402
from nightly import WSP_ORG_BASE, generate_pool, load_from_db, municipality_name, run_batch  # noqa: E402


def plot_scores(batch: lm.Results, proposals: lm.Assignment, path: str) -> None:
    rows = batch.by_vacancy
    best = rows[rows["rank"] == 1]
    prop = proposals.proposals
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    bins = np.linspace(0, 1, 41)
    for data, label in ((rows["score"], f"every top-k row ({len(rows)})"),
                        (best["score"], f"best candidate per vacancy ({len(best)})"),
                        (prop["score"], f"coordinated proposals ({len(prop)})")):
        left.hist(data, bins=bins, histtype="step", linewidth=1.6, density=True, label=label)
    left.set(xlabel="score", ylabel="density", title="Score distributions")
    left.legend(loc="upper left", fontsize=8)
    comps = ["competence", "travel", "hours", "readiness", "priority"]
    right.boxplot([prop[c] for c in comps], showfliers=False)
    right.set_xticks(range(1, len(comps) + 1))
    right.set_xticklabels(comps)
    right.set(ylim=(-0.02, 1.02), ylabel="component value",
              title="Score components of the proposals")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def flow_matrix(proposals: lm.Assignment):
    """(homes, workplaces, counts): counts[i, j] = proposals of people living in
    municipality homes[i] for a vacancy in municipality workplaces[j]."""
    p = proposals.proposals
    homes, i = np.unique(p["candidate_municipality"], return_inverse=True)
    workplaces, j = np.unique(p["vacancy_municipality"], return_inverse=True)
    counts = np.zeros((len(homes), len(workplaces)), np.int64)
    np.add.at(counts, (i, j), 1)
    return homes, workplaces, counts


def plot_flow(homes: np.ndarray, workplaces: np.ndarray, counts: np.ndarray, path: str) -> None:
    fig, ax = plt.subplots(figsize=(max(6.0, 0.5 * len(workplaces) + 4), max(5.0, 0.4 * len(homes) + 2.5)))
    im = ax.imshow(counts, cmap="Blues", aspect="auto")
    ax.set_xticks(range(len(workplaces)))
    ax.set_xticklabels([municipality_name(c) for c in workplaces], rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(homes)))
    ax.set_yticklabels([municipality_name(c) for c in homes], fontsize=8)
    ax.set(xlabel="municipality of the vacancy", ylabel="home municipality of the person")
    if counts.size <= 400:
        for i, home in enumerate(homes):
            for j, work in enumerate(workplaces):
                if counts[i, j]:
                    ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=7,
                            fontweight="bold" if home == work else "normal",
                            color="white" if counts[i, j] > counts.max() / 2 else "black")
    total = int(counts.sum())
    cross = total - local_count(homes, workplaces, counts)
    ax.set_title(f"Coordinated proposals: {cross} of {total} ({100 * cross / total if total else 0:.1f}%) "
                 "cross a municipal border")
    fig.colorbar(im, ax=ax, label="proposals", shrink=0.8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def local_count(homes: np.ndarray, workplaces: np.ndarray, counts: np.ndarray) -> int:
    """Proposals for a vacancy in the person's own municipality."""
    same = homes[:, None] == workplaces[None, :]
    return int(counts[same].sum())


def main(argv: Optional[list] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir", help="directory for the PNG and CSV files (created)")
    ap.add_argument("--db", metavar="CONNINFO", help='PostgreSQL conninfo ("" = the PG* environment variables)')
    ap.add_argument("--region", type=int, default=2)
    ap.add_argument("--org", type=int, help="the viewer (default: the region's WSP, 400000 + region)")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--candidates", type=int, default=4000)
    ap.add_argument("--vacancies", type=int, default=600)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args(argv)
    org = a.org if a.org is not None else WSP_ORG_BASE + a.region
    os.makedirs(a.outdir, exist_ok=True)

    try:
        if a.db is not None:
            with lm.Db(a.db) as db:
                pool, travel = load_from_db(db)
        else:
            pool, travel = generate_pool(a.candidates, a.vacancies, a.seed), None
        with pool, pool.snapshot() as snap, lm.Engine(lm.Policy(version=1), travel) as engine:
            batch, proposals = run_batch(snap, engine, a.region, org, a.k, quiet=True)
            with batch, proposals:
                scores_png = os.path.join(a.outdir, "scores.png")
                plot_scores(batch, proposals, scores_png)
                homes, workplaces, counts = flow_matrix(proposals)
                flow_png = os.path.join(a.outdir, "flow_matrix.png")
                plot_flow(homes, workplaces, counts, flow_png)
                flow_csv = os.path.join(a.outdir, "flow_matrix.csv")
                with open(flow_csv, "w") as f:
                    f.write("home\\vacancy," + ",".join(f"GM{c:04d}" for c in workplaces) + "\n")
                    for c, row in zip(homes, counts):
                        f.write(f"GM{c:04d}," + ",".join(str(x) for x in row) + "\n")
                rows, prop = batch.by_vacancy, proposals.proposals
                print(f"region {a.region} as seen by organisation {org}: {len(rows)} top-k rows, "
                      f"{len(prop)} proposals")
                print(f"score quartiles: top-k rows {np.percentile(rows['score'], [25, 50, 75]).round(3).tolist()}, "
                      f"proposals {np.percentile(prop['score'], [25, 50, 75]).round(3).tolist()}")
                total, local = int(counts.sum()), local_count(homes, workplaces, counts)
                print(f"flow matrix: {len(homes)} home x {len(workplaces)} vacancy municipalities, {local} proposals "
                      f"within the home municipality, "
                      f"{total - local} across a border ({100 * (total - local) / total if total else 0:.1f}%)")
                for path in (scores_png, flow_png, flow_csv):
                    print(f"wrote {path}")
    except lm.LibmatchError as e:
        print(f"explore: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
