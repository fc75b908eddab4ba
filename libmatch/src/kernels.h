/* Kernel dispatch table (kernels.c). */
#ifndef LM_KERNELS_H
#define LM_KERNELS_H
#include "internal.h"

#define LM_PANEL_MR 6   /* vacancy rows per panel */
#define LM_BLOCK_C 256  /* candidates per block (transposed storage) */
#define LM_BOUND_EPS 1e-5f /* slack of the score bound against rounding */

typedef struct lm_kernels {
    int kind; /* lm_kernel actually used */
    /* D[r * LM_BLOCK_C + c] = V[r] . C[c] for r < LM_PANEL_MR, c < LM_BLOCK_C */
    void (*panel)(const float *V, size_t vstride, const float *Ct, uint32_t dim, float *D);
    float (*dot)(const float *a, const float *b, uint32_t n);
    /* bit c of mask: w * clamp(d[c], 0, 1) + sc[c] + LM_BOUND_EPS + shift >= min(vthr, cthr[c]), c < n <= LM_BLOCK_C */
    void (*bound)(const float *d, const float *sc, const float *cthr, float vthr, float w, float shift, uint32_t n,
                  uint64_t mask[LM_BLOCK_C / 64]);
} lm_kernels;

/* Fill the table for `kernel` (LM_KERNEL_AUTO = best available);
 * LM_ERR_UNSUPPORTED if the CPU lacks it. */
LM_HIDDEN int lm__kernels_get(lm_kernels *out, int kernel);
#endif
