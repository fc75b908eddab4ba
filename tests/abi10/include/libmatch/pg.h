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

#ifdef __cplusplus
}
#endif
#endif
