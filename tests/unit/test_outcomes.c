/* Effect figures (outcomes.h, docs/outcomes.md): a hand-built history whose
 * every figure is derived by hand below, the small-numbers rule, the period
 * boundaries, every input check, and random histories against a brute-force
 * recount written here from the docs (not from outcomes.c). */
#include "testutil.h"

#define N NAN
enum { A = 361, B = 405, C = 400 }; /* Alkmaar, Hoorn, Den Helder */
enum { G1 = 1, G32 = 32 };          /* bijstand, statushouder */

/* ---- the hand-built history ---------------------------------------------- */
/* Period 100..199, figures taken on day 600. 6 months: placed + 182 <= 600,
 * i.e. placed <= 418; 12 months: placed + 365 <= 600, i.e. placed <= 235.
 *
 * persons (id, org, groups, readiness, home):
 *   P1 org10 G1     r1 A      P5 org20 G32 r1 C
 *   P2 org10 G1     r2 A      P6 org20 G1  r5 C   (no proposal)
 *   P3 org10 G1+G32 r2 B      P7 org10 -   r3 A   (only a proposal before the period)
 *   P4 org20 G32    r3 B      P8 org20 G1  r4 A
 *
 * records (pid, person, work, kind, proposed, introduced, placed, end, lks):
 *   101 P1 A k0 100 105 120  -1  1   from-boundary; lasts: retained 6m and 12m
 *   102 P1 B k1 110  -1  -1  -1  0
 *   103 P2 B k0 150 160 200 300  0   ended before 182 days (382)
 *   113 P2 A k0 170 650  -1  -1  0   introduced after as_of: not introduced
 *   104 P3 B k1 199 210 240 500  1   to-boundary; 6m at 422 (500 > 422: retained), 12m at 605 > 600: not observable
 *   105 P3 A k0 120 125  -1  -1  0
 *   114 P3 C k0 160 170 700  -1  1   placed after as_of: not placed, its lks not counted
 *   106 P4 C k2 130 140 450  -1  0   placed too recently for 6m (632 > 600)
 *   112 P4 B k0 190 195 198 250  1   P4's first placement (198 < 450)
 *   107 P5 C k0  99 100 101  -1  0   before the period: ignored
 *   108 P5 A k0 200  -1  -1  -1  0   after the period: ignored
 *   109 P5 C k3 180 181 190 372  0   ends exactly at 190 + 182 = 372: not retained
 *   110 P7 A k0  50  -1  -1  -1  0   before the period
 *   115 P8 A k0 190  -1  -1  -1  0
 *
 * Per person over the period (first proposal, introduced, first placement, days = placed - first proposal):
 *   P1 100 yes 120 days 20  6m obs retained   12m obs retained   lks
 *   P2 150 yes 200 days 50  6m obs not        12m obs (565) not
 *   P3 120 yes 240 days 120 6m obs retained   12m not observable  lks
 *   P4 130 yes 198 days 68  6m obs not (250)  12m obs (563) not  lks
 *   P5 180 yes 190 days 10  6m obs not (372)  12m obs (555) not
 *   P8 190 no  -
 * Person-side cells add these up over their members; the median of days is the
 * middle value (mean of the two middle ones for an even count). */
typedef struct exp_row {
    int32_t dim;
    int64_t key;
    double v[LM_FIG_COUNT]; /* people proposed introduced placed rate median obs6 ret6 obs12 ret12 lks */
} exp_row;

