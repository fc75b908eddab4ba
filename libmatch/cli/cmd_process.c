/* lmatch proposals | proposal set | news: the proposal lifecycle in
 * PostgreSQL (docs/postgresql.md; the states: docs/lifecycle.md). */
#include "cli.h"
#include "opts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Old-style --help check, kept for commands not yet on the option tables (opts.h). */
__attribute__((unused)) static int want_help(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return 1;
    return 0;
}

static int parse_run(void *dst, const char *v, char *err, size_t cap) {
    if (!strcmp(v, "latest")) return *(int64_t *)dst = -1, 0;
    if (!cli_parse_i64(v, 1, INT64_MAX, dst)) return 0;
    return snprintf(err, cap, "'%s' is not a run id (a number >= 1, or latest)", v), -1;
}

static int parse_status(void *dst, const char *v, char *err, size_t cap) {
    if (!lm_proposal_status_parse(dst, v)) return 0;
    return snprintf(err, cap, "unknown status '%s' (proposed introduced interview placed rejected declined withdrawn "
                              "expired)", v), -1;
}

static int parse_reason(void *dst, const char *v, char *err, size_t cap) {
    if (!lm_reason_parse(dst, v)) return 0;
    return snprintf(err, cap, "unknown reason '%s' (none skills hours travel wage health not_interested other_job "
                              "filled no_response superseded other)", v), -1;
}

/* YYYY-MM-DD of a day number (civil from days). */
static void day_str(char *buf, size_t cap, int32_t day) {
    long z = (long)day + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    snprintf(buf, cap, "%04ld-%02ld-%02ld", y + (m <= 2), m, d);
}

/* ---- proposals ------------------------------------------------------------------- */
typedef struct list_ctx {
    int csv;
    int header_done;
} list_ctx;

/* The header once, before the first row (an error prints none). */
static void list_header(list_ctx *c) {
    if (c->header_done++) return;
    if (c->csv) printf("proposal_id,run_id,vacancy_id,candidate_id,owner_org,status,lead_org,reason,version,day,score\n");
    else
        printf("%10s %7s %12s %12s %10s  %-10s %10s  %-14s %4s  %-10s %7s\n", "proposal", "run", "vacancy", "candidate",
               "owner_org", "status", "lead_org", "reason", "ver", "since", "score");
}

static int print_proposal(void *user, const lm_proposal_row *r) {
    list_ctx *c = user;
    list_header(c);
    char day[48], score[16];
    day_str(day, sizeof day, r->day);
    if (isnan(r->score)) snprintf(score, sizeof score, "%s", c->csv ? "" : "-");
    else snprintf(score, sizeof score, "%.4f", (double)r->score);
    const char *st = lm_proposal_status_name(r->status), *rs = lm_reason_name(r->reason);
    if (c->csv)
        printf("%lld,%lld,%lld,%lld,%lld,%s,%lld,%s,%d,%s,%s\n", (long long)r->proposal_id, (long long)r->run_id,
               (long long)r->vacancy_id, (long long)r->candidate_id, (long long)r->owner_org, st, (long long)r->lead_org,
               rs, (int)r->version, day, score);
    else
        printf("%10lld %7lld %12lld %12lld %10lld  %-10s %10lld  %-14s %4d  %s %7s\n", (long long)r->proposal_id,
               (long long)r->run_id, (long long)r->vacancy_id, (long long)r->candidate_id, (long long)r->owner_org, st,
               (long long)r->lead_org, rs, (int)r->version, day, score);
    return 0;
}

int cmd_proposals(int argc, char **argv) {
    db_opts o = {NULL, NULL};
    lm_proposal_filter f = LM_PROPOSAL_FILTER_INIT;
    list_ctx ctx = {0};
    static const char *const formats[] = {"table", "csv", NULL};
    const cli_opt opts[] = {
        CLI_OPTS_DB(&o),
        {.name = "--run", .kind = CLI_CUSTOM, .metavar = "ID|latest", .parse = parse_run, .dst = &f.run_id,
         .help = "only the proposals of this run (default: all)"},
        {.name = "--status", .kind = CLI_CUSTOM, .metavar = "S", .parse = parse_status, .dst = &f.status,
         .help = "only this status: proposed introduced interview placed rejected declined withdrawn expired"},
        {.name = "--org", .kind = CLI_INT, .metavar = "O", .lo = 1, .hi = INT64_MAX, .dst = &f.org,
         .help = "only proposals whose person belongs to O or whose lead O holds"},
        {.name = "--viewer", .kind = CLI_INT, .metavar = "ORG", .lo = 1, .hi = INT64_MAX, .dst = &f.viewer_org,
         .help = "record the listing in the access log as ORG"},
        {.name = "--format", .kind = CLI_ENUM, .metavar = "F", .names = formats, .dst = &ctx.csv,
         .help = "output format"},
    };
    const cli_cmd cmd = {"proposals", NULL, "  Lists proposals with their lifecycle status (docs/lifecycle.md).\n", opts,
                         sizeof opts / sizeof opts[0], 0};
    int parsed_rc = cli_opts_parse(&cmd, argc, argv, 1, NULL);
    if (parsed_rc >= 0) return parsed_rc;
    lm_db *db = NULL;
    if (cli_db_open(&db, &o, "proposals")) return 1;
    size_t n = 0;
    int st = lm_db_proposals(&n, db, &f, print_proposal, &ctx);
    if (st) cli_fail("proposals", st, lm_db_errmsg(db));
    else list_header(&ctx);
    if (!st && !ctx.csv) printf("%zu proposal%s\n", n, n == 1 ? "" : "s");
    lm_db_close(db);
    return st ? 1 : 0;
}

