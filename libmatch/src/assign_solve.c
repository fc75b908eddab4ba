/* The general exact solver (m > 1, employer limits, fairness floors):
 * successive shortest paths with node potentials (Dijkstra on reduced costs),
 * one person at a time, over the residual network
 *
 *   person i --(cap m)--> [limit node (i, employer)] --(cap 1, cost -w)--> vacancy j --(cap c_j)--> T
 *   person i --(drop, cost 0)--> T                  (or via its group node G_g, see below)
 *
 * T is the sink. Every unit of a person's supply ends at T, either through a
 * vacancy (a proposal) or through the drop arc (unassigned), so the shortest
 * path is never positive and no S node is needed. Because T is the only sink
 * and is never expanded, the search stops as soon as T is settled; the
 * potentials of settled nodes move by d(v) - d(T), which keeps every residual
 * arc at a non-negative reduced cost (docs/assignment.md, "Exactness").
 *
 * Fairness floors: the drop arcs of group g's people go to a node G_g with two
 * arcs to T: "free" with capacity supply_g - floor_g at cost 0 and "penalty"
 * with unbounded capacity at cost M > any attainable objective. Minimising
 * cost then first minimises the total shortfall below the floors, then
 * maximises the objective: the floors hold exactly where they can be met.
 */
#include "assign_internal.h"

#include <string.h>

enum { K_FWD = 1, K_REVM, K_REVQ, K_DROP, K_REVDROP };
enum { T_NONE = 0, T_VAC, T_DROP, T_GFREE, T_GPEN };
#define PRED(kind, idx) (((uint64_t)(kind) << 56) | (uint64_t)(idx))
#define IDX_MASK ((UINT64_C(1) << 56) - 1)

typedef struct hent {
    int64_t d;
    uint32_t v;
} hent;

/* Per-node search state in one record: a relaxation touches one cache line. */
typedef struct node {
    int64_t pi, dist;
    uint32_t stamp, done;
    uint64_t pad;
} node;

typedef struct solver {
    const lm__asg_problem *P;
    uint32_t n, nq, nv, ng, VB, GB, N;
    uint32_t L;
    /* arcs out of persons and limit nodes */
    uint32_t *aoff, *ato, *aedge;
    int32_t *aw;
    uint8_t *afl;
    uint32_t *qflow;
    /* vacancies: matched (source node, arc) lists */
    uint32_t *moff, *mcap, *load, *msrc, *marc;
    /* groups */
    uint32_t *supply, *dropped, *goff, *gmem;
    int64_t *gfree_cap, *gfree_used, M;
    /* search */
    node *nd;
    uint32_t *prevn, *visited, epoch;
    uint64_t *pred;
    hent *heap;
    size_t hn, hcap;
} solver;

static void solver_free(solver *s) {
    void *ps[] = {s->aoff, s->ato, s->aedge, s->aw, s->afl, s->qflow, s->moff, s->mcap, s->load, s->msrc, s->marc,
                  s->supply, s->dropped, s->goff, s->gmem, s->gfree_cap, s->gfree_used, s->nd, s->prevn, s->visited, s->pred, s->heap};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) lm__free(ps[i]);
}

/* ---- binary heap with lazy deletion ---- */
static bool hpush(solver *s, int64_t d, uint32_t v) {
    if (s->hn == s->hcap) {
        size_t nc = s->hcap ? 2 * s->hcap : 1024;
        hent *h = lm__realloc(s->heap, nc * sizeof *h);
        if (!h) return false;
        s->heap = h;
        s->hcap = nc;
    }
    hent *h = s->heap;
    size_t i = s->hn++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (h[p].d <= d) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = (hent){d, v};
    return true;
}

static hent hpop(solver *s) {
    hent *h = s->heap, top = h[0], x = h[--s->hn];
    size_t n = s->hn, i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && h[c + 1].d < h[c].d) c++;
        if (h[c].d >= x.d) break;
        h[i] = h[c];
        i = c;
    }
    if (n) h[i] = x;
    return top;
}

