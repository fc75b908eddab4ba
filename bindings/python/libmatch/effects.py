"""Effect figures from placements (outcomes.h, docs/outcomes.md): people in the
pool, proposed, introduced, placed, placement rate, median days to placement,
retention at 6 and 12 months and loonkostensubsidie, per target group,
readiness, municipality of residence and of work, organisation, vacancy kind,
cross-border versus local, and per flow between municipalities. Small cells are
suppressed (threshold 5 by default): these are personal data.

Example::

    import datetime as dt, libmatch as lm
    fx = lm.compute_effects(
        persons={"candidate_id": [1, 2], "org": 10, "groups": lm.Group.BIJSTAND,
                 "readiness": [1, 3], "municipality": [361, 405]},
        records={"proposal_id": [7, 8], "candidate_id": [1, 2], "work_municipality": [361, 361],
                 "proposed_day": [dt.date(2026, 3, 2), dt.date(2026, 3, 9)],
                 "placed_day": [dt.date(2026, 4, 1), None]},
        from_day=dt.date(2026, 1, 1), to_day=dt.date(2026, 6, 30), threshold=1)
    fx.row("total")["placed"]          # 1.0
    fx.table("home_municipality")      # list of dicts, one per municipality

Days are day numbers (days since 1970-01-01) or dates (datetime.date,
numpy.datetime64); None or NaT means "did not happen (yet)".
"""
from __future__ import annotations

import ctypes
import datetime as _dt
import enum
from typing import Any, Dict, Iterator, List, Union

import numpy as np

from . import _ffi
from ._base import LIB, fn
from .errors import LM_ERR_INVALID, LM_ERR_NULL, LM_ERR_RANGE, make_error

__all__ = ["Contract", "EndReason", "EffectDim", "EffectFig", "Effects", "compute_effects",
           "PERSON_COLUMNS", "RECORD_COLUMNS", "day_number"]


class Contract(enum.IntEnum):
    """Contract kind of a placement (lm_contract)."""
    REGULAR = 0
    GARANTIEBAAN = 1
    BESCHUT = 2
    DETACHERING = 3
    WERKERVARINGSPLEK = 4
    OTHER = 5


class EndReason(enum.IntEnum):
    """Why a placement ended (lm_end_reason)."""
    NONE = 0
    CONTRACT_ENDED = 1
    DISMISSED = 2
    PERSON_LEFT = 3
    MOVED = 4
    OTHER = 5


class EffectDim(enum.IntEnum):
    """The breakdowns of the figures (lm_effect_dim)."""
    TOTAL = 0
    GROUP = 1
    READINESS = 2
    HOME_MUNICIPALITY = 3
    WORK_MUNICIPALITY = 4
    ORG = 5
    KIND = 6
    CROSS_BORDER = 7
    FLOW = 8


class EffectFig(enum.IntEnum):
    """The figures of a row (lm_effect_fig)."""
    PEOPLE = 0
    PROPOSED = 1
    INTRODUCED = 2
    PLACED = 3
    PLACEMENT_RATE = 4
    MEDIAN_DAYS = 5
    OBSERVED_6M = 6
    RETAINED_6M = 7
    OBSERVED_12M = 8
    RETAINED_12M = 9
    LKS = 10


FIG_NAMES = [f.name.lower() for f in EffectFig]
DIM_NAMES = [d.name.lower() for d in EffectDim]

# The C structs as numpy dtypes (same layout: checked against ctypes on import).
_PERSON_DTYPE = np.dtype([("struct_size", np.uintp), ("candidate_id", np.int64), ("org", np.int64),
                          ("groups", np.uint32), ("readiness", np.uint8), ("reserved", np.uint8, 3),
                          ("municipality", np.int32)], align=True)
_RECORD_DTYPE = np.dtype([("struct_size", np.uintp), ("proposal_id", np.int64), ("candidate_id", np.int64),
                          ("vacancy_id", np.int64), ("org", np.int64), ("work_municipality", np.int32),
                          ("vacancy_kind", np.uint8), ("contract", np.uint8), ("lks", np.uint8),
                          ("end_reason", np.uint8), ("proposed_day", np.int32), ("introduced_day", np.int32),
                          ("placed_day", np.int32), ("end_day", np.int32), ("hours", np.float32)], align=True)
