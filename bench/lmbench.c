/* lmbench: libmatch's benchmark harness (docs/performance.md).
 *
 *   lmbench calibrate [--threads N] [--seconds S]
 *   lmbench run [--mode quick|full] [--only CASE,...] [--faiss-only --blas-tag TAG]
 *               [--data DIR] [--threads N] [--pg CONNINFO | --no-pg]
 *               [--python PATH --numpy-script PATH] [--tmp DIR] [--out FILE]
 *   lmbench list
 *
 * Every case writes JSON lines (one per engine) to --out (default stdout);
 * bench/report.py turns them into report.json / report.md / *.png. libmatch
 * is measured through its public API only. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "lmb.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libmatch/libmatch.h"

/* ---- configuration ---------------------------------------------------------- */
static struct {
    int quick;
    int threads;
    const char *data_dir;
    const char *only;
    int faiss_only;
    int libmatch_only; /* profiling: the first libmatch variant of each case, no peers */
    const char *blas_tag;   /* label of the OpenBLAS core type this process runs with (default: its name) */
    const char *pg;         /* conninfo; NULL: PG* environment */
    int no_pg;
    const char *python, *numpy_script, *tmp;
    int reps;
    double budget;          /* seconds per engine row: fewer repetitions beyond it */
} C = {1, 2, NULL, NULL, 0, 0, NULL, NULL, 0, "/usr/bin/python3", "bench/peer_numpy.py", "/tmp", 0, 0};

static FILE *OUT;
static lmb_world W;

static int want(const char *name) {
    if (!C.only || !*C.only) return strcmp(name, "country") != 0; /* country runs in its own process */
    size_t n = strlen(name);
    for (const char *p = C.only; (p = strstr(p, name)); p += n)
        if ((p == C.only || p[-1] == ',') && (p[n] == 0 || p[n] == ',')) return 1;
    return 0;
}

static double T0;

static void say(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "lmbench [%6.1f s] ", lmb_now() - T0);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

/* ---- JSON lines ----------------------------------------------------------- */
typedef struct jrow {
    char b[16384];
    size_t n;
    int first;
} jrow;

static void j_raw(jrow *j, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(j->b + j->n, sizeof j->b - j->n, fmt, ap);
    va_end(ap);
    if (w > 0) j->n += (size_t)w < sizeof j->b - j->n ? (size_t)w : sizeof j->b - j->n - 1;
}
static void j_key(jrow *j, const char *k) {
    j_raw(j, "%s\"%s\": ", j->first ? "" : ", ", k);
    j->first = 0;
}
static void j_begin(jrow *j) {
    j->n = 0;
    j->first = 1;
    j_raw(j, "{");
}
static void j_str(jrow *j, const char *k, const char *v) {
    j_key(j, k);
    j_raw(j, "\"");
    for (const unsigned char *p = (const unsigned char *)(v ? v : ""); *p; p++) {
        if (*p == '"' || *p == '\\') j_raw(j, "\\%c", *p);
        else if (*p < 0x20) j_raw(j, "\\u%04x", *p);
        else j_raw(j, "%c", *p);
    }
    j_raw(j, "\"");
}
static void j_num(jrow *j, const char *k, double v) {
    j_key(j, k);
    if (isfinite(v)) j_raw(j, "%.6g", v);
    else j_raw(j, "null");
}
static void j_int(jrow *j, const char *k, long long v) {
    j_key(j, k);
    j_raw(j, "%lld", v);
}
static void j_end(jrow *j) {
    j_raw(j, "}\n");
    fputs(j->b, OUT);
    fflush(OUT);
}

/* ---- timing ----------------------------------------------------------------- */
typedef struct timing {
    double med, min, max;
    int reps;
} timing;

typedef struct runner {
    int (*run)(void *ctx);    /* the timed work; 0 = ok */
    void (*reset)(void *ctx); /* untimed, before each run (free previous results) */
    void *ctx;
} runner;

/* Median, min and max of up to reps runs, fewer when they would exceed the
 * budget. A first run shorter than 0.5 s is a warm-up and not counted. */
static int timeit(timing *t, runner *r, int reps, double budget) {
    double ts[64];
    int n = 0;
    if (reps > 64) reps = 64;
    if (r->reset) r->reset(r->ctx);
    double t0 = lmb_now();
    int rc = r->run(r->ctx);
    double dt = lmb_now() - t0;
    if (rc) return rc;
    if (dt >= 0.5) ts[n++] = dt;
    int target = reps;
    if (dt * reps > budget) {
        target = (int)(budget / (dt > 1e-9 ? dt : 1e-9));
        if (target < 1) target = 1;
    }
    while (n < target) {
        if (r->reset) r->reset(r->ctx);
        t0 = lmb_now();
        rc = r->run(r->ctx);
        ts[n++] = lmb_now() - t0;
        if (rc) return rc;
    }
    qsort(ts, (size_t)n, sizeof *ts, lmb_cmp_double);
    t->reps = n;
    t->min = ts[0];
    t->max = ts[n - 1];
    t->med = n % 2 ? ts[n / 2] : 0.5 * (ts[n / 2 - 1] + ts[n / 2]);
    return 0;
}

/* ---- rows ------------------------------------------------------------------- */
static const char *kind_name(int kind) { return kind == LMB_OPEN ? "open" : kind == LMB_ELIG ? "elig10" : "realistic"; }

static void row_head(jrow *j, const char *name, const char *engine, const lmb_data *d, uint32_t k, double sel,
                     int threads) {
    j_begin(j);
    j_str(j, "type", "case");
    j_str(j, "name", name);
    j_str(j, "engine", engine);
    j_int(j, "candidates", (long long)d->nc);
    j_int(j, "vacancies", (long long)d->nv);
    j_int(j, "dim", d->dim);
    j_int(j, "k", k);
    j_num(j, "selectivity", sel);
    j_int(j, "threads", threads);
    j_str(j, "data", W.real ? "real" : "synthetic");
    j_str(j, "workload", kind_name(d->kind));
    j_str(j, "mode", C.quick ? "quick" : "full");
}

static void row_timing(jrow *j, const timing *t, double pairs) {
    j_num(j, "median_s", t->med);
    j_num(j, "min_s", t->min);
    j_num(j, "max_s", t->max);
    j_int(j, "reps", t->reps);
    j_num(j, "pairs", pairs);
    j_num(j, "pairs_per_s", pairs / t->med);
}

static void row_error(const char *name, const char *engine, const lmb_data *d, uint32_t k, double sel, int threads,
                      const char *status, const char *msg) {
    jrow j;
    row_head(&j, name, engine, d, k, sel, threads);
    j_str(&j, "status", status);
    j_str(&j, "error", msg);
    j_end(&j);
    say("%s / %s: %s: %s", name, engine, status, msg);
}

/* ---- libmatch ----------------------------------------------------------------- */
static const char *kernel_name(int64_t k) {
    switch (k) {
    case LM_KERNEL_SCALAR: return "scalar";
    case LM_KERNEL_AVX2: return "avx2";
    case LM_KERNEL_AVX512: return "avx512";
    default: return "auto";
    }
}

