/* The generic exact batch, for competence models that are not dot products
 * (SYMMETRIC, COVERAGE, COSINE_COVERAGE): every visible candidate against
 * every open vacancy through lm__pair_eval_x(), the same hard filters and
 * score as explanations, so explain repeats every listed score exactly.
 *
 * The larger side is outside: its items are taken by the threads one at a
 * time and own their lists; the inner side's lists are per thread and merged
 * at the end. The order is total (score desc, then lower id), so results do
 * not depend on the thread count. No kernel, no int8 mode: scalar C. */
#include "internal.h"
#include "topk.h"

#include <pthread.h>
#include <unistd.h>

typedef struct gside {
    size_t n;
    uint32_t *slot;
    int64_t *id;
} gside;

typedef struct gshared {
    const lm_eval_ctx *E;
    gside C, V;          /* visible candidates, open vacancies */
    double *creach2;     /* per candidate: travel pre-filter */
    float *crest;        /* per candidate: the score's bound without competence */
    bool cand_outer;
    uint32_t kc, kv;
    lm_topk *outer;      /* one list per outer row */
    atomic_size_t next, done;
    atomic_int cancel;
} gshared;

typedef struct gworker {
    gshared *S;
    pthread_t th;
    bool started;
    lm_topk *inner;      /* one list per inner row */
    lm_topk_ent *store;
    uint64_t feasible;
} gworker;

static lm_topk_ent ent(float score, float dot, uint32_t slot, int64_t id) {
    lm_topk_ent x = {score, dot, slot, 0, id};
    return x;
}

/* Both rows' lists get a feasible pair. */
static void pair(gworker *W, size_t ci, size_t vi) {
    gshared *S = W->S;
    const lm_eval_ctx *E = S->E;
    uint32_t cs = S->C.slot[ci], vs = S->V.slot[vi];
    if (S->creach2[ci] < INFINITY) { /* geometric travel only: a pre-filter on the chord */
        const lm_tbl *ct = E->snap->side[LM_SIDE_CANDIDATE], *vt = E->snap->side[LM_SIDE_VACANCY];
        const double *a = LM_COLP(lm__chunk_of(ct, cs), E->LC, LM_COL_XYZ, double) + 3 * (cs & (LM_CHUNK_ROWS - 1));
        const double *b = LM_COLP(lm__chunk_of(vt, vs), E->LV, LM_COL_XYZ, double) + 3 * (vs & (LM_CHUNK_ROWS - 1));
        double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
        if (S->creach2[ci] < 0 || dx * dx + dy * dy + dz * dz > S->creach2[ci]) return;
    }
    lm_topk *vl = S->cand_outer ? &W->inner[vi] : &S->outer[vi];
    lm_topk *cl = S->cand_outer ? &S->outer[ci] : &W->inner[ci];
    /* The competence first, then a bound of the score (travel and hours at
     * their best) against both lists' k-th best: most pairs of a large pool
     * end here, before the filters and travel. The value is passed on, so
     * the score is the one explain computes. */
    float dot = lm__competence(E, lm__chunk_of(E->snap->side[LM_SIDE_CANDIDATE], cs), cs & (LM_CHUNK_ROWS - 1),
                               lm__chunk_of(E->snap->side[LM_SIDE_VACANCY], vs), vs & (LM_CHUNK_ROWS - 1));
    float comp = dot < 0.f ? 0.f : (dot > 1.f ? 1.f : dot);
    float ub = E->pol.w_comp * comp + S->crest[ci];
    if (vl->n == vl->k && ub < vl->e[0].score && cl->n == cl->k && ub < cl->e[0].score) return;
    float score;
    if (lm__pair_eval_x(E, cs, vs, dot, &score, NULL, NULL) != LM_CONSTRAINT_NONE) return;
    W->feasible++;
    if (lm__topk_admits(vl, score)) lm__topk_push(vl, ent(score, dot, cs, S->C.id[ci]));
    if (lm__topk_admits(cl, score)) lm__topk_push(cl, ent(score, dot, vs, S->V.id[vi]));
}

