/* Benchmark of lm_engine_assign_graph on random sparse instances (the sizes of
 * issue 5), with SciPy's min_weight_full_bipartite_matching as the peer on the
 * same instance where it fits. Writes JSON lines (one per engine and case).
 *
 * usage: bench_assign [--out FILE] [--runs N] [--peer-runs N] [--peer PATH|none]
 *                     [--cases small,medium,large] [--seed N]
 * Each case runs in a forked child so peak RSS is the case's own. */
#include <libmatch/libmatch.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct bcase {
    const char *name;
    size_t people, vacancies;
    int slots_max; /* capacities uniform in 1..slots_max */
    uint32_t k;
    int peer; /* SciPy can do it */
} bcase;

static const bcase cases[] = {
    {"assign_1e4x1e4_k50", 10000, 10000, 1, 50, 1},
    {"assign_1e5x1e5_k50", 100000, 100000, 1, 50, 1},
    {"assign_4e5x2e5slots_k50", 400000, 200000, 3, 50, 0},
};

static uint64_t rng_next(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct inst {
    size_t n, nv, ne;
    int32_t *cap;
    uint32_t *ep, *ev;
    float *es;
} inst;

/* Each person gets k distinct vacancies, uniformly; scores are the mean of two
 * uniforms (a triangular law on [0, 1], like real scores bunched mid-range). */
static int make_inst(inst *I, const bcase *c, uint64_t seed) {
    I->n = c->people;
    I->nv = c->vacancies;
    I->ne = c->people * c->k;
    I->cap = malloc(I->nv * sizeof *I->cap);
    I->ep = malloc(I->ne * sizeof *I->ep);
    I->ev = malloc(I->ne * sizeof *I->ev);
    I->es = malloc(I->ne * sizeof *I->es);
    uint32_t *mark = calloc(I->nv, sizeof *mark);
    if (!I->cap || !I->ep || !I->ev || !I->es || !mark) return -1;
    uint64_t s = seed;
    for (size_t j = 0; j < I->nv; j++) I->cap[j] = 1 + (int32_t)(rng_next(&s) % (uint64_t)c->slots_max);
    size_t e = 0;
    for (size_t i = 0; i < I->n; i++) {
        for (uint32_t q = 0; q < c->k;) {
            uint32_t j = (uint32_t)(rng_next(&s) % I->nv);
            if (mark[j] == i + 1) continue;
            mark[j] = (uint32_t)i + 1;
            I->ep[e] = (uint32_t)i;
            I->ev[e] = j;
            double u = (double)(rng_next(&s) >> 11) * 0x1.0p-53, v = (double)(rng_next(&s) >> 11) * 0x1.0p-53;
            I->es[e] = (float)((u + v) / 2);
            e++;
            q++;
        }
    }
    free(mark);
    return 0;
}

static void free_inst(inst *I) {
    free(I->cap);
    free(I->ep);
    free(I->ev);
    free(I->es);
}

/* Instance file for the peer: "LMASGN1\n", then n, nv, ne as uint64, then
 * cap int32[nv], ep uint32[ne], ev uint32[ne], w int64[ne] (the library's values). */
static int write_inst(const char *path, const inst *I) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    uint64_t h[3] = {I->n, I->nv, I->ne};
    fwrite("LMASGN1\n", 1, 8, f);
    fwrite(h, sizeof h[0], 3, f);
    fwrite(I->cap, sizeof *I->cap, I->nv, f);
    fwrite(I->ep, sizeof *I->ep, I->ne, f);
    fwrite(I->ev, sizeof *I->ev, I->ne, f);
    for (size_t e = 0; e < I->ne; e++) {
        int64_t w = (int64_t)floor((double)I->es[e] * 1e6 + 0.5);
        fwrite(&w, sizeof w, 1, f);
    }
    return fclose(f);
}

typedef struct res {
    double med, min, max, objective;
    long peak_rss;
    int ok;
} res;

static void run_libmatch(const bcase *c, int runs, uint64_t seed, const char *peer, int peer_runs, int fd) {
    inst I;
    res r = {0};
    char line[2048] = "";
    if (make_inst(&I, c, seed)) {
        dprintf(fd, "{\"error\": \"out of memory\"}\n");
        return;
    }
    lm_engine *eng = NULL;
    lm_engine_create(&eng, NULL, NULL);
    lm_assign_graph g = LM_ASSIGN_GRAPH_INIT;
    g.n_people = I.n;
    g.n_vacancies = I.nv;
    g.capacity = I.cap;
    g.n_edges = I.ne;
    g.edge_person = I.ep;
    g.edge_vacancy = I.ev;
    g.edge_score = I.es;
    double t[64];
    if (runs > 64) runs = 64;
    double obj = 0;
    for (int i = 0; i < runs; i++) {
        lm_assignment *a = NULL;
        double t0 = now_s();
        int st = lm_engine_assign_graph(&a, eng, &g, NULL);
        t[i] = now_s() - t0;
        if (st) {
            dprintf(fd, "{\"error\": \"%s\"}\n", lm_engine_errmsg(eng));
            return;
        }
        lm_assignment_stat(&obj, a, LM_ASTAT_OBJECTIVE_SCALED);
        double p, gobj;
        lm_assignment_stat(&p, a, LM_ASTAT_PROPOSALS);
        lm_assignment_stat(&gobj, a, LM_ASTAT_GREEDY_OBJECTIVE);
        fprintf(stderr, "  %s run %d: %.3f s, objective %.0f, %.0f proposals, greedy %.0f\n", c->name, i + 1, t[i],
                obj, p, gobj * 1e6);
        lm_assignment_free(a);
    }
    qsort(t, (size_t)runs, sizeof t[0], cmp_d);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    r = (res){t[runs / 2], t[0], t[runs - 1], obj, ru.ru_maxrss * 1024L, 1};
    lm_engine_free(eng);
    /* the peer on the same instance */
    if (c->peer && peer && strcmp(peer, "none") != 0) {
        char path[] = "/tmp/lm_bench_assign_XXXXXX";
        int tfd = mkstemp(path);
        if (tfd >= 0) {
            close(tfd);
            if (write_inst(path, &I) == 0) {
                char cmd[4096];
                snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s %d", peer, path, peer_runs);
                fprintf(stderr, "  %s: SciPy peer (%d runs)...\n", c->name, peer_runs);
                FILE *p = popen(cmd, "r");
                if (p) {
                    if (!fgets(line, sizeof line, p)) line[0] = '\0';
                    pclose(p);
                }
            }
            remove(path);
        }
    }
    free_inst(&I);
    dprintf(fd, "%.9f %.9f %.9f %.0f %ld\n%s", r.med, r.min, r.max, r.objective, r.peak_rss,
            line[0] ? line : "none\n");
}

