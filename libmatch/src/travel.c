/* Travel model: a geometric estimate per mode, optionally overridden by
 * zone-to-zone matrices given in memory or loaded from a file. The formats
 * and the defaults are documented in docs/travel.md. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TRAVEL_MAX_ZONES 20000     /* 20000^2 bytes = 400 MB per mode */
#define TRAVEL_DENSE_LIMIT 100000  /* zones below this get a direct index table (PC4 fits) */
#define TRAVEL_UNREACHABLE 255
#define TRAVEL_MAGIC "LMTRAVEL"
#define TRAVEL_VERSION 1u
#define TRAVEL_NPARAM 3
#define TRAVEL_MAX_LINE 65536      /* text lines are ~30 bytes; this only bounds comments */

typedef struct zone_ref {
    int32_t zone;
    uint32_t idx;
} zone_ref;

typedef struct tmatrix {
    size_t n;
    int32_t *zones;    /* as given: the row/column order of minutes */
    uint8_t *minutes;  /* n * n, row = origin */
    zone_ref *sorted;  /* by zone, for binary search */
    int32_t *dense;    /* zone -> index or -1, when every zone < TRAVEL_DENSE_LIMIT */
    int32_t dense_max; /* largest zone dense covers */
} tmatrix;

struct lm_travel {
    atomic_int ref;
    atomic_bool frozen;
    double param[LM_MODE_COUNT][TRAVEL_NPARAM];
    double min_per_km[LM_MODE_COUNT]; /* detour / speed * 60, kept with param */
    tmatrix *mat[LM_MODE_COUNT];
    lm_err err;
};

/* Minutes per great-circle km: detour / speed * 60. */
static double min_per_km(const double *p) { return p[LM_TRAVEL_DETOUR] / p[LM_TRAVEL_SPEED_KMH] * 60.0; }

static const char *const mode_names[LM_MODE_COUNT] = {"walk", "bike", "pt", "car"};

/* Rough Dutch door-to-door averages; see docs/travel.md. */
static const double param_defaults[LM_MODE_COUNT][TRAVEL_NPARAM] = {
    [LM_MODE_WALK] = {5.0, 1.3, 0.0},
    [LM_MODE_BIKE] = {15.0, 1.3, 2.0},
    [LM_MODE_PT] = {30.0, 1.3, 12.0},
    [LM_MODE_CAR] = {60.0, 1.3, 6.0},
};

static const struct {
    const char *name;
    double lo, hi;
    bool lo_open;
} param_info[TRAVEL_NPARAM] = {
    [LM_TRAVEL_SPEED_KMH] = {"speed_kmh", 0.0, 300.0, true},
    [LM_TRAVEL_DETOUR] = {"detour", 1.0, 5.0, false},
    [LM_TRAVEL_ACCESS_MIN] = {"access_min", 0.0, 240.0, false},
};

/* ---- matrices ---------------------------------------------------------- */

static void mat_free(tmatrix *m) {
    if (!m) return;
    lm__free(m->zones);
    lm__free(m->minutes);
    lm__free(m->sorted);
    lm__free(m->dense);
    lm__free(m);
}

static tmatrix *mat_alloc(size_t n) {
    size_t cells, zbytes, sbytes;
    if (!lm__mul(&cells, n, n) || !lm__mul(&zbytes, n, sizeof(int32_t)) ||
        !lm__mul(&sbytes, n, sizeof(zone_ref)))
        return NULL;
    tmatrix *m = lm__calloc(1, sizeof *m);
    if (!m) return NULL;
    m->n = n;
    m->zones = lm__malloc(zbytes);
    m->minutes = lm__malloc(cells);
    m->sorted = lm__malloc(sbytes);
    if (!m->zones || !m->minutes || !m->sorted) {
        mat_free(m);
        return NULL;
    }
    return m;
}

static int cmp_zone_ref(const void *a, const void *b) {
    const zone_ref *x = a, *y = b;
    if (x->zone != y->zone) return x->zone < y->zone ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Check the zones (> 0, distinct) and build the lookup structures. On error
 * *bad_a (and *bad_b for a duplicate) are the offending indices, so each
 * caller can word the message for its own input. */
static int mat_index(tmatrix *m, size_t *bad_a, size_t *bad_b) {
    int32_t maxz = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (m->zones[i] <= 0) {
            *bad_a = i;
            return LM_ERR_RANGE;
        }
        m->sorted[i].zone = m->zones[i];
        m->sorted[i].idx = (uint32_t)i;
        if (m->zones[i] > maxz) maxz = m->zones[i];
    }
    qsort(m->sorted, m->n, sizeof *m->sorted, cmp_zone_ref);
    for (size_t i = 1; i < m->n; i++) {
        if (m->sorted[i].zone == m->sorted[i - 1].zone) {
            *bad_a = m->sorted[i - 1].idx;
            *bad_b = m->sorted[i].idx;
            return LM_ERR_DUPLICATE;
        }
    }
    if (maxz < TRAVEL_DENSE_LIMIT) {
        m->dense = lm__malloc(((size_t)maxz + 1) * sizeof *m->dense);
        if (!m->dense) return LM_ERR_NOMEM;
        for (int32_t z = 0; z <= maxz; z++) m->dense[z] = -1;
        for (size_t i = 0; i < m->n; i++) m->dense[m->zones[i]] = (int32_t)i;
        m->dense_max = maxz;
    }
    return LM_OK;
}

