/**
 * @file outcomes.h
 * @brief Outcomes: placements (what happened after a proposal was placed) and
 *        the effect figures per target group, readiness, municipality,
 *        organisation, kind of place and cross-border versus local
 *        (docs/outcomes.md defines every figure).
 *
 * The library computes the figures from plain records (lm_effects_compute()),
 * so the embedded case (the demo's simulated nights) and the database (whose
 * SQL views compute the same figures for a municipality's BI tool, schema
 * version 3) give equal numbers on the same history; the tests hold them equal.
 * Included by libmatch.h. Thread safety: the functions are pure; an
 * ::lm_effects object is read-only after lm_effects_compute() and may be read
 * from several threads.
 * @since 1.2.0 for everything in this header.
 */
#ifndef LIBMATCH_OUTCOMES_H
#define LIBMATCH_OUTCOMES_H

#include "libmatch/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Contract kind of a placement. Values fixed forever. */
enum lm_contract {
    LM_CONTRACT_REGULAR = 0,           /**< regular employment contract */
    LM_CONTRACT_GARANTIEBAAN = 1,      /**< banenafspraak job (garantiebaan) */
    LM_CONTRACT_BESCHUT = 2,           /**< beschut werk (sheltered work) */
    LM_CONTRACT_DETACHERING = 3,       /**< secondment through a (sheltered) company */
    LM_CONTRACT_WERKERVARINGSPLEK = 4, /**< work-experience place */
    LM_CONTRACT_OTHER = 5              /**< anything else */
};
/** Number of ::lm_contract values in this version. */
#define LM_CONTRACT_COUNT 6

/** Why a placement ended. Values fixed forever. */
enum lm_end_reason {
    LM_END_NONE = 0,           /**< the placement has not ended */
    LM_END_CONTRACT_ENDED = 1, /**< the contract ran out and was not renewed */
    LM_END_DISMISSED = 2,      /**< the employer ended it */
    LM_END_PERSON_LEFT = 3,    /**< the person ended it */
    LM_END_MOVED = 4,          /**< the person moved away */
    LM_END_OTHER = 5           /**< another reason */
};
/** Number of ::lm_end_reason values in this version. */
#define LM_END_REASON_COUNT 6

/**
 * @brief Name of a contract kind: "regular", "garantiebaan", "beschut",
 * "detachering", "werkervaringsplek", "other".
 * @param contract an ::lm_contract value.
 * @return static string; NULL for an unknown value. Thread-safe.
 */
LM_API const char *lm_contract_name(int32_t contract);
/**
 * @brief Name of an end reason: "none", "contract_ended", "dismissed",
 * "person_left", "moved", "other".
 * @param reason an ::lm_end_reason value.
 * @return static string; NULL for an unknown value. Thread-safe.
 */
LM_API const char *lm_end_reason_name(int32_t reason);
/**
 * @brief Parse a contract name as lm_contract_name() writes it (ASCII case-insensitive).
 * @param out receives the ::lm_contract value; unchanged on error.
 * @param name the name.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (unknown name). Thread-safe.
 */
LM_API int lm_contract_parse(int32_t *out, const char *name);
/**
 * @brief Parse an end reason as lm_end_reason_name() writes it (ASCII case-insensitive).
 * @param out receives the ::lm_end_reason value; unchanged on error.
 * @param name the name.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (unknown name). Thread-safe.
 */
LM_API int lm_end_reason_parse(int32_t *out, const char *name);

/**
 * A person in the pool, the denominator of the figures. Initialise with
 * ::LM_OUTCOME_PERSON_INIT; the struct only grows at the end.
 */
typedef struct lm_outcome_person {
    size_t struct_size;   /**< sizeof(lm_outcome_person) */
    int64_t candidate_id; /**< unique among the persons */
    int64_t org;          /**< owner organisation */
    uint32_t groups;      /**< target-group bitmask (a person counts in every group whose bit is set) */
    uint8_t readiness;    /**< 1..5 (A..E) */
    uint8_t reserved[3];  /**< 0 */
    int32_t municipality; /**< municipality of residence (CBS number) */
} lm_outcome_person;
/** Initialiser of ::lm_outcome_person. */
#define LM_OUTCOME_PERSON_INIT {sizeof(lm_outcome_person), 0, 0, 0, 1, {0, 0, 0}, 0}

/**
 * One proposal and what came of it. Days are day numbers (days since
 * 1970-01-01); -1 means "did not happen (yet)". Initialise with
 * ::LM_OUTCOME_RECORD_INIT; the struct only grows at the end.
 */
