/* The batch per competence model (docs/scoring.md, "Speed of the models").
 *
 *   bench_competence [--threads N] [--nc N] [--nv N] [--dim N] [--k N] [--runs N]
 *
 * Candidates and vacancies with raw skill levels 0..5, spread over one
 * labour-market region (about 40 x 40 km, so most pairs are within travel
 * reach) with the default policy and no other filter: the worst case for the
 * generic exact path, which scores every pair in reach. The pool is centred
 * on its mean. Prints the best of --runs wall times per model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libmatch/libmatch.h"

static uint64_t rng = 88172645463325252ull;
static double unif(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) * 0x1.0p-53;
}

#define CHECK(x)                                                                  \
    do {                                                                          \
        int st_ = (x);                                                            \
        if (st_) {                                                                \
            fprintf(stderr, "bench_competence: %s: %s\n", #x, lm_strerror(st_)); \
            exit(1);                                                              \
        }                                                                         \
    } while (0)

int main(int argc, char **argv) {
    int threads = 2, runs = 3;
    size_t nc = 10000, nv = 1000;
    uint32_t dim = 35, k = 10;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--nc")) nc = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--nv")) nv = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--dim")) dim = (uint32_t)atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--k")) k = (uint32_t)atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--runs")) runs = atoi(argv[i + 1]);
        else {
            fprintf(stderr, "usage: bench_competence [--threads N] [--nc N] [--nv N] [--dim N] [--k N] [--runs N]\n");
            return 2;
        }
    }
    size_t n = nc > nv ? nc : nv;
    int64_t *id = malloc(n * sizeof *id), *org = malloc(n * sizeof *org);
    int32_t *muni = malloc(n * sizeof *muni);
    uint32_t *groups = malloc(n * sizeof *groups);
    uint8_t *scope = malloc(n);
    double *lat = malloc(n * sizeof *lat), *lon = malloc(n * sizeof *lon);
    float *vec = malloc(n * dim * sizeof *vec), *w = malloc(n * dim * sizeof *w);
    for (size_t i = 0; i < n; i++) {
        org[i] = 1;
        muni[i] = 1;
        groups[i] = 1;
        scope[i] = LM_SCOPE_NATIONAL;
    }
    lm_pool *pool;
    CHECK(lm_pool_create(&pool, dim));
    lm_candidate_cols c = LM_CANDIDATE_COLS_INIT;
    c.dim = dim; c.id = id; c.owner_org = org; c.municipality = muni; c.groups = groups; c.scope = scope;
    c.lat = lat; c.lon = lon; c.vectors = vec;
    for (size_t i = 0; i < nc; i++) {
        id[i] = (int64_t)i + 1;
        lat[i] = 52.2 + unif() * 0.36;
        lon[i] = 4.6 + unif() * 0.58;
        for (uint32_t j = 0; j < dim; j++) vec[i * dim + j] = (float)(unif() * 5);
    }
    CHECK(lm_pool_add_candidates(pool, &c, nc));
    lm_vacancy_cols v = LM_VACANCY_COLS_INIT;
    v.dim = dim; v.id = id; v.employer_id = org; v.municipality = muni; v.lat = lat; v.lon = lon;
    v.vectors = vec; v.weights = w;
    for (size_t i = 0; i < nv; i++) {
        id[i] = (int64_t)i + 1;
        lat[i] = 52.2 + unif() * 0.36;
        lon[i] = 4.6 + unif() * 0.58;
        for (uint32_t j = 0; j < dim; j++) {
            vec[i * dim + j] = (float)(unif() * 5);
            w[i * dim + j] = (float)(unif() < 0.3 ? 1 + unif() * 2 : unif() * 0.5);
        }
    }
    CHECK(lm_pool_add_vacancies(pool, &v, nv));
    CHECK(lm_pool_set_centre(pool, NULL, dim));
    lm_snapshot *snap;
    CHECK(lm_pool_snapshot(&snap, pool));
    static const char *const names[] = {"requirement", "cosine", "symmetric", "coverage", "cosine_coverage"};
    printf("bench_competence: %zu candidates x %zu vacancies, dim %u, k %u, %d threads, best of %d runs\n", nc, nv,
           dim, k, threads, runs);
    printf("%-16s %10s %14s %14s\n", "model", "seconds", "pairs scored", "pairs feasible");
    for (int m = 0; m < 5; m++) {
        lm_policy *pol;
        CHECK(lm_policy_create(&pol));
        CHECK(lm_policy_set_f64(pol, LM_POLICY_COMPETENCE_MODEL, m));
        lm_engine *e;
        CHECK(lm_engine_create(&e, pol, NULL));
        CHECK(lm_engine_set_i64(e, LM_ENGINE_THREADS, threads));
        lm_viewer vw = LM_VIEWER_INIT;
        vw.org = 1;
        lm_batch_options o = LM_BATCH_OPTIONS_INIT;
        o.k_candidates = o.k_vacancies = k;
        double best = 1e30, scored = 0, feasible = 0;
        for (int r = 0; r < runs; r++) {
            lm_results *res;
            CHECK(lm_engine_batch(&res, e, snap, &vw, &o));
            double s;
            lm_results_stat(&s, res, LM_STAT_SECONDS);
            if (s < best) best = s;
            lm_results_stat(&scored, res, LM_STAT_PAIRS_SCORED);
            lm_results_stat(&feasible, res, LM_STAT_PAIRS_FEASIBLE);
            lm_results_free(res);
        }
        printf("%-16s %10.3f %14.0f %14.0f\n", names[m], best, scored, feasible);
        lm_engine_free(e);
        lm_policy_free(pol);
    }
    lm_snapshot_free(snap);
    lm_pool_free(pool);
    free(id); free(org); free(muni); free(groups); free(scope); free(lat); free(lon); free(vec); free(w);
    return 0;
}
