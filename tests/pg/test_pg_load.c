/* Loading pools from PostgreSQL: exact round trip, incremental equals full,
 * watermarks under out-of-order commits, bad rows, lost connections, cancel,
 * travel matrices. */
#include "pgtest.h"

TestSuite(pg_load, .timeout = 120);

/* Seed, load, compare with the pool built in memory from the same columns,
 * and the batch on both gives identical results. */
Test(pg_load, round_trip_pool_equals_in_memory) {
    lm_db *db = pt_db("t_load_round");
    tu_data d;
    tu_generate(&d, 11, 700, 300, 24, 0.8);
    pt_seed(db, &d);
    lm_pool *mem = tu_pool(&d);
    lm_pool *got = pt_load(db, d.dim, NULL);
    pt_assert_pools_equal(mem, got, "loaded vs in-memory");

    lm_snapshot *s1 = NULL, *s2 = NULL;
    lm_pool_snapshot(&s1, mem);
    lm_pool_snapshot(&s2, got);
    lm_engine *e = NULL;
    cr_assert_eq(lm_engine_create(&e, NULL, NULL), LM_OK);
    lm_viewer v = LM_VIEWER_INIT;
    v.org = 1; v.region = 1; v.municipality = 1;
    lm_results *r1 = NULL, *r2 = NULL;
    cr_assert_eq(lm_engine_batch(&r1, e, s1, &v, NULL), LM_OK);
    cr_assert_eq(lm_engine_batch(&r2, e, s2, &v, NULL), LM_OK);
    for (int dir = 0; dir < 2; dir++) {
        size_t n1 = 0, n2 = 0;
        lm_results_count(&n1, r1, dir);
        lm_results_count(&n2, r2, dir);
        cr_assert_eq(n1, n2);
        cr_assert_gt(n1, 0);
        lm_match *a = calloc(n1, sizeof *a), *b = calloc(n2, sizeof *b);
        lm_results_copy(a, sizeof *a, n1, NULL, r1, dir, 0);
        lm_results_copy(b, sizeof *b, n2, NULL, r2, dir, 0);
        /* list order follows row slots, which may differ: compare as sets */
        for (size_t i = 0; i < n1; i++) {
            size_t j = 0;
            while (j < n2 && !(b[j].vacancy_id == a[i].vacancy_id && b[j].candidate_id == a[i].candidate_id)) j++;
            cr_assert_lt(j, n2, "pair %lld/%lld missing after the round trip", (long long)a[i].vacancy_id,
                         (long long)a[i].candidate_id);
            cr_assert(memcmp(&a[i], &b[j], sizeof a[i]) == 0, "pair %lld/%lld differs", (long long)a[i].vacancy_id,
                      (long long)a[i].candidate_id);
        }
        free(a);
        free(b);
    }
    lm_results_free(r1);
    lm_results_free(r2);
    lm_engine_free(e);
    lm_snapshot_free(s1);
    lm_snapshot_free(s2);
    lm_pool_free(mem);
    lm_pool_free(got);
    lm_db_close(db);
    tu_free(&d);
}

/* Rows with optional columns left NULL in the database load with the pool's
 * defaults; a second full load after deleting rows removes them. */
