/* Allocation-failure walk (tests/hardening/run-faults.sh, docs/hardening.md).
 *
 * Linked with the library built with -DLM_FAULT_INJECTION (mem.c then fails
 * the Nth allocation when lm__fault_countdown is N) and ASan/LSan. For every
 * operation below:
 *   1. a reference run counts its allocations R and records the call site of
 *      each (malloc & co. are wrapped with ld --wrap; the frame above
 *      lm__malloc & co. is the site) and the state after it;
 *   2. for N = 1..R, on a fresh identical setup, allocation N fails: the call
 *      must return LM_ERR_NOMEM (or succeed having absorbed the failure), set
 *      *out to NULL, leave a message, and leave the pool / travel model
 *      exactly as before (snapshot version, ids of both sides, explanations of
 *      fixed pairs, a query's rows, travel minutes on a grid); the same call
 *      repeated without injection must then succeed with the reference
 *      result (so a failure corrupts nothing, e.g. the free-slot stack);
 *   3. LSan checks for leaks after each operation's walk.
 * It also reports any library allocation that bypasses the lm__ wrappers
 * (such an allocation could not be failed by this walk).
 * Prints per operation the allocations walked and the distinct call sites,
 * and the totals (FAULTS_ONLY=SUBSTRING walks only the operations so named); appends "faults PASSED FAILED" to $LM_TEST_LOGS/totals. */
#include "hard_util.h"

#include <execinfo.h>
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/lsan_interface.h>
#include <unistd.h>

#include "internal.h"
#include "pgcopy.h"

extern _Atomic long lm__fault_countdown;
extern _Atomic long lm__alloc_count;

/* ---- allocation tracing (ld --wrap) -------------------------------------------------- */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t s);
void *__real_realloc(void *p, size_t n);
int __real_posix_memalign(void **p, size_t a, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t s);
void *__wrap_realloc(void *p, size_t n);
int __wrap_posix_memalign(void **p, size_t a, size_t n);

#define MAXTRACE 200000
#define NFRAMES 8
static atomic_int tracing;
static _Thread_local int in_note;
static void *trace_pc[MAXTRACE][NFRAMES];
static atomic_long ntrace;

static void note(void) {
    if (!atomic_load(&tracing) || in_note) return;
    in_note = 1;
    long i = atomic_fetch_add(&ntrace, 1);
    if (i < MAXTRACE) {
        int n = backtrace(trace_pc[i], NFRAMES);
        for (int k = n; k < NFRAMES; k++) trace_pc[i][k] = NULL;
    }
    in_note = 0;
}
void *__wrap_malloc(size_t n) { note(); return __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t s) { note(); return __real_calloc(n, s); }
void *__wrap_realloc(void *p, size_t n) { note(); return __real_realloc(p, n); }
int __wrap_posix_memalign(void **p, size_t a, size_t n) { note(); return __real_posix_memalign(p, a, n); }

/* "function file:line" of a return address, cached. */
#define SYMCACHE 4096
static struct { void *pc; char s[160]; } symcache[SYMCACHE];
static int nsym;
static void symbolize(void *pc, char *out, size_t cap) {
    for (int i = 0; i < nsym; i++)
        if (symcache[i].pc == pc) {
            snprintf(out, cap, "%s", symcache[i].s);
            return;
        }
    out[0] = 0;
    if (pc) __sanitizer_symbolize_pc((char *)pc - 1, "%f %s:%l", out, cap);
    if (!out[0]) snprintf(out, cap, "%p", pc);
    /* keep the path from libmatch/ on */
    char *p = strstr(out, "libmatch/src/");
    char *sp = strchr(out, ' ');
    if (p && sp && p > sp) memmove(sp + 1, p, strlen(p) + 1);
    if (nsym < SYMCACHE) {
        symcache[nsym].pc = pc;
        snprintf(symcache[nsym++].s, sizeof symcache[0].s, "%s", out);
    }
}

static int is_wrapper(const char *sym) {
    return strncmp(sym, "lm__malloc ", 11) == 0 || strncmp(sym, "lm__calloc ", 11) == 0 ||
           strncmp(sym, "lm__realloc ", 12) == 0 || strncmp(sym, "lm__aligned_alloc ", 18) == 0;
}

/* Distinct sites over the whole run. */
#define MAXSITES 1024
static char sites[MAXSITES][160];
static int nsites;
static char bypass[64][160];
static int nbypass;

static int site_index(const char *s) {
    for (int i = 0; i < nsites; i++)
        if (strcmp(sites[i], s) == 0) return i;
    if (nsites < MAXSITES) snprintf(sites[nsites++], sizeof sites[0], "%s", s);
    return nsites - 1;
}

