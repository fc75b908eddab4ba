-- libmatch schema, version 3: outcomes (placements and effect figures) and
-- the 1.2 pool columns (support needs, support offered, kind of place).
-- docs/postgresql.md describes every table, view and function; docs/outcomes.md
-- defines the figures (the same definitions as lm_effects_compute(), outcomes.h).
--
-- Upgrades a version 2 schema in place; existing rows are kept (new columns
-- take their defaults, proposal days are filled from what version 2 stored).

-- ---- 1.2 pool columns (core.h: lm_need bits, lm_vacancy_kind) ------------------
ALTER TABLE :"schema".candidates ADD COLUMN needs bigint NOT NULL DEFAULT 0;    -- support needs (bit set)
ALTER TABLE :"schema".vacancies ADD COLUMN offers bigint NOT NULL DEFAULT 0;    -- support offered (bit set)
ALTER TABLE :"schema".vacancies ADD COLUMN kind smallint NOT NULL DEFAULT 0
    CONSTRAINT vacancies_kind_check CHECK (kind BETWEEN 0 AND 5);               -- lm_vacancy_kind
-- The kind of the vacancy as the engine saw it (lm_match.vacancy_kind).
ALTER TABLE :"schema".match_results ADD COLUMN kind smallint NOT NULL DEFAULT 0;
ALTER TABLE :"schema".proposals ADD COLUMN kind smallint NOT NULL DEFAULT 0;

-- ---- proposal days ----------------------------------------------------------------
-- proposed_day: the day the proposal was made (the run's day); introduced_day:
-- the day it was introduced to the employer; kind: the vacancy's kind when it
-- was proposed (NULL for proposals made before version 3: the vacancy's
-- current kind is used). Kept by the trigger below, whoever writes the rows.
ALTER TABLE :"schema".proposal_state ADD COLUMN proposed_day date;
ALTER TABLE :"schema".proposal_state ADD COLUMN introduced_day date;
ALTER TABLE :"schema".proposal_state ADD COLUMN kind smallint CHECK (kind BETWEEN 0 AND 5);
-- Version 2 kept only the day of the last change: a proposal still proposed
-- was made on its status day; otherwise the day it was created is the best
-- estimate (never after the status day). An introduction is dated by its event.
UPDATE :"schema".proposal_state SET proposed_day = CASE WHEN status = 'proposed' THEN status_day
                                                  ELSE least(created_at::date, status_day) END;
UPDATE :"schema".proposal_state s SET introduced_day = CASE WHEN s.status = 'introduced' THEN s.status_day
    ELSE greatest(s.proposed_day, least(s.status_day, (SELECT min(e.at)::date FROM :"schema".proposal_events e
                                                       WHERE e.proposal_id = s.proposal_id
                                                         AND e.to_status = 'introduced'))) END
    WHERE s.status IN ('introduced', 'interview', 'placed')
       OR EXISTS (SELECT 1 FROM :"schema".proposal_events e WHERE e.proposal_id = s.proposal_id
                  AND e.to_status = 'introduced');
UPDATE :"schema".proposal_state SET introduced_day = proposed_day
    WHERE introduced_day IS NULL AND status IN ('introduced', 'interview', 'placed');
ALTER TABLE :"schema".proposal_state ALTER COLUMN proposed_day SET NOT NULL;

CREATE FUNCTION :"schema".proposal_days() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.proposed_day := coalesce(NEW.proposed_day, NEW.status_day);
    END IF;
    IF NEW.status = 'introduced' AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'introduced') THEN
        NEW.introduced_day := NEW.status_day;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER proposal_days BEFORE INSERT OR UPDATE ON :"schema".proposal_state
    FOR EACH ROW EXECUTE FUNCTION :"schema".proposal_days();

