import {
  type Benchmark,
  type BenchmarkGroup,
  benchmarkKey,
  type ResultIssue,
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

/**
 * Pairs imports by group, name and metric into results-file benchmarks: `compare BASE CHANGED` passes
 * two imports, an interleaved runner passes one per side and round. Benchmarks that only one side
 * has are kept (a new or removed benchmark is news) and listed in `missing`.
 */
export function combineImports(imports: readonly SideImport[]): CombineResult {
  const combined = new Map<string, { benchmark: Benchmark; file: string }>();
  const errors: ResultIssue[] = [];
  for (const imp of imports) {
    for (const b of imp.benchmarks) {
      const key = benchmarkKey(b);
      let entry = combined.get(key);
      if (entry === undefined) {
        entry = {
          file: imp.file,
          benchmark: {
            name: b.name,
            group: b.group,
            metric: b.metric,
            unit: b.unit,
            direction: b.direction,
            samples: {},
            rawSamples: b.rawSamples,
            status: 'ok',
          },
        };
        combined.set(key, entry);
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
      const samples = target.samples[imp.side] ?? [];
      target.samples[imp.side] = samples;
      for (const value of b.samples) {
        samples.push({
          value,
          ...(imp.round === undefined ? {} : { round: imp.round }),
          ...(imp.attempt === undefined ? {} : { attempt: imp.attempt }),
        });
      }
      target.rawSamples &&= b.rawSamples;
      if (b.status === 'failed' && target.status === 'ok') {
        target.status = 'failed';
        target.failure = b.failure ?? { reason: `failed in ${imp.file}` };
      }
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const sidesPresent = SIDES.filter((side) => imports.some((imp) => imp.side === side));
  const benchmarks = [...combined.values()].map((e) => e.benchmark);
  const missing = benchmarks.flatMap((b) =>
    sidesPresent
      .filter((side) => b.samples[side] === undefined)
      .map((side) => ({ name: b.name, group: b.group, metric: b.metric, missingFrom: side })),
  );
  return { ok: true, benchmarks, missing };
}
