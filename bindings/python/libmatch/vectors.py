"""Competence vectors from O*NET-SOC occupation codes (docs/own-data.md,
"Competence vectors from occupation codes"): the same as `lmatch vectors`.

A person's vector is the skill levels (0..7) of their occupation, a vacancy's
requirement vector the levels of its occupation and its weights the skills'
importance (1..5), for the 35 O*NET skills (SKILLS, in vector order). Levels
or importances can be overridden per skill; several codes are averaged.

    import libmatch.vectors as lv
    v = lv.occupation_vectors(["43-4051.00", "53-7062"])                  # (2, 35) levels
    r, w = lv.occupation_vectors(["43-4051.00"], side="vacancies")        # levels, importance
    lv.vectors_csv("people.csv", "candidates", out="people_vectors.csv")  # as lmatch vectors

Skill profiles: O*NET database by the U.S. Department of Labor, Employment and
Training Administration (USDOL/ETA), CC BY 4.0 (libmatch/data/ATTRIBUTION.md).
Pure Python and numpy: the C library is not needed.
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

__all__ = ["SKILLS", "VectorsError", "profiles", "onet_mean", "occupation_vectors", "vectors_csv",
           "data_path", "ATTRIBUTION"]

ATTRIBUTION = ("Skill profiles: O*NET database by the U.S. Department of Labor, Employment and Training "
               "Administration (USDOL/ETA), CC BY 4.0 (libmatch/data/ATTRIBUTION.md).")
NSKILLS = 35
MAX_CODES = 16


class VectorsError(ValueError):
    """A bad input row or code; the message is "FILE:LINE: column NAME: what is wrong"
    (the same as lmatch vectors) or names the code."""


def data_path() -> Path:
    """The shipped onet_skills.csv: LIBMATCH_ONET_SKILLS, the package's data
    folder (installed), or the repository's libmatch/data (source tree)."""
    env = os.environ.get("LIBMATCH_ONET_SKILLS")
    here = Path(__file__).resolve().parent
    for p in ([Path(env)] if env else []) + [here / "data" / "onet_skills.csv",
                                              here.parents[2] / "libmatch" / "data" / "onet_skills.csv"]:
        if p.is_file():
            return p
    raise FileNotFoundError("onet_skills.csv not found: set LIBMATCH_ONET_SKILLS, install the package with its "
                            "data (pip install bindings/python) or use it from the repository")


class _Profiles:
    def __init__(self, path: Path) -> None:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        self.skills = [c[3:] for c in rows[0] if c.startswith("lv_")]
        assert len(self.skills) == NSKILLS and [c[3:] for c in rows[0] if c.startswith("im_")] == self.skills
        self.codes = [r["onet_soc"] for r in rows]
        self.titles = [r["title"] for r in rows]
        # as the C table: hundredths, then / 100.0 (the same doubles as lmatch vectors)
        self.level = np.array([[round(float(r["lv_" + s]) * 100) for s in self.skills] for r in rows]) / 100.0
        self.importance = np.array([[round(float(r["im_" + s]) * 100) for s in self.skills] for r in rows]) / 100.0
        self.index = {c: i for i, c in enumerate(self.codes)}
        mean = []
        for k in range(NSKILLS):  # summed in table order, as lmatch vectors does
            s = 0.0
            for i in range(len(self.codes)):
                s += float(self.level[i, k])
            mean.append(s / len(self.codes))
        self.mean = np.array(mean)


_P: Optional[_Profiles] = None


def profiles() -> "_Profiles":
    """The shipped profiles: .codes, .titles, .skills, .level (n, 35), .importance (n, 35), .mean (35,)."""
    global _P
    if _P is None:
        _P = _Profiles(data_path())
    return _P


SKILLS: List[str] = ["reading_comprehension", "active_listening", "writing", "speaking", "mathematics", "science",
                     "critical_thinking", "active_learning", "learning_strategies", "monitoring",
                     "social_perceptiveness", "coordination", "persuasion", "negotiation", "instructing",
                     "service_orientation", "complex_problem_solving", "operations_analysis", "technology_design",
                     "equipment_selection", "installation", "programming", "operation_monitoring",
                     "operation_and_control", "equipment_maintenance", "troubleshooting", "repairing",
                     "quality_control_analysis", "judgment_and_decision_making", "systems_analysis",
                     "systems_evaluation", "time_management", "management_of_financial_resources",
                     "management_of_material_resources", "management_of_personnel_resources"]


def onet_mean() -> np.ndarray:
    """The mean level per skill over the shipped occupations (the centre of --centre)."""
    return profiles().mean.copy()


