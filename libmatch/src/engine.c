/* The engine: policy, travel model, options; single queries, explanations and
 * the nightly batch (top-k both ways). */
#include "internal.h"
#include "kernels.h"
#include "topk.h"

#include <string.h>
#include <time.h>

struct lm_engine {
    double pol[LM__POLICY_NKEYS];
    lm_history *history; /* referenced, frozen; NULL = none */
    lm_travel *travel; /* referenced, frozen */
    int64_t threads;
    int64_t kernel;    /* requested: LM_KERNEL_AUTO or a specific one */
    int64_t quantize;  /* 0 or 1 */
    int64_t count_feasible; /* 0 or 1 */
    lm_err err;
};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int lm_engine_create(lm_engine **out, const lm_policy *policy, lm_travel *travel) {
    if (!out) return LM_ERR_NULL;
    *out = NULL;
    lm_engine *e = lm__calloc(1, sizeof *e);
    if (!e) return LM_ERR_NOMEM;
    if (policy) memcpy(e->pol, policy->v, sizeof e->pol);
    else lm__policy_defaults(e->pol);
    if (travel) {
        e->travel = lm__travel_ref(travel);
    } else {
        int st = lm_travel_create(&e->travel);
        if (st) {
            lm__free(e);
            return st;
        }
    }
    lm__travel_freeze(e->travel);
    *out = e;
    return LM_OK;
}

void lm_engine_free(lm_engine *e) {
    if (!e) return;
    lm_travel_free(e->travel);
    lm_history_free(e->history);
    lm__free(e);
}

const char *lm_engine_errmsg(const lm_engine *e) { return e ? e->err.msg : "engine is NULL"; }

int lm_engine_set_policy(lm_engine *e, const lm_policy *policy) {
    if (!e) return LM_ERR_NULL;
    if (!policy) return lm__fail(&e->err, LM_ERR_NULL, "set policy: policy is NULL");
    memcpy(e->pol, policy->v, sizeof e->pol);
    lm__clear(&e->err);
    return LM_OK;
}

int lm_engine_set_history(lm_engine *e, lm_history *h) {
    if (!e) return LM_ERR_NULL;
    if (h && lm__history_freeze(h)) return lm__fail(&e->err, LM_ERR_NOMEM, "set history: out of memory");
    lm_history_free(e->history);
    e->history = lm__history_ref(h);
    lm__clear(&e->err);
    return LM_OK;
}

int lm_engine_set_i64(lm_engine *e, int32_t option, int64_t value) {
    if (!e) return LM_ERR_NULL;
    switch (option) {
    case LM_ENGINE_THREADS:
        if (value < 0 || value > 1024)
            return lm__fail(&e->err, LM_ERR_RANGE, "threads %lld not in 0..1024", (long long)value);
        e->threads = value;
        break;
    case LM_ENGINE_KERNEL:
        if (value < LM_KERNEL_AUTO || value > LM_KERNEL_AVX512)
            return lm__fail(&e->err, LM_ERR_RANGE, "kernel %lld unknown", (long long)value);
        if (value != LM_KERNEL_AUTO && value > lm__cpu_best_kernel())
            return lm__fail(&e->err, LM_ERR_UNSUPPORTED, "kernel %lld not supported by this CPU", (long long)value);
        e->kernel = value;
        break;
    case LM_ENGINE_QUANTIZE:
        if (value != 0 && value != 1) return lm__fail(&e->err, LM_ERR_RANGE, "quantize %lld not 0 or 1", (long long)value);
        e->quantize = value;
        break;
    case LM_ENGINE_COUNT_FEASIBLE:
        if (value != 0 && value != 1)
            return lm__fail(&e->err, LM_ERR_RANGE, "count_feasible %lld not 0 or 1", (long long)value);
        e->count_feasible = value;
        break;
    default: return lm__fail(&e->err, LM_ERR_RANGE, "engine option %d unknown", (int)option);
    }
    lm__clear(&e->err);
    return LM_OK;
}

int lm_engine_get_i64(int64_t *out, const lm_engine *e, int32_t option) {
    if (!out || !e) return LM_ERR_NULL;
    switch (option) {
    case LM_ENGINE_THREADS: *out = e->threads; return LM_OK;
    case LM_ENGINE_KERNEL: *out = e->kernel == LM_KERNEL_AUTO ? lm__cpu_best_kernel() : e->kernel; return LM_OK;
    case LM_ENGINE_QUANTIZE: *out = e->quantize; return LM_OK;
    case LM_ENGINE_COUNT_FEASIBLE: *out = e->count_feasible; return LM_OK;
    default: return LM_ERR_RANGE;
    }
}