-- ---- placements ---------------------------------------------------------------------
-- One row per placed proposal (lm_db_place(), lm_db_placement_end()). A
-- proposal set to placed without start data (a 1.1 caller) has no row: its
-- placement starts on its status day (outcome_records).
CREATE TABLE :"schema".placements (
    proposal_id bigint PRIMARY KEY REFERENCES :"schema".proposal_state ON DELETE CASCADE,
    start_date  date NOT NULL,
    hours       real NOT NULL DEFAULT 0 CHECK (hours >= 0 AND hours <= 80),   -- per week, 0 = unknown
    contract    text NOT NULL DEFAULT 'regular' CHECK (contract IN ('regular', 'garantiebaan', 'beschut',
                                                                    'detachering', 'werkervaringsplek', 'other')),
    lks         boolean NOT NULL DEFAULT false,                              -- loonkostensubsidie
    end_date    date,                                                        -- NULL while it lasts
    end_reason  text NOT NULL DEFAULT 'none' CHECK (end_reason IN ('none', 'contract_ended', 'dismissed',
                                                                   'person_left', 'moved', 'other')),
    by_org      bigint NOT NULL DEFAULT 0 CHECK (by_org >= 0),               -- who recorded the start
    ended_by    bigint CHECK (ended_by >= 0),                                -- who recorded the end
    created_at  timestamptz NOT NULL DEFAULT now(),
    changed_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT placements_end_check CHECK ((end_date IS NULL) = (end_reason = 'none')),
    CONSTRAINT placements_end_after_start CHECK (end_date IS NULL OR end_date >= start_date)
);
-- Only a placed proposal has a placement, and it cannot start before the proposal was made.
CREATE FUNCTION :"schema".placement_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = :"schema", pg_catalog AS $$
DECLARE
    s proposal_state%ROWTYPE;
BEGIN
    SELECT * INTO s FROM proposal_state WHERE proposal_id = NEW.proposal_id;
    IF s.status IS DISTINCT FROM 'placed' THEN
        RAISE EXCEPTION 'placement of proposal %: the proposal is %, not placed', NEW.proposal_id,
            coalesce(s.status, 'missing') USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.start_date < s.proposed_day THEN
        RAISE EXCEPTION 'placement of proposal %: start % before the proposal (%)', NEW.proposal_id,
            NEW.start_date, s.proposed_day USING ERRCODE = 'check_violation';
    END IF;
    NEW.changed_at := now();
    RETURN NEW;
END
$$;
CREATE TRIGGER placement_check BEFORE INSERT OR UPDATE ON :"schema".placements
    FOR EACH ROW EXECUTE FUNCTION :"schema".placement_check();

-- ---- views for a BI tool --------------------------------------------------------------
-- The persons of the figures: every live candidate, and every removed one who
-- was ever proposed (so a placed person who left the pool still counts).
CREATE VIEW :"schema".outcome_persons AS
SELECT c.id AS candidate_id, c.owner_org AS org, (c.groups::bigint & 4294967295) AS groups, c.readiness,
       c.municipality
FROM :"schema".candidates c
WHERE NOT c.deleted OR EXISTS (SELECT 1 FROM :"schema".proposal_state s WHERE s.candidate_id = c.id);

-- One row per proposal and what came of it (lm_outcome_record). org: the
-- organisation that introduced the person, else the person's organisation.
CREATE VIEW :"schema".outcome_records AS
SELECT s.proposal_id, s.candidate_id, s.vacancy_id,
       coalesce(nullif(s.lead_org, 0), s.owner_org) AS org,
       coalesce(v.municipality, 0) AS work_municipality,
       coalesce(s.kind, v.kind, 0)::smallint AS vacancy_kind,
       s.status,
       s.proposed_day,
       CASE WHEN s.introduced_day IS NOT NULL THEN greatest(s.introduced_day, s.proposed_day) END AS introduced_day,
       CASE WHEN s.status = 'placed' THEN coalesce(p.start_date, greatest(s.status_day, s.proposed_day)) END AS placed_day,
       p.end_date AS end_day,
       coalesce(p.end_reason, 'none') AS end_reason,
       coalesce(p.contract, 'regular') AS contract,
       coalesce(p.lks, false) AS lks,
       coalesce(p.hours, 0) AS hours
FROM :"schema".proposal_state s
LEFT JOIN :"schema".vacancies v ON v.id = s.vacancy_id
LEFT JOIN :"schema".placements p ON p.proposal_id = s.proposal_id;

-- ---- effect figures -------------------------------------------------------------------
-- The figures of lm_effects_compute() (outcomes.h, docs/outcomes.md) for the
-- proposals made in [p_from, p_to], retention observed up to p_as_of, with the
-- small-numbers rule: a count in 1..p_threshold-1 is suppressed, and so is a
-- rate, share or median whose denominator is below p_threshold. A suppressed
-- or undefined figure is NULL; bit f of suppressed marks figure f suppressed
-- (0 people, 1 proposed, 2 introduced, 3 placed, 4 placement_rate,
-- 5 median_days, 6 observed_6m, 7 retained_6m, 8 observed_12m, 9 retained_12m,
-- 10 lks). Rows ordered by dim, key.
CREATE FUNCTION :"schema".effect_figures(p_from date, p_to date, p_as_of date, p_threshold integer DEFAULT 5)
RETURNS TABLE (dim integer, dim_name text, key bigint, people double precision, proposed double precision,
               introduced double precision, placed double precision, placement_rate double precision,
               median_days double precision, observed_6m double precision, retained_6m double precision,
               observed_12m double precision, retained_12m double precision, lks double precision,
               suppressed integer)
