/**
 * @file core.h
 * @brief libmatch core (included by libmatch.h): regional matching of job seekers (bijstand, nieuw beschut,
 *        banenafspraak) to employer vacancies, behind a stable C ABI.
 *
 * libmatch.h includes this header, assign.h and pg.h: together the whole public API.
 *
 * Objects
 * - ::lm_pool     the mutable pool of candidates and vacancies. Updates come in
 *                 columnar batches; each batch is atomic.
 * - ::lm_snapshot an immutable, reference-counted view of a pool. Queries run on
 *                 snapshots, so updates may arrive while queries run.
 * - ::lm_policy   scoring weights and limits, with a version number.
 * - ::lm_travel   the travel model: geometric estimate, optionally zone matrices.
 * - ::lm_engine   a query context: policy, travel model, threads, scratch
 *                 memory and the detailed message of its last error.
 * - ::lm_results  library-owned query results, read through accessors.
 *
 * Conventions
 * - Functions return `int` status: ::LM_OK (0) or a negative ::lm_status.
 *   lm_strerror() gives static text; the handle involved carries a detailed
 *   message of its last error (lm_pool_errmsg(), lm_engine_errmsg(), ...).
 * - Output parameters come first and are named `out`.
 * - A failed call leaves every object as it was.
 * - Free functions accept NULL.
 *
 * Thread safety (per object):
 * - ::lm_pool: all functions may be called from any thread; updates are
 *   serialised internally. The error message is that of the last failing call.
 * - ::lm_snapshot, and a ::lm_travel or ::lm_policy no longer being modified:
 *   read-only, safe to share between threads.
 * - ::lm_engine, ::lm_results: one thread at a time (an engine may move between
 *   threads). Use one engine per thread for concurrent queries.
 *
 * @since 1.0.0 for everything in this header unless stated otherwise.
 */
#ifndef LIBMATCH_CORE_H
#define LIBMATCH_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @def LM_API
 * @brief Marks a function of the public API: exported from the shared library
 * (default visibility with GCC and Clang, dllexport when building a Windows DLL).
 */
#if defined(_WIN32) && defined(LM_BUILDING_DLL)
#define LM_API __declspec(dllexport)
#elif defined(__GNUC__)
#define LM_API __attribute__((visibility("default")))
#else
#define LM_API
#endif

/** @name Version */
/**@{*/
/** Major version of this header: changes only with an incompatible ABI (and the SONAME). */
#define LM_VERSION_MAJOR 1
/** Minor version of this header: grows when functions or fields are added. */
#define LM_VERSION_MINOR 2
/** Patch version of this header: fixes without API changes. */
#define LM_VERSION_PATCH 0
/** MAJOR*10000 + MINOR*100 + PATCH, comparable with lm_version_number(). */
#define LM_VERSION_NUMBER (LM_VERSION_MAJOR * 10000 + LM_VERSION_MINOR * 100 + LM_VERSION_PATCH)
/** This header's version as "MAJOR.MINOR.PATCH" (compare lm_version_string()). */
#define LM_VERSION_STRING "1.2.0"
/**@}*/

/**
 * @brief Version of the library actually loaded, as MAJOR*10000+MINOR*100+PATCH.
 * @return the run-time version number (compare with ::LM_VERSION_NUMBER).
 * Thread-safe.
 */
LM_API unsigned lm_version_number(void);

/**
 * @brief Version of the library actually loaded, as "MAJOR.MINOR.PATCH".
 * @return static string, never NULL. Thread-safe.
 */
LM_API const char *lm_version_string(void);

/** Status codes. Values are fixed forever; new codes are only appended. */
typedef enum lm_status {
    LM_OK = 0,                /**< success */
    LM_ERR_INVALID = -1,      /**< invalid argument (see the handle's message) */
    LM_ERR_NULL = -2,         /**< a required pointer was NULL */
    LM_ERR_NONFINITE = -3,    /**< NaN or infinite value */
    LM_ERR_DIMENSION = -4,    /**< vector dimension does not match the pool */
    LM_ERR_UNKNOWN_ID = -5,   /**< no such id (or not visible to the viewer) */
    LM_ERR_RANGE = -6,        /**< value out of its allowed range */
    LM_ERR_DUPLICATE = -7,    /**< id already present, or twice in one batch */
    LM_ERR_NOMEM = -8,        /**< out of memory; nothing was changed */
    LM_ERR_CANCELLED = -9,    /**< cancelled by the progress callback */
    LM_ERR_IO = -10,          /**< file could not be read or written */
    LM_ERR_FORMAT = -11,      /**< malformed input file or data */
    LM_ERR_DB = -12,          /**< database error (server message in the handle) */
    LM_ERR_LIMIT = -13,       /**< a documented size limit would be exceeded */
    LM_ERR_STATE = -14,       /**< object is in a state that forbids the call */
    LM_ERR_BUFFER = -15,      /**< caller's buffer too small; see the needed size */
    LM_ERR_UNSUPPORTED = -16, /**< feature not available in this build or CPU */
    LM_ERR_INTERNAL = -17,    /**< internal error (a bug: please report) */
    LM_ERR_CONFLICT = -18     /**< a concurrent change won (optimistic versioning): nothing was
                                   changed; reload and retry (since 1.1.0) */
} lm_status;

/**
 * @brief Static English description of a status code.
 * @param status any value; unknown values give "unknown status".
 * @return static string, never NULL. Thread-safe.
 */
LM_API const char *lm_strerror(int status);

/** @name Documented limits */
/**@{*/
#define LM_MAX_DIM 4096          /**< largest competence dimension */
#define LM_MAX_K 10000           /**< largest k of a top-k query */
#define LM_MAX_ROWS 100000000    /**< most candidates (or vacancies) per pool */
#define LM_MAX_BATCH 100000000   /**< most rows in one update batch */
/**@}*/

/** Target groups (doelgroepen), a bitmask: a person may be in several. */
enum lm_group {
    LM_GROUP_BIJSTAND = 1u << 0,      /**< general social assistance */
    LM_GROUP_NIEUW_BESCHUT = 1u << 1, /**< sheltered work, UWV indication */
    LM_GROUP_BANENAFSPRAAK = 1u << 2, /**< doelgroepregister (jobs agreement) */
    LM_GROUP_WSW = 1u << 3,           /**< old sheltered employment (Wsw) */
    LM_GROUP_NUG = 1u << 4,           /**< no benefit, registered job seeker */
    LM_GROUP_STATUSHOUDER = 1u << 5,  /**< recognised refugee */
    LM_GROUP_ALL = (1u << 6) - 1u,    /**< the six groups of release 1.0 (kept for 1.0 callers; docs/abi.md,
                                           "Target groups": a 1.0/1.1 vacancy with this mask accepts every group) */
    /* since 1.2.0 */
    LM_GROUP_WW = 1u << 6,            /**< unemployment benefit (WW, UWV client) */
    LM_GROUP_WAJONG = 1u << 7,        /**< Wajong (young disabled, UWV client) */
    LM_GROUP_JONGERE = 1u << 8        /**< youth under 27 (own rules of the Participatiewet) */
};
/** Every target group this version knows (since 1.2.0; grows when groups are added). */
#define LM_GROUP_KNOWN ((1u << 9) - 1u)

/** Support needs (a candidate's needs, a vacancy's offers), a bitmask. Bits 0..15 are
 * standard (these and later additions); bits 16..63 are host-defined. Since 1.2.0. */
enum lm_need {
    LM_NEED_JOB_COACH = 1u << 0,    /**< a job coach */
    LM_NEED_SUPERVISION = 1u << 1,  /**< supervision on the job */
    LM_NEED_ACCESSIBLE = 1u << 2,   /**< an accessible workplace */
    LM_NEED_DAYTIME_ONLY = 1u << 3, /**< daytime shifts only (no evenings or nights) */
    LM_NEED_NO_WEEKENDS = 1u << 4,  /**< no weekend shifts */
    LM_NEED_PART_TIME = 1u << 5     /**< part-time, under 20 hours a week */
};
/** The standard support-need bits (0..15); bits 16..63 are free for the host. Since 1.2.0. */
#define LM_NEED_STANDARD_MASK 0xFFFFull

