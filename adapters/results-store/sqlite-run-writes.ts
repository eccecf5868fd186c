import { alreadyRecordedElsewhere, type PlatformWrite } from './run-writes.js';
import type { Statements } from './sqlite-statements.js';
import type { RecordRunInput } from './store.js';

/**
 * Writes a prepared run; the caller runs it in one immediate transaction. `inserted` is false when the
 * run was already recorded.
 */
export function insertRun(
  s: Statements,
  input: RecordRunInput,
  recordedMs: number,
  platforms: readonly PlatformWrite[],
): { inserted: boolean } {
  const existing = s.runByKey.get(input.runId) as { id: number; repository: string } | undefined;
  if (existing !== undefined) {
    if (existing.repository !== input.repository) throw alreadyRecordedElsewhere(input, existing.repository);
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
  for (const platform of platforms) insertPlatform(s, input, runId, recordedMs, platform);
  s.bumpRevision.run();
  return { inserted: true };
}

function insertPlatform(
  s: Statements,
  run: Pick<RecordRunInput, 'repository' | 'branch'>,
  runId: number,
  recordedMs: number,
  { benchmarks, ...platform }: PlatformWrite,
): void {
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
