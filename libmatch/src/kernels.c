/* Scoring kernels: competence dot products, chosen at run time from the CPU
 * so that one binary runs everywhere. Each ISA variant is compiled with a
 * function-level target attribute; nothing here needs global -m flags.
 *
 * The panel kernel computes D[r][c] = V[r] . C[c] for LM_PANEL_MR vacancy
 * rows (row-major, stride vstride) against one candidate block stored
 * transposed (dim x LM_BLOCK_C floats, 64-byte aligned): a register-blocked
 * GEMM micro-kernel, so each loaded candidate value feeds MR FMAs. */
#include "kernels.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define LM_X86 1
#endif

int lm__cpu_best_kernel(void) {
#ifdef LM_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return LM_KERNEL_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return LM_KERNEL_AVX2;
#endif
    return LM_KERNEL_SCALAR;
}

/* ---- scalar --------------------------------------------------------------- */
static void panel_scalar(const float *V, size_t vstride, const float *Ct, uint32_t dim, float *D) {
    for (int r = 0; r < LM_PANEL_MR; r++) {
        float *d = D + (size_t)r * LM_BLOCK_C;
        for (int c = 0; c < LM_BLOCK_C; c++) d[c] = 0.f;
        const float *v = V + (size_t)r * vstride;
        for (uint32_t j = 0; j < dim; j++) {
            float a = v[j];
            const float *ct = Ct + (size_t)j * LM_BLOCK_C;
            for (int c = 0; c < LM_BLOCK_C; c++) d[c] += a * ct[c];
        }
    }
}

static void panel8_scalar(const uint8_t *V8, size_t vstride, const int8_t *Ct8, const int32_t *csum, uint32_t dim4,
                          float *D) {
    for (int r = 0; r < LM_PANEL_MR; r++) {
        const uint8_t *v = V8 + (size_t)r * vstride;
        for (int c = 0; c < LM_BLOCK_C; c++) {
            int32_t acc = 0;
            for (uint32_t j = 0; j < dim4; j++) {
                const int8_t *b = Ct8 + ((size_t)j * LM_BLOCK_C + (size_t)c) * 4;
                for (int q = 0; q < 4; q++) acc += (int32_t)v[4 * j + q] * b[q];
            }
            D[(size_t)r * LM_BLOCK_C + c] = (float)(acc - 128 * csum[c]) * LM_Q8_INV2;
        }
    }
}


/* Travel margin of the bound: km lost to float positions (about 0.5 km at
 * worst in the Netherlands' latitudes) plus a relative 1e-5. */
#define LM_KM_MARGIN 1.0f
#define LM_KM_REL (1.0f - 1e-5f)
#define LM_R_KM ((float)LM_EARTH_RADIUS_KM)

static void bound_scalar(const lm_bound_args *a, uint64_t mask[LM_BLOCK_C / 64]) {
    memset(mask, 0, LM_BLOCK_C / 8);
    for (uint32_t c = 0; c < a->n; c++) {
        if (!(a->groups[c] & a->acc) || a->ready[c] > a->maxr || !(a->lw[c] >= a->minlw) ||
            (a->flo[c] & a->req_lo) != a->req_lo || (a->fhi[c] & a->req_hi) != a->req_hi || a->avail[c] > a->open)
            continue;
        float lo = a->hmin[c] > a->vmin ? a->hmin[c] : a->vmin, hi = a->hmax[c] < a->vmax ? a->hmax[c] : a->vmax;
        if (lo > hi) continue;
        float dc = a->d[c] + a->dslack;
        float x = dc < 0.f ? 0.f : (dc > 1.f ? 1.f : dc);
        float tr = 1.f;
        if (a->cx) {
            float dx = a->cx[c] - a->vx, dy = a->cy[c] - a->vy, dz = a->cz[c] - a->vz;
            float km = sqrtf(dx * dx + dy * dy + dz * dz) * (LM_R_KM * LM_KM_REL) - LM_KM_MARGIN;
            if (km < 0.f) km = 0.f;
            float best = INFINITY;
            for (int m = 0; m < a->nmodes; m++) {
                float t = a->tacc[m] + km * a->mpk[m];
                if (t < best) best = t;
            }
            tr = 1.f - best * a->inv_limit[c];
            if (!(tr >= 0.f)) continue; /* out of reach (or no position) */
        }
        float ub = a->w_comp * x + a->w_travel * tr + a->sc[c] + LM_BOUND_EPS;
        float t = a->cthr[c] < a->vthr ? a->cthr[c] : a->vthr;
        if (ub >= t) mask[c >> 6] |= 1ull << (c & 63);
    }
}

static uint32_t qfilter_scalar(const lm_qfilter_args *a, uint64_t mask[LM_CHUNK_ROWS / 64]) {
    memset(mask, 0, LM_CHUNK_ROWS / 8);
    uint32_t seen = 0;
    const lm_viewer v = {sizeof v, a->v_org, a->v_muni, a->v_region};
    for (uint32_t r = 0; r < a->n; r++) {
        if (!a->live[r]) continue;
        if (!a->rows_vacancies) {
            if (!lm__visible(&v, a->org[r], a->muni[r], a->region[r], a->scope[r])) continue;
        } else if (a->slots[r] <= 0 || (a->as_of_day > 0 && a->day[r] < a->as_of_day)) {
            continue;
        }
        seen++;
        if (!(a->groups[r] & a->groups_q)) continue;
        float lo = a->hmin[r] > a->hmin_q ? a->hmin[r] : a->hmin_q, hi = a->hmax[r] < a->hmax_q ? a->hmax[r] : a->hmax_q;
        if (lo > hi) continue;
        if (!a->rows_vacancies) { /* rows are candidates, the query a vacancy */
            if (a->ready[r] > a->ready_q || a->lw[r] < a->lw_q || (a->flags[r] & a->flags_q) != a->flags_q ||
                a->day[r] > a->day_q)
                continue;
        } else if (a->ready_q > a->ready[r] || a->lw_q < a->lw[r] || (a->flags_q & a->flags[r]) != a->flags[r] ||
                   a->day_q > a->day[r]) {
            continue;
        }
        mask[r >> 6] |= 1ull << (r & 63);
    }
    return seen;
}

/* The exact part of lm__pair_eval() for the pairs of the mask (the bound
 * kernels have applied the hard filters exactly): the reference that
 * exact512 matches bit for bit. */
