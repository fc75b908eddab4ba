/* lmatch db init | db seed-demo | batch | query: the shared pools in
 * PostgreSQL (docs/postgresql.md). Connection from --db CONNINFO or the
 * standard PG* environment variables. */
#include "cli.h"
#include "demo_data.h"
#include "owndata.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WSP_ORG_BASE 400000 /* the regions' employer service points, as in lmatch demo */

int cli_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out) {
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* "today", YYYY-MM-DD or a day number -> day number (days since 1970-01-01). */
int cli_parse_day(const char *s, int64_t *out) {
    if (!strcmp(s, "today")) {
        *out = (int64_t)(time(NULL) / 86400);
        return 0;
    }
    int y, m, d;
    char tail;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && m >= 1 && m <= 12 && d >= 1 && d <= 31) {
        /* days from civil (proleptic Gregorian) */
        y -= m <= 2;
        int era = (y >= 0 ? y : y - 399) / 400;
        int yoe = y - era * 400;
        int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        *out = (int64_t)era * 146097 + doe - 719468;
        return *out >= 0 ? 0 : -1;
    }
    return cli_parse_i64(s, 0, INT32_MAX, out);
}

/* Open and configure a connection; prints the error. */
int cli_db_open(lm_db **out, const db_opts *o, const char *cmd) {
    int st = lm_db_open(out, o->conninfo);
    if (st) {
        char what[64];
        snprintf(what, sizeof what, "%s: connect", cmd);
        cli_fail(what, st, *out ? lm_db_errmsg(*out) : NULL);
        lm_db_close(*out);
        *out = NULL;
        return 1;
    }
    if (o->schema && (st = lm_db_set_schema(*out, o->schema))) {
        cli_fail("--schema", st, lm_db_errmsg(*out));
        lm_db_close(*out);
        *out = NULL;
        return 1;
    }
    return 0;
}

/* Options every command takes; returns 1 if argv[*i] was one (consumed). */
int cli_db_common_opt(db_opts *o, int argc, char **argv, int *i) {
    const char *a = argv[*i], *val = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (!strcmp(a, "--db") && val) o->conninfo = argv[++*i];
    else if (!strcmp(a, "--schema") && val) o->schema = argv[++*i];
    else return 0;
    return 1;
}

/* ---- db init / db seed-demo ------------------------------------------------------ */
static int db_init(const db_opts *o) {
    lm_db *db = NULL;
    if (cli_db_open(&db, o, "db init")) return 1;
    int32_t before = 0, after = 0;
    int st = lm_db_schema_version(&before, db);
    if (!st) st = lm_db_init(db);
    if (!st) st = lm_db_schema_version(&after, db);
    if (st) {
        cli_fail("db init", st, lm_db_errmsg(db));
        lm_db_close(db);
        return 1;
    }
    if (before == after) printf("schema %s is up to date (version %d)\n", o->schema ? o->schema : "libmatch", (int)after);
    else if (before == 0) printf("created schema %s (version %d)\n", o->schema ? o->schema : "libmatch", (int)after);
    else printf("upgraded schema %s from version %d to %d\n", o->schema ? o->schema : "libmatch", (int)before, (int)after);
    lm_db_close(db);
    return 0;
}

static int db_seed_demo(const db_opts *o, unsigned long long seed) {
    demo_data d;
    if (demo_generate(&d, seed, DEMO_DEFAULT_DIM, DEMO_DEFAULT_CANDIDATES, DEMO_DEFAULT_VACANCIES) != 0) {
        fprintf(stderr, "lmatch db seed-demo: could not generate the demo data (out of memory)\n");
        return 1;
    }
    lm_db *db = NULL;
    if (cli_db_open(&db, o, "db seed-demo")) {
        demo_free(&d);
        return 1;
    }
    int rc = 1, st;
    int32_t ver = 0;
    if ((st = lm_db_schema_version(&ver, db))) {
        cli_fail("db seed-demo", st, lm_db_errmsg(db));
        goto out;
    }
    if (ver == 0) {
        fprintf(stderr, "lmatch db seed-demo: no libmatch schema in this database; run 'lmatch db init' first\n");
        goto out;
    }
    lm_candidate_cols cc;
    lm_vacancy_cols vc;
    demo_candidate_cols(&d, &cc);
    demo_vacancy_cols(&d, &vc);
    cli_progress pr;
    cli_progress_init(&pr, "write candidates");
    lm_db_set_progress(db, cli_progress_cb, &pr);
    st = lm_db_write_candidates(db, &cc, d.n_candidates);
    cli_progress_done(&pr);
    if (st) {
        cli_fail("db seed-demo: candidates", st, lm_db_errmsg(db));
        goto out;
    }
    cli_progress_init(&pr, "write vacancies");
    st = lm_db_write_vacancies(db, &vc, d.n_vacancies);
    cli_progress_done(&pr);
    if (st) {
        cli_fail("db seed-demo: vacancies", st, lm_db_errmsg(db));
        goto out;
    }
    printf("wrote the demo pools (seed %llu): %zu candidates and %zu vacancies of %zu labour-market regions, "
           "competence dimension %u\n", seed, d.n_candidates, d.n_vacancies, demo_n_regions, d.dim);
    rc = 0;
out:
    lm_db_close(db);
    demo_free(&d);
    return rc;
}

