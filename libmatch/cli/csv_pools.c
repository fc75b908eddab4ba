/* Candidates and vacancies from CSV files (docs/own-data.md).
 *
 * Parsing is Debian's libcsv: RFC 4180 quoting (commas, quotes and line
 * breaks inside quoted fields) done right, so we do not hand-roll it. Column
 * names are the C column names of lm_candidate_cols / lm_vacancy_cols; every
 * value is checked here with the library's ranges, so a bad row is reported
 * as FILE:LINE: column NAME: what is wrong before anything runs. */
#include "owndata.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum kind {
    K_I64, K_I32, K_F64, K_F32, K_GROUPS, K_READINESS, K_MODES, K_SCOPE, K_FLAGS, K_NEEDS, K_KIND, K_DAY, K_VEC,
    K_WEIGHTS, K_IGNORE
} kind;

typedef struct colspec {
    const char *name;
    kind k;
    bool required;
    double lo, hi, def; /* range of numbers; default of an empty cell */
} colspec;

#define NOLIM -1e300, 1e300
static const colspec cand_spec[] = {
    {"id", K_I64, true, NOLIM, 0},
    {"owner_org", K_I64, true, NOLIM, 0},
    {"municipality", K_I32, true, 1, INT32_MAX, 0},
    {"region", K_I32, false, 0, INT32_MAX, 0},
    {"zone", K_I32, false, 0, INT32_MAX, 0},
    {"lat", K_F64, false, -90, 90, NAN},
    {"lon", K_F64, false, -180, 180, NAN},
    {"groups", K_GROUPS, true, NOLIM, 0},
    {"readiness", K_READINESS, false, 1, 5, 1},
    {"loonwaarde", K_F32, false, 0, 200, 100},
    {"vectors", K_VEC, true, NOLIM, 0},
    {"flags", K_FLAGS, false, NOLIM, 0},
    {"hours_min", K_F32, false, 0, 80, 0},
    {"hours_max", K_F32, false, 0, 80, 80},
    {"modes", K_MODES, false, NOLIM, LM_MODES_ALL},
    {"max_minutes", K_F32, false, 0, 1440, 0},
    {"available_from", K_DAY, false, 0, INT32_MAX, 0},
    {"scope", K_SCOPE, false, NOLIM, LM_SCOPE_ORG},
    {"priority", K_F32, false, 0, 1, 0},
    {"needs", K_NEEDS, false, NOLIM, 0},
};
static const colspec vac_spec[] = {
    {"id", K_I64, true, NOLIM, 0},
    {"employer_id", K_I64, true, NOLIM, 0},
    {"municipality", K_I32, true, 1, INT32_MAX, 0},
    {"region", K_I32, false, 0, INT32_MAX, 0},
    {"zone", K_I32, false, 0, INT32_MAX, 0},
    {"lat", K_F64, false, -90, 90, NAN},
    {"lon", K_F64, false, -180, 180, NAN},
    {"vectors", K_VEC, true, NOLIM, 0},
    {"weights", K_WEIGHTS, false, 0, 1e30, 1},
    {"required_flags", K_FLAGS, false, NOLIM, 0},
    {"hours_min", K_F32, false, 0, 80, 0},
    {"hours_max", K_F32, false, 0, 80, 80},
    {"slots", K_I32, false, 0, 1000000, 1},
    {"accepted_groups", K_GROUPS, false, NOLIM, LM_GROUP_ALL},
    {"min_loonwaarde", K_F32, false, 0, 200, 0},
    {"max_readiness", K_READINESS, false, 1, 5, 5},
    {"open_until", K_DAY, false, 0, INT32_MAX, INT32_MAX},
    {"offers", K_NEEDS, false, NOLIM, 0},
    {"kind", K_KIND, false, NOLIM, LM_KIND_REGULAR},
    {"title", K_IGNORE, false, NOLIM, 0}, /* free text for people reading the file */
};
#define NCAND (int)(sizeof cand_spec / sizeof cand_spec[0])
#define NVAC (int)(sizeof vac_spec / sizeof vac_spec[0])
#define MAXCOLS 24

