/* PostgreSQL binary COPY: pure encoder and decoder over byte buffers (see
 * pgcopy.h). Every read is bounds-checked against the buffer length. */
#include "pgcopy.h"

#include <string.h>

static const uint8_t pgc_signature[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xFF, '\r', '\n', 0};

static inline uint16_t be16(const uint8_t *p) { return (uint16_t)((uint16_t)p[0] << 8 | p[1]); }
static inline uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}
static inline uint64_t be64(const uint8_t *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }

/* ---- reader ------------------------------------------------------------- */
int lm__pgc_next(lm_pgc_reader *r, const uint8_t *buf, size_t len, size_t *pos, lm_pgc_field *fields, int cap,
                 int *nfields, lm_err *err) {
    size_t p = *pos;
    *nfields = 0;
    if (p > len) return lm__fail(err, LM_ERR_FORMAT, "COPY data: position past the buffer");
    if (!r->header_done) {
        if (len - p < 19) return lm__fail(err, LM_ERR_FORMAT, "COPY data: header truncated (%zu bytes)", len - p);
        if (memcmp(buf + p, pgc_signature, sizeof pgc_signature) != 0)
            return lm__fail(err, LM_ERR_FORMAT, "COPY data: bad binary signature");
        uint32_t flags = be32(buf + p + 11), ext = be32(buf + p + 15);
        if (flags & (1u << 16)) return lm__fail(err, LM_ERR_FORMAT, "COPY data: OIDs included (unsupported)");
        if (flags & 0xFFFF0000u & ~(1u << 16))
            return lm__fail(err, LM_ERR_FORMAT, "COPY data: unknown critical header flags 0x%08x", flags);
        p += 19;
        if (ext > len - p) return lm__fail(err, LM_ERR_FORMAT, "COPY data: header extension truncated");
        p += ext;
        r->header_done = true;
        *pos = p;
    }
    if (p == len) return 0;
    if (r->trailer_seen) return lm__fail(err, LM_ERR_FORMAT, "COPY data: bytes after the trailer");
    if (len - p < 2) return lm__fail(err, LM_ERR_FORMAT, "COPY data: tuple %llu: field count truncated",
                                     (unsigned long long)r->tuples + 1);
    int16_t n = (int16_t)be16(buf + p);
    p += 2;
    if (n == -1) {
        r->trailer_seen = true;
        *pos = p;
        if (p != len) return lm__fail(err, LM_ERR_FORMAT, "COPY data: bytes after the trailer");
        return 2;
    }
    if (n < 0 || n > cap)
        return lm__fail(err, LM_ERR_FORMAT, "COPY data: tuple %llu: field count %d (expected at most %d)",
                        (unsigned long long)r->tuples + 1, (int)n, cap);
    for (int i = 0; i < n; i++) {
        if (len - p < 4)
            return lm__fail(err, LM_ERR_FORMAT, "COPY data: tuple %llu field %d: length truncated",
                            (unsigned long long)r->tuples + 1, i);
        int32_t fl = (int32_t)be32(buf + p);
        p += 4;
        if (fl < -1)
            return lm__fail(err, LM_ERR_FORMAT, "COPY data: tuple %llu field %d: bad length %d",
                            (unsigned long long)r->tuples + 1, i, (int)fl);
        if (fl == -1) {
            fields[i].p = NULL;
            fields[i].len = -1;
            continue;
        }
        if ((size_t)fl > len - p)
            return lm__fail(err, LM_ERR_FORMAT, "COPY data: tuple %llu field %d: %d bytes, %zu left",
                            (unsigned long long)r->tuples + 1, i, (int)fl, len - p);
        fields[i].p = buf + p;
        fields[i].len = fl;
        p += (size_t)fl;
    }
    *nfields = n;
    *pos = p;
    r->tuples++;
    return 1;
}

bool lm__pgc_i16(const lm_pgc_field *f, int16_t *out) {
    if (f->len != 2) return false;
    *out = (int16_t)be16(f->p);
    return true;
}
bool lm__pgc_i32(const lm_pgc_field *f, int32_t *out) {
    if (f->len != 4) return false;
    *out = (int32_t)be32(f->p);
    return true;
}
bool lm__pgc_i64(const lm_pgc_field *f, int64_t *out) {
    if (f->len != 8) return false;
    *out = (int64_t)be64(f->p);
    return true;
}
bool lm__pgc_f32(const lm_pgc_field *f, float *out) {
    if (f->len != 4) return false;
    uint32_t u = be32(f->p);
    memcpy(out, &u, 4);
    return true;
}
bool lm__pgc_f64(const lm_pgc_field *f, double *out) {
    if (f->len != 8) return false;
    uint64_t u = be64(f->p);
    memcpy(out, &u, 8);
    return true;
}
bool lm__pgc_bool(const lm_pgc_field *f, bool *out) {
    if (f->len != 1) return false;
    *out = f->p[0] != 0;
    return true;
}