int cmd_db(int argc, char **argv) {
    const char *sub = argc >= 2 ? argv[1] : "";
    if (!strcmp(sub, "import")) return cmd_db_import(argc, argv);
    db_opts o = {NULL, NULL};
    int64_t seed = DEMO_DEFAULT_SEED;
    const cli_opt opts[] = {
        CLI_OPTS_DB(&o),
        {.name = "--seed", .kind = CLI_INT, .metavar = "N", .lo = 0, .hi = INT64_MAX, .dst = &seed,
         .help = "seed of the demo pools (default 20261123)"},
    };
    if (!strcmp(sub, "init")) {
        const cli_cmd cmd = {"db init", NULL, "  Creates the PostgreSQL schema, or upgrades it to this version.\n", opts,
                             2, 0};
        int parsed_rc = cli_opts_parse(&cmd, argc, argv, 2, NULL);
        return parsed_rc >= 0 ? parsed_rc : db_init(&o);
    }
    if (!strcmp(sub, "seed-demo")) {
        const cli_cmd cmd = {"db seed-demo", NULL, "  Writes the embedded demo pools into the database.\n", opts, 3, 0};
        int parsed_rc = cli_opts_parse(&cmd, argc, argv, 2, NULL);
        return parsed_rc >= 0 ? parsed_rc : db_seed_demo(&o, (unsigned long long)seed);
    }
    FILE *f = !strcmp(sub, "--help") || !strcmp(sub, "-h") ? stdout : stderr;
    if (f == stderr) fprintf(stderr, "lmatch db: %s '%s'\n", *sub ? "unknown subcommand" : "expected a subcommand", sub);
    fputs("usage: lmatch db init [options]       create or upgrade the schema\n"
          "       lmatch db seed-demo [options]  write the demo pools\n"
          "       lmatch db import --candidates FILE --vacancies FILE [options]  load CSV files (docs/own-data.md)\n"
          "  (lmatch db SUBCOMMAND --help lists the options)\n", f);
    return f == stdout ? 0 : 2;
}

/* ---- loading, shared by batch and query ---------------------------------------------- */
typedef struct loaded {
    lm_db *db;
    lm_pool *pool;
    lm_snapshot *snap;
    lm_travel *travel;
    lm_engine *eng;
    int32_t schema_version;
    size_t hist_total, hist_open; /* the history attached to eng (hist_loaded) */
    bool hist_loaded;
} loaded;

static void loaded_free(loaded *L) {
    lm_engine_free(L->eng);
    lm_travel_free(L->travel);
    lm_snapshot_free(L->snap);
    lm_pool_free(L->pool);
    lm_db_close(L->db);
    memset(L, 0, sizeof *L);
}

/* The proposal history (schema version 2) into the engine, so runs and
 * queries honour rejections, introductions and placements. */
static int load_history(loaded *L, const char *cmd) {
    if (L->schema_version < 2) return 0; /* reported by the caller */
    lm_history *h = NULL;
    int st = lm_db_load_history(&h, L->db);
    if (st) return cli_fail("load history", st, lm_db_errmsg(L->db));
    st = lm_engine_set_history(L->eng, h);
    lm_history_free(h);
    if (st) return cli_fail(cmd, st, lm_engine_errmsg(L->eng));
    int64_t n[8];
    if ((st = lm_db_proposal_counts(n, 8, L->db))) return cli_fail("load history", st, lm_db_errmsg(L->db));
    L->hist_total = 0;
    for (int i = 0; i < 8; i++) L->hist_total += (size_t)n[i];
    L->hist_open = (size_t)(n[LM_PROPOSAL_PROPOSED] + n[LM_PROPOSAL_INTRODUCED] + n[LM_PROPOSAL_INTERVIEW]);
    L->hist_loaded = true;
    return 0;
}

