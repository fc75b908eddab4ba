/* lmatch demo: the nightly batch on the embedded demo pools of three
 * labour-market regions, with a readable summary and CSV results. */
#include "cli.h"
#include "demo_data.h"
#include "demo_nights.h"

#include <stdlib.h>
#include <string.h>

#define WSP_ORG_BASE 400000 /* the regions' employer service points (WSPs) */

typedef struct region_stat {
    size_t cands, visible, vacs, slots, with_match, best_cross, best_any;
} region_stat;

static const char *muni_name(int32_t code) {
    const demo_municipality *m = demo_municipality_find(code);
    return m ? m->name : "?";
}

static void print_match(const lm_match *m) {
    printf("   %u. candidate %lld  %-14.14s score %.3f = competence %.2f, travel %.2f (%s %.0f min), "
           "hours %.2f, readiness %.2f\n",
           m->rank, (long long)m->candidate_id, muni_name(m->candidate_municipality), m->score, m->competence,
           m->travel, cli_mode_name(m->travel_mode), m->travel_minutes, m->hours, m->readiness);
}

static void csv_header(FILE *f) {
    fputs("region,vacancy_id,vacancy_municipality,candidate_id,candidate_municipality,rank,score,competence,"
          "travel,hours,readiness,priority,travel_minutes,travel_mode\n",
          f);
}

static void csv_row(FILE *f, int32_t region, const lm_match *m) {
    fprintf(f, "%d,%lld,%d,%lld,%d,%u,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.2f,%s\n", region, (long long)m->vacancy_id,
            m->vacancy_municipality, (long long)m->candidate_id, m->candidate_municipality, m->rank, m->score,
            m->competence, m->travel, m->hours, m->readiness, m->priority, m->travel_minutes,
            cli_mode_name(m->travel_mode));
}