/* Row/column index of zone z, or -1. Called per candidate-vacancy pair. */
static inline int32_t mat_find(const tmatrix *m, int32_t z) {
    if (m->dense) return (z > 0 && z <= m->dense_max) ? m->dense[z] : -1;
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->sorted[mid].zone < z)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < m->n && m->sorted[lo].zone == z) ? (int32_t)m->sorted[lo].idx : -1;
}

/* ---- object ------------------------------------------------------------- */

/* Const calls record a message only while the model is private to its
 * creator: a frozen model is shared by engine threads and must stay untouched.
 * The object itself is never const (it comes from lm__calloc). */
static lm_err *const_err(const lm_travel *t) {
    return atomic_load_explicit(&t->frozen, memory_order_acquire) ? NULL : (lm_err *)&t->err;
}

static int check_mutable(lm_travel *t, const char *fn) {
    if (atomic_load_explicit(&t->frozen, memory_order_acquire))
        return lm__fail(&t->err, LM_ERR_STATE, "%s: travel model is attached to an engine and read-only", fn);
    return LM_OK;
}

static int check_mode(lm_err *e, int32_t mode) {
    if (mode < 0 || mode >= LM_MODE_COUNT)
        return lm__fail(e, LM_ERR_RANGE, "travel mode %d is not 0..%d", (int)mode, LM_MODE_COUNT - 1);
    return LM_OK;
}

int lm_travel_create(lm_travel **out) {
    if (!out) return LM_ERR_NULL;
    *out = NULL;
    lm_travel *t = lm__calloc(1, sizeof *t);
    if (!t) return LM_ERR_NOMEM;
    atomic_init(&t->ref, 1);
    atomic_init(&t->frozen, false);
    memcpy(t->param, param_defaults, sizeof t->param);
    for (int m = 0; m < LM_MODE_COUNT; m++) t->min_per_km[m] = min_per_km(t->param[m]);
    *out = t;
    return LM_OK;
}

void lm_travel_free(lm_travel *t) {
    if (!t) return;
    if (atomic_fetch_sub_explicit(&t->ref, 1, memory_order_acq_rel) != 1) return;
    for (int m = 0; m < LM_MODE_COUNT; m++) mat_free(t->mat[m]);
    lm__free(t);
}

lm_travel *lm__travel_ref(lm_travel *t) {
    if (t) atomic_fetch_add_explicit(&t->ref, 1, memory_order_relaxed);
    return t;
}

void lm__travel_freeze(lm_travel *t) {
    if (t) atomic_store_explicit(&t->frozen, true, memory_order_release);
}

const char *lm_travel_errmsg(const lm_travel *t) { return t ? t->err.msg : "travel model is NULL"; }

bool lm__travel_has_matrix(const lm_travel *t, int mode) {
    return t && mode >= 0 && mode < LM_MODE_COUNT && t->mat[mode] != NULL;
}

double lm__travel_pair(const lm_travel *t, int mode, int32_t zone_a, const double xyz_a[3], int32_t zone_b,
                       const double xyz_b[3]) {
    if (!t || mode < 0 || mode >= LM_MODE_COUNT) return INFINITY;
    const tmatrix *m = t->mat[mode];
    if (m && zone_a > 0 && zone_b > 0) {
        int32_t i = mat_find(m, zone_a), j = mat_find(m, zone_b);
        if (i >= 0 && j >= 0) {
            uint8_t v = m->minutes[(size_t)i * m->n + (size_t)j];
            return v == TRAVEL_UNREACHABLE ? INFINITY : (double)v;
        }
    }
    if (!xyz_a || !xyz_b || isnan(xyz_a[0]) || isnan(xyz_b[0])) return INFINITY;
    return t->param[mode][LM_TRAVEL_ACCESS_MIN] + lm__xyz_km(xyz_a, xyz_b) * t->min_per_km[mode];
}

