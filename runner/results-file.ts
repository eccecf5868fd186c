import type { JobSpec } from '../core/job-spec.js';
import { issuesFromZod } from '../core/results/importers/json-text.js';
import {
  type BenchbotResults,
  type Benchmark,
  benchmarkKey,
  CURRENT_SCHEMA_VERSION,
  formatIssue,
  RESULTS_SCHEMA,
  resultsSchema,
  SIDES,
} from '../core/results/schema.js';
import type { Checkpoint, CompletedBenchmark } from './checkpoint.js';

/**
 * A benchmark whose inner names collide with an earlier one's cannot go in the same file; it is
 * failed with a reason instead of silently merging two different measurements.
 */
export function withoutCollisions(
  done: readonly CompletedBenchmark[],
  next: CompletedBenchmark,
): CompletedBenchmark {
  const taken = new Map<string, string>();
  for (const entry of done) for (const b of entry.benchmarks) taken.set(benchmarkKey(b), entry.name);
  const clash = next.benchmarks.find((b) => taken.has(benchmarkKey(b)));
  if (clash === undefined) return next;
  const reason = `reports ${clash.name} (${clash.metric}), which ${taken.get(benchmarkKey(clash))} already reported; give the two benchmarks distinct output`;
  return { ...failedBenchmark(next.name, next.attempt, reason), warnings: next.warnings };
}

/** A benchmark of the spec that produced no usable samples, with why (and the end of its log). */
export function failedBenchmark(
  name: string,
  attempt: number,
  reason: string,
  logTail?: string,
): CompletedBenchmark {
  const entry: Benchmark = {
    name,
    group: { kind: 'benchmark' },
    metric: 'time',
    unit: 'ns',
    direction: 'lower-is-better',
    samples: {},
    rawSamples: true,
    status: 'failed',
    failure: logTail === undefined || logTail === '' ? { reason } : { reason, logTail },
  };
  return { name, attempt, status: 'failed', benchmarks: [entry], warnings: [] };
}

function runWarnings(checkpoint: Checkpoint): string[] {
  const multiple = checkpoint.attempts.length > 1;
  const warnings = checkpoint.attempts.flatMap((a) =>
    a.warnings.map((w) => (multiple ? `attempt ${a.attempt}: ${w}` : w)),
  );
  const first = checkpoint.attempts[0];
  for (const a of checkpoint.attempts.slice(1)) {
    if (
      first !== undefined &&
      (a.machine.cpuModel !== first.machine.cpuModel || a.machine.cores !== first.machine.cores)
    ) {
      warnings.push(
        `attempt ${a.attempt} ran on a different machine (${a.machine.cpuModel}, ${a.machine.cores} cores) than attempt ${first.attempt}; ` +
          'each benchmark ran both sides in one attempt, so its comparison holds, but compare absolute numbers across benchmarks with care',
      );
    }
  }
  warnings.push(...checkpoint.completed.flatMap((c) => c.warnings));
  return [...new Set(warnings)];
}

export type AssembleResult = { ok: true; results: BenchbotResults } | { ok: false; error: string };

/** The results file from the spec and a checkpoint holding every benchmark, in the spec's order. */
export function assembleResults(
  spec: JobSpec,
  checkpoint: Checkpoint,
  finishedAt: string,
  runnerVersion: string,
): AssembleResult {
  const first = checkpoint.attempts[0];
  if (first === undefined) return { ok: false, error: 'the checkpoint records no attempt' };
  const byName = new Map(checkpoint.completed.map((c) => [c.name, c]));
  const benchmarks = spec.benchmarks.flatMap((b) => byName.get(b.name)?.benchmarks ?? []);
  const sides = Object.fromEntries(
    SIDES.map((side) => {
      const s = spec.sides[side];
      return [side, { ref: s.ref, sha: s.sha, envKeys: Object.keys(s.env).sort() }];
    }),
  );
  const warnings = runWarnings(checkpoint);
  const candidate = {
    schema: RESULTS_SCHEMA,
    schemaVersion: CURRENT_SCHEMA_VERSION,
    run: {
      repository: spec.repository,
      reason: spec.reason,
      ...(spec.pullRequest === undefined ? {} : { pullRequest: spec.pullRequest }),
      sides,
      platform: spec.platform,
      machine: first.machine,
      startedAt: first.startedAt,
      finishedAt,
      runnerVersion,
      interleaved: true,
      ...(warnings.length === 0 ? {} : { warnings }),
    },
    benchmarks,
  };
  const parsed = resultsSchema.safeParse(candidate);
  if (!parsed.success) {
    return {
      ok: false,
      error: `the runner built an invalid results file (a bug): ${issuesFromZod(parsed.error, 'results.json').map(formatIssue).join('; ')}`,
    };
  }
  return { ok: true, results: parsed.data };
}