/* ---- helpers ------------------------------------------------------------- */
static int check_query(lm_engine *e, const lm_snapshot *s, const lm_viewer *v, const char *what) {
    if (!s) return lm__fail(&e->err, LM_ERR_NULL, "%s: snapshot is NULL", what);
    if (!v) return lm__fail(&e->err, LM_ERR_NULL, "%s: viewer is NULL", what);
    if (v->struct_size < sizeof(lm_viewer))
        return lm__fail(&e->err, LM_ERR_INVALID, "%s: viewer struct_size %zu too small (use LM_VIEWER_INIT)", what,
                        v->struct_size);
    if (v->municipality < 0 || v->region < 0)
        return lm__fail(&e->err, LM_ERR_RANGE, "%s: viewer municipality/region must be >= 0", what);
    return LM_OK;
}

static void ctx_init(lm_eval_ctx *E, const lm_engine *e, const lm_snapshot *s, const lm_viewer *v) {
    memset(E, 0, sizeof *E);
    E->snap = s;
    E->LC = &s->layouts->cand;
    E->LV = &s->layouts->vac;
    lm__policy_eval(&E->pol, e->pol);
    E->travel = e->travel;
    E->viewer.struct_size = sizeof E->viewer;
    E->viewer.org = v->org;
    E->viewer.municipality = v->municipality;
    E->viewer.region = v->region;
}

static bool cand_visible(const lm_eval_ctx *E, uint32_t slot) {
    const lm_tbl *cs = E->snap->side[LM_SIDE_CANDIDATE];
    lm_chunk *c = lm__chunk_of(cs, slot);
    uint32_t r = slot & (LM_CHUNK_ROWS - 1);
    return lm__visible(&E->viewer, LM_COLP(c, E->LC, LM_COL_ORG, int64_t)[r], LM_COLP(c, E->LC, LM_COL_MUNI, int32_t)[r],
                       LM_COLP(c, E->LC, LM_COL_REGION, int32_t)[r], LM_COLP(c, E->LC, LM_COL_SCOPE, uint8_t)[r]);
}

static inline bool slot_live(const lm_tbl *s, const lm_layout *L, uint32_t slot) {
    return LM_COLP(lm__chunk_of(s, slot), L, LM_COL_LIVE, uint8_t)[slot & (LM_CHUNK_ROWS - 1)] != 0;
}

static inline int64_t slot_id(const lm_tbl *s, const lm_layout *L, uint32_t slot) {
    return LM_COLP(lm__chunk_of(s, slot), L, LM_COL_ID, int64_t)[slot & (LM_CHUNK_ROWS - 1)];
}

static lm_results *results_new(const lm_engine *e, const lm_eval_ctx *E) {
    lm_results *r = lm__calloc(1, sizeof *r);
    if (!r) return NULL;
    r->snap = lm__snapshot_ref(E->snap);
    r->ctx = *E;
    r->travel_ref = lm__travel_ref(e->travel);
    r->ctx.travel = r->travel_ref;
    r->hist = lm__history_ref(e->history);
    r->stat[LM_STAT_POLICY_VERSION] = E->pol.version;
    r->stat[LM_STAT_SNAPSHOT_VERSION] = (double)E->snap->version;
    r->stat[LM_STAT_KERNEL] = (double)(e->kernel == LM_KERNEL_AUTO ? lm__cpu_best_kernel() : e->kernel);
    r->stat[LM_STAT_THREADS] = 1;
    r->stat[LM_STAT_COMPETENCE_MODEL] = E->pol.competence_model;
    return r;
}

/* Move sorted heaps into direction `dir` of the results. */
static int results_fill(lm_results *r, int dir, size_t nlists, const uint32_t *slots, lm_topk *heaps) {
    size_t total = 0;
    for (size_t i = 0; i < nlists; i++) total += heaps[i].n;
    r->lists[dir] = lm__malloc((nlists ? nlists : 1) * sizeof *r->lists[dir]);
    r->hits[dir] = lm__malloc((total ? total : 1) * sizeof *r->hits[dir]);
    if (!r->lists[dir] || !r->hits[dir]) return LM_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < nlists; i++) {
        lm__topk_sort(&heaps[i]);
        r->lists[dir][i] = (lm_reslist){slots[i], heaps[i].n, k};
        for (uint32_t j = 0; j < heaps[i].n; j++)
            r->hits[dir][k++] = (lm_hit){heaps[i].e[j].slot, heaps[i].e[j].score, heaps[i].e[j].dot};
    }
    r->nlists[dir] = nlists;
    r->nhits[dir] = total;
    return LM_OK;
}

