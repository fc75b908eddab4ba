/* Outcomes: names of contracts, end reasons, dims and figures, and the effect
 * figures computed from plain person and proposal records (outcomes.h,
 * docs/outcomes.md).
 *
 * How the figures are computed: every proposal in the period is reduced to a
 * compact record (events after as_of are treated as not happened yet). Per
 * dimension, each (cell, person) pair is folded into one entry: first
 * proposal day, introduced?, first placement (lowest placed day, then lowest
 * proposal id) with its end day and lks. Person-side cells take the person's
 * entry over all their proposals; vacancy-side cells fold only the proposals
 * that fall in the cell (tuples sorted by cell, then person). Entries sorted
 * by cell key are then counted run by run. Sorting dominates: O((P + R) log). */
#include "internal.h"

#include <stdlib.h>
#include <strings.h>

/* ---- names ---------------------------------------------------------------- */
static const char *const contract_names[LM_CONTRACT_COUNT] = {"regular",     "garantiebaan",      "beschut",
                                                              "detachering", "werkervaringsplek", "other"};
static const char *const end_names[LM_END_REASON_COUNT] = {"none",        "contract_ended", "dismissed",
                                                           "person_left", "moved",          "other"};
static const char *const dim_names[LM_DIM_COUNT] = {"total", "group",        "readiness",
                                                    "home_municipality", "work_municipality", "org",
                                                    "kind",  "cross_border", "flow"};
static const char *const fig_names[LM_FIG_COUNT] = {"people",       "proposed",    "introduced",   "placed",
                                                    "placement_rate", "median_days", "observed_6m", "retained_6m",
                                                    "observed_12m", "retained_12m", "lks"};

static const char *name_of(int32_t v, const char *const *names, int n) { return v >= 0 && v < n ? names[v] : NULL; }
static int parse_of(int32_t *out, const char *name, const char *const *names, int n) {
    if (!out || !name) return LM_ERR_NULL;
    for (int i = 0; i < n; i++)
        if (!strcasecmp(name, names[i])) {
            *out = i;
            return LM_OK;
        }
    return LM_ERR_RANGE;
}
const char *lm_contract_name(int32_t c) { return name_of(c, contract_names, LM_CONTRACT_COUNT); }
const char *lm_end_reason_name(int32_t r) { return name_of(r, end_names, LM_END_REASON_COUNT); }
const char *lm_effect_dim_name(int32_t d) { return name_of(d, dim_names, LM_DIM_COUNT); }
const char *lm_effect_fig_name(int32_t f) { return name_of(f, fig_names, LM_FIG_COUNT); }
int lm_contract_parse(int32_t *out, const char *name) { return parse_of(out, name, contract_names, LM_CONTRACT_COUNT); }
int lm_end_reason_parse(int32_t *out, const char *name) {
    return parse_of(out, name, end_names, LM_END_REASON_COUNT);
}
int lm_effect_dim_parse(int32_t *out, const char *name) { return parse_of(out, name, dim_names, LM_DIM_COUNT); }
int lm_effect_fig_parse(int32_t *out, const char *name) { return parse_of(out, name, fig_names, LM_FIG_COUNT); }

/* ---- input ---------------------------------------------------------------- */
#define FLOW_BASE 100000 /* flow key = home * FLOW_BASE + work */
#define MAX_HOURS 168.f

typedef struct in_args {
    const char *pbase, *rbase; /* arrays, stepped by their first element's struct_size */
    size_t np, nr, pstride, rstride;
    int32_t from, to, as_of, threshold;
} in_args;

static const lm_outcome_person *person_at(const in_args *a, size_t i) {
    return (const lm_outcome_person *)(const void *)(a->pbase + i * a->pstride);
}
static const lm_outcome_record *record_at(const in_args *a, size_t i) {
    return (const lm_outcome_record *)(const void *)(a->rbase + i * a->rstride);
}

