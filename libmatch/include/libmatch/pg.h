/**
 * @file pg.h
 * @brief Shared pools in PostgreSQL: schema, loading (full or incremental),
 *        travel matrices, and writing whole runs atomically (libpq, binary COPY).
 *
 * Included by libmatch.h. Object: ::lm_db, one database connection.
 * Thread safety: an ::lm_db is used by one thread at a time (libpq rule).
 * Identifiers are quoted by libpq; values are never spliced into SQL.
 * The schema and the run lifecycle are documented in docs/postgresql.md.
 * @since 1.0.0
 */
#ifndef LIBMATCH_PG_H
#define LIBMATCH_PG_H

#include "libmatch/core.h"
#include "libmatch/assign.h"
#include "libmatch/process.h"
#include "libmatch/outcomes.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One PostgreSQL connection with its schema settings and last error (opaque; lm_db_open(), lm_db_close()). */
typedef struct lm_db lm_db;
struct pg_conn; /* libpq's PGconn */

/**
 * @brief Connect with a libpq conninfo string or URI; NULL or "" uses the
 * standard PG* environment variables.
 * @param out receives the connection handle (see ::LM_ERR_DB below).
 * @param conninfo a libpq conninfo string or URI, NULL or "".
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_DB (the server's or libpq's message
 * in lm_db_errmsg(), also when the connection failed: *out is then set so the
 * message can be read, and must be closed), ::LM_ERR_NOMEM.
 */
LM_API int lm_db_open(lm_db **out, const char *conninfo);

/**
 * @brief Use a connection the caller opened; lm_db_close() will not close it.
 * @param out receives the handle; set to NULL on error.
 * @param conn the caller's libpq connection (a PGconn *); it must outlive the handle.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_STATE (connection not ok), ::LM_ERR_NOMEM.
 */
LM_API int lm_db_wrap(lm_db **out, struct pg_conn *conn);

/**
 * @brief Close (if opened by lm_db_open()) and free. NULL is accepted.
 * @param db the handle, or NULL.
 */
LM_API void lm_db_close(lm_db *db);

/**
 * @brief Detailed message of the last failing call, with the server's text.
 * @param db the handle, or NULL.
 * @return a string owned by the handle, valid until the next call on it; ""
 * if none; a static string if @p db is NULL.
 */
LM_API const char *lm_db_errmsg(const lm_db *db);

/**
 * @brief Use another schema than "libmatch" (any name: it is quoted).
 * @param db the handle.
 * @param schema the schema's name, 1..63 bytes.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (empty, longer than 63 bytes
 * or with control characters).
 */
LM_API int lm_db_set_schema(lm_db *db, const char *schema);

/** Source tables that lm_db_set_table() can redirect (::lm_db_table). */
enum lm_db_table {
    LM_DB_CANDIDATES = 0,  /**< default "candidates" */
    LM_DB_VACANCIES = 1,   /**< default "vacancies" */
    LM_DB_TRAVEL_TIMES = 2 /**< default "travel_times" */
};

/**
 * @brief Read (and write) one side from another table or view of the schema,
 * e.g. a host's view with its own filters. It must have the columns of the
 * default table (docs/postgresql.md); writes need a unique index on id.
 * @param db the handle.
 * @param table ::lm_db_table.
 * @param name any name (it is quoted), NULL for the default.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (unknown table; name empty,
 * longer than 63 bytes or with control characters), ::LM_ERR_NOMEM.
 * On error the setting is unchanged.
 * @since 1.0.0
 */
LM_API int lm_db_set_table(lm_db *db, int32_t table, const char *name);

/**
 * @brief Report progress of long loads and writes through @p fn (NULL: none).
 * A non-zero return cancels; the operation then changes nothing.
 * @param db the handle.
 * @param fn the callback, called on the calling thread; NULL for none.
 * @param user passed to @p fn as its first argument.
 * @return ::LM_OK, ::LM_ERR_NULL.
 */
LM_API int lm_db_set_progress(lm_db *db, lm_progress_fn fn, void *user);