int main(int argc, char **argv) {
    const char *outp = "build/bench/assign.jsonl", *peer = "bench/peer_scipy_assign.py", *which = "small,medium,large";
    int runs = 5, peer_runs = 3;
    unsigned long seed = 20261123;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--out") && i + 1 < argc) outp = argv[++i];
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--peer-runs") && i + 1 < argc) peer_runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--peer") && i + 1 < argc) peer = argv[++i];
        else if (!strcmp(argv[i], "--cases") && i + 1 < argc) which = argv[++i];
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = strtoul(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: bench_assign [--out FILE] [--runs N] [--peer-runs N] [--peer PATH|none] "
                            "[--cases small,medium,large] [--seed N]\n");
            return 2;
        }
    }
    if (runs < 1) runs = 1;
    FILE *out = fopen(outp, "w");
    if (!out) {
        perror(outp);
        return 1;
    }
    static const char *const tags[] = {"small", "medium", "large"};
    int rc = 0;
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        if (!strstr(which, tags[ci])) continue;
        const bcase *c = &cases[ci];
        int pfd[2];
        if (pipe(pfd)) return 1;
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            close(pfd[0]);
            run_libmatch(c, runs, seed + ci, peer, peer_runs, pfd[1]);
            close(pfd[1]);
            _exit(0);
        }
        close(pfd[1]);
        FILE *in = fdopen(pfd[0], "r");
        char l1[2048] = "", l2[2048] = "";
        if (!fgets(l1, sizeof l1, in)) l1[0] = '\0';
        if (!fgets(l2, sizeof l2, in)) l2[0] = '\0';
        fclose(in);
        waitpid(pid, NULL, 0);
        double med, mn, mx, obj;
        long rss;
        if (sscanf(l1, "%lf %lf %lf %lf %ld", &med, &mn, &mx, &obj, &rss) != 5) {
            fprintf(stderr, "%s: failed: %s\n", c->name, l1);
            rc = 1;
            continue;
        }
        double pmed = 0, pmin = 0, pmax = 0, pobj = -1;
        long prss = 0;
        char mode[32] = "?";
        int have_peer = sscanf(l2, "%lf %lf %lf %lf %ld %31s", &pmed, &pmin, &pmax, &pobj, &prss, mode) >= 5;
        char speed[128] = "{}";
        if (have_peer) snprintf(speed, sizeof speed, "{\"scipy\": %.3f}", pmed / med);
        fprintf(out,
                "{\"name\": \"%s\", \"engine\": \"libmatch\", \"candidates\": %zu, \"vacancies\": %zu, \"k\": %u, "
                "\"threads\": 1, \"median_s\": %.6f, \"min_s\": %.6f, \"max_s\": %.6f, \"peak_rss_bytes\": %ld, "
                "\"objective\": %.0f, \"runs\": %d, \"speedup_vs\": %s}\n",
                c->name, c->people, c->vacancies, c->k, med, mn, mx, rss, obj, runs, speed);
        printf("%-26s libmatch median %.3f s (min %.3f, max %.3f), peak RSS %.0f MiB, objective %.0f\n", c->name, med,
               mn, mx, rss / 1048576.0, obj);
        if (have_peer) {
            fprintf(out,
                    "{\"name\": \"%s\", \"engine\": \"scipy\", \"candidates\": %zu, \"vacancies\": %zu, \"k\": %u, "
                    "\"threads\": 1, \"median_s\": %.6f, \"min_s\": %.6f, \"max_s\": %.6f, \"peak_rss_bytes\": %ld, "
                    "\"objective\": %.0f, \"runs\": %d, \"mode\": \"%s\"}\n",
                    c->name, c->people, c->vacancies, c->k, pmed, pmin, pmax, prss, pobj, peer_runs, mode);
            printf("%-26s scipy    median %.3f s (min %.3f, max %.3f), peak RSS %.0f MiB, objective %.0f%s (%s); "
                   "libmatch %.1fx faster\n",
                   c->name, pmed, pmin, pmax, prss / 1048576.0, pobj, pobj == obj ? " (equal)" : " (DIFFERENT)", mode,
                   pmed / med);
            if (pobj != obj) rc = 1;
        }
        fflush(out);
    }
    fclose(out);
    printf("results: %s\n", outp);
    return rc;
}