void lm__pgc_vec_decode(float *out, const uint8_t *p, uint32_t dim) {
    for (uint32_t j = 0; j < dim; j++) {
        uint32_t u = be32(p + 4 * (size_t)j);
        memcpy(out + j, &u, 4);
    }
}

void lm__pgc_vec_encode(uint8_t *out, const float *v, uint32_t dim) {
    for (uint32_t j = 0; j < dim; j++) {
        uint32_t u;
        memcpy(&u, v + j, 4);
        out[4 * (size_t)j] = (uint8_t)(u >> 24);
        out[4 * (size_t)j + 1] = (uint8_t)(u >> 16);
        out[4 * (size_t)j + 2] = (uint8_t)(u >> 8);
        out[4 * (size_t)j + 3] = (uint8_t)u;
    }
}

/* ---- column lists ---------------------------------------------------------- */
const char *const lm__pgc_cand_cols[LM_PGC_CAND_COLS] = {
    "id",        "deleted", "owner_org", "municipality", "region",    "zone",        "lat",
    "lon",       "groups",  "readiness", "loonwaarde",   "vector",    "flags",       "hours_min",
    "hours_max", "modes",   "max_minutes", "available_from", "scope", "priority", "needs"};
const char *const lm__pgc_cand_types[LM_PGC_CAND_COLS] = {
    "int8",   "bool", "int8", "int4",   "int4", "int4",   "float8", "float8", "int4", "int2",
    "float4", "bytea", "int8", "float4", "float4", "int2", "float4", "date",   "int2", "float4", "int8"};
const char *const lm__pgc_vac_cols[LM_PGC_VAC_COLS] = {
    "id",        "deleted",   "employer_id", "municipality", "region",          "zone",
    "lat",       "lon",       "vector",      "weights",      "required_flags",  "hours_min",
    "hours_max", "slots",     "accepted_groups", "min_loonwaarde", "max_readiness", "open_until",
    "offers",    "kind"};
const char *const lm__pgc_vac_types[LM_PGC_VAC_COLS] = {
    "int8", "bool", "int8", "int4", "int4", "int4", "float8", "float8", "bytea",
    "bytea", "int8", "float4", "float4", "int4", "int4", "float4", "int2", "date", "int8", "int2"};

/* ---- row decoding ------------------------------------------------------------ */
#define GROW(arr, cap)                                                          \
    do {                                                                        \
        void *np_ = lm__realloc((arr), (cap) * sizeof *(arr));                  \
        if (!np_) return false;                                                 \
        (arr) = np_;                                                            \
    } while (0)

void lm__pgc_cands_init(lm_pgc_cands *c, uint32_t dim) {
    memset(c, 0, sizeof *c);
    c->dim = dim;
}

void lm__pgc_cands_free(lm_pgc_cands *c) {
    void *ps[] = {c->id, c->owner_org, c->municipality, c->region, c->zone, c->available_from, c->lat, c->lon,
                  c->groups, c->readiness, c->modes, c->scope, c->loonwaarde, c->vectors, c->hours_min,
                  c->hours_max, c->max_minutes, c->priority, c->flags, c->needs, c->del};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) lm__free(ps[i]);
    uint32_t dim = c->dim;
    lm__pgc_cands_init(c, dim);
}

static bool cands_grow(lm_pgc_cands *c, size_t want) {
    size_t cap = c->cap ? c->cap * 2 : 1024, vcap;
    if (cap < want) cap = want;
    if (!lm__mul(&vcap, cap, c->dim ? c->dim : 1)) return false;
    GROW(c->id, cap); GROW(c->owner_org, cap); GROW(c->municipality, cap); GROW(c->region, cap);
    GROW(c->zone, cap); GROW(c->available_from, cap); GROW(c->lat, cap); GROW(c->lon, cap);
    GROW(c->groups, cap); GROW(c->readiness, cap); GROW(c->modes, cap); GROW(c->scope, cap);
    GROW(c->loonwaarde, cap); GROW(c->hours_min, cap); GROW(c->hours_max, cap); GROW(c->max_minutes, cap);
    GROW(c->priority, cap); GROW(c->flags, cap); GROW(c->needs, cap); GROW(c->vectors, vcap);
    c->cap = cap;
    return true;
}

