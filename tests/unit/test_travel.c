/* Travel model: defaults, the geometric estimate, matrices, both file
 * formats, and every error path (state unchanged, message set). */
#include <criterion/criterion.h>

#include "internal.h"
#include "libmatch/libmatch.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------ */

static char g_dir[64];

static void dir_setup(void) {
    snprintf(g_dir, sizeof g_dir, "/tmp/lmtravel_XXXXXX");
    cr_assert_not_null(mkdtemp(g_dir), "mkdtemp failed");
}

static void dir_teardown(void) {
    DIR *d = opendir(g_dir);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", g_dir, de->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(g_dir);
}

static void tpath(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/%s", g_dir, name); }

static void write_bytes(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

static void write_text(const char *path, const char *text) { write_bytes(path, text, strlen(text)); }

static size_t read_bytes(const char *path, unsigned char *buf, size_t cap) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static lm_travel *new_travel(void) {
    lm_travel *t = NULL;
    cr_assert_eq(lm_travel_create(&t), LM_OK);
    cr_assert_not_null(t);
    return t;
}

/* Minutes between two zones with unknown positions (matrix only). */
static double zmin(const lm_travel *t, int mode, int32_t a, int32_t b) {
    double v = -1;
    cr_assert_eq(lm_travel_minutes(&v, t, mode, a, NAN, NAN, b, NAN, NAN), LM_OK);
    return v;
}

static double geo(const lm_travel *t, int mode, double la, double lo, double lb, double lob) {
    double v = -1;
    cr_assert_eq(lm_travel_minutes(&v, t, mode, 0, la, lo, 0, lb, lob), LM_OK);
    return v;
}

/* A successful mutating call clears the message, so each error check below
 * proves that this very call set it. */
static void reset_msg(lm_travel *t) {
    double v;
    cr_assert_eq(lm_travel_get_param(&v, t, LM_MODE_WALK, LM_TRAVEL_SPEED_KMH), LM_OK);
    cr_assert_eq(lm_travel_set_param(t, LM_MODE_WALK, LM_TRAVEL_SPEED_KMH, v), LM_OK);
    cr_assert_str_empty(lm_travel_errmsg(t));
}

static void params_of(const lm_travel *t, double out[LM_MODE_COUNT][3]) {
    for (int m = 0; m < LM_MODE_COUNT; m++)
        for (int p = 0; p < 3; p++) cr_assert_eq(lm_travel_get_param(&out[m][p], t, m, p), LM_OK);
}

static void assert_params_eq(const lm_travel *t, double want[LM_MODE_COUNT][3]) {
    double now[LM_MODE_COUNT][3];
    params_of(t, now);
    for (int m = 0; m < LM_MODE_COUNT; m++)
        for (int p = 0; p < 3; p++)
            cr_assert_eq(now[m][p], want[m][p], "param mode %d p %d changed: %g -> %g", m, p, want[m][p],
                         now[m][p]);
}

static const double DOC_PARAMS[LM_MODE_COUNT][3] = {
    {5.0, 1.3, 0.0}, {15.0, 1.3, 2.0}, {30.0, 1.3, 12.0}, {60.0, 1.3, 6.0}};

#define AMS_LAT 52.3728
#define AMS_LON 4.8936
#define HAA_LAT 52.3874
#define HAA_LON 4.6462

/* A reference matrix for mode PT: zones 1012 (Amsterdam) and 2011 (Haarlem). */
static const int32_t REF_ZONES[2] = {1012, 2011};
static const uint8_t REF_MIN[4] = {4, 25, 27, 5};

static void set_ref(lm_travel *t) {
    cr_assert_eq(lm_travel_set_matrix(t, LM_MODE_PT, REF_ZONES, 2, REF_MIN), LM_OK);
}

static void assert_ref(const lm_travel *t) {
    cr_assert(lm__travel_has_matrix(t, LM_MODE_PT));
    cr_assert_eq(zmin(t, LM_MODE_PT, 1012, 2011), 25.0);
    cr_assert_eq(zmin(t, LM_MODE_PT, 2011, 1012), 27.0);
    cr_assert_eq(zmin(t, LM_MODE_PT, 1012, 1012), 4.0);
    cr_assert_eq(zmin(t, LM_MODE_PT, 2011, 2011), 5.0);
}

/* ---- defaults and the geometric estimate ------------------------------- */

Test(travel, create_defaults) {
    lm_travel *t = new_travel();
    double want[LM_MODE_COUNT][3];
    memcpy(want, DOC_PARAMS, sizeof want);
    assert_params_eq(t, want);
    cr_assert_str_empty(lm_travel_errmsg(t));
    for (int m = 0; m < LM_MODE_COUNT; m++) cr_assert_not(lm__travel_has_matrix(t, m));
    lm_travel_free(t);
}

Test(travel, create_null_and_free_null) {
    cr_assert_eq(lm_travel_create(NULL), LM_ERR_NULL);
    lm_travel_free(NULL);
    cr_assert_str_not_empty(lm_travel_errmsg(NULL));
    cr_assert_not(lm__travel_has_matrix(NULL, 0));
    cr_assert_null(lm__travel_ref(NULL));
    lm__travel_freeze(NULL);
}

Test(travel, amsterdam_haarlem) {
    double a[3], b[3];
    lm__latlon_xyz(a, AMS_LAT, AMS_LON);
    lm__latlon_xyz(b, HAA_LAT, HAA_LON);
    double km = lm__xyz_km(a, b);
    cr_assert_float_eq(km, 16.9, 0.3, "Amsterdam-Haarlem %g km", km);
    lm_travel *t = new_travel();
    for (int m = 0; m < LM_MODE_COUNT; m++) {
        double want = DOC_PARAMS[m][2] + km * DOC_PARAMS[m][1] / DOC_PARAMS[m][0] * 60.0;
        double got = geo(t, m, AMS_LAT, AMS_LON, HAA_LAT, HAA_LON);
        cr_assert_float_eq(got, want, 1e-9, "mode %d: %g vs %g", m, got, want);
        cr_assert_float_eq(lm__travel_pair(t, m, 0, a, 0, b), want, 1e-9);
    }
    /* The same numbers written out, against a mistake in both formula copies. */
    cr_assert_float_eq(geo(t, LM_MODE_WALK, AMS_LAT, AMS_LON, HAA_LAT, HAA_LON), 263.6, 5.0);
    cr_assert_float_eq(geo(t, LM_MODE_BIKE, AMS_LAT, AMS_LON, HAA_LAT, HAA_LON), 89.9, 1.6);
    cr_assert_float_eq(geo(t, LM_MODE_PT, AMS_LAT, AMS_LON, HAA_LAT, HAA_LON), 55.9, 0.8);
    cr_assert_float_eq(geo(t, LM_MODE_CAR, AMS_LAT, AMS_LON, HAA_LAT, HAA_LON), 28.0, 0.4);
    lm_travel_free(t);
}

Test(travel, symmetry_and_same_place) {
    static const double pts[][2] = {{AMS_LAT, AMS_LON}, {HAA_LAT, HAA_LON}, {53.2194, 6.5665},
                                    {50.8514, 5.6910}, {51.9244, 4.4777}, {-33.9, 151.2}};
    lm_travel *t = new_travel();
    size_t np = sizeof pts / sizeof pts[0];
    for (int m = 0; m < LM_MODE_COUNT; m++) {
        for (size_t i = 0; i < np; i++) {
            cr_assert_eq(geo(t, m, pts[i][0], pts[i][1], pts[i][0], pts[i][1]), DOC_PARAMS[m][2]);
            for (size_t j = i + 1; j < np; j++) {
                double ab = geo(t, m, pts[i][0], pts[i][1], pts[j][0], pts[j][1]);
                double ba = geo(t, m, pts[j][0], pts[j][1], pts[i][0], pts[i][1]);
                cr_assert_float_eq(ab, ba, 1e-9 * ab, "mode %d %zu<->%zu", m, i, j);
                cr_assert(isfinite(ab) && ab > DOC_PARAMS[m][2]);
            }
        }
    }
    lm_travel_free(t);
}

Test(travel, unknown_position_is_infinite) {
    lm_travel *t = new_travel();
    cr_assert(isinf(geo(t, LM_MODE_CAR, NAN, NAN, HAA_LAT, HAA_LON)));
    cr_assert(isinf(geo(t, LM_MODE_CAR, AMS_LAT, NAN, HAA_LAT, HAA_LON)));
    cr_assert(isinf(geo(t, LM_MODE_CAR, AMS_LAT, AMS_LON, NAN, HAA_LON)));
    cr_assert(isinf(geo(t, LM_MODE_CAR, NAN, NAN, NAN, NAN)));
    double a[3];
    lm__latlon_xyz(a, AMS_LAT, AMS_LON);
    cr_assert(isinf(lm__travel_pair(t, LM_MODE_CAR, 0, a, 0, NULL)));
    cr_assert(isinf(lm__travel_pair(t, LM_MODE_COUNT, 0, a, 0, a)));
    cr_assert(isinf(lm__travel_pair(t, -1, 0, a, 0, a)));
    cr_assert(isinf(lm__travel_pair(NULL, 0, 0, a, 0, a)));
    lm_travel_free(t);
}

Test(travel, set_param_changes_estimate) {
    lm_travel *t = new_travel();
    cr_assert_eq(lm_travel_set_param(t, LM_MODE_CAR, LM_TRAVEL_SPEED_KMH, 120.0), LM_OK);
    cr_assert_eq(lm_travel_set_param(t, LM_MODE_CAR, LM_TRAVEL_DETOUR, 1.0), LM_OK);
    cr_assert_eq(lm_travel_set_param(t, LM_MODE_CAR, LM_TRAVEL_ACCESS_MIN, 10.0), LM_OK);
    double v;
    cr_assert_eq(lm_travel_get_param(&v, t, LM_MODE_CAR, LM_TRAVEL_SPEED_KMH), LM_OK);
    cr_assert_eq(v, 120.0);
    double a[3], b[3];
    lm__latlon_xyz(a, AMS_LAT, AMS_LON);
    lm__latlon_xyz(b, HAA_LAT, HAA_LON);
    double want = 10.0 + lm__xyz_km(a, b) / 120.0 * 60.0;
    cr_assert_float_eq(geo(t, LM_MODE_CAR, AMS_LAT, AMS_LON, HAA_LAT, HAA_LON), want, 1e-9);
    /* Boundaries are inclusive (speed's lower bound excepted). */
    cr_assert_eq(lm_travel_set_param(t, LM_MODE_WALK, LM_TRAVEL_SPEED_KMH, 300.0), LM_OK);
    cr_assert_eq(lm_travel_set_param(t, LM_MODE_WALK, LM_TRAVEL_DETOUR, 5.0), LM_OK);
    cr_assert_eq(lm_travel_set_param(t, LM_MODE_WALK, LM_TRAVEL_ACCESS_MIN, 240.0), LM_OK);
    cr_assert_eq(lm_travel_set_param(t, LM_MODE_WALK, LM_TRAVEL_ACCESS_MIN, 0.0), LM_OK);
    cr_assert_eq(lm_travel_set_param(t, LM_MODE_WALK, LM_TRAVEL_SPEED_KMH, 1e-9), LM_OK);
    lm_travel_free(t);
}

/* ---- error paths of the setters and getters ----------------------------- */

Test(travel, set_param_errors) {
    lm_travel *t = new_travel();
    double before[LM_MODE_COUNT][3];
    params_of(t, before);
    cr_assert_eq(lm_travel_set_param(NULL, 0, 0, 10.0), LM_ERR_NULL);
    static const struct {
        int32_t mode, param;
        double value;
        int status;
    } cases[] = {
        {-1, LM_TRAVEL_SPEED_KMH, 10.0, LM_ERR_RANGE},
        {LM_MODE_COUNT, LM_TRAVEL_SPEED_KMH, 10.0, LM_ERR_RANGE},
        {LM_MODE_BIKE, -1, 10.0, LM_ERR_RANGE},
        {LM_MODE_BIKE, 3, 10.0, LM_ERR_RANGE},
        {LM_MODE_BIKE, LM_TRAVEL_SPEED_KMH, NAN, LM_ERR_NONFINITE},
        {LM_MODE_BIKE, LM_TRAVEL_SPEED_KMH, INFINITY, LM_ERR_NONFINITE},
        {LM_MODE_BIKE, LM_TRAVEL_DETOUR, -INFINITY, LM_ERR_NONFINITE},
        {LM_MODE_BIKE, LM_TRAVEL_ACCESS_MIN, NAN, LM_ERR_NONFINITE},
        {LM_MODE_BIKE, LM_TRAVEL_SPEED_KMH, 0.0, LM_ERR_RANGE},
        {LM_MODE_BIKE, LM_TRAVEL_SPEED_KMH, -5.0, LM_ERR_RANGE},
        {LM_MODE_BIKE, LM_TRAVEL_SPEED_KMH, 300.001, LM_ERR_RANGE},
        {LM_MODE_BIKE, LM_TRAVEL_DETOUR, 0.99, LM_ERR_RANGE},
        {LM_MODE_BIKE, LM_TRAVEL_DETOUR, 5.01, LM_ERR_RANGE},
        {LM_MODE_BIKE, LM_TRAVEL_ACCESS_MIN, -0.1, LM_ERR_RANGE},
        {LM_MODE_BIKE, LM_TRAVEL_ACCESS_MIN, 240.5, LM_ERR_RANGE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reset_msg(t);
        int rc = lm_travel_set_param(t, cases[i].mode, cases[i].param, cases[i].value);
        cr_assert_eq(rc, cases[i].status, "case %zu: %d", i, rc);
        cr_assert_str_not_empty(lm_travel_errmsg(t), "case %zu", i);
        assert_params_eq(t, before);
    }
    lm_travel_free(t);
}

Test(travel, get_param_errors) {
    lm_travel *t = new_travel();
    double v = 42.0;
    cr_assert_eq(lm_travel_get_param(&v, NULL, 0, 0), LM_ERR_NULL);
    reset_msg(t);
    cr_assert_eq(lm_travel_get_param(NULL, t, 0, 0), LM_ERR_NULL);
    cr_assert_str_not_empty(lm_travel_errmsg(t));
    reset_msg(t);
    cr_assert_eq(lm_travel_get_param(&v, t, -1, 0), LM_ERR_RANGE);
    cr_assert_str_not_empty(lm_travel_errmsg(t));
    reset_msg(t);
    cr_assert_eq(lm_travel_get_param(&v, t, LM_MODE_COUNT, 0), LM_ERR_RANGE);
    cr_assert_str_not_empty(lm_travel_errmsg(t));
    reset_msg(t);
    cr_assert_eq(lm_travel_get_param(&v, t, 0, 3), LM_ERR_RANGE);
    cr_assert_str_not_empty(lm_travel_errmsg(t));
    reset_msg(t);
    cr_assert_eq(lm_travel_get_param(&v, t, 0, -1), LM_ERR_RANGE);
    cr_assert_str_not_empty(lm_travel_errmsg(t));
    cr_assert_eq(v, 42.0);
    lm_travel_free(t);
}

Test(travel, set_matrix_errors) {
    lm_travel *t = new_travel();
    set_ref(t);
    const int32_t z3[3] = {1, 2, 3};
    const uint8_t m9[9] = {0};
    cr_assert_eq(lm_travel_set_matrix(NULL, LM_MODE_PT, z3, 3, m9), LM_ERR_NULL);
    static const struct {
        int32_t mode;
        int32_t zones[3];
        size_t n;
        int null_zones, null_minutes;
        int status;
        const char *needle;
    } cases[] = {
        {LM_MODE_PT, {1, 2, 3}, 3, 1, 0, LM_ERR_NULL, "zones"},
        {LM_MODE_PT, {1, 2, 3}, 3, 0, 1, LM_ERR_NULL, "minutes"},
        {-1, {1, 2, 3}, 3, 0, 0, LM_ERR_RANGE, "mode"},
        {LM_MODE_COUNT, {1, 2, 3}, 3, 0, 0, LM_ERR_RANGE, "mode"},
        {LM_MODE_PT, {1, 2, 3}, 0, 0, 0, LM_ERR_RANGE, "n = 0"},
        {LM_MODE_PT, {1, 2, 3}, 20001, 0, 0, LM_ERR_LIMIT, "20000"},
        {LM_MODE_PT, {1, 0, 3}, 3, 0, 0, LM_ERR_RANGE, "zones[1]"},
        {LM_MODE_PT, {1, 2, -7}, 3, 0, 0, LM_ERR_RANGE, "zones[2]"},
        {LM_MODE_PT, {5, 2, 5}, 3, 0, 0, LM_ERR_DUPLICATE, "zones[0] and zones[2]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reset_msg(t);
        int rc = lm_travel_set_matrix(t, cases[i].mode, cases[i].null_zones ? NULL : cases[i].zones, cases[i].n,
                                      cases[i].null_minutes ? NULL : m9);
        cr_assert_eq(rc, cases[i].status, "case %zu: %d", i, rc);
        cr_assert(strstr(lm_travel_errmsg(t), cases[i].needle), "case %zu: \"%s\" lacks \"%s\"", i,
                  lm_travel_errmsg(t), cases[i].needle);
        assert_ref(t);
    }
    lm_travel_free(t);
}

Test(travel, minutes_errors) {
    lm_travel *t = new_travel();
    double v = 42.0;
    cr_assert_eq(lm_travel_minutes(&v, NULL, 0, 0, AMS_LAT, AMS_LON, 0, HAA_LAT, HAA_LON), LM_ERR_NULL);
    reset_msg(t);
    cr_assert_eq(lm_travel_minutes(NULL, t, 0, 0, AMS_LAT, AMS_LON, 0, HAA_LAT, HAA_LON), LM_ERR_NULL);
    cr_assert_str_not_empty(lm_travel_errmsg(t));
    static const struct {
        int32_t mode;
        double la, lo, lb, lob;
    } cases[] = {
        {-1, AMS_LAT, AMS_LON, HAA_LAT, HAA_LON},
        {LM_MODE_COUNT, AMS_LAT, AMS_LON, HAA_LAT, HAA_LON},
        {0, 90.5, AMS_LON, HAA_LAT, HAA_LON},
        {0, AMS_LAT, -180.5, HAA_LAT, HAA_LON},
        {0, AMS_LAT, AMS_LON, -91.0, HAA_LON},
        {0, AMS_LAT, AMS_LON, HAA_LAT, 181.0},
        {0, INFINITY, AMS_LON, HAA_LAT, HAA_LON},
        {0, AMS_LAT, AMS_LON, HAA_LAT, -INFINITY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reset_msg(t);
        int rc = lm_travel_minutes(&v, t, cases[i].mode, 0, cases[i].la, cases[i].lo, 0, cases[i].lb, cases[i].lob);
        cr_assert_eq(rc, LM_ERR_RANGE, "case %zu: %d", i, rc);
        cr_assert_str_not_empty(lm_travel_errmsg(t), "case %zu", i);
    }
    cr_assert_eq(v, 42.0);
    /* The extremes themselves are valid. */
    cr_assert_eq(lm_travel_minutes(&v, t, 0, 0, 90.0, 180.0, 0, -90.0, -180.0), LM_OK);
    cr_assert(isfinite(v));
    lm_travel_free(t);
}

/* ---- matrices ------------------------------------------------------------ */

Test(travel, matrix_overrides_estimate) {
    lm_travel *t = new_travel();
    set_ref(t);
    double v;
    cr_assert_eq(lm_travel_minutes(&v, t, LM_MODE_PT, 1012, AMS_LAT, AMS_LON, 2011, HAA_LAT, HAA_LON), LM_OK);
    cr_assert_eq(v, 25.0);
    cr_assert_eq(lm_travel_minutes(&v, t, LM_MODE_PT, 2011, HAA_LAT, HAA_LON, 1012, AMS_LAT, AMS_LON), LM_OK);
    cr_assert_eq(v, 27.0);
    /* Other modes have no matrix and keep the estimate. */
    cr_assert_eq(lm_travel_minutes(&v, t, LM_MODE_CAR, 1012, AMS_LAT, AMS_LON, 2011, HAA_LAT, HAA_LON), LM_OK);
    cr_assert_float_eq(v, geo(t, LM_MODE_CAR, AMS_LAT, AMS_LON, HAA_LAT, HAA_LON), 1e-12);
    cr_assert_not(lm__travel_has_matrix(t, LM_MODE_CAR));
    cr_assert_not(lm__travel_has_matrix(t, -1));
    cr_assert_not(lm__travel_has_matrix(t, LM_MODE_COUNT));
    lm_travel_free(t);
}

Test(travel, matrix_fallback) {
    lm_travel *t = new_travel();
    set_ref(t);
    double est = geo(t, LM_MODE_PT, AMS_LAT, AMS_LON, HAA_LAT, HAA_LON), v;
    /* A zone not in the matrix, or zone 0: the estimate. */
    cr_assert_eq(lm_travel_minutes(&v, t, LM_MODE_PT, 1012, AMS_LAT, AMS_LON, 9999, HAA_LAT, HAA_LON), LM_OK);
    cr_assert_float_eq(v, est, 1e-12);
    cr_assert_eq(lm_travel_minutes(&v, t, LM_MODE_PT, 0, AMS_LAT, AMS_LON, 2011, HAA_LAT, HAA_LON), LM_OK);
    cr_assert_float_eq(v, est, 1e-12);
    cr_assert_eq(lm_travel_minutes(&v, t, LM_MODE_PT, -1012, AMS_LAT, AMS_LON, 2011, HAA_LAT, HAA_LON), LM_OK);
    cr_assert_float_eq(v, est, 1e-12);
    /* ... and without positions: unknown. */
    cr_assert(isinf(zmin(t, LM_MODE_PT, 1012, 9999)));
    cr_assert(isinf(zmin(t, LM_MODE_PT, 0, 0)));
    cr_assert(isinf(zmin(t, LM_MODE_PT, 100000, 1012)));
    lm_travel_free(t);
}

Test(travel, unreachable_255_is_infinite) {
    lm_travel *t = new_travel();
    const int32_t z[2] = {7, 8};
    const uint8_t m[4] = {0, 255, 254, 255};
    cr_assert_eq(lm_travel_set_matrix(t, LM_MODE_BIKE, z, 2, m), LM_OK);
    double v;
    /* Unreachable in the matrix wins over known positions. */
    cr_assert_eq(lm_travel_minutes(&v, t, LM_MODE_BIKE, 7, AMS_LAT, AMS_LON, 8, HAA_LAT, HAA_LON), LM_OK);
    cr_assert(isinf(v) && v > 0);
    cr_assert_eq(zmin(t, LM_MODE_BIKE, 8, 7), 254.0);
    cr_assert_eq(zmin(t, LM_MODE_BIKE, 7, 7), 0.0);
    cr_assert(isinf(zmin(t, LM_MODE_BIKE, 8, 8)));
    lm_travel_free(t);
}

Test(travel, matrix_large_zone_ids_and_replace) {
    lm_travel *t = new_travel();
    /* Zones >= 100000 take the binary-search path. */
    const int32_t z[4] = {250000, 5, 2147483647, 100000};
    uint8_t m[16];
    for (int i = 0; i < 16; i++) m[i] = (uint8_t)(10 + i);
    cr_assert_eq(lm_travel_set_matrix(t, LM_MODE_CAR, z, 4, m), LM_OK);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) cr_assert_eq(zmin(t, LM_MODE_CAR, z[i], z[j]), 10.0 + 4 * i + j);
    cr_assert(isinf(zmin(t, LM_MODE_CAR, 6, 5)));
    cr_assert(isinf(zmin(t, LM_MODE_CAR, 2147483646, 5)));
    /* Dense path: a single zone, and a replacement. */
    const int32_t z1[1] = {99999};
    const uint8_t m1[1] = {3};
    cr_assert_eq(lm_travel_set_matrix(t, LM_MODE_CAR, z1, 1, m1), LM_OK);
    cr_assert_eq(zmin(t, LM_MODE_CAR, 99999, 99999), 3.0);
    cr_assert(isinf(zmin(t, LM_MODE_CAR, 5, 5)));
    cr_assert(isinf(zmin(t, LM_MODE_CAR, 100000, 99999)));
    lm_travel_free(t);
}

Test(travel, matrix_is_copied) {
    lm_travel *t = new_travel();
    int32_t z[2] = {1012, 2011};
    uint8_t m[4] = {4, 25, 27, 5};
    cr_assert_eq(lm_travel_set_matrix(t, LM_MODE_PT, z, 2, m), LM_OK);
    z[0] = 1;
    m[1] = 99;
    assert_ref(t);
    lm_travel_free(t);
}

/* ---- frozen and reference counting --------------------------------------- */

Test(travel, frozen_is_read_only, .init = dir_setup, .fini = dir_teardown) {
    char file[256], saved[256];
    tpath(file, sizeof file, "t.txt");
    tpath(saved, sizeof saved, "frozen.bin");
    write_text(file, "1012\t2011\tpt\t99\n");
    lm_travel *t = new_travel();
    set_ref(t);
    double before[LM_MODE_COUNT][3];
    params_of(t, before);
    cr_assert_eq(lm__travel_ref(t), t);
    lm__travel_freeze(t);

    cr_assert_eq(lm_travel_set_param(t, LM_MODE_CAR, LM_TRAVEL_SPEED_KMH, 80.0), LM_ERR_STATE);
    cr_assert(strstr(lm_travel_errmsg(t), "read-only"));
    const int32_t z[1] = {1};
    const uint8_t m[1] = {1};
    cr_assert_eq(lm_travel_set_matrix(t, LM_MODE_WALK, z, 1, m), LM_ERR_STATE);
    cr_assert_str_not_empty(lm_travel_errmsg(t));
    cr_assert_eq(lm_travel_load_file(t, file), LM_ERR_STATE);
    cr_assert_str_not_empty(lm_travel_errmsg(t));
    assert_params_eq(t, before);
    assert_ref(t);
    cr_assert_not(lm__travel_has_matrix(t, LM_MODE_WALK));

    /* Reading and saving are not mutations. */
    cr_assert_eq(lm_travel_save_file(t, saved), LM_OK);
    lm_travel *u = new_travel();
    cr_assert_eq(lm_travel_load_file(u, saved), LM_OK);
    assert_ref(u);
    lm_travel_free(u);

    /* Two references: the first free leaves it usable. */
    lm_travel_free(t);
    assert_ref(t);
    lm_travel_free(t);
}

/* ---- files ---------------------------------------------------------------- */

Test(travel, save_load_round_trip, .init = dir_setup, .fini = dir_teardown) {
    char path[256], tmp[264];
    tpath(path, sizeof path, "m.bin");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    lm_travel *a = new_travel();
    const int32_t zw[3] = {3511, 1012, 2011};
    uint8_t mw[9];
    for (int i = 0; i < 9; i++) mw[i] = (uint8_t)(i * 30);
    mw[4] = 255;
    const int32_t zc[3] = {100001, 5, 250000};
    const uint8_t mc[9] = {0, 1, 2, 3, 4, 5, 6, 7, 255};
    cr_assert_eq(lm_travel_set_matrix(a, LM_MODE_WALK, zw, 3, mw), LM_OK);
    cr_assert_eq(lm_travel_set_matrix(a, LM_MODE_CAR, zc, 3, mc), LM_OK);
    cr_assert_eq(lm_travel_save_file(a, path), LM_OK);
    cr_assert_neq(access(path, F_OK), -1);
    cr_assert_eq(access(tmp, F_OK), -1, "the .tmp file was left behind");

    /* The documented layout. */
    unsigned char buf[256];
    size_t n = read_bytes(path, buf, sizeof buf);
    cr_assert_eq(n, 16 + 2 * (8 + 3 * 4 + 9));
    cr_assert_eq(memcmp(buf, "LMTRAVEL", 8), 0);
    const unsigned char hdr[] = {1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0xB7, 0x0D, 0, 0};
    cr_assert_eq(memcmp(buf + 8, hdr, sizeof hdr), 0, "header or first zone not little-endian as documented");
    cr_assert_eq(memcmp(buf + 36, mw, 9), 0);
    const unsigned char car[] = {3, 0, 0, 0, 3, 0, 0, 0, 0xA1, 0x86, 0x01, 0x00};
    cr_assert_eq(memcmp(buf + 45, car, sizeof car), 0);

    lm_travel *b = new_travel();
    cr_assert_eq(lm_travel_load_file(b, path), LM_OK, "%s", lm_travel_errmsg(b));
    cr_assert_str_empty(lm_travel_errmsg(b));
    const int32_t probe[] = {0, 1, 5, 1012, 2011, 3511, 100001, 250000, 9999};
    for (int m = 0; m < LM_MODE_COUNT; m++) {
        cr_assert_eq(lm__travel_has_matrix(a, m), lm__travel_has_matrix(b, m));
        for (size_t i = 0; i < sizeof probe / sizeof probe[0]; i++)
            for (size_t j = 0; j < sizeof probe / sizeof probe[0]; j++) {
                double va, vb;
                cr_assert_eq(lm_travel_minutes(&va, a, m, probe[i], AMS_LAT, AMS_LON, probe[j], HAA_LAT, HAA_LON),
                             LM_OK);
                cr_assert_eq(lm_travel_minutes(&vb, b, m, probe[i], AMS_LAT, AMS_LON, probe[j], HAA_LAT, HAA_LON),
                             LM_OK);
                cr_assert(va == vb || (isinf(va) && isinf(vb)), "mode %d %d->%d: %g vs %g", m, probe[i],
                          probe[j], va, vb);
            }
    }
    /* Saving again overwrites. */
    cr_assert_eq(lm_travel_save_file(b, path), LM_OK);
    unsigned char buf2[256];
    cr_assert_eq(read_bytes(path, buf2, sizeof buf2), n);
    cr_assert_eq(memcmp(buf, buf2, n), 0);
    lm_travel_free(a);
    lm_travel_free(b);
}

Test(travel, save_errors, .init = dir_setup, .fini = dir_teardown) {
    char path[256];
    tpath(path, sizeof path, "no/such/dir/m.bin");
    lm_travel *t = new_travel();
    cr_assert_eq(lm_travel_save_file(NULL, path), LM_ERR_NULL);
    reset_msg(t);
    cr_assert_eq(lm_travel_save_file(t, path), LM_ERR_STATE);
    cr_assert_str_not_empty(lm_travel_errmsg(t));
    set_ref(t);
    reset_msg(t);
    cr_assert_eq(lm_travel_save_file(t, NULL), LM_ERR_NULL);
    cr_assert_str_not_empty(lm_travel_errmsg(t));
    reset_msg(t);
    cr_assert_eq(lm_travel_save_file(t, path), LM_ERR_IO);
    cr_assert(strstr(lm_travel_errmsg(t), "no/such/dir"), "%s", lm_travel_errmsg(t));
    /* Renaming onto a directory fails; the .tmp must not stay behind. */
    char dir[256], tmp[264];
    tpath(dir, sizeof dir, "adir");
    cr_assert_eq(mkdir(dir, 0700), 0);
    snprintf(tmp, sizeof tmp, "%s.tmp", dir);
    reset_msg(t);
    cr_assert_eq(lm_travel_save_file(t, dir), LM_ERR_IO);
    cr_assert_str_not_empty(lm_travel_errmsg(t));
    cr_assert_eq(access(tmp, F_OK), -1);
    rmdir(dir);
    assert_ref(t);
    lm_travel_free(t);
}

Test(travel, load_io_errors, .init = dir_setup, .fini = dir_teardown) {
    char path[256];
    tpath(path, sizeof path, "missing.bin");
    lm_travel *t = new_travel();
    set_ref(t);
    cr_assert_eq(lm_travel_load_file(NULL, path), LM_ERR_NULL);
    reset_msg(t);
    cr_assert_eq(lm_travel_load_file(t, NULL), LM_ERR_NULL);
    cr_assert_str_not_empty(lm_travel_errmsg(t));
    reset_msg(t);
    cr_assert_eq(lm_travel_load_file(t, path), LM_ERR_IO);
    cr_assert(strstr(lm_travel_errmsg(t), "missing.bin"), "%s", lm_travel_errmsg(t));
    cr_assert(strstr(lm_travel_errmsg(t), strerror(ENOENT)), "%s", lm_travel_errmsg(t));
    reset_msg(t);
    cr_assert_eq(lm_travel_load_file(t, g_dir), LM_ERR_IO); /* a directory */
    cr_assert_str_not_empty(lm_travel_errmsg(t));
    assert_ref(t);
    lm_travel_free(t);
}

/* Non-regular files (FIFO, directory, character device, socket) fail with
 * LM_ERR_IO at once: opening a FIFO without a writer used to block forever,
 * so alarm() turns a hang into a failed test. */
Test(travel, load_non_regular_fails_at_once, .init = dir_setup, .fini = dir_teardown, .timeout = 10) {
    char fifo[256], sock[100]; /* sock fits sun_path */
    tpath(fifo, sizeof fifo, "pipe");
    cr_assert_eq(mkfifo(fifo, 0600), 0, "mkfifo: %s", strerror(errno));
    tpath(sock, sizeof sock, "sock");
    int sfd = socket(AF_UNIX, SOCK_STREAM, 0);
    cr_assert_geq(sfd, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
    cr_assert_eq(bind(sfd, (struct sockaddr *)&sa, sizeof sa), 0, "bind: %s", strerror(errno));
    lm_travel *t = new_travel();
    set_ref(t);
    const char *paths[] = {fifo, g_dir, "/dev/zero", sock};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        reset_msg(t);
        alarm(5);
        cr_assert_eq(lm_travel_load_file(t, paths[i]), LM_ERR_IO, "%s", paths[i]);
        alarm(0);
        cr_assert(strstr(lm_travel_errmsg(t), "not a regular file"), "%s: %s", paths[i], lm_travel_errmsg(t));
    }
    assert_ref(t);
    lm_travel_free(t);
    close(sfd);
}

/* A valid binary file: one PT matrix, zones {1, 2}. */
static size_t small_bin(unsigned char *b) {
    static const unsigned char f[] = {'L', 'M', 'T', 'R', 'A', 'V', 'E', 'L', 1, 0, 0, 0, 1, 0, 0, 0,
                                      2,   0,   0,   0,   2,   0,   0,   0,   1, 0, 0, 0, 2, 0, 0, 0,
                                      0,   10,  12,  0};
    memcpy(b, f, sizeof f);
    return sizeof f;
}

static void put32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

Test(travel, binary_small_valid, .init = dir_setup, .fini = dir_teardown) {
    char path[256];
    tpath(path, sizeof path, "s.bin");
    unsigned char b[64];
    write_bytes(path, b, small_bin(b));
    lm_travel *t = new_travel();
    cr_assert_eq(lm_travel_load_file(t, path), LM_OK, "%s", lm_travel_errmsg(t));
    cr_assert_eq(zmin(t, LM_MODE_PT, 1, 2), 10.0);
    cr_assert_eq(zmin(t, LM_MODE_PT, 2, 1), 12.0);
    lm_travel_free(t);
}

Test(travel, binary_truncated_rejected, .init = dir_setup, .fini = dir_teardown) {
    char path[256];
    tpath(path, sizeof path, "trunc.bin");
    unsigned char b[64];
    size_t full = small_bin(b);
    lm_travel *t = new_travel();
    set_ref(t);
    for (size_t len = 0; len < full; len++) {
        write_bytes(path, b, len);
        reset_msg(t);
        int rc = lm_travel_load_file(t, path);
        cr_assert_eq(rc, LM_ERR_FORMAT, "length %zu: %d %s", len, rc, lm_travel_errmsg(t));
        cr_assert_str_not_empty(lm_travel_errmsg(t));
        assert_ref(t);
    }
    lm_travel_free(t);
}

Test(travel, binary_malformed_rejected, .init = dir_setup, .fini = dir_teardown) {
    char path[256];
    tpath(path, sizeof path, "bad.bin");
    lm_travel *t = new_travel();
    set_ref(t);
    static const struct {
        size_t off;
        uint32_t value;
        int status;
        const char *needle;
    } cases[] = {
        {8, 2, LM_ERR_FORMAT, "version"},
        {12, 0, LM_ERR_FORMAT, "offset 12"},
        {12, 5, LM_ERR_FORMAT, "offset 12"},
        {12, 2, LM_ERR_FORMAT, "truncated"},     /* a second matrix announced but absent */
        {16, 4, LM_ERR_FORMAT, "offset 16"},     /* mode */
        {16, 0xFFFFFFFFu, LM_ERR_FORMAT, "offset 16"},
        {20, 0, LM_ERR_FORMAT, "offset 20"},     /* n = 0 */
        {20, 20001, LM_ERR_LIMIT, "offset 20"},
        {20, 20000, LM_ERR_FORMAT, "truncated"}, /* must not allocate 400 MB first */
        {20, 0xFFFFFFFFu, LM_ERR_LIMIT, "offset 20"},
        {20, 1, LM_ERR_FORMAT, "trailing"},
        {24, 0, LM_ERR_FORMAT, "offset 24"},     /* zone 0 */
        {28, 0x80000000u, LM_ERR_FORMAT, "offset 28"}, /* negative zone */
        {28, 1, LM_ERR_FORMAT, "offset 28"},     /* duplicate zone */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char b[64];
        size_t len = small_bin(b);
        put32(b + cases[i].off, cases[i].value);
        write_bytes(path, b, len);
        reset_msg(t);
        int rc = lm_travel_load_file(t, path);
        cr_assert_eq(rc, cases[i].status, "case %zu: %d %s", i, rc, lm_travel_errmsg(t));
        cr_assert(strstr(lm_travel_errmsg(t), cases[i].needle), "case %zu: \"%s\" lacks \"%s\"", i,
                  lm_travel_errmsg(t), cases[i].needle);
        assert_ref(t);
    }
    /* Trailing bytes, and the same mode twice. */
    unsigned char b[128];
    size_t len = small_bin(b);
    b[len] = 0;
    write_bytes(path, b, len + 1);
    reset_msg(t);
    cr_assert_eq(lm_travel_load_file(t, path), LM_ERR_FORMAT);
    cr_assert(strstr(lm_travel_errmsg(t), "trailing"), "%s", lm_travel_errmsg(t));
    len = small_bin(b);
    memcpy(b + len, b + 16, len - 16);
    put32(b + 12, 2);
    write_bytes(path, b, len + (len - 16));
    reset_msg(t);
    cr_assert_eq(lm_travel_load_file(t, path), LM_ERR_FORMAT);
    cr_assert(strstr(lm_travel_errmsg(t), "second matrix"), "%s", lm_travel_errmsg(t));
    assert_ref(t);
    /* A valid second matrix for another mode loads both. */
    put32(b + len, LM_MODE_WALK);
    write_bytes(path, b, len + (len - 16));
    cr_assert_eq(lm_travel_load_file(t, path), LM_OK, "%s", lm_travel_errmsg(t));
    cr_assert_eq(zmin(t, LM_MODE_WALK, 1, 2), 10.0);
    cr_assert_eq(zmin(t, LM_MODE_PT, 2, 1), 12.0);
    lm_travel_free(t);
}

Test(travel, text_load, .init = dir_setup, .fini = dir_teardown) {
    char path[256];
    tpath(path, sizeof path, "t.tsv");
    write_text(path, "\xEF\xBB\xBF# travel times, PC4\n"
                     "origin\tdestination\tmode\tminutes\r\n"
                     "\n"
                     "1012\t2011\tpt\t25\r\n"
                     "2011\t1012\tpt\t27\n"
                     "1012\t1012\t2\t3\n"
                     " \t \n"
                     "# a comment\n"
                     "1012\t2011\tbike\t70\n"
                     "1012\t2011\tpt\t25\n" /* repeated with the same value: fine */
                     "1012\t2011\t3\t0\n"
                     "5\t6\t1\t254"); /* no final newline */
    lm_travel *t = new_travel();
    const int32_t zw[2] = {5, 6};
    const uint8_t mw[4] = {1, 2, 3, 4};
    cr_assert_eq(lm_travel_set_matrix(t, LM_MODE_WALK, zw, 2, mw), LM_OK);
    const int32_t zp[1] = {9999};
    const uint8_t mp[1] = {7};
    cr_assert_eq(lm_travel_set_matrix(t, LM_MODE_PT, zp, 1, mp), LM_OK);

    cr_assert_eq(lm_travel_load_file(t, path), LM_OK, "%s", lm_travel_errmsg(t));
    cr_assert_eq(zmin(t, LM_MODE_PT, 1012, 2011), 25.0);
    cr_assert_eq(zmin(t, LM_MODE_PT, 2011, 1012), 27.0);
    cr_assert_eq(zmin(t, LM_MODE_PT, 1012, 1012), 3.0);
    cr_assert(isinf(zmin(t, LM_MODE_PT, 2011, 2011)), "unlisted pair must be unreachable");
    cr_assert(isinf(zmin(t, LM_MODE_PT, 9999, 9999)), "PT matrix must be replaced");
    cr_assert_eq(zmin(t, LM_MODE_BIKE, 1012, 2011), 70.0);
    cr_assert(isinf(zmin(t, LM_MODE_BIKE, 2011, 1012)));
    cr_assert_eq(zmin(t, LM_MODE_BIKE, 5, 6), 254.0);
    cr_assert(isinf(zmin(t, LM_MODE_BIKE, 5, 1012)));
    cr_assert_eq(zmin(t, LM_MODE_CAR, 1012, 2011), 0.0);
    /* The walk matrix was not in the file and stays. */
    cr_assert_eq(zmin(t, LM_MODE_WALK, 6, 5), 3.0);
    /* The unlisted pair stays unreachable even with known positions. */
    double v;
    cr_assert_eq(lm_travel_minutes(&v, t, LM_MODE_PT, 2011, HAA_LAT, HAA_LON, 2011, HAA_LAT, HAA_LON), LM_OK);
    cr_assert(isinf(v));
    lm_travel_free(t);
}

Test(travel, text_malformed_rejected, .init = dir_setup, .fini = dir_teardown) {
    static const char *const bad[] = {
        "1012\t2011\tpt\n",                 /* 3 fields */
        "1012\t2011\tpt\t5\t6\n",           /* 5 fields */
        "1012 2011 pt 5\n",                 /* spaces, not tabs */
        "abc\t2011\tpt\t5\n",
        "1012\tx\tpt\t5\n",
        "1012\t2011\tpt\tten\n",
        "1012\t2011\tpt\t\n",
        "1012\t2011\tpt\t255\n",
        "1012\t2011\tpt\t300\n",
        "1012\t2011\tpt\t-5\n",
        "1012\t2011\tbus\t5\n",
        "1012\t2011\t4\t5\n",
        "1012\t2011\tPT\t5\n",
        "0\t2011\tpt\t5\n",
        "-1012\t2011\tpt\t5\n",
        "2147483648\t2011\tpt\t5\n",
        "1012\t2011\tpt\t6\n",               /* conflicts with line 2 */
        "origin\tdestination\tmode\tminutes\n", /* a header only goes first */
        " 1012\t2011\tpt\t5\n",
    };
    char path[256];
    tpath(path, sizeof path, "bad.tsv");
    lm_travel *t = new_travel();
    set_ref(t);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "# line 1\n1012\t2011\tpt\t5\n%s4\t5\tcar\t1\n", bad[i]);
        write_text(path, text);
        reset_msg(t);
        int rc = lm_travel_load_file(t, path);
        cr_assert_eq(rc, LM_ERR_FORMAT, "case %zu: %d %s", i, rc, lm_travel_errmsg(t));
        cr_assert(strstr(lm_travel_errmsg(t), "line 3"), "case %zu: \"%s\"", i, lm_travel_errmsg(t));
        assert_ref(t);
        cr_assert_not(lm__travel_has_matrix(t, LM_MODE_CAR));
    }
    /* Nothing to load at all. */
    write_text(path, "");
    cr_assert_eq(lm_travel_load_file(t, path), LM_ERR_FORMAT);
    write_text(path, "# only a comment\norigin\tdestination\tmode\tminutes\n\n");
    cr_assert_eq(lm_travel_load_file(t, path), LM_ERR_FORMAT);
    cr_assert_str_not_empty(lm_travel_errmsg(t));
    /* A line beyond the line-length bound. */
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    for (int i = 0; i < 70000; i++) fputc('#', f);
    fputc('\n', f);
    fclose(f);
    cr_assert_eq(lm_travel_load_file(t, path), LM_ERR_FORMAT);
    cr_assert(strstr(lm_travel_errmsg(t), "line 1"), "%s", lm_travel_errmsg(t));
    assert_ref(t);
    lm_travel_free(t);
}

Test(travel, text_zone_limit, .init = dir_setup, .fini = dir_teardown) {
    char path[256];
    tpath(path, sizeof path, "many.tsv");
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    for (int i = 1; i <= 20001; i++) fprintf(f, "%d\t1\twalk\t5\n", i);
    fclose(f);
    lm_travel *t = new_travel();
    set_ref(t);
    cr_assert_eq(lm_travel_load_file(t, path), LM_ERR_LIMIT, "%s", lm_travel_errmsg(t));
    cr_assert(strstr(lm_travel_errmsg(t), "20000"), "%s", lm_travel_errmsg(t));
    assert_ref(t);
    cr_assert_not(lm__travel_has_matrix(t, LM_MODE_WALK));
    lm_travel_free(t);
}
