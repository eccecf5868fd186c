import { createHash } from 'node:crypto';
import pg from 'pg';
import { describeUrl, postgresStoreError } from './postgres-errors.js';
import { checkPostgresVersion, migratePostgres } from './postgres-migrations.js';
import {
  type BenchmarkRow,
  type CoverageRow,
  coverageByDay,
  listedPlatform,
  mergedSeries,
  type PlatformRunRow,
  type PointRow,
  platformRun,
  type RunRow,
  runRecord,
  type SeriesIdRow,
  type SideRow,
  type SkippedRow,
  seriesPoint,
} from './rows.js';
import {
  alreadyRecordedElsewhere,
  checkLimit,
  checkShaPrefix,
  coverageDays,
  type PlatformWrite,
  prefixRange,
  prepareRun,
} from './run-writes.js';
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
  StoredPlatformRun,
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

const statementNames = new Map<string, string>();

/**
 * Runs a statement prepared once per connection, named by its text: PostgreSQL parses and plans it
 * once per connection instead of on every call, as SQLite's cached statements are.
 */
function prepared<R extends pg.QueryResultRow>(
  db: pg.PoolClient,
  text: string,
  values: unknown[],
): Promise<pg.QueryResult<R>> {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `benchbot_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return db.query<R>({ name, text, values });
}

const RUN_COLUMNS = `r.id, r.run_key, r.repository, r.branch, r.pull_request, r.reason, r.commit_from, r.commit_to,
  r.commit_count, r.recorded_at, r.requester, r.summary`;
const SERIES_MATCH = `s.repository = $1 AND coalesce(s.branch, '') = coalesce($2::text, '') AND s.platform = $3`;

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
    return this.transaction(
      `recording run ${JSON.stringify(input.runId)} (nothing was written)`,
      async (db) => {
        // A second writer of the same run waits here on the unique key until the first commits, then
        // inserts nothing: one run, however many workers record it at once.
        const inserted = await prepared<{ id: number }>(
          db,
          `INSERT INTO runs (run_key, repository, branch, pull_request, reason, commit_from, commit_to, commit_count,
           recorded_at, recorded_ms, requester, summary, report)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (run_key) DO NOTHING RETURNING id`,
          [
            input.runId,
            input.repository,
            input.branch,
            input.pullRequest,
            input.reason,
            input.commitRange?.from ?? null,
            input.commitRange?.to ?? null,
            input.commitRange?.count ?? null,
            input.recordedAt,
            recordedMs,
            input.requester ?? null,
            input.summary ?? null,
            input.report ?? null,
          ],
        );
        const runId = inserted.rows[0]?.id;
        if (runId === undefined) {
          const existing = await prepared<{ repository: string }>(
            db,
            'SELECT repository FROM runs WHERE run_key = $1',
            [input.runId],
          );
          const repository = existing.rows[0]?.repository;
          if (repository !== undefined && repository !== input.repository) {
            throw alreadyRecordedElsewhere(input, repository);
          }
          return { inserted: false };
        }
        const skipped = input.skipped ?? [];
        if (skipped.length > 0) {
          await prepared(
            db,
            `INSERT INTO skipped_commits (run_id, sha, reason, queue_depth)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[])`,
            [
              runId,
              skipped.map((s) => s.sha),
              skipped.map((s) => s.reason),
              skipped.map((s) => s.queueDepth ?? null),
            ],
          );
        }
        for (const platform of platforms) await insertPlatform(db, input, runId, recordedMs, platform);
        return { inserted: true };
      },
    );
  }

  async latestRun(query: LatestRunQuery): Promise<RunOnPlatform | null> {
    return this.read('reading the latest run', async (db) => {
      const status = query.status ?? null;
      const found =
        query.benchmark === undefined
          ? await prepared<{ id: number }>(
              db,
              `SELECT r.id FROM runs r JOIN platform_runs pr ON pr.run_id = r.id AND pr.platform = $3
               WHERE r.repository = $1 AND r.branch IS NOT DISTINCT FROM $2::text
                 AND ($4::text IS NULL OR pr.status = $4)
               ORDER BY r.recorded_ms DESC, r.id DESC LIMIT 1`,
              [query.repository, query.branch, query.platform, status],
            )
          : await prepared<{ id: number }>(
              db,
              `SELECT latest.run_id AS id FROM series s CROSS JOIN LATERAL (
                 SELECT p.run_id, p.recorded_ms FROM points p
                 JOIN benchmark_results br ON br.id = p.benchmark_result_id
                 JOIN platform_runs pr ON pr.id = br.platform_run_id
                 WHERE p.series_id = s.id AND p.ok AND ($5::text IS NULL OR pr.status = $5)
                 ORDER BY p.recorded_ms DESC, p.run_id DESC LIMIT 1) latest
               WHERE ${SERIES_MATCH} AND s.name = $4
               ORDER BY latest.recorded_ms DESC, latest.run_id DESC LIMIT 1`,
              [query.repository, query.branch, query.platform, query.benchmark, status],
            );
      const id = found.rows[0]?.id;
      return id === undefined ? null : runOnPlatform(db, id, query.platform);
    });
  }

  async lastRuns(query: LastRunsQuery): Promise<RunOnPlatform[]> {
    checkLimit(query.limit);
    return this.read('reading the last runs', async (db) => {
      const { rows } = await prepared<{ id: number }>(
        db,
        `SELECT r.id FROM runs r JOIN platform_runs pr ON pr.run_id = r.id AND pr.platform = $3
         WHERE r.repository = $1 AND r.branch IS NOT DISTINCT FROM $2::text AND ($4::text IS NULL OR pr.status = $4)
         ORDER BY r.recorded_ms DESC, r.id DESC LIMIT $5`,
        [query.repository, query.branch, query.platform, query.status ?? null, query.limit],
      );
      const runs: RunOnPlatform[] = [];
      for (const row of rows) runs.push(await runOnPlatform(db, row.id, query.platform));
      return runs;
    });
  }

  async runsBySha(repository: string, sha: string): Promise<StoredRun[]> {
    checkShaPrefix(sha);
    return this.read('reading runs by SHA', async (db) => {
      const { rows } = await prepared<{ id: number }>(
        db,
        `SELECT id FROM runs WHERE repository = $1 AND id IN (
           SELECT run_id FROM platform_runs WHERE baseline_sha >= $2 AND baseline_sha < $3
           UNION SELECT run_id FROM platform_runs WHERE changed_sha >= $2 AND changed_sha < $3
           UNION SELECT id FROM runs WHERE commit_to >= $2 AND commit_to < $3)
         ORDER BY recorded_ms DESC, id DESC`,
        [repository, sha, `${sha}g`],
      );
      const runs: StoredRun[] = [];
      for (const row of rows) runs.push(await storedRun(db, row.id));
      return runs;
    });
  }

  async getRun(runId: string): Promise<StoredRun | null> {
    return this.read('reading a run', async (db) => {
      const { rows } = await prepared<{ id: number }>(db, 'SELECT id FROM runs WHERE run_key = $1', [runId]);
      const id = rows[0]?.id;
      return id === undefined ? null : storedRun(db, id);
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
         WHERE r.repository = $1 AND r.branch IS NOT DISTINCT FROM $2::text
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
      const series = await prepared<SeriesIdRow>(
        db,
        `SELECT id, group_kind, group_name, metric FROM series s
         WHERE ${SERIES_MATCH} AND s.name = $4 AND ($5::text IS NULL OR s.metric = $5)`,
        [query.repository, query.branch, query.platform, query.benchmark, query.metric ?? null],
      );
      const points: Array<{ at: PointRow; point: SeriesPoint }> = [];
      for (const s of series.rows) {
        const { rows } = await prepared<PointRow>(
          db,
          `SELECT p.recorded_ms, p.run_id, p.side, p.sha, p.unit, p.direction, p.n, p.median, p.ci_lo, p.ci_hi,
             r.run_key, r.recorded_at, r.reason, r.pull_request, r.commit_from, r.commit_to, r.commit_count
           FROM points p JOIN runs r ON r.id = p.run_id
           WHERE p.series_id = $1 AND p.ok AND p.n > 0
           ORDER BY p.recorded_ms DESC, p.run_id DESC, p.side DESC LIMIT $2`,
          [s.id, query.limit ?? null],
        );
        for (const row of rows) points.push({ at: row, point: seriesPoint(s, row) });
      }
      return mergedSeries(points, query.limit);
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

/** Writes a platform's rows set by set: a handful of statements whatever the number of benchmarks. */
async function insertPlatform(
  db: pg.PoolClient,
  run: Pick<RecordRunInput, 'repository' | 'branch'>,
  runId: number,
  recordedMs: number,
  { benchmarks, ...platform }: PlatformWrite,
): Promise<void> {
  const { rows } = await prepared<{ id: number }>(
    db,
    `INSERT INTO platform_runs (run_id, platform, status, failure, baseline_ref, baseline_sha, changed_ref,
       changed_sha, results_schema_version, metadata)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [
      runId,
      platform.platform,
      platform.status,
      platform.failure,
      platform.baseline_ref,
      platform.baseline_sha,
      platform.changed_ref,
      platform.changed_sha,
      platform.results_schema_version,
      platform.metadata,
    ],
  );
  const platformRunId = (rows[0] as { id: number }).id;
  if (benchmarks.length === 0) return;
  const column = <K extends keyof (typeof benchmarks)[number]>(key: K) => benchmarks.map((b) => b[key]);
  // Series are created in a fixed order, so two workers adding the same new series cannot deadlock.
  const seriesArgs = [
    run.repository,
    run.branch,
    platform.platform,
    column('name'),
    column('metric'),
    column('group_kind'),
    column('group_name'),
  ];
  await prepared(
    db,
    `INSERT INTO series (repository, branch, platform, name, metric, group_kind, group_name)
     SELECT $1, $2, $3, k.* FROM unnest($4::text[], $5::text[], $6::text[], $7::text[])
       AS k(name, metric, group_kind, group_name)
     ORDER BY k.name, k.metric, k.group_kind, k.group_name ON CONFLICT DO NOTHING`,
    seriesArgs,
  );
  const series = await prepared<{ id: number; position: number }>(
    db,
    `SELECT s.id, k.position::int - 1 AS position
     FROM unnest($4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS k(name, metric, group_kind, group_name, position)
     JOIN series s ON s.repository = $1 AND coalesce(s.branch, '') = coalesce($2::text, '') AND s.platform = $3
       AND s.name = k.name AND s.metric = k.metric AND s.group_kind = k.group_kind
       AND coalesce(s.group_name, '') = coalesce(k.group_name, '')`,
    seriesArgs,
  );
  const seriesIds = new Array<number>(benchmarks.length);
  for (const row of series.rows) seriesIds[row.position] = row.id;
  const inserted = await prepared<{ id: number; position: number }>(
    db,
    `INSERT INTO benchmark_results (platform_run_id, position, series_id, unit, direction, status, failure_reason,
       failure_log_tail, raw_samples)
     SELECT $1, k.position::int - 1, k.series_id, k.unit, k.direction, k.status, k.failure_reason, k.failure_log_tail,
       k.raw_samples
     FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
       $7::text[], $8::boolean[]) WITH ORDINALITY AS k(series_id, unit, direction, status, failure_reason,
       failure_log_tail, raw_samples, position)
     RETURNING id, position`,
    [
      platformRunId,
      seriesIds,
      column('unit'),
      column('direction'),
      column('status'),
      column('failure_reason'),
      column('failure_log_tail'),
      column('raw_samples'),
    ],
  );
  const benchmarkIds = new Array<number>(benchmarks.length);
  for (const row of inserted.rows) benchmarkIds[row.position] = row.id;
  const sides = benchmarks.flatMap((b, i) =>
    b.sides.map((side) => ({
      ...side,
      benchmarkId: benchmarkIds[i] as number,
      seriesId: seriesIds[i] as number,
      unit: b.unit,
      direction: b.direction,
      ok: b.status === 'ok',
      sha: side.side === 'baseline' ? platform.baseline_sha : platform.changed_sha,
    })),
  );
  if (sides.length === 0) return;
  const sideColumn = <K extends keyof (typeof sides)[number]>(key: K) => sides.map((s) => s[key]);
  await prepared(
    db,
    `INSERT INTO points (series_id, recorded_ms, run_id, side, benchmark_result_id, sha, unit, direction, ok, n, median,
       ci_lo, ci_hi)
     SELECT k.series_id, $1, $2, k.side, k.benchmark_result_id, k.sha, k.unit, k.direction, k.ok, k.n, k.median, k.ci_lo,
       k.ci_hi
     FROM unnest($3::bigint[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::boolean[], $10::int[],
       $11::float8[], $12::float8[], $13::float8[])
       AS k(series_id, side, benchmark_result_id, sha, unit, direction, ok, n, median, ci_lo, ci_hi)`,
    [
      recordedMs,
      runId,
      sideColumn('seriesId'),
      sideColumn('side'),
      sideColumn('benchmarkId'),
      sideColumn('sha'),
      sideColumn('unit'),
      sideColumn('direction'),
      sideColumn('ok'),
      sideColumn('n'),
      sideColumn('median'),
      sideColumn('ci_lo'),
      sideColumn('ci_hi'),
    ],
  );
  await prepared(
    db,
    `INSERT INTO samples (benchmark_result_id, side, samples, rounds, attempts)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[], $4::text[], $5::text[])`,
    [
      sideColumn('benchmarkId'),
      sideColumn('side'),
      sideColumn('samples'),
      sideColumn('rounds'),
      sideColumn('attempts'),
    ],
  );
}

