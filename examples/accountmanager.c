/* accountmanager: "who are the best candidates in the region for vacancy V,
 * as seen by organisation O, and why?" The interactive question of an account
 * manager at a Werkgeversservicepunt (WSP), answered with the public libmatch
 * API only (libmatch/libmatch.h).
 *
 * Data: the small synthetic pool in examples/data/ (candidates.csv,
 * vacancies.csv; --data DIR for another copy), or the shared pool in
 * PostgreSQL with --db CONNINFO (docs/postgresql.md; "" uses the PG*
 * environment variables).
 *
 * Build, after `make` (from the repository root):
 *   cc -std=c11 -O2 examples/accountmanager.c -Ilibmatch/include -Lbuild -lmatch \
 *      -Wl,-rpath,"$PWD/build" -o accountmanager
 * or, after `make install`:
 *   cc -std=c11 -O2 examples/accountmanager.c $(pkg-config --cflags --libs libmatch) -o accountmanager
 *
 * Run:
 *   ./accountmanager --vacancy 5001 --org 400002 --region 2
 *   ./accountmanager --vacancy 5001 --org 400002 --region 2 --explain 1006
 *   ./accountmanager --db "dbname=wsp" --vacancy ID --org 400002 --region 2
 *       (after `lmatch db seed-demo`: any id of libmatch.vacancies in region 2)
 *
 * Options: --vacancy ID (required), --org ORG (required: the viewer's
 * organisation), --region R and --municipality M (the viewer's region and
 * municipality, 0 = none), --k N (list length, default 5), --why N (how many
 * rejected candidates to explain, default 5), --explain CANDIDATE (explain one
 * pair in full), --data DIR or --db CONNINFO.
 */
#include <libmatch/libmatch.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 1000  /* rows per CSV file: plenty for an example */
#define MAX_DIM 64     /* competence dimension of the CSV files */
#define LINE_MAX_LEN 2048

/* ---- names used in the CSV files and in the output ----------------------- */

typedef struct named_bit {
    const char *name;
    uint64_t bit;
} named_bit;

static const named_bit GROUP_NAMES[] = {
    {"bijstand", LM_GROUP_BIJSTAND},       {"nieuw_beschut", LM_GROUP_NIEUW_BESCHUT},
    {"banenafspraak", LM_GROUP_BANENAFSPRAAK}, {"wsw", LM_GROUP_WSW},
    {"nug", LM_GROUP_NUG},                 {"statushouder", LM_GROUP_STATUSHOUDER},
    {"all", LM_GROUP_ALL},                 {NULL, 0}};
static const named_bit MODE_NAMES[] = {
    {"walk", 1u << LM_MODE_WALK}, {"bike", 1u << LM_MODE_BIKE}, {"pt", 1u << LM_MODE_PT},
    {"car", 1u << LM_MODE_CAR},   {NULL, 0}};
/* Capability flags are the host's own convention; libmatch only compares bits. */
static const named_bit FLAG_NAMES[] = {
    {"licence", 1u << 0}, {"dutch_b1", 1u << 1}, {"vca", 1u << 2}, {NULL, 0}};
static const named_bit SCOPE_NAMES[] = {
    {"org", LM_SCOPE_ORG}, {"municipality", LM_SCOPE_MUNICIPALITY}, {"region", LM_SCOPE_REGION},
    {"national", LM_SCOPE_NATIONAL}, {NULL, 0}};

/* enum lm_constraint: a short name and what it means for the account manager. */
static const struct { const char *name, *text; } CONSTRAINTS[] = {
    [LM_CONSTRAINT_NONE] = {"none", "feasible"},
    [LM_CONSTRAINT_VISIBILITY] = {"visibility", "not visible to the viewer"},
    [LM_CONSTRAINT_TARGET_GROUP] = {"target group", "target group not accepted by the vacancy"},
    [LM_CONSTRAINT_READINESS] = {"readiness", "not work-ready enough for the vacancy"},
    [LM_CONSTRAINT_LOONWAARDE] = {"loonwaarde", "loonwaarde below the vacancy's minimum"},
    [LM_CONSTRAINT_FLAGS] = {"capabilities", "lacks a required capability (licence, language, certificate)"},
    [LM_CONSTRAINT_HOURS] = {"hours", "hours per week do not overlap"},
    [LM_CONSTRAINT_DATES] = {"dates", "not available before the vacancy closes"},
    [LM_CONSTRAINT_SLOTS] = {"slots", "the vacancy has no open slots"},
    [LM_CONSTRAINT_TRAVEL] = {"travel", "too far: no allowed travel mode within the limit"},
    [LM_CONSTRAINT_MIN_SCORE] = {"min score", "score below the policy minimum"},
};
#define N_CONSTRAINTS ((int32_t)(sizeof CONSTRAINTS / sizeof CONSTRAINTS[0]))

