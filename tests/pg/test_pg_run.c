/* Writing runs: read back exactly, several parts in one run, proposals,
 * whole runs only (a lost connection or a cancel leaves nothing). */
#include "pgtest.h"

TestSuite(pg_run, .timeout = 120);

typedef struct row {
    int32_t region, dir;
    lm_match m;
} row;

static int row_cmp(const void *a, const void *b) {
    const row *x = a, *y = b;
    if (x->region != y->region) return x->region < y->region ? -1 : 1;
    if (x->dir != y->dir) return x->dir < y->dir ? -1 : 1;
    if (x->m.vacancy_id != y->m.vacancy_id) return x->m.vacancy_id < y->m.vacancy_id ? -1 : 1;
    if (x->m.candidate_id != y->m.candidate_id) return x->m.candidate_id < y->m.candidate_id ? -1 : 1;
    return 0;
}

static float f32(const char *s) { return strtof(s, NULL); }

/* Every row of the run as stored, sorted. */
static row *read_results(PGconn *c, const char *schema, int64_t run, size_t *n) {
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT region, direction, vacancy_id, candidate_id, rank, score, competence, travel, hours, readiness, "
             "priority, travel_minutes, travel_mode FROM %s.match_results WHERE run_id = %lld", schema, (long long)run);
    PGresult *r = PQexec(c, sql);
    cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
    *n = (size_t)PQntuples(r);
    row *out = calloc(*n + 1, sizeof *out);
    for (size_t i = 0; i < *n; i++) {
        int k = (int)i;
        out[i].region = atoi(PQgetvalue(r, k, 0));
        out[i].dir = atoi(PQgetvalue(r, k, 1));
        lm_match *m = &out[i].m;
        m->vacancy_id = strtoll(PQgetvalue(r, k, 2), NULL, 10);
        m->candidate_id = strtoll(PQgetvalue(r, k, 3), NULL, 10);
        m->rank = (uint32_t)atoi(PQgetvalue(r, k, 4));
        m->score = f32(PQgetvalue(r, k, 5));
        m->competence = f32(PQgetvalue(r, k, 6));
        m->travel = f32(PQgetvalue(r, k, 7));
        m->hours = f32(PQgetvalue(r, k, 8));
        m->readiness = f32(PQgetvalue(r, k, 9));
        m->priority = f32(PQgetvalue(r, k, 10));
        m->travel_minutes = f32(PQgetvalue(r, k, 11));
        m->travel_mode = atoi(PQgetvalue(r, k, 12));
    }
    PQclear(r);
    qsort(out, *n, sizeof *out, row_cmp);
    return out;
}

static size_t expected_rows(row *out, const lm_results *res, int32_t region) {
    size_t k = 0;
    for (int dir = 0; dir < 2; dir++) {
        size_t n = 0;
        lm_results_count(&n, res, dir);
        lm_match *m = calloc(n + 1, sizeof *m);
        lm_results_copy(m, sizeof *m, n, NULL, res, dir, 0);
        for (size_t i = 0; i < n; i++) {
            if (out) out[k] = (row){region, dir, m[i]};
            k++;
        }
        free(m);
    }
    return k;
}

static void assert_same(const row *a, const row *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const lm_match *x = &a[i].m, *y = &b[i].m;
        cr_assert(a[i].region == b[i].region && a[i].dir == b[i].dir && x->vacancy_id == y->vacancy_id &&
                      x->candidate_id == y->candidate_id && x->rank == y->rank,
                  "row %zu: key differs", i);
        cr_assert(x->score == y->score && x->competence == y->competence && x->travel == y->travel &&
                      x->hours == y->hours && x->readiness == y->readiness && x->priority == y->priority &&
                      x->travel_minutes == y->travel_minutes && x->travel_mode == y->travel_mode,
                  "row %zu (vacancy %lld, candidate %lld): a component differs (score %.9g vs %.9g)", i,
                  (long long)x->vacancy_id, (long long)x->candidate_id, (double)x->score, (double)y->score);
    }
}

typedef struct fixture {
    lm_db *db;
    tu_data d;
    lm_pool *pool;
    lm_snapshot *snap;
    lm_engine *eng;
    lm_results *res;
} fixture;

static void fx_init(fixture *F, const char *schema, size_t nc, size_t nv, int32_t vacancy_region) {
    F->db = pt_db(schema);
    tu_generate(&F->d, 31, nc, nv, 12, 0.9);
    pt_seed(F->db, &F->d);
    F->pool = pt_load(F->db, F->d.dim, NULL);
    cr_assert_eq(lm_pool_snapshot(&F->snap, F->pool), LM_OK);
    cr_assert_eq(lm_engine_create(&F->eng, NULL, NULL), LM_OK);
    lm_viewer v = LM_VIEWER_INIT;
    v.org = 1; v.region = 1; v.municipality = 1;
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.vacancy_region = vacancy_region;
    cr_assert_eq(lm_engine_batch(&F->res, F->eng, F->snap, &v, &o), LM_OK, "%s", lm_engine_errmsg(F->eng));
}

