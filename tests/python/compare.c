/* The C side of tests/python/test_compare_c.py: build a pool from raw column
 * files written by the Python test, run the same queries, batch and
 * explanations through the C API, and print every row as text. The Python
 * test prints the same through the binding and compares the two texts.
 *
 * usage: compare DIR NC NV DIM ORG MUNI REGION K THREADS
 * DIR holds c_<column>.bin and v_<column>.bin (native byte order). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libmatch/libmatch.h"

static const char *dir;

static void *rd(const char *side, const char *name, size_t size) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s_%s.bin", dir, side, name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    void *p = malloc(size ? size : 1);
    if (!p || fread(p, 1, size, f) != size) {
        fprintf(stderr, "compare: short read %s\n", path);
        exit(2);
    }
    fclose(f);
    return p;
}

static void row(const char *tag, const lm_match *m) {
    printf("%s %lld %lld %u %d %.9g %.9g %.9g %.9g %.9g %.9g %.9g %d %d %d %d\n", tag, (long long)m->vacancy_id,
           (long long)m->candidate_id, m->rank, m->constraint, (double)m->score, (double)m->competence,
           (double)m->travel, (double)m->hours, (double)m->readiness, (double)m->priority,
           (double)m->travel_minutes, m->travel_mode, m->candidate_municipality, m->vacancy_municipality,
           m->vacancy_kind);
}

static void dump(const char *tag, const lm_results *r, int dir_) {
    size_t n = 0, nl = 0;
    lm_results_count(&n, r, dir_);
    lm_results_lists(&nl, r, dir_);
    for (size_t l = 0; l < nl; l++) {
        int64_t id;
        size_t first, len;
        lm_results_list(&id, &first, &len, r, dir_, l);
        printf("L%s %lld %zu %zu\n", tag, (long long)id, first, len);
    }
    lm_match *m = calloc(n + 1, sizeof *m);
    size_t got = 0;
    lm_results_copy(m, sizeof *m, n, &got, r, dir_, 0);
    for (size_t q = 0; q < got; q++) row(tag, &m[q]);
    free(m);
}

int main(int argc, char **argv) {
    if (argc != 10) {
        fprintf(stderr, "usage: compare DIR NC NV DIM ORG MUNI REGION K THREADS\n");
        return 2;
    }
    dir = argv[1];
    size_t nc = strtoull(argv[2], NULL, 10), nv = strtoull(argv[3], NULL, 10);
    uint32_t dim = (uint32_t)strtoul(argv[4], NULL, 10);
    lm_viewer v = LM_VIEWER_INIT;
    v.org = strtoll(argv[5], NULL, 10);
    v.municipality = (int32_t)strtol(argv[6], NULL, 10);
    v.region = (int32_t)strtol(argv[7], NULL, 10);
    uint32_t k = (uint32_t)strtoul(argv[8], NULL, 10);
    int64_t threads = strtoll(argv[9], NULL, 10);

    lm_candidate_cols c = LM_CANDIDATE_COLS_INIT;
    c.dim = dim;
    c.id = rd("c", "id", nc * 8);
    c.owner_org = rd("c", "owner_org", nc * 8);
    c.municipality = rd("c", "municipality", nc * 4);
    c.region = rd("c", "region", nc * 4);
    c.zone = rd("c", "zone", nc * 4);
    c.lat = rd("c", "lat", nc * 8);
    c.lon = rd("c", "lon", nc * 8);
    c.groups = rd("c", "groups", nc * 4);
    c.readiness = rd("c", "readiness", nc);
    c.loonwaarde = rd("c", "loonwaarde", nc * 4);
    c.vectors = rd("c", "vectors", nc * dim * 4);
    c.flags = rd("c", "flags", nc * 8);
    c.hours_min = rd("c", "hours_min", nc * 4);
    c.hours_max = rd("c", "hours_max", nc * 4);
    c.modes = rd("c", "modes", nc);
    c.max_minutes = rd("c", "max_minutes", nc * 4);
    c.available_from = rd("c", "available_from", nc * 4);
    c.scope = rd("c", "scope", nc);
    c.priority = rd("c", "priority", nc * 4);
    c.needs = rd("c", "needs", nc * 8); /* since 1.2; optional */
    lm_vacancy_cols w = LM_VACANCY_COLS_INIT;
    w.dim = dim;
    w.id = rd("v", "id", nv * 8);
    w.employer_id = rd("v", "employer_id", nv * 8);
    w.municipality = rd("v", "municipality", nv * 4);
    w.region = rd("v", "region", nv * 4);
    w.zone = rd("v", "zone", nv * 4);
    w.lat = rd("v", "lat", nv * 8);
    w.lon = rd("v", "lon", nv * 8);
    w.vectors = rd("v", "vectors", nv * dim * 4);
    w.weights = rd("v", "weights", nv * dim * 4);
    w.required_flags = rd("v", "required_flags", nv * 8);
    w.hours_min = rd("v", "hours_min", nv * 4);
    w.hours_max = rd("v", "hours_max", nv * 4);
    w.slots = rd("v", "slots", nv * 4);
    w.accepted_groups = rd("v", "accepted_groups", nv * 4);
    w.min_loonwaarde = rd("v", "min_loonwaarde", nv * 4);
    w.max_readiness = rd("v", "max_readiness", nv);
    w.open_until = rd("v", "open_until", nv * 4);
    w.offers = rd("v", "offers", nv * 8);
    w.kind = rd("v", "kind", nv);

    lm_pool *p;
    int st;
    if ((st = lm_pool_create(&p, dim)) != LM_OK) return 3;
    if ((st = lm_pool_add_candidates(p, &c, nc)) != LM_OK) {
        fprintf(stderr, "compare: %s\n", lm_pool_errmsg(p));
        return 3;
    }
    if ((st = lm_pool_add_vacancies(p, &w, nv)) != LM_OK) {
        fprintf(stderr, "compare: %s\n", lm_pool_errmsg(p));
        return 3;
    }
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_engine *e;
    /* 1.1's floors (random vectors have low competence), as python_text() */
    lm_policy *pol;
    lm_policy_create(&pol);
    lm_policy_set_f64(pol, LM_POLICY_MIN_COMPETENCE, 0);
    lm_policy_set_f64(pol, LM_POLICY_MIN_SCORE, 0);
    lm_engine_create(&e, pol, NULL);
    lm_policy_free(pol);
    lm_engine_set_i64(e, LM_ENGINE_THREADS, threads);

    const int64_t *vid = w.id, *cid = c.id;
    for (size_t j = 0; j < nv; j++) {
        lm_results *r;
        st = lm_engine_query_vacancy(&r, e, s, &v, vid[j], k);
        if (st != LM_OK) {
            printf("QV %lld ERR %d\n", (long long)vid[j], st);
            continue;
        }
        dump("QV", r, LM_DIR_VACANCY);
        lm_results_free(r);
    }
    for (size_t i = 0; i < nc; i++) {
        lm_results *r;
        st = lm_engine_query_candidate(&r, e, s, &v, cid[i], k);
        if (st != LM_OK) {
            printf("QC %lld ERR %d\n", (long long)cid[i], st);
            continue;
        }
        dump("QC", r, LM_DIR_CANDIDATE);
        lm_results_free(r);
    }
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.k_candidates = k;
    o.k_vacancies = k > 2 ? k - 2 : 1;
    lm_results *b;
    if ((st = lm_engine_batch(&b, e, s, &v, &o)) != LM_OK) return 4;
    dump("BV", b, LM_DIR_VACANCY);
    dump("BC", b, LM_DIR_CANDIDATE);
    lm_results_free(b);
    for (size_t i = 0; i < nc; i++)
        for (size_t j = 0; j < nv; j++) {
            lm_match m;
            st = lm_engine_explain(&m, sizeof m, e, s, &v, vid[j], cid[i]);
            if (st != LM_OK)
                printf("EX %lld %lld ERR %d\n", (long long)vid[j], (long long)cid[i], st);
            else
                row("EX", &m);
        }
    printf("SIZE %zu", sizeof(lm_match));
#define OFF(f) printf(" %s=%zu", #f, offsetof(lm_match, f))
    OFF(vacancy_id); OFF(candidate_id); OFF(rank); OFF(constraint); OFF(score); OFF(competence); OFF(travel);
    OFF(hours); OFF(readiness); OFF(priority); OFF(travel_minutes); OFF(travel_mode); OFF(candidate_municipality);
    OFF(vacancy_municipality); OFF(reserved);
    printf("\nGROUPSIZE %zu", sizeof(lm_group_report));
#define GOFF(f) printf(" %s=%zu", #f, offsetof(lm_group_report, f))
    GOFF(group); GOFF(eligible); GOFF(proposals); GOFF(cross_border); GOFF(greedy_proposals); GOFF(floor);
    printf("\nSTRUCTS cand=%zu vac=%zu viewer=%zu batch=%zu assignopt=%zu graph=%zu runinfo=%zu\n",
           sizeof(lm_candidate_cols), sizeof(lm_vacancy_cols), sizeof(lm_viewer), sizeof(lm_batch_options),
           sizeof(lm_assign_options), sizeof(lm_assign_graph), sizeof(lm_run_info));
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    return 0;
}
