/* PostgreSQL benchmark: full pool load (binary COPY out of the candidates and
 * vacancies tables) and writing a run's result rows (binary COPY in), against
 * the server named by the PG* variables (make bench-pg starts a throwaway
 * one). Prints a table and appends JSON lines to --out:
 *   {"name", "engine": "libmatch", "candidates", "vacancies", "dim",
 *    "median_s", "min_s", "max_s", "rows_per_s"}
 * Usage: bench_pg [--out FILE] [--reps N] [--candidates N] [--vacancies N]
 *                 [--dim D] [--results N] [--only load|write]
 *   (defaults: 3, 900000, 100000, 64, 10000000, both) */
#include <libmatch/libmatch.h>
#include <libpq-fe.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds of this process, and of a server backend (from /proc, when the
 * server runs on this machine; -1 otherwise). The machine is shared, so wall
 * times vary with its load; CPU times show what the work itself costs. */
static double self_cpu(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (double)r.ru_utime.tv_sec + (double)r.ru_utime.tv_usec * 1e-6 + (double)r.ru_stime.tv_sec +
           (double)r.ru_stime.tv_usec * 1e-6;
}
static double backend_cpu(int pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char *ok = fgets(buf, sizeof buf, f);
    fclose(f);
    char *p = ok ? strrchr(buf, ')') : NULL;
    unsigned long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2) return -1;
    return (double)(ut + st) / 100.0;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double unif(void) { return (double)(rng() >> 11) * 0x1.0p-53; }

static void die(const char *what, int st, const char *msg) {
    fprintf(stderr, "bench_pg: %s: %s (%s)\n", what, lm_strerror(st), msg ? msg : "");
    exit(1);
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct stats {
    double med, min, max;
} stats;
static stats summarise(double *t, int n) {
    qsort(t, (size_t)n, sizeof *t, cmp_d);
    stats s = {n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]), t[0], t[n - 1]};
    return s;
}

static void emit(FILE *f, const char *name, size_t nc, size_t nv, uint32_t dim, stats s, double rows, double ccpu,
                 double bcpu) {
    printf("%-22s %10zu %10zu %5u  median %7.3f s  (min %.3f, max %.3f)  %10.0f rows/s  cpu: client %.2f s, server "
           "%.2f s\n", name, nc, nv, dim, s.med, s.min, s.max, rows / s.med, ccpu, bcpu);
    if (f)
        fprintf(f,
                "{\"name\": \"%s\", \"engine\": \"libmatch\", \"candidates\": %zu, \"vacancies\": %zu, \"dim\": %u, "
                "\"median_s\": %.4f, \"min_s\": %.4f, \"max_s\": %.4f, \"rows_per_s\": %.0f, "
                "\"client_cpu_s\": %.3f, \"server_cpu_s\": %.3f}\n",
                name, nc, nv, dim, s.med, s.min, s.max, rows / s.med, ccpu, bcpu);
}

/* Random rows: everything feasible for everyone (national scope, all groups,
 * one small area), so a batch fills every top-k list. */
typedef struct side_data {
    size_t n;
    uint32_t dim;
    int64_t *id, *org;
    int32_t *muni;
    double *lat, *lon;
    uint32_t *groups;
    uint8_t *scope;
    float *vec;
} side_data;