/** Kinds of places (vacancy column kind). Values fixed forever. Since 1.2.0. */
enum lm_vacancy_kind {
    LM_KIND_REGULAR = 0,           /**< regular job */
    LM_KIND_GARANTIEBAAN = 1,      /**< banenafspraak job (garantiebaan) */
    LM_KIND_BESCHUT = 2,           /**< beschut werk */
    LM_KIND_WERKERVARINGSPLEK = 3, /**< work-experience place */
    LM_KIND_PARTICIPATIEPLEK = 4,  /**< volunteer or activation place */
    LM_KIND_DETACHERING = 5        /**< secondment */
};
/** Number of ::lm_vacancy_kind values in this version. */
#define LM_KIND_COUNT 6

/** Readiness categories A (work-ready) to E; stored as 1..5. */
enum lm_readiness {
    LM_READY_A = 1, /**< work-ready */
    LM_READY_B = 2, /**< work-ready after a trajectory */
    LM_READY_C = 3, /**< not work-ready within foreseeable time (C to E: ever further) */
    LM_READY_D = 4, /**< further from the labour market than C */
    LM_READY_E = 5  /**< furthest from the labour market */
};

/** Travel modes. A set of modes is a bitmask of (1u << mode). */
enum lm_mode {
    LM_MODE_WALK = 0, /**< walking */
    LM_MODE_BIKE = 1, /**< bicycle */
    LM_MODE_PT = 2,   /**< public transport */
    LM_MODE_CAR = 3,  /**< car */
    LM_MODE_COUNT = 4 /**< number of modes (not a mode) */
};
/** Bitmask of every travel mode: (1u << ::LM_MODE_WALK) | ... | (1u << ::LM_MODE_CAR). */
#define LM_MODES_ALL 0x0Fu

/** Visibility scope of a candidate (from consent). */
enum lm_scope {
    LM_SCOPE_ORG = 0,          /**< owner organisation only */
    LM_SCOPE_MUNICIPALITY = 1, /**< plus viewers of the home municipality */
    LM_SCOPE_REGION = 2,       /**< plus viewers of the labour-market region */
    LM_SCOPE_NATIONAL = 3      /**< every viewer */
};

/** The constraint that excludes a pair (::LM_CONSTRAINT_NONE if feasible). */
enum lm_constraint {
    LM_CONSTRAINT_NONE = 0,         /**< no constraint excludes the pair: it is feasible */
    LM_CONSTRAINT_VISIBILITY = 1,   /**< viewer may not see the candidate */
    LM_CONSTRAINT_TARGET_GROUP = 2, /**< no accepted target group */
    LM_CONSTRAINT_READINESS = 3,    /**< readiness below what is needed */
    LM_CONSTRAINT_LOONWAARDE = 4,   /**< loonwaarde below the minimum */
    LM_CONSTRAINT_FLAGS = 5,        /**< a required capability is missing */
    LM_CONSTRAINT_HOURS = 6,        /**< hours ranges do not overlap */
    LM_CONSTRAINT_DATES = 7,        /**< not available before it closes, or closed */
    LM_CONSTRAINT_SLOTS = 8,        /**< vacancy has no open slots */
    LM_CONSTRAINT_TRAVEL = 9,       /**< no allowed mode within the time limit */
    LM_CONSTRAINT_MIN_SCORE = 10,   /**< score below the policy minimum */
    /* Constraints from the proposal history (process.h, lm_engine_set_history()); since 1.1.0. */
    LM_CONSTRAINT_COOLDOWN = 11,    /**< the pair's last proposal ended rejected or declined within the
                                         policy's ::LM_POLICY_COOLDOWN_DAYS (day in process_day) */
    LM_CONSTRAINT_IN_PROGRESS = 12, /**< the person is introduced or in interview for another vacancy
                                         (organisation in lead_org), ::LM_POLICY_EXCLUSIVE_PROGRESS on */
    LM_CONSTRAINT_VACANCY_FULL = 13,/**< slots minus placements and open introductions is 0 */
    LM_CONSTRAINT_PLACED = 14,      /**< the person is placed (on this or another vacancy) */
    /* since 1.2.0 */
    LM_CONSTRAINT_NEEDS = 15,       /**< a support need of the person is not offered */
    LM_CONSTRAINT_MIN_COMPETENCE = 16, /**< competence below ::LM_POLICY_MIN_COMPETENCE */
    LM_CONSTRAINT_LOCAL_ONLY = 17   /**< ::LM_POLICY_LOCAL_ONLY: the vacancy is outside the person's municipality */
};

/** Directions of results. */
enum lm_direction {
    LM_DIR_VACANCY = 0,  /**< per vacancy, its best candidates */
    LM_DIR_CANDIDATE = 1 /**< per candidate, its best vacancies */
};

/** Sides of a pool. */
enum lm_side {
    LM_SIDE_CANDIDATE = 0, /**< the candidates (job seekers) */
    LM_SIDE_VACANCY = 1    /**< the vacancies */
};

/* ------------------------------------------------------------------------ */
/** @name Columnar input */
/**@{*/

/**
 * Candidates, one pointer per column, each column holding n values (vectors:
 * n * dim floats, row-major; dim is stated in the struct and checked). Columns marked optional may be NULL (default in
 * brackets). Initialise with ::LM_CANDIDATE_COLS_INIT; the struct only grows at
 * the end, and struct_size tells the library which fields exist.
 */
typedef struct lm_candidate_cols {
    size_t struct_size;            /**< sizeof(lm_candidate_cols), set by ::LM_CANDIDATE_COLS_INIT */
    uint32_t dim;                  /**< required: must equal the pool's dimension */
    uint32_t reserved;             /**< 0 */
    const int64_t *id;             /**< required, pseudonymous (never a BSN) */
    const int64_t *owner_org;      /**< required, owning organisation */
    const int32_t *municipality;   /**< required, CBS code number (GM0361 -> 361), > 0 */
    const int32_t *region;         /**< optional labour-market region [0 = none] */
    const int32_t *zone;           /**< optional zone, e.g. PC4 [0 = none] */
    const double *lat;             /**< optional WGS84 latitude [NaN = unknown] */
    const double *lon;             /**< optional WGS84 longitude [NaN = unknown] */
    const uint32_t *groups;        /**< required target-group bitmask, non-zero, bits of ::LM_GROUP_KNOWN */
    const uint8_t *readiness;      /**< optional 1..5 (A..E) [A] */
    const float *loonwaarde;       /**< optional wage value in % of minimum wage, 0..200 [100] */
    const float *vectors;          /**< required competence vectors, n * dim */
    const uint64_t *flags;         /**< optional capability flags [0] */
    const float *hours_min;        /**< optional hours per week, 0..80 [0] */
    const float *hours_max;        /**< optional, >= hours_min [80] */
    const uint8_t *modes;          /**< optional travel-mode bitmask, non-zero [all] */
    const float *max_minutes;      /**< optional own one-way limit in minutes, 0..1440, 0 = none [0] */
    const int32_t *available_from; /**< optional day number (days since 1970-01-01) [0] */
    const uint8_t *scope;          /**< optional ::lm_scope [LM_SCOPE_ORG] */
    const float *priority;         /**< optional priority term 0..1 [0] */
    /* since 1.2.0 */
    const uint64_t *needs;         /**< optional support needs, ::lm_need bits [0 = none] */
} lm_candidate_cols;
/** Initialiser of ::lm_candidate_cols: struct_size set, dim 0, every column NULL. */
#define LM_CANDIDATE_COLS_INIT {sizeof(lm_candidate_cols), 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL}

