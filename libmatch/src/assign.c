/* Coordinated proposals: input checks, the graph from a batch, the two solves
 * (unconstrained, then with fairness floors), the greedy baseline and the
 * outcome report. Solvers: assign_auction.c (m = 1, the fast path) and
 * assign_solve.c (the general one). */
#include "assign_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_M 1000u
#define MAX_EDGES ((size_t)INT32_MAX)

typedef struct prop {
    uint32_t person, vacancy, cslot, vslot, rank;
    float score, dot;
    int32_t pgroup, vgroup;
} prop;

struct lm_assignment {
    size_t n;
    prop *p;
    bool batch;
    lm_snapshot *snap;  /* batch only: referenced, for explanations */
    lm_travel *travel_ref;
    lm_history *hist;   /* batch only: referenced, for the annotation */
    lm_eval_ctx ctx;
    double stat[LM_ASTAT_UNCONSTRAINED_PROPOSALS + 1];
    size_t ngroups;
    lm_group_report *groups;
};

/* The common input of both entry points. */
typedef struct core_in {
    size_t n, nv, ne;
    const int32_t *cap, *pgroup, *vgroup;
    const int64_t *vemp;
    const float *prio;
    const uint32_t *ep, *ev;
    const float *es;
    /* batch only */
    const lm_results *batch;
    const uint32_t *cslot, *vslot;
    const float *edot;
    const float *ebonus; /* per edge: stability term added to the value, or NULL */
    lm_history *hist;
} core_in;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void lm_assignment_free(lm_assignment *a) {
    if (!a) return;
    lm__free(a->p);
    lm__free(a->groups);
    lm_travel_free(a->travel_ref);
    lm_history_free(a->hist);
    lm_snapshot_free(a->snap);
    lm__free(a);
}

/* ---- option checks ---- */
static int check_options(lm_assign_options *o, const lm_assign_options *in, lm_err *err, const char *what) {
    lm_assign_options d = LM_ASSIGN_OPTIONS_INIT;
    *o = d;
    if (in) {
        if (in->struct_size < sizeof *in)
            return lm__fail(err, LM_ERR_INVALID, "%s: options struct_size %zu too small (use LM_ASSIGN_OPTIONS_INIT)",
                            what, in->struct_size);
        *o = *in;
    }
    if (o->max_per_candidate < 1 || o->max_per_candidate > MAX_M)
        return lm__fail(err, LM_ERR_RANGE, "%s: max_per_candidate %u not in 1..%u", what, o->max_per_candidate, MAX_M);
    if (isnan(o->priority_weight))
        return lm__fail(err, LM_ERR_NONFINITE, "%s: priority_weight is NaN", what);
    if (!(o->priority_weight >= 0 && o->priority_weight <= LM_ASSIGN_MAX_PRIORITY_WEIGHT))
        return lm__fail(err, LM_ERR_RANGE, "%s: priority_weight %g not in 0..%g", what, o->priority_weight,
                        LM_ASSIGN_MAX_PRIORITY_WEIGHT);
    if (isnan(o->fairness_floor)) return lm__fail(err, LM_ERR_NONFINITE, "%s: fairness_floor is NaN", what);
    if (!(o->fairness_floor >= 0 && o->fairness_floor <= 1))
        return lm__fail(err, LM_ERR_RANGE, "%s: fairness_floor %g not in 0..1", what, o->fairness_floor);
    return LM_OK;
}

/* The scaled value of an edge: floor((score + w * priority + bonus) * 1e6 + 0.5),
 * bonus the stability margin of a kept open proposal (0..1, so the value
 * stays below 2^31 with w <= LM_ASSIGN_MAX_PRIORITY_WEIGHT). */
static inline int32_t scaled(float score, double pw, float prio, float bonus) {
    double v = (double)score + pw * (double)prio + (double)bonus;
    return (int32_t)floor(v * 1e6 + 0.5);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}
static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Dense index of each value among the sorted distinct values. */
static size_t dense_i64(const int64_t *vals, size_t n, const int64_t *uniq, size_t nu) {
    (void)n;
    const int64_t *p = bsearch(vals, uniq, nu, sizeof *uniq, cmp_i64);
    return (size_t)(p - uniq);
}

