"""Coordinated proposals (assign.h): an exact capacity-constrained assignment
of people to vacancy slots over the sparse graph of feasible pairs.

An :class:`Assignment` is read-only after creation and may be read from
several threads; the Engine that computes it is used by one thread.
If the loaded library does not export the assignment functions, calling them
raises :class:`~libmatch.errors.UnsupportedError` (a NotImplementedError).
"""
from __future__ import annotations

import ctypes
from typing import Any, Callable, Dict, Optional, Union

import numpy as np

from . import _ffi
from ._base import LIB, Guard, Handle, Progress, as_array, column, fn, raise_for, required
from .constants import AssignStat
from .core import Engine, Results, _copy_matches, _struct_dtype
from .errors import LM_ERR_INVALID, RangeError, make_error

__all__ = ["Assignment", "assign", "assign_graph", "GROUP_REPORT_DTYPE", "available"]

#: numpy dtype of one ``lm_group_report`` (same offsets and itemsize).
GROUP_REPORT_DTYPE = _struct_dtype(_ffi.GroupReport_)


def available() -> bool:
    """True when the loaded library exports the assignment functions."""
    return all(LIB.fn.get(n) is not None for n in (
        "lm_engine_assign", "lm_engine_assign_graph", "lm_assignment_free", "lm_assignment_count",
        "lm_assignment_copy", "lm_assignment_stat", "lm_assignment_groups"))


def _options(max_per_candidate: int = 1, max_per_employer: int = 0, priority_weight: float = 0.0,
             fairness_floor: float = 0.0, progress: Optional[Callable[[int, int], Any]] = None):
    o = _ffi.AssignOptions()
    o.struct_size = ctypes.sizeof(_ffi.AssignOptions)
    for nm, v in (("max_per_candidate", max_per_candidate), ("max_per_employer", max_per_employer)):
        if not 0 <= int(v) <= 0xFFFFFFFF:
            raise RangeError(f"{nm} = {v} out of range")
        setattr(o, nm, int(v))
    o.priority_weight = float(priority_weight)
    o.fairness_floor = float(fairness_floor)
    prog = Progress(progress)
    o.progress = prog.cfunc
    return o, prog


class Assignment(Handle):
    """The coordinated proposals (``lm_assignment``).

    - ``proposals``: MATCH_DTYPE array ordered by vacancy then slot; ``rank``
      is the slot number (1-based). For a graph assignment the ids are the
      person and vacancy indices and only ``score`` is set.
    - ``stats``: objective (and its exact scaled integer), proposals, vacancies
      served, cross-border proposals, the greedy baseline, edges, seconds.
    - ``groups()``: per municipality (group) report.
    """

    def __init__(self) -> None:
        raise TypeError("Assignments come from Engine.assign() or Engine.assign_graph()")

    @classmethod
    def _wrap(cls, ptr: int, keep: Any = None) -> "Assignment":
        a = cls.__new__(cls)
        a._keep = keep  # the batch Results, kept alive as long as the assignment
        a._cache = {}
        a._g = Guard(a, ptr, LIB.fn["lm_assignment_free"], "Assignment", shared=True)
        return a

    def __len__(self) -> int:
        n = ctypes.c_size_t()
        with self._guard() as h:
            raise_for(fn("lm_assignment_count")(ctypes.byref(n), h))
        return n.value

    @property
    def proposals(self) -> np.ndarray:
        """Every proposal (MATCH_DTYPE, read-only, cached)."""
        with self._guard() as h:
            if "proposals" not in self._cache:
                n = ctypes.c_size_t()
                raise_for(fn("lm_assignment_count")(ctypes.byref(n), h))
                rows = _copy_matches(fn("lm_assignment_copy"), n.value, h, 0)
                rows.setflags(write=False)
                self._cache["proposals"] = rows
            return self._cache["proposals"]

    def stat(self, key: Union[AssignStat, int, str]) -> float:
        """One number (AssignStat or its lower-case name)."""
        k = int(AssignStat[key.upper()]) if isinstance(key, str) else int(key)
        out = ctypes.c_double()
        with self._guard() as h:
            raise_for(fn("lm_assignment_stat")(ctypes.byref(out), h, k))
        return out.value

    @property
    def stats(self) -> Dict[str, float]:
        """Every AssignStat by lower-case name (counts as int)."""
        res: Dict[str, float] = {}
        out = ctypes.c_double()
        with self._guard() as h:
            f = fn("lm_assignment_stat")
            for s in AssignStat:
                if f(ctypes.byref(out), h, int(s)) == 0:
                    v = out.value
                    res[s.name.lower()] = v if s in (AssignStat.OBJECTIVE, AssignStat.GREEDY_OBJECTIVE,
                                                     AssignStat.SECONDS) else int(v)
        return res

    @property
    def objective(self) -> float:
        """Total of score + priority_weight x priority over the proposals."""
        return self.stat(AssignStat.OBJECTIVE)

    def groups(self) -> np.ndarray:
        """Per-group outcome report ordered by group (GROUP_REPORT_DTYPE: group,
        eligible, proposals, cross_border, greedy_proposals, floor)."""
        f = fn("lm_assignment_groups")
        need = ctypes.c_size_t()
        with self._guard() as h:
            st = f(None, GROUP_REPORT_DTYPE.itemsize, 0, ctypes.byref(need), h)
            if st < 0 and st != -15:
                raise_for(st)
            out = np.zeros(need.value, dtype=GROUP_REPORT_DTYPE)
            if need.value:
                raise_for(f(out.ctypes.data, GROUP_REPORT_DTYPE.itemsize, need.value, ctypes.byref(need), h))
        return out

    def __repr__(self) -> str:
        if self.closed:
            return "<libmatch.Assignment closed>"
        return f"<libmatch.Assignment proposals={len(self)} objective={self.objective:.6f}>"


