/* Limits and overflow (docs/hardening.md): counts and sizes at and beyond the
 * documented limits of core.h (LM_MAX_DIM, LM_MAX_K, LM_MAX_ROWS,
 * LM_MAX_BATCH) and of the travel model (20000 zones) must give a clean
 * LM_ERR_LIMIT / LM_ERR_RANGE before any column is read or any size is
 * computed, and memory must follow the data, not the requested k.
 *
 * The columns passed with huge n hold one row: reading past it is caught by
 * ASan. Allocations above 1 GiB fail (allocator_may_return_null, see
 * __asan_default_options below), so "would have allocated k x n" shows up as
 * LM_ERR_NOMEM instead of silently reserving address space. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "hard_util.h"
#include "internal.h"

const char *__asan_default_options(void);
const char *__asan_default_options(void) {
    return "allocator_may_return_null=1:max_allocation_size_mb=1024:detect_leaks=1";
}

static hu_data D;
static lm_pool *P;

static void setup(void) {
    hu_generate(&D, 7, 40, 12, 4, 3);
    cr_assert_eq(lm_pool_create(&P, 4), LM_OK);
    lm_candidate_cols c = hu_ccols(&D, 0);
    lm_vacancy_cols v = hu_vcols(&D, 0);
    cr_assert_eq(lm_pool_add_candidates(P, &c, D.nc), LM_OK, "%s", lm_pool_errmsg(P));
    cr_assert_eq(lm_pool_add_vacancies(P, &v, D.nv), LM_OK, "%s", lm_pool_errmsg(P));
}
static void teardown(void) {
    lm_pool_free(P);
    P = NULL;
    hu_free(&D);
}

static uint64_t version_of(lm_pool *p) {
    lm_snapshot *s = NULL;
    cr_assert_eq(lm_pool_snapshot(&s, p), LM_OK);
    uint64_t v = lm_snapshot_version(s);
    lm_snapshot_free(s);
    return v;
}

TestSuite(limits, .init = setup, .fini = teardown);

Test(limits, dimension) {
    lm_pool *p = (lm_pool *)(uintptr_t)1;
    cr_expect_eq(lm_pool_create(&p, 0), LM_ERR_RANGE);
    cr_expect_null(p);
    cr_expect_eq(lm_pool_create(&p, LM_MAX_DIM + 1), LM_ERR_RANGE);
    cr_expect_eq(lm_pool_create(&p, UINT32_MAX), LM_ERR_RANGE);
    /* the largest dimension works end to end */
    cr_assert_eq(lm_pool_create(&p, LM_MAX_DIM), LM_OK);
    hu_data d;
    hu_generate(&d, 9, 3, 2, LM_MAX_DIM, 1);
    lm_candidate_cols c = hu_ccols(&d, 0);
    lm_vacancy_cols v = hu_vcols(&d, 0);
    cr_assert_eq(lm_pool_add_candidates(p, &c, 3), LM_OK, "%s", lm_pool_errmsg(p));
    cr_assert_eq(lm_pool_add_vacancies(p, &v, 2), LM_OK, "%s", lm_pool_errmsg(p));
    c.dim = LM_MAX_DIM + 1;
    cr_expect_eq(lm_pool_upsert_candidates(p, &c, 3), LM_ERR_DIMENSION);
    lm_snapshot *s = NULL;
    lm_engine *e = NULL;
    cr_assert_eq(lm_pool_snapshot(&s, p), LM_OK);
    cr_assert_eq(lm_engine_create(&e, NULL, NULL), LM_OK);
    lm_viewer vw = LM_VIEWER_INIT;
    vw.org = 1;
    lm_results *r = NULL;
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    cr_expect_eq(lm_engine_batch(&r, e, s, &vw, &o), LM_OK, "%s", lm_engine_errmsg(e));
    lm_results_free(r);
    lm_match m;
    cr_expect_eq(lm_engine_explain(&m, sizeof m, e, s, &vw, d.v_id[0], d.c_id[0]), LM_OK);
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    hu_free(&d);
}

