/* The binary COPY encoder and decoder alone (no server): round trips, and
 * malformed input gives LM_ERR_FORMAT without reading out of bounds. */
#include "pgtest.h"
#include "pgcopy.h"

TestSuite(pgcopy, .timeout = 60);

static lm_pgc_buf encode_cands(const tu_data *d) {
    lm_pgc_buf b = {0};
    lm__pgc_put_header(&b);
    lm_candidate_cols c = tu_ccols(d, 0);
    for (size_t i = 0; i < d->nc; i++) lm__pgc_put_cand(&b, &c, i);
    lm__pgc_put_trailer(&b);
    cr_assert(!b.oom);
    return b;
}

Test(pgcopy, candidates_round_trip) {
    tu_data d;
    tu_generate(&d, 3, 300, 0, 7, 0.5);
    d.c_lat[5] = d.c_lon[5] = NAN;
    lm_pgc_buf b = encode_cands(&d);
    lm_pgc_cands C;
    lm__pgc_cands_init(&C, d.dim);
    lm_err e = {{0}};
    cr_assert_eq(lm__pgc_decode_cands(&C, b.p, b.len, &e), LM_OK, "%s", e.msg);
    cr_assert_eq(C.n, d.nc);
    cr_assert_eq(C.ndel, 0);
    for (size_t i = 0; i < d.nc; i++) {
        cr_assert_eq(C.id[i], d.c_id[i]);
        cr_assert_eq(C.owner_org[i], d.c_org[i]);
        cr_assert_eq(C.municipality[i], d.c_muni[i]);
        cr_assert_eq(C.zone[i], d.c_zone[i]);
        cr_assert(i == 5 ? isnan(C.lat[i]) && isnan(C.lon[i]) : (C.lat[i] == d.c_lat[i] && C.lon[i] == d.c_lon[i]));
        cr_assert_eq(C.groups[i], d.c_groups[i]);
        cr_assert_eq(C.readiness[i], d.c_ready[i]);
        cr_assert_eq(C.modes[i], d.c_modes[i]);
        cr_assert_eq(C.scope[i], d.c_scope[i]);
        cr_assert_eq(C.flags[i], d.c_flags[i]);
        cr_assert_eq(C.available_from[i], d.c_avail[i]);
        cr_assert(C.loonwaarde[i] == d.c_lw[i] && C.hours_min[i] == d.c_hmin[i] && C.hours_max[i] == d.c_hmax[i] &&
                  C.max_minutes[i] == d.c_maxmin[i] && C.priority[i] == d.c_prio[i]);
        cr_assert(memcmp(C.vectors + i * d.dim, d.c_vec + i * d.dim, d.dim * sizeof(float)) == 0);
    }
    lm__pgc_cands_free(&C);
    lm__pgc_buf_free(&b);
    tu_free(&d);
}

