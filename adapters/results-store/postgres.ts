import pg from 'pg';
import { describeUrl, postgresStoreError } from './postgres-errors.js';
import { checkPostgresVersion, migratePostgres } from './postgres-migrations.js';
import { runsOnPlatform, storedRuns } from './postgres-run-reads.js';
import { insertRun } from './postgres-run-writes.js';
import { branchIs, prepared, RUN_COLUMNS, SERIES_MATCH } from './postgres-statements.js';
import {
  type CoverageRow,
  coverageByDay,
  listedPlatform,
  mergedSeries,
  type PlatformRunRow,
  type PointRow,
  type RunRow,
  runRecord,
  type SeriesIdRow,
  type SkippedRow,
  seriesPoint,
} from './rows.js';
import { checkLimit, checkShaPrefix, coverageDays, prefixRange, prepareRun } from './run-writes.js';
import type {
  AlertIssue,
  CoverageDay,
  CoverageQuery,
  LastRunsQuery,
  LatestRunQuery,
  RecordRunInput,
  ResultsStore,
  RunListing,
  RunListQuery,
  RunOnPlatform,
  SeriesPoint,
  SeriesQuery,
  StoredRun,
} from './store.js';

export interface OpenPostgresOptions {
  /** Reads only: no migration, and every transaction read-only (the dashboard's way in). */
  readonly?: boolean;
}

// bigint ids and millisecond times stay far below 2^53, so they are read as plain numbers.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * Connects, checks the schema (migrating it unless read-only: once, under an advisory lock, however
 * many workers start together) and returns the store. The URL is a secret: it is never logged or
 * shown; messages name the server without the password.
 */
export async function openPostgresResultsStore(
  url: string,
  options: OpenPostgresOptions = {},
): Promise<PostgresResultsStore> {
  const where = describeUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    query_timeout: 120_000,
    types,
    ...(options.readonly === true ? { options: '-c default_transaction_read_only=on' } : {}),
  });
  // An idle connection that dies (a server restart) is reported here; the next query reconnects and
  // reports its own error, which is what callers act on.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      if (options.readonly === true) await checkPostgresVersion(client, where);
      else await migratePostgres(client, where);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw postgresStoreError(error, where, 'opening the results store');
  }
  return new PostgresResultsStore(pool, where);
}