/* Classify the trace: sites of lm__ allocations (returns how many), and
 * library allocations that bypass the wrappers. Marks the op's sites. */
static long classify(uint8_t *op_sites) {
    long n = atomic_load(&ntrace), routed = 0;
    if (n > MAXTRACE) n = MAXTRACE;
    char a[160], b[160];
    for (long i = 0; i < n; i++) {
        /* frames: [backtrace interceptor,] note, __wrap_X, then who called malloc */
        int k = 0;
        for (; k < NFRAMES; k++) {
            symbolize(trace_pc[i][k], a, sizeof a);
            if (strncmp(a, "__wrap_", 7) == 0) break;
        }
        if (k + 1 >= NFRAMES) continue;
        symbolize(trace_pc[i][k + 1], a, sizeof a);
        if (is_wrapper(a)) {
            symbolize(k + 2 < NFRAMES ? trace_pc[i][k + 2] : NULL, b, sizeof b);
            op_sites[site_index(b)] = 1;
            routed++;
        } else if (strstr(a, "libmatch/src/")) {
            int seen = 0;
            for (int q = 0; q < nbypass; q++) seen |= strcmp(bypass[q], a) == 0;
            if (!seen && nbypass < 64) snprintf(bypass[nbypass++], sizeof bypass[0], "%s", a);
        }
    }
    return routed;
}

/* ---- fingerprints ------------------------------------------------------------------- */
typedef struct fp {
    unsigned char *p;
    size_t n, cap;
} fp;
static void fp_put(fp *f, const void *p, size_t n) {
    if (f->n + n > f->cap) {
        f->cap = (f->n + n) * 2 + 256;
        f->p = realloc(f->p, f->cap);
    }
    memcpy(f->p + f->n, p, n);
    f->n += n;
}
#define FP_VAL(f, v) do { __typeof__(v) v_ = (v); fp_put((f), &v_, sizeof v_); } while (0)
static void fp_match(fp *f, const lm_match *m) { /* field by field: no padding */
    FP_VAL(f, m->vacancy_id); FP_VAL(f, m->candidate_id); FP_VAL(f, m->rank); FP_VAL(f, m->constraint);
    FP_VAL(f, m->score); FP_VAL(f, m->competence); FP_VAL(f, m->travel); FP_VAL(f, m->hours);
    FP_VAL(f, m->readiness); FP_VAL(f, m->priority); FP_VAL(f, m->travel_minutes); FP_VAL(f, m->travel_mode);
    FP_VAL(f, m->candidate_municipality); FP_VAL(f, m->vacancy_municipality);
}
static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}
static void fp_results(fp *f, const lm_results *r) {
    for (int dir = 0; dir < 2; dir++) {
        size_t n = 0, nl = 0;
        lm_results_count(&n, r, dir);
        lm_results_lists(&nl, r, dir);
        FP_VAL(f, n);
        FP_VAL(f, nl);
        for (size_t i = 0; i < n; i++) {
            lm_match m;
            lm_results_copy(&m, sizeof m, 1, NULL, r, dir, i);
            fp_match(f, &m);
        }
    }
}

/* ---- the operations ------------------------------------------------------------------- */
static hu_data D, D2, MIX;
static char text_path[256], bin_path[256], save_path[256];
static uint8_t *copy_buf;
static size_t copy_len;

typedef struct ctx {
    lm_pool *pool;
    lm_engine *eng;
    lm_snapshot *snap;
    lm_results *res;
    lm_travel *travel;
    /* outputs of the call under test */
    lm_pool *o_pool;
    lm_engine *o_eng;
    lm_policy *o_pol;
    lm_travel *o_travel;
    lm_snapshot *o_snap;
    lm_results *o_res;
    lm_assignment *o_asg;
    lm_pgc_cands o_cands;
    int have_cands;
    lm_match o_match;
    lm_effects *o_fx;
} ctx;

static lm_viewer viewer(void) {
    lm_viewer v = LM_VIEWER_INIT;
    v.org = 1;
    v.municipality = 2;
    v.region = 1;
    return v;
}

static void build_pool(ctx *c) {
    HU_CHECK(lm_pool_create(&c->pool, D.dim) == LM_OK, "pool");
    lm_candidate_cols cc = hu_ccols(&D, 0);
    lm_vacancy_cols vc = hu_vcols(&D, 0);
    HU_CHECK(lm_pool_add_candidates(c->pool, &cc, D.nc) == LM_OK, "add: %s", lm_pool_errmsg(c->pool));
    HU_CHECK(lm_pool_add_vacancies(c->pool, &vc, D.nv) == LM_OK, "add: %s", lm_pool_errmsg(c->pool));
    /* a removal, so later adds reuse free slots */
    HU_CHECK(lm_pool_remove_candidates(c->pool, D.c_id + 100, 5) == LM_OK, "remove");
}

