/* Fuzz target: the travel-matrix parsers (docs/travel.md).
 *
 * Byte 0 selects what the rest of the input feeds:
 *   even  lm_travel_load_file() on a memfd holding the rest (binary LMTRAVEL
 *         or text format, as the loader decides);
 *   odd   lm_travel_set_matrix() with a zone list and cells from the rest,
 *         then lm_travel_set_param() with hostile doubles.
 * Properties:
 *   - the status is one the header documents; on error the model is
 *     unchanged (a walk matrix installed first still answers the same) and
 *     the message is non-empty;
 *   - after a successful load every cell of the input (re-parsed here by an
 *     independent reader of the documented formats) is what
 *     lm_travel_minutes() returns;
 *   - save -> load -> save gives the same bytes (the binary form is canonical);
 *   - set_matrix: OK exactly when the zones are positive and distinct, and then
 *     every cell reads back. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fuzz_common.h"

#include <sys/mman.h>
#include <unistd.h>

static const int32_t probe_zones[3] = {7001, 7002, 7003};
static const uint8_t probe_minutes[9] = {0, 11, 22, 33, 0, 44, 55, 66, 0};

static double minutes_of(const lm_travel *t, int mode, int32_t a, int32_t b) {
    double m = -1;
    int st = lm_travel_minutes(&m, t, mode, a, NAN, NAN, b, NAN, NAN);
    FZ_CHECK(st == LM_OK, "lm_travel_minutes status %d", st);
    return m;
}

static void check_probe(const lm_travel *t, int replaced_walk) {
    if (replaced_walk) return;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double m = minutes_of(t, LM_MODE_WALK, probe_zones[i], probe_zones[j]);
            FZ_CHECK(m == probe_minutes[3 * i + j], "probe cell %d,%d changed: %g", i, j, m);
        }
}

static lm_travel *fresh_model(void) {
    lm_travel *t = NULL;
    FZ_CHECK(lm_travel_create(&t) == LM_OK, "create");
    FZ_CHECK(lm_travel_set_matrix(t, LM_MODE_WALK, probe_zones, 3, probe_minutes) == LM_OK, "%s",
             lm_travel_errmsg(t));
    return t;
}

static int write_memfd(const uint8_t *p, size_t n, char *path, size_t cap) {
    int fd = memfd_create("lm-fuzz", 0);
    FZ_CHECK(fd >= 0, "memfd_create failed");
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, p + off, n - off);
        FZ_CHECK(w > 0, "write to memfd failed");
        off += (size_t)w;
    }
    snprintf(path, cap, "/proc/self/fd/%d", fd);
    return fd;
}

static const char *tmpdir(void) {
    static char dir[64];
    if (!dir[0]) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(dir, sizeof dir, "%s/lm-fuzz-travel-XXXXXX", base);
        FZ_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    }
    return dir;
}

static uint8_t *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    FZ_CHECK(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)len + 1);
    FZ_CHECK(b && fread(b, 1, (size_t)len, f) == (size_t)len, "read %s", path);
    fclose(f);
    *n = (size_t)len;
    return b;
}

/* ---- independent readers of the documented formats -------------------------- */
static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Binary: every cell of every matrix must read back. Returns the modes seen. */
static unsigned verify_binary(const lm_travel *t, const uint8_t *p, size_t n) {
    FZ_CHECK(n >= 16, "binary accepted with %zu bytes", n);
    uint32_t count = le32(p + 12);
    size_t off = 16;
    unsigned modes = 0;
    for (uint32_t k = 0; k < count; k++) {
        FZ_CHECK(off + 8 <= n, "binary accepted but truncated");
        uint32_t mode = le32(p + off), z = le32(p + off + 4);
        off += 8;
        FZ_CHECK(mode < LM_MODE_COUNT && z > 0 && off + 4 * (size_t)z + (size_t)z * z <= n, "accepted bad header");
        modes |= 1u << mode;
        const uint8_t *zones = p + off, *cells = p + off + 4 * (size_t)z;
        for (uint32_t i = 0; i < z; i++)
            for (uint32_t j = 0; j < z; j++) {
                int32_t a = (int32_t)le32(zones + 4 * i), b = (int32_t)le32(zones + 4 * j);
                FZ_CHECK(a > 0 && b > 0, "accepted zone <= 0");
                double m = minutes_of(t, (int)mode, a, b);
                uint8_t c = cells[(size_t)i * z + j];
                FZ_CHECK(c == 255 ? isinf(m) : m == c, "binary cell %d->%d mode %u: file %u, model %g", a, b, mode,
                         c, m);
            }
        off += 4 * (size_t)z + (size_t)z * z;
    }
    FZ_CHECK(off == n, "binary accepted with trailing bytes");
    return modes;
}