Test(limits, batch_sizes_are_checked_before_reading) {
    uint64_t v0 = version_of(P);
    lm_candidate_cols c = hu_ccols(&D, 0);
    lm_vacancy_cols v = hu_vcols(&D, 0);
    size_t huge[] = {(size_t)LM_MAX_BATCH + 1, SIZE_MAX / 2, SIZE_MAX};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        cr_expect_eq(lm_pool_add_candidates(P, &c, huge[i]), LM_ERR_LIMIT, "n = %zu", huge[i]);
        cr_expect_eq(lm_pool_upsert_candidates(P, &c, huge[i]), LM_ERR_LIMIT);
        cr_expect_eq(lm_pool_add_vacancies(P, &v, huge[i]), LM_ERR_LIMIT);
        cr_expect_eq(lm_pool_upsert_vacancies(P, &v, huge[i]), LM_ERR_LIMIT);
        cr_expect_eq(lm_pool_remove_candidates(P, D.c_id, huge[i]), LM_ERR_LIMIT);
        cr_expect_eq(lm_pool_remove_vacancies(P, D.v_id, huge[i]), LM_ERR_LIMIT);
        cr_expect(strstr(lm_pool_errmsg(P), "exceeds") != NULL, "message: %s", lm_pool_errmsg(P));
    }
    cr_expect_eq(version_of(P), v0, "a refused batch changed the pool");
}

/* The atomic two-sided change the database loader uses (pool.c). Its counts
 * come from the database, so they must be limited like the public calls':
 * n + ndel must not overflow the size computations of prepare(). */
Test(limits, sync_sizes_are_checked) {
    uint64_t v0 = version_of(P);
    lm_candidate_cols c = hu_ccols(&D, 0);
    int64_t del[1] = {D.c_id[0]};
    lm_pool_change ch = {&c, 1, del, SIZE_MAX / 16 + 1, NULL, 0, NULL, 0};
    cr_expect_eq(lm__pool_sync(P, &ch), LM_ERR_LIMIT, "deletions count near SIZE_MAX: %s", lm_pool_errmsg(P));
    lm_pool_change ch2 = {NULL, 0, NULL, 0, NULL, 0, del, (size_t)LM_MAX_BATCH + 1};
    cr_expect_eq(lm__pool_sync(P, &ch2), LM_ERR_LIMIT);
    cr_expect_eq(version_of(P), v0);
}

Test(limits, k) {
    lm_snapshot *s = NULL;
    lm_engine *e = NULL;
    cr_assert_eq(lm_pool_snapshot(&s, P), LM_OK);
    cr_assert_eq(lm_engine_create(&e, NULL, NULL), LM_OK);
    lm_viewer vw = LM_VIEWER_INIT;
    vw.org = 1;
    lm_results *r = NULL;
    uint32_t bad[] = {0, LM_MAX_K + 1, UINT32_MAX};
    for (size_t i = 0; i < 3; i++) {
        cr_expect_eq(lm_engine_query_vacancy(&r, e, s, &vw, D.v_id[0], bad[i]), LM_ERR_RANGE, "k = %u", bad[i]);
        cr_expect_null(r);
        lm_batch_options o = LM_BATCH_OPTIONS_INIT;
        o.k_candidates = bad[i];
        cr_expect_eq(lm_engine_batch(&r, e, s, &vw, &o), LM_ERR_RANGE);
        o.k_candidates = 10;
        o.k_vacancies = bad[i];
        cr_expect_eq(lm_engine_batch(&r, e, s, &vw, &o), LM_ERR_RANGE);
    }
    /* k at the limit is fine and returns at most the candidates there are */
    cr_assert_eq(lm_engine_query_vacancy(&r, e, s, &vw, D.v_id[0], LM_MAX_K), LM_OK, "%s", lm_engine_errmsg(e));
    size_t n = 0;
    lm_results_count(&n, r, LM_DIR_VACANCY);
    cr_expect_leq(n, D.nc);
    lm_results_free(r);
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.k_candidates = o.k_vacancies = LM_MAX_K;
    cr_expect_eq(lm_engine_batch(&r, e, s, &vw, &o), LM_OK, "%s", lm_engine_errmsg(e));
    lm_results_free(r);
    lm_engine_free(e);
    lm_snapshot_free(s);
}

/* "All of them" (k = LM_MAX_K) on a big vacancy side: the batch must size its
 * heaps by what can be found (candidates visible), not by k x vacancies
 * (20000 x 2 x 10000 entries would be several GB). */
