"""Own data through CSV (docs/own-data.md): random pools written as CSV files
with every documented column, run through `lmatch batch --candidates
--vacancies --out`, give the same top-k lists and proposals as the same pools
built through the C columns (this binding)."""
import csv
import datetime
import os
import subprocess

import numpy as np
import pytest

import libmatch as lm
from conftest import build_dir, gen_data, make_pool

GROUPS = ["bijstand", "nieuw_beschut", "banenafspraak", "wsw", "nug", "statushouder"]
MODES = ["walk", "bike", "pt", "car"]
FLAGS = {0: "licence", 1: "dutch_b1", 2: "vca"}
SCOPES = ["org", "municipality", "region", "national"]
NEEDS = ["job_coach", "supervision", "accessible", "daytime_only", "no_weekends", "part_time"]


def names(bits, table):
    out = [table[b] for b in range(len(table)) if bits >> b & 1]
    return "+".join(out) if out else "-"


def flag_names(bits):
    out = [FLAGS.get(b, f"bit{b}") for b in range(64) if int(bits) >> b & 1]
    return "+".join(out) if out else ""


def num(x):
    return repr(float(np.float32(x))) if isinstance(x, np.floating) and x.dtype == np.float32 else repr(float(x))


def vec(row):
    return ";".join(repr(float(x)) for x in row)


def day(d, i):
    # alternate the two documented spellings: YYYY-MM-DD and a day number
    return (datetime.date(1970, 1, 1) + datetime.timedelta(days=int(d))).isoformat() if i % 2 else str(int(d))


def write_csv(path, c, v, tmp):
    rng = np.random.default_rng(5)
    nc, nv = len(c["id"]), len(v["id"])
    needs = rng.integers(0, 64, nc)
    with open(tmp / "candidates.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        cols = ["id", "owner_org", "municipality", "region", "zone", "lat", "lon", "groups", "readiness",
                "loonwaarde", "vectors", "flags", "hours_min", "hours_max", "modes", "max_minutes",
                "available_from", "scope", "priority", "needs"]
        w.writerow(cols)
        for i in range(nc):
            w.writerow([c["id"][i], c["owner_org"][i], c["municipality"][i], c["region"][i], c["zone"][i],
                        num(c["lat"][i]), num(c["lon"][i]), names(int(c["groups"][i]), GROUPS),
                        "ABCDE"[c["readiness"][i] - 1] if i % 3 else str(c["readiness"][i]),
                        num(c["loonwaarde"][i]), vec(c["vectors"][i]), flag_names(int(c["flags"][i]) | (i % 4 == 0) << 40),
                        num(c["hours_min"][i]), num(c["hours_max"][i]), names(int(c["modes"][i]), MODES),
                        num(c["max_minutes"][i]), day(c["available_from"][i], i), SCOPES[c["scope"][i]],
                        num(c["priority"][i]), names(int(needs[i]), NEEDS)])
    with open(tmp / "vacancies.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        cols = ["id", "employer_id", "municipality", "region", "zone", "lat", "lon", "vectors", "weights",
                "required_flags", "hours_min", "hours_max", "slots", "accepted_groups", "min_loonwaarde",
                "max_readiness", "open_until", "offers", "kind", "title"]
        w.writerow(cols)
        for j in range(nv):
            ag = int(v["accepted_groups"][j])
            w.writerow([v["id"][j], v["employer_id"][j], v["municipality"][j], v["region"][j], v["zone"][j],
                        num(v["lat"][j]), num(v["lon"][j]), vec(v["vectors"][j]), vec(v["weights"][j]),
                        flag_names(v["required_flags"][j]), num(v["hours_min"][j]), num(v["hours_max"][j]),
                        v["slots"][j], "all" if ag == 63 else names(ag, GROUPS), num(v["min_loonwaarde"][j]),
                        "ABCDE"[v["max_readiness"][j] - 1], day(v["open_until"][j], j),
                        # every need offered and regular jobs: the binding has no needs/offers/kind columns yet
                        "+".join(NEEDS), "regular", f'Job "{j}", with a comma'])
    # the binding's pool gets the same host flag bit 40 the CSV adds
    c = dict(c)
    c["flags"] = c["flags"] | np.array([(i % 4 == 0) << 40 for i in range(nc)], np.uint64).astype(c["flags"].dtype)
    return c


def read_rows(path):
    with open(path, newline="") as f:
        return [(int(r["vacancy_id"]), int(r["candidate_id"]), r["score"]) for r in csv.DictReader(f)]


def rows_of(m):
    return [(int(r["vacancy_id"]), int(r["candidate_id"]), f"{float(r['score']):.6f}") for r in m]


@pytest.mark.parametrize("seed", [3, 11])
def test_csv_batch_equals_columns(tmp_path, seed):
    c, v = gen_data(seed, 300, 120, 12, 0.8)
    c = write_csv(tmp_path, c, v, tmp_path)
    out = tmp_path / "out"
    lmatch = build_dir() / "lmatch"
    if not lmatch.exists():
        pytest.skip("no lmatch in the build directory")
    r = subprocess.run([str(lmatch), "batch", "--candidates", str(tmp_path / "candidates.csv"), "--vacancies",
                        str(tmp_path / "vacancies.csv"), "--out", str(out), "--as-of", "150", "--threads", "1"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    pool = make_pool(c, v)
    snap = pool.snapshot()
    eng = lm.Engine(lm.Policy(as_of_day=150), threads=1)
    exp_v, exp_c, exp_p = [], [], []
    for region in sorted(set(int(x) for x in v["region"])):
        res = eng.batch(snap, lm.Viewer(org=400000 + region, region=region), vacancy_region=region)
        exp_v += rows_of(res.matches("vacancy"))
        exp_c += rows_of(res.matches("candidate"))
        exp_p += rows_of(eng.assign(res).proposals)
    assert len(exp_v) > 100 and len(exp_p) > 10
    assert read_rows(out / "vacancy_topk.csv") == exp_v
    assert read_rows(out / "candidate_topk.csv") == exp_c
    assert read_rows(out / "proposals.csv") == exp_p
    eng.close()
    snap.close()
    pool.close()
