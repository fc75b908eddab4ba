/* lmatch vectors: competence vectors from O*NET-SOC occupation codes
 * (docs/own-data.md, "Competence vectors from occupation codes").
 *
 * Reads a CSV file (header row; columns id, onet_soc, optional per-skill
 * overrides lv_<skill> and, for vacancies, im_<skill>; any other column is
 * passed through) and writes it back with the columns `vectors` (and
 * `weights` for vacancies) in the format of lmatch batch --candidates /
 * --vacancies: numbers separated by ';'. The profiles are the O*NET skill
 * levels (0..7) and importances (1..5) embedded from libmatch/data
 * (onet_skills.c). A bad row stops the run with FILE:LINE: column NAME: what is
 * wrong, and nothing is written. CSV parsing: Debian's libcsv. */
#include "cli.h"
#include "onet_skills.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define EXIT_RUNTIME 1
#define MAX_CODES 16 /* codes averaged in one cell ("43-4051.00;43-4171.00") */

typedef struct vopts {
    const char *in, *out;
    int side; /* 0 candidates, 1 vacancies, -1 not given */
    bool centre;
} vopts;

/* The options, as tests/cli reads them (lmatch __options vectors): NAME KIND. */
static const char *const OPTIONS[] = {"--occupations string", "--side enum", "--out string", "--centre flag"};

static void vectors_usage(FILE *f) {
    fprintf(f,
            "usage: lmatch vectors --occupations FILE --side candidates|vacancies [--out FILE] [--centre]\n"
            "\n"
            "Competence vectors from O*NET-SOC occupation codes (docs/own-data.md). FILE is a CSV file with a\n"
            "header row and the columns:\n"
            "  id              the person's or vacancy's id (an integer, unique)\n"
            "  onet_soc        O*NET-SOC 2010 code, e.g. 43-4051.00 (43-4051 means 43-4051.00); several codes\n"
            "                  separated by ';' are averaged (e.g. the SOC codes an ISCO code maps to)\n"
            "  lv_SKILL        optional: the skill level 0..7 that replaces the occupation's (empty: keep)\n"
            "  im_SKILL        optional, vacancies only: the importance 1..5 that replaces the occupation's\n"
            "  anything else   passed through unchanged (e.g. the other columns of lmatch batch --candidates)\n"
            "SKILL is one of the 35 O*NET skills: lmatch vectors writes their order in its first comment line.\n"
            "The output has the same columns without onet_soc and the overrides, plus `vectors` (levels, numbers\n"
            "separated by ';') and, for vacancies, `weights` (the importances): the format of lmatch batch.\n"
            "\n"
            "options:\n"
            "  --occupations FILE   the input CSV file ('-' for standard input)\n"
            "  --side SIDE          candidates (vectors = the person's skill levels) or vacancies (vectors =\n"
            "                       required levels, weights = importance)\n"
            "  --out FILE           write here (written whole or not at all); default standard output\n"
            "  --centre             subtract the mean level of the 967 occupations from every level (only for\n"
            "                       hosts that centre themselves; the pool centres raw levels itself, see\n"
            "                       docs/scoring.md \"Centring\")\n"
            "  --help               this text\n"
            "\n"
            "A bad row stops the run with FILE:LINE: column NAME: what is wrong; nothing is written.\n"
            "exit status: 0 ok, 1 runtime error (a file cannot be read or written), 2 usage error (bad option\n"
            "or bad row; nothing was written).\n"
            "Skill profiles: O*NET database by USDOL/ETA, CC BY 4.0 (libmatch/data/ATTRIBUTION.md).\n");
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("lmatch vectors: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (lmatch vectors --help lists the options)\n", stderr);
    return EXIT_USAGE;
}

