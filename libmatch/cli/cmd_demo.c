/* lmatch demo: the nightly batch on the embedded demo pools of three
 * labour-market regions, with a summary for WSP staff in plain words and CSV
 * results (docs/demo-output.md). The region-wide views are in demo_views.c,
 * the travel model with the Texel ferry in demo_travel.c. */
#include "cli.h"
#include "demo_data.h"
#include "owndata.h"
#include "demo_nights.h"

#include <stdlib.h>
#include <string.h>

typedef struct region_stat {
    size_t cands, visible, vacs, slots, with_match, best_cross, best_any;
} region_stat;

static const char *muni_name(int32_t code) {
    const demo_municipality *m = demo_municipality_find(code);
    return m ? m->name : "?";
}

/* Readiness category A-E of a demo candidate (its row follows from the id). */
static char readiness_letter(const demo_data *d, int64_t candidate_id) {
    int64_t row = candidate_id - DEMO_CANDIDATE_ID_BASE - 1;
    if (row < 0 || (size_t)row >= d->n_candidates) return '?';
    uint8_t r = d->cand.readiness[row];
    return r >= LM_READY_A && r <= LM_READY_E ? (char)('A' + r - LM_READY_A) : '?';
}

/* The policy's weights, normalised to shares of the score (they add up to 1). */
typedef struct weights {
    double comp, travel, hours, ready, prio;
} weights;

static void print_match(const demo_data *d, const weights *w, const lm_match *m) {
    printf("   %u. person %lld from %s, readiness %c: score %.3f\n", m->rank, (long long)m->candidate_id,
           muni_name(m->candidate_municipality), readiness_letter(d, m->candidate_id), m->score);
    printf("      = %.2f x competence %.2f + %.2f x travel %.2f (%s %.0f min) + %.2f x hours %.2f + %.2f x readiness %.2f",
           w->comp, m->competence, w->travel, m->travel, cli_mode_name(m->travel_mode), m->travel_minutes, w->hours,
           m->hours, w->ready, m->readiness);
    if (w->prio > 0) printf(" + %.2f x priority %.2f", w->prio, m->priority);
    printf("\n");
}

/* The results writers shared with lmatch batch --candidates (owndata.h):
 * the 14 columns of docs/own-data.md. The demo writes the same columns plus
 * readiness_category and vacancy_kind (demo_csv_row). */
static void csv_row(FILE *f, int32_t region, const lm_match *m) {
    fprintf(f, "%d,%lld,%d,%lld,%d,%u,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.2f,%s\n", region, (long long)m->vacancy_id,
            m->vacancy_municipality, (long long)m->candidate_id, m->candidate_municipality, m->rank, m->score,
            m->competence, m->travel, m->hours, m->readiness, m->priority, m->travel_minutes,
            cli_mode_name(m->travel_mode));
}

void csv_header(FILE *f) {
    fputs("region,vacancy_id,vacancy_municipality,candidate_id,candidate_municipality,rank,score,competence,"
          "travel,hours,readiness,priority,travel_minutes,travel_mode\n",
          f);
}

void csv_proposals_header(FILE *f) {
    fputs("region,vacancy_id,vacancy_municipality,candidate_id,candidate_municipality,slot,score,competence,"
          "travel,hours,readiness,priority,travel_minutes,travel_mode\n",
          f);
}

/* Write all rows of one direction; returns rows written or -1. */
long write_dir(FILE *f, const lm_results *r, int32_t dir, int32_t region) {
    size_t n = 0;
    lm_results_count(&n, r, dir);
    lm_match buf[1024];
    size_t done = 0;
    while (done < n) {
        size_t got = 0;
        int st = lm_results_copy(buf, sizeof buf[0], 1024, &got, r, dir, done);
        if (st) return cli_fail("copy results", st, NULL), -1;
        for (size_t i = 0; i < got; i++) csv_row(f, region, &buf[i]);
        done += got;
    }
    return (long)n;
}

long write_proposals(FILE *f, const lm_assignment *a, int32_t region) {
    size_t n = 0;
    lm_assignment_count(&n, a);
    lm_match buf[1024];
    size_t done = 0;
    while (done < n) {
        size_t got = 0;
        int st = lm_assignment_copy(buf, sizeof buf[0], 1024, &got, a, done);
        if (st) return cli_fail("copy proposals", st, NULL), -1;
        for (size_t i = 0; i < got; i++) csv_row(f, region, &buf[i]);
        done += got;
    }
    return (long)n;
}

/* The demo's results: docs/demo-output.md (keep the two in step). */
#define CSV_COLUMNS(rank) \
    "region,vacancy_id,vacancy_municipality,candidate_id,candidate_municipality," rank ",score,competence," \
    "travel,hours,readiness,priority,travel_minutes,travel_mode,readiness_category,vacancy_kind\n"

