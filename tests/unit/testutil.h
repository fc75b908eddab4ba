/* Test helpers: random pools and an independent brute-force reference of the
 * scoring model (written from docs/scoring.md, not from the library code). */
#ifndef LM_TESTUTIL_H
#define LM_TESTUTIL_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libmatch/libmatch.h"

static inline uint64_t tu_next(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static inline double tu_unif(uint64_t *s) { return (double)(tu_next(s) >> 11) * 0x1.0p-53; }
static inline int tu_int(uint64_t *s, int lo, int hi) { return lo + (int)(tu_next(s) % (uint64_t)(hi - lo + 1)); }

/* A random pool's raw columns, kept so the reference can score them. */
typedef struct tu_data {
    uint32_t dim;
    size_t nc, nv;
    /* candidates */
    int64_t *c_id, *c_org;
    int32_t *c_muni, *c_region, *c_zone, *c_avail;
    double *c_lat, *c_lon;
    uint32_t *c_groups;
    uint8_t *c_ready, *c_modes, *c_scope;
    float *c_lw, *c_vec, *c_hmin, *c_hmax, *c_maxmin, *c_prio;
    uint64_t *c_flags;
    /* vacancies */
    int64_t *v_id, *v_emp;
    int32_t *v_muni, *v_region, *v_zone, *v_slots, *v_open;
    double *v_lat, *v_lon;
    float *v_vec, *v_w, *v_hmin, *v_hmax, *v_minlw;
    uint64_t *v_req;
    uint32_t *v_acc;
    uint8_t *v_maxready;
    /* since 1.2: support needs and offers (0 unless tu_add_needs()), kinds */
    uint64_t *c_needs, *v_offers;
    uint8_t *v_kind;
} tu_data;

#define TU_ALLOC(p, n) ((p) = calloc((n) ? (n) : 1, sizeof *(p)))

/* density in (0, 1]: lower makes filters stricter (fewer feasible pairs). */
static inline void tu_generate(tu_data *d, uint64_t seed, size_t nc, size_t nv, uint32_t dim, double density) {
    memset(d, 0, sizeof *d);
    d->dim = dim;
    d->nc = nc;
    d->nv = nv;
    uint64_t s = seed;
    TU_ALLOC(d->c_id, nc); TU_ALLOC(d->c_org, nc); TU_ALLOC(d->c_muni, nc); TU_ALLOC(d->c_region, nc);
    TU_ALLOC(d->c_zone, nc); TU_ALLOC(d->c_avail, nc); TU_ALLOC(d->c_lat, nc); TU_ALLOC(d->c_lon, nc);
    TU_ALLOC(d->c_groups, nc); TU_ALLOC(d->c_ready, nc); TU_ALLOC(d->c_modes, nc); TU_ALLOC(d->c_scope, nc);
    TU_ALLOC(d->c_lw, nc); TU_ALLOC(d->c_hmin, nc); TU_ALLOC(d->c_hmax, nc); TU_ALLOC(d->c_maxmin, nc);
    TU_ALLOC(d->c_prio, nc); TU_ALLOC(d->c_flags, nc);
    d->c_vec = calloc(nc * dim + 1, sizeof(float));
    TU_ALLOC(d->v_id, nv); TU_ALLOC(d->v_emp, nv); TU_ALLOC(d->v_muni, nv); TU_ALLOC(d->v_region, nv);
    TU_ALLOC(d->v_zone, nv); TU_ALLOC(d->v_slots, nv); TU_ALLOC(d->v_open, nv); TU_ALLOC(d->v_lat, nv);
    TU_ALLOC(d->v_lon, nv); TU_ALLOC(d->v_hmin, nv); TU_ALLOC(d->v_hmax, nv); TU_ALLOC(d->v_minlw, nv);
    TU_ALLOC(d->v_req, nv); TU_ALLOC(d->v_acc, nv); TU_ALLOC(d->v_maxready, nv);
    d->v_vec = calloc(nv * dim + 1, sizeof(float));
    d->v_w = calloc(nv * dim + 1, sizeof(float));
    TU_ALLOC(d->c_needs, nc); TU_ALLOC(d->v_offers, nv); TU_ALLOC(d->v_kind, nv);
    /* ids: distinct, scattered, some negative */
    for (size_t i = 0; i < nc; i++) {
        d->c_id[i] = (int64_t)(i * 7919u + 13u) * ((i % 5 == 0) ? -1 : 1) + (int64_t)(seed % 1000) * 1000000007LL;
        d->c_org[i] = tu_int(&s, 1, 4);
        d->c_muni[i] = tu_int(&s, 1, 6);
        d->c_region[i] = 1 + (d->c_muni[i] - 1) / 3;
        d->c_zone[i] = 1000 + tu_int(&s, 0, 50);
        d->c_lat[i] = 52.0 + tu_unif(&s) * 0.6 * (2.0 - density);
        d->c_lon[i] = 4.6 + tu_unif(&s) * 0.8 * (2.0 - density);
        d->c_groups[i] = (uint32_t)tu_int(&s, 1, 63);
        d->c_ready[i] = (uint8_t)tu_int(&s, 1, 5);
        d->c_modes[i] = (uint8_t)tu_int(&s, 1, 15);
        d->c_scope[i] = (uint8_t)tu_int(&s, 0, 3);
        d->c_lw[i] = (float)tu_int(&s, 20, 120);
        d->c_hmin[i] = (float)tu_int(&s, 0, 24);
        d->c_hmax[i] = d->c_hmin[i] + (float)tu_int(&s, 0, 24);
        d->c_maxmin[i] = tu_unif(&s) < 0.5 ? 0.f : (float)tu_int(&s, 10, 120);
        d->c_prio[i] = (float)tu_unif(&s);
        d->c_flags[i] = tu_next(&s) & 7u;
        d->c_avail[i] = tu_int(&s, 100, 200);
        for (uint32_t j = 0; j < dim; j++) d->c_vec[i * dim + j] = (float)(tu_unif(&s) * 2 - 1);
    }
    for (size_t i = 0; i < nv; i++) {
        d->v_id[i] = (int64_t)(i * 104729u + 7u) + (int64_t)(seed % 977) * 999999937LL;
        d->v_emp[i] = tu_int(&s, 1, 50);
        d->v_muni[i] = tu_int(&s, 1, 6);
        d->v_region[i] = 1 + (d->v_muni[i] - 1) / 3;
        d->v_zone[i] = 1000 + tu_int(&s, 0, 50);
        d->v_lat[i] = 52.0 + tu_unif(&s) * 0.6;
        d->v_lon[i] = 4.6 + tu_unif(&s) * 0.8;
        d->v_slots[i] = tu_unif(&s) < 0.05 ? 0 : tu_int(&s, 1, 3);
        d->v_open[i] = tu_int(&s, 90, 400);
        d->v_hmin[i] = (float)tu_int(&s, 0, 32);
        d->v_hmax[i] = d->v_hmin[i] + (float)tu_int(&s, 0, 16);
        d->v_minlw[i] = (float)(tu_unif(&s) < density ? 0 : tu_int(&s, 0, 100));
        d->v_req[i] = tu_unif(&s) < density ? 0 : (tu_next(&s) & 7u);
        d->v_acc[i] = tu_unif(&s) < density ? 63u : (uint32_t)tu_int(&s, 1, 63);
        d->v_maxready[i] = (uint8_t)(tu_unif(&s) < density ? 5 : tu_int(&s, 1, 5));
        for (uint32_t j = 0; j < dim; j++) {
            d->v_vec[i * dim + j] = (float)(tu_unif(&s) * 2 - 1);
            d->v_w[i * dim + j] = (float)(0.5 + tu_unif(&s) * 1.5);
        }
    }
    /* kinds from their own stream: the rows above stay those of 1.1's tests */
    uint64_t sk = seed ^ 0x14AB14ABull;
    for (size_t i = 0; i < nv; i++) d->v_kind[i] = (uint8_t)tu_int(&sk, 0, LM_KIND_COUNT - 1);
}

/* Support needs and offers (issue 14), from their own stream: a share `frac`
 * of the candidates needs one or two standard bits or a host-defined one (bit
 * 40); vacancies offer random standard bits, some bit 40 too. The new groups
 * too: some candidates get WW, Wajong or jongere, some vacancies accept them. */
static inline void tu_add_needs(tu_data *d, uint64_t seed, double frac) {
    uint64_t s = seed ^ 0x4EED5ull;
    for (size_t i = 0; i < d->nc; i++) {
        d->c_needs[i] = 0;
        if (tu_unif(&s) < frac) {
            d->c_needs[i] = 1ull << tu_int(&s, 0, 5);
            if (tu_unif(&s) < 0.3) d->c_needs[i] |= 1ull << tu_int(&s, 0, 5);
            if (tu_unif(&s) < 0.1) d->c_needs[i] = 1ull << 40;
        }
        if (tu_unif(&s) < 0.2) d->c_groups[i] |= 1u << tu_int(&s, 6, 8);
    }
    for (size_t j = 0; j < d->nv; j++) {
        d->v_offers[j] = tu_next(&s) & 0x3Fu;
        if (tu_unif(&s) < 0.2) d->v_offers[j] |= 1ull << 40;
        if (tu_unif(&s) < 0.3) d->v_acc[j] |= 1u << tu_int(&s, 6, 8);
        else if (tu_unif(&s) < 0.2) d->v_acc[j] = LM_GROUP_KNOWN;
    }
}

static inline void tu_free(tu_data *d) {
    void *ps[] = {d->c_id, d->c_org, d->c_muni, d->c_region, d->c_zone, d->c_avail, d->c_lat, d->c_lon, d->c_groups,
                  d->c_ready, d->c_modes, d->c_scope, d->c_lw, d->c_vec, d->c_hmin, d->c_hmax, d->c_maxmin, d->c_prio,
                  d->c_flags, d->v_id, d->v_emp, d->v_muni, d->v_region, d->v_zone, d->v_slots, d->v_open, d->v_lat,
                  d->v_lon, d->v_vec, d->v_w, d->v_hmin, d->v_hmax, d->v_minlw, d->v_req, d->v_acc, d->v_maxready,
                  d->c_needs, d->v_offers, d->v_kind};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) free(ps[i]);
    memset(d, 0, sizeof *d);
}

