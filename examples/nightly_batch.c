/* nightly_batch: the jobhunters' nightly run for one labour-market region,
 * with the public libmatch API only (libmatch/libmatch.h):
 *
 *   1. load   the pool: from PostgreSQL with --db CONNINFO (candidates,
 *             vacancies and travel matrices), otherwise a generated pool;
 *   2. match  every visible job seeker against every vacancy of the region:
 *             top-k lists both ways (lm_engine_batch, progress on stderr);
 *   3. assign one coordinated proposal per vacancy slot, so organisations stop
 *             competing for the same vacancy (lm_engine_assign);
 *   4. write  the run back to PostgreSQL in one transaction (lm_db_write_run,
 *             only with --db);
 *   5. report a summary on stdout.
 *
 * Build, after `make` (from the repository root):
 *   cc -std=c11 -O2 examples/nightly_batch.c -Ilibmatch/include -Lbuild -lmatch \
 *      -Wl,-rpath,"$PWD/build" -lm -o nightly_batch
 * or, after `make install`:
 *   cc -std=c11 -O2 examples/nightly_batch.c $(pkg-config --cflags --libs libmatch) -lm -o nightly_batch
 * (-lm: the pool generator below uses <math.h>.)
 *
 * Run:
 *   ./nightly_batch                                  # generated pool, region 2
 *   ./nightly_batch --candidates 20000 --vacancies 3000 --threads 2
 *   ./nightly_batch --db "dbname=wsp" --region 1     # e.g. after `lmatch db seed-demo`
 *
 * Options: --db CONNINFO ("" = the PG* environment variables), --region R
 * (default 2), --org ORG (the viewer, default 400000 + R: the region's WSP),
 * --k N (list length both ways, default 10), --per-person M (proposals per
 * person, default 1), --threads N (0 = all cores), --candidates N,
 * --vacancies N and --seed S (generated pool), --label TEXT (the run's label).
 */
#include <libmatch/libmatch.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a generated pool -------------------------------------------------------
 * Deterministic from the seed: job seekers and vacancies in the municipalities
 * of Zuid-Kennemerland en IJmond (region 2) and two neighbours in
 * Noord-Holland Noord (region 1). Competence vectors come from a few latent
 * occupation families, so the scores mean something. */

#define GEN_DIM 16u
#define GEN_FAMILIES 8u
#define FLAG_LICENCE (UINT64_C(1) << 0) /* the host's own flag convention */

static const struct {
    int32_t code, region;
    const char *name;
    int64_t org; /* executing organisation (uitvoeringsorganisatie) */
    double lat, lon, weight; /* weight: population */
} MUNICIPALITIES[] = {
    {375, 2, "Beverwijk", 200201, 52.48273, 4.65468, 41863},
    {396, 2, "Heemskerk", 200201, 52.50945, 4.65386, 39191},
    {453, 2, "Velsen", 200201, 52.45182, 4.63211, 68617},
    {377, 2, "Bloemendaal", 200202, 52.36230, 4.58968, 23478},
    {392, 2, "Haarlem", 200202, 52.38074, 4.64400, 162543},
    {397, 2, "Heemstede", 200202, 52.34719, 4.61838, 27545},
    {473, 2, "Zandvoort", 200202, 52.35769, 4.54388, 17168},
    {383, 1, "Castricum", 200101, 52.55577, 4.68945, 36086},
    {450, 1, "Uitgeest", 200101, 52.52855, 4.71176, 13632},
};
#define N_MUNICIPALITIES (sizeof MUNICIPALITIES / sizeof MUNICIPALITIES[0])

static const char *municipality_name(int32_t code) {
    for (size_t i = 0; i < N_MUNICIPALITIES; i++)
        if (MUNICIPALITIES[i].code == code) return MUNICIPALITIES[i].name;
    return "";
}

static uint64_t rng_state;
static uint64_t rnd(void) { /* splitmix64 */
    uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}