typedef struct lm_outcome_record {
    size_t struct_size;         /**< sizeof(lm_outcome_record) */
    int64_t proposal_id;        /**< unique among the records */
    int64_t candidate_id;       /**< must be one of the persons */
    int64_t vacancy_id;         /**< the vacancy */
    int64_t org;                /**< the organisation that made the proposal (the vacancy's WSP or owner) */
    int32_t work_municipality;  /**< the vacancy's municipality */
    uint8_t vacancy_kind;       /**< kind of place (core.h, lm_vacancy_kind; 0 = regular) */
    uint8_t contract;           /**< ::lm_contract of the placement (when placed) */
    uint8_t lks;                /**< 1 if loonkostensubsidie applies to the placement */
    uint8_t end_reason;         /**< ::lm_end_reason (LM_END_NONE while it lasts) */
    int32_t proposed_day;       /**< day the proposal was made, >= 0 */
    int32_t introduced_day;     /**< day it was introduced to the employer, or -1 */
    int32_t placed_day;         /**< day the placement started (start date), or -1 */
    int32_t end_day;            /**< day the placement ended, or -1 while it lasts */
    float hours;                /**< hours per week of the placement, 0 if unknown */
} lm_outcome_record;
/** Initialiser of ::lm_outcome_record: no introduction, no placement. */
#define LM_OUTCOME_RECORD_INIT {sizeof(lm_outcome_record), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, 0.f}

/** The breakdowns of the figures. Values fixed forever. */
enum lm_effect_dim {
    LM_DIM_TOTAL = 0,             /**< one row, key 0 */
    LM_DIM_GROUP = 1,             /**< key: a target-group bit (1, 2, 4, ...) */
    LM_DIM_READINESS = 2,         /**< key: 1..5 (A..E) */
    LM_DIM_HOME_MUNICIPALITY = 3, /**< key: municipality of residence */
    LM_DIM_WORK_MUNICIPALITY = 4, /**< key: the vacancy's municipality */
    LM_DIM_ORG = 5,               /**< key: the person's owner organisation */
    LM_DIM_KIND = 6,              /**< key: the vacancy kind */
    LM_DIM_CROSS_BORDER = 7,      /**< key: 0 local (work municipality = home), 1 cross-border */
    LM_DIM_FLOW = 8               /**< key: home municipality * 100000 + work municipality; a vacancy-side
                                       cell over the proposals from that home to that work municipality, so
                                       its `placed` figure is the flow of placements (diagonal: local) */
};
/** Number of ::lm_effect_dim values in this version. */
#define LM_DIM_COUNT 9

/**
 * The figures of one row (docs/outcomes.md). Counts are of distinct persons
 * within the row's cell; a person enters a vacancy-side cell (work
 * municipality, kind, cross-border, flow) through the proposals that fall in it.
 * The period [from, to] selects proposals by proposed_day.
 */
enum lm_effect_fig {
    LM_FIG_PEOPLE = 0,       /**< persons in the pool (person-side dims and total; NaN on vacancy-side dims) */
    LM_FIG_PROPOSED = 1,     /**< persons with at least one proposal in the period */
    LM_FIG_INTRODUCED = 2,   /**< of those, persons with an introduced proposal (introduced_day >= 0) */
    LM_FIG_PLACED = 3,       /**< of those, persons with a placement (placed_day >= 0) */
    LM_FIG_PLACEMENT_RATE = 4,/**< placed / proposed */
    LM_FIG_MEDIAN_DAYS = 5,  /**< median over placed persons of (first placed_day - the person's first proposed_day in the cell) */
    LM_FIG_OBSERVED_6M = 6,  /**< placements (first per person) with placed_day + 182 <= as_of */
    LM_FIG_RETAINED_6M = 7,  /**< share of those still placed at placed_day + 182 (end_day < 0 or end_day > that day) */
    LM_FIG_OBSERVED_12M = 8, /**< placements (first per person) with placed_day + 365 <= as_of */
    LM_FIG_RETAINED_12M = 9, /**< share of those still placed at placed_day + 365 */
    LM_FIG_LKS = 10          /**< placed persons whose (first) placement has loonkostensubsidie */
};
/** Number of ::lm_effect_fig values in this version. */
#define LM_FIG_COUNT 11

/** One row of figures. */
typedef struct lm_effect_row {
    int32_t dim;               /**< ::lm_effect_dim */
    uint32_t suppressed;       /**< bit f set: figure f is suppressed by the small-numbers rule (value NaN) */
    int64_t key;               /**< the cell within the dimension (see ::lm_effect_dim) */
    double value[LM_FIG_COUNT];/**< the figures (NaN: not defined or suppressed) */
} lm_effect_row;

/** Effect figures (opaque; lm_effects_compute(), lm_effects_free()). */
typedef struct lm_effects lm_effects;