assert _PERSON_DTYPE.itemsize == ctypes.sizeof(_ffi.OutcomePerson)
assert _RECORD_DTYPE.itemsize == ctypes.sizeof(_ffi.OutcomeRecord)
for _dtype, _ct in ((_PERSON_DTYPE, _ffi.OutcomePerson), (_RECORD_DTYPE, _ffi.OutcomeRecord)):
    for _name, *_ in _ct._fields_:
        assert _dtype.fields[_name][1] == getattr(_ct, _name).offset, _name

#: Columns of the persons: name -> default (None: required).
PERSON_COLUMNS: Dict[str, Any] = {"candidate_id": None, "org": 0, "groups": 0, "readiness": 1,
                                  "municipality": None}
#: Columns of the records: name -> default (None: required). Day columns take
#: day numbers or dates; -1, None or NaT: did not happen (yet).
RECORD_COLUMNS: Dict[str, Any] = {
    "proposal_id": None, "candidate_id": None, "vacancy_id": 0, "org": 0, "work_municipality": None,
    "vacancy_kind": 0, "contract": 0, "lks": 0, "end_reason": 0, "proposed_day": None,
    "introduced_day": -1, "placed_day": -1, "end_day": -1, "hours": 0.0,
}
_DAY_COLUMNS = ("proposed_day", "introduced_day", "placed_day", "end_day")
_EPOCH = _dt.date(1970, 1, 1)


def day_number(value: Any) -> int:
    """A date (datetime.date, datetime.datetime, numpy.datetime64, ISO string)
    or day number as days since 1970-01-01; None or NaT as -1."""
    if value is None:
        return -1
    if isinstance(value, np.datetime64):
        return -1 if np.isnat(value) else int(value.astype("datetime64[D]").astype(np.int64))
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return (value - _EPOCH).days
    if isinstance(value, str):
        return (_dt.date.fromisoformat(value) - _EPOCH).days
    if isinstance(value, float) and np.isnan(value):
        return -1
    return int(value)


def _days(value: Any, n: int) -> np.ndarray:
    if isinstance(value, np.ndarray) and value.dtype.kind == "M":
        d = value.astype("datetime64[D]")
        out = d.astype(np.int64)
        out[np.isnat(d)] = -1
        return out
    if isinstance(value, np.ndarray) and value.dtype.kind in "iu":
        return value.astype(np.int64)
    if np.ndim(value) == 0 and not isinstance(value, (list, tuple)):
        return np.full(n, day_number(value), np.int64)
    if hasattr(value, "dtype") and str(getattr(value, "dtype", "")).startswith("datetime64"):
        return _days(np.asarray(value), n)  # pandas Series of datetimes
    return np.array([day_number(v) for v in value], dtype=np.int64)


def _columns(data: Any, spec: Dict[str, Any], what: str) -> Dict[str, Any]:
    """Columns from a mapping of columns, a structured array, a data frame or
    a list of row dicts."""
    cols: Dict[str, Any] = {}
    if data is None:
        raise make_error(LM_ERR_NULL, f"{what}: no data")
    if isinstance(data, (list, tuple)) and (not data or isinstance(data[0], dict)):
        unknown = sorted({k for row in data for k in row} - set(spec))
        if unknown:
            raise TypeError(f"{what}: unknown column(s) {unknown} (columns: {', '.join(spec)})")
        for nm in spec:
            if any(nm in row for row in data):
                cols[nm] = [row.get(nm, spec[nm]) for row in data]
        n = len(data)
    else:
        if isinstance(data, np.ndarray) and data.dtype.names:
            names = list(data.dtype.names)
        elif hasattr(data, "columns"):
            names = list(data.columns)
        elif hasattr(data, "keys"):
            names = list(data.keys())
        else:
            raise TypeError(f"{what}: expected a mapping of columns, a structured array, a data frame "
                            "or a list of row dicts")
        unknown = sorted(set(names) - set(spec))
        if unknown:
            raise TypeError(f"{what}: unknown column(s) {unknown} (columns: {', '.join(spec)})")
        for nm in names:
            v = data[nm]
            cols[nm] = v if np.ndim(v) == 0 else (v.to_numpy() if hasattr(v, "to_numpy") else np.asarray(v)
                                                    if not isinstance(v, (list, tuple)) else v)
        lens = {len(v) for v in cols.values() if np.ndim(v) != 0 or isinstance(v, (list, tuple))}
        if len(lens) > 1:
            raise make_error(LM_ERR_INVALID, f"{what}: columns of different lengths {sorted(lens)}")
        n = lens.pop() if lens else 0
    for nm, default in spec.items():
        if nm not in cols:
            if default is None and n:
                raise make_error(LM_ERR_NULL, f"{what}: required column {nm!r} is missing")
            cols[nm] = default if default is not None else 0
    cols["__n__"] = n
    return cols


