/* The proposal lifecycle and the engine's memory of it (process.h,
 * docs/lifecycle.md): the state machine against a table written here, the
 * history object's checks, and several simulated nights against a
 * brute-force reference (explanations, top-k, an independent exact solver). */
#include "testutil.h"

/* ---- the state machine ---------------------------------------------------- */
/* Written from docs/lifecycle.md: T[from][to] = 1 if allowed.
 * Order: proposed, introduced, interview, placed, rejected, declined, withdrawn, expired. */
static const int T[8][8] = {
    {0, 1, 0, 0, 1, 1, 1, 1}, /* proposed */
    {0, 0, 1, 1, 1, 1, 1, 1}, /* introduced */
    {0, 0, 0, 1, 1, 1, 1, 1}, /* interview */
    {0, 0, 0, 0, 0, 0, 0, 0}, /* placed: final */
    {0, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 0, 0},
};

Test(history, transitions_all_pairs) {
    for (int f = 0; f < 8; f++)
        for (int t = 0; t < 8; t++)
            cr_assert_eq(lm_proposal_transition(f, t), T[f][t] ? LM_OK : LM_ERR_STATE, "%d -> %d", f, t);
    int32_t bad[] = {-1, 8, 100, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(lm_proposal_transition(bad[i], 1), LM_ERR_RANGE);
        cr_assert_eq(lm_proposal_transition(0, bad[i]), LM_ERR_RANGE);
    }
}

Test(history, names_round_trip) {
    static const char *st[8] = {"proposed", "introduced", "interview", "placed",
                                "rejected", "declined",   "withdrawn", "expired"};
    for (int32_t s = 0; s < 8; s++) {
        cr_assert_str_eq(lm_proposal_status_name(s), st[s]);
        int32_t back = -1;
        cr_assert_eq(lm_proposal_status_parse(&back, st[s]), LM_OK);
        cr_assert_eq(back, s);
    }
    int32_t x = 42;
    cr_assert_eq(lm_proposal_status_parse(&x, "PLACED"), LM_OK);
    cr_assert_eq(x, LM_PROPOSAL_PLACED);
    cr_assert_eq(lm_proposal_status_parse(&x, "hired"), LM_ERR_RANGE);
    cr_assert_eq(lm_proposal_status_parse(NULL, "placed"), LM_ERR_NULL);
    cr_assert_eq(lm_proposal_status_parse(&x, NULL), LM_ERR_NULL);
    cr_assert_null(lm_proposal_status_name(8));
    cr_assert_null(lm_proposal_status_name(-1));
    for (int32_t r = 0; r <= LM_REASON_OTHER; r++) {
        const char *n = lm_reason_name(r);
        cr_assert_not_null(n);
        int32_t back = -1;
        cr_assert_eq(lm_reason_parse(&back, n), LM_OK);
        cr_assert_eq(back, r);
    }
    cr_assert_null(lm_reason_name(LM_REASON_OTHER + 1));
    cr_assert_eq(lm_reason_parse(&x, "bored"), LM_ERR_RANGE);
}

/* ---- the history object --------------------------------------------------- */
typedef struct hrows {
    size_t n, cap;
    int64_t *pid, *vid, *cid, *org;
    int32_t *status, *day, *reason;
} hrows;

static void hr_push(hrows *h, int64_t pid, int64_t vid, int64_t cid, int32_t status, int32_t day, int64_t org) {
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 64;
        h->pid = realloc(h->pid, h->cap * sizeof *h->pid);
        h->vid = realloc(h->vid, h->cap * sizeof *h->vid);
        h->cid = realloc(h->cid, h->cap * sizeof *h->cid);
        h->org = realloc(h->org, h->cap * sizeof *h->org);
        h->status = realloc(h->status, h->cap * sizeof *h->status);
        h->day = realloc(h->day, h->cap * sizeof *h->day);
        h->reason = realloc(h->reason, h->cap * sizeof *h->reason);
    }
    h->pid[h->n] = pid, h->vid[h->n] = vid, h->cid[h->n] = cid, h->org[h->n] = org;
    h->status[h->n] = status, h->day[h->n] = day, h->reason[h->n] = LM_REASON_NONE;
    h->n++;
}
static void hr_free(hrows *h) {
    free(h->pid), free(h->vid), free(h->cid), free(h->org), free(h->status), free(h->day), free(h->reason);
    memset(h, 0, sizeof *h);
}
static lm_history_cols hr_cols(const hrows *h) {
    lm_history_cols c = LM_HISTORY_COLS_INIT;
    c.proposal_id = h->pid, c.vacancy_id = h->vid, c.candidate_id = h->cid, c.status = h->status, c.day = h->day;
    c.lead_org = h->org, c.reason = h->reason;
    return c;
}
static lm_history *hr_history(const hrows *h) {
    lm_history *x;
    cr_assert_eq(lm_history_create(&x), LM_OK);
    lm_history_cols c = hr_cols(h);
    cr_assert_eq(lm_history_add(x, &c, h->n), LM_OK, "%s", lm_history_errmsg(x));
    return x;
}

