import { latestAttempts } from '../../core/report/round-pairs.js';
import { type Benchmark, type Sample, SIDES, type SideName } from '../../core/results/schema.js';
import { DEFAULT_OPTIONS, medianWithCi } from '../../core/stats/index.js';
import type { BenchmarkRow, PlatformRunRow, SideRow } from './rows.js';
import {
  type CoverageQuery,
  type PlatformOutcome,
  type RecordRunInput,
  ResultsStoreError,
  type SideStats,
} from './store.js';

// What both stores check and compute before a write (the run's validity, each side's summary, the
// samples' compact encoding), and the checks of query arguments: the same rules whatever the database.

export type SideWrite = Omit<SideRow, 'benchmark_result_id'>;
export type BenchmarkWrite = Omit<BenchmarkRow, 'id'> & { sides: SideWrite[] };
export type PlatformWrite = Omit<PlatformRunRow, 'id' | 'run_id' | 'recorded_ms'> & {
  benchmarks: BenchmarkWrite[];
};

const DAY_MS = 86_400_000;
const MAX_COVERAGE_DAYS = 3660;
const SHA_PREFIX = /^[0-9a-f]{4,64}$/;

/** The run as rows to write; throws an 'invalid-run' error naming the problem before anything is written. */
export function prepareRun(input: RecordRunInput): { recordedMs: number; platforms: PlatformWrite[] } {
  const problem = runInputProblem(input);
  if (problem !== null) {
    throw new ResultsStoreError(
      'invalid-run',
      `cannot record run ${JSON.stringify(input.runId)}: ${problem}`,
    );
  }
  return { recordedMs: Date.parse(input.recordedAt), platforms: input.platforms.map(platformWrite) };
}

export function alreadyRecordedElsewhere(input: RecordRunInput, repository: string): ResultsStoreError {
  return new ResultsStoreError(
    'invalid-run',
    `run id ${JSON.stringify(input.runId)} is already recorded for ${repository}, not ${input.repository}; give each run its own id`,
  );
}

export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new ResultsStoreError('invalid-query', `limit is ${limit}; give a whole number of at least 1`);
  }
}

export function checkShaPrefix(sha: string): void {
  if (!SHA_PREFIX.test(sha)) {
    throw new ResultsStoreError(
      'invalid-query',
      `${JSON.stringify(sha)} is not a commit SHA: give 4 to 64 lowercase hex digits`,
    );
  }
}

/** The keys that start with `prefix`, as a half-open range an index can scan (byte order). */
export function prefixRange(prefix: string): { lo: string; hi: string } {
  if (prefix === '')
    throw new ResultsStoreError('invalid-query', 'an empty prefix would match every artifact');
  return { lo: prefix, hi: `${prefix}\u{10FFFF}` };
}

/** The range's bounds in ms and every UTC day it touches, oldest first. */
export function coverageDays(query: CoverageQuery): { fromMs: number; toMs: number; days: string[] } {
  const fromMs = Date.parse(query.from);
  const toMs = Date.parse(query.to);
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs < fromMs) {
    throw new ResultsStoreError(
      'invalid-query',
      `coverage needs ISO 8601 times with from <= to, got from ${JSON.stringify(query.from)} to ${JSON.stringify(query.to)}`,
    );
  }
  const days: string[] = [];
  for (let t = Math.floor(fromMs / DAY_MS) * DAY_MS; t < toMs; t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  if (days.length > MAX_COVERAGE_DAYS) {
    throw new ResultsStoreError(
      'invalid-query',
      `coverage over ${days.length} days is more than ${MAX_COVERAGE_DAYS}; ask for a shorter range`,
    );
  }
  return { fromMs, toMs, days };
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
    raw_samples: b.rawSamples,
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

/** Raw samples as little-endian float64, 8 bytes each: exact, and a tenth of their JSON. */
function encodeValues(values: readonly number[]): Buffer {
  const buffer = Buffer.alloc(values.length * 8);
  values.forEach((value, i) => {
    buffer.writeDoubleLE(value, i * 8);
  });
  return buffer;
}
