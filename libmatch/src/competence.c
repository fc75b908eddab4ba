/* Competence models (docs/scoring.md). The dot models (REQUIREMENT, COSINE)
 * are dot products of unit vectors stored at write time, which every kernel
 * reads; the others are computed here per pair from the raw columns, by this
 * one function for every path (explain, single queries, the generic batch),
 * so that their results agree bit for bit. */
#include "internal.h"

double lm__coverage(const float *c, const float *r, const float *w, uint32_t dim, double overq) {
    double shortfall = 0, over = 0, scale = 0;
    for (uint32_t j = 0; j < dim; j++) {
        double wj = w ? (double)w[j] : 1.0, d = (double)r[j] - (double)c[j];
        shortfall += wj * (d > 0 ? d : 0.0); /* branch-free: the sign is a coin flip */
        over += wj * (d < 0 ? -d : 0.0);
        scale += wj * fabs((double)r[j]);
    }
    if (!(scale > 0)) return 0.0;
    double v = 1.0 - (shortfall + overq * over) / scale;
    return v < 0 ? 0.0 : (v > 1 ? 1.0 : v);
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
