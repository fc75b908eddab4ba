/* Fuzz target: random API sequences checked against a model.
 *
 * The input is a program: byte 0 picks the dimension, then each op is one
 * byte followed by its arguments. Ops: add / upsert / remove candidates and
 * vacancies (rows from input bytes, sometimes with one invalid field or
 * optional columns left out), bulk rows from a PRNG (to cross chunk
 * boundaries), atomic two-sided sync (lm__pool_sync, what the database loader
 * uses), bad-argument calls, snapshot take / release, single queries both
 * ways, the batch, explanations, policy changes.
 *
 * The model is the set of ids per side with the fields visibility needs.
 * Checked after every op:
 *   - status: exactly the expected one (or, for invalid rows, a validation
 *     status) and a failed call changes nothing (version, counts, ids);
 *   - the pool's current ids equal the model; the version grows by one per
 *     successful update;
 *   - every held snapshot still shows exactly the ids, counts and version it
 *     had when taken (snapshot isolation), also after the pool is freed;
 *   - queries: only ids present in the snapshot and visible to the viewer,
 *     sorted by score then id, equal to a reference built from
 *     lm_engine_explain() over every pair (so batch == single queries ==
 *     explanations); an invisible candidate is reported exactly like a
 *     missing one, down to the error message modulo the id. */
#include "fuzz_common.h"

#include "internal.h" /* lm__pool_sync */

#define NU 320    /* id universe: more than one chunk of 256 rows */
#define MAXB 320  /* rows per batch */
#define MAXDIM 8
#define NHELD 4
#define TOL 1e-5f

static int64_t uid(int k) {
    switch (k) {
    case 0: return INT64_MIN;
    case 1: return INT64_MAX;
    case 2: return 0;
    case 3: return -1;
    default: return (int64_t)k * 7919 - 50000;
    }
}
static int uidx(int64_t id) {
    if (id == INT64_MIN) return 0;
    if (id == INT64_MAX) return 1;
    if (id == 0) return 2;
    if (id == -1) return 3;
    int64_t q = id + 50000;
    if (q % 7919 != 0) return -1;
    q /= 7919;
    return (q >= 4 && q < NU) ? (int)q : -1;
}
#define MISSING_ID 987654321012LL /* never in the universe */

typedef struct crow {
    int64_t org;
    int32_t muni, region;
    uint8_t scope;
} crow;

typedef struct model {
    uint8_t cp[NU], vp[NU]; /* present */
    crow c[NU];
    int32_t vregion[NU];
    uint64_t version;
} model;

static int model_count(const uint8_t *p) {
    int n = 0;
    for (int i = 0; i < NU; i++) n += p[i];
    return n;
}

static int visible(const lm_viewer *v, const crow *r) {
    if (v->org == r->org) return 1;
    switch (r->scope) {
    case LM_SCOPE_NATIONAL: return 1;
    case LM_SCOPE_REGION: return r->region != 0 && r->region == v->region;
    case LM_SCOPE_MUNICIPALITY: return r->muni != 0 && r->muni == v->municipality;
    default: return 0;
    }
}

/* ---- byte or PRNG source ------------------------------------------------------ */
typedef struct src {
    fz_in *in;
    uint64_t rng;
    int use_rng;
} src;
static uint8_t s8(src *s) { return s->use_rng ? (uint8_t)(fz_rng(&s->rng) >> 56) : fz_u8(s->in); }
/* Whether to make this row invalid: 1 in 32 rows from input bytes, 1 in
 * 16384 from the PRNG (bulk batches of hundreds of rows should mostly apply). */
static int corrupt(src *s) {
    if (!s->use_rng) return s8(s) % 32 == 0;
    return (fz_rng(&s->rng) & 16383) == 0;
}

/* ---- column buffers ---------------------------------------------------------- */
static struct {
    int64_t id[MAXB], org[MAXB];
    int32_t muni[MAXB], region[MAXB], zone[MAXB], avail[MAXB];
    double lat[MAXB], lon[MAXB];
    uint32_t groups[MAXB];
    uint8_t ready[MAXB], modes[MAXB], scope[MAXB];
    float lw[MAXB], vec[MAXB * MAXDIM], hmin[MAXB], hmax[MAXB], maxmin[MAXB], prio[MAXB];
    uint64_t flags[MAXB];
} CB;
static struct {
    int64_t id[MAXB], emp[MAXB];
    int32_t muni[MAXB], region[MAXB], zone[MAXB], slots[MAXB], open[MAXB];
    double lat[MAXB], lon[MAXB];
    float vec[MAXB * MAXDIM], w[MAXB * MAXDIM], hmin[MAXB], hmax[MAXB], minlw[MAXB];
    uint64_t req[MAXB];
    uint32_t acc[MAXB];
    uint8_t maxready[MAXB];
} VB;

static void place(src *s, int32_t *zone, double *lat, double *lon) {
    *zone = s8(s) % 9;
    if (s8(s) & 1) {
        *lat = *lon = NAN;
        if (*zone == 0) *zone = 1;
    } else {
        *lat = 52.0 + s8(s) / 256.0 * 0.5;
        *lon = 4.5 + s8(s) / 256.0 * 0.5;
    }
}

/* Column presence mask bits for candidates. */
enum { C_REGION = 1, C_READY = 2, C_LW = 4, C_FLAGS = 8, C_HOURS = 16, C_MODES = 32, C_MAXMIN = 64, C_AVAIL = 128,
       C_SCOPE = 256, C_PRIO = 512 };

