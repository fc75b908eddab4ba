/* The proposal lifecycle in PostgreSQL (schema version 2): proposal ids of
 * written runs, the history for the engine, status changes with optimistic
 * versioning, the access log, proposal listings and run changes.
 * Same rules as pg.c: values only as parameters, one transaction per call,
 * nothing changed on error. Tables: docs/postgresql.md; states:
 * docs/lifecycle.md. */
#include "pg_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSTATUS 8

static int64_t i64_at(const PGresult *r, int row, int col) {
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* Connected, idle and at schema version 2 or later. */
static int need_v2(lm_db *db, const char *what) {
    int st = lm__pg_ready(db, what);
    if (st) return st;
    int32_t ver = 0;
    if ((st = lm__pg_version(db, &ver))) return st;
    if (ver < 2)
        return lm__fail(&db->err, LM_ERR_STATE, "%s: schema version %d has no proposal lifecycle; upgrade it to "
                        "version 2 with lm_db_init() (lmatch db init)", what, (int)ver);
    return LM_OK;
}

/* ---- run writing ------------------------------------------------------------------ */
int lm__pg_record_run(lm_db *db, int64_t run_id, const int32_t *regions, size_t nregions, int32_t day) {
    size_t cap = 3 + nregions * 12;
    char *arr = lm__malloc(cap);
    if (!arr) return lm__fail(&db->err, LM_ERR_NOMEM, "write run: out of memory");
    size_t k = 0;
    arr[k++] = '{';
    for (size_t i = 0; i < nregions; i++) k += (size_t)snprintf(arr + k, cap - k, "%s%d", i ? "," : "", (int)regions[i]);
    snprintf(arr + k, cap - k, "}");
    char v_id[24], v_day[16], sql[256];
    snprintf(v_id, sizeof v_id, "%lld", (long long)run_id);
    snprintf(v_day, sizeof v_day, "%d", (int)day);
    snprintf(sql, sizeof sql, "SELECT %s.record_run($1::bigint, $2::integer[], $3::regclass, $4::regclass, $5::integer)",
             db->qschema);
    const char *vals[5] = {v_id, arr, db->qtab[1], db->qtab[0], v_day};
    int st;
    PGresult *r = lm__pg_execp(db, sql, 5, vals, "write run: proposal lifecycle", &st);
    PQclear(r);
    lm__free(arr);
    int32_t ver = 0;
    if (!st) st = lm__pg_version(db, &ver);
    if (!st && ver >= 3) {
        /* Schema 3: the new proposals keep the vacancy's kind of this night
         * (through jsonb, so a host's vacancies view without the column reads 0). */
        char sql3[600];
        snprintf(sql3, sizeof sql3,
                 "UPDATE %s.proposal_state s SET kind = coalesce((to_jsonb(v) ->> 'kind')::smallint, 0) FROM %s v "
                 "WHERE s.first_run_id = $1 AND s.kind IS NULL AND v.id = s.vacancy_id", db->qschema, db->qtab[1]);
        const char *v3[1] = {v_id};
        r = lm__pg_execp(db, sql3, 1, v3, "write run: proposal kinds", &st);
        PQclear(r);
    }
    return st;
}

/* ---- history ------------------------------------------------------------------------ */
typedef struct hist_cols {
    int64_t *pid, *vac, *cand, *lead;
    int32_t *status, *day, *reason;
} hist_cols;

static void hist_cols_free(hist_cols *h) {
    lm__free(h->pid);
    lm__free(h->vac);
    lm__free(h->cand);
    lm__free(h->lead);
    lm__free(h->status);
    lm__free(h->day);
    lm__free(h->reason);
}

/* The text result into columns; LM_ERR_FORMAT names a row the library cannot read. */
static int parse_history(lm_db *db, const PGresult *r, hist_cols *h, size_t n) {
    size_t m = n ? n : 1;
    h->pid = lm__malloc(m * 8), h->vac = lm__malloc(m * 8), h->cand = lm__malloc(m * 8), h->lead = lm__malloc(m * 8);
    h->status = lm__malloc(m * 4), h->day = lm__malloc(m * 4), h->reason = lm__malloc(m * 4);
    if (!h->pid || !h->vac || !h->cand || !h->lead || !h->status || !h->day || !h->reason)
        return lm__fail(&db->err, LM_ERR_NOMEM, "load history: out of memory");
    for (size_t i = 0; i < n; i++) {
        int row = (int)i;
        h->pid[i] = i64_at(r, row, 0);
        h->vac[i] = i64_at(r, row, 1);
        h->cand[i] = i64_at(r, row, 2);
        long long day = i64_at(r, row, 4);
        h->lead[i] = i64_at(r, row, 5);
        if (lm_proposal_status_parse(&h->status[i], PQgetvalue(r, row, 3)) ||
            lm_reason_parse(&h->reason[i], PQgetvalue(r, row, 6)) || day < 0 || day > INT32_MAX || h->lead[i] < 0)
            return lm__fail(&db->err, LM_ERR_FORMAT, "load history: proposal %lld: status '%s', reason '%s', day %lld "
                            "or lead_org %lld cannot be read", (long long)h->pid[i], PQgetvalue(r, row, 3),
                            PQgetvalue(r, row, 6), day, (long long)h->lead[i]);
        h->day[i] = (int32_t)day;
    }
    return LM_OK;
}

int lm_db_load_history(lm_history **out, lm_db *db) {
    static const char what[] = "load history";
    if (!db) return LM_ERR_NULL;
    if (!out) return lm__fail(&db->err, LM_ERR_NULL, "%s: out is NULL", what);
    *out = NULL;
    int st = need_v2(db, what);
    if (st) return st;
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT proposal_id, vacancy_id, candidate_id, status, status_day - DATE '1970-01-01', "
             "coalesce(lead_org, 0), reason FROM %s.proposal_state ORDER BY proposal_id", db->qschema);
    PGresult *r = lm__pg_execp(db, sql, 0, NULL, what, &st);
    if (!r) return st;
    size_t n = (size_t)PQntuples(r);
    if (n > (size_t)LM_MAX_BATCH) {
        PQclear(r);
        return lm__fail(&db->err, LM_ERR_LIMIT, "%s: %zu proposals exceed %d", what, n, LM_MAX_BATCH);
    }
    hist_cols h = {0};
    lm_history *hist = NULL;
    if (!(st = parse_history(db, r, &h, n)) && (st = lm_history_create(&hist)))
        lm__fail(&db->err, st, "%s: out of memory", what);
    PQclear(r);
    if (!st) {
        lm_history_cols c = LM_HISTORY_COLS_INIT;
        c.proposal_id = h.pid, c.vacancy_id = h.vac, c.candidate_id = h.cand, c.status = h.status, c.day = h.day;
        c.lead_org = h.lead, c.reason = h.reason;
        if ((st = lm_history_add(hist, &c, n)))
            lm__fail(&db->err, st == LM_ERR_NOMEM ? st : LM_ERR_FORMAT, "%s: %s", what, lm_history_errmsg(hist));
        if (st && st != LM_ERR_NOMEM) st = LM_ERR_FORMAT;
    }
    hist_cols_free(&h);
    if (st) {
        lm_history_free(hist);
        return st;
    }
    *out = hist;
    lm__clear(&db->err);
    return LM_OK;
}

