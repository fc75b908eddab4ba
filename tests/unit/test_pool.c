/* Pool: atomic batches, validation with row-naming errors, snapshots. */
#include "testutil.h"

static size_t count(lm_pool *p, int side) {
    size_t n = 0;
    cr_assert_eq(lm_pool_count(&n, p, side), LM_OK);
    return n;
}

/* Sorted ids of a snapshot side, for whole-state comparisons. */
static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}
static int64_t *ids_of(const lm_snapshot *s, int side, size_t *n) {
    cr_assert_eq(lm_snapshot_ids(NULL, 0, n, s, side), *n ? LM_ERR_BUFFER : LM_OK);
    lm_snapshot_ids(NULL, 0, n, s, side);
    int64_t *v = malloc((*n + 1) * sizeof *v);
    cr_assert_eq(lm_snapshot_ids(v, *n, NULL, s, side), LM_OK);
    qsort(v, *n, sizeof *v, cmp64);
    return v;
}

Test(pool, create_and_free) {
    lm_pool *p = (lm_pool *)1;
    cr_assert_eq(lm_pool_create(NULL, 8), LM_ERR_NULL);
    cr_assert_eq(lm_pool_create(&p, 0), LM_ERR_RANGE);
    cr_assert_null(p);
    cr_assert_eq(lm_pool_create(&p, LM_MAX_DIM + 1), LM_ERR_RANGE);
    cr_assert_eq(lm_pool_create(&p, LM_MAX_DIM), LM_OK);
    cr_assert_eq(lm_pool_dim(p), LM_MAX_DIM);
    cr_assert_eq(count(p, LM_SIDE_CANDIDATE), 0);
    size_t n;
    cr_assert_eq(lm_pool_count(&n, p, 5), LM_ERR_RANGE);
    cr_assert_eq(lm_pool_count(NULL, p, 0), LM_ERR_NULL);
    cr_assert_eq(lm_pool_count(&n, NULL, 0), LM_ERR_NULL);
    cr_assert_eq(lm_pool_dim(NULL), 0);
    cr_assert_str_eq(lm_pool_errmsg(NULL), "pool is NULL");
    lm_pool_free(p);
    lm_pool_free(NULL);
}

