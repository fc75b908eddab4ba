/* Visibility property tests (docs/hardening.md): over random pools, viewers
 * and scopes, no query, batch, explanation, error message or assignment ever
 * exposes a candidate outside the viewer's scope.
 *
 * Two kinds of property:
 *   - direct: every candidate in any output is visible to the viewer (rule of
 *     core.h, re-implemented in hard_util.h); an invisible candidate gives
 *     LM_ERR_UNKNOWN_ID with the same message as a missing id, modulo the id;
 *   - non-interference: the viewer's outputs on pool P equal (field by field)
 *     those on P' = P without every candidate the viewer may not see. So the
 *     invisible candidates cannot influence anything the viewer receives:
 *     rows, scores, ranks, list counts, the feasible-pair count, messages,
 *     the assignment and its objective.
 * Plus output hygiene: copied rows carry no uninitialised bytes (struct
 * padding) from the library's stack. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "hard_util.h"

#define NSEEDS 3
#define NVIEWERS 12
#define NC 150
#define NV 24
#define DIM 6
#define MISSING 7777777777777LL

typedef struct world {
    hu_data d;
    lm_pool *pool;
    lm_snapshot *snap;
    lm_engine *eng;
} world;

static void world_make(world *w, const hu_data *src, const lm_viewer *only_visible_to) {
    memset(w, 0, sizeof *w);
    w->d = *src;
    cr_assert_eq(lm_pool_create(&w->pool, src->dim), LM_OK);
    lm_candidate_cols c = hu_ccols(src, 0);
    lm_vacancy_cols v = hu_vcols(src, 0);
    if (only_visible_to) {
        /* P': the same batch without the rows the viewer may not see */
        hu_data f;
        hu_generate(&f, 1, src->nc, 0, src->dim, 1); /* buffers of the right sizes */
        size_t k = 0;
        for (size_t i = 0; i < src->nc; i++) {
            if (!hu_visible(only_visible_to, src->c_org[i], src->c_muni[i], src->c_region[i], src->c_scope[i])) continue;
            f.c_id[k] = src->c_id[i]; f.c_org[k] = src->c_org[i]; f.c_muni[k] = src->c_muni[i];
            f.c_region[k] = src->c_region[i]; f.c_zone[k] = src->c_zone[i]; f.c_avail[k] = src->c_avail[i];
            f.c_lat[k] = src->c_lat[i]; f.c_lon[k] = src->c_lon[i]; f.c_groups[k] = src->c_groups[i];
            f.c_ready[k] = src->c_ready[i]; f.c_modes[k] = src->c_modes[i]; f.c_scope[k] = src->c_scope[i];
            f.c_lw[k] = src->c_lw[i]; f.c_hmin[k] = src->c_hmin[i]; f.c_hmax[k] = src->c_hmax[i];
            f.c_maxmin[k] = src->c_maxmin[i]; f.c_prio[k] = src->c_prio[i]; f.c_flags[k] = src->c_flags[i];
            memcpy(f.c_vec + k * src->dim, src->c_vec + i * src->dim, src->dim * sizeof(float));
            k++;
        }
        lm_candidate_cols cf = hu_ccols(&f, 0);
        if (k) cr_assert_eq(lm_pool_add_candidates(w->pool, &cf, k), LM_OK, "%s", lm_pool_errmsg(w->pool));
        hu_free(&f);
    } else {
        cr_assert_eq(lm_pool_add_candidates(w->pool, &c, src->nc), LM_OK, "%s", lm_pool_errmsg(w->pool));
    }
    cr_assert_eq(lm_pool_add_vacancies(w->pool, &v, src->nv), LM_OK, "%s", lm_pool_errmsg(w->pool));
    cr_assert_eq(lm_pool_snapshot(&w->snap, w->pool), LM_OK);
    cr_assert_eq(lm_engine_create(&w->eng, NULL, NULL), LM_OK);
}

