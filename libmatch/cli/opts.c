/* Table-driven options of the lmatch subcommands (opts.h, docs/cli.md). */
#include "opts.h"
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *const cli_model_names[] = {"requirement", "cosine", "symmetric", "coverage", "cosine_coverage", NULL};

int cli_usage_error(const cli_cmd *cmd, const char *fmt, ...) {
    fprintf(stderr, "lmatch %s: ", cmd->name);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (lmatch %s --help lists the options)\n", cmd->name);
    return CLI_EXIT_USAGE;
}

static void opt_label(const cli_opt *o, char *buf, size_t cap) {
    if (o->kind == CLI_FLAG) snprintf(buf, cap, "%s", o->name);
    else snprintf(buf, cap, "%s %s", o->name, o->metavar ? o->metavar : "VALUE");
}

void cli_opts_usage(const cli_cmd *cmd, FILE *f) {
    fprintf(f, "usage: lmatch %s%s%s%s\n", cmd->name, cmd->args ? " " : "", cmd->args ? cmd->args : "",
            cmd->nopts ? " [options]" : "");
    if (cmd->about) fprintf(f, "%s", cmd->about);
    fprintf(f, "\noptions:\n");
    for (size_t i = 0; i < cmd->nopts; i++) {
        const cli_opt *o = &cmd->opts[i];
        char label[96];
        opt_label(o, label, sizeof label);
        fprintf(f, "  %-26s %s", label, o->help ? o->help : "");
        if (o->kind == CLI_INT && (o->lo != INT64_MIN || o->hi != INT64_MAX)) {
            if (o->hi == INT64_MAX) fprintf(f, " [>= %lld]", (long long)o->lo);
            else fprintf(f, " [%lld..%lld]", (long long)o->lo, (long long)o->hi);
        } else if (o->kind == CLI_ENUM) {
            fprintf(f, " (");
            for (size_t k = 0; o->names[k]; k++) fprintf(f, "%s%s", k ? ", " : "", o->names[k]);
            fprintf(f, ")");
        } else if (o->kind == CLI_DAY) {
            fprintf(f, " (today, YYYY-MM-DD or a day number)");
        }
        fputc('\n', f);
    }
    fprintf(f, "  %-26s %s\n", "-h, --help", "print this help and exit");
    fprintf(f, "\nexit status: 0 ok, 1 runtime error (file, database, library), 2 usage error "
               "(bad option, value or input row; nothing done)\n");
}

/* The value of one option into its destination: 0, else -1 with err filled. */
static int set_value(const cli_opt *o, const char *v, char *err, size_t cap) {
    switch (o->kind) {
    case CLI_FLAG:
        *(bool *)o->dst = true;
        return 0;
    case CLI_STRING:
        *(const char **)o->dst = v;
        return 0;
    case CLI_INT: {
        char *end;
        errno = 0;
        long long x = strtoll(v, &end, 10);
        if (!*v || *end) return snprintf(err, cap, "'%s' is not a number", v), -1;
        if (errno == ERANGE || x < o->lo || x > o->hi) {
            if (o->hi == INT64_MAX) snprintf(err, cap, "%s is out of range (at least %lld)", v, (long long)o->lo);
            else snprintf(err, cap, "%s is out of range %lld..%lld", v, (long long)o->lo, (long long)o->hi);
            return -1;
        }
        *(int64_t *)o->dst = x;
        return 0;
    }
    case CLI_FLOAT: {
        char *end;
        double x = strtod(v, &end);
        if (!*v || *end || isnan(x)) return snprintf(err, cap, "'%s' is not a number", v), -1;
        if (!(x >= o->flo && x <= o->fhi)) return snprintf(err, cap, "%s is out of range %g..%g", v, o->flo, o->fhi), -1;
        *(double *)o->dst = x;
        return 0;
    }
    case CLI_DAY: {
        int64_t d;
        if (cli_parse_day(v, &d))
            return snprintf(err, cap, "'%s' is not a date (today, YYYY-MM-DD or a day number)", v), -1;
        *(int64_t *)o->dst = d;
        return 0;
    }
    case CLI_ENUM:
        for (int k = 0; o->names[k]; k++)
            if (!strcmp(v, o->names[k])) {
                *(int *)o->dst = k;
                return 0;
            }
        {
            int n = snprintf(err, cap, "'%s' is not one of ", v);
            for (int k = 0; o->names[k] && n > 0 && (size_t)n < cap; k++)
                n += snprintf(err + n, cap - (size_t)n, "%s%s", k ? ", " : "", o->names[k]);
        }
        return -1;
    case CLI_CUSTOM:
        return o->parse(o->dst, v, err, cap);
    }
    return -1;
}

