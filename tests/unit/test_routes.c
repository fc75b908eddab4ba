/* The scoring routes agree bit for bit (docs/scoring.md, "One score per
 * pair"): on random pools with constructed exact ties (duplicate rows: the
 * same vectors, hours and position, so the same travel), every kernel, the
 * int8 mode and 1 or 2 threads give the same lists, and a listed pair's score
 * and competence are the same bits in the batch, in a single query (both
 * directions) and in lm_engine_explain(), for every competence model. Ties
 * go to the lower id everywhere. */
#include "testutil.h"

#include "libmatch/libmatch.h"

static lm_viewer viewer1(void) {
    lm_viewer v = LM_VIEWER_INIT;
    v.org = 1;
    v.municipality = 1;
    v.region = 1;
    return v;
}

static bool same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Candidate `to` becomes a copy of candidate `from` but for its id. */
static void dup_cand(tu_data *d, size_t from, size_t to) {
#define CP(f) d->f[to] = d->f[from]
    CP(c_org); CP(c_muni); CP(c_region); CP(c_zone); CP(c_avail); CP(c_lat); CP(c_lon); CP(c_groups);
    CP(c_ready); CP(c_modes); CP(c_scope); CP(c_lw); CP(c_hmin); CP(c_hmax); CP(c_maxmin); CP(c_prio);
    CP(c_flags);
    memcpy(d->c_vec + to * d->dim, d->c_vec + from * d->dim, d->dim * sizeof(float));
}
static void dup_vac(tu_data *d, size_t from, size_t to) {
    CP(v_emp); CP(v_muni); CP(v_region); CP(v_zone); CP(v_slots); CP(v_open); CP(v_lat); CP(v_lon);
    CP(v_hmin); CP(v_hmax); CP(v_minlw); CP(v_req); CP(v_acc); CP(v_maxready);
#undef CP
    memcpy(d->v_vec + to * d->dim, d->v_vec + from * d->dim, d->dim * sizeof(float));
    memcpy(d->v_w + to * d->dim, d->v_w + from * d->dim, d->dim * sizeof(float));
}

/* A pool whose rows tie exactly: every 4th candidate and every 3rd vacancy
 * repeats its predecessor; positive levels (the coverage models need them). */
static void gen_pool(tu_data *d, uint64_t seed, uint32_t dim) {
    tu_generate(d, seed, 420, 190, dim, 0.8);
    uint64_t s = seed * 31 + 7;
    for (size_t i = 0; i < d->nc * dim; i++) d->c_vec[i] = (float)(tu_unif(&s) * 4.0 + 0.05);
    for (size_t i = 0; i < d->nv * dim; i++) d->v_vec[i] = (float)(tu_unif(&s) * 4.0 + 0.05);
    for (size_t i = 3; i < d->nc; i += 4) dup_cand(d, i - 1, i);
    for (size_t j = 2; j < d->nv; j += 3) dup_vac(d, j - 1, j);
}