Test(pg_load, defaults_and_full_reload_deletes) {
    lm_db *db = pt_db("t_load_defaults");
    PGconn *c = pt_conn();
    pt_exec(c, "INSERT INTO t_load_defaults.candidates (id, owner_org, municipality, zone, groups, vector) VALUES "
               "(1, 10, 361, 1811, 1, t_load_defaults.vec_from_real('{1,0,0}')),"
               "(2, 10, 361, 1812, 3, t_load_defaults.vec_from_real('{0,1,0}'))");
    pt_exec(c, "INSERT INTO t_load_defaults.vacancies (id, employer_id, municipality, zone, vector) VALUES "
               "(7, 99, 361, 1811, t_load_defaults.vec_from_real('{1,1,0}'))");
    lm_pool *p = pt_load(db, 3, NULL);
    lm_candidate_cols cc = LM_CANDIDATE_COLS_INIT;
    int64_t ids[2] = {1, 2}, orgs[2] = {10, 10};
    int32_t munis[2] = {361, 361}, zones[2] = {1811, 1812};
    uint32_t groups[2] = {1, 3};
    float vec[6] = {1, 0, 0, 0, 1, 0};
    cc.dim = 3; cc.id = ids; cc.owner_org = orgs; cc.municipality = munis; cc.zone = zones; cc.groups = groups;
    cc.vectors = vec;
    lm_vacancy_cols vc = LM_VACANCY_COLS_INIT;
    int64_t vid = 7, emp = 99;
    int32_t vm = 361, vz = 1811;
    float vv[3] = {1, 1, 0};
    vc.dim = 3; vc.id = &vid; vc.employer_id = &emp; vc.municipality = &vm; vc.zone = &vz; vc.vectors = vv;
    uint32_t every = LM_GROUP_KNOWN; /* a NULL accepted_groups loads as every group this version knows */
    vc.accepted_groups = &every;
    lm_pool *mem = NULL;
    lm_pool_create(&mem, 3);
    cr_assert_eq(lm_pool_add_candidates(mem, &cc, 2), LM_OK, "%s", lm_pool_errmsg(mem));
    cr_assert_eq(lm_pool_add_vacancies(mem, &vc, 1), LM_OK, "%s", lm_pool_errmsg(mem));
    pt_assert_pools_equal(mem, p, "defaults");

    pt_exec(c, "DELETE FROM t_load_defaults.candidates WHERE id = 2"); /* a hard delete */
    int64_t wm = 0;
    cr_assert_eq(lm_db_load_pool(&wm, db, p, 0), LM_OK, "%s", lm_db_errmsg(db));
    lm_pool_remove_candidates(mem, &ids[1], 1);
    pt_assert_pools_equal(mem, p, "after a full reload");
    lm_pool_free(p);
    lm_pool_free(mem);
    PQfinish(c);
    lm_db_close(db);
}

/* Random updates, tombstones, revivals and inserts, through the library and
 * through plain SQL: loading since the watermark gives the full reload. */
Test(pg_load, incremental_equals_full_reload) {
    lm_db *db = pt_db("t_load_incr");
    tu_data d;
    tu_generate(&d, 23, 900, 400, 16, 0.7);
    pt_seed(db, &d);
    int64_t wm = 0;
    lm_pool *inc = pt_load(db, d.dim, &wm);
    PGconn *c = pt_conn();
    uint64_t s = 99;
    for (int round = 0; round < 4; round++) {
        /* library upserts of modified rows */
        for (int k = 0; k < 30; k++) {
            size_t i = (size_t)tu_int(&s, 0, (int)d.nc - 1);
            d.c_hmax[i] = d.c_hmin[i] + (float)tu_int(&s, 0, 20);
            d.c_vec[i * d.dim] = (float)tu_unif(&s);
            lm_candidate_cols cc = tu_ccols(&d, i);
            cr_assert_eq(lm_db_write_candidates(db, &cc, 1), LM_OK, "%s", lm_db_errmsg(db));
        }
        char sql[512];
        /* SQL updates, tombstones and revivals */
        snprintf(sql, sizeof sql, "UPDATE t_load_incr.candidates SET priority = 0.5 WHERE id %% 7 = %d", round);
        pt_exec(c, sql);
        snprintf(sql, sizeof sql, "UPDATE t_load_incr.candidates SET deleted = (id %% 11 = %d) WHERE id %% 5 = %d",
                 round, round);
        pt_exec(c, sql);
        snprintf(sql, sizeof sql, "UPDATE t_load_incr.vacancies SET deleted = true WHERE id %% 13 = %d", round);
        pt_exec(c, sql);
        snprintf(sql, sizeof sql, "UPDATE t_load_incr.vacancies SET slots = slots + 1, deleted = false WHERE id %% 17 = %d",
                 round);
        pt_exec(c, sql);
        /* new rows */
        snprintf(sql, sizeof sql,
                 "INSERT INTO t_load_incr.candidates (id, owner_org, municipality, zone, groups, vector) "
                 "SELECT 900000000 + %d * 1000 + g, 1, 1, 1001, 1, vector FROM t_load_incr.candidates, "
                 "generate_series(1, 5) g WHERE id = %lld",
                 round, (long long)d.c_id[0]);
        pt_exec(c, sql);
        int64_t wm2 = 0;
        cr_assert_eq(lm_db_load_pool(&wm2, db, inc, wm), LM_OK, "incremental: %s", lm_db_errmsg(db));
        cr_assert_geq(wm2, wm);
        wm = wm2;
        lm_pool *full = pt_load(db, d.dim, NULL);
        pt_assert_pools_equal(full, inc, "incremental vs full");
        lm_pool_free(full);
    }
    /* nothing changed: an incremental load keeps the pool as it is */
    lm_snapshot *before = NULL;
    lm_pool_snapshot(&before, inc);
    int64_t wm3 = 0;
    cr_assert_eq(lm_db_load_pool(&wm3, db, inc, wm), LM_OK, "%s", lm_db_errmsg(db));
    lm_snapshot *after = NULL;
    lm_pool_snapshot(&after, inc);
    size_t n1 = 0, n2 = 0;
    lm_snapshot_count(&n1, before, 0);
    lm_snapshot_count(&n2, after, 0);
    cr_assert_eq(n1, n2);
    lm_snapshot_free(before);
    lm_snapshot_free(after);
    PQfinish(c);
    lm_pool_free(inc);
    lm_db_close(db);
    tu_free(&d);
}

