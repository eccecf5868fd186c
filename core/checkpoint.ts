import { z } from 'zod';
import type { ImportedBenchmark } from './results/importers/types.js';
import type { MachineFacts, SideName } from './results/schema.js';

// A job's memory across preemptions, written by the runner after every measured round: a resumed
// job redoes at most the round that was cut off (its warm-ups run again on the new machine). Rounds
// keep their numbers and attempts, so the statistics still pair both sides of each round.
//
// The samples live in the rounds. A ledger is a checkpoint with them stripped (`imports` absent):
// small enough for a Kubernetes ConfigMap, it tells a runner what is done; the worker keeps the
// whole checkpoint in the results store and merges what a pod adds (see mergeCheckpoint).

export const CHECKPOINT_VERSION = 2;

const iso = z.iso.datetime({ offset: true });

const attemptSchema = z.strictObject({
  attempt: z.int().positive(),
  startedAt: iso,
  // Validated with the whole results file at the end; here it is carried along.
  machine: z.custom<MachineFacts>((v) => typeof v === 'object' && v !== null),
  warnings: z.array(z.string()),
  runnerVersion: z.string().min(1),
});

const sideImportSchema = z.strictObject({
  side: z.enum(['baseline', 'changed']),
  benchmarks: z.array(z.custom<ImportedBenchmark>((v) => typeof v === 'object' && v !== null)),
});

const roundSchema = z.strictObject({
  round: z.int().nonnegative(),
  attempt: z.int().positive(),
  /** Absent in a ledger. */
  imports: z.array(sideImportSchema).optional(),
  /** Time both sides' runs took: paces adaptive rounds (absent in checkpoints of older runners). */
  elapsedMs: z.number().nonnegative().optional(),
});

/**
 * The look after every benchmark's planned rounds (adaptive rounds, core/adaptive-rounds.ts), kept
 * so that a resumed job continues with the decisions it took instead of taking them again.
 */
const lookSchema = z.strictObject({
  benchmarks: z.array(
    z.strictObject({
      name: z.string().min(1),
      extraRounds: z.int().nonnegative(),
      /** benchmarkKey of each measurement still undecided. */
      undecided: z.array(z.string()),
      /** Why no extra rounds could be decided, if so. */
      note: z.string().optional(),
    }),
  ),
});

const benchmarkSchema = z.strictObject({
  name: z.string().min(1),
  /** 'running' for the benchmark a stopped runner was in the middle of. */
  status: z.enum(['running', 'ok', 'failed']),
  /** The attempt that finished it (or is running it). */
  attempt: z.int().positive(),
  rounds: z.array(roundSchema),
  failure: z.strictObject({ reason: z.string().min(1), logTail: z.string().optional() }).optional(),
  warnings: z.array(z.string()),
});

const checkpointSchema = z.strictObject({
  checkpointVersion: z.literal(CHECKPOINT_VERSION),
  specDigest: z.string().min(1),
  attempts: z.array(attemptSchema).min(1),
  benchmarks: z.array(benchmarkSchema),
  look: lookSchema.optional(),
});

export type Checkpoint = z.infer<typeof checkpointSchema>;
export type CheckpointBenchmark = z.infer<typeof benchmarkSchema>;
export type CheckpointRound = z.infer<typeof roundSchema>;
export type CheckpointLook = z.infer<typeof lookSchema>;
export type AttemptRecord = z.infer<typeof attemptSchema>;
export interface RoundImport {
  side: SideName;
  benchmarks: ImportedBenchmark[];
}

export type ParsedCheckpoint =
  | { ok: true; checkpoint: Checkpoint }
  /** `outdated`: written by an older runner, whose checkpoints held whole benchmarks; start over. */
  | { ok: false; outdated: boolean; error: string };

export function parseCheckpoint(text: string): ParsedCheckpoint {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, outdated: false, error: 'not valid JSON' };
  }
  const version = (value as { checkpointVersion?: unknown } | null)?.checkpointVersion;
  if (typeof version === 'number' && version < CHECKPOINT_VERSION) {
    return { ok: false, outdated: true, error: `checkpoint version ${version} is from an older runner` };
  }
  const parsed = checkpointSchema.safeParse(value);
  return parsed.success
    ? { ok: true, checkpoint: parsed.data }
    : { ok: false, outdated: false, error: parsed.error.issues[0]?.message ?? 'invalid' };
}

export function serializeCheckpoint(checkpoint: Checkpoint): string {
  return `${JSON.stringify(checkpoint)}\n`;
}

const withoutSamples = ({ imports: _samples, ...kept }: CheckpointRound): CheckpointRound => kept;

/** The checkpoint without samples: what is done, small whatever the suite. */
export function toLedger(checkpoint: Checkpoint): Checkpoint {
  return {
    ...checkpoint,
    benchmarks: checkpoint.benchmarks.map((b) => ({
      ...b,
      rounds: b.rounds.map(withoutSamples),
    })),
  };
}

/** The ledger plus the samples of one round: what a pod's log carries after that round. */
export function withOnlyRound(checkpoint: Checkpoint, benchmark: string, round: number): Checkpoint {
  return {
    ...checkpoint,
    benchmarks: checkpoint.benchmarks.map((b) => ({
      ...b,
      rounds: b.rounds.map((r) => (b.name === benchmark && r.round === round ? r : withoutSamples(r))),
    })),
  };
}

const roundKey = (benchmark: string, r: CheckpointRound) => `${benchmark}\u0000${r.round}\u0000${r.attempt}`;

/**
 * A pod's checkpoint (a ledger, with the samples of the rounds it just ran) over the stored one:
 * the pod's says what is done, samples come from whichever has them. A round whose samples neither
 * has (its log frame was lost) is dropped, so that the next attempt runs it again.
 */
export function mergeCheckpoint(stored: Checkpoint | null, incoming: Checkpoint): Checkpoint {
  const known = new Map<string, RoundImport[]>();
  for (const b of stored?.benchmarks ?? [])
    for (const r of b.rounds) if (r.imports !== undefined) known.set(roundKey(b.name, r), r.imports);
  return {
    ...incoming,
    benchmarks: incoming.benchmarks.map((b) => {
      const rounds = b.rounds.flatMap((r) => {
        const imports = r.imports ?? known.get(roundKey(b.name, r));
        return imports === undefined ? [] : [{ ...r, imports }];
      });
      // A finished benchmark missing a round is resumed to measure it again.
      const status = b.status === 'ok' && rounds.length < b.rounds.length ? 'running' : b.status;
      return { ...b, status, rounds };
    }),
  };
}

/** Every round still has its samples (a ledger has none). */
export function hasAllSamples(checkpoint: Checkpoint): boolean {
  return checkpoint.benchmarks.every((b) => b.rounds.every((r) => r.imports !== undefined));
}

/** How far a checkpoint got: finished benchmarks, then rounds; for picking the newer of two. */
export function progressOf(checkpoint: Checkpoint): [number, number] {
  const finished = checkpoint.benchmarks.filter((b) => b.status !== 'running');
  const rounds = checkpoint.benchmarks.reduce((sum, b) => sum + b.rounds.length, 0);
  return [finished.length, rounds];
}

/** The further of two checkpoints of one job (the second on a tie). */
export function furthest(a: Checkpoint | null, b: Checkpoint | null): Checkpoint | null {
  if (a === null || b === null) return a ?? b;
  const [pa, pb] = [progressOf(a), progressOf(b)];
  return pa[0] > pb[0] || (pa[0] === pb[0] && pa[1] > pb[1]) ? a : b;
}
