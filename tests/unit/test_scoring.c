/* The worked example of docs/scoring.md, number for number. */
#include "testutil.h"

Test(scoring, worked_example_of_the_docs) {
    lm_pool *p;
    cr_assert_eq(lm_pool_create(&p, 3), LM_OK);
    float cvec[9] = {1, 2, 2, 1, 2, 2, 1, 2, 2};
    int64_t cid[3] = {1, 2, 3}, corg[3] = {10, 10, 10};
    int32_t cmuni[3] = {375, 375, 375}, creg[3] = {2, 2, 2}, czone[3] = {1941, 1941, 1941};
    uint32_t grp[3] = {LM_GROUP_BIJSTAND, LM_GROUP_BIJSTAND, LM_GROUP_BANENAFSPRAAK};
    uint8_t rdy[3] = {LM_READY_B, LM_READY_B, LM_READY_B}, modes[3] = {2, 2, 2}, scope[3] = {2, 2, 2};
    float hmin[3] = {20, 20, 20}, hmax[3] = {32, 32, 32}, own[3] = {0, 25, 0};
    lm_candidate_cols c = LM_CANDIDATE_COLS_INIT;
    c.dim = 3; c.id = cid; c.owner_org = corg; c.municipality = cmuni; c.region = creg; c.zone = czone;
    c.groups = grp; c.readiness = rdy; c.vectors = cvec; c.hours_min = hmin; c.hours_max = hmax;
    c.modes = modes; c.max_minutes = own; c.scope = scope;
    cr_assert_eq(lm_pool_add_candidates(p, &c, 3), LM_OK, "%s", lm_pool_errmsg(p));
    float vvec[3] = {2, 1, 2}, vw[3] = {1, 1, 0.5f}, vhmin = 24, vhmax = 36;
    int64_t vid = 500, emp = 7;
    int32_t vmuni = 392, vreg = 2, vzone = 2011;
    uint32_t acc = LM_GROUP_BIJSTAND;
    uint8_t maxr = LM_READY_C;
    lm_vacancy_cols v = LM_VACANCY_COLS_INIT;
    v.dim = 3; v.id = &vid; v.employer_id = &emp; v.municipality = &vmuni; v.region = &vreg; v.zone = &vzone;
    v.vectors = vvec; v.weights = vw; v.hours_min = &vhmin; v.hours_max = &vhmax; v.accepted_groups = &acc;
    v.max_readiness = &maxr;
    cr_assert_eq(lm_pool_add_vacancies(p, &v, 1), LM_OK, "%s", lm_pool_errmsg(p));

    lm_travel *t;
    cr_assert_eq(lm_travel_create(&t), LM_OK);
    int32_t zones[2] = {1941, 2011};
    uint8_t minutes[4] = {0, 30, 30, 0};
    cr_assert_eq(lm_travel_set_matrix(t, LM_MODE_BIKE, zones, 2, minutes), LM_OK, "%s", lm_travel_errmsg(t));
    lm_engine *e;
    cr_assert_eq(lm_engine_create(&e, NULL, t), LM_OK);
    lm_travel_free(t); /* the engine keeps its reference */
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_viewer vw2 = LM_VIEWER_INIT;
    vw2.org = 99;
    vw2.region = 2;

    lm_match m;
    cr_assert_eq(lm_engine_explain(&m, sizeof m, e, s, &vw2, 500, 1), LM_OK, "%s", lm_engine_errmsg(e));
    cr_assert_eq(m.constraint, LM_CONSTRAINT_NONE);
    cr_assert_float_eq(m.competence, 0.611111f, 1e-5); /* cos 0.888889 x coverage 0.6875 */
    cr_assert_float_eq(m.travel, 0.666667f, 1e-5);
    cr_assert_float_eq(m.travel_minutes, 30.f, 1e-6);
    cr_assert_eq(m.travel_mode, LM_MODE_BIKE);
    cr_assert_float_eq(m.hours, 0.666667f, 1e-5);
    cr_assert_float_eq(m.readiness, 0.75f, 1e-6);
    cr_assert_float_eq(m.score, 0.629032f, 1e-5);
    cr_assert_eq(m.candidate_municipality, 375);
    cr_assert_eq(m.vacancy_municipality, 392);

    cr_assert_eq(lm_engine_explain(&m, sizeof m, e, s, &vw2, 500, 2), LM_OK);
    cr_assert_eq(m.constraint, LM_CONSTRAINT_TRAVEL);
    cr_assert_eq(m.score, 0.f);
    cr_assert_eq(lm_engine_explain(&m, sizeof m, e, s, &vw2, 500, 3), LM_OK);
    cr_assert_eq(m.constraint, LM_CONSTRAINT_TARGET_GROUP);

    /* the query returns candidate 1 only, with the same score */
    lm_results *r;
    cr_assert_eq(lm_engine_query_vacancy(&r, e, s, &vw2, 500, 10), LM_OK);
    size_t n;
    lm_results_count(&n, r, LM_DIR_VACANCY);
    cr_assert_eq(n, 1);
    lm_match q;
    lm_results_copy(&q, sizeof q, 1, NULL, r, LM_DIR_VACANCY, 0);
    cr_assert_eq(q.candidate_id, 1);
    cr_assert_eq(q.rank, 1);
    cr_assert_float_eq(q.score, 0.629032f, 1e-5);
    lm_results_free(r);

    /* a viewer of another region sees nobody, and cannot probe */
    vw2.region = 3;
    cr_assert_eq(lm_engine_explain(&m, sizeof m, e, s, &vw2, 500, 1), LM_ERR_UNKNOWN_ID);
    cr_assert_eq(lm_engine_query_vacancy(&r, e, s, &vw2, 500, 10), LM_OK);
    lm_results_count(&n, r, LM_DIR_VACANCY);
    cr_assert_eq(n, 0);
    lm_results_free(r);
    lm_snapshot_free(s);
    lm_engine_free(e);
    lm_pool_free(p);
}