/** Vacancies, like ::lm_candidate_cols. Initialise with ::LM_VACANCY_COLS_INIT. */
typedef struct lm_vacancy_cols {
    size_t struct_size;              /**< sizeof(lm_vacancy_cols), set by ::LM_VACANCY_COLS_INIT */
    uint32_t dim;                    /**< required: must equal the pool's dimension */
    uint32_t reserved;               /**< 0 */
    const int64_t *id;               /**< required */
    const int64_t *employer_id;      /**< required */
    const int32_t *municipality;     /**< required, CBS code number, > 0 */
    const int32_t *region;           /**< optional labour-market region [0] */
    const int32_t *zone;             /**< optional zone [0 = none] */
    const double *lat;               /**< optional [NaN] */
    const double *lon;               /**< optional [NaN] */
    const float *vectors;            /**< required requirement vectors, n * dim */
    const float *weights;            /**< optional importance weights >= 0, n * dim [1] */
    const uint64_t *required_flags;  /**< optional [0] */
    const float *hours_min;          /**< optional 0..80 [0] */
    const float *hours_max;          /**< optional >= hours_min [80] */
    const int32_t *slots;            /**< optional number of slots, >= 0 [1] */
    const uint32_t *accepted_groups; /**< optional target-group bitmask, non-zero, bits of ::LM_GROUP_KNOWN
                                          [every group, later ones included]; docs/abi.md, "Target groups" */
    const float *min_loonwaarde;     /**< optional, 0..200 [0] */
    const uint8_t *max_readiness;    /**< optional readiness needed: accepts 1..this [E] */
    const int32_t *open_until;       /**< optional day number [open indefinitely] */
    /* since 1.2.0 */
    const uint64_t *offers;          /**< optional support offered, ::lm_need bits [0 = none] */
    const uint8_t *kind;             /**< optional ::lm_vacancy_kind [LM_KIND_REGULAR] */
} lm_vacancy_cols;
/** Initialiser of ::lm_vacancy_cols: struct_size set, dim 0, every column NULL. */
#define LM_VACANCY_COLS_INIT {sizeof(lm_vacancy_cols), 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL}
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Pool and snapshots */
/**@{*/
/** The mutable pool of candidates and vacancies (opaque; lm_pool_create(), lm_pool_free()). */
typedef struct lm_pool lm_pool;
/** An immutable, reference-counted view of a pool (opaque; lm_pool_snapshot(), lm_snapshot_free()). */
typedef struct lm_snapshot lm_snapshot;

/**
 * @brief Create an empty pool whose competence vectors have dimension @p dim.
 * @param out receives the new pool; set to NULL on error.
 * @param dim 1..::LM_MAX_DIM.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE, ::LM_ERR_NOMEM.
 * Free with lm_pool_free(). Thread-safe.
 */
LM_API int lm_pool_create(lm_pool **out, uint32_t dim);

/**
 * @brief Free a pool. NULL is accepted. Snapshots taken from it stay valid
 * until they are freed themselves.
 * @param pool the pool, or NULL.
 */
LM_API void lm_pool_free(lm_pool *pool);

/**
 * @brief Detailed message of the last failing call on this pool.
 * @param pool the pool, or NULL.
 * @return a string owned by the pool, valid until the next call on it; "" if
 * none; a static string if @p pool is NULL.
 */
LM_API const char *lm_pool_errmsg(const lm_pool *pool);

/**
 * @brief Add @p n candidates; fails with ::LM_ERR_DUPLICATE if an id exists.
 *
 * The batch is atomic: if any row is invalid nothing changes, the status names
 * the kind of error and lm_pool_errmsg() names the row (index and id).
 *
 * Since 1.1.0 the pool keeps the raw vectors and stores them centred when it
 * has a centre (lm_pool_set_centre()). A batch of 8 or more rows into a pool
 * without a centre whose raw vectors have a mean pairwise cosine above 0.5
 * (raw skill levels, all positive) still returns ::LM_OK but leaves a warning
 * in lm_pool_errmsg() ("vectors look uncentred: mean pairwise cosine 0.87 in
 * this batch; ..."; docs/scoring.md, "Centring"); otherwise the message is "".
 * The same holds for lm_pool_upsert_candidates(), lm_pool_add_vacancies() and
 * lm_pool_upsert_vacancies() (vacancies: requirement vectors, without weights).
 * @param pool the pool.
 * @param cols the columns, each holding @p n values; read during the call only
 *        (the pool copies what it keeps).
 * @param n number of rows, 1..::LM_MAX_BATCH.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_INVALID (struct_size or n),
 * ::LM_ERR_NONFINITE, ::LM_ERR_RANGE, ::LM_ERR_DUPLICATE, ::LM_ERR_LIMIT,
 * ::LM_ERR_NOMEM.
 */
LM_API int lm_pool_add_candidates(lm_pool *pool, const lm_candidate_cols *cols, size_t n);

/**
 * @brief Like lm_pool_add_candidates(), but existing ids are replaced (the
 * uncentred warning included).
 * @param pool the pool.
 * @param cols the columns, each holding @p n values.
 * @param n number of rows.
 * @return as lm_pool_add_candidates(), except that an existing id is not an error.
 */
LM_API int lm_pool_upsert_candidates(lm_pool *pool, const lm_candidate_cols *cols, size_t n);

/**
 * @brief Remove @p n candidates by id, atomically.
 * @param pool the pool.
 * @param ids @p n candidate ids.
 * @param n number of ids.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_INVALID, ::LM_ERR_UNKNOWN_ID (an id
 * is not in the pool; nothing removed), ::LM_ERR_DUPLICATE (id twice), ::LM_ERR_NOMEM.
 */
LM_API int lm_pool_remove_candidates(lm_pool *pool, const int64_t *ids, size_t n);

/**
 * @brief Add vacancies; see lm_pool_add_candidates() (the uncentred warning included).
 * @param pool the pool.
 * @param cols the columns, each holding @p n values.
 * @param n number of rows.
 * @return as lm_pool_add_candidates().
 */
LM_API int lm_pool_add_vacancies(lm_pool *pool, const lm_vacancy_cols *cols, size_t n);
/**
 * @brief Add or replace vacancies; see lm_pool_upsert_candidates().
 * @param pool the pool.
 * @param cols the columns, each holding @p n values.
 * @param n number of rows.
 * @return as lm_pool_upsert_candidates().
 */
LM_API int lm_pool_upsert_vacancies(lm_pool *pool, const lm_vacancy_cols *cols, size_t n);
/**
 * @brief Remove vacancies by id; see lm_pool_remove_candidates().
 * @param pool the pool.
 * @param ids @p n vacancy ids.
 * @param n number of ids.
 * @return as lm_pool_remove_candidates().
 */
LM_API int lm_pool_remove_vacancies(lm_pool *pool, const int64_t *ids, size_t n);

/**
 * @brief Number of rows on one side of the pool's current state.
 * @param out receives the count.
 * @param pool the pool.
 * @param side ::LM_SIDE_CANDIDATE or ::LM_SIDE_VACANCY.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE.
 */
LM_API int lm_pool_count(size_t *out, lm_pool *pool, int32_t side);

/**
 * @brief Competence dimension of the pool.
 * @param pool the pool, or NULL.
 * @return the dimension given to lm_pool_create(), 0 if @p pool is NULL.
 */
LM_API uint32_t lm_pool_dim(const lm_pool *pool);

