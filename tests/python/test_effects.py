"""Effect figures through the binding (libmatch.compute_effects; outcomes.h,
docs/outcomes.md): the hand-built history of tests/unit/test_outcomes.c (its
figures derived by hand there), input forms (columns, row dicts, structured
arrays, dates), the small-numbers rule, errors with the library's message, and
random histories against a recount written here from the docs."""
import ctypes
import datetime as dt
import math

import numpy as np
import pytest

import libmatch as lm
from libmatch import _ffi

A, B, C = 361, 405, 400
N = math.nan

PERSONS = {  # id, org, groups, readiness, home
    "candidate_id": [1, 2, 3, 4, 5, 6, 7, 8],
    "org": [10, 10, 10, 20, 20, 20, 10, 20],
    "groups": [1, 1, 33, 32, 32, 1, 0, 1],
    "readiness": [1, 2, 2, 3, 1, 5, 3, 4],
    "municipality": [A, A, B, B, C, C, A, A],
}
# pid, person, work, kind, proposed, introduced, placed, end, lks (see test_outcomes.c)
RECORDS = [
    (104, 3, B, 1, 199, 210, 240, 500, 1), (101, 1, A, 0, 100, 105, 120, -1, 1),
    (102, 1, B, 1, 110, -1, -1, -1, 0), (103, 2, B, 0, 150, 160, 200, 300, 0),
    (113, 2, A, 0, 170, 650, -1, -1, 0), (105, 3, A, 0, 120, 125, -1, -1, 0),
    (114, 3, C, 0, 160, 170, 700, -1, 1), (106, 4, C, 2, 130, 140, 450, -1, 0),
    (112, 4, B, 0, 190, 195, 198, 250, 1), (107, 5, C, 0, 99, 100, 101, -1, 0),
    (108, 5, A, 0, 200, -1, -1, -1, 0), (109, 5, C, 3, 180, 181, 190, 372, 0),
    (110, 7, A, 0, 50, -1, -1, -1, 0), (115, 8, A, 0, 190, -1, -1, -1, 0),
]
REC_COLS = ("proposal_id", "candidate_id", "work_municipality", "vacancy_kind", "proposed_day",
            "introduced_day", "placed_day", "end_day", "lks")


def records_columns():
    return {c: [r[i] for r in RECORDS] for i, c in enumerate(REC_COLS)}


# (dim, key, people, proposed, introduced, placed, rate, median, obs6, ret6, obs12, ret12, lks): a selection
# of the hand-derived rows of test_outcomes.c
EXPECTED = [
    ("total", 0, 8, 6, 5, 5, 5 / 6, 50, 5, 0.4, 4, 0.25, 3),
    ("group", 1, 5, 4, 3, 3, 0.75, 50, 3, 2 / 3, 2, 0.5, 2),
    ("group", 32, 3, 3, 3, 3, 1, 68, 3, 1 / 3, 2, 0, 2),
    ("readiness", 5, 1, 0, 0, 0, N, N, 0, N, 0, N, 0),
    ("home_municipality", B, 2, 2, 2, 2, 1, 94, 2, 0.5, 1, 0, 2),
    ("work_municipality", C, N, 3, 3, 2, 2 / 3, 165, 1, 0, 1, 0, 0),
    ("org", 20, 4, 3, 2, 2, 2 / 3, 39, 2, 0, 2, 0, 1),
    ("kind", 1, N, 2, 1, 1, 0.5, 41, 1, 1, 0, N, 1),
    ("cross_border", 1, N, 4, 3, 2, 0.5, 185, 1, 0, 1, 0, 0),
    ("flow", B * 100000 + B, N, 2, 2, 2, 1, 24.5, 2, 0.5, 1, 0, 2),
]


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) < 1e-12


def test_hand_built_history():
    fx = lm.compute_effects(PERSONS, records_columns(), 100, 199, 600, threshold=1)
    assert len(fx) == 28
    for dim, key, *vals in EXPECTED:
        row = fx.row(dim, key)
        for name, want in zip(lm.effects.FIG_NAMES, vals):
            assert same(row[name], want), (dim, key, name, row[name], want)
        assert row["suppressed"] == []
    # rows come ordered by dim, then key
    order = [(r["dim"], r["key"]) for r in fx.rows()]
    assert [lm.EffectDim[d.upper()] for d, _ in order] == sorted(lm.EffectDim[d.upper()] for d, _ in order)
    assert [k for d, k in order if d == "home_municipality"] == [A, C, B]