static void fx_free(fixture *F) {
    lm_results_free(F->res);
    lm_engine_free(F->eng);
    lm_snapshot_free(F->snap);
    lm_pool_free(F->pool);
    lm_db_close(F->db);
    tu_free(&F->d);
}

Test(pg_run, write_and_read_back_exactly) {
    fixture F;
    fx_init(&F, "t_run_rt", 600, 250, 0);
    lm_assignment *a = NULL;
#ifdef LM_HAVE_ASSIGN
    cr_assert_eq(lm_engine_assign(&a, F.eng, F.res, NULL), LM_OK, "%s", lm_engine_errmsg(F.eng));
#endif
    lm_run_info info = LM_RUN_INFO_INIT;
    info.label = "nightly 'test'; --";
    info.region = 0;
    int64_t run = 0;
    cr_assert_eq(lm_db_write_run(&run, F.db, F.res, a, &info), LM_OK, "%s", lm_db_errmsg(F.db));
    cr_assert_gt(run, 0);
    PGconn *c = pt_conn();
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM t_run_rt.match_runs WHERE run_id = %lld AND status = 'complete' AND label = "
             "'nightly ''test''; --' AND library_version = '%s' AND candidates = 600 AND vacancies = 250 AND "
             "finished_at IS NOT NULL AND policy->>'w_competence' IS NOT NULL AND policy_version = 1",
             (long long)run, lm_version_string());
    cr_assert_eq(pt_i64(c, sql), 1);
    size_t want = expected_rows(NULL, F.res, 0), got = 0;
    cr_assert_gt(want, 100);
    row *exp = calloc(want, sizeof *exp);
    expected_rows(exp, F.res, 0);
    qsort(exp, want, sizeof *exp, row_cmp);
    row *rows = read_results(c, "t_run_rt", run, &got);
    cr_assert_eq(got, want);
    assert_same(rows, exp, want);
    snprintf(sql, sizeof sql, "SELECT result_rows FROM t_run_rt.match_runs WHERE run_id = %lld", (long long)run);
    cr_assert_eq(pt_i64(c, sql), (int64_t)want);
#ifdef LM_HAVE_ASSIGN
    size_t np = 0;
    lm_assignment_count(&np, a);
    cr_assert_gt(np, 0);
    lm_match *pm = calloc(np, sizeof *pm);
    lm_assignment_copy(pm, sizeof *pm, np, NULL, a, 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM t_run_rt.proposals WHERE run_id = %lld", (long long)run);
    cr_assert_eq(pt_i64(c, sql), (int64_t)np);
    for (size_t i = 0; i < np; i++) {
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM t_run_rt.proposals WHERE run_id = %lld AND vacancy_id = %lld AND slot = %u "
                 "AND candidate_id = %lld AND score = '%.9g'::real",
                 (long long)run, (long long)pm[i].vacancy_id, pm[i].rank, (long long)pm[i].candidate_id,
                 (double)pm[i].score);
        cr_assert_eq(pt_i64(c, sql), 1, "proposal %zu not stored", i);
    }
    free(pm);
    lm_assignment_free(a);
#endif
    /* delete_run removes every trace of it */
    snprintf(sql, sizeof sql, "SELECT t_run_rt.delete_run(%lld)", (long long)run);
    pt_exec(c, sql);
    cr_assert_eq(pt_i64(c, "SELECT count(*) FROM t_run_rt.match_results"), 0);
    cr_assert_eq(pt_i64(c, "SELECT count(*) FROM t_run_rt.match_runs"), 0);
    cr_assert_eq(pt_i64(c, "SELECT count(*) FROM t_run_rt.proposals"), 0);
    free(rows);
    free(exp);
    PQfinish(c);
    fx_free(&F);
}

