/* Competence models and centring (docs/scoring.md): hand-computed examples,
 * centring equivalence and atomicity, bad input, the uncentred warning, the
 * pool statistics, every kernel with the COSINE model, the generic exact
 * batch against a brute-force reference, and explanations repeating scores. */
#include "testutil.h"
#include "internal.h" /* lm__coverage(), lm__coverage_scale(), lm__coverage_scaled() */

static lm_viewer viewer(int64_t org, int32_t muni, int32_t region) {
    lm_viewer v = LM_VIEWER_INIT;
    v.org = org;
    v.municipality = muni;
    v.region = region;
    return v;
}

typedef struct refpol {
    tu_policy P;
    int model;
    const double *mean;
    double overq;
} refpol;

/* tu_ref_list() under the model, centre and over-qualification weight of R. */
static size_t ref_list(const tu_data *d, const refpol *R, const lm_viewer *v, size_t idx, int by_cand, tu_hit *out) {
    tu_policy P = R->P;
    P.model = R->model;
    P.mean = R->mean;
    P.overq = R->overq;
    return tu_ref_list(d, &P, v, idx, by_cand, out);
}

/* One single query per listed index (vacancy idx, or candidate idx when dir is
 * LM_DIR_CANDIDATE) against the reference's top k. */
static void check_query(lm_engine *e, const lm_snapshot *s, const lm_viewer *v, const tu_data *d, const refpol *R,
                        size_t idx, int dir, uint32_t k, const char *what) {
    lm_results *q;
    if (dir == LM_DIR_VACANCY) cr_assert_eq(lm_engine_query_vacancy(&q, e, s, v, d->v_id[idx], k), LM_OK);
    else cr_assert_eq(lm_engine_query_candidate(&q, e, s, v, d->c_id[idx], k), LM_OK);
    size_t first, len;
    int64_t id;
    lm_results_list(&id, &first, &len, q, dir, 0);
    lm_match *m = calloc(k, sizeof *m);
    tu_hit *rl = calloc(d->nc + d->nv, sizeof *rl);
    int64_t *got = calloc(k, sizeof *got);
    float *sc = calloc(k, sizeof *sc);
    lm_results_copy(m, sizeof *m, len, NULL, q, dir, first);
    size_t nref = ref_list(d, R, v, idx, dir == LM_DIR_CANDIDATE, rl);
    for (size_t x = 0; x < len; x++) {
        got[x] = dir == LM_DIR_VACANCY ? m[x].candidate_id : m[x].vacancy_id;
        sc[x] = m[x].score;
    }
    tu_assert_topk(got, sc, len, rl, nref, k, 1e-5, what);
    free(m);
    free(rl);
    free(got);
    free(sc);
    lm_results_free(q);
}

/* Every list of r (both directions) against the reference. */
static void check_against_ref(const tu_data *d, const refpol *R, const lm_viewer *v, lm_results *r, size_t kc,
                              size_t kv, const char *what) {
    tu_hit *ref = malloc((d->nc + d->nv + 1) * sizeof *ref);
    lm_match *m = calloc(kc + kv + 1, sizeof *m);
    int64_t *got = malloc((kc + kv + 1) * sizeof *got);
    float *sc = malloc((kc + kv + 1) * sizeof *sc);
    size_t checked = 0;
    for (int dir = 0; dir < 2; dir++) {
        size_t nl;
        cr_assert_eq(lm_results_lists(&nl, r, dir), LM_OK);
        for (size_t l = 0; l < nl; l++) {
            int64_t id;
            size_t first, len, idx = SIZE_MAX;
            cr_assert_eq(lm_results_list(&id, &first, &len, r, dir, l), LM_OK);
            const int64_t *ids = dir == LM_DIR_VACANCY ? d->v_id : d->c_id;
            for (size_t q = 0; q < (dir == LM_DIR_VACANCY ? d->nv : d->nc); q++)
                if (ids[q] == id) idx = q;
            cr_assert_neq(idx, SIZE_MAX);
            size_t nref = ref_list(d, R, v, idx, dir == LM_DIR_CANDIDATE, ref);
            cr_assert_eq(lm_results_copy(m, sizeof *m, len, NULL, r, dir, first), LM_OK);
            for (size_t q = 0; q < len; q++) {
                got[q] = dir == LM_DIR_VACANCY ? m[q].candidate_id : m[q].vacancy_id;
                sc[q] = m[q].score;
                /* the row's competence is the model's (not only its score) */
                size_t ci = SIZE_MAX, vj = SIZE_MAX;
                for (size_t z = 0; z < d->nc; z++) if (d->c_id[z] == m[q].candidate_id) ci = z;
                for (size_t z = 0; z < d->nv; z++) if (d->v_id[z] == m[q].vacancy_id) vj = z;
                double want = tu_ref_comp(d, ci, vj, R->model, R->mean, R->overq);
                cr_assert(fabs(m[q].competence - want) < 1e-5, "%s: competence %.7f, reference %.7f", what,
                          m[q].competence, want);
            }
            char w[96];
            snprintf(w, sizeof w, "%s dir %d list %zu", what, dir, l);
            tu_assert_topk(got, sc, len, ref, nref, dir == LM_DIR_VACANCY ? kc : kv, 1e-5, w);
            checked += len;
        }
    }
    cr_assert(checked > 50, "%s: the test needs hits (%zu)", what, checked);
    free(ref);
    free(m);
    free(got);
    free(sc);
}

