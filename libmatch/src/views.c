/* Region-wide views (docs/concepts.md, "Region-wide views"): per person the
 * number of feasible vacancies (a batch option), and the people without any
 * feasible vacancy with the constraint that binds. Both examine every pair
 * through lm__pair_eval_x(), the one definition of the filters, so they
 * follow every rule the batch follows; the history's pair exclusions are
 * applied as in the batch (memory.c). Exact, threaded by blocks of people. */
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define VIEW_BLOCK 16 /* people per work item */
#define HIST_PAIR_BITS ((1u << LM_CONSTRAINT_IN_PROGRESS) | (1u << LM_CONSTRAINT_COOLDOWN))

struct lm_unmatched {
    size_t np;
    lm_unmatched_person *p; /* by candidate id */
    size_t ncell;
    lm_unmatched_cell *cell;
    double stat[LM_UNMATCHED_STAT_THREADS + 1];
};

/* The vacancies of a run, gathered for the pre-filter: the columns of the
 * cheap pair filters side by side, so a person's sweep streams them. */
typedef struct vrun {
    size_t n;
    uint32_t *slot;
    int64_t *id;
    uint32_t *acc;
    uint8_t *maxr;
    float *minlw, *hmin, *hmax;
    uint64_t *req;
    int32_t *open;
    double *xyz;
} vrun;

typedef struct sweep {
    const lm_eval_ctx *E;
    const lm_history *h; /* NULL: no history */
    int32_t today;
    const uint32_t *cs; /* candidate slots */
    size_t nc;
    const uint32_t *vs; /* vacancy slots of the run */
    const int64_t *vid; /* and their ids */
    size_t nv;
    const vrun *V;
    bool view;                /* the unmatched view, else counts */
    uint32_t *count;          /* counts: per candidate */
    lm_unmatched_person *per; /* view: per candidate, binding set for the unmatched */
    uint8_t *unmatched;       /* view: per candidate */
    _Atomic size_t next, done;
    atomic_int cancel;
} sweep;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int64_t slot_id(const lm_tbl *s, const lm_layout *L, uint32_t slot) {
    return LM_COLP(lm__chunk_of(s, slot), L, LM_COL_ID, int64_t)[slot & (LM_CHUNK_ROWS - 1)];
}

/* The pair is feasible as in the batch: every filter, then the history's pair exclusions. */
static bool pair_ok(const sweep *S, uint32_t c, int64_t cid, size_t j) {
    if (lm__pair_eval_x(S->E, c, S->vs[j], NAN, NULL, NULL, NULL) != LM_CONSTRAINT_NONE) return false;
    return !S->h || !lm__memory_pair_out(S->h, &S->E->pol, S->today, S->vid[j], cid);
}

/* Every failing constraint of the pair (people and vacancies the history
 * leaves out never reach here, so only its pair constraints can add). */
static uint32_t pair_mask(const sweep *S, uint32_t c, int64_t cid, size_t j) {
    lm_match m;
    lm__pair_eval_x(S->E, c, S->vs[j], NAN, NULL, NULL, &m);
    uint32_t f = m.failed;
    if (S->h) f |= lm__memory_failed(S->h, &S->E->pol, S->vid[j], cid, 1) & HIST_PAIR_BITS;
    return f;
}

/* The binding constraint of a person without feasible vacancy. */
static void bind_person(const sweep *S, uint32_t c, int64_t cid, lm_unmatched_person *p) {
    uint32_t single[32] = {0}, all = ~0u, any = 0;
    for (size_t j = 0; j < S->nv; j++) {
        uint32_t f = pair_mask(S, c, cid, j);
        all &= f;
        any |= f;
        if (f && !(f & (f - 1))) single[__builtin_ctz(f)]++;
    }
    p->binding = S->nv ? LM_BINDING_SEVERAL : LM_BINDING_NO_VACANCY;
    p->opened = 0;
    for (int b = 0; b < 32; b++)
        if (single[b] > p->opened) {
            p->opened = single[b];
            p->binding = b;
        }
    p->failed_all = S->nv ? all : 0;
    p->failed_any = any;
}

/* The pre-filter: the vacancies [a, b) that pass the cheap pair filters
 * (the same comparisons as lm__pair_eval_x()) and the travel reach (the
 * batch's geometric bound with its safety margin, INFINITY under matrices)
 * go into sel. It only rejects pairs that lm__pair_eval_x() rejects, which
 * then decides every pair that passes, so the sweep stays exact. */
