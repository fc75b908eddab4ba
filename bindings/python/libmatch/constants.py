"""Enumerations and limits of the C API (core.h, assign.h), as Python enums.

Values are fixed forever by the C ABI; new members are only appended.
Functions that take one of these also accept the plain int, and travel modes
and kernels also accept their lower-case name ("bike", "avx2").
"""
from __future__ import annotations

import enum
from typing import Union

from .errors import RangeError

__all__ = [
    "Status", "Group", "Readiness", "Mode", "Scope", "Constraint", "Direction", "Side",
    "Kernel", "PolicyKey", "TravelParam", "Stat", "AssignStat", "CompetenceModel", "PoolStat",
    "Need", "VacancyKind", "GROUP_KNOWN", "NEED_STANDARD_MASK",
    "MAX_DIM", "MAX_K", "MAX_ROWS", "MAX_BATCH", "MODES_ALL",
]

MAX_DIM = 4096          #: largest competence dimension (LM_MAX_DIM)
MAX_K = 10000           #: largest k of a top-k query (LM_MAX_K)
MAX_ROWS = 100000000    #: most candidates (or vacancies) per pool (LM_MAX_ROWS)
MAX_BATCH = 100000000   #: most rows in one update batch (LM_MAX_BATCH)
MODES_ALL = 0x0F        #: every travel mode (LM_MODES_ALL)


class Status(enum.IntEnum):
    """C status codes (enum lm_status)."""
    OK = 0
    ERR_INVALID = -1
    ERR_NULL = -2
    ERR_NONFINITE = -3
    ERR_DIMENSION = -4
    ERR_UNKNOWN_ID = -5
    ERR_RANGE = -6
    ERR_DUPLICATE = -7
    ERR_NOMEM = -8
    ERR_CANCELLED = -9
    ERR_IO = -10
    ERR_FORMAT = -11
    ERR_DB = -12
    ERR_LIMIT = -13
    ERR_STATE = -14
    ERR_BUFFER = -15
    ERR_UNSUPPORTED = -16
    ERR_INTERNAL = -17


class Group(enum.IntFlag):
    """Target groups (doelgroepen), a bitmask: a person may be in several."""
    BIJSTAND = 1 << 0        #: general social assistance
    NIEUW_BESCHUT = 1 << 1   #: sheltered work, UWV indication
    BANENAFSPRAAK = 1 << 2   #: doelgroepregister (jobs agreement)
    WSW = 1 << 3             #: old sheltered employment (Wsw)
    NUG = 1 << 4             #: no benefit, registered job seeker
    STATUSHOUDER = 1 << 5    #: recognised refugee
    ALL = (1 << 6) - 1       #: the six groups of 1.0 (docs/abi.md, "Target groups"; not WW and later)
    # since 1.2.0
    WW = 1 << 6              #: unemployment benefit (WW, UWV client)
    WAJONG = 1 << 7          #: Wajong (young disabled, UWV client)
    JONGERE = 1 << 8         #: youth under 27
    KNOWN = (1 << 9) - 1     #: every group this version knows (LM_GROUP_KNOWN)


GROUP_KNOWN = int(Group.KNOWN)   #: LM_GROUP_KNOWN (since 1.2.0)
NEED_STANDARD_MASK = 0xFFFF      #: LM_NEED_STANDARD_MASK: bits 16..63 are host-defined (since 1.2.0)


class Need(enum.IntFlag):
    """Support needs (a candidate's ``needs``, a vacancy's ``offers``), a
    bitmask: a pair is feasible only when every need is offered. Bits 0..15
    standard, 16..63 host-defined. Since 1.2.0."""
    JOB_COACH = 1 << 0     #: a job coach
    SUPERVISION = 1 << 1   #: supervision on the job
    ACCESSIBLE = 1 << 2    #: an accessible workplace
    DAYTIME_ONLY = 1 << 3  #: daytime shifts only
    NO_WEEKENDS = 1 << 4   #: no weekend shifts
    PART_TIME = 1 << 5     #: part-time, under 20 hours a week


class VacancyKind(enum.IntEnum):
    """Kinds of places (vacancy column ``kind``; ``Match.vacancy_kind``). Since 1.2.0."""
    REGULAR = 0
    GARANTIEBAAN = 1
    BESCHUT = 2
    WERKERVARINGSPLEK = 3
    PARTICIPATIEPLEK = 4
    DETACHERING = 5


class Readiness(enum.IntEnum):
    """Readiness categories A (work-ready) to E, stored as 1..5."""
    A = 1
    B = 2
    C = 3
    D = 4
    E = 5


class Mode(enum.IntEnum):
    """Travel modes. A set of modes is a bitmask of ``1 << mode``."""
    WALK = 0
    BIKE = 1
    PT = 2   #: public transport
    CAR = 3

    @property
    def bit(self) -> int:
        """This mode as a bitmask bit (``1 << mode``)."""
        return 1 << int(self)


class Scope(enum.IntEnum):
    """Visibility scope of a candidate (from consent)."""
    ORG = 0
    MUNICIPALITY = 1
    REGION = 2
    NATIONAL = 3


class Constraint(enum.IntEnum):
    """The constraint that excludes a pair (NONE if feasible)."""
    NONE = 0
    VISIBILITY = 1
    TARGET_GROUP = 2
    READINESS = 3
    LOONWAARDE = 4
    FLAGS = 5
    HOURS = 6
    DATES = 7
    SLOTS = 8
    TRAVEL = 9
    MIN_SCORE = 10
    # since 1.1.0: the proposal history (docs/lifecycle.md)
    COOLDOWN = 11
    IN_PROGRESS = 12
    VACANCY_FULL = 13
    PLACED = 14
    # since 1.2.0
    NEEDS = 15            #: a support need of the person is not offered
    MIN_COMPETENCE = 16   #: competence below the policy's min_competence
    LOCAL_ONLY = 17       #: municipal-only run: the vacancy is outside the person's municipality


