/* The proposal lifecycle (state machine, names) and the proposal history
 * object the engine honours across nights (process.h, docs/lifecycle.md). */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the state machine ---------------------------------------------------- */
#define NSTATUS 8
/* allowed[from] = bit set of the statuses `from` may change to. */
static const uint8_t allowed[NSTATUS] = {
    [LM_PROPOSAL_PROPOSED] = 1u << LM_PROPOSAL_INTRODUCED | 1u << LM_PROPOSAL_REJECTED | 1u << LM_PROPOSAL_DECLINED |
                             1u << LM_PROPOSAL_WITHDRAWN | 1u << LM_PROPOSAL_EXPIRED,
    [LM_PROPOSAL_INTRODUCED] = 1u << LM_PROPOSAL_INTERVIEW | 1u << LM_PROPOSAL_PLACED | 1u << LM_PROPOSAL_REJECTED |
                               1u << LM_PROPOSAL_DECLINED | 1u << LM_PROPOSAL_WITHDRAWN | 1u << LM_PROPOSAL_EXPIRED,
    [LM_PROPOSAL_INTERVIEW] = 1u << LM_PROPOSAL_PLACED | 1u << LM_PROPOSAL_REJECTED | 1u << LM_PROPOSAL_DECLINED |
                              1u << LM_PROPOSAL_WITHDRAWN | 1u << LM_PROPOSAL_EXPIRED,
};
static const char *const status_names[NSTATUS] = {"proposed", "introduced", "interview", "placed",
                                                  "rejected", "declined",   "withdrawn", "expired"};
#define NREASON 12
static const char *const reason_names[NREASON] = {"none",           "skills",    "hours",  "travel",
                                                  "wage",           "health",    "not_interested",
                                                  "other_job",      "filled",    "no_response",
                                                  "superseded",     "other"};

int lm_proposal_transition(int32_t from, int32_t to) {
    if (from < 0 || from >= NSTATUS || to < 0 || to >= NSTATUS) return LM_ERR_RANGE;
    return (allowed[from] >> to & 1u) ? LM_OK : LM_ERR_STATE;
}

const char *lm_proposal_status_name(int32_t s) { return s >= 0 && s < NSTATUS ? status_names[s] : NULL; }
const char *lm_reason_name(int32_t r) { return r >= 0 && r < NREASON ? reason_names[r] : NULL; }

static int parse_name(int32_t *out, const char *name, const char *const *names, int n) {
    if (!out || !name) return LM_ERR_NULL;
    for (int i = 0; i < n; i++)
        if (!strcasecmp(name, names[i])) {
            *out = i;
            return LM_OK;
        }
    return LM_ERR_RANGE;
}
int lm_proposal_status_parse(int32_t *out, const char *name) { return parse_name(out, name, status_names, NSTATUS); }
int lm_reason_parse(int32_t *out, const char *name) { return parse_name(out, name, reason_names, NREASON); }

/* ---- the history ---------------------------------------------------------- */
int lm_history_create(lm_history **out) {
    if (!out) return LM_ERR_NULL;
    *out = NULL;
    lm_history *h = lm__calloc(1, sizeof *h);
    if (!h) return LM_ERR_NOMEM;
    atomic_init(&h->ref, 1);
    atomic_init(&h->frozen, false);
    *out = h;
    return LM_OK;
}

lm_history *lm__history_ref(lm_history *h) {
    if (h) atomic_fetch_add_explicit(&h->ref, 1, memory_order_relaxed);
    return h;
}

void lm_history_free(lm_history *h) {
    if (!h || atomic_fetch_sub_explicit(&h->ref, 1, memory_order_acq_rel) != 1) return;
    lm__free(h->rec);
    lm__free(h->by_pair);
    lm__free((void *)h->latest);
    lm__free(h->persons);
    lm__free(h->vacs);
    lm__free(h);
}

const char *lm_history_errmsg(const lm_history *h) { return h ? h->err.msg : "history is NULL"; }

