/* The proposal lifecycle in PostgreSQL (schema version 2): the upgrade of a
 * version 1 database with data, proposal ids across runs, superseded
 * proposals, run changes, status changes (legal, illegal, unknown, conflict,
 * atomic batches, a killed backend), the access log and the history. */
#include "pgtest.h"
#include "pg_sql.h"

#include <math.h>
#include <pthread.h>
#include <unistd.h>

TestSuite(pg_lifecycle, .timeout = 180);

/* ---- helpers ---------------------------------------------------------------- */
static int64_t q64(PGconn *c, const char *fmt, ...) {
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    return pt_i64(c, sql);
}

/* A schema at version 1 only: the 001 script as lm_db_init would run it. */
static void create_v1(PGconn *c, const char *schema) {
    char sql[256];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", schema);
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    pt_exec(c, sql);
    const lm_pg_migration *m = &lm__pg_migrations[0];
    cr_assert_eq(m->version, 1);
    size_t cap = 1;
    for (const char *const *l = m->lines; *l; l++) cap += strlen(*l) * 2 + 64;
    char *out = calloc(cap, 1), *w = out;
    for (const char *const *l = m->lines; *l; l++)
        for (const char *p = *l; *p;) {
            if (!strncmp(p, ":\"schema\"", 9)) w += sprintf(w, "%s", schema), p += 9;
            else *w++ = *p++;
        }
    pt_exec(c, "BEGIN");
    pt_exec(c, out);
    pt_exec(c, "COMMIT");
    free(out);
}

