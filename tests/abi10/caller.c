/* An old-ABI caller (issue 14): this one source is compiled twice, against
 * the 1.0 headers kept in tests/abi10/include (column structs, lm_match and
 * options of their 1.0 sizes) and against the current headers, and both
 * binaries run against the current library. Each prints every result of a
 * pool of 1.0-only data (the six groups of 1.0, no support needs, no kinds):
 * queries both ways, the batch, explanations and the 1.0 element size of
 * lm_match. mk/abi10.mk requires both outputs to be identical, and this
 * program requires every call to succeed. Only the 1.0 API is used. */
#include <libmatch/libmatch.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define NC 240
#define NV 80
#define DIM 8

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n) {
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng >> 33) % n;
}
static float rndf(void) { return (float)rnd(1000000) / 1000000.f; }

#define CHECK(call)                                                                            \
    do {                                                                                       \
        int st_ = (call);                                                                      \
        if (st_ != LM_OK) {                                                                    \
            fprintf(stderr, "abi10 caller: %s failed: %d (%s)\n", #call, st_, lm_strerror(st_)); \
            exit(1);                                                                           \
        }                                                                                      \
    } while (0)

static void print_match(const char *tag, const lm_match *m) {
    /* the 1.0 fields only; %a prints floats exactly */
    printf("%s v=%lld c=%lld rank=%u con=%d score=%a comp=%a trav=%a hours=%a rdy=%a prio=%a min=%a mode=%d cm=%d vm=%d\n",
           tag, (long long)m->vacancy_id, (long long)m->candidate_id, m->rank, m->constraint, (double)m->score,
           (double)m->competence, (double)m->travel, (double)m->hours, (double)m->readiness, (double)m->priority,
           (double)m->travel_minutes, m->travel_mode, m->candidate_municipality, m->vacancy_municipality);
}

static void print_results(const char *tag, const lm_results *r, int32_t dir) {
    size_t n = 0;
    CHECK(lm_results_count(&n, r, dir));
    lm_match *m = calloc(n ? n : 1, sizeof *m);
    size_t got = 0;
    if (!m) exit(1);
    CHECK(lm_results_copy(m, sizeof *m, n, &got, r, dir, 0));
    if (got != n) exit(1);
    for (size_t i = 0; i < n; i++) print_match(tag, &m[i]);
    free(m);
}

int main(void) {
    static int64_t cid[NC], corg[NC], vid[NV], vemp[NV];
    static int32_t cmuni[NC], vmuni[NV], slots[NV];
    static double clat[NC], clon[NC], vlat[NV], vlon[NV];
    static uint32_t groups[NC], acc[NV];
    static uint8_t ready[NC], maxr[NV], scope[NC];
    static float cvec[NC * DIM], vvec[NV * DIM], lw[NC], minlw[NV], hmin[NV], hmax[NV];
    static uint64_t flags[NC], req[NV];
    static const int32_t munis[4] = {361, 383, 384, 388};
    for (int i = 0; i < NC; i++) {
        cid[i] = 1000 + i;
        corg[i] = 1 + rnd(3);
        cmuni[i] = munis[rnd(4)];
        clat[i] = 52.55 + 0.25 * rndf();
        clon[i] = 4.65 + 0.3 * rndf();
        groups[i] = 1u << rnd(6); /* the six groups of 1.0 */
        if (rnd(4) == 0) groups[i] |= 1u << rnd(6);
        ready[i] = (uint8_t)(1 + rnd(5));
        lw[i] = 40.f + 60.f * rndf();
        flags[i] = rnd(3) == 0 ? 1u : 0u;
        scope[i] = LM_SCOPE_NATIONAL;
        for (int j = 0; j < DIM; j++) cvec[i * DIM + j] = rndf() - 0.4f;
    }
    for (int i = 0; i < NV; i++) {
        vid[i] = 500 + i;
        vemp[i] = 70 + rnd(10);
        vmuni[i] = munis[rnd(4)];
        vlat[i] = 52.55 + 0.25 * rndf();
        vlon[i] = 4.65 + 0.3 * rndf();
        acc[i] = rnd(3) == 0 ? (1u << rnd(6)) | (1u << rnd(6)) : LM_GROUP_ALL; /* "open to all" in 1.0 */
        maxr[i] = (uint8_t)(2 + rnd(4));
        minlw[i] = rnd(4) == 0 ? 60.f : 0.f;
        hmin[i] = (float)(8 * rnd(3));
        hmax[i] = hmin[i] + 16.f + (float)(8 * rnd(3));
        slots[i] = 1 + (int32_t)rnd(2);
        req[i] = rnd(5) == 0 ? 1u : 0u;
        for (int j = 0; j < DIM; j++) vvec[i * DIM + j] = rndf() - 0.4f;
    }
    lm_pool *pool;
    CHECK(lm_pool_create(&pool, DIM));
    lm_candidate_cols c = LM_CANDIDATE_COLS_INIT;
    c.dim = DIM;
    c.id = cid;
    c.owner_org = corg;
    c.municipality = cmuni;
    c.lat = clat;
    c.lon = clon;
    c.groups = groups;
    c.readiness = ready;
    c.loonwaarde = lw;
    c.vectors = cvec;
    c.flags = flags;
    c.scope = scope;
    /* half added, the rest upserted: both entry points see this struct size */
    CHECK(lm_pool_add_candidates(pool, &c, NC / 2));
    c.id += NC / 2; c.owner_org += NC / 2; c.municipality += NC / 2; c.lat += NC / 2; c.lon += NC / 2;
    c.groups += NC / 2; c.readiness += NC / 2; c.loonwaarde += NC / 2; c.vectors += NC / 2 * DIM;
    c.flags += NC / 2; c.scope += NC / 2;
    CHECK(lm_pool_upsert_candidates(pool, &c, NC - NC / 2));
    lm_vacancy_cols v = LM_VACANCY_COLS_INIT;
    v.dim = DIM;
    v.id = vid;
    v.employer_id = vemp;
    v.municipality = vmuni;
    v.lat = vlat;
    v.lon = vlon;
    v.vectors = vvec;
    v.required_flags = req;
    v.hours_min = hmin;
    v.hours_max = hmax;
    v.slots = slots;
    v.accepted_groups = acc;
    v.min_loonwaarde = minlw;
    v.max_readiness = maxr;
    CHECK(lm_pool_upsert_vacancies(pool, &v, NV));
    fprintf(stderr, "abi10 caller: sizeof lm_candidate_cols %zu, lm_vacancy_cols %zu, lm_match %zu\n",
            sizeof(lm_candidate_cols), sizeof(lm_vacancy_cols), sizeof(lm_match));

    lm_snapshot *snap;
    CHECK(lm_pool_snapshot(&snap, pool));
    lm_engine *e;
    CHECK(lm_engine_create(&e, NULL, NULL));
    lm_viewer view = LM_VIEWER_INIT;
    view.org = 1;
    for (int q = 0; q < 6; q++) {
        lm_results *r;
        CHECK(lm_engine_query_vacancy(&r, e, snap, &view, vid[q * 13], 10));
        print_results("qv", r, LM_DIR_VACANCY);
        lm_results_free(r);
        CHECK(lm_engine_query_candidate(&r, e, snap, &view, cid[q * 37], 10));
        print_results("qc", r, LM_DIR_CANDIDATE);
        lm_results_free(r);
    }
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.k_candidates = 5;
    o.k_vacancies = 3;
    lm_results *b;
    CHECK(lm_engine_batch(&b, e, snap, &view, &o));
    print_results("bv", b, LM_DIR_VACANCY);
    print_results("bc", b, LM_DIR_CANDIDATE);
    lm_results_free(b);
    for (int q = 0; q < 40; q++) {
        lm_match m;
        CHECK(lm_engine_explain(&m, sizeof m, e, snap, &view, vid[q % NV], cid[(q * 7) % NC]));
        print_match("ex", &m);
    }
    lm_engine_free(e);
    lm_snapshot_free(snap);
    lm_pool_free(pool);
    return 0;
}
