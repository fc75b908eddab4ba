/* Outcomes in PostgreSQL (schema version 3): the upgrade of a version 2
 * database with data, placements (start with the status change, end, bad
 * input refused by the API and by the database), lm_db_outcomes(), and the
 * effect figures of the SQL function effect_figures() on a fixed, hand-built
 * history: every number equals the value computed here independently (a
 * plain loop over the history's own arrays, plus hand-derived constants), and
 * no cell under the small-numbers threshold is shown. */
#include "pgtest.h"
#include "pg_sql.h"

#include <math.h>

TestSuite(pg_outcomes, .timeout = 180);

static int64_t q64(PGconn *c, const char *fmt, ...) {
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    return pt_i64(c, sql);
}

static void qexec(PGconn *c, const char *fmt, ...) {
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    pt_exec(c, sql);
}

/* A schema at version `upto`: the scripts as lm_db_init would run them. */
static void create_upto(PGconn *c, const char *schema, int upto) {
    char sql[256];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", schema);
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    pt_exec(c, sql);
    pt_exec(c, "BEGIN");
    for (int v = 1; v <= upto; v++) {
        const lm_pg_migration *m = &lm__pg_migrations[v - 1];
        cr_assert_eq(m->version, v);
        size_t cap = 1;
        for (const char *const *l = m->lines; *l; l++) cap += strlen(*l) * 2 + 64;
        char *out = calloc(cap, 1), *w = out;
        for (const char *const *l = m->lines; *l; l++)
            for (const char *p = *l; *p;) {
                if (!strncmp(p, ":\"schema\"", 9)) w += sprintf(w, "%s", schema), p += 9;
                else *w++ = *p++;
            }
        pt_exec(c, out);
        free(out);
    }
    pt_exec(c, "COMMIT");
}

