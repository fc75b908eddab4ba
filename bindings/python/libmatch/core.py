"""Pool, Snapshot, Policy, Travel, Engine, Results, Match and Viewer: the
Python face of libmatch/include/libmatch/core.h.

Thread safety (mirrors core.h):

- :class:`Pool` and :class:`Snapshot`: any thread, concurrently (updates are
  serialised inside the C library; a snapshot is immutable).
- :class:`Engine`, :class:`Results`, :class:`Policy`, :class:`Travel`: one call
  at a time. The binding enforces this with a lock per object, so sharing one
  object between threads is safe but not parallel; use one Engine per thread
  for parallel queries.
- ctypes releases the GIL during every C call, so queries and batches on
  different engines really run in parallel with each other and with other
  Python threads. Progress callbacks run on the calling thread, with the GIL.
"""
from __future__ import annotations

import ctypes
import math
import os
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Tuple, Union

import numpy as np

from . import _ffi
from ._base import (LIB, Guard, Handle, Progress, as_array, column, create, fn, matrix,
                    raise_for, required)
from .constants import (CompetenceModel, Constraint, Direction, Kernel, Mode, PolicyKey, PoolStat, Side, Stat,
                        TravelParam, to_competence_model, to_kernel, to_mode)
from .errors import LM_ERR_DIMENSION, LM_ERR_INVALID, ClosedError, RangeError, UncentredWarning, make_error

__all__ = ["Pool", "Snapshot", "Policy", "Travel", "Engine", "Results", "Match", "Viewer",
           "MATCH_DTYPE", "LIST_DTYPE", "CANDIDATE_COLUMNS", "VACANCY_COLUMNS", "ViewerLike"]

PathLike = Union[str, bytes, "os.PathLike[str]"]


def _struct_dtype(struct: type) -> np.dtype:
    """The numpy dtype with exactly the C struct's field offsets and size."""
    conv = {ctypes.c_int64: np.int64, ctypes.c_uint64: np.uint64, ctypes.c_int32: np.int32,
            ctypes.c_uint32: np.uint32, ctypes.c_float: np.float32, ctypes.c_double: np.float64,
            ctypes.c_long: np.int64, ctypes.c_ulong: np.uint64, ctypes.c_int: np.int32,
            ctypes.c_uint: np.uint32}
    names, formats, offsets = [], [], []
    for name, ctype in struct._fields_:
        names.append(name)
        formats.append(np.dtype(conv[ctype]))
        offsets.append(getattr(struct, name).offset)
    return np.dtype({"names": names, "formats": formats, "offsets": offsets,
                     "itemsize": ctypes.sizeof(struct)})


#: numpy dtype of one ``lm_match`` (field for field, same offsets and itemsize).
MATCH_DTYPE = _struct_dtype(_ffi.Match_)

#: numpy dtype of the list index of a result: list id, first row, number of rows.
LIST_DTYPE = np.dtype([("id", np.int64), ("first", np.int64), ("len", np.int64)])


# ---------------------------------------------------------------------------
# Viewer and Match


@dataclass(frozen=True)
class Viewer:
    """Who is asking (``lm_viewer``). A candidate is visible when the viewer is
    the owner organisation, or the candidate's scope is NATIONAL, or REGION and
    the regions are equal (non-zero), or MUNICIPALITY and the municipalities
    are equal."""
    org: int
    municipality: int = 0
    region: int = 0

    def _c(self) -> _ffi.Viewer_:
        try:
            org, muni, region = int(self.org), int(self.municipality), int(self.region)
        except (TypeError, ValueError):
            raise TypeError("Viewer fields org, municipality and region must be integers") from None
        if not -2**63 <= org < 2**63:
            raise RangeError(f"viewer: org {org} out of int64 range")
        if not (-2**31 <= muni < 2**31 and -2**31 <= region < 2**31):
            raise RangeError("viewer: municipality or region out of int32 range")
        v = _ffi.Viewer_()
        v.struct_size = ctypes.sizeof(_ffi.Viewer_)
        v.org, v.municipality, v.region = org, muni, region
        return v


ViewerLike = Union[Viewer, Tuple[int, ...], Mapping[str, int], int]


def _viewer(v: ViewerLike) -> _ffi.Viewer_:
    if isinstance(v, Viewer):
        return v._c()
    if isinstance(v, Mapping):
        return Viewer(**v)._c()
    if isinstance(v, tuple):
        return Viewer(*v)._c()
    if isinstance(v, (int, np.integer)):
        return Viewer(int(v))._c()
    raise TypeError("viewer must be a Viewer, (org, municipality, region), a mapping or an org id")


@dataclass(frozen=True)
class Match:
    """One scored pair with its explanation (one ``lm_match``).

    ``constraint`` is :attr:`Constraint.NONE` for a feasible pair, else the
    first hard filter that excludes it (then ``score`` is 0). Components are in
    [0, 1]; ``score`` is their weighted mean under the engine's policy.
    """
    vacancy_id: int
    candidate_id: int
    rank: int
    constraint: Constraint
    score: float
    competence: float
    travel: float
    hours: float
    readiness: float
    priority: float
    travel_minutes: float
    travel_mode: Optional[Mode]
    candidate_municipality: int
    vacancy_municipality: int
    #: since 1.1.0, from the engine's proposal history (docs/lifecycle.md):
    #: organisation holding the lead (0 = none), the pair's latest
    #: ProposalStatus as an int (-1 = none) and the day of its last change.
    lead_org: int = 0
    process_status: int = -1
    process_day: int = 0
    #: since 1.2.0: the vacancy's VacancyKind as an int (0 = regular)
    vacancy_kind: int = 0

    @property
    def feasible(self) -> bool:
        return self.constraint == Constraint.NONE

    @property
    def cross_border(self) -> bool:
        """True when the person lives in another municipality than the vacancy."""
        return self.candidate_municipality != self.vacancy_municipality

    @classmethod
    def from_record(cls, rec: Any) -> "Match":
        """A Match from one element of a MATCH_DTYPE array (or an lm_match)."""
        get = (lambda k: rec[k]) if not isinstance(rec, _ffi.Match_) else (lambda k: getattr(rec, k))
        names = rec.dtype.names if hasattr(rec, "dtype") and rec.dtype.names else dict(_ffi.Match_._fields_)
        mode = int(get("travel_mode"))
        process = {k: int(get(k)) for k in ("lead_org", "process_status", "process_day", "vacancy_kind")
                   if k in names}
        return cls(
            vacancy_id=int(get("vacancy_id")), candidate_id=int(get("candidate_id")),
            rank=int(get("rank")), constraint=Constraint(int(get("constraint"))),
            score=float(get("score")), competence=float(get("competence")),
            travel=float(get("travel")), hours=float(get("hours")),
            readiness=float(get("readiness")), priority=float(get("priority")),
            travel_minutes=float(get("travel_minutes")),
            travel_mode=Mode(mode) if 0 <= mode < 4 else None,
            candidate_municipality=int(get("candidate_municipality")),
            vacancy_municipality=int(get("vacancy_municipality")), **process)

    def describe(self) -> str:
        """One line an account manager can read."""
        head = f"vacancy {self.vacancy_id} / candidate {self.candidate_id}: "
        if not self.feasible:
            return head + f"excluded by {self.constraint.name.lower()}"
        mode = self.travel_mode.name.lower() if self.travel_mode is not None else "-"
        return (head + f"score {self.score:.3f} (competence {self.competence:.3f}, travel "
                f"{self.travel:.3f} = {self.travel_minutes:.0f} min by {mode}, hours {self.hours:.3f}, "
                f"readiness {self.readiness:.3f}, priority {self.priority:.3f})")


