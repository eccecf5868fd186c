import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
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
import { BUSY_TIMEOUT_MS, sqliteStoreError } from './sqlite-errors.js';
import { checkVersion, migrate } from './sqlite-migrations.js';
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
import { ResultsStoreError } from './store.js';

export interface OpenSqliteOptions {
  /** Opens without writing anything (no migration, no WAL switch); recordRun then fails as read-only. */
  readonly?: boolean;
}

/** Opens (creating and migrating when writable) the SQLite results store in `file`. */
export function openSqliteResultsStore(file: string, options: OpenSqliteOptions = {}): SqliteResultsStore {
  const readonly = options.readonly === true;
  if (readonly && !existsSync(file)) {
    throw new ResultsStoreError(
      'empty',
      `${file} does not exist yet: no run has been recorded; the first recorded run creates it`,
    );
  }
  let db: Database.Database;
  try {
    db = new Database(file, { readonly, fileMustExist: readonly });
  } catch (error) {
    throw sqliteStoreError(error, file, 'opening the results store');
  }
  try {
    return new SqliteResultsStore(db, file);
  } catch (error) {
    db.close();
    throw error;
  }
}

// SQLite keeps booleans as 0/1.
type SqliteBenchmarkRow = Omit<BenchmarkRow, 'raw_samples'> & { raw_samples: number };
interface RunAt {
  id: number;
  recorded_ms: number;
}

const SERIES_MATCH = `s.repository = @repository AND coalesce(s.branch, '') = coalesce(@branch, '')
  AND s.platform = @platform`;
const RUN_COLUMNS = `id, run_key, repository, branch, pull_request, reason, commit_from, commit_to, commit_count,
  recorded_at, requester, summary`;
// The kinds of run a listing can ask for (see RunKind).
const KIND_MATCH = `(@kind IS NULL
  OR (@kind = 'pull-request' AND r.reason = 'pr-comment')
  OR (@kind = 'manual' AND r.reason = 'manual' AND r.branch IS NULL)
  OR (@kind = 'trunk' AND r.branch IS NOT NULL))`;

