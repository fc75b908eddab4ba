/* lmatch proposals | proposal set | news: the proposal lifecycle in
 * PostgreSQL (docs/postgresql.md; the states: docs/lifecycle.md). */
#include "cli.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int want_help(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return 1;
    return 0;
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
    static const char usage[] =
        "usage: lmatch proposals [--db CONNINFO] [--schema NAME] [--run ID|latest] [--status S] [--org O]\n"
        "                        [--viewer ORG] [--format table|csv]\n"
        "  Lists proposals with their status (all, or those of one run); --org keeps those whose person\n"
        "  belongs to O or whose lead O holds; --viewer records the listing in the access log.\n"
        "  Statuses: proposed introduced interview placed rejected declined withdrawn expired.\n";
    if (want_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    db_opts o = {NULL, NULL};
    lm_proposal_filter f = LM_PROPOSAL_FILTER_INIT;
    list_ctx ctx = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_db_common_opt(&o, argc, argv, &i)) continue;
        if (!strcmp(a, "--run") && val && !strcmp(val, "latest")) f.run_id = -1, i++;
        else if (!strcmp(a, "--run") && val && !cli_parse_i64(val, 1, INT64_MAX, &f.run_id)) i++;
        else if (!strcmp(a, "--status") && val && !lm_proposal_status_parse(&f.status, val)) i++;
        else if (!strcmp(a, "--org") && val && !cli_parse_i64(val, 1, INT64_MAX, &f.org)) i++;
        else if (!strcmp(a, "--viewer") && val && !cli_parse_i64(val, 1, INT64_MAX, &f.viewer_org)) i++;
        else if (!strcmp(a, "--format") && val && (!strcmp(val, "csv") || !strcmp(val, "table")))
            ctx.csv = !strcmp(argv[++i], "csv");
        else {
            fprintf(stderr, "lmatch proposals: bad or incomplete option '%s'\n%s", a, usage);
            return 2;
        }
    }
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

/* The placement options of proposal set; 1 if a was one (ps->struct_size is
 * set to 0 after naming a bad value), 0 if not. */
static int placement_opt(const char *a, const char *val, lm_placement_start *ps, int64_t *start) {
    if (strcmp(a, "--start") && strcmp(a, "--hours") && strcmp(a, "--contract") && strcmp(a, "--lks")) return 0;
    if (!val) {
        fprintf(stderr, "lmatch proposal set: %s needs a value\n", a);
        ps->struct_size = 0;
        return 1;
    }
    if (!strcmp(a, "--start")) {
        if (cli_parse_day(val, start)) {
            fprintf(stderr, "lmatch proposal set: --start: '%s' is not a date (YYYY-MM-DD or today)\n", val);
            ps->struct_size = 0;
        }
    } else if (!strcmp(a, "--hours")) {
        char *end = NULL;
        double h = strtod(val, &end);
        if (end == val || *end || !isfinite(h)) {
            fprintf(stderr, "lmatch proposal set: --hours: '%s' is not a number\n", val);
            ps->struct_size = 0;
        } else if (h < 0 || h > 80) {
            fprintf(stderr, "lmatch proposal set: --hours: %s is not in 0..80 (hours per week)\n", val);
            ps->struct_size = 0;
        } else {
            ps->hours = (float)h;
        }
    } else if (!strcmp(a, "--contract")) {
        if (lm_contract_parse(&ps->contract, val)) {
            fprintf(stderr, "lmatch proposal set: --contract: unknown kind '%s' (regular garantiebaan beschut "
                            "detachering werkervaringsplek other)\n", val);
            ps->struct_size = 0;
        }
    } else if (!strcmp(val, "yes") || !strcmp(val, "no")) {
        ps->lks = !strcmp(val, "yes");
    } else {
        fprintf(stderr, "lmatch proposal set: --lks: '%s' is not yes or no\n", val);
        ps->struct_size = 0;
    }
    return 1;
}

