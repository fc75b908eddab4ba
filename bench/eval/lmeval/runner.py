"""The evaluation run: libmatch (every competence model x policy x input),
the numpy baselines, the coordinated assignment and the trade-off curves.
Writes report.json; report.py renders report.md and the plots from it.
"""
from __future__ import annotations

import ctypes
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from . import data as D
from . import metrics as M

ROOT = Path(__file__).resolve().parents[3]

MODELS = {0: "requirement", 1: "cosine", 2: "symmetric", 3: "coverage", 4: "cosine_coverage"}
POLICY_COMPETENCE_MODEL = 10     # LM_POLICY_COMPETENCE_MODEL (core.h, since 1.1.0)
# The shipped default weights: read from the library (lm.Policy()) when the run starts, see shipped_defaults().
DEFAULT_WEIGHTS = dict(w_competence=0.6, w_travel=0.1, w_hours=0.025, w_readiness=0.05, w_priority=0.0)
#: 1.0's default weights (with 1.0's requirement model they are 1.0's default policy)
V10_WEIGHTS = dict(w_competence=0.6, w_travel=0.2, w_hours=0.1, w_readiness=0.1, w_priority=0.0)
POLICIES = {
    "competence_only": dict(w_competence=1.0, w_travel=0.0, w_hours=0.0, w_readiness=0.0, w_priority=0.0),
    "default": DEFAULT_WEIGHTS,
    "v1_0_weights": V10_WEIGHTS,
}


def shipped_defaults(lm) -> Dict[str, Any]:
    """The library's default weights and competence model (lm.Policy()), so
    the report measures what ships; POLICIES["default"] follows them."""
    with lm.Policy() as p:
        d = p.to_dict()
    weights = {k: float(d[k]) for k in DEFAULT_WEIGHTS}
    DEFAULT_WEIGHTS.update(weights)
    model = d.get("competence_model", 0)
    return {"weights": weights, "model": MODELS[int(model)]}
INPUTS = {
    "raw": "raw O*NET levels 0..7 (vacancy: occupation levels, weights: importance 1..5)",
    "centred": "caller-centred: the population mean per skill (people and vacancies, each row once) subtracted",
    "lib_centred": "raw levels, centred by the library: lm_pool_set_centre(pool, NULL, dim)",
}
BASELINES = {
    "numpy_cosine": "cosine of the caller-centred vectors in numpy, no importance weights",
    "nearest": "shortest travel time first (libmatch's best-mode minutes)",
    "random": "a random order of the feasible pairs (seeded)",
}
TRADEOFF_GRID = [0.0, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6]
TRADEOFF_WEIGHTS = ("w_travel", "w_hours", "w_readiness")
VIEWER_ORG = 1
VAC_ID0, CAND_ID0 = 100001, 1
FAR = 3   # readiness C..E = 3..5 ("far from the labour market")


def load_libmatch(build: Path):
    """Import the binding in bindings/python against BUILD/libmatch.so.1."""
    lib = build / "libmatch.so.1"
    os.environ.setdefault("LIBMATCH_LIBRARY", str(lib.resolve()))
    pkg = str(ROOT / "bindings" / "python")
    if pkg not in sys.path:
        sys.path.insert(0, pkg)
    import libmatch as lm
    return lm


# ---------------------------------------------------------------------------
# libmatch glue


def set_centre_null(lm, pool) -> Tuple[bool, str]:
    """Centre the pool on its own mean. Prefers Pool.set_centre(mean=None);
    falls back to lm_pool_set_centre(pool, NULL, dim) through ctypes. Returns
    (done, note); not done when the build lacks the function."""
    if hasattr(pool, "set_centre"):
        try:
            pool.set_centre(mean=None)
            return True, "Pool.set_centre(mean=None)"
        except NotImplementedError as e:
            return False, f"not available: {e}"
        except TypeError:
            pass   # another signature: use the C function directly
    from libmatch._base import LIB, strerror
    try:
        f = getattr(LIB.cdll, "lm_pool_set_centre")
    except AttributeError:
        return False, "not available: lm_pool_set_centre is not exported by this build"
    f.restype = ctypes.c_int
    f.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32]
    with pool._guard() as h:
        st = f(h, None, pool.dim)
    if st < 0:
        return False, f"not available: lm_pool_set_centre returned {st} ({strerror(st)})"
    return True, "lm_pool_set_centre(pool, NULL, dim) via ctypes"