/* Each filter in the documented order. */
Test(scoring, each_constraint_reported) {
    tu_data d;
    tu_generate(&d, 31, 1, 1, 2, 1.0);
    d.c_org[0] = 1; d.c_scope[0] = LM_SCOPE_ORG;
    d.c_groups[0] = LM_GROUP_BIJSTAND; d.v_acc[0] = LM_GROUP_ALL;
    d.c_ready[0] = 2; d.v_maxready[0] = 5; d.c_lw[0] = 100; d.v_minlw[0] = 0; d.c_flags[0] = 1; d.v_req[0] = 0;
    d.c_hmin[0] = 20; d.c_hmax[0] = 30; d.v_hmin[0] = 20; d.v_hmax[0] = 30; d.c_avail[0] = 10; d.v_open[0] = 20;
    d.v_slots[0] = 1; d.c_lat[0] = d.v_lat[0] = 52.1; d.c_lon[0] = d.v_lon[0] = 5.1; d.c_modes[0] = 15; d.c_maxmin[0] = 0;
    /* a good competence fit, so that the floors of 1.2's default policy pass */
    d.c_vec[0] = d.v_vec[0] = 1; d.c_vec[1] = d.v_vec[1] = 0.5f;
    struct { int con; void (*f)(tu_data *); } dummy; (void)dummy;
    lm_viewer v = LM_VIEWER_INIT;
    v.org = 1;
    for (int con = LM_CONSTRAINT_NONE; con <= LM_CONSTRAINT_TRAVEL; con++) {
        tu_data b = d; /* shallow: arrays shared, restore after */
        int32_t keep_i32 = 0; float keep_f = 0; uint32_t keep_u = 0; uint64_t keep_u64 = 0; uint8_t keep_u8 = 0; double keep_d = 0;
        switch (con) {
        case LM_CONSTRAINT_VISIBILITY: v.org = 2; break;
        case LM_CONSTRAINT_TARGET_GROUP: keep_u = b.v_acc[0]; b.v_acc[0] = LM_GROUP_WSW; break;
        case LM_CONSTRAINT_READINESS: keep_u8 = b.v_maxready[0]; b.v_maxready[0] = 1; break;
        case LM_CONSTRAINT_LOONWAARDE: keep_f = b.v_minlw[0]; b.v_minlw[0] = 101; break;
        case LM_CONSTRAINT_FLAGS: keep_u64 = b.v_req[0]; b.v_req[0] = 2; break;
        case LM_CONSTRAINT_HOURS: keep_f = b.v_hmin[0]; b.v_hmin[0] = 31; b.v_hmax[0] = 40; break;
        case LM_CONSTRAINT_DATES: keep_i32 = b.v_open[0]; b.v_open[0] = 5; break;
        case LM_CONSTRAINT_SLOTS: keep_i32 = b.v_slots[0]; b.v_slots[0] = 0; break;
        case LM_CONSTRAINT_TRAVEL: keep_d = b.v_lat[0]; b.v_lat[0] = 53.4; break;
        }
        lm_pool *p = tu_pool(&b);
        lm_snapshot *s;
        lm_pool_snapshot(&s, p);
        lm_engine *e;
        lm_engine_create(&e, NULL, NULL);
        lm_match m;
        int st = lm_engine_explain(&m, sizeof m, e, s, &v, b.v_id[0], b.c_id[0]);
        if (con == LM_CONSTRAINT_VISIBILITY) {
            cr_assert_eq(st, LM_ERR_UNKNOWN_ID);
            v.org = 1;
        } else {
            cr_assert_eq(st, LM_OK);
            cr_assert_eq(m.constraint, con, "want constraint %d, got %d", con, m.constraint);
        }
        switch (con) {
        case LM_CONSTRAINT_TARGET_GROUP: b.v_acc[0] = keep_u; break;
        case LM_CONSTRAINT_READINESS: b.v_maxready[0] = keep_u8; break;
        case LM_CONSTRAINT_LOONWAARDE: b.v_minlw[0] = keep_f; break;
        case LM_CONSTRAINT_FLAGS: b.v_req[0] = keep_u64; break;
        case LM_CONSTRAINT_HOURS: b.v_hmin[0] = keep_f; b.v_hmax[0] = 30; break;
        case LM_CONSTRAINT_DATES: b.v_open[0] = keep_i32; break;
        case LM_CONSTRAINT_SLOTS: b.v_slots[0] = keep_i32; break;
        case LM_CONSTRAINT_TRAVEL: b.v_lat[0] = keep_d; break;
        }
        lm_engine_free(e);
        lm_snapshot_free(s);
        lm_pool_free(p);
    }
    /* MIN_SCORE and AS_OF_DAY through the policy */
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_policy *pol;
    lm_policy_create(&pol);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_MIN_SCORE, 1.0), LM_OK);
    lm_engine *e;
    lm_engine_create(&e, pol, NULL);
    lm_match m;
    cr_assert_eq(lm_engine_explain(&m, sizeof m, e, s, &v, d.v_id[0], d.c_id[0]), LM_OK);
    cr_assert_eq(m.constraint, LM_CONSTRAINT_MIN_SCORE);
    lm_policy_set_f64(pol, LM_POLICY_MIN_SCORE, 0);
    lm_policy_set_f64(pol, LM_POLICY_AS_OF_DAY, 21);
    cr_assert_eq(lm_engine_set_policy(e, pol), LM_OK);
    cr_assert_eq(lm_engine_explain(&m, sizeof m, e, s, &v, d.v_id[0], d.c_id[0]), LM_OK);
    cr_assert_eq(m.constraint, LM_CONSTRAINT_DATES);
    lm_policy_free(pol);
    lm_engine_free(e);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