def _fill(arr: np.ndarray, cols: Dict[str, Any], what: str) -> None:
    n = len(arr)
    for nm in arr.dtype.names:
        if nm in ("struct_size", "reserved"):
            continue
        v = cols[nm]
        if nm in _DAY_COLUMNS:
            v = _days(v, n)
        elif nm in ("contract", "end_reason") and not isinstance(v, np.ndarray):
            enum_t = Contract if nm == "contract" else EndReason
            conv = (lambda x: enum_t[x.upper()] if isinstance(x, str) else x)
            v = [conv(x) for x in v] if isinstance(v, (list, tuple)) else conv(v)
        a = np.asarray(v)
        if a.dtype == object:
            a = np.array([0 if x is None else x for x in a.tolist()])
        if a.dtype.kind == "b":
            a = a.astype(np.int64)
        target = arr.dtype.fields[nm][0]
        if target.kind in "iu" and a.size:
            if a.dtype.kind == "f" and not np.all(np.isfinite(a) & (a == np.floor(a))):
                raise make_error(LM_ERR_INVALID, f"{what}: column {nm!r}: non-integral value")
            info = np.iinfo(target)
            lo, hi = int(np.min(a)), int(np.max(a))
            if lo < info.min or hi > info.max:
                raise make_error(LM_ERR_RANGE, f"{what}: column {nm!r}: values {lo}..{hi} do not fit {target.name}")
        if a.ndim not in (0, 1) or (a.ndim == 1 and len(a) != n):
            raise make_error(LM_ERR_INVALID, f"{what}: column {nm!r}: {a.shape} values, expected {n}")
        arr[nm] = a


#: One row of figures as a numpy record: dim, key, suppressed (bit mask) and one float per figure.
EFFECT_DTYPE = np.dtype([("dim", np.int32), ("key", np.int64), ("suppressed", np.uint32)] +
                        [(f, np.float64) for f in FIG_NAMES])


class Effects:
    """The figures computed by compute_effects(): rows ordered by dim, then key.

    .array      numpy structured array (EFFECT_DTYPE), NaN for undefined or suppressed
    .rows()     list of dicts: {"dim": "group", "key": 1, "people": 5.0, ..., "suppressed": ["lks"]}
    .table(dim) the rows of one dim (name or EffectDim), as dicts
    .row(dim, key=0) one row as a dict (KeyError if absent)
    """

    def __init__(self, array: np.ndarray, from_day: int, to_day: int, as_of_day: int, threshold: int) -> None:
        self.array = array
        self.from_day, self.to_day, self.as_of_day, self.threshold = from_day, to_day, as_of_day, threshold

    def __len__(self) -> int:
        return len(self.array)

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        return iter(self.rows())

    @staticmethod
    def _dict(rec: np.void) -> Dict[str, Any]:
        d: Dict[str, Any] = {"dim": DIM_NAMES[int(rec["dim"])], "key": int(rec["key"])}
        for f in FIG_NAMES:
            d[f] = float(rec[f])
        bits = int(rec["suppressed"])
        d["suppressed"] = [FIG_NAMES[i] for i in range(len(FIG_NAMES)) if bits >> i & 1]
        return d

    def rows(self) -> List[Dict[str, Any]]:
        return [self._dict(r) for r in self.array]

    def table(self, dim: Union[str, int, EffectDim]) -> List[Dict[str, Any]]:
        d = _dim(dim)
        return [self._dict(r) for r in self.array[self.array["dim"] == d]]

    def row(self, dim: Union[str, int, EffectDim], key: int = 0) -> Dict[str, Any]:
        d = _dim(dim)
        hit = self.array[(self.array["dim"] == d) & (self.array["key"] == key)]
        if not len(hit):
            raise KeyError(f"no {DIM_NAMES[d]} row with key {key}")
        return self._dict(hit[0])

    def __repr__(self) -> str:
        return (f"<Effects {len(self)} rows, days {self.from_day}..{self.to_day} as of {self.as_of_day}, "
                f"threshold {self.threshold}>")