static size_t prefilter(const sweep *S, uint32_t c, size_t a, size_t b, uint32_t *sel) {
    const lm_eval_ctx *E = S->E;
    const lm_layout *L = E->LC;
    const vrun *V = S->V;
    lm_chunk *ch = lm__chunk_of(E->snap->side[LM_SIDE_CANDIDATE], c);
    uint32_t r = c & (LM_CHUNK_ROWS - 1);
    uint32_t g = LM_COLP(ch, L, LM_COL_GROUPS, uint32_t)[r];
    uint8_t ready = LM_COLP(ch, L, LM_COL_READY, uint8_t)[r];
    float lw = LM_COLP(ch, L, LM_COL_LW, float)[r], cmin = LM_COLP(ch, L, LM_COL_HMIN, float)[r],
          cmax = LM_COLP(ch, L, LM_COL_HMAX, float)[r];
    uint64_t flags = LM_COLP(ch, L, LM_COL_FLAGS, uint64_t)[r];
    int32_t avail = LM_COLP(ch, L, LM_COL_DAY, int32_t)[r];
    const double *cx = LM_COLP(ch, L, LM_COL_XYZ, double) + 3 * r;
    float limit = E->pol.max_travel_min, own = LM_COLP(ch, L, LM_COL_MAXMIN, float)[r];
    if (own > 0 && own < limit) limit = own;
    double reach2 = lm__reach2(E->travel, LM_COLP(ch, L, LM_COL_MODES, uint8_t)[r] & E->pol.allowed_modes, limit);
    size_t n = 0;
    for (size_t j = a; j < b; j++) {
        float lo = cmin > V->hmin[j] ? cmin : V->hmin[j], hi = cmax < V->hmax[j] ? cmax : V->hmax[j];
        const double *vx = V->xyz + 3 * j;
        double dx = cx[0] - vx[0], dy = cx[1] - vx[1], dz = cx[2] - vx[2];
        /* bitwise, not short-circuit: no branches to mispredict */
        bool out = !(g & V->acc[j]) | (ready > V->maxr[j]) | (lw < V->minlw[j]) | ((flags & V->req[j]) != V->req[j]) |
                   (lo > hi) | (avail > V->open[j]) | (dx * dx + dy * dy + dz * dz > reach2);
        sel[n] = (uint32_t)j;
        n += !out;
    }
    return n;
}

#define VIEW_STRIP 512 /* vacancies per pre-filter strip */

static void do_person(sweep *S, size_t i) {
    const lm_eval_ctx *E = S->E;
    uint32_t c = S->cs[i];
    int64_t cid = slot_id(E->snap->side[LM_SIDE_CANDIDATE], E->LC, c);
    uint32_t sel[VIEW_STRIP], n = 0;
    for (size_t a = 0; a < S->nv; a += VIEW_STRIP) {
        size_t ns = prefilter(S, c, a, a + VIEW_STRIP < S->nv ? a + VIEW_STRIP : S->nv, sel);
        for (size_t q = 0; q < ns; q++)
            if (pair_ok(S, c, cid, sel[q])) {
                if (S->view) return; /* matched: nothing more to know */
                n++;
            }
    }
    if (!S->view) {
        S->count[i] = n;
        return;
    }
    S->unmatched[i] = 1;
    lm_unmatched_person *p = &S->per[i];
    memset(p, 0, sizeof *p);
    p->candidate_id = cid;
    lm_chunk *ch = lm__chunk_of(E->snap->side[LM_SIDE_CANDIDATE], c);
    p->groups = LM_COLP(ch, E->LC, LM_COL_GROUPS, uint32_t)[c & (LM_CHUNK_ROWS - 1)];
    bind_person(S, c, cid, p);
}

static bool run_item(sweep *S) {
    if (atomic_load(&S->cancel)) return false;
    size_t a = atomic_fetch_add(&S->next, VIEW_BLOCK);
    if (a >= S->nc) return false;
    size_t b = a + VIEW_BLOCK < S->nc ? a + VIEW_BLOCK : S->nc;
    for (size_t i = a; i < b; i++) do_person(S, i);
    atomic_fetch_add(&S->done, b - a);
    return true;
}

static void *worker_main(void *arg) {
    while (run_item(arg)) {
    }
    return NULL;
}

/* Runs the sweep on nt threads (the caller's among them, which reports
 * progress in people); returns the threads used, or -1 if cancelled. */
