/* lmatch batch --candidates F --vacancies F --out DIR (no database) and
 * lmatch db import --candidates F --vacancies F (docs/own-data.md). */
#include "owndata.h"

#include <stdlib.h>
#include <string.h>

#define WSP_ORG_BASE 400000 /* a region's employer service point, as in lmatch batch and demo */

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* The distinct regions of the vacancies, ascending; count in *n. */
static int32_t *vacancy_regions(const csv_pools *p, size_t *n) {
    int32_t *r = malloc((p->nv ? p->nv : 1) * sizeof *r);
    if (!r) return NULL;
    for (size_t j = 0; j < p->nv; j++) r[j] = p->vc.region ? p->vc.region[j] : 0;
    qsort(r, p->nv, sizeof *r, cmp_i32);
    size_t m = 0;
    for (size_t j = 0; j < p->nv; j++)
        if (m == 0 || r[m - 1] != r[j]) r[m++] = r[j];
    *n = m;
    return r;
}

/* The library refused a row the reader let through: "FILE:LINE: message"
 * when its message names the row ("... row N ..."), else "FILE: message". */
static void fail_row(const char *path, const long *lines, size_t n, int st, const char *msg) {
    const char *r = msg ? strstr(msg, "row ") : NULL;
    size_t row;
    char what[4200];
    if (r && sscanf(r, "row %zu", &row) == 1 && row < n) snprintf(what, sizeof what, "%s:%ld", path, lines[row]);
    else snprintf(what, sizeof what, "%s", path);
    cli_fail(what, st, msg);
}