Test(pg_run, several_parts_make_one_run) {
    fixture F;
    fx_init(&F, "t_run_parts", 400, 200, 1);
    lm_viewer v = LM_VIEWER_INIT;
    v.org = 2; v.region = 2;
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.vacancy_region = 2;
    lm_results *r2 = NULL;
    cr_assert_eq(lm_engine_batch(&r2, F.eng, F.snap, &v, &o), LM_OK);
    lm_run_part parts[2] = {LM_RUN_PART_INIT, LM_RUN_PART_INIT};
    parts[0].results = F.res;
    parts[0].region = 1;
    parts[1].results = r2;
    parts[1].region = 2;
    int64_t run = 0;
    cr_assert_eq(lm_db_write_run_parts(&run, F.db, parts, sizeof parts[0], 2, NULL), LM_OK, "%s", lm_db_errmsg(F.db));
    PGconn *c = pt_conn();
    size_t n1 = expected_rows(NULL, F.res, 1), n2 = expected_rows(NULL, r2, 2), got = 0;
    row *exp = calloc(n1 + n2, sizeof *exp);
    expected_rows(exp, F.res, 1);
    expected_rows(exp + n1, r2, 2);
    qsort(exp, n1 + n2, sizeof *exp, row_cmp);
    row *rows = read_results(c, "t_run_parts", run, &got);
    cr_assert_eq(got, n1 + n2);
    assert_same(rows, exp, got);
    cr_assert_eq(pt_i64(c, "SELECT parts FROM t_run_parts.match_runs"), 2);
    /* argument checks */
    cr_assert_eq(lm_db_write_run_parts(&run, F.db, parts, sizeof parts[0] - 1, 2, NULL), LM_ERR_INVALID);
    cr_assert_eq(lm_db_write_run_parts(&run, F.db, parts, sizeof parts[0], 0, NULL), LM_ERR_INVALID);
    cr_assert_eq(lm_db_write_run_parts(NULL, F.db, parts, sizeof parts[0], 2, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_db_write_run(&run, F.db, NULL, NULL, NULL), LM_ERR_NULL);
    lm_run_info bad = LM_RUN_INFO_INIT;
    bad.struct_size = 4;
    cr_assert_eq(lm_db_write_run(&run, F.db, F.res, NULL, &bad), LM_ERR_INVALID);
    parts[1].results = NULL;
    cr_assert_eq(lm_db_write_run_parts(&run, F.db, parts, sizeof parts[0], 2, NULL), LM_ERR_NULL);
    cr_assert_eq(pt_i64(c, "SELECT count(*) FROM t_run_parts.match_runs"), 1, "a refused call wrote something");
    free(rows);
    free(exp);
    lm_results_free(r2);
    PQfinish(c);
    fx_free(&F);
}

/* The progress callback runs mid-write: a reader on another connection sees
 * no part of the run; then the writer's backend is terminated. */
typedef struct midwrite {
    int pid;
    int calls;
    int64_t runs_seen, rows_seen;
    uint64_t at_done, total;
    bool kill;
} midwrite;

static int midwrite_cb(void *user, uint64_t done, uint64_t total) {
    midwrite *w = user;
    if (done == 0 || w->calls++ > 0) return 0;
    w->at_done = done;
    w->total = total;
    PGconn *c = pt_conn();
    w->runs_seen = pt_i64(c, "SELECT count(*) FROM t_run_kill.match_runs");
    w->rows_seen = pt_i64(c, "SELECT count(*) FROM t_run_kill.match_results");
    PQfinish(c);
    if (w->kill) pt_terminate(w->pid);
    return w->kill ? 0 : 1; /* without kill: cancel */
}

Test(pg_run, terminated_or_cancelled_write_leaves_no_trace) {
    fixture F;
    fx_init(&F, "t_run_kill", 1200, 900, 0);
    size_t rows = expected_rows(NULL, F.res, 0);
    cr_assert_gt(rows, 2 * 4096, "need several chunks (%zu rows)", rows);
    PGconn *c = pt_conn();
    for (int kill = 1; kill >= 0; kill--) {
        PGconn *mine = pt_conn();
        lm_db *db = NULL;
        cr_assert_eq(lm_db_wrap(&db, mine), LM_OK);
        cr_assert_eq(lm_db_set_schema(db, "t_run_kill"), LM_OK);
        midwrite w = {PQbackendPID(mine), 0, -1, -1, 0, 0, kill != 0};
        lm_db_set_progress(db, midwrite_cb, &w);
        int64_t run = -5;
        int st = lm_db_write_run(&run, db, F.res, NULL, NULL);
        cr_assert_eq(st, kill ? LM_ERR_DB : LM_ERR_CANCELLED, "status %d: %s", st, lm_db_errmsg(db));
        cr_assert_eq(run, -5, "run id set on failure");
        cr_assert(w.at_done > 0 && w.at_done < w.total, "callback at %llu of %llu", (unsigned long long)w.at_done,
                  (unsigned long long)w.total);
        cr_assert_eq(w.runs_seen, 0, "a reader saw the run while it was written");
        cr_assert_eq(w.rows_seen, 0, "a reader saw result rows while they were written");
        cr_assert_eq(pt_i64(c, "SELECT count(*) FROM t_run_kill.match_runs"), 0);
        cr_assert_eq(pt_i64(c, "SELECT count(*) FROM t_run_kill.match_results"), 0);
        cr_assert_eq(pt_i64(c, "SELECT count(*) FROM pg_class WHERE relname LIKE 'match_results_%' AND "
                               "relnamespace = 't_run_kill'::regnamespace"), 0, "a partition was left behind");
        if (!kill) {
            /* the handle is still usable after a cancel */
            lm_db_set_progress(db, NULL, NULL);
            cr_assert_eq(lm_db_write_run(&run, db, F.res, NULL, NULL), LM_OK, "%s", lm_db_errmsg(db));
            cr_assert_eq(pt_i64(c, "SELECT count(*) FROM t_run_kill.match_runs WHERE status = 'complete'"), 1);
            cr_assert_eq(pt_i64(c, "SELECT count(*) FROM t_run_kill.match_results"), (int64_t)rows);
        }
        lm_db_close(db);
        PQfinish(mine);
    }
    PQfinish(c);
    fx_free(&F);
}
