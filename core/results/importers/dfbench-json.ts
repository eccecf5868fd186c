import { z } from 'zod';
import { parseJsonWith } from './json-text.js';
import { mergeImported } from './merge.js';
import type { ImportedBenchmark, ImportResult } from './types.js';

// DataFusion's benchmark runner (`dfbench ... -o FILE`), apache/datafusion
// benchmarks/src/util/run.rs: each query case has one entry per iteration with `elapsed` in
// milliseconds (Duration::as_secs_f64() * 1000). `success` appeared in later releases; a failed
// query is recorded with success=false and usually no iterations.
const dfbenchSchema = z.object({
  context: z.object({ benchmark_version: z.string(), datafusion_version: z.string() }),
  queries: z.array(
    z.object({
      query: z.string().min(1),
      iterations: z.array(z.object({ elapsed: z.number(), row_count: z.number() })),
      success: z.boolean().optional(),
    }),
  ),
});

export function looksLikeDfbench(value: unknown): boolean {
  const v = value as { context?: { datafusion_version?: unknown }; queries?: unknown } | null;
  return typeof v?.context?.datafusion_version === 'string' && Array.isArray(v.queries);
}

export function importDfbench(text: string, file: string): ImportResult {
  const parsed = parseJsonWith(text, file, dfbenchSchema);
  if (!parsed.ok) return parsed;
  const benchmarks: ImportedBenchmark[] = parsed.value.queries.map((q) => {
    const samples = q.iterations.map((it) => it.elapsed * 1e6);
    const base = {
      name: q.query,
      group: { kind: 'query' as const },
      metric: 'time',
      unit: 'ns',
      direction: 'lower-is-better' as const,
      samples,
      rawSamples: true,
    };
    return q.success === false
      ? {
          ...base,
          status: 'failed' as const,
          failure: { reason: `${q.query} failed (dfbench recorded success: false)` },
        }
      : { ...base, status: 'ok' as const };
  });
  return { ok: true, format: 'dfbench-json', benchmarks: mergeImported(benchmarks), warnings: [] };
}