const SQL = {
  runByKey: 'SELECT id, repository FROM runs WHERE run_key = ?',
  insertRun: `INSERT INTO runs (run_key, repository, branch, pull_request, reason, commit_from, commit_to,
      commit_count, recorded_at, recorded_ms, requester, summary, report)
    VALUES (@run_key, @repository, @branch, @pull_request, @reason, @commit_from, @commit_to, @commit_count,
      @recorded_at, @recorded_ms, @requester, @summary, @report)`,
  insertSkipped:
    'INSERT INTO skipped_commits (run_id, sha, reason, queue_depth) VALUES (@run_id, @sha, @reason, @queue_depth)',
  insertPlatformRun: `INSERT INTO platform_runs (run_id, platform, status, failure, baseline_ref, baseline_sha,
      changed_ref, changed_sha, results_schema_version, metadata)
    VALUES (@run_id, @platform, @status, @failure, @baseline_ref, @baseline_sha, @changed_ref, @changed_sha,
      @results_schema_version, @metadata)`,
  insertSeries: `INSERT INTO series (repository, branch, platform, name, metric, group_kind, group_name)
    VALUES (@repository, @branch, @platform, @name, @metric, @group_kind, @group_name) ON CONFLICT DO NOTHING`,
  seriesId: `SELECT id FROM series s WHERE ${SERIES_MATCH} AND s.name = @name AND s.metric = @metric
    AND s.group_kind = @group_kind AND coalesce(s.group_name, '') = coalesce(@group_name, '')`,
  insertBenchmark: `INSERT INTO benchmark_results (platform_run_id, position, series_id, unit, direction, status,
      failure_reason, failure_log_tail, raw_samples)
    VALUES (@platform_run_id, @position, @series_id, @unit, @direction, @status, @failure_reason,
      @failure_log_tail, @raw_samples)`,
  insertPoint: `INSERT INTO points (series_id, recorded_ms, run_id, side, benchmark_result_id, sha, unit,
      direction, ok, n, median, ci_lo, ci_hi)
    VALUES (@series_id, @recorded_ms, @run_id, @side, @benchmark_result_id, @sha, @unit, @direction, @ok, @n,
      @median, @ci_lo, @ci_hi)`,
  insertSamples: `INSERT INTO samples (benchmark_result_id, side, samples, rounds, attempts)
    VALUES (@benchmark_result_id, @side, @samples, @rounds, @attempts)`,
  runById: `SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`,
  runIdByKey: 'SELECT id FROM runs WHERE run_key = ?',
  reportById: 'SELECT report FROM runs WHERE id = ?',
  reportByKey: 'SELECT summary, report FROM runs WHERE run_key = ?',
  skippedByRun: 'SELECT sha, reason, queue_depth FROM skipped_commits WHERE run_id = ? ORDER BY id',
  platformRunsByRun: `SELECT pr.*, r.recorded_ms FROM platform_runs pr JOIN runs r ON r.id = pr.run_id
    WHERE pr.run_id = ? ORDER BY pr.id`,
  platformRunByRun: `SELECT pr.*, r.recorded_ms FROM platform_runs pr JOIN runs r ON r.id = pr.run_id
    WHERE pr.run_id = ? AND pr.platform = ?`,
  benchmarksByPlatformRun: `SELECT br.*, s.name, s.metric, s.group_kind, s.group_name
    FROM benchmark_results br JOIN series s ON s.id = br.series_id
    WHERE br.platform_run_id = ? ORDER BY br.position`,
  // A benchmark's points are found through its series and the run's time: the points table's key.
  sidesByPlatformRun: `SELECT sm.*, p.n, p.median, p.ci_lo, p.ci_hi
    FROM benchmark_results br
    JOIN samples sm ON sm.benchmark_result_id = br.id
    JOIN points p ON p.series_id = br.series_id AND p.recorded_ms = @recorded_ms AND p.run_id = @run_id
      AND p.side = sm.side
    WHERE br.platform_run_id = @platform_run_id`,
  lastRuns: `SELECT r.id FROM runs r JOIN platform_runs pr ON pr.run_id = r.id AND pr.platform = @platform
    WHERE r.repository = @repository AND r.branch IS @branch AND (@status IS NULL OR pr.status = @status)
    ORDER BY r.recorded_ms DESC, r.id DESC LIMIT @limit`,
  repositories: 'SELECT DISTINCT repository FROM runs ORDER BY repository',
  listRuns: `SELECT ${RUN_COLUMNS.replaceAll(/(\w+)/g, 'r.$1')} FROM runs r
    WHERE (@repository IS NULL OR r.repository = @repository) AND ${KIND_MATCH}
      AND (@before_ms IS NULL OR r.recorded_ms < @before_ms
        OR (r.recorded_ms = @before_ms AND r.id < (SELECT id FROM runs WHERE run_key = @before_key)))
    ORDER BY r.recorded_ms DESC, r.id DESC LIMIT @limit`,
  seriesIds: `SELECT id, group_kind, group_name, metric FROM series s WHERE ${SERIES_MATCH} AND s.name = @benchmark
    AND (@metric IS NULL OR s.metric = @metric)`,
  latestInSeries: `SELECT p.run_id AS id, p.recorded_ms FROM points p
    JOIN benchmark_results br ON br.id = p.benchmark_result_id
    JOIN platform_runs pr ON pr.id = br.platform_run_id
    WHERE p.series_id = @series_id AND p.ok AND (@status IS NULL OR pr.status = @status)
    ORDER BY p.recorded_ms DESC, p.run_id DESC LIMIT 1`,
  runsBySha: `SELECT id FROM runs WHERE repository = @repository AND id IN (
      SELECT run_id FROM platform_runs WHERE baseline_sha >= @lo AND baseline_sha < @hi
      UNION SELECT run_id FROM platform_runs WHERE changed_sha >= @lo AND changed_sha < @hi
      UNION SELECT id FROM runs WHERE commit_to >= @lo AND commit_to < @hi)
    ORDER BY recorded_ms DESC, id DESC`,
  // any_ok is null for a run without the asked platform, which then does not count at all.
  coverage: `SELECT day, count(*) AS runs, sum(NOT any_ok) AS failed_runs,
      sum(CASE WHEN any_ok THEN coalesce(commit_count, 1) ELSE 0 END) AS commits_covered,
      sum(skipped) AS skipped
    FROM (
      SELECT date(r.recorded_ms / 1000, 'unixepoch') AS day, r.commit_count,
        (SELECT max(pr.status = 'ok') FROM platform_runs pr
          WHERE pr.run_id = r.id AND (@platform IS NULL OR pr.platform = @platform)) AS any_ok,
        (SELECT count(*) FROM skipped_commits sc WHERE sc.run_id = r.id) AS skipped
      FROM runs r
      WHERE r.repository = @repository AND r.branch IS @branch
        AND r.recorded_ms >= @from_ms AND r.recorded_ms < @to_ms
    )
    WHERE any_ok IS NOT NULL GROUP BY day ORDER BY day`,
  seriesPoints: `SELECT p.recorded_ms, p.run_id, p.side, p.sha, p.unit, p.direction, p.n, p.median, p.ci_lo,
      p.ci_hi, r.run_key, r.recorded_at, r.reason, r.pull_request, r.commit_from, r.commit_to, r.commit_count
    FROM points p JOIN runs r ON r.id = p.run_id
    WHERE p.series_id = @series_id AND p.ok AND p.n > 0
    ORDER BY p.recorded_ms DESC, p.run_id DESC, p.side DESC LIMIT @limit`,
  putArtifact: `INSERT INTO artifacts (key, data, updated_at) VALUES (@key, @data, @updated_at)
    ON CONFLICT (key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
  getArtifact: 'SELECT data FROM artifacts WHERE key = ?',
  deleteArtifacts: 'DELETE FROM artifacts WHERE key >= @lo AND key < @hi',
  alertIssue: 'SELECT key, repository, issue_number FROM alert_issues WHERE key = ?',
  saveAlertIssue: `INSERT INTO alert_issues (key, repository, issue_number, updated_at)
    VALUES (@key, @repository, @issue_number, @updated_at)
    ON CONFLICT (key) DO UPDATE SET repository = excluded.repository, issue_number = excluded.issue_number,
      updated_at = excluded.updated_at`,
} as const;

type Statements = { [K in keyof typeof SQL]: Database.Statement };

/**
 * The SQLite ResultsStore over an open connection. better-sqlite3 is synchronous: each method does its
 * work at once and hands back a settled promise, so a run is written in one transaction as before.
 */
export class SqliteResultsStore implements ResultsStore {
  private readonly statements: Statements;

  constructor(
    private readonly db: Database.Database,
    readonly location: string,
  ) {
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.pragma('foreign_keys = ON');
      if (db.readonly) {
        checkVersion(db, location);
      } else {
        // WAL lets the dashboard read while a run is being recorded; FULL makes a run the activity
        // reported as recorded survive a power cut, at one fsync per run.
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
        migrate(db, location);
      }
      this.statements = Object.fromEntries(
        Object.entries(SQL).map(([name, sql]) => [name, db.prepare(sql)]),
      ) as Statements;
    } catch (error) {
      throw sqliteStoreError(error, location, 'opening the results store');
    }
  }

  async recordRun(input: RecordRunInput): Promise<{ inserted: boolean }> {
    const { recordedMs, platforms } = prepareRun(input);
    const s = this.statements;
    const write = () => {
      const existing = s.runByKey.get(input.runId) as { id: number; repository: string } | undefined;
      if (existing !== undefined) {
        if (existing.repository !== input.repository)
          throw alreadyRecordedElsewhere(input, existing.repository);
        return { inserted: false };
      }
      const runId = Number(
        s.insertRun.run({
          run_key: input.runId,
          repository: input.repository,
          branch: input.branch,
          pull_request: input.pullRequest,
          reason: input.reason,
          commit_from: input.commitRange?.from ?? null,
          commit_to: input.commitRange?.to ?? null,
          commit_count: input.commitRange?.count ?? null,
          recorded_at: input.recordedAt,
          recorded_ms: recordedMs,
          requester: input.requester ?? null,
          summary: input.summary ?? null,
          report: input.report ?? null,
        }).lastInsertRowid,
      );
      for (const skipped of input.skipped ?? []) {
        s.insertSkipped.run({
          run_id: runId,
          sha: skipped.sha,
          reason: skipped.reason,
          queue_depth: skipped.queueDepth ?? null,
        });
      }
      for (const platform of platforms) this.insertPlatform(input, runId, recordedMs, platform);
      return { inserted: true };
    };
    try {
      return this.db.transaction(write).immediate();
    } catch (error) {
      throw sqliteStoreError(
        error,
        this.location,
        `recording run ${JSON.stringify(input.runId)} (nothing was written)`,
      );
    }
  }

  private insertPlatform(
    run: Pick<RecordRunInput, 'repository' | 'branch'>,
    runId: number,
    recordedMs: number,
    { benchmarks, ...platform }: PlatformWrite,
  ): void {
    const s = this.statements;
    const platformRunId = Number(s.insertPlatformRun.run({ run_id: runId, ...platform }).lastInsertRowid);
    benchmarks.forEach((benchmark, position) => {
      const { sides, unit, direction, status, failure_reason, failure_log_tail, raw_samples, ...identity } =
        benchmark;
      const seriesKey = {
        repository: run.repository,
        branch: run.branch,
        platform: platform.platform,
        ...identity,
      };
      s.insertSeries.run(seriesKey);
      const series = s.seriesId.get(seriesKey) as { id: number };
      const benchmarkId = Number(
        s.insertBenchmark.run({
          platform_run_id: platformRunId,
          position,
          series_id: series.id,
          unit,
          direction,
          status,
          failure_reason,
          failure_log_tail,
          raw_samples: raw_samples ? 1 : 0,
        }).lastInsertRowid,
      );
      for (const { samples, rounds, attempts, ...point } of sides) {
        s.insertPoint.run({
          series_id: series.id,
          recorded_ms: recordedMs,
          run_id: runId,
          benchmark_result_id: benchmarkId,
          sha: point.side === 'baseline' ? platform.baseline_sha : platform.changed_sha,
          unit,
          direction,
          ok: status === 'ok' ? 1 : 0,
          ...point,
        });
        s.insertSamples.run({
          benchmark_result_id: benchmarkId,
          side: point.side,
          samples,
          rounds,
          attempts,
        });
      }
    });
  }

  async latestRun(query: LatestRunQuery): Promise<RunOnPlatform | null> {
    return this.read('reading the latest run', () => {
      const params = platformParams(query);
      const row =
        query.benchmark === undefined
          ? (this.statements.lastRuns.get({ ...params, limit: 1 }) as { id: number } | undefined)
          : newest(
              this.seriesOf(query, query.benchmark, null).flatMap(
                (series) =>
                  this.statements.latestInSeries.all({
                    series_id: series.id,
                    status: params.status,
                  }) as RunAt[],
              ),
            );
      return row === undefined ? null : this.runOnPlatform(row.id, query.platform);
    });
  }

  async lastRuns(query: LastRunsQuery): Promise<RunOnPlatform[]> {
    checkLimit(query.limit);
    return this.read('reading the last runs', () => {
      const rows = this.statements.lastRuns.all({ ...platformParams(query), limit: query.limit }) as Array<{
        id: number;
      }>;
      return rows.map((row) => this.runOnPlatform(row.id, query.platform));
    });
  }

  async runsBySha(repository: string, sha: string): Promise<StoredRun[]> {
    checkShaPrefix(sha);
    return this.read('reading runs by SHA', () => {
      const rows = this.statements.runsBySha.all({ repository, lo: sha, hi: `${sha}g` }) as Array<{
        id: number;
      }>;
      return rows.map((row) => this.storedRun(row.id));
    });
  }

  async getRun(runId: string): Promise<StoredRun | null> {
    return this.read('reading a run', () => {
      const row = this.statements.runIdByKey.get(runId) as { id: number } | undefined;
      return row === undefined ? null : this.storedRun(row.id);
    });
  }

  async runReport(runId: string): Promise<{ summary: string | null; report: string | null } | null> {
    return this.read('reading a report', () => {
      const row = this.statements.reportByKey.get(runId) as
        | { summary: string | null; report: string | null }
        | undefined;
      return row ?? null;
    });
  }

  async listRuns(query: RunListQuery): Promise<RunListing[]> {
    checkLimit(query.limit);
    return this.read('listing runs', () => {
      const rows = this.statements.listRuns.all({
        repository: query.repository ?? null,
        kind: query.kind ?? null,
        before_ms: query.before === undefined ? null : Date.parse(query.before.recordedAt),
        before_key: query.before?.runId ?? null,
        limit: query.limit,
      }) as RunRow[];
      return rows.map((row) => ({
        ...runRecord(row, this.statements.skippedByRun.all(row.id) as SkippedRow[]),
        platforms: (this.statements.platformRunsByRun.all(row.id) as PlatformRunRow[]).map(listedPlatform),
      }));
    });
  }

  async repositories(): Promise<string[]> {
    return this.read('listing repositories', () =>
      (this.statements.repositories.all() as Array<{ repository: string }>).map((r) => r.repository),
    );
  }

  async coverage(query: CoverageQuery): Promise<CoverageDay[]> {
    const { fromMs, toMs, days } = coverageDays(query);
    const rows = this.read(
      'reading coverage',
      () =>
        this.statements.coverage.all({
          repository: query.repository,
          branch: query.branch,
          platform: query.platform ?? null,
          from_ms: fromMs,
          to_ms: toMs,
        }) as CoverageRow[],
    );
    return coverageByDay(days, rows);
  }

  async series(query: SeriesQuery): Promise<SeriesPoint[]> {
    if (query.limit !== undefined) checkLimit(query.limit);
    const limit = query.limit ?? -1;
    const points = this.read('reading a series', () =>
      this.seriesOf(query, query.benchmark, query.metric ?? null).flatMap((series) =>
        (this.statements.seriesPoints.all({ series_id: series.id, limit }) as PointRow[]).map((row) => ({
          at: row,
          point: seriesPoint(series, row),
        })),
      ),
    );
    return mergedSeries(points, query.limit);
  }

  async putArtifact(key: string, data: Buffer): Promise<void> {
    try {
      this.statements.putArtifact.run({ key, data, updated_at: new Date().toISOString() });
    } catch (error) {
      throw sqliteStoreError(error, this.location, `keeping ${key}`);
    }
  }

  async getArtifact(key: string): Promise<Buffer | null> {
    return this.read(`reading ${key}`, () => {
      const row = this.statements.getArtifact.get(key) as { data: Buffer } | undefined;
      return row?.data ?? null;
    });
  }

  async deleteArtifacts(prefix: string): Promise<number> {
    try {
      return this.statements.deleteArtifacts.run(prefixRange(prefix)).changes;
    } catch (error) {
      throw sqliteStoreError(error, this.location, `removing ${prefix}*`);
    }
  }

  async alertIssue(key: string): Promise<AlertIssue | null> {
    return this.read('reading an alert', () => {
      const row = this.statements.alertIssue.get(key) as
        | { key: string; repository: string; issue_number: number }
        | undefined;
      return row === undefined
        ? null
        : { key: row.key, repository: row.repository, issueNumber: row.issue_number };
    });
  }

  async saveAlertIssue(alert: AlertIssue): Promise<void> {
    try {
      this.statements.saveAlertIssue.run({
        key: alert.key,
        repository: alert.repository,
        issue_number: alert.issueNumber,
        updated_at: new Date().toISOString(),
      });
    } catch (error) {
      throw sqliteStoreError(error, this.location, 'remembering an alert issue');
    }
  }

  async close(): Promise<void> {
    try {
      // Keeps the planner's statistics fresh as the history grows; cheap when nothing changed.
      if (!this.db.readonly) this.db.pragma('optimize');
    } catch {
      // A read-only or full disk refuses it; closing must still happen, or the broken connection stays.
    } finally {
      this.db.close();
    }
  }

  private read<T>(action: string, query: () => T): T {
    try {
      return query();
    } catch (error) {
      throw sqliteStoreError(error, this.location, action);
    }
  }

  /** The series of one benchmark name: one per metric (and group), each read on its own index range. */
  private seriesOf(
    where: { repository: string; branch: string | null; platform: string },
    benchmark: string,
    metric: string | null,
  ): SeriesIdRow[] {
    return this.statements.seriesIds.all({
      repository: where.repository,
      branch: where.branch,
      platform: where.platform,
      benchmark,
      metric,
    }) as SeriesIdRow[];
  }

  private runRecord(runId: number) {
    const row = this.statements.runById.get(runId) as RunRow;
    return runRecord(row, this.statements.skippedByRun.all(runId) as SkippedRow[]);
  }

  private runOnPlatform(runId: number, platform: string): RunOnPlatform {
    const row = this.statements.platformRunByRun.get(runId, platform) as PlatformRunRow;
    return { run: this.runRecord(runId), platform: this.platformRun(row) };
  }

  private storedRun(runId: number): StoredRun {
    const rows = this.statements.platformRunsByRun.all(runId) as PlatformRunRow[];
    const { report } = this.statements.reportById.get(runId) as { report: string | null };
    return { ...this.runRecord(runId), platforms: rows.map((row) => this.platformRun(row)), report };
  }

  private platformRun(row: PlatformRunRow) {
    const benchmarks = (this.statements.benchmarksByPlatformRun.all(row.id) as SqliteBenchmarkRow[]).map(
      (b) => ({ ...b, raw_samples: b.raw_samples === 1 }),
    );
    const sides = this.statements.sidesByPlatformRun.all({
      platform_run_id: row.id,
      run_id: row.run_id,
      recorded_ms: row.recorded_ms,
    }) as SideRow[];
    return platformRun(row, benchmarks, sides);
  }
}

function platformParams(query: LatestRunQuery) {
  return {
    repository: query.repository,
    branch: query.branch,
    platform: query.platform,
    status: query.status ?? null,
  };
}

function newest(rows: readonly RunAt[]): RunAt | undefined {
  let best: RunAt | undefined;
  for (const row of rows) {
    if (
      best === undefined ||
      row.recorded_ms > best.recorded_ms ||
      (row.recorded_ms === best.recorded_ms && row.id > best.id)
    ) {
      best = row;
    }
  }
  return best;
}
