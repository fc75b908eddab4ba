/* Kernel dispatch table (kernels.c). */
#ifndef LM_KERNELS_H
#define LM_KERNELS_H
#include "internal.h"

#define LM_PANEL_MR 6   /* vacancy rows per panel */
#define LM_BLOCK_C 256  /* candidates per block (transposed storage) */
#define LM_BOUND_EPS 1e-5f
#define LM_Q8_SCALE 127.f /* int8 quantisation of unit vectors */
#define LM_Q8_INV2 (1.f / (127.f * 127.f)) /* slack of the score bound against rounding */

/* The score bound of one vacancy row against a candidate block:
 *   ub = w_comp * clamp(d + dslack) + w_travel * trav_ub + sc + LM_BOUND_EPS
 * where trav_ub = 1 - best_lb / limit from a lower bound of the travel time:
 * the arc is at least R * chord, less a margin for float positions; a pair
 * whose bound says "out of reach" gets no bit. Without positions (cx NULL)
 * trav_ub = 1. */
typedef struct lm_bound_args {
    const float *d, *sc, *cthr;
    /* candidate filter columns (block-relative) and the vacancy's values: a
     * pair failing a hard filter gets no bit */
    const uint32_t *groups, *flo, *fhi; /* flags split in 32-bit halves */
    const int32_t *ready, *avail;
    const float *lw, *hmin, *hmax;
    uint32_t acc, req_lo, req_hi;
    int32_t maxr, open;
    float minlw, vmin, vmax;
    const float *cx, *cy, *cz, *inv_limit; /* block-relative; cx NULL: no travel bound */
    float vthr, w_comp, w_travel;
    float dslack; /* added to d before the clamp: the int8 error bound, 0 for float */
    float vx, vy, vz;
    int nmodes;
    float tacc[LM_MODE_COUNT], mpk[LM_MODE_COUNT]; /* the block's modes: minutes = tacc + km * mpk */
    uint32_t n;
} lm_bound_args;

/* A single query against one chunk of the other side (its column arrays as
 * stored). A row is seen when it is live and, for candidate rows, visible to
 * the viewer; for vacancy rows, open (slots > 0, not closed before
 * as_of_day). Bit r of the mask is set when row r is seen and passes groups,
 * readiness, loonwaarde, flags, hours and date against the query row: a
 * superset (NaN fields keep their bit); the exact per-pair code decides. */
typedef struct lm_qfilter_args {
    const uint32_t *groups;
    const uint8_t *ready, *live, *scope;
    const float *lw, *hmin, *hmax;
    const uint64_t *flags;
    const int32_t *day;
    const int64_t *org;          /* candidate rows: visibility */
    const int32_t *muni, *region;
    const int32_t *slots;        /* vacancy rows: openness */
    uint32_t n;          /* rows (at most LM_CHUNK_ROWS) */
    bool rows_vacancies; /* false: the rows are candidates (a vacancy query) */
    /* the query row's values */
    uint32_t groups_q;
    int32_t ready_q, day_q;
    float lw_q, hmin_q, hmax_q;
    uint64_t flags_q;
    int64_t v_org; /* the viewer */
    int32_t v_muni, v_region, as_of_day;
} lm_qfilter_args;

/* The exact score of the pairs that pass the bound, for kernels that
 * vectorise it (geometric travel only): the operations of lm__pair_eval()
 * in the same order and precision, so the scores are bit-identical. */
typedef struct lm_exact_args {
    const double *xyz, *reach2; /* block-relative; xyz as triples */
    const uint8_t *modes;
    const float *limit, *rdy, *prio;
    double vx, vy, vz;
    double access[LM_MODE_COUNT], mpk[LM_MODE_COUNT];
    float w_hours, w_ready, w_prio, min_score;
    float *score; /* out: LM_BLOCK_C entries, written where the mask is set */
    float *rest;  /* out if not NULL: the score's terms but the competence (lm__score_rest()), same entries */
} lm_exact_args;

typedef struct lm_kernels {
    int kind; /* lm_kernel actually used */
    /* D[r * LM_BLOCK_C + c] = V[r] . C[c] for r < LM_PANEL_MR, c < LM_BLOCK_C */
    /* the panel's dots bound pairs only (FMA, kernel order): a pair's score
     * takes its competence from lm__dot(), the same bits in every kernel */
    void (*panel)(const float *V, size_t vstride, const float *Ct, uint32_t dim, float *D);
    /* int8 panel: V8 rows are q + 128 (u8), dim4 groups of 4; Ct8 is
     * [dim4][LM_BLOCK_C][4] s8; D = (sum - 128 * csum[c]) * LM_Q8_INV2 */
    void (*panel8)(const uint8_t *V8, size_t vstride, const int8_t *Ct8, const int32_t *csum, uint32_t dim4, float *D);
    int vnni; /* panel8 uses AVX512-VNNI */
    /* bit c of mask set when the pair's score bound reaches min(vthr, cthr[c]) */
    void (*bound)(const struct lm_bound_args *a, uint64_t mask[LM_BLOCK_C / 64]);
    /* after bound (a->cx set): bit c stays set only if the pair is feasible,
     * with its exact score in x->score[c] (AVX-512 vectorises it; the others
     * run the scalar code, bit-identical) */
    void (*exact)(const struct lm_bound_args *a, const lm_exact_args *x, uint64_t mask[LM_BLOCK_C / 64]);
    /* the k-th largest of n distinct keys (1 <= k <= n), reordering a;
     * tmp: 4n keys of scratch */
    uint64_t (*kth)(uint64_t *a, uint64_t *tmp, uint32_t n, uint32_t k);
    /* returns the number of rows seen */
    uint32_t (*qfilter)(const lm_qfilter_args *a, uint64_t mask[LM_CHUNK_ROWS / 64]);
} lm_kernels;

/* Fill the table for `kernel` (LM_KERNEL_AUTO = best available);
 * LM_ERR_UNSUPPORTED if the CPU lacks it. */
LM_HIDDEN int lm__kernels_get(lm_kernels *out, int kernel);
#endif