def _dim(dim: Union[str, int, EffectDim]) -> int:
    if isinstance(dim, str):
        try:
            return int(EffectDim[dim.upper()])
        except KeyError:
            raise ValueError(f"unknown dim {dim!r} (dims: {', '.join(DIM_NAMES)})") from None
    return int(EffectDim(dim))


def compute_effects(persons: Any, records: Any, from_day: Any, to_day: Any, as_of_day: Any = None,
                    threshold: int = 5) -> Effects:
    """Compute the effect figures (lm_effects_compute(); docs/outcomes.md).

    persons: the pool (columns PERSON_COLUMNS: candidate_id, municipality
    required; org, groups, readiness 1..5 optional), as a mapping of columns,
    structured array, data frame or list of row dicts. records: the proposals
    (RECORD_COLUMNS). The period [from_day, to_day] (inclusive) selects
    proposals by proposed_day; as_of_day (default: to_day) is the day the
    figures are taken: later events count as not happened. threshold: the
    small-numbers rule (1 = show everything).

    Raises a LibmatchError subclass with the library's message (naming the bad
    row and id) for bad input.
    """
    pc = _columns(persons, PERSON_COLUMNS, "persons")
    rc = _columns(records, RECORD_COLUMNS, "records")
    P = np.zeros(pc["__n__"], _PERSON_DTYPE)
    R = np.zeros(rc["__n__"], _RECORD_DTYPE)
    _fill(P, pc, "persons")
    _fill(R, rc, "records")
    P["struct_size"] = _PERSON_DTYPE.itemsize
    R["struct_size"] = _RECORD_DTYPE.itemsize
    f, t = day_number(from_day), day_number(to_day)
    a = t if as_of_day is None else day_number(as_of_day)
    args = (P.ctypes.data if len(P) else None, len(P), R.ctypes.data if len(R) else None, len(R),
            f, t, a, int(threshold))
    for v in (f, t, a, int(threshold)):
        if not -2**31 <= v < 2**31:
            raise make_error(LM_ERR_RANGE, f"compute_effects: {v} does not fit a 32-bit day or threshold")
    out = ctypes.c_void_p()
    st = fn("lm_effects_compute")(ctypes.byref(out), *args)
    if st != 0:
        msg = ctypes.create_string_buffer(512)
        fn("lm_effects_check")(msg, len(msg), *args)
        raise make_error(st, msg.value.decode("utf-8", "replace") or LIB.fn["lm_strerror"](st).decode())
    try:
        n = fn("lm_effects_count")(out)
        arr = np.zeros(n, EFFECT_DTYPE)
        get = fn("lm_effects_row")
        for i in range(n):
            r = get(out, i).contents
            arr["dim"][i], arr["key"][i], arr["suppressed"][i] = r.dim, r.key, r.suppressed
            for j, nm in enumerate(FIG_NAMES):
                arr[nm][i] = r.value[j]
    finally:
        fn("lm_effects_free")(out)
    return Effects(arr, f, t, a, int(threshold))