/* Column structs for rows [first, first + n). */
static inline lm_candidate_cols tu_ccols(const tu_data *d, size_t first) {
    lm_candidate_cols c = LM_CANDIDATE_COLS_INIT;
    c.dim = d->dim;
    c.id = d->c_id + first; c.owner_org = d->c_org + first; c.municipality = d->c_muni + first;
    c.region = d->c_region + first; c.zone = d->c_zone + first; c.lat = d->c_lat + first; c.lon = d->c_lon + first;
    c.groups = d->c_groups + first; c.readiness = d->c_ready + first; c.loonwaarde = d->c_lw + first;
    c.vectors = d->c_vec + first * d->dim; c.flags = d->c_flags + first; c.hours_min = d->c_hmin + first;
    c.hours_max = d->c_hmax + first; c.modes = d->c_modes + first; c.max_minutes = d->c_maxmin + first;
    c.available_from = d->c_avail + first; c.scope = d->c_scope + first; c.priority = d->c_prio + first;
    c.needs = d->c_needs + first;
    return c;
}
static inline lm_vacancy_cols tu_vcols(const tu_data *d, size_t first) {
    lm_vacancy_cols v = LM_VACANCY_COLS_INIT;
    v.dim = d->dim;
    v.id = d->v_id + first; v.employer_id = d->v_emp + first; v.municipality = d->v_muni + first;
    v.region = d->v_region + first; v.zone = d->v_zone + first; v.lat = d->v_lat + first; v.lon = d->v_lon + first;
    v.vectors = d->v_vec + first * d->dim; v.weights = d->v_w + first * d->dim;
    v.required_flags = d->v_req + first; v.hours_min = d->v_hmin + first; v.hours_max = d->v_hmax + first;
    v.slots = d->v_slots + first; v.accepted_groups = d->v_acc + first; v.min_loonwaarde = d->v_minlw + first;
    v.max_readiness = d->v_maxready + first; v.open_until = d->v_open + first;
    v.offers = d->v_offers + first; v.kind = d->v_kind + first;
    return v;
}