static int cmp_prop(const void *a, const void *b) {
    const prop *x = a, *y = b;
    if (x->vacancy != y->vacancy) return x->vacancy < y->vacancy ? -1 : 1;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return (x->person > y->person) - (x->person < y->person);
}

typedef struct work {
    size_t *poff;
    uint32_t *evac, *eorig, *eq, *qperson, *pgd;
    int32_t *ew;
    uint8_t *flow, *flow_u, *gflow;
    int64_t *floor;
    int32_t *guniq;
    uint32_t *elig;
    size_t ng;
} work;

static void work_free(work *w) {
    void *ps[] = {w->poff, w->evac, w->eorig, w->eq, w->qperson, w->pgd, w->ew, w->flow, w->flow_u, w->gflow, w->floor,
                  w->guniq, w->elig};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) lm__free(ps[i]);
}

#define WALLOC(p, count)                                                                                        \
    do {                                                                                                        \
        size_t b_;                                                                                              \
        if (!lm__mul(&b_, (size_t)(count) ? (size_t)(count) : 1, sizeof *(p)) || !((p) = lm__calloc(1, b_))) \
            goto nomem;                                                                                         \
    } while (0)

/* Validate, build the person-major problem, solve, report. */
static int core(lm_assignment **out, lm_err *err, const core_in *in, const lm_assign_options *opts, const char *what,
                double t0) {
    lm_assign_options o;
    int st = check_options(&o, opts, err, what);
    if (st) return st;
    size_t n = in->n, nv = in->nv, ne = in->ne;
    if (n > LM_MAX_ROWS || nv > LM_MAX_ROWS)
        return lm__fail(err, LM_ERR_LIMIT, "%s: %zu people and %zu vacancies; at most %d each", what, n, nv,
                        LM_MAX_ROWS);
    if (ne > MAX_EDGES) return lm__fail(err, LM_ERR_LIMIT, "%s: %zu edges; at most %zu", what, ne, MAX_EDGES);
    if (nv && !in->cap) return lm__fail(err, LM_ERR_NULL, "%s: capacity is NULL", what);
    if (ne && (!in->ep || !in->ev || !in->es))
        return lm__fail(err, LM_ERR_NULL, "%s: edge_person, edge_vacancy and edge_score are required", what);
    for (size_t j = 0; j < nv; j++)
        if (in->cap[j] < 0)
            return lm__fail(err, LM_ERR_RANGE, "%s: capacity[%zu] = %d is negative", what, j, in->cap[j]);
    if (in->prio)
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(in->prio[i]))
                return lm__fail(err, LM_ERR_NONFINITE, "%s: person_priority[%zu] is not finite", what, i);
            if (in->prio[i] < 0 || in->prio[i] > 1)
                return lm__fail(err, LM_ERR_RANGE, "%s: person_priority[%zu] = %g not in 0..1", what, i,
                                (double)in->prio[i]);
        }
    for (size_t e = 0; e < ne; e++) {
        if (in->ep[e] >= n)
            return lm__fail(err, LM_ERR_RANGE, "%s: edge %zu: person %u out of range (%zu people)", what, e, in->ep[e],
                            n);
        if (in->ev[e] >= nv)
            return lm__fail(err, LM_ERR_RANGE, "%s: edge %zu: vacancy %u out of range (%zu vacancies)", what, e,
                            in->ev[e], nv);
        if (!isfinite(in->es[e])) return lm__fail(err, LM_ERR_NONFINITE, "%s: edge %zu: score is not finite", what, e);
        if (in->es[e] < 0 || in->es[e] > 1)
            return lm__fail(err, LM_ERR_RANGE, "%s: edge %zu: score %g not in 0..1", what, e, (double)in->es[e]);
    }

    work w;
    memset(&w, 0, sizeof w);
    lm_assignment *a = NULL;
    uint32_t *mark = NULL, *ecount = NULL, *eqid = NULL, *vempd = NULL, *ebuf = NULL;
    int64_t *emps = NULL;
    size_t *cursor = NULL;
    /* person-major order of all edges (stable), for the duplicate check */
    WALLOC(w.poff, n + 1);
    WALLOC(cursor, n + 1);
    WALLOC(ebuf, ne);
    for (size_t e = 0; e < ne; e++) cursor[in->ep[e] + 1]++;
    for (size_t i = 0; i < n; i++) cursor[i + 1] += cursor[i];
    for (size_t e = 0; e < ne; e++) ebuf[cursor[in->ep[e]]++] = (uint32_t)e;
    WALLOC(mark, nv);
    {
        size_t s = 0;
        for (size_t i = 0; i < n; i++) {
            size_t end = cursor[i];
            for (; s < end; s++) {
                uint32_t e = ebuf[s], j = in->ev[e];
                if (mark[j] == (uint32_t)i + 1) {
                    st = lm__fail(err, LM_ERR_DUPLICATE, "%s: edge %u: pair (person %zu, vacancy %u) given twice", what,
                                  e, i, j);
                    goto fail;
                }
                mark[j] = (uint32_t)i + 1;
            }
        }
    }
    /* keep the usable edges: positive value, vacancy with capacity */
    size_t E = 0;
    WALLOC(w.evac, ne);
    WALLOC(w.ew, ne);
    WALLOC(w.eorig, ne);
    {
        size_t s = 0;
        for (size_t i = 0; i < n; i++) {
            w.poff[i] = E;
            for (; s < cursor[i]; s++) {
                uint32_t e = ebuf[s], j = in->ev[e];
                int32_t val = scaled(in->es[e], o.priority_weight, in->prio ? in->prio[i] : 0.f,
                                    in->ebonus ? in->ebonus[e] : 0.f);
                if (val <= 0 || in->cap[j] == 0) continue;
                w.evac[E] = j;
                w.ew[E] = val;
                w.eorig[E] = e;
                E++;
            }
        }
        w.poff[n] = E;
    }
    lm__free(ebuf);
    ebuf = NULL;

    /* limit nodes: (person, employer) with more edges than the limit */
    uint32_t nq = 0;
    if (o.max_per_employer && in->vemp && nv) {
        WALLOC(emps, nv);
        memcpy(emps, in->vemp, nv * sizeof *emps);
        qsort(emps, nv, sizeof *emps, cmp_i64);
        size_t ne_u = 0;
        for (size_t j = 0; j < nv; j++)
            if (j == 0 || emps[j] != emps[ne_u - 1]) emps[ne_u++] = emps[j];
        WALLOC(vempd, nv);
        for (size_t j = 0; j < nv; j++) vempd[j] = (uint32_t)dense_i64(&in->vemp[j], 1, emps, ne_u);
        WALLOC(ecount, ne_u);
        WALLOC(eqid, ne_u);
        WALLOC(w.eq, E);
        /* first pass counts nodes so qperson can be sized */
        for (int pass = 0; pass < 2; pass++) {
            nq = 0;
            for (size_t i = 0; i < n; i++) {
                for (size_t e = w.poff[i]; e < w.poff[i + 1]; e++) ecount[vempd[w.evac[e]]]++;
                for (size_t e = w.poff[i]; e < w.poff[i + 1]; e++) {
                    uint32_t em = vempd[w.evac[e]];
                    if (ecount[em] > o.max_per_employer) {
                        if (ecount[em] != UINT32_MAX) { /* first edge of this employer: new node */
                            if (pass) w.qperson[nq] = (uint32_t)i;
                            eqid[em] = nq++;
                            ecount[em] = UINT32_MAX;
                        }
                        w.eq[e] = eqid[em];
                    } else {
                        w.eq[e] = UINT32_MAX;
                    }
                }
                for (size_t e = w.poff[i]; e < w.poff[i + 1]; e++) ecount[vempd[w.evac[e]]] = 0;
            }
            if (!pass) WALLOC(w.qperson, nq);
        }
    }

    /* groups, dense */
    size_t ng = 0;
    if (n) {
        WALLOC(w.guniq, n);
        WALLOC(w.pgd, n);
        for (size_t i = 0; i < n; i++) w.guniq[i] = in->pgroup ? in->pgroup[i] : 0;
        qsort(w.guniq, n, sizeof *w.guniq, cmp_i32);
        for (size_t i = 0; i < n; i++)
            if (i == 0 || w.guniq[i] != w.guniq[ng - 1]) w.guniq[ng++] = w.guniq[i];
        for (size_t i = 0; i < n; i++) {
            int32_t g = in->pgroup ? in->pgroup[i] : 0;
            w.pgd[i] = (uint32_t)((const int32_t *)bsearch(&g, w.guniq, ng, sizeof g, cmp_i32) - w.guniq);
        }
    }
    w.ng = ng;

    lm__asg_problem P = {0};
    P.n = (uint32_t)n;
    P.nv = (uint32_t)nv;
    P.poff = w.poff;
    P.evac = w.evac;
    P.ew = w.ew;
    P.cap = in->cap;
    P.m = o.max_per_candidate;
    P.per_employer = nq ? o.max_per_employer : 0;
    P.eq = nq ? w.eq : NULL;
    P.nq = nq;
    P.qperson = w.qperson;
    P.eorig = w.eorig;
    P.ngroups = (uint32_t)ng;
    P.pgroup = w.pgd;
    P.progress = o.progress;
    P.progress_user = o.progress_user;
    P.progress_total = o.fairness_floor > 0 ? 2 * (uint64_t)n : (uint64_t)n;
    WALLOC(w.flow_u, E);
    WALLOC(w.gflow, E);
    /* The auction is the fast path; the general solver handles m > 1, limit nodes and floors. */
    st = P.m == 1 && !P.eq ? lm__asg_auction(w.flow_u, &P, err) : lm__asg_solve(w.flow_u, &P, err);
    if (st) goto fail;
    st = lm__asg_greedy(w.gflow, &P, err);
    if (st) goto fail;

    /* eligible people per group: at least one usable edge */
    size_t P_u = 0, elig_total = 0;
    for (size_t e = 0; e < E; e++) P_u += w.flow_u[e];
    WALLOC(w.floor, ng);
    WALLOC(w.elig, ng);
    uint32_t *elig = w.elig;
    for (size_t i = 0; i < n; i++)
        if (w.poff[i + 1] > w.poff[i]) {
            elig[w.pgd[i]]++;
            elig_total++;
        }
    uint8_t *flow = w.flow_u;
    bool floors = false;
    if (o.fairness_floor > 0 && P_u > 0) {
        for (size_t g = 0; g < ng; g++) {
            long double x = (long double)o.fairness_floor * elig[g] * (long double)P_u / (long double)elig_total;
            w.floor[g] = (int64_t)floorl(x + 1e-9L);
            floors |= w.floor[g] > 0;
        }
    }
    if (floors) {
        WALLOC(w.flow, E);
        P.floor = w.floor;
        P.progress_base = n;
        st = lm__asg_solve(w.flow, &P, err);
        if (st) goto fail;
        flow = w.flow;
    }
    if (o.progress && o.progress(o.progress_user, P.progress_total, P.progress_total)) {
        st = lm__fail(err, LM_ERR_CANCELLED, "%s: cancelled by the progress callback at the end", what);
        goto fail;
    }

    /* ---- the result ---- */
    a = lm__calloc(1, sizeof *a);
    if (!a) goto nomem;
    size_t np = 0;
    for (size_t e = 0; e < E; e++) np += flow[e];
    a->p = lm__calloc(np ? np : 1, sizeof *a->p);
    a->groups = lm__calloc(ng ? ng : 1, sizeof *a->groups);
    if (!a->p || !a->groups) goto nomem;
    a->n = np;
    a->ngroups = ng;
    for (size_t g = 0; g < ng; g++) {
        a->groups[g].group = w.guniq[g];
        a->groups[g].eligible = elig[g];
    }
        bool cross_known = in->pgroup && in->vgroup;
    int64_t obj = 0, gobj = 0;
    uint64_t cross = 0, gcross = 0, gprops = 0;
    size_t k = 0;
    uint8_t *vserved = NULL;
    WALLOC(vserved, nv);
    for (size_t i = 0; i < n; i++) {
        for (size_t e = w.poff[i]; e < w.poff[i + 1]; e++) {
            uint32_t j = w.evac[e], oe = w.eorig[e];
            bool cb = cross_known && in->pgroup[i] != in->vgroup[j];
            lm_group_report *gr = &a->groups[w.pgd[i]];
            if (w.gflow[e]) {
                gobj += w.ew[e];
                gprops++;
                gcross += cb;
                gr->greedy_proposals++;
                vserved[j] |= 2;
            }
            if (!flow[e]) continue;
            obj += w.ew[e];
            cross += cb;
            gr->proposals++;
            gr->cross_border += cb;
            vserved[j] |= 1;
            prop *p = &a->p[k++];
            p->person = (uint32_t)i;
            p->vacancy = j;
            p->score = in->es[oe];
            p->dot = in->edot ? in->edot[oe] : NAN;
            p->cslot = in->cslot ? in->cslot[i] : 0;
            p->vslot = in->vslot ? in->vslot[j] : 0;
            p->pgroup = in->pgroup ? in->pgroup[i] : 0;
            p->vgroup = in->vgroup ? in->vgroup[j] : 0;
        }
    }
    uint64_t served = 0, gserved = 0;
    for (size_t j = 0; j < nv; j++) {
        served += vserved[j] & 1;
        gserved += (vserved[j] >> 1) & 1;
    }
    lm__free(vserved);
    for (size_t g = 0; g < ng; g++) {
        int64_t f = floors ? w.floor[g] : 0;
        /* the floor applied: where the lexicographic optimum could not reach it, what it reached */
        a->groups[g].floor = (uint32_t)(f < (int64_t)a->groups[g].proposals ? f : (int64_t)a->groups[g].proposals);
    }
    qsort(a->p, np, sizeof *a->p, cmp_prop);
    for (size_t x = 0; x < np; x++) a->p[x].rank = (x > 0 && a->p[x - 1].vacancy == a->p[x].vacancy) ? a->p[x - 1].rank + 1 : 1;
    a->stat[LM_ASTAT_OBJECTIVE] = (double)obj / 1e6;
    a->stat[LM_ASTAT_OBJECTIVE_SCALED] = (double)obj;
    a->stat[LM_ASTAT_PROPOSALS] = (double)np;
    a->stat[LM_ASTAT_VACANCIES_SERVED] = (double)served;
    a->stat[LM_ASTAT_CROSS_BORDER] = (double)cross;
    a->stat[LM_ASTAT_GREEDY_OBJECTIVE] = (double)gobj / 1e6;
    a->stat[LM_ASTAT_GREEDY_PROPOSALS] = (double)gprops;
    a->stat[LM_ASTAT_GREEDY_VACANCIES_SERVED] = (double)gserved;
    a->stat[LM_ASTAT_GREEDY_CROSS_BORDER] = (double)gcross;
    a->stat[LM_ASTAT_EDGES] = (double)ne;
    a->stat[LM_ASTAT_UNCONSTRAINED_PROPOSALS] = (double)P_u;
    if (in->batch) {
        a->batch = true;
        a->snap = lm__snapshot_ref(in->batch->snap);
        a->travel_ref = lm__travel_ref(in->batch->travel_ref);
        a->ctx = in->batch->ctx;
        a->ctx.snap = a->snap;
        a->ctx.travel = a->travel_ref;
        a->hist = lm__history_ref(in->hist);
    }
    a->stat[LM_ASTAT_SECONDS] = now_s() - t0;
    *out = a;
    a = NULL;
    st = LM_OK;
    goto done;
