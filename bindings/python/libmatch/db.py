"""Shared pools in PostgreSQL (pg.h): schema, loading (full or incremental),
travel matrices and writing whole runs atomically, over libpq with binary COPY.

A :class:`Db` is used by one thread at a time (libpq's rule); the binding
serialises calls on one Db. If the loaded library does not export the
PostgreSQL functions, Db() raises :class:`~libmatch.errors.UnsupportedError`
(a NotImplementedError). Schema and run lifecycle: docs/postgresql.md.
"""
from __future__ import annotations

import ctypes
import enum
from typing import Any, Callable, Iterable, Optional, Tuple, Union

import numpy as np

from . import _ffi
from ._base import LIB, Guard, Handle, Progress, fn, raise_for
from .assign import Assignment
from .core import (CANDIDATE_COLUMNS, CANDIDATE_REQUIRED, VACANCY_COLUMNS, VACANCY_REQUIRED, Pool,
                   Results, Travel, _build_cols)
from .errors import DatabaseError, make_error

__all__ = ["Db", "DbTable", "RunPart", "DatabaseError", "available", "PROPOSAL_STATUSES",
           "REASONS", "CHANGE_KINDS"]

#: enum lm_proposal_status (process.h), by value: fixed forever.
PROPOSAL_STATUSES = ("proposed", "introduced", "interview", "placed", "rejected", "declined", "withdrawn", "expired")
#: enum lm_reason (process.h), by value.
REASONS = ("none", "skills", "hours", "travel", "wage", "health", "not_interested", "other_job", "filled",
           "no_response", "superseded", "other")
#: enum lm_change_kind (pg.h), by value.
CHANGE_KINDS = ("new_in_topk", "dropped_from_topk", "became_feasible", "proposal_gone")


def _code(value: Union[int, str], names: Tuple[str, ...], what: str) -> int:
    """A status or reason given by name (case-insensitive) or number."""
    if isinstance(value, str):
        try:
            return names.index(value.lower())
        except ValueError:
            raise make_error(-6, f"unknown {what} {value!r} ({', '.join(names)})") from None
    return int(value)


_NAMES = ("lm_db_open", "lm_db_close", "lm_db_errmsg", "lm_db_set_schema", "lm_db_set_progress",
          "lm_db_init", "lm_db_schema_version", "lm_db_load_pool", "lm_db_load_travel",
          "lm_db_write_candidates", "lm_db_write_vacancies", "lm_db_write_run")


class DbTable(enum.IntEnum):
    """Source tables that Db.set_table() can redirect (enum lm_db_table)."""
    CANDIDATES = 0    #: default "candidates"
    VACANCIES = 1     #: default "vacancies"
    TRAVEL_TIMES = 2  #: default "travel_times"


#: One part of a run for Db.write_run_parts(): (results, assignment or None, region).
RunPart = Tuple[Results, Optional[Assignment], int]


def available() -> bool:
    """True when the loaded library exports the PostgreSQL functions."""
    return all(LIB.fn.get(n) is not None for n in _NAMES)


