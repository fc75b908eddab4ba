/* The fast batch: top-k both ways over a whole snapshot.
 *
 * 1. Gather the visible candidates and the open vacancies into dense arrays,
 *    sorted along a Morton curve of their coordinates, so that a block of
 *    rows covers a small area. Candidate vectors are stored transposed per
 *    block of LM_BLOCK_C for the panel kernel.
 * 2. A work item is a block of the larger side (BV vacancies or LM_BLOCK_C
 *    candidates) against every block of the other; tiles are BV vacancies x
 *    LM_BLOCK_C candidates. A tile whose bounding spheres are farther apart
 *    than the candidates' longest reach is skipped whole (geometric travel
 *    only).
 * 3. The panel kernel computes competence dot products; an upper bound of the
 *    score (travel and hours at their maximum) is compared with the k-th best
 *    score of both heaps before any filter or heap is touched.
 * 4. Threads take work items. The outer side's lists belong to the item's
 *    thread and stay in cache during its sweep; the inner side's lists are
 *    per thread and merged at the end. Lists are buffers cut by a branchless
 *    selection on (score, id rank) keys.
 * The filters and the score repeat lm__pair_eval() exactly (same operations
 * in the same order, -ffp-contract=off), which the tests hold equal. */
#include "internal.h"
#include "kernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BV 96 /* vacancies per work block, a multiple of LM_PANEL_MR */

typedef struct hent {
    float score;
    float dot;
    uint32_t rank; /* the other side's row, as its id rank (larger = lower id) */
} hent;

/* Worse = lower score, then higher id (ties go to the lower id). */
static inline bool worse(const hent *a, const hent *b) {
    return a->score < b->score || (a->score == b->score && a->rank < b->rank);
}

/* Heap-sort a min-heap in place, best first. */
static void sort_hits(hent *e, uint32_t n) {
    while (n > 1) {
        hent worst = e[0], x = e[--n];
        uint32_t i = 0;
        for (;;) {
            uint32_t l = 2 * i + 1, r = l + 1, m = i;
            const hent *mv = &x;
            if (l < n && worse(&e[l], mv)) { m = l; mv = &e[l]; }
            if (r < n && worse(&e[r], mv)) m = r;
            if (m == i) break;
            e[i] = e[m];
            i = m;
        }
        e[i] = x;
        e[n] = worst;
    }
}

/* A top-k list is a buffer of 2k: entries are appended while they reach the
 * threshold; a full buffer is cut back to the k best and the threshold
 * raised to the k-th best score. Amortised O(1) per entry.
 *
 * The cut compares 64-bit keys: the score's bits made order-preserving,
 * then the id rank the entry carries, so the order is total and matches
 * worse(), with no lookup. The selection is branchless: the comparisons are
 * data-dependent coin flips that a branchy quickselect mispredicts about
 * half the time. */
static inline uint64_t hkey(const hent *e) {
    uint32_t u;
    memcpy(&u, &e->score, 4);
    u = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
    return (uint64_t)u << 32 | e->rank;
}

/* How a list cut selects: the kernel's k-th largest key and its scratch. */
typedef struct lsel {
    uint64_t (*kth)(uint64_t *a, uint64_t *tmp, uint32_t n, uint32_t k);
    uint64_t *keys, *tmp; /* n and 4n keys for the largest cut */
} lsel;

static float list_cut(hent *e, uint32_t *np, uint32_t k, const lsel *sel) {
    uint32_t n = *np;
    for (uint32_t q = 0; q < n; q++) sel->keys[q] = hkey(&e[q]);
    uint64_t kth = sel->kth(sel->keys, sel->tmp, n, k);
    uint32_t w = 0;
    for (uint32_t q = 0; q < n; q++) {
        hent x = e[q];
        e[w] = x;
        w += hkey(&x) >= kth;
    }
    *np = k;
    uint32_t u = (uint32_t)(kth >> 32);
    u = (u & 0x80000000u) ? (u & 0x7FFFFFFFu) : ~u;
    float thr;
    memcpy(&thr, &u, 4);
    return thr;
}

static inline float list_add(hent *e, uint32_t *np, uint32_t k, hent x, const lsel *sel, float thr) {
    e[(*np)++] = x;
    return *np == 2 * k ? list_cut(e, np, k, sel) : thr;
}

/* Final order: the best min(n, k), best first; returns their count. Short
 * lists are placed by counting, for each entry, the keys above it: no
 * branches to mispredict, unlike a heap sort. */
static uint32_t list_finish(hent *e, uint32_t n, uint32_t k, const lsel *sel) {
    if (n > k) list_cut(e, &n, k, sel);
    uint64_t *scratch = sel->keys;
    if (n <= 64) {
        hent tmp[64];
        for (uint32_t q = 0; q < n; q++) scratch[q] = hkey(&e[q]);
        for (uint32_t q = 0; q < n; q++) {
            uint32_t above = 0;
            for (uint32_t j = 0; j < n; j++) above += scratch[j] > scratch[q];
            tmp[above] = e[q];
        }
        memcpy(e, tmp, n * sizeof *e);
        return n;
    }
    /* heapify (worst on top), then heap-sort best first */
    for (int64_t i = (int64_t)n / 2 - 1; i >= 0; i--) {
        hent x = e[i];
        uint32_t p = (uint32_t)i;
        for (;;) {
            uint32_t l = 2 * p + 1, r = l + 1, m = p;
            const hent *mv = &x;
            if (l < n && worse(&e[l], mv)) { m = l; mv = &e[l]; }
            if (r < n && worse(&e[r], mv)) m = r;
            if (m == p) break;
            e[p] = e[m];
            p = m;
        }
        e[p] = x;
    }
    sort_hits(e, n);
    return n;
}

/* ---- gathered sides ------------------------------------------------------ */
typedef struct gcand {
    size_t n, nblk;
    uint32_t *slot;
    int64_t *id;
    uint32_t *rank; /* n - 1 - position of id in ascending order */
    uint32_t *groups;
    uint8_t *ready, *modes;
    float *lw, *hmin, *hmax, *limit, *rdy, *prio, *sc; /* sc: hours, readiness, priority part of the bound */
    float *fx, *fy, *fz, *inv_limit; /* float positions and 1/limit for the SIMD bound */
    uint32_t *flo, *fhi;             /* flags in 32-bit halves */
    int32_t *ready32;
    uint64_t *flags;
    int32_t *avail;
    double *xyz, *reach2;
    int32_t *zidx[LM_MODE_COUNT];
    float *ct;        /* nblk * dim * LM_BLOCK_C */
    int8_t *ct8;      /* quantised: nblk * dim4 * LM_BLOCK_C * 4, or NULL */
    int32_t *csum;    /* per candidate: sum of its int8 components */
    float *raw;       /* COSINE_COVERAGE: raw levels, n * dim in batch order (read per pair), or NULL */
    double *bcen, *brad, *breach;
    float *blimit;    /* largest travel limit in the block */
    uint8_t *bmodes;  /* union of the block's modes */
    /* per block, for skipping by the hard filters: the lowest readiness, the
     * highest loonwaarde, the union of the groups */
    uint8_t *bminrdy;
    float *bmaxlw;
    uint32_t *bgroups;
    uint64_t *bflags; /* union of the flags held */
    uint64_t *needs;  /* support needs (since 1.2) */
    int32_t *muni;    /* municipality of residence (LM_POLICY_LOCAL_ONLY) */
} gcand;

typedef struct gvac {
    size_t n, npad, nblk;
    uint32_t *slot;
    int64_t *id;
    uint32_t *rank; /* as gcand.rank */
    uint32_t *acc;
    uint8_t *maxr;
    float *minlw, *hmin, *hmax;
    uint64_t *req;
    int32_t *open;
    double *xyz;
    int32_t *zidx[LM_MODE_COUNT];
    float *vec;       /* npad * dim */
    uint8_t *vec8;    /* quantised + 128: npad * dim4 * 4, or NULL */
    double *bcen, *brad;
    /* per block: the highest readiness accepted, the lowest loonwaarde
     * required, the union of the accepted groups */
    uint8_t *bmaxr;
    float *bminlw;
    uint32_t *bacc;
    uint64_t *breq; /* flags every vacancy of the block requires */
    uint64_t *offers; /* support offered (since 1.2) */
    int32_t *muni;
} gvac;

typedef struct skey {
    uint64_t key;
    int64_t id;
    uint32_t slot;
    uint32_t idpos; /* position in id order, set by sort_keys */
} skey;

static inline unsigned digit(const skey *x, int p) {
    uint64_t v = p < 8 ? (uint64_t)x->id ^ (1ull << 63) : x->key; /* sign flipped: signed order */
    return (unsigned)(v >> (8 * (p & 7)) & 255);
}

/* Sort by (key, id) ascending: a stable LSD radix sort on 8-bit digits, the
 * id's first, then the key's. Many rows share a Morton key (a postcode zone),
 * so the order by id beneath it matters. A digit every row shares is skipped
 * (ids and keys use few of their bits). Between the two it sets .idpos, the
 * row's position in id order, from which the rank follows without a second
 * sort. tmp holds n entries; returns whichever of a and tmp holds the result.
 * n fits in 32 bits: rows are slots. */
static skey *sort_keys(skey *a, skey *tmp, size_t n) {
    uint64_t any[2] = {0, 0}, all[2] = {UINT64_MAX, UINT64_MAX}; /* bits of the ids, of the keys */
    for (size_t i = 0; i < n; i++) {
        uint64_t u = (uint64_t)a[i].id ^ (1ull << 63);
        any[0] |= u;
        all[0] &= u;
        any[1] |= a[i].key;
        all[1] &= a[i].key;
    }
    for (int p = 0; p < 16; p++) {
        if (p == 8)
            for (size_t i = 0; i < n; i++) a[i].idpos = (uint32_t)i;
        if (!((any[p / 8] ^ all[p / 8]) >> (8 * (p & 7)) & 255)) continue;
        uint32_t cnt[256] = {0}, sum = 0;
        for (size_t i = 0; i < n; i++) cnt[digit(&a[i], p)]++;
        for (int d = 0; d < 256; d++) {
            uint32_t x = cnt[d];
            cnt[d] = sum;
            sum += x;
        }
        for (size_t i = 0; i < n; i++) tmp[cnt[digit(&a[i], p)]++] = a[i];
        skey *t = a;
        a = tmp;
        tmp = t;
    }
    return a;
}