Test(limits, batch_memory_follows_the_data_not_k) {
    hu_data d;
    hu_generate(&d, 11, 6, 20000, 2, 2);
    lm_pool *p = NULL;
    cr_assert_eq(lm_pool_create(&p, 2), LM_OK);
    lm_candidate_cols c = hu_ccols(&d, 0);
    lm_vacancy_cols v = hu_vcols(&d, 0);
    cr_assert_eq(lm_pool_add_candidates(p, &c, d.nc), LM_OK);
    cr_assert_eq(lm_pool_add_vacancies(p, &v, d.nv), LM_OK);
    lm_snapshot *s = NULL;
    lm_engine *e = NULL;
    cr_assert_eq(lm_pool_snapshot(&s, p), LM_OK);
    cr_assert_eq(lm_engine_create(&e, NULL, NULL), LM_OK);
    lm_engine_set_i64(e, LM_ENGINE_THREADS, 1);
    lm_viewer vw = LM_VIEWER_INIT;
    vw.org = 1;
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.k_candidates = LM_MAX_K;
    o.k_vacancies = 5;
    lm_results *r = NULL;
    int st = lm_engine_batch(&r, e, s, &vw, &o);
    cr_expect_eq(st, LM_OK, "batch with k_candidates = LM_MAX_K over %zu vacancies and %zu candidates: %d (%s)", d.nv,
                 d.nc, st, lm_engine_errmsg(e));
    lm_results_free(r);
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    hu_free(&d);
}

Test(limits, extreme_ids_and_values) {
    hu_data d;
    hu_generate(&d, 13, 4, 2, 4, 1);
    d.c_id[0] = INT64_MIN;
    d.c_id[1] = INT64_MAX;
    d.c_id[2] = 0;
    d.c_id[3] = -1;
    d.v_id[0] = INT64_MIN;
    d.v_id[1] = INT64_MAX;
    d.c_muni[0] = INT32_MAX;
    d.c_zone[1] = INT32_MAX;
    d.c_avail[2] = INT32_MAX;
    d.v_open[0] = INT32_MAX;
    d.c_flags[3] = UINT64_MAX;
    d.v_req[1] = UINT64_MAX;
    lm_pool *p = NULL;
    cr_assert_eq(lm_pool_create(&p, 4), LM_OK);
    lm_candidate_cols c = hu_ccols(&d, 0);
    lm_vacancy_cols v = hu_vcols(&d, 0);
    cr_assert_eq(lm_pool_add_candidates(p, &c, 4), LM_OK, "%s", lm_pool_errmsg(p));
    cr_assert_eq(lm_pool_add_vacancies(p, &v, 2), LM_OK, "%s", lm_pool_errmsg(p));
    lm_snapshot *s = NULL;
    lm_engine *e = NULL;
    cr_assert_eq(lm_pool_snapshot(&s, p), LM_OK);
    cr_assert_eq(lm_engine_create(&e, NULL, NULL), LM_OK);
    lm_viewer vw = LM_VIEWER_INIT;
    vw.org = 1;
    for (int i = 0; i < 4; i++) {
        int has = 0;
        cr_expect_eq(lm_snapshot_contains(&has, s, LM_SIDE_CANDIDATE, d.c_id[i]), LM_OK);
        cr_expect(has, "id %lld", (long long)d.c_id[i]);
        lm_match m;
        cr_expect_eq(lm_engine_explain(&m, sizeof m, e, s, &vw, INT64_MAX, d.c_id[i]), LM_OK);
        cr_expect_eq(m.candidate_id, d.c_id[i]);
    }
    lm_results *r = NULL;
    cr_expect_eq(lm_engine_query_vacancy(&r, e, s, &vw, INT64_MIN, 10), LM_OK);
    lm_results_free(r);
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    cr_expect_eq(lm_engine_batch(&r, e, s, &vw, &o), LM_OK);
    size_t cnt = 0;
    lm_results_count(&cnt, r, LM_DIR_VACANCY);
    lm_match m;
    size_t got = 0;
    cr_expect_eq(lm_results_copy(&m, sizeof m, SIZE_MAX, &got, r, LM_DIR_VACANCY, cnt), LM_OK, "copy at the end");
    cr_expect_eq(got, 0);
    cr_expect_eq(lm_results_copy(&m, sizeof m, 1, &got, r, LM_DIR_VACANCY, SIZE_MAX), LM_ERR_RANGE);
    int64_t id;
    cr_expect_eq(lm_results_list(&id, NULL, NULL, r, LM_DIR_VACANCY, SIZE_MAX), LM_ERR_RANGE);
    lm_results_free(r);
    int64_t rm[2] = {INT64_MIN, INT64_MAX};
    cr_expect_eq(lm_pool_remove_candidates(p, rm, 2), LM_OK);
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    hu_free(&d);
}

