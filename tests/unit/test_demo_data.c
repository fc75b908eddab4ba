/* Tests of the embedded demo data (libmatch/cli/demo_*.c). The sources are
 * included directly so the test needs no Makefile change; only the travel
 * tests call the library (lm_travel_*, lm_engine_*). */
#include "../../libmatch/cli/demo_data.c"
#include "../../libmatch/cli/demo_geo.c"
#include "../../libmatch/cli/demo_travel.c"

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
    return (m->exec_org != 0 && org == m->exec_org) || (org && org == demo_sheltered_org(m->code)) ||
           org == demo_uwv_org(m->region);
}
static int is_ww(const demo_candidates *c, size_t i) { return (c->groups[i] & LM_GROUP_WW) != 0; }

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

Test(demo_geo, organisations_of_the_reports) {
    /* Alkmaar region: Halte Werk (Alkmaar, Dijk en Waard), BUCH (Bergen,
     * Uitgeest, Castricum, Heiloo), WNK the sheltered company of the six */
    static const int32_t halte[] = {361, 1980}, buch[] = {373, 450, 383, 399};
    for (size_t i = 0; i < 2; i++) {
        cr_assert_str_eq(demo_org_name(demo_municipality_find(halte[i])->exec_org), "Halte Werk");
        cr_assert_str_eq(demo_org_name(demo_sheltered_org(halte[i])), "WNK (sheltered company)");
    }
    for (size_t i = 0; i < 4; i++) {
        cr_assert_str_eq(demo_org_name(demo_municipality_find(buch[i])->exec_org), "BUCH werk en inkomen");
        cr_assert_eq(demo_sheltered_org(buch[i]), demo_sheltered_org(361));
    }
    /* IJmond: three municipal services of their own, plus IJmond Werkt */
    static const int32_t ijm[] = {375, 396, 453};
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(demo_municipality_find(ijm[i])->exec_org, 0);
        cr_assert_str_eq(demo_org_name(demo_sheltered_org(ijm[i])), "IJmond Werkt (sheltered company)");
        cr_assert(demo_exec_org_find(demo_sheltered_org(ijm[i]))->sheltered);
    }
    cr_assert_eq(demo_sheltered_org(307), 0);
    for (int32_t r = 1; r <= 3; r++) cr_assert_eq(demo_exec_org_find(demo_uwv_org(r))->region, r);
    size_t n_sheltered = 0;
    for (size_t i = 0; i < demo_n_exec_orgs; i++) n_sheltered += demo_exec_orgs[i].sheltered != 0;
    cr_assert_eq(n_sheltered, 2);
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
#define DEFAULT_FINGERPRINT UINT64_C(0xdc5962ce04c743ee)
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
    /* 34 candidates: every municipality exactly one Participatiewet client,
     * and the three IJmond ones one WW client each; 31 vacancies: one each */
    cr_assert_eq(demo_generate(&d, 3, 4, 34, 31), 0);
    for (size_t i = 0; i < demo_n_municipalities; i++) {
        size_t nc = 0, nw = 0, nv = 0;
        for (size_t r = 0; r < 34; r++) {
            int here = d.cand.municipality[r] == demo_municipalities[i].code;
            if (is_ww(&d.cand, r)) nw += here;
            else nc += here;
        }
        for (size_t r = 0; r < 31; r++) nv += d.vac.municipality[r] == demo_municipalities[i].code;
        int32_t code = demo_municipalities[i].code;
        cr_assert_eq(nc, 1);
        cr_assert_eq(nw, code == 375 || code == 396 || code == 453 ? 1u : 0u, "%s", demo_municipalities[i].name);
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
        cr_assert(c->groups[i] != 0 && (c->groups[i] & ~(uint32_t)LM_GROUP_KNOWN) == 0);
        /* bijstand for everyone but nug and WW, never both; WW clients only WW */
        if (is_ww(c, i)) cr_assert_eq(c->groups[i], LM_GROUP_WW);
        else cr_assert_eq(!!(c->groups[i] & LM_GROUP_BIJSTAND), !(c->groups[i] & LM_GROUP_NUG));
        cr_assert_eq(c->needs[i] & ~UINT64_C(0x1F), 0); /* job coach .. no weekends */
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
        cr_assert(v->accepted_groups[i] != 0 && (v->accepted_groups[i] & ~(uint32_t)LM_GROUP_KNOWN) == 0);
        cr_assert_lt(v->kind[i], LM_KIND_COUNT);
        cr_assert_eq(v->offers[i] & ~UINT64_C(0x3F), 0);
        cr_assert_eq(!!(v->offers[i] & LM_NEED_PART_TIME), v->hours_max[i] <= 20.0f);
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
    size_t nww = 0, young = 0, coach_reg = 0, super_besch = 0;
    for (size_t i = 0; i < dflt.n_candidates; i++) nww += is_ww(c, i);
    n -= nww; /* the shares below are of the Participatiewet clients */
    for (size_t i = 0; i < dflt.n_candidates; i++) {
        uint32_t g = c->groups[i];
        if (is_ww(c, i)) {
            cr_assert(c->readiness[i] <= LM_READY_C && c->priority[i] == 0);
            continue;
        }
        young += !!(g & LM_GROUP_JONGERE);
        coach_reg += (g & LM_GROUP_BANENAFSPRAAK) && !(g & (LM_GROUP_WSW | LM_GROUP_NIEUW_BESCHUT)) &&
                     (c->needs[i] & LM_NEED_JOB_COACH);
        super_besch += (g & LM_GROUP_NIEUW_BESCHUT) && (c->needs[i] & LM_NEED_SUPERVISION);
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
    cr_assert_eq(nww, 1118, "IJmond WW clients %zu", nww);
    cr_assert(fabs(share(young, n) - 10) <= 1.5, "youth %.1f%%", share(young, n));
    cr_assert_gt(coach_reg * 4, reg - besch - wsw, "a job coach for about a third of the register");
    cr_assert_gt(super_besch * 10, besch * 6, "supervision for most beschut people");
}

Test(demo_data, pools_per_region, .init = gen_default, .fini = free_default) {
    /* the reports' figures (demo_data.c, candidate_weights), WW clients apart */
    size_t n = dflt.n_candidates, per_muni[64] = {0}, ww_muni[64] = {0}, per_region[4] = {0};
    for (size_t i = 0; i < n; i++) {
        const demo_municipality *m = demo_municipality_find(dflt.cand.municipality[i]);
        if (is_ww(&dflt.cand, i)) ww_muni[m - demo_municipalities]++;
        else per_muni[m - demo_municipalities]++;
        per_region[m->region]++;
    }
#define PM(code) per_muni[demo_municipality_find(code) - demo_municipalities]
#define WM(code) ww_muni[demo_municipality_find(code) - demo_municipalities]
    for (size_t i = 0; i < demo_n_municipalities; i++)
        cr_assert_gt(per_muni[i], 0, "%s has no candidates", demo_municipalities[i].name);
    /* IJmond 877 / 729 / 1,312 Participatiewet and 1,118 WW at the end of 2023 */
    cr_assert(labs((long)PM(375) - 877) <= 1 && labs((long)PM(396) - 729) <= 1 && labs((long)PM(453) - 1312) <= 1,
              "IJmond %zu %zu %zu", PM(375), PM(396), PM(453));
    cr_assert_eq(WM(375) + WM(396) + WM(453), 1118);
    /* Baarn, Bunschoten, Soest: 357, 171, 793 benefits in 2017 */
    cr_assert(labs((long)PM(308) - 357) <= 1 && labs((long)PM(313) - 171) <= 1 && labs((long)PM(342) - 793) <= 1,
              "BBS %zu %zu %zu", PM(308), PM(313), PM(342));
    /* the Alkmaar region's ~3,700 clients in its six municipalities */
    size_t six = PM(361) + PM(1980) + PM(373) + PM(383) + PM(399) + PM(450);
    cr_assert(labs((long)six - 3700) <= 3, "Alkmaar six %zu", six);
    /* no WW invented where the reports give no figure */
    for (size_t i = 0; i < demo_n_municipalities; i++) {
        int32_t code = demo_municipalities[i].code;
        if (code != 375 && code != 396 && code != 453) cr_assert_eq(ww_muni[i], 0);
    }
    /* others: population times their region's documented rate (Hoorn ~ 73,619 * 3,700 / 304,129) */
    cr_assert(labs((long)PM(405) - 896) <= 2, "Hoorn %zu", PM(405));
    cr_assert_gt(PM(361), PM(373));
    cr_assert_gt(PM(307), PM(351));
    cr_assert_eq(per_region[1] + per_region[2] + per_region[3], n);
#undef PM
#undef WM
}

Test(demo_data, vacancy_shares, .init = gen_default, .fini = free_default) {
    const demo_vacancies *v = &dflt.vac;
    size_t n = dflt.n_vacancies, kinds[LM_KIND_COUNT] = {0}, one_slot = 0, per_muni[64] = {0}, shelter_posts = 0;
    const uint32_t regular = LM_GROUP_BIJSTAND | LM_GROUP_NUG | LM_GROUP_STATUSHOUDER | LM_GROUP_BANENAFSPRAAK |
                             LM_GROUP_WW | LM_GROUP_JONGERE;
    for (size_t i = 0; i < n; i++) {
        uint32_t a = v->accepted_groups[i];
        kinds[v->kind[i]]++;
        switch (v->kind[i]) {
        case LM_KIND_GARANTIEBAAN: cr_assert_eq(a, LM_GROUP_BANENAFSPRAAK); break;
        case LM_KIND_BESCHUT:
            cr_assert_eq(a, LM_GROUP_NIEUW_BESCHUT);
            cr_assert_eq(v->max_readiness[i], LM_READY_E);
            cr_assert_eq(v->offers[i] & 0x1F, 0x1F, "a sheltered place offers every kind of support");
            break;
        case LM_KIND_REGULAR:
            cr_assert_eq(a, regular);
            cr_assert(v->max_readiness[i] == LM_READY_B || v->max_readiness[i] == LM_READY_C);
            break;
        default: cr_assert_eq(a & LM_GROUP_WW, 0, "WW clients only for regular places"); break;
        }
        if (v->kind[i] == LM_KIND_BESCHUT || v->kind[i] == LM_KIND_DETACHERING) {
            int64_t sh = demo_sheltered_org(v->municipality[i]);
            if (sh) {
                cr_assert_eq(v->employer_id[i], DEMO_EMPLOYER_ID_BASE + sh);
                shelter_posts++;
            }
        }
        one_slot += v->slots[i] == 1;
        per_muni[demo_municipality_find(v->municipality[i]) - demo_municipalities]++;
    }
    cr_assert(fabs(share(kinds[LM_KIND_GARANTIEBAAN], n) - 8) <= 2, "garantiebanen %.1f%%",
              share(kinds[LM_KIND_GARANTIEBAAN], n));
    cr_assert(fabs(share(kinds[LM_KIND_BESCHUT], n) - 4) <= 1.5, "beschut places");
    cr_assert(fabs(share(kinds[LM_KIND_WERKERVARINGSPLEK], n) - 5) <= 1.5, "work-experience places");
    cr_assert(fabs(share(kinds[LM_KIND_PARTICIPATIEPLEK], n) - 3) <= 1.5, "participation places");
    cr_assert(fabs(share(kinds[LM_KIND_DETACHERING], n) - 3) <= 1.5, "secondments");
    cr_assert_gt(shelter_posts, 20, "the sheltered companies post places (%zu)", shelter_posts);
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
              c.scope == dflt.cand.scope && c.priority == dflt.cand.priority && c.needs == dflt.cand.needs);
    cr_assert(v.id == dflt.vac.id && v.employer_id == dflt.vac.employer_id && v.municipality == dflt.vac.municipality &&
              v.region == dflt.vac.region && v.zone == dflt.vac.zone && v.lat == dflt.vac.lat && v.lon == dflt.vac.lon &&
              v.vectors == dflt.vac.vectors && v.weights == dflt.vac.weights &&
              v.required_flags == dflt.vac.required_flags && v.hours_min == dflt.vac.hours_min &&
              v.hours_max == dflt.vac.hours_max && v.slots == dflt.vac.slots &&
              v.accepted_groups == dflt.vac.accepted_groups && v.min_loonwaarde == dflt.vac.min_loonwaarde &&
              v.max_readiness == dflt.vac.max_readiness && v.open_until == dflt.vac.open_until &&
              v.offers == dflt.vac.offers && v.kind == dflt.vac.kind);
}