static uint64_t spread16(uint64_t x) {
    x &= 0xFFFF;
    x = (x | (x << 8)) & 0x00FF00FFull;
    x = (x | (x << 4)) & 0x0F0F0F0Full;
    x = (x | (x << 2)) & 0x33333333ull;
    x = (x | (x << 1)) & 0x55555555ull;
    return x;
}

/* Morton key of a position; rows without one go last. */
uint64_t lm__morton(double lat, double lon) {
    if (!(lat == lat) || !(lon == lon)) return UINT64_MAX;
    uint64_t a = (uint64_t)((lat + 90.0) / 180.0 * 65535.0), b = (uint64_t)((lon + 180.0) / 360.0 * 65535.0);
    return spread16(a) << 1 | spread16(b);
}

#define GALLOC(p, n) (((p) = lm__malloc(((n) != 0 ? (n) : 1) * sizeof *(p))) == NULL)

static void gcand_free(gcand *g) {
    lm__free(g->slot); lm__free(g->id); lm__free(g->rank); lm__free(g->groups); lm__free(g->ready); lm__free(g->modes);
    lm__free(g->lw); lm__free(g->hmin); lm__free(g->hmax); lm__free(g->limit); lm__free(g->rdy);
    lm__free(g->prio); lm__free(g->sc); lm__free(g->flags); lm__free(g->avail); lm__free(g->xyz);
    lm__free(g->reach2); lm__free(g->ct); lm__free(g->raw); lm__free(g->bcen); lm__free(g->brad); lm__free(g->breach);
    lm__free(g->blimit); lm__free(g->bmodes); lm__free(g->bminrdy); lm__free(g->bmaxlw); lm__free(g->bgroups);
    lm__free(g->bflags);
    lm__free(g->fx); lm__free(g->fy); lm__free(g->fz); lm__free(g->inv_limit);
    lm__free(g->flo); lm__free(g->fhi); lm__free(g->ready32); lm__free(g->ct8); lm__free(g->csum);
    lm__free(g->needs); lm__free(g->muni);
    for (int m = 0; m < LM_MODE_COUNT; m++) lm__free(g->zidx[m]);
    memset(g, 0, sizeof *g);
}

static void gvac_free(gvac *g) {
    lm__free(g->slot); lm__free(g->id); lm__free(g->rank); lm__free(g->acc); lm__free(g->maxr); lm__free(g->minlw);
    lm__free(g->hmin); lm__free(g->hmax); lm__free(g->req); lm__free(g->open); lm__free(g->xyz);
    lm__free(g->vec); lm__free(g->vec8); lm__free(g->bcen); lm__free(g->brad);
    lm__free(g->bmaxr); lm__free(g->bminlw); lm__free(g->bacc); lm__free(g->breq);
    lm__free(g->offers); lm__free(g->muni);
    for (int m = 0; m < LM_MODE_COUNT; m++) lm__free(g->zidx[m]);
    memset(g, 0, sizeof *g);
}

/* Bounding sphere (in chord space) of rows [a, b) with known positions. */
static void bound(const double *xyz, size_t a, size_t b, double cen[3], double *rad) {
    double c[3] = {0, 0, 0};
    size_t k = 0;
    for (size_t i = a; i < b; i++) {
        const double *p = xyz + 3 * i;
        if (p[0] != p[0]) continue;
        c[0] += p[0]; c[1] += p[1]; c[2] += p[2];
        k++;
    }
    if (k) { c[0] /= (double)k; c[1] /= (double)k; c[2] /= (double)k; }
    double r = 0;
    for (size_t i = a; i < b; i++) {
        const double *p = xyz + 3 * i;
        if (p[0] != p[0]) continue;
        double dx = p[0] - c[0], dy = p[1] - c[1], dz = p[2] - c[2], d = sqrt(dx * dx + dy * dy + dz * dz);
        if (d > r) r = d;
    }
    memcpy(cen, c, sizeof c);
    *rad = k ? r : -1.0; /* -1: no positioned row, nothing reachable geometrically */
}

/* Squared chord a candidate can reach by the geometric estimate, with a
 * safety margin (it is a pre-filter; the exact check follows). INFINITY when
 * an allowed mode has a matrix (no geometric bound then). */
double lm__reach2(const lm_travel *t, uint32_t modes, float limit) {
    double reach_km = -1;
    for (int m = 0; m < LM_MODE_COUNT; m++) {
        if (!(modes & (1u << m))) continue;
        if (lm__travel_has_matrix(t, m)) return INFINITY;
        double km = ((double)limit - lm__travel_params(t, m)[LM_TRAVEL_ACCESS_MIN]) / lm__travel_min_per_km(t, m);
        if (km > reach_km) reach_km = km;
    }
    if (reach_km < 0) return -1.0;
    double ang = reach_km / (2.0 * LM_EARTH_RADIUS_KM);
    double chord = ang >= M_PI / 2 ? 2.0 : 2.0 * sin(ang);
    chord = chord * (1.0 + 1e-6) + 1e-9;
    return chord * chord;
}

static inline int8_t q8(float x) {
    float y = x * LM_Q8_SCALE;
    y = y > 127.f ? 127.f : (y < -127.f ? -127.f : y);
    return (int8_t)lrintf(y);
}

/* A gather's fill: rows [0, n) of the sorted keys copied into the side's
 * arrays, in parts of whole blocks run on several threads. */
typedef struct gfill {
    gcand *C; /* the side being gathered, one of C and V */
    gvac *V;
    const lm_eval_ctx *E;
    const skey *keys; /* sorted */
    uint32_t dim;
    bool quant;
    bool raw; /* candidates: copy the raw levels too (COSINE_COVERAGE) */
} gfill;

typedef void (*gfill_fn)(const gfill *f, size_t a, size_t b);

typedef struct gpart {
    gfill_fn fill;
    const gfill *f;
    size_t a, b;
    pthread_t th;
    bool started;
} gpart;

#define GATHER_ROWS 4096     /* rows per part at least: below, a thread costs more than it saves */
#define GATHER_MAX_PARTS 16  /* the copy is bound by memory long before */

static void *gpart_main(void *arg) {
    gpart *p = arg;
    p->fill(p->f, p->a, p->b);
    return NULL;
}

/* Runs fill over rows [0, n) on up to nt threads, the caller's among them.
 * Parts are whole blocks of blk rows, so no two threads write one block (of
 * transposed vectors, of bounds). A part whose thread does not start runs on
 * the caller's. */
static void gather_parts(gfill_fn fill, const gfill *f, size_t n, size_t blk, int nt) {
    size_t nblk = (n + blk - 1) / blk, np = n / GATHER_ROWS;
    if (np > (size_t)nt) np = (size_t)nt;
    if (np > GATHER_MAX_PARTS) np = GATHER_MAX_PARTS;
    if (np > nblk) np = nblk;
    if (np < 1) np = 1;
    gpart part[GATHER_MAX_PARTS];
    for (size_t t = 0; t < np; t++) {
        size_t b = nblk * (t + 1) / np * blk;
        part[t].fill = fill;
        part[t].f = f;
        part[t].a = nblk * t / np * blk;
        part[t].b = b < n ? b : n;
        part[t].started = t > 0 && pthread_create(&part[t].th, NULL, gpart_main, &part[t]) == 0;
    }
    fill(f, part[0].a, part[0].b);
    for (size_t t = 1; t < np; t++) {
        if (part[t].started) pthread_join(part[t].th, NULL);
        else fill(f, part[t].a, part[t].b);
    }
}

/* Rows [a, b) of the columns both sides have; rank as gcand.rank. */
static void fill_ids(const skey *keys, size_t a, size_t b, size_t n, uint32_t *slot, int64_t *id, uint32_t *rank) {
    for (size_t i = a; i < b; i++) {
        slot[i] = keys[i].slot;
        id[i] = keys[i].id;
        rank[i] = (uint32_t)(n - 1 - keys[i].idpos);
    }
}