/**
 * @brief Centre the pool's competence vectors on a reference profile, so raw
 * skill levels from client systems rank well (docs/scoring.md, "Centring").
 *
 * Every stored vector, on both sides, is re-derived from its raw values as
 * v - mean in one atomic update (snapshots taken before keep the old vectors);
 * rows added later (add, upsert, database loads) are centred with the same
 * mean; the pool's version grows by one. Scores in every kernel and mode use
 * the centred vectors (the coverage models read the raw levels). The raw
 * values are kept, so the centre can be changed or removed (an all-zero mean)
 * at any time. A vector that is zero after centring has competence 0 with
 * every other under the cosine models. On an error nothing changes.
 * @param pool the pool.
 * @param mean @p dim floats, or NULL for the mean of the pool's current raw
 *        vectors (candidates and vacancy requirements, each row counted once),
 *        computed now and frozen.
 * @param dim must equal the pool's dimension.
 * @return ::LM_OK, ::LM_ERR_NULL (pool), ::LM_ERR_DIMENSION, ::LM_ERR_NONFINITE,
 * ::LM_ERR_STATE (mean NULL and the pool has no rows), ::LM_ERR_NOMEM.
 * Thread-safe. @since 1.1.0
 */
LM_API int lm_pool_set_centre(lm_pool *pool, const float *mean, uint32_t dim);

/**
 * @brief The pool's centre.
 * @param out caller buffer for @p capacity floats (may be NULL if 0): the mean
 *        subtracted, zeros when the pool is not centred.
 * @param capacity floats @p out can hold; must be at least the dimension when @p out is given.
 * @param out_centred receives 1 if the pool has a non-zero centre, else 0 (may be NULL).
 * @param pool the pool.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_BUFFER. Thread-safe. @since 1.1.0
 */
LM_API int lm_pool_get_centre(float *out, uint32_t capacity, int *out_centred, lm_pool *pool);

/** Numbers about a pool's vectors (lm_pool_stat()). Since 1.1.0. */
enum lm_pool_stat {
    LM_POOL_STAT_MEAN_COSINE = 0, /**< mean pairwise cosine of the live candidates' stored vectors
                                       (centred if the pool is centred; zero vectors left out; 0 with
                                       fewer than two), (|sum u_i|^2 - n) / (n (n - 1)) over their unit
                                       vectors u_i, computed on demand: near 0 for centred data, near 1
                                       for raw levels; a batch above 0.5 added to an uncentred pool
                                       leaves a warning in lm_pool_errmsg() */
    LM_POOL_STAT_CENTRED = 1      /**< 1 if the pool has a non-zero centre, else 0 */
};

/**
 * @brief A number about the pool's current state (::lm_pool_stat).
 * @param out receives the number.
 * @param pool the pool.
 * @param key an ::lm_pool_stat.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (unknown key). Thread-safe. @since 1.1.0
 */
LM_API int lm_pool_stat(double *out, lm_pool *pool, int32_t key);

/**
 * @brief Take an immutable snapshot of the pool's current state.
 *
 * Cheap: data is shared copy-on-write with the pool. Later updates to the pool
 * do not change the snapshot.
 * @param out receives the snapshot; set to NULL on error.
 * @param pool the pool.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_NOMEM. Free with lm_snapshot_free().
 */
LM_API int lm_pool_snapshot(lm_snapshot **out, lm_pool *pool);

/**
 * @brief Release a snapshot. NULL is accepted.
 * @param snap the snapshot, or NULL.
 */
LM_API void lm_snapshot_free(lm_snapshot *snap);

/**
 * @brief Rows on one side of a snapshot.
 * @param out receives the count.
 * @param snap the snapshot.
 * @param side ::LM_SIDE_CANDIDATE or ::LM_SIDE_VACANCY.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE.
 */
LM_API int lm_snapshot_count(size_t *out, const lm_snapshot *snap, int32_t side);

/**
 * @brief Competence dimension of a snapshot.
 * @param snap the snapshot, or NULL.
 * @return the pool's dimension, 0 if @p snap is NULL.
 */
LM_API uint32_t lm_snapshot_dim(const lm_snapshot *snap);

/**
 * @brief Sequence number of the pool state the snapshot shows: it grows by one
 * with every successful update batch.
 * @param snap the snapshot, or NULL.
 * @return the sequence number, 0 if @p snap is NULL.
 */
LM_API uint64_t lm_snapshot_version(const lm_snapshot *snap);

/**
 * @brief Copy the ids of one side, in the snapshot's row order.
 * @param out caller buffer for up to @p capacity ids (may be NULL if 0).
 * @param capacity number of ids @p out can hold.
 * @param out_needed receives the number of rows (may be NULL).
 * @param snap the snapshot.
 * @param side ::LM_SIDE_CANDIDATE or ::LM_SIDE_VACANCY.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE, ::LM_ERR_BUFFER (capacity
 * too small: nothing copied, needed size set).
 */
LM_API int lm_snapshot_ids(int64_t *out, size_t capacity, size_t *out_needed,
                           const lm_snapshot *snap, int32_t side);

/**
 * @brief Whether an id exists on one side.
 * @param out receives 1 or 0.
 * @param snap the snapshot.
 * @param side ::LM_SIDE_CANDIDATE or ::LM_SIDE_VACANCY.
 * @param id the id to look up.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE.
 */
LM_API int lm_snapshot_contains(int *out, const lm_snapshot *snap, int32_t side, int64_t id);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Policy */
/**@{*/
/** Scoring weights and limits with a version number (opaque; lm_policy_create(), lm_policy_free()). */
typedef struct lm_policy lm_policy;

/** Policy parameters, all numbers. Values fixed forever; new keys appended. */
enum lm_policy_key {
    LM_POLICY_VERSION = 0,          /**< caller's version number, integer >= 0 [1] */
    LM_POLICY_W_COMPETENCE = 1,     /**< weight >= 0 [0.6] */
    LM_POLICY_W_TRAVEL = 2,         /**< weight >= 0 [0.1] (1.0: 0.2) */
    LM_POLICY_W_HOURS = 3,          /**< weight >= 0 [0.025] (1.0: 0.1) */
    LM_POLICY_W_READINESS = 4,      /**< weight >= 0 [0.05] (1.0: 0.1) */
    LM_POLICY_W_PRIORITY = 5,       /**< weight >= 0 [0] */
    LM_POLICY_MAX_TRAVEL_MIN = 6,   /**< policy one-way limit in minutes, > 0 [90] */
    LM_POLICY_MIN_SCORE = 7,        /**< pairs below are dropped, 0..1 [0.25; 1.0 and 1.1: 0] */
    LM_POLICY_AS_OF_DAY = 8,        /**< day number; vacancies closed before are excluded; 0 = off [0] */
    LM_POLICY_ALLOWED_MODES = 9,    /**< travel-mode bitmask 1..15 [15] */
    LM_POLICY_KEY_COUNT = 10,       /**< number of keys in release 1.0 (frozen; see ::LM_POLICY_KEYS) */
    /* since 1.1.0 */
    LM_POLICY_COMPETENCE_MODEL = 10, /**< ::lm_competence_model (docs/scoring.md) [LM_COMPETENCE_COSINE_COVERAGE] */
    LM_POLICY_COOLDOWN_DAYS = 11,   /**< days a rejected or declined pair is not proposed again, 0..3650,
                                         0 = off [90] (docs/lifecycle.md) */
    LM_POLICY_EXCLUSIVE_PROGRESS = 12, /**< 1: a person introduced or in interview is not proposed to
                                            other vacancies; 0: off [1] */
    LM_POLICY_STABILITY_MARGIN = 13, /**< 0..1: the assignment keeps an open proposal unless a change
                                          gains more than this much score [0.05] */
    LM_POLICY_OVERQUALIFICATION = 14, /**< 0..1: weight of over-qualification in the coverage
                                          models (docs/scoring.md) [0.25] */
    /* since 1.2.0 */
    LM_POLICY_MIN_COMPETENCE = 15,  /**< 0..1: pairs whose competence is below are infeasible
                                         (::LM_CONSTRAINT_MIN_COMPETENCE) [0.2; docs/scoring.md,
                                         "Reliable proposals"; 0 gives 1.1's behaviour] */
    LM_POLICY_LOCAL_ONLY = 16,      /**< 1: match each person only with vacancies in their own municipality of
                                         residence (the municipal-only run); 0: off [0] */
    LM_POLICY_FAVOUR_FURTHEST = 17  /**< 1: the readiness term favours people further from the labour market
                                         (E = 1 .. A = 0); 0: work-ready first (A = 1 .. E = 0) [0]
                                         (docs/scoring.md, "Who comes first") */
};
/** Number of policy keys in this version of the header (0 .. LM_POLICY_KEYS - 1). */
#define LM_POLICY_KEYS 18

