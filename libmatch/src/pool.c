/* The pool: two sides of chunked, copy-on-write columns plus an id index.
 *
 * An update batch is validated completely first, then builds a new immutable
 * side version that shares every untouched chunk and index partition with the
 * current one, and is swapped in under the pool's mutex. A failure at any step
 * (bad row, out of memory) frees what the batch built and changes nothing.
 * Snapshots hold references to side versions, so they never see half a batch. */
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL /* keeps xxHash's symbols out of our ABI */
#include <xxhash.h>

/* uthash must never exit(): OOM is recorded in a local `hash_oom` flag. */
#define HASH_NONFATAL_OOM 1
#define uthash_malloc(sz) lm__malloc(sz)
#define uthash_free(ptr, sz) lm__free(ptr)
#define uthash_nonfatal_oom(obj) (hash_oom = true)
#define HASH_FUNCTION(keyptr, keylen, hashv) ((hashv) = (unsigned)XXH3_64bits((keyptr), (keylen)))
#include <uthash.h>

typedef struct lm_idx_ent {
    int64_t id;
    uint32_t slot;
    UT_hash_handle hh;
} lm_idx_ent;

struct lm_idx_part {
    atomic_int ref;
    size_t n;
    lm_idx_ent *ents; /* n entries, one allocation */
    lm_idx_ent *head;
};

struct lm_pool {
    pthread_mutex_t mu;
    uint32_t dim;
    uint64_t version;
    lm_layouts *layouts;
    lm_tbl *side[2];
    uint32_t *free_slots[2];
    size_t nfree[2], capfree[2];
    lm_snapshot *cur; /* cached snapshot of the current version, or NULL */
    lm_centre *centre; /* never NULL; all zeros when not centred */
    lm_err err;
};

static unsigned part_of(int64_t id) { return (unsigned)(XXH3_64bits(&id, sizeof id) >> 56); }

/* ---- reference counting -------------------------------------------------- */
static void chunk_unref(lm_chunk *c) {
    if (c && atomic_fetch_sub(&c->ref, 1) == 1) lm__free(c);
}

static void part_free(struct lm_idx_part *p) {
    bool hash_oom = false;
    (void)hash_oom;
    HASH_CLEAR(hh, p->head);
    lm__free(p->ents);
    lm__free(p);
}

static void part_unref(struct lm_idx_part *p) {
    if (p && atomic_fetch_sub(&p->ref, 1) == 1) part_free(p);
}

static void side_unref(lm_tbl *s) {
    if (!s || atomic_fetch_sub(&s->ref, 1) != 1) return;
    for (uint32_t i = 0; i < s->nchunks; i++) chunk_unref(s->chunks[i]);
    for (int p = 0; p < LM_NPART; p++) part_unref(s->parts[p]);
    lm__free(s->chunks);
    lm__free(s);
}

static void layouts_unref(lm_layouts *l) {
    if (l && atomic_fetch_sub(&l->ref, 1) == 1) lm__free(l);
}

static void centre_unref(lm_centre *c) {
    if (c && atomic_fetch_sub(&c->ref, 1) == 1) lm__free(c);
}

/* A new centre of dim floats from mean (NULL: zeros), or NULL (out of memory). */
static lm_centre *centre_new(const float *mean, uint32_t dim) {
    lm_centre *c = lm__malloc(sizeof *c + (size_t)dim * sizeof(float));
    if (!c) return NULL;
    atomic_init(&c->ref, 1);
    c->centred = false;
    for (uint32_t j = 0; j < dim; j++) {
        c->v[j] = mean ? mean[j] : 0.f;
        if (c->v[j] != 0.f) c->centred = true;
    }
    return c;
}

lm_snapshot *lm__snapshot_ref(const lm_snapshot *s) {
    lm_snapshot *m = (lm_snapshot *)s;
    atomic_fetch_add(&m->ref, 1);
    return m;
}

void lm_snapshot_free(lm_snapshot *s) {
    if (!s || atomic_fetch_sub(&s->ref, 1) != 1) return;
    side_unref(s->side[0]);
    side_unref(s->side[1]);
    centre_unref(s->centre);
    lm__qidx_free(atomic_load(&s->qidx[0]));
    lm__qidx_free(atomic_load(&s->qidx[1]));
    layouts_unref(s->layouts);
    lm__free(s);
}

/* Sizes of the column structs of releases 1.0 and 1.1 (the same): the
 * smallest struct_size accepted (section "column structs of older callers"). */
#define LM__CAND_COLS_SIZE_1_1 offsetof(lm_candidate_cols, needs)
#define LM__VAC_COLS_SIZE_1_1 offsetof(lm_vacancy_cols, offers)

/* ---- layout -------------------------------------------------------------- */
static void layout_init(lm_layout *L, uint32_t dim, int side) {
    static const size_t common[][2] = {
        {LM_COL_ID, 8},    {LM_COL_ORG, 8},   {LM_COL_MUNI, 4},   {LM_COL_REGION, 4}, {LM_COL_ZONE, 4},
        {LM_COL_XYZ, 24},  {LM_COL_LATLON, 16}, {LM_COL_LIVE, 1}, {LM_COL_HMIN, 4},   {LM_COL_HMAX, 4},
        {LM_COL_FLAGS, 8}, {LM_COL_GROUPS, 4}, {LM_COL_READY, 1}, {LM_COL_LW, 4},     {LM_COL_DAY, 4},
        {LM_COL_NORM, 4},  {LM_COL_NEEDS, 8},
    };
    static const size_t cand[][2] = {{LM_COL_MODES, 1}, {LM_COL_MAXMIN, 4}, {LM_COL_SCOPE, 1}, {LM_COL_PRIO, 4}};
    static const size_t vac[][2] = {{LM_COL_SLOTS, 4}, {LM_COL_KIND, 1}};
    memset(L, 0, sizeof *L);
    L->dim = dim;
    L->vec_stride = (dim + 15u) & ~15u;
    size_t off = LM_CHUNK_HDR;
#define PLACE(tab)                                                                       \
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {                            \
        L->off[tab[i][0]] = off;                                                         \
        L->esz[tab[i][0]] = tab[i][1];                                                   \
        off += (tab[i][1] * LM_CHUNK_ROWS + 63u) & ~(size_t)63u;                        \
    }
    PLACE(common)
    if (side == LM_SIDE_CANDIDATE) {
        PLACE(cand)
    } else {
        PLACE(vac)
    }
#undef PLACE
    /* vector columns: rows of vec_stride floats, 64-byte aligned for the kernels */
    static const int vcols[] = {LM_COL_VEC, LM_COL_RAW, LM_COL_W, LM_COL_VECC};
    for (int i = 0; i < 4; i++) {
        if (i >= 2 && side == LM_SIDE_CANDIDATE) break; /* weights and the cosine column: vacancies only */
        L->off[vcols[i]] = off;
        L->esz[vcols[i]] = (size_t)L->vec_stride * 4u;
        off += (size_t)L->vec_stride * 4u * LM_CHUNK_ROWS;
    }
    L->chunk_bytes = off;
}

/* ---- pool lifecycle ------------------------------------------------------ */
static lm_tbl *side_new(const lm_layout *L) {
    lm_tbl *s = lm__calloc(1, sizeof *s);
    if (!s) return NULL;
    atomic_init(&s->ref, 1);
    s->L = L;
    return s;
}

