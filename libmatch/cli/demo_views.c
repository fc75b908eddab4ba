/* The demo's region-wide views (issue 14): what the competence floor and the
 * minimum score keep out, what regional matching adds over matching inside
 * each municipality, proposals per readiness category under the two presets
 * for who comes first, and who is not matched at all and why. Each view runs
 * the same batch and assignment as the demo with one policy change, so the
 * numbers differ from the demo's only by that change. All counts are exact
 * and independent of the number of threads. */
#include "cli.h"
#include "demo_data.h"

#include <stdlib.h>
#include <string.h>

static lm_viewer wsp_viewer(int32_t region) {
    lm_viewer v = LM_VIEWER_INIT;
    v.org = DEMO_WSP_ORG_BASE + region; /* the region's WSP */
    v.region = region;
    return v;
}

double demo_feasible_pairs(lm_engine *eng, const lm_snapshot *snap, const demo_data *d, int32_t region) {
    lm_viewer v = wsp_viewer(region);
    double total = 0;
    for (size_t j = 0; j < d->n_vacancies; j++) {
        if (d->vac.region[j] != region) continue;
        lm_results *q = NULL;
        size_t n = 0;
        int st = lm_engine_query_vacancy(&q, eng, snap, &v, d->vac.id[j], LM_MAX_K);
        if (st) return cli_fail("count feasible pairs", st, lm_engine_errmsg(eng)), -1;
        lm_results_count(&n, q, LM_DIR_VACANCY);
        lm_results_free(q);
        total += (double)n;
    }
    return total;
}

/* The demo's policy with one change: key = value, or a preset when key < 0. */
static int variant_engine(lm_engine **out, const demo_view_ctx *c, int32_t key, double value) {
    lm_policy *p = NULL;
    int st = lm_policy_create(&p);
    if (!st) st = lm_policy_set_f64(p, LM_POLICY_AS_OF_DAY, DEMO_TODAY);
    if (!st) st = lm_policy_set_f64(p, LM_POLICY_COMPETENCE_MODEL, c->model);
    if (!st) st = key < 0 ? lm_policy_preset(p, (int32_t)value) : lm_policy_set_f64(p, key, value);
    if (!st) st = lm_engine_create(out, p, c->travel);
    if (!st) st = lm_engine_set_i64(*out, LM_ENGINE_THREADS, c->threads);
    lm_policy_free(p);
    if (st) cli_fail("policy variant", st, NULL);
    return st;
}

typedef struct run_sum {
    double props, served, feasible;
    uint64_t ready[6];
} run_sum;

/* Batch and coordinated assignment over every region, as the demo runs them. */
static int run_regions(run_sum *s, lm_engine *eng, const demo_view_ctx *c, bool count_feasible) {
    memset(s, 0, sizeof *s);
    for (size_t ri = 0; ri < demo_n_regions; ri++) {
        int32_t region = demo_regions[ri].id;
        lm_viewer v = wsp_viewer(region);
        lm_batch_options o = LM_BATCH_OPTIONS_INIT;
        o.k_candidates = o.k_vacancies = c->k;
        o.vacancy_region = region;
        lm_results *res = NULL;
        lm_assignment *a = NULL;
        int st = lm_engine_batch(&res, eng, c->snap, &v, &o);
        if (!st) st = lm_engine_assign(&a, eng, res, NULL);
        if (st) {
            cli_fail("view batch", st, lm_engine_errmsg(eng));
            lm_results_free(res);
            return st;
        }
        double x = 0;
        lm_assignment_stat(&x, a, LM_ASTAT_PROPOSALS);
        s->props += x;
        lm_assignment_stat(&x, a, LM_ASTAT_VACANCIES_SERVED);
        s->served += x;
        size_t n = 0;
        lm_assignment_count(&n, a);
        lm_match buf[256];
        for (size_t done = 0; done < n;) {
            size_t got = 0;
            if ((st = lm_assignment_copy(buf, sizeof buf[0], 256, &got, a, done)) || !got) break;
            for (size_t i = 0; i < got; i++) {
                int64_t row = buf[i].candidate_id - DEMO_CANDIDATE_ID_BASE - 1;
                if (row >= 0 && (size_t)row < c->data->n_candidates && c->data->cand.readiness[row] <= LM_READY_E)
                    s->ready[c->data->cand.readiness[row]]++;
            }
            done += got;
        }
        lm_assignment_free(a);
        lm_results_free(res);
        if (st) return cli_fail("view proposals", st, NULL), st;
        if (count_feasible) {
            double f = demo_feasible_pairs(eng, c->snap, c->data, region);
            if (f < 0) return LM_ERR_NOMEM;
            s->feasible += f;
        }
    }
    return LM_OK;
}

static void print_ready(const char *label, const run_sum *s) {
    printf("  %-34s", label);
    for (int r = LM_READY_A; r <= LM_READY_E; r++)
        printf(" %c %5llu (%2.0f%%)", 'A' + r - LM_READY_A, (unsigned long long)s->ready[r],
               s->props > 0 ? 100.0 * (double)s->ready[r] / s->props : 0.0);
    printf("  total %5.0f\n", s->props);
}

