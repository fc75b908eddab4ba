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

static float dot_scalar(const float *a, const float *b, uint32_t n) {
    float s = 0.f;
    for (uint32_t j = 0; j < n; j++) s += a[j] * b[j];
    return s;
}

/* Bit c of mask is set when w * clamp(d[c]) + sc[c] + eps + shift >=
 * min(vthr, cthr[c]): the pair might enter one of the two top-k lists.
 * shift <= 0 tightens the bound (e.g. by what travel must lose). */
static void bound_scalar(const float *d, const float *sc, const float *cthr, float vthr, float w, float shift,
                         uint32_t n, uint64_t mask[LM_BLOCK_C / 64]) {
    memset(mask, 0, LM_BLOCK_C / 8);
    for (uint32_t c = 0; c < n; c++) {
        float x = d[c] < 0.f ? 0.f : (d[c] > 1.f ? 1.f : d[c]);
        float ub = w * x + sc[c] + (LM_BOUND_EPS + shift), t = cthr[c] < vthr ? cthr[c] : vthr;
        if (ub >= t) mask[c >> 6] |= 1ull << (c & 63);
    }
}

#ifdef LM_X86
/* ---- AVX2 + FMA: 6 rows x 16 columns in 12 accumulators ------------------- */
__attribute__((target("avx2,fma"))) static void panel_avx2(const float *V, size_t vstride, const float *Ct,
                                                           uint32_t dim, float *D) {
    for (int cg = 0; cg < LM_BLOCK_C; cg += 16) {
        __m256 acc[LM_PANEL_MR][2];
        for (int r = 0; r < LM_PANEL_MR; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
        const float *ct = Ct + cg;
        for (uint32_t j = 0; j < dim; j++) {
            __m256 b0 = _mm256_load_ps(ct + (size_t)j * LM_BLOCK_C), b1 = _mm256_load_ps(ct + (size_t)j * LM_BLOCK_C + 8);
            for (int r = 0; r < LM_PANEL_MR; r++) {
                __m256 a = _mm256_broadcast_ss(V + (size_t)r * vstride + j);
                acc[r][0] = _mm256_fmadd_ps(a, b0, acc[r][0]);
                acc[r][1] = _mm256_fmadd_ps(a, b1, acc[r][1]);
            }
        }
        for (int r = 0; r < LM_PANEL_MR; r++) {
            _mm256_store_ps(D + (size_t)r * LM_BLOCK_C + cg, acc[r][0]);
            _mm256_store_ps(D + (size_t)r * LM_BLOCK_C + cg + 8, acc[r][1]);
        }
    }
}

__attribute__((target("avx2,fma"))) static float dot_avx2(const float *a, const float *b, uint32_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    uint32_t j = 0;
    for (; j + 16 <= n; j += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j + 8), _mm256_loadu_ps(b + j + 8), s1);
    }
    for (; j + 8 <= n; j += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j), s0);
    s0 = _mm256_add_ps(s0, s1);
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_movehdup_ps(h));
    float s = _mm_cvtss_f32(h);
    for (; j < n; j++) s += a[j] * b[j];
    return s;
}

__attribute__((target("avx2,fma"))) static void bound_avx2(const float *d, const float *sc, const float *cthr,
                                                           float vthr, float w, float shift, uint32_t n,
                                                           uint64_t mask[LM_BLOCK_C / 64]) {
    memset(mask, 0, LM_BLOCK_C / 8);
    __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.f), vw = _mm256_set1_ps(w),
           eps = _mm256_set1_ps(LM_BOUND_EPS + shift), vt = _mm256_set1_ps(vthr);
    uint32_t c = 0;
    for (; c + 8 <= n; c += 8) {
        __m256 x = _mm256_min_ps(_mm256_max_ps(_mm256_loadu_ps(d + c), zero), one);
        __m256 ub = _mm256_fmadd_ps(vw, x, _mm256_add_ps(_mm256_loadu_ps(sc + c), eps));
        __m256 t = _mm256_min_ps(_mm256_loadu_ps(cthr + c), vt);
        uint64_t m = (uint64_t)_mm256_movemask_ps(_mm256_cmp_ps(ub, t, _CMP_GE_OQ));
        mask[c >> 6] |= m << (c & 63);
    }
    for (; c < n; c++) {
        float x = d[c] < 0.f ? 0.f : (d[c] > 1.f ? 1.f : d[c]);
        float ub = w * x + sc[c] + (LM_BOUND_EPS + shift), t = cthr[c] < vthr ? cthr[c] : vthr;
        if (ub >= t) mask[c >> 6] |= 1ull << (c & 63);
    }
}