static int sweep_run(sweep *S, int nt, lm_progress_fn progress, void *user) {
    atomic_init(&S->next, 0);
    atomic_init(&S->done, 0);
    atomic_init(&S->cancel, 0);
    if (nt < 1) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        nt = n < 1 ? 1 : (n > 1024 ? 1024 : (int)n);
    }
    size_t items = (S->nc + VIEW_BLOCK - 1) / VIEW_BLOCK;
    if ((size_t)nt > items) nt = items ? (int)items : 1;
    pthread_t th[64];
    bool started[64] = {false};
    if (nt > 64) nt = 64;
    int used = 1;
    for (int t = 1; t < nt; t++) used += started[t] = pthread_create(&th[t], NULL, worker_main, S) == 0;
    for (;;) {
        if (progress && progress(user, atomic_load(&S->done), S->nc)) atomic_store(&S->cancel, 1);
        if (!run_item(S)) break;
    }
    for (int t = 1; t < nt; t++)
        if (started[t]) pthread_join(th[t], NULL);
    return atomic_load(&S->cancel) ? -1 : used;
}

static void vrun_free(vrun *V) {
    lm__free(V->slot); lm__free(V->id); lm__free(V->acc); lm__free(V->maxr); lm__free(V->minlw);
    lm__free(V->hmin); lm__free(V->hmax); lm__free(V->req); lm__free(V->open); lm__free(V->xyz);
    memset(V, 0, sizeof *V);
}

/* The vacancies of a batch run: live, of the region, open, not full under the history. */
static int run_vacancies(const lm_eval_ctx *E, const lm_history *h, int32_t region, vrun *V) {
    const lm_tbl *s = E->snap->side[LM_SIDE_VACANCY];
    const lm_layout *L = E->LV;
    size_t cap = s->nlive ? s->nlive : 1;
    memset(V, 0, sizeof *V);
    V->slot = lm__malloc(cap * sizeof *V->slot);
    V->id = lm__malloc(cap * sizeof *V->id);
    V->acc = lm__malloc(cap * sizeof *V->acc);
    V->maxr = lm__malloc(cap * sizeof *V->maxr);
    V->minlw = lm__malloc(cap * sizeof *V->minlw);
    V->hmin = lm__malloc(cap * sizeof *V->hmin);
    V->hmax = lm__malloc(cap * sizeof *V->hmax);
    V->req = lm__malloc(cap * sizeof *V->req);
    V->open = lm__malloc(cap * sizeof *V->open);
    V->xyz = lm__malloc(3 * cap * sizeof *V->xyz);
    if (!V->slot || !V->id || !V->acc || !V->maxr || !V->minlw || !V->hmin || !V->hmax || !V->req || !V->open ||
        !V->xyz) {
        vrun_free(V);
        return LM_ERR_NOMEM;
    }
    size_t n = 0;
    for (uint32_t slot = 0; slot < s->nslots; slot++) {
        lm_chunk *c = lm__chunk_of(s, slot);
        uint32_t r = slot & (LM_CHUNK_ROWS - 1);
        if (!LM_COLP(c, L, LM_COL_LIVE, uint8_t)[r]) continue;
        if (region && LM_COLP(c, L, LM_COL_REGION, int32_t)[r] != region) continue;
        if (lm__vacancy_open(E, slot) != LM_CONSTRAINT_NONE) continue;
        int64_t vid = LM_COLP(c, L, LM_COL_ID, int64_t)[r];
        if (h && lm__memory_free_slots(h, vid, LM_COLP(c, L, LM_COL_SLOTS, int32_t)[r]) <= 0) continue;
        V->slot[n] = slot;
        V->id[n] = vid;
        V->acc[n] = LM_COLP(c, L, LM_COL_GROUPS, uint32_t)[r];
        V->maxr[n] = LM_COLP(c, L, LM_COL_READY, uint8_t)[r];
        V->minlw[n] = LM_COLP(c, L, LM_COL_LW, float)[r];
        V->hmin[n] = LM_COLP(c, L, LM_COL_HMIN, float)[r];
        V->hmax[n] = LM_COLP(c, L, LM_COL_HMAX, float)[r];
        V->req[n] = LM_COLP(c, L, LM_COL_FLAGS, uint64_t)[r];
        V->open[n] = LM_COLP(c, L, LM_COL_DAY, int32_t)[r];
        memcpy(V->xyz + 3 * n, LM_COLP(c, L, LM_COL_XYZ, double) + 3 * r, 3 * sizeof(double));
        n++;
    }
    V->n = n;
    return LM_OK;
}

