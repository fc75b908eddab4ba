#!/usr/bin/env python3
"""The jobhunters' nightly run for one labour-market region, in Python.

The same steps as examples/nightly_batch.c, through the `libmatch` package
(bindings/python, docs/python.md):

1. load   the pool: from PostgreSQL with --db CONNINFO (candidates, vacancies,
          travel matrices), otherwise a generated pool;
2. match  every visible job seeker against every vacancy of the region, top-k
          both ways (progress on stderr);
3. assign one coordinated proposal per vacancy slot (exact assignment);
4. write  the run back to PostgreSQL in one transaction (only with --db);
5. report a summary on stdout.

Run from the repository root after `make`:

    PYTHONPATH=bindings/python python3 examples/python/nightly.py
    PYTHONPATH=bindings/python python3 examples/python/nightly.py --db "dbname=wsp" --region 1

The functions here are reused by explore.py.
"""
from __future__ import annotations

import argparse
import sys
from typing import Callable, Optional, Tuple

import numpy as np

import libmatch as lm

# Municipalities of Zuid-Kennemerland en IJmond (region 2) and two neighbours in
# Noord-Holland Noord (region 1): CBS code, region, name, executing
# organisation (uitvoeringsorganisatie), representative point, population.
MUNICIPALITIES = [
    (375, 2, "Beverwijk", 200201, 52.48273, 4.65468, 41863),
    (396, 2, "Heemskerk", 200201, 52.50945, 4.65386, 39191),
    (453, 2, "Velsen", 200201, 52.45182, 4.63211, 68617),
    (377, 2, "Bloemendaal", 200202, 52.36230, 4.58968, 23478),
    (392, 2, "Haarlem", 200202, 52.38074, 4.64400, 162543),
    (397, 2, "Heemstede", 200202, 52.34719, 4.61838, 27545),
    (473, 2, "Zandvoort", 200202, 52.35769, 4.54388, 17168),
    (383, 1, "Castricum", 200101, 52.55577, 4.68945, 36086),
    (450, 1, "Uitgeest", 200101, 52.52855, 4.71176, 13632),
]
NAMES = {m[0]: m[2] for m in MUNICIPALITIES}
FLAG_LICENCE = 1 << 0  # capability flags are the host's own convention
WSP_ORG_BASE = 400000  # the regions' employer service points, as in `make demo`


def municipality_name(code: int) -> str:
    return NAMES.get(int(code), f"GM{int(code):04d}")