Test(pool, add_count_contains_ids) {
    tu_data d;
    tu_generate(&d, 1, 1000, 300, 5, 1.0);
    lm_pool *p = tu_pool(&d);
    cr_assert_eq(count(p, LM_SIDE_CANDIDATE), 1000);
    cr_assert_eq(count(p, LM_SIDE_VACANCY), 300);
    lm_snapshot *s;
    cr_assert_eq(lm_pool_snapshot(&s, p), LM_OK);
    cr_assert_eq(lm_snapshot_dim(s), 5);
    cr_assert_eq(lm_snapshot_version(s), 2);
    for (size_t i = 0; i < d.nc; i++) {
        int in = 0;
        cr_assert_eq(lm_snapshot_contains(&in, s, LM_SIDE_CANDIDATE, d.c_id[i]), LM_OK);
        cr_assert(in);
        cr_assert_eq(lm_snapshot_contains(&in, s, LM_SIDE_VACANCY, d.c_id[i]), LM_OK);
    }
    int in = 1;
    cr_assert_eq(lm_snapshot_contains(&in, s, LM_SIDE_CANDIDATE, 999999999999LL), LM_OK);
    cr_assert_eq(in, 0);
    cr_assert_eq(lm_snapshot_contains(&in, s, 7, 1), LM_ERR_RANGE);
    cr_assert_eq(lm_snapshot_contains(NULL, s, 0, 1), LM_ERR_NULL);
    size_t n = 0;
    int64_t *ids = ids_of(s, LM_SIDE_CANDIDATE, &n);
    cr_assert_eq(n, 1000);
    int64_t *want = malloc(n * sizeof *want);
    memcpy(want, d.c_id, n * sizeof *want);
    qsort(want, n, sizeof *want, cmp64);
    cr_assert_arr_eq(ids, want, n * sizeof *ids);
    int64_t small[3];
    size_t needed = 0;
    cr_assert_eq(lm_snapshot_ids(small, 3, &needed, s, LM_SIDE_CANDIDATE), LM_ERR_BUFFER);
    cr_assert_eq(needed, 1000);
    cr_assert_eq(lm_snapshot_ids(small, 3, &needed, s, 9), LM_ERR_RANGE);
    cr_assert_eq(lm_snapshot_ids(small, 3, &needed, NULL, 0), LM_ERR_NULL);
    free(ids);
    free(want);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

/* Each bad column value is rejected with its own status, the message names
 * the row and id, and the pool does not change. */
Test(pool, candidate_validation_is_atomic) {
    tu_data d;
    tu_generate(&d, 2, 50, 1, 4, 1.0);
    lm_pool *p;
    lm_pool_create(&p, 4);
    lm_candidate_cols ok = tu_ccols(&d, 0);
    cr_assert_eq(lm_pool_add_candidates(p, &ok, 10), LM_OK);
    lm_snapshot *before;
    lm_pool_snapshot(&before, p);
    struct {
        const char *name;
        int status;
    } cases[] = {
        {"municipality", LM_ERR_RANGE}, {"region", LM_ERR_RANGE},     {"zone", LM_ERR_RANGE},
        {"lat_nan_only", LM_ERR_RANGE}, {"lat_inf", LM_ERR_NONFINITE}, {"lat_range", LM_ERR_RANGE},
        {"groups0", LM_ERR_RANGE},      {"groups_unknown", LM_ERR_RANGE}, {"readiness0", LM_ERR_RANGE},
        {"readiness6", LM_ERR_RANGE},   {"lw_nan", LM_ERR_NONFINITE}, {"lw_neg", LM_ERR_RANGE},
        {"vec_nan", LM_ERR_NONFINITE},  {"vec_inf", LM_ERR_NONFINITE}, {"hours_order", LM_ERR_RANGE},
        {"hours_nan", LM_ERR_NONFINITE}, {"hours_big", LM_ERR_RANGE}, {"modes0", LM_ERR_RANGE},
        {"modes16", LM_ERR_RANGE},      {"maxmin_neg", LM_ERR_RANGE}, {"maxmin_inf", LM_ERR_NONFINITE},
        {"avail_neg", LM_ERR_RANGE},    {"scope4", LM_ERR_RANGE},     {"prio2", LM_ERR_RANGE},
        {"prio_nan", LM_ERR_NONFINITE}, {"no_place", LM_ERR_RANGE},   {"dup_in_batch", LM_ERR_DUPLICATE},
        {"dup_in_pool", LM_ERR_DUPLICATE},
    };
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        tu_data b;
        tu_generate(&b, 2, 50, 1, 4, 1.0); /* same data; rows 10.. are new */
        size_t bad = 10 + 17;                /* the bad row, in the middle of the batch */
        const char *nm = cases[t].name;
        if (!strcmp(nm, "municipality")) b.c_muni[bad] = 0;
        else if (!strcmp(nm, "region")) b.c_region[bad] = -1;
        else if (!strcmp(nm, "zone")) b.c_zone[bad] = -5;
        else if (!strcmp(nm, "lat_nan_only")) b.c_lat[bad] = NAN;
        else if (!strcmp(nm, "lat_inf")) b.c_lat[bad] = INFINITY;
        else if (!strcmp(nm, "lat_range")) b.c_lat[bad] = 91;
        else if (!strcmp(nm, "groups0")) b.c_groups[bad] = 0;
        else if (!strcmp(nm, "groups_unknown")) b.c_groups[bad] = 1u << 20;
        else if (!strcmp(nm, "readiness0")) b.c_ready[bad] = 0;
        else if (!strcmp(nm, "readiness6")) b.c_ready[bad] = 6;
        else if (!strcmp(nm, "lw_nan")) b.c_lw[bad] = NAN;
        else if (!strcmp(nm, "lw_neg")) b.c_lw[bad] = -1;
        else if (!strcmp(nm, "vec_nan")) b.c_vec[bad * 4 + 2] = NAN;
        else if (!strcmp(nm, "vec_inf")) b.c_vec[bad * 4 + 3] = -INFINITY;
        else if (!strcmp(nm, "hours_order")) { b.c_hmin[bad] = 30; b.c_hmax[bad] = 20; }
        else if (!strcmp(nm, "hours_nan")) b.c_hmax[bad] = NAN;
        else if (!strcmp(nm, "hours_big")) b.c_hmax[bad] = 81;
        else if (!strcmp(nm, "modes0")) b.c_modes[bad] = 0;
        else if (!strcmp(nm, "modes16")) b.c_modes[bad] = 16;
        else if (!strcmp(nm, "maxmin_neg")) b.c_maxmin[bad] = -1;
        else if (!strcmp(nm, "maxmin_inf")) b.c_maxmin[bad] = INFINITY;
        else if (!strcmp(nm, "avail_neg")) b.c_avail[bad] = -1;
        else if (!strcmp(nm, "scope4")) b.c_scope[bad] = 4;
        else if (!strcmp(nm, "prio2")) b.c_prio[bad] = 2;
        else if (!strcmp(nm, "prio_nan")) b.c_prio[bad] = NAN;
        else if (!strcmp(nm, "no_place")) { b.c_lat[bad] = NAN; b.c_lon[bad] = NAN; b.c_zone[bad] = 0; }
        else if (!strcmp(nm, "dup_in_batch")) b.c_id[bad] = b.c_id[12];
        else if (!strcmp(nm, "dup_in_pool")) b.c_id[bad] = b.c_id[3];
        lm_candidate_cols c = tu_ccols(&b, 10);
        int st = lm_pool_add_candidates(p, &c, 40);
        cr_assert_eq(st, cases[t].status, "%s: status %d (%s), want %d", nm, st, lm_pool_errmsg(p), cases[t].status);
        char rowtxt[32];
        snprintf(rowtxt, sizeof rowtxt, "row %d", 17);
        if (strcmp(nm, "dup_in_pool"))
            cr_assert(strstr(lm_pool_errmsg(p), rowtxt), "%s: message names the row: %s", nm, lm_pool_errmsg(p));
        cr_assert_eq(count(p, LM_SIDE_CANDIDATE), 10, "%s: nothing added", nm);
        lm_snapshot *after;
        lm_pool_snapshot(&after, p);
        cr_assert_eq(after, before, "%s: the state did not change (same version)", nm);
        lm_snapshot_free(after);
        tu_free(&b);
    }
    lm_snapshot_free(before);
    lm_pool_free(p);
    tu_free(&d);
}