int lm_pool_create(lm_pool **out, uint32_t dim) {
    if (!out) return LM_ERR_NULL;
    *out = NULL;
    if (dim < 1 || dim > LM_MAX_DIM) return LM_ERR_RANGE;
    lm_pool *p = lm__calloc(1, sizeof *p);
    if (!p) return LM_ERR_NOMEM;
    p->layouts = lm__calloc(1, sizeof *p->layouts);
    if (!p->layouts) goto nomem;
    atomic_init(&p->layouts->ref, 1);
    layout_init(&p->layouts->cand, dim, LM_SIDE_CANDIDATE);
    layout_init(&p->layouts->vac, dim, LM_SIDE_VACANCY);
    p->side[0] = side_new(&p->layouts->cand);
    p->side[1] = side_new(&p->layouts->vac);
    p->centre = centre_new(NULL, dim);
    if (!p->side[0] || !p->side[1] || !p->centre) goto nomem;
    if (pthread_mutex_init(&p->mu, NULL) != 0) goto nomem;
    p->dim = dim;
    *out = p;
    return LM_OK;
nomem:
    side_unref(p->side[0]);
    side_unref(p->side[1]);
    centre_unref(p->centre);
    layouts_unref(p->layouts);
    lm__free(p);
    return LM_ERR_NOMEM;
}

void lm_pool_free(lm_pool *p) {
    if (!p) return;
    lm_snapshot_free(p->cur);
    side_unref(p->side[0]);
    side_unref(p->side[1]);
    layouts_unref(p->layouts);
    centre_unref(p->centre);
    lm__free(p->free_slots[0]);
    lm__free(p->free_slots[1]);
    pthread_mutex_destroy(&p->mu);
    lm__free(p);
}

const char *lm_pool_errmsg(const lm_pool *p) { return p ? p->err.msg : "pool is NULL"; }

uint32_t lm_pool_dim(const lm_pool *p) { return p ? p->dim : 0; }

int lm_pool_count(size_t *out, lm_pool *p, int32_t side) {
    if (!out || !p) return LM_ERR_NULL;
    if (side != LM_SIDE_CANDIDATE && side != LM_SIDE_VACANCY) return LM_ERR_RANGE;
    pthread_mutex_lock(&p->mu);
    *out = p->side[side]->nlive;
    pthread_mutex_unlock(&p->mu);
    return LM_OK;
}

int lm_pool_snapshot(lm_snapshot **out, lm_pool *p) {
    if (!out || !p) return LM_ERR_NULL;
    *out = NULL;
    pthread_mutex_lock(&p->mu);
    if (!p->cur) {
        lm_snapshot *s = lm__calloc(1, sizeof *s);
        if (!s) {
            pthread_mutex_unlock(&p->mu);
            return lm__fail(&p->err, LM_ERR_NOMEM, "snapshot: out of memory");
        }
        atomic_init(&s->ref, 1); /* the pool's cached reference */
        s->dim = p->dim;
        s->version = p->version;
        s->layouts = p->layouts;
        atomic_fetch_add(&p->layouts->ref, 1);
        s->centre = p->centre;
        atomic_fetch_add(&p->centre->ref, 1);
        for (int i = 0; i < 2; i++) {
            s->side[i] = p->side[i];
            atomic_fetch_add(&s->side[i]->ref, 1);
        }
        p->cur = s;
    }
    *out = lm__snapshot_ref(p->cur);
    pthread_mutex_unlock(&p->mu);
    return LM_OK;
}

/* ---- snapshot accessors -------------------------------------------------- */
int64_t lm__side_find(const lm_tbl *s, int64_t id) {
    const struct lm_idx_part *pt = s->parts[part_of(id)];
    if (!pt) return -1;
    lm_idx_ent *e = NULL;
    HASH_FIND(hh, pt->head, &id, sizeof id, e);
    return e ? (int64_t)e->slot : -1;
}

int lm_snapshot_count(size_t *out, const lm_snapshot *s, int32_t side) {
    if (!out || !s) return LM_ERR_NULL;
    if (side != LM_SIDE_CANDIDATE && side != LM_SIDE_VACANCY) return LM_ERR_RANGE;
    *out = s->side[side]->nlive;
    return LM_OK;
}

uint32_t lm_snapshot_dim(const lm_snapshot *s) { return s ? s->dim : 0; }
uint64_t lm_snapshot_version(const lm_snapshot *s) { return s ? s->version : 0; }

int lm_snapshot_ids(int64_t *out, size_t capacity, size_t *out_needed, const lm_snapshot *s, int32_t side) {
    if (!s) return LM_ERR_NULL;
    if (side != LM_SIDE_CANDIDATE && side != LM_SIDE_VACANCY) return LM_ERR_RANGE;
    const lm_tbl *sd = s->side[side];
    if (out_needed) *out_needed = sd->nlive;
    if (capacity < sd->nlive) return LM_ERR_BUFFER;
    if (sd->nlive && !out) return LM_ERR_NULL;
    size_t k = 0;
    for (uint32_t slot = 0; slot < sd->nslots; slot++) {
        lm_chunk *c = lm__chunk_of(sd, slot);
        uint32_t r = slot & (LM_CHUNK_ROWS - 1);
        if (LM_COLP(c, sd->L, LM_COL_LIVE, uint8_t)[r]) out[k++] = LM_COLP(c, sd->L, LM_COL_ID, int64_t)[r];
    }
    return LM_OK;
}

int lm_snapshot_contains(int *out, const lm_snapshot *s, int32_t side, int64_t id) {
    if (!out || !s) return LM_ERR_NULL;
    if (side != LM_SIDE_CANDIDATE && side != LM_SIDE_VACANCY) return LM_ERR_RANGE;
    *out = lm__side_find(s->side[side], id) >= 0;
    return LM_OK;
}

/* ---- validation ---------------------------------------------------------- */
#define ROWFAIL(st, ...) return lm__fail(err, st, __VA_ARGS__)

static bool finite_all(const float *v, size_t n, size_t *bad) {
    for (size_t j = 0; j < n; j++)
        if (!isfinite(v[j])) {
            *bad = j;
            return false;
        }
    return true;
}

static int check_place(lm_err *err, const char *what, size_t i, int64_t id, const int32_t *muni,
                       const int32_t *region, const int32_t *zone, const double *lat, const double *lon) {
    if (muni[i] <= 0) ROWFAIL(LM_ERR_RANGE, "%s row %zu (id %lld): municipality %d must be > 0", what, i, (long long)id, muni[i]);
    if (region && region[i] < 0) ROWFAIL(LM_ERR_RANGE, "%s row %zu (id %lld): region %d must be >= 0", what, i, (long long)id, region[i]);
    if (zone && zone[i] < 0) ROWFAIL(LM_ERR_RANGE, "%s row %zu (id %lld): zone %d must be >= 0", what, i, (long long)id, zone[i]);
    double la = lat ? lat[i] : NAN, lo = lon ? lon[i] : NAN;
    if (isinf(la) || isinf(lo)) ROWFAIL(LM_ERR_NONFINITE, "%s row %zu (id %lld): infinite coordinate", what, i, (long long)id);
    if (isnan(la) != isnan(lo)) ROWFAIL(LM_ERR_RANGE, "%s row %zu (id %lld): give both lat and lon, or neither (NaN)", what, i, (long long)id);
    if (!isnan(la) && (la < -90 || la > 90 || lo < -180 || lo > 180))
        ROWFAIL(LM_ERR_RANGE, "%s row %zu (id %lld): coordinates (%g, %g) out of range", what, i, (long long)id, la, lo);
    if (isnan(la) && !(zone && zone[i] > 0))
        ROWFAIL(LM_ERR_RANGE, "%s row %zu (id %lld): needs a zone or coordinates", what, i, (long long)id);
    return LM_OK;
}

static int check_hours(lm_err *err, const char *what, size_t i, int64_t id, const float *hmin, const float *hmax) {
    float a = hmin ? hmin[i] : 0.f, b = hmax ? hmax[i] : 80.f;
    if (!isfinite(a) || !isfinite(b)) ROWFAIL(LM_ERR_NONFINITE, "%s row %zu (id %lld): hours not finite", what, i, (long long)id);
    if (a < 0 || b > 80 || a > b)
        ROWFAIL(LM_ERR_RANGE, "%s row %zu (id %lld): hours %g..%g must satisfy 0 <= min <= max <= 80", what, i, (long long)id, a, b);
    return LM_OK;
}