static bool del_push(int64_t **del, size_t *n, size_t *cap, int64_t id) {
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        int64_t *p = lm__realloc(*del, nc * sizeof *p);
        if (!p) return false;
        *del = p;
        *cap = nc;
    }
    (*del)[(*n)++] = id;
    return true;
}

void lm__pgc_vacs_init(lm_pgc_vacs *v, uint32_t dim) {
    memset(v, 0, sizeof *v);
    v->dim = dim;
}

void lm__pgc_vacs_free(lm_pgc_vacs *v) {
    void *ps[] = {v->id, v->employer_id, v->municipality, v->region, v->zone, v->slots, v->open_until, v->lat,
                  v->lon, v->vectors, v->weights, v->hours_min, v->hours_max, v->min_loonwaarde,
                  v->required_flags, v->accepted_groups, v->max_readiness, v->offers, v->kind, v->del};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) lm__free(ps[i]);
    uint32_t dim = v->dim;
    lm__pgc_vacs_init(v, dim);
}

static bool vacs_grow(lm_pgc_vacs *v, size_t want) {
    size_t cap = v->cap ? v->cap * 2 : 1024, vcap;
    if (cap < want) cap = want;
    if (!lm__mul(&vcap, cap, v->dim ? v->dim : 1)) return false;
    GROW(v->id, cap); GROW(v->employer_id, cap); GROW(v->municipality, cap); GROW(v->region, cap);
    GROW(v->zone, cap); GROW(v->slots, cap); GROW(v->open_until, cap); GROW(v->lat, cap); GROW(v->lon, cap);
    GROW(v->hours_min, cap); GROW(v->hours_max, cap); GROW(v->min_loonwaarde, cap); GROW(v->required_flags, cap);
    GROW(v->accepted_groups, cap); GROW(v->max_readiness, cap); GROW(v->offers, cap); GROW(v->kind, cap);
    GROW(v->vectors, vcap); GROW(v->weights, vcap);
    v->cap = cap;
    return true;
}
#undef GROW

/* Typed field readers with defaults for NULL; on a type mismatch they fail
 * with a message naming the table, the id and the column. */
typedef struct rowctx {
    lm_err *err;
    const char *what; /* "candidate" / "vacancy" */
    int64_t id;
    const lm_pgc_field *f;
    const char *const *names;
} rowctx;

static int badtype(const rowctx *R, int col, const char *type) {
    return lm__fail(R->err, LM_ERR_FORMAT, "%s id %lld: column %s: %d bytes is not a %s", R->what,
                    (long long)R->id, R->names[col], (int)R->f[col].len, type);
}
static int isnull_required(const rowctx *R, int col) {
    return lm__fail(R->err, LM_ERR_FORMAT, "%s id %lld: column %s is NULL", R->what, (long long)R->id,
                    R->names[col]);
}

#define RD(kind, ctype, tname)                                                                   \
    static int rd_##kind(const rowctx *R, int col, bool required, ctype def, ctype *out) {       \
        const lm_pgc_field *f = &R->f[col];                                                      \
        if (f->len < 0) {                                                                        \
            if (required) return isnull_required(R, col);                                        \
            *out = def;                                                                          \
            return LM_OK;                                                                        \
        }                                                                                        \
        return lm__pgc_##kind(f, out) ? LM_OK : badtype(R, col, tname);                          \
    }
RD(i32, int32_t, "int4")
RD(i64, int64_t, "int8")
RD(f32, float, "float4")
RD(f64, double, "float8")
#undef RD

static int rd_u8(const rowctx *R, int col, uint8_t def, uint8_t *out) {
    const lm_pgc_field *f = &R->f[col];
    if (f->len < 0) {
        *out = def;
        return LM_OK;
    }
    int16_t v;
    if (!lm__pgc_i16(f, &v)) return badtype(R, col, "int2");
    if (v < 0 || v > 255)
        return lm__fail(R->err, LM_ERR_RANGE, "%s id %lld: column %s: %d out of range", R->what, (long long)R->id,
                        R->names[col], (int)v);
    *out = (uint8_t)v;
    return LM_OK;
}