class Db(Handle):
    """One database connection (``lm_db``).

    Args:
        conninfo: a libpq conninfo string or URI; None or "" uses the PG*
            environment variables.
        schema: another schema than "libmatch" (quoted by the library).
        progress: progress(done, total) for long loads and writes; return True
            (or raise) to cancel: the operation then changes nothing.

    Raises DatabaseError (with the server's or libpq's message) if the
    connection fails.
    """

    def __init__(self, conninfo: Optional[str] = None, *, schema: Optional[str] = None,
                 progress: Optional[Callable[[int, int], Any]] = None) -> None:
        f = fn("lm_db_open")
        close = fn("lm_db_close")
        out = ctypes.c_void_p()
        st = f(ctypes.byref(out), conninfo.encode() if conninfo else None)
        if st < 0:
            msg = b""
            if out.value:
                msg = LIB.fn["lm_db_errmsg"](out.value) or b""
                close(out.value)
            raise make_error(st, msg.decode("utf-8", "replace") or "lm_db_open failed")
        self._setup(out.value, schema, progress)

    def _setup(self, ptr: int, schema: Optional[str], progress: Optional[Callable[[int, int], Any]]) -> None:
        self._g = Guard(self, ptr, LIB.fn["lm_db_close"], "Db", shared=False)
        self._progress: Optional[Progress] = None
        if schema is not None:
            self.schema = schema
        if progress is not None:
            self.set_progress(progress)

    @classmethod
    def wrap(cls, pgconn_ptr: int, *, owner: Any = None, schema: Optional[str] = None,
             progress: Optional[Callable[[int, int], Any]] = None) -> "Db":
        """Use a libpq connection (a PGconn* address, e.g. psycopg 3's
        ``conn.pgconn.pgconn_ptr``) that you opened; close() does not close it.
        `owner` is kept referenced so the connection outlives this Db."""
        f = fn("lm_db_wrap")
        out = ctypes.c_void_p()
        st = f(ctypes.byref(out), ctypes.c_void_p(int(pgconn_ptr)))
        if st < 0:
            raise_for(st)
        db = cls.__new__(cls)
        db._owner = owner
        db._setup(out.value, schema, progress)
        return db

    def _errmsg(self) -> Callable[[], bytes]:
        return lambda: LIB.fn["lm_db_errmsg"](self._g.peek())

    def _check(self, st: int) -> None:
        p = self._progress
        if st < 0:
            if p is not None:
                p.reraise()  # the callback's own exception, if it raised one
            raise_for(st, self._errmsg())
        if p is not None:
            p.exc = None  # the call completed: nothing to re-raise later

    @property
    def schema(self) -> str:
        """The schema in use ("libmatch" unless set); setting it quotes any name."""
        return getattr(self, "_schema", "libmatch")

    @schema.setter
    def schema(self, name: str) -> None:
        with self._guard() as h:
            self._check(fn("lm_db_set_schema")(h, name.encode()))
        self._schema = name

    def set_table(self, table: Union[DbTable, int, str], name: Optional[str]) -> None:
        """Read (and write) one side from another table or view of the schema
        (None: the default name). It must have the default table's columns."""
        if isinstance(table, str):
            try:
                t = int(DbTable[table.upper()])
            except KeyError:
                raise make_error(-6, f"unknown table {table!r} (candidates, vacancies, travel_times)") from None
        else:
            t = int(table)
        with self._guard() as h:
            self._check(fn("lm_db_set_table")(h, t, name.encode() if name is not None else None))

    def set_progress(self, progress: Optional[Callable[[int, int], Any]]) -> None:
        """Report progress of long loads and writes (None: no reports)."""
        p = Progress(progress)
        with self._guard() as h:
            self._check(fn("lm_db_set_progress")(h, p.cfunc, None))
        self._progress = p if progress is not None else None  # keeps the C callback alive

    def init(self) -> None:
        """Create the schema, or upgrade it, in one transaction (StateError if
        the database has a newer schema than this library knows)."""
        with self._guard() as h:
            self._check(fn("lm_db_init")(h))

    @property
    def schema_version(self) -> int:
        """The schema version in the database (0 if none)."""
        out = ctypes.c_int32()
        with self._guard() as h:
            self._check(fn("lm_db_schema_version")(ctypes.byref(out), h))
        return out.value

    @property
    def vector_dim(self) -> int:
        """Dimension of the stored competence vectors (0 when the tables have
        no live row), to create the Pool for load_pool()."""
        out = ctypes.c_uint32()
        with self._guard() as h:
            self._check(fn("lm_db_vector_dim")(ctypes.byref(out), h))
        return out.value

    def regions(self) -> np.ndarray:
        """The distinct labour-market regions of the live vacancies, ascending (int32)."""
        f = fn("lm_db_regions")
        need = ctypes.c_size_t()
        with self._guard() as h:
            for _ in range(5):  # the table may change between the two calls
                st = f(None, 0, ctypes.byref(need), h)
                if st < 0 and st != -15:
                    self._check(st)
                out = np.zeros(need.value, dtype=np.int32)
                if not need.value:
                    return out
                st = f(out.ctypes.data, need.value, ctypes.byref(need), h)
                if st != -15:
                    self._check(st)
                    return out[:need.value]
            self._check(st)
        return out

    def load_pool(self, pool: Pool, since: int = 0) -> int:
        """Load candidates and vacancies into `pool` as one atomic update: a
        full load with since=0, else only rows changed since that watermark
        (with deletions). Returns the watermark to pass next time."""
        out = ctypes.c_int64()
        with self._guard() as h, pool._guard() as ph:
            self._check(fn("lm_db_load_pool")(ctypes.byref(out), h, ph, int(since)))
        return out.value

    def load_travel(self, travel: Travel) -> None:
        """Load the travel_times table into `travel` (one matrix per mode present)."""
        with self._guard() as h, travel._guard() as th:
            self._check(fn("lm_db_load_travel")(h, th))

    def write_candidates(self, data: Any = None, /, *, dim: Optional[int] = None, **columns: Any) -> int:
        """Upsert candidates into the tables in one transaction; columns as
        Pool.add_candidates() (vectors 2-D, or 1-D with `dim`). Returns n."""
        f = fn("lm_db_write_candidates")
        c, n, keep = _build_cols("write_candidates", _ffi.CandidateCols, CANDIDATE_COLUMNS,
                                 CANDIDATE_REQUIRED, data, columns, dim)
        with self._guard() as h:
            self._check(f(h, ctypes.byref(c), n))
        del keep
        return n

    def write_vacancies(self, data: Any = None, /, *, dim: Optional[int] = None, **columns: Any) -> int:
        """Upsert vacancies; see write_candidates() and Pool.add_vacancies()."""
        f = fn("lm_db_write_vacancies")
        c, n, keep = _build_cols("write_vacancies", _ffi.VacancyCols, VACANCY_COLUMNS,
                                 VACANCY_REQUIRED, data, columns, dim)
        with self._guard() as h:
            self._check(f(h, ctypes.byref(c), n))
        del keep
        return n

    def write_run(self, results: Results, assignment: Optional[Assignment] = None, *,
                  label: Optional[str] = None, region: int = 0) -> int:
        """Write a run (both directions of `results` and the proposals of
        `assignment`) in one transaction; readers see a whole run or none.
        Returns the new run id."""
        f = fn("lm_db_write_run")
        info = _ffi.RunInfo()
        info.struct_size = ctypes.sizeof(_ffi.RunInfo)
        info.label = label.encode() if label is not None else None
        info.region = int(region)
        out = ctypes.c_int64()
        with self._guard() as h, results._guard() as rh:
            if assignment is not None:
                with assignment._guard() as ah:
                    st = f(ctypes.byref(out), h, rh, ah, ctypes.byref(info))
            else:
                st = f(ctypes.byref(out), h, rh, None, ctypes.byref(info))
            self._check(st)
        return out.value

    def write_run_parts(self, parts: Iterable[Union[RunPart, Tuple[Results, Optional[Assignment]]]], *,
                        label: Optional[str] = None, region: int = 0) -> int:
        """Write one run made of several parts, e.g. one (results, assignment,
        region) per region as seen by its WSP, in one transaction. Returns the
        new run id."""
        f = fn("lm_db_write_run_parts")
        items = [tuple(p) for p in parts]
        if not items:
            raise make_error(-1, "write_run_parts: no parts")
        arr = (_ffi.RunPart * len(items))()
        info = _ffi.RunInfo()
        info.struct_size = ctypes.sizeof(_ffi.RunInfo)
        info.label = label.encode() if label is not None else None
        info.region = int(region)
        out = ctypes.c_int64()
        entered: dict = {}  # id(obj) -> (guard, handle); an object in several parts is taken once

        def take(obj: Any) -> int:
            k = id(obj)
            if k not in entered:
                g = obj._guard()
                entered[k] = (g, g.__enter__())
            return entered[k][1]

        try:
            with self._guard() as h:
                for i, p in enumerate(items):
                    res, asg = p[0], p[1] if len(p) > 1 else None
                    if not isinstance(res, Results):
                        raise TypeError("each part needs the Results of Engine.batch()")
                    if asg is not None and not isinstance(asg, Assignment):
                        raise TypeError("a part's assignment must be an Assignment or None")
                    arr[i].struct_size = ctypes.sizeof(_ffi.RunPart)
                    arr[i].results = take(res)
                    arr[i].assignment = take(asg) if asg is not None else None
                    arr[i].region = int(p[2]) if len(p) > 2 else 0
                st = f(ctypes.byref(out), h, ctypes.byref(arr), ctypes.sizeof(_ffi.RunPart), len(items),
                       ctypes.byref(info))
                self._check(st)
        finally:
            for g, _ in reversed(list(entered.values())):
                g.__exit__(None, None, None)
        return out.value

    # ---- the proposal lifecycle (schema version 2; docs/postgresql.md) ----
    def load_history(self) -> "History":
        """Every proposal of proposal_state as a libmatch.History, ready for
        Engine.set_history() (docs/lifecycle.md)."""
        from .process import History
        out = ctypes.c_void_p()
        with self._guard() as h:
            self._check(fn("lm_db_load_history")(ctypes.byref(out), h))
        return History._adopt(out.value)

    @staticmethod
    def _change(c: Any) -> "_ffi.StatusChange":
        if not isinstance(c, dict):
            raise TypeError("a status change is a dict: proposal_id, status, by_org[, reason, expected_version, day]")
        x = _ffi.StatusChange()
        x.struct_size = ctypes.sizeof(_ffi.StatusChange)
        x.proposal_id = int(c["proposal_id"])
        x.status = _code(c["status"], PROPOSAL_STATUSES, "status")
        x.by_org = int(c.get("by_org", 0))
        x.reason = _code(c.get("reason", 0), REASONS, "reason")
        x.expected_version = int(c.get("expected_version", -1))
        x.day = int(c.get("day", 0))
        return x

    def set_status(self, proposal_id: int, status: Union[int, str], *, by_org: int, reason: Union[int, str] = 0,
                   expected_version: int = -1, day: int = 0) -> None:
        """Change a proposal's status (e.g. "introduced": by_org takes the lead).
        Raises StateError (the lifecycle forbids it), UnknownIdError, ConflictError
        (the version is no longer `expected_version`: someone changed it first)."""
        x = self._change(dict(proposal_id=proposal_id, status=status, by_org=by_org, reason=reason,
                              expected_version=expected_version, day=day))
        with self._guard() as h:
            self._check(fn("lm_db_set_status")(h, ctypes.byref(x)))

    def set_status_batch(self, changes: Iterable[dict]) -> None:
        """Apply several changes (dicts with set_status()'s arguments) atomically, in order."""
        items = [self._change(c) for c in changes]
        if not items:
            raise make_error(-1, "set_status_batch: no changes")
        arr = (_ffi.StatusChange * len(items))(*items)
        with self._guard() as h:
            self._check(fn("lm_db_set_status_batch")(h, ctypes.byref(arr), ctypes.sizeof(_ffi.StatusChange),
                                                       len(items)))

    def log_access(self, viewer_org: int, action: str, *, vacancy_id: int = 0, candidate_id: int = 0,
                   proposal_id: int = 0) -> None:
        """Record in access_log that `viewer_org` saw or used a pair or proposal."""
        with self._guard() as h:
            self._check(fn("lm_db_log_access")(h, int(viewer_org), action.encode(), int(vacancy_id),
                                                 int(candidate_id), int(proposal_id)))

    def proposals(self, *, run: Union[int, str] = 0, status: Optional[Union[int, str]] = None, org: int = 0,
                  proposal_id: int = 0, viewer_org: int = 0) -> list:
        """Proposals as dicts (proposal_id, run_id, vacancy_id, candidate_id, owner_org,
        lead_org, status (name), reason (name), version, day, first_run_id, last_run_id,
        score), by proposal id. run: 0 all, a run id, or "latest"."""
        f = _ffi.ProposalFilter()
        f.struct_size = ctypes.sizeof(_ffi.ProposalFilter)
        f.run_id = -1 if run == "latest" else int(run)
        f.status = -1 if status is None else _code(status, PROPOSAL_STATUSES, "status")
        f.org, f.proposal_id, f.viewer_org = int(org), int(proposal_id), int(viewer_org)
        rows: list = []

        def cb(_user: Any, p: Any) -> int:
            r = p.contents
            d = {k: getattr(r, k) for k, _ in _ffi.ProposalRow._fields_ if k not in ("struct_size", "reserved")}
            d["status"] = PROPOSAL_STATUSES[r.status]
            d["reason"] = REASONS[r.reason]
            rows.append(d)
            return 0

        cfn = _ffi.PROPOSAL_FN(cb)
        with self._guard() as h:
            self._check(fn("lm_db_proposals")(None, h, ctypes.byref(f), cfn, None))
        return rows

    def proposal_counts(self) -> dict:
        """Number of proposals per status name."""
        out = (ctypes.c_int64 * len(PROPOSAL_STATUSES))()
        with self._guard() as h:
            self._check(fn("lm_db_proposal_counts")(out, len(PROPOSAL_STATUSES), h))
        return {n: int(out[i]) for i, n in enumerate(PROPOSAL_STATUSES)}

    def run_changes(self, run: int = 0) -> Tuple[int, int, list]:
        """(run id, previous run id, changes) of a run (0: the latest complete
        run) against the previous complete run of its region (previous run id 0:
        there was none, nothing to compare with); each change a dict with kind
        (name), vacancy_id (0 for became_feasible), candidate_id, proposal_id,
        prev_run_id and reason."""
        rows: list = []

        def cb(_user: Any, p: Any) -> int:
            c = p.contents
            rows.append({"kind": CHANGE_KINDS[c.kind] if 0 <= c.kind < len(CHANGE_KINDS) else c.kind,
                         "vacancy_id": c.vacancy_id, "candidate_id": c.candidate_id, "proposal_id": c.proposal_id,
                         "prev_run_id": c.prev_run_id, "reason": (c.reason or b"").decode("utf-8", "replace")})
            return 0

        cfn = _ffi.RUN_CHANGE_FN(cb)
        out, prev = ctypes.c_int64(), ctypes.c_int64()
        with self._guard() as h:
            self._check(fn("lm_db_run_changes")(ctypes.byref(out), ctypes.byref(prev), h, int(run), cfn, None))
        return out.value, prev.value, rows

    # ---- outcomes: placements and effect figures (schema version 3; docs/postgresql.md) ----
    def place(self, proposal_id: int, *, by_org: int, start: Any = 0, hours: float = 0.0,
              contract: Union[int, str] = "regular", lks: bool = False, reason: Union[int, str] = 0,
              expected_version: int = -1, day: Any = 0) -> None:
        """Set a proposal to placed and record its placement in one transaction
        (lm_db_place()). start: the first day (date, ISO string or day number;
        0 = the day of the change); hours per week 0..80 (0 = unknown); contract:
        a Contract or its name; lks: loonkostensubsidie. Raises RangeError (bad
        value, start before the proposal), StateError, UnknownIdError, ConflictError."""
        from .effects import Contract, day_number
        x = self._change(dict(proposal_id=proposal_id, status="placed", by_org=by_org, reason=reason,
                              expected_version=expected_version, day=day_number(day) if day else 0))
        s = _ffi.PlacementStart()
        s.struct_size = ctypes.sizeof(_ffi.PlacementStart)
        s.start_day = day_number(start) if start else 0
        s.hours = float(hours)
        if isinstance(contract, str):
            try:
                contract = Contract[contract.upper()]
            except KeyError:
                raise make_error(-6, f"unknown contract {contract!r} "
                                     f"({', '.join(c.name.lower() for c in Contract)})") from None
        s.contract = int(contract)
        if not isinstance(lks, (bool, np.bool_, int)):
            raise TypeError("lks: True or False")
        s.lks = int(lks)
        with self._guard() as h:
            self._check(fn("lm_db_place")(h, ctypes.byref(x), ctypes.byref(s)))

    def placement_end(self, proposal_id: int, end: Any, reason: Union[int, str]) -> None:
        """Record that a placement ended (lm_db_placement_end()): end is a date,
        ISO string or day number (0 = today); reason an EndReason or its name
        (contract_ended, dismissed, person_left, moved, other)."""
        from .effects import EndReason, day_number
        if isinstance(reason, str):
            try:
                reason = EndReason[reason.upper()]
            except KeyError:
                raise make_error(-6, f"unknown end reason {reason!r} "
                                     f"({', '.join(r.name.lower() for r in EndReason if r)})") from None
        d = day_number(end) if end else 0
        with self._guard() as h:
            self._check(fn("lm_db_placement_end")(h, int(proposal_id), d, int(reason)))

    def outcomes(self) -> Tuple[np.ndarray, np.ndarray]:
        """The outcome history (lm_db_outcomes()): (persons, records) as numpy
        structured arrays with the columns PERSON_COLUMNS and
        RECORD_COLUMNS of libmatch.effects (days as day numbers, -1: did not happen), ready for
        libmatch.compute_effects()."""
        from .effects import _PERSON_DTYPE, _RECORD_DTYPE
        pp, rp = ctypes.c_void_p(), ctypes.c_void_p()
        npers, nrec = ctypes.c_size_t(), ctypes.c_size_t()
        with self._guard() as h:
            self._check(fn("lm_db_outcomes")(h, ctypes.byref(pp), ctypes.byref(npers), ctypes.byref(rp),
                                             ctypes.byref(nrec)))
        try:
            P = np.zeros(npers.value, _PERSON_DTYPE)
            R = np.zeros(nrec.value, _RECORD_DTYPE)
            if npers.value:
                ctypes.memmove(P.ctypes.data, pp.value, P.nbytes)
            if nrec.value:
                ctypes.memmove(R.ctypes.data, rp.value, R.nbytes)
        finally:
            fn("lm_db_outcomes_free")(pp, rp)
        keep_p = [n for n in P.dtype.names if n not in ("struct_size", "reserved")]
        keep_r = [n for n in R.dtype.names if n != "struct_size"]
        return P[keep_p], R[keep_r]

    def effects(self, from_day: Any, to_day: Any, as_of_day: Any = None, threshold: int = 5) -> "Effects":
        """The effect figures as the database computes them (SQL function
        effect_figures(); lm_db_effects()), as a libmatch.Effects like
        compute_effects() returns. as_of_day defaults to to_day."""
        from .effects import EFFECT_DTYPE, FIG_NAMES, Effects, day_number
        f, t = day_number(from_day), day_number(to_day)
        a = t if as_of_day is None else day_number(as_of_day)
        for v in (f, t, a, int(threshold)):
            if not -2**31 <= v < 2**31:
                raise make_error(-6, f"effects: {v} does not fit a 32-bit day or threshold")
        out = ctypes.c_void_p()
        n = ctypes.c_size_t()
        with self._guard() as h:
            self._check(fn("lm_db_effects")(ctypes.byref(out), ctypes.byref(n), h, f, t, a, int(threshold)))
        try:
            rows = ctypes.cast(out, ctypes.POINTER(_ffi.EffectRow))
            arr = np.zeros(n.value, EFFECT_DTYPE)
            for i in range(n.value):
                r = rows[i]
                arr["dim"][i], arr["key"][i], arr["suppressed"][i] = r.dim, r.key, r.suppressed
                for j, nm in enumerate(FIG_NAMES):
                    arr[nm][i] = r.value[j]
        finally:
            fn("lm_db_effects_free")(out)
        return Effects(arr, f, t, a, int(threshold))

    def __repr__(self) -> str:
        return "<libmatch.Db closed>" if self.closed else f"<libmatch.Db schema={self.schema!r}>"