typedef struct id_idx {
    int64_t id;
    uint32_t idx;
} id_idx;
static int cmp_id_idx(const void *x, const void *y) {
    const id_idx *a = x, *b = y;
    if (a->id != b->id) return a->id < b->id ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

static int check_args(lm_err *e, in_args *a) {
    if (a->np && !a->pbase) return lm__fail(e, LM_ERR_NULL, "effects: persons is NULL with npersons %zu", a->np);
    if (a->nr && !a->rbase) return lm__fail(e, LM_ERR_NULL, "effects: records is NULL with nrecords %zu", a->nr);
    if (a->np > LM_MAX_ROWS || a->nr > LM_MAX_ROWS)
        return lm__fail(e, LM_ERR_LIMIT, "effects: %zu persons and %zu records, at most %d each", a->np, a->nr,
                        LM_MAX_ROWS);
    if (a->threshold < 1 || a->threshold > 1000)
        return lm__fail(e, LM_ERR_RANGE, "effects: threshold %d outside 1..1000", (int)a->threshold);
    if (a->from < 0) return lm__fail(e, LM_ERR_RANGE, "effects: from_day %d negative", (int)a->from);
    if (a->to < a->from)
        return lm__fail(e, LM_ERR_RANGE, "effects: to_day %d before from_day %d", (int)a->to, (int)a->from);
    if (a->as_of < a->to)
        return lm__fail(e, LM_ERR_RANGE, "effects: as_of_day %d before to_day %d", (int)a->as_of, (int)a->to);
    a->pstride = a->np ? ((const lm_outcome_person *)(const void *)a->pbase)->struct_size : 0;
    a->rstride = a->nr ? ((const lm_outcome_record *)(const void *)a->rbase)->struct_size : 0;
    if (a->np && a->pstride < sizeof(lm_outcome_person))
        return lm__fail(e, LM_ERR_INVALID, "effects: person 0: struct_size %zu too small (use LM_OUTCOME_PERSON_INIT)",
                        a->pstride);
    if (a->nr && a->rstride < sizeof(lm_outcome_record))
        return lm__fail(e, LM_ERR_INVALID, "effects: record 0: struct_size %zu too small (use LM_OUTCOME_RECORD_INIT)",
                        a->rstride);
    return LM_OK;
}

static bool muni_ok(int32_t m) { return m > 0 && m < FLOW_BASE; }

static int check_persons(lm_err *e, const in_args *a) {
    for (size_t i = 0; i < a->np; i++) {
        const lm_outcome_person *p = person_at(a, i);
        long long id = (long long)p->candidate_id;
        if (p->struct_size != a->pstride)
            return lm__fail(e, LM_ERR_INVALID, "effects: person %zu (id %lld): struct_size %zu differs from person 0's %zu",
                            i, id, p->struct_size, a->pstride);
        if (p->readiness < 1 || p->readiness > 5)
            return lm__fail(e, LM_ERR_RANGE, "effects: person %zu (id %lld): readiness %d outside 1..5", i, id,
                            (int)p->readiness);
        if (p->reserved[0] || p->reserved[1] || p->reserved[2])
            return lm__fail(e, LM_ERR_INVALID, "effects: person %zu (id %lld): reserved bytes not 0", i, id);
        if (!muni_ok(p->municipality))
            return lm__fail(e, LM_ERR_RANGE, "effects: person %zu (id %lld): municipality %d outside 1..99999", i, id,
                            (int)p->municipality);
    }
    return LM_OK;
}

/* A day column: -1 (did not happen) or a day not before `after`. */
static int check_day(lm_err *e, size_t i, long long pid, const char *what, int32_t day, int32_t after,
                     const char *after_what) {
    if (day < -1) return lm__fail(e, LM_ERR_RANGE, "effects: record %zu (proposal %lld): %s %d below -1", i, pid, what, (int)day);
    if (day >= 0 && day < after)
        return lm__fail(e, LM_ERR_INVALID, "effects: record %zu (proposal %lld): %s %d before %s %d", i, pid, what,
                        (int)day, after_what, (int)after);
    return LM_OK;
}

static int check_record(lm_err *e, const in_args *a, size_t i) {
    const lm_outcome_record *r = record_at(a, i);
    long long pid = (long long)r->proposal_id;
    if (r->struct_size != a->rstride)
        return lm__fail(e, LM_ERR_INVALID, "effects: record %zu (proposal %lld): struct_size %zu differs from record 0's %zu",
                        i, pid, r->struct_size, a->rstride);
    if (!muni_ok(r->work_municipality))
        return lm__fail(e, LM_ERR_RANGE, "effects: record %zu (proposal %lld): work_municipality %d outside 1..99999", i,
                        pid, (int)r->work_municipality);
    if (r->vacancy_kind >= LM_KIND_COUNT)
        return lm__fail(e, LM_ERR_RANGE, "effects: record %zu (proposal %lld): vacancy_kind %d unknown", i, pid,
                        (int)r->vacancy_kind);
    if (r->contract >= LM_CONTRACT_COUNT)
        return lm__fail(e, LM_ERR_RANGE, "effects: record %zu (proposal %lld): contract %d unknown", i, pid,
                        (int)r->contract);
    if (r->end_reason >= LM_END_REASON_COUNT)
        return lm__fail(e, LM_ERR_RANGE, "effects: record %zu (proposal %lld): end_reason %d unknown", i, pid,
                        (int)r->end_reason);
    if (r->lks > 1) return lm__fail(e, LM_ERR_RANGE, "effects: record %zu (proposal %lld): lks %d not 0 or 1", i, pid, (int)r->lks);
    if (!isfinite(r->hours))
        return lm__fail(e, LM_ERR_NONFINITE, "effects: record %zu (proposal %lld): hours not finite", i, pid);
    if (r->hours < 0.f || r->hours > MAX_HOURS)
        return lm__fail(e, LM_ERR_RANGE, "effects: record %zu (proposal %lld): hours %g outside 0..168", i, pid,
                        (double)r->hours);
    if (r->proposed_day < 0)
        return lm__fail(e, LM_ERR_RANGE, "effects: record %zu (proposal %lld): proposed_day %d negative", i, pid,
                        (int)r->proposed_day);
    int st = check_day(e, i, pid, "introduced_day", r->introduced_day, r->proposed_day, "proposed_day");
    if (!st) st = check_day(e, i, pid, "placed_day", r->placed_day, r->proposed_day, "proposed_day");
    if (!st) st = check_day(e, i, pid, "end_day", r->end_day, r->placed_day < 0 ? 0 : r->placed_day, "placed_day");
    if (!st && r->end_day >= 0 && r->placed_day < 0)
        st = lm__fail(e, LM_ERR_INVALID, "effects: record %zu (proposal %lld): end_day %d without a placed_day", i, pid,
                      (int)r->end_day);
    return st;
}

/* Duplicate ids among n sorted (id, index) pairs: the later index of the
 * first pair sharing an id in input order, else SIZE_MAX. */
static size_t find_dup(const id_idx *s, size_t n, size_t *first) {
    size_t best = SIZE_MAX;
    for (size_t i = 1; i < n; i++)
        if (s[i].id == s[i - 1].id && s[i].idx < best) best = s[i].idx, *first = s[i - 1].idx;
    return best;
}

/* Sorted (candidate id, person index), for duplicate checks and lookups. */
static int sort_ids(lm_err *e, const in_args *a, id_idx **out_persons) {
    *out_persons = NULL;
    id_idx *ps = lm__malloc((a->np ? a->np : 1) * sizeof *ps);
    id_idx *rs = lm__malloc((a->nr ? a->nr : 1) * sizeof *rs);
    if (!ps || !rs) {
        lm__free(ps);
        lm__free(rs);
        return lm__fail(e, LM_ERR_NOMEM, "effects: out of memory");
    }
    for (size_t i = 0; i < a->np; i++) ps[i] = (id_idx){person_at(a, i)->candidate_id, (uint32_t)i};
    for (size_t i = 0; i < a->nr; i++) rs[i] = (id_idx){record_at(a, i)->proposal_id, (uint32_t)i};
    qsort(ps, a->np, sizeof *ps, cmp_id_idx);
    qsort(rs, a->nr, sizeof *rs, cmp_id_idx);
    size_t first = 0, d = find_dup(ps, a->np, &first);
    int st = LM_OK;
    if (d != SIZE_MAX) {
        st = lm__fail(e, LM_ERR_DUPLICATE, "effects: persons %zu and %zu share candidate_id %lld", first, d,
                      (long long)person_at(a, d)->candidate_id);
    } else if ((d = find_dup(rs, a->nr, &first)) != SIZE_MAX) {
        st = lm__fail(e, LM_ERR_DUPLICATE, "effects: records %zu and %zu share proposal_id %lld", first, d,
                      (long long)record_at(a, d)->proposal_id);
    }
    lm__free(rs);
    if (st) {
        lm__free(ps);
        return st;
    }
    *out_persons = ps;
    return LM_OK;
}

static int64_t find_person(const id_idx *ps, size_t n, int64_t id) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ps[mid].id < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && ps[lo].id == id ? (int64_t)ps[lo].idx : -1;
}

