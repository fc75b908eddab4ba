/* Issue 14 (1.2): support needs and offers, vacancy kinds, the new target
 * groups, the competence floor and the municipal-only run, against the
 * brute-force reference of testutil.h in every path (queries, the fast batch
 * on every kernel, int8 mode and thread count, the generic batch, explain,
 * the assignment); bad input; column structs of 1.0/1.1 callers. */
#include "testutil.h"

#include <stddef.h>

static lm_viewer viewer(int64_t org, int32_t muni, int32_t region) {
    lm_viewer v = LM_VIEWER_INIT;
    v.org = org;
    v.municipality = muni;
    v.region = region;
    return v;
}

static size_t find_id(const int64_t *ids, size_t n, int64_t id) {
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id) return i;
    return SIZE_MAX;
}

/* List `list` of r against the reference, and every row's vacancy_kind. */
static void check_list(const tu_data *d, const tu_policy *P, const lm_viewer *v, lm_results *r, int dir, size_t list,
                       size_t k, const char *what) {
    int64_t id;
    size_t first, len;
    cr_assert_eq(lm_results_list(&id, &first, &len, r, dir, list), LM_OK);
    size_t idx = dir == LM_DIR_VACANCY ? find_id(d->v_id, d->nv, id) : find_id(d->c_id, d->nc, id);
    cr_assert_neq(idx, SIZE_MAX, "%s: list id %lld not in the data", what, (long long)id);
    tu_hit *ref = malloc((d->nc + d->nv + 1) * sizeof *ref);
    size_t nref = tu_ref_list(d, P, v, idx, dir == LM_DIR_CANDIDATE, ref);
    lm_match *m = calloc(len + 1, sizeof *m);
    int64_t *got = malloc((len + 1) * sizeof *got);
    float *sc = malloc((len + 1) * sizeof *sc);
    size_t copied = 0;
    cr_assert_eq(lm_results_copy(m, sizeof *m, len, &copied, r, dir, first), LM_OK);
    cr_assert_eq(copied, len);
    for (size_t q = 0; q < len; q++) {
        got[q] = dir == LM_DIR_VACANCY ? m[q].candidate_id : m[q].vacancy_id;
        sc[q] = m[q].score;
        cr_assert_eq(m[q].constraint, LM_CONSTRAINT_NONE);
        size_t j = find_id(d->v_id, d->nv, m[q].vacancy_id), i = find_id(d->c_id, d->nc, m[q].candidate_id);
        cr_assert_eq(m[q].vacancy_kind, d->v_kind[j], "%s: vacancy_kind", what);
        cr_assert_eq(d->c_needs[i] & ~d->v_offers[j], 0, "%s: a listed pair meets every need", what);
        cr_assert(m[q].competence >= P->min_comp, "%s: competence %g below the floor %g", what, (double)m[q].competence,
                  P->min_comp);
        if (P->local_only) cr_assert_eq(m[q].candidate_municipality, m[q].vacancy_municipality);
    }
    tu_assert_topk(got, sc, len, ref, nref, k, 1e-5, what);
    free(ref);
    free(m);
    free(got);
    free(sc);
}

static void check_batch(const tu_data *d, const tu_policy *P, const lm_viewer *v, lm_results *b,
                        const lm_batch_options *o, const char *what) {
    char w[200];
    size_t nl;
    cr_assert_eq(lm_results_lists(&nl, b, LM_DIR_VACANCY), LM_OK);
    for (size_t l = 0; l < nl; l++) {
        snprintf(w, sizeof w, "%s vacancy list %zu", what, l);
        check_list(d, P, v, b, LM_DIR_VACANCY, l, o->k_candidates, w);
    }
    cr_assert_eq(lm_results_lists(&nl, b, LM_DIR_CANDIDATE), LM_OK);
    for (size_t l = 0; l < nl; l++) {
        snprintf(w, sizeof w, "%s candidate list %zu", what, l);
        check_list(d, P, v, b, LM_DIR_CANDIDATE, l, o->k_vacancies, w);
    }
}

typedef struct variant {
    const char *name;
    double min_comp, min_score;
    int local_only;
    int model;
} variant;