Test(limits, viewer_and_policy_ranges) {
    lm_snapshot *s = NULL;
    lm_engine *e = NULL;
    cr_assert_eq(lm_pool_snapshot(&s, P), LM_OK);
    cr_assert_eq(lm_engine_create(&e, NULL, NULL), LM_OK);
    lm_viewer vw = LM_VIEWER_INIT;
    lm_results *r = NULL;
    vw.municipality = -1;
    cr_expect_eq(lm_engine_query_vacancy(&r, e, s, &vw, D.v_id[0], 5), LM_ERR_RANGE);
    vw.municipality = 0;
    vw.region = INT32_MIN;
    cr_expect_eq(lm_engine_query_vacancy(&r, e, s, &vw, D.v_id[0], 5), LM_ERR_RANGE);
    vw.region = 0;
    vw.struct_size = 0;
    cr_expect_eq(lm_engine_query_vacancy(&r, e, s, &vw, D.v_id[0], 5), LM_ERR_INVALID);
    lm_policy *pol = NULL;
    cr_assert_eq(lm_policy_create(&pol), LM_OK);
    cr_expect_eq(lm_policy_set_f64(pol, LM_POLICY_KEYS, 1), LM_ERR_RANGE);
    cr_expect_eq(lm_policy_set_f64(pol, -1, 1), LM_ERR_RANGE);
    cr_expect_eq(lm_policy_set_f64(pol, INT32_MAX, 1), LM_ERR_RANGE);
    cr_expect_eq(lm_policy_set_f64(pol, LM_POLICY_AS_OF_DAY, 2147483648.0), LM_ERR_RANGE);
    cr_expect_eq(lm_policy_set_f64(pol, LM_POLICY_AS_OF_DAY, 2147483647.0), LM_OK);
    cr_expect_eq(lm_policy_set_f64(pol, LM_POLICY_VERSION, 1e300), LM_ERR_RANGE);
    cr_expect_eq(lm_policy_set_f64(pol, LM_POLICY_MAX_TRAVEL_MIN, 1440), LM_OK);
    cr_expect_eq(lm_policy_set_f64(pol, LM_POLICY_W_COMPETENCE, NAN), LM_ERR_NONFINITE);
    cr_expect_eq(lm_engine_set_policy(e, pol), LM_OK);
    cr_expect_eq(lm_engine_set_i64(e, LM_ENGINE_THREADS, INT64_MAX), LM_ERR_RANGE);
    cr_expect_eq(lm_engine_set_i64(e, LM_ENGINE_THREADS, -1), LM_ERR_RANGE);
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    cr_expect_eq(lm_engine_batch(&r, e, s, &vw, &o), LM_ERR_INVALID); /* struct_size 0 viewer */
    vw.struct_size = sizeof vw;
    o.vacancy_region = -5;
    cr_expect_eq(lm_engine_batch(&r, e, s, &vw, &o), LM_ERR_RANGE);
    o.vacancy_region = INT32_MAX;
    cr_expect_eq(lm_engine_batch(&r, e, s, &vw, &o), LM_OK);
    size_t nl = 1;
    lm_results_lists(&nl, r, LM_DIR_VACANCY);
    cr_expect_eq(nl, 0);
    lm_results_free(r);
    lm_policy_free(pol);
    lm_engine_free(e);
    lm_snapshot_free(s);
}

