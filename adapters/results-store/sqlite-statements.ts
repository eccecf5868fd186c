import type Database from 'better-sqlite3';
import type { Direction, RunReason, SideName } from '../../core/results/schema.js';
import type { BenchmarkRow, PointRow } from './rows.js';

// SQLite keeps booleans as 0/1.
export type SqliteBenchmarkRow = Omit<BenchmarkRow, 'raw_samples'> & { raw_samples: number };
export interface RunAt {
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
  // Gives arrays (see pointRow), in this column order.
  seriesPoints: `SELECT p.recorded_ms, p.run_id, p.side, p.sha, p.unit, p.direction, p.n, p.median, p.ci_lo,
      p.ci_hi, r.run_key, r.recorded_at, r.reason, r.pull_request, r.commit_from, r.commit_to, r.commit_count
    FROM points p JOIN runs r ON r.id = p.run_id
    WHERE p.series_id = @series_id AND p.ok AND p.n > 0
    ORDER BY p.recorded_ms DESC, p.run_id DESC, p.side DESC LIMIT @limit`,
  bumpRevision: 'UPDATE store_revision SET revision = revision + 1',
  revision: 'SELECT revision FROM store_revision',
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

export type Statements = { [K in keyof typeof SQL]: Database.Statement };

/** Prepares every statement once per connection: better-sqlite3 then runs them without parsing again. */
export function prepareStatements(db: Database.Database): Statements {
  const statements = Object.fromEntries(
    Object.entries(SQL).map(([name, sql]) => [name, db.prepare(sql)]),
  ) as Statements;
  // better-sqlite3 builds a row object key by key, which for a 10,000-point series took longer than
  // the query itself; an array per row, made a PointRow in one literal, is a third of that.
  statements.seriesPoints.raw(true);
  return statements;
}

/** A row of seriesPoints, whose columns it gives in this order. */
export function pointRow(v: unknown[]): PointRow {
  return {
    recorded_ms: v[0] as number,
    run_id: v[1] as number,
    side: v[2] as SideName,
    sha: v[3] as string,
    unit: v[4] as string,
    direction: v[5] as Direction,
    n: v[6] as number,
    median: v[7] as number,
    ci_lo: v[8] as number | null,
    ci_hi: v[9] as number | null,
    run_key: v[10] as string,
    recorded_at: v[11] as string,
    reason: v[12] as RunReason,
    pull_request: v[13] as number | null,
    commit_from: v[14] as string | null,
    commit_to: v[15] as string | null,
    commit_count: v[16] as number | null,
  };
}