/** The ResultsStore on PostgreSQL: one history shared by every worker and the dashboard. */
export class PostgresResultsStore implements ResultsStore {
  constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
  ) {}

  async recordRun(input: RecordRunInput): Promise<{ inserted: boolean }> {
    const { recordedMs, platforms } = prepareRun(input);
    return this.transaction(`recording run ${JSON.stringify(input.runId)} (nothing was written)`, (db) =>
      insertRun(db, input, recordedMs, platforms),
    );
  }

  async latestRun(query: LatestRunQuery): Promise<RunOnPlatform | null> {
    return this.read('reading the latest run', async (db) => {
      const status = query.status ?? null;
      const [run] =
        query.benchmark === undefined
          ? await runsOnPlatform(
              db,
              `SELECT r.id FROM runs r JOIN platform_runs pr ON pr.run_id = r.id AND pr.platform = $3
               WHERE r.repository = $1 AND ${branchIs(query.branch)}
                 AND ($4::text IS NULL OR pr.status = $4)
               ORDER BY r.recorded_ms DESC, r.id DESC LIMIT 1`,
              '$3',
              [query.repository, query.branch, query.platform, status],
            )
          : await runsOnPlatform(
              db,
              `SELECT latest.run_id FROM series s CROSS JOIN LATERAL (
                 SELECT p.run_id, p.recorded_ms FROM points p
                 JOIN benchmark_results br ON br.id = p.benchmark_result_id
                 JOIN platform_runs pr ON pr.id = br.platform_run_id
                 WHERE p.series_id = s.id AND p.ok AND ($5::text IS NULL OR pr.status = $5)
                 ORDER BY p.recorded_ms DESC, p.run_id DESC LIMIT 1) latest
               WHERE ${SERIES_MATCH} AND s.name = $4
               ORDER BY latest.recorded_ms DESC, latest.run_id DESC LIMIT 1`,
              '$3',
              [query.repository, query.branch, query.platform, query.benchmark, status],
            );
      return run ?? null;
    });
  }

  async lastRuns(query: LastRunsQuery): Promise<RunOnPlatform[]> {
    checkLimit(query.limit);
    return this.read('reading the last runs', (db) =>
      runsOnPlatform(
        db,
        `SELECT r.id FROM runs r JOIN platform_runs pr ON pr.run_id = r.id AND pr.platform = $3
         WHERE r.repository = $1 AND ${branchIs(query.branch)} AND ($4::text IS NULL OR pr.status = $4)
         ORDER BY r.recorded_ms DESC, r.id DESC LIMIT $5`,
        '$3',
        [query.repository, query.branch, query.platform, query.status ?? null, query.limit],
      ),
    );
  }

  async runsBySha(repository: string, sha: string): Promise<StoredRun[]> {
    checkShaPrefix(sha);
    return this.read('reading runs by SHA', (db) =>
      storedRuns(
        db,
        `SELECT id FROM runs WHERE repository = $1 AND id IN (
           SELECT run_id FROM platform_runs WHERE baseline_sha >= $2 AND baseline_sha < $3
           UNION SELECT run_id FROM platform_runs WHERE changed_sha >= $2 AND changed_sha < $3
           UNION SELECT id FROM runs WHERE commit_to >= $2 AND commit_to < $3)`,
        [repository, sha, `${sha}g`],
      ),
    );
  }

  async getRun(runId: string): Promise<StoredRun | null> {
    return this.read('reading a run', async (db) => {
      const [run] = await storedRuns(db, 'SELECT id FROM runs WHERE run_key = $1', [runId]);
      return run ?? null;
    });
  }

  async repositories(): Promise<string[]> {
    return this.read('listing repositories', async (db) => {
      const { rows } = await prepared<{ repository: string }>(
        db,
        'SELECT DISTINCT repository FROM runs ORDER BY repository',
        [],
      );
      return rows.map((r) => r.repository);
    });
  }

  async runReport(runId: string): Promise<{ summary: string | null; report: string | null } | null> {
    return this.read('reading a report', async (db) => {
      const { rows } = await prepared<{ summary: string | null; report: string | null }>(
        db,
        'SELECT summary, report FROM runs WHERE run_key = $1',
        [runId],
      );
      return rows[0] ?? null;
    });
  }

  async listRuns(query: RunListQuery): Promise<RunListing[]> {
    checkLimit(query.limit);
    return this.read('listing runs', async (db) => {
      const { rows } = await prepared<RunRow>(
        db,
        `SELECT ${RUN_COLUMNS} FROM runs r
         WHERE ($1::text IS NULL OR r.repository = $1)
           AND ($2::text IS NULL
             OR ($2 = 'pull-request' AND r.reason = 'pr-comment')
             OR ($2 = 'manual' AND r.reason = 'manual' AND r.branch IS NULL)
             OR ($2 = 'trunk' AND r.branch IS NOT NULL))
           AND ($3::bigint IS NULL OR (r.recorded_ms, r.id) < ($3, (SELECT id FROM runs WHERE run_key = $4)))
         ORDER BY r.recorded_ms DESC, r.id DESC LIMIT $5`,
        [
          query.repository ?? null,
          query.kind ?? null,
          query.before === undefined ? null : Date.parse(query.before.recordedAt),
          query.before?.runId ?? null,
          query.limit,
        ],
      );
      const ids = rows.map((r) => r.id);
      const [skipped, platforms] = await Promise.all([
        prepared<SkippedRow & { run_id: number }>(
          db,
          'SELECT run_id, sha, reason, queue_depth FROM skipped_commits WHERE run_id = ANY($1) ORDER BY id',
          [ids],
        ),
        prepared<PlatformRunRow>(
          db,
          'SELECT pr.*, 0 AS recorded_ms FROM platform_runs pr WHERE pr.run_id = ANY($1) ORDER BY pr.id',
          [ids],
        ),
      ]);
      return rows.map((row) => ({
        ...runRecord(
          row,
          skipped.rows.filter((s) => s.run_id === row.id),
        ),
        platforms: platforms.rows.filter((p) => p.run_id === row.id).map(listedPlatform),
      }));
    });
  }

  async coverage(query: CoverageQuery): Promise<CoverageDay[]> {
    const { fromMs, toMs, days } = coverageDays(query);
    const rows = await this.read('reading coverage', async (db) => {
      // any_ok is null for a run without the asked platform, which then does not count at all. Each
      // run's platforms are looked at once, and days are numbered (ms / 86,400,000 is the UTC day)
      // and named here: formatting a date for every run doubled the query's time.
      const result = await prepared<Omit<CoverageRow, 'day'> & { day_number: number }>(
        db,
        `SELECT r.recorded_ms / 86400000 AS day_number, count(*)::int AS runs,
           count(*) FILTER (WHERE NOT platforms.any_ok)::int AS failed_runs,
           coalesce(sum(coalesce(r.commit_count, 1)) FILTER (WHERE platforms.any_ok), 0)::int AS commits_covered,
           sum(skips.n)::int AS skipped
         FROM runs r
         CROSS JOIN LATERAL (SELECT bool_or(pr.status = 'ok') AS any_ok FROM platform_runs pr
           WHERE pr.run_id = r.id AND ($3::text IS NULL OR pr.platform = $3)) platforms
         CROSS JOIN LATERAL (SELECT count(*) AS n FROM skipped_commits sc WHERE sc.run_id = r.id) skips
         WHERE r.repository = $1 AND ${branchIs(query.branch)}
           AND r.recorded_ms >= $4 AND r.recorded_ms < $5 AND platforms.any_ok IS NOT NULL
         GROUP BY day_number`,
        [query.repository, query.branch, query.platform ?? null, fromMs, toMs],
      );
      return result.rows.map(({ day_number, ...row }) => ({
        ...row,
        day: new Date(day_number * 86_400_000).toISOString().slice(0, 10),
      }));
    });
    return coverageByDay(days, rows);
  }

  async series(query: SeriesQuery): Promise<SeriesPoint[]> {
    if (query.limit !== undefined) checkLimit(query.limit);
    return this.read('reading a series', async (db) => {
      // Each row carries its series (one per metric) besides the point; aggregating the points into
      // JSON instead took longer than sending 10,000 rows. A null limit is no limit.
      const { rows } = await prepared<SeriesIdRow & PointRow>(
        db,
        `SELECT s.id, s.group_kind, s.group_name, s.metric, newest.* FROM series s CROSS JOIN LATERAL (
           SELECT p.recorded_ms, p.run_id, p.side, p.sha, p.unit, p.direction, p.n, p.median, p.ci_lo, p.ci_hi,
             r.run_key, r.recorded_at, r.reason, r.pull_request, r.commit_from, r.commit_to, r.commit_count
           FROM points p JOIN runs r ON r.id = p.run_id
           WHERE p.series_id = s.id AND p.ok AND p.n > 0
           ORDER BY p.recorded_ms DESC, p.run_id DESC, p.side DESC LIMIT $6) newest
         WHERE ${SERIES_MATCH} AND s.name = $4 AND ($5::text IS NULL OR s.metric = $5)`,
        [
          query.repository,
          query.branch,
          query.platform,
          query.benchmark,
          query.metric ?? null,
          query.limit ?? null,
        ],
      );
      return mergedSeries(
        rows.map((row) => ({ at: row, point: seriesPoint(row, row) })),
        query.limit,
      );
    });
  }

  async revision(): Promise<number> {
    return this.read('reading the store revision', async (db) => {
      const { rows } = await prepared<{ revision: number }>(db, 'SELECT revision FROM store_revision', []);
      return (rows[0] as { revision: number }).revision;
    });
  }

  async putArtifact(key: string, data: Buffer): Promise<void> {
    await this.read(`keeping ${key}`, (db) =>
      db.query(
        `INSERT INTO artifacts (key, data, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
        [key, data, new Date().toISOString()],
      ),
    );
  }

  async getArtifact(key: string): Promise<Buffer | null> {
    return this.read(`reading ${key}`, async (db) => {
      const { rows } = await db.query<{ data: Buffer }>('SELECT data FROM artifacts WHERE key = $1', [key]);
      return rows[0]?.data ?? null;
    });
  }

  async deleteArtifacts(prefix: string): Promise<number> {
    const { lo, hi } = prefixRange(prefix);
    return this.read(`removing ${prefix}*`, async (db) => {
      const result = await db.query('DELETE FROM artifacts WHERE key >= $1 AND key < $2', [lo, hi]);
      return result.rowCount ?? 0;
    });
  }

  async alertIssue(key: string): Promise<AlertIssue | null> {
    return this.read('reading an alert', async (db) => {
      const { rows } = await prepared<{ key: string; repository: string; issue_number: number }>(
        db,
        'SELECT key, repository, issue_number FROM alert_issues WHERE key = $1',
        [key],
      );
      const row = rows[0];
      return row === undefined
        ? null
        : { key: row.key, repository: row.repository, issueNumber: row.issue_number };
    });
  }

  async saveAlertIssue(alert: AlertIssue): Promise<void> {
    await this.read('remembering an alert issue', (db) =>
      prepared(
        db,
        `INSERT INTO alert_issues (key, repository, issue_number, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key) DO UPDATE SET repository = excluded.repository, issue_number = excluded.issue_number,
           updated_at = excluded.updated_at`,
        [alert.key, alert.repository, alert.issueNumber, new Date().toISOString()],
      ),
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async read<T>(action: string, work: (db: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient | undefined;
    let failed = false;
    // A connection that dies while checked out (the server restarts mid-query) emits 'error' besides
    // failing its query; the query's failure is what this method reports, so the event is dropped.
    const ignore = () => undefined;
    try {
      client = await this.pool.connect();
      client.on('error', ignore);
      return await work(client);
    } catch (error) {
      failed = true;
      throw postgresStoreError(error, this.location, action);
    } finally {
      client?.off('error', ignore);
      // After a failure the connection may be broken: it is closed rather than pooled again.
      client?.release(failed);
    }
  }

  private async transaction<T>(action: string, work: (db: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.read(action, async (db) => {
      await db.query('BEGIN');
      try {
        const result = await work(db);
        await db.query('COMMIT');
        return result;
      } catch (error) {
        await db.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }
}