Test(history, add_rejects_bad_input_unchanged) {
    lm_history *h;
    cr_assert_eq(lm_history_create(&h), LM_OK);
    hrows r = {0};
    hr_push(&r, 1, 10, 100, LM_PROPOSAL_PROPOSED, 5, 0);
    hr_push(&r, 2, 11, 100, LM_PROPOSAL_INTRODUCED, 6, 3);
    lm_history_cols c = hr_cols(&r);
    cr_assert_eq(lm_history_add(h, &c, 2), LM_OK);
    size_t n = 0;
    /* each bad batch leaves the count at 2 */
#define UNCHANGED()                                   \
    do {                                              \
        cr_assert_eq(lm_history_count(&n, h), LM_OK); \
        cr_assert_eq(n, 2);                           \
    } while (0)
    hrows b = {0};
    hr_push(&b, 3, 10, 101, LM_PROPOSAL_PROPOSED, 5, 0);
    hr_push(&b, 4, 10, 102, LM_PROPOSAL_PROPOSED, 5, 0);
    lm_history_cols bc = hr_cols(&b);
    cr_assert_eq(lm_history_add(NULL, &bc, 2), LM_ERR_NULL);
    cr_assert_eq(lm_history_add(h, NULL, 2), LM_ERR_NULL);
    UNCHANGED();
    for (int col = 0; col < 5; col++) {
        lm_history_cols x = bc;
        if (col == 0) x.proposal_id = NULL;
        if (col == 1) x.vacancy_id = NULL;
        if (col == 2) x.candidate_id = NULL;
        if (col == 3) x.status = NULL;
        if (col == 4) x.day = NULL;
        cr_assert_eq(lm_history_add(h, &x, 2), LM_ERR_NULL, "column %d", col);
        cr_assert(strlen(lm_history_errmsg(h)) > 0);
        UNCHANGED();
    }
    lm_history_cols small = bc;
    small.struct_size = sizeof small - 1;
    cr_assert_eq(lm_history_add(h, &small, 2), LM_ERR_INVALID);
    UNCHANGED();
    b.status[1] = 8;
    cr_assert_eq(lm_history_add(h, &bc, 2), LM_ERR_RANGE);
    b.status[1] = -1;
    cr_assert_eq(lm_history_add(h, &bc, 2), LM_ERR_RANGE);
    b.status[1] = LM_PROPOSAL_PROPOSED;
    UNCHANGED();
    b.reason[0] = 99;
    cr_assert_eq(lm_history_add(h, &bc, 2), LM_ERR_RANGE);
    b.reason[0] = LM_REASON_NONE;
    b.day[1] = -1;
    cr_assert_eq(lm_history_add(h, &bc, 2), LM_ERR_RANGE);
    b.day[1] = 5;
    UNCHANGED();
    b.pid[1] = 3; /* twice within the batch */
    cr_assert_eq(lm_history_add(h, &bc, 2), LM_ERR_DUPLICATE);
    UNCHANGED();
    b.pid[1] = 2; /* already present */
    cr_assert_eq(lm_history_add(h, &bc, 2), LM_ERR_DUPLICATE);
    UNCHANGED();
    b.pid[1] = 4;
    cr_assert_eq(lm_history_add(h, &bc, 2), LM_OK);
    cr_assert_eq(lm_history_count(&n, h), LM_OK);
    cr_assert_eq(n, 4);
    /* attached: read-only */
    lm_engine *e;
    cr_assert_eq(lm_engine_create(&e, NULL, NULL), LM_OK);
    cr_assert_eq(lm_engine_set_history(e, h), LM_OK);
    hrows c2 = {0};
    hr_push(&c2, 50, 10, 103, LM_PROPOSAL_PROPOSED, 5, 0);
    lm_history_cols cc = hr_cols(&c2);
    cr_assert_eq(lm_history_add(h, &cc, 1), LM_ERR_STATE);
    cr_assert_eq(lm_history_count(&n, h), LM_OK);
    cr_assert_eq(n, 4);
    cr_assert_eq(lm_engine_set_history(NULL, h), LM_ERR_NULL);
    lm_history_free(h); /* the engine keeps its reference */
    lm_engine_free(e);
    hr_free(&r), hr_free(&b), hr_free(&c2);
#undef UNCHANGED
}

/* ---- a simulated municipality over several nights ------------------------- */
#define MAXP 4096
typedef struct model {
    /* latest state per pair, indexed [j * nc + i]; status -1 = none */
    int32_t *st, *day;
    int64_t *org;
    int cooldown, exclusive;
    float margin;
    int today;
} model;

static lm_viewer all_viewer(void) {
    lm_viewer v = LM_VIEWER_INIT;
    v.org = 1;
    v.municipality = 1;
    v.region = 1;
    return v;
}

static lm_engine *make_engine(int as_of, int cooldown, int exclusive, double margin) {
    lm_policy *p;
    cr_assert_eq(lm_policy_create(&p), LM_OK);
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_AS_OF_DAY, as_of), LM_OK);
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_COOLDOWN_DAYS, cooldown), LM_OK);
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_EXCLUSIVE_PROGRESS, exclusive), LM_OK);
    cr_assert_eq(lm_policy_set_f64(p, LM_POLICY_STABILITY_MARGIN, margin), LM_OK);
    lm_engine *e;
    cr_assert_eq(lm_engine_create(&e, p, NULL), LM_OK);
    cr_assert_eq(lm_engine_set_i64(e, LM_ENGINE_THREADS, 2), LM_OK);
    lm_policy_free(p);
    return e;
}

static int is_open(int32_t s) { return s == LM_PROPOSAL_INTRODUCED || s == LM_PROPOSAL_INTERVIEW; }

/* The expected history constraint of pair (j, i), from the model only. */
static int model_constraint(const tu_data *d, const model *M, size_t j, size_t i, int today) {
    int placed = 0, busy = 0, full = 0;
    for (size_t jj = 0; jj < d->nv; jj++) {
        int32_t s = M->st[jj * d->nc + i];
        placed |= s == LM_PROPOSAL_PLACED;
        busy |= is_open(s);
    }
    int used = 0;
    for (size_t ii = 0; ii < d->nc; ii++) {
        int32_t s = M->st[j * d->nc + ii];
        used += s == LM_PROPOSAL_PLACED || is_open(s);
    }
    full = d->v_slots[j] - used <= 0;
    int32_t s = M->st[j * d->nc + i];
    if (placed) return LM_CONSTRAINT_PLACED;
    if ((busy && M->exclusive) || is_open(s)) return LM_CONSTRAINT_IN_PROGRESS;
    if (full) return LM_CONSTRAINT_VACANCY_FULL;
    if (M->cooldown > 0 && (s == LM_PROPOSAL_REJECTED || s == LM_PROPOSAL_DECLINED) &&
        today - M->day[j * d->nc + i] < M->cooldown)
        return LM_CONSTRAINT_COOLDOWN;
    return LM_CONSTRAINT_NONE;
}