/* ---- setup ---- */
#define ALLOC(p, count)                                                                                        \
    do {                                                                                                       \
        size_t bytes_;                                                                                         \
        if (!lm__mul(&bytes_, (size_t)(count) ? (size_t)(count) : 1, sizeof *(p)) || !((p) = lm__calloc(1, bytes_))) \
            return false;                                                                                      \
    } while (0)

static bool setup(solver *s, const lm__asg_problem *P) {
    s->P = P;
    s->n = P->n;
    s->nq = P->eq ? P->nq : 0;
    s->nv = P->nv;
    s->ng = P->floor ? P->ngroups : 0;
    s->VB = s->n + s->nq;
    s->GB = s->VB + s->nv;
    s->N = s->GB + s->ng;
    s->L = P->per_employer;
    size_t E = P->poff[s->n];
    size_t A = E + s->nq;
    uint32_t n = s->n, nq = s->nq;

    ALLOC(s->aoff, (size_t)n + nq + 1);
    ALLOC(s->ato, A);
    ALLOC(s->aedge, A);
    ALLOC(s->aw, A);
    ALLOC(s->afl, A);
    ALLOC(s->qflow, nq);
    ALLOC(s->supply, n);
    /* arcs per source node: a person's direct edges and limit arcs; a limit node's edges */
    uint32_t *cur = s->aoff + 1;
    for (uint32_t i = 0; i < n; i++)
        for (size_t e = P->poff[i]; e < P->poff[i + 1]; e++) cur[P->eq && P->eq[e] != UINT32_MAX ? n + P->eq[e] : i]++;
    for (uint32_t q = 0; q < nq; q++) cur[P->qperson[q]]++;
    for (uint32_t v = 0; v < n + nq; v++) s->aoff[v + 1] += s->aoff[v];
    /* fill with a cursor that starts at each node's first arc (shifted back at the end) */
    for (uint32_t v = n + nq; v > 0; v--) s->aoff[v] = s->aoff[v - 1];
    for (uint32_t i = 0; i < n; i++) {
        for (size_t e = P->poff[i]; e < P->poff[i + 1]; e++) {
            uint32_t src = P->eq && P->eq[e] != UINT32_MAX ? n + P->eq[e] : i;
            uint32_t a = s->aoff[src + 1]++;
            s->ato[a] = s->VB + P->evac[e];
            s->aw[a] = P->ew[e];
            s->aedge[a] = (uint32_t)e;
        }
    }
    for (uint32_t q = 0; q < nq; q++) {
        uint32_t a = s->aoff[P->qperson[q] + 1]++;
        s->ato[a] = n + q;
        s->aw[a] = 0;
        s->aedge[a] = UINT32_MAX;
    }
    s->aoff[0] = 0;
    return true;
}
#undef ALLOC

#define ALLOC(p, count)                                                                                        \
    do {                                                                                                       \
        size_t bytes_;                                                                                         \
        if (!lm__mul(&bytes_, (size_t)(count) ? (size_t)(count) : 1, sizeof *(p)) || !((p) = lm__calloc(1, bytes_))) \
            return false;                                                                                      \
    } while (0)