static int build_pool(lm_pool **pool, lm_snapshot **snap, const lmb_data *d, double *load_s, char *err, size_t errn) {
    *pool = NULL;
    *snap = NULL;
    double t0 = lmb_now();
    int st = lm_pool_create(pool, d->dim);
    if (st) {
        snprintf(err, errn, "lm_pool_create: %s", lm_strerror(st));
        return st;
    }
    lm_candidate_cols c = LM_CANDIDATE_COLS_INIT;
    c.dim = d->dim;
    c.id = d->c_id; c.owner_org = d->c_org; c.municipality = d->c_muni; c.region = d->c_region; c.zone = d->c_zone;
    c.lat = d->c_lat; c.lon = d->c_lon; c.groups = d->c_groups; c.readiness = d->c_ready; c.loonwaarde = d->c_lw;
    c.vectors = d->c_vec; c.flags = d->c_flags; c.hours_min = d->c_hmin; c.hours_max = d->c_hmax;
    c.modes = d->c_modes; c.max_minutes = d->c_maxmin; c.available_from = d->c_avail; c.scope = d->c_scope;
    c.priority = d->c_prio;
    lm_vacancy_cols v = LM_VACANCY_COLS_INIT;
    v.dim = d->dim;
    v.id = d->v_id; v.employer_id = d->v_emp; v.municipality = d->v_muni; v.region = d->v_region; v.zone = d->v_zone;
    v.lat = d->v_lat; v.lon = d->v_lon; v.vectors = d->v_vec; v.weights = d->v_w; v.required_flags = d->v_req;
    v.hours_min = d->v_hmin; v.hours_max = d->v_hmax; v.slots = d->v_slots; v.accepted_groups = d->v_acc;
    v.min_loonwaarde = d->v_minlw; v.max_readiness = d->v_maxready; v.open_until = d->v_open;
    if ((st = lm_pool_add_candidates(*pool, &c, d->nc)) || (st = lm_pool_add_vacancies(*pool, &v, d->nv)) ||
        (st = lm_pool_snapshot(snap, *pool))) {
        snprintf(err, errn, "pool: %s: %s", lm_strerror(st), lm_pool_errmsg(*pool));
        lm_pool_free(*pool);
        *pool = NULL;
        return st;
    }
    *load_s = lmb_now() - t0;
    return 0;
}

static int make_engine(lm_engine **e, int kind, int threads, int kernel, int quantize, int policy10, char *err,
                       size_t errn) {
    lm_policy *p = NULL;
    int st = lm_policy_create(&p);
    if (!st && kind != LMB_REAL) {
        /* score = competence cosine only (a dot model), and every place within
         * reach, so the ranking is exactly the inner-product ranking of the peers */
        if (!st) st = lm_policy_set_f64(p, LM_POLICY_COMPETENCE_MODEL, LM_COMPETENCE_REQUIREMENT);
        if (!st) st = lm_policy_set_f64(p, LM_POLICY_W_COMPETENCE, 1.0);
        if (!st) st = lm_policy_set_f64(p, LM_POLICY_W_TRAVEL, 0.0);
        if (!st) st = lm_policy_set_f64(p, LM_POLICY_W_HOURS, 0.0);
        if (!st) st = lm_policy_set_f64(p, LM_POLICY_W_READINESS, 0.0);
        if (!st) st = lm_policy_set_f64(p, LM_POLICY_W_PRIORITY, 0.0);
        if (!st) st = lm_policy_set_f64(p, LM_POLICY_MAX_TRAVEL_MIN, 1440.0);
    } else if (!st) {
        st = lm_policy_set_f64(p, LM_POLICY_AS_OF_DAY, LMB_AS_OF_DAY);
        if (policy10) { /* 1.0's defaults: the requirement model, weights 0.6 / 0.2 / 0.1 / 0.1 */
            if (!st) st = lm_policy_set_f64(p, LM_POLICY_COMPETENCE_MODEL, LM_COMPETENCE_REQUIREMENT);
            if (!st) st = lm_policy_set_f64(p, LM_POLICY_W_TRAVEL, 0.2);
            if (!st) st = lm_policy_set_f64(p, LM_POLICY_W_HOURS, 0.1);
            if (!st) st = lm_policy_set_f64(p, LM_POLICY_W_READINESS, 0.1);
        }
    }
    if (st) {
        snprintf(err, errn, "policy: %s: %s", lm_strerror(st), lm_policy_errmsg(p));
        lm_policy_free(p);
        return st;
    }
    st = lm_engine_create(e, p, NULL);
    lm_policy_free(p);
    if (st) {
        snprintf(err, errn, "lm_engine_create: %s", lm_strerror(st));
        return st;
    }
    if ((st = lm_engine_set_i64(*e, LM_ENGINE_THREADS, threads)) ||
        (st = lm_engine_set_i64(*e, LM_ENGINE_KERNEL, kernel))) {
        snprintf(err, errn, "engine option: %s: %s", lm_strerror(st), lm_engine_errmsg(*e));
        lm_engine_free(*e);
        *e = NULL;
        return st;
    }
#ifdef LMB_HAVE_QUANTIZE
    if (quantize && (st = lm_engine_set_i64(*e, LM_ENGINE_QUANTIZE, 1))) {
        snprintf(err, errn, "quantize: %s: %s", lm_strerror(st), lm_engine_errmsg(*e));
        lm_engine_free(*e);
        *e = NULL;
        return st;
    }
#else
    if (quantize) {
        snprintf(err, errn, "this libmatch has no LM_ENGINE_QUANTIZE option");
        lm_engine_free(*e);
        *e = NULL;
        return LM_ERR_UNSUPPORTED;
    }
#endif
    return 0;
}

typedef struct lmrun {
    lm_engine *e;
    lm_snapshot *s;
    lm_viewer v;
    lm_batch_options o;
    lm_results *res;
    char err[512];
} lmrun;

static int lm_run(void *p) {
    lmrun *r = p;
    int st = lm_engine_batch(&r->res, r->e, r->s, &r->v, &r->o);
    if (st) snprintf(r->err, sizeof r->err, "lm_engine_batch: %s: %s", lm_strerror(st), lm_engine_errmsg(r->e));
    return st;
}
static void lm_reset(void *p) {
    lmrun *r = p;
    lm_results_free(r->res);
    r->res = NULL;
}

static lm_viewer viewer_for(const lmb_data *d) {
    lm_viewer v = LM_VIEWER_INIT;
    v.org = 0; /* no organisation has id 0: the viewer owns nobody */
    v.region = d->region_only;
    return v;
}

/* Top-k ids per list of one direction of libmatch results, indexed by row
 * (id - 1), for the first `check` rows of that side. */
typedef struct lists {
    size_t check, k;
    int64_t *ids; /* check * k, -1 = none */
} lists;

static int lm_lists(lists *L, const lm_results *r, int dir, size_t side_n, size_t check, size_t k) {
    L->check = check < side_n ? check : side_n;
    L->k = k;
    L->ids = malloc((L->check * k + 1) * sizeof *L->ids);
    lm_match *buf = malloc((k + 1) * sizeof *buf);
    if (!L->ids || !buf) {
        free(buf);
        return -1;
    }
    for (size_t i = 0; i < L->check * k; i++) L->ids[i] = -1;
    size_t n = 0;
    lm_results_lists(&n, r, dir);
    for (size_t i = 0; i < n; i++) {
        int64_t id;
        size_t first, len, got = 0;
        if (lm_results_list(&id, &first, &len, r, dir, i)) continue;
        if (id < 1 || (size_t)id > L->check) continue;
        if (len > k) len = k;
        if (len && lm_results_copy(buf, sizeof *buf, len, &got, r, dir, first)) continue;
        for (size_t q = 0; q < got; q++)
            L->ids[(size_t)(id - 1) * k + q] = dir == LM_DIR_VACANCY ? buf[q].candidate_id : buf[q].vacancy_id;
    }
    free(buf);
    return 0;
}