static int load_all(loaded *L, const db_opts *o, const char *cmd, int64_t as_of, int64_t threads, bool with_history,
                    const score_opts *so, const cli_policy_opts *po) {
    memset(L, 0, sizeof *L);
    if (cli_db_open(&L->db, o, cmd)) return 1;
    uint32_t dim = 0;
    int st = lm_db_vector_dim(&dim, L->db);
    if (st) return cli_fail(cmd, st, lm_db_errmsg(L->db));
    if (dim == 0) {
        fprintf(stderr, "lmatch %s: the database has no live candidates or vacancies (try 'lmatch db seed-demo')\n", cmd);
        return 1;
    }
    if ((st = lm_pool_create(&L->pool, dim))) return cli_fail(cmd, st, "create pool");
    cli_progress pr;
    cli_progress_init(&pr, "load pool");
    lm_db_set_progress(L->db, cli_progress_cb, &pr);
    int64_t wm = 0;
    st = lm_db_load_pool(&wm, L->db, L->pool, 0);
    cli_progress_done(&pr);
    lm_db_set_progress(L->db, NULL, NULL);
    if (st) return cli_fail("load pool", st, lm_db_errmsg(L->db));
    if (so->centre && (st = lm_pool_set_centre(L->pool, NULL, dim))) return cli_fail("--centre", st, lm_pool_errmsg(L->pool));
    if ((st = lm_travel_create(&L->travel))) return cli_fail(cmd, st, "travel model");
    if ((st = lm_db_load_travel(L->db, L->travel))) return cli_fail("load travel", st, lm_db_errmsg(L->db));
    if ((st = lm_pool_snapshot(&L->snap, L->pool))) return cli_fail(cmd, st, lm_pool_errmsg(L->pool));
    lm_policy *pol = NULL;
    if ((st = lm_policy_create(&pol))) return cli_fail(cmd, st, "policy");
    if (cli_policy_apply(pol, po)) {
        lm_policy_free(pol);
        return 1;
    }
    if (as_of > 0 && (st = lm_policy_set_f64(pol, LM_POLICY_AS_OF_DAY, (double)as_of))) {
        lm_policy_free(pol);
        return cli_fail("--as-of", st, NULL);
    }
    if (so->model >= 0 && (st = lm_policy_set_f64(pol, LM_POLICY_COMPETENCE_MODEL, so->model))) {
        lm_policy_free(pol);
        return cli_fail("--model", st, NULL);
    }
    st = lm_engine_create(&L->eng, pol, L->travel);
    lm_policy_free(pol);
    if (st) return cli_fail(cmd, st, "create engine");
    if ((st = lm_engine_set_i64(L->eng, LM_ENGINE_THREADS, threads))) return cli_fail("--threads", st, lm_engine_errmsg(L->eng));
    if ((st = lm_db_schema_version(&L->schema_version, L->db))) return cli_fail(cmd, st, lm_db_errmsg(L->db));
    return with_history ? load_history(L, cmd) : 0;
}

static const char *muni_name(int32_t code) {
    const demo_municipality *m = demo_municipality_find(code);
    return m ? m->name : "";
}

