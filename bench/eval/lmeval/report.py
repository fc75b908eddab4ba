"""report.md and the PNG plots of `make eval`, rendered from report.json alone
(so `make eval-report` can redo them without re-running)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

TRUTH_TITLE = {"occupation": "same occupation", "group": "same occupation group (SOC minor group)",
               "can_do": "can do the job"}
INPUT_SHORT = {"raw": "raw", "centred": "centred (caller)", "lib_centred": "centred (library)"}
METRIC_COLS = [("vacancy", "ndcg@10"), ("vacancy", "precision@10"), ("vacancy", "hit@10"),
               ("person", "ndcg@10"), ("person", "precision@10"), ("person", "hit@10")]
# Columns of the variants tables: (label, kind, model/baseline, policy, input)
VARIANT_COLS = [
    ("1.0 default raw", "lib", "requirement", "v1_0_weights", "raw"),
    ("1.1 default lib-centred", "lib", "cosine_coverage", "default", "lib_centred"),
    ("req comp. centred", "lib", "requirement", "competence_only", "centred"),
    ("cosine comp. centred", "lib", "cosine", "competence_only", "centred"),
    ("symmetric comp. centred", "lib", "symmetric", "competence_only", "centred"),
    ("coverage comp. raw", "lib", "coverage", "competence_only", "raw"),
    ("cos×cov comp. lib-centred", "lib", "cosine_coverage", "competence_only", "lib_centred"),
    ("numpy cosine", "base", "numpy_cosine", None, None),
    ("nearest", "base", "nearest", None, None),
    ("random", "base", "random", None, None),
]


def fmt(x: Any, nd: int = 3) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.{nd}f}"
    return str(x)


def find(rep, variant, model, policy, inp) -> Optional[Dict[str, Any]]:
    for r in rep["results"]:
        if (r["variant"], r["model"], r["policy"], r["input"]) == (variant, model, policy, inp):
            return r
    return None


def base(rep, variant, name) -> Optional[Dict[str, Any]]:
    for b in rep["baselines"]:
        if (b["variant"], b["baseline"]) == (variant, name):
            return b
    return None


def cell(rep, variant, col, truth, side="vacancy", metric="ndcg@10") -> Optional[float]:
    _, kind, nm, pol, inp = col
    r = find(rep, variant, nm, pol, inp) if kind == "lib" else base(rep, variant, nm)
    if r is None or not r.get("available", True):
        return None
    return r["metrics"][truth][side][metric]


def _ndcg_se(m: Dict[str, Any]) -> str:
    se = m.get("ndcg@10_se")
    return fmt(m["ndcg@10"]) + (f" ± {se:.3f}" if se is not None else "")


HEADLINE = [
    ("libmatch 1.0 default (requirement model, 0.6/0.2/0.1/0.1), raw levels", "lib", "requirement", "v1_0_weights",
     "raw"),
    ("libmatch 1.0 default, caller-centred", "lib", "requirement", "v1_0_weights", "centred"),
    ("libmatch 1.1 default (cosine x coverage, shipped weights), raw levels", "lib", "cosine_coverage", "default",
     "raw"),
    ("libmatch 1.1 default, library-centred (lm_pool_set_centre)", "lib", "cosine_coverage", "default",
     "lib_centred"),
    ("libmatch requirement model, competence only, centred", "lib", "requirement", "competence_only", "centred"),
    ("libmatch cosine model, competence only, centred", "lib", "cosine", "competence_only", "centred"),
    ("libmatch symmetric model, competence only, centred", "lib", "symmetric", "competence_only", "centred"),
    ("libmatch coverage model, competence only, raw", "lib", "coverage", "competence_only", "raw"),
    ("libmatch cosine x coverage, competence only, library-centred", "lib", "cosine_coverage", "competence_only",
     "lib_centred"),
    ("plain cosine of centred vectors (numpy, no weights)", "base", "numpy_cosine", None, None),
    ("nearest by travel time", "base", "nearest", None, None),
    ("random feasible", "base", "random", None, None),
]


def _headline(rep, variant: str) -> List[str]:
    truths = list(rep["definitions"]["truths"])
    out = ["| ranking (variant " + variant + ") | " + " | ".join(TRUTH_TITLE[t] for t in truths) + " |",
           "|---|" + "---|" * len(truths)]
    for col in HEADLINE:
        vals = []
        for t in truths:
            x = cell(rep, variant, col, t)
            vals.append("not available" if x is None else fmt(x))
        out.append(f"| {col[0]} | " + " | ".join(vals) + " |")
    return out


def _repeats(rep, variant: str) -> List[str]:
    rp = rep["repeats"]
    truths = list(rep["definitions"]["truths"])
    out = [f"### Across seeds {', '.join(map(str, rp['seeds']))}", "",
           "The same rankings on regions drawn with other seeds (new occupations, places and people): mean ± "
           "standard deviation of nDCG@10 per vacancy. Differences between configurations smaller than this "
           "spread should not be trusted.", "",
           "| ranking (variant " + variant + ") | " + " | ".join(TRUTH_TITLE[t] for t in truths) + " |",
           "|---|" + "---|" * len(truths)]
    for col in HEADLINE:
        _, kind, nm, pol, inp = col
        key = "|".join((variant, inp, nm, pol)) if kind == "lib" else f"{variant}|{nm}"
        cells = []
        for t in truths:
            x = rp["ndcg@10"].get(key, {}).get(t)
            if not x or x["mean"] is None:
                cells.append("not available")
            else:
                cells.append(fmt(x["mean"]) + (f" ± {x['sd']:.3f}" if x["sd"] is not None else ""))
        out.append(f"| {col[0]} | " + " | ".join(cells) + " |")
    return out + [""]


def _truth_table(rep, truth: str, variant: str) -> List[str]:
    head = ("| model | policy | input | nDCG@10 V | P@10 V | hit@10 V | nDCG@10 P | P@10 P | hit@10 P "
            "| assign: relevant share | assign: of possible |")
    out = [head, "|" + "---|" * 11]
    for r in rep["results"]:
        if r["variant"] != variant:
            continue
        lead = f"| {r['model']} | {r['policy']} | {INPUT_SHORT[r['input']]} |"
        if not r["available"]:
            out.append(lead + " not available |" + " |" * 7)
            continue
        m = r["metrics"][truth]
        vals = [_ndcg_se(m["vacancy"])] + [fmt(m[s][k]) for s, k in METRIC_COLS[1:]]
        a = r.get("assignment", {}).get("assign", {}).get(truth, {})
        vals += [fmt(a.get("share_relevant")), fmt(a.get("of_possible"))]
        same = " ≡req" if r.get("same_as_requirement") else ""
        out.append(f"| {r['model']}{same} | {r['policy']} | {INPUT_SHORT[r['input']]} | " + " | ".join(vals) + " |")
    for b in rep["baselines"]:
        if b["variant"] != variant:
            continue
        m = b["metrics"][truth]
        a = b.get("assignment", {}).get("assign", {}).get(truth, {})
        out.append(f"| *baseline: {b['baseline']}* | – | – | {_ndcg_se(m['vacancy'])} | " +
                   " | ".join(fmt(m[s][k]) for s, k in METRIC_COLS[1:]) +
                   f" | {fmt(a.get('share_relevant'))} | {fmt(a.get('of_possible'))} |")
    return out


def _variants_table(rep, truth: str) -> List[str]:
    variants = list(rep["definitions"]["variants"])
    out = ["| variant | " + " | ".join(c[0] for c in VARIANT_COLS) + " |", "|---|" + "---|" * len(VARIANT_COLS)]
    for v in variants:
        out.append(f"| {v} | " + " | ".join(fmt(cell(rep, v, c, truth)) for c in VARIANT_COLS) + " |")
    return out


def _assign_table(rep, variant: str, truth: str = "group") -> List[str]:
    out = ["| model | policy | input | edges | proposals | relevant | share | possible | of possible "
           "| greedy proposals | greedy share | greedy of possible | library greedy count |",
           "|" + "---|" * 13]
    for r in rep["results"]:
        if r["variant"] != variant or not r["available"] or "assignment" not in r:
            continue
        a, g = r["assignment"]["assign"], r["assignment"]["greedy"]
        chk = str(r["assignment"]["library_greedy_proposals"])
        if not r["assignment"]["greedy_matches_library"]:
            chk += " (differs)"
        out.append(f"| {r['model']} | {r['policy']} | {INPUT_SHORT[r['input']]} | {r['assignment']['edges']} "
                   f"| {a['proposals']} | {a[truth]['relevant']} | {fmt(a[truth]['share_relevant'])} "
                   f"| {a[truth]['possible']} | {fmt(a[truth]['of_possible'])} | {g['proposals']} "
                   f"| {fmt(g[truth]['share_relevant'])} | {fmt(g[truth]['of_possible'])} | {chk} |")
    for b in rep["baselines"]:
        if b["variant"] != variant or "assignment" not in b:
            continue
        a, g = b["assignment"]["assign"], b["assignment"]["greedy"]
        out.append(f"| *baseline: {b['baseline']}* | – | – | {b['assignment']['edges']} "
                   f"| {a['proposals']} | {a[truth]['relevant']} | {fmt(a[truth]['share_relevant'])} "
                   f"| {a[truth]['possible']} | {fmt(a[truth]['of_possible'])} | {g['proposals']} "
                   f"| {fmt(g[truth]['share_relevant'])} | {fmt(g[truth]['of_possible'])} | – |")
    return out


def _tradeoff_table(rep) -> List[str]:
    t = rep["tradeoff"]
    cols = [("ndcg@10", "nDCG@10"), ("top10_mean_minutes", "top-10 min"), ("top10_share_far", "top-10 C-E"),
            ("proposals_mean_minutes", "proposals min"), ("proposals_share_far", "proposals C-E"),
            ("proposals_share_relevant", "proposals same occ.")]
    out = ["| weight varied | value | " + " | ".join(c[1] for c in cols) + " |", "|---|---|" + "---|" * len(cols)]
    for key, pts in t["curves"].items():
        for p in pts:
            out.append(f"| {key} | {p['weight']} | " + " | ".join(fmt(p.get(c[0]), 3 if "min" not in c[0] else 1)
                                                           for c in cols) + " |")
    d = t["default"]
    w = rep.get("meta", {}).get("shipped", {}).get("weights") or {}
    wl = "/".join(f"{w[k]:g}" for k in ("w_competence", "w_travel", "w_hours", "w_readiness")) if w else "?"
    out.append(f"| shipped default ({wl}) | – | " +
               " | ".join(fmt(d.get(c[0]), 3 if "min" not in c[0] else 1) for c in cols) + " |")
    d10 = t.get("v1_0_weights")
    if d10:
        out.append("| 1.0's weights (0.6/0.2/0.1/0.1) | – | " +
                   " | ".join(fmt(d10.get(c[0]), 3 if "min" not in c[0] else 1) for c in cols) + " |")
    return out


def markdown(rep: Dict[str, Any], plots: List[str]) -> str:
    meta, defs = rep["meta"], rep["definitions"]
    mach = meta.get("machine", {})
    L: List[str] = ["# libmatch match-quality evaluation", ""]
    L += [f"- command: `{meta.get('command', '')}`",
          f"- library {meta['library']} ({meta['library_path']}), commit {mach.get('commit', '?')}",
          f"- machine: {mach.get('cpu', '?')}, {mach.get('cores', '?')} cores, {mach.get('system', '?')}; "
          f"Python {mach.get('python', '?')}, numpy {mach.get('numpy', '?')}; {meta['threads']} engine threads",
          f"- mode `{meta['mode']}`, seed {meta['seed']}: {defs['sizes']['n_people']} people, "
          f"{defs['sizes']['n_vacancies']} vacancies, {defs['sizes']['n_occupations']} occupations with vacancies; "
          f"run time {meta['seconds']} s",
          "- region: " + " + ".join(defs["regions"].values()) + " (real PC4 areas, 2017)", ""]
    if rep["notes"] or not meta.get("lib_centre", "").startswith(("Pool", "lm_pool")):
        L += ["**Notes.**", ""]
        L += [f"- {n}" for n in rep["notes"]]
        if meta.get("lib_centre", "").startswith("not available"):
            L += [f"- library centring ({meta['lib_centre']}): those rows say \"not available\"."]
        L += [""]
    L += ["Every ranking is evaluated among the vacancy's travel-, hours- and readiness-feasible people (and a "
          "person's feasible vacancies): V = per vacancy (its people ranked), P = per person (their vacancies "
          "ranked), averaged over the queries with at least one relevant feasible item. "
          "`≡req`: the model's competence scores equal the requirement model's in this build. See "
          "docs/quality.md for every definition.", ""]
    first0 = "noise_all" if "noise_all" in rep["population"] else next(iter(rep["population"]))
    L += ["## Headline: nDCG@10 per vacancy among its feasible people", ""] + _headline(rep, first0) + [""]
    if rep.get("repeats"):
        L += _repeats(rep, first0)
    L += ["## Population", "", "| variant | feasible pairs | feasible per vacancy | relevant per vacancy: "
          "occupation / group / can do | vacancies with a relevant person (of " + str(defs["sizes"]["n_vacancies"])
          + ") | notes |", "|---|---|---|---|---|---|"]
    for v, p in rep["population"].items():
        rv, vw = p["relevant_feasible_per_vacancy"], p["vacancies_with_relevant"]
        L.append(f"| {v} | {p['feasible_pairs']} | {p['feasible_per_vacancy']:.0f} | "
                 f"{rv['occupation']:.1f} / {rv['group']:.1f} / {rv['can_do']:.1f} | "
                 f"{vw['occupation']} / {vw['group']} / {vw['can_do']} | "
                 + ", ".join(f"{k}: {fmt(x)}" for k, x in p["notes"].items()) + " |")
    L += [""]
    first = "noise_all" if "noise_all" in rep["population"] else next(iter(rep["population"]))
    for truth in defs["truths"]:
        L += [f"## Truth: {TRUTH_TITLE.get(truth, truth)} (variant {first})", "",
              f"Relevant: {defs['truths'][truth]}.", ""]
        L += _truth_table(rep, truth, first) + [""]
    if "models.png" in plots:
        L += ["![nDCG@10 by model, input and policy](models.png)", ""]
    L += ["## Variants", "", "nDCG@10 per vacancy; columns are model, policy (default / competence only) and input.", ""]
    for v, d in defs["variants"].items():
        L.append(f"- **{v}**: {d}")
    L += [""]
    for truth in defs["truths"]:
        L += [f"### {TRUTH_TITLE.get(truth, truth)}", ""] + _variants_table(rep, truth) + [""]
    if "variants.png" in plots:
        L += ["![nDCG@10 by variant](variants.png)", ""]
    if any("assignment" in r for r in rep["results"]):
        L += [f"## Coordinated assignment (variant {first}, truth: same occupation group)", "",
              "Proposals of `engine.assign` (one per person) and of the greedy baseline (pairs by score, highest "
              "first) over the batch's top-10 lists in both directions. *share*: proposals whose person is "
              "relevant; *possible*: the most slots that could get a relevant person from these lists (a maximum "
              "matching over the relevant edges, `assign_graph`); *of possible* = relevant / possible. The "
              "library greedy count checks the numpy greedy against the library's own baseline.", ""]
        L += _assign_table(rep, first) + [""]
    if "tradeoff" in rep:
        t = rep["tradeoff"]
        L += ["## Trade-offs (issue 16, item 4)", "",
              f"Variant {first}, model {t['model']}, input {INPUT_SHORT[t['input']]}, competence weight "
              f"{t['w_competence']} fixed; one other weight varied from 0 up, the rest 0. Relevance is nDCG@10 "
              f"per vacancy (same occupation). Over all feasible pairs: mean travel "
              f"{t['feasible_mean_minutes']:.1f} min, share of readiness C-E {t['feasible_share_far']:.3f}.", ""]
        L += _tradeoff_table(rep) + [""]
        if "tradeoff.png" in plots:
            L += ["![trade-off curves](tradeoff.png)", ""]
    L += ["## Definitions", ""]
    L += [f"- input **{k}**: {v}" for k, v in defs["inputs"].items()]
    L += [f"- baseline **{k}**: {v}" for k, v in defs["baselines"].items()]
    L += [f"- policy **{k}**: " + ", ".join(f"{w}={x}" for w, x in v.items()) for k, v in defs["policies"].items()]
    L += ["", "Postal code and municipality points: GeoNames (geonames.org), CC BY 4.0. Skill profiles: O*NET "
          "database by the U.S. Department of Labor, Employment and Training Administration (USDOL/ETA), CC BY 4.0.",
          ""]
    return "\n".join(L)


# ---------------------------------------------------------------------------
# Plots


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def plot_models(rep, path: Path) -> None:
    plt = _plt()
    import numpy as np
    variant = "noise_all" if "noise_all" in rep["population"] else next(iter(rep["population"]))
    models = list(rep["definitions"]["models"].values())
    inputs = list(rep["definitions"]["inputs"])
    truths = list(rep["definitions"]["truths"])
    pols = list(rep["definitions"]["policies"])
    fig, axes = plt.subplots(len(truths), len(pols), figsize=(12, 3.6 * len(truths)), sharey="row", squeeze=False)
    colors = ["#4C72B0", "#DD8452", "#55A868"]
    x = np.arange(len(models))
    wbar = 0.26
    for i, truth in enumerate(truths):
        for j, pol in enumerate(pols):
            ax = axes[i][j]
            for k, inp in enumerate(inputs):
                vals = []
                for mname in models:
                    r = find(rep, variant, mname, pol, inp)
                    ok = r is not None and r["available"]
                    vals.append(r["metrics"][truth]["vacancy"]["ndcg@10"] if ok else np.nan)
                vals = np.array(vals, dtype=float)
                ax.bar(x + (k - 1) * wbar, np.nan_to_num(vals), wbar, color=colors[k], label=INPUT_SHORT[inp])
                for xi, v in zip(x + (k - 1) * wbar, vals):
                    if np.isnan(v):
                        ax.text(xi, 0.01, "n/a", ha="center", va="bottom", fontsize=7, rotation=90, color="0.4")
            for nm, ls in (("numpy_cosine", "--"), ("nearest", ":"), ("random", "-.")):
                b = base(rep, variant, nm)
                if b:
                    ax.axhline(b["metrics"][truth]["vacancy"]["ndcg@10"], color="0.25", ls=ls, lw=1,
                               label=f"baseline {nm}")
            ax.set_xticks(x)
            ax.set_xticklabels([m.replace("_", "\n") for m in models], fontsize=8)  # cosine\ncoverage
            # two lines: the truth, then the policy (one line overlaps the neighbouring panel)
            ax.set_title(f"{TRUTH_TITLE[truth]}\npolicy {pol}", fontsize=9)
            ax.grid(axis="y", alpha=0.3)
            if j == 0:
                ax.set_ylabel("nDCG@10 per vacancy")
    h, lab = axes[0][0].get_legend_handles_labels()
    fig.legend(h, lab, loc="lower center", ncol=len(lab), fontsize=9, frameon=False)
    fig.suptitle(f"libmatch rankings by competence model and input (variant {variant})", fontsize=12)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_variants(rep, path: Path) -> None:
    plt = _plt()
    import numpy as np
    variants = list(rep["definitions"]["variants"])
    # 1.0's default, the shipped default, the competence models alone, and the baselines
    cols = [c for c in VARIANT_COLS if c[2] != "nearest" and c[2] != "symmetric"]
    truths = list(rep["definitions"]["truths"])
    fig, axes = plt.subplots(1, len(truths), figsize=(16, 5.6), sharey=True, squeeze=False)
    x = np.arange(len(variants))
    w = 0.8 / len(cols)
    cmap = plt.get_cmap("tab10")
    for i, truth in enumerate(truths):
        ax = axes[0][i]
        for k, c in enumerate(cols):
            vals = np.array([cell(rep, v, c, truth) if cell(rep, v, c, truth) is not None else np.nan
                             for v in variants], dtype=float)
            ax.bar(x + (k - (len(cols) - 1) / 2) * w, np.nan_to_num(vals), w, color=cmap(k), label=c[0])
        ax.set_xticks(x)
        ax.set_xticklabels(variants, rotation=30, ha="right", fontsize=9)
        ax.set_title(TRUTH_TITLE[truth], fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel("nDCG@10 per vacancy")
    h, lab = axes[0][0].get_legend_handles_labels()
    fig.legend(h, lab, loc="lower center", ncol=(len(lab) + 1) // 2, fontsize=9, frameon=False)
    fig.suptitle("Robustness: nDCG@10 per variant", fontsize=12)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_tradeoff(rep, path: Path) -> None:
    plt = _plt()
    t = rep["tradeoff"]
    rows = [("top10", "top-10 lists")]
    if t["default"].get("proposals_mean_minutes") is not None:
        rows.append(("proposals", "coordinated proposals"))
    fig, axes = plt.subplots(len(rows), 2, figsize=(12, 4.4 * len(rows)), squeeze=False)
    colors = {"w_travel": "#4C72B0", "w_hours": "#DD8452", "w_readiness": "#55A868"}
    for i, (pre, label) in enumerate(rows):
        for j, (suffix, xl, ref) in enumerate((("mean_minutes", "mean travel minutes", "feasible_mean_minutes"),
                                               ("share_far", "share of readiness C-E", "feasible_share_far"))):
            ax = axes[i][j]
            for key, pts in t["curves"].items():
                xs = [p[f"{pre}_{suffix}"] for p in pts]
                ys = [p["ndcg@10"] for p in pts]
                ax.plot(xs, ys, "o-", color=colors.get(key), label=key.replace("w_", "") + " weight", ms=4)
                for p, xv, yv in zip(pts, xs, ys):
                    if p["weight"] in (0.1, 0.4, 1.6):
                        ax.annotate(f"{p['weight']:g}", (xv, yv), textcoords="offset points", xytext=(4, 4),
                                    fontsize=7, color=colors.get(key))
            d = t["default"]
            ax.plot([d[f"{pre}_{suffix}"]], [d["ndcg@10"]], "*", color="crimson", ms=13, label="shipped default")
            ax.axvline(t[ref], color="0.5", ls="--", lw=1, label="all feasible pairs")
            ax.set_xlabel(f"{xl} ({label})")
            ax.set_ylabel("nDCG@10 per vacancy (same occupation)")
            ax.grid(alpha=0.3)
            if i == 0 and j == 0:
                ax.legend(fontsize=8)
    fig.suptitle(f"Relevance against travel and distance from the labour market "
                 f"(model {t['model']}, {INPUT_SHORT[t['input']]}, competence weight {t['w_competence']})",
                 fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(rep: Dict[str, Any], out: Path, plots: bool = True) -> List[str]:
    out.mkdir(parents=True, exist_ok=True)
    made: List[str] = []
    if plots:
        plot_models(rep, out / "models.png")
        plot_variants(rep, out / "variants.png")
        made += ["models.png", "variants.png"]
        if "tradeoff" in rep:
            plot_tradeoff(rep, out / "tradeoff.png")
            made.append("tradeoff.png")
    (out / "report.md").write_text(markdown(rep, made))
    return made