/**
 * @brief Compute the effect figures.
 *
 * Small-numbers rule: a count below @p threshold (but above 0) is suppressed,
 * and so is every rate, share or median whose denominator is below it (bit in
 * lm_effect_row::suppressed, value NaN). Rows come ordered by dim, then key.
 * @param out receives the figures; NULL on error.
 * @param persons the pool's persons (ids unique); NULL only if @p npersons is 0.
 * @param npersons number of persons, at most ::LM_MAX_ROWS.
 * @param records the proposals (ids unique, candidate among the persons); NULL only if @p nrecords is 0.
 * @param nrecords number of records, at most ::LM_MAX_ROWS.
 * @param from_day first day of the period (>= 0).
 * @param to_day last day of the period (>= from_day).
 * @param as_of_day the day the figures are taken (>= to_day): retention is observed up to it.
 * @param threshold small-numbers threshold, 1..1000 (1 = no suppression; docs use 5).
 * Events after @p as_of_day count as not happened yet (an introduction,
 * placement or end dated later is ignored), so a past day gives the figures as
 * they were known then. The first placement of a person in a cell is the one
 * with the lowest placed_day, then the lowest proposal_id. Both arrays are
 * stepped by their first element's struct_size; every element must carry the
 * same. Cost O((npersons + nrecords) log) time, about 100 bytes per record.
 * @return ::LM_OK; ::LM_ERR_NULL; ::LM_ERR_INVALID (struct_size, reserved
 * bytes, a day before the one it follows: introduced or placed before
 * proposed, ended before placed, ended without a placement);
 * ::LM_ERR_DUPLICATE (two persons or two records with one id);
 * ::LM_ERR_UNKNOWN_ID (a record's candidate is not among the persons);
 * ::LM_ERR_RANGE (period days, threshold, readiness, municipality outside
 * 1..99999, vacancy kind, contract, end reason, lks, hours outside 0..168, a
 * day below -1); ::LM_ERR_NONFINITE (hours); ::LM_ERR_LIMIT (more than
 * ::LM_MAX_ROWS of either); ::LM_ERR_NOMEM. Nothing is allocated on failure;
 * lm_effects_check() gives the message.
 */
LM_API int lm_effects_compute(lm_effects **out, const lm_outcome_person *persons, size_t npersons,
                              const lm_outcome_record *records, size_t nrecords, int32_t from_day, int32_t to_day,
                              int32_t as_of_day, int32_t threshold);
/**
 * @brief Validate the input of lm_effects_compute() without computing: the
 * same status it would return for the input, and a message naming the first
 * bad argument, row and id, e.g. "effects: record 4 (proposal 17):
 * placed_day 3 before proposed_day 9"; "" when the input is valid.
 * @param msg receives the message, cut to fit and always terminated; may be NULL.
 * @param msg_cap capacity of @p msg in bytes (0: nothing written).
 * @param persons as for lm_effects_compute().
 * @param npersons as for lm_effects_compute().
 * @param records as for lm_effects_compute().
 * @param nrecords as for lm_effects_compute().
 * @param from_day as for lm_effects_compute().
 * @param to_day as for lm_effects_compute().
 * @param as_of_day as for lm_effects_compute().
 * @param threshold as for lm_effects_compute().
 * @return the status lm_effects_compute() returns for this input (never
 * ::LM_ERR_NOMEM from the computation itself). Thread-safe.
 */
LM_API int lm_effects_check(char *msg, size_t msg_cap, const lm_outcome_person *persons, size_t npersons,
                            const lm_outcome_record *records, size_t nrecords, int32_t from_day, int32_t to_day,
                            int32_t as_of_day, int32_t threshold);
/**
 * @brief Number of rows.
 * @param fx the figures (NULL accepted).
 * @return the number of rows; 0 for NULL. Thread-safe.
 */
LM_API size_t lm_effects_count(const lm_effects *fx);
/**
 * @brief One row of the figures.
 * @param fx the figures.
 * @param i row index, 0..lm_effects_count() - 1.
 * @return the row, owned by @p fx and valid until lm_effects_free(); NULL when
 * @p fx is NULL or @p i out of range. Thread-safe.
 */
LM_API const lm_effect_row *lm_effects_row(const lm_effects *fx, size_t i);
/**
 * @brief Free the figures.
 * @param fx the figures (NULL accepted).
 */
LM_API void lm_effects_free(lm_effects *fx);
/**
 * @brief Name of a dim: "total", "group", "readiness", "home_municipality",
 * "work_municipality", "org", "kind", "cross_border", "flow".
 * @param dim an ::lm_effect_dim value.
 * @return static string; NULL for an unknown value. Thread-safe.
 */
LM_API const char *lm_effect_dim_name(int32_t dim);
/**
 * @brief Name of a figure: "people", "proposed", "introduced", "placed",
 * "placement_rate", "median_days", "observed_6m", "retained_6m",
 * "observed_12m", "retained_12m", "lks".
 * @param fig an ::lm_effect_fig value.
 * @return static string; NULL for an unknown value. Thread-safe.
 */
LM_API const char *lm_effect_fig_name(int32_t fig);
/**
 * @brief Parse a dim name as lm_effect_dim_name() writes it (ASCII case-insensitive).
 * @param out receives the ::lm_effect_dim value; unchanged on error.
 * @param name the name.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (unknown name). Thread-safe.
 */
LM_API int lm_effect_dim_parse(int32_t *out, const char *name);
/**
 * @brief Parse a figure name as lm_effect_fig_name() writes it (ASCII case-insensitive).
 * @param out receives the ::lm_effect_fig value; unchanged on error.
 * @param name the name.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (unknown name). Thread-safe.
 */
LM_API int lm_effect_fig_parse(int32_t *out, const char *name);

#ifdef __cplusplus
}
#endif
#endif