/* ---- travel: the Texel ferry (demo_travel.c) ----------------------------- */

static lm_travel *demo_trav;
static void travel_init(void) { cr_assert_eq(demo_travel_create(&demo_trav), LM_OK); }
static void travel_fini(void) { lm_travel_free(demo_trav); }

static int on_texel(const demo_zone *z) { return z->municipality == 448; }

Test(demo_travel, bad_argument) { cr_assert_eq(demo_travel_create(NULL), LM_ERR_NULL); }

Test(demo_travel, no_trip_over_the_water_skips_the_ferry, .init = travel_init, .fini = travel_fini) {
    const demo_crossing *c = demo_zone_crossing(1791); /* Den Burg */
    cr_assert_not_null(c);
    cr_assert_null(demo_zone_crossing(1781)); /* Den Helder is mainland */
    cr_assert_eq(c->crossing_min, 20);
    int fixed = demo_crossing_fixed_minutes(c);
    cr_assert_eq(fixed, 20 + 15 + 10);
    size_t pairs = 0;
    for (size_t i = 0; i < demo_n_zones; i++)
        for (size_t j = 0; j < demo_n_zones; j++) {
            const demo_zone *a = &demo_zones[i], *b = &demo_zones[j];
            if (on_texel(a) == on_texel(b)) continue;
            for (int32_t m = 0; m < LM_MODE_COUNT; m++) {
                double t;
                /* the zone decides, whatever the coordinates say */
                cr_assert_eq(lm_travel_minutes(&t, demo_trav, m, a->pc4, a->lat, a->lon, b->pc4, b->lat, b->lon),
                             LM_OK);
                cr_assert_geq(t, fixed, "PC4 %d -> %d mode %d: %.0f min, below the ferry's %d", a->pc4, b->pc4, m, t,
                              fixed);
                pairs++;
            }
        }
    cr_assert_eq(pairs, 4 * 2 * 7 * (demo_n_zones - 7));
    /* without the matrix the straight line over the Marsdiep would be far quicker */
    lm_travel *geo;
    cr_assert_eq(lm_travel_create(&geo), LM_OK);
    const demo_zone *horntje = demo_zone_find(1797), *helder = demo_zone_find(1781);
    double straight, ferry;
    lm_travel_minutes(&straight, geo, LM_MODE_CAR, 0, horntje->lat, horntje->lon, 0, helder->lat, helder->lon);
    lm_travel_minutes(&ferry, demo_trav, LM_MODE_CAR, 1797, NAN, NAN, 1781, NAN, NAN);
    cr_assert_lt(straight, 20.0);
    cr_assert_gt(ferry, straight + fixed - 1);
    lm_travel_free(geo);
}

