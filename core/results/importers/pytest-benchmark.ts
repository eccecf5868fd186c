import { z } from 'zod';
import type { ResultIssue } from '../schema.js';
import { parseJsonWith } from './json-text.js';
import { mergeImported } from './merge.js';
import type { ImportedBenchmark, ImportResult } from './types.js';

// `pytest --benchmark-json`: stats.data holds one value per round, already divided by the
// iterations of that round, in seconds. Saved runs (--benchmark-save) omit data unless
// --benchmark-save-data was given. Benchmarks whose test errored are left out of the file.
const pytestBenchmarkSchema = z.object({
  machine_info: z.record(z.string(), z.unknown()),
  benchmarks: z.array(
    z.object({
      name: z.string().min(1),
      fullname: z.string().min(1),
      group: z.string().nullable().optional(),
      stats: z.object({ mean: z.number(), data: z.array(z.number()).optional() }),
    }),
  ),
});

export function looksLikePytestBenchmark(value: unknown): boolean {
  const v = value as { machine_info?: unknown; benchmarks?: unknown } | null;
  return typeof v?.machine_info === 'object' && Array.isArray(v.benchmarks);
}

export function importPytestBenchmark(text: string, file: string): ImportResult {
  const parsed = parseJsonWith(text, file, pytestBenchmarkSchema);
  if (!parsed.ok) return parsed;
  const warnings: ResultIssue[] = [];
  const benchmarks: ImportedBenchmark[] = parsed.value.benchmarks.map((b, i) => {
    const group =
      typeof b.group === 'string'
        ? { kind: 'benchmark' as const, name: b.group }
        : { kind: 'benchmark' as const };
    // fullname (path::test[param]) rather than name: the same test name in two files must not collide.
    const base = {
      name: b.fullname,
      group,
      metric: 'time',
      unit: 'ns',
      direction: 'lower-is-better' as const,
    };
    const rawSamples = b.stats.data !== undefined;
    if (!rawSamples) {
      warnings.push({
        file,
        place: `benchmarks[${i}].stats`,
        message:
          'no per-round "data"; using the mean as one sample — use --benchmark-json, or --benchmark-save-data with --benchmark-save',
      });
    }
    return {
      ...base,
      samples: (b.stats.data ?? [b.stats.mean]).map((s) => s * 1e9),
      rawSamples,
      status: 'ok' as const,
    };
  });
  return { ok: true, format: 'pytest-benchmark', benchmarks: mergeImported(benchmarks), warnings };
}