/** Policy presets for who comes first (lm_policy_preset(); docs/scoring.md, "Who comes first"). Since 1.2.0. */
enum lm_preset {
    LM_PRESET_DEFAULT = 0,        /**< the default weights (0.6 / 0.1 / 0.025 / 0.05 / 0), work-ready first */
    LM_PRESET_CLOSEST_FIRST = 1,  /**< closest to work first: readiness weight 0.2, A = 1 .. E = 0 */
    LM_PRESET_FURTHEST_FIRST = 2  /**< furthest from the market first: readiness weight 0.2, E = 1 .. A = 0 */
};
/** Number of ::lm_preset values in this version. Since 1.2.0. */
#define LM_PRESET_COUNT 3

/**
 * Competence models (::LM_POLICY_COMPETENCE_MODEL), defined in docs/scoring.md.
 * Vectors are first centred when the pool has a centre (lm_pool_set_centre()):
 * c~ = c - mean, r~ = r - mean. REQUIREMENT and COSINE are dot products of
 * stored unit vectors: every kernel and the int8 mode run them at full speed.
 * The others are computed per pair; lm_engine_batch() then takes an exact
 * generic path over every visible pair (slower; kernel and int8 mode do not
 * apply; docs/scoring.md gives a measured figure). Since 1.1.0.
 */
enum lm_competence_model {
    LM_COMPETENCE_REQUIREMENT = 0, /**< cos(c~, w * r~): 1.0's model, importance on the vacancy side */
    LM_COMPETENCE_COSINE = 1,      /**< cos(c~, r~): importance weights ignored */
    LM_COMPETENCE_SYMMETRIC = 2,   /**< cos(sqrt(w) * c~, sqrt(w) * r~): importance on both sides */
    LM_COMPETENCE_COVERAGE = 3,    /**< 1 - importance-weighted shortfall below the required levels,
                                        minus over-qualification (raw levels, uncentred) */
    LM_COMPETENCE_COSINE_COVERAGE = 4 /**< max(0, cos(c~, r~)) x coverage */
};

/**
 * @brief Create a policy with the documented defaults (docs/scoring.md).
 * @param out receives the policy; set to NULL on error.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_NOMEM. Free with lm_policy_free().
 */
LM_API int lm_policy_create(lm_policy **out);
/**
 * @brief Free a policy. NULL is accepted.
 * @param policy the policy, or NULL.
 */
LM_API void lm_policy_free(lm_policy *policy);
/**
 * @brief Set one parameter.
 * @param policy the policy.
 * @param key an ::lm_policy_key.
 * @param value the new value (integers as doubles).
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (unknown key or value out of
 * range; also if all weights would become 0), ::LM_ERR_NONFINITE.
 */
LM_API int lm_policy_set_f64(lm_policy *policy, int32_t key, double value);
/**
 * @brief Read one parameter.
 * @param out receives the value.
 * @param policy the policy.
 * @param key an ::lm_policy_key.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (unknown key).
 */
LM_API int lm_policy_get_f64(double *out, const lm_policy *policy, int32_t key);
/**
 * @brief Apply a preset for who comes first: sets the five weights
 * (::LM_POLICY_W_COMPETENCE .. ::LM_POLICY_W_PRIORITY) and
 * ::LM_POLICY_FAVOUR_FURTHEST; every other key keeps its value.
 *
 * | preset          | competence | travel | hours | readiness | priority | favour_furthest |
 * |-----------------|-----------:|-------:|------:|----------:|---------:|----------------:|
 * | DEFAULT         | 0.6        | 0.1    | 0.025 | 0.05      | 0        | 0               |
 * | CLOSEST_FIRST   | 0.6        | 0.1    | 0.025 | 0.2       | 0        | 0               |
 * | FURTHEST_FIRST  | 0.6        | 0.1    | 0.025 | 0.2       | 0        | 1               |
 *
 * @param policy the policy.
 * @param preset an ::lm_preset.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (unknown preset; the policy is unchanged).
 * @since 1.2.0
 */
LM_API int lm_policy_preset(lm_policy *policy, int32_t preset);
/**
 * @brief Detailed message of the last failing call on this policy.
 * @param policy the policy, or NULL.
 * @return a string owned by the policy, valid until the next call on it; ""
 * if none; a static string if @p policy is NULL.
 */
LM_API const char *lm_policy_errmsg(const lm_policy *policy);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Travel model */
/**@{*/
/** The travel model: geometric estimate and optional zone matrices (opaque; lm_travel_create(), lm_travel_free()). */
typedef struct lm_travel lm_travel;

/** Per-mode parameters of the geometric estimate. */
enum lm_travel_param {
    LM_TRAVEL_SPEED_KMH = 0,   /**< average speed, > 0 */
    LM_TRAVEL_DETOUR = 1,      /**< network distance / great-circle distance, >= 1 */
    LM_TRAVEL_ACCESS_MIN = 2   /**< fixed minutes added (walk to stop, parking), >= 0 */
};

/**
 * @brief Create the default travel model: the geometric estimate with the
 * documented speeds (docs/travel.md) and no matrices.
 * @param out receives the travel model; set to NULL on error.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_NOMEM. Free with lm_travel_free().
 * A travel model attached to an engine becomes read-only (::LM_ERR_STATE).
 */
LM_API int lm_travel_create(lm_travel **out);
/**
 * @brief Release a travel model (engines using it keep their reference). NULL is accepted.
 * @param travel the travel model, or NULL.
 */
LM_API void lm_travel_free(lm_travel *travel);
/**
 * @brief Detailed message of the last failing call on this travel model.
 * @param travel the travel model, or NULL.
 * @return a string owned by the travel model, valid until the next call on
 * it; "" if none; a static string if @p travel is NULL.
 */
LM_API const char *lm_travel_errmsg(const lm_travel *travel);

/**
 * @brief Set a parameter of the geometric estimate for one mode.
 * @param travel the travel model (not yet attached to an engine).
 * @param mode an ::lm_mode.
 * @param param an ::lm_travel_param.
 * @param value the new value (see ::lm_travel_param for the ranges).
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE, ::LM_ERR_NONFINITE, ::LM_ERR_STATE.
 */
LM_API int lm_travel_set_param(lm_travel *travel, int32_t mode, int32_t param, double value);
/**
 * @brief Read a parameter of the geometric estimate.
 * @param out receives the value.
 * @param travel the travel model.
 * @param mode an ::lm_mode.
 * @param param an ::lm_travel_param.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (mode or param).
 */
LM_API int lm_travel_get_param(double *out, const lm_travel *travel, int32_t mode, int32_t param);

/**
 * @brief Supply a zone-to-zone matrix of one-way minutes for one mode.
 * @param travel the travel model (not yet attached to an engine).
 * @param mode an ::lm_mode.
 * @param zones n distinct zone ids (> 0).
 * @param n number of zones.
 * @param minutes n * n bytes, row = origin, column = destination; 255 means
 *        unreachable. Copied.
 * Pairs whose zones are both in the matrix use it; other pairs fall back to
 * the geometric estimate. Replaces an earlier matrix for the mode.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE, ::LM_ERR_DUPLICATE, ::LM_ERR_LIMIT,
 * ::LM_ERR_NOMEM, ::LM_ERR_STATE.
 */
LM_API int lm_travel_set_matrix(lm_travel *travel, int32_t mode, const int32_t *zones,
                                size_t n, const uint8_t *minutes);

