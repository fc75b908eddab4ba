/* Deterministic benchmark data: candidates and vacancies placed in real PC4
 * zones (nl_pc4_2017.tsv, weighted by municipal population), competence
 * vectors from O*NET occupation skill profiles (onet_skill_profiles.csv) plus
 * noise; or, when the shared data directory is absent, a synthetic world of
 * the same shape. Same seed, same sizes: same data, on every machine. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "lmb.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "libmatch/libmatch.h"

double lmb_gauss(uint64_t *s) {
    double u1 = lmb_unif(s), u2 = lmb_unif(s);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* ---- reading the shared files -------------------------------------------- */
static char *slurp(const char *dir, const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    if (b) b[n] = 0;
    fclose(f);
    return b;
}

/* Split s (modified in place) on sep; returns the field count. */
static int split(char *s, char sep, char **f, int max) {
    int n = 0;
    f[n++] = s;
    for (char *p = s; *p && n < max; p++)
        if (*p == sep) {
            *p = 0;
            f[n++] = p + 1;
        }
    return n;
}

static const char *const provinces[] = {"Drenthe", "Flevoland", "Friesland", "Gelderland", "Groningen", "Limburg",
                                        "Noord-Brabant", "Noord-Holland", "Overijssel", "Utrecht", "Zeeland",
                                        "Zuid-Holland"};
/* Three labour-market regions named in the shared README (2017 codes: Dijk en
 * Waard was Heerhugowaard 398 and Langedijk 416). Other zones get their
 * province (1..12) as a stand-in region. */
static const int nhn[] = {361, 373, 383, 398, 416, 1980, 399, 450, 400, 1911, 441, 448, 405, 388, 1598, 420, 432, 498, 532};
static const int zkij[] = {375, 396, 453, 377, 392, 397, 473};
static const int amf[] = {307, 308, 313, 342, 327, 267, 351};

static int in_list(int x, const int *l, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (l[i] == x) return 1;
    return 0;
}

static int region_of(int muni, const char *prov) {
    if (in_list(muni, nhn, sizeof nhn / sizeof *nhn)) return LMB_REGION_NHN;
    if (in_list(muni, zkij, sizeof zkij / sizeof *zkij)) return LMB_REGION_NHN + 1;
    if (in_list(muni, amf, sizeof amf / sizeof *amf)) return LMB_REGION_NHN + 2;
    for (int i = 0; i < 12; i++)
        if (!strcmp(prov, provinces[i])) return i + 1;
    return 13;
}