static const char *constraint_text(int32_t c) {
    return c >= 0 && c < N_CONSTRAINTS ? CONSTRAINTS[c].text : "unknown constraint";
}

static const char *mode_name(int32_t mode) {
    static const char *const names[] = {"walk", "bike", "pt", "car"};
    return mode >= 0 && mode < LM_MODE_COUNT ? names[mode] : "-";
}

/* Municipality names for the output (CBS code -> name); others print as GMxxxx. */
static const char *municipality_name(int32_t code) {
    static const struct { int32_t code; const char *name; } names[] = {
        {361, "Alkmaar"},   {375, "Beverwijk"},   {377, "Bloemendaal"}, {392, "Haarlem"},
        {396, "Heemskerk"}, {397, "Heemstede"},   {450, "Uitgeest"},    {453, "Velsen"},
        {473, "Zandvoort"}, {307, "Amersfoort"}};
    static char buf[16];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].code == code) return names[i].name;
    snprintf(buf, sizeof buf, "GM%04d", (int)code);
    return buf;
}

/* ---- a small CSV reader: fixed columns, no quoting ----------------------- */

typedef struct candidates {
    size_t n;
    int64_t id[MAX_ROWS], owner_org[MAX_ROWS];
    int32_t municipality[MAX_ROWS], region[MAX_ROWS];
    double lat[MAX_ROWS], lon[MAX_ROWS];
    uint32_t groups[MAX_ROWS];
    uint8_t readiness[MAX_ROWS], modes[MAX_ROWS], scope[MAX_ROWS];
    float loonwaarde[MAX_ROWS], hours_min[MAX_ROWS], hours_max[MAX_ROWS], max_minutes[MAX_ROWS],
        priority[MAX_ROWS];
    uint64_t flags[MAX_ROWS];
    float vectors[MAX_ROWS * MAX_DIM];
} candidates;

typedef struct vacancies {
    size_t n;
    int64_t id[MAX_ROWS], employer_id[MAX_ROWS];
    int32_t municipality[MAX_ROWS], region[MAX_ROWS], slots[MAX_ROWS];
    double lat[MAX_ROWS], lon[MAX_ROWS];
    uint32_t accepted_groups[MAX_ROWS];
    float min_loonwaarde[MAX_ROWS], hours_min[MAX_ROWS], hours_max[MAX_ROWS];
    uint8_t max_readiness[MAX_ROWS];
    uint64_t required_flags[MAX_ROWS];
    char title[MAX_ROWS][64];
    float vectors[MAX_ROWS * MAX_DIM], weights[MAX_ROWS * MAX_DIM];
} vacancies;

typedef struct csv_file {
    FILE *f;
    const char *path;
    long line;
    char buf[LINE_MAX_LEN];
    char *field[20];
    int nfield;
} csv_file;

/* Next data row split into fields (comments, blank lines and the header
 * skipped); 1 = row, 0 = end of file, -1 = error (printed). */
static int csv_next(csv_file *c, int want_fields) {
    while (fgets(c->buf, sizeof c->buf, c->f)) {
        c->line++;
        c->buf[strcspn(c->buf, "\r\n")] = '\0';
        if (c->buf[0] == '#' || c->buf[0] == '\0' || !strncmp(c->buf, "id,", 3)) continue;
        c->nfield = 0;
        for (char *p = c->buf; p && c->nfield < 20; c->nfield++) {
            c->field[c->nfield] = p;
            p = strchr(p, ',');
            if (p) *p++ = '\0';
        }
        if (c->nfield != want_fields) {
            fprintf(stderr, "%s:%ld: %d fields, expected %d\n", c->path, c->line, c->nfield, want_fields);
            return -1;
        }
        return 1;
    }
    return 0;
}

static int bad(const csv_file *c, int col, const char *what) {
    fprintf(stderr, "%s:%ld: field %d '%s': %s\n", c->path, c->line, col + 1, c->field[col], what);
    return -1;
}