/* ---- batch ------------------------------------------------------------------------------ */
/* -1: go on; else the exit status (0 after --help, 2 for a bad option). */
static int batch_parse(batch_args *b, int argc, char **argv) {
    *b = (batch_args){.o = {NULL, NULL}, .so = {-1, false}, .k = 10, .region = -1, .label = "lmatch batch"};
    const cli_opt opts[] = {
        CLI_OPTS_DB(&b->o),
        {.name = "--candidates", .kind = CLI_STRING, .metavar = "FILE", .dst = &b->candidates,
         .help = "CSV mode: the candidates CSV (docs/own-data.md); no database is used"},
        {.name = "--vacancies", .kind = CLI_STRING, .metavar = "FILE", .dst = &b->vacancies,
         .help = "CSV mode: the vacancies CSV"},
        {.name = "--travel", .kind = CLI_STRING, .metavar = "FILE", .dst = &b->travel,
         .help = "CSV mode: a travel-time file (docs/travel.md; default: the built-in distance model)"},
        {.name = "--out", .kind = CLI_STRING, .metavar = "DIR", .dst = &b->out,
         .help = "CSV mode: directory of the result CSVs (written only when the run succeeds)"},
        {.name = "--k", .kind = CLI_INT, .metavar = "N", .lo = 1, .hi = LM_MAX_K, .dst = &b->k,
         .help = "list length both ways (default 10)"},
        {.name = "--region", .kind = CLI_INT, .metavar = "R", .lo = 0, .hi = INT32_MAX, .dst = &b->region,
         .help = "match only the vacancies of labour-market region R (default: every region)"},
        {.name = "--as-of", .kind = CLI_DAY, .metavar = "DAY", .dst = &b->as_of,
         .help = "exclude vacancies closed before DAY"},
        {.name = "--threads", .kind = CLI_INT, .metavar = "N", .lo = 0, .hi = 1024, .dst = &b->threads,
         .help = "worker threads, 0 = one per core (default 0)"},
        {.name = "--label", .kind = CLI_STRING, .metavar = "TEXT", .dst = &b->label,
         .help = "database mode: label of the run (default 'lmatch batch')"},
        {.name = "--no-history", .kind = CLI_FLAG, .dst = &b->no_history,
         .help = "database mode: ignore the proposal history (rejections, placements, people in progress)"},
        {.name = "--model", .kind = CLI_ENUM, .metavar = "NAME", .names = cli_model_names, .dst = &b->so.model,
         .help = "competence model (default cosine_coverage; docs/scoring.md)"},
        {.name = "--centre", .kind = CLI_FLAG, .dst = &b->so.centre,
         .help = "centre the competence vectors on the pool mean (for raw skill levels)"},
        CLI_OPTS_POLICY(&b->po),
    };
    const cli_cmd cmd = {
        "batch", NULL,
        "  The nightly batch: every region's vacancies matched as the region's WSP (organisation 400000 + region),\n"
        "  top-k lists both ways and the coordinated proposals (one per person).\n"
        "  Database mode (default): loads the pools and the proposal history from PostgreSQL and writes one\n"
        "  complete run. CSV mode (--candidates and --vacancies): reads CSV files, writes vacancy_topk.csv,\n"
        "  candidate_topk.csv and proposals.csv into --out DIR; no database (docs/own-data.md).\n",
        opts, sizeof opts / sizeof opts[0], 0};
    int parsed_rc = cli_opts_parse(&cmd, argc, argv, 1, NULL);
    if (parsed_rc >= 0) return parsed_rc;
    bool csv = b->candidates || b->vacancies || b->travel || b->out;
    if (csv && (!b->candidates || !b->vacancies || !b->out))
        return cli_usage_error(&cmd, "CSV mode needs --candidates FILE, --vacancies FILE and --out DIR");
    if (csv && (b->o.conninfo || b->o.schema || b->no_history))
        return cli_usage_error(&cmd, "--db, --schema and --no-history are for the database mode, not with CSV files");
    return -1;
}

