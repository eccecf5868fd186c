import { parseResults, RESULTS_SCHEMA, SIDES } from '../schema.js';
import type { ImportedBenchmark, ImportResult } from './types.js';

export function looksLikeBenchbot(value: unknown): boolean {
  return (value as { schema?: unknown } | null)?.schema === RESULTS_SCHEMA;
}

/** A benchbot results file used as one side of a comparison: it must hold samples of one side only. */
export function importBenchbot(text: string, file: string): ImportResult {
  const parsed = parseResults(text, file);
  if (!parsed.ok) return parsed;
  const { benchmarks } = parsed.results;
  const sides = SIDES.filter((side) => benchmarks.some((b) => b.samples[side] !== undefined));
  const [side, other] = sides;
  if (other !== undefined) {
    return {
      ok: false,
      errors: [
        {
          file,
          place: '',
          message:
            'holds samples of both sides (baseline and changed), so it is already a comparison; ' +
            'pass it alone: benchbot compare RESULTS.json',
        },
      ],
    };
  }
  const imported: ImportedBenchmark[] = benchmarks.map((b) => ({
    name: b.name,
    group: b.group,
    metric: b.metric,
    unit: b.unit,
    direction: b.direction,
    samples: side === undefined ? [] : (b.samples[side] ?? []).map((s) => s.value),
    rawSamples: b.rawSamples,
    status: b.status,
    ...(b.failure === undefined ? {} : { failure: b.failure }),
  }));
  return { ok: true, format: 'benchbot', benchmarks: imported, warnings: [] };
}