static lm_db *open_schema(const char *schema) {
    lm_db *db = NULL;
    cr_assert_eq(lm_db_open(&db, NULL), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(lm_db_set_schema(db, schema), LM_OK);
    return db;
}

/* ---- the hand-built history ---------------------------------------------------------- */
#define D0 20000 /* 2024-10-04 */
#define FROM D0
#define TO (D0 + 60)
#define ASOF (D0 + 400)
#define NV 6

typedef struct hp {
    int64_t id, org;
    uint32_t groups;
    int ready;
    int32_t muni;
    bool deleted;
} hp;

typedef struct hr {
    int64_t pid, cand, vac;
    int32_t prop, intro, placed, end; /* -1: did not happen */
    int end_reason, lks, contract;
    float hours;
    const char *final; /* status when not placed */
} hr;

typedef struct hv {
    int64_t id;
    int32_t muni;
    int kind;
} hv;

static const hv V[NV] = {{501, 361, 0}, {502, 375, 1}, {503, 398, 2}, {504, 361, 5}, {505, 450, 0}, {506, 375, 3}};

typedef struct history {
    hp P[40];
    size_t np;
    hr R[120];
    size_t nr;
} history;

/* 32 persons in three municipalities, two organisations, several groups and
 * readiness categories; proposals in and out of the period, introductions,
 * placements across the 6- and 12-month marks, lks, cross-border and local.
 * Person 31 left the pool after a proposal; person 32 left without one (not
 * counted). */
static void build(history *H) {
    memset(H, 0, sizeof *H);
    for (int i = 0; i < 32; i++) {
        hp *p = &H->P[H->np++];
        p->id = 1001 + i;
        p->org = i < 15 ? 400001 : 400002;
        p->groups = i % 3 == 0 ? 1u : i % 3 == 1 ? (1u | 4u) : 2u;
        if (i % 7 == 0) p->groups |= 1u << 6; /* WW */
        p->ready = 1 + i % 5;
        p->muni = i < 12 ? 361 : i < 22 ? 375 : 398;
        p->deleted = i >= 30;
    }
    int64_t pid = 1;
    for (int i = 0; i < 31; i++) {
        const hp *p = &H->P[i];
        if (i % 6 == 5) continue; /* never proposed */
        hr r = {0};
        r.pid = pid++;
        r.cand = p->id;
        r.vac = V[i % NV].id;
        r.prop = D0 + i;
        r.intro = r.placed = r.end = -1;
        r.final = "proposed";
        if (i % 2 == 0) {
            r.intro = r.prop + 3;
            r.final = "introduced";
        }
        if (i % 4 == 0) {
            r.placed = r.prop + 10 + i; /* start */
            r.hours = (float)(16 + i % 5 * 4);
            r.contract = i % LM_CONTRACT_COUNT;
            r.lks = i % 8 == 0;
            if (i % 3 == 0) r.end = r.placed + 100, r.end_reason = LM_END_DISMISSED;      /* before 6 months */
            else if (i % 3 == 1) r.end = r.placed + 200, r.end_reason = LM_END_PERSON_LEFT; /* between 6 and 12 */
        }
        if (i % 4 == 2 && i % 2 == 0) r.final = "rejected";
        H->R[H->nr++] = r;
        /* a second proposal for every third person: another vacancy, later */
        if (i % 3 == 1) {
            hr s = {0};
            s.pid = pid++;
            s.cand = p->id;
            s.vac = V[(i + 2) % NV].id;
            s.prop = D0 + 20 + i;
            s.intro = s.placed = s.end = -1;
            s.final = "proposed";
            if (i % 9 == 1) { /* introduced and placed too: an earlier or later second placement */
                s.intro = s.prop + 1;
                s.placed = s.prop + 5;
                s.hours = 32;
                s.contract = LM_CONTRACT_GARANTIEBAAN;
                s.lks = 1;
            }
            H->R[H->nr++] = s;
        }
    }
    /* out of the period: before and after */
    hr a = {0};
    a.pid = pid++, a.cand = 1002, a.vac = 505, a.prop = D0 - 10, a.intro = D0 - 8, a.placed = D0 - 1, a.end = -1;
    a.lks = 1, a.final = "placed";
    H->R[H->nr++] = a;
    hr b = {0};
    b.pid = pid++, b.cand = 1004, b.vac = 501, b.prop = TO + 1, b.intro = b.placed = b.end = -1, b.final = "proposed";
    H->R[H->nr++] = b;
    /* a placement late in the period: not yet observable at 12 months */
    hr c = {0};
    c.pid = pid++, c.cand = 1010, c.vac = 503, c.prop = TO, c.intro = TO + 2, c.placed = ASOF - 300, c.end = -1;
    c.hours = 20, c.final = "placed";
    H->R[H->nr++] = c;
}

static const hp *person_of(const history *H, int64_t id) {
    for (size_t i = 0; i < H->np; i++)
        if (H->P[i].id == id) return &H->P[i];
    return NULL;
}

static const hv *vac_of(int64_t id) {
    for (int i = 0; i < NV; i++)
        if (V[i].id == id) return &V[i];
    return NULL;
}

static bool counted(const history *H, const hp *p) {
    if (!p->deleted) return true;
    for (size_t j = 0; j < H->nr; j++)
        if (H->R[j].cand == p->id) return true;
    return false;
}


/* The history into the schema: persons and vacancies by SQL, proposals by SQL
 * up to their introduction, placements and ends through the API. */
static void store(PGconn *c, lm_db *db, const char *s, const history *H) {
    for (size_t i = 0; i < H->np; i++) {
        const hp *p = &H->P[i];
        qexec(c, "INSERT INTO %s.candidates (id, owner_org, municipality, groups, readiness, vector, deleted) "
                 "VALUES (%lld, %lld, %d, %u, %d, '\\x3f800000'::bytea, %s)", s, (long long)p->id, (long long)p->org,
              p->muni, p->groups, p->ready, p->deleted ? "true" : "false");
    }
    for (int i = 0; i < NV; i++)
        qexec(c, "INSERT INTO %s.vacancies (id, employer_id, municipality, vector, kind) VALUES (%lld, 9, %d, "
                 "'\\x3f800000'::bytea, %d)", s, (long long)V[i].id, V[i].muni, V[i].kind);
    for (size_t j = 0; j < H->nr; j++) {
        const hr *r = &H->R[j];
        const char *st = r->placed >= 0 ? "introduced" : r->final;
        int32_t day = r->intro >= 0 ? r->intro : r->prop;
        if (!strcmp(st, "rejected")) day = r->intro + 5;
        qexec(c, "INSERT INTO %s.proposal_state (proposal_id, vacancy_id, candidate_id, owner_org, status, status_day, "
                 "proposed_day, introduced_day) OVERRIDING SYSTEM VALUE VALUES (%lld, %lld, %lld, %lld, '%s', "
                 "DATE '1970-01-01' + %d, DATE '1970-01-01' + %d, NULL)", s, (long long)r->pid, (long long)r->vac,
              (long long)r->cand, (long long)person_of(H, r->cand)->org, st, day, r->prop);
        if (r->intro >= 0 && strcmp(st, "introduced"))
            qexec(c, "UPDATE %s.proposal_state SET introduced_day = DATE '1970-01-01' + %d WHERE proposal_id = %lld", s,
                  r->intro, (long long)r->pid);
        if (r->placed < 0) continue;
        lm_status_change ch = LM_STATUS_CHANGE_INIT;
        ch.proposal_id = r->pid;
        ch.status = LM_PROPOSAL_PLACED;
        ch.by_org = 400001;
        ch.day = r->placed;
        lm_placement_start ps = LM_PLACEMENT_START_INIT;
        ps.start_day = r->placed;
        ps.hours = r->hours;
        ps.contract = r->contract;
        ps.lks = r->lks;
        cr_assert_eq(lm_db_place(db, &ch, &ps), LM_OK, "place %lld: %s", (long long)r->pid, lm_db_errmsg(db));
        if (r->end >= 0)
            cr_assert_eq(lm_db_placement_end(db, r->pid, r->end, r->end_reason), LM_OK, "end %lld: %s",
                         (long long)r->pid, lm_db_errmsg(db));
    }
}

/* ---- the figures, computed independently from the arrays ---------------------------------- */
static bool in_cell(const history *H, int dim, int64_t key, const hp *p, const hr *r) {
    const hv *v = r ? vac_of(r->vac) : NULL;
    switch (dim) {
    case LM_DIM_TOTAL: return true;
    case LM_DIM_GROUP: return (p->groups & (uint32_t)key) != 0;
    case LM_DIM_READINESS: return p->ready == key;
    case LM_DIM_HOME_MUNICIPALITY: return p->muni == key;
    case LM_DIM_ORG: return p->org == key;
    case LM_DIM_WORK_MUNICIPALITY: return v && v->muni == key;
    case LM_DIM_KIND: return v && v->kind == key;
    case LM_DIM_CROSS_BORDER: return v && (v->muni != p->muni) == key;
    case LM_DIM_FLOW: return v && (int64_t)p->muni * 100000 + v->muni == key;
    }
    (void)H;
    return false;
}

static bool person_dim(int dim) { return dim <= LM_DIM_HOME_MUNICIPALITY || dim == LM_DIM_ORG; }

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Figures of one cell (unsuppressed, NaN when undefined). */
static void ref_cell(const history *H, int dim, int64_t key, int32_t asof, double v[LM_FIG_COUNT]) {
    double people = 0, prop = 0, intro = 0, placed = 0, obs6 = 0, ret6 = 0, obs12 = 0, ret12 = 0, lks = 0;
    double days[64];
    int nd = 0;
    for (size_t i = 0; i < H->np; i++) {
        const hp *p = &H->P[i];
        if (!counted(H, p)) continue;
        if (person_dim(dim) && in_cell(H, dim, key, p, NULL)) people++;
        bool any = false, in = false;
        int32_t first = INT32_MAX;
        const hr *fp = NULL;
        for (size_t j = 0; j < H->nr; j++) {
            const hr *r = &H->R[j];
            if (r->cand != p->id || r->prop < FROM || r->prop > TO || !in_cell(H, dim, key, p, r)) continue;
            any = true;
            if (r->prop < first) first = r->prop;
            /* as known on asof: later events have not happened yet */
            if (r->intro >= 0 && r->intro <= asof) in = true;
            if (r->placed >= 0 && r->placed <= asof &&
                (!fp || r->placed < fp->placed || (r->placed == fp->placed && r->pid < fp->pid)))
                fp = r;
        }
        if (!any) continue;
        prop++;
        intro += in;
        if (!fp) continue;
        placed++;
        days[nd++] = fp->placed - first;
        lks += fp->lks;
        int32_t end = fp->end <= asof ? fp->end : -1;
        if (fp->placed + 182 <= asof) obs6++, ret6 += end < 0 || end > fp->placed + 182;
        if (fp->placed + 365 <= asof) obs12++, ret12 += end < 0 || end > fp->placed + 365;
    }
    qsort(days, (size_t)nd, sizeof *days, cmp_d);
    v[LM_FIG_PEOPLE] = person_dim(dim) ? people : NAN;
    v[LM_FIG_PROPOSED] = prop;
    v[LM_FIG_INTRODUCED] = intro;
    v[LM_FIG_PLACED] = placed;
    v[LM_FIG_PLACEMENT_RATE] = prop > 0 ? placed / prop : NAN;
    v[LM_FIG_MEDIAN_DAYS] = nd == 0 ? NAN : nd % 2 ? days[nd / 2] : (days[nd / 2 - 1] + days[nd / 2]) / 2;
    v[LM_FIG_OBSERVED_6M] = obs6;
    v[LM_FIG_RETAINED_6M] = obs6 > 0 ? ret6 / obs6 : NAN;
    v[LM_FIG_OBSERVED_12M] = obs12;
    v[LM_FIG_RETAINED_12M] = obs12 > 0 ? ret12 / obs12 : NAN;
    v[LM_FIG_LKS] = lks;
}

/* The small-numbers rule on one cell, as outcomes.h states it. */
static uint32_t ref_suppress(double v[LM_FIG_COUNT], int threshold) {
    static const int denom[LM_FIG_COUNT] = {-1, -1, -1, -1, LM_FIG_PROPOSED, LM_FIG_PLACED, -1, LM_FIG_OBSERVED_6M,
                                            -1, LM_FIG_OBSERVED_12M, -1};
    double raw[LM_FIG_COUNT];
    memcpy(raw, v, sizeof raw);
    uint32_t sup = 0;
    for (int f = 0; f < LM_FIG_COUNT; f++) {
        bool s = denom[f] < 0 ? raw[f] > 0 && raw[f] < threshold : raw[denom[f]] > 0 && raw[denom[f]] < threshold;
        if (s) sup |= 1u << f, v[f] = NAN;
    }
    return sup;
}

typedef struct cellkey {
    int dim;
    int64_t key;
} cellkey;

static int cmp_cell(const void *a, const void *b) {
    const cellkey *x = a, *y = b;
    if (x->dim != y->dim) return x->dim - y->dim;
    return (x->key > y->key) - (x->key < y->key);
}

/* Every cell with a person (person-side) or an in-period proposal (vacancy-side), ordered. */
static size_t ref_cells(const history *H, cellkey *out) {
    size_t n = 0;
    for (int dim = 0; dim < LM_DIM_COUNT; dim++) {
        size_t first = n;
        for (size_t i = 0; i < H->np; i++) {
            const hp *p = &H->P[i];
            if (!counted(H, p)) continue;
            int64_t keys[32];
            int nk = 0;
            if (dim == LM_DIM_TOTAL) keys[nk++] = 0;
            else if (dim == LM_DIM_GROUP) {
                for (int b = 0; b < 32; b++)
                    if (p->groups >> b & 1u) keys[nk++] = (int64_t)1 << b;
            } else if (dim == LM_DIM_READINESS) keys[nk++] = p->ready;
            else if (dim == LM_DIM_HOME_MUNICIPALITY) keys[nk++] = p->muni;
            else if (dim == LM_DIM_ORG) keys[nk++] = p->org;
            else
                for (size_t j = 0; j < H->nr; j++) {
                    const hr *r = &H->R[j];
                    if (r->cand != p->id || r->prop < FROM || r->prop > TO) continue;
                    const hv *v = vac_of(r->vac);
                    keys[nk++] = dim == LM_DIM_WORK_MUNICIPALITY ? v->muni : dim == LM_DIM_KIND ? v->kind
                               : dim == LM_DIM_CROSS_BORDER ? (v->muni != p->muni) : (int64_t)p->muni * 100000 + v->muni;
                }
            for (int k = 0; k < nk; k++) {
                bool seen = false;
                for (size_t m = first; m < n; m++) seen = seen || out[m].key == keys[k];
                if (!seen) out[n++] = (cellkey){dim, keys[k]};
            }
        }
    }
    qsort(out, n, sizeof *out, cmp_cell);
    return n;
}

static const char *const dim_names[LM_DIM_COUNT] = {"total", "group", "readiness", "home_municipality",
                                                   "work_municipality", "org", "kind", "cross_border", "flow"};

static bool same(double a, double b) { return (isnan(a) && isnan(b)) || fabs(a - b) <= 1e-9 * (1 + fabs(b)); }

static void assert_figures(lm_db *db, const history *H, int32_t asof, int threshold) {
    lm_effect_row *rows = NULL;
    size_t n = 0;
    cr_assert_eq(lm_db_effects(&rows, &n, db, FROM, TO, asof, threshold), LM_OK, "%s", lm_db_errmsg(db));
    cellkey cells[400];
    size_t nc = ref_cells(H, cells);
    cr_assert_eq(n, nc, "threshold %d: %zu rows from SQL, %zu cells expected", threshold, n, nc);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(rows[i].dim, cells[i].dim, "row %zu", i);
        cr_assert_eq(rows[i].key, cells[i].key, "row %zu (dim %d)", i, cells[i].dim);
        double v[LM_FIG_COUNT];
        ref_cell(H, cells[i].dim, cells[i].key, asof, v);
        uint32_t sup = ref_suppress(v, threshold);
        cr_assert_eq(rows[i].suppressed, sup, "threshold %d, %s %lld: suppressed %#x, expected %#x", threshold,
                     dim_names[cells[i].dim], (long long)cells[i].key,
                     rows[i].suppressed, sup);
        for (int f = 0; f < LM_FIG_COUNT; f++)
            cr_assert(same(rows[i].value[f], v[f]), "threshold %d, dim %d key %lld, figure %d: SQL %.17g, expected %.17g",
                      threshold, cells[i].dim, (long long)cells[i].key, f, rows[i].value[f], v[f]);
    }
    lm_db_effects_free(rows);
}

