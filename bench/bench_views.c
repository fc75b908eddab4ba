/* Cost of the region-wide views (issue 14): the region batch of lmbench
 * (10,000 x 10,000, d = 64, Noord-Holland Noord, default policy) with and
 * without LM_ENGINE_COUNT_FEASIBLE, and lm_engine_unmatched() on the same
 * data. Medians of --reps runs. Not part of `make test`.
 *   make bench-views [BENCH_VIEWS_ARGS="--threads 2 --reps 5 --data DIR"] */
#include "lmb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libmatch/libmatch.h"

static double median(double *x, int n) {
    qsort(x, (size_t)n, sizeof *x, lmb_cmp_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

#define CHECK(x)                                                                        \
    do {                                                                                \
        int st_ = (x);                                                                  \
        if (st_) {                                                                      \
            fprintf(stderr, "%s: %s (%s)\n", #x, lm_strerror(st_), lm_engine_errmsg(e)); \
            return 1;                                                                   \
        }                                                                               \
    } while (0)

int main(int argc, char **argv) {
    int threads = 2, reps = 5;
    size_t nc = 10000, nv = 10000;
    const char *dir = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--reps")) reps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--data")) dir = argv[i + 1];
        else if (!strcmp(argv[i], "--nc")) nc = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--nv")) nv = (size_t)atol(argv[i + 1]);
    }
    if (reps < 1 || reps > 100) reps = 5;
    lmb_world W;
    lmb_world_load(&W, dir);
    lmb_data d;
    if (lmb_data_make(&d, &W, LMB_REAL, nc, nv, 64, LMB_REGION_NHN, 42)) return 1;
    lm_engine *e = NULL;
    lm_pool *pool;
    lm_snapshot *s;
    CHECK(lm_pool_create(&pool, d.dim));
    lm_candidate_cols c = LM_CANDIDATE_COLS_INIT;
    c.dim = d.dim;
    c.id = d.c_id; c.owner_org = d.c_org; c.municipality = d.c_muni; c.region = d.c_region; c.zone = d.c_zone;
    c.lat = d.c_lat; c.lon = d.c_lon; c.groups = d.c_groups; c.readiness = d.c_ready; c.loonwaarde = d.c_lw;
    c.vectors = d.c_vec; c.flags = d.c_flags; c.hours_min = d.c_hmin; c.hours_max = d.c_hmax;
    c.modes = d.c_modes; c.max_minutes = d.c_maxmin; c.available_from = d.c_avail; c.scope = d.c_scope;
    c.priority = d.c_prio;
    lm_vacancy_cols v = LM_VACANCY_COLS_INIT;
    v.dim = d.dim;
    v.id = d.v_id; v.employer_id = d.v_emp; v.municipality = d.v_muni; v.region = d.v_region; v.zone = d.v_zone;
    v.lat = d.v_lat; v.lon = d.v_lon; v.vectors = d.v_vec; v.weights = d.v_w; v.required_flags = d.v_req;
    v.hours_min = d.v_hmin; v.hours_max = d.v_hmax; v.slots = d.v_slots; v.accepted_groups = d.v_acc;
    v.min_loonwaarde = d.v_minlw; v.max_readiness = d.v_maxready; v.open_until = d.v_open;
    if (lm_pool_add_candidates(pool, &c, d.nc) || lm_pool_add_vacancies(pool, &v, d.nv) || lm_pool_snapshot(&s, pool)) {
        fprintf(stderr, "pool: %s\n", lm_pool_errmsg(pool));
        return 1;
    }
    lm_policy *p;
    lm_policy_create(&p);
    lm_policy_set_f64(p, LM_POLICY_AS_OF_DAY, LMB_AS_OF_DAY);
    CHECK(lm_engine_create(&e, p, NULL));
    CHECK(lm_engine_set_i64(e, LM_ENGINE_THREADS, threads));
    lm_viewer vw = LM_VIEWER_INIT;
    vw.region = d.region_only;
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.k_candidates = o.k_vacancies = 50; /* as lmbench's region case */
    o.vacancy_region = d.region_only;
    double t_off[100], t_on[100], t_um[100];
    lm_results *r = NULL;
    double sum = 0, zero = 0, n = 0;
    for (int q = 0; q < reps; q++) {
        CHECK(lm_engine_set_i64(e, LM_ENGINE_COUNT_FEASIBLE, 0));
        double t0 = lmb_now();
        CHECK(lm_engine_batch(&r, e, s, &vw, &o));
        t_off[q] = lmb_now() - t0;
        lm_results_free(r);
        CHECK(lm_engine_set_i64(e, LM_ENGINE_COUNT_FEASIBLE, 1));
        t0 = lmb_now();
        CHECK(lm_engine_batch(&r, e, s, &vw, &o));
        t_on[q] = lmb_now() - t0;
        if (q == 0) {
            size_t nl;
            lm_results_lists(&nl, r, LM_DIR_CANDIDATE);
            for (size_t l = 0; l < nl; l++) {
                int64_t id;
                uint32_t cnt;
                lm_results_list(&id, NULL, NULL, r, LM_DIR_CANDIDATE, l);
                CHECK(lm_results_feasible_count(&cnt, r, id));
                sum += cnt;
                zero += cnt == 0;
                n++;
            }
        }
        lm_results_free(r);
        lm_unmatched *u;
        t0 = lmb_now();
        CHECK(lm_engine_unmatched(&u, e, s, &vw, &o));
        t_um[q] = lmb_now() - t0;
        if (q == 0) {
            double x;
            lm_unmatched_stat(&x, u, LM_UNMATCHED_STAT_UNMATCHED);
            if (x != zero) fprintf(stderr, "unmatched %g != people with count 0 %g\n", x, zero);
            size_t ncell;
            lm_unmatched_cells(NULL, sizeof(lm_unmatched_cell), 0, &ncell, u);
            lm_unmatched_cell *cell = calloc(ncell + 1, sizeof *cell);
            lm_unmatched_cells(cell, sizeof *cell, ncell, NULL, u);
            printf("unmatched by binding constraint (everyone):");
            for (size_t k = 0; k < ncell; k++)
                if (!cell[k].group) printf(" %d:%llu", cell[k].binding, (unsigned long long)cell[k].people);
            printf("\n");
            free(cell);
        }
        lm_unmatched_free(u);
    }
    printf("data %s, %zu x %zu, d=%u, threads %d, reps %d\n", W.real ? W.source : "synthetic", d.nc, d.nv, d.dim,
           threads, reps);
    printf("people %.0f, mean feasible vacancies %.1f, with none %.0f\n", n, n ? sum / n : 0, zero);
    double off = median(t_off, reps), on = median(t_on, reps), um = median(t_um, reps);
    printf("batch median %.3f s; with LM_ENGINE_COUNT_FEASIBLE %.3f s (+%.3f s, x%.2f); lm_engine_unmatched %.3f s\n",
           off, on, on - off, on / off, um);
    lm_engine_free(e);
    lm_policy_free(p);
    lm_snapshot_free(s);
    lm_pool_free(pool);
    lmb_data_free(&d);
    lmb_world_free(&W);
    return 0;
}
