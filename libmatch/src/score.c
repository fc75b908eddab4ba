/* Hard filters and the score of one pair (docs/scoring.md). Every path that
 * scores pairs (queries, batch, explanations) ends here or in the copies of
 * these rules in engine.c (fast_pair) and batch.c (process_row and the
 * kernels' mask), which the property tests hold equal. */
#include "internal.h"

#include <string.h>

bool lm__visible(const lm_viewer *v, int64_t owner, int32_t muni, int32_t region, uint8_t scope) {
    if (v->org == owner) return true;
    switch (scope) {
    case LM_SCOPE_NATIONAL: return true;
    case LM_SCOPE_REGION: return region != 0 && v->region == region;
    case LM_SCOPE_MUNICIPALITY: return muni != 0 && v->municipality == muni;
    default: return false;
    }
}

int lm__vacancy_open(const lm_eval_ctx *E, uint32_t vslot) {
    const lm_tbl *vs = E->snap->side[LM_SIDE_VACANCY];
    const lm_layout *L = E->LV;
    lm_chunk *ch = lm__chunk_of(vs, vslot);
    uint32_t r = vslot & (LM_CHUNK_ROWS - 1);
    if (E->pol.as_of_day > 0 && LM_COLP(ch, L, LM_COL_DAY, int32_t)[r] < E->pol.as_of_day) return LM_CONSTRAINT_DATES;
    if (LM_COLP(ch, L, LM_COL_SLOTS, int32_t)[r] <= 0) return LM_CONSTRAINT_SLOTS;
    return LM_CONSTRAINT_NONE;
}

float lm__dot(const float *a, const float *b, uint32_t n) {
    float s = 0.f;
    for (uint32_t j = 0; j < n; j++) s += a[j] * b[j];
    return s;
}

int lm__pair_eval(const lm_eval_ctx *E, uint32_t cslot, uint32_t vslot, float dot, float *out_score, lm_match *m) {
    return lm__pair_eval_x(E, cslot, vslot, dot, out_score, NULL, m);
}