Test(policy, defaults_set_get_and_errors) {
    lm_policy *p;
    cr_assert_eq(lm_policy_create(NULL), LM_ERR_NULL);
    cr_assert_eq(lm_policy_create(&p), LM_OK);
    double x;
    double defaults[LM_POLICY_KEYS] = {1, 0.6, 0.1, 0.025, 0.05, 0, 90, 0.25, 0, 15, LM_COMPETENCE_COSINE_COVERAGE, 90, 1, 0.05, 0.25,
                                       0.2, 0}; /* 1.2: min_score 0.25 and min_competence 0.2, docs/scoring.md */
    for (int k = 0; k < LM_POLICY_KEYS; k++) {
        cr_assert_eq(lm_policy_get_f64(&x, p, k), LM_OK);
        cr_assert_eq(x, defaults[k], "key %d", k);
    }
    cr_assert_eq(lm_policy_get_f64(&x, p, LM_POLICY_KEYS), LM_ERR_RANGE);
    cr_assert_eq(lm_policy_get_f64(&x, p, -1), LM_ERR_RANGE);
    cr_assert_eq(lm_policy_get_f64(NULL, p, 0), LM_ERR_NULL);
    cr_assert_eq(lm_policy_set_f64(NULL, 0, 1), LM_ERR_NULL);
    cr_assert_eq(lm_policy_set_f64(p, 77, 1), LM_ERR_RANGE);
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_W_TRAVEL, NAN), LM_ERR_NONFINITE);
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_W_TRAVEL, INFINITY), LM_ERR_NONFINITE);
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_W_TRAVEL, -0.1), LM_ERR_RANGE);
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_MAX_TRAVEL_MIN, 0), LM_ERR_RANGE);
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_MIN_SCORE, 1.5), LM_ERR_RANGE);
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_VERSION, 2.5), LM_ERR_RANGE);
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_ALLOWED_MODES, 0), LM_ERR_RANGE);
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_ALLOWED_MODES, 16), LM_ERR_RANGE);
    cr_assert(strstr(lm_policy_errmsg(p), "allowed_modes"));
    /* all weights zero is refused at the last one */
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_W_COMPETENCE, 0), LM_OK);
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_W_TRAVEL, 0), LM_OK);
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_W_HOURS, 0), LM_OK);
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_W_READINESS, 0), LM_ERR_RANGE);
    lm_policy_get_f64(&x, p, LM_POLICY_W_READINESS);
    cr_assert_eq(x, 0.05, "unchanged after the refused set");
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_VERSION, 7), LM_OK);
    lm_policy_get_f64(&x, p, LM_POLICY_VERSION);
    cr_assert_eq(x, 7);
    cr_assert_str_eq(lm_policy_errmsg(p), "");
    cr_assert_str_eq(lm_policy_errmsg(NULL), "policy is NULL");
    lm_policy_free(p);
    lm_policy_free(NULL);
}

Test(version, numbers_and_strerror) {
    cr_assert_eq(lm_version_number(), LM_VERSION_NUMBER);
    cr_assert_str_eq(lm_version_string(), LM_VERSION_STRING);
    char buf[32];
    snprintf(buf, sizeof buf, "%d.%d.%d", LM_VERSION_MAJOR, LM_VERSION_MINOR, LM_VERSION_PATCH);
    cr_assert_str_eq(lm_version_string(), buf);
    for (int st = LM_OK; st >= LM_ERR_INTERNAL; st--) {
        cr_assert_not_null(lm_strerror(st));
        cr_assert_str_neq(lm_strerror(st), "unknown status", "status %d has a text", st);
    }
    cr_assert_str_eq(lm_strerror(-999), "unknown status");
    cr_assert_str_eq(lm_strerror(5), "unknown status");
}
