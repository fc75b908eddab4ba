/* Schema creation and upgrade, the embedded SQL, hostile names, connection
 * handles and argument checks, the vector helpers. */
#include "pgtest.h"
#include "pg_sql.h"

TestSuite(pg_schema, .timeout = 120);

Test(pg_schema, init_creates_then_is_idempotent) {
    PGconn *c = pt_conn();
    PQclear(PQexec(c, "DROP SCHEMA IF EXISTS t_schema_init CASCADE"));
    lm_db *db = NULL;
    cr_assert_eq(lm_db_open(&db, NULL), LM_OK, "%s", db ? lm_db_errmsg(db) : "");
    cr_assert_eq(lm_db_set_schema(db, "t_schema_init"), LM_OK);
    int32_t v = -1;
    cr_assert_eq(lm_db_schema_version(&v, db), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(v, 0);
    cr_assert_eq(lm_db_init(db), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(lm_db_schema_version(&v, db), LM_OK);
    cr_assert_eq(v, (int32_t)lm__pg_nmigrations);
    cr_assert_eq(lm_db_init(db), LM_OK, "second init: %s", lm_db_errmsg(db));
    cr_assert_eq(pt_i64(c, "SELECT count(*) FROM t_schema_init.schema_version"), (int64_t)lm__pg_nmigrations);
    cr_assert_eq(pt_i64(c, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 't_schema_init' AND "
                           "table_name IN ('candidates', 'vacancies', 'travel_times', 'match_runs', 'match_results', "
                           "'proposals')"), 6);
    /* a database from a newer library is refused, and left alone */
    pt_exec(c, "INSERT INTO t_schema_init.schema_version (version) VALUES (999)");
    cr_assert_eq(lm_db_init(db), LM_ERR_STATE);
    cr_assert(strstr(lm_db_errmsg(db), "999"), "%s", lm_db_errmsg(db));
    cr_assert_eq(pt_i64(c, "SELECT max(version) FROM t_schema_init.schema_version"), 999);
    lm_db_close(db);
    PQfinish(c);
}

/* The SQL compiled into the library is exactly libmatch/sql/NNN_*.sql. */
Test(pg_schema, embedded_sql_matches_the_files) {
    cr_assert_gt(lm__pg_nmigrations, 0);
    for (size_t i = 0; i < lm__pg_nmigrations; i++) {
        const lm_pg_migration *m = &lm__pg_migrations[i];
        cr_assert_eq(m->version, (int32_t)i + 1, "migrations must be numbered 1, 2, ...");
        char path[256];
        snprintf(path, sizeof path, "libmatch/sql/%s", m->file);
        FILE *f = fopen(path, "rb");
        cr_assert(f, "cannot open %s (run from the repository root)", path);
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        char *file = calloc((size_t)n + 1, 1);
        cr_assert_eq(fread(file, 1, (size_t)n, f), (size_t)n);
        fclose(f);
        size_t k = 0;
        for (const char *const *l = m->lines; *l; l++) {
            size_t len = strlen(*l);
            cr_assert(k + len <= (size_t)n && memcmp(file + k, *l, len) == 0,
                      "%s differs from the embedded copy near byte %zu: run make (libmatch/sql/embed.sh)", path, k);
            k += len;
        }
        cr_assert_eq(k, (size_t)n, "%s differs from the embedded copy (length)", path);
        free(file);
    }
}

static void full_cycle(const char *schema) {
    lm_db *db = pt_db(schema);
    tu_data d;
    tu_generate(&d, 4, 80, 40, 4, 1.0);
    pt_seed(db, &d);
    lm_pool *p = pt_load(db, d.dim, NULL);
    lm_snapshot *s = NULL;
    lm_pool_snapshot(&s, p);
    lm_engine *e = NULL;
    lm_engine_create(&e, NULL, NULL);
    lm_viewer v = LM_VIEWER_INIT;
    v.org = 1;
    lm_results *r = NULL;
    cr_assert_eq(lm_engine_batch(&r, e, s, &v, NULL), LM_OK);
    int64_t run = 0;
    cr_assert_eq(lm_db_write_run(&run, db, r, NULL, NULL), LM_OK, "%s: %s", schema, lm_db_errmsg(db));
    lm_travel *t = NULL;
    lm_travel_create(&t);
    cr_assert_eq(lm_db_load_travel(db, t), LM_OK, "%s", lm_db_errmsg(db));
    int64_t wm = 0;
    cr_assert_eq(lm_db_load_pool(&wm, db, p, 1), LM_OK, "%s", lm_db_errmsg(db));
    PGconn *c = pt_conn();
    const char *vals[1] = {schema};
    PGresult *res = PQexecParams(c, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", 1, NULL, vals, NULL, NULL, 0);
    cr_assert_eq(atoi(PQgetvalue(res, 0, 0)), 1, "schema '%s' not created under its exact name", schema);
    PQclear(res);
    cr_assert_eq(pt_i64(c, "SELECT count(*) FROM pg_namespace WHERE nspname = 'public'"), 1);
    lm_travel_free(t);
    lm_results_free(r);
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    PQfinish(c);
    lm_db_close(db);
    tu_free(&d);
}

Test(pg_schema, hostile_schema_names_work_quoted) {
    full_cycle("we\"ird sch ema; DROP SCHEMA public CASCADE; --");
    full_cycle("Robert'); DROP TABLE x; --");
    full_cycle("$$ \"\" $$ :\"schema\" \\");
    full_cycle("UPPER lower ü");
}

Test(pg_schema, bad_names_are_rejected_cleanly) {
    lm_db *db = NULL;
    cr_assert_eq(lm_db_open(&db, NULL), LM_OK);
    cr_assert_eq(lm_db_set_schema(db, ""), LM_ERR_RANGE);
    cr_assert_eq(lm_db_set_schema(db, "a\nDROP SCHEMA public"), LM_ERR_RANGE);
    cr_assert_eq(lm_db_set_schema(db, "0123456789012345678901234567890123456789012345678901234567890123"), LM_ERR_RANGE);
    cr_assert_eq(lm_db_set_schema(db, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_db_set_schema(NULL, "x"), LM_ERR_NULL);
    cr_assert_eq(lm_db_set_table(db, 3, "x"), LM_ERR_RANGE);
    cr_assert_eq(lm_db_set_table(db, -1, "x"), LM_ERR_RANGE);
    cr_assert_eq(lm_db_set_table(db, LM_DB_CANDIDATES, ""), LM_ERR_RANGE);
    cr_assert_eq(lm_db_set_table(db, LM_DB_CANDIDATES, "a\tb"), LM_ERR_RANGE);
    cr_assert_eq(lm_db_set_table(NULL, LM_DB_CANDIDATES, "x"), LM_ERR_NULL);
    /* still the default schema after all of that */
    int32_t v = -1;
    cr_assert_eq(lm_db_schema_version(&v, db), LM_OK, "%s", lm_db_errmsg(db));
    lm_db_close(db);
}

/* A host's own table under a hostile name, through lm_db_set_table. */
Test(pg_schema, hostile_table_name) {
    lm_db *db = pt_db("t_schema_tab");
    PGconn *c = pt_conn();
    const char *name = "my \"cand\"; DELETE FROM x; --";
    char *q = PQescapeIdentifier(c, name, strlen(name));
    char sql[512];
    snprintf(sql, sizeof sql, "CREATE TABLE t_schema_tab.%s (LIKE t_schema_tab.candidates INCLUDING ALL)", q);
    PQfreemem(q);
    pt_exec(c, sql);
    cr_assert_eq(lm_db_set_table(db, LM_DB_CANDIDATES, name), LM_OK, "%s", lm_db_errmsg(db));
    tu_data d;
    tu_generate(&d, 8, 30, 0, 4, 1.0);
    pt_seed(db, &d);
    cr_assert_eq(pt_i64(c, "SELECT count(*) FROM t_schema_tab.candidates"), 0);
    lm_pool *p = pt_load(db, 4, NULL);
    size_t n = 0;
    lm_pool_count(&n, p, LM_SIDE_CANDIDATE);
    cr_assert_eq(n, 30);
    lm_pool_free(p);
    PQfinish(c);
    lm_db_close(db);
    tu_free(&d);
}

Test(pg_schema, handles_and_arguments) {
    cr_assert_eq(lm_db_open(NULL, NULL), LM_ERR_NULL);
    lm_db *db = (lm_db *)1;
    cr_assert_eq(lm_db_wrap(&db, NULL), LM_ERR_NULL);
    cr_assert_null(db);
    cr_assert_eq(lm_db_wrap(NULL, NULL), LM_ERR_NULL);
    PGconn *bad = PQconnectdb("host=/nonexistent-libmatch-dir");
    cr_assert_eq(lm_db_wrap(&db, bad), LM_ERR_STATE);
    PQfinish(bad);
    lm_db_close(NULL);
    cr_assert_not_null(lm_db_errmsg(NULL));
    cr_assert_eq(lm_db_set_progress(NULL, NULL, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_db_init(NULL), LM_ERR_NULL);
    cr_assert_eq(lm_db_schema_version(NULL, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_db_vector_dim(NULL, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_db_regions(NULL, 0, NULL, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_db_write_run(NULL, NULL, NULL, NULL, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_db_write_candidates(NULL, NULL, 0), LM_ERR_NULL);
    cr_assert_eq(lm_db_write_vacancies(NULL, NULL, 0), LM_ERR_NULL);
    /* a failed connection: status and message, then the handle is closed */
    lm_db *fail = NULL;
    cr_assert_eq(lm_db_open(&fail, "host=/nonexistent-libmatch-dir connect_timeout=2"), LM_ERR_DB);
    cr_assert_not_null(fail);
    cr_assert(strstr(lm_db_errmsg(fail), "nonexistent-libmatch-dir"), "%s", lm_db_errmsg(fail));
    cr_assert_eq(lm_db_init(fail), LM_ERR_STATE);
    lm_pool *p = NULL;
    lm_pool_create(&p, 4);
    int64_t wm = 0;
    cr_assert_eq(lm_db_load_pool(&wm, fail, p, 0), LM_ERR_STATE);
    lm_pool_free(p);
    lm_db_close(fail);
    /* wrong password */
    cr_assert_eq(lm_db_open(&fail, "user=lm_pw password=wrong"), LM_ERR_DB);
    cr_assert(strstr(lm_db_errmsg(fail), "password authentication failed"), "%s", lm_db_errmsg(fail));
    lm_db_close(fail);
    /* the right password */
    cr_assert_eq(lm_db_open(&fail, "user=lm_pw password=lm-secret"), LM_OK, "%s", lm_db_errmsg(fail));
    lm_db_close(fail);
    /* a wrapped connection is not closed by lm_db_close */
    PGconn *mine = pt_conn();
    cr_assert_eq(lm_db_wrap(&db, mine), LM_OK);
    lm_db_close(db);
    cr_assert_eq(PQstatus(mine), CONNECTION_OK);
    pt_exec(mine, "SELECT 1");
    PQfinish(mine);
}

/* real[] <-> bytea helpers in SQL agree with the library's encoding. */
Test(pg_schema, vector_helpers) {
    lm_db *db = pt_db("t_schema_vec");
    PGconn *c = pt_conn();
    cr_assert_eq(pt_i64(c, "SELECT count(*) FROM (SELECT t_schema_vec.vec_to_real(t_schema_vec.vec_from_real(a)) = a "
                           "AS ok FROM (VALUES ('{1.5,-2.25,0,1e-40,3.4e38,-0.1}'::real[]), ('{}'::real[]), "
                           "('{7}'::real[])) v(a)) s WHERE ok"), 3);
    cr_assert_eq(pt_i64(c, "SELECT count(*) FROM (SELECT t_schema_vec.vec_from_real('{1}') = '\\x3f800000'::bytea AS ok) s "
                           "WHERE ok"), 1);
    tu_data d;
    tu_generate(&d, 9, 20, 0, 5, 1.0);
    pt_seed(db, &d);
    char sql[256];
    for (size_t i = 0; i < d.nc; i++) {
        snprintf(sql, sizeof sql, "SELECT t_schema_vec.vec_to_real(vector)::text FROM t_schema_vec.candidates WHERE id = %lld",
                 (long long)d.c_id[i]);
        PGresult *r = PQexec(c, sql);
        cr_assert_eq(PQntuples(r), 1);
        const char *s = PQgetvalue(r, 0, 0) + 1; /* skip { */
        for (uint32_t j = 0; j < d.dim; j++) {
            char *end;
            float x = strtof(s, &end);
            cr_assert(x == d.c_vec[i * d.dim + j], "row %zu [%u]: %.9g vs %.9g", i, j, (double)x,
                      (double)d.c_vec[i * d.dim + j]);
            s = end + 1;
        }
        PQclear(r);
    }
    tu_free(&d);
    PQfinish(c);
    lm_db_close(db);
}