/* Mean over lists of |peer top-k n libmatch top-k| / |peer top-k|. Peer ids
 * are external ids (-1 = none); stride is the peer's k. */
static double recall(const lists *L, const int64_t *peer, size_t stride, size_t rows) {
    double acc = 0;
    size_t cnt = 0;
    if (rows > L->check) rows = L->check;
    for (size_t i = 0; i < rows; i++) {
        size_t have = 0, hit = 0;
        for (size_t a = 0; a < L->k && a < stride; a++) {
            int64_t x = peer[i * stride + a];
            if (x < 0) continue;
            have++;
            for (size_t b = 0; b < L->k; b++)
                if (L->ids[i * L->k + b] == x) {
                    hit++;
                    break;
                }
        }
        if (have) {
            acc += (double)hit / (double)have;
            cnt++;
        }
    }
    return cnt ? acc / (double)cnt : NAN;
}

/* Fraction of pairs that pass every hard filter, estimated independently of
 * the batch's counters: lm_engine_explain() on `samples` random pairs (a
 * candidate the viewer may not see counts as excluded). For the open and
 * 10%-eligible workloads it checks the data: it must come out 1 and 0.1. */
static double sample_selectivity(lm_snapshot *snap, const lmb_data *d, size_t samples) {
    lm_engine *e = NULL;
    char err[256];
    if (make_engine(&e, d->kind, 1, LM_KERNEL_AUTO, 0, 0, err, sizeof err)) return NAN;
    lm_viewer v = viewer_for(d);
    uint64_t s = 0xA5A5u + d->nc * 31 + d->nv;
    size_t ok = 0, n = 0;
    for (size_t i = 0; i < samples; i++) {
        lm_match m;
        size_t c = lmb_next(&s) % d->nc, q = lmb_next(&s) % d->nv;
        int st = lm_engine_explain(&m, sizeof m, e, snap, &v, (int64_t)q + 1, (int64_t)c + 1);
        if (st == LM_OK) {
            n++;
            ok += m.constraint == LM_CONSTRAINT_NONE;
        } else if (st == LM_ERR_UNKNOWN_ID) {
            n++; /* invisible to the viewer */
        }
    }
    lm_engine_free(e);
    return n ? (double)ok / (double)n : NAN;
}

typedef struct lmcase {
    const char *name;
    const lmb_data *d;
    uint32_t kc, kv;       /* k per vacancy, per candidate */
    double sel;            /* by construction, or NAN: the sampled value is used */
    double sampled;        /* sample_selectivity() */
    int threads, kernel, quantize;
    const char *engine;    /* row label */
    const char *group;     /* plot group, or NULL */
    int keep;              /* keep the lists for agreement checks */
    lists lv, lc;          /* out, if keep */
    timing t;
    int ok;
    int policy10;          /* real data: 1.0's default policy instead of this version's */
} lmcase;

/* Build pool and engine, time lm_engine_batch, write the row. */
static void run_libmatch(lmcase *lc, lm_snapshot *snap, double load_s) {
    char err[512] = "";
    lm_engine *e = NULL;
    lc->ok = 0;
    uint32_t k = lc->kc > lc->kv ? lc->kc : lc->kv;
    double sel = isnan(lc->sel) ? lc->sampled : lc->sel;
    if (make_engine(&e, lc->d->kind, lc->threads, lc->kernel, lc->quantize, lc->policy10, err, sizeof err)) {
        row_error(lc->name, lc->engine, lc->d, k, sel, lc->threads, lc->quantize ? "missing" : "error", err);
        return;
    }
    lmrun r = {e, snap, viewer_for(lc->d), LM_BATCH_OPTIONS_INIT, NULL, ""};
    r.o.k_candidates = lc->kc;
    r.o.k_vacancies = lc->kv;
    runner rn = {lm_run, lm_reset, &r};
    say("%s / %s: %zu x %zu, d=%u, k=%u, %d thread(s)", lc->name, lc->engine, lc->d->nc, lc->d->nv, lc->d->dim, k,
        lc->threads);
    if (timeit(&lc->t, &rn, C.reps, C.budget)) {
        row_error(lc->name, lc->engine, lc->d, k, sel, lc->threads, "error", r.err);
        lm_reset(&r);
        lm_engine_free(e);
        return;
    }
    double scored = 0, feasible = 0, kern = 0, thr = 0;
    lm_results_stat(&scored, r.res, LM_STAT_PAIRS_SCORED);
    lm_results_stat(&feasible, r.res, LM_STAT_PAIRS_FEASIBLE);
    lm_results_stat(&kern, r.res, LM_STAT_KERNEL);
    lm_results_stat(&thr, r.res, LM_STAT_THREADS);
    if (lc->keep) {
        lm_lists(&lc->lv, r.res, LM_DIR_VACANCY, lc->d->nv, 1000, lc->kc);
        lm_lists(&lc->lc, r.res, LM_DIR_CANDIDATE, lc->d->nc, 1000, lc->kv);
    }
    jrow j;
    row_head(&j, lc->name, lc->engine, lc->d, k, sel, lc->threads);
    if (lc->group) j_str(&j, "group", lc->group);
    j_num(&j, "selectivity_sampled", lc->sampled);
    row_timing(&j, &lc->t, (double)lc->d->nc * (double)lc->d->nv);
    j_int(&j, "k_candidates", lc->kc);
    j_int(&j, "k_vacancies", lc->kv);
    j_str(&j, "kernel", kernel_name((int64_t)kern));
    j_num(&j, "threads_reported", thr);
    j_num(&j, "pairs_scored", scored);
    j_num(&j, "pairs_feasible_reported", feasible); /* the engine's own counter */
    j_num(&j, "load_s", load_s);
    j_end(&j);
    say("  median %.4f s  (%.3g pairs/s, kernel %s, %d reps)", lc->t.med,
        (double)lc->d->nc * (double)lc->d->nv / lc->t.med, kernel_name((int64_t)kern), lc->t.reps);
    lm_reset(&r);
    lm_engine_free(e);
    lc->ok = 1;
}

static void lists_free(lists *L) {
    free(L->ids);
    L->ids = NULL;
}

/* ---- FAISS -------------------------------------------------------------------- */
typedef struct fzrun {
    const lmb_data *d;
    uint32_t k;
    int both, elig;
    float *sv, *sc;
    int64_t *iv, *ic; /* row indices, vacancy order / candidate order */
    /* elig: per class, contiguous queries and bitmaps over the other side */
    size_t nvc[LMB_CLASSES], ncc[LMB_CLASSES];
    size_t *vrows[LMB_CLASSES], *crows[LMB_CLASSES];
    float *qv[LMB_CLASSES], *qc[LMB_CLASSES];
    uint8_t *bmc[LMB_CLASSES], *bmv[LMB_CLASSES];
    float *osv[LMB_CLASSES], *osc[LMB_CLASSES];
    int64_t *oiv[LMB_CLASSES], *oic[LMB_CLASSES];
} fzrun;