/* Transactions that commit out of order: A starts changing a row first, B
 * changes another row and commits; a load now sees B only. A commits later:
 * loading since that watermark must still bring A's change. */
Test(pg_load, watermark_survives_out_of_order_commits) {
    lm_db *db = pt_db("t_load_wm");
    tu_data d;
    tu_generate(&d, 5, 50, 20, 8, 1.0);
    pt_seed(db, &d);
    int64_t wm = 0;
    lm_pool *p = pt_load(db, d.dim, &wm);
    PGconn *a = pt_conn(), *b = pt_conn();
    char sql[256];
    pt_exec(a, "BEGIN");
    snprintf(sql, sizeof sql, "UPDATE t_load_wm.candidates SET priority = 0.25 WHERE id = %lld", (long long)d.c_id[3]);
    pt_exec(a, sql);
    snprintf(sql, sizeof sql, "UPDATE t_load_wm.candidates SET priority = 0.75 WHERE id = %lld", (long long)d.c_id[4]);
    pt_exec(b, sql); /* autocommit: commits before A */
    int64_t wm1 = 0;
    cr_assert_eq(lm_db_load_pool(&wm1, db, p, wm), LM_OK, "%s", lm_db_errmsg(db));
    pt_exec(a, "COMMIT");
    int64_t wm2 = 0;
    cr_assert_eq(lm_db_load_pool(&wm2, db, p, wm1), LM_OK, "%s", lm_db_errmsg(db));
    lm_pool *full = pt_load(db, d.dim, NULL);
    pt_assert_pools_equal(full, p, "after the late commit");
    /* and the late row really carries the new value */
    lm_snapshot *s = NULL;
    lm_pool_snapshot(&s, p);
    int64_t slot = lm__side_find(s->side[0], d.c_id[3]);
    cr_assert_geq(slot, 0);
    float prio = LM_COLP(lm__chunk_of(s->side[0], (uint32_t)slot), s->side[0]->L, LM_COL_PRIO, float)[slot & (LM_CHUNK_ROWS - 1)];
    cr_assert_float_eq(prio, 0.25f, 0);
    lm_snapshot_free(s);
    lm_pool_free(full);
    lm_pool_free(p);
    PQfinish(a);
    PQfinish(b);
    lm_db_close(db);
    tu_free(&d);
}

/* ---- bad rows ---- */
typedef struct bad_case {
    const char *setup;   /* SQL making the bad row (schema t_load_bad) */
    const char *undo;    /* SQL removing it again */
    int status;          /* expected */
    const char *needle;  /* expected in the message */
} bad_case;

