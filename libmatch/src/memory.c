/* The engine's memory of proposals: a frozen lm_history applied under a
 * policy to batches, queries, explanations and assignments
 * (docs/lifecycle.md). The history's indexes are built in history.c. */
#include "internal.h"

#include <time.h>

static bool st_open(int32_t s) { return s == LM_PROPOSAL_INTRODUCED || s == LM_PROPOSAL_INTERVIEW; }

int32_t lm__memory_today(const lm_policy_eval *P) {
    if (P->as_of_day > 0) return P->as_of_day;
    return (int32_t)(time(NULL) / 86400);
}

int32_t lm__memory_free_slots(const lm_history *h, int64_t vacancy_id, int32_t slots) {
    const lm_hist_vac *v = lm__history_vacancy(h, vacancy_id);
    return v ? slots - v->placed - v->open : slots;
}

bool lm__memory_person_out(const lm_history *h, const lm_policy_eval *P, int64_t candidate_id) {
    const lm_hist_person *p = lm__history_person(h, candidate_id);
    return p && (p->placed || (p->open && P->exclusive_progress));
}

static bool cooled(const lm_hist_rec *r, const lm_policy_eval *P, int32_t today) {
    return P->cooldown_days > 0 && (r->status == LM_PROPOSAL_REJECTED || r->status == LM_PROPOSAL_DECLINED) &&
           (int64_t)today - r->day < P->cooldown_days;
}

bool lm__memory_pair_out(const lm_history *h, const lm_policy_eval *P, int32_t today, int64_t vacancy_id,
                         int64_t candidate_id) {
    const lm_hist_rec *r = lm__history_pair(h, vacancy_id, candidate_id);
    return r && (st_open(r->status) || cooled(r, P, today));
}

int lm__memory_check(const lm_history *h, const lm_policy_eval *P, int64_t vacancy_id, int64_t candidate_id,
                     int32_t slots) {
    if (!h) return LM_CONSTRAINT_NONE;
    const lm_hist_person *p = lm__history_person(h, candidate_id);
    const lm_hist_rec *r = lm__history_pair(h, vacancy_id, candidate_id);
    if (p && p->placed) return LM_CONSTRAINT_PLACED;
    if ((p && p->open && P->exclusive_progress) || (r && st_open(r->status))) return LM_CONSTRAINT_IN_PROGRESS;
    if (lm__memory_free_slots(h, vacancy_id, slots) <= 0) return LM_CONSTRAINT_VACANCY_FULL;
    if (r && cooled(r, P, lm__memory_today(P))) return LM_CONSTRAINT_COOLDOWN;
    return LM_CONSTRAINT_NONE;
}

uint32_t lm__memory_failed(const lm_history *h, const lm_policy_eval *P, int64_t vacancy_id, int64_t candidate_id,
                           int32_t slots) {
    if (!h) return 0;
    const lm_hist_person *p = lm__history_person(h, candidate_id);
    const lm_hist_rec *r = lm__history_pair(h, vacancy_id, candidate_id);
    uint32_t f = 0;
    if (p && p->placed) f |= 1u << LM_CONSTRAINT_PLACED;
    if ((p && p->open && P->exclusive_progress) || (r && st_open(r->status))) f |= 1u << LM_CONSTRAINT_IN_PROGRESS;
    if (lm__memory_free_slots(h, vacancy_id, slots) <= 0) f |= 1u << LM_CONSTRAINT_VACANCY_FULL;
    if (r && cooled(r, P, lm__memory_today(P))) f |= 1u << LM_CONSTRAINT_COOLDOWN;
    return f;
}

void lm__memory_annotate(const lm_history *h, lm_match *m) {
    m->lead_org = 0;
    m->process_status = -1;
    m->process_day = 0;
    if (!h) return;
    const lm_hist_rec *r = lm__history_pair(h, m->vacancy_id, m->candidate_id);
    if (r) {
        m->process_status = r->status;
        m->process_day = r->day;
        if (st_open(r->status) || r->status == LM_PROPOSAL_PLACED) {
            m->lead_org = r->lead_org;
            return;
        }
    }
    /* else the organisation leading the person elsewhere (placement first) */
    const lm_hist_person *p = lm__history_person(h, m->candidate_id);
    if (p && p->placed) m->lead_org = p->placed_org;
    else if (p && p->open) m->lead_org = p->open_org;
}

