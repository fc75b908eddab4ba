-- libmatch schema, version 2: the proposal lifecycle (docs/postgresql.md;
-- the state machine itself is in docs/lifecycle.md).
--
-- Upgrades a version 1 schema in place (lm_db_init runs it in the same
-- transaction as any earlier script); existing rows are kept. Proposals of
-- runs written before version 2 keep proposal_id NULL.

-- One row per proposal: created by the first run that proposes the pair,
-- reused by later runs while it is open (proposed, introduced, interview),
-- changed by people through lm_db_set_status (optimistic: version).
CREATE TABLE :"schema".proposal_state (
    proposal_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    vacancy_id   bigint NOT NULL,
    candidate_id bigint NOT NULL,
    region       integer NOT NULL DEFAULT 0,          -- the region of the run part that proposed it
    owner_org    bigint NOT NULL DEFAULT 0,           -- the person's organisation at proposal time
    status       text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'introduced', 'interview', 'placed',
                                                                    'rejected', 'declined', 'withdrawn', 'expired')),
    lead_org     bigint,                              -- set by the organisation that introduced the person
    reason       text NOT NULL DEFAULT 'none' CHECK (reason IN ('none', 'skills', 'hours', 'travel', 'wage', 'health',
                                                                'not_interested', 'other_job', 'filled', 'no_response',
                                                                'superseded', 'other')),
    version      integer NOT NULL DEFAULT 1,          -- +1 on every status change
    first_run_id bigint,
    last_run_id  bigint,
    created_at   timestamptz NOT NULL DEFAULT now(),
    changed_at   timestamptz NOT NULL DEFAULT now(),
    status_day   date NOT NULL DEFAULT current_date   -- day of the last status change (cool-down)
);
-- At most one open proposal per pair.
CREATE UNIQUE INDEX proposal_state_open ON :"schema".proposal_state (vacancy_id, candidate_id)
    WHERE status IN ('proposed', 'introduced', 'interview');
CREATE INDEX ON :"schema".proposal_state (candidate_id);
CREATE INDEX ON :"schema".proposal_state (vacancy_id);

-- Every transition, also those made by runs (by_org 0 = the system).
CREATE TABLE :"schema".proposal_events (
    event_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    proposal_id bigint NOT NULL REFERENCES :"schema".proposal_state ON DELETE CASCADE,
    from_status text,                                 -- NULL when a run created the proposal
    to_status   text NOT NULL,
    by_org      bigint NOT NULL DEFAULT 0,
    reason      text NOT NULL DEFAULT 'none',
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    run_id      bigint                                -- the run that made the change, NULL for people
);
CREATE INDEX ON :"schema".proposal_events (proposal_id);

-- Who looked at or changed what (AVG/GDPR accountability).
CREATE TABLE :"schema".access_log (
    access_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    viewer_org   bigint NOT NULL,
    action       text NOT NULL,                       -- 'query', 'status', 'list', 'news', ...
    proposal_id  bigint,
    candidate_id bigint,
    vacancy_id   bigint
);
CREATE INDEX ON :"schema".access_log (candidate_id);

-- What changed in a run against the previous complete run of the same region.
CREATE TABLE :"schema".run_changes (
    run_id       bigint NOT NULL,
    prev_run_id  bigint NOT NULL,
    vacancy_id   bigint,                              -- NULL for became_feasible
    candidate_id bigint NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('new_in_topk', 'dropped_from_topk', 'became_feasible', 'proposal_gone')),
    reason       text,                                -- proposal_gone: why
    proposal_id  bigint                               -- proposal_gone: the proposal of the earlier run
);
CREATE INDEX ON :"schema".run_changes (run_id);

ALTER TABLE :"schema".proposals ADD COLUMN proposal_id bigint;

-- Why a proposal of the previous run is not proposed again (run_changes.reason).
CREATE FUNCTION :"schema".gone_reason(p_vacancy_id bigint, p_candidate_id bigint, p_vacancies regclass,
                                      p_candidates regclass) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = :"schema", pg_catalog AS $$
DECLARE
    s proposal_state%ROWTYPE;
    busy bigint;
    slots integer;
    live boolean;