/* Row i of CB; returns 1 if a field was made invalid. */
static int gen_cand(src *s, int i, int64_t id, uint32_t dim, unsigned mask) {
    CB.id[i] = id;
    CB.org[i] = 1 + s8(s) % 4;
    CB.muni[i] = 1 + s8(s) % 6;
    CB.region[i] = s8(s) % 3;
    place(s, &CB.zone[i], &CB.lat[i], &CB.lon[i]);
    CB.groups[i] = 1 + s8(s) % 63;
    CB.ready[i] = (uint8_t)(1 + s8(s) % 5);
    CB.lw[i] = (float)(s8(s) % 201);
    for (uint32_t j = 0; j < dim; j++) CB.vec[(size_t)i * dim + j] = (float)(int8_t)s8(s) / 32.f;
    CB.flags[i] = s8(s) & 7u;
    CB.hmin[i] = (float)(s8(s) % 40);
    CB.hmax[i] = CB.hmin[i] + (float)(s8(s) % 41);
    CB.modes[i] = (uint8_t)(1 + s8(s) % 15);
    CB.maxmin[i] = s8(s) % 4 == 0 ? 0.f : (float)(10 + s8(s) % 150);
    CB.avail[i] = s8(s) % 50;
    CB.scope[i] = s8(s) % 4;
    CB.prio[i] = s8(s) / 255.f;
    if (!corrupt(s)) return 0;
    switch (s8(s) % 12) {
    case 0: CB.muni[i] = 0; return 1;
    case 1: CB.groups[i] = 0; return 1;
    case 2: CB.groups[i] = 1u << 9; return 1; /* above LM_GROUP_KNOWN (1u << 7 is Wajong since 1.2) */
    case 3: CB.vec[(size_t)i * dim] = NAN; return 1;
    case 4: CB.lat[i] = 91.0; CB.lon[i] = 4.0; return 1;
    case 5: CB.lat[i] = INFINITY; return 1;
    case 6: if (!(mask & C_READY)) return 0; CB.ready[i] = 6; return 1;
    case 7: if (!(mask & C_LW)) return 0; CB.lw[i] = NAN; return 1;
    case 8: if (!(mask & C_HOURS)) return 0; CB.hmin[i] = 50; CB.hmax[i] = 40; return 1;
    case 9: if (!(mask & C_MODES)) return 0; CB.modes[i] = 0; return 1;
    case 10: if (!(mask & C_SCOPE)) return 0; CB.scope[i] = 4; return 1;
    default: if (!(mask & C_PRIO)) return 0; CB.prio[i] = 1.5f; return 1;
    }
}

static lm_candidate_cols ccols(uint32_t dim, unsigned mask) {
    lm_candidate_cols c = LM_CANDIDATE_COLS_INIT;
    c.dim = dim;
    c.id = CB.id; c.owner_org = CB.org; c.municipality = CB.muni; c.zone = CB.zone; c.lat = CB.lat; c.lon = CB.lon;
    c.groups = CB.groups; c.vectors = CB.vec;
    if (mask & C_REGION) c.region = CB.region;
    if (mask & C_READY) c.readiness = CB.ready;
    if (mask & C_LW) c.loonwaarde = CB.lw;
    if (mask & C_FLAGS) c.flags = CB.flags;
    if (mask & C_HOURS) { c.hours_min = CB.hmin; c.hours_max = CB.hmax; }
    if (mask & C_MODES) c.modes = CB.modes;
    if (mask & C_MAXMIN) c.max_minutes = CB.maxmin;
    if (mask & C_AVAIL) c.available_from = CB.avail;
    if (mask & C_SCOPE) c.scope = CB.scope;
    if (mask & C_PRIO) c.priority = CB.prio;
    return c;
}

enum { V_REGION = 1, V_W = 2, V_REQ = 4, V_HOURS = 8, V_SLOTS = 16, V_ACC = 32, V_MINLW = 64, V_READY = 128,
       V_OPEN = 256 };

static int gen_vac(src *s, int i, int64_t id, uint32_t dim, unsigned mask) {
    VB.id[i] = id;
    VB.emp[i] = 1 + s8(s) % 20;
    VB.muni[i] = 1 + s8(s) % 6;
    VB.region[i] = s8(s) % 3;
    place(s, &VB.zone[i], &VB.lat[i], &VB.lon[i]);
    for (uint32_t j = 0; j < dim; j++) {
        VB.vec[(size_t)i * dim + j] = (float)(int8_t)s8(s) / 32.f;
        VB.w[(size_t)i * dim + j] = (float)(s8(s) % 64) / 16.f;
    }
    VB.req[i] = s8(s) % 4 == 0 ? (s8(s) & 7u) : 0;
    VB.hmin[i] = (float)(s8(s) % 40);
    VB.hmax[i] = VB.hmin[i] + (float)(s8(s) % 41);
    VB.slots[i] = s8(s) % 4;
    VB.acc[i] = s8(s) % 2 ? 63u : 1u + s8(s) % 63;
    VB.minlw[i] = s8(s) % 2 ? 0.f : (float)(s8(s) % 120);
    VB.maxready[i] = (uint8_t)(1 + s8(s) % 5);
    VB.open[i] = 20 + s8(s) % 200;
    if (!corrupt(s)) return 0;
    switch (s8(s) % 10) {
    case 0: VB.muni[i] = -1; return 1;
    case 1: VB.vec[(size_t)i * dim] = INFINITY; return 1;
    case 2: VB.lat[i] = 10.0; VB.lon[i] = NAN; return 1;
    case 3: if (!(mask & V_W)) return 0; VB.w[(size_t)i * dim] = -1.f; return 1;
    case 4: if (!(mask & V_SLOTS)) return 0; VB.slots[i] = -1; return 1;
    case 5: if (!(mask & V_SLOTS)) return 0; VB.slots[i] = 2000000; return 1;
    case 6: if (!(mask & V_ACC)) return 0; VB.acc[i] = 0; return 1;
    case 7: if (!(mask & V_READY)) return 0; VB.maxready[i] = 0; return 1;
    case 8: if (!(mask & V_OPEN)) return 0; VB.open[i] = -5; return 1;
    default: if (!(mask & V_HOURS)) return 0; VB.hmax[i] = 81.f; return 1;
    }
}

static lm_vacancy_cols vcols(uint32_t dim, unsigned mask) {
    lm_vacancy_cols v = LM_VACANCY_COLS_INIT;
    v.dim = dim;
    v.id = VB.id; v.employer_id = VB.emp; v.municipality = VB.muni; v.zone = VB.zone; v.lat = VB.lat; v.lon = VB.lon;
    v.vectors = VB.vec;
    if (mask & V_REGION) v.region = VB.region;
    if (mask & V_W) v.weights = VB.w;
    if (mask & V_REQ) v.required_flags = VB.req;
    if (mask & V_HOURS) { v.hours_min = VB.hmin; v.hours_max = VB.hmax; }
    if (mask & V_SLOTS) v.slots = VB.slots;
    if (mask & V_ACC) v.accepted_groups = VB.acc;
    if (mask & V_MINLW) v.min_loonwaarde = VB.minlw;
    if (mask & V_READY) v.max_readiness = VB.maxready;
    if (mask & V_OPEN) v.open_until = VB.open;
    return v;
}

