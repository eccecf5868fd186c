import type Database from 'better-sqlite3';
import { ResultsStoreError } from './store.js';

// The results database's schema, as ordered migrations. `PRAGMA user_version` holds the version a
// file is at; each migration runs once, in the same transaction as the version bump, so a crash
// mid-migration leaves the file at the previous version. Never edit a released migration: add one.

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** Marks a file as a benchbot results database ("bbrs"), so another tool's SQLite file is refused. */
export const APPLICATION_ID = 0x62627273;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, platforms, skipped commits, benchmark series, raw samples and summaries',
    sql: `
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        run_key TEXT NOT NULL UNIQUE CHECK (run_key <> ''),
        repository TEXT NOT NULL,
        branch TEXT CHECK (branch <> ''),
        pull_request INTEGER CHECK (pull_request > 0),
        reason TEXT NOT NULL CHECK (reason IN ('pr-comment', 'schedule', 'manual', 'backfill')),
        commit_from TEXT,
        commit_to TEXT,
        commit_count INTEGER CHECK (commit_count > 0),
        recorded_at TEXT NOT NULL,
        recorded_ms INTEGER NOT NULL,
        CHECK ((commit_from IS NULL) = (commit_to IS NULL))
      );
      CREATE INDEX runs_by_branch ON runs (repository, branch, recorded_ms);
      CREATE INDEX runs_by_commit_to ON runs (commit_to) WHERE commit_to IS NOT NULL;

      CREATE TABLE skipped_commits (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs (id),
        sha TEXT NOT NULL,
        reason TEXT NOT NULL,
        queue_depth INTEGER CHECK (queue_depth >= 0)
      );
      CREATE INDEX skipped_commits_by_run ON skipped_commits (run_id);

      CREATE TABLE platform_runs (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs (id),
        platform TEXT NOT NULL CHECK (platform <> ''),
        status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
        failure TEXT,
        baseline_ref TEXT,
        baseline_sha TEXT,
        changed_ref TEXT,
        changed_sha TEXT,
        -- The results file's schemaVersion and "run" object as JSON: machine facts and such are shown,
        -- never queried. Both null when the platform produced no results file.
        results_schema_version INTEGER,
        metadata TEXT,
        UNIQUE (run_id, platform),
        CHECK ((status = 'failed') = (failure IS NOT NULL)),
        CHECK ((metadata IS NULL) = (results_schema_version IS NULL))
      );
      CREATE INDEX platform_runs_by_baseline_sha ON platform_runs (baseline_sha) WHERE baseline_sha IS NOT NULL;
      CREATE INDEX platform_runs_by_changed_sha ON platform_runs (changed_sha) WHERE changed_sha IS NOT NULL;

      -- One row per (repository, branch, platform, benchmark, metric): the line a chart draws.
      CREATE TABLE series (
        id INTEGER PRIMARY KEY,
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
        repository, coalesce(branch, ''), platform, name, metric, group_kind, coalesce(group_name, '')
      );

      CREATE TABLE benchmark_results (
        id INTEGER PRIMARY KEY,
        platform_run_id INTEGER NOT NULL REFERENCES platform_runs (id),
        position INTEGER NOT NULL,
        series_id INTEGER NOT NULL REFERENCES series (id),
        unit TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('lower-is-better', 'higher-is-better')),
        status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
        failure_reason TEXT,
        failure_log_tail TEXT,
        raw_samples INTEGER NOT NULL CHECK (raw_samples IN (0, 1)),
        UNIQUE (platform_run_id, series_id),
        UNIQUE (platform_run_id, position)
      );

      -- One row per benchmark side: the summary a chart draws. WITHOUT ROWID clusters it by series, so
      -- a chart of 10,000 runs reads contiguous pages; run_id, recorded_ms, sha, unit and direction are
      -- copies that spare it joins. n is the count of samples that count (latest attempt per round).
      CREATE TABLE points (
        series_id INTEGER NOT NULL REFERENCES series (id),
        recorded_ms INTEGER NOT NULL,
        run_id INTEGER NOT NULL REFERENCES runs (id),
        side TEXT NOT NULL CHECK (side IN ('baseline', 'changed')),
        benchmark_result_id INTEGER NOT NULL REFERENCES benchmark_results (id),
        sha TEXT NOT NULL,
        unit TEXT NOT NULL,
        direction TEXT NOT NULL,
        ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
        n INTEGER NOT NULL CHECK (n >= 0),
        median REAL,
        ci_lo REAL,
        ci_hi REAL,
        PRIMARY KEY (series_id, recorded_ms, run_id, side)
      ) WITHOUT ROWID;

      -- Raw samples as little-endian float64 (8 bytes each); rounds and attempts as JSON arrays only
      -- when the runner gave them.
      CREATE TABLE samples (
        benchmark_result_id INTEGER NOT NULL REFERENCES benchmark_results (id),
        side TEXT NOT NULL CHECK (side IN ('baseline', 'changed')),
        samples BLOB NOT NULL CHECK (length(samples) % 8 = 0),
        rounds TEXT,
        attempts TEXT,
        PRIMARY KEY (benchmark_result_id, side)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    description: 'who asked for a run, its summary line and report; alert issues; job artifacts',
    sql: `
      ALTER TABLE runs ADD COLUMN requester TEXT;
      ALTER TABLE runs ADD COLUMN summary TEXT;
      ALTER TABLE runs ADD COLUMN report TEXT;
      -- Every run newest first (the runs listing), whatever its branch.
      CREATE INDEX runs_by_time ON runs (recorded_ms, id);

      CREATE TABLE alert_issues (
        key TEXT PRIMARY KEY CHECK (key <> ''),
        repository TEXT NOT NULL,
        issue_number INTEGER NOT NULL CHECK (issue_number > 0),
        updated_at TEXT NOT NULL
      );

      -- Job data held by reference until the run is recorded: results files and checkpoints.
      CREATE TABLE artifacts (
        key TEXT PRIMARY KEY CHECK (key <> ''),
        data BLOB NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: 'the store revision: a counter every recorded run bumps, for readers that cache',
    sql: `
      -- One row, bumped in the transaction that records a run (\`store migrate --from\` included), so a
      -- reader keeps what it derived from the runs while the revision stays the same.
      CREATE TABLE store_revision (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        revision INTEGER NOT NULL
      );
      INSERT INTO store_revision (id, revision) VALUES (1, 0);
    `,
  },
];

