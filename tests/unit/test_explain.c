/* Full explanations (every failing constraint, distances to the limits),
 * the region-wide views (unmatched people, feasible counts) and the policy
 * presets (since 1.2.0). */
#include "testutil.h"

#include "internal.h" /* the visibility bit is only reachable below the API (explain hides invisible people) */

static lm_viewer viewer(int64_t org, int32_t muni, int32_t region) {
    lm_viewer v = LM_VIEWER_INIT;
    v.org = org;
    v.municipality = muni;
    v.region = region;
    return v;
}

/* One candidate and one vacancy, feasible unless a toggle breaks a filter. */
enum { T_GROUP, T_READY, T_LW, T_FLAGS, T_HOURS, T_DATES, T_SLOTS, T_TRAVEL, T_MINSCORE, T_N };
static const int t_constraint[T_N] = {LM_CONSTRAINT_TARGET_GROUP, LM_CONSTRAINT_READINESS, LM_CONSTRAINT_LOONWAARDE,
                                      LM_CONSTRAINT_FLAGS,        LM_CONSTRAINT_HOURS,     LM_CONSTRAINT_DATES,
                                      LM_CONSTRAINT_SLOTS,        LM_CONSTRAINT_TRAVEL,    LM_CONSTRAINT_MIN_SCORE};

typedef struct pair1 {
    int64_t cid, org, vid, emp;
    int32_t cmuni, vmuni, avail, open, slots;
    double clat, clon, vlat, vlon;
    uint32_t groups, acc;
    uint8_t ready, maxr, scope;
    float lw, minlw, chmin, chmax, vhmin, vhmax, maxmin, vec[4], rvec[4];
    uint64_t flags, req;
} pair1;

static pair1 base_pair(void) {
    pair1 p = {.cid = 7, .org = 1, .vid = 9, .emp = 3, .cmuni = 392, .vmuni = 392, .avail = 0, .open = 1000,
               .slots = 1, .clat = 52.38, .clon = 4.64, .vlat = 52.39, .vlon = 4.65, .groups = 1, .acc = 1,
               .ready = 1, .maxr = 5, .scope = LM_SCOPE_NATIONAL, .lw = 100, .minlw = 0, .chmin = 0, .chmax = 40,
               .vhmin = 10, .vhmax = 20, .maxmin = 0, .vec = {1, 0.5f, 0, 0.2f}, .rvec = {1, 0.4f, 0.1f, 0.2f},
               .flags = 0, .req = 0};
    return p;
}

static lm_pool *pool1(const pair1 *p) {
    lm_pool *pool;
    cr_assert_eq(lm_pool_create(&pool, 4), LM_OK);
    lm_candidate_cols c = LM_CANDIDATE_COLS_INIT;
    c.dim = 4;
    c.id = &p->cid; c.owner_org = &p->org; c.municipality = &p->cmuni; c.lat = &p->clat; c.lon = &p->clon;
    c.groups = &p->groups; c.readiness = &p->ready; c.loonwaarde = &p->lw; c.vectors = p->vec; c.flags = &p->flags;
    c.hours_min = &p->chmin; c.hours_max = &p->chmax; c.max_minutes = &p->maxmin; c.available_from = &p->avail;
    c.scope = &p->scope;
    lm_vacancy_cols v = LM_VACANCY_COLS_INIT;
    v.dim = 4;
    v.id = &p->vid; v.employer_id = &p->emp; v.municipality = &p->vmuni; v.lat = &p->vlat; v.lon = &p->vlon;
    v.vectors = p->rvec; v.required_flags = &p->req; v.hours_min = &p->vhmin; v.hours_max = &p->vhmax;
    v.slots = &p->slots; v.accepted_groups = &p->acc; v.min_loonwaarde = &p->minlw; v.max_readiness = &p->maxr;
    v.open_until = &p->open;
    cr_assert_eq(lm_pool_add_candidates(pool, &c, 1), LM_OK, "%s", lm_pool_errmsg(pool));
    cr_assert_eq(lm_pool_add_vacancies(pool, &v, 1), LM_OK, "%s", lm_pool_errmsg(pool));
    return pool;
}

static void apply_toggles(pair1 *p, unsigned set) {
    if (set & 1u << T_GROUP) p->acc = 2;
    if (set & 1u << T_READY) p->ready = 5, p->maxr = 2;
    if (set & 1u << T_LW) p->lw = 50, p->minlw = 80;
    if (set & 1u << T_FLAGS) p->req = 4;
    if (set & 1u << T_HOURS) p->chmin = 0, p->chmax = 8, p->vhmin = 20, p->vhmax = 32;
    if (set & 1u << T_DATES) p->avail = 2000;
    if (set & 1u << T_SLOTS) p->slots = 0;
    if (set & 1u << T_TRAVEL) p->vlat = 53.0, p->maxmin = 60; /* about 70 km north, the person's own limit */
}