def assign(engine: Engine, batch: Results, *, max_per_candidate: int = 1, max_per_employer: int = 0,
           priority_weight: float = 0.0, fairness_floor: float = 0.0,
           progress: Optional[Callable[[int, int], Any]] = None) -> Assignment:
    """Coordinated proposals from a batch (both directions): each vacancy slot
    at most one person, each person at most `max_per_candidate` proposals
    (and at most `max_per_employer` per employer, 0 = no limit), maximising
    the total of score + priority_weight x priority; `fairness_floor` in 0..1
    guarantees each municipality a share (docs/assignment.md).
    progress(done, total) as in Engine.batch()."""
    f = fn("lm_engine_assign")
    if not isinstance(batch, Results):
        raise TypeError("batch must be the libmatch.Results of Engine.batch()")
    o, prog = _options(max_per_candidate, max_per_employer, priority_weight, fairness_floor, progress)
    out = ctypes.c_void_p()
    with engine._guard() as h, batch._guard() as bh:
        st = f(ctypes.byref(out), h, bh, ctypes.byref(o))
        if st < 0:
            prog.reraise()
            raise_for(st, engine._errmsg())
    return Assignment._wrap(out.value, keep=batch)


def assign_graph(engine: Engine, *, capacity: Any, edge_person: Any, edge_vacancy: Any, edge_score: Any,
                 n_people: Optional[int] = None, person_group: Any = None, vacancy_employer: Any = None,
                 person_priority: Any = None, vacancy_group: Any = None, max_per_candidate: int = 1, max_per_employer: int = 0,
                 priority_weight: float = 0.0, fairness_floor: float = 0.0,
                 progress: Optional[Callable[[int, int], Any]] = None) -> Assignment:
    """Coordinated proposals over your own sparse graph. People and vacancies
    are numbered from 0: `capacity` (int32, slots per vacancy) gives the
    vacancies; `n_people` defaults to len(person_group or person_priority) or
    max(edge_person) + 1. Edges: edge_person, edge_vacancy (uint32) and
    edge_score (float32 0..1), each pair at most once. Optional: person_group
    (int32 municipality per person, for fairness), vacancy_group (int32
    municipality per vacancy: with person_group gives cross-border counts),
    vacancy_employer (int64), person_priority (float32 0..1)."""
    f = fn("lm_engine_assign_graph")
    keep: list = []
    cols = {"capacity": capacity, "edge_person": edge_person, "edge_vacancy": edge_vacancy,
            "edge_score": edge_score}
    required(cols, tuple(cols), "assign_graph")
    cap = as_array(capacity, np.int32, "capacity")
    if cap.ndim != 1:
        raise make_error(LM_ERR_INVALID, "capacity: expected a 1-D array")
    n_vac = cap.shape[0]
    ep = as_array(edge_person, np.uint32, "edge_person")
    if ep.ndim != 1:
        raise make_error(LM_ERR_INVALID, "edge_person: expected a 1-D array")
    n_edges = ep.shape[0]
    if n_people is None:
        for c in (person_group, person_priority):
            if c is not None and np.ndim(c) == 1:
                n_people = len(c)
                break
        else:
            n_people = int(ep.max()) + 1 if n_edges else 0
    n_people = int(n_people)
    if n_people < 0:
        raise RangeError(f"n_people = {n_people} < 0")
    g = _ffi.AssignGraph()
    g.struct_size = ctypes.sizeof(_ffi.AssignGraph)
    g.n_people = n_people
    g.n_vacancies = n_vac
    g.n_edges = n_edges
    g.capacity = column(cap, np.int32, "capacity", n_vac, keep)
    g.person_group = column(person_group, np.int32, "person_group", n_people, keep)
    g.vacancy_employer = column(vacancy_employer, np.int64, "vacancy_employer", n_vac, keep)
    g.person_priority = column(person_priority, np.float32, "person_priority", n_people, keep)
    g.edge_person = column(ep, np.uint32, "edge_person", n_edges, keep)
    g.edge_vacancy = column(edge_vacancy, np.uint32, "edge_vacancy", n_edges, keep)
    g.edge_score = column(edge_score, np.float32, "edge_score", n_edges, keep)
    g.vacancy_group = column(vacancy_group, np.int32, "vacancy_group", n_vac, keep)
    o, prog = _options(max_per_candidate, max_per_employer, priority_weight, fairness_floor, progress)
    out = ctypes.c_void_p()
    with engine._guard() as h:
        st = f(ctypes.byref(out), h, ctypes.byref(g), ctypes.byref(o))
        if st < 0:
            prog.reraise()
            raise_for(st, engine._errmsg())
    del keep
    return Assignment._wrap(out.value)