static int rd_u32(const rowctx *R, int col, bool required, uint32_t def, uint32_t *out) {
    int32_t v;
    int st = rd_i32(R, col, required, (int32_t)def, &v);
    if (st) return st;
    if (v < 0 && R->f[col].len >= 0)
        return lm__fail(R->err, LM_ERR_RANGE, "%s id %lld: column %s: %d is negative", R->what, (long long)R->id,
                        R->names[col], (int)v);
    *out = (uint32_t)v;
    return LM_OK;
}

/* date -> day number; NULL and +infinity -> null_day, -infinity -> 0. */
static int rd_day(const rowctx *R, int col, int32_t null_day, int32_t *out) {
    const lm_pgc_field *f = &R->f[col];
    if (f->len < 0) {
        *out = null_day;
        return LM_OK;
    }
    int32_t d;
    if (!lm__pgc_i32(f, &d)) return badtype(R, col, "date");
    if (d == INT32_MAX) {
        *out = null_day;
        return LM_OK;
    }
    if (d == INT32_MIN) {
        *out = 0;
        return LM_OK;
    }
    int64_t day = (int64_t)d + LM_PGC_DATE_SHIFT;
    if (day < INT32_MIN || day >= INT32_MAX)
        return lm__fail(R->err, LM_ERR_RANGE, "%s id %lld: column %s: date out of range", R->what,
                        (long long)R->id, R->names[col]);
    *out = (int32_t)day;
    return LM_OK;
}

static int rd_vec(const rowctx *R, int col, bool required, uint32_t dim, float *out, bool *was_null) {
    const lm_pgc_field *f = &R->f[col];
    *was_null = f->len < 0;
    if (f->len < 0) {
        if (required) return isnull_required(R, col);
        return LM_OK;
    }
    if ((uint64_t)f->len != (uint64_t)dim * 4u)
        return lm__fail(R->err, LM_ERR_DIMENSION, "%s id %lld: column %s has %d bytes, expected %u (dimension %u "
                        "as big-endian float4)", R->what, (long long)R->id, R->names[col], (int)f->len, dim * 4u, dim);
    lm__pgc_vec_decode(out, f->p, dim);
    return LM_OK;
}

/* id and deleted: common to both sides. Returns 1 for a tombstone. */
static int rd_head(rowctx *R, int nf, int want, const char *what) {
    if (nf != want)
        return lm__fail(R->err, LM_ERR_FORMAT, "%s row: %d columns, expected %d", what, nf, want);
    if (R->f[0].len < 0) return lm__fail(R->err, LM_ERR_FORMAT, "%s row with a NULL id", what);
    if (!lm__pgc_i64(&R->f[0], &R->id)) return lm__fail(R->err, LM_ERR_FORMAT, "%s row: id is not an int8", what);
    bool del = false;
    if (R->f[1].len >= 0 && !lm__pgc_bool(&R->f[1], &del)) return badtype(R, 1, "bool");
    return del ? 1 : 0;
}

#define TRY(x)                   \
    do {                         \
        int st_ = (x);           \
        if (st_) return st_;     \
    } while (0)

int lm__pgc_cands_add(lm_pgc_cands *c, const lm_pgc_field *f, int nf, lm_err *err) {
    rowctx R = {err, "candidate", 0, f, lm__pgc_cand_cols};
    int h = rd_head(&R, nf, LM_PGC_CAND_COLS, "candidate");
    if (h < 0) return h;
    if (h == 1) {
        if (!del_push(&c->del, &c->ndel, &c->capdel, R.id))
            return lm__fail(err, LM_ERR_NOMEM, "candidate id %lld: out of memory", (long long)R.id);
        return LM_OK;
    }
    if (c->n == c->cap && !cands_grow(c, 0))
        return lm__fail(err, LM_ERR_NOMEM, "candidates: out of memory after %zu rows", c->n);
    size_t i = c->n;
    c->id[i] = R.id;
    bool vnull;
    TRY(rd_i64(&R, 2, true, 0, &c->owner_org[i]));
    TRY(rd_i32(&R, 3, true, 0, &c->municipality[i]));
    TRY(rd_i32(&R, 4, false, 0, &c->region[i]));
    TRY(rd_i32(&R, 5, false, 0, &c->zone[i]));
    TRY(rd_f64(&R, 6, false, NAN, &c->lat[i]));
    TRY(rd_f64(&R, 7, false, NAN, &c->lon[i]));
    TRY(rd_u32(&R, 8, true, 0, &c->groups[i]));
    TRY(rd_u8(&R, 9, LM_READY_A, &c->readiness[i]));
    TRY(rd_f32(&R, 10, false, 100.f, &c->loonwaarde[i]));
    TRY(rd_vec(&R, 11, true, c->dim, c->vectors + i * c->dim, &vnull));
    int64_t fl;
    TRY(rd_i64(&R, 12, false, 0, &fl));
    c->flags[i] = (uint64_t)fl;
    TRY(rd_f32(&R, 13, false, 0.f, &c->hours_min[i]));
    TRY(rd_f32(&R, 14, false, 80.f, &c->hours_max[i]));
    TRY(rd_u8(&R, 15, LM_MODES_ALL, &c->modes[i]));
    TRY(rd_f32(&R, 16, false, 0.f, &c->max_minutes[i]));
    TRY(rd_day(&R, 17, 0, &c->available_from[i]));
    TRY(rd_u8(&R, 18, LM_SCOPE_ORG, &c->scope[i]));
    TRY(rd_f32(&R, 19, false, 0.f, &c->priority[i]));
    TRY(rd_i64(&R, 20, false, 0, &fl));
    c->needs[i] = (uint64_t)fl;
    c->n++;
    return LM_OK;
}

