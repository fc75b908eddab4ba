/**
 * @file process.h
 * @brief The matching process after a proposal: the proposal lifecycle (a
 *        state machine with reason codes) and the proposal history that the
 *        engine honours across nights (docs/lifecycle.md).
 *
 * Included by libmatch.h. Object: ::lm_history, a set of proposals with their
 * current status, given as columns like the pools (the library stays
 * database-agnostic; lm_db_load_history() fills one from PostgreSQL).
 *
 * Thread safety: the state-machine functions are pure and thread-safe. An
 * ::lm_history is filled by one thread, which also attaches it to its first
 * engine (lm_engine_set_history() builds its indexes then); from then on it is
 * read-only and may be attached to, and shared by, engines on several threads.
 * @since 1.1.0 for everything in this header.
 */
#ifndef LIBMATCH_PROCESS_H
#define LIBMATCH_PROCESS_H

#include "libmatch/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Status of a proposal. Life: proposed -> introduced (put forward to the
 * employer; the introducing organisation takes the lead) -> interview ->
 * placed; or one of the endings rejected (by the employer), declined (by the
 * person), withdrawn (by the organisation), expired (nobody acted in time).
 * Values fixed forever.
 */
enum lm_proposal_status {
    LM_PROPOSAL_PROPOSED = 0,   /**< proposed by a run, nobody acted yet */
    LM_PROPOSAL_INTRODUCED = 1, /**< put forward to the employer; the acting organisation holds the lead */
    LM_PROPOSAL_INTERVIEW = 2,  /**< job interview planned or held */
    LM_PROPOSAL_PLACED = 3,     /**< the person started (or will start) in the job */
    LM_PROPOSAL_REJECTED = 4,   /**< ended: the employer said no */
    LM_PROPOSAL_DECLINED = 5,   /**< ended: the person said no */
    LM_PROPOSAL_WITHDRAWN = 6,  /**< ended: withdrawn by the organisation (or superseded by a later run) */
    LM_PROPOSAL_EXPIRED = 7     /**< ended: nobody acted within the policy period */
};

/** Reason codes of a status change (optional; docs/lifecycle.md lists them). Values fixed forever. */
enum lm_reason {
    LM_REASON_NONE = 0,          /**< no reason given */
    LM_REASON_SKILLS = 1,        /**< competences or experience do not fit */
    LM_REASON_HOURS = 2,         /**< hours or schedule do not fit */
    LM_REASON_TRAVEL = 3,        /**< journey too long or impractical */
    LM_REASON_WAGE = 4,          /**< pay, loonwaarde or subsidy arrangement */
    LM_REASON_HEALTH = 5,        /**< health or care duties */
    LM_REASON_NOT_INTERESTED = 6,/**< the person does not want this job */
    LM_REASON_OTHER_JOB = 7,     /**< the person found other work */
    LM_REASON_FILLED = 8,        /**< the vacancy was filled otherwise */
    LM_REASON_NO_RESPONSE = 9,   /**< no answer from the employer or the person */
    LM_REASON_SUPERSEDED = 10,   /**< a later run no longer proposes the pair */
    LM_REASON_OTHER = 11         /**< another reason */
};

/**
 * @brief Whether a status change is allowed by the lifecycle (docs/lifecycle.md).
 *
 * Allowed: proposed -> introduced, rejected, declined, withdrawn, expired;
 * introduced -> interview, placed, rejected, declined, withdrawn, expired;
 * interview -> placed, rejected, declined, withdrawn, expired. Placed and the
 * four endings are final; a status never changes to itself.
 * @param from the current ::lm_proposal_status.
 * @param to the requested ::lm_proposal_status.
 * @return ::LM_OK (allowed), ::LM_ERR_STATE (not allowed), ::LM_ERR_RANGE
 * (@p from or @p to is not a status). Thread-safe.
 */
LM_API int lm_proposal_transition(int32_t from, int32_t to);

/**
 * @brief Name of a status: "proposed", "introduced", "interview", "placed",
 * "rejected", "declined", "withdrawn", "expired".
 * @param status an ::lm_proposal_status.
 * @return static string; NULL for an unknown value. Thread-safe.
 */
LM_API const char *lm_proposal_status_name(int32_t status);

/**
 * @brief Parse a status name (as lm_proposal_status_name() writes it, ASCII
 * case-insensitive).
 * @param out receives the ::lm_proposal_status.
 * @param name the name.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (unknown name). Thread-safe.
 */
LM_API int lm_proposal_status_parse(int32_t *out, const char *name);

/**
 * @brief Name of a reason code: "none", "skills", "hours", "travel", "wage",
 * "health", "not_interested", "other_job", "filled", "no_response",
 * "superseded", "other".
 * @param reason an ::lm_reason.
 * @return static string; NULL for an unknown value. Thread-safe.
 */
LM_API const char *lm_reason_name(int32_t reason);