def make_pool(lm, pop: D.Population, inp: str, mean: np.ndarray):
    cvec, rvec = pop.observed, pop.req
    if inp == "centred":
        cvec, rvec = cvec - mean, rvec - mean
    pool = lm.Pool(D.DIM)
    cand = {k: v for k, v in pop.cand.items() if k != "pc4"}
    vac = {k: v for k, v in pop.vac.items() if k != "pc4"}
    pool.add_candidates(cand, groups=int(lm.Group.BIJSTAND), scope=int(lm.Scope.NATIONAL),
                        vectors=np.ascontiguousarray(cvec, dtype=np.float32))
    pool.add_vacancies(vac, vectors=np.ascontiguousarray(rvec, dtype=np.float32),
                       weights=np.ascontiguousarray(pop.imp, dtype=np.float32))
    return pool


def make_policy(lm, weights: Dict[str, float], model: int):
    p = lm.Policy(**weights)
    p.set(POLICY_COMPETENCE_MODEL, model)   # generic numeric setter: the binding may not name the key
    return p


def feasibility(lm, pool, pop: D.Population, threads: int) -> Tuple[np.ndarray, np.ndarray]:
    """Feasible pairs (m x n bool) and best-mode travel minutes (NaN if not
    feasible), from one batch with the default policy and k = every person:
    the hard filters do not depend on vectors or weights, and the floors
    (min_score, and since 1.2 min_competence, which do) are set to 0."""
    if pop.n > 10000:
        raise ValueError("feasibility by one batch needs at most LM_MAX_K = 10000 people")
    floors = {"min_score": 0.0}
    if "min_competence" in lm.Policy.KEYS:
        floors["min_competence"] = 0.0
    with pool.snapshot() as snap, lm.Policy(**floors) as pol, lm.Engine(pol, threads=threads) as eng:
        with eng.batch(snap, VIEWER_ORG, k_candidates=pop.n, k_vacancies=1) as b:
            rows = b.by_vacancy
            n_feasible = int(b.stats["pairs_feasible"])
            v = rows["vacancy_id"] - VAC_ID0
            c = rows["candidate_id"] - CAND_ID0
            feas = np.zeros((pop.m, pop.n), dtype=bool)
            feas[v, c] = True
            minutes = np.full((pop.m, pop.n), np.nan, dtype=np.float32)
            minutes[v, c] = rows["travel_minutes"]
    if n_feasible != int(feas.sum()):
        raise RuntimeError(f"feasibility batch returned {feas.sum()} pairs but reports {n_feasible} feasible")
    return feas, minutes


def tops(rows: np.ndarray, direction: str, q: int) -> np.ndarray:
    """(queries x K) index ranking from a batch direction's rows, -1 padded."""
    out = -np.ones((q, M.K), dtype=np.int64)
    v = rows["vacancy_id"] - VAC_ID0
    c = rows["candidate_id"] - CAND_ID0
    r = rows["rank"].astype(np.int64) - 1
    keep = r < M.K
    if direction == "vacancy":
        out[v[keep], r[keep]] = c[keep]
    else:
        out[c[keep], r[keep]] = v[keep]
    return out


def rank_metrics(top_v: np.ndarray, top_p: np.ndarray, rel: Dict[str, np.ndarray]) -> Dict[str, Any]:
    return {t: {"vacancy": M.summary(top_v, r), "person": M.summary(top_p, r.T)} for t, r in rel.items()}


def _edges(batch) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union of both directions' lists, each pair once, in input order."""
    a, b = batch.by_vacancy, batch.by_candidate
    v = np.concatenate([a["vacancy_id"], b["vacancy_id"]]) - VAC_ID0
    c = np.concatenate([a["candidate_id"], b["candidate_id"]]) - CAND_ID0
    s = np.concatenate([a["score"], b["score"]])
    key = v * (1 << 32) + c
    _, first = np.unique(key, return_index=True)
    first.sort()
    return v[first], c[first], s[first]


def _possible(lm, eng, pop: D.Population, ev, ep, relevant: np.ndarray) -> int:
    """Most slots that could get a relevant person from these lists (one
    proposal per person): a maximum b-matching over the relevant edges."""
    if not relevant.any():
        return 0
    a = eng.assign_graph(capacity=pop.vac["slots"], edge_person=ep[relevant].astype(np.uint32),
                         edge_vacancy=ev[relevant].astype(np.uint32),
                         edge_score=np.ones(int(relevant.sum()), np.float32), n_people=pop.n)
    with a:
        return int(a.stats["proposals"])