LANGUAGE plpgsql STABLE SET search_path = :"schema", pg_catalog AS $$
#variable_conflict use_column
BEGIN
    IF p_from IS NULL OR p_to IS NULL OR p_as_of IS NULL OR p_threshold IS NULL THEN
        RAISE EXCEPTION 'effect_figures: NULL argument' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF p_from < DATE '1970-01-01' OR p_to < p_from OR p_as_of < p_to OR p_threshold NOT BETWEEN 1 AND 1000 THEN
        RAISE EXCEPTION 'effect_figures: need 1970-01-01 <= from <= to <= as_of and threshold 1..1000 (got %, %, %, %)',
            p_from, p_to, p_as_of, p_threshold USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY
    WITH p AS (SELECT * FROM outcome_persons),
    -- the period's proposals as known on p_as_of: later events have not happened yet
    r AS (SELECT o.proposal_id, o.candidate_id, o.work_municipality, o.vacancy_kind, o.proposed_day,
                 CASE WHEN o.introduced_day <= p_as_of THEN o.introduced_day END AS introduced_day,
                 CASE WHEN o.placed_day <= p_as_of THEN o.placed_day END AS placed_day,
                 CASE WHEN o.placed_day <= p_as_of AND o.end_day <= p_as_of THEN o.end_day END AS end_day,
                 (o.placed_day <= p_as_of AND o.lks) IS TRUE AS lks
          FROM outcome_records o JOIN p USING (candidate_id)
          WHERE o.proposed_day BETWEEN p_from AND p_to),
    -- person-side cells: every person of the cell, proposed or not
    pc AS (
        SELECT 0 AS d, 0::bigint AS k, p.candidate_id FROM p
        UNION ALL
        SELECT 1, b.bit, p.candidate_id FROM p
            JOIN (SELECT 1::bigint << i AS bit FROM generate_series(0, 31) AS i) b ON p.groups & b.bit <> 0
        UNION ALL SELECT 2, p.readiness::bigint, p.candidate_id FROM p
        UNION ALL SELECT 3, p.municipality::bigint, p.candidate_id FROM p
        UNION ALL SELECT 5, p.org, p.candidate_id FROM p),
    -- the records of each cell: a person's records for person-side cells, the
    -- records that fall in it for vacancy-side cells
    rc AS (
        SELECT pc.d, pc.k, r.* FROM pc JOIN r USING (candidate_id)
        UNION ALL SELECT 4, r.work_municipality::bigint, r.* FROM r
        UNION ALL SELECT 6, r.vacancy_kind::bigint, r.* FROM r
        UNION ALL SELECT 7, (r.work_municipality <> p.municipality)::int::bigint, r.* FROM r JOIN p USING (candidate_id)
        UNION ALL SELECT 8, p.municipality::bigint * 100000 + r.work_municipality, r.* FROM r
            JOIN p USING (candidate_id)),
    -- per person and cell: first proposal, any introduction
    pp AS (
        SELECT rc.d, rc.k, rc.candidate_id, min(rc.proposed_day) AS first_day,
               bool_or(rc.introduced_day IS NOT NULL) AS intro
        FROM rc GROUP BY rc.d, rc.k, rc.candidate_id),
    -- per person and cell: the first placement (earliest start, then lowest proposal id)
    fp AS (
        SELECT DISTINCT ON (rc.d, rc.k, rc.candidate_id) rc.d, rc.k, rc.candidate_id, rc.placed_day, rc.end_day,
               rc.lks
        FROM rc WHERE rc.placed_day IS NOT NULL
        ORDER BY rc.d, rc.k, rc.candidate_id, rc.placed_day, rc.proposal_id),
    agg AS (
        SELECT pp.d, pp.k, count(*)::float8 AS n_prop, count(*) FILTER (WHERE pp.intro)::float8 AS n_intro,
               count(fp.candidate_id)::float8 AS n_placed,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY (fp.placed_day - pp.first_day)::float8)
                   FILTER (WHERE fp.candidate_id IS NOT NULL) AS med,
               count(*) FILTER (WHERE fp.placed_day + 182 <= p_as_of)::float8 AS obs6,
               count(*) FILTER (WHERE fp.placed_day + 182 <= p_as_of
                                AND (fp.end_day IS NULL OR fp.end_day > fp.placed_day + 182))::float8 AS ret6,
               count(*) FILTER (WHERE fp.placed_day + 365 <= p_as_of)::float8 AS obs12,
               count(*) FILTER (WHERE fp.placed_day + 365 <= p_as_of
                                AND (fp.end_day IS NULL OR fp.end_day > fp.placed_day + 365))::float8 AS ret12,
               count(*) FILTER (WHERE fp.lks)::float8 AS n_lks
        FROM pp LEFT JOIN fp ON fp.d = pp.d AND fp.k = pp.k AND fp.candidate_id = pp.candidate_id
        GROUP BY pp.d, pp.k),
    ppl AS (SELECT pc.d, pc.k, count(*)::float8 AS n FROM pc WHERE pc.d > 0 GROUP BY pc.d, pc.k
            UNION ALL SELECT 0, 0, count(*)::float8 FROM p),  -- the total row, also for an empty pool
    cells AS (
        SELECT coalesce(ppl.d, agg.d) AS d, coalesce(ppl.k, agg.k) AS k,
               CASE WHEN coalesce(ppl.d, agg.d) IN (4, 6, 7, 8) THEN NULL ELSE coalesce(ppl.n, 0) END AS f0,
               coalesce(agg.n_prop, 0) AS f1, coalesce(agg.n_intro, 0) AS f2, coalesce(agg.n_placed, 0) AS f3,
               agg.med AS f5, coalesce(agg.obs6, 0) AS f6, agg.ret6, coalesce(agg.obs12, 0) AS f8, agg.ret12,
               coalesce(agg.n_lks, 0) AS f10
        FROM ppl FULL JOIN agg ON agg.d = ppl.d AND agg.k = ppl.k),
    -- suppression bits: counts in 1..threshold-1; shares whose denominator is below the threshold
    s AS (
        SELECT c.*,
               (CASE WHEN c.f0 > 0 AND c.f0 < p_threshold THEN 1 ELSE 0 END)
             | (CASE WHEN c.f1 > 0 AND c.f1 < p_threshold THEN 2 ELSE 0 END)
             | (CASE WHEN c.f2 > 0 AND c.f2 < p_threshold THEN 4 ELSE 0 END)
             | (CASE WHEN c.f3 > 0 AND c.f3 < p_threshold THEN 8 ELSE 0 END)
             | (CASE WHEN c.f1 > 0 AND c.f1 < p_threshold THEN 16 ELSE 0 END)
             | (CASE WHEN c.f3 > 0 AND c.f3 < p_threshold THEN 32 ELSE 0 END)
             | (CASE WHEN c.f6 > 0 AND c.f6 < p_threshold THEN 64 ELSE 0 END)
             | (CASE WHEN c.f6 > 0 AND c.f6 < p_threshold THEN 128 ELSE 0 END)
             | (CASE WHEN c.f8 > 0 AND c.f8 < p_threshold THEN 256 ELSE 0 END)
             | (CASE WHEN c.f8 > 0 AND c.f8 < p_threshold THEN 512 ELSE 0 END)
             | (CASE WHEN c.f10 > 0 AND c.f10 < p_threshold THEN 1024 ELSE 0 END) AS sup
        FROM cells c)
    SELECT s.d, (ARRAY['total', 'group', 'readiness', 'home_municipality', 'work_municipality', 'org', 'kind',
                       'cross_border', 'flow'])[s.d + 1],
           s.k,
           CASE WHEN s.sup & 1 = 0 THEN s.f0 END,
           CASE WHEN s.sup & 2 = 0 THEN s.f1 END,
           CASE WHEN s.sup & 4 = 0 THEN s.f2 END,
           CASE WHEN s.sup & 8 = 0 THEN s.f3 END,
           CASE WHEN s.sup & 16 = 0 AND s.f1 > 0 THEN s.f3 / s.f1 END,
           CASE WHEN s.sup & 32 = 0 THEN s.f5 END,
           CASE WHEN s.sup & 64 = 0 THEN s.f6 END,
           CASE WHEN s.sup & 128 = 0 AND s.f6 > 0 THEN s.ret6 / s.f6 END,
           CASE WHEN s.sup & 256 = 0 THEN s.f8 END,
           CASE WHEN s.sup & 512 = 0 AND s.f8 > 0 THEN s.ret12 / s.f8 END,
           CASE WHEN s.sup & 1024 = 0 THEN s.f10 END,
           s.sup
    FROM s ORDER BY s.d, s.k;
END
$$;

-- The figures of every proposal so far, as of today, with the documented
-- threshold of 5 (a BI tool's default view; call effect_figures() for a period).
CREATE VIEW :"schema".effects AS
SELECT * FROM :"schema".effect_figures(DATE '1970-01-01', current_date, current_date, 5);

INSERT INTO :"schema".schema_version (version) VALUES (3);