static inline lm_pool *tu_pool(const tu_data *d) {
    lm_pool *p = NULL;
    cr_assert_eq(lm_pool_create(&p, d->dim), LM_OK);
    lm_candidate_cols c = tu_ccols(d, 0);
    lm_vacancy_cols v = tu_vcols(d, 0);
    if (d->nc) cr_assert_eq(lm_pool_add_candidates(p, &c, d->nc), LM_OK, "%s", lm_pool_errmsg(p));
    if (d->nv) cr_assert_eq(lm_pool_add_vacancies(p, &v, d->nv), LM_OK, "%s", lm_pool_errmsg(p));
    return p;
}

/* ---- reference scoring (docs/scoring.md), double precision ---- */
typedef struct tu_policy {
    double w[5]; /* competence, travel, hours, readiness, priority (normalised here) */
    double max_min, min_score;
    int as_of;
    unsigned modes;
    int model;          /* lm_competence_model */
    double overq;       /* over-qualification weight of the coverage models */
    const double *mean; /* the pool's centre, NULL if none */
    double min_comp;    /* competence floor (since 1.2) */
    int local_only;     /* municipal-only run (since 1.2) */
} tu_policy;

/* The library's defaults (docs/scoring.md), written out independently. The
 * floors of 1.2 ("Reliable proposals"); 1.1's behaviour is both at 0. */