static lm_engine *engine_for(int model, int threads) {
    lm_policy *pol;
    cr_assert_eq(lm_policy_create(&pol), LM_OK);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_COMPETENCE_MODEL, model), LM_OK);
    lm_engine *e;
    cr_assert_eq(lm_engine_create(&e, pol, NULL), LM_OK);
    lm_policy_free(pol);
    cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_THREADS, threads), LM_OK);
    return e;
}

/* ---- 1. each model on a hand-computed example ---- */
Test(competence, hand_computed_models) {
    /* c = (3, 1, 2), r = (2, 2, 2), w = (1, 2, 0.5), centre (1, 1, 1):
     * c~ = (2, 0, 1), r~ = (1, 1, 1), w r~ = (1, 2, 0.5)
     * REQUIREMENT  (2 + 0 + 0.5) / sqrt(5 * 5.25)                    = 0.4879500364742666
     * COSINE       3 / sqrt(5 * 3)                                   = 0.7745966692414834
     * SYMMETRIC    sum w c~ r~ = 2.5, sum w c~^2 = 4.5, sum w r~^2 = 3.5:
     *              2.5 / sqrt(15.75)                                 = 0.6299407883487121
     * COVERAGE     (raw) r - c = (-1, 1, 0): short = 2, over = 1, scale = 7,
     *              a = 0.25: 1 - 2.25 / 7                            = 0.6785714285714286
     * COSINE_COVERAGE 0.7745966692414834 * 0.6785714285714286        = 0.5256191684138637 */
    const double want[5] = {0.4879500364742666, 0.7745966692414834, 0.6299407883487121, 0.6785714285714286,
                            0.5256191684138637};
    float cv[3] = {3, 1, 2}, rv[3] = {2, 2, 2}, wv[3] = {1, 2, 0.5f}, mean[3] = {1, 1, 1};
    int64_t cid = 1, vid = 2, org = 1;
    int32_t muni = 1;
    uint32_t groups = 1;
    double lat = 52.0, lon = 5.0;
    lm_candidate_cols c = LM_CANDIDATE_COLS_INIT;
    c.dim = 3; c.id = &cid; c.owner_org = &org; c.municipality = &muni; c.groups = &groups;
    c.vectors = cv; c.lat = &lat; c.lon = &lon;
    lm_vacancy_cols v = LM_VACANCY_COLS_INIT;
    v.dim = 3; v.id = &vid; v.employer_id = &org; v.municipality = &muni; v.vectors = rv; v.weights = wv;
    v.lat = &lat; v.lon = &lon;
    lm_pool *p;
    cr_assert_eq(lm_pool_create(&p, 3), LM_OK);
    cr_assert_eq(lm_pool_add_candidates(p, &c, 1), LM_OK);
    cr_assert_eq(lm_pool_add_vacancies(p, &v, 1), LM_OK);
    cr_assert_eq(lm_pool_set_centre(p, mean, 3), LM_OK);
    lm_snapshot *s;
    cr_assert_eq(lm_pool_snapshot(&s, p), LM_OK);
    lm_viewer vw = viewer(1, 1, 0);
    for (int model = 0; model <= LM_COMPETENCE_COSINE_COVERAGE; model++) {
        lm_engine *e = engine_for(model, 1);
        lm_match m;
        cr_assert_eq(lm_engine_explain(&m, sizeof m, e, s, &vw, vid, cid), LM_OK);
        cr_assert_eq(m.constraint, LM_CONSTRAINT_NONE);
        cr_assert(fabs(m.competence - want[model]) < 1e-6, "model %d: %.9f, by hand %.9f", model, m.competence,
                  want[model]);
        /* the same value through a single query and the batch */
        lm_results *r;
        cr_assert_eq(lm_engine_query_vacancy(&r, e, s, &vw, vid, 5), LM_OK);
        lm_match q;
        cr_assert_eq(lm_results_copy(&q, sizeof q, 1, NULL, r, LM_DIR_VACANCY, 0), LM_OK);
        cr_assert_eq(q.competence, m.competence, "model %d: query", model);
        cr_assert_eq(q.score, m.score, "model %d: query score", model);
        double st;
        cr_assert_eq(lm_results_stat(&st, r, LM_STAT_COMPETENCE_MODEL), LM_OK);
        cr_assert_eq(st, model);
        lm_results_free(r);
        cr_assert_eq(lm_engine_batch(&r, e, s, &vw, NULL), LM_OK);
        cr_assert_eq(lm_results_copy(&q, sizeof q, 1, NULL, r, LM_DIR_VACANCY, 0), LM_OK);
        /* the fast batch (models 0, 1, 4) takes its cosine from the panel kernel, which may differ from the
         * scalar dot in the last float bit; the generic batch (2, 3) uses explain's own function */
        if (model == LM_COMPETENCE_SYMMETRIC || model == LM_COMPETENCE_COVERAGE)
            cr_assert_eq(q.score, m.score, "model %d: batch score", model);
        else
            cr_assert(fabsf(q.score - m.score) < 1e-6f, "model %d: batch score %.9g, explain %.9g", model, q.score,
                      m.score);
        cr_assert_eq(lm_results_stat(&st, r, LM_STAT_COMPETENCE_MODEL), LM_OK);
        cr_assert_eq(st, model);
        lm_results_free(r);
        lm_engine_free(e);
    }
    /* over-qualification weight 1: 1 - 3 / 7 */
    lm_policy *pol;
    lm_policy_create(&pol);
    lm_policy_set_f64(pol, LM_POLICY_COMPETENCE_MODEL, LM_COMPETENCE_COVERAGE);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_OVERQUALIFICATION, 1.0), LM_OK);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_OVERQUALIFICATION, 1.5), LM_ERR_RANGE);
    lm_engine *e;
    lm_engine_create(&e, pol, NULL);
    lm_match m;
    cr_assert_eq(lm_engine_explain(&m, sizeof m, e, s, &vw, vid, cid), LM_OK);
    cr_assert(fabs(m.competence - 4.0 / 7.0) < 1e-6);
    lm_engine_free(e);
    lm_policy_free(pol);
    lm_snapshot_free(s);
    lm_pool_free(p);
}

