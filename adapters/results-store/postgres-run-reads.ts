import type pg from 'pg';
import { prepared, RUN_COLUMNS } from './postgres-statements.js';
import {
  type BenchmarkRow,
  type PlatformRunRow,
  platformRun,
  type RunRow,
  runRecord,
  type SideRow,
  type SkippedRow,
} from './rows.js';
import type { RunOnPlatform, StoredPlatformRun, StoredRun } from './store.js';

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
/** The run `id` as seen on one platform. */
export async function runOnPlatform(db: pg.PoolClient, id: number, platform: string): Promise<RunOnPlatform> {
  const { rows } = await prepared<PlatformRunRow>(
    db,
    `SELECT pr.*, r.recorded_ms FROM platform_runs pr JOIN runs r ON r.id = pr.run_id
     WHERE pr.run_id = $1 AND pr.platform = $2`,
    [id, platform],
  );
  return { run: await runRecordOf(db, id), platform: await platformRunOf(db, rows[0] as PlatformRunRow) };
}
/** The run `id` with every platform and its report. */
export async function storedRun(db: pg.PoolClient, id: number): Promise<StoredRun> {
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