# ---------------------------------------------------------------------------
# Columns of candidates and vacancies

#: name -> numpy dtype, for lm_candidate_cols (vectors: n x dim float32).
CANDIDATE_COLUMNS: Dict[str, Any] = {
    "id": np.int64, "owner_org": np.int64, "municipality": np.int32, "region": np.int32,
    "zone": np.int32, "lat": np.float64, "lon": np.float64, "groups": np.uint32,
    "readiness": np.uint8, "loonwaarde": np.float32, "vectors": np.float32, "flags": np.uint64,
    "hours_min": np.float32, "hours_max": np.float32, "modes": np.uint8, "max_minutes": np.float32,
    "available_from": np.int32, "scope": np.uint8, "priority": np.float32,
    "needs": np.uint64,  # since 1.2.0
}
CANDIDATE_REQUIRED = ("id", "owner_org", "municipality", "groups", "vectors")

#: name -> numpy dtype, for lm_vacancy_cols (vectors, weights: n x dim float32).
VACANCY_COLUMNS: Dict[str, Any] = {
    "id": np.int64, "employer_id": np.int64, "municipality": np.int32, "region": np.int32,
    "zone": np.int32, "lat": np.float64, "lon": np.float64, "vectors": np.float32,
    "weights": np.float32, "required_flags": np.uint64, "hours_min": np.float32,
    "hours_max": np.float32, "slots": np.int32, "accepted_groups": np.uint32,
    "min_loonwaarde": np.float32, "max_readiness": np.uint8, "open_until": np.int32,
    "offers": np.uint64, "kind": np.uint8,  # since 1.2.0
}
VACANCY_REQUIRED = ("id", "employer_id", "municipality", "vectors")
_MATRIX_COLUMNS = ("vectors", "weights")


def _gather(what: str, known: Mapping[str, Any], data: Any, columns: Mapping[str, Any]) -> Dict[str, Any]:
    """Merge a mapping / structured array / DataFrame with keyword columns."""
    cols: Dict[str, Any] = {}
    if data is not None:
        names: Iterable[str]
        if isinstance(data, np.ndarray) and data.dtype.names:
            names = data.dtype.names
        elif hasattr(data, "keys"):
            names = list(data.keys())
        elif hasattr(data, "columns"):
            names = list(data.columns)
        else:
            raise TypeError(f"{what}: data must be a mapping, a structured array or a data frame")
        for nm in names:
            if nm in known:
                cols[nm] = data[nm]
            else:
                raise TypeError(f"{what}: unknown column {nm!r} (known: {', '.join(known)})")
    for nm, v in columns.items():
        if nm not in known:
            raise TypeError(f"{what}() got an unexpected column {nm!r} (known: {', '.join(known)})")
        cols[nm] = v
    return cols


def _build_cols(what: str, struct: type, known: Mapping[str, Any], req: Tuple[str, ...],
                data: Any, columns: Mapping[str, Any], dim: Optional[int]) -> Tuple[Any, int, list]:
    """Fill an lm_*_cols struct from columns. Returns (struct, n, keep-alive list)."""
    cols = _gather(what, known, data, columns)
    required(cols, req, what)
    keep: list = []
    ids = cols["id"]
    n = 1 if np.ndim(ids) == 0 else len(ids)
    c = struct()
    c.struct_size = ctypes.sizeof(struct)
    c.id = column(ids, np.int64, "id", n, keep)
    vec_dim = None
    for nm, dt in known.items():
        if nm == "id" or nm in _MATRIX_COLUMNS:
            continue
        setattr(c, nm, column(cols.get(nm), dt, nm, n, keep))
    addr, vec_dim = matrix(cols.get("vectors"), np.float32, "vectors", n, dim, keep)
    c.vectors = addr
    if "weights" in known and cols.get("weights") is not None:
        waddr, wdim = matrix(cols["weights"], np.float32, "weights", n, vec_dim, keep)
        if wdim != vec_dim:
            raise make_error(LM_ERR_DIMENSION, f"{what}: weights have dimension {wdim}, vectors {vec_dim}")
        c.weights = waddr
    if vec_dim > 0xFFFFFFFF:
        raise make_error(LM_ERR_DIMENSION, f"{what}: dimension {vec_dim} too large")
    c.dim = vec_dim
    return c, n, keep


# ---------------------------------------------------------------------------
# Pool and Snapshot


_SIDE_NAMES = {"candidate": Side.CANDIDATE, "candidates": Side.CANDIDATE,
               "vacancy": Side.VACANCY, "vacancies": Side.VACANCY}


def _side(side: Union[Side, int, str]) -> int:
    if isinstance(side, str):
        try:
            return int(_SIDE_NAMES[side.lower()])
        except KeyError:
            raise RangeError(f"unknown side {side!r} (candidate, vacancy)") from None
    return int(side)


def _direction(d: Union[Direction, int, str]) -> int:
    if isinstance(d, str):
        try:
            return int(Direction[d.upper()])
        except KeyError:
            raise RangeError(f"unknown direction {d!r} (vacancy, candidate)") from None
    return int(d)