static lm_db *open_schema(const char *schema) {
    lm_db *db = NULL;
    cr_assert_eq(lm_db_open(&db, NULL), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(lm_db_set_schema(db, schema), LM_OK);
    return db;
}

typedef struct night {
    lm_pool *pool;
    lm_snapshot *snap;
    lm_engine *eng;
    lm_results *res;
    lm_assignment *asg;
} night;

static void night_run(night *N, lm_pool *pool) {
    memset(N, 0, sizeof *N);
    N->pool = pool;
    cr_assert_eq(lm_pool_snapshot(&N->snap, pool), LM_OK);
    cr_assert_eq(lm_engine_create(&N->eng, NULL, NULL), LM_OK);
    lm_viewer v = LM_VIEWER_INIT;
    v.org = 1;
    cr_assert_eq(lm_engine_batch(&N->res, N->eng, N->snap, &v, NULL), LM_OK, "%s", lm_engine_errmsg(N->eng));
    cr_assert_eq(lm_engine_assign(&N->asg, N->eng, N->res, NULL), LM_OK, "%s", lm_engine_errmsg(N->eng));
}

static void night_free(night *N) {
    lm_assignment_free(N->asg);
    lm_results_free(N->res);
    lm_engine_free(N->eng);
    lm_snapshot_free(N->snap);
}

typedef struct pair {
    int64_t v, c;
} pair;

static int pair_cmp(const void *a, const void *b) {
    const pair *x = a, *y = b;
    if (x->v != y->v) return x->v < y->v ? -1 : 1;
    return (x->c > y->c) - (x->c < y->c);
}

/* Distinct pairs of both result directions (sorted). */
static pair *result_pairs(const lm_results *r, size_t *n) {
    size_t a = 0, b = 0, k = 0;
    lm_results_count(&a, r, 0);
    lm_results_count(&b, r, 1);
    pair *p = calloc(a + b + 1, sizeof *p);
    lm_match *m = calloc(a + b + 1, sizeof *m);
    for (int dir = 0; dir < 2; dir++) {
        size_t cnt = dir ? b : a;
        lm_results_copy(m, sizeof *m, cnt, NULL, r, dir, 0);
        for (size_t i = 0; i < cnt; i++) p[k++] = (pair){m[i].vacancy_id, m[i].candidate_id};
    }
    free(m);
    qsort(p, k, sizeof *p, pair_cmp);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (!u || pair_cmp(&p[u - 1], &p[i])) p[u++] = p[i];
    *n = u;
    return p;
}

static pair *assign_pairs(const lm_assignment *a, size_t *n) {
    lm_assignment_count(n, a);
    lm_match *m = calloc(*n + 1, sizeof *m);
    lm_assignment_copy(m, sizeof *m, *n, NULL, a, 0);
    pair *p = calloc(*n + 1, sizeof *p);
    for (size_t i = 0; i < *n; i++) p[i] = (pair){m[i].vacancy_id, m[i].candidate_id};
    free(m);
    qsort(p, *n, sizeof *p, pair_cmp);
    return p;
}

static bool has_pair(const pair *p, size_t n, pair k) { return bsearch(&k, p, n, sizeof *p, pair_cmp) != NULL; }

static int64_t write_night(lm_db *db, const night *N) {
    int64_t run = 0;
    cr_assert_eq(lm_db_write_run(&run, db, N->res, N->asg, NULL), LM_OK, "%s", lm_db_errmsg(db));
    return run;
}

static int64_t pid_of(PGconn *c, const char *schema, int64_t run, pair p) {
    return q64(c, "SELECT coalesce(max(proposal_id), -1) FROM %s.proposals WHERE run_id = %lld AND vacancy_id = %lld "
               "AND candidate_id = %lld", schema, (long long)run, (long long)p.v, (long long)p.c);
}

static int set1(lm_db *db, int64_t pid, int32_t status, int64_t by, int64_t expected) {
    lm_status_change ch = LM_STATUS_CHANGE_INIT;
    ch.proposal_id = pid;
    ch.status = status;
    ch.by_org = by;
    ch.expected_version = expected;
    ch.reason = status == LM_PROPOSAL_REJECTED ? LM_REASON_SKILLS : LM_REASON_NONE;
    return lm_db_set_status(db, &ch);
}

/* ---- upgrade -------------------------------------------------------------------- */
Test(pg_lifecycle, upgrade_v1_with_data_to_v2) {
    PGconn *c = pt_conn();
    create_v1(c, "t_lc_up");
    lm_db *db = open_schema("t_lc_up");
    int32_t v = 0;
    cr_assert_eq(lm_db_schema_version(&v, db), LM_OK);
    cr_assert_eq(v, 1);
    tu_data d;
    tu_generate(&d, 5, 300, 120, 8, 0.9);
    pt_seed(db, &d);
    lm_pool *pool = pt_load(db, d.dim, NULL);
    night N;
    night_run(&N, pool);
    int64_t run1 = write_night(db, &N); /* a v1 run: no lifecycle */
    lm_history *h = NULL;
    cr_assert_eq(lm_db_load_history(&h, db), LM_ERR_STATE, "v1 has no lifecycle");
    cr_assert(strstr(lm_db_errmsg(db), "version 1"), "%s", lm_db_errmsg(db));
    lm_status_change ch = LM_STATUS_CHANGE_INIT;
    ch.proposal_id = 1;
    ch.status = LM_PROPOSAL_INTRODUCED;
    cr_assert_eq(lm_db_set_status(db, &ch), LM_ERR_STATE);
    cr_assert_eq(lm_db_log_access(db, 1, "query", 1, 2, 0), LM_ERR_STATE);
    cr_assert_eq(lm_db_run_changes(NULL, NULL, db, 0, NULL, NULL), LM_ERR_NULL);
    int64_t counts[8];
    cr_assert_eq(lm_db_proposal_counts(counts, 8, db), LM_ERR_STATE);
    int64_t nprop = q64(c, "SELECT count(*) FROM t_lc_up.proposals"), nres = q64(c, "SELECT count(*) FROM t_lc_up.match_results");
    cr_assert_gt(nprop, 0);
    cr_assert_eq(lm_db_init(db), LM_OK, "upgrade: %s", lm_db_errmsg(db));
    cr_assert_eq(lm_db_schema_version(&v, db), LM_OK);
    cr_assert_eq(v, lm__pg_migrations[lm__pg_nmigrations - 1].version, "upgraded through 2 to the latest");
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_lc_up.candidates"), 300);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_lc_up.vacancies"), 120);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_lc_up.proposals"), nprop);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_lc_up.match_results"), nres);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_lc_up.proposals WHERE proposal_id IS NULL"), nprop);
    cr_assert_eq(q64(c, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 't_lc_up' AND table_name IN "
                        "('proposal_state', 'proposal_events', 'access_log', 'run_changes')"), 4);
    /* init again is a no-op */
    cr_assert_eq(lm_db_init(db), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_lc_up.schema_version"), (int64_t)lm__pg_nmigrations);
    /* a run written after the upgrade gets proposal ids and is compared with the v1 run */
    int64_t run2 = write_night(db, &N);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_lc_up.proposals WHERE run_id = %lld AND proposal_id IS NULL", (long long)run2), 0);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_lc_up.proposal_state"), nprop);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_lc_up.run_changes WHERE run_id = %lld AND prev_run_id = %lld", (long long)run2,
                     (long long)run1), 0, "identical runs have no changes");
    night_free(&N);
    lm_pool_free(pool);
    tu_free(&d);
    lm_db_close(db);
    PQfinish(c);
}

/* ---- ids across runs, superseded proposals, run changes --------------------------------- */
typedef struct chg_set {
    pair *p;
    int32_t *kind;
    char (*reason)[64];
    size_t n, cap;
} chg_set;