int lm_travel_set_param(lm_travel *t, int32_t mode, int32_t param, double value) {
    if (!t) return LM_ERR_NULL;
    int rc = check_mutable(t, "lm_travel_set_param");
    if (rc == LM_OK) rc = check_mode(&t->err, mode);
    if (rc != LM_OK) return rc;
    if (param < 0 || param >= TRAVEL_NPARAM)
        return lm__fail(&t->err, LM_ERR_RANGE, "travel parameter %d is not 0..%d", (int)param, TRAVEL_NPARAM - 1);
    const char *mn = mode_names[mode], *pn = param_info[param].name;
    if (!isfinite(value))
        return lm__fail(&t->err, LM_ERR_NONFINITE, "travel %s %s: value is not finite", mn, pn);
    double lo = param_info[param].lo, hi = param_info[param].hi;
    if (value < lo || value > hi || (param_info[param].lo_open && value == lo))
        return lm__fail(&t->err, LM_ERR_RANGE, "travel %s %s: %g outside %c%g, %g]", mn, pn, value,
                        param_info[param].lo_open ? '(' : '[', lo, hi);
    t->param[mode][param] = value;
    t->min_per_km[mode] = min_per_km(t->param[mode]);
    lm__clear(&t->err);
    return LM_OK;
}

int lm_travel_get_param(double *out, const lm_travel *t, int32_t mode, int32_t param) {
    if (!t) return LM_ERR_NULL;
    if (!out) return lm__fail(const_err(t), LM_ERR_NULL, "lm_travel_get_param: out is NULL");
    int rc = check_mode(const_err(t), mode);
    if (rc != LM_OK) return rc;
    if (param < 0 || param >= TRAVEL_NPARAM)
        return lm__fail(const_err(t), LM_ERR_RANGE, "travel parameter %d is not 0..%d", (int)param,
                        TRAVEL_NPARAM - 1);
    *out = t->param[mode][param];
    return LM_OK;
}

int lm_travel_set_matrix(lm_travel *t, int32_t mode, const int32_t *zones, size_t n, const uint8_t *minutes) {
    if (!t) return LM_ERR_NULL;
    int rc = check_mutable(t, "lm_travel_set_matrix");
    if (rc != LM_OK) return rc;
    if (!zones || !minutes)
        return lm__fail(&t->err, LM_ERR_NULL, "lm_travel_set_matrix: %s is NULL", zones ? "minutes" : "zones");
    if ((rc = check_mode(&t->err, mode)) != LM_OK) return rc;
    if (n == 0) return lm__fail(&t->err, LM_ERR_RANGE, "travel matrix for %s: n = 0 (need at least one zone)",
                                mode_names[mode]);
    if (n > TRAVEL_MAX_ZONES)
        return lm__fail(&t->err, LM_ERR_LIMIT, "travel matrix for %s: %zu zones exceed the limit of %d",
                        mode_names[mode], n, TRAVEL_MAX_ZONES);
    tmatrix *m = mat_alloc(n);
    if (!m)
        return lm__fail(&t->err, LM_ERR_NOMEM, "travel matrix for %s: out of memory for %zu zones",
                        mode_names[mode], n);
    memcpy(m->zones, zones, n * sizeof *zones);
    memcpy(m->minutes, minutes, n * n);
    size_t a = 0, b = 0;
    rc = mat_index(m, &a, &b);
    if (rc != LM_OK) {
        mat_free(m);
        if (rc == LM_ERR_RANGE)
            return lm__fail(&t->err, rc, "travel matrix for %s: zones[%zu] = %d, must be > 0", mode_names[mode],
                            a, (int)zones[a]);
        if (rc == LM_ERR_DUPLICATE)
            return lm__fail(&t->err, rc, "travel matrix for %s: zones[%zu] and zones[%zu] are both %d",
                            mode_names[mode], a, b, (int)zones[a]);
        return lm__fail(&t->err, rc, "travel matrix for %s: out of memory for the zone index", mode_names[mode]);
    }
    mat_free(t->mat[mode]);
    t->mat[mode] = m;
    lm__clear(&t->err);
    return LM_OK;
}

static int check_coord(lm_err *e, const char *what, double v, double lim) {
    if (isnan(v)) return LM_OK; /* unknown position */
    if (!isfinite(v) || v < -lim || v > lim)
        return lm__fail(e, LM_ERR_RANGE, "lm_travel_minutes: %s %g outside [%g, %g]", what, v, -lim, lim);
    return LM_OK;
}