static void world_free(world *w) {
    lm_engine_free(w->eng);
    lm_snapshot_free(w->snap);
    lm_pool_free(w->pool);
}

static int visible_id(const hu_data *d, const lm_viewer *v, int64_t cid) {
    for (size_t i = 0; i < d->nc; i++)
        if (d->c_id[i] == cid) return hu_visible(v, d->c_org[i], d->c_muni[i], d->c_region[i], d->c_scope[i]);
    cr_assert_fail("candidate id %lld is not in the pool at all", (long long)cid);
    return 0;
}

static void subst(char *out, size_t cap, const char *s, long long from, long long to) {
    char f[32], t[32];
    snprintf(f, sizeof f, "%lld", from);
    snprintf(t, sizeof t, "%lld", to);
    size_t fl = strlen(f), tl = strlen(t), o = 0;
    while (*s && o + 1 < cap) {
        if (strncmp(s, f, fl) == 0) {
            for (size_t k = 0; k < tl && o + 1 < cap; k++) out[o++] = t[k];
            s += fl;
        } else {
            out[o++] = *s++;
        }
    }
    out[o] = 0;
}

static int same_match(const lm_match *a, const lm_match *b) {
    return a->vacancy_id == b->vacancy_id && a->candidate_id == b->candidate_id && a->rank == b->rank &&
           a->constraint == b->constraint && a->score == b->score && a->competence == b->competence &&
           a->travel == b->travel && a->hours == b->hours && a->readiness == b->readiness &&
           a->priority == b->priority && a->travel_minutes == b->travel_minutes && a->travel_mode == b->travel_mode &&
           a->candidate_municipality == b->candidate_municipality && a->vacancy_municipality == b->vacancy_municipality;
}

/* All rows of both directions; checks each candidate is visible. */
static size_t rows_of(const lm_results *r, lm_match **out, const hu_data *d, const lm_viewer *v, const char *what) {
    size_t n0 = 0, n1 = 0;
    lm_results_count(&n0, r, LM_DIR_VACANCY);
    lm_results_count(&n1, r, LM_DIR_CANDIDATE);
    lm_match *m = calloc(n0 + n1 + 1, sizeof *m);
    size_t got = 0;
    if (n0) cr_assert_eq(lm_results_copy(m, sizeof *m, n0, &got, r, LM_DIR_VACANCY, 0), LM_OK);
    if (n1) cr_assert_eq(lm_results_copy(m + n0, sizeof *m, n1, &got, r, LM_DIR_CANDIDATE, 0), LM_OK);
    for (size_t i = 0; i < n0 + n1; i++)
        cr_assert(visible_id(d, v, m[i].candidate_id), "%s: row %zu shows candidate %lld, invisible to viewer org %lld "
                  "muni %d region %d", what, i, (long long)m[i].candidate_id, (long long)v->org, v->municipality,
                  v->region);
    /* list ids of the candidate direction are visible too */
    size_t nl = 0;
    lm_results_lists(&nl, r, LM_DIR_CANDIDATE);
    for (size_t i = 0; i < nl; i++) {
        int64_t id;
        lm_results_list(&id, NULL, NULL, r, LM_DIR_CANDIDATE, i);
        cr_assert(visible_id(d, v, id), "%s: a list for invisible candidate %lld", what, (long long)id);
    }
    *out = m;
    return n0 + n1;
}