Test(pool, vacancy_validation_is_atomic) {
    tu_data d;
    tu_generate(&d, 3, 1, 60, 4, 1.0);
    lm_pool *p;
    lm_pool_create(&p, 4);
    const char *names[] = {"slots_neg", "weights_neg", "weights_nan", "acc0", "minlw_big", "maxready0",
                           "open_neg", "vec_nan", "municipality", "hours"};
    int want[] = {LM_ERR_RANGE, LM_ERR_RANGE, LM_ERR_NONFINITE, LM_ERR_RANGE, LM_ERR_RANGE, LM_ERR_RANGE,
                  LM_ERR_RANGE, LM_ERR_NONFINITE, LM_ERR_RANGE, LM_ERR_RANGE};
    for (size_t t = 0; t < sizeof names / sizeof names[0]; t++) {
        tu_data b;
        tu_generate(&b, 3, 1, 60, 4, 1.0);
        size_t bad = 33;
        switch (t) {
        case 0: b.v_slots[bad] = -1; break;
        case 1: b.v_w[bad * 4 + 1] = -0.5f; break;
        case 2: b.v_w[bad * 4] = NAN; break;
        case 3: b.v_acc[bad] = 0; break;
        case 4: b.v_minlw[bad] = 201; break;
        case 5: b.v_maxready[bad] = 0; break;
        case 6: b.v_open[bad] = -2; break;
        case 7: b.v_vec[bad * 4 + 3] = NAN; break;
        case 8: b.v_muni[bad] = -7; break;
        case 9: b.v_hmin[bad] = 40; b.v_hmax[bad] = 10; break;
        }
        lm_vacancy_cols v = tu_vcols(&b, 0);
        cr_assert_eq(lm_pool_add_vacancies(p, &v, 60), want[t], "%s: %s", names[t], lm_pool_errmsg(p));
        cr_assert(strstr(lm_pool_errmsg(p), "row 33"), "%s: %s", names[t], lm_pool_errmsg(p));
        cr_assert_eq(count(p, LM_SIDE_VACANCY), 0);
        tu_free(&b);
    }
    lm_vacancy_cols v = tu_vcols(&d, 0);
    cr_assert_eq(lm_pool_add_vacancies(p, &v, 60), LM_OK);
    lm_pool_free(p);
    tu_free(&d);
}