nomem:
    st = lm__fail(err, LM_ERR_NOMEM, "%s: out of memory", what);
fail:
done:
    lm_assignment_free(a);
    work_free(&w);
    lm__free(mark);
    lm__free(ecount);
    lm__free(eqid);
    lm__free(vempd);
    lm__free(ebuf);
    lm__free(emps);
    lm__free(cursor);
    return st;
}

int lm_engine_assign_graph(lm_assignment **out, lm_engine *engine, const lm_assign_graph *g,
                           const lm_assign_options *options) {
    static const char what[] = "assign graph";
    if (out) *out = NULL;
    if (!engine) return LM_ERR_NULL;
    lm_err *err = lm__engine_err(engine);
    if (!out) return lm__fail(err, LM_ERR_NULL, "%s: out is NULL", what);
    if (!g) return lm__fail(err, LM_ERR_NULL, "%s: graph is NULL", what);
    if (g->struct_size < offsetof(lm_assign_graph, vacancy_group))
        return lm__fail(err, LM_ERR_INVALID, "%s: graph struct_size %zu too small (use LM_ASSIGN_GRAPH_INIT)", what,
                        g->struct_size);
    double t0 = now_s();
    core_in in = {0};
    in.n = g->n_people;
    in.nv = g->n_vacancies;
    in.ne = g->n_edges;
    in.cap = g->capacity;
    in.pgroup = g->person_group;
    in.vgroup = g->struct_size >= sizeof(lm_assign_graph) ? g->vacancy_group : NULL;
    in.vemp = g->vacancy_employer;
    in.prio = g->person_priority;
    in.ep = g->edge_person;
    in.ev = g->edge_vacancy;
    in.es = g->edge_score;
    int st = core(out, err, &in, options, what, t0);
    if (!st) lm__clear(err);
    return st;
}