def _proposal_numbers(pv, pp, rel: Dict[str, np.ndarray], possible: Dict[str, int],
                      pop: D.Population, minutes: np.ndarray) -> Dict[str, Any]:
    out: Dict[str, Any] = {"proposals": int(len(pv))}
    for t, r in rel.items():
        hit = int(r[pv, pp].sum()) if len(pv) else 0
        out[t] = {"relevant": hit, "share_relevant": hit / len(pv) if len(pv) else None,
                  "possible": possible[t], "of_possible": hit / possible[t] if possible[t] else None}
    out["mean_minutes"] = float(np.mean(minutes[pv, pp])) if len(pv) else None
    out["share_far"] = float(np.mean(pop.cand["readiness"][pp] >= FAR)) if len(pv) else None
    return out


def assignment(lm, eng, batch, pop: D.Population, rel: Dict[str, np.ndarray], minutes: np.ndarray):
    """Coordinated proposals (engine.assign) and the greedy baseline (in numpy,
    checked against the library's greedy count) over the batch's lists."""
    ev, ep, es = _edges(batch)
    possible = {t: _possible(lm, eng, pop, ev, ep, r[ev, ep]) for t, r in rel.items()}
    with eng.assign(batch, max_per_candidate=1) as a:
        pr = a.proposals
        st = a.stats
        av = pr["vacancy_id"] - VAC_ID0
        ap = pr["candidate_id"] - CAND_ID0
    gv, gp = M.greedy(ev, ep, es, pop.vac["slots"])
    res = {"assign": _proposal_numbers(av, ap, rel, possible, pop, minutes),
           "greedy": _proposal_numbers(gv, gp, rel, possible, pop, minutes),
           "edges": int(len(ev)), "library_greedy_proposals": int(st.get("greedy_proposals", -1))}
    res["greedy_matches_library"] = res["library_greedy_proposals"] == len(gv)
    return res


def _list_numbers(rows: np.ndarray, pop: D.Population) -> Dict[str, Any]:
    """Mean travel minutes and share of readiness C-E over a direction's top-10 rows."""
    top = rows[rows["rank"] <= M.K]
    if not len(top):
        return {"mean_minutes": None, "share_far": None}
    c = top["candidate_id"] - CAND_ID0
    return {"mean_minutes": float(np.mean(top["travel_minutes"])),
            "share_far": float(np.mean(pop.cand["readiness"][c] >= FAR))}


def run_config(lm, snap, pop: D.Population, rel, feas, minutes, model: int, weights: Dict[str, float],
               threads: int, with_assign: bool) -> Dict[str, Any]:
    pol = make_policy(lm, weights, model)
    with lm.Engine(pol, threads=threads) as eng:
        with eng.batch(snap, VIEWER_ORG, k_candidates=M.K, k_vacancies=M.K) as b:
            vrows, prow = b.by_vacancy, b.by_candidate
            top_v, top_p = tops(vrows, "vacancy", pop.m), tops(prow, "person", pop.n)
            out: Dict[str, Any] = {"metrics": rank_metrics(top_v, top_p, rel),
                                   "lists": _list_numbers(vrows, pop),
                                   "fingerprint": hash(vrows["competence"].tobytes()) & 0xFFFFFFFFFFFF}
            if with_assign:
                out["assignment"] = assignment(lm, eng, b, pop, rel, minutes)
    pol.close()
    return out


# ---------------------------------------------------------------------------
# Baselines


def _list_edges(top_v: np.ndarray, top_p: np.ndarray, value: np.ndarray):
    """Union of both directions' top-k lists (as the batch graph of
    lm_engine_assign), each pair once, with its value in 0..1."""
    qv = np.repeat(np.arange(top_v.shape[0]), top_v.shape[1])
    pv = top_v.ravel()
    qp = np.repeat(np.arange(top_p.shape[0]), top_p.shape[1])
    pp = top_p.ravel()
    v = np.concatenate([qv[pv >= 0], pp[pp >= 0]])
    c = np.concatenate([pv[pv >= 0], qp[pp >= 0]])
    key = v * (1 << 32) + c
    _, first = np.unique(key, return_index=True)
    first.sort()
    v, c = v[first], c[first]
    return v, c, np.clip(value[v, c], 0.0, 1.0).astype(np.float32)