static const exp_row EXPECTED[] = {
    /* total: all 8; proposed P1 P2 P3 P4 P5 P8; introduced all but P8; placed 5;
     * days {10,20,50,68,120} -> 50; 6m: 5 observed, P1 P3 retained; 12m: P1 P2 P4 P5, P1 retained; lks P1 P3 P4 */
    {LM_DIM_TOTAL, 0, {8, 6, 5, 5, 5.0 / 6, 50, 5, 0.4, 4, 0.25, 3}},
    /* G1: P1 P2 P3 P6 P8; proposed P1 P2 P3 P8; placed P1 P2 P3, days {20,50,120} -> 50;
     * 6m P1 P2 P3 (P1 P3 retained); 12m P1 P2 (P1); lks P1 P3 */
    {LM_DIM_GROUP, 1, {5, 4, 3, 3, 0.75, 50, 3, 2.0 / 3, 2, 0.5, 2}},
    /* G32: P3 P4 P5, all placed, days {10,68,120} -> 68; 6m P3 retained of 3; 12m P4 P5 none; lks P3 P4 */
    {LM_DIM_GROUP, 32, {3, 3, 3, 3, 1, 68, 3, 1.0 / 3, 2, 0, 2}},
    /* r1: P1 P5, days {20,10} -> 15 */
    {LM_DIM_READINESS, 1, {2, 2, 2, 2, 1, 15, 2, 0.5, 2, 0.5, 1}},
    /* r2: P2 P3, days {50,120} -> 85; 6m P3 retained; 12m P2 only (not) */
    {LM_DIM_READINESS, 2, {2, 2, 2, 2, 1, 85, 2, 0.5, 1, 0, 1}},
    /* r3: P4 P7 (P7 nothing in the period) */
    {LM_DIM_READINESS, 3, {2, 1, 1, 1, 1, 68, 1, 0, 1, 0, 1}},
    /* r4: P8 proposed only */
    {LM_DIM_READINESS, 4, {1, 1, 0, 0, 0, N, 0, N, 0, N, 0}},
    /* r5: P6 no proposal */
    {LM_DIM_READINESS, 5, {1, 0, 0, 0, N, N, 0, N, 0, N, 0}},
    /* home A: P1 P2 P7 P8; placed P1 P2, days {20,50} -> 35 */
    {LM_DIM_HOME_MUNICIPALITY, A, {4, 3, 2, 2, 2.0 / 3, 35, 2, 0.5, 2, 0.5, 1}},
    /* home C: P5 P6 */
    {LM_DIM_HOME_MUNICIPALITY, C, {2, 1, 1, 1, 1, 10, 1, 0, 1, 0, 0}},
    /* home B: P3 P4, days {120,68} -> 94; 12m P4 only */
    {LM_DIM_HOME_MUNICIPALITY, B, {2, 2, 2, 2, 1, 94, 2, 0.5, 1, 0, 2}},
    /* work A: 101 (P1 placed, days 20), 113 (P2, introduced after as_of), 105 (P3 introduced), 115 (P8) */
    {LM_DIM_WORK_MUNICIPALITY, A, {N, 4, 2, 1, 0.25, 20, 1, 1, 1, 1, 1}},
    /* work C: 114 (P3 introduced, placed after as_of), 106 (P4 placed 450, days 320, not observable),
     * 109 (P5 days 10, not retained); days {10,320} -> 165 */
    {LM_DIM_WORK_MUNICIPALITY, C, {N, 3, 3, 2, 2.0 / 3, 165, 1, 0, 1, 0, 0}},
    /* work B: 102 (P1 proposed), 103 (P2 days 50), 104 (P3 days 41, 6m retained, 12m unobservable),
     * 112 (P4 days 8); days {8,41,50} -> 41; 12m P2 P4; lks P3 P4 */
    {LM_DIM_WORK_MUNICIPALITY, B, {N, 4, 3, 3, 0.75, 41, 3, 1.0 / 3, 2, 0, 2}},
    /* org10: P1 P2 P3 P7 */
    {LM_DIM_ORG, 10, {4, 3, 3, 3, 1, 50, 3, 2.0 / 3, 2, 0.5, 2}},
    /* org20: P4 P5 P6 P8; days {68,10} -> 39 */
    {LM_DIM_ORG, 20, {4, 3, 2, 2, 2.0 / 3, 39, 2, 0, 2, 0, 1}},
    /* kind 0: P1 (101), P2 (103 + 113: placed 200, days 50), P3 (105 + 114: introduced, not placed),
     * P4 (112: days 8), P8; days {8,20,50} -> 20; lks P1 P4 */
    {LM_DIM_KIND, 0, {N, 5, 4, 3, 0.6, 20, 3, 1.0 / 3, 3, 1.0 / 3, 2}},
    /* kind 1: P1 (102), P3 (104 days 41) */
    {LM_DIM_KIND, 1, {N, 2, 1, 1, 0.5, 41, 1, 1, 0, N, 1}},
    /* kind 2: P4 (106 days 320, not observable) */
    {LM_DIM_KIND, 2, {N, 1, 1, 1, 1, 320, 0, N, 0, N, 0}},
    /* kind 3: P5 (109) */
    {LM_DIM_KIND, 3, {N, 1, 1, 1, 1, 10, 1, 0, 1, 0, 0}},
    /* local: 101 P1 (20), 113 P2 (not introduced), 104 P3 (41), 112 P4 (8), 109 P5 (10), 115 P8;
     * days {8,10,20,41} -> 15; 6m: P1 P3 retained of 4; 12m P1 P4 P5, P1 retained */
    {LM_DIM_CROSS_BORDER, 0, {N, 6, 4, 4, 4.0 / 6, 15, 4, 0.5, 3, 1.0 / 3, 3}},
    /* cross: 102 P1, 103 P2 (50), 105 + 114 P3 (introduced), 106 P4 (320); days {50,320} -> 185 */
    {LM_DIM_CROSS_BORDER, 1, {N, 4, 3, 2, 0.5, 185, 1, 0, 1, 0, 0}},
    /* flows, key home * 100000 + work */
    {LM_DIM_FLOW, 36100361, {N, 3, 1, 1, 1.0 / 3, 20, 1, 1, 1, 1, 1}},  /* A->A: 101, 113, 115 */
    {LM_DIM_FLOW, 36100405, {N, 2, 1, 1, 0.5, 50, 1, 0, 1, 0, 0}},      /* A->B: 102, 103 */
    {LM_DIM_FLOW, 40000400, {N, 1, 1, 1, 1, 10, 1, 0, 1, 0, 0}},        /* C->C: 109 */
    {LM_DIM_FLOW, 40500361, {N, 1, 1, 0, 0, N, 0, N, 0, N, 0}},         /* B->A: 105 */
    {LM_DIM_FLOW, 40500400, {N, 2, 2, 1, 0.5, 320, 0, N, 0, N, 0}},     /* B->C: 114, 106 */
    {LM_DIM_FLOW, 40500405, {N, 2, 2, 2, 1, 24.5, 2, 0.5, 1, 0, 2}},    /* B->B: 104 (41), 112 (8) */
};
#define NEXP (sizeof EXPECTED / sizeof EXPECTED[0])

static lm_outcome_person person(int64_t id, int64_t org, uint32_t groups, uint8_t r, int32_t home) {
    lm_outcome_person p = LM_OUTCOME_PERSON_INIT;
    p.candidate_id = id;
    p.org = org;
    p.groups = groups;
    p.readiness = r;
    p.municipality = home;
    return p;
}
static lm_outcome_record record(int64_t pid, int64_t cand, int32_t work, uint8_t kind, int32_t prop, int32_t intro,
                                int32_t placed, int32_t end, uint8_t lks) {
    lm_outcome_record r = LM_OUTCOME_RECORD_INIT;
    r.proposal_id = pid;
    r.candidate_id = cand;
    r.vacancy_id = pid * 10;
    r.org = 10;
    r.work_municipality = work;
    r.vacancy_kind = kind;
    r.proposed_day = prop;
    r.introduced_day = intro;
    r.placed_day = placed;
    r.end_day = end;
    r.lks = lks;
    if (placed >= 0) r.hours = 24.f, r.contract = LM_CONTRACT_GARANTIEBAAN;
    if (end >= 0) r.end_reason = LM_END_CONTRACT_ENDED;
    return r;
}