/* ---- status changes ------------------------------------------------------------------- */
static const lm_status_change *change_at(const lm_status_change *c, size_t elem, size_t i) {
    return (const lm_status_change *)(const void *)((const unsigned char *)c + i * elem);
}

int lm__pg_check_change(lm_db *db, const lm_status_change *c, size_t i) {
    if (c->struct_size < sizeof(lm_status_change))
        return lm__fail(&db->err, LM_ERR_INVALID, "set status: change %zu: struct_size %zu too small (use "
                        "LM_STATUS_CHANGE_INIT)", i, c->struct_size);
    long long pid = (long long)c->proposal_id;
    if (c->proposal_id <= 0)
        return lm__fail(&db->err, LM_ERR_RANGE, "set status: change %zu: proposal id %lld must be > 0", i, pid);
    if (!lm_proposal_status_name(c->status))
        return lm__fail(&db->err, LM_ERR_RANGE, "set status: change %zu (proposal %lld): status %d unknown", i, pid,
                        (int)c->status);
    if (!lm_reason_name(c->reason))
        return lm__fail(&db->err, LM_ERR_RANGE, "set status: change %zu (proposal %lld): reason %d unknown", i, pid,
                        (int)c->reason);
    if (c->by_org < 0 || c->expected_version < -1 || c->expected_version > INT32_MAX || c->day < 0)
        return lm__fail(&db->err, LM_ERR_RANGE, "set status: change %zu (proposal %lld): by_org %lld, expected_version "
                        "%lld or day %d out of range", i, pid, (long long)c->by_org, (long long)c->expected_version,
                        (int)c->day);
    return LM_OK;
}