int lm__feasible_counts(lm_results *r, const lm_eval_ctx *E, const lm_history *h, int32_t region, int threads) {
    size_t nc = r->nlists[LM_DIR_CANDIDATE];
    uint32_t *cs = lm__malloc((nc ? nc : 1) * sizeof *cs), *count = lm__calloc(nc ? nc : 1, sizeof *count);
    vrun V;
    if (!cs || !count || run_vacancies(E, h, region, &V)) {
        lm__free(cs);
        lm__free(count);
        return LM_ERR_NOMEM;
    }
    for (size_t i = 0; i < nc; i++) cs[i] = r->lists[LM_DIR_CANDIDATE][i].slot;
    sweep S = {.E = E, .h = h, .today = lm__memory_today(&E->pol), .cs = cs, .nc = nc, .vs = V.slot, .vid = V.id,
               .nv = V.n, .V = &V, .count = count};
    sweep_run(&S, threads, NULL, NULL);
    lm__free(cs);
    vrun_free(&V);
    lm__free(r->feasible);
    r->feasible = count;
    return LM_OK;
}

int lm_results_feasible_count(uint32_t *out, const lm_results *r, int64_t candidate_id) {
    if (!out || !r) return LM_ERR_NULL;
    if (!r->feasible) return LM_ERR_STATE;
    int64_t slot = lm__side_find(r->snap->side[LM_SIDE_CANDIDATE], candidate_id);
    if (slot < 0) return LM_ERR_UNKNOWN_ID;
    /* candidate lists are in slot order */
    size_t lo = 0, hi = r->nlists[LM_DIR_CANDIDATE];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->lists[LM_DIR_CANDIDATE][mid].slot < (uint32_t)slot) lo = mid + 1;
        else hi = mid;
    }
    if (lo == r->nlists[LM_DIR_CANDIDATE] || r->lists[LM_DIR_CANDIDATE][lo].slot != (uint32_t)slot)
        return LM_ERR_UNKNOWN_ID;
    *out = r->feasible[lo];
    return LM_OK;
}

/* ---- the unmatched view -------------------------------------------------- */
static int cmp_person(const void *a, const void *b) {
    int64_t x = ((const lm_unmatched_person *)a)->candidate_id, y = ((const lm_unmatched_person *)b)->candidate_id;
    return (x > y) - (x < y);
}

static int cmp_cell(const void *a, const void *b) {
    const lm_unmatched_cell *x = a, *y = b;
    if (x->binding != y->binding) return x->binding < y->binding ? -1 : 1;
    return (x->group > y->group) - (x->group < y->group);
}

/* Cells: per binding, one for everyone (group 0) and one per group bit. */
static int make_cells(lm_unmatched *u) {
    size_t cap = u->np * 33 + 1, n = 0;
    lm_unmatched_cell *c = lm__malloc(cap * sizeof *c);
    if (!c) return LM_ERR_NOMEM;
    for (size_t i = 0; i < u->np; i++) { /* one entry per (person, key), merged after the sort */
        const lm_unmatched_person *p = &u->p[i];
        c[n++] = (lm_unmatched_cell){p->binding, 0, 1};
        for (uint32_t g = p->groups; g; g &= g - 1) c[n++] = (lm_unmatched_cell){p->binding, g & -g, 1};
    }
    qsort(c, n, sizeof *c, cmp_cell);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (w && c[w - 1].binding == c[i].binding && c[w - 1].group == c[i].group) c[w - 1].people++;
        else c[w++] = c[i];
    }
    u->cell = c;
    u->ncell = w;
    return LM_OK;
}