/* Every list and entry of a and b equal, scores and competences as bits. */
static void assert_same_lists(lm_results *a, lm_results *b, const char *what) {
    for (int dir = 0; dir < 2; dir++) {
        size_t la, lb;
        lm_results_lists(&la, a, dir);
        lm_results_lists(&lb, b, dir);
        cr_assert_eq(la, lb, "%s dir %d: lists", what, dir);
        for (size_t l = 0; l < la; l++) {
            int64_t ia, ib;
            size_t fa, fb, na, nb;
            lm_results_list(&ia, &fa, &na, a, dir, l);
            lm_results_list(&ib, &fb, &nb, b, dir, l);
            cr_assert_eq(ia, ib, "%s: list ids", what);
            cr_assert_eq(na, nb, "%s: list %lld lengths", what, (long long)ia);
            lm_match ma[32], mb[32];
            cr_assert(na <= 32);
            lm_results_copy(ma, sizeof ma[0], na, NULL, a, dir, fa);
            lm_results_copy(mb, sizeof mb[0], nb, NULL, b, dir, fb);
            for (size_t q = 0; q < na; q++) {
                cr_assert(ma[q].candidate_id == mb[q].candidate_id && ma[q].vacancy_id == mb[q].vacancy_id,
                          "%s dir %d list %lld rank %zu: pair (%lld, %lld) against (%lld, %lld), scores %.9g %.9g",
                          what, dir, (long long)ia, q, (long long)ma[q].candidate_id, (long long)ma[q].vacancy_id,
                          (long long)mb[q].candidate_id, (long long)mb[q].vacancy_id, ma[q].score, mb[q].score);
                cr_assert(same_bits(ma[q].score, mb[q].score), "%s dir %d rank %zu: score %a against %a", what, dir,
                          q, ma[q].score, mb[q].score);
                cr_assert(same_bits(ma[q].competence, mb[q].competence), "%s: competence %a against %a", what,
                          ma[q].competence, mb[q].competence);
            }
        }
    }
}

/* The documented order in every list: score descending, ties by the lower
 * id; returns the number of exact ties seen. */
static size_t assert_order(lm_results *r, const char *what) {
    size_t ties = 0;
    for (int dir = 0; dir < 2; dir++) {
        size_t n;
        lm_results_lists(&n, r, dir);
        for (size_t l = 0; l < n; l++) {
            int64_t id;
            size_t f, len;
            lm_results_list(&id, &f, &len, r, dir, l);
            lm_match m[32];
            lm_results_copy(m, sizeof m[0], len, NULL, r, dir, f);
            for (size_t q = 1; q < len; q++) {
                int64_t a = dir == LM_DIR_VACANCY ? m[q - 1].candidate_id : m[q - 1].vacancy_id;
                int64_t b = dir == LM_DIR_VACANCY ? m[q].candidate_id : m[q].vacancy_id;
                cr_assert(m[q - 1].score > m[q].score || (m[q - 1].score == m[q].score && a < b), "%s: order", what);
                ties += m[q - 1].score == m[q].score;
            }
        }
    }
    return ties;
}

/* Each listed pair explained and each list queried: the same bits. */
static void assert_query_explain(lm_engine *e, const lm_snapshot *s, const lm_viewer *v, lm_results *r, uint32_t kc,
                                 uint32_t kv, const char *what) {
    for (int dir = 0; dir < 2; dir++) {
        size_t n;
        lm_results_lists(&n, r, dir);
        for (size_t l = 0; l < n; l++) {
            int64_t id;
            size_t f, len;
            lm_results_list(&id, &f, &len, r, dir, l);
            lm_match m[32];
            lm_results_copy(m, sizeof m[0], len, NULL, r, dir, f);
            for (size_t q = 0; q < len; q++) {
                lm_match x;
                cr_assert_eq(lm_engine_explain(&x, sizeof x, e, s, v, m[q].vacancy_id, m[q].candidate_id), LM_OK);
                cr_assert(same_bits(x.score, m[q].score) && same_bits(x.competence, m[q].competence),
                          "%s: explain (%lld, %lld) score %a competence %a, batch %a %a", what,
                          (long long)m[q].candidate_id, (long long)m[q].vacancy_id, x.score, x.competence,
                          m[q].score, m[q].competence);
            }
            if (l % 3) continue; /* a third of the lists by single query */
            lm_results *qr;
            if (dir == LM_DIR_VACANCY) cr_assert_eq(lm_engine_query_vacancy(&qr, e, s, v, id, kc), LM_OK);
            else cr_assert_eq(lm_engine_query_candidate(&qr, e, s, v, id, kv), LM_OK);
            int64_t qid;
            size_t qf, qlen;
            lm_results_list(&qid, &qf, &qlen, qr, dir, 0);
            cr_assert_eq(qid, id);
            cr_assert_eq(qlen, len, "%s: query of %lld: %zu hits, batch %zu", what, (long long)id, qlen, len);
            lm_match qm[32];
            lm_results_copy(qm, sizeof qm[0], qlen, NULL, qr, dir, qf);
            for (size_t q = 0; q < len; q++)
                cr_assert(qm[q].candidate_id == m[q].candidate_id && qm[q].vacancy_id == m[q].vacancy_id &&
                              same_bits(qm[q].score, m[q].score) && same_bits(qm[q].competence, m[q].competence),
                          "%s dir %d: query of %lld rank %zu: (%lld, %lld) %a, batch (%lld, %lld) %a", what, dir,
                          (long long)id, q, (long long)qm[q].candidate_id, (long long)qm[q].vacancy_id, qm[q].score,
                          (long long)m[q].candidate_id, (long long)m[q].vacancy_id, m[q].score);
            lm_results_free(qr);
        }
    }
}