static void fill_cand(const gfill *f, size_t a, size_t b) {
    gcand *g = f->C;
    const lm_eval_ctx *E = f->E;
    const lm_tbl *s = E->snap->side[LM_SIDE_CANDIDATE];
    const lm_layout *L = E->LC;
    const lm_policy_eval *P = &E->pol;
    uint32_t dim = f->dim, dim4 = (dim + 3) / 4;
    size_t n = g->n;
    size_t blk8 = (size_t)dim4 * LM_BLOCK_C * 4; /* bytes of a quantised block */
    if (b == n && n % LM_BLOCK_C) { /* the rows below write everything else */
        memset(g->ct + n / LM_BLOCK_C * (size_t)dim * LM_BLOCK_C, 0, (size_t)dim * LM_BLOCK_C * sizeof(float));
        if (f->quant) memset(g->ct8 + n / LM_BLOCK_C * blk8, 0, blk8);
    }
    fill_ids(f->keys, a, b, n, g->slot, g->id, g->rank);
    /* Rows go 16 at a time, so that the transposed stores fill whole cache
     * lines of ct: one row alone stores to dim lines, a block's worth of which
     * does not stay in L1. */
    _Static_assert(LM_BLOCK_C % 16 == 0, "a tile stays in one block");
    for (size_t i0 = a; i0 < b; i0 += 16) {
        size_t nr = b - i0 < 16 ? b - i0 : 16;
        const float *vs[16];
        for (size_t i = i0; i < i0 + nr; i++) {
            uint32_t slot = g->slot[i];
            lm_chunk *c = lm__chunk_of(s, slot);
            uint32_t r = slot & (LM_CHUNK_ROWS - 1);
            g->groups[i] = LM_COLP(c, L, LM_COL_GROUPS, uint32_t)[r];
            g->ready[i] = LM_COLP(c, L, LM_COL_READY, uint8_t)[r];
            g->modes[i] = (uint8_t)(LM_COLP(c, L, LM_COL_MODES, uint8_t)[r] & P->allowed_modes);
            g->lw[i] = LM_COLP(c, L, LM_COL_LW, float)[r];
            g->hmin[i] = LM_COLP(c, L, LM_COL_HMIN, float)[r];
            g->hmax[i] = LM_COLP(c, L, LM_COL_HMAX, float)[r];
            float limit = P->max_travel_min, own = LM_COLP(c, L, LM_COL_MAXMIN, float)[r];
            if (own > 0 && own < limit) limit = own;
            g->limit[i] = limit;
            g->rdy[i] = lm__readiness_term(P, g->ready[i]);
            g->prio[i] = LM_COLP(c, L, LM_COL_PRIO, float)[r];
            g->sc[i] = P->w_hours + P->w_ready * g->rdy[i] + P->w_prio * g->prio[i];
            g->inv_limit[i] = 1.f / limit;
            g->flags[i] = LM_COLP(c, L, LM_COL_FLAGS, uint64_t)[r];
            g->flo[i] = (uint32_t)g->flags[i];
            g->fhi[i] = (uint32_t)(g->flags[i] >> 32);
            g->ready32[i] = g->ready[i];
            g->avail[i] = LM_COLP(c, L, LM_COL_DAY, int32_t)[r];
            g->needs[i] = LM_COLP(c, L, LM_COL_NEEDS, uint64_t)[r];
            g->muni[i] = LM_COLP(c, L, LM_COL_MUNI, int32_t)[r];
            memcpy(g->xyz + 3 * i, LM_COLP(c, L, LM_COL_XYZ, double) + 3 * r, 3 * sizeof(double));
            g->fx[i] = (float)g->xyz[3 * i];
            g->fy[i] = (float)g->xyz[3 * i + 1];
            g->fz[i] = (float)g->xyz[3 * i + 2];
            g->reach2[i] = lm__reach2(E->travel, g->modes[i], limit);
            int32_t z = LM_COLP(c, L, LM_COL_ZONE, int32_t)[r];
            for (int m = 0; m < LM_MODE_COUNT; m++)
                if (g->zidx[m]) g->zidx[m][i] = lm__travel_zone_index(E->travel, m, z);
            vs[i - i0] = LM_COLP(c, L, LM_COL_VEC, float) + (size_t)r * L->vec_stride;
            if (f->raw) memcpy(g->raw + i * dim, LM_COLP(c, L, LM_COL_RAW, float) + (size_t)r * L->vec_stride,
                               dim * sizeof(float));
        }
        float *ct = g->ct + (i0 / LM_BLOCK_C) * (size_t)dim * LM_BLOCK_C + (i0 % LM_BLOCK_C);
        for (uint32_t j = 0; j < dim; j++)
            for (size_t q = 0; q < nr; q++) ct[(size_t)j * LM_BLOCK_C + q] = vs[q][j];
        if (f->quant) {
            int8_t *c8 = g->ct8 + (i0 / LM_BLOCK_C) * blk8 + (i0 % LM_BLOCK_C) * 4;
            int32_t sum[16] = {0};
            for (uint32_t j = 0; j < dim4 * 4; j++) /* components past dim are 0 */
                for (size_t q = 0; q < nr; q++) {
                    int8_t x = j < dim ? q8(vs[q][j]) : 0;
                    c8[(size_t)(j / 4) * LM_BLOCK_C * 4 + q * 4 + j % 4] = x;
                    sum[q] += x;
                }
            for (size_t q = 0; q < nr; q++) g->csum[i0 + q] = sum[q];
        }
    }
    for (size_t bl = a / LM_BLOCK_C; bl * LM_BLOCK_C < b; bl++) {
        size_t r0 = bl * LM_BLOCK_C, r1 = r0 + LM_BLOCK_C < n ? r0 + LM_BLOCK_C : n;
        bound(g->xyz, r0, r1, g->bcen + 3 * bl, &g->brad[bl]);
        double mr = -1;
        float ml = 0;
        uint8_t mm = 0;
        for (size_t i = r0; i < r1; i++) {
            if (g->reach2[i] > mr) mr = g->reach2[i];
            if (g->limit[i] > ml) ml = g->limit[i];
            mm |= g->modes[i];
        }
        g->breach[bl] = mr < 0 ? -1.0 : sqrt(mr);
        g->blimit[bl] = ml;
        g->bmodes[bl] = mm;
    }
}

/* Within each run of `chunk` (at most 4 LM_BLOCK_C) rows of the spatial
 * order, order the rows by readiness, then by the low byte of the flags
 * (candidates: flags held; vacancies: flags required), stably: a run still
 * covers a small area, but its blocks differ in readiness and flags, so a
 * vacancy can skip whole blocks by the hard filters (most regular jobs take
 * readiness A or B only; a required certificate is held by few). One
 * counting pass on (readiness, flags byte); readiness above 7 (never stored)
 * would only share a bucket. */
static void order_by_filters(skey *k, skey *tmp, size_t n, size_t chunk, const lm_tbl *s, const lm_layout *L) {
    enum { NB = 8 << 8 };
    uint16_t key[4 * LM_BLOCK_C];
    uint32_t cnt[NB + 1];
    for (size_t a = 0; a < n; a += chunk) {
        size_t b = a + chunk < n ? a + chunk : n;
        memset(cnt, 0, sizeof cnt);
        for (size_t i = a; i < b; i++) {
            lm_chunk *c = lm__chunk_of(s, k[i].slot);
            uint32_t r = k[i].slot & (LM_CHUNK_ROWS - 1);
            uint8_t rdy = LM_COLP(c, L, LM_COL_READY, uint8_t)[r];
            key[i - a] = (uint16_t)((rdy < 7 ? rdy : 7) << 8 | (uint8_t)LM_COLP(c, L, LM_COL_FLAGS, uint64_t)[r]);
            cnt[key[i - a] + 1]++;
        }
        for (int d = 0; d < NB; d++) cnt[d + 1] += cnt[d];
        for (size_t i = a; i < b; i++) tmp[a + cnt[key[i - a]]++] = k[i];
        memcpy(k + a, tmp + a, (b - a) * sizeof *k);
    }
}

static int gather_cand(gcand *g, const lm_eval_ctx *E, uint32_t dim, bool quant, bool raw, int nt) {
    const lm_tbl *s = E->snap->side[LM_SIDE_CANDIDATE];
    const lm_layout *L = E->LC;
    memset(g, 0, sizeof *g);
    size_t cap = s->nlive ? s->nlive : 1;
    skey *keys = lm__malloc(2 * cap * sizeof *keys); /* and the sort's buffer */
    if (!keys) return LM_ERR_NOMEM;
    size_t n = 0;
    for (uint32_t slot = 0; slot < s->nslots; slot++) {
        lm_chunk *c = lm__chunk_of(s, slot);
        uint32_t r = slot & (LM_CHUNK_ROWS - 1);
        if (!LM_COLP(c, L, LM_COL_LIVE, uint8_t)[r]) continue;
        if (E->cand_skip && E->cand_skip[slot]) continue; /* left out by the proposal history */
        if (!lm__visible(&E->viewer, LM_COLP(c, L, LM_COL_ORG, int64_t)[r], LM_COLP(c, L, LM_COL_MUNI, int32_t)[r],
                         LM_COLP(c, L, LM_COL_REGION, int32_t)[r], LM_COLP(c, L, LM_COL_SCOPE, uint8_t)[r]))
            continue;
        const double *ll = LM_COLP(c, L, LM_COL_LATLON, double) + 2 * r;
        keys[n++] = (skey){lm__morton(ll[0], ll[1]), LM_COLP(c, L, LM_COL_ID, int64_t)[r], slot, 0};
    }
    skey *sorted = sort_keys(keys, keys + cap, n);
    order_by_filters(sorted, sorted == keys ? keys + cap : keys, n, 4 * LM_BLOCK_C, s, L);
    g->n = n;
    g->nblk = (n + LM_BLOCK_C - 1) / LM_BLOCK_C;
    size_t ctn;
    int st = LM_ERR_NOMEM;
    if (!lm__muladd(&ctn, g->nblk * (size_t)dim, LM_BLOCK_C, 0) || ctn > SIZE_MAX / sizeof(float)) goto out;
    if (GALLOC(g->slot, n) || GALLOC(g->id, n) || GALLOC(g->rank, n) || GALLOC(g->groups, n) || GALLOC(g->ready, n) ||
        GALLOC(g->modes, n) || GALLOC(g->lw, n) || GALLOC(g->hmin, n) || GALLOC(g->hmax, n) ||
        GALLOC(g->limit, n) || GALLOC(g->rdy, n) || GALLOC(g->prio, n) || GALLOC(g->sc, n) ||
        GALLOC(g->flags, n) || GALLOC(g->avail, n) || GALLOC(g->xyz, 3 * n) || GALLOC(g->reach2, n) ||
        GALLOC(g->bcen, 3 * g->nblk) || GALLOC(g->brad, g->nblk) || GALLOC(g->breach, g->nblk) ||
        GALLOC(g->blimit, g->nblk) || GALLOC(g->bmodes, g->nblk) || GALLOC(g->fx, n) || GALLOC(g->fy, n) ||
        GALLOC(g->fz, n) || GALLOC(g->inv_limit, n) || GALLOC(g->flo, n) || GALLOC(g->fhi, n) ||
        GALLOC(g->ready32, n) || GALLOC(g->bminrdy, g->nblk) || GALLOC(g->bmaxlw, g->nblk) ||
        GALLOC(g->bgroups, g->nblk) || GALLOC(g->bflags, g->nblk) || GALLOC(g->needs, n) || GALLOC(g->muni, n))
        goto out;
    g->ct = lm__big_alloc((ctn ? ctn : 1) * sizeof(float));
    if (!g->ct) goto out;
    for (int m = 0; m < LM_MODE_COUNT; m++)
        if (lm__travel_has_matrix(E->travel, m) && GALLOC(g->zidx[m], n)) goto out;
    if (raw && !(g->raw = lm__big_alloc((n ? n : 1) * (size_t)dim * sizeof(float)))) goto out;
    if (quant) {
        size_t n8 = g->nblk * (size_t)((dim + 3) / 4) * LM_BLOCK_C * 4;
        g->ct8 = lm__big_alloc(n8 ? n8 : 64);
        g->csum = lm__calloc(g->nblk * LM_BLOCK_C + 1, sizeof *g->csum);
        if (!g->ct8 || !g->csum) goto out;
    }
    gather_parts(fill_cand, &(gfill){.C = g, .E = E, .keys = sorted, .dim = dim, .quant = quant, .raw = raw}, n,
                 LM_BLOCK_C, nt);
    st = LM_OK;
out:
    lm__free(keys);
    if (st) gcand_free(g);
    return st;
}