static int collect_change(void *user, const lm_run_change *ch) {
    chg_set *s = user;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        s->p = realloc(s->p, s->cap * sizeof *s->p);
        s->kind = realloc(s->kind, s->cap * sizeof *s->kind);
        s->reason = realloc(s->reason, s->cap * sizeof *s->reason);
    }
    s->p[s->n] = (pair){ch->vacancy_id, ch->candidate_id};
    s->kind[s->n] = ch->kind;
    snprintf(s->reason[s->n], 64, "%s", ch->reason);
    s->n++;
    return 0;
}

static size_t count_kind(const chg_set *s, int32_t kind) {
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) n += s->kind[i] == kind;
    return n;
}

static bool has_change(const chg_set *s, int32_t kind, pair p, const char *reason) {
    for (size_t i = 0; i < s->n; i++)
        if (s->kind[i] == kind && s->p[i].v == p.v && s->p[i].c == p.c && (!reason || !strcmp(s->reason[i], reason)))
            return true;
    return false;
}

Test(pg_lifecycle, ids_stable_superseded_and_run_changes) {
    lm_db *db = pt_db("t_lc_ids");
    PGconn *c = pt_conn();
    tu_data d;
    tu_generate(&d, 17, 500, 200, 8, 0.9);
    pt_seed(db, &d);
    lm_pool *pool = pt_load(db, d.dim, NULL);
    night A, B;
    night_run(&A, pool);
    int64_t run1 = write_night(db, &A);
    size_t na = 0, ra = 0;
    pair *pa = assign_pairs(A.asg, &na), *rpa = result_pairs(A.res, &ra);
    cr_assert_gt(na, 20);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_lc_ids.proposal_state WHERE status = 'proposed' AND first_run_id = %lld",
                     (long long)run1), (int64_t)na);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_lc_ids.proposal_events WHERE run_id = %lld AND to_status = 'proposed'",
                     (long long)run1), (int64_t)na);
    /* the first proposal is rejected, the second placed (via introduced); then a
     * fifth of the vacancies (among them both) leave the pool for run 2 */
    int64_t rej = pid_of(c, "t_lc_ids", run1, pa[0]), plc = pid_of(c, "t_lc_ids", run1, pa[1]);
    cr_assert_eq(set1(db, rej, LM_PROPOSAL_REJECTED, 7, -1), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(set1(db, plc, LM_PROPOSAL_INTRODUCED, 8, -1), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(set1(db, plc, LM_PROPOSAL_PLACED, 8, -1), LM_OK, "%s", lm_db_errmsg(db));
    int64_t gone[64];
    size_t ng = 0;
    gone[ng++] = pa[0].v;
    if (pa[1].v != pa[0].v) gone[ng++] = pa[1].v;
    for (size_t i = 0; i < d.nv && ng < 40; i++)
        if (i % 5 == 0 && d.v_id[i] != pa[0].v && d.v_id[i] != pa[1].v) gone[ng++] = d.v_id[i];
    cr_assert_eq(lm_pool_remove_vacancies(pool, gone, ng), LM_OK);
    night_run(&B, pool);
    int64_t run2 = write_night(db, &B);
    size_t nb = 0, rb = 0;
    pair *pb = assign_pairs(B.asg, &nb), *rpb = result_pairs(B.res, &rb);
    /* ids: a pair proposed by both runs keeps its id; every proposal of run 2 has one */
    size_t kept = 0;
    for (size_t i = 0; i < nb; i++) {
        int64_t id2 = pid_of(c, "t_lc_ids", run2, pb[i]);
        cr_assert_gt(id2, 0);
        if (has_pair(pa, na, pb[i])) {
            cr_assert_eq(pid_of(c, "t_lc_ids", run1, pb[i]), id2, "pair %lld/%lld changed id", (long long)pb[i].v,
                         (long long)pb[i].c);
            kept++;
        }
    }
    cr_assert_gt(kept, 0);
    /* superseded: proposed in run 1, not in run 2, still open then */
    size_t superseded = 0;
    for (size_t i = 0; i < na; i++) {
        if (has_pair(pb, nb, pa[i])) continue;
        int64_t id = pid_of(c, "t_lc_ids", run1, pa[i]);
        if (id == rej || id == plc) continue;
        cr_assert_eq(q64(c, "SELECT count(*) FROM t_lc_ids.proposal_state WHERE proposal_id = %lld AND status = 'withdrawn' "
                            "AND reason = 'superseded' AND version = 2", (long long)id), 1, "proposal %lld not superseded",
                     (long long)id);
        cr_assert_eq(q64(c, "SELECT count(*) FROM t_lc_ids.proposal_events WHERE proposal_id = %lld AND by_org = 0 AND "
                            "to_status = 'withdrawn' AND run_id = %lld", (long long)id, (long long)run2), 1);
        superseded++;
    }
    cr_assert_gt(superseded, 0);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_lc_ids.proposal_state WHERE status = 'withdrawn'"), (int64_t)superseded);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_lc_ids.proposal_state WHERE proposal_id = %lld AND status = 'rejected'",
                     (long long)rej), 1);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_lc_ids.proposal_state WHERE proposal_id = %lld AND status = 'placed' AND "
                        "lead_org = 8", (long long)plc), 1);
    /* run changes equal what is computed here */
    chg_set S = {0};
    int64_t listed = 0, prev = -1;
    cr_assert_eq(lm_db_run_changes(&listed, &prev, db, 0, collect_change, &S), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(listed, run2);
    cr_assert_eq(prev, run1, "compared with the previous complete run of the region");
    int64_t first_prev = -1;
    cr_assert_eq(lm_db_run_changes(NULL, &first_prev, db, run1, collect_change, &(chg_set){0}), LM_OK);
    cr_assert_eq(first_prev, 0, "the first run has nothing to compare with");
    size_t want_new = 0, want_drop = 0, want_gone = 0, want_feas = 0;
    for (size_t i = 0; i < rb; i++)
        if (!has_pair(rpa, ra, rpb[i])) {
            want_new++;
            cr_assert(has_change(&S, LM_CHANGE_NEW_IN_TOPK, rpb[i], NULL));
        }
    for (size_t i = 0; i < ra; i++)
        if (!has_pair(rpb, rb, rpa[i])) {
            want_drop++;
            cr_assert(has_change(&S, LM_CHANGE_DROPPED_FROM_TOPK, rpa[i], NULL));
        }
    for (size_t i = 0; i < na; i++)
        if (!has_pair(pb, nb, pa[i])) {
            want_gone++;
            cr_assert(has_change(&S, LM_CHANGE_PROPOSAL_GONE, pa[i], NULL));
        }
    for (size_t i = 0; i < rb; i++) { /* people listed now and not before */
        bool before = false;
        for (size_t j = 0; j < ra && !before; j++) before = rpa[j].c == rpb[i].c;
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++) dup = rpb[j].c == rpb[i].c;
        if (!before && !dup) {
            want_feas++;
            cr_assert(has_change(&S, LM_CHANGE_BECAME_FEASIBLE, ((pair){0, rpb[i].c}), NULL));
        }
    }
    cr_assert_gt(want_drop, 0);
    cr_assert_eq(count_kind(&S, LM_CHANGE_NEW_IN_TOPK), want_new);
    cr_assert_eq(count_kind(&S, LM_CHANGE_DROPPED_FROM_TOPK), want_drop);
    cr_assert_eq(count_kind(&S, LM_CHANGE_PROPOSAL_GONE), want_gone);
    cr_assert_eq(count_kind(&S, LM_CHANGE_BECAME_FEASIBLE), want_feas);
    cr_assert_eq(S.n, want_new + want_drop + want_gone + want_feas);
    cr_assert(has_change(&S, LM_CHANGE_PROPOSAL_GONE, pa[0], "rejected"));
    cr_assert(has_change(&S, LM_CHANGE_PROPOSAL_GONE, pa[1], "placed"));
    /* the history holds every proposal */
    lm_history *h = NULL;
    cr_assert_eq(lm_db_load_history(&h, db), LM_OK, "%s", lm_db_errmsg(db));
    size_t hn = 0;
    lm_history_count(&hn, h);
    cr_assert_eq((int64_t)hn, q64(c, "SELECT count(*) FROM t_lc_ids.proposal_state"));
    cr_assert_eq(lm_engine_set_history(B.eng, h), LM_OK);
    lm_history_free(h);
    free(S.p), free(S.kind), free(S.reason);
    free(pa), free(pb), free(rpa), free(rpb);
    night_free(&A);
    night_free(&B);
    lm_pool_free(pool);
    tu_free(&d);
    PQfinish(c);
    lm_db_close(db);
}