Test(pool, batch_arguments) {
    tu_data d;
    tu_generate(&d, 4, 5, 5, 4, 1.0);
    lm_pool *p;
    lm_pool_create(&p, 4);
    lm_candidate_cols c = tu_ccols(&d, 0);
    lm_vacancy_cols v = tu_vcols(&d, 0);
    cr_assert_eq(lm_pool_add_candidates(NULL, &c, 5), LM_ERR_NULL);
    cr_assert_eq(lm_pool_add_candidates(p, NULL, 5), LM_ERR_NULL);
    cr_assert_eq(lm_pool_add_candidates(p, &c, 0), LM_ERR_INVALID);
    cr_assert_eq(lm_pool_add_candidates(p, &c, (size_t)LM_MAX_BATCH + 1), LM_ERR_LIMIT);
    lm_candidate_cols c2 = c;
    c2.struct_size = 16;
    cr_assert_eq(lm_pool_add_candidates(p, &c2, 5), LM_ERR_INVALID);
    c2 = c;
    c2.dim = 5;
    cr_assert_eq(lm_pool_add_candidates(p, &c2, 5), LM_ERR_DIMENSION);
    cr_assert(strstr(lm_pool_errmsg(p), "dim 5"));
    const char *req[] = {"id", "owner_org", "municipality", "groups", "vectors"};
    for (int k = 0; k < 5; k++) {
        c2 = c;
        if (k == 0) c2.id = NULL;
        if (k == 1) c2.owner_org = NULL;
        if (k == 2) c2.municipality = NULL;
        if (k == 3) c2.groups = NULL;
        if (k == 4) c2.vectors = NULL;
        cr_assert_eq(lm_pool_upsert_candidates(p, &c2, 5), LM_ERR_NULL);
        cr_assert(strstr(lm_pool_errmsg(p), req[k]), "message names column %s", req[k]);
    }
    lm_vacancy_cols v2 = v;
    v2.dim = 3;
    cr_assert_eq(lm_pool_add_vacancies(p, &v2, 5), LM_ERR_DIMENSION);
    v2 = v;
    v2.employer_id = NULL;
    cr_assert_eq(lm_pool_upsert_vacancies(p, &v2, 5), LM_ERR_NULL);
    cr_assert_eq(lm_pool_add_vacancies(p, &v, 0), LM_ERR_INVALID);
    cr_assert_eq(lm_pool_remove_candidates(p, NULL, 1), LM_ERR_NULL);
    int64_t id = 1;
    cr_assert_eq(lm_pool_remove_candidates(p, &id, 0), LM_ERR_INVALID);
    cr_assert_eq(lm_pool_remove_vacancies(NULL, &id, 1), LM_ERR_NULL);
    cr_assert_eq(count(p, LM_SIDE_CANDIDATE) + count(p, LM_SIDE_VACANCY), 0);
    /* optional columns absent: defaults */
    lm_candidate_cols minimal = LM_CANDIDATE_COLS_INIT;
    minimal.dim = 4;
    minimal.id = d.c_id; minimal.owner_org = d.c_org; minimal.municipality = d.c_muni;
    minimal.groups = d.c_groups; minimal.vectors = d.c_vec; minimal.lat = d.c_lat; minimal.lon = d.c_lon;
    cr_assert_eq(lm_pool_add_candidates(p, &minimal, 5), LM_OK, "%s", lm_pool_errmsg(p));
    lm_pool_free(p);
    tu_free(&d);
}

/* Snapshots never see later updates; upsert replaces, remove removes, and a
 * removed id can come back. */