int cli_opts_parse(const cli_cmd *cmd, int argc, char **argv, int first, const char **pos) {
    int npos = 0;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            cli_opts_usage(cmd, stdout);
            return CLI_EXIT_OK;
        }
        if (!strcmp(a, "--__options")) { /* hidden: the table, for tests/cli */
            static const char *const kinds[] = {"flag", "int", "float", "day", "string", "enum", "custom"};
            for (size_t k = 0; k < cmd->nopts; k++) {
                const cli_opt *o = &cmd->opts[k];
                printf("%s %s", o->name, kinds[o->kind]);
                if (o->kind == CLI_INT) printf(" %lld %lld", (long long)o->lo, (long long)o->hi);
                printf("\n");
            }
            return CLI_EXIT_OK;
        }
    }
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            if (npos >= cmd->npos) return cli_usage_error(cmd, "unexpected argument '%s'", a);
            pos[npos++] = a;
            continue;
        }
        const char *eq = strchr(a, '=');
        size_t len = eq && !strncmp(a, "--", 2) ? (size_t)(eq - a) : strlen(a);
        const cli_opt *o = NULL;
        for (size_t k = 0; k < cmd->nopts && !o; k++)
            if (strlen(cmd->opts[k].name) == len && !strncmp(cmd->opts[k].name, a, len)) o = &cmd->opts[k];
        if (!o) return cli_usage_error(cmd, "unknown option '%.*s'", (int)len, a);
        const char *v = NULL;
        if (o->kind == CLI_FLAG) {
            if (a[len]) return cli_usage_error(cmd, "%s takes no value", o->name);
        } else if (a[len] == '=') {
            v = a + len + 1;
        } else if (i + 1 < argc) {
            v = argv[++i];
        } else {
            return cli_usage_error(cmd, "%s needs a value (%s)", o->name, o->metavar ? o->metavar : "VALUE");
        }
        char err[512] = "";
        if (set_value(o, v, err, sizeof err)) {
            fprintf(stderr, "lmatch %s: %s: %s\n", cmd->name, o->name, err);
            return CLI_EXIT_USAGE;
        }
        if (o->seen) *o->seen = true;
    }
    if (npos < cmd->npos) return cli_usage_error(cmd, "expected %s", cmd->args ? cmd->args : "more arguments");
    return -1;
}

/* ---- policy options ---------------------------------------------------------------- */
/* Names and ranges as libmatch/src/policy.c (the library checks again). */
static const struct {
    const char *name;
    double lo, hi;
} pkeys[CLI_POLICY_NKEYS] = {
    [LM_POLICY_VERSION] = {"version", 0, 4294967295.0},
    [LM_POLICY_W_COMPETENCE] = {"w_competence", 0, 1000},
    [LM_POLICY_W_TRAVEL] = {"w_travel", 0, 1000},
    [LM_POLICY_W_HOURS] = {"w_hours", 0, 1000},
    [LM_POLICY_W_READINESS] = {"w_readiness", 0, 1000},
    [LM_POLICY_W_PRIORITY] = {"w_priority", 0, 1000},
    [LM_POLICY_MAX_TRAVEL_MIN] = {"max_travel_min", 1e-3, 1440},
    [LM_POLICY_MIN_SCORE] = {"min_score", 0, 1},
    [LM_POLICY_AS_OF_DAY] = {"as_of_day", 0, 2147483647.0},
    [LM_POLICY_ALLOWED_MODES] = {"allowed_modes", 1, 15},
    [LM_POLICY_COMPETENCE_MODEL] = {"competence_model", 0, 4},
    [LM_POLICY_COOLDOWN_DAYS] = {"cooldown_days", 0, 3650},
    [LM_POLICY_EXCLUSIVE_PROGRESS] = {"exclusive_progress", 0, 1},
    [LM_POLICY_STABILITY_MARGIN] = {"stability_margin", 0, 1},
    [LM_POLICY_OVERQUALIFICATION] = {"overqualification", 0, 1},
    [15] = {"min_competence", 0, 1}, /* LM_POLICY_MIN_COMPETENCE (1.2) */
    [16] = {"local_only", 0, 1},     /* LM_POLICY_LOCAL_ONLY (1.2) */
};

const char *cli_policy_key_name(int k) { return k >= 0 && k < CLI_POLICY_NKEYS ? pkeys[k].name : NULL; }

/* One number for key k into v/set: 0, else -1 with err ("'abc' is not a number"). */
static int policy_value(int k, const char *s, double *v, bool *set, char *err, size_t cap) {
    double x;
    char *end;
    if (k == LM_POLICY_COMPETENCE_MODEL) {
        for (int m = 0; cli_model_names[m]; m++)
            if (!strcmp(s, cli_model_names[m])) {
                v[k] = m, set[k] = true;
                return 0;
            }
    }
    if (k == LM_POLICY_AS_OF_DAY) {
        int64_t d;
        if (cli_parse_day(s, &d)) return snprintf(err, cap, "'%s' is not a date (YYYY-MM-DD or a day number)", s), -1;
        v[k] = (double)d, set[k] = true;
        return 0;
    }
    x = strtod(s, &end);
    if (!*s || *end || !isfinite(x)) return snprintf(err, cap, "'%s' is not a number", s), -1;
    if (x < pkeys[k].lo || x > pkeys[k].hi)
        return snprintf(err, cap, "%s is out of range %g..%g", s, pkeys[k].lo, pkeys[k].hi), -1;
    v[k] = x, set[k] = true;
    return 0;
}

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) s[--n] = '\0';
    return s;
}