static int load_real(lmb_world *w, const char *dir) {
    char *pc = slurp(dir, "nl_pc4_2017.tsv"), *gm = slurp(dir, "nl_gemeenten_2024.tsv"),
         *on = slurp(dir, "onet_skill_profiles.csv");
    int ok = pc && gm && on;
    if (!ok) goto out;
    /* municipal population by CBS number */
    static double pop[10000];
    memset(pop, 0, sizeof pop);
    for (char *line = strtok(gm, "\n"); line; line = strtok(NULL, "\n")) {
        char *f[8];
        if (split(line, '\t', f, 8) < 5 || strncmp(f[0], "GM", 2)) continue;
        int code = atoi(f[0] + 2);
        if (code > 0 && code < 10000) pop[code] = atof(f[4]);
    }
    /* zones */
    size_t cap = 5000;
    w->zone = calloc(cap, sizeof *w->zone);
    w->muni = calloc(cap, sizeof *w->muni);
    w->region = calloc(cap, sizeof *w->region);
    w->lat = calloc(cap, sizeof *w->lat);
    w->lon = calloc(cap, sizeof *w->lon);
    w->cum_w = calloc(cap, sizeof *w->cum_w);
    static int seen[10000], per_muni[10000];
    memset(seen, 0, sizeof seen);
    memset(per_muni, 0, sizeof per_muni);
    char *save = NULL;
    int header = 1;
    for (char *line = strtok_r(pc, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[10];
        if (header) {
            header = 0;
            continue;
        }
        if (split(line, '\t', f, 10) < 7) continue;
        int z = atoi(f[0]), m = strncmp(f[4], "GM", 2) ? 0 : atoi(f[4] + 2);
        if (z <= 0 || z >= 10000 || seen[z] || m <= 0 || m >= 10000 || w->nz >= cap) continue; /* first place of a PC4 */
        seen[z] = 1;
        size_t i = w->nz++;
        w->zone[i] = z;
        w->muni[i] = m;
        w->region[i] = region_of(m, f[2]);
        w->lat[i] = atof(f[5]);
        w->lon[i] = atof(f[6]);
        per_muni[m]++;
    }
    /* weight: the municipality's population spread over its zones; a 2017
     * municipality missing from the 2024 list gets the median zone weight */
    double *wz = calloc(w->nz, sizeof *wz), *known = calloc(w->nz, sizeof *known);
    size_t nk = 0;
    for (size_t i = 0; i < w->nz; i++)
        if (pop[w->muni[i]] > 0) known[nk++] = wz[i] = pop[w->muni[i]] / per_muni[w->muni[i]];
    qsort(known, nk, sizeof *known, lmb_cmp_double);
    double med = nk ? known[nk / 2] : 1.0;
    double acc = 0;
    for (size_t i = 0; i < w->nz; i++) w->cum_w[i] = acc += wz[i] > 0 ? wz[i] : med;
    free(wz);
    free(known);
    /* occupations: the last 70 fields of each line are the numbers (titles
     * may contain quoted commas) */
    size_t ocap = 1200;
    w->z = calloc(ocap * LMB_ONET_COLS, sizeof *w->z);
    w->imp = calloc(ocap * 35, sizeof *w->imp);
    header = 1;
    for (char *line = strtok_r(on, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (header) {
            header = 0;
            continue;
        }
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\r' || isspace((unsigned char)line[len - 1]))) line[--len] = 0;
        double v[LMB_ONET_COLS];
        int got = 0;
        char *p = line + len;
        while (got < LMB_ONET_COLS && p > line) {
            char *q = p;
            while (q > line && q[-1] != ',') q--;
            v[LMB_ONET_COLS - 1 - got] = atof(q);
            got++;
            p = q > line ? q - 1 : line;
            if (q > line) *p = 0;
        }
        if (got < LMB_ONET_COLS || w->nocc >= ocap) continue;
        for (int j = 0; j < LMB_ONET_COLS; j++) w->z[w->nocc * LMB_ONET_COLS + j] = (float)v[j];
        for (int j = 0; j < 35; j++) w->imp[w->nocc * 35 + j] = (float)v[j];
        w->nocc++;
    }
    ok = w->nz > 1000 && w->nocc > 100;
out:
    free(pc);
    free(gm);
    free(on);
    return ok;
}

static void make_synthetic(lmb_world *w) {
    uint64_t s = 0x5EED0001ull;
    w->nz = 4000;
    w->zone = calloc(w->nz, sizeof *w->zone);
    w->muni = calloc(w->nz, sizeof *w->muni);
    w->region = calloc(w->nz, sizeof *w->region);
    w->lat = calloc(w->nz, sizeof *w->lat);
    w->lon = calloc(w->nz, sizeof *w->lon);
    w->cum_w = calloc(w->nz, sizeof *w->cum_w);
    double acc = 0;
    for (size_t i = 0; i < w->nz; i++) {
        double la = 50.8 + lmb_unif(&s) * 2.6, lo = 3.6 + lmb_unif(&s) * 3.5;
        w->zone[i] = 1000 + (int32_t)i;
        w->muni[i] = 1 + (int32_t)(i / 12);
        w->lat[i] = la;
        w->lon[i] = lo;
        /* a box around Noord-Holland Noord stands for its region; elsewhere a 6 x 6 grid */
        if (la > 52.5 && la < 53.0 && lo > 4.6 && lo < 5.3) w->region[i] = LMB_REGION_NHN;
        else w->region[i] = 1 + (int32_t)((la - 50.8) / 2.6 * 6) * 6 + (int32_t)((lo - 3.6) / 3.5 * 6);
        w->cum_w[i] = acc += 0.2 + lmb_unif(&s);
    }
    w->nocc = 967;
    w->z = calloc(w->nocc * LMB_ONET_COLS, sizeof *w->z);
    w->imp = calloc(w->nocc * 35, sizeof *w->imp);
    for (size_t o = 0; o < w->nocc; o++) {
        for (int j = 0; j < LMB_ONET_COLS; j++) w->z[o * LMB_ONET_COLS + j] = (float)lmb_gauss(&s);
        for (int j = 0; j < 35; j++) w->imp[o * 35 + j] = (float)(1 + 4 * lmb_unif(&s));
    }
}

int lmb_world_load(lmb_world *w, const char *dir) {
    memset(w, 0, sizeof *w);
    struct stat st;
    if (dir && *dir && stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && load_real(w, dir)) {
        w->real = 1;
        snprintf(w->source, sizeof w->source, "%s", dir);
    } else {
        lmb_world_free(w);
        make_synthetic(w);
        snprintf(w->source, sizeof w->source, "synthetic");
    }
    /* standardise each column over occupations (centre: cosines discriminate) */
    for (int j = 0; j < LMB_ONET_COLS; j++) {
        double m = 0, q = 0;
        for (size_t o = 0; o < w->nocc; o++) m += w->z[o * LMB_ONET_COLS + j];
        m /= (double)w->nocc;
        for (size_t o = 0; o < w->nocc; o++) {
            double x = w->z[o * LMB_ONET_COLS + j] - m;
            q += x * x;
        }
        double sd = sqrt(q / (double)w->nocc);
        if (!(sd > 1e-9)) sd = 1;
        for (size_t o = 0; o < w->nocc; o++)
            w->z[o * LMB_ONET_COLS + j] = (float)((w->z[o * LMB_ONET_COLS + j] - m) / sd);
    }
    return w->real;
}

void lmb_world_free(lmb_world *w) {
    free(w->zone);
    free(w->muni);
    free(w->region);
    free(w->lat);
    free(w->lon);
    free(w->cum_w);
    free(w->z);
    free(w->imp);
    int real = w->real;
    memset(w, 0, sizeof *w);
    w->real = real;
}

/* ---- data sets ------------------------------------------------------------ */
#define ALLOC(p, n) ((p) = calloc((n) ? (n) : 1, sizeof *(p)))

static size_t pick_zone(const double *cum, const size_t *idx, size_t n, uint64_t *s) {
    double u = lmb_unif(s) * cum[n - 1];
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cum[mid] > u) hi = mid;
        else lo = mid + 1;
    }
    return idx[lo];
}