Test(pool, snapshot_isolation_upsert_remove) {
    tu_data d;
    tu_generate(&d, 5, 600, 20, 6, 1.0);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s1;
    lm_pool_snapshot(&s1, p);
    lm_engine *e;
    lm_engine_create(&e, NULL, NULL);
    lm_viewer v = LM_VIEWER_INIT;
    v.org = 1;
    lm_match m1, m2;
    /* candidate 300 owned by org 1? make it so via upsert and check explanations */
    d.c_org[300] = 1;
    d.c_muni[300] = 99;
    lm_candidate_cols c = tu_ccols(&d, 300);
    cr_assert_eq(lm_pool_upsert_candidates(p, &c, 1), LM_OK);
    cr_assert_eq(count(p, LM_SIDE_CANDIDATE), 600, "upsert of an existing id adds nothing");
    lm_snapshot *s2;
    lm_pool_snapshot(&s2, p);
    cr_assert_neq(s1, s2);
    cr_assert_eq(lm_snapshot_version(s2), lm_snapshot_version(s1) + 1);
    cr_assert_eq(lm_engine_explain(&m2, sizeof m2, e, s2, &v, d.v_id[0], d.c_id[300]), LM_OK);
    cr_assert_eq(m2.candidate_municipality, 99);
    int st = lm_engine_explain(&m1, sizeof m1, e, s1, &v, d.v_id[0], d.c_id[300]);
    if (st == LM_OK) cr_assert_neq(m1.candidate_municipality, 99, "old snapshot keeps the old row");
    /* remove 100 ids, including one twice -> duplicate, nothing removed */
    int64_t rm[101];
    for (int i = 0; i < 100; i++) rm[i] = d.c_id[i * 3];
    rm[100] = rm[5];
    cr_assert_eq(lm_pool_remove_candidates(p, rm, 101), LM_ERR_DUPLICATE);
    cr_assert_eq(count(p, LM_SIDE_CANDIDATE), 600);
    rm[100] = 77777777777LL;
    cr_assert_eq(lm_pool_remove_candidates(p, rm, 101), LM_ERR_UNKNOWN_ID);
    cr_assert(strstr(lm_pool_errmsg(p), "77777777777"));
    cr_assert_eq(count(p, LM_SIDE_CANDIDATE), 600);
    cr_assert_eq(lm_pool_remove_candidates(p, rm, 100), LM_OK);
    cr_assert_eq(count(p, LM_SIDE_CANDIDATE), 500);
    lm_snapshot *s3;
    lm_pool_snapshot(&s3, p);
    int in;
    lm_snapshot_contains(&in, s3, LM_SIDE_CANDIDATE, rm[7]);
    cr_assert_eq(in, 0);
    lm_snapshot_contains(&in, s2, LM_SIDE_CANDIDATE, rm[7]);
    cr_assert_eq(in, 1, "older snapshot still has it");
    size_t n;
    lm_snapshot_count(&n, s2, LM_SIDE_CANDIDATE);
    cr_assert_eq(n, 600);
    /* add them back (slots are reused) plus an upsert of existing ones */
    tu_data d2;
    tu_generate(&d2, 5, 600, 20, 6, 1.0);
    for (int i = 0; i < 100; i++) d2.c_muni[i * 3] = 55;
    lm_candidate_cols all = tu_ccols(&d2, 0);
    cr_assert_eq(lm_pool_add_candidates(p, &all, 600), LM_ERR_DUPLICATE, "add refuses existing ids");
    cr_assert_eq(lm_pool_upsert_candidates(p, &all, 600), LM_OK);
    cr_assert_eq(count(p, LM_SIDE_CANDIDATE), 600);
    lm_snapshot *s4;
    lm_pool_snapshot(&s4, p);
    size_t n4 = 0;
    int64_t *ids4 = ids_of(s4, LM_SIDE_CANDIDATE, &n4);
    size_t n2 = 0;
    int64_t *ids2 = ids_of(s2, LM_SIDE_CANDIDATE, &n2);
    cr_assert_eq(n4, n2);
    cr_assert_arr_eq(ids4, ids2, n4 * sizeof *ids4);
    v.org = d2.c_org[3];
    cr_assert_eq(lm_engine_explain(&m1, sizeof m1, e, s4, &v, d.v_id[0], d2.c_id[3]), LM_OK);
    cr_assert_eq(m1.candidate_municipality, 55);
    free(ids4);
    free(ids2);
    lm_snapshot_free(s1);
    lm_snapshot_free(s2);
    lm_snapshot_free(s3);
    lm_snapshot_free(s4);
    lm_engine_free(e);
    lm_pool_free(p);
    tu_free(&d);
    tu_free(&d2);
}