/* Validate everything; on success *out_person holds each record's person index. */
static int validate(lm_err *e, in_args *a, uint32_t **out_person) {
    *out_person = NULL;
    int st = check_args(e, a);
    if (!st) st = check_persons(e, a);
    for (size_t i = 0; !st && i < a->nr; i++) st = check_record(e, a, i);
    id_idx *ids = NULL;
    if (!st) st = sort_ids(e, a, &ids);
    if (st) return st;
    uint32_t *person = lm__malloc((a->nr ? a->nr : 1) * sizeof *person);
    if (!person) st = lm__fail(e, LM_ERR_NOMEM, "effects: out of memory");
    for (size_t i = 0; !st && i < a->nr; i++) {
        const lm_outcome_record *r = record_at(a, i);
        int64_t p = find_person(ids, a->np, r->candidate_id);
        if (p < 0)
            st = lm__fail(e, LM_ERR_UNKNOWN_ID, "effects: record %zu (proposal %lld): candidate_id %lld is not among the persons",
                          i, (long long)r->proposal_id, (long long)r->candidate_id);
        else person[i] = (uint32_t)p;
    }
    lm__free(ids);
    if (st) {
        lm__free(person);
        return st;
    }
    *out_person = person;
    return LM_OK;
}

/* ---- computation ---------------------------------------------------------- */
/* A proposal of the period, as known on as_of (later events: -1). */
typedef struct rec_c {
    int64_t pid;
    uint32_t person;
    int32_t prop, placed, end, work;
    uint8_t intro, kind, lks;
} rec_c;