int cmd_batch(int argc, char **argv) {
    batch_args b;
    int parsed = batch_parse(&b, argc, argv);
    if (parsed >= 0) return parsed;
    if (b.candidates) return cmd_batch_csv(&b);
    db_opts o = b.o;
    score_opts so = b.so;
    int64_t k = b.k, region = b.region, as_of = b.as_of, threads = b.threads;
    bool with_history = !b.no_history;
    const char *label = b.label;
    double t0 = cli_now();
    loaded L;
    int rc = 1, st;
    int32_t *regions = NULL;
    size_t nreg = 0;
    lm_results **res = NULL;
    lm_assignment **asg = NULL;
    lm_run_part *parts = NULL;
    if (load_all(&L, &o, "batch", as_of, threads, with_history, &so, &b.po)) goto out;
    double t_loaded = cli_now();
    if (region >= 0) {
        nreg = 1;
        regions = malloc(sizeof *regions);
        if (!regions) goto nomem;
        regions[0] = (int32_t)region;
    } else {
        st = lm_db_regions(NULL, 0, &nreg, L.db);
        if (st && st != LM_ERR_BUFFER) {
            cli_fail("batch: regions", st, lm_db_errmsg(L.db));
            goto out;
        }
        regions = malloc((nreg ? nreg : 1) * sizeof *regions);
        if (!regions) goto nomem;
        if ((st = lm_db_regions(regions, nreg, &nreg, L.db))) {
            cli_fail("batch: regions", st, lm_db_errmsg(L.db));
            goto out;
        }
    }
    if (nreg == 0) {
        fprintf(stderr, "lmatch batch: no live vacancies in the database\n");
        goto out;
    }
    res = calloc(nreg, sizeof *res);
    asg = calloc(nreg, sizeof *asg);
    parts = calloc(nreg, sizeof *parts);
    if (!res || !asg || !parts) goto nomem;
    size_t nc = 0, nv = 0;
    lm_snapshot_count(&nc, L.snap, LM_SIDE_CANDIDATE);
    lm_snapshot_count(&nv, L.snap, LM_SIDE_VACANCY);
    printf("libmatch %s batch: %zu candidates, %zu vacancies, %zu region%s, top-%lld both ways\n", lm_version_string(), nc,
           nv, nreg, nreg == 1 ? "" : "s", (long long)k);
    printf("competence model %s%s (docs/scoring.md)\n", cli_model_name(so.model >= 0 ? so.model : cli_policy_model(&b.po, cli_default_model())),
           so.centre ? ", vectors centred on the pool mean" : "");
    if (L.hist_loaded) printf("history: %zu proposals, %zu open\n", L.hist_total, L.hist_open);
    else if (!with_history) printf("history: not used (--no-history)\n");
    else printf("history: none (schema version %d; 'lmatch db init' upgrades it)\n", (int)L.schema_version);
    printf("  %-8s %-12s %10s %12s %12s %10s %10s\n", "region", "viewer", "vacancies", "visible", "rows", "proposals",
           "seconds");
    size_t tot_rows = 0, tot_prop = 0;
    double tot_excl = 0;
    for (size_t i = 0; i < nreg; i++) {
        lm_viewer v = LM_VIEWER_INIT;
        v.org = WSP_ORG_BASE + regions[i];
        v.region = regions[i];
        lm_batch_options bo = LM_BATCH_OPTIONS_INIT;
        bo.k_candidates = bo.k_vacancies = (uint32_t)k;
        bo.vacancy_region = regions[i];
        cli_progress pr;
        char plabel[64];
        snprintf(plabel, sizeof plabel, "batch region %d", (int)regions[i]);
        cli_progress_init(&pr, plabel);
        bo.progress = cli_progress_cb;
        bo.progress_user = &pr;
        double tb = cli_now();
        st = lm_engine_batch(&res[i], L.eng, L.snap, &v, &bo);
        cli_progress_done(&pr);
        if (st) {
            cli_fail("batch", st, lm_engine_errmsg(L.eng));
            goto out;
        }
        size_t prop = 0;
#ifdef LM_HAVE_ASSIGN
        st = lm_engine_assign(&asg[i], L.eng, res[i], NULL);
        if (st) {
            cli_fail("batch: assignment", st, lm_engine_errmsg(L.eng));
            goto out;
        }
        lm_assignment_count(&prop, asg[i]);
#endif
        lm_run_part p = LM_RUN_PART_INIT;
        p.results = res[i];
        p.assignment = asg[i];
        p.region = regions[i];
        parts[i] = p;
        size_t lv = 0, lc = 0, rv = 0, rcn = 0;
        lm_results_lists(&lv, res[i], LM_DIR_VACANCY);
        lm_results_lists(&lc, res[i], LM_DIR_CANDIDATE);
        lm_results_count(&rv, res[i], LM_DIR_VACANCY);
        lm_results_count(&rcn, res[i], LM_DIR_CANDIDATE);
        tot_rows += rv + rcn;
        tot_prop += prop;
        double ex = 0;
        if (lm_results_stat(&ex, res[i], LM_STAT_HISTORY_EXCLUDED) == LM_OK) tot_excl += ex;
        printf("  %-8d %-12lld %10zu %12zu %12zu %10zu %10.2f\n", (int)regions[i], (long long)v.org, lv, lc, rv + rcn,
               prop, cli_now() - tb);
    }
    if (L.hist_loaded) printf("history excluded %.0f list entries\n", tot_excl);
    lm_run_info info = LM_RUN_INFO_INIT;
    info.label = label;
    info.region = region >= 0 ? (int32_t)region : 0;
    cli_progress pr;
    cli_progress_init(&pr, "write run");
    lm_db_set_progress(L.db, cli_progress_cb, &pr);
    int64_t run_id = 0;
    double tw = cli_now();
    st = lm_db_write_run_parts(&run_id, L.db, parts, sizeof *parts, nreg, &info);
    cli_progress_done(&pr);
    if (st) {
        cli_fail("batch: write run", st, lm_db_errmsg(L.db));
        goto out;
    }
    printf("run %lld complete: %zu result rows, %zu proposals (load %.2f s, write %.2f s, total %.2f s)\n",
           (long long)run_id, tot_rows, tot_prop, t_loaded - t0, cli_now() - tw, cli_now() - t0);
    rc = 0;
    goto out;
nomem:
    fprintf(stderr, "lmatch batch: out of memory\n");
out:
    for (size_t i = 0; i < nreg; i++) {
        if (res) lm_results_free(res[i]);
#ifdef LM_HAVE_ASSIGN
        if (asg) lm_assignment_free(asg[i]);
#endif
    }
    free(res);
    free(asg);
    free(parts);
    free(regions);
    loaded_free(&L);
    return rc;
}