/* One change inside the open transaction. */
int lm__pg_apply_change(lm_db *db, const lm_status_change *c, size_t i) {
    char sql[1400], v_id[24], v_by[24], v_day[16], v_ver[16];
    long long pid = (long long)c->proposal_id;
    snprintf(v_id, sizeof v_id, "%lld", pid);
    snprintf(sql, sizeof sql, "SELECT status, version FROM %s.proposal_state WHERE proposal_id = $1", db->qschema);
    const char *v1[1] = {v_id};
    int st;
    PGresult *r = lm__pg_execp(db, sql, 1, v1, "set status", &st);
    if (!r) return st;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return lm__fail(&db->err, LM_ERR_UNKNOWN_ID, "set status: change %zu: no proposal %lld", i, pid);
    }
    int32_t from = -1;
    lm_proposal_status_parse(&from, PQgetvalue(r, 0, 0));
    int64_t ver = i64_at(r, 0, 1);
    PQclear(r);
    if (lm_proposal_transition(from, c->status) != LM_OK)
        return lm__fail(&db->err, LM_ERR_STATE, "set status: change %zu: proposal %lld is %s; %s -> %s is not allowed "
                        "(docs/lifecycle.md)", i, pid, lm_proposal_status_name(from) ? lm_proposal_status_name(from) : "?",
                        lm_proposal_status_name(from) ? lm_proposal_status_name(from) : "?",
                        lm_proposal_status_name(c->status));
    int64_t expect = c->expected_version >= 0 ? c->expected_version : ver;
    if (expect != ver)
        return lm__fail(&db->err, LM_ERR_CONFLICT, "set status: change %zu: proposal %lld is at version %lld, not %lld: "
                        "changed by someone else; read it again", i, pid, (long long)ver, (long long)expect);
    snprintf(v_by, sizeof v_by, "%lld", (long long)c->by_org);
    snprintf(v_ver, sizeof v_ver, "%lld", (long long)expect);
    snprintf(v_day, sizeof v_day, "%d", (int)c->day);
    const char *q = db->qschema;
    snprintf(sql, sizeof sql,
             "WITH u AS (UPDATE %s.proposal_state SET status = $2, reason = $3, "
             "lead_org = CASE WHEN $2 = 'introduced' THEN $4::bigint ELSE lead_org END, version = version + 1, "
             "changed_at = now(), status_day = CASE WHEN $5::integer = 0 THEN current_date "
             "ELSE DATE '1970-01-01' + $5::integer END "
             "WHERE proposal_id = $1 AND version = $6 RETURNING proposal_id, vacancy_id, candidate_id), "
             "e AS (INSERT INTO %s.proposal_events (proposal_id, from_status, to_status, by_org, reason) "
             "SELECT proposal_id, $7, $2, $4, $3 FROM u), "
             "a AS (INSERT INTO %s.access_log (viewer_org, action, proposal_id, candidate_id, vacancy_id) "
             "SELECT $4, 'status', proposal_id, candidate_id, vacancy_id FROM u) "
             "SELECT count(*) FROM u", q, q, q);
    const char *vals[7] = {v_id, lm_proposal_status_name(c->status), lm_reason_name(c->reason), v_by, v_day, v_ver,
                           lm_proposal_status_name(from)};
    if (!(r = lm__pg_execp(db, sql, 7, vals, "set status", &st))) return st;
    int64_t n = i64_at(r, 0, 0);
    PQclear(r);
    if (n != 1)
        return lm__fail(&db->err, LM_ERR_CONFLICT, "set status: change %zu: proposal %lld was changed by someone else "
                        "after it was read (version %lld); read it again", i, pid, (long long)expect);
    return LM_OK;
}

