/* Writes the seed corpora of the fuzz targets (make fuzz-seeds):
 *   DIR/travel/  text and binary matrix files, set_matrix inputs;
 *   DIR/pgcopy/  COPY streams from the encoder, with NULLs and tombstones;
 *   DIR/api/     structured API programs plus a few random ones.
 * Deterministic: the committed corpora are its output. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libmatch/libmatch.h"
#include "pgcopy.h"

static const char *root;

static void put(const char *sub, const char *name, const void *p, size_t n) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, sub);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/%s/%s", root, sub, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "gen_seeds: %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

static uint64_t rng = 12345;
static uint8_t rnd8(void) {
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (uint8_t)((z ^ (z >> 31)) >> 56);
}

/* ---- travel ------------------------------------------------------------- */
static void travel_seeds(void) {
    const char *texts[] = {
        "origin\tdestination\tmode\tminutes\n1011\t1012\twalk\t14\n1012\t1011\twalk\t15\n1011\t1011\tpt\t0\n",
        "\xEF\xBB\xBF# comment\r\n1011\t1012\t2\t30\r\n\r\n1012\t1013\t3\t12\r\n1013\t1011\tcar\t9",
        "7001\t7002\tbike\t10\n7002\t7003\tbike\t11\n7003\t7001\tbike\t254\n7001\t7001\twalk\t0\n",
    };
    char name[32];
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        static uint8_t buf[4096];
        buf[0] = 0; /* even: load_file */
        size_t n = strlen(texts[i]);
        memcpy(buf + 1, texts[i], n);
        snprintf(name, sizeof name, "text-%zu", i);
        put("travel", name, buf, n + 1);
    }
    /* a binary file written by the library itself */
    lm_travel *t = NULL;
    lm_travel_create(&t);
    int32_t zones[5] = {1011, 1012, 1013, 2000, 9999};
    uint8_t cells[25];
    for (int i = 0; i < 25; i++) cells[i] = (uint8_t)(i % 6 == 0 ? 0 : i % 7 == 0 ? 255 : 3 * i);
    lm_travel_set_matrix(t, LM_MODE_PT, zones, 5, cells);
    lm_travel_set_matrix(t, LM_MODE_CAR, zones, 3, cells);
    char tmp[] = "/tmp/lm-seed-XXXXXX";
    int fd = mkstemp(tmp);
    close(fd);
    if (lm_travel_save_file(t, tmp) != LM_OK) {
        fprintf(stderr, "gen_seeds: save: %s\n", lm_travel_errmsg(t));
        exit(1);
    }
    FILE *f = fopen(tmp, "rb");
    static uint8_t bin[4096];
    bin[0] = 2;
    size_t n = fread(bin + 1, 1, sizeof bin - 1, f);
    fclose(f);
    unlink(tmp);
    put("travel", "binary-2modes", bin, n + 1);
    lm_travel_free(t);
    /* set_matrix + set_param */
    uint8_t sm[64] = {1, 3, 4, 20, 21, 22, 23};
    for (int i = 7; i < 64; i++) sm[i] = rnd8();
    put("travel", "set-matrix", sm, sizeof sm);
}

