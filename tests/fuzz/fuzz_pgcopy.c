/* Fuzz target: the PostgreSQL binary COPY decoder (libmatch/src/pgcopy.h),
 * which turns bytes from the server into candidate / vacancy columns.
 *
 * Byte 0: bit 0 = side (0 candidates, 1 vacancies), bits 1..3 = dim - 1.
 * The rest is the COPY stream. Properties:
 *   - the decoder returns LM_OK or a documented error, never reads out of
 *     bounds (ASan), and every error has a message;
 *   - decode -> encode -> decode gives the same columns, bit for bit
 *     (NaN coordinates and NULLs normalise the same way both times);
 *   - the decoded rows fed to the pool through lm__pool_sync() (what the
 *     loader does) either apply atomically or change nothing.
 * Also drives the low-level reader lm__pgc_next() over the same bytes with
 * a small field capacity. */
#include "fuzz_common.h"

#include "pgcopy.h"

static int same_f32(const float *a, const float *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!(a[i] == b[i] || (isnan(a[i]) && isnan(b[i]))) || signbit(a[i]) != signbit(b[i])) return 0;
    return 1;
}
static int same_f64(const double *a, const double *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!(a[i] == b[i] || (isnan(a[i]) && isnan(b[i])))) return 0;
    return 1;
}
#define SAME(a, b, n) ((n) == 0 || memcmp((a), (b), (n) * sizeof *(a)) == 0)

static void check_cands_equal(const lm_pgc_cands *x, const lm_pgc_cands *y) {
    size_t n = x->n;
    FZ_CHECK(y->n == n && y->ndel == x->ndel, "round trip: %zu/%zu rows, %zu/%zu tombstones", x->n, y->n, x->ndel,
             y->ndel);
    FZ_CHECK(SAME(x->id, y->id, n) && SAME(x->owner_org, y->owner_org, n) && SAME(x->municipality, y->municipality, n) &&
                 SAME(x->region, y->region, n) && SAME(x->zone, y->zone, n) &&
                 SAME(x->available_from, y->available_from, n) && SAME(x->groups, y->groups, n) &&
                 SAME(x->readiness, y->readiness, n) && SAME(x->modes, y->modes, n) && SAME(x->scope, y->scope, n) &&
                 SAME(x->flags, y->flags, n),
             "round trip changed an integer column");
    FZ_CHECK(same_f64(x->lat, y->lat, n) && same_f64(x->lon, y->lon, n), "round trip changed coordinates");
    FZ_CHECK(same_f32(x->loonwaarde, y->loonwaarde, n) && same_f32(x->hours_min, y->hours_min, n) &&
                 same_f32(x->hours_max, y->hours_max, n) && same_f32(x->max_minutes, y->max_minutes, n) &&
                 same_f32(x->priority, y->priority, n) && same_f32(x->vectors, y->vectors, n * x->dim),
             "round trip changed a float column");
}

static void check_vacs_equal(const lm_pgc_vacs *x, const lm_pgc_vacs *y) {
    size_t n = x->n;
    FZ_CHECK(y->n == n && y->ndel == x->ndel, "round trip: %zu/%zu rows", x->n, y->n);
    FZ_CHECK(SAME(x->id, y->id, n) && SAME(x->employer_id, y->employer_id, n) &&
                 SAME(x->municipality, y->municipality, n) && SAME(x->region, y->region, n) && SAME(x->zone, y->zone, n) &&
                 SAME(x->slots, y->slots, n) && SAME(x->open_until, y->open_until, n) &&
                 SAME(x->required_flags, y->required_flags, n) && SAME(x->accepted_groups, y->accepted_groups, n) &&
                 SAME(x->max_readiness, y->max_readiness, n),
             "round trip changed an integer column");
    FZ_CHECK(same_f64(x->lat, y->lat, n) && same_f64(x->lon, y->lon, n), "round trip changed coordinates");
    FZ_CHECK(same_f32(x->hours_min, y->hours_min, n) && same_f32(x->hours_max, y->hours_max, n) &&
                 same_f32(x->min_loonwaarde, y->min_loonwaarde, n) && same_f32(x->vectors, y->vectors, n * x->dim) &&
                 same_f32(x->weights, y->weights, n * x->dim),
             "round trip changed a float column");
}

/* Feed decoded rows to a pool that already holds one row per side: either
 * the whole change applies or nothing changes. */
static void apply_to_pool(uint32_t dim, const lm_candidate_cols *c, size_t nc, const int64_t *cdel, size_t ncdel,
                          const lm_vacancy_cols *v, size_t nv, const int64_t *vdel, size_t nvdel) {
    lm_pool *p = NULL;
    FZ_CHECK(lm_pool_create(&p, dim) == LM_OK, "pool");
    lm_snapshot *before = NULL, *after = NULL;
    FZ_CHECK(lm_pool_snapshot(&before, p) == LM_OK, "snapshot");
    lm_pool_change ch = {c, nc, cdel, ncdel, v, nv, vdel, nvdel};
    int st = lm__pool_sync(p, &ch);
    FZ_CHECK(lm_pool_snapshot(&after, p) == LM_OK, "snapshot");
    size_t n0 = 0, n1 = 0;
    if (st == LM_OK) {
        FZ_CHECK(lm_snapshot_version(after) == lm_snapshot_version(before) + 1, "version after sync");
        lm_snapshot_count(&n0, after, LM_SIDE_CANDIDATE);
        lm_snapshot_count(&n1, after, LM_SIDE_VACANCY);
        FZ_CHECK(n0 == nc && n1 == nv, "sync OK but %zu/%zu rows for %zu/%zu", n0, n1, nc, nv);
        for (size_t i = 0; i < nc; i++) {
            int has = 0;
            lm_snapshot_contains(&has, after, LM_SIDE_CANDIDATE, c->id[i]);
            FZ_CHECK(has, "candidate %lld missing after sync", (long long)c->id[i]);
        }
    } else {
        FZ_CHECK(st == LM_ERR_RANGE || st == LM_ERR_NONFINITE || st == LM_ERR_DUPLICATE || st == LM_ERR_DIMENSION ||
                     st == LM_ERR_INVALID,
                 "sync status %d: %s", st, lm_pool_errmsg(p));
        FZ_CHECK(lm_pool_errmsg(p)[0], "sync error without message");
        FZ_CHECK(lm_snapshot_version(after) == lm_snapshot_version(before), "failed sync changed the version");
        lm_snapshot_count(&n0, after, LM_SIDE_CANDIDATE);
        lm_snapshot_count(&n1, after, LM_SIDE_VACANCY);
        FZ_CHECK(n0 == 0 && n1 == 0, "failed sync left rows");
    }
    lm_snapshot_free(before);
    lm_snapshot_free(after);
    lm_pool_free(p);
}