/**
 * @brief Create the schema, or upgrade it from any earlier version, in one
 * transaction.
 * @param db the handle.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_DB, ::LM_ERR_STATE (the database has
 * a newer schema version than this library knows).
 */
LM_API int lm_db_init(lm_db *db);

/**
 * @brief The schema version in the database (0 if none).
 * @param out receives the version.
 * @param db the handle.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_DB, ::LM_ERR_STATE (inside a transaction).
 */
LM_API int lm_db_schema_version(int32_t *out, lm_db *db);

/**
 * @brief Dimension of the stored competence vectors (of one live candidate,
 * else one live vacancy), so a host can create the pool for lm_db_load_pool().
 * @param out receives the dimension, 0 when both tables have no live row.
 * @param db the handle.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_DB, ::LM_ERR_FORMAT (a vector
 * length not a multiple of 4), ::LM_ERR_STATE (inside a transaction).
 * @since 1.0.0
 */
LM_API int lm_db_vector_dim(uint32_t *out, lm_db *db);

/**
 * @brief The distinct labour-market regions of the live vacancies, ascending
 * (e.g. to run the nightly batch once per region as that region's WSP).
 * @param out caller buffer for up to @p capacity regions (may be NULL if 0).
 * @param capacity number of regions @p out can hold.
 * @param out_needed receives the number of regions (may be NULL).
 * @param db the handle.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_DB, ::LM_ERR_STATE (inside a
 * transaction), ::LM_ERR_BUFFER (capacity too small: nothing copied, needed
 * size set).
 * @since 1.0.0
 */
LM_API int lm_db_regions(int32_t *out, size_t capacity, size_t *out_needed, lm_db *db);

/**
 * @brief Load candidates and vacancies into @p pool.
 * @param out_watermark receives the watermark to pass next time.
 * @param db the handle.
 * @param pool the pool to update; its dimension must match the stored vectors.
 * @param since 0 for a full load (afterwards the pool holds exactly the
 *        tables' live rows), or a watermark from an earlier load: only rows
 *        changed since then are read, with deletions (tombstones) applied.
 * All changes are applied as one atomic pool update: on any error (bad row,
 * lost connection, cancel) the pool is unchanged. A bad row's id is in the
 * message.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_DB, ::LM_ERR_FORMAT (bad row),
 * ::LM_ERR_DIMENSION, the pool's validation statuses, ::LM_ERR_CANCELLED, ::LM_ERR_NOMEM.
 */
LM_API int lm_db_load_pool(int64_t *out_watermark, lm_db *db, lm_pool *pool, int64_t since);

/**
 * @brief Load the travel_times table into @p travel (one matrix per mode
 * present). Rows are checked first; on error the model is unchanged (only
 * running out of memory between two modes could leave the earlier mode
 * replaced). A bad row is named in the message.
 * @param db the handle.
 * @param travel the travel model (not yet attached to an engine).
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_DB, ::LM_ERR_FORMAT, ::LM_ERR_RANGE,
 * ::LM_ERR_DUPLICATE (a pair twice), ::LM_ERR_LIMIT, ::LM_ERR_STATE,
 * ::LM_ERR_CANCELLED, ::LM_ERR_NOMEM.
 */
LM_API int lm_db_load_travel(lm_db *db, lm_travel *travel);

/**
 * @brief Upsert candidates (or vacancies) into the tables, in one transaction.
 * Rows are validated as by lm_pool_add_candidates() first (@p dim must match
 * the vectors). Used by `lmatch db seed-demo` and host applications.
 * @param db the handle.
 * @param cols the columns, each holding @p n values (cols->dim gives the vector length).
 * @param n number of rows.
 * @return ::LM_OK, ::LM_ERR_NULL, the pool's validation statuses, ::LM_ERR_DB,
 * ::LM_ERR_STATE (inside a transaction), ::LM_ERR_CANCELLED, ::LM_ERR_NOMEM.
 */