/* ---- an independent exact solver: successive shortest paths with
 * Bellman-Ford on the residual graph (source -> person (cap 1) -> vacancy
 * (cap) -> sink), augmenting while a path has negative cost. */
typedef struct fe {
    int to, cap;
    int64_t cost;
} fe;
static int64_t ref_max_weight(size_t n, size_t nv, const int32_t *cap, size_t ne, const uint32_t *ep, const uint32_t *ev,
                              const int64_t *w) {
    int N = (int)(n + nv + 2), S = (int)(n + nv), Tn = S + 1;
    size_t ME = 2 * (ne + n + nv);
    fe *E = calloc(ME + 1, sizeof *E);
    int *head = malloc((size_t)N * sizeof *head), *next = malloc((ME + 1) * sizeof *next);
    for (int x = 0; x < N; x++) head[x] = -1;
    int m = 0;
#define ADD(a, b, c, k)                                           \
    do {                                                          \
        E[m] = (fe){b, c, k}, next[m] = head[a], head[a] = m++;   \
        E[m] = (fe){a, 0, -(k)}, next[m] = head[b], head[b] = m++; \
    } while (0)
    for (size_t i = 0; i < n; i++) ADD(S, (int)i, 1, 0);
    for (size_t j = 0; j < nv; j++) ADD((int)(n + j), Tn, cap[j], 0);
    for (size_t e = 0; e < ne; e++) ADD((int)ep[e], (int)(n + ev[e]), 1, -w[e]);
#undef ADD
    int64_t total = 0, *dist = malloc((size_t)N * sizeof *dist);
    int *pe = malloc((size_t)N * sizeof *pe);
    for (;;) {
        for (int x = 0; x < N; x++) dist[x] = INT64_MAX, pe[x] = -1;
        dist[S] = 0;
        for (int it = 0; it < N; it++) {
            int changed = 0;
            for (int x = 0; x < N; x++) {
                if (dist[x] == INT64_MAX) continue;
                for (int a = head[x]; a >= 0; a = next[a])
                    if (E[a].cap > 0 && dist[x] + E[a].cost < dist[E[a].to]) {
                        dist[E[a].to] = dist[x] + E[a].cost, pe[E[a].to] = a, changed = 1;
                    }
            }
            if (!changed) break;
        }
        if (dist[Tn] == INT64_MAX || dist[Tn] >= 0) break;
        for (int x = Tn; x != S; x = E[pe[x] ^ 1].to) E[pe[x]].cap--, E[pe[x] ^ 1].cap++;
        total -= dist[Tn];
    }
    free(E), free(head), free(next), free(dist), free(pe);
    return total;
}

static size_t idx_of(const int64_t *ids, size_t n, int64_t id) {
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id) return i;
    cr_assert_fail("id %lld not in the data", (long long)id);
    return SIZE_MAX;
}

/* Every pair explained: base constraint from an engine without history,
 * the history's constraint from the model; the annotation from the model. */
static void check_explain(const tu_data *d, const model *M, lm_engine *e0, lm_engine *eh, lm_snapshot *s, int today,
                          float *score_h) {
    lm_viewer v = all_viewer();
    for (size_t j = 0; j < d->nv; j++)
        for (size_t i = 0; i < d->nc; i++) {
            lm_match m0, mh;
            cr_assert_eq(lm_engine_explain(&m0, sizeof m0, e0, s, &v, d->v_id[j], d->c_id[i]), LM_OK);
            cr_assert_eq(lm_engine_explain(&mh, sizeof mh, eh, s, &v, d->v_id[j], d->c_id[i]), LM_OK);
            int want = m0.constraint != LM_CONSTRAINT_NONE ? m0.constraint : model_constraint(d, M, j, i, today);
            cr_assert_eq(mh.constraint, want, "pair (%zu, %zu): constraint %d, want %d", j, i, mh.constraint, want);
            cr_assert_eq(mh.score, want == LM_CONSTRAINT_NONE ? m0.score : 0.f);
            int32_t ps = M->st[j * d->nc + i];
            cr_assert_eq(mh.process_status, ps);
            cr_assert_eq(mh.process_day, ps < 0 ? 0 : M->day[j * d->nc + i]);
            if (ps == LM_PROPOSAL_PLACED || is_open(ps)) cr_assert_eq(mh.lead_org, M->org[j * d->nc + i]);
            cr_assert_eq(m0.process_status, -1);
            score_h[j * d->nc + i] = want == LM_CONSTRAINT_NONE ? mh.score : -1.f;
        }
}

