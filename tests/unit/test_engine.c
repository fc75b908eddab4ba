/* Engine: queries, batch and explanations against the brute-force reference. */
#include "testutil.h"

static lm_viewer viewer(int64_t org, int32_t muni, int32_t region) {
    lm_viewer v = LM_VIEWER_INIT;
    v.org = org;
    v.municipality = muni;
    v.region = region;
    return v;
}

static void check_results_list(const tu_data *d, const tu_policy *P, const lm_viewer *v, lm_results *r, int dir,
                               size_t list, size_t k, const char *what) {
    int64_t id;
    size_t first, len;
    cr_assert_eq(lm_results_list(&id, &first, &len, r, dir, list), LM_OK);
    size_t idx = SIZE_MAX;
    const int64_t *ids = dir == LM_DIR_VACANCY ? d->v_id : d->c_id;
    size_t n = dir == LM_DIR_VACANCY ? d->nv : d->nc;
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id) idx = i;
    cr_assert_neq(idx, SIZE_MAX, "%s: list id %lld not in the data", what, (long long)id);
    tu_hit *ref = malloc((dir == LM_DIR_VACANCY ? d->nc : d->nv) * sizeof *ref + 1);
    size_t nref = tu_ref_list(d, P, v, idx, dir == LM_DIR_CANDIDATE, ref);
    lm_match *m = calloc(len + 1, sizeof *m);
    size_t copied = 0;
    cr_assert_eq(lm_results_copy(m, sizeof *m, len, &copied, r, dir, first), LM_OK);
    cr_assert_eq(copied, len);
    int64_t *got = malloc((len + 1) * sizeof *got);
    float *sc = malloc((len + 1) * sizeof *sc);
    for (size_t q = 0; q < len; q++) {
        got[q] = dir == LM_DIR_VACANCY ? m[q].candidate_id : m[q].vacancy_id;
        sc[q] = m[q].score;
        cr_assert_eq(m[q].rank, q + 1);
        cr_assert_eq(m[q].constraint, LM_CONSTRAINT_NONE);
        cr_assert_eq(dir == LM_DIR_VACANCY ? m[q].vacancy_id : m[q].candidate_id, id);
    }
    tu_assert_topk(got, sc, len, ref, nref, k, 1e-5, what);
    free(ref);
    free(m);
    free(got);
    free(sc);
}

/* Property: on random pools of several sizes, dims and filter densities, the
 * library's top-k equals the reference's, for single queries and the batch. */