/* Write all rows of one direction; returns rows written or -1. */
static long write_dir(FILE *f, const lm_results *r, int32_t dir, int32_t region) {
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

/* Coordinated proposals of one region: write them and add up the report. */
typedef struct assign_stat {
    double obj, gobj, props, gprops, served, gserved, cross, gcross, seconds;
} assign_stat;

typedef struct muni_stat {
    int32_t code;
    uint64_t eligible, proposals, cross, greedy;
} muni_stat;

static long write_proposals(FILE *f, const lm_assignment *a, int32_t region) {
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

static void print_assign_row(const char *name, const char *method, double props, double served, double vacs,
                             double obj, double cross) {
    printf("  %-30s %-10s %9.0f %9.0f (%5.1f%%) %12.2f %9.0f (%4.1f%%)\n", name, method, props, served,
           vacs > 0 ? 100.0 * served / vacs : 0.0, obj, cross, props > 0 ? 100.0 * cross / props : 0.0);
}

static int cmp_muni(const void *a, const void *b) {
    const muni_stat *x = a, *y = b;
    const demo_municipality *mx = demo_municipality_find(x->code), *my = demo_municipality_find(y->code);
    int rx = mx ? mx->region : 99, ry = my ? my->region : 99;
    if (rx != ry) return rx < ry ? -1 : 1;
    return (x->code > y->code) - (x->code < y->code);
}

static int parse_u(const char *s, unsigned long lo, unsigned long hi, unsigned long *out) {
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

#define DEMO_USAGE "usage: lmatch demo [--out DIR] [--seed N] [--k 1..%d] [--threads N] [--model NAME] [--centre]\n" \
                   "                  [--nights 1..365]\n"

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
    unsigned long seed = DEMO_DEFAULT_SEED, k = 10, threads = 0;
    int model = -1; /* the library's default (docs/scoring.md, "Choosing the default") */
    bool centre = false;
    unsigned long nights = 0; /* 0: --nights not given, the one-night demo */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--out") && val) outdir = argv[++i];
        else if (!strcmp(a, "--seed") && val && !parse_u(val, 0, 0xFFFFFFFFul, &seed)) i++;
        else if (!strcmp(a, "--k") && val && !parse_u(val, 1, LM_MAX_K, &k)) i++;
        else if (!strcmp(a, "--threads") && val && !parse_u(val, 0, 1024, &threads)) i++;
        else if (!strcmp(a, "--model") && val && !cli_parse_model(val, &model)) i++;
        else if (!strcmp(a, "--centre")) centre = true;
        else if (!strcmp(a, "--nights") && val && !parse_u(val, 1, 365, &nights)) i++;
        else {
            fprintf(stderr, "lmatch demo: bad or incomplete option '%s'\n" DEMO_USAGE
                            "  models: requirement, cosine, symmetric, coverage, cosine_coverage\n", a, LM_MAX_K);
            return 2;
        }
    }
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
    if ((st = lm_engine_create(&eng, pol, NULL))) { cli_fail("create engine", st, NULL); goto out; }
    if ((st = lm_engine_set_i64(eng, LM_ENGINE_THREADS, (int64_t)threads))) { cli_fail("threads", st, lm_engine_errmsg(eng)); goto out; }
    if (cli_mkdirs(outdir)) goto out;
    if (cli_out_open(&fv, outdir, "vacancy_topk.csv") || cli_out_open(&fc, outdir, "candidate_topk.csv") ||
        cli_out_open(&fp, outdir, "proposals.csv"))
        goto out;
    csv_header(fv.f);
    csv_header(fc.f);
    fputs("region,vacancy_id,vacancy_municipality,candidate_id,candidate_municipality,slot,score,competence,"
          "travel,hours,readiness,priority,travel_minutes,travel_mode\n",
          fp.f);

    double pol_version = 0, w[4] = {0};
    lm_policy_get_f64(&pol_version, pol, LM_POLICY_VERSION);
    for (int q = 0; q < 4; q++) lm_policy_get_f64(&w[q], pol, LM_POLICY_W_COMPETENCE + q);
    double ws = w[0] + w[1] + w[2] + w[3];
    printf("Policy version %.0f, competence model %s%s; weights competence %.2f, travel %.2f, hours %.2f, "
           "readiness %.2f\n\n", pol_version, cli_model_name(model),
           model == LM_COMPETENCE_SYMMETRIC || model == LM_COMPETENCE_COVERAGE ? " (generic exact batch: slower)" : "",
           w[0] / ws, w[1] / ws, w[2] / ws, w[3] / ws);

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
        v.org = WSP_ORG_BASE + reg->id; /* the region's WSP */
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
        lm_results_stat(&x, res[ri], LM_STAT_PAIRS_FEASIBLE); feasible += x;
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
        long a = write_dir(fv.f, res[ri], LM_DIR_VACANCY, reg->id), b = write_dir(fc.f, res[ri], LM_DIR_CANDIDATE, reg->id);
        if (a < 0 || b < 0) goto out;
        rows_v += a;
        rows_c += b;
    }
    /* Coordinated proposals per region: one exact assignment over the union of
     * the region's top-k lists, with the greedy baseline for comparison. */
    assign_stat as[4] = {{0}};
    muni_stat ms[64];
    size_t nms = 0;
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
        long np = write_proposals(fp.f, asg[ri], reg->id);
        if (np < 0) goto out;
        rows_p += np;
    }
    if (cli_out_commit(&fv) || cli_out_commit(&fc) || cli_out_commit(&fp)) goto out;

    printf("Pools\n  %-30s %8s %10s %10s %6s %12s\n", "region", "munic.", "candidates", "vacancies", "slots",
           "visible@WSP");
    size_t tot_c = 0, tot_v = 0, tot_vis = 0, tot_m = 0, tot_cross = 0, tot_best = 0, tot_s = 0;
    for (size_t ri = 0; ri < demo_n_regions; ri++) {
        const demo_region *reg = &demo_regions[ri];
        size_t nm = 0;
        for (size_t m = 0; m < demo_n_municipalities; m++) nm += demo_municipalities[m].region == reg->id;
        region_stat *s = &rs[reg->id];
        printf("  %-30s %8zu %10zu %10zu %6zu %12zu\n", reg->name, nm, s->cands, s->vacs, s->slots, s->visible);
        tot_c += s->cands; tot_v += s->vacs; tot_s += s->slots; tot_vis += s->visible;
        tot_m += s->with_match; tot_cross += s->best_cross; tot_best += s->best_any;
    }
    printf("  %-30s %8zu %10zu %10zu %6zu %12zu\n", "total", demo_n_municipalities, tot_c, tot_v, tot_s, tot_vis);
    printf("  (visible@WSP counts candidates the region's WSP may see: consent scope region or national, "
           "plus national-scope people of other regions;\n   people who consented to their own organisation or "
           "municipality only are matched by that organisation, not here)\n\n");

    printf("Nightly batch: top-%lu both ways per region, policy v1 as of 2026-11-23: %.2f s, %.1f M pairs "
           "scored, %.2f M feasible\n", k, batch_s, pairs / 1e6, feasible / 1e6);
    printf("  %-30s %10s %18s %28s\n", "region", "vacancies", "with a candidate", "best candidate cross-border");
    for (size_t ri = 0; ri < demo_n_regions; ri++) {
        const demo_region *reg = &demo_regions[ri];
        region_stat *s = &rs[reg->id];
        printf("  %-30s %10zu %10zu (%4.1f%%) %18zu (%4.1f%%)\n", reg->name, s->vacs, s->with_match,
               s->vacs ? 100.0 * (double)s->with_match / (double)s->vacs : 0.0, s->best_cross,
               s->best_any ? 100.0 * (double)s->best_cross / (double)s->best_any : 0.0);
    }
    printf("  %-30s %10zu %10zu (%4.1f%%) %18zu (%4.1f%%)\n\n", "total", tot_v, tot_m,
           tot_v ? 100.0 * (double)tot_m / (double)tot_v : 0.0, tot_cross,
           tot_best ? 100.0 * (double)tot_cross / (double)tot_best : 0.0);
    printf("Cross-border gain: for %.1f%% of the vacancies with a candidate, the best candidate lives in another "
           "municipality than the vacancy;\na matcher limited to its own municipality would not have proposed "
           "that person.\n\n", tot_best ? 100.0 * (double)tot_cross / (double)tot_best : 0.0);

    double asg_s = 0;
    for (size_t ri = 0; ri < demo_n_regions; ri++) asg_s += as[demo_regions[ri].id].seconds;
    printf("Coordinated proposals: exact assignment per region over the union of the top-%lu lists, one person per "
           "vacancy slot,\none proposal per person (%.2f s), against the greedy baseline (best pair first)\n", k, asg_s);
    printf("  %-30s %-10s %9s %19s %12s %17s\n", "region", "method", "proposals", "vacancies served", "total score",
           "cross-border");
    assign_stat t = {0};
    for (size_t ri = 0; ri < demo_n_regions; ri++) {
        const demo_region *reg = &demo_regions[ri];
        assign_stat *x = &as[reg->id];
        double nvac = (double)rs[reg->id].vacs;
        print_assign_row(reg->name, "assignment", x->props, x->served, nvac, x->obj, x->cross);
        print_assign_row("", "greedy", x->gprops, x->gserved, nvac, x->gobj, x->gcross);
        t.obj += x->obj; t.gobj += x->gobj; t.props += x->props; t.gprops += x->gprops;
        t.served += x->served; t.gserved += x->gserved; t.cross += x->cross; t.gcross += x->gcross;
    }
    print_assign_row("total", "assignment", t.props, t.served, (double)tot_v, t.obj, t.cross);
    print_assign_row("", "greedy", t.gprops, t.gserved, (double)tot_v, t.gobj, t.gcross);
    printf("Assignment vs greedy: total score %+.2f (%+.1f%%), vacancies served %+.0f, proposals %+.0f; "
           "cross-border share %.1f%% vs %.1f%%.\n\n",
           t.obj - t.gobj, t.gobj > 0 ? 100.0 * (t.obj - t.gobj) / t.gobj : 0.0, t.served - t.gserved,
           t.props - t.gprops, t.props > 0 ? 100.0 * t.cross / t.props : 0.0,
           t.gprops > 0 ? 100.0 * t.gcross / t.gprops : 0.0);
    qsort(ms, nms, sizeof ms[0], cmp_muni);
    printf("Per municipality (eligible: people with at least one pair in a region's graph, summed over the regions;\n"
           "national-scope people can be in several regions' graphs)\n");
    printf("  %-22s %-30s %8s %9s %17s %7s\n", "municipality", "region", "eligible", "proposals", "cross-border",
           "greedy");
    for (size_t q = 0; q < nms; q++) {
        const demo_municipality *m = demo_municipality_find(ms[q].code);
        const demo_region *rg = m ? demo_region_find(m->region) : NULL;
        printf("  %-22.22s %-30.30s %8llu %9llu %9llu (%4.1f%%) %7llu\n", muni_name(ms[q].code), rg ? rg->name : "?",
               (unsigned long long)ms[q].eligible, (unsigned long long)ms[q].proposals,
               (unsigned long long)ms[q].cross,
               ms[q].proposals ? 100.0 * (double)ms[q].cross / (double)ms[q].proposals : 0.0,
               (unsigned long long)ms[q].greedy);
    }
    printf("\n");

    /* Three sample vacancies, one per region: the first with at least 3 candidates. */
    printf("Sample vacancies (top 3 with score components)\n");
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
            printf("  vacancy %lld in %s (%s, %d slot%s, %s region)\n", (long long)vid,
                   muni_name(m[0].vacancy_municipality), demo_family_name(d.vac.family[row]), d.vac.slots[row],
                   d.vac.slots[row] == 1 ? "" : "s", demo_regions[ri].name);
            for (int q = 0; q < 3; q++) print_match(&m[q]);
            break;
        }
    }
    printf("\nResults: %s (%ld rows), %s (%ld rows), %s (%ld rows)\n", fv.path, rows_v, fc.path, rows_c, fp.path,
           rows_p);
    printf("Done in %.2f s.\n", cli_now() - t_start);
    rc = 0;
out:
    cli_out_abort(&fv);
    cli_out_abort(&fc);
    cli_out_abort(&fp);
    for (size_t i = 0; i < 8; i++) lm_results_free(res[i]);
    for (size_t i = 0; i < 8; i++) lm_assignment_free(asg[i]);
    lm_engine_free(eng);
    lm_policy_free(pol);
    lm_snapshot_free(snap);
    lm_pool_free(pool);
    demo_free(&d);
    return rc;
}
