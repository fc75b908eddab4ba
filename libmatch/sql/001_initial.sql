-- libmatch schema, version 1 (docs/postgresql.md).
--
-- The library runs this file inside one transaction with :"schema" replaced
-- by the quoted schema name (default libmatch); psql users can run it as
--   psql -v schema=libmatch -1 -f 001_initial.sql
-- Upgrade scripts for later versions are 002_*.sql, 003_*.sql, ...; each
-- ends by inserting its row into schema_version.

CREATE SCHEMA IF NOT EXISTS :"schema";

CREATE TABLE :"schema".schema_version (
    version    integer PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- Vectors are bytea: dim float4 values, big-endian (network order, as
-- float4send() writes them). vec_from_real / vec_to_real convert from and
-- to real[]. Big-endian bytea moves through binary COPY about 2.5x faster
-- than real[] (docs/postgresql.md).
CREATE FUNCTION :"schema".vec_from_real(v real[]) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(float4send(x), ''::bytea ORDER BY i), ''::bytea)
    FROM unnest(v) WITH ORDINALITY AS t(x, i)
$$;

CREATE FUNCTION :"schema".vec_to_real(v bytea) RETURNS real[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(
               (CASE WHEN s = 1 THEN -1.0::float8 ELSE 1.0::float8 END) *
               CASE WHEN e = 255 THEN (CASE WHEN m = 0 THEN 'Infinity'::float8 ELSE 'NaN'::float8 END)
                    WHEN e = 0 THEN m::float8 * 2.0::float8 ^ (-149)
                    ELSE (m + 8388608)::float8 * 2.0::float8 ^ (e - 150) END
           ORDER BY k)::real[], '{}'::real[])
    FROM (SELECT k, (b >> 31) & 1 AS s, (b >> 23) & 255 AS e, b & 8388607 AS m
          FROM (SELECT k, (get_byte(v, 4 * k)::bigint << 24) | (get_byte(v, 4 * k + 1) << 16)
                          | (get_byte(v, 4 * k + 2) << 8) | get_byte(v, 4 * k + 3) AS b
                FROM generate_series(0, octet_length(v) / 4 - 1) AS k) AS w) AS f
$$;