/* raw levels 0..4 in steps of 1/8, all positive (as client systems export) */
static void raw_levels(tu_data *d, uint64_t seed) {
    uint64_t s = seed;
    for (size_t i = 0; i < d->nc * d->dim; i++) d->c_vec[i] = (float)tu_int(&s, 1, 32) / 8.f;
    for (size_t i = 0; i < d->nv * d->dim; i++) d->v_vec[i] = (float)tu_int(&s, 1, 32) / 8.f;
}

static void raw_mean(const tu_data *d, double *mean) {
    for (uint32_t k = 0; k < d->dim; k++) {
        double s = 0;
        for (size_t i = 0; i < d->nc; i++) s += d->c_vec[i * d->dim + k];
        for (size_t j = 0; j < d->nv; j++) s += d->v_vec[j * d->dim + k];
        mean[k] = s / (double)(d->nc + d->nv);
    }
}

static void assert_identical(lm_results *a, lm_results *b, const char *what) { tu_compare_results(a, b, what, true); }
static void assert_same(lm_results *a, lm_results *b, const char *what) { tu_compare_results(a, b, what, false); }

/* ---- 2. centring: raw + set_centre(NULL) == centred by the caller ----
 * 96 + 32 rows of levels in steps of 1/8: the mean is a multiple of 2^-10
 * and every c - mean is exact in float, so the stored vectors are the same
 * bits and the results identical (in general they agree to float rounding of
 * the mean, about 1e-7 relative). */