static void gen(side_data *d, size_t n, uint32_t dim, int64_t base) {
    d->n = n;
    d->dim = dim;
    d->id = malloc(n * sizeof *d->id);
    d->org = malloc(n * sizeof *d->org);
    d->muni = malloc(n * sizeof *d->muni);
    d->lat = malloc(n * sizeof *d->lat);
    d->lon = malloc(n * sizeof *d->lon);
    d->groups = malloc(n * sizeof *d->groups);
    d->scope = malloc(n * sizeof *d->scope);
    d->vec = malloc(n * dim * sizeof *d->vec);
    if (!d->id || !d->org || !d->muni || !d->lat || !d->lon || !d->groups || !d->scope || !d->vec) die("gen", LM_ERR_NOMEM, NULL);
    for (size_t i = 0; i < n; i++) {
        d->id[i] = base + (int64_t)i;
        d->org[i] = 100 + (int64_t)(rng() % 20);
        d->muni[i] = 300 + (int32_t)(rng() % 30);
        d->lat[i] = 52.3 + unif() * 0.05;
        d->lon[i] = 4.8 + unif() * 0.05;
        d->groups[i] = 1;
        d->scope[i] = LM_SCOPE_NATIONAL;
        for (uint32_t j = 0; j < dim; j++) d->vec[i * dim + j] = (float)(unif() * 2 - 1);
    }
}
static void gen_free(side_data *d) {
    free(d->id); free(d->org); free(d->muni); free(d->lat); free(d->lon); free(d->groups); free(d->scope); free(d->vec);
}
static lm_candidate_cols ccols(const side_data *d, size_t first) {
    lm_candidate_cols c = LM_CANDIDATE_COLS_INIT;
    c.dim = d->dim;
    c.id = d->id + first; c.owner_org = d->org + first; c.municipality = d->muni + first;
    c.lat = d->lat + first; c.lon = d->lon + first; c.groups = d->groups + first; c.scope = d->scope + first;
    c.vectors = d->vec + first * d->dim;
    return c;
}
static lm_vacancy_cols vcols(const side_data *d, size_t first) {
    lm_vacancy_cols v = LM_VACANCY_COLS_INIT;
    v.dim = d->dim;
    v.id = d->id + first; v.employer_id = d->org + first; v.municipality = d->muni + first;
    v.lat = d->lat + first; v.lon = d->lon + first; v.vectors = d->vec + first * d->dim;
    return v;
}

static void seed(lm_db *db, const side_data *c, const side_data *v) {
    const size_t chunk = 100000;
    for (size_t i = 0; i < c->n; i += chunk) {
        lm_candidate_cols cc = ccols(c, i);
        int st = lm_db_write_candidates(db, &cc, c->n - i < chunk ? c->n - i : chunk);
        if (st) die("write candidates", st, lm_db_errmsg(db));
    }
    for (size_t i = 0; i < v->n; i += chunk) {
        lm_vacancy_cols vc = vcols(v, i);
        int st = lm_db_write_vacancies(db, &vc, v->n - i < chunk ? v->n - i : chunk);
        if (st) die("write vacancies", st, lm_db_errmsg(db));
    }
}

/* A handle over our own connection, so the backend's pid is known. */
static lm_db *connect_schema(const char *schema, PGconn **conn) {
    *conn = PQconnectdb("");
    if (PQstatus(*conn) != CONNECTION_OK) die("connect", LM_ERR_DB, PQerrorMessage(*conn));
    /* start from an empty schema */
    char *q = PQescapeIdentifier(*conn, schema, strlen(schema));
    char sql[256];
    snprintf(sql, sizeof sql, "SET client_min_messages = warning; DROP SCHEMA IF EXISTS %s CASCADE", q);
    PQfreemem(q);
    PQclear(PQexec(*conn, sql));
    lm_db *db = NULL;
    int st = lm_db_wrap(&db, *conn);
    if (st) die("connect", st, NULL);
    if ((st = lm_db_set_schema(db, schema)) || (st = lm_db_init(db))) die("init", st, lm_db_errmsg(db));
    return db;
}