int lm_db_set_status_batch(lm_db *db, const lm_status_change *changes, size_t elem_size, size_t n) {
    if (!db) return LM_ERR_NULL;
    if (!changes) return lm__fail(&db->err, LM_ERR_NULL, "set status: changes is NULL");
    if (elem_size < sizeof(lm_status_change))
        return lm__fail(&db->err, LM_ERR_INVALID, "set status: elem_size %zu too small", elem_size);
    if (n == 0) return lm__fail(&db->err, LM_ERR_INVALID, "set status: no changes (n = 0)");
    if (n > (size_t)LM_MAX_BATCH) return lm__fail(&db->err, LM_ERR_LIMIT, "set status: %zu changes exceed %d", n, LM_MAX_BATCH);
    int st;
    for (size_t i = 0; i < n; i++)
        if ((st = lm__pg_check_change(db, change_at(changes, elem_size, i), i))) return st;
    if ((st = need_v2(db, "set status"))) return st;
    if ((st = lm__pg_exec0(db, "BEGIN", "set status: begin"))) return st;
    for (size_t i = 0; i < n && !st; i++) {
        st = lm__pg_apply_change(db, change_at(changes, elem_size, i), i);
        if (!st && db->progress && db->progress(db->progress_user, i + 1, n))
            st = lm__fail(&db->err, LM_ERR_CANCELLED, "set status: cancelled by the progress callback after %zu changes",
                          i + 1);
    }
    if (!st) st = lm__pg_exec0(db, "COMMIT", "set status: commit");
    if (st) {
        lm__pg_rollback(db);
        return st;
    }
    lm__clear(&db->err);
    return LM_OK;
}

int lm_db_set_status(lm_db *db, const lm_status_change *change) {
    if (!db) return LM_ERR_NULL;
    if (!change) return lm__fail(&db->err, LM_ERR_NULL, "set status: change is NULL");
    if (change->struct_size < sizeof(lm_status_change)) return lm__pg_check_change(db, change, 0);
    return lm_db_set_status_batch(db, change, sizeof *change, 1);
}

/* ---- access log ----------------------------------------------------------------------- */
static int insert_access(lm_db *db, int64_t org, const char *action, int64_t vac, int64_t cand, int64_t pid) {
    char sql[300], v_org[24], v_vac[24], v_cand[24], v_pid[24];
    snprintf(v_org, sizeof v_org, "%lld", (long long)org);
    snprintf(v_vac, sizeof v_vac, "%lld", (long long)vac);
    snprintf(v_cand, sizeof v_cand, "%lld", (long long)cand);
    snprintf(v_pid, sizeof v_pid, "%lld", (long long)pid);
    snprintf(sql, sizeof sql, "INSERT INTO %s.access_log (viewer_org, action, vacancy_id, candidate_id, proposal_id) "
             "VALUES ($1, $2, nullif($3::bigint, 0), nullif($4::bigint, 0), nullif($5::bigint, 0))", db->qschema);
    const char *vals[5] = {v_org, action, v_vac, v_cand, v_pid};
    int st;
    PGresult *r = lm__pg_execp(db, sql, 5, vals, "log access", &st);
    PQclear(r);
    return st;
}

