/* Bounded top-k heap. Order: higher score first, then lower id, so results
 * do not depend on row order, thread count or kernel. */
#ifndef LM_TOPK_H
#define LM_TOPK_H
#include "internal.h"

typedef struct lm_topk_ent {
    float score;
    float dot;
    uint32_t slot;
    uint32_t pad_;
    int64_t id;
} lm_topk_ent;

typedef struct lm_topk {
    lm_topk_ent *e; /* k entries of storage */
    uint32_t n, k;
} lm_topk;

static inline bool lm__topk_worse(const lm_topk_ent *a, const lm_topk_ent *b) {
    return a->score < b->score || (a->score == b->score && a->id > b->id);
}

/* Min-heap: e[0] is the worst kept entry. */
static inline void lm__topk_push(lm_topk *h, lm_topk_ent x) {
    lm_topk_ent *e = h->e;
    uint32_t i;
    if (h->n < h->k) {
        i = h->n++;
        while (i > 0) {
            uint32_t p = (i - 1) / 2;
            if (!lm__topk_worse(&x, &e[p])) break;
            e[i] = e[p];
            i = p;
        }
        e[i] = x;
        return;
    }
    if (!lm__topk_worse(&e[0], &x)) return;
    i = 0;
    uint32_t n = h->n;
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        const lm_topk_ent *mv = &x;
        if (l < n && lm__topk_worse(&e[l], mv)) { m = l; mv = &e[l]; }
        if (r < n && lm__topk_worse(&e[r], mv)) { m = r; }
        if (m == i) break;
        e[i] = e[m];
        i = m;
    }
    e[i] = x;
}

/* Would x enter the heap? (cheap pre-check before building x fully) */
static inline bool lm__topk_admits(const lm_topk *h, float score) {
    return h->n < h->k || score >= h->e[0].score;
}

/* Sort the kept entries best first, in place (destroys the heap). */
static inline void lm__topk_sort(lm_topk *h) {
    lm_topk_ent *e = h->e;
    uint32_t n = h->n;
    /* heap-sort: repeatedly move the worst to the end */
    while (n > 1) {
        lm_topk_ent worst = e[0];
        lm_topk_ent x = e[--n];
        uint32_t i = 0;
        for (;;) {
            uint32_t l = 2 * i + 1, r = l + 1, m = i;
            const lm_topk_ent *mv = &x;
            if (l < n && lm__topk_worse(&e[l], mv)) { m = l; mv = &e[l]; }
            if (r < n && lm__topk_worse(&e[r], mv)) { m = r; }
            if (m == i) break;
            e[i] = e[m];
            i = m;
        }
        e[i] = x;
        e[n] = worst;
    }
}
#endif