static void exact_scalar(const lm_bound_args *a, const lm_exact_args *x, uint64_t mask[LM_BLOCK_C / 64]) {
    const double v[3] = {x->vx, x->vy, x->vz};
    for (uint32_t w = 0; w < LM_BLOCK_C / 64; w++)
        for (uint64_t bits = mask[w]; bits; bits &= bits - 1) {
            uint32_t c = w * 64 + (uint32_t)__builtin_ctzll(bits);
            float dot = a->d[c], comp = dot < 0.f ? 0.f : (dot > 1.f ? 1.f : dot);
            float cmin = a->hmin[c], cmax = a->hmax[c];
            float lo = cmin > a->vmin ? cmin : a->vmin, hi = cmax < a->vmax ? cmax : a->vmax;
            const double *cx = x->xyz + 3 * (size_t)c;
            double dx = cx[0] - v[0], dy = cx[1] - v[1], dz = cx[2] - v[2];
            bool ok = !(dx * dx + dy * dy + dz * dz > x->reach2[c]);
            double best = ok ? lm__geo_best(x->access, x->mpk, x->modes[c], cx, v) : INFINITY;
            float limit = x->limit[c];
            float score = 0.f;
            if ((ok = best <= limit)) {
                float trav = 1.f - (float)best / limit;
                float clen = cmax - cmin, vlen = a->vmax - a->vmin, len = clen < vlen ? clen : vlen;
                float hours = lm__hours_score(lo, hi, len);
                /* lm__score_combine(): the competence term last */
                float rest = a->w_travel * trav + x->w_hours * hours + x->w_ready * x->rdy[c] + x->w_prio * x->prio[c];
                if (x->rest) x->rest[c] = rest;
                score = rest + a->w_comp * comp;
                score = score > 1.f ? 1.f : score;
                ok = !(score < x->min_score);
            }
            if (ok) x->score[c] = score;
            else mask[w] &= ~(1ull << (c & 63));
        }
}

/* The k-th largest of n distinct keys (1 <= k <= n); reorders a. A
 * branchless Lomuto quickselect: the comparisons are coin flips that a
 * branchy one mispredicts half the time. */
static uint64_t kth_scalar(uint64_t *a, uint64_t *tmp, uint32_t n, uint32_t k) {
    (void)tmp;
    uint32_t lo = 0, hi = n, want = k - 1;
    while (hi - lo > 12) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint64_t x = a[lo], y = a[mid], z = a[hi - 1];
        uint64_t pivot = x > y ? (y > z ? y : (x > z ? z : x)) : (x > z ? x : (y > z ? z : y));
        uint32_t j = lo;
        for (uint32_t i = lo; i < hi; i++) { /* a[lo, j) > pivot */
            uint64_t v = a[i];
            a[i] = a[j];
            a[j] = v;
            j += v > pivot;
        }
        if (want < j) {
            hi = j;
        } else if (j == lo) { /* the pivot is the range's largest */
            if (want == lo) return pivot;
            for (uint32_t i = lo; i < hi; i++)
                if (a[i] == pivot) {
                    a[i] = a[lo];
                    a[lo] = pivot;
                    break;
                }
            lo++;
        } else {
            lo = j;
        }
    }
    for (uint32_t i = lo; i <= want; i++) { /* selection sort of the rest, descending */
        uint32_t m = i;
        for (uint32_t q = i + 1; q < hi; q++) m = a[q] > a[m] ? q : m;
        uint64_t t = a[i];
        a[i] = a[m];
        a[m] = t;
    }
    return a[want];
}

#ifdef LM_X86
/* ---- AVX2 + FMA: 6 rows x 16 columns in 12 accumulators ------------------- */
/* Named accumulators, as in panel_avx512 (an array spills at -O2). */
#define LM_FMA2(acc, a)                       \
    acc##0 = _mm256_fmadd_ps(a, b0, acc##0); \
    acc##1 = _mm256_fmadd_ps(a, b1, acc##1)