/* ---- the batch ------------------------------------------------------------ */
static inline int64_t id_of(const lm_tbl *s, const lm_layout *L, uint32_t slot) {
    return LM_COLP(lm__chunk_of(s, slot), L, LM_COL_ID, int64_t)[slot & (LM_CHUNK_ROWS - 1)];
}
static inline int32_t slots_of(const lm_tbl *s, const lm_layout *L, uint32_t slot) {
    return LM_COLP(lm__chunk_of(s, slot), L, LM_COL_SLOTS, int32_t)[slot & (LM_CHUNK_ROWS - 1)];
}

void lm__memory_batch_free(lm_memory_batch *mb) {
    lm__free(mb->cand_skip);
    lm__free(mb->vrun);
    lm__free(mb->cnt_v);
    lm__free(mb->cnt_c);
    memset(mb, 0, sizeof *mb);
}

int lm__memory_batch_begin(lm_memory_batch *mb, const lm_history *h, const lm_eval_ctx *E, const uint32_t *vslots,
                           size_t nv) {
    memset(mb, 0, sizeof *mb);
    const lm_tbl *cs = E->snap->side[LM_SIDE_CANDIDATE], *vs = E->snap->side[LM_SIDE_VACANCY];
    mb->today = lm__memory_today(&E->pol);
    mb->cand_skip = lm__calloc((size_t)cs->nslots + 1, 1);
    mb->vrun = lm__malloc((nv ? nv : 1) * sizeof *mb->vrun);
    mb->cnt_c = lm__calloc((size_t)cs->nslots + 1, sizeof *mb->cnt_c);
    mb->cnt_v = lm__calloc((size_t)vs->nslots + 1, sizeof *mb->cnt_v);
    if (!mb->cand_skip || !mb->vrun || !mb->cnt_c || !mb->cnt_v) {
        lm__memory_batch_free(mb);
        return LM_ERR_NOMEM;
    }
    for (size_t i = 0; i < h->npersons; i++) {
        const lm_hist_person *p = &h->persons[i];
        if (!(p->placed || (p->open && E->pol.exclusive_progress))) continue;
        int64_t s = lm__side_find(cs, p->candidate_id);
        if (s >= 0) mb->cand_skip[s] = 1;
    }
    uint8_t *vskip = lm__calloc((size_t)vs->nslots + 1, 1);
    if (!vskip) {
        lm__memory_batch_free(mb);
        return LM_ERR_NOMEM;
    }
    for (size_t j = 0; j < nv; j++) {
        uint32_t sl = vslots[j];
        if (lm__history_vacancy(h, id_of(vs, E->LV, sl)) &&
            lm__memory_free_slots(h, id_of(vs, E->LV, sl), slots_of(vs, E->LV, sl)) <= 0)
            vskip[sl] = 1;
        else mb->vrun[mb->nvrun++] = sl;
    }
    /* excluded pairs between people and vacancies that both run */
    for (size_t i = 0; i < h->nlatest; i++) {
        const lm_hist_rec *r = h->latest[i];
        if (!(st_open(r->status) || cooled(r, &E->pol, mb->today))) continue;
        int64_t c = lm__side_find(cs, r->candidate_id), v = lm__side_find(vs, r->vacancy_id);
        if (c < 0 || v < 0 || mb->cand_skip[c] || vskip[v]) continue;
        mb->cnt_c[c]++;
        mb->cnt_v[v]++;
    }
    lm__free(vskip);
    for (uint32_t s = 0; s < vs->nslots; s++)
        if (mb->cnt_v[s] > mb->extra_c) mb->extra_c = mb->cnt_v[s];
    for (uint32_t s = 0; s < cs->nslots; s++)
        if (mb->cnt_c[s] > mb->extra_v) mb->extra_v = mb->cnt_c[s];
    return LM_OK;
}