/* Pairs from both directions of a batch, keyed (person << 32 | vacancy) for dedupe. */
typedef struct bedge {
    uint64_t key;
    float score, dot;
} bedge;
static int cmp_bedge(const void *a, const void *b) {
    uint64_t x = ((const bedge *)a)->key, y = ((const bedge *)b)->key;
    return (x > y) - (x < y);
}

LM_HIDDEN const lm_history *lm__engine_history(const lm_engine *e);

/* The engine's history on the graph of a batch (docs/lifecycle.md): capacity
 * = free slots; edges of excluded people and pairs dropped (the batch left
 * them out already: checked again so that any results are safe); an edge
 * whose pair's latest proposal is an open `proposed` gets the stability
 * margin added to its value. Edges are compacted in place; returns the count. */
static size_t apply_history(const lm_history *h, const lm_policy_eval *P, const lm_results *r, int32_t *cap,
                            uint32_t *ep, uint32_t *ev, float *es, float *ed, float *bonus, size_t ne) {
    const lm_snapshot *s = r->snap;
    const lm_tbl *cs = s->side[LM_SIDE_CANDIDATE], *vs = s->side[LM_SIDE_VACANCY];
    const lm_layout *LC = &s->layouts->cand, *LV = &s->layouts->vac;
#define ID_OF(t, L, sl) LM_COLP(lm__chunk_of(t, sl), L, LM_COL_ID, int64_t)[(sl) & (LM_CHUNK_ROWS - 1)]
    for (size_t j = 0; j < r->nlists[LM_DIR_VACANCY]; j++) {
        uint32_t sl = r->lists[LM_DIR_VACANCY][j].slot;
        int32_t f = lm__memory_free_slots(h, ID_OF(vs, LV, sl), cap[j]);
        cap[j] = f > 0 ? f : 0;
    }
    int32_t today = lm__memory_today(P);
    size_t w = 0;
    for (size_t x = 0; x < ne; x++) {
        uint32_t csl = r->lists[LM_DIR_CANDIDATE][ep[x]].slot, vsl = r->lists[LM_DIR_VACANCY][ev[x]].slot;
        int64_t cid = ID_OF(cs, LC, csl), vid = ID_OF(vs, LV, vsl);
        if (lm__memory_person_out(h, P, cid) || lm__memory_pair_out(h, P, today, vid, cid)) continue;
        const lm_hist_rec *rec = lm__history_pair(h, vid, cid);
        bonus[w] = rec && rec->status == LM_PROPOSAL_PROPOSED ? P->stability_margin : 0.f;
        ep[w] = ep[x], ev[w] = ev[x], es[w] = es[x], ed[w] = ed[x];
        w++;
    }
#undef ID_OF
    return w;
}