/* Snapshots outlive their pool. */
Test(pool, snapshot_outlives_pool) {
    tu_data d;
    tu_generate(&d, 6, 300, 3, 4, 1.0);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    lm_pool_free(p);
    size_t n;
    cr_assert_eq(lm_snapshot_count(&n, s, LM_SIDE_CANDIDATE), LM_OK);
    cr_assert_eq(n, 300);
    int in;
    lm_snapshot_contains(&in, s, LM_SIDE_CANDIDATE, d.c_id[299]);
    cr_assert(in);
    lm_snapshot_free(s);
    lm_snapshot_free(NULL);
    cr_assert_eq(lm_snapshot_count(NULL, s, 0), LM_ERR_NULL);
    cr_assert_eq(lm_snapshot_dim(NULL), 0);
    cr_assert_eq(lm_snapshot_version(NULL), 0);
    tu_free(&d);
}

/* Many small batches and removals in random order keep the pool consistent
 * with a simple model (a set of ids). */
Test(pool, random_sequence_matches_model) {
    tu_data d;
    tu_generate(&d, 8, 3000, 1, 3, 1.0);
    lm_pool *p;
    lm_pool_create(&p, 3);
    char *in = calloc(d.nc, 1);
    uint64_t rs = 99;
    size_t live = 0;
    for (int step = 0; step < 400; step++) {
        size_t first = (size_t)tu_int(&rs, 0, (int)d.nc - 20), n = (size_t)tu_int(&rs, 1, 20);
        if (tu_unif(&rs) < 0.6) {
            lm_candidate_cols c = tu_ccols(&d, first);
            cr_assert_eq(lm_pool_upsert_candidates(p, &c, n), LM_OK);
            for (size_t i = first; i < first + n; i++) live += !in[i], in[i] = 1;
        } else {
            int64_t ids[20];
            size_t k = 0;
            for (size_t i = first; i < first + n; i++)
                if (in[i]) ids[k++] = d.c_id[i];
            if (!k) continue;
            cr_assert_eq(lm_pool_remove_candidates(p, ids, k), LM_OK);
            for (size_t i = first; i < first + n; i++) live -= in[i], in[i] = 0;
        }
        cr_assert_eq(count(p, LM_SIDE_CANDIDATE), live);
    }
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    for (size_t i = 0; i < d.nc; i++) {
        int has;
        lm_snapshot_contains(&has, s, LM_SIDE_CANDIDATE, d.c_id[i]);
        cr_assert_eq(has, in[i], "id %zu", i);
    }
    lm_snapshot_free(s);
    free(in);
    lm_pool_free(p);
    tu_free(&d);
}

/* The internal sync used by database loads: both sides change in one version
 * or not at all. */