static int get_i64(const csv_file *c, int col, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(c->field[col], &end, 10);
    if (errno || end == c->field[col] || *end) return bad(c, col, "not an integer");
    *out = v;
    return 0;
}

static int get_i32(const csv_file *c, int col, int32_t *out) {
    int64_t v;
    if (get_i64(c, col, &v)) return -1;
    if (v < INT32_MIN || v > INT32_MAX) return bad(c, col, "out of range");
    *out = (int32_t)v;
    return 0;
}

static int get_f64(const csv_file *c, int col, double *out) {
    char *end;
    *out = strtod(c->field[col], &end);
    if (end == c->field[col] || *end) return bad(c, col, "not a number");
    return 0;
}

static int get_f32(const csv_file *c, int col, float *out) {
    double v;
    if (get_f64(c, col, &v)) return -1;
    *out = (float)v;
    return 0;
}

/* "name+name+..." (or "-" for none) -> bits. */
static int get_names(const csv_file *c, int col, const named_bit *table, uint64_t *out) {
    char tmp[256];
    *out = 0;
    if (!strcmp(c->field[col], "-")) return 0;
    snprintf(tmp, sizeof tmp, "%s", c->field[col]);
    for (char *tok = tmp, *next; tok; tok = next) {
        next = strchr(tok, '+');
        if (next) *next++ = '\0';
        size_t i = 0;
        while (table[i].name && strcmp(table[i].name, tok)) i++;
        if (!table[i].name) return bad(c, col, "unknown name");
        *out |= table[i].bit;
    }
    return 0;
}

/* One name that maps to a value (scope). */
static int get_name(const csv_file *c, int col, const named_bit *table, uint8_t *out) {
    for (size_t i = 0; table[i].name; i++) {
        if (!strcmp(table[i].name, c->field[col])) {
            *out = (uint8_t)table[i].bit;
            return 0;
        }
    }
    return bad(c, col, "unknown name");
}

/* Readiness category A..E -> 1..5. */
static int get_readiness(const csv_file *c, int col, uint8_t *out) {
    const char *s = c->field[col];
    if (s[0] < 'A' || s[0] > 'E' || s[1]) return bad(c, col, "readiness must be A..E");
    *out = (uint8_t)(s[0] - 'A' + 1);
    return 0;
}

/* dim numbers separated by ";" (or spaces); *dim is set by the first vector read. */
static int get_vector(const csv_file *c, int col, float *out, uint32_t *dim) {
    char *p = c->field[col], *end;
    uint32_t k = 0;
    for (;;) {
        while (*p == ' ' || *p == ';') p++; /* ";"-separated (docs/own-data.md) */
        if (!*p) break;
        if (k == MAX_DIM) return bad(c, col, "too many numbers");
        out[k++] = strtof(p, &end);
        if (end == p) return bad(c, col, "not a number");
        p = end;
    }
    if (*dim == 0) *dim = k;
    if (k != *dim || k == 0) return bad(c, col, "wrong number of competences");
    return 0;
}

static int open_csv(csv_file *c, const char *dir, const char *name, char *path, size_t cap) {
    snprintf(path, cap, "%s/%s", dir, name);
    memset(c, 0, sizeof *c);
    c->path = path;
    c->f = fopen(path, "r");
    if (!c->f) fprintf(stderr, "accountmanager: cannot open %s: %s\n", path, strerror(errno));
    return c->f ? 0 : -1;
}