/* -1 to go on, else the exit status. */
static int parse_opts(vopts *o, int argc, char **argv) {
    *o = (vopts){.side = -1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            vectors_usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--__options")) { /* hidden, for tests/cli: the options this parser accepts, with their kind */
            for (size_t k = 0; k < sizeof OPTIONS / sizeof OPTIONS[0]; k++) puts(OPTIONS[k]);
            return 0;
        }
        if (!strcmp(a, "--centre")) {
            o->centre = true;
            continue;
        }
        bool takes = !strcmp(a, "--occupations") || !strcmp(a, "--side") || !strcmp(a, "--out");
        if (!takes) return usage_error("unknown option '%s'", a);
        if (i + 1 >= argc) return usage_error("%s needs a value", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--occupations")) o->in = v;
        else if (!strcmp(a, "--out")) o->out = v;
        else if (!strcmp(v, "candidates")) o->side = 0;
        else if (!strcmp(v, "vacancies")) o->side = 1;
        else return usage_error("--side: '%s' is not one of candidates, vacancies", v);
    }
    if (!o->in) return usage_error("--occupations FILE is required");
    if (o->side < 0) return usage_error("--side candidates|vacancies is required");
    if (o->out && !*o->out) return usage_error("--out: empty file name");
    return -1;
}

/* ---- reading the CSV (libcsv) -------------------------------------------- */
typedef struct row {
    long line;
    size_t nf;
    char **f;
} row;

typedef struct reader {
    const char *path;
    row *rows;
    size_t n, cap;
    row cur;
    size_t fcap;
    long line, rec_line;
    bool nomem;
} reader;

static void on_field(void *s, size_t len, void *data) {
    reader *r = data;
    if (r->nomem) return;
    if (r->cur.nf == r->fcap) {
        size_t nc = r->fcap ? 2 * r->fcap : 16;
        char **f = realloc(r->cur.f, nc * sizeof *f);
        if (!f) {
            r->nomem = true;
            return;
        }
        r->cur.f = f, r->fcap = nc;
    }
    char *c = malloc(len + 1);
    if (!c) {
        r->nomem = true;
        return;
    }
    memcpy(c, s ? s : "", len);
    c[len] = '\0';
    r->cur.f[r->cur.nf++] = c;
}

static void on_record(int term, void *data) {
    (void)term;
    reader *r = data;
    if (r->nomem) return;
    if (r->n == r->cap) {
        size_t nc = r->cap ? 2 * r->cap : 256;
        row *rows = realloc(r->rows, nc * sizeof *rows);
        if (!rows) {
            r->nomem = true;
            return;
        }
        r->rows = rows, r->cap = nc;
    }
    r->cur.line = r->rec_line;
    r->rows[r->n++] = r->cur;
    r->cur = (row){0};
    r->fcap = 0;
}

static void free_row(row *w) {
    for (size_t i = 0; i < w->nf; i++) free(w->f[i]);
    free(w->f);
}

static void reader_free(reader *r) {
    for (size_t i = 0; i < r->n; i++) free_row(&r->rows[i]);
    free(r->rows);
    free_row(&r->cur);
}

/* Comment lines ('#' where a record would start) are skipped. 0, 1 runtime, 2 bad input. */
static int read_csv(reader *r, const char *path) {
    r->path = path;
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) {
        fprintf(stderr, "lmatch vectors: %s: %s\n", path, strerror(errno));
        return EXIT_RUNTIME;
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)) {
        if (f != stdin) fclose(f);
        return EXIT_RUNTIME;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    bool at_start = true;
    int st = 0;
    while (!st && (len = getline(&line, &cap, f)) > 0) {
        r->line++;
        if (at_start && line[0] == '#') continue;
        if (at_start) r->rec_line = r->line;
        if (csv_parse(&p, line, (size_t)len, on_field, on_record, r) != (size_t)len) {
            fprintf(stderr, "%s:%ld: bad quoting (a field with a quote or comma must be quoted whole, inner quotes "
                            "doubled)\n", path, r->rec_line);
            st = EXIT_USAGE;
        }
        at_start = p.pstate == 0; /* not inside a quoted field spanning lines */
    }
    if (!st && ferror(f)) {
        fprintf(stderr, "lmatch vectors: reading %s: %s\n", path, strerror(errno));
        st = EXIT_RUNTIME;
    }
    if (!st && csv_fini(&p, on_field, on_record, r) != 0) {
        fprintf(stderr, "%s:%ld: a quoted field is not closed (a missing '\"')\n", path, r->rec_line);
        st = EXIT_USAGE;
    }
    if (!st && r->nomem) {
        fprintf(stderr, "lmatch vectors: %s: out of memory\n", path);
        st = EXIT_RUNTIME;
    }
    csv_free(&p);
    free(line);
    if (f != stdin) fclose(f);
    return st;
}