int lm_engine_assign(lm_assignment **out, lm_engine *engine, const lm_results *r, const lm_assign_options *options) {
    static const char what[] = "assign";
    if (out) *out = NULL;
    if (!engine) return LM_ERR_NULL;
    lm_err *err = lm__engine_err(engine);
    if (!out) return lm__fail(err, LM_ERR_NULL, "%s: out is NULL", what);
    if (!r) return lm__fail(err, LM_ERR_NULL, "%s: batch results are NULL", what);
    lm_assign_options o;
    int st = check_options(&o, options, err, what);
    if (st) return st;
    if (!r->lists[LM_DIR_VACANCY] || !r->lists[LM_DIR_CANDIDATE])
        return lm__fail(err, LM_ERR_INVALID, "%s: results need both directions (use lm_engine_batch)", what);
    double t0 = now_s();
    const lm_snapshot *s = r->snap;
    const lm_tbl *cs = s->side[LM_SIDE_CANDIDATE], *vs = s->side[LM_SIDE_VACANCY];
    const lm_layout *LC = &s->layouts->cand, *LV = &s->layouts->vac;
    size_t n = r->nlists[LM_DIR_CANDIDATE], nv = r->nlists[LM_DIR_VACANCY];
    size_t nh = r->nhits[LM_DIR_CANDIDATE] + r->nhits[LM_DIR_VACANCY];
    uint32_t *cidx = lm__malloc(((size_t)cs->nslots + 1) * sizeof *cidx);
    uint32_t *vidx = lm__malloc(((size_t)vs->nslots + 1) * sizeof *vidx);
    uint32_t *cslot = lm__malloc((n ? n : 1) * sizeof *cslot), *vslot = lm__malloc((nv ? nv : 1) * sizeof *vslot);
    int32_t *cap = lm__malloc((nv ? nv : 1) * sizeof *cap), *pg = lm__malloc((n ? n : 1) * sizeof *pg);
    int32_t *vg = lm__malloc((nv ? nv : 1) * sizeof *vg);
    int64_t *vemp = lm__malloc((nv ? nv : 1) * sizeof *vemp);
    float *prio = lm__malloc((n ? n : 1) * sizeof *prio);
    bedge *be = lm__malloc((nh ? nh : 1) * sizeof *be);
    uint32_t *ep = NULL, *ev = NULL;
    float *es = NULL, *ed = NULL, *bonus = NULL;
    lm_history *hist = (lm_history *)lm__engine_history(engine);
    if (!cidx || !vidx || !cslot || !vslot || !cap || !pg || !vg || !vemp || !prio || !be) goto nomem;
    memset(cidx, 0xFF, ((size_t)cs->nslots + 1) * sizeof *cidx);
    memset(vidx, 0xFF, ((size_t)vs->nslots + 1) * sizeof *vidx);
    for (size_t i = 0; i < n; i++) {
        uint32_t sl = r->lists[LM_DIR_CANDIDATE][i].slot, row = sl & (LM_CHUNK_ROWS - 1);
        lm_chunk *ch = lm__chunk_of(cs, sl);
        cidx[sl] = (uint32_t)i;
        cslot[i] = sl;
        pg[i] = LM_COLP(ch, LC, LM_COL_MUNI, int32_t)[row];
        prio[i] = LM_COLP(ch, LC, LM_COL_PRIO, float)[row];
        if (!(prio[i] >= 0.f)) prio[i] = 0.f;
        if (prio[i] > 1.f) prio[i] = 1.f;
    }
    for (size_t j = 0; j < nv; j++) {
        uint32_t sl = r->lists[LM_DIR_VACANCY][j].slot, row = sl & (LM_CHUNK_ROWS - 1);
        lm_chunk *ch = lm__chunk_of(vs, sl);
        vidx[sl] = (uint32_t)j;
        vslot[j] = sl;
        int32_t c = LM_COLP(ch, LV, LM_COL_SLOTS, int32_t)[row];
        cap[j] = c > 0 ? c : 0;
        vg[j] = LM_COLP(ch, LV, LM_COL_MUNI, int32_t)[row];
        vemp[j] = LM_COLP(ch, LV, LM_COL_ORG, int64_t)[row];
    }
    size_t k = 0;
    for (int d = 0; d < 2; d++) {
        for (size_t l = 0; l < r->nlists[d]; l++) {
            const lm_reslist *rl = &r->lists[d][l];
            for (uint32_t h = 0; h < rl->len; h++) {
                const lm_hit *hit = &r->hits[d][rl->first + h];
                uint32_t ci = d == LM_DIR_CANDIDATE ? (uint32_t)l : cidx[hit->slot];
                uint32_t vi = d == LM_DIR_VACANCY ? (uint32_t)l : vidx[hit->slot];
                /* a hit outside the other direction's lists (another region's vacancy) is not in the graph */
                if (ci == UINT32_MAX || vi == UINT32_MAX) continue;
                be[k++] = (bedge){((uint64_t)ci << 32) | vi, hit->score, hit->dot};
            }
        }
    }
    qsort(be, k, sizeof *be, cmp_bedge);
    size_t ne = 0;
    for (size_t x = 0; x < k; x++)
        if (ne == 0 || be[x].key != be[ne - 1].key) be[ne++] = be[x];
    ep = lm__malloc((ne ? ne : 1) * sizeof *ep);
    ev = lm__malloc((ne ? ne : 1) * sizeof *ev);
    es = lm__malloc((ne ? ne : 1) * sizeof *es);
    ed = lm__malloc((ne ? ne : 1) * sizeof *ed);
    bonus = hist ? lm__malloc((ne ? ne : 1) * sizeof *bonus) : NULL;
    if (!ep || !ev || !es || !ed || (hist && !bonus)) goto nomem;
    for (size_t x = 0; x < ne; x++) {
        ep[x] = (uint32_t)(be[x].key >> 32);
        ev[x] = (uint32_t)be[x].key;
        es[x] = be[x].score < 0.f ? 0.f : be[x].score > 1.f ? 1.f : be[x].score;
        ed[x] = be[x].dot;
    }
    if (hist) ne = apply_history(hist, &r->ctx.pol, r, cap, ep, ev, es, ed, bonus, ne);
    core_in in = {n, nv, ne, cap, pg, vg, vemp, prio, ep, ev, es, r, cslot, vslot, ed, bonus, hist};
    st = core(out, err, &in, &o, what, t0);
    if (!st) lm__clear(err);
    goto done;
nomem:
    st = lm__fail(err, LM_ERR_NOMEM, "%s: out of memory", what);
done:
    lm__free(cidx);
    lm__free(vidx);
    lm__free(cslot);
    lm__free(vslot);
    lm__free(cap);
    lm__free(pg);
    lm__free(vg);
    lm__free(vemp);
    lm__free(prio);
    lm__free(be);
    lm__free(ep);
    lm__free(ev);
    lm__free(es);
    lm__free(ed);
    lm__free(bonus);
    return st;
}