/* ---- single queries ------------------------------------------------------ */
/* The per-pair path of single queries: the rules and arithmetic of
 * lm__pair_eval(), in the cheapest order, with the score bound against the
 * k-th best so far checked before travel is computed. */
typedef struct qctx {
    const lm_eval_ctx *E;
    lm_kernels K;
    double access[LM_MODE_COUNT], mpk[LM_MODE_COUNT];
    double reach2; /* squared chord beyond which no allowed mode is in time */
    bool matrices;
    bool generic;  /* a model of the generic path: lm__competence() per pair */
    bool cov;      /* COSINE_COVERAGE: the cosine bounds the pair, the coverage follows for the pairs that pass */
    int vcol;      /* the vacancy vector column of a dot model */
} qctx;

static inline bool fast_pair(const qctx *Q, lm_chunk *cc, uint32_t cr, lm_chunk *vc, uint32_t vr, float thr,
                             float *out_score, float *out_dot) {
    const lm_layout *LC = Q->E->LC, *LV = Q->E->LV;
    const lm_policy_eval *P = &Q->E->pol;
    if (!(LM_COLP(cc, LC, LM_COL_GROUPS, uint32_t)[cr] & LM_COLP(vc, LV, LM_COL_GROUPS, uint32_t)[vr])) return false;
    uint8_t ready = LM_COLP(cc, LC, LM_COL_READY, uint8_t)[cr];
    if (ready > LM_COLP(vc, LV, LM_COL_READY, uint8_t)[vr]) return false;
    if (LM_COLP(cc, LC, LM_COL_LW, float)[cr] < LM_COLP(vc, LV, LM_COL_LW, float)[vr]) return false;
    uint64_t need = LM_COLP(vc, LV, LM_COL_FLAGS, uint64_t)[vr];
    if ((LM_COLP(cc, LC, LM_COL_FLAGS, uint64_t)[cr] & need) != need) return false;
    if (!lm__needs_met(LM_COLP(cc, LC, LM_COL_NEEDS, uint64_t)[cr], LM_COLP(vc, LV, LM_COL_NEEDS, uint64_t)[vr]))
        return false;
    if (!lm__local_ok(P, LM_COLP(cc, LC, LM_COL_MUNI, int32_t)[cr], LM_COLP(vc, LV, LM_COL_MUNI, int32_t)[vr]))
        return false;
    float cmin = LM_COLP(cc, LC, LM_COL_HMIN, float)[cr], cmax = LM_COLP(cc, LC, LM_COL_HMAX, float)[cr];
    float vmin = LM_COLP(vc, LV, LM_COL_HMIN, float)[vr], vmax = LM_COLP(vc, LV, LM_COL_HMAX, float)[vr];
    float lo = cmin > vmin ? cmin : vmin, hi = cmax < vmax ? cmax : vmax;
    if (lo > hi) return false;
    if (LM_COLP(cc, LC, LM_COL_DAY, int32_t)[cr] > LM_COLP(vc, LV, LM_COL_DAY, int32_t)[vr]) return false;
    const double *cx = LM_COLP(cc, LC, LM_COL_XYZ, double) + 3 * cr, *vx = LM_COLP(vc, LV, LM_COL_XYZ, double) + 3 * vr;
    double dx = cx[0] - vx[0], dy = cx[1] - vx[1], dz = cx[2] - vx[2];
    if (dx * dx + dy * dy + dz * dz > Q->reach2) return false; /* before touching the vector */
    float rdy = lm__readiness_term(P, ready), prio = LM_COLP(cc, LC, LM_COL_PRIO, float)[cr];
    float rest = P->w_travel + P->w_hours + P->w_ready * rdy + P->w_prio * prio + LM_BOUND_EPS;
    if (P->w_comp + rest < thr) return false; /* even a perfect competence match stays below the k-th best */
    float dot = Q->generic ? lm__competence(Q->E, cc, cr, vc, vr)
                           : Q->K.dot(LM_COLP(cc, LC, LM_COL_VEC, float) + (size_t)cr * LC->vec_stride,
                                      LM_COLP(vc, LV, Q->vcol, float) + (size_t)vr * LV->vec_stride, LC->dim);
    float comp = dot < 0.f ? 0.f : (dot > 1.f ? 1.f : dot);
    if (comp < P->min_competence) return false; /* COSINE_COVERAGE: the cosine bounds the competence */
    float ub = P->w_comp * comp + rest;
    if (ub < thr) return false;
    float limit = P->max_travel_min, own = LM_COLP(cc, LC, LM_COL_MAXMIN, float)[cr];
    if (own > 0 && own < limit) limit = own;
    uint32_t modes = LM_COLP(cc, LC, LM_COL_MODES, uint8_t)[cr] & P->allowed_modes;
    double best = INFINITY;
    if (!Q->matrices) {
        best = lm__geo_best(Q->access, Q->mpk, modes, cx, vx);
    } else {
        int32_t cz = LM_COLP(cc, LC, LM_COL_ZONE, int32_t)[cr], vz = LM_COLP(vc, LV, LM_COL_ZONE, int32_t)[vr];
        for (int m = 0; m < LM_MODE_COUNT; m++) {
            if (!(modes & (1u << m))) continue;
            double t = lm__travel_pair(Q->E->travel, m, cz, cx, vz, vx);
            if (t < best) best = t;
        }
    }
    if (!(best <= limit)) return false;
    if (Q->cov) { /* the cosine bounded the pair: its competence, as lm__competence() computes it */
        size_t co = (size_t)cr * LC->vec_stride, vo = (size_t)vr * LV->vec_stride;
        dot = comp = lm__cos_coverage(dot, lm__coverage(LM_COLP(cc, LC, LM_COL_RAW, float) + co,
                                                        LM_COLP(vc, LV, LM_COL_RAW, float) + vo,
                                                        LM_COLP(vc, LV, LM_COL_W, float) + vo, LC->dim,
                                                        P->overqualification));
        if (comp < P->min_competence) return false;
    }
    float trav = 1.f - (float)best / limit;
    float clen = cmax - cmin, vlen = vmax - vmin, len = clen < vlen ? clen : vlen;
    float hours = len > 0.f ? (hi - lo) / len : 1.f;
    float score = lm__score_combine(P, comp, trav, hours, rdy, prio);
    if (score < P->min_score) return false;
    *out_score = score;
    *out_dot = dot;
    return true;
}