int lm__pgc_vacs_add(lm_pgc_vacs *v, const lm_pgc_field *f, int nf, lm_err *err) {
    rowctx R = {err, "vacancy", 0, f, lm__pgc_vac_cols};
    int h = rd_head(&R, nf, LM_PGC_VAC_COLS, "vacancy");
    if (h < 0) return h;
    if (h == 1) {
        if (!del_push(&v->del, &v->ndel, &v->capdel, R.id))
            return lm__fail(err, LM_ERR_NOMEM, "vacancy id %lld: out of memory", (long long)R.id);
        return LM_OK;
    }
    if (v->n == v->cap && !vacs_grow(v, 0))
        return lm__fail(err, LM_ERR_NOMEM, "vacancies: out of memory after %zu rows", v->n);
    size_t i = v->n;
    v->id[i] = R.id;
    bool vnull, wnull;
    TRY(rd_i64(&R, 2, true, 0, &v->employer_id[i]));
    TRY(rd_i32(&R, 3, true, 0, &v->municipality[i]));
    TRY(rd_i32(&R, 4, false, 0, &v->region[i]));
    TRY(rd_i32(&R, 5, false, 0, &v->zone[i]));
    TRY(rd_f64(&R, 6, false, NAN, &v->lat[i]));
    TRY(rd_f64(&R, 7, false, NAN, &v->lon[i]));
    TRY(rd_vec(&R, 8, true, v->dim, v->vectors + i * v->dim, &vnull));
    float *w = v->weights + i * v->dim;
    TRY(rd_vec(&R, 9, false, v->dim, w, &wnull));
    if (wnull)
        for (uint32_t j = 0; j < v->dim; j++) w[j] = 1.f;
    int64_t fl;
    TRY(rd_i64(&R, 10, false, 0, &fl));
    v->required_flags[i] = (uint64_t)fl;
    TRY(rd_f32(&R, 11, false, 0.f, &v->hours_min[i]));
    TRY(rd_f32(&R, 12, false, 80.f, &v->hours_max[i]));
    TRY(rd_i32(&R, 13, false, 1, &v->slots[i]));
    TRY(rd_u32(&R, 14, false, LM_GROUP_ALL, &v->accepted_groups[i]));
    TRY(rd_f32(&R, 15, false, 0.f, &v->min_loonwaarde[i]));
    TRY(rd_u8(&R, 16, LM_READY_E, &v->max_readiness[i]));
    TRY(rd_day(&R, 17, INT32_MAX, &v->open_until[i]));
    TRY(rd_i64(&R, 18, false, 0, &fl));
    v->offers[i] = (uint64_t)fl;
    TRY(rd_u8(&R, 19, LM_KIND_REGULAR, &v->kind[i]));
    v->n++;
    return LM_OK;
}
#undef TRY

bool lm__pgc_cands_reserve(lm_pgc_cands *c, size_t n) { return n <= c->cap || cands_grow(c, n); }
bool lm__pgc_vacs_reserve(lm_pgc_vacs *v, size_t n) { return n <= v->cap || vacs_grow(v, n); }