/* One person within one cell. */
typedef struct entry {
    int64_t key;
    int64_t place_pid; /* proposal id of the first placement */
    int32_t first_prop; /* -1: no proposal in the cell */
    int32_t placed;     /* day of the first placement, -1: none */
    int32_t end;        /* end of the first placement, -1: lasts (as known on as_of) */
    uint8_t intro, lks;
} entry;

static const entry ENTRY_EMPTY = {0, 0, -1, -1, -1, 0, 0};

static void fold(entry *e, const rec_c *r) {
    if (e->first_prop < 0 || r->prop < e->first_prop) e->first_prop = r->prop;
    e->intro |= r->intro;
    if (r->placed >= 0 && (e->placed < 0 || r->placed < e->placed || (r->placed == e->placed && r->pid < e->place_pid))) {
        e->placed = r->placed;
        e->place_pid = r->pid;
        e->end = r->end;
        e->lks = r->lks;
    }
}

typedef struct tuple {
    int64_t key;
    uint32_t person, rec;
} tuple;
static int cmp_tuple(const void *x, const void *y) {
    const tuple *a = x, *b = y;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return (a->person > b->person) - (a->person < b->person);
}
static int cmp_entry(const void *x, const void *y) {
    int64_t a = ((const entry *)x)->key, b = ((const entry *)y)->key;
    return (a > b) - (a < b);
}
static int cmp_i32(const void *x, const void *y) {
    int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
    return (a > b) - (a < b);
}

struct lm_effects {
    size_t n, cap;
    lm_effect_row *rows;
};