#define TU_DEFAULT_MIN_SCORE 0.25
#define TU_DEFAULT_MIN_COMPETENCE 0.2
static inline tu_policy tu_default_policy(void) {
    tu_policy p = {{0.6, 0.1, 0.025, 0.05, 0.0}, 90, TU_DEFAULT_MIN_SCORE, 0, 15, LM_COMPETENCE_COSINE_COVERAGE, 0.25, NULL,
                   TU_DEFAULT_MIN_COMPETENCE, 0};
    return p;
}

/* An engine with 1.1's floors (LM_POLICY_MIN_COMPETENCE and MIN_SCORE 0), and
 * the reference policy to match: random vectors have low competence, so the
 * tests of the other rules on random pools run without the 1.2 defaults'
 * floors (test_needs.c holds the floors themselves to the reference). */
static inline lm_engine *tu_engine_no_floors(tu_policy *P) {
    lm_policy *pol = NULL;
    lm_engine *e = NULL;
    cr_assert_eq(lm_policy_create(&pol), LM_OK);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_MIN_COMPETENCE, 0), LM_OK);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_MIN_SCORE, 0), LM_OK);
    cr_assert_eq(lm_engine_create(&e, pol, NULL), LM_OK);
    lm_policy_free(pol);
    if (P) P->min_comp = P->min_score = 0;
    return e;
}

/* The competence of candidate i for vacancy j under a model, in double
 * (docs/scoring.md); an independent reference of competence.c. */
static inline double tu_ref_comp(const tu_data *d, size_t i, size_t j, int model, const double *mean, double overq) {
    uint32_t n = d->dim;
    const float *c = d->c_vec + i * n, *r = d->v_vec + j * n, *w = d->v_w + j * n;
    double cr = 0, cc = 0, rr = 0, sh = 0, ov = 0, sc = 0;
    for (uint32_t k = 0; k < n; k++) {
        double m = mean ? mean[k] : 0, x = c[k] - m, y = r[k] - m, wk = w[k];
        if (model == LM_COMPETENCE_REQUIREMENT) { y *= wk; wk = 1; }
        if (model == LM_COMPETENCE_COSINE || model == LM_COMPETENCE_COSINE_COVERAGE) wk = 1;
        cr += wk * x * y;
        cc += wk * x * x;
        rr += wk * y * y;
        double gap = (double)r[k] - c[k]; /* coverage: raw levels */
        if (gap > 0) sh += w[k] * gap;
        else ov -= w[k] * gap;
        sc += w[k] * fabs((double)r[k]);
    }
    double cosv = cc > 0 && rr > 0 ? cr / sqrt(cc * rr) : 0;
    double cov = sc > 0 ? fmin(1, fmax(0, 1 - (sh + overq * ov) / sc)) : 0;
    switch (model) {
    case LM_COMPETENCE_COVERAGE: return cov;
    case LM_COMPETENCE_COSINE_COVERAGE: return fmax(0, cosv) * cov;
    default: return fmin(1, fmax(0, cosv));
    }
}