/* ---- accessors ---- */
int lm_assignment_count(size_t *out, const lm_assignment *a) {
    if (!out || !a) return LM_ERR_NULL;
    *out = a->n;
    return LM_OK;
}

int lm_assignment_copy(lm_match *out, size_t elem_size, size_t capacity, size_t *out_copied, const lm_assignment *a,
                       size_t first) {
    if (!a) return LM_ERR_NULL;
    if (elem_size < LM_MATCH_SIZE_1_0) return LM_ERR_INVALID;
    if (first > a->n) return LM_ERR_RANGE;
    size_t n = a->n - first;
    if (n > capacity) n = capacity;
    if (n && !out) return LM_ERR_NULL;
    if (out_copied) *out_copied = 0;
    unsigned char *dst = (unsigned char *)out;
    for (size_t x = 0; x < n; x++) {
        const prop *p = &a->p[first + x];
        lm_match m;
        if (a->batch) {
            lm__pair_eval(&a->ctx, p->cslot, p->vslot, p->dot, NULL, &m);
        } else {
            memset(&m, 0, sizeof m);
            m.vacancy_id = p->vacancy;
            m.candidate_id = p->person;
            m.travel_mode = -1;
            m.candidate_municipality = p->pgroup;
            m.vacancy_municipality = p->vgroup;
        }
        m.rank = p->rank;
        m.score = p->score;
        lm__memory_annotate(a->hist, &m);
        lm__match_store(dst + x * elem_size, elem_size, &m);
    }
    if (out_copied) *out_copied = n;
    return LM_OK;
}

int lm_assignment_stat(double *out, const lm_assignment *a, int32_t key) {
    if (!out || !a) return LM_ERR_NULL;
    if (key < 0 || key > LM_ASTAT_UNCONSTRAINED_PROPOSALS) return LM_ERR_RANGE;
    *out = a->stat[key];
    return LM_OK;
}

int lm_assignment_groups(lm_group_report *out, size_t elem_size, size_t capacity, size_t *out_needed,
                         const lm_assignment *a) {
    if (!a) return LM_ERR_NULL;
    if (elem_size < sizeof(lm_group_report)) return LM_ERR_INVALID;
    if (out_needed) *out_needed = a->ngroups;
    if (capacity < a->ngroups) return LM_ERR_BUFFER;
    if (a->ngroups && !out) return LM_ERR_NULL;
    unsigned char *dst = (unsigned char *)out;
    for (size_t g = 0; g < a->ngroups; g++) {
        memcpy(dst + g * elem_size, &a->groups[g], sizeof a->groups[g]);
        if (elem_size > sizeof a->groups[g])
            memset(dst + g * elem_size + sizeof a->groups[g], 0, elem_size - sizeof a->groups[g]);
    }
    return LM_OK;
}