static void demo_csv_header(FILE *f) { fputs(CSV_COLUMNS("rank"), f); }

static const char *const kind_codes[LM_KIND_COUNT] = {"regular", "garantiebaan", "beschut", "werkervaringsplek",
                                                      "participatieplek", "detachering"};

static void demo_csv_row(FILE *f, int32_t region, const lm_match *m, const demo_data *d) {
    int64_t vrow = m->vacancy_id - DEMO_VACANCY_ID_BASE - 1;
    uint8_t kind = vrow >= 0 && (size_t)vrow < d->n_vacancies ? d->vac.kind[vrow] : LM_KIND_COUNT;
    fprintf(f, "%d,%lld,%d,%lld,%d,%u,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.2f,%s,%c,%s\n", region, (long long)m->vacancy_id,
            m->vacancy_municipality, (long long)m->candidate_id, m->candidate_municipality, m->rank, m->score,
            m->competence, m->travel, m->hours, m->readiness, m->priority, m->travel_minutes,
            cli_mode_name(m->travel_mode), readiness_letter(d, m->candidate_id),
            kind < LM_KIND_COUNT ? kind_codes[kind] : "?");
}

/* Write all rows of one direction; returns rows written or -1. */
static long demo_write_dir(FILE *f, const lm_results *r, int32_t dir, int32_t region, const demo_data *d) {
    size_t n = 0;
    lm_results_count(&n, r, dir);
    lm_match buf[1024];
    size_t done = 0;
    while (done < n) {
        size_t got = 0;
        int st = lm_results_copy(buf, sizeof buf[0], 1024, &got, r, dir, done);
        if (st) return cli_fail("copy results", st, NULL), -1;
        for (size_t i = 0; i < got; i++) demo_csv_row(f, region, &buf[i], d);
        done += got;
    }
    return (long)n;
}

/* Coordinated proposals of one region: write them and add up the report. */
typedef struct assign_stat {
    double obj, gobj, props, gprops, served, gserved, cross, gcross, seconds;
} assign_stat;

typedef struct muni_stat {
    int32_t code;
    uint64_t eligible, proposals, cross, greedy;
} muni_stat;

/* What the coordinated proposals are made of: readiness, kind of place,
 * the person's organisation. */
#define MAX_ORGS 64
typedef struct prop_tally {
    uint64_t ready[6];              /* by readiness 1..5 (A..E) */
    uint64_t kind[LM_KIND_COUNT];   /* by kind of place */
    int64_t org[MAX_ORGS];          /* owner organisations seen */
    uint64_t org_props[MAX_ORGS], org_people[MAX_ORGS];
    size_t norg;
} prop_tally;

static size_t tally_org(prop_tally *t, int64_t org) {
    size_t q = 0;
    while (q < t->norg && t->org[q] != org) q++;
    if (q == t->norg && t->norg < MAX_ORGS) t->org[t->norg++] = org;
    return q < MAX_ORGS ? q : MAX_ORGS - 1;
}

static void tally_proposal(prop_tally *t, const demo_data *d, const lm_match *m) {
    int64_t row = m->candidate_id - DEMO_CANDIDATE_ID_BASE - 1, vrow = m->vacancy_id - DEMO_VACANCY_ID_BASE - 1;
    if (row >= 0 && (size_t)row < d->n_candidates) {
        uint8_t r = d->cand.readiness[row];
        if (r <= LM_READY_E) t->ready[r]++;
        t->org_props[tally_org(t, d->cand.owner_org[row])]++;
    }
    if (vrow >= 0 && (size_t)vrow < d->n_vacancies && d->vac.kind[vrow] < LM_KIND_COUNT) t->kind[d->vac.kind[vrow]]++;
}

static long demo_write_proposals(FILE *f, const lm_assignment *a, int32_t region, const demo_data *d,
                                 prop_tally *t) {
    size_t n = 0;
    lm_assignment_count(&n, a);
    lm_match buf[1024];
    size_t done = 0;
    while (done < n) {
        size_t got = 0;
        int st = lm_assignment_copy(buf, sizeof buf[0], 1024, &got, a, done);
        if (st) return cli_fail("copy proposals", st, NULL), -1;
        for (size_t i = 0; i < got; i++) {
            demo_csv_row(f, region, &buf[i], d);
            if (t) tally_proposal(t, d, &buf[i]);
        }
        done += got;
    }
    return (long)n;
}

static const char *const kind_names[LM_KIND_COUNT] = {"regular job", "garantiebaan", "beschut werk",
                                                      "work-experience place", "participation place",
                                                      "secondment (detachering)"};