static int proposal_set(int argc, char **argv, const char *usage) {
    if (argc < 4) {
        fputs(usage, stderr);
        return 2;
    }
    db_opts o = {NULL, NULL};
    lm_status_change ch = LM_STATUS_CHANGE_INIT;
    lm_placement_start ps = LM_PLACEMENT_START_INIT;
    int have_by = 0, placement_opts = 0;
    int64_t ver = -1, day = 0, start = -1;
    if (cli_parse_i64(argv[2], 1, INT64_MAX, &ch.proposal_id)) {
        fprintf(stderr, "lmatch proposal set: '%s' is not a proposal id\n%s", argv[2], usage);
        return 2;
    }
    if (lm_proposal_status_parse(&ch.status, argv[3])) {
        fprintf(stderr, "lmatch proposal set: unknown status '%s' (proposed introduced interview placed rejected "
                        "declined withdrawn expired)\n", argv[3]);
        return 2;
    }
    for (int i = 4; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_db_common_opt(&o, argc, argv, &i)) continue;
        if (!strcmp(a, "--by") && val && !cli_parse_i64(val, 1, INT64_MAX, &ch.by_org)) have_by = 1, i++;
        else if (!strcmp(a, "--reason") && val && !lm_reason_parse(&ch.reason, val)) i++;
        else if (!strcmp(a, "--version") && val && !cli_parse_i64(val, 0, INT32_MAX, &ver)) i++;
        else if (!strcmp(a, "--day") && val && !cli_parse_day(val, &day)) i++;
        else if (placement_opt(a, val, &ps, &start)) {
            if (ps.struct_size == 0) return 2; /* a bad value, named */
            placement_opts = 1, i++;
        } else {
            fprintf(stderr, "lmatch proposal set: bad or incomplete option '%s'\n%s", a, usage);
            return 2;
        }
    }
    if (!have_by) {
        fprintf(stderr, "lmatch proposal set: give --by ORG (the acting organisation)\n%s", usage);
        return 2;
    }
    bool placing = ch.status == LM_PROPOSAL_PLACED;
    if (placing && start < 0) {
        fprintf(stderr, "lmatch proposal set: placed needs the start of the placement: --start YYYY-MM-DD\n%s", usage);
        return 2;
    }
    if (!placing && placement_opts) {
        fprintf(stderr, "lmatch proposal set: --start, --hours, --contract and --lks go with status placed only\n");
        return 2;
    }
    ps.start_day = (int32_t)(start < 0 ? 0 : start);
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
    int st = placing ? lm_db_place(db, &ch, &ps) : lm_db_set_status(db, &ch);
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
    if (placing) {
        char d[48];
        day_str(d, sizeof d, ps.start_day);
        printf("; placement from %s, %s, %s", d, lm_contract_name(ps.contract),
               ps.lks ? "with loonkostensubsidie" : "no loonkostensubsidie");
        if (ps.hours > 0) printf(", %g hours a week", (double)ps.hours);
    }
    printf("\n");
out:
    lm_db_close(db);
    return rc;
}

int cmd_proposal(int argc, char **argv) {
    static const char usage[] =
        "usage: lmatch proposal set PROPOSAL_ID STATUS --by ORG [--reason CODE] [--version V] [--day D]\n"
        "                           [--db CONNINFO] [--schema NAME]\n"
        "       lmatch proposal set PROPOSAL_ID placed --by ORG --start YYYY-MM-DD [--hours H]\n"
        "                           [--contract KIND] [--lks yes|no] [...]\n"
        "  Changes a proposal's status as organisation ORG (introducing takes the lead). Allowed:\n"
        "  proposed -> introduced | rejected | declined | withdrawn | expired;\n"
        "  introduced -> interview | placed | rejected | declined | withdrawn | expired;\n"
        "  interview -> placed | rejected | declined | withdrawn | expired (docs/lifecycle.md).\n"
        "  --version V fails if the proposal is no longer at version V (someone changed it).\n"
        "  Reasons: none skills hours travel wage health not_interested other_job filled no_response\n"
        "  superseded other.\n"
        "  placed records the placement in the same transaction (schema version 3): --start its first\n"
        "  day (not before the proposal), --hours per week (0..80, default unknown), --contract regular |\n"
        "  garantiebaan | beschut | detachering | werkervaringsplek | other (default regular), --lks yes|no\n"
        "  (loonkostensubsidie, default no). End it with 'lmatch placement end'.\n"
        "  Exit status 0 on success, 1 on an unknown id, a refused transition or a conflict, 2 on bad usage.\n";
    if (want_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "set")) return proposal_set(argc, argv, usage);
    fputs(usage, stderr);
    return 2;
}