static double best_minutes(const pair1 *p) {
    lm_travel *t;
    cr_assert_eq(lm_travel_create(&t), LM_OK);
    double best = INFINITY;
    for (int m = 0; m < LM_MODE_COUNT; m++) {
        double x;
        cr_assert_eq(lm_travel_minutes(&x, t, m, 0, p->clat, p->clon, 0, p->vlat, p->vlon), LM_OK);
        if (x < best) best = x;
    }
    lm_travel_free(t);
    return best;
}

/* Every subset of the nine pair filters reachable through the API: all are
 * reported, the first is named, and the distances are right. */
Test(explain, every_combination_of_failing_filters) {
    lm_viewer v = viewer(1, 392, 0);
    for (unsigned set = 0; set < 1u << T_N; set++) {
        pair1 p = base_pair();
        apply_toggles(&p, set);
        lm_pool *pool = pool1(&p);
        lm_snapshot *s;
        cr_assert_eq(lm_pool_snapshot(&s, pool), LM_OK);
        lm_policy *pol;
        lm_policy_create(&pol);
        if (set & 1u << T_MINSCORE) lm_policy_set_f64(pol, LM_POLICY_MIN_SCORE, 0.99);
        lm_engine *e;
        cr_assert_eq(lm_engine_create(&e, pol, NULL), LM_OK);
        lm_match m;
        cr_assert_eq(lm_engine_explain(&m, sizeof m, e, s, &v, p.vid, p.cid), LM_OK, "%s", lm_engine_errmsg(e));
        uint32_t want = 0;
        int first = LM_CONSTRAINT_NONE;
        for (int t = 0; t < T_N; t++)
            if (set & 1u << t) {
                want |= 1u << t_constraint[t];
                if (!first || t_constraint[t] < first) first = t_constraint[t];
            }
        cr_assert_eq(m.failed, want, "set %#x: failed %#x, want %#x", set, m.failed, want);
        cr_assert_eq(m.constraint, first, "set %#x: constraint %d, want %d", set, m.constraint, first);
        cr_assert_eq(m.score == 0.f, first != LM_CONSTRAINT_NONE, "set %#x: score %f", set, (double)m.score);
        /* distances */
        cr_assert_eq(m.travel_limit, (set & 1u << T_TRAVEL) ? 60.f : 90.f);
        cr_assert_eq(m.travel_limit_own, (set & 1u << T_TRAVEL) ? 1 : 0);
        cr_assert(fabs(m.travel_minutes - best_minutes(&p)) < 1e-3, "set %#x: minutes %f vs %f", set,
                  (double)m.travel_minutes, best_minutes(&p));
        cr_assert_eq(m.travel_minutes > m.travel_limit, (set & 1u << T_TRAVEL) != 0);
        cr_assert_eq(m.hours_gap, (set & 1u << T_HOURS) ? 12.f : 0.f);
        cr_assert_eq(m.loonwaarde_gap, (set & 1u << T_LW) ? 30.f : 0.f);
        /* a 1.0 caller's element is untouched past its size */
        unsigned char buf[sizeof(lm_match) + 8];
        memset(buf, 0xAB, sizeof buf);
        cr_assert_eq(lm_engine_explain((lm_match *)(void *)buf, LM_MATCH_SIZE_1_0, e, s, &v, p.vid, p.cid), LM_OK);
        cr_assert_eq(buf[LM_MATCH_SIZE_1_0], 0xAB);
        lm_engine_free(e);
        lm_policy_free(pol);
        lm_snapshot_free(s);
        lm_pool_free(pool);
    }
}

/* The person's own limit binds only when tighter than the policy's. */
Test(explain, travel_limit_whose) {
    lm_viewer v = viewer(1, 392, 0);
    float own[] = {0, 30, 90, 120};
    float want[] = {90, 30, 90, 90};
    int wown[] = {0, 1, 0, 0};
    for (int k = 0; k < 4; k++) {
        pair1 p = base_pair();
        p.maxmin = own[k];
        lm_pool *pool = pool1(&p);
        lm_snapshot *s;
        lm_pool_snapshot(&s, pool);
        lm_engine *e;
        lm_engine_create(&e, NULL, NULL);
        lm_match m;
        cr_assert_eq(lm_engine_explain(&m, sizeof m, e, s, &v, p.vid, p.cid), LM_OK);
        cr_assert_eq(m.travel_limit, want[k]);
        cr_assert_eq(m.travel_limit_own, wown[k]);
        lm_engine_free(e);
        lm_snapshot_free(s);
        lm_pool_free(pool);
    }
}