typedef struct ctx {
    const in_args *a;
    const rec_c *rc;
    size_t nrc;
    entry *pe;      /* per person, over all their proposals of the period */
    entry *ent;     /* scratch: entries of one dim */
    tuple *tup;     /* scratch: tuples of one vacancy-side dim */
    int32_t *days;  /* scratch: days to placement of one cell */
    lm_effects *fx;
} ctx;

static bool push_row(lm_effects *fx, const lm_effect_row *row) {
    if (fx->n == fx->cap) {
        size_t cap = fx->cap ? 2 * fx->cap : 64;
        lm_effect_row *r = lm__realloc(fx->rows, cap * sizeof *r);
        if (!r) return false;
        fx->rows = r;
        fx->cap = cap;
    }
    fx->rows[fx->n++] = *row;
    return true;
}

/* Small-numbers rule on one row: counts 1..threshold-1 and rates over
 * denominators 1..threshold-1 are hidden; denominators of 0 leave NaN unmarked. */
static void suppress(lm_effect_row *row, int32_t threshold) {
    static const int counts[] = {LM_FIG_PEOPLE,      LM_FIG_PROPOSED,     LM_FIG_INTRODUCED, LM_FIG_PLACED,
                                 LM_FIG_OBSERVED_6M, LM_FIG_OBSERVED_12M, LM_FIG_LKS};
    static const int rates[][2] = {{LM_FIG_PLACEMENT_RATE, LM_FIG_PROPOSED},
                                   {LM_FIG_MEDIAN_DAYS, LM_FIG_PLACED},
                                   {LM_FIG_RETAINED_6M, LM_FIG_OBSERVED_6M},
                                   {LM_FIG_RETAINED_12M, LM_FIG_OBSERVED_12M}};
    double *v = row->value;
    uint32_t bits = 0;
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        double d = v[rates[i][1]];
        if (d > 0 && d < threshold) bits |= 1u << rates[i][0];
    }
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        if (v[counts[i]] > 0 && v[counts[i]] < threshold) bits |= 1u << counts[i];
    for (int f = 0; f < LM_FIG_COUNT; f++)
        if (bits >> f & 1u) v[f] = NAN;
    row->suppressed = bits;
}

/* Count one cell (entries e[0..n), all with the same key) into a row. */
static bool emit_cell(ctx *c, int32_t dim, const entry *e, size_t n, bool person_side) {
    lm_effect_row row = {.dim = dim, .key = n ? e[0].key : 0};
    double proposed = 0, intro = 0, placed = 0, obs6 = 0, ret6 = 0, obs12 = 0, ret12 = 0, lks = 0;
    size_t nd = 0;
    int64_t as_of = c->a->as_of;
    for (size_t i = 0; i < n; i++) {
        const entry *x = &e[i];
        if (x->first_prop < 0) continue;
        proposed++;
        intro += x->intro;
        if (x->placed < 0) continue;
        placed++;
        lks += x->lks;
        c->days[nd++] = x->placed - x->first_prop;
        int64_t d6 = (int64_t)x->placed + 182, d12 = (int64_t)x->placed + 365;
        if (d6 <= as_of) obs6++, ret6 += x->end < 0 || x->end > d6;
        if (d12 <= as_of) obs12++, ret12 += x->end < 0 || x->end > d12;
    }
    double *v = row.value;
    v[LM_FIG_PEOPLE] = person_side ? (double)n : NAN;
    v[LM_FIG_PROPOSED] = proposed;
    v[LM_FIG_INTRODUCED] = intro;
    v[LM_FIG_PLACED] = placed;
    v[LM_FIG_PLACEMENT_RATE] = proposed > 0 ? placed / proposed : NAN;
    v[LM_FIG_MEDIAN_DAYS] = NAN;
    if (nd) {
        qsort(c->days, nd, sizeof *c->days, cmp_i32);
        v[LM_FIG_MEDIAN_DAYS] = 0.5 * ((double)c->days[(nd - 1) / 2] + (double)c->days[nd / 2]);
    }
    v[LM_FIG_OBSERVED_6M] = obs6;
    v[LM_FIG_RETAINED_6M] = obs6 > 0 ? ret6 / obs6 : NAN;
    v[LM_FIG_OBSERVED_12M] = obs12;
    v[LM_FIG_RETAINED_12M] = obs12 > 0 ? ret12 / obs12 : NAN;
    v[LM_FIG_LKS] = lks;
    suppress(&row, c->a->threshold);
    return push_row(c->fx, &row);
}

