/* The fast exact solver for m = 1 without fairness floors: an epsilon-scaling
 * auction (Bertsekas) with one common price per vacancy, and a reverse
 * auction at the end of every phase.
 *
 * Values are scaled to W = w * (n + 1). A phase with epsilon keeps every
 * person within epsilon of its best choice (epsilon-CS), "stay unassigned"
 * being worth 0. A vacancy with c slots runs an ascending multi-unit auction:
 * its holders sit in a min-heap by reservation price (the price at which the
 * holder would rather go elsewhere, plus epsilon); a bidder whose reservation
 * beats the lowest one displaces that holder and the common price jumps to the
 * lowest reservation left (for one slot: the bidder's, the classic auction), so
 * the price never exceeds any holder's reservation.
 * (Separate prices per slot had to rise in lockstep, epsilon at a time: 5-8x
 * slower on multi-slot vacancies.) After the last phase (epsilon = 1) every
 * vacancy that is not full has price 0, so the assignment is within
 * n * epsilon = n < n + 1 of the optimum in W units, less than one unit of w:
 * it is optimal (docs/assignment.md, "Exactness"). */
#include "assign_internal.h"

#include <string.h>

#define NONE UINT32_MAX

typedef struct auc {
    uint32_t n, nv;
    const size_t *poff;
    const uint32_t *evac;
    int64_t scale;
    const int32_t *ew;
    /* vacancies */
    uint32_t *hoff;     /* nv + 1: heap storage of holders, size min(capacity, in-degree, n) */
    uint32_t *cnt;      /* holders */
    int64_t *price;     /* common price */
    uint32_t *heap;     /* holders (people) by reservation, per vacancy at hoff[j] */
    /* people */
    uint32_t *hpos;     /* position in the vacancy's heap */
    uint32_t *hedge;    /* edge of the held vacancy, NONE if unassigned */
    int64_t *res;       /* reservation price at the held vacancy */
    /* reverse adjacency: per vacancy, the edges into it */
    size_t *voff;
    uint32_t *vedge, *eperson;
    uint32_t *queue;
} auc;

static inline int64_t W(const auc *A, size_t e) { return (int64_t)A->ew[e] * A->scale; }

static inline int64_t profit(const auc *A, uint32_t i) {
    uint32_t e = A->hedge[i];
    return e == NONE ? 0 : W(A, e) - A->price[A->evac[e]];
}

/* ---- per-vacancy min-heaps of holders by reservation ---- */
static inline void hset(auc *A, uint32_t j, uint32_t k, uint32_t i) {
    A->heap[A->hoff[j] + k] = i;
    A->hpos[i] = k;
}

static void hdown(auc *A, uint32_t j, uint32_t k) {
    uint32_t c = A->cnt[j], *h = A->heap + A->hoff[j], x = h[k];
    for (;;) {
        uint32_t l = 2 * k + 1;
        if (l >= c) break;
        if (l + 1 < c && A->res[h[l + 1]] < A->res[h[l]]) l++;
        if (A->res[h[l]] >= A->res[x]) break;
        hset(A, j, k, h[l]);
        k = l;
    }
    hset(A, j, k, x);
}

static void hup(auc *A, uint32_t j, uint32_t k) {
    uint32_t *h = A->heap + A->hoff[j], x = h[k];
    while (k > 0) {
        uint32_t p = (k - 1) / 2;
        if (A->res[h[p]] <= A->res[x]) break;
        hset(A, j, k, h[p]);
        k = p;
    }
    hset(A, j, k, x);
}

/* Forward bid of free person i. Returns the person who is free after it
 * (the displaced holder, or i itself when it was priced out), or NONE. */