def test_input_forms_agree():
    base = lm.compute_effects(PERSONS, records_columns(), 100, 199, 600, threshold=1).array
    rows = [dict(zip(REC_COLS, r)) for r in RECORDS]
    persons_rows = [dict(zip(PERSONS, v)) for v in zip(*PERSONS.values())]
    b = lm.compute_effects(persons_rows, rows, 100, 199, 600, threshold=1).array
    assert base.tobytes() == b.tobytes()
    # structured arrays, and dates instead of day numbers (None / NaT for "did not happen")
    rec = np.array([r for r in RECORDS], dtype=[(c, np.int64) for c in REC_COLS])
    epoch = np.datetime64("1970-01-01", "D")
    cols = {c: rec[c] for c in REC_COLS}
    for c in ("proposed_day", "introduced_day", "placed_day", "end_day"):
        d = epoch + cols[c].astype("timedelta64[D]")
        d[cols[c] < 0] = np.datetime64("NaT")
        cols[c] = d
    c = lm.compute_effects(PERSONS, cols, epoch + 100, dt.date(1970, 1, 1) + dt.timedelta(days=199),
                           "1971-08-24", threshold=1)  # day 600
    assert c.as_of_day == 600
    assert base.tobytes() == c.array.tobytes()
    rows_dates = [dict(r, placed_day=None if r["placed_day"] < 0 else dt.date(1970, 1, 1)
                       + dt.timedelta(days=r["placed_day"])) for r in rows]
    d = lm.compute_effects(PERSONS, rows_dates, 100, 199, 600, threshold=1).array
    assert base.tobytes() == d.tobytes()


def test_day_number():
    assert lm.day_number(dt.date(1970, 1, 2)) == 1
    assert lm.day_number(dt.datetime(2026, 12, 4, 18, 0)) == lm.day_number("2026-12-04")
    assert lm.day_number(None) == -1
    assert lm.day_number(np.datetime64("NaT")) == -1
    assert lm.day_number(np.datetime64("2000-01-01")) == 10957
    assert lm.day_number(17) == 17


def test_small_numbers_rule():
    open_ = lm.compute_effects(PERSONS, records_columns(), 100, 199, 600, threshold=1)
    shut = lm.compute_effects(PERSONS, records_columns(), 100, 199, 600)  # default 5
    assert shut.threshold == 5
    denom = {"placement_rate": "proposed", "median_days": "placed", "retained_6m": "observed_6m",
             "retained_12m": "observed_12m"}
    for o, s in zip(open_.rows(), shut.rows()):
        for f in lm.effects.FIG_NAMES:
            basis = o[denom.get(f, f)]
            hidden = 1 <= basis < 5
            assert (f in s["suppressed"]) == hidden, (o["dim"], o["key"], f)
            assert math.isnan(s[f]) if hidden else same(s[f], o[f])
    t = shut.row("total")
    assert t["suppressed"] == ["observed_12m", "retained_12m", "lks"]


def test_tables_and_dicts():
    fx = lm.compute_effects(PERSONS, records_columns(), 100, 199, 600, threshold=1)
    groups = fx.table("group")
    assert [g["key"] for g in groups] == [1, 32]
    assert fx.table(lm.EffectDim.GROUP) == groups
    flows = {r["key"]: r["placed"] for r in fx.table("flow")}
    assert flows == {A * 100000 + A: 1, A * 100000 + B: 1, C * 100000 + C: 1, B * 100000 + A: 0,
                     B * 100000 + C: 1, B * 100000 + B: 2}
    with pytest.raises(KeyError):
        fx.row("group", 4)
    with pytest.raises(ValueError):
        fx.table("nonsense")
    assert fx.array.dtype == lm.EFFECT_DTYPE
    assert "28 rows" in repr(fx)


def test_names_match_the_library():
    for enum_t, name_fn, parse_fn in ((lm.Contract, "lm_contract_name", "lm_contract_parse"),
                                      (lm.EndReason, "lm_end_reason_name", "lm_end_reason_parse"),
                                      (lm.EffectDim, "lm_effect_dim_name", "lm_effect_dim_parse"),
                                      (lm.EffectFig, "lm_effect_fig_name", "lm_effect_fig_parse")):
        for m in enum_t:
            assert lm._base.fn(name_fn)(int(m)).decode() == m.name.lower()
            out = _ffi.c_int32()
            assert lm._base.fn(parse_fn)(out, m.name.encode()) == 0 and out.value == int(m)
        assert lm._base.fn(name_fn)(len(enum_t)) is None


def test_contract_names_accepted():
    cols = records_columns()
    cols["contract"] = ["garantiebaan"] * len(RECORDS)
    cols["end_reason"] = ["none" if r[7] < 0 else "dismissed" for r in RECORDS]
    a = lm.compute_effects(PERSONS, cols, 100, 199, 600, threshold=1)
    assert a.row("total")["placed"] == 5