#define LM_ST2(acc, r)                                            \
    _mm256_store_ps(D + (size_t)(r) * LM_BLOCK_C + cg, acc##0); \
    _mm256_store_ps(D + (size_t)(r) * LM_BLOCK_C + cg + 8, acc##1)
__attribute__((target("avx2,fma"))) static void panel_avx2(const float *V, size_t vstride, const float *Ct,
                                                           uint32_t dim, float *D) {
    const float *v0 = V, *v1 = V + vstride, *v2 = V + 2 * vstride, *v3 = V + 3 * vstride, *v4 = V + 4 * vstride,
                *v5 = V + 5 * vstride;
    for (int cg = 0; cg < LM_BLOCK_C; cg += 16) {
        __m256 p0 = _mm256_setzero_ps(), p1 = p0, q0 = p0, q1 = p0, r0 = p0, r1 = p0, s0 = p0, s1 = p0, t0 = p0,
               t1 = p0, u0 = p0, u1 = p0;
        const float *row = Ct + cg;
        for (uint32_t j = 0; j < dim; j++, row += LM_BLOCK_C) {
            __m256 b0 = _mm256_load_ps(row), b1 = _mm256_load_ps(row + 8), a;
            a = _mm256_broadcast_ss(v0 + j);
            LM_FMA2(p, a);
            a = _mm256_broadcast_ss(v1 + j);
            LM_FMA2(q, a);
            a = _mm256_broadcast_ss(v2 + j);
            LM_FMA2(r, a);
            a = _mm256_broadcast_ss(v3 + j);
            LM_FMA2(s, a);
            a = _mm256_broadcast_ss(v4 + j);
            LM_FMA2(t, a);
            a = _mm256_broadcast_ss(v5 + j);
            LM_FMA2(u, a);
        }
        LM_ST2(p, 0);
        LM_ST2(q, 1);
        LM_ST2(r, 2);
        LM_ST2(s, 3);
        LM_ST2(t, 4);
        LM_ST2(u, 5);
    }
}
#undef LM_FMA2
#undef LM_ST2

__attribute__((target("avx2,fma"))) static void bound_avx2(const lm_bound_args *a, uint64_t mask[LM_BLOCK_C / 64]) {
    memset(mask, 0, LM_BLOCK_C / 8);
    const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.f), wc = _mm256_set1_ps(a->w_comp),
                 wt = _mm256_set1_ps(a->w_travel), eps = _mm256_set1_ps(LM_BOUND_EPS), vt = _mm256_set1_ps(a->vthr),
                 vx = _mm256_set1_ps(a->vx), vy = _mm256_set1_ps(a->vy), vz = _mm256_set1_ps(a->vz),
                 rk = _mm256_set1_ps(LM_R_KM * LM_KM_REL), mg = _mm256_set1_ps(LM_KM_MARGIN), inf = _mm256_set1_ps(INFINITY),
                 ds = _mm256_set1_ps(a->dslack);
    uint32_t c = 0, n = a->n & ~7u;
    const __m256i acc = _mm256_set1_epi32((int)a->acc), rlo = _mm256_set1_epi32((int)a->req_lo),
                  rhi = _mm256_set1_epi32((int)a->req_hi), maxr = _mm256_set1_epi32(a->maxr),
                  open = _mm256_set1_epi32(a->open), zi = _mm256_setzero_si256();
    const __m256 minlw = _mm256_set1_ps(a->minlw), vmin = _mm256_set1_ps(a->vmin), vmax = _mm256_set1_ps(a->vmax);
    for (; c < n; c += 8) {
        /* the bound with travel at its best first: most lanes stop here */
        __m256 t = _mm256_min_ps(_mm256_loadu_ps(a->cthr + c), vt);
        __m256 x = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(_mm256_loadu_ps(a->d + c), ds), zero), one);
        __m256 part = _mm256_fmadd_ps(wc, x, _mm256_add_ps(_mm256_loadu_ps(a->sc + c), eps));
        if (_mm256_movemask_ps(_mm256_cmp_ps(_mm256_add_ps(part, wt), t, _CMP_GE_OQ)) == 0) continue;
        /* hard filters: a lane stays set only if every one passes */
        __m256i g = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(a->groups + c)), acc);
        __m256i bad = _mm256_cmpeq_epi32(g, zi);
        bad = _mm256_or_si256(bad, _mm256_cmpgt_epi32(_mm256_loadu_si256((const __m256i *)(a->ready + c)), maxr));
        bad = _mm256_or_si256(bad, _mm256_cmpgt_epi32(_mm256_loadu_si256((const __m256i *)(a->avail + c)), open));
        __m256i fl = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(a->flo + c)), rlo);
        __m256i fh = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(a->fhi + c)), rhi);
        bad = _mm256_or_si256(bad, _mm256_xor_si256(_mm256_cmpeq_epi32(fl, rlo), _mm256_set1_epi32(-1)));
        bad = _mm256_or_si256(bad, _mm256_xor_si256(_mm256_cmpeq_epi32(fh, rhi), _mm256_set1_epi32(-1)));
        __m256 fok = _mm256_cmp_ps(_mm256_loadu_ps(a->lw + c), minlw, _CMP_GE_OQ);
        __m256 lo = _mm256_max_ps(_mm256_loadu_ps(a->hmin + c), vmin), hi = _mm256_min_ps(_mm256_loadu_ps(a->hmax + c), vmax);
        fok = _mm256_and_ps(fok, _mm256_cmp_ps(lo, hi, _CMP_LE_OQ));
        fok = _mm256_andnot_ps(_mm256_castsi256_ps(bad), fok);
        if (_mm256_movemask_ps(fok) == 0) continue;
        __m256 tr = one, ok = fok;
        if (a->cx) {
            __m256 dx = _mm256_sub_ps(_mm256_loadu_ps(a->cx + c), vx), dy = _mm256_sub_ps(_mm256_loadu_ps(a->cy + c), vy),
                   dz = _mm256_sub_ps(_mm256_loadu_ps(a->cz + c), vz);
            __m256 d2 = _mm256_fmadd_ps(dx, dx, _mm256_fmadd_ps(dy, dy, _mm256_mul_ps(dz, dz)));
            __m256 km = _mm256_max_ps(_mm256_fmsub_ps(_mm256_sqrt_ps(d2), rk, mg), zero);
            __m256 best = inf;
            for (int m = 0; m < a->nmodes; m++)
                best = _mm256_min_ps(best, _mm256_fmadd_ps(km, _mm256_set1_ps(a->mpk[m]), _mm256_set1_ps(a->tacc[m])));
            tr = _mm256_fnmadd_ps(best, _mm256_loadu_ps(a->inv_limit + c), one);
            ok = _mm256_and_ps(ok, _mm256_cmp_ps(tr, zero, _CMP_GE_OQ));
        }
        __m256 ub = _mm256_fmadd_ps(wt, tr, part);
        __m256 sel = _mm256_and_ps(ok, _mm256_cmp_ps(ub, t, _CMP_GE_OQ));
        mask[c >> 6] |= (uint64_t)_mm256_movemask_ps(sel) << (c & 63);
    }
    if (c < a->n) { /* tail through the scalar code */
        lm_bound_args t = *a;
        uint64_t m2[LM_BLOCK_C / 64];
        t.d += c; t.sc += c; t.cthr += c; t.n -= c;
        t.groups += c; t.flo += c; t.fhi += c; t.ready += c; t.avail += c; t.lw += c; t.hmin += c; t.hmax += c;
        if (t.cx) { t.cx += c; t.cy += c; t.cz += c; t.inv_limit += c; }
        bound_scalar(&t, m2);
        mask[c >> 6] |= m2[0] << (c & 63); /* c is a multiple of 8 and n - c < 8 */
    }
}

/* Column arrays hold LM_CHUNK_ROWS entries whatever n is, so whole vectors
 * are read and the tail is masked. */
