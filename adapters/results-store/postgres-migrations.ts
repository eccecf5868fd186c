import type { PoolClient } from 'pg';
import { ResultsStoreError } from './store.js';

// The PostgreSQL schema, as ordered migrations recorded in benchbot_schema. They run when a worker
// starts, inside one transaction that holds an advisory lock, so two workers starting together
// migrate once and a crash mid-migration leaves the database at the previous version. Tables and
// columns mirror the SQLite store's (rows.ts reads both). Never edit a released migration: add one.

export interface PostgresMigration {
  version: number;
  description: string;
  sql: string;
}

// Any constant works; this one spells "bbrs" (benchbot results store), like the SQLite application id.
const MIGRATION_LOCK = 0x62627273;

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    description:
      'runs, platforms, skipped commits, benchmark series, raw samples, summaries, reports, alert issues, job artifacts',
    sql: `
      CREATE TABLE runs (
        id BIGSERIAL PRIMARY KEY,
        run_key TEXT NOT NULL UNIQUE CHECK (run_key <> ''),
        repository TEXT NOT NULL,
        branch TEXT CHECK (branch <> ''),
        pull_request INTEGER CHECK (pull_request > 0),
        reason TEXT NOT NULL CHECK (reason IN ('pr-comment', 'schedule', 'manual', 'backfill')),
        commit_from TEXT COLLATE "C",
        commit_to TEXT COLLATE "C",
        commit_count INTEGER CHECK (commit_count > 0),
        recorded_at TEXT NOT NULL,
        recorded_ms BIGINT NOT NULL,
        requester TEXT,
        summary TEXT,
        report TEXT,
        CHECK ((commit_from IS NULL) = (commit_to IS NULL))
      );
      CREATE INDEX runs_by_branch ON runs (repository, branch, recorded_ms);
      CREATE INDEX runs_by_time ON runs (recorded_ms, id);
      CREATE INDEX runs_by_commit_to ON runs (commit_to) WHERE commit_to IS NOT NULL;

      CREATE TABLE skipped_commits (
        id BIGSERIAL PRIMARY KEY,
        run_id BIGINT NOT NULL REFERENCES runs (id),
        sha TEXT NOT NULL,
        reason TEXT NOT NULL,
        queue_depth INTEGER CHECK (queue_depth >= 0)
      );
      CREATE INDEX skipped_commits_by_run ON skipped_commits (run_id);

      CREATE TABLE platform_runs (
        id BIGSERIAL PRIMARY KEY,
        run_id BIGINT NOT NULL REFERENCES runs (id),
        platform TEXT NOT NULL CHECK (platform <> ''),
        status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
        failure TEXT,
        baseline_ref TEXT,
        baseline_sha TEXT COLLATE "C",
        changed_ref TEXT,
        changed_sha TEXT COLLATE "C",
        -- The results file's schemaVersion and "run" object (JSON text, shown but never queried).
        results_schema_version INTEGER,
        metadata TEXT,
        UNIQUE (run_id, platform),
        CHECK ((status = 'failed') = (failure IS NOT NULL)),
        CHECK ((metadata IS NULL) = (results_schema_version IS NULL))
      );
      -- SHA prefixes are looked up as ranges; the C collation makes those index range scans.
      CREATE INDEX platform_runs_by_baseline_sha ON platform_runs (baseline_sha) WHERE baseline_sha IS NOT NULL;
      CREATE INDEX platform_runs_by_changed_sha ON platform_runs (changed_sha) WHERE changed_sha IS NOT NULL;

      CREATE TABLE series (
        id BIGSERIAL PRIMARY KEY,
        repository TEXT NOT NULL,
        branch TEXT,
        platform TEXT NOT NULL,
        name TEXT NOT NULL,
        metric TEXT NOT NULL,
        group_kind TEXT NOT NULL CHECK (group_kind IN ('query', 'milestone', 'phase', 'benchmark')),
        group_name TEXT
      );
      -- '' is neither a branch nor a group name, so it stands for "none" where uniqueness needs a value.
      CREATE UNIQUE INDEX series_identity ON series (
        repository, (coalesce(branch, '')), platform, name, metric, group_kind, (coalesce(group_name, ''))
      );

      CREATE TABLE benchmark_results (
        id BIGSERIAL PRIMARY KEY,
        platform_run_id BIGINT NOT NULL REFERENCES platform_runs (id),
        position INTEGER NOT NULL,
        series_id BIGINT NOT NULL REFERENCES series (id),
        unit TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('lower-is-better', 'higher-is-better')),
        status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
        failure_reason TEXT,
        failure_log_tail TEXT,
        raw_samples BOOLEAN NOT NULL,
        UNIQUE (platform_run_id, series_id),
        UNIQUE (platform_run_id, position)
      );

      -- One row per benchmark side: what a chart draws. The primary key is the series' time order, so a
      -- chart of 10,000 runs is one index range scan; run_id, sha, unit and direction spare it joins.
      CREATE TABLE points (
        series_id BIGINT NOT NULL REFERENCES series (id),
        recorded_ms BIGINT NOT NULL,
        run_id BIGINT NOT NULL REFERENCES runs (id),
        side TEXT NOT NULL CHECK (side IN ('baseline', 'changed')),
        benchmark_result_id BIGINT NOT NULL REFERENCES benchmark_results (id),
        sha TEXT NOT NULL,
        unit TEXT NOT NULL,
        direction TEXT NOT NULL,
        ok BOOLEAN NOT NULL,
        n INTEGER NOT NULL CHECK (n >= 0),
        median DOUBLE PRECISION,
        ci_lo DOUBLE PRECISION,
        ci_hi DOUBLE PRECISION,
        PRIMARY KEY (series_id, recorded_ms, run_id, side)
      );

      -- Raw samples as little-endian float64 (8 bytes each); rounds and attempts as JSON arrays.
      CREATE TABLE samples (
        benchmark_result_id BIGINT NOT NULL REFERENCES benchmark_results (id),
        side TEXT NOT NULL CHECK (side IN ('baseline', 'changed')),
        samples BYTEA NOT NULL CHECK (octet_length(samples) % 8 = 0),
        rounds TEXT,
        attempts TEXT,
        PRIMARY KEY (benchmark_result_id, side)
      );

      CREATE TABLE alert_issues (
        key TEXT PRIMARY KEY CHECK (key <> ''),
        repository TEXT NOT NULL,
        issue_number INTEGER NOT NULL CHECK (issue_number > 0),
        updated_at TEXT NOT NULL
      );

      -- Job data held by reference until the run is recorded: results files and checkpoints.
      CREATE TABLE artifacts (
        key TEXT PRIMARY KEY COLLATE "C" CHECK (key <> ''),
        data BYTEA NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'the store revision: a counter every recorded run bumps, for readers that cache',
    sql: `
      -- One row, bumped in the transaction that records a run (\`store migrate --from\` included), so a
      -- reader keeps what it derived from the runs while the revision stays the same. Writers take its
      -- row lock last and in turn, so revisions follow the order runs become visible (unlike ids).
      CREATE TABLE store_revision (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        revision BIGINT NOT NULL
      );
      INSERT INTO store_revision (id, revision) VALUES (1, 0);
    `,
  },
];