static void print_assign_row(const char *name, const char *method, double props, double served, double vacs,
                             double obj, double cross) {
    printf("  %-28s %-26s %9.0f %9.0f (%5.1f%%) %10.3f %9.0f (%4.1f%%)\n", name, method, props, served,
           vacs > 0 ? 100.0 * served / vacs : 0.0, props > 0 ? obj / props : 0.0, cross,
           props > 0 ? 100.0 * cross / props : 0.0);
}

static int cmp_muni(const void *a, const void *b) {
    const muni_stat *x = a, *y = b;
    const demo_municipality *mx = demo_municipality_find(x->code), *my = demo_municipality_find(y->code);
    int rx = mx ? mx->region : 99, ry = my ? my->region : 99;
    if (rx != ry) return rx < ry ? -1 : 1;
    return (x->code > y->code) - (x->code < y->code);
}

/* --centre: centre the pool on its mean; prints what it did. */
static int demo_centre(lm_pool *pool, bool centre, int model) {
    double before = 0, after = 0;
    int st = lm_pool_stat(&before, pool, LM_POOL_STAT_MEAN_COSINE);
    if (!st && centre) st = lm_pool_set_centre(pool, NULL, lm_pool_dim(pool));
    if (!st) st = lm_pool_stat(&after, pool, LM_POOL_STAT_MEAN_COSINE);
    if (st) {
        cli_fail("centre", st, lm_pool_errmsg(pool));
        return st;
    }
    printf("Competence model %s; ", cli_model_name(model));
    if (centre)
        printf("vectors centred on the pool mean (mean pairwise cosine of candidates %.2f -> %.2f)\n", before, after);
    else
        printf("vectors not centred (mean pairwise cosine of candidates %.2f%s)\n", before,
               before > 0.5 ? "; --centre would centre them" : "");
    return LM_OK;
}