/* One outer row against every inner row; false when no item is left or cancelled. */
static bool do_item(gworker *W) {
    gshared *S = W->S;
    size_t nout = S->cand_outer ? S->C.n : S->V.n, nin = S->cand_outer ? S->V.n : S->C.n;
    if (atomic_load(&S->cancel)) return false;
    size_t o = atomic_fetch_add(&S->next, 1);
    if (o >= nout) return false;
    for (size_t q = 0; q < nin; q++) S->cand_outer ? pair(W, o, q) : pair(W, q, o);
    atomic_fetch_add(&S->done, 1);
    return true;
}

static void *gworker_main(void *arg) {
    while (do_item(arg)) {}
    return NULL;
}

/* k lists of `len` entries each, storage in one block. */
static int lists_init(lm_topk **out, lm_topk_ent **store, size_t n, uint32_t k) {
    *out = lm__calloc(n ? n : 1, sizeof **out);
    size_t m;
    *store = lm__mul(&m, n ? n : 1, (size_t)k) ? lm__malloc(m * sizeof **store) : NULL;
    if (!*out || !*store) return LM_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) (*out)[i] = (lm_topk){*store + i * k, 0, k};
    return LM_OK;
}

/* Visible live candidates in slot order; open vacancies of the caller's list. */
static int gather(gshared *S, const uint32_t *vslots, size_t nvl) {
    const lm_eval_ctx *E = S->E;
    const lm_tbl *ct = E->snap->side[LM_SIDE_CANDIDATE], *vt = E->snap->side[LM_SIDE_VACANCY];
    size_t nc = ct->nlive ? ct->nlive : 1, nv = nvl ? nvl : 1;
    S->C.slot = lm__malloc(nc * sizeof *S->C.slot);
    S->C.id = lm__malloc(nc * sizeof *S->C.id);
    S->creach2 = lm__malloc(nc * sizeof *S->creach2);
    S->crest = lm__malloc(nc * sizeof *S->crest);
    S->V.slot = lm__malloc(nv * sizeof *S->V.slot);
    S->V.id = lm__malloc(nv * sizeof *S->V.id);
    if (!S->C.slot || !S->C.id || !S->creach2 || !S->crest || !S->V.slot || !S->V.id) return LM_ERR_NOMEM;
    for (uint32_t slot = 0; slot < ct->nslots; slot++) {
        lm_chunk *c = lm__chunk_of(ct, slot);
        uint32_t r = slot & (LM_CHUNK_ROWS - 1);
        const lm_layout *L = E->LC;
        if (E->cand_skip && E->cand_skip[slot]) continue; /* left out by the proposal history */
        if (!LM_COLP(c, L, LM_COL_LIVE, uint8_t)[r] ||
            !lm__visible(&E->viewer, LM_COLP(c, L, LM_COL_ORG, int64_t)[r], LM_COLP(c, L, LM_COL_MUNI, int32_t)[r],
                         LM_COLP(c, L, LM_COL_REGION, int32_t)[r], LM_COLP(c, L, LM_COL_SCOPE, uint8_t)[r]))
            continue;
        float limit = E->pol.max_travel_min, own = LM_COLP(c, L, LM_COL_MAXMIN, float)[r];
        if (own > 0 && own < limit) limit = own;
        S->creach2[S->C.n] = lm__reach2(E->travel, LM_COLP(c, L, LM_COL_MODES, uint8_t)[r] & E->pol.allowed_modes, limit);
        const lm_policy_eval *P = &E->pol;
        float rdy = lm__readiness_term(&E->pol, LM_COLP(c, L, LM_COL_READY, uint8_t)[r]);
        S->crest[S->C.n] = P->w_travel + P->w_hours + P->w_ready * rdy + P->w_prio * LM_COLP(c, L, LM_COL_PRIO, float)[r] +
                           1e-5f; /* the fast paths' LM_BOUND_EPS */
        S->C.id[S->C.n] = LM_COLP(c, L, LM_COL_ID, int64_t)[r];
        S->C.slot[S->C.n++] = slot;
    }
    for (size_t q = 0; q < nvl; q++) {
        if (lm__vacancy_open(E, vslots[q]) != LM_CONSTRAINT_NONE) continue;
        S->V.id[S->V.n] = LM_COLP(lm__chunk_of(vt, vslots[q]), E->LV, LM_COL_ID, int64_t)[vslots[q] & (LM_CHUNK_ROWS - 1)];
        S->V.slot[S->V.n++] = vslots[q];
    }
    return LM_OK;
}