static lm_outcome_person P[8];
static lm_outcome_record R[14];
static void fixture(void) {
    P[0] = person(1, 10, G1, 1, A);
    P[1] = person(2, 10, G1, 2, A);
    P[2] = person(3, 10, G1 | G32, 2, B);
    P[3] = person(4, 20, G32, 3, B);
    P[4] = person(5, 20, G32, 1, C);
    P[5] = person(6, 20, G1, 5, C);
    P[6] = person(7, 10, 0, 3, A);
    P[7] = person(8, 20, G1, 4, A);
    /* deliberately not in id order */
    R[0] = record(104, 3, B, 1, 199, 210, 240, 500, 1);
    R[1] = record(101, 1, A, 0, 100, 105, 120, -1, 1);
    R[2] = record(102, 1, B, 1, 110, -1, -1, -1, 0);
    R[3] = record(103, 2, B, 0, 150, 160, 200, 300, 0);
    R[4] = record(113, 2, A, 0, 170, 650, -1, -1, 0);
    R[5] = record(105, 3, A, 0, 120, 125, -1, -1, 0);
    R[6] = record(114, 3, C, 0, 160, 170, 700, -1, 1);
    R[7] = record(106, 4, C, 2, 130, 140, 450, -1, 0);
    R[8] = record(112, 4, B, 0, 190, 195, 198, 250, 1);
    R[9] = record(107, 5, C, 0, 99, 100, 101, -1, 0);
    R[10] = record(108, 5, A, 0, 200, -1, -1, -1, 0);
    R[11] = record(109, 5, C, 3, 180, 181, 190, 372, 0);
    R[12] = record(110, 7, A, 0, 50, -1, -1, -1, 0);
    R[13] = record(115, 8, A, 0, 190, -1, -1, -1, 0);
}
#define NP (sizeof P / sizeof P[0])
#define NR (sizeof R / sizeof R[0])

static bool same(double a, double b) { return (isnan(a) && isnan(b)) || fabs(a - b) <= 1e-12; }

static lm_effects *compute_ok(int32_t from, int32_t to, int32_t as_of, int32_t threshold) {
    lm_effects *fx = NULL;
    int st = lm_effects_compute(&fx, P, NP, R, NR, from, to, as_of, threshold);
    cr_assert_eq(st, LM_OK, "status %d", st);
    cr_assert_not_null(fx);
    return fx;
}

Test(outcomes, hand_built_history, .init = fixture) {
    lm_effects *fx = compute_ok(100, 199, 600, 1);
    cr_assert_eq(lm_effects_count(fx), NEXP);
    for (size_t i = 0; i < NEXP; i++) {
        const lm_effect_row *r = lm_effects_row(fx, i);
        const exp_row *e = &EXPECTED[i];
        cr_assert_eq(r->dim, e->dim, "row %zu", i);
        cr_assert_eq(r->key, e->key, "row %zu: key %lld", i, (long long)r->key);
        cr_assert_eq(r->suppressed, 0u, "row %zu", i);
        for (int f = 0; f < LM_FIG_COUNT; f++)
            cr_assert(same(r->value[f], e->v[f]), "%s %lld: %s = %g, expected %g", lm_effect_dim_name(r->dim),
                      (long long)r->key, lm_effect_fig_name(f), r->value[f], e->v[f]);
    }
    cr_assert_null(lm_effects_row(fx, NEXP));
    lm_effects_free(fx);
}

/* The input order of persons and records does not matter. */
Test(outcomes, order_independent, .init = fixture) {
    lm_effects *a = compute_ok(100, 199, 600, 1);
    for (size_t i = 0; i < NP / 2; i++) {
        lm_outcome_person t = P[i];
        P[i] = P[NP - 1 - i];
        P[NP - 1 - i] = t;
    }
    for (size_t i = 0; i < NR / 2; i++) {
        lm_outcome_record t = R[i];
        R[i] = R[NR - 1 - i];
        R[NR - 1 - i] = t;
    }
    lm_effects *b = compute_ok(100, 199, 600, 1);
    cr_assert_eq(lm_effects_count(a), lm_effects_count(b));
    for (size_t i = 0; i < lm_effects_count(a); i++)
        cr_assert_eq(memcmp(lm_effects_row(a, i), lm_effects_row(b, i), sizeof(lm_effect_row)), 0, "row %zu", i);
    lm_effects_free(a);
    lm_effects_free(b);
}

static const lm_effect_row *find_row(const lm_effects *fx, int32_t dim, int64_t key) {
    for (size_t i = 0; i < lm_effects_count(fx); i++) {
        const lm_effect_row *r = lm_effects_row(fx, i);
        if (r->dim == dim && r->key == key) return r;
    }
    return NULL;
}

/* Threshold 5 hides every count 1..4 and every rate or median whose
 * denominator is 1..4; everything else equals the unsuppressed figures. */
static const int DENOM[LM_FIG_COUNT] = {-1, -1, -1, -1, LM_FIG_PROPOSED, LM_FIG_PLACED, -1, LM_FIG_OBSERVED_6M,
                                        -1, LM_FIG_OBSERVED_12M, -1};
static void check_suppression(const lm_effects *open, const lm_effects *closed, int threshold) {
    cr_assert_eq(lm_effects_count(open), lm_effects_count(closed));
    for (size_t i = 0; i < lm_effects_count(open); i++) {
        const lm_effect_row *o = lm_effects_row(open, i), *c = lm_effects_row(closed, i);
        cr_assert_eq(o->dim, c->dim);
        cr_assert_eq(o->key, c->key);
        for (int f = 0; f < LM_FIG_COUNT; f++) {
            double basis = DENOM[f] < 0 ? o->value[f] : o->value[DENOM[f]];
            bool hide = basis >= 1 && basis < threshold;
            cr_assert_eq(c->suppressed >> f & 1u, hide, "%s %lld %s", lm_effect_dim_name(o->dim), (long long)o->key,
                         lm_effect_fig_name(f));
            if (hide) cr_assert(isnan(c->value[f]));
            else cr_assert(same(c->value[f], o->value[f]));
            if (!isnan(c->value[f]) && DENOM[f] < 0) cr_assert(c->value[f] == 0 || c->value[f] >= threshold);
        }
    }
}