Test(competence, centring_equals_caller_centred) {
    tu_data raw, cen;
    tu_generate(&raw, 31, 96, 32, 12, 0.8);
    raw_levels(&raw, 5);
    tu_generate(&cen, 31, 96, 32, 12, 0.8);
    double mean[12];
    raw_mean(&raw, mean);
    for (size_t i = 0; i < raw.nc * 12; i++) cen.c_vec[i] = (float)(raw.c_vec[i] - mean[i % 12]);
    for (size_t i = 0; i < raw.nv * 12; i++) cen.v_vec[i] = (float)(raw.v_vec[i] - mean[i % 12]);
    lm_pool *pr = tu_pool(&raw), *pc = tu_pool(&cen);
    cr_assert_eq(lm_pool_set_centre(pr, NULL, 12), LM_OK, "%s", lm_pool_errmsg(pr));
    float got[12];
    int centred = 0;
    cr_assert_eq(lm_pool_get_centre(got, 12, &centred, pr), LM_OK);
    cr_assert_eq(centred, 1);
    for (int k = 0; k < 12; k++) cr_assert_eq((double)got[k], mean[k], "mean[%d]", k);
    lm_snapshot *sr, *sc;
    lm_pool_snapshot(&sr, pr);
    lm_pool_snapshot(&sc, pc);
    lm_viewer v = viewer(1, 1, 1);
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.k_candidates = 10;
    o.k_vacancies = 10;
    for (int model = 0; model <= LM_COMPETENCE_SYMMETRIC; model++) { /* the coverage models read raw levels */
        lm_engine *e = engine_for(model, 2);
        lm_results *a, *b;
        cr_assert_eq(lm_engine_batch(&a, e, sr, &v, &o), LM_OK);
        cr_assert_eq(lm_engine_batch(&b, e, sc, &v, &o), LM_OK);
        char what[32];
        snprintf(what, sizeof what, "model %d", model);
        assert_identical(a, b, what);
        lm_results_free(a);
        lm_results_free(b);
        lm_engine_free(e);
    }
    lm_snapshot_free(sr);
    lm_snapshot_free(sc);
    lm_pool_free(pr);
    lm_pool_free(pc);
    tu_free(&raw);
    tu_free(&cen);
}

/* ---- 3. set_centre is one atomic update; bad input changes nothing ---- */
Test(competence, set_centre_atomic_and_bad_input) {
    tu_data d;
    tu_generate(&d, 8, 200, 60, 8, 0.8);
    raw_levels(&d, 9);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s0, *s1;
    lm_pool_snapshot(&s0, p);
    lm_engine *e = engine_for(LM_COMPETENCE_COSINE, 1);
    lm_viewer v = viewer(1, 1, 1);
    lm_results *before, *again, *after;
    cr_assert_eq(lm_engine_batch(&before, e, s0, &v, NULL), LM_OK);

    float mean[8], nanm[8], got[8];
    for (int k = 0; k < 8; k++) mean[k] = nanm[k] = 2.0f;
    nanm[3] = NAN;
    int centred = -1;
    /* bad input: the specific error, nothing changes */
    cr_assert_eq(lm_pool_set_centre(NULL, mean, 8), LM_ERR_NULL);
    cr_assert_eq(lm_pool_set_centre(p, mean, 7), LM_ERR_DIMENSION);
    cr_assert(strstr(lm_pool_errmsg(p), "dim"));
    cr_assert_eq(lm_pool_set_centre(p, nanm, 8), LM_ERR_NONFINITE);
    cr_assert(strstr(lm_pool_errmsg(p), "mean[3]"));
    cr_assert_eq(lm_pool_get_centre(got, 7, NULL, p), LM_ERR_BUFFER);
    cr_assert_eq(lm_pool_get_centre(NULL, 8, NULL, p), LM_ERR_NULL);
    cr_assert_eq(lm_pool_get_centre(got, 8, NULL, NULL), LM_ERR_NULL);
    double x;
    cr_assert_eq(lm_pool_stat(&x, p, 2), LM_ERR_RANGE);
    cr_assert_eq(lm_pool_stat(&x, p, -1), LM_ERR_RANGE);
    cr_assert_eq(lm_pool_stat(NULL, p, 0), LM_ERR_NULL);
    cr_assert_eq(lm_pool_stat(&x, NULL, 0), LM_ERR_NULL);
    cr_assert_eq(lm_pool_get_centre(NULL, 0, &centred, p), LM_OK);
    cr_assert_eq(centred, 0, "failed calls left the pool uncentred");
    lm_pool_snapshot(&s1, p);
    cr_assert_eq(lm_snapshot_version(s1), lm_snapshot_version(s0), "failed calls made no version");
    lm_snapshot_free(s1);

    /* a good call: version + 1, the old snapshot keeps its vectors */
    cr_assert_eq(lm_pool_set_centre(p, mean, 8), LM_OK);
    lm_pool_snapshot(&s1, p);
    cr_assert_eq(lm_snapshot_version(s1), lm_snapshot_version(s0) + 1);
    cr_assert_eq(lm_engine_batch(&again, e, s0, &v, NULL), LM_OK);
    assert_identical(before, again, "old snapshot after set_centre");
    cr_assert_eq(lm_engine_batch(&after, e, s1, &v, NULL), LM_OK);
    lm_match a[8], b[8];
    lm_results_copy(a, sizeof a[0], 8, NULL, before, LM_DIR_VACANCY, 0);
    lm_results_copy(b, sizeof b[0], 8, NULL, after, LM_DIR_VACANCY, 0);
    int differ = 0;
    for (int q = 0; q < 8; q++) differ |= a[q].competence != b[q].competence;
    cr_assert(differ, "the new snapshot sees centred vectors");
    cr_assert_eq(lm_pool_get_centre(got, 8, &centred, p), LM_OK);
    cr_assert_eq(centred, 1);
    cr_assert_eq(got[5], 2.0f);
    cr_assert_eq(lm_pool_stat(&x, p, LM_POOL_STAT_CENTRED), LM_OK);
    cr_assert_eq(x, 1.0);
    /* an all-zero mean removes the centre: back to the raw vectors */
    float zero[8] = {0};
    cr_assert_eq(lm_pool_set_centre(p, zero, 8), LM_OK);
    cr_assert_eq(lm_pool_stat(&x, p, LM_POOL_STAT_CENTRED), LM_OK);
    cr_assert_eq(x, 0.0);
    lm_snapshot *s2;
    lm_pool_snapshot(&s2, p);
    lm_results *back;
    cr_assert_eq(lm_engine_batch(&back, e, s2, &v, NULL), LM_OK);
    assert_identical(before, back, "uncentred again");
    lm_results_free(back);
    lm_snapshot_free(s2);

    /* an empty pool has no mean to take */
    lm_pool *q;
    lm_pool_create(&q, 8);
    cr_assert_eq(lm_pool_set_centre(q, NULL, 8), LM_ERR_STATE);
    cr_assert_eq(lm_pool_stat(&x, q, LM_POOL_STAT_CENTRED), LM_OK);
    cr_assert_eq(x, 0.0);
    cr_assert_eq(lm_pool_stat(&x, q, LM_POOL_STAT_MEAN_COSINE), LM_OK);
    cr_assert_eq(x, 0.0);
    cr_assert_eq(lm_pool_set_centre(q, mean, 8), LM_OK, "a given mean is fine on an empty pool");
    lm_pool_free(q);

    lm_results_free(before);
    lm_results_free(again);
    lm_results_free(after);
    lm_engine_free(e);
    lm_snapshot_free(s0);
    lm_snapshot_free(s1);
    lm_pool_free(p);
    tu_free(&d);
}