/* Direction dir of r from sorted lists: list i of `lists` belongs to slot slots[i]. */
static int fill_dir(lm_results *r, int dir, size_t nlists, const uint32_t *slots, const lm_topk *const *lists) {
    size_t total = 0;
    for (size_t i = 0; i < nlists; i++) total += lists[i] ? lists[i]->n : 0;
    r->lists[dir] = lm__malloc((nlists ? nlists : 1) * sizeof *r->lists[dir]);
    r->hits[dir] = lm__malloc((total ? total : 1) * sizeof *r->hits[dir]);
    if (!r->lists[dir] || !r->hits[dir]) return LM_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < nlists; i++) {
        uint32_t len = lists[i] ? lists[i]->n : 0;
        r->lists[dir][i] = (lm_reslist){slots[i], len, k};
        for (uint32_t j = 0; j < len; j++)
            r->hits[dir][k++] = (lm_hit){lists[i]->e[j].slot, lists[i]->e[j].score, lists[i]->e[j].dot};
    }
    r->nlists[dir] = nlists;
    r->nhits[dir] = total;
    return LM_OK;
}

/* Merge the threads' inner lists into thread 0's, sort every list, fill r. */
static int finish(lm_results *r, gshared *S, gworker *W, int nt, const uint32_t *vslots, size_t nvl) {
    size_t nin = S->cand_outer ? S->V.n : S->C.n, nout = S->cand_outer ? S->C.n : S->V.n;
    for (int t = 1; t < nt; t++)
        for (size_t i = 0; i < nin; i++)
            for (uint32_t j = 0; j < W[t].inner[i].n; j++)
                if (lm__topk_admits(&W[0].inner[i], W[t].inner[i].e[j].score))
                    lm__topk_push(&W[0].inner[i], W[t].inner[i].e[j]);
    for (size_t i = 0; i < nin; i++) lm__topk_sort(&W[0].inner[i]);
    for (size_t i = 0; i < nout; i++) lm__topk_sort(&S->outer[i]);
    const lm_topk *vlist = S->cand_outer ? W[0].inner : S->outer, *clist = S->cand_outer ? S->outer : W[0].inner;
    /* vacancy lists in the caller's order (closed ones empty); candidates in slot order */
    uint32_t nvs = S->E->snap->side[LM_SIDE_VACANCY]->nslots;
    uint32_t *row = lm__malloc((nvs ? nvs : 1) * sizeof *row);
    const lm_topk **vl = lm__malloc((nvl ? nvl : 1) * sizeof *vl), **cl = lm__malloc((S->C.n ? S->C.n : 1) * sizeof *cl);
    int st = LM_ERR_NOMEM;
    if (row && vl && cl) {
        for (uint32_t s = 0; s < nvs; s++) row[s] = UINT32_MAX;
        for (size_t i = 0; i < S->V.n; i++) row[S->V.slot[i]] = (uint32_t)i;
        for (size_t l = 0; l < nvl; l++) vl[l] = vslots[l] < nvs && row[vslots[l]] != UINT32_MAX ? &vlist[row[vslots[l]]] : NULL;
        for (size_t i = 0; i < S->C.n; i++) cl[i] = &clist[i];
        st = fill_dir(r, LM_DIR_VACANCY, nvl, vslots, vl);
        if (!st) st = fill_dir(r, LM_DIR_CANDIDATE, S->C.n, S->C.slot, cl);
    }
    lm__free(row);
    lm__free(vl);
    lm__free(cl);
    return st;
}