static void model_put_cand(model *m, int i, unsigned mask) {
    int k = uidx(CB.id[i]);
    m->cp[k] = 1;
    m->c[k] = (crow){CB.org[i], CB.muni[i], (mask & C_REGION) ? CB.region[i] : 0,
                     (mask & C_SCOPE) ? CB.scope[i] : (uint8_t)LM_SCOPE_ORG};
}
static void model_put_vac(model *m, int i, unsigned mask) {
    int k = uidx(VB.id[i]);
    m->vp[k] = 1;
    m->vregion[k] = (mask & V_REGION) ? VB.region[i] : 0;
}

/* ---- the state under test ------------------------------------------------------ */
typedef struct held {
    lm_snapshot *s;
    model m;
} held;

typedef struct world {
    uint32_t dim;
    lm_pool *pool;
    lm_engine *eng[2];
    lm_travel *travel;
    lm_policy *pol;
    model cur;
    held h[NHELD];
} world;

static void check_ids(const lm_snapshot *s, const model *m, const char *what) {
    static int64_t ids[NU + 8];
    for (int side = 0; side < 2; side++) {
        const uint8_t *pres = side == LM_SIDE_CANDIDATE ? m->cp : m->vp;
        size_t n = 0, need = 0;
        FZ_CHECK(lm_snapshot_count(&n, s, side) == LM_OK, "count");
        FZ_CHECK(n == (size_t)model_count(pres), "%s: side %d has %zu rows, model %d", what, side, n, model_count(pres));
        FZ_CHECK(lm_snapshot_ids(ids, NU + 8, &need, s, side) == LM_OK && need == n, "%s: ids", what);
        static uint8_t seen[NU];
        memset(seen, 0, sizeof seen);
        for (size_t i = 0; i < n; i++) {
            int k = uidx(ids[i]);
            FZ_CHECK(k >= 0 && pres[k] && !seen[k], "%s: side %d id %lld not in the model (or twice)", what, side,
                     (long long)ids[i]);
            seen[k] = 1;
        }
        if (n > 0) {
            size_t need2 = 0;
            FZ_CHECK(lm_snapshot_ids(ids, n - 1, &need2, s, side) == LM_ERR_BUFFER && need2 == n, "BUFFER contract");
        }
        int has = 0;
        int k = (int)(n % NU);
        FZ_CHECK(lm_snapshot_contains(&has, s, side, uid(k)) == LM_OK && has == pres[k], "%s: contains", what);
    }
    FZ_CHECK(lm_snapshot_version(s) == m->version, "%s: version %llu, expected %llu", what,
             (unsigned long long)lm_snapshot_version(s), (unsigned long long)m->version);
    FZ_CHECK(lm_snapshot_dim(s) > 0, "dim");
}

static void check_world(world *w, const char *what) {
    lm_snapshot *s = NULL;
    FZ_CHECK(lm_pool_snapshot(&s, w->pool) == LM_OK, "snapshot");
    check_ids(s, &w->cur, what);
    lm_snapshot_free(s);
    size_t n = 0;
    FZ_CHECK(lm_pool_count(&n, w->pool, LM_SIDE_CANDIDATE) == LM_OK && n == (size_t)model_count(w->cur.cp),
             "%s: pool count", what);
    for (int i = 0; i < NHELD; i++)
        if (w->h[i].s) check_ids(w->h[i].s, &w->h[i].m, "held snapshot");
}

/* After a call that must have failed: nothing changed. */
static int trace = -1;

static void expect_failed(world *w, int st, const char *what) {
    if (trace > 0) fprintf(stderr, "    %s failed as expected: %d %s\n", what, st, lm_pool_errmsg(w->pool));
    FZ_CHECK(st != LM_OK, "%s succeeded but should have failed", what);
    FZ_CHECK(lm_pool_errmsg(w->pool)[0] != '\0', "%s: status %d without a message", what, st);
    check_world(w, what);
}

/* ---- updates ------------------------------------------------------------------- */
static int dup_ids(const int64_t *ids, int n) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (ids[i] == ids[j]) return 1;
    return 0;
}

static void op_put(world *w, fz_in *in, int side, int add_only, int bulk) {
    src s = {in, 0, 0};
    int n, base = 0;
    if (bulk) {
        s.use_rng = 1;
        s.rng = fz_u64(in);
        n = 1 + fz_u16(in) % MAXB;
        base = fz_u16(in) % NU;
    } else {
        n = 1 + fz_u8(in) % 16;
    }
    unsigned mask = fz_u16(in);
    int invalid = 0;
    for (int i = 0; i < n; i++) {
        int k = bulk ? (base + i * 7) % NU : fz_u16(in) % NU; /* 7 and NU coprime: distinct */
        if (bulk && (fz_rng(&s.rng) & 511) == 0) k = (int)(fz_rng(&s.rng) % NU);
        invalid |= side == LM_SIDE_CANDIDATE ? gen_cand(&s, i, uid(k), w->dim, mask) : gen_vac(&s, i, uid(k), w->dim, mask);
    }
    const int64_t *ids = side == LM_SIDE_CANDIDATE ? CB.id : VB.id;
    const uint8_t *pres = side == LM_SIDE_CANDIDATE ? w->cur.cp : w->cur.vp;
    int st;
    if (side == LM_SIDE_CANDIDATE) {
        lm_candidate_cols c = ccols(w->dim, mask);
        st = add_only ? lm_pool_add_candidates(w->pool, &c, (size_t)n) : lm_pool_upsert_candidates(w->pool, &c, (size_t)n);
    } else {
        lm_vacancy_cols v = vcols(w->dim, mask);
        st = add_only ? lm_pool_add_vacancies(w->pool, &v, (size_t)n) : lm_pool_upsert_vacancies(w->pool, &v, (size_t)n);
    }
    const char *what = add_only ? "add" : "upsert";
    if (invalid) {
        FZ_CHECK(st == LM_ERR_RANGE || st == LM_ERR_NONFINITE, "%s with an invalid row: status %d (%s)", what, st,
                 lm_pool_errmsg(w->pool));
        expect_failed(w, st, what);
        return;
    }
    int exists = 0;
    for (int i = 0; i < n; i++) exists |= pres[uidx(ids[i])];
    if (dup_ids(ids, n) || (add_only && exists)) {
        FZ_CHECK(st == LM_ERR_DUPLICATE, "%s with a duplicate id: status %d (%s)", what, st, lm_pool_errmsg(w->pool));
        expect_failed(w, st, what);
        return;
    }
    FZ_CHECK(st == LM_OK, "%s of %d valid rows: status %d (%s)", what, n, st, lm_pool_errmsg(w->pool));
    for (int i = 0; i < n; i++) {
        if (side == LM_SIDE_CANDIDATE) model_put_cand(&w->cur, i, mask);
        else model_put_vac(&w->cur, i, mask);
    }
    w->cur.version++;
    check_world(w, what);
}

