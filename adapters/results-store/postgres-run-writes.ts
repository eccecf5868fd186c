import type pg from 'pg';
import { prepared } from './postgres-statements.js';
import { alreadyRecordedElsewhere, type PlatformWrite } from './run-writes.js';
import type { RecordRunInput } from './store.js';

/**
 * Writes a prepared run inside the caller's transaction; `inserted` is false when the run was already
 * recorded (by this worker earlier or another one at the same time).
 */
export async function insertRun(
  db: pg.PoolClient,
  input: RecordRunInput,
  recordedMs: number,
  platforms: readonly PlatformWrite[],
): Promise<{ inserted: boolean }> {
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
  // Last, so concurrent writers wait on its row lock only for their commit.
  await prepared(db, 'UPDATE store_revision SET revision = revision + 1', []);
  return { inserted: true };
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