-- Every insert or update stamps the row with its transaction id (txid) and
-- time; incremental loads read rows whose txid is at or above the previous
-- load's snapshot xmin (docs/postgresql.md, "Watermarks").
CREATE FUNCTION :"schema".stamp() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.txid := pg_current_xact_id();
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TABLE :"schema".candidates (
    id             bigint PRIMARY KEY,          -- pseudonymous, never a BSN
    owner_org      bigint NOT NULL,
    municipality   integer NOT NULL,            -- CBS code number
    region         integer NOT NULL DEFAULT 0,  -- labour-market region, 0 = none
    zone           integer NOT NULL DEFAULT 0,  -- PC4 or other zone, 0 = none
    lat            double precision,            -- WGS84, NULL = unknown
    lon            double precision,
    groups         integer NOT NULL,            -- target-group bitmask (lm_group)
    readiness      smallint NOT NULL DEFAULT 1, -- 1..5 = A..E
    loonwaarde     real NOT NULL DEFAULT 100,
    vector         bytea NOT NULL,              -- competence vector, big-endian float4
    flags          bigint NOT NULL DEFAULT 0,   -- capability flags
    hours_min      real NOT NULL DEFAULT 0,
    hours_max      real NOT NULL DEFAULT 80,
    modes          smallint NOT NULL DEFAULT 15, -- travel-mode bitmask
    max_minutes    real NOT NULL DEFAULT 0,     -- own one-way limit, 0 = none
    available_from date,                        -- NULL = now
    scope          smallint NOT NULL DEFAULT 0, -- lm_scope
    priority       real NOT NULL DEFAULT 0,
    deleted        boolean NOT NULL DEFAULT false, -- tombstone
    updated_at     timestamptz NOT NULL DEFAULT now(),
    txid           xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX ON :"schema".candidates (txid);
CREATE INDEX ON :"schema".candidates (owner_org);
CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON :"schema".candidates
    FOR EACH ROW EXECUTE FUNCTION :"schema".stamp();

CREATE TABLE :"schema".vacancies (
    id              bigint PRIMARY KEY,
    employer_id     bigint NOT NULL,
    municipality    integer NOT NULL,
    region          integer NOT NULL DEFAULT 0,
    zone            integer NOT NULL DEFAULT 0,
    lat             double precision,
    lon             double precision,
    vector          bytea NOT NULL,             -- required competences, big-endian float4
    weights         bytea,                      -- importance per dimension, NULL = all 1
    required_flags  bigint NOT NULL DEFAULT 0,
    hours_min       real NOT NULL DEFAULT 0,
    hours_max       real NOT NULL DEFAULT 80,
    slots           integer NOT NULL DEFAULT 1,
    accepted_groups integer NOT NULL DEFAULT 63,
    min_loonwaarde  real NOT NULL DEFAULT 0,
    max_readiness   smallint NOT NULL DEFAULT 5,
    open_until      date,                       -- NULL = open indefinitely
    deleted         boolean NOT NULL DEFAULT false,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    txid            xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX ON :"schema".vacancies (txid);
CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON :"schema".vacancies
    FOR EACH ROW EXECUTE FUNCTION :"schema".stamp();

-- One-way minutes between zones per mode (0 walk, 1 bike, 2 public
-- transport, 3 car). Missing pairs are unreachable, except a zone to itself
-- (0 minutes); minutes >= 255 or NULL mean unreachable.
CREATE TABLE :"schema".travel_times (
    origin      integer NOT NULL,
    destination integer NOT NULL,
    mode        smallint NOT NULL,
    minutes     smallint,
    PRIMARY KEY (mode, origin, destination)
);

-- A run is inserted with status 'running' and set to 'complete' in the same
-- transaction, so other sessions only ever see complete runs.
CREATE TABLE :"schema".match_runs (
    run_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    label           text,
    region          integer NOT NULL DEFAULT 0,
    status          text NOT NULL CHECK (status IN ('running', 'complete')),
    started_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at     timestamptz,
    library_version text NOT NULL,
    policy_version  double precision,
    policy          jsonb,                      -- weights and limits as used
    candidates      bigint,                     -- pool counts
    vacancies       bigint,
    pairs_scored    double precision,
    pairs_feasible  double precision,
    match_seconds   double precision,           -- lm_engine_batch time
    write_seconds   double precision,
    result_rows     bigint,
    proposal_rows   bigint,
    parts           integer                     -- results written (e.g. one per region)
);

-- Result rows, partitioned by run: each run's rows go into their own table
-- match_results_<run_id>, created, filled by binary COPY and attached in the
-- writing transaction (attaching takes only a SHARE UPDATE EXCLUSIVE lock, so
-- readers of earlier runs never wait). Deleting a run drops its partition.
-- No foreign key and no index by default: both would slow the write
-- (docs/postgresql.md shows the index to add for lookups by vacancy).
CREATE TABLE :"schema".match_results (
    run_id         bigint NOT NULL,
    region         integer NOT NULL,            -- the part's region (0 = all)
    direction      smallint NOT NULL,           -- 0 per vacancy, 1 per candidate
    vacancy_id     bigint NOT NULL,
    candidate_id   bigint NOT NULL,
    rank           integer NOT NULL,            -- 1-based within its list
    score          real NOT NULL,
    competence     real NOT NULL,
    travel         real NOT NULL,
    hours          real NOT NULL,
    readiness      real NOT NULL,
    priority       real NOT NULL,
    travel_minutes real NOT NULL,               -- one-way, best allowed mode
    travel_mode    smallint NOT NULL            -- 0 walk, 1 bike, 2 public transport, 3 car
) PARTITION BY LIST (run_id);

-- Used by the library inside the writing transaction.
CREATE FUNCTION :"schema".run_partition_create(p_run_id bigint) RETURNS text
LANGUAGE plpgsql SET search_path = :"schema", pg_catalog AS $$
DECLARE
    part text := 'match_results_' || p_run_id;
BEGIN
    EXECUTE format('CREATE TABLE %I.%I (LIKE %I.match_results INCLUDING DEFAULTS, CHECK (run_id = %s))',
                   current_schema(), part, current_schema(), p_run_id);
    RETURN part;
END
$$;

CREATE FUNCTION :"schema".run_partition_attach(p_run_id bigint) RETURNS void
LANGUAGE plpgsql SET search_path = :"schema", pg_catalog AS $$
BEGIN
    EXECUTE format('ALTER TABLE %I.match_results ATTACH PARTITION %I.%I FOR VALUES IN (%s)',
                   current_schema(), current_schema(), 'match_results_' || p_run_id, p_run_id);
END
$$;

CREATE TABLE :"schema".proposals (
    run_id         bigint NOT NULL,
    region         integer NOT NULL,
    vacancy_id     bigint NOT NULL,
    slot           integer NOT NULL,
    candidate_id   bigint NOT NULL,
    score          real NOT NULL,
    competence     real NOT NULL,
    travel         real NOT NULL,
    hours          real NOT NULL,
    readiness      real NOT NULL,
    priority       real NOT NULL,
    travel_minutes real NOT NULL,
    travel_mode    smallint NOT NULL,
    PRIMARY KEY (run_id, region, vacancy_id, slot)
);

CREATE FUNCTION :"schema".delete_run(p_run_id bigint) RETURNS void
LANGUAGE plpgsql SET search_path = :"schema", pg_catalog AS $$
BEGIN
    EXECUTE format('DROP TABLE IF EXISTS %I.%I', current_schema(), 'match_results_' || p_run_id);
    DELETE FROM proposals WHERE run_id = p_run_id;
    DELETE FROM match_runs WHERE run_id = p_run_id;
END
$$;

INSERT INTO :"schema".schema_version (version) VALUES (1);
