/* CPU feature detection for the scoring kernels. */
#include "internal.h"

int lm__cpu_best_kernel(void) {
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return LM_KERNEL_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return LM_KERNEL_AVX2;
#endif
    return LM_KERNEL_SCALAR;
}
