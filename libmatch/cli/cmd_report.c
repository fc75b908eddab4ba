/* lmatch report: the effect figures of the outcomes stored in PostgreSQL
 * (lm_db_outcomes -> lm_effects_compute) as DIR/index.html and CSVs (report.c). */
#include "cli.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>

static const char report_usage[] =
    "usage: lmatch report --out DIR [--db CONNINFO] [--schema NAME] [--from D] [--to D] [--as-of D]\n"
    "                     [--threshold N]\n"
    "  Write DIR/index.html (one self-contained page: funnel, figures per target group and municipality,\n"
    "  flows between municipalities, retention curves, regional against municipal) and its CSV files.\n"
    "  D: YYYY-MM-DD, today, or a day number. The period [--from, --to] selects proposals by the day\n"
    "  they were made (default: from the first proposal to --to); --to defaults to --as-of, the day the\n"
    "  figures are taken (default today). --threshold: counts of persons below N are hidden (1..1000,\n"
    "  default 5; 1 hides nothing). Exit status 0 written, 1 failed, 2 bad usage.\n";

int cmd_report(int argc, char **argv) {
    db_opts o = {NULL, NULL};
    const char *out = NULL;
    int64_t from = -1, to = -1, as_of = -1, threshold = 5;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(report_usage, stdout);
            return 0;
        }
        if (cli_db_common_opt(&o, argc, argv, &i)) continue;
        if (!strcmp(a, "--out") && val && *val) out = argv[++i];
        else if (!strcmp(a, "--from") && val && !cli_parse_day(val, &from) && from >= 0 && from <= INT32_MAX) i++;
        else if (!strcmp(a, "--to") && val && !cli_parse_day(val, &to) && to >= 0 && to <= INT32_MAX) i++;
        else if (!strcmp(a, "--as-of") && val && !cli_parse_day(val, &as_of) && as_of >= 0 && as_of <= INT32_MAX) i++;
        else if (!strcmp(a, "--threshold") && val && !cli_parse_i64(val, 1, 1000, &threshold)) i++;
        else {
            if (val && (!strcmp(a, "--from") || !strcmp(a, "--to") || !strcmp(a, "--as-of") || !strcmp(a, "--threshold")))
                fprintf(stderr, "lmatch report: bad value '%s' for %s\n%s", val, a, report_usage);
            else
                fprintf(stderr, "lmatch report: bad or incomplete option '%s'\n%s", a, report_usage);
            return 2;
        }
    }
    if (!out) {
        fprintf(stderr, "lmatch report: --out DIR is required\n%s", report_usage);
        return 2;
    }
    if (as_of < 0) cli_parse_day("today", &as_of);
    if (to < 0) to = as_of;
    if (to > as_of) {
        fprintf(stderr, "lmatch report: --to (day %lld) is after --as-of (day %lld)\n", (long long)to, (long long)as_of);
        return 2;
    }
    if (from > to) {
        fprintf(stderr, "lmatch report: --from (day %lld) is after --to (day %lld)\n", (long long)from, (long long)to);
        return 2;
    }
    lm_db *db = NULL;
    if (cli_db_open(&db, &o, "report")) return 1;
    lm_outcome_person *persons = NULL;
    lm_outcome_record *recs = NULL;
    size_t np = 0, nr = 0;
    lm_effects *fx = NULL;
    int rc = 1;
    int st = lm_db_outcomes(db, &persons, &np, &recs, &nr);
    if (st) {
        cli_fail("read outcomes", st, lm_db_errmsg(db));
        goto done;
    }
    if (from < 0) { /* from the first proposal */
        from = to;
        for (size_t i = 0; i < nr; i++)
            if (recs[i].proposed_day < from) from = recs[i].proposed_day;
    }
    st = lm_effects_compute(&fx, persons, np, recs, nr, (int32_t)from, (int32_t)to, (int32_t)as_of, (int32_t)threshold);
    if (st) {
        char msg[256];
        lm_effects_check(msg, sizeof msg, persons, np, recs, nr, (int32_t)from, (int32_t)to, (int32_t)as_of,
                         (int32_t)threshold);
        cli_fail("effect figures", st, msg);
        goto done;
    }
    char d1[16], d2[16], d3[16], src[256];
    cli_report_info info = {0};
    snprintf(src, sizeof src, "the PostgreSQL database (schema %s): %zu persons, %zu proposals",
             o.schema ? o.schema : "default", np, nr);
    info.title = "Effects of matching: proposals, placements and how long they last";
    info.source = src;
    info.from_day = (int32_t)from;
    info.to_day = (int32_t)to;
    info.as_of_day = (int32_t)as_of;
    info.threshold = (int32_t)threshold;
    info.cf.kind = CLI_CF_OBSERVED;
    if (cli_report_write(out, fx, persons, np, recs, nr, &info)) goto done;
    const lm_effect_row *t = NULL;
    for (size_t i = 0, n = lm_effects_count(fx); i < n && !t; i++)
        if (lm_effects_row(fx, i)->dim == LM_DIM_TOTAL) t = lm_effects_row(fx, i);
    printf("report: %s/index.html and CSV files; period %s .. %s, as of %s; %zu persons, %zu proposals",
           out, cli_report_date(d1, (int32_t)from), cli_report_date(d2, (int32_t)to),
           cli_report_date(d3, (int32_t)as_of), np, nr);
    if (t && !(t->suppressed >> LM_FIG_PLACED & 1u)) printf(", %.0f persons placed", t->value[LM_FIG_PLACED]);
    printf("\n");
    rc = 0;
done:
    lm_effects_free(fx);
    lm_db_outcomes_free(persons, recs);
    lm_db_close(db);
    return rc;
}