@pytest.mark.parametrize("change,exc,text", [
    (lambda p, r: r.__setitem__("candidate_id", [99] + r["candidate_id"][1:]), lm.UnknownIdError,
     "record 0 (proposal 104): candidate_id 99 is not among the persons"),
    (lambda p, r: p.__setitem__("candidate_id", [1, 2, 3, 4, 5, 6, 7, 1]), lm.DuplicateError,
     "persons 0 and 7 share candidate_id 1"),
    (lambda p, r: r.__setitem__("placed_day", [150] + r["placed_day"][1:]), lm.InvalidArgumentError,
     "record 0 (proposal 104): placed_day 150 before proposed_day 199"),
    (lambda p, r: p.__setitem__("readiness", [0] * 8), lm.RangeError, "readiness 0 outside 1..5"),
    (lambda p, r: r.__setitem__("vacancy_kind", [9] * 14), lm.RangeError, "vacancy_kind 9 unknown"),
    (lambda p, r: r.__setitem__("end_day", [100] + r["end_day"][1:]), lm.InvalidArgumentError,
     "end_day 100 before placed_day 240"),
])
def test_bad_input_names_row_and_id(change, exc, text):
    p, r = {k: list(v) for k, v in PERSONS.items()}, records_columns()
    change(p, r)
    with pytest.raises(exc) as e:
        lm.compute_effects(p, r, 100, 199, 600)
    assert text in str(e.value)


def test_bad_arguments():
    with pytest.raises(lm.RangeError, match="threshold 0"):
        lm.compute_effects(PERSONS, records_columns(), 100, 199, 600, threshold=0)
    with pytest.raises(lm.RangeError, match="as_of_day 150 before to_day 199"):
        lm.compute_effects(PERSONS, records_columns(), 100, 199, 150)
    with pytest.raises(lm.NullArgumentError, match="required column 'municipality'"):
        lm.compute_effects({"candidate_id": [1]}, records_columns(), 100, 199, 600)
    with pytest.raises(TypeError, match="unknown column"):
        lm.compute_effects(dict(PERSONS, colour=[0] * 8), records_columns(), 100, 199, 600)
    with pytest.raises(lm.InvalidArgumentError, match="different lengths"):
        lm.compute_effects(dict(PERSONS, org=[1, 2]), records_columns(), 100, 199, 600)
    with pytest.raises(lm.RangeError, match="do not fit"):
        lm.compute_effects(dict(PERSONS, readiness=[300] * 8), records_columns(), 100, 199, 600)


def test_empty():
    fx = lm.compute_effects({"candidate_id": [], "municipality": []}, [], 0, 0)
    assert len(fx) == 1 and fx.row("total")["people"] == 0
    fx = lm.compute_effects([], [], 0, 0)
    assert len(fx) == 1


# ---- random histories against a recount -------------------------------------
def recount(persons, records, dim, key, lo, hi, as_of, th):
    vside = dim in ("work_municipality", "kind", "cross_border", "flow")
    home = dict(zip(persons["candidate_id"], persons["municipality"]))
    members = []
    for i, cid in enumerate(persons["candidate_id"]):
        attr = {"total": True, "group": bool(persons["groups"][i] & key), "readiness": persons["readiness"][i] == key,
                "home_municipality": persons["municipality"][i] == key, "org": persons["org"][i] == key}
        if vside or attr[dim]:
            members.append(cid)
    fig = dict.fromkeys(lm.effects.FIG_NAMES, 0.0)
    fig["people"] = N if vside else float(len(members))
    days, o = [], {6: [0, 0], 12: [0, 0]}
    for cid in members:
        mine = []
        for r in records:
            if r["candidate_id"] != cid or not lo <= r["proposed_day"] <= hi:
                continue
            cell = {"work_municipality": r["work_municipality"], "kind": r["vacancy_kind"],
                    "cross_border": int(r["work_municipality"] != home[cid]),
                    "flow": home[cid] * 100000 + r["work_municipality"]}
            if vside and cell[dim] != key:
                continue
            mine.append(r)
        if not mine:
            continue
        fig["proposed"] += 1
        fig["introduced"] += any(0 <= r["introduced_day"] <= as_of for r in mine)
        placed = sorted((r["placed_day"], r["proposal_id"], r) for r in mine if 0 <= r["placed_day"] <= as_of)
        if not placed:
            continue
        first = placed[0][2]
        fig["placed"] += 1
        fig["lks"] += first["lks"]
        days.append(first["placed_day"] - min(r["proposed_day"] for r in mine))
        end = first["end_day"] if 0 <= first["end_day"] <= as_of else -1
        for months, span in ((6, 182), (12, 365)):
            at = first["placed_day"] + span
            if at <= as_of:
                o[months][0] += 1
                o[months][1] += end < 0 or end > at
    fig["observed_6m"], fig["observed_12m"] = float(o[6][0]), float(o[12][0])
    fig["retained_6m"] = o[6][1] / o[6][0] if o[6][0] else N
    fig["retained_12m"] = o[12][1] / o[12][0] if o[12][0] else N
    fig["placement_rate"] = fig["placed"] / fig["proposed"] if fig["proposed"] else N
    fig["median_days"] = float(np.median(days)) if days else N
    denom = {"placement_rate": "proposed", "median_days": "placed", "retained_6m": "observed_6m",
             "retained_12m": "observed_12m"}
    hidden = [f for f in lm.effects.FIG_NAMES if 0 < fig[denom.get(f, f)] < th]
    for f in hidden:
        fig[f] = N
    return fig, hidden