static int check_cands(lm_err *err, const lm_candidate_cols *c, size_t n, uint32_t dim) {
    if (!c->id) ROWFAIL(LM_ERR_NULL, "candidates: column id is NULL");
    if (!c->owner_org) ROWFAIL(LM_ERR_NULL, "candidates: column owner_org is NULL");
    if (!c->municipality) ROWFAIL(LM_ERR_NULL, "candidates: column municipality is NULL");
    if (!c->groups) ROWFAIL(LM_ERR_NULL, "candidates: column groups is NULL");
    if (!c->vectors) ROWFAIL(LM_ERR_NULL, "candidates: column vectors is NULL");
    if (c->dim != dim) ROWFAIL(LM_ERR_DIMENSION, "candidates: dim %u, pool has %u", c->dim, dim);
    for (size_t i = 0; i < n; i++) {
        int64_t id = c->id[i];
        int st = check_place(err, "candidate", i, id, c->municipality, c->region, c->zone, c->lat, c->lon);
        if (st) return st;
        if ((st = check_hours(err, "candidate", i, id, c->hours_min, c->hours_max))) return st;
        if (c->groups[i] == 0 || (c->groups[i] & ~(uint32_t)LM_GROUP_KNOWN))
            ROWFAIL(LM_ERR_RANGE, "candidate row %zu (id %lld): target groups 0x%x empty or unknown", i, (long long)id, c->groups[i]);
        if (c->readiness && (c->readiness[i] < 1 || c->readiness[i] > 5))
            ROWFAIL(LM_ERR_RANGE, "candidate row %zu (id %lld): readiness %u not in 1..5", i, (long long)id, c->readiness[i]);
        if (c->loonwaarde) {
            if (!isfinite(c->loonwaarde[i])) ROWFAIL(LM_ERR_NONFINITE, "candidate row %zu (id %lld): loonwaarde not finite", i, (long long)id);
            if (c->loonwaarde[i] < 0 || c->loonwaarde[i] > 200)
                ROWFAIL(LM_ERR_RANGE, "candidate row %zu (id %lld): loonwaarde %g not in 0..200", i, (long long)id, c->loonwaarde[i]);
        }
        size_t bad;
        if (!finite_all(c->vectors + i * dim, dim, &bad))
            ROWFAIL(LM_ERR_NONFINITE, "candidate row %zu (id %lld): vector[%zu] not finite", i, (long long)id, bad);
        if (c->modes && (c->modes[i] == 0 || c->modes[i] > LM_MODES_ALL))
            ROWFAIL(LM_ERR_RANGE, "candidate row %zu (id %lld): travel modes 0x%x empty or unknown", i, (long long)id, c->modes[i]);
        if (c->max_minutes) {
            if (!isfinite(c->max_minutes[i])) ROWFAIL(LM_ERR_NONFINITE, "candidate row %zu (id %lld): max_minutes not finite", i, (long long)id);
            if (c->max_minutes[i] < 0 || c->max_minutes[i] > 1440)
                ROWFAIL(LM_ERR_RANGE, "candidate row %zu (id %lld): max_minutes %g not in 0..1440", i, (long long)id, c->max_minutes[i]);
        }
        if (c->available_from && c->available_from[i] < 0)
            ROWFAIL(LM_ERR_RANGE, "candidate row %zu (id %lld): available_from %d < 0", i, (long long)id, c->available_from[i]);
        if (c->scope && c->scope[i] > LM_SCOPE_NATIONAL)
            ROWFAIL(LM_ERR_RANGE, "candidate row %zu (id %lld): scope %u unknown", i, (long long)id, c->scope[i]);
        if (c->priority) {
            if (!isfinite(c->priority[i])) ROWFAIL(LM_ERR_NONFINITE, "candidate row %zu (id %lld): priority not finite", i, (long long)id);
            if (c->priority[i] < 0 || c->priority[i] > 1)
                ROWFAIL(LM_ERR_RANGE, "candidate row %zu (id %lld): priority %g not in 0..1", i, (long long)id, c->priority[i]);
        }
    }
    return LM_OK;
}

static int check_vacs(lm_err *err, const lm_vacancy_cols *c, size_t n, uint32_t dim) {
    if (!c->id) ROWFAIL(LM_ERR_NULL, "vacancies: column id is NULL");
    if (!c->employer_id) ROWFAIL(LM_ERR_NULL, "vacancies: column employer_id is NULL");
    if (!c->municipality) ROWFAIL(LM_ERR_NULL, "vacancies: column municipality is NULL");
    if (!c->vectors) ROWFAIL(LM_ERR_NULL, "vacancies: column vectors is NULL");
    if (c->dim != dim) ROWFAIL(LM_ERR_DIMENSION, "vacancies: dim %u, pool has %u", c->dim, dim);
    for (size_t i = 0; i < n; i++) {
        int64_t id = c->id[i];
        int st = check_place(err, "vacancy", i, id, c->municipality, c->region, c->zone, c->lat, c->lon);
        if (st) return st;
        if ((st = check_hours(err, "vacancy", i, id, c->hours_min, c->hours_max))) return st;
        size_t bad;
        if (!finite_all(c->vectors + i * dim, dim, &bad))
            ROWFAIL(LM_ERR_NONFINITE, "vacancy row %zu (id %lld): vector[%zu] not finite", i, (long long)id, bad);
        if (c->weights) {
            if (!finite_all(c->weights + i * dim, dim, &bad))
                ROWFAIL(LM_ERR_NONFINITE, "vacancy row %zu (id %lld): weights[%zu] not finite", i, (long long)id, bad);
            for (uint32_t j = 0; j < dim; j++)
                if (c->weights[i * dim + j] < 0)
                    ROWFAIL(LM_ERR_RANGE, "vacancy row %zu (id %lld): weights[%u] < 0", i, (long long)id, j);
        }
        if (c->slots && (c->slots[i] < 0 || c->slots[i] > 1000000))
            ROWFAIL(LM_ERR_RANGE, "vacancy row %zu (id %lld): slots %d not in 0..1000000", i, (long long)id, c->slots[i]);
        if (c->accepted_groups && (c->accepted_groups[i] == 0 || (c->accepted_groups[i] & ~(uint32_t)LM_GROUP_KNOWN)))
            ROWFAIL(LM_ERR_RANGE, "vacancy row %zu (id %lld): accepted groups 0x%x empty or unknown", i, (long long)id, c->accepted_groups[i]);
        if (c->min_loonwaarde) {
            if (!isfinite(c->min_loonwaarde[i])) ROWFAIL(LM_ERR_NONFINITE, "vacancy row %zu (id %lld): min_loonwaarde not finite", i, (long long)id);
            if (c->min_loonwaarde[i] < 0 || c->min_loonwaarde[i] > 200)
                ROWFAIL(LM_ERR_RANGE, "vacancy row %zu (id %lld): min_loonwaarde %g not in 0..200", i, (long long)id, c->min_loonwaarde[i]);
        }
        if (c->max_readiness && (c->max_readiness[i] < 1 || c->max_readiness[i] > 5))
            ROWFAIL(LM_ERR_RANGE, "vacancy row %zu (id %lld): max_readiness %u not in 1..5", i, (long long)id, c->max_readiness[i]);
        if (c->open_until && c->open_until[i] < 0)
            ROWFAIL(LM_ERR_RANGE, "vacancy row %zu (id %lld): open_until %d < 0", i, (long long)id, c->open_until[i]);
        if (c->kind && c->kind[i] >= LM_KIND_COUNT)
            ROWFAIL(LM_ERR_RANGE, "vacancy row %zu (id %lld): kind %u not in 0..%d", i, (long long)id, c->kind[i],
                    LM_KIND_COUNT - 1);
    }
    return LM_OK;
}