/* Threads 1..nt-1 are spawned; the caller's thread works too and reports progress. */
static int run(gshared *S, gworker *W, int nt, size_t nvl, lm_progress_fn progress, void *user) {
    int used = 1;
    for (int t = 1; t < nt; t++) W[t].started = pthread_create(&W[t].th, NULL, gworker_main, &W[t]) == 0;
    for (int t = 1; t < nt; t++) used += W[t].started;
    size_t nout = S->cand_outer ? S->C.n : S->V.n;
    for (;;) {
        if (progress) { /* reported in vacancies of the region, whichever side is outside */
            size_t d = atomic_load(&S->done);
            size_t done = nout ? (size_t)((double)d / (double)nout * (double)nvl) : nvl;
            if (progress(user, done < nvl ? done : nvl, nvl)) atomic_store(&S->cancel, 1);
        }
        if (!do_item(&W[0])) break;
    }
    for (int t = 1; t < nt; t++)
        if (W[t].started) pthread_join(W[t].th, NULL);
    return used;
}

int lm__batch_generic(lm_results *r, const lm_eval_ctx *E, int threads, const uint32_t *vslots, size_t nvl, uint32_t kc,
                      uint32_t kv, lm_progress_fn progress, void *user, lm_err *err) {
    gshared S;
    memset(&S, 0, sizeof S);
    S.E = E;
    atomic_init(&S.next, 0);
    atomic_init(&S.done, 0);
    atomic_init(&S.cancel, 0);
    int nt = threads > 0 ? threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (nt < 1) nt = 1;
    gworker *W = NULL;
    lm_topk_ent *ostore = NULL;
    int st = gather(&S, vslots, nvl);
    if (st) goto out;
    /* lists never hold more than the other side has */
    S.kc = kc < S.C.n ? kc : (S.C.n ? (uint32_t)S.C.n : 1);
    S.kv = kv < S.V.n ? kv : (S.V.n ? (uint32_t)S.V.n : 1);
    S.cand_outer = S.C.n > S.V.n;
    size_t nout = S.cand_outer ? S.C.n : S.V.n, nin = S.cand_outer ? S.V.n : S.C.n;
    uint32_t kout = S.cand_outer ? S.kv : S.kc, kin = S.cand_outer ? S.kc : S.kv;
    if ((size_t)nt > nout) nt = nout ? (int)(nout < 1024 ? nout : 1024) : 1;
    if ((st = lists_init(&S.outer, &ostore, nout, kout))) goto out;
    W = lm__calloc((size_t)nt, sizeof *W);
    if (!W) { st = LM_ERR_NOMEM; goto out; }
    for (int t = 0; t < nt; t++) {
        W[t].S = &S;
        if ((st = lists_init(&W[t].inner, &W[t].store, nin, kin))) goto out;
    }
    int used = run(&S, W, nt, nvl, progress, user);
    if (atomic_load(&S.cancel)) { st = LM_ERR_CANCELLED; goto out; }
    if ((st = finish(r, &S, W, nt, vslots, nvl))) goto out;
    uint64_t feasible = 0;
    for (int t = 0; t < nt; t++) feasible += W[t].feasible;
    r->stat[LM_STAT_PAIRS_SCORED] = (double)S.C.n * (double)S.V.n;
    r->stat[LM_STAT_PAIRS_FEASIBLE] = (double)feasible;
    r->stat[LM_STAT_THREADS] = used;
    r->stat[LM_STAT_KERNEL] = LM_KERNEL_SCALAR;
out:
    if (W)
        for (int t = 0; t < nt; t++) {
            lm__free(W[t].inner);
            lm__free(W[t].store);
        }
    lm__free(W);
    lm__free(S.outer);
    lm__free(ostore);
    lm__free(S.C.slot);
    lm__free(S.C.id);
    lm__free(S.creach2);
    lm__free(S.crest);
    lm__free(S.V.slot);
    lm__free(S.V.id);
    if (st == LM_ERR_CANCELLED) return lm__fail(err, st, "batch: cancelled by the progress callback");
    if (st) return lm__fail(err, st, "batch: out of memory");
    return LM_OK;
}