/* ---- placement end ------------------------------------------------------------------- */
int cmd_placement(int argc, char **argv) {
    static const char usage[] =
        "usage: lmatch placement end PROPOSAL_ID --date YYYY-MM-DD --reason CODE [--db CONNINFO] [--schema NAME]\n"
        "  Records that the placement of a placed proposal ended on that day (not before its start).\n"
        "  Reasons: contract_ended dismissed person_left moved other. The effect figures count a\n"
        "  placement as lasting 6 or 12 months when it had not ended by then (docs/outcomes.md).\n"
        "  Exit status 0 on success, 1 on an unknown id, a proposal not placed or a placement already\n"
        "  ended, 2 on bad usage.\n";
    if (want_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc < 3 || strcmp(argv[1], "end")) {
        fputs(usage, stderr);
        return 2;
    }
    int64_t pid = 0, day = -1;
    int32_t reason = -1;
    db_opts o = {NULL, NULL};
    if (cli_parse_i64(argv[2], 1, INT64_MAX, &pid)) {
        fprintf(stderr, "lmatch placement end: '%s' is not a proposal id\n%s", argv[2], usage);
        return 2;
    }
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_db_common_opt(&o, argc, argv, &i)) continue;
        if ((!strcmp(a, "--date") || !strcmp(a, "--reason")) && !val) {
            fprintf(stderr, "lmatch placement end: %s needs a value\n%s", a, usage);
            return 2;
        }
        if (!strcmp(a, "--date")) {
            if (cli_parse_day(val, &day)) {
                fprintf(stderr, "lmatch placement end: --date: '%s' is not a date (YYYY-MM-DD or today)\n", val);
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--reason")) {
            if (lm_end_reason_parse(&reason, val) || reason == LM_END_NONE) {
                fprintf(stderr, "lmatch placement end: --reason: unknown reason '%s' (contract_ended dismissed "
                                "person_left moved other)\n", val);
                return 2;
            }
            i++;
        } else {
            fprintf(stderr, "lmatch placement end: bad or incomplete option '%s'\n%s", a, usage);
            return 2;
        }
    }
    if (day < 0 || reason < 0) {
        fprintf(stderr, "lmatch placement end: give --date YYYY-MM-DD and --reason CODE\n%s", usage);
        return 2;
    }
    lm_db *db = NULL;
    if (cli_db_open(&db, &o, "placement end")) return 1;
    int st = lm_db_placement_end(db, pid, (int32_t)day, reason);
    if (st) cli_fail("placement end", st, lm_db_errmsg(db));
    else {
        char d[48];
        day_str(d, sizeof d, (int32_t)day);
        printf("placement of proposal %lld ended on %s: %s\n", (long long)pid, d, lm_end_reason_name(reason));
    }
    lm_db_close(db);
    return st ? 1 : 0;
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
    static const char usage[] =
        "usage: lmatch news [--db CONNINFO] [--schema NAME] [--run ID] [--limit N] [--viewer ORG]\n"
        "  What changed in a run (default: the latest complete run) against the previous complete run of\n"
        "  the same region: proposals that are gone and why, pairs new in or dropped from the top lists,\n"
        "  people with matches for the first time. --limit N rows per section (default 20).\n";
    if (want_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    db_opts o = {NULL, NULL};
    int64_t run = 0, limit = 20, viewer = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_db_common_opt(&o, argc, argv, &i)) continue;
        if (!strcmp(a, "--run") && val && !cli_parse_i64(val, 1, INT64_MAX, &run)) i++;
        else if (!strcmp(a, "--limit") && val && !cli_parse_i64(val, 0, INT32_MAX, &limit)) i++;
        else if (!strcmp(a, "--viewer") && val && !cli_parse_i64(val, 1, INT64_MAX, &viewer)) i++;
        else {
            fprintf(stderr, "lmatch news: bad or incomplete option '%s'\n%s", a, usage);
            return 2;
        }
    }
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