int lm_travel_minutes(double *out, const lm_travel *t, int32_t mode, int32_t from_zone, double from_lat,
                      double from_lon, int32_t to_zone, double to_lat, double to_lon) {
    if (!t) return LM_ERR_NULL;
    if (!out) return lm__fail(const_err(t), LM_ERR_NULL, "lm_travel_minutes: out is NULL");
    int rc = check_mode(const_err(t), mode);
    if (rc == LM_OK) rc = check_coord(const_err(t), "from_lat", from_lat, 90.0);
    if (rc == LM_OK) rc = check_coord(const_err(t), "from_lon", from_lon, 180.0);
    if (rc == LM_OK) rc = check_coord(const_err(t), "to_lat", to_lat, 90.0);
    if (rc == LM_OK) rc = check_coord(const_err(t), "to_lon", to_lon, 180.0);
    if (rc != LM_OK) return rc;
    double a[3], b[3];
    lm__latlon_xyz(a, from_lat, from_lon);
    lm__latlon_xyz(b, to_lat, to_lon);
    *out = lm__travel_pair(t, mode, from_zone, a, to_zone, b);
    return LM_OK;
}

/* ---- binary file -------------------------------------------------------- */

static uint32_t get_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static int read_exact(lm_err *e, FILE *f, const char *path, void *buf, size_t len, uint64_t off) {
    if (len == 0 || fread(buf, 1, len, f) == len) return LM_OK;
    if (ferror(f))
        return lm__fail(e, LM_ERR_IO, "%.120s: read error at offset %" PRIu64 ": %s", path, off, strerror(errno));
    return lm__fail(e, LM_ERR_FORMAT, "%.120s: offset %" PRIu64 ": file is truncated", path, off);
}

/* Parse after the magic. Matrices go into tmp[] as soon as they are
 * allocated so the caller frees them on any error. */
static int load_binary(lm_err *e, FILE *f, const char *path, uint64_t size, tmatrix *tmp[LM_MODE_COUNT]) {
    unsigned char h[8];
    uint64_t off = 8;
    if (size < 16)
        return lm__fail(e, LM_ERR_FORMAT, "%.120s: offset 8: truncated header (%" PRIu64 " bytes, need 16)", path,
                        size);
    int rc = read_exact(e, f, path, h, 8, off);
    if (rc != LM_OK) return rc;
    uint32_t version = get_u32(h), count = get_u32(h + 4);
    if (version != TRAVEL_VERSION)
        return lm__fail(e, LM_ERR_FORMAT, "%.120s: offset 8: unsupported version %" PRIu32 " (expected %u)", path,
                        version, TRAVEL_VERSION);
    if (count == 0 || count > LM_MODE_COUNT)
        return lm__fail(e, LM_ERR_FORMAT, "%.120s: offset 12: matrix count %" PRIu32 " is not 1..%d", path, count,
                        LM_MODE_COUNT);
    off = 16;
    for (uint32_t k = 0; k < count; k++) {
        if (size - off < 8)
            return lm__fail(e, LM_ERR_FORMAT, "%.120s: offset %" PRIu64 ": truncated: header of matrix %" PRIu32
                            " missing", path, off, k);
        if ((rc = read_exact(e, f, path, h, 8, off)) != LM_OK) return rc;
        uint32_t mode = get_u32(h), n = get_u32(h + 4);
        if (mode >= LM_MODE_COUNT)
            return lm__fail(e, LM_ERR_FORMAT, "%.120s: offset %" PRIu64 ": mode %" PRIu32 " is not 0..%d", path,
                            off, mode, LM_MODE_COUNT - 1);
        if (tmp[mode])
            return lm__fail(e, LM_ERR_FORMAT, "%.120s: offset %" PRIu64 ": second matrix for mode %s", path, off,
                            mode_names[mode]);
        if (n == 0)
            return lm__fail(e, LM_ERR_FORMAT, "%.120s: offset %" PRIu64 ": matrix for %s has 0 zones", path,
                            off + 4, mode_names[mode]);
        if (n > TRAVEL_MAX_ZONES)
            return lm__fail(e, LM_ERR_LIMIT, "%.120s: offset %" PRIu64 ": %" PRIu32 " zones exceed the limit of %d",
                            path, off + 4, n, TRAVEL_MAX_ZONES);
        off += 8;
        /* n <= 20000, so this cannot overflow; checked against the file
         * before allocating so a lying header costs nothing. */
        uint64_t need = 4u * (uint64_t)n + (uint64_t)n * n;
        if (need > size - off)
            return lm__fail(e, LM_ERR_FORMAT, "%.120s: offset %" PRIu64 ": truncated: matrix for %s needs %" PRIu64
                            " bytes, %" PRIu64 " left", path, off, mode_names[mode], need, size - off);
        tmatrix *m = mat_alloc(n);
        if (!m) return lm__fail(e, LM_ERR_NOMEM, "%.120s: out of memory for %" PRIu32 " zones", path, n);
        tmp[mode] = m;
        uint64_t zoff = off;
        if ((rc = read_exact(e, f, path, m->zones, 4u * (size_t)n, off)) != LM_OK) return rc;
        off += 4u * (uint64_t)n;
        for (size_t i = 0; i < n; i++) {
            unsigned char b[4];
            memcpy(b, &m->zones[i], 4);
            m->zones[i] = (int32_t)get_u32(b);
        }
        if ((rc = read_exact(e, f, path, m->minutes, (size_t)n * n, off)) != LM_OK) return rc;
        off += (uint64_t)n * n;
        size_t a = 0, bi = 0;
        rc = mat_index(m, &a, &bi);
        if (rc == LM_ERR_RANGE)
            return lm__fail(e, LM_ERR_FORMAT, "%.120s: offset %" PRIu64 ": zone %d must be > 0", path,
                            zoff + 4u * (uint64_t)a, (int)m->zones[a]);
        if (rc == LM_ERR_DUPLICATE)
            return lm__fail(e, LM_ERR_FORMAT, "%.120s: offset %" PRIu64 ": zone %d appears twice in the %s matrix",
                            path, zoff + 4u * (uint64_t)bi, (int)m->zones[bi], mode_names[mode]);
        if (rc != LM_OK) return lm__fail(e, rc, "%.120s: out of memory for the zone index", path);
    }
    if (off != size)
        return lm__fail(e, LM_ERR_FORMAT, "%.120s: offset %" PRIu64 ": %" PRIu64 " bytes of trailing data", path,
                        off, size - off);
    return LM_OK;
}