Test(outcomes, small_numbers_rule, .init = fixture) {
    lm_effects *open = compute_ok(100, 199, 600, 1);
    lm_effects *closed = compute_ok(100, 199, 600, 5);
    check_suppression(open, closed, 5);
    /* by hand: total shows people 8, proposed 6, introduced 5, placed 5, rate, median, 6m (5 observed);
     * hides observed_12m 4, its share and lks 3 */
    const lm_effect_row *t = find_row(closed, LM_DIM_TOTAL, 0);
    cr_assert_not_null(t);
    cr_assert_eq(t->suppressed, 1u << LM_FIG_OBSERVED_12M | 1u << LM_FIG_RETAINED_12M | 1u << LM_FIG_LKS);
    cr_assert(same(t->value[LM_FIG_RETAINED_6M], 0.4));
    /* readiness 5: people 1 hidden, proposed 0 shown as 0, rate undefined (NaN, not marked) */
    const lm_effect_row *r5 = find_row(closed, LM_DIM_READINESS, 5);
    cr_assert_eq(r5->suppressed, 1u << LM_FIG_PEOPLE);
    cr_assert_eq(r5->value[LM_FIG_PROPOSED], 0.0);
    cr_assert(isnan(r5->value[LM_FIG_PLACEMENT_RATE]));
    /* group 1: people 5 shown, proposed 4 hidden and so the rate over it */
    const lm_effect_row *g = find_row(closed, LM_DIM_GROUP, 1);
    cr_assert_eq(g->value[LM_FIG_PEOPLE], 5.0);
    cr_assert(g->suppressed >> LM_FIG_PROPOSED & 1u);
    cr_assert(g->suppressed >> LM_FIG_PLACEMENT_RATE & 1u);
    for (int th = 2; th <= 8; th++) {
        lm_effects *x = compute_ok(100, 199, 600, th);
        check_suppression(open, x, th);
        lm_effects_free(x);
    }
    lm_effects_free(open);
    lm_effects_free(closed);
}

/* from and to are inclusive; as_of decides what has happened. */
Test(outcomes, period_boundaries, .init = fixture) {
    lm_effects *fx = compute_ok(199, 199, 600, 1); /* only 104 (P3) */
    const lm_effect_row *t = find_row(fx, LM_DIM_TOTAL, 0);
    cr_assert_eq(t->value[LM_FIG_PEOPLE], 8.0);
    cr_assert_eq(t->value[LM_FIG_PROPOSED], 1.0);
    cr_assert_eq(t->value[LM_FIG_PLACED], 1.0);
    cr_assert_eq(t->value[LM_FIG_MEDIAN_DAYS], 41.0);
    lm_effects_free(fx);
    fx = compute_ok(100, 100, 600, 1); /* only 101 (P1) */
    t = find_row(fx, LM_DIM_TOTAL, 0);
    cr_assert_eq(t->value[LM_FIG_PROPOSED], 1.0);
    cr_assert_eq(t->value[LM_FIG_MEDIAN_DAYS], 20.0);
    cr_assert_null(find_row(fx, LM_DIM_WORK_MUNICIPALITY, B));
    lm_effects_free(fx);
    fx = compute_ok(99, 200, 600, 1); /* adds 107 and 108 (P5 first proposal 99, placed 101 -> days 2) */
    t = find_row(fx, LM_DIM_TOTAL, 0);
    cr_assert_eq(t->value[LM_FIG_PROPOSED], 6.0);
    const lm_effect_row *r = find_row(fx, LM_DIM_READINESS, 1); /* P1 20, P5 2 -> 11 */
    cr_assert_eq(r->value[LM_FIG_MEDIAN_DAYS], 11.0);
    lm_effects_free(fx);
    /* as_of 199 (= to): 104 introduced 210 and placed 240 have not happened;
     * nothing is observable at 6 months (placed + 182 > 199) */
    fx = compute_ok(100, 199, 199, 1);
    t = find_row(fx, LM_DIM_TOTAL, 0);
    cr_assert_eq(t->value[LM_FIG_INTRODUCED], 5.0); /* all introductions are on or before 181 */
    cr_assert_eq(t->value[LM_FIG_PLACED], 3.0);     /* P1 120, P4 198 (112), P5 190; not P2 200, P3 240 */
    cr_assert_eq(t->value[LM_FIG_MEDIAN_DAYS], 20.0); /* {20, 68, 10} */
    cr_assert_eq(t->value[LM_FIG_OBSERVED_6M], 0.0);
    cr_assert(isnan(t->value[LM_FIG_RETAINED_6M]));
    cr_assert_eq(t->value[LM_FIG_LKS], 2.0); /* P1, P4 */
    lm_effects_free(fx);
    /* as_of 372: P5's end on 372 is known; 6m observable for placed <= 190: P1 (retained), P5 (ends on 372) */
    fx = compute_ok(100, 199, 372, 1);
    t = find_row(fx, LM_DIM_TOTAL, 0);
    cr_assert_eq(t->value[LM_FIG_OBSERVED_6M], 2.0);
    cr_assert_eq(t->value[LM_FIG_RETAINED_6M], 0.5);
    lm_effects_free(fx);
}

/* An empty pool still has its total row. */
Test(outcomes, empty) {
    lm_effects *fx = NULL;
    cr_assert_eq(lm_effects_compute(&fx, NULL, 0, NULL, 0, 0, 0, 0, 5), LM_OK);
    cr_assert_eq(lm_effects_count(fx), 1u);
    const lm_effect_row *t = lm_effects_row(fx, 0);
    cr_assert_eq(t->dim, LM_DIM_TOTAL);
    cr_assert_eq(t->value[LM_FIG_PEOPLE], 0.0);
    cr_assert(isnan(t->value[LM_FIG_PLACEMENT_RATE]));
    cr_assert_eq(t->suppressed, 0u);
    lm_effects_free(fx);
    lm_effects_free(NULL);
    cr_assert_eq(lm_effects_count(NULL), 0u);
    cr_assert_null(lm_effects_row(NULL, 0));
}

