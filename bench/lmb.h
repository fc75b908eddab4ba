/* lmbench: the benchmark harness of libmatch (docs/performance.md).
 *
 * Everything here measures libmatch through its public API only
 * (libmatch/include/libmatch/libmatch.h); peers (FAISS, PostgreSQL, numpy, the
 * library's own scalar path) run on exactly the same generated data. */
#ifndef LMB_H
#define LMB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- deterministic random numbers (splitmix64) --------------------------- */
static inline uint64_t lmb_next(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static inline double lmb_unif(uint64_t *s) { return (double)(lmb_next(s) >> 11) * 0x1.0p-53; }
static inline int lmb_int(uint64_t *s, int lo, int hi) { return lo + (int)(lmb_next(s) % (uint64_t)(hi - lo + 1)); }
double lmb_gauss(uint64_t *s);

/* ---- the world: real structure from ../shared/data, or synthetic --------- */
#define LMB_ONET_COLS 70 /* 35 importance + 35 level columns */
#define LMB_REGION_NHN 101 /* Noord-Holland Noord (labour-market region) */

typedef struct lmb_world {
    int real;               /* 1: built from the shared data files */
    char source[512];       /* directory, or "synthetic" */
    /* zones (PC4 or synthetic) */
    size_t nz;
    int32_t *zone, *muni, *region;
    double *lat, *lon;
    double *cum_w;          /* cumulative sampling weight (population) */
    /* occupations */
    size_t nocc;
    float *z;               /* nocc x 70, standardised per column */
    float *imp;             /* nocc x 35, importance 1..5 */
} lmb_world;

int lmb_world_load(lmb_world *w, const char *dir); /* dir NULL or absent: synthetic */
void lmb_world_free(lmb_world *w);

/* ---- generated data sets ------------------------------------------------- */
enum lmb_kind {
    LMB_OPEN = 0,   /* every pair feasible (policy: competence only, 24 h travel) */
    LMB_ELIG = 1,   /* exactly 1/LMB_CLASSES of pairs eligible via required flags */
    LMB_REAL = 2    /* realistic attributes, default policy, every filter active */
};
#define LMB_CLASSES 10
#define LMB_AS_OF_DAY 20000 /* 2024-10-04: the data's "today" */

typedef struct lmb_data {
    int kind;
    uint32_t dim;
    size_t nc, nv;
    int32_t region_only;    /* >0: every row placed in this region */
    /* candidates */
    int64_t *c_id, *c_org;
    int32_t *c_muni, *c_region, *c_zone, *c_avail;
    double *c_lat, *c_lon;
    uint32_t *c_groups;
    uint8_t *c_ready, *c_modes, *c_scope;
    float *c_lw, *c_vec, *c_hmin, *c_hmax, *c_maxmin, *c_prio;
    uint64_t *c_flags;
    /* vacancies */
    int64_t *v_id, *v_emp;
    int32_t *v_muni, *v_region, *v_zone, *v_slots, *v_open;
    double *v_lat, *v_lon;
    float *v_vec, *v_w, *v_hmin, *v_hmax, *v_minlw;
    uint64_t *v_req;
    uint32_t *v_acc;
    uint8_t *v_maxready;
    /* what the peers see: unit candidate vectors, unit weighted requirements
     * (so the inner product is libmatch's competence cosine), classes */
    float *cn, *vn;
    int32_t *c_class, *v_class;
} lmb_data;

/* Ids are row + 1 on both sides. */
int lmb_data_make(lmb_data *d, const lmb_world *w, int kind, size_t nc, size_t nv, uint32_t dim, int32_t region_only,
                  uint64_t seed);
void lmb_data_free_columns(lmb_data *d); /* keep cn/vn/classes */
void lmb_data_free(lmb_data *d);

/* ---- FMA calibration ----------------------------------------------------- */
typedef struct lmb_calib {
    char isa[16];           /* "avx512", "avx2" or "scalar" */
    double gflops_1t;       /* best ISA, one thread */
    double gflops_nt;       /* best ISA, nthreads at once */
    int nthreads;
    double avx512_1t, avx2_1t, avx512_nt, avx2_nt; /* 0 if unsupported */
    double wall_nt;         /* best ISA, nthreads, by wall clock (lower when the machine is shared) */
} lmb_calib;
void lmb_calibrate(lmb_calib *c, int nthreads, double seconds);

/* ---- FAISS peer (lmb_faiss.cpp) ------------------------------------------ */
int lmb_faiss_available(void);
const char *lmb_faiss_version(void);
void lmb_faiss_threads(int n);          /* OpenMP and OpenBLAS threads */
const char *lmb_openblas_core(void);    /* OpenBLAS core type in use, or "not-openblas" */
const char *lmb_openblas_config(void);
/* One direction: for each of the nq rows of q, the k best of the nb rows of b
 * (inner product). ids/scores: nq * k. */
int lmb_faiss_knn(const float *q, size_t nq, const float *b, size_t nb, uint32_t d, uint32_t k, float *scores,
                  int64_t *ids);
/* Same, restricted to the rows of b whose bit is set in bitmap ((nb + 7) / 8 bytes). */
int lmb_faiss_knn_bitmap(const float *q, size_t nq, const float *b, size_t nb, uint32_t d, uint32_t k,
                         const uint8_t *bitmap, float *scores, int64_t *ids);

/* ---- PostgreSQL SQL peer (lmb_pg.c) -------------------------------------- */
typedef struct lmb_pg_result {
    double median_s, min_s, max_s;
    int reps;
    int64_t *top;           /* nv * k candidate ids (-1 = none), vacancy order */
    char version[128];
    char error[512];
} lmb_pg_result;
/* Load d's ELIG data into a throwaway schema and time the top-k per vacancy
 * SQL query. conninfo may be "" (PG* environment). Returns 0 or -1 (error set). */
int lmb_pg_run(lmb_pg_result *r, const char *conninfo, const lmb_data *d, uint32_t k, int reps, double budget_s);
void lmb_pg_result_free(lmb_pg_result *r);

/* ---- small utilities ----------------------------------------------------- */
double lmb_now(void);
long lmb_peak_rss_kib(void);
int lmb_cmp_double(const void *a, const void *b);

#ifdef __cplusplus
}
#endif
#endif
