import Database from 'better-sqlite3';
import { latestAttempts } from '../../core/report/round-pairs.js';
import {
  type BenchbotResults,
  type Benchmark,
  type BenchmarkGroup,
  type Direction,
  type GroupKind,
  RESULTS_SCHEMA,
  type RunReason,
  type Sample,
  SIDES,
  type SideName,
} from '../../core/results/schema.js';
import { DEFAULT_OPTIONS, medianWithCi } from '../../core/stats/index.js';
import { checkVersion, migrate } from './migrations.js';
import {
  type BenchmarkSummary,
  type CommitRange,
  type CoverageDay,
  type CoverageQuery,
  type LastRunsQuery,
  type LatestRunQuery,
  type PlatformOutcome,
  type PlatformStatus,
  type RecordRunInput,
  type ResultsStore,
  ResultsStoreError,
  type RunOnPlatform,
  type RunRecord,
  type SeriesPoint,
  type SeriesQuery,
  type SideStats,
  type StoredPlatformRun,
  type StoredRun,
} from './store.js';

export interface OpenSqliteOptions {
  /** Opens without writing anything (no migration, no WAL switch); recordRun then fails as read-only. */
  readonly?: boolean;
}

/** How long a writer waits for another process's transaction before giving up. */
const BUSY_TIMEOUT_MS = 10_000;
const DAY_MS = 86_400_000;
const MAX_COVERAGE_DAYS = 3660;
const SHA_PREFIX = /^[0-9a-f]{4,64}$/;

/** Opens (creating and migrating when writable) the SQLite results store in `file`. */
export function openSqliteResultsStore(file: string, options: OpenSqliteOptions = {}): ResultsStore {
  const readonly = options.readonly === true;
  let db: Database.Database;
  try {
    db = new Database(file, { readonly, fileMustExist: readonly });
  } catch (error) {
    throw storeError(error, file, 'opening the results store');
  }
  try {
    return new SqliteResultsStore(db, file);
  } catch (error) {
    db.close();
    throw error;
  }
}

// Row shapes as SQLite returns them.
interface RunRow {
  id: number;
  run_key: string;
  repository: string;
  branch: string | null;
  pull_request: number | null;
  reason: RunReason;
  commit_from: string | null;
  commit_to: string | null;
  commit_count: number | null;
  recorded_at: string;
}
interface SkippedRow {
  sha: string;
  reason: string;
  queue_depth: number | null;
}
interface PlatformRunRow {
  id: number;
  run_id: number;
  recorded_ms: number;
  platform: string;
  status: PlatformStatus;
  failure: string | null;
  baseline_ref: string | null;
  baseline_sha: string | null;
  changed_ref: string | null;
  changed_sha: string | null;
  results_schema_version: number | null;
  metadata: string | null;
}
interface BenchmarkRow {
  id: number;
  name: string;
  metric: string;
  group_kind: GroupKind;
  group_name: string | null;
  unit: string;
  direction: Direction;
  status: PlatformStatus;
  failure_reason: string | null;
  failure_log_tail: string | null;
  raw_samples: number;
}
interface SideRow {
  benchmark_result_id: number;
  side: SideName;
  n: number;
  median: number | null;
  ci_lo: number | null;
  ci_hi: number | null;
  samples: Buffer;
  rounds: string | null;
  attempts: string | null;
}
interface RunAt {
  id: number;
  recorded_ms: number;
}
interface SeriesIdRow {
  id: number;
  group_kind: GroupKind;
  group_name: string | null;
  metric: string;
}
interface PointRow {
  recorded_ms: number;
  run_id: number;
  run_key: string;
  recorded_at: string;
  reason: RunReason;
  pull_request: number | null;
  commit_from: string | null;
  commit_to: string | null;
  commit_count: number | null;
  side: SideName;
  sha: string;
  unit: string;
  direction: Direction;
  n: number;
  median: number;
  ci_lo: number | null;
  ci_hi: number | null;
}
interface CoverageRow {
  day: string;
  runs: number;
  failed_runs: number;
  commits_covered: number;
  skipped: number;
}

// What recordRun writes, computed before the write lock is taken.
interface SideWrite {
  side: SideName;
  n: number;
  median: number | null;
  ci_lo: number | null;
  ci_hi: number | null;
  samples: Buffer;
  rounds: string | null;
  attempts: string | null;
}
type BenchmarkWrite = Omit<BenchmarkRow, 'id'> & { sides: SideWrite[] };
type PlatformWrite = Omit<PlatformRunRow, 'id' | 'run_id' | 'recorded_ms'> & { benchmarks: BenchmarkWrite[] };

