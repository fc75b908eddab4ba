/* PostgreSQL binary COPY format (FORMAT binary): a pure encoder and decoder
 * over byte buffers, no libpq and no I/O, so the decoder can be fuzzed alone.
 *
 * Stream layout (PostgreSQL docs, "COPY ... Binary Format"): an 11-byte
 * signature "PGCOPY\n\377\r\n\0", an int32 flags word (bit 16 = OIDs, refused),
 * an int32 header-extension length and that many bytes; then tuples: int16
 * field count, per field an int32 length (-1 = NULL) and the bytes; the
 * trailer is a field count of -1. All integers are big-endian.
 *
 * libpq's PQgetCopyData() hands out one CopyData message at a time. The server
 * puts the header in the first message and one tuple per message, but the
 * reader below accepts any number of whole tuples per buffer; a tuple cut at a
 * buffer end is an error (LM_ERR_FORMAT), never an out-of-bounds read.
 *
 * Row decoders turn tuples of the fixed column lists below into the columnar
 * arrays of lm_candidate_cols / lm_vacancy_cols. They check types and lengths
 * (and the vector dimension) and name the row's id in messages; value ranges
 * are checked later by the pool, which names the id too. Not installed. */
#ifndef LM_PGCOPY_H
#define LM_PGCOPY_H

#include "internal.h"

/* ---- low-level reader ---------------------------------------------------- */
#define LM_PGC_MAX_FIELDS 64

typedef struct lm_pgc_field {
    const uint8_t *p; /* into the caller's buffer; NULL when len < 0 */
    int32_t len;      /* -1 = SQL NULL */
} lm_pgc_field;

typedef struct lm_pgc_reader {
    bool header_done;
    bool trailer_seen;
    uint64_t tuples; /* tuples returned so far */
} lm_pgc_reader;

/* Read the next item from buf[*pos .. len). Parses the header first if not yet
 * done. Returns 1 with a tuple in fields[0 .. *nfields), 0 when the buffer is
 * used up (read the next one), 2 at the trailer (nothing may follow), or a
 * negative status (LM_ERR_FORMAT, message in err). *pos advances past what was
 * consumed. */
LM_HIDDEN int lm__pgc_next(lm_pgc_reader *r, const uint8_t *buf, size_t len, size_t *pos, lm_pgc_field *fields,
                           int cap, int *nfields, lm_err *err);

/* Field decoders: false if the length does not fit the type. */
LM_HIDDEN bool lm__pgc_i16(const lm_pgc_field *f, int16_t *out);
LM_HIDDEN bool lm__pgc_i32(const lm_pgc_field *f, int32_t *out);
LM_HIDDEN bool lm__pgc_i64(const lm_pgc_field *f, int64_t *out);
LM_HIDDEN bool lm__pgc_f32(const lm_pgc_field *f, float *out);
LM_HIDDEN bool lm__pgc_f64(const lm_pgc_field *f, double *out);
LM_HIDDEN bool lm__pgc_bool(const lm_pgc_field *f, bool *out);

/* Big-endian float32 vectors (the stored representation of vectors, bytea). */
LM_HIDDEN void lm__pgc_vec_decode(float *out, const uint8_t *p, uint32_t dim);
LM_HIDDEN void lm__pgc_vec_encode(uint8_t *out, const float *v, uint32_t dim);

/* PostgreSQL dates count days from 2000-01-01; libmatch days from 1970-01-01. */
#define LM_PGC_DATE_SHIFT 10957

/* ---- candidate and vacancy rows ---------------------------------------- */
/* Column lists of the COPY queries, in this order (pg.c builds the SELECT
 * from these names, with explicit casts to the binary types noted). */
#define LM_PGC_CAND_COLS 21 /* the last, needs, since schema version 3 */
#define LM_PGC_VAC_COLS 20  /* the last two, offers and kind, since schema version 3 */
extern const char *const lm__pgc_cand_cols[LM_PGC_CAND_COLS];
extern const char *const lm__pgc_cand_types[LM_PGC_CAND_COLS];
extern const char *const lm__pgc_vac_cols[LM_PGC_VAC_COLS];
extern const char *const lm__pgc_vac_types[LM_PGC_VAC_COLS];

/* Growing columnar buffers for decoded candidates (live rows) plus the ids of
 * tombstones (deleted = true). */
typedef struct lm_pgc_cands {
    uint32_t dim;
    size_t n, cap;
    int64_t *id, *owner_org;
    int32_t *municipality, *region, *zone, *available_from;
    double *lat, *lon;
    uint32_t *groups;
    uint8_t *readiness, *modes, *scope;
    float *loonwaarde, *vectors, *hours_min, *hours_max, *max_minutes, *priority;
    uint64_t *flags, *needs;
    size_t ndel, capdel;
    int64_t *del;
} lm_pgc_cands;

typedef struct lm_pgc_vacs {
    uint32_t dim;
    size_t n, cap;
    int64_t *id, *employer_id;
    int32_t *municipality, *region, *zone, *slots, *open_until;
    double *lat, *lon;
    float *vectors, *weights, *hours_min, *hours_max, *min_loonwaarde;
    uint64_t *required_flags;
    uint32_t *accepted_groups;
    uint8_t *max_readiness, *kind;
    uint64_t *offers;
    size_t ndel, capdel;
    int64_t *del;
} lm_pgc_vacs;