static void setup_pool(ctx *c) {
    build_pool(c);
    HU_CHECK(lm_engine_create(&c->eng, NULL, NULL) == LM_OK, "engine");
}
static void setup_snap(ctx *c) {
    setup_pool(c);
    HU_CHECK(lm_pool_snapshot(&c->snap, c->pool) == LM_OK, "snapshot");
}
static void setup_batch(ctx *c) {
    setup_snap(c);
    lm_viewer v = viewer();
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    HU_CHECK(lm_engine_batch(&c->res, c->eng, c->snap, &v, &o) == LM_OK, "batch");
}
static void setup_travel(ctx *c) {
    HU_CHECK(lm_travel_create(&c->travel) == LM_OK, "travel");
    int32_t z[3] = {1000, 1001, 1002};
    uint8_t m[9] = {0, 5, 9, 5, 0, 7, 9, 7, 0};
    HU_CHECK(lm_travel_set_matrix(c->travel, LM_MODE_BIKE, z, 3, m) == LM_OK, "matrix");
}
static void setup_none(ctx *c) { (void)c; }

static void teardown(ctx *c) {
    lm_results_free(c->o_res);
    lm_assignment_free(c->o_asg);
    lm_snapshot_free(c->o_snap);
    lm_pool_free(c->o_pool);
    lm_engine_free(c->o_eng);
    lm_policy_free(c->o_pol);
    lm_travel_free(c->o_travel);
    lm_effects_free(c->o_fx);
    if (c->have_cands) lm__pgc_cands_free(&c->o_cands);
    lm_results_free(c->res);
    lm_snapshot_free(c->snap);
    lm_engine_free(c->eng);
    lm_pool_free(c->pool);
    lm_travel_free(c->travel);
    memset(c, 0, sizeof *c);
}

/* State fingerprints (taken with injection off). */
static void fp_pool(ctx *c, fp *f) {
    lm_snapshot *s = NULL;
    HU_CHECK(lm_pool_snapshot(&s, c->pool) == LM_OK, "fingerprint snapshot");
    FP_VAL(f, lm_snapshot_version(s));
    static int64_t ids[4096];
    for (int side = 0; side < 2; side++) {
        size_t n = 0;
        HU_CHECK(lm_snapshot_ids(ids, 4096, &n, s, side) == LM_OK, "ids");
        qsort(ids, n, sizeof ids[0], cmp_i64);
        FP_VAL(f, n);
        fp_put(f, ids, n * sizeof ids[0]);
    }
    lm_viewer v = viewer();
    lm_engine *e = NULL;
    lm_engine_create(&e, NULL, NULL);
    for (int i = 0; i < 3; i++) {
        lm_match m;
        int st = lm_engine_explain(&m, sizeof m, e, s, &v, D.v_id[i], D.c_id[250 + i]);
        FP_VAL(f, st);
        if (st == LM_OK) fp_match(f, &m);
    }
    lm_results *r = NULL;
    int st = lm_engine_query_vacancy(&r, e, s, &v, D.v_id[1], 5);
    FP_VAL(f, st);
    if (r) fp_results(f, r);
    lm_results_free(r);
    lm_engine_free(e);
    lm_snapshot_free(s);
}
static void fp_counts(ctx *c, fp *f) { /* without taking a snapshot */
    size_t a = 0, b = 0;
    lm_pool_count(&a, c->pool, LM_SIDE_CANDIDATE);
    lm_pool_count(&b, c->pool, LM_SIDE_VACANCY);
    FP_VAL(f, a);
    FP_VAL(f, b);
}
static void fp_travel(ctx *c, fp *f) {
    const lm_travel *t = c->o_travel ? c->o_travel : c->travel;
    for (int mode = 0; mode < LM_MODE_COUNT; mode++)
        for (int32_t a = 999; a <= 1003; a++)
            for (int32_t b = 999; b <= 1003; b++) {
                double m = -1;
                lm_travel_minutes(&m, t, mode, a, 52.3, 4.8, b, 52.35, 4.9);
                FP_VAL(f, m);
            }
}
/* The travel model plus whether it is still writable (attached = frozen). */
static void fp_travel_frozen(ctx *c, fp *f) {
    fp_travel(c, f);
    double v = 0;
    lm_travel_get_param(&v, c->travel, LM_MODE_WALK, LM_TRAVEL_SPEED_KMH);
    FP_VAL(f, lm_travel_set_param(c->travel, LM_MODE_WALK, LM_TRAVEL_SPEED_KMH, v));
}
static void fp_out_results(ctx *c, fp *f) {
    if (c->o_res) fp_results(f, c->o_res);
    if (c->snap) FP_VAL(f, lm_snapshot_version(c->snap));
}
static void fp_out_asg(ctx *c, fp *f) {
    size_t n = 0;
    if (!c->o_asg) return;
    lm_assignment_count(&n, c->o_asg);
    FP_VAL(f, n);
    double obj = 0;
    lm_assignment_stat(&obj, c->o_asg, LM_ASTAT_OBJECTIVE_SCALED);
    FP_VAL(f, obj);
    for (size_t i = 0; i < n; i++) {
        lm_match m;
        lm_assignment_copy(&m, sizeof m, 1, NULL, c->o_asg, i);
        fp_match(f, &m);
    }
}
static void fp_out_match(ctx *c, fp *f) { fp_match(f, &c->o_match); }
static void fp_out_cands(ctx *c, fp *f) {
    FP_VAL(f, c->o_cands.n);
    fp_put(f, c->o_cands.id, c->o_cands.n * sizeof(int64_t));
    fp_put(f, c->o_cands.vectors, c->o_cands.n * c->o_cands.dim * sizeof(float));
}
static void fp_none(ctx *c, fp *f) { (void)c; (void)f; }