export const POSTGRES_LATEST_VERSION: number =
  POSTGRES_MIGRATIONS[POSTGRES_MIGRATIONS.length - 1]?.version ?? 0;

/** The database's version: 0 when it holds no benchbot schema yet; throws when it is not ours. */
async function schemaVersion(client: PoolClient, where: string): Promise<number> {
  const { rows } = await client.query<{ versions: string | null; runs: string | null }>(
    `SELECT to_regclass('benchbot_schema')::text AS versions, to_regclass('runs')::text AS runs`,
  );
  const found = rows[0];
  if (found?.versions === null || found?.versions === undefined) {
    if (found?.runs !== null && found?.runs !== undefined) {
      throw new ResultsStoreError(
        'not-a-results-database',
        `${where} has a "runs" table but is not a benchbot results store; give benchbot its own database (or schema, with ?options=-c%20search_path%3Dbenchbot in the URL)`,
      );
    }
    return 0;
  }
  const version = await client.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM benchbot_schema',
  );
  return version.rows[0]?.version ?? 0;
}

function newerDatabase(where: string, version: number): ResultsStoreError {
  return new ResultsStoreError(
    'newer-database',
    `${where} is at results-store version ${version}, newer than this benchbot supports (up to ${POSTGRES_LATEST_VERSION}); upgrade benchbot, or point the database URL elsewhere`,
  );
}

/** Brings the database to the latest version, once, whichever worker gets the lock first. */
export async function migratePostgres(client: PoolClient, where: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const current = await schemaVersion(client, where);
    if (current > POSTGRES_LATEST_VERSION) throw newerDatabase(where, current);
    if (current < POSTGRES_LATEST_VERSION) {
      await client.query(
        'CREATE TABLE IF NOT EXISTS benchbot_schema (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
      );
      for (const migration of POSTGRES_MIGRATIONS) {
        if (migration.version <= current) continue;
        await client.query(migration.sql);
        await client.query('INSERT INTO benchbot_schema (version, description) VALUES ($1, $2)', [
          migration.version,
          migration.description,
        ]);
      }
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** For read-only use, which cannot migrate: the database must already be at this code's version. */
export async function checkPostgresVersion(client: PoolClient, where: string): Promise<void> {
  const version = await schemaVersion(client, where);
  if (version > POSTGRES_LATEST_VERSION) throw newerDatabase(where, version);
  if (version === 0) {
    throw new ResultsStoreError(
      'empty',
      `${where} holds no benchbot results yet: no run has been recorded; the first recorded run (or \`benchbot store migrate\`) sets it up`,
    );
  }
  if (version < POSTGRES_LATEST_VERSION) {
    throw new ResultsStoreError(
      'needs-migration',
      `${where} is at results-store version ${version} and this benchbot needs ${POSTGRES_LATEST_VERSION}; start a worker (which migrates it) or run \`benchbot store migrate\``,
    );
  }
}
