import { z } from 'zod';
import type { ResultIssue } from '../schema.js';
import { parseJsonWith } from './json-text.js';
import { mergeImported } from './merge.js';
import type { ImportedBenchmark, ImportResult } from './types.js';

// `hyperfine --export-json`: times are wall-clock seconds per run; newer releases add
// memory_usage_byte (peak RSS per run).
const hyperfineSchema = z.object({
  results: z.array(
    z.object({
      command: z.string().min(1),
      mean: z.number(),
      times: z.array(z.number()).optional(),
      memory_usage_byte: z.array(z.number()).optional(),
    }),
  ),
});

export function looksLikeHyperfine(value: unknown): boolean {
  const results = (value as { results?: unknown } | null)?.results;
  return Array.isArray(results) && results.some((r) => typeof r === 'object' && r !== null && 'command' in r);
}

export function importHyperfine(text: string, file: string): ImportResult {
  const parsed = parseJsonWith(text, file, hyperfineSchema);
  if (!parsed.ok) return parsed;
  const warnings: ResultIssue[] = [];
  const benchmarks: ImportedBenchmark[] = [];
  parsed.value.results.forEach((r, i) => {
    const rawSamples = r.times !== undefined;
    if (!rawSamples) {
      warnings.push({
        file,
        place: `results[${i}]`,
        message: 'no "times" (per-run times); using the mean as one sample — export with a newer hyperfine',
      });
    }
    benchmarks.push({
      name: r.command,
      group: { kind: 'benchmark' },
      metric: 'time',
      unit: 'ns',
      direction: 'lower-is-better',
      samples: (r.times ?? [r.mean]).map((s) => s * 1e9),
      rawSamples,
      status: 'ok',
    });
    if (r.memory_usage_byte !== undefined) {
      benchmarks.push({
        name: r.command,
        group: { kind: 'benchmark' },
        metric: 'memory',
        unit: 'B',
        direction: 'lower-is-better',
        samples: r.memory_usage_byte,
        rawSamples: true,
        status: 'ok',
      });
    }
  });
  return { ok: true, format: 'hyperfine', benchmarks: mergeImported(benchmarks), warnings };
}
