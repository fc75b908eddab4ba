/* Embedded, deterministic demo data for `lmatch demo`: the geography of three
 * labour-market regions (demo_geo.c) and a synthetic pool of candidates and
 * vacancies generated from a seed (demo_data.c). Nothing here reads files, so
 * the demo runs on a fresh checkout; the same seed gives the same bytes on
 * every machine. Not part of the library's API. */
#ifndef LMATCH_DEMO_DATA_H
#define LMATCH_DEMO_DATA_H

#include <libmatch/libmatch.h>

#include <stddef.h>
#include <stdint.h>

/* ---- geography (demo_geo.c) ------------------------------------------- */

typedef struct demo_region {
    int32_t id; /* 1 Noord-Holland Noord, 2 Zuid-Kennemerland en IJmond, 3 Amersfoort */
    const char *name;
} demo_region;

/* An executing organisation (uitvoeringsorganisatie) serving several
 * municipalities of one region. */
typedef struct demo_org {
    int64_t id; /* 200000 + region * 100 + k */
    int32_t region;
    const char *name;
    int sheltered; /* 1 for a sheltered company (sociaal werkbedrijf: Wsw, beschut werk) */
} demo_org;

typedef struct demo_municipality {
    int32_t code;       /* CBS code number, GM0361 -> 361 (2024 boundaries) */
    const char *name;
    int32_t region;     /* demo_region.id */
    double lat, lon;    /* representative point, WGS84 */
    int32_t population; /* 2024 */
    int64_t exec_org;   /* executing organisation id, 0 if the municipality executes itself */
    uint32_t zone_first; /* its zones are demo_zones[zone_first .. zone_first + zone_count) */
    uint32_t zone_count; /* >= 1 */
} demo_municipality;

typedef struct demo_zone {
    int32_t pc4;
    int32_t municipality; /* 2024 CBS code number (old codes mapped after mergers) */
    double lat, lon;      /* centroid, WGS84 */
} demo_zone;

extern const demo_region demo_regions[];
extern const size_t demo_n_regions;
extern const demo_org demo_exec_orgs[];
extern const size_t demo_n_exec_orgs;
extern const demo_municipality demo_municipalities[]; /* grouped by region, README order */
extern const size_t demo_n_municipalities;
extern const demo_zone demo_zones[]; /* grouped by municipality, then by PC4 */
extern const size_t demo_n_zones;

/* Lookups; NULL when unknown. */
const demo_region *demo_region_find(int32_t id);
const demo_municipality *demo_municipality_find(int32_t code);
const demo_zone *demo_zone_find(int32_t pc4);
const demo_org *demo_exec_org_find(int64_t id);

/* Organisation ids: every municipality has its own municipal organisation
 * DEMO_MUNICIPAL_ORG_BASE + CBS code (100361 for Alkmaar); executing
 * organisations are 2000xx (demo_exec_orgs). */
#define DEMO_MUNICIPAL_ORG_BASE 100000
int64_t demo_municipal_org(int32_t municipality);
/* The sheltered company serving a municipality, 0 if the demo has none. */
int64_t demo_sheltered_org(int32_t municipality);
/* The region's UWV organisation (owner of the WW clients the WSP places). */
int64_t demo_uwv_org(int32_t region);
/* Name of an organisation: an executing organisation's name, or for a
 * municipal organisation the municipality's name; NULL if unknown. */
const char *demo_org_name(int64_t org);

/* ---- travel (demo_travel.c) ----------------------------------------- */

/* A water crossing between an island municipality and the mainland. */
typedef struct demo_crossing {
    const char *name;
    int32_t island;                 /* CBS code of the island municipality (448 Texel) */
    double island_lat, island_lon;  /* the island's ferry terminal */
    double main_lat, main_lon;      /* the mainland ferry terminal */
    int crossing_min, wait_min, boarding_min;
} demo_crossing;

/* TESO ferry Den Helder - Texel (sources in demo_travel.c). */
#define DEMO_FERRY_CROSSING_MIN 20
#define DEMO_FERRY_WAIT_MIN 15
#define DEMO_FERRY_BOARDING_MIN 10

extern const demo_crossing demo_crossings[];
extern const size_t demo_n_crossings;
/* The crossing serving a zone on an island; NULL for mainland or unknown zones. */
const demo_crossing *demo_zone_crossing(int32_t pc4);
/* Crossing + waiting + boarding minutes: the least any trip over the water takes. */
int demo_crossing_fixed_minutes(const demo_crossing *c);
/* The demo's travel model: the default geometric estimate as zone matrices
 * for all four modes over every demo zone, with trips to and from islands
 * going by ferry. Returns LM_OK or an lm status; free with lm_travel_free(). */
int demo_travel_create(lm_travel **out);

/* ---- region-wide views (demo_views.c) -------------------------------- */

/* The regions' employer service points (WSPs) view the pool as organisation
 * DEMO_WSP_ORG_BASE + region. */
#define DEMO_WSP_ORG_BASE 400000