static int fz_run(void *p) {
    fzrun *f = p;
    const lmb_data *d = f->d;
    if (!f->elig) {
        if (lmb_faiss_knn(d->vn, d->nv, d->cn, d->nc, d->dim, f->k, f->sv, f->iv)) return -1;
        if (f->both && lmb_faiss_knn(d->cn, d->nc, d->vn, d->nv, d->dim, f->k, f->sc, f->ic)) return -1;
        return 0;
    }
    for (int c = 0; c < LMB_CLASSES; c++) {
        if (f->nvc[c] && lmb_faiss_knn_bitmap(f->qv[c], f->nvc[c], d->cn, d->nc, d->dim, f->k, f->bmc[c], f->osv[c],
                                              f->oiv[c]))
            return -1;
        if (f->both && f->ncc[c] &&
            lmb_faiss_knn_bitmap(f->qc[c], f->ncc[c], d->vn, d->nv, d->dim, f->k, f->bmv[c], f->osc[c], f->oic[c]))
            return -1;
    }
    return 0;
}

static int fz_init(fzrun *f, const lmb_data *d, uint32_t k, int both, int elig) {
    memset(f, 0, sizeof *f);
    f->d = d;
    f->k = k;
    f->both = both;
    f->elig = elig;
    f->sv = malloc(d->nv * k * sizeof(float));
    f->iv = malloc(d->nv * k * sizeof(int64_t));
    f->sc = malloc((both ? d->nc : 1) * k * sizeof(float));
    f->ic = malloc((both ? d->nc : 1) * k * sizeof(int64_t));
    if (!f->sv || !f->iv || !f->sc || !f->ic) return -1;
    if (!elig) return 0;
    size_t bc = (d->nc + 7) / 8, bv = (d->nv + 7) / 8;
    for (int c = 0; c < LMB_CLASSES; c++) {
        f->vrows[c] = malloc((d->nv + 1) * sizeof(size_t));
        f->crows[c] = malloc((d->nc + 1) * sizeof(size_t));
        f->bmc[c] = calloc(bc, 1);
        f->bmv[c] = calloc(bv, 1);
        if (!f->vrows[c] || !f->crows[c] || !f->bmc[c] || !f->bmv[c]) return -1;
    }
    for (size_t i = 0; i < d->nv; i++) {
        int c = d->v_class[i];
        f->vrows[c][f->nvc[c]++] = i;
        f->bmv[c][i / 8] |= (uint8_t)(1u << (i % 8));
    }
    for (size_t i = 0; i < d->nc; i++) {
        int c = d->c_class[i];
        f->crows[c][f->ncc[c]++] = i;
        f->bmc[c][i / 8] |= (uint8_t)(1u << (i % 8));
    }
    for (int c = 0; c < LMB_CLASSES; c++) {
        f->qv[c] = malloc((f->nvc[c] + 1) * d->dim * sizeof(float));
        f->qc[c] = malloc((f->ncc[c] + 1) * d->dim * sizeof(float));
        f->osv[c] = malloc((f->nvc[c] + 1) * k * sizeof(float));
        f->oiv[c] = malloc((f->nvc[c] + 1) * k * sizeof(int64_t));
        f->osc[c] = malloc((f->ncc[c] + 1) * k * sizeof(float));
        f->oic[c] = malloc((f->ncc[c] + 1) * k * sizeof(int64_t));
        if (!f->qv[c] || !f->qc[c] || !f->osv[c] || !f->oiv[c] || !f->osc[c] || !f->oic[c]) return -1;
        for (size_t q = 0; q < f->nvc[c]; q++)
            memcpy(f->qv[c] + q * d->dim, d->vn + f->vrows[c][q] * d->dim, d->dim * sizeof(float));
        for (size_t q = 0; q < f->ncc[c]; q++)
            memcpy(f->qc[c] + q * d->dim, d->cn + f->crows[c][q] * d->dim, d->dim * sizeof(float));
    }
    return 0;
}

/* Gather the per-class outputs back into row order (iv / ic). */
static void fz_collect(fzrun *f) {
    if (!f->elig) return;
    for (int c = 0; c < LMB_CLASSES; c++) {
        for (size_t q = 0; q < f->nvc[c]; q++)
            memcpy(f->iv + f->vrows[c][q] * f->k, f->oiv[c] + q * f->k, f->k * sizeof(int64_t));
        if (f->both)
            for (size_t q = 0; q < f->ncc[c]; q++)
                memcpy(f->ic + f->crows[c][q] * f->k, f->oic[c] + q * f->k, f->k * sizeof(int64_t));
    }
}

static void fz_free(fzrun *f) {
    free(f->sv);
    free(f->sc);
    free(f->iv);
    free(f->ic);
    for (int c = 0; c < LMB_CLASSES; c++) {
        free(f->vrows[c]);
        free(f->crows[c]);
        free(f->qv[c]);
        free(f->qc[c]);
        free(f->bmc[c]);
        free(f->bmv[c]);
        free(f->osv[c]);
        free(f->osc[c]);
        free(f->oiv[c]);
        free(f->oic[c]);
    }
    memset(f, 0, sizeof *f);
}

/* Row indices -> external ids (row + 1), in place. */
static void to_ids(int64_t *x, size_t n) {
    for (size_t i = 0; i < n; i++) x[i] = x[i] >= 0 ? x[i] + 1 : -1;
}

static void run_faiss(const char *name, const lmb_data *d, uint32_t k, int both, int elig, double sel, int threads,
                      const char *group, const lists *lv, const lists *lc) {
    char engine[64];
    snprintf(engine, sizeof engine, "faiss+openblas-%s", C.blas_tag);
    if (!lmb_faiss_available()) {
        row_error(name, engine, d, k, sel, threads, "missing", "built without FAISS (libfaiss-dev absent)");
        return;
    }
    fzrun f;
    if (fz_init(&f, d, k, both, elig)) {
        fz_free(&f);
        row_error(name, engine, d, k, sel, threads, "error", "out of memory");
        return;
    }
    lmb_faiss_threads(threads);
    say("%s / %s: %zu x %zu, d=%u, k=%u, %d thread(s)%s", name, engine, d->nc, d->nv, d->dim, k, threads,
        elig ? ", IDSelectorBitmap per class" : "");
    runner rn = {fz_run, NULL, &f};
    timing t;
    if (timeit(&t, &rn, C.reps, C.budget)) {
        row_error(name, engine, d, k, sel, threads, "error", "faiss::knn_inner_product failed");
        fz_free(&f);
        return;
    }
    fz_collect(&f);
    jrow j;
    row_head(&j, name, engine, d, k, sel, threads);
    if (group) j_str(&j, "group", group);
    row_timing(&j, &t, (double)d->nc * (double)d->nv);
    j_str(&j, "faiss_version", lmb_faiss_version());
    j_str(&j, "openblas_core", lmb_openblas_core());
    j_str(&j, "call", elig ? "knn_inner_product + IDSelectorBitmap (one bitmap per eligibility class)"
                           : "knn_inner_product");
    j_int(&j, "directions", both ? 2 : 1);
    if (lv && lv->ids) {
        to_ids(f.iv, d->nv * k);
        double rv = recall(lv, f.iv, k, lv->check), rc = NAN;
        if (both && lc && lc->ids) {
            to_ids(f.ic, d->nc * k);
            rc = recall(lc, f.ic, k, lc->check);
        }
        j_num(&j, "agreement_vacancy_lists", rv);
        j_num(&j, "agreement_candidate_lists", rc);
    }
    j_end(&j);
    say("  median %.4f s  (%.3g pairs/s, OpenBLAS core %s)", t.med, (double)d->nc * (double)d->nv / t.med,
        lmb_openblas_core());
    fz_free(&f);
}