#define LM_QPREFETCH 8 /* rows of prefetch distance in a single query */

static int query_one(lm_results **out, lm_engine *e, const lm_snapshot *s, const lm_viewer *v, int64_t id,
                     uint32_t k, int dir) {
    const char *what = dir == LM_DIR_VACANCY ? "query vacancy" : "query candidate";
    if (!out) return e ? lm__fail(&e->err, LM_ERR_NULL, "%s: out is NULL", what) : LM_ERR_NULL;
    *out = NULL;
    if (!e) return LM_ERR_NULL;
    int st = check_query(e, s, v, what);
    if (st) return st;
    if (k < 1 || k > LM_MAX_K) return lm__fail(&e->err, LM_ERR_RANGE, "%s: k = %u not in 1..%d", what, k, LM_MAX_K);
    double t0 = now_s();
    lm_eval_ctx E;
    ctx_init(&E, e, s, v);
    int side = dir == LM_DIR_VACANCY ? LM_SIDE_VACANCY : LM_SIDE_CANDIDATE;
    int64_t slot = lm__side_find(s->side[side], id);
    /* An invisible candidate is reported exactly like a missing one. */
    if (slot < 0 || (side == LM_SIDE_CANDIDATE && !cand_visible(&E, (uint32_t)slot)))
        return lm__fail(&e->err, LM_ERR_UNKNOWN_ID, "%s: no %s with id %lld", what,
                        side == LM_SIDE_VACANCY ? "vacancy" : "candidate", (long long)id);
    lm_topk h = {lm__malloc((size_t)k * sizeof(lm_topk_ent)), 0, k};
    if (!h.e) return lm__fail(&e->err, LM_ERR_NOMEM, "%s: out of memory", what);
    const lm_tbl *other = s->side[side == LM_SIDE_VACANCY ? LM_SIDE_CANDIDATE : LM_SIDE_VACANCY];
    const lm_layout *LO = side == LM_SIDE_VACANCY ? E.LC : E.LV;
    qctx Q = {.E = &E, .generic = !lm__model_fast(E.pol.competence_model),
              .cov = E.pol.competence_model == LM_COMPETENCE_COSINE_COVERAGE,
              .vcol = lm__vac_vec_col(E.pol.competence_model)};
    if ((st = lm__kernels_get(&Q.K, (int)e->kernel))) {
        lm__free(h.e);
        return lm__fail(&e->err, st, "%s: kernel not supported", what);
    }
    for (int m = 0; m < LM_MODE_COUNT; m++) {
        Q.access[m] = lm__travel_params(E.travel, m)[LM_TRAVEL_ACCESS_MIN];
        Q.mpk[m] = lm__travel_min_per_km(E.travel, m);
        Q.matrices |= lm__travel_has_matrix(E.travel, m);
    }
    Q.reach2 = lm__reach2(E.travel, E.pol.allowed_modes, E.pol.max_travel_min);
    lm_chunk *mine = lm__chunk_of(s->side[side], (uint32_t)slot);
    uint32_t mr = (uint32_t)slot & (LM_CHUNK_ROWS - 1);
    bool closed = side == LM_SIDE_VACANCY && lm__vacancy_open(&E, (uint32_t)slot) != LM_CONSTRAINT_NONE;
    const lm_layout *LM = side == LM_SIDE_VACANCY ? E.LV : E.LC;
    const double *my = LM_COLP(mine, LM, LM_COL_XYZ, double) + 3 * mr;
    if (side == LM_SIDE_CANDIDATE) { /* a person's own modes and limit bound the reach */
        float limit = E.pol.max_travel_min, own = LM_COLP(mine, LM, LM_COL_MAXMIN, float)[mr];
        if (own > 0 && own < limit) limit = own;
        Q.reach2 = lm__reach2(E.travel, LM_COLP(mine, LM, LM_COL_MODES, uint8_t)[mr] & E.pol.allowed_modes, limit);
    }
    /* the pair filters of the rows, in SIMD before the per-pair code */
    lm_qfilter_args fa = {.rows_vacancies = side == LM_SIDE_CANDIDATE,
                          .groups_q = LM_COLP(mine, LM, LM_COL_GROUPS, uint32_t)[mr],
                          .ready_q = LM_COLP(mine, LM, LM_COL_READY, uint8_t)[mr],
                          .day_q = LM_COLP(mine, LM, LM_COL_DAY, int32_t)[mr],
                          .lw_q = LM_COLP(mine, LM, LM_COL_LW, float)[mr],
                          .hmin_q = LM_COLP(mine, LM, LM_COL_HMIN, float)[mr],
                          .hmax_q = LM_COLP(mine, LM, LM_COL_HMAX, float)[mr],
                          .flags_q = LM_COLP(mine, LM, LM_COL_FLAGS, uint64_t)[mr],
                          .v_org = E.viewer.org,
                          .v_muni = E.viewer.municipality,
                          .v_region = E.viewer.region,
                          .as_of_day = E.pol.as_of_day};
    uint64_t scored = 0, feasible = 0;
    const lm_qidx *qi = closed ? NULL : lm__snapshot_qidx(s, side == LM_SIDE_VACANCY ? LM_SIDE_CANDIDATE : LM_SIDE_VACANCY);
    /* Streams the other side's rows: from the query index, skipping chunks
     * out of reach, or (index not available) in slot order. */
    uint32_t nchunks = qi ? qi->nchunks : other->nchunks;
    double reach = Q.reach2 >= 0 ? sqrt(Q.reach2) : -1.0;
    bool geo = !Q.matrices && Q.reach2 < INFINITY;
    for (uint32_t ci = 0; ci < nchunks && !closed; ci++) {
        lm_chunk *oc = qi ? qi->chunks[ci] : other->chunks[ci];
        if (qi && geo) {
            if (qi->brad[ci] < 0 || my[0] != my[0]) continue; /* nothing positioned: nothing reachable */
            const double *cen = qi->bcen + 3 * ci;
            double dx = my[0] - cen[0], dy = my[1] - cen[1], dz = my[2] - cen[2];
            if (sqrt(dx * dx + dy * dy + dz * dz) - qi->brad[ci] > reach) continue;
        }
        size_t base = (size_t)ci * LM_CHUNK_ROWS;
        size_t rows = qi ? (qi->n - base < LM_CHUNK_ROWS ? qi->n - base : LM_CHUNK_ROWS)
                         : (other->nslots - base < LM_CHUNK_ROWS ? other->nslots - base : LM_CHUNK_ROWS);
        fa.groups = LM_COLP(oc, LO, LM_COL_GROUPS, uint32_t);
        fa.ready = LM_COLP(oc, LO, LM_COL_READY, uint8_t);
        fa.live = LM_COLP(oc, LO, LM_COL_LIVE, uint8_t);
        fa.lw = LM_COLP(oc, LO, LM_COL_LW, float);
        fa.hmin = LM_COLP(oc, LO, LM_COL_HMIN, float);
        fa.hmax = LM_COLP(oc, LO, LM_COL_HMAX, float);
        fa.flags = LM_COLP(oc, LO, LM_COL_FLAGS, uint64_t);
        fa.day = LM_COLP(oc, LO, LM_COL_DAY, int32_t);
        fa.n = (uint32_t)rows;
        if (side == LM_SIDE_VACANCY) {
            fa.org = LM_COLP(oc, LO, LM_COL_ORG, int64_t);
            fa.muni = LM_COLP(oc, LO, LM_COL_MUNI, int32_t);
            fa.region = LM_COLP(oc, LO, LM_COL_REGION, int32_t);
            fa.scope = LM_COLP(oc, LO, LM_COL_SCOPE, uint8_t);
        } else {
            fa.slots = LM_COLP(oc, LO, LM_COL_SLOTS, int32_t);
        }
        uint64_t mask[LM_CHUNK_ROWS / 64];
        scored += Q.K.qfilter(&fa, mask);
        uint16_t sel[LM_CHUNK_ROWS];
        uint32_t nsel = 0;
        for (uint32_t w = 0; w < LM_CHUNK_ROWS / 64; w++)
            for (uint64_t bits = mask[w]; bits; bits &= bits - 1) sel[nsel++] = (uint16_t)(w * 64 + (uint32_t)__builtin_ctzll(bits));
        const float *ovec = LM_COLP(oc, LO, side == LM_SIDE_VACANCY ? LM_COL_VEC : Q.vcol, float);
        for (uint32_t q = 0; q < nsel; q++) {
            if (q + LM_QPREFETCH < nsel) { /* the survivors are scattered: fetch their vectors ahead */
                const char *pv = (const char *)(ovec + (size_t)sel[q + LM_QPREFETCH] * LO->vec_stride);
                for (uint32_t b = 0; b < LO->dim * sizeof(float); b += 64) __builtin_prefetch(pv + b);
            }
            uint32_t orow = sel[q];
            uint32_t o = qi ? qi->slot[base + orow] : (uint32_t)(base + orow);
            float score, dot, thr = h.n < h.k ? -INFINITY : h.e[0].score;
            bool ok = side == LM_SIDE_VACANCY ? fast_pair(&Q, oc, orow, mine, mr, thr, &score, &dot)
                                              : fast_pair(&Q, mine, mr, oc, orow, thr, &score, &dot);
            if (!ok) continue;
            feasible++;
            if (!lm__topk_admits(&h, score)) continue;
            lm_topk_ent x = {score, dot, o, 0, LM_COLP(oc, LO, LM_COL_ID, int64_t)[orow]};
            lm__topk_push(&h, x);
        }
    }
    lm_results *r = results_new(e, &E);
    uint32_t s32 = (uint32_t)slot;
    if (!r || results_fill(r, dir, 1, &s32, &h)) {
        lm_results_free(r);
        lm__free(h.e);
        return lm__fail(&e->err, LM_ERR_NOMEM, "%s: out of memory", what);
    }
    lm__free(h.e);
    r->lists[dir ^ 1] = NULL;
    r->stat[LM_STAT_PAIRS_SCORED] = (double)scored;
    r->stat[LM_STAT_PAIRS_FEASIBLE] = (double)feasible;
    r->stat[LM_STAT_SECONDS] = now_s() - t0;
    *out = r;
    lm__clear(&e->err);
    return LM_OK;
}

