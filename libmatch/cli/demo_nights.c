/* `lmatch demo --nights N`: simulate N nights on the embedded demo data with
 * no database, then follow the placements for 12 months, and write the effect
 * report (docs/outcomes-demo.md describes the outcome model).
 *
 * Each night runs what `lmatch batch` runs against PostgreSQL: the batch per
 * region as the region's WSP and the coordinated assignment, with the
 * proposals so far as an lm_history (lm_engine_set_history), every status
 * change checked with lm_proposal_transition. Between nights a seeded outcome
 * model moves the open proposals on.
 *
 * Determinism: every random draw is a hash of (seed, what, candidate,
 * vacancy, day), not a stream, so the draws do not depend on the order of
 * events or on the number of threads, and the regional and the municipal-only
 * run see the same fate for the same pair on the same day (common random
 * numbers: their difference is the policy's, not the dice's). */
#include "demo_nights.h"

#include "cli.h"
#include "demo_data.h"
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WSP_ORG_BASE 400000 /* as cmd_demo.c: the regions' employer service points */
#define FOLLOW_UP_DAYS 455  /* after the last night: 12 months for placements that start within 3 months */

/* ---- hashed draws ---------------------------------------------------------- */

enum { DRAW_DELAY = 1, DRAW_OUTCOME, DRAW_WHO, DRAW_START, DRAW_END, DRAW_REASON, DRAW_READY };

static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform in [0, 1) from (seed, what, a, b, day). */
static double draw(uint64_t seed, int what, int64_t a, int64_t b, int32_t day) {
    uint64_t h = mix64(seed ^ UINT64_C(0x6E69676874730000));
    h = mix64(h ^ (uint64_t)what * UINT64_C(0x9E3779B97F4A7C15));
    h = mix64(h ^ (uint64_t)a);
    h = mix64(h ^ (uint64_t)b * UINT64_C(0xD1B54A32D192ED03));
    h = mix64(h ^ (uint64_t)(uint32_t)day);
    return (double)(h >> 11) * 0x1.0p-53;
}

/* ---- simulation state --------------------------------------------------------- */

typedef struct prop {
    lm_outcome_record rec;
    int32_t status, day, reason; /* current lifecycle status, day of its last change, reason */
    int32_t next;                /* day of the next decision (open proposals), else -1 */
    float score;
    int64_t lead;                /* organisation holding the lead (introduced and later), else 0 */
} prop;

typedef struct sim {
    const demo_nights_opts *o;
    demo_data d;
    lm_pool *pool;
    lm_policy *pol;
    lm_engine *eng;
    prop *p;
    size_t np, cap;
    uint8_t *placed_now; /* per candidate row: 1 while in an active placement */
    uint8_t *ready;      /* per candidate row: current readiness (the pool's copy is d.cand.readiness) */
    int32_t first_day, last_night, as_of;
    size_t upserts;      /* readiness improvements applied */
    double seconds_engine;
} sim;

static size_t cand_row(const sim *s, int64_t id) { (void)s; return (size_t)(id - DEMO_CANDIDATE_ID_BASE - 1); }
static size_t vac_row(const sim *s, int64_t id) { (void)s; return (size_t)(id - DEMO_VACANCY_ID_BASE - 1); }

