/* Tests of the embedded demo data (libmatch/cli/demo_*.c). The sources are
 * included directly so the test needs neither the library nor a Makefile
 * change; no lm_ function is called. */
#include "../../libmatch/cli/demo_data.c"
#include "../../libmatch/cli/demo_geo.c"

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static demo_data dflt; /* the default demo, generated once per test */

static void gen_default(void) {
    cr_assert_eq(demo_generate(&dflt, DEMO_DEFAULT_SEED, DEMO_DEFAULT_DIM, DEMO_DEFAULT_CANDIDATES,
                               DEMO_DEFAULT_VACANCIES), 0);
}
static void free_default(void) { demo_free(&dflt); }

static double share(size_t k, size_t n) { return 100.0 * (double)k / (double)n; }

/* Calls f(ptr, bytes, name, user) for every column of d. */
typedef void (*col_fn)(const void *p, size_t bytes, const char *name, void *user);
static void each_column(const demo_data *d, col_fn f, void *user) {
    size_t nc = d->n_candidates, nv = d->n_vacancies, dim = d->dim;
#define COL(field, per_row)                                                                \
    f(d->field, (strncmp(#field, "cand", 4) == 0 ? nc : nv) * (per_row) * sizeof *d->field, \
      #field, user);
    CAND_COLUMNS(COL)
    VAC_COLUMNS(COL)
#undef COL
}

/* FNV-1a over every column: a fingerprint of the whole data set. */
static void fnv_col(const void *p, size_t bytes, const char *name, void *user) {
    (void)name;
    uint64_t *h = user;
    const unsigned char *b = p;
    for (size_t i = 0; i < bytes; i++) *h = (*h ^ b[i]) * UINT64_C(0x100000001B3);
}
static uint64_t fingerprint(const demo_data *d) {
    uint64_t h = UINT64_C(0xCBF29CE484222325);
    each_column(d, fnv_col, &h);
    return h;
}

typedef struct cmp_ctx {
    const demo_data *other;
    size_t k, differing;
} cmp_ctx;
static void cmp_col(const void *p, size_t bytes, const char *name, void *user) {
    cmp_ctx *c = user;
    const void *q = NULL;
    size_t k = 0;
    /* find the same column in the other data set by position */
#define FIND(field, per_row)                                                               \
    if (k++ == c->k) q = c->other->field;
    CAND_COLUMNS(FIND)
    VAC_COLUMNS(FIND)
#undef FIND
    c->k++;
    cr_assert_not_null(p, "%s not allocated", name);
    if (memcmp(p, q, bytes) != 0) c->differing++;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Great-circle distance in metres, for the jitter bound. */
static double dist_m(double la1, double lo1, double la2, double lo2) {
    double r = M_PI / 180, dla = (la2 - la1) * r, dlo = (lo2 - lo1) * r;
    double a = sin(dla / 2) * sin(dla / 2) + cos(la1 * r) * cos(la2 * r) * sin(dlo / 2) * sin(dlo / 2);
    return 2 * 6371008.8 * asin(sqrt(a));
}

static int is_exec_org_of(int64_t org, const demo_municipality *m) {
    return m->exec_org != 0 && org == m->exec_org;
}

/* ---- geography ---------------------------------------------------------- */

Test(demo_geo, regions_and_municipalities) {
    cr_assert_eq(demo_n_regions, 3);
    cr_assert_str_eq(demo_region_find(1)->name, "Noord-Holland Noord");
    cr_assert_str_eq(demo_region_find(2)->name, "Zuid-Kennemerland en IJmond");
    cr_assert_str_eq(demo_region_find(3)->name, "Amersfoort");
    cr_assert_null(demo_region_find(4));
    cr_assert_eq(demo_n_municipalities, 31);
    /* README lists, per region */
    static const int32_t r1[] = {361, 373, 383, 1980, 399, 450, 400, 1911, 441, 448, 405, 388, 1598, 420, 432, 498, 532};
    static const int32_t r2[] = {375, 396, 453, 377, 392, 397, 473};
    static const int32_t r3[] = {307, 308, 313, 342, 327, 267, 351};
    for (size_t i = 0; i < sizeof r1 / sizeof r1[0]; i++) cr_assert_eq(demo_municipality_find(r1[i])->region, 1);
    for (size_t i = 0; i < 7; i++) cr_assert_eq(demo_municipality_find(r2[i])->region, 2);
    for (size_t i = 0; i < 7; i++) cr_assert_eq(demo_municipality_find(r3[i])->region, 3);
    cr_assert_str_eq(demo_municipality_find(361)->name, "Alkmaar");
    cr_assert_eq(demo_municipality_find(361)->population, 111766);
    cr_assert_null(demo_municipality_find(363)); /* Amsterdam is not in the demo */
    for (size_t i = 0; i < demo_n_municipalities; i++) {
        const demo_municipality *m = &demo_municipalities[i];
        cr_assert(m->population > 0 && m->lat > 52.0 && m->lat < 53.2 && m->lon > 4.4 && m->lon < 5.6, "%s", m->name);
        if (m->exec_org) cr_assert_eq(demo_exec_org_find(m->exec_org)->region, m->region, "%s", m->name);
        cr_assert_str_eq(demo_org_name(demo_municipal_org(m->code)), m->name);
    }
    cr_assert_eq(demo_municipal_org(361), 100361);
}

Test(demo_geo, zones) {
    cr_assert(demo_n_zones > 250, "only %zu zones", demo_n_zones);
    size_t covered = 0;
    for (size_t i = 0; i < demo_n_municipalities; i++) {
        const demo_municipality *m = &demo_municipalities[i];
        cr_assert(m->zone_count >= 1, "%s has no zone", m->name);
        cr_assert_eq(m->zone_first, covered, "%s: zones not contiguous", m->name);
        for (uint32_t k = 0; k < m->zone_count; k++) {
            const demo_zone *z = &demo_zones[m->zone_first + k];
            cr_assert_eq(z->municipality, m->code);
            cr_assert(z->pc4 >= 1000 && z->pc4 <= 9999);
            /* a zone centroid lies within ~25 km of its municipality's point */
            cr_assert(dist_m(z->lat, z->lon, m->lat, m->lon) < 25000, "PC4 %d far from %s", z->pc4, m->name);
            if (k) cr_assert(z->pc4 > demo_zones[m->zone_first + k - 1].pc4, "PC4 order");
        }
        covered += m->zone_count;
    }
    cr_assert_eq(covered, demo_n_zones);
    for (size_t i = 0; i < demo_n_zones; i++)
        cr_assert_eq(demo_zone_find(demo_zones[i].pc4), &demo_zones[i], "PC4 %d twice", demo_zones[i].pc4);
    /* merged municipalities got their old zones: Heerhugowaard and Langedijk */
    cr_assert_eq(demo_zone_find(1701)->municipality, 1980);
    cr_assert_eq(demo_zone_find(1721)->municipality, 1980);
    cr_assert(demo_municipality_find(1980)->zone_count >= 10);
    cr_assert_eq(demo_zone_find(1811)->municipality, 361);
    cr_assert_null(demo_zone_find(1012)); /* Amsterdam */
}

Test(demo_geo, today_is_2026_11_23) {
    /* days from civil (Howard Hinnant), independent of the constant */
    int y = 2026, m = 11, d = 23; /* month > 2: no shift of the year */
    int era = y / 400, yoe = y - era * 400;
    int doy = (153 * (m - 3) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    cr_assert_eq(era * 146097 + doe - 719468, DEMO_TODAY);
}

/* ---- arguments and determinism ------------------------------------------ */

Test(demo_data, bad_arguments) {
    demo_data d;
    memset(&d, 0xAB, sizeof d);
    cr_assert_eq(demo_generate(&d, 1, 0, 10, 10), -2);
    cr_assert_null(d.cand.id, "output zeroed on error");
    cr_assert_eq(demo_generate(&d, 1, 8, 0, 10), -2);
    cr_assert_eq(demo_generate(&d, 1, 8, 10, 0), -2);
    cr_assert_eq(demo_generate(&d, 1, LM_MAX_DIM + 1, 10, 10), -2);
    cr_assert_eq(demo_generate(&d, 1, 8, (size_t)LM_MAX_ROWS + 1, 10), -2);
    cr_assert_eq(demo_generate(NULL, 1, 8, 10, 10), -2);
    demo_free(NULL);
    demo_free(&d); /* zeroed struct */
    demo_free(&d);
}

Test(demo_data, same_seed_same_bytes, .init = gen_default, .fini = free_default) {
    demo_data again;
    cr_assert_eq(demo_generate(&again, DEMO_DEFAULT_SEED, DEMO_DEFAULT_DIM, DEMO_DEFAULT_CANDIDATES,
                               DEMO_DEFAULT_VACANCIES), 0);
    cmp_ctx c = {&again, 0, 0};
    each_column(&dflt, cmp_col, &c);
    cr_assert_eq(c.differing, 0, "%zu columns differ for the same seed", c.differing);
    demo_free(&again);

    demo_data other;
    cr_assert_eq(demo_generate(&other, DEMO_DEFAULT_SEED + 1, DEMO_DEFAULT_DIM, DEMO_DEFAULT_CANDIDATES,
                               DEMO_DEFAULT_VACANCIES), 0);
    cmp_ctx c2 = {&other, 0, 0};
    each_column(&dflt, cmp_col, &c2);
    /* ids are positional and so equal; everything random must differ */
    cr_assert_gt(c2.differing, 30, "only %zu columns differ for another seed", c2.differing);
    cr_assert_neq(memcmp(dflt.cand.vectors, other.cand.vectors, 32 * sizeof(float)), 0);
    demo_free(&other);
}

/* Pins the bytes of the default demo so a platform or compiler that computes
 * differently is caught; update only when the generator changes on purpose. */
#define DEFAULT_FINGERPRINT UINT64_C(0x850ab2977dc4a8d7)
Test(demo_data, fingerprint_of_default, .init = gen_default, .fini = free_default) {
    uint64_t h = fingerprint(&dflt);
    cr_assert_eq(h, DEFAULT_FINGERPRINT, "fingerprint 0x%016llx", (unsigned long long)h);
}

Test(demo_data, streams_independent) {
    /* more vacancies do not change the candidates */
    demo_data a, b;
    cr_assert_eq(demo_generate(&a, 7, 16, 500, 100), 0);
    cr_assert_eq(demo_generate(&b, 7, 16, 500, 300), 0);
    cr_assert_eq(memcmp(a.cand.vectors, b.cand.vectors, 500 * 16 * sizeof(float)), 0);
    cr_assert_eq(memcmp(a.cand.groups, b.cand.groups, 500 * sizeof(uint32_t)), 0);
    demo_free(&a);
    demo_free(&b);
}

Test(demo_data, tiny_sizes) {
    demo_data d;
    cr_assert_eq(demo_generate(&d, 3, 1, 1, 1), 0);
    cr_assert(isfinite(d.cand.vectors[0]) && isfinite(d.vac.vectors[0]));
    demo_free(&d);
    /* 31 rows: every municipality exactly one */
    cr_assert_eq(demo_generate(&d, 3, 4, 31, 31), 0);
    for (size_t i = 0; i < demo_n_municipalities; i++) {
        size_t nc = 0, nv = 0;
        for (size_t r = 0; r < 31; r++) {
            nc += d.cand.municipality[r] == demo_municipalities[i].code;
            nv += d.vac.municipality[r] == demo_municipalities[i].code;
        }
        cr_assert_eq(nc, 1);
        cr_assert_eq(nv, 1);
    }
    demo_free(&d);
}

/* ---- contents ----------------------------------------------------------- */

Test(demo_data, candidate_ranges, .init = gen_default, .fini = free_default) {
    const demo_candidates *c = &dflt.cand;
    size_t n = dflt.n_candidates, dim = dflt.dim;
    int64_t *ids = malloc(n * sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        const demo_municipality *m = demo_municipality_find(c->municipality[i]);
        cr_assert_not_null(m, "row %zu municipality %d", i, c->municipality[i]);
        cr_assert_eq(c->region[i], m->region);
        const demo_zone *z = demo_zone_find(c->zone[i]);
        cr_assert(z && z->municipality == m->code, "row %zu zone %d", i, c->zone[i]);
        cr_assert(isfinite(c->lat[i]) && isfinite(c->lon[i]));
        cr_assert_lt(dist_m(c->lat[i], c->lon[i], z->lat, z->lon), 1000.0);
        cr_assert(c->owner_org[i] == demo_municipal_org(m->code) || is_exec_org_of(c->owner_org[i], m));
        cr_assert(c->groups[i] != 0 && (c->groups[i] & ~(uint32_t)LM_GROUP_ALL) == 0);
        /* bijstand for everyone but nug, never both */
        cr_assert_eq(!!(c->groups[i] & LM_GROUP_BIJSTAND), !(c->groups[i] & LM_GROUP_NUG));
        cr_assert(c->readiness[i] >= LM_READY_A && c->readiness[i] <= LM_READY_E);
        cr_assert(c->loonwaarde[i] >= 0 && c->loonwaarde[i] <= 200);
        for (size_t k = 0; k < dim; k++) cr_assert(isfinite(c->vectors[i * dim + k]));
        cr_assert_eq(c->flags[i] & ~UINT64_C(7), 0);
        cr_assert(c->hours_min[i] >= 8 && c->hours_min[i] <= 24 && c->hours_max[i] >= 24 &&
                  c->hours_max[i] <= 40 && c->hours_min[i] <= c->hours_max[i]);
        uint8_t base = (1u << LM_MODE_WALK) | (1u << LM_MODE_BIKE) | (1u << LM_MODE_PT);
        uint8_t want = base | ((c->flags[i] & DEMO_FLAG_LICENCE) ? (1u << LM_MODE_CAR) : 0);
        cr_assert_eq(c->modes[i], want, "car iff licence");
        float mm = c->max_minutes[i];
        cr_assert(isfinite(mm) && (mm == 0 || (mm >= 30 && mm <= 75)), "max_minutes %g", (double)mm);
        cr_assert(c->available_from[i] >= DEMO_TODAY - 365 && c->available_from[i] <= DEMO_TODAY + 90);
        cr_assert_leq(c->scope[i], LM_SCOPE_NATIONAL);
        cr_assert(c->priority[i] == 0.0f || c->priority[i] == 1.0f);
        cr_assert_lt(c->family[i], DEMO_N_FAMILIES);
        ids[i] = c->id[i];
    }
    qsort(ids, n, sizeof *ids, cmp_i64);
    for (size_t i = 1; i < n; i++) cr_assert_neq(ids[i], ids[i - 1], "duplicate id %lld", (long long)ids[i]);
    cr_assert_gt(ids[0], 0);
    free(ids);
}

Test(demo_data, vacancy_ranges, .init = gen_default, .fini = free_default) {
    const demo_vacancies *v = &dflt.vac;
    size_t n = dflt.n_vacancies, dim = dflt.dim;
    int64_t *ids = malloc(n * sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        const demo_municipality *m = demo_municipality_find(v->municipality[i]);
        cr_assert_not_null(m);
        cr_assert_eq(v->region[i], m->region);
        const demo_zone *z = demo_zone_find(v->zone[i]);
        cr_assert(z && z->municipality == m->code);
        cr_assert_lt(dist_m(v->lat[i], v->lon[i], z->lat, z->lon), 1000.0);
        cr_assert_gt(v->employer_id[i], 0);
        for (size_t k = 0; k < dim; k++) {
            cr_assert(isfinite(v->vectors[i * dim + k]));
            float w = v->weights[i * dim + k];
            cr_assert(w >= 0.5f && w <= 2.0f, "weight %g", (double)w);
        }
        cr_assert_eq(v->required_flags[i] & ~UINT64_C(7), 0);
        cr_assert(v->hours_min[i] >= 0 && v->hours_max[i] <= 80 && v->hours_min[i] < v->hours_max[i]);
        cr_assert(v->slots[i] >= 1 && v->slots[i] <= 5);
        cr_assert(v->accepted_groups[i] != 0 && (v->accepted_groups[i] & ~(uint32_t)LM_GROUP_ALL) == 0);
        cr_assert(v->min_loonwaarde[i] >= 0 && v->min_loonwaarde[i] <= 80);
        cr_assert(v->max_readiness[i] >= LM_READY_B && v->max_readiness[i] <= LM_READY_E);
        cr_assert(v->open_until[i] > DEMO_TODAY && v->open_until[i] <= DEMO_TODAY + 120);
        cr_assert_lt(v->family[i], DEMO_N_FAMILIES);
        ids[i] = v->id[i];
    }
    qsort(ids, n, sizeof *ids, cmp_i64);
    for (size_t i = 1; i < n; i++) cr_assert_neq(ids[i], ids[i - 1]);
    /* no vacancy id equals a candidate id */
    cr_assert_gt(ids[0], dflt.cand.id[dflt.n_candidates - 1]);
    free(ids);
}

Test(demo_data, candidate_shares, .init = gen_default, .fini = free_default) {
    const demo_candidates *c = &dflt.cand;
    size_t n = dflt.n_candidates;
    size_t rd[6] = {0}, reg = 0, besch = 0, besch_far = 0, wsw = 0, nug = 0, sh = 0, lic = 0, b1 = 0, vca = 0,
           nolimit = 0, prio = 0, scope[4] = {0}, lw100_ab = 0, ab = 0, reg_lw_ok = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t g = c->groups[i];
        rd[c->readiness[i]]++;
        reg += !!(g & LM_GROUP_BANENAFSPRAAK);
        besch += !!(g & LM_GROUP_NIEUW_BESCHUT);
        besch_far += (g & LM_GROUP_NIEUW_BESCHUT) && c->readiness[i] >= LM_READY_C;
        wsw += !!(g & LM_GROUP_WSW);
        nug += !!(g & LM_GROUP_NUG);
        sh += !!(g & LM_GROUP_STATUSHOUDER);
        lic += !!(c->flags[i] & DEMO_FLAG_LICENCE);
        b1 += !!(c->flags[i] & DEMO_FLAG_DUTCH_B1);
        vca += !!(c->flags[i] & DEMO_FLAG_VCA);
        nolimit += c->max_minutes[i] == 0;
        prio += c->priority[i] > 0;
        scope[c->scope[i]]++;
        if (c->readiness[i] <= LM_READY_B) {
            ab++;
            lw100_ab += c->loonwaarde[i] == 100;
        }
        if (g & (LM_GROUP_BANENAFSPRAAK | LM_GROUP_NIEUW_BESCHUT))
            reg_lw_ok += c->loonwaarde[i] >= 30 && c->loonwaarde[i] <= 80;
    }
    /* README: 12% A, 26% B, 62% C-E */
    cr_assert(fabs(share(rd[1], n) - 12) <= 2, "A %.1f%%", share(rd[1], n));
    cr_assert(fabs(share(rd[2], n) - 26) <= 2, "B %.1f%%", share(rd[2], n));
    cr_assert(fabs(share(rd[3] + rd[4] + rd[5], n) - 62) <= 2, "C-E %.1f%%", share(rd[3] + rd[4] + rd[5], n));
    cr_assert(rd[3] > rd[4] && rd[4] > rd[5], "C > D > E");
    cr_assert(share(reg, n) >= 28 && share(reg, n) <= 38, "register %.1f%%", share(reg, n));
    cr_assert(share(besch, n) >= 3.5 && share(besch, n) <= 6.5, "beschut %.1f%%", share(besch, n));
    cr_assert_gt(besch_far * 10, besch * 8, "beschut mostly C-E");
    cr_assert(share(wsw, n) >= 1 && share(wsw, n) <= 3, "wsw %.1f%%", share(wsw, n));
    cr_assert(share(nug, n) >= 3 && share(nug, n) <= 10, "nug %.1f%%", share(nug, n));
    cr_assert(fabs(share(sh, n) - 10) <= 2, "statushouder %.1f%%", share(sh, n));
    cr_assert(fabs(share(lic, n) - 45) <= 3, "licence %.1f%%", share(lic, n));
    cr_assert(fabs(share(b1, n) - 70) <= 3, "B1 %.1f%%", share(b1, n));
    cr_assert(fabs(share(vca, n) - 15) <= 3, "VCA %.1f%%", share(vca, n));
    cr_assert(fabs(share(nolimit, n) - 60) <= 3, "no own limit %.1f%%", share(nolimit, n));
    cr_assert(fabs(share(prio, n) - 20) <= 3, "priority %.1f%%", share(prio, n));
    cr_assert(fabs(share(scope[LM_SCOPE_REGION], n) - 75) <= 3);
    cr_assert(fabs(share(scope[LM_SCOPE_MUNICIPALITY], n) - 15) <= 2);
    cr_assert(fabs(share(scope[LM_SCOPE_NATIONAL], n) - 5) <= 1.5);
    cr_assert(fabs(share(scope[LM_SCOPE_ORG], n) - 5) <= 1.5);
    cr_assert_gt(lw100_ab * 10, ab * 7, "most A/B at loonwaarde 100");
    cr_assert_eq(reg_lw_ok, reg, "register people at 30-80");
}

Test(demo_data, pools_per_region, .init = gen_default, .fini = free_default) {
    size_t n = dflt.n_candidates, per_muni[64] = {0}, per_region[4] = {0};
    for (size_t i = 0; i < n; i++) {
        const demo_municipality *m = demo_municipality_find(dflt.cand.municipality[i]);
        per_muni[m - demo_municipalities]++;
        per_region[m->region]++;
    }
    for (size_t i = 0; i < demo_n_municipalities; i++)
        cr_assert_gt(per_muni[i], 0, "%s has no candidates", demo_municipalities[i].name);
    size_t bev = per_muni[demo_municipality_find(375) - demo_municipalities];
    size_t hee = per_muni[demo_municipality_find(396) - demo_municipalities];
    size_t vel = per_muni[demo_municipality_find(453) - demo_municipalities];
    size_t ijmond = bev + hee + vel;
    /* README: IJmond 877 / 729 / 1312 (2,918), Alkmaar region about 3,700 of 8,000 */
    cr_assert(fabs((double)ijmond - 2918) <= 30, "IJmond %zu", ijmond);
    cr_assert(fabs(share(bev, ijmond) - 100.0 * 877 / 2918) <= 1);
    cr_assert(fabs(share(hee, ijmond) - 100.0 * 729 / 2918) <= 1);
    cr_assert(fabs(share(vel, ijmond) - 100.0 * 1312 / 2918) <= 1);
    cr_assert(fabs((double)per_region[1] - 3700) <= 40, "NHN %zu", per_region[1]);
    cr_assert_gt(per_region[3], 600, "Amersfoort region %zu", per_region[3]);
    /* population order inside a region: Alkmaar > Bergen, Amersfoort > Woudenberg */
    cr_assert_gt(per_muni[demo_municipality_find(361) - demo_municipalities],
                 per_muni[demo_municipality_find(373) - demo_municipalities]);
    cr_assert_gt(per_muni[demo_municipality_find(307) - demo_municipalities],
                 per_muni[demo_municipality_find(351) - demo_municipalities]);
}

Test(demo_data, vacancy_shares, .init = gen_default, .fini = free_default) {
    const demo_vacancies *v = &dflt.vac;
    size_t n = dflt.n_vacancies, garantie = 0, beschut = 0, one_slot = 0, per_muni[64] = {0};
    const uint32_t regular = LM_GROUP_BIJSTAND | LM_GROUP_NUG | LM_GROUP_STATUSHOUDER | LM_GROUP_BANENAFSPRAAK;
    for (size_t i = 0; i < n; i++) {
        uint32_t a = v->accepted_groups[i];
        if (a == LM_GROUP_BANENAFSPRAAK) garantie++;
        else if (a == LM_GROUP_NIEUW_BESCHUT) {
            beschut++;
            cr_assert_eq(v->max_readiness[i], LM_READY_E);
        } else {
            cr_assert_eq(a, regular);
            cr_assert(v->max_readiness[i] == LM_READY_B || v->max_readiness[i] == LM_READY_C);
        }
        one_slot += v->slots[i] == 1;
        per_muni[demo_municipality_find(v->municipality[i]) - demo_municipalities]++;
    }
    cr_assert(fabs(share(garantie, n) - 8) <= 2, "garantiebanen %.1f%%", share(garantie, n));
    cr_assert(fabs(share(beschut, n) - 4) <= 1.5, "beschut places %.1f%%", share(beschut, n));
    cr_assert(fabs(share(one_slot, n) - 70) <= 3, "one slot %.1f%%", share(one_slot, n));
    for (size_t i = 0; i < demo_n_municipalities; i++) cr_assert_gt(per_muni[i], 0);
    /* central cities weigh 1.5x: Haarlem gets more than its population share */
    size_t haarlem = per_muni[demo_municipality_find(392) - demo_municipalities];
    size_t velsen = per_muni[demo_municipality_find(453) - demo_municipalities];
    cr_assert_gt(haarlem * 68617, velsen * 162543);
}

static double cosine(const float *a, const float *b, size_t dim) {
    double ab = 0, aa = 0, bb = 0;
    for (size_t k = 0; k < dim; k++) {
        ab += (double)a[k] * b[k];
        aa += (double)a[k] * a[k];
        bb += (double)b[k] * b[k];
    }
    return ab / sqrt(aa * bb);
}

Test(demo_data, competence_discriminates, .init = gen_default, .fini = free_default) {
    /* Mean cosine of candidates to vacancies of the same family is high, to
     * other families low: the latent families are what matching should find. */
    size_t dim = dflt.dim;
    double same = 0, other = 0, norm = 0;
    size_t ns = 0, no = 0;
    for (size_t i = 0; i < 400; i++) {
        const float *cv = dflt.cand.vectors + i * dim;
        for (size_t k = 0; k < dim; k++) norm += (double)cv[k] * cv[k];
        for (size_t j = 0; j < 300; j++) {
            double cs = cosine(cv, dflt.vac.vectors + j * dim, dim);
            if (dflt.cand.family[i] == dflt.vac.family[j]) same += cs, ns++;
            else other += cs, no++;
        }
    }
    same /= (double)ns;
    other /= (double)no;
    norm = sqrt(norm / 400);
    cr_assert_gt(same, 0.6, "same-family cosine %.3f", same);
    cr_assert_lt(other, 0.1, "other-family cosine %.3f", other);
    cr_assert(norm > 0.7 && norm < 1.6, "vector norm %.3f", norm);
}

Test(demo_data, cols_helpers, .init = gen_default, .fini = free_default) {
    lm_candidate_cols c;
    lm_vacancy_cols v;
    memset(&c, 0, sizeof c);
    memset(&v, 0, sizeof v);
    demo_candidate_cols(&dflt, &c);
    demo_vacancy_cols(&dflt, &v);
    cr_assert_eq(c.struct_size, sizeof c);
    cr_assert_eq(v.struct_size, sizeof v);
    cr_assert_eq(c.dim, dflt.dim);
    cr_assert_eq(v.dim, dflt.dim);
    cr_assert(c.id == dflt.cand.id && c.owner_org == dflt.cand.owner_org && c.municipality == dflt.cand.municipality &&
              c.region == dflt.cand.region && c.zone == dflt.cand.zone && c.lat == dflt.cand.lat &&
              c.lon == dflt.cand.lon && c.groups == dflt.cand.groups && c.readiness == dflt.cand.readiness &&
              c.loonwaarde == dflt.cand.loonwaarde && c.vectors == dflt.cand.vectors && c.flags == dflt.cand.flags &&
              c.hours_min == dflt.cand.hours_min && c.hours_max == dflt.cand.hours_max && c.modes == dflt.cand.modes &&
              c.max_minutes == dflt.cand.max_minutes && c.available_from == dflt.cand.available_from &&
              c.scope == dflt.cand.scope && c.priority == dflt.cand.priority);
    cr_assert(v.id == dflt.vac.id && v.employer_id == dflt.vac.employer_id && v.municipality == dflt.vac.municipality &&
              v.region == dflt.vac.region && v.zone == dflt.vac.zone && v.lat == dflt.vac.lat && v.lon == dflt.vac.lon &&
              v.vectors == dflt.vac.vectors && v.weights == dflt.vac.weights &&
              v.required_flags == dflt.vac.required_flags && v.hours_min == dflt.vac.hours_min &&
              v.hours_max == dflt.vac.hours_max && v.slots == dflt.vac.slots &&
              v.accepted_groups == dflt.vac.accepted_groups && v.min_loonwaarde == dflt.vac.min_loonwaarde &&
              v.max_readiness == dflt.vac.max_readiness && v.open_until == dflt.vac.open_until);
}