int lm_history_count(size_t *out, const lm_history *h) {
    if (!out || !h) return LM_ERR_NULL;
    *out = h->n;
    return LM_OK;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A proposal id twice in the batch, or already in h: its index in cols, else -1. */
static int64_t find_duplicate(const lm_history *h, const int64_t *ids, size_t n, int64_t *sorted) {
    memcpy(sorted, ids, n * sizeof *ids);
    qsort(sorted, n, sizeof *sorted, cmp_i64);
    int64_t dup_id = 0;
    bool dup = false;
    for (size_t i = 1; i < n && !dup; i++)
        if (sorted[i] == sorted[i - 1]) dup = true, dup_id = sorted[i];
    for (size_t i = 0; i < h->n && !dup; i++)
        if (bsearch(&h->rec[i].proposal_id, sorted, n, sizeof *sorted, cmp_i64)) dup = true, dup_id = h->rec[i].proposal_id;
    if (!dup) return -1;
    for (size_t i = 0; i < n; i++)
        if (ids[i] == dup_id) return (int64_t)i;
    return 0;
}

static int check_rows(lm_history *h, const lm_history_cols *c, size_t n) {
    for (size_t i = 0; i < n; i++) {
        long long pid = (long long)c->proposal_id[i];
        if (lm_proposal_status_name(c->status[i]) == NULL)
            return lm__fail(&h->err, LM_ERR_RANGE, "history row %zu (proposal %lld): status %d unknown", i, pid,
                            (int)c->status[i]);
        if (c->day[i] < 0)
            return lm__fail(&h->err, LM_ERR_RANGE, "history row %zu (proposal %lld): day %d negative", i, pid,
                            (int)c->day[i]);
        if (c->reason && lm_reason_name(c->reason[i]) == NULL)
            return lm__fail(&h->err, LM_ERR_RANGE, "history row %zu (proposal %lld): reason %d unknown", i, pid,
                            (int)c->reason[i]);
        if (c->lead_org && c->lead_org[i] < 0)
            return lm__fail(&h->err, LM_ERR_RANGE, "history row %zu (proposal %lld): lead_org negative", i, pid);
    }
    return LM_OK;
}

int lm_history_add(lm_history *h, const lm_history_cols *c, size_t n) {
    if (!h) return LM_ERR_NULL;
    if (!c) return lm__fail(&h->err, LM_ERR_NULL, "history add: columns are NULL");
    if (c->struct_size < sizeof(lm_history_cols))
        return lm__fail(&h->err, LM_ERR_INVALID, "history add: struct_size %zu too small (use LM_HISTORY_COLS_INIT)",
                        c->struct_size);
    if (atomic_load_explicit(&h->frozen, memory_order_acquire))
        return lm__fail(&h->err, LM_ERR_STATE, "history add: the history is attached to an engine (read-only)");
    if (n > LM_MAX_BATCH) return lm__fail(&h->err, LM_ERR_LIMIT, "history add: %zu rows, at most %d", n, LM_MAX_BATCH);
    if (n == 0) {
        lm__clear(&h->err);
        return LM_OK;
    }
    if (!c->proposal_id || !c->vacancy_id || !c->candidate_id || !c->status || !c->day)
        return lm__fail(&h->err, LM_ERR_NULL, "history add: a required column (proposal_id, vacancy_id, candidate_id, "
                                              "status, day) is NULL");
    int st = check_rows(h, c, n);
    if (st) return st;
    if (h->n + n > (size_t)LM_MAX_ROWS)
        return lm__fail(&h->err, LM_ERR_LIMIT, "history add: more than %d proposals", LM_MAX_ROWS);
    int64_t *sorted = lm__malloc(n * sizeof *sorted);
    if (!sorted) return lm__fail(&h->err, LM_ERR_NOMEM, "history add: out of memory");
    int64_t d = find_duplicate(h, c->proposal_id, n, sorted);
    lm__free(sorted);
    if (d >= 0)
        return lm__fail(&h->err, LM_ERR_DUPLICATE, "history row %lld: proposal %lld given twice", (long long)d,
                        (long long)c->proposal_id[d]);
    lm_hist_rec *rec = lm__realloc(h->rec, (h->n + n) * sizeof *rec);
    if (!rec) return lm__fail(&h->err, LM_ERR_NOMEM, "history add: out of memory");
    h->rec = rec;
    for (size_t i = 0; i < n; i++) {
        lm_hist_rec *r = &rec[h->n + i];
        r->proposal_id = c->proposal_id[i];
        r->vacancy_id = c->vacancy_id[i];
        r->candidate_id = c->candidate_id[i];
        r->lead_org = c->lead_org ? c->lead_org[i] : 0;
        r->status = c->status[i];
        r->day = c->day[i];
        r->reason = c->reason ? c->reason[i] : LM_REASON_NONE;
    }
    h->n += n;
    lm__clear(&h->err);
    return LM_OK;
}

/* Latest first within a pair: higher day, then higher proposal id. */
static int cmp_pair(const void *a, const void *b) {
    const lm_hist_rec *x = a, *y = b;
    if (x->vacancy_id != y->vacancy_id) return x->vacancy_id < y->vacancy_id ? -1 : 1;
    if (x->candidate_id != y->candidate_id) return x->candidate_id < y->candidate_id ? -1 : 1;
    if (x->day != y->day) return x->day > y->day ? -1 : 1;
    return (x->proposal_id < y->proposal_id) - (x->proposal_id > y->proposal_id);
}

static bool st_open(int32_t s) { return s == LM_PROPOSAL_INTRODUCED || s == LM_PROPOSAL_INTERVIEW; }

static int cmp_person(const void *a, const void *b) {
    int64_t x = ((const lm_hist_person *)a)->candidate_id, y = ((const lm_hist_person *)b)->candidate_id;
    return (x > y) - (x < y);
}

/* The later of two records of one person: higher day, then higher proposal id. */
static bool later(const lm_hist_rec *a, const lm_hist_rec *b) {
    return !b || a->day > b->day || (a->day == b->day && a->proposal_id > b->proposal_id);
}

typedef struct ckey {
    int64_t cid;
    const lm_hist_rec *r;
} ckey;
static int cmp_ckey(const void *a, const void *b) {
    int64_t x = ((const ckey *)a)->cid, y = ((const ckey *)b)->cid;
    return (x > y) - (x < y);
}

/* Per person: placed? open introduction (where, lead)? From the latest records. */
static size_t fold_persons(lm_hist_person *ps, ckey *keys, const lm_hist_rec **latest, size_t nl) {
    for (size_t i = 0; i < nl; i++) keys[i] = (ckey){latest[i]->candidate_id, latest[i]};
    qsort(keys, nl, sizeof *keys, cmp_ckey);
    size_t np = 0;
    const lm_hist_rec *open = NULL, *placed = NULL;
    for (size_t i = 0; i < nl; i++) {
        const lm_hist_rec *r = keys[i].r;
        if (!np || ps[np - 1].candidate_id != r->candidate_id) {
            ps[np++] = (lm_hist_person){.candidate_id = r->candidate_id};
            open = placed = NULL;
        }
        lm_hist_person *p = &ps[np - 1];
        if (r->status == LM_PROPOSAL_PLACED && later(r, placed)) {
            placed = r;
            p->placed = true, p->placed_vacancy = r->vacancy_id, p->placed_org = r->lead_org, p->placed_day = r->day;
        }
        if (st_open(r->status) && later(r, open)) {
            open = r;
            p->open = true, p->open_vacancy = r->vacancy_id, p->open_org = r->lead_org, p->open_day = r->day;
        }
    }
    return np;
}

/* The latest record of each pair, per vacancy counts, per person state. */
static int build_indexes(lm_history *h) {
    size_t nl = 0;
    for (size_t i = 0; i < h->n; i++)
        if (i == 0 || h->by_pair[i].vacancy_id != h->by_pair[i - 1].vacancy_id ||
            h->by_pair[i].candidate_id != h->by_pair[i - 1].candidate_id)
            nl++;
    const lm_hist_rec **latest = lm__malloc((nl ? nl : 1) * sizeof *latest);
    lm_hist_person *ps = lm__calloc(nl ? nl : 1, sizeof *ps);
    lm_hist_vac *vs = lm__calloc(nl ? nl : 1, sizeof *vs);
    ckey *keys = lm__malloc((nl ? nl : 1) * sizeof *keys);
    if (!latest || !ps || !vs || !keys) {
        lm__free((void *)latest), lm__free(ps), lm__free(vs), lm__free(keys);
        return LM_ERR_NOMEM;
    }
    size_t k = 0, nvs = 0;
    for (size_t i = 0; i < h->n; i++) {
        const lm_hist_rec *r = &h->by_pair[i];
        if (k && latest[k - 1]->vacancy_id == r->vacancy_id && latest[k - 1]->candidate_id == r->candidate_id) continue;
        latest[k++] = r;
        if (!nvs || vs[nvs - 1].vacancy_id != r->vacancy_id) vs[nvs++] = (lm_hist_vac){r->vacancy_id, 0, 0};
        vs[nvs - 1].placed += r->status == LM_PROPOSAL_PLACED;
        vs[nvs - 1].open += st_open(r->status);
    }
    h->npersons = fold_persons(ps, keys, latest, nl);
    lm__free(keys);
    h->latest = latest;
    h->nlatest = nl;
    h->persons = ps;
    h->vacs = vs;
    h->nvacs = nvs;
    return LM_OK;
}

int lm__history_freeze(lm_history *h) {
    if (atomic_load_explicit(&h->frozen, memory_order_acquire)) return LM_OK;
    lm_hist_rec *bp = NULL;
    if (h->n) {
        bp = lm__malloc(h->n * sizeof *bp);
        if (!bp) return LM_ERR_NOMEM;
        memcpy(bp, h->rec, h->n * sizeof *bp);
        qsort(bp, h->n, sizeof *bp, cmp_pair);
    }
    h->by_pair = bp;
    if (build_indexes(h)) {
        lm__free(bp);
        h->by_pair = NULL;
        return LM_ERR_NOMEM;
    }
    atomic_store_explicit(&h->frozen, true, memory_order_release);
    return LM_OK;
}

const lm_hist_person *lm__history_person(const lm_history *h, int64_t id) {
    if (!h || !h->npersons) return NULL;
    lm_hist_person key = {.candidate_id = id};
    return bsearch(&key, h->persons, h->npersons, sizeof key, cmp_person);
}

static int cmp_vac(const void *a, const void *b) {
    int64_t x = ((const lm_hist_vac *)a)->vacancy_id, y = ((const lm_hist_vac *)b)->vacancy_id;
    return (x > y) - (x < y);
}

const lm_hist_vac *lm__history_vacancy(const lm_history *h, int64_t id) {
    if (!h || !h->nvacs) return NULL;
    lm_hist_vac key = {.vacancy_id = id};
    return bsearch(&key, h->vacs, h->nvacs, sizeof key, cmp_vac);
}

const lm_hist_rec *lm__history_pair(const lm_history *h, int64_t vacancy_id, int64_t candidate_id) {
    if (!h || !h->by_pair) return NULL;
    size_t lo = 0, hi = h->n; /* first record with (v, c) >= key */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const lm_hist_rec *r = &h->by_pair[mid];
        if (r->vacancy_id < vacancy_id || (r->vacancy_id == vacancy_id && r->candidate_id < candidate_id)) lo = mid + 1;
        else hi = mid;
    }
    if (lo < h->n && h->by_pair[lo].vacancy_id == vacancy_id && h->by_pair[lo].candidate_id == candidate_id)
        return &h->by_pair[lo];
    return NULL;
}