Test(engine, property_topk_matches_reference) {
    struct {
        size_t nc, nv;
        uint32_t dim;
        double density;
        uint32_t k;
    } cases[] = {{1, 1, 1, 1.0, 1}, {40, 30, 3, 1.0, 5}, {300, 120, 16, 0.7, 10}, {700, 90, 64, 0.3, 20},
                 {257, 513, 17, 0.9, 7}, {50, 400, 130, 0.5, 50}};
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        tu_data d;
        tu_generate(&d, 1000 + t, cases[t].nc, cases[t].nv, cases[t].dim, cases[t].density);
        lm_pool *p = tu_pool(&d);
        lm_snapshot *s;
        cr_assert_eq(lm_pool_snapshot(&s, p), LM_OK);
        tu_policy P = tu_default_policy();
        lm_engine *e = tu_engine_no_floors(&P); /* random vectors: 1.1's floors, so that pairs pass */
        lm_viewer v = viewer(2, 3, 1);
        char what[64];
        /* single queries */
        for (size_t j = 0; j < d.nv && j < 25; j++) {
            lm_results *r;
            cr_assert_eq(lm_engine_query_vacancy(&r, e, s, &v, d.v_id[j], cases[t].k), LM_OK, "%s", lm_engine_errmsg(e));
            snprintf(what, sizeof what, "case %zu vacancy %zu", t, j);
            check_results_list(&d, &P, &v, r, LM_DIR_VACANCY, 0, cases[t].k, what);
            lm_results_free(r);
        }
        for (size_t i = 0; i < d.nc && i < 25; i++) {
            lm_results *r;
            int st = lm_engine_query_candidate(&r, e, s, &v, d.c_id[i], cases[t].k);
            if (!tu_visible(&v, d.c_org[i], d.c_muni[i], d.c_region[i], d.c_scope[i])) {
                cr_assert_eq(st, LM_ERR_UNKNOWN_ID);
                continue;
            }
            cr_assert_eq(st, LM_OK, "%s", lm_engine_errmsg(e));
            snprintf(what, sizeof what, "case %zu candidate %zu", t, i);
            check_results_list(&d, &P, &v, r, LM_DIR_CANDIDATE, 0, cases[t].k, what);
            lm_results_free(r);
        }
        /* the batch, both ways */
        lm_batch_options o = LM_BATCH_OPTIONS_INIT;
        o.k_candidates = cases[t].k;
        o.k_vacancies = cases[t].k > 2 ? cases[t].k - 2 : 1;
        lm_results *b;
        cr_assert_eq(lm_engine_batch(&b, e, s, &v, &o), LM_OK, "%s", lm_engine_errmsg(e));
        size_t nl, nrows;
        cr_assert_eq(lm_results_lists(&nl, b, LM_DIR_VACANCY), LM_OK);
        cr_assert_eq(nl, d.nv);
        cr_assert_eq(lm_results_count(&nrows, b, LM_DIR_VACANCY), LM_OK);
        if (d.nc > 1) cr_assert(nrows > d.nv / 4, "case %zu: the batch must find matches (%zu rows)", t, nrows);
        for (size_t l = 0; l < nl; l++) {
            snprintf(what, sizeof what, "case %zu batch vacancy list %zu", t, l);
            check_results_list(&d, &P, &v, b, LM_DIR_VACANCY, l, o.k_candidates, what);
        }
        size_t nvis = 0;
        for (size_t i = 0; i < d.nc; i++) nvis += tu_visible(&v, d.c_org[i], d.c_muni[i], d.c_region[i], d.c_scope[i]);
        cr_assert_eq(lm_results_lists(&nl, b, LM_DIR_CANDIDATE), LM_OK);
        cr_assert_eq(nl, nvis, "batch lists every visible candidate");
        for (size_t l = 0; l < nl; l++) {
            snprintf(what, sizeof what, "case %zu batch candidate list %zu", t, l);
            check_results_list(&d, &P, &v, b, LM_DIR_CANDIDATE, l, o.k_vacancies, what);
        }
        lm_results_free(b);
        lm_engine_free(e);
        lm_snapshot_free(s);
        lm_pool_free(p);
        tu_free(&d);
    }
}

