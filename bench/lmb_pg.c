/* PostgreSQL peer of lmbench: the same top-k per vacancy as one plain SQL
 * query (dot product of float4[] columns through unnest, and the hard filters
 * in the WHERE clause), on the same data, in a throwaway schema. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "lmb.h"

#include <libpq-fe.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int fail(lmb_pg_result *r, PGconn *c, const char *what, PGresult *res) {
    snprintf(r->error, sizeof r->error, "%s: %s", what,
             res ? PQresultErrorMessage(res) : (c ? PQerrorMessage(c) : "no connection"));
    size_t n = strlen(r->error);
    while (n && (r->error[n - 1] == '\n' || r->error[n - 1] == ' ')) r->error[--n] = 0;
    if (res) PQclear(res);
    return -1;
}

static int exec_ok(lmb_pg_result *r, PGconn *c, const char *sql) {
    PGresult *res = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return fail(r, c, sql, res);
    PQclear(res);
    return 0;
}

/* Growable text buffer for COPY. */
typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int w = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (w >= 0 && (size_t)w < b->cap - b->n) {
            b->n += (size_t)w;
            return;
        }
        b->cap = b->cap * 2 + (size_t)w + 4096;
        b->p = realloc(b->p, b->cap);
    }
}

static void sb_vec(sbuf *b, const float *v, uint32_t d) {
    sb_printf(b, "{");
    for (uint32_t j = 0; j < d; j++) sb_printf(b, j ? ",%.9g" : "%.9g", (double)v[j]);
    sb_printf(b, "}");
}

static int copy_in(lmb_pg_result *r, PGconn *c, const char *sql, const sbuf *b) {
    PGresult *res = PQexec(c, sql);
    if (PQresultStatus(res) != PGRES_COPY_IN) return fail(r, c, sql, res);
    PQclear(res);
    if (PQputCopyData(c, b->p, (int)b->n) != 1 || PQputCopyEnd(c, NULL) != 1) return fail(r, c, "COPY data", NULL);
    res = PQgetResult(c);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) return fail(r, c, "COPY end", res);
    PQclear(res);
    while ((res = PQgetResult(c))) PQclear(res);
    return 0;
}

/* The query a SQL user would write: per vacancy, the hard filters of
 * docs/scoring.md (car travel time by the documented geometric estimate:
 * 6 min access + great-circle km x 1.3 / 60 km/h), the competence cosine as
 * the dot product of the stored unit vectors, best k first, ties by id. */
static const char *QUERY =
    "SELECT v.id, t.cid FROM lmbench.vac v CROSS JOIN LATERAL ("
    " SELECT c.id AS cid, (SELECT sum(a * b) FROM unnest(c.vec, v.vec) AS u(a, b)) AS s"
    " FROM lmbench.cand c"
    " WHERE (c.groups & v.acc) <> 0 AND c.ready <= v.maxready AND c.lw >= v.minlw"
    "   AND (c.flags & v.req) = v.req AND c.hmin <= v.hmax AND v.hmin <= c.hmax"
    "   AND c.avail <= v.open_until AND v.slots > 0"
    "   AND 6 + 2 * 6371.0088 * asin(sqrt(power(sin(radians(v.lat - c.lat) / 2), 2)"
    "       + cos(radians(c.lat)) * cos(radians(v.lat)) * power(sin(radians(v.lon - c.lon) / 2), 2)))"
    "       * 1.3 / 60 * 60 <= least($1::float8, CASE WHEN c.maxmin > 0 THEN c.maxmin ELSE $1::float8 END)"
    " ORDER BY s DESC, c.id LIMIT $2) t ORDER BY v.id, t.s DESC, t.cid";