/* Returns 0 or an errno value. */
static int write_binary(FILE *f, const lm_travel *t, uint32_t count) {
    unsigned char buf[4096];
    memcpy(buf, TRAVEL_MAGIC, 8);
    put_u32(buf + 8, TRAVEL_VERSION);
    put_u32(buf + 12, count);
    if (fwrite(buf, 1, 16, f) != 16) return errno ? errno : EIO;
    for (int mode = 0; mode < LM_MODE_COUNT; mode++) {
        const tmatrix *m = t->mat[mode];
        if (!m) continue;
        put_u32(buf, (uint32_t)mode);
        put_u32(buf + 4, (uint32_t)m->n);
        if (fwrite(buf, 1, 8, f) != 8) return errno ? errno : EIO;
        for (size_t i = 0; i < m->n;) {
            size_t k = 0;
            for (; k < sizeof buf / 4 && i < m->n; k++, i++) put_u32(buf + 4 * k, (uint32_t)m->zones[i]);
            if (fwrite(buf, 4, k, f) != k) return errno ? errno : EIO;
        }
        if (fwrite(m->minutes, 1, m->n * m->n, f) != m->n * m->n) return errno ? errno : EIO;
    }
    return 0;
}

int lm_travel_save_file(const lm_travel *t, const char *path) {
    if (!t) return LM_ERR_NULL;
    if (!path) return lm__fail(const_err(t), LM_ERR_NULL, "lm_travel_save_file: path is NULL");
    uint32_t count = 0;
    for (int m = 0; m < LM_MODE_COUNT; m++) count += t->mat[m] != NULL;
    if (count == 0)
        return lm__fail(const_err(t), LM_ERR_STATE, "lm_travel_save_file: no matrix to save (the geometric "
                                                    "estimate has no file form)");
    size_t plen = strlen(path);
    char *tmp = lm__malloc(plen + 5);
    if (!tmp) return lm__fail(const_err(t), LM_ERR_NOMEM, "lm_travel_save_file: out of memory");
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        int err = errno;
        lm__free(tmp);
        return lm__fail(const_err(t), LM_ERR_IO, "%.120s.tmp: cannot create: %s", path, strerror(err));
    }
    errno = 0;
    int err = write_binary(f, t, count);
    if (!err && fflush(f) != 0) err = errno ? errno : EIO;
    /* The rename is only atomic for readers if the data reached the disk first. */
    if (!err && fsync(fileno(f)) != 0) err = errno;
    if (fclose(f) != 0 && !err) err = errno ? errno : EIO;
    if (err) {
        unlink(tmp);
        lm__free(tmp);
        return lm__fail(const_err(t), LM_ERR_IO, "%.120s.tmp: write error: %s", path, strerror(err));
    }
    if (rename(tmp, path) != 0) {
        err = errno;
        unlink(tmp);
        lm__free(tmp);
        return lm__fail(const_err(t), LM_ERR_IO, "%.120s: cannot rename the .tmp file into place: %s", path,
                        strerror(err));
    }
    lm__free(tmp);
    return LM_OK;
}