#include "internal.h"
Test(pool, sync_both_sides_atomically) {
    tu_data d;
    tu_generate(&d, 12, 100, 50, 4, 1.0);
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s0;
    lm_pool_snapshot(&s0, p);
    tu_data d2;
    tu_generate(&d2, 12, 100, 50, 4, 1.0);
    for (size_t i = 0; i < 100; i++) d2.c_muni[i] = 77;
    d2.v_slots[40] = -1; /* one bad vacancy */
    lm_candidate_cols c = tu_ccols(&d2, 0);
    lm_vacancy_cols v = tu_vcols(&d2, 0);
    int64_t cdel[3] = {d.c_id[1], d.c_id[2], 4242424242LL}; /* the last is unknown: ignored */
    lm_pool_change ch = {&c, 50, cdel, 3, &v, 50, NULL, 0};
    c = tu_ccols(&d2, 10); /* rows 10..59 upserted, 1 and 2 deleted */
    cr_assert_eq(lm__pool_sync(p, &ch), LM_ERR_RANGE);
    cr_assert(strstr(lm_pool_errmsg(p), "row 40"));
    lm_snapshot *s1;
    lm_pool_snapshot(&s1, p);
    cr_assert_eq(s1, s0, "a bad vacancy leaves the candidates unchanged too");
    lm_snapshot_free(s1);
    d2.v_slots[40] = 2;
    int64_t vdel[1] = {d.v_id[49]};
    ch.vac_del = vdel;
    ch.nvac_del = 1;
    ch.nvac = 49;
    cr_assert_eq(lm__pool_sync(p, &ch), LM_OK, "%s", lm_pool_errmsg(p));
    lm_pool_snapshot(&s1, p);
    cr_assert_eq(lm_snapshot_version(s1), lm_snapshot_version(s0) + 1, "one version for the whole change");
    size_t n;
    lm_snapshot_count(&n, s1, LM_SIDE_CANDIDATE);
    cr_assert_eq(n, 98);
    lm_snapshot_count(&n, s1, LM_SIDE_VACANCY);
    cr_assert_eq(n, 49);
    int in;
    lm_snapshot_contains(&in, s1, LM_SIDE_CANDIDATE, d.c_id[1]);
    cr_assert_eq(in, 0);
    /* an id both written and deleted is refused */
    int64_t both[1] = {d2.c_id[10]};
    lm_pool_change bad = {&c, 5, both, 1, NULL, 0, NULL, 0};
    cr_assert_eq(lm__pool_sync(p, &bad), LM_ERR_DUPLICATE);
    lm_snapshot *s2;
    lm_pool_snapshot(&s2, p);
    cr_assert_eq(s2, s1);
    lm_snapshot_free(s0);
    lm_snapshot_free(s1);
    lm_snapshot_free(s2);
    lm_pool_free(p);
    tu_free(&d);
    tu_free(&d2);
}

/* The sync path warns about uncentred vectors like add/upsert, and centres
 * its rows with the pool's centre. */
Test(pool, sync_uncentred_warning_and_centre) {
    tu_data d;
    tu_generate(&d, 21, 20, 10, 6, 1.0);
    for (size_t i = 0; i < d.nc * d.dim; i++) d.c_vec[i] = 1.f + (float)(i % 7) * 0.25f; /* raw levels */
    for (size_t i = 0; i < d.nv * d.dim; i++) d.v_vec[i] = 1.f + (float)(i % 5) * 0.5f;
    lm_pool *p;
    lm_pool_create(&p, d.dim);
    lm_candidate_cols c = tu_ccols(&d, 0);
    lm_vacancy_cols v = tu_vcols(&d, 0);
    lm_pool_change ch = {&c, d.nc, NULL, 0, &v, d.nv, NULL, 0};
    cr_assert_eq(lm__pool_sync(p, &ch), LM_OK, "a warning is not an error");
    cr_assert(strstr(lm_pool_errmsg(p), "sync candidates: vectors look uncentred"), "%s", lm_pool_errmsg(p));
    float mean[6] = {1, 1, 1, 1, 1, 1};
    cr_assert_eq(lm_pool_set_centre(p, mean, 6), LM_OK);
    cr_assert_eq(lm__pool_sync(p, &ch), LM_OK);
    cr_assert_str_empty(lm_pool_errmsg(p), "a centred pool does not warn");
    /* the synced rows are centred: candidate 0's stored vector is (c - 1)/|c - 1| */
    lm_snapshot *s;
    lm_pool_snapshot(&s, p);
    const lm_tbl *t = s->side[LM_SIDE_CANDIDATE];
    uint32_t slot = (uint32_t)lm__side_find(t, d.c_id[0]);
    const float *vec = LM_COLP(lm__chunk_of(t, slot), t->L, LM_COL_VEC, float) + (size_t)(slot & (LM_CHUNK_ROWS - 1)) * t->L->vec_stride;
    double nrm = 0;
    for (int k = 0; k < 6; k++) nrm += (d.c_vec[k] - 1.0) * (d.c_vec[k] - 1.0);
    for (int k = 0; k < 6; k++) cr_assert(fabs(vec[k] - (d.c_vec[k] - 1.0) / sqrt(nrm)) < 1e-6);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}