static int read_candidates(candidates *t, const char *dir, uint32_t *dim) {
    char path[1024];
    csv_file c;
    if (open_csv(&c, dir, "candidates.csv", path, sizeof path)) return -1;
    int r, err = 0;
    while (!err && (r = csv_next(&c, 17)) == 1) {
        size_t i = t->n;
        uint64_t groups = 0, modes = 0;
        if (i == MAX_ROWS) { fprintf(stderr, "%s: more than %d rows\n", path, MAX_ROWS); err = 1; break; }
        err = get_i64(&c, 0, &t->id[i]) || get_i64(&c, 1, &t->owner_org[i]) ||
              get_i32(&c, 2, &t->municipality[i]) || get_i32(&c, 3, &t->region[i]) ||
              get_f64(&c, 4, &t->lat[i]) || get_f64(&c, 5, &t->lon[i]) ||
              get_names(&c, 6, GROUP_NAMES, &groups) || get_readiness(&c, 7, &t->readiness[i]) ||
              get_f32(&c, 8, &t->loonwaarde[i]) || get_f32(&c, 9, &t->hours_min[i]) ||
              get_f32(&c, 10, &t->hours_max[i]) || get_names(&c, 11, MODE_NAMES, &modes) ||
              get_f32(&c, 12, &t->max_minutes[i]) || get_name(&c, 13, SCOPE_NAMES, &t->scope[i]) ||
              get_names(&c, 14, FLAG_NAMES, &t->flags[i]) || get_f32(&c, 15, &t->priority[i]) ||
              get_vector(&c, 16, &t->vectors[i * MAX_DIM], dim);
        t->groups[i] = (uint32_t)groups;
        t->modes[i] = (uint8_t)modes;
        t->n++;
    }
    fclose(c.f);
    return err || r < 0 ? -1 : 0;
}

static int read_vacancies(vacancies *t, const char *dir, uint32_t *dim) {
    char path[1024];
    csv_file c;
    if (open_csv(&c, dir, "vacancies.csv", path, sizeof path)) return -1;
    int r, err = 0;
    while (!err && (r = csv_next(&c, 16)) == 1) {
        size_t i = t->n;
        uint64_t groups = 0;
        uint32_t wdim = *dim;
        if (i == MAX_ROWS) { fprintf(stderr, "%s: more than %d rows\n", path, MAX_ROWS); err = 1; break; }
        err = get_i64(&c, 0, &t->id[i]) || get_i64(&c, 1, &t->employer_id[i]) ||
              get_i32(&c, 2, &t->municipality[i]) || get_i32(&c, 3, &t->region[i]) ||
              get_f64(&c, 4, &t->lat[i]) || get_f64(&c, 5, &t->lon[i]) || get_i32(&c, 6, &t->slots[i]) ||
              get_names(&c, 7, GROUP_NAMES, &groups) || get_f32(&c, 8, &t->min_loonwaarde[i]) ||
              get_readiness(&c, 9, &t->max_readiness[i]) || get_f32(&c, 10, &t->hours_min[i]) ||
              get_f32(&c, 11, &t->hours_max[i]) || get_names(&c, 12, FLAG_NAMES, &t->required_flags[i]) ||
              get_vector(&c, 14, &t->vectors[i * MAX_DIM], dim) ||
              get_vector(&c, 15, &t->weights[i * MAX_DIM], &wdim);
        t->accepted_groups[i] = (uint32_t)groups;
        snprintf(t->title[i], sizeof t->title[i], "%s", c.field[13]);
        t->n++;
    }
    fclose(c.f);
    return err || r < 0 ? -1 : 0;
}

/* The CSV rows were read MAX_DIM floats apart; libmatch wants n x dim, packed. */
static void pack(float *v, size_t n, uint32_t dim) {
    for (size_t i = 1; i < n; i++) memmove(&v[i * dim], &v[i * MAX_DIM], dim * sizeof *v);
}

/* ---- loading the pool ------------------------------------------------------ */

static int fail(const char *what, int status, const char *detail) {
    fprintf(stderr, "accountmanager: %s: %s%s%s\n", what, lm_strerror(status), detail && *detail ? ": " : "",
            detail ? detail : "");
    return 1;
}