/* Entries sorted by key: one row per run of equal keys. */
static bool emit_runs(ctx *c, int32_t dim, const entry *e, size_t n, bool person_side) {
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && e[j].key == e[i].key) j++;
        if (!emit_cell(c, dim, e + i, j - i, person_side)) return false;
        i = j;
    }
    return true;
}

static int64_t person_key(const lm_outcome_person *p, int32_t dim) {
    switch (dim) {
    case LM_DIM_READINESS: return p->readiness;
    case LM_DIM_HOME_MUNICIPALITY: return p->municipality;
    case LM_DIM_ORG: return p->org;
    default: return 0;
    }
}

static bool person_dim(ctx *c, int32_t dim) {
    size_t n = 0;
    for (size_t p = 0; p < c->a->np; p++) {
        const lm_outcome_person *ps = person_at(c->a, p);
        if (dim == LM_DIM_GROUP) {
            for (uint32_t g = ps->groups; g; g &= g - 1) {
                c->ent[n] = c->pe[p];
                c->ent[n++].key = (int64_t)(g & -g);
            }
        } else {
            c->ent[n] = c->pe[p];
            c->ent[n++].key = person_key(ps, dim);
        }
    }
    if (dim == LM_DIM_TOTAL) return emit_cell(c, dim, c->ent, n, true);
    qsort(c->ent, n, sizeof *c->ent, cmp_entry);
    return emit_runs(c, dim, c->ent, n, true);
}

static int64_t record_key(const ctx *c, const rec_c *r, int32_t dim) {
    int32_t home = person_at(c->a, r->person)->municipality;
    switch (dim) {
    case LM_DIM_WORK_MUNICIPALITY: return r->work;
    case LM_DIM_KIND: return r->kind;
    case LM_DIM_CROSS_BORDER: return r->work != home;
    default: return (int64_t)home * FLOW_BASE + r->work;
    }
}

static bool vacancy_dim(ctx *c, int32_t dim) {
    for (size_t i = 0; i < c->nrc; i++)
        c->tup[i] = (tuple){record_key(c, &c->rc[i], dim), c->rc[i].person, (uint32_t)i};
    qsort(c->tup, c->nrc, sizeof *c->tup, cmp_tuple);
    size_t n = 0;
    for (size_t i = 0; i < c->nrc; i++) {
        if (i == 0 || c->tup[i].key != c->tup[i - 1].key || c->tup[i].person != c->tup[i - 1].person) {
            c->ent[n] = ENTRY_EMPTY;
            c->ent[n++].key = c->tup[i].key;
        }
        fold(&c->ent[n - 1], &c->rc[c->tup[i].rec]);
    }
    return emit_runs(c, dim, c->ent, n, false);
}

/* The period's proposals as known on as_of, and each person's entry. */
static void reduce_records(ctx *c, rec_c *rc, const uint32_t *person) {
    const in_args *a = c->a;
    size_t n = 0;
    for (size_t p = 0; p < a->np; p++) c->pe[p] = ENTRY_EMPTY;
    for (size_t i = 0; i < a->nr; i++) {
        const lm_outcome_record *r = record_at(a, i);
        if (r->proposed_day < a->from || r->proposed_day > a->to) continue;
        bool placed = r->placed_day >= 0 && r->placed_day <= a->as_of;
        rec_c x = {
            .pid = r->proposal_id,
            .person = person[i],
            .prop = r->proposed_day,
            .placed = placed ? r->placed_day : -1,
            .end = placed && r->end_day >= 0 && r->end_day <= a->as_of ? r->end_day : -1,
            .work = r->work_municipality,
            .intro = r->introduced_day >= 0 && r->introduced_day <= a->as_of,
            .kind = r->vacancy_kind,
            .lks = placed && r->lks,
        };
        rc[n++] = x;
        fold(&c->pe[x.person], &x);
    }
    c->nrc = n;
}