static void fill_vac(const gfill *f, size_t a, size_t b) {
    gvac *g = f->V;
    const lm_eval_ctx *E = f->E;
    const lm_tbl *s = E->snap->side[LM_SIDE_VACANCY];
    const lm_layout *L = E->LV;
    uint32_t dim = f->dim, dim4 = (dim + 3) / 4;
    int vcol = lm__vac_vec_col(E->pol.competence_model); /* REQUIREMENT or COSINE, chosen once */
    size_t n = g->n;
    if (b == n) { /* the padding rows: the rows below write everything else */
        memset(g->vec + n * dim, 0, (g->npad - n) * dim * sizeof(float));
        if (f->quant) memset(g->vec8 + n * dim4 * 4, 128, (g->npad - n) * dim4 * 4); /* q = 0 */
    }
    fill_ids(f->keys, a, b, n, g->slot, g->id, g->rank);
    for (size_t i = a; i < b; i++) {
        uint32_t slot = g->slot[i];
        lm_chunk *c = lm__chunk_of(s, slot);
        uint32_t r = slot & (LM_CHUNK_ROWS - 1);
        g->acc[i] = LM_COLP(c, L, LM_COL_GROUPS, uint32_t)[r];
        g->maxr[i] = LM_COLP(c, L, LM_COL_READY, uint8_t)[r];
        g->minlw[i] = LM_COLP(c, L, LM_COL_LW, float)[r];
        g->hmin[i] = LM_COLP(c, L, LM_COL_HMIN, float)[r];
        g->hmax[i] = LM_COLP(c, L, LM_COL_HMAX, float)[r];
        g->req[i] = LM_COLP(c, L, LM_COL_FLAGS, uint64_t)[r];
        g->open[i] = LM_COLP(c, L, LM_COL_DAY, int32_t)[r];
        g->offers[i] = LM_COLP(c, L, LM_COL_NEEDS, uint64_t)[r];
        g->muni[i] = LM_COLP(c, L, LM_COL_MUNI, int32_t)[r];
        memcpy(g->xyz + 3 * i, LM_COLP(c, L, LM_COL_XYZ, double) + 3 * r, 3 * sizeof(double));
        int32_t z = LM_COLP(c, L, LM_COL_ZONE, int32_t)[r];
        for (int m = 0; m < LM_MODE_COUNT; m++)
            if (g->zidx[m]) g->zidx[m][i] = lm__travel_zone_index(E->travel, m, z);
        memcpy(g->vec + i * dim, LM_COLP(c, L, vcol, float) + (size_t)r * L->vec_stride, dim * sizeof(float));
        if (f->quant) /* components past dim are q = 0 */
            for (uint32_t j = 0; j < dim4 * 4; j++)
                g->vec8[i * (size_t)dim4 * 4 + j] = (uint8_t)((j < dim ? q8(g->vec[i * dim + j]) : 0) + 128);
    }
    for (size_t bl = a / BV; bl * BV < b; bl++) {
        size_t r0 = bl * BV, r1 = r0 + BV < n ? r0 + BV : n;
        bound(g->xyz, r0, r1, g->bcen + 3 * bl, &g->brad[bl]);
    }
}

/* Open vacancies of the region (the results find them by slot). */
static int gather_vac(gvac *g, const lm_eval_ctx *E, uint32_t dim, const uint32_t *slots, size_t nslots, bool quant,
                      int nt) {
    const lm_tbl *s = E->snap->side[LM_SIDE_VACANCY];
    const lm_layout *L = E->LV;
    memset(g, 0, sizeof *g);
    size_t cap = nslots ? nslots : 1;
    skey *keys = lm__malloc(2 * cap * sizeof *keys); /* and the sort's buffer */
    if (!keys) return LM_ERR_NOMEM;
    size_t n = 0;
    for (size_t q = 0; q < nslots; q++) {
        uint32_t slot = slots[q];
        if (lm__vacancy_open(E, slot) != LM_CONSTRAINT_NONE) continue;
        lm_chunk *c = lm__chunk_of(s, slot);
        uint32_t r = slot & (LM_CHUNK_ROWS - 1);
        const double *ll = LM_COLP(c, L, LM_COL_LATLON, double) + 2 * r;
        keys[n++] = (skey){lm__morton(ll[0], ll[1]), LM_COLP(c, L, LM_COL_ID, int64_t)[r], slot, 0};
    }
    skey *sorted = sort_keys(keys, keys + cap, n);
    order_by_filters(sorted, sorted == keys ? keys + cap : keys, n, 4 * BV, s, L);
    g->n = n;
    g->nblk = (n + BV - 1) / BV;
    g->npad = g->nblk * BV;
    int st = LM_ERR_NOMEM;
    size_t vn;
    if (!lm__mul(&vn, g->npad ? g->npad : 1, dim) || vn > SIZE_MAX / sizeof(float)) goto out;
    if (GALLOC(g->slot, n) || GALLOC(g->id, n) || GALLOC(g->rank, n) || GALLOC(g->acc, n) || GALLOC(g->maxr, n) ||
        GALLOC(g->minlw, n) || GALLOC(g->hmin, n) || GALLOC(g->hmax, n) || GALLOC(g->req, n) ||
        GALLOC(g->open, n) || GALLOC(g->xyz, 3 * n) || GALLOC(g->bcen, 3 * g->nblk) || GALLOC(g->brad, g->nblk) ||
        GALLOC(g->bmaxr, g->nblk) || GALLOC(g->bminlw, g->nblk) || GALLOC(g->bacc, g->nblk) ||
        GALLOC(g->breq, g->nblk) || GALLOC(g->offers, n) || GALLOC(g->muni, n))
        goto out;
    g->vec = lm__big_alloc(vn * sizeof(float));
    if (!g->vec) goto out;
    if (quant) {
        size_t n8 = (g->npad ? g->npad : 1) * (size_t)((dim + 3) / 4) * 4;
        g->vec8 = lm__malloc(n8);
        if (!g->vec8) goto out;
    }
    for (int m = 0; m < LM_MODE_COUNT; m++)
        if (lm__travel_has_matrix(E->travel, m) && GALLOC(g->zidx[m], n)) goto out;
    gather_parts(fill_vac, &(gfill){.V = g, .E = E, .keys = sorted, .dim = dim, .quant = quant}, n, BV, nt);
    st = LM_OK;
out:
    lm__free(keys);
    if (st) gvac_free(g);
    return st;
}

/* The int8 error bound. With a = â + e (â the dequantised vector, e the
 * rounding error), â.b̂ - a.b = -(â.e_b + e_a.b̂ + e_a.e_b), so by
 * Cauchy-Schwarz |â.b̂ - a.b| <= |â||e_b| + |e_a||b̂| + |e_a||e_b|. Per
 * vacancy against the largest candidate norms, with a margin for the float
 * rounding of both dot products. */
static float *quant_slack(const gcand *C, const gvac *V, uint32_t dim) {
    float *slack = lm__malloc((V->n ? V->n : 1) * sizeof *slack);
    if (!slack) return NULL;
    uint32_t dim4 = (dim + 3) / 4;
    double nq_c = 0, ne_c = 0;
    for (size_t i = 0; i < C->n; i++) {
        const float *ct = C->ct + (i / LM_BLOCK_C) * (size_t)dim * LM_BLOCK_C + (i % LM_BLOCK_C);
        const int8_t *c8 = C->ct8 + (i / LM_BLOCK_C) * (size_t)dim4 * LM_BLOCK_C * 4 + (i % LM_BLOCK_C) * 4;
        double q2 = 0, e2 = 0;
        for (uint32_t j = 0; j < dim; j++) {
            double q = (double)c8[(size_t)(j / 4) * LM_BLOCK_C * 4 + j % 4] / LM_Q8_SCALE, e = (double)ct[(size_t)j * LM_BLOCK_C] - q;
            q2 += q * q;
            e2 += e * e;
        }
        if (q2 > nq_c) nq_c = q2;
        if (e2 > ne_c) ne_c = e2;
    }
    nq_c = sqrt(nq_c);
    ne_c = sqrt(ne_c);
    for (size_t v = 0; v < V->n; v++) {
        double q2 = 0, e2 = 0;
        for (uint32_t j = 0; j < dim; j++) {
            double q = (double)((int)V->vec8[v * (size_t)dim4 * 4 + j] - 128) / LM_Q8_SCALE, e = (double)V->vec[v * dim + j] - q;
            q2 += q * q;
            e2 += e * e;
        }
        double nq = sqrt(q2), ne = sqrt(e2);
        slack[v] = (float)((nq * ne_c + ne * nq_c + ne * ne_c) * (1.0 + 1e-6) + 1e-6);
    }
    return slack;
}

/* Block summaries of the hard filters (NaN loonwaarden never pass, so they
 * are left out). */
static void filter_summaries(gcand *C, gvac *V) {
    for (size_t b = 0; b < C->nblk; b++) {
        size_t a = b * LM_BLOCK_C, e = a + LM_BLOCK_C < C->n ? a + LM_BLOCK_C : C->n;
        uint8_t r = 255;
        float lw = -INFINITY;
        uint32_t g = 0;
        uint64_t f = 0;
        for (size_t i = a; i < e; i++) {
            r = C->ready[i] < r ? C->ready[i] : r;
            lw = C->lw[i] > lw ? C->lw[i] : lw;
            g |= C->groups[i];
            f |= C->flags[i];
        }
        C->bminrdy[b] = r;
        C->bmaxlw[b] = lw;
        C->bgroups[b] = g;
        C->bflags[b] = f;
    }
    for (size_t b = 0; b < V->nblk; b++) {
        size_t a = b * BV, e = a + BV < V->n ? a + BV : V->n;
        uint8_t r = 0;
        float lw = INFINITY;
        uint32_t g = 0;
        uint64_t q = ~0ull;
        for (size_t i = a; i < e; i++) {
            r = V->maxr[i] > r ? V->maxr[i] : r;
            lw = V->minlw[i] < lw ? V->minlw[i] : lw;
            g |= V->acc[i];
            q &= V->req[i];
        }
        V->bmaxr[b] = r;
        V->bminlw[b] = lw;
        V->bacc[b] = g;
        V->breq[b] = q;
    }
}