/* Vacancy lists, supplies, groups and search arrays. */
static bool setup_rest(solver *s) {
    const lm__asg_problem *P = s->P;
    uint32_t n = s->n, nv = s->nv, ng = s->ng;
    size_t E = P->poff[n];
    ALLOC(s->moff, (size_t)nv + 1);
    ALLOC(s->mcap, nv);
    ALLOC(s->load, nv);
    for (size_t e = 0; e < E; e++) s->mcap[P->evac[e]]++;
    for (uint32_t j = 0; j < nv; j++) {
        if ((int64_t)s->mcap[j] > P->cap[j]) s->mcap[j] = (uint32_t)P->cap[j];
        s->moff[j + 1] = s->moff[j] + s->mcap[j];
    }
    ALLOC(s->msrc, s->moff[nv]);
    ALLOC(s->marc, s->moff[nv]);
    /* supply: at most m, and at most what the person's arcs can carry */
    for (uint32_t i = 0; i < n; i++) {
        uint64_t out = 0;
        for (uint32_t a = s->aoff[i]; a < s->aoff[i + 1]; a++) {
            uint32_t to = s->ato[a];
            if (to >= s->VB) out++;
            else {
                uint32_t q = to - n, deg = s->aoff[n + q + 1] - s->aoff[n + q];
                out += deg < s->L ? deg : s->L;
            }
        }
        s->supply[i] = (uint32_t)(out < P->m ? out : P->m);
    }
    if (ng) {
        ALLOC(s->dropped, n);
        ALLOC(s->goff, (size_t)ng + 1);
        ALLOC(s->gfree_cap, ng);
        ALLOC(s->gfree_used, ng);
        size_t members = 0;
        for (uint32_t i = 0; i < n; i++)
            if (s->supply[i]) {
                s->goff[P->pgroup[i] + 1]++;
                s->gfree_cap[P->pgroup[i]] += s->supply[i];
                members++;
            }
        for (uint32_t g = 0; g < ng; g++) {
            s->goff[g + 1] += s->goff[g];
            s->gfree_cap[g] -= P->floor[g];
            if (s->gfree_cap[g] < 0) s->gfree_cap[g] = 0;
        }
        ALLOC(s->gmem, members);
        uint32_t *cur = NULL;
        ALLOC(cur, ng);
        for (uint32_t i = 0; i < n; i++)
            if (s->supply[i]) s->gmem[s->goff[P->pgroup[i]] + cur[P->pgroup[i]]++] = i;
        lm__free(cur);
    }
    ALLOC(s->nd, s->N);
    ALLOC(s->prevn, s->N);
    ALLOC(s->visited, s->N);
    ALLOC(s->pred, s->N);
    return true;
}
#undef ALLOC

/* ---- one shortest path from person src, then augment one unit ---- */
typedef struct term {
    int64_t d;
    int kind;
    uint32_t node;
} term;

static inline bool relax(solver *s, uint32_t to, int64_t d_, uint32_t from, uint64_t pred, int64_t bestT) {
    if (d_ >= bestT) return true;
    node *x = &s->nd[to];
    if (x->stamp == s->epoch && d_ >= x->dist) return true;
    x->stamp = s->epoch;
    x->dist = d_;
    s->prevn[to] = from;
    s->pred[to] = pred;
    return hpush(s, d_, to);
}