Test(outcomes, names_round_trip) {
    static const char *contracts[] = {"regular", "garantiebaan", "beschut", "detachering", "werkervaringsplek", "other"};
    static const char *ends[] = {"none", "contract_ended", "dismissed", "person_left", "moved", "other"};
    static const char *dims[] = {"total", "group", "readiness", "home_municipality", "work_municipality",
                                 "org", "kind", "cross_border", "flow"};
    static const char *figs[] = {"people", "proposed", "introduced", "placed", "placement_rate", "median_days",
                                 "observed_6m", "retained_6m", "observed_12m", "retained_12m", "lks"};
    struct {
        const char *const *names;
        int n;
        const char *(*name)(int32_t);
        int (*parse)(int32_t *, const char *);
    } t[] = {{contracts, LM_CONTRACT_COUNT, lm_contract_name, lm_contract_parse},
             {ends, LM_END_REASON_COUNT, lm_end_reason_name, lm_end_reason_parse},
             {dims, LM_DIM_COUNT, lm_effect_dim_name, lm_effect_dim_parse},
             {figs, LM_FIG_COUNT, lm_effect_fig_name, lm_effect_fig_parse}};
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        for (int32_t i = 0; i < t[k].n; i++) {
            cr_assert_str_eq(t[k].name(i), t[k].names[i]);
            int32_t back = -1;
            cr_assert_eq(t[k].parse(&back, t[k].names[i]), LM_OK);
            cr_assert_eq(back, i);
            char up[64];
            size_t j = 0;
            for (; t[k].names[i][j]; j++) up[j] = (char)(t[k].names[i][j] & ~0x20 ? t[k].names[i][j] - 32 * (t[k].names[i][j] >= 'a' && t[k].names[i][j] <= 'z') : t[k].names[i][j]);
            up[j] = 0;
            cr_assert_eq(t[k].parse(&back, up), LM_OK, "%s", up);
            cr_assert_eq(back, i);
        }
        cr_assert_null(t[k].name(-1));
        cr_assert_null(t[k].name(t[k].n));
        int32_t x = 77;
        cr_assert_eq(t[k].parse(&x, "nonsense"), LM_ERR_RANGE);
        cr_assert_eq(t[k].parse(&x, ""), LM_ERR_RANGE);
        cr_assert_eq(x, 77);
        cr_assert_eq(t[k].parse(NULL, t[k].names[0]), LM_ERR_NULL);
        cr_assert_eq(t[k].parse(&x, NULL), LM_ERR_NULL);
    }
}

/* ---- bad input ------------------------------------------------------------ */
/* Every check: compute returns the status, leaves *out NULL; check returns the
 * same status and a message containing `want`. */
static void expect_bad(int want_st, const char *want, const lm_outcome_person *ps, size_t np,
                       const lm_outcome_record *rs, size_t nr, int32_t from, int32_t to, int32_t as_of, int32_t th) {
    lm_effects *fx = (lm_effects *)(uintptr_t)1;
    int st = lm_effects_compute(&fx, ps, np, rs, nr, from, to, as_of, th);
    cr_assert_eq(st, want_st, "%s: status %d, expected %d", want, st, want_st);
    cr_assert_null(fx);
    char msg[256];
    cr_assert_eq(lm_effects_check(msg, sizeof msg, ps, np, rs, nr, from, to, as_of, th), want_st);
    cr_assert(strstr(msg, want) != NULL, "message '%s' lacks '%s'", msg, want);
}

#define BAD_P(st, want, stmt)                                                                                        \
    do {                                                                                                             \
        fixture();                                                                                                   \
        stmt;                                                                                                        \
        expect_bad(st, want, P, NP, R, NR, 100, 199, 600, 5);                                                        \
    } while (0)