class Pool(Handle):
    """The mutable pool of candidates and vacancies (``lm_pool``).

    Each add/upsert/remove call is one atomic batch: if any row is invalid,
    nothing changes and the error names the row. Thread-safe: any method may
    be called from any thread at the same time.

    Columns are numpy arrays (or anything ``numpy.asarray`` accepts), one value
    per row, or scalars broadcast to every row. The vector block is passed to C
    without a copy when it is already a C-contiguous float32 ``(n, dim)`` array;
    other columns likewise when they already have the C type (see
    CANDIDATE_COLUMNS / VACANCY_COLUMNS).

    >>> with Pool(dim=8) as pool:
    ...     pool.add_candidates(id=ids, owner_org=1, municipality=361, groups=1, vectors=V)
    """

    def __init__(self, dim: int) -> None:
        try:
            d = int(dim)
        except (TypeError, ValueError):
            raise TypeError("dim must be an integer") from None
        if not 0 <= d <= 0xFFFFFFFF:
            raise RangeError(f"dim {d} outside 1..4096")
        ptr = create("lm_pool_create", d)
        self._g = Guard(self, ptr, LIB.fn["lm_pool_free"], "Pool", shared=True)

    def _errmsg(self) -> Callable[[], bytes]:
        return lambda: LIB.fn["lm_pool_errmsg"](self._g.peek())

    @property
    def dim(self) -> int:
        """Competence vector dimension, fixed at creation."""
        with self._guard() as h:
            return int(LIB.fn["lm_pool_dim"](h))

    def count(self, side: Union[Side, int, str]) -> int:
        """Rows on one side (Side.CANDIDATE or Side.VACANCY) of the current state."""
        out = ctypes.c_size_t()
        with self._guard() as h:
            st = LIB.fn["lm_pool_count"](ctypes.byref(out), h, _side(side))
            raise_for(st, self._errmsg())
        return out.value

    @property
    def n_candidates(self) -> int:
        """Number of candidates (count(Side.CANDIDATE))."""
        return self.count(Side.CANDIDATE)

    @property
    def n_vacancies(self) -> int:
        """Number of vacancies (count(Side.VACANCY))."""
        return self.count(Side.VACANCY)

    def _update(self, cname: str, what: str, struct: type, known: Mapping[str, Any],
                req: Tuple[str, ...], data: Any, columns: Mapping[str, Any]) -> int:
        g = self._guard()
        with g as h:
            dim = int(LIB.fn["lm_pool_dim"](h))
            c, n, keep = _build_cols(what, struct, known, req, data, columns, dim)
            st = fn(cname)(h, ctypes.byref(c), n)
            raise_for(st, self._errmsg())
            msg = (LIB.fn["lm_pool_errmsg"](h) or b"").decode(errors="replace")
        del keep
        if "uncentred" in msg:  # a successful call leaves only this warning
            warnings.warn(msg, UncentredWarning, stacklevel=3)
        return n

    def add_candidates(self, data: Any = None, /, **columns: Any) -> int:
        """Add candidates; returns the number of rows added.

        Columns (C type; * = required; default in brackets): id* (int64,
        pseudonymous, never a BSN), owner_org* (int64), municipality* (int32, CBS
        number), groups* (uint32 bitmask of Group), vectors* (float32, n x dim),
        region (int32) [0], zone (int32) [0], lat, lon (float64) [NaN],
        readiness (uint8 1..5) [A], loonwaarde (float32 0..200) [100], flags
        (uint64) [0], hours_min [0], hours_max [80] (float32), modes (uint8
        bitmask of 1 << Mode) [all], max_minutes (float32, 0 = none) [0],
        available_from (int32 day number) [0], scope (uint8 Scope) [ORG],
        priority (float32 0..1) [0], needs (uint64 bitmask of Need; bits 16..63
        host-defined) [0] (since 1.2.0). groups may hold every Group up to
        Group.KNOWN (WW, WAJONG, JONGERE since 1.2.0).

        `data` may be a mapping of columns, a structured array or a data frame;
        keyword columns override it.

        Raises DuplicateError if an id exists (or is twice in the batch),
        DimensionError, RangeError, NonFiniteError, NullArgumentError (missing
        column), InvalidArgumentError (empty batch, column lengths).
        """
        return self._update("lm_pool_add_candidates", "add_candidates", _ffi.CandidateCols,
                            CANDIDATE_COLUMNS, CANDIDATE_REQUIRED, data, columns)

    def upsert_candidates(self, data: Any = None, /, **columns: Any) -> int:
        """Like add_candidates(), but existing ids are replaced."""
        return self._update("lm_pool_upsert_candidates", "upsert_candidates", _ffi.CandidateCols,
                            CANDIDATE_COLUMNS, CANDIDATE_REQUIRED, data, columns)

    def add_vacancies(self, data: Any = None, /, **columns: Any) -> int:
        """Add vacancies; returns the number of rows added.

        Columns (C type; * = required; default in brackets): id* (int64),
        employer_id* (int64), municipality* (int32), vectors* (float32, n x dim),
        weights (float32, n x dim, >= 0) [1], region [0], zone [0] (int32), lat,
        lon (float64) [NaN], required_flags (uint64) [0], hours_min [0],
        hours_max [80] (float32), slots (int32 >= 0) [1], accepted_groups
        (uint32 bitmask) [all], min_loonwaarde (float32) [0], max_readiness
        (uint8 1..5: accepts readiness 1..this) [E], open_until (int32 day
        number) [open], offers (uint64 bitmask of Need: support offered) [0],
        kind (uint8 VacancyKind 0..5) [REGULAR] (both since 1.2.0).
        accepted_groups: omitted = every group, later ones included; a mask is
        exactly those groups (Group.ALL is 1.0's six, not WW). Errors as
        add_candidates().
        """
        return self._update("lm_pool_add_vacancies", "add_vacancies", _ffi.VacancyCols,
                            VACANCY_COLUMNS, VACANCY_REQUIRED, data, columns)

    def upsert_vacancies(self, data: Any = None, /, **columns: Any) -> int:
        """Like add_vacancies(), but existing ids are replaced."""
        return self._update("lm_pool_upsert_vacancies", "upsert_vacancies", _ffi.VacancyCols,
                            VACANCY_COLUMNS, VACANCY_REQUIRED, data, columns)

    def _remove(self, cname: str, ids: Any) -> int:
        keep: list = []
        n = 1 if np.ndim(ids) == 0 else len(ids)
        ptr = column(ids, np.int64, "ids", n, keep)
        with self._guard() as h:
            st = fn(cname)(h, ptr, n)
            raise_for(st, self._errmsg())
        return n

    def remove_candidates(self, ids: Any) -> int:
        """Remove candidates by id, atomically. UnknownIdError if an id is not in
        the pool (nothing removed), DuplicateError if an id is given twice."""
        return self._remove("lm_pool_remove_candidates", ids)

    def remove_vacancies(self, ids: Any) -> int:
        """Remove vacancies by id; see remove_candidates()."""
        return self._remove("lm_pool_remove_vacancies", ids)

    # -- centring (since 1.1.0; docs/scoring.md, "Centring") --------------------
    def set_centre(self, mean: Any = None) -> None:
        """Centre every stored vector on `mean` (dim floats), or with None on
        the mean of the pool's current raw vectors (candidates and vacancy
        requirements, each row once). One atomic update: snapshots taken
        before keep the old vectors; rows added later are centred with the
        same mean. An all-zero mean removes the centre. Raises DimensionError,
        NonFiniteError, StateError (None on an empty pool)."""
        with self._guard() as h:
            dim = int(LIB.fn["lm_pool_dim"](h))
            if mean is None:
                st = fn("lm_pool_set_centre")(h, None, dim)
            else:
                arr = np.ascontiguousarray(mean, dtype=np.float32)
                if arr.ndim != 1:
                    raise make_error(LM_ERR_DIMENSION, f"set_centre: mean must be 1-D, got shape {arr.shape}")
                st = fn("lm_pool_set_centre")(h, arr.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), arr.size)
            raise_for(st, self._errmsg())

    def centre(self) -> Optional[np.ndarray]:
        """The mean subtracted (float32 array of dim), or None if not centred."""
        with self._guard() as h:
            dim = int(LIB.fn["lm_pool_dim"](h))
            out = np.zeros(dim, dtype=np.float32)
            centred = ctypes.c_int()
            st = fn("lm_pool_get_centre")(out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), dim,
                                          ctypes.byref(centred), h)
            raise_for(st, self._errmsg())
        return out if centred.value else None

    def stat(self, key: Union[PoolStat, int, str]) -> float:
        """A number about the pool's vectors: PoolStat or its name
        ('mean_cosine', 'centred')."""
        if isinstance(key, str):
            try:
                key = PoolStat[key.upper()]
            except KeyError:
                raise RangeError(f"unknown pool stat {key!r} (mean_cosine, centred)") from None
        out = ctypes.c_double()
        with self._guard() as h:
            raise_for(fn("lm_pool_stat")(ctypes.byref(out), h, int(key)), self._errmsg())
        return out.value

    @property
    def mean_cosine(self) -> float:
        """Mean pairwise cosine of the stored candidate vectors: near 0 when
        centred, near 1 for raw levels (stat('mean_cosine'))."""
        return self.stat(PoolStat.MEAN_COSINE)

    @property
    def centred(self) -> bool:
        """Whether the pool has a non-zero centre."""
        return self.stat(PoolStat.CENTRED) != 0

    def snapshot(self) -> "Snapshot":
        """An immutable view of the current state (cheap: copy-on-write). It
        stays valid after the pool is closed."""
        out = ctypes.c_void_p()
        with self._guard() as h:
            st = LIB.fn["lm_pool_snapshot"](ctypes.byref(out), h)
            raise_for(st, self._errmsg())
        return Snapshot._wrap(out.value)

    def __repr__(self) -> str:
        if self.closed:
            return "<libmatch.Pool closed>"
        return f"<libmatch.Pool dim={self.dim} candidates={self.n_candidates} vacancies={self.n_vacancies}>"