static void routes_case(uint64_t seed, uint32_t dim, int model, bool centre) {
    tu_data d;
    gen_pool(&d, seed, dim);
    lm_pool *p = tu_pool(&d);
    if (centre) cr_assert_eq(lm_pool_set_centre(p, NULL, dim), LM_OK);
    lm_snapshot *s;
    cr_assert_eq(lm_pool_snapshot(&s, p), LM_OK);
    lm_viewer v = viewer1();
    lm_policy *pol;
    cr_assert_eq(lm_policy_create(&pol), LM_OK);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_COMPETENCE_MODEL, model), LM_OK);
    lm_engine *e;
    cr_assert_eq(lm_engine_create(&e, pol, NULL), LM_OK);
    lm_policy_free(pol);
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.k_candidates = 10;
    o.k_vacancies = 6;
    int64_t best;
    lm_engine_get_i64(&best, e, LM_ENGINE_KERNEL);
    lm_results *ref = NULL;
    char what[96];
    for (int k = LM_KERNEL_SCALAR; k <= best; k++)
        for (int q8 = 0; q8 <= 1; q8++)
            for (int t = 1; t <= 2; t++) {
                snprintf(what, sizeof what, "seed %llu dim %u model %d kernel %d int8 %d threads %d",
                         (unsigned long long)seed, dim, model, k, q8, t);
                cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_KERNEL, k), LM_OK);
                cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_QUANTIZE, q8), LM_OK);
                cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_THREADS, t), LM_OK);
                lm_results *r;
                cr_assert_eq(lm_engine_batch(&r, e, s, &v, &o), LM_OK, "%s: %s", what, lm_engine_errmsg(e));
                if (!ref) {
                    ref = r;
                    cr_assert(assert_order(r, what) > 0, "%s: the pool must hold exact ties", what);
                    assert_query_explain(e, s, &v, r, 10, 6, what);
                    continue;
                }
                assert_same_lists(ref, r, what);
                if (k == best && q8 && t == 2) assert_query_explain(e, s, &v, r, 10, 6, what); /* queries in this kernel */
                lm_results_free(r);
            }
    lm_results_free(ref);
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

/* Dimensions below, at and past a multiple of 16 (the lane count of lm__dot). */
static const uint32_t dims[] = {7, 16, 35, 64};

#define ROUTES_TEST(name, model)                                                             \
    Test(routes, name) {                                                                     \
        for (size_t q = 0; q < sizeof dims / sizeof dims[0]; q++)                            \
            routes_case(1000 + 17 * q + (uint64_t)(model), dims[q], (model), q % 2 == 0);   \
    }
ROUTES_TEST(requirement, LM_COMPETENCE_REQUIREMENT)
ROUTES_TEST(cosine, LM_COMPETENCE_COSINE)
ROUTES_TEST(symmetric, LM_COMPETENCE_SYMMETRIC)
ROUTES_TEST(coverage, LM_COMPETENCE_COVERAGE)
ROUTES_TEST(cosine_coverage, LM_COMPETENCE_COSINE_COVERAGE)