/* ---- numpy (subprocess on the same data) ------------------------------------- */
static int write_file(const char *dir, const char *name, const void *p, size_t n) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(p, 1, n, f);
    return fclose(f) || w != n ? -1 : 0;
}

static int64_t *read_ids(const char *dir, const char *name, size_t n) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    int64_t *x = malloc((n + 1) * sizeof *x);
    if (x && fread(x, sizeof *x, n, f) != n) {
        free(x);
        x = NULL;
    }
    fclose(f);
    return x;
}

static void rm_tree(const char *dir) {
    static const char *const files[] = {"cand.f32", "vac.f32", "cclass.i32", "vclass.i32", "meta.txt", "check_vac.i64",
                                        "check_cand.i64"};
    char path[1024];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

static void run_numpy(const char *name, const lmb_data *d, uint32_t k, int elig, double sel, int threads,
                      const lists *lv, const lists *lc) {
    static const char *const tags[2] = {"skylakex", "default"};
    char dir[512];
    snprintf(dir, sizeof dir, "%s/lmbench-numpy-%d-%s", C.tmp, (int)getpid(), name);
    mkdir(dir, 0700);
    size_t check = 1000;
    char meta[512];
    int mn = snprintf(meta, sizeof meta, "nc %zu\nnv %zu\ndim %u\nk %u\nelig %d\nreps %d\nbudget %g\ncheck %zu\n",
                      d->nc, d->nv, d->dim, k, elig, C.reps, C.budget, check);
    if (write_file(dir, "cand.f32", d->cn, d->nc * d->dim * sizeof(float)) ||
        write_file(dir, "vac.f32", d->vn, d->nv * d->dim * sizeof(float)) ||
        write_file(dir, "cclass.i32", d->c_class, d->nc * sizeof(int32_t)) ||
        write_file(dir, "vclass.i32", d->v_class, d->nv * sizeof(int32_t)) || write_file(dir, "meta.txt", meta, (size_t)mn)) {
        for (int t = 0; t < 2; t++) {
            char engine[64];
            snprintf(engine, sizeof engine, "numpy+openblas-%s", tags[t]);
            row_error(name, engine, d, k, sel, threads, "error", "cannot write the data files for numpy");
        }
        rm_tree(dir);
        return;
    }
    for (int t = 0; t < 2; t++) {
        char engine[64];
        snprintf(engine, sizeof engine, "numpy+openblas-%s", tags[t]);
        say("%s / %s: %zu x %zu, d=%u, k=%u%s", name, engine, d->nc, d->nv, d->dim, k, elig ? ", masked" : "");
        int pfd[2];
        if (pipe(pfd)) {
            row_error(name, engine, d, k, sel, threads, "error", strerror(errno));
            continue;
        }
        pid_t pid = fork();
        if (pid == 0) {
            char th[16];
            snprintf(th, sizeof th, "%d", threads);
            if (t == 0) setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
            else unsetenv("OPENBLAS_CORETYPE");
            setenv("OPENBLAS_NUM_THREADS", th, 1);
            setenv("OMP_NUM_THREADS", th, 1);
            dup2(pfd[1], 1);
            close(pfd[0]);
            close(pfd[1]);
            execl(C.python, C.python, C.numpy_script, dir, (char *)NULL);
            fprintf(stderr, "lmbench: cannot run %s: %s\n", C.python, strerror(errno));
            _exit(127);
        }
        close(pfd[1]);
        char out[4096] = "";
        size_t got = 0;
        ssize_t r;
        while (got < sizeof out - 1 && (r = read(pfd[0], out + got, sizeof out - 1 - got)) > 0) got += (size_t)r;
        out[got] = 0;
        close(pfd[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        timing tm = {0, 0, 0, 0};
        char core[64] = "?", npver[32] = "?";
        const char *line = strstr(out, "LMB ");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !line ||
            sscanf(line, "LMB %lf %lf %lf %d %63s %31s", &tm.med, &tm.min, &tm.max, &tm.reps, core, npver) != 6) {
            char msg[600];
            snprintf(msg, sizeof msg, "peer_numpy.py failed (status %d): %.400s", status, out);
            row_error(name, engine, d, k, sel, threads, "error", msg);
            continue;
        }
        jrow j;
        row_head(&j, name, engine, d, k, sel, threads);
        row_timing(&j, &tm, (double)d->nc * (double)d->nv);
        j_str(&j, "openblas_core", core);
        j_str(&j, "numpy_version", npver);
        j_str(&j, "call", elig ? "matmul, ineligible set to -inf, argpartition, both ways"
                               : "matmul + argpartition, both ways");
        int64_t *cv = read_ids(dir, "check_vac.i64", (check < d->nv ? check : d->nv) * k);
        int64_t *cc = read_ids(dir, "check_cand.i64", (check < d->nc ? check : d->nc) * k);
        if (cv && lv && lv->ids) {
            to_ids(cv, (check < d->nv ? check : d->nv) * k);
            j_num(&j, "agreement_vacancy_lists", recall(lv, cv, k, lv->check));
        }
        if (cc && lc && lc->ids) {
            to_ids(cc, (check < d->nc ? check : d->nc) * k);
            j_num(&j, "agreement_candidate_lists", recall(lc, cc, k, lc->check));
        }
        free(cv);
        free(cc);
        j_end(&j);
        say("  median %.4f s  (OpenBLAS core %s)", tm.med, core);
    }
    rm_tree(dir);
}

/* ---- sizes -------------------------------------------------------------------- */
#define Q(q_, f_) (C.quick ? (q_) : (f_))

static int make_data(lmb_data *d, int kind, size_t nc, size_t nv, uint32_t dim, int32_t region, const char *name) {
    double t0 = lmb_now();
    /* LMB_SCALE (testing the harness itself): every size times this factor */
    const char *sc = getenv("LMB_SCALE");
    if (sc && atof(sc) > 0 && atof(sc) != 1.0) {
        double f = atof(sc);
        nc = (size_t)fmax(100.0, (double)nc * f);
        nv = (size_t)fmax(100.0, (double)nv * f);
    }
    if (lmb_data_make(d, &W, kind, nc, nv, dim, region, 42)) {
        lmb_data_free(d);
        say("%s: cannot generate data (%zu x %zu, d=%u): out of memory?", name, nc, nv, dim);
        return -1;
    }
    say("%s: data %s, %zu candidates x %zu vacancies, d=%u (%.1f s)", name, W.real ? "real" : "synthetic", nc, nv, dim,
        lmb_now() - t0);
    return 0;
}

/* One workload: libmatch rows (auto kernel at T threads, and any extra
 * variants), then the FAISS and numpy peers with agreement checks. */
typedef struct variant {
    const char *engine;
    int threads, kernel, quantize;
    int policy10; /* real data: 1.0's default policy (the peer of "within 15% of 1.0's speed") */
} variant;

static void workload(const char *name, const char *group, lmb_data *d, uint32_t k, double sel, const variant *vars,
                     int nvars, int faiss_threads, int faiss_both, int numpy) {
    lists lv = {0, 0, NULL}, lc = {0, 0, NULL};
    if (!C.faiss_only) {
        lm_pool *pool = NULL;
        lm_snapshot *snap = NULL;
        double load_s = 0;
        char err[512];
        if (build_pool(&pool, &snap, d, &load_s, err, sizeof err)) {
            for (int i = 0; i < nvars; i++)
                row_error(name, vars[i].engine, d, k, sel, vars[i].threads, "error", err);
        } else {
            double sampled = sample_selectivity(snap, d, 20000);
            for (int i = 0; i < (C.libmatch_only ? 1 : nvars); i++) {
                lmcase lcz = {name, d, k, k, sel, sampled, vars[i].threads, vars[i].kernel, vars[i].quantize,
                              vars[i].engine, group, i == 0, {0, 0, NULL}, {0, 0, NULL}, {0, 0, 0, 0}, 0, 0};
                lcz.policy10 = vars[i].policy10;
                if (!strcmp(vars[i].engine, "libmatch-int8") && lv.ids) {
                    lcz.keep = 1;
                }
                run_libmatch(&lcz, snap, load_s);
                if (i == 0) {
                    lv = lcz.lv;
                    lc = lcz.lc;
                } else if (lcz.keep) {
                    /* int8: recall@k against the float lists of this run */
                    double rv = recall(&lv, lcz.lv.ids, k, lv.check), rc = recall(&lc, lcz.lc.ids, k, lc.check);
                    jrow j;
                    j_begin(&j);
                    j_str(&j, "type", "recall");
                    j_str(&j, "name", name);
                    j_str(&j, "engine", vars[i].engine);
                    j_int(&j, "k", k);
                    j_num(&j, "recall_at_k_vacancy_lists", rv);
                    j_num(&j, "recall_at_k_candidate_lists", rc);
                    j_num(&j, "recall_at_k", 0.5 * (rv + rc));
                    j_end(&j);
                    lists_free(&lcz.lv);
                    lists_free(&lcz.lc);
                }
            }
            lm_snapshot_free(snap);
            lm_pool_free(pool);
        }
    }
    if (C.libmatch_only) { /* profiling: no peers */
        faiss_threads = 0;
        numpy = 0;
    }
    if (faiss_threads > 0) run_faiss(name, d, k, faiss_both, d->kind == LMB_ELIG, sel, faiss_threads, group, &lv, &lc);
    if (numpy && !C.faiss_only) run_numpy(name, d, k, d->kind == LMB_ELIG, sel, C.threads, &lv, &lc);
    lists_free(&lv);
    lists_free(&lc);
}

/* ---- cases -------------------------------------------------------------------- */
static void case_allpairs(void) {
    /* every pair scored: k = 1 both ways over fully feasible data; FAISS scores
     * each pair once too (k = 1, one direction) */
    lmb_data d;
    if (make_data(&d, LMB_OPEN, Q(20000, 100000), Q(2000, 10000), 64, 0, "allpairs")) return;
    variant v[] = {{"libmatch", C.threads, LM_KERNEL_AUTO, 0, 0}, {"libmatch-scalar", C.threads, LM_KERNEL_SCALAR, 0, 0}};
    workload("allpairs-fp32-d64", NULL, &d, 1, 1.0, v, 2, C.threads, 0, 0);
    lmb_data_free(&d);
}

static void case_curve(void) {
    /* the kernel curve: all pairs (k = 1) at several sizes and dimensions,
     * one thread (per-core figures) and T threads */
    const size_t nv = Q(500, 1000);
    const size_t sizes_q[] = {2000, 20000}, sizes_f[] = {1000, 10000, 100000};
    const size_t *sizes = C.quick ? sizes_q : sizes_f;
    int ns = C.quick ? 2 : 3;
    size_t big = sizes[ns - 1];
    struct point {
        size_t nc;
        uint32_t dim;
        const char *group;
    } pts[8];
    int np = 0;
    for (int i = 0; i < ns; i++) pts[np++] = (struct point){sizes[i], 64, "curve-size"};
    pts[np++] = (struct point){big, 32, "curve-dim"};
    pts[np++] = (struct point){big, 128, "curve-dim"};
    for (int p = 0; p < np; p++) {
        char name[96], nm1[112], nmt[112];
        snprintf(name, sizeof name, "curve-d%u-%zux%zu", pts[p].dim, pts[p].nc, nv);
        lmb_data d;
        if (make_data(&d, LMB_OPEN, pts[p].nc, nv, pts[p].dim, 0, name)) continue;
        snprintf(nm1, sizeof nm1, "%s-t1", name);
        snprintf(nmt, sizeof nmt, "%s-t%d", name, C.threads);
        variant v1[] = {{"libmatch", 1, LM_KERNEL_AUTO, 0, 0}, {"libmatch-scalar", 1, LM_KERNEL_SCALAR, 0, 0}};
        variant vt[] = {{"libmatch", C.threads, LM_KERNEL_AUTO, 0, 0}};
        const char *g = pts[p].group;
        /* the size curve also at 64 dims appears in the dim group */
        workload(nm1, g, &d, 1, 1.0, v1, 2, 1, 0, 0);
        if (C.threads != 1) workload(nmt, g, &d, 1, 1.0, vt, 1, C.threads, 0, 0);
        lmb_data_free(&d);
    }
}

static void case_topk(int elig) {
    const char *name = elig ? "topk50-elig10" : "topk50-unfiltered";
    lmb_data d;
    if (make_data(&d, elig ? LMB_ELIG : LMB_OPEN, Q(20000, 100000), Q(2000, 10000), 64, 0, name)) return;
    variant v[3] = {{"libmatch", C.threads, LM_KERNEL_AUTO, 0, 0}, {"libmatch-scalar", C.threads, LM_KERNEL_SCALAR, 0, 0},
                    {"libmatch-int8", C.threads, LM_KERNEL_AUTO, 1, 0}};
    int nv = 2;
#ifdef LMB_HAVE_QUANTIZE
    if (!elig) nv = 3;
#endif
    workload(name, NULL, &d, 50, elig ? 1.0 / LMB_CLASSES : 1.0, v, nv, C.threads, 1, 1);
    lmb_data_free(&d);
}

static void case_pg(void) {
    const char *name = "topk50-elig10-sql";
    lmb_data d;
    if (make_data(&d, LMB_ELIG, 10000, Q(40, 100), 64, 0, name)) return;
    const uint32_t k = 50;
    const double sel = 1.0 / LMB_CLASSES;
    /* libmatch on the same data: top-50 per vacancy (k per candidate 1) */
    lm_pool *pool = NULL;
    lm_snapshot *snap = NULL;
    double load_s = 0;
    char err[512];
    lists lv = {0, 0, NULL};
    if (build_pool(&pool, &snap, &d, &load_s, err, sizeof err)) {
        row_error(name, "libmatch", &d, k, sel, C.threads, "error", err);
    } else {
        lmcase lc = {name, &d, k, 1, sel, sample_selectivity(snap, &d, 20000), C.threads, LM_KERNEL_AUTO, 0,
                     "libmatch", NULL, 1, {0, 0, NULL}, {0, 0, NULL}, {0, 0, 0, 0}, 0, 0};
        run_libmatch(&lc, snap, load_s);
        lv = lc.lv;
        lists_free(&lc.lc);
        lm_snapshot_free(snap);
        lm_pool_free(pool);
    }
    if (C.no_pg) {
        row_error(name, "postgresql", &d, k, sel, 1, "missing", "PostgreSQL peer disabled (--no-pg)");
    } else {
        lmb_pg_result r;
        say("%s / postgresql: %zu x %zu, top-%u per vacancy in SQL", name, d.nc, d.nv, k);
        if (lmb_pg_run(&r, C.pg ? C.pg : "", &d, k, C.reps, C.budget)) {
            row_error(name, "postgresql", &d, k, sel, 1, "missing", r.error);
        } else {
            jrow j;
            timing t = {r.median_s, r.min_s, r.max_s, r.reps};
            double pairs = (double)d.nc * (double)d.nv;
            row_head(&j, name, "postgresql", &d, k, sel, 1);
            row_timing(&j, &t, pairs);
            j_num(&j, "us_per_pair", r.median_s / pairs * 1e6);
            j_str(&j, "server_version", r.version);
            j_str(&j, "call", "one SQL query: LATERAL top-k per vacancy, unnest dot product, filters in WHERE");
            j_int(&j, "directions", 1);
            if (lv.ids) j_num(&j, "agreement_vacancy_lists", recall(&lv, r.top, k, lv.check));
            j_end(&j);
            say("  median %.4f s  (%.3g us per pair)", r.median_s, r.median_s / pairs * 1e6);
        }
        lmb_pg_result_free(&r);
    }
    lists_free(&lv);
    lmb_data_free(&d);
}

static void case_region(void) {
    lmb_data d;
    if (make_data(&d, LMB_REAL, 10000, 10000, 64, LMB_REGION_NHN, "region")) return;
    /* the scalar peer only in a full run: it alone would take a third of the quick budget */
    variant v[] = {{"libmatch", C.threads, LM_KERNEL_AUTO, 0, 0},
                   {"libmatch-1.0-policy", C.threads, LM_KERNEL_AUTO, 0, 1},
                   {"libmatch-scalar", C.threads, LM_KERNEL_SCALAR, 0, 0}};
    workload("region", NULL, &d, 50, NAN, v, C.quick ? 2 : 3, 0, 0, 0);
    lmb_data_free(&d);
}

static void case_country(void) {
    /* its own process (see bench/run.py): peak RSS is this process's */
    lmb_data d;
    if (make_data(&d, LMB_REAL, 400000, 400000, 64, 0, "country")) return;
    free(d.cn);
    free(d.vn);
    d.cn = d.vn = NULL;
    lm_pool *pool = NULL;
    lm_snapshot *snap = NULL;
    double load_s = 0;
    char err[512];
    if (build_pool(&pool, &snap, &d, &load_s, err, sizeof err)) {
        row_error("country", "libmatch", &d, 50, NAN, C.threads, "error", err);
        lmb_data_free(&d);
        return;
    }
    double sampled = sample_selectivity(snap, &d, 20000);
    lmb_data hdr = d; /* sizes for the row; the columns go */
    lmb_data_free_columns(&d);
    long peak_load = lmb_peak_rss_kib();
    /* reset the high-water mark so the batch's own peak is seen too */
    FILE *cr = fopen("/proc/self/clear_refs", "w");
    if (cr) {
        fputs("5", cr);
        fclose(cr);
    }
    lmcase lc = {"country", &hdr, 50, 50, NAN, sampled, C.threads, LM_KERNEL_AUTO, 0, "libmatch", NULL, 0,
                 {0, 0, NULL}, {0, 0, NULL}, {0, 0, 0, 0}, 0, 0};
    int saved_reps = C.reps;
    C.reps = C.quick ? 1 : 3;
    /* the row is written by run_libmatch; peak memory follows as its own line */
    run_libmatch(&lc, snap, load_s);
    C.reps = saved_reps;
    long peak_batch = lmb_peak_rss_kib();
    jrow j;
    j_begin(&j);
    j_str(&j, "type", "memory");
    j_str(&j, "name", "country");
    j_str(&j, "engine", "libmatch");
    j_num(&j, "peak_rss_bytes", 1024.0 * (double)(peak_load > peak_batch ? peak_load : peak_batch));
    j_num(&j, "peak_rss_load_bytes", 1024.0 * (double)peak_load);
    j_num(&j, "peak_rss_batch_bytes", 1024.0 * (double)peak_batch);
    j_end(&j);
    lm_snapshot_free(snap);
    lm_pool_free(pool);
    lmb_data_free(&d);
}

static int cmp_d(const void *a, const void *b) { return lmb_cmp_double(a, b); }

static void case_latency(void) {
    /* account-manager query: one vacancy, top-20 over 1e5 candidates */
    const char *name = "query-vacancy-top20";
    const uint32_t k = 20;
    size_t nq = Q(300, 2000);
    lmb_data d;
    if (make_data(&d, LMB_REAL, 100000, Q(1000, 2000), 64, 0, name)) return;
    if (!C.faiss_only) {
        lm_pool *pool = NULL;
        lm_snapshot *snap = NULL;
        lm_engine *e = NULL;
        double load_s = 0;
        char err[512];
        if (build_pool(&pool, &snap, &d, &load_s, err, sizeof err) ||
            make_engine(&e, LMB_REAL, C.threads, LM_KERNEL_AUTO, 0, 0, err, sizeof err)) {
            row_error(name, "libmatch", &d, k, NAN, C.threads, "error", err);
        } else {
            lm_viewer v = viewer_for(&d);
            double sampled = sample_selectivity(snap, &d, 20000);
            double *t = malloc(nq * sizeof *t), thr = 0;
            int st = 0;
            say("%s / libmatch: %zu queries over %zu candidates", name, nq, d.nc);
            for (size_t q = 0; q < nq + 10 && !st; q++) { /* 10 warm-up queries */
                lm_results *r = NULL;
                double t0 = lmb_now();
                st = lm_engine_query_vacancy(&r, e, snap, &v, d.v_id[q % d.nv], k);
                double dt = lmb_now() - t0;
                if (!st && q >= 10) {
                    t[q - 10] = dt;
                    lm_results_stat(&thr, r, LM_STAT_THREADS);
                }
                lm_results_free(r);
            }
            if (st) {
                snprintf(err, sizeof err, "lm_engine_query_vacancy: %s: %s", lm_strerror(st), lm_engine_errmsg(e));
                row_error(name, "libmatch", &d, k, NAN, C.threads, "error", err);
            } else {
                qsort(t, nq, sizeof *t, cmp_d);
                double p50 = t[nq / 2], p99 = t[(size_t)ceil(0.99 * (double)nq) - 1];
                timing tm = {p50, t[0], t[nq - 1], (int)nq};
                jrow j;
                row_head(&j, name, "libmatch", &d, k, sampled, C.threads);
                row_timing(&j, &tm, (double)d.nc);
                j_num(&j, "p50_s", p50);
                j_num(&j, "p99_s", p99);
                j_int(&j, "queries", (long long)nq);
                j_num(&j, "threads_reported", thr);
                j_num(&j, "selectivity_sampled", sampled);
                j_num(&j, "load_s", load_s);
                j_str(&j, "call", "lm_engine_query_vacancy, filters on");
                j_end(&j);
                say("  p50 %.3f ms, p99 %.3f ms", p50 * 1e3, p99 * 1e3);
            }
            free(t);
        }
        lm_engine_free(e);
        lm_snapshot_free(snap);
        lm_pool_free(pool);
    }
    /* FAISS reference: the same single-query shape, unfiltered (FAISS has no
     * travel or eligibility rules), one thread */
    char engine[64];
    snprintf(engine, sizeof engine, "faiss+openblas-%s", C.blas_tag);
    if (!lmb_faiss_available()) {
        row_error(name, engine, &d, k, NAN, 1, "missing", "built without FAISS");
    } else {
        lmb_faiss_threads(1);
        double *t = malloc(nq * sizeof *t);
        float sc[64];
        int64_t id[64];
        for (size_t q = 0; q < nq + 10; q++) {
            double t0 = lmb_now();
            lmb_faiss_knn(d.vn + (q % d.nv) * d.dim, 1, d.cn, d.nc, d.dim, k, sc, id);
            if (q >= 10) t[q - 10] = lmb_now() - t0;
        }
        qsort(t, nq, sizeof *t, cmp_d);
        double p50 = t[nq / 2], p99 = t[(size_t)ceil(0.99 * (double)nq) - 1];
        timing tm = {p50, t[0], t[nq - 1], (int)nq};
        jrow j;
        row_head(&j, name, engine, &d, k, 1.0, 1);
        row_timing(&j, &tm, (double)d.nc);
        j_num(&j, "p50_s", p50);
        j_num(&j, "p99_s", p99);
        j_int(&j, "queries", (long long)nq);
        j_str(&j, "call", "knn_inner_product, one query, unfiltered (reference only)");
        j_end(&j);
        free(t);
    }
    lmb_data_free(&d);
}

/* ---- main ----------------------------------------------------------------------- */
static void usage(void) {
    fprintf(stderr,
            "usage: lmbench calibrate [--threads N] [--seconds S]\n"
            "       lmbench run [--mode quick|full] [--only CASE,...] [--faiss-only | --libmatch-only] [--blas-tag TAG]\n"
            "                   [--data DIR] [--threads N] [--pg CONNINFO | --no-pg]\n"
            "                   [--python PATH] [--numpy-script PATH] [--tmp DIR] [--out FILE]\n"
            "       lmbench list\n"
            "cases: allpairs curve topk-unfiltered topk-elig10 sql region latency country\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage();
        return 2;
    }
    const char *cmd = argv[1], *out = NULL;
    double seconds = 2.0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(s) (!strcmp(a, s) && v && (i++, 1))
        if (ARG("--mode")) C.quick = strcmp(v, "full") != 0;
        else if (ARG("--only")) C.only = v;
        else if (!strcmp(a, "--faiss-only")) C.faiss_only = 1;
        else if (!strcmp(a, "--libmatch-only")) C.libmatch_only = 1;
        else if (ARG("--blas-tag")) C.blas_tag = v;
        else if (ARG("--data")) C.data_dir = v;
        else if (ARG("--threads")) C.threads = atoi(v);
        else if (ARG("--pg")) C.pg = v;
        else if (!strcmp(a, "--no-pg")) C.no_pg = 1;
        else if (ARG("--python")) C.python = v;
        else if (ARG("--numpy-script")) C.numpy_script = v;
        else if (ARG("--tmp")) C.tmp = v;
        else if (ARG("--out")) out = v;
        else if (ARG("--seconds")) seconds = atof(v);
        else {
            usage();
            return 2;
        }
#undef ARG
    }
    if (C.threads < 1) C.threads = 1;
    T0 = lmb_now();
    OUT = stdout;
    if (out && !(OUT = fopen(out, "a"))) {
        fprintf(stderr, "lmbench: cannot open %s: %s\n", out, strerror(errno));
        return 1;
    }
    if (!strcmp(cmd, "list")) {
        puts("allpairs\ncurve\ntopk-unfiltered\ntopk-elig10\nsql\nregion\nlatency\ncountry");
        return 0;
    }
    if (!strcmp(cmd, "calibrate")) {
        lmb_calib c;
        lmb_calibrate(&c, C.threads, seconds);
        jrow j;
        j_begin(&j);
        j_str(&j, "type", "calibration");
        j_str(&j, "isa", c.isa);
        j_int(&j, "threads", c.nthreads);
        j_num(&j, "fma_peak_gflops", c.gflops_nt);
        j_num(&j, "fma_peak_gflops_1t", c.gflops_1t);
        j_num(&j, "avx512_gflops_1t", c.avx512_1t);
        j_num(&j, "avx512_gflops", c.avx512_nt);
        j_num(&j, "avx2_gflops_1t", c.avx2_1t);
        j_num(&j, "avx2_gflops", c.avx2_nt);
        j_num(&j, "wall_clock_gflops", c.wall_nt);
        j_str(&j, "method", "per-thread CPU time, best of 5 trials");
        j_end(&j);
        return 0;
    }
    if (strcmp(cmd, "run")) {
        usage();
        return 2;
    }
    C.reps = C.quick ? 3 : 5;
    C.budget = C.quick ? 6.0 : 60.0;
    if (getenv("LMB_REPS") && atoi(getenv("LMB_REPS")) > 0) { /* profiling: more runs of each case */
        C.reps = atoi(getenv("LMB_REPS"));
        C.budget = 1e9;
    }
    static char tag[64];
    if (!C.blas_tag) { /* label FAISS rows by the core type OpenBLAS actually uses */
        snprintf(tag, sizeof tag, "%s", lmb_openblas_core());
        for (char *p = tag; *p; p++) *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        C.blas_tag = tag;
    }
    lmb_world_load(&W, C.data_dir);
    {
        jrow j;
        j_begin(&j);
        j_str(&j, "type", "meta");
        j_str(&j, "data", W.real ? "real" : "synthetic");
        j_str(&j, "data_source", W.source);
        j_int(&j, "zones", (long long)W.nz);
        j_int(&j, "occupations", (long long)W.nocc);
        j_str(&j, "libmatch_version", lm_version_string());
        j_str(&j, "faiss_version", lmb_faiss_version());
        j_str(&j, "openblas_core", lmb_openblas_core());
        j_str(&j, "openblas_config", lmb_openblas_config());
        j_str(&j, "blas_tag", C.blas_tag);
        j_int(&j, "faiss_only", C.faiss_only);
        if (getenv("LMB_SCALE") && atof(getenv("LMB_SCALE")) > 0 && atof(getenv("LMB_SCALE")) != 1.0)
            j_str(&j, "scale", getenv("LMB_SCALE"));
        static const char *const envs[] = {"OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OPENBLAS_L2_SIZE",
                                           "OMP_NUM_THREADS", "OMP_WAIT_POLICY"};
        for (size_t i = 0; i < sizeof envs / sizeof *envs; i++) {
            char key[64];
            snprintf(key, sizeof key, "env_%s", envs[i]);
            if (getenv(envs[i])) j_str(&j, key, getenv(envs[i]));
        }
#ifdef LMB_HAVE_QUANTIZE
        j_int(&j, "int8_option", 1);
#else
        j_int(&j, "int8_option", 0);
#endif
        j_end(&j);
    }
    say("data: %s (%zu zones, %zu occupations); OpenBLAS core %s", W.real ? W.source : "synthetic", W.nz, W.nocc,
        lmb_openblas_core());
    if (C.faiss_only) {
        /* the second OpenBLAS row: FAISS only, on the same data */
        if (want("allpairs")) case_allpairs();
        if (want("topk-unfiltered")) case_topk(0);
        if (want("topk-elig10")) case_topk(1);
    } else {
        if (want("allpairs")) case_allpairs();
        if (want("curve")) case_curve();
        if (want("topk-unfiltered")) case_topk(0);
        if (want("topk-elig10")) case_topk(1);
        if (want("sql")) case_pg();
        if (want("region")) case_region();
        if (want("latency")) case_latency();
        if (want("country")) case_country();
    }
    lmb_world_free(&W);
    if (OUT != stdout) fclose(OUT);
    return 0;
}