/* ---- row writers --------------------------------------------------------- */
/* dst = w * (v - centre) / |w * (v - centre)| (w, centre optional); a zero
 * vector stays zero (competence 0 with every other vector). */
static void write_unit(float *dst, uint32_t stride, const float *v, const float *w, const float *centre, uint32_t dim,
                       float *norm_out) {
    double ss = 0;
    for (uint32_t j = 0; j < dim; j++) {
        double x = ((double)v[j] - (centre ? (double)centre[j] : 0.0)) * (w ? (double)w[j] : 1.0);
        ss += x * x;
    }
    double nrm = sqrt(ss);
    for (uint32_t j = 0; j < dim; j++) {
        double x = ((double)v[j] - (centre ? (double)centre[j] : 0.0)) * (w ? (double)w[j] : 1.0);
        dst[j] = nrm > 0 ? (float)(x / nrm) : 0.f;
    }
    for (uint32_t j = dim; j < stride; j++) dst[j] = 0.f;
    if (norm_out) *norm_out = (float)nrm;
}

/* The stored vectors of row r from its raw columns and the centre (NULL =
 * none): what add, upsert and lm_pool_set_centre() all write. */
static void derive_row(lm_chunk *ch, const lm_layout *L, uint32_t r, int side, const float *centre) {
    size_t o = (size_t)r * L->vec_stride;
    const float *raw = LM_COLP(ch, L, LM_COL_RAW, float) + o;
    const float *w = side == LM_SIDE_VACANCY ? LM_COLP(ch, L, LM_COL_W, float) + o : NULL;
    write_unit(LM_COLP(ch, L, LM_COL_VEC, float) + o, L->vec_stride, raw, w, centre, L->dim,
               LM_COLP(ch, L, LM_COL_NORM, float) + r);
    if (side == LM_SIDE_VACANCY)
        write_unit(LM_COLP(ch, L, LM_COL_VECC, float) + o, L->vec_stride, raw, NULL, centre, L->dim, NULL);
}

static void write_raw(float *dst, const float *src, float dflt, uint32_t dim, uint32_t stride) {
    for (uint32_t j = 0; j < dim; j++) dst[j] = src ? src[j] : dflt;
    for (uint32_t j = dim; j < stride; j++) dst[j] = 0.f;
}

static void write_common(lm_chunk *ch, const lm_layout *L, uint32_t r, int64_t id, int64_t org, int32_t muni,
                         const int32_t *region, const int32_t *zone, const double *lat, const double *lon,
                         const float *hmin, const float *hmax, size_t i) {
    LM_COLP(ch, L, LM_COL_ID, int64_t)[r] = id;
    LM_COLP(ch, L, LM_COL_ORG, int64_t)[r] = org;
    LM_COLP(ch, L, LM_COL_MUNI, int32_t)[r] = muni;
    LM_COLP(ch, L, LM_COL_REGION, int32_t)[r] = region ? region[i] : 0;
    LM_COLP(ch, L, LM_COL_ZONE, int32_t)[r] = zone ? zone[i] : 0;
    double la = lat ? lat[i] : NAN, lo = lon ? lon[i] : NAN;
    LM_COLP(ch, L, LM_COL_LATLON, double)[2 * r] = la;
    LM_COLP(ch, L, LM_COL_LATLON, double)[2 * r + 1] = lo;
    lm__latlon_xyz(LM_COLP(ch, L, LM_COL_XYZ, double) + 3 * r, la, lo);
    LM_COLP(ch, L, LM_COL_HMIN, float)[r] = hmin ? hmin[i] : 0.f;
    LM_COLP(ch, L, LM_COL_HMAX, float)[r] = hmax ? hmax[i] : 80.f;
    LM_COLP(ch, L, LM_COL_LIVE, uint8_t)[r] = 1;
}

static void write_cand(lm_chunk *ch, const lm_layout *L, uint32_t r, const void *cols, size_t i, const float *centre) {
    const lm_candidate_cols *c = cols;
    write_common(ch, L, r, c->id[i], c->owner_org[i], c->municipality[i], c->region, c->zone, c->lat, c->lon,
                 c->hours_min, c->hours_max, i);
    LM_COLP(ch, L, LM_COL_FLAGS, uint64_t)[r] = c->flags ? c->flags[i] : 0;
    LM_COLP(ch, L, LM_COL_GROUPS, uint32_t)[r] = c->groups[i];
    LM_COLP(ch, L, LM_COL_READY, uint8_t)[r] = c->readiness ? c->readiness[i] : LM_READY_A;
    LM_COLP(ch, L, LM_COL_LW, float)[r] = c->loonwaarde ? c->loonwaarde[i] : 100.f;
    LM_COLP(ch, L, LM_COL_DAY, int32_t)[r] = c->available_from ? c->available_from[i] : 0;
    LM_COLP(ch, L, LM_COL_MODES, uint8_t)[r] = c->modes ? c->modes[i] : LM_MODES_ALL;
    LM_COLP(ch, L, LM_COL_MAXMIN, float)[r] = c->max_minutes ? c->max_minutes[i] : 0.f;
    LM_COLP(ch, L, LM_COL_SCOPE, uint8_t)[r] = c->scope ? c->scope[i] : LM_SCOPE_ORG;
    LM_COLP(ch, L, LM_COL_PRIO, float)[r] = c->priority ? c->priority[i] : 0.f;
    LM_COLP(ch, L, LM_COL_NEEDS, uint64_t)[r] = c->needs ? c->needs[i] : 0;
    write_raw(LM_COLP(ch, L, LM_COL_RAW, float) + (size_t)r * L->vec_stride, c->vectors + i * L->dim, 0.f, L->dim,
              L->vec_stride);
    derive_row(ch, L, r, LM_SIDE_CANDIDATE, centre);
}

/* The stored accepted groups (docs/abi.md, "Target groups"): NULL accepts
 * every group, later ones included (all bits); so does LM_GROUP_ALL from a
 * caller compiled against 1.0 or 1.1 (struct_size without the 1.2 fields),
 * for whom it meant "open to all". */
static uint32_t vac_groups(const lm_vacancy_cols *c, size_t i) {
    if (!c->accepted_groups) return UINT32_MAX;
    uint32_t g = c->accepted_groups[i];
    if (g == (uint32_t)LM_GROUP_ALL && c->struct_size <= LM__VAC_COLS_SIZE_1_1) return UINT32_MAX;
    return g;
}

static void write_vac(lm_chunk *ch, const lm_layout *L, uint32_t r, const void *cols, size_t i, const float *centre) {
    const lm_vacancy_cols *c = cols;
    write_common(ch, L, r, c->id[i], c->employer_id[i], c->municipality[i], c->region, c->zone, c->lat, c->lon,
                 c->hours_min, c->hours_max, i);
    LM_COLP(ch, L, LM_COL_FLAGS, uint64_t)[r] = c->required_flags ? c->required_flags[i] : 0;
    LM_COLP(ch, L, LM_COL_GROUPS, uint32_t)[r] = vac_groups(c, i);
    LM_COLP(ch, L, LM_COL_NEEDS, uint64_t)[r] = c->offers ? c->offers[i] : 0;
    LM_COLP(ch, L, LM_COL_KIND, uint8_t)[r] = c->kind ? c->kind[i] : LM_KIND_REGULAR;
    LM_COLP(ch, L, LM_COL_READY, uint8_t)[r] = c->max_readiness ? c->max_readiness[i] : LM_READY_E;
    LM_COLP(ch, L, LM_COL_LW, float)[r] = c->min_loonwaarde ? c->min_loonwaarde[i] : 0.f;
    LM_COLP(ch, L, LM_COL_DAY, int32_t)[r] = c->open_until ? c->open_until[i] : INT32_MAX;
    LM_COLP(ch, L, LM_COL_SLOTS, int32_t)[r] = c->slots ? c->slots[i] : 1;
    size_t o = (size_t)r * L->vec_stride;
    write_raw(LM_COLP(ch, L, LM_COL_RAW, float) + o, c->vectors + i * L->dim, 0.f, L->dim, L->vec_stride);
    write_raw(LM_COLP(ch, L, LM_COL_W, float) + o, c->weights ? c->weights + i * L->dim : NULL, 1.f, L->dim,
              L->vec_stride);
    derive_row(ch, L, r, LM_SIDE_VACANCY, centre);
}

