"""Low-level ctypes layer: finding and loading libmatch.so.1, the C structs and
the function prototypes. Everything here mirrors libmatch/include/libmatch/*.h
(core.h, assign.h, process.h, pg.h) exactly; the public Python API is in the other modules.

Not part of the promised Python API: names here may change.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from pathlib import Path
from typing import Dict, List, Optional, Tuple

#: The C header version this binding was written for (core.h LM_VERSION_*).
BINDING_FOR_MAJOR = 1
BINDING_FOR_MINOR = 1
BINDING_FOR_PATCH = 0
BINDING_FOR_NUMBER = BINDING_FOR_MAJOR * 10000 + BINDING_FOR_MINOR * 100 + BINDING_FOR_PATCH

SONAME = "libmatch.so.1"

# ---------------------------------------------------------------------------
# C types (pointers are passed as c_void_p: numpy arrays give .ctypes.data)

c_size_t = ctypes.c_size_t
c_int = ctypes.c_int
c_int32 = ctypes.c_int32
c_uint32 = ctypes.c_uint32
c_int64 = ctypes.c_int64
c_uint64 = ctypes.c_uint64
c_double = ctypes.c_double
c_void_p = ctypes.c_void_p
c_char_p = ctypes.c_char_p
POINTER = ctypes.POINTER

#: int (*lm_progress_fn)(void *user, uint64_t done, uint64_t total)
PROGRESS_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_uint64, c_uint64)


class CandidateCols(ctypes.Structure):
    """struct lm_candidate_cols (core.h)."""
    _fields_ = [
        ("struct_size", c_size_t),
        ("dim", c_uint32),
        ("reserved", c_uint32),
        ("id", c_void_p),
        ("owner_org", c_void_p),
        ("municipality", c_void_p),
        ("region", c_void_p),
        ("zone", c_void_p),
        ("lat", c_void_p),
        ("lon", c_void_p),
        ("groups", c_void_p),
        ("readiness", c_void_p),
        ("loonwaarde", c_void_p),
        ("vectors", c_void_p),
        ("flags", c_void_p),
        ("hours_min", c_void_p),
        ("hours_max", c_void_p),
        ("modes", c_void_p),
        ("max_minutes", c_void_p),
        ("available_from", c_void_p),
        ("scope", c_void_p),
        ("priority", c_void_p),
        # since 1.2.0
        ("needs", c_void_p),
    ]


class VacancyCols(ctypes.Structure):
    """struct lm_vacancy_cols (core.h)."""
    _fields_ = [
        ("struct_size", c_size_t),
        ("dim", c_uint32),
        ("reserved", c_uint32),
        ("id", c_void_p),
        ("employer_id", c_void_p),
        ("municipality", c_void_p),
        ("region", c_void_p),
        ("zone", c_void_p),
        ("lat", c_void_p),
        ("lon", c_void_p),
        ("vectors", c_void_p),
        ("weights", c_void_p),
        ("required_flags", c_void_p),
        ("hours_min", c_void_p),
        ("hours_max", c_void_p),
        ("slots", c_void_p),
        ("accepted_groups", c_void_p),
        ("min_loonwaarde", c_void_p),
        ("max_readiness", c_void_p),
        ("open_until", c_void_p),
        # since 1.2.0
        ("offers", c_void_p),
        ("kind", c_void_p),
    ]


class Viewer_(ctypes.Structure):
    """struct lm_viewer (core.h)."""
    _fields_ = [
        ("struct_size", c_size_t),
        ("org", c_int64),
        ("municipality", c_int32),
        ("region", c_int32),
    ]


class Match_(ctypes.Structure):
    """struct lm_match (core.h)."""
    _fields_ = [
        ("vacancy_id", c_int64),
        ("candidate_id", c_int64),
        ("rank", c_uint32),
        ("constraint", c_int32),
        ("score", ctypes.c_float),
        ("competence", ctypes.c_float),
        ("travel", ctypes.c_float),
        ("hours", ctypes.c_float),
        ("readiness", ctypes.c_float),
        ("priority", ctypes.c_float),
        ("travel_minutes", ctypes.c_float),
        ("travel_mode", c_int32),
        ("candidate_municipality", c_int32),
        ("vacancy_municipality", c_int32),
        ("reserved", c_int32),
        # since 1.1.0
        ("lead_org", c_int64),
        ("process_status", c_int32),
        ("process_day", c_int32),
        # since 1.2.0
        ("failed", c_uint32),
        ("vacancy_kind", c_int32),
        ("travel_limit", ctypes.c_float),
        ("travel_limit_own", c_int32),
        ("hours_gap", ctypes.c_float),
        ("loonwaarde_gap", ctypes.c_float),
    ]


class HistoryCols(ctypes.Structure):
    """struct lm_history_cols (process.h)."""
    _fields_ = [
        ("struct_size", c_size_t),
        ("proposal_id", c_void_p),
        ("vacancy_id", c_void_p),
        ("candidate_id", c_void_p),
        ("status", c_void_p),
        ("day", c_void_p),
        ("lead_org", c_void_p),
        ("reason", c_void_p),
    ]


class OutcomePerson(ctypes.Structure):
    """struct lm_outcome_person (outcomes.h, 1.2.0)."""
    _fields_ = [
        ("struct_size", c_size_t),
        ("candidate_id", c_int64),
        ("org", c_int64),
        ("groups", c_uint32),
        ("readiness", ctypes.c_uint8),
        ("reserved", ctypes.c_uint8 * 3),
        ("municipality", c_int32),
    ]


class OutcomeRecord(ctypes.Structure):
    """struct lm_outcome_record (outcomes.h, 1.2.0)."""
    _fields_ = [
        ("struct_size", c_size_t),
        ("proposal_id", c_int64),
        ("candidate_id", c_int64),
        ("vacancy_id", c_int64),
        ("org", c_int64),
        ("work_municipality", c_int32),
        ("vacancy_kind", ctypes.c_uint8),
        ("contract", ctypes.c_uint8),
        ("lks", ctypes.c_uint8),
        ("end_reason", ctypes.c_uint8),
        ("proposed_day", c_int32),
        ("introduced_day", c_int32),
        ("placed_day", c_int32),
        ("end_day", c_int32),
        ("hours", ctypes.c_float),
    ]


#: LM_FIG_COUNT of outcomes.h 1.2.0
EFFECT_FIG_COUNT = 11


class EffectRow(ctypes.Structure):
    """struct lm_effect_row (outcomes.h, 1.2.0)."""
    _fields_ = [
        ("dim", c_int32),
        ("suppressed", c_uint32),
        ("key", c_int64),
        ("value", c_double * EFFECT_FIG_COUNT),
    ]


class BatchOptions(ctypes.Structure):
    """struct lm_batch_options (core.h)."""
    _fields_ = [
        ("struct_size", c_size_t),
        ("k_candidates", c_uint32),
        ("k_vacancies", c_uint32),
        ("vacancy_region", c_int32),
        ("reserved", c_int32),
        ("progress", PROGRESS_FN),
        ("progress_user", c_void_p),
    ]


class AssignOptions(ctypes.Structure):
    """struct lm_assign_options (assign.h)."""
    _fields_ = [
        ("struct_size", c_size_t),
        ("max_per_candidate", c_uint32),
        ("max_per_employer", c_uint32),
        ("priority_weight", c_double),
        ("fairness_floor", c_double),
        ("progress", PROGRESS_FN),
        ("progress_user", c_void_p),
    ]


class AssignGraph(ctypes.Structure):
    """struct lm_assign_graph (assign.h)."""
    _fields_ = [
        ("struct_size", c_size_t),
        ("n_people", c_size_t),
        ("n_vacancies", c_size_t),
        ("capacity", c_void_p),
        ("person_group", c_void_p),
        ("vacancy_employer", c_void_p),
        ("person_priority", c_void_p),
        ("n_edges", c_size_t),
        ("edge_person", c_void_p),
        ("edge_vacancy", c_void_p),
        ("edge_score", c_void_p),
        ("vacancy_group", c_void_p),
    ]


class GroupReport_(ctypes.Structure):
    """struct lm_group_report (assign.h)."""
    _fields_ = [
        ("group", c_int32),
        ("eligible", c_uint32),
        ("proposals", c_uint32),
        ("cross_border", c_uint32),
        ("greedy_proposals", c_uint32),
        ("floor", c_uint32),
    ]


class RunInfo(ctypes.Structure):
    """struct lm_run_info (pg.h)."""
    _fields_ = [
        ("struct_size", c_size_t),
        ("label", c_char_p),
        ("region", c_int32),
        ("reserved", c_int32),
    ]


# ---- pg.h: the proposal lifecycle (schema version 2, since 1.1.0) ----
class StatusChange(ctypes.Structure):
    """struct lm_status_change (pg.h)."""
    _fields_ = [
        ("struct_size", c_size_t),
        ("proposal_id", c_int64),
        ("status", c_int32),
        ("reason", c_int32),
        ("by_org", c_int64),
        ("expected_version", c_int64),
        ("day", c_int32),
        ("reserved", c_int32),
    ]


class ProposalFilter(ctypes.Structure):
    """struct lm_proposal_filter (pg.h)."""
    _fields_ = [
        ("struct_size", c_size_t),
        ("run_id", c_int64),
        ("status", c_int32),
        ("reserved", c_int32),
        ("org", c_int64),
        ("proposal_id", c_int64),
        ("viewer_org", c_int64),
    ]


class ProposalRow(ctypes.Structure):
    """struct lm_proposal_row (pg.h)."""
    _fields_ = [
        ("struct_size", c_size_t),
        ("proposal_id", c_int64),
        ("run_id", c_int64),
        ("vacancy_id", c_int64),
        ("candidate_id", c_int64),
        ("owner_org", c_int64),
        ("lead_org", c_int64),
        ("status", c_int32),
        ("reason", c_int32),
        ("version", c_int32),
        ("day", c_int32),
        ("first_run_id", c_int64),
        ("last_run_id", c_int64),
        ("score", ctypes.c_float),
        ("reserved", c_int32),
    ]


class RunChange(ctypes.Structure):
    """struct lm_run_change (pg.h)."""
    _fields_ = [
        ("struct_size", c_size_t),
        ("run_id", c_int64),
        ("prev_run_id", c_int64),
        ("vacancy_id", c_int64),
        ("candidate_id", c_int64),
        ("proposal_id", c_int64),
        ("kind", c_int32),
        ("reserved", c_int32),
        ("reason", c_char_p),
    ]


#: int (*lm_proposal_fn)(void *user, const lm_proposal_row *row)
PROPOSAL_FN = ctypes.CFUNCTYPE(c_int, c_void_p, POINTER(ProposalRow))
#: int (*lm_run_change_fn)(void *user, const lm_run_change *change)
RUN_CHANGE_FN = ctypes.CFUNCTYPE(c_int, c_void_p, POINTER(RunChange))


class RunPart(ctypes.Structure):
    """struct lm_run_part (pg.h)."""
    _fields_ = [
        ("struct_size", c_size_t),
        ("results", c_void_p),
        ("assignment", c_void_p),
        ("region", c_int32),
        ("reserved", c_int32),
    ]


# ---------------------------------------------------------------------------
# Prototypes: name -> (restype, argtypes). Pointers to handles are c_void_p;
# output parameters are POINTER(...) of the right type.

_P = c_void_p
_PP = POINTER(c_void_p)
_INT = c_int

PROTOTYPES: Dict[str, Tuple[object, List[object]]] = {
    # core.h: version and errors
    "lm_version_number": (ctypes.c_uint, []),
    "lm_version_string": (c_char_p, []),
    "lm_strerror": (c_char_p, [c_int]),
    # pool and snapshots
    "lm_pool_create": (_INT, [_PP, c_uint32]),
    "lm_pool_free": (None, [_P]),
    "lm_pool_errmsg": (c_char_p, [_P]),
    "lm_pool_add_candidates": (_INT, [_P, POINTER(CandidateCols), c_size_t]),
    "lm_pool_upsert_candidates": (_INT, [_P, POINTER(CandidateCols), c_size_t]),
    "lm_pool_remove_candidates": (_INT, [_P, _P, c_size_t]),
    "lm_pool_add_vacancies": (_INT, [_P, POINTER(VacancyCols), c_size_t]),
    "lm_pool_upsert_vacancies": (_INT, [_P, POINTER(VacancyCols), c_size_t]),
    "lm_pool_remove_vacancies": (_INT, [_P, _P, c_size_t]),
    "lm_pool_count": (_INT, [POINTER(c_size_t), _P, c_int32]),
    "lm_pool_dim": (c_uint32, [_P]),
    "lm_pool_snapshot": (_INT, [_PP, _P]),
    # since 1.1.0: centring and pool statistics
    "lm_pool_set_centre": (_INT, [_P, POINTER(ctypes.c_float), c_uint32]),
    "lm_pool_get_centre": (_INT, [POINTER(ctypes.c_float), c_uint32, POINTER(c_int), _P]),
    "lm_pool_stat": (_INT, [POINTER(c_double), _P, c_int32]),
    "lm_snapshot_free": (None, [_P]),
    "lm_snapshot_count": (_INT, [POINTER(c_size_t), _P, c_int32]),
    "lm_snapshot_dim": (c_uint32, [_P]),
    "lm_snapshot_version": (c_uint64, [_P]),
    "lm_snapshot_ids": (_INT, [_P, c_size_t, POINTER(c_size_t), _P, c_int32]),
    "lm_snapshot_contains": (_INT, [POINTER(c_int), _P, c_int32, c_int64]),
    # policy
    "lm_policy_create": (_INT, [_PP]),
    "lm_policy_free": (None, [_P]),
    "lm_policy_set_f64": (_INT, [_P, c_int32, c_double]),
    "lm_policy_get_f64": (_INT, [POINTER(c_double), _P, c_int32]),
    "lm_policy_errmsg": (c_char_p, [_P]),
    # travel
    "lm_travel_create": (_INT, [_PP]),
    "lm_travel_free": (None, [_P]),
    "lm_travel_errmsg": (c_char_p, [_P]),
    "lm_travel_set_param": (_INT, [_P, c_int32, c_int32, c_double]),
    "lm_travel_get_param": (_INT, [POINTER(c_double), _P, c_int32, c_int32]),
    "lm_travel_set_matrix": (_INT, [_P, c_int32, _P, c_size_t, _P]),
    "lm_travel_load_file": (_INT, [_P, c_char_p]),
    "lm_travel_save_file": (_INT, [_P, c_char_p]),
    "lm_travel_minutes": (_INT, [POINTER(c_double), _P, c_int32, c_int32, c_double, c_double,
                                 c_int32, c_double, c_double]),
    # engine and queries
    "lm_engine_create": (_INT, [_PP, _P, _P]),
    "lm_engine_free": (None, [_P]),
    "lm_engine_errmsg": (c_char_p, [_P]),
    "lm_engine_set_policy": (_INT, [_P, _P]),
    "lm_engine_set_i64": (_INT, [_P, c_int32, c_int64]),
    "lm_engine_get_i64": (_INT, [POINTER(c_int64), _P, c_int32]),
    "lm_engine_query_vacancy": (_INT, [_PP, _P, _P, POINTER(Viewer_), c_int64, c_uint32]),
    "lm_engine_query_candidate": (_INT, [_PP, _P, _P, POINTER(Viewer_), c_int64, c_uint32]),
    "lm_engine_batch": (_INT, [_PP, _P, _P, POINTER(Viewer_), POINTER(BatchOptions)]),
    "lm_engine_explain": (_INT, [POINTER(Match_), c_size_t, _P, _P, POINTER(Viewer_), c_int64, c_int64]),
    # results
    "lm_results_free": (None, [_P]),
    "lm_results_lists": (_INT, [POINTER(c_size_t), _P, c_int32]),
    "lm_results_list": (_INT, [POINTER(c_int64), POINTER(c_size_t), POINTER(c_size_t), _P, c_int32, c_size_t]),
    "lm_results_count": (_INT, [POINTER(c_size_t), _P, c_int32]),
    "lm_results_copy": (_INT, [_P, c_size_t, c_size_t, POINTER(c_size_t), _P, c_int32, c_size_t]),
    "lm_results_stat": (_INT, [POINTER(c_double), _P, c_int32]),
    # assign.h
    "lm_engine_assign": (_INT, [_PP, _P, _P, POINTER(AssignOptions)]),
    "lm_engine_assign_graph": (_INT, [_PP, _P, POINTER(AssignGraph), POINTER(AssignOptions)]),
    "lm_assignment_free": (None, [_P]),
    "lm_assignment_count": (_INT, [POINTER(c_size_t), _P]),
    "lm_assignment_copy": (_INT, [_P, c_size_t, c_size_t, POINTER(c_size_t), _P, c_size_t]),
    "lm_assignment_stat": (_INT, [POINTER(c_double), _P, c_int32]),
    "lm_assignment_groups": (_INT, [_P, c_size_t, c_size_t, POINTER(c_size_t), _P]),
    # process.h: the proposal lifecycle and history
    "lm_proposal_transition": (_INT, [c_int32, c_int32]),
    "lm_proposal_status_name": (c_char_p, [c_int32]),
    "lm_proposal_status_parse": (_INT, [POINTER(c_int32), c_char_p]),
    "lm_reason_name": (c_char_p, [c_int32]),
    "lm_reason_parse": (_INT, [POINTER(c_int32), c_char_p]),
    "lm_history_create": (_INT, [_PP]),
    "lm_history_free": (None, [_P]),
    "lm_history_errmsg": (c_char_p, [_P]),
    "lm_history_add": (_INT, [_P, POINTER(HistoryCols), c_size_t]),
    "lm_history_count": (_INT, [POINTER(c_size_t), _P]),
    "lm_engine_set_history": (_INT, [_P, _P]),
    # pg.h
    "lm_db_open": (_INT, [_PP, c_char_p]),
    "lm_db_wrap": (_INT, [_PP, _P]),
    "lm_db_close": (None, [_P]),
    "lm_db_errmsg": (c_char_p, [_P]),
    "lm_db_set_schema": (_INT, [_P, c_char_p]),
    "lm_db_set_table": (_INT, [_P, c_int32, c_char_p]),
    "lm_db_set_progress": (_INT, [_P, PROGRESS_FN, c_void_p]),
    "lm_db_init": (_INT, [_P]),
    "lm_db_schema_version": (_INT, [POINTER(c_int32), _P]),
    "lm_db_vector_dim": (_INT, [POINTER(c_uint32), _P]),
    "lm_db_regions": (_INT, [_P, c_size_t, POINTER(c_size_t), _P]),
    "lm_db_load_pool": (_INT, [POINTER(c_int64), _P, _P, c_int64]),
    "lm_db_load_travel": (_INT, [_P, _P]),
    "lm_db_write_candidates": (_INT, [_P, POINTER(CandidateCols), c_size_t]),
    "lm_db_write_vacancies": (_INT, [_P, POINTER(VacancyCols), c_size_t]),
    "lm_db_write_run": (_INT, [POINTER(c_int64), _P, _P, _P, POINTER(RunInfo)]),
    "lm_db_write_run_parts": (_INT, [POINTER(c_int64), _P, _P, c_size_t, c_size_t, POINTER(RunInfo)]),
    # pg.h, the proposal lifecycle (1.1.0)
    "lm_db_load_history": (_INT, [_PP, _P]),
    "lm_db_set_status": (_INT, [_P, POINTER(StatusChange)]),
    "lm_db_set_status_batch": (_INT, [_P, _P, c_size_t, c_size_t]),
    "lm_db_log_access": (_INT, [_P, c_int64, c_char_p, c_int64, c_int64, c_int64]),
    "lm_db_proposals": (_INT, [POINTER(c_size_t), _P, POINTER(ProposalFilter), PROPOSAL_FN, c_void_p]),
    "lm_db_proposal_counts": (_INT, [POINTER(c_int64), c_size_t, _P]),
    "lm_db_run_changes": (_INT, [POINTER(c_int64), POINTER(c_int64), _P, c_int64, RUN_CHANGE_FN, c_void_p]),
    # outcomes.h (1.2.0): effect figures and the names of contracts, end reasons, dims, figures
    "lm_contract_name": (c_char_p, [c_int32]),
    "lm_end_reason_name": (c_char_p, [c_int32]),
    "lm_contract_parse": (_INT, [POINTER(c_int32), c_char_p]),
    "lm_end_reason_parse": (_INT, [POINTER(c_int32), c_char_p]),
    "lm_effects_compute": (_INT, [_PP, _P, c_size_t, _P, c_size_t, c_int32, c_int32, c_int32, c_int32]),
    "lm_effects_check": (_INT, [c_char_p, c_size_t, _P, c_size_t, _P, c_size_t, c_int32, c_int32, c_int32,
                                c_int32]),
    "lm_effects_count": (c_size_t, [_P]),
    "lm_effects_row": (POINTER(EffectRow), [_P, c_size_t]),
    "lm_effects_free": (None, [_P]),
    "lm_effect_dim_name": (c_char_p, [c_int32]),
    "lm_effect_fig_name": (c_char_p, [c_int32]),
    "lm_effect_dim_parse": (_INT, [POINTER(c_int32), c_char_p]),
    "lm_effect_fig_parse": (_INT, [POINTER(c_int32), c_char_p]),
    # process.h, used by Db.load_history() (the lifecycle binding may list them too: same prototypes)
    "lm_history_free": (None, [_P]),
    "lm_history_count": (_INT, [POINTER(c_size_t), _P]),
}

#: Functions the binding cannot work without (core.h). Anything else that is
#: missing from the loaded library raises UnsupportedError when called.
REQUIRED_PREFIXES = ("lm_version", "lm_strerror", "lm_pool_", "lm_snapshot_", "lm_policy_",
                     "lm_travel_", "lm_results_", "lm_engine_create", "lm_engine_free",
                     "lm_engine_errmsg", "lm_engine_set", "lm_engine_get", "lm_engine_query",
                     "lm_engine_batch", "lm_engine_explain")


class LibraryLoadError(ImportError):
    """libmatch.so.1 could not be found or loaded, or its version does not fit."""


class Lib:
    """The loaded shared library: .path, .version_number, .fn (name -> ctypes
    function or None when the library does not export it)."""

    def __init__(self, cdll: ctypes.CDLL, path: str) -> None:
        self.cdll = cdll
        self.path = path
        self.fn: Dict[str, Optional[object]] = {}
        self.missing: List[str] = []
        for name, (restype, argtypes) in PROTOTYPES.items():
            try:
                f = getattr(cdll, name)
            except AttributeError:
                if name.startswith(REQUIRED_PREFIXES):
                    raise LibraryLoadError(
                        f"{path} lacks the core function {name}: not a libmatch 1.x library") from None
                self.fn[name] = None
                self.missing.append(name)
                continue
            f.restype = restype
            f.argtypes = argtypes
            self.fn[name] = f
        self.version_number = int(self.fn["lm_version_number"]())  # type: ignore[misc]
        self.version_string = self.fn["lm_version_string"]().decode()  # type: ignore[misc,union-attr]


def _repo_build_candidates() -> List[Path]:
    """<repo>/build/libmatch.so.1 when the package is used from a source tree
    (bindings/python/libmatch/ -> repo root three levels up), then the build
    directory recorded at install time (see setup.py), if any."""
    out: List[Path] = []
    here = Path(__file__).resolve().parent
    out.append(here.parents[2] / "build" / SONAME)  # bindings/python/libmatch -> repo root
    try:
        from . import _buildinfo  # type: ignore[attr-defined]  # written by setup.py
        recorded = getattr(_buildinfo, "BUILD_DIR", None)
        if recorded:
            out.append(Path(recorded) / SONAME)
    except ImportError:
        pass
    return out


def candidate_paths() -> List[Tuple[str, str]]:
    """Where the library is looked for, in order: (how, path-or-name)."""
    env = os.environ.get("LIBMATCH_LIBRARY")
    if env:
        # An explicit choice is final: no fallback that could load another copy.
        return [("LIBMATCH_LIBRARY", env)]
    out: List[Tuple[str, str]] = []
    for p in _repo_build_candidates():
        if p.exists():
            out.append(("build directory", str(p)))
    found = ctypes.util.find_library("match")
    if found:
        out.append(("installed (find_library)", found))
    out.append(("installed (dynamic loader)", SONAME))
    return out


def check_version(number: int, path: str) -> None:
    major, minor = number // 10000, (number // 100) % 100
    if major != BINDING_FOR_MAJOR or minor < BINDING_FOR_MINOR:
        raise LibraryLoadError(
            f"libmatch at {path} is version {major}.{minor}.{number % 100}, but this Python binding "
            f"needs {BINDING_FOR_MAJOR}.{BINDING_FOR_MINOR} or a later {BINDING_FOR_MAJOR}.x "
            "(same major version; set LIBMATCH_LIBRARY to the right libmatch.so.1)")


def load() -> Lib:
    errors = []
    for how, path in candidate_paths():
        try:
            cdll = ctypes.CDLL(path)
        except OSError as e:
            errors.append(f"  {how}: {path}: {e}")
            continue
        lib = Lib(cdll, getattr(cdll, "_name", path))
        check_version(lib.version_number, path)
        return lib
    raise LibraryLoadError(
        "libmatch shared library not found. Tried:\n" + "\n".join(errors) +
        "\nBuild it with `make` in the repository (build/libmatch.so.1), install it with "
        "`make install`, or set LIBMATCH_LIBRARY=/path/to/libmatch.so.1.")


_lib: Optional[Lib] = None
_lib_lock = threading.Lock()


def lib() -> Lib:
    """The loaded library (loaded on first use, once)."""
    global _lib
    if _lib is None:
        with _lib_lock:
            if _lib is None:
                _lib = load()
    return _lib