LM_HIDDEN void lm__pgc_cands_init(lm_pgc_cands *c, uint32_t dim);
LM_HIDDEN void lm__pgc_cands_free(lm_pgc_cands *c);
LM_HIDDEN void lm__pgc_vacs_init(lm_pgc_vacs *v, uint32_t dim);
LM_HIDDEN void lm__pgc_vacs_free(lm_pgc_vacs *v);
/* Append one tuple (a live row or a tombstone). LM_OK, LM_ERR_FORMAT (field
 * count, type length, NULL in a required column, value not representable),
 * LM_ERR_DIMENSION (vector length), LM_ERR_NOMEM; message names the id. */
LM_HIDDEN int lm__pgc_cands_add(lm_pgc_cands *c, const lm_pgc_field *f, int nf, lm_err *err);
LM_HIDDEN int lm__pgc_vacs_add(lm_pgc_vacs *v, const lm_pgc_field *f, int nf, lm_err *err);
/* Room for n rows (an estimate; rows beyond it still fit). false: out of memory. */
LM_HIDDEN bool lm__pgc_cands_reserve(lm_pgc_cands *c, size_t n);
LM_HIDDEN bool lm__pgc_vacs_reserve(lm_pgc_vacs *v, size_t n);
/* Column structs over the decoded arrays. */
LM_HIDDEN lm_candidate_cols lm__pgc_cands_cols(const lm_pgc_cands *c);
LM_HIDDEN lm_vacancy_cols lm__pgc_vacs_cols(const lm_pgc_vacs *v);

/* Whole-stream decoders (one buffer holding header, tuples and trailer), for
 * tests and fuzzing. The buffers are appended to; on error they hold what was
 * decoded before the bad tuple. */
LM_HIDDEN int lm__pgc_decode_cands(lm_pgc_cands *out, const uint8_t *buf, size_t len, lm_err *err);
LM_HIDDEN int lm__pgc_decode_vacs(lm_pgc_vacs *out, const uint8_t *buf, size_t len, lm_err *err);

/* ---- encoder ---------------------------------------------------------------- */
typedef struct lm_pgc_buf {
    uint8_t *p;
    size_t len, cap;
    bool oom; /* an allocation failed: the content is incomplete */
} lm_pgc_buf;

LM_HIDDEN void lm__pgc_buf_free(lm_pgc_buf *b);
/* Make room for n more bytes; false (and oom set) on allocation failure. */
LM_HIDDEN bool lm__pgc_reserve(lm_pgc_buf *b, size_t n);
LM_HIDDEN void lm__pgc_put_header(lm_pgc_buf *b);
LM_HIDDEN void lm__pgc_put_trailer(lm_pgc_buf *b);
LM_HIDDEN void lm__pgc_put_tuple(lm_pgc_buf *b, int16_t nfields);
LM_HIDDEN void lm__pgc_put_null(lm_pgc_buf *b);
LM_HIDDEN void lm__pgc_put_i16(lm_pgc_buf *b, int16_t v);
LM_HIDDEN void lm__pgc_put_i32(lm_pgc_buf *b, int32_t v);
LM_HIDDEN void lm__pgc_put_i64(lm_pgc_buf *b, int64_t v);
LM_HIDDEN void lm__pgc_put_f32(lm_pgc_buf *b, float v);
LM_HIDDEN void lm__pgc_put_f64(lm_pgc_buf *b, double v);
LM_HIDDEN void lm__pgc_put_bool(lm_pgc_buf *b, bool v);
LM_HIDDEN void lm__pgc_put_vec(lm_pgc_buf *b, const float *v, uint32_t dim); /* bytea */

/* One tuple of the candidates / vacancies column lists from row i of cols
 * (the deleted column is false). Optional columns left NULL in cols are
 * written as the pool's defaults, so a load gives back the same pool. */
LM_HIDDEN void lm__pgc_put_cand(lm_pgc_buf *b, const lm_candidate_cols *c, size_t i);
LM_HIDDEN void lm__pgc_put_vac(lm_pgc_buf *b, const lm_vacancy_cols *v, size_t i);

/* One match_results tuple: run_id, region, direction, vacancy_id,
 * candidate_id, rank, score, competence, travel, hours, readiness, priority,
 * travel_minutes, travel_mode. */
#define LM_PGC_RESULT_COLS 14
/* with_kind (schema version 3): a 15th column, kind (int2, m->vacancy_kind), in both kinds of tuple. */
LM_HIDDEN void lm__pgc_put_result(lm_pgc_buf *b, int64_t run_id, int32_t region, int16_t dir, const lm_match *m,
                                  bool with_kind);
/* One proposals tuple: run_id, region, vacancy_id, slot, candidate_id, score,
 * competence, travel, hours, readiness, priority, travel_minutes, travel_mode. */
#define LM_PGC_PROPOSAL_COLS 13
LM_HIDDEN void lm__pgc_put_proposal(lm_pgc_buf *b, int64_t run_id, int32_t region, const lm_match *m,
                                    bool with_kind);
#endif