/* The calls under test. */
static int run_pool_create(ctx *c) { return lm_pool_create(&c->o_pool, 8); }
static int run_add_c(ctx *c) { lm_candidate_cols x = hu_ccols(&D2, 0); return lm_pool_add_candidates(c->pool, &x, 260); }
static int run_add_v(ctx *c) { lm_vacancy_cols x = hu_vcols(&D2, 0); return lm_pool_add_vacancies(c->pool, &x, 12); }
static int run_up_c(ctx *c) { lm_candidate_cols x = hu_ccols(&MIX, 0); return lm_pool_upsert_candidates(c->pool, &x, MIX.nc); }
static int run_up_v(ctx *c) { lm_vacancy_cols x = hu_vcols(&MIX, 0); return lm_pool_upsert_vacancies(c->pool, &x, MIX.nv); }
static int run_rm_c(ctx *c) {
    int64_t ids[45];
    for (int i = 0; i < 40; i++) ids[i] = D.c_id[i];
    for (int i = 0; i < 5; i++) ids[40 + i] = D.c_id[260 + i];
    return lm_pool_remove_candidates(c->pool, ids, 45);
}
static int run_rm_v(ctx *c) { return lm_pool_remove_vacancies(c->pool, D.v_id, 5); }
static int run_sync(ctx *c) {
    lm_candidate_cols x = hu_ccols(&MIX, 0);
    lm_vacancy_cols y = hu_vcols(&MIX, 0);
    int64_t cdel[6] = {D.c_id[200], D.c_id[201], D.c_id[202], D.c_id[203], 4242424242LL, D.c_id[299]};
    int64_t vdel[2] = {D.v_id[20], D.v_id[21]};
    lm_pool_change ch = {&x, MIX.nc, cdel, 6, &y, MIX.nv, vdel, 2};
    return lm__pool_sync(c->pool, &ch);
}
static int run_snapshot(ctx *c) { return lm_pool_snapshot(&c->o_snap, c->pool); }
static int run_query_v(ctx *c) {
    lm_viewer v = viewer();
    return lm_engine_query_vacancy(&c->o_res, c->eng, c->snap, &v, D.v_id[3], 10);
}
static int run_query_c(ctx *c) {
    lm_viewer v = viewer();
    v.org = D.c_org[7];
    return lm_engine_query_candidate(&c->o_res, c->eng, c->snap, &v, D.c_id[7], 10);
}
static int run_batch(ctx *c, int threads) {
    lm_engine_set_i64(c->eng, LM_ENGINE_THREADS, threads);
    lm_viewer v = viewer();
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.k_candidates = 8;
    o.k_vacancies = 4;
    return lm_engine_batch(&c->o_res, c->eng, c->snap, &v, &o);
}
static int run_set_centre(ctx *c) { return lm_pool_set_centre(c->pool, NULL, D.dim); }
static void setup_snap_generic(ctx *c) { /* a model that is not a dot product: the generic batch */
    setup_snap(c);
    lm_policy *pol = NULL;
    HU_CHECK(lm_policy_create(&pol) == LM_OK, "policy");
    HU_CHECK(lm_policy_set_f64(pol, LM_POLICY_COMPETENCE_MODEL, LM_COMPETENCE_SYMMETRIC) == LM_OK, "model");
    HU_CHECK(lm_engine_set_policy(c->eng, pol) == LM_OK, "set policy");
    lm_policy_free(pol);
}
static int run_batch1(ctx *c) { return run_batch(c, 1); }
static int run_batch2(ctx *c) { return run_batch(c, 2); }
static int run_explain(ctx *c) {
    lm_viewer v = viewer();
    return lm_engine_explain(&c->o_match, sizeof c->o_match, c->eng, c->snap, &v, D.v_id[2], D.c_id[40]);
}
static int run_copy(ctx *c) {
    lm_match m[8];
    size_t n = 0;
    int st = lm_results_copy(m, sizeof m[0], 8, &n, c->res, LM_DIR_CANDIDATE, 0);
    if (st == LM_OK && n) c->o_match = m[n - 1];
    return st;
}
static int run_assign(ctx *c) {
    lm_assign_options o = LM_ASSIGN_OPTIONS_INIT;
    o.max_per_candidate = 2;
    return lm_engine_assign(&c->o_asg, c->eng, c->res, &o);
}
static int run_assign_fair(ctx *c) {
    lm_assign_options o = LM_ASSIGN_OPTIONS_INIT;
    o.max_per_employer = 1;
    o.fairness_floor = 0.5;
    o.priority_weight = 0.3;
    return lm_engine_assign(&c->o_asg, c->eng, c->res, &o);
}
static int run_assign_graph(ctx *c) {
    enum { NP = 40, NVG = 15, NE = 200 };
    static int32_t cap[NVG], grp[NP];
    static uint32_t ep[NE], ev[NE];
    static float es[NE];
    for (int i = 0; i < NVG; i++) cap[i] = 1 + i % 3;
    for (int i = 0; i < NP; i++) grp[i] = i % 4;
    for (int e = 0; e < NE; e++) {
        ep[e] = (uint32_t)(e % NP);
        ev[e] = (uint32_t)((e / NP * 7 + e) % NVG);
        es[e] = (float)((e * 37) % 100) / 100.f;
    }
    lm_assign_graph g = LM_ASSIGN_GRAPH_INIT;
    g.n_people = NP;
    g.n_vacancies = NVG;
    g.capacity = cap;
    g.person_group = grp;
    g.n_edges = NE;
    g.edge_person = ep;
    g.edge_vacancy = ev;
    g.edge_score = es;
    lm_assign_options o = LM_ASSIGN_OPTIONS_INIT;
    o.fairness_floor = 0.3;
    return lm_engine_assign_graph(&c->o_asg, c->eng, &g, &o);
}
static int run_engine_create(ctx *c) { return lm_engine_create(&c->o_eng, NULL, NULL); }
static int run_engine_create_t(ctx *c) { return lm_engine_create(&c->o_eng, NULL, c->travel); }
static int run_policy_create(ctx *c) { return lm_policy_create(&c->o_pol); }
static int run_travel_create(ctx *c) { return lm_travel_create(&c->o_travel); }
static int run_set_matrix(ctx *c) {
    int32_t z[30];
    uint8_t m[900];
    for (int i = 0; i < 30; i++) z[i] = 1000 + i * 3 % 31;
    for (int i = 0; i < 900; i++) m[i] = (uint8_t)(i % 200);
    return lm_travel_set_matrix(c->travel, LM_MODE_PT, z, 30, m);
}
static int run_load_text(ctx *c) { return lm_travel_load_file(c->travel, text_path); }
static int run_load_bin(ctx *c) { return lm_travel_load_file(c->travel, bin_path); }
static int run_save(ctx *c) {
    unlink(save_path);
    return lm_travel_save_file(c->travel, save_path);
}
static int run_pgcopy(ctx *c) {
    if (c->have_cands) lm__pgc_cands_free(&c->o_cands); /* a failed decode leaves what it decoded */
    lm__pgc_cands_init(&c->o_cands, D.dim);
    c->have_cands = 1;
    lm_err e;
    return lm__pgc_decode_cands(&c->o_cands, copy_buf, copy_len, &e);
}