/* Visibility joins the bit set like any filter (the evaluator under explain
 * and the views; explain itself reports an invisible person as unknown). */
Test(explain, visibility_bit_internal) {
    for (unsigned set = 0; set < 1u << T_N; set += 37) {
        pair1 p = base_pair();
        apply_toggles(&p, set & ~(1u << T_MINSCORE));
        p.scope = LM_SCOPE_ORG;
        lm_pool *pool = pool1(&p);
        lm_snapshot *s;
        lm_pool_snapshot(&s, pool);
        lm_travel *t;
        lm_travel_create(&t);
        lm_eval_ctx E;
        memset(&E, 0, sizeof E);
        E.snap = s;
        E.LC = &s->layouts->cand;
        E.LV = &s->layouts->vac;
        double pv[LM__POLICY_NKEYS];
        lm__policy_defaults(pv);
        lm__policy_eval(&E.pol, pv);
        E.travel = t;
        E.viewer = viewer(2, 0, 0); /* another organisation; scope ORG */
        lm_match m;
        int c = lm__pair_eval(&E, 0, 0, NAN, NULL, &m);
        cr_assert_eq(c, LM_CONSTRAINT_VISIBILITY);
        uint32_t want = 1u << LM_CONSTRAINT_VISIBILITY;
        for (int k = 0; k < T_MINSCORE; k++)
            if (set & 1u << k) want |= 1u << t_constraint[k];
        cr_assert_eq(m.failed, want, "set %#x: %#x vs %#x", set, m.failed, want);
        lm_travel_free(t);
        lm_snapshot_free(s);
        lm_pool_free(pool);
    }
}

/* The history's constraints join the bit set; the first filter is named first. */
Test(explain, history_bits) {
    /* two people, one vacancy with one slot; person 8 is placed on it, person 7 was rejected 5 days ago */
    pair1 p = base_pair();
    p.chmin = 0, p.chmax = 8, p.vhmin = 20, p.vhmax = 32; /* hours fail for person 7 */
    lm_pool *pool = pool1(&p);
    pair1 q = base_pair();
    q.cid = 8;
    lm_candidate_cols c = LM_CANDIDATE_COLS_INIT;
    c.dim = 4;
    c.id = &q.cid; c.owner_org = &q.org; c.municipality = &q.cmuni; c.lat = &q.clat; c.lon = &q.clon;
    c.groups = &q.groups; c.vectors = q.vec; c.scope = &q.scope;
    cr_assert_eq(lm_pool_add_candidates(pool, &c, 1), LM_OK);
    lm_snapshot *s;
    lm_pool_snapshot(&s, pool);
    int64_t pid[] = {1, 2}, vid[] = {9, 9}, cid[] = {8, 7};
    int32_t st[] = {LM_PROPOSAL_PLACED, LM_PROPOSAL_REJECTED}, day[] = {100, 105};
    lm_history_cols hc = LM_HISTORY_COLS_INIT;
    hc.proposal_id = pid; hc.vacancy_id = vid; hc.candidate_id = cid; hc.status = st; hc.day = day;
    lm_history *h;
    lm_history_create(&h);
    cr_assert_eq(lm_history_add(h, &hc, 2), LM_OK, "%s", lm_history_errmsg(h));
    lm_policy *pol;
    lm_policy_create(&pol);
    lm_policy_set_f64(pol, LM_POLICY_AS_OF_DAY, 110);
    lm_engine *e;
    lm_engine_create(&e, pol, NULL);
    cr_assert_eq(lm_engine_set_history(e, h), LM_OK);
    lm_viewer v = viewer(1, 392, 0);
    lm_match m;
    cr_assert_eq(lm_engine_explain(&m, sizeof m, e, s, &v, 9, 7), LM_OK);
    cr_assert_eq(m.constraint, LM_CONSTRAINT_HOURS);
    cr_assert_eq(m.failed, (1u << LM_CONSTRAINT_HOURS) | (1u << LM_CONSTRAINT_VACANCY_FULL) |
                               (1u << LM_CONSTRAINT_COOLDOWN), "failed %#x", m.failed);
    cr_assert_eq(m.hours_gap, 12.f);
    cr_assert_eq(lm_engine_explain(&m, sizeof m, e, s, &v, 9, 8), LM_OK);
    cr_assert_eq(m.constraint, LM_CONSTRAINT_PLACED);
    cr_assert_eq(m.failed, (1u << LM_CONSTRAINT_PLACED) | (1u << LM_CONSTRAINT_VACANCY_FULL), "failed %#x", m.failed);
    cr_assert_eq(m.score, 0.f);
    lm_engine_free(e);
    lm_history_free(h);
    lm_policy_free(pol);
    lm_snapshot_free(s);
    lm_pool_free(pool);
}