/* ---- the columns ------------------------------------------------------------ */
enum { COL_PASS = -1, COL_ID = -2, COL_CODE = -3 };
/* Column role: COL_*, or k (0..34) a level override, 100 + k an importance override. */
typedef struct cols {
    int role[4096];
    size_t n;
    int id, code;
} cols;

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) s[--n] = '\0';
    return s;
}

static int skill_index(const char *name) {
    for (int k = 0; k < ONET_NSKILLS; k++)
        if (!strcmp(name, onet_skill_names[k])) return k;
    return -1;
}

static int bad(const reader *r, long line, const char *col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int bad(const reader *r, long line, const char *col, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%ld: ", r->path, line);
    if (col) fprintf(stderr, "column %s: ", col);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

static int read_header(cols *c, const reader *r, int side) {
    if (r->n == 0) return bad(r, r->line ? r->line : 1, NULL, "no header row");
    const row *h = &r->rows[0];
    if (h->nf > sizeof c->role / sizeof c->role[0]) return bad(r, h->line, NULL, "more than 4096 columns");
    c->n = h->nf;
    c->id = c->code = -1;
    for (size_t i = 0; i < h->nf; i++) {
        char *name = trim(h->f[i]);
        if (i == 0 && !strncmp(name, "\xEF\xBB\xBF", 3)) memmove(name, name + 3, strlen(name + 3) + 1); /* BOM */
        for (size_t j = 0; j < i; j++)
            if (!strcmp(name, h->f[j])) return bad(r, h->line, name, "appears twice in the header");
        int role = COL_PASS;
        if (!*name) return bad(r, h->line, NULL, "column %zu has no name", i + 1);
        if (!strcmp(name, "id")) role = COL_ID, c->id = (int)i;
        else if (!strcmp(name, "onet_soc")) role = COL_CODE, c->code = (int)i;
        else if (!strcmp(name, "vectors") || (!strcmp(name, "weights") && side == 1))
            return bad(r, h->line, name, "already present (lmatch vectors writes it; leave it out of the input)");
        else if (!strncmp(name, "lv_", 3) || !strncmp(name, "im_", 3)) {
            int k = skill_index(name + 3);
            if (k < 0)
                return bad(r, h->line, name, "'%s' is not one of the 35 O*NET skills (reading_comprehension, "
                                             "active_listening, ...; see docs/own-data.md)", name + 3);
            if (name[0] == 'i' && side == 0)
                return bad(r, h->line, name, "importance overrides apply to --side vacancies only");
            role = name[0] == 'l' ? k : 100 + k;
        }
        c->role[i] = role;
    }
    if (c->id < 0) return bad(r, h->line, "id", "missing (a required column)");
    if (c->code < 0) return bad(r, h->line, "onet_soc", "missing (a required column)");
    return 0;
}

/* ---- the profiles ------------------------------------------------------------ */
static int cmp_code(const void *key, const void *elem) {
    return strcmp((const char *)key, ((const onet_occupation *)elem)->code);
}

static const onet_occupation *find_code(const char *code) {
    char full[16];
    size_t n = strlen(code);
    if (n == 7 && code[2] == '-') { /* "43-4051": the occupation itself, .00 */
        snprintf(full, sizeof full, "%s.00", code);
        code = full;
    }
    return bsearch(code, onet_occupations, onet_noccupations, sizeof onet_occupations[0], cmp_code);
}

/* The cell's codes, averaged into lv and im. 0 or the exit status (printed). */
static int profile(const reader *r, long line, char *cell, double lv[ONET_NSKILLS], double im[ONET_NSKILLS]) {
    for (int k = 0; k < ONET_NSKILLS; k++) lv[k] = im[k] = 0;
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(cell, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        char *code = trim(tok);
        if (!*code) continue;
        const onet_occupation *o = find_code(code);
        if (!o)
            return bad(r, line, "onet_soc",
                       "'%.40s' is not an O*NET-SOC 2010 code with a skill profile (codes like 43-4051.00; the "
                       "%zu codes are in libmatch/data/onet_skills.csv)", code, onet_noccupations);
        if (++n > MAX_CODES) return bad(r, line, "onet_soc", "more than %d codes", MAX_CODES);
        for (int k = 0; k < ONET_NSKILLS; k++) lv[k] += o->level[k] / 100.0, im[k] += o->importance[k] / 100.0;
    }
    if (n == 0) return bad(r, line, "onet_soc", "empty (give an O*NET-SOC code such as 43-4051.00)");
    for (int k = 0; k < ONET_NSKILLS; k++) lv[k] /= n, im[k] /= n;
    return 0;
}

/* An override cell: empty (no override), else a number in [lo, hi]. */
static int override(const reader *r, long line, const char *col, char *cell, double lo, double hi, double *dst) {
    char *s = trim(cell);
    if (!*s) return 0;
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(x))
        return bad(r, line, col, "'%.40s' is not a number", s);
    if (x < lo || x > hi) return bad(r, line, col, "%.40s is outside %g..%g", s, lo, hi);
    *dst = x;
    return 0;
}

static int check_id(const reader *r, long line, char *cell, long long *out) {
    char *s = trim(cell);
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno == ERANGE) return bad(r, line, "id", "'%.40s' is not an integer", s);
    *out = v;
    return 0;
}