export const LATEST_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function applicationId(db: Database.Database): number {
  return db.pragma('application_id', { simple: true }) as number;
}

function hasTables(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' LIMIT 1").get() !== undefined;
}

/** Why this file cannot be used by this code at all, whatever the mode. */
function refusal(db: Database.Database, file: string): ResultsStoreError | null {
  const version = userVersion(db);
  if (version === 0 ? hasTables(db) : applicationId(db) !== APPLICATION_ID) {
    return new ResultsStoreError(
      'not-a-results-database',
      `${file} is a SQLite database but not a benchbot results store; point results.path at another file or move this one aside`,
    );
  }
  if (version > LATEST_VERSION) {
    return new ResultsStoreError(
      'newer-database',
      `${file} is at results-store version ${version}, newer than this benchbot supports (up to ${LATEST_VERSION}); upgrade benchbot, or point results.path at another file`,
    );
  }
  return null;
}

/**
 * Brings the file to LATEST_VERSION. The version is read again inside the write transaction, so two
 * processes opening a new file at once migrate it once.
 */
export function migrate(db: Database.Database, file: string): void {
  const refused = refusal(db, file);
  if (refused) throw refused;
  if (userVersion(db) === LATEST_VERSION) return;
  db.transaction(() => {
    const refusedNow = refusal(db, file);
    if (refusedNow) throw refusedNow;
    const current = userVersion(db);
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }
    db.pragma(`application_id = ${APPLICATION_ID}`);
  }).immediate();
}

/** For read-only opens, which cannot migrate: the file must already be at this code's version. */
export function checkVersion(db: Database.Database, file: string): void {
  const refused = refusal(db, file);
  if (refused) throw refused;
  const version = userVersion(db);
  if (version === 0) {
    throw new ResultsStoreError(
      'empty',
      `${file} holds no results yet: no run has been recorded; the first recorded run (or \`benchbot store migrate\`) sets it up`,
    );
  }
  if (version < LATEST_VERSION) {
    throw new ResultsStoreError(
      'needs-migration',
      `${file} is at results-store version ${version} and this benchbot needs ${LATEST_VERSION}; open it once writable (e.g. start the worker) to migrate it`,
    );
  }
}