/**
 * @brief Load matrices from a file in the documented format (docs/travel.md):
 * the binary "LMTRAVEL" format or the text format (origin, destination, mode,
 * minutes, tab-separated). On error nothing changes.
 * @param travel the travel model (not yet attached to an engine).
 * @param path the file's path; a regular file (a FIFO, directory, device or
 * socket fails with ::LM_ERR_IO at once, without blocking).
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_IO, ::LM_ERR_FORMAT (message names
 * the line or offset), ::LM_ERR_RANGE, ::LM_ERR_NOMEM, ::LM_ERR_STATE.
 */
LM_API int lm_travel_load_file(lm_travel *travel, const char *path);

/**
 * @brief Write the matrices to a file in the binary format.
 * @param travel the travel model.
 * @param path the file's path (replaced atomically if it exists).
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_IO, ::LM_ERR_STATE (no matrix).
 */
LM_API int lm_travel_save_file(const lm_travel *travel, const char *path);

/**
 * @brief One-way minutes between two places for one mode.
 * Each place is a zone (0 = none) and coordinates (NaN = unknown).
 * @param out receives minutes, or INFINITY when unreachable / unknown.
 * @param travel the travel model.
 * @param mode an ::lm_mode.
 * @param from_zone origin zone, 0 = none.
 * @param from_lat origin WGS84 latitude, NaN = unknown.
 * @param from_lon origin WGS84 longitude, NaN = unknown.
 * @param to_zone destination zone, 0 = none.
 * @param to_lat destination latitude, NaN = unknown.
 * @param to_lon destination longitude, NaN = unknown.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (mode).
 */
LM_API int lm_travel_minutes(double *out, const lm_travel *travel, int32_t mode,
                             int32_t from_zone, double from_lat, double from_lon,
                             int32_t to_zone, double to_lat, double to_lon);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Engine and queries */
/**@{*/
/** A query context: policy, travel model, threads, scratch memory, last error (opaque; lm_engine_create(), lm_engine_free()). */
typedef struct lm_engine lm_engine;
/** Library-owned query results, read through accessors (opaque; lm_results_free()). */
typedef struct lm_results lm_results;

/**
 * Who is asking. A candidate is visible to a viewer when the viewer is the
 * owner organisation, or the candidate's scope is ::LM_SCOPE_NATIONAL, or
 * ::LM_SCOPE_REGION and the regions are equal (and non-zero), or
 * ::LM_SCOPE_MUNICIPALITY and the municipalities are equal.
 */
typedef struct lm_viewer {
    size_t struct_size;   /**< sizeof(lm_viewer), set by ::LM_VIEWER_INIT */
    int64_t org;          /**< the viewer's organisation */
    int32_t municipality; /**< the viewer's municipality (CBS number), 0 if none */
    int32_t region;       /**< the viewer's labour-market region, 0 if none */
} lm_viewer;
/** Initialiser of ::lm_viewer: struct_size set, everything else 0. */
#define LM_VIEWER_INIT {sizeof(lm_viewer), 0, 0, 0}

/**
 * One scored pair, with its explanation. Arrays of it are passed with an
 * element size so the struct may grow at the end.
 */
typedef struct lm_match {
    int64_t vacancy_id;             /**< the vacancy */
    int64_t candidate_id;           /**< the candidate */
    uint32_t rank;                  /**< 1-based rank in its list, 0 for explain */
    int32_t constraint;             /**< ::lm_constraint; NONE for results */
    float score;                    /**< total score in [0, 1] */
    float competence;               /**< component values in [0, 1]: competence fit */
    float travel;                   /**< travel component (shorter is better) */
    float hours;                    /**< hours-fit component */
    float readiness;                /**< readiness component */
    float priority;                 /**< priority component */
    float travel_minutes;           /**< one-way minutes by the best allowed mode */
    int32_t travel_mode;            /**< ::lm_mode of that, -1 if none */
    int32_t candidate_municipality; /**< the candidate's home municipality (CBS number) */
    int32_t vacancy_municipality;   /**< the vacancy's municipality (CBS number) */
    int32_t reserved;               /**< 0 */
    /* Since 1.1.0 (callers compiled against 1.0 pass the smaller element size and never see these). */
    int64_t lead_org;               /**< organisation holding the lead on this pair (its proposal is
                                         introduced, interview or placed), else on the person elsewhere
                                         (placement first, then the latest open introduction), 0 if none
                                         or no history (docs/lifecycle.md) */
    int32_t process_status;         /**< ::lm_proposal_status of the pair's latest proposal in the
                                         engine's history, -1 if none */
    int32_t process_day;            /**< day number of that proposal's last change, 0 if none */
    /* Since 1.2.0 (callers compiled against 1.0 or 1.1 pass a smaller element size and never see these). */
    uint32_t failed;                /**< lm_engine_explain(): bit c set for every constraint c that fails
                                         (1u << LM_CONSTRAINT_x); results: 0 */
    int32_t vacancy_kind;           /**< the vacancy's ::lm_vacancy_kind */
    float travel_limit;             /**< the binding one-way limit in minutes: the tighter of the policy's
                                         and the person's own */
    int32_t travel_limit_own;       /**< 1 if the person's own limit is the binding one, else 0 */
    float hours_gap;                /**< hours per week between the two ranges, 0 if they overlap */
    float loonwaarde_gap;           /**< vacancy minimum minus the person's loonwaarde if short, else 0 */
} lm_match;
/** Size of ::lm_match in release 1.0 (the smallest element size the library accepts). */
#define LM_MATCH_SIZE_1_0 72u

/** Engine options (lm_engine_set_i64()). */
enum lm_engine_option {
    LM_ENGINE_THREADS = 0, /**< worker threads for batches, 0 = online cores [0] */
    LM_ENGINE_KERNEL = 1,  /**< ::lm_kernel [LM_KERNEL_AUTO] */
    LM_ENGINE_QUANTIZE = 2, /**< 1: batches bound competence with int8-quantised vectors (VNNI where the
                                CPU has it) and score the pairs that pass in float: the same lists as
                                float (docs/performance.md); 0: float [0] */
    LM_ENGINE_COUNT_FEASIBLE = 3 /**< 1: batches also count, per candidate, the feasible vacancies
                                      (lm_results_feasible_count()), an extra pass over every pair
                                      (docs/performance.md, "Feasible counts"); 0: off [0]. Since 1.2.0. */
};

/** Scoring kernels. AUTO picks the best the CPU supports. */
enum lm_kernel {
    LM_KERNEL_AUTO = 0,   /**< the best the CPU supports (chosen at run time) */
    LM_KERNEL_SCALAR = 1, /**< portable C */
    LM_KERNEL_AVX2 = 2,   /**< AVX2 and FMA */
    LM_KERNEL_AVX512 = 3  /**< AVX-512 */
};

/** Progress callback: return non-zero to cancel. Called on the calling thread. */
typedef int (*lm_progress_fn)(void *user, uint64_t done, uint64_t total);

/** Batch options. Initialise with ::LM_BATCH_OPTIONS_INIT. */
typedef struct lm_batch_options {
    size_t struct_size;      /**< sizeof(lm_batch_options), set by ::LM_BATCH_OPTIONS_INIT */
    uint32_t k_candidates;   /**< per vacancy, 1..LM_MAX_K [10] */
    uint32_t k_vacancies;    /**< per candidate, 1..LM_MAX_K [10] */
    int32_t vacancy_region;  /**< only vacancies of this region, 0 = all [0] */
    int32_t reserved;        /**< 0 */
    lm_progress_fn progress; /**< optional */
    void *progress_user;     /**< passed to @c progress as its first argument */
} lm_batch_options;
/** Initialiser of ::lm_batch_options with the defaults shown in brackets. */
#define LM_BATCH_OPTIONS_INIT {sizeof(lm_batch_options), 10, 10, 0, 0, NULL, NULL}