/* Plain words for a binding constraint (lm_unmatched_person::binding). */
static const char *binding_words(int32_t b) {
    switch (b) {
    case LM_CONSTRAINT_TARGET_GROUP: return "no place open to their target group";
    case LM_CONSTRAINT_READINESS: return "not yet ready enough for the places";
    case LM_CONSTRAINT_LOONWAARDE: return "wage value below the places' minimum";
    case LM_CONSTRAINT_FLAGS: return "missing a licence, certificate or Dutch B1";
    case LM_CONSTRAINT_HOURS: return "hours do not fit";
    case LM_CONSTRAINT_DATES: return "available only after the places close";
    case LM_CONSTRAINT_TRAVEL: return "too far to travel";
    case LM_CONSTRAINT_MIN_SCORE: return "match below the minimum score";
    case LM_CONSTRAINT_NEEDS: return "support they need is not offered";
    case LM_CONSTRAINT_MIN_COMPETENCE: return "skills below the competence floor";
    case LM_CONSTRAINT_LOCAL_ONLY: return "no place in their own municipality";
    case LM_CONSTRAINT_COOLDOWN: return "recently declined or rejected";
    case LM_CONSTRAINT_IN_PROGRESS: return "already in a procedure";
    case LM_BINDING_SEVERAL: return "several reasons for every place";
    case LM_BINDING_NO_VACANCY: return "no open vacancy at all";
    default: return "other";
    }
}

/* Target groups shown as columns of the unmatched view. */
static const struct {
    uint32_t bit;
    const char *name;
} view_groups[] = {{LM_GROUP_BIJSTAND, "bijstand"},     {LM_GROUP_WW, "WW"},
                   {LM_GROUP_BANENAFSPRAAK, "register"}, {LM_GROUP_NIEUW_BESCHUT, "beschut"},
                   {LM_GROUP_WSW, "Wsw"},               {LM_GROUP_STATUSHOUDER, "statush."},
                   {LM_GROUP_JONGERE, "under 27"},      {LM_GROUP_NUG, "nug"}};
#define N_VIEW_GROUPS (sizeof view_groups / sizeof view_groups[0])
#define MAX_BINDINGS 24 /* bindings -2 .. 21 */

static int unmatched_view(lm_engine *eng, const demo_view_ctx *c) {
    uint64_t cnt[MAX_BINDINGS][N_VIEW_GROUPS + 1];
    memset(cnt, 0, sizeof cnt);
    double people = 0, unmatched = 0;
    for (size_t ri = 0; ri < demo_n_regions; ri++) {
        lm_viewer v = wsp_viewer(demo_regions[ri].id);
        lm_batch_options o = LM_BATCH_OPTIONS_INIT;
        o.vacancy_region = demo_regions[ri].id;
        lm_unmatched *u = NULL;
        int st = lm_engine_unmatched(&u, eng, c->snap, &v, &o);
        if (st) return cli_fail("unmatched view", st, lm_engine_errmsg(eng)), st;
        double x = 0;
        lm_unmatched_stat(&x, u, LM_UNMATCHED_STAT_PEOPLE);
        people += x;
        lm_unmatched_stat(&x, u, LM_UNMATCHED_STAT_UNMATCHED);
        unmatched += x;
        size_t n = 0;
        lm_unmatched_cells(NULL, sizeof(lm_unmatched_cell), 0, &n, u);
        lm_unmatched_cell *cells = n ? calloc(n, sizeof *cells) : NULL;
        if (n && !cells) {
            lm_unmatched_free(u);
            return cli_fail("unmatched view", LM_ERR_NOMEM, NULL), LM_ERR_NOMEM;
        }
        if (n) st = lm_unmatched_cells(cells, sizeof *cells, n, NULL, u);
        for (size_t i = 0; !st && i < n; i++) {
            int32_t b = cells[i].binding + 2;
            if (b < 0 || b >= MAX_BINDINGS) continue;
            if (cells[i].group == 0) cnt[b][N_VIEW_GROUPS] += cells[i].people;
            for (size_t g = 0; g < N_VIEW_GROUPS; g++)
                if (cells[i].group == view_groups[g].bit) cnt[b][g] += cells[i].people;
        }
        free(cells);
        lm_unmatched_free(u);
        if (st) return cli_fail("unmatched view", st, NULL), st;
    }
    printf("People with no feasible vacancy at all: %.0f of %.0f, by what stands in the way most often\n"
           "(the rule that, lifted alone, would open the most places; people of several regions count in each;\n"
           "a person in several target groups counts in each group column)\n",
           unmatched, people);
    printf("  %-44s %7s", "what stands in the way", "people");
    for (size_t g = 0; g < N_VIEW_GROUPS; g++) printf(" %8s", view_groups[g].name);
    printf("\n");
    for (int b = 0; b < MAX_BINDINGS; b++) {
        if (!cnt[b][N_VIEW_GROUPS]) continue;
        printf("  %-44s %7llu", binding_words(b - 2), (unsigned long long)cnt[b][N_VIEW_GROUPS]);
        for (size_t g = 0; g < N_VIEW_GROUPS; g++) printf(" %8llu", (unsigned long long)cnt[b][g]);
        printf("\n");
    }
    printf("\n");
    return LM_OK;
}