def generate_pool(n_candidates: int = 4000, n_vacancies: int = 600, seed: int = 42, dim: int = 16) -> lm.Pool:
    """A deterministic synthetic pool (no personal data): competence vectors
    from a few latent occupation families, target groups, readiness, hours,
    travel modes and consent scopes in plausible proportions."""
    rng = np.random.default_rng(seed)
    codes = np.array([m[0] for m in MUNICIPALITIES], np.int32)
    regions = np.array([m[1] for m in MUNICIPALITIES], np.int32)
    orgs = np.array([m[3] for m in MUNICIPALITIES], np.int64)
    lat0 = np.array([m[4] for m in MUNICIPALITIES])
    lon0 = np.array([m[5] for m in MUNICIPALITIES])
    weight = np.array([m[6] for m in MUNICIPALITIES], float)
    families = rng.standard_normal((8, dim)).astype(np.float32)

    n = n_candidates
    m = rng.choice(len(MUNICIPALITIES), n, p=weight / weight.sum())
    u = rng.random(n)
    groups = np.where(u < 0.06, lm.Group.BANENAFSPRAAK,            # doelgroepregister
             np.where(u < 0.10, lm.Group.NIEUW_BESCHUT,            # sheltered work
             np.where(u < 0.25, lm.Group.BIJSTAND | lm.Group.STATUSHOUDER,
             np.where(u < 0.30, lm.Group.NUG, lm.Group.BIJSTAND)))).astype(np.uint32)
    readiness = np.where(rng.random(n) < 0.65, rng.integers(1, 3, n), rng.integers(1, 6, n)).astype(np.uint8)
    readiness[groups == lm.Group.NIEUW_BESCHUT] = rng.integers(4, 6, int((groups == lm.Group.NIEUW_BESCHUT).sum()))
    loonwaarde = np.full(n, 100, np.float32)
    loonwaarde[groups == lm.Group.BANENAFSPRAAK] = 30 + 50 * rng.random(int((groups == lm.Group.BANENAFSPRAAK).sum()))
    loonwaarde[groups == lm.Group.NIEUW_BESCHUT] = 20 + 40 * rng.random(int((groups == lm.Group.NIEUW_BESCHUT).sum()))
    hours_min = (8 * rng.integers(0, 5, n)).astype(np.float32)
    car = rng.random(n) < 0.3
    modes = (lm.Mode.WALK.bit | lm.Mode.BIKE.bit | lm.Mode.PT.bit) | np.where(car, lm.Mode.CAR.bit, 0)
    s = rng.random(n)
    scope = np.select([s < 0.75, s < 0.85, s < 0.95], [lm.Scope.REGION, lm.Scope.NATIONAL, lm.Scope.MUNICIPALITY],
                      lm.Scope.ORG)
    family = rng.integers(0, len(families), n)

    pool = lm.Pool(dim)
    pool.add_candidates(
        id=1_000_000 + np.arange(n), owner_org=orgs[m], municipality=codes[m], region=regions[m],
        lat=lat0[m] + (rng.random(n) - 0.5) * 0.04, lon=lon0[m] + (rng.random(n) - 0.5) * 0.06,
        groups=groups, readiness=readiness, loonwaarde=loonwaarde,
        hours_min=hours_min, hours_max=np.minimum(40, hours_min + 8 * rng.integers(1, 3, n)),
        modes=modes.astype(np.uint8), flags=np.where(car, FLAG_LICENCE, 0).astype(np.uint64),
        max_minutes=np.where(rng.random(n) < 0.2, rng.choice([30, 45], n), 0).astype(np.float32),
        scope=scope.astype(np.uint8),
        vectors=families[family] + 0.6 * rng.standard_normal((n, dim), dtype=np.float32))

    n = n_vacancies
    m = rng.choice(len(MUNICIPALITIES), n, p=weight / weight.sum())
    u = rng.random(n)
    garantiebaan, beschut = u < 0.08, (u >= 0.08) & (u < 0.12)
    hours_min = (8 + 8 * rng.integers(0, 3, n)).astype(np.float32)
    family = rng.integers(0, len(families), n)
    pool.add_vacancies(
        id=5_000_000 + np.arange(n), employer_id=codes[m].astype(np.int64) * 1000 + rng.integers(0, 100, n),
        municipality=codes[m], region=regions[m],
        lat=lat0[m] + (rng.random(n) - 0.5) * 0.04, lon=lon0[m] + (rng.random(n) - 0.5) * 0.06,
        slots=1 + (rng.random(n) < 0.3) + (rng.random(n) < 0.1),
        accepted_groups=np.where(garantiebaan, lm.Group.BANENAFSPRAAK,
                                 np.where(beschut, lm.Group.NIEUW_BESCHUT, lm.Group.ALL)).astype(np.uint32),
        min_loonwaarde=np.where(garantiebaan | beschut, 0, rng.choice([80, 100], n)).astype(np.float32),
        max_readiness=np.where(garantiebaan, lm.Readiness.C, np.where(beschut, lm.Readiness.E,
                               rng.choice([lm.Readiness.B, lm.Readiness.C], n, p=[0.6, 0.4]))).astype(np.uint8),
        required_flags=np.where(rng.random(n) < 0.15, FLAG_LICENCE, 0).astype(np.uint64),
        hours_min=hours_min, hours_max=np.minimum(40, hours_min + 16),
        vectors=families[family] + 0.3 * rng.standard_normal((n, dim), dtype=np.float32),
        weights=np.where(rng.random((n, dim)) < 0.25, 2.0, 1.0).astype(np.float32))
    return pool


def load_from_db(db: lm.Db) -> Tuple[lm.Pool, lm.Travel]:
    """The shared pool and its travel matrices from PostgreSQL (full load)."""
    dim = db.vector_dim
    if dim == 0:
        raise SystemExit("nightly: the database has no live candidates or vacancies (try `lmatch db seed-demo`)")
    pool = lm.Pool(dim)
    db.load_pool(pool)          # returns a watermark for incremental loads: db.load_pool(pool, since=wm)
    travel = lm.Travel()
    db.load_travel(travel)
    return pool, travel


def progress_printer(label: str) -> Callable[[int, int], None]:
    """A progress callback printing whole percentages to stderr."""
    last = [-1]

    def report(done: int, total: int) -> None:
        pct = 100 * done // total if total else 100
        if pct != last[0]:
            last[0] = pct
            print(f"\r{label:<8} {pct:3d}%", end="\n" if pct == 100 else "", file=sys.stderr, flush=True)
    return report


