import type { Checkpoint, CheckpointBenchmark } from './checkpoint.js';
import type { JobSpec } from './job-spec.js';
import { combineImports } from './results/importers/combine.js';
import { issuesFromZod } from './results/importers/json-text.js';
import {
  type AdaptiveRecord,
  type BenchbotResults,
  type Benchmark,
  type BenchmarkFailure,
  benchmarkKey,
  formatIssue,
  RESULTS_SCHEMA,
  resultsSchema,
  SIDES,
  schemaVersionFor,
} from './results/schema.js';
import { FIRST_LOOK_SHARE, SPENDING_RULE } from './stats/alpha-spending.js';

// The results file from a job's checkpoint: built by the runner when it finishes, and by the
// Kubernetes executor from the checkpoint it merged out of a pod's log (the pod only has a ledger
// of the rounds that earlier pods measured).

/** A benchmark of the spec that produced no usable samples, with why (and the end of its log). */
export function failedBenchmark(name: string, failure: BenchmarkFailure): Benchmark {
  return {
    name,
    group: { kind: 'benchmark' },
    metric: 'time',
    unit: 'ns',
    direction: 'lower-is-better',
    samples: {},
    rawSamples: true,
    status: 'failed',
    failure: failure.logTail === '' ? { reason: failure.reason } : failure,
  };
}

/** One checkpointed benchmark's results-file entries: its rounds paired by round and attempt. */
export function benchmarkResults(entry: CheckpointBenchmark): Benchmark[] {
  if (entry.status === 'failed') {
    return [failedBenchmark(entry.name, entry.failure ?? { reason: 'failed' })];
  }
  const combined = combineImports(
    [...entry.rounds]
      .sort((a, b) => a.round - b.round)
      .flatMap((r) =>
        (r.imports ?? []).map((imp) => ({
          side: imp.side,
          file: `${imp.side} round ${r.round}`,
          round: r.round,
          attempt: r.attempt,
          benchmarks: imp.benchmarks,
        })),
      ),
  );
  if (!combined.ok) {
    return [failedBenchmark(entry.name, { reason: combined.errors.map(formatIssue).join('; ') })];
  }
  return combined.benchmarks;
}

/**
 * Each finished benchmark's entries; one whose inner names collide with an earlier one's is failed
 * with a reason instead of silently merging two different measurements.
 */
export function finishedBenchmarks(checkpoint: Checkpoint): Map<string, Benchmark[]> {
  const taken = new Map<string, string>();
  const byName = new Map<string, Benchmark[]>();
  for (const entry of checkpoint.benchmarks) {
    if (entry.status === 'running') continue;
    let benchmarks = benchmarkResults(entry);
    const clash = benchmarks.find((b) => taken.has(benchmarkKey(b)));
    if (clash !== undefined) {
      const reason = `reports ${clash.name} (${clash.metric}), which ${taken.get(benchmarkKey(clash))} already reported; give the two benchmarks distinct output`;
      benchmarks = [failedBenchmark(entry.name, { reason })];
    }
    for (const b of benchmarks) taken.set(benchmarkKey(b), entry.name);
    byName.set(entry.name, benchmarks);
  }
  return byName;
}

/** The status a finished benchmark reports in progress: failed if any of its entries failed. */
export function benchmarkStatus(entry: CheckpointBenchmark): 'ok' | 'failed' {
  return benchmarkResults(entry).some((b) => b.status === 'failed') ? 'failed' : 'ok';
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
          'both sides of each round ran in one attempt, so the paired comparison holds, but compare absolute numbers across attempts with care',
      );
    }
  }
  warnings.push(...checkpoint.benchmarks.flatMap((c) => c.warnings));
  return [...new Set(warnings)];
}

/**
 * What the results file records of adaptive rounds (run.adaptive; see core/adaptive-rounds.ts):
 * undefined for a spec without them.
 */
export function adaptiveRecord(spec: JobSpec, checkpoint: Checkpoint): AdaptiveRecord | undefined {
  if (!spec.benchmarks.some((b) => b.adaptive !== undefined)) return undefined;
  const extended = (checkpoint.look?.benchmarks ?? []).flatMap((decided) => {
    const benchmark = spec.benchmarks.find((b) => b.name === decided.name);
    const entry = checkpoint.benchmarks.find((e) => e.name === decided.name);
    if (benchmark === undefined || entry?.status !== 'ok' || entry.rounds.length <= benchmark.iterations)
      return [];
    const undecided = new Set(decided.undecided);
    const measurements = benchmarkResults(entry).map((b) => ({
      group: b.group,
      name: b.name,
      metric: b.metric,
      look: undecided.has(benchmarkKey(b)) ? (2 as const) : (1 as const),
    }));
    return [
      {
        benchmark: decided.name,
        plannedRounds: benchmark.iterations,
        rounds: entry.rounds.length,
        measurements,
      },
    ];
  });
  return { spending: SPENDING_RULE, firstLookShare: FIRST_LOOK_SHARE, extended };
}

export type AssembleResult = { ok: true; results: BenchbotResults } | { ok: false; error: string };

/** The results file from the spec and a checkpoint in which every benchmark finished, in the spec's order. */
export function assembleResults(spec: JobSpec, checkpoint: Checkpoint, finishedAt: string): AssembleResult {
  const first = checkpoint.attempts[0];
  const last = checkpoint.attempts.at(-1);
  if (first === undefined || last === undefined)
    return { ok: false, error: 'the checkpoint records no attempt' };
  const finished = finishedBenchmarks(checkpoint);
  const unfinished = spec.benchmarks.filter((b) => !finished.has(b.name)).map((b) => b.name);
  if (unfinished.length > 0) {
    return { ok: false, error: `the checkpoint has not finished ${unfinished.join(', ')}` };
  }
  const benchmarks = spec.benchmarks.flatMap((b) => finished.get(b.name) ?? []);
  const sides = Object.fromEntries(
    SIDES.map((side) => {
      const s = spec.sides[side];
      return [side, { ref: s.ref, sha: s.sha, envKeys: Object.keys(s.env).sort() }];
    }),
  );
  const warnings = runWarnings(checkpoint);
  const adaptive = adaptiveRecord(spec, checkpoint);
  const candidate = {
    schema: RESULTS_SCHEMA,
    schemaVersion: schemaVersionFor({ adaptive }),
    run: {
      repository: spec.repository,
      reason: spec.reason,
      ...(spec.pullRequest === undefined ? {} : { pullRequest: spec.pullRequest }),
      sides,
      platform: spec.platform,
      machine: first.machine,
      startedAt: first.startedAt,
      finishedAt,
      runnerVersion: last.runnerVersion,
      interleaved: true,
      ...(warnings.length === 0 ? {} : { warnings }),
      ...(adaptive === undefined ? {} : { adaptive }),
    },
    benchmarks,
  };
  const parsed = resultsSchema.safeParse(candidate);
  if (!parsed.success) {
    return {
      ok: false,
      error: `the job built an invalid results file (a bug): ${issuesFromZod(parsed.error, 'results.json').map(formatIssue).join('; ')}`,
    };
  }
  return { ok: true, results: parsed.data };
}