int main(int argc, char **argv) {
    const char *out = NULL;
    int reps = 3;
    size_t nc = 900000, nv = 100000, nres = 10000000;
    uint32_t dim = 64;
    int do_load = 1, do_write = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val) { fprintf(stderr, "bench_pg: option %s needs a value\n", a); return 2; }
        if (!strcmp(a, "--out")) out = val;
        else if (!strcmp(a, "--reps")) reps = atoi(val);
        else if (!strcmp(a, "--candidates")) nc = strtoull(val, NULL, 10);
        else if (!strcmp(a, "--vacancies")) nv = strtoull(val, NULL, 10);
        else if (!strcmp(a, "--dim")) dim = (uint32_t)atoi(val);
        else if (!strcmp(a, "--results")) nres = strtoull(val, NULL, 10);
        else if (!strcmp(a, "--only")) {
            do_load = !strcmp(val, "load");
            do_write = !strcmp(val, "write");
        }
        else { fprintf(stderr, "bench_pg: unknown option %s\n", a); return 2; }
        i++;
    }
    if (reps < 1 || reps > 50 || dim < 1 || dim > LM_MAX_DIM || nc < 1 || nv < 1 || nres < 2) {
        fprintf(stderr, "bench_pg: bad option values\n");
        return 2;
    }
    FILE *f = NULL;
    if (out) {
        f = fopen(out, "a");
        if (!f) { perror(out); return 1; }
    }
    double *t = calloc((size_t)reps, sizeof *t);
    printf("%-22s %10s %10s %5s\n", "benchmark", "candidates", "vacancies", "dim");

    /* ---- load ---- */
    if (do_load) {
        PGconn *conn = NULL;
        lm_db *db = connect_schema("bench_load", &conn);
        double *cc_t = calloc((size_t)reps, sizeof *cc_t), *bc_t = calloc((size_t)reps, sizeof *bc_t);
        side_data c, v;
        gen(&c, nc, dim, 1000000000);
        gen(&v, nv, dim, 2000000000);
        /* the in-memory part of a load: one atomic pool update of the same rows */
        for (int r = 0; r < reps; r++) {
            lm_pool *pool = NULL;
            lm_pool_create(&pool, dim);
            lm_candidate_cols cc = ccols(&c, 0);
            lm_vacancy_cols vc = vcols(&v, 0);
            double a = now_s();
            int st = lm_pool_add_candidates(pool, &cc, nc);
            if (!st) st = lm_pool_add_vacancies(pool, &vc, nv);
            t[r] = now_s() - a;
            if (st) die("pool", st, lm_pool_errmsg(pool));
            lm_pool_free(pool);
        }
        emit(f, "pool_add_in_memory", nc, nv, dim, summarise(t, reps), (double)(nc + nv), -1, -1);
        double t0 = now_s();
        seed(db, &c, &v);
        double ts = now_s() - t0;
        stats s1 = {ts, ts, ts};
        emit(f, "pg_write_pool_upsert", nc, nv, dim, s1, (double)(nc + nv), -1, -1);
        gen_free(&c);
        gen_free(&v);
        for (int r = 0; r < reps; r++) {
            lm_pool *pool = NULL;
            lm_pool_create(&pool, dim);
            int64_t wm = 0;
            double a = now_s(), c0 = self_cpu(), b0 = backend_cpu(PQbackendPID(conn));
            int st = lm_db_load_pool(&wm, db, pool, 0);
            t[r] = now_s() - a;
            cc_t[r] = self_cpu() - c0;
            bc_t[r] = b0 < 0 ? -1 : backend_cpu(PQbackendPID(conn)) - b0;
            if (st) die("load", st, lm_db_errmsg(db));
            size_t got = 0;
            lm_pool_count(&got, pool, LM_SIDE_CANDIDATE);
            if (got != nc) die("load", LM_ERR_INTERNAL, "wrong candidate count");
            lm_pool_free(pool);
        }
        stats sl = summarise(t, reps);
        emit(f, "pg_load_full", nc, nv, dim, sl, (double)(nc + nv), summarise(cc_t, reps).med, summarise(bc_t, reps).med);
        /* incremental: 1% of the candidates changed since the last load */
        {
            lm_pool *pool = NULL;
            lm_pool_create(&pool, dim);
            int64_t wm = 0;
            int st = lm_db_load_pool(&wm, db, pool, 0);
            if (st) die("load", st, lm_db_errmsg(db));
            size_t changed = nc / 100;
            for (int r = 0; r < reps; r++) {
                char sql[256];
                snprintf(sql, sizeof sql,
                         "UPDATE bench_load.candidates SET priority = %d * 0.1 WHERE id %% 100 = %d", r + 1, r);
                PGresult *u = PQexec(conn, sql);
                if (PQresultStatus(u) != PGRES_COMMAND_OK) die("update", LM_ERR_DB, PQerrorMessage(conn));
                changed = (size_t)strtoull(PQcmdTuples(u), NULL, 10);
                PQclear(u);
                double a = now_s(), c0 = self_cpu(), b0 = backend_cpu(PQbackendPID(conn));
                st = lm_db_load_pool(&wm, db, pool, wm);
                t[r] = now_s() - a;
                cc_t[r] = self_cpu() - c0;
                bc_t[r] = b0 < 0 ? -1 : backend_cpu(PQbackendPID(conn)) - b0;
                if (st) die("incremental load", st, lm_db_errmsg(db));
            }
            emit(f, "pg_load_incremental_1pct", nc, nv, dim, summarise(t, reps), (double)changed,
                 summarise(cc_t, reps).med, summarise(bc_t, reps).med);
            lm_pool_free(pool);
        }
        lm_db_close(db);
        PQfinish(conn);
    }

    /* ---- write a run ---- */
    if (do_write) {
        /* n x n pairs, all feasible; top-k both ways gives 2 n k rows. */
        size_t n = 10000, k = nres / (2 * n);
        if (k < 1) k = 1;
        if (k > LM_MAX_K) k = LM_MAX_K;
        while (2 * n * k < nres && n < 1000000) n = nres / (2 * k) + 1;
        side_data c, v;
        gen(&c, n, dim, 1);
        gen(&v, n, dim, 1);
        lm_pool *pool = NULL;
        lm_pool_create(&pool, dim);
        lm_candidate_cols cc = ccols(&c, 0);
        lm_vacancy_cols vc = vcols(&v, 0);
        int st;
        if ((st = lm_pool_add_candidates(pool, &cc, n)) || (st = lm_pool_add_vacancies(pool, &vc, n)))
            die("pool", st, lm_pool_errmsg(pool));
        lm_snapshot *snap = NULL;
        lm_pool_snapshot(&snap, pool);
        lm_engine *eng = NULL;
        lm_engine_create(&eng, NULL, NULL);
        lm_viewer vw = LM_VIEWER_INIT;
        vw.org = 1;
        lm_batch_options bo = LM_BATCH_OPTIONS_INIT;
        bo.k_candidates = bo.k_vacancies = (uint32_t)k;
        lm_results *res = NULL;
        double a = now_s();
        if ((st = lm_engine_batch(&res, eng, snap, &vw, &bo))) die("batch", st, lm_engine_errmsg(eng));
        size_t r1 = 0, r2 = 0;
        lm_results_count(&r1, res, LM_DIR_VACANCY);
        lm_results_count(&r2, res, LM_DIR_CANDIDATE);
        printf("(batch for the write benchmark: %zu x %zu, k %zu: %zu rows in %.1f s)\n", n, n, k, r1 + r2, now_s() - a);
        PGconn *conn = NULL;
        lm_db *db = connect_schema("bench_write", &conn);
        double *cc_t = calloc((size_t)reps, sizeof *cc_t), *bc_t = calloc((size_t)reps, sizeof *bc_t);
        PGconn *pc = PQconnectdb("");
        if (PQstatus(pc) != CONNECTION_OK) die("connect", LM_ERR_DB, PQerrorMessage(pc));
        for (int r = 0; r < reps; r++) {
            /* every repetition starts from empty tables, after a checkpoint */
            PQclear(PQexec(pc, "TRUNCATE bench_write.match_results, bench_write.match_runs"));
            PQclear(PQexec(pc, "CHECKPOINT"));
            int64_t run = 0;
            a = now_s();
            double c0 = self_cpu(), b0 = backend_cpu(PQbackendPID(conn));
            st = lm_db_write_run(&run, db, res, NULL, NULL);
            t[r] = now_s() - a;
            cc_t[r] = self_cpu() - c0;
            bc_t[r] = b0 < 0 ? -1 : backend_cpu(PQbackendPID(conn)) - b0;
            if (st) die("write run", st, lm_db_errmsg(db));
        }
        PQfinish(pc);
        stats sw = summarise(t, reps);
        emit(f, "pg_write_run", n, n, dim, sw, (double)(r1 + r2), summarise(cc_t, reps).med, summarise(bc_t, reps).med);
        PQfinish(conn);
        lm_results_free(res);
        lm_engine_free(eng);
        lm_snapshot_free(snap);
        lm_pool_free(pool);
        lm_db_close(db);
        gen_free(&c);
        gen_free(&v);
    }
    free(t);
    if (f) fclose(f);
    return 0;
}