/* ---- query ------------------------------------------------------------------------------ */
static void print_row(const lm_match *m, int32_t dir) {
    int64_t id = dir == LM_DIR_VACANCY ? m->candidate_id : m->vacancy_id;
    int32_t muni = dir == LM_DIR_VACANCY ? m->candidate_municipality : m->vacancy_municipality;
    printf("  %2u. %s %lld  %s%s%d%s  score %.3f\n", m->rank, dir == LM_DIR_VACANCY ? "candidate" : "vacancy",
           (long long)id, muni_name(muni), *muni_name(muni) ? " (" : "(", (int)muni, ")", m->score);
    printf("      competence %.2f, travel %.2f (%s %.0f min), hours %.2f, readiness %.2f, priority %.2f%s\n",
           m->competence, m->travel, cli_mode_name(m->travel_mode), m->travel_minutes, m->hours, m->readiness,
           m->priority, m->candidate_municipality != m->vacancy_municipality ? "; across a municipal border" : "");
    const char *ps = m->process_day > 0 ? lm_proposal_status_name(m->process_status) : NULL;
    if (ps && m->lead_org) printf("      process: %s, in progress at organisation %lld\n", ps, (long long)m->lead_org);
    else if (ps) printf("      process: %s\n", ps);
}

/* One access_log row per match shown (schema version 2), before it is shown;
 * a query that shows nothing still logs the id asked about. */
static int log_query(loaded *L, int64_t org, const lm_results *res, int32_t dir, size_t n, int64_t asked) {
    if (L->schema_version < 2) {
        fprintf(stderr, "lmatch query: access log not written (schema version %d; 'lmatch db init' upgrades it)\n",
                (int)L->schema_version);
        return 0;
    }
    lm_match m;
    for (size_t i = 0; i < n; i++) {
        int st = lm_results_copy(&m, sizeof m, 1, NULL, res, dir, i);
        if (!st) st = lm_db_log_access(L->db, org, "query", m.vacancy_id, m.candidate_id, 0);
        if (st) return cli_fail("query: access log", st, lm_db_errmsg(L->db));
    }
    int st = n ? LM_OK : lm_db_log_access(L->db, org, "query", dir == LM_DIR_VACANCY ? asked : 0,
                                          dir == LM_DIR_VACANCY ? 0 : asked, 0);
    return st ? cli_fail("query: access log", st, lm_db_errmsg(L->db)) : 0;
}

