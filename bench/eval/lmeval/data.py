"""Reference data and the synthetic labour-market region of the evaluation.

Everything is drawn from one numpy Generator seeded by the caller, so a seed
gives the same region, people, vacancies and variants on every machine.
Definitions (thresholds, shares, variants) are documented in docs/quality.md;
the numbers live here, in one place.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np

DIM = 35
LEVEL_MAX = 7.0

# Arbeidsmarktregio's (../shared/data/README.md), CBS codes as in the 2017
# postcode file: Dijk en Waard (GM1980, 2022) is still Heerhugowaard GM0398
# and Langedijk GM0416 there.
REGIONS = {
    1: ("Zuid-Kennemerland en IJmond", ["0375", "0396", "0453", "0377", "0392", "0397", "0473"]),
    2: ("Noord-Holland Noord", ["0361", "0373", "0383", "0398", "0416", "0399", "0450", "0400", "1911",
                                "0441", "0448", "0405", "0388", "1598", "0420", "0432", "0498", "0532"]),
}
MERGED_2024 = {"0398": "1980", "0416": "1980"}  # population of the 2024 municipality, split by PC4 count

# Sizes per mode: people, vacancies, occupations that have vacancies.
SIZES = {
    "full": dict(n_people=3000, n_vacancies=600, n_occupations=150),
    "quick": dict(n_people=1000, n_vacancies=200, n_occupations=50),
    "tiny": dict(n_people=240, n_vacancies=60, n_occupations=15),
}

READINESS_SHARES = [0.12, 0.26, 0.24, 0.20, 0.18]   # A..E (BBS 2017: 12 % A, 26 % B, 62 % C-E)
VAC_MAX_READINESS = ([5, 4, 3], [0.5, 0.3, 0.2])     # vacancies accept up to E / D / C
MODE_SHARES = {"walk": 1.0, "bike": 0.9, "pt": 0.75, "car": 0.3}
OWN_LIMIT_SHARE, OWN_LIMITS = 0.25, [30, 45, 60]     # people with their own travel limit (minutes)
PERSON_HOURS_MIN, PERSON_HOURS_SPAN = [0, 8, 12, 16, 20, 24, 32], [8, 12, 16, 20]
VACANCY_HOURS = [(8, 16), (12, 20), (16, 24), (20, 32), (24, 32), (32, 40), (36, 40), (24, 40)]
SLOTS = ([1, 2, 3], [0.8, 0.15, 0.05])
JITTER_DEG = 0.004                                   # about 300-450 m around the PC4 centroid

NOISE_SD = 0.75            # individual variation on the 0-7 level scale
USED_IMPORTANCE = 3.0      # a skill is "used"/"important" for an occupation at importance >= 3 (1-5 scale)
UNUSED_NOISE_SD, USED_NOISE_SD = 1.5, 0.25
SHIFT, SHIFT_SHARE = 1.0, 0.5
MISSING_SHARE = 0.3
FOREIGN_SHARE = 0.3
CANDO_TOLERANCE = 0.5      # "can do": level >= required - tolerance on every important skill
CANDO_MIN_SKILLS = 3       # an occupation with no skill at importance >= 3 uses its 3 most important

VARIANTS = {
    "noise_all": "every skill level = the occupation's O*NET level + N(0, %.2f), clipped to 0..7" % NOISE_SD,
    "noise_unused": ("N(0, %.2f) on the skills the occupation uses (importance >= %.0f), N(0, %.2f) on the others"
                     % (USED_NOISE_SD, USED_IMPORTANCE, UNUSED_NOISE_SD)),
    "overqualified": "as noise_all, then %d %% of the people (at random) have every level %+.1f (clipped)"
                     % (SHIFT_SHARE * 100, SHIFT),
    "underqualified": "as noise_all, then %d %% of the people have every level %+.1f (clipped)"
                      % (SHIFT_SHARE * 100, -SHIFT),
    "missing_mean": ("as noise_all, then %d %% of each person's skills are unknown and given to the library as the "
                     "people's mean level of that skill (truths use the true levels)" % (MISSING_SHARE * 100)),
    "missing_zero": "as missing_mean, but the unknown skills are given as 0",
    "foreign_occupations": ("as noise_all, but %d %% of the people have an occupation (same skill range) that no "
                            "vacancy has" % (FOREIGN_SHARE * 100)),
}

TRUTHS = {
    "occupation": "the person's O*NET-SOC occupation is the vacancy's",
    "group": "same SOC minor group: the first four characters of the code (XX-X, i.e. minor group XX-X000)",
    "can_do": ("the person's true level is at least the required level - %.1f on every skill the vacancy's "
               "occupation rates important (importance >= %.0f; the %d most important when none is)"
               % (CANDO_TOLERANCE, USED_IMPORTANCE, CANDO_MIN_SKILLS)),
}


class DataMissing(Exception):
    """The reference data directory or one of its files is absent."""


@dataclass
class Occupations:
    code: List[str]
    title: List[str]
    im: np.ndarray   # (k, 35) importance 1..5
    lv: np.ndarray   # (k, 35) level 0..7
    skills: List[str]

    def group(self, idx: np.ndarray) -> np.ndarray:
        keys = sorted({c[:4] for c in self.code})
        pos = {g: i for i, g in enumerate(keys)}
        return np.array([pos[self.code[i][:4]] for i in idx], dtype=np.int32)


@dataclass
class Places:
    pc4: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    municipality: np.ndarray   # CBS number (2017), e.g. 392
    region: np.ndarray         # 1 or 2 (REGIONS)
    weight: np.ndarray         # sampling probability (municipal population / its PC4 count)


def _need(path: Path) -> Path:
    if not path.is_file():
        raise DataMissing(f"reference data file {path} not found")
    return path


def load_occupations(data: Path) -> Occupations:
    with open(_need(data / "onet_skill_profiles.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    _need(data / "onet_occupations.csv")
    im_cols = [c for c in rows[0] if c.startswith("im_")]
    lv_cols = [c for c in rows[0] if c.startswith("lv_")]
    assert len(im_cols) == DIM and [c[3:] for c in im_cols] == [c[3:] for c in lv_cols]
    im = np.array([[float(r[c]) for c in im_cols] for r in rows])
    lv = np.array([[float(r[c]) for c in lv_cols] for r in rows])
    return Occupations([r["onet_soc"] for r in rows], [r["title"] for r in rows], im, lv,
                       [c[3:] for c in lv_cols])


def load_places(data: Path) -> Places:
    pop: Dict[str, float] = {}
    with open(_need(data / "nl_gemeenten_2024.tsv"), newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            pop[r["gemeente_code"][2:]] = float(r["population"])
    want = {c: reg for reg, (_, codes) in REGIONS.items() for c in codes}
    seen, rows = set(), []
    with open(_need(data / "nl_pc4_2017.tsv"), newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            code = r["gemeente_code"][2:]
            if code in want and r["pc4"] not in seen:   # a PC4 spanning two places: first row
                seen.add(r["pc4"])
                rows.append((int(r["pc4"]), float(r["lat"]), float(r["lon"]), code))
    rows.sort()
    codes = [r[3] for r in rows]
    n_pc4: Dict[str, int] = {}
    for c in codes:
        k = MERGED_2024.get(c, c)
        n_pc4[k] = n_pc4.get(k, 0) + 1
    w = np.array([pop.get(MERGED_2024.get(c, c), 0.0) / n_pc4[MERGED_2024.get(c, c)] for c in codes])
    if w.sum() <= 0:
        raise DataMissing("no population for the region's municipalities in nl_gemeenten_2024.tsv")
    return Places(np.array([r[0] for r in rows]), np.array([r[1] for r in rows]), np.array([r[2] for r in rows]),
                  np.array([int(c) for c in codes], dtype=np.int32),
                  np.array([want[c] for c in codes], dtype=np.int32), w / w.sum())


@dataclass
class Population:
    """One variant: people and vacancies as the library sees them, and the truth."""
    variant: str
    occ: Occupations
    people_occ: np.ndarray        # (n,) index into occ
    vac_occ: np.ndarray           # (m,)
    true_levels: np.ndarray       # (n, 35) the person's levels (what truths use)
    observed: np.ndarray          # (n, 35) what the library gets (raw levels)
    req: np.ndarray               # (m, 35) vacancy requirement = occupation levels
    imp: np.ndarray               # (m, 35) importance weights 1..5
    cand: Dict[str, np.ndarray]   # other candidate columns (no vectors)
    vac: Dict[str, np.ndarray]    # other vacancy columns (no vectors/weights)
    notes: Dict[str, object] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.people_occ)

    @property
    def m(self) -> int:
        return len(self.vac_occ)

    def mean(self) -> np.ndarray:
        """Population mean per skill: candidates' raw vectors and vacancy
        requirements, each row counted once (what lm_pool_set_centre(NULL) uses)."""
        return np.concatenate([self.observed, self.req]).mean(axis=0)


@dataclass
class Region:
    """The fixed part shared by every variant: places, people's circumstances, vacancies."""
    occ: Occupations
    low: np.ndarray               # occupations in the lower half of the skill range
    vac_occs: np.ndarray          # occupations that have vacancies
    occ_weight: np.ndarray        # their frequency (people and vacancies alike)
    other_occs: np.ndarray        # lower-half occupations without vacancies
    vac_occ: np.ndarray
    people_occ: np.ndarray
    cand: Dict[str, np.ndarray]
    vac: Dict[str, np.ndarray]
    seed: int
    places: Places