/* ---- column structs of older callers ---------------------------------------- */
/* A struct of an older caller ends before the fields it does not know: the
 * smallest accepted is 1.0's (= 1.1's). The rest of the library reads a full
 * copy, the missing fields NULL (their defaults); struct_size stays the
 * caller's, which vac_groups() reads. */
static const lm_candidate_cols *cand_cols_full(lm_candidate_cols *dst, const lm_candidate_cols *c) {
    memset(dst, 0, sizeof *dst);
    memcpy(dst, c, c->struct_size < sizeof *dst ? c->struct_size & ~(sizeof(void *) - 1) : sizeof *dst);
    return dst;
}
static const lm_vacancy_cols *vac_cols_full(lm_vacancy_cols *dst, const lm_vacancy_cols *c) {
    memset(dst, 0, sizeof *dst);
    memcpy(dst, c, c->struct_size < sizeof *dst ? c->struct_size & ~(sizeof(void *) - 1) : sizeof *dst);
    return dst;
}

/* ---- the batch transaction ------------------------------------------------ */
typedef struct idpos {
    int64_t id;
    size_t row; /* row in the batch; deletions are numbered after the writes */
} idpos;

static int cmp_idpos(const void *a, const void *b) {
    const idpos *x = a, *y = b;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    return x->row < y->row ? -1 : (x->row > y->row);
}

/* Build partition p of the new side: old entries minus `del` plus `add`. */
static struct lm_idx_part *part_build(const struct lm_idx_part *old, const int64_t *del, size_t ndel,
                                      const lm_idx_ent *add, size_t nadd) {
    size_t nold = old ? old->n : 0;
    struct lm_idx_part *np = lm__calloc(1, sizeof *np);
    if (!np) return NULL;
    atomic_init(&np->ref, 1);
    size_t cap = nold + nadd;
    np->ents = lm__malloc((cap ? cap : 1) * sizeof *np->ents);
    if (!np->ents) {
        lm__free(np);
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < nold; i++) {
        int64_t id = old->ents[i].id;
        size_t lo = 0, hi = ndel; /* del is sorted */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (del[mid] < id) lo = mid + 1;
            else hi = mid;
        }
        if (lo < ndel && del[lo] == id) continue;
        np->ents[k].id = id;
        np->ents[k].slot = old->ents[i].slot;
        k++;
    }
    for (size_t i = 0; i < nadd; i++) {
        np->ents[k].id = add[i].id;
        np->ents[k].slot = add[i].slot;
        k++;
    }
    np->n = k;
    bool hash_oom = false;
    for (size_t i = 0; i < k && !hash_oom; i++) {
        lm_idx_ent *e = &np->ents[i];
        HASH_ADD(hh, np->head, id, sizeof e->id, e);
    }
    if (hash_oom) {
        part_free(np);
        return NULL;
    }
    return np;
}

typedef void (*row_writer)(lm_chunk *, const lm_layout *, uint32_t, const void *, size_t, const float *);

/* A side's change, prepared without touching the pool's visible state. */
typedef struct prep {
    int side;
    lm_tbl *ns;         /* the new side version, NULL if nothing prepared */
    const void *cols;
    row_writer writer;
    size_t nw;          /* rows written */
    uint32_t *wslot;    /* their slots */
    size_t nd;          /* rows deleted */
    uint32_t *dslot;    /* their slots */
    size_t pops;        /* free slots reused */
} prep;

static void prep_discard(prep *P, const lm_tbl *cur) {
    if (P->ns) {
        for (uint32_t c = 0; c < P->ns->nchunks; c++)
            if (P->ns->chunks[c] && (c >= cur->nchunks || P->ns->chunks[c] != cur->chunks[c])) lm__free(P->ns->chunks[c]);
        for (int q = 0; q < LM_NPART; q++)
            if (P->ns->parts[q] && P->ns->parts[q] != cur->parts[q]) part_free(P->ns->parts[q]);
        lm__free(P->ns->chunks);
        lm__free(P->ns);
    }
    lm__free(P->wslot);
    lm__free(P->dslot);
    memset(P, 0, sizeof *P);
}

/* Prepare writes (ids/cols, n) and deletions (del, ndel) on one side. An id
 * may not appear twice; with add_only a written id must be new; deletions of
 * unknown ids fail unless skip_unknown. Fills P; on error P is empty. */
