/* Query indexes: a snapshot side's live rows copied in Morton order into
 * chunks of the same layout, with a bounding sphere per chunk. Built once per
 * snapshot on the first single query (snapshots are immutable, so the index
 * never goes stale) and published with a compare-and-swap: two threads may
 * both build one, the loser frees its copy. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct qkey {
    uint64_t key;
    int64_t id;
    uint32_t slot;
} qkey;

static int cmp_qkey(const void *a, const void *b) {
    const qkey *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

void lm__qidx_free(lm_qidx *q) {
    if (!q) return;
    for (uint32_t c = 0; c < q->nchunks && q->chunks; c++) lm__free(q->chunks[c]);
    lm__free(q->chunks);
    lm__free(q->slot);
    lm__free(q->bcen);
    lm__free(q->brad);
    lm__free(q);
}

static lm_qidx *build(const lm_tbl *t) {
    const lm_layout *L = t->L;
    size_t n = t->nlive;
    lm_qidx *q = lm__calloc(1, sizeof *q);
    qkey *keys = lm__malloc((n ? n : 1) * sizeof *keys);
    if (!q || !keys) goto fail;
    size_t k = 0;
    for (uint32_t slot = 0; slot < t->nslots; slot++) {
        lm_chunk *c = lm__chunk_of(t, slot);
        uint32_t r = slot & (LM_CHUNK_ROWS - 1);
        if (!LM_COLP(c, L, LM_COL_LIVE, uint8_t)[r]) continue;
        const double *ll = LM_COLP(c, L, LM_COL_LATLON, double) + 2 * r;
        keys[k++] = (qkey){lm__morton(ll[0], ll[1]), LM_COLP(c, L, LM_COL_ID, int64_t)[r], slot};
    }
    qsort(keys, k, sizeof *keys, cmp_qkey);
    q->n = k;
    q->nchunks = (uint32_t)((k + LM_CHUNK_ROWS - 1) / LM_CHUNK_ROWS);
    q->chunks = lm__calloc(q->nchunks ? q->nchunks : 1, sizeof *q->chunks);
    q->slot = lm__malloc((k ? k : 1) * sizeof *q->slot);
    q->bcen = lm__malloc((q->nchunks ? q->nchunks : 1) * 3 * sizeof *q->bcen);
    q->brad = lm__malloc((q->nchunks ? q->nchunks : 1) * sizeof *q->brad);
    if (!q->chunks || !q->slot || !q->bcen || !q->brad) goto fail;
    for (uint32_t c = 0; c < q->nchunks; c++) {
        q->chunks[c] = lm__aligned_alloc(64, L->chunk_bytes);
        if (!q->chunks[c]) goto fail;
        memset(q->chunks[c], 0, L->chunk_bytes); /* rows past n stay dead */
    }
    for (size_t i = 0; i < k; i++) {
        uint32_t slot = keys[i].slot;
        const unsigned char *src = (const unsigned char *)lm__chunk_of(t, slot);
        unsigned char *dst = (unsigned char *)q->chunks[i / LM_CHUNK_ROWS];
        size_t sr = slot & (LM_CHUNK_ROWS - 1), dr = i % LM_CHUNK_ROWS;
        for (int col = 0; col < LM_NCOLS; col++)
            if (L->off[col]) memcpy(dst + L->off[col] + dr * L->esz[col], src + L->off[col] + sr * L->esz[col], L->esz[col]);
        q->slot[i] = slot;
    }
    for (uint32_t c = 0; c < q->nchunks; c++) {
        const double *xyz = LM_COLP(q->chunks[c], L, LM_COL_XYZ, double);
        size_t rows = k - (size_t)c * LM_CHUNK_ROWS < LM_CHUNK_ROWS ? k - (size_t)c * LM_CHUNK_ROWS : LM_CHUNK_ROWS;
        double cen[3] = {0, 0, 0}, rad = 0;
        size_t m = 0;
        for (size_t r = 0; r < rows; r++)
            if (xyz[3 * r] == xyz[3 * r]) {
                for (int d = 0; d < 3; d++) cen[d] += xyz[3 * r + d];
                m++;
            }
        for (int d = 0; d < 3 && m; d++) cen[d] /= (double)m;
        for (size_t r = 0; r < rows; r++)
            if (xyz[3 * r] == xyz[3 * r]) {
                double dx = xyz[3 * r] - cen[0], dy = xyz[3 * r + 1] - cen[1], dz = xyz[3 * r + 2] - cen[2];
                double dd = sqrt(dx * dx + dy * dy + dz * dz);
                if (dd > rad) rad = dd;
            }
        memcpy(q->bcen + 3 * c, cen, sizeof cen);
        /* rows without a position are reachable only through a matrix */
        q->brad[c] = m == rows ? rad : (m ? INFINITY : -1.0);
    }
    lm__free(keys);
    return q;
fail:
    lm__free(keys);
    lm__qidx_free(q);
    return NULL;
}

const lm_qidx *lm__snapshot_qidx(const lm_snapshot *s, int side) {
    lm_snapshot *m = (lm_snapshot *)s; /* the index is a cache: logically const */
    lm_qidx *q = atomic_load(&m->qidx[side]);
    if (q) return q;
    lm_qidx *mine = build(s->side[side]);
    if (!mine) return NULL;
    lm_qidx *expected = NULL;
    if (atomic_compare_exchange_strong(&m->qidx[side], &expected, mine)) return mine;
    lm__qidx_free(mine);
    return expected;
}