/* ---- status changes ---------------------------------------------------------------- */
typedef struct fx {
    lm_db *db;
    PGconn *c;
    tu_data d;
    lm_pool *pool;
    night N;
    int64_t run;
    int64_t *pids;
    size_t np;
} fx;

static void fx_open(fx *F, const char *schema) {
    F->db = pt_db(schema);
    F->c = pt_conn();
    tu_generate(&F->d, 23, 300, 120, 8, 0.9);
    pt_seed(F->db, &F->d);
    F->pool = pt_load(F->db, F->d.dim, NULL);
    night_run(&F->N, F->pool);
    F->run = write_night(F->db, &F->N);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT proposal_id FROM %s.proposal_state ORDER BY proposal_id", schema);
    PGresult *r = PQexec(F->c, sql);
    F->np = (size_t)PQntuples(r);
    cr_assert_geq(F->np, 10);
    F->pids = calloc(F->np, sizeof *F->pids);
    for (size_t i = 0; i < F->np; i++) F->pids[i] = strtoll(PQgetvalue(r, (int)i, 0), NULL, 10);
    PQclear(r);
}

static void fx_close(fx *F) {
    night_free(&F->N);
    lm_pool_free(F->pool);
    tu_free(&F->d);
    free(F->pids);
    PQfinish(F->c);
    lm_db_close(F->db);
}