static int ok_status(int st) {
    return st == LM_OK || st == LM_ERR_FORMAT || st == LM_ERR_DIMENSION || st == LM_ERR_RANGE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    int side = data[0] & 1;
    uint32_t dim = 1u + ((data[0] >> 1) & 7u);
    const uint8_t *buf = data + 1;
    size_t len = size - 1;
    lm_err err;

    /* the low-level reader with a small capacity */
    {
        lm_pgc_reader r = {0};
        lm_pgc_field f[4];
        size_t pos = 0;
        for (int guard = 0; guard < 100000; guard++) {
            int nf = -1;
            err.msg[0] = 0;
            size_t before = pos;
            int st = lm__pgc_next(&r, buf, len, &pos, f, 4, &nf, &err);
            FZ_CHECK(pos <= len, "position %zu past %zu", pos, len);
            if (st < 0) {
                FZ_CHECK(st == LM_ERR_FORMAT && err.msg[0], "reader status %d without message", st);
                break;
            }
            if (st != 1) break;
            FZ_CHECK(nf >= 0 && nf <= 4 && pos > before, "reader returned %d fields, pos %zu -> %zu", nf, before, pos);
            for (int i = 0; i < nf; i++) {
                FZ_CHECK(f[i].len >= -1, "field length %d", (int)f[i].len);
                if (f[i].len >= 0) FZ_CHECK(f[i].p >= buf && f[i].p + f[i].len <= buf + len, "field out of the buffer");
            }
        }
    }

    err.msg[0] = 0;
    if (side == 0) {
        lm_pgc_cands c;
        lm__pgc_cands_init(&c, dim);
        int st = lm__pgc_decode_cands(&c, buf, len, &err);
        FZ_CHECK(ok_status(st), "decode status %d: %s", st, err.msg);
        if (st != LM_OK) FZ_CHECK(err.msg[0], "decode error %d without message", st);
        if (st == LM_OK) {
            lm_candidate_cols cols = lm__pgc_cands_cols(&c);
            lm_pgc_buf b = {0};
            lm__pgc_put_header(&b);
            for (size_t i = 0; i < c.n; i++) lm__pgc_put_cand(&b, &cols, i);
            lm__pgc_put_trailer(&b);
            FZ_CHECK(!b.oom, "encoder out of memory");
            lm_pgc_cands c2;
            lm__pgc_cands_init(&c2, dim);
            st = lm__pgc_decode_cands(&c2, b.p, b.len, &err);
            FZ_CHECK(st == LM_OK, "re-decoding the encoder's output: %d %s", st, err.msg);
            c2.ndel = c.ndel; /* the encoder writes live rows only */
            check_cands_equal(&c, &c2);
            if (c.n + c.ndel <= 600)
                apply_to_pool(dim, c.n ? &cols : NULL, c.n, c.del, c.ndel, NULL, 0, NULL, 0);
            lm__pgc_cands_free(&c2);
            lm__pgc_buf_free(&b);
        }
        lm__pgc_cands_free(&c);
    } else {
        lm_pgc_vacs v;
        lm__pgc_vacs_init(&v, dim);
        int st = lm__pgc_decode_vacs(&v, buf, len, &err);
        FZ_CHECK(ok_status(st), "decode status %d: %s", st, err.msg);
        if (st != LM_OK) FZ_CHECK(err.msg[0], "decode error %d without message", st);
        if (st == LM_OK) {
            lm_vacancy_cols cols = lm__pgc_vacs_cols(&v);
            lm_pgc_buf b = {0};
            lm__pgc_put_header(&b);
            for (size_t i = 0; i < v.n; i++) lm__pgc_put_vac(&b, &cols, i);
            lm__pgc_put_trailer(&b);
            FZ_CHECK(!b.oom, "encoder out of memory");
            lm_pgc_vacs v2;
            lm__pgc_vacs_init(&v2, dim);
            st = lm__pgc_decode_vacs(&v2, b.p, b.len, &err);
            FZ_CHECK(st == LM_OK, "re-decoding the encoder's output: %d %s", st, err.msg);
            v2.ndel = v.ndel;
            check_vacs_equal(&v, &v2);
            if (v.n + v.ndel <= 600)
                apply_to_pool(dim, NULL, 0, NULL, 0, v.n ? &cols : NULL, v.n, v.del, v.ndel);
            lm__pgc_vacs_free(&v2);
            lm__pgc_buf_free(&b);
        }
        lm__pgc_vacs_free(&v);
    }
    return 0;
}