def graph_assignment(lm, eng, pop: D.Population, ev, ep, es, rel, minutes) -> Dict[str, Any]:
    """engine.assign_graph over a baseline's lists, scored by its own values."""
    possible = {t: _possible(lm, eng, pop, ev, ep, r[ev, ep]) for t, r in rel.items()}
    with eng.assign_graph(capacity=pop.vac["slots"], edge_person=ep.astype(np.uint32),
                          edge_vacancy=ev.astype(np.uint32), edge_score=es, n_people=pop.n) as a:
        pr = a.proposals
        av, ap = pr["vacancy_id"].astype(np.int64), pr["candidate_id"].astype(np.int64)
    gv, gp = M.greedy(ev, ep, es, pop.vac["slots"])
    return {"assign": _proposal_numbers(av, ap, rel, possible, pop, minutes),
            "greedy": _proposal_numbers(gv, gp, rel, possible, pop, minutes), "edges": int(len(ev))}


def baselines(lm, pop: D.Population, rel, feas: np.ndarray, minutes: np.ndarray, seed: int,
              threads: int, with_assign: bool) -> Dict[str, Any]:
    mean = pop.mean()
    cos = M.cosine(pop.observed - mean, pop.req - mean)            # m x n
    mins = np.nan_to_num(minutes.astype(np.float64), nan=np.inf)
    rnd = np.random.default_rng([seed, 3, list(D.VARIANTS).index(pop.variant)]).random(feas.shape)
    out = {}
    for name, s, value in (("numpy_cosine", cos, cos), ("nearest", -mins, 1.0 - mins / 90.0),
                           ("random", rnd, rnd)):
        top_v, top_p = M.topk(s, feas), M.topk(s.T, feas.T)
        out[name] = {"metrics": rank_metrics(top_v, top_p, rel)}
        if with_assign:
            with lm.Engine(threads=threads) as eng:
                out[name]["assignment"] = graph_assignment(lm, eng, pop, *_list_edges(top_v, top_p, value),
                                                           rel, minutes)
    return out


# ---------------------------------------------------------------------------
# Trade-off curves (issue 16 item 4)


def tradeoff(lm, snap, pop, rel, feas, minutes, model: int, threads: int, with_assign: bool,
             grid: List[float]) -> Dict[str, Any]:
    occ = {"occupation": rel["occupation"]}
    out: Dict[str, Any] = {"model": MODELS[model], "grid": grid, "w_competence": DEFAULT_WEIGHTS["w_competence"],
                           "curves": {}, "default": None}
    zero = dict(w_competence=DEFAULT_WEIGHTS["w_competence"], w_travel=0.0, w_hours=0.0, w_readiness=0.0,
                w_priority=0.0)

    def point(weights):
        r = run_config(lm, snap, pop, occ, feas, minutes, model, weights, threads, with_assign)
        p = {"ndcg@10": r["metrics"]["occupation"]["vacancy"]["ndcg@10"],
             "top10_mean_minutes": r["lists"]["mean_minutes"], "top10_share_far": r["lists"]["share_far"]}
        if with_assign:
            a = r["assignment"]["assign"]
            p.update(proposals_mean_minutes=a["mean_minutes"], proposals_share_far=a["share_far"],
                     proposals_share_relevant=a["occupation"]["share_relevant"])
        return p

    for key in TRADEOFF_WEIGHTS:
        out["curves"][key] = [dict(point(dict(zero, **{key: w})), weight=w) for w in grid]
    out["default"] = point(dict(DEFAULT_WEIGHTS))
    out["v1_0_weights"] = point(dict(V10_WEIGHTS))
    far = pop.cand["readiness"] >= FAR
    out["feasible_mean_minutes"] = float(np.nanmean(minutes[feas]))
    out["feasible_share_far"] = float((feas * far[None, :]).sum() / feas.sum())
    return out


# ---------------------------------------------------------------------------
# The whole run


def machine() -> Dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {"cpu": cpu, "cores": os.cpu_count(), "system": platform.platform(), "python": platform.python_version(),
            "numpy": np.__version__, "commit": commit}