static void check_unchanged(lm_pool *p, lm_pool *ref, uint64_t version) {
    lm_snapshot *s = NULL;
    lm_pool_snapshot(&s, p);
    cr_assert_eq(lm_snapshot_version(s), version, "the pool changed after a failed load");
    lm_snapshot_free(s);
    pt_assert_pools_equal(ref, p, "after a failed load");
}

Test(pg_load, bad_rows_name_the_row_and_change_nothing) {
    lm_db *db = pt_db("t_load_bad");
    tu_data d;
    tu_generate(&d, 7, 60, 30, 4, 1.0);
    pt_seed(db, &d);
    int64_t wm = 0;
    lm_pool *p = pt_load(db, d.dim, &wm);
    lm_pool *ref = tu_pool(&d);
    lm_snapshot *s0 = NULL;
    lm_pool_snapshot(&s0, p);
    uint64_t v0 = lm_snapshot_version(s0);
    lm_snapshot_free(s0);
    PGconn *c = pt_conn();
    pt_exec(c, "ALTER TABLE t_load_bad.candidates ALTER vector DROP NOT NULL");
    pt_exec(c, "CREATE VIEW t_load_bad.\"dup view\" AS SELECT * FROM t_load_bad.candidates UNION ALL "
               "SELECT * FROM t_load_bad.candidates WHERE id = (SELECT min(id) FROM t_load_bad.candidates)");
#define NEWC(id, vec, zone) \
    "INSERT INTO t_load_bad.candidates (id, owner_org, municipality, zone, groups, vector) VALUES (" id ", 1, 1, " zone ", 1, " vec ")"
    static const bad_case cases[] = {
        {NEWC("777001", "NULL", "1001"), "DELETE FROM t_load_bad.candidates WHERE id = 777001", LM_ERR_FORMAT,
         "id 777001"},
        {NEWC("777002", "t_load_bad.vec_from_real('{1,2,3}')", "1001"),
         "DELETE FROM t_load_bad.candidates WHERE id = 777002", LM_ERR_DIMENSION, "id 777002"},
        {NEWC("777003", "t_load_bad.vec_from_real('{1,NaN,3,4}')", "1001"),
         "DELETE FROM t_load_bad.candidates WHERE id = 777003", LM_ERR_NONFINITE, "id 777003"},
        {NEWC("777004", "t_load_bad.vec_from_real('{1,2,3,4}')", "-5"),
         "DELETE FROM t_load_bad.candidates WHERE id = 777004", LM_ERR_RANGE, "id 777004"},
        {"INSERT INTO t_load_bad.vacancies (id, employer_id, municipality, zone, vector, slots) VALUES "
         "(888001, 1, 1, 1001, t_load_bad.vec_from_real('{1,2,3,4}'), -2)",
         "DELETE FROM t_load_bad.vacancies WHERE id = 888001", LM_ERR_RANGE, "id 888001"},
        {"UPDATE t_load_bad.candidates SET readiness = 300 WHERE id = (SELECT max(id) FROM t_load_bad.candidates)",
         "UPDATE t_load_bad.candidates SET readiness = 1 WHERE readiness = 300", LM_ERR_RANGE, "readiness"},
        {"UPDATE t_load_bad.candidates SET lat = NULL WHERE id = (SELECT max(id) FROM t_load_bad.candidates)",
         NULL, LM_ERR_RANGE, "lat and lon"},
    };
#undef NEWC
    char idbuf[64];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        pt_exec(c, cases[k].setup);
        for (int incremental = 0; incremental < 2; incremental++) {
            int64_t w = 0;
            int st = lm_db_load_pool(&w, db, p, incremental ? wm : 0);
            cr_assert_eq(st, cases[k].status, "case %zu (%s): status %d (%s): %s", k, incremental ? "incremental" : "full",
                         st, lm_strerror(st), lm_db_errmsg(db));
            cr_assert(strstr(lm_db_errmsg(db), cases[k].needle), "case %zu: message '%s' lacks '%s'", k,
                      lm_db_errmsg(db), cases[k].needle);
            check_unchanged(p, ref, v0);
        }
        if (cases[k].undo) pt_exec(c, cases[k].undo);
        else pt_exec(c, "UPDATE t_load_bad.candidates SET lat = 52.1 WHERE lat IS NULL");
    }
    /* duplicate id through a view */
    cr_assert_eq(lm_db_set_table(db, LM_DB_CANDIDATES, "dup view"), LM_OK, "%s", lm_db_errmsg(db));
    int64_t w = 0;
    int st = lm_db_load_pool(&w, db, p, 0);
    cr_assert_eq(st, LM_ERR_DUPLICATE, "duplicate: %d %s", st, lm_db_errmsg(db));
    snprintf(idbuf, sizeof idbuf, "id %lld", (long long)pt_i64(c, "SELECT min(id) FROM t_load_bad.candidates"));
    cr_assert(strstr(lm_db_errmsg(db), idbuf), "message '%s' lacks '%s'", lm_db_errmsg(db), idbuf);
    {
        lm_snapshot *s = NULL;
        lm_pool_snapshot(&s, p);
        cr_assert_eq(lm_snapshot_version(s), v0);
        lm_snapshot_free(s);
    }
    cr_assert_eq(lm_db_set_table(db, LM_DB_CANDIDATES, NULL), LM_OK);
    PQfinish(c);
    lm_pool_free(p);
    lm_pool_free(ref);
    lm_db_close(db);
    tu_free(&d);
}