static int compute(lm_err *e, lm_effects **out, const in_args *a, const uint32_t *person) {
    size_t ngroup = 0;
    for (size_t p = 0; p < a->np; p++) ngroup += (size_t)__builtin_popcount(person_at(a, p)->groups);
    size_t nent = a->np > ngroup ? a->np : ngroup;
    if (a->nr > nent) nent = a->nr;
    ctx c = {.a = a};
    rec_c *rc = lm__malloc((a->nr ? a->nr : 1) * sizeof *rc);
    c.pe = lm__malloc((a->np ? a->np : 1) * sizeof *c.pe);
    c.ent = lm__malloc((nent ? nent : 1) * sizeof *c.ent);
    c.tup = lm__malloc((a->nr ? a->nr : 1) * sizeof *c.tup);
    c.days = lm__malloc((nent ? nent : 1) * sizeof *c.days);
    c.fx = lm__calloc(1, sizeof *c.fx);
    bool ok = rc && c.pe && c.ent && c.tup && c.days && c.fx;
    if (ok) {
        c.rc = rc;
        reduce_records(&c, rc, person);
        for (int32_t d = 0; ok && d < LM_DIM_COUNT; d++)
            ok = d <= LM_DIM_HOME_MUNICIPALITY || d == LM_DIM_ORG ? person_dim(&c, d) : vacancy_dim(&c, d);
    }
    lm__free(rc);
    lm__free(c.pe);
    lm__free(c.ent);
    lm__free(c.tup);
    lm__free(c.days);
    if (!ok) {
        lm_effects_free(c.fx);
        return lm__fail(e, LM_ERR_NOMEM, "effects: out of memory");
    }
    *out = c.fx;
    return LM_OK;
}

/* ---- public --------------------------------------------------------------- */
static int run(lm_err *e, lm_effects **out, const lm_outcome_person *persons, size_t npersons,
               const lm_outcome_record *records, size_t nrecords, int32_t from_day, int32_t to_day, int32_t as_of_day,
               int32_t threshold) {
    in_args a = {(const char *)persons, (const char *)records, npersons, nrecords, 0, 0, from_day, to_day, as_of_day,
                 threshold};
    uint32_t *person = NULL;
    int st = validate(e, &a, &person);
    if (!st && out) st = compute(e, out, &a, person);
    lm__free(person);
    return st;
}

int lm_effects_compute(lm_effects **out, const lm_outcome_person *persons, size_t npersons,
                       const lm_outcome_record *records, size_t nrecords, int32_t from_day, int32_t to_day,
                       int32_t as_of_day, int32_t threshold) {
    if (!out) return LM_ERR_NULL;
    *out = NULL;
    return run(NULL, out, persons, npersons, records, nrecords, from_day, to_day, as_of_day, threshold);
}

int lm_effects_check(char *msg, size_t msg_cap, const lm_outcome_person *persons, size_t npersons,
                     const lm_outcome_record *records, size_t nrecords, int32_t from_day, int32_t to_day,
                     int32_t as_of_day, int32_t threshold) {
    lm_err e;
    lm__clear(&e);
    int st = run(&e, NULL, persons, npersons, records, nrecords, from_day, to_day, as_of_day, threshold);
    if (msg && msg_cap) {
        size_t n = strlen(e.msg);
        if (n >= msg_cap) n = msg_cap - 1;
        memcpy(msg, e.msg, n);
        msg[n] = '\0';
    }
    return st;
}

size_t lm_effects_count(const lm_effects *fx) { return fx ? fx->n : 0; }
const lm_effect_row *lm_effects_row(const lm_effects *fx, size_t i) { return fx && i < fx->n ? &fx->rows[i] : NULL; }
void lm_effects_free(lm_effects *fx) {
    if (!fx) return;
    lm__free(fx->rows);
    lm__free(fx);
}
