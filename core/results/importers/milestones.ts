import { z } from 'zod';
import { parseJsonWith } from './json-text.js';
import { mergeImported } from './merge.js';
import type { ImportedBenchmark, ImportResult } from './types.js';

/**
 * The format benchbot asks scale tests to write (per-milestone wall-clock and per-phase totals):
 *
 *   { "format": "benchbot-milestones", "test": "1k-pods",
 *     "milestones": [{ "name": "pods-ready", "seconds": 123.4 }],
 *     "phases":     [{ "name": "deploy", "seconds": [10.2, 10.9] }] }
 *
 * `seconds` is one run or an array of repeated runs; repeating an entry with the same name adds runs
 * too. A milestone is the time from the start of the run until it was reached; a phase is a span.
 */
export const MILESTONES_FORMAT = 'benchbot-milestones';

const entrySchema = z.object({
  name: z.string().min(1),
  seconds: z.union([z.number().nonnegative(), z.array(z.number().nonnegative()).min(1)]),
});

const milestonesSchema = z
  .strictObject({
    format: z.literal(MILESTONES_FORMAT),
    test: z.string().min(1).optional(),
    milestones: z.array(entrySchema).optional(),
    phases: z.array(entrySchema).optional(),
  })
  .refine((v) => (v.milestones?.length ?? 0) + (v.phases?.length ?? 0) > 0, {
    message: 'expected at least one entry in "milestones" or "phases"',
  });

export function looksLikeMilestones(value: unknown): boolean {
  return (value as { format?: unknown } | null)?.format === MILESTONES_FORMAT;
}

export function importMilestones(text: string, file: string): ImportResult {
  const parsed = parseJsonWith(text, file, milestonesSchema);
  if (!parsed.ok) return parsed;
  const { test, milestones = [], phases = [] } = parsed.value;
  const toBenchmark =
    (kind: 'milestone' | 'phase') =>
    (entry: z.infer<typeof entrySchema>): ImportedBenchmark => ({
      name: entry.name,
      group: test === undefined ? { kind } : { kind, name: test },
      metric: 'time',
      unit: 'ns',
      direction: 'lower-is-better',
      samples: (Array.isArray(entry.seconds) ? entry.seconds : [entry.seconds]).map((s) => s * 1e9),
      rawSamples: true,
      status: 'ok',
    });
  const benchmarks = [...milestones.map(toBenchmark('milestone')), ...phases.map(toBenchmark('phase'))];
  return { ok: true, format: 'milestones', benchmarks: mergeImported(benchmarks), warnings: [] };
}
