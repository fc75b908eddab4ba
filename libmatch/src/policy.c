/* Policy: scoring weights and limits with a caller-set version number. */
#include "internal.h"

/* Defaults chosen from the demo and eval data (docs/scoring.md, "Reliable
 * proposals"); -D overrides exist for measuring other values only. */
#ifndef LM__DEFAULT_MIN_COMPETENCE
#define LM__DEFAULT_MIN_COMPETENCE 0.2
#endif
#ifndef LM__DEFAULT_MIN_SCORE
#define LM__DEFAULT_MIN_SCORE 0.25
#endif

static const struct {
    const char *name;
    double def, lo, hi;
    bool integer;
} keys[LM__POLICY_NKEYS] = {
    [LM_POLICY_VERSION] = {"version", 1, 0, 4294967295.0, true},
    [LM_POLICY_W_COMPETENCE] = {"w_competence", 0.6, 0, 1000, false},
    [LM_POLICY_W_TRAVEL] = {"w_travel", 0.1, 0, 1000, false},
    [LM_POLICY_W_HOURS] = {"w_hours", 0.025, 0, 1000, false},
    [LM_POLICY_W_READINESS] = {"w_readiness", 0.05, 0, 1000, false},
    [LM_POLICY_W_PRIORITY] = {"w_priority", 0.0, 0, 1000, false},
    [LM_POLICY_MAX_TRAVEL_MIN] = {"max_travel_min", 90, 1e-3, 1440, false},
    [LM_POLICY_MIN_SCORE] = {"min_score", LM__DEFAULT_MIN_SCORE, 0, 1, false},
    [LM_POLICY_AS_OF_DAY] = {"as_of_day", 0, 0, 2147483647.0, true},
    [LM_POLICY_ALLOWED_MODES] = {"allowed_modes", LM_MODES_ALL, 1, LM_MODES_ALL, true},
    [LM_POLICY_COMPETENCE_MODEL] = {"competence_model", LM_COMPETENCE_COSINE_COVERAGE, 0, LM_COMPETENCE_COSINE_COVERAGE, true},
    [LM_POLICY_COOLDOWN_DAYS] = {"cooldown_days", 90, 0, 3650, true},
    [LM_POLICY_EXCLUSIVE_PROGRESS] = {"exclusive_progress", 1, 0, 1, true},
    [LM_POLICY_STABILITY_MARGIN] = {"stability_margin", 0.05, 0, 1, false},
    [LM_POLICY_OVERQUALIFICATION] = {"overqualification", 0.25, 0, 1, false},
    /* since 1.2; the defaults of min_score and min_competence are measured on the demo (docs/scoring.md) */
    [LM_POLICY_MIN_COMPETENCE] = {"min_competence", LM__DEFAULT_MIN_COMPETENCE, 0, 1, false},
    [LM_POLICY_LOCAL_ONLY] = {"local_only", 0, 0, 1, true},
    [LM_POLICY_FAVOUR_FURTHEST] = {"favour_furthest", 0, 0, 1, true},
};

void lm__policy_defaults(double v[LM__POLICY_NKEYS]) {
    for (int i = 0; i < LM__POLICY_NKEYS; i++) v[i] = keys[i].def;
}

void lm__policy_eval(lm_policy_eval *o, const double v[LM__POLICY_NKEYS]) {
    double sum = v[LM_POLICY_W_COMPETENCE] + v[LM_POLICY_W_TRAVEL] + v[LM_POLICY_W_HOURS] +
                 v[LM_POLICY_W_READINESS] + v[LM_POLICY_W_PRIORITY];
    o->version = v[LM_POLICY_VERSION];
    o->w_comp = (float)(v[LM_POLICY_W_COMPETENCE] / sum);
    o->w_travel = (float)(v[LM_POLICY_W_TRAVEL] / sum);
    o->w_hours = (float)(v[LM_POLICY_W_HOURS] / sum);
    o->w_ready = (float)(v[LM_POLICY_W_READINESS] / sum);
    o->w_prio = (float)(v[LM_POLICY_W_PRIORITY] / sum);
    o->max_travel_min = (float)v[LM_POLICY_MAX_TRAVEL_MIN];
    o->min_score = (float)v[LM_POLICY_MIN_SCORE];
    o->as_of_day = (int32_t)v[LM_POLICY_AS_OF_DAY];
    o->allowed_modes = (uint32_t)v[LM_POLICY_ALLOWED_MODES];
    o->competence_model = (int32_t)v[LM_POLICY_COMPETENCE_MODEL];
    o->cooldown_days = (int32_t)v[LM_POLICY_COOLDOWN_DAYS];
    o->exclusive_progress = (int32_t)v[LM_POLICY_EXCLUSIVE_PROGRESS];
    o->stability_margin = (float)v[LM_POLICY_STABILITY_MARGIN];
    o->overqualification = (float)v[LM_POLICY_OVERQUALIFICATION];
    o->min_competence = (float)v[LM_POLICY_MIN_COMPETENCE];
    o->local_only = (int32_t)v[LM_POLICY_LOCAL_ONLY];
    o->favour_furthest = (int32_t)v[LM_POLICY_FAVOUR_FURTHEST];
}