static double uniform(void) { return (double)(rnd() >> 11) * 0x1.0p-53; }
static double gauss(void) { return sqrt(-2.0 * log(1.0 - uniform())) * cos(6.283185307179586 * uniform()); }
static size_t pick_municipality(void) {
    double total = 0, u;
    for (size_t i = 0; i < N_MUNICIPALITIES; i++) total += MUNICIPALITIES[i].weight;
    u = uniform() * total;
    for (size_t i = 0; i < N_MUNICIPALITIES; i++)
        if ((u -= MUNICIPALITIES[i].weight) < 0) return i;
    return 0;
}

typedef struct generated {
    size_t nc, nv;
    /* candidates */
    int64_t *c_id, *c_org;
    int32_t *c_muni, *c_region;
    double *c_lat, *c_lon;
    uint32_t *c_groups;
    uint8_t *c_readiness, *c_modes, *c_scope;
    float *c_loonwaarde, *c_hmin, *c_hmax, *c_maxmin, *c_vec;
    uint64_t *c_flags;
    /* vacancies */
    int64_t *v_id, *v_employer;
    int32_t *v_muni, *v_region, *v_slots;
    double *v_lat, *v_lon;
    uint32_t *v_groups;
    uint8_t *v_readiness;
    float *v_minlw, *v_hmin, *v_hmax, *v_vec, *v_weights;
    uint64_t *v_flags;
} generated;

static void generated_free(generated *g) {
    void *p[] = {g->c_id, g->c_org, g->c_muni, g->c_region, g->c_lat, g->c_lon, g->c_groups, g->c_readiness,
                 g->c_modes, g->c_scope, g->c_loonwaarde, g->c_hmin, g->c_hmax, g->c_maxmin, g->c_vec, g->c_flags,
                 g->v_id, g->v_employer, g->v_muni, g->v_region, g->v_slots, g->v_lat, g->v_lon, g->v_groups,
                 g->v_readiness, g->v_minlw, g->v_hmin, g->v_hmax, g->v_vec, g->v_weights, g->v_flags};
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) free(p[i]);
    memset(g, 0, sizeof *g);
}

#define ALLOC(ptr, n) (((ptr) = calloc((size_t)(n) + 1, sizeof *(ptr))) == NULL)

