"""The matching process after a proposal (process.h, docs/lifecycle.md): the
proposal lifecycle as a state machine with reason codes, and the proposal
history an Engine honours across nights (Engine.set_history()).

    h = History()
    h.add(proposal_id=[1, 2], vacancy_id=[10, 10], candidate_id=[5, 6],
          status=[ProposalStatus.INTRODUCED, "rejected"], day=[20400, 20401],
          lead_org=[3, 0])
    engine.set_history(h)        # h is read-only from now on
"""
from __future__ import annotations

import ctypes
import enum
from typing import Any, Callable, Dict, Union

import numpy as np

from . import _ffi
from ._base import LIB, Guard, Handle, column, create, raise_for, required
from .errors import LM_ERR_RANGE, LM_ERR_STATE

__all__ = ["ProposalStatus", "Reason", "History", "HISTORY_COLUMNS", "transition_allowed", "check_transition",
           "status_name", "reason_name"]


class ProposalStatus(enum.IntEnum):
    """Status of a proposal (enum lm_proposal_status). Values fixed forever."""
    PROPOSED = 0    #: proposed by a run, nobody acted yet
    INTRODUCED = 1  #: put forward to the employer; the acting organisation holds the lead
    INTERVIEW = 2   #: job interview planned or held
    PLACED = 3      #: the person started (or will start) in the job
    REJECTED = 4    #: ended: the employer said no
    DECLINED = 5    #: ended: the person said no
    WITHDRAWN = 6   #: ended: withdrawn by the organisation (or superseded by a later run)
    EXPIRED = 7     #: ended: nobody acted within the policy period

    @property
    def final(self) -> bool:
        """True for placed and the four endings: no change is allowed."""
        return self >= ProposalStatus.PLACED

    @property
    def open(self) -> bool:
        """True for introduced and interview (they take a slot and, with
        exclusive_progress, the person)."""
        return self in (ProposalStatus.INTRODUCED, ProposalStatus.INTERVIEW)


class Reason(enum.IntEnum):
    """Reason code of a status change (enum lm_reason). Values fixed forever."""
    NONE = 0
    SKILLS = 1
    HOURS = 2
    TRAVEL = 3
    WAGE = 4
    HEALTH = 5
    NOT_INTERESTED = 6
    OTHER_JOB = 7
    FILLED = 8
    NO_RESPONSE = 9
    SUPERSEDED = 10
    OTHER = 11


def _status(value: Union[ProposalStatus, int, str]) -> int:
    if isinstance(value, str):
        out = ctypes.c_int32()
        raise_for(LIB.fn["lm_proposal_status_parse"](ctypes.byref(out), value.encode()),
                  lambda: f"unknown proposal status {value!r}".encode())
        return out.value
    return int(value)


def _reason(value: Union[Reason, int, str]) -> int:
    if isinstance(value, str):
        out = ctypes.c_int32()
        raise_for(LIB.fn["lm_reason_parse"](ctypes.byref(out), value.encode()),
                  lambda: f"unknown reason {value!r}".encode())
        return out.value
    return int(value)


def transition_allowed(frm: Union[ProposalStatus, int, str], to: Union[ProposalStatus, int, str]) -> bool:
    """Whether the lifecycle allows a change from `frm` to `to`
    (lm_proposal_transition()). RangeError if either is not a status."""
    st = LIB.fn["lm_proposal_transition"](_status(frm), _status(to))
    if st == LM_ERR_STATE:
        return False
    raise_for(st, lambda: f"not a proposal status: {frm!r} -> {to!r}".encode())
    return True


def check_transition(frm: Union[ProposalStatus, int, str], to: Union[ProposalStatus, int, str]) -> None:
    """Raise StateError if the change is not allowed, RangeError if either is not a status."""
    st = LIB.fn["lm_proposal_transition"](_status(frm), _status(to))
    raise_for(st, lambda: f"proposal status change {frm!r} -> {to!r} is not allowed".encode())


#: Columns of History.add(): name -> numpy dtype (* = required): proposal_id*,
#: vacancy_id*, candidate_id* (int64), status* (int32 ProposalStatus or its
#: name), day* (int32 day number of the last change), lead_org (int64) [0],
#: reason (int32 Reason or its name) [NONE].
HISTORY_COLUMNS: Dict[str, Any] = {
    "proposal_id": np.int64, "vacancy_id": np.int64, "candidate_id": np.int64, "status": np.int32,
    "day": np.int32, "lead_org": np.int64, "reason": np.int32,
}
HISTORY_REQUIRED = ("proposal_id", "vacancy_id", "candidate_id", "status", "day")