static const double tu_speed[4] = {5, 15, 30, 60}, tu_detour[4] = {1.3, 1.3, 1.3, 1.3}, tu_access[4] = {0, 2, 12, 6};

static inline double tu_km(double la1, double lo1, double la2, double lo2) {
    double r = M_PI / 180, dla = (la2 - la1) * r, dlo = (lo2 - lo1) * r;
    double a = sin(dla / 2) * sin(dla / 2) + cos(la1 * r) * cos(la2 * r) * sin(dlo / 2) * sin(dlo / 2);
    return 2 * 6371.0088 * asin(sqrt(a));
}

static inline int tu_visible(const lm_viewer *v, int64_t org, int32_t muni, int32_t region, uint8_t scope) {
    if (v->org == org) return 1;
    if (scope == LM_SCOPE_NATIONAL) return 1;
    if (scope == LM_SCOPE_REGION) return region != 0 && region == v->region;
    if (scope == LM_SCOPE_MUNICIPALITY) return muni != 0 && muni == v->municipality;
    return 0;
}

/* Score of candidate i for vacancy j, or -1 if infeasible. */
static inline double tu_ref_score(const tu_data *d, const tu_policy *P, const lm_viewer *v, size_t i, size_t j) {
    if (!tu_visible(v, d->c_org[i], d->c_muni[i], d->c_region[i], d->c_scope[i])) return -1;
    if (!(d->c_groups[i] & d->v_acc[j])) return -1;
    if (d->c_ready[i] > d->v_maxready[j]) return -1;
    if (d->c_lw[i] < d->v_minlw[j]) return -1;
    if ((d->c_flags[i] & d->v_req[j]) != d->v_req[j]) return -1;
    if (d->c_needs[i] & ~d->v_offers[j]) return -1;           /* every support need offered */
    if (P->local_only && d->c_muni[i] != d->v_muni[j]) return -1; /* municipal-only run */
    double lo = fmax(d->c_hmin[i], d->v_hmin[j]), hi = fmin(d->c_hmax[i], d->v_hmax[j]);
    if (lo > hi) return -1;
    if (d->c_avail[i] > d->v_open[j] || (P->as_of > 0 && d->v_open[j] < P->as_of)) return -1;
    if (d->v_slots[j] <= 0) return -1;
    double limit = P->max_min;
    if (d->c_maxmin[i] > 0 && d->c_maxmin[i] < limit) limit = d->c_maxmin[i];
    double km = tu_km(d->c_lat[i], d->c_lon[i], d->v_lat[j], d->v_lon[j]), best = INFINITY;
    for (int m = 0; m < 4; m++)
        if ((d->c_modes[i] & P->modes) & (1u << m)) best = fmin(best, tu_access[m] + km * tu_detour[m] / tu_speed[m] * 60);
    if (!(best <= limit)) return -1;
    double comp = tu_ref_comp(d, i, j, P->model, P->mean, P->overq);
    if (comp < P->min_comp) return -1;
    double trav = 1 - best / limit;
    double len = fmin(d->c_hmax[i] - d->c_hmin[i], d->v_hmax[j] - d->v_hmin[j]);
    double hours = len > 0 ? (hi - lo) / len : 1;
    double rdy = (5 - d->c_ready[i]) / 4.0;
    double ws = P->w[0] + P->w[1] + P->w[2] + P->w[3] + P->w[4];
    double s = (P->w[0] * comp + P->w[1] * trav + P->w[2] * hours + P->w[3] * rdy + P->w[4] * d->c_prio[i]) / ws;
    if (s < P->min_score) return -1;
    return fmin(s, 1);
}

typedef struct tu_hit {
    double score;
    int64_t id;
} tu_hit;
static inline int tu_hit_cmp(const void *a, const void *b) {
    const tu_hit *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return x->id < y->id ? -1 : (x->id > y->id);
}

/* Reference list of vacancy idx (its candidates) or, by_cand, of candidate
 * idx (its vacancies): every feasible pair, best first, ties by lower id. */