/* ---- text file ---------------------------------------------------------- */

/* Line reader over a fixed buffer: no allocation per line, bounded length. */
typedef struct lreader {
    FILE *f;
    char *buf;
    size_t cap, start, end;
    bool eof;
} lreader;

/* 1 = a line in *line, *len (without '\n'), 0 = end, -1 = too long, -2 = read error. */
static int lr_next(lreader *r, const char **line, size_t *len) {
    for (;;) {
        char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
        if (nl) {
            *line = r->buf + r->start;
            *len = (size_t)(nl - *line);
            r->start = (size_t)(nl - r->buf) + 1;
            return 1;
        }
        if (r->eof) {
            if (r->start == r->end) return 0;
            *line = r->buf + r->start;
            *len = r->end - r->start;
            r->start = r->end;
            return 1;
        }
        if (r->start > 0) {
            memmove(r->buf, r->buf + r->start, r->end - r->start);
            r->end -= r->start;
            r->start = 0;
        }
        if (r->end == r->cap) return -1;
        size_t got = fread(r->buf + r->end, 1, r->cap - r->end, r->f);
        r->end += got;
        if (got == 0) {
            if (ferror(r->f)) return -2;
            r->eof = true;
        }
    }
}

typedef struct tctx {
    lm_err *e;
    const char *path;
    unsigned long line;
    bool seen_content; /* a header is only allowed before the first data line */
} tctx;