LM_API int lm_db_write_candidates(lm_db *db, const lm_candidate_cols *cols, size_t n);
/**
 * @brief Upsert vacancies; see lm_db_write_candidates().
 * @param db the handle.
 * @param cols the columns, each holding @p n values.
 * @param n number of rows.
 * @return as lm_db_write_candidates().
 */
LM_API int lm_db_write_vacancies(lm_db *db, const lm_vacancy_cols *cols, size_t n);

/** Run metadata for lm_db_write_run(). Initialise with ::LM_RUN_INFO_INIT. */
typedef struct lm_run_info {
    size_t struct_size; /**< sizeof(lm_run_info), set by ::LM_RUN_INFO_INIT */
    const char *label;  /**< free text, may be NULL */
    int32_t region;     /**< the run's region, 0 = all */
    int32_t reserved;   /**< 0 */
} lm_run_info;
/** Initialiser of ::lm_run_info: no label, region 0. */
#define LM_RUN_INFO_INIT {sizeof(lm_run_info), NULL, 0, 0}

/**
 * @brief Write a run: a match_runs row, every result row of both directions
 * and the proposals of @p assignment (may be NULL), in one transaction; the
 * run is marked complete only at the end, so readers see a whole run or none.
 * @param out_run_id receives the new run id.
 * @param db the handle.
 * @param results from lm_engine_batch() (or a query).
 * @param assignment proposals computed from @p results, or NULL.
 * @param info run metadata, NULL for ::LM_RUN_INFO_INIT.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_DB, ::LM_ERR_CANCELLED, ::LM_ERR_NOMEM.
 */
LM_API int lm_db_write_run(int64_t *out_run_id, lm_db *db, const lm_results *results,
                           const lm_assignment *assignment, const lm_run_info *info);

/**
 * One part of a run for lm_db_write_run_parts(): the results of one batch
 * (e.g. one region as seen by its WSP) and optionally its proposals.
 * Arrays of it are passed with an element size. Initialise with ::LM_RUN_PART_INIT.
 */
typedef struct lm_run_part {
    size_t struct_size;              /**< sizeof(lm_run_part), set by ::LM_RUN_PART_INIT */
    const lm_results *results;       /**< required */
    const lm_assignment *assignment; /**< optional proposals of these results */
    int32_t region;                  /**< stored in every row of the part (0 = all) */
    int32_t reserved;                /**< 0 */
} lm_run_part;
/** Initialiser of ::lm_run_part: no results yet, region 0. */
#define LM_RUN_PART_INIT {sizeof(lm_run_part), NULL, NULL, 0, 0}

/**
 * @brief Write one run made of several parts (e.g. one batch per region) in
 * one transaction, like lm_db_write_run(): a reader sees the whole run or none.
 * @param out_run_id receives the new run id (only on success).
 * @param db the handle.
 * @param parts @p n parts, each @p elem_size bytes (sizeof(lm_run_part)).
 * @param elem_size sizeof(lm_run_part) as the caller knows it.
 * @param n number of parts, at least 1.
 * @param info run metadata, NULL for ::LM_RUN_INFO_INIT.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_INVALID (elem_size, struct_size, n = 0),
 * ::LM_ERR_STATE (connection inside a transaction), ::LM_ERR_DB,
 * ::LM_ERR_CANCELLED, ::LM_ERR_NOMEM. On error nothing is written.
 * @since 1.0.0
 */
LM_API int lm_db_write_run_parts(int64_t *out_run_id, lm_db *db, const lm_run_part *parts, size_t elem_size,
                                 size_t n, const lm_run_info *info);

/* ------------------------------------------------------------------------ */
/** @name The proposal lifecycle (schema version 2; docs/postgresql.md, docs/lifecycle.md) */
/**@{*/

/**
 * @brief Read every proposal of the proposal_state table into a new history,
 * for lm_engine_set_history() (so the nightly batch honours rejections,
 * placements and introductions).
 * @param out receives the history (free with lm_history_free()); NULL on error.
 * @param db the handle.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_DB, ::LM_ERR_STATE (inside a
 * transaction, or schema older than version 2: run lm_db_init()),
 * ::LM_ERR_FORMAT (a stored row the history refuses), ::LM_ERR_NOMEM.
 * @since 1.1.0
 */