__attribute__((target("avx2,fma"))) static uint32_t qfilter_avx2(const lm_qfilter_args *a,
                                                                  uint64_t mask[LM_CHUNK_ROWS / 64]) {
    memset(mask, 0, LM_CHUNK_ROWS / 8);
    const __m256i gq = _mm256_set1_epi32((int)a->groups_q), rq = _mm256_set1_epi32(a->ready_q),
                  dq = _mm256_set1_epi32(a->day_q), fq = _mm256_set1_epi64x((long long)a->flags_q),
                  zi = _mm256_setzero_si256(), vorg = _mm256_set1_epi64x(a->v_org),
                  vmuni = _mm256_set1_epi32(a->v_muni), vreg = _mm256_set1_epi32(a->v_region),
                  asof = _mm256_set1_epi32(a->as_of_day);
    const __m256 lq = _mm256_set1_ps(a->lw_q), hminq = _mm256_set1_ps(a->hmin_q), hmaxq = _mm256_set1_ps(a->hmax_q);
    const bool rv = a->rows_vacancies;
    uint32_t seen = 0;
    for (uint32_t c = 0; c < a->n; c += 8) {
        unsigned tail = a->n - c < 8 ? (1u << (a->n - c)) - 1u : 0xFFu;
        __m256i live = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(a->live + c)));
        __m256i dy = _mm256_loadu_si256((const __m256i *)(a->day + c));
        unsigned sm;
        if (!rv) { /* visible: own org, national, or the viewer's region / municipality */
            __m256i sc = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(a->scope + c)));
            __m256i reg = _mm256_loadu_si256((const __m256i *)(a->region + c)),
                    mun = _mm256_loadu_si256((const __m256i *)(a->muni + c));
            __m256i vis = _mm256_cmpeq_epi32(sc, _mm256_set1_epi32(LM_SCOPE_NATIONAL));
            vis = _mm256_or_si256(vis, _mm256_andnot_si256(_mm256_cmpeq_epi32(reg, zi),
                                                           _mm256_and_si256(_mm256_cmpeq_epi32(sc, _mm256_set1_epi32(LM_SCOPE_REGION)),
                                                                            _mm256_cmpeq_epi32(reg, vreg))));
            vis = _mm256_or_si256(vis, _mm256_andnot_si256(_mm256_cmpeq_epi32(mun, zi),
                                                           _mm256_and_si256(_mm256_cmpeq_epi32(sc, _mm256_set1_epi32(LM_SCOPE_MUNICIPALITY)),
                                                                            _mm256_cmpeq_epi32(mun, vmuni))));
            unsigned own = (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(_mm256_loadu_si256((const __m256i *)(a->org + c)), vorg))) |
                           (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(_mm256_loadu_si256((const __m256i *)(a->org + c + 4)), vorg))) << 4;
            sm = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(vis)) | own;
        } else { /* open: slots left, not closed before as_of_day */
            __m256i shut = _mm256_cmpgt_epi32(_mm256_set1_epi32(1), _mm256_loadu_si256((const __m256i *)(a->slots + c)));
            if (a->as_of_day > 0) shut = _mm256_or_si256(shut, _mm256_cmpgt_epi32(asof, dy));
            sm = ~(unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(shut));
        }
        sm &= ~(unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(live, zi))) & tail;
        seen += (uint32_t)__builtin_popcount(sm);
        __m256i bad = _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_loadu_si256((const __m256i *)(a->groups + c)), gq), zi);
        __m256i rd = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(a->ready + c)));
        __m256 lw = _mm256_loadu_ps(a->lw + c), ok;
        __m256i f0 = _mm256_loadu_si256((const __m256i *)(a->flags + c)), f1 = _mm256_loadu_si256((const __m256i *)(a->flags + c + 4));
        __m256i w0 = _mm256_and_si256(f0, fq), w1 = _mm256_and_si256(f1, fq);
        unsigned fm;
        if (!rv) {
            bad = _mm256_or_si256(bad, _mm256_cmpgt_epi32(rd, rq));
            bad = _mm256_or_si256(bad, _mm256_cmpgt_epi32(dy, dq));
            ok = _mm256_cmp_ps(lw, lq, _CMP_NLT_UQ);
            fm = (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(w0, fq))) |
                 (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(w1, fq))) << 4;
        } else {
            bad = _mm256_or_si256(bad, _mm256_cmpgt_epi32(rq, rd));
            bad = _mm256_or_si256(bad, _mm256_cmpgt_epi32(dq, dy));
            ok = _mm256_cmp_ps(lw, lq, _CMP_NGT_UQ);
            fm = (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(w0, f0))) |
                 (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(w1, f1))) << 4;
        }
        __m256 lo = _mm256_max_ps(_mm256_loadu_ps(a->hmin + c), hminq), hi = _mm256_min_ps(_mm256_loadu_ps(a->hmax + c), hmaxq);
        ok = _mm256_and_ps(ok, _mm256_cmp_ps(lo, hi, _CMP_NGT_UQ));
        ok = _mm256_andnot_ps(_mm256_castsi256_ps(bad), ok);
        mask[c >> 6] |= (uint64_t)((unsigned)_mm256_movemask_ps(ok) & fm & sm) << (c & 63);
    }
    return seen;
}

/* ---- AVX-512: 6 rows x 64 columns in 24 accumulators ---------------------- */
/* The accumulators are named variables, not an array: GCC at -O2 keeps an
 * array of vectors on the stack and reloads it around every FMA (measured
 * 2.5x slower). */
#define LM_FMA4(acc, a) \
    acc##0 = _mm512_fmadd_ps(a, b0, acc##0); \
    acc##1 = _mm512_fmadd_ps(a, b1, acc##1); \
    acc##2 = _mm512_fmadd_ps(a, b2, acc##2); \
    acc##3 = _mm512_fmadd_ps(a, b3, acc##3)