def _sample_places(rng: np.random.Generator, places: Places, k: int):
    i = rng.choice(len(places.pc4), size=k, p=places.weight)
    lat = places.lat[i] + rng.normal(0, JITTER_DEG, k)
    lon = places.lon[i] + rng.normal(0, JITTER_DEG * 1.6, k)
    return i, lat, lon


def _people_columns(rng: np.random.Generator, places: Places, n: int) -> Dict[str, np.ndarray]:
    i, lat, lon = _sample_places(rng, places, n)
    modes = np.ones(n, dtype=np.uint8)  # walk
    for bit, nm in ((2, "bike"), (4, "pt"), (8, "car")):
        modes |= np.where(rng.random(n) < MODE_SHARES[nm], bit, 0).astype(np.uint8)
    hmin = rng.choice(PERSON_HOURS_MIN, n).astype(np.float32)
    hmax = np.minimum(hmin + rng.choice(PERSON_HOURS_SPAN, n), 40).astype(np.float32)
    own = np.where(rng.random(n) < OWN_LIMIT_SHARE, rng.choice(OWN_LIMITS, n), 0).astype(np.float32)
    return dict(id=np.arange(1, n + 1, dtype=np.int64), owner_org=(1 + places.region[i]).astype(np.int64),
                municipality=places.municipality[i], region=places.region[i], lat=lat, lon=lon,
                readiness=(1 + rng.choice(5, n, p=READINESS_SHARES)).astype(np.uint8),
                hours_min=hmin, hours_max=hmax, modes=modes, max_minutes=own, pc4=places.pc4[i])