/* mean pairwise cosine of the rows of v, as the header defines it */
static double mean_pair_cos(const float *v, size_t n, uint32_t dim, const double *mean) {
    double sum = 0;
    size_t pairs = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            if (i == j) continue;
            double d = 0, a = 0, b = 0;
            for (uint32_t k = 0; k < dim; k++) {
                double x = v[i * dim + k] - (mean ? mean[k] : 0), y = v[j * dim + k] - (mean ? mean[k] : 0);
                d += x * y; a += x * x; b += y * y;
            }
            sum += d / sqrt(a * b);
            pairs++;
        }
    return sum / (double)pairs;
}

/* ---- 4. the uncentred warning and the pool statistics ---- */
Test(competence, uncentred_warning_and_stats) {
    tu_data d;
    tu_generate(&d, 12, 40, 20, 10, 0.8);
    raw_levels(&d, 13);
    lm_pool *p;
    lm_pool_create(&p, 10);
    lm_candidate_cols c = tu_ccols(&d, 0);
    lm_vacancy_cols vc = tu_vcols(&d, 0);
    /* 7 rows: too few to judge */
    cr_assert_eq(lm_pool_add_candidates(p, &c, 7), LM_OK);
    cr_assert_str_empty(lm_pool_errmsg(p));
    c = tu_ccols(&d, 7);
    cr_assert_eq(lm_pool_add_candidates(p, &c, 33), LM_OK, "a warning is not an error");
    cr_assert(strstr(lm_pool_errmsg(p), "vectors look uncentred: mean pairwise cosine 0."), "%s", lm_pool_errmsg(p));
    cr_assert(strstr(lm_pool_errmsg(p), "lm_pool_set_centre()"));
    cr_assert_eq(lm_pool_upsert_vacancies(p, &vc, 20), LM_OK);
    cr_assert(strstr(lm_pool_errmsg(p), "upsert vacancies: vectors look uncentred"), "%s", lm_pool_errmsg(p));
    double x, want = mean_pair_cos(d.c_vec, 40, 10, NULL);
    cr_assert_eq(lm_pool_stat(&x, p, LM_POOL_STAT_MEAN_COSINE), LM_OK);
    cr_assert(want > 0.5);
    cr_assert(fabs(x - want) < 1e-5, "stat %f, by pairs %f", x, want);
    cr_assert_eq(lm_pool_set_centre(p, NULL, 10), LM_OK);
    float m[10];
    lm_pool_get_centre(m, 10, NULL, p);
    double md[10];
    for (int k = 0; k < 10; k++) md[k] = m[k];
    cr_assert_eq(lm_pool_stat(&x, p, LM_POOL_STAT_MEAN_COSINE), LM_OK);
    want = mean_pair_cos(d.c_vec, 40, 10, md);
    cr_assert(fabs(x - want) < 1e-5, "centred stat %f, by pairs %f", x, want);
    cr_assert(fabs(x) < 0.2, "centred data: near 0 (%f)", x);
    /* a centred pool does not warn, even for raw rows */
    int64_t ids[40];
    for (int i = 0; i < 40; i++) ids[i] = d.c_id[i] + 1000000;
    c = tu_ccols(&d, 0);
    c.id = ids;
    cr_assert_eq(lm_pool_add_candidates(p, &c, 40), LM_OK);
    cr_assert_str_empty(lm_pool_errmsg(p));
    lm_pool_free(p);
    /* vectors centred by the caller do not warn */
    tu_data r;
    tu_generate(&r, 14, 64, 64, 10, 0.8); /* components uniform in [-1, 1] */
    p = tu_pool(&r);
    cr_assert_str_empty(lm_pool_errmsg(p));
    cr_assert_eq(lm_pool_stat(&x, p, LM_POOL_STAT_MEAN_COSINE), LM_OK);
    cr_assert(fabs(x) < 0.2);
    lm_pool_free(p);
    tu_free(&r);
    tu_free(&d);
}