Test(pg_outcomes, effect_figures_on_a_hand_built_history) {
    PGconn *c = pt_conn();
    lm_db *db = pt_db("t_out_fig");
    history H;
    build(&H);
    store(c, db, "t_out_fig", &H);
    /* hand-derived: 31 persons counted (32 minus the one who left unproposed) */
    double v[LM_FIG_COUNT];
    ref_cell(&H, LM_DIM_TOTAL, 0, ASOF, v);
    cr_assert_eq(v[LM_FIG_PEOPLE], 31);
    /* proposed in the period: persons 0..30 except i % 6 == 5 (0-based 5, 11, 17, 23, 29) -> 26 */
    cr_assert_eq(v[LM_FIG_PROPOSED], 26);
    /* placed: i % 4 == 0 (0, 4, 8, 12, 16, 20, 24, 28) plus second placements of i % 9 == 1 and i % 3 == 1
     * (1, 10, 19, 28) -> 8 + 3 (28 already placed) = 11, plus person 9 (late placement c) = 12 */
    cr_assert_eq(v[LM_FIG_PLACED], 12);
    for (int t = 1; t <= 6; t++) assert_figures(db, &H, ASOF, t);
    /* taken earlier: placements, introductions and ends after that day have not happened yet */
    for (int t = 1; t <= 5; t += 4) {
        assert_figures(db, &H, TO, t);
        assert_figures(db, &H, TO + 120, t);
        assert_figures(db, &H, D0 + 250, t);
    }
    /* the database's own numbers, spot-checked by hand */
    cr_assert_eq(q64(c, "SELECT proposed::int FROM t_out_fig.effect_figures(DATE '1970-01-01' + %d, DATE '1970-01-01' "
                        "+ %d, DATE '1970-01-01' + %d, 1) WHERE dim = 0", FROM, TO, ASOF), 26);
    cr_assert_eq(q64(c, "SELECT placed::int FROM t_out_fig.effect_figures(DATE '1970-01-01' + %d, DATE '1970-01-01' "
                        "+ %d, DATE '1970-01-01' + %d, 1) WHERE dim = 0", FROM, TO, ASOF), 12);
    /* the period selects proposals: one day only (D0 + 4: person 4, placed) */
    lm_effect_row *rows = NULL;
    size_t n = 0;
    cr_assert_eq(lm_db_effects(&rows, &n, db, D0 + 4, D0 + 4, ASOF, 1), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(rows[0].dim, LM_DIM_TOTAL);
    cr_assert_eq(rows[0].value[LM_FIG_PROPOSED], 1);
    cr_assert_eq(rows[0].value[LM_FIG_PLACED], 1);
    cr_assert_eq(rows[0].value[LM_FIG_MEDIAN_DAYS], 14); /* start = proposal + 10 + 4 */
    lm_db_effects_free(rows);
    lm_db_close(db);
    PQfinish(c);
}

Test(pg_outcomes, small_numbers_rule) {
    PGconn *c = pt_conn();
    lm_db *db = pt_db("t_out_small");
    history H;
    build(&H);
    store(c, db, "t_out_small", &H);
    for (int t = 2; t <= 10; t += 4) {
        lm_effect_row *rows = NULL;
        size_t n = 0;
        cr_assert_eq(lm_db_effects(&rows, &n, db, FROM, TO, ASOF, t), LM_OK, "%s", lm_db_errmsg(db));
        size_t hidden = 0;
        for (size_t i = 0; i < n; i++) {
            const lm_effect_row *r = &rows[i];
            static const int counts[] = {LM_FIG_PEOPLE, LM_FIG_PROPOSED, LM_FIG_INTRODUCED, LM_FIG_PLACED,
                                         LM_FIG_OBSERVED_6M, LM_FIG_OBSERVED_12M, LM_FIG_LKS};
            for (size_t k = 0; k < sizeof counts / sizeof *counts; k++) {
                double x = r->value[counts[k]];
                cr_assert(isnan(x) || x == 0 || x >= t, "threshold %d: dim %d key %lld shows count %g", t, r->dim,
                          (long long)r->key, x);
            }
            /* a share is only shown over a denominator at or above the threshold */
            if (!isnan(r->value[LM_FIG_PLACEMENT_RATE])) cr_assert_geq(r->value[LM_FIG_PROPOSED], t);
            if (!isnan(r->value[LM_FIG_MEDIAN_DAYS])) cr_assert_geq(r->value[LM_FIG_PLACED], t);
            if (!isnan(r->value[LM_FIG_RETAINED_6M])) cr_assert_geq(r->value[LM_FIG_OBSERVED_6M], t);
            if (!isnan(r->value[LM_FIG_RETAINED_12M])) cr_assert_geq(r->value[LM_FIG_OBSERVED_12M], t);
            for (int f = 0; f < LM_FIG_COUNT; f++)
                if (r->suppressed >> f & 1u) {
                    cr_assert(isnan(r->value[f]));
                    hidden++;
                }
        }
        cr_assert_gt(hidden, 0, "threshold %d hides something in this history", t);
        lm_db_effects_free(rows);
    }
    /* the BI view: no count in 1..4 either (threshold 5), straight from SQL */
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_small.effect_figures(DATE '1970-01-01' + %d, DATE '1970-01-01' + "
                        "%d, DATE '1970-01-01' + %d) WHERE people BETWEEN 1 AND 4 OR proposed BETWEEN 1 AND 4 OR "
                        "introduced BETWEEN 1 AND 4 OR placed BETWEEN 1 AND 4 OR observed_6m BETWEEN 1 AND 4 OR "
                        "observed_12m BETWEEN 1 AND 4 OR lks BETWEEN 1 AND 4", FROM, TO, ASOF), 0);
    cr_assert_gt(q64(c, "SELECT count(*) FROM t_out_small.effects"), 0);
    lm_db_close(db);
    PQfinish(c);
}