static void expect_same_results(const lm_results *a, const lm_results *b, const hu_data *d, const lm_viewer *v,
                                const char *what) {
    lm_match *ma, *mb;
    size_t na = rows_of(a, &ma, d, v, what), nb = rows_of(b, &mb, d, v, what);
    cr_expect_eq(na, nb, "%s: %zu rows on the full pool, %zu without the invisible candidates", what, na, nb);
    for (size_t i = 0; i < na && i < nb; i++)
        cr_expect(same_match(&ma[i], &mb[i]), "%s: row %zu differs: candidate %lld score %.9g vs candidate %lld score %.9g",
                  what, i, (long long)ma[i].candidate_id, (double)ma[i].score, (long long)mb[i].candidate_id,
                  (double)mb[i].score);
    for (int dir = 0; dir < 2; dir++) {
        size_t la = 0, lb = 0;
        lm_results_lists(&la, a, dir);
        lm_results_lists(&lb, b, dir);
        cr_expect_eq(la, lb, "%s: list count of direction %d", what, dir);
    }
    double fa = -1, fb = -2;
    lm_results_stat(&fa, a, LM_STAT_PAIRS_FEASIBLE);
    lm_results_stat(&fb, b, LM_STAT_PAIRS_FEASIBLE);
    cr_expect_eq(fa, fb, "%s: LM_STAT_PAIRS_FEASIBLE is %g on the full pool but %g without the invisible candidates "
                 "(the count depends on candidates the viewer may not see)", what, fa, fb);
    free(ma);
    free(mb);
}

static lm_viewer random_viewer(uint64_t *s) {
    lm_viewer v = LM_VIEWER_INIT;
    v.org = hu_int(s, 1, 5); /* 5 owns nothing */
    v.municipality = hu_int(s, 0, 6);
    v.region = hu_int(s, 0, 2);
    return v;
}