BEGIN
    SELECT * INTO s FROM proposal_state x WHERE x.vacancy_id = p_vacancy_id AND x.candidate_id = p_candidate_id
        ORDER BY x.changed_at DESC, x.proposal_id DESC LIMIT 1;
    IF FOUND AND s.status IN ('rejected', 'declined', 'expired', 'placed') THEN
        RETURN s.status;
    ELSIF FOUND AND s.status = 'withdrawn' AND s.reason <> 'superseded' THEN
        RETURN 'withdrawn';
    ELSIF FOUND AND s.status IN ('introduced', 'interview') THEN
        RETURN 'in progress (' || s.status || ')';
    END IF;
    IF EXISTS (SELECT 1 FROM proposal_state x WHERE x.candidate_id = p_candidate_id AND x.status = 'placed') THEN
        RETURN 'placed elsewhere';
    END IF;
    IF EXISTS (SELECT 1 FROM proposal_state x WHERE x.candidate_id = p_candidate_id
               AND x.status IN ('introduced', 'interview')) THEN
        RETURN 'in progress elsewhere';
    END IF;
    EXECUTE format('SELECT slots, NOT deleted FROM %s WHERE id = $1', p_vacancies) INTO slots, live USING p_vacancy_id;
    IF live IS NOT TRUE THEN
        RETURN 'vacancy closed';
    END IF;
    SELECT count(*) INTO busy FROM proposal_state x WHERE x.vacancy_id = p_vacancy_id
        AND x.status IN ('introduced', 'interview', 'placed');
    IF busy >= slots THEN
        RETURN 'vacancy full';
    END IF;
    EXECUTE format('SELECT NOT deleted FROM %s WHERE id = $1', p_candidates) INTO live USING p_candidate_id;
    IF live IS NOT TRUE THEN
        RETURN 'person left the pool';
    END IF;
    RETURN 'no longer proposed';
END
$$;

-- run_changes of p_run_id against p_prev (called before proposal ids are
-- assigned, so gone_reason sees the state the people left). Pairs of the
-- result lists count in either direction; EXCEPT sorts or hashes both runs'
-- rows, hence the larger work_mem.
CREATE FUNCTION :"schema".run_changes_compute(p_run_id bigint, p_prev bigint, p_vacancies regclass,
                                              p_candidates regclass) RETURNS void
LANGUAGE plpgsql SET search_path = :"schema", pg_catalog SET work_mem = '64MB' AS $$
BEGIN
    INSERT INTO run_changes (run_id, prev_run_id, vacancy_id, candidate_id, kind)
    SELECT p_run_id, p_prev, n.vacancy_id, n.candidate_id, 'new_in_topk'
    FROM (SELECT vacancy_id, candidate_id FROM match_results WHERE run_id = p_run_id
          EXCEPT SELECT vacancy_id, candidate_id FROM match_results WHERE run_id = p_prev) n;
    INSERT INTO run_changes (run_id, prev_run_id, vacancy_id, candidate_id, kind)
    SELECT p_run_id, p_prev, d.vacancy_id, d.candidate_id, 'dropped_from_topk'
    FROM (SELECT vacancy_id, candidate_id FROM match_results WHERE run_id = p_prev
          EXCEPT SELECT vacancy_id, candidate_id FROM match_results WHERE run_id = p_run_id) d;
    INSERT INTO run_changes (run_id, prev_run_id, vacancy_id, candidate_id, kind)
    SELECT p_run_id, p_prev, NULL, f.candidate_id, 'became_feasible'
    FROM (SELECT candidate_id FROM match_results WHERE run_id = p_run_id
          EXCEPT SELECT candidate_id FROM match_results WHERE run_id = p_prev) f;
    INSERT INTO run_changes (run_id, prev_run_id, vacancy_id, candidate_id, kind, reason, proposal_id)
    SELECT p_run_id, p_prev, g.vacancy_id, g.candidate_id, 'proposal_gone',
           gone_reason(g.vacancy_id, g.candidate_id, p_vacancies, p_candidates),
           (SELECT max(o.proposal_id) FROM proposals o WHERE o.run_id = p_prev AND o.vacancy_id = g.vacancy_id
                AND o.candidate_id = g.candidate_id)
    FROM (SELECT vacancy_id, candidate_id FROM proposals WHERE run_id = p_prev
          EXCEPT SELECT vacancy_id, candidate_id FROM proposals WHERE run_id = p_run_id) g;
END
$$;