const SERIES_MATCH = `s.repository = @repository AND coalesce(s.branch, '') = coalesce(@branch, '')
  AND s.platform = @platform`;

const SQL = {
  runByKey: 'SELECT id, repository FROM runs WHERE run_key = ?',
  insertRun: `INSERT INTO runs (run_key, repository, branch, pull_request, reason, commit_from, commit_to,
      commit_count, recorded_at, recorded_ms)
    VALUES (@run_key, @repository, @branch, @pull_request, @reason, @commit_from, @commit_to, @commit_count,
      @recorded_at, @recorded_ms)`,
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
  runById: 'SELECT * FROM runs WHERE id = ?',
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
} as const;

type Statements = { [K in keyof typeof SQL]: Database.Statement };

/** The SQLite ResultsStore over an open connection; `openSqliteResultsStore` is the usual way in. */
export class SqliteResultsStore implements ResultsStore {
  private readonly statements: Statements;

  constructor(
    private readonly db: Database.Database,
    private readonly file: string,
  ) {
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.pragma('foreign_keys = ON');
      if (db.readonly) {
        checkVersion(db, file);
      } else {
        // WAL lets the dashboard read while a run is being recorded; FULL makes a run the activity
        // reported as recorded survive a power cut, at one fsync per run.
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
        migrate(db, file);
      }
      this.statements = Object.fromEntries(
        Object.entries(SQL).map(([name, sql]) => [name, db.prepare(sql)]),
      ) as Statements;
    } catch (error) {
      throw storeError(error, file, 'opening the results store');
    }
  }

  recordRun(input: RecordRunInput): { inserted: boolean } {
    const problem = runInputProblem(input);
    if (problem !== null) {
      throw new ResultsStoreError(
        'invalid-run',
        `cannot record run ${JSON.stringify(input.runId)}: ${problem}`,
      );
    }
    const platforms = input.platforms.map(platformWrite);
    const recordedMs = Date.parse(input.recordedAt);
    const s = this.statements;
    const write = () => {
      const existing = s.runByKey.get(input.runId) as { id: number; repository: string } | undefined;
      if (existing !== undefined) {
        if (existing.repository !== input.repository) {
          throw new ResultsStoreError(
            'invalid-run',
            `run id ${JSON.stringify(input.runId)} is already recorded for ${existing.repository}, not ${input.repository}; give each run its own id`,
          );
        }
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
      throw storeError(
        error,
        this.file,
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
          raw_samples,
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

  latestRun(query: LatestRunQuery): RunOnPlatform | null {
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

  lastRuns(query: LastRunsQuery): RunOnPlatform[] {
    checkLimit(query.limit);
    return this.read('reading the last runs', () => {
      const rows = this.statements.lastRuns.all({ ...platformParams(query), limit: query.limit }) as Array<{
        id: number;
      }>;
      return rows.map((row) => this.runOnPlatform(row.id, query.platform));
    });
  }

  runsBySha(repository: string, sha: string): StoredRun[] {
    if (!SHA_PREFIX.test(sha)) {
      throw new ResultsStoreError(
        'invalid-query',
        `${JSON.stringify(sha)} is not a commit SHA: give 4 to 64 lowercase hex digits`,
      );
    }
    return this.read('reading runs by SHA', () => {
      const rows = this.statements.runsBySha.all({ repository, lo: sha, hi: `${sha}g` }) as Array<{
        id: number;
      }>;
      return rows.map((row) => this.storedRun(row.id));
    });
  }

  coverage(query: CoverageQuery): CoverageDay[] {
    const fromMs = Date.parse(query.from);
    const toMs = Date.parse(query.to);
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs < fromMs) {
      throw new ResultsStoreError(
        'invalid-query',
        `coverage needs ISO 8601 times with from <= to, got from ${JSON.stringify(query.from)} to ${JSON.stringify(query.to)}`,
      );
    }
    const days = utcDays(fromMs, toMs);
    if (days.length > MAX_COVERAGE_DAYS) {
      throw new ResultsStoreError(
        'invalid-query',
        `coverage over ${days.length} days is more than ${MAX_COVERAGE_DAYS}; ask for a shorter range`,
      );
    }
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
    const byDay = new Map(rows.map((row) => [row.day, row]));
    return days.map((day) => {
      const row = byDay.get(day);
      return {
        day,
        runs: row?.runs ?? 0,
        failedRuns: row?.failed_runs ?? 0,
        commitsCovered: row?.commits_covered ?? 0,
        skipped: row?.skipped ?? 0,
      };
    });
  }

  series(query: SeriesQuery): SeriesPoint[] {
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
    // Each series comes newest first; across several (one per metric) they are merged the same way,
    // cut to the limit, then turned oldest first for charts.
    points.sort(
      (a, b) =>
        b.at.recorded_ms - a.at.recorded_ms ||
        b.at.run_id - a.at.run_id ||
        (a.at.side < b.at.side ? 1 : a.at.side > b.at.side ? -1 : 0),
    );
    return (limit === -1 ? points : points.slice(0, limit)).reverse().map(({ point }) => point);
  }

  close(): void {
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
      throw storeError(error, this.file, action);
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

  private runRecord(runId: number): RunRecord {
    const row = this.statements.runById.get(runId) as RunRow;
    const skipped = this.statements.skippedByRun.all(runId) as SkippedRow[];
    return {
      runId: row.run_key,
      repository: row.repository,
      branch: row.branch,
      pullRequest: row.pull_request,
      reason: row.reason,
      commitRange: commitRange(row),
      skipped: skipped.map((s) => ({ sha: s.sha, reason: s.reason, queueDepth: s.queue_depth })),
      recordedAt: row.recorded_at,
    };
  }

  private runOnPlatform(runId: number, platform: string): RunOnPlatform {
    const row = this.statements.platformRunByRun.get(runId, platform) as PlatformRunRow;
    return { run: this.runRecord(runId), platform: this.platformRun(row) };
  }

  private storedRun(runId: number): StoredRun {
    const rows = this.statements.platformRunsByRun.all(runId) as PlatformRunRow[];
    return { ...this.runRecord(runId), platforms: rows.map((row) => this.platformRun(row)) };
  }

  private platformRun(row: PlatformRunRow): StoredPlatformRun {
    const benchmarks = this.statements.benchmarksByPlatformRun.all(row.id) as BenchmarkRow[];
    const sides = this.statements.sidesByPlatformRun.all({
      platform_run_id: row.id,
      run_id: row.run_id,
      recorded_ms: row.recorded_ms,
    }) as SideRow[];
    const sidesByBenchmark = new Map<number, SideRow[]>();
    for (const side of sides) {
      sidesByBenchmark.set(side.benchmark_result_id, [
        ...(sidesByBenchmark.get(side.benchmark_result_id) ?? []),
        side,
      ]);
    }
    const stored = benchmarks.map((b) => ({ row: b, sides: sidesByBenchmark.get(b.id) ?? [] }));
    return {
      platform: row.platform,
      status: row.status,
      failure: row.failure,
      sides: {
        baseline: storedSide(row.baseline_ref, row.baseline_sha),
        changed: storedSide(row.changed_ref, row.changed_sha),
      },
      results:
        row.metadata === null
          ? null
          : ({
              schema: RESULTS_SCHEMA,
              schemaVersion: row.results_schema_version,
              run: JSON.parse(row.metadata),
              benchmarks: stored.map(({ row: b, sides: s }) => benchmarkOf(b, s)),
            } as BenchbotResults),
      summaries: stored.map(({ row: b, sides: s }) => summaryOf(b, s)),
    };
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

function seriesPoint(series: SeriesIdRow, row: PointRow): SeriesPoint {
  return {
    runId: row.run_key,
    recordedAt: row.recorded_at,
    reason: row.reason,
    pullRequest: row.pull_request,
    side: row.side,
    sha: row.sha,
    commitRange: commitRange(row),
    group: group(series),
    metric: series.metric,
    unit: row.unit,
    direction: row.direction,
    n: row.n,
    median: row.median,
    ciLo: row.ci_lo,
    ciHi: row.ci_hi,
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

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new ResultsStoreError('invalid-query', `limit is ${limit}; give a whole number of at least 1`);
  }
}

/** What is wrong with a run before any of it is written, or null; the database checks the rest. */
function runInputProblem(input: RecordRunInput): string | null {
  if (input.runId === '') return 'runId is empty; use the workflow id';
  if (!Number.isFinite(Date.parse(input.recordedAt))) {
    return `recordedAt ${JSON.stringify(input.recordedAt)} is not an ISO 8601 time`;
  }
  if (input.platforms.length === 0) return 'no platforms; a run records at least one platform';
  const seen = new Set<string>();
  for (const p of input.platforms) {
    if (seen.has(p.platform)) return `platform ${p.platform} appears twice; merge its results`;
    seen.add(p.platform);
    const problem = platformProblem(input, p);
    if (problem !== null) return `platform ${p.platform}: ${problem}`;
  }
  return null;
}

function platformProblem(input: RecordRunInput, p: PlatformOutcome): string | null {
  if (p.status === 'ok' && p.results === undefined) return 'status "ok" needs results';
  if (p.status === 'failed' && !p.failure) return 'status "failed" needs a failure reason';
  if (p.status === 'ok' && p.failure !== undefined) return 'a failure is only allowed with status "failed"';
  if (p.results === undefined) return null;
  const run = p.results.run;
  if (run.platform !== p.platform) return `its results are for platform ${run.platform}`;
  if (run.repository !== input.repository) return `its results are for repository ${run.repository}`;
  return null;
}

function platformWrite(p: PlatformOutcome): PlatformWrite {
  const sides = p.results?.run.sides;
  return {
    platform: p.platform,
    status: p.status,
    failure: p.failure ?? null,
    baseline_ref: sides?.baseline?.ref ?? null,
    baseline_sha: sides?.baseline?.sha ?? null,
    changed_ref: sides?.changed?.ref ?? null,
    changed_sha: sides?.changed?.sha ?? null,
    results_schema_version: p.results?.schemaVersion ?? null,
    metadata: p.results === undefined ? null : JSON.stringify(p.results.run),
    benchmarks: (p.results?.benchmarks ?? []).map(benchmarkWrite),
  };
}

function benchmarkWrite(b: Benchmark): BenchmarkWrite {
  return {
    name: b.name,
    metric: b.metric,
    group_kind: b.group.kind,
    group_name: b.group.name ?? null,
    unit: b.unit,
    direction: b.direction,
    status: b.status,
    failure_reason: b.failure?.reason ?? null,
    failure_log_tail: b.failure?.logTail ?? null,
    raw_samples: b.rawSamples ? 1 : 0,
    sides: SIDES.flatMap((side) => {
      const samples = b.samples[side];
      return samples === undefined ? [] : [sideWrite(side, samples)];
    }),
  };
}

function sideWrite(side: SideName, samples: readonly Sample[]): SideWrite {
  const stats = sideStats(samples);
  return {
    side,
    n: stats.n,
    median: stats.median,
    ci_lo: stats.ciLo,
    ci_hi: stats.ciHi,
    samples: encodeValues(samples.map((s) => s.value)),
    rounds: samples.some((s) => s.round !== undefined)
      ? JSON.stringify(samples.map((s) => s.round ?? null))
      : null,
    attempts: samples.some((s) => s.attempt !== undefined)
      ? JSON.stringify(samples.map((s) => s.attempt ?? null))
      : null,
  };
}

/** The same median and interval a comparison report shows, at the report's default confidence. */
function sideStats(samples: readonly Sample[]): SideStats {
  const values = latestAttempts(samples)
    .map((s) => s.value)
    .sort((a, b) => a - b);
  if (values.length === 0) return { n: 0, median: null, ciLo: null, ciHi: null };
  const { median, lo, hi } = medianWithCi(values, DEFAULT_OPTIONS.confidence);
  return { n: values.length, median, ciLo: lo, ciHi: hi };
}

function encodeValues(values: readonly number[]): Buffer {
  const buffer = Buffer.alloc(values.length * 8);
  values.forEach((value, i) => {
    buffer.writeDoubleLE(value, i * 8);
  });
  return buffer;
}

function decodeSamples(row: SideRow): Sample[] {
  const rounds = row.rounds === null ? null : (JSON.parse(row.rounds) as Array<number | null>);
  const attempts = row.attempts === null ? null : (JSON.parse(row.attempts) as Array<number | null>);
  return Array.from({ length: row.samples.length / 8 }, (_, i) => {
    const sample: Sample = { value: row.samples.readDoubleLE(i * 8) };
    const round = rounds?.[i];
    const attempt = attempts?.[i];
    if (round !== undefined && round !== null) sample.round = round;
    if (attempt !== undefined && attempt !== null) sample.attempt = attempt;
    return sample;
  });
}

function group(row: { group_kind: GroupKind; group_name: string | null }): BenchmarkGroup {
  return row.group_name === null ? { kind: row.group_kind } : { kind: row.group_kind, name: row.group_name };
}

function benchmarkOf(row: BenchmarkRow, sides: readonly SideRow[]): Benchmark {
  const samples: Benchmark['samples'] = {};
  for (const side of sides) samples[side.side] = decodeSamples(side);
  const benchmark: Benchmark = {
    name: row.name,
    group: group(row),
    metric: row.metric,
    unit: row.unit,
    direction: row.direction,
    samples,
    rawSamples: row.raw_samples === 1,
    status: row.status,
  };
  if (row.failure_reason !== null) {
    benchmark.failure =
      row.failure_log_tail === null
        ? { reason: row.failure_reason }
        : { reason: row.failure_reason, logTail: row.failure_log_tail };
  }
  return benchmark;
}

function summaryOf(row: BenchmarkRow, sides: readonly SideRow[]): BenchmarkSummary {
  const stats = (name: SideName): SideStats | null => {
    const side = sides.find((s) => s.side === name);
    return side === undefined ? null : { n: side.n, median: side.median, ciLo: side.ci_lo, ciHi: side.ci_hi };
  };
  return {
    group: group(row),
    name: row.name,
    metric: row.metric,
    unit: row.unit,
    direction: row.direction,
    status: row.status,
    baseline: stats('baseline'),
    changed: stats('changed'),
  };
}

function storedSide(ref: string | null, sha: string | null) {
  return ref === null || sha === null ? null : { ref, sha };
}

function commitRange(row: {
  commit_from: string | null;
  commit_to: string | null;
  commit_count: number | null;
}): CommitRange | null {
  return row.commit_from === null || row.commit_to === null
    ? null
    : { from: row.commit_from, to: row.commit_to, count: row.commit_count };
}

function utcDays(fromMs: number, toMs: number): string[] {
  const days: string[] = [];
  for (let t = Math.floor(fromMs / DAY_MS) * DAY_MS; t < toMs; t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** SQLite's failures in words that name the file and what to do; anything else passes through. */
function storeError(error: unknown, file: string, action: string): unknown {
  if (error instanceof ResultsStoreError) return error;
  if (error instanceof Database.SqliteError) {
    const code = error.code;
    const what = `${action} failed`;
    if (code.startsWith('SQLITE_READONLY')) {
      return new ResultsStoreError(
        'read-only',
        `${what}: ${file} is read-only (${error.message}); make the file, its -wal/-shm files and its folder writable by the benchbot worker, or point results.path elsewhere`,
        { cause: error },
      );
    }
    if (code === 'SQLITE_FULL') {
      return new ResultsStoreError(
        'disk-full',
        `${what}: the disk holding ${file} is full (${error.message}); free space there or point results.path at a bigger disk`,
        { cause: error },
      );
    }
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      return new ResultsStoreError(
        'busy',
        `${what}: ${file} stayed locked by another process for ${BUSY_TIMEOUT_MS / 1000}s; retry, and check nothing holds a long write transaction on it`,
        { cause: error },
      );
    }
    if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
      return new ResultsStoreError(
        'not-a-results-database',
        `${what}: ${file} is not a usable SQLite database (${error.message}); move it aside or point results.path at another file`,
        { cause: error },
      );
    }
    if (code.startsWith('SQLITE_CONSTRAINT')) {
      return new ResultsStoreError(
        'invalid-run',
        `${what}: the run breaks a rule of ${file} (${error.message}); check the results it carries, e.g. with benchbot's results parser`,
        { cause: error },
      );
    }
    if (
      code.startsWith('SQLITE_CANTOPEN') ||
      code.startsWith('SQLITE_PERM') ||
      code.startsWith('SQLITE_IOERR')
    ) {
      return new ResultsStoreError(
        'cannot-open',
        `${what}: cannot use ${file} (${error.message}); check that its folder exists and is readable and writable by the benchbot worker`,
        { cause: error },
      );
    }
    return error;
  }
  if (error instanceof TypeError && /directory does not exist/.test(error.message)) {
    return new ResultsStoreError(
      'cannot-open',
      `${action} failed: the folder of ${file} does not exist; create it or point results.path elsewhere`,
      { cause: error },
    );
  }
  return error;
}
