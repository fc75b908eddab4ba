/* Concurrency of centring: a writer changes the pool's centre (and upserts)
 * while readers run batches of the default model (the fast batch, rescored by
 * the coverage) and of a generic model (2 threads each) on snapshots. A snapshot never changes: the same batch twice on one
 * snapshot gives identical lists, and explanations repeat the generic batch's
 * scores exactly. Built with -fsanitize=thread (tests/hardening/run-tsan.sh). */
#include "hard_util.h"

#include <pthread.h>
#include <unistd.h>

#define NC 400
#define NV 40
#define DIM 8
#define CYCLES 30
#define NREADERS 2

static hu_data D;
static lm_pool *pool;
static atomic_int writer_done;
static atomic_long n_batches;

static void *writer(void *arg) {
    (void)arg;
    lm_candidate_cols c = hu_ccols(&D, 0);
    for (int b = 1; b <= CYCLES; b++) {
        float mean[DIM];
        for (int j = 0; j < DIM; j++) mean[j] = b % 3 == 0 ? 0.f : 0.05f * (float)(b % 7) * (float)(j + 1);
        HU_CHECK(lm_pool_set_centre(pool, b % 5 == 0 ? NULL : mean, DIM) == LM_OK, "set centre: %s", lm_pool_errmsg(pool));
        usleep(2000);
        HU_CHECK(lm_pool_upsert_candidates(pool, &c, NC) == LM_OK, "upsert: %s", lm_pool_errmsg(pool));
        usleep(2000);
    }
    atomic_store(&writer_done, 1);
    return NULL;
}

static int same(lm_results *a, lm_results *b) {
    for (int dir = 0; dir < 2; dir++) {
        size_t na = 0, nb = 0;
        lm_results_count(&na, a, dir);
        lm_results_count(&nb, b, dir);
        if (na != nb) return 0;
        lm_match *x = calloc(na + 1, sizeof *x), *y = calloc(nb + 1, sizeof *y);
        lm_results_copy(x, sizeof *x, na, NULL, a, dir, 0);
        lm_results_copy(y, sizeof *y, nb, NULL, b, dir, 0);
        int ok = 1;
        for (size_t i = 0; i < na && ok; i++)
            ok = x[i].vacancy_id == y[i].vacancy_id && x[i].candidate_id == y[i].candidate_id && x[i].score == y[i].score;
        free(x);
        free(y);
        if (!ok) return 0;
    }
    return 1;
}

static void *reader(void *arg) {
    int model = *(int *)arg;
    lm_policy *pol = NULL;
    lm_engine *e = NULL;
    HU_CHECK(lm_policy_create(&pol) == LM_OK, "policy");
    HU_CHECK(lm_policy_set_f64(pol, LM_POLICY_COMPETENCE_MODEL, model) == LM_OK, "model");
    HU_CHECK(lm_engine_create(&e, pol, NULL) == LM_OK, "engine");
    HU_CHECK(lm_engine_set_i64(e, LM_ENGINE_THREADS, 2) == LM_OK, "threads");
    lm_viewer v = LM_VIEWER_INIT;
    v.org = 1;
    int rounds = 0;
    while (!atomic_load(&writer_done) || rounds < 2) {
        rounds++;
        lm_snapshot *s = NULL;
        HU_CHECK(lm_pool_snapshot(&s, pool) == LM_OK, "snapshot");
        lm_batch_options o = LM_BATCH_OPTIONS_INIT;
        o.k_candidates = 5;
        o.k_vacancies = 3;
        lm_results *a = NULL, *b = NULL;
        HU_CHECK(lm_engine_batch(&a, e, s, &v, &o) == LM_OK, "batch: %s", lm_engine_errmsg(e));
        usleep(1000);
        HU_CHECK(lm_engine_batch(&b, e, s, &v, &o) == LM_OK, "batch again: %s", lm_engine_errmsg(e));
        if (a && b) {
            HU_CHECK(same(a, b), "model %d: two batches of one snapshot differ", model);
            lm_match m;
            size_t n = 0;
            lm_results_count(&n, a, LM_DIR_VACANCY);
            if (n && lm_results_copy(&m, sizeof m, 1, NULL, a, LM_DIR_VACANCY, 0) == LM_OK) {
                lm_match x;
                HU_CHECK(lm_engine_explain(&x, sizeof x, e, s, &v, m.vacancy_id, m.candidate_id) == LM_OK, "explain");
                /* the generic batch (SYMMETRIC, COVERAGE) repeats explain bit for bit; the fast batch takes its
                 * cosine from the panel kernel, which may differ from explain's in the last float bit */
                int generic = model == LM_COMPETENCE_SYMMETRIC || model == LM_COMPETENCE_COVERAGE;
                HU_CHECK(generic ? x.score == m.score : fabsf(x.score - m.score) < 1e-6f, "explain %.9f vs batch %.9f",
                         x.score, m.score);
            }
            atomic_fetch_add(&n_batches, 1);
        }
        lm_results_free(a);
        lm_results_free(b);
        lm_snapshot_free(s);
    }
    lm_engine_free(e);
    lm_policy_free(pol);
    return NULL;
}

int main(void) {
    hu_generate(&D, 4242, NC, NV, DIM, 3);
    for (size_t i = 0; i < NC; i++) D.c_scope[i] = LM_SCOPE_NATIONAL;
    HU_CHECK(lm_pool_create(&pool, DIM) == LM_OK, "pool");
    lm_candidate_cols c = hu_ccols(&D, 0);
    lm_vacancy_cols v = hu_vcols(&D, 0);
    HU_CHECK(lm_pool_add_candidates(pool, &c, NC) == LM_OK, "add: %s", lm_pool_errmsg(pool));
    HU_CHECK(lm_pool_add_vacancies(pool, &v, NV) == LM_OK, "add: %s", lm_pool_errmsg(pool));
    pthread_t tw, tr[NREADERS];
    /* the default (fast batch, rescored by the coverage) and a generic one (all pairs) */
    int models[NREADERS] = {LM_COMPETENCE_COSINE_COVERAGE, LM_COMPETENCE_SYMMETRIC};
    pthread_create(&tw, NULL, writer, NULL);
    for (int i = 0; i < NREADERS; i++) pthread_create(&tr[i], NULL, reader, &models[i]);
    pthread_join(tw, NULL);
    for (int i = 0; i < NREADERS; i++) pthread_join(tr[i], NULL);
    lm_snapshot *s = NULL;
    HU_CHECK(lm_pool_snapshot(&s, pool) == LM_OK && lm_snapshot_version(s) == 2 + 2 * CYCLES, "final version");
    lm_snapshot_free(s);
    lm_pool_free(pool);
    hu_free(&D);
    HU_CHECK(atomic_load(&n_batches) >= 4, "too few batches (%ld)", atomic_load(&n_batches));
    long fails = atomic_load(&hu_failures), checks = atomic_load(&hu_checks);
    printf("tsan-centre: %ld checks, %ld failed; %ld batch pairs\n", checks, fails, atomic_load(&n_batches));
    return fails ? 1 : 0;
}