int lm_engine_query_vacancy(lm_results **out, lm_engine *e, const lm_snapshot *s, const lm_viewer *v, int64_t id,
                            uint32_t k) {
    return query_one(out, e, s, v, id, k, LM_DIR_VACANCY);
}

int lm_engine_query_candidate(lm_results **out, lm_engine *e, const lm_snapshot *s, const lm_viewer *v,
                              int64_t id, uint32_t k) {
    return query_one(out, e, s, v, id, k, LM_DIR_CANDIDATE);
}

int lm_engine_explain(lm_match *out, size_t out_size, lm_engine *e, const lm_snapshot *s, const lm_viewer *v,
                      int64_t vacancy_id, int64_t candidate_id) {
    if (!e) return LM_ERR_NULL;
    if (!out) return lm__fail(&e->err, LM_ERR_NULL, "explain: out is NULL");
    if (out_size < LM_MATCH_SIZE_1_0)
        return lm__fail(&e->err, LM_ERR_INVALID, "explain: out_size %zu < %u (LM_MATCH_SIZE_1_0)", out_size,
                        LM_MATCH_SIZE_1_0);
    int st = check_query(e, s, v, "explain");
    if (st) return st;
    lm_eval_ctx E;
    ctx_init(&E, e, s, v);
    int64_t vs = lm__side_find(s->side[LM_SIDE_VACANCY], vacancy_id);
    if (vs < 0) return lm__fail(&e->err, LM_ERR_UNKNOWN_ID, "explain: no vacancy with id %lld", (long long)vacancy_id);
    int64_t cs = lm__side_find(s->side[LM_SIDE_CANDIDATE], candidate_id);
    if (cs < 0 || !cand_visible(&E, (uint32_t)cs))
        return lm__fail(&e->err, LM_ERR_UNKNOWN_ID, "explain: no candidate with id %lld", (long long)candidate_id);
    lm_match m;
    lm__pair_eval(&E, (uint32_t)cs, (uint32_t)vs, NAN, NULL, &m);
    if (e->history) { /* the history's constraints join the bit set; the first is named only after the filters */
        int32_t slots = LM_COLP(lm__chunk_of(s->side[LM_SIDE_VACANCY], (uint32_t)vs), E.LV, LM_COL_SLOTS,
                                int32_t)[(uint32_t)vs & (LM_CHUNK_ROWS - 1)];
        m.failed |= lm__memory_failed(e->history, &E.pol, vacancy_id, candidate_id, slots);
        if (m.constraint == LM_CONSTRAINT_NONE) {
            m.constraint = lm__memory_check(e->history, &E.pol, vacancy_id, candidate_id, slots);
            if (m.constraint != LM_CONSTRAINT_NONE) m.score = 0.f; /* like the other constraints */
        }
    }
    lm__memory_annotate(e->history, &m);
    lm__match_store((unsigned char *)out, out_size, &m);
    lm__clear(&e->err);
    return LM_OK;
}