typedef struct named {
    const char *name;
    uint64_t v;
} named;
static const named group_names[] = {
    {"bijstand", LM_GROUP_BIJSTAND}, {"nieuw_beschut", LM_GROUP_NIEUW_BESCHUT}, {"banenafspraak", LM_GROUP_BANENAFSPRAAK},
    {"wsw", LM_GROUP_WSW},           {"nug", LM_GROUP_NUG},                     {"statushouder", LM_GROUP_STATUSHOUDER},
    {"ww", LM_GROUP_WW},             {"wajong", LM_GROUP_WAJONG},               {"jongere", LM_GROUP_JONGERE},
    {"all", LM_GROUP_ALL},           {NULL, 0}};
static const named mode_names[] = {{"walk", 1u << LM_MODE_WALK}, {"bike", 1u << LM_MODE_BIKE},
                                   {"pt", 1u << LM_MODE_PT},     {"car", 1u << LM_MODE_CAR},
                                   {"all", LM_MODES_ALL},        {NULL, 0}};
/* Capability flags are the host's own bits; these names are the examples' convention. */
static const named flag_names[] = {{"licence", 1u << 0}, {"dutch_b1", 1u << 1}, {"vca", 1u << 2}, {NULL, 0}};
static const named need_names[] = {{"job_coach", LM_NEED_JOB_COACH},       {"supervision", LM_NEED_SUPERVISION},
                                   {"accessible", LM_NEED_ACCESSIBLE},     {"daytime_only", LM_NEED_DAYTIME_ONLY},
                                   {"no_weekends", LM_NEED_NO_WEEKENDS},   {"part_time", LM_NEED_PART_TIME},
                                   {NULL, 0}};
static const named scope_names[] = {{"org", LM_SCOPE_ORG},       {"municipality", LM_SCOPE_MUNICIPALITY},
                                    {"region", LM_SCOPE_REGION}, {"national", LM_SCOPE_NATIONAL},
                                    {NULL, 0}};
static const named kind_names[] = {{"regular", LM_KIND_REGULAR},
                                   {"garantiebaan", LM_KIND_GARANTIEBAAN},
                                   {"beschut", LM_KIND_BESCHUT},
                                   {"werkervaringsplek", LM_KIND_WERKERVARINGSPLEK},
                                   {"participatieplek", LM_KIND_PARTICIPATIEPLEK},
                                   {"detachering", LM_KIND_DETACHERING},
                                   {NULL, 0}};

static size_t elem_size(kind k) {
    switch (k) {
    case K_I64: case K_FLAGS: case K_NEEDS: return 8;
    case K_I32: case K_DAY: case K_GROUPS: return 4;
    case K_F64: return 8;
    case K_F32: return 4;
    case K_READINESS: case K_MODES: case K_SCOPE: case K_KIND: return 1;
    default: return 0; /* vectors: n * dim floats; ignored columns */
    }
}

typedef struct reader {
    const char *path;
    const colspec *spec;
    int nspec;
    int map[MAXCOLS];   /* file column -> spec index, -1 ignored */
    bool present[MAXCOLS]; /* by spec index */
    int nfile;          /* columns in the header */
    bool header_done;
    long line, rec_line;
    /* the current record */
    char *arena;
    size_t alen, acap;
    size_t off[MAXCOLS + 1];
    int nf;
    bool overflow;
    /* the columns */
    void *col[MAXCOLS];
    size_t n, cap;
    float *vec, *wts;
    uint32_t *dim; /* shared between both files */
    long dim_line;
    const char *dim_path;
    long *lines;
    int err; /* 0, 1 runtime, 2 bad input */
} reader;