/* A batch direction against the brute-force top-k over the allowed pairs. */
static void check_lists(const tu_data *d, const model *M, lm_results *b, int dir, uint32_t k, const float *score_h) {
    size_t nl;
    cr_assert_eq(lm_results_lists(&nl, b, dir), LM_OK);
    size_t other = dir == LM_DIR_VACANCY ? d->nc : d->nv;
    tu_hit *ref = malloc((other + 1) * sizeof *ref);
    lm_match *m = calloc(other + 1, sizeof *m);
    int64_t *got = malloc((other + 1) * sizeof *got);
    float *sc = malloc((other + 1) * sizeof *sc);
    for (size_t l = 0; l < nl; l++) {
        int64_t id;
        size_t first, len, copied;
        cr_assert_eq(lm_results_list(&id, &first, &len, b, dir, l), LM_OK);
        size_t me = dir == LM_DIR_VACANCY ? idx_of(d->v_id, d->nv, id) : idx_of(d->c_id, d->nc, id);
        size_t nref = 0;
        for (size_t o = 0; o < other; o++) {
            size_t j = dir == LM_DIR_VACANCY ? me : o, i = dir == LM_DIR_VACANCY ? o : me;
            if (score_h[j * d->nc + i] < 0) continue;
            ref[nref++] = (tu_hit){score_h[j * d->nc + i], dir == LM_DIR_VACANCY ? d->c_id[i] : d->v_id[j]};
        }
        qsort(ref, nref, sizeof *ref, tu_hit_cmp);
        cr_assert_eq(lm_results_copy(m, sizeof *m, len, &copied, b, dir, first), LM_OK);
        for (size_t q = 0; q < len; q++) {
            got[q] = dir == LM_DIR_VACANCY ? m[q].candidate_id : m[q].vacancy_id;
            sc[q] = m[q].score;
            size_t j = idx_of(d->v_id, d->nv, m[q].vacancy_id), i = idx_of(d->c_id, d->nc, m[q].candidate_id);
            cr_assert_eq(m[q].process_status, M->st[j * d->nc + i], "batch rows carry the pair's status");
            cr_assert(score_h[j * d->nc + i] >= 0, "pair (%zu, %zu) is excluded by the history (constraint %d)", j, i,
                      model_constraint(d, M, j, i, M->today));
        }
        tu_assert_topk(got, sc, len, ref, nref, k, 1e-5, dir == LM_DIR_VACANCY ? "vacancy list" : "candidate list");
    }
    free(ref), free(m), free(got), free(sc);
}

/* The assignment: allowed pairs only, within free slots, objective equal to
 * the reference solver's on the batch graph with the stability term. */
static void check_assign(const tu_data *d, const model *M, lm_results *b, lm_assignment *a, int today,
                         const float *score_h) {
    size_t np;
    cr_assert_eq(lm_assignment_count(&np, a), LM_OK);
    lm_match *m = calloc(np + 1, sizeof *m);
    size_t copied;
    cr_assert_eq(lm_assignment_copy(m, sizeof *m, np, &copied, a, 0), LM_OK);
    int *per_v = calloc(d->nv, sizeof *per_v);
    for (size_t x = 0; x < np; x++) {
        size_t j = idx_of(d->v_id, d->nv, m[x].vacancy_id), i = idx_of(d->c_id, d->nc, m[x].candidate_id);
        cr_assert_eq(model_constraint(d, M, j, i, today), LM_CONSTRAINT_NONE, "proposal of an excluded pair");
        cr_assert(score_h[j * d->nc + i] >= 0);
        per_v[j]++;
    }
    int32_t *cap = calloc(d->nv, sizeof *cap);
    for (size_t j = 0; j < d->nv; j++) {
        int used = 0;
        for (size_t i = 0; i < d->nc; i++) used += M->st[j * d->nc + i] == LM_PROPOSAL_PLACED || is_open(M->st[j * d->nc + i]);
        cap[j] = d->v_slots[j] - used > 0 ? d->v_slots[j] - used : 0;
        cr_assert(per_v[j] <= cap[j], "vacancy %zu: %d proposals, %d free slots", j, per_v[j], cap[j]);
    }
    /* the graph: every pair in either direction's lists */
    uint8_t *in = calloc(d->nv * d->nc, 1);
    float *es = calloc(d->nv * d->nc, sizeof *es);
    for (int dir = 0; dir < 2; dir++) {
        size_t nh;
        cr_assert_eq(lm_results_count(&nh, b, dir), LM_OK);
        lm_match *h = calloc(nh + 1, sizeof *h);
        cr_assert_eq(lm_results_copy(h, sizeof *h, nh, &copied, b, dir, 0), LM_OK);
        for (size_t x = 0; x < nh; x++) {
            size_t j = idx_of(d->v_id, d->nv, h[x].vacancy_id), i = idx_of(d->c_id, d->nc, h[x].candidate_id);
            in[j * d->nc + i] = 1;
            es[j * d->nc + i] = h[x].score;
        }
        free(h);
    }
    size_t ne = 0;
    uint32_t *ep = malloc(d->nv * d->nc * sizeof *ep + 4), *ev = malloc(d->nv * d->nc * sizeof *ev + 4);
    int64_t *w = malloc(d->nv * d->nc * sizeof *w + 8);
    for (size_t j = 0; j < d->nv; j++)
        for (size_t i = 0; i < d->nc; i++) {
            if (!in[j * d->nc + i]) continue;
            double bonus = M->st[j * d->nc + i] == LM_PROPOSAL_PROPOSED ? (double)M->margin : 0.0;
            int64_t val = (int64_t)floor(((double)es[j * d->nc + i] + bonus) * 1e6 + 0.5);
            if (val <= 0) continue;
            ep[ne] = (uint32_t)i, ev[ne] = (uint32_t)j, w[ne] = val, ne++;
        }
    int64_t want = ref_max_weight(d->nc, d->nv, cap, ne, ep, ev, w);
    double obj;
    cr_assert_eq(lm_assignment_stat(&obj, a, LM_ASTAT_OBJECTIVE_SCALED), LM_OK);
    cr_assert_eq((int64_t)obj, want, "objective %lld, reference %lld", (long long)obj, (long long)want);
    free(m), free(per_v), free(cap), free(in), free(es), free(ep), free(ev), free(w);
}