/* ---- the batch ----------------------------------------------------------- */
/* The batch under the engine's history (memory.c): excluded people and full
 * vacancies do not run; the lists run longer by the largest count of excluded
 * pairs in a list, then are filtered and cut to k. */
/* The fast batch for dot models and COSINE_COVERAGE, else the generic exact one
 * (all pairs; kernel and int8 mode do not apply). */
static int run_batch(lm_results *r, lm_engine *e, const lm_eval_ctx *E, const uint32_t *vslots, size_t nv, uint32_t kc,
                     uint32_t kv, const lm_batch_options *o) {
    if (lm__model_fast(E->pol.competence_model))
        return lm__batch_run(r, E, (int)e->kernel, (int)e->quantize, (int)e->threads, vslots, nv, kc, kv, o->progress,
                             o->progress_user, &e->err);
    return lm__batch_generic(r, E, (int)e->threads, vslots, nv, kc, kv, o->progress, o->progress_user, &e->err);
}

static int batch_history(lm_results *r, lm_engine *e, const lm_eval_ctx *E, const uint32_t *vslots, size_t nv,
                         const lm_batch_options *o) {
    lm_memory_batch mb;
    if (lm__memory_batch_begin(&mb, e->history, E, vslots, nv))
        return lm__fail(&e->err, LM_ERR_NOMEM, "batch: out of memory");
    lm_eval_ctx Eb = *E;
    Eb.cand_skip = mb.cand_skip;
    int st = run_batch(r, e, &Eb, mb.vrun, mb.nvrun, o->k_candidates + mb.extra_c, o->k_vacancies + mb.extra_v, o);
    if (st == LM_OK && lm__memory_batch_end(r, &mb, e->history, vslots, nv, o->k_candidates, o->k_vacancies))
        st = lm__fail(&e->err, LM_ERR_NOMEM, "batch: out of memory");
    lm__memory_batch_free(&mb);
    return st;
}