static void row_err(reader *r, const char *colname, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#include <stdarg.h>
static void row_err(reader *r, const char *colname, const char *fmt, ...) {
    if (r->err) return;
    fprintf(stderr, "lmatch: %s:%ld: ", r->path, r->rec_line);
    if (colname) fprintf(stderr, "column %s: ", colname);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    r->err = CLI_EXIT_USAGE;
}

static void on_field(void *s, size_t len, void *data) {
    reader *r = data;
    if (r->err) return;
    if (r->nf >= MAXCOLS) {
        r->overflow = true;
        r->nf++;
        return;
    }
    if (r->alen + len + 1 > r->acap) {
        size_t nc = (r->acap ? r->acap * 2 : 4096);
        while (nc < r->alen + len + 1) nc *= 2;
        char *a = realloc(r->arena, nc);
        if (!a) {
            r->err = 1;
            fprintf(stderr, "lmatch: %s: out of memory\n", r->path);
            return;
        }
        r->arena = a, r->acap = nc;
    }
    r->off[r->nf] = r->alen;
    memcpy(r->arena + r->alen, s ? s : "", len);
    r->arena[r->alen + len] = '\0';
    r->alen += len + 1;
    r->nf++;
}

static char *trimmed(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = '\0';
    return s;
}

static void header(reader *r) {
    for (int s = 0; s < r->nspec; s++) r->present[s] = false;
    if (r->overflow) return row_err(r, NULL, "more than %d columns", MAXCOLS);
    r->nfile = r->nf;
    for (int i = 0; i < r->nf; i++) {
        char *name = trimmed(r->arena + r->off[i]);
        if (i == 0 && !strncmp(name, "\xEF\xBB\xBF", 3)) name += 3; /* UTF-8 byte order mark */
        int found = -1;
        for (int s = 0; s < r->nspec; s++)
            if (!strcmp(name, r->spec[s].name)) found = s;
        if (found < 0) {
            char known[600];
            int n = 0;
            for (int s = 0; s < r->nspec; s++) n += snprintf(known + n, sizeof known - (size_t)n, " %s", r->spec[s].name);
            return row_err(r, name, "unknown column (columns:%s)", known);
        }
        if (r->present[found]) return row_err(r, name, "appears twice in the header");
        r->present[found] = true;
        r->map[i] = found;
    }
    for (int s = 0; s < r->nspec; s++)
        if (r->spec[s].required && !r->present[s]) return row_err(r, r->spec[s].name, "missing (a required column)");
    r->header_done = true;
}

static int grow(reader *r) {
    size_t nc = r->cap ? r->cap * 2 : 1024;
    for (int s = 0; s < r->nspec; s++) {
        size_t es = elem_size(r->spec[s].k);
        if (!es || !r->present[s]) continue;
        void *p = realloc(r->col[s], nc * es);
        if (!p) return -1;
        r->col[s] = p;
    }
    long *l = realloc(r->lines, nc * sizeof *l);
    if (!l) return -1;
    r->lines = l;
    if (*r->dim) {
        float *v = realloc(r->vec, nc * *r->dim * sizeof *v);
        if (!v) return -1;
        r->vec = v;
        if (r->spec == vac_spec && r->present[8]) {
            float *w = realloc(r->wts, nc * *r->dim * sizeof *w);
            if (!w) return -1;
            r->wts = w;
        }
    }
    r->cap = nc;
    return 0;
}

/* name+name+... -> bits; "-" or "" -> 0. bitN allowed when bits_ok. */
static int names_value(reader *r, const colspec *c, const char *s, const named *tab, bool bits_ok, uint64_t *out) {
    *out = 0;
    if (!*s || !strcmp(s, "-")) return 0;
    char buf[512];
    if (strlen(s) >= sizeof buf) return row_err(r, c->name, "too long"), -1;
    strcpy(buf, s);
    for (char *save = NULL, *t = strtok_r(buf, "+", &save); t; t = strtok_r(NULL, "+", &save)) {
        t = trimmed(t);
        size_t i = 0;
        while (tab[i].name && strcmp(tab[i].name, t)) i++;
        if (tab[i].name) {
            *out |= tab[i].v;
            continue;
        }
        char *end;
        long b = bits_ok && !strncmp(t, "bit", 3) ? strtol(t + 3, &end, 10) : -1;
        if (b >= 0 && b <= 63 && t[3] && !*end) {
            *out |= 1ull << b;
            continue;
        }
        char known[300];
        int n = 0;
        for (i = 0; tab[i].name; i++) n += snprintf(known + n, sizeof known - (size_t)n, " %s", tab[i].name);
        row_err(r, c->name, "unknown name '%s' (names:%s%s; join with '+')", t, known, bits_ok ? " bit0..bit63" : "");
        return -1;
    }
    return 0;
}

static int one_name(reader *r, const colspec *c, const char *s, const named *tab, uint8_t *out) {
    for (size_t i = 0; tab[i].name; i++)
        if (!strcmp(tab[i].name, s)) return *out = (uint8_t)tab[i].v, 0;
    char known[300];
    int n = 0;
    for (size_t i = 0; tab[i].name; i++) n += snprintf(known + n, sizeof known - (size_t)n, " %s", tab[i].name);
    row_err(r, c->name, "unknown name '%s' (names:%s)", s, known);
    return -1;
}

static int number(reader *r, const colspec *c, const char *s, double *out, bool integer) {
    char *end;
    errno = 0;
    double x;
    if (integer) {
        long long v = strtoll(s, &end, 10);
        if (end == s || *end) return row_err(r, c->name, "'%s' is not an integer", s), -1;
        if (errno == ERANGE) return row_err(r, c->name, "%s is out of range", s), -1;
        x = (double)v;
    } else {
        x = strtod(s, &end);
        if (end == s || *end) return row_err(r, c->name, "'%s' is not a number", s), -1;
        if (!isfinite(x)) return row_err(r, c->name, "'%s' is not a finite number", s), -1;
    }
    if (x < c->lo || x > c->hi) {
        if (integer && c->hi >= INT32_MAX) row_err(r, c->name, "%s is out of range (at least %.0f)", s, c->lo);
        else row_err(r, c->name, "%s is out of range %g..%g", s, c->lo, c->hi);
        return -1;
    }
    *out = x;
    return 0;
}

/* The vector (or weights) of the row: numbers separated by ';' (or blanks). */
static int vector(reader *r, const colspec *c, const char *s, float *dst, bool weights) {
    uint32_t k = 0, cap = *r->dim ? *r->dim : LM_MAX_DIM;
    float tmp[LM_MAX_DIM];
    const char *p = s;
    for (;;) {
        while (*p == ' ' || *p == ';' || *p == '\t') p++;
        if (!*p) break;
        char *end;
        double x = strtod(p, &end);
        if (end == p) return row_err(r, c->name, "'%.40s' is not a number (numbers separated by ';')", p), -1;
        if (!isfinite(x)) return row_err(r, c->name, "number %u is not finite", k + 1), -1;
        if (weights && x < 0) return row_err(r, c->name, "number %u is negative (weights are >= 0)", k + 1), -1;
        if (*end && *end != ';' && *end != ' ' && *end != '\t')
            return row_err(r, c->name, "'%.40s' is not a number (numbers separated by ';')", p), -1;
        if (k == cap) break;
        tmp[k++] = (float)x;
        p = end;
    }
    if (k == 0) return row_err(r, c->name, "empty (give the numbers separated by ';')"), -1;
    if (!*r->dim) {
        if (*p) return row_err(r, c->name, "more than %d numbers", LM_MAX_DIM), -1;
        *r->dim = k;
        r->dim_line = r->rec_line;
        r->dim_path = r->path;
        return 2; /* dimension just set: the caller allocates */
    }
    if (*p || k != *r->dim) {
        uint32_t total = k;
        for (; *p; total++) { /* count the rest for the message */
            while (*p == ' ' || *p == ';' || *p == '\t') p++;
            if (!*p) break;
            strtod(p, (char **)&p);
        }
        return row_err(r, c->name, "%u numbers, expected %u (as in %s:%ld)", total, *r->dim, r->dim_path, r->dim_line), -1;
    }
    memcpy(dst, tmp, k * sizeof *tmp);
    return 0;
}

static void record(reader *r) {
    float vtmp[LM_MAX_DIM], wtmp[LM_MAX_DIM];
    if (r->nf != r->nfile)
        return row_err(r, NULL, "%d fields, expected %d (as in the header)", r->overflow ? MAXCOLS + 1 : r->nf, r->nfile);
    if (r->n == r->cap && grow(r)) {
        r->err = 1;
        fprintf(stderr, "lmatch: %s: out of memory\n", r->path);
        return;
    }
    size_t i = r->n;
    bool have_v = false, have_w = false;
    for (int s = 0; s < r->nspec; s++) { /* defaults of the present columns */
        const colspec *c = &r->spec[s];
        if (!r->present[s] || !elem_size(c->k)) continue;
        void *d = r->col[s];
        switch (c->k) {
        case K_I64: case K_FLAGS: case K_NEEDS: ((uint64_t *)d)[i] = (uint64_t)c->def; break;
        case K_I32: case K_DAY: ((int32_t *)d)[i] = (int32_t)c->def; break;
        case K_GROUPS: ((uint32_t *)d)[i] = (uint32_t)c->def; break;
        case K_F64: ((double *)d)[i] = c->def; break;
        case K_F32: ((float *)d)[i] = (float)c->def; break;
        default: ((uint8_t *)d)[i] = (uint8_t)c->def; break;
        }
    }
    for (int f = 0; f < r->nf && !r->err; f++) {
        int s = r->map[f];
        const colspec *c = &r->spec[s];
        char *v = trimmed(r->arena + r->off[f]);
        if (c->k == K_IGNORE) continue;
        if (!*v) {
            if (c->required) row_err(r, c->name, "empty (a required column)");
            continue;
        }
        void *d = r->col[s];
        double x;
        uint64_t bits;
        uint8_t u8 = 0;
        switch (c->k) {
        case K_I64: {
            char *end;
            errno = 0;
            long long q = strtoll(v, &end, 10);
            if (end == v || *end) row_err(r, c->name, "'%s' is not an integer", v);
            else if (errno == ERANGE) row_err(r, c->name, "%s is out of range", v);
            else ((int64_t *)d)[i] = q;
            break;
        }
        case K_I32:
            if (!number(r, c, v, &x, true)) ((int32_t *)d)[i] = (int32_t)x;
            break;
        case K_F64:
            if (!number(r, c, v, &x, false)) ((double *)d)[i] = x;
            break;
        case K_F32:
            if (!number(r, c, v, &x, false)) ((float *)d)[i] = (float)x;
            break;
        case K_DAY: {
            int64_t day;
            if (cli_parse_day(v, &day) || day > INT32_MAX)
                row_err(r, c->name, "'%s' is not a date (YYYY-MM-DD or a day number >= 0)", v);
            else ((int32_t *)d)[i] = (int32_t)day;
            break;
        }
        case K_GROUPS:
            if (!names_value(r, c, v, group_names, false, &bits)) {
                if (!bits) row_err(r, c->name, "empty (give at least one target group)");
                else ((uint32_t *)d)[i] = (uint32_t)bits;
            }
            break;
        case K_MODES:
            if (!names_value(r, c, v, mode_names, false, &bits)) {
                if (!bits) row_err(r, c->name, "empty (give at least one travel mode)");
                else ((uint8_t *)d)[i] = (uint8_t)bits;
            }
            break;
        case K_FLAGS:
            if (!names_value(r, c, v, flag_names, true, &bits)) ((uint64_t *)d)[i] = bits;
            break;
        case K_NEEDS:
            if (!names_value(r, c, v, need_names, true, &bits)) ((uint64_t *)d)[i] = bits;
            break;
        case K_SCOPE:
            if (!one_name(r, c, v, scope_names, &u8)) ((uint8_t *)d)[i] = u8;
            break;
        case K_KIND:
            if (!one_name(r, c, v, kind_names, &u8)) ((uint8_t *)d)[i] = u8;
            break;
        case K_READINESS:
            if (v[0] >= 'A' && v[0] <= 'E' && !v[1]) ((uint8_t *)d)[i] = (uint8_t)(v[0] - 'A' + 1);
            else if (v[0] >= '1' && v[0] <= '5' && !v[1]) ((uint8_t *)d)[i] = (uint8_t)(v[0] - '0');
            else row_err(r, c->name, "'%s' is not a readiness category (A..E or 1..5)", v);
            break;
        case K_VEC:
        case K_WEIGHTS: {
            int rc = vector(r, c, v, c->k == K_VEC ? vtmp : wtmp, c->k == K_WEIGHTS);
            if (rc == 2) { /* the first vector of both files fixes the dimension */
                if (grow(r) && !r->err) {
                    r->err = 1;
                    fprintf(stderr, "lmatch: %s: out of memory\n", r->path);
                }
                rc = vector(r, c, v, c->k == K_VEC ? vtmp : wtmp, c->k == K_WEIGHTS);
            }
            if (!rc) *(c->k == K_VEC ? &have_v : &have_w) = true;
            break;
        }
        default:
            break;
        }
    }
    if (r->err) return;
    /* row rules the library checks too, named by column here */
    int s_lat = 5, s_lon = 6, s_zone = 4, s_hmin = r->spec == cand_spec ? 12 : 10, s_hmax = s_hmin + 1;
    double la = r->present[s_lat] ? ((double *)r->col[s_lat])[i] : NAN;
    double lo = r->present[s_lon] ? ((double *)r->col[s_lon])[i] : NAN;
    int32_t zone = r->present[s_zone] ? ((int32_t *)r->col[s_zone])[i] : 0;
    if (isnan(la) != isnan(lo)) return row_err(r, isnan(la) ? "lat" : "lon", "empty (give both lat and lon, or neither)");
    if (isnan(la) && zone <= 0) return row_err(r, "lat", "empty and no zone (give lat and lon, or a zone)");
    float hmin = r->present[s_hmin] ? ((float *)r->col[s_hmin])[i] : 0.f;
    float hmax = r->present[s_hmax] ? ((float *)r->col[s_hmax])[i] : 80.f;
    if (hmin > hmax) return row_err(r, "hours_max", "%g is below hours_min %g", (double)hmax, (double)hmin);
    memcpy(r->vec + i * *r->dim, vtmp, *r->dim * sizeof(float));
    if (r->wts) {
        if (have_w) memcpy(r->wts + i * *r->dim, wtmp, *r->dim * sizeof(float));
        else
            for (uint32_t q = 0; q < *r->dim; q++) r->wts[i * *r->dim + q] = 1.f;
    }
    r->lines[i] = r->rec_line;
    r->n++;
}

static void on_record(int c, void *data) {
    reader *r = data;
    (void)c;
    if (!r->err) {
        if (!r->header_done) header(r);
        else record(r);
    }
    r->nf = 0;
    r->alen = 0;
    r->overflow = false;
}

/* Ids must be unique within a file: sort (id, line) pairs. */
typedef struct idline {
    int64_t id;
    long line;
} idline;
static int cmp_idline(const void *a, const void *b) {
    const idline *x = a, *y = b;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

static int check_ids(reader *r) {
    if (r->n < 2) return 0;
    idline *v = malloc(r->n * sizeof *v);
    if (!v) return fprintf(stderr, "lmatch: %s: out of memory\n", r->path), 1;
    for (size_t i = 0; i < r->n; i++) v[i] = (idline){((int64_t *)r->col[0])[i], r->lines[i]};
    qsort(v, r->n, sizeof *v, cmp_idline);
    int rc = 0;
    for (size_t i = 1; i < r->n && !rc; i++)
        if (v[i].id == v[i - 1].id) {
            r->rec_line = v[i].line;
            row_err(r, "id", "%lld appears twice (also line %ld)", (long long)v[i].id, v[i - 1].line);
            rc = r->err;
        }
    free(v);
    return rc;
}

static int read_file(reader *r) {
    FILE *f = fopen(r->path, "r");
    if (!f) {
        fprintf(stderr, "lmatch: cannot read %s: %s\n", r->path, strerror(errno));
        return r->err = CLI_EXIT_USAGE; /* a file named on the command line: nothing done */
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)) {
        fclose(f);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    bool at_start = true; /* no record open: a line starting with '#' is a comment */
    while (!r->err && (len = getline(&line, &cap, f)) > 0) {
        r->line++;
        if (at_start && line[0] == '#') continue;
        if (at_start) r->rec_line = r->line; /* a record starts here (it may span lines) */
        if (csv_parse(&p, line, (size_t)len, on_field, on_record, r) != (size_t)len && !r->err)
            row_err(r, NULL, "bad quoting (a field with a quote or comma must be quoted whole, inner quotes doubled)");
        at_start = p.pstate == 0; /* ROW_NOT_BEGUN: not inside a quoted field spanning lines */
    }
    if (!r->err && ferror(f)) {
        fprintf(stderr, "lmatch: reading %s: %s\n", r->path, strerror(errno));
        r->err = 1;
    }
    if (!r->err && csv_fini(&p, on_field, on_record, r) != 0 && !r->err)
        row_err(r, NULL, "a quoted field is not closed (a missing '\"')");
    csv_free(&p);
    free(line);
    fclose(f);
    if (!r->err && !r->header_done) {
        r->rec_line = r->line ? r->line : 1;
        row_err(r, NULL, "no header row");
    }
    if (!r->err) check_ids(r);
    return r->err;
}

/* Hand the reader's arrays to the pools (freed by csv_pools_free). */
static void *keep(csv_pools *p, void *m) {
    if (m) p->mem[p->nmem++] = m;
    return m;
}

int csv_pools_read(csv_pools *p, const char *cand_path, const char *vac_path) {
    memset(p, 0, sizeof *p);
    lm_candidate_cols cc = LM_CANDIDATE_COLS_INIT;
    lm_vacancy_cols vc = LM_VACANCY_COLS_INIT;
    p->cc = cc;
    p->vc = vc;
    reader rc = {.path = cand_path, .spec = cand_spec, .nspec = NCAND, .dim = &p->dim};
    reader rv = {.path = vac_path, .spec = vac_spec, .nspec = NVAC, .dim = &p->dim};
    int st = cand_path ? read_file(&rc) : 0;
    if (!st && vac_path) {
        rv.dim_line = rc.dim_line;
        rv.dim_path = rc.dim_path;
        st = read_file(&rv);
    }
    for (int s = 0; s < MAXCOLS; s++) keep(p, rc.col[s]), keep(p, rv.col[s]);
    keep(p, rc.vec), keep(p, rv.vec), keep(p, rv.wts);
    p->cand_lines = keep(p, rc.lines);
    p->vac_lines = keep(p, rv.lines);
    free(rc.arena);
    free(rv.arena);
    if (st) {
        csv_pools_free(p);
        return st;
    }
    p->nc = rc.n;
    p->nv = rv.n;
#define COL(r, name, i) ((r).present[i] ? (r).col[i] : NULL)
    p->cc.dim = p->vc.dim = p->dim;
    p->cc.id = COL(rc, id, 0);
    p->cc.owner_org = COL(rc, owner_org, 1);
    p->cc.municipality = COL(rc, municipality, 2);
    p->cc.region = COL(rc, region, 3);
    p->cc.zone = COL(rc, zone, 4);
    p->cc.lat = COL(rc, lat, 5);
    p->cc.lon = COL(rc, lon, 6);
    p->cc.groups = COL(rc, groups, 7);
    p->cc.readiness = COL(rc, readiness, 8);
    p->cc.loonwaarde = COL(rc, loonwaarde, 9);
    p->cc.vectors = rc.vec;
    p->cc.flags = COL(rc, flags, 11);
    p->cc.hours_min = COL(rc, hours_min, 12);
    p->cc.hours_max = COL(rc, hours_max, 13);
    p->cc.modes = COL(rc, modes, 14);
    p->cc.max_minutes = COL(rc, max_minutes, 15);
    p->cc.available_from = COL(rc, available_from, 16);
    p->cc.scope = COL(rc, scope, 17);
    p->cc.priority = COL(rc, priority, 18);
    p->cc.needs = COL(rc, needs, 19);
    p->vc.id = COL(rv, id, 0);
    p->vc.employer_id = COL(rv, employer_id, 1);
    p->vc.municipality = COL(rv, municipality, 2);
    p->vc.region = COL(rv, region, 3);
    p->vc.zone = COL(rv, zone, 4);
    p->vc.lat = COL(rv, lat, 5);
    p->vc.lon = COL(rv, lon, 6);
    p->vc.vectors = rv.vec;
    p->vc.weights = rv.wts;
    p->vc.required_flags = COL(rv, required_flags, 9);
    p->vc.hours_min = COL(rv, hours_min, 10);
    p->vc.hours_max = COL(rv, hours_max, 11);
    p->vc.slots = COL(rv, slots, 12);
    p->vc.accepted_groups = COL(rv, accepted_groups, 13);
    p->vc.min_loonwaarde = COL(rv, min_loonwaarde, 14);
    p->vc.max_readiness = COL(rv, max_readiness, 15);
    p->vc.open_until = COL(rv, open_until, 16);
    p->vc.offers = COL(rv, offers, 17);
    p->vc.kind = COL(rv, kind, 18);
#undef COL
    if (p->nc == 0 && p->nv == 0) {
        fprintf(stderr, "lmatch: %s%s%s: no data rows\n", cand_path ? cand_path : "", cand_path && vac_path ? " and " : "",
                vac_path ? vac_path : "");
        csv_pools_free(p);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

void csv_pools_free(csv_pools *p) {
    for (int i = 0; i < p->nmem; i++) free(p->mem[i]);
    p->nmem = 0;
}