struct demo_data;
/* What the views need from the demo's run. */
typedef struct demo_view_ctx {
    const struct demo_data *data;
    const lm_snapshot *snap;
    lm_travel *travel;   /* the demo's travel model (shared by the engines) */
    int model;           /* competence model */
    int64_t threads;
    uint32_t k;
    double feasible;     /* the demo's exact feasible pairs (default policy) */
    double props, served; /* the demo's coordinated proposals and vacancies served */
} demo_view_ctx;

/* Exact feasible pairs of one region as its WSP sees them: every vacancy of
 * the region queried on its own with k = LM_MAX_K, so its list holds every
 * feasible candidate. Independent of threads and of the batch's score bound.
 * Returns -1 on error (reported on stderr). */
double demo_feasible_pairs(lm_engine *eng, const lm_snapshot *snap, const struct demo_data *d, int32_t region);
/* Print the floors' effect, the municipal-only comparison, proposals per
 * readiness under the presets and the unmatched view. LM_OK or a status. */
int demo_views(const demo_view_ctx *ctx);

/* ---- synthetic pool (demo_data.c) ------------------------------------- */

#define DEMO_DEFAULT_SEED 20261123u
#define DEMO_DEFAULT_DIM 32u
#define DEMO_DEFAULT_CANDIDATES 21570u /* the reports' pool sizes (demo_data.c, candidate_weights) */
#define DEMO_DEFAULT_VACANCIES 3000u
/* Reference day of the demo: 2026-11-23 as days since 1970-01-01. */
#define DEMO_TODAY 20780
/* Latent occupation families behind the competence vectors. */
#define DEMO_N_FAMILIES 12u

/* Capability flag bits (lm_candidate_cols.flags, lm_vacancy_cols.required_flags). */
#define DEMO_FLAG_LICENCE (UINT64_C(1) << 0) /* driving licence */
#define DEMO_FLAG_DUTCH_B1 (UINT64_C(1) << 1) /* Dutch at level B1 or higher */
#define DEMO_FLAG_VCA (UINT64_C(1) << 2)      /* VCA safety certificate */

/* Ids: candidates DEMO_CANDIDATE_ID_BASE + row + 1, vacancies
 * DEMO_VACANCY_ID_BASE + row + 1; employers DEMO_EMPLOYER_ID_BASE +
 * municipality * 1000 + k. */
#define DEMO_CANDIDATE_ID_BASE INT64_C(1000000000)
#define DEMO_VACANCY_ID_BASE INT64_C(2000000000)
#define DEMO_EMPLOYER_ID_BASE INT64_C(3000000000)

/* Candidate columns, n values each (vectors n * dim), as lm_candidate_cols. */
typedef struct demo_candidates {
    int64_t *id;
    int64_t *owner_org;
    int32_t *municipality;
    int32_t *region;
    int32_t *zone;
    double *lat;
    double *lon;
    uint32_t *groups;
    uint8_t *readiness;
    float *loonwaarde;
    float *vectors;
    uint64_t *flags;
    float *hours_min;
    float *hours_max;
    uint8_t *modes;
    float *max_minutes; /* 0 = no own limit (libmatch.h) */
    int32_t *available_from;
    uint8_t *scope;
    float *priority;
    uint8_t *family; /* latent occupation family (ground truth, not an lm column) */
    uint64_t *needs; /* support needs, lm_need bits */
} demo_candidates;

/* Vacancy columns, n values each (vectors and weights n * dim), as lm_vacancy_cols. */
typedef struct demo_vacancies {
    int64_t *id;
    int64_t *employer_id;
    int32_t *municipality;
    int32_t *region;
    int32_t *zone;
    double *lat;
    double *lon;
    float *vectors;
    float *weights;
    uint64_t *required_flags;
    float *hours_min;
    float *hours_max;
    int32_t *slots;
    uint32_t *accepted_groups;
    float *min_loonwaarde;
    uint8_t *max_readiness;
    int32_t *open_until;
    uint8_t *family; /* latent occupation family (ground truth, not an lm column) */
    uint64_t *offers; /* support offered, lm_need bits */
    uint8_t *kind;    /* enum lm_vacancy_kind */
} demo_vacancies;

typedef struct demo_data {
    uint64_t seed;
    uint32_t dim;
    size_t n_candidates;
    size_t n_vacancies;
    demo_candidates cand;
    demo_vacancies vac;
} demo_data;

/* Fill *out with a synthetic pool. Returns 0, -1 on allocation failure
 * (nothing left allocated, *out zeroed) or -2 on bad arguments (out NULL,
 * dim 0 or > LM_MAX_DIM, a count 0 or > LM_MAX_ROWS). Free with demo_free(). */
int demo_generate(demo_data *out, uint64_t seed, uint32_t dim, size_t n_candidates,
                  size_t n_vacancies);
/* Free the arrays and zero *d; NULL and a zeroed struct are accepted. */
void demo_free(demo_data *d);

/* Point every column of *c (or *v) at d's arrays and set dim; struct_size is
 * the size this code was compiled with. */
void demo_candidate_cols(const demo_data *d, lm_candidate_cols *c);
void demo_vacancy_cols(const demo_data *d, lm_vacancy_cols *v);

/* Short English name of an occupation family, "?" if out of range. */
const char *demo_family_name(unsigned family);

#endif /* LMATCH_DEMO_DATA_H */