/* Returns LM_OK, LM_ERR_NOMEM or LM_ERR_INTERNAL (a negative reduced cost: a bug). */
static int path(solver *s, uint32_t src, term *t) {
    const lm__asg_problem *P = s->P;
    uint32_t n = s->n, VB = s->VB, GB = s->GB, L = s->L;
    node *nd = s->nd;
    if (++s->epoch == 0) { /* wrapped: clear stamps */
        for (uint32_t v = 0; v < s->N; v++) nd[v].stamp = nd[v].done = 0;
        s->epoch = 1;
    }
    uint32_t ep = s->epoch, nvis = 0;
    t->d = INT64_MAX;
    t->kind = T_NONE;
    s->hn = 0;
    nd[src].stamp = ep;
    nd[src].dist = 0;
    s->pred[src] = 0;
    if (!hpush(s, 0, src)) return LM_ERR_NOMEM;
    while (s->hn) {
        hent h = hpop(s);
        uint32_t v = h.v;
        if (nd[v].done == ep || h.d != nd[v].dist) continue;
        if (h.d >= t->d) break;
        int64_t d = h.d;
        nd[v].done = ep;
        s->visited[nvis++] = v;
        if (v < n) { /* person */
            for (uint32_t a = s->aoff[v]; a < s->aoff[v + 1]; a++) {
                uint32_t to = s->ato[a];
                int64_t rc;
                if (to < VB) {
                    if (s->qflow[to - n] >= L) continue;
                    rc = nd[v].pi - nd[to].pi;
                } else {
                    if (s->afl[a]) continue;
                    rc = nd[v].pi - nd[to].pi - s->aw[a];
                }
                if (rc < 0) return LM_ERR_INTERNAL;
                if (nd[to].done != ep && !relax(s, to, d + rc, v, PRED(K_FWD, a), t->d)) return LM_ERR_NOMEM;
            }
            if (s->ng) {
                uint32_t g = GB + P->pgroup[v];
                int64_t rc = nd[v].pi - nd[g].pi;
                if (rc < 0) return LM_ERR_INTERNAL;
                if (nd[g].done != ep && !relax(s, g, d + rc, v, PRED(K_DROP, 0), t->d)) return LM_ERR_NOMEM;
            } else {
                if (nd[v].pi < 0) return LM_ERR_INTERNAL;
                if (d + nd[v].pi < t->d) *t = (term){d + nd[v].pi, T_DROP, v};
            }
        } else if (v < VB) { /* limit node */
            for (uint32_t a = s->aoff[v]; a < s->aoff[v + 1]; a++) {
                if (s->afl[a]) continue;
                uint32_t to = s->ato[a];
                int64_t rc = nd[v].pi - nd[to].pi - s->aw[a];
                if (rc < 0) return LM_ERR_INTERNAL;
                if (nd[to].done != ep && !relax(s, to, d + rc, v, PRED(K_FWD, a), t->d)) return LM_ERR_NOMEM;
            }
            if (s->qflow[v - n] > 0) {
                uint32_t p = P->qperson[v - n];
                int64_t rc = nd[v].pi - nd[p].pi;
                if (rc < 0) return LM_ERR_INTERNAL;
                if (nd[p].done != ep && !relax(s, p, d + rc, v, PRED(K_REVQ, 0), t->d)) return LM_ERR_NOMEM;
            }
        } else if (v < GB) { /* vacancy */
            uint32_t j = v - VB;
            if (s->load[j] < s->mcap[j]) {
                if (nd[v].pi < 0) return LM_ERR_INTERNAL;
                if (d + nd[v].pi < t->d) *t = (term){d + nd[v].pi, T_VAC, v};
            }
            for (uint32_t k = s->moff[j], ke = s->moff[j] + s->load[j]; k < ke; k++) {
                uint32_t to = s->msrc[k];
                int64_t rc = (int64_t)s->aw[s->marc[k]] + nd[v].pi - nd[to].pi;
                if (rc < 0) return LM_ERR_INTERNAL;
                if (nd[to].done != ep && !relax(s, to, d + rc, v, PRED(K_REVM, k), t->d)) return LM_ERR_NOMEM;
            }
        } else { /* group */
            uint32_t g = v - GB;
            if (s->gfree_used[g] < s->gfree_cap[g]) {
                if (nd[v].pi < 0) return LM_ERR_INTERNAL;
                if (d + nd[v].pi < t->d) *t = (term){d + nd[v].pi, T_GFREE, v};
            }
            if (s->M + nd[v].pi < 0) return LM_ERR_INTERNAL;
            if (d + s->M + nd[v].pi < t->d) *t = (term){d + s->M + nd[v].pi, T_GPEN, v};
            for (uint32_t x = s->goff[g]; x < s->goff[g + 1]; x++) {
                uint32_t k = s->gmem[x];
                if (!s->dropped[k]) continue;
                int64_t rc = nd[v].pi - nd[k].pi;
                if (rc < 0) return LM_ERR_INTERNAL;
                if (nd[k].done != ep && !relax(s, k, d + rc, v, PRED(K_REVDROP, 0), t->d)) return LM_ERR_NOMEM;
            }
        }
    }
    if (t->kind == T_NONE) return LM_ERR_INTERNAL; /* the drop arc always reaches T */
    /* potentials: settled nodes move by d(v) - d(T); reduced costs stay >= 0 */
    int64_t D = t->d;
    for (uint32_t x = 0; x < nvis; x++) nd[s->visited[x]].pi += nd[s->visited[x]].dist - D;
    /* augment one unit backwards from the node before T */
    uint32_t v = t->node;
    switch (t->kind) {
    case T_GFREE: s->gfree_used[v - GB]++; break;
    case T_DROP: s->dropped ? (void)s->dropped[v]++ : (void)0; break;
    default: break; /* T_VAC: the arc into the vacancy adds to its list; T_GPEN: unbounded */
    }
    while (v != src) {
        uint64_t pr = s->pred[v];
        uint32_t u = s->prevn[v], idx = (uint32_t)(pr & IDX_MASK);
        switch ((int)(pr >> 56)) {
        case K_FWD:
            if (v < VB) {
                s->qflow[v - n]++;
            } else {
                uint32_t j = v - VB, k = s->moff[j] + s->load[j]++;
                s->afl[idx] = 1;
                s->msrc[k] = u;
                s->marc[k] = idx;
            }
            break;
        case K_REVM: {
            uint32_t j = u - VB, last = s->moff[j] + --s->load[j];
            s->afl[s->marc[idx]] = 0;
            s->msrc[idx] = s->msrc[last];
            s->marc[idx] = s->marc[last];
            break;
        }
        case K_REVQ: s->qflow[u - n]--; break;
        case K_DROP: s->dropped[u]++; break;
        case K_REVDROP: s->dropped[v]--; break;
        default: return LM_ERR_INTERNAL;
        }
        v = u;
    }
    return LM_OK;
}

