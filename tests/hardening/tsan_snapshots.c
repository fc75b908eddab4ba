/* Concurrency: readers, a batch + assignment thread and a snapshot churner run
 * while a writer applies update batches. Built with -fsanitize=thread
 * (tests/hardening/run-tsan.sh); also meaningful without TSan.
 *
 * The data makes a mixed answer detectable. All candidates are national
 * (visible to every viewer). The writer runs cycles b = 1..CYCLES, four
 * update batches each:
 *     j=1  upsert every candidate with municipality MUNI(b) and vector V(b)
 *     j=2  upsert every vacancy with municipality MUNI(b)
 *     j=3  remove the candidates of set R (the first NR ids)
 *     j=4  add R back, with municipality MUNI(b)
 * after the initial two batches (candidates, vacancies: MUNI(0)). So the
 * version number of a snapshot determines the municipality of every
 * candidate and of every vacancy, and whether R is present. Every answer
 * (query rows, batch rows both ways, assignment proposals) must match its
 * snapshot's version exactly: one whole state, never a mix. Readers also
 * re-run an old query on a snapshot they kept and require identical rows
 * (a snapshot never changes), and the last snapshot is used after the pool
 * is freed. */
#include "hard_util.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#define NC 600
#define NV 48
#define NR 50
#define DIM 8
#define CYCLES 40
#define NREADERS 3
#define MUNI(b) (100 + (b))

static hu_data D;
static lm_pool *pool;
static lm_travel *travel;
static atomic_int writer_done;
static atomic_long n_queries, n_batches, n_assign, n_snap, versions_seen_mask[4];

/* Expected state of a version. */
typedef struct expect {
    int cand_muni, vac_muni, r_present;
} expect;

static expect expected(uint64_t v) {
    expect e = {MUNI(0), MUNI(0), 1};
    if (v <= 2) return e;
    uint64_t b = (v - 3) / 4 + 1, j = (v - 3) % 4 + 1;
    e.cand_muni = MUNI((int)b);
    e.vac_muni = j >= 2 ? MUNI((int)b) : MUNI((int)b - 1);
    e.r_present = j != 3;
    return e;
}

static int in_r(int64_t cid) {
    for (int i = 0; i < NR; i++)
        if (D.c_id[i] == cid) return 1;
    return 0;
}

static void mark_version(uint64_t v) {
    if (v < 256) atomic_fetch_or(&versions_seen_mask[v / 64], 1L << (v % 64));
}

static void set_cycle_values(int b) {
    for (size_t i = 0; i < NC; i++) {
        D.c_muni[i] = MUNI(b);
        for (int j = 0; j < DIM; j++) D.c_vec[i * DIM + j] = (float)sin((double)(i * 31 + (size_t)j * 7 + (size_t)b));
    }
    for (size_t i = 0; i < NV; i++) D.v_muni[i] = MUNI(b);
}

static void check_match(const lm_match *m, const expect *e, const char *what, uint64_t v) {
    HU_CHECK(m->candidate_municipality == e->cand_muni && m->vacancy_municipality == e->vac_muni,
             "%s at version %llu: municipalities %d/%d, expected %d/%d (a mixed snapshot)", what,
             (unsigned long long)v, m->candidate_municipality, m->vacancy_municipality, e->cand_muni, e->vac_muni);
    if (!e->r_present)
        HU_CHECK(!in_r(m->candidate_id), "%s at version %llu: removed candidate %lld returned", what,
                 (unsigned long long)v, (long long)m->candidate_id);
}

/* Check every row of one direction of r; returns the number of rows. */
static size_t check_results(const lm_results *r, int dir, uint64_t v, const char *what, lm_engine *e,
                            const lm_snapshot *s, const lm_viewer *viewer) {
    double sv = -1;
    HU_CHECK(lm_results_stat(&sv, r, LM_STAT_SNAPSHOT_VERSION) == LM_OK && sv == (double)v, "%s: stat version", what);
    size_t n = 0;
    HU_CHECK(lm_results_count(&n, r, dir) == LM_OK, "%s: count", what);
    expect ex = expected(v);
    lm_match buf[64];
    for (size_t first = 0; first < n; first += 64) {
        size_t got = 0;
        HU_CHECK(lm_results_copy(buf, sizeof buf[0], 64, &got, r, dir, first) == LM_OK, "%s: copy", what);
        for (size_t i = 0; i < got; i++) {
            check_match(&buf[i], &ex, what, v);
            /* an explanation on the same snapshot repeats the row */
            if (e && (i % 16) == 0) {
                lm_match x;
                int st = lm_engine_explain(&x, sizeof x, e, s, viewer, buf[i].vacancy_id, buf[i].candidate_id);
                HU_CHECK(st == LM_OK && x.constraint == LM_CONSTRAINT_NONE && fabsf(x.score - buf[i].score) <= 1e-6f,
                         "%s: explanation differs from the row (%d, %g vs %g)", what, st, (double)x.score,
                         (double)buf[i].score);
            }
        }
    }
    return n;
}