static int generate(generated *g, size_t nc, size_t nv, uint64_t seed) {
    memset(g, 0, sizeof *g);
    g->nc = nc;
    g->nv = nv;
    if (ALLOC(g->c_id, nc) | ALLOC(g->c_org, nc) | ALLOC(g->c_muni, nc) | ALLOC(g->c_region, nc) |
        ALLOC(g->c_lat, nc) | ALLOC(g->c_lon, nc) | ALLOC(g->c_groups, nc) | ALLOC(g->c_readiness, nc) |
        ALLOC(g->c_modes, nc) | ALLOC(g->c_scope, nc) | ALLOC(g->c_loonwaarde, nc) | ALLOC(g->c_hmin, nc) |
        ALLOC(g->c_hmax, nc) | ALLOC(g->c_maxmin, nc) | ALLOC(g->c_vec, nc * GEN_DIM) | ALLOC(g->c_flags, nc) |
        ALLOC(g->v_id, nv) | ALLOC(g->v_employer, nv) | ALLOC(g->v_muni, nv) | ALLOC(g->v_region, nv) |
        ALLOC(g->v_slots, nv) | ALLOC(g->v_lat, nv) | ALLOC(g->v_lon, nv) | ALLOC(g->v_groups, nv) |
        ALLOC(g->v_readiness, nv) | ALLOC(g->v_minlw, nv) | ALLOC(g->v_hmin, nv) | ALLOC(g->v_hmax, nv) |
        ALLOC(g->v_vec, nv * GEN_DIM) | ALLOC(g->v_weights, nv * GEN_DIM) | ALLOC(g->v_flags, nv)) {
        generated_free(g);
        return -1;
    }
    rng_state = seed;
    float family[GEN_FAMILIES][GEN_DIM];
    for (size_t f = 0; f < GEN_FAMILIES; f++)
        for (size_t d = 0; d < GEN_DIM; d++) family[f][d] = (float)gauss();

    for (size_t i = 0; i < nc; i++) {
        size_t m = pick_municipality();
        double u = uniform();
        g->c_id[i] = (int64_t)(1000000 + i); /* pseudonymous: never a BSN */
        g->c_org[i] = MUNICIPALITIES[m].org;
        g->c_muni[i] = MUNICIPALITIES[m].code;
        g->c_region[i] = MUNICIPALITIES[m].region;
        g->c_lat[i] = MUNICIPALITIES[m].lat + (uniform() - 0.5) * 0.04;
        g->c_lon[i] = MUNICIPALITIES[m].lon + (uniform() - 0.5) * 0.06;
        g->c_readiness[i] = (uint8_t)(1 + (uniform() < 0.65 ? rnd() % 2 : rnd() % 5)); /* mostly A, B */
        g->c_loonwaarde[i] = 100;
        if (u < 0.06) { /* doelgroepregister: wage value below the minimum wage */
            g->c_groups[i] = LM_GROUP_BANENAFSPRAAK;
            g->c_loonwaarde[i] = (float)(30 + 50 * uniform());
        } else if (u < 0.10) { /* nieuw beschut: sheltered work, far from the market */
            g->c_groups[i] = LM_GROUP_NIEUW_BESCHUT;
            g->c_loonwaarde[i] = (float)(20 + 40 * uniform());
            g->c_readiness[i] = (uint8_t)(4 + rnd() % 2);
        } else if (u < 0.25) {
            g->c_groups[i] = LM_GROUP_BIJSTAND | LM_GROUP_STATUSHOUDER;
        } else if (u < 0.30) {
            g->c_groups[i] = LM_GROUP_NUG;
        } else {
            g->c_groups[i] = LM_GROUP_BIJSTAND;
        }
        g->c_hmin[i] = (float)(8 * (rnd() % 5));
        g->c_hmax[i] = fminf(40.0f, g->c_hmin[i] + (float)(8 + 8 * (rnd() % 2)));
        g->c_modes[i] = (1u << LM_MODE_WALK) | (1u << LM_MODE_BIKE) | (1u << LM_MODE_PT);
        if (uniform() < 0.3) {
            g->c_modes[i] |= 1u << LM_MODE_CAR;
            g->c_flags[i] |= FLAG_LICENCE;
        }
        g->c_maxmin[i] = uniform() < 0.2 ? (float)(30 + 15 * (rnd() % 2)) : 0.0f; /* own limit, 0 = none */
        u = uniform(); /* consent scope */
        g->c_scope[i] = u < 0.75 ? LM_SCOPE_REGION : u < 0.85 ? LM_SCOPE_NATIONAL : u < 0.95 ? LM_SCOPE_MUNICIPALITY
                                                                                             : LM_SCOPE_ORG;
        size_t f = rnd() % GEN_FAMILIES;
        for (size_t d = 0; d < GEN_DIM; d++) g->c_vec[i * GEN_DIM + d] = family[f][d] + 0.6f * (float)gauss();
    }
    for (size_t j = 0; j < nv; j++) {
        size_t m = pick_municipality();
        double u = uniform();
        g->v_id[j] = (int64_t)(5000000 + j);
        g->v_employer[j] = (int64_t)(MUNICIPALITIES[m].code * 1000 + (int32_t)(rnd() % 100));
        g->v_muni[j] = MUNICIPALITIES[m].code;
        g->v_region[j] = MUNICIPALITIES[m].region;
        g->v_lat[j] = MUNICIPALITIES[m].lat + (uniform() - 0.5) * 0.04;
        g->v_lon[j] = MUNICIPALITIES[m].lon + (uniform() - 0.5) * 0.06;
        g->v_slots[j] = 1 + (uniform() < 0.3) + (uniform() < 0.1);
        if (u < 0.08) { /* garantiebaan: reserved for the doelgroepregister */
            g->v_groups[j] = LM_GROUP_BANENAFSPRAAK;
            g->v_minlw[j] = 0;
            g->v_readiness[j] = LM_READY_C;
        } else if (u < 0.12) { /* beschut place */
            g->v_groups[j] = LM_GROUP_NIEUW_BESCHUT;
            g->v_minlw[j] = 0;
            g->v_readiness[j] = LM_READY_E;
        } else {
            g->v_groups[j] = LM_GROUP_ALL;
            g->v_minlw[j] = uniform() < 0.5 ? 80.0f : 100.0f;
            g->v_readiness[j] = uniform() < 0.6 ? LM_READY_B : LM_READY_C;
        }
        g->v_flags[j] = uniform() < 0.15 ? FLAG_LICENCE : 0;
        g->v_hmin[j] = (float)(8 + 8 * (rnd() % 3));
        g->v_hmax[j] = fminf(40.0f, g->v_hmin[j] + 16.0f);
        size_t f = rnd() % GEN_FAMILIES;
        for (size_t d = 0; d < GEN_DIM; d++) {
            g->v_vec[j * GEN_DIM + d] = family[f][d] + 0.3f * (float)gauss();
            g->v_weights[j * GEN_DIM + d] = uniform() < 0.25 ? 2.0f : 1.0f; /* importance per competence */
        }
    }
    return 0;
}

