/* Calibration: this machine's single-precision FMA peak in GFLOP/s.
 *
 * A loop of independent fused multiply-adds on enough accumulators to cover
 * the FMA latency times the number of FMA pipes (16 for AVX-512 with 32
 * registers, 12 for AVX2 with 16), so the loop is bound by FMA throughput, not
 * latency. One FMA counts as 2 flops. The instruction set is chosen at run
 * time from the CPU (the loops are compiled with target attributes, so one
 * binary runs everywhere). Measured on one thread and on n threads at once;
 * the best of several trials is the peak. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "lmb.h"

#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

double lmb_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

long lmb_peak_rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    if (f) {
        while (fgets(line, sizeof line, f))
            if (!strncmp(line, "VmHWM:", 6)) v = atol(line + 6);
        fclose(f);
    }
    if (v < 0) {
        struct rusage ru;
        if (!getrusage(RUSAGE_SELF, &ru)) v = ru.ru_maxrss;
    }
    return v;
}

int lmb_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef double (*fma_fn)(uint64_t iters, float seed);

#if defined(__x86_64__) && defined(__GNUC__)
#define FMA12(op, A)                                                                                                   \
    A##0 = op(A##0, m, c); A##1 = op(A##1, m, c); A##2 = op(A##2, m, c); A##3 = op(A##3, m, c);                        \
    A##4 = op(A##4, m, c); A##5 = op(A##5, m, c); A##6 = op(A##6, m, c); A##7 = op(A##7, m, c);                        \
    A##8 = op(A##8, m, c); A##9 = op(A##9, m, c); A##10 = op(A##10, m, c); A##11 = op(A##11, m, c);

/* 16 accumulators x 16 lanes; returns flops done (2 per lane per FMA). */
__attribute__((target("avx512f"), noinline)) static double fma_avx512(uint64_t iters, float seed) {
    __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(seed * 1e-7f);
    __m512 a0 = _mm512_set1_ps(seed), a1 = _mm512_set1_ps(seed + 1), a2 = _mm512_set1_ps(seed + 2),
           a3 = _mm512_set1_ps(seed + 3), a4 = _mm512_set1_ps(seed + 4), a5 = _mm512_set1_ps(seed + 5),
           a6 = _mm512_set1_ps(seed + 6), a7 = _mm512_set1_ps(seed + 7), a8 = _mm512_set1_ps(seed + 8),
           a9 = _mm512_set1_ps(seed + 9), a10 = _mm512_set1_ps(seed + 10), a11 = _mm512_set1_ps(seed + 11),
           a12 = _mm512_set1_ps(seed + 12), a13 = _mm512_set1_ps(seed + 13), a14 = _mm512_set1_ps(seed + 14),
           a15 = _mm512_set1_ps(seed + 15);
    for (uint64_t i = 0; i < iters; i++) {
        FMA12(_mm512_fmadd_ps, a)
        a12 = _mm512_fmadd_ps(a12, m, c); a13 = _mm512_fmadd_ps(a13, m, c);
        a14 = _mm512_fmadd_ps(a14, m, c); a15 = _mm512_fmadd_ps(a15, m, c);
        __asm__ volatile("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3), "+v"(a4), "+v"(a5), "+v"(a6), "+v"(a7));
    }
    __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                             _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
    s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)),
                                       _mm512_add_ps(_mm512_add_ps(a12, a13), _mm512_add_ps(a14, a15))));
    volatile float sink = _mm512_reduce_add_ps(s);
    (void)sink;
    return (double)iters * 16 * 16 * 2;
}

/* 12 accumulators x 8 lanes. */
__attribute__((target("avx2,fma"), noinline)) static double fma_avx2(uint64_t iters, float seed) {
    __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(seed * 1e-7f);
    __m256 a0 = _mm256_set1_ps(seed), a1 = _mm256_set1_ps(seed + 1), a2 = _mm256_set1_ps(seed + 2),
           a3 = _mm256_set1_ps(seed + 3), a4 = _mm256_set1_ps(seed + 4), a5 = _mm256_set1_ps(seed + 5),
           a6 = _mm256_set1_ps(seed + 6), a7 = _mm256_set1_ps(seed + 7), a8 = _mm256_set1_ps(seed + 8),
           a9 = _mm256_set1_ps(seed + 9), a10 = _mm256_set1_ps(seed + 10), a11 = _mm256_set1_ps(seed + 11);
    for (uint64_t i = 0; i < iters; i++) {
        FMA12(_mm256_fmadd_ps, a)
        __asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(a4), "+x"(a5));
    }
    __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                             _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
    s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
    float t[8];
    _mm256_storeu_ps(t, s);
    volatile float sink = t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
    (void)sink;
    return (double)iters * 12 * 8 * 2;
}
#endif