/* ---- pgcopy --------------------------------------------------------------- */
static void pg_seeds(void) {
    enum { N = 3, DIM = 4 };
    int64_t id[N] = {101, -5, 9000000000LL}, org[N] = {1, 2, 3};
    int32_t muni[N] = {361, 362, 363}, region[N] = {7, 7, 0}, zone[N] = {1011, 0, 1013}, avail[N] = {0, 19000, 19500};
    double lat[N] = {52.6, 52.5, NAN}, lon[N] = {4.7, 4.8, NAN};
    uint32_t groups[N] = {1, 3, 32};
    uint8_t ready[N] = {1, 3, 5}, modes[N] = {15, 4, 1}, scope[N] = {0, 2, 3};
    float lw[N] = {100, 55, 30}, hmin[N] = {0, 8, 20}, hmax[N] = {80, 24, 36}, maxmin[N] = {0, 45, 90},
          prio[N] = {0, 0.5f, 1}, vec[N * DIM];
    uint64_t flags[N] = {0, 1, 6};
    for (int i = 0; i < N * DIM; i++) vec[i] = (float)(i % 5) - 1.5f;
    lm_candidate_cols c = LM_CANDIDATE_COLS_INIT;
    c.dim = DIM;
    c.id = id; c.owner_org = org; c.municipality = muni; c.region = region; c.zone = zone; c.lat = lat; c.lon = lon;
    c.groups = groups; c.readiness = ready; c.loonwaarde = lw; c.vectors = vec; c.flags = flags; c.hours_min = hmin;
    c.hours_max = hmax; c.modes = modes; c.max_minutes = maxmin; c.available_from = avail; c.scope = scope;
    c.priority = prio;
    lm_pgc_buf b = {0};
    uint8_t first = (uint8_t)(0 | (DIM - 1) << 1);
    lm__pgc_put_header(&b);
    for (size_t i = 0; i < N; i++) lm__pgc_put_cand(&b, &c, i);
    /* a tombstone: id, deleted = true, the rest NULL */
    lm__pgc_put_tuple(&b, LM_PGC_CAND_COLS);
    lm__pgc_put_i64(&b, 77);
    lm__pgc_put_bool(&b, true);
    for (int k = 2; k < LM_PGC_CAND_COLS; k++) lm__pgc_put_null(&b);
    lm__pgc_put_trailer(&b);
    uint8_t *out = malloc(b.len + 1);
    out[0] = first;
    memcpy(out + 1, b.p, b.len);
    put("pgcopy", "candidates", out, b.len + 1);
    free(out);
    lm__pgc_buf_free(&b);

    int32_t slots[N] = {1, 0, 3}, open[N] = {20000, INT32_MAX, 19999};
    uint32_t acc[N] = {63, 4, 2};
    uint8_t maxr[N] = {5, 2, 1};
    float minlw[N] = {0, 30, 80}, w[N * DIM];
    for (int i = 0; i < N * DIM; i++) w[i] = (float)(i % 3);
    lm_vacancy_cols v = LM_VACANCY_COLS_INIT;
    v.dim = DIM;
    v.id = id; v.employer_id = org; v.municipality = muni; v.region = region; v.zone = zone; v.lat = lat; v.lon = lon;
    v.vectors = vec; v.weights = w; v.required_flags = flags; v.hours_min = hmin; v.hours_max = hmax; v.slots = slots;
    v.accepted_groups = acc; v.min_loonwaarde = minlw; v.max_readiness = maxr; v.open_until = open;
    memset(&b, 0, sizeof b);
    lm__pgc_put_header(&b);
    for (size_t i = 0; i < N; i++) lm__pgc_put_vac(&b, &v, i);
    lm__pgc_put_tuple(&b, LM_PGC_VAC_COLS);
    lm__pgc_put_i64(&b, 5);
    lm__pgc_put_bool(&b, true);
    for (int k = 2; k < LM_PGC_VAC_COLS; k++) lm__pgc_put_null(&b);
    lm__pgc_put_trailer(&b);
    out = malloc(b.len + 1);
    out[0] = (uint8_t)(1 | (DIM - 1) << 1);
    memcpy(out + 1, b.p, b.len);
    put("pgcopy", "vacancies", out, b.len + 1);
    free(out);
    lm__pgc_buf_free(&b);
}