/* Rows of results: failed 0, the limits and gaps filled. */
Test(explain, results_rows_carry_distances) {
    tu_data d;
    tu_generate(&d, 11, 120, 80, 8, 0.7);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_engine *e;
    lm_engine_create(&e, NULL, NULL);
    lm_viewer v = viewer(1, 2, 1);
    lm_results *r;
    cr_assert_eq(lm_engine_batch(&r, e, s, &v, NULL), LM_OK);
    for (int dir = 0; dir < 2; dir++) {
        size_t n;
        lm_results_count(&n, r, dir);
        cr_assert(n > 0);
        lm_match *m = calloc(n, sizeof *m);
        cr_assert_eq(lm_results_copy(m, sizeof *m, n, NULL, r, dir, 0), LM_OK);
        for (size_t i = 0; i < n; i++) {
            cr_assert_eq(m[i].failed, 0u);
            cr_assert_eq(m[i].hours_gap, 0.f);
            cr_assert_eq(m[i].loonwaarde_gap, 0.f);
            cr_assert(m[i].travel_limit > 0 && m[i].travel_limit <= 90.f);
            cr_assert(m[i].travel_minutes <= m[i].travel_limit);
            size_t ci = 0;
            while (d.c_id[ci] != m[i].candidate_id) ci++;
            float own = d.c_maxmin[ci];
            cr_assert_eq(m[i].travel_limit, own > 0 && own < 90 ? own : 90.f);
            cr_assert_eq(m[i].travel_limit_own, own > 0 && own < 90);
        }
        free(m);
    }
    lm_results_free(r);
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

/* ---- the views ------------------------------------------------------------ */
static size_t find_c(const tu_data *d, int64_t id) {
    for (size_t i = 0; i < d->nc; i++)
        if (d->c_id[i] == id) return i;
    cr_assert_fail("candidate %lld not in the data", (long long)id);
    return 0;
}

/* The feasible counts equal the brute-force reference, the unmatched are
 * exactly the people with none, and each binding constraint is the one the
 * full explanations give. Same on 1 and 2 threads. */
Test(views, unmatched_and_counts_match_reference) {
    const double dens[] = {0.3, 0.8};
    for (int di = 0; di < 2; di++) {
        tu_data d;
        tu_generate(&d, 500 + di, 200, 90, 8, dens[di]);
        lm_pool *p = tu_pool(&d);
        lm_snapshot *s;
        lm_pool_snapshot(&s, p);
        lm_engine *e;
        lm_engine_create(&e, NULL, NULL);
        lm_viewer v = viewer(1, 2, 1);
        tu_policy P = tu_default_policy();
        cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_COUNT_FEASIBLE, 1), LM_OK);
        int64_t on;
        cr_assert_eq(lm_engine_get_i64(&on, e, LM_ENGINE_COUNT_FEASIBLE), LM_OK);
        cr_assert_eq(on, 1);
        lm_results *r;
        cr_assert_eq(lm_engine_batch(&r, e, s, &v, NULL), LM_OK);
        size_t nunm_ref = 0, nvis = 0;
        for (size_t i = 0; i < d.nc; i++) {
            uint32_t cnt;
            int vis = tu_visible(&v, d.c_org[i], d.c_muni[i], d.c_region[i], d.c_scope[i]);
            int st = lm_results_feasible_count(&cnt, r, d.c_id[i]);
            if (!vis) {
                cr_assert_eq(st, LM_ERR_UNKNOWN_ID);
                continue;
            }
            nvis++;
            cr_assert_eq(st, LM_OK);
            uint32_t ref = 0;
            for (size_t j = 0; j < d.nv; j++) ref += tu_ref_score(&d, &P, &v, i, j) >= 0;
            cr_assert_eq(cnt, ref, "candidate %zu: %u feasible, reference %u", i, cnt, ref);
            nunm_ref += ref == 0;
        }
        lm_unmatched *u[2];
        for (int t = 0; t < 2; t++) {
            cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_THREADS, t + 1), LM_OK);
            cr_assert_eq(lm_engine_unmatched(&u[t], e, s, &v, NULL), LM_OK, "%s", lm_engine_errmsg(e));
        }
        double x;
        lm_unmatched_stat(&x, u[0], LM_UNMATCHED_STAT_PEOPLE);
        cr_assert_eq(x, (double)nvis);
        lm_unmatched_stat(&x, u[0], LM_UNMATCHED_STAT_UNMATCHED);
        cr_assert_eq(x, (double)nunm_ref);
        size_t np;
        cr_assert_eq(lm_unmatched_people(NULL, sizeof(lm_unmatched_person), 0, &np, u[0]),
                     nunm_ref ? LM_ERR_BUFFER : LM_OK);
        cr_assert_eq(np, nunm_ref);
        cr_assert(di == 1 || np > 5, "the sparse pool needs unmatched people (%zu)", np);
        lm_unmatched_person *pp = calloc(np + 1, sizeof *pp), *pq = calloc(np + 1, sizeof *pq);
        cr_assert_eq(lm_unmatched_people(pp, sizeof *pp, np, NULL, u[0]), LM_OK);
        cr_assert_eq(lm_unmatched_people(pq, sizeof *pq, np, NULL, u[1]), LM_OK);
        cr_assert_eq(memcmp(pp, pq, np * sizeof *pp), 0, "1 and 2 threads agree");
        uint64_t by_group[33] = {0};
        for (size_t k = 0; k < np; k++) {
            if (k) cr_assert(pp[k - 1].candidate_id < pp[k].candidate_id);
            size_t i = find_c(&d, pp[k].candidate_id);
            cr_assert_eq(pp[k].groups, d.c_groups[i]);
            /* the reference binding from the full explanations of the run's vacancies */
            uint32_t single[32] = {0}, all = ~0u, any = 0, nrun = 0;
            for (size_t j = 0; j < d.nv; j++) {
                if (d.v_slots[j] <= 0) continue; /* not in the run */
                nrun++;
                lm_match m;
                cr_assert_eq(lm_engine_explain(&m, sizeof m, e, s, &v, d.v_id[j], d.c_id[i]), LM_OK);
                cr_assert_neq(m.failed, 0u);
                all &= m.failed;
                any |= m.failed;
                if (!(m.failed & (m.failed - 1))) single[__builtin_ctz(m.failed)]++;
            }
            int32_t bind = nrun ? LM_BINDING_SEVERAL : LM_BINDING_NO_VACANCY;
            uint32_t opened = 0;
            for (int b = 0; b < 32; b++)
                if (single[b] > opened) opened = single[b], bind = b;
            cr_assert_eq(pp[k].binding, bind, "person %lld: binding %d vs %d", (long long)pp[k].candidate_id,
                         pp[k].binding, bind);
            cr_assert_eq(pp[k].opened, opened);
            cr_assert_eq(pp[k].failed_all, all);
            cr_assert_eq(pp[k].failed_any, any);
            by_group[32]++;
            for (int b = 0; b < 32; b++) by_group[b] += d.c_groups[i] >> b & 1u;
        }
        size_t nc;
        lm_unmatched_cells(NULL, sizeof(lm_unmatched_cell), 0, &nc, u[0]);
        lm_unmatched_cell *cell = calloc(nc + 1, sizeof *cell);
        cr_assert_eq(lm_unmatched_cells(cell, sizeof *cell, nc, NULL, u[0]), LM_OK);
        uint64_t tot[33] = {0};
        for (size_t k = 0; k < nc; k++) {
            cr_assert(cell[k].people > 0);
            if (k) cr_assert(cell[k - 1].binding < cell[k].binding ||
                             (cell[k - 1].binding == cell[k].binding && cell[k - 1].group < cell[k].group));
            if (cell[k].group == 0) tot[32] += cell[k].people;
            else tot[__builtin_ctz(cell[k].group)] += cell[k].people;
            uint64_t n = 0; /* the cell counts the persons of its binding and group */
            for (size_t q = 0; q < np; q++)
                n += pp[q].binding == cell[k].binding && (!cell[k].group || (pp[q].groups & cell[k].group));
            cr_assert_eq(cell[k].people, n);
        }
        cr_assert_eq(memcmp(tot, by_group, sizeof tot), 0);
        free(cell);
        free(pp);
        free(pq);
        lm_unmatched_free(u[0]);
        lm_unmatched_free(u[1]);
        lm_results_free(r);
        lm_engine_free(e);
        lm_snapshot_free(s);
        lm_pool_free(p);
        tu_free(&d);
    }
}