/**
 * @brief Create an engine.
 * @param out receives the engine; set to NULL on error.
 * @param policy copied; NULL means the defaults.
 * @param travel referenced and made read-only; NULL means the default
 *        geometric model.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_NOMEM. Free with lm_engine_free().
 */
LM_API int lm_engine_create(lm_engine **out, const lm_policy *policy, lm_travel *travel);
/**
 * @brief Free an engine. NULL is accepted. Results it produced stay valid.
 * @param engine the engine, or NULL.
 */
LM_API void lm_engine_free(lm_engine *engine);
/**
 * @brief Detailed message of the last failing call on this engine.
 * @param engine the engine, or NULL.
 * @return a string owned by the engine, valid until the next call on it; ""
 * if none; a static string if @p engine is NULL.
 */
LM_API const char *lm_engine_errmsg(const lm_engine *engine);
/**
 * @brief Replace the engine's policy by a copy of @p policy.
 * @param engine the engine.
 * @param policy the new policy (copied).
 * @return ::LM_OK, ::LM_ERR_NULL.
 */
LM_API int lm_engine_set_policy(lm_engine *engine, const lm_policy *policy);
/**
 * @brief Set an engine option.
 * @param engine the engine.
 * @param option an ::lm_engine_option.
 * @param value the new value.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE, ::LM_ERR_UNSUPPORTED (kernel
 * not available on this CPU).
 */
LM_API int lm_engine_set_i64(lm_engine *engine, int32_t option, int64_t value);
/**
 * @brief Read an engine option (the kernel in use for ::LM_ENGINE_KERNEL).
 * @param out receives the value.
 * @param engine the engine.
 * @param option an ::lm_engine_option.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (unknown option).
 */
LM_API int lm_engine_get_i64(int64_t *out, const lm_engine *engine, int32_t option);

/**
 * @brief Top-k candidates for one vacancy, as seen by @p viewer.
 * @param out receives the results; set to NULL on error.
 * @param engine the engine (used by one thread at a time).
 * @param snap the snapshot to query.
 * @param viewer who is asking: only candidates visible to the viewer are ranked.
 * @param vacancy_id the vacancy.
 * @param k list length, 1..::LM_MAX_K.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_INVALID (viewer struct_size),
 * ::LM_ERR_RANGE (k), ::LM_ERR_UNKNOWN_ID, ::LM_ERR_NOMEM. The results have one
 * list in direction ::LM_DIR_VACANCY. Free with lm_results_free().
 */
LM_API int lm_engine_query_vacancy(lm_results **out, lm_engine *engine, const lm_snapshot *snap,
                                   const lm_viewer *viewer, int64_t vacancy_id, uint32_t k);

/**
 * @brief Top-k vacancies for one candidate the viewer may see. A candidate the
 * viewer may not see gives ::LM_ERR_UNKNOWN_ID, exactly as a missing one.
 * @param out receives the results (one list in direction ::LM_DIR_CANDIDATE);
 *        set to NULL on error. Free with lm_results_free().
 * @param engine the engine.
 * @param snap the snapshot to query.
 * @param viewer who is asking.
 * @param candidate_id the candidate.
 * @param k list length, 1..::LM_MAX_K.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_INVALID (viewer struct_size),
 * ::LM_ERR_RANGE (k), ::LM_ERR_UNKNOWN_ID, ::LM_ERR_NOMEM.
 */
LM_API int lm_engine_query_candidate(lm_results **out, lm_engine *engine, const lm_snapshot *snap,
                                     const lm_viewer *viewer, int64_t candidate_id, uint32_t k);

/**
 * @brief The nightly batch: top-k both ways over the whole snapshot, for every
 * vacancy (optionally of one region) and every candidate the viewer may see.
 * @param out receives the results (both directions); set to NULL on error.
 *        Free with lm_results_free().
 * @param engine the engine (its threads do the work).
 * @param snap the snapshot to match.
 * @param viewer who is asking, usually the region's WSP.
 * @param options NULL means ::LM_BATCH_OPTIONS_INIT.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_INVALID, ::LM_ERR_RANGE,
 * ::LM_ERR_CANCELLED, ::LM_ERR_NOMEM.
 */
LM_API int lm_engine_batch(lm_results **out, lm_engine *engine, const lm_snapshot *snap,
                           const lm_viewer *viewer, const lm_batch_options *options);

/**
 * @brief Score and explain one pair. For an infeasible pair, @c constraint
 * names the first excluding constraint (in ::lm_constraint order) and the
 * score is 0; components are filled as far as they can be computed.
 *
 * Since 1.2.0 (callers passing the 1.2 element size) the explanation is
 * full: @c failed has bit (1u << c) set for every constraint c that fails,
 * the pair filters and the proposal history's alike (::LM_CONSTRAINT_MIN_SCORE
 * judges the score from the components as they stand: a failing travel or
 * hours filter contributes 0), and the distances to the limits are filled:
 * @c travel_minutes against @c travel_limit (@c travel_limit_own says whose
 * limit binds), @c hours_gap and @c loonwaarde_gap (docs/concepts.md,
 * "Explanations"). Rows of results carry the same distances and
 * @c failed = 0.
 * @param out receives the explained pair.
 * @param out_size sizeof(lm_match) as the caller knows it.
 * @param engine the engine.
 * @param snap the snapshot.
 * @param viewer who is asking.
 * @param vacancy_id the vacancy.
 * @param candidate_id the candidate.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_INVALID, ::LM_ERR_UNKNOWN_ID (also
 * for a candidate the viewer may not see).
 */
LM_API int lm_engine_explain(lm_match *out, size_t out_size, lm_engine *engine,
                             const lm_snapshot *snap, const lm_viewer *viewer,
                             int64_t vacancy_id, int64_t candidate_id);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Region-wide views (since 1.2.0) */
/**@{*/
/** The people without any feasible vacancy (opaque; lm_engine_unmatched(), lm_unmatched_free()). Since 1.2.0. */
typedef struct lm_unmatched lm_unmatched;

/** Binding values that are not a constraint (lm_unmatched_person::binding). Since 1.2.0. */
enum lm_binding {
    LM_BINDING_SEVERAL = -1,    /**< every vacancy fails by two or more constraints */
    LM_BINDING_NO_VACANCY = -2  /**< the run has no open vacancy at all */
};

/**
 * One person with no feasible vacancy. The binding constraint: among the
 * vacancies that fail for this person by exactly one constraint, the
 * constraint that fails most often (ties: the lowest number), so lifting it
 * alone would open the most vacancies; ::LM_BINDING_SEVERAL if every vacancy
 * fails by two or more. Read with an element size; grows at the end.
 */
typedef struct lm_unmatched_person {
    int64_t candidate_id; /**< the person */
    uint32_t groups;      /**< the person's target-group bitmask */
    int32_t binding;      /**< ::lm_constraint, or an ::lm_binding value */
    uint32_t opened;      /**< vacancies that fail by the binding constraint alone (0 for the ::lm_binding values) */
    uint32_t failed_all;  /**< bit c: constraint c fails for every vacancy of the run */
    uint32_t failed_any;  /**< bit c: constraint c fails for at least one vacancy */
    uint32_t reserved;    /**< 0 */
} lm_unmatched_person;

/** The unmatched counted by binding constraint and target group. Read with an element size. */
typedef struct lm_unmatched_cell {
    int32_t binding;  /**< ::lm_constraint, or an ::lm_binding value */
    uint32_t group;   /**< one target-group bit (a person in several groups counts in each), or 0: everyone once */
    uint64_t people;  /**< persons */
} lm_unmatched_cell;