static void unit(float *dst, const float *v, const float *wt, uint32_t d) {
    double n = 0;
    for (uint32_t j = 0; j < d; j++) {
        double x = (double)v[j] * (wt ? wt[j] : 1.0);
        n += x * x;
    }
    n = n > 0 ? 1.0 / sqrt(n) : 0;
    for (uint32_t j = 0; j < d; j++) dst[j] = (float)((double)v[j] * (wt ? wt[j] : 1.0) * n);
}

int lmb_data_make(lmb_data *d, const lmb_world *w, int kind, size_t nc, size_t nv, uint32_t dim, int32_t region_only,
                  uint64_t seed) {
    memset(d, 0, sizeof *d);
    d->kind = kind;
    d->dim = dim;
    d->nc = nc;
    d->nv = nv;
    d->region_only = region_only;
    /* zones to draw from */
    size_t *zi = malloc(w->nz * sizeof *zi), nzi = 0;
    double *cum = malloc(w->nz * sizeof *cum), acc = 0;
    if (!zi || !cum) return -1;
    for (size_t i = 0; i < w->nz; i++) {
        if (region_only > 0 && w->region[i] != region_only) continue;
        acc += w->cum_w[i] - (i ? w->cum_w[i - 1] : 0);
        zi[nzi] = i;
        cum[nzi++] = acc;
    }
    if (!nzi) {
        free(zi);
        free(cum);
        return -1;
    }
    /* a fixed choice of O*NET columns per dimension */
    int perm[LMB_ONET_COLS];
    uint64_t ps = 0xC01u;
    for (int j = 0; j < LMB_ONET_COLS; j++) perm[j] = j;
    for (int j = LMB_ONET_COLS - 1; j > 0; j--) {
        int r = lmb_int(&ps, 0, j), t = perm[j];
        perm[j] = perm[r];
        perm[r] = t;
    }

    ALLOC(d->c_id, nc); ALLOC(d->c_org, nc); ALLOC(d->c_muni, nc); ALLOC(d->c_region, nc); ALLOC(d->c_zone, nc);
    ALLOC(d->c_avail, nc); ALLOC(d->c_lat, nc); ALLOC(d->c_lon, nc); ALLOC(d->c_groups, nc); ALLOC(d->c_ready, nc);
    ALLOC(d->c_modes, nc); ALLOC(d->c_scope, nc); ALLOC(d->c_lw, nc); ALLOC(d->c_hmin, nc); ALLOC(d->c_hmax, nc);
    ALLOC(d->c_maxmin, nc); ALLOC(d->c_prio, nc); ALLOC(d->c_flags, nc); ALLOC(d->c_class, nc);
    ALLOC(d->v_id, nv); ALLOC(d->v_emp, nv); ALLOC(d->v_muni, nv); ALLOC(d->v_region, nv); ALLOC(d->v_zone, nv);
    ALLOC(d->v_slots, nv); ALLOC(d->v_open, nv); ALLOC(d->v_lat, nv); ALLOC(d->v_lon, nv); ALLOC(d->v_hmin, nv);
    ALLOC(d->v_hmax, nv); ALLOC(d->v_minlw, nv); ALLOC(d->v_req, nv); ALLOC(d->v_acc, nv); ALLOC(d->v_maxready, nv);
    ALLOC(d->v_class, nv);
    d->c_vec = malloc(nc * dim * sizeof(float) + 64);
    d->v_vec = malloc(nv * dim * sizeof(float) + 64);
    d->v_w = malloc(nv * dim * sizeof(float) + 64);
    d->cn = malloc(nc * dim * sizeof(float) + 64);
    d->vn = malloc(nv * dim * sizeof(float) + 64);
    if (!d->c_vec || !d->v_vec || !d->v_w || !d->cn || !d->vn || !d->v_class || !d->c_class) return -1;

    uint64_t s = seed * 0x9E3779B97F4A7C15ull + (uint64_t)kind * 7919u + dim;
    const int real = kind == LMB_REAL;
    for (size_t i = 0; i < nc; i++) {
        size_t z = pick_zone(cum, zi, nzi, &s);
        d->c_id[i] = (int64_t)i + 1;
        d->c_muni[i] = w->muni[z];
        d->c_org[i] = w->muni[z]; /* the municipality owns its clients */
        d->c_region[i] = w->region[z];
        d->c_zone[i] = w->zone[z];
        d->c_lat[i] = w->lat[z];
        d->c_lon[i] = w->lon[z];
        d->c_class[i] = (int32_t)(i % LMB_CLASSES);
        size_t occ = lmb_next(&s) % w->nocc;
        for (uint32_t j = 0; j < dim; j++)
            d->c_vec[i * dim + j] = w->z[occ * LMB_ONET_COLS + perm[j % LMB_ONET_COLS]] + (float)(0.6 * lmb_gauss(&s));
        if (!real) {
            d->c_groups[i] = LM_GROUP_BIJSTAND;
            d->c_ready[i] = LM_READY_A;
            d->c_lw[i] = 100;
            d->c_flags[i] = kind == LMB_ELIG ? 1ull << d->c_class[i] : 0;
            d->c_hmin[i] = 0;
            d->c_hmax[i] = 40;
            d->c_modes[i] = 1u << LM_MODE_CAR;
            d->c_maxmin[i] = 0;
            d->c_avail[i] = 0;
            d->c_scope[i] = LM_SCOPE_NATIONAL;
            d->c_prio[i] = 0;
            continue;
        }
        double u = lmb_unif(&s);
        uint32_t g;
        if (u < 0.04) g = LM_GROUP_NIEUW_BESCHUT;
        else if (u < 0.10) g = LM_GROUP_BANENAFSPRAAK | (lmb_unif(&s) < 0.5 ? LM_GROUP_BIJSTAND : 0);
        else if (u < 0.15) g = LM_GROUP_NUG;
        else if (u < 0.16) g = LM_GROUP_WSW;
        else g = LM_GROUP_BIJSTAND | (lmb_unif(&s) < 0.12 ? LM_GROUP_STATUSHOUDER : 0);
        d->c_groups[i] = g;
        u = lmb_unif(&s); /* BBS 2017: 12% A, 26% B, 62% C-E */
        d->c_ready[i] = u < 0.12 ? 1 : u < 0.38 ? 2 : u < 0.63 ? 3 : u < 0.83 ? 4 : 5;
        d->c_lw[i] = (g & (LM_GROUP_NIEUW_BESCHUT | LM_GROUP_BANENAFSPRAAK)) ? (float)lmb_int(&s, 30, 80)
                     : lmb_unif(&s) < 0.1                                     ? (float)lmb_int(&s, 60, 99)
                                                                              : 100.f;
        d->c_flags[i] = (lmb_unif(&s) < 0.45 ? 1u : 0u) | (lmb_unif(&s) < 0.6 ? 2u : 0u) | (lmb_unif(&s) < 0.15 ? 4u : 0u);
        d->c_hmin[i] = (float)(8 * lmb_int(&s, 0, 3));
        d->c_hmax[i] = fminf(40.f, d->c_hmin[i] + (float)lmb_int(&s, 8, 32));
        d->c_modes[i] = (uint8_t)((1u << LM_MODE_WALK) | (1u << LM_MODE_BIKE) | (lmb_unif(&s) < 0.85 ? 1u << LM_MODE_PT : 0) |
                                  (lmb_unif(&s) < 0.35 ? 1u << LM_MODE_CAR : 0));
        d->c_maxmin[i] = lmb_unif(&s) < 0.7 ? 0.f : (float)lmb_int(&s, 30, 90);
        d->c_avail[i] = LMB_AS_OF_DAY + lmb_int(&s, -60, 60);
        d->c_scope[i] = region_only > 0 ? (lmb_unif(&s) < 0.6 ? LM_SCOPE_REGION : LM_SCOPE_NATIONAL) : LM_SCOPE_NATIONAL;
        d->c_prio[i] = (float)lmb_unif(&s);
    }
    for (size_t i = 0; i < nv; i++) {
        size_t z = pick_zone(cum, zi, nzi, &s);
        d->v_id[i] = (int64_t)i + 1;
        d->v_emp[i] = (int64_t)(i / 3) + 1;
        d->v_muni[i] = w->muni[z];
        d->v_region[i] = w->region[z];
        d->v_zone[i] = w->zone[z];
        d->v_lat[i] = w->lat[z];
        d->v_lon[i] = w->lon[z];
        d->v_class[i] = (int32_t)(i % LMB_CLASSES);
        size_t occ = lmb_next(&s) % w->nocc;
        for (uint32_t j = 0; j < dim; j++) {
            int col = perm[j % LMB_ONET_COLS];
            d->v_vec[i * dim + j] = w->z[occ * LMB_ONET_COLS + col] + (float)(0.3 * lmb_gauss(&s));
            d->v_w[i * dim + j] = 0.4f + 0.2f * w->imp[occ * 35 + col % 35]; /* importance 1..5 -> 0.6..1.4 */
        }
        if (!real) {
            d->v_acc[i] = LM_GROUP_ALL;
            d->v_maxready[i] = LM_READY_E;
            d->v_minlw[i] = 0;
            d->v_req[i] = kind == LMB_ELIG ? 1ull << d->v_class[i] : 0;
            d->v_hmin[i] = 0;
            d->v_hmax[i] = 40;
            d->v_slots[i] = 1;
            d->v_open[i] = 1000000;
            continue;
        }
        double u = lmb_unif(&s);
        if (u < 0.12) { /* garantiebaan */
            d->v_acc[i] = LM_GROUP_BANENAFSPRAAK;
            d->v_maxready[i] = 3;
            d->v_minlw[i] = 30;
        } else if (u < 0.17) { /* beschut werk */
            d->v_acc[i] = LM_GROUP_NIEUW_BESCHUT;
            d->v_maxready[i] = 5;
            d->v_minlw[i] = 0;
        } else if (u < 0.25) { /* werkervaringsplek */
            d->v_acc[i] = LM_GROUP_BIJSTAND | LM_GROUP_STATUSHOUDER | LM_GROUP_NUG;
            d->v_maxready[i] = 5;
            d->v_minlw[i] = 0;
        } else { /* regular job, LKS possible for 40% */
            d->v_acc[i] = LM_GROUP_ALL;
            d->v_maxready[i] = lmb_unif(&s) < 0.4 ? 1 : 2;
            d->v_minlw[i] = lmb_unif(&s) < 0.6 ? 100.f : 30.f;
        }
        u = lmb_unif(&s);
        d->v_req[i] = u < 0.5 ? 0 : u < 0.7 ? 1 : u < 0.95 ? 2 : 4;
        d->v_hmin[i] = (float)(8 * lmb_int(&s, 1, 4));
        d->v_hmax[i] = fminf(40.f, d->v_hmin[i] + (float)lmb_int(&s, 0, 8));
        d->v_slots[i] = lmb_int(&s, 1, 3);
        d->v_open[i] = LMB_AS_OF_DAY + lmb_int(&s, 7, 120);
    }
    for (size_t i = 0; i < nc; i++) unit(d->cn + i * dim, d->c_vec + i * dim, NULL, dim);
    for (size_t i = 0; i < nv; i++) unit(d->vn + i * dim, d->v_vec + i * dim, d->v_w + i * dim, dim);
    free(zi);
    free(cum);
    return 0;
}