/* ---- lost connection and cancel in the middle of a load ---- */
typedef struct killer {
    int pid;
    int calls;
    uint64_t at_done;
} killer;

static int kill_cb(void *user, uint64_t done, uint64_t total) {
    killer *k = user;
    (void)total;
    if (k->calls++ == 0) {
        k->at_done = done;
        pt_terminate(k->pid);
    }
    return 0;
}

static int cancel_cb(void *user, uint64_t done, uint64_t total) {
    (void)total;
    int *calls = user;
    return ++*calls == 1 && done > 0;
}

Test(pg_load, terminated_backend_mid_load_leaves_pool_unchanged) {
    lm_db *setup = pt_db("t_load_kill");
    tu_data d;
    tu_generate(&d, 3, 9000, 500, 8, 1.0);
    pt_seed(setup, &d);
    lm_pool *p = pt_load(setup, d.dim, NULL);
    lm_db_close(setup);
    /* change the tables, so a successful load would change the pool */
    PGconn *c = pt_conn();
    pt_exec(c, "UPDATE t_load_kill.candidates SET priority = 0.5");
    lm_pool *ref = tu_pool(&d);
    lm_snapshot *s0 = NULL;
    lm_pool_snapshot(&s0, p);
    uint64_t v0 = lm_snapshot_version(s0);
    lm_snapshot_free(s0);

    PGconn *mine = pt_conn();
    lm_db *db = NULL;
    cr_assert_eq(lm_db_wrap(&db, mine), LM_OK);
    cr_assert_eq(lm_db_set_schema(db, "t_load_kill"), LM_OK);
    killer k = {PQbackendPID(mine), 0, 0};
    lm_db_set_progress(db, kill_cb, &k);
    int64_t wm = 0;
    int st = lm_db_load_pool(&wm, db, p, 0);
    cr_assert_eq(st, LM_ERR_DB, "status %d: %s", st, lm_db_errmsg(db));
    cr_assert_gt(k.at_done, 0, "the callback ran before any row was read");
    cr_assert_lt(k.at_done, 9500, "the callback ran only at the end");
    cr_assert(strlen(lm_db_errmsg(db)) > 10);
    check_unchanged(p, ref, v0);
    /* the dead connection gives a clear error, not a crash */
    st = lm_db_load_pool(&wm, db, p, 0);
    cr_assert_eq(st, LM_ERR_DB);
    lm_db_close(db);
    PQfinish(mine);

    /* cancel from the callback: LM_ERR_CANCELLED, nothing changed */
    lm_db *db2 = NULL;
    cr_assert_eq(lm_db_open(&db2, NULL), LM_OK);
    cr_assert_eq(lm_db_set_schema(db2, "t_load_kill"), LM_OK);
    int calls = 0;
    lm_db_set_progress(db2, cancel_cb, &calls);
    st = lm_db_load_pool(&wm, db2, p, 0);
    cr_assert_eq(st, LM_ERR_CANCELLED, "%d %s", st, lm_db_errmsg(db2));
    check_unchanged(p, ref, v0);
    /* the handle stays usable */
    lm_db_set_progress(db2, NULL, NULL);
    cr_assert_eq(lm_db_load_pool(&wm, db2, p, 0), LM_OK, "%s", lm_db_errmsg(db2));
    lm_db_close(db2);
    PQfinish(c);
    lm_pool_free(p);
    lm_pool_free(ref);
    tu_free(&d);
}