/** Numbers about a view (lm_unmatched_stat()). */
enum lm_unmatched_stat {
    LM_UNMATCHED_STAT_PEOPLE = 0,    /**< persons examined: visible, not left out by the proposal history */
    LM_UNMATCHED_STAT_VACANCIES = 1, /**< vacancies of the run: open, of the region, not full */
    LM_UNMATCHED_STAT_UNMATCHED = 2, /**< persons without any feasible vacancy */
    LM_UNMATCHED_STAT_SECONDS = 3,   /**< wall time */
    LM_UNMATCHED_STAT_THREADS = 4    /**< worker threads used */
};

/**
 * @brief The people with no feasible vacancy at all, each with the
 * constraint that binds (see ::lm_unmatched_person), counted by binding
 * constraint and target group (docs/concepts.md, "Region-wide views").
 *
 * The people and vacancies are those of lm_engine_batch() with the same
 * options (visible to @p viewer; vacancies open, of
 * lm_batch_options::vacancy_region, not full under the engine's history;
 * people placed or in progress left out), and feasible means exactly what it
 * means there, the history's exclusions of pairs included. Exact: every pair
 * is examined, on the engine's threads. Vacancy-wide constraints (closed,
 * no slots, full) therefore never bind; the history's pair constraints
 * (::LM_CONSTRAINT_COOLDOWN, ::LM_CONSTRAINT_IN_PROGRESS) can.
 * @param out receives the view; NULL on error. Free with lm_unmatched_free().
 * @param engine the engine (policy, travel, history, threads).
 * @param snap the snapshot.
 * @param viewer who is asking.
 * @param options NULL means ::LM_BATCH_OPTIONS_INIT (the k's do not apply).
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_INVALID (struct sizes), ::LM_ERR_RANGE,
 * ::LM_ERR_CANCELLED (progress callback), ::LM_ERR_NOMEM; details in lm_engine_errmsg().
 * @since 1.2.0
 */
LM_API int lm_engine_unmatched(lm_unmatched **out, lm_engine *engine, const lm_snapshot *snap,
                               const lm_viewer *viewer, const lm_batch_options *options);
/**
 * @brief Free a view. NULL is accepted.
 * @param view the view, or NULL.
 * @since 1.2.0
 */
LM_API void lm_unmatched_free(lm_unmatched *view);
/**
 * @brief Copy the unmatched persons, ordered by candidate id.
 * @param out caller buffer for up to @p capacity persons (may be NULL if 0).
 * @param elem_size sizeof(lm_unmatched_person) as the caller knows it (>= its 1.2 size).
 * @param capacity number of persons @p out can hold.
 * @param out_needed receives the number of unmatched persons (may be NULL).
 * @param view the view.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_INVALID (elem_size), ::LM_ERR_BUFFER
 * (capacity too small: nothing copied, *out_needed set).
 * @since 1.2.0
 */
LM_API int lm_unmatched_people(lm_unmatched_person *out, size_t elem_size, size_t capacity, size_t *out_needed,
                               const lm_unmatched *view);
/**
 * @brief Copy the counts by binding constraint and target group: cells with
 * at least one person, ordered by binding (ascending, the ::lm_binding values
 * first), then group (0 first, then by bit).
 * @param out caller buffer for up to @p capacity cells (may be NULL if 0).
 * @param elem_size sizeof(lm_unmatched_cell) as the caller knows it.
 * @param capacity number of cells @p out can hold.
 * @param out_needed receives the number of cells (may be NULL).
 * @param view the view.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_INVALID (elem_size), ::LM_ERR_BUFFER.
 * @since 1.2.0
 */
LM_API int lm_unmatched_cells(lm_unmatched_cell *out, size_t elem_size, size_t capacity, size_t *out_needed,
                              const lm_unmatched *view);
/**
 * @brief A number about the view (::lm_unmatched_stat).
 * @param out receives the number.
 * @param view the view.
 * @param stat an ::lm_unmatched_stat.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (unknown stat).
 * @since 1.2.0
 */
LM_API int lm_unmatched_stat(double *out, const lm_unmatched *view, int32_t stat);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Results */
/**@{*/

/** Numbers about a result (lm_results_stat()). */
enum lm_stat {
    LM_STAT_PAIRS_SCORED = 0,   /**< pairs examined: visible candidates x open vacancies, less
                                     those skipped whole by travel pruning */
    LM_STAT_PAIRS_FEASIBLE = 1, /**< pairs found feasible among those that could still enter a
                                     top-k list (pairs ruled out by the score bound are not counted) */
    LM_STAT_SECONDS = 2,        /**< wall time of the query */
    LM_STAT_POLICY_VERSION = 3, /**< ::LM_POLICY_VERSION of the policy used */
    LM_STAT_SNAPSHOT_VERSION = 4, /**< lm_snapshot_version() of the snapshot queried */
    LM_STAT_THREADS = 5,        /**< worker threads used */
    LM_STAT_KERNEL = 6,         /**< ::lm_kernel used (::LM_KERNEL_SCALAR for the generic path of non-dot competence models) */
    LM_STAT_COMPETENCE_MODEL = 7, /**< ::lm_competence_model used (since 1.1.0) */
    LM_STAT_HISTORY_EXCLUDED = 8  /**< list entries the proposal history excluded (since 1.1.0) */
};

/**
 * @brief Free results. NULL is accepted.
 * @param results the results, or NULL.
 */
LM_API void lm_results_free(lm_results *results);

/**
 * @brief Number of lists in a direction (vacancies or candidates queried,
 * including those with no match).
 * @param out receives the number of lists.
 * @param results the results.
 * @param dir an ::lm_direction.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE.
 */
LM_API int lm_results_lists(size_t *out, const lm_results *results, int32_t dir);

/**
 * @brief Id of list @p index and where its rows are.
 * @param out receives the vacancy (or candidate) id.
 * @param out_first receives the index of its first row, may be NULL.
 * @param out_len receives its number of rows, may be NULL.
 * @param results the results.
 * @param dir an ::lm_direction.
 * @param index 0 .. lists - 1 (lm_results_lists()).
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE.
 */
LM_API int lm_results_list(int64_t *out, size_t *out_first, size_t *out_len,
                           const lm_results *results, int32_t dir, size_t index);

/**
 * @brief Total rows (matches) in a direction.
 * @param out receives the number of rows.
 * @param results the results.
 * @param dir an ::lm_direction.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE.
 */
LM_API int lm_results_count(size_t *out, const lm_results *results, int32_t dir);

/**
 * @brief Copy rows [first, first + capacity) (or fewer at the end) of a
 * direction, ordered by list then rank, with their explanations.
 * @param out caller buffer for up to @p capacity rows.
 * @param elem_size sizeof(lm_match) as the caller knows it.
 * @param capacity number of rows @p out can hold.
 * @param out_copied receives the number of rows copied, may be NULL.
 * @param results the results.
 * @param dir an ::lm_direction.
 * @param first index of the first row to copy.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_INVALID (elem_size), ::LM_ERR_RANGE.
 */
LM_API int lm_results_copy(lm_match *out, size_t elem_size, size_t capacity, size_t *out_copied,
                           const lm_results *results, int32_t dir, size_t first);

/**
 * @brief A number about the results (::lm_stat).
 * @param out receives the number.
 * @param results the results.
 * @param stat an ::lm_stat.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (unknown stat).
 */
LM_API int lm_results_stat(double *out, const lm_results *results, int32_t stat);

/**
 * @brief The number of feasible vacancies of a candidate in a batch made
 * with ::LM_ENGINE_COUNT_FEASIBLE on: the vacancies of the batch that pass
 * every filter with this person, the history's pair exclusions included
 * (not only those in the top-k).
 * @param out receives the count.
 * @param results results of lm_engine_batch().
 * @param candidate_id a candidate with a list in the results.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_STATE (not a batch with the option
 * on), ::LM_ERR_UNKNOWN_ID (no list for this candidate).
 * @since 1.2.0
 */
LM_API int lm_results_feasible_count(uint32_t *out, const lm_results *results, int64_t candidate_id);
/**@}*/

#ifdef __cplusplus
}
#endif
#endif /* LIBMATCH_CORE_H */
