/* Allocation wrappers. In LM_FAULT_INJECTION builds a test can make the Nth
 * allocation fail, to prove every failure path leaves state unchanged. */
#include "internal.h"

#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#ifdef LM_FAULT_INJECTION
/* Test builds only: not part of the release library. */
_Atomic long lm__fault_countdown = 0; /* fail when it reaches 0 after decrement; <=0 disables */
_Atomic long lm__alloc_count = 0;
static bool inject(void) {
    atomic_fetch_add(&lm__alloc_count, 1);
    long c = atomic_load(&lm__fault_countdown);
    if (c <= 0) return false;
    return atomic_fetch_sub(&lm__fault_countdown, 1) == 1;
}
#else
static inline bool inject(void) { return false; }
#endif

void *lm__malloc(size_t n) { return inject() ? NULL : malloc(n ? n : 1); }
void *lm__calloc(size_t count, size_t size) { return inject() ? NULL : calloc(count ? count : 1, size ? size : 1); }
void *lm__realloc(void *p, size_t n) { return inject() ? NULL : realloc(p, n ? n : 1); }
void *lm__aligned_alloc(size_t align, size_t n) {
    if (inject()) return NULL;
    void *p = NULL;
    if (posix_memalign(&p, align, n ? n : 1) != 0) return NULL;
    return p;
}
/* Large scratch of a batch (lists, transposed vectors): a fresh mapping each
 * run costs a page fault per 4 KiB, which the kernel serialises across
 * threads; on 2 MiB boundaries with transparent huge pages asked for, one
 * fault maps 2 MiB. Small sizes take the plain path. */
void *lm__big_alloc(size_t n) {
    enum { LM_HUGE_PAGE = 2u << 20 };
    if (n < 2 * (size_t)LM_HUGE_PAGE) return lm__aligned_alloc(64, n);
    void *p = lm__aligned_alloc(LM_HUGE_PAGE, n);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (p) (void)madvise(p, (n + LM_HUGE_PAGE - 1) / LM_HUGE_PAGE * LM_HUGE_PAGE, MADV_HUGEPAGE); /* advice only: failure is harmless */
#endif
    return p;
}
void lm__free(void *p) { free(p); }