Test(pg_outcomes, outcomes_read_back) {
    PGconn *c = pt_conn();
    lm_db *db = pt_db("t_out_read");
    history H;
    build(&H);
    store(c, db, "t_out_read", &H);
    lm_outcome_person *P = NULL;
    lm_outcome_record *R = NULL;
    size_t np = 0, nr = 0;
    cr_assert_eq(lm_db_outcomes(db, &P, &np, &R, &nr), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(np, 31);
    cr_assert_eq(nr, H.nr);
    for (size_t i = 0; i < np; i++) {
        const hp *p = person_of(&H, P[i].candidate_id);
        cr_assert(p && counted(&H, p));
        cr_assert_eq(P[i].struct_size, sizeof *P);
        cr_assert_eq(P[i].org, p->org);
        cr_assert_eq(P[i].groups, p->groups);
        cr_assert_eq(P[i].readiness, p->ready);
        cr_assert_eq(P[i].municipality, p->muni);
        if (i) cr_assert_lt(P[i - 1].candidate_id, P[i].candidate_id);
    }
    for (size_t j = 0; j < nr; j++) {
        const hr *h = &H.R[j];
        const lm_outcome_record *r = &R[j];
        cr_assert_eq(r->proposal_id, h->pid);
        cr_assert_eq(r->candidate_id, h->cand);
        cr_assert_eq(r->vacancy_id, h->vac);
        cr_assert_eq(r->work_municipality, vac_of(h->vac)->muni);
        cr_assert_eq(r->vacancy_kind, vac_of(h->vac)->kind);
        cr_assert_eq(r->proposed_day, h->prop);
        cr_assert_eq(r->introduced_day, h->intro, "proposal %lld", (long long)h->pid);
        cr_assert_eq(r->placed_day, h->placed, "proposal %lld", (long long)h->pid);
        cr_assert_eq(r->end_day, h->end);
        cr_assert_eq(r->end_reason, h->end >= 0 ? h->end_reason : LM_END_NONE);
        cr_assert_eq(r->lks, h->placed >= 0 ? h->lks : 0);
        cr_assert_eq(r->contract, h->placed >= 0 ? h->contract : 0);
        cr_assert_eq(r->hours, h->placed >= 0 ? h->hours : 0.f);
    }
    lm_db_outcomes_free(P, R);
    /* bad input */
    cr_assert_eq(lm_db_outcomes(NULL, &P, &np, &R, &nr), LM_ERR_NULL);
    cr_assert_eq(lm_db_outcomes(db, NULL, &np, &R, &nr), LM_ERR_NULL);
    cr_assert_eq(lm_db_outcomes(db, &P, &np, &R, NULL), LM_ERR_NULL);
    lm_effect_row *rows = NULL;
    size_t n = 0;
    cr_assert_eq(lm_db_effects(&rows, &n, db, -1, 5, 6, 5), LM_ERR_RANGE);
    cr_assert_eq(lm_db_effects(&rows, &n, db, 6, 5, 6, 5), LM_ERR_RANGE);
    cr_assert_eq(lm_db_effects(&rows, &n, db, 5, 6, 5, 5), LM_ERR_RANGE);
    cr_assert_eq(lm_db_effects(&rows, &n, db, 5, 6, 7, 0), LM_ERR_RANGE);
    cr_assert_eq(lm_db_effects(&rows, &n, db, 5, 6, 7, 1001), LM_ERR_RANGE);
    cr_assert_eq(lm_db_effects(NULL, &n, db, 5, 6, 7, 5), LM_ERR_NULL);
    cr_assert_null(rows);
    lm_db_effects_free(NULL);
    lm_db_outcomes_free(NULL, NULL);
    /* the database refuses the same bad values */
    PGresult *bad = PQexec(c, "SELECT * FROM t_out_read.effect_figures('2025-01-02', '2025-01-01', '2025-01-03')");
    cr_assert_eq(PQresultStatus(bad), PGRES_FATAL_ERROR);
    PQclear(bad);
    lm_db_close(db);
    PQfinish(c);
}

/* ---- the database and the library agree ------------------------------------------------ */
static void assert_sql_equals_library(lm_db *db, int32_t from, int32_t to, int32_t asof, int threshold) {
    lm_outcome_person *P = NULL;
    lm_outcome_record *R = NULL;
    size_t np = 0, nr = 0;
    cr_assert_eq(lm_db_outcomes(db, &P, &np, &R, &nr), LM_OK, "%s", lm_db_errmsg(db));
    lm_effects *fx = NULL;
    int st = lm_effects_compute(&fx, P, np, R, nr, from, to, asof, threshold);
    cr_assert_eq(st, LM_OK, "lm_effects_compute on lm_db_outcomes(): %d", st);
    lm_effect_row *rows = NULL;
    size_t n = 0;
    cr_assert_eq(lm_db_effects(&rows, &n, db, from, to, asof, threshold), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(n, lm_effects_count(fx), "rows: SQL %zu, library %zu", n, lm_effects_count(fx));
    for (size_t i = 0; i < n; i++) {
        const lm_effect_row *a = &rows[i], *b = lm_effects_row(fx, i);
        cr_assert(a->dim == b->dim && a->key == b->key, "row %zu: SQL (%d, %lld), library (%d, %lld)", i, a->dim,
                  (long long)a->key, b->dim, (long long)b->key);
        cr_assert_eq(a->suppressed, b->suppressed, "dim %d key %lld: suppressed SQL %#x, library %#x", a->dim,
                     (long long)a->key, a->suppressed, b->suppressed);
        for (int f = 0; f < LM_FIG_COUNT; f++)
            cr_assert(same(a->value[f], b->value[f]), "dim %d key %lld figure %s: SQL %.17g, library %.17g", a->dim,
                      (long long)a->key, lm_effect_fig_name(f), a->value[f], b->value[f]);
    }
    lm_db_effects_free(rows);
    lm_effects_free(fx);
    lm_db_outcomes_free(P, R);
}

Test(pg_outcomes, sql_equals_lm_effects_compute) {
    PGconn *c = pt_conn();
    lm_db *db = pt_db("t_out_eq");
    history H;
    build(&H);
    store(c, db, "t_out_eq", &H);
    for (int t = 1; t <= 7; t += 2) {
        assert_sql_equals_library(db, FROM, TO, ASOF, t);
        assert_sql_equals_library(db, FROM, TO, TO + 100, t);
        assert_sql_equals_library(db, D0 - 30, TO + 30, TO + 30, t);
        assert_sql_equals_library(db, D0 + 10, D0 + 20, D0 + 700, t);
    }
    lm_db_close(db);
    PQfinish(c);
}

/* The same on a pool written by real runs, with status changes and placements
 * through the API on many proposals. */
Test(pg_outcomes, sql_equals_library_after_runs) {
    PGconn *c = pt_conn();
    lm_db *db = pt_db("t_out_runs");
    tu_data d;
    tu_generate(&d, 13, 400, 150, 8, 0.9);
    for (size_t j = 0; j < d.nv; j++) d.v_kind[j] = (uint8_t)(j % LM_KIND_COUNT); /* every kind of place */
    pt_seed(db, &d);
    lm_pool *pool = pt_load(db, d.dim, NULL);
    lm_snapshot *snap = NULL;
    lm_engine *eng = NULL;
    lm_results *res = NULL;
    lm_assignment *asg = NULL;
    cr_assert_eq(lm_pool_snapshot(&snap, pool), LM_OK);
    cr_assert_eq(lm_engine_create(&eng, NULL, NULL), LM_OK);
    lm_viewer v = LM_VIEWER_INIT;
    v.org = 1;
    cr_assert_eq(lm_engine_batch(&res, eng, snap, &v, NULL), LM_OK, "%s", lm_engine_errmsg(eng));
    cr_assert_eq(lm_engine_assign(&asg, eng, res, NULL), LM_OK, "%s", lm_engine_errmsg(eng));
    int64_t run = 0;
    cr_assert_eq(lm_db_write_run(&run, db, res, asg, NULL), LM_OK, "%s", lm_db_errmsg(db));
    /* the kind of place travels with every result, proposal and proposal_state row */
    cr_assert_gt(q64(c, "SELECT count(DISTINCT kind) FROM t_out_runs.vacancies"), 3);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_runs.match_results r JOIN t_out_runs.vacancies v ON v.id = "
                        "r.vacancy_id WHERE r.kind <> v.kind"), 0);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_runs.proposals p JOIN t_out_runs.vacancies v ON v.id = "
                        "p.vacancy_id WHERE p.kind <> v.kind"), 0);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_runs.proposal_state s JOIN t_out_runs.vacancies v ON v.id = "
                        "s.vacancy_id WHERE s.kind IS DISTINCT FROM v.kind"), 0);
    cr_assert_gt(q64(c, "SELECT count(DISTINCT kind) FROM t_out_runs.proposals"), 1);
    int64_t day0 = q64(c, "SELECT min(proposed_day) - DATE '1970-01-01' FROM t_out_runs.proposal_state");
    int64_t np = q64(c, "SELECT count(*) FROM t_out_runs.proposal_state");
    cr_assert_gt(np, 40);
    PGresult *r = PQexec(c, "SELECT proposal_id FROM t_out_runs.proposal_state ORDER BY proposal_id");
    for (int i = 0; i < PQntuples(r); i++) {
        int64_t pid = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        if (i % 3 == 2) continue;
        lm_status_change ch = LM_STATUS_CHANGE_INIT;
        ch.proposal_id = pid;
        ch.status = LM_PROPOSAL_INTRODUCED;
        ch.by_org = 7;
        ch.day = (int32_t)day0 + 2 + i % 5;
        cr_assert_eq(lm_db_set_status(db, &ch), LM_OK, "%s", lm_db_errmsg(db));
        if (i % 3 != 0) continue;
        ch.status = LM_PROPOSAL_PLACED;
        ch.day = (int32_t)day0 + 10 + i % 40;
        lm_placement_start ps = LM_PLACEMENT_START_INIT; /* start: the change's day */
        ps.lks = i % 2;
        ps.hours = 24;
        ps.contract = i % LM_CONTRACT_COUNT;
        if (i % 9 == 0) cr_assert_eq(lm_db_set_status(db, &ch), LM_OK, "%s", lm_db_errmsg(db)); /* 1.1 style */
        else cr_assert_eq(lm_db_place(db, &ch, &ps), LM_OK, "%s", lm_db_errmsg(db));
        if (i % 4 == 0)
            cr_assert_eq(lm_db_placement_end(db, pid, ch.day + 30 + 17 * (i % 23), 1 + i % 5), LM_OK, "%s",
                         lm_db_errmsg(db));
    }
    PQclear(r);
    int32_t d0 = (int32_t)day0;
    for (int t = 1; t <= 5; t += 4) {
        assert_sql_equals_library(db, d0, d0, d0 + 500, t);
        assert_sql_equals_library(db, d0, d0 + 10, d0 + 200, t);
        assert_sql_equals_library(db, d0, d0, d0 + 20, t);
    }
    lm_assignment_free(asg);
    lm_results_free(res);
    lm_engine_free(eng);
    lm_snapshot_free(snap);
    lm_pool_free(pool);
    tu_free(&d);
    lm_db_close(db);
    PQfinish(c);
}