int lm_engine_batch(lm_results **out, lm_engine *e, const lm_snapshot *s, const lm_viewer *v,
                    const lm_batch_options *opts) {
    static const char what[] = "batch";
    if (!out) return e ? lm__fail(&e->err, LM_ERR_NULL, "batch: out is NULL") : LM_ERR_NULL;
    *out = NULL;
    if (!e) return LM_ERR_NULL;
    int st = check_query(e, s, v, what);
    if (st) return st;
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    if (opts) {
        if (opts->struct_size < sizeof o)
            return lm__fail(&e->err, LM_ERR_INVALID, "batch: options struct_size %zu too small", opts->struct_size);
        o = *opts;
    }
    if (o.k_candidates < 1 || o.k_candidates > LM_MAX_K || o.k_vacancies < 1 || o.k_vacancies > LM_MAX_K)
        return lm__fail(&e->err, LM_ERR_RANGE, "batch: k_candidates %u and k_vacancies %u must be in 1..%d",
                        o.k_candidates, o.k_vacancies, LM_MAX_K);
    if (o.vacancy_region < 0) return lm__fail(&e->err, LM_ERR_RANGE, "batch: vacancy_region %d < 0", o.vacancy_region);

    double t0 = now_s();
    lm_eval_ctx E;
    ctx_init(&E, e, s, v);
    const lm_tbl *vs = s->side[LM_SIDE_VACANCY];
    size_t nv = 0;
    uint32_t *vslots = lm__malloc((vs->nlive ? vs->nlive : 1) * sizeof *vslots);
    if (!vslots) return lm__fail(&e->err, LM_ERR_NOMEM, "batch: out of memory");
    for (uint32_t i = 0; i < vs->nslots; i++) {
        if (!slot_live(vs, E.LV, i)) continue;
        if (o.vacancy_region &&
            LM_COLP(lm__chunk_of(vs, i), E.LV, LM_COL_REGION, int32_t)[i & (LM_CHUNK_ROWS - 1)] != o.vacancy_region)
            continue;
        vslots[nv++] = i;
    }
    lm_results *r = results_new(e, &E);
    if (!r) {
        lm__free(vslots);
        return lm__fail(&e->err, LM_ERR_NOMEM, "batch: out of memory");
    }
    if (e->history) st = batch_history(r, e, &E, vslots, nv, &o);
    else st = run_batch(r, e, &E, vslots, nv, o.k_candidates, o.k_vacancies, &o);
    lm__free(vslots);
    if (st == LM_OK && e->count_feasible &&
        lm__feasible_counts(r, &E, e->history, o.vacancy_region, (int)e->threads))
        st = lm__fail(&e->err, LM_ERR_NOMEM, "batch: out of memory counting feasible vacancies");
    if (st == LM_OK && o.progress && o.progress(o.progress_user, nv, nv))
        st = lm__fail(&e->err, LM_ERR_CANCELLED, "batch: cancelled by the progress callback at the end");
    if (st) {
        lm_results_free(r);
        return st;
    }
    r->stat[LM_STAT_SECONDS] = now_s() - t0;
    *out = r;
    lm__clear(&e->err);
    return LM_OK;
}