Test(pg_load, refuses_a_callers_open_transaction) {
    lm_db *setup = pt_db("t_load_txn");
    lm_db_close(setup);
    PGconn *mine = pt_conn();
    lm_db *db = NULL;
    cr_assert_eq(lm_db_wrap(&db, mine), LM_OK);
    cr_assert_eq(lm_db_set_schema(db, "t_load_txn"), LM_OK);
    pt_exec(mine, "BEGIN");
    lm_pool *p = NULL;
    lm_pool_create(&p, 4);
    int64_t wm = 0;
    cr_assert_eq(lm_db_load_pool(&wm, db, p, 0), LM_ERR_STATE);
    cr_assert_eq(PQtransactionStatus(mine), PQTRANS_INTRANS, "the caller's transaction was touched");
    pt_exec(mine, "ROLLBACK");
    cr_assert_eq(lm_db_load_pool(&wm, db, p, 0), LM_OK, "%s", lm_db_errmsg(db));
    lm_pool_free(p);
    lm_db_close(db);
    PQfinish(mine);
}

Test(pg_load, argument_checks) {
    lm_db *db = pt_db("t_load_args");
    lm_pool *p = NULL;
    lm_pool_create(&p, 4);
    int64_t wm = 0;
    cr_assert_eq(lm_db_load_pool(NULL, db, p, 0), LM_ERR_NULL);
    cr_assert_eq(lm_db_load_pool(&wm, NULL, p, 0), LM_ERR_NULL);
    cr_assert_eq(lm_db_load_pool(&wm, db, NULL, 0), LM_ERR_NULL);
    cr_assert_eq(lm_db_load_pool(&wm, db, p, -1), LM_ERR_RANGE);
    cr_assert_eq(lm_db_load_travel(db, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_db_load_travel(NULL, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_db_write_candidates(db, NULL, 1), LM_ERR_NULL);
    lm_candidate_cols cc = LM_CANDIDATE_COLS_INIT;
    cr_assert_eq(lm_db_write_candidates(db, &cc, 0), LM_ERR_INVALID);
    cc.struct_size = 8;
    cr_assert_eq(lm_db_write_candidates(db, &cc, 1), LM_ERR_INVALID);
    uint32_t dim = 99;
    cr_assert_eq(lm_db_vector_dim(&dim, db), LM_OK);
    cr_assert_eq(dim, 0);
    cr_assert_eq(lm_db_vector_dim(NULL, db), LM_ERR_NULL);
    size_t need = 9;
    cr_assert_eq(lm_db_regions(NULL, 0, &need, db), LM_OK);
    cr_assert_eq(need, 0);
    /* a bad row is refused before anything is written */
    tu_data d;
    tu_generate(&d, 1, 10, 5, 4, 1.0);
    d.c_groups[3] = 0;
    lm_candidate_cols bad = tu_ccols(&d, 0);
    int st = lm_db_write_candidates(db, &bad, d.nc);
    cr_assert_eq(st, LM_ERR_RANGE);
    char want[64];
    snprintf(want, sizeof want, "id %lld", (long long)d.c_id[3]);
    cr_assert(strstr(lm_db_errmsg(db), want), "%s", lm_db_errmsg(db));
    cr_assert_eq(lm_db_load_pool(&wm, db, p, 0), LM_OK);
    size_t n = 9;
    lm_pool_count(&n, p, LM_SIDE_CANDIDATE);
    cr_assert_eq(n, 0);
    /* dimension mismatch between the pool and the stored vectors */
    tu_free(&d);
    tu_generate(&d, 2, 10, 5, 6, 1.0);
    pt_seed(db, &d);
    st = lm_db_load_pool(&wm, db, p, 0);
    cr_assert_eq(st, LM_ERR_DIMENSION, "%s", lm_db_errmsg(db));
    cr_assert_eq(lm_db_vector_dim(&dim, db), LM_OK);
    cr_assert_eq(dim, 6);
    int32_t regions[8];
    cr_assert_eq(lm_db_regions(regions, 8, &need, db), LM_OK);
    cr_assert_geq(need, 1);
    cr_assert_eq(lm_db_regions(regions, 0, &need, db), LM_ERR_BUFFER);
    lm_pool_free(p);
    lm_db_close(db);
    tu_free(&d);
}

/* ---- travel matrices ---- */
Test(pg_load, travel_times) {
    lm_db *db = pt_db("t_load_travel");
    PGconn *c = pt_conn();
    pt_exec(c, "INSERT INTO t_load_travel.travel_times VALUES (1811, 1812, 2, 25), (1812, 1811, 2, 27), "
               "(1811, 1813, 2, NULL), (1811, 1812, 1, 40), (1813, 1811, 1, 300)");
    lm_travel *t = NULL;
    lm_travel_create(&t);
    cr_assert_eq(lm_db_load_travel(db, t), LM_OK, "%s", lm_db_errmsg(db));
    double m = 0;
    lm_travel_minutes(&m, t, LM_MODE_PT, 1811, NAN, NAN, 1812, NAN, NAN);
    cr_assert_float_eq(m, 25.0, 0);
    lm_travel_minutes(&m, t, LM_MODE_PT, 1812, NAN, NAN, 1811, NAN, NAN);
    cr_assert_float_eq(m, 27.0, 0);
    lm_travel_minutes(&m, t, LM_MODE_PT, 1811, NAN, NAN, 1813, NAN, NAN);
    cr_assert(isinf(m), "NULL minutes are unreachable");
    lm_travel_minutes(&m, t, LM_MODE_PT, 1812, NAN, NAN, 1813, NAN, NAN);
    cr_assert(isinf(m), "a missing pair is unreachable");
    lm_travel_minutes(&m, t, LM_MODE_PT, 1813, NAN, NAN, 1813, NAN, NAN);
    cr_assert_float_eq(m, 0.0, 0);
    lm_travel_minutes(&m, t, LM_MODE_BIKE, 1811, NAN, NAN, 1812, NAN, NAN);
    cr_assert_float_eq(m, 40.0, 0);
    lm_travel_minutes(&m, t, LM_MODE_BIKE, 1813, NAN, NAN, 1811, NAN, NAN);
    cr_assert(isinf(m), "minutes >= 255 are unreachable");
    /* a bad row: error naming it, model unchanged */
    pt_exec(c, "INSERT INTO t_load_travel.travel_times VALUES (1811, 1812, 7, 5)");
    cr_assert_eq(lm_db_load_travel(db, t), LM_ERR_RANGE);
    cr_assert(strstr(lm_db_errmsg(db), "mode 7"), "%s", lm_db_errmsg(db));
    pt_exec(c, "DELETE FROM t_load_travel.travel_times WHERE mode = 7");
    pt_exec(c, "INSERT INTO t_load_travel.travel_times VALUES (-3, 1812, 2, 5)");
    cr_assert_eq(lm_db_load_travel(db, t), LM_ERR_RANGE);
    lm_travel_minutes(&m, t, LM_MODE_PT, 1811, NAN, NAN, 1812, NAN, NAN);
    cr_assert_float_eq(m, 25.0, 0);
    lm_travel_free(t);
    PQfinish(c);
    lm_db_close(db);
}