Test(demo_travel, mainland_is_the_estimate_between_centroids, .init = travel_init, .fini = travel_fini) {
    lm_travel *geo;
    cr_assert_eq(lm_travel_create(&geo), LM_OK);
    for (size_t i = 0; i < demo_n_zones; i += 7)
        for (size_t j = 0; j < demo_n_zones; j += 5) {
            const demo_zone *a = &demo_zones[i], *b = &demo_zones[j];
            if (on_texel(a) || on_texel(b) || a == b) continue;
            for (int32_t m = 0; m < LM_MODE_COUNT; m++) {
                double want, got;
                lm_travel_minutes(&want, geo, m, 0, a->lat, a->lon, 0, b->lat, b->lon);
                lm_travel_minutes(&got, demo_trav, m, a->pc4, NAN, NAN, b->pc4, NAN, NAN);
                if (want > 254.5) cr_assert(isinf(got));
                else cr_assert_leq(fabs(got - want), 0.5, "PC4 %d -> %d mode %d", a->pc4, b->pc4, m);
            }
        }
    lm_travel_free(geo);
}

Test(demo_travel, texel_not_proposed_for_alkmaar_or_hoorn_by_car, .init = travel_init, .fini = travel_fini) {
    /* by the minutes: every Texel zone to every Alkmaar and Hoorn zone by car
     * is over the 90-minute policy limit */
    for (size_t i = 0; i < demo_n_zones; i++) {
        if (!on_texel(&demo_zones[i])) continue;
        for (size_t j = 0; j < demo_n_zones; j++) {
            int32_t mu = demo_zones[j].municipality;
            if (mu != 361 && mu != 405) continue;
            double t;
            lm_travel_minutes(&t, demo_trav, LM_MODE_CAR, demo_zones[i].pc4, NAN, NAN, demo_zones[j].pc4, NAN, NAN);
            cr_assert_gt(t, 90.0, "PC4 %d -> %d by car %.0f min", demo_zones[i].pc4, demo_zones[j].pc4, t);
        }
    }
    /* by the engine: the default demo's Noord-Holland Noord batch proposes no
     * Texel resident for a vacancy in Alkmaar or Hoorn, by any mode */
    demo_data d;
    cr_assert_eq(demo_generate(&d, DEMO_DEFAULT_SEED, DEMO_DEFAULT_DIM, DEMO_DEFAULT_CANDIDATES,
                               DEMO_DEFAULT_VACANCIES), 0);
    for (size_t i = 0; i < d.n_candidates; i++) /* a library without the 1.2 groups: 1.0 bits only */
        if (d.cand.groups[i] & ~(uint32_t)LM_GROUP_ALL) d.cand.groups[i] = (d.cand.groups[i] & LM_GROUP_ALL) | LM_GROUP_BIJSTAND;
    for (size_t j = 0; j < d.n_vacancies; j++)
        if (d.vac.accepted_groups[j] & ~(uint32_t)LM_GROUP_ALL)
            d.vac.accepted_groups[j] = (d.vac.accepted_groups[j] & LM_GROUP_ALL) | LM_GROUP_BIJSTAND;
    lm_candidate_cols cc;
    lm_vacancy_cols vc;
    demo_candidate_cols(&d, &cc);
    demo_vacancy_cols(&d, &vc);
    lm_pool *pool;
    lm_snapshot *snap;
    lm_policy *pol;
    lm_engine *eng;
    lm_results *res;
    cr_assert_eq(lm_pool_create(&pool, d.dim), LM_OK);
    cr_assert_eq(lm_pool_add_candidates(pool, &cc, d.n_candidates), LM_OK, "%s", lm_pool_errmsg(pool));
    cr_assert_eq(lm_pool_add_vacancies(pool, &vc, d.n_vacancies), LM_OK, "%s", lm_pool_errmsg(pool));
    cr_assert_eq(lm_pool_snapshot(&snap, pool), LM_OK);
    cr_assert_eq(lm_policy_create(&pol), LM_OK);
    cr_assert_eq(lm_policy_set_f64(pol, LM_POLICY_AS_OF_DAY, DEMO_TODAY), LM_OK);
    cr_assert_eq(lm_engine_create(&eng, pol, demo_trav), LM_OK);
    lm_viewer v = LM_VIEWER_INIT;
    v.org = 400001;
    v.region = 1;
    lm_batch_options o = LM_BATCH_OPTIONS_INIT;
    o.vacancy_region = 1;
    cr_assert_eq(lm_engine_batch(&res, eng, snap, &v, &o), LM_OK);
    size_t n = 0, texel_rows = 0;
    lm_results_count(&n, res, LM_DIR_CANDIDATE);
    lm_match *m = malloc(n * sizeof *m);
    cr_assert_eq(lm_results_copy(m, sizeof *m, n, NULL, res, LM_DIR_CANDIDATE, 0), LM_OK);
    for (size_t i = 0; i < n; i++) {
        if (m[i].candidate_municipality != 448) continue;
        texel_rows++;
        cr_assert(m[i].vacancy_municipality != 361 && m[i].vacancy_municipality != 405,
                  "Texel resident %lld proposed in %d (%s %.0f min)", (long long)m[i].candidate_id,
                  m[i].vacancy_municipality, m[i].travel_mode == LM_MODE_CAR ? "car" : "other",
                  (double)m[i].travel_minutes);
        if (m[i].vacancy_municipality != 448) cr_assert_geq(m[i].travel_minutes, 45.0f);
    }
    cr_assert_gt(texel_rows, 50, "Texel residents still get lists (%zu rows)", texel_rows);
    free(m);
    lm_results_free(res);
    lm_engine_free(eng);
    lm_policy_free(pol);
    lm_snapshot_free(snap);
    lm_pool_free(pool);
    demo_free(&d);
}
