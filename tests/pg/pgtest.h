/* Helpers for the PostgreSQL integration tests. The server comes from the PG*
 * variables (tests/pg/run.sh starts a throwaway cluster). Every test works in
 * its own schema, so tests may run in parallel. The tests link the static
 * library and may look at internals (pool columns) to compare pools exactly. */
#ifndef LM_PGTEST_H
#define LM_PGTEST_H

#include "../unit/testutil.h"
#include "internal.h"

#include <libpq-fe.h>

static inline PGconn *pt_conn(void) {
    PGconn *c = PQconnectdb("");
    cr_assert(PQstatus(c) == CONNECTION_OK, "connect: %s", PQerrorMessage(c));
    return c;
}

static inline void pt_exec(PGconn *c, const char *sql) {
    PGresult *r = PQexec(c, sql);
    ExecStatusType s = PQresultStatus(r);
    cr_assert(s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
}

static inline int64_t pt_i64(PGconn *c, const char *sql) {
    PGresult *r = PQexec(c, sql);
    cr_assert(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "%s: %s", sql, PQerrorMessage(c));
    int64_t v = PQgetisnull(r, 0, 0) ? -1 : strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}

/* A fresh schema (dropped first) with the libmatch tables, and a handle on it. */
static inline lm_db *pt_db(const char *schema) {
    PGconn *c = pt_conn();
    char *q = PQescapeIdentifier(c, schema, strlen(schema));
    char sql[512];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", q);
    PQfreemem(q);
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    pt_exec(c, sql);
    PQfinish(c);
    lm_db *db = NULL;
    int st = lm_db_open(&db, NULL);
    cr_assert_eq(st, LM_OK, "open: %s", lm_db_errmsg(db));
    cr_assert_eq(lm_db_set_schema(db, schema), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(lm_db_init(db), LM_OK, "init: %s", lm_db_errmsg(db));
    return db;
}

static inline void pt_seed(lm_db *db, const tu_data *d) {
    lm_candidate_cols c = tu_ccols(d, 0);
    lm_vacancy_cols v = tu_vcols(d, 0);
    if (d->nc) cr_assert_eq(lm_db_write_candidates(db, &c, d->nc), LM_OK, "%s", lm_db_errmsg(db));
    if (d->nv) cr_assert_eq(lm_db_write_vacancies(db, &v, d->nv), LM_OK, "%s", lm_db_errmsg(db));
}

/* pt_seed for a schema older than version 3: without the 1.2 columns (needs,
 * offers, kind), which such a schema refuses. */
static inline void pt_seed_old(lm_db *db, const tu_data *d) {
    lm_candidate_cols c = tu_ccols(d, 0);
    lm_vacancy_cols v = tu_vcols(d, 0);
    c.needs = NULL;
    v.offers = NULL;
    v.kind = NULL;
    if (d->nc) cr_assert_eq(lm_db_write_candidates(db, &c, d->nc), LM_OK, "%s", lm_db_errmsg(db));
    if (d->nv) cr_assert_eq(lm_db_write_vacancies(db, &v, d->nv), LM_OK, "%s", lm_db_errmsg(db));
}

static inline lm_pool *pt_load(lm_db *db, uint32_t dim, int64_t *wm) {
    lm_pool *p = NULL;
    cr_assert_eq(lm_pool_create(&p, dim), LM_OK);
    int64_t w = 0;
    cr_assert_eq(lm_db_load_pool(&w, db, p, 0), LM_OK, "load: %s", lm_db_errmsg(db));
    cr_assert_gt(w, 0);
    if (wm) *wm = w;
    return p;
}

/* ---- exact pool comparison through the column store ---- */
static size_t pt_col_size(const lm_layout *L, int col) {
    switch (col) {
    case LM_COL_ID: case LM_COL_ORG: case LM_COL_FLAGS: return 8;
    case LM_COL_MUNI: case LM_COL_REGION: case LM_COL_ZONE: case LM_COL_HMIN: case LM_COL_HMAX:
    case LM_COL_GROUPS: case LM_COL_LW: case LM_COL_DAY: case LM_COL_NORM: case LM_COL_MAXMIN:
    case LM_COL_PRIO: case LM_COL_SLOTS: return 4;
    case LM_COL_XYZ: return 24;
    case LM_COL_LATLON: return 16;
    case LM_COL_LIVE: case LM_COL_READY: case LM_COL_MODES: case LM_COL_SCOPE: return 1;
    case LM_COL_VEC: return (size_t)L->vec_stride * 4u;
    default: return 0;
    }
}

static int pt_cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Both pools hold the same ids on both sides with byte-identical columns. */
static inline void pt_assert_pools_equal(lm_pool *a, lm_pool *b, const char *what) {
    lm_snapshot *sa = NULL, *sb = NULL;
    cr_assert_eq(lm_pool_snapshot(&sa, a), LM_OK);
    cr_assert_eq(lm_pool_snapshot(&sb, b), LM_OK);
    for (int side = 0; side < 2; side++) {
        size_t na = 0, nb = 0;
        lm_snapshot_count(&na, sa, side);
        lm_snapshot_count(&nb, sb, side);
        cr_assert_eq(na, nb, "%s: side %d has %zu vs %zu rows", what, side, na, nb);
        int64_t *ids = calloc(na + 1, sizeof *ids), *idb = calloc(nb + 1, sizeof *idb);
        lm_snapshot_ids(ids, na, &na, sa, side);
        lm_snapshot_ids(idb, nb, &nb, sb, side);
        qsort(ids, na, sizeof *ids, pt_cmp_i64);
        qsort(idb, nb, sizeof *idb, pt_cmp_i64);
        for (size_t i = 0; i < na; i++)
            cr_assert_eq(ids[i], idb[i], "%s: side %d id sets differ at %zu (%lld vs %lld)", what, side, i,
                         (long long)ids[i], (long long)idb[i]);
        const lm_tbl *ta = sa->side[side], *tb = sb->side[side];
        for (size_t i = 0; i < na; i++) {
            int64_t sla = lm__side_find(ta, ids[i]), slb = lm__side_find(tb, ids[i]);
            cr_assert(sla >= 0 && slb >= 0);
            lm_chunk *ca = lm__chunk_of(ta, (uint32_t)sla), *cb = lm__chunk_of(tb, (uint32_t)slb);
            uint32_t ra = (uint32_t)sla & (LM_CHUNK_ROWS - 1), rb = (uint32_t)slb & (LM_CHUNK_ROWS - 1);
            for (int col = 0; col < LM_NCOLS; col++) {
                if (!ta->L->off[col]) continue;
                size_t sz = pt_col_size(ta->L, col);
                const unsigned char *pa = (const unsigned char *)ca + ta->L->off[col] + sz * ra;
                const unsigned char *pb = (const unsigned char *)cb + tb->L->off[col] + sz * rb;
                cr_assert(memcmp(pa, pb, sz) == 0, "%s: side %d id %lld column %d differs", what, side,
                          (long long)ids[i], col);
            }
        }
        free(ids);
        free(idb);
    }
    lm_snapshot_free(sa);
    lm_snapshot_free(sb);
}

/* A second connection's view: terminate the backend with this pid. */
static inline void pt_terminate(int pid) {
    PGconn *c = pt_conn();
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d, 10000)", pid);
    pt_exec(c, sql);
    PQfinish(c);
}
#endif
