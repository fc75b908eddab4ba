// FAISS peer of lmbench: faiss::knn_inner_product on the same vectors, plain
// and with an IDSelectorBitmap. A small C++ translation unit with a C
// interface; Debian's libfaiss-dev ships the static C++ library only (no
// libfaiss_c), so the C++ API is used directly.
#include "lmb.h"

#include <cstring>
#include <exception>

#ifndef LMB_NO_FAISS
#include <faiss/impl/IDSelector.h>
#include <faiss/utils/distances.h>
#include <faiss/utils/Heap.h>
#include <omp.h>
#endif

extern "C" {
// OpenBLAS extensions; weak so the binary still links against another BLAS.
void openblas_set_num_threads(int) __attribute__((weak));
char *openblas_get_corename(void) __attribute__((weak));
char *openblas_get_config(void) __attribute__((weak));

const char *lmb_openblas_core(void) { return openblas_get_corename ? openblas_get_corename() : "not-openblas"; }
const char *lmb_openblas_config(void) { return openblas_get_config ? openblas_get_config() : "not-openblas"; }

int lmb_faiss_available(void) {
#ifdef LMB_NO_FAISS
    return 0;
#else
    return 1;
#endif
}

const char *lmb_faiss_version(void) {
#ifdef LMB_NO_FAISS
    return "absent";
#elif defined(FAISS_VERSION_MAJOR)
    static char v[32];
    std::snprintf(v, sizeof v, "%d.%d.%d", FAISS_VERSION_MAJOR, FAISS_VERSION_MINOR, FAISS_VERSION_PATCH);
    return v;
#else
    return "unknown";
#endif
}

void lmb_faiss_threads(int n) {
#ifndef LMB_NO_FAISS
    omp_set_num_threads(n);
#endif
    if (openblas_set_num_threads) openblas_set_num_threads(n);
}

int lmb_faiss_knn(const float *q, size_t nq, const float *b, size_t nb, uint32_t d, uint32_t k, float *scores,
                  int64_t *ids) {
#ifdef LMB_NO_FAISS
    (void)q, (void)nq, (void)b, (void)nb, (void)d, (void)k, (void)scores, (void)ids;
    return -1;
#else
    try {
        faiss::knn_inner_product(q, b, d, nq, nb, k, scores, ids, nullptr);
    } catch (const std::exception &) {
        return -1;
    }
    return 0;
#endif
}

int lmb_faiss_knn_bitmap(const float *q, size_t nq, const float *b, size_t nb, uint32_t d, uint32_t k,
                         const uint8_t *bitmap, float *scores, int64_t *ids) {
#ifdef LMB_NO_FAISS
    (void)q, (void)nq, (void)b, (void)nb, (void)d, (void)k, (void)bitmap, (void)scores, (void)ids;
    return -1;
#else
    try {
        faiss::IDSelectorBitmap sel((nb + 7) / 8, bitmap);
        faiss::knn_inner_product(q, b, d, nq, nb, k, scores, ids, &sel);
    } catch (const std::exception &) {
        return -1;
    }
    return 0;
#endif
}
}