-- Called by the library inside the writing transaction, after the run's
-- results and proposals are copied in: run changes, proposal ids (an open
-- proposal of the pair is reused, else a new one is created), and open
-- 'proposed' rows of the run's regions that it no longer proposes end as
-- withdrawn/superseded. p_regions: the regions of the run's parts (0 = all);
-- p_day: the run's day number (its policy's as-of day), 0 = today.
CREATE FUNCTION :"schema".record_run(p_run_id bigint, p_regions integer[], p_vacancies regclass,
                                     p_candidates regclass, p_day integer) RETURNS void
LANGUAGE plpgsql SET search_path = :"schema", pg_catalog AS $$
DECLARE
    v_region integer;
    v_prev bigint;
    v_day date := CASE WHEN p_day > 0 THEN DATE '1970-01-01' + p_day ELSE current_date END;
BEGIN
    SELECT region INTO v_region FROM match_runs WHERE run_id = p_run_id;
    SELECT max(run_id) INTO v_prev FROM match_runs
        WHERE status = 'complete' AND region = v_region AND run_id < p_run_id;
    IF v_prev IS NOT NULL THEN
        PERFORM run_changes_compute(p_run_id, v_prev, p_vacancies, p_candidates);
    END IF;
    UPDATE proposal_state s SET last_run_id = p_run_id FROM proposals p
        WHERE p.run_id = p_run_id AND s.vacancy_id = p.vacancy_id AND s.candidate_id = p.candidate_id
          AND s.status IN ('proposed', 'introduced', 'interview');
    EXECUTE format($q$
        WITH ins AS (
            INSERT INTO proposal_state (vacancy_id, candidate_id, region, owner_org, first_run_id, last_run_id,
                                        status_day)
            SELECT DISTINCT ON (p.vacancy_id, p.candidate_id) p.vacancy_id, p.candidate_id, p.region,
                   coalesce(c.owner_org, 0), $1, $1, $2
            FROM proposals p LEFT JOIN %s c ON c.id = p.candidate_id
            WHERE p.run_id = $1 AND NOT EXISTS (
                SELECT 1 FROM proposal_state s WHERE s.vacancy_id = p.vacancy_id AND s.candidate_id = p.candidate_id
                  AND s.status IN ('proposed', 'introduced', 'interview'))
            ORDER BY p.vacancy_id, p.candidate_id
            RETURNING proposal_id)
        INSERT INTO proposal_events (proposal_id, from_status, to_status, by_org, reason, run_id)
        SELECT proposal_id, NULL, 'proposed', 0, 'none', $1 FROM ins$q$, p_candidates) USING p_run_id, v_day;
    UPDATE proposals p SET proposal_id = s.proposal_id FROM proposal_state s
        WHERE p.run_id = p_run_id AND s.vacancy_id = p.vacancy_id AND s.candidate_id = p.candidate_id
          AND s.status IN ('proposed', 'introduced', 'interview');
    WITH w AS (
        UPDATE proposal_state s SET status = 'withdrawn', reason = 'superseded', version = s.version + 1,
               changed_at = now(), status_day = v_day
        WHERE s.status = 'proposed' AND (0 = ANY (p_regions) OR s.region = ANY (p_regions))
          AND NOT EXISTS (SELECT 1 FROM proposals p WHERE p.run_id = p_run_id AND p.vacancy_id = s.vacancy_id
                          AND p.candidate_id = s.candidate_id)
        RETURNING s.proposal_id)
    INSERT INTO proposal_events (proposal_id, from_status, to_status, by_org, reason, run_id)
    SELECT proposal_id, 'proposed', 'withdrawn', 0, 'superseded', p_run_id FROM w;
END
$$;

CREATE OR REPLACE FUNCTION :"schema".delete_run(p_run_id bigint) RETURNS void
LANGUAGE plpgsql SET search_path = :"schema", pg_catalog AS $$
BEGIN
    EXECUTE format('DROP TABLE IF EXISTS %I.%I', current_schema(), 'match_results_' || p_run_id);
    DELETE FROM proposals WHERE run_id = p_run_id;
    DELETE FROM run_changes WHERE run_id = p_run_id;
    DELETE FROM match_runs WHERE run_id = p_run_id;
END
$$;

INSERT INTO :"schema".schema_version (version) VALUES (2);