def population_numbers(pop: D.Population, rel, feas) -> Dict[str, Any]:
    fr = {t: r & feas for t, r in rel.items()}
    return {
        "people": pop.n, "vacancies": pop.m, "occupations_people": int(len(np.unique(pop.people_occ))),
        "occupations_vacancies": int(len(np.unique(pop.vac_occ))),
        "feasible_pairs": int(feas.sum()), "feasible_per_vacancy": float(feas.sum(1).mean()),
        "relevant_feasible_per_vacancy": {t: float(r.sum(1).mean()) for t, r in fr.items()},
        "vacancies_with_relevant": {t: int((r.sum(1) > 0).sum()) for t, r in fr.items()},
        "people_with_relevant": {t: int((r.sum(0) > 0).sum()) for t, r in fr.items()},
        "notes": pop.notes,
    }


def evaluate(lm, data_dir: Path, mode: str, seed: int, threads: int, variants: Optional[List[str]] = None,
             tradeoff_model: int = 1, tradeoff_input: str = "centred", log=print,
             light: bool = False) -> Dict[str, Any]:
    """One seeded run. light: rankings only (no assignment, no trade-off
    curves), for the repeats over further seeds."""
    t0 = time.monotonic()
    variants = variants or list(D.VARIANTS)
    region = D.make_region(data_dir, mode, seed)
    with_assign = bool(lm.features().get("assign")) and not light
    shipped = shipped_defaults(lm)
    rep: Dict[str, Any] = {
        "meta": {"mode": mode, "seed": seed, "threads": threads, "library": lm.version(), "shipped": shipped,
                 "library_path": str(lm.library_path()), "assign_available": with_assign, "k": M.K},
        "definitions": {"variants": {v: D.VARIANTS[v] for v in variants}, "truths": D.TRUTHS, "inputs": INPUTS,
                        "models": MODELS, "policies": POLICIES, "baselines": BASELINES,
                        "regions": {str(k): v[0] for k, v in D.REGIONS.items()},
                        "sizes": D.SIZES[mode]},
        "population": {}, "results": [], "baselines": [], "notes": [],
    }
    feas = minutes = None
    lib_centre_note = ""
    for variant in variants:
        pop = D.make_variant(region, variant)
        rel_all = D.truths(pop)
        mean = pop.mean()
        for inp in INPUTS:
            pool = make_pool(lm, pop, inp, mean)
            if feas is None:
                feas, minutes = feasibility(lm, pool, pop, threads)
            rel = {t: r & feas for t, r in rel_all.items()}
            avail, note = True, ""
            if inp == "lib_centred":
                avail, note = set_centre_null(lm, pool)
                lib_centre_note = note
            with pool.snapshot() as snap:
                for model, mname in MODELS.items():
                    for pname, w in POLICIES.items():
                        row = {"variant": variant, "input": inp, "model": mname, "policy": pname,
                               "available": avail, "note": note}
                        if avail:
                            try:
                                row.update(run_config(lm, snap, pop, rel, feas, minutes, model, w, threads,
                                                      with_assign))
                            except lm.LibmatchError as e:   # e.g. a library without this model value
                                row.update(available=False, note=f"not available: {e}")
                        rep["results"].append(row)
                if variant == "noise_all" and inp == tradeoff_input and avail and not light:
                    log(f"eval: trade-off curves ({MODELS[tradeoff_model]}, {inp})")
                    try:
                        rep["tradeoff"] = tradeoff(lm, snap, pop, rel, feas, minutes, tradeoff_model, threads,
                                                   with_assign, TRADEOFF_GRID)
                    except lm.LibmatchError as e:
                        rep["notes"].append(f"trade-off curves with model {MODELS[tradeoff_model]} failed ({e}); "
                                            "drawn with the requirement model instead")
                        rep["tradeoff"] = tradeoff(lm, snap, pop, rel, feas, minutes, 0, threads,
                                                   with_assign, TRADEOFF_GRID)
                    rep["tradeoff"]["input"] = inp
            pool.close()
        rel = {t: r & feas for t, r in rel_all.items()}
        rep["population"][variant] = population_numbers(pop, rel_all, feas)
        for name, b in baselines(lm, pop, rel, feas, minutes, seed, threads, with_assign).items():
            rep["baselines"].append(dict(variant=variant, baseline=name, **b))
        log(f"eval: {variant} done ({time.monotonic() - t0:.1f} s)")
    _mark_identical_models(rep)
    _compare_centring(rep)
    rep["meta"]["lib_centre"] = lib_centre_note
    rep["meta"]["seconds"] = round(time.monotonic() - t0, 1)
    return rep