/* ---- api ------------------------------------------------------------------- */
/* Op encodings of fuzz_api.c (op byte % 20). */
typedef struct prog {
    uint8_t b[4096];
    size_t n;
} prog;
static void emit(prog *p, int v) { p->b[p->n++] = (uint8_t)v; }
static void emit16(prog *p, int v) { emit(p, v & 255); emit(p, (v >> 8) & 255); }
static void emit_rng(prog *p) { for (int i = 0; i < 8; i++) emit(p, rnd8()); }
static void bulk(prog *p, int side, int add_only, int n, int base, int mask) {
    emit(p, 7); emit(p, side); emit(p, add_only); emit_rng(p); emit16(p, n - 1); emit16(p, base); emit16(p, mask);
}
static void snapshot(prog *p, int slot) { emit(p, 10); emit(p, slot); }
static void viewer(prog *p, int org, int muni, int region) { emit(p, org - 1); emit(p, muni); emit(p, region); }
static void query(prog *p, int dir, int slot, int eng, int id, int k) {
    emit(p, dir == 0 ? 13 : 15); emit(p, slot); emit(p, eng); viewer(p, 1 + rnd8() % 5, rnd8() % 7, rnd8() % 3);
    emit16(p, id); emit(p, k - 1);
}
static void batch(prog *p, int slot, int eng, int kc, int kv, int region) {
    emit(p, 16); emit(p, slot); emit(p, eng); viewer(p, 1 + rnd8() % 5, rnd8() % 7, rnd8() % 3);
    emit(p, kc - 1); emit(p, kv - 1);
    if (region) { emit(p, 0); emit(p, region - 1); } else emit(p, 1);
}
static void sync_op(prog *p, int nc, int nv, int ncd, int nvd) {
    emit(p, 8); emit_rng(p); emit(p, nc); emit(p, nv); emit(p, ncd); emit(p, nvd); emit16(p, 0x3FF); emit16(p, 0x1FF);
    for (int i = 0; i < ncd + nvd; i++) emit16(p, rnd8() % 320);
}

static void api_seeds(void) {
    prog p;
    /* 1: a pool over two chunks, snapshots, updates, queries, batches */
    memset(&p, 0, sizeof p);
    emit(&p, 3); /* dim 4 */
    bulk(&p, 0, 1, 300, 4, 0x3FF);
    bulk(&p, 1, 1, 40, 10, 0x1FF);
    snapshot(&p, 0);
    bulk(&p, 0, 0, 100, 200, 0x3FF);
    query(&p, 0, 0, 0, 10, 5);
    query(&p, 1, 4, 1, 50, 5);
    batch(&p, 0, 1, 5, 3, 0);
    sync_op(&p, 20, 5, 4, 2);
    batch(&p, 4, 0, 3, 3, 1);
    put("api", "structured-1", p.b, p.n);
    /* 2: small pool, removals and re-adds, explanations */
    memset(&p, 0, sizeof p);
    emit(&p, 1);
    bulk(&p, 0, 1, 30, 0, 0x2FF);
    bulk(&p, 1, 1, 8, 0, 0x0FF);
    snapshot(&p, 1);
    emit(&p, 5); emit(&p, 2); emit16(&p, 0); emit16(&p, 7); emit16(&p, 14); /* remove 4 candidates */
    bulk(&p, 0, 0, 12, 3, 0x3FF);
    for (int i = 0; i < 6; i++) {
        emit(&p, 18); emit(&p, 4); viewer(&p, 1 + i % 4, i % 7, i % 3); emit(&p, i & 1); emit16(&p, i * 7); emit16(&p, i * 7 + 1);
    }
    batch(&p, 1, 0, 10, 10, 0);
    put("api", "structured-2", p.b, p.n);
    /* random programs */
    for (int s = 0; s < 4; s++) {
        size_t n = 300 + 400 * (size_t)s;
        uint8_t *b = malloc(n);
        for (size_t i = 0; i < n; i++) b[i] = rnd8();
        char name[32];
        snprintf(name, sizeof name, "random-%d", s);
        put("api", name, b, n);
        free(b);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    root = argv[1];
    mkdir(root, 0755);
    travel_seeds();
    pg_seeds();
    api_seeds();
    printf("gen_seeds: wrote the corpora under %s\n", root);
    return 0;
}