/* ---- proposal set ------------------------------------------------------------------ */
static int grab(void *user, const lm_proposal_row *r) {
    *(lm_proposal_row *)user = *r;
    return 0;
}

/* The proposal as stored now; 0 if found. */
static int read_proposal(lm_db *db, int64_t id, lm_proposal_row *out) {
    lm_proposal_filter f = LM_PROPOSAL_FILTER_INIT;
    f.proposal_id = id;
    size_t n = 0;
    int st = lm_db_proposals(&n, db, &f, grab, out);
    if (st) return cli_fail("proposal set", st, lm_db_errmsg(db));
    return n == 1 ? 0 : -1;
}

static int proposal_set(int argc, char **argv) {
    db_opts o = {NULL, NULL};
    lm_status_change ch = LM_STATUS_CHANGE_INIT;
    bool have_by = false;
    int64_t ver = -1, day = 0;
    const cli_opt opts[] = {
        CLI_OPTS_DB(&o),
        {.name = "--by", .kind = CLI_INT, .metavar = "ORG", .lo = 1, .hi = INT64_MAX, .dst = &ch.by_org,
         .seen = &have_by, .help = "the acting organisation (required)"},
        {.name = "--reason", .kind = CLI_CUSTOM, .metavar = "CODE", .parse = parse_reason, .dst = &ch.reason,
         .help = "reason: none skills hours travel wage health not_interested other_job filled no_response "
                 "superseded other"},
        {.name = "--version", .kind = CLI_INT, .metavar = "V", .lo = 0, .hi = INT32_MAX, .dst = &ver,
         .help = "fail if the proposal is no longer at version V (someone changed it)"},
        {.name = "--day", .kind = CLI_DAY, .metavar = "D", .dst = &day, .help = "day of the change (default today)"},
    };
    const cli_cmd cmd = {
        "proposal set", "PROPOSAL_ID STATUS",
        "  Changes a proposal's status as organisation ORG (introducing takes the lead). Allowed:\n"
        "  proposed -> introduced | rejected | declined | withdrawn | expired;\n"
        "  introduced -> interview | placed | rejected | declined | withdrawn | expired;\n"
        "  interview -> placed | rejected | declined | withdrawn | expired (docs/lifecycle.md).\n"
        "  Exit status 1 on an unknown id, a refused transition or a conflict.\n",
        opts, sizeof opts / sizeof opts[0], 2};
    const char *pos[2] = {NULL, NULL};
    int parsed_rc = cli_opts_parse(&cmd, argc, argv, 2, pos);
    if (parsed_rc >= 0) return parsed_rc;
    if (cli_parse_i64(pos[0], 1, INT64_MAX, &ch.proposal_id))
        return cli_usage_error(&cmd, "PROPOSAL_ID: '%s' is not a proposal id (a number >= 1)", pos[0]);
    char err[256];
    if (parse_status(&ch.status, pos[1], err, sizeof err)) return cli_usage_error(&cmd, "STATUS: %s", err);
    if (!have_by) return cli_usage_error(&cmd, "give --by ORG (the acting organisation)");
    ch.expected_version = ver;
    ch.day = (int32_t)day;
    lm_db *db = NULL;
    if (cli_db_open(&db, &o, "proposal set")) return 1;
    lm_proposal_row before, after;
    int rc = read_proposal(db, ch.proposal_id, &before);
    if (rc < 0) {
        fprintf(stderr, "lmatch: proposal set: no proposal %lld\n", (long long)ch.proposal_id);
        rc = 1;
    }
    if (rc) goto out;
    if (ver < 0) ch.expected_version = before.version; /* what was shown is what is changed */
    int st = lm_db_set_status(db, &ch);
    if (st) {
        rc = cli_fail("proposal set", st, lm_db_errmsg(db));
        goto out;
    }
    if ((rc = read_proposal(db, ch.proposal_id, &after) ? 1 : 0)) goto out;
    printf("proposal %lld (vacancy %lld, candidate %lld): %s -> %s by organisation %lld%s%s; version %d",
           (long long)after.proposal_id, (long long)after.vacancy_id, (long long)after.candidate_id,
           lm_proposal_status_name(before.status), lm_proposal_status_name(after.status), (long long)ch.by_org,
           ch.reason ? ", reason " : "", ch.reason ? lm_reason_name(ch.reason) : "", (int)after.version);
    if (after.lead_org) printf(", lead organisation %lld", (long long)after.lead_org);
    printf("\n");
out:
    lm_db_close(db);
    return rc;
}