int cmd_demo(int argc, char **argv) {
    const char *outdir = "out/demo";
    int64_t seed_o = DEMO_DEFAULT_SEED, k_o = 10, threads_o = 0;
    int model = -1; /* the library's default (docs/scoring.md, "Choosing the default") */
    bool centre = false;
    cli_policy_opts po = {0};
    int64_t nights_o = 0; /* 0: --nights not given, the one-night demo */
    const cli_opt opts[] = {
        {.name = "--out", .kind = CLI_STRING, .metavar = "DIR", .dst = &outdir,
         .help = "directory of the result CSVs (default out/demo)"},
        {.name = "--seed", .kind = CLI_INT, .metavar = "N", .lo = 0, .hi = 0xFFFFFFFFll, .dst = &seed_o,
         .help = "seed of the generated pools (default 20261123)"},
        {.name = "--k", .kind = CLI_INT, .metavar = "N", .lo = 1, .hi = LM_MAX_K, .dst = &k_o,
         .help = "list length both ways (default 10)"},
        {.name = "--threads", .kind = CLI_INT, .metavar = "N", .lo = 0, .hi = 1024, .dst = &threads_o,
         .help = "worker threads, 0 = one per core (default 0)"},
        {.name = "--model", .kind = CLI_ENUM, .metavar = "NAME", .names = cli_model_names, .dst = &model,
         .help = "competence model (default cosine_coverage; docs/scoring.md)"},
        {.name = "--centre", .kind = CLI_FLAG, .dst = &centre,
         .help = "centre the competence vectors on the pool mean"},
        {.name = "--nights", .kind = CLI_INT, .metavar = "N", .lo = 1, .hi = 365, .dst = &nights_o,
         .help = "simulate N nights with an outcome model; effect report in DIR/report (docs/outcomes-demo.md)"},
        CLI_OPTS_POLICY(&po),
    };
    const cli_cmd cmd = {"demo", NULL,
                         "  Generates the embedded demo pools of three labour-market regions, runs the nightly batch\n"
                         "  and the coordinated proposals, prints a summary and writes the result CSVs.\n",
                         opts, sizeof opts / sizeof opts[0], 0};
    int parsed_rc = cli_opts_parse(&cmd, argc, argv, 1, NULL);
    if (parsed_rc >= 0) return parsed_rc;
    unsigned long nights = (unsigned long)nights_o, seed = (unsigned long)seed_o, k = (unsigned long)k_o, threads = (unsigned long)threads_o;
    if (model < 0) model = cli_policy_model(&po, -1);
    if (model < 0) model = cli_default_model();
    if (nights) /* simulated nights and the effect report (demo_nights.c) */
        return demo_nights(&(demo_nights_opts){(unsigned)nights, seed, (unsigned)k, (unsigned)threads, model, outdir, 5});
    double t_start = cli_now();
    demo_data d;
    if (demo_generate(&d, seed, DEMO_DEFAULT_DIM, DEMO_DEFAULT_CANDIDATES, DEMO_DEFAULT_VACANCIES) != 0) {
        fprintf(stderr, "lmatch demo: could not generate the demo data (out of memory)\n");
        return 1;
    }
    int rc = 1;
    lm_pool *pool = NULL;
    lm_snapshot *snap = NULL;
    lm_policy *pol = NULL;
    lm_travel *trav = NULL;
    lm_engine *eng = NULL;
    lm_results *res[8] = {0};
    lm_assignment *asg[8] = {0};
    cli_out fv = {0}, fc = {0}, fp = {0};
    int st;
    lm_candidate_cols cc;
    lm_vacancy_cols vc;
    demo_candidate_cols(&d, &cc);
    demo_vacancy_cols(&d, &vc);
    if ((st = lm_pool_create(&pool, d.dim))) { cli_fail("create pool", st, NULL); goto out; }
    if ((st = lm_pool_add_candidates(pool, &cc, d.n_candidates))) { cli_fail("add candidates", st, lm_pool_errmsg(pool)); goto out; }
    if ((st = lm_pool_add_vacancies(pool, &vc, d.n_vacancies))) { cli_fail("add vacancies", st, lm_pool_errmsg(pool)); goto out; }
    printf("libmatch %s demo: nightly batch for three labour-market regions (seed %lu, %zu candidates, "
           "%zu vacancies, competence dimension %u)\n",
           lm_version_string(), seed, d.n_candidates, d.n_vacancies, d.dim);
    if ((st = demo_centre(pool, centre, model))) goto out;
    if ((st = lm_pool_snapshot(&snap, pool))) { cli_fail("snapshot", st, lm_pool_errmsg(pool)); goto out; }
    if ((st = lm_policy_create(&pol)) || (st = lm_policy_set_f64(pol, LM_POLICY_AS_OF_DAY, DEMO_TODAY)) ||
        (st = lm_policy_set_f64(pol, LM_POLICY_COMPETENCE_MODEL, model))) {
        cli_fail("policy", st, NULL);
        goto out;
    }
    if (cli_policy_apply(pol, &po) ||
        (st = lm_policy_set_f64(pol, LM_POLICY_COMPETENCE_MODEL, model))) { /* --model over the policy file */
        if (st) cli_fail("policy", st, NULL);
        goto out;
    }
    /* zone matrices with the Texel ferry (demo_travel.c) */
    if ((st = demo_travel_create(&trav))) { cli_fail("travel model", st, lm_travel_errmsg(trav)); goto out; }
    if ((st = lm_engine_create(&eng, pol, trav))) { cli_fail("create engine", st, NULL); goto out; }
    if ((st = lm_engine_set_i64(eng, LM_ENGINE_THREADS, (int64_t)threads))) { cli_fail("threads", st, lm_engine_errmsg(eng)); goto out; }
    if (cli_mkdirs(outdir)) goto out;
    if (cli_out_open(&fv, outdir, "vacancy_topk.csv") || cli_out_open(&fc, outdir, "candidate_topk.csv") ||
        cli_out_open(&fp, outdir, "proposals.csv"))
        goto out;
    demo_csv_header(fv.f);
    demo_csv_header(fc.f);
    fputs(CSV_COLUMNS("slot"), fp.f);

    double pol_version = 0, w[5] = {0};
    lm_policy_get_f64(&pol_version, pol, LM_POLICY_VERSION);
    for (int q = 0; q < 5; q++) lm_policy_get_f64(&w[q], pol, LM_POLICY_W_COMPETENCE + q);
    double ws = w[0] + w[1] + w[2] + w[3] + w[4];
    weights wt = {w[0] / ws, w[1] / ws, w[2] / ws, w[3] / ws, w[4] / ws};
    printf("How a score is made (policy version %.0f%s): every feasible pair of a person and a vacancy gets a score\n"
           "from 0 to 1, the weighted mean of its parts:\n"
           "  score = %.2f x competence + %.2f x travel + %.2f x hours + %.2f x readiness",
           pol_version, model == LM_COMPETENCE_SYMMETRIC || model == LM_COMPETENCE_COVERAGE ? ", generic exact batch: slower" : "",
           wt.comp, wt.travel, wt.hours, wt.ready);
    if (wt.prio > 0) printf(" + %.2f x priority", wt.prio);
    printf("\n  (policy weights %g, %g, %g, %g%s, divided by their sum)\n", w[0], w[1], w[2], w[3],
           w[4] > 0 ? ", priority" : "");
    double max_travel = 90;
    lm_policy_get_f64(&max_travel, pol, LM_POLICY_MAX_TRAVEL_MIN);
    printf("  competence: how well the person's skills fit the job (1 = all requirements met);\n"
           "  travel: 1 - one-way minutes / the limit (%.0f min, or the person's own lower limit);\n"
           "  hours: overlap of the hours wanted and offered; readiness: A = 1, B = 0.75, C = 0.5, D = 0.25, E = 0.\n"
           "  A pair is feasible only if it passes every rule first: target group, readiness, wage value,\n"
           "  certificates, support needs offered, hours, dates, travel within the limit (Texel by ferry),\n"
           "  consent to be seen, and the competence floor and minimum score (see \"Reliable proposals\").\n\n",
           max_travel);

    region_stat rs[4] = {{0}};
    for (size_t i = 0; i < d.n_candidates; i++) rs[d.cand.region[i]].cands++;
    for (size_t j = 0; j < d.n_vacancies; j++) {
        rs[d.vac.region[j]].vacs++;
        rs[d.vac.region[j]].slots += (size_t)d.vac.slots[j];
    }
    double pairs = 0, feasible = 0, batch_s = 0;
    long rows_v = 0, rows_c = 0;
    for (size_t ri = 0; ri < demo_n_regions; ri++) {
        const demo_region *reg = &demo_regions[ri];
        lm_viewer v = LM_VIEWER_INIT;
        v.org = DEMO_WSP_ORG_BASE + reg->id; /* the region's WSP */
        v.region = reg->id;
        lm_batch_options o = LM_BATCH_OPTIONS_INIT;
        o.k_candidates = o.k_vacancies = (uint32_t)k;
        o.vacancy_region = reg->id;
        cli_progress pr;
        char label[64];
        snprintf(label, sizeof label, "batch %zu/%zu %s", ri + 1, demo_n_regions, reg->name);
        cli_progress_init(&pr, label);
        o.progress = cli_progress_cb;
        o.progress_user = &pr;
        st = lm_engine_batch(&res[ri], eng, snap, &v, &o);
        cli_progress_done(&pr);
        if (st) { cli_fail("batch", st, lm_engine_errmsg(eng)); goto out; }
        double x;
        lm_results_stat(&x, res[ri], LM_STAT_PAIRS_SCORED); pairs += x;
        if ((x = demo_feasible_pairs(eng, snap, &d, reg->id)) < 0) goto out;
        feasible += x;
        lm_results_stat(&x, res[ri], LM_STAT_SECONDS); batch_s += x;
        lm_results_lists(&rs[reg->id].visible, res[ri], LM_DIR_CANDIDATE);
        size_t nl;
        lm_results_lists(&nl, res[ri], LM_DIR_VACANCY);
        for (size_t l = 0; l < nl; l++) {
            int64_t vid;
            size_t first, len;
            lm_results_list(&vid, &first, &len, res[ri], LM_DIR_VACANCY, l);
            if (!len) continue;
            rs[reg->id].with_match++;
            lm_match best;
            lm_results_copy(&best, sizeof best, 1, NULL, res[ri], LM_DIR_VACANCY, first);
            rs[reg->id].best_any++;
            rs[reg->id].best_cross += best.candidate_municipality != best.vacancy_municipality;
        }
        long a = demo_write_dir(fv.f, res[ri], LM_DIR_VACANCY, reg->id, &d),
             b = demo_write_dir(fc.f, res[ri], LM_DIR_CANDIDATE, reg->id, &d);
        if (a < 0 || b < 0) goto out;
        rows_v += a;
        rows_c += b;
    }
    /* Coordinated proposals per region: one exact assignment over the union of
     * the region's top-k lists, with the greedy baseline for comparison. */
    assign_stat as[4] = {{0}};
    muni_stat ms[64];
    size_t nms = 0;
    prop_tally pt;
    memset(&pt, 0, sizeof pt);
    long rows_p = 0;
    for (size_t ri = 0; ri < demo_n_regions; ri++) {
        const demo_region *reg = &demo_regions[ri];
        lm_assign_options ao = LM_ASSIGN_OPTIONS_INIT;
        cli_progress pr;
        char label[64];
        snprintf(label, sizeof label, "assign %zu/%zu %s", ri + 1, demo_n_regions, reg->name);
        cli_progress_init(&pr, label);
        ao.progress = cli_progress_cb;
        ao.progress_user = &pr;
        st = lm_engine_assign(&asg[ri], eng, res[ri], &ao);
        cli_progress_done(&pr);
        if (st) { cli_fail("assign", st, lm_engine_errmsg(eng)); goto out; }
        assign_stat *x = &as[reg->id];
        lm_assignment_stat(&x->obj, asg[ri], LM_ASTAT_OBJECTIVE);
        lm_assignment_stat(&x->gobj, asg[ri], LM_ASTAT_GREEDY_OBJECTIVE);
        lm_assignment_stat(&x->props, asg[ri], LM_ASTAT_PROPOSALS);
        lm_assignment_stat(&x->gprops, asg[ri], LM_ASTAT_GREEDY_PROPOSALS);
        lm_assignment_stat(&x->served, asg[ri], LM_ASTAT_VACANCIES_SERVED);
        lm_assignment_stat(&x->gserved, asg[ri], LM_ASTAT_GREEDY_VACANCIES_SERVED);
        lm_assignment_stat(&x->cross, asg[ri], LM_ASTAT_CROSS_BORDER);
        lm_assignment_stat(&x->gcross, asg[ri], LM_ASTAT_GREEDY_CROSS_BORDER);
        lm_assignment_stat(&x->seconds, asg[ri], LM_ASTAT_SECONDS);
        lm_group_report gr[64];
        size_t ng = 0;
        if ((st = lm_assignment_groups(gr, sizeof gr[0], 64, &ng, asg[ri]))) { cli_fail("groups", st, NULL); goto out; }
        for (size_t g = 0; g < ng; g++) {
            size_t q = 0;
            while (q < nms && ms[q].code != gr[g].group) q++;
            if (q == nms) {
                if (nms == 64) continue;
                ms[nms++] = (muni_stat){gr[g].group, 0, 0, 0, 0};
            }
            ms[q].eligible += gr[g].eligible;
            ms[q].proposals += gr[g].proposals;
            ms[q].cross += gr[g].cross_border;
            ms[q].greedy += gr[g].greedy_proposals;
        }
        long np = demo_write_proposals(fp.f, asg[ri], reg->id, &d, &pt);
        if (np < 0) goto out;
        rows_p += np;
    }
    if (cli_out_commit(&fv) || cli_out_commit(&fc) || cli_out_commit(&fp)) goto out;

    printf("The pools: people on the books of the executing organisations, and open vacancies\n");
    printf("  %-28s %8s %8s %10s %6s %10s\n", "region", "munic.", "people", "vacancies", "slots", "visible");
    size_t tot_c = 0, tot_v = 0, tot_vis = 0, tot_m = 0, tot_cross = 0, tot_best = 0, tot_s = 0;
    for (size_t ri = 0; ri < demo_n_regions; ri++) {
        const demo_region *reg = &demo_regions[ri];
        size_t nm = 0;
        for (size_t m = 0; m < demo_n_municipalities; m++) nm += demo_municipalities[m].region == reg->id;
        region_stat *s = &rs[reg->id];
        printf("  %-28s %8zu %8zu %10zu %6zu %10zu\n", reg->name, nm, s->cands, s->vacs, s->slots, s->visible);
        tot_c += s->cands; tot_v += s->vacs; tot_s += s->slots; tot_vis += s->visible;
        tot_m += s->with_match; tot_cross += s->best_cross; tot_best += s->best_any;
    }
    printf("  %-28s %8zu %8zu %10zu %6zu %10zu\n", "total", demo_n_municipalities, tot_c, tot_v, tot_s, tot_vis);
    printf("  (visible: the people the region's employer service point (WSP) may see, because they consented to\n"
           "   regional or national matching; people who consented to their own organisation or municipality only\n"
           "   are matched there, not here. Slots: one vacancy can take several people.)\n\n");

    /* Organisations: who holds the people, and whose people get the proposals. */
    for (size_t i = 0; i < d.n_candidates; i++) pt.org_people[tally_org(&pt, d.cand.owner_org[i])]++;
    printf("Organisations: who holds each person's file, and whose people are proposed\n");
    printf("  %-46s %-28s %8s %10s\n", "organisation", "region", "people", "proposals");
    for (size_t ri = 0; ri < demo_n_regions; ri++) {
        const demo_region *reg = &demo_regions[ri];
        uint64_t rest_people = 0, rest_props = 0;
        size_t rest_n = 0;
        for (size_t e = 0; e < demo_n_exec_orgs; e++) { /* executing bodies, sheltered companies, UWV */
            if (demo_exec_orgs[e].region != reg->id) continue;
            size_t q = tally_org(&pt, demo_exec_orgs[e].id);
            if (!pt.org_people[q]) continue; /* UWV where the reports give no WW figure */
            printf("  %-46.46s %-28.28s %8llu %10llu\n", demo_exec_orgs[e].name, reg->name,
                   (unsigned long long)pt.org_people[q], (unsigned long long)pt.org_props[q]);
        }
        for (size_t m = 0; m < demo_n_municipalities; m++) { /* municipal services */
            const demo_municipality *mu = &demo_municipalities[m];
            if (mu->region != reg->id) continue;
            size_t q = tally_org(&pt, demo_municipal_org(mu->code));
            if (mu->exec_org) { /* statushouders and people without benefit stay with the municipality */
                rest_people += pt.org_people[q], rest_props += pt.org_props[q], rest_n++;
                continue;
            }
            char name[64];
            snprintf(name, sizeof name, "municipality of %s", mu->name);
            printf("  %-46.46s %-28.28s %8llu %10llu\n", name, reg->name, (unsigned long long)pt.org_people[q],
                   (unsigned long long)pt.org_props[q]);
        }
        if (rest_n) {
            char name[64];
            snprintf(name, sizeof name, "own teams of %zu municipalities", rest_n);
            printf("  %-46.46s %-28.28s %8llu %10llu\n", name, reg->name, (unsigned long long)rest_people,
                   (unsigned long long)rest_props);
        }
    }
    printf("  (people without a benefit and statushouders stay with their municipality's own team; Wsw and\n"
           "   beschut workers belong to the sheltered company; WW clients to UWV)\n\n");

    printf("Matching: for each region, the ten best candidates per vacancy and the ten best vacancies per person\n"
           "  %.1f M person-vacancy pairs examined; %.0f pairs are feasible (pass every rule)\n"
           "  (%.2f s)\n", pairs / 1e6, feasible, batch_s);
    printf("  %-28s %10s %26s %30s\n", "region", "vacancies", "with at least one candidate", "best candidate from elsewhere");
    for (size_t ri = 0; ri < demo_n_regions; ri++) {
        const demo_region *reg = &demo_regions[ri];
        region_stat *s = &rs[reg->id];
        printf("  %-28s %10zu %18zu (%5.1f%%) %22zu (%4.1f%%)\n", reg->name, s->vacs, s->with_match,
               s->vacs ? 100.0 * (double)s->with_match / (double)s->vacs : 0.0, s->best_cross,
               s->best_any ? 100.0 * (double)s->best_cross / (double)s->best_any : 0.0);
    }
    printf("  %-28s %10zu %18zu (%5.1f%%) %22zu (%4.1f%%)\n", "total", tot_v, tot_m,
           tot_v ? 100.0 * (double)tot_m / (double)tot_v : 0.0, tot_cross,
           tot_best ? 100.0 * (double)tot_cross / (double)tot_best : 0.0);
    printf("  For %.1f%% of the vacancies, the best candidate lives in another municipality than the vacancy.\n\n",
           tot_best ? 100.0 * (double)tot_cross / (double)tot_best : 0.0);

    double asg_s = 0;
    for (size_t ri = 0; ri < demo_n_regions; ri++) asg_s += as[demo_regions[ri].id].seconds;
    printf("Proposals: one proposal per person, coordinated across organisations, so that as many vacancy slots as\n"
           "possible get a good candidate; compared with first come, first served (the best-scoring pair is\n"
           "proposed first, then the next among those still free). Each person is proposed for at most one vacancy,\n"
           "each vacancy gets at most one person per slot (%.2f s).\n", asg_s);
    printf("  %-28s %-26s %9s %19s %10s %17s\n", "region", "method", "proposals", "vacancies served", "mean score",
           "from elsewhere");
    assign_stat t = {0};
    for (size_t ri = 0; ri < demo_n_regions; ri++) {
        const demo_region *reg = &demo_regions[ri];
        assign_stat *x = &as[reg->id];
        double nvac = (double)rs[reg->id].vacs;
        print_assign_row(reg->name, "coordinated", x->props, x->served, nvac, x->obj, x->cross);
        print_assign_row("", "first come, first served", x->gprops, x->gserved, nvac, x->gobj, x->gcross);
        t.obj += x->obj; t.gobj += x->gobj; t.props += x->props; t.gprops += x->gprops;
        t.served += x->served; t.gserved += x->gserved; t.cross += x->cross; t.gcross += x->gcross;
    }
    print_assign_row("total", "coordinated", t.props, t.served, (double)tot_v, t.obj, t.cross);
    print_assign_row("", "first come, first served", t.gprops, t.gserved, (double)tot_v, t.gobj, t.gcross);
    printf("  Coordinating proposes %.0f more people and serves %.0f more vacancies than first come, first served;\n"
           "  the mean score of a proposal is %.3f against %.3f (a score says how good a match is, 0 to 1).\n\n",
           t.props - t.gprops, t.served - t.gserved, t.props > 0 ? t.obj / t.props : 0.0,
           t.gprops > 0 ? t.gobj / t.gprops : 0.0);

    printf("Coordinated proposals by readiness (A = ready for work ... E = furthest from work)\n ");
    for (int r = LM_READY_A; r <= LM_READY_E; r++)
        printf(" %c %llu (%.0f%%)%s", 'A' + r - LM_READY_A, (unsigned long long)pt.ready[r],
               t.props > 0 ? 100.0 * (double)pt.ready[r] / t.props : 0.0, r < LM_READY_E ? "," : "\n");
    printf("Coordinated proposals by kind of place\n ");
    for (int kd = 0; kd < LM_KIND_COUNT; kd++)
        printf(" %s %llu%s", kind_names[kd], (unsigned long long)pt.kind[kd], kd + 1 < LM_KIND_COUNT ? "," : "\n\n");

    qsort(ms, nms, sizeof ms[0], cmp_muni);
    printf("Per municipality, by place of residence of the people (a person who may be matched in several regions\n"
           "counts in each; \"with a match\": people with at least one feasible vacancy in the region's lists)\n");
    printf("  %-22s %-28s %12s %9s %17s %12s\n", "municipality", "region", "with a match", "proposals",
           "work elsewhere", "first come");
    for (size_t q = 0; q < nms; q++) {
        const demo_municipality *m = demo_municipality_find(ms[q].code);
        const demo_region *rg = m ? demo_region_find(m->region) : NULL;
        printf("  %-22.22s %-28.28s %12llu %9llu %9llu (%4.1f%%) %12llu\n", muni_name(ms[q].code), rg ? rg->name : "?",
               (unsigned long long)ms[q].eligible, (unsigned long long)ms[q].proposals,
               (unsigned long long)ms[q].cross,
               ms[q].proposals ? 100.0 * (double)ms[q].cross / (double)ms[q].proposals : 0.0,
               (unsigned long long)ms[q].greedy);
    }
    printf("  (work elsewhere: proposals for a vacancy outside the person's municipality; first come: proposals\n"
           "   under first come, first served)\n\n");

    /* Region-wide views: floors, municipal-only, presets, unmatched (demo_views.c). */
    demo_view_ctx vctx = {&d, snap, pol, eng, trav, (int64_t)threads, (uint32_t)k, feasible, t.props, t.served};
    if ((st = demo_views(&vctx))) goto out;

    /* Three sample vacancies, one per region: the first with at least 3 candidates. */
    printf("Sample vacancies: the three best candidates, and how each score is made up\n");
    for (size_t ri = 0; ri < demo_n_regions; ri++) {
        size_t nl;
        lm_results_lists(&nl, res[ri], LM_DIR_VACANCY);
        for (size_t l = 0; l < nl; l++) {
            int64_t vid;
            size_t first, len;
            lm_results_list(&vid, &first, &len, res[ri], LM_DIR_VACANCY, l);
            if (len < 3) continue;
            lm_match m[3];
            lm_results_copy(m, sizeof m[0], 3, NULL, res[ri], LM_DIR_VACANCY, first);
            size_t row = (size_t)(vid - DEMO_VACANCY_ID_BASE - 1);
            printf("  vacancy %lld in %s (%s, %s, %d slot%s, %s region)\n", (long long)vid,
                   muni_name(m[0].vacancy_municipality), demo_family_name(d.vac.family[row]),
                   d.vac.kind[row] < LM_KIND_COUNT ? kind_names[d.vac.kind[row]] : "?", d.vac.slots[row],
                   d.vac.slots[row] == 1 ? "" : "s", demo_regions[ri].name);
            for (int q = 0; q < 3; q++) print_match(&d, &wt, &m[q]);
            break;
        }
    }
    printf("\nResults (CSV, one row per pair; every column is described in docs/demo-output.md):\n"
           "  %s  %ld rows: the ten best candidates of every vacancy\n"
           "  %s  %ld rows: the ten best vacancies of every person\n"
           "  %s  %ld rows: the coordinated proposals\n",
           fv.path, rows_v, fc.path, rows_c, fp.path, rows_p);
    printf("\nNext steps\n"
           "  - Read the CSVs: docs/demo-output.md lists every file and column.\n"
           "  - Run on your own data, without a database:\n"
           "      lmatch batch --candidates people.csv --vacancies vacancies.csv --out DIR\n"
           "    (the CSV columns and how to build competence vectors from occupation codes: docs/own-data.md).\n"
           "  - Run every night against PostgreSQL: lmatch db init, then lmatch db import --candidates people.csv\n"
           "    --vacancies vacancies.csv, then lmatch batch (docs/postgresql.md).\n"
           "  - How scores and rules work: docs/scoring.md; travel and the Texel ferry matrix: docs/travel.md.\n");
    printf("Done in %.2f s.\n", cli_now() - t_start);
    rc = 0;
out:
    cli_out_abort(&fv);
    cli_out_abort(&fc);
    cli_out_abort(&fp);
    for (size_t i = 0; i < 8; i++) lm_results_free(res[i]);
    for (size_t i = 0; i < 8; i++) lm_assignment_free(asg[i]);
    lm_engine_free(eng);
    lm_travel_free(trav);
    lm_policy_free(pol);
    lm_snapshot_free(snap);
    lm_pool_free(pool);
    demo_free(&d);
    return rc;
}