/* ---- placements: the API and the database refuse bad values ------------------------------ */
Test(pg_outcomes, placements_bad_input) {
    PGconn *c = pt_conn();
    lm_db *db = pt_db("t_out_bad");
    history H;
    build(&H);
    store(c, db, "t_out_bad", &H);
    /* proposal 2 (person 1) is proposed: introduce it, then try to place it badly */
    int64_t pid = q64(c, "SELECT min(proposal_id) FROM t_out_bad.proposal_state WHERE status = 'proposed'");
    int32_t prop = (int32_t)q64(c, "SELECT proposed_day - DATE '1970-01-01' FROM t_out_bad.proposal_state WHERE "
                                   "proposal_id = %lld", (long long)pid);
    lm_status_change ch = LM_STATUS_CHANGE_INIT;
    ch.proposal_id = pid;
    ch.status = LM_PROPOSAL_INTRODUCED;
    ch.day = prop + 1;
    cr_assert_eq(lm_db_set_status(db, &ch), LM_OK, "%s", lm_db_errmsg(db));
    int64_t before = q64(c, "SELECT count(*) FROM t_out_bad.placements"),
            ver = q64(c, "SELECT version FROM t_out_bad.proposal_state WHERE proposal_id = %lld", (long long)pid);
    ch.status = LM_PROPOSAL_PLACED;
    ch.day = prop + 5;
    lm_placement_start ps = LM_PLACEMENT_START_INIT;
    cr_assert_eq(lm_db_place(NULL, &ch, &ps), LM_ERR_NULL);
    cr_assert_eq(lm_db_place(db, NULL, &ps), LM_ERR_NULL);
    lm_placement_start b = ps;
    b.struct_size = 4;
    cr_assert_eq(lm_db_place(db, &ch, &b), LM_ERR_INVALID);
    b = ps, b.hours = NAN;
    cr_assert_eq(lm_db_place(db, &ch, &b), LM_ERR_RANGE);
    b = ps, b.hours = 81;
    cr_assert_eq(lm_db_place(db, &ch, &b), LM_ERR_RANGE);
    b = ps, b.hours = -1;
    cr_assert_eq(lm_db_place(db, &ch, &b), LM_ERR_RANGE);
    b = ps, b.contract = LM_CONTRACT_COUNT;
    cr_assert_eq(lm_db_place(db, &ch, &b), LM_ERR_RANGE);
    b = ps, b.lks = 2;
    cr_assert_eq(lm_db_place(db, &ch, &b), LM_ERR_RANGE);
    b = ps, b.start_day = -1;
    cr_assert_eq(lm_db_place(db, &ch, &b), LM_ERR_RANGE);
    b = ps, b.start_day = prop - 1; /* before the proposal */
    cr_assert_eq(lm_db_place(db, &ch, &b), LM_ERR_RANGE);
    cr_assert(strstr(lm_db_errmsg(db), "before the proposal"), "%s", lm_db_errmsg(db));
    lm_status_change bc = ch;
    bc.status = LM_PROPOSAL_REJECTED;
    cr_assert_eq(lm_db_place(db, &bc, &ps), LM_ERR_RANGE, "status must be placed");
    bc = ch, bc.proposal_id = 999999;
    cr_assert_eq(lm_db_place(db, &bc, &ps), LM_ERR_UNKNOWN_ID);
    bc = ch, bc.expected_version = ver + 5;
    cr_assert_eq(lm_db_place(db, &bc, &ps), LM_ERR_CONFLICT);
    /* nothing changed */
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_bad.placements"), before);
    cr_assert_eq(q64(c, "SELECT version FROM t_out_bad.proposal_state WHERE proposal_id = %lld", (long long)pid), ver);
    /* a good placement; placing again is a lifecycle error */
    ps.hours = 32;
    ps.contract = LM_CONTRACT_BESCHUT;
    ps.lks = 1;
    cr_assert_eq(lm_db_place(db, &ch, &ps), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_bad.placements WHERE proposal_id = %lld AND start_date = DATE "
                        "'1970-01-01' + %d AND hours = 32 AND contract = 'beschut' AND lks AND end_date IS NULL",
                     (long long)pid, prop + 5), 1, "start = the change's day");
    cr_assert_eq(lm_db_place(db, &ch, &ps), LM_ERR_STATE);
    /* ends */
    cr_assert_eq(lm_db_placement_end(NULL, pid, prop + 50, LM_END_MOVED), LM_ERR_NULL);
    cr_assert_eq(lm_db_placement_end(db, 0, prop + 50, LM_END_MOVED), LM_ERR_RANGE);
    cr_assert_eq(lm_db_placement_end(db, pid, -1, LM_END_MOVED), LM_ERR_RANGE);
    cr_assert_eq(lm_db_placement_end(db, pid, prop + 50, LM_END_NONE), LM_ERR_RANGE);
    cr_assert_eq(lm_db_placement_end(db, pid, prop + 50, LM_END_REASON_COUNT), LM_ERR_RANGE);
    cr_assert_eq(lm_db_placement_end(db, pid, prop + 4, LM_END_MOVED), LM_ERR_RANGE, "before the start");
    cr_assert_eq(lm_db_placement_end(db, 999999, prop + 50, LM_END_MOVED), LM_ERR_UNKNOWN_ID);
    int64_t open_pid = q64(c, "SELECT min(proposal_id) FROM t_out_bad.proposal_state WHERE status = 'proposed'");
    cr_assert_eq(lm_db_placement_end(db, open_pid, prop + 50, LM_END_MOVED), LM_ERR_STATE, "not placed");
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_bad.placements WHERE end_date IS NOT NULL AND proposal_id = %lld",
                     (long long)pid), 0);
    cr_assert_eq(lm_db_placement_end(db, pid, prop + 50, LM_END_MOVED), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_bad.placements WHERE proposal_id = %lld AND end_reason = 'moved' "
                        "AND end_date = DATE '1970-01-01' + %d", (long long)pid, prop + 50), 1);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_bad.access_log WHERE action = 'placement_end' AND proposal_id = %lld",
                     (long long)pid), 1);
    cr_assert_eq(lm_db_placement_end(db, pid, prop + 60, LM_END_MOVED), LM_ERR_STATE, "already ended");
    /* the database refuses bad values by itself */
    static const char *const bad[] = {
        "UPDATE t_out_bad.placements SET hours = 100",
        "UPDATE t_out_bad.placements SET hours = -1",
        "UPDATE t_out_bad.placements SET contract = 'freelance'",
        "UPDATE t_out_bad.placements SET end_reason = 'bored'",
        "UPDATE t_out_bad.placements SET end_reason = 'none'",                       /* end date without reason */
        "UPDATE t_out_bad.placements SET end_date = start_date - 1",                  /* end before start */
        "UPDATE t_out_bad.placements SET start_date = DATE '1970-01-02'",             /* before the proposal */
        "INSERT INTO t_out_bad.placements (proposal_id, start_date) SELECT min(proposal_id), DATE '2030-01-01' "
        "FROM t_out_bad.proposal_state WHERE status = 'proposed'",                    /* not placed */
        "UPDATE t_out_bad.vacancies SET kind = 6",
        "UPDATE t_out_bad.vacancies SET kind = -1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        PGresult *r = PQexec(c, bad[i]);
        cr_assert_eq(PQresultStatus(r), PGRES_FATAL_ERROR, "accepted: %s", bad[i]);
        PQclear(r);
    }
    lm_db_close(db);
    PQfinish(c);
}