/* Explanations agree with the reference for every pair, feasible or not. */
Test(engine, explain_every_pair) {
    tu_data d;
    tu_generate(&d, 77, 60, 40, 8, 0.6);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    tu_policy P = tu_default_policy();
    lm_engine *e = tu_engine_no_floors(&P); /* random vectors: 1.1's floors, so that pairs pass */
    lm_viewer v = viewer(1, 2, 1);
    size_t feasible = 0;
    for (size_t i = 0; i < d.nc; i++)
        for (size_t j = 0; j < d.nv; j++) {
            lm_match m;
            int st = lm_engine_explain(&m, sizeof m, e, s, &v, d.v_id[j], d.c_id[i]);
            double ref = tu_ref_score(&d, &P, &v, i, j);
            if (!tu_visible(&v, d.c_org[i], d.c_muni[i], d.c_region[i], d.c_scope[i])) {
                cr_assert_eq(st, LM_ERR_UNKNOWN_ID);
                cr_assert(strstr(lm_engine_errmsg(e), "candidate"));
                continue;
            }
            cr_assert_eq(st, LM_OK);
            cr_assert_eq(m.candidate_id, d.c_id[i]);
            cr_assert_eq(m.vacancy_id, d.v_id[j]);
            cr_assert_eq(m.candidate_municipality, d.c_muni[i]);
            if (ref < 0) {
                cr_assert_neq(m.constraint, LM_CONSTRAINT_NONE);
                cr_assert_eq(m.score, 0.f);
            } else {
                feasible++;
                cr_assert_eq(m.constraint, LM_CONSTRAINT_NONE);
                cr_assert(fabs(m.score - ref) < 1e-5, "score %f ref %f", m.score, ref);
                tu_policy P = tu_default_policy();
                double ws = P.w[0] + P.w[1] + P.w[2] + P.w[3] + P.w[4];
                double w = (P.w[0] * m.competence + P.w[1] * m.travel + P.w[2] * m.hours + P.w[3] * m.readiness) / ws;
                cr_assert(fabs(w - m.score) < 1e-5, "components add up to the score");
                cr_assert(m.travel_mode >= 0 && m.travel_mode < LM_MODE_COUNT);
            }
        }
    cr_assert(feasible > 20, "the test needs feasible pairs (%zu)", feasible);
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

/* A policy change (weights, min score, travel limit, modes, as-of date) is
 * applied exactly as the reference does. */
Test(engine, policy_variants_match_reference) {
    tu_data d;
    tu_generate(&d, 4242, 200, 60, 12, 0.8);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_policy *pol;
    cr_assert_eq(lm_policy_create(&pol), LM_OK);
    tu_policy P = tu_default_policy();
    lm_policy_set_f64(pol, LM_POLICY_W_COMPETENCE, 1.0); P.w[0] = 1.0;
    lm_policy_set_f64(pol, LM_POLICY_W_PRIORITY, 0.5); P.w[4] = 0.5;
    lm_policy_set_f64(pol, LM_POLICY_MAX_TRAVEL_MIN, 45); P.max_min = 45;
    lm_policy_set_f64(pol, LM_POLICY_MIN_SCORE, 0.3); P.min_score = 0.3;
    lm_policy_set_f64(pol, LM_POLICY_ALLOWED_MODES, 1u << LM_MODE_BIKE | 1u << LM_MODE_PT); P.modes = 6;
    lm_policy_set_f64(pol, LM_POLICY_AS_OF_DAY, 150); P.as_of = 150;
    lm_engine *e;
    cr_assert_eq(lm_engine_create(&e, pol, NULL), LM_OK);
    lm_viewer v = viewer(3, 1, 1);
    for (size_t j = 0; j < d.nv; j++) {
        lm_results *r;
        cr_assert_eq(lm_engine_query_vacancy(&r, e, s, &v, d.v_id[j], 15), LM_OK);
        check_results_list(&d, &P, &v, r, LM_DIR_VACANCY, 0, 15, "policy variant");
        double ver;
        lm_results_stat(&ver, r, LM_STAT_POLICY_VERSION);
        cr_assert_eq(ver, 1.0);
        lm_results_free(r);
    }
    lm_engine_free(e);
    lm_policy_free(pol);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

static int count_progress(void *user, uint64_t done, uint64_t total) {
    uint64_t *u = user;
    cr_assert(done <= total);
    u[0]++;
    u[1] = done;
    return 0;
}
static int cancel_progress(void *user, uint64_t done, uint64_t total) {
    (void)total;
    (void)user;
    return done > 0;
}

Test(engine, batch_progress_and_cancel) {
    tu_data d;
    tu_generate(&d, 5, 100, 300, 4, 1.0);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_engine *e;
    lm_engine_create(&e, NULL, NULL);
    lm_viewer v = viewer(1, 1, 1);
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    uint64_t u[2] = {0, 0};
    o.progress = count_progress;
    o.progress_user = u;
    lm_results *r = NULL;
    cr_assert_eq(lm_engine_batch(&r, e, s, &v, &o), LM_OK);
    cr_assert(u[0] >= 2);
    cr_assert_eq(u[1], d.nv, "the last report says done == total");
    lm_results_free(r);
    o.progress = cancel_progress;
    r = (lm_results *)1;
    cr_assert_eq(lm_engine_batch(&r, e, s, &v, &o), LM_ERR_CANCELLED);
    cr_assert_null(r);
    cr_assert(strstr(lm_engine_errmsg(e), "cancel"));
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

Test(engine, batch_region_filter) {
    tu_data d;
    tu_generate(&d, 6, 80, 120, 4, 1.0);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_engine *e;
    lm_engine_create(&e, NULL, NULL);
    lm_viewer v = viewer(1, 1, 2);
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.vacancy_region = 2;
    lm_results *r;
    cr_assert_eq(lm_engine_batch(&r, e, s, &v, &o), LM_OK);
    size_t nl, want = 0;
    for (size_t j = 0; j < d.nv; j++) want += d.v_region[j] == 2;
    lm_results_lists(&nl, r, LM_DIR_VACANCY);
    cr_assert_eq(nl, want);
    size_t nrow;
    lm_results_count(&nrow, r, LM_DIR_CANDIDATE);
    lm_match *m = calloc(nrow + 1, sizeof *m);
    lm_results_copy(m, sizeof *m, nrow, NULL, r, LM_DIR_CANDIDATE, 0);
    for (size_t q = 0; q < nrow; q++) {
        size_t j = 0;
        while (d.v_id[j] != m[q].vacancy_id) j++;
        cr_assert_eq(d.v_region[j], 2);
    }
    free(m);
    lm_results_free(r);
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

Test(engine, bad_input) {
    tu_data d;
    tu_generate(&d, 9, 10, 10, 4, 1.0);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_engine *e;
    cr_assert_eq(lm_engine_create(NULL, NULL, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_engine_create(&e, NULL, NULL), LM_OK);
    lm_viewer v = viewer(1, 1, 1), small = v;
    small.struct_size = 4;
    lm_results *r = (lm_results *)1;
    cr_assert_eq(lm_engine_query_vacancy(NULL, e, s, &v, d.v_id[0], 5), LM_ERR_NULL);
    cr_assert_eq(lm_engine_query_vacancy(&r, NULL, s, &v, d.v_id[0], 5), LM_ERR_NULL);
    cr_assert_null(r);
    cr_assert_eq(lm_engine_query_vacancy(&r, e, NULL, &v, d.v_id[0], 5), LM_ERR_NULL);
    cr_assert_eq(lm_engine_query_vacancy(&r, e, s, NULL, d.v_id[0], 5), LM_ERR_NULL);
    cr_assert_eq(lm_engine_query_vacancy(&r, e, s, &small, d.v_id[0], 5), LM_ERR_INVALID);
    cr_assert_eq(lm_engine_query_vacancy(&r, e, s, &v, d.v_id[0], 0), LM_ERR_RANGE);
    cr_assert(strstr(lm_engine_errmsg(e), "k = 0"));
    cr_assert_eq(lm_engine_query_vacancy(&r, e, s, &v, d.v_id[0], LM_MAX_K + 1), LM_ERR_RANGE);
    cr_assert_eq(lm_engine_query_vacancy(&r, e, s, &v, 123456789, 5), LM_ERR_UNKNOWN_ID);
    cr_assert(strstr(lm_engine_errmsg(e), "123456789"));
    cr_assert_eq(lm_engine_query_candidate(&r, e, s, &v, 123456789, 5), LM_ERR_UNKNOWN_ID);
    lm_viewer neg = v;
    neg.region = -1;
    cr_assert_eq(lm_engine_query_vacancy(&r, e, s, &neg, d.v_id[0], 5), LM_ERR_RANGE);
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.k_candidates = 0;
    cr_assert_eq(lm_engine_batch(&r, e, s, &v, &o), LM_ERR_RANGE);
    o = (lm_batch_options)LM_BATCH_OPTIONS_INIT;
    o.k_vacancies = LM_MAX_K + 1;
    cr_assert_eq(lm_engine_batch(&r, e, s, &v, &o), LM_ERR_RANGE);
    o = (lm_batch_options)LM_BATCH_OPTIONS_INIT;
    o.struct_size = 8;
    cr_assert_eq(lm_engine_batch(&r, e, s, &v, &o), LM_ERR_INVALID);
    o = (lm_batch_options)LM_BATCH_OPTIONS_INIT;
    o.vacancy_region = -3;
    cr_assert_eq(lm_engine_batch(&r, e, s, &v, &o), LM_ERR_RANGE);
    cr_assert_null(r);
    lm_match m;
    cr_assert_eq(lm_engine_explain(NULL, sizeof m, e, s, &v, d.v_id[0], d.c_id[0]), LM_ERR_NULL);
    cr_assert_eq(lm_engine_explain(&m, 8, e, s, &v, d.v_id[0], d.c_id[0]), LM_ERR_INVALID);
    cr_assert_eq(lm_engine_explain(&m, sizeof m, e, s, &v, 42424242, d.c_id[0]), LM_ERR_UNKNOWN_ID);
    cr_assert_eq(lm_engine_explain(&m, sizeof m, e, s, &v, d.v_id[0], 42424242), LM_ERR_UNKNOWN_ID);
    /* options */
    cr_assert_eq(lm_engine_set_i64(NULL, LM_ENGINE_THREADS, 1), LM_ERR_NULL);
    cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_THREADS, -1), LM_ERR_RANGE);
    cr_assert_eq(lm_engine_set_i64(e, 99, 1), LM_ERR_RANGE);
    cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_KERNEL, 17), LM_ERR_RANGE);
    int64_t val;
    cr_assert_eq(lm_engine_get_i64(&val, e, LM_ENGINE_THREADS), LM_OK);
    cr_assert_eq(val, 0, "a failed set leaves the option unchanged");
    cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_KERNEL, LM_KERNEL_SCALAR), LM_OK);
    cr_assert_eq(lm_engine_get_i64(&val, e, LM_ENGINE_KERNEL), LM_OK);
    cr_assert_eq(val, LM_KERNEL_SCALAR);
    cr_assert_eq(lm_engine_get_i64(NULL, e, LM_ENGINE_KERNEL), LM_ERR_NULL);
    cr_assert_eq(lm_engine_get_i64(&val, e, 99), LM_ERR_RANGE);
    cr_assert_eq(lm_engine_set_policy(e, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_engine_set_policy(NULL, NULL), LM_ERR_NULL);
    cr_assert_str_eq(lm_engine_errmsg(NULL), "engine is NULL");
    lm_engine_free(NULL);
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

Test(engine, results_accessors_bad_input) {
    tu_data d;
    tu_generate(&d, 10, 30, 5, 4, 1.0);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_engine *e;
    lm_engine_create(&e, NULL, NULL);
    lm_viewer v = viewer(1, 1, 1);
    lm_results *r;
    cr_assert_eq(lm_engine_query_vacancy(&r, e, s, &v, d.v_id[0], 5), LM_OK);
    size_t n;
    int64_t id;
    lm_match m[8];
    cr_assert_eq(lm_results_lists(NULL, r, 0), LM_ERR_NULL);
    cr_assert_eq(lm_results_lists(&n, NULL, 0), LM_ERR_NULL);
    cr_assert_eq(lm_results_lists(&n, r, 2), LM_ERR_RANGE);
    cr_assert_eq(lm_results_lists(&n, r, LM_DIR_CANDIDATE), LM_OK);
    cr_assert_eq(n, 0);
    cr_assert_eq(lm_results_count(&n, r, -1), LM_ERR_RANGE);
    cr_assert_eq(lm_results_list(&id, NULL, NULL, r, LM_DIR_VACANCY, 1), LM_ERR_RANGE);
    cr_assert_eq(lm_results_list(&id, NULL, NULL, r, LM_DIR_VACANCY, 0), LM_OK);
    cr_assert_eq(id, d.v_id[0]);
    cr_assert_eq(lm_results_copy(m, 4, 8, NULL, r, LM_DIR_VACANCY, 0), LM_ERR_INVALID);
    cr_assert_eq(lm_results_count(&n, r, LM_DIR_VACANCY), LM_OK);
    cr_assert_eq(lm_results_copy(m, sizeof m[0], 8, NULL, r, LM_DIR_VACANCY, n + 1), LM_ERR_RANGE);
    cr_assert_eq(lm_results_copy(NULL, sizeof m[0], 8, NULL, r, LM_DIR_VACANCY, 0), n ? LM_ERR_NULL : LM_OK);
    double x;
    cr_assert_eq(lm_results_stat(&x, r, 99), LM_ERR_RANGE);
    cr_assert_eq(lm_results_stat(&x, r, LM_STAT_PAIRS_SCORED), LM_OK);
    size_t nvis = 0;
    for (size_t i = 0; i < d.nc; i++) nvis += tu_visible(&v, d.c_org[i], d.c_muni[i], d.c_region[i], d.c_scope[i]);
    cr_assert_eq(x, (double)nvis, "pairs examined: the candidates the viewer may see");
    /* a larger caller struct (newer header) gets zeroed tail bytes */
    unsigned char big[2][sizeof(lm_match) + 16];
    memset(big, 0xAB, sizeof big);
    size_t got = 0;
    if (n) {
        cr_assert_eq(lm_results_copy((lm_match *)(void *)big, sizeof big[0], 1, &got, r, LM_DIR_VACANCY, 0), LM_OK);
        cr_assert_eq(got, 1);
        for (size_t b = sizeof(lm_match); b < sizeof big[0]; b++) cr_assert_eq(big[0][b], 0);
        cr_assert_eq(big[1][0], 0xAB, "nothing written past capacity");
    }
    lm_results_free(NULL);
    lm_results_free(r);
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

/* Results keep their snapshot alive after the pool and engine are gone. */
Test(engine, results_outlive_pool) {
    tu_data d;
    tu_generate(&d, 11, 50, 10, 4, 1.0);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_engine *e;
    lm_engine_create(&e, NULL, NULL);
    lm_viewer v = viewer(1, 1, 1);
    lm_results *r;
    cr_assert_eq(lm_engine_batch(&r, e, s, &v, NULL), LM_OK);
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    size_t n;
    lm_results_count(&n, r, LM_DIR_VACANCY);
    lm_match *m = calloc(n + 1, sizeof *m);
    cr_assert_eq(lm_results_copy(m, sizeof *m, n, NULL, r, LM_DIR_VACANCY, 0), LM_OK);
    for (size_t q = 0; q < n; q++) cr_assert(m[q].score > 0);
    free(m);
    lm_results_free(r);
    tu_free(&d);
}

/* Every kernel the CPU has and every thread count give the same batch: the
 * same ids (up to near-ties) and scores within 1e-5. */
static void assert_same_batch(lm_results *a, lm_results *b, const char *what) { tu_compare_results(a, b, what, false); }

Test(engine, identical_across_kernels_and_threads) {
    tu_data d;
    tu_generate(&d, 2024, 900, 700, 64, 0.6);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_engine *e;
    lm_engine_create(&e, NULL, NULL);
    lm_viewer v = viewer(1, 1, 1);
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.k_candidates = 20;
    o.k_vacancies = 12;
    cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_KERNEL, LM_KERNEL_SCALAR), LM_OK);
    cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_THREADS, 1), LM_OK);
    lm_results *ref;
    cr_assert_eq(lm_engine_batch(&ref, e, s, &v, &o), LM_OK);
    double kern;
    lm_results_stat(&kern, ref, LM_STAT_KERNEL);
    cr_assert_eq(kern, LM_KERNEL_SCALAR);
    int64_t best;
    lm_engine_set_i64(e, LM_ENGINE_KERNEL, LM_KERNEL_AUTO);
    lm_engine_get_i64(&best, e, LM_ENGINE_KERNEL);
    int tested = 0;
    for (int k = LM_KERNEL_SCALAR; k <= LM_KERNEL_AVX512; k++) {
        int st = lm_engine_set_i64(e, LM_ENGINE_KERNEL, k);
        if (k > best) {
            cr_assert_eq(st, LM_ERR_UNSUPPORTED, "kernel %d beyond the CPU is refused", k);
            continue;
        }
        cr_assert_eq(st, LM_OK);
        for (int t = 1; t <= 3; t++) {
            lm_engine_set_i64(e, LM_ENGINE_THREADS, t);
            lm_results *r;
            cr_assert_eq(lm_engine_batch(&r, e, s, &v, &o), LM_OK);
            lm_results_stat(&kern, r, LM_STAT_KERNEL);
            cr_assert_eq(kern, k, "the forced kernel is used");
            char what[48];
            snprintf(what, sizeof what, "kernel %d threads %d", k, t);
            assert_same_batch(ref, r, what);
            lm_results_free(r);
            tested++;
        }
    }
    cr_assert(tested >= 3);
    lm_results_free(ref);
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