int lm_db_log_access(lm_db *db, int64_t viewer_org, const char *action, int64_t vacancy_id, int64_t candidate_id,
                     int64_t proposal_id) {
    if (!db) return LM_ERR_NULL;
    if (!action) return lm__fail(&db->err, LM_ERR_NULL, "log access: action is NULL");
    size_t len = strlen(action);
    bool ok = len >= 1 && len <= 32;
    for (size_t i = 0; ok && i < len; i++)
        ok = (action[i] >= 'a' && action[i] <= 'z') || (action[i] >= '0' && action[i] <= '9') || action[i] == '_';
    if (!ok) return lm__fail(&db->err, LM_ERR_RANGE, "log access: action must be 1..32 characters a-z, 0-9, _");
    if (viewer_org < 0 || proposal_id < 0)
        return lm__fail(&db->err, LM_ERR_RANGE, "log access: viewer_org %lld or proposal_id %lld negative",
                        (long long)viewer_org, (long long)proposal_id);
    int st = need_v2(db, "log access");
    if (!st) st = insert_access(db, viewer_org, action, vacancy_id, candidate_id, proposal_id);
    if (!st) lm__clear(&db->err);
    return st;
}

/* ---- listings -------------------------------------------------------------------------- */
/* run_id 0 -> the latest complete run; a given run must exist and be complete. */
static int resolve_run(lm_db *db, int64_t *run_id, const char *what) {
    char sql[300], v_id[24];
    snprintf(v_id, sizeof v_id, "%lld", (long long)*run_id);
    snprintf(sql, sizeof sql, "SELECT max(run_id) FROM %s.match_runs WHERE status = 'complete' AND "
             "($1::bigint = 0 OR run_id = $1)", db->qschema);
    const char *vals[1] = {v_id};
    int st;
    PGresult *r = lm__pg_execp(db, sql, 1, vals, what, &st);
    if (!r) return st;
    bool none = PQgetisnull(r, 0, 0);
    int64_t got = i64_at(r, 0, 0);
    PQclear(r);
    if (none)
        return *run_id ? lm__fail(&db->err, LM_ERR_UNKNOWN_ID, "%s: no complete run %lld", what, (long long)*run_id)
                       : lm__fail(&db->err, LM_ERR_UNKNOWN_ID, "%s: no complete run yet", what);
    *run_id = got;
    return LM_OK;
}

static int check_filter(lm_db *db, const lm_proposal_filter *f) {
    if (f->struct_size < sizeof(lm_proposal_filter))
        return lm__fail(&db->err, LM_ERR_INVALID, "proposals: filter struct_size %zu too small (use "
                        "LM_PROPOSAL_FILTER_INIT)", f->struct_size);
    if (f->run_id < -1 || (f->status != -1 && !lm_proposal_status_name(f->status)) || f->org < 0 || f->proposal_id < 0 ||
        f->viewer_org < 0)
        return lm__fail(&db->err, LM_ERR_RANGE, "proposals: filter out of range (run_id %lld, status %d, org %lld, "
                        "proposal_id %lld, viewer_org %lld)", (long long)f->run_id, (int)f->status, (long long)f->org,
                        (long long)f->proposal_id, (long long)f->viewer_org);
    return LM_OK;
}

static PGresult *query_proposals(lm_db *db, const lm_proposal_filter *f, int64_t run, int *st) {
    char sql[2000], score[300], from[300], v_run[24], v_org[24], v_pid[24];
    const char *q = db->qschema;
    snprintf(v_run, sizeof v_run, "%lld", (long long)run);
    snprintf(v_org, sizeof v_org, "%lld", (long long)f->org);
    snprintf(v_pid, sizeof v_pid, "%lld", (long long)f->proposal_id);
    if (run) {
        snprintf(score, sizeof score, "p.score");
        snprintf(from, sizeof from, "%s.proposals p JOIN %s.proposal_state s ON s.proposal_id = p.proposal_id "
                 "WHERE p.run_id = $1 AND", q, q);
    } else {
        snprintf(score, sizeof score, "(SELECT max(x.score) FROM %s.proposals x WHERE x.run_id = s.last_run_id "
                 "AND x.proposal_id = s.proposal_id)", q);
        snprintf(from, sizeof from, "%s.proposal_state s WHERE $1::bigint = 0 AND", q);
    }
    snprintf(sql, sizeof sql,
             "SELECT s.proposal_id, %s, s.vacancy_id, s.candidate_id, s.owner_org, coalesce(s.lead_org, 0), s.status, "
             "s.reason, s.version, s.status_day - DATE '1970-01-01', coalesce(s.first_run_id, 0), "
             "coalesce(s.last_run_id, 0), %s FROM %s ($2::text IS NULL OR s.status = $2) AND "
             "($3::bigint = 0 OR s.owner_org = $3 OR s.lead_org = $3) AND ($4::bigint = 0 OR s.proposal_id = $4) "
             "ORDER BY s.proposal_id", run ? "p.run_id" : "coalesce(s.last_run_id, 0)", score, from);
    const char *vals[4] = {v_run, f->status >= 0 ? lm_proposal_status_name(f->status) : NULL, v_org, v_pid};
    return lm__pg_execp(db, sql, 4, vals, "proposals", st);
}