static int prepare(lm_pool *p, int side, const char *what, const int64_t *ids, size_t n, bool add_only,
                   const void *cols, row_writer writer, const int64_t *del, size_t ndel, bool skip_unknown,
                   prep *P) {
    lm_err *err = &p->err;
    const lm_tbl *cur = p->side[side];
    const lm_layout *L = cur->L;
    int st = LM_OK;
    memset(P, 0, sizeof *P);
    P->side = side;
    P->cols = cols;
    P->writer = writer;
    idpos *sorted = NULL;
    lm_idx_ent *adds = NULL, *tmpa = NULL;
    int64_t *dels = NULL, *tmpd = NULL;
    size_t *padd = NULL, *pdel = NULL;
    lm_chunk **newch = NULL;
    size_t nnew = 0, nd = 0;

    size_t total = n + ndel;
    sorted = lm__malloc((total ? total : 1) * sizeof *sorted);
    P->wslot = lm__malloc((n ? n : 1) * sizeof *P->wslot);
    P->dslot = lm__malloc((ndel ? ndel : 1) * sizeof *P->dslot);
    adds = lm__malloc((n ? n : 1) * sizeof *adds);
    dels = lm__malloc((ndel ? ndel : 1) * sizeof *dels);
    if (!sorted || !P->wslot || !P->dslot || !adds || !dels) goto nomem;
    for (size_t i = 0; i < n; i++) sorted[i] = (idpos){ids[i], i};
    for (size_t i = 0; i < ndel; i++) sorted[n + i] = (idpos){del[i], n + i};
    qsort(sorted, total, sizeof *sorted, cmp_idpos);
    for (size_t i = 1; i < total; i++)
        if (sorted[i].id == sorted[i - 1].id) {
            size_t a = sorted[i - 1].row, b = sorted[i].row;
            if (b >= n)
                st = lm__fail(err, LM_ERR_DUPLICATE, "%s: id %lld is both written (row %zu) and deleted, or deleted twice",
                              what, (long long)sorted[i].id, a < n ? a : a - n);
            else
                st = lm__fail(err, LM_ERR_DUPLICATE, "%s row %zu: id %lld appears twice in the batch (also row %zu)",
                              what, b, (long long)sorted[i].id, a);
            goto fail;
        }

    /* Resolve slots, in id order so the result does not depend on row order. */
    uint32_t nslots = cur->nslots;
    size_t nlive = cur->nlive;
    for (size_t k = 0; k < total; k++) {
        size_t r = sorted[k].row;
        int64_t found = lm__side_find(cur, sorted[k].id);
        if (r >= n) { /* deletion */
            if (found < 0) {
                if (skip_unknown) continue;
                st = lm__fail(err, LM_ERR_UNKNOWN_ID, "%s row %zu: id %lld is not in the pool", what, r - n,
                              (long long)sorted[k].id);
                goto fail;
            }
            P->dslot[nd] = (uint32_t)found;
            dels[nd++] = sorted[k].id;
            nlive--;
            continue;
        }
        if (found >= 0) {
            if (add_only) {
                st = lm__fail(err, LM_ERR_DUPLICATE, "%s row %zu: id %lld already in the pool", what, r,
                              (long long)sorted[k].id);
                goto fail;
            }
            P->wslot[r] = (uint32_t)found;
            continue;
        }
        if (++nlive > LM_MAX_ROWS) {
            st = lm__fail(err, LM_ERR_LIMIT, "%s: more than %d rows", what, LM_MAX_ROWS);
            goto fail;
        }
        uint32_t s = P->pops < p->nfree[side] ? p->free_slots[side][p->nfree[side] - 1 - P->pops++] : nslots++;
        P->wslot[r] = s;
        adds[nnew++] = (lm_idx_ent){.id = sorted[k].id, .slot = s};
    }
    P->nw = n;
    P->nd = nd;

    /* New side version sharing everything untouched. */
    uint32_t nchunks = (nslots + LM_CHUNK_ROWS - 1) >> LM_CHUNK_SHIFT;
    lm_tbl *ns = P->ns = lm__calloc(1, sizeof *ns);
    if (!ns) goto nomem;
    atomic_init(&ns->ref, 1);
    ns->L = L;
    ns->nslots = nslots;
    ns->nlive = nlive;
    ns->chunks = lm__calloc(nchunks ? nchunks : 1, sizeof *ns->chunks);
    newch = lm__calloc(nchunks ? nchunks : 1, sizeof *newch);
    if (!ns->chunks || !newch) goto nomem;
    ns->nchunks = nchunks;
    for (size_t i = 0; i < n + nd; i++) {
        uint32_t c = (i < n ? P->wslot[i] : P->dslot[i - n]) >> LM_CHUNK_SHIFT;
        if (newch[c]) continue;
        newch[c] = lm__aligned_alloc(64, L->chunk_bytes);
        if (!newch[c]) goto nomem;
        if (c < cur->nchunks) /* not the header: readers may be changing its refcount */
            memcpy((unsigned char *)newch[c] + LM_CHUNK_HDR, (const unsigned char *)cur->chunks[c] + LM_CHUNK_HDR,
                   L->chunk_bytes - LM_CHUNK_HDR);
        else
            memset(newch[c], 0, L->chunk_bytes);
        atomic_init(&newch[c]->ref, 1);
        ns->chunks[c] = newch[c];
    }
    /* Index partitions that change: group adds and deletions by partition. */
    padd = lm__calloc(LM_NPART + 1, sizeof *padd);
    pdel = lm__calloc(LM_NPART + 1, sizeof *pdel);
    tmpa = lm__malloc((nnew ? nnew : 1) * sizeof *tmpa);
    tmpd = lm__malloc((nd ? nd : 1) * sizeof *tmpd);
    if (!padd || !pdel || !tmpa || !tmpd) goto nomem;
    for (size_t i = 0; i < nnew; i++) padd[part_of(adds[i].id) + 1]++;
    for (size_t i = 0; i < nd; i++) pdel[part_of(dels[i]) + 1]++;
    for (int q = 0; q < LM_NPART; q++) {
        padd[q + 1] += padd[q];
        pdel[q + 1] += pdel[q];
    }
    {
        size_t fa[LM_NPART], fd[LM_NPART];
        memcpy(fa, padd, sizeof fa);
        memcpy(fd, pdel, sizeof fd);
        for (size_t i = 0; i < nnew; i++) tmpa[fa[part_of(adds[i].id)]++] = adds[i];
        for (size_t i = 0; i < nd; i++) tmpd[fd[part_of(dels[i])]++] = dels[i]; /* stays sorted per partition */
    }
    for (int q = 0; q < LM_NPART; q++) {
        size_t na = padd[q + 1] - padd[q], ndq = pdel[q + 1] - pdel[q];
        if (!na && !ndq) continue;
        ns->parts[q] = part_build(cur->parts[q], tmpd + pdel[q], ndq, tmpa + padd[q], na);
        if (!ns->parts[q]) goto nomem;
    }
    /* The free-slot stack must be able to take the freed slots at commit. */
    if (nd && p->nfree[side] + nd > p->capfree[side]) {
        size_t cap = (p->nfree[side] + nd) * 2;
        uint32_t *fs = lm__realloc(p->free_slots[side], cap * sizeof *fs);
        if (!fs) goto nomem;
        p->free_slots[side] = fs;
        p->capfree[side] = cap;
    }
    /* Untouched chunks and partitions are shared (references taken at commit). */
    for (uint32_t c = 0; c < nchunks; c++)
        if (!ns->chunks[c]) ns->chunks[c] = cur->chunks[c];
    for (int q = 0; q < LM_NPART; q++)
        if (!ns->parts[q]) ns->parts[q] = cur->parts[q];
    goto done;
nomem:
    st = lm__fail(err, LM_ERR_NOMEM, "%s: out of memory; nothing changed", what);
fail:
    prep_discard(P, cur); /* holds only this batch's copies so far */
done:
    lm__free(newch);
    lm__free(padd);
    lm__free(pdel);
    lm__free(tmpa);
    lm__free(tmpd);
    lm__free(sorted);
    lm__free(adds);
    lm__free(dels);
    return st;
}

/* Make a prepared change visible. Cannot fail. Mutex held. */
static void commit(lm_pool *p, prep *P) {
    lm_tbl *ns = P->ns, *cur = p->side[P->side];
    const lm_layout *L = ns->L;
    for (uint32_t c = 0; c < ns->nchunks; c++)
        if (c < cur->nchunks && ns->chunks[c] == cur->chunks[c]) atomic_fetch_add(&ns->chunks[c]->ref, 1);
    for (int q = 0; q < LM_NPART; q++)
        if (ns->parts[q] && ns->parts[q] == cur->parts[q]) atomic_fetch_add(&ns->parts[q]->ref, 1);
    for (size_t i = 0; i < P->nw; i++)
        P->writer(ns->chunks[P->wslot[i] >> LM_CHUNK_SHIFT], L, P->wslot[i] & (LM_CHUNK_ROWS - 1), P->cols, i,
                  p->centre->centred ? p->centre->v : NULL);
    p->nfree[P->side] -= P->pops;
    for (size_t i = 0; i < P->nd; i++) {
        lm_chunk *ch = ns->chunks[P->dslot[i] >> LM_CHUNK_SHIFT];
        LM_COLP(ch, L, LM_COL_LIVE, uint8_t)[P->dslot[i] & (LM_CHUNK_ROWS - 1)] = 0;
        p->free_slots[P->side][p->nfree[P->side]++] = P->dslot[i];
    }
    side_unref(cur);
    p->side[P->side] = ns;
    lm__free(P->wslot);
    lm__free(P->dslot);
    memset(P, 0, sizeof *P);
}

static void publish(lm_pool *p) {
    p->version++;
    lm_snapshot_free(p->cur);
    p->cur = NULL;
    lm__clear(&p->err);
}

static int batch_args(lm_pool *p, const void *cols, size_t struct_size, size_t min_size, size_t n, const char *what) {
    if (!p) return LM_ERR_NULL;
    if (!cols) return lm__fail(&p->err, LM_ERR_NULL, "%s: columns struct is NULL", what);
    if (struct_size < min_size)
        return lm__fail(&p->err, LM_ERR_INVALID, "%s: struct_size %zu too small (use the _INIT macro)", what, struct_size);
    if (n == 0) return lm__fail(&p->err, LM_ERR_INVALID, "%s: empty batch (n = 0)", what);
    if (n > LM_MAX_BATCH) return lm__fail(&p->err, LM_ERR_LIMIT, "%s: batch of %zu rows exceeds %d", what, n, LM_MAX_BATCH);
    return LM_OK;
}

