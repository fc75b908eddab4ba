/* Shared between pg.c and pg_process.c (the proposal lifecycle): the
 * connection handle and a few helpers of pg.c. Not installed. */
#ifndef LM_PG_INTERNAL_H
#define LM_PG_INTERNAL_H

#include "internal.h"

#include <libpq-fe.h>

#define LM_DB_NTABLES 3

struct lm_db {
    PGconn *conn;
    bool owned;
    char *qschema;                /* quoted schema, lm__malloc */
    char *tname[LM_DB_NTABLES];   /* unquoted source table names (NULL = default) */
    char *qtab[LM_DB_NTABLES];    /* quoted schema.table of the sources */
    lm_progress_fn progress;
    void *progress_user;
    lm_err err;
};

/* pg.c: a command without parameters (LM_OK or LM_ERR_DB with the server's text). */
LM_HIDDEN int lm__pg_exec0(lm_db *db, const char *sql, const char *what);
/* pg.c: with text parameters; the result (caller clears) or NULL with *st set. */
LM_HIDDEN PGresult *lm__pg_execp(lm_db *db, const char *sql, int n, const char *const *vals, const char *what, int *st);
/* pg.c: roll back whatever is open, keeping the recorded error. */
LM_HIDDEN void lm__pg_rollback(lm_db *db);
/* pg.c: the handle is connected and idle (no open transaction). */
LM_HIDDEN int lm__pg_ready(lm_db *db, const char *what);
/* pg.c: the schema version, inside the caller's transaction (0 = none). */
LM_HIDDEN int lm__pg_version(lm_db *db, int32_t *out);
/* pg_process.c: inside the run-writing transaction, after the proposals are
 * copied: run changes, proposal ids, superseded proposals (schema >= 2); day:
 * the run's as-of day for the new and superseded proposals (0 = today). */
LM_HIDDEN int lm__pg_record_run(lm_db *db, int64_t run_id, const int32_t *regions, size_t nregions, int32_t day);
/* pg_process.c: check one status change (element i, for the message); apply
 * it inside the open transaction (pg_outcomes.c places with it). */
LM_HIDDEN int lm__pg_check_change(lm_db *db, const lm_status_change *c, size_t i);
LM_HIDDEN int lm__pg_apply_change(lm_db *db, const lm_status_change *c, size_t i);
#endif