static int add_generated(lm_pool *pool, const generated *g) {
    lm_candidate_cols c = LM_CANDIDATE_COLS_INIT;
    c.dim = GEN_DIM;
    c.id = g->c_id;
    c.owner_org = g->c_org;
    c.municipality = g->c_muni;
    c.region = g->c_region;
    c.lat = g->c_lat;
    c.lon = g->c_lon;
    c.groups = g->c_groups;
    c.readiness = g->c_readiness;
    c.loonwaarde = g->c_loonwaarde;
    c.vectors = g->c_vec;
    c.flags = g->c_flags;
    c.hours_min = g->c_hmin;
    c.hours_max = g->c_hmax;
    c.modes = g->c_modes;
    c.max_minutes = g->c_maxmin;
    c.scope = g->c_scope;

    lm_vacancy_cols v = LM_VACANCY_COLS_INIT;
    v.dim = GEN_DIM;
    v.id = g->v_id;
    v.employer_id = g->v_employer;
    v.municipality = g->v_muni;
    v.region = g->v_region;
    v.lat = g->v_lat;
    v.lon = g->v_lon;
    v.vectors = g->v_vec;
    v.weights = g->v_weights;
    v.required_flags = g->v_flags;
    v.hours_min = g->v_hmin;
    v.hours_max = g->v_hmax;
    v.slots = g->v_slots;
    v.accepted_groups = g->v_groups;
    v.min_loonwaarde = g->v_minlw;
    v.max_readiness = g->v_readiness;

    int st = lm_pool_add_candidates(pool, &c, g->nc);
    if (st == LM_OK) st = lm_pool_add_vacancies(pool, &v, g->nv);
    return st;
}

/* ---- progress and errors ---------------------------------------------------- */

typedef struct progress {
    const char *label;
    int last; /* last percentage printed, -1 = none */
} progress;

/* lm_progress_fn: called on the calling thread; returning non-zero would cancel. */
static int print_progress(void *user, uint64_t done, uint64_t total) {
    progress *p = user;
    int pct = total ? (int)(100.0 * (double)done / (double)total) : 100;
    if (pct != p->last) {
        fprintf(stderr, "\r%-8s %3d%%", p->label, pct);
        if (pct == 100) fputc('\n', stderr);
        p->last = pct;
    }
    return 0;
}

static void progress_end(progress *p) {
    if (p->last >= 0 && p->last < 100) print_progress(p, 1, 1); /* finish the line */
}