Test(limits, row_value_ranges) {
    uint64_t v0 = version_of(P);
    hu_data d;
    hu_generate(&d, 17, 1, 1, 4, 1);
    lm_candidate_cols c = hu_ccols(&d, 0);
    lm_vacancy_cols v = hu_vcols(&d, 0);
    d.v_slots[0] = 1000001;
    cr_expect_eq(lm_pool_add_vacancies(P, &v, 1), LM_ERR_RANGE);
    d.v_slots[0] = INT32_MIN;
    cr_expect_eq(lm_pool_add_vacancies(P, &v, 1), LM_ERR_RANGE);
    d.v_slots[0] = 1000000;
    d.v_muni[0] = INT32_MIN;
    cr_expect_eq(lm_pool_add_vacancies(P, &v, 1), LM_ERR_RANGE);
    d.v_muni[0] = 1;
    d.v_hmax[0] = INFINITY;
    cr_expect_eq(lm_pool_add_vacancies(P, &v, 1), LM_ERR_NONFINITE);
    d.c_maxmin[0] = 1440.5f;
    cr_expect_eq(lm_pool_add_candidates(P, &c, 1), LM_ERR_RANGE);
    d.c_maxmin[0] = 0;
    d.c_lw[0] = 200.01f;
    cr_expect_eq(lm_pool_add_candidates(P, &c, 1), LM_ERR_RANGE);
    d.c_lw[0] = 50;
    d.c_avail[0] = INT32_MIN;
    cr_expect_eq(lm_pool_add_candidates(P, &c, 1), LM_ERR_RANGE);
    d.c_avail[0] = 0;
    d.c_lat[0] = -90.0000001;
    cr_expect_eq(lm_pool_add_candidates(P, &c, 1), LM_ERR_RANGE);
    d.c_lat[0] = 90;
    d.c_lon[0] = 180;
    d.c_vec[0] = 3.4e38f;
    d.c_vec[1] = -3.4e38f; /* finite but its square overflows float */
    cr_expect_eq(lm_pool_add_candidates(P, &c, 1), LM_OK, "%s", lm_pool_errmsg(P));
    lm_snapshot *s = NULL;
    lm_engine *e = NULL;
    cr_assert_eq(lm_pool_snapshot(&s, P), LM_OK);
    cr_assert_eq(lm_engine_create(&e, NULL, NULL), LM_OK);
    lm_viewer vw = LM_VIEWER_INIT;
    vw.org = d.c_org[0];
    lm_match m;
    for (size_t j = 0; j < D.nv; j++) {
        cr_assert_eq(lm_engine_explain(&m, sizeof m, e, s, &vw, D.v_id[j], d.c_id[0]), LM_OK);
        cr_expect(isfinite(m.score) && isfinite(m.competence) && m.competence >= 0 && m.competence <= 1,
                  "huge vector: competence %g score %g", (double)m.competence, (double)m.score);
    }
    lm_engine_free(e);
    lm_snapshot_free(s);
    cr_expect_eq(version_of(P), v0 + 1);
    hu_free(&d);
}

/* ---- travel: 20000 zones per mode (docs/travel.md) ------------------------------ */
static char tmpfile_path[256];
static const char *write_tmp(const void *p, size_t n) {
    snprintf(tmpfile_path, sizeof tmpfile_path, "/tmp/lm-limits-%d.bin", (int)getpid());
    FILE *f = fopen(tmpfile_path, "wb");
    fwrite(p, 1, n, f);
    fclose(f);
    return tmpfile_path;
}
static void le32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

Test(limits, travel_matrix_sizes) {
    lm_travel *t = NULL;
    cr_assert_eq(lm_travel_create(&t), LM_OK);
    int32_t z[1] = {1};
    uint8_t m[1] = {0};
    cr_expect_eq(lm_travel_set_matrix(t, LM_MODE_PT, z, 20001, m), LM_ERR_LIMIT, "read before the size check?");
    cr_expect_eq(lm_travel_set_matrix(t, LM_MODE_PT, z, SIZE_MAX, m), LM_ERR_LIMIT);
    cr_expect_eq(lm_travel_set_matrix(t, LM_MODE_PT, z, (size_t)1 << 32, m), LM_ERR_LIMIT);
    cr_expect_eq(lm_travel_set_matrix(t, LM_MODE_PT, z, 0, m), LM_ERR_RANGE);

    /* binary headers that lie */
    uint8_t h[64];
    memcpy(h, "LMTRAVEL", 8);
    le32(h + 8, 1);
    le32(h + 12, 1);
    le32(h + 16, LM_MODE_PT);
    uint32_t ns[] = {20001, UINT32_MAX, 0x10000};
    for (size_t i = 0; i < 3; i++) {
        le32(h + 20, ns[i]);
        cr_expect_eq(lm_travel_load_file(t, write_tmp(h, 24)), LM_ERR_LIMIT, "n = %u: %s", ns[i], lm_travel_errmsg(t));
    }
    /* n at the limit but truncated: refused from the file size, before the
     * 400 MB allocation (which would fail here: max 1 GiB is fine, but the
     * check must come first; NOMEM would mean it allocated) */
    le32(h + 20, 20000);
    cr_expect_eq(lm_travel_load_file(t, write_tmp(h, 24)), LM_ERR_FORMAT, "%s", lm_travel_errmsg(t));
    le32(h + 12, UINT32_MAX); /* matrix count */
    cr_expect_eq(lm_travel_load_file(t, write_tmp(h, 24)), LM_ERR_FORMAT);
    unlink(tmpfile_path);
    lm_travel_free(t);
}