#define LM_ST4(acc, r)                                              \
    _mm512_store_ps(D + (size_t)(r) * LM_BLOCK_C + cg, acc##0);      \
    _mm512_store_ps(D + (size_t)(r) * LM_BLOCK_C + cg + 16, acc##1); \
    _mm512_store_ps(D + (size_t)(r) * LM_BLOCK_C + cg + 32, acc##2); \
    _mm512_store_ps(D + (size_t)(r) * LM_BLOCK_C + cg + 48, acc##3)
__attribute__((target("avx512f"))) static void panel_avx512(const float *V, size_t vstride, const float *Ct,
                                                            uint32_t dim, float *D) {
    const float *v0 = V, *v1 = V + vstride, *v2 = V + 2 * vstride, *v3 = V + 3 * vstride, *v4 = V + 4 * vstride,
                *v5 = V + 5 * vstride;
    for (int cg = 0; cg < LM_BLOCK_C; cg += 64) {
        __m512 p0 = _mm512_setzero_ps(), p1 = p0, p2 = p0, p3 = p0, q0 = p0, q1 = p0, q2 = p0, q3 = p0, r0 = p0,
               r1 = p0, r2 = p0, r3 = p0, s0 = p0, s1 = p0, s2 = p0, s3 = p0, t0 = p0, t1 = p0, t2 = p0, t3 = p0,
               u0 = p0, u1 = p0, u2 = p0, u3 = p0;
        const float *row = Ct + cg;
        for (uint32_t j = 0; j < dim; j++, row += LM_BLOCK_C) {
            __m512 b0 = _mm512_load_ps(row), b1 = _mm512_load_ps(row + 16), b2 = _mm512_load_ps(row + 32),
                   b3 = _mm512_load_ps(row + 48), a;
            a = _mm512_set1_ps(v0[j]);
            LM_FMA4(p, a);
            a = _mm512_set1_ps(v1[j]);
            LM_FMA4(q, a);
            a = _mm512_set1_ps(v2[j]);
            LM_FMA4(r, a);
            a = _mm512_set1_ps(v3[j]);
            LM_FMA4(s, a);
            a = _mm512_set1_ps(v4[j]);
            LM_FMA4(t, a);
            a = _mm512_set1_ps(v5[j]);
            LM_FMA4(u, a);
        }
        LM_ST4(p, 0);
        LM_ST4(q, 1);
        LM_ST4(r, 2);
        LM_ST4(s, 3);
        LM_ST4(t, 4);
        LM_ST4(u, 5);
    }
}
#undef LM_FMA4
#undef LM_ST4

/* The exact part of lm__pair_eval() for up to 16 packed pairs (indexes ix,
 * lanes m), see lm_exact_args: doubles for travel, as the scalar code; mul
 * and add kept apart (the scalar code is built with -ffp-contract=off).
 * Returns the feasible lanes; their scores go to x->score[ix]. */
__attribute__((target("avx512f"))) static __mmask16 exact512(const lm_bound_args *a, const lm_exact_args *x, __m512i ix,
                                                             __mmask16 m) {
    const __m512d inf = _mm512_set1_pd(INFINITY);
    __m256 bestf[2];
    __mmask16 ok = 0;
    uint32_t idx[16];
    _mm512_storeu_si512(idx, ix);
    const __m512 lim16 = _mm512_mask_i32gather_ps(_mm512_set1_ps(1.f), m, ix, x->limit, 4);
    for (int hh = 0; hh < 2; hh++) {
        __mmask8 mh = (__mmask8)(m >> (8 * hh));
        bestf[hh] = _mm256_setzero_ps();
        if (!mh) continue;
        __m256i i1 = hh ? _mm512_extracti64x4_epi64(ix, 1) : _mm512_castsi512_si256(ix);
        __m256i i3 = _mm256_add_epi32(i1, _mm256_add_epi32(i1, i1));
        __m512d cx = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), mh, i3, x->xyz, 8),
                cy = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), mh, i3, x->xyz + 1, 8),
                cz = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), mh, i3, x->xyz + 2, 8);
        __m512d dx = _mm512_sub_pd(cx, _mm512_set1_pd(x->vx)), dy = _mm512_sub_pd(cy, _mm512_set1_pd(x->vy)),
                dz = _mm512_sub_pd(cz, _mm512_set1_pd(x->vz));
        __m512d d2 = _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(dx, dx), _mm512_mul_pd(dy, dy)), _mm512_mul_pd(dz, dz));
        /* in reach, and the candidate has a position (NaN: no travel) */
        mh = _mm512_mask_cmp_pd_mask(mh, d2, _mm512_mask_i32gather_pd(inf, mh, i1, x->reach2, 8), _CMP_LE_OQ);
        if (!mh) continue;
        __m512d h = _mm512_mul_pd(_mm512_set1_pd(0.5), _mm512_sqrt_pd(d2));
        h = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(h, _mm512_set1_pd(1.0), _CMP_GT_OQ), h, _mm512_set1_pd(1.0));
        __m512d h2 = _mm512_mul_pd(h, h), q = _mm512_mul_pd(h2, _mm512_set1_pd(35.0 / 1152.0));
        q = _mm512_mul_pd(h2, _mm512_add_pd(_mm512_set1_pd(5.0 / 112.0), q));
        q = _mm512_mul_pd(h2, _mm512_add_pd(_mm512_set1_pd(3.0 / 40.0), q));
        q = _mm512_mul_pd(h2, _mm512_add_pd(_mm512_set1_pd(1.0 / 6.0), q));
        __m512d ang = _mm512_mul_pd(h, _mm512_add_pd(_mm512_set1_pd(1.0), q));
        __m512d km = _mm512_mul_pd(_mm512_mul_pd(_mm512_set1_pd(2.0), ang), _mm512_set1_pd(LM_EARTH_RADIUS_KM));
        __mmask8 far = _mm512_mask_cmp_pd_mask(mh, h, _mm512_set1_pd(0.05), _CMP_NLT_UQ);
        if (far) { /* beyond the series: the scalar asin */
            double kmv[8], chv[8];
            _mm512_storeu_pd(kmv, km);
            _mm512_storeu_pd(chv, _mm512_sqrt_pd(d2));
            for (int l = 0; l < 8; l++)
                if (far >> l & 1) kmv[l] = lm__chord_km(chv[l]);
            km = _mm512_loadu_pd(kmv);
        }
        int64_t mo8[8];
        for (int l = 0; l < 8; l++) mo8[l] = mh >> l & 1 ? x->modes[idx[8 * hh + l]] : 0;
        __m512i md = _mm512_loadu_si512(mo8);
        __m512d best = inf;
        for (int mo = 0; mo < LM_MODE_COUNT; mo++) {
            __m512d tm = _mm512_add_pd(_mm512_set1_pd(x->access[mo]), _mm512_mul_pd(km, _mm512_set1_pd(x->mpk[mo])));
            __mmask8 has = _mm512_test_epi64_mask(md, _mm512_set1_epi64(1ll << mo));
            best = _mm512_mask_min_pd(best, has, tm, best);
        }
        __m256 lim = hh ? _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(lim16), 1)) : _mm512_castps512_ps256(lim16);
        mh = _mm512_mask_cmp_pd_mask(mh, best, _mm512_cvtps_pd(lim), _CMP_LE_OQ);
        bestf[hh] = _mm512_cvtpd_ps(best);
        ok |= (__mmask16)((unsigned)mh << (8 * hh));
    }
    if (!ok) return 0;
    const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.f);
    __m512 bf = _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(bestf[0])), _mm256_castps_pd(bestf[1]), 1));
    __m512 trav = _mm512_sub_ps(one, _mm512_div_ps(bf, lim16));
    __m512 cmin = _mm512_mask_i32gather_ps(zero, ok, ix, a->hmin, 4), cmax = _mm512_mask_i32gather_ps(zero, ok, ix, a->hmax, 4);
    __m512 vmin = _mm512_set1_ps(a->vmin), vmax = _mm512_set1_ps(a->vmax);
    __m512 lo = _mm512_max_ps(cmin, vmin), hi = _mm512_min_ps(cmax, vmax);
    __m512 len = _mm512_min_ps(_mm512_sub_ps(cmax, cmin), _mm512_sub_ps(vmax, vmin));
    __mmask16 pos = _mm512_cmp_ps_mask(len, zero, _CMP_GT_OQ);
    /* lm__hours_score(): the overlap counts as at least min(len, 1) hour;
     * max/min_ps return the second operand on NaN, as the scalar ?: does */
    __m512 ov = _mm512_max_ps(_mm512_sub_ps(hi, lo), _mm512_min_ps(len, one));
    __m512 hours = _mm512_mask_div_ps(one, pos, ov, len);
    __m512 d = _mm512_mask_i32gather_ps(zero, ok, ix, a->d, 4);
    __m512 comp = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(d, one, _CMP_GT_OQ), d, one);
    comp = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(d, zero, _CMP_LT_OQ), comp, zero);
    /* lm__score_combine(): the competence term last */
    __m512 s = _mm512_mul_ps(_mm512_set1_ps(a->w_travel), trav);
    s = _mm512_add_ps(s, _mm512_mul_ps(_mm512_set1_ps(x->w_hours), hours));
    s = _mm512_add_ps(s, _mm512_mul_ps(_mm512_set1_ps(x->w_ready), _mm512_mask_i32gather_ps(zero, ok, ix, x->rdy, 4)));
    s = _mm512_add_ps(s, _mm512_mul_ps(_mm512_set1_ps(x->w_prio), _mm512_mask_i32gather_ps(zero, ok, ix, x->prio, 4)));
    if (x->rest) _mm512_mask_i32scatter_ps(x->rest, ok, ix, s, 4);
    s = _mm512_add_ps(s, _mm512_mul_ps(_mm512_set1_ps(a->w_comp), comp));
    s = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(s, one, _CMP_GT_OQ), s, one);
    ok = _mm512_mask_cmp_ps_mask(ok, s, _mm512_set1_ps(x->min_score), _CMP_NLT_UQ);
    _mm512_mask_i32scatter_ps(x->score, ok, ix, s, 4);
    return ok;
}