static void count_check(const lm_snapshot *s, uint64_t v) {
    size_t nc = 0, nv = 0;
    lm_snapshot_count(&nc, s, LM_SIDE_CANDIDATE);
    lm_snapshot_count(&nv, s, LM_SIDE_VACANCY);
    expect e = expected(v);
    HU_CHECK(nc == (v >= 1 ? (size_t)(e.r_present ? NC : NC - NR) : 0), "version %llu: %zu candidates",
             (unsigned long long)v, nc);
    HU_CHECK(nv == (v >= 2 ? (size_t)NV : 0), "version %llu: %zu vacancies", (unsigned long long)v, nv);
}

/* Field by field: the struct has tail padding. */
static int same_match(const lm_match *a, const lm_match *b) {
    return a->vacancy_id == b->vacancy_id && a->candidate_id == b->candidate_id && a->rank == b->rank &&
           a->constraint == b->constraint && a->score == b->score && a->competence == b->competence &&
           a->travel == b->travel && a->hours == b->hours && a->readiness == b->readiness &&
           a->priority == b->priority && a->travel_minutes == b->travel_minutes && a->travel_mode == b->travel_mode &&
           a->candidate_municipality == b->candidate_municipality && a->vacancy_municipality == b->vacancy_municipality;
}

/* ---- threads ------------------------------------------------------------------------ */
static void *writer(void *arg) {
    (void)arg;
    lm_candidate_cols c = hu_ccols(&D, 0);
    lm_vacancy_cols v = hu_vcols(&D, 0);
    for (int b = 1; b <= CYCLES; b++) {
        set_cycle_values(b);
        HU_CHECK(lm_pool_upsert_candidates(pool, &c, NC) == LM_OK, "upsert candidates: %s", lm_pool_errmsg(pool));
        usleep(3000);
        HU_CHECK(lm_pool_upsert_vacancies(pool, &v, NV) == LM_OK, "upsert vacancies: %s", lm_pool_errmsg(pool));
        usleep(3000);
        HU_CHECK(lm_pool_remove_candidates(pool, D.c_id, NR) == LM_OK, "remove: %s", lm_pool_errmsg(pool));
        usleep(3000);
        HU_CHECK(lm_pool_add_candidates(pool, &c, NR) == LM_OK, "add back: %s", lm_pool_errmsg(pool));
        usleep(3000);
    }
    atomic_store(&writer_done, 1);
    return NULL;
}

typedef struct reader_arg {
    int id;
    lm_snapshot *last; /* kept after the pool is freed */
} reader_arg;

static void *reader(void *argp) {
    reader_arg *a = argp;
    lm_engine *e = NULL;
    HU_CHECK(lm_engine_create(&e, NULL, a->id == 0 ? travel : NULL) == LM_OK, "engine");
    lm_viewer viewer = LM_VIEWER_INIT;
    viewer.org = 1000 + a->id; /* owns nothing: sees the national candidates */
    uint64_t seed = 77 + (uint64_t)a->id;
    lm_snapshot *old = NULL;
    lm_match old_rows[20];
    size_t old_n = 0;
    int64_t old_vid = 0;
    int rounds = 0;
    while (!atomic_load(&writer_done) || rounds < 3) {
        rounds++;
        lm_snapshot *s = NULL;
        HU_CHECK(lm_pool_snapshot(&s, pool) == LM_OK, "snapshot");
        uint64_t v = lm_snapshot_version(s);
        mark_version(v);
        count_check(s, v);
        int64_t vid = D.v_id[hu_int(&seed, 0, NV - 1)];
        int64_t cid = D.c_id[hu_int(&seed, NR, NC - 1)];
        lm_results *r = NULL;
        int st = lm_engine_query_vacancy(&r, e, s, &viewer, vid, 20);
        HU_CHECK(st == LM_OK, "query vacancy: %d %s", st, lm_engine_errmsg(e));
        if (st == LM_OK) check_results(r, LM_DIR_VACANCY, v, "query vacancy", e, s, &viewer);
        lm_results_free(r);
        r = NULL;
        st = lm_engine_query_candidate(&r, e, s, &viewer, cid, 10);
        HU_CHECK(st == LM_OK, "query candidate: %d %s", st, lm_engine_errmsg(e));
        if (st == LM_OK) check_results(r, LM_DIR_CANDIDATE, v, "query candidate", e, s, &viewer);
        lm_results_free(r);
        atomic_fetch_add(&n_queries, 2);

        /* a snapshot never changes: repeat the query on the kept one */
        if (old) {
            r = NULL;
            HU_CHECK(lm_engine_query_vacancy(&r, e, old, &viewer, old_vid, 20) == LM_OK, "old query");
            lm_match rows[20];
            size_t n = 0;
            lm_results_copy(rows, sizeof rows[0], 20, &n, r, LM_DIR_VACANCY, 0);
            HU_CHECK(n == old_n, "a kept snapshot answered with %zu rows, before %zu", n, old_n);
            for (size_t i = 0; i < n && i < old_n; i++)
                HU_CHECK(same_match(&rows[i], &old_rows[i]),
                         "a kept snapshot (version %llu) answered differently at rank %zu: id %lld score %.9g muni %d, "
                         "before id %lld score %.9g muni %d", (unsigned long long)lm_snapshot_version(old), i,
                         (long long)rows[i].candidate_id, (double)rows[i].score, rows[i].candidate_municipality,
                         (long long)old_rows[i].candidate_id, (double)old_rows[i].score,
                         old_rows[i].candidate_municipality);
            lm_results_free(r);
        }
        if (!old || rounds % 7 == 0) {
            lm_snapshot_free(old);
            old = s;
            s = NULL;
            old_vid = vid;
            r = NULL;
            HU_CHECK(lm_engine_query_vacancy(&r, e, old, &viewer, old_vid, 20) == LM_OK, "query");
            old_n = 0;
            lm_results_copy(old_rows, sizeof old_rows[0], 20, &old_n, r, LM_DIR_VACANCY, 0);
            lm_results_free(r);
        }
        lm_snapshot_free(s);
    }
    a->last = old;
    lm_engine_free(e);
    return NULL;
}