int cmd_batch_csv(const batch_args *b) {
    double t0 = cli_now();
    csv_pools P;
    int rc = csv_pools_read(&P, b->candidates, b->vacancies);
    if (rc) return rc;
    double t_read = cli_now();
    rc = 1;
    int st;
    lm_pool *pool = NULL;
    lm_snapshot *snap = NULL;
    lm_travel *travel = NULL;
    lm_policy *pol = NULL;
    lm_engine *eng = NULL;
    int32_t *regions = NULL;
    size_t nreg = 0;
    lm_results **res = NULL;
    lm_assignment **asg = NULL;
    cli_out fv = {0}, fc = {0}, fp = {0};
    if ((st = lm_pool_create(&pool, P.dim))) { cli_fail("create pool", st, NULL); goto out; }
    if (P.nc && (st = lm_pool_add_candidates(pool, &P.cc, P.nc))) {
        fail_row(b->candidates, P.cand_lines, P.nc, st, lm_pool_errmsg(pool));
        goto out;
    }
    if (P.nv && (st = lm_pool_add_vacancies(pool, &P.vc, P.nv))) {
        fail_row(b->vacancies, P.vac_lines, P.nv, st, lm_pool_errmsg(pool));
        goto out;
    }
    if (b->so.centre && (st = lm_pool_set_centre(pool, NULL, P.dim))) { cli_fail("--centre", st, lm_pool_errmsg(pool)); goto out; }
    if ((st = lm_pool_snapshot(&snap, pool))) { cli_fail("snapshot", st, lm_pool_errmsg(pool)); goto out; }
    if (b->travel) {
        if ((st = lm_travel_create(&travel))) { cli_fail("travel model", st, NULL); goto out; }
        if ((st = lm_travel_load_file(travel, b->travel))) {
            cli_fail(b->travel, st, lm_travel_errmsg(travel));
            if (st == LM_ERR_FORMAT || st == LM_ERR_IO) rc = CLI_EXIT_USAGE; /* a bad input file: nothing done */
            goto out;
        }
    }
    if ((st = lm_policy_create(&pol))) { cli_fail("policy", st, NULL); goto out; }
    if (cli_policy_apply(pol, &b->po)) goto out;
    if (b->as_of > 0 && (st = lm_policy_set_f64(pol, LM_POLICY_AS_OF_DAY, (double)b->as_of))) { cli_fail("--as-of", st, NULL); goto out; }
    if (b->so.model >= 0 && (st = lm_policy_set_f64(pol, LM_POLICY_COMPETENCE_MODEL, b->so.model))) { cli_fail("--model", st, NULL); goto out; }
    if ((st = lm_engine_create(&eng, pol, travel))) { cli_fail("create engine", st, NULL); goto out; }
    if ((st = lm_engine_set_i64(eng, LM_ENGINE_THREADS, b->threads))) { cli_fail("--threads", st, lm_engine_errmsg(eng)); goto out; }
    if (b->region >= 0) {
        regions = malloc(sizeof *regions);
        if (regions) regions[0] = (int32_t)b->region, nreg = 1;
    } else {
        regions = vacancy_regions(&P, &nreg);
        if (regions && nreg > 1 && regions[0] == 0) { /* region 0 means "every vacancy" to lm_engine_batch */
            fprintf(stderr, "lmatch batch: %s: some vacancies have a region and some have none (0); give every "
                            "vacancy a region, or none\n", b->vacancies);
            rc = CLI_EXIT_USAGE;
            goto out;
        }
    }
    res = calloc(nreg ? nreg : 1, sizeof *res);
    asg = calloc(nreg ? nreg : 1, sizeof *asg);
    if (!regions || !res || !asg) { fprintf(stderr, "lmatch batch: out of memory\n"); goto out; }
    double model = 0;
    lm_policy_get_f64(&model, pol, LM_POLICY_COMPETENCE_MODEL);
    printf("libmatch %s batch over CSV files: %zu candidates (%s), %zu vacancies (%s), competence dimension %u, "
           "%zu region%s, top-%lld both ways\n", lm_version_string(), P.nc, b->candidates, P.nv, b->vacancies, P.dim,
           nreg, nreg == 1 ? "" : "s", (long long)b->k);
    printf("competence model %s%s; read the files in %.2f s\n", cli_model_name((int)model),
           b->so.centre ? ", vectors centred on the pool mean" : "", t_read - t0);
    printf("  %-8s %-12s %10s %12s %12s %10s\n", "region", "viewer", "vacancies", "candidates", "rows", "proposals");
    /* Compute everything first, then write: a failed run leaves DIR untouched. */
    for (size_t i = 0; i < nreg; i++) {
        lm_viewer v = LM_VIEWER_INIT;
        v.org = WSP_ORG_BASE + regions[i];
        v.region = regions[i];
        lm_batch_options bo = LM_BATCH_OPTIONS_INIT;
        bo.k_candidates = bo.k_vacancies = (uint32_t)b->k;
        bo.vacancy_region = regions[i];
        cli_progress pr;
        char label[64];
        snprintf(label, sizeof label, "batch region %d", (int)regions[i]);
        cli_progress_init(&pr, label);
        bo.progress = cli_progress_cb;
        bo.progress_user = &pr;
        st = lm_engine_batch(&res[i], eng, snap, &v, &bo);
        cli_progress_done(&pr);
        if (st) { cli_fail("batch", st, lm_engine_errmsg(eng)); goto out; }
        if ((st = lm_engine_assign(&asg[i], eng, res[i], NULL))) { cli_fail("assignment", st, lm_engine_errmsg(eng)); goto out; }
        size_t lv = 0, lc = 0, rv = 0, rcn = 0, np = 0;
        lm_results_lists(&lv, res[i], LM_DIR_VACANCY);
        lm_results_lists(&lc, res[i], LM_DIR_CANDIDATE);
        lm_results_count(&rv, res[i], LM_DIR_VACANCY);
        lm_results_count(&rcn, res[i], LM_DIR_CANDIDATE);
        lm_assignment_count(&np, asg[i]);
        printf("  %-8d %-12lld %10zu %12zu %12zu %10zu\n", (int)regions[i], (long long)v.org, lv, lc, rv + rcn, np);
    }
    if (cli_mkdirs(b->out)) goto out;
    if (cli_out_open(&fv, b->out, "vacancy_topk.csv") || cli_out_open(&fc, b->out, "candidate_topk.csv") ||
        cli_out_open(&fp, b->out, "proposals.csv"))
        goto out;
    csv_header(fv.f);
    csv_header(fc.f);
    csv_proposals_header(fp.f);
    long rows[3] = {0, 0, 0};
    for (size_t i = 0; i < nreg; i++) {
        long a = write_dir(fv.f, res[i], LM_DIR_VACANCY, regions[i]), c = write_dir(fc.f, res[i], LM_DIR_CANDIDATE, regions[i]);
        long q = write_proposals(fp.f, asg[i], regions[i]);
        if (a < 0 || c < 0 || q < 0) goto out;
        rows[0] += a, rows[1] += c, rows[2] += q;
    }
    if (cli_out_commit(&fv) || cli_out_commit(&fc) || cli_out_commit(&fp)) goto out;
    printf("Results: %s (%ld rows), %s (%ld rows), %s (%ld rows); %.2f s\n", fv.path, rows[0], fc.path, rows[1],
           fp.path, rows[2], cli_now() - t0);
    rc = 0;
out:
    cli_out_abort(&fv);
    cli_out_abort(&fc);
    cli_out_abort(&fp);
    for (size_t i = 0; i < nreg; i++) {
        if (res) lm_results_free(res[i]);
        if (asg) lm_assignment_free(asg[i]);
    }
    free(res);
    free(asg);
    free(regions);
    lm_engine_free(eng);
    lm_policy_free(pol);
    lm_travel_free(travel);
    lm_snapshot_free(snap);
    lm_pool_free(pool);
    csv_pools_free(&P);
    return rc;
}