/* Effect figures of a small history: every dim has rows. */
static int run_effects(ctx *c) {
    enum { NPER = 30, NREC = 90 };
    static lm_outcome_person p[NPER];
    static lm_outcome_record r[NREC];
    for (int i = 0; i < NPER; i++) {
        lm_outcome_person x = LM_OUTCOME_PERSON_INIT;
        x.candidate_id = 1000 - i;
        x.org = i % 3;
        x.groups = (uint32_t)(i % 7);
        x.readiness = (uint8_t)(1 + i % 5);
        x.municipality = 361 + i % 4;
        p[i] = x;
    }
    for (int j = 0; j < NREC; j++) {
        lm_outcome_record x = LM_OUTCOME_RECORD_INIT;
        x.proposal_id = j;
        x.candidate_id = 1000 - (j * 7) % NPER;
        x.work_municipality = 361 + j % 5;
        x.vacancy_kind = (uint8_t)(j % LM_KIND_COUNT);
        x.proposed_day = j % 40;
        if (j % 2) x.introduced_day = x.proposed_day + 3;
        if (j % 3 == 0) x.placed_day = x.proposed_day + j % 11, x.lks = (uint8_t)(j % 2);
        if (j % 6 == 0) x.end_day = x.placed_day + 100 + j;
        r[j] = x;
    }
    return lm_effects_compute(&c->o_fx, p, NPER, r, NREC, 0, 35, 500, 2);
}
static void fp_out_fx(ctx *c, fp *f) {
    for (size_t i = 0; i < lm_effects_count(c->o_fx); i++) {
        const lm_effect_row *row = lm_effects_row(c->o_fx, i);
        FP_VAL(f, row->dim); FP_VAL(f, row->key); FP_VAL(f, row->suppressed);
        fp_put(f, row->value, sizeof row->value);
    }
}