int lm__pair_eval_x(const lm_eval_ctx *E, uint32_t cslot, uint32_t vslot, float dot, float *out_score, float *out_dot,
                    lm_match *m) {
    const lm_tbl *cs = E->snap->side[LM_SIDE_CANDIDATE], *vs = E->snap->side[LM_SIDE_VACANCY];
    const lm_layout *LC = E->LC, *LV = E->LV;
    lm_chunk *cc = lm__chunk_of(cs, cslot), *vc = lm__chunk_of(vs, vslot);
    uint32_t cr = cslot & (LM_CHUNK_ROWS - 1), vr = vslot & (LM_CHUNK_ROWS - 1);
    int con = LM_CONSTRAINT_NONE;
    uint32_t failed = 0; /* with m: every failing constraint, for explanations */
    if (m) memset(m, 0, sizeof *m); /* padding too: rows are copied out to callers */
#define SET(c)                                                                     \
    do {                                                                           \
        if (!con) con = (c);                                                       \
        if (!m) return con;                                                        \
        failed |= 1u << (c);                                                       \
    } while (0)

    if (!lm__visible(&E->viewer, LM_COLP(cc, LC, LM_COL_ORG, int64_t)[cr], LM_COLP(cc, LC, LM_COL_MUNI, int32_t)[cr],
                     LM_COLP(cc, LC, LM_COL_REGION, int32_t)[cr], LM_COLP(cc, LC, LM_COL_SCOPE, uint8_t)[cr]))
        SET(LM_CONSTRAINT_VISIBILITY);
    if (!(LM_COLP(cc, LC, LM_COL_GROUPS, uint32_t)[cr] & LM_COLP(vc, LV, LM_COL_GROUPS, uint32_t)[vr]))
        SET(LM_CONSTRAINT_TARGET_GROUP);
    uint8_t ready = LM_COLP(cc, LC, LM_COL_READY, uint8_t)[cr];
    if (ready > LM_COLP(vc, LV, LM_COL_READY, uint8_t)[vr]) SET(LM_CONSTRAINT_READINESS);
    if (LM_COLP(cc, LC, LM_COL_LW, float)[cr] < LM_COLP(vc, LV, LM_COL_LW, float)[vr]) SET(LM_CONSTRAINT_LOONWAARDE);
    uint64_t need = LM_COLP(vc, LV, LM_COL_FLAGS, uint64_t)[vr];
    if ((LM_COLP(cc, LC, LM_COL_FLAGS, uint64_t)[cr] & need) != need) SET(LM_CONSTRAINT_FLAGS);
    if (!lm__needs_met(LM_COLP(cc, LC, LM_COL_NEEDS, uint64_t)[cr], LM_COLP(vc, LV, LM_COL_NEEDS, uint64_t)[vr]))
        SET(LM_CONSTRAINT_NEEDS);
    float cmin = LM_COLP(cc, LC, LM_COL_HMIN, float)[cr], cmax = LM_COLP(cc, LC, LM_COL_HMAX, float)[cr];
    float vmin = LM_COLP(vc, LV, LM_COL_HMIN, float)[vr], vmax = LM_COLP(vc, LV, LM_COL_HMAX, float)[vr];
    float lo = cmin > vmin ? cmin : vmin, hi = cmax < vmax ? cmax : vmax;
    if (lo > hi) SET(LM_CONSTRAINT_HOURS);
    int32_t open_until = LM_COLP(vc, LV, LM_COL_DAY, int32_t)[vr];
    if (LM_COLP(cc, LC, LM_COL_DAY, int32_t)[cr] > open_until || (E->pol.as_of_day > 0 && open_until < E->pol.as_of_day))
        SET(LM_CONSTRAINT_DATES);
    if (LM_COLP(vc, LV, LM_COL_SLOTS, int32_t)[vr] <= 0) SET(LM_CONSTRAINT_SLOTS);
    if (!lm__local_ok(&E->pol, LM_COLP(cc, LC, LM_COL_MUNI, int32_t)[cr], LM_COLP(vc, LV, LM_COL_MUNI, int32_t)[vr]))
        SET(LM_CONSTRAINT_LOCAL_ONLY);

    /* Travel: the best allowed mode against the tighter of the two limits. */
    float limit = E->pol.max_travel_min, own = LM_COLP(cc, LC, LM_COL_MAXMIN, float)[cr];
    if (own > 0 && own < limit) limit = own;
    uint32_t modes = LM_COLP(cc, LC, LM_COL_MODES, uint8_t)[cr] & E->pol.allowed_modes;
    const double *cx = LM_COLP(cc, LC, LM_COL_XYZ, double) + 3 * cr, *vx = LM_COLP(vc, LV, LM_COL_XYZ, double) + 3 * vr;
    int32_t cz = LM_COLP(cc, LC, LM_COL_ZONE, int32_t)[cr], vz = LM_COLP(vc, LV, LM_COL_ZONE, int32_t)[vr];
    double best = INFINITY;
    int best_mode = -1;
    for (int md = 0; md < LM_MODE_COUNT; md++) {
        if (!(modes & (1u << md))) continue;
        double t = lm__travel_pair(E->travel, md, cz, cx, vz, vx);
        if (t < best) {
            best = t;
            best_mode = md;
        }
    }
    if (!(best <= limit)) SET(LM_CONSTRAINT_TRAVEL);

    /* Components, each in [0, 1]. The competence value is the model's (a dot
     * product for dot models); a given one is reused, so scores repeat. */
    if (isnan(dot)) dot = lm__competence(E, cc, cr, vc, vr);
    if (out_dot) *out_dot = dot;
    float comp = dot < 0.f ? 0.f : (dot > 1.f ? 1.f : dot);
    if (comp < E->pol.min_competence) SET(LM_CONSTRAINT_MIN_COMPETENCE);
    float trav = best <= limit ? 1.f - (float)best / limit : 0.f;
    float clen = cmax - cmin, vlen = vmax - vmin, len = clen < vlen ? clen : vlen;
    float hours = lo > hi ? 0.f : (len > 0.f ? (hi - lo) / len : 1.f);
    float rdy = lm__readiness_term(&E->pol, ready);
    float prio = LM_COLP(cc, LC, LM_COL_PRIO, float)[cr];
    const lm_policy_eval *P = &E->pol;
    float score = lm__score_combine(P, comp, trav, hours, rdy, prio);
    /* judged on the components as they stand (a failing travel or hours
     * filter gives 0), so explanations list it next to the others */
    if (score < P->min_score) SET(LM_CONSTRAINT_MIN_SCORE);
#undef SET
    if (out_score) *out_score = con ? 0.f : score;
    if (m) {
        m->vacancy_id = LM_COLP(vc, LV, LM_COL_ID, int64_t)[vr];
        m->candidate_id = LM_COLP(cc, LC, LM_COL_ID, int64_t)[cr];
        m->rank = 0;
        m->constraint = con;
        m->score = con ? 0.f : score;
        m->competence = comp;
        m->travel = trav;
        m->hours = hours;
        m->readiness = rdy;
        m->priority = prio;
        m->travel_minutes = (float)best;
        m->travel_mode = best_mode;
        m->candidate_municipality = LM_COLP(cc, LC, LM_COL_MUNI, int32_t)[cr];
        m->vacancy_municipality = LM_COLP(vc, LV, LM_COL_MUNI, int32_t)[vr];
        m->reserved = 0;
        m->process_status = -1;
        m->vacancy_kind = LM_COLP(vc, LV, LM_COL_KIND, uint8_t)[vr];
        m->failed = failed;
        m->travel_limit = limit;
        m->travel_limit_own = own > 0 && own < E->pol.max_travel_min;
        m->hours_gap = lo > hi ? lo - hi : 0.f;
        float lw = LM_COLP(cc, LC, LM_COL_LW, float)[cr], lwmin = LM_COLP(vc, LV, LM_COL_LW, float)[vr];
        m->loonwaarde_gap = lw < lwmin ? lwmin - lw : 0.f;
    }
    return con;
}