LM_API int lm_db_load_history(lm_history **out, lm_db *db);

/**
 * A status change for lm_db_set_status(). Initialise with
 * ::LM_STATUS_CHANGE_INIT; the struct only grows at the end.
 * @since 1.1.0
 */
typedef struct lm_status_change {
    size_t struct_size;       /**< sizeof(lm_status_change), set by ::LM_STATUS_CHANGE_INIT */
    int64_t proposal_id;      /**< the proposal, > 0 */
    int32_t status;           /**< the new ::lm_proposal_status */
    int32_t reason;           /**< ::lm_reason [LM_REASON_NONE] */
    int64_t by_org;           /**< the acting organisation, >= 0 (0 = the system); takes the lead when introducing */
    int64_t expected_version; /**< the version the caller read (lm_proposal_row::version), or -1 for the version read in the same call */
    int32_t day;              /**< day number (days since 1970-01-01) of the change, 0 = the server's today */
    int32_t reserved;         /**< 0 */
} lm_status_change;
/** Initialiser of ::lm_status_change: no proposal, status proposed (never a legal target), any version, today. */
#define LM_STATUS_CHANGE_INIT {sizeof(lm_status_change), 0, 0, 0, 0, -1, 0, 0}

/**
 * @brief Change the status of one proposal, with optimistic versioning: the
 * change applies only if the stored version still equals the expected one;
 * the version then grows by one. Moving to introduced sets the lead
 * organisation to @p change->by_org. The change is recorded in
 * proposal_events and access_log (action "status"), in one transaction.
 * @param db the handle.
 * @param change the change.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_INVALID (struct_size), ::LM_ERR_RANGE
 * (proposal id <= 0, unknown status or reason, by_org < 0, expected_version <
 * -1, day < 0), ::LM_ERR_UNKNOWN_ID (no such proposal), ::LM_ERR_STATE (the
 * lifecycle forbids the transition; inside a transaction; schema older than
 * 2), ::LM_ERR_CONFLICT (the version changed: someone else changed the
 * proposal first), ::LM_ERR_DB. On error nothing changed.
 * @since 1.1.0
 */
LM_API int lm_db_set_status(lm_db *db, const lm_status_change *change);

/**
 * @brief Apply @p n status changes atomically, in order (a later change of
 * the same proposal sees the earlier one): all or, on any error, none. The
 * message names the failing element. The progress callback
 * (lm_db_set_progress()) is called between changes.
 * @param db the handle.
 * @param changes @p n changes, each @p elem_size bytes.
 * @param elem_size sizeof(lm_status_change) as the caller knows it.
 * @param n number of changes, 1..::LM_MAX_BATCH.
 * @return as lm_db_set_status(), plus ::LM_ERR_INVALID (elem_size, n = 0),
 * ::LM_ERR_LIMIT, ::LM_ERR_CANCELLED.
 * @since 1.1.0
 */
LM_API int lm_db_set_status_batch(lm_db *db, const lm_status_change *changes, size_t elem_size, size_t n);

/**
 * @brief Record in access_log that organisation @p viewer_org saw or used a
 * pair or proposal (e.g. `lmatch query` logs every match it shows).
 * @param db the handle.
 * @param viewer_org the viewing organisation, >= 0.
 * @param action what happened: 1..32 characters a-z, 0-9 or '_' (e.g. "query").
 * @param vacancy_id the vacancy shown, 0 = none.
 * @param candidate_id the person shown, 0 = none.
 * @param proposal_id the proposal, 0 = none (>= 0).
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (viewer_org or proposal_id
 * negative, bad action), ::LM_ERR_STATE (inside a transaction; schema older
 * than 2), ::LM_ERR_DB.
 * @since 1.1.0
 */
LM_API int lm_db_log_access(lm_db *db, int64_t viewer_org, const char *action, int64_t vacancy_id,
                            int64_t candidate_id, int64_t proposal_id);