lm_candidate_cols lm__pgc_cands_cols(const lm_pgc_cands *c) {
    lm_candidate_cols o = LM_CANDIDATE_COLS_INIT;
    o.dim = c->dim;
    o.id = c->id; o.owner_org = c->owner_org; o.municipality = c->municipality; o.region = c->region;
    o.zone = c->zone; o.lat = c->lat; o.lon = c->lon; o.groups = c->groups; o.readiness = c->readiness;
    o.loonwaarde = c->loonwaarde; o.vectors = c->vectors; o.flags = c->flags; o.hours_min = c->hours_min;
    o.hours_max = c->hours_max; o.modes = c->modes; o.max_minutes = c->max_minutes;
    o.available_from = c->available_from; o.scope = c->scope; o.priority = c->priority;
    o.needs = c->needs;
    return o;
}

lm_vacancy_cols lm__pgc_vacs_cols(const lm_pgc_vacs *v) {
    lm_vacancy_cols o = LM_VACANCY_COLS_INIT;
    o.dim = v->dim;
    o.id = v->id; o.employer_id = v->employer_id; o.municipality = v->municipality; o.region = v->region;
    o.zone = v->zone; o.lat = v->lat; o.lon = v->lon; o.vectors = v->vectors; o.weights = v->weights;
    o.required_flags = v->required_flags; o.hours_min = v->hours_min; o.hours_max = v->hours_max;
    o.slots = v->slots; o.accepted_groups = v->accepted_groups; o.min_loonwaarde = v->min_loonwaarde;
    o.max_readiness = v->max_readiness; o.open_until = v->open_until;
    o.offers = v->offers;
    o.kind = v->kind;
    return o;
}

static int decode_all(void *out, int (*add)(void *, const lm_pgc_field *, int, lm_err *), const uint8_t *buf,
                      size_t len, lm_err *err) {
    lm_pgc_reader r = {0};
    lm_pgc_field f[LM_PGC_MAX_FIELDS];
    size_t pos = 0;
    for (;;) {
        int nf = 0;
        int st = lm__pgc_next(&r, buf, len, &pos, f, LM_PGC_MAX_FIELDS, &nf, err);
        if (st < 0) return st;
        if (st == 2) return LM_OK;
        if (st == 0) return lm__fail(err, LM_ERR_FORMAT, "COPY data: no trailer after %llu tuples",
                                     (unsigned long long)r.tuples);
        if ((st = add(out, f, nf, err)) != LM_OK) return st;
    }
}

static int add_c(void *o, const lm_pgc_field *f, int nf, lm_err *e) { return lm__pgc_cands_add(o, f, nf, e); }
static int add_v(void *o, const lm_pgc_field *f, int nf, lm_err *e) { return lm__pgc_vacs_add(o, f, nf, e); }

int lm__pgc_decode_cands(lm_pgc_cands *out, const uint8_t *buf, size_t len, lm_err *err) {
    return decode_all(out, add_c, buf, len, err);
}
int lm__pgc_decode_vacs(lm_pgc_vacs *out, const uint8_t *buf, size_t len, lm_err *err) {
    return decode_all(out, add_v, buf, len, err);
}

/* ---- encoder ------------------------------------------------------------------ */
void lm__pgc_buf_free(lm_pgc_buf *b) {
    lm__free(b->p);
    memset(b, 0, sizeof *b);
}