/* A random legal change of each non-final pair, with some probability. */
static void random_changes(const tu_data *d, model *M, hrows *H, int64_t *next_pid, uint64_t *rs, int today,
                           int step) {
    for (size_t j = 0; j < d->nv; j++)
        for (size_t i = 0; i < d->nc; i++) {
            size_t x = j * d->nc + i;
            int32_t s = M->st[x];
            if (s < 0 || s == LM_PROPOSAL_PLACED || s > LM_PROPOSAL_PLACED || tu_unif(rs) < 0.4) continue;
            int32_t to;
            do to = tu_int(rs, 0, 7);
            while (!T[s][to]);
            cr_assert_eq(lm_proposal_transition(s, to), LM_OK);
            int64_t org = to == LM_PROPOSAL_INTRODUCED ? tu_int(rs, 1, 5) : (is_open(to) || to == LM_PROPOSAL_PLACED ? M->org[x] : 0);
            int32_t day = today + tu_int(rs, 0, step - 1);
            hr_push(H, (*next_pid)++, d->v_id[j], d->c_id[i], to, day, org);
            M->st[x] = to, M->day[x] = day, M->org[x] = org;
        }
}

static void run_nights(uint64_t seed, size_t nc, size_t nv, int exclusive, int cooldown, float margin) {
    tu_data d;
    tu_generate(&d, seed, nc, nv, 6, 0.8);
    for (size_t i = 0; i < nc; i++) d.c_scope[i] = LM_SCOPE_NATIONAL;
    lm_pool *p = tu_pool(&d);
    lm_snapshot *s;
    cr_assert_eq(lm_pool_snapshot(&s, p), LM_OK);
    model M = {calloc(nc * nv, sizeof(int32_t)), calloc(nc * nv, sizeof(int32_t)), calloc(nc * nv, sizeof(int64_t)),
               cooldown, exclusive, margin, 0};
    for (size_t x = 0; x < nc * nv; x++) M.st[x] = -1;
    hrows H = {0};
    int64_t next_pid = 1000;
    uint64_t rs = seed * 31 + 7;
    float *score_h = malloc(nc * nv * sizeof *score_h);
    lm_viewer v = all_viewer();
    double excluded_total = 0;
    for (int night = 0; night < 6; night++) {
        int today = 20 + 5 * night, step = 5;
        M.today = today;
        lm_engine *e0 = make_engine(today, cooldown, exclusive, margin), *eh = make_engine(today, cooldown, exclusive, margin);
        lm_history *h = hr_history(&H);
        cr_assert_eq(lm_engine_set_history(eh, h), LM_OK);
        lm_history_free(h);
        check_explain(&d, &M, e0, eh, s, today, score_h);
        lm_batch_options o = LM_BATCH_OPTIONS_INIT;
        o.k_candidates = 3;
        o.k_vacancies = 2;
        lm_results *b;
        cr_assert_eq(lm_engine_batch(&b, eh, s, &v, &o), LM_OK, "%s", lm_engine_errmsg(eh));
        size_t nl, out_people = 0;
        cr_assert_eq(lm_results_lists(&nl, b, LM_DIR_VACANCY), LM_OK);
        cr_assert_eq(nl, nv, "every vacancy has a list (a full one an empty list)");
        for (size_t i = 0; i < nc; i++) {
            int placed = 0, busy = 0;
            for (size_t j = 0; j < nv; j++) {
                placed |= M.st[j * nc + i] == LM_PROPOSAL_PLACED;
                busy |= is_open(M.st[j * nc + i]);
            }
            out_people += placed || (busy && exclusive);
        }
        cr_assert_eq(lm_results_lists(&nl, b, LM_DIR_CANDIDATE), LM_OK);
        cr_assert_eq(nl, nc - out_people, "night %d: placed and busy people have no list", night);
        check_lists(&d, &M, b, LM_DIR_VACANCY, o.k_candidates, score_h);
        check_lists(&d, &M, b, LM_DIR_CANDIDATE, o.k_vacancies, score_h);
        double ex;
        cr_assert_eq(lm_results_stat(&ex, b, LM_STAT_HISTORY_EXCLUDED), LM_OK);
        cr_assert(ex >= 0);
        excluded_total += ex;
        lm_assignment *a;
        cr_assert_eq(lm_engine_assign(&a, eh, b, NULL), LM_OK, "%s", lm_engine_errmsg(eh));
        check_assign(&d, &M, b, a, today, score_h);
        /* the night's proposals become history rows, then the day's changes */
        size_t np, copied;
        cr_assert_eq(lm_assignment_count(&np, a), LM_OK);
        lm_match *m = calloc(np + 1, sizeof *m);
        cr_assert_eq(lm_assignment_copy(m, sizeof *m, np, &copied, a, 0), LM_OK);
        for (size_t x = 0; x < np; x++) {
            size_t j = idx_of(d.v_id, nv, m[x].vacancy_id), i = idx_of(d.c_id, nc, m[x].candidate_id);
            if (M.st[j * nc + i] == LM_PROPOSAL_PROPOSED) continue; /* still open: no new row */
            hr_push(&H, next_pid++, m[x].vacancy_id, m[x].candidate_id, LM_PROPOSAL_PROPOSED, today, 0);
            M.st[j * nc + i] = LM_PROPOSAL_PROPOSED, M.day[j * nc + i] = today, M.org[j * nc + i] = 0;
        }
        free(m);
        random_changes(&d, &M, &H, &next_pid, &rs, today, step);
        lm_assignment_free(a);
        lm_results_free(b);
        lm_engine_free(e0);
        lm_engine_free(eh);
    }
    cr_assert(H.n > 10, "the simulation made history (%zu rows)", H.n);
    (void)excluded_total;
    free(score_h), free(M.st), free(M.day), free(M.org);
    hr_free(&H);
    lm_snapshot_free(s);
    lm_pool_free(p);
    tu_free(&d);
}

Test(history, nights_match_reference_exclusive) { run_nights(11, 36, 20, 1, 12, 0.05f); }
Test(history, nights_match_reference_not_exclusive) { run_nights(12, 30, 24, 0, 8, 0.2f); }
Test(history, nights_match_reference_no_cooldown) { run_nights(13, 40, 16, 1, 0, 0.0f); }