int lm_policy_create(lm_policy **out) {
    if (!out) return LM_ERR_NULL;
    *out = NULL;
    lm_policy *p = lm__calloc(1, sizeof *p);
    if (!p) return LM_ERR_NOMEM;
    lm__policy_defaults(p->v);
    *out = p;
    return LM_OK;
}

void lm_policy_free(lm_policy *p) { lm__free(p); }

const char *lm_policy_errmsg(const lm_policy *p) { return p ? p->err.msg : "policy is NULL"; }

int lm_policy_set_f64(lm_policy *p, int32_t key, double value) {
    if (!p) return LM_ERR_NULL;
    if (key < 0 || key >= LM__POLICY_NKEYS)
        return lm__fail(&p->err, LM_ERR_RANGE, "unknown policy key %d", (int)key);
    if (!isfinite(value))
        return lm__fail(&p->err, LM_ERR_NONFINITE, "policy %s: value is not finite", keys[key].name);
    if (value < keys[key].lo || value > keys[key].hi)
        return lm__fail(&p->err, LM_ERR_RANGE, "policy %s: %g outside [%g, %g]", keys[key].name, value,
                        keys[key].lo, keys[key].hi);
    if (keys[key].integer && value != floor(value))
        return lm__fail(&p->err, LM_ERR_RANGE, "policy %s: %g is not an integer", keys[key].name, value);
    if (key >= LM_POLICY_W_COMPETENCE && key <= LM_POLICY_W_PRIORITY) {
        double sum = value;
        for (int k = LM_POLICY_W_COMPETENCE; k <= LM_POLICY_W_PRIORITY; k++)
            if (k != key) sum += p->v[k];
        if (!(sum > 0))
            return lm__fail(&p->err, LM_ERR_RANGE, "policy %s: all weights would be 0", keys[key].name);
    }
    p->v[key] = value;
    lm__clear(&p->err);
    return LM_OK;
}

int lm_policy_preset(lm_policy *p, int32_t preset) {
    /* w_competence, w_travel, w_hours, w_readiness, w_priority, favour_furthest */
    static const double tab[LM_PRESET_COUNT][6] = {
        [LM_PRESET_DEFAULT] = {0.6, 0.1, 0.025, 0.05, 0, 0},
        [LM_PRESET_CLOSEST_FIRST] = {0.6, 0.1, 0.025, 0.2, 0, 0},
        [LM_PRESET_FURTHEST_FIRST] = {0.6, 0.1, 0.025, 0.2, 0, 1},
    };
    if (!p) return LM_ERR_NULL;
    if (preset < 0 || preset >= LM_PRESET_COUNT)
        return lm__fail(&p->err, LM_ERR_RANGE, "policy preset %d unknown (0..%d)", (int)preset, LM_PRESET_COUNT - 1);
    for (int k = LM_POLICY_W_COMPETENCE; k <= LM_POLICY_W_PRIORITY; k++) p->v[k] = tab[preset][k - LM_POLICY_W_COMPETENCE];
    p->v[LM_POLICY_FAVOUR_FURTHEST] = tab[preset][5];
    lm__clear(&p->err);
    return LM_OK;
}

int lm_policy_get_f64(double *out, const lm_policy *p, int32_t key) {
    if (!out || !p) return LM_ERR_NULL;
    if (key < 0 || key >= LM__POLICY_NKEYS) return LM_ERR_RANGE;
    *out = p->v[key];
    return LM_OK;
}