int lm__asg_solve(uint8_t *flow, const lm__asg_problem *P, lm_err *err) {
    solver s;
    memset(&s, 0, sizeof s);
    size_t E = P->poff[P->n];
    uint64_t nodes = (uint64_t)P->n + (P->eq ? P->nq : 0) + P->nv + (P->floor ? P->ngroups : 0);
    if (nodes >= UINT32_MAX || (uint64_t)E + (P->eq ? P->nq : 0) >= UINT32_MAX)
        return lm__fail(err, LM_ERR_LIMIT, "assign: graph too large (%llu nodes, %zu edges)",
                        (unsigned long long)nodes, E);
    int st = LM_OK;
    if (!setup(&s, P) || !setup_rest(&s)) {
        st = lm__fail(err, LM_ERR_NOMEM, "assign: out of memory");
        goto done;
    }
    if (s.ng) {
        /* M exceeds any attainable objective: sum over people of supply x best value */
        uint64_t M = 1;
        for (uint32_t i = 0; i < s.n; i++) {
            int32_t best = 0;
            for (size_t e = P->poff[i]; e < P->poff[i + 1]; e++)
                if (P->ew[e] > best) best = P->ew[e];
            M += (uint64_t)s.supply[i] * (uint64_t)best;
            if (M > (uint64_t)INT64_MAX / 8) {
                st = lm__fail(err, LM_ERR_LIMIT, "assign: fairness penalty would overflow (graph too large)");
                goto done;
            }
        }
        s.M = (int64_t)M;
    }
    uint64_t step = s.n / 128 + 1;
    for (uint32_t i = 0; i < s.n; i++) {
        if (P->progress && i % step == 0 &&
            P->progress(P->progress_user, P->progress_base + i, P->progress_total)) {
            st = lm__fail(err, LM_ERR_CANCELLED, "assign: cancelled by the progress callback");
            goto done;
        }
        if (!s.supply[i]) continue;
        /* Lazy start potential: the person (and its limit nodes) were unreachable until now,
         * so the tightest feasible value can be set here. */
        int64_t best = s.ng ? s.nd[s.GB + P->pgroup[i]].pi : 0;
        for (uint32_t a = s.aoff[i]; a < s.aoff[i + 1]; a++) {
            uint32_t to = s.ato[a];
            int64_t c;
            if (to < s.VB) {
                int64_t qb = INT64_MIN;
                for (uint32_t b = s.aoff[to]; b < s.aoff[to + 1]; b++) {
                    int64_t x = (int64_t)s.aw[b] + s.nd[s.ato[b]].pi;
                    if (x > qb) qb = x;
                }
                s.nd[to].pi = qb;
                c = qb;
            } else {
                c = (int64_t)s.aw[a] + s.nd[to].pi;
            }
            if (c > best) best = c;
        }
        s.nd[i].pi = best;
        for (uint32_t u = 0; u < s.supply[i]; u++) {
            term t;
            st = path(&s, i, &t);
            if (st == LM_ERR_NOMEM) {
                st = lm__fail(err, LM_ERR_NOMEM, "assign: out of memory");
                goto done;
            }
            if (st) {
                st = lm__fail(err, LM_ERR_INTERNAL, "assign: negative reduced cost (internal error)");
                goto done;
            }
            /* Once a unit is dropped straight away, every further unit would be too. */
            if (!s.ng && t.kind == T_DROP && t.node == i) break;
        }
    }
    memset(flow, 0, E ? E : 1);
    for (uint32_t a = 0; a < s.aoff[s.n + s.nq]; a++)
        if (s.afl[a] && s.aedge[a] != UINT32_MAX) flow[s.aedge[a]] = 1;
done:
    solver_free(&s);
    return st;
}