/* Message of the object a failing call reports on. */
static const char *msg_pool(ctx *c) { return lm_pool_errmsg(c->pool); }
static const char *msg_eng(ctx *c) { return lm_engine_errmsg(c->eng); }
static const char *msg_travel(ctx *c) { return lm_travel_errmsg(c->travel); }

/* Output that must be NULL after a failure. */
static int outs_null(ctx *c) {
    return !c->o_pool && !c->o_eng && !c->o_pol && !c->o_travel && !c->o_snap && !c->o_res && !c->o_asg &&
           !c->o_fx;
}

typedef struct op {
    const char *name;
    void (*setup)(ctx *);
    int (*run)(ctx *);
    void (*state)(ctx *, fp *);  /* what must not change on failure */
    void (*result)(ctx *, fp *); /* what a successful call produced */
    const char *(*msg)(ctx *);   /* NULL: no handle to carry a message */
    int threaded;                /* allocation order may vary between runs */
} op;

static const op OPS[] = {
    {"pool_create", setup_none, run_pool_create, fp_none, fp_none, NULL, 0},
    {"pool_add_candidates", setup_pool, run_add_c, fp_pool, fp_pool, msg_pool, 0},
    {"pool_add_vacancies", setup_pool, run_add_v, fp_pool, fp_pool, msg_pool, 0},
    {"pool_upsert_candidates", setup_pool, run_up_c, fp_pool, fp_pool, msg_pool, 0},
    {"pool_upsert_vacancies", setup_pool, run_up_v, fp_pool, fp_pool, msg_pool, 0},
    {"pool_remove_candidates", setup_pool, run_rm_c, fp_pool, fp_pool, msg_pool, 0},
    {"pool_remove_vacancies", setup_pool, run_rm_v, fp_pool, fp_pool, msg_pool, 0},
    {"pool_sync (db load)", setup_pool, run_sync, fp_pool, fp_pool, msg_pool, 0},
    {"pool_set_centre (mean of the pool)", setup_pool, run_set_centre, fp_pool, fp_pool, msg_pool, 0},
    {"pool_snapshot", setup_pool, run_snapshot, fp_counts, fp_counts, msg_pool, 0},
    {"query_vacancy", setup_snap, run_query_v, fp_pool, fp_out_results, msg_eng, 0},
    {"query_candidate", setup_snap, run_query_c, fp_pool, fp_out_results, msg_eng, 0},
    {"batch (1 thread)", setup_snap, run_batch1, fp_pool, fp_out_results, msg_eng, 0},
    {"batch (2 threads)", setup_snap, run_batch2, fp_pool, fp_out_results, msg_eng, 1},
    {"batch (generic model, 2 threads)", setup_snap_generic, run_batch2, fp_pool, fp_out_results, msg_eng, 1},
    {"explain", setup_snap, run_explain, fp_pool, fp_out_match, msg_eng, 0},
    {"results_copy", setup_batch, run_copy, fp_pool, fp_out_match, NULL, 0},
    {"assign (from batch)", setup_batch, run_assign, fp_pool, fp_out_asg, msg_eng, 0},
    {"assign (fairness, employer limit)", setup_batch, run_assign_fair, fp_pool, fp_out_asg, msg_eng, 0},
    {"assign_graph", setup_pool, run_assign_graph, fp_none, fp_out_asg, msg_eng, 0},
    {"engine_create", setup_none, run_engine_create, fp_none, fp_none, NULL, 0},
    {"engine_create (travel)", setup_travel, run_engine_create_t, fp_travel_frozen, fp_none, NULL, 0},
    {"policy_create", setup_none, run_policy_create, fp_none, fp_none, NULL, 0},
    {"travel_create", setup_none, run_travel_create, fp_none, fp_travel, NULL, 0},
    {"travel_set_matrix", setup_travel, run_set_matrix, fp_travel, fp_travel, msg_travel, 0},
    {"travel_load_file (text)", setup_travel, run_load_text, fp_travel, fp_travel, msg_travel, 0},
    {"travel_load_file (binary)", setup_travel, run_load_bin, fp_travel, fp_travel, msg_travel, 0},
    {"travel_save_file", setup_travel, run_save, fp_travel, fp_none, msg_travel, 0},
    {"pgcopy decode (db rows)", setup_none, run_pgcopy, fp_none, fp_out_cands, NULL, 0},
    {"effects_compute", setup_none, run_effects, fp_none, fp_out_fx, NULL, 0},
};