/* ---- upgrade from version 2 with data ------------------------------------------------------- */
Test(pg_outcomes, upgrade_v2_with_data_to_v3) {
    PGconn *c = pt_conn();
    create_upto(c, "t_out_up", 2);
    lm_db *db = open_schema("t_out_up");
    int32_t v = 0;
    cr_assert_eq(lm_db_schema_version(&v, db), LM_OK);
    cr_assert_eq(v, 2);
    tu_data d;
    tu_generate(&d, 7, 300, 120, 8, 0.9);
    pt_seed_old(db, &d);
    lm_pool *pool = pt_load(db, d.dim, NULL);
    lm_snapshot *snap = NULL;
    lm_engine *eng = NULL;
    lm_results *res = NULL;
    lm_assignment *asg = NULL;
    cr_assert_eq(lm_pool_snapshot(&snap, pool), LM_OK);
    cr_assert_eq(lm_engine_create(&eng, NULL, NULL), LM_OK);
    lm_viewer vw = LM_VIEWER_INIT;
    vw.org = 1;
    cr_assert_eq(lm_engine_batch(&res, eng, snap, &vw, NULL), LM_OK);
    cr_assert_eq(lm_engine_assign(&asg, eng, res, NULL), LM_OK);
    int64_t run1 = 0;
    cr_assert_eq(lm_db_write_run(&run1, db, res, asg, NULL), LM_OK, "%s", lm_db_errmsg(db));
    /* v2 lifecycle: one introduced, one placed (1.1 style), one rejected after an introduction */
    int64_t p1 = q64(c, "SELECT min(proposal_id) FROM t_out_up.proposal_state");
    int64_t today = q64(c, "SELECT current_date - DATE '1970-01-01'");
    lm_status_change ch = LM_STATUS_CHANGE_INIT;
    for (int k = 0; k < 3; k++) {
        ch.proposal_id = p1 + k;
        ch.status = LM_PROPOSAL_INTRODUCED;
        cr_assert_eq(lm_db_set_status(db, &ch), LM_OK, "%s", lm_db_errmsg(db));
    }
    ch.proposal_id = p1 + 1, ch.status = LM_PROPOSAL_PLACED;
    cr_assert_eq(lm_db_set_status(db, &ch), LM_OK, "%s", lm_db_errmsg(db));
    ch.proposal_id = p1 + 2, ch.status = LM_PROPOSAL_REJECTED, ch.reason = LM_REASON_SKILLS;
    cr_assert_eq(lm_db_set_status(db, &ch), LM_OK, "%s", lm_db_errmsg(db));
    /* v3 calls refuse a v2 schema, naming the upgrade */
    lm_outcome_person *P = NULL;
    lm_outcome_record *R = NULL;
    size_t np = 0, nr = 0;
    cr_assert_eq(lm_db_outcomes(db, &P, &np, &R, &nr), LM_ERR_STATE);
    cr_assert(strstr(lm_db_errmsg(db), "version 2"), "%s", lm_db_errmsg(db));
    lm_effect_row *rows = NULL;
    size_t n = 0;
    cr_assert_eq(lm_db_effects(&rows, &n, db, 0, (int32_t)today, (int32_t)today, 5), LM_ERR_STATE);
    cr_assert_eq(lm_db_placement_end(db, p1 + 1, 0, LM_END_MOVED), LM_ERR_STATE);
    ch.proposal_id = p1, ch.status = LM_PROPOSAL_PLACED, ch.reason = 0;
    cr_assert_eq(lm_db_place(db, &ch, NULL), LM_ERR_STATE);
    int64_t nstate = q64(c, "SELECT count(*) FROM t_out_up.proposal_state"),
            nprop = q64(c, "SELECT count(*) FROM t_out_up.proposals"),
            nres = q64(c, "SELECT count(*) FROM t_out_up.match_results");
    int64_t n63 = q64(c, "SELECT count(*) FROM t_out_up.vacancies WHERE accepted_groups = 63");
    cr_assert_gt(n63, 0);
    /* upgrade */
    cr_assert_eq(lm_db_init(db), LM_OK, "upgrade: %s", lm_db_errmsg(db));
    cr_assert_eq(lm_db_schema_version(&v, db), LM_OK);
    cr_assert_eq(v, 3);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_up.proposal_state"), nstate);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_up.proposals"), nprop);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_up.match_results"), nres);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_up.candidates WHERE needs = 0"), 300);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_up.vacancies WHERE offers = 0 AND kind = 0"), 120);
    /* 63 meant "open to every group" before version 3: now NULL */
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_up.vacancies WHERE accepted_groups = 63"), 0);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_up.vacancies WHERE accepted_groups IS NULL"), n63);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_up.proposal_state WHERE proposed_day IS NULL"), 0);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_up.proposal_state WHERE introduced_day IS NOT NULL"), 3,
                 "introduced, placed and rejected-after-introduction carry their introduction");
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_up.outcome_records WHERE placed_day IS NOT NULL"), 1);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_up.placements"), 0);
    cr_assert_eq(lm_db_init(db), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_up.schema_version"), 3);
    /* v3 works on the upgraded data: place, end the 1.1-style placement, read and compare */
    cr_assert_eq(lm_db_place(db, &ch, NULL), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(lm_db_placement_end(db, p1 + 1, (int32_t)today, LM_END_CONTRACT_ENDED), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_up.placements"), 2);
    cr_assert_eq(lm_db_outcomes(db, &P, &np, &R, &nr), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(np, 300);
    cr_assert_eq((int64_t)nr, nstate);
    lm_db_outcomes_free(P, R);
    assert_sql_equals_library(db, 0, (int32_t)today, (int32_t)today, 1);
    /* a run written after the upgrade: new proposals get their day and kind */
    int64_t run2 = 0;
    cr_assert_eq(lm_db_write_run(&run2, db, res, asg, NULL), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_up.proposals WHERE run_id = %lld AND proposal_id IS NULL",
                     (long long)run2), 0);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_up.proposal_state WHERE kind IS NULL AND first_run_id = %lld",
                     (long long)run2), 0);
    lm_assignment_free(asg);
    lm_results_free(res);
    lm_engine_free(eng);
    lm_snapshot_free(snap);
    lm_pool_free(pool);
    tu_free(&d);
    lm_db_close(db);
    PQfinish(c);
}

