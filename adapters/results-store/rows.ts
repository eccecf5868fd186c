import type {
  BenchbotResults,
  Benchmark,
  BenchmarkGroup,
  Direction,
  GroupKind,
  RunReason,
  Sample,
  SideName,
} from '../../core/results/schema.js';
import { RESULTS_SCHEMA } from '../../core/results/schema.js';
import type {
  BenchmarkSummary,
  CommitRange,
  CoverageDay,
  ListedPlatform,
  PlatformStatus,
  RunRecord,
  SeriesPoint,
  SideStats,
  StoredPlatformRun,
  StoredSide,
} from './store.js';

// Rows as both databases return them (the two schemas use the same tables and column names), and
// how they become the store's records. Each store only turns its own column encodings into these.

export interface RunRow {
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
  requester: string | null;
  summary: string | null;
}

export interface SkippedRow {
  sha: string;
  reason: string;
  queue_depth: number | null;
}

export interface PlatformRunRow {
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
  /** The results file's "run" object, as JSON text. */
  metadata: string | null;
}

export interface BenchmarkRow {
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
  raw_samples: boolean;
}

/**
 * One side of one benchmark: its summary and its raw samples, as float64 little-endian; rounds and
 * attempts as JSON arrays, only when the runner gave them.
 */
export interface SideRow {
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

export interface SeriesIdRow {
  id: number;
  group_kind: GroupKind;
  group_name: string | null;
  metric: string;
}

export interface PointRow {
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

export interface CoverageRow {
  day: string;
  runs: number;
  failed_runs: number;
  commits_covered: number;
  skipped: number;
}

export function runRecord(row: RunRow, skipped: readonly SkippedRow[]): RunRecord {
  return {
    runId: row.run_key,
    repository: row.repository,
    branch: row.branch,
    pullRequest: row.pull_request,
    reason: row.reason,
    commitRange: commitRange(row),
    skipped: skipped.map((s) => ({ sha: s.sha, reason: s.reason, queueDepth: s.queue_depth })),
    recordedAt: row.recorded_at,
    requester: row.requester,
    summary: row.summary,
  };
}

export function listedPlatform(row: PlatformRunRow): ListedPlatform {
  return { platform: row.platform, status: row.status, sides: storedSides(row) };
}

/** A platform of a run, its samples regrouped by benchmark. */
export function platformRun(
  row: PlatformRunRow,
  benchmarks: readonly BenchmarkRow[],
  sides: readonly SideRow[],
): StoredPlatformRun {
  const sidesByBenchmark = new Map<number, SideRow[]>();
  for (const side of sides) {
    const list = sidesByBenchmark.get(side.benchmark_result_id);
    if (list === undefined) sidesByBenchmark.set(side.benchmark_result_id, [side]);
    else list.push(side);
  }
  const stored = benchmarks.map((b) => ({ row: b, sides: sidesByBenchmark.get(b.id) ?? [] }));
  return {
    platform: row.platform,
    status: row.status,
    failure: row.failure,
    sides: storedSides(row),
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

export function seriesPoint(series: SeriesIdRow, row: PointRow): SeriesPoint {
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

export function decodeSamples(row: SideRow): Sample[] {
  const { samples } = row;
  const rounds = row.rounds === null ? null : (JSON.parse(row.rounds) as Array<number | null>);
  const attempts = row.attempts === null ? null : (JSON.parse(row.attempts) as Array<number | null>);
  return Array.from({ length: samples.length / 8 }, (_, i) => {
    const sample: Sample = { value: samples.readDoubleLE(i * 8) };
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
    rawSamples: row.raw_samples,
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

function storedSides(row: PlatformRunRow): { baseline: StoredSide | null; changed: StoredSide | null } {
  const side = (ref: string | null, sha: string | null) =>
    ref === null || sha === null ? null : { ref, sha };
  return {
    baseline: side(row.baseline_ref, row.baseline_sha),
    changed: side(row.changed_ref, row.changed_sha),
  };
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

/** Every day of the range, those without a row counted as zeros. */
export function coverageByDay(days: readonly string[], rows: readonly CoverageRow[]): CoverageDay[] {
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

/**
 * Points of several series (one per metric), each read newest first: merged the same way, cut to
 * the limit, then turned oldest first for charts.
 */
export function mergedSeries(
  points: Array<{ at: PointRow; point: SeriesPoint }>,
  limit: number | undefined,
): SeriesPoint[] {
  points.sort(
    (a, b) =>
      b.at.recorded_ms - a.at.recorded_ms ||
      b.at.run_id - a.at.run_id ||
      (a.at.side < b.at.side ? 1 : a.at.side > b.at.side ? -1 : 0),
  );
  return (limit === undefined ? points : points.slice(0, limit)).reverse().map(({ point }) => point);
}