static int tfail(const tctx *c, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int tfail(const tctx *c, int status, const char *fmt, ...) {
    char detail[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return lm__fail(c->e, status, "%.80s: line %lu: %s", c->path, c->line, detail);
}

/* Digits only (no sign, no spaces), at most 10 of them. */
static bool parse_digits(const char *s, size_t len, uint64_t *out) {
    if (len == 0 || len > 10) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

typedef struct tline {
    int32_t origin, dest;
    int mode;
    uint8_t minutes;
} tline;

static int parse_zone(const tctx *c, const char *what, const char *s, size_t len, int32_t *out) {
    uint64_t v;
    if (!parse_digits(s, len, &v) || v == 0 || v > INT32_MAX)
        return tfail(c, LM_ERR_FORMAT, "%s \"%.*s\" is not a zone number 1..2147483647", what,
                     (int)(len > 16 ? 16 : len), s);
    *out = (int32_t)v;
    return LM_OK;
}

/* 1 = data line in *out, 0 = line to skip, < 0 = error status. */
static int parse_line(tctx *c, const char *s, size_t len, tline *out) {
    if (len > 0 && s[len - 1] == '\r') len--;
    if (c->line == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) { /* UTF-8 BOM */
        s += 3;
        len -= 3;
    }
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t')) i++;
    if (i == len || s[0] == '#') return 0;
    if (!c->seen_content) {
        c->seen_content = true;
        if (len >= 6 && memcmp(s, "origin", 6) == 0) return 0;
    }
    const char *field[4];
    size_t flen[4];
    int nf = 0;
    size_t startf = 0;
    for (size_t k = 0; k <= len; k++) {
        if (k == len || s[k] == '\t') {
            if (nf < 4) {
                field[nf] = s + startf;
                flen[nf] = k - startf;
            }
            nf++;
            startf = k + 1;
        }
    }
    if (nf != 4) return tfail(c, LM_ERR_FORMAT, "expected 4 tab-separated fields, found %d", nf);
    int rc = parse_zone(c, "origin", field[0], flen[0], &out->origin);
    if (rc == LM_OK) rc = parse_zone(c, "destination", field[1], flen[1], &out->dest);
    if (rc != LM_OK) return rc;
    out->mode = -1;
    for (int m = 0; m < LM_MODE_COUNT; m++) {
        size_t nl = strlen(mode_names[m]);
        if ((flen[2] == nl && memcmp(field[2], mode_names[m], nl) == 0) ||
            (flen[2] == 1 && field[2][0] == (char)('0' + m)))
            out->mode = m;
    }
    if (out->mode < 0)
        return tfail(c, LM_ERR_FORMAT, "unknown mode \"%.*s\" (walk, bike, pt, car or 0-3)",
                     (int)(flen[2] > 16 ? 16 : flen[2]), field[2]);
    uint64_t v;
    if (!parse_digits(field[3], flen[3], &v))
        return tfail(c, LM_ERR_FORMAT, "minutes \"%.*s\" is not an integer", (int)(flen[3] > 16 ? 16 : flen[3]),
                     field[3]);
    if (v >= TRAVEL_UNREACHABLE)
        return tfail(c, LM_ERR_FORMAT, "minutes %" PRIu64 " outside 0..254 (leave unreachable pairs out)", v);
    out->minutes = (uint8_t)v;
    return 1;
}

/* Zone set of one mode: append, and sort-unique when full, so memory stays
 * bounded by the zone limit rather than by the number of lines. */
typedef struct zset {
    int32_t *v;
    size_t len, cap;
} zset;

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static void zset_compact(zset *s) {
    if (s->len < 2) return;
    qsort(s->v, s->len, sizeof *s->v, cmp_i32);
    size_t w = 1;
    for (size_t i = 1; i < s->len; i++)
        if (s->v[i] != s->v[w - 1]) s->v[w++] = s->v[i];
    s->len = w;
}

static int zset_add(zset *s, int32_t z) {
    if (s->len == s->cap) {
        zset_compact(s);
        if (s->len > TRAVEL_MAX_ZONES) return LM_ERR_LIMIT;
        if (s->len * 2 >= s->cap) {
            size_t ncap = s->cap ? s->cap * 2 : 1024;
            int32_t *nv = lm__realloc(s->v, ncap * sizeof *nv);
            if (!nv) return LM_ERR_NOMEM;
            s->v = nv;
            s->cap = ncap;
        }
    }
    s->v[s->len++] = z;
    return LM_OK;
}

static int zset_fail(const tctx *c, int rc, int mode) {
    if (rc == LM_ERR_LIMIT)
        return tfail(c, rc, "mode %s has more than %d distinct zones", mode_names[mode], TRAVEL_MAX_ZONES);
    return tfail(c, LM_ERR_NOMEM, "out of memory for the zones of mode %s", mode_names[mode]);
}

/* Two passes: the first validates every line and collects the zone sets, the
 * second fills the matrices. This needs no per-line storage, so a file of
 * millions of lines costs only its matrices. */
static int load_text(lm_err *e, FILE *f, const char *path, tmatrix *tmp[LM_MODE_COUNT]) {
    lreader r = {f, NULL, TRAVEL_MAX_LINE, 0, 0, false};
    zset sets[LM_MODE_COUNT];
    memset(sets, 0, sizeof sets);
    r.buf = lm__malloc(r.cap);
    if (!r.buf) return lm__fail(e, LM_ERR_NOMEM, "%.120s: out of memory", path);
    int rc = LM_OK;
    for (int pass = 0; pass < 2 && rc == LM_OK; pass++) {
        tctx c = {e, path, 0, false};
        if (pass == 1) {
            for (int mode = 0; mode < LM_MODE_COUNT && rc == LM_OK; mode++) {
                zset *s = &sets[mode];
                if (s->len == 0) continue;
                zset_compact(s);
                if (s->len > TRAVEL_MAX_ZONES) {
                    rc = lm__fail(e, LM_ERR_LIMIT, "%.120s: mode %s has %zu distinct zones, more than %d", path,
                                  mode_names[mode], s->len, TRAVEL_MAX_ZONES);
                    break;
                }
                tmatrix *m = mat_alloc(s->len);
                if (!m) {
                    rc = lm__fail(e, LM_ERR_NOMEM, "%.120s: out of memory for %zu zones", path, s->len);
                    break;
                }
                tmp[mode] = m;
                memcpy(m->zones, s->v, s->len * sizeof *s->v);
                memset(m->minutes, TRAVEL_UNREACHABLE, s->len * s->len);
                size_t a = 0, b = 0;
                if (mat_index(m, &a, &b) != LM_OK) /* zones are positive and distinct here */
                    rc = lm__fail(e, LM_ERR_NOMEM, "%.120s: out of memory for the zone index", path);
            }
            if (rc != LM_OK) break;
            if (fseek(f, 0, SEEK_SET) != 0) {
                rc = lm__fail(e, LM_ERR_IO, "%.120s: cannot rewind: %s", path, strerror(errno));
                break;
            }
            clearerr(f);
            r.start = r.end = 0;
            r.eof = false;
        }
        size_t ndata = 0;
        for (;;) {
            const char *s;
            size_t len;
            int k = lr_next(&r, &s, &len);
            if (k == 0) break;
            c.line++;
            if (k == -1) {
                rc = tfail(&c, LM_ERR_FORMAT, "longer than %d bytes", TRAVEL_MAX_LINE - 1);
                break;
            }
            if (k == -2) {
                rc = tfail(&c, LM_ERR_IO, "read error: %s", strerror(errno));
                break;
            }
            tline tl;
            int p = parse_line(&c, s, len, &tl);
            if (p < 0) {
                rc = p;
                break;
            }
            if (p == 0) continue;
            ndata++;
            if (pass == 0) {
                int zr = zset_add(&sets[tl.mode], tl.origin);
                if (zr == LM_OK) zr = zset_add(&sets[tl.mode], tl.dest);
                if (zr != LM_OK) {
                    rc = zset_fail(&c, zr, tl.mode);
                    break;
                }
                continue;
            }
            tmatrix *m = tmp[tl.mode];
            int32_t i = m ? mat_find(m, tl.origin) : -1, j = m ? mat_find(m, tl.dest) : -1;
            if (i < 0 || j < 0) {
                rc = tfail(&c, LM_ERR_FORMAT, "file changed while it was being loaded");
                break;
            }
            uint8_t *cell = &m->minutes[(size_t)i * m->n + (size_t)j];
            if (*cell != TRAVEL_UNREACHABLE && *cell != tl.minutes) {
                rc = tfail(&c, LM_ERR_FORMAT, "%d -> %d (%s) is %u minutes here but %u on an earlier line",
                           (int)tl.origin, (int)tl.dest, mode_names[tl.mode], (unsigned)tl.minutes,
                           (unsigned)*cell);
                break;
            }
            *cell = tl.minutes;
        }
        if (rc == LM_OK && pass == 0 && ndata == 0)
            rc = lm__fail(e, LM_ERR_FORMAT, "%.120s: no travel times: not a binary LMTRAVEL file and no text "
                          "data lines", path);
    }
    for (int mode = 0; mode < LM_MODE_COUNT; mode++) lm__free(sets[mode].v);
    lm__free(r.buf);
    return rc;
}

int lm_travel_load_file(lm_travel *t, const char *path) {
    if (!t) return LM_ERR_NULL;
    int rc = check_mutable(t, "lm_travel_load_file");
    if (rc != LM_OK) return rc;
    if (!path) return lm__fail(&t->err, LM_ERR_NULL, "lm_travel_load_file: path is NULL");
    /* Only regular files qualify (the size bounds every allocation). stat()
     * first names sockets too (open fails on them); O_NONBLOCK keeps a FIFO
     * swapped in meanwhile from blocking the open, and fstat() checks again. */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return lm__fail(&t->err, LM_ERR_IO, "%.120s: not a regular file", path);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return lm__fail(&t->err, LM_ERR_IO, "%.120s: cannot open: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return lm__fail(&t->err, LM_ERR_IO, "%.120s: cannot stat: %s", path, strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return lm__fail(&t->err, LM_ERR_IO, "%.120s: not a regular file", path);
    }
    int fl = fcntl(fd, F_GETFL);
    FILE *f = fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0 ? NULL : fdopen(fd, "rb");
    if (!f) {
        int err = errno;
        close(fd);
        return lm__fail(&t->err, LM_ERR_IO, "%.120s: cannot open: %s", path, strerror(err));
    }
    tmatrix *tmp[LM_MODE_COUNT] = {NULL};
    unsigned char magic[8];
    size_t got = fread(magic, 1, sizeof magic, f);
    if (got < sizeof magic && ferror(f)) {
        rc = lm__fail(&t->err, LM_ERR_IO, "%.120s: read error: %s", path, strerror(errno));
    } else if (got == sizeof magic && memcmp(magic, TRAVEL_MAGIC, sizeof magic) == 0) {
        rc = load_binary(&t->err, f, path, (uint64_t)st.st_size, tmp);
    } else if (fseek(f, 0, SEEK_SET) != 0) {
        rc = lm__fail(&t->err, LM_ERR_IO, "%.120s: cannot rewind: %s", path, strerror(errno));
    } else {
        rc = load_text(&t->err, f, path, tmp);
    }
    fclose(f);
    if (rc != LM_OK) {
        for (int m = 0; m < LM_MODE_COUNT; m++) mat_free(tmp[m]);
        return rc;
    }
    for (int m = 0; m < LM_MODE_COUNT; m++) {
        if (!tmp[m]) continue;
        mat_free(t->mat[m]);
        t->mat[m] = tmp[m];
    }
    lm__clear(&t->err);
    return LM_OK;
}

/* ---- fast-path access for the batch engine (frozen models only) --------- */
const double *lm__travel_params(const lm_travel *t, int mode) { return t->param[mode]; }
double lm__travel_min_per_km(const lm_travel *t, int mode) { return t->min_per_km[mode]; }

int32_t lm__travel_zone_index(const lm_travel *t, int mode, int32_t zone) {
    const tmatrix *m = t->mat[mode];
    return m && zone > 0 ? mat_find(m, zone) : -1;
}

uint8_t lm__travel_cell(const lm_travel *t, int mode, int32_t i, int32_t j) {
    const tmatrix *m = t->mat[mode];
    return m->minutes[(size_t)i * m->n + (size_t)j];
}