/* Single queries filter a chunk of the other side in SIMD (visibility,
 * openness and the pair filters) before the per-pair code: every kernel must
 * give the reference's lists and the same count of rows seen, in both
 * directions, with as_of_day closing some vacancies and a viewer whose org,
 * municipality and region each make some rows visible. */
Test(engine, queries_identical_across_kernels) {
    tu_data d;
    tu_generate(&d, 915, 700, 300, 24, 0.5); /* 700 rows: chunks of 256 with a tail of 188 */
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_policy *pol;
    cr_assert_eq(lm_policy_create(&pol), LM_OK);
    tu_policy P = tu_default_policy();
    lm_policy_set_f64(pol, LM_POLICY_AS_OF_DAY, 150);
    P.as_of = 150;
    lm_engine *e;
    cr_assert_eq(lm_engine_create(&e, pol, NULL), LM_OK);
    lm_viewer v = viewer(d.c_org[5], d.c_muni[9], d.c_region[11]);
    int64_t best;
    lm_engine_get_i64(&best, e, LM_ENGINE_KERNEL);
    double seen_ref[2][700];
    for (int k = LM_KERNEL_SCALAR; k <= best; k++) {
        cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_KERNEL, k), LM_OK);
        for (int dir = 0; dir < 2; dir++) {
            size_t n = dir == LM_DIR_VACANCY ? d.nv : d.nc;
            for (size_t j = 0; j < n; j++) {
                lm_results *r;
                int st = dir == LM_DIR_VACANCY ? lm_engine_query_vacancy(&r, e, s, &v, d.v_id[j], 10)
                                               : lm_engine_query_candidate(&r, e, s, &v, d.c_id[j], 10);
                if (dir == LM_DIR_CANDIDATE && !tu_visible(&v, d.c_org[j], d.c_muni[j], d.c_region[j], d.c_scope[j])) {
                    cr_assert_eq(st, LM_ERR_UNKNOWN_ID);
                    continue;
                }
                cr_assert_eq(st, LM_OK, "%s", lm_engine_errmsg(e));
                char what[64];
                snprintf(what, sizeof what, "kernel %d dir %d row %zu", k, dir, j);
                check_results_list(&d, &P, &v, r, dir, 0, 10, what);
                double seen;
                lm_results_stat(&seen, r, LM_STAT_PAIRS_SCORED);
                if (k == LM_KERNEL_SCALAR) seen_ref[dir][j] = seen;
                else cr_assert_eq(seen, seen_ref[dir][j], "%s: rows seen %g, scalar %g", what, seen, seen_ref[dir][j]);
                lm_results_free(r);
            }
        }
    }
    lm_engine_free(e);
    lm_policy_free(pol);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

