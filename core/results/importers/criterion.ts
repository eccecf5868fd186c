import { z } from 'zod';
import type { ResultIssue } from '../schema.js';
import { issuesFromZod, parseJsonText } from './json-text.js';
import type { ImportResult } from './types.js';

// criterion.rs writes, per benchmark, target/criterion/<benchmark id>/new/:
//   sample.json    { sampling_mode, iters: [...], times: [...] }: sample i ran iters[i] iterations in
//                  times[i] ns, so times[i] / iters[i] is one per-iteration sample (Linear and Flat alike);
//   estimates.json bootstrap summaries (mean, median, slope, ...), point estimates in ns per iteration;
//   benchmark.json the benchmark's id only.
// None of the three files names the benchmark together with its data, so the name comes from the
// path; the folder after <id> is `new` or a --save-baseline name.
const sampleSchema = z
  .object({
    sampling_mode: z.string().optional(),
    iters: z.array(z.number().positive()).min(1),
    times: z.array(z.number().nonnegative()).min(1),
  })
  .refine((s) => s.iters.length === s.times.length, {
    message: '"iters" and "times" must have the same length',
    path: ['times'],
  });

const estimate = z.object({ point_estimate: z.number() });
const estimatesSchema = z.object({ mean: estimate, median: estimate, slope: estimate.nullable().optional() });

type Shape = 'sample' | 'estimates' | 'benchmark-id';

function shapeOf(value: unknown): Shape | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if ('iters' in value && 'times' in value) return 'sample';
  if ('mean' in value && 'median' in value && 'std_dev' in value) return 'estimates';
  if ('full_id' in value && 'directory_name' in value) return 'benchmark-id';
  return undefined;
}

export function looksLikeCriterion(value: unknown): boolean {
  return shapeOf(value) !== undefined;
}

/** `.../target/criterion/parse/small/new/sample.json` → `parse/small`. */
export function criterionNameFromPath(file: string): string | undefined {
  const segments = file.split(/[\\/]/).filter((s) => s !== '' && s !== '.');
  // Prefer cargo's own target/criterion: a benchmark group may itself be called "criterion".
  const underTarget = segments.findIndex((s, i) => s === 'criterion' && segments[i - 1] === 'target');
  const start = underTarget >= 0 ? underTarget : segments.lastIndexOf('criterion');
  if (start < 0) return undefined;
  const id = segments.slice(start + 1, -2);
  return id.length === 0 ? undefined : id.join('/');
}

export function importCriterion(text: string, file: string): ImportResult {
  const json = parseJsonText(text, file);
  if (!json.ok) return { ok: false, errors: [json.issue] };
  const shape = shapeOf(json.value);
  const fail = (message: string): ImportResult => ({ ok: false, errors: [{ file, place: '', message }] });
  if (shape === undefined) {
    return fail(
      'not a criterion file: expected sample.json ({ iters, times }) or estimates.json ({ mean, median, ... })',
    );
  }
  if (shape === 'benchmark-id') {
    return fail('benchmark.json holds only the benchmark id; import sample.json from the same folder');
  }
  const name = criterionNameFromPath(file);
  if (name === undefined) {
    return fail(
      'cannot tell the benchmark name: criterion keeps it only in the path; import the file where criterion ' +
        'wrote it (target/criterion/<benchmark>/new/sample.json) or keep that layout when copying it',
    );
  }
  const base = {
    name,
    group: { kind: 'benchmark' as const },
    metric: 'time',
    unit: 'ns',
    direction: 'lower-is-better' as const,
    status: 'ok' as const,
  };
  if (shape === 'sample') {
    const parsed = sampleSchema.safeParse(json.value);
    if (!parsed.success) return { ok: false, errors: issuesFromZod(parsed.error, file) };
    const { iters, times } = parsed.data;
    const samples = times.map((t, i) => t / (iters[i] ?? 1));
    return {
      ok: true,
      format: 'criterion',
      benchmarks: [{ ...base, samples, rawSamples: true }],
      warnings: [],
    };
  }
  const parsed = estimatesSchema.safeParse(json.value);
  if (!parsed.success) return { ok: false, errors: issuesFromZod(parsed.error, file) };
  // criterion reports the slope for linear sampling and the mean for flat sampling; so do we.
  const point = parsed.data.slope?.point_estimate ?? parsed.data.mean.point_estimate;
  const warning: ResultIssue = {
    file,
    place: '',
    message: `${name}: estimates.json has only summaries; using the point estimate as one sample — import sample.json for every sample`,
  };
  return {
    ok: true,
    format: 'criterion',
    benchmarks: [{ ...base, samples: [point], rawSamples: false }],
    warnings: [warning],
  };
}