/* No pair of vacancy v (or block vb) and candidate block cb passes the
 * readiness, loonwaarde, group and flag filters. */
static inline bool row_filtered(const gcand *C, size_t cb, uint8_t maxr, float minlw, uint32_t acc, uint64_t req) {
    return maxr < C->bminrdy[cb] || minlw > C->bmaxlw[cb] || !(acc & C->bgroups[cb]) || (C->bflags[cb] & req) != req;
}

/* ---- workers -------------------------------------------------------------- */
/* The top-k lists of one side: n lists of capacity 2k. */
typedef struct listset {
    hent *e;       /* n * 2k */
    uint32_t *cnt; /* n */
    float *thr;    /* n: admission threshold, the k-th best after the last cut */
} listset;

static void listset_free(listset *L) {
    lm__free(L->e);
    lm__free(L->cnt);
    lm__free(L->thr);
    memset(L, 0, sizeof *L);
}

static int listset_init(listset *L, size_t n, uint32_t k) {
    size_t hn;
    memset(L, 0, sizeof *L);
    if (!n) n = 1;
    if (!lm__mul(&hn, n, 2 * (size_t)k) || hn > SIZE_MAX / sizeof *L->e) return LM_ERR_LIMIT;
    L->e = lm__big_alloc(hn * sizeof *L->e);
    L->cnt = lm__calloc(n, sizeof *L->cnt);
    L->thr = lm__malloc(n * sizeof *L->thr);
    if (!L->e || !L->cnt || !L->thr) {
        listset_free(L);
        return LM_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) L->thr[i] = -INFINITY;
    return LM_OK;
}

typedef struct shared {
    const lm_eval_ctx *E;
    lm_kernels K;
    const gcand *C;
    const gvac *V;
    uint32_t dim, kc, kv;
    bool prune, quant;
    bool cov;      /* COSINE_COVERAGE: the panel's cosine bounds a pair; survivors are rescored */
    bool pair_rules; /* some candidate has support needs, or LM_POLICY_LOCAL_ONLY: pair_rules() runs */
    float floor;   /* LM_POLICY_MIN_COMPETENCE */
    float *qslack; /* int8: per vacancy, a bound of |int8 dot - float dot| over every candidate */
    double access[LM_MODE_COUNT], mpk[LM_MODE_COUNT]; /* geometric travel per mode */
    bool matrices; /* some mode has a zone matrix */
    /* Work items are blocks of the outer side, whose lists are shared (each
     * row belongs to one item, so to one thread) and stay in cache while the
     * other side streams past; the other side's lists are per thread and
     * merged at the end. The larger side goes outside: its lists take most
     * of the admissions. */
    bool cand_outer;
    size_t nitems;
    int nt; /* threads */
    listset outer;
    _Atomic size_t next_block;
    _Atomic size_t done_blocks; /* phase 2 items done */
    _Atomic size_t done_near;   /* phase 1 items done */
    atomic_int cancel;
} shared;

/* Cache-line aligned: each thread writes its own counters per row, which
 * must not share a line with the next worker's fields (false sharing cost
 * the 2-thread top-k case half its speed in one layout). */
typedef struct worker {
    _Alignas(64) shared *S;
    pthread_t th;
    bool started;
    listset inner;    /* this thread's lists of the inner side */
    listset *vl, *cl; /* vacancy and candidate lists as this thread sees them */
    uint64_t *scratch; /* 5 nt * 2 max(kc, kv) keys for list cuts (sel) */
    lsel sel;
    hent *tmp;         /* nt * 2 max(kc, kv) entries for the merge */
    float *D;         /* LM_PANEL_MR * LM_BLOCK_C */
    uint64_t *order;  /* inner blocks by distance: do_block */
    float *xs;        /* LM_BLOCK_C exact scores from the kernel */
    float *dq;        /* int8: LM_BLOCK_C float dots of a row's pairs that passed the bound */
    float *rest;      /* COSINE_COVERAGE: LM_BLOCK_C scores' terms but the competence, from the exact kernel */
    uint64_t scored, feasible;
} worker;

/* int8 mode: the float dot product of candidate i and vacancy v, from the
 * snapshot's row (the int8 one only bounded the pair). */
static float float_dot(const shared *S, size_t i, size_t v) {
    const lm_layout *LC = S->E->LC;
    uint32_t cs = S->C->slot[i];
    const float *cv = LM_COLP(lm__chunk_of(S->E->snap->side[LM_SIDE_CANDIDATE], cs), LC, LM_COL_VEC, float) +
                      (size_t)(cs & (LM_CHUNK_ROWS - 1)) * LC->vec_stride;
    return S->K.dot(cv, S->V->vec + v * S->dim, S->dim);
}

/* COSINE_COVERAGE: vacancy v's raw levels, weights and coverage scale. */
typedef struct covvac {
    const float *r, *w;
    float scale;
} covvac;
static covvac cov_vacancy(const shared *S, size_t v) {
    const lm_layout *LV = S->E->LV;
    uint32_t vs = S->V->slot[v];
    const lm_chunk *vc = lm__chunk_of(S->E->snap->side[LM_SIDE_VACANCY], vs);
    size_t vr = (size_t)(vs & (LM_CHUNK_ROWS - 1)) * LV->vec_stride;
    covvac x = {LM_COLP(vc, LV, LM_COL_RAW, float) + vr, LM_COLP(vc, LV, LM_COL_W, float) + vr, 0.f};
    x.scale = lm__coverage_scale(x.r, x.w, S->dim);
    return x;
}

/* The competence of candidate i and vacancy x from their cosine, as
 * lm__competence() computes it. */
static inline float cov_competence(const shared *S, const covvac *x, float cs, size_t i) {
    if (!(cs > 0.f)) return 0.f; /* the product is 0 whatever the coverage */
    return lm__cos_coverage(cs, lm__coverage_scaled(S->C->raw + i * S->dim, x->r, x->w, S->dim, x->scale,
                                                    S->E->pol.overqualification));
}

/* The competence value of a pair that passed the bound, from the panel's d:
 * the float dot in int8 mode, times the coverage in COSINE_COVERAGE. */
static inline float pair_competence(const shared *S, float d, size_t i, size_t v) {
    float dot = S->quant ? float_dot(S, i, v) : d;
    if (!S->cov) return dot;
    covvac x = cov_vacancy(S, v);
    return cov_competence(S, &x, dot, i);
}

/* COSINE_COVERAGE, pairs that passed the bound: the exact kernel scores them
 * with the cosine (coverage 1), which finds the feasible ones and an upper
 * bound of their score (the coverage is at most 1 and float rounding is
 * monotone), and gives each pair's terms but the competence. Only the pairs
 * whose bound still reaches a list get their coverage; their score is that
 * sum plus the competence term, as lm__score_combine() adds it. ba->d holds
 * the float cosines; returns the competences of the pairs left in the mask. */
static const float *cov_rescore(worker *W, size_t v, size_t base, lm_bound_args *ba, lm_exact_args *ex,
                                uint64_t mask[LM_BLOCK_C / 64]) {
    const shared *S = W->S;
    const lm_policy_eval *P = &S->E->pol;
    const float vthr = W->vl->thr[v], *cthr = W->cl->thr;
    const float *d = ba->d;
    ex->rest = W->rest;
    S->K.exact(ba, ex, mask);
    ex->rest = NULL;
    covvac x = {NULL, NULL, 0.f};
    for (size_t w = 0; w < LM_BLOCK_C / 64; w++)
        for (uint64_t bits = mask[w]; bits; bits &= bits - 1) {
            size_t c = w * 64 + (size_t)__builtin_ctzll(bits);
            if (ex->score[c] < vthr && ex->score[c] < cthr[base + c]) {
                mask[w] &= ~(1ull << (c & 63));
                continue;
            }
            if (!x.r) x = cov_vacancy(S, v);
            float comp = W->dq[c] = cov_competence(S, &x, d[c], base + c);
            float s = lm__score_add_comp(P, W->rest[c], comp);
            if (s < ex->min_score) mask[w] &= ~(1ull << (c & 63));
            else ex->score[c] = s;
        }
    return W->dq;
}

/* The 1.2 pair rules the kernels do not know (support needs, municipal-only
 * run): the pairs of the mask that fail them leave it, before any scoring. */
static void pair_rules(const shared *S, size_t v, size_t base, uint64_t mask[LM_BLOCK_C / 64]) {
    const gcand *C = S->C;
    const uint64_t offers = S->V->offers[v];
    const int32_t vm = S->V->muni[v];
    const lm_policy_eval *P = &S->E->pol;
    for (size_t w = 0; w < LM_BLOCK_C / 64; w++)
        for (uint64_t bits = mask[w]; bits; bits &= bits - 1) {
            size_t c = w * 64 + (size_t)__builtin_ctzll(bits), i = base + c;
            if (!lm__needs_met(C->needs[i], offers) || !lm__local_ok(P, C->muni[i], vm)) mask[w] &= ~(1ull << (c & 63));
        }
}

/* LM_POLICY_MIN_COMPETENCE on the mask: pairs whose competence value d[c]
 * (clamped to [0, 1], as the score takes it) is below the floor leave. On the
 * panel's float cosine this is a bound (COSINE_COVERAGE is at most the cosine);
 * on the rescored competence it is the rule itself. */
static void floor_mask(float floor, const float *d, uint64_t mask[LM_BLOCK_C / 64]) {
    for (size_t w = 0; w < LM_BLOCK_C / 64; w++)
        for (uint64_t bits = mask[w]; bits; bits &= bits - 1) {
            size_t c = w * 64 + (size_t)__builtin_ctzll(bits);
            float comp = d[c] < 0.f ? 0.f : (d[c] > 1.f ? 1.f : d[c]);
            if (comp < floor) mask[w] &= ~(1ull << (c & 63));
        }
}