class Snapshot(Handle):
    """An immutable, reference-counted view of a pool (``lm_snapshot``).
    Read-only and safe to share between threads. Create with Pool.snapshot()."""

    def __init__(self) -> None:
        raise TypeError("create snapshots with Pool.snapshot()")

    @classmethod
    def _wrap(cls, ptr: int) -> "Snapshot":
        s = cls.__new__(cls)
        s._g = Guard(s, ptr, LIB.fn["lm_snapshot_free"], "Snapshot", shared=True)
        return s

    @property
    def dim(self) -> int:
        """Competence vector dimension."""
        with self._guard() as h:
            return int(LIB.fn["lm_snapshot_dim"](h))

    @property
    def version(self) -> int:
        """Sequence number of the pool state: +1 per successful update batch."""
        with self._guard() as h:
            return int(LIB.fn["lm_snapshot_version"](h))

    def count(self, side: Union[Side, int, str]) -> int:
        """Rows on one side (Side, or "candidate"/"vacancy")."""
        out = ctypes.c_size_t()
        with self._guard() as h:
            raise_for(LIB.fn["lm_snapshot_count"](ctypes.byref(out), h, _side(side)))
        return out.value

    @property
    def n_candidates(self) -> int:
        """Number of candidates (count(Side.CANDIDATE))."""
        return self.count(Side.CANDIDATE)

    @property
    def n_vacancies(self) -> int:
        """Number of vacancies (count(Side.VACANCY))."""
        return self.count(Side.VACANCY)

    def ids(self, side: Union[Side, int, str]) -> np.ndarray:
        """The ids of one side, in the snapshot's row order (int64 array)."""
        s = _side(side)
        needed = ctypes.c_size_t()
        with self._guard() as h:
            f = LIB.fn["lm_snapshot_ids"]
            st = f(None, 0, ctypes.byref(needed), h, s)
            if st < 0 and st != -15:
                raise_for(st)
            out = np.empty(needed.value, dtype=np.int64)
            if needed.value:
                raise_for(f(out.ctypes.data, needed.value, ctypes.byref(needed), h, s))
        return out

    @property
    def candidate_ids(self) -> np.ndarray:
        """ids(Side.CANDIDATE)."""
        return self.ids(Side.CANDIDATE)

    @property
    def vacancy_ids(self) -> np.ndarray:
        """ids(Side.VACANCY)."""
        return self.ids(Side.VACANCY)

    def contains(self, side: Union[Side, int, str], id: int) -> bool:
        """Whether an id exists on one side of the snapshot."""
        out = ctypes.c_int()
        with self._guard() as h:
            raise_for(LIB.fn["lm_snapshot_contains"](ctypes.byref(out), h, _side(side), int(id)))
        return bool(out.value)

    def __repr__(self) -> str:
        if self.closed:
            return "<libmatch.Snapshot closed>"
        return (f"<libmatch.Snapshot version={self.version} dim={self.dim} "
                f"candidates={self.n_candidates} vacancies={self.n_vacancies}>")


# ---------------------------------------------------------------------------
# Policy

_POLICY_NAMES: Dict[str, PolicyKey] = {k.name.lower(): k for k in PolicyKey}
_POLICY_INTEGER = {PolicyKey.VERSION, PolicyKey.AS_OF_DAY, PolicyKey.ALLOWED_MODES, PolicyKey.COMPETENCE_MODEL,
                   PolicyKey.COOLDOWN_DAYS, PolicyKey.EXCLUSIVE_PROGRESS, PolicyKey.LOCAL_ONLY}