/* Under a history the counts leave out the excluded pairs, as the batch does. */
Test(views, counts_follow_history) {
    tu_data d;
    tu_generate(&d, 9, 60, 40, 8, 0.9);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_engine *e;
    lm_engine_create(&e, NULL, NULL);
    lm_engine_set_i64(e, LM_ENGINE_COUNT_FEASIBLE, 1);
    lm_viewer v = viewer(1, 2, 1);
    lm_results *r0;
    cr_assert_eq(lm_engine_batch(&r0, e, s, &v, NULL), LM_OK);
    /* find a feasible pair and put it in interview: the pair is excluded, the person left out (exclusive) */
    int64_t c = 0, vv = 0;
    lm_match m;
    for (size_t i = 0; i < d.nc && !vv; i++)
        for (size_t j = 0; j < d.nv && !vv; j++)
            if (lm_engine_explain(&m, sizeof m, e, s, &v, d.v_id[j], d.c_id[i]) == LM_OK && !m.failed)
                c = d.c_id[i], vv = d.v_id[j];
    cr_assert_neq(vv, 0);
    int64_t pid = 1;
    int32_t st = LM_PROPOSAL_REJECTED, day = 100;
    lm_history_cols hc = LM_HISTORY_COLS_INIT;
    hc.proposal_id = &pid; hc.vacancy_id = &vv; hc.candidate_id = &c; hc.status = &st; hc.day = &day;
    lm_history *h;
    lm_history_create(&h);
    cr_assert_eq(lm_history_add(h, &hc, 1), LM_OK);
    lm_policy *pol;
    lm_policy_create(&pol);
    lm_policy_set_f64(pol, LM_POLICY_AS_OF_DAY, 110);
    lm_engine_set_policy(e, pol);
    lm_results *r1;
    cr_assert_eq(lm_engine_batch(&r1, e, s, &v, NULL), LM_OK);
    uint32_t before, after;
    cr_assert_eq(lm_results_feasible_count(&before, r1, c), LM_OK);
    lm_engine_set_history(e, h);
    lm_results *r2;
    cr_assert_eq(lm_engine_batch(&r2, e, s, &v, NULL), LM_OK);
    cr_assert_eq(lm_results_feasible_count(&after, r2, c), LM_OK);
    cr_assert_eq(after + 1, before, "cooldown removes one pair: %u -> %u", before, after);
    lm_results_free(r0);
    lm_results_free(r1);
    lm_results_free(r2);
    lm_history_free(h);
    lm_policy_free(pol);
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

Test(views, bad_input) {
    tu_data d;
    tu_generate(&d, 3, 30, 20, 4, 0.5);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_engine *e;
    lm_engine_create(&e, NULL, NULL);
    lm_viewer v = viewer(1, 2, 1);
    lm_unmatched *u = (lm_unmatched *)(uintptr_t)1;
    cr_assert_eq(lm_engine_unmatched(NULL, e, s, &v, NULL), LM_ERR_NULL);
    cr_assert_eq(lm_engine_unmatched(&u, NULL, s, &v, NULL), LM_ERR_NULL);
    cr_assert_null(u);
    cr_assert_eq(lm_engine_unmatched(&u, e, NULL, &v, NULL), LM_ERR_NULL);
    cr_assert(strstr(lm_engine_errmsg(e), "unmatched"));
    cr_assert_eq(lm_engine_unmatched(&u, e, s, NULL, NULL), LM_ERR_NULL);
    lm_viewer bad = v;
    bad.struct_size = 4;
    cr_assert_eq(lm_engine_unmatched(&u, e, s, &bad, NULL), LM_ERR_INVALID);
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.struct_size = 8;
    cr_assert_eq(lm_engine_unmatched(&u, e, s, &v, &o), LM_ERR_INVALID);
    o = (lm_batch_options)LM_BATCH_OPTIONS_INIT;
    o.vacancy_region = -1;
    cr_assert_eq(lm_engine_unmatched(&u, e, s, &v, &o), LM_ERR_RANGE);
    cr_assert_null(u);
    cr_assert_eq(lm_engine_unmatched(&u, e, s, &v, NULL), LM_OK);
    cr_assert_str_empty(lm_engine_errmsg(e));
    size_t n = 99;
    lm_unmatched_person one;
    cr_assert_eq(lm_unmatched_people(&one, 8, 1, &n, u), LM_ERR_INVALID);
    cr_assert_eq(lm_unmatched_people(&one, sizeof one, 0, &n, NULL), LM_ERR_NULL);
    lm_unmatched_cell cell;
    cr_assert_eq(lm_unmatched_cells(&cell, 4, 1, &n, u), LM_ERR_INVALID);
    cr_assert_eq(lm_unmatched_cells(&cell, sizeof cell, 0, &n, NULL), LM_ERR_NULL);
    double x;
    cr_assert_eq(lm_unmatched_stat(&x, u, -1), LM_ERR_RANGE);
    cr_assert_eq(lm_unmatched_stat(&x, u, LM_UNMATCHED_STAT_THREADS + 1), LM_ERR_RANGE);
    cr_assert_eq(lm_unmatched_stat(NULL, u, 0), LM_ERR_NULL);
    cr_assert_eq(lm_unmatched_stat(&x, u, LM_UNMATCHED_STAT_VACANCIES), LM_OK);
    size_t open = 0;
    for (size_t j = 0; j < d.nv; j++) open += d.v_slots[j] > 0;
    cr_assert_eq(x, (double)open);
    lm_unmatched_free(u);
    lm_unmatched_free(NULL);
    /* a larger caller element: zero padding past ours */
    cr_assert_eq(lm_engine_unmatched(&u, e, s, &v, NULL), LM_OK);
    lm_unmatched_cells(NULL, sizeof cell, 0, &n, u);
    if (n) {
        size_t es = sizeof cell + 8;
        unsigned char *buf = malloc(n * es);
        memset(buf, 0xCD, n * es);
        cr_assert_eq(lm_unmatched_cells((lm_unmatched_cell *)(void *)buf, es, n - 1, NULL, u), LM_ERR_BUFFER);
        cr_assert_eq(buf[0], 0xCD, "nothing copied");
        cr_assert_eq(lm_unmatched_cells((lm_unmatched_cell *)(void *)buf, es, n, NULL, u), LM_OK);
        for (size_t q = 0; q < n; q++)
            for (size_t k = sizeof cell; k < es; k++) cr_assert_eq(buf[q * es + k], 0);
        free(buf);
    }
    lm_unmatched_free(u);
    /* the option and the counts */
    cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_COUNT_FEASIBLE, 2), LM_ERR_RANGE);
    cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_COUNT_FEASIBLE, -1), LM_ERR_RANGE);
    int64_t on = 5;
    cr_assert_eq(lm_engine_get_i64(&on, e, LM_ENGINE_COUNT_FEASIBLE), LM_OK);
    cr_assert_eq(on, 0);
    lm_results *r;
    cr_assert_eq(lm_engine_batch(&r, e, s, &v, NULL), LM_OK);
    uint32_t cnt;
    cr_assert_eq(lm_results_feasible_count(&cnt, r, d.c_id[0]), LM_ERR_STATE, "off by default");
    cr_assert_eq(lm_results_feasible_count(NULL, r, d.c_id[0]), LM_ERR_NULL);
    cr_assert_eq(lm_results_feasible_count(&cnt, NULL, d.c_id[0]), LM_ERR_NULL);
    lm_results_free(r);
    lm_engine_set_i64(e, LM_ENGINE_COUNT_FEASIBLE, 1);
    cr_assert_eq(lm_engine_batch(&r, e, s, &v, NULL), LM_OK);
    cr_assert_eq(lm_results_feasible_count(&cnt, r, 123456789), LM_ERR_UNKNOWN_ID);
    lm_results_free(r);
    /* single queries carry no counts */
    cr_assert_eq(lm_engine_query_vacancy(&r, e, s, &v, d.v_id[0], 5), LM_OK);
    cr_assert_eq(lm_results_feasible_count(&cnt, r, d.c_id[0]), LM_ERR_STATE);
    lm_results_free(r);
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

