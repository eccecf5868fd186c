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

// Whole runs (their skipped commits, platforms, benchmarks and samples) in one statement each: a
// round trip costs more than the rows, so reading a run piece by piece took six of them. The parts
// of a run come back as JSON aggregates, turned into the same rows the SQLite store reads.

/** One platform of a run as the statement gives it: samples as hex, floats as JSON gives them. */
interface PlatformJson {
  row: Omit<PlatformRunRow, 'recorded_ms'>;
  benchmarks: BenchmarkRow[];
  sides: Array<Omit<SideRow, 'samples' | 'median' | 'ci_lo' | 'ci_hi'> & { samples: string } & JsonFloats>;
}

interface JsonFloats {
  median: JsonFloat | null;
  ci_lo: JsonFloat | null;
  ci_hi: JsonFloat | null;
}

/** PostgreSQL writes a double in JSON as a number, except NaN and the infinities, which it quotes. */
type JsonFloat = number | string;

interface RunJsonRow extends RunRow {
  recorded_ms: number;
  report?: string | null;
  skipped: SkippedRow[];
  platforms: PlatformJson[];
}

/** A double as the text protocol would have given it. */
function jsonFloat(value: JsonFloat | null): number | null {
  return typeof value === 'string' ? Number(value) : value;
}

/** Every column a StoredPlatformRun needs, for the platforms of run `r` that `where` keeps. */
const PLATFORMS = (where: string) => `(
  SELECT coalesce(json_agg(json_build_object(
    'row', row_to_json(pr),
    'benchmarks', (
      SELECT coalesce(json_agg(json_build_object('id', br.id, 'name', s.name, 'metric', s.metric,
        'group_kind', s.group_kind, 'group_name', s.group_name, 'unit', br.unit, 'direction', br.direction,
        'status', br.status, 'failure_reason', br.failure_reason, 'failure_log_tail', br.failure_log_tail,
        'raw_samples', br.raw_samples) ORDER BY br.position), '[]')
      FROM benchmark_results br JOIN series s ON s.id = br.series_id WHERE br.platform_run_id = pr.id),
    -- A benchmark's points are found through its series and the run's time: the points table's key.
    'sides', (
      SELECT coalesce(json_agg(json_build_object('benchmark_result_id', sm.benchmark_result_id,
        'side', sm.side, 'samples', encode(sm.samples, 'hex'), 'rounds', sm.rounds, 'attempts', sm.attempts,
        'n', p.n, 'median', p.median, 'ci_lo', p.ci_lo, 'ci_hi', p.ci_hi)
        ORDER BY sm.benchmark_result_id, sm.side), '[]')
      FROM benchmark_results br
      JOIN samples sm ON sm.benchmark_result_id = br.id
      JOIN points p ON p.series_id = br.series_id AND p.recorded_ms = r.recorded_ms AND p.run_id = r.id
        AND p.side = sm.side
      WHERE br.platform_run_id = pr.id)
  ) ORDER BY pr.id), '[]')
  FROM platform_runs pr WHERE pr.run_id = r.id${where})`;

/**
 * The runs whose ids `chosen` selects (a query over the caller's parameters), newest first, each
 * with its skipped commits and the platforms `platformWhere` keeps (e.g. ` AND pr.platform = $3`).
 */
function runsStatement(chosen: string, platformWhere: string, withReport: boolean): string {
  return `SELECT ${RUN_COLUMNS}, r.recorded_ms${withReport ? ', r.report' : ''},
    (SELECT coalesce(json_agg(json_build_object('sha', sc.sha, 'reason', sc.reason, 'queue_depth', sc.queue_depth)
       ORDER BY sc.id), '[]') FROM skipped_commits sc WHERE sc.run_id = r.id) AS skipped,
    ${PLATFORMS(platformWhere)} AS platforms
  FROM runs r WHERE r.id IN (${chosen})
  ORDER BY r.recorded_ms DESC, r.id DESC`;
}

function platformOf(run: RunJsonRow, platform: PlatformJson): StoredPlatformRun {
  const sides: SideRow[] = platform.sides.map((side) => ({
    ...side,
    samples: Buffer.from(side.samples, 'hex'),
    median: jsonFloat(side.median),
    ci_lo: jsonFloat(side.ci_lo),
    ci_hi: jsonFloat(side.ci_hi),
  }));
  return platformRun({ ...platform.row, recorded_ms: run.recorded_ms }, platform.benchmarks, sides);
}

/**
 * The runs `chosen` selects, as seen on `platform` (its parameter, e.g. `$3`, in `values`); a run
 * `chosen` finds has that platform.
 */
export async function runsOnPlatform(
  db: pg.PoolClient,
  chosen: string,
  platform: string,
  values: unknown[],
): Promise<RunOnPlatform[]> {
  const { rows } = await prepared<RunJsonRow>(
    db,
    runsStatement(chosen, ` AND pr.platform = ${platform}`, false),
    values,
  );
  return rows.map((row) => ({
    run: runRecord(row, row.skipped),
    platform: platformOf(row, row.platforms[0] as PlatformJson),
  }));
}

/** The runs `chosen` selects, with every platform and their reports. */
export async function storedRuns(db: pg.PoolClient, chosen: string, values: unknown[]): Promise<StoredRun[]> {
  const { rows } = await prepared<RunJsonRow>(db, runsStatement(chosen, '', true), values);
  return rows.map((row) => ({
    ...runRecord(row, row.skipped),
    platforms: row.platforms.map((platform) => platformOf(row, platform)),
    report: row.report ?? null,
  }));
}