def _vacancy_columns(rng: np.random.Generator, places: Places, m: int) -> Dict[str, np.ndarray]:
    i, lat, lon = _sample_places(rng, places, m)
    h = np.array(VACANCY_HOURS, dtype=np.float32)[rng.choice(len(VACANCY_HOURS), m)]
    return dict(id=np.arange(100001, 100001 + m, dtype=np.int64),
                employer_id=rng.integers(1, max(2, m // 3), m).astype(np.int64),
                municipality=places.municipality[i], region=places.region[i], lat=lat, lon=lon,
                hours_min=h[:, 0].copy(), hours_max=h[:, 1].copy(),
                max_readiness=rng.choice(VAC_MAX_READINESS[0], m, p=VAC_MAX_READINESS[1]).astype(np.uint8),
                slots=rng.choice(SLOTS[0], m, p=SLOTS[1]).astype(np.int32), pc4=places.pc4[i])


def make_region(data: Path, mode: str, seed: int) -> Region:
    occ = load_occupations(data)
    places = load_places(data)
    size = SIZES[mode]
    rng = np.random.default_rng([seed, 1])
    mean_level = occ.lv.mean(axis=1)
    low = np.flatnonzero(mean_level <= np.median(mean_level))
    vac_occs = np.sort(rng.choice(low, size=size["n_occupations"], replace=False))
    other = np.setdiff1d(low, vac_occs)
    weight = rng.dirichlet(np.ones(len(vac_occs)) * 2.0)
    vac_occ = vac_occs[rng.choice(len(vac_occs), size["n_vacancies"], p=weight)]
    people_occ = vac_occs[rng.choice(len(vac_occs), size["n_people"], p=weight)]
    cand = _people_columns(rng, places, size["n_people"])
    vac = _vacancy_columns(rng, places, size["n_vacancies"])
    return Region(occ, low, vac_occs, weight, other, vac_occ, people_occ, cand, vac, seed, places)


def _clip(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0.0, LEVEL_MAX)


def make_variant(region: Region, variant: str) -> Population:
    """People's vectors for one variant; everything else is the region's."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}")
    rng = np.random.default_rng([region.seed, 2, list(VARIANTS).index(variant)])
    occ = region.occ
    people_occ = region.people_occ.copy()
    n = len(people_occ)
    notes: Dict[str, object] = {}
    if variant == "foreign_occupations":
        who = rng.random(n) < FOREIGN_SHARE
        people_occ[who] = rng.choice(region.other_occs, int(who.sum()))
        notes["foreign_people"] = int(who.sum())
    base = occ.lv[people_occ]
    if variant == "noise_unused":
        used = occ.im[people_occ] >= USED_IMPORTANCE
        sd = np.where(used, USED_NOISE_SD, UNUSED_NOISE_SD)
        true = _clip(base + rng.normal(0.0, 1.0, base.shape) * sd)
    else:
        true = _clip(base + rng.normal(0.0, NOISE_SD, base.shape))
    if variant in ("overqualified", "underqualified"):
        who = rng.random(n) < SHIFT_SHARE
        true[who] = _clip(true[who] + (SHIFT if variant == "overqualified" else -SHIFT))
        notes["shifted_people"] = int(who.sum())
    observed = true.copy()
    if variant.startswith("missing_"):
        miss = rng.random(true.shape) < MISSING_SHARE
        known = np.where(miss, np.nan, true)
        fill = np.nanmean(known, axis=0) if variant == "missing_mean" else np.zeros(DIM)
        observed = np.where(miss, fill[None, :], true)
        notes["missing_share"] = float(miss.mean())
        notes["fill"] = "people's mean of the known values" if variant == "missing_mean" else "0"
    vac_occ = region.vac_occ
    return Population(variant, occ, people_occ, vac_occ, true.astype(np.float64), observed.astype(np.float64),
                      occ.lv[vac_occ].astype(np.float64), occ.im[vac_occ].astype(np.float64),
                      region.cand, region.vac, notes)


def important_mask(im: np.ndarray) -> np.ndarray:
    """Skills that count for "can do": importance >= USED_IMPORTANCE, or the
    CANDO_MIN_SKILLS most important when an occupation rates none that high."""
    mask = im >= USED_IMPORTANCE
    top = np.argsort(-im, axis=1, kind="stable")[:, :CANDO_MIN_SKILLS]
    fallback = np.zeros_like(mask)
    np.put_along_axis(fallback, top, True, axis=1)
    none = ~mask.any(axis=1)
    mask[none] = fallback[none]
    return mask


def truths(pop: Population, chunk: int = 64) -> Dict[str, np.ndarray]:
    """Relevance matrices (m vacancies x n people, bool) for every truth."""
    out = {"occupation": pop.vac_occ[:, None] == pop.people_occ[None, :]}
    gv, gp = pop.occ.group(pop.vac_occ), pop.occ.group(pop.people_occ)
    out["group"] = gv[:, None] == gp[None, :]
    imp = important_mask(pop.imp)
    need = pop.req - CANDO_TOLERANCE
    cando = np.empty((pop.m, pop.n), dtype=bool)
    for s in range(0, pop.m, chunk):
        e = min(pop.m, s + chunk)
        short = pop.true_levels[None, :, :] < need[s:e, None, :]          # (c, n, 35)
        cando[s:e] = ~(short & imp[s:e, None, :]).any(axis=2)
    out["can_do"] = cando
    return out


def find_data(explicit: Optional[str], root: Path) -> Path:
    """The data directory: explicit, else $LIBMATCH_EVAL_DATA, else
    ../shared/data beside the repository."""
    explicit = explicit or os.environ.get("LIBMATCH_EVAL_DATA")
    p = Path(explicit) if explicit else root.parent / "shared" / "data"
    if not p.is_dir():
        raise DataMissing(f"reference data directory {p} not found (make eval EVAL_DATA=/path/to/shared/data, "
                          "or run.py --data, or LIBMATCH_EVAL_DATA)")
    return p