static uint32_t bid(auc *A, uint32_t i, int64_t eps) {
    int64_t v1 = 0, v2 = 0; /* staying unassigned is worth 0 */
    size_t be = SIZE_MAX;
    for (size_t e = A->poff[i]; e < A->poff[i + 1]; e++) {
        int64_t val = W(A, e) - A->price[A->evac[e]];
        if (val > v1) {
            v2 = v1;
            v1 = val;
            be = e;
        } else if (val > v2) {
            v2 = val;
        }
    }
    if (be == SIZE_MAX) return NONE; /* stays unassigned, profit 0 */
    uint32_t j = A->evac[be];
    int64_t r = W(A, be) - v2 + eps; /* reservation: >= price + eps */
    uint32_t cap = A->hoff[j + 1] - A->hoff[j];
    if (A->cnt[j] < cap) {
        /* A free slot. One slot: the price rises to the bid (the classic
         * auction, fastest there). More slots: it stays, so that slots which
         * end up unfilled need not be priced down again (measured: raising it
         * made the reverse auction 200x slower on 3-slot vacancies). */
        A->res[i] = r;
        A->hedge[i] = (uint32_t)be;
        hset(A, j, A->cnt[j]++, i);
        hup(A, j, A->hpos[i]);
        if (cap == 1) A->price[j] = r;
        return NONE;
    }
    uint32_t k = A->heap[A->hoff[j]];
    if (r <= A->res[k]) { /* priced out: the price rises to i's reservation */
        A->price[j] = r;
        return i;
    }
    A->hedge[k] = NONE; /* k leaves; the price rises to the lowest reservation left */
    A->res[i] = r;
    A->hedge[i] = (uint32_t)be;
    hset(A, j, 0, i);
    hdown(A, j, 0);
    A->price[j] = A->res[A->heap[A->hoff[j]]];
    return k;
}

/* Reverse bid of vacancy j (not full, positive price): lower the price until
 * the best outside person comes, or to 0. Returns the vacancy that person
 * left, or NONE. People only move; heaps are not kept (the phase ends). */
static uint32_t rbid(auc *A, uint32_t j, int64_t eps) {
    int64_t b1 = INT64_MIN, b2 = INT64_MIN;
    uint32_t bi = NONE, bed = 0;
    for (size_t x = A->voff[j]; x < A->voff[j + 1]; x++) {
        uint32_t e = A->vedge[x], i = A->eperson[e];
        if (A->hedge[i] == e) continue; /* holds j already */
        int64_t b = W(A, e) - profit(A, i);
        if (b > b1) {
            b2 = b1;
            b1 = b;
            bi = i;
            bed = e;
        } else if (b > b2) {
            b2 = b;
        }
    }
    if (bi == NONE || b1 <= eps) { /* nobody wants it at a positive price */
        A->price[j] = 0;
        return NONE;
    }
    A->price[j] = b2 != INT64_MIN && b2 - eps > 0 ? b2 - eps : 0; /* staying unfilled is worth 0 */
    uint32_t left = A->hedge[bi] == NONE ? NONE : A->evac[A->hedge[bi]];
    if (left != NONE) A->cnt[left]--;
    A->hedge[bi] = bed;
    A->cnt[j]++;
    return left;
}

/* Reverse auction at epsilon over every vacancy that is not full but priced. */
static void reverse(auc *A, int64_t eps) {
    uint32_t nv = A->nv, qh = 0, qn = 0, qcap = nv + 1;
    uint8_t *inq = (uint8_t *)A->res; /* res is not needed any more in this phase: reuse as flags */
    memset(inq, 0, nv);
    for (uint32_t j = 0; j < nv; j++)
        if (A->cnt[j] < A->hoff[j + 1] - A->hoff[j] && A->price[j] > 0) {
            A->queue[qn++] = j;
            inq[j] = 1;
        }
    while (qn) {
        uint32_t j = A->queue[qh];
        qh = qh + 1 == qcap ? 0 : qh + 1;
        qn--;
        inq[j] = 0;
        if (A->cnt[j] >= A->hoff[j + 1] - A->hoff[j] || A->price[j] <= 0) continue;
        uint32_t left = rbid(A, j, eps);
        uint32_t again[2] = {j, left};
        for (int q = 0; q < 2; q++) {
            uint32_t v = again[q];
            if (v == NONE || inq[v] || A->cnt[v] >= A->hoff[v + 1] - A->hoff[v] || A->price[v] <= 0) continue;
            uint32_t t = qh + qn;
            A->queue[t >= qcap ? t - qcap : t] = v;
            qn++;
            inq[v] = 1;
        }
    }
}

#define ALLOC(p, count)                                                                                        \
    do {                                                                                                       \
        size_t bytes_;                                                                                         \
        if (!lm__mul(&bytes_, (size_t)(count) ? (size_t)(count) : 1, sizeof *(p)) || !((p) = lm__calloc(1, bytes_))) \
            goto nomem;                                                                                        \
    } while (0)