int cmd_proposal(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "set")) return proposal_set(argc, argv);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: lmatch proposal set PROPOSAL_ID STATUS --by ORG [options]\n"
               "  (lmatch proposal set --help lists the options)\n");
        return 0;
    }
    fprintf(stderr, "lmatch proposal: expected 'set' (lmatch proposal set --help lists the options)\n");
    return 2;
}

/* ---- news ---------------------------------------------------------------------------- */
typedef struct news_ctx {
    size_t n[4], shown[4], limit;
    int64_t prev;
    int pass; /* 0 count, 1 print */
} news_ctx;

static int news_row(void *user, const lm_run_change *c) {
    news_ctx *x = user;
    if (c->kind < 0 || c->kind > 3) return 0;
    x->prev = c->prev_run_id;
    if (x->pass == 0) {
        x->n[c->kind]++;
        return 0;
    }
    static const char *const title[4] = {"New in the top lists", "Dropped from the top lists",
                                         "People newly in the lists (none in the previous run)", "Proposals gone"};
    if (x->shown[c->kind] == 0) printf("\n%s: %zu\n", title[c->kind], x->n[c->kind]);
    if (x->shown[c->kind]++ >= x->limit) {
        if (x->shown[c->kind] == x->limit + 1) printf("  ... (%zu more; --limit N shows more)\n", x->n[c->kind] - x->limit);
        return 0;
    }
    if (c->kind == LM_CHANGE_PROPOSAL_GONE)
        printf("  vacancy %lld, candidate %lld (proposal %lld): %s\n", (long long)c->vacancy_id,
               (long long)c->candidate_id, (long long)c->proposal_id, c->reason);
    else if (c->kind == LM_CHANGE_BECAME_FEASIBLE)
        printf("  candidate %lld\n", (long long)c->candidate_id);
    else
        printf("  vacancy %lld, candidate %lld\n", (long long)c->vacancy_id, (long long)c->candidate_id);
    return 0;
}

int cmd_news(int argc, char **argv) {
    db_opts o = {NULL, NULL};
    int64_t run = 0, limit = 20, viewer = 0;
    const cli_opt opts[] = {
        CLI_OPTS_DB(&o),
        {.name = "--run", .kind = CLI_INT, .metavar = "ID", .lo = 1, .hi = INT64_MAX, .dst = &run,
         .help = "the run to report (default: the latest complete run)"},
        {.name = "--limit", .kind = CLI_INT, .metavar = "N", .lo = 0, .hi = INT32_MAX, .dst = &limit,
         .help = "rows per section (default 20)"},
        {.name = "--viewer", .kind = CLI_INT, .metavar = "ORG", .lo = 1, .hi = INT64_MAX, .dst = &viewer,
         .help = "record the report in the access log as ORG"},
    };
    const cli_cmd cmd = {
        "news", NULL,
        "  What changed in a run against the previous complete run of the same region: proposals that are\n"
        "  gone and why, pairs new in or dropped from the top lists, people with matches for the first time.\n",
        opts, sizeof opts / sizeof opts[0], 0};
    int parsed_rc = cli_opts_parse(&cmd, argc, argv, 1, NULL);
    if (parsed_rc >= 0) return parsed_rc;
    lm_db *db = NULL;
    if (cli_db_open(&db, &o, "news")) return 1;
    news_ctx x = {{0}, {0}, (size_t)limit, 0, 0};
    int64_t listed = 0, prev = 0;
    int st = lm_db_run_changes(&listed, &prev, db, run, news_row, &x);
    if (!st) {
        size_t total = x.n[0] + x.n[1] + x.n[2] + x.n[3];
        if (prev == 0) {
            printf("run %lld: nothing to compare with (no earlier complete run of its region)\n", (long long)listed);
        } else if (total == 0) {
            printf("run %lld against run %lld: nothing changed\n", (long long)listed, (long long)prev);
        } else {
            printf("run %lld against run %lld: %zu proposals gone, %zu pairs new in and %zu dropped from the top "
                   "lists, %zu people newly in the lists\n", (long long)listed, (long long)x.prev, x.n[3], x.n[0],
                   x.n[1], x.n[2]);
            x.pass = 1;
            st = lm_db_run_changes(NULL, NULL, db, listed, news_row, &x);
        }
    }
    if (!st && viewer) st = lm_db_log_access(db, viewer, "news", 0, 0, 0);
    if (st) cli_fail("news", st, lm_db_errmsg(db));
    lm_db_close(db);
    return st ? 1 : 0;
}