static lm_policy *policy_of(const variant *x, tu_policy *P) {
    lm_policy *pol;
    cr_assert_eq(lm_policy_create(&pol), LM_OK);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_MIN_COMPETENCE, x->min_comp), LM_OK);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_MIN_SCORE, x->min_score), LM_OK);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_LOCAL_ONLY, x->local_only), LM_OK);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_COMPETENCE_MODEL, x->model), LM_OK);
    *P = tu_default_policy();
    P->min_comp = x->min_comp;
    P->min_score = x->min_score;
    P->local_only = x->local_only;
    P->model = x->model;
    return pol;
}

/* Property: with needs, new groups and kinds in the data, every policy
 * variant's single queries and batch (every kernel, int8 on and off, 1 and 3
 * threads; the generic batch for COVERAGE) equal the reference. */
Test(needs, every_path_matches_reference) {
    struct {
        size_t nc, nv;
        uint32_t dim;
        double density, frac;
    } cases[] = {{60, 40, 4, 1.0, 0.5}, {400, 150, 16, 0.8, 0.3}, {180, 260, 33, 0.6, 0.6}};
    const variant vars[] = {
        {"defaults-1.1", 0, 0, 0, LM_COMPETENCE_COSINE_COVERAGE},
        {"floor 0.3", 0.3, 0, 0, LM_COMPETENCE_COSINE_COVERAGE},
        {"local", 0, 0, 1, LM_COMPETENCE_COSINE_COVERAGE},
        {"floor 0.2 + local + min_score 0.3", 0.2, 0.3, 1, LM_COMPETENCE_COSINE_COVERAGE},
        {"cosine floor 0.25", 0.25, 0.1, 0, LM_COMPETENCE_COSINE},
        {"requirement floor 0.15 local", 0.15, 0, 1, LM_COMPETENCE_REQUIREMENT},
        {"coverage (generic) floor 0.4", 0.4, 0, 0, LM_COMPETENCE_COVERAGE},
        {"coverage (generic) local", 0.1, 0, 1, LM_COMPETENCE_COVERAGE},
    };
    int64_t best;
    {
        lm_engine *e0;
        lm_engine_create(&e0, NULL, NULL);
        lm_engine_get_i64(&best, e0, LM_ENGINE_KERNEL);
        lm_engine_free(e0);
    }
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        tu_data d;
        tu_generate(&d, 1400 + t, cases[t].nc, cases[t].nv, cases[t].dim, cases[t].density);
        tu_add_needs(&d, 77 + t, cases[t].frac);
        lm_pool *p = tu_pool(&d);
        lm_snapshot *s;
        cr_assert_eq(lm_pool_snapshot(&s, p), LM_OK);
        lm_viewer v = viewer(2, 3, 1);
        for (size_t x = 0; x < sizeof vars / sizeof vars[0]; x++) {
            tu_policy P;
            lm_policy *pol = policy_of(&vars[x], &P);
            lm_engine *e;
            cr_assert_eq(lm_engine_create(&e, pol, NULL), LM_OK);
            char what[160];
            for (size_t j = 0; j < d.nv && j < 12; j++) {
                lm_results *r;
                cr_assert_eq(lm_engine_query_vacancy(&r, e, s, &v, d.v_id[j], 8), LM_OK, "%s", lm_engine_errmsg(e));
                snprintf(what, sizeof what, "case %zu %s query vacancy %zu", t, vars[x].name, j);
                check_list(&d, &P, &v, r, LM_DIR_VACANCY, 0, 8, what);
                lm_results_free(r);
            }
            for (size_t i = 0; i < d.nc && i < 12; i++) {
                if (!tu_visible(&v, d.c_org[i], d.c_muni[i], d.c_region[i], d.c_scope[i])) continue;
                lm_results *r;
                cr_assert_eq(lm_engine_query_candidate(&r, e, s, &v, d.c_id[i], 8), LM_OK, "%s", lm_engine_errmsg(e));
                snprintf(what, sizeof what, "case %zu %s query candidate %zu", t, vars[x].name, i);
                check_list(&d, &P, &v, r, LM_DIR_CANDIDATE, 0, 8, what);
                lm_results_free(r);
            }
            lm_batch_options o = LM_BATCH_OPTIONS_INIT;
            o.k_candidates = 6;
            o.k_vacancies = 4;
            for (int k = LM_KERNEL_SCALAR; k <= best; k++)
                for (int q = 0; q <= 1; q++)
                    for (int th = 1; th <= 3; th += 2) {
                        if (vars[x].model == LM_COMPETENCE_COVERAGE && (k > LM_KERNEL_SCALAR || q)) continue; /* generic: no kernel */
                        cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_KERNEL, k), LM_OK);
                        cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_QUANTIZE, q), LM_OK);
                        cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_THREADS, th), LM_OK);
                        lm_results *b;
                        cr_assert_eq(lm_engine_batch(&b, e, s, &v, &o), LM_OK, "%s", lm_engine_errmsg(e));
                        snprintf(what, sizeof what, "case %zu %s batch kernel %d int8 %d threads %d", t, vars[x].name, k,
                                 q, th);
                        check_batch(&d, &P, &v, b, &o, what);
                        lm_results_free(b);
                    }
            lm_engine_free(e);
            lm_policy_free(pol);
        }
        lm_snapshot_free(s);
        lm_pool_free(p);
        tu_free(&d);
    }
}