int demo_views(const demo_view_ctx *c) {
    lm_engine *e = NULL;
    run_sum s;
    int st;

    /* 1. What the floors keep out: the exact feasible count without them. */
    double f_none = 0, f_comp = 0, floor_comp = 0, floor_score = 0;
    lm_policy *dp = NULL;
    if ((st = lm_policy_create(&dp))) return cli_fail("policy", st, NULL), st;
    lm_policy_get_f64(&floor_comp, dp, LM_POLICY_MIN_COMPETENCE);
    lm_policy_get_f64(&floor_score, dp, LM_POLICY_MIN_SCORE);
    lm_policy_free(dp);
    for (int pass = 0; pass < 2; pass++) {
        lm_policy *p = NULL;
        st = lm_policy_create(&p);
        if (!st) st = lm_policy_set_f64(p, LM_POLICY_AS_OF_DAY, DEMO_TODAY);
        if (!st) st = lm_policy_set_f64(p, LM_POLICY_COMPETENCE_MODEL, c->model);
        if (!st) st = lm_policy_set_f64(p, LM_POLICY_MIN_SCORE, 0);
        if (!st && pass == 0) st = lm_policy_set_f64(p, LM_POLICY_MIN_COMPETENCE, 0);
        if (!st) st = lm_engine_create(&e, p, c->travel);
        if (!st) st = lm_engine_set_i64(e, LM_ENGINE_THREADS, c->threads);
        lm_policy_free(p);
        if (st) return cli_fail("policy variant", st, NULL), st;
        double f = 0;
        for (size_t ri = 0; ri < demo_n_regions && f >= 0; ri++) {
            double x = demo_feasible_pairs(e, c->snap, c->data, demo_regions[ri].id);
            f = x < 0 ? -1 : f + x;
        }
        lm_engine_free(e);
        e = NULL;
        if (f < 0) return LM_ERR_NOMEM;
        if (pass == 0) f_none = f;
        else f_comp = f;
    }
    printf("Reliable proposals: a pair whose skills fit is below %.2f (the competence floor) or whose score is below\n"
           "%.2f (the minimum score) is never proposed. Of %.0f pairs that pass every other rule, the competence\n"
           "floor keeps out %.0f and the minimum score another %.0f, leaving the %.0f feasible pairs above.\n\n",
           floor_comp, floor_score, f_none, f_none - f_comp, f_comp - c->feasible, c->feasible);

    /* 2. Municipal-only: the same batch and assignment, each person matched
     * only with vacancies in their own municipality of residence. */
    if ((st = variant_engine(&e, c, LM_POLICY_LOCAL_ONLY, 1))) return st;
    st = run_regions(&s, e, c, false);
    lm_engine_free(e);
    e = NULL;
    if (st) return st;
    printf("What regional matching adds: matching each person only within their own municipality, with the same\n"
           "rules, would propose %.0f people and serve %.0f vacancies; matching across the region proposes %.0f\n"
           "people (%+.0f) and serves %.0f vacancies (%+.0f).\n\n",
           s.props, s.served, c->props, c->props - s.props, c->served, c->served - s.served);

    /* 3. Who comes first: proposals per readiness category under the presets. */
    printf("Who comes first: coordinated proposals by readiness (A = ready for work ... E = furthest from work)\n");
    static const struct {
        int32_t preset;
        const char *label;
    } presets[] = {{LM_PRESET_DEFAULT, "default policy (as above)"},
                   {LM_PRESET_CLOSEST_FIRST, "preset closest to work first"},
                   {LM_PRESET_FURTHEST_FIRST, "preset furthest from work first"}};
    for (size_t q = 0; q < sizeof presets / sizeof presets[0]; q++) {
        if ((st = variant_engine(&e, c, -1, presets[q].preset))) return st;
        st = run_regions(&s, e, c, false);
        lm_engine_free(e);
        e = NULL;
        if (st) return st;
        print_ready(presets[q].label, &s);
    }
    printf("  (the presets raise the readiness weight from 0.05 to 0.2; \"furthest first\" scores E highest, A lowest:\n"
           "   docs/scoring.md, \"Who comes first\")\n\n");

    /* 4. Who is not matched at all, and why. */
    if ((st = variant_engine(&e, c, LM_POLICY_AS_OF_DAY, DEMO_TODAY))) return st;
    st = unmatched_view(e, c);
    lm_engine_free(e);
    return st;
}