/* exact512 over the pairs of the mask, packed 16 at a time: survivors of
 * the bound are sparse once the lists fill. */
__attribute__((target("avx512f"))) static void exact_avx512(const lm_bound_args *a, const lm_exact_args *x,
                                                            uint64_t mask[LM_BLOCK_C / 64]) {
    uint32_t idx[LM_BLOCK_C + 16];
    uint32_t n = 0;
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (uint32_t c = 0; c < LM_BLOCK_C; c += 16) {
        __mmask16 m = (__mmask16)(mask[c >> 6] >> (c & 63));
        if (!m) continue; /* most groups once the lists fill */
        _mm512_mask_compressstoreu_epi32(idx + n, m, _mm512_add_epi32(lane, _mm512_set1_epi32((int)c)));
        n += (uint32_t)__builtin_popcount(m);
    }
    for (uint32_t q = 0; q < n; q += 16) {
        __mmask16 m = n - q >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - q)) - 1u);
        __m512i ix = _mm512_maskz_loadu_epi32(m, idx + q);
        __mmask16 bad = (__mmask16)(m & ~exact512(a, x, ix, m));
        while (bad) {
            uint32_t c = idx[q + (uint32_t)__builtin_ctz(bad)];
            mask[c >> 6] &= ~(1ull << (c & 63));
            bad &= (__mmask16)(bad - 1);
        }
    }
}

__attribute__((target("avx512f"))) static void bound_avx512(const lm_bound_args *a, uint64_t mask[LM_BLOCK_C / 64]) {
    memset(mask, 0, LM_BLOCK_C / 8);
    const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.f), wc = _mm512_set1_ps(a->w_comp),
                 wt = _mm512_set1_ps(a->w_travel), eps = _mm512_set1_ps(LM_BOUND_EPS), vt = _mm512_set1_ps(a->vthr),
                 vx = _mm512_set1_ps(a->vx), vy = _mm512_set1_ps(a->vy), vz = _mm512_set1_ps(a->vz),
                 rk = _mm512_set1_ps(LM_R_KM * LM_KM_REL), mg = _mm512_set1_ps(LM_KM_MARGIN), inf = _mm512_set1_ps(INFINITY),
                 ds = _mm512_set1_ps(a->dslack);
    const __m512i acc = _mm512_set1_epi32((int)a->acc), rlo = _mm512_set1_epi32((int)a->req_lo),
                  rhi = _mm512_set1_epi32((int)a->req_hi), maxr = _mm512_set1_epi32(a->maxr), open = _mm512_set1_epi32(a->open);
    const __m512 minlw = _mm512_set1_ps(a->minlw), vmin = _mm512_set1_ps(a->vmin), vmax = _mm512_set1_ps(a->vmax);
    for (uint32_t c = 0; c < a->n; c += 16) {
        __mmask16 live = a->n - c >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (a->n - c)) - 1u);
        /* The cheapest test first: the bound with travel at its best. Once the
         * lists fill, most lanes stop here. */
        __m512 x = _mm512_min_ps(_mm512_max_ps(_mm512_add_ps(_mm512_maskz_loadu_ps(live, a->d + c), ds), zero), one);
        __m512 part = _mm512_fmadd_ps(wc, x, _mm512_add_ps(_mm512_maskz_loadu_ps(live, a->sc + c), eps));
        __m512 t = _mm512_min_ps(_mm512_maskz_loadu_ps(live, a->cthr + c), vt);
        live = _mm512_mask_cmp_ps_mask(live, _mm512_add_ps(part, wt), t, _CMP_GE_OQ);
        if (!live) continue;
        /* hard filters: a lane stays live only if every one passes */
        live = _mm512_mask_test_epi32_mask(live, _mm512_maskz_loadu_epi32(live, a->groups + c), acc);
        live = _mm512_mask_cmple_epi32_mask(live, _mm512_maskz_loadu_epi32(live, a->ready + c), maxr);
        live = _mm512_mask_cmple_epi32_mask(live, _mm512_maskz_loadu_epi32(live, a->avail + c), open);
        live = _mm512_mask_cmpeq_epi32_mask(live, _mm512_and_si512(_mm512_maskz_loadu_epi32(live, a->flo + c), rlo), rlo);
        live = _mm512_mask_cmpeq_epi32_mask(live, _mm512_and_si512(_mm512_maskz_loadu_epi32(live, a->fhi + c), rhi), rhi);
        live = _mm512_mask_cmp_ps_mask(live, _mm512_maskz_loadu_ps(live, a->lw + c), minlw, _CMP_GE_OQ);
        __m512 lo = _mm512_max_ps(_mm512_maskz_loadu_ps(live, a->hmin + c), vmin),
               hi = _mm512_min_ps(_mm512_maskz_loadu_ps(live, a->hmax + c), vmax);
        live = _mm512_mask_cmp_ps_mask(live, lo, hi, _CMP_LE_OQ);
        if (!live) continue;
        if (!a->cx) {
            mask[c >> 6] |= (uint64_t)live << (c & 63);
            continue;
        }
        __m512 dx = _mm512_sub_ps(_mm512_maskz_loadu_ps(live, a->cx + c), vx),
               dy = _mm512_sub_ps(_mm512_maskz_loadu_ps(live, a->cy + c), vy),
               dz = _mm512_sub_ps(_mm512_maskz_loadu_ps(live, a->cz + c), vz);
        __m512 d2 = _mm512_fmadd_ps(dx, dx, _mm512_fmadd_ps(dy, dy, _mm512_mul_ps(dz, dz)));
        __m512 km = _mm512_max_ps(_mm512_fmsub_ps(_mm512_sqrt_ps(d2), rk, mg), zero);
        __m512 best = inf;
        for (int m = 0; m < a->nmodes; m++)
            best = _mm512_min_ps(best, _mm512_fmadd_ps(km, _mm512_set1_ps(a->mpk[m]), _mm512_set1_ps(a->tacc[m])));
        __m512 tr = _mm512_fnmadd_ps(best, _mm512_maskz_loadu_ps(live, a->inv_limit + c), one);
        live = _mm512_mask_cmp_ps_mask(live, tr, zero, _CMP_GE_OQ); /* in reach */
        __mmask16 m = _mm512_mask_cmp_ps_mask(live, _mm512_fmadd_ps(wt, tr, part), t, _CMP_GE_OQ);
        mask[c >> 6] |= (uint64_t)m << (c & 63);
    }
}

