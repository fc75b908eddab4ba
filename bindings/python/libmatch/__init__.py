"""libmatch: match Dutch social-assistance job seekers to vacancies across
municipal boundaries. Python binding over the stable C ABI (libmatch.so.1),
with ctypes and numpy.

Quick start::

    import numpy as np, libmatch as lm
    with lm.Pool(dim=4) as pool:
        pool.add_candidates(id=[1, 2], owner_org=1, municipality=361, groups=lm.Group.BIJSTAND,
                            lat=52.63, lon=4.75, vectors=np.eye(4, dtype=np.float32)[:2])
        pool.add_vacancies(id=[10], employer_id=7, municipality=361, lat=52.64, lon=4.76,
                           vectors=np.ones((1, 4), np.float32))
        with pool.snapshot() as snap, lm.Engine() as engine:
            print(engine.query_vacancy(snap, lm.Viewer(org=1), 10, k=5))

The shared library is found through LIBMATCH_LIBRARY, then the repository's
build directory, then the installed location; see docs/python.md.
"""
from __future__ import annotations

from typing import Dict, Tuple

from ._ffi import LibraryLoadError
from ._base import LIB, has as _has, strerror as _strerror
from .constants import (MAX_BATCH, MAX_DIM, MAX_K, MAX_ROWS, MODES_ALL, AssignStat, Constraint,
                        Direction, Group, Kernel, Mode, PolicyKey, Readiness, Scope, Side, Stat,
                        Status, TravelParam)
from .errors import (BufferTooSmallError, CancelledError, ClosedError, DatabaseError, DimensionError,
                     DuplicateError, FormatError, InternalError, InvalidArgumentError, LibmatchError,
                     LibmatchIOError, LimitError, NoMemoryError, NonFiniteError, NullArgumentError,
                     RangeError, StateError, UnknownIdError, UnsupportedError)
from .errors import ConflictError  # 1.1: the proposal lifecycle (Db.set_status)
from .core import (CANDIDATE_COLUMNS, LIST_DTYPE, MATCH_DTYPE, VACANCY_COLUMNS, Engine, Match, Policy, Pool,
                   Results, Snapshot, Travel, Viewer)
from .assign import GROUP_REPORT_DTYPE, Assignment
from .db import Db, DbTable
# since 1.1.0: competence models and centring
from .constants import CompetenceModel, PoolStat
# since 1.2.0: support needs and kinds of places
from .constants import GROUP_KNOWN, NEED_STANDARD_MASK, Need, VacancyKind
from .errors import UncentredWarning
from .process import (HISTORY_COLUMNS, History, ProposalStatus, Reason, check_transition,
                      transition_allowed)
# since 1.2.0: effect figures (outcomes.h)
from .effects import (EFFECT_DTYPE, Contract, EffectDim, EffectFig, Effects, EndReason, compute_effects,
                      day_number)

__version__ = "1.2.0"

__all__ = [
    "version", "version_number", "version_info", "library_path", "strerror", "features",
    "has_function",
    "Pool", "Snapshot", "Policy", "Travel", "Engine", "Results", "Match", "Viewer", "Assignment", "Db", "DbTable",
    "MATCH_DTYPE", "LIST_DTYPE", "GROUP_REPORT_DTYPE", "CANDIDATE_COLUMNS", "VACANCY_COLUMNS",
    "Status", "Group", "Readiness", "Mode", "Scope", "Constraint", "Direction", "Side", "Kernel",
    "PolicyKey", "TravelParam", "Stat", "AssignStat",
    "MAX_DIM", "MAX_K", "MAX_ROWS", "MAX_BATCH", "MODES_ALL",
    "LibmatchError", "InvalidArgumentError", "NullArgumentError", "NonFiniteError", "DimensionError",
    "UnknownIdError", "RangeError", "DuplicateError", "NoMemoryError", "CancelledError",
    "LibmatchIOError", "FormatError", "DatabaseError", "LimitError", "StateError", "ClosedError",
    "BufferTooSmallError", "UnsupportedError", "InternalError", "LibraryLoadError",
    "CompetenceModel", "PoolStat", "UncentredWarning",
    "Need", "VacancyKind", "GROUP_KNOWN", "NEED_STANDARD_MASK",
    "History", "ProposalStatus", "Reason", "HISTORY_COLUMNS", "transition_allowed", "check_transition",
    "ConflictError",  # 1.1: the proposal lifecycle in PostgreSQL
    "compute_effects", "Effects", "EffectDim", "EffectFig", "Contract", "EndReason", "EFFECT_DTYPE",
    "day_number",  # 1.2: effect figures
]


def version() -> str:
    """Version of the loaded C library, "MAJOR.MINOR.PATCH" (lm_version_string())."""
    return LIB.version_string


def version_number() -> int:
    """MAJOR*10000 + MINOR*100 + PATCH of the loaded C library."""
    return LIB.version_number


def version_info() -> Tuple[int, int, int]:
    n = LIB.version_number
    return (n // 10000, n // 100 % 100, n % 100)


def library_path() -> str:
    """Path (or name) of the loaded libmatch shared library."""
    return LIB.path


def strerror(status: int) -> str:
    """Static English text of a C status code (lm_strerror())."""
    return _strerror(status)


def has_function(name: str) -> bool:
    """Whether the loaded library exports C function `name` (e.g. "lm_db_open")."""
    return _has(name)


def features() -> Dict[str, bool]:
    """Optional parts of the API present in the loaded library:
    {"assign": ..., "pg": ...}. Missing parts raise UnsupportedError."""
    from . import assign, db
    return {"assign": assign.available(), "pg": db.available()}