int cmd_query(int argc, char **argv) {
    db_opts o = {NULL, NULL};
    score_opts so = {-1, false};
    cli_policy_opts po = {0};
    int64_t vac = 0, cand = 0, org = 0, vreg = 0, vmun = 0, k = 10, as_of = 0;
    bool have_vac = false, have_cand = false, have_org = false;
    const cli_opt opts[] = {
        CLI_OPTS_DB(&o),
        {.name = "--vacancy", .kind = CLI_INT, .metavar = "ID", .lo = INT64_MIN, .hi = INT64_MAX, .dst = &vac,
         .seen = &have_vac, .help = "rank the candidates of this vacancy"},
        {.name = "--candidate", .kind = CLI_INT, .metavar = "ID", .lo = INT64_MIN, .hi = INT64_MAX, .dst = &cand,
         .seen = &have_cand, .help = "rank the vacancies of this person"},
        {.name = "--viewer", .kind = CLI_INT, .metavar = "ORG", .lo = INT64_MIN, .hi = INT64_MAX, .dst = &org,
         .seen = &have_org, .help = "the asking organisation (required; decides who is visible)"},
        {.name = "--viewer-region", .kind = CLI_INT, .metavar = "R", .lo = 0, .hi = INT32_MAX, .dst = &vreg,
         .help = "the viewer's labour-market region (default: R of a WSP 400000 + R, else 0)"},
        {.name = "--viewer-municipality", .kind = CLI_INT, .metavar = "M", .lo = 0, .hi = INT32_MAX, .dst = &vmun,
         .help = "the viewer's municipality (CBS code number; default 0)"},
        {.name = "--k", .kind = CLI_INT, .metavar = "N", .lo = 1, .hi = LM_MAX_K, .dst = &k,
         .help = "list length (default 10)"},
        {.name = "--as-of", .kind = CLI_DAY, .metavar = "DAY", .dst = &as_of,
         .help = "exclude vacancies closed before DAY"},
        {.name = "--model", .kind = CLI_ENUM, .metavar = "NAME", .names = cli_model_names, .dst = &so.model,
         .help = "competence model (default cosine_coverage; docs/scoring.md)"},
        {.name = "--centre", .kind = CLI_FLAG, .dst = &so.centre,
         .help = "centre the competence vectors on the pool mean"},
        CLI_OPTS_POLICY(&po),
    };
    const cli_cmd cmd = {"query", NULL,
                         "  One account-manager question: ranked matches with their explanation, from the pools\n"
                         "  in PostgreSQL. Give --viewer and exactly one of --vacancy and --candidate.\n",
                         opts, sizeof opts / sizeof opts[0], 0};
    int parsed_rc = cli_opts_parse(&cmd, argc, argv, 1, NULL);
    if (parsed_rc >= 0) return parsed_rc;
    if (have_vac == have_cand || !have_org)
        return cli_usage_error(&cmd, "give --viewer and exactly one of --vacancy and --candidate");
    /* A WSP viewer of the demo (400000 + region) sees its region by default. */
    if (!vreg && org > WSP_ORG_BASE && org < WSP_ORG_BASE + 1000) vreg = org - WSP_ORG_BASE;
    loaded L;
    int rc = 1;
    lm_results *res = NULL;
    if (load_all(&L, &o, "query", as_of, 1, true, &so, &po)) goto out;
    lm_viewer v = LM_VIEWER_INIT;
    v.org = org;
    v.region = (int32_t)vreg;
    v.municipality = (int32_t)vmun;
    int32_t dir = have_vac ? LM_DIR_VACANCY : LM_DIR_CANDIDATE;
    int st = have_vac ? lm_engine_query_vacancy(&res, L.eng, L.snap, &v, vac, (uint32_t)k)
                      : lm_engine_query_candidate(&res, L.eng, L.snap, &v, cand, (uint32_t)k);
    if (st) {
        cli_fail("query", st, lm_engine_errmsg(L.eng));
        goto out;
    }
    size_t n = 0;
    lm_results_count(&n, res, dir);
    printf("%s %lld as seen by organisation %lld (region %d, municipality %d): %zu %s, best first\n",
           have_vac ? "Vacancy" : "Candidate", (long long)(have_vac ? vac : cand), (long long)org, (int)vreg, (int)vmun,
           n, have_vac ? (n == 1 ? "candidate" : "candidates") : (n == 1 ? "vacancy" : "vacancies"));
    if (log_query(&L, org, res, dir, n, have_vac ? vac : cand)) goto out;
    lm_match m;
    for (size_t i = 0; i < n; i++) {
        if ((st = lm_results_copy(&m, sizeof m, 1, NULL, res, dir, i))) {
            cli_fail("query", st, NULL);
            goto out;
        }
        print_row(&m, dir);
    }
    if (n == 0)
        printf("  no feasible match: %s\n", have_vac ? "the viewer's scope, the travel limit, target groups, hours, "
                                                       "readiness or dates exclude every candidate"
                                                     : "the travel limit, target groups, hours, readiness or dates "
                                                       "exclude every vacancy");
    rc = 0;
out:
    lm_results_free(res);
    loaded_free(&L);
    return rc;
}