/* ---- centring -------------------------------------------------------------- */
/* Mean pairwise cosine of n unit vectors (zero vectors left out) from the sum
 * of their rows: (|sum u_i|^2 - n) / (n (n - 1)); *out_n gets n. `unit`
 * says the rows are unit vectors already (else they are normalised here). */
typedef struct cosacc {
    double s[LM_MAX_DIM];
    size_t n;
} cosacc;

static void cosacc_add(cosacc *a, const float *v, uint32_t dim, bool unit) {
    double ss = 0;
    for (uint32_t j = 0; j < dim; j++) ss += (double)v[j] * v[j];
    if (!(ss > 0)) return;
    double inv = unit ? 1.0 : 1.0 / sqrt(ss);
    for (uint32_t j = 0; j < dim; j++) a->s[j] += (double)v[j] * inv;
    a->n++;
}

static double cosacc_mean(const cosacc *a, uint32_t dim) {
    if (a->n < 2) return 0.0;
    double ss = 0;
    for (uint32_t j = 0; j < dim; j++) ss += a->s[j] * a->s[j];
    return (ss - (double)a->n) / ((double)a->n * (double)(a->n - 1));
}

#define LM_UNCENTRED_MIN_ROWS 8
#define LM_UNCENTRED_COSINE 0.5

/* After a successful add/upsert into an uncentred pool: leave a warning in
 * the pool's message when the batch's raw vectors all point one way (raw
 * skill levels, all positive). The status stays LM_OK. Mutex held. */
static bool warn_uncentred(lm_pool *p, const char *what, const float *vec, size_t n) {
    if (p->centre->centred || n < LM_UNCENTRED_MIN_ROWS) return false;
    cosacc a; /* 32 KiB of stack: no allocation after the commit */
    memset(a.s, 0, p->dim * sizeof a.s[0]);
    a.n = 0;
    for (size_t i = 0; i < n; i++) cosacc_add(&a, vec + i * p->dim, p->dim, false);
    double mc = cosacc_mean(&a, p->dim);
    if (a.n < LM_UNCENTRED_MIN_ROWS || !(mc > LM_UNCENTRED_COSINE)) return false;
    lm__fail(&p->err, LM_OK,
             "%s: vectors look uncentred: mean pairwise cosine %.2f in this batch; centre them with "
             "lm_pool_set_centre(), docs/scoring.md",
             what, mc);
    return true;
}

/* A copy of side `cur` with every chunk copied and every live row's vectors
 * derived again with `centre` (NULL = none); index partitions are shared. */
static lm_tbl *side_rederive(const lm_tbl *cur, int side, const float *centre) {
    const lm_layout *L = cur->L;
    lm_tbl *ns = lm__calloc(1, sizeof *ns);
    if (!ns) return NULL;
    atomic_init(&ns->ref, 1);
    ns->L = L;
    ns->nslots = cur->nslots;
    ns->nlive = cur->nlive;
    for (int q = 0; q < LM_NPART; q++)
        if ((ns->parts[q] = cur->parts[q])) atomic_fetch_add(&ns->parts[q]->ref, 1);
    ns->chunks = lm__calloc(cur->nchunks ? cur->nchunks : 1, sizeof *ns->chunks);
    if (!ns->chunks) goto nomem;
    ns->nchunks = cur->nchunks;
    for (uint32_t c = 0; c < cur->nchunks; c++) {
        lm_chunk *ch = ns->chunks[c] = lm__aligned_alloc(64, L->chunk_bytes);
        if (!ch) goto nomem;
        memcpy((unsigned char *)ch + LM_CHUNK_HDR, (const unsigned char *)cur->chunks[c] + LM_CHUNK_HDR,
               L->chunk_bytes - LM_CHUNK_HDR);
        atomic_init(&ch->ref, 1);
        for (uint32_t r = 0; r < LM_CHUNK_ROWS; r++)
            if (LM_COLP(ch, L, LM_COL_LIVE, uint8_t)[r]) derive_row(ch, L, r, side, centre);
    }
    return ns;
nomem:
    side_unref(ns);
    return NULL;
}

/* The mean of the live rows' raw vectors, both sides, each row once. */
static int raw_mean(lm_pool *p, float *out) {
    double acc[LM_MAX_DIM];
    size_t n = 0;
    memset(acc, 0, p->dim * sizeof acc[0]);
    for (int side = 0; side < 2; side++) {
        const lm_tbl *t = p->side[side];
        for (uint32_t slot = 0; slot < t->nslots; slot++) {
            lm_chunk *ch = lm__chunk_of(t, slot);
            uint32_t r = slot & (LM_CHUNK_ROWS - 1);
            if (!LM_COLP(ch, t->L, LM_COL_LIVE, uint8_t)[r]) continue;
            const float *v = LM_COLP(ch, t->L, LM_COL_RAW, float) + (size_t)r * t->L->vec_stride;
            for (uint32_t j = 0; j < p->dim; j++) acc[j] += v[j];
            n++;
        }
    }
    if (!n) return lm__fail(&p->err, LM_ERR_STATE, "set centre: the pool has no rows to take the mean of");
    for (uint32_t j = 0; j < p->dim; j++) out[j] = (float)(acc[j] / (double)n);
    return LM_OK;
}

int lm_pool_set_centre(lm_pool *p, const float *mean, uint32_t dim) {
    if (!p) return LM_ERR_NULL;
    if (dim != p->dim) return lm__fail(&p->err, LM_ERR_DIMENSION, "set centre: dim %u, pool has %u", dim, p->dim);
    size_t bad;
    if (mean && !finite_all(mean, dim, &bad))
        return lm__fail(&p->err, LM_ERR_NONFINITE, "set centre: mean[%zu] not finite", bad);
    pthread_mutex_lock(&p->mu);
    int st = LM_OK;
    lm_centre *c = centre_new(mean, dim);
    lm_tbl *ns[2] = {NULL, NULL};
    if (!c) goto nomem;
    if (!mean && (st = raw_mean(p, c->v))) goto out;
    c->centred = false;
    for (uint32_t j = 0; j < dim; j++) c->centred |= c->v[j] != 0.f;
    for (int side = 0; side < 2; side++)
        if (!(ns[side] = side_rederive(p->side[side], side, c->centred ? c->v : NULL))) goto nomem;
    for (int side = 0; side < 2; side++) {
        side_unref(p->side[side]);
        p->side[side] = ns[side];
        ns[side] = NULL;
    }
    centre_unref(p->centre);
    p->centre = c;
    c = NULL;
    publish(p);
    goto out;
nomem:
    st = lm__fail(&p->err, LM_ERR_NOMEM, "set centre: out of memory; nothing changed");
out:
    side_unref(ns[0]);
    side_unref(ns[1]);
    centre_unref(c);
    pthread_mutex_unlock(&p->mu);
    return st;
}

int lm_pool_get_centre(float *out, uint32_t capacity, int *out_centred, lm_pool *p) {
    if (!p) return LM_ERR_NULL;
    if (!out && capacity) return lm__fail(&p->err, LM_ERR_NULL, "get centre: out is NULL");
    if (out && capacity < p->dim)
        return lm__fail(&p->err, LM_ERR_BUFFER, "get centre: capacity %u < dim %u", capacity, p->dim);
    pthread_mutex_lock(&p->mu);
    if (out) memcpy(out, p->centre->v, p->dim * sizeof *out);
    if (out_centred) *out_centred = p->centre->centred;
    pthread_mutex_unlock(&p->mu);
    return LM_OK;
}