int cmd_db_import(int argc, char **argv) {
    db_opts o = {NULL, NULL};
    const char *cand = NULL, *vac = NULL;
    const cli_opt opts[] = {
        CLI_OPTS_DB(&o),
        {.name = "--candidates", .kind = CLI_STRING, .metavar = "FILE", .dst = &cand,
         .help = "the candidates CSV (docs/own-data.md)"},
        {.name = "--vacancies", .kind = CLI_STRING, .metavar = "FILE", .dst = &vac, .help = "the vacancies CSV"},
    };
    const cli_cmd cmd = {"db import", NULL,
                         "  Loads candidates and vacancies from CSV files into PostgreSQL (binary COPY, upsert by id;\n"
                         "  run 'lmatch db init' first). Both files are read and checked before anything is written.\n",
                         opts, sizeof opts / sizeof opts[0], 0};
    int parsed_rc = cli_opts_parse(&cmd, argc, argv, 2, NULL);
    if (parsed_rc >= 0) return parsed_rc;
    if (!cand && !vac) return cli_usage_error(&cmd, "give --candidates FILE and/or --vacancies FILE");
    double t0 = cli_now();
    csv_pools P;
    int rc = csv_pools_read(&P, cand, vac);
    if (rc) return rc;
    double t_read = cli_now();
    lm_db *db = NULL;
    rc = 1;
    if (cli_db_open(&db, &o, "db import")) goto out;
    int32_t ver = 0;
    int st = lm_db_schema_version(&ver, db);
    if (st) {
        cli_fail("db import", st, lm_db_errmsg(db));
        goto out;
    }
    if (ver == 0) {
        fprintf(stderr, "lmatch db import: no libmatch schema in this database; run 'lmatch db init' first\n");
        goto out;
    }
    cli_progress pr;
    if (P.nc) {
        cli_progress_init(&pr, "write candidates");
        lm_db_set_progress(db, cli_progress_cb, &pr);
        st = lm_db_write_candidates(db, &P.cc, P.nc);
        cli_progress_done(&pr);
        if (st) {
            fail_row(cand, P.cand_lines, P.nc, st, lm_db_errmsg(db));
            goto out;
        }
    }
    if (P.nv) {
        cli_progress_init(&pr, "write vacancies");
        lm_db_set_progress(db, cli_progress_cb, &pr);
        st = lm_db_write_vacancies(db, &P.vc, P.nv);
        cli_progress_done(&pr);
        if (st) {
            fail_row(vac, P.vac_lines, P.nv, st, lm_db_errmsg(db));
            goto out;
        }
    }
    printf("imported %zu candidates and %zu vacancies (competence dimension %u): read %.2f s, write %.2f s\n", P.nc,
           P.nv, P.dim, t_read - t0, cli_now() - t_read);
    rc = 0;
out:
    lm_db_close(db);
    csv_pools_free(&P);
    return rc;
}