def _codes(value: Any, conv: Callable[[Any], int]) -> Any:
    """Names (str) and enum members to int codes; arrays pass through."""
    if value is None or (isinstance(value, np.ndarray) and value.dtype.kind not in "OUS"):
        return value
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (str, int, enum.Enum)):
        return conv(value)
    return [conv(x.decode() if isinstance(x, bytes) else x) if isinstance(x, (str, bytes)) else int(x)
            for x in value]


class History(Handle):
    """A set of proposals with their current status (``lm_history``).

    Filled with add() (columns like Pool.add_candidates()), then attached to
    engines with Engine.set_history(); from then on read-only. Each add() is
    atomic: an invalid row (unknown status or reason, negative day, duplicate
    proposal id) adds nothing and the error names the row.
    """

    def __init__(self, data: Any = None, /, **columns: Any) -> None:
        ptr = create("lm_history_create")
        self._g = Guard(self, ptr, LIB.fn["lm_history_free"], "History", shared=False)
        if data is not None or columns:
            self.add(data, **columns)

    @classmethod
    def _adopt(cls, ptr: int) -> "History":
        """A History around an lm_history the library created (Db.load_history())."""
        h = cls.__new__(cls)
        h._g = Guard(h, ptr, LIB.fn["lm_history_free"], "History", shared=False)
        return h

    def _errmsg(self) -> Callable[[], bytes]:
        return lambda: LIB.fn["lm_history_errmsg"](self._g.peek())

    def add(self, data: Any = None, /, **columns: Any) -> int:
        """Add proposals; returns the number of rows added. `data` may be a
        mapping of columns, a structured array or a data frame; keyword
        columns override it. Columns: see HISTORY_COLUMNS."""
        cols: Dict[str, Any] = {}
        if data is not None:
            if isinstance(data, np.ndarray) and data.dtype.names:
                names = data.dtype.names
            elif hasattr(data, "keys"):
                names = list(data.keys())
            elif hasattr(data, "columns"):
                names = list(data.columns)
            else:
                raise TypeError("History.add: data must be a mapping, a structured array or a data frame")
            for nm in names:
                if nm in HISTORY_COLUMNS:
                    cols[nm] = np.asarray(data[nm])
        for nm, v in columns.items():
            if nm not in HISTORY_COLUMNS:
                raise TypeError(f"History.add: unknown column {nm!r} (columns: {', '.join(HISTORY_COLUMNS)})")
            cols[nm] = v
        required(cols, HISTORY_REQUIRED, "History.add")
        cols["status"] = _codes(cols["status"], _status)
        cols["reason"] = _codes(cols.get("reason"), _reason)
        ids = cols["proposal_id"]
        n = 1 if np.ndim(ids) == 0 else len(ids)
        keep: list = []
        c = _ffi.HistoryCols()
        c.struct_size = ctypes.sizeof(c)
        for nm, dt in HISTORY_COLUMNS.items():
            setattr(c, nm, column(cols.get(nm), dt, nm, n, keep))
        with self._guard() as h:
            raise_for(LIB.fn["lm_history_add"](h, ctypes.byref(c), n), self._errmsg())
        del keep
        return n

    def __len__(self) -> int:
        out = ctypes.c_size_t()
        with self._guard() as h:
            raise_for(LIB.fn["lm_history_count"](ctypes.byref(out), h), self._errmsg())
        return out.value

    def __repr__(self) -> str:
        return "<libmatch.History closed>" if self.closed else f"<libmatch.History {len(self)} proposals>"


def status_name(status: Union[ProposalStatus, int]) -> str:
    """The C library's name of a status ("proposed", ...)."""
    p = LIB.fn["lm_proposal_status_name"](int(status))
    if p is None:
        raise_for(LM_ERR_RANGE, lambda: f"unknown proposal status {status!r}".encode())
    return p.decode()


def reason_name(reason: Union[Reason, int]) -> str:
    """The C library's name of a reason ("skills", ...)."""
    p = LIB.fn["lm_reason_name"](int(reason))
    if p is None:
        raise_for(LM_ERR_RANGE, lambda: f"unknown reason {reason!r}".encode())
    return p.decode()