static int mode_of(const char *s, size_t n) {
    static const char *names[4] = {"walk", "bike", "pt", "car"};
    for (int m = 0; m < 4; m++)
        if ((strlen(names[m]) == n && memcmp(s, names[m], n) == 0) || (n == 1 && s[0] == '0' + m)) return m;
    return -1;
}

static long long num_of(const char *s, size_t n) {
    FZ_CHECK(n >= 1 && n <= 10, "accepted number field of %zu chars", n);
    long long v = 0;
    for (size_t i = 0; i < n; i++) {
        FZ_CHECK(s[i] >= '0' && s[i] <= '9', "accepted non-digit in a number field");
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Text: origin<TAB>destination<TAB>mode<TAB>minutes per line; blank lines,
 * lines starting with '#' and one leading "origin..." header are skipped. */
static unsigned verify_text(const lm_travel *t, const uint8_t *p, size_t n) {
    unsigned modes = 0;
    size_t i = 0;
    int line = 0, seen = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && p[e] != '\n') e++;
        const char *s = (const char *)p + i;
        size_t len = e - i;
        i = e + 1;
        line++;
        if (len && s[len - 1] == '\r') len--;
        if (line == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3;
            len -= 3;
        }
        size_t k = 0;
        while (k < len && (s[k] == ' ' || s[k] == '\t')) k++;
        if (k == len || s[0] == '#') continue;
        if (!seen++ && len >= 6 && memcmp(s, "origin", 6) == 0) continue;
        const char *f[4];
        size_t fl[4];
        int nf = 0;
        size_t st = 0;
        for (size_t q = 0; q <= len; q++)
            if (q == len || s[q] == '\t') {
                FZ_CHECK(nf < 4, "accepted a line with more than 4 fields (line %d)", line);
                f[nf] = s + st;
                fl[nf++] = q - st;
                st = q + 1;
            }
        FZ_CHECK(nf == 4, "accepted a line with %d fields (line %d)", nf, line);
        long long a = num_of(f[0], fl[0]), b = num_of(f[1], fl[1]), mins = num_of(f[3], fl[3]);
        int mode = mode_of(f[2], fl[2]);
        FZ_CHECK(mode >= 0 && a > 0 && b > 0 && a <= INT32_MAX && b <= INT32_MAX && mins < 255,
                 "accepted a bad line %d", line);
        modes |= 1u << mode;
        double m = minutes_of(t, mode, (int32_t)a, (int32_t)b);
        FZ_CHECK(m == (double)mins, "text line %d: %lld->%lld mode %d is %lld in the file, %g in the model", line, a,
                 b, mode, mins, m);
    }
    return modes;
}

static void fuzz_load(const uint8_t *p, size_t n) {
    lm_travel *t = fresh_model();
    char path[64];
    int fd = write_memfd(p, n, path, sizeof path);
    int st = lm_travel_load_file(t, path);
    close(fd);
    FZ_CHECK(st == LM_OK || st == LM_ERR_FORMAT || st == LM_ERR_LIMIT || st == LM_ERR_RANGE || st == LM_ERR_IO,
             "load status %d (%s)", st, lm_travel_errmsg(t));
    if (st != LM_OK) {
        FZ_CHECK(lm_travel_errmsg(t)[0] != '\0', "error %d without a message", st);
        check_probe(t, 0);
        lm_travel_free(t);
        return;
    }
    unsigned modes = (n >= 8 && memcmp(p, "LMTRAVEL", 8) == 0) ? verify_binary(t, p, n) : verify_text(t, p, n);
    check_probe(t, modes & 1u);

    /* save -> load -> save is stable */
    char a[128], b[128];
    snprintf(a, sizeof a, "%s/a.bin", tmpdir());
    snprintf(b, sizeof b, "%s/b.bin", tmpdir());
    st = lm_travel_save_file(t, a);
    FZ_CHECK(st == LM_OK, "save: %d %s", st, lm_travel_errmsg(t));
    lm_travel *t2 = NULL;
    FZ_CHECK(lm_travel_create(&t2) == LM_OK, "create");
    st = lm_travel_load_file(t2, a);
    FZ_CHECK(st == LM_OK, "reloading a saved file: %d %s", st, lm_travel_errmsg(t2));
    FZ_CHECK(lm_travel_save_file(t2, b) == LM_OK, "second save: %s", lm_travel_errmsg(t2));
    size_t na, nb;
    uint8_t *ba = slurp(a, &na), *bb = slurp(b, &nb);
    FZ_CHECK(na == nb && memcmp(ba, bb, na) == 0, "save/load/save differs (%zu vs %zu bytes)", na, nb);
    verify_binary(t2, ba, na);
    free(ba);
    free(bb);
    unlink(a);
    unlink(b);
    lm_travel_free(t2);
    lm_travel_free(t);
}