/* A feasible pair of vacancy v and candidate i into either list it reaches. */
static inline void admit(worker *W, size_t v, size_t i, float score, float dot) {
    const shared *S = W->S;
    listset *VL = W->vl, *CL = W->cl;
    if (score >= VL->thr[v])
        VL->thr[v] = list_add(VL->e + v * 2 * (size_t)S->kc, &VL->cnt[v], S->kc, (hent){score, dot, S->C->rank[i]},
                              &W->sel, VL->thr[v]);
    if (score >= CL->thr[i])
        CL->thr[i] = list_add(CL->e + i * 2 * (size_t)S->kv, &CL->cnt[i], S->kv, (hent){score, dot, S->V->rank[v]},
                              &W->sel, CL->thr[i]);
}

/* Every pair of vacancy row v against candidate block cb's panel row d. */
static void process_row(worker *W, size_t v, size_t cb, const float *d, lm_bound_args *ba, lm_exact_args *ex) {
    const shared *S = W->S;
    const gcand *C = S->C;
    const gvac *V = S->V;
    const lm_policy_eval *P = &S->E->pol;
    size_t base = cb * LM_BLOCK_C;
    listset *CL = W->cl;
    float *vthr = &W->vl->thr[v];
    float *cthr = CL->thr;
    const double *vx = V->xyz + 3 * v;
    const uint32_t acc = V->acc[v];
    const uint8_t maxr = V->maxr[v];
    const float minlw = V->minlw[v], vmin = V->hmin[v], vmax = V->hmax[v];
    const uint64_t req = V->req[v];
    const int32_t open = V->open[v];
    uint64_t feasible = 0;
    uint64_t mask[LM_BLOCK_C / 64];
    /* the tile's template (do_tile) gets this row's values */
    ba->d = d;
    ba->vthr = *vthr;
    ba->acc = acc;
    ba->req_lo = (uint32_t)req;
    ba->req_hi = (uint32_t)(req >> 32);
    ba->maxr = maxr;
    ba->open = open;
    ba->minlw = minlw;
    ba->vmin = vmin;
    ba->vmax = vmax;
    ba->dslack = S->qslack ? S->qslack[v] : 0.f;
    ba->vx = (float)vx[0];
    ba->vy = (float)vx[1];
    ba->vz = (float)vx[2];
    ba->cx = ba->nmodes >= 0 && vx[0] == vx[0] ? C->fx + base : NULL; /* no position: no travel bound */
    S->K.bound(ba, mask);
    if (S->pair_rules) pair_rules(S, v, base, mask);
    if (S->floor > 0.f && !S->quant) floor_mask(S->floor, d, mask); /* the int8 dot is not exact: later */
    if (ba->cx) { /* geometric travel: the kernel scores the pairs too, only the admissions are left */
        ex->vx = vx[0];
        ex->vy = vx[1];
        ex->vz = vx[2];
        if (S->quant) { /* the int8 dot only bounded the pairs: score them with the float one */
            for (size_t w = 0; w < LM_BLOCK_C / 64; w++)
                for (uint64_t bits = mask[w]; bits; bits &= bits - 1) {
                    size_t c = w * 64 + (size_t)__builtin_ctzll(bits);
                    W->dq[c] = float_dot(S, base + c, v);
                }
            ba->d = d = W->dq;
        }
        if (S->cov) d = cov_rescore(W, v, base, ba, ex, mask); /* the lists keep the rescored competence */
        else S->K.exact(ba, ex, mask);
        if (S->floor > 0.f) floor_mask(S->floor, d, mask);
    }
    /* The candidate lists of the pairs that passed are scattered (2k entries
     * apart): fetch their next free entries while the pairs are scored. */
    for (size_t w = 0; w < LM_BLOCK_C / 64; w++)
        for (uint64_t bits = mask[w]; bits; bits &= bits - 1) {
            size_t i = base + w * 64 + (size_t)__builtin_ctzll(bits);
            __builtin_prefetch(CL->e + i * 2 * (size_t)S->kv + CL->cnt[i], 1);
        }
    if (ba->cx) {
        for (size_t w = 0; w < LM_BLOCK_C / 64; w++)
            for (uint64_t bits = mask[w]; bits; bits &= bits - 1) {
                size_t c = w * 64 + (size_t)__builtin_ctzll(bits);
                feasible++;
                admit(W, v, base + c, ex->score[c], d[c]);
            }
        W->feasible += feasible;
        return;
    }
    for (size_t w = 0; w < LM_BLOCK_C / 64; w++)
    for (uint64_t bits = mask[w]; bits; bits &= bits - 1) {
        size_t c = w * 64 + (size_t)__builtin_ctzll(bits);
        size_t i = base + c;
        float dot = pair_competence(S, d[c], i, v); /* the panel's dot only bounded the pair */
        float comp = dot < 0.f ? 0.f : (dot > 1.f ? 1.f : dot);
        if (comp < P->min_competence) continue;
        /* thresholds move while we walk the mask: check again (travel at best) */
        float ub = P->w_comp * comp + P->w_travel + C->sc[i] + LM_BOUND_EPS;
        if (ub < *vthr && ub < cthr[i]) continue;
        /* hard filters, as in lm__pair_eval */
        if (!(C->groups[i] & acc) || C->ready[i] > maxr || C->lw[i] < minlw || (C->flags[i] & req) != req) continue;
        float cmin = C->hmin[i], cmax = C->hmax[i];
        float lo = cmin > vmin ? cmin : vmin, hi = cmax < vmax ? cmax : vmax;
        if (lo > hi || C->avail[i] > open) continue;
        const double *cx = C->xyz + 3 * i;
        double dx = cx[0] - vx[0], dy = cx[1] - vx[1], dz = cx[2] - vx[2];
        if (dx * dx + dy * dy + dz * dz > C->reach2[i]) continue;
        double best = INFINITY;
        uint32_t modes = C->modes[i];
        if (!S->matrices) { /* the common case: geometric estimate only */
            best = lm__geo_best(S->access, S->mpk, modes, cx, vx);
        } else {
            double km = NAN;
            for (int m = 0; m < LM_MODE_COUNT; m++) {
                if (!(modes & (1u << m))) continue;
                double t;
                int32_t zi = C->zidx[m] ? C->zidx[m][i] : -1, zj = V->zidx[m] ? V->zidx[m][v] : -1;
                if (zi >= 0 && zj >= 0) {
                    uint8_t x = lm__travel_cell(S->E->travel, m, zi, zj);
                    t = x == 255 ? INFINITY : (double)x;
                } else if (cx[0] != cx[0] || vx[0] != vx[0]) {
                    t = INFINITY;
                } else {
                    if (km != km) km = lm__xyz_km(cx, vx);
                    t = S->access[m] + km * S->mpk[m]; /* as lm__travel_pair */
                }
                if (t < best) best = t;
            }
        }
        float limit = C->limit[i];
        if (!(best <= limit)) continue;
        float trav = 1.f - (float)best / limit;
        float clen = cmax - cmin, vlen = vmax - vmin, len = clen < vlen ? clen : vlen;
        float hours = len > 0.f ? (hi - lo) / len : 1.f;
        float score = lm__score_combine(P, comp, trav, hours, C->rdy[i], C->prio[i]);
        if (score < P->min_score) continue;
        feasible++;
        admit(W, v, i, score, dot);
    }
    W->feasible += feasible;
}

static inline bool tile_far(const shared *S, size_t vb, size_t cb) {
    const gcand *C = S->C;
    const gvac *V = S->V;
    if (C->breach[cb] < 0 || V->brad[vb] < 0 || C->brad[cb] < 0) return true; /* nothing reachable */
    const double *a = C->bcen + 3 * cb, *b = V->bcen + 3 * vb;
    double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    return sqrt(dx * dx + dy * dy + dz * dz) - C->brad[cb] - V->brad[vb] > C->breach[cb] + 1e-9;
}