_POLICY_WEIGHTS = {PolicyKey.W_COMPETENCE, PolicyKey.W_TRAVEL, PolicyKey.W_HOURS,
                   PolicyKey.W_READINESS, PolicyKey.W_PRIORITY}


def _policy_property(key: PolicyKey, doc: str) -> property:
    def get(self: "Policy") -> Union[int, float]:
        return self.get(key)

    def set_(self: "Policy", value: float) -> None:
        self.set(key, value)

    return property(get, set_, doc=doc)


class Policy(Handle):
    """Scoring weights and limits with a version number (``lm_policy``).

    Every key is a keyword of the constructor and an attribute::

        p = Policy(w_competence=0.7, max_travel_min=60, version=3)
        p.min_score = 0.2

    Defaults and meaning in docs/scoring.md. Setting a value out of range
    raises RangeError (NonFiniteError for NaN/inf); the policy is then
    unchanged. An Engine copies the policy: later changes need
    ``engine.policy = p`` to take effect. One call at a time.
    """

    version = _policy_property(PolicyKey.VERSION, "caller's version number, integer >= 0 [1]")
    w_competence = _policy_property(PolicyKey.W_COMPETENCE, "weight >= 0 [0.6]")
    w_travel = _policy_property(PolicyKey.W_TRAVEL, "weight >= 0 [0.1] (1.0: 0.2)")
    w_hours = _policy_property(PolicyKey.W_HOURS, "weight >= 0 [0.025] (1.0: 0.1)")
    w_readiness = _policy_property(PolicyKey.W_READINESS, "weight >= 0 [0.05] (1.0: 0.1)")
    w_priority = _policy_property(PolicyKey.W_PRIORITY, "weight >= 0 [0]")
    max_travel_min = _policy_property(PolicyKey.MAX_TRAVEL_MIN, "policy one-way limit in minutes, > 0 [90]")
    min_score = _policy_property(PolicyKey.MIN_SCORE, "pairs below are dropped, 0..1 [0]")
    as_of_day = _policy_property(PolicyKey.AS_OF_DAY,
                                 "day number; vacancies closed before it are excluded; 0 = off [0]")
    allowed_modes = _policy_property(PolicyKey.ALLOWED_MODES, "travel-mode bitmask 1..15 [15]")
    competence_model = _policy_property(
        PolicyKey.COMPETENCE_MODEL,
        "CompetenceModel, its int or name ('requirement', 'cosine', 'symmetric', 'coverage', "
        "'cosine_coverage') [cosine_coverage] (since 1.1.0)")
    overqualification = _policy_property(
        PolicyKey.OVERQUALIFICATION, "0..1: weight of over-qualification in the coverage models [0.25] (since 1.1.0)")
    cooldown_days = _policy_property(PolicyKey.COOLDOWN_DAYS,
                                     "days a rejected or declined pair is not proposed again, 0 = off [90]")
    exclusive_progress = _policy_property(PolicyKey.EXCLUSIVE_PROGRESS,
                                          "1: a person introduced or in interview is proposed nowhere else [1]")
    stability_margin = _policy_property(PolicyKey.STABILITY_MARGIN,
                                        "score a change must gain to drop an open proposal, 0..1 [0.05]")
    min_competence = _policy_property(
        PolicyKey.MIN_COMPETENCE,
        "0..1: pairs whose competence is below are infeasible (docs/scoring.md, 'Reliable proposals') (since 1.2.0)")
    local_only = _policy_property(
        PolicyKey.LOCAL_ONLY, "1: match each person only within their own municipality (the municipal-only run) [0] "
        "(since 1.2.0)")

    KEYS: Tuple[str, ...] = tuple(_POLICY_NAMES)

    def __init__(self, **values: float) -> None:
        for nm in values:
            if nm not in _POLICY_NAMES:
                raise TypeError(f"Policy() got an unexpected keyword {nm!r} (keys: {', '.join(_POLICY_NAMES)})")
        ptr = create("lm_policy_create")
        self._g = Guard(self, ptr, LIB.fn["lm_policy_free"], "Policy", shared=False)
        self.update(values)

    def _errmsg(self) -> Callable[[], bytes]:
        return lambda: LIB.fn["lm_policy_errmsg"](self._g.peek())

    @staticmethod
    def _key(key: Union[PolicyKey, int, str]) -> int:
        if isinstance(key, str):
            try:
                return int(_POLICY_NAMES[key.lower()])
            except KeyError:
                raise RangeError(f"unknown policy key {key!r}") from None
        return int(key)

    def set(self, key: Union[PolicyKey, int, str], value: float) -> None:
        """Set one parameter by PolicyKey, int or name."""
        k = self._key(key)
        if k == PolicyKey.COMPETENCE_MODEL and isinstance(value, str):
            value = to_competence_model(value)
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"policy value must be a number, not {type(value).__name__}") from None
        with self._guard() as h:
            raise_for(LIB.fn["lm_policy_set_f64"](h, k, v), self._errmsg())

    def get(self, key: Union[PolicyKey, int, str]) -> Union[int, float]:
        """Read one parameter (int for version, as_of_day and allowed_modes)."""
        k = self._key(key)
        out = ctypes.c_double()
        with self._guard() as h:
            raise_for(LIB.fn["lm_policy_get_f64"](ctypes.byref(out), h, k), self._errmsg())
        if k == PolicyKey.COMPETENCE_MODEL and int(out.value) in CompetenceModel._value2member_map_:
            return CompetenceModel(int(out.value))
        return int(out.value) if k in _POLICY_INTEGER else out.value

    def update(self, values: Mapping[str, float]) -> None:
        """Set several keys. Non-zero weights are set before zero ones, so a
        change such as {w_competence: 0, w_priority: 1} never passes through
        "all weights 0". Not atomic: on an error, earlier keys stay set."""
        items = sorted(values.items(), key=lambda kv: (
            _POLICY_NAMES.get(kv[0]) in _POLICY_WEIGHTS and not (isinstance(kv[1], (int, float)) and kv[1] > 0)))
        for nm, v in items:
            self.set(nm, v)

    def to_dict(self) -> Dict[str, Union[int, float]]:
        """Every key and its value."""
        return {nm: self.get(k) for nm, k in _POLICY_NAMES.items()}

    def copy(self) -> "Policy":
        """A new Policy with the same values."""
        return Policy(**self.to_dict())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Policy):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        if self.closed:
            return "<libmatch.Policy closed>"
        return "Policy(" + ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items()) + ")"


# ---------------------------------------------------------------------------
# Travel