__attribute__((target("avx512f"))) static uint32_t qfilter_avx512(const lm_qfilter_args *a,
                                                                  uint64_t mask[LM_CHUNK_ROWS / 64]) {
    memset(mask, 0, LM_CHUNK_ROWS / 8);
    const __m512i gq = _mm512_set1_epi32((int)a->groups_q), rq = _mm512_set1_epi32(a->ready_q),
                  dq = _mm512_set1_epi32(a->day_q), fq = _mm512_set1_epi64((long long)a->flags_q),
                  vorg = _mm512_set1_epi64(a->v_org), vmuni = _mm512_set1_epi32(a->v_muni),
                  vreg = _mm512_set1_epi32(a->v_region), asof = _mm512_set1_epi32(a->as_of_day),
                  ff = _mm512_set1_epi32(0xFF);
    const __m512 lq = _mm512_set1_ps(a->lw_q), hminq = _mm512_set1_ps(a->hmin_q), hmaxq = _mm512_set1_ps(a->hmax_q);
    const bool rv = a->rows_vacancies;
    uint32_t seen = 0;
    for (uint32_t c = 0; c < a->n; c += 16) { /* whole vectors: the columns hold LM_CHUNK_ROWS entries */
        __mmask16 m = a->n - c >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (a->n - c)) - 1u);
        m = _mm512_mask_test_epi32_mask(m, _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(a->live + c))), ff);
        __m512i dy = _mm512_loadu_si512(a->day + c);
        if (!rv) { /* visible: own org, national, or the viewer's region / municipality */
            __m512i sc = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(a->scope + c)));
            __m512i reg = _mm512_loadu_si512(a->region + c), mun = _mm512_loadu_si512(a->muni + c);
            __mmask16 vis = _mm512_cmpeq_epi32_mask(sc, _mm512_set1_epi32(LM_SCOPE_NATIONAL));
            vis |= _mm512_mask_cmpeq_epi32_mask(_mm512_cmpeq_epi32_mask(sc, _mm512_set1_epi32(LM_SCOPE_REGION)), reg, vreg) &
                   _mm512_test_epi32_mask(reg, reg);
            vis |= _mm512_mask_cmpeq_epi32_mask(_mm512_cmpeq_epi32_mask(sc, _mm512_set1_epi32(LM_SCOPE_MUNICIPALITY)), mun, vmuni) &
                   _mm512_test_epi32_mask(mun, mun);
            vis |= (__mmask16)(_mm512_cmpeq_epi64_mask(_mm512_loadu_si512(a->org + c), vorg) |
                               (unsigned)_mm512_cmpeq_epi64_mask(_mm512_loadu_si512(a->org + c + 8), vorg) << 8);
            m &= vis;
        } else { /* open: slots left, not closed before as_of_day */
            m = _mm512_mask_cmpgt_epi32_mask(m, _mm512_loadu_si512(a->slots + c), _mm512_setzero_si512());
            if (a->as_of_day > 0) m = _mm512_mask_cmpge_epi32_mask(m, dy, asof);
        }
        seen += (uint32_t)__builtin_popcount(m);
        m = _mm512_mask_test_epi32_mask(m, _mm512_loadu_si512(a->groups + c), gq);
        __m512i rd = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(a->ready + c)));
        __m512 lw = _mm512_loadu_ps(a->lw + c);
        __m512i f0 = _mm512_loadu_si512(a->flags + c), f1 = _mm512_loadu_si512(a->flags + c + 8);
        __m512i w0 = _mm512_and_si512(f0, fq), w1 = _mm512_and_si512(f1, fq);
        if (!rv) {
            m = _mm512_mask_cmple_epi32_mask(m, rd, rq);
            m = _mm512_mask_cmple_epi32_mask(m, dy, dq);
            m = _mm512_mask_cmp_ps_mask(m, lw, lq, _CMP_NLT_UQ);
            m &= (__mmask16)(_mm512_cmpeq_epi64_mask(w0, fq) | (unsigned)_mm512_cmpeq_epi64_mask(w1, fq) << 8);
        } else {
            m = _mm512_mask_cmpge_epi32_mask(m, rd, rq);
            m = _mm512_mask_cmpge_epi32_mask(m, dy, dq);
            m = _mm512_mask_cmp_ps_mask(m, lw, lq, _CMP_NGT_UQ);
            m &= (__mmask16)(_mm512_cmpeq_epi64_mask(w0, f0) | (unsigned)_mm512_cmpeq_epi64_mask(w1, f1) << 8);
        }
        __m512 lo = _mm512_max_ps(_mm512_loadu_ps(a->hmin + c), hminq), hi = _mm512_min_ps(_mm512_loadu_ps(a->hmax + c), hmaxq);
        m = _mm512_mask_cmp_ps_mask(m, lo, hi, _CMP_NGT_UQ);
        mask[c >> 6] |= (uint64_t)m << (c & 63);
    }
    return seen;
}
#endif

#ifdef LM_X86
/* Quickselect partitioning 8 keys at a time with compress stores: greater
 * keys to one buffer, smaller to another, ping-ponging between two halves
 * of tmp; the last 16 go through the scalar code. */
