/* Internal declarations shared by the library's source files. Not installed. */
#ifndef LM_INTERNAL_H
#define LM_INTERNAL_H

#include "libmatch/libmatch.h"

#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LM_HIDDEN __attribute__((visibility("hidden")))

/* ---- memory (mem.c): every allocation goes through here so that tests can
 * fail the Nth one (LM_FAULT_INJECTION builds only). */
LM_HIDDEN void *lm__malloc(size_t n);
LM_HIDDEN void *lm__calloc(size_t count, size_t size);
LM_HIDDEN void *lm__realloc(void *p, size_t n);
LM_HIDDEN void *lm__aligned_alloc(size_t align, size_t n); /* free with lm__free */
LM_HIDDEN void *lm__big_alloc(size_t n); /* 64-byte aligned, huge pages when large; free with lm__free */
LM_HIDDEN void lm__free(void *p);
/* Overflow-safe a*b (+c); false on overflow. */
static inline bool lm__mul(size_t *out, size_t a, size_t b) {
    return !__builtin_mul_overflow(a, b, out);
}
static inline bool lm__muladd(size_t *out, size_t a, size_t b, size_t c) {
    size_t t;
    return !__builtin_mul_overflow(a, b, &t) && !__builtin_add_overflow(t, c, out);
}

/* ---- errors (error.c) */
#define LM_ERRMSG_CAP 256
typedef struct lm_err {
    char msg[LM_ERRMSG_CAP];
} lm_err;
/* Format msg into e (if e) and return status. */
LM_HIDDEN int lm__fail(lm_err *e, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline void lm__clear(lm_err *e) {
    if (e) e->msg[0] = '\0';
}

/* ---- geometry */
#define LM_EARTH_RADIUS_KM 6371.0088
/* Unit vector on the sphere; NaN components when lat/lon unknown or invalid. */
static inline void lm__latlon_xyz(double out[3], double lat, double lon) {
    if (!isfinite(lat) || !isfinite(lon)) {
        out[0] = out[1] = out[2] = NAN;
        return;
    }
    double la = lat * (M_PI / 180.0), lo = lon * (M_PI / 180.0);
    out[0] = cos(la) * cos(lo);
    out[1] = cos(la) * sin(lo);
    out[2] = sin(la);
}
/* Great-circle km between two unit vectors (chord -> arc). Every path uses
 * this one function, so travel times agree bit for bit. Below a half-chord of
 * 0.05 (about 640 km) a Taylor series of asin replaces the libm call (the
 * batch calls this per candidate pair); its relative error is below 1e-12. */
/* Great-circle km for a chord length (unit sphere), monotone in chord. */
static inline double lm__chord_km(double chord) {
    double h = 0.5 * chord;
    if (h > 1.0) h = 1.0;
    double ang;
    if (h < 0.05) {
        double h2 = h * h;
        ang = h * (1.0 + h2 * (1.0 / 6.0 + h2 * (3.0 / 40.0 + h2 * (5.0 / 112.0 + h2 * (35.0 / 1152.0)))));
    } else {
        ang = asin(h);
    }
    return 2.0 * ang * LM_EARTH_RADIUS_KM;
}
static inline double lm__xyz_km(const double a[3], const double b[3]) {
    double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    return lm__chord_km(sqrt(dx * dx + dy * dy + dz * dz));
}

/* Fastest geometric one-way minutes over `modes` between two known
 * positions: access[m] + km * min_per_km[m], the arithmetic of
 * lm__travel_pair(), for fast paths without matrices. INFINITY if a position
 * is unknown or no mode is allowed. */
static inline double lm__geo_best(const double access[4], const double mpk[4], uint32_t modes, const double a[3],
                                  const double b[3]) {
    double best = INFINITY;
    if (a[0] != a[0] || b[0] != b[0]) return best;
    double km = lm__xyz_km(a, b);
    for (int m = 0; m < 4; m++) {
        double t = access[m] + km * mpk[m];
        if ((modes >> m & 1u) && t < best) best = t;
    }
    return best;
}

/* ---- travel (travel.c) */
/* Take / drop a reference. lm_travel_free() drops the creator's reference. */
LM_HIDDEN lm_travel *lm__travel_ref(lm_travel *t);
/* Make read-only (attached to an engine). */
LM_HIDDEN void lm__travel_freeze(lm_travel *t);
/* One-way minutes for one mode between two places; INFINITY when unreachable
 * or unknown. A place is a zone (0 = none) and a unit vector (NaN = none).
 * Uses the mode's matrix when both zones are in it, else the geometric
 * estimate when both positions are known. Thread-safe on a frozen model. */
LM_HIDDEN double lm__travel_pair(const lm_travel *t, int mode, int32_t zone_a, const double xyz_a[3],
                                 int32_t zone_b, const double xyz_b[3]);
/* Whether mode has a matrix (for fast paths). */
LM_HIDDEN bool lm__travel_has_matrix(const lm_travel *t, int mode);

/* ---- policy (policy.c) */
/* Keys of this version: every internal policy array has this many entries
 * (LM_POLICY_KEY_COUNT stays 1.0's count, frozen by the ABI). */
#define LM__POLICY_NKEYS LM_POLICY_KEYS
struct lm_policy {
    double v[LM__POLICY_NKEYS];
    lm_err err;
};
/* Policy values resolved for scoring: weights normalised to sum 1. */
typedef struct lm_policy_eval {
    double version;
    int32_t competence_model;  /* lm_competence_model */
    int32_t cooldown_days;
    int32_t exclusive_progress;
    float stability_margin;
    float overqualification;
    float w_comp, w_travel, w_hours, w_ready, w_prio;
    float max_travel_min;
    float min_score;
    float min_competence; /* pairs with competence below are infeasible (since 1.2) */
    int32_t local_only;   /* 1: a pair only within the person's municipality (since 1.2) */
    int32_t as_of_day;
    uint32_t allowed_modes;
    int32_t favour_furthest; /* LM_POLICY_FAVOUR_FURTHEST (since 1.2) */
} lm_policy_eval;
/* The readiness term of the score, 0..1: A = 1 .. E = 0, or reversed under
 * LM_POLICY_FAVOUR_FURTHEST. One definition for every scoring path. */
static inline float lm__readiness_term(const lm_policy_eval *P, uint8_t ready) {
    return (float)(P->favour_furthest ? (int)ready - 1 : 5 - (int)ready) * 0.25f;
}
LM_HIDDEN void lm__policy_defaults(double v[LM__POLICY_NKEYS]);
LM_HIDDEN void lm__policy_eval(lm_policy_eval *out, const double v[LM__POLICY_NKEYS]);

/* ---- proposal history (history.c) */
typedef struct lm_hist_rec {
    int64_t proposal_id, vacancy_id, candidate_id, lead_org;
    int32_t status, day, reason;
} lm_hist_rec;
struct lm_history {
    atomic_int ref;
    atomic_bool frozen;  /* attached to an engine: read-only, indexes built */
    size_t n;
    lm_hist_rec *rec;    /* in the order added */
    lm_hist_rec *by_pair; /* frozen: sorted by (vacancy, candidate), latest first */
    /* frozen indexes over each pair's latest record (memory.c reads them) */
    size_t nlatest;
    const lm_hist_rec **latest; /* one per pair, in by_pair order */
    struct lm_hist_person *persons; /* sorted by candidate_id */
    size_t npersons;
    struct lm_hist_vac *vacs; /* sorted by vacancy_id */
    size_t nvacs;
    lm_err err;
};
/* A person's state in a frozen history (latest record of each pair). */
typedef struct lm_hist_person {
    int64_t candidate_id;
    int64_t open_vacancy, open_org; /* latest introduced/interview proposal */
    int64_t placed_vacancy, placed_org;
    int32_t open_day, placed_day;
    bool open, placed;
} lm_hist_person;
/* A vacancy's counts in a frozen history. */
typedef struct lm_hist_vac {
    int64_t vacancy_id;
    int32_t placed; /* pairs whose latest proposal is placed */
    int32_t open;   /* ... introduced or interview */
} lm_hist_vac;
LM_HIDDEN const lm_hist_person *lm__history_person(const lm_history *h, int64_t candidate_id);
LM_HIDDEN const lm_hist_vac *lm__history_vacancy(const lm_history *h, int64_t vacancy_id);
LM_HIDDEN lm_history *lm__history_ref(lm_history *h);
/* Build the indexes and make read-only (idempotent); LM_ERR_NOMEM leaves it unfrozen. */
LM_HIDDEN int lm__history_freeze(lm_history *h);
/* The pair's latest proposal (highest day, then id), or NULL. Frozen histories only. */
LM_HIDDEN const lm_hist_rec *lm__history_pair(const lm_history *h, int64_t vacancy_id, int64_t candidate_id);

/* The 1.2 pair rules, shared by every path (score.c, engine.c, batch.c):
 * every support need offered, and under LM_POLICY_LOCAL_ONLY the vacancy in
 * the person's own municipality. */
static inline bool lm__needs_met(uint64_t needs, uint64_t offers) { return (needs & ~offers) == 0; }
static inline bool lm__local_ok(const lm_policy_eval *P, int32_t cand_muni, int32_t vac_muni) {
    return !P->local_only || cand_muni == vac_muni;
}

/* ---- the chunked column store (pool.c)
 *
 * Each side (candidates, vacancies) is a sequence of chunks of LM_CHUNK_ROWS
 * row slots. A chunk is one allocation with every column at a fixed offset.
 * Published chunks are immutable and reference-counted: an update batch copies
 * the chunks it touches into a new side version, so snapshots share all the
 * rest. Removed rows leave a dead slot (live = 0) that a later add reuses. */
#define LM_CHUNK_SHIFT 8
#define LM_CHUNK_ROWS (1u << LM_CHUNK_SHIFT)
#define LM_NPART 256 /* id-index partitions, copied on write */

enum {
    /* both sides */
    LM_COL_ID,      /* int64 */
    LM_COL_ORG,     /* int64: owner_org / employer_id */
    LM_COL_MUNI,    /* int32 */
    LM_COL_REGION,  /* int32 */
    LM_COL_ZONE,    /* int32 */
    LM_COL_XYZ,     /* double[3], NaN if unknown */
    LM_COL_LATLON,  /* double[2] as given */
    LM_COL_LIVE,    /* uint8 */
    LM_COL_HMIN,    /* float */
    LM_COL_HMAX,    /* float */
    LM_COL_FLAGS,   /* uint64: capability flags / required flags */
    LM_COL_GROUPS,  /* uint32: groups / accepted groups */
    LM_COL_READY,   /* uint8: readiness / max readiness */
    LM_COL_LW,      /* float: loonwaarde / min loonwaarde */
    LM_COL_DAY,     /* int32: available_from / open_until */
    LM_COL_NORM,    /* float: |c| of the raw candidate vector / |w*r| */
    LM_COL_VEC,     /* float[vec_stride]: unit vector, centred (candidate c~/|c~|, vacancy w*r~/|w*r~|) */
    LM_COL_RAW,     /* float[vec_stride]: the raw vector as given (candidate c, vacancy r) */
    /* candidates only */
    LM_COL_MODES,   /* uint8 */
    LM_COL_MAXMIN,  /* float: own one-way limit, 0 if none */
    LM_COL_SCOPE,   /* uint8 */
    LM_COL_PRIO,    /* float */
    /* vacancies only */
    LM_COL_SLOTS,   /* int32 */
    LM_COL_W,       /* float[vec_stride]: raw importance weights (1 when not given) */
    LM_COL_VECC,    /* float[vec_stride]: unit vector of the COSINE model, r~/|r~| */
    /* since 1.2 */
    LM_COL_NEEDS,   /* both, uint64: support needs / support offered */
    LM_COL_KIND,    /* vacancies, uint8: lm_vacancy_kind */
    LM_NCOLS
};

typedef struct lm_layout {
    size_t off[LM_NCOLS]; /* byte offset of each column in a chunk; 0 = absent */
    size_t esz[LM_NCOLS]; /* bytes per row of each column */
    size_t chunk_bytes;
    uint32_t dim;
    uint32_t vec_stride; /* floats per row in the vector columns (dim rounded up to 16) */
} lm_layout;

/* A chunk: this header, then the columns at 64-byte aligned offsets from the
 * chunk's start (the first at LM_CHUNK_HDR). Allocated 64-byte aligned. */
typedef struct lm_chunk {
    atomic_int ref;
} lm_chunk;
#define LM_CHUNK_HDR 64
#define LM_COLP(ch, L, col, type) ((type *)(void *)((unsigned char *)(ch) + (L)->off[col]))

struct lm_idx_part;
/* An immutable version of one side. */
typedef struct lm_tbl {
    atomic_int ref;
    const lm_layout *L;  /* owned by the pool's shared layout block */
    uint32_t nchunks;
    uint32_t nslots;     /* high-water slot count */
    size_t nlive;
    lm_chunk **chunks;
    struct lm_idx_part *parts[LM_NPART];
} lm_tbl;

/* Layouts are shared by pool and snapshots (they outlive the pool). */
typedef struct lm_layouts {
    atomic_int ref;
    lm_layout cand, vac;
} lm_layouts;

/* A side's rows sorted along a Morton curve of their position, in chunks of
 * the same layout, with a bounding sphere per chunk: single queries skip
 * whole chunks out of travel reach and stream the rest. Built lazily on the
 * first query of a snapshot (qidx.c). */
typedef struct lm_qidx {
    size_t n;
    uint32_t nchunks;
    lm_chunk **chunks;
    uint32_t *slot;     /* sorted row -> snapshot slot */
    double *bcen, *brad; /* per chunk; brad < 0: no positioned row */
} lm_qidx;

/* The centre subtracted from raw vectors (lm_pool_set_centre()): immutable,
 * shared by the pool and its snapshots; replaced whole when it changes. */
typedef struct lm_centre {
    atomic_int ref;
    bool centred; /* some component non-zero */
    float v[];    /* dim floats */
} lm_centre;

struct lm_snapshot {
    atomic_int ref;
    uint32_t dim;
    uint64_t version;
    lm_layouts *layouts;
    lm_centre *centre; /* referenced */
    lm_tbl *side[2]; /* [LM_SIDE_CANDIDATE], [LM_SIDE_VACANCY] */
    _Atomic(lm_qidx *) qidx[2]; /* lazily built query indexes */
};
/* The side's query index, building it on first use; NULL if out of memory
 * (callers then scan in slot order). Thread-safe. */
LM_HIDDEN const lm_qidx *lm__snapshot_qidx(const lm_snapshot *s, int side);
LM_HIDDEN void lm__qidx_free(lm_qidx *q);
LM_HIDDEN uint64_t lm__morton(double lat, double lon);

/* Upserts and deletions on both sides, applied as one atomic change (for
 * database sync): either all of it becomes visible in one version or none.
 * Deleting an id that is not in the pool is not an error. */
typedef struct lm_pool_change {
    const lm_candidate_cols *cand;
    size_t ncand;
    const int64_t *cand_del;
    size_t ncand_del;
    const lm_vacancy_cols *vac;
    size_t nvac;
    const int64_t *vac_del;
    size_t nvac_del;
} lm_pool_change;
LM_HIDDEN int lm__pool_sync(lm_pool *p, const lm_pool_change *ch);

/* Slot of id in a side, or -1. */
LM_HIDDEN int64_t lm__side_find(const lm_tbl *s, int64_t id);
static inline lm_chunk *lm__chunk_of(const lm_tbl *s, uint32_t slot) {
    return s->chunks[slot >> LM_CHUNK_SHIFT];
}

/* ---- scoring (score.c) */
/* Everything the pair evaluation needs, resolved once per query. */
typedef struct lm_eval_ctx {
    const lm_snapshot *snap;
    const lm_layout *LC, *LV;
    lm_policy_eval pol;
    const lm_travel *travel;
    lm_viewer viewer;
    const uint8_t *cand_skip; /* batch only: per candidate slot, 1 = left out (history); NULL = none */
} lm_eval_ctx;
LM_HIDDEN bool lm__visible(const lm_viewer *v, int64_t owner, int32_t muni, int32_t region, uint8_t scope);
/* Evaluate a pair of slots (both live). Returns the lm_constraint (NONE if
 * feasible); *out_score gets the score (0 if infeasible) when out_score is
 * given. With m == NULL it stops at the first failing filter; with m it fills
 * every field. `dot` is the competence value (lm__competence(): the dot product
 * of a dot model) if the caller has it already, or NAN to compute it; a given
 * value is reused, so explanations repeat a listed score exactly. */
LM_HIDDEN int lm__pair_eval(const lm_eval_ctx *E, uint32_t cslot, uint32_t vslot, float dot, float *out_score,
                            lm_match *m);
LM_HIDDEN float lm__dot(const float *a, const float *b, uint32_t n);
/* As lm__pair_eval(); *out_dot (if given) receives the competence value used
 * (the dot product for dot models), which repeats the score when passed back. */
LM_HIDDEN int lm__pair_eval_x(const lm_eval_ctx *E, uint32_t cslot, uint32_t vslot, float dot, float *out_score,
                              float *out_dot, lm_match *m);

/* ---- competence models (competence.c) */
/* REQUIREMENT and COSINE are dot products of stored unit vectors: every fast
 * path reads the candidate's LM_COL_VEC and this vacancy column. */
static inline int lm__vac_vec_col(int32_t model) {
    return model == LM_COMPETENCE_COSINE || model == LM_COMPETENCE_COSINE_COVERAGE ? LM_COL_VECC : LM_COL_VEC;
}
static inline bool lm__model_is_dot(int32_t model) {
    return model == LM_COMPETENCE_REQUIREMENT || model == LM_COMPETENCE_COSINE;
}
/* COSINE_COVERAGE is the cosine times a factor in [0, 1], so the cosine
 * bounds it: the fast batch runs on the COSINE vectors and rescores the pairs
 * that pass its bound (batch.c), exactly as lm__competence() does. */
static inline bool lm__model_fast(int32_t model) {
    return lm__model_is_dot(model) || model == LM_COMPETENCE_COSINE_COVERAGE;
}
/* The one arithmetic of COSINE_COVERAGE from the cosine and the coverage. */
static inline float lm__cos_coverage(float cs, double coverage) {
    double v = cs > 0.f ? (double)cs * coverage : 0.0;
    float f = (float)v;
    return f < 0.f ? 0.f : (f > 1.f ? 1.f : f);
}
/* The competence value of a pair of rows (any model): for dot models the
 * dot product (unclamped), for the others a value in [0, 1]. Rows are given
 * by chunk and row within it (snapshot or query-index chunks alike). */
LM_HIDDEN float lm__competence(const lm_eval_ctx *E, const lm_chunk *cc, uint32_t cr, const lm_chunk *vc, uint32_t vr);
/* The coverage model on raw levels (exposed for tests of the formula):
 * lm__coverage() = lm__coverage_scaled(..., lm__coverage_scale(r, w, dim), ...),
 * the scale being the vacancy's own (the batch computes it once per vacancy). */
LM_HIDDEN double lm__coverage(const float *c, const float *r, const float *w, uint32_t dim, double overq);
LM_HIDDEN float lm__coverage_scale(const float *r, const float *w, uint32_t dim);
LM_HIDDEN double lm__coverage_scaled(const float *c, const float *r, const float *w, uint32_t dim, float scale,
                                     double overq);
/* Hard filters that do not depend on the pair (vacancy side): constraint or 0. */
LM_HIDDEN int lm__vacancy_open(const lm_eval_ctx *E, uint32_t vslot);

/* Store m into a caller's element of elem_size bytes (>= LM_MATCH_SIZE_1_0):
 * a 1.0 caller gets the 1.0 fields, a newer one zero padding past ours. */
static inline void lm__match_store(unsigned char *dst, size_t elem_size, const lm_match *m) {
    _Static_assert(offsetof(lm_match, lead_org) == LM_MATCH_SIZE_1_0, "lm_match 1.0 prefix");
    memcpy(dst, m, elem_size < sizeof *m ? elem_size : sizeof *m);
    if (elem_size > sizeof *m) memset(dst + sizeof *m, 0, elem_size - sizeof *m);
}

/* ---- results (results.c) */
typedef struct lm_hit {
    uint32_t slot;  /* row slot of the other side */
    float score;
    float dot;      /* competence dot product, so explanations repeat the score exactly */
} lm_hit;
typedef struct lm_reslist {
    uint32_t slot;   /* this side's slot */
    uint32_t len;
    size_t first;    /* index into hits */
} lm_reslist;
struct lm_results {
    lm_snapshot *snap;  /* referenced */
    lm_eval_ctx ctx;    /* for explanations at copy time */
    lm_travel *travel_ref;
    size_t nlists[2];
    lm_reslist *lists[2];
    size_t nhits[2];
    lm_hit *hits[2];
    double stat[LM_STAT_HISTORY_EXCLUDED + 1];
    lm_history *hist;   /* referenced: the engine's history at query time, or NULL */
    uint32_t *feasible; /* LM_ENGINE_COUNT_FEASIBLE: per candidate list, its feasible vacancies; else NULL */
};
LM_HIDDEN lm_snapshot *lm__snapshot_ref(const lm_snapshot *s);

/* Squared chord beyond which no mode in `modes` is within `limit` minutes by
 * the geometric estimate (with a safety margin; a pre-filter only). INFINITY
 * when one of the modes has a matrix, -1 when nothing is reachable. */
LM_HIDDEN double lm__reach2(const lm_travel *t, uint32_t modes, float limit);

/* ---- the engine's memory of proposals (memory.c): the history applied
 * under a policy. Constraints are NONE or LM_CONSTRAINT_{PLACED, IN_PROGRESS,
 * VACANCY_FULL, COOLDOWN}; h may be NULL (nothing applies). */
LM_HIDDEN int32_t lm__memory_today(const lm_policy_eval *P);
/* Slots minus the vacancy's placements and open introductions. */
LM_HIDDEN int32_t lm__memory_free_slots(const lm_history *h, int64_t vacancy_id, int32_t slots);
/* Whether the person is left out of batches (placed, or in progress with exclusive_progress). */
LM_HIDDEN bool lm__memory_person_out(const lm_history *h, const lm_policy_eval *P, int64_t candidate_id);
/* Whether the pair itself is excluded (cooled down, or its own proposal is introduced/interview). */
LM_HIDDEN bool lm__memory_pair_out(const lm_history *h, const lm_policy_eval *P, int32_t today, int64_t vacancy_id,
                                   int64_t candidate_id);
/* The history's constraint on a pair that passes every hard filter (explain order). */
LM_HIDDEN int lm__memory_check(const lm_history *h, const lm_policy_eval *P, int64_t vacancy_id, int64_t candidate_id,
                               int32_t slots);
/* Every history constraint that fails for the pair, as bits (1u << constraint), whatever the filters say. */
LM_HIDDEN uint32_t lm__memory_failed(const lm_history *h, const lm_policy_eval *P, int64_t vacancy_id,
                                     int64_t candidate_id, int32_t slots);
/* Fill m's lead_org, process_status (-1 none), process_day from the history. */
LM_HIDDEN void lm__memory_annotate(const lm_history *h, lm_match *m);
/* A batch under a history: which candidates and vacancies run, how much longer the lists must be. */
typedef struct lm_memory_batch {
    uint8_t *cand_skip;  /* per candidate slot */
    uint32_t *vrun;      /* vacancy slots that run (free slots > 0), in the caller's order */
    size_t nvrun;
    uint32_t *cnt_v, *cnt_c; /* excluded pairs per vacancy / candidate slot */
    uint32_t extra_c, extra_v; /* added to k_candidates / k_vacancies */
    int32_t today;
} lm_memory_batch;
LM_HIDDEN int lm__memory_batch_begin(lm_memory_batch *mb, const lm_history *h, const lm_eval_ctx *E,
                                     const uint32_t *vslots, size_t nv);
/* Filter the lists of a batch run with the extra length, cut to kc / kv, and
 * give the vacancies that did not run (full) an empty list in vslots' order. */
LM_HIDDEN int lm__memory_batch_end(lm_results *r, const lm_memory_batch *mb, const lm_history *h,
                                   const uint32_t *vslots, size_t nv, uint32_t kc, uint32_t kv);
LM_HIDDEN void lm__memory_batch_free(lm_memory_batch *mb);

/* ---- the fast batch (batch.c): fills both directions of r. */
LM_HIDDEN int lm__batch_run(lm_results *r, const lm_eval_ctx *E, int kernel, int quantize, int threads, const uint32_t *vslots,
                            size_t nvl, uint32_t kc, uint32_t kv, lm_progress_fn progress, void *user, lm_err *err);

/* ---- the generic exact batch (batch_generic.c) for models that are not dot
 * products: every visible pair through lm__pair_eval_x(), same results format. */
LM_HIDDEN int lm__batch_generic(lm_results *r, const lm_eval_ctx *E, int threads, const uint32_t *vslots, size_t nvl,
                                uint32_t kc, uint32_t kv, lm_progress_fn progress, void *user, lm_err *err);

/* ---- region-wide views (views.c) */
/* Count each candidate list's feasible vacancies among those of the run (r->feasible). */
LM_HIDDEN int lm__feasible_counts(lm_results *r, const lm_eval_ctx *E, const lm_history *h, int32_t region,
                                  int threads);
/* The unmatched view over the people and vacancies lm_engine_batch() would run. */
LM_HIDDEN int lm__unmatched_run(lm_unmatched **out, const lm_eval_ctx *E, const lm_history *h,
                                const lm_batch_options *o, int threads, lm_err *err);

/* ---- CPU features (kernels.c) */
LM_HIDDEN int lm__cpu_best_kernel(void);

/* The score from its components; one definition for every scoring path so
 * that results are bit-identical (the build uses -ffp-contract=off). The
 * competence term comes last: the sum of the others (lm__score_rest()) is
 * then a pair's own, and a rescored competence (COSINE_COVERAGE) needs one
 * addition, not a second pass of the exact kernel. */
static inline float lm__score_rest(const lm_policy_eval *P, float trav, float hours, float rdy, float prio) {
    return P->w_travel * trav + P->w_hours * hours + P->w_ready * rdy + P->w_prio * prio;
}
static inline float lm__score_add_comp(const lm_policy_eval *P, float rest, float comp) {
    float s = rest + P->w_comp * comp;
    return s > 1.f ? 1.f : s;
}
static inline float lm__score_combine(const lm_policy_eval *P, float comp, float trav, float hours, float rdy,
                                      float prio) {
    return lm__score_add_comp(P, lm__score_rest(P, trav, hours, rdy, prio), comp);
}

/* ---- travel fast-path access (travel.c), for a frozen model */
/* The mode's geometric parameters [speed, detour, access]. */
LM_HIDDEN const double *lm__travel_params(const lm_travel *t, int mode);
/* Geometric minutes = access + km * this (the one product every path uses). */
LM_HIDDEN double lm__travel_min_per_km(const lm_travel *t, int mode);
/* Index of zone in the mode's matrix, or -1 (no matrix, zone 0 or absent). */
LM_HIDDEN int32_t lm__travel_zone_index(const lm_travel *t, int mode, int32_t zone);
/* Minutes at matrix cell (i, j) of the mode, 255 = unreachable. */
LM_HIDDEN uint8_t lm__travel_cell(const lm_travel *t, int mode, int32_t i, int32_t j);
#endif