def _lookup(cell: str) -> Tuple[np.ndarray, np.ndarray]:
    """Mean levels and importances of the ';'-separated codes of one cell; ValueError naming a bad code."""
    P = profiles()
    codes = [c.strip() for c in str(cell).split(";") if c.strip()]
    if not codes:
        raise ValueError("empty (give an O*NET-SOC code such as 43-4051.00)")
    if len(codes) > MAX_CODES:
        raise ValueError(f"more than {MAX_CODES} codes")
    lv = np.zeros(NSKILLS)
    im = np.zeros(NSKILLS)
    for c in codes:
        full = c + ".00" if len(c) == 7 and c[2] == "-" else c
        i = P.index.get(full)
        if i is None:
            raise ValueError(f"'{c[:40]}' is not an O*NET-SOC 2010 code with a skill profile (codes like "
                             f"43-4051.00; the {len(P.codes)} codes are in libmatch/data/onet_skills.csv)")
        lv += P.level[i]
        im += P.importance[i]
    return lv / len(codes), im / len(codes)


def occupation_vectors(codes: Sequence[str], side: str = "candidates",
                       levels: Optional[Mapping[str, Sequence[Any]]] = None,
                       importance: Optional[Mapping[str, Sequence[Any]]] = None,
                       centre: bool = False) -> Union[np.ndarray, Tuple[np.ndarray, np.ndarray]]:
    """Vectors for a list of O*NET-SOC codes (each may hold several codes
    separated by ';', averaged). levels / importance: per-skill overrides,
    {skill: values per row} (None or NaN: keep the occupation's); importance
    only for side="vacancies". centre: subtract onet_mean() from the levels.

    Returns float32 arrays: candidates -> levels (n, 35); vacancies ->
    (levels (n, 35), importance weights (n, 35)), ready for Pool.add_candidates
    (vectors=) and Pool.add_vacancies (vectors=, weights=). Raises VectorsError
    naming the row and the bad code or value.
    """
    if side not in ("candidates", "vacancies"):
        raise ValueError(f"side: '{side}' is not one of candidates, vacancies")
    if importance and side != "vacancies":
        raise VectorsError("importance overrides apply to side='vacancies' only")
    n = len(codes)
    lv = np.zeros((n, NSKILLS))
    im = np.zeros((n, NSKILLS))
    for i, c in enumerate(codes):
        try:
            lv[i], im[i] = _lookup(c)
        except ValueError as e:
            raise VectorsError(f"row {i}: onet_soc: {e}") from None
    for over, arr, lo, hi in ((levels, lv, 0.0, 7.0), (importance, im, 1.0, 5.0)):
        for skill, vals in (over or {}).items():
            if skill not in SKILLS:
                raise VectorsError(f"'{skill}' is not one of the 35 O*NET skills (libmatch.vectors.SKILLS)")
            k = SKILLS.index(skill)
            vals = list(vals)
            if len(vals) != n:
                raise VectorsError(f"{skill}: {len(vals)} values for {n} codes")
            for i, v in enumerate(vals):
                if v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip()):
                    continue
                x = float(v)
                if not lo <= x <= hi:
                    raise VectorsError(f"row {i}: {skill}: {v} is outside {lo:g}..{hi:g}")
                arr[i, k] = x
    if centre:
        lv = lv - profiles().mean
    if side == "candidates":
        return lv.astype(np.float32)
    return lv.astype(np.float32), im.astype(np.float32)


# ---- CSV, as lmatch vectors ---------------------------------------------------
def _records(text: str):
    """(line, fields) per record; '#' lines where a record would start are
    comments (as lmatch vectors and lmatch batch read them)."""
    buf: List[str] = []
    start = 0
    quotes = 0
    for no, line in enumerate(text.splitlines(keepends=True), 1):
        if not buf and line.startswith("#"):
            continue
        if not buf:
            start = no
        buf.append(line)
        quotes += line.count('"')
        if quotes % 2 == 0:
            rec = "".join(buf)
            buf, quotes = [], 0
            if not rec.strip("\r\n"):
                continue  # an empty line
            fields = next(csv.reader(io.StringIO(rec), strict=True), [])
            yield start, fields
    if buf:
        raise VectorsError(f"{{path}}:{start}: a quoted field is not closed (a missing '\"')")


def _fmt(v: np.ndarray) -> str:
    return ";".join("0" if abs(x) < 5e-7 else format(float(x), ".7g") for x in v)