/* ---- greedy baseline ---- */
int lm__asg_greedy(uint8_t *flow, const lm__asg_problem *P, lm_err *err) {
    size_t E = P->poff[P->n];
    memset(flow, 0, E ? E : 1);
    if (!E) return LM_OK;
    uint64_t *key = lm__malloc(E * sizeof *key), *tmp = lm__malloc(E * sizeof *tmp);
    uint32_t *owner = lm__malloc(E * sizeof *owner);
    uint32_t *pc = lm__calloc(P->n ? P->n : 1, sizeof *pc), *vc = lm__calloc(P->nv ? P->nv : 1, sizeof *vc);
    uint32_t *qc = lm__calloc(P->nq ? P->nq : 1, sizeof *qc);
    size_t *cnt = lm__malloc(65536 * sizeof *cnt);
    uint32_t *at = NULL;
    int st = LM_OK;
    if (!key || !tmp || !owner || !pc || !vc || !qc || !cnt) {
        st = lm__fail(err, LM_ERR_NOMEM, "assign: out of memory");
        goto done;
    }
    /* Ties go by the caller's input order of the edges (docs/assignment.md),
     * not by the person-major order of this problem: a lower person number
     * must not win ties. at[] maps an input index back to the edge. */
    size_t nin = 0;
    for (size_t e = 0; e < E; e++) {
        size_t o = P->eorig ? P->eorig[e] : e;
        if (o + 1 > nin) nin = o + 1;
    }
    at = lm__malloc(nin * sizeof *at);
    if (!at) {
        st = lm__fail(err, LM_ERR_NOMEM, "assign: out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < P->n; i++)
        for (size_t e = P->poff[i]; e < P->poff[i + 1]; e++) {
            size_t o = P->eorig ? P->eorig[e] : e;
            owner[e] = i;
            at[o] = (uint32_t)e;
            key[e] = ((uint64_t)(uint32_t)(INT32_MAX - P->ew[e]) << 32) | (uint64_t)o;
        }
    /* LSD radix sort, 16-bit digits: value descending, then input index */
    for (int pass = 0; pass < 4; pass++) {
        int sh = 16 * pass;
        memset(cnt, 0, 65536 * sizeof *cnt);
        for (size_t e = 0; e < E; e++) cnt[(key[e] >> sh) & 0xFFFF]++;
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = cnt[d];
            cnt[d] = sum;
            sum += c;
        }
        for (size_t e = 0; e < E; e++) tmp[cnt[(key[e] >> sh) & 0xFFFF]++] = key[e];
        uint64_t *x = key;
        key = tmp;
        tmp = x;
    }
    for (size_t r = 0; r < E; r++) {
        size_t e = at[key[r] & 0xFFFFFFFFu];
        uint32_t i = owner[e], j = P->evac[e];
        if (pc[i] >= P->m || (int64_t)vc[j] >= P->cap[j]) continue;
        uint32_t q = P->eq ? P->eq[e] : UINT32_MAX;
        if (q != UINT32_MAX && qc[q] >= P->per_employer) continue;
        pc[i]++;
        vc[j]++;
        if (q != UINT32_MAX) qc[q]++;
        flow[e] = 1;
    }
done:
    lm__free(key);
    lm__free(tmp);
    lm__free(owner);
    lm__free(pc);
    lm__free(vc);
    lm__free(qc);
    lm__free(cnt);
    lm__free(at);
    return st;
}