class Travel(Handle):
    """The travel model (``lm_travel``): a geometric estimate per mode
    (great-circle distance x detour / speed + access minutes), optionally zone
    matrices of one-way minutes per mode (docs/travel.md).

    Attaching it to an Engine makes it read-only: later changes raise
    StateError. One call at a time.
    """

    def __init__(self) -> None:
        ptr = create("lm_travel_create")
        self._g = Guard(self, ptr, LIB.fn["lm_travel_free"], "Travel", shared=False)

    @classmethod
    def from_file(cls, path: PathLike) -> "Travel":
        """A default model with the matrices of a file loaded (see load())."""
        t = cls()
        try:
            t.load(path)
        except BaseException:
            t.close()
            raise
        return t

    def _errmsg(self) -> Callable[[], bytes]:
        return lambda: LIB.fn["lm_travel_errmsg"](self._g.peek())

    def set_param(self, mode: Union[Mode, int, str], param: Union[TravelParam, int], value: float) -> None:
        """Set one parameter of the geometric estimate for one mode."""
        with self._guard() as h:
            raise_for(LIB.fn["lm_travel_set_param"](h, to_mode(mode), int(param), float(value)), self._errmsg())

    def get_param(self, mode: Union[Mode, int, str], param: Union[TravelParam, int]) -> float:
        """One parameter of the geometric estimate for one mode."""
        out = ctypes.c_double()
        with self._guard() as h:
            raise_for(LIB.fn["lm_travel_get_param"](ctypes.byref(out), h, to_mode(mode), int(param)),
                      self._errmsg())
        return out.value

    def set_geometric(self, mode: Union[Mode, int, str], *, speed_kmh: Optional[float] = None,
                      detour: Optional[float] = None, access_min: Optional[float] = None) -> None:
        """Set any of speed (km/h, > 0), detour (>= 1) and access minutes (>= 0) of one mode."""
        for p, v in ((TravelParam.SPEED_KMH, speed_kmh), (TravelParam.DETOUR, detour),
                     (TravelParam.ACCESS_MIN, access_min)):
            if v is not None:
                self.set_param(mode, p, v)

    def geometric(self, mode: Union[Mode, int, str]) -> Dict[str, float]:
        """{"speed_kmh", "detour", "access_min"} of one mode."""
        return {p.name.lower(): self.get_param(mode, p) for p in TravelParam}

    def set_matrix(self, mode: Union[Mode, int, str], zones: Any, minutes: Any) -> None:
        """Zone-to-zone one-way minutes for one mode: `zones` n distinct ids > 0,
        `minutes` an n x n uint8 array (row = origin; 255 = unreachable). The
        library copies it. Replaces an earlier matrix of the mode."""
        keep: list = []
        z = as_array(zones, np.int32, "zones")
        if z.ndim != 1:
            raise make_error(LM_ERR_INVALID, f"zones: expected a 1-D array, got shape {z.shape}")
        n = z.shape[0]
        m = as_array(minutes, np.uint8, "minutes")
        if m.shape not in ((n, n), (n * n,)):
            raise make_error(LM_ERR_DIMENSION, f"minutes: shape {m.shape}, expected ({n}, {n}) for {n} zones")
        keep += [z, m]
        with self._guard() as h:
            st = LIB.fn["lm_travel_set_matrix"](h, to_mode(mode), z.ctypes.data, n, m.ctypes.data)
            raise_for(st, self._errmsg())

    def load(self, path: PathLike) -> None:
        """Load matrices from a file: the binary "LMTRAVEL" format or the text
        format (origin, destination, mode, minutes, tab-separated). On error
        nothing changes (LibmatchIOError, FormatError, RangeError)."""
        with self._guard() as h:
            raise_for(LIB.fn["lm_travel_load_file"](h, os.fsencode(path)), self._errmsg())

    def save(self, path: PathLike) -> None:
        """Write the matrices in the binary format (StateError if there is none)."""
        with self._guard() as h:
            raise_for(LIB.fn["lm_travel_save_file"](h, os.fsencode(path)), self._errmsg())

    def minutes(self, mode: Union[Mode, int, str], *, from_zone: int = 0, from_lat: float = math.nan,
                from_lon: float = math.nan, to_zone: int = 0, to_lat: float = math.nan,
                to_lon: float = math.nan) -> float:
        """One-way minutes between two places (zone and/or coordinates) by one
        mode; ``math.inf`` when unreachable or unknown."""
        out = ctypes.c_double()
        with self._guard() as h:
            st = LIB.fn["lm_travel_minutes"](ctypes.byref(out), h, to_mode(mode), int(from_zone),
                                             float(from_lat), float(from_lon), int(to_zone),
                                             float(to_lat), float(to_lon))
            raise_for(st, self._errmsg())
        return out.value

    def __repr__(self) -> str:
        return "<libmatch.Travel closed>" if self.closed else "<libmatch.Travel>"


# ---------------------------------------------------------------------------
# Engine and results


def _copy_matches(copy: Callable[..., int], count: int, *args: Any) -> np.ndarray:
    out = np.zeros(count, dtype=MATCH_DTYPE)
    if count:
        got = ctypes.c_size_t()
        raise_for(copy(out.ctypes.data, MATCH_DTYPE.itemsize, count, ctypes.byref(got), *args))
        if got.value != count:
            out = out[:got.value]
    return out


def _results_stats(h: int) -> Dict[str, float]:
    out = ctypes.c_double()
    stats: Dict[str, float] = {}
    for s in Stat:
        if LIB.fn["lm_results_stat"](ctypes.byref(out), h, int(s)) == 0:
            v = out.value
            stats[s.name.lower()] = int(v) if s != Stat.SECONDS and v == int(v) else v
    return stats


def _results_count(h: int, d: int) -> int:
    n = ctypes.c_size_t()
    raise_for(LIB.fn["lm_results_count"](ctypes.byref(n), h, d))
    return n.value


def _results_rows(h: int, d: int) -> np.ndarray:
    return _copy_matches(LIB.fn["lm_results_copy"], _results_count(h, d), h, d, 0)


