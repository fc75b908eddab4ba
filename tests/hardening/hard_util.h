/* Helpers of the hardening tests (tests/hardening/, docs/hardening.md):
 * deterministic random pools kept as raw columns, and a counting CHECK for
 * the standalone programs (the TSan and fault-injection tests run without
 * Criterion: its forking runner gets in the way of both). */
#ifndef LM_HARD_UTIL_H
#define LM_HARD_UTIL_H

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libmatch/libmatch.h"

/* ---- counting checks (standalone programs) ------------------------------------ */
static atomic_long hu_checks, hu_failures;
#define HU_CHECK(cond, ...)                                                                  \
    do {                                                                                     \
        atomic_fetch_add(&hu_checks, 1);                                                     \
        if (!(cond)) {                                                                       \
            if (atomic_fetch_add(&hu_failures, 1) < 50) {                                    \
                fprintf(stderr, "%s:%d: CHECK FAILED: %s: ", __FILE__, __LINE__, #cond);     \
                fprintf(stderr, __VA_ARGS__);                                                \
                fprintf(stderr, "\n");                                                       \
            }                                                                                \
        }                                                                                    \
    } while (0)

/* Append "LABEL PASSED FAILED" to $LM_TEST_LOGS/totals (scripts/run-tests.sh). */
static inline void hu_report(const char *label, long passed, long failed) {
    const char *d = getenv("LM_TEST_LOGS");
    if (!d || !*d) return;
    char path[1024];
    snprintf(path, sizeof path, "%s/totals", d);
    FILE *f = fopen(path, "a");
    if (!f) return;
    fprintf(f, "%s %ld %ld\n", label, passed, failed);
    fclose(f);
}

/* ---- PRNG ------------------------------------------------------------------------- */
static inline uint64_t hu_next(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static inline int hu_int(uint64_t *s, int lo, int hi) { return lo + (int)(hu_next(s) % (uint64_t)(hi - lo + 1)); }
static inline double hu_unif(uint64_t *s) { return (double)(hu_next(s) >> 11) * 0x1.0p-53; }

/* ---- a random pool as raw columns --------------------------------------------------- */
typedef struct hu_data {
    uint32_t dim;
    size_t nc, nv;
    int64_t *c_id, *c_org;
    int32_t *c_muni, *c_region, *c_zone, *c_avail;
    double *c_lat, *c_lon;
    uint32_t *c_groups;
    uint8_t *c_ready, *c_modes, *c_scope;
    float *c_lw, *c_vec, *c_hmin, *c_hmax, *c_maxmin, *c_prio;
    uint64_t *c_flags;
    int64_t *v_id, *v_emp;
    int32_t *v_muni, *v_region, *v_zone, *v_slots, *v_open;
    double *v_lat, *v_lon;
    float *v_vec, *v_w, *v_hmin, *v_hmax, *v_minlw;
    uint64_t *v_req;
    uint32_t *v_acc;
    uint8_t *v_maxready;
} hu_data;

#define HU_ALLOC(p, n) ((p) = calloc((n) ? (n) : 1, sizeof *(p)))

/* Mostly feasible pairs: wide hours, few required flags, all groups accepted
 * often; orgs 1..norg, municipalities 1..6 in regions 1..2 (some region 0),
 * scopes uniformly random. */
static inline void hu_generate(hu_data *d, uint64_t seed, size_t nc, size_t nv, uint32_t dim, int norg) {
    memset(d, 0, sizeof *d);
    d->dim = dim;
    d->nc = nc;
    d->nv = nv;
    uint64_t s = seed;
    HU_ALLOC(d->c_id, nc); HU_ALLOC(d->c_org, nc); HU_ALLOC(d->c_muni, nc); HU_ALLOC(d->c_region, nc);
    HU_ALLOC(d->c_zone, nc); HU_ALLOC(d->c_avail, nc); HU_ALLOC(d->c_lat, nc); HU_ALLOC(d->c_lon, nc);
    HU_ALLOC(d->c_groups, nc); HU_ALLOC(d->c_ready, nc); HU_ALLOC(d->c_modes, nc); HU_ALLOC(d->c_scope, nc);
    HU_ALLOC(d->c_lw, nc); HU_ALLOC(d->c_hmin, nc); HU_ALLOC(d->c_hmax, nc); HU_ALLOC(d->c_maxmin, nc);
    HU_ALLOC(d->c_prio, nc); HU_ALLOC(d->c_flags, nc);
    d->c_vec = calloc(nc * dim + 1, sizeof(float));
    HU_ALLOC(d->v_id, nv); HU_ALLOC(d->v_emp, nv); HU_ALLOC(d->v_muni, nv); HU_ALLOC(d->v_region, nv);
    HU_ALLOC(d->v_zone, nv); HU_ALLOC(d->v_slots, nv); HU_ALLOC(d->v_open, nv); HU_ALLOC(d->v_lat, nv);
    HU_ALLOC(d->v_lon, nv); HU_ALLOC(d->v_hmin, nv); HU_ALLOC(d->v_hmax, nv); HU_ALLOC(d->v_minlw, nv);
    HU_ALLOC(d->v_req, nv); HU_ALLOC(d->v_acc, nv); HU_ALLOC(d->v_maxready, nv);
    d->v_vec = calloc(nv * dim + 1, sizeof(float));
    d->v_w = calloc(nv * dim + 1, sizeof(float));
    for (size_t i = 0; i < nc; i++) {
        d->c_id[i] = (int64_t)(i * 7919u + 11u) * ((i % 3 == 0) ? -1 : 1) + (int64_t)(seed % 97) * 100000007LL;
        d->c_org[i] = hu_int(&s, 1, norg);
        d->c_muni[i] = hu_int(&s, 1, 6);
        d->c_region[i] = d->c_muni[i] == 6 ? 0 : 1 + (d->c_muni[i] - 1) / 3;
        d->c_zone[i] = 1000 + hu_int(&s, 0, 20);
        d->c_lat[i] = 52.2 + hu_unif(&s) * 0.3;
        d->c_lon[i] = 4.6 + hu_unif(&s) * 0.4;
        d->c_groups[i] = (uint32_t)hu_int(&s, 1, 63);
        d->c_ready[i] = (uint8_t)hu_int(&s, 1, 5);
        d->c_modes[i] = (uint8_t)hu_int(&s, 1, 15);
        d->c_scope[i] = (uint8_t)hu_int(&s, 0, 3);
        d->c_lw[i] = (float)hu_int(&s, 30, 120);
        d->c_hmin[i] = (float)hu_int(&s, 0, 16);
        d->c_hmax[i] = d->c_hmin[i] + (float)hu_int(&s, 8, 40);
        d->c_maxmin[i] = hu_unif(&s) < 0.7 ? 0.f : (float)hu_int(&s, 30, 120);
        d->c_prio[i] = (float)hu_unif(&s);
        d->c_flags[i] = hu_next(&s) & 3u;
        d->c_avail[i] = hu_int(&s, 0, 100);
        for (uint32_t j = 0; j < dim; j++) d->c_vec[i * dim + j] = (float)(hu_unif(&s) * 2 - 1);
    }
    for (size_t i = 0; i < nv; i++) {
        d->v_id[i] = (int64_t)(i * 104729u + 3u) + (int64_t)(seed % 89) * 99999989LL;
        d->v_emp[i] = hu_int(&s, 1, 30);
        d->v_muni[i] = hu_int(&s, 1, 6);
        d->v_region[i] = d->v_muni[i] == 6 ? 0 : 1 + (d->v_muni[i] - 1) / 3;
        d->v_zone[i] = 1000 + hu_int(&s, 0, 20);
        d->v_lat[i] = 52.2 + hu_unif(&s) * 0.3;
        d->v_lon[i] = 4.6 + hu_unif(&s) * 0.4;
        d->v_slots[i] = hu_int(&s, 1, 3);
        d->v_open[i] = hu_int(&s, 150, 400);
        d->v_hmin[i] = (float)hu_int(&s, 0, 16);
        d->v_hmax[i] = d->v_hmin[i] + (float)hu_int(&s, 8, 40);
        d->v_minlw[i] = hu_unif(&s) < 0.7 ? 0.f : (float)hu_int(&s, 0, 60);
        d->v_req[i] = hu_unif(&s) < 0.8 ? 0 : (hu_next(&s) & 1u);
        d->v_acc[i] = hu_unif(&s) < 0.7 ? 63u : (uint32_t)hu_int(&s, 1, 63);
        d->v_maxready[i] = (uint8_t)(hu_unif(&s) < 0.7 ? 5 : hu_int(&s, 2, 5));
        for (uint32_t j = 0; j < dim; j++) {
            d->v_vec[i * dim + j] = (float)(hu_unif(&s) * 2 - 1);
            d->v_w[i * dim + j] = (float)(0.5 + hu_unif(&s));
        }
    }
}

static inline void hu_free(hu_data *d) {
    void *ps[] = {d->c_id, d->c_org, d->c_muni, d->c_region, d->c_zone, d->c_avail, d->c_lat, d->c_lon, d->c_groups,
                  d->c_ready, d->c_modes, d->c_scope, d->c_lw, d->c_vec, d->c_hmin, d->c_hmax, d->c_maxmin, d->c_prio,
                  d->c_flags, d->v_id, d->v_emp, d->v_muni, d->v_region, d->v_zone, d->v_slots, d->v_open, d->v_lat,
                  d->v_lon, d->v_vec, d->v_w, d->v_hmin, d->v_hmax, d->v_minlw, d->v_req, d->v_acc, d->v_maxready};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) free(ps[i]);
    memset(d, 0, sizeof *d);
}

static inline lm_candidate_cols hu_ccols(const hu_data *d, size_t first) {
    lm_candidate_cols c = LM_CANDIDATE_COLS_INIT;
    c.dim = d->dim;
    c.id = d->c_id + first; c.owner_org = d->c_org + first; c.municipality = d->c_muni + first;
    c.region = d->c_region + first; c.zone = d->c_zone + first; c.lat = d->c_lat + first; c.lon = d->c_lon + first;
    c.groups = d->c_groups + first; c.readiness = d->c_ready + first; c.loonwaarde = d->c_lw + first;
    c.vectors = d->c_vec + first * d->dim; c.flags = d->c_flags + first; c.hours_min = d->c_hmin + first;
    c.hours_max = d->c_hmax + first; c.modes = d->c_modes + first; c.max_minutes = d->c_maxmin + first;
    c.available_from = d->c_avail + first; c.scope = d->c_scope + first; c.priority = d->c_prio + first;
    return c;
}
static inline lm_vacancy_cols hu_vcols(const hu_data *d, size_t first) {
    lm_vacancy_cols v = LM_VACANCY_COLS_INIT;
    v.dim = d->dim;
    v.id = d->v_id + first; v.employer_id = d->v_emp + first; v.municipality = d->v_muni + first;
    v.region = d->v_region + first; v.zone = d->v_zone + first; v.lat = d->v_lat + first; v.lon = d->v_lon + first;
    v.vectors = d->v_vec + first * d->dim; v.weights = d->v_w + first * d->dim;
    v.required_flags = d->v_req + first; v.hours_min = d->v_hmin + first; v.hours_max = d->v_hmax + first;
    v.slots = d->v_slots + first; v.accepted_groups = d->v_acc + first; v.min_loonwaarde = d->v_minlw + first;
    v.max_readiness = d->v_maxready + first; v.open_until = d->v_open + first;
    return v;
}

/* Visibility rule of core.h (lm_viewer), written independently. */
static inline int hu_visible(const lm_viewer *v, int64_t org, int32_t muni, int32_t region, uint8_t scope) {
    if (v->org == org) return 1;
    if (scope == LM_SCOPE_NATIONAL) return 1;
    if (scope == LM_SCOPE_REGION) return region != 0 && region == v->region;
    if (scope == LM_SCOPE_MUNICIPALITY) return muni != 0 && muni == v->municipality;
    return 0;
}
#endif