static void fill_row(lm_proposal_row *row, const PGresult *r, int i) {
    memset(row, 0, sizeof *row);
    row->struct_size = sizeof *row;
    row->proposal_id = i64_at(r, i, 0);
    row->run_id = i64_at(r, i, 1);
    row->vacancy_id = i64_at(r, i, 2);
    row->candidate_id = i64_at(r, i, 3);
    row->owner_org = i64_at(r, i, 4);
    row->lead_org = i64_at(r, i, 5);
    lm_proposal_status_parse(&row->status, PQgetvalue(r, i, 6));
    lm_reason_parse(&row->reason, PQgetvalue(r, i, 7));
    row->version = (int32_t)i64_at(r, i, 8);
    row->day = (int32_t)i64_at(r, i, 9);
    row->first_run_id = i64_at(r, i, 10);
    row->last_run_id = i64_at(r, i, 11);
    row->score = PQgetisnull(r, i, 12) ? NAN : strtof(PQgetvalue(r, i, 12), NULL);
}

int lm_db_proposals(size_t *out_count, lm_db *db, const lm_proposal_filter *filter, lm_proposal_fn fn, void *user) {
    if (!db) return LM_ERR_NULL;
    if (!fn) return lm__fail(&db->err, LM_ERR_NULL, "proposals: callback is NULL");
    lm_proposal_filter f = LM_PROPOSAL_FILTER_INIT;
    int st;
    if (filter) {
        if ((st = check_filter(db, filter))) return st;
        f = *filter;
    }
    if ((st = need_v2(db, "proposals"))) return st;
    int64_t run = f.run_id;
    if (run == -1) run = 0;
    if (f.run_id != 0 && (st = resolve_run(db, &run, "proposals"))) return st;
    PGresult *r = query_proposals(db, &f, f.run_id ? run : 0, &st);
    if (!r) return st;
    size_t n = (size_t)PQntuples(r), done = 0;
    lm_proposal_row row;
    for (size_t i = 0; i < n && !st; i++) {
        fill_row(&row, r, (int)i);
        if (fn(user, &row)) st = lm__fail(&db->err, LM_ERR_CANCELLED, "proposals: stopped by the callback at row %zu", i);
        else done++;
    }
    PQclear(r);
    if (out_count) *out_count = done;
    if (!st && f.viewer_org > 0) st = insert_access(db, f.viewer_org, "list", 0, 0, f.proposal_id);
    if (!st) lm__clear(&db->err);
    return st;
}

int lm_db_proposal_counts(int64_t *out, size_t capacity, lm_db *db) {
    if (!db) return LM_ERR_NULL;
    if (!out) return lm__fail(&db->err, LM_ERR_NULL, "proposal counts: out is NULL");
    int st = need_v2(db, "proposal counts");
    if (st) return st;
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT status, count(*) FROM %s.proposal_state GROUP BY status", db->qschema);
    PGresult *r = lm__pg_execp(db, sql, 0, NULL, "proposal counts", &st);
    if (!r) return st;
    for (size_t i = 0; i < capacity; i++) out[i] = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        int32_t s = -1;
        if (!lm_proposal_status_parse(&s, PQgetvalue(r, i, 0)) && (size_t)s < capacity) out[s] = i64_at(r, i, 1);
    }
    PQclear(r);
    lm__clear(&db->err);
    return LM_OK;
}