/** Which proposals lm_db_proposals() lists. Initialise with ::LM_PROPOSAL_FILTER_INIT. @since 1.1.0 */
typedef struct lm_proposal_filter {
    size_t struct_size;  /**< sizeof(lm_proposal_filter), set by ::LM_PROPOSAL_FILTER_INIT */
    int64_t run_id;      /**< only the proposals of this run; 0 = every proposal, -1 = the latest complete run */
    int32_t status;      /**< only this ::lm_proposal_status; -1 = any */
    int32_t reserved;    /**< 0 */
    int64_t org;         /**< only proposals whose person belongs to, or whose lead is, this organisation; 0 = any */
    int64_t proposal_id; /**< only this proposal; 0 = any */
    int64_t viewer_org;  /**< if > 0, one access_log row (action "list") records who listed */
} lm_proposal_filter;
/** Initialiser of ::lm_proposal_filter: every proposal, any status. */
#define LM_PROPOSAL_FILTER_INIT {sizeof(lm_proposal_filter), 0, -1, 0, 0, 0, 0}

/** One proposal as listed by lm_db_proposals() (valid during the callback only). @since 1.1.0 */
typedef struct lm_proposal_row {
    size_t struct_size;   /**< sizeof(lm_proposal_row) as the library knows it */
    int64_t proposal_id;  /**< the proposal's stable id */
    int64_t run_id;       /**< the filter's run, else the last run that proposed it */
    int64_t vacancy_id;   /**< the vacancy */
    int64_t candidate_id; /**< the person */
    int64_t owner_org;    /**< the person's organisation when first proposed */
    int64_t lead_org;     /**< the organisation that introduced the person, 0 = none */
    int32_t status;       /**< ::lm_proposal_status */
    int32_t reason;       /**< ::lm_reason of the last change */
    int32_t version;      /**< for lm_status_change::expected_version */
    int32_t day;          /**< day number of the last status change */
    int64_t first_run_id; /**< the run that created it */
    int64_t last_run_id;  /**< the last run that proposed it */
    float score;          /**< the score in the filter's run (else the last run); NaN if unknown */
    int32_t reserved;     /**< 0 */
} lm_proposal_row;

/** Callback of lm_db_proposals(); non-zero stops the listing (::LM_ERR_CANCELLED). @since 1.1.0 */
typedef int (*lm_proposal_fn)(void *user, const lm_proposal_row *row);

/**
 * @brief List proposals, ordered by proposal id, calling @p fn for each.
 * @param out_count receives the number of rows passed to @p fn (may be NULL).
 * @param db the handle.
 * @param filter which proposals, NULL for all.
 * @param fn called once per row, on the calling thread.
 * @param user passed to @p fn.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_INVALID (struct_size), ::LM_ERR_RANGE
 * (run_id < -1, status, org, proposal_id or viewer_org out of range),
 * ::LM_ERR_UNKNOWN_ID (no such run, or no complete run for -1), ::LM_ERR_STATE
 * (inside a transaction; schema older than 2), ::LM_ERR_CANCELLED, ::LM_ERR_DB.
 * @since 1.1.0
 */
LM_API int lm_db_proposals(size_t *out_count, lm_db *db, const lm_proposal_filter *filter, lm_proposal_fn fn,
                           void *user);

/**
 * @brief Number of proposals per status.
 * @param out receives @p capacity counts, out[s] for ::lm_proposal_status s (8 statuses).
 * @param capacity entries in @p out (at most 8 are written, the rest set to 0).
 * @param db the handle.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_STATE, ::LM_ERR_DB.
 * @since 1.1.0
 */
LM_API int lm_db_proposal_counts(int64_t *out, size_t capacity, lm_db *db);