typedef struct one_row {
    lm_proposal_row row;
    size_t n;
} one_row;

static int grab_row(void *user, const lm_proposal_row *r) {
    one_row *o = user;
    o->row = *r;
    o->n++;
    return 0;
}

static lm_proposal_row read_one(lm_db *db, int64_t pid) {
    lm_proposal_filter f = LM_PROPOSAL_FILTER_INIT;
    f.proposal_id = pid;
    one_row o = {0};
    size_t n = 0;
    cr_assert_eq(lm_db_proposals(&n, db, &f, grab_row, &o), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(n, 1);
    cr_assert_eq(o.n, 1);
    return o.row;
}

Test(pg_lifecycle, status_changes_legal_illegal_unknown) {
    fx F;
    fx_open(&F, "t_lc_st");
    lm_db *db = F.db;
    int64_t p = F.pids[0];
    lm_proposal_row r = read_one(db, p);
    cr_assert_eq(r.status, LM_PROPOSAL_PROPOSED);
    cr_assert_eq(r.version, 1);
    cr_assert_eq(r.run_id, F.run);
    cr_assert(!isnan(r.score));
    /* proposed -> placed is not allowed; nothing changes */
    cr_assert_eq(set1(db, p, LM_PROPOSAL_PLACED, 5, -1), LM_ERR_STATE);
    cr_assert(strstr(lm_db_errmsg(db), "proposed -> placed"), "%s", lm_db_errmsg(db));
    cr_assert_eq(read_one(db, p).version, 1);
    /* unknown id */
    cr_assert_eq(set1(db, 999999999, LM_PROPOSAL_INTRODUCED, 5, -1), LM_ERR_UNKNOWN_ID);
    cr_assert(strstr(lm_db_errmsg(db), "999999999"), "%s", lm_db_errmsg(db));
    /* legal path; introduced sets the lead */
    cr_assert_eq(set1(db, p, LM_PROPOSAL_INTRODUCED, 5, 1), LM_OK, "%s", lm_db_errmsg(db));
    r = read_one(db, p);
    cr_assert_eq(r.status, LM_PROPOSAL_INTRODUCED);
    cr_assert_eq(r.lead_org, 5);
    cr_assert_eq(r.version, 2);
    cr_assert_eq(set1(db, p, LM_PROPOSAL_INTERVIEW, 6, 2), LM_OK, "%s", lm_db_errmsg(db));
    r = read_one(db, p);
    cr_assert_eq(r.lead_org, 5, "only introducing takes the lead");
    cr_assert_eq(set1(db, p, LM_PROPOSAL_PLACED, 5, -1), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(set1(db, p, LM_PROPOSAL_REJECTED, 5, -1), LM_ERR_STATE, "placed is final");
    /* a stale expected version */
    cr_assert_eq(set1(db, F.pids[1], LM_PROPOSAL_REJECTED, 5, 7), LM_ERR_CONFLICT);
    cr_assert_eq(read_one(db, F.pids[1]).status, LM_PROPOSAL_PROPOSED);
    /* given day */
    lm_status_change ch = LM_STATUS_CHANGE_INIT;
    ch.proposal_id = F.pids[1];
    ch.status = LM_PROPOSAL_DECLINED;
    ch.reason = LM_REASON_HOURS;
    ch.day = 20000;
    cr_assert_eq(lm_db_set_status(db, &ch), LM_OK, "%s", lm_db_errmsg(db));
    r = read_one(db, F.pids[1]);
    cr_assert_eq(r.day, 20000);
    cr_assert_eq(r.reason, LM_REASON_HOURS);
    /* events and access log: one row per successful change */
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_st.proposal_events WHERE run_id IS NULL"), 4);
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_st.access_log WHERE action = 'status'"), 4);
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_st.access_log WHERE action = 'status' AND proposal_id = %lld AND "
                          "viewer_org IN (5, 6) AND candidate_id IS NOT NULL AND vacancy_id IS NOT NULL", (long long)p), 3);
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_st.proposal_events WHERE proposal_id = %lld AND from_status = "
                          "'introduced' AND to_status = 'interview' AND by_org = 6", (long long)p), 1);
    /* listing filters */
    lm_proposal_filter f = LM_PROPOSAL_FILTER_INIT;
    f.status = LM_PROPOSAL_PLACED;
    size_t n = 0;
    one_row o = {0};
    cr_assert_eq(lm_db_proposals(&n, db, &f, grab_row, &o), LM_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(o.row.proposal_id, p);
    f = (lm_proposal_filter)LM_PROPOSAL_FILTER_INIT;
    f.run_id = -1;
    f.org = 5;
    f.viewer_org = 5;
    cr_assert_eq(lm_db_proposals(&n, db, &f, grab_row, &o), LM_OK);
    cr_assert_eq((int64_t)n, q64(F.c, "SELECT count(*) FROM t_lc_st.proposal_state WHERE owner_org = 5 OR lead_org = 5"));
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_st.access_log WHERE action = 'list' AND viewer_org = 5"), 1);
    int64_t counts[8];
    cr_assert_eq(lm_db_proposal_counts(counts, 8, db), LM_OK);
    cr_assert_eq(counts[LM_PROPOSAL_PLACED], 1);
    cr_assert_eq(counts[LM_PROPOSAL_DECLINED], 1);
    cr_assert_eq(counts[LM_PROPOSAL_PROPOSED], (int64_t)F.np - 2);
    fx_close(&F);
}