/* Exact ties: every candidate is the same person under another id, so each
 * vacancy scores them all equally. The batch must keep the lowest ids, in
 * ascending order, whatever the kernel, the thread count and the loop order
 * (candidates outside when there are more of them, vacancies otherwise). */
static void tie_case(size_t nc, size_t nv) {
    tu_data d;
    tu_generate(&d, 77, nc, nv, 8, 1.0);
    for (size_t i = 1; i < nc; i++) {
        d.c_org[i] = d.c_org[0]; d.c_muni[i] = d.c_muni[0]; d.c_region[i] = d.c_region[0];
        d.c_zone[i] = d.c_zone[0]; d.c_avail[i] = d.c_avail[0]; d.c_lat[i] = d.c_lat[0]; d.c_lon[i] = d.c_lon[0];
        d.c_groups[i] = d.c_groups[0]; d.c_ready[i] = d.c_ready[0]; d.c_modes[i] = d.c_modes[0];
        d.c_scope[i] = d.c_scope[0]; d.c_lw[i] = d.c_lw[0]; d.c_hmin[i] = d.c_hmin[0]; d.c_hmax[i] = d.c_hmax[0];
        d.c_maxmin[i] = d.c_maxmin[0]; d.c_prio[i] = d.c_prio[0]; d.c_flags[i] = d.c_flags[0];
        memcpy(d.c_vec + i * d.dim, d.c_vec, d.dim * sizeof(float));
    }
    /* the ids in ascending order, to know which k must win */
    int64_t *sorted = malloc(nc * sizeof *sorted);
    memcpy(sorted, d.c_id, nc * sizeof *sorted);
    for (size_t i = 1; i < nc; i++)
        for (size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
            int64_t t = sorted[j]; sorted[j] = sorted[j - 1]; sorted[j - 1] = t;
        }
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    cr_assert_eq(lm_pool_snapshot(&s, p), LM_OK);
    lm_engine *e;
    e = tu_engine_no_floors(NULL); /* random vectors: 1.1's floors, so that pairs pass */
    lm_viewer v = viewer(d.c_org[0], d.c_muni[0], d.c_region[0]); /* the owner sees them all */
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.k_candidates = 30;
    o.k_vacancies = 5;
    int64_t best;
    lm_engine_get_i64(&best, e, LM_ENGINE_KERNEL);
    size_t checked = 0;
    for (int k = LM_KERNEL_SCALAR; k <= best; k++)
        for (int t = 1; t <= 3; t += 2) {
            cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_KERNEL, k), LM_OK);
            cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_THREADS, t), LM_OK);
            lm_results *r;
            cr_assert_eq(lm_engine_batch(&r, e, s, &v, &o), LM_OK, "%s", lm_engine_errmsg(e));
            size_t nl;
            lm_results_lists(&nl, r, LM_DIR_VACANCY);
            for (size_t l = 0; l < nl; l++) {
                int64_t id;
                size_t first, n;
                lm_results_list(&id, &first, &n, r, LM_DIR_VACANCY, l);
                if (!n) continue;
                cr_assert_eq(n, nc < 30 ? nc : 30, "%zux%zu: a list with a match is full", nc, nv);
                lm_match m[30];
                lm_results_copy(m, sizeof m[0], n, NULL, r, LM_DIR_VACANCY, first);
                for (size_t q = 0; q < n; q++) {
                    cr_assert_eq(m[q].score, m[0].score, "exact ties");
                    cr_assert_eq(m[q].candidate_id, sorted[q], "%zux%zu kernel %d threads %d: rank %zu is id %lld, want %lld",
                                 nc, nv, k, t, q, (long long)m[q].candidate_id, (long long)sorted[q]);
                }
                checked++;
            }
            lm_results_free(r);
        }
    cr_assert(checked > 0, "some vacancy had matches");
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    free(sorted);
    tu_free(&d);
}