/** Kinds of run changes (run_changes.kind). Values fixed forever. @since 1.1.0 */
enum lm_change_kind {
    LM_CHANGE_NEW_IN_TOPK = 0,     /**< the pair is in a top-k list now, not in the previous run */
    LM_CHANGE_DROPPED_FROM_TOPK = 1,/**< the pair was in a list of the previous run, not now */
    LM_CHANGE_BECAME_FEASIBLE = 2, /**< the person had no list entries in the previous run and has some now (vacancy_id 0) */
    LM_CHANGE_PROPOSAL_GONE = 3    /**< proposed in the previous run, not in this one; reason says why */
};

/** One run change as listed by lm_db_run_changes() (valid during the callback only). @since 1.1.0 */
typedef struct lm_run_change {
    size_t struct_size;   /**< sizeof(lm_run_change) as the library knows it */
    int64_t run_id;       /**< the run whose changes these are */
    int64_t prev_run_id;  /**< the previous complete run of the same region */
    int64_t vacancy_id;   /**< 0 for ::LM_CHANGE_BECAME_FEASIBLE */
    int64_t candidate_id; /**< the person */
    int64_t proposal_id;  /**< ::LM_CHANGE_PROPOSAL_GONE: the earlier proposal, else 0 */
    int32_t kind;         /**< ::lm_change_kind */
    int32_t reserved;     /**< 0 */
    const char *reason;   /**< ::LM_CHANGE_PROPOSAL_GONE: e.g. "rejected", "placed elsewhere", "vacancy full",
                               "no longer proposed"; else "" */
} lm_run_change;

/** Callback of lm_db_run_changes(); non-zero stops (::LM_ERR_CANCELLED). @since 1.1.0 */
typedef int (*lm_run_change_fn)(void *user, const lm_run_change *change);

/**
 * @brief What changed in a run against the previous complete run of the same
 * region (computed when the run was written): ordered by kind, vacancy, person.
 * @param out_run_id receives the run listed (useful with @p run_id 0; may be NULL).
 * @param out_prev_run_id receives the run it was compared with, 0 when there
 *        was no earlier complete run of its region (so no changes does not
 *        mean nothing changed); may be NULL.
 * @param db the handle.
 * @param run_id the run, 0 = the latest complete run.
 * @param fn called once per change, on the calling thread.
 * @param user passed to @p fn.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (run_id < 0), ::LM_ERR_UNKNOWN_ID
 * (no such complete run), ::LM_ERR_STATE, ::LM_ERR_CANCELLED, ::LM_ERR_DB.
 * @since 1.1.0
 */
LM_API int lm_db_run_changes(int64_t *out_run_id, int64_t *out_prev_run_id, lm_db *db, int64_t run_id,
                             lm_run_change_fn fn, void *user);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Outcomes: placements and effect figures (schema version 3; docs/postgresql.md, docs/outcomes.md) */
/**@{*/

/**
 * Start data of a placement for lm_db_place(). Initialise with
 * ::LM_PLACEMENT_START_INIT; the struct only grows at the end.
 * @since 1.2.0
 */
typedef struct lm_placement_start {
    size_t struct_size; /**< sizeof(lm_placement_start), set by ::LM_PLACEMENT_START_INIT */
    int32_t start_day;  /**< day number the placement starts, 0 = the day of the status change; not before the proposal was made */
    float hours;        /**< hours per week, 0..80 (0 = unknown) */
    int32_t contract;   /**< ::lm_contract [LM_CONTRACT_REGULAR] */
    int32_t lks;        /**< 1 if loonkostensubsidie applies, else 0 */
    int32_t reserved;   /**< 0 */
} lm_placement_start;
/** Initialiser of ::lm_placement_start: starts on the day of the change, hours unknown, regular, no lks. */
#define LM_PLACEMENT_START_INIT {sizeof(lm_placement_start), 0, 0.f, LM_CONTRACT_REGULAR, 0, 0}