typedef struct idline {
    long long id;
    long line;
} idline;
static int cmp_idline(const void *a, const void *b) {
    const idline *x = a, *y = b;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

/* ---- writing ----------------------------------------------------------------- */
static void put_field(FILE *f, const char *s) {
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Text of the values h / 100.0 for h = 0..700 (every raw O*NET value): printf
 * dominates the run time otherwise. Only a value equal to h / 100.0 (the same
 * double) takes it, so the text is what printf gives. */
static char hundredths_text[701][16];

static void put_numbers(FILE *f, const double *v) {
    if (!hundredths_text[0][0])
        for (int h = 0; h <= 700; h++) snprintf(hundredths_text[h], sizeof hundredths_text[h], "%.7g", h / 100.0);
    for (int k = 0; k < ONET_NSKILLS; k++) {
        double x = fabs(v[k]) < 5e-7 ? 0.0 : v[k]; /* no "-0" */
        long h = lround(x * 100.0);
        if (k) fputc(';', f);
        if (h >= 0 && h <= 700 && x == h / 100.0) fputs(hundredths_text[h], f);
        else fprintf(f, "%.7g", x);
    }
}

static void onet_mean(double mean[ONET_NSKILLS]) {
    for (int k = 0; k < ONET_NSKILLS; k++) {
        double s = 0;
        for (size_t i = 0; i < onet_noccupations; i++) s += onet_occupations[i].level[k] / 100.0;
        mean[k] = s / (double)onet_noccupations;
    }
}

static void write_comment(FILE *f, const vopts *o) {
    fprintf(f, "# lmatch vectors --side %s%s: vectors = %s%s, ", o->side ? "vacancies" : "candidates",
            o->centre ? " --centre" : "", o->side ? "the required O*NET skill levels (0..7)" : "O*NET skill levels (0..7)",
            o->centre ? " minus the mean of the 967 occupations" : "");
    if (o->side) fprintf(f, "weights = their importance (1..5), ");
    fprintf(f, "numbers separated by ';' in this order:");
    for (int k = 0; k < ONET_NSKILLS; k++) fprintf(f, "%s%s", k ? ";" : " ", onet_skill_names[k]);
    fprintf(f, "\n# Skill profiles: O*NET database by the U.S. Department of Labor, Employment and Training "
               "Administration (USDOL/ETA), CC BY 4.0 (libmatch/data/ATTRIBUTION.md).\n");
}

/* Every data row into f (a memory stream). 0 or the exit status (printed). */
static int convert(FILE *f, const reader *r, const cols *c, const vopts *o) {
    double mean[ONET_NSKILLS] = {0};
    if (o->centre) onet_mean(mean);
    write_comment(f, o);
    const row *h = &r->rows[0];
    bool first = true;
    for (size_t i = 0; i < c->n; i++)
        if (c->role[i] == COL_PASS || c->role[i] == COL_ID) {
            fputs(first ? "" : ",", f);
            put_field(f, h->f[i]);
            first = false;
        }
    fprintf(f, ",vectors%s\n", o->side ? ",weights" : "");
    for (size_t ri = 1; ri < r->n; ri++) {
        const row *w = &r->rows[ri];
        if (w->nf == 1 && !*trim(w->f[0])) continue; /* an empty line */
        if (w->nf != c->n)
            return bad(r, w->line, NULL, "%zu fields, the header has %zu (a field with a comma must be quoted)", w->nf,
                       c->n);
        long long id;
        double lv[ONET_NSKILLS], im[ONET_NSKILLS];
        int st = check_id(r, w->line, w->f[c->id], &id);
        if (!st) st = profile(r, w->line, w->f[c->code], lv, im);
        for (size_t i = 0; !st && i < c->n; i++) {
            int role = c->role[i];
            if (role >= 100) st = override(r, w->line, h->f[i], w->f[i], 1, 5, &im[role - 100]);
            else if (role >= 0) st = override(r, w->line, h->f[i], w->f[i], 0, 7, &lv[role]);
        }
        if (st) return st;
        for (int k = 0; k < ONET_NSKILLS; k++) lv[k] -= mean[k];
        first = true;
        for (size_t i = 0; i < c->n; i++)
            if (c->role[i] == COL_PASS || c->role[i] == COL_ID) {
                fputs(first ? "" : ",", f);
                put_field(f, c->role[i] == COL_ID ? trim(w->f[i]) : w->f[i]);
                first = false;
            }
        fputc(',', f);
        put_numbers(f, lv);
        if (o->side) {
            fputc(',', f);
            put_numbers(f, im);
        }
        fputc('\n', f);
    }
    return 0;
}

/* Ids unique: 0 or the exit status (printed). */
static int unique_ids(const reader *r, const cols *c) {
    size_t n = 0;
    idline *ids = malloc((r->n ? r->n : 1) * sizeof *ids);
    if (!ids) return fprintf(stderr, "lmatch vectors: out of memory\n"), EXIT_RUNTIME;
    for (size_t i = 1; i < r->n; i++) {
        const row *w = &r->rows[i];
        long long id;
        if (w->nf != c->n || check_id(r, w->line, w->f[c->id], &id)) continue; /* reported by convert() */
        ids[n++] = (idline){id, w->line};
    }
    qsort(ids, n, sizeof *ids, cmp_idline);
    size_t worst = 0; /* the first repeat in the file */
    for (size_t i = 1; i < n; i++)
        if (ids[i].id == ids[i - 1].id && (!worst || ids[i].line < ids[worst].line)) worst = i;
    int st = 0;
    if (worst) {
        size_t j = worst;
        while (j > 0 && ids[j - 1].id == ids[worst].id) j--; /* its first occurrence */
        st = bad(r, ids[worst].line, "id", "%lld appears twice (also line %ld)", ids[worst].id, ids[j].line);
    }
    free(ids);
    return st;
}

static int write_out(const vopts *o, const char *buf, size_t len) {
    if (!o->out || !strcmp(o->out, "-")) {
        if (fwrite(buf, 1, len, stdout) != len || fflush(stdout)) {
            fprintf(stderr, "lmatch vectors: writing standard output: %s\n", strerror(errno));
            return EXIT_RUNTIME;
        }
        return 0;
    }
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", o->out);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "lmatch vectors: %s: %s\n", tmp, strerror(errno));
        return EXIT_RUNTIME;
    }
    bool ok = fwrite(buf, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, o->out) != 0) {
        fprintf(stderr, "lmatch vectors: writing %s: %s\n", o->out, strerror(errno));
        unlink(tmp);
        return EXIT_RUNTIME;
    }
    return 0;
}

int cmd_vectors(int argc, char **argv) {
    vopts o;
    int st = parse_opts(&o, argc, argv);
    if (st >= 0) return st;
    reader r = {0};
    cols *c = calloc(1, sizeof *c);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = NULL;
    st = c ? read_csv(&r, o.in) : EXIT_RUNTIME;
    if (!st) st = read_header(c, &r, o.side);
    if (!st && !(mem = open_memstream(&buf, &len))) st = EXIT_RUNTIME;
    if (!st) st = convert(mem, &r, c, &o);
    if (!st) st = unique_ids(&r, c);
    if (mem && fclose(mem) != 0 && !st) st = EXIT_RUNTIME;
    if (!st) st = write_out(&o, buf, len);
    free(buf);
    free(c);
    reader_free(&r);
    return st;
}