/* ---- 5. every kernel and thread count gives the same COSINE batch and
 * queries on a centred pool, equal to the reference ---- */
/* Every kernel, int8 mode and thread count give the reference's lists for a
 * fast-batch model on a centred pool. */
static void fast_model_every_kernel(int model) {
    tu_data d;
    tu_generate(&d, 44, 600, 300, 35, 0.7);
    raw_levels(&d, 45);
    lm_pool *p = tu_pool(&d);
    cr_assert_eq(lm_pool_set_centre(p, NULL, 35), LM_OK);
    float mf[35];
    double mean[35];
    lm_pool_get_centre(mf, 35, NULL, p);
    for (int k = 0; k < 35; k++) mean[k] = mf[k];
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_viewer v = viewer(1, 1, 1);
    refpol R = {tu_default_policy(), model, mean, 0.25};
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.k_candidates = 12;
    o.k_vacancies = 8;
    lm_engine *e = engine_for(model, 1);
    int64_t best;
    lm_engine_get_i64(&best, e, LM_ENGINE_KERNEL);
    lm_results *ref = NULL;
    for (int k = LM_KERNEL_SCALAR; k <= best; k++)
        for (int q8 = 0; q8 <= 1; q8++)
            for (int t = 1; t <= 2; t++) {
                cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_KERNEL, k), LM_OK);
                cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_QUANTIZE, q8), LM_OK);
                cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_THREADS, t), LM_OK);
                lm_results *r;
                cr_assert_eq(lm_engine_batch(&r, e, s, &v, &o), LM_OK);
                char what[64];
                snprintf(what, sizeof what, "model %d kernel %d int8 %d threads %d", model, k, q8, t);
                if (!ref) {
                    check_against_ref(&d, &R, &v, r, 12, 8, what);
                    ref = r;
                    continue;
                }
                if (k == LM_KERNEL_SCALAR && !q8) assert_identical(ref, r, what); /* threads change nothing */
                else assert_same(ref, r, what);
                lm_results_free(r);
            }
    /* single queries, every kernel, against the reference */
    lm_engine_set_i64(e, LM_ENGINE_QUANTIZE, 0);
    for (int k = LM_KERNEL_SCALAR; k <= best; k++) {
        lm_engine_set_i64(e, LM_ENGINE_KERNEL, k);
        for (size_t j = 0; j < d.nv; j += 7) check_query(e, s, &v, &d, &R, j, LM_DIR_VACANCY, 12, "query");
    }
    lm_results_free(ref);
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