Test(visibility, outputs_never_expose_invisible_candidates, .timeout = 600) {
    for (int seed = 1; seed <= NSEEDS; seed++) {
        hu_data d;
        hu_generate(&d, (uint64_t)seed * 101, NC, NV, DIM, 4);
        world P;
        world_make(&P, &d, NULL);
        uint64_t s = (uint64_t)seed;
        for (int vi = 0; vi < NVIEWERS; vi++) {
            lm_viewer v = random_viewer(&s);
            world Q; /* the pool without what v may not see */
            world_make(&Q, &d, &v);
            char ctx[96];
            snprintf(ctx, sizeof ctx, "seed %d viewer org %lld muni %d region %d", seed, (long long)v.org,
                     v.municipality, v.region);

            /* queries per vacancy */
            for (size_t j = 0; j < d.nv; j++) {
                lm_results *a = NULL, *b = NULL;
                cr_assert_eq(lm_engine_query_vacancy(&a, P.eng, P.snap, &v, d.v_id[j], 15), LM_OK);
                cr_assert_eq(lm_engine_query_vacancy(&b, Q.eng, Q.snap, &v, d.v_id[j], 15), LM_OK);
                expect_same_results(a, b, &d, &v, ctx);
                lm_results_free(a);
                lm_results_free(b);
            }
            /* queries per candidate, explanations, messages */
            char missing_q[300], missing_e[300];
            lm_results *r = NULL;
            cr_assert_eq(lm_engine_query_candidate(&r, P.eng, P.snap, &v, MISSING, 5), LM_ERR_UNKNOWN_ID);
            snprintf(missing_q, sizeof missing_q, "%s", lm_engine_errmsg(P.eng));
            lm_match m;
            cr_assert_eq(lm_engine_explain(&m, sizeof m, P.eng, P.snap, &v, d.v_id[0], MISSING), LM_ERR_UNKNOWN_ID);
            snprintf(missing_e, sizeof missing_e, "%s", lm_engine_errmsg(P.eng));
            for (size_t i = 0; i < d.nc; i++) {
                int vis = hu_visible(&v, d.c_org[i], d.c_muni[i], d.c_region[i], d.c_scope[i]);
                lm_results *a = NULL, *b = NULL;
                int st = lm_engine_query_candidate(&a, P.eng, P.snap, &v, d.c_id[i], 5);
                char want[300];
                if (!vis) {
                    cr_assert_eq(st, LM_ERR_UNKNOWN_ID, "%s: query of invisible candidate %lld: %d", ctx,
                                 (long long)d.c_id[i], st);
                    cr_assert_null(a);
                    subst(want, sizeof want, missing_q, MISSING, d.c_id[i]);
                    cr_assert_str_eq(lm_engine_errmsg(P.eng), want, "%s: the message tells an invisible candidate "
                                     "from a missing one", ctx);
                } else {
                    cr_assert_eq(st, LM_OK, "%s: %s", ctx, lm_engine_errmsg(P.eng));
                    cr_assert_eq(lm_engine_query_candidate(&b, Q.eng, Q.snap, &v, d.c_id[i], 5), LM_OK);
                    expect_same_results(a, b, &d, &v, ctx);
                }
                lm_results_free(a);
                lm_results_free(b);
                for (size_t j = 0; j < d.nv; j += 3) {
                    lm_match x, y;
                    st = lm_engine_explain(&x, sizeof x, P.eng, P.snap, &v, d.v_id[j], d.c_id[i]);
                    if (!vis) {
                        cr_assert_eq(st, LM_ERR_UNKNOWN_ID, "%s: explanation of an invisible candidate", ctx);
                        subst(want, sizeof want, missing_e, MISSING, d.c_id[i]);
                        cr_assert_str_eq(lm_engine_errmsg(P.eng), want, "%s: explain message", ctx);
                        /* with a missing vacancy, the message must not depend on the candidate either */
                        cr_assert_eq(lm_engine_explain(&x, sizeof x, P.eng, P.snap, &v, MISSING, d.c_id[i]),
                                     LM_ERR_UNKNOWN_ID);
                        subst(want, sizeof want, lm_engine_errmsg(P.eng), d.c_id[i], d.c_id[(i + 1) % d.nc]);
                        lm_engine_explain(&x, sizeof x, P.eng, P.snap, &v, MISSING, d.c_id[(i + 1) % d.nc]);
                        cr_assert_str_eq(lm_engine_errmsg(P.eng), want, "%s: explain message, missing vacancy", ctx);
                    } else {
                        cr_assert_eq(st, LM_OK);
                        cr_assert_neq(x.constraint, LM_CONSTRAINT_VISIBILITY);
                        cr_assert_eq(lm_engine_explain(&y, sizeof y, Q.eng, Q.snap, &v, d.v_id[j], d.c_id[i]), LM_OK);
                        cr_expect(same_match(&x, &y), "%s: explanation differs without the invisible candidates", ctx);
                    }
                }
            }
            /* the batch, both directions, and the assignment over it */
            lm_batch_options o = LM_BATCH_OPTIONS_INIT;
            o.k_candidates = 6;
            o.k_vacancies = 4;
            lm_results *a = NULL, *b = NULL;
            cr_assert_eq(lm_engine_batch(&a, P.eng, P.snap, &v, &o), LM_OK);
            cr_assert_eq(lm_engine_batch(&b, Q.eng, Q.snap, &v, &o), LM_OK);
            expect_same_results(a, b, &d, &v, ctx);
            lm_assignment *x = NULL, *y = NULL;
            lm_assign_options ao = LM_ASSIGN_OPTIONS_INIT;
            ao.max_per_candidate = 2;
            ao.fairness_floor = 0.5;
            cr_assert_eq(lm_engine_assign(&x, P.eng, a, &ao), LM_OK, "%s", lm_engine_errmsg(P.eng));
            cr_assert_eq(lm_engine_assign(&y, Q.eng, b, &ao), LM_OK, "%s", lm_engine_errmsg(Q.eng));
            size_t nx = 0, ny = 0;
            lm_assignment_count(&nx, x);
            lm_assignment_count(&ny, y);
            cr_expect_eq(nx, ny, "%s: assignment size", ctx);
            double ox = 0, oy = 0;
            lm_assignment_stat(&ox, x, LM_ASTAT_OBJECTIVE_SCALED);
            lm_assignment_stat(&oy, y, LM_ASTAT_OBJECTIVE_SCALED);
            cr_expect_eq(ox, oy, "%s: assignment objective", ctx);
            for (size_t i = 0; i < nx; i++) {
                lm_match p, q;
                cr_assert_eq(lm_assignment_copy(&p, sizeof p, 1, NULL, x, i), LM_OK);
                cr_assert(visible_id(&d, &v, p.candidate_id), "%s: proposal for invisible candidate %lld", ctx,
                          (long long)p.candidate_id);
                if (i < ny) {
                    lm_assignment_copy(&q, sizeof q, 1, NULL, y, i);
                    cr_expect(same_match(&p, &q), "%s: proposal %zu differs", ctx, i);
                }
            }
            size_t ng = 0;
            lm_assignment_groups(NULL, sizeof(lm_group_report), 0, &ng, x);
            lm_group_report *g = calloc(ng + 1, sizeof *g);
            lm_assignment_groups(g, sizeof *g, ng, &ng, x);
            for (size_t i = 0; i < ng; i++) {
                /* a municipality's "eligible" count is over visible people only */
                uint32_t vis = 0;
                for (size_t k = 0; k < d.nc; k++)
                    vis += d.c_muni[k] == g[i].group &&
                           hu_visible(&v, d.c_org[k], d.c_muni[k], d.c_region[k], d.c_scope[k]);
                cr_expect_leq(g[i].eligible, vis, "%s: municipality %d reports %u eligible people, only %u visible",
                              ctx, g[i].group, g[i].eligible, vis);
            }
            free(g);
            lm_assignment_free(x);
            lm_assignment_free(y);
            lm_results_free(a);
            lm_results_free(b);
            world_free(&Q);
        }
        world_free(&P);
        hu_free(&d);
    }
}

