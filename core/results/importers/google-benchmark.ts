import { z } from 'zod';
import type { ResultIssue } from '../schema.js';
import { parseJsonWith } from './json-text.js';
import { mergeImported } from './merge.js';
import type { ImportedBenchmark, ImportResult } from './types.js';

// Google Benchmark's JSON reporter (--benchmark_format=json or --benchmark_out). Each
// `run_type: "iteration"` row is one repetition, i.e. one sample; "aggregate" rows (mean, median,
// stddev, cv, BigO, RMS) are summaries of those and are skipped. Releases before run_type existed
// mark aggregates only by a name suffix.
const TIME_UNITS: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 };
const AGGREGATE_SUFFIX = /_(mean|median|stddev|cv|BigO|RMS)$/;

const rowSchema = z.object({
  name: z.string().min(1),
  run_name: z.string().min(1).optional(),
  run_type: z.enum(['iteration', 'aggregate']).optional(),
  aggregate_name: z.string().optional(),
  real_time: z.number().optional(),
  cpu_time: z.number().optional(),
  time_unit: z.enum(Object.keys(TIME_UNITS) as [string, ...string[]]).optional(),
  bytes_per_second: z.number().optional(),
  items_per_second: z.number().optional(),
  error_occurred: z.boolean().optional(),
  error_message: z.string().optional(),
});
type Row = z.infer<typeof rowSchema>;

const googleBenchmarkSchema = z.object({
  context: z.object({ executable: z.string().optional() }),
  benchmarks: z.array(rowSchema),
});

export function looksLikeGoogleBenchmark(value: unknown): boolean {
  const v = value as { context?: unknown; benchmarks?: unknown } | null;
  if (typeof v?.context !== 'object' || !Array.isArray(v.benchmarks)) return false;
  const first: unknown = v.benchmarks[0];
  return v.benchmarks.length === 0 || (typeof first === 'object' && first !== null && 'time_unit' in first);
}

function isAggregate(row: Row): boolean {
  return row.run_type === undefined ? AGGREGATE_SUFFIX.test(row.name) : row.run_type === 'aggregate';
}

function runName(row: Row): string {
  return row.run_name ?? (isAggregate(row) ? row.name.replace(AGGREGATE_SUFFIX, '') : row.name);
}

function samplesOf(name: string, row: Row, rawSamples: boolean): ImportedBenchmark[] {
  const group = { kind: 'benchmark' as const };
  const scale = TIME_UNITS[row.time_unit ?? 'ns'] ?? 1;
  const out: ImportedBenchmark[] = [];
  const add = (metric: string, unit: string, higher: boolean, value: number | undefined) => {
    if (value === undefined) return;
    out.push({
      name,
      group,
      metric,
      unit,
      direction: higher ? 'higher-is-better' : 'lower-is-better',
      samples: [value],
      rawSamples,
      status: 'ok',
    });
  };
  add('time', 'ns', false, row.real_time === undefined ? undefined : row.real_time * scale);
  add('cpu-time', 'ns', false, row.cpu_time === undefined ? undefined : row.cpu_time * scale);
  add('throughput', 'B/s', true, row.bytes_per_second);
  add('items-throughput', 'items/s', true, row.items_per_second);
  return out;
}

export function importGoogleBenchmark(text: string, file: string): ImportResult {
  const parsed = parseJsonWith(text, file, googleBenchmarkSchema);
  if (!parsed.ok) return parsed;
  const rows = parsed.value.benchmarks;
  const warnings: ResultIssue[] = [];
  const benchmarks: ImportedBenchmark[] = [];
  const withRepetitions = new Set(rows.filter((r) => !isAggregate(r)).map(runName));

  rows.forEach((row, i) => {
    const name = runName(row);
    if (row.error_occurred === true) {
      benchmarks.push({
        name,
        group: { kind: 'benchmark' },
        metric: 'time',
        unit: 'ns',
        direction: 'lower-is-better',
        samples: [],
        rawSamples: true,
        status: 'failed',
        failure: {
          reason: row.error_message ?? 'the benchmark reported an error',
          logTail: row.error_message ?? '',
        },
      });
      return;
    }
    if (!isAggregate(row)) {
      benchmarks.push(...samplesOf(name, row, true));
      return;
    }
    // --benchmark_report_aggregates_only leaves only summaries; the mean stands in as one sample.
    if (withRepetitions.has(name) || (row.aggregate_name ?? row.name.replace(/^.*_/, '')) !== 'mean') return;
    warnings.push({
      file,
      place: `benchmarks[${i}]`,
      message: `${name}: only aggregates were reported; using the mean as one sample — rerun without --benchmark_report_aggregates_only`,
    });
    benchmarks.push(...samplesOf(name, row, false));
  });
  return { ok: true, format: 'google-benchmark', benchmarks: mergeImported(benchmarks), warnings };
}