Test(engine, exact_ties_break_by_id) {
    tie_case(700, 150); /* candidates outside */
    tie_case(120, 600); /* vacancies outside */
}

/* With a travel matrix (no geometric pruning), the batch equals single
 * queries, which score through the explanation path. */
Test(engine, batch_equals_queries_with_matrix) {
    tu_data d;
    tu_generate(&d, 99, 300, 120, 16, 0.8);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_travel *t;
    lm_travel_create(&t);
    int32_t zones[51];
    uint8_t *mins = malloc(51 * 51);
    uint64_t rs = 5;
    for (int i = 0; i < 51; i++) zones[i] = 1000 + i;
    for (int i = 0; i < 51 * 51; i++) mins[i] = tu_unif(&rs) < 0.1 ? 255 : (uint8_t)tu_int(&rs, 5, 120);
    cr_assert_eq(lm_travel_set_matrix(t, LM_MODE_PT, zones, 40, mins), LM_OK); /* zones 1040.. fall back */
    lm_engine *e;
    lm_engine_create(&e, NULL, t);
    lm_travel_free(t);
    lm_viewer v = viewer(2, 2, 1);
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.k_candidates = 15;
    lm_results *b;
    cr_assert_eq(lm_engine_batch(&b, e, s, &v, &o), LM_OK);
    size_t nl;
    lm_results_lists(&nl, b, LM_DIR_VACANCY);
    size_t nonempty = 0;
    for (size_t l = 0; l < nl; l++) {
        int64_t vid;
        size_t first, len;
        lm_results_list(&vid, &first, &len, b, LM_DIR_VACANCY, l);
        lm_results *q;
        cr_assert_eq(lm_engine_query_vacancy(&q, e, s, &v, vid, 15), LM_OK);
        size_t qn;
        lm_results_count(&qn, q, LM_DIR_VACANCY);
        cr_assert_eq(qn, len, "vacancy %lld: batch %zu vs query %zu", (long long)vid, len, qn);
        lm_match mb[16], mq[16];
        lm_results_copy(mb, sizeof mb[0], len, NULL, b, LM_DIR_VACANCY, first);
        lm_results_copy(mq, sizeof mq[0], qn, NULL, q, LM_DIR_VACANCY, 0);
        for (size_t k = 0; k < len; k++) {
            cr_assert(fabsf(mb[k].score - mq[k].score) <= 1e-5f);
            if (mb[k].candidate_id != mq[k].candidate_id) { /* near-tie: same id elsewhere at a near-equal score */
                int found = 0;
                for (size_t j = 0; j < qn && !found; j++)
                    found = mq[j].candidate_id == mb[k].candidate_id && fabsf(mq[j].score - mb[k].score) <= 1e-5f;
                cr_assert(found, "vacancy %lld: candidate %lld of the batch is not in the query's list", (long long)vid,
                          (long long)mb[k].candidate_id);
            }
            cr_assert_eq(mb[k].travel_mode, mq[k].travel_mode);
        }
        nonempty += len > 0;
        lm_results_free(q);
    }
    cr_assert(nonempty > nl / 3, "enough vacancies have matches (%zu of %zu)", nonempty, nl);
    free(mins);
    lm_results_free(b);
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

/* The int8 mode: close to float (recall of the top-k lists), identical on
 * every kernel (integer arithmetic), and bad values are refused. */
Test(engine, quantized_batch) {
    tu_data d;
    tu_generate(&d, 777, 1500, 400, 64, 1.0);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_engine *e;
    lm_engine_create(&e, NULL, NULL);
    cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_QUANTIZE, 2), LM_ERR_RANGE);
    cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_QUANTIZE, -1), LM_ERR_RANGE);
    int64_t q;
    cr_assert_eq(lm_engine_get_i64(&q, e, LM_ENGINE_QUANTIZE), LM_OK);
    cr_assert_eq(q, 0);
    lm_viewer v = viewer(1, 1, 1);
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.k_candidates = o.k_vacancies = 20;
    lm_results *f, *q8, *q8s;
    cr_assert_eq(lm_engine_batch(&f, e, s, &v, &o), LM_OK);
    cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_QUANTIZE, 1), LM_OK);
    cr_assert_eq(lm_engine_batch(&q8, e, s, &v, &o), LM_OK);
    lm_engine_set_i64(e, LM_ENGINE_KERNEL, LM_KERNEL_SCALAR);
    cr_assert_eq(lm_engine_batch(&q8s, e, s, &v, &o), LM_OK);
    /* the int8 dot only bounds a pair (with a proven error margin); the pairs
     * that pass are scored in float: the lists equal float's */
    assert_same_batch(f, q8, "int8, best kernel");
    assert_same_batch(f, q8s, "int8, scalar kernel");
    lm_results_free(f);
    lm_results_free(q8);
    lm_results_free(q8s);
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}
