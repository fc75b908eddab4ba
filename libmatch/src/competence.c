/* Competence models (docs/scoring.md). The dot models (REQUIREMENT, COSINE)
 * are dot products of unit vectors stored at write time, which every kernel
 * reads (to bound pairs; the score's dot is lm__dot, here); the others are computed here per pair from the raw columns, by this
 * one function for every path (explain, single queries, the generic batch),
 * so that their results agree bit for bit. */
#include "internal.h"

#include <string.h>

/* Coverage sums in 16 float lanes (dimension j goes to lane j % 16), the
 * lanes then added in a fixed tree: the same arithmetic on every CPU and
 * path, and with GCC's vector extensions one vector operation per 16
 * dimensions (the batch calls this for every feasible pair that passes its
 * cosine bound). The scale (sum of w |r|) is the vacancy's alone: the batch
 * computes it once per vacancy. */
#define LANES 16
#if defined(__GNUC__)
typedef float lm_v16 __attribute__((vector_size(LANES * sizeof(float))));
typedef int32_t lm_i16 __attribute__((vector_size(LANES * sizeof(float))));
#endif

/* Add the 16 lanes in a fixed tree, in float: the same sum on every path. */
static inline float lanes_sum(float t[LANES]) {
    for (int l = 0; l < 8; l++) t[l] += t[l + 8];
    for (int l = 0; l < 4; l++) t[l] += t[l + 4];
    return (t[0] + t[2]) + (t[1] + t[3]);
}

static inline __attribute__((always_inline)) float scale_body(const float *r, const float *w, uint32_t dim) {
    float sc[LANES] = {0};
    uint32_t j = 0;
#if defined(__GNUC__)
    lm_v16 va = {0};
    for (; j + LANES <= dim; j += LANES) {
        lm_v16 rr, ww;
        memcpy(&rr, r + j, sizeof rr);
        memcpy(&ww, w + j, sizeof ww);
        va += ww * (lm_v16)((lm_i16)rr & 0x7fffffff); /* |r| */
    }
    memcpy(sc, &va, sizeof sc);
#endif
    for (; j < dim; j++) sc[j % LANES] += w[j] * fabsf(r[j]); /* the rest, lane by lane */
    return lanes_sum(sc);
}


/* The one dot product of every score (lm__dot): products in 16 float lanes
 * (dimension j to lane j % 16, mul and add apart), the lanes added in the
 * fixed tree. Kernels may compute dots any way to bound pairs; a pair's
 * final score always takes its competence from here. */
static inline __attribute__((always_inline)) float dot_body(const float *a, const float *b, uint32_t dim) {
    float t[LANES] = {0};
    uint32_t j = 0;
#if defined(__GNUC__)
    lm_v16 va = {0};
    for (; j + LANES <= dim; j += LANES) {
        lm_v16 x, y;
        memcpy(&x, a + j, sizeof x);
        memcpy(&y, b + j, sizeof y);
        va += x * y;
    }
    memcpy(t, &va, sizeof t);
#endif
    for (; j < dim; j++) t[j % LANES] += a[j] * b[j]; /* the rest, lane by lane */
    return lanes_sum(t);
}


static inline __attribute__((always_inline)) double scaled_body(const float *c, const float *r, const float *w,
                                                               uint32_t dim, float scale, double overq) {
    float sh[LANES] = {0}, ov[LANES] = {0};
    uint32_t j = 0;
#if defined(__GNUC__)
    lm_v16 vs = {0}, vo = {0};
    for (; j + LANES <= dim; j += LANES) {
        lm_v16 rr, ww, cc;
        memcpy(&rr, r + j, sizeof rr);
        memcpy(&ww, w + j, sizeof ww);
        memcpy(&cc, c + j, sizeof cc);
        lm_v16 d = rr - cc, nd = -d;
        /* max(x, 0) by a mask: exactly the scalar value (+0 for x <= 0) */
        vs += ww * (lm_v16)((lm_i16)d & (d > 0.f));
        vo += ww * (lm_v16)((lm_i16)nd & (nd > 0.f));
    }
    memcpy(sh, &vs, sizeof sh);
    memcpy(ov, &vo, sizeof ov);
#endif
    for (; j < dim; j++) { /* the rest (all of it without vector extensions), lane by lane */
        float d = r[j] - c[j], wj = w[j];
        sh[j % LANES] += wj * (d > 0.f ? d : 0.f);
        ov[j % LANES] += wj * (-d > 0.f ? -d : 0.f);
    }
    if (!(scale > 0.f)) return 0.0;
    double v = 1.0 - ((double)lanes_sum(sh) + overq * (double)lanes_sum(ov)) / (double)scale;
    return v < 0 ? 0.0 : (v > 1 ? 1.0 : v);
}