static void *batcher(void *arg) {
    (void)arg;
    lm_engine *e = NULL;
    HU_CHECK(lm_engine_create(&e, NULL, travel) == LM_OK, "engine");
    HU_CHECK(lm_engine_set_i64(e, LM_ENGINE_THREADS, 2) == LM_OK, "threads");
    lm_viewer viewer = LM_VIEWER_INIT;
    viewer.org = 1;
    viewer.municipality = MUNI(1);
    viewer.region = 1;
    int rounds = 0;
    while (!atomic_load(&writer_done) || rounds < 2) {
        rounds++;
        lm_snapshot *s = NULL;
        HU_CHECK(lm_pool_snapshot(&s, pool) == LM_OK, "snapshot");
        uint64_t v = lm_snapshot_version(s);
        mark_version(v);
        lm_batch_options o = LM_BATCH_OPTIONS_INIT;
        o.k_candidates = 5;
        o.k_vacancies = 3;
        lm_results *r = NULL;
        int st = lm_engine_batch(&r, e, s, &viewer, &o);
        HU_CHECK(st == LM_OK, "batch: %d %s", st, lm_engine_errmsg(e));
        lm_snapshot_free(s); /* the results keep what they need */
        if (st != LM_OK) continue;
        size_t lists = 0;
        lm_results_lists(&lists, r, LM_DIR_CANDIDATE);
        expect ex = expected(v);
        HU_CHECK(lists == (v >= 1 ? (size_t)(ex.r_present ? NC : NC - NR) : 0), "batch at %llu: %zu candidate lists",
                 (unsigned long long)v, lists);
        check_results(r, LM_DIR_VACANCY, v, "batch (vacancies)", NULL, NULL, NULL);
        check_results(r, LM_DIR_CANDIDATE, v, "batch (candidates)", NULL, NULL, NULL);
        atomic_fetch_add(&n_batches, 1);
        if (v >= 2) {
            lm_assignment *as = NULL;
            lm_assign_options ao = LM_ASSIGN_OPTIONS_INIT;
            st = lm_engine_assign(&as, e, r, &ao);
            HU_CHECK(st == LM_OK, "assign: %d %s", st, lm_engine_errmsg(e));
            size_t np = 0;
            if (st == LM_OK && lm_assignment_count(&np, as) == LM_OK) {
                lm_match m[64];
                for (size_t f = 0; f < np; f += 64) {
                    size_t got = 0;
                    lm_assignment_copy(m, sizeof m[0], 64, &got, as, f);
                    for (size_t i = 0; i < got; i++) check_match(&m[i], &ex, "assignment", v);
                }
                atomic_fetch_add(&n_assign, 1);
            }
            lm_assignment_free(as);
        }
        lm_results_free(r);
    }
    lm_engine_free(e);
    return NULL;
}