/* ---- output hygiene ------------------------------------------------------------------ */
static volatile unsigned char sink;
__attribute__((noinline)) static void dirty_stack(void) {
    volatile unsigned char buf[16384];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = 0xA5;
    sink = buf[100];
}

static void expect_clean_padding(const unsigned char *m, const char *what) {
    size_t end = offsetof(lm_match, loonwaarde_gap) + sizeof(float); /* the last field (since 1.2.0) */
    cr_expect_eq(((const lm_match *)(const void *)m)->reserved, 0, "%s: reserved is not 0", what);
    for (size_t b = end; b < sizeof(lm_match); b++)
        cr_expect_eq(m[b], 0, "%s: padding byte %zu of lm_match is 0x%02x: uninitialised library memory copied out",
                     what, b, m[b]);
}

Test(visibility, copied_rows_carry_no_stack_bytes) {
    hu_data d;
    hu_generate(&d, 5, 40, 8, DIM, 2);
    world P;
    world_make(&P, &d, NULL);
    lm_viewer v = LM_VIEWER_INIT;
    v.org = 1;
    lm_results *r = NULL;
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    cr_assert_eq(lm_engine_batch(&r, P.eng, P.snap, &v, &o), LM_OK);
    unsigned char buf[sizeof(lm_match)];
    dirty_stack();
    memset(buf, 0xEE, sizeof buf);
    cr_assert_eq(lm_results_copy((lm_match *)(void *)buf, sizeof(lm_match), 1, NULL, r, LM_DIR_VACANCY, 0), LM_OK);
    expect_clean_padding(buf, "lm_results_copy");
    lm_assignment *a = NULL;
    cr_assert_eq(lm_engine_assign(&a, P.eng, r, NULL), LM_OK);
    dirty_stack();
    memset(buf, 0xEE, sizeof buf);
    cr_assert_eq(lm_assignment_copy((lm_match *)(void *)buf, sizeof(lm_match), 1, NULL, a, 0), LM_OK);
    expect_clean_padding(buf, "lm_assignment_copy");
    lm_assignment_free(a);
    lm_results_free(r);
    world_free(&P);
    hu_free(&d);
}