int lmb_pg_run(lmb_pg_result *r, const char *conninfo, const lmb_data *d, uint32_t k, int reps, double budget_s) {
    memset(r, 0, sizeof *r);
    PGconn *c = PQconnectdb(conninfo ? conninfo : "");
    if (PQstatus(c) != CONNECTION_OK) {
        fail(r, c, "connect", NULL);
        PQfinish(c);
        return -1;
    }
    int rc = -1;
    sbuf b = {NULL, 0, 0};
    int sv = PQserverVersion(c);
    snprintf(r->version, sizeof r->version, "%d.%d", sv / 10000, sv % 10000);
    if (exec_ok(r, c, "SET client_min_messages = warning") || exec_ok(r, c, "DROP SCHEMA IF EXISTS lmbench CASCADE") ||
        exec_ok(r, c, "CREATE SCHEMA lmbench") ||
        exec_ok(r, c,
                "CREATE TABLE lmbench.cand (id bigint PRIMARY KEY, groups int, ready int, lw real, flags bigint,"
                " hmin real, hmax real, avail int, lat float8, lon float8, maxmin real, vec real[])") ||
        exec_ok(r, c,
                "CREATE TABLE lmbench.vac (id bigint PRIMARY KEY, acc int, maxready int, minlw real, req bigint,"
                " hmin real, hmax real, open_until int, slots int, lat float8, lon float8, vec real[])"))
        goto out;
    for (size_t i = 0; i < d->nc; i++) {
        sb_printf(&b, "%lld\t%u\t%u\t%.9g\t%lld\t%.9g\t%.9g\t%d\t%.10g\t%.10g\t%.9g\t", (long long)d->c_id[i],
                  d->c_groups[i], d->c_ready[i], (double)d->c_lw[i], (long long)d->c_flags[i], (double)d->c_hmin[i],
                  (double)d->c_hmax[i], d->c_avail[i], d->c_lat[i], d->c_lon[i], (double)d->c_maxmin[i]);
        sb_vec(&b, d->cn + i * d->dim, d->dim);
        sb_printf(&b, "\n");
    }
    if (copy_in(r, c, "COPY lmbench.cand FROM STDIN", &b)) goto out;
    b.n = 0;
    for (size_t i = 0; i < d->nv; i++) {
        sb_printf(&b, "%lld\t%u\t%u\t%.9g\t%lld\t%.9g\t%.9g\t%d\t%d\t%.10g\t%.10g\t", (long long)d->v_id[i], d->v_acc[i],
                  d->v_maxready[i], (double)d->v_minlw[i], (long long)d->v_req[i], (double)d->v_hmin[i],
                  (double)d->v_hmax[i], d->v_open[i], d->v_slots[i], d->v_lat[i], d->v_lon[i]);
        sb_vec(&b, d->vn + i * d->dim, d->dim);
        sb_printf(&b, "\n");
    }
    if (copy_in(r, c, "COPY lmbench.vac FROM STDIN", &b)) goto out;
    if (exec_ok(r, c, "ANALYZE lmbench.cand") || exec_ok(r, c, "ANALYZE lmbench.vac")) goto out;

    /* The policy limit of the data (LMB_OPEN / LMB_ELIG: 24 h; realistic: 90 min). */
    char limit[32], kk[16];
    snprintf(limit, sizeof limit, "%d", d->kind == LMB_REAL ? 90 : 1440);
    snprintf(kk, sizeof kk, "%u", k);
    const char *params[2] = {limit, kk};
    double *t = calloc((size_t)(reps > 0 ? reps : 1), sizeof *t);
    r->top = malloc(d->nv * k * sizeof *r->top);
    if (!t || !r->top) {
        free(t);
        snprintf(r->error, sizeof r->error, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < d->nv * k; i++) r->top[i] = -1;
    int n = 0;
    for (int rep = 0; rep < reps; rep++) {
        double t0 = lmb_now();
        PGresult *res = PQexecParams(c, QUERY, 2, NULL, params, NULL, NULL, 0);
        double dt = lmb_now() - t0;
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
            free(t);
            fail(r, c, "top-k query", res);
            goto out;
        }
        t[n++] = dt;
        if (rep == 0) {
            size_t fill = 0, last = (size_t)-1;
            for (int row = 0; row < PQntuples(res); row++) {
                long long vid = atoll(PQgetvalue(res, row, 0)), cid = atoll(PQgetvalue(res, row, 1));
                size_t vi = (size_t)(vid - 1);
                if (vi >= d->nv) continue;
                if (vi != last) fill = 0, last = vi;
                if (fill < k) r->top[vi * k + fill++] = cid;
            }
        }
        PQclear(res);
        if (rep == 0 && dt * reps > budget_s) {
            int allowed = (int)(budget_s / (dt > 1e-9 ? dt : 1e-9));
            if (allowed < 1) allowed = 1;
            if (allowed < reps) reps = allowed;
        }
    }
    qsort(t, (size_t)n, sizeof *t, lmb_cmp_double);
    r->reps = n;
    r->min_s = t[0];
    r->max_s = t[n - 1];
    r->median_s = n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
    free(t);
    rc = 0;
out:
    if (c && PQstatus(c) == CONNECTION_OK) {
        PGresult *res = PQexec(c, "DROP SCHEMA IF EXISTS lmbench CASCADE");
        PQclear(res);
    }
    PQfinish(c);
    free(b.p);
    return rc;
}

void lmb_pg_result_free(lmb_pg_result *r) {
    free(r->top);
    r->top = NULL;
}