/* One copy of each body per instruction set, compiled with that set and
 * chosen per call: every copy does the same per-lane float operations (no
 * FMA: -ffp-contract=off), so the results are the same on every CPU. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(LM_NO_ISA_COPIES)
#define LM_ISA_COPIES 1
__attribute__((target("avx512f"))) static float scale_avx512(const float *r, const float *w, uint32_t dim) {
    return scale_body(r, w, dim);
}
__attribute__((target("avx2"))) static float scale_avx2(const float *r, const float *w, uint32_t dim) {
    return scale_body(r, w, dim);
}
__attribute__((target("avx512f"))) static float dot_avx512(const float *a, const float *b, uint32_t dim) {
    return dot_body(a, b, dim);
}
__attribute__((target("avx2"))) static float dot_avx2(const float *a, const float *b, uint32_t dim) {
    return dot_body(a, b, dim);
}
__attribute__((target("avx512f"))) static double scaled_avx512(const float *c, const float *r, const float *w,
                                                               uint32_t dim, float scale, double overq) {
    return scaled_body(c, r, w, dim, scale, overq);
}
__attribute__((target("avx2"))) static double scaled_avx2(const float *c, const float *r, const float *w, uint32_t dim,
                                                          float scale, double overq) {
    return scaled_body(c, r, w, dim, scale, overq);
}
#endif

float lm__dot(const float *a, const float *b, uint32_t dim) {
#ifdef LM_ISA_COPIES
    if (__builtin_cpu_supports("avx512f")) return dot_avx512(a, b, dim);
    if (__builtin_cpu_supports("avx2")) return dot_avx2(a, b, dim);
#endif
    return dot_body(a, b, dim);
}

float lm__coverage_scale(const float *r, const float *w, uint32_t dim) {
#ifdef LM_ISA_COPIES
    if (__builtin_cpu_supports("avx512f")) return scale_avx512(r, w, dim);
    if (__builtin_cpu_supports("avx2")) return scale_avx2(r, w, dim);
#endif
    return scale_body(r, w, dim);
}

double lm__coverage_scaled(const float *c, const float *r, const float *w, uint32_t dim, float scale, double overq) {
#ifdef LM_ISA_COPIES
    if (__builtin_cpu_supports("avx512f")) return scaled_avx512(c, r, w, dim, scale, overq);
    if (__builtin_cpu_supports("avx2")) return scaled_avx2(c, r, w, dim, scale, overq);
#endif
    return scaled_body(c, r, w, dim, scale, overq);
}

double lm__coverage(const float *c, const float *r, const float *w, uint32_t dim, double overq) {
    return lm__coverage_scaled(c, r, w, dim, lm__coverage_scale(r, w, dim), overq);
}

/* cos(sqrt(w) c~, sqrt(w) r~) = sum w c~ r~ / sqrt(sum w c~^2 * sum w r~^2); 0 for a zero vector. */
static double symmetric(const float *c, const float *r, const float *w, const float *m, uint32_t dim) {
    double cr = 0, cc = 0, rr = 0;
    for (uint32_t j = 0; j < dim; j++) {
        double mj = m ? (double)m[j] : 0.0, x = (double)c[j] - mj, y = (double)r[j] - mj, wj = (double)w[j];
        cr += wj * x * y;
        cc += wj * x * x;
        rr += wj * y * y;
    }
    double d = sqrt(cc * rr);
    return d > 0 ? cr / d : 0.0;
}

float lm__competence(const lm_eval_ctx *E, const lm_chunk *cc, uint32_t cr, const lm_chunk *vc, uint32_t vr) {
    const lm_layout *LC = E->LC, *LV = E->LV;
    int32_t model = E->pol.competence_model;
    const float *cvec = LM_COLP(cc, LC, LM_COL_VEC, float) + (size_t)cr * LC->vec_stride;
    if (lm__model_is_dot(model))
        return lm__dot(cvec, LM_COLP(vc, LV, lm__vac_vec_col(model), float) + (size_t)vr * LV->vec_stride, LC->dim);
    const float *c = LM_COLP(cc, LC, LM_COL_RAW, float) + (size_t)cr * LC->vec_stride;
    const float *r = LM_COLP(vc, LV, LM_COL_RAW, float) + (size_t)vr * LV->vec_stride;
    const float *w = LM_COLP(vc, LV, LM_COL_W, float) + (size_t)vr * LV->vec_stride;
    const lm_centre *ct = E->snap->centre;
    const float *m = ct && ct->centred ? ct->v : NULL;
    double v;
    switch (model) {
    case LM_COMPETENCE_SYMMETRIC: v = symmetric(c, r, w, m, LC->dim); break;
    case LM_COMPETENCE_COVERAGE: v = lm__coverage(c, r, w, LC->dim, E->pol.overqualification); break;
    default: { /* COSINE_COVERAGE: the COSINE model's dot, so both agree */
        float cs = lm__dot(cvec, LM_COLP(vc, LV, LM_COL_VECC, float) + (size_t)vr * LV->vec_stride, LC->dim);
        return lm__cos_coverage(cs, lm__coverage(c, r, w, LC->dim, E->pol.overqualification));
    }
    }
    float f = (float)v;
    return f < 0.f ? 0.f : (f > 1.f ? 1.f : f); /* a stored value passed back is kept as is */
}