/* One tile: vacancy block vb against candidate block cb. */
static void do_tile(worker *W, size_t vb, size_t cb) {
    shared *S = W->S;
    const gvac *V = S->V;
    const gcand *C = S->C;
    const lm_policy_eval *P = &S->E->pol;
    if (S->prune && tile_far(S, vb, cb)) return;
    size_t v0 = vb * BV, v1 = v0 + BV < V->n ? v0 + BV : V->n;
    size_t base = cb * LM_BLOCK_C, cend = C->n - base < LM_BLOCK_C ? C->n - base : LM_BLOCK_C;
    const float *ct = C->ct + cb * (size_t)S->dim * LM_BLOCK_C;
    W->scored += (v1 - v0) * cend;
    if (row_filtered(C, cb, V->bmaxr[vb], V->bminlw[vb], V->bacc[vb], V->breq[vb])) return; /* examined, by block */
    /* The block's part of the bound arguments; process_row adds the row's. */
    lm_bound_args ba = {.sc = C->sc + base, .cthr = W->cl->thr + base, .w_comp = P->w_comp, .w_travel = P->w_travel,
                        .n = (uint32_t)cend, .groups = C->groups + base, .flo = C->flo + base, .fhi = C->fhi + base,
                        .ready = C->ready32 + base, .avail = C->avail + base, .lw = C->lw + base,
                        .hmin = C->hmin + base, .hmax = C->hmax + base, .cy = C->fy + base, .cz = C->fz + base,
                        .inv_limit = C->inv_limit + base, .nmodes = -1}; /* -1: no travel bound (matrices) */
    if (!S->matrices) { /* per-pair travel bound in the kernel */
        ba.nmodes = 0;
        for (int m = 0; m < LM_MODE_COUNT; m++)
            if (C->bmodes[cb] >> m & 1u) {
                ba.tacc[ba.nmodes] = (float)S->access[m];
                ba.mpk[ba.nmodes] = (float)S->mpk[m];
                ba.nmodes++;
            }
    }
    lm_exact_args ex = {.xyz = C->xyz + 3 * base, .reach2 = C->reach2 + base, .modes = C->modes + base,
                        .limit = C->limit + base, .rdy = C->rdy + base, .prio = C->prio + base,
                        .w_hours = P->w_hours, .w_ready = P->w_ready, .w_prio = P->w_prio, .min_score = P->min_score,
                        .score = W->xs};
    memcpy(ex.access, S->access, sizeof ex.access);
    memcpy(ex.mpk, S->mpk, sizeof ex.mpk);
    /* A row no candidate of the block can reach is skipped, and a panel of
     * such rows is not computed: the block's sphere grown by its longest
     * reach (chord units, with margins) does not contain the row. */
    const bool rowskip = !S->matrices && C->brad[cb] >= 0 && C->breach[cb] < INFINITY;
    const double *cen = C->bcen + 3 * cb, lim = C->brad[cb] + C->breach[cb] + 1e-9, lim2 = lim * lim;
    for (size_t vr = v0; vr < v1; vr += LM_PANEL_MR) {
        unsigned near = 0;
        for (size_t r = 0; r < LM_PANEL_MR && vr + r < v1; r++) {
            const double *vx = V->xyz + 3 * (vr + r);
            double dx = vx[0] - cen[0], dy = vx[1] - cen[1], dz = vx[2] - cen[2];
            near |= (unsigned)((!rowskip || vx[0] != vx[0] || !(dx * dx + dy * dy + dz * dz > lim2)) &&
                               !row_filtered(C, cb, V->maxr[vr + r], V->minlw[vr + r], V->acc[vr + r], V->req[vr + r]))
                    << r;
        }
        if (!near) continue;
        if (S->quant) {
            uint32_t dim4 = (S->dim + 3) / 4;
            S->K.panel8(V->vec8 + vr * dim4 * 4, (size_t)dim4 * 4, C->ct8 + cb * (size_t)dim4 * LM_BLOCK_C * 4,
                        C->csum + cb * LM_BLOCK_C, dim4, W->D);
        } else {
            S->K.panel(V->vec + vr * S->dim, S->dim, ct, S->dim, W->D);
        }
        for (size_t r = 0; r < LM_PANEL_MR && vr + r < v1; r++)
            if (near >> r & 1u) process_row(W, vr + r, cb, W->D + r * LM_BLOCK_C, &ba, &ex);
    }
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* A work item: a block of the outer side against the inner side, nearest
 * blocks first, in two phases. Near pairs score highest (travel), so lists
 * filled from near pairs get high thresholds early: fewer admissions and
 * more pairs cut by the bound. Phase 1 runs every outer block against its
 * LM_NEAR nearest inner blocks, which gives the inner rows near pairs too;
 * phase 2 the rest. */
#define LM_NEAR 2
static void do_block(worker *W, size_t b, int phase) {
    shared *S = W->S;
    size_t n = S->cand_outer ? S->V->nblk : S->C->nblk;
    const double *oc = S->cand_outer ? S->C->bcen + 3 * b : S->V->bcen + 3 * b,
                 *ic = S->cand_outer ? S->V->bcen : S->C->bcen;
    const double *orad = S->cand_outer ? S->C->brad + b : S->V->brad + b, *irad = S->cand_outer ? S->V->brad : S->C->brad;
    for (size_t j = 0; j < n; j++) {
        float dist = INFINITY; /* blocks without positions last */
        if (*orad >= 0 && irad[j] >= 0) {
            const double *p = ic + 3 * j;
            double dx = oc[0] - p[0], dy = oc[1] - p[1], dz = oc[2] - p[2];
            dist = (float)(dx * dx + dy * dy + dz * dz);
        }
        uint32_t u;
        memcpy(&u, &dist, 4); /* non-negative floats order as their bits */
        W->order[j] = (uint64_t)u << 32 | j;
    }
    size_t near = n < LM_NEAR ? n : LM_NEAR, q0 = phase == 0 ? 0 : near, q1 = phase == 0 ? near : n;
    if (phase == 0) { /* only the nearest: select them (keys are distinct, so a sort puts the same first) */
        for (size_t q = 0; q < near; q++)
            for (size_t j = q + 1; j < n; j++)
                if (W->order[j] < W->order[q]) {
                    uint64_t t = W->order[q];
                    W->order[q] = W->order[j];
                    W->order[j] = t;
                }
    } else {
        qsort(W->order, n, sizeof *W->order, cmp_u64);
    }
    for (size_t q = q0; q < q1; q++) {
        size_t j = (size_t)(uint32_t)W->order[q];
        if (S->cand_outer) do_tile(W, j, b);
        else do_tile(W, b, j);
    }
}

/* Take and run one item; false when none is left. Items [0, nitems) are
 * phase 1, the rest phase 2, which waits for phase 1 to finish: an outer
 * block's lists belong to one thread at a time. */
static bool run_item(worker *W) {
    shared *S = W->S;
    if (atomic_load(&S->cancel)) return false;
    size_t it = atomic_fetch_add(&S->next_block, 1);
    if (it >= 2 * S->nitems) return false;
    if (it < S->nitems) {
        do_block(W, it, 0);
        atomic_fetch_add(&S->done_near, 1);
        return true;
    }
    while (atomic_load(&S->done_near) < S->nitems) {
        if (atomic_load(&S->cancel)) return false;
        sched_yield();
    }
    do_block(W, it - S->nitems, 1);
    atomic_fetch_add(&S->done_blocks, 1);
    return true;
}

static void *worker_main(void *arg) {
    while (run_item(arg)) {
    }
    return NULL;
}

static void worker_free(worker *W) {
    listset_free(&W->inner);
    lm__free(W->D);
    lm__free(W->scratch);
    lm__free(W->tmp);
    lm__free(W->order);
    lm__free(W->xs);
    lm__free(W->dq);
    lm__free(W->rest);
}

static int worker_init(worker *W, shared *S) {
    memset(W, 0, sizeof *W);
    W->S = S;
    int st = S->cand_outer ? listset_init(&W->inner, S->V->n, S->kc) : listset_init(&W->inner, S->C->n, S->kv);
    if (st) return st;
    W->D = lm__aligned_alloc(64, LM_PANEL_MR * LM_BLOCK_C * sizeof(float));
    size_t kmax = S->kc > S->kv ? S->kc : S->kv;
    W->scratch = lm__malloc(5 * (size_t)S->nt * 2 * kmax * sizeof *W->scratch);
    W->sel = (lsel){S->K.kth, W->scratch, W->scratch ? W->scratch + (size_t)S->nt * 2 * kmax : NULL};
    W->tmp = lm__malloc(((size_t)S->nt * 2 * kmax + 1) * sizeof *W->tmp);
    W->order = lm__malloc(((S->cand_outer ? S->V->nblk : S->C->nblk) + 1) * sizeof *W->order);
    W->xs = lm__aligned_alloc(64, LM_BLOCK_C * sizeof *W->xs);
    W->dq = lm__aligned_alloc(64, LM_BLOCK_C * sizeof *W->dq);
    W->rest = lm__aligned_alloc(64, LM_BLOCK_C * sizeof *W->rest);
    if (!W->D || !W->scratch || !W->tmp || !W->order || !W->xs || !W->dq || !W->rest) {
        worker_free(W);
        return LM_ERR_NOMEM;
    }
    W->vl = S->cand_outer ? &W->inner : &S->outer;
    W->cl = S->cand_outer ? &S->outer : &W->inner;
    return LM_OK;
}

/* Gather list i of a side from every thread's view into W[t].tmp, cut it to
 * the best k, best first, and store it in W[0]'s view. */
static void merge_list(worker *W, int t, bool vac, size_t i) {
    const shared *S = W[0].S;
    uint32_t k = vac ? S->kc : S->kv, m = 0;
    hent *tmp = W[t].tmp;
    for (int u = 0; u < S->nt; u++) {
        const listset *L = vac ? W[u].vl : W[u].cl;
        memcpy(tmp + m, L->e + i * 2 * (size_t)k, L->cnt[i] * sizeof *tmp);
        m += L->cnt[i];
        if (L == &S->outer) break; /* shared: every thread sees the same lists */
    }
    uint32_t len = list_finish(tmp, m, k, &W[t].sel);
    listset *D = vac ? W[0].vl : W[0].cl;
    memcpy(D->e + i * 2 * (size_t)k, tmp, len * sizeof *tmp);
    D->cnt[i] = len;
}

/* Thread t's share of the merge: a stripe of each side's lists. */
typedef struct merge_job {
    worker *W;
    int t;
} merge_job;

static void *merge_main(void *arg) {
    merge_job *j = arg;
    const shared *S = j->W[0].S;
    size_t nv = S->V->n, nc = S->C->n, nt = (size_t)S->nt, t = (size_t)j->t;
    for (size_t v = nv * t / nt; v < nv * (t + 1) / nt; v++) merge_list(j->W, j->t, true, v);
    for (size_t i = nc * t / nt; i < nc * (t + 1) / nt; i++) merge_list(j->W, j->t, false, i);
    return NULL;
}

static int online_cores(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (n > 1024 ? 1024 : (int)n);
}

/* row[slot] = the gathered row of each slot of a side, UINT32_MAX for the
 * others: slots are unique and below the side's nslots, so no sort. */
static uint32_t *slot_rows(const uint32_t *slot, size_t n, uint32_t nslots) {
    uint32_t *row = lm__malloc((nslots ? nslots : 1) * sizeof *row);
    if (!row) return NULL;
    memset(row, 0xFF, (size_t)nslots * sizeof *row);
    for (size_t i = 0; i < n; i++) row[slot[i]] = (uint32_t)i;
    return row;
}

/* slot of each id rank: hits carry ranks. */
static uint32_t *slot_by_rank(const uint32_t *slot, const uint32_t *rank, size_t n) {
    uint32_t *out = lm__malloc((n ? n : 1) * sizeof *out);
    if (out)
        for (size_t i = 0; i < n; i++) out[rank[i]] = slot[i];
    return out;
}

/* The batch proper. vslots: the region's vacancies (list order). */
int lm__batch_run(lm_results *r, const lm_eval_ctx *E, int kernel, int quantize, int threads, const uint32_t *vslots,
                  size_t nvl, uint32_t kc, uint32_t kv, lm_progress_fn progress, void *user, lm_err *err) {
    int st;
    shared S;
    memset(&S, 0, sizeof S);
    S.E = E;
    S.dim = E->snap->dim;
    S.kc = kc;
    S.kv = kv;
    S.quant = quantize != 0;
    S.cov = E->pol.competence_model == LM_COMPETENCE_COSINE_COVERAGE;
    S.floor = E->pol.min_competence;
    if ((st = lm__kernels_get(&S.K, kernel))) return lm__fail(err, st, "batch: kernel %d not supported", kernel);
    gcand C;
    gvac V;
    worker *W = NULL;
    int nt = threads > 0 ? threads : online_cores();
    if ((st = gather_cand(&C, E, S.dim, S.quant, S.cov, nt)))
        return lm__fail(err, st, "batch: out of memory gathering candidates");
    if ((st = gather_vac(&V, E, S.dim, vslots, nvl, S.quant, nt))) {
        gcand_free(&C);
        return lm__fail(err, st, "batch: out of memory gathering vacancies");
    }
    S.C = &C;
    S.V = &V;
    S.pair_rules = E->pol.local_only != 0;
    for (size_t i = 0; i < C.n && !S.pair_rules; i++) S.pair_rules = C.needs[i] != 0;
    filter_summaries(&C, &V);
    /* Lists never hold more than the other side has: size them by the data, not by k. */
    if (S.kc > C.n) S.kc = C.n ? (uint32_t)C.n : 1;
    if (S.kv > V.n) S.kv = V.n ? (uint32_t)V.n : 1;
    kc = S.kc;
    kv = S.kv;
    S.prune = true;
    for (int m = 0; m < LM_MODE_COUNT; m++) {
        if (lm__travel_has_matrix(E->travel, m) && (E->pol.allowed_modes & (1u << m))) S.prune = false;
        if (lm__travel_has_matrix(E->travel, m)) S.matrices = true;
        S.access[m] = lm__travel_params(E->travel, m)[LM_TRAVEL_ACCESS_MIN];
        S.mpk[m] = lm__travel_min_per_km(E->travel, m);
    }
    if (S.quant && !(S.qslack = quant_slack(&C, &V, S.dim))) {
        gcand_free(&C);
        gvac_free(&V);
        return lm__fail(err, LM_ERR_NOMEM, "batch: out of memory");
    }
    S.cand_outer = C.n > V.n;
    S.nitems = S.cand_outer ? C.nblk : V.nblk;
    if ((size_t)nt > S.nitems) nt = S.nitems ? (int)S.nitems : 1;
    uint32_t *list_of_v = NULL;                         /* list index -> gathered vacancy */
    uint32_t *cslot_of = NULL, *vslot_of = NULL;        /* id rank -> slot */
    S.nt = nt;
    if ((st = S.cand_outer ? listset_init(&S.outer, C.n, kv) : listset_init(&S.outer, V.n, kc))) goto out;
    W = lm__aligned_alloc(64, (size_t)nt * sizeof *W);
    if (W) memset(W, 0, (size_t)nt * sizeof *W);
    if (!W) { st = LM_ERR_NOMEM; goto out; }
    for (int t = 0; t < nt; t++)
        if ((st = worker_init(&W[t], &S))) {
            for (int u = 0; u < t; u++) worker_free(&W[u]);
            lm__free(W);
            W = NULL;
            goto out;
        }
    atomic_init(&S.next_block, 0);
    atomic_init(&S.done_blocks, 0);
    atomic_init(&S.done_near, 0);
    atomic_init(&S.cancel, 0);
    /* Threads 1..nt-1 are spawned; the caller's thread works too and reports progress. */
    int used = 1;
    for (int t = 1; t < nt; t++)
        if (pthread_create(&W[t].th, NULL, worker_main, &W[t]) == 0) W[t].started = true;
    for (int t = 1; t < nt; t++) used += W[t].started;
    for (;;) {
        if (progress) {
            /* reported in vacancies of the region, whichever side is outside */
            size_t done = S.nitems ? (size_t)((double)atomic_load(&S.done_blocks) / (double)S.nitems * (double)nvl) : nvl;
            if (progress(user, done < nvl ? done : nvl, nvl)) atomic_store(&S.cancel, 1);
        }
        if (!run_item(&W[0])) break;
    }
    for (int t = 1; t < nt; t++)
        if (W[t].started) pthread_join(W[t].th, NULL);
    if (atomic_load(&S.cancel)) {
        st = LM_ERR_CANCELLED;
        goto out;
    }

    /* Merge every list into W[0]'s view, the stripes in parallel. */
    {
        merge_job *jobs = lm__malloc((size_t)nt * sizeof *jobs);
        if (!jobs) { st = LM_ERR_NOMEM; goto out; }
        for (int t = 0; t < nt; t++) {
            jobs[t] = (merge_job){W, t};
            W[t].started = t > 0 && pthread_create(&W[t].th, NULL, merge_main, &jobs[t]) == 0;
        }
        merge_main(&jobs[0]);
        for (int t = 1; t < nt; t++) {
            if (W[t].started) pthread_join(W[t].th, NULL);
            else merge_main(&jobs[t]); /* the stripe of a thread that did not start */
        }
        lm__free(jobs);
    }

    /* Results: vacancy lists in the caller's order, candidate lists in slot
     * order; entries name the other side by id rank. */
    list_of_v = lm__malloc((nvl ? nvl : 1) * sizeof *list_of_v);
    if (!list_of_v || !(cslot_of = slot_by_rank(C.slot, C.rank, C.n)) || !(vslot_of = slot_by_rank(V.slot, V.rank, V.n))) {
        st = LM_ERR_NOMEM;
        goto out;
    }
    {
        const listset *VL = W[0].vl;
        uint32_t nslots = E->snap->side[LM_SIDE_VACANCY]->nslots, *row = slot_rows(V.slot, V.n, nslots);
        if (!row) { st = LM_ERR_NOMEM; goto out; }
        size_t total = 0;
        for (size_t l = 0; l < nvl; l++) {
            list_of_v[l] = vslots[l] < nslots ? row[vslots[l]] : UINT32_MAX;
            if (list_of_v[l] != UINT32_MAX) total += VL->cnt[list_of_v[l]];
        }
        lm__free(row);
        r->lists[LM_DIR_VACANCY] = lm__malloc((nvl ? nvl : 1) * sizeof(lm_reslist));
        r->hits[LM_DIR_VACANCY] = lm__malloc((total ? total : 1) * sizeof(lm_hit));
        if (!r->lists[LM_DIR_VACANCY] || !r->hits[LM_DIR_VACANCY]) { st = LM_ERR_NOMEM; goto out; }
        size_t k = 0;
        for (size_t l = 0; l < nvl; l++) {
            uint32_t v = list_of_v[l];
            uint32_t len = v == UINT32_MAX ? 0 : VL->cnt[v];
            r->lists[LM_DIR_VACANCY][l] = (lm_reslist){vslots[l], len, k};
            if (!len) continue;
            const hent *e = VL->e + (size_t)v * 2 * kc;
            for (uint32_t q = 0; q < len; q++) r->hits[LM_DIR_VACANCY][k++] = (lm_hit){cslot_of[e[q].rank], e[q].score, e[q].dot};
        }
        r->nlists[LM_DIR_VACANCY] = nvl;
        r->nhits[LM_DIR_VACANCY] = total;
    }
    {
        /* candidates: lists in slot order */
        const listset *CL = W[0].cl;
        uint32_t nslots = E->snap->side[LM_SIDE_CANDIDATE]->nslots, *row = slot_rows(C.slot, C.n, nslots);
        size_t total = 0;
        if (!row) { st = LM_ERR_NOMEM; goto out; }
        for (size_t i = 0; i < C.n; i++) total += CL->cnt[i];
        r->lists[LM_DIR_CANDIDATE] = lm__malloc((C.n ? C.n : 1) * sizeof(lm_reslist));
        r->hits[LM_DIR_CANDIDATE] = lm__malloc((total ? total : 1) * sizeof(lm_hit));
        if (!r->lists[LM_DIR_CANDIDATE] || !r->hits[LM_DIR_CANDIDATE]) {
            lm__free(row);
            st = LM_ERR_NOMEM;
            goto out;
        }
        size_t k = 0, l = 0;
        for (uint32_t slot = 0; slot < nslots; slot++) {
            uint32_t i = row[slot];
            if (i == UINT32_MAX) continue;
            uint32_t len = CL->cnt[i];
            const hent *e = CL->e + (size_t)i * 2 * kv;
            r->lists[LM_DIR_CANDIDATE][l++] = (lm_reslist){slot, len, k};
            for (uint32_t q = 0; q < len; q++) r->hits[LM_DIR_CANDIDATE][k++] = (lm_hit){vslot_of[e[q].rank], e[q].score, e[q].dot};
        }
        r->nlists[LM_DIR_CANDIDATE] = C.n;
        r->nhits[LM_DIR_CANDIDATE] = total;
        lm__free(row);
    }
    uint64_t scored = 0, feasible = 0;
    for (int t = 0; t < nt; t++) {
        scored += W[t].scored;
        feasible += W[t].feasible;
    }
    r->stat[LM_STAT_PAIRS_SCORED] = (double)scored;
    r->stat[LM_STAT_PAIRS_FEASIBLE] = (double)feasible;
    r->stat[LM_STAT_THREADS] = used;
    r->stat[LM_STAT_KERNEL] = S.K.kind;
    st = LM_OK;
out:
    if (W) {
        for (int t = 0; t < nt; t++) worker_free(&W[t]);
        lm__free(W);
    }
    lm__free(list_of_v);
    lm__free(cslot_of);
    lm__free(vslot_of);
    listset_free(&S.outer);
    lm__free(S.qslack);
    gcand_free(&C);
    gvac_free(&V);
    if (st == LM_ERR_CANCELLED) return lm__fail(err, st, "batch: cancelled by the progress callback");
    if (st == LM_ERR_NOMEM) return lm__fail(err, st, "batch: out of memory");
    if (st == LM_ERR_LIMIT) return lm__fail(err, st, "batch: result size overflows");
    return st;
}