/* Score mapped to 0..1 over the range the demo's proposals span (about 0.3 .. 0.75). */
static double fit(float score) {
    double x = (score - 0.3) / 0.45;
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

static int change(prop *x, int32_t to, int32_t day, int32_t reason) {
    int st = lm_proposal_transition(x->status, to);
    if (st) return cli_fail("proposal status change", st, lm_proposal_status_name(to));
    x->status = to;
    x->day = day;
    x->reason = reason;
    return 0;
}

/* What happens to the open proposal x on its decision day (docs/outcomes-demo.md). */
static int decide(sim *s, prop *x, int32_t day) {
    uint64_t seed = s->o->seed;
    int64_t c = x->rec.candidate_id, v = x->rec.vacancy_id;
    size_t ci = cand_row(s, c);
    int r = s->ready[ci]; /* 1 (A) .. 5 (E) */
    double f = fit(x->score), u = draw(seed, DRAW_OUTCOME, c, v, x->status);
    double who = draw(seed, DRAW_WHO, c, v, x->status);
    int32_t gap = 0;
    switch (x->status) {
    case LM_PROPOSAL_PROPOSED: {
        double p = (0.10 + 0.55 * f) * (1.1 - 0.1 * r);
        if (u < p) {
            if (change(x, LM_PROPOSAL_INTRODUCED, day, LM_REASON_NONE)) return 1;
            x->rec.introduced_day = day;
            x->lead = x->rec.org;
            gap = 2 + (int32_t)(draw(seed, DRAW_DELAY, c, v, x->status) * 13); /* 2..14 days */
        } else if (who < 0.35) {
            if (change(x, LM_PROPOSAL_DECLINED, day, who < 0.15 ? LM_REASON_TRAVEL : LM_REASON_NOT_INTERESTED)) return 1;
        } else if (who < 0.70) {
            if (change(x, LM_PROPOSAL_REJECTED, day, LM_REASON_SKILLS)) return 1;
        } else if (change(x, LM_PROPOSAL_EXPIRED, day, LM_REASON_NO_RESPONSE))
            return 1;
        break;
    }
    case LM_PROPOSAL_INTRODUCED: {
        double p = 0.45 + 0.40 * f;
        if (u < p) {
            if (change(x, LM_PROPOSAL_INTERVIEW, day, LM_REASON_NONE)) return 1;
            gap = 2 + (int32_t)(draw(seed, DRAW_DELAY, c, v, x->status) * 9); /* 2..10 days */
        } else if (who < 0.70) {
            if (change(x, LM_PROPOSAL_REJECTED, day, LM_REASON_SKILLS)) return 1;
        } else if (change(x, LM_PROPOSAL_DECLINED, day, LM_REASON_HOURS))
            return 1;
        break;
    }
    case LM_PROPOSAL_INTERVIEW: {
        double p = 0.40 + 0.35 * f - 0.05 * (r - 1);
        if (u < p) {
            if (change(x, LM_PROPOSAL_PLACED, day, LM_REASON_NONE)) return 1;
            x->rec.placed_day = day + (int32_t)(draw(seed, DRAW_START, c, v, day) * 21); /* starts within 3 weeks */
            s->placed_now[ci] = 1;
        } else if (who < 0.75) {
            if (change(x, LM_PROPOSAL_REJECTED, day, LM_REASON_SKILLS)) return 1;
        } else if (change(x, LM_PROPOSAL_DECLINED, day, LM_REASON_OTHER_JOB))
            return 1;
        break;
    }
    default: break;
    }
    x->next = gap ? day + gap : -1;
    return 0;
}

/* Daily chance that an active placement ends, from readiness and support. */
static double hazard(const sim *s, const prop *x) {
    static const double monthly[6] = {0, 0.02, 0.035, 0.05, 0.07, 0.09}; /* A..E */
    size_t ci = cand_row(s, x->rec.candidate_id);
    double m = monthly[s->ready[ci] >= 1 && s->ready[ci] <= 5 ? s->ready[ci] : 5];
    if (x->rec.lks) m *= 0.7; /* wage-cost subsidy: the employer keeps the person longer */
    if (x->rec.contract == LM_CONTRACT_GARANTIEBAAN || x->rec.contract == LM_CONTRACT_BESCHUT ||
        x->rec.contract == LM_CONTRACT_DETACHERING)
        m *= 0.8; /* support at the workplace */
    lm_candidate_cols cc;
    demo_candidate_cols(&s->d, &cc);
    if (cc.needs && cc.needs[ci]) m *= 1.25; /* support needs */
    return m / 30.4;
}

static int32_t end_reason(double u) {
    if (u < 0.35) return LM_END_DISMISSED;
    if (u < 0.60) return LM_END_PERSON_LEFT;
    if (u < 0.85) return LM_END_CONTRACT_ENDED;
    if (u < 0.92) return LM_END_MOVED;
    return LM_END_OTHER;
}

/* One day of the outcome model: decisions due, placement endings, readiness. */
static int day_events(sim *s, int32_t day, bool nights_running) {
    uint64_t seed = s->o->seed;
    for (size_t i = 0; i < s->np; i++) {
        prop *x = &s->p[i];
        if (x->next == day && decide(s, x, day)) return 1;
        if (x->status == LM_PROPOSAL_PLACED && x->rec.end_day < 0 && x->rec.placed_day < day &&
            draw(seed, DRAW_END, x->rec.candidate_id, x->rec.vacancy_id, day) < hazard(s, x)) {
            x->rec.end_day = day;
            x->rec.end_reason =
                (uint8_t)end_reason(draw(seed, DRAW_REASON, x->rec.candidate_id, x->rec.vacancy_id, day));
            s->placed_now[cand_row(s, x->rec.candidate_id)] = 0;
        }
    }
    if (!nights_running) return 0;
    /* readiness improves: a 4% chance a month to move up one category (not while placed) */
    size_t changed = 0;
    for (size_t i = 0; i < s->d.n_candidates; i++) {
        if (s->ready[i] <= 1 || s->placed_now[i]) continue;
        if (draw(seed, DRAW_READY, s->d.cand.id[i], 0, day) < 0.04 / 30.4) {
            s->ready[i]--;
            s->d.cand.readiness[i] = s->ready[i];
            changed++;
        }
    }
    if (changed) {
        /* the whole pool is upserted: cheap, and independent of which columns the demo data has */
        lm_candidate_cols cc;
        demo_candidate_cols(&s->d, &cc);
        int st = lm_pool_upsert_candidates(s->pool, &cc, s->d.n_candidates);
        if (st) return cli_fail("upsert candidates", st, lm_pool_errmsg(s->pool));
        s->upserts += changed;
    }
    return 0;
}

/* The proposals so far as an lm_history; ended placements are left out (the
 * person is free again and the employer may fill the slot anew). */
static int make_history(sim *s, lm_history **out) {
    size_t n = 0;
    int64_t *pid = malloc((s->np + 1) * sizeof *pid), *vid = malloc((s->np + 1) * sizeof *vid),
            *cid = malloc((s->np + 1) * sizeof *cid), *lead = malloc((s->np + 1) * sizeof *lead);
    int32_t *status = malloc((s->np + 1) * sizeof *status), *day = malloc((s->np + 1) * sizeof *day),
            *reason = malloc((s->np + 1) * sizeof *reason);
    int st = LM_ERR_NOMEM;
    *out = NULL;
    if (pid && vid && cid && lead && status && day && reason) {
        for (size_t i = 0; i < s->np; i++) {
            const prop *x = &s->p[i];
            if (x->status == LM_PROPOSAL_PLACED && x->rec.end_day >= 0) continue;
            pid[n] = x->rec.proposal_id, vid[n] = x->rec.vacancy_id, cid[n] = x->rec.candidate_id;
            lead[n] = x->lead, status[n] = x->status, day[n] = x->day, reason[n] = x->reason;
            n++;
        }
        lm_history_cols hc = LM_HISTORY_COLS_INIT;
        hc.proposal_id = pid, hc.vacancy_id = vid, hc.candidate_id = cid, hc.status = status, hc.day = day;
        hc.lead_org = lead, hc.reason = reason;
        st = lm_history_create(out);
        if (!st) st = lm_history_add(*out, &hc, n);
        if (st) cli_fail("history", st, *out ? lm_history_errmsg(*out) : NULL);
    } else
        cli_fail("history", st, NULL);
    free(pid), free(vid), free(cid), free(lead), free(status), free(day), free(reason);
    if (st) {
        lm_history_free(*out);
        *out = NULL;
        return 1;
    }
    return 0;
}

static int add_prop(sim *s, const lm_match *m, int32_t region, int32_t day) {
    if (s->np == s->cap) {
        size_t nc = s->cap ? 2 * s->cap : 4096;
        prop *q = realloc(s->p, nc * sizeof *q);
        if (!q) return cli_fail("proposals", LM_ERR_NOMEM, NULL);
        s->p = q, s->cap = nc;
    }
    prop *x = &s->p[s->np];
    lm_outcome_record r = LM_OUTCOME_RECORD_INIT;
    size_t ci = cand_row(s, m->candidate_id), vi = vac_row(s, m->vacancy_id);
    r.proposal_id = (int64_t)s->np + 1;
    r.candidate_id = m->candidate_id;
    r.vacancy_id = m->vacancy_id;
    r.org = WSP_ORG_BASE + region;
    r.work_municipality = m->vacancy_municipality;
    lm_vacancy_cols vc;
    demo_vacancy_cols(&s->d, &vc);
    r.vacancy_kind = vc.kind ? vc.kind[vi] : LM_KIND_REGULAR;
    uint32_t g = s->d.cand.groups[ci];
    r.contract = r.vacancy_kind == LM_KIND_GARANTIEBAAN || (g & LM_GROUP_BANENAFSPRAAK) ? LM_CONTRACT_GARANTIEBAAN
                 : r.vacancy_kind == LM_KIND_BESCHUT || (g & LM_GROUP_NIEUW_BESCHUT) ? LM_CONTRACT_BESCHUT
                 : r.vacancy_kind == LM_KIND_DETACHERING                          ? LM_CONTRACT_DETACHERING
                 : r.vacancy_kind == LM_KIND_WERKERVARINGSPLEK                    ? LM_CONTRACT_WERKERVARINGSPLEK
                                                                                  : LM_CONTRACT_REGULAR;
    r.lks = s->d.cand.loonwaarde[ci] < 100.0f; /* loonwaarde (percent) below 100: loonkostensubsidie */
    float lo = s->d.cand.hours_min[ci] > s->d.vac.hours_min[vi] ? s->d.cand.hours_min[ci] : s->d.vac.hours_min[vi];
    float hi = s->d.cand.hours_max[ci] < s->d.vac.hours_max[vi] ? s->d.cand.hours_max[ci] : s->d.vac.hours_max[vi];
    r.hours = hi >= lo ? (lo + hi) / 2 : s->d.vac.hours_max[vi];
    r.proposed_day = day;
    *x = (prop){r, LM_PROPOSAL_PROPOSED, day, LM_REASON_NONE, -1, m->score, 0};
    x->next = day + 1 + (int32_t)(draw(s->o->seed, DRAW_DELAY, m->candidate_id, m->vacancy_id, day) * 7);
    s->np++;
    return 0;
}

/* Index of the open "proposed" record of a pair, or SIZE_MAX. */
typedef struct pairkey {
    int64_t c, v;
    size_t i;
} pairkey;

static int cmp_pair(const void *a, const void *b) {
    const pairkey *x = a, *y = b;
    if (x->c != y->c) return (x->c > y->c) - (x->c < y->c);
    return (x->v > y->v) - (x->v < y->v);
}

/* One night: batch and assignment per region; new pairs become proposals,
 * open proposals the night no longer makes are withdrawn (superseded). */
static int night(sim *s, int32_t day) {
    int rc = 1, st;
    lm_history *h = NULL;
    lm_snapshot *snap = NULL;
    uint8_t *kept = NULL;
    pairkey *open = NULL;
    size_t nopen = 0, n_before = s->np;
    if (make_history(s, &h)) return 1;
    double t0 = cli_now();
    if ((st = lm_policy_set_f64(s->pol, LM_POLICY_AS_OF_DAY, day))) { cli_fail("policy", st, NULL); goto out; }
    lm_engine_free(s->eng);
    s->eng = NULL;
    if ((st = lm_engine_create(&s->eng, s->pol, NULL)) ||
        (st = lm_engine_set_i64(s->eng, LM_ENGINE_THREADS, (int64_t)s->o->threads)) ||
        (st = lm_engine_set_history(s->eng, h))) {
        cli_fail("engine", st, s->eng ? lm_engine_errmsg(s->eng) : NULL);
        goto out;
    }
    if ((st = lm_pool_snapshot(&snap, s->pool))) { cli_fail("snapshot", st, lm_pool_errmsg(s->pool)); goto out; }
    open = malloc((s->np + 1) * sizeof *open);
    kept = calloc(s->np + 1, 1);
    if (!open || !kept) { cli_fail("night", LM_ERR_NOMEM, NULL); goto out; }
    for (size_t i = 0; i < s->np; i++)
        if (s->p[i].status == LM_PROPOSAL_PROPOSED)
            open[nopen++] = (pairkey){s->p[i].rec.candidate_id, s->p[i].rec.vacancy_id, i};
    qsort(open, nopen, sizeof *open, cmp_pair);
    for (size_t ri = 0; ri < demo_n_regions; ri++) {
        const demo_region *reg = &demo_regions[ri];
        lm_viewer v = LM_VIEWER_INIT;
        v.org = WSP_ORG_BASE + reg->id;
        v.region = reg->id;
        lm_batch_options bo = LM_BATCH_OPTIONS_INIT;
        bo.k_candidates = bo.k_vacancies = s->o->k;
        bo.vacancy_region = reg->id;
        lm_results *res = NULL;
        lm_assignment *asg = NULL;
        if ((st = lm_engine_batch(&res, s->eng, snap, &v, &bo))) { cli_fail("batch", st, lm_engine_errmsg(s->eng)); goto out; }
        st = lm_engine_assign(&asg, s->eng, res, NULL);
        lm_results_free(res);
        if (st) { cli_fail("assign", st, lm_engine_errmsg(s->eng)); goto out; }
        size_t n = 0;
        lm_assignment_count(&n, asg);
        for (size_t i = 0; i < n && !st; i++) {
            lm_match m;
            if ((st = lm_assignment_copy(&m, sizeof m, 1, NULL, asg, i))) { cli_fail("copy proposals", st, NULL); break; }
            pairkey key = {m.candidate_id, m.vacancy_id, 0}, *hit = bsearch(&key, open, nopen, sizeof *open, cmp_pair);
            if (hit) kept[hit->i] = 1;
            else if (add_prop(s, &m, reg->id, day)) st = LM_ERR_NOMEM;
        }
        lm_assignment_free(asg);
        if (st) goto out;
    }
    for (size_t q = 0; q < nopen; q++)
        if (!kept[open[q].i] && q < n_before) {
            prop *x = &s->p[open[q].i];
            if (change(x, LM_PROPOSAL_WITHDRAWN, day, LM_REASON_SUPERSEDED)) goto out;
            x->next = -1;
        }
    s->seconds_engine += cli_now() - t0;
    rc = 0;
out:
    free(open);
    free(kept);
    lm_snapshot_free(snap);
    lm_history_free(h);
    return rc;
}

static void sim_free(sim *s) {
    lm_engine_free(s->eng);
    lm_policy_free(s->pol);
    lm_pool_free(s->pool);
    demo_free(&s->d);
    free(s->p);
    free(s->placed_now);
    free(s->ready);
    memset(s, 0, sizeof *s);
}

/* Run the nights (municipal-only when local) and the follow-up. 0 ok, 1 error,
 * 2 the library has no municipal-only policy. */
static int simulate(sim *s, const demo_nights_opts *o, bool local) {
    memset(s, 0, sizeof *s);
    s->o = o;
    if (demo_generate(&s->d, o->seed, DEMO_DEFAULT_DIM, DEMO_DEFAULT_CANDIDATES, DEMO_DEFAULT_VACANCIES)) {
        fprintf(stderr, "lmatch demo: could not generate the demo data (out of memory)\n");
        return 1;
    }
    s->placed_now = calloc(s->d.n_candidates, 1);
    s->ready = malloc(s->d.n_candidates);
    if (!s->placed_now || !s->ready) return cli_fail("demo", LM_ERR_NOMEM, NULL);
    memcpy(s->ready, s->d.cand.readiness, s->d.n_candidates);
    lm_candidate_cols cc;
    lm_vacancy_cols vc;
    demo_candidate_cols(&s->d, &cc);
    demo_vacancy_cols(&s->d, &vc);
    int st;
    if ((st = lm_pool_create(&s->pool, s->d.dim)) || (st = lm_pool_add_candidates(s->pool, &cc, s->d.n_candidates)) ||
        (st = lm_pool_add_vacancies(s->pool, &vc, s->d.n_vacancies)))
        return cli_fail("pool", st, s->pool ? lm_pool_errmsg(s->pool) : NULL);
    if ((st = lm_policy_create(&s->pol)) || (st = lm_policy_set_f64(s->pol, LM_POLICY_COMPETENCE_MODEL, o->model)))
        return cli_fail("policy", st, NULL);
    if (local && lm_policy_set_f64(s->pol, LM_POLICY_LOCAL_ONLY, 1) != LM_OK) return 2;
    s->first_day = DEMO_TODAY;
    s->last_night = DEMO_TODAY + (int32_t)o->nights - 1;
    s->as_of = s->last_night + FOLLOW_UP_DAYS;
    for (int32_t day = s->first_day; day <= s->as_of; day++) {
        bool running = day <= s->last_night;
        if (day_events(s, day, running)) return 1;
        if (running && night(s, day)) return 1;
    }
    /* proposals nobody acted on by the end of the follow-up expire */
    for (size_t i = 0; i < s->np; i++)
        if (s->p[i].next >= 0) {
            if (change(&s->p[i], LM_PROPOSAL_EXPIRED, s->as_of, LM_REASON_NO_RESPONSE)) return 1;
            s->p[i].next = -1;
        }
    return 0;
}

/* Distinct persons placed and vacancies with a placement, overall and per group. */
static void count_placed(const sim *s, double *placed, double *filled, double *group) {
    uint8_t *pc = calloc(s->d.n_candidates, 1), *pv = calloc(s->d.n_vacancies, 1);
    *placed = *filled = 0;
    for (unsigned b = 0; b < CLI_REPORT_GROUPS; b++) group[b] = 0;
    if (!pc || !pv) {
        free(pc), free(pv);
        return;
    }
    for (size_t i = 0; i < s->np; i++) {
        const lm_outcome_record *r = &s->p[i].rec;
        if (r->placed_day < 0) continue;
        size_t ci = cand_row(s, r->candidate_id), vi = vac_row(s, r->vacancy_id);
        if (!pc[ci]) {
            pc[ci] = 1;
            (*placed)++;
            for (unsigned b = 0; b < CLI_REPORT_GROUPS; b++) group[b] += s->d.cand.groups[ci] >> b & 1u;
        }
        if (!pv[vi]) pv[vi] = 1, (*filled)++;
    }
    free(pc), free(pv);
}

static int write_records(const sim *s, const char *dir) {
    cli_out o;
    if (cli_out_open(&o, dir, "nights.csv")) return 1;
    fputs("proposal_id,candidate_id,vacancy_id,org,work_municipality,vacancy_kind,status,reason,proposed_day,"
          "introduced_day,placed_day,end_day,end_reason,contract,lks,hours,score\n", o.f);
    for (size_t i = 0; i < s->np; i++) {
        const prop *x = &s->p[i];
        const lm_outcome_record *r = &x->rec;
        fprintf(o.f, "%lld,%lld,%lld,%lld,%d,%u,%s,%s,%d,%d,%d,%d,%s,%s,%u,%.1f,%.6f\n", (long long)r->proposal_id,
                (long long)r->candidate_id, (long long)r->vacancy_id, (long long)r->org, r->work_municipality,
                r->vacancy_kind, lm_proposal_status_name(x->status), lm_reason_name(x->reason), r->proposed_day,
                r->introduced_day, r->placed_day, r->end_day, lm_end_reason_name(r->end_reason),
                lm_contract_name(r->contract), r->lks, r->hours, x->score);
    }
    return cli_out_commit(&o) ? 1 : 0;
}

static void print_pct(double v, bool sup) {
    if (sup) printf(" %9s", "*");
    else if (isnan(v)) printf(" %9s", "-");
    else printf(" %8.1f%%", 100 * v);
}

static void print_count(double v, bool sup) {
    if (sup) printf(" %9s", "*");
    else if (isnan(v)) printf(" %9s", "-");
    else printf(" %9.0f", v);
}

static void print_summary(const lm_effects *fx, const demo_nights_opts *o) {
    static const int figs[] = {LM_FIG_PEOPLE, LM_FIG_PROPOSED, LM_FIG_INTRODUCED, LM_FIG_PLACED, LM_FIG_PLACEMENT_RATE,
                               LM_FIG_MEDIAN_DAYS, LM_FIG_RETAINED_6M, LM_FIG_RETAINED_12M};
    printf("Funnel and retention per target group (persons; retention = share of first placements still "
           "running after 6 / 12 months;\n* = fewer than %d, suppressed)\n", o->threshold);
    printf("  %-32s %9s %9s %9s %9s %9s %9s %9s %9s\n", "target group", "pool", "proposed", "introd.", "placed",
           "rate", "med.days", "6 months", "12 months");
    for (size_t i = 0, n = lm_effects_count(fx); i < n; i++) {
        lm_effect_row row = *lm_effects_row(fx, i), *r = &row;
        if (r->dim != LM_DIM_TOTAL && r->dim != LM_DIM_GROUP) continue;
        cli_report_secondary(r, o->threshold); /* as the report shows it */
        const char *name = "all";
        if (r->dim == LM_DIM_GROUP)
            for (unsigned b = 0; b < CLI_REPORT_GROUPS; b++)
                if (r->key == (int64_t)1 << b) name = cli_report_group_name(b);
        printf("  %-32s", name);
        for (size_t q = 0; q < sizeof figs / sizeof figs[0]; q++) {
            int g = figs[q];
            bool sup = r->suppressed >> g & 1u;
            if (g == LM_FIG_PLACEMENT_RATE || g == LM_FIG_RETAINED_6M || g == LM_FIG_RETAINED_12M)
                print_pct(r->value[g], sup);
            else
                print_count(r->value[g], sup);
        }
        printf("\n");
    }
}

int demo_nights(const demo_nights_opts *o) {
    double t0 = cli_now();
    sim reg, loc;
    memset(&loc, 0, sizeof loc);
    int rc = 1;
    lm_effects *fx = NULL;
    lm_outcome_person *persons = NULL;
    lm_outcome_record *recs = NULL;
    printf("libmatch %s demo: %u simulated night%s on the embedded data (seed %llu), then 15 months of follow-up\n",
           lm_version_string(), o->nights, o->nights == 1 ? "" : "s", (unsigned long long)o->seed);
    if (simulate(&reg, o, false)) goto out;
    double t_reg = cli_now() - t0;
    /* persons and records */
    persons = malloc(reg.d.n_candidates * sizeof *persons);
    recs = malloc((reg.np + 1) * sizeof *recs);
    if (!persons || !recs) { cli_fail("demo", LM_ERR_NOMEM, NULL); goto out; }
    demo_data d0;
    if (demo_generate(&d0, o->seed, DEMO_DEFAULT_DIM, DEMO_DEFAULT_CANDIDATES, DEMO_DEFAULT_VACANCIES)) {
        cli_fail("demo", LM_ERR_NOMEM, NULL);
        goto out;
    }
    for (size_t i = 0; i < reg.d.n_candidates; i++) {
        lm_outcome_person p = LM_OUTCOME_PERSON_INIT;
        p.candidate_id = reg.d.cand.id[i];
        p.org = reg.d.cand.owner_org[i];
        p.groups = reg.d.cand.groups[i];
        p.readiness = d0.cand.readiness[i]; /* readiness when the nights began */
        p.municipality = reg.d.cand.municipality[i];
        persons[i] = p;
    }
    demo_free(&d0);
    for (size_t i = 0; i < reg.np; i++) recs[i] = reg.p[i].rec;
    int st = lm_effects_compute(&fx, persons, reg.d.n_candidates, recs, reg.np, reg.first_day, reg.last_night,
                                reg.as_of, o->threshold);
    if (st) { cli_fail("effect figures", st, NULL); goto out; }

    cli_report_info info = {0};
    char title[128], src[256], note[512];
    snprintf(title, sizeof title, "Effects of matching: %u simulated night%s (demo)", o->nights,
             o->nights == 1 ? "" : "s");
    snprintf(src, sizeof src, "lmatch demo --nights %u --seed %llu: the embedded demo pools of three labour-market "
             "regions with a simulated, seeded outcome model (docs/outcomes-demo.md), not real people",
             o->nights, (unsigned long long)o->seed);
    info.title = title;
    info.source = src;
    info.from_day = reg.first_day;
    info.to_day = reg.last_night;
    info.as_of_day = reg.as_of;
    info.threshold = o->threshold;
    int lr = simulate(&loc, o, true);
    if (lr == 1) goto out;
    if (lr == 2) {
        info.cf.kind = CLI_CF_OBSERVED;
        info.cf.note = "This build of libmatch has no municipal-only policy (LM_POLICY_LOCAL_ONLY), so the "
                       "simulated comparison could not be run; the observed cross-border placements are shown.";
    } else {
        info.cf.kind = CLI_CF_SIMULATED;
        count_placed(&reg, &info.cf.placed_regional, &info.cf.filled_regional, info.cf.group_regional);
        count_placed(&loc, &info.cf.placed_local, &info.cf.filled_local, info.cf.group_local);
        snprintf(note, sizeof note, "Counted over the nights and the 15 months of follow-up: distinct persons with a "
                 "placement and distinct vacancies with at least one placement. Both runs use the same data, the "
                 "same seed and the same outcome draws per pair and day.");
        info.cf.note = note;
    }
    char rdir[4096];
    snprintf(rdir, sizeof rdir, "%s/report", o->outdir);
    if (cli_mkdirs(o->outdir) || write_records(&reg, o->outdir)) goto out;
    if (cli_report_write(rdir, fx, persons, reg.d.n_candidates, recs, reg.np, &info)) goto out;

    char d1[16], d2[16], d3[16];
    printf("Nights %s .. %s: %zu proposals; figures as of %s (after 15 months of follow-up); %zu readiness "
           "improvements\n\n", cli_report_date(d1, reg.first_day), cli_report_date(d2, reg.last_night), reg.np,
           cli_report_date(d3, reg.as_of), reg.upserts);
    print_summary(fx, o);
    if (info.cf.kind == CLI_CF_SIMULATED)
        printf("\nRegional against municipal-only matching (the same nights with LM_POLICY_LOCAL_ONLY = 1):\n"
               "  persons placed    %6.0f regional, %6.0f municipal-only\n"
               "  vacancies filled  %6.0f regional, %6.0f municipal-only\n"
               "  regional matching made %.0f extra placements and filled %.0f more vacancies.\n",
               info.cf.placed_regional, info.cf.placed_local, info.cf.filled_regional, info.cf.filled_local,
               info.cf.placed_regional - info.cf.placed_local, info.cf.filled_regional - info.cf.filled_local);
    else
        printf("\nRegional against municipal-only matching: not run (this library has no LM_POLICY_LOCAL_ONLY).\n");
    printf("\nReport: %s/index.html (open it in a browser) and its CSV files; simulated records: %s/nights.csv\n",
           rdir, o->outdir);
    printf("Done in %.2f s (regional run %.2f s, of which engine %.2f s).\n", cli_now() - t0, t_reg,
           reg.seconds_engine);
    rc = 0;
out:
    lm_effects_free(fx);
    free(persons);
    free(recs);
    sim_free(&reg);
    sim_free(&loc);
    return rc;
}