static int cancel_at_once(void *user, uint64_t done, uint64_t total) {
    (void)user, (void)done, (void)total;
    return 1;
}

Test(views, cancel) {
    tu_data d;
    tu_generate(&d, 4, 100, 20, 4, 0.5);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_engine *e;
    lm_engine_create(&e, NULL, NULL);
    lm_viewer v = viewer(1, 2, 1);
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.progress = cancel_at_once;
    lm_unmatched *u;
    cr_assert_eq(lm_engine_unmatched(&u, e, s, &v, &o), LM_ERR_CANCELLED);
    cr_assert_null(u);
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

/* ---- presets --------------------------------------------------------------- */
Test(presets, values_and_bad_input) {
    lm_policy *p, *q;
    lm_policy_create(&p);
    lm_policy_create(&q);
    cr_assert_eq(lm_policy_preset(q, LM_PRESET_DEFAULT), LM_OK);
    for (int k = 0; k < LM_POLICY_KEYS; k++) {
        double a, b;
        lm_policy_get_f64(&a, p, k);
        lm_policy_get_f64(&b, q, k);
        cr_assert_eq(a, b, "key %d: the DEFAULT preset is the default", k);
    }
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_MAX_TRAVEL_MIN, 45), LM_OK);
    cr_assert_eq(lm_policy_preset(p, LM_PRESET_FURTHEST_FIRST), LM_OK);
    double x;
    lm_policy_get_f64(&x, p, LM_POLICY_W_READINESS);
    cr_assert_eq(x, 0.2);
    lm_policy_get_f64(&x, p, LM_POLICY_FAVOUR_FURTHEST);
    cr_assert_eq(x, 1);
    lm_policy_get_f64(&x, p, LM_POLICY_MAX_TRAVEL_MIN);
    cr_assert_eq(x, 45, "other keys keep their value");
    for (int bad = -1; bad <= LM_PRESET_COUNT; bad += LM_PRESET_COUNT + 1) {
        cr_assert_eq(lm_policy_preset(p, bad), LM_ERR_RANGE);
        cr_assert(strstr(lm_policy_errmsg(p), "preset"));
        lm_policy_get_f64(&x, p, LM_POLICY_FAVOUR_FURTHEST);
        cr_assert_eq(x, 1, "unchanged");
        lm_policy_get_f64(&x, p, LM_POLICY_W_READINESS);
        cr_assert_eq(x, 0.2, "unchanged");
    }
    cr_assert_eq(lm_policy_preset(NULL, 0), LM_ERR_NULL);
    cr_assert_eq(lm_policy_preset(p, LM_PRESET_CLOSEST_FIRST), LM_OK);
    lm_policy_get_f64(&x, p, LM_POLICY_FAVOUR_FURTHEST);
    cr_assert_eq(x, 0);
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_FAVOUR_FURTHEST, 2), LM_ERR_RANGE);
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_FAVOUR_FURTHEST, 0.5), LM_ERR_RANGE);
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_KEYS, 0), LM_ERR_RANGE);
    lm_policy_free(p);
    lm_policy_free(q);
}