/* ---- region-wide views (views.c) ------------------------------------------ */
int lm_engine_unmatched(lm_unmatched **out, lm_engine *e, const lm_snapshot *s, const lm_viewer *v,
                        const lm_batch_options *opts) {
    if (!out) return e ? lm__fail(&e->err, LM_ERR_NULL, "unmatched: out is NULL") : LM_ERR_NULL;
    *out = NULL;
    if (!e) return LM_ERR_NULL;
    int st = check_query(e, s, v, "unmatched");
    if (st) return st;
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    if (opts) {
        if (opts->struct_size < sizeof o)
            return lm__fail(&e->err, LM_ERR_INVALID, "unmatched: options struct_size %zu too small", opts->struct_size);
        o = *opts;
    }
    if (o.vacancy_region < 0)
        return lm__fail(&e->err, LM_ERR_RANGE, "unmatched: vacancy_region %d < 0", o.vacancy_region);
    lm_eval_ctx E;
    ctx_init(&E, e, s, v);
    if ((st = lm__unmatched_run(out, &E, e->history, &o, (int)e->threads, &e->err))) return st;
    lm__clear(&e->err);
    return LM_OK;
}

/* For other source files that report through the engine (assign.c). */
LM_HIDDEN lm_err *lm__engine_err(lm_engine *e);
lm_err *lm__engine_err(lm_engine *e) { return &e->err; }
/* The engine's history (assign.c). */
LM_HIDDEN const lm_history *lm__engine_history(const lm_engine *e);
const lm_history *lm__engine_history(const lm_engine *e) { return e->history; }