static void op_remove(world *w, fz_in *in, int side) {
    int n = 1 + fz_u8(in) % 16;
    static int64_t ids[32];
    for (int i = 0; i < n; i++) ids[i] = uid(fz_u16(in) % NU);
    uint8_t *pres = side == LM_SIDE_CANDIDATE ? w->cur.cp : w->cur.vp;
    int st = side == LM_SIDE_CANDIDATE ? lm_pool_remove_candidates(w->pool, ids, (size_t)n)
                                       : lm_pool_remove_vacancies(w->pool, ids, (size_t)n);
    if (dup_ids(ids, n)) {
        FZ_CHECK(st == LM_ERR_DUPLICATE, "remove with an id twice: %d", st);
        expect_failed(w, st, "remove");
        return;
    }
    int missing = 0;
    for (int i = 0; i < n; i++) missing |= !pres[uidx(ids[i])];
    if (missing) {
        FZ_CHECK(st == LM_ERR_UNKNOWN_ID, "remove of a missing id: %d", st);
        expect_failed(w, st, "remove");
        return;
    }
    FZ_CHECK(st == LM_OK, "remove: %d %s", st, lm_pool_errmsg(w->pool));
    for (int i = 0; i < n; i++) pres[uidx(ids[i])] = 0;
    w->cur.version++;
    check_world(w, "remove");
}

/* Both sides, upserts and deletions, one atomic change. */
static void op_sync(world *w, fz_in *in) {
    src s = {in, fz_u64(in), 1};
    int nc = fz_u8(in) % 48, nv = fz_u8(in) % 24, ncd = fz_u8(in) % 12, nvd = fz_u8(in) % 8;
    unsigned cmask = fz_u16(in), vmask = fz_u16(in);
    int invalid = 0;
    for (int i = 0; i < nc; i++) invalid |= gen_cand(&s, i, uid((int)(fz_rng(&s.rng) % NU)), w->dim, cmask);
    for (int i = 0; i < nv; i++) invalid |= gen_vac(&s, i, uid((int)(fz_rng(&s.rng) % NU)), w->dim, vmask);
    int64_t cdel[16], vdel[16];
    for (int i = 0; i < ncd; i++) cdel[i] = uid(fz_u16(in) % NU);
    for (int i = 0; i < nvd; i++) vdel[i] = uid(fz_u16(in) % NU);
    lm_candidate_cols c = ccols(w->dim, cmask);
    lm_vacancy_cols v = vcols(w->dim, vmask);
    lm_pool_change ch = {nc ? &c : NULL, (size_t)nc, ncd ? cdel : NULL, (size_t)ncd,
                         nv ? &v : NULL, (size_t)nv, nvd ? vdel : NULL, (size_t)nvd};
    int st = lm__pool_sync(w->pool, &ch);
    if (invalid) {
        FZ_CHECK(st == LM_ERR_RANGE || st == LM_ERR_NONFINITE, "sync with an invalid row: %d (%s)", st,
                 lm_pool_errmsg(w->pool));
        expect_failed(w, st, "sync");
        return;
    }
    static int64_t all[64];
    int dup = 0;
    memcpy(all, CB.id, (size_t)nc * sizeof *all);
    memcpy(all + nc, cdel, (size_t)ncd * sizeof *all);
    dup |= dup_ids(all, nc + ncd);
    memcpy(all, VB.id, (size_t)nv * sizeof *all);
    memcpy(all + nv, vdel, (size_t)nvd * sizeof *all);
    dup |= dup_ids(all, nv + nvd);
    if (dup) {
        FZ_CHECK(st == LM_ERR_DUPLICATE, "sync with an id twice on one side: %d (%s)", st, lm_pool_errmsg(w->pool));
        expect_failed(w, st, "sync");
        return;
    }
    FZ_CHECK(st == LM_OK, "sync: %d %s", st, lm_pool_errmsg(w->pool));
    for (int i = 0; i < nc; i++) model_put_cand(&w->cur, i, cmask);
    for (int i = 0; i < nv; i++) model_put_vac(&w->cur, i, vmask);
    for (int i = 0; i < ncd; i++) w->cur.cp[uidx(cdel[i])] = 0;
    for (int i = 0; i < nvd; i++) w->cur.vp[uidx(vdel[i])] = 0;
    w->cur.version++;
    check_world(w, "sync");
}