int cli_parse_policy_file(void *dst, const char *path, char *err, size_t cap) {
    cli_policy_opts *p = dst;
    FILE *f = fopen(path, "r");
    if (!f) return snprintf(err, cap, "cannot read %s: %s", path, strerror(errno)), -1;
    char line[1024];
    long ln = 0;
    int rc = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        ln++;
        char *s = trim(line);
        if (!*s || *s == '#') continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, cap, "%s:%ld: expected key = value", path, ln);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        int k = -1;
        for (int q = 0; q < CLI_POLICY_NKEYS; q++)
            if (!strcmp(key, pkeys[q].name)) k = q;
        if (k < 0) {
            int n = snprintf(err, cap, "%s:%ld: unknown key '%s' (keys: ", path, ln, key);
            for (int q = 0; q < CLI_POLICY_NKEYS && n > 0 && (size_t)n < cap; q++)
                n += snprintf(err + n, cap - (size_t)n, "%s%s", q ? " " : "", pkeys[q].name);
            if (n > 0 && (size_t)n < cap) snprintf(err + n, cap - (size_t)n, ")");
            rc = -1;
            break;
        }
        char e[256];
        if (policy_value(k, val, p->file_v, p->file_set, e, sizeof e)) {
            snprintf(err, cap, "%s:%ld: %s: %s", path, ln, key, e);
            rc = -1;
        }
    }
    fclose(f);
    if (!rc) p->file = path;
    return rc;
}

int cli_parse_weights(void *dst, const char *val, char *err, size_t cap) {
    static const char *const names[] = {"competence", "travel", "hours", "readiness", "priority"};
    cli_policy_opts *p = dst;
    char buf[512];
    if (strlen(val) >= sizeof buf) return snprintf(err, cap, "too long"), -1;
    strcpy(buf, val);
    double v[CLI_POLICY_NKEYS];
    bool set[CLI_POLICY_NKEYS] = {0};
    int any = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        if (!eq) return snprintf(err, cap, "'%s' is not NAME=WEIGHT (names: competence travel hours readiness priority)", t), -1;
        *eq = '\0';
        int k = -1;
        for (int q = 0; q < 5; q++)
            if (!strcmp(trim(t), names[q])) k = LM_POLICY_W_COMPETENCE + q;
        if (k < 0) return snprintf(err, cap, "unknown weight '%s' (names: competence travel hours readiness priority)", t), -1;
        char e[200];
        if (policy_value(k, trim(eq + 1), v, set, e, sizeof e)) return snprintf(err, cap, "%s: %s", names[k - 1], e), -1;
        any = 1;
    }
    if (!any) return snprintf(err, cap, "'%s' gives no weight", val), -1;
    for (int k = 0; k < CLI_POLICY_NKEYS; k++)
        if (set[k]) p->v[k] = v[k], p->set[k] = true;
    return 0;
}

int cli_parse_max_travel(void *dst, const char *val, char *err, size_t cap) {
    cli_policy_opts *p = dst;
    return policy_value(LM_POLICY_MAX_TRAVEL_MIN, val, p->v, p->set, err, cap);
}

int cli_parse_min_score(void *dst, const char *val, char *err, size_t cap) {
    cli_policy_opts *p = dst;
    return policy_value(LM_POLICY_MIN_SCORE, val, p->v, p->set, err, cap);
}

int cli_policy_apply(lm_policy *pol, const cli_policy_opts *p) {
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < CLI_POLICY_NKEYS; k++) {
            bool s = pass ? p->set[k] : p->file_set[k];
            if (!s) continue;
            double x = pass ? p->v[k] : p->file_v[k];
            int st = lm_policy_set_f64(pol, k, x);
            if (st) {
                char what[128];
                snprintf(what, sizeof what, "%s%s%s = %g", pass ? "" : p->file, pass ? "" : ": ", pkeys[k].name, x);
                return cli_fail(what, st, lm_policy_errmsg(pol));
            }
        }
    return 0;
}

int cli_policy_model(const cli_policy_opts *p, int fallback) {
    if (p->set[LM_POLICY_COMPETENCE_MODEL]) return (int)p->v[LM_POLICY_COMPETENCE_MODEL];
    if (p->file_set[LM_POLICY_COMPETENCE_MODEL]) return (int)p->file_v[LM_POLICY_COMPETENCE_MODEL];
    return fallback;
}
