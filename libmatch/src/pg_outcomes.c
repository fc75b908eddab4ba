/* Outcomes in PostgreSQL (schema version 3): placements (start with the
 * status change to placed, end), the outcome history for lm_effects_compute()
 * and the effect figures as the SQL function effect_figures() computes them.
 * Same rules as pg.c: values only as parameters, one transaction per call,
 * nothing changed on error. Tables and views: docs/postgresql.md; the
 * figures: docs/outcomes.md. */
#include "pg_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPOCH "DATE '1970-01-01'"

/* The names stored in placements (outcomes.h order; CHECK constraints in 003_outcomes.sql). */
static const char *const contract_names[LM_CONTRACT_COUNT] = {"regular",     "garantiebaan",      "beschut",
                                                              "detachering", "werkervaringsplek", "other"};
static const char *const end_names[LM_END_REASON_COUNT] = {"none",        "contract_ended", "dismissed",
                                                           "person_left", "moved",          "other"};

static int name_code(const char *s, const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        if (!strcmp(s, names[i])) return i;
    return -1;
}

static int64_t i64_at(const PGresult *r, int row, int col) {
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* A day column (already an integer day number), -1 when NULL. */
static int64_t day_at(const PGresult *r, int row, int col) {
    return PQgetisnull(r, row, col) ? -1 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* Connected, idle and at schema version 3 or later. */
static int need_v3(lm_db *db, const char *what) {
    int st = lm__pg_ready(db, what);
    if (st) return st;
    int32_t ver = 0;
    if ((st = lm__pg_version(db, &ver))) return st;
    if (ver < 3)
        return lm__fail(&db->err, LM_ERR_STATE, "%s: schema version %d has no placements; upgrade it to version 3 "
                        "with lm_db_init() (lmatch db init)", what, (int)ver);
    return LM_OK;
}

/* ---- placements ---------------------------------------------------------------------- */
static int check_start(lm_db *db, const lm_placement_start *s) {
    if (s->struct_size < sizeof(lm_placement_start))
        return lm__fail(&db->err, LM_ERR_INVALID, "place: start struct_size %zu too small (use LM_PLACEMENT_START_INIT)",
                        s->struct_size);
    if (s->start_day < 0) return lm__fail(&db->err, LM_ERR_RANGE, "place: start day %d < 0", (int)s->start_day);
    if (!(s->hours >= 0.f && s->hours <= 80.f))
        return lm__fail(&db->err, LM_ERR_RANGE, "place: hours %g not in 0..80", (double)s->hours);
    if (s->contract < 0 || s->contract >= LM_CONTRACT_COUNT)
        return lm__fail(&db->err, LM_ERR_RANGE, "place: contract %d unknown (0..%d)", (int)s->contract,
                        LM_CONTRACT_COUNT - 1);
    if (s->lks != 0 && s->lks != 1) return lm__fail(&db->err, LM_ERR_RANGE, "place: lks %d is not 0 or 1", (int)s->lks);
    return LM_OK;
}

/* Inside the open transaction, after the status change: the placements row. */
static int insert_start(lm_db *db, const lm_status_change *c, const lm_placement_start *s) {
    char sql[900], v_id[24], v_start[16], v_day[16], v_hours[32], v_by[24];
    long long pid = (long long)c->proposal_id;
    snprintf(v_id, sizeof v_id, "%lld", pid);
    snprintf(v_start, sizeof v_start, "%d", (int)s->start_day);
    snprintf(v_day, sizeof v_day, "%d", (int)c->day);
    snprintf(v_hours, sizeof v_hours, "%.9g", (double)s->hours);
    snprintf(v_by, sizeof v_by, "%lld", (long long)c->by_org);
    /* The start: given, else the change's day, else today; never before the proposal. */
    snprintf(sql, sizeof sql,
             "SELECT proposed_day - " EPOCH ", CASE WHEN $2::integer > 0 THEN $2::integer WHEN $3::integer > 0 THEN "
             "$3::integer ELSE current_date - " EPOCH " END FROM %s.proposal_state WHERE proposal_id = $1",
             db->qschema);
    const char *v1[3] = {v_id, v_start, v_day};
    int st;
    PGresult *r = lm__pg_execp(db, sql, 3, v1, "place", &st);
    if (!r) return st;
    int64_t proposed = i64_at(r, 0, 0), start = i64_at(r, 0, 1);
    PQclear(r);
    if (start < proposed)
        return lm__fail(&db->err, LM_ERR_RANGE, "place: proposal %lld: start day %lld is before the proposal was made "
                        "(day %lld)", pid, (long long)start, (long long)proposed);
    char v_s[24];
    snprintf(v_s, sizeof v_s, "%lld", (long long)start);
    snprintf(sql, sizeof sql,
             "INSERT INTO %s.placements (proposal_id, start_date, hours, contract, lks, by_org) "
             "VALUES ($1, " EPOCH " + $2::integer, $3, $4, $5, $6)", db->qschema);
    const char *v2[6] = {v_id, v_s, v_hours, contract_names[s->contract], s->lks ? "true" : "false", v_by};
    r = lm__pg_execp(db, sql, 6, v2, "place", &st);
    PQclear(r);
    return st;
}

int lm_db_place(lm_db *db, const lm_status_change *change, const lm_placement_start *start) {
    if (!db) return LM_ERR_NULL;
    if (!change) return lm__fail(&db->err, LM_ERR_NULL, "place: change is NULL");
    lm_placement_start s0 = LM_PLACEMENT_START_INIT;
    if (!start) start = &s0;
    int st = lm__pg_check_change(db, change, 0);
    if (st) return st;
    if (change->status != LM_PROPOSAL_PLACED)
        return lm__fail(&db->err, LM_ERR_RANGE, "place: status %s is not placed",
                        lm_proposal_status_name(change->status));
    if ((st = check_start(db, start))) return st;
    if ((st = need_v3(db, "place"))) return st;
    if ((st = lm__pg_exec0(db, "BEGIN", "place: begin"))) return st;
    st = lm__pg_apply_change(db, change, 0);
    if (!st) st = insert_start(db, change, start);
    if (!st) st = lm__pg_exec0(db, "COMMIT", "place: commit");
    if (st) {
        lm__pg_rollback(db);
        return st;
    }
    lm__clear(&db->err);
    return LM_OK;
}

int lm_db_placement_end(lm_db *db, int64_t proposal_id, int32_t end_day, int32_t reason) {
    static const char what[] = "placement end";
    if (!db) return LM_ERR_NULL;
    long long pid = (long long)proposal_id;
    if (proposal_id <= 0) return lm__fail(&db->err, LM_ERR_RANGE, "%s: proposal id %lld must be > 0", what, pid);
    if (end_day < 0) return lm__fail(&db->err, LM_ERR_RANGE, "%s: end day %d < 0", what, (int)end_day);
    if (reason <= LM_END_NONE || reason >= LM_END_REASON_COUNT)
        return lm__fail(&db->err, LM_ERR_RANGE, "%s: reason %d unknown or none (1..%d)", what, (int)reason,
                        LM_END_REASON_COUNT - 1);
    int st = need_v3(db, what);
    if (st) return st;
    if ((st = lm__pg_exec0(db, "BEGIN", "placement end: begin"))) return st;
    char sql[900], v_id[24], v_day[16];
    snprintf(v_id, sizeof v_id, "%lld", pid);
    snprintf(v_day, sizeof v_day, "%d", (int)end_day);
    const char *q = db->qschema;
    snprintf(sql, sizeof sql,
             "SELECT s.status, coalesce(p.start_date, greatest(s.status_day, s.proposed_day)) - " EPOCH ", p.end_date IS NOT NULL, "
             "p.proposal_id IS NOT NULL, CASE WHEN $2::integer > 0 THEN $2::integer ELSE current_date - " EPOCH " END, "
             "s.vacancy_id, s.candidate_id FROM %s.proposal_state s LEFT JOIN %s.placements p USING (proposal_id) "
             "WHERE s.proposal_id = $1 FOR UPDATE OF s", q, q);
    const char *v1[2] = {v_id, v_day};
    PGresult *r = lm__pg_execp(db, sql, 2, v1, what, &st);
    if (!r) goto fail;
    if (PQntuples(r) != 1) {
        PQclear(r);
        st = lm__fail(&db->err, LM_ERR_UNKNOWN_ID, "%s: no proposal %lld", what, pid);
        goto fail;
    }
    char status[32];
    snprintf(status, sizeof status, "%s", PQgetvalue(r, 0, 0));
    int64_t start = i64_at(r, 0, 1), end = i64_at(r, 0, 4), vac = i64_at(r, 0, 5), cand = i64_at(r, 0, 6);
    bool ended = PQgetvalue(r, 0, 2)[0] == 't', exists = PQgetvalue(r, 0, 3)[0] == 't';
    PQclear(r);
    if (strcmp(status, "placed")) {
        st = lm__fail(&db->err, LM_ERR_STATE, "%s: proposal %lld is %s, not placed", what, pid, status);
        goto fail;
    }
    if (ended) {
        st = lm__fail(&db->err, LM_ERR_STATE, "%s: the placement of proposal %lld has already ended", what, pid);
        goto fail;
    }
    if (end < start) {
        st = lm__fail(&db->err, LM_ERR_RANGE, "%s: proposal %lld: end day %lld is before the start (day %lld)", what,
                      pid, (long long)end, (long long)start);
        goto fail;
    }
    char v_end[24], v_start[24], v_vac[24], v_cand[24];
    snprintf(v_end, sizeof v_end, "%lld", (long long)end);
    snprintf(v_start, sizeof v_start, "%lld", (long long)start);
    snprintf(v_vac, sizeof v_vac, "%lld", (long long)vac);
    snprintf(v_cand, sizeof v_cand, "%lld", (long long)cand);
    if (exists)
        snprintf(sql, sizeof sql, "UPDATE %s.placements SET end_date = " EPOCH " + $2::integer, end_reason = $3, "
                 "ended_by = 0 WHERE proposal_id = $1 AND $4::integer IS NOT NULL", q);
    else
        snprintf(sql, sizeof sql, "INSERT INTO %s.placements (proposal_id, start_date, end_date, end_reason, ended_by) "
                 "VALUES ($1, " EPOCH " + $4::integer, " EPOCH " + $2::integer, $3, 0)", q);
    const char *v2[4] = {v_id, v_end, end_names[reason], v_start};
    if (!(r = lm__pg_execp(db, sql, 4, v2, what, &st))) goto fail;
    PQclear(r);
    snprintf(sql, sizeof sql, "INSERT INTO %s.access_log (viewer_org, action, proposal_id, candidate_id, vacancy_id) "
             "VALUES (0, 'placement_end', $1, $2, $3)", q);
    const char *v3[3] = {v_id, v_cand, v_vac};
    if (!(r = lm__pg_execp(db, sql, 3, v3, what, &st))) goto fail;
    PQclear(r);
    if ((st = lm__pg_exec0(db, "COMMIT", "placement end: commit"))) goto fail;
    lm__clear(&db->err);
    return LM_OK;
fail:
    lm__pg_rollback(db);
    return st;
}

/* ---- the outcome history ------------------------------------------------------------- */
static int read_persons(lm_db *db, lm_outcome_person **out, size_t *n) {
    static const char what[] = "outcomes: persons";
    char sql[400];
    snprintf(sql, sizeof sql, "SELECT candidate_id, org, groups, readiness, municipality FROM %s.outcome_persons "
             "ORDER BY candidate_id", db->qschema);
    int st;
    PGresult *r = lm__pg_execp(db, sql, 0, NULL, what, &st);
    if (!r) return st;
    size_t m = (size_t)PQntuples(r);
    if (m > (size_t)LM_MAX_ROWS) {
        PQclear(r);
        return lm__fail(&db->err, LM_ERR_LIMIT, "%s: %zu persons exceed %d", what, m, LM_MAX_ROWS);
    }
    lm_outcome_person *p = lm__calloc(m ? m : 1, sizeof *p);
    if (!p) {
        PQclear(r);
        return lm__fail(&db->err, LM_ERR_NOMEM, "%s: out of memory", what);
    }
    for (size_t i = 0; i < m; i++) {
        int row = (int)i;
        lm_outcome_person x = LM_OUTCOME_PERSON_INIT;
        x.candidate_id = i64_at(r, row, 0);
        x.org = i64_at(r, row, 1);
        int64_t groups = i64_at(r, row, 2), ready = i64_at(r, row, 3);
        x.municipality = (int32_t)i64_at(r, row, 4);
        if (ready < 1 || ready > 5) {
            long long id = (long long)x.candidate_id;
            PQclear(r);
            lm__free(p);
            return lm__fail(&db->err, LM_ERR_FORMAT, "%s: candidate %lld: readiness %lld not in 1..5", what, id,
                            (long long)ready);
        }
        x.groups = (uint32_t)groups;
        x.readiness = (uint8_t)ready;
        p[i] = x;
    }
    PQclear(r);
    *out = p;
    *n = m;
    return LM_OK;
}

static int read_records(lm_db *db, lm_outcome_record **out, size_t *n) {
    static const char what[] = "outcomes: records";
    char sql[900];
    snprintf(sql, sizeof sql,
             "SELECT proposal_id, candidate_id, vacancy_id, org, work_municipality, vacancy_kind, contract, lks, "
             "end_reason, proposed_day - " EPOCH ", introduced_day - " EPOCH ", placed_day - " EPOCH ", "
             "end_day - " EPOCH ", hours FROM %s.outcome_records o WHERE EXISTS (SELECT 1 FROM %s.outcome_persons x "
             "WHERE x.candidate_id = o.candidate_id) ORDER BY proposal_id", db->qschema, db->qschema);
    int st;
    PGresult *r = lm__pg_execp(db, sql, 0, NULL, what, &st);
    if (!r) return st;
    size_t m = (size_t)PQntuples(r);
    if (m > (size_t)LM_MAX_BATCH) {
        PQclear(r);
        return lm__fail(&db->err, LM_ERR_LIMIT, "%s: %zu proposals exceed %d", what, m, LM_MAX_BATCH);
    }
    lm_outcome_record *rec = lm__calloc(m ? m : 1, sizeof *rec);
    if (!rec) {
        PQclear(r);
        return lm__fail(&db->err, LM_ERR_NOMEM, "%s: out of memory", what);
    }
    for (size_t i = 0; i < m; i++) {
        int row = (int)i;
        lm_outcome_record x = LM_OUTCOME_RECORD_INIT;
        x.proposal_id = i64_at(r, row, 0);
        x.candidate_id = i64_at(r, row, 1);
        x.vacancy_id = i64_at(r, row, 2);
        x.org = i64_at(r, row, 3);
        x.work_municipality = (int32_t)i64_at(r, row, 4);
        int64_t kind = i64_at(r, row, 5);
        int contract = name_code(PQgetvalue(r, row, 6), contract_names, LM_CONTRACT_COUNT);
        int endr = name_code(PQgetvalue(r, row, 8), end_names, LM_END_REASON_COUNT);
        int64_t d[4];
        bool ok = kind >= 0 && kind < LM_KIND_COUNT && contract >= 0 && endr >= 0;
        for (int k = 0; k < 4; k++) {
            d[k] = day_at(r, row, 9 + k);
            ok = ok && d[k] >= -1 && d[k] <= INT32_MAX;
        }
        ok = ok && d[0] >= 0;
        if (!ok) {
            long long id = (long long)x.proposal_id;
            PQclear(r);
            lm__free(rec);
            return lm__fail(&db->err, LM_ERR_FORMAT, "%s: proposal %lld: kind, contract, end reason or a day (before "
                            "1970) cannot be read", what, id);
        }
        x.vacancy_kind = (uint8_t)kind;
        x.contract = (uint8_t)contract;
        x.lks = PQgetvalue(r, row, 7)[0] == 't';
        x.end_reason = (uint8_t)endr;
        x.proposed_day = (int32_t)d[0];
        x.introduced_day = (int32_t)d[1];
        x.placed_day = (int32_t)d[2];
        x.end_day = (int32_t)d[3];
        x.hours = strtof(PQgetvalue(r, row, 13), NULL);
        rec[i] = x;
    }
    PQclear(r);
    *out = rec;
    *n = m;
    return LM_OK;
}

int lm_db_outcomes(lm_db *db, lm_outcome_person **persons, size_t *npersons, lm_outcome_record **records,
                   size_t *nrecords) {
    if (!db) return LM_ERR_NULL;
    if (!persons || !npersons || !records || !nrecords)
        return lm__fail(&db->err, LM_ERR_NULL, "outcomes: an output pointer is NULL");
    *persons = NULL;
    *records = NULL;
    *npersons = *nrecords = 0;
    int st = need_v3(db, "outcomes");
    if (st) return st;
    lm_outcome_person *p = NULL;
    lm_outcome_record *r = NULL;
    size_t np = 0, nr = 0;
    /* Persons and records from one snapshot. */
    if ((st = lm__pg_exec0(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "outcomes: begin"))) return st;
    if (!(st = read_persons(db, &p, &np)) && !(st = read_records(db, &r, &nr)))
        st = lm__pg_exec0(db, "COMMIT", "outcomes: commit");
    if (st) {
        lm__pg_rollback(db);
        lm__free(p);
        lm__free(r);
        return st;
    }
    *persons = p;
    *records = r;
    *npersons = np;
    *nrecords = nr;
    lm__clear(&db->err);
    return LM_OK;
}

void lm_db_outcomes_free(lm_outcome_person *persons, lm_outcome_record *records) {
    lm__free(persons);
    lm__free(records);
}

/* ---- effect figures ------------------------------------------------------------------ */
int lm_db_effects(lm_effect_row **out, size_t *nrows, lm_db *db, int32_t from_day, int32_t to_day, int32_t as_of_day,
                  int32_t threshold) {
    static const char what[] = "effects";
    if (!db) return LM_ERR_NULL;
    if (!out || !nrows) return lm__fail(&db->err, LM_ERR_NULL, "%s: out or nrows is NULL", what);
    *out = NULL;
    *nrows = 0;
    if (from_day < 0 || to_day < from_day || as_of_day < to_day)
        return lm__fail(&db->err, LM_ERR_RANGE, "%s: need 0 <= from (%d) <= to (%d) <= as_of (%d)", what, (int)from_day,
                        (int)to_day, (int)as_of_day);
    if (threshold < 1 || threshold > 1000)
        return lm__fail(&db->err, LM_ERR_RANGE, "%s: threshold %d not in 1..1000", what, (int)threshold);
    int st = need_v3(db, what);
    if (st) return st;
    char sql[700], v[4][16];
    snprintf(v[0], sizeof v[0], "%d", (int)from_day);
    snprintf(v[1], sizeof v[1], "%d", (int)to_day);
    snprintf(v[2], sizeof v[2], "%d", (int)as_of_day);
    snprintf(v[3], sizeof v[3], "%d", (int)threshold);
    snprintf(sql, sizeof sql,
             "SELECT dim, key, people, proposed, introduced, placed, placement_rate, median_days, observed_6m, "
             "retained_6m, observed_12m, retained_12m, lks, suppressed FROM %s.effect_figures(" EPOCH " + $1::integer, "
             EPOCH " + $2::integer, " EPOCH " + $3::integer, $4::integer) ORDER BY dim, key", db->qschema);
    const char *vals[4] = {v[0], v[1], v[2], v[3]};
    PGresult *r = lm__pg_execp(db, sql, 4, vals, what, &st);
    if (!r) return st;
    size_t n = (size_t)PQntuples(r);
    lm_effect_row *rows = lm__calloc(n ? n : 1, sizeof *rows);
    if (!rows) {
        PQclear(r);
        return lm__fail(&db->err, LM_ERR_NOMEM, "%s: out of memory", what);
    }
    for (size_t i = 0; i < n; i++) {
        int row = (int)i;
        rows[i].dim = (int32_t)i64_at(r, row, 0);
        rows[i].key = i64_at(r, row, 1);
        for (int f = 0; f < LM_FIG_COUNT; f++)
            rows[i].value[f] = PQgetisnull(r, row, 2 + f) ? NAN : strtod(PQgetvalue(r, row, 2 + f), NULL);
        rows[i].suppressed = (uint32_t)i64_at(r, row, 2 + LM_FIG_COUNT);
    }
    PQclear(r);
    *out = rows;
    *nrows = n;
    lm__clear(&db->err);
    return LM_OK;
}

void lm_db_effects_free(lm_effect_row *rows) { lm__free(rows); }