/* Portable fallback: 8 scalar chains (the compiler may vectorise; it is only
 * used where neither AVX2 nor AVX-512 exists). */
static double fma_scalar(uint64_t iters, float seed) {
    float a[8], m = 0.999999f, c = seed * 1e-7f;
    for (int j = 0; j < 8; j++) a[j] = seed + (float)j;
    for (uint64_t i = 0; i < iters; i++)
        for (int j = 0; j < 8; j++) a[j] = a[j] * m + c;
    volatile float sink = a[0] + a[1] + a[2] + a[3] + a[4] + a[5] + a[6] + a[7];
    (void)sink;
    return (double)iters * 8 * 2;
}

typedef struct job {
    fma_fn fn;
    uint64_t iters;
    pthread_barrier_t *bar;
    double t0, t1, c0, c1, flops;
} job;

static double thread_cpu(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *run_job(void *p) {
    job *j = p;
    pthread_barrier_wait(j->bar);
    j->t0 = lmb_now();
    j->c0 = thread_cpu();
    j->flops = j->fn(j->iters, 1.0f);
    j->c1 = thread_cpu();
    j->t1 = lmb_now();
    return NULL;
}

/* GFLOP/s of n threads running fn at once (aggregate), best of trials.
 * Counted per thread over its own CPU time (CLOCK_THREAD_CPUTIME_ID) and
 * summed, so time slices lost to other processes on a shared machine do not
 * lower the figure: it is the rate of n cores while they compute. The
 * wall-clock aggregate goes to *wall. */
static double measure(fma_fn fn, int n, double seconds, double *wall) {
    /* size the loop to about seconds/trials per trial on one thread */
    uint64_t iters = 1u << 16;
    for (;;) {
        double t0 = lmb_now();
        fn(iters, 1.0f);
        double dt = lmb_now() - t0;
        if (dt > 0.02 || iters > (1ull << 40)) {
            iters = (uint64_t)((double)iters * (seconds / 5) / (dt > 1e-9 ? dt : 1e-9)) + 1;
            break;
        }
        iters *= 4;
    }
    double best = 0;
    *wall = 0;
    for (int trial = 0; trial < 5; trial++) {
        pthread_t th[256];
        job jobs[256];
        pthread_barrier_t bar;
        if (n > 256) n = 256;
        pthread_barrier_init(&bar, NULL, (unsigned)n);
        for (int i = 0; i < n; i++) {
            jobs[i] = (job){fn, iters, &bar, 0, 0, 0, 0, 0};
            pthread_create(&th[i], NULL, run_job, &jobs[i]);
        }
        double first = 1e300, last = 0, flops = 0, cpu_rate = 0;
        for (int i = 0; i < n; i++) {
            pthread_join(th[i], NULL);
            if (jobs[i].t0 < first) first = jobs[i].t0;
            if (jobs[i].t1 > last) last = jobs[i].t1;
            flops += jobs[i].flops;
            double c = jobs[i].c1 - jobs[i].c0;
            cpu_rate += c > 0 ? jobs[i].flops / c * 1e-9 : 0;
        }
        pthread_barrier_destroy(&bar);
        double g = flops / (last - first) * 1e-9;
        if (g > *wall) *wall = g;
        if (cpu_rate > best) best = cpu_rate;
    }
    return best;
}

void lmb_calibrate(lmb_calib *c, int nthreads, double seconds) {
    memset(c, 0, sizeof *c);
    c->nthreads = nthreads;
    double w = 0;
    snprintf(c->isa, sizeof c->isa, "scalar");
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        c->avx2_1t = measure(fma_avx2, 1, seconds, &w);
        c->avx2_nt = measure(fma_avx2, nthreads, seconds, &w);
        c->wall_nt = w;
        snprintf(c->isa, sizeof c->isa, "avx2");
    }
    if (__builtin_cpu_supports("avx512f")) {
        c->avx512_1t = measure(fma_avx512, 1, seconds, &w);
        c->avx512_nt = measure(fma_avx512, nthreads, seconds, &w);
        if (c->avx512_nt > c->avx2_nt) c->wall_nt = w;
    }
    c->gflops_1t = c->avx512_1t > c->avx2_1t ? c->avx512_1t : c->avx2_1t;
    c->gflops_nt = c->avx512_nt > c->avx2_nt ? c->avx512_nt : c->avx2_nt;
    if (c->avx512_1t > c->avx2_1t) snprintf(c->isa, sizeof c->isa, "avx512");
    if (c->gflops_1t > 0) return;
#endif
    c->gflops_1t = measure(fma_scalar, 1, seconds, &w);
    c->gflops_nt = measure(fma_scalar, nthreads, seconds, &w);
    c->wall_nt = w;
}