/* Explain names the new constraints, and every result path carries the kind. */
Test(needs, explain_constraints_and_kinds) {
    tu_data d;
    tu_generate(&d, 9, 1, 5, 2, 1.0);
    /* one candidate in municipality 1, every other filter passing */
    d.c_org[0] = 1; d.c_scope[0] = LM_SCOPE_NATIONAL; d.c_muni[0] = 1; d.c_groups[0] = LM_GROUP_WW;
    d.c_ready[0] = 1; d.c_lw[0] = 100; d.c_flags[0] = 7; d.c_hmin[0] = 0; d.c_hmax[0] = 40; d.c_maxmin[0] = 0;
    d.c_modes[0] = LM_MODES_ALL; d.c_avail[0] = 0; d.c_lat[0] = 52.3; d.c_lon[0] = 4.9;
    d.c_vec[0] = 1; d.c_vec[1] = 0;
    d.c_needs[0] = LM_NEED_JOB_COACH | LM_NEED_ACCESSIBLE;
    for (size_t j = 0; j < 5; j++) {
        d.v_muni[j] = 1; d.v_acc[j] = LM_GROUP_KNOWN; d.v_maxready[j] = 5; d.v_minlw[j] = 0; d.v_req[j] = 0;
        d.v_hmin[j] = 0; d.v_hmax[j] = 40; d.v_slots[j] = 1; d.v_open[j] = 1000; d.v_lat[j] = 52.31; d.v_lon[j] = 4.9;
        d.v_vec[2 * j] = 1; d.v_vec[2 * j + 1] = 0.1f; d.v_w[2 * j] = d.v_w[2 * j + 1] = 1;
        d.v_offers[j] = LM_NEED_JOB_COACH | LM_NEED_ACCESSIBLE | LM_NEED_SUPERVISION;
        d.v_kind[j] = (uint8_t)j;
    }
    d.v_offers[1] = LM_NEED_JOB_COACH;               /* 1: a need not offered */
    d.v_muni[2] = 2;                                  /* 2: another municipality */
    d.v_vec[6] = 0; d.v_vec[7] = 1;                   /* 3: orthogonal: competence 0 */
    d.v_acc[4] = LM_GROUP_ALL;                        /* 4: 1.0's six groups, from a 1.2 caller: not WW */
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_policy *pol;
    lm_policy_create(&pol);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_MIN_COMPETENCE, 0.3), LM_OK);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_LOCAL_ONLY, 1), LM_OK);
    lm_engine *e;
    lm_engine_create(&e, pol, NULL);
    lm_viewer v = viewer(1, 1, 1);
    const int want[5] = {LM_CONSTRAINT_NONE, LM_CONSTRAINT_NEEDS, LM_CONSTRAINT_LOCAL_ONLY,
                         LM_CONSTRAINT_MIN_COMPETENCE, LM_CONSTRAINT_TARGET_GROUP};
    for (size_t j = 0; j < 5; j++) {
        lm_match m;
        cr_assert_eq(lm_engine_explain(&m, sizeof m, e, s, &v, d.v_id[j], d.c_id[0]), LM_OK);
        cr_assert_eq(m.constraint, want[j], "vacancy %zu: constraint %d, want %d", j, m.constraint, want[j]);
        cr_assert_eq(m.vacancy_kind, (int32_t)j, "explain carries the kind");
    }
    /* off: the same pairs pass (2 and 3), and a 1.1 element size never sees the kind */
    lm_policy_set_f64(pol, LM_POLICY_MIN_COMPETENCE, 0);
    lm_policy_set_f64(pol, LM_POLICY_MIN_SCORE, 0);
    lm_policy_set_f64(pol, LM_POLICY_LOCAL_ONLY, 0);
    lm_engine_set_policy(e, pol);
    for (size_t j = 2; j <= 3; j++) {
        lm_match m;
        cr_assert_eq(lm_engine_explain(&m, sizeof m, e, s, &v, d.v_id[j], d.c_id[0]), LM_OK);
        cr_assert_eq(m.constraint, LM_CONSTRAINT_NONE, "vacancy %zu without the floor and local-only", j);
    }
    unsigned char buf[sizeof(lm_match) + 8];
    memset(buf, 0xAB, sizeof buf);
    size_t size_1_1 = offsetof(lm_match, failed);
    cr_assert_eq(lm_engine_explain((lm_match *)(void *)buf, size_1_1, e, s, &v, d.v_id[3], d.c_id[0]), LM_OK);
    for (size_t b = size_1_1; b < sizeof buf; b++) cr_assert_eq(buf[b], 0xAB, "byte %zu past a 1.1 element written", b);
    /* batch, queries and the assignment carry the kind */
    lm_results *b;
    cr_assert_eq(lm_engine_batch(&b, e, s, &v, NULL), LM_OK);
    lm_match rows[8];
    size_t n = 0;
    cr_assert_eq(lm_results_copy(rows, sizeof rows[0], 8, &n, b, LM_DIR_CANDIDATE, 0), LM_OK);
    cr_assert_eq(n, 3, "vacancies 0, 2, 3 are feasible");
    for (size_t q = 0; q < n; q++)
        cr_assert_eq(rows[q].vacancy_kind, (int32_t)d.v_kind[find_id(d.v_id, 5, rows[q].vacancy_id)]);
    lm_assignment *a;
    cr_assert_eq(lm_engine_assign(&a, e, b, NULL), LM_OK, "%s", lm_engine_errmsg(e));
    cr_assert_eq(lm_assignment_copy(rows, sizeof rows[0], 8, &n, a, 0), LM_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(rows[0].vacancy_kind, (int32_t)d.v_kind[find_id(d.v_id, 5, rows[0].vacancy_id)]);
    lm_assignment_free(a);
    lm_results_free(b);
    lm_results *r;
    cr_assert_eq(lm_engine_query_vacancy(&r, e, s, &v, d.v_id[3], 5), LM_OK);
    cr_assert_eq(lm_results_copy(rows, sizeof rows[0], 8, &n, r, LM_DIR_VACANCY, 0), LM_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(rows[0].vacancy_kind, 3);
    lm_results_free(r);
    lm_engine_free(e);
    lm_policy_free(pol);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

/* Bad input: specific statuses, the pool and the policy unchanged. */
Test(needs, bad_input) {
    tu_data d;
    tu_generate(&d, 5, 4, 4, 3, 1.0);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s0;
    lm_pool_snapshot(&s0, p);
    uint64_t v0 = lm_snapshot_version(s0);
    lm_snapshot_free(s0);
    lm_vacancy_cols v = tu_vcols(&d, 0);
    d.v_kind[2] = LM_KIND_COUNT; /* 6 */
    cr_assert_eq(lm_pool_upsert_vacancies(p, &v, d.nv), LM_ERR_RANGE);
    cr_assert(strstr(lm_pool_errmsg(p), "kind 6"), "%s", lm_pool_errmsg(p));
    d.v_kind[2] = LM_KIND_DETACHERING;
    d.v_acc[1] = 1u << 9; /* a group this version does not know */
    cr_assert_eq(lm_pool_upsert_vacancies(p, &v, d.nv), LM_ERR_RANGE);
    cr_assert(strstr(lm_pool_errmsg(p), "accepted groups"), "%s", lm_pool_errmsg(p));
    d.v_acc[1] = LM_GROUP_JONGERE;
    lm_candidate_cols c = tu_ccols(&d, 0);
    d.c_groups[3] = LM_GROUP_WW | (1u << 12);
    cr_assert_eq(lm_pool_upsert_candidates(p, &c, d.nc), LM_ERR_RANGE);
    cr_assert(strstr(lm_pool_errmsg(p), "target groups"), "%s", lm_pool_errmsg(p));
    lm_snapshot *s1;
    lm_pool_snapshot(&s1, p);
    cr_assert_eq(lm_snapshot_version(s1), v0, "nothing changed");
    lm_snapshot_free(s1);
    /* the new groups and any host-defined need bit are accepted */
    d.c_groups[3] = LM_GROUP_WW | LM_GROUP_WAJONG | LM_GROUP_JONGERE | LM_GROUP_BIJSTAND;
    d.c_needs[3] = ~0ull;
    cr_assert_eq(lm_pool_upsert_candidates(p, &c, d.nc), LM_OK, "%s", lm_pool_errmsg(p));
    cr_assert_eq(lm_pool_upsert_vacancies(p, &v, d.nv), LM_OK, "%s", lm_pool_errmsg(p));

    lm_policy *pol;
    lm_policy_create(&pol);
    double x;
    cr_assert_eq(lm_policy_get_f64(&x, pol, LM_POLICY_MIN_COMPETENCE), LM_OK);
    cr_assert_eq(x, TU_DEFAULT_MIN_COMPETENCE, "the documented default");
    cr_assert_eq(lm_policy_get_f64(&x, pol, LM_POLICY_MIN_SCORE), LM_OK);
    cr_assert_eq(x, TU_DEFAULT_MIN_SCORE, "the documented default");
    cr_assert_eq(lm_policy_get_f64(&x, pol, LM_POLICY_LOCAL_ONLY), LM_OK);
    cr_assert_eq(x, 0);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_MIN_COMPETENCE, 0.35), LM_OK);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_MIN_COMPETENCE, NAN), LM_ERR_NONFINITE);
    cr_assert(strstr(lm_policy_errmsg(pol), "min_competence"), "%s", lm_policy_errmsg(pol));
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_MIN_COMPETENCE, -0.1), LM_ERR_RANGE);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_MIN_COMPETENCE, 1.5), LM_ERR_RANGE);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_MIN_COMPETENCE, INFINITY), LM_ERR_NONFINITE);
    lm_policy_get_f64(&x, pol, LM_POLICY_MIN_COMPETENCE);
    cr_assert_eq(x, 0.35, "unchanged by the refused values");
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_LOCAL_ONLY, 1), LM_OK);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_LOCAL_ONLY, 2), LM_ERR_RANGE);
    cr_assert(strstr(lm_policy_errmsg(pol), "local_only"), "%s", lm_policy_errmsg(pol));
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_LOCAL_ONLY, 0.5), LM_ERR_RANGE);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_LOCAL_ONLY, NAN), LM_ERR_NONFINITE);
    lm_policy_get_f64(&x, pol, LM_POLICY_LOCAL_ONLY);
    cr_assert_eq(x, 1);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_KEYS, 0), LM_ERR_RANGE);
    cr_assert_eq(lm_policy_get_f64(&x, pol, LM_POLICY_KEYS), LM_ERR_RANGE);
    cr_assert_eq(LM_POLICY_KEYS, 17);
    cr_assert_eq(LM_POLICY_KEY_COUNT, 10, "frozen at 1.0's");
    lm_policy_free(pol);
    lm_pool_free(p);
    tu_free(&d);
}