static void take(const op *o, ctx *c, void (*f)(ctx *, fp *), fp *out) {
    (void)o;
    out->n = 0;
    f(c, out);
}
static int same(const fp *a, const fp *b) { return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0); }

static long total_walked, total_absorbed, ops_failed;

static void walk(const op *o) {
    long fails_before = atomic_load(&hu_failures);
    ctx c;
    memset(&c, 0, sizeof c);
    fp before = {0}, after_ref = {0}, res_ref = {0}, x = {0}, y = {0};
    static uint8_t op_sites[MAXSITES];
    memset(op_sites, 0, sizeof op_sites);

    /* 1. reference run, traced */
    o->setup(&c);
    take(o, &c, o->state, &before);
    atomic_store(&ntrace, 0);
    atomic_store(&lm__alloc_count, 0);
    atomic_store(&tracing, 1);
    int st = o->run(&c);
    atomic_store(&tracing, 0);
    long R = atomic_load(&lm__alloc_count);
    HU_CHECK(st == LM_OK, "%s: reference run failed: %d", o->name, st);
    take(o, &c, o->state, &after_ref);
    take(o, &c, o->result, &res_ref);
    teardown(&c);
    long routed = classify(op_sites);
    if (!o->threaded)
        HU_CHECK(routed == R, "%s: %ld allocations counted, %ld traced through the wrappers", o->name, R, routed);

    /* 2. fail each allocation in turn */
    long absorbed = 0;
    for (long n = 1; n <= R + 1; n++) {
        o->setup(&c);
        take(o, &c, o->state, &x);
        HU_CHECK(same(&x, &before), "%s: setup is not deterministic", o->name);
        atomic_store(&lm__alloc_count, 0);
        atomic_store(&lm__fault_countdown, n);
        st = o->run(&c);
        atomic_store(&lm__fault_countdown, 0);
        long count = atomic_load(&lm__alloc_count);
        if (n == R + 1) {
            HU_CHECK(st == LM_OK, "%s: failed with no allocation failing (N = R + 1): %d", o->name, st);
        } else if (st == LM_OK) {
            /* the failure was absorbed (e.g. an optional cache): the result must be whole */
            if (!o->threaded)
                HU_CHECK(count >= n, "%s: N = %ld: succeeded without reaching allocation N", o->name, n);
            take(o, &c, o->state, &x);
            take(o, &c, o->result, &y);
            HU_CHECK(same(&x, &after_ref) && same(&y, &res_ref), "%s: N = %ld: succeeded after an allocation failure "
                     "but the result differs from the reference", o->name, n);
            absorbed++;
        } else {
            HU_CHECK(st == LM_ERR_NOMEM, "%s: N = %ld (of %ld): status %d, expected LM_ERR_NOMEM", o->name, n, R, st);
            if (!o->threaded)
                HU_CHECK(count >= n, "%s: N = %ld: failed (%d) before reaching allocation N", o->name, n, st);
            HU_CHECK(outs_null(&c), "%s: N = %ld: failed but an output is not NULL", o->name, n);
            if (o->msg) HU_CHECK(o->msg(&c)[0] != '\0', "%s: N = %ld: no error message", o->name, n);
            take(o, &c, o->state, &x);
            HU_CHECK(same(&x, &before), "%s: N = %ld: a failed call changed the state", o->name, n);
            /* and the same call without injection gives the reference result */
            int st2 = o->run(&c);
            HU_CHECK(st2 == LM_OK, "%s: N = %ld: retry after the failure: %d", o->name, n, st2);
            take(o, &c, o->state, &x);
            take(o, &c, o->result, &y);
            HU_CHECK(same(&x, &after_ref) && same(&y, &res_ref), "%s: N = %ld: retry after the failure differs from "
                     "the reference (state corrupted by the failed call?)", o->name, n);
        }
        teardown(&c);
    }
    /* 3. leaks */
    int leaked = __lsan_do_recoverable_leak_check();
    HU_CHECK(!leaked, "%s: memory leaked during the walk (LSan report above)", o->name);

    int nops = 0;
    for (int i = 0; i < MAXSITES; i++) nops += op_sites[i];
    total_walked += R;
    total_absorbed += absorbed;
    int bad = atomic_load(&hu_failures) != fails_before;
    ops_failed += bad;
    printf("faults: %-36s %5ld allocations walked, %3d sites%s%s\n", o->name, R, nops,
           absorbed ? " (some failures absorbed)" : "", bad ? "  FAILED" : "");
    if (getenv("FAULTS_VERBOSE"))
        for (int i = 0; i < nsites; i++)
            if (op_sites[i]) printf("        %s\n", sites[i]);
    free(before.p);
    free(after_ref.p);
    free(res_ref.p);
    free(x.p);
    free(y.p);
}

