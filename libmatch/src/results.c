/* Results: library-owned lists of hits, explained on the way out. */
#include "internal.h"

#include <string.h>

void lm_results_free(lm_results *r) {
    if (!r) return;
    for (int d = 0; d < 2; d++) {
        lm__free(r->lists[d]);
        lm__free(r->hits[d]);
    }
    lm_travel_free(r->travel_ref);
    lm_history_free(r->hist);
    lm__free(r->feasible);
    lm_snapshot_free(r->snap);
    lm__free(r);
}

static bool dir_ok(int32_t dir) { return dir == LM_DIR_VACANCY || dir == LM_DIR_CANDIDATE; }

int lm_results_lists(size_t *out, const lm_results *r, int32_t dir) {
    if (!out || !r) return LM_ERR_NULL;
    if (!dir_ok(dir)) return LM_ERR_RANGE;
    *out = r->nlists[dir];
    return LM_OK;
}

int lm_results_count(size_t *out, const lm_results *r, int32_t dir) {
    if (!out || !r) return LM_ERR_NULL;
    if (!dir_ok(dir)) return LM_ERR_RANGE;
    *out = r->nhits[dir];
    return LM_OK;
}

int lm_results_list(int64_t *out, size_t *out_first, size_t *out_len, const lm_results *r, int32_t dir,
                    size_t index) {
    if (!out || !r) return LM_ERR_NULL;
    if (!dir_ok(dir) || index >= r->nlists[dir]) return LM_ERR_RANGE;
    const lm_reslist *l = &r->lists[dir][index];
    const lm_tbl *s = r->snap->side[dir == LM_DIR_VACANCY ? LM_SIDE_VACANCY : LM_SIDE_CANDIDATE];
    *out = LM_COLP(lm__chunk_of(s, l->slot), s->L, LM_COL_ID, int64_t)[l->slot & (LM_CHUNK_ROWS - 1)];
    if (out_first) *out_first = l->first;
    if (out_len) *out_len = l->len;
    return LM_OK;
}

/* Index of the list holding row `row` (lists are in row order). */
static size_t list_of(const lm_results *r, int dir, size_t row) {
    size_t lo = 0, hi = r->nlists[dir];
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (r->lists[dir][mid].first <= row) lo = mid; else hi = mid;
    }
    /* skip empty lists that share `first` */
    while (lo + 1 < r->nlists[dir] && r->lists[dir][lo].first + r->lists[dir][lo].len <= row) lo++;
    return lo;
}

int lm_results_copy(lm_match *out, size_t elem_size, size_t capacity, size_t *out_copied, const lm_results *r,
                    int32_t dir, size_t first) {
    if (!r) return LM_ERR_NULL;
    if (!dir_ok(dir)) return LM_ERR_RANGE;
    if (elem_size < LM_MATCH_SIZE_1_0) return LM_ERR_INVALID;
    if (first > r->nhits[dir]) return LM_ERR_RANGE;
    size_t n = r->nhits[dir] - first;
    if (n > capacity) n = capacity;
    if (n && !out) return LM_ERR_NULL;
    if (out_copied) *out_copied = 0;
    if (n == 0) return LM_OK;
    size_t li = list_of(r, dir, first);
    unsigned char *dst = (unsigned char *)out;
    for (size_t i = 0; i < n; i++) {
        size_t row = first + i;
        while (row >= r->lists[dir][li].first + r->lists[dir][li].len) li++;
        const lm_reslist *l = &r->lists[dir][li];
        const lm_hit *h = &r->hits[dir][row];
        lm_match m; /* lm__pair_eval zeroes it, padding included */
        uint32_t cslot = dir == LM_DIR_VACANCY ? h->slot : l->slot;
        uint32_t vslot = dir == LM_DIR_VACANCY ? l->slot : h->slot;
        lm__pair_eval(&r->ctx, cslot, vslot, h->dot, NULL, &m);
        m.rank = (uint32_t)(row - l->first + 1);
        m.score = h->score; /* as ranked */
        lm__memory_annotate(r->hist, &m);
        lm__match_store(dst + i * elem_size, elem_size, &m);
    }
    if (out_copied) *out_copied = n;
    return LM_OK;
}

int lm_results_stat(double *out, const lm_results *r, int32_t stat) {
    if (!out || !r) return LM_ERR_NULL;
    if (stat < 0 || stat > LM_STAT_HISTORY_EXCLUDED) return LM_ERR_RANGE;
    *out = r->stat[stat];
    return LM_OK;
}