bool lm__pgc_reserve(lm_pgc_buf *b, size_t n) {
    if (b->oom) return false;
    if (b->cap - b->len >= n) return true;
    size_t need;
    if (__builtin_add_overflow(b->len, n, &need)) {
        b->oom = true;
        return false;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    uint8_t *p = lm__realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

static inline void put_be16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline void put_be64(uint8_t *p, uint64_t v) {
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}

void lm__pgc_put_header(lm_pgc_buf *b) {
    if (!lm__pgc_reserve(b, 19)) return;
    memcpy(b->p + b->len, pgc_signature, 11);
    put_be32(b->p + b->len + 11, 0);
    put_be32(b->p + b->len + 15, 0);
    b->len += 19;
}
void lm__pgc_put_trailer(lm_pgc_buf *b) {
    if (!lm__pgc_reserve(b, 2)) return;
    put_be16(b->p + b->len, 0xFFFFu);
    b->len += 2;
}
void lm__pgc_put_tuple(lm_pgc_buf *b, int16_t n) {
    if (!lm__pgc_reserve(b, 2)) return;
    put_be16(b->p + b->len, (uint16_t)n);
    b->len += 2;
}
void lm__pgc_put_null(lm_pgc_buf *b) {
    if (!lm__pgc_reserve(b, 4)) return;
    put_be32(b->p + b->len, 0xFFFFFFFFu);
    b->len += 4;
}
void lm__pgc_put_i16(lm_pgc_buf *b, int16_t v) {
    if (!lm__pgc_reserve(b, 6)) return;
    put_be32(b->p + b->len, 2);
    put_be16(b->p + b->len + 4, (uint16_t)v);
    b->len += 6;
}
void lm__pgc_put_i32(lm_pgc_buf *b, int32_t v) {
    if (!lm__pgc_reserve(b, 8)) return;
    put_be32(b->p + b->len, 4);
    put_be32(b->p + b->len + 4, (uint32_t)v);
    b->len += 8;
}
void lm__pgc_put_i64(lm_pgc_buf *b, int64_t v) {
    if (!lm__pgc_reserve(b, 12)) return;
    put_be32(b->p + b->len, 8);
    put_be64(b->p + b->len + 4, (uint64_t)v);
    b->len += 12;
}
void lm__pgc_put_f32(lm_pgc_buf *b, float v) {
    uint32_t u;
    memcpy(&u, &v, 4);
    lm__pgc_put_i32(b, (int32_t)u);
}
void lm__pgc_put_f64(lm_pgc_buf *b, double v) {
    uint64_t u;
    memcpy(&u, &v, 8);
    lm__pgc_put_i64(b, (int64_t)u);
}
void lm__pgc_put_bool(lm_pgc_buf *b, bool v) {
    if (!lm__pgc_reserve(b, 5)) return;
    put_be32(b->p + b->len, 1);
    b->p[b->len + 4] = v ? 1 : 0;
    b->len += 5;
}
void lm__pgc_put_vec(lm_pgc_buf *b, const float *v, uint32_t dim) {
    size_t n = (size_t)dim * 4u;
    if (n > INT32_MAX || !lm__pgc_reserve(b, 4 + n)) {
        b->oom = true;
        return;
    }
    put_be32(b->p + b->len, (uint32_t)n);
    lm__pgc_vec_encode(b->p + b->len + 4, v, dim);
    b->len += 4 + n;
}

static void put_opt_f64(lm_pgc_buf *b, const double *col, size_t i) {
    if (col && !isnan(col[i])) lm__pgc_put_f64(b, col[i]);
    else lm__pgc_put_null(b);
}

static void put_day(lm_pgc_buf *b, const int32_t *col, size_t i, int32_t null_day) {
    if (!col || col[i] == null_day) lm__pgc_put_null(b);
    else lm__pgc_put_i32(b, (int32_t)((int64_t)col[i] - LM_PGC_DATE_SHIFT));
}

void lm__pgc_put_cand(lm_pgc_buf *b, const lm_candidate_cols *c, size_t i) {
    lm__pgc_put_tuple(b, LM_PGC_CAND_COLS);
    lm__pgc_put_i64(b, c->id[i]);
    lm__pgc_put_bool(b, false);
    lm__pgc_put_i64(b, c->owner_org[i]);
    lm__pgc_put_i32(b, c->municipality[i]);
    lm__pgc_put_i32(b, c->region ? c->region[i] : 0);
    lm__pgc_put_i32(b, c->zone ? c->zone[i] : 0);
    put_opt_f64(b, c->lat, i);
    put_opt_f64(b, c->lon, i);
    lm__pgc_put_i32(b, (int32_t)c->groups[i]);
    lm__pgc_put_i16(b, c->readiness ? c->readiness[i] : LM_READY_A);
    lm__pgc_put_f32(b, c->loonwaarde ? c->loonwaarde[i] : 100.f);
    lm__pgc_put_vec(b, c->vectors + i * c->dim, c->dim);
    lm__pgc_put_i64(b, c->flags ? (int64_t)c->flags[i] : 0);
    lm__pgc_put_f32(b, c->hours_min ? c->hours_min[i] : 0.f);
    lm__pgc_put_f32(b, c->hours_max ? c->hours_max[i] : 80.f);
    lm__pgc_put_i16(b, c->modes ? c->modes[i] : LM_MODES_ALL);
    lm__pgc_put_f32(b, c->max_minutes ? c->max_minutes[i] : 0.f);
    put_day(b, c->available_from, i, 0);
    lm__pgc_put_i16(b, c->scope ? c->scope[i] : LM_SCOPE_ORG);
    lm__pgc_put_f32(b, c->priority ? c->priority[i] : 0.f);
    lm__pgc_put_i64(b, c->needs ? (int64_t)c->needs[i] : 0);
}

void lm__pgc_put_vac(lm_pgc_buf *b, const lm_vacancy_cols *v, size_t i) {
    lm__pgc_put_tuple(b, LM_PGC_VAC_COLS);
    lm__pgc_put_i64(b, v->id[i]);
    lm__pgc_put_bool(b, false);
    lm__pgc_put_i64(b, v->employer_id[i]);
    lm__pgc_put_i32(b, v->municipality[i]);
    lm__pgc_put_i32(b, v->region ? v->region[i] : 0);
    lm__pgc_put_i32(b, v->zone ? v->zone[i] : 0);
    put_opt_f64(b, v->lat, i);
    put_opt_f64(b, v->lon, i);
    lm__pgc_put_vec(b, v->vectors + i * v->dim, v->dim);
    if (v->weights) lm__pgc_put_vec(b, v->weights + i * v->dim, v->dim);
    else lm__pgc_put_null(b);
    lm__pgc_put_i64(b, v->required_flags ? (int64_t)v->required_flags[i] : 0);
    lm__pgc_put_f32(b, v->hours_min ? v->hours_min[i] : 0.f);
    lm__pgc_put_f32(b, v->hours_max ? v->hours_max[i] : 80.f);
    lm__pgc_put_i32(b, v->slots ? v->slots[i] : 1);
    lm__pgc_put_i32(b, v->accepted_groups ? (int32_t)v->accepted_groups[i] : (int32_t)LM_GROUP_ALL);
    lm__pgc_put_f32(b, v->min_loonwaarde ? v->min_loonwaarde[i] : 0.f);
    lm__pgc_put_i16(b, v->max_readiness ? v->max_readiness[i] : LM_READY_E);
    put_day(b, v->open_until, i, INT32_MAX);
    lm__pgc_put_i64(b, v->offers ? (int64_t)v->offers[i] : 0);
    lm__pgc_put_i16(b, v->kind ? v->kind[i] : LM_KIND_REGULAR);
}

#define I64(v) do { put_be32(p, 8); put_be64(p + 4, (uint64_t)(v)); p += 12; } while (0)
#define I32(v) do { put_be32(p, 4); put_be32(p + 4, (uint32_t)(v)); p += 8; } while (0)
#define I16(v) do { put_be32(p, 2); put_be16(p + 4, (uint16_t)(v)); p += 6; } while (0)
#define F32(v) do { uint32_t u_; float f_ = (v); memcpy(&u_, &f_, 4); I32(u_); } while (0)

/* The score components and travel of a match, the tail of both result and
 * proposal tuples (7 float4 + 1 int2). */
static uint8_t *put_components(uint8_t *p, const lm_match *m) {
    F32(m->score);
    F32(m->competence);
    F32(m->travel);
    F32(m->hours);
    F32(m->readiness);
    F32(m->priority);
    F32(m->travel_minutes);
    I16(m->travel_mode);
    return p;
}

/* Fixed-size fast path: a match_results tuple is always the same length. */
void lm__pgc_put_result(lm_pgc_buf *b, int64_t run_id, int32_t region, int16_t dir, const lm_match *m,
                        bool with_kind) {
    /* count + 3 int8 (12 each) + 2 int4 (8) + 2 int2 (6) + 7 float4 (8) [+ int2] */
    const size_t n = 2 + 3 * 12 + 2 * 8 + 3 * 6 + 7 * 8;
    if (!lm__pgc_reserve(b, n)) return;
    uint8_t *p = b->p + b->len;
    put_be16(p, (uint16_t)(LM_PGC_RESULT_COLS + with_kind)); p += 2;
    I64(run_id);
    I32(region);
    I16(dir);
    I64(m->vacancy_id);
    I64(m->candidate_id);
    I32(m->rank);
    p = put_components(p, m);
    if (with_kind) I16(m->vacancy_kind);
    b->len = (size_t)(p - b->p);
}

void lm__pgc_put_proposal(lm_pgc_buf *b, int64_t run_id, int32_t region, const lm_match *m, bool with_kind) {
    const size_t n = 2 + 3 * 12 + 2 * 8 + 2 * 6 + 7 * 8;
    if (!lm__pgc_reserve(b, n)) return;
    uint8_t *p = b->p + b->len;
    put_be16(p, (uint16_t)(LM_PGC_PROPOSAL_COLS + with_kind)); p += 2;
    I64(run_id);
    I32(region);
    I64(m->vacancy_id);
    I32(m->rank);
    I64(m->candidate_id);
    p = put_components(p, m);
    if (with_kind) I16(m->vacancy_kind);
    b->len = (size_t)(p - b->p);
#undef I64
#undef I32
#undef I16
#undef F32
}
