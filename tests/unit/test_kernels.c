/* Kernels against each other on random blocks: the internal dispatch table,
 * so each CPU path is compared on the same inputs, bit for bit. */
#include "testutil.h"

#include "internal.h"
#include "kernels.h"

/* One random block of candidates against one vacancy, with positions in and
 * around the Netherlands (a few without a position, a few abroad so the
 * scalar asin path is taken) and thresholds low enough that many pairs
 * reach exact scoring. */
typedef struct blk {
    float d[LM_BLOCK_C], sc[LM_BLOCK_C], cthr[LM_BLOCK_C], lw[LM_BLOCK_C], hmin[LM_BLOCK_C], hmax[LM_BLOCK_C];
    float fx[LM_BLOCK_C], fy[LM_BLOCK_C], fz[LM_BLOCK_C], inv_limit[LM_BLOCK_C], limit[LM_BLOCK_C];
    float rdy[LM_BLOCK_C], prio[LM_BLOCK_C];
    uint32_t groups[LM_BLOCK_C], flo[LM_BLOCK_C], fhi[LM_BLOCK_C];
    int32_t ready[LM_BLOCK_C], avail[LM_BLOCK_C];
    uint8_t modes[LM_BLOCK_C + 16];
    double xyz[3 * LM_BLOCK_C], reach2[LM_BLOCK_C];
} blk;

static void make_block(blk *b, uint64_t *s, lm_bound_args *a, lm_exact_args *x, uint32_t n, float *out) {
    memset(b, 0, sizeof *b);
    lm_policy_eval P;
    double pv[LM__POLICY_NKEYS];
    lm__policy_defaults(pv);
    lm__policy_eval(&P, pv);
    /* a fast fourth mode reaches abroad: the asin path scores pairs too */
    static const double access[LM_MODE_COUNT] = {2, 4, 8, 5}, mpk[LM_MODE_COUNT] = {12, 4, 2.5, 0.01};
    for (uint32_t c = 0; c < n; c++) {
        b->d[c] = (float)(tu_unif(s) * 1.3 - 0.15); /* some outside [0, 1]: the clamp */
        b->groups[c] = tu_unif(s) < 0.9 ? 1u : 2u;
        b->ready[c] = (int32_t)tu_int(s, 1, 5);
        b->avail[c] = (int32_t)tu_int(s, 0, 200);
        b->lw[c] = (float)tu_unif(s);
        b->flo[c] = tu_unif(s) < 0.9 ? 0u : 4u;
        b->fhi[c] = 0;
        b->hmin[c] = (float)tu_int(s, 8, 24);
        b->hmax[c] = b->hmin[c] + (float)tu_int(s, 0, 16);
        b->modes[c] = (uint8_t)tu_int(s, 1, 15);
        b->limit[c] = (float)tu_int(s, 15, 120);
        b->inv_limit[c] = 1.f / b->limit[c];
        b->rdy[c] = (float)(5 - b->ready[c]) * 0.25f;
        b->prio[c] = (float)tu_unif(s);
        b->sc[c] = P.w_hours + P.w_ready * b->rdy[c] + P.w_prio * b->prio[c];
        b->cthr[c] = tu_unif(s) < 0.5 ? -INFINITY : (float)tu_unif(s);
        double *p = b->xyz + 3 * c, u = tu_unif(s);
        if (u < 0.03) {
            p[0] = p[1] = p[2] = NAN;
        } else {
            bool abroad = u < 0.15; /* up to the antipodes */
            double lat = abroad ? -80.0 + 160.0 * tu_unif(s) : 51.5 + tu_unif(s) * 1.5,
                   lon = abroad ? -180.0 + 360.0 * tu_unif(s) : 4.0 + tu_unif(s) * 2.5;
            lm__latlon_xyz(p, lat, lon);
        }
        b->fx[c] = (float)p[0];
        b->fy[c] = (float)p[1];
        b->fz[c] = (float)p[2];
        b->reach2[c] = tu_unif(s) < 0.05 ? -1.0 : (u < 0.15 || tu_unif(s) < 0.1 ? 4.0 : 1e-4 + tu_unif(s) * 4e-4);
    }
    double v[3];
    lm__latlon_xyz(v, 52.0 + tu_unif(s), 4.5 + tu_unif(s));
    *a = (lm_bound_args){.d = b->d, .sc = b->sc, .cthr = b->cthr, .groups = b->groups, .flo = b->flo, .fhi = b->fhi,
                         .ready = b->ready, .avail = b->avail, .lw = b->lw, .hmin = b->hmin, .hmax = b->hmax,
                         .acc = 1u, .req_lo = 0, .req_hi = 0, .maxr = 4, .open = 150, .minlw = 0.2f, .vmin = 12.f,
                         .vmax = 32.f, .cx = b->fx, .cy = b->fy, .cz = b->fz, .inv_limit = b->inv_limit,
                         .vthr = (float)tu_unif(s) * 0.5f, .w_comp = P.w_comp, .w_travel = P.w_travel,
                         .vx = (float)v[0], .vy = (float)v[1], .vz = (float)v[2], .nmodes = 0, .n = n};
    *x = (lm_exact_args){.xyz = b->xyz, .reach2 = b->reach2, .modes = b->modes, .limit = b->limit, .rdy = b->rdy,
                         .prio = b->prio, .vx = v[0], .vy = v[1], .vz = v[2], .w_hours = P.w_hours,
                         .w_ready = P.w_ready, .w_prio = P.w_prio, .min_score = 0.1f, .score = out};
    for (int m = 0; m < LM_MODE_COUNT; m++) {
        x->access[m] = access[m];
        x->mpk[m] = mpk[m];
        a->tacc[a->nmodes] = (float)access[m];
        a->mpk[a->nmodes] = (float)mpk[m];
        a->nmodes++;
    }
}