static inline size_t tu_ref_list(const tu_data *d, const tu_policy *P, const lm_viewer *v, size_t idx, int by_cand,
                                 tu_hit *out) {
    size_t n = 0, other = by_cand ? d->nv : d->nc;
    for (size_t o = 0; o < other; o++) {
        double s = by_cand ? tu_ref_score(d, P, v, idx, o) : tu_ref_score(d, P, v, o, idx);
        if (s < 0) continue;
        out[n].score = s;
        out[n].id = by_cand ? d->v_id[o] : d->c_id[o];
        n++;
    }
    qsort(out, n, sizeof *out, tu_hit_cmp);
    return n;
}

/* Compare a library list (ids, scores; n) with a sorted reference list,
 * allowing reordering only among scores within tol of each other. */
static inline void tu_assert_topk(const int64_t *ids, const float *scores, size_t n, const tu_hit *ref, size_t nref,
                                  size_t k, double tol, const char *what) {
    size_t want = nref < k ? nref : k;
    cr_assert_eq(n, want, "%s: %zu results, reference has %zu", what, n, want);
    for (size_t r = 0; r < n; r++) {
        cr_assert(fabs(scores[r] - ref[r].score) <= tol, "%s rank %zu: score %.7f vs reference %.7f", what, r,
                  (double)scores[r], ref[r].score);
        if (ids[r] == ref[r].id) continue;
        /* a different id is fine only if the reference has it at a near-equal score */
        int ok = 0;
        for (size_t q = 0; q < nref && !ok; q++)
            if (ref[q].id == ids[r] && fabs(ref[q].score - ref[r].score) <= tol) ok = 1;
        cr_assert(ok, "%s rank %zu: id %lld, reference %lld (%.7f)", what, r, (long long)ids[r], (long long)ref[r].id,
                  ref[r].score);
    }
}
/* The same lists in both results: bit for bit (exact), or, as kernels may
 * round a dot product differently in the last bit, up to near-ties with
 * scores within 1e-5. */
static inline void tu_compare_results(lm_results *a, lm_results *b, const char *what, bool exact) {
    for (int dir = 0; dir < 2; dir++) {
        size_t la, lb;
        lm_results_lists(&la, a, dir);
        lm_results_lists(&lb, b, dir);
        cr_assert_eq(la, lb, "%s: lists", what);
        for (size_t l = 0; l < la; l++) {
            int64_t ia, ib;
            size_t fa, fb, na, nb;
            lm_results_list(&ia, &fa, &na, a, dir, l);
            lm_results_list(&ib, &fb, &nb, b, dir, l);
            cr_assert_eq(ia, ib, "%s: list ids", what);
            cr_assert_eq(na, nb, "%s: list %zu lengths", what, l);
            lm_match ma[64], mb[64];
            cr_assert(na <= 64);
            lm_results_copy(ma, sizeof ma[0], na, NULL, a, dir, fa);
            lm_results_copy(mb, sizeof mb[0], nb, NULL, b, dir, fb);
            for (size_t q = 0; q < na; q++) {
                if (exact) {
                    cr_assert_eq(ma[q].candidate_id, mb[q].candidate_id, "%s dir %d list %zu rank %zu", what, dir, l, q);
                    cr_assert_eq(ma[q].vacancy_id, mb[q].vacancy_id, "%s", what);
                    cr_assert_eq(ma[q].score, mb[q].score, "%s", what);
                    cr_assert_eq(ma[q].competence, mb[q].competence, "%s", what);
                    continue;
                }
                cr_assert(fabsf(ma[q].score - mb[q].score) <= 1e-5f, "%s: score", what);
                int64_t xa = dir ? ma[q].vacancy_id : ma[q].candidate_id;
                int found = 0;
                for (size_t r = 0; r < nb && !found; r++)
                    found = (dir ? mb[r].vacancy_id : mb[r].candidate_id) == xa && fabsf(mb[r].score - ma[q].score) <= 1e-5f;
                cr_assert(found, "%s: id %lld at rank %zu missing from the other list", what, (long long)xa, q);
            }
        }
    }
}
#endif