Test(pgcopy, vacancies_round_trip_and_defaults) {
    tu_data d;
    tu_generate(&d, 4, 0, 200, 5, 0.5);
    lm_pgc_buf b = {0};
    lm__pgc_put_header(&b);
    lm_vacancy_cols v = tu_vcols(&d, 0);
    for (size_t i = 0; i < d.nv; i++) lm__pgc_put_vac(&b, &v, i);
    /* a row with every optional column absent */
    lm_vacancy_cols m = LM_VACANCY_COLS_INIT;
    m.dim = d.dim;
    m.id = d.v_id; m.employer_id = d.v_emp; m.municipality = d.v_muni; m.vectors = d.v_vec;
    lm__pgc_put_vac(&b, &m, 0);
    lm__pgc_put_trailer(&b);
    lm_pgc_vacs V;
    lm__pgc_vacs_init(&V, d.dim);
    lm_err e = {{0}};
    cr_assert_eq(lm__pgc_decode_vacs(&V, b.p, b.len, &e), LM_OK, "%s", e.msg);
    cr_assert_eq(V.n, d.nv + 1);
    for (size_t i = 0; i < d.nv; i++) {
        cr_assert(V.id[i] == d.v_id[i] && V.slots[i] == d.v_slots[i] && V.open_until[i] == d.v_open[i] &&
                  V.accepted_groups[i] == d.v_acc[i] && V.max_readiness[i] == d.v_maxready[i] &&
                  V.required_flags[i] == d.v_req[i] && V.min_loonwaarde[i] == d.v_minlw[i]);
        cr_assert(memcmp(V.weights + i * d.dim, d.v_w + i * d.dim, d.dim * sizeof(float)) == 0);
    }
    size_t k = d.nv;
    cr_assert_eq(V.slots[k], 1);
    cr_assert_eq(V.open_until[k], INT32_MAX);
    cr_assert_eq(V.accepted_groups[k], (uint32_t)LM_GROUP_ALL);
    cr_assert_eq(V.max_readiness[k], LM_READY_E);
    cr_assert(isnan(V.lat[k]));
    for (uint32_t j = 0; j < d.dim; j++) cr_assert_eq(V.weights[k * d.dim + j], 1.f);
    lm__pgc_vacs_free(&V);
    lm__pgc_buf_free(&b);
    tu_free(&d);
}

/* Every truncation and a sample of corruptions: an error or a clean decode,
 * never a crash (run under ASan / valgrind to see out-of-bounds reads). */
Test(pgcopy, truncated_and_corrupted_input) {
    tu_data d;
    tu_generate(&d, 5, 12, 0, 3, 1.0);
    lm_pgc_buf b = encode_cands(&d);
    lm_err e;
    for (size_t len = 0; len < b.len; len++) {
        uint8_t *copy = malloc(len + 1); /* exact size, so overreads are caught by tools */
        memcpy(copy, b.p, len);
        lm_pgc_cands C;
        lm__pgc_cands_init(&C, d.dim);
        int st = lm__pgc_decode_cands(&C, copy, len, &e);
        cr_assert_eq(st, LM_ERR_FORMAT, "truncated at %zu: status %d", len, st);
        lm__pgc_cands_free(&C);
        free(copy);
    }
    uint64_t s = 1;
    for (int iter = 0; iter < 3000; iter++) {
        uint8_t *copy = malloc(b.len);
        memcpy(copy, b.p, b.len);
        int flips = tu_int(&s, 1, 4);
        for (int f = 0; f < flips; f++) copy[tu_int(&s, 0, (int)b.len - 1)] = (uint8_t)tu_next(&s);
        lm_pgc_cands C;
        lm__pgc_cands_init(&C, d.dim);
        int st = lm__pgc_decode_cands(&C, copy, b.len, &e);
        cr_assert(st == LM_OK || st == LM_ERR_FORMAT || st == LM_ERR_DIMENSION || st == LM_ERR_RANGE,
                  "status %d", st);
        lm__pgc_cands_free(&C);
        free(copy);
    }
    /* specific malformations */
    lm_pgc_cands C;
    lm__pgc_cands_init(&C, d.dim);
    uint8_t *x = malloc(b.len + 1);
    memcpy(x, b.p, b.len);
    x[0] = 'Q';
    cr_assert_eq(lm__pgc_decode_cands(&C, x, b.len, &e), LM_ERR_FORMAT);
    cr_assert(strstr(e.msg, "signature"), "%s", e.msg);
    memcpy(x, b.p, b.len);
    x[b.len] = 0;
    cr_assert_eq(lm__pgc_decode_cands(&C, x, b.len + 1, &e), LM_ERR_FORMAT, "bytes after the trailer");
    lm__pgc_cands_free(&C);
    lm__pgc_cands_init(&C, d.dim + 1);
    cr_assert_eq(lm__pgc_decode_cands(&C, b.p, b.len, &e), LM_ERR_DIMENSION);
    char want[64];
    snprintf(want, sizeof want, "id %lld", (long long)d.c_id[0]);
    cr_assert(strstr(e.msg, want), "%s", e.msg);
    lm__pgc_cands_free(&C);
    /* a vacancy stream decoded as candidates: wrong column count */
    lm__pgc_cands_init(&C, d.dim);
    lm_pgc_buf vb = {0};
    tu_data dv;
    tu_generate(&dv, 6, 0, 3, 3, 1.0);
    lm_vacancy_cols vc = tu_vcols(&dv, 0);
    lm__pgc_put_header(&vb);
    lm__pgc_put_vac(&vb, &vc, 0);
    lm__pgc_put_trailer(&vb);
    cr_assert_eq(lm__pgc_decode_cands(&C, vb.p, vb.len, &e), LM_ERR_FORMAT);
    lm__pgc_cands_free(&C);
    lm__pgc_buf_free(&vb);
    free(x);
    lm__pgc_buf_free(&b);
    tu_free(&d);
    tu_free(&dv);
}