class Direction(enum.IntEnum):
    """Directions of results."""
    VACANCY = 0    #: per vacancy, its best candidates
    CANDIDATE = 1  #: per candidate, its best vacancies


class Side(enum.IntEnum):
    """Sides of a pool."""
    CANDIDATE = 0
    VACANCY = 1


class Kernel(enum.IntEnum):
    """Scoring kernels. AUTO picks the best the CPU supports."""
    AUTO = 0
    SCALAR = 1
    AVX2 = 2
    AVX512 = 3


class PolicyKey(enum.IntEnum):
    """Policy parameters (enum lm_policy_key); Policy exposes each as an attribute."""
    VERSION = 0
    W_COMPETENCE = 1
    W_TRAVEL = 2
    W_HOURS = 3
    W_READINESS = 4
    W_PRIORITY = 5
    MAX_TRAVEL_MIN = 6
    MIN_SCORE = 7
    AS_OF_DAY = 8
    ALLOWED_MODES = 9
    # since 1.1.0
    COMPETENCE_MODEL = 10    #: a CompetenceModel (docs/scoring.md)
    COOLDOWN_DAYS = 11       #: days a rejected or declined pair is not proposed again (docs/lifecycle.md)
    EXCLUSIVE_PROGRESS = 12
    STABILITY_MARGIN = 13
    OVERQUALIFICATION = 14   #: weight of over-qualification in the coverage models, 0..1
    # since 1.2.0
    MIN_COMPETENCE = 15      #: 0..1: pairs whose competence is below are infeasible
    LOCAL_ONLY = 16          #: 1: each person matched only within their own municipality


class TravelParam(enum.IntEnum):
    """Per-mode parameters of the geometric travel estimate."""
    SPEED_KMH = 0
    DETOUR = 1
    ACCESS_MIN = 2


class Stat(enum.IntEnum):
    """Numbers about a result (lm_results_stat)."""
    PAIRS_SCORED = 0
    PAIRS_FEASIBLE = 1
    SECONDS = 2
    POLICY_VERSION = 3
    SNAPSHOT_VERSION = 4
    THREADS = 5
    KERNEL = 6
    COMPETENCE_MODEL = 7  #: the CompetenceModel used (since 1.1.0)
    HISTORY_EXCLUDED = 8  #: list entries the proposal history excluded (since 1.1.0)


class CompetenceModel(enum.IntEnum):
    """Competence models (enum lm_competence_model, docs/scoring.md). With a
    pool centre, c~ = c - mean and r~ = r - mean. Since 1.1.0."""
    REQUIREMENT = 0      #: cos(c~, w * r~): 1.0's model
    COSINE = 1           #: cos(c~, r~): importance weights ignored
    SYMMETRIC = 2        #: cos(sqrt(w) c~, sqrt(w) r~)
    COVERAGE = 3         #: 1 - weighted shortfall (and over-qualification) on raw levels
    COSINE_COVERAGE = 4  #: max(0, cos(c~, r~)) * coverage


class PoolStat(enum.IntEnum):
    """Numbers about a pool's vectors (lm_pool_stat). Since 1.1.0."""
    MEAN_COSINE = 0  #: mean pairwise cosine of the stored candidate vectors
    CENTRED = 1      #: 1 if the pool has a non-zero centre


class AssignStat(enum.IntEnum):
    """Numbers about an assignment (lm_assignment_stat)."""
    OBJECTIVE = 0
    OBJECTIVE_SCALED = 1
    PROPOSALS = 2
    VACANCIES_SERVED = 3
    CROSS_BORDER = 4
    GREEDY_OBJECTIVE = 5
    GREEDY_PROPOSALS = 6
    GREEDY_VACANCIES_SERVED = 7
    GREEDY_CROSS_BORDER = 8
    EDGES = 9
    SECONDS = 10
    UNCONSTRAINED_PROPOSALS = 11


_MODE_NAMES = {"walk": Mode.WALK, "bike": Mode.BIKE, "pt": Mode.PT, "public_transport": Mode.PT,
               "car": Mode.CAR}


def to_mode(mode: Union[Mode, int, str]) -> int:
    """A travel mode given as Mode, int or name ("walk", "bike", "pt", "car")."""
    if isinstance(mode, str):
        try:
            return int(_MODE_NAMES[mode.lower()])
        except KeyError:
            raise RangeError(f"unknown travel mode {mode!r} (walk, bike, pt, car)") from None
    return int(mode)


def to_competence_model(model: Union[CompetenceModel, int, str]) -> int:
    """A competence model given as CompetenceModel, int or name ("cosine")."""
    if isinstance(model, str):
        try:
            return int(CompetenceModel[model.upper()])
        except KeyError:
            names = ", ".join(m.name.lower() for m in CompetenceModel)
            raise RangeError(f"unknown competence model {model!r} ({names})") from None
    return int(model)


def to_kernel(kernel: Union[Kernel, int, str]) -> int:
    if isinstance(kernel, str):
        try:
            return int(Kernel[kernel.upper()])
        except KeyError:
            raise RangeError(f"unknown kernel {kernel!r} (auto, scalar, avx2, avx512)") from None
    return int(kernel)