/* ---- AVX-512: 6 rows x 64 columns in 24 accumulators ---------------------- */
__attribute__((target("avx512f"))) static void panel_avx512(const float *V, size_t vstride, const float *Ct,
                                                            uint32_t dim, float *D) {
    for (int cg = 0; cg < LM_BLOCK_C; cg += 64) {
        __m512 acc[LM_PANEL_MR][4];
        for (int r = 0; r < LM_PANEL_MR; r++)
            acc[r][0] = acc[r][1] = acc[r][2] = acc[r][3] = _mm512_setzero_ps();
        const float *ct = Ct + cg;
        for (uint32_t j = 0; j < dim; j++) {
            const float *row = ct + (size_t)j * LM_BLOCK_C;
            __m512 b0 = _mm512_load_ps(row), b1 = _mm512_load_ps(row + 16), b2 = _mm512_load_ps(row + 32),
                   b3 = _mm512_load_ps(row + 48);
            for (int r = 0; r < LM_PANEL_MR; r++) {
                __m512 a = _mm512_set1_ps(V[(size_t)r * vstride + j]);
                acc[r][0] = _mm512_fmadd_ps(a, b0, acc[r][0]);
                acc[r][1] = _mm512_fmadd_ps(a, b1, acc[r][1]);
                acc[r][2] = _mm512_fmadd_ps(a, b2, acc[r][2]);
                acc[r][3] = _mm512_fmadd_ps(a, b3, acc[r][3]);
            }
        }
        for (int r = 0; r < LM_PANEL_MR; r++)
            for (int q = 0; q < 4; q++) _mm512_store_ps(D + (size_t)r * LM_BLOCK_C + cg + 16 * q, acc[r][q]);
    }
}

__attribute__((target("avx512f"))) static float dot_avx512(const float *a, const float *b, uint32_t n) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    uint32_t j = 0;
    for (; j + 32 <= n; j += 32) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + j), _mm512_loadu_ps(b + j), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + j + 16), _mm512_loadu_ps(b + j + 16), s1);
    }
    if (j + 16 <= n) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + j), _mm512_loadu_ps(b + j), s0);
        j += 16;
    }
    if (j < n) { /* masked tail */
        __mmask16 m = (__mmask16)((1u << (n - j)) - 1u);
        s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + j), _mm512_maskz_loadu_ps(m, b + j), s1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

__attribute__((target("avx512f"))) static void bound_avx512(const float *d, const float *sc, const float *cthr,
                                                            float vthr, float w, float shift, uint32_t n,
                                                            uint64_t mask[LM_BLOCK_C / 64]) {
    memset(mask, 0, LM_BLOCK_C / 8);
    __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.f), vw = _mm512_set1_ps(w),
           eps = _mm512_set1_ps(LM_BOUND_EPS + shift), vt = _mm512_set1_ps(vthr);
    for (uint32_t c = 0; c < n; c += 16) {
        __mmask16 live = n - c >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - c)) - 1u);
        __m512 x = _mm512_min_ps(_mm512_max_ps(_mm512_maskz_loadu_ps(live, d + c), zero), one);
        __m512 ub = _mm512_fmadd_ps(vw, x, _mm512_add_ps(_mm512_maskz_loadu_ps(live, sc + c), eps));
        __m512 t = _mm512_min_ps(_mm512_maskz_loadu_ps(live, cthr + c), vt);
        uint64_t m = _mm512_mask_cmp_ps_mask(live, ub, t, _CMP_GE_OQ);
        mask[c >> 6] |= m << (c & 63);
    }
}
#endif

int lm__kernels_get(lm_kernels *out, int kernel) {
    int best = lm__cpu_best_kernel();
    if (kernel == LM_KERNEL_AUTO) kernel = best;
    if (kernel > best) return LM_ERR_UNSUPPORTED;
    out->kind = kernel;
    out->panel = panel_scalar;
    out->dot = dot_scalar;
    out->bound = bound_scalar;
#ifdef LM_X86
    if (kernel == LM_KERNEL_AVX2) {
        out->panel = panel_avx2;
        out->dot = dot_avx2;
        out->bound = bound_avx2;
    } else if (kernel == LM_KERNEL_AVX512) {
        out->panel = panel_avx512;
        out->dot = dot_avx512;
        out->bound = bound_avx512;
    }
#endif
    return LM_OK;
}