Test(limits, travel_text_zone_limit) {
    char path[256];
    snprintf(path, sizeof path, "/tmp/lm-limits-%d.txt", (int)getpid());
    FILE *f = fopen(path, "w");
    /* 10001 lines, each with two new zones: 20002 distinct zones for walk */
    for (int i = 0; i < 10001; i++) fprintf(f, "%d\t%d\twalk\t5\n", 100000 + 2 * i, 100001 + 2 * i);
    fclose(f);
    lm_travel *t = NULL;
    cr_assert_eq(lm_travel_create(&t), LM_OK);
    cr_expect_eq(lm_travel_load_file(t, path), LM_ERR_LIMIT, "%s", lm_travel_errmsg(t));
    /* zone numbers at INT32_MAX and above */
    f = fopen(path, "w");
    fprintf(f, "2147483647\t1\tcar\t3\n");
    fclose(f);
    cr_expect_eq(lm_travel_load_file(t, path), LM_OK, "%s", lm_travel_errmsg(t));
    double mins = 0;
    cr_expect_eq(lm_travel_minutes(&mins, t, LM_MODE_CAR, INT32_MAX, NAN, NAN, 1, NAN, NAN), LM_OK);
    cr_expect_eq(mins, 3);
    f = fopen(path, "w");
    fprintf(f, "2147483648\t1\tcar\t3\n");
    fclose(f);
    cr_expect_eq(lm_travel_load_file(t, path), LM_ERR_FORMAT);
    /* one very long line */
    f = fopen(path, "w");
    for (int i = 0; i < 100000; i++) fputc('1', f);
    fputc('\n', f);
    fclose(f);
    cr_expect_eq(lm_travel_load_file(t, path), LM_ERR_FORMAT);
    unlink(path);
    lm_travel_free(t);
}

Test(limits, assignment_sizes) {
    lm_engine *e = NULL;
    cr_assert_eq(lm_engine_create(&e, NULL, NULL), LM_OK);
    int32_t cap[1] = {1};
    uint32_t ep[1] = {0}, ev[1] = {0};
    float es[1] = {0.5f};
    lm_assign_graph g = LM_ASSIGN_GRAPH_INIT;
    g.n_people = 1;
    g.n_vacancies = 1;
    g.capacity = cap;
    g.n_edges = 1;
    g.edge_person = ep;
    g.edge_vacancy = ev;
    g.edge_score = es;
    lm_assignment *a = NULL;
    cr_assert_eq(lm_engine_assign_graph(&a, e, &g, NULL), LM_OK, "%s", lm_engine_errmsg(e));
    lm_assignment_free(a);
    g.n_people = SIZE_MAX;
    cr_expect_eq(lm_engine_assign_graph(&a, e, &g, NULL), LM_ERR_LIMIT, "%s", lm_engine_errmsg(e));
    g.n_people = 1;
    g.n_vacancies = (size_t)LM_MAX_ROWS + 1;
    cr_expect_eq(lm_engine_assign_graph(&a, e, &g, NULL), LM_ERR_LIMIT);
    g.n_vacancies = 1;
    g.n_edges = SIZE_MAX;
    cr_expect_eq(lm_engine_assign_graph(&a, e, &g, NULL), LM_ERR_LIMIT);
    g.n_edges = 1;
    ep[0] = UINT32_MAX;
    cr_expect_eq(lm_engine_assign_graph(&a, e, &g, NULL), LM_ERR_RANGE);
    ep[0] = 0;
    cap[0] = INT32_MAX;
    cr_expect(lm_engine_assign_graph(&a, e, &g, NULL) == LM_OK, "capacity INT32_MAX: %s", lm_engine_errmsg(e));
    lm_assignment_free(a);
    a = NULL;
    cap[0] = -1;
    cr_expect_eq(lm_engine_assign_graph(&a, e, &g, NULL), LM_ERR_RANGE);
    cap[0] = 1;
    lm_assign_options o = LM_ASSIGN_OPTIONS_INIT;
    o.max_per_candidate = UINT32_MAX;
    cr_expect_eq(lm_engine_assign_graph(&a, e, &g, &o), LM_ERR_RANGE);
    o.max_per_candidate = 1;
    o.priority_weight = 1e300;
    cr_expect_eq(lm_engine_assign_graph(&a, e, &g, &o), LM_ERR_RANGE);
    cr_expect_null(a);
    lm_engine_free(e);
}