__attribute__((target("avx512f"))) static uint64_t kth_avx512(uint64_t *a, uint64_t *tmp, uint32_t n, uint32_t k) {
    uint64_t *src = a, *buf[2] = {tmp, tmp + 2 * (size_t)n};
    uint32_t want = k - 1;
    for (int side = 0; n > 16; side ^= 1) {
        uint64_t x = src[0], y = src[n / 2], z = src[n - 1];
        uint64_t pivot = x > y ? (y > z ? y : (x > z ? z : x)) : (x > z ? x : (y > z ? z : y));
        const __m512i pv = _mm512_set1_epi64((long long)pivot);
        uint64_t *gt = buf[side], *lt = buf[side] + n;
        uint32_t ng = 0, nl = 0;
        for (uint32_t i = 0; i < n; i += 8) {
            __mmask8 live = n - i >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << (n - i)) - 1u);
            __m512i v = _mm512_maskz_loadu_epi64(live, src + i);
            __mmask8 g = _mm512_mask_cmpgt_epu64_mask(live, v, pv), l = _mm512_mask_cmplt_epu64_mask(live, v, pv);
            _mm512_mask_compressstoreu_epi64(gt + ng, g, v);
            _mm512_mask_compressstoreu_epi64(lt + nl, l, v);
            ng += (uint32_t)__builtin_popcount(g);
            nl += (uint32_t)__builtin_popcount(l);
        }
        if (want < ng) {
            src = gt;
            n = ng;
        } else if (want < n - nl) {
            return pivot; /* keys are distinct: the pivot alone is neither greater nor smaller */
        } else {
            want -= n - nl;
            src = lt;
            n = nl;
        }
    }
    return kth_scalar(src, NULL, n, want + 1);
}
#endif

#ifdef LM_X86
/* ---- AVX512-VNNI int8: 6 rows x 64 columns, u8 x s8 dot products of 4 --- */
static inline int32_t ld32(const uint8_t *p) {
    int32_t w;
    memcpy(&w, p, 4);
    return w;
}
#define LM_DP4(acc, w)                                    \
    do {                                                  \
        __m512i a_ = _mm512_set1_epi32(w);                \
        acc##0 = _mm512_dpbusd_epi32(acc##0, a_, b0);     \
        acc##1 = _mm512_dpbusd_epi32(acc##1, a_, b1);     \
        acc##2 = _mm512_dpbusd_epi32(acc##2, a_, b2);     \
        acc##3 = _mm512_dpbusd_epi32(acc##3, a_, b3);     \
    } while (0)
#define LM_ST8(acc, r, q)                                                                        \
    _mm512_store_ps(D + (size_t)(r) * LM_BLOCK_C + cg + 16 * (q),                               \
                    _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(acc##q, off##q)), sc))
#define LM_ST8R(acc, r) LM_ST8(acc, r, 0); LM_ST8(acc, r, 1); LM_ST8(acc, r, 2); LM_ST8(acc, r, 3)
__attribute__((target("avx512f,avx512vnni"))) static void panel8_vnni(const uint8_t *V8, size_t vstride,
                                                                      const int8_t *Ct8, const int32_t *csum,
                                                                      uint32_t dim4, float *D) {
    const __m512 sc = _mm512_set1_ps(LM_Q8_INV2);
    for (int cg = 0; cg < LM_BLOCK_C; cg += 64) {
        __m512i p0 = _mm512_setzero_si512(), p1 = p0, p2 = p0, p3 = p0, q0 = p0, q1 = p0, q2 = p0, q3 = p0,
                r0 = p0, r1 = p0, r2 = p0, r3 = p0, s0 = p0, s1 = p0, s2 = p0, s3 = p0, t0 = p0, t1 = p0, t2 = p0,
                t3 = p0, u0 = p0, u1 = p0, u2 = p0, u3 = p0;
        for (uint32_t j = 0; j < dim4; j++) {
            const int8_t *row = Ct8 + ((size_t)j * LM_BLOCK_C + (size_t)cg) * 4;
            __m512i b0 = _mm512_loadu_si512(row), b1 = _mm512_loadu_si512(row + 64), b2 = _mm512_loadu_si512(row + 128),
                    b3 = _mm512_loadu_si512(row + 192);
            const uint8_t *vj = V8 + 4 * (size_t)j;
            LM_DP4(p, ld32(vj));
            LM_DP4(q, ld32(vj + vstride));
            LM_DP4(r, ld32(vj + 2 * vstride));
            LM_DP4(s, ld32(vj + 3 * vstride));
            LM_DP4(t, ld32(vj + 4 * vstride));
            LM_DP4(u, ld32(vj + 5 * vstride));
        }
        /* 128 * csum: the u8 offset of the vacancy side */
        __m512i off0 = _mm512_slli_epi32(_mm512_loadu_si512(csum + cg), 7),
                off1 = _mm512_slli_epi32(_mm512_loadu_si512(csum + cg + 16), 7),
                off2 = _mm512_slli_epi32(_mm512_loadu_si512(csum + cg + 32), 7),
                off3 = _mm512_slli_epi32(_mm512_loadu_si512(csum + cg + 48), 7);
        LM_ST8R(p, 0);
        LM_ST8R(q, 1);
        LM_ST8R(r, 2);
        LM_ST8R(s, 3);
        LM_ST8R(t, 4);
        LM_ST8R(u, 5);
    }
}
#undef LM_DP4
#undef LM_ST8
#undef LM_ST8R
#endif

int lm__kernels_get(lm_kernels *out, int kernel) {
    int best = lm__cpu_best_kernel();
    if (kernel == LM_KERNEL_AUTO) kernel = best;
    if (kernel > best) return LM_ERR_UNSUPPORTED;
    out->kind = kernel;
    out->panel = panel_scalar;
    out->bound = bound_scalar;
    out->qfilter = qfilter_scalar;
    out->kth = kth_scalar;
    out->exact = exact_scalar;
    out->panel8 = panel8_scalar;
    out->vnni = 0;
#ifdef LM_X86
    if (kernel == LM_KERNEL_AVX2) {
        out->panel = panel_avx2;
        out->bound = bound_avx2;
        out->qfilter = qfilter_avx2;
    } else if (kernel == LM_KERNEL_AVX512) {
        out->panel = panel_avx512;
        out->bound = bound_avx512;
        out->qfilter = qfilter_avx512;
        out->kth = kth_avx512;
        out->exact = exact_avx512;
        if (__builtin_cpu_supports("avx512vnni")) {
            out->panel8 = panel8_vnni;
            out->vnni = 1;
        }
    }
#endif
    return LM_OK;
}