static void op_bad_args(world *w, fz_in *in) {
    src s = {in, 1, 1};
    gen_cand(&s, 0, uid(5), w->dim, 0);
    CB.muni[0] = 1; CB.groups[0] = 1; CB.vec[0] = 0.5f; CB.lat[0] = 52; CB.lon[0] = 5; /* valid whatever happened */
    lm_candidate_cols c = ccols(w->dim, 0);
    int st;
    switch (fz_u8(in) % 7) {
    case 0: st = lm_pool_add_candidates(w->pool, &c, 0); FZ_CHECK(st == LM_ERR_INVALID, "n = 0: %d", st); break;
    case 1: c.struct_size = 8; st = lm_pool_add_candidates(w->pool, &c, 1); FZ_CHECK(st == LM_ERR_INVALID, "struct_size: %d", st); break;
    case 2: c.dim = w->dim + 1; st = lm_pool_add_candidates(w->pool, &c, 1); FZ_CHECK(st == LM_ERR_DIMENSION, "dim: %d", st); break;
    case 3: c.groups = NULL; st = lm_pool_upsert_candidates(w->pool, &c, 1); FZ_CHECK(st == LM_ERR_NULL, "NULL column: %d", st); break;
    case 4: st = lm_pool_add_candidates(w->pool, NULL, 1); FZ_CHECK(st == LM_ERR_NULL, "NULL cols: %d", st); break;
    case 5: st = lm_pool_remove_vacancies(w->pool, NULL, 1); FZ_CHECK(st == LM_ERR_NULL, "NULL ids: %d", st); break;
    default: st = lm_pool_add_candidates(w->pool, &c, (size_t)LM_MAX_BATCH + 1); FZ_CHECK(st == LM_ERR_LIMIT, "limit: %d", st); break;
    }
    expect_failed(w, st, "bad arguments");
}

/* ---- snapshots ----------------------------------------------------------------- */
static void op_snapshot(world *w, fz_in *in) {
    int slot = fz_u8(in) % NHELD;
    lm_snapshot_free(w->h[slot].s);
    w->h[slot].s = NULL;
    FZ_CHECK(lm_pool_snapshot(&w->h[slot].s, w->pool) == LM_OK, "snapshot");
    w->h[slot].m = w->cur;
    check_ids(w->h[slot].s, &w->h[slot].m, "new snapshot");
}

static void op_release(world *w, fz_in *in) {
    int slot = fz_u8(in) % NHELD;
    lm_snapshot_free(w->h[slot].s);
    w->h[slot].s = NULL;
}

/* A snapshot to query: a held one, or a fresh one of the current state. */
static lm_snapshot *pick(world *w, fz_in *in, const model **m, int *fresh) {
    int slot = fz_u8(in) % (NHELD + 1);
    if (slot < NHELD && w->h[slot].s) {
        *m = &w->h[slot].m;
        *fresh = 0;
        return w->h[slot].s;
    }
    lm_snapshot *s = NULL;
    FZ_CHECK(lm_pool_snapshot(&s, w->pool) == LM_OK, "snapshot");
    *m = &w->cur;
    *fresh = 1;
    return s;
}

static lm_viewer gen_viewer(fz_in *in) {
    lm_viewer v = LM_VIEWER_INIT;
    v.org = 1 + fz_u8(in) % 5;
    v.municipality = fz_u8(in) % 7;
    v.region = fz_u8(in) % 3;
    return v;
}