static void make_mix(void) {
    /* 30 existing candidates (changed) + 30 new; 6 existing vacancies + 4 new */
    hu_generate(&MIX, 3, 60, 10, D.dim, 4);
    for (int i = 0; i < 30; i++) {
        MIX.c_id[i] = D.c_id[250 + i];
        MIX.c_id[30 + i] = D2.c_id[i];
    }
    for (int i = 0; i < 6; i++) MIX.v_id[i] = D.v_id[10 + i];
    for (int i = 6; i < 10; i++) MIX.v_id[i] = D2.v_id[i];
}

static void write_files(void) {
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(text_path, sizeof text_path, "%s/lm-faults-%d.txt", tmp, (int)getpid());
    snprintf(bin_path, sizeof bin_path, "%s/lm-faults-%d.bin", tmp, (int)getpid());
    snprintf(save_path, sizeof save_path, "%s/lm-faults-%d.saved", tmp, (int)getpid());
    FILE *f = fopen(text_path, "w");
    fprintf(f, "origin\tdestination\tmode\tminutes\n");
    for (int i = 0; i < 40; i++) fprintf(f, "%d\t%d\t%s\t%d\n", 1000 + i % 9, 1000 + (i * 5) % 11, i % 2 ? "pt" : "walk", i);
    fclose(f);
    lm_travel *t = NULL;
    lm_travel_create(&t);
    int32_t z[12];
    uint8_t m[144];
    for (int i = 0; i < 12; i++) z[i] = 990 + i;
    for (int i = 0; i < 144; i++) m[i] = (uint8_t)(i * 3 % 250);
    lm_travel_set_matrix(t, LM_MODE_CAR, z, 12, m);
    lm_travel_set_matrix(t, LM_MODE_WALK, z, 6, m);
    HU_CHECK(lm_travel_save_file(t, bin_path) == LM_OK, "save");
    lm_travel_free(t);
    /* COPY stream of 40 candidates */
    lm_pgc_buf b = {0};
    lm_candidate_cols cc = hu_ccols(&D, 0);
    lm__pgc_put_header(&b);
    for (size_t i = 0; i < 40; i++) lm__pgc_put_cand(&b, &cc, i);
    lm__pgc_put_trailer(&b);
    copy_buf = b.p;
    copy_len = b.len;
}

int main(void) {
    hu_generate(&D, 1, 300, 30, 8, 4);
    hu_generate(&D2, 2, 300, 30, 8, 4);
    make_mix();
    write_files();
    const char *only = getenv("FAULTS_ONLY"); /* a substring of the operation names to walk, for debugging */
    for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++)
        if (!only || strstr(OPS[i].name, only)) walk(&OPS[i]);
    if (nbypass) {
        printf("faults: library allocations that bypass lm__malloc & co. (cannot be failed by this walk):\n");
        for (int i = 0; i < nbypass; i++) printf("        %s\n", bypass[i]);
    }
    HU_CHECK(nbypass == 0, "%d allocation site(s) bypass the wrappers", nbypass);
    unlink(text_path);
    unlink(bin_path);
    unlink(save_path);
    free(copy_buf);
    hu_free(&D);
    hu_free(&D2);
    hu_free(&MIX);
    long nops = (long)(sizeof OPS / sizeof OPS[0]);
    printf("faults: %ld operations, %ld allocations walked (each failed once), %d distinct allocation sites, "
           "%ld absorbed failures; %ld checks, %ld failed\n",
           nops, total_walked, nsites, total_absorbed, atomic_load(&hu_checks), atomic_load(&hu_failures));
    hu_report("faults", nops - ops_failed, ops_failed + (nbypass ? 1 : 0));
    return atomic_load(&hu_failures) ? 1 : 0;
}