class Results(Handle):
    """Library-owned results of a batch (``lm_results``): top-k lists in both
    directions, each row explained. Arrays returned are copies in MATCH_DTYPE
    (cached and read-only). One call at a time (the binding serialises)."""

    def __init__(self) -> None:
        raise TypeError("Results come from Engine.batch()")

    @classmethod
    def _wrap(cls, ptr: int) -> "Results":
        r = cls.__new__(cls)
        r._cache = {}
        r._g = Guard(r, ptr, LIB.fn["lm_results_free"], "Results", shared=False)
        return r

    def _check_open(self) -> None:
        if self.closed:
            raise ClosedError("Results is closed")

    def count(self, direction: Union[Direction, int, str]) -> int:
        """Total rows (matches) in a direction."""
        with self._guard() as h:
            return _results_count(h, _direction(direction))

    def n_lists(self, direction: Union[Direction, int, str]) -> int:
        """Lists in a direction (vacancies or candidates queried, also those without a match)."""
        n = ctypes.c_size_t()
        with self._guard() as h:
            raise_for(LIB.fn["lm_results_lists"](ctypes.byref(n), h, _direction(direction)))
        return n.value

    def lists(self, direction: Union[Direction, int, str]) -> np.ndarray:
        """Index of the lists of a direction: LIST_DTYPE array (id, first, len),
        where rows first..first+len of matches(direction) belong to list id."""
        d = _direction(direction)
        key = ("lists", d)
        self._check_open()
        if key not in self._cache:
            with self._guard() as h:
                n = ctypes.c_size_t()
                raise_for(LIB.fn["lm_results_lists"](ctypes.byref(n), h, d))
                out = np.empty(n.value, dtype=LIST_DTYPE)
                id_, first, ln = ctypes.c_int64(), ctypes.c_size_t(), ctypes.c_size_t()
                f = LIB.fn["lm_results_list"]
                for i in range(n.value):
                    raise_for(f(ctypes.byref(id_), ctypes.byref(first), ctypes.byref(ln), h, d, i))
                    out[i] = (id_.value, first.value, ln.value)
            out.setflags(write=False)
            self._cache[key] = out
        return self._cache[key]

    def matches(self, direction: Union[Direction, int, str]) -> np.ndarray:
        """Every row of a direction, ordered by list then rank (MATCH_DTYPE)."""
        d = _direction(direction)
        key = ("rows", d)
        self._check_open()
        if key not in self._cache:
            with self._guard() as h:
                out = _results_rows(h, d)
            out.setflags(write=False)
            self._cache[key] = out
        return self._cache[key]

    @property
    def by_vacancy(self) -> np.ndarray:
        """Per vacancy its best candidates (all rows of Direction.VACANCY)."""
        return self.matches(Direction.VACANCY)

    @property
    def by_candidate(self) -> np.ndarray:
        """Per candidate its best vacancies (all rows of Direction.CANDIDATE)."""
        return self.matches(Direction.CANDIDATE)

    def _list_of(self, d: int, id: int) -> np.ndarray:
        key = ("index", d)
        if key not in self._cache:
            ls = self.lists(d)
            self._cache[key] = {int(i): (int(f), int(n)) for i, f, n in ls}
        try:
            first, n = self._cache[key][int(id)]
        except KeyError:
            what = "vacancy" if d == Direction.VACANCY else "candidate"
            raise make_error(-5, f"no list for {what} {id} in these results") from None
        return self.matches(d)[first:first + n]

    def for_vacancy(self, vacancy_id: int) -> np.ndarray:
        """The ranked candidates of one vacancy (UnknownIdError if it has no list)."""
        return self._list_of(Direction.VACANCY, vacancy_id)

    def for_candidate(self, candidate_id: int) -> np.ndarray:
        """The ranked vacancies of one candidate (UnknownIdError if it has no list)."""
        return self._list_of(Direction.CANDIDATE, candidate_id)

    @property
    def stats(self) -> Dict[str, float]:
        """pairs_scored, pairs_feasible, seconds, policy_version, snapshot_version, threads, kernel,
        competence_model (1.1)."""
        with self._guard() as h:
            return _results_stats(h)

    def __repr__(self) -> str:
        if self.closed:
            return "<libmatch.Results closed>"
        return (f"<libmatch.Results vacancy lists={self.n_lists(0)} rows={self.count(0)}; "
                f"candidate lists={self.n_lists(1)} rows={self.count(1)}>")