int lm__unmatched_run(lm_unmatched **out, const lm_eval_ctx *E, const lm_history *h, const lm_batch_options *o,
                      int threads, lm_err *err) {
    double t0 = now_s();
    const lm_tbl *cs = E->snap->side[LM_SIDE_CANDIDATE];
    const lm_layout *L = E->LC;
    lm_unmatched *u = lm__calloc(1, sizeof *u);
    uint32_t *cslots = lm__malloc((cs->nlive ? cs->nlive : 1) * sizeof *cslots);
    vrun V = {0};
    lm_unmatched_person *per = NULL;
    uint8_t *um = NULL;
    size_t nc = 0;
    int st = LM_ERR_NOMEM;
    if (!u || !cslots || run_vacancies(E, h, o->vacancy_region, &V)) goto out;
    for (uint32_t slot = 0; slot < cs->nslots; slot++) {
        lm_chunk *c = lm__chunk_of(cs, slot);
        uint32_t r = slot & (LM_CHUNK_ROWS - 1);
        if (!LM_COLP(c, L, LM_COL_LIVE, uint8_t)[r]) continue;
        if (!lm__visible(&E->viewer, LM_COLP(c, L, LM_COL_ORG, int64_t)[r], LM_COLP(c, L, LM_COL_MUNI, int32_t)[r],
                         LM_COLP(c, L, LM_COL_REGION, int32_t)[r], LM_COLP(c, L, LM_COL_SCOPE, uint8_t)[r]))
            continue;
        if (h && lm__memory_person_out(h, &E->pol, LM_COLP(c, L, LM_COL_ID, int64_t)[r])) continue;
        cslots[nc++] = slot;
    }
    per = lm__malloc((nc ? nc : 1) * sizeof *per);
    um = lm__calloc(nc ? nc : 1, 1);
    if (!per || !um) goto out;
    sweep S = {.E = E, .h = h, .today = lm__memory_today(&E->pol), .cs = cslots, .nc = nc, .vs = V.slot, .vid = V.id,
               .nv = V.n, .V = &V, .view = true, .per = per, .unmatched = um};
    int used = sweep_run(&S, threads, o->progress, o->progress_user);
    if (used < 0) {
        st = LM_ERR_CANCELLED;
        goto out;
    }
    for (size_t i = 0; i < nc; i++)
        if (um[i]) per[u->np++] = per[i];
    qsort(per, u->np, sizeof *per, cmp_person);
    u->p = per;
    per = NULL;
    if (make_cells(u)) goto out;
    u->stat[LM_UNMATCHED_STAT_PEOPLE] = (double)nc;
    u->stat[LM_UNMATCHED_STAT_VACANCIES] = (double)V.n;
    u->stat[LM_UNMATCHED_STAT_UNMATCHED] = (double)u->np;
    u->stat[LM_UNMATCHED_STAT_THREADS] = used;
    u->stat[LM_UNMATCHED_STAT_SECONDS] = now_s() - t0;
    st = LM_OK;
out:
    lm__free(cslots);
    vrun_free(&V);
    lm__free(per);
    lm__free(um);
    if (st) {
        lm_unmatched_free(u);
        return lm__fail(err, st, st == LM_ERR_CANCELLED ? "unmatched: cancelled by the progress callback"
                                                        : "unmatched: out of memory");
    }
    *out = u;
    return LM_OK;
}

void lm_unmatched_free(lm_unmatched *u) {
    if (!u) return;
    lm__free(u->p);
    lm__free(u->cell);
    lm__free(u);
}

/* Copy n elements of our size into the caller's elem_size, zero padding past ours. */
static int copy_out(void *out, size_t elem_size, size_t capacity, size_t *out_needed, const void *src, size_t n,
                    size_t ours) {
    if (out_needed) *out_needed = n;
    if (elem_size < ours) return LM_ERR_INVALID;
    if (capacity < n) return LM_ERR_BUFFER;
    if (n && !out) return LM_ERR_NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char *d = (unsigned char *)out + i * elem_size;
        memcpy(d, (const unsigned char *)src + i * ours, ours);
        if (elem_size > ours) memset(d + ours, 0, elem_size - ours);
    }
    return LM_OK;
}

int lm_unmatched_people(lm_unmatched_person *out, size_t elem_size, size_t capacity, size_t *out_needed,
                        const lm_unmatched *u) {
    if (!u) return LM_ERR_NULL;
    return copy_out(out, elem_size, capacity, out_needed, u->p, u->np, sizeof *u->p);
}

int lm_unmatched_cells(lm_unmatched_cell *out, size_t elem_size, size_t capacity, size_t *out_needed,
                       const lm_unmatched *u) {
    if (!u) return LM_ERR_NULL;
    return copy_out(out, elem_size, capacity, out_needed, u->cell, u->ncell, sizeof *u->cell);
}

int lm_unmatched_stat(double *out, const lm_unmatched *u, int32_t stat) {
    if (!out || !u) return LM_ERR_NULL;
    if (stat < 0 || stat > LM_UNMATCHED_STAT_THREADS) return LM_ERR_RANGE;
    *out = u->stat[stat];
    return LM_OK;
}