/* ---- run changes ------------------------------------------------------------------------ */
static int32_t kind_of(const char *k) {
    static const char *const kinds[] = {"new_in_topk", "dropped_from_topk", "became_feasible", "proposal_gone"};
    for (int32_t i = 0; i < 4; i++)
        if (!strcmp(k, kinds[i])) return i;
    return -1;
}

/* The run that record_run() compared run_id with (002_lifecycle.sql), 0 if none. */
static int prev_run(lm_db *db, int64_t run_id, int64_t *out, const char *what) {
    char sql[400], v_id[24];
    snprintf(v_id, sizeof v_id, "%lld", (long long)run_id);
    snprintf(sql, sizeof sql,
             "SELECT coalesce(max(m.run_id), 0) FROM %s.match_runs m JOIN %s.match_runs r ON r.run_id = $1 "
             "WHERE m.status = 'complete' AND m.region = r.region AND m.run_id < $1",
             db->qschema, db->qschema);
    const char *vals[1] = {v_id};
    int st;
    PGresult *r = lm__pg_execp(db, sql, 1, vals, what, &st);
    if (!r) return st;
    *out = PQntuples(r) == 1 ? i64_at(r, 0, 0) : 0;
    PQclear(r);
    return LM_OK;
}

int lm_db_run_changes(int64_t *out_run_id, int64_t *out_prev_run_id, lm_db *db, int64_t run_id, lm_run_change_fn fn,
                      void *user) {
    static const char what[] = "run changes";
    if (!db) return LM_ERR_NULL;
    if (!fn) return lm__fail(&db->err, LM_ERR_NULL, "%s: callback is NULL", what);
    if (run_id < 0) return lm__fail(&db->err, LM_ERR_RANGE, "%s: run id %lld negative", what, (long long)run_id);
    int st = need_v2(db, what);
    if (st) return st;
    if ((st = resolve_run(db, &run_id, what))) return st;
    int64_t prev = 0;
    if ((st = prev_run(db, run_id, &prev, what))) return st;
    char sql[600], v_id[24];
    snprintf(v_id, sizeof v_id, "%lld", (long long)run_id);
    snprintf(sql, sizeof sql,
             "SELECT run_id, prev_run_id, coalesce(vacancy_id, 0), candidate_id, coalesce(proposal_id, 0), kind, "
             "coalesce(reason, '') FROM %s.run_changes WHERE run_id = $1 ORDER BY CASE kind WHEN 'proposal_gone' THEN 0 "
             "WHEN 'new_in_topk' THEN 1 WHEN 'dropped_from_topk' THEN 2 ELSE 3 END, vacancy_id NULLS FIRST, candidate_id",
             db->qschema);
    const char *vals[1] = {v_id};
    PGresult *r = lm__pg_execp(db, sql, 1, vals, what, &st);
    if (!r) return st;
    lm_run_change c;
    for (int i = 0; i < PQntuples(r) && !st; i++) {
        memset(&c, 0, sizeof c);
        c.struct_size = sizeof c;
        c.run_id = i64_at(r, i, 0);
        c.prev_run_id = i64_at(r, i, 1);
        c.vacancy_id = i64_at(r, i, 2);
        c.candidate_id = i64_at(r, i, 3);
        c.proposal_id = i64_at(r, i, 4);
        c.kind = kind_of(PQgetvalue(r, i, 5));
        c.reason = PQgetvalue(r, i, 6);
        if (fn(user, &c)) st = lm__fail(&db->err, LM_ERR_CANCELLED, "%s: stopped by the callback at row %d", what, i);
    }
    PQclear(r);
    if (st) return st;
    if (out_run_id) *out_run_id = run_id;
    if (out_prev_run_id) *out_prev_run_id = prev;
    lm__clear(&db->err);
    return LM_OK;
}
