/* PostgreSQL: schema, loading (full or incremental), travel matrices and
 * atomic result runs, over libpq with binary COPY both ways.
 *
 * Rules kept throughout:
 * - identifiers are quoted with PQescapeIdentifier (schema and table names);
 * - values travel only as query parameters or COPY data (the incremental
 *   watermark reaches the COPY query through set_config(), a parameter);
 * - every operation runs in its own transaction and checks that the
 *   connection is idle first, so a caller's open transaction is never
 *   committed by accident;
 * - a pool or travel model changes only after everything was read and checked
 *   (one lm__pool_sync call), so any error leaves it unchanged.
 * The schema, watermarks and the run lifecycle: docs/postgresql.md. */
#include "pg_internal.h"
#include "pg_sql.h"
#include "pgcopy.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROGRESS_EVERY 4096u   /* rows between progress calls */
#define COPY_CHUNK (256u << 10) /* bytes per PQputCopyData */

static const char *const default_table[LM_DB_NTABLES] = {"candidates", "vacancies", "travel_times"};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *dupstr(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = lm__malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

/* A libpq message without its trailing newline(s), into buf. */
static const char *clean(char *buf, size_t cap, const char *msg) {
    if (!msg || !*msg) msg = "(no message from libpq)";
    snprintf(buf, cap, "%s", msg);
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ')) buf[--n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (buf[i] == '\n' || buf[i] == '\t') buf[i] = ' ';
    return buf;
}

/* LM_ERR_DB with the server's message (from res if given, else the connection). */
static int dbfail(lm_db *db, const PGresult *res, const char *what) {
    char m[LM_ERRMSG_CAP];
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (primary) {
        clean(m, sizeof m, primary);
        return lm__fail(&db->err, LM_ERR_DB, "%s: %s (SQLSTATE %s)", what, m, state ? state : "?");
    }
    return lm__fail(&db->err, LM_ERR_DB, "%s: %s", what, clean(m, sizeof m, PQerrorMessage(db->conn)));
}

static bool ok_status(const PGresult *r) {
    ExecStatusType s = PQresultStatus(r);
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

/* Run a command without parameters; LM_OK or LM_ERR_DB. */
static int exec0(lm_db *db, const char *sql, const char *what) {
    PGresult *r = PQexec(db->conn, sql);
    int st = r && ok_status(r) ? LM_OK : dbfail(db, r, what);
    PQclear(r);
    return st;
}

/* Run with text parameters; returns the result (caller clears) or NULL with
 * the error recorded. */
static PGresult *execp(lm_db *db, const char *sql, int n, const char *const *vals, const char *what, int *st) {
    PGresult *r = PQexecParams(db->conn, sql, n, NULL, vals, NULL, NULL, 0);
    if (r && ok_status(r)) {
        *st = LM_OK;
        return r;
    }
    *st = dbfail(db, r, what);
    PQclear(r);
    return NULL;
}

/* Roll back whatever is open; keeps the recorded error. */
static void rollback(lm_db *db) {
    if (PQstatus(db->conn) != CONNECTION_OK) return;
    if (PQtransactionStatus(db->conn) == PQTRANS_IDLE) return;
    PQclear(PQexec(db->conn, "ROLLBACK"));
}

static int check_idle(lm_db *db, const char *what) {
    if (PQstatus(db->conn) != CONNECTION_OK)
        return lm__fail(&db->err, LM_ERR_DB, "%s: connection is not usable: %s", what,
                        clean((char[LM_ERRMSG_CAP]){0}, LM_ERRMSG_CAP, PQerrorMessage(db->conn)));
    if (PQtransactionStatus(db->conn) != PQTRANS_IDLE)
        return lm__fail(&db->err, LM_ERR_STATE, "%s: the connection is inside a transaction or busy; "
                        "libmatch runs its own transactions", what);
    return LM_OK;
}

static bool progress(lm_db *db, uint64_t done, uint64_t total) {
    return db->progress && db->progress(db->progress_user, done, total) != 0;
}

/* ---- names ------------------------------------------------------------------ */
static int check_name(lm_db *db, const char *name, const char *what) {
    size_t n = strlen(name);
    if (n == 0 || n > 63)
        return lm__fail(&db->err, LM_ERR_RANGE, "%s: name must be 1..63 bytes (got %zu)", what, n);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return lm__fail(&db->err, LM_ERR_RANGE, "%s: name contains a control character at byte %zu", what, i);
    return LM_OK;
}

static char *quote_ident(lm_db *db, const char *name, int *st) {
    char *q = PQescapeIdentifier(db->conn, name, strlen(name));
    if (!q) {
        char m[LM_ERRMSG_CAP];
        *st = lm__fail(&db->err, LM_ERR_RANGE, "cannot quote name: %s", clean(m, sizeof m, PQerrorMessage(db->conn)));
        return NULL;
    }
    char *c = dupstr(q);
    PQfreemem(q);
    if (!c) *st = lm__fail(&db->err, LM_ERR_NOMEM, "out of memory");
    return c;
}

/* qschema.qtable for the source tables, from the current names. */
static int build_names(lm_db *db, const char *qschema, char *out[LM_DB_NTABLES], char *const tname[LM_DB_NTABLES]) {
    int st = LM_OK;
    for (int t = 0; t < LM_DB_NTABLES; t++) out[t] = NULL;
    for (int t = 0; t < LM_DB_NTABLES; t++) {
        char *qt = quote_ident(db, tname[t] ? tname[t] : default_table[t], &st);
        if (!qt) goto fail;
        size_t n = strlen(qschema) + 1 + strlen(qt) + 1;
        out[t] = lm__malloc(n);
        if (!out[t]) {
            lm__free(qt);
            st = lm__fail(&db->err, LM_ERR_NOMEM, "out of memory");
            goto fail;
        }
        snprintf(out[t], n, "%s.%s", qschema, qt);
        lm__free(qt);
    }
    return LM_OK;
fail:
    for (int t = 0; t < LM_DB_NTABLES; t++) {
        lm__free(out[t]);
        out[t] = NULL;
    }
    return st;
}

static int set_schema(lm_db *db, const char *schema) {
    int st = check_name(db, schema, "schema");
    if (st) return st;
    char *qs = quote_ident(db, schema, &st);
    if (!qs) return st;
    char *qt[LM_DB_NTABLES];
    if ((st = build_names(db, qs, qt, db->tname))) {
        lm__free(qs);
        return st;
    }
    lm__free(db->qschema);
    db->qschema = qs;
    for (int t = 0; t < LM_DB_NTABLES; t++) {
        lm__free(db->qtab[t]);
        db->qtab[t] = qt[t];
    }
    return LM_OK;
}

/* A "schema.name" of the fixed tables (runs, results, ...). */
static void qname(char *buf, size_t cap, const lm_db *db, const char *table) {
    snprintf(buf, cap, "%s.%s", db->qschema, table);
}

/* ---- lifecycle ---------------------------------------------------------------- */
static lm_db *db_new(void) {
    lm_db *db = lm__calloc(1, sizeof *db);
    return db;
}

int lm_db_open(lm_db **out, const char *conninfo) {
    if (!out) return LM_ERR_NULL;
    *out = NULL;
    lm_db *db = db_new();
    if (!db) return LM_ERR_NOMEM;
    const char *keys[] = {"dbname", "fallback_application_name", NULL};
    const char *vals[] = {conninfo && *conninfo ? conninfo : NULL, "libmatch", NULL};
    db->conn = PQconnectdbParams(keys, vals, 1);
    db->owned = true;
    if (!db->conn) {
        lm__free(db);
        return LM_ERR_NOMEM;
    }
    *out = db;
    if (PQstatus(db->conn) != CONNECTION_OK) {
        char m[LM_ERRMSG_CAP];
        return lm__fail(&db->err, LM_ERR_DB, "connect: %s", clean(m, sizeof m, PQerrorMessage(db->conn)));
    }
    int st = set_schema(db, "libmatch");
    if (st) {
        *out = NULL;
        lm_db_close(db);
        return st;
    }
    return LM_OK;
}

int lm_db_wrap(lm_db **out, struct pg_conn *conn) {
    if (!out) return LM_ERR_NULL;
    *out = NULL;
    if (!conn) return LM_ERR_NULL;
    if (PQstatus(conn) != CONNECTION_OK) return LM_ERR_STATE;
    lm_db *db = db_new();
    if (!db) return LM_ERR_NOMEM;
    db->conn = conn;
    db->owned = false;
    int st = set_schema(db, "libmatch");
    if (st) {
        lm_db_close(db);
        return st;
    }
    *out = db;
    return LM_OK;
}

void lm_db_close(lm_db *db) {
    if (!db) return;
    if (db->owned && db->conn) PQfinish(db->conn);
    lm__free(db->qschema);
    for (int t = 0; t < LM_DB_NTABLES; t++) {
        lm__free(db->tname[t]);
        lm__free(db->qtab[t]);
    }
    lm__free(db);
}

const char *lm_db_errmsg(const lm_db *db) { return db ? db->err.msg : "database handle is NULL"; }

int lm_db_set_schema(lm_db *db, const char *schema) {
    if (!db) return LM_ERR_NULL;
    if (!schema) return lm__fail(&db->err, LM_ERR_NULL, "set schema: name is NULL");
    int st = set_schema(db, schema);
    if (!st) lm__clear(&db->err);
    return st;
}

int lm_db_set_table(lm_db *db, int32_t table, const char *name) {
    if (!db) return LM_ERR_NULL;
    if (table < 0 || table >= LM_DB_NTABLES)
        return lm__fail(&db->err, LM_ERR_RANGE, "set table: unknown table %d", (int)table);
    if (!db->qschema) return lm__fail(&db->err, LM_ERR_STATE, "set table: connection failed");
    int st;
    if (name && (st = check_name(db, name, "table"))) return st;
    char *names[LM_DB_NTABLES], *nn = NULL;
    for (int t = 0; t < LM_DB_NTABLES; t++) names[t] = db->tname[t];
    if (name) {
        if (!(nn = dupstr(name))) return lm__fail(&db->err, LM_ERR_NOMEM, "out of memory");
    }
    names[table] = nn;
    char *qt[LM_DB_NTABLES];
    if ((st = build_names(db, db->qschema, qt, names))) {
        lm__free(nn);
        return st;
    }
    lm__free(db->tname[table]);
    db->tname[table] = nn;
    for (int t = 0; t < LM_DB_NTABLES; t++) {
        lm__free(db->qtab[t]);
        db->qtab[t] = qt[t];
    }
    lm__clear(&db->err);
    return LM_OK;
}

int lm_db_set_progress(lm_db *db, lm_progress_fn fn, void *user) {
    if (!db) return LM_ERR_NULL;
    db->progress = fn;
    db->progress_user = fn ? user : NULL;
    return LM_OK;
}

static int ready(lm_db *db, const char *what) {
    if (!db->qschema) return lm__fail(&db->err, LM_ERR_STATE, "%s: the connection failed; close this handle", what);
    return check_idle(db, what);
}

/* ---- schema ------------------------------------------------------------------ */
/* The script with :"schema" replaced by the quoted schema; comment lines are
 * dropped first so nothing is substituted into them. */
static char *render_sql(lm_db *db, const lm_pg_migration *m) {
    const char *tok = ":\"schema\"";
    size_t toklen = strlen(tok), ql = strlen(db->qschema), cap = 1;
    for (const char *const *l = m->lines; *l; l++) {
        size_t n = strlen(*l);
        cap += n;
        for (const char *p = strstr(*l, tok); p; p = strstr(p + toklen, tok)) cap += ql;
    }
    char *out = lm__malloc(cap), *w = out;
    if (!out) return NULL;
    for (const char *const *l = m->lines; *l; l++) {
        const char *s = *l;
        while (*s == ' ') s++;
        if (s[0] == '-' && s[1] == '-') continue;
        for (const char *p = *l; *p;) {
            if (strncmp(p, tok, toklen) == 0) {
                memcpy(w, db->qschema, ql);
                w += ql;
                p += toklen;
            } else {
                *w++ = *p++;
            }
        }
    }
    *w = '\0';
    return out;
}

/* Current version inside the open transaction; 0 if no schema_version table. */
static int read_version(lm_db *db, int32_t *out) {
    char reg[200];
    qname(reg, sizeof reg, db, "schema_version");
    const char *v[1] = {reg};
    int st;
    PGresult *r = execp(db, "SELECT to_regclass($1) IS NOT NULL", 1, v, "schema version", &st);
    if (!r) return st;
    bool exists = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    *out = 0;
    if (!exists) return LM_OK;
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT coalesce(max(version), 0) FROM %s", reg);
    r = execp(db, sql, 0, NULL, "schema version", &st);
    if (!r) return st;
    *out = (int32_t)strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return LM_OK;
}

int lm_db_schema_version(int32_t *out, lm_db *db) {
    if (!db) return LM_ERR_NULL;
    if (!out) return lm__fail(&db->err, LM_ERR_NULL, "schema version: out is NULL");
    int st = ready(db, "schema version");
    if (st) return st;
    int32_t v = 0;
    if ((st = read_version(db, &v))) return st;
    *out = v;
    lm__clear(&db->err);
    return LM_OK;
}

int lm_db_init(lm_db *db) {
    if (!db) return LM_ERR_NULL;
    int st = ready(db, "init");
    if (st) return st;
    int32_t latest = lm__pg_migrations[lm__pg_nmigrations - 1].version, cur = 0;
    if ((st = exec0(db, "BEGIN", "init: begin"))) return st;
    /* Serialise concurrent inits of the same schema. */
    const char *v[1] = {db->qschema};
    PGresult *r = execp(db, "SELECT pg_advisory_xact_lock(hashtext('libmatch schema ' || $1))", 1, v, "init: lock", &st);
    if (!r) goto fail;
    PQclear(r);
    if ((st = read_version(db, &cur))) goto fail;
    if (cur > latest) {
        st = lm__fail(&db->err, LM_ERR_STATE, "init: the database has schema version %d, this library knows up to %d",
                      (int)cur, (int)latest);
        goto fail;
    }
    for (size_t i = 0; i < lm__pg_nmigrations; i++) {
        const lm_pg_migration *m = &lm__pg_migrations[i];
        if (m->version <= cur) continue;
        char *sql = render_sql(db, m);
        if (!sql) {
            st = lm__fail(&db->err, LM_ERR_NOMEM, "init: out of memory");
            goto fail;
        }
        char what[96];
        snprintf(what, sizeof what, "init: %s", m->file);
        st = exec0(db, sql, what);
        lm__free(sql);
        if (st) goto fail;
    }
    if ((st = exec0(db, "COMMIT", "init: commit"))) goto fail;
    lm__clear(&db->err);
    return LM_OK;
fail:
    rollback(db);
    return st;
}

/* ---- COPY out ------------------------------------------------------------------ */
typedef int (*row_fn)(void *ctx, const lm_pgc_field *f, int nf, lm_err *err);

/* Stop a COPY TO that is still sending: cancel it and drain what is left. */
static void copy_out_abort(lm_db *db) {
    PGcancel *c = PQgetCancel(db->conn);
    if (c) {
        char eb[256];
        PQcancel(c, eb, sizeof eb);
        PQfreeCancel(c);
    }
    char *buf;
    int n;
    while ((n = PQgetCopyData(db->conn, &buf, 0)) > 0) PQfreemem(buf);
    PGresult *r;
    while ((r = PQgetResult(db->conn))) PQclear(r);
}

/* Run a COPY ... TO STDOUT (FORMAT binary) and feed every tuple to fn.
 * *rows counts tuples across calls (for progress against total). */
static int copy_out(lm_db *db, const char *sql, const char *what, row_fn fn, void *ctx, uint64_t *rows,
                    uint64_t total) {
    PGresult *r = PQexec(db->conn, sql);
    if (!r || PQresultStatus(r) != PGRES_COPY_OUT) {
        int st = dbfail(db, r, what);
        PQclear(r);
        return st;
    }
    PQclear(r);
    lm_pgc_reader rd = {0};
    lm_pgc_field f[LM_PGC_MAX_FIELDS];
    int st = LM_OK;
    for (;;) {
        char *buf = NULL;
        int n = PQgetCopyData(db->conn, &buf, 0);
        if (n == -1) break;
        if (n < 0) {
            st = dbfail(db, NULL, what);
            break;
        }
        size_t pos = 0;
        for (;;) {
            int nf = 0;
            int k = lm__pgc_next(&rd, (const uint8_t *)buf, (size_t)n, &pos, f, LM_PGC_MAX_FIELDS, &nf, &db->err);
            if (k == 1) {
                st = fn(ctx, f, nf, &db->err);
                if (st) break;
                if (++*rows % PROGRESS_EVERY == 0 && progress(db, *rows, *rows > total ? *rows : total)) {
                    st = lm__fail(&db->err, LM_ERR_CANCELLED, "%s: cancelled by the progress callback after %llu rows",
                                  what, (unsigned long long)*rows);
                    break;
                }
                continue;
            }
            if (k < 0) st = k;
            break; /* 0: message used up; 2: trailer */
        }
        PQfreemem(buf);
        if (st) {
            copy_out_abort(db);
            return st;
        }
    }
    /* The COPY's own result, then the end of results. */
    while ((r = PQgetResult(db->conn))) {
        if (!st && PQresultStatus(r) != PGRES_COMMAND_OK) st = dbfail(db, r, what);
        PQclear(r);
    }
    if (!st && !rd.trailer_seen && rd.header_done)
        st = lm__fail(&db->err, LM_ERR_FORMAT, "%s: COPY data ended without a trailer", what);
    return st;
}

/* Column list "c1::t1, c2::t2, ..." for a COPY query; a column whose bit is
 * set in missing reads as NULL (the pool's default). */
static void select_list(char *buf, size_t cap, const char *const *cols, const char *const *types, int n,
                        uint32_t missing) {
    size_t k = 0;
    for (int i = 0; i < n && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%s::%s", i ? ", " : "", missing >> i & 1u ? "NULL" : cols[i],
                              types[i]);
}

/* The 1.2 columns (schema version 3: candidates.needs, vacancies.offers and
 * kind) that the side's table or view lacks, as bits of the column list: an
 * older schema or a host's view keeps loading, with the defaults. */
static int missing_v3_cols(lm_db *db, int side, uint32_t *out) {
    const char *const *names = side == 0 ? lm__pgc_cand_cols : lm__pgc_vac_cols;
    int first = side == 0 ? LM_PGC_CAND_COLS - 1 : LM_PGC_VAC_COLS - 2, n = side == 0 ? LM_PGC_CAND_COLS : LM_PGC_VAC_COLS;
    const char *v[1] = {db->qtab[side]};
    int st;
    PGresult *r = execp(db, "SELECT attname::text FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 "
                        "AND NOT attisdropped AND attname IN ('needs', 'offers', 'kind')", 1, v, "columns", &st);
    if (!r) return st;
    uint32_t m = 0;
    for (int i = first; i < n; i++) {
        bool have = false;
        for (int j = 0; j < PQntuples(r); j++) have = have || !strcmp(PQgetvalue(r, j, 0), names[i]);
        if (!have) m |= 1u << i;
    }
    PQclear(r);
    *out = m;
    return LM_OK;
}

static int cands_row(void *ctx, const lm_pgc_field *f, int nf, lm_err *err) { return lm__pgc_cands_add(ctx, f, nf, err); }
static int vacs_row(void *ctx, const lm_pgc_field *f, int nf, lm_err *err) { return lm__pgc_vacs_add(ctx, f, nf, err); }

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Ids of one side of the pool that are not in keep (n ids): the deletions of a
 * full load. */
static int missing_ids(lm_db *db, const lm_snapshot *snap, int32_t side, const int64_t *keep, size_t n,
                       int64_t **out, size_t *nout) {
    *out = NULL;
    *nout = 0;
    size_t have = 0;
    lm_snapshot_ids(NULL, 0, &have, snap, side);
    if (!have) return LM_OK;
    int64_t *ids = lm__malloc(have * sizeof *ids);
    int64_t *sorted = lm__malloc((n ? n : 1) * sizeof *sorted);
    if (!ids || !sorted) {
        lm__free(ids);
        lm__free(sorted);
        return lm__fail(&db->err, LM_ERR_NOMEM, "load: out of memory");
    }
    lm_snapshot_ids(ids, have, &have, snap, side);
    if (n) memcpy(sorted, keep, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_i64);
    size_t k = 0;
    for (size_t i = 0; i < have; i++)
        if (!n || !bsearch(&ids[i], sorted, n, sizeof *sorted, cmp_i64)) ids[k++] = ids[i];
    lm__free(sorted);
    *out = ids;
    *nout = k;
    return LM_OK;
}

static double reltuples(lm_db *db, const char *qtab) {
    const char *v[1] = {qtab};
    int st;
    PGresult *r = execp(db, "SELECT coalesce((SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = to_regclass($1)), 0)",
                        1, v, "load", &st);
    if (!r) return -1;
    double x = strtod(PQgetvalue(r, 0, 0), NULL);
    PQclear(r);
    return x;
}

int lm_db_load_pool(int64_t *out_watermark, lm_db *db, lm_pool *pool, int64_t since) {
    if (!db) return LM_ERR_NULL;
    if (!out_watermark || !pool)
        return lm__fail(&db->err, LM_ERR_NULL, "load: %s is NULL", pool ? "out_watermark" : "pool");
    if (since < 0) return lm__fail(&db->err, LM_ERR_RANGE, "load: watermark %lld < 0", (long long)since);
    int st = ready(db, "load");
    if (st) return st;
    uint32_t dim = lm_pool_dim(pool);
    lm_pgc_cands C;
    lm_pgc_vacs V;
    lm__pgc_cands_init(&C, dim);
    lm__pgc_vacs_init(&V, dim);
    lm_snapshot *snap = NULL;
    int64_t *cdel = NULL, *vdel = NULL;
    size_t ncdel = 0, nvdel = 0;
    char *sql = NULL;
    int64_t wm = 0;
    PGresult *r = NULL;

    if ((st = exec0(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "load: begin"))) goto out;
    /* The watermark and the rows come from one snapshot (docs/postgresql.md). */
    if (!(r = execp(db, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text", 0, NULL, "load: snapshot", &st)))
        goto fail;
    wm = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    if (since > 0) {
        char sv[32];
        snprintf(sv, sizeof sv, "%lld", (long long)since);
        const char *v[1] = {sv};
        if (!(r = execp(db, "SELECT set_config('libmatch.since', $1, true)", 1, v, "load: watermark", &st))) goto fail;
        PQclear(r);
    }
    double est[2];
    for (int t = 0; t < 2; t++)
        if ((est[t] = reltuples(db, db->qtab[t])) < 0) {
            st = LM_ERR_DB;
            goto fail;
        }
    /* Pre-size from the planner's estimate (only a full load reads them all). */
    if (since == 0 && est[0] <= (double)LM_MAX_ROWS && est[1] <= (double)LM_MAX_ROWS &&
        (!lm__pgc_cands_reserve(&C, (size_t)est[0] + 16) || !lm__pgc_vacs_reserve(&V, (size_t)est[1] + 16))) {
        st = lm__fail(&db->err, LM_ERR_NOMEM, "load: out of memory for %.0f rows", est[0] + est[1]);
        goto fail;
    }
    uint64_t total = (uint64_t)(est[0] + est[1]), rows = 0;
    size_t cap = 4096;
    if (!(sql = lm__malloc(cap))) {
        st = lm__fail(&db->err, LM_ERR_NOMEM, "load: out of memory");
        goto fail;
    }
    const char *where = since > 0 ? "txid >= current_setting('libmatch.since')::xid8" : "NOT deleted";
    for (int side = 0; side < 2; side++) {
        char list[1024];
        uint32_t missing = 0;
        if ((st = missing_v3_cols(db, side, &missing))) goto fail;
        if (side == 0) select_list(list, sizeof list, lm__pgc_cand_cols, lm__pgc_cand_types, LM_PGC_CAND_COLS, missing);
        else select_list(list, sizeof list, lm__pgc_vac_cols, lm__pgc_vac_types, LM_PGC_VAC_COLS, missing);
        snprintf(sql, cap, "COPY (SELECT %s FROM %s WHERE %s) TO STDOUT (FORMAT binary)", list, db->qtab[side], where);
        st = copy_out(db, sql, side == 0 ? "load candidates" : "load vacancies", side == 0 ? cands_row : vacs_row,
                      side == 0 ? (void *)&C : (void *)&V, &rows, total);
        if (st) goto fail;
    }
    if ((st = exec0(db, "COMMIT", "load: commit"))) goto fail;
    if (progress(db, rows, rows)) {
        st = lm__fail(&db->err, LM_ERR_CANCELLED, "load: cancelled by the progress callback");
        goto out;
    }

    lm_candidate_cols cc = lm__pgc_cands_cols(&C);
    lm_vacancy_cols vc = lm__pgc_vacs_cols(&V);
    lm_pool_change ch = {0};
    ch.cand = &cc;
    ch.ncand = C.n;
    ch.vac = &vc;
    ch.nvac = V.n;
    if (since == 0) {
        if ((st = lm_pool_snapshot(&snap, pool))) {
            lm__fail(&db->err, st, "load: %s", lm_pool_errmsg(pool));
            goto out;
        }
        if ((st = missing_ids(db, snap, LM_SIDE_CANDIDATE, C.id, C.n, &cdel, &ncdel))) goto out;
        if ((st = missing_ids(db, snap, LM_SIDE_VACANCY, V.id, V.n, &vdel, &nvdel))) goto out;
        ch.cand_del = cdel;
        ch.ncand_del = ncdel;
        ch.vac_del = vdel;
        ch.nvac_del = nvdel;
    } else {
        ch.cand_del = C.del;
        ch.ncand_del = C.ndel;
        ch.vac_del = V.del;
        ch.nvac_del = V.ndel;
    }
    if (ch.ncand || ch.nvac || ch.ncand_del || ch.nvac_del) {
        st = lm__pool_sync(pool, &ch);
        if (st) {
            lm__fail(&db->err, st, "load: %s", lm_pool_errmsg(pool));
            goto out;
        }
    }
    *out_watermark = wm;
    lm__clear(&db->err);
    goto out;
fail:
    rollback(db);
out:
    lm__free(sql);
    lm_snapshot_free(snap);
    lm__free(cdel);
    lm__free(vdel);
    lm__pgc_cands_free(&C);
    lm__pgc_vacs_free(&V);
    return st;
}

int lm_db_vector_dim(uint32_t *out, lm_db *db) {
    if (!db) return LM_ERR_NULL;
    if (!out) return lm__fail(&db->err, LM_ERR_NULL, "vector dim: out is NULL");
    int st = ready(db, "vector dim");
    if (st) return st;
    char sql[600];
    snprintf(sql, sizeof sql,
             "SELECT coalesce((SELECT octet_length(vector) FROM %s WHERE NOT deleted LIMIT 1), "
             "(SELECT octet_length(vector) FROM %s WHERE NOT deleted LIMIT 1), 0)",
             db->qtab[0], db->qtab[1]);
    PGresult *r = execp(db, sql, 0, NULL, "vector dim", &st);
    if (!r) return st;
    long n = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    if (n % 4 != 0 || n / 4 > LM_MAX_DIM)
        return lm__fail(&db->err, LM_ERR_FORMAT, "vector dim: a stored vector has %ld bytes, not 4 x 1..%d", n,
                        LM_MAX_DIM);
    *out = (uint32_t)(n / 4);
    lm__clear(&db->err);
    return LM_OK;
}

int lm_db_regions(int32_t *out, size_t capacity, size_t *out_needed, lm_db *db) {
    if (!db) return LM_ERR_NULL;
    int st = ready(db, "regions");
    if (st) return st;
    char sql[400];
    snprintf(sql, sizeof sql, "SELECT DISTINCT region::int4 FROM %s WHERE NOT deleted ORDER BY 1", db->qtab[1]);
    PGresult *r = execp(db, sql, 0, NULL, "regions", &st);
    if (!r) return st;
    size_t n = (size_t)PQntuples(r);
    if (out_needed) *out_needed = n;
    if (n > capacity) {
        PQclear(r);
        return lm__fail(&db->err, LM_ERR_BUFFER, "regions: %zu regions, capacity %zu", n, capacity);
    }
    if (n && !out) {
        PQclear(r);
        return lm__fail(&db->err, LM_ERR_NULL, "regions: out is NULL");
    }
    for (size_t i = 0; i < n; i++) out[i] = (int32_t)strtol(PQgetvalue(r, (int)i, 0), NULL, 10);
    PQclear(r);
    lm__clear(&db->err);
    return LM_OK;
}

/* ---- travel ------------------------------------------------------------------------ */
typedef struct travel_rows {
    size_t n, cap;
    int32_t *origin, *dest, *minutes;
    int16_t *mode;
} travel_rows;

static int travel_row(void *ctx, const lm_pgc_field *f, int nf, lm_err *err) {
    travel_rows *T = ctx;
    if (nf != 4) return lm__fail(err, LM_ERR_FORMAT, "travel_times row: %d columns, expected 4", nf);
    int32_t o, d, m = 255;
    int16_t mode;
    if (!lm__pgc_i32(&f[0], &o) || !lm__pgc_i32(&f[1], &d) || !lm__pgc_i16(&f[2], &mode))
        return lm__fail(err, LM_ERR_FORMAT, "travel_times row %zu: origin, destination or mode NULL or mistyped",
                        T->n + 1);
    if (f[3].len >= 0 && !lm__pgc_i32(&f[3], &m))
        return lm__fail(err, LM_ERR_FORMAT, "travel_times row (%d, %d, mode %d): minutes not an integer", o, d, mode);
    if (o <= 0 || d <= 0)
        return lm__fail(err, LM_ERR_RANGE, "travel_times row (%d, %d, mode %d): zones must be > 0", o, d, mode);
    if (mode < 0 || mode >= LM_MODE_COUNT)
        return lm__fail(err, LM_ERR_RANGE, "travel_times row (%d, %d, mode %d): mode not in 0..3", o, d, mode);
    if (m < 0)
        return lm__fail(err, LM_ERR_RANGE, "travel_times row (%d, %d, mode %d): minutes %d < 0", o, d, mode, m);
    if (T->n == T->cap) {
        size_t cap = T->cap ? T->cap * 2 : 4096;
        int32_t *a = lm__realloc(T->origin, cap * sizeof *a);
        if (a) T->origin = a;
        int32_t *b = a ? lm__realloc(T->dest, cap * sizeof *b) : NULL;
        if (b) T->dest = b;
        int32_t *c = b ? lm__realloc(T->minutes, cap * sizeof *c) : NULL;
        if (c) T->minutes = c;
        int16_t *e = c ? lm__realloc(T->mode, cap * sizeof *e) : NULL;
        if (e) T->mode = e;
        if (!e) return lm__fail(err, LM_ERR_NOMEM, "travel_times: out of memory after %zu rows", T->n);
        T->cap = cap;
    }
    T->origin[T->n] = o;
    T->dest[T->n] = d;
    T->mode[T->n] = mode;
    T->minutes[T->n] = m > 255 ? 255 : m;
    T->n++;
    return LM_OK;
}

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

#define TRAVEL_MAX_ZONES_PG 20000 /* lm_travel_set_matrix()'s limit */

typedef struct mode_matrix {
    int32_t *zones;
    size_t n;
    uint8_t *minutes;
} mode_matrix;

static int build_matrix(lm_db *db, const travel_rows *T, int mode, mode_matrix *M) {
    memset(M, 0, sizeof *M);
    size_t cnt = 0;
    for (size_t i = 0; i < T->n; i++) cnt += T->mode[i] == mode;
    if (!cnt) return LM_OK;
    int32_t *z = lm__malloc(2 * cnt * sizeof *z);
    if (!z) return lm__fail(&db->err, LM_ERR_NOMEM, "travel: out of memory");
    size_t k = 0;
    for (size_t i = 0; i < T->n; i++)
        if (T->mode[i] == mode) {
            z[k++] = T->origin[i];
            z[k++] = T->dest[i];
        }
    qsort(z, k, sizeof *z, cmp_i32);
    size_t n = 0;
    for (size_t i = 0; i < k; i++)
        if (!n || z[n - 1] != z[i]) z[n++] = z[i];
    if (n > TRAVEL_MAX_ZONES_PG) {
        lm__free(z);
        return lm__fail(&db->err, LM_ERR_LIMIT, "travel: mode %d has %zu zones, more than %d", mode, n,
                        TRAVEL_MAX_ZONES_PG);
    }
    size_t cells = n * n;
    uint8_t *mm = lm__malloc(cells ? cells : 1);
    uint8_t *seen = lm__calloc(cells / 8 + 1, 1);
    if (!mm || !seen) {
        lm__free(z);
        lm__free(mm);
        lm__free(seen);
        return lm__fail(&db->err, LM_ERR_NOMEM, "travel: out of memory for %zu zones", n);
    }
    memset(mm, 255, cells);
    for (size_t i = 0; i < n; i++) mm[i * n + i] = 0;
    for (size_t i = 0; i < T->n; i++) {
        if (T->mode[i] != mode) continue;
        size_t a = (size_t)((int32_t *)bsearch(&T->origin[i], z, n, sizeof *z, cmp_i32) - z);
        size_t b = (size_t)((int32_t *)bsearch(&T->dest[i], z, n, sizeof *z, cmp_i32) - z);
        size_t c = a * n + b;
        if (seen[c / 8] & (1u << (c % 8))) {
            lm__free(z);
            lm__free(mm);
            lm__free(seen);
            return lm__fail(&db->err, LM_ERR_DUPLICATE, "travel_times: (%d, %d, mode %d) appears twice",
                            T->origin[i], T->dest[i], mode);
        }
        seen[c / 8] |= (uint8_t)(1u << (c % 8));
        mm[c] = (uint8_t)T->minutes[i];
    }
    lm__free(seen);
    M->zones = z;
    M->n = n;
    M->minutes = mm;
    return LM_OK;
}

int lm_db_load_travel(lm_db *db, lm_travel *travel) {
    if (!db) return LM_ERR_NULL;
    if (!travel) return lm__fail(&db->err, LM_ERR_NULL, "load travel: travel is NULL");
    int st = ready(db, "load travel");
    if (st) return st;
    travel_rows T = {0};
    mode_matrix M[LM_MODE_COUNT] = {{0}};
    char sql[600];
    snprintf(sql, sizeof sql,
             "COPY (SELECT origin::int4, destination::int4, mode::int2, minutes::int4 FROM %s) TO STDOUT (FORMAT binary)",
             db->qtab[LM_DB_TRAVEL_TIMES]);
    uint64_t rows = 0;
    st = copy_out(db, sql, "load travel", travel_row, &T, &rows, 0);
    if (st) goto out;
    for (int m = 0; m < LM_MODE_COUNT && !st; m++) st = build_matrix(db, &T, m, &M[m]);
    if (st) goto out;
    /* Apply. Inputs are checked above, so lm_travel_set_matrix() can only fail
     * on the first call (a frozen model: nothing changed) or, later, when out
     * of memory. */
    for (int m = 0; m < LM_MODE_COUNT; m++) {
        if (!M[m].n) continue;
        st = lm_travel_set_matrix(travel, m, M[m].zones, M[m].n, M[m].minutes);
        if (st) {
            lm__fail(&db->err, st, "load travel: %s", lm_travel_errmsg(travel));
            goto out;
        }
    }
    lm__clear(&db->err);
out:
    for (int m = 0; m < LM_MODE_COUNT; m++) {
        lm__free(M[m].zones);
        lm__free(M[m].minutes);
    }
    lm__free(T.origin);
    lm__free(T.dest);
    lm__free(T.minutes);
    lm__free(T.mode);
    return st;
}

/* ---- COPY in ---------------------------------------------------------------------- */
/* Send buf and empty it; LM_ERR_DB if the connection failed. */
static int copy_flush(lm_db *db, lm_pgc_buf *b, const char *what) {
    if (b->oom) return lm__fail(&db->err, LM_ERR_NOMEM, "%s: out of memory", what);
    if (!b->len) return LM_OK;
    if (b->len > INT32_MAX) return lm__fail(&db->err, LM_ERR_INTERNAL, "%s: chunk too large", what);
    if (PQputCopyData(db->conn, (const char *)b->p, (int)b->len) != 1) return dbfail(db, NULL, what);
    b->len = 0;
    return LM_OK;
}

/* Finish a COPY FROM STDIN: ok = end it normally, else abort it with errmsg. */
static int copy_end(lm_db *db, bool ok, const char *what) {
    int st = LM_OK;
    if (PQputCopyEnd(db->conn, ok ? NULL : "aborted by libmatch") != 1 && ok) st = dbfail(db, NULL, what);
    PGresult *r;
    while ((r = PQgetResult(db->conn))) {
        if (ok && !st && PQresultStatus(r) != PGRES_COMMAND_OK) st = dbfail(db, r, what);
        PQclear(r);
    }
    return st;
}

static int copy_in_begin(lm_db *db, const char *sql, const char *what) {
    PGresult *r = PQexec(db->conn, sql);
    if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
        int st = dbfail(db, r, what);
        PQclear(r);
        return st;
    }
    PQclear(r);
    return LM_OK;
}

/* ---- writing candidates and vacancies ---------------------------------------------- */
static int write_side(lm_db *db, int side, const void *cols, size_t n) {
    const char *what = side == 0 ? "write candidates" : "write vacancies";
    if (!db) return LM_ERR_NULL;
    if (!cols) return lm__fail(&db->err, LM_ERR_NULL, "%s: columns are NULL", what);
    size_t ss = side == 0 ? ((const lm_candidate_cols *)cols)->struct_size : ((const lm_vacancy_cols *)cols)->struct_size;
    /* A caller compiled against 1.0/1.1 passes the struct without the 1.2 columns (needs; offers, kind). */
    size_t need = side == 0 ? offsetof(lm_candidate_cols, needs) : offsetof(lm_vacancy_cols, offers);
    size_t full = side == 0 ? sizeof(lm_candidate_cols) : sizeof(lm_vacancy_cols);
    if (ss < need) return lm__fail(&db->err, LM_ERR_INVALID, "%s: struct_size %zu too small (use the _INIT macro)", what, ss);
    union {
        lm_candidate_cols c;
        lm_vacancy_cols v;
    } local;
    memset(&local, 0, sizeof local);
    memcpy(&local, cols, ss < full ? ss : full);
    local.c.struct_size = 0; /* set below per side */
    if (side == 0) local.c.struct_size = sizeof local.c;
    else local.v.struct_size = sizeof local.v;
    cols = &local;
    if (n == 0) return lm__fail(&db->err, LM_ERR_INVALID, "%s: empty batch (n = 0)", what);
    if (n > LM_MAX_BATCH) return lm__fail(&db->err, LM_ERR_LIMIT, "%s: %zu rows exceed %d", what, n, LM_MAX_BATCH);
    uint32_t dim = side == 0 ? ((const lm_candidate_cols *)cols)->dim : ((const lm_vacancy_cols *)cols)->dim;
    if (dim < 1 || dim > LM_MAX_DIM) return lm__fail(&db->err, LM_ERR_DIMENSION, "%s: dim %u not in 1..%d", what, dim, LM_MAX_DIM);
    int st = ready(db, what);
    if (st) return st;
    /* Columns the table lacks (schema older than 3, a host's view) are not
     * written; refused when the rows use them, so nothing is lost silently. */
    uint32_t missing = 0;
    if ((st = missing_v3_cols(db, side, &missing))) return st;
    for (size_t i = 0; missing && i < n; i++) {
        bool used = side == 0 ? local.c.needs && local.c.needs[i]
                              : (local.v.offers && local.v.offers[i]) || (local.v.kind && local.v.kind[i]);
        if (used)
            return lm__fail(&db->err, LM_ERR_STATE, "%s: row %zu uses support needs, support offered or a kind of "
                            "place, which %s cannot store: upgrade the schema to version 3 with lm_db_init() (lmatch "
                            "db init)", what, i, db->qtab[side]);
    }
    /* Validate exactly as the pool does, on a scratch pool. */
    {
        lm_pool *scratch = NULL;
        if ((st = lm_pool_create(&scratch, dim))) return lm__fail(&db->err, st, "%s: out of memory", what);
        st = side == 0 ? lm_pool_add_candidates(scratch, cols, n) : lm_pool_add_vacancies(scratch, cols, n);
        if (st) lm__fail(&db->err, st, "%s: %s", what, lm_pool_errmsg(scratch));
        lm_pool_free(scratch);
        if (st) return st;
    }
    const char *const *names = side == 0 ? lm__pgc_cand_cols : lm__pgc_vac_cols;
    const char *const *types = side == 0 ? lm__pgc_cand_types : lm__pgc_vac_types;
    int ncols = side == 0 ? LM_PGC_CAND_COLS : LM_PGC_VAC_COLS;
    char sql[8192], list[1024], create[1024], set[2048];
    size_t kl = 0, kc = 0, ks = 0;
    for (int i = 0; i < ncols; i++) {
        kc += (size_t)snprintf(create + kc, sizeof create - kc, "%s%s %s", i ? ", " : "", names[i], types[i]);
        if (missing >> i & 1u) continue;
        kl += (size_t)snprintf(list + kl, sizeof list - kl, "%s%s", i ? ", " : "", names[i]);
        if (i > 0) ks += (size_t)snprintf(set + ks, sizeof set - ks, "%s%s = EXCLUDED.%s", i > 1 ? ", " : "", names[i], names[i]);
    }
    lm_pgc_buf b = {0};
    if ((st = exec0(db, "BEGIN", what))) return st;
    snprintf(sql, sizeof sql, "CREATE TEMP TABLE lm_stage (%s) ON COMMIT DROP", create);
    if ((st = exec0(db, sql, what))) goto fail;
    if ((st = copy_in_begin(db, "COPY lm_stage FROM STDIN (FORMAT binary)", what))) goto fail;
    lm__pgc_put_header(&b);
    for (size_t i = 0; i < n && !st; i++) {
        if (side == 0) lm__pgc_put_cand(&b, cols, i);
        else lm__pgc_put_vac(&b, cols, i);
        if (b.len >= COPY_CHUNK || b.oom) st = copy_flush(db, &b, what);
        if (!st && (i + 1) % PROGRESS_EVERY == 0 && progress(db, i + 1, n))
            st = lm__fail(&db->err, LM_ERR_CANCELLED, "%s: cancelled by the progress callback after %zu rows", what, i + 1);
    }
    if (!st) {
        lm__pgc_put_trailer(&b);
        st = copy_flush(db, &b, what);
    }
    {
        int st2 = copy_end(db, st == LM_OK, what);
        if (!st) st = st2;
    }
    if (st) goto fail;
    snprintf(sql, sizeof sql, "INSERT INTO %s (%s) SELECT %s FROM lm_stage ON CONFLICT (id) DO UPDATE SET %s",
             db->qtab[side], list, list, set);
    if ((st = exec0(db, sql, what))) goto fail;
    if ((st = exec0(db, "COMMIT", what))) goto fail;
    lm__pgc_buf_free(&b);
    lm__clear(&db->err);
    return LM_OK;
fail:
    lm__pgc_buf_free(&b);
    rollback(db);
    return st;
}

int lm_db_write_candidates(lm_db *db, const lm_candidate_cols *cols, size_t n) { return write_side(db, 0, cols, n); }
int lm_db_write_vacancies(lm_db *db, const lm_vacancy_cols *cols, size_t n) { return write_side(db, 1, cols, n); }

/* ---- runs ----------------------------------------------------------------------------- */
#define MATCH_CHUNK 4096

/* Stream one direction of one part's results. */
static int put_results(lm_db *db, lm_pgc_buf *b, lm_match *tmp, int64_t run_id, const lm_run_part *p, int32_t dir,
                       uint64_t *done, uint64_t total, bool kind) {
    size_t n = 0;
    lm_results_count(&n, p->results, dir);
    for (size_t first = 0; first < n;) {
        size_t got = 0;
        int st = lm_results_copy(tmp, sizeof *tmp, MATCH_CHUNK, &got, p->results, dir, first);
        if (st) return lm__fail(&db->err, st, "write run: reading results failed");
        for (size_t i = 0; i < got; i++) lm__pgc_put_result(b, run_id, p->region, (int16_t)dir, &tmp[i], kind);
        first += got;
        *done += got;
        if (b->len >= COPY_CHUNK || b->oom)
            if ((st = copy_flush(db, b, "write run: match_results"))) return st;
        if (progress(db, *done, total))
            return lm__fail(&db->err, LM_ERR_CANCELLED, "write run: cancelled by the progress callback after %llu rows",
                            (unsigned long long)*done);
    }
    return LM_OK;
}

static int put_proposals(lm_db *db, lm_pgc_buf *b, lm_match *tmp, int64_t run_id, const lm_run_part *p,
                         uint64_t *done, uint64_t total, bool kind) {
    size_t n = 0;
    int st = lm_assignment_count(&n, p->assignment);
    if (st) return lm__fail(&db->err, st, "write run: reading the assignment failed");
    for (size_t first = 0; first < n;) {
        size_t got = 0;
        st = lm_assignment_copy(tmp, sizeof *tmp, MATCH_CHUNK, &got, p->assignment, first);
        if (st) return lm__fail(&db->err, st, "write run: reading proposals failed");
        if (!got) return lm__fail(&db->err, LM_ERR_INTERNAL, "write run: assignment copy returned no rows");
        for (size_t i = 0; i < got; i++) lm__pgc_put_proposal(b, run_id, p->region, &tmp[i], kind);
        first += got;
        *done += got;
        if (b->len >= COPY_CHUNK || b->oom)
            if ((st = copy_flush(db, b, "write run: proposals"))) return st;
        if (progress(db, *done, total))
            return lm__fail(&db->err, LM_ERR_CANCELLED, "write run: cancelled by the progress callback after %llu rows",
                            (unsigned long long)*done);
    }
    return LM_OK;
}

static const lm_run_part *part_at(const lm_run_part *parts, size_t elem, size_t i) {
    return (const lm_run_part *)(const void *)((const unsigned char *)parts + i * elem);
}

/* Schema >= 2: proposal ids, superseded proposals and run changes, in the
 * writing transaction (a v1 schema is written as before). */
static int record_lifecycle(lm_db *db, int64_t run_id, const lm_run_part *parts, size_t elem_size, size_t n) {
    int32_t ver = 0;
    int st = read_version(db, &ver);
    if (st || ver < 2) return st;
    int32_t *regions = lm__malloc(n * sizeof *regions);
    if (!regions) return lm__fail(&db->err, LM_ERR_NOMEM, "write run: out of memory");
    for (size_t i = 0; i < n; i++) regions[i] = part_at(parts, elem_size, i)->region;
    st = lm__pg_record_run(db, run_id, regions, n, part_at(parts, elem_size, 0)->results->ctx.pol.as_of_day);
    lm__free(regions);
    return st;
}

int lm_db_write_run_parts(int64_t *out_run_id, lm_db *db, const lm_run_part *parts, size_t elem_size, size_t n,
                          const lm_run_info *info) {
    static const char what[] = "write run";
    if (!db) return LM_ERR_NULL;
    if (!out_run_id || !parts) return lm__fail(&db->err, LM_ERR_NULL, "%s: %s is NULL", what, parts ? "out_run_id" : "parts");
    if (elem_size < sizeof(lm_run_part))
        return lm__fail(&db->err, LM_ERR_INVALID, "%s: elem_size %zu too small", what, elem_size);
    if (n == 0) return lm__fail(&db->err, LM_ERR_INVALID, "%s: no parts", what);
    lm_run_info inf = LM_RUN_INFO_INIT;
    if (info) {
        if (info->struct_size < sizeof inf)
            return lm__fail(&db->err, LM_ERR_INVALID, "%s: info struct_size %zu too small", what, info->struct_size);
        inf = *info;
    }
    uint64_t total = 0, nres = 0, nprop = 0;
    double pairs = 0, feasible = 0, secs = 0;
    for (size_t i = 0; i < n; i++) {
        const lm_run_part *p = part_at(parts, elem_size, i);
        if (p->struct_size < sizeof(lm_run_part))
            return lm__fail(&db->err, LM_ERR_INVALID, "%s: part %zu struct_size %zu too small", what, i, p->struct_size);
        if (!p->results) return lm__fail(&db->err, LM_ERR_NULL, "%s: part %zu has no results", what, i);
        size_t a = 0, c = 0, q = 0;
        lm_results_count(&a, p->results, LM_DIR_VACANCY);
        lm_results_count(&c, p->results, LM_DIR_CANDIDATE);
        if (p->assignment) {
            int st = lm_assignment_count(&q, p->assignment);
            if (st) return lm__fail(&db->err, st, "%s: part %zu: reading the assignment failed", what, i);
        }
        nres += a + c;
        nprop += q;
        pairs += p->results->stat[LM_STAT_PAIRS_SCORED];
        feasible += p->results->stat[LM_STAT_PAIRS_FEASIBLE];
        secs += p->results->stat[LM_STAT_SECONDS];
    }
    total = nres + nprop;
    int st = ready(db, what);
    if (st) return st;
    double t0 = now_s();
    const lm_results *r0 = part_at(parts, elem_size, 0)->results;
    const lm_policy_eval *pe = &r0->ctx.pol;
    char policy[512], sql[1024], tab[200];
    snprintf(policy, sizeof policy,
             "{\"version\": %.17g, \"w_competence\": %.9g, \"w_travel\": %.9g, \"w_hours\": %.9g, "
             "\"w_readiness\": %.9g, \"w_priority\": %.9g, \"max_travel_min\": %.9g, \"min_score\": %.9g, "
             "\"as_of_day\": %d, \"allowed_modes\": %u}",
             pe->version, (double)pe->w_comp, (double)pe->w_travel, (double)pe->w_hours, (double)pe->w_ready,
             (double)pe->w_prio, (double)pe->max_travel_min, (double)pe->min_score, (int)pe->as_of_day,
             (unsigned)pe->allowed_modes);
    char v_region[16], v_pver[32], v_nc[24], v_nv[24], v_pairs[32], v_feas[32], v_secs[32], v_parts[24];
    double pver = 0;
    lm_results_stat(&pver, r0, LM_STAT_POLICY_VERSION);
    snprintf(v_region, sizeof v_region, "%d", (int)inf.region);
    snprintf(v_pver, sizeof v_pver, "%.17g", pver);
    snprintf(v_nc, sizeof v_nc, "%zu", r0->snap->side[LM_SIDE_CANDIDATE]->nlive);
    snprintf(v_nv, sizeof v_nv, "%zu", r0->snap->side[LM_SIDE_VACANCY]->nlive);
    snprintf(v_pairs, sizeof v_pairs, "%.17g", pairs);
    snprintf(v_feas, sizeof v_feas, "%.17g", feasible);
    snprintf(v_secs, sizeof v_secs, "%.9g", secs);
    snprintf(v_parts, sizeof v_parts, "%zu", n);
    const char *vals[11] = {inf.label, v_region, LM_VERSION_STRING, v_pver, policy, v_nc, v_nv, v_pairs, v_feas, v_secs, v_parts};
    lm_pgc_buf b = {0};
    lm_match *tmp = lm__malloc(MATCH_CHUNK * sizeof *tmp);
    if (!tmp) return lm__fail(&db->err, LM_ERR_NOMEM, "%s: out of memory", what);
    int64_t run_id = 0;
    PGresult *r = NULL;
    if ((st = exec0(db, "BEGIN", what))) goto fail;
    /* Schema 3 stores the vacancy's kind with every result and proposal. */
    int32_t ver = 0;
    if ((st = read_version(db, &ver))) goto fail;
    bool kind = ver >= 3;
    qname(tab, sizeof tab, db, "match_runs");
    snprintf(sql, sizeof sql,
             "INSERT INTO %s (label, region, status, library_version, policy_version, policy, candidates, vacancies, "
             "pairs_scored, pairs_feasible, match_seconds, parts) VALUES ($1, $2, 'running', $3, $4, $5::jsonb, $6, $7, "
             "$8, $9, $10, $11) RETURNING run_id",
             tab);
    if (!(r = execp(db, sql, 11, vals, "write run: match_runs", &st))) goto fail;
    run_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    uint64_t done = 0;
    if (progress(db, 0, total)) {
        st = lm__fail(&db->err, LM_ERR_CANCELLED, "%s: cancelled by the progress callback", what);
        goto fail;
    }
    if (nres) {
        /* The run's own partition: created here, attached before commit. */
        char v_id[24], part[64];
        snprintf(v_id, sizeof v_id, "%lld", (long long)run_id);
        const char *pv[1] = {v_id};
        snprintf(sql, sizeof sql, "SELECT %s.run_partition_create($1)", db->qschema);
        if (!(r = execp(db, sql, 1, pv, "write run: create partition", &st))) goto fail;
        snprintf(part, sizeof part, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        char *qpart = quote_ident(db, part, &st);
        if (!qpart) goto fail;
        snprintf(sql, sizeof sql,
                 "COPY %s.%s (run_id, region, direction, vacancy_id, candidate_id, rank, score, competence, travel, "
                 "hours, readiness, priority, travel_minutes, travel_mode%s) FROM STDIN (FORMAT binary, FREEZE)",
                 db->qschema, qpart, kind ? ", kind" : "");
        lm__free(qpart);
        if ((st = copy_in_begin(db, sql, "write run: match_results"))) goto fail;
        lm__pgc_put_header(&b);
        for (size_t i = 0; i < n && !st; i++) {
            const lm_run_part *p = part_at(parts, elem_size, i);
            st = put_results(db, &b, tmp, run_id, p, LM_DIR_VACANCY, &done, total, kind);
            if (!st) st = put_results(db, &b, tmp, run_id, p, LM_DIR_CANDIDATE, &done, total, kind);
        }
        if (!st) {
            lm__pgc_put_trailer(&b);
            st = copy_flush(db, &b, "write run: match_results");
        }
        int st2 = copy_end(db, st == LM_OK, "write run: match_results");
        if (!st) st = st2;
        if (st) goto fail;
        snprintf(sql, sizeof sql, "SELECT %s.run_partition_attach($1)", db->qschema);
        if (!(r = execp(db, sql, 1, pv, "write run: attach partition", &st))) goto fail;
        PQclear(r);
    }
    if (nprop) {
        b.len = 0;
        qname(tab, sizeof tab, db, "proposals");
        snprintf(sql, sizeof sql,
                 "COPY %s (run_id, region, vacancy_id, slot, candidate_id, score, competence, travel, hours, readiness, "
                 "priority, travel_minutes, travel_mode%s) FROM STDIN (FORMAT binary)", tab, kind ? ", kind" : "");
        if ((st = copy_in_begin(db, sql, "write run: proposals"))) goto fail;
        lm__pgc_put_header(&b);
        for (size_t i = 0; i < n && !st; i++) {
            const lm_run_part *p = part_at(parts, elem_size, i);
            if (p->assignment) st = put_proposals(db, &b, tmp, run_id, p, &done, total, kind);
        }
        if (!st) {
            lm__pgc_put_trailer(&b);
            st = copy_flush(db, &b, "write run: proposals");
        }
        int st2 = copy_end(db, st == LM_OK, "write run: proposals");
        if (!st) st = st2;
        if (st) goto fail;
    }
    if ((st = record_lifecycle(db, run_id, parts, elem_size, n))) goto fail;
    {
        char v_id[24], v_ws[32], v_rr[24], v_pr[24];
        snprintf(v_id, sizeof v_id, "%lld", (long long)run_id);
        snprintf(v_ws, sizeof v_ws, "%.9g", now_s() - t0);
        snprintf(v_rr, sizeof v_rr, "%llu", (unsigned long long)nres);
        snprintf(v_pr, sizeof v_pr, "%llu", (unsigned long long)nprop);
        const char *uv[4] = {v_id, v_ws, v_rr, v_pr};
        qname(tab, sizeof tab, db, "match_runs");
        snprintf(sql, sizeof sql,
                 "UPDATE %s SET status = 'complete', finished_at = clock_timestamp(), write_seconds = $2, "
                 "result_rows = $3, proposal_rows = $4 WHERE run_id = $1", tab);
        if (!(r = execp(db, sql, 4, uv, "write run: complete", &st))) goto fail;
        PQclear(r);
    }
    if ((st = exec0(db, "COMMIT", "write run: commit"))) goto fail;
    lm__free(tmp);
    lm__pgc_buf_free(&b);
    *out_run_id = run_id;
    lm__clear(&db->err);
    return LM_OK;
fail:
    lm__free(tmp);
    lm__pgc_buf_free(&b);
    rollback(db);
    return st;
}

int lm_db_write_run(int64_t *out_run_id, lm_db *db, const lm_results *results, const lm_assignment *assignment,
                    const lm_run_info *info) {
    if (!db) return LM_ERR_NULL;
    if (!results) return lm__fail(&db->err, LM_ERR_NULL, "write run: results is NULL");
    if (info && info->struct_size < sizeof(lm_run_info))
        return lm__fail(&db->err, LM_ERR_INVALID, "write run: info struct_size %zu too small", info->struct_size);
    lm_run_part p = LM_RUN_PART_INIT;
    p.results = results;
    p.assignment = assignment;
    p.region = info ? info->region : 0;
    return lm_db_write_run_parts(out_run_id, db, &p, sizeof p, 1, info);
}

/* ---- for pg_process.c ------------------------------------------------------------------- */
int lm__pg_exec0(lm_db *db, const char *sql, const char *what) { return exec0(db, sql, what); }
PGresult *lm__pg_execp(lm_db *db, const char *sql, int n, const char *const *vals, const char *what, int *st) {
    return execp(db, sql, n, vals, what, st);
}
void lm__pg_rollback(lm_db *db) { rollback(db); }
int lm__pg_ready(lm_db *db, const char *what) { return ready(db, what); }
int lm__pg_version(lm_db *db, int32_t *out) { return read_version(db, out); }