class Engine(Handle):
    """A query context (``lm_engine``): policy, travel model, threads, scratch
    memory and the message of its last error.

    One call at a time: the binding serialises calls on one Engine (a second
    thread waits); use one Engine per thread for parallel queries. The GIL is
    released during queries and batches.

    Args:
        policy: copied; None means the defaults.
        travel: referenced and made read-only; None means the default
            geometric model.
        threads: worker threads for batches, 0 = online cores [0].
        kernel: Kernel (or "auto", "scalar", "avx2", "avx512") [AUTO].
    """

    def __init__(self, policy: Optional[Policy] = None, travel: Optional[Travel] = None, *,
                 threads: Optional[int] = None, kernel: Union[Kernel, int, str, None] = None) -> None:
        if policy is not None and not isinstance(policy, Policy):
            raise TypeError("policy must be a libmatch.Policy or None")
        if travel is not None and not isinstance(travel, Travel):
            raise TypeError("travel must be a libmatch.Travel or None")
        self._travel = travel
        self.last_stats: Dict[str, float] = {}
        with _maybe(policy) as ph, _maybe(travel) as th:
            ptr = create("lm_engine_create", ph, th)
        self._g = Guard(self, ptr, LIB.fn["lm_engine_free"], "Engine", shared=False)
        self._policy_values = policy.to_dict() if policy is not None else None
        if threads is not None:
            self.threads = threads
        if kernel is not None:
            self.kernel = kernel

    def _errmsg(self) -> Callable[[], bytes]:
        return lambda: LIB.fn["lm_engine_errmsg"](self._g.peek())

    # -- options -----------------------------------------------------------
    @property
    def policy(self) -> Policy:
        """A copy of the policy in use. Assign a Policy to replace it (copied)."""
        return Policy(**self._policy_values) if self._policy_values else Policy()

    @policy.setter
    def policy(self, policy: Policy) -> None:
        if not isinstance(policy, Policy):
            raise TypeError("policy must be a libmatch.Policy")
        with self._guard() as h, policy._guard() as ph:
            raise_for(LIB.fn["lm_engine_set_policy"](h, ph), self._errmsg())
        self._policy_values = policy.to_dict()

    @property
    def travel(self) -> Optional[Travel]:
        """The Travel given at creation (None: the default geometric model)."""
        return self._travel

    def _set(self, option: int, value: int) -> None:
        with self._guard() as h:
            raise_for(LIB.fn["lm_engine_set_i64"](h, option, int(value)), self._errmsg())

    def _get(self, option: int) -> int:
        out = ctypes.c_int64()
        with self._guard() as h:
            raise_for(LIB.fn["lm_engine_get_i64"](ctypes.byref(out), h, option), self._errmsg())
        return out.value

    @property
    def threads(self) -> int:
        """Worker threads for batches (0 = online cores)."""
        return self._get(0)

    @threads.setter
    def threads(self, n: int) -> None:
        self._set(0, n)

    @property
    def kernel(self) -> Kernel:
        """The scoring kernel in use; set Kernel.AUTO/SCALAR/AVX2/AVX512
        (UnsupportedError if the CPU lacks it)."""
        return Kernel(self._get(1))

    @kernel.setter
    def kernel(self, k: Union[Kernel, int, str]) -> None:
        self._set(1, to_kernel(k))

    # -- queries -----------------------------------------------------------
    def _query(self, cname: str, snapshot: Snapshot, viewer: ViewerLike, id: int, k: int) -> np.ndarray:
        if not isinstance(snapshot, Snapshot):
            raise TypeError("snapshot must be a libmatch.Snapshot (Pool.snapshot())")
        v = _viewer(viewer)
        if not 0 <= int(k) <= 0xFFFFFFFF:
            raise RangeError(f"k = {k} outside 1..10000")
        out = ctypes.c_void_p()
        with self._guard() as h, snapshot._guard() as sh:
            st = LIB.fn[cname](ctypes.byref(out), h, sh, ctypes.byref(v), int(id), int(k))
            raise_for(st, self._errmsg())
        r = out.value
        try:
            rows = _results_rows(r, 0 if cname == "lm_engine_query_vacancy" else 1)
            self.last_stats = _results_stats(r)
        finally:
            LIB.fn["lm_results_free"](r)
        return rows

    def query_vacancy(self, snapshot: Snapshot, viewer: ViewerLike, vacancy_id: int, k: int = 10) -> np.ndarray:
        """Top-k candidates for one vacancy, as seen by `viewer`: a MATCH_DTYPE
        array ordered by rank. UnknownIdError if the vacancy is not in the
        snapshot; RangeError for k outside 1..MAX_K. Stats of the query are in
        ``engine.last_stats``."""
        return self._query("lm_engine_query_vacancy", snapshot, viewer, vacancy_id, k)

    def query_candidate(self, snapshot: Snapshot, viewer: ViewerLike, candidate_id: int, k: int = 10) -> np.ndarray:
        """Top-k vacancies for one candidate the viewer may see (MATCH_DTYPE
        array). A candidate the viewer may not see raises UnknownIdError, exactly
        as a missing one."""
        return self._query("lm_engine_query_candidate", snapshot, viewer, candidate_id, k)

    def batch(self, snapshot: Snapshot, viewer: ViewerLike, *, k_candidates: int = 10, k_vacancies: int = 10,
              vacancy_region: int = 0, progress: Optional[Callable[[int, int], Any]] = None) -> Results:
        """The nightly batch: top-k both ways over the whole snapshot, for every
        vacancy (optionally of one region) and every candidate the viewer may
        see.

        progress(done, total) is called on this thread now and then; return
        True to cancel (CancelledError), or raise to cancel and get that
        exception. The GIL is released while the C code runs.
        """
        if not isinstance(snapshot, Snapshot):
            raise TypeError("snapshot must be a libmatch.Snapshot (Pool.snapshot())")
        v = _viewer(viewer)
        o = _ffi.BatchOptions()
        o.struct_size = ctypes.sizeof(_ffi.BatchOptions)
        for nm, val, lo, hi in (("k_candidates", k_candidates, 0, 0xFFFFFFFF),
                                ("k_vacancies", k_vacancies, 0, 0xFFFFFFFF),
                                ("vacancy_region", vacancy_region, -2**31, 2**31 - 1)):
            if not lo <= int(val) <= hi:
                raise RangeError(f"{nm} = {val} out of range")
            setattr(o, nm, int(val))
        prog = Progress(progress)
        o.progress = prog.cfunc
        out = ctypes.c_void_p()
        with self._guard() as h, snapshot._guard() as sh:
            st = LIB.fn["lm_engine_batch"](ctypes.byref(out), h, sh, ctypes.byref(v), ctypes.byref(o))
            if st < 0:
                prog.reraise()
                raise_for(st, self._errmsg())
        return Results._wrap(out.value)

    def explain(self, snapshot: Snapshot, viewer: ViewerLike, vacancy_id: int, candidate_id: int) -> Match:
        """Score and explain one pair. For an infeasible pair, ``constraint`` is
        the first excluding hard filter and the score is 0. UnknownIdError for a
        missing id or a candidate the viewer may not see."""
        if not isinstance(snapshot, Snapshot):
            raise TypeError("snapshot must be a libmatch.Snapshot (Pool.snapshot())")
        v = _viewer(viewer)
        m = _ffi.Match_()
        with self._guard() as h, snapshot._guard() as sh:
            st = LIB.fn["lm_engine_explain"](ctypes.byref(m), ctypes.sizeof(m), h, sh, ctypes.byref(v),
                                             int(vacancy_id), int(candidate_id))
            raise_for(st, self._errmsg())
        return Match.from_record(m)

    def set_history(self, history: Any) -> None:
        """Let batches, assignments, queries and explanations honour a proposal
        history (a libmatch.process.History; None detaches). The engine keeps
        its own reference: the History may be closed afterwards, but no longer
        changed (StateError). See docs/lifecycle.md."""
        from .process import History
        if history is not None and not isinstance(history, History):
            raise TypeError("history must be a libmatch.History or None")
        with self._guard() as h:
            if history is None:
                raise_for(LIB.fn["lm_engine_set_history"](h, None), self._errmsg())
                return
            with history._guard() as hh:
                raise_for(LIB.fn["lm_engine_set_history"](h, hh), self._errmsg())

    # -- assignment (assign.h) -------------------------------------------
    def assign(self, batch: Results, **options: Any):
        """Coordinated proposals from a batch; see libmatch.assign.assign()."""
        from .assign import assign
        return assign(self, batch, **options)

    def assign_graph(self, **graph_and_options: Any):
        """Coordinated proposals over your own graph; see libmatch.assign.assign_graph()."""
        from .assign import assign_graph
        return assign_graph(self, **graph_and_options)

    def __repr__(self) -> str:
        if self.closed:
            return "<libmatch.Engine closed>"
        return f"<libmatch.Engine threads={self.threads} kernel={self.kernel.name}>"


class _maybe:
    """`with _maybe(obj) as h`: obj's guarded handle, or None for None."""

    def __init__(self, obj: Optional[Handle]) -> None:
        self.g = obj._guard() if obj is not None else None

    def __enter__(self) -> Optional[int]:
        return self.g.__enter__() if self.g is not None else None

    def __exit__(self, *exc: object) -> None:
        if self.g is not None:
            self.g.__exit__(*exc)