static void fuzz_set(const uint8_t *p, size_t n) {
    fz_in in = {p, n, 0};
    lm_travel *t = fresh_model();
    int mode = fz_int(&in, 0, 5) - 1; /* -1 and 4 are invalid */
    size_t nz = fz_u8(&in) % 24;
    int32_t zones[24];
    uint8_t cells[24 * 24];
    int bad_range = 0, dup = 0;
    for (size_t i = 0; i < nz; i++) {
        uint8_t k = fz_u8(&in);
        zones[i] = k < 8 ? (int32_t)fz_u32(&in) : (int32_t)(k % 40) + 1;
        if (zones[i] <= 0) bad_range = 1;
        for (size_t j = 0; j < i; j++)
            if (zones[j] == zones[i]) dup = 1;
    }
    for (size_t i = 0; i < nz * nz; i++) cells[i] = fz_u8(&in);
    int replaced = 0;
    int st = lm_travel_set_matrix(t, mode, zones, nz, cells);
    if (mode < 0 || mode >= LM_MODE_COUNT || nz == 0) {
        FZ_CHECK(st == LM_ERR_RANGE, "set_matrix(mode %d, n %zu): %d", mode, nz, st);
    } else if (bad_range || dup) {
        FZ_CHECK(st == LM_ERR_RANGE || st == LM_ERR_DUPLICATE, "set_matrix accepted bad zones: %d", st);
    } else {
        FZ_CHECK(st == LM_OK, "set_matrix refused good zones: %d %s", st, lm_travel_errmsg(t));
        replaced = mode == LM_MODE_WALK;
        for (size_t i = 0; i < nz; i++)
            for (size_t j = 0; j < nz; j++) {
                double m = minutes_of(t, mode, zones[i], zones[j]);
                uint8_t c = cells[i * nz + j];
                FZ_CHECK(c == 255 ? isinf(m) : m == c, "cell %zu,%zu: %u vs %g", i, j, c, m);
            }
    }
    if (st != LM_OK) FZ_CHECK(lm_travel_errmsg(t)[0] != '\0', "error without message");
    check_probe(t, replaced);

    /* parameters of the geometric estimate */
    for (int k = 0; k < 4 && fz_more(&in); k++) {
        int md = fz_int(&in, 0, 5) - 1, prm = fz_int(&in, 0, 4) - 1;
        double v = fz_double(&in), before = NAN;
        int valid_key = md >= 0 && md < LM_MODE_COUNT && prm >= 0 && prm < 3;
        if (valid_key) FZ_CHECK(lm_travel_get_param(&before, t, md, prm) == LM_OK, "get_param");
        st = lm_travel_set_param(t, md, prm, v);
        if (!valid_key) {
            FZ_CHECK(st == LM_ERR_RANGE, "set_param bad key: %d", st);
            continue;
        }
        double after = NAN;
        FZ_CHECK(lm_travel_get_param(&after, t, md, prm) == LM_OK, "get_param");
        if (st == LM_OK) {
            FZ_CHECK(isfinite(v) && after == v, "set_param OK but reads %g for %g", after, v);
            double lo = prm == 0 ? 0 : prm == 1 ? 1 : 0;
            FZ_CHECK(v >= lo && !(prm == 0 && v == 0), "set_param accepted %g for param %d", v, prm);
        } else {
            FZ_CHECK(st == LM_ERR_RANGE || st == LM_ERR_NONFINITE, "set_param status %d", st);
            FZ_CHECK(isfinite(v) || st == LM_ERR_NONFINITE, "non-finite %g gave %d", v, st);
            FZ_CHECK(after == before, "failed set_param changed the value");
        }
        /* the estimate stays a number >= 0 or infinity */
        double m = 0;
        FZ_CHECK(lm_travel_minutes(&m, t, md, 0, 52.0, 4.9, 0, 52.3, 4.7) == LM_OK, "minutes");
        FZ_CHECK(m >= 0, "geometric minutes %g", m);
    }
    lm_travel_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    if ((data[0] & 1) == 0) fuzz_load(data + 1, size - 1);
    else fuzz_set(data + 1, size - 1);
    return 0;
}