int lm_pool_stat(double *out, lm_pool *p, int32_t key) {
    if (!out || !p) return LM_ERR_NULL;
    if (key != LM_POOL_STAT_MEAN_COSINE && key != LM_POOL_STAT_CENTRED)
        return lm__fail(&p->err, LM_ERR_RANGE, "pool stat %d unknown", (int)key);
    pthread_mutex_lock(&p->mu);
    if (key == LM_POOL_STAT_CENTRED) {
        *out = p->centre->centred ? 1.0 : 0.0;
    } else {
        cosacc a;
        memset(a.s, 0, p->dim * sizeof a.s[0]);
        a.n = 0;
        const lm_tbl *t = p->side[LM_SIDE_CANDIDATE];
        for (uint32_t slot = 0; slot < t->nslots; slot++) {
            lm_chunk *ch = lm__chunk_of(t, slot);
            uint32_t r = slot & (LM_CHUNK_ROWS - 1);
            if (LM_COLP(ch, t->L, LM_COL_LIVE, uint8_t)[r])
                cosacc_add(&a, LM_COLP(ch, t->L, LM_COL_VEC, float) + (size_t)r * t->L->vec_stride, p->dim, true);
        }
        *out = cosacc_mean(&a, p->dim);
    }
    pthread_mutex_unlock(&p->mu);
    return LM_OK;
}

/* One side, one batch: validate, prepare, commit. */
static int one_batch(lm_pool *p, int side, const char *what, const int64_t *ids, size_t n, bool add_only,
                     const void *cols, row_writer writer, const int64_t *del, size_t ndel) {
    pthread_mutex_lock(&p->mu);
    int st = LM_OK;
    if (cols) st = side == LM_SIDE_CANDIDATE ? check_cands(&p->err, cols, n, p->dim) : check_vacs(&p->err, cols, n, p->dim);
    prep P;
    if (!st) st = prepare(p, side, what, ids, n, add_only, cols, writer, del, ndel, false, &P);
    if (!st) {
        commit(p, &P);
        publish(p);
        if (cols)
            warn_uncentred(p, what,
                           side == LM_SIDE_CANDIDATE ? ((const lm_candidate_cols *)cols)->vectors
                                                     : ((const lm_vacancy_cols *)cols)->vectors,
                           n);
    }
    pthread_mutex_unlock(&p->mu);
    return st;
}

static int put_cands(lm_pool *p, const lm_candidate_cols *c, size_t n, bool add_only) {
    const char *what = add_only ? "add candidates" : "upsert candidates";
    int st = batch_args(p, c, c ? c->struct_size : 0, LM__CAND_COLS_SIZE_1_1, n, what);
    if (st) return st;
    lm_candidate_cols full;
    cand_cols_full(&full, c);
    return one_batch(p, LM_SIDE_CANDIDATE, what, full.id, n, add_only, &full, write_cand, NULL, 0);
}

static int put_vacs(lm_pool *p, const lm_vacancy_cols *c, size_t n, bool add_only) {
    const char *what = add_only ? "add vacancies" : "upsert vacancies";
    int st = batch_args(p, c, c ? c->struct_size : 0, LM__VAC_COLS_SIZE_1_1, n, what);
    if (st) return st;
    lm_vacancy_cols full;
    vac_cols_full(&full, c);
    return one_batch(p, LM_SIDE_VACANCY, what, full.id, n, add_only, &full, write_vac, NULL, 0);
}

static int remove_side(lm_pool *p, int side, const int64_t *ids, size_t n) {
    const char *what = side == LM_SIDE_CANDIDATE ? "remove candidates" : "remove vacancies";
    if (!p) return LM_ERR_NULL;
    if (!ids) return lm__fail(&p->err, LM_ERR_NULL, "%s: ids is NULL", what);
    if (n == 0) return lm__fail(&p->err, LM_ERR_INVALID, "%s: empty batch (n = 0)", what);
    if (n > LM_MAX_BATCH) return lm__fail(&p->err, LM_ERR_LIMIT, "%s: batch of %zu rows exceeds %d", what, n, LM_MAX_BATCH);
    return one_batch(p, side, what, NULL, 0, false, NULL, NULL, ids, n);
}

int lm_pool_add_candidates(lm_pool *p, const lm_candidate_cols *c, size_t n) { return put_cands(p, c, n, true); }
int lm_pool_upsert_candidates(lm_pool *p, const lm_candidate_cols *c, size_t n) { return put_cands(p, c, n, false); }
int lm_pool_add_vacancies(lm_pool *p, const lm_vacancy_cols *c, size_t n) { return put_vacs(p, c, n, true); }
int lm_pool_upsert_vacancies(lm_pool *p, const lm_vacancy_cols *c, size_t n) { return put_vacs(p, c, n, false); }
int lm_pool_remove_candidates(lm_pool *p, const int64_t *ids, size_t n) { return remove_side(p, LM_SIDE_CANDIDATE, ids, n); }
int lm_pool_remove_vacancies(lm_pool *p, const int64_t *ids, size_t n) { return remove_side(p, LM_SIDE_VACANCY, ids, n); }

int lm__pool_sync(lm_pool *p, const lm_pool_change *ch) {
    if (!p) return LM_ERR_NULL;
    if (!ch) return lm__fail(&p->err, LM_ERR_NULL, "sync: change is NULL");
    const lm_candidate_cols *c = ch->cand;
    const lm_vacancy_cols *v = ch->vac;
    if ((ch->ncand && !c) || (ch->nvac && !v) || (ch->ncand_del && !ch->cand_del) || (ch->nvac_del && !ch->vac_del))
        return lm__fail(&p->err, LM_ERR_NULL, "sync: a column set or id list is NULL");
    if ((c && c->struct_size < LM__CAND_COLS_SIZE_1_1) || (v && v->struct_size < LM__VAC_COLS_SIZE_1_1))
        return lm__fail(&p->err, LM_ERR_INVALID, "sync: struct_size too small");
    lm_candidate_cols cfull;
    lm_vacancy_cols vfull;
    if (c) c = cand_cols_full(&cfull, c);
    if (v) v = vac_cols_full(&vfull, v);
    if (ch->ncand > LM_MAX_BATCH || ch->ncand_del > LM_MAX_BATCH || ch->nvac > LM_MAX_BATCH || ch->nvac_del > LM_MAX_BATCH)
        return lm__fail(&p->err, LM_ERR_LIMIT, "sync: more than %d rows or deletions on one side", LM_MAX_BATCH);
    pthread_mutex_lock(&p->mu);
    int st = LM_OK;
    if (ch->ncand) st = check_cands(&p->err, c, ch->ncand, p->dim);
    if (!st && ch->nvac) st = check_vacs(&p->err, v, ch->nvac, p->dim);
    prep pc = {0}, pv = {0};
    bool do_c = ch->ncand || ch->ncand_del, do_v = ch->nvac || ch->nvac_del;
    if (!st && do_c)
        st = prepare(p, LM_SIDE_CANDIDATE, "sync candidates", c ? c->id : NULL, ch->ncand, false, c, write_cand,
                     ch->cand_del, ch->ncand_del, true, &pc);
    if (!st && do_v) {
        st = prepare(p, LM_SIDE_VACANCY, "sync vacancies", v ? v->id : NULL, ch->nvac, false, v, write_vac,
                     ch->vac_del, ch->nvac_del, true, &pv);
        if (st && do_c) prep_discard(&pc, p->side[LM_SIDE_CANDIDATE]);
    }
    if (!st) {
        if (do_c) commit(p, &pc);
        if (do_v) commit(p, &pv);
        publish(p);
        if (!(ch->ncand && warn_uncentred(p, "sync candidates", c->vectors, ch->ncand)) && ch->nvac)
            warn_uncentred(p, "sync vacancies", v->vectors, ch->nvac);
    }
    pthread_mutex_unlock(&p->mu);
    return st;
}