/* Column structs of the 1.0/1.1 size: the 1.2 fields are not read (here they
 * hold pointers that must never be followed), their defaults apply, and a
 * vacancy's LM_GROUP_ALL means every group, WW included. From a 1.2 caller
 * LM_GROUP_ALL is the six groups of 1.0; NULL is every group. */
Test(needs, old_struct_sizes) {
    tu_data d;
    tu_generate(&d, 11, 1, 3, 2, 1.0);
    d.c_org[0] = 1; d.c_scope[0] = LM_SCOPE_NATIONAL; d.c_groups[0] = LM_GROUP_WW; d.c_ready[0] = 1;
    d.c_lw[0] = 100; d.c_hmin[0] = 0; d.c_hmax[0] = 40; d.c_maxmin[0] = 0; d.c_modes[0] = LM_MODES_ALL;
    d.c_avail[0] = 0; d.c_lat[0] = 52.3; d.c_lon[0] = 4.9; d.c_flags[0] = 7;
    for (size_t j = 0; j < 3; j++) {
        d.v_acc[j] = LM_GROUP_ALL; d.v_maxready[j] = 5; d.v_minlw[j] = 0; d.v_req[j] = 0; d.v_hmin[j] = 0;
        d.v_hmax[j] = 40; d.v_slots[j] = 1; d.v_open[j] = 1000; d.v_lat[j] = 52.31; d.v_lon[j] = 4.9;
    }
    lm_pool *p;
    cr_assert_eq(lm_pool_create(&p, 2), LM_OK);
    lm_candidate_cols c = tu_ccols(&d, 0);
    c.needs = (const uint64_t *)(uintptr_t)16; /* never read */
    c.struct_size = offsetof(lm_candidate_cols, needs) - 8;
    cr_assert_eq(lm_pool_add_candidates(p, &c, 1), LM_ERR_INVALID, "smaller than 1.0's");
    c.struct_size = offsetof(lm_candidate_cols, needs);
    cr_assert_eq(lm_pool_add_candidates(p, &c, 1), LM_OK, "%s", lm_pool_errmsg(p));
    lm_vacancy_cols v = tu_vcols(&d, 0);
    v.offers = (const uint64_t *)(uintptr_t)16;
    v.kind = (const uint8_t *)(uintptr_t)16;
    v.struct_size = offsetof(lm_vacancy_cols, offers);
    cr_assert_eq(lm_pool_add_vacancies(p, &v, 1), LM_OK, "%s", lm_pool_errmsg(p)); /* 0: an old 'open to all' */
    v = tu_vcols(&d, 1);
    cr_assert_eq(lm_pool_add_vacancies(p, &v, 1), LM_OK); /* 1: LM_GROUP_ALL from a 1.2 caller */
    v = tu_vcols(&d, 2);
    v.accepted_groups = NULL;
    cr_assert_eq(lm_pool_add_vacancies(p, &v, 1), LM_OK); /* 2: NULL */
    /* the same through the one-change sync path (lm_db_sync) */
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_engine *e;
    lm_policy *pol;
    lm_policy_create(&pol);
    lm_policy_set_f64(pol, LM_POLICY_MIN_COMPETENCE, 0);
    lm_policy_set_f64(pol, LM_POLICY_MIN_SCORE, 0);
    lm_engine_create(&e, pol, NULL);
    lm_viewer vw = viewer(1, 0, 0);
    const int want[3] = {LM_CONSTRAINT_NONE, LM_CONSTRAINT_TARGET_GROUP, LM_CONSTRAINT_NONE};
    for (size_t j = 0; j < 3; j++) {
        lm_match m;
        cr_assert_eq(lm_engine_explain(&m, sizeof m, e, s, &vw, d.v_id[j], d.c_id[0]), LM_OK);
        cr_assert_eq(m.constraint, want[j], "vacancy %zu: %d", j, m.constraint);
        if (j == 0) cr_assert_eq(m.vacancy_kind, LM_KIND_REGULAR, "the kind's default");
    }
    lm_engine_free(e);
    lm_policy_free(pol);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

/* The municipal-only run equals a brute-force restriction: on a small pool,
 * its batch lists are those of one pool per municipality (its own people and
 * vacancies) without the policy, score for score, and the assignment of the
 * run decomposes into theirs (same total objective). */
Test(needs, local_only_equals_restriction) {
    tu_data d;
    tu_generate(&d, 321, 240, 120, 8, 0.9);
    tu_add_needs(&d, 5, 0.2);
    for (size_t i = 0; i < d.nc; i++) d.c_scope[i] = LM_SCOPE_NATIONAL;
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_policy *pol;
    lm_policy_create(&pol);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_LOCAL_ONLY, 1), LM_OK);
    lm_engine *e;
    lm_engine_create(&e, pol, NULL);
    lm_viewer v = viewer(1, 0, 0);
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.k_candidates = 5;
    o.k_vacancies = 3;
    lm_results *all;
    cr_assert_eq(lm_engine_batch(&all, e, s, &v, &o), LM_OK);
    lm_assignment *aall;
    cr_assert_eq(lm_engine_assign(&aall, e, all, NULL), LM_OK, "%s", lm_engine_errmsg(e));
    double obj_all, obj_sum = 0;
    lm_assignment_stat(&obj_all, aall, LM_ASTAT_OBJECTIVE_SCALED);
    lm_policy_set_f64(pol, LM_POLICY_LOCAL_ONLY, 0);
    lm_engine_set_policy(e, pol);
    size_t checked = 0;
    for (int32_t muni = 1; muni <= 6; muni++) {
        /* the municipality's rows only */
        tu_data m = d;
        size_t *ci = malloc(d.nc * sizeof *ci), *vi = malloc(d.nv * sizeof *vi), nc = 0, nv = 0;
        for (size_t i = 0; i < d.nc; i++)
            if (d.c_muni[i] == muni) ci[nc++] = i;
        for (size_t j = 0; j < d.nv; j++)
            if (d.v_muni[j] == muni) vi[nv++] = j;
        if (!nc || !nv) {
            free(ci);
            free(vi);
            continue;
        }
        lm_pool *pm;
        lm_pool_create(&pm, d.dim);
        for (size_t q = 0; q < nc; q++) {
            lm_candidate_cols c = tu_ccols(&d, ci[q]);
            cr_assert_eq(lm_pool_add_candidates(pm, &c, 1), LM_OK);
        }
        for (size_t q = 0; q < nv; q++) {
            lm_vacancy_cols vc = tu_vcols(&d, vi[q]);
            cr_assert_eq(lm_pool_add_vacancies(pm, &vc, 1), LM_OK);
        }
        (void)m;
        lm_snapshot *sm;
        lm_pool_snapshot(&sm, pm);
        lm_results *rm;
        cr_assert_eq(lm_engine_batch(&rm, e, sm, &v, &o), LM_OK);
        /* every list of the sub-pool equals the same list of the municipal-only run */
        for (int dir = 0; dir < 2; dir++) {
            size_t nlm, nla;
            lm_results_lists(&nlm, rm, dir);
            lm_results_lists(&nla, all, dir);
            for (size_t l = 0; l < nlm; l++) {
                int64_t id, id2;
                size_t f, len, f2 = 0, len2 = 0;
                lm_results_list(&id, &f, &len, rm, dir, l);
                size_t la = SIZE_MAX;
                for (size_t q = 0; q < nla && la == SIZE_MAX; q++) {
                    lm_results_list(&id2, &f2, &len2, all, dir, q);
                    if (id2 == id) la = q;
                }
                cr_assert_neq(la, SIZE_MAX, "list %lld in the municipal-only run", (long long)id);
                cr_assert_eq(len, len2, "muni %d dir %d list %lld: %zu vs %zu rows", muni, dir, (long long)id, len, len2);
                lm_match a[16], b[16];
                size_t na, nb;
                lm_results_copy(a, sizeof a[0], len, &na, rm, dir, f);
                lm_results_copy(b, sizeof b[0], len2, &nb, all, dir, f2);
                for (size_t q = 0; q < len; q++) {
                    cr_assert_eq(a[q].vacancy_id, b[q].vacancy_id);
                    cr_assert_eq(a[q].candidate_id, b[q].candidate_id);
                    cr_assert_eq(a[q].score, b[q].score);
                    checked++;
                }
            }
        }
        lm_assignment *am;
        cr_assert_eq(lm_engine_assign(&am, e, rm, NULL), LM_OK);
        double obj;
        lm_assignment_stat(&obj, am, LM_ASTAT_OBJECTIVE_SCALED);
        obj_sum += obj;
        lm_assignment_free(am);
        lm_results_free(rm);
        lm_snapshot_free(sm);
        lm_pool_free(pm);
        free(ci);
        free(vi);
    }
    cr_assert(checked > 100, "%zu rows compared", checked);
    cr_assert_eq(obj_all, obj_sum, "the municipal-only assignment is the sum of the municipalities' (%.0f vs %.0f)",
                 obj_all, obj_sum);
    lm_assignment_free(aall);
    lm_results_free(all);
    lm_engine_free(e);
    lm_policy_free(pol);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}
