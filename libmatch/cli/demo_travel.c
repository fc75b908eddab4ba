/* The demo's travel model: zone matrices (docs/travel.md, section 3) over
 * every demo zone, so that travel between Texel and the mainland goes by the
 * TESO ferry instead of the straight line over the Marsdiep that the
 * geometric estimate would draw.
 *
 * A matrix decides every pair whose two zones are in it, so it must hold the
 * mainland zones as well. Their cells are the library's own geometric
 * estimate between zone centroids (lm_travel_minutes), rounded to whole
 * minutes; within a zone, the estimate for 1 km (a typical trip inside a PC4
 * area). So on the mainland the matrix only changes how positions are taken
 * (zone centroid instead of the person's point, at most ~1 km apart), while
 * every trip between Texel and the mainland is
 *
 *   estimate(zone -> harbour) + waiting + boarding + crossing + estimate(harbour -> zone)
 *
 * for every mode (walk, bike, public transport and car all use the ferry; a
 * car drives on board, a bike is taken along, a bus meets the ferry).
 *
 * Figures (TESO, Den Helder - 't Horntje; www.teso.nl, timetable 2024):
 * - crossing 20 minutes (TESO states about 20 minutes);
 * - waiting 15 minutes: the ferry sails every hour, every half hour at busy
 *   times; a commuter plans for the timetable, so we take half of a
 *   30-minute headway (assumption);
 * - boarding 10 minutes: at the quay before departure and driving off after
 *   arrival (assumption; TESO asks cars to be there in time for boarding).
 * The harbour positions are the ferry terminals (approximate, WGS84). */
#include "demo_data.h"

#include <math.h>
#include <stdlib.h>

const demo_crossing demo_crossings[] = {
    {"TESO ferry Den Helder - Texel", 448, 53.0010, 4.7930, 52.9640, 4.7810, DEMO_FERRY_CROSSING_MIN,
     DEMO_FERRY_WAIT_MIN, DEMO_FERRY_BOARDING_MIN},
};
const size_t demo_n_crossings = sizeof demo_crossings / sizeof demo_crossings[0];

const demo_crossing *demo_zone_crossing(int32_t pc4) {
    const demo_zone *z = demo_zone_find(pc4);
    if (!z) return NULL;
    for (size_t i = 0; i < demo_n_crossings; i++)
        if (demo_crossings[i].island == z->municipality) return &demo_crossings[i];
    return NULL;
}

int demo_crossing_fixed_minutes(const demo_crossing *c) {
    return c->crossing_min + c->wait_min + c->boarding_min;
}

/* Whole minutes for a matrix cell: 255 (unreachable) beyond 254. */
static uint8_t cell(double minutes) {
    if (!(minutes < 254.5)) return 255;
    return (uint8_t)floor(minutes + 0.5);
}

/* Minutes from zone a to zone b by mode m with the geometric estimate of t,
 * through the ferry when exactly one of them is on an island. */
static int zone_minutes(double *out, const lm_travel *t, int32_t m, const demo_zone *a, const demo_zone *b) {
    const demo_crossing *ca = demo_zone_crossing(a->pc4), *cb = demo_zone_crossing(b->pc4);
    int st;
    if (a == b) /* a trip inside the zone: 1 km north */
        return lm_travel_minutes(out, t, m, 0, a->lat, a->lon, 0, a->lat + 1.0 / 111.32, a->lon);
    if (ca == cb) return lm_travel_minutes(out, t, m, 0, a->lat, a->lon, 0, b->lat, b->lon);
    /* one island: to its harbour, over, from the mainland harbour (or back) */
    const demo_crossing *c = ca ? ca : cb;
    double leg1, leg2;
    if (ca) {
        if ((st = lm_travel_minutes(&leg1, t, m, 0, a->lat, a->lon, 0, c->island_lat, c->island_lon)) ||
            (st = lm_travel_minutes(&leg2, t, m, 0, c->main_lat, c->main_lon, 0, b->lat, b->lon)))
            return st;
    } else {
        if ((st = lm_travel_minutes(&leg1, t, m, 0, a->lat, a->lon, 0, c->main_lat, c->main_lon)) ||
            (st = lm_travel_minutes(&leg2, t, m, 0, c->island_lat, c->island_lon, 0, b->lat, b->lon)))
            return st;
    }
    *out = leg1 + demo_crossing_fixed_minutes(c) + leg2;
    return LM_OK;
}

int demo_travel_create(lm_travel **out) {
    if (!out) return LM_ERR_NULL;
    *out = NULL;
    lm_travel *t = NULL;
    size_t n = demo_n_zones;
    int32_t *zones = malloc(n * sizeof *zones);
    uint8_t *mins = malloc(n * n);
    int st = zones && mins ? lm_travel_create(&t) : LM_ERR_NOMEM;
    for (size_t i = 0; !st && i < n; i++) zones[i] = demo_zones[i].pc4;
    for (int32_t m = 0; !st && m < LM_MODE_COUNT; m++) {
        for (size_t i = 0; !st && i < n; i++)
            for (size_t j = 0; !st && j < n; j++) {
                double x;
                if (!(st = zone_minutes(&x, t, m, &demo_zones[i], &demo_zones[j]))) mins[i * n + j] = cell(x);
            }
        if (!st) st = lm_travel_set_matrix(t, m, zones, n, mins);
    }
    free(zones);
    free(mins);
    if (st) {
        lm_travel_free(t);
        return st;
    }
    *out = t;
    return LM_OK;
}
