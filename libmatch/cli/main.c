/* lmatch: command-line host for libmatch. */
#include "cli.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f) {
    fprintf(f,
            "usage: lmatch COMMAND [options]      (lmatch COMMAND --help lists every option of a command)\n"
            "\n"
            "commands:\n"
            "  demo [--out DIR] [--seed N] [--k N] [--threads N] [--model NAME] [--centre] [--nights N] [POLICY]\n"
            "                 generate the embedded demo pools of three labour-market regions, run the nightly\n"
            "                 batch and print a summary; CSV results in DIR (default out/demo); --nights N: simulate\n"
            "                 N nights and write the effect report to DIR/report (docs/outcomes-demo.md)\n"
            "  batch --candidates FILE --vacancies FILE [--travel FILE] --out DIR [--k N] [--region R]\n"
            "        [--as-of DAY] [--threads N] [--model NAME] [--centre] [POLICY]\n"
            "                 the nightly batch and the coordinated proposals over your own CSV files, no\n"
            "                 database; writes vacancy_topk.csv, candidate_topk.csv, proposals.csv (docs/own-data.md)\n"
            "  batch [--db CONNINFO] [--schema NAME] [--k N] [--region R] [--as-of DAY] [--threads N]\n"
            "        [--label TEXT] [--no-history] [--model NAME] [--centre] [POLICY]\n"
            "                 load the pools and the proposal history from PostgreSQL, match every region as\n"
            "                 its WSP, compute the proposals and write one complete run\n"
            "  query [--db CONNINFO] [--schema NAME] (--vacancy ID | --candidate ID) --viewer ORG\n"
            "        [--viewer-region R] [--viewer-municipality M] [--k N] [--as-of DAY] [--model NAME]\n"
            "        [--centre] [POLICY]\n"
            "                 one account-manager question: ranked matches with their explanation\n"
            "  db init [--db CONNINFO] [--schema NAME]\n"
            "                 create the PostgreSQL schema, or upgrade it\n"
            "  db seed-demo [--db CONNINFO] [--schema NAME] [--seed N]\n"
            "                 write the embedded demo pools into the database\n"
            "  db import --candidates FILE --vacancies FILE [--db CONNINFO] [--schema NAME]\n"
            "                 load your own CSV files into the database (upsert by id)\n"
            "  proposals [--db CONNINFO] [--schema NAME] [--run ID|latest] [--status S] [--org O]\n"
            "            [--viewer ORG] [--format table|csv]\n"
            "                 list proposals with their lifecycle status\n"
            "  proposal set PROPOSAL_ID STATUS --by ORG [--reason CODE] [--version V] [--day D]\n"
            "               [--db CONNINFO] [--schema NAME]\n"
            "                 change a proposal's status (introduced, interview, placed, rejected, ...)\n"
            "  proposal set PROPOSAL_ID placed --by ORG --start YYYY-MM-DD [--hours H] [--contract KIND] [--lks yes|no]\n"
            "                 place: the status change and the placement's start in one transaction\n"
            "  placement end PROPOSAL_ID --date YYYY-MM-DD --reason CODE [--db CONNINFO]\n"
            "                 the placement ended (contract_ended, dismissed, person_left, moved, other)\n"
            "  news [--db CONNINFO] [--schema NAME] [--run ID] [--limit N] [--viewer ORG]\n"
            "                 what changed in a run against the previous complete run\n"
            "  report --out DIR [--db CONNINFO] [--from D] [--to D] [--as-of D] [--threshold N]\n"
            "                 the effect report (funnel, target groups, municipalities, flows, retention)\n"
            "                 as DIR/index.html and CSV files, from the outcomes in the database\n"
            "  vectors --occupations FILE --side candidates|vacancies [--out FILE] [--centre]\n"
            "                 competence vectors (O*NET skill levels, importance weights) from occupation codes\n"
            "  --version      print the library version\n"
            "  --help         this text\n"
            "\n"
            "POLICY: --max-travel MIN, --min-score X, --weights competence=W,travel=W,hours=W,readiness=W,\n"
            "priority=W and --policy FILE (key = value lines; docs/cli.md). DAY: today, YYYY-MM-DD or a day\n"
            "number. --db may be left out to use the PG* environment variables; --schema defaults to libmatch.\n"
            "\n"
            "exit status: 0 ok; 1 runtime error (a file cannot be read, database or library error);\n"
            "2 usage error (unknown option, bad value, bad policy file or CSV row; nothing was done)\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("lmatch %s (libmatch %s)\n", LM_VERSION_STRING, lm_version_string());
        return 0;
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "__options") && argc >= 3) { /* hidden, for tests/cli: CMD's option table */
        char *av[8] = {0};
        int n = 0;
        for (int i = 2; i < argc && n < 6; i++) av[n++] = argv[i];
        av[n++] = (char *)"--__options";
        return main(n + 1, (char *[]){argv[0], av[0], av[1], av[2], av[3], av[4], av[5], av[6], NULL}) ;
    }
    if (!strcmp(cmd, "demo")) return cmd_demo(argc - 1, argv + 1);
    if (!strcmp(cmd, "db")) return cmd_db(argc - 1, argv + 1);
    if (!strcmp(cmd, "batch")) return cmd_batch(argc - 1, argv + 1);
    if (!strcmp(cmd, "query")) return cmd_query(argc - 1, argv + 1);
    if (!strcmp(cmd, "proposals")) return cmd_proposals(argc - 1, argv + 1);
    if (!strcmp(cmd, "proposal")) return cmd_proposal(argc - 1, argv + 1);
    if (!strcmp(cmd, "news")) return cmd_news(argc - 1, argv + 1);
    if (!strcmp(cmd, "placement")) return cmd_placement(argc - 1, argv + 1);
    if (!strcmp(cmd, "report")) return cmd_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "vectors")) return cmd_vectors(argc - 1, argv + 1);
    fprintf(stderr, "lmatch: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}

/* ---- helpers ---- */
/* Width of the terminal on stderr (TIOCGWINSZ), 80 when unknown. */
static int term_width(void) {
    struct winsize ws;
    if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
    return 80;
}

void cli_progress_init(cli_progress *p, const char *label) {
    p->tty = isatty(2) != 0;
    p->label = label;
    p->last_pct = -1;
    p->width = p->tty ? term_width() : 80;
}

/* "label [####....] 100%" filling the line: the label is never cut unless the
 * terminal is narrower than the label plus a 10-cell bar. */
int cli_progress_cb(void *user, uint64_t done, uint64_t total) {
    cli_progress *p = user;
    if (!p->tty || total == 0) return 0;
    int pct = (int)(done * 100 / total);
    if (pct == p->last_pct) return 0;
    p->last_pct = pct;
    int len = (int)strlen(p->label), room = p->width - 1 - 8; /* " [" "] 100%" and a free last column */
    if (len > room - 10) len = room - 10 > 0 ? room - 10 : 0;
    int w = room - len, fill = pct * w / 100;
    fprintf(stderr, "\r%.*s [", len, p->label);
    for (int i = 0; i < w; i++) fputc(i < fill ? '#' : '.', stderr);
    fprintf(stderr, "] %3d%%", pct);
    fflush(stderr);
    return 0;
}

void cli_progress_done(cli_progress *p) {
    if (p->tty && p->last_pct >= 0) fprintf(stderr, "\r%*s\r", p->width - 1, "");
}

int cli_mkdirs(const char *dir) {
    char buf[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
                fprintf(stderr, "lmatch: cannot create directory %s: %s\n", buf, strerror(errno));
                return -1;
            }
            buf[i] = c;
        }
    }
    return 0;
}