Test(outcomes, bad_input, .init = fixture) {
    lm_effects *fx = NULL;
    cr_assert_eq(lm_effects_compute(NULL, P, NP, R, NR, 100, 199, 600, 5), LM_ERR_NULL);
    expect_bad(LM_ERR_NULL, "persons is NULL", NULL, 3, R, NR, 100, 199, 600, 5);
    expect_bad(LM_ERR_NULL, "records is NULL", P, NP, NULL, 2, 100, 199, 600, 5);
    /* period and threshold */
    expect_bad(LM_ERR_RANGE, "from_day -1 negative", P, NP, R, NR, -1, 199, 600, 5);
    expect_bad(LM_ERR_RANGE, "to_day 99 before from_day 100", P, NP, R, NR, 100, 99, 600, 5);
    expect_bad(LM_ERR_RANGE, "as_of_day 198 before to_day 199", P, NP, R, NR, 100, 199, 198, 5);
    expect_bad(LM_ERR_RANGE, "threshold 0 outside 1..1000", P, NP, R, NR, 100, 199, 600, 0);
    expect_bad(LM_ERR_RANGE, "threshold 1001", P, NP, R, NR, 100, 199, 600, 1001);
    expect_bad(LM_ERR_RANGE, "threshold -5", P, NP, R, NR, 100, 199, 600, -5);
    /* persons */
    BAD_P(LM_ERR_INVALID, "person 0: struct_size 8 too small", P[0].struct_size = 8);
    BAD_P(LM_ERR_INVALID, "person 3 (id 4): struct_size 8 differs", P[3].struct_size = 8);
    BAD_P(LM_ERR_RANGE, "person 2 (id 3): readiness 0 outside 1..5", P[2].readiness = 0);
    BAD_P(LM_ERR_RANGE, "person 2 (id 3): readiness 6 outside 1..5", P[2].readiness = 6);
    BAD_P(LM_ERR_INVALID, "person 1 (id 2): reserved bytes", P[1].reserved[2] = 1);
    BAD_P(LM_ERR_RANGE, "person 5 (id 6): municipality 0 outside", P[5].municipality = 0);
    BAD_P(LM_ERR_RANGE, "person 5 (id 6): municipality 100000 outside", P[5].municipality = 100000);
    BAD_P(LM_ERR_DUPLICATE, "persons 1 and 6 share candidate_id 2", P[6].candidate_id = 2);
    /* records */
    BAD_P(LM_ERR_INVALID, "record 0: struct_size 8 too small", R[0].struct_size = 8);
    BAD_P(LM_ERR_INVALID, "record 5 (proposal 105): struct_size 9999 differs", R[5].struct_size = 9999);
    BAD_P(LM_ERR_UNKNOWN_ID, "record 3 (proposal 103): candidate_id 99 is not among the persons",
          R[3].candidate_id = 99);
    BAD_P(LM_ERR_DUPLICATE, "records 1 and 13 share proposal_id 101", R[13].proposal_id = 101);
    BAD_P(LM_ERR_RANGE, "record 2 (proposal 102): proposed_day -1 negative", R[2].proposed_day = -1);
    BAD_P(LM_ERR_RANGE, "record 2 (proposal 102): introduced_day -2 below -1", R[2].introduced_day = -2);
    BAD_P(LM_ERR_RANGE, "record 2 (proposal 102): placed_day -7 below -1", R[2].placed_day = -7);
    BAD_P(LM_ERR_RANGE, "record 1 (proposal 101): end_day -3 below -1", R[1].end_day = -3);
    BAD_P(LM_ERR_INVALID, "record 1 (proposal 101): introduced_day 99 before proposed_day 100",
          R[1].introduced_day = 99);
    BAD_P(LM_ERR_INVALID, "record 1 (proposal 101): placed_day 50 before proposed_day 100", R[1].placed_day = 50);
    BAD_P(LM_ERR_INVALID, "record 0 (proposal 104): end_day 239 before placed_day 240", R[0].end_day = 239);
    BAD_P(LM_ERR_INVALID, "record 2 (proposal 102): end_day 300 without a placed_day", R[2].end_day = 300);
    BAD_P(LM_ERR_RANGE, "record 2 (proposal 102): work_municipality 0 outside", R[2].work_municipality = 0);
    BAD_P(LM_ERR_RANGE, "record 2 (proposal 102): work_municipality -4 outside", R[2].work_municipality = -4);
    BAD_P(LM_ERR_RANGE, "record 2 (proposal 102): vacancy_kind 6 unknown", R[2].vacancy_kind = LM_KIND_COUNT);
    BAD_P(LM_ERR_RANGE, "record 2 (proposal 102): contract 6 unknown", R[2].contract = LM_CONTRACT_COUNT);
    BAD_P(LM_ERR_RANGE, "record 2 (proposal 102): end_reason 6 unknown", R[2].end_reason = LM_END_REASON_COUNT);
    BAD_P(LM_ERR_RANGE, "record 2 (proposal 102): lks 2 not 0 or 1", R[2].lks = 2);
    BAD_P(LM_ERR_NONFINITE, "record 2 (proposal 102): hours not finite", R[2].hours = NAN);
    BAD_P(LM_ERR_NONFINITE, "record 2 (proposal 102): hours not finite", R[2].hours = INFINITY);
    BAD_P(LM_ERR_RANGE, "record 2 (proposal 102): hours -1 outside 0..168", R[2].hours = -1.f);
    BAD_P(LM_ERR_RANGE, "record 2 (proposal 102): hours 169 outside 0..168", R[2].hours = 169.f);
    /* a valid input leaves an empty message */
    fixture();
    char msg[64] = "x";
    cr_assert_eq(lm_effects_check(msg, sizeof msg, P, NP, R, NR, 100, 199, 600, 5), LM_OK);
    cr_assert_str_eq(msg, "");
    cr_assert_eq(lm_effects_check(NULL, 0, P, NP, R, NR, 100, 199, 600, 5), LM_OK);
    /* a short buffer is cut, still terminated */
    char small[8];
    cr_assert_eq(lm_effects_check(small, sizeof small, P, NP, R, NR, 100, 199, 600, 0), LM_ERR_RANGE);
    cr_assert_eq(strlen(small), 7u);
    (void)fx;
}

/* Larger struct_size (a caller built against a later header): the arrays are
 * stepped by it and the extra bytes ignored. */
typedef struct big_person {
    lm_outcome_person p;
    char extra[24];
} big_person;
typedef struct big_record {
    lm_outcome_record r;
    char extra[40];
} big_record;
Test(outcomes, larger_struct_size, .init = fixture) {
    big_person bp[NP];
    big_record br[NR];
    memset(bp, 0x5a, sizeof bp);
    memset(br, 0xa5, sizeof br);
    for (size_t i = 0; i < NP; i++) bp[i].p = P[i], bp[i].p.struct_size = sizeof(big_person);
    for (size_t i = 0; i < NR; i++) br[i].r = R[i], br[i].r.struct_size = sizeof(big_record);
    lm_effects *a = compute_ok(100, 199, 600, 1), *b = NULL;
    cr_assert_eq(lm_effects_compute(&b, &bp[0].p, NP, &br[0].r, NR, 100, 199, 600, 1), LM_OK);
    cr_assert_eq(lm_effects_count(a), lm_effects_count(b));
    for (size_t i = 0; i < lm_effects_count(a); i++)
        cr_assert_eq(memcmp(lm_effects_row(a, i), lm_effects_row(b, i), sizeof(lm_effect_row)), 0);
    lm_effects_free(a);
    lm_effects_free(b);
}

/* ---- random histories against a brute-force recount ------------------------ */
/* The recount follows docs/outcomes.md literally: for every dim and every key
 * that occurs, for every person, collect the proposals of the period that put
 * the person in the cell, then apply each figure's definition. Quadratic. */
typedef struct rc_fig {
    double v[LM_FIG_COUNT];
    uint32_t hidden;
} rc_fig;