Test(pg_lifecycle, bad_input_changes_nothing) {
    fx F;
    fx_open(&F, "t_lc_bad");
    lm_db *db = F.db;
    int64_t before = q64(F.c, "SELECT sum(version) FROM t_lc_bad.proposal_state");
    lm_status_change ch = LM_STATUS_CHANGE_INIT;
    ch.proposal_id = F.pids[0];
    ch.status = LM_PROPOSAL_INTRODUCED;
    cr_assert_eq(lm_db_set_status(NULL, &ch), LM_ERR_NULL);
    cr_assert_eq(lm_db_set_status(db, NULL), LM_ERR_NULL);
    lm_status_change b = ch;
    b.struct_size = 8;
    cr_assert_eq(lm_db_set_status(db, &b), LM_ERR_INVALID);
    b = ch, b.status = 8;
    cr_assert_eq(lm_db_set_status(db, &b), LM_ERR_RANGE);
    b = ch, b.status = -1;
    cr_assert_eq(lm_db_set_status(db, &b), LM_ERR_RANGE);
    b = ch, b.reason = 99;
    cr_assert_eq(lm_db_set_status(db, &b), LM_ERR_RANGE);
    b = ch, b.proposal_id = -3;
    cr_assert_eq(lm_db_set_status(db, &b), LM_ERR_RANGE);
    cr_assert(strstr(lm_db_errmsg(db), "-3"), "%s", lm_db_errmsg(db));
    b = ch, b.by_org = -1;
    cr_assert_eq(lm_db_set_status(db, &b), LM_ERR_RANGE);
    b = ch, b.expected_version = -2;
    cr_assert_eq(lm_db_set_status(db, &b), LM_ERR_RANGE);
    b = ch, b.day = -1;
    cr_assert_eq(lm_db_set_status(db, &b), LM_ERR_RANGE);
    cr_assert_eq(lm_db_set_status_batch(db, &ch, sizeof ch - 1, 1), LM_ERR_INVALID);
    cr_assert_eq(lm_db_set_status_batch(db, &ch, sizeof ch, 0), LM_ERR_INVALID);
    cr_assert_eq(lm_db_set_status_batch(db, NULL, sizeof ch, 1), LM_ERR_NULL);
    cr_assert_eq(lm_db_log_access(db, 1, "Bad Action", 0, 0, 0), LM_ERR_RANGE);
    cr_assert_eq(lm_db_log_access(db, 1, "", 0, 0, 0), LM_ERR_RANGE);
    cr_assert_eq(lm_db_log_access(db, -1, "query", 0, 0, 0), LM_ERR_RANGE);
    cr_assert_eq(lm_db_log_access(db, 1, "query", 0, 0, -1), LM_ERR_RANGE);
    cr_assert_eq(lm_db_log_access(db, 1, NULL, 0, 0, 0), LM_ERR_NULL);
    cr_assert_eq(lm_db_log_access(NULL, 1, "query", 0, 0, 0), LM_ERR_NULL);
    lm_proposal_filter f = LM_PROPOSAL_FILTER_INIT;
    cr_assert_eq(lm_db_proposals(NULL, db, &f, NULL, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_db_proposals(NULL, NULL, &f, grab_row, NULL), LM_ERR_NULL);
    lm_proposal_filter g = f;
    g.struct_size = 4;
    cr_assert_eq(lm_db_proposals(NULL, db, &g, grab_row, NULL), LM_ERR_INVALID);
    g = f, g.status = 9;
    cr_assert_eq(lm_db_proposals(NULL, db, &g, grab_row, NULL), LM_ERR_RANGE);
    g = f, g.run_id = -2;
    cr_assert_eq(lm_db_proposals(NULL, db, &g, grab_row, NULL), LM_ERR_RANGE);
    g = f, g.run_id = 12345;
    cr_assert_eq(lm_db_proposals(NULL, db, &g, grab_row, NULL), LM_ERR_UNKNOWN_ID);
    cr_assert_eq(lm_db_run_changes(NULL, NULL, db, -1, collect_change, NULL), LM_ERR_RANGE);
    cr_assert_eq(lm_db_run_changes(NULL, NULL, db, 0, NULL, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_db_run_changes(NULL, NULL, db, 777, collect_change, NULL), LM_ERR_UNKNOWN_ID);
    cr_assert_eq(lm_db_load_history(NULL, db), LM_ERR_NULL);
    cr_assert_eq(lm_db_load_history(NULL, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_db_proposal_counts(NULL, 8, db), LM_ERR_NULL);
    /* inside a caller's transaction: refused */
    lm_db *w = NULL;
    PGconn *mine = pt_conn();
    cr_assert_eq(lm_db_wrap(&w, mine), LM_OK);
    lm_db_set_schema(w, "t_lc_bad");
    pt_exec(mine, "BEGIN");
    cr_assert_eq(lm_db_set_status(w, &ch), LM_ERR_STATE);
    pt_exec(mine, "ROLLBACK");
    lm_db_close(w);
    PQfinish(mine);
    cr_assert_eq(q64(F.c, "SELECT sum(version) FROM t_lc_bad.proposal_state"), before);
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_bad.access_log"), 0);
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_bad.proposal_events WHERE by_org <> 0"), 0);
    fx_close(&F);
}

Test(pg_lifecycle, conflict_between_two_connections) {
    fx F;
    fx_open(&F, "t_lc_cf");
    lm_db *other = open_schema("t_lc_cf");
    int64_t p = F.pids[2];
    int32_t va = read_one(F.db, p).version, vb = read_one(other, p).version;
    cr_assert_eq(va, vb);
    cr_assert_eq(set1(F.db, p, LM_PROPOSAL_INTRODUCED, 11, va), LM_OK, "%s", lm_db_errmsg(F.db));
    cr_assert_eq(set1(other, p, LM_PROPOSAL_REJECTED, 12, vb), LM_ERR_CONFLICT);
    cr_assert(strstr(lm_db_errmsg(other), "someone else"), "%s", lm_db_errmsg(other));
    lm_proposal_row r = read_one(other, p);
    cr_assert_eq(r.status, LM_PROPOSAL_INTRODUCED);
    cr_assert_eq(r.lead_org, 11);
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_cf.proposal_events WHERE by_org = 12"), 0);
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_cf.access_log WHERE viewer_org = 12"), 0);
    /* the UPDATE ... WHERE version = expected path: the other connection's
     * change commits while this one waits on the row lock */
    PGconn *c2 = pt_conn();
    pt_exec(c2, "BEGIN");
    char sql[200];
    snprintf(sql, sizeof sql, "UPDATE t_lc_cf.proposal_state SET version = version + 1 WHERE proposal_id = %lld",
             (long long)F.pids[3]);
    pt_exec(c2, sql);
    pt_exec(c2, "COMMIT");
    cr_assert_eq(set1(other, F.pids[3], LM_PROPOSAL_REJECTED, 12, 1), LM_ERR_CONFLICT);
    PQfinish(c2);
    lm_db_close(other);
    fx_close(&F);
}

Test(pg_lifecycle, batch_is_atomic) {
    fx F;
    fx_open(&F, "t_lc_batch");
    lm_status_change ch[4];
    for (int i = 0; i < 4; i++) {
        ch[i] = (lm_status_change)LM_STATUS_CHANGE_INIT;
        ch[i].proposal_id = F.pids[i];
        ch[i].status = LM_PROPOSAL_INTRODUCED;
        ch[i].by_org = 3;
    }
    ch[2].status = LM_PROPOSAL_PLACED; /* illegal from proposed */
    cr_assert_eq(lm_db_set_status_batch(F.db, ch, sizeof ch[0], 4), LM_ERR_STATE);
    cr_assert(strstr(lm_db_errmsg(F.db), "change 2"), "%s", lm_db_errmsg(F.db));
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_batch.proposal_state WHERE status <> 'proposed'"), 0);
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_batch.access_log"), 0);
    /* the same proposal twice in order: introduced then placed */
    ch[2] = ch[1];
    ch[2].status = LM_PROPOSAL_PLACED;
    cr_assert_eq(lm_db_set_status_batch(F.db, ch, sizeof ch[0], 4), LM_OK, "%s", lm_db_errmsg(F.db));
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_batch.proposal_state WHERE status = 'introduced'"), 2);
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_batch.proposal_state WHERE status = 'placed' AND version = 3"), 1);
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_batch.access_log WHERE action = 'status'"), 4);
    fx_close(&F);
}

/* The backend is terminated between two changes of a batch. */
typedef struct killer {
    int pid;
    size_t at;
} killer;

static int kill_cb(void *user, uint64_t done, uint64_t total) {
    killer *k = user;
    (void)total;
    if (done == k->at) pt_terminate(k->pid);
    return 0;
}

Test(pg_lifecycle, killed_during_status_batch_leaves_nothing) {
    fx F;
    fx_open(&F, "t_lc_kill");
    PGconn *mine = pt_conn();
    lm_db *db = NULL;
    cr_assert_eq(lm_db_wrap(&db, mine), LM_OK);
    lm_db_set_schema(db, "t_lc_kill");
    killer k = {PQbackendPID(mine), 2};
    lm_db_set_progress(db, kill_cb, &k);
    lm_status_change ch[5];
    for (int i = 0; i < 5; i++) {
        ch[i] = (lm_status_change)LM_STATUS_CHANGE_INIT;
        ch[i].proposal_id = F.pids[i];
        ch[i].status = LM_PROPOSAL_REJECTED;
        ch[i].by_org = 9;
    }
    cr_assert_eq(lm_db_set_status_batch(db, ch, sizeof ch[0], 5), LM_ERR_DB);
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_kill.proposal_state WHERE status <> 'proposed'"), 0);
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_kill.proposal_events WHERE by_org = 9"), 0);
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_kill.access_log"), 0);
    lm_db_close(db);
    PQfinish(mine);
    fx_close(&F);
}

/* A run write is terminated while record_run waits for a lock on
 * proposal_state (after its results and proposals were copied). */
typedef struct writer {
    lm_db *db;
    const night *N;
    int st;
} writer;

static void *write_thread(void *arg) {
    writer *w = arg;
    int64_t run = 0;
    w->st = lm_db_write_run(&run, w->db, w->N->res, w->N->asg, NULL);
    return NULL;
}

Test(pg_lifecycle, killed_during_run_write_leaves_nothing) {
    fx F;
    fx_open(&F, "t_lc_wkill");
    int64_t runs = q64(F.c, "SELECT count(*) FROM t_lc_wkill.match_runs");
    int64_t states = q64(F.c, "SELECT count(*) FROM t_lc_wkill.proposal_state");
    int64_t props = q64(F.c, "SELECT count(*) FROM t_lc_wkill.proposals");
    PGconn *locker = pt_conn();
    pt_exec(locker, "BEGIN");
    pt_exec(locker, "LOCK TABLE t_lc_wkill.proposal_state IN ACCESS EXCLUSIVE MODE");
    PGconn *mine = pt_conn();
    int pid = PQbackendPID(mine);
    writer w = {NULL, &F.N, 0};
    cr_assert_eq(lm_db_wrap(&w.db, mine), LM_OK);
    lm_db_set_schema(w.db, "t_lc_wkill");
    pthread_t t;
    pthread_create(&t, NULL, write_thread, &w);
    int waited = 0;
    for (; waited < 200; waited++) {
        if (q64(F.c, "SELECT count(*) FROM pg_stat_activity WHERE pid = %d AND wait_event_type = 'Lock'", pid) == 1) break;
        usleep(50000);
    }
    cr_assert_lt(waited, 200, "the writer never waited for the lock");
    pt_terminate(pid);
    pthread_join(t, NULL);
    pt_exec(locker, "ROLLBACK");
    PQfinish(locker);
    cr_assert_eq(w.st, LM_ERR_DB, "%s", lm_db_errmsg(w.db));
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_wkill.match_runs"), runs);
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_wkill.proposal_state"), states);
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_wkill.proposals"), props);
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_wkill.run_changes"), 0);
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM pg_class WHERE relname = 'match_results_%lld' AND relnamespace = "
                          "'t_lc_wkill'::regnamespace", (long long)(F.run + 1)), 0);
    lm_db_close(w.db);
    PQfinish(mine);
    fx_close(&F);
}

Test(pg_lifecycle, access_log_rows) {
    fx F;
    fx_open(&F, "t_lc_log");
    cr_assert_eq(lm_db_log_access(F.db, 400001, "query", 11, 22, 0), LM_OK, "%s", lm_db_errmsg(F.db));
    cr_assert_eq(lm_db_log_access(F.db, 400001, "query", 11, -23, F.pids[0]), LM_OK, "%s", lm_db_errmsg(F.db));
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_log.access_log WHERE viewer_org = 400001 AND action = 'query' AND "
                          "vacancy_id = 11"), 2);
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_log.access_log WHERE candidate_id = -23 AND proposal_id = %lld",
                     (long long)F.pids[0]), 1);
    cr_assert_eq(q64(F.c, "SELECT count(*) FROM t_lc_log.access_log WHERE proposal_id IS NULL AND candidate_id = 22"), 1);
    fx_close(&F);
}