/* ---- reference lists from explanations ------------------------------------------ */
typedef struct ref {
    float score;
    int64_t id;
} ref;
static int ref_cmp(const void *a, const void *b) {
    const ref *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static void expl_message_of_missing(lm_engine *e, const lm_snapshot *s, const lm_viewer *v, int64_t vid, char *out,
                                    size_t cap) {
    lm_match m;
    int st = lm_engine_explain(&m, sizeof m, e, s, v, vid, MISSING_ID);
    FZ_CHECK(st == LM_ERR_UNKNOWN_ID, "explain of a missing candidate: %d", st);
    snprintf(out, cap, "%s", lm_engine_errmsg(e));
}

/* Explain one pair, checking the status against the model. Returns 1 and the
 * score when the pair is feasible. */
static int explain_pair(lm_engine *e, const lm_snapshot *s, const model *M, const lm_viewer *v, int vk, int ck,
                        float *score, char *miss /* cached message for a missing candidate, "" = not yet */) {
    lm_match m;
    memset(&m, 0xAB, sizeof m);
    int64_t vid = uid(vk), cid = uid(ck);
    int st = lm_engine_explain(&m, sizeof m, e, s, v, vid, cid);
    if (!M->vp[vk]) {
        FZ_CHECK(st == LM_ERR_UNKNOWN_ID, "explain with a missing vacancy: %d", st);
        return 0;
    }
    if (!M->cp[ck] || !visible(v, &M->c[ck])) {
        FZ_CHECK(st == LM_ERR_UNKNOWN_ID, "explain of a %s candidate: %d", M->cp[ck] ? "invisible" : "missing", st);
        char got[512], want[512], own[512] = "";
        snprintf(got, sizeof got, "%s", lm_engine_errmsg(e));
        if (!miss) miss = own;
        if (!miss[0]) expl_message_of_missing(e, s, v, vid, miss, 512);
        fz_subst_id(want, sizeof want, miss, MISSING_ID, cid);
        FZ_CHECK(strcmp(got, want) == 0, "explain message reveals the candidate: \"%s\" vs \"%s\"", got, want);
        return 0;
    }
    FZ_CHECK(st == LM_OK, "explain of a visible pair: %d %s", st, lm_engine_errmsg(e));
    FZ_CHECK(m.vacancy_id == vid && m.candidate_id == cid && m.rank == 0, "explain ids");
    FZ_CHECK(((m.constraint >= LM_CONSTRAINT_NONE && m.constraint <= LM_CONSTRAINT_MIN_SCORE) ||
              (m.constraint >= LM_CONSTRAINT_NEEDS && m.constraint <= LM_CONSTRAINT_LOCAL_ONLY)) && /* 1.2's */
                 m.constraint != LM_CONSTRAINT_VISIBILITY,
             "explain constraint %d for a visible candidate", m.constraint);
    FZ_CHECK(m.score >= 0.f && m.score <= 1.f, "score %g", (double)m.score);
    if (m.constraint != LM_CONSTRAINT_NONE) {
        FZ_CHECK(m.score == 0.f, "infeasible pair with score %g", (double)m.score);
        return 0;
    }
    FZ_CHECK(m.competence >= 0 && m.competence <= 1 && m.travel >= 0 && m.travel <= 1 && m.hours >= 0 &&
                 m.hours <= 1 && m.readiness >= 0 && m.readiness <= 1 && m.travel_mode >= 0 &&
                 m.travel_mode < LM_MODE_COUNT && m.travel_minutes >= 0,
             "explained components out of range");
    *score = m.score;
    return 1;
}

static ref REF[NU];

/* Feasible pairs of one vacancy (dir VACANCY) or one candidate (dir
 * CANDIDATE, vacancies of `region` only when non-zero), sorted. */
static int reference(lm_engine *e, const lm_snapshot *s, const model *M, const lm_viewer *v, int dir, int k0,
                     int32_t region) {
    int n = 0;
    char miss[512] = "";
    for (int k = 0; k < NU; k++) {
        float sc;
        if (dir == LM_DIR_VACANCY) {
            if (!M->cp[k]) continue;
            if (explain_pair(e, s, M, v, k0, k, &sc, miss)) REF[n++] = (ref){sc, uid(k)};
        } else {
            if (!M->vp[k] || (region && M->vregion[k] != region)) continue;
            if (explain_pair(e, s, M, v, k, k0, &sc, NULL)) REF[n++] = (ref){sc, uid(k)};
        }
    }
    qsort(REF, (size_t)n, sizeof *REF, ref_cmp);
    return n;
}

static lm_match ROWS[MAXB * 16];

/* Compare list `li` of direction `dir` of results r with the reference. */
static void check_list(const lm_results *r, int dir, size_t li, const model *M, const lm_viewer *v, uint32_t k,
                       int nref, const char *what) {
    int64_t lid = 0;
    size_t first = 0, len = 0;
    FZ_CHECK(lm_results_list(&lid, &first, &len, r, dir, li) == LM_OK, "%s: list", what);
    size_t want = (size_t)nref < k ? (size_t)nref : k;
    FZ_CHECK(len == want, "%s: list %lld has %zu rows, reference %zu (k %u)", what, (long long)lid, len, want, k);
    FZ_CHECK(len <= sizeof ROWS / sizeof ROWS[0], "too many rows");
    size_t copied = 0;
    /* an element size larger than ours: the tail must be zeroed */
    static unsigned char big[(sizeof(lm_match) + 8) * 64];
    size_t cap = len < 64 ? len : 64;
    if (cap) {
        memset(big, 0xEE, sizeof big);
        FZ_CHECK(lm_results_copy((lm_match *)(void *)big, sizeof(lm_match) + 8, cap, &copied, r, dir, first) == LM_OK &&
                     copied == cap, "%s: copy with a larger elem_size", what);
        for (size_t i = 0; i < cap; i++)
            for (size_t b = 0; b < 8; b++)
                FZ_CHECK(big[i * (sizeof(lm_match) + 8) + sizeof(lm_match) + b] == 0, "copy left the tail unset");
    }
    FZ_CHECK(lm_results_copy(ROWS, sizeof ROWS[0], len, &copied, r, dir, first) == LM_OK && copied == len,
             "%s: copy", what);
    for (size_t i = 0; i < len; i++) {
        const lm_match *m = &ROWS[i];
        int64_t other = dir == LM_DIR_VACANCY ? m->candidate_id : m->vacancy_id;
        int64_t self = dir == LM_DIR_VACANCY ? m->vacancy_id : m->candidate_id;
        int ck = uidx(m->candidate_id), vk = uidx(m->vacancy_id);
        FZ_CHECK(self == lid && ck >= 0 && vk >= 0, "%s: row ids", what);
        FZ_CHECK(M->cp[ck] && M->vp[vk], "%s: id not in the snapshot", what);
        FZ_CHECK(visible(v, &M->c[ck]), "%s: candidate %lld is not visible to the viewer", what,
                 (long long)m->candidate_id);
        FZ_CHECK(m->rank == i + 1 && m->constraint == LM_CONSTRAINT_NONE, "%s: rank/constraint", what);
        FZ_CHECK(m->score >= 0.f && m->score <= 1.f, "%s: score", what);
        if (i > 0)
            FZ_CHECK(ROWS[i - 1].score > m->score ||
                         (ROWS[i - 1].score == m->score &&
                          (dir == LM_DIR_VACANCY ? ROWS[i - 1].candidate_id : ROWS[i - 1].vacancy_id) < other),
                     "%s: rows not sorted by score then id", what);
        FZ_CHECK(fabsf(m->score - REF[i].score) <= TOL, "%s rank %zu: score %.8f, reference %.8f", what, i,
                 (double)m->score, (double)REF[i].score);
        if (other != REF[i].id) {
            int ok = 0;
            for (int q = 0; q < nref && !ok; q++)
                ok = REF[q].id == other && fabsf(REF[q].score - REF[i].score) <= TOL;
            FZ_CHECK(ok, "%s rank %zu: id %lld, reference %lld", what, i, (long long)other, (long long)REF[i].id);
        }
    }
}

static uint32_t gen_k(fz_in *in) {
    uint8_t b = fz_u8(in);
    if (b == 0xFF) return 0;
    if (b == 0xFE) return LM_MAX_K + 1;
    return 1 + b % 10;
}

static void op_query(world *w, fz_in *in, int dir) {
    const model *M;
    int fresh;
    lm_snapshot *s = pick(w, in, &M, &fresh);
    lm_engine *e = w->eng[fz_u8(in) & 1];
    lm_viewer v = gen_viewer(in);
    int k0 = fz_u16(in) % NU;
    uint32_t k = gen_k(in);
    lm_results *r = (lm_results *)(uintptr_t)1;
    int st = dir == LM_DIR_VACANCY ? lm_engine_query_vacancy(&r, e, s, &v, uid(k0), k)
                                   : lm_engine_query_candidate(&r, e, s, &v, uid(k0), k);
    if (k == 0 || k > LM_MAX_K) {
        FZ_CHECK(st == LM_ERR_RANGE && r == NULL, "k = %u: %d", k, st);
    } else if (dir == LM_DIR_VACANCY ? !M->vp[k0] : (!M->cp[k0] || !visible(&v, &M->c[k0]))) {
        FZ_CHECK(st == LM_ERR_UNKNOWN_ID && r == NULL, "query of a missing/invisible id: %d", st);
        if (dir == LM_DIR_CANDIDATE) {
            char got[512], miss[512], want[512];
            snprintf(got, sizeof got, "%s", lm_engine_errmsg(e));
            lm_results *r2 = NULL;
            FZ_CHECK(lm_engine_query_candidate(&r2, e, s, &v, MISSING_ID, k) == LM_ERR_UNKNOWN_ID, "missing id");
            snprintf(miss, sizeof miss, "%s", lm_engine_errmsg(e));
            fz_subst_id(want, sizeof want, miss, MISSING_ID, uid(k0));
            FZ_CHECK(strcmp(got, want) == 0, "query message reveals the candidate: \"%s\" vs \"%s\"", got, want);
        }
    } else {
        FZ_CHECK(st == LM_OK && r, "query: %d %s", st, lm_engine_errmsg(e));
        size_t nl = 0;
        FZ_CHECK(lm_results_lists(&nl, r, dir) == LM_OK && nl == 1, "one list");
        int nref = reference(e, s, M, &v, dir, k0, 0);
        check_list(r, dir, 0, M, &v, k, nref, dir == LM_DIR_VACANCY ? "query vacancy" : "query candidate");
        double sv = -1;
        FZ_CHECK(lm_results_stat(&sv, r, LM_STAT_SNAPSHOT_VERSION) == LM_OK && sv == (double)M->version,
                 "results snapshot version");
        int64_t x;
        FZ_CHECK(lm_results_list(&x, NULL, NULL, r, dir, 1) == LM_ERR_RANGE, "list index past the end");
        FZ_CHECK(lm_results_list(&x, NULL, NULL, r, dir ^ 1, 0) == LM_ERR_RANGE, "other direction is empty");
    }
    lm_results_free(r);
    if (fresh) lm_snapshot_free(s);
}

static void op_batch(world *w, fz_in *in) {
    const model *M;
    int fresh;
    lm_snapshot *s = pick(w, in, &M, &fresh);
    lm_engine *e = w->eng[fz_u8(in) & 1];
    lm_viewer v = gen_viewer(in);
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.k_candidates = gen_k(in);
    o.k_vacancies = gen_k(in);
    o.vacancy_region = fz_u8(in) % 4 == 0 ? 1 + fz_u8(in) % 2 : 0;
    lm_results *r = NULL;
    int st = lm_engine_batch(&r, e, s, &v, &o);
    if (o.k_candidates < 1 || o.k_candidates > LM_MAX_K || o.k_vacancies < 1 || o.k_vacancies > LM_MAX_K) {
        FZ_CHECK(st == LM_ERR_RANGE && !r, "batch k: %d", st);
        if (fresh) lm_snapshot_free(s);
        return;
    }
    FZ_CHECK(st == LM_OK && r, "batch: %d %s", st, lm_engine_errmsg(e));
    /* the lists: every vacancy (of the region) and every visible candidate */
    int nvac = 0, nvis = 0;
    for (int k = 0; k < NU; k++) {
        nvac += M->vp[k] && (!o.vacancy_region || M->vregion[k] == o.vacancy_region);
        nvis += M->cp[k] && visible(&v, &M->c[k]);
    }
    size_t nl[2];
    FZ_CHECK(lm_results_lists(&nl[0], r, LM_DIR_VACANCY) == LM_OK && nl[0] == (size_t)nvac, "batch: %zu vacancy lists, model %d",
             nl[0], nvac);
    FZ_CHECK(lm_results_lists(&nl[1], r, LM_DIR_CANDIDATE) == LM_OK && nl[1] == (size_t)nvis,
             "batch: %zu candidate lists, %d visible candidates", nl[1], nvis);
    int pairs = model_count(M->cp) * model_count(M->vp);
    for (int dir = 0; dir < 2; dir++) {
        static uint8_t seen[NU];
        memset(seen, 0, sizeof seen);
        for (size_t li = 0; li < nl[dir]; li++) {
            int64_t id;
            FZ_CHECK(lm_results_list(&id, NULL, NULL, r, dir, li) == LM_OK, "list");
            int k = uidx(id);
            FZ_CHECK(k >= 0 && !seen[k], "batch list id %lld unknown or twice", (long long)id);
            seen[k] = 1;
            if (dir == LM_DIR_VACANCY)
                FZ_CHECK(M->vp[k] && (!o.vacancy_region || M->vregion[k] == o.vacancy_region), "batch vacancy list");
            else
                FZ_CHECK(M->cp[k] && visible(&v, &M->c[k]), "batch lists an invisible candidate %lld", (long long)id);
            /* full reference for small pools, a sample of lists otherwise */
            if (pairs > 2500 && (li * 7 + (size_t)dir) % (nl[dir] / 3 + 1) != 0) continue;
            int nref = reference(e, s, M, &v, dir, k, dir == LM_DIR_CANDIDATE ? o.vacancy_region : 0);
            uint32_t kk = dir == LM_DIR_VACANCY ? o.k_candidates : o.k_vacancies;
            check_list(r, dir, li, M, &v, kk, nref, dir == LM_DIR_VACANCY ? "batch vacancy" : "batch candidate");
            /* and the single query gives the same list */
            if (dir == LM_DIR_VACANCY || !o.vacancy_region) {
                lm_results *q = NULL;
                int qs = dir == LM_DIR_VACANCY ? lm_engine_query_vacancy(&q, e, s, &v, id, kk)
                                               : lm_engine_query_candidate(&q, e, s, &v, id, kk);
                FZ_CHECK(qs == LM_OK, "single query: %d", qs);
                check_list(q, dir, 0, M, &v, kk, nref, "single query vs batch");
                lm_results_free(q);
            }
        }
    }
    /* results outlive the snapshot they came from */
    size_t cnt = 0;
    FZ_CHECK(lm_results_count(&cnt, r, LM_DIR_VACANCY) == LM_OK, "count");
    if (fresh && cnt > 0) {
        lm_match a, b;
        FZ_CHECK(lm_results_copy(&a, sizeof a, 1, NULL, r, LM_DIR_VACANCY, cnt - 1) == LM_OK, "copy");
        lm_snapshot_free(s);
        fresh = 0;
        FZ_CHECK(lm_results_copy(&b, sizeof b, 1, NULL, r, LM_DIR_VACANCY, cnt - 1) == LM_OK, "copy after free");
        FZ_CHECK(memcmp(&a, &b, sizeof a) == 0, "results changed when their snapshot was released");
    }
    FZ_CHECK(lm_results_copy(ROWS, sizeof ROWS[0], 4, NULL, r, LM_DIR_VACANCY, cnt + 1) == LM_ERR_RANGE, "copy past end");
    lm_results_free(r);
    if (fresh) lm_snapshot_free(s);
}

static void op_explain(world *w, fz_in *in) {
    const model *M;
    int fresh;
    lm_snapshot *s = pick(w, in, &M, &fresh);
    lm_viewer v = gen_viewer(in);
    float sc;
    lm_engine *e = w->eng[fz_u8(in) & 1];
    int vk = fz_u16(in) % NU;
    int ck = fz_u16(in) % NU;
    explain_pair(e, s, M, &v, vk, ck, &sc, NULL);
    if (fresh) lm_snapshot_free(s);
}

static void op_policy(world *w, fz_in *in) {
    int key = fz_int(in, 0, LM_POLICY_KEYS + 1) - 1;
    double val = fz_u8(in) % 2 ? fz_double(in) : (double)(fz_u8(in) % 100) / 50.0;
    double before = NAN, after = NAN;
    int valid_key = key >= 0 && key < LM_POLICY_KEYS;
    if (valid_key) lm_policy_get_f64(&before, w->pol, key);
    int st = lm_policy_set_f64(w->pol, key, val);
    if (!valid_key) {
        FZ_CHECK(st == LM_ERR_RANGE, "unknown policy key: %d", st);
        return;
    }
    lm_policy_get_f64(&after, w->pol, key);
    if (st == LM_OK) {
        FZ_CHECK(after == val, "policy reads %g after setting %g", after, val);
    } else {
        FZ_CHECK(st == LM_ERR_RANGE || st == LM_ERR_NONFINITE, "policy status %d", st);
        FZ_CHECK(after == before || (isnan(after) && isnan(before)), "failed policy set changed the value");
        FZ_CHECK(lm_policy_errmsg(w->pol)[0], "policy error without message");
    }
    FZ_CHECK(lm_engine_set_policy(w->eng[fz_u8(in) & 1], w->pol) == LM_OK, "set policy");
}

/* ---- driver ---------------------------------------------------------------------- */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_in in = {data, size, 0};
    static world W;
    world *w = &W;
    memset(w, 0, sizeof *w);
    w->dim = 1 + fz_u8(&in) % MAXDIM;
    FZ_CHECK(lm_pool_create(&w->pool, w->dim) == LM_OK, "pool");
    FZ_CHECK(lm_policy_create(&w->pol) == LM_OK, "policy");
    FZ_CHECK(lm_engine_create(&w->eng[0], NULL, NULL) == LM_OK, "engine");
    FZ_CHECK(lm_travel_create(&w->travel) == LM_OK, "travel");
    {
        int32_t zones[8];
        uint8_t cells[64];
        for (int i = 0; i < 8; i++) zones[i] = i + 1;
        for (int i = 0; i < 64; i++) cells[i] = (i % 9 == 0) ? 0 : (uint8_t)(i % 7 == 0 ? 255 : 5 + (i * 13) % 120);
        FZ_CHECK(lm_travel_set_matrix(w->travel, LM_MODE_PT, zones, 8, cells) == LM_OK, "matrix");
        FZ_CHECK(lm_travel_set_matrix(w->travel, LM_MODE_BIKE, zones, 4, cells) == LM_OK, "matrix");
    }
    FZ_CHECK(lm_engine_create(&w->eng[1], w->pol, w->travel) == LM_OK, "engine");
    FZ_CHECK(lm_engine_set_i64(w->eng[1], LM_ENGINE_THREADS, 2) == LM_OK, "threads");
    lm_travel_free(w->travel); /* the engine keeps its reference */

    if (trace < 0) trace = getenv("FUZZ_TRACE") != NULL;
    for (int ops = 0; ops < 48 && fz_more(&in); ops++) {
        uint8_t op = fz_u8(&in);
        if (trace)
            fprintf(stderr, "op %2d: %2d at byte %zu; version %llu, %d candidates, %d vacancies\n", ops, op % 20,
                    in.i - 1, (unsigned long long)w->cur.version, model_count(w->cur.cp), model_count(w->cur.vp));
        switch (op % 20) {
        case 0: case 1: op_put(w, &in, LM_SIDE_CANDIDATE, 1, 0); break;
        case 2: op_put(w, &in, LM_SIDE_CANDIDATE, 0, 0); break;
        case 3: op_put(w, &in, LM_SIDE_VACANCY, 1, 0); break;
        case 4: op_put(w, &in, LM_SIDE_VACANCY, 0, 0); break;
        case 5: op_remove(w, &in, LM_SIDE_CANDIDATE); break;
        case 6: op_remove(w, &in, LM_SIDE_VACANCY); break;
        case 7: {
            int side = fz_u8(&in) & 1;
            int add_only = fz_u8(&in) & 1;
            op_put(w, &in, side, add_only, 1);
            break;
        }
        case 8: op_sync(w, &in); break;
        case 9: op_bad_args(w, &in); break;
        case 10: case 11: op_snapshot(w, &in); break;
        case 12: op_release(w, &in); break;
        case 13: case 14: op_query(w, &in, LM_DIR_VACANCY); break;
        case 15: op_query(w, &in, LM_DIR_CANDIDATE); break;
        case 16: case 17: op_batch(w, &in); break;
        case 18: op_explain(w, &in); break;
        default: op_policy(w, &in); break;
        }
    }
    /* snapshots outlive their pool */
    lm_pool_free(w->pool);
    for (int i = 0; i < NHELD; i++) {
        if (w->h[i].s) check_ids(w->h[i].s, &w->h[i].m, "snapshot after the pool was freed");
        lm_snapshot_free(w->h[i].s);
    }
    lm_engine_free(w->eng[0]);
    lm_engine_free(w->eng[1]);
    lm_policy_free(w->pol);
    return 0;
}