async function runRecordOf(db: pg.PoolClient, id: number) {
  const [run, skipped] = await Promise.all([
    prepared<RunRow>(db, `SELECT ${RUN_COLUMNS} FROM runs r WHERE r.id = $1`, [id]),
    prepared<SkippedRow>(
      db,
      'SELECT sha, reason, queue_depth FROM skipped_commits WHERE run_id = $1 ORDER BY id',
      [id],
    ),
  ]);
  return runRecord(run.rows[0] as RunRow, skipped.rows);
}

async function runOnPlatform(db: pg.PoolClient, id: number, platform: string): Promise<RunOnPlatform> {
  const { rows } = await prepared<PlatformRunRow>(
    db,
    `SELECT pr.*, r.recorded_ms FROM platform_runs pr JOIN runs r ON r.id = pr.run_id
     WHERE pr.run_id = $1 AND pr.platform = $2`,
    [id, platform],
  );
  return { run: await runRecordOf(db, id), platform: await platformRunOf(db, rows[0] as PlatformRunRow) };
}

async function storedRun(db: pg.PoolClient, id: number): Promise<StoredRun> {
  const [platforms, report] = await Promise.all([
    prepared<PlatformRunRow>(
      db,
      `SELECT pr.*, r.recorded_ms FROM platform_runs pr JOIN runs r ON r.id = pr.run_id
       WHERE pr.run_id = $1 ORDER BY pr.id`,
      [id],
    ),
    prepared<{ report: string | null }>(db, 'SELECT report FROM runs WHERE id = $1', [id]),
  ]);
  const stored: StoredPlatformRun[] = [];
  for (const row of platforms.rows) stored.push(await platformRunOf(db, row));
  return { ...(await runRecordOf(db, id)), platforms: stored, report: report.rows[0]?.report ?? null };
}

async function platformRunOf(db: pg.PoolClient, row: PlatformRunRow): Promise<StoredPlatformRun> {
  const [benchmarks, sides] = await Promise.all([
    prepared<BenchmarkRow>(
      db,
      `SELECT br.*, s.name, s.metric, s.group_kind, s.group_name
       FROM benchmark_results br JOIN series s ON s.id = br.series_id
       WHERE br.platform_run_id = $1 ORDER BY br.position`,
      [row.id],
    ),
    // A benchmark's points are found through its series and the run's time: the points table's key.
    prepared<SideRow>(
      db,
      `SELECT sm.*, p.n, p.median, p.ci_lo, p.ci_hi
       FROM benchmark_results br
       JOIN samples sm ON sm.benchmark_result_id = br.id
       JOIN points p ON p.series_id = br.series_id AND p.recorded_ms = $2 AND p.run_id = $3 AND p.side = sm.side
       WHERE br.platform_run_id = $1`,
      [row.id, row.recorded_ms, row.run_id],
    ),
  ]);
  return platformRun(row, benchmarks.rows, sides.rows);
}