/**
 * @brief Set a proposal to placed and record its placement's start, in one
 * transaction: the status change as lm_db_set_status() makes it (versioning,
 * proposal_events, access_log) and a placements row. @p change->status must
 * be ::LM_PROPOSAL_PLACED.
 * @param db the handle.
 * @param change the status change (status placed).
 * @param start the start data, NULL for ::LM_PLACEMENT_START_INIT.
 * @return as lm_db_set_status(), plus ::LM_ERR_INVALID (start struct_size),
 * ::LM_ERR_RANGE (status not placed, start_day < 0 or before the proposal was
 * made, hours NaN or outside 0..80, unknown contract, lks not 0/1),
 * ::LM_ERR_STATE (schema older than 3: run lm_db_init()). On error nothing changed.
 * @since 1.2.0
 */
LM_API int lm_db_place(lm_db *db, const lm_status_change *change, const lm_placement_start *start);

/**
 * @brief Record the end of a placement. A placed proposal without start data
 * (placed through lm_db_set_status()) gets a placement that started on its
 * status day. Logged in access_log (action "placement_end", viewer 0).
 * @param db the handle.
 * @param proposal_id the placed proposal, > 0.
 * @param end_day day number the placement ended, 0 = the server's today; not before its start.
 * @param reason ::lm_end_reason, not ::LM_END_NONE.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (proposal_id <= 0, end_day < 0
 * or before the start, reason unknown or none), ::LM_ERR_UNKNOWN_ID (no such
 * proposal), ::LM_ERR_STATE (not placed; already ended; inside a transaction;
 * schema older than 3), ::LM_ERR_DB. On error nothing changed.
 * @since 1.2.0
 */
LM_API int lm_db_placement_end(lm_db *db, int64_t proposal_id, int32_t end_day, int32_t reason);

/**
 * @brief Read the history of outcomes for lm_effects_compute(): every person
 * (view outcome_persons: the live candidates and every removed one who was
 * ever proposed) and every proposal (view outcome_records) with its days,
 * placement data, the vacancy's municipality and kind. Both arrays are
 * ordered by id. Read in one snapshot.
 * @param db the handle.
 * @param persons receives the persons (free with lm_db_outcomes_free()); NULL on error.
 * @param npersons receives their number.
 * @param records receives the records; NULL on error.
 * @param nrecords receives their number.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_STATE (inside a transaction; schema
 * older than 3), ::LM_ERR_FORMAT (a stored value out of range), ::LM_ERR_LIMIT,
 * ::LM_ERR_DB, ::LM_ERR_NOMEM.
 * @since 1.2.0
 */
LM_API int lm_db_outcomes(lm_db *db, lm_outcome_person **persons, size_t *npersons, lm_outcome_record **records,
                          size_t *nrecords);
/**
 * @brief Free what lm_db_outcomes() returned (NULLs accepted).
 * @param persons the persons array, or NULL.
 * @param records the records array, or NULL.
 * @since 1.2.0
 */
LM_API void lm_db_outcomes_free(lm_outcome_person *persons, lm_outcome_record *records);

/**
 * @brief The effect figures as the database computes them (SQL function
 * effect_figures(), the same definitions as lm_effects_compute()), rows
 * ordered by dim, then key; a NULL figure (suppressed or undefined) is NaN.
 * @param out receives the rows (free with lm_db_effects_free()); NULL on error.
 * @param nrows receives their number.
 * @param db the handle.
 * @param from_day first day of the period (>= 0).
 * @param to_day last day (>= from_day).
 * @param as_of_day day the figures are taken (>= to_day).
 * @param threshold small-numbers threshold, 1..1000.
 * @return ::LM_OK, ::LM_ERR_NULL, ::LM_ERR_RANGE (days, threshold),
 * ::LM_ERR_STATE (inside a transaction; schema older than 3), ::LM_ERR_DB, ::LM_ERR_NOMEM.
 * @since 1.2.0
 */
LM_API int lm_db_effects(lm_effect_row **out, size_t *nrows, lm_db *db, int32_t from_day, int32_t to_day,
                         int32_t as_of_day, int32_t threshold);
/**
 * @brief Free what lm_db_effects() returned (NULL accepted).
 * @param rows the rows, or NULL.
 * @since 1.2.0
 */
LM_API void lm_db_effects_free(lm_effect_row *rows);
/**@}*/

#ifdef __cplusplus
}
#endif
#endif