/**
 * @brief Parse a reason name (as lm_reason_name() writes it, ASCII case-insensitive).
 * @param out receives the ::lm_reason.
 * @param name the name.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (unknown name). Thread-safe.
 */
LM_API int lm_reason_parse(int32_t *out, const char *name);

/* ------------------------------------------------------------------------ */
/** @name Proposal history */
/**@{*/

/**
 * Proposals with their current status, one pointer per column like
 * ::lm_candidate_cols. Initialise with ::LM_HISTORY_COLS_INIT; the struct only
 * grows at the end.
 */
typedef struct lm_history_cols {
    size_t struct_size;          /**< sizeof(lm_history_cols), set by ::LM_HISTORY_COLS_INIT */
    const int64_t *proposal_id;  /**< required, unique within the history */
    const int64_t *vacancy_id;   /**< required */
    const int64_t *candidate_id; /**< required */
    const int32_t *status;       /**< required ::lm_proposal_status */
    const int32_t *day;          /**< required day number (days since 1970-01-01) of the last change, >= 0 */
    const int64_t *lead_org;     /**< optional organisation holding the lead [0 = none] */
    const int32_t *reason;       /**< optional ::lm_reason of the last change [LM_REASON_NONE] */
} lm_history_cols;
/** Initialiser of ::lm_history_cols: struct_size set, every column NULL. */
#define LM_HISTORY_COLS_INIT {sizeof(lm_history_cols), NULL, NULL, NULL, NULL, NULL, NULL, NULL}

/** A set of proposals with their current status (opaque; lm_history_create(), lm_history_free()). */
typedef struct lm_history lm_history;

/**
 * @brief Create an empty history.
 * @param out receives the history; set to NULL on error.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_NOMEM. Free with lm_history_free().
 */
LM_API int lm_history_create(lm_history **out);

/**
 * @brief Free a history (an engine it is attached to keeps its own reference).
 * NULL is accepted.
 * @param history the history, or NULL.
 */
LM_API void lm_history_free(lm_history *history);

/**
 * @brief Detailed message of the last failing call on this history.
 * @param history the history, or NULL.
 * @return a string owned by the history; "" if none; a static string if NULL.
 */
LM_API const char *lm_history_errmsg(const lm_history *history);

/**
 * @brief Add @p n proposals, atomically: if any row is invalid nothing is
 * added and the message names the row (index and proposal id).
 * @param history the history (not yet attached to an engine).
 * @param cols the columns, each holding @p n values; read during the call only.
 * @param n number of rows, 0..::LM_MAX_BATCH.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_INVALID (struct_size), ::LM_ERR_RANGE
 * (status, reason or day out of range), ::LM_ERR_DUPLICATE (a proposal id
 * twice, or already present), ::LM_ERR_STATE (attached to an engine),
 * ::LM_ERR_LIMIT, ::LM_ERR_NOMEM.
 */
LM_API int lm_history_add(lm_history *history, const lm_history_cols *cols, size_t n);

/**
 * @brief Number of proposals in the history.
 * @param out receives the count.
 * @param history the history.
 * @return ::LM_OK, ::LM_ERR_NULL.
 */
LM_API int lm_history_count(size_t *out, const lm_history *history);

/**
 * @brief Let the engine's batches, assignments, queries and explanations honour
 * a proposal history (docs/lifecycle.md):
 * - a pair whose latest proposal ended rejected or declined within
 *   ::LM_POLICY_COOLDOWN_DAYS is not listed by batches nor proposed;
 * - with ::LM_POLICY_EXCLUSIVE_PROGRESS, a person introduced or in interview is
 *   not listed by batches for, nor proposed to, other vacancies;
 * - a placed person is not listed by batches nor proposed at all;
 * - a vacancy's free slots are its slots minus its placements and open
 *   introductions (introduced, interview); a full vacancy gets no proposals;
 * - lm_engine_assign() keeps an open proposed pair unless a change gains more
 *   than ::LM_POLICY_STABILITY_MARGIN;
 * - single queries list every pair with its process status and lead
 *   organisation (lm_match fields since 1.1.0), so account managers see
 *   "in progress at organisation X";
 * - lm_engine_explain() reports ::LM_CONSTRAINT_COOLDOWN,
 *   ::LM_CONSTRAINT_IN_PROGRESS, ::LM_CONSTRAINT_VACANCY_FULL and
 *   ::LM_CONSTRAINT_PLACED for a pair that passes every hard filter.
 * "Today" for the cool-down is the policy's ::LM_POLICY_AS_OF_DAY, or the
 * current UTC day when that is 0.
 * @param engine the engine.
 * @param history the history (referenced and made read-only), or NULL to
 *        detach.
 * @return ::LM_OK, ::LM_ERR_NULL (engine).
 */
LM_API int lm_engine_set_history(lm_engine *engine, lm_history *history);
/**@}*/

#ifdef __cplusplus
}
#endif
#endif /* LIBMATCH_PROCESS_H */