def _field(s: str) -> str:
    if any(ch in s for ch in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def vectors_csv(path: Union[str, Path], side: str, out: Optional[Union[str, Path]] = None,
                centre: bool = False) -> str:
    """Read an occupations CSV file and return (and write to `out`, whole or
    not at all) the CSV text that `lmatch vectors --occupations PATH --side
    SIDE [--centre]` writes. Input columns: id, onet_soc, optional lv_SKILL
    and (vacancies) im_SKILL overrides, any other column passed through.
    Raises VectorsError "PATH:LINE: column NAME: what is wrong"."""
    if side not in ("candidates", "vacancies"):
        raise ValueError(f"side: '{side}' is not one of candidates, vacancies")
    path = str(path)
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    vac = side == "vacancies"

    def bad(line: int, col: Optional[str], msg: str) -> VectorsError:
        return VectorsError(f"{path}:{line}: " + (f"column {col}: " if col else "") + msg)

    try:
        recs = list(_records(text))
    except VectorsError as e:
        raise VectorsError(str(e).replace("{path}", path)) from None
    except csv.Error:
        raise VectorsError(f"{path}: bad quoting (a field with a quote or comma must be quoted whole, inner "
                           "quotes doubled)") from None
    if not recs:
        raise bad(1, None, "no header row")
    hline, header = recs[0]
    header = [h.strip(" \t\r\n") for h in header]
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    roles: List[Any] = []
    for i, name in enumerate(header):
        if not name:
            raise bad(hline, None, f"column {i + 1} has no name")
        if name in header[:i]:
            raise bad(hline, name, "appears twice in the header")
        if name in ("id", "onet_soc"):
            roles.append(name)
        elif name == "vectors" or (name == "weights" and vac):
            raise bad(hline, name, "already present (lmatch vectors writes it; leave it out of the input)")
        elif name.startswith(("lv_", "im_")):
            if name[3:] not in SKILLS:
                raise bad(hline, name, f"'{name[3:]}' is not one of the 35 O*NET skills (reading_comprehension, "
                                       "active_listening, ...; see docs/own-data.md)")
            if name.startswith("im_") and not vac:
                raise bad(hline, name, "importance overrides apply to --side vacancies only")
            roles.append((name[:2], SKILLS.index(name[3:])))
        else:
            roles.append(None)
    for req in ("id", "onet_soc"):
        if req not in header:
            raise bad(hline, req, "missing (a required column)")
    mean = profiles().mean if centre else np.zeros(NSKILLS)
    lines = [f"# lmatch vectors --side {side}{' --centre' if centre else ''}: vectors = "
             + ("the required O*NET skill levels (0..7)" if vac else "O*NET skill levels (0..7)")
             + (" minus the mean of the 967 occupations" if centre else "") + ", "
             + ("weights = their importance (1..5), " if vac else "")
             + "numbers separated by ';' in this order: " + ";".join(SKILLS),
             "# " + ATTRIBUTION]
    keep = [i for i, r in enumerate(roles) if r is None or r == "id"]
    lines.append(",".join(_field(header[i]) for i in keep) + ",vectors" + (",weights" if vac else ""))
    seen: Dict[int, int] = {}
    dups: List[Tuple[int, int, int]] = []
    for line, fields in recs[1:]:
        if len(fields) == 1 and not fields[0].strip():
            continue
        if len(fields) != len(header):
            raise bad(line, None, f"{len(fields)} fields, the header has {len(header)} (a field with a comma "
                                  "must be quoted)")
        idtxt = fields[header.index("id")].strip(" \t")
        try:
            ident = int(idtxt, 10)
            if not -2**63 <= ident < 2**63 or idtxt.startswith(("0x", "_")) or "_" in idtxt:
                raise ValueError
        except ValueError:
            raise bad(line, "id", f"'{idtxt[:40]}' is not an integer") from None
        try:
            lv, im = _lookup(fields[header.index("onet_soc")])
        except ValueError as e:
            raise bad(line, "onet_soc", str(e)) from None
        for i, r in enumerate(roles):
            if not isinstance(r, tuple):
                continue
            s = fields[i].strip(" \t\r\n")
            if not s:
                continue
            lo, hi = (1.0, 5.0) if r[0] == "im" else (0.0, 7.0)
            try:
                x = float(s)
                if not np.isfinite(x) or s.lower() in ("nan", "inf", "-inf", "infinity"):
                    raise ValueError
            except ValueError:
                raise bad(line, header[i], f"'{s[:40]}' is not a number") from None
            if not lo <= x <= hi:
                raise bad(line, header[i], f"{s[:40]} is outside {lo:g}..{hi:g}")
            (im if r[0] == "im" else lv)[r[1]] = x
        lv = lv - mean
        if ident in seen:
            dups.append((line, ident, seen[ident]))
        else:
            seen[ident] = line
        cells = [_field(idtxt if roles[i] == "id" else fields[i]) for i in keep]
        lines.append(",".join(cells) + "," + _fmt(lv) + ("," + _fmt(im) if vac else ""))
    if dups:  # after every row is checked, the first repeat in the file (as lmatch vectors)
        line, ident, first = min(dups)
        raise bad(line, "id", f"{ident} appears twice (also line {first})")
    result = "\n".join(lines) + "\n"
    if out is not None:
        tmp = str(out) + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(result)
        os.replace(tmp, out)
    return result
