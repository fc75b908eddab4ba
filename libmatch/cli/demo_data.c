/* Synthetic but realistic pool for `lmatch demo`: candidates and vacancies of
 * the three embedded labour-market regions (demo_geo.c).
 *
 * Determinism: the output depends only on the arguments. The generator is a
 * private xoshiro256** (seeded by splitmix64), draws are integers, and the few
 * floating-point steps are single correctly rounded IEEE operations (+, /,
 * sqrt) on exact inputs, never libm transcendentals or a*b+c patterns a
 * compiler could fuse, so every machine with IEEE binary64 arithmetic
 * (FLT_EVAL_METHOD 0: any SSE2/ARM/RISC-V target, not x87) gives the same
 * bytes; test_demo_data.c pins a fingerprint of the default data.
 * Prototypes, candidates and vacancies use separate streams: changing the
 * number of vacancies does not change the candidates, and vice versa.
 *
 * Probabilities are per mille unless said otherwise; where each comes from is
 * noted beside it ("README" = ../shared/data/README.md, "brief" = the demo's
 * specification, otherwise a documented assumption). */
#include "demo_data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- PRNG ------------------------------------------------------------- */

typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static void rng_seed(rng *r, uint64_t seed, uint64_t stream) {
    uint64_t x = seed ^ (stream * UINT64_C(0xD1B54A32D192ED03));
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

static uint64_t rng_next(rng *r) { /* xoshiro256** */
    uint64_t *s = r->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* Uniform in [0, n), n > 0, without modulo bias. */
static uint64_t rng_below(rng *r, uint64_t n) {
    uint64_t lim = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = rng_next(r);
    while (x >= lim);
    return x % n;
}

/* True with probability permille / 1000. */
static int rng_chance(rng *r, unsigned permille) { return rng_below(r, 1000) < permille; }

/* Index drawn from integer weights (any scale). */
static unsigned rng_pick(rng *r, const unsigned *w, unsigned n) {
    uint64_t total = 0;
    for (unsigned i = 0; i < n; i++) total += w[i];
    uint64_t x = rng_below(r, total);
    for (unsigned i = 0; i < n; i++) {
        if (x < w[i]) return i;
        x -= w[i];
    }
    return n - 1;
}

/* Approximately N(0, 1) scaled by 2^17, as an integer: Irwin-Hall sum of
 * twelve 16-bit uniforms (mean 12 * 65535 / 2, sd ~65536), doubled so the
 * mean is an exact integer. Integer-only, hence identical everywhere. */
#define GAUSS_ONE 131072
static int64_t rng_gauss(rng *r) {
    int64_t sum = 0;
    for (int i = 0; i < 3; i++) {
        uint64_t x = rng_next(r);
        for (int k = 0; k < 4; k++) sum += (int64_t)((x >> (16 * k)) & 0xFFFFu);
    }
    return 2 * sum - 12 * INT64_C(65535);
}

/* ---- occupation families ---------------------------------------------- */

static const char *const family_names[DEMO_N_FAMILIES] = {
    "logistics and warehouse", "cleaning and facility", "retail", "hospitality",
    "care and welfare", "construction and installation", "production and assembly",
    "administration and customer service", "green and agriculture", "ICT",
    "childcare and education", "transport and delivery"};

enum {
    F_LOGISTICS = 0, F_CLEANING = 1, F_RETAIL = 2, F_HOSPITALITY = 3, F_CARE = 4,
    F_CONSTRUCTION = 5, F_PRODUCTION = 6, F_ADMIN = 7, F_GREEN = 8, F_ICT = 9,
    F_EDUCATION = 10, F_TRANSPORT = 11
};

/* Assumption: job seekers lean to elementary and vocational work; vacancy
 * demand leans more to care, logistics and ICT. Both sum to 1000. */
static const unsigned family_supply[DEMO_N_FAMILIES] = {120, 130, 110, 100, 90, 70,
                                                        90,  90,  60,  30,  40, 70};
static const unsigned family_demand[DEMO_N_FAMILIES] = {130, 100, 90, 90, 130, 80,
                                                        80,  80,  60, 50, 60,  50};

const char *demo_family_name(unsigned family) {
    return family < DEMO_N_FAMILIES ? family_names[family] : "?";
}

/* ---- placement -------------------------------------------------------- */

/* Metres per degree: latitude, and longitude at 52.0 N (the regions lie at
 * 52.08-53.08 N, where a degree of longitude is shorter, so offsets below
 * never exceed their nominal length). Constants avoid cos() on purpose. */
#define M_PER_DEG_LAT 111320.0
#define M_PER_DEG_LON_52N 68535.0
#define JITTER_M 800 /* brief: < 1 km from the zone centroid */

static void place(rng *r, const demo_zone *z, double *lat, double *lon) {
    int64_t dx, dy;
    do {
        dx = (int64_t)rng_below(r, 2 * JITTER_M + 1) - JITTER_M;
        dy = (int64_t)rng_below(r, 2 * JITTER_M + 1) - JITTER_M;
    } while (dx * dx + dy * dy > (int64_t)JITTER_M * JITTER_M);
    *lat = z->lat + (double)dy / M_PER_DEG_LAT;
    *lon = z->lon + (double)dx / M_PER_DEG_LON_52N;
}

static const demo_zone *random_zone(rng *r, const demo_municipality *m) {
    return &demo_zones[m->zone_first + rng_below(r, m->zone_count)];
}

/* Split n rows over the municipalities in proportion to integer weights
 * (largest remainder, ties to the lower index), then give every municipality
 * (every slot of non-zero weight) at least one row when n allows, taking from
 * the largest. Integer-only. */
static void apportion(size_t *count, const uint64_t *w, size_t nm, size_t n) {
    uint64_t total = 0, rem[64];
    unsigned char used[64] = {0};
    size_t given = 0;
    for (size_t i = 0; i < nm; i++) total += w[i];
    for (size_t i = 0; i < nm; i++) {
        count[i] = (size_t)((uint64_t)n * w[i] / total);
        rem[i] = (uint64_t)n * w[i] % total;
        given += count[i];
    }
    for (; given < n; given++) { /* fewer than nm rounds */
        size_t best = nm;
        for (size_t i = 0; i < nm; i++)
            if (!used[i] && (best == nm || rem[i] > rem[best])) best = i;
        used[best] = 1;
        count[best]++;
    }
    size_t nonzero = 0;
    for (size_t i = 0; i < nm; i++) nonzero += w[i] != 0;
    if (n < nonzero) return;
    for (size_t i = 0; i < nm; i++) {
        if (count[i] > 0 || w[i] == 0) continue; /* a slot without weight stays empty */
        size_t big = 0;
        for (size_t j = 1; j < nm; j++)
            if (count[j] > count[big]) big = j;
        count[big]--;
        count[i]++;
    }
}

#define MAX_MUNI 64 /* capacity of apportion()'s scratch: 2 slots per municipality, the table has 31 */

static int is_code(int32_t code, const int32_t *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (list[i] == code) return 1;
    return 0;
}

/* Candidate weights, as people times 1e6, in 2 * nm slots: slot i is the
 * Participatiewet clients of municipality i, slot nm + i its WW clients. With
 * DEMO_DEFAULT_CANDIDATES (their sum, rounded) every figure below is met to
 * within a person. Sources (issue 14, from the regional reports):
 * - Alkmaar region (Halte Werk and BUCH: Alkmaar, Dijk en Waard, Bergen,
 *   Castricum, Heiloo, Uitgeest): about 3,700 Participatiewet clients,
 *   spread over these six by population.
 * - IJmond: 877 / 729 / 1,312 Participatiewet clients in Beverwijk /
 *   Heemskerk / Velsen at the end of 2023, and 1,118 WW clients next to
 *   them (spread over the three by population).
 * - Baarn, Bunschoten, Soest: 357, 171 and 793 benefits in 2017.
 * - Every other municipality (no figure in the reports): its population
 *   times the rate of the documented municipalities of its own region
 *   (Noord-Holland Noord 3,700 / 304,129 inhabitants, Zuid-Kennemerland en
 *   IJmond 2,918 / 149,671, Amersfoort 1,321 / 93,692; assumption).
 * - WW clients only where a figure exists (IJmond): none invented elsewhere. */
#define DOC_ALKMAAR 3700u
static const int32_t alkmaar_six[6] = {361, 1980, 373, 383, 399, 450};
static const struct {
    int32_t code;
    uint64_t people;
} documented[6] = {{375, 877}, {396, 729}, {453, 1312}, {308, 357}, {313, 171}, {342, 793}};
#define DOC_IJMOND_WW 1118u

static uint64_t documented_people(int32_t code) {
    for (size_t k = 0; k < 6; k++)
        if (documented[k].code == code) return documented[k].people;
    return 0;
}

static void candidate_weights(uint64_t *w) {
    const size_t nm = demo_n_municipalities;
    const uint64_t unit = 1000000;
    uint64_t pop_six = 0, pop_ijm = 0, doc_people[4] = {0}, doc_pop[4] = {0};
    for (size_t i = 0; i < nm; i++) {
        const demo_municipality *m = &demo_municipalities[i];
        uint64_t pop = (uint64_t)m->population, d = documented_people(m->code);
        if (is_code(m->code, alkmaar_six, 6)) pop_six += pop;
        if (m->code == 375 || m->code == 396 || m->code == 453) pop_ijm += pop;
        if (is_code(m->code, alkmaar_six, 6)) d = 0; /* added as a block below */
        if (d) doc_people[m->region] += d, doc_pop[m->region] += pop;
    }
    doc_people[1] += DOC_ALKMAAR;
    doc_pop[1] += pop_six;
    for (size_t i = 0; i < nm; i++) {
        const demo_municipality *m = &demo_municipalities[i];
        uint64_t pop = (uint64_t)m->population, d = documented_people(m->code);
        if (is_code(m->code, alkmaar_six, 6)) w[i] = DOC_ALKMAAR * unit * pop / pop_six;
        else if (d) w[i] = d * unit;
        else w[i] = doc_people[m->region] * unit * pop / doc_pop[m->region];
        int ijm = m->code == 375 || m->code == 396 || m->code == 453;
        w[nm + i] = ijm ? DOC_IJMOND_WW * unit * pop / pop_ijm : 0;
    }
}

/* Vacancy weights: population, times 1.5 in the central cities where jobs
 * concentrate (brief: more in Alkmaar, Hoorn, Haarlem, Amersfoort). */
static void vacancy_weights(uint64_t *w) {
    static const int32_t central[4] = {361, 405, 392, 307};
    for (size_t i = 0; i < demo_n_municipalities; i++) {
        const demo_municipality *m = &demo_municipalities[i];
        w[i] = (uint64_t)m->population * (is_code(m->code, central, 4) ? 3u : 2u);
    }
}

/* Row -> municipality index: apportioned counts, shuffled so rows (and ids)
 * do not cluster by municipality. */
static void assign_municipalities(uint16_t *row_muni, size_t n, const uint64_t *w, size_t nslots, rng *r) {
    size_t count[MAX_MUNI], k = 0;
    apportion(count, w, nslots, n);
    for (size_t i = 0; i < nslots; i++)
        for (size_t j = 0; j < count[i]; j++) row_muni[k++] = (uint16_t)i;
    for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
        size_t j = (size_t)rng_below(r, i);
        uint16_t t = row_muni[i - 1];
        row_muni[i - 1] = row_muni[j];
        row_muni[j] = t;
    }
}

/* ---- competence vectors ----------------------------------------------- */

/* Family prototypes in GAUSS_ONE units, centred over the families so that
 * cosines between different families sit near -1/11 instead of sharing a
 * common direction. */
static void make_prototypes(int64_t *proto, uint32_t dim, rng *r) {
    for (size_t f = 0; f < DEMO_N_FAMILIES; f++)
        for (size_t d = 0; d < dim; d++) proto[f * dim + d] = rng_gauss(r);
    for (size_t d = 0; d < dim; d++) {
        int64_t sum = 0;
        for (size_t f = 0; f < DEMO_N_FAMILIES; f++) sum += proto[f * dim + d];
        int64_t mean = sum / (int64_t)DEMO_N_FAMILIES;
        for (size_t f = 0; f < DEMO_N_FAMILIES; f++) proto[f * dim + d] -= mean;
    }
}

/* One exact division per component: integer / (2^17 * sqrt(dim)) makes the
 * vectors unit-ish (norm ~1) whatever dim is. */
static float to_unit(int64_t v, double scale) { return (float)((double)v / scale); }

/* ---- allocation ------------------------------------------------------- */

#define CAND_COLUMNS(X)                                                                    \
    X(cand.id, 1) X(cand.owner_org, 1) X(cand.municipality, 1) X(cand.region, 1)           \
    X(cand.zone, 1) X(cand.lat, 1) X(cand.lon, 1) X(cand.groups, 1) X(cand.readiness, 1)   \
    X(cand.loonwaarde, 1) X(cand.vectors, dim) X(cand.flags, 1) X(cand.hours_min, 1)       \
    X(cand.hours_max, 1) X(cand.modes, 1) X(cand.max_minutes, 1)                           \
    X(cand.available_from, 1) X(cand.scope, 1) X(cand.priority, 1) X(cand.family, 1)      \
    X(cand.needs, 1)
#define VAC_COLUMNS(X)                                                                     \
    X(vac.id, 1) X(vac.employer_id, 1) X(vac.municipality, 1) X(vac.region, 1)             \
    X(vac.zone, 1) X(vac.lat, 1) X(vac.lon, 1) X(vac.vectors, dim) X(vac.weights, dim)     \
    X(vac.required_flags, 1) X(vac.hours_min, 1) X(vac.hours_max, 1) X(vac.slots, 1)       \
    X(vac.accepted_groups, 1) X(vac.min_loonwaarde, 1) X(vac.max_readiness, 1)             \
    X(vac.open_until, 1) X(vac.family, 1) X(vac.offers, 1) X(vac.kind, 1)

void demo_free(demo_data *d) {
    if (!d) return;
#define FREE_COL(field, per_row) free(d->field);
    CAND_COLUMNS(FREE_COL)
    VAC_COLUMNS(FREE_COL)
#undef FREE_COL
    memset(d, 0, sizeof *d);
}

/* calloc so that every byte is defined even if a column were left unwritten. */
static int alloc_columns(demo_data *d, uint32_t dim) {
    size_t nc = d->n_candidates, nv = d->n_vacancies;
    int ok = 1;
#define ALLOC_CAND(field, per_row)                                                         \
    if (ok) ok = (d->field = calloc(nc * (per_row), sizeof *d->field)) != NULL;
#define ALLOC_VAC(field, per_row)                                                          \
    if (ok) ok = (d->field = calloc(nv * (per_row), sizeof *d->field)) != NULL;
    CAND_COLUMNS(ALLOC_CAND)
    VAC_COLUMNS(ALLOC_VAC)
#undef ALLOC_CAND
#undef ALLOC_VAC
    return ok;
}

/* ---- candidates ------------------------------------------------------- */

static void gen_candidates(demo_data *d, const int64_t *proto, const uint16_t *row_muni, rng *r) {
    demo_candidates *c = &d->cand;
    const uint32_t dim = d->dim;
    const double scale = (double)GAUSS_ONE * sqrt((double)dim);
    for (size_t i = 0; i < d->n_candidates; i++) {
        const size_t nm = demo_n_municipalities;
        const int ww = row_muni[i] >= nm; /* a WW client (candidate_weights) */
        const demo_municipality *m = &demo_municipalities[row_muni[i] % nm];
        const demo_zone *z = random_zone(r, m);
        c->id[i] = DEMO_CANDIDATE_ID_BASE + (int64_t)i + 1;
        c->municipality[i] = m->code;
        c->region[i] = m->region;
        c->zone[i] = z->pc4;
        place(r, z, &c->lat[i], &c->lon[i]);

        /* Readiness, README (BBS 2017): 12% A, 26% B, 62% C-E; the C/D/E split
         * 30/20/12 is the brief's assumption. */
        unsigned rd = (unsigned)rng_below(r, 100);
        uint8_t readiness = rd < 12 ? LM_READY_A : rd < 38 ? LM_READY_B
                          : rd < 68 ? LM_READY_C : rd < 88 ? LM_READY_D : LM_READY_E;
        /* WW clients lost their job recently: 40% A, 40% B, 20% C (assumption). */
        if (ww) readiness = rd < 40 ? LM_READY_A : rd < 80 ? LM_READY_B : LM_READY_C;
        int far = readiness >= LM_READY_C;
        c->readiness[i] = readiness;

        /* Target groups. Doelgroepregister about a third, likelier far from
         * the market (10/30/39% for A/B/C-E gives ~33%). Nieuw beschut and Wsw
         * people are in the register by law; beschut ~5% mostly C-E, Wsw ~2%
         * (closed to newcomers since 2015, so a small old group). nug ~6% have
         * no benefit, everyone else bijstand; statushouder ~10%. */
        unsigned reg_p = readiness == LM_READY_A ? 100 : readiness == LM_READY_B ? 300 : 390;
        int reg = rng_chance(r, reg_p);
        int beschut = reg && readiness != LM_READY_A && rng_chance(r, far ? 180 : 60);
        int wsw = reg && !beschut && readiness != LM_READY_A && rng_chance(r, 70);
        int nug = rng_chance(r, 60);
        int statushouder = rng_chance(r, 100);
        /* Youth under 27: about 10% of the Participatiewet clients (assumption,
         * CBS puts about one in ten bijstand recipients under 27). */
        int young = rng_chance(r, 100);
        uint32_t g = nug ? LM_GROUP_NUG : LM_GROUP_BIJSTAND;
        if (reg) g |= LM_GROUP_BANENAFSPRAAK;
        if (beschut) g |= LM_GROUP_NIEUW_BESCHUT;
        if (wsw) g |= LM_GROUP_WSW;
        if (statushouder) g |= LM_GROUP_STATUSHOUDER;
        if (young) g |= LM_GROUP_JONGERE;
        if (ww) reg = beschut = wsw = nug = statushouder = 0, g = LM_GROUP_WW;
        c->groups[i] = g;

        /* Loonwaarde: register people 30-80% (the "30/80" practice band),
         * others work at full wage value; some far from the market lower. */
        if (reg) c->loonwaarde[i] = (float)(30 + 5 * rng_below(r, 11));
        else if (far && rng_chance(r, 400)) c->loonwaarde[i] = (float)(70 + 5 * rng_below(r, 6));
        else c->loonwaarde[i] = 100.0f;

        /* Competence: own family prototype plus noise of sd 0.6 per unit
         * component (cosine to the own prototype ~0.85); 20% career switchers
         * mix a second family (0.7 / 0.5). */
        unsigned fam = rng_pick(r, family_supply, DEMO_N_FAMILIES);
        unsigned fam2 = rng_chance(r, 200) ? rng_pick(r, family_supply, DEMO_N_FAMILIES) : fam;
        c->family[i] = (uint8_t)fam;
        const int64_t *p1 = proto + (size_t)fam * dim, *p2 = proto + (size_t)fam2 * dim;
        float *vec = c->vectors + i * dim;
        for (size_t k = 0; k < dim; k++) {
            int64_t base = fam2 == fam ? p1[k] : (7 * p1[k] + 5 * p2[k]) / 10;
            vec[k] = to_unit(base + rng_gauss(r) * 3 / 5, scale);
        }

        /* Flags (brief): licence ~45% (90% of drivers' family), Dutch B1+ ~70%
         * (30% of statushouders, who are often still in their language route),
         * VCA ~15% (35% in construction, production, logistics; 7% elsewhere). */
        uint64_t fl = 0;
        if (rng_chance(r, fam == F_TRANSPORT ? 900 : 416)) fl |= DEMO_FLAG_LICENCE;
        if (rng_chance(r, statushouder ? 300 : 744)) fl |= DEMO_FLAG_DUTCH_B1;
        int vca_family = fam == F_CONSTRUCTION || fam == F_PRODUCTION || fam == F_LOGISTICS;
        if (rng_chance(r, vca_family ? 350 : 72)) fl |= DEMO_FLAG_VCA;
        c->flags[i] = fl;

        /* Hours (brief): min 8-24, max 24-40, in steps of 4. */
        c->hours_min[i] = (float)(8 + 4 * rng_below(r, 5));
        c->hours_max[i] = (float)(24 + 4 * rng_below(r, 5));

        /* Travel (brief): walk, bike and public transport for all, car with a
         * licence. 60% have no own limit (0, as libmatch.h defines it; the
         * brief said INFINITY, which the pool rejects as non-finite); 40% have
         * their own 30-75 min limit (health, care duties). */
        c->modes[i] = (uint8_t)((1u << LM_MODE_WALK) | (1u << LM_MODE_BIKE) | (1u << LM_MODE_PT) |
                                ((fl & DEMO_FLAG_LICENCE) ? 1u << LM_MODE_CAR : 0u));
        c->max_minutes[i] = rng_chance(r, 600) ? 0.0f : (float)(30 + 5 * rng_below(r, 10));

        /* Available (assumption): 70% now (since up to a year), 30% after a
         * trajectory ending within 90 days. */
        c->available_from[i] = rng_chance(r, 700) ? DEMO_TODAY - (int32_t)rng_below(r, 366)
                                                  : DEMO_TODAY + 1 + (int32_t)rng_below(r, 90);

        /* Consent scope (brief): region 75%, municipality 15%, national 5%,
         * own organisation 5%. */
        unsigned sc = (unsigned)rng_below(r, 100);
        c->scope[i] = (uint8_t)(sc < 75 ? LM_SCOPE_REGION : sc < 90 ? LM_SCOPE_MUNICIPALITY
                              : sc < 95 ? LM_SCOPE_NATIONAL : LM_SCOPE_ORG);

        /* Owner: the executing organisation where one exists; statushouders
         * (inburgering) and nug (no benefit to execute) stay with the
         * municipality's own organisation. */
        c->owner_org[i] = (m->exec_org && !statushouder && !nug) ? m->exec_org
                                                                : demo_municipal_org(m->code);
        /* Wsw and beschut people work for the sheltered company where there is
         * one (WNK, IJmond Werkt); WW clients belong to UWV. */
        if ((wsw || beschut) && demo_sheltered_org(m->code)) c->owner_org[i] = demo_sheltered_org(m->code);
        if (ww) c->owner_org[i] = demo_uwv_org(m->region);

        /* Priority 1 for long-term bijstand, ~20% (likelier far from the
         * market: 26% of C-E, 13% of A/B, among bijstand). */
        c->priority[i] = (!nug && !ww && rng_chance(r, far ? 260 : 130)) ? 1.0f : 0.0f;

        /* Support needs (assumptions): a job coach for 35% of the register
         * and half of the Wsw/beschut people, 3% otherwise; supervision on
         * the job for 70% of beschut, 50% of Wsw, 15% of D/E; an accessible
         * workplace 3%; daytime only 8% and no weekends 10% (care duties). */
        uint64_t need = 0;
        if (rng_chance(r, (beschut || wsw) ? 500 : reg ? 350 : 30)) need |= LM_NEED_JOB_COACH;
        if (rng_chance(r, beschut ? 700 : wsw ? 500 : readiness >= LM_READY_D ? 150 : 0)) need |= LM_NEED_SUPERVISION;
        if (rng_chance(r, 30)) need |= LM_NEED_ACCESSIBLE;
        if (rng_chance(r, 80)) need |= LM_NEED_DAYTIME_ONLY;
        if (rng_chance(r, 100)) need |= LM_NEED_NO_WEEKENDS;
        c->needs[i] = need;
    }
}

/* ---- vacancies -------------------------------------------------------- */

static void gen_vacancies(demo_data *d, const int64_t *proto, const uint16_t *row_muni, rng *r) {
    demo_vacancies *v = &d->vac;
    const uint32_t dim = d->dim;
    const double scale = (double)GAUSS_ONE * sqrt((double)dim);
    /* Beschut places are simple, supervised work (assumption). */
    static const unsigned beschut_families[4] = {F_CLEANING, F_PRODUCTION, F_GREEN, F_LOGISTICS};
    for (size_t i = 0; i < d->n_vacancies; i++) {
        const demo_municipality *m = &demo_municipalities[row_muni[i]];
        const demo_zone *z = random_zone(r, m);
        v->id[i] = DEMO_VACANCY_ID_BASE + (int64_t)i + 1;
        v->municipality[i] = m->code;
        v->region[i] = m->region;
        v->zone[i] = z->pc4;
        place(r, z, &v->lat[i], &v->lon[i]);

        /* Employers: one per 2,500 inhabitants (at least 3); the lower of two
         * draws makes a few large employers post many vacancies. */
        uint64_t n_emp = (uint64_t)m->population / 2500;
        if (n_emp < 3) n_emp = 3;
        uint64_t e1 = rng_below(r, n_emp), e2 = rng_below(r, n_emp);
        v->employer_id[i] = DEMO_EMPLOYER_ID_BASE + (int64_t)m->code * 1000 + (int64_t)(e1 < e2 ? e1 : e2) + 1;

        /* Kind: 8% garantiebanen, 4% beschut places (brief); 5% work-experience
         * places, 3% participation places, 3% secondments through the
         * sheltered company (assumption); the rest regular. */
        unsigned kr = (unsigned)rng_below(r, 100);
        int kind = kr < 8 ? LM_KIND_GARANTIEBAAN : kr < 12 ? LM_KIND_BESCHUT : kr < 17 ? LM_KIND_WERKERVARINGSPLEK
                 : kr < 20 ? LM_KIND_PARTICIPATIEPLEK : kr < 23 ? LM_KIND_DETACHERING : LM_KIND_REGULAR;
        v->kind[i] = (uint8_t)kind;
        /* Beschut places and secondments are posted by the sheltered company
         * where the municipality has one (WNK, IJmond Werkt). */
        int64_t shelter = demo_sheltered_org(m->code);
        if ((kind == LM_KIND_BESCHUT || kind == LM_KIND_DETACHERING) && shelter)
            v->employer_id[i] = DEMO_EMPLOYER_ID_BASE + shelter;

        unsigned fam = kind == LM_KIND_BESCHUT ? beschut_families[rng_below(r, 4)]
                                            : rng_pick(r, family_demand, DEMO_N_FAMILIES);
        v->family[i] = (uint8_t)fam;

        /* Requirement: prototype plus noise of sd 0.3 (employers describe the
         * job more sharply than a person's history). Importance weights in
         * [0.5, 2], higher where the requirement is pronounced. */
        const int64_t *p = proto + (size_t)fam * dim;
        float *vec = v->vectors + i * dim, *wt = v->weights + i * dim;
        for (size_t k = 0; k < dim; k++) {
            int64_t req = p[k] + rng_gauss(r) * 3 / 10;
            int64_t mag = req < 0 ? -req : req;
            int64_t milli = 500 + 750 * mag / GAUSS_ONE + (int64_t)rng_below(r, 501);
            if (milli > 2000) milli = 2000;
            vec[k] = to_unit(req, scale);
            wt[k] = (float)milli / 1000.0f;
        }

        /* Required flags (assumption): licence for most driving jobs, B1 for
         * office, care, education and ICT work, VCA on building sites; fewer
         * demands for garantiebanen, none for beschut places. */
        uint64_t rf = 0;
        if (kind != LM_KIND_BESCHUT) {
            if (rng_chance(r, fam == F_TRANSPORT ? 900 : 80)) rf |= DEMO_FLAG_LICENCE;
            int language = fam == F_ADMIN || fam == F_CARE || fam == F_EDUCATION || fam == F_ICT;
            if (rng_chance(r, kind == LM_KIND_GARANTIEBAAN ? 150 : language ? 700 : 250))
                rf |= DEMO_FLAG_DUTCH_B1;
            unsigned vca = fam == F_CONSTRUCTION ? 600 : (fam == F_PRODUCTION || fam == F_LOGISTICS) ? 250 : 0;
            if (rng_chance(r, vca)) rf |= DEMO_FLAG_VCA;
        }
        v->required_flags[i] = rf;

        /* Hours (brief): 16-24, 24-32, 32-40 (30% each) and 8-16 (10%);
         * beschut places 16-24 or 24-32. */
        unsigned hr = kind == LM_KIND_BESCHUT ? 1 + (unsigned)rng_below(r, 2)
                                           : (unsigned)rng_pick(r, (const unsigned[4]){10, 30, 30, 30}, 4);
        v->hours_min[i] = (float)(8 + 8 * hr);
        v->hours_max[i] = (float)(16 + 8 * hr);

        /* Slots (brief): 1 in 70%, else 2-5. */
        v->slots[i] = rng_chance(r, 700) ? 1 : 2 + (int32_t)rng_below(r, 4);

        /* Eligibility (brief): garantiebanen for the register only (readiness
         * up to C or D with job coaching, wage-cost subsidy so little minimum
         * loonwaarde); beschut places for nieuw beschut only, any readiness;
         * regular jobs for bijstand, nug, statushouder and register people,
         * readiness B or C, minimum loonwaarde 0 (employer open to LKS, 30%)
         * or 40-80. */
        if (kind == LM_KIND_GARANTIEBAAN) {
            v->accepted_groups[i] = LM_GROUP_BANENAFSPRAAK;
            v->max_readiness[i] = rng_chance(r, 600) ? LM_READY_C : LM_READY_D;
            v->min_loonwaarde[i] = rng_chance(r, 500) ? 0.0f : 30.0f;
        } else if (kind == LM_KIND_BESCHUT) {
            v->accepted_groups[i] = LM_GROUP_NIEUW_BESCHUT;
            v->max_readiness[i] = LM_READY_E;
            v->min_loonwaarde[i] = 0.0f;
        } else if (kind == LM_KIND_WERKERVARINGSPLEK) { /* assumption: a step for those further away */
            v->accepted_groups[i] = LM_GROUP_BIJSTAND | LM_GROUP_NUG | LM_GROUP_STATUSHOUDER |
                                    LM_GROUP_BANENAFSPRAAK | LM_GROUP_JONGERE;
            v->max_readiness[i] = LM_READY_D;
            v->min_loonwaarde[i] = 0.0f;
        } else if (kind == LM_KIND_PARTICIPATIEPLEK) { /* activation, any readiness */
            v->accepted_groups[i] = LM_GROUP_BIJSTAND | LM_GROUP_NUG | LM_GROUP_STATUSHOUDER;
            v->max_readiness[i] = LM_READY_E;
            v->min_loonwaarde[i] = 0.0f;
        } else if (kind == LM_KIND_DETACHERING) { /* the sheltered company's people and the register */
            v->accepted_groups[i] = LM_GROUP_WSW | LM_GROUP_NIEUW_BESCHUT | LM_GROUP_BANENAFSPRAAK |
                                    LM_GROUP_BIJSTAND;
            v->max_readiness[i] = LM_READY_D;
            v->min_loonwaarde[i] = rng_chance(r, 500) ? 0.0f : 30.0f;
        } else {
            v->accepted_groups[i] = LM_GROUP_BIJSTAND | LM_GROUP_NUG | LM_GROUP_STATUSHOUDER |
                                    LM_GROUP_BANENAFSPRAAK | LM_GROUP_WW | LM_GROUP_JONGERE;
            v->max_readiness[i] = rng_chance(r, 550) ? LM_READY_B : LM_READY_C;
            v->min_loonwaarde[i] = rng_chance(r, 300) ? 0.0f : (float)(40 + 10 * rng_below(r, 5));
        }

        /* Support offered, per mille per kind (assumption): job coach,
         * supervision, accessible, daytime only, no weekends. A sheltered
         * place offers all of it. */
        static const unsigned offer_pm[LM_KIND_COUNT][5] = {
            [LM_KIND_REGULAR] = {100, 100, 250, 600, 500},
            [LM_KIND_GARANTIEBAAN] = {800, 400, 400, 700, 600},
            [LM_KIND_BESCHUT] = {1000, 1000, 1000, 1000, 1000},
            [LM_KIND_WERKERVARINGSPLEK] = {500, 800, 300, 800, 700},
            [LM_KIND_PARTICIPATIEPLEK] = {300, 900, 500, 900, 800},
            [LM_KIND_DETACHERING] = {700, 300, 300, 600, 500}};
        static const uint64_t offer_bit[5] = {LM_NEED_JOB_COACH, LM_NEED_SUPERVISION, LM_NEED_ACCESSIBLE,
                                              LM_NEED_DAYTIME_ONLY, LM_NEED_NO_WEEKENDS};
        uint64_t off = 0;
        for (int b = 0; b < 5; b++)
            if (rng_chance(r, offer_pm[kind][b])) off |= offer_bit[b];
        if (v->hours_max[i] <= 20.0f) off |= LM_NEED_PART_TIME; /* part-time under 20 hours */
        v->offers[i] = off;

        /* Open for another 1-17 weeks (assumption): all open on DEMO_TODAY. */
        v->open_until[i] = DEMO_TODAY + 7 + (int32_t)rng_below(r, 114);
    }
}

/* ---- entry points ----------------------------------------------------- */

int demo_generate(demo_data *out, uint64_t seed, uint32_t dim, size_t n_candidates,
                  size_t n_vacancies) {
    if (!out) return -2;
    memset(out, 0, sizeof *out);
    if (dim == 0 || dim > LM_MAX_DIM || n_candidates == 0 || n_vacancies == 0 ||
        n_candidates > LM_MAX_ROWS || n_vacancies > LM_MAX_ROWS ||
        2 * demo_n_municipalities > MAX_MUNI)
        return -2;
    /* n * dim * sizeof(float) must fit size_t (only a concern on 32-bit). */
    size_t nmax = n_candidates > n_vacancies ? n_candidates : n_vacancies;
    if (nmax > SIZE_MAX / dim / sizeof(double)) return -1;

    out->seed = seed;
    out->dim = dim;
    out->n_candidates = n_candidates;
    out->n_vacancies = n_vacancies;
    int64_t *proto = malloc((size_t)DEMO_N_FAMILIES * dim * sizeof *proto);
    uint16_t *row_muni = malloc(nmax * sizeof *row_muni);
    if (!proto || !row_muni || !alloc_columns(out, dim)) {
        free(proto);
        free(row_muni);
        demo_free(out);
        return -1;
    }

    /* Three streams: see the file comment. */
    rng rp, rc, rv;
    rng_seed(&rp, seed, 1);
    rng_seed(&rc, seed, 2);
    rng_seed(&rv, seed, 3);
    uint64_t w[MAX_MUNI];

    make_prototypes(proto, dim, &rp);
    candidate_weights(w);
    assign_municipalities(row_muni, n_candidates, w, 2 * demo_n_municipalities, &rc);
    gen_candidates(out, proto, row_muni, &rc);
    vacancy_weights(w);
    assign_municipalities(row_muni, n_vacancies, w, demo_n_municipalities, &rv);
    gen_vacancies(out, proto, row_muni, &rv);

    free(proto);
    free(row_muni);
    return 0;
}

void demo_candidate_cols(const demo_data *d, lm_candidate_cols *c) {
    const lm_candidate_cols init = LM_CANDIDATE_COLS_INIT;
    *c = init;
    c->dim = d->dim;
    c->id = d->cand.id;
    c->owner_org = d->cand.owner_org;
    c->municipality = d->cand.municipality;
    c->region = d->cand.region;
    c->zone = d->cand.zone;
    c->lat = d->cand.lat;
    c->lon = d->cand.lon;
    c->groups = d->cand.groups;
    c->readiness = d->cand.readiness;
    c->loonwaarde = d->cand.loonwaarde;
    c->vectors = d->cand.vectors;
    c->flags = d->cand.flags;
    c->hours_min = d->cand.hours_min;
    c->hours_max = d->cand.hours_max;
    c->modes = d->cand.modes;
    c->max_minutes = d->cand.max_minutes;
    c->available_from = d->cand.available_from;
    c->scope = d->cand.scope;
    c->priority = d->cand.priority;
    c->needs = d->cand.needs;
}

void demo_vacancy_cols(const demo_data *d, lm_vacancy_cols *v) {
    const lm_vacancy_cols init = LM_VACANCY_COLS_INIT;
    *v = init;
    v->dim = d->dim;
    v->id = d->vac.id;
    v->employer_id = d->vac.employer_id;
    v->municipality = d->vac.municipality;
    v->region = d->vac.region;
    v->zone = d->vac.zone;
    v->lat = d->vac.lat;
    v->lon = d->vac.lon;
    v->vectors = d->vac.vectors;
    v->weights = d->vac.weights;
    v->required_flags = d->vac.required_flags;
    v->hours_min = d->vac.hours_min;
    v->hours_max = d->vac.hours_max;
    v->slots = d->vac.slots;
    v->accepted_groups = d->vac.accepted_groups;
    v->min_loonwaarde = d->vac.min_loonwaarde;
    v->max_readiness = d->vac.max_readiness;
    v->open_until = d->vac.open_until;
    v->offers = d->vac.offers;
    v->kind = d->vac.kind;
}