/* Proposals per readiness category under the three presets: closest-first
 * moves proposals towards A/B, furthest-first towards D/E. The readiness
 * term of a category is what the preset says. */
Test(presets, proposals_move_by_readiness) {
    tu_data d;
    tu_generate(&d, 21, 400, 60, 8, 0.9);
    for (size_t j = 0; j < d.nv; j++) d.v_maxready[j] = 5, d.v_slots[j] = 2;
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_viewer v = viewer(1, 2, 1);
    int by[3][6] = {{0}};
    for (int preset = 0; preset < 3; preset++) {
        lm_policy *pol;
        lm_policy_create(&pol);
        cr_assert_eq(lm_policy_preset(pol, preset), LM_OK);
        lm_engine *e;
        lm_engine_create(&e, pol, NULL);
        lm_results *r;
        cr_assert_eq(lm_engine_batch(&r, e, s, &v, NULL), LM_OK);
        lm_assignment *a;
        cr_assert_eq(lm_engine_assign(&a, e, r, NULL), LM_OK, "%s", lm_engine_errmsg(e));
        size_t n;
        lm_assignment_count(&n, a);
        lm_match *m = calloc(n + 1, sizeof *m);
        lm_assignment_copy(m, sizeof *m, n, NULL, a, 0);
        for (size_t i = 0; i < n; i++) {
            size_t ci = find_c(&d, m[i].candidate_id);
            by[preset][d.c_ready[ci]]++;
            float want = preset == LM_PRESET_FURTHEST_FIRST ? (d.c_ready[ci] - 1) * 0.25f : (5 - d.c_ready[ci]) * 0.25f;
            cr_assert_eq(m[i].readiness, want);
        }
        free(m);
        lm_assignment_free(a);
        lm_results_free(r);
        lm_engine_free(e);
        lm_policy_free(pol);
    }
    int ab[3], de[3];
    for (int q = 0; q < 3; q++) ab[q] = by[q][1] + by[q][2], de[q] = by[q][4] + by[q][5];
    cr_assert(ab[LM_PRESET_CLOSEST_FIRST] >= ab[LM_PRESET_DEFAULT], "A/B: %d vs %d", ab[1], ab[0]);
    cr_assert(ab[LM_PRESET_CLOSEST_FIRST] > ab[LM_PRESET_FURTHEST_FIRST]);
    cr_assert(de[LM_PRESET_FURTHEST_FIRST] > de[LM_PRESET_DEFAULT], "D/E: %d vs %d", de[2], de[0]);
    cr_assert(de[LM_PRESET_DEFAULT] >= de[LM_PRESET_CLOSEST_FIRST]);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}