/* Every kernel's exact path gives the same pairs and the same score bits as
 * the scalar one, which is the code of lm__pair_eval(). */
Test(kernels, exact_scores_bit_identical) {
    lm_kernels ref, k;
    cr_assert_eq(lm__kernels_get(&ref, LM_KERNEL_SCALAR), LM_OK);
    int best = lm__cpu_best_kernel();
    uint64_t s = 99;
    blk *b = malloc(sizeof *b);
    size_t pairs = 0, feasible = 0, compared = 0;
    for (int rep = 0; rep < 200; rep++) {
        uint32_t n = rep % 3 == 0 ? LM_BLOCK_C - (uint32_t)tu_int(&s, 1, 40) : LM_BLOCK_C; /* tails too */
        float want[LM_BLOCK_C], got[LM_BLOCK_C], rwant[LM_BLOCK_C], rgot[LM_BLOCK_C];
        lm_bound_args a;
        lm_exact_args x;
        uint64_t seed = s;
        make_block(b, &s, &a, &x, n, want);
        x.rest = rwant; /* the terms but the competence, for the COSINE_COVERAGE rescoring */
        uint64_t mref[LM_BLOCK_C / 64];
        ref.bound(&a, mref);
        ref.exact(&a, &x, mref);
        pairs += n;
        for (int w = 0; w < LM_BLOCK_C / 64; w++) feasible += (size_t)__builtin_popcountll(mref[w]);
        for (int kern = LM_KERNEL_AVX2; kern <= best; kern++) {
            cr_assert_eq(lm__kernels_get(&k, kern), LM_OK);
            uint64_t s2 = seed;
            make_block(b, &s2, &a, &x, n, got);
            x.rest = rgot;
            uint64_t m[LM_BLOCK_C / 64];
            k.bound(&a, m);
            k.exact(&a, &x, m);
            for (int w = 0; w < LM_BLOCK_C / 64; w++)
                cr_assert_eq(m[w], mref[w], "kernel %d rep %d word %d: %016llx vs scalar %016llx", kern, rep, w,
                             (unsigned long long)m[w], (unsigned long long)mref[w]);
            for (uint32_t c = 0; c < n; c++)
                if (mref[c / 64] >> (c % 64) & 1) {
                    cr_assert(memcmp(&got[c], &want[c], sizeof(float)) == 0, "kernel %d rep %d pair %u: %.9g vs %.9g",
                              kern, rep, c, got[c], want[c]);
                    cr_assert(memcmp(&rgot[c], &rwant[c], sizeof(float)) == 0, "kernel %d rep %d pair %u: rest", kern,
                              rep, c);
                    /* the score is the rest plus the competence term, as lm__score_combine() adds it */
                    float d = a.d[c], comp = d < 0.f ? 0.f : (d > 1.f ? 1.f : d), sc = rwant[c] + a.w_comp * comp;
                    cr_assert_eq(want[c], sc > 1.f ? 1.f : sc, "pair %u: score from its rest", c);
                    compared++;
                }
        }
    }
    cr_assert(feasible > pairs / 20, "enough pairs reach exact scoring (%zu of %zu)", feasible, pairs);
    if (best >= LM_KERNEL_AVX2) cr_assert(compared >= feasible, "every feasible pair compared");
    free(b);
}