def run_batch(snap: lm.Snapshot, engine: lm.Engine, region: int, org: int, k: int = 10, per_person: int = 1,
              quiet: bool = False) -> Tuple[lm.Results, lm.Assignment]:
    """Top-k both ways for the region's vacancies as organisation `org` sees the
    pool, then the coordinated proposals."""
    viewer = lm.Viewer(org=org, region=region)
    batch = engine.batch(snap, viewer, k_candidates=k, k_vacancies=k, vacancy_region=region,
                         progress=None if quiet else progress_printer("batch"))
    proposals = engine.assign(batch, max_per_candidate=per_person,
                              progress=None if quiet else progress_printer("assign"))
    return batch, proposals


def summary(snap: lm.Snapshot, batch: lm.Results, proposals: lm.Assignment, region: int, org: int,
            source: str, per_person: int) -> None:
    st, ast = batch.stats, proposals.stats
    lists = batch.lists(lm.Direction.VACANCY)
    best = batch.by_vacancy[lists["first"][lists["len"] > 0]]          # rank-1 row of each vacancy with a match
    cross_best = float(np.mean(best["candidate_municipality"] != best["vacancy_municipality"])) if len(best) else 0.0
    print(f"libmatch {lm.version()} nightly batch (Python): region {region} as seen by organisation {org} ({source})")
    print(f"pool:        {snap.n_candidates} candidates ({batch.n_lists(lm.Direction.CANDIDATE)} visible to the "
          f"viewer), {snap.n_vacancies} vacancies ({len(lists)} in region {region})")
    print(f"batch:       top-k both ways: {st['pairs_scored']} pairs scored, {st['pairs_feasible']} feasible, "
          f"{st['seconds']:.3f} s ({lm.Kernel(st['kernel']).name.lower()} kernel, {st['threads']} threads)")
    print(f"             {len(best)} of {len(lists)} vacancies have a candidate; for {100 * cross_best:.1f}% the "
          f"best one lives in another municipality")
    p = ast["proposals"]
    print(f"proposals:   {p} (at most {per_person} per person), {ast['vacancies_served']} vacancies served "
          f"(greedy: {ast['greedy_vacancies_served']}), {ast['cross_border']} cross-border "
          f"({100 * ast['cross_border'] / p if p else 0:.1f}%)")
    g = ast["greedy_objective"]
    print(f"objective:   {ast['objective']:.3f} vs {g:.3f} for greedy best-pair-first "
          f"({100 * (ast['objective'] - g) / g if g else 0:+.2f}%), {ast['seconds']:.3f} s")
    print("per municipality of residence:")
    print(f"  {'code':<6} {'name':<12} {'eligible':>8} {'proposals':>9} {'cross-border':>12}")
    for r in proposals.groups():
        print(f"  GM{r['group']:04d} {NAMES.get(int(r['group']), ''):<12} {r['eligible']:8d} {r['proposals']:9d} "
              f"{r['cross_border']:12d}")


def main(argv: Optional[list] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", metavar="CONNINFO", help='PostgreSQL conninfo ("" = the PG* environment variables)')
    ap.add_argument("--region", type=int, default=2)
    ap.add_argument("--org", type=int, help="the viewer's organisation (default: the region's WSP, 400000 + region)")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--per-person", type=int, default=1, help="proposals per person")
    ap.add_argument("--threads", type=int, default=0, help="0 = all cores")
    ap.add_argument("--candidates", type=int, default=4000)
    ap.add_argument("--vacancies", type=int, default=600)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--label", default="nightly.py example")
    a = ap.parse_args(argv)
    org = a.org if a.org is not None else WSP_ORG_BASE + a.region

    db = None
    try:
        if a.db is not None:
            db = lm.Db(a.db, progress=progress_printer("load"))
            pool, travel = load_from_db(db)
            source = "pool from PostgreSQL"
        else:
            pool, travel = generate_pool(a.candidates, a.vacancies, a.seed), None
            source = "generated pool"
        policy = lm.Policy(version=1)
        with pool.snapshot() as snap, lm.Engine(policy, travel, threads=a.threads) as engine:
            batch, proposals = run_batch(snap, engine, a.region, org, a.k, a.per_person)
            if db is not None:
                db.set_progress(progress_printer("write"))
                run_id = db.write_run(batch, proposals, label=a.label, region=a.region)
            summary(snap, batch, proposals, a.region, org, source, a.per_person)
            print(f"written:     run {run_id} (label \"{a.label}\")" if db is not None
                  else "written:     nothing (no --db)")
            proposals.close()
            batch.close()
        pool.close()
    except lm.LibmatchError as e:              # e.status is the C status, e.message the detail
        print(f"nightly: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    finally:
        if db is not None:
            db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