def test_random_against_recount():
    rng = np.random.default_rng(13)
    munis = [307, 361, 375, 392, 405]
    for rnd in range(12):
        n_p, n_r = int(rng.integers(1, 25)), int(rng.integers(0, 80))
        persons = {"candidate_id": list(rng.permutation(1000)[:n_p] + 1), "org": list(rng.integers(1, 4, n_p)),
                   "groups": list(rng.integers(0, 8, n_p)), "readiness": list(rng.integers(1, 6, n_p)),
                   "municipality": list(rng.choice(munis, n_p))}
        records = []
        for j in range(n_r):
            prop = int(rng.integers(0, 30))
            placed = prop + int(rng.integers(0, 10)) if rng.random() < 0.4 else -1
            end = placed + int(rng.choice([182, 365, int(rng.integers(0, 400))])) if placed >= 0 and rng.random() < 0.5 else -1
            records.append({"proposal_id": 10 * j + 3, "candidate_id": int(rng.choice(persons["candidate_id"])),
                            "work_municipality": int(rng.choice(munis)), "vacancy_kind": int(rng.integers(0, 6)),
                            "proposed_day": prop,
                            "introduced_day": prop + int(rng.integers(0, 5)) if rng.random() < 0.6 else -1,
                            "placed_day": placed, "end_day": end, "lks": int(rng.integers(0, 2)) if placed >= 0 else 0})
        lo, hi = int(rng.integers(0, 10)), int(rng.integers(10, 30))
        as_of, th = hi + int(rng.integers(0, 500)), int(rng.integers(1, 5))
        fx = lm.compute_effects(persons, records, lo, hi, as_of, th)
        for row in fx.rows():
            fig, hidden = recount(persons, records, row["dim"], row["key"], lo, hi, as_of, th)
            assert row["suppressed"] == hidden, (rnd, row)
            for f in lm.effects.FIG_NAMES:
                assert same(row[f], fig[f]), (rnd, row["dim"], row["key"], f, row[f], fig[f])


def test_struct_layouts_equal_the_compilers(tmp_path):
    """sizeof and offsetof of the outcomes.h structs, printed by the C compiler, equal the binding's."""
    from conftest import ROOT
    import shutil
    import subprocess
    if not shutil.which("cc"):
        pytest.skip("no C compiler")
    fields = {"lm_outcome_person": _ffi.OutcomePerson, "lm_outcome_record": _ffi.OutcomeRecord,
              "lm_effect_row": _ffi.EffectRow}
    src = ["#include <stdio.h>", "#include <stddef.h>", "#include <libmatch/libmatch.h>", "int main(void) {"]
    for cname, ct in fields.items():
        src.append(f'printf("{cname} %zu\\n", sizeof({cname}));')
        for f, _ in ct._fields_:
            src.append(f'printf("{cname}.{f} %zu\\n", offsetof({cname}, {f}));')
    src.append("return 0; }")
    (tmp_path / "l.c").write_text("\n".join(src))
    subprocess.run(["cc", "-std=c11", "-I", str(ROOT / "libmatch" / "include"), "-o", str(tmp_path / "l"),
                    str(tmp_path / "l.c")], check=True)
    out = dict(line.rsplit(" ", 1) for line in
               subprocess.run([str(tmp_path / "l")], capture_output=True, text=True, check=True).stdout.splitlines())
    for cname, ct in fields.items():
        assert int(out[cname]) == ctypes.sizeof(ct), cname
        for f, _ in ct._fields_:
            assert int(out[f"{cname}.{f}"]) == getattr(ct, f).offset, f"{cname}.{f}"
    assert lm.effects._PERSON_DTYPE.itemsize == int(out["lm_outcome_person"])
    assert lm.effects._RECORD_DTYPE.itemsize == int(out["lm_outcome_record"])