/* Tombstones need only the id; a NULL required column names the id. */
Test(pgcopy, tombstones_and_nulls) {
    lm_pgc_buf b = {0};
    lm__pgc_put_header(&b);
    lm__pgc_put_tuple(&b, LM_PGC_CAND_COLS);
    lm__pgc_put_i64(&b, 42);
    lm__pgc_put_bool(&b, true);
    for (int i = 2; i < LM_PGC_CAND_COLS; i++) lm__pgc_put_null(&b);
    lm__pgc_put_tuple(&b, LM_PGC_CAND_COLS);
    lm__pgc_put_i64(&b, 43);
    lm__pgc_put_bool(&b, false);
    for (int i = 2; i < LM_PGC_CAND_COLS; i++) lm__pgc_put_null(&b);
    lm__pgc_put_trailer(&b);
    lm_pgc_cands C;
    lm__pgc_cands_init(&C, 4);
    lm_err e;
    cr_assert_eq(lm__pgc_decode_cands(&C, b.p, b.len, &e), LM_ERR_FORMAT);
    cr_assert_eq(C.ndel, 1);
    cr_assert_eq(C.del[0], 42);
    cr_assert(strstr(e.msg, "id 43") && strstr(e.msg, "owner_org"), "%s", e.msg);
    lm__pgc_cands_free(&C);
    lm__pgc_buf_free(&b);
}

/* Result tuples have the documented column count and fixed size. */
Test(pgcopy, result_tuples) {
    lm_pgc_buf b = {0};
    lm_match m = {0};
    m.vacancy_id = 5; m.candidate_id = -7; m.rank = 3; m.score = 0.5f; m.travel_mode = 2;
    lm__pgc_put_header(&b);
    lm__pgc_put_result(&b, 9, 1, 0, &m, false);
    lm__pgc_put_proposal(&b, 9, 1, &m, false);
    lm__pgc_put_trailer(&b);
    lm_pgc_reader r = {0};
    lm_pgc_field f[LM_PGC_MAX_FIELDS];
    size_t pos = 0;
    int nf = 0;
    lm_err e;
    cr_assert_eq(lm__pgc_next(&r, b.p, b.len, &pos, f, LM_PGC_MAX_FIELDS, &nf, &e), 1);
    cr_assert_eq(nf, LM_PGC_RESULT_COLS);
    int64_t v;
    cr_assert(lm__pgc_i64(&f[4], &v) && v == -7);
    float sc;
    cr_assert(lm__pgc_f32(&f[6], &sc) && sc == 0.5f);
    cr_assert_eq(lm__pgc_next(&r, b.p, b.len, &pos, f, LM_PGC_MAX_FIELDS, &nf, &e), 1);
    cr_assert_eq(nf, LM_PGC_PROPOSAL_COLS);
    int32_t slot;
    cr_assert(lm__pgc_i32(&f[3], &slot) && slot == 3);
    cr_assert_eq(lm__pgc_next(&r, b.p, b.len, &pos, f, LM_PGC_MAX_FIELDS, &nf, &e), 2);
    lm__pgc_buf_free(&b);
}
