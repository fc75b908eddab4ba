/* Shared helpers of the libFuzzer targets (tests/fuzz/README in docs/hardening.md).
 *
 * A target is LLVMFuzzerTestOneInput(data, size). It must be deterministic,
 * free everything it allocates, and report a broken property with FZ_CHECK,
 * which prints the reason and aborts, so that libFuzzer saves the input as a
 * crash artifact (tests/fuzz/run.sh turns it into a regression test). */
#ifndef LM_FUZZ_COMMON_H
#define LM_FUZZ_COMMON_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libmatch/libmatch.h"

#define FZ_CHECK(cond, ...)                                                              \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "\nFUZZ PROPERTY FAILED at %s:%d: %s\n  ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                                \
            fprintf(stderr, "\n");                                                       \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/* Byte source: reads past the end give zeros, so every input is valid. */
typedef struct fz_in {
    const uint8_t *p;
    size_t n, i;
} fz_in;

static inline int fz_more(const fz_in *in) { return in->i < in->n; }
static inline uint8_t fz_u8(fz_in *in) { return in->i < in->n ? in->p[in->i++] : 0; }
static inline uint16_t fz_u16(fz_in *in) {
    uint16_t a = fz_u8(in);
    return (uint16_t)(a | (uint16_t)fz_u8(in) << 8);
}
static inline uint32_t fz_u32(fz_in *in) {
    uint32_t a = fz_u16(in);
    return a | (uint32_t)fz_u16(in) << 16;
}
static inline uint64_t fz_u64(fz_in *in) {
    uint64_t a = fz_u32(in);
    return a | (uint64_t)fz_u32(in) << 32;
}
/* Integer in [lo, hi]. */
static inline int fz_int(fz_in *in, int lo, int hi) { return lo + (int)(fz_u8(in) % (unsigned)(hi - lo + 1)); }

/* A double that is usually tame and sometimes hostile. */
static inline double fz_double(fz_in *in) {
    uint8_t k = fz_u8(in);
    switch (k % 16) {
    case 0: return NAN;
    case 1: return INFINITY;
    case 2: return -INFINITY;
    case 3: return 1e300;
    case 4: return -1e300;
    case 5: return -0.0;
    case 6: {
        uint64_t b = fz_u64(in);
        double d;
        memcpy(&d, &b, sizeof d);
        return d;
    }
    default: return (double)(int16_t)fz_u16(in) / (double)(1 + k);
    }
}

/* Deterministic PRNG (splitmix64) for bulk rows derived from a few bytes. */
static inline uint64_t fz_rng(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Replace every decimal occurrence of `from` in s by `to` (for comparing error
 * messages "modulo the id"). */
static inline void fz_subst_id(char *out, size_t cap, const char *s, long long from, long long to) {
    char f[32], t[32];
    snprintf(f, sizeof f, "%lld", from);
    snprintf(t, sizeof t, "%lld", to);
    size_t fl = strlen(f), tl = strlen(t), o = 0;
    while (*s && o + 1 < cap) {
        if (*s == f[0] && strncmp(s, f, fl) == 0) {
            for (size_t k = 0; k < tl && o + 1 < cap; k++) out[o++] = t[k];
            s += fl;
        } else {
            out[o++] = *s++;
        }
    }
    out[o] = '\0';
}
#endif