/* ---- stability ------------------------------------------------------------ */
/* Unchanged pools: the second night, with the first night's proposals as open
 * `proposed` history, keeps every one of them. */
Test(history, second_night_keeps_open_proposals) {
    for (uint64_t seed = 40; seed < 44; seed++) {
        tu_data d;
        tu_generate(&d, seed, 50, 30, 5, 0.9);
        for (size_t i = 0; i < d.nc; i++) d.c_scope[i] = LM_SCOPE_NATIONAL;
        lm_pool *p = tu_pool(&d);
        lm_snapshot *s;
        cr_assert_eq(lm_pool_snapshot(&s, p), LM_OK);
        lm_viewer v = all_viewer();
        lm_engine *e = make_engine(30, 90, 1, 0.05);
        lm_batch_options o = LM_BATCH_OPTIONS_INIT;
        o.k_candidates = 4;
        o.k_vacancies = 3;
        lm_assign_options ao = LM_ASSIGN_OPTIONS_INIT;
        ao.max_per_candidate = 1 + (uint32_t)(seed % 2);
        lm_results *b1, *b2;
        lm_assignment *a1, *a2;
        cr_assert_eq(lm_engine_batch(&b1, e, s, &v, &o), LM_OK);
        cr_assert_eq(lm_engine_assign(&a1, e, b1, &ao), LM_OK);
        size_t n1, n2, copied;
        cr_assert_eq(lm_assignment_count(&n1, a1), LM_OK);
        cr_assert(n1 > 5);
        lm_match *m1 = calloc(n1, sizeof *m1);
        cr_assert_eq(lm_assignment_copy(m1, sizeof *m1, n1, &copied, a1, 0), LM_OK);
        hrows H = {0};
        for (size_t x = 0; x < n1; x++) {
            cr_assert_eq(m1[x].process_status, -1);
            hr_push(&H, (int64_t)x + 1, m1[x].vacancy_id, m1[x].candidate_id, LM_PROPOSAL_PROPOSED, 30, 0);
        }
        lm_history *h = hr_history(&H);
        cr_assert_eq(lm_engine_set_history(e, h), LM_OK);
        lm_history_free(h);
        cr_assert_eq(lm_engine_batch(&b2, e, s, &v, &o), LM_OK);
        cr_assert_eq(lm_engine_assign(&a2, e, b2, &ao), LM_OK);
        cr_assert_eq(lm_assignment_count(&n2, a2), LM_OK);
        lm_match *m2 = calloc(n2 + 1, sizeof *m2);
        cr_assert_eq(lm_assignment_copy(m2, sizeof *m2, n2, &copied, a2, 0), LM_OK);
        for (size_t x = 0; x < n1; x++) {
            int kept = 0;
            for (size_t y = 0; y < n2; y++)
                if (m2[y].vacancy_id == m1[x].vacancy_id && m2[y].candidate_id == m1[x].candidate_id) {
                    kept = 1;
                    cr_assert_eq(m2[y].process_status, LM_PROPOSAL_PROPOSED);
                    cr_assert_eq(m2[y].process_day, 30);
                    cr_assert_eq(m2[y].score, m1[x].score, "scores are reported without the margin");
                }
            cr_assert(kept, "seed %llu: proposal %zu not kept", (unsigned long long)seed, x);
        }
        /* the objective counts the margin once per kept proposal */
        double o1, o2;
        cr_assert_eq(lm_assignment_stat(&o1, a1, LM_ASTAT_OBJECTIVE), LM_OK);
        cr_assert_eq(lm_assignment_stat(&o2, a2, LM_ASTAT_OBJECTIVE), LM_OK);
        cr_assert(fabs(o2 - (o1 + 0.05 * (double)n1)) < 1e-5 * (double)n1 + 1e-9, "%g vs %g + margins", o2, o1);
        free(m1), free(m2);
        hr_free(&H);
        lm_assignment_free(a1), lm_assignment_free(a2);
        lm_results_free(b1), lm_results_free(b2);
        lm_engine_free(e);
        lm_snapshot_free(s);
        lm_pool_free(p);
        tu_free(&d);
    }
}

/* ---- explain: one test per constraint ------------------------------------ */
typedef struct fixture {
    tu_data d;
    lm_pool *p;
    lm_snapshot *s;
    lm_viewer v;
    size_t j, i; /* a feasible pair without history */
    size_t j2;   /* another vacancy */
} fixture;

static void fx_setup(fixture *f) {
    tu_generate(&f->d, 99, 40, 20, 4, 1.0);
    for (size_t i = 0; i < f->d.nc; i++) f->d.c_scope[i] = LM_SCOPE_NATIONAL;
    f->p = tu_pool(&f->d);
    cr_assert_eq(lm_pool_snapshot(&f->s, f->p), LM_OK);
    f->v = all_viewer();
    lm_engine *e = make_engine(50, 90, 1, 0.05);
    f->j = SIZE_MAX;
    for (size_t j = 0; j < f->d.nv && f->j == SIZE_MAX; j++)
        for (size_t i = 0; i < f->d.nc && f->j == SIZE_MAX; i++) {
            lm_match m;
            cr_assert_eq(lm_engine_explain(&m, sizeof m, e, f->s, &f->v, f->d.v_id[j], f->d.c_id[i]), LM_OK);
            if (m.constraint == LM_CONSTRAINT_NONE && f->d.v_slots[j] >= 1) f->j = j, f->i = i;
        }
    cr_assert_neq(f->j, SIZE_MAX, "a feasible pair");
    f->j2 = (f->j + 1) % f->d.nv;
    lm_engine_free(e);
}
static void fx_teardown(fixture *f) {
    lm_snapshot_free(f->s);
    lm_pool_free(f->p);
    tu_free(&f->d);
}
static lm_match fx_explain(fixture *f, const hrows *H, int cooldown, int exclusive) {
    lm_engine *e = make_engine(50, cooldown, exclusive, 0.05);
    lm_history *h = hr_history(H);
    cr_assert_eq(lm_engine_set_history(e, h), LM_OK);
    lm_history_free(h);
    lm_match m;
    cr_assert_eq(lm_engine_explain(&m, sizeof m, e, f->s, &f->v, f->d.v_id[f->j], f->d.c_id[f->i]), LM_OK);
    lm_engine_free(e);
    return m;
}

