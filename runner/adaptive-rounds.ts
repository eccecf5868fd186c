import { lookAtPlannedRounds } from '../core/adaptive-rounds.js';
import { type Checkpoint, type CheckpointLook, hasAllSamples } from '../core/checkpoint.js';
import type { JobBenchmark, JobSpec } from '../core/job-spec.js';
import type { Progress } from './progress.js';

// Adaptive rounds, carried out (the decisions are core/adaptive-rounds.ts): after every benchmark
// ran its planned rounds, look once at the whole report, checkpoint the look, then run the extra
// rounds of the benchmarks still undecided, each round checkpointed as the planned ones are. A
// resumed job finds the look in its checkpoint and runs only the extra rounds still missing.

export interface AdaptiveRoundsContext {
  spec: JobSpec;
  checkpoint: Checkpoint;
  log: (line: string) => void;
  progress: Progress;
  /** Runs `benchmark` until it has `rounds` measured rounds, after `warmups` warm-up rounds. */
  measure: (benchmark: JobBenchmark, rounds: number, warmups: number) => Promise<void>;
  /** Checkpoints the look (and announces it, so a pod's log carries it to the executor). */
  saveLook: (look: CheckpointLook) => Promise<void>;
}

function takeLook(ctx: AdaptiveRoundsContext): CheckpointLook | null {
  const { spec, checkpoint } = ctx;
  if (hasAllSamples(checkpoint)) return lookAtPlannedRounds(spec, checkpoint);
  // Resumed from a ledger (Kubernetes): earlier attempts' samples are with the executor, and a look
  // without them would judge a different report than the final comparison.
  const note = "no extra rounds: the planned rounds' samples of an earlier attempt are with the executor";
  for (const entry of checkpoint.benchmarks) {
    const line = `${entry.name}: ${note}`;
    if (
      spec.benchmarks.some((b) => b.name === entry.name && b.adaptive !== undefined) &&
      !entry.warnings.includes(line)
    )
      entry.warnings.push(line);
  }
  return {
    benchmarks: spec.benchmarks
      .filter((b) => b.adaptive !== undefined)
      .map((b) => ({ name: b.name, extraRounds: 0, undecided: [], note })),
  };
}

function describeLook(look: CheckpointLook, spec: JobSpec): string[] {
  return look.benchmarks.map((decided) => {
    const planned = spec.benchmarks.find((b) => b.name === decided.name)?.iterations ?? 0;
    const undecided = decided.undecided.length;
    if (decided.note !== undefined) return `${decided.name}: ${decided.note}`;
    if (undecided === 0) return `${decided.name}: decided after its ${planned} planned rounds`;
    const what = `${undecided} ${undecided === 1 ? 'measurement' : 'measurements'} undecided after ${planned} rounds`;
    return decided.extraRounds === 0
      ? `${decided.name}: ${what}; no extra rounds fit its maxRounds and time budget`
      : `${decided.name}: ${what}; ${decided.extraRounds} extra rounds, ${planned + decided.extraRounds} in all`;
  });
}

export async function runAdaptiveRounds(ctx: AdaptiveRoundsContext): Promise<void> {
  const { spec, checkpoint, log } = ctx;
  if (checkpoint.look === undefined) {
    const look = takeLook(ctx);
    if (look === null) return;
    checkpoint.look = look;
    await ctx.saveLook(look);
    for (const line of describeLook(look, spec)) log(line);
  }
  for (const decided of checkpoint.look.benchmarks) {
    const benchmark = spec.benchmarks.find((b) => b.name === decided.name);
    const entry = checkpoint.benchmarks.find((e) => e.name === decided.name);
    if (benchmark === undefined || entry?.status !== 'ok' || decided.extraRounds === 0) continue;
    const rounds = benchmark.iterations + decided.extraRounds;
    if (entry.rounds.length >= rounds) continue;
    ctx.progress.extend(2 * (benchmark.warmups + rounds));
    // Warm up again: other benchmarks ran since, or this is a new attempt on another machine.
    await ctx.measure(benchmark, rounds, benchmark.warmups);
  }
}