/* From the CSV files: every column goes to libmatch as one array. */
static int load_csv(lm_pool **pool, const char *dir, candidates *c, vacancies *v) {
    uint32_t dim = 0;
    if (read_candidates(c, dir, &dim) || read_vacancies(v, dir, &dim)) return 1;
    pack(c->vectors, c->n, dim);
    pack(v->vectors, v->n, dim);
    pack(v->weights, v->n, dim);

    lm_candidate_cols cc = LM_CANDIDATE_COLS_INIT;
    cc.dim = dim;
    cc.id = c->id;
    cc.owner_org = c->owner_org;
    cc.municipality = c->municipality;
    cc.region = c->region;
    cc.lat = c->lat;
    cc.lon = c->lon;
    cc.groups = c->groups;
    cc.readiness = c->readiness;
    cc.loonwaarde = c->loonwaarde;
    cc.vectors = c->vectors;
    cc.flags = c->flags;
    cc.hours_min = c->hours_min;
    cc.hours_max = c->hours_max;
    cc.modes = c->modes;
    cc.max_minutes = c->max_minutes;
    cc.scope = c->scope;
    cc.priority = c->priority;

    lm_vacancy_cols vc = LM_VACANCY_COLS_INIT;
    vc.dim = dim;
    vc.id = v->id;
    vc.employer_id = v->employer_id;
    vc.municipality = v->municipality;
    vc.region = v->region;
    vc.lat = v->lat;
    vc.lon = v->lon;
    vc.vectors = v->vectors;
    vc.weights = v->weights;
    vc.required_flags = v->required_flags;
    vc.hours_min = v->hours_min;
    vc.hours_max = v->hours_max;
    vc.slots = v->slots;
    vc.accepted_groups = v->accepted_groups;
    vc.min_loonwaarde = v->min_loonwaarde;
    vc.max_readiness = v->max_readiness;

    int st;
    if ((st = lm_pool_create(pool, dim))) return fail("create pool", st, NULL);
    /* Each call is one atomic batch: a bad row changes nothing, and the
     * message names the row and its id. */
    if ((st = lm_pool_add_candidates(*pool, &cc, c->n))) return fail("add candidates", st, lm_pool_errmsg(*pool));
    if ((st = lm_pool_add_vacancies(*pool, &vc, v->n))) return fail("add vacancies", st, lm_pool_errmsg(*pool));
    return 0;
}

/* From PostgreSQL: the pool and the travel matrices, then close. */
static int load_db(lm_pool **pool, lm_travel **travel, const char *conninfo) {
    lm_db *db = NULL;
    uint32_t dim = 0;
    int64_t watermark = 0;
    int st = lm_db_open(&db, conninfo);
    if (st) {
        fail("connect", st, lm_db_errmsg(db)); /* the handle carries libpq's message */
        lm_db_close(db);
        return 1;
    }
    if ((st = lm_db_vector_dim(&dim, db)) || dim == 0) {
        fail("read the pool", st ? st : LM_ERR_STATE, st ? lm_db_errmsg(db) : "no live candidates or vacancies");
    } else if ((st = lm_pool_create(pool, dim))) {
        fail("create pool", st, NULL);
    } else if ((st = lm_db_load_pool(&watermark, db, *pool, 0))) {
        fail("load pool", st, lm_db_errmsg(db));
    } else if ((st = lm_travel_create(travel)) || (st = lm_db_load_travel(db, *travel))) {
        fail("load travel times", st, lm_db_errmsg(db));
    }
    lm_db_close(db);
    return st || dim == 0;
}

/* ---- output ---------------------------------------------------------------- */

/* Row of a vacancy in the CSV table, -1 if unknown (always with --db). */
static long vacancy_row(const vacancies *v, int64_t id) {
    for (size_t i = 0; i < v->n; i++)
        if (v->id[i] == id) return (long)i;
    return -1;
}

static void print_explanation(const lm_match *m, const lm_policy *policy) {
    static const struct { int32_t key; const char *name; } w[] = {
        {LM_POLICY_W_COMPETENCE, "competence"}, {LM_POLICY_W_TRAVEL, "travel"},
        {LM_POLICY_W_HOURS, "hours"},           {LM_POLICY_W_READINESS, "readiness"},
        {LM_POLICY_W_PRIORITY, "priority"}};
    const float value[] = {m->competence, m->travel, m->hours, m->readiness, m->priority};
    double weight[5], sum = 0;
    for (int i = 0; i < 5; i++) {
        lm_policy_get_f64(&weight[i], policy, w[i].key);
        sum += weight[i];
    }
    printf("Candidate %" PRId64 " (lives in %s) for vacancy %" PRId64 " (in %s): ", m->candidate_id,
           municipality_name(m->candidate_municipality), m->vacancy_id, municipality_name(m->vacancy_municipality));
    if (m->constraint == LM_CONSTRAINT_NONE) printf("score %.3f\n", m->score);
    else printf("excluded, %s\n", constraint_text(m->constraint));
    printf("  component   value  weight\n");
    for (int i = 0; i < 5; i++) {
        printf("  %-10s  %5.3f  %6.2f", w[i].name, value[i], weight[i] / sum); /* weights are normalised */
        if (w[i].key == LM_POLICY_W_TRAVEL && m->travel_mode >= 0)
            printf("  %.0f min one way by %s", m->travel_minutes, mode_name(m->travel_mode));
        else if (w[i].key == LM_POLICY_W_TRAVEL)
            printf("  no allowed travel mode reaches the vacancy");
        printf("\n");
    }
}