def _compare_centring(rep: Dict[str, Any]) -> None:
    """Caller centring and lm_pool_set_centre(NULL) subtract the same mean, so
    the cosine models (requirement, cosine, symmetric) must rank alike. The
    coverage models read raw levels: caller-centred input changes what they
    see, so for them library centring is the documented way."""
    by = {(r["variant"], r["model"], r["policy"], r["input"]): r for r in rep["results"] if r["available"]}
    diffs = []
    for (v, mdl, pol, inp), r in by.items():
        o = by.get((v, mdl, pol, "lib_centred"))
        if inp == "centred" and o is not None and mdl not in ("coverage", "cosine_coverage"):
            diffs.append(abs(r["metrics"]["occupation"]["vacancy"]["ndcg@10"] -
                             o["metrics"]["occupation"]["vacancy"]["ndcg@10"]))
    if diffs:
        rep["meta"]["centring_max_ndcg_difference"] = max(diffs)
        rep["notes"].append(f"caller-centred and library-centred inputs: largest difference in nDCG@10 (same "
                            f"occupation, per vacancy) over the cosine models (requirement, cosine, symmetric): "
                            f"{max(diffs):.4f} (expected about 0: the same mean is subtracted). The coverage "
                            "models read raw levels, so give them raw levels and let the library centre "
                            "(rows 'library-centred').")


def _mark_identical_models(rep: Dict[str, Any]) -> None:
    """Flag models whose competence scores equal the requirement model's on the
    same pool: in a build without the competence models every value of
    LM_POLICY_COMPETENCE_MODEL computes the requirement model."""
    base = {(r["variant"], r["input"], r["policy"]): r.get("fingerprint")
            for r in rep["results"] if r["model"] == "requirement" and r["available"]}
    verdict: Dict[str, bool] = {}
    for r in rep["results"]:
        if r["available"] and r["model"] != "requirement":
            r["same_as_requirement"] = r.get("fingerprint") == base.get((r["variant"], r["input"], r["policy"]))
            verdict[r["model"]] = verdict.get(r["model"], True) and r["same_as_requirement"]
        r.pop("fingerprint", None)
    same = {m for m, v in verdict.items() if v}
    if same:
        rep["notes"].append("competence scores of models " + ", ".join(sorted(same)) + " are identical to the "
                            "requirement model's on every pool: this build of the library does not implement them "
                            "yet (LM_POLICY_COMPETENCE_MODEL is accepted but ignored)")
    rep["meta"]["models_identical_to_requirement"] = sorted(same)


def compact(rep: Dict[str, Any]) -> Dict[str, Dict[str, Optional[float]]]:
    """nDCG@10 per vacancy of every row and baseline, keyed 'variant|input|model|policy'
    or 'variant|baseline', per truth (for the repeats over seeds)."""
    out: Dict[str, Dict[str, Optional[float]]] = {}
    for r in rep["results"]:
        key = "|".join((r["variant"], r["input"], r["model"], r["policy"]))
        out[key] = ({t: m["vacancy"]["ndcg@10"] for t, m in r["metrics"].items()} if r["available"] else {})
    for b in rep["baselines"]:
        out[b["variant"] + "|" + b["baseline"]] = {t: m["vacancy"]["ndcg@10"] for t, m in b["metrics"].items()}
    return out


def add_repeats(rep: Dict[str, Any], others: List[Dict[str, Any]]) -> None:
    """rep["repeats"]: per key and truth the nDCG@10 of every seed (the report's
    own first), their mean and standard deviation."""
    runs = [rep] + others
    seeds = [r["meta"]["seed"] for r in runs]
    per = [compact(r) for r in runs]
    table: Dict[str, Any] = {}
    for key in per[0]:
        table[key] = {}
        for t in per[0][key]:
            vals = [p.get(key, {}).get(t) for p in per]
            ok = [v for v in vals if v is not None]
            table[key][t] = {"values": vals, "mean": float(np.mean(ok)) if ok else None,
                             "sd": float(np.std(ok, ddof=1)) if len(ok) > 1 else None}
    rep["repeats"] = {"seeds": seeds, "ndcg@10": table}