void lmb_data_free_columns(lmb_data *d) {
    void *ps[] = {d->c_id, d->c_org, d->c_muni, d->c_region, d->c_zone, d->c_avail, d->c_lat, d->c_lon, d->c_groups,
                  d->c_ready, d->c_modes, d->c_scope, d->c_lw, d->c_vec, d->c_hmin, d->c_hmax, d->c_maxmin, d->c_prio,
                  d->c_flags, d->v_id, d->v_emp, d->v_muni, d->v_region, d->v_zone, d->v_slots, d->v_open, d->v_lat,
                  d->v_lon, d->v_vec, d->v_w, d->v_hmin, d->v_hmax, d->v_minlw, d->v_req, d->v_acc, d->v_maxready};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) free(ps[i]);
    d->c_id = d->c_org = NULL;
    d->c_muni = d->c_region = d->c_zone = d->c_avail = NULL;
    d->c_lat = d->c_lon = NULL;
    d->c_groups = NULL;
    d->c_ready = d->c_modes = d->c_scope = NULL;
    d->c_lw = d->c_vec = d->c_hmin = d->c_hmax = d->c_maxmin = d->c_prio = NULL;
    d->c_flags = NULL;
    d->v_id = d->v_emp = NULL;
    d->v_muni = d->v_region = d->v_zone = d->v_slots = d->v_open = NULL;
    d->v_lat = d->v_lon = NULL;
    d->v_vec = d->v_w = d->v_hmin = d->v_hmax = d->v_minlw = NULL;
    d->v_req = NULL;
    d->v_acc = NULL;
    d->v_maxready = NULL;
}

void lmb_data_free(lmb_data *d) {
    lmb_data_free_columns(d);
    free(d->cn);
    free(d->vn);
    free(d->c_class);
    free(d->v_class);
    memset(d, 0, sizeof *d);
}