Test(history, explain_placed) {
    fixture f;
    fx_setup(&f);
    hrows H = {0};
    hr_push(&H, 1, f.d.v_id[f.j2], f.d.c_id[f.i], LM_PROPOSAL_PLACED, 40, 7);
    lm_match m = fx_explain(&f, &H, 90, 0);
    cr_assert_eq(m.constraint, LM_CONSTRAINT_PLACED);
    cr_assert_eq(m.score, 0.f);
    cr_assert_eq(m.lead_org, 7);
    cr_assert_eq(m.process_status, -1, "no proposal on this pair");
    hr_free(&H);
    fx_teardown(&f);
}

Test(history, explain_in_progress) {
    fixture f;
    fx_setup(&f);
    hrows H = {0};
    hr_push(&H, 1, f.d.v_id[f.j2], f.d.c_id[f.i], LM_PROPOSAL_PROPOSED, 30, 0);
    hr_push(&H, 2, f.d.v_id[f.j2], f.d.c_id[f.i], LM_PROPOSAL_INTERVIEW, 35, 9);
    lm_match m = fx_explain(&f, &H, 90, 1);
    cr_assert_eq(m.constraint, LM_CONSTRAINT_IN_PROGRESS);
    cr_assert_eq(m.score, 0.f);
    cr_assert_eq(m.lead_org, 9, "the organisation holding the lead elsewhere");
    cr_assert_eq(m.process_status, -1);
    m = fx_explain(&f, &H, 90, 0); /* exclusive_progress off */
    cr_assert_eq(m.constraint, LM_CONSTRAINT_NONE);
    cr_assert(m.score > 0);
    cr_assert_eq(m.lead_org, 9);
    /* the pair's own proposal is in interview: in progress either way */
    hrows H2 = {0};
    hr_push(&H2, 1, f.d.v_id[f.j], f.d.c_id[f.i], LM_PROPOSAL_INTRODUCED, 44, 4);
    m = fx_explain(&f, &H2, 90, 0);
    cr_assert_eq(m.constraint, LM_CONSTRAINT_IN_PROGRESS);
    cr_assert_eq(m.process_status, LM_PROPOSAL_INTRODUCED);
    cr_assert_eq(m.process_day, 44);
    cr_assert_eq(m.lead_org, 4);
    hr_free(&H), hr_free(&H2);
    fx_teardown(&f);
}

Test(history, explain_vacancy_full) {
    fixture f;
    fx_setup(&f);
    hrows H = {0};
    int slots = f.d.v_slots[f.j];
    size_t other = 0;
    for (int k = 0; k < slots; other++) {
        if (other == f.i) continue;
        hr_push(&H, 10 + k, f.d.v_id[f.j], f.d.c_id[other], k % 2 ? LM_PROPOSAL_PLACED : LM_PROPOSAL_INTRODUCED, 45, 3);
        k++;
    }
    lm_match m = fx_explain(&f, &H, 90, 1);
    cr_assert_eq(m.constraint, LM_CONSTRAINT_VACANCY_FULL);
    cr_assert_eq(m.score, 0.f);
    cr_assert_eq(m.process_status, -1);
    /* one slot freed: the last one rejected later */
    hr_push(&H, 99, H.vid[H.n - 1], H.cid[H.n - 1], LM_PROPOSAL_REJECTED, 46, 0);
    if (H.status[H.n - 2] == LM_PROPOSAL_INTRODUCED) {
        m = fx_explain(&f, &H, 90, 1);
        cr_assert_eq(m.constraint, LM_CONSTRAINT_NONE);
    }
    hr_free(&H);
    fx_teardown(&f);
}

Test(history, explain_cooldown) {
    fixture f;
    fx_setup(&f);
    hrows H = {0};
    hr_push(&H, 1, f.d.v_id[f.j], f.d.c_id[f.i], LM_PROPOSAL_PROPOSED, 10, 0);
    hr_push(&H, 2, f.d.v_id[f.j], f.d.c_id[f.i], LM_PROPOSAL_DECLINED, 20, 0);
    lm_match m = fx_explain(&f, &H, 90, 1); /* today 50: 30 days ago */
    cr_assert_eq(m.constraint, LM_CONSTRAINT_COOLDOWN);
    cr_assert_eq(m.score, 0.f);
    cr_assert_eq(m.process_day, 20, "the rejection day");
    cr_assert_eq(m.process_status, LM_PROPOSAL_DECLINED);
    m = fx_explain(&f, &H, 30, 1); /* exactly the cool-down ago: over */
    cr_assert_eq(m.constraint, LM_CONSTRAINT_NONE);
    m = fx_explain(&f, &H, 31, 1);
    cr_assert_eq(m.constraint, LM_CONSTRAINT_COOLDOWN);
    m = fx_explain(&f, &H, 0, 1); /* off */
    cr_assert_eq(m.constraint, LM_CONSTRAINT_NONE);
    /* withdrawn or expired never cool down */
    hr_push(&H, 3, f.d.v_id[f.j], f.d.c_id[f.i], LM_PROPOSAL_WITHDRAWN, 45, 0);
    m = fx_explain(&f, &H, 90, 1);
    cr_assert_eq(m.constraint, LM_CONSTRAINT_NONE);
    cr_assert_eq(m.process_status, LM_PROPOSAL_WITHDRAWN);
    hr_free(&H);
    fx_teardown(&f);
}