int main(int argc, char **argv) {
    const char *data_dir = "examples/data", *conninfo = NULL;
    long long vacancy = 0, explain = 0, org = 0, region = 0, municipality = 0, k = 5, why = 5;
    int have_vacancy = 0, have_org = 0, have_explain = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        long long n = val ? strtoll(val, &end, 10) : 0;
        int numeric = val && end != val && !*end;
        if (!strcmp(a, "--data") && val) data_dir = val;
        else if (!strcmp(a, "--db") && val) conninfo = val;
        else if (!strcmp(a, "--vacancy") && numeric) vacancy = n, have_vacancy = 1;
        else if (!strcmp(a, "--org") && numeric) org = n, have_org = 1;
        else if (!strcmp(a, "--region") && numeric) region = n;
        else if (!strcmp(a, "--municipality") && numeric) municipality = n;
        else if (!strcmp(a, "--k") && numeric && n >= 1 && n <= LM_MAX_K) k = n;
        else if (!strcmp(a, "--why") && numeric && n >= 0) why = n;
        else if (!strcmp(a, "--explain") && numeric) explain = n, have_explain = 1;
        else {
            fprintf(stderr, "usage: %s --vacancy ID --org ORG [--region R] [--municipality M] [--k N] [--why N]\n"
                            "       [--explain CANDIDATE] [--data DIR | --db CONNINFO]\n", argv[0]);
            return 2;
        }
        i++;
    }
    if (!have_vacancy || !have_org) {
        fprintf(stderr, "%s: --vacancy and --org are required (try --vacancy 5001 --org 400002 --region 2)\n",
                argv[0]);
        return 2;
    }

    int rc = 1, st;
    candidates *cand = calloc(1, sizeof *cand);
    vacancies *vac = calloc(1, sizeof *vac);
    lm_pool *pool = NULL;
    lm_travel *travel = NULL; /* NULL: the geometric estimate (docs/travel.md) */
    lm_snapshot *snap = NULL;
    lm_policy *policy = NULL;
    lm_engine *engine = NULL;
    lm_results *top = NULL;
    lm_match *rows = NULL;
    int64_t *ids = NULL;
    if (!cand || !vac) { fprintf(stderr, "accountmanager: out of memory\n"); goto out; }

    if (conninfo ? load_db(&pool, &travel, conninfo) : load_csv(&pool, data_dir, cand, vac)) goto out;

    /* Queries run on an immutable snapshot: updates may go on meanwhile. */
    if ((st = lm_pool_snapshot(&snap, pool))) { fail("snapshot", st, lm_pool_errmsg(pool)); goto out; }
    if ((st = lm_policy_create(&policy))) { fail("policy", st, NULL); goto out; }
    if ((st = lm_engine_create(&engine, policy, travel))) { fail("engine", st, NULL); goto out; }

    /* Who is asking decides whom they may see (the candidates' consent). */
    lm_viewer viewer = LM_VIEWER_INIT;
    viewer.org = org;
    viewer.region = (int32_t)region;
    viewer.municipality = (int32_t)municipality;

    if (have_explain) {
        lm_match m;
        st = lm_engine_explain(&m, sizeof m, engine, snap, &viewer, vacancy, explain);
        if (st == LM_ERR_UNKNOWN_ID) {
            /* Missing and not-visible look the same, so nobody can probe for people. */
            printf("Candidate %lld or vacancy %lld: unknown, or not visible to organisation %lld.\n", explain, vacancy,
                   org);
            rc = 0;
        } else if (st) {
            fail("explain", st, lm_engine_errmsg(engine));
        } else {
            print_explanation(&m, policy);
            rc = 0;
        }
        goto out;
    }

    /* 1. The ranked list, with every score component. */
    st = lm_engine_query_vacancy(&top, engine, snap, &viewer, vacancy, (uint32_t)k);
    if (st) { fail("query", st, lm_engine_errmsg(engine)); goto out; }
    size_t n = 0;
    lm_results_count(&n, top, LM_DIR_VACANCY);
    rows = calloc(n ? n : 1, sizeof *rows);
    if (!rows) { fprintf(stderr, "accountmanager: out of memory\n"); goto out; }
    lm_results_copy(rows, sizeof *rows, n, NULL, top, LM_DIR_VACANCY, 0);

    long row = vacancy_row(vac, vacancy);
    printf("Vacancy %lld", vacancy);
    if (row >= 0) printf(" \"%s\" in %s", vac->title[row], municipality_name(vac->municipality[row]));
    else if (n > 0) printf(" in %s", municipality_name(rows[0].vacancy_municipality));
    printf(", as seen by organisation %lld (region %lld)\n", org, region);
    printf("Best %zu candidate%s in the region:\n", n, n == 1 ? "" : "s");
    printf("  rank  candidate  lives in       score  competence  travel  hours  readiness  priority  by\n");
    for (size_t i = 0; i < n; i++) {
        const lm_match *m = &rows[i];
        printf("  %4" PRIu32 "  %9" PRId64 "  %-12.12s  %5.3f  %10.3f  %6.3f  %5.3f  %9.3f  %8.3f  %s %.0f min%s\n",
               m->rank, m->candidate_id, municipality_name(m->candidate_municipality), m->score, m->competence,
               m->travel, m->hours, m->readiness, m->priority, mode_name(m->travel_mode), m->travel_minutes,
               m->candidate_municipality != m->vacancy_municipality ? "  (other municipality)" : "");
    }

    /* 2. Why not the others? lm_engine_explain names the binding constraint:
     * the first hard filter (docs/scoring.md) that excludes the pair. */
    size_t total = 0;
    lm_snapshot_ids(NULL, 0, &total, snap, LM_SIDE_CANDIDATE); /* ask for the size first */
    ids = malloc((total ? total : 1) * sizeof *ids);
    if (!ids) { fprintf(stderr, "accountmanager: out of memory\n"); goto out; }
    if ((st = lm_snapshot_ids(ids, total, &total, snap, LM_SIDE_CANDIDATE))) { fail("ids", st, NULL); goto out; }
    size_t visible = 0, shown = 0, lower = 0, per_constraint[N_CONSTRAINTS];
    memset(per_constraint, 0, sizeof per_constraint);
    printf("Not proposed, with the binding constraint:\n");
    for (size_t i = 0; i < total; i++) {
        int listed = 0;
        for (size_t j = 0; j < n; j++) listed |= rows[j].candidate_id == ids[i];
        lm_match m;
        st = lm_engine_explain(&m, sizeof m, engine, snap, &viewer, vacancy, ids[i]);
        if (st == LM_ERR_UNKNOWN_ID) continue; /* not visible to this viewer */
        if (st) { fail("explain", st, lm_engine_errmsg(engine)); goto out; }
        visible++;
        if (listed) continue;
        if (m.constraint == LM_CONSTRAINT_NONE) { lower++; continue; }
        if (m.constraint > 0 && m.constraint < N_CONSTRAINTS) per_constraint[m.constraint]++;
        if (shown++ >= (size_t)why) continue;
        printf("  candidate %" PRId64 " (%s): %s", m.candidate_id, municipality_name(m.candidate_municipality),
               constraint_text(m.constraint));
        if (m.constraint == LM_CONSTRAINT_TRAVEL && m.travel_mode >= 0 && isfinite(m.travel_minutes))
            printf(" (best: %s, %.0f min one way)", mode_name(m.travel_mode), m.travel_minutes);
        printf("\n");
    }
    if (shown > (size_t)why) printf("  ... and %zu more\n", shown - (size_t)why);
    printf("Organisation %lld sees %zu of the %zu candidates in the pool: %zu listed, %zu feasible but ranked "
           "lower,\n%zu excluded", org, visible, total, n, lower, visible - n - lower);
    const char *sep = ": ";
    for (int32_t c = 1; c < N_CONSTRAINTS; c++) {
        if (!per_constraint[c]) continue;
        printf("%s%zu %s", sep, per_constraint[c], CONSTRAINTS[c].name);
        sep = ", ";
    }
    printf(".\n");
    rc = 0;
out:
    free(ids);
    free(rows);
    lm_results_free(top);
    lm_engine_free(engine);
    lm_policy_free(policy);
    lm_travel_free(travel); /* the engine kept its own reference */
    lm_snapshot_free(snap);
    lm_pool_free(pool);
    free(cand);
    free(vac);
    return rc;
}