/* ---- the 1.2 pool columns: written and read back; an older schema refuses them ------------- */
Test(pg_outcomes, needs_offers_kind_columns) {
    PGconn *c = pt_conn();
    lm_db *db = pt_db("t_out_cols");
    tu_data d;
    tu_generate(&d, 21, 50, 30, 4, 0.9);
    uint64_t needs[50], offers[30];
    uint8_t kind[30];
    for (int i = 0; i < 50; i++) needs[i] = i % 4 == 0 ? LM_NEED_JOB_COACH | (i % 8 == 0 ? (uint64_t)1 << 40 : 0) : 0;
    for (int j = 0; j < 30; j++) offers[j] = j % 2 ? LM_NEED_JOB_COACH | LM_NEED_ACCESSIBLE : 0, kind[j] = (uint8_t)(j % 6);
    lm_candidate_cols cc = tu_ccols(&d, 0);
    lm_vacancy_cols vc = tu_vcols(&d, 0);
    cc.needs = needs;
    vc.offers = offers;
    vc.kind = kind;
    cr_assert_eq(lm_db_write_candidates(db, &cc, 50), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(lm_db_write_vacancies(db, &vc, 30), LM_OK, "%s", lm_db_errmsg(db));
    for (int i = 0; i < 50; i++)
        cr_assert_eq((uint64_t)q64(c, "SELECT needs FROM t_out_cols.candidates WHERE id = %lld", (long long)d.c_id[i]),
                     needs[i]);
    for (int j = 0; j < 30; j++) {
        cr_assert_eq((uint64_t)q64(c, "SELECT offers FROM t_out_cols.vacancies WHERE id = %lld", (long long)d.v_id[j]),
                     offers[j]);
        cr_assert_eq(q64(c, "SELECT kind FROM t_out_cols.vacancies WHERE id = %lld", (long long)d.v_id[j]), kind[j]);
    }
    /* the load gives the pool the same columns as a direct add */
    lm_pool *direct = NULL;
    cr_assert_eq(lm_pool_create(&direct, d.dim), LM_OK);
    cr_assert_eq(lm_pool_add_candidates(direct, &cc, 50), LM_OK);
    cr_assert_eq(lm_pool_add_vacancies(direct, &vc, 30), LM_OK);
    lm_pool *loaded = pt_load(db, d.dim, NULL);
    pt_assert_pools_equal(loaded, direct, "needs/offers/kind through the database");
    lm_pool_free(loaded);
    lm_pool_free(direct);
    /* a 1.1-sized struct (no 1.2 columns) still writes, with the defaults */
    lm_candidate_cols old = tu_ccols(&d, 0);
    old.struct_size = offsetof(lm_candidate_cols, needs);
    cr_assert_eq(lm_db_write_candidates(db, &old, 50), LM_OK, "%s", lm_db_errmsg(db));
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_cols.candidates WHERE needs <> 0"), 0);
    old.struct_size = offsetof(lm_candidate_cols, needs) - 1;
    cr_assert_eq(lm_db_write_candidates(db, &old, 50), LM_ERR_INVALID);
    lm_db_close(db);
    /* a version 2 schema: loads and writes without the columns, refuses rows that use them */
    create_upto(c, "t_out_cols2", 2);
    db = open_schema("t_out_cols2");
    cr_assert_eq(lm_db_write_candidates(db, &cc, 50), LM_ERR_STATE);
    cr_assert(strstr(lm_db_errmsg(db), "version 3"), "%s", lm_db_errmsg(db));
    cr_assert_eq(lm_db_write_vacancies(db, &vc, 30), LM_ERR_STATE);
    cr_assert_eq(q64(c, "SELECT count(*) FROM t_out_cols2.candidates"), 0);
    pt_seed_old(db, &d);
    lm_pool *p2 = pt_load(db, d.dim, NULL);
    lm_pool_free(p2);
    tu_free(&d);
    lm_db_close(db);
    PQfinish(c);
}