Test(competence, cosine_model_every_kernel) { fast_model_every_kernel(LM_COMPETENCE_COSINE); }
/* COSINE_COVERAGE: the panel's cosine bounds the pair, the survivors are rescored */
Test(competence, cosine_coverage_every_kernel) { fast_model_every_kernel(LM_COMPETENCE_COSINE_COVERAGE); }

/* ---- 6. the generic batch (models 2-4) equals the brute-force reference in
 * both directions, the same for 1 and 3 threads; explain repeats every
 * listed score exactly, for every model ---- */
Test(competence, generic_batch_matches_reference) {
    tu_data d;
    tu_generate(&d, 61, 300, 140, 35, 0.7);
    raw_levels(&d, 62);
    lm_pool *p = tu_pool(&d);
    cr_assert_eq(lm_pool_set_centre(p, NULL, 35), LM_OK);
    float mf[35];
    double mean[35];
    lm_pool_get_centre(mf, 35, NULL, p);
    for (int k = 0; k < 35; k++) mean[k] = mf[k];
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_viewer v = viewer(1, 1, 1);
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.k_candidates = 10;
    o.k_vacancies = 6;
    for (int model = 0; model <= LM_COMPETENCE_COSINE_COVERAGE; model++) {
        refpol R = {tu_default_policy(), model, mean, 0.25};
        lm_engine *e = engine_for(model, 1);
        lm_results *r1, *r3;
        cr_assert_eq(lm_engine_batch(&r1, e, s, &v, &o), LM_OK);
        char what[32];
        snprintf(what, sizeof what, "model %d", model);
        check_against_ref(&d, &R, &v, r1, 10, 6, what);
        lm_engine_set_i64(e, LM_ENGINE_THREADS, 3);
        cr_assert_eq(lm_engine_batch(&r3, e, s, &v, &o), LM_OK);
        assert_identical(r1, r3, what);
        double st;
        lm_results_stat(&st, r3, LM_STAT_THREADS);
        if (model == LM_COMPETENCE_SYMMETRIC || model == LM_COMPETENCE_COVERAGE) cr_assert_eq(st, 3); /* the fast batch may use fewer on small pools */
        lm_results_stat(&st, r3, LM_STAT_PAIRS_FEASIBLE);
        cr_assert(st > 0);
        /* explain repeats the listed score bit for bit: every route takes the
         * competence from the same functions (lm__dot, lm__coverage) */
        for (int dir = 0; dir < 2; dir++) {
            size_t n;
            lm_results_count(&n, r1, dir);
            lm_match *m = calloc(n + 1, sizeof *m);
            lm_results_copy(m, sizeof *m, n, NULL, r1, dir, 0);
            for (size_t q = 0; q < n; q++) {
                lm_match x;
                cr_assert_eq(lm_engine_explain(&x, sizeof x, e, s, &v, m[q].vacancy_id, m[q].candidate_id), LM_OK);
                cr_assert_eq(x.score, m[q].score, "%s: explain %.9f, batch %.9f", what, x.score, m[q].score);
                cr_assert_eq(x.competence, m[q].competence, "%s", what);
            }
            free(m);
        }
        /* single queries (the query index's chunks carry the raw columns too), both directions */
        for (size_t j = 0; j < d.nv; j += 9) check_query(e, s, &v, &d, &R, j, LM_DIR_VACANCY, 10, what);
        for (size_t i = 0; i < d.nc; i += 13)
            if (tu_visible(&v, d.c_org[i], d.c_muni[i], d.c_region[i], d.c_scope[i]))
                check_query(e, s, &v, &d, &R, i, LM_DIR_CANDIDATE, 6, what);
        lm_results_free(r1);
        lm_results_free(r3);
        lm_engine_free(e);
    }
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

static int cancel_at_once(void *user, uint64_t done, uint64_t total) {
    (void)done;
    (void)total;
    ++*(int *)user;
    return 1;
}

static int count_calls(void *user, uint64_t done, uint64_t total) {
    cr_assert(done <= total);
    ++*(int *)user;
    return 0;
}

/* ---- 7. the generic batch honours progress, cancellation, the region and
 * closed vacancies like the fast one ---- */
Test(competence, generic_batch_progress_cancel_region) {
    tu_data d;
    tu_generate(&d, 71, 120, 90, 6, 0.8);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_viewer v = viewer(1, 1, 1);
    lm_engine *fast = engine_for(LM_COMPETENCE_COSINE, 2), *gen = engine_for(LM_COMPETENCE_SYMMETRIC, 2);
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    int calls = 0;
    o.progress = cancel_at_once;
    o.progress_user = &calls;
    lm_results *r = NULL;
    cr_assert_eq(lm_engine_batch(&r, gen, s, &v, &o), LM_ERR_CANCELLED);
    cr_assert_null(r);
    cr_assert(calls >= 1);
    calls = 0;
    o.progress = count_calls;
    o.vacancy_region = 2;
    lm_results *a, *b;
    cr_assert_eq(lm_engine_batch(&a, gen, s, &v, &o), LM_OK);
    cr_assert(calls >= 2);
    cr_assert_eq(lm_engine_batch(&b, fast, s, &v, &o), LM_OK);
    /* same lists (ids and lengths) in the same order as the fast batch */
    for (int dir = 0; dir < 2; dir++) {
        size_t la, lb;
        lm_results_lists(&la, a, dir);
        lm_results_lists(&lb, b, dir);
        cr_assert_eq(la, lb);
        for (size_t l = 0; l < la; l++) {
            int64_t ia, ib;
            lm_results_list(&ia, NULL, NULL, a, dir, l);
            lm_results_list(&ib, NULL, NULL, b, dir, l);
            cr_assert_eq(ia, ib);
        }
    }
    double sa, sb;
    lm_results_stat(&sa, a, LM_STAT_PAIRS_FEASIBLE);
    lm_results_stat(&sb, b, LM_STAT_PAIRS_FEASIBLE);
    cr_assert(sa > 0 && sb > 0);
    lm_results_free(a);
    lm_results_free(b);
    lm_engine_free(fast);
    lm_engine_free(gen);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

/* ---- the coverage arithmetic: 16 float lanes (dimension j in lane j % 16),
 * added in a fixed tree. The vector path (GCC vector extensions, one clone per
 * instruction set) must equal this plain emulation bit for bit at every
 * dimension, and the double-precision formula to float rounding. ---- */
static float lanes_tree(float t[16]) {
    for (int l = 0; l < 8; l++) t[l] += t[l + 8];
    for (int l = 0; l < 4; l++) t[l] += t[l + 4];
    return (t[0] + t[2]) + (t[1] + t[3]);
}

static double coverage_emulated(const float *c, const float *r, const float *w, uint32_t dim, double overq) {
    float sh[16] = {0}, ov[16] = {0}, sc[16] = {0};
    for (uint32_t j = 0; j < dim; j++) {
        float d = r[j] - c[j];
        sh[j % 16] += w[j] * (d > 0.f ? d : 0.f);
        ov[j % 16] += w[j] * (d < 0.f ? -d : 0.f);
        sc[j % 16] += w[j] * fabsf(r[j]);
    }
    float scale = lanes_tree(sc);
    if (!(scale > 0.f)) return 0.0;
    double v = 1.0 - ((double)lanes_tree(sh) + overq * (double)lanes_tree(ov)) / (double)scale;
    return v < 0 ? 0.0 : (v > 1 ? 1.0 : v);
}

Test(competence, coverage_arithmetic_is_fixed) {
    uint64_t s = 99;
    float c[80], r[80], w[80];
    for (uint32_t dim = 1; dim <= 80; dim++)
        for (int rep = 0; rep < 20; rep++) {
            for (uint32_t j = 0; j < dim; j++) {
                c[j] = (float)(tu_next(&s) % 700) / 100.f;
                r[j] = (float)(tu_next(&s) % 700) / 100.f;
                w[j] = 1.f + (float)(tu_next(&s) % 400) / 100.f;
            }
            double got = lm__coverage(c, r, w, dim, 0.25), emu = coverage_emulated(c, r, w, dim, 0.25);
            cr_assert_eq(got, emu, "dim %u: %.17g vs emulated %.17g", dim, got, emu);
            cr_assert_eq(lm__coverage_scaled(c, r, w, dim, lm__coverage_scale(r, w, dim), 0.25), got);
            double sh = 0, ov = 0, sc = 0; /* the formula of docs/scoring.md in double */
            for (uint32_t j = 0; j < dim; j++) {
                double d = (double)r[j] - c[j];
                sh += w[j] * (d > 0 ? d : 0);
                ov += w[j] * (d < 0 ? -d : 0);
                sc += w[j] * fabs((double)r[j]);
            }
            double ref = sc > 0 ? fmin(1, fmax(0, 1 - (sh + 0.25 * ov) / sc)) : 0;
            cr_assert(fabs(got - ref) < 1e-5, "dim %u: %.9f vs %.9f", dim, got, ref);
        }
}