int cli_out_open(cli_out *o, const char *dir, const char *name) {
    memset(o, 0, sizeof *o);
    if ((size_t)snprintf(o->path, sizeof o->path, "%s/%s", dir, name) >= sizeof o->path) {
        fprintf(stderr, "lmatch: path too long: %s/%s\n", dir, name);
        return -1;
    }
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp", o->path);
    o->f = fopen(o->tmp, "w");
    if (!o->f) {
        fprintf(stderr, "lmatch: cannot write %s: %s\n", o->tmp, strerror(errno));
        return -1;
    }
    return 0;
}

int cli_out_commit(cli_out *o) {
    int bad = ferror(o->f);
    if (fclose(o->f) != 0) bad = 1;
    o->f = NULL;
    if (bad || rename(o->tmp, o->path) != 0) {
        fprintf(stderr, "lmatch: writing %s failed: %s\n", o->path, strerror(errno));
        remove(o->tmp);
        return -1;
    }
    return 0;
}

void cli_out_abort(cli_out *o) {
    if (o->f) fclose(o->f);
    o->f = NULL;
    if (o->tmp[0]) remove(o->tmp);
}

const char *cli_mode_name(int32_t mode) {
    static const char *const names[] = {"walk", "bike", "pt", "car"};
    return mode >= 0 && mode < LM_MODE_COUNT ? names[mode] : "-";
}

const char *cli_constraint_name(int32_t c) {
    static const char *const names[] = {"none",  "visibility", "target_group", "readiness", "loonwaarde", "flags",
                                        "hours", "dates",      "slots",        "travel",    "min_score"};
    return c >= 0 && c <= LM_CONSTRAINT_MIN_SCORE ? names[c] : "?";
}

double cli_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int cli_fail(const char *what, int status, const char *detail) {
    fprintf(stderr, "lmatch: %s: %s%s%s%s\n", what, lm_strerror(status), detail && *detail ? " (" : "",
            detail ? detail : "", detail && *detail ? ")" : "");
    return 1;
}

static const char *const model_names[] = {"requirement", "cosine", "symmetric", "coverage", "cosine_coverage"};
#define NMODELS (int)(sizeof model_names / sizeof model_names[0])

const char *cli_model_name(int model) { return model >= 0 && model < NMODELS ? model_names[model] : "?"; }

int cli_parse_model(const char *s, int *out) {
    for (int m = 0; m < NMODELS; m++)
        if (!strcmp(s, model_names[m])) {
            *out = m;
            return 0;
        }
    return -1;
}

int cli_default_model(void) {
    lm_policy *p = NULL;
    double x = LM_COMPETENCE_COSINE_COVERAGE;
    if (!lm_policy_create(&p)) lm_policy_get_f64(&x, p, LM_POLICY_COMPETENCE_MODEL);
    lm_policy_free(p);
    return (int)x;
}