/* Why the cut is exact. A list of the run holds the first k + E entries of
 * its row's feasible pairs in the batch order (score desc, id asc), or all of
 * them if there are fewer. The row has at most E excluded pairs (E is the
 * largest count of any row of this direction). The k-th allowed entry of the
 * full order stands at position <= k + (excluded entries before it) <= k + E,
 * so every one of the first k allowed entries is inside the run's list; and
 * an entry inside the list is allowed or not by the same test as in the full
 * order. Dropping the excluded entries and keeping the first k therefore
 * gives the first k allowed entries of the full order: the top-k over the
 * allowed pairs. When the list is shorter than k + E it is the whole row and
 * the filter is trivially exact. */
static size_t filter_dir(lm_results *r, const lm_memory_batch *mb, const lm_history *h, int dir, uint32_t k) {
    const lm_snapshot *s = r->snap;
    const lm_tbl *cs = s->side[LM_SIDE_CANDIDATE], *vs = s->side[LM_SIDE_VACANCY];
    const lm_layout *LC = &s->layouts->cand, *LV = &s->layouts->vac;
    size_t w = 0, removed = 0;
    for (size_t l = 0; l < r->nlists[dir]; l++) {
        lm_reslist *rl = &r->lists[dir][l];
        const uint32_t *cnt = dir == LM_DIR_VACANCY ? mb->cnt_v : mb->cnt_c;
        bool check = cnt[rl->slot] > 0;
        int64_t mine = dir == LM_DIR_VACANCY ? id_of(vs, LV, rl->slot) : id_of(cs, LC, rl->slot);
        size_t first = w;
        uint32_t kept = 0;
        for (uint32_t q = 0; q < rl->len; q++) {
            const lm_hit hit = r->hits[dir][rl->first + q];
            if (check) {
                int64_t other = dir == LM_DIR_VACANCY ? id_of(cs, LC, hit.slot) : id_of(vs, LV, hit.slot);
                bool out = dir == LM_DIR_VACANCY ? lm__memory_pair_out(h, &r->ctx.pol, mb->today, mine, other)
                                                 : lm__memory_pair_out(h, &r->ctx.pol, mb->today, other, mine);
                if (out) {
                    removed += q < k; /* it stood in the top k before the history was applied */
                    continue;
                }
            }
            if (kept < k) r->hits[dir][w++] = hit, kept++;
        }
        rl->first = first;
        rl->len = kept;
    }
    r->nhits[dir] = w;
    return removed;
}

int lm__memory_batch_end(lm_results *r, const lm_memory_batch *mb, const lm_history *h, const uint32_t *vslots,
                         size_t nv, uint32_t kc, uint32_t kv) {
    size_t removed = filter_dir(r, mb, h, LM_DIR_VACANCY, kc) + filter_dir(r, mb, h, LM_DIR_CANDIDATE, kv);
    r->stat[LM_STAT_HISTORY_EXCLUDED] = (double)removed;
    if (r->nlists[LM_DIR_VACANCY] == nv) return LM_OK;
    /* full vacancies: an empty list each, in the caller's order */
    lm_reslist *L = lm__malloc((nv ? nv : 1) * sizeof *L);
    if (!L) return LM_ERR_NOMEM;
    size_t q = 0, at = 0;
    for (size_t j = 0; j < nv; j++) {
        if (q < r->nlists[LM_DIR_VACANCY] && r->lists[LM_DIR_VACANCY][q].slot == vslots[j]) {
            L[j] = r->lists[LM_DIR_VACANCY][q++];
            at = L[j].first + L[j].len;
        } else {
            L[j] = (lm_reslist){vslots[j], 0, at};
        }
    }
    lm__free(r->lists[LM_DIR_VACANCY]);
    r->lists[LM_DIR_VACANCY] = L;
    r->nlists[LM_DIR_VACANCY] = nv;
    return LM_OK;
}