int lm__asg_auction(uint8_t *flow, const lm__asg_problem *P, lm_err *err) {
    auc A;
    memset(&A, 0, sizeof A);
    uint32_t n = P->n, nv = P->nv;
    size_t E = P->poff[n];
    int st = LM_OK;
    A.n = n;
    A.nv = nv;
    A.poff = P->poff;
    A.evac = P->evac;
    A.ew = P->ew;
    A.scale = (int64_t)n + 1;
    ALLOC(A.hoff, (size_t)nv + 1);
    ALLOC(A.voff, (size_t)nv + 1);
    for (size_t e = 0; e < E; e++) A.voff[P->evac[e] + 1]++;
    for (uint32_t j = 0; j < nv; j++) {
        uint64_t c = A.voff[j + 1];
        if (c > (uint64_t)P->cap[j]) c = (uint64_t)P->cap[j];
        A.hoff[j + 1] = A.hoff[j] + (uint32_t)c;
        A.voff[j + 1] += A.voff[j];
    }
    ALLOC(A.cnt, nv);
    ALLOC(A.price, nv);
    ALLOC(A.heap, A.hoff[nv]);
    ALLOC(A.hpos, n);
    ALLOC(A.hedge, n);
    /* res doubles as the reverse auction's queue flags: at least nv bytes */
    ALLOC(A.res, (size_t)n > (size_t)nv / 8 + 1 ? (size_t)n : (size_t)nv / 8 + 1);
    ALLOC(A.vedge, E);
    ALLOC(A.eperson, E);
    ALLOC(A.queue, (size_t)(n > nv ? n : nv) + 1);
    {
        size_t *cur = NULL;
        ALLOC(cur, (size_t)nv + 1);
        memcpy(cur, A.voff, ((size_t)nv + 1) * sizeof *cur);
        for (uint32_t i = 0; i < n; i++)
            for (size_t e = P->poff[i]; e < P->poff[i + 1]; e++) {
                A.eperson[e] = i;
                A.vedge[cur[P->evac[e]]++] = (uint32_t)e;
            }
        lm__free(cur);
    }
    int64_t maxw = 0;
    for (size_t e = 0; e < E; e++)
        if (W(&A, e) > maxw) maxw = W(&A, e);
    /* epsilon from 1/100 of the largest value down to 1, by factors of 10
     * (measured on the benchmark instances: docs/assignment.md) */
    int64_t eps = maxw / 100 > 1 ? maxw / 100 : 1;
    uint64_t phase = 0, phases = 1, bids = 0;
    for (int64_t x = eps; x > 1; x /= 10) phases++;
    for (;;) {
        if (P->progress && P->progress(P->progress_user, P->progress_base + phase * n / phases, P->progress_total)) {
            st = lm__fail(err, LM_ERR_CANCELLED, "assign: cancelled by the progress callback");
            goto done;
        }
        /* every person bids afresh; prices carry over */
        uint32_t qh = 0, qn = 0, qcap = (n > nv ? n : nv) + 1;
        memset(A.cnt, 0, (size_t)nv * sizeof *A.cnt);
        for (uint32_t i = 0; i < n; i++) {
            A.hedge[i] = NONE;
            if (P->poff[i + 1] > P->poff[i]) A.queue[qn++] = i;
        }
        while (qn) {
            uint32_t i = A.queue[qh];
            qh = qh + 1 == qcap ? 0 : qh + 1;
            qn--;
            if (P->progress && ++bids % 65536 == 0 &&
                P->progress(P->progress_user, P->progress_base + phase * n / phases, P->progress_total)) {
                st = lm__fail(err, LM_ERR_CANCELLED, "assign: cancelled by the progress callback");
                goto done;
            }
            uint32_t d = bid(&A, i, eps);
            if (d != NONE) {
                uint32_t t = qh + qn;
                A.queue[t >= qcap ? t - qcap : t] = d;
                qn++;
            }
        }
        reverse(&A, eps);
        if (eps == 1) break;
        eps = eps / 10 > 1 ? eps / 10 : 1;
        phase++;
    }
    memset(flow, 0, E ? E : 1);
    for (uint32_t i = 0; i < n; i++)
        if (A.hedge[i] != NONE) flow[A.hedge[i]] = 1;
    goto done;
nomem:
    st = lm__fail(err, LM_ERR_NOMEM, "assign: out of memory");
done:
    lm__free(A.hoff);
    lm__free(A.voff);
    lm__free(A.cnt);
    lm__free(A.price);
    lm__free(A.heap);
    lm__free(A.hpos);
    lm__free(A.hedge);
    lm__free(A.res);
    lm__free(A.vedge);
    lm__free(A.eperson);
    lm__free(A.queue);
    return st;
}