/* The order when several apply: placed, in progress, full, cool-down. */
Test(history, explain_order) {
    fixture f;
    fx_setup(&f);
    hrows H = {0};
    hr_push(&H, 1, f.d.v_id[f.j], f.d.c_id[f.i], LM_PROPOSAL_REJECTED, 45, 0);
    cr_assert_eq(fx_explain(&f, &H, 90, 1).constraint, LM_CONSTRAINT_COOLDOWN);
    size_t other = f.i == 0 ? 1 : 0;
    for (int k = 0; k < f.d.v_slots[f.j]; k++) {
        hr_push(&H, 10 + k, f.d.v_id[f.j], f.d.c_id[other], LM_PROPOSAL_INTRODUCED, 45, 3);
        other++;
        if (other == f.i) other++;
    }
    cr_assert_eq(fx_explain(&f, &H, 90, 1).constraint, LM_CONSTRAINT_VACANCY_FULL);
    hr_push(&H, 50, f.d.v_id[f.j2], f.d.c_id[f.i], LM_PROPOSAL_INTRODUCED, 46, 3);
    cr_assert_eq(fx_explain(&f, &H, 90, 1).constraint, LM_CONSTRAINT_IN_PROGRESS);
    hr_push(&H, 51, f.d.v_id[f.j2], f.d.c_id[f.i], LM_PROPOSAL_PLACED, 47, 3);
    cr_assert_eq(fx_explain(&f, &H, 90, 1).constraint, LM_CONSTRAINT_PLACED);
    hr_free(&H);
    fx_teardown(&f);
}

/* ---- a caller compiled against 1.0 ---------------------------------------- */
static void check_guard(const unsigned char *buf, size_t n, const lm_match *full) {
    cr_assert_eq(memcmp(buf, full, LM_MATCH_SIZE_1_0), 0, "the 1.0 fields");
    for (size_t b = LM_MATCH_SIZE_1_0; b < n; b++) cr_assert_eq(buf[b], 0xAB, "byte %zu written", b);
}

Test(history, old_size_caller) {
    fixture f;
    fx_setup(&f);
    hrows H = {0};
    hr_push(&H, 1, f.d.v_id[f.j], f.d.c_id[f.i], LM_PROPOSAL_PROPOSED, 45, 0);
    lm_engine *e = make_engine(50, 90, 1, 0.05);
    lm_history *h = hr_history(&H);
    cr_assert_eq(lm_engine_set_history(e, h), LM_OK);
    lm_history_free(h);
    unsigned char buf[LM_MATCH_SIZE_1_0 + 64];
    lm_match full;
    /* explain */
    memset(buf, 0xAB, sizeof buf);
    cr_assert_eq(lm_engine_explain((lm_match *)(void *)buf, LM_MATCH_SIZE_1_0, e, f.s, &f.v, f.d.v_id[f.j], f.d.c_id[f.i]),
                 LM_OK);
    cr_assert_eq(lm_engine_explain(&full, sizeof full, e, f.s, &f.v, f.d.v_id[f.j], f.d.c_id[f.i]), LM_OK);
    cr_assert_eq(full.process_status, LM_PROPOSAL_PROPOSED);
    check_guard(buf, sizeof buf, &full);
    /* results */
    lm_results *r;
    cr_assert_eq(lm_engine_query_vacancy(&r, e, f.s, &f.v, f.d.v_id[f.j], 5), LM_OK);
    size_t copied;
    memset(buf, 0xAB, sizeof buf);
    cr_assert_eq(lm_results_copy((lm_match *)(void *)buf, LM_MATCH_SIZE_1_0, 1, &copied, r, LM_DIR_VACANCY, 0), LM_OK);
    cr_assert_eq(copied, 1);
    cr_assert_eq(lm_results_copy(&full, sizeof full, 1, &copied, r, LM_DIR_VACANCY, 0), LM_OK);
    check_guard(buf, sizeof buf, &full);
    cr_assert_eq(lm_results_copy(&full, LM_MATCH_SIZE_1_0 - 1, 1, &copied, r, LM_DIR_VACANCY, 0), LM_ERR_INVALID);
    double ex;
    cr_assert_eq(lm_results_stat(&ex, r, LM_STAT_HISTORY_EXCLUDED), LM_OK);
    cr_assert_eq(ex, 0.0);
    cr_assert_eq(lm_results_stat(&ex, r, LM_STAT_HISTORY_EXCLUDED + 1), LM_ERR_RANGE);
    /* an assignment */
    lm_viewer v = all_viewer();
    lm_results *b;
    lm_assignment *a;
    cr_assert_eq(lm_engine_batch(&b, e, f.s, &v, NULL), LM_OK);
    cr_assert_eq(lm_engine_assign(&a, e, b, NULL), LM_OK);
    memset(buf, 0xAB, sizeof buf);
    cr_assert_eq(lm_assignment_copy((lm_match *)(void *)buf, LM_MATCH_SIZE_1_0, 1, &copied, a, 0), LM_OK);
    cr_assert_eq(copied, 1);
    cr_assert_eq(lm_assignment_copy(&full, sizeof full, 1, &copied, a, 0), LM_OK);
    check_guard(buf, sizeof buf, &full);
    lm_assignment_free(a);
    lm_results_free(b);
    /* results outlive the engine and the history: the annotation still works */
    lm_engine_free(e);
    lm_match rows[5];
    cr_assert_eq(lm_results_copy(rows, sizeof rows[0], 5, &copied, r, LM_DIR_VACANCY, 0), LM_OK);
    cr_assert(copied >= 1);
    for (size_t q = 0; q < copied; q++)
        cr_assert_eq(rows[q].process_status, rows[q].candidate_id == f.d.c_id[f.i] ? LM_PROPOSAL_PROPOSED : -1);
    lm_results_free(r);
    hr_free(&H);
    fx_teardown(&f);
}
