import {
  type PlatformRunRow,
  platformRun,
  type RunRow,
  runRecord,
  type SideRow,
  type SkippedRow,
} from './rows.js';
import type { SqliteBenchmarkRow, Statements } from './sqlite-statements.js';
import type { RunOnPlatform, StoredRun } from './store.js';

function runRecordOf(s: Statements, runId: number) {
  const row = s.runById.get(runId) as RunRow;
  return runRecord(row, s.skippedByRun.all(runId) as SkippedRow[]);
}

/** The run `runId` as seen on one platform. */
export function runOnPlatform(s: Statements, runId: number, platform: string): RunOnPlatform {
  const row = s.platformRunByRun.get(runId, platform) as PlatformRunRow;
  return { run: runRecordOf(s, runId), platform: platformRunOf(s, row) };
}

/** The run `runId` with every platform and its report. */
export function storedRun(s: Statements, runId: number): StoredRun {
  const rows = s.platformRunsByRun.all(runId) as PlatformRunRow[];
  const { report } = s.reportById.get(runId) as { report: string | null };
  return { ...runRecordOf(s, runId), platforms: rows.map((row) => platformRunOf(s, row)), report };
}

function platformRunOf(s: Statements, row: PlatformRunRow) {
  const benchmarks = (s.benchmarksByPlatformRun.all(row.id) as SqliteBenchmarkRow[]).map((b) => ({
    ...b,
    raw_samples: b.raw_samples === 1,
  }));
  const sides = s.sidesByPlatformRun.all({
    platform_run_id: row.id,
    run_id: row.run_id,
    recorded_ms: row.recorded_ms,
  }) as SideRow[];
  return platformRun(row, benchmarks, sides);
}