/* Races the pool's cached snapshot and the counters. */
static void *churner(void *arg) {
    (void)arg;
    while (!atomic_load(&writer_done)) {
        lm_snapshot *s = NULL;
        HU_CHECK(lm_pool_snapshot(&s, pool) == LM_OK, "snapshot");
        uint64_t v = lm_snapshot_version(s);
        count_check(s, v);
        size_t n = 0;
        HU_CHECK(lm_pool_count(&n, pool, LM_SIDE_VACANCY) == LM_OK, "count");
        int has = 0;
        lm_snapshot_contains(&has, s, LM_SIDE_CANDIDATE, D.c_id[0]);
        HU_CHECK(has == expected(v).r_present, "contains at version %llu", (unsigned long long)v);
        lm_snapshot_free(s);
        atomic_fetch_add(&n_snap, 1);
        usleep(300); /* contend, but do not starve the others under TSan */
    }
    return NULL;
}

int main(void) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    hu_generate(&D, 4242, NC, NV, DIM, 3);
    for (size_t i = 0; i < NC; i++) D.c_scope[i] = LM_SCOPE_NATIONAL;
    set_cycle_values(0);
    HU_CHECK(lm_pool_create(&pool, DIM) == LM_OK, "pool");
    lm_candidate_cols c = hu_ccols(&D, 0);
    lm_vacancy_cols v = hu_vcols(&D, 0);
    HU_CHECK(lm_pool_add_candidates(pool, &c, NC) == LM_OK, "add: %s", lm_pool_errmsg(pool));
    HU_CHECK(lm_pool_add_vacancies(pool, &v, NV) == LM_OK, "add: %s", lm_pool_errmsg(pool));
    /* a travel model with a PT matrix, shared by two engines */
    HU_CHECK(lm_travel_create(&travel) == LM_OK, "travel");
    int32_t zones[21];
    uint8_t cells[21 * 21];
    for (int i = 0; i < 21; i++) zones[i] = 1000 + i;
    for (int i = 0; i < 21 * 21; i++) cells[i] = (uint8_t)(5 + (i * 7) % 60);
    HU_CHECK(lm_travel_set_matrix(travel, LM_MODE_PT, zones, 21, cells) == LM_OK, "matrix");

    pthread_t tw, tb, tc, tr[NREADERS];
    reader_arg ra[NREADERS];
    pthread_create(&tw, NULL, writer, NULL);
    pthread_create(&tb, NULL, batcher, NULL);
    pthread_create(&tc, NULL, churner, NULL);
    for (int i = 0; i < NREADERS; i++) {
        ra[i] = (reader_arg){i, NULL};
        pthread_create(&tr[i], NULL, reader, &ra[i]);
    }
    pthread_join(tw, NULL);
    pthread_join(tb, NULL);
    pthread_join(tc, NULL);
    for (int i = 0; i < NREADERS; i++) pthread_join(tr[i], NULL);

    /* snapshots outlive the pool */
    uint64_t final_version = 2 + 4 * CYCLES;
    lm_snapshot *s = NULL;
    HU_CHECK(lm_pool_snapshot(&s, pool) == LM_OK && lm_snapshot_version(s) == final_version, "final version");
    lm_pool_free(pool);
    lm_travel_free(travel);
    lm_engine *e = NULL;
    lm_engine_create(&e, NULL, NULL);
    lm_viewer viewer = LM_VIEWER_INIT;
    for (int i = 0; i < NREADERS; i++) {
        if (!ra[i].last) continue;
        uint64_t ver = lm_snapshot_version(ra[i].last);
        count_check(ra[i].last, ver);
        lm_results *r = NULL;
        HU_CHECK(lm_engine_query_vacancy(&r, e, ra[i].last, &viewer, D.v_id[0], 10) == LM_OK, "query after free");
        if (r) check_results(r, LM_DIR_VACANCY, ver, "query after pool free", e, ra[i].last, &viewer);
        lm_results_free(r);
        lm_snapshot_free(ra[i].last);
    }
    count_check(s, final_version);
    lm_snapshot_free(s);
    lm_engine_free(e);

    long seen = 0;
    for (int i = 0; i < 4; i++) seen += __builtin_popcountl((unsigned long)atomic_load(&versions_seen_mask[i]));
    HU_CHECK(seen >= 10, "only %ld distinct versions were observed: the test did not overlap updates and reads", seen);
    HU_CHECK(atomic_load(&n_batches) >= 2 && atomic_load(&n_assign) >= 1, "too few batches (%ld) or assignments (%ld)",
             atomic_load(&n_batches), atomic_load(&n_assign));
    hu_free(&D);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long fails = atomic_load(&hu_failures), checks = atomic_load(&hu_checks);
    printf("tsan-snapshots: %ld checks, %ld failed; %ld queries, %ld batches, %ld assignments, %ld snapshot churns, "
           "%ld of %llu versions observed, %.1f s\n",
           checks, fails, atomic_load(&n_queries), atomic_load(&n_batches), atomic_load(&n_assign),
           atomic_load(&n_snap), seen, (unsigned long long)final_version + 1,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
    return fails ? 1 : 0;
}
