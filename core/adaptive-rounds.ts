import type { Checkpoint, CheckpointBenchmark, CheckpointLook } from './checkpoint.js';
import { finishedBenchmarks } from './job-results.js';
import type { JobBenchmark, JobSpec } from './job-spec.js';
import { compareResults } from './report/compare-results.js';
import { benchmarkKey } from './results/schema.js';
import { FIRST_LOOK_SHARE, lookLevels } from './stats/alpha-spending.js';
import { DEFAULT_OPTIONS } from './stats/compare.js';
import type { BenchmarkComparison, CompareOptions } from './stats/types.js';

// Adaptive rounds, the decisions (the runner carries them out, runner/adaptive-rounds.ts). When
// every benchmark of the job has run its planned rounds, the runner looks at the whole report as
// the final comparison will (core/report/looks.ts): the same test, the same Holm family, at the
// first look's share of alpha. A benchmark of the config whose measurements are all decided stops
// there; one with a measurement still undecided runs more rounds, up to its maxRounds and as many as
// fit its time budget at the pace of its planned rounds. The decisions go into the checkpoint, so a
// resumed job carries on with them instead of deciding again.

/**
 * Decided: a change the first look reports, or an interval inside the minimum effect (no number of
 * rounds makes that a change). Anything else straddles the minimum effect: more rounds may tell.
 */
export function isDecided(c: BenchmarkComparison): boolean {
  return c.verdict === 'faster' || c.verdict === 'slower' || c.settledUnchanged === true;
}

/** Extra rounds for one benchmark: up to maxRounds, and within its budget at its planned rounds' pace. */
export function extraRoundsFor(benchmark: JobBenchmark, entry: CheckpointBenchmark): number {
  const plan = benchmark.adaptive;
  if (plan === undefined) return 0;
  const room = plan.maxRounds - benchmark.iterations;
  const planned = entry.rounds.filter((r) => r.round < benchmark.iterations);
  const timed = planned.flatMap((r) => (r.elapsedMs === undefined ? [] : [r.elapsedMs]));
  const pace = timed.length === 0 ? 0 : timed.reduce((s, t) => s + t, 0) / timed.length;
  const fit = pace > 0 ? Math.floor((plan.extraSeconds * 1000) / pace) : room;
  return Math.max(0, Math.min(room, fit));
}

/**
 * The look after the planned rounds, from a checkpoint in which every benchmark finished them;
 * null when no benchmark of the spec can run extra rounds. Pure: the same checkpoint gives the same
 * look.
 */
export function lookAtPlannedRounds(
  spec: JobSpec,
  checkpoint: Checkpoint,
  options: CompareOptions = DEFAULT_OPTIONS,
): CheckpointLook | null {
  if (!spec.benchmarks.some((b) => b.adaptive !== undefined)) return null;
  // A failed benchmark has nothing to look at or to extend.
  const adaptive = spec.benchmarks.filter(
    (b) =>
      b.adaptive !== undefined && checkpoint.benchmarks.some((e) => e.name === b.name && e.status === 'ok'),
  );
  const byName = finishedBenchmarks(checkpoint);
  const all = spec.benchmarks.flatMap((b) => byName.get(b.name) ?? []);
  const first = lookLevels(options.alpha, FIRST_LOOK_SHARE).first;
  const report = compareResults(all, { ...options, alpha: first });
  const undecided = new Set(
    report.benchmarks.filter((b) => !isDecided(b.comparison)).map((b) => benchmarkKey(b)),
  );
  return {
    benchmarks: adaptive.map((b) => {
      const entry = checkpoint.benchmarks.find((e) => e.name === b.name);
      const keys = (byName.get(b.name) ?? []).map(benchmarkKey).filter((key) => undecided.has(key));
      const extraRounds = entry === undefined || keys.length === 0 ? 0 : extraRoundsFor(b, entry);
      return { name: b.name, extraRounds, undecided: keys };
    }),
  };
}

/** Rounds a benchmark runs in all: its planned ones, plus the extra ones the look gave it. */
export function roundsOf(benchmark: JobBenchmark, look: CheckpointLook | undefined): number {
  const decided = look?.benchmarks.find((b) => b.name === benchmark.name);
  return benchmark.iterations + (decided?.extraRounds ?? 0);
}