static int cmp_d(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static bool person_in(const lm_outcome_person *p, int dim, int64_t key) {
    switch (dim) {
    case LM_DIM_TOTAL: return true;
    case LM_DIM_GROUP: return (p->groups & (uint32_t)key) != 0;
    case LM_DIM_READINESS: return p->readiness == key;
    case LM_DIM_HOME_MUNICIPALITY: return p->municipality == key;
    case LM_DIM_ORG: return p->org == key;
    default: return true; /* vacancy-side: decided by the proposal */
    }
}
static bool record_in(const lm_outcome_person *p, const lm_outcome_record *r, int dim, int64_t key) {
    switch (dim) {
    case LM_DIM_WORK_MUNICIPALITY: return r->work_municipality == key;
    case LM_DIM_KIND: return r->vacancy_kind == key;
    case LM_DIM_CROSS_BORDER: return (r->work_municipality != p->municipality) == key;
    case LM_DIM_FLOW: return (int64_t)p->municipality * 100000 + r->work_municipality == key;
    default: return true;
    }
}

static rc_fig recount(const lm_outcome_person *ps, size_t np, const lm_outcome_record *rs, size_t nr, int dim,
                      int64_t key, int32_t from, int32_t to, int32_t as_of, int th) {
    bool vside = dim == LM_DIM_WORK_MUNICIPALITY || dim == LM_DIM_KIND || dim == LM_DIM_CROSS_BORDER ||
                 dim == LM_DIM_FLOW;
    double people = 0, prop = 0, intro = 0, placed = 0, o6 = 0, r6 = 0, o12 = 0, r12 = 0, lks = 0;
    double *days = calloc(np + 1, sizeof *days);
    size_t nd = 0;
    for (size_t i = 0; i < np; i++) {
        const lm_outcome_person *p = &ps[i];
        if (!person_in(p, dim, key)) continue;
        if (!vside) people++;
        int first_prop = -1;
        bool in = false, was_intro = false;
        const lm_outcome_record *first = NULL;
        for (size_t j = 0; j < nr; j++) {
            const lm_outcome_record *r = &rs[j];
            if (r->candidate_id != p->candidate_id || r->proposed_day < from || r->proposed_day > to) continue;
            if (!record_in(p, r, dim, key)) continue;
            in = true;
            if (first_prop < 0 || r->proposed_day < first_prop) first_prop = r->proposed_day;
            if (r->introduced_day >= 0 && r->introduced_day <= as_of) was_intro = true;
            if (r->placed_day >= 0 && r->placed_day <= as_of &&
                (!first || r->placed_day < first->placed_day ||
                 (r->placed_day == first->placed_day && r->proposal_id < first->proposal_id)))
                first = r;
        }
        if (!in) continue;
        prop++;
        intro += was_intro;
        if (!first) continue;
        placed++;
        lks += first->lks;
        days[nd++] = first->placed_day - first_prop;
        int end = first->end_day >= 0 && first->end_day <= as_of ? first->end_day : -1;
        for (int m = 0; m < 2; m++) {
            int64_t at = (int64_t)first->placed_day + (m ? 365 : 182);
            if (at > as_of) continue;
            bool still = end < 0 || end > at;
            if (m) o12++, r12 += still;
            else o6++, r6 += still;
        }
    }
    rc_fig f;
    f.v[LM_FIG_PEOPLE] = vside ? NAN : people;
    f.v[LM_FIG_PROPOSED] = prop;
    f.v[LM_FIG_INTRODUCED] = intro;
    f.v[LM_FIG_PLACED] = placed;
    f.v[LM_FIG_PLACEMENT_RATE] = prop ? placed / prop : NAN;
    qsort(days, nd, sizeof *days, cmp_d);
    f.v[LM_FIG_MEDIAN_DAYS] = nd == 0 ? NAN : nd % 2 ? days[nd / 2] : (days[nd / 2 - 1] + days[nd / 2]) / 2;
    f.v[LM_FIG_OBSERVED_6M] = o6;
    f.v[LM_FIG_RETAINED_6M] = o6 ? r6 / o6 : NAN;
    f.v[LM_FIG_OBSERVED_12M] = o12;
    f.v[LM_FIG_RETAINED_12M] = o12 ? r12 / o12 : NAN;
    f.v[LM_FIG_LKS] = lks;
    free(days);
    f.hidden = 0;
    for (int k = 0; k < LM_FIG_COUNT; k++) {
        double basis = DENOM[k] < 0 ? f.v[k] : f.v[DENOM[k]];
        if (basis > 0 && basis < th) f.hidden |= 1u << k;
    }
    for (int k = 0; k < LM_FIG_COUNT; k++)
        if (f.hidden >> k & 1u) f.v[k] = NAN;
    return f;
}

static int cmp_i64(const void *x, const void *y) {
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* The keys that occur in a dim, ascending, distinct. */
static size_t keys_of(int64_t *keys, const lm_outcome_person *ps, size_t np, const lm_outcome_record *rs, size_t nr,
                      int dim, int32_t from, int32_t to) {
    size_t n = 0;
    if (dim == LM_DIM_TOTAL) {
        keys[0] = 0;
        return 1;
    }
    for (size_t i = 0; i < np; i++) {
        const lm_outcome_person *p = &ps[i];
        switch (dim) {
        case LM_DIM_GROUP:
            for (int b = 0; b < 32; b++)
                if (p->groups >> b & 1u) keys[n++] = (int64_t)1 << b;
            break;
        case LM_DIM_READINESS: keys[n++] = p->readiness; break;
        case LM_DIM_HOME_MUNICIPALITY: keys[n++] = p->municipality; break;
        case LM_DIM_ORG: keys[n++] = p->org; break;
        default:
            for (size_t j = 0; j < nr; j++) {
                const lm_outcome_record *r = &rs[j];
                if (r->candidate_id != p->candidate_id || r->proposed_day < from || r->proposed_day > to) continue;
                keys[n++] = dim == LM_DIM_WORK_MUNICIPALITY ? r->work_municipality
                            : dim == LM_DIM_KIND            ? r->vacancy_kind
                            : dim == LM_DIM_CROSS_BORDER    ? (r->work_municipality != p->municipality)
                                                            : (int64_t)p->municipality * 100000 + r->work_municipality;
            }
        }
    }
    qsort(keys, n, sizeof *keys, cmp_i64);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || keys[m - 1] != keys[i]) keys[m++] = keys[i];
    return m;
}

/* spread: days vary over this many days; small spreads make ties (same placed
 * day for one person), which the first-placement rule must break by proposal id. */
static void random_history(uint64_t *s, lm_outcome_person *ps, size_t np, lm_outcome_record *rs, size_t nr, int spread) {
    static const int32_t munis[] = {307, 361, 375, 392, 405, 1980};
    for (size_t i = 0; i < np; i++) {
        lm_outcome_person p = LM_OUTCOME_PERSON_INIT;
        p.candidate_id = (int64_t)(tu_next(s) % 1000) << 20 | (int64_t)i; /* unique (i < 2^20), unordered */
        p.org = tu_int(s, 1, 3) * 100;
        p.groups = (uint32_t)(tu_next(s) & 0x1C7);
        p.readiness = (uint8_t)tu_int(s, 1, 5);
        p.municipality = munis[tu_int(s, 0, 5)];
        ps[i] = p;
    }
    for (size_t j = 0; j < nr; j++) {
        lm_outcome_record r = LM_OUTCOME_RECORD_INIT;
        r.proposal_id = 5000000 - (int64_t)j * 7;
        r.candidate_id = ps[tu_int(s, 0, (int)np - 1)].candidate_id;
        r.work_municipality = tu_int(s, 0, 3) == 0 ? munis[tu_int(s, 0, 5)] : munis[tu_int(s, 0, 1)];
        r.vacancy_kind = (uint8_t)tu_int(s, 0, LM_KIND_COUNT - 1);
        r.proposed_day = tu_int(s, 0, spread);
        if (tu_int(s, 0, 2)) r.introduced_day = r.proposed_day + tu_int(s, 0, 60);
        if (tu_int(s, 0, 2) == 0) {
            r.placed_day = r.proposed_day + tu_int(s, 0, spread / 2);
            r.lks = (uint8_t)tu_int(s, 0, 1);
            r.contract = (uint8_t)tu_int(s, 0, LM_CONTRACT_COUNT - 1);
            r.hours = (float)tu_int(s, 0, 40);
            if (tu_int(s, 0, 1)) {
                r.end_day = r.placed_day + (tu_int(s, 0, 3) == 0 ? 182 : tu_int(s, 0, 500)); /* exact edges too */
                r.end_reason = (uint8_t)tu_int(s, 1, LM_END_REASON_COUNT - 1);
            }
        }
        rs[j] = r;
    }
}

Test(outcomes, random_against_recount) {
    uint64_t s = 20261204;
    for (int round = 0; round < 60; round++) {
        size_t np = (size_t)tu_int(&s, 1, 40), nr = (size_t)tu_int(&s, 0, 160);
        lm_outcome_person *ps = calloc(np, sizeof *ps);
        lm_outcome_record *rs = calloc(nr ? nr : 1, sizeof *rs);
        random_history(&s, ps, np, rs, nr, round % 2 ? 400 : 4);
        int32_t from = round % 2 ? tu_int(&s, 0, 200) : 0, to = from + (round % 2 ? tu_int(&s, 0, 200) : 4), as_of = to + tu_int(&s, 0, 700);
        int th = tu_int(&s, 1, 6);
        lm_effects *fx = NULL;
        cr_assert_eq(lm_effects_compute(&fx, ps, np, rs, nr, from, to, as_of, th), LM_OK, "round %d", round);
        int64_t *keys = calloc(32 * np + nr + 1, sizeof *keys);
        size_t row = 0;
        for (int dim = 0; dim < LM_DIM_COUNT; dim++) {
            size_t nk = keys_of(keys, ps, np, rs, nr, dim, from, to);
            for (size_t k = 0; k < nk; k++, row++) {
                const lm_effect_row *r = lm_effects_row(fx, row);
                cr_assert_not_null(r, "round %d: row %zu missing", round, row);
                cr_assert_eq(r->dim, dim, "round %d row %zu", round, row);
                cr_assert_eq(r->key, keys[k], "round %d row %zu dim %d", round, row, dim);
                rc_fig f = recount(ps, np, rs, nr, dim, keys[k], from, to, as_of, th);
                cr_assert_eq(r->suppressed, f.hidden, "round %d %s %lld", round, lm_effect_dim_name(dim),
                             (long long)keys[k]);
                for (int g = 0; g < LM_FIG_COUNT; g++)
                    cr_assert(same(r->value[g], f.v[g]), "round %d %s %lld %s: %g, recount %g", round,
                              lm_effect_dim_name(dim), (long long)keys[k], lm_effect_fig_name(g), r->value[g],
                              f.v[g]);
            }
        }
        cr_assert_eq(lm_effects_count(fx), row, "round %d", round);
        lm_effects_free(fx);
        free(keys);
        free(ps);
        free(rs);
    }
}

/* 1e6 records in well under a second or two (not a strict timing test: the
 * machine is shared; it guards against quadratic behaviour). */
Test(outcomes, million_records, .timeout = 60) {
    uint64_t s = 7;
    size_t np = 200000, nr = 1000000;
    lm_outcome_person *ps = calloc(np, sizeof *ps);
    lm_outcome_record *rs = calloc(nr, sizeof *rs);
    random_history(&s, ps, np, rs, nr, 400);
    lm_effects *fx = NULL;
    cr_assert_eq(lm_effects_compute(&fx, ps, np, rs, nr, 0, 400, 1000, 5), LM_OK);
    const lm_effect_row *t = lm_effects_row(fx, 0);
    cr_assert_eq(t->value[LM_FIG_PEOPLE], (double)np);
    lm_effects_free(fx);
    free(ps);
    free(rs);
}