static int fail(const char *what, int status, const char *detail) {
    fprintf(stderr, "nightly_batch: %s: %s%s%s\n", what, lm_strerror(status), detail && *detail ? ": " : "",
            detail ? detail : "");
    return 1;
}

static const char *kernel_name(double k) {
    switch ((int)k) {
    case LM_KERNEL_SCALAR: return "scalar";
    case LM_KERNEL_AVX2: return "avx2";
    case LM_KERNEL_AVX512: return "avx512";
    default: return "?";
    }
}

static int parse_num(const char *s, long long lo, long long hi, long long *out) {
    char *end;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (!s || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv) {
    const char *conninfo = NULL, *label = "nightly_batch example";
    long long region = 2, org = -1, k = 10, per_person = 1, threads = 0, nc = 4000, nv = 600, seed = 42;
    const struct { const char *name; long long lo, hi, *value; } numeric[] = {
        {"--region", 0, INT32_MAX, &region},  {"--org", INT64_MIN, INT64_MAX, &org},
        {"--k", 1, LM_MAX_K, &k},             {"--per-person", 1, 1000, &per_person},
        {"--threads", 0, 1024, &threads},     {"--candidates", 1, 10000000, &nc},
        {"--vacancies", 1, 10000000, &nv},    {"--seed", 0, INT64_MAX, &seed}};
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        int ok = val != NULL;
        if (ok && !strcmp(a, "--db")) conninfo = val;
        else if (ok && !strcmp(a, "--label")) label = val;
        else {
            size_t o = 0;
            while (o < sizeof numeric / sizeof numeric[0] && strcmp(a, numeric[o].name)) o++;
            ok = ok && o < sizeof numeric / sizeof numeric[0] &&
                 !parse_num(val, numeric[o].lo, numeric[o].hi, numeric[o].value);
        }
        if (!ok) {
            fprintf(stderr, "usage: %s [--db CONNINFO] [--region R] [--org ORG] [--k N] [--per-person M]\n"
                            "       [--threads N] [--candidates N] [--vacancies N] [--seed S] [--label TEXT]\n",
                    argv[0]);
            return 2;
        }
    }
    if (org < 0) org = 400000 + region; /* the region's WSP */

    int rc = 1, st;
    generated gen = {0};
    lm_db *db = NULL;
    lm_pool *pool = NULL;
    lm_travel *travel = NULL; /* NULL: the geometric estimate */
    lm_snapshot *snap = NULL;
    lm_policy *policy = NULL;
    lm_engine *engine = NULL;
    lm_results *batch = NULL;
    lm_assignment *proposals = NULL;

    /* 1. Load. */
    if ((st = lm_policy_create(&policy)) || (st = lm_policy_set_f64(policy, LM_POLICY_VERSION, 1))) {
        fail("policy", st, NULL);
        goto out;
    }
    if (conninfo) {
        uint32_t dim = 0;
        int64_t watermark = 0;
        progress p = {"load", -1};
        if ((st = lm_db_open(&db, conninfo))) { fail("connect", st, lm_db_errmsg(db)); goto out; }
        if ((st = lm_db_vector_dim(&dim, db))) { fail("read the pool", st, lm_db_errmsg(db)); goto out; }
        if (dim == 0) { fail("read the pool", LM_ERR_STATE, "no live candidates or vacancies"); goto out; }
        if ((st = lm_pool_create(&pool, dim))) { fail("create pool", st, NULL); goto out; }
        lm_db_set_progress(db, print_progress, &p);
        st = lm_db_load_pool(&watermark, db, pool, 0); /* keep watermark for an incremental load next time */
        progress_end(&p);
        lm_db_set_progress(db, NULL, NULL);
        if (st) { fail("load pool", st, lm_db_errmsg(db)); goto out; }
        if ((st = lm_travel_create(&travel)) || (st = lm_db_load_travel(db, travel))) {
            fail("load travel times", st, lm_db_errmsg(db));
            goto out;
        }
    } else {
        if (generate(&gen, (size_t)nc, (size_t)nv, (uint64_t)seed)) { fail("generate", LM_ERR_NOMEM, NULL); goto out; }
        if ((st = lm_pool_create(&pool, GEN_DIM))) { fail("create pool", st, NULL); goto out; }
        if ((st = add_generated(pool, &gen))) { fail("add to pool", st, lm_pool_errmsg(pool)); goto out; }
        generated_free(&gen); /* the pool has its own copy */
    }
    if ((st = lm_pool_snapshot(&snap, pool))) { fail("snapshot", st, lm_pool_errmsg(pool)); goto out; }
    if ((st = lm_engine_create(&engine, policy, travel))) { fail("engine", st, NULL); goto out; }
    if ((st = lm_engine_set_i64(engine, LM_ENGINE_THREADS, threads))) {
        fail("threads", st, lm_engine_errmsg(engine));
        goto out;
    }

    /* 2. Match: top-k both ways, as the region's WSP sees the pool. */
    lm_viewer viewer = LM_VIEWER_INIT;
    viewer.org = org;
    viewer.region = (int32_t)region;
    lm_batch_options bo = LM_BATCH_OPTIONS_INIT;
    bo.k_candidates = bo.k_vacancies = (uint32_t)k;
    bo.vacancy_region = (int32_t)region; /* only this region's vacancies */
    progress pb = {"batch", -1};
    bo.progress = print_progress;
    bo.progress_user = &pb;
    st = lm_engine_batch(&batch, engine, snap, &viewer, &bo);
    progress_end(&pb);
    if (st) { fail("batch", st, lm_engine_errmsg(engine)); goto out; }

    /* 3. Assign: each slot at most one person, each person at most m proposals,
     * maximising the region's total score (exact). */
    lm_assign_options ao = LM_ASSIGN_OPTIONS_INIT;
    ao.max_per_candidate = (uint32_t)per_person;
    progress pa = {"assign", -1};
    ao.progress = print_progress;
    ao.progress_user = &pa;
    st = lm_engine_assign(&proposals, engine, batch, &ao);
    progress_end(&pa);
    if (st) { fail("assign", st, lm_engine_errmsg(engine)); goto out; }

    /* 4. Write the whole run in one transaction: readers see all of it or none. */
    int64_t run_id = 0;
    if (db) {
        lm_run_info info = LM_RUN_INFO_INIT;
        info.label = label;
        info.region = (int32_t)region;
        progress pw = {"write", -1};
        lm_db_set_progress(db, print_progress, &pw);
        st = lm_db_write_run(&run_id, db, batch, proposals, &info);
        progress_end(&pw);
        if (st) { fail("write run", st, lm_db_errmsg(db)); goto out; }
    }

    /* 5. Report. */
    size_t n_cand = 0, n_vac = 0, visible = 0, region_vacs = 0, with_candidate = 0, best_cross = 0;
    lm_snapshot_count(&n_cand, snap, LM_SIDE_CANDIDATE);
    lm_snapshot_count(&n_vac, snap, LM_SIDE_VACANCY);
    lm_results_lists(&visible, batch, LM_DIR_CANDIDATE);
    lm_results_lists(&region_vacs, batch, LM_DIR_VACANCY);
    for (size_t l = 0; l < region_vacs; l++) {
        int64_t vacancy_id;
        size_t first, len;
        lm_match best;
        lm_results_list(&vacancy_id, &first, &len, batch, LM_DIR_VACANCY, l);
        if (len == 0) continue;
        with_candidate++;
        lm_results_copy(&best, sizeof best, 1, NULL, batch, LM_DIR_VACANCY, first);
        best_cross += best.candidate_municipality != best.vacancy_municipality;
    }
    double scored, feasible, seconds, kernel, nthreads, objective, greedy, n_prop, served, gserved, cross, aseconds;
    lm_results_stat(&scored, batch, LM_STAT_PAIRS_SCORED);
    lm_results_stat(&feasible, batch, LM_STAT_PAIRS_FEASIBLE);
    lm_results_stat(&seconds, batch, LM_STAT_SECONDS);
    lm_results_stat(&kernel, batch, LM_STAT_KERNEL);
    lm_results_stat(&nthreads, batch, LM_STAT_THREADS);
    lm_assignment_stat(&objective, proposals, LM_ASTAT_OBJECTIVE);
    lm_assignment_stat(&greedy, proposals, LM_ASTAT_GREEDY_OBJECTIVE);
    lm_assignment_stat(&n_prop, proposals, LM_ASTAT_PROPOSALS);
    lm_assignment_stat(&served, proposals, LM_ASTAT_VACANCIES_SERVED);
    lm_assignment_stat(&gserved, proposals, LM_ASTAT_GREEDY_VACANCIES_SERVED);
    lm_assignment_stat(&cross, proposals, LM_ASTAT_CROSS_BORDER);
    lm_assignment_stat(&aseconds, proposals, LM_ASTAT_SECONDS);

    printf("libmatch %s nightly batch: region %lld as seen by organisation %lld (%s)\n", lm_version_string(), region,
           org, conninfo ? "pool from PostgreSQL" : "generated pool");
    printf("pool:        %zu candidates (%zu visible to the viewer), %zu vacancies (%zu in region %lld)\n", n_cand,
           visible, n_vac, region_vacs, region);
    printf("batch:       top-%lld both ways: %.0f pairs scored, %.0f feasible, %.3f s (%s kernel, %.0f threads)\n", k,
           scored, feasible, seconds, kernel_name(kernel), nthreads);
    printf("             %zu of %zu vacancies have a candidate; for %.1f%% the best one lives in another "
           "municipality\n",
           with_candidate, region_vacs, with_candidate ? 100.0 * (double)best_cross / (double)with_candidate : 0.0);
    printf("proposals:   %.0f (at most %lld per person), %.0f vacancies served (greedy: %.0f), "
           "%.0f cross-border (%.1f%%)\n",
           n_prop, per_person, served, gserved, cross, n_prop > 0 ? 100.0 * cross / n_prop : 0.0);
    printf("objective:   %.3f vs %.3f for greedy best-pair-first (%+.2f%%), %.3f s\n", objective, greedy,
           greedy > 0 ? 100.0 * (objective - greedy) / greedy : 0.0, aseconds);

    /* Per municipality of residence: who got proposals, and across the border. */
    size_t ngroups = 0;
    lm_assignment_groups(NULL, sizeof(lm_group_report), 0, &ngroups, proposals); /* LM_ERR_BUFFER: size only */
    lm_group_report *groups = calloc(ngroups ? ngroups : 1, sizeof *groups);
    if (!groups) { fail("report", LM_ERR_NOMEM, NULL); goto out; }
    if ((st = lm_assignment_groups(groups, sizeof *groups, ngroups, &ngroups, proposals))) {
        free(groups);
        fail("report", st, NULL);
        goto out;
    }
    printf("per municipality of residence:\n  %-6s %-12s %8s %9s %12s\n", "code", "name", "eligible", "proposals",
           "cross-border");
    for (size_t i = 0; i < ngroups; i++)
        printf("  GM%04d %-12s %8" PRIu32 " %9" PRIu32 " %12" PRIu32 "\n", (int)groups[i].group,
               municipality_name(groups[i].group), groups[i].eligible, groups[i].proposals, groups[i].cross_border);
    free(groups);
    if (db) printf("written:     run %" PRId64 " (label \"%s\")\n", run_id, label);
    else printf("written:     nothing (no --db)\n");
    rc = 0;
out:
    lm_assignment_free(proposals);
    lm_results_free(batch);
    lm_engine_free(engine);
    lm_policy_free(policy);
    lm_travel_free(travel);
    lm_snapshot_free(snap);
    lm_pool_free(pool);
    lm_db_close(db);
    generated_free(&gen);
    return rc;
}