/* The bound kernels: no pair it drops is
 * feasible with a score reaching the threshold (checked against the exact
 * evaluation of every pair that passes the hard filters). */
Test(kernels, bound_never_drops_a_feasible_pair) {
    lm_kernels k;
    uint64_t s = 5;
    blk *b = malloc(sizeof *b);
    int best = lm__cpu_best_kernel();
    size_t checked = 0;
    for (int rep = 0; rep < 100; rep++) {
        uint64_t seed = s;
        for (int kern = LM_KERNEL_SCALAR; kern <= best; kern++) {
            cr_assert_eq(lm__kernels_get(&k, kern), LM_OK);
            s = seed;
            float sc[LM_BLOCK_C], sc_all[LM_BLOCK_C], cthr[LM_BLOCK_C];
            lm_bound_args a;
            lm_exact_args x;
            make_block(b, &s, &a, &x, LM_BLOCK_C, sc);
            uint64_t m[LM_BLOCK_C / 64], all[LM_BLOCK_C / 64];
            k.bound(&a, m);
            k.exact(&a, &x, m);
            float vthr = a.vthr;
            memcpy(cthr, b->cthr, sizeof cthr);
            a.vthr = -INFINITY;
            for (int c = 0; c < LM_BLOCK_C; c++) b->cthr[c] = -INFINITY;
            x.score = sc_all;
            k.bound(&a, all);
            k.exact(&a, &x, all);
            for (int c = 0; c < LM_BLOCK_C; c++) {
                if (!(all[c / 64] >> (c % 64) & 1)) continue;
                float thr = cthr[c] < vthr ? cthr[c] : vthr;
                if (sc_all[c] + 1e-6f < thr) continue;
                checked++;
                cr_assert(m[c / 64] >> (c % 64) & 1, "kernel %d rep %d pair %d: score %.7g >= threshold %.7g dropped",
                          kern, rep, c, sc_all[c], thr);
                cr_assert(memcmp(&sc[c], &sc_all[c], sizeof(float)) == 0, "the score does not depend on the threshold");
            }
        }
    }
    cr_assert(checked > 1000, "the test needs pairs above the thresholds (%zu)", checked);
    free(b);
}

static int cmp_desc_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The k-th largest key (list cuts) on every kernel, against a sort: sizes
 * around the vector width and the scalar cut-off, keys close together
 * (equal scores, different ranks) and far apart. */
Test(kernels, kth_largest_matches_a_sort) {
    uint64_t s = 3;
    int best = lm__cpu_best_kernel();
    uint64_t a[600], ref[600], work[600], tmp[4 * 600];
    size_t tested = 0;
    for (int rep = 0; rep < 400; rep++) {
        uint32_t n = rep < 40 ? (uint32_t)rep + 1 : (uint32_t)tu_int(&s, 1, 600);
        bool close = rep % 2;
        for (uint32_t i = 0; i < n; i++) /* distinct: the low 32 bits are the position */
            a[i] = (close ? (uint64_t)tu_int(&s, 0, 3) << 32 : tu_next(&s) & ~0xFFFFFFFFull) | i;
        memcpy(ref, a, n * sizeof *a);
        qsort(ref, n, sizeof *ref, cmp_desc_u64);
        for (int kern = LM_KERNEL_SCALAR; kern <= best; kern++) {
            lm_kernels k;
            cr_assert_eq(lm__kernels_get(&k, kern), LM_OK);
            uint32_t kk = (uint32_t)tu_int(&s, 1, (int)n);
            memcpy(work, a, n * sizeof *a);
            uint64_t got = k.kth(work, tmp, n, kk);
            cr_assert_eq(got, ref[kk - 1], "kernel %d n %u k %u", kern, n, kk);
            tested++;
        }
    }
    cr_assert(tested >= 400);
}
