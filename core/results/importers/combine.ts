import {
  type Benchmark,
  type BenchmarkGroup,
  benchmarkKey,
  type ResultIssue,
  type Sample,
  SIDES,
  type SideName,
} from '../schema.js';
import type { ImportedBenchmark } from './types.js';

/** One imported tool run: which side it measured and, for interleaved runs, which round. */
export interface SideImport {
  side: SideName;
  file: string;
  round?: number;
  attempt?: number;
  benchmarks: readonly ImportedBenchmark[];
}

export interface MissingBenchmark {
  name: string;
  group: BenchmarkGroup;
  metric: string;
  missingFrom: SideName;
}

export type CombineResult =
  | { ok: true; benchmarks: Benchmark[]; missing: MissingBenchmark[] }
  | { ok: false; errors: ResultIssue[] };

/** One benchmark of several imports: what the first import said of it, and each side's imports. */
export interface GroupedBenchmark {
  benchmark: Omit<Benchmark, 'samples'>;
  /** Per side, the imports that measured it and the samples each gave, in import order. */
  sides: Partial<Record<SideName, Array<{ from: SideImport; samples: readonly number[] }>>>;
}

export type GroupResult = { ok: true; grouped: GroupedBenchmark[] } | { ok: false; errors: ResultIssue[] };

/**
 * Pairs imports by group, name and metric, in first-seen order; both sides must give a benchmark
 * the same unit and direction. Samples are left as the imports hold them, so a caller that needs no
 * results file (`benchbot compare BASE CHANGED`) builds no object per sample.
 */
export function groupImports(imports: readonly SideImport[]): GroupResult {
  const grouped = new Map<string, GroupedBenchmark & { file: string }>();
  const errors: ResultIssue[] = [];
  for (const imp of imports) {
    for (const b of imp.benchmarks) {
      const key = benchmarkKey(b);
      let entry = grouped.get(key);
      if (entry === undefined) {
        entry = {
          file: imp.file,
          benchmark: {
            name: b.name,
            group: b.group,
            metric: b.metric,
            unit: b.unit,
            direction: b.direction,
            rawSamples: b.rawSamples,
            status: 'ok',
          },
          sides: {},
        };
        grouped.set(key, entry);
      }
      const target = entry.benchmark;
      if (target.unit !== b.unit || target.direction !== b.direction) {
        errors.push({
          file: imp.file,
          place: `${b.name} (${b.metric})`,
          message:
            `measured in ${b.unit}, ${b.direction}, but ${entry.file} has ${target.unit}, ${target.direction}; ` +
            'both sides must come from the same tool and options',
        });
        continue;
      }
      const side = entry.sides[imp.side] ?? [];
      entry.sides[imp.side] = side;
      side.push({ from: imp, samples: b.samples });
      target.rawSamples &&= b.rawSamples;
      if (b.status === 'failed' && target.status === 'ok') {
        target.status = 'failed';
        target.failure = b.failure ?? { reason: `failed in ${imp.file}` };
      }
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, grouped: [...grouped.values()].map(({ benchmark, sides }) => ({ benchmark, sides })) };
}

const sampleOf = (value: number, from: SideImport): Sample => ({
  value,
  ...(from.round === undefined ? {} : { round: from.round }),
  ...(from.attempt === undefined ? {} : { attempt: from.attempt }),
});

/**
 * Pairs imports into results-file benchmarks: an interleaved runner passes one import per side and
 * round. Benchmarks that only one side has are kept (a new or removed benchmark is news) and listed
 * in `missing`.
 */
export function combineImports(imports: readonly SideImport[]): CombineResult {
  const result = groupImports(imports);
  if (!result.ok) return result;
  const benchmarks = result.grouped.map(
    ({ benchmark: { rawSamples, status, failure, ...identity }, sides }) => {
      const samples: Benchmark['samples'] = {};
      // In the order the sides were first seen, as results files have always listed them.
      for (const [side, parts] of Object.entries(sides) as [
        SideName,
        { from: SideImport; samples: readonly number[] }[],
      ][]) {
        samples[side] = parts.flatMap((p) => p.samples.map((v) => sampleOf(v, p.from)));
      }
      const benchmark: Benchmark = { ...identity, samples, rawSamples, status };
      if (failure !== undefined) benchmark.failure = failure;
      return benchmark;
    },
  );
  const sidesPresent = SIDES.filter((side) => imports.some((imp) => imp.side === side));
  const missing = benchmarks.flatMap((b) =>
    sidesPresent
      .filter((side) => b.samples[side] === undefined)
      .map((side) => ({ name: b.name, group: b.group, metric: b.metric, missingFrom: side })),
  );
  return { ok: true, benchmarks, missing };
}
