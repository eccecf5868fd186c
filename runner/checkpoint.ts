import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { JobSpec } from '../core/job-spec.js';
import type { Benchmark, MachineFacts } from '../core/results/schema.js';
import { writeFileAtomic } from './atomic-write.js';
import { InvalidInputError } from './errors.js';

// The runner's memory across preemptions: written after every benchmark, so a restarted runner
// skips what is done and reruns only the benchmark that was cut off (from its first round, in a
// new attempt, so no round is counted twice).

export const CHECKPOINT_VERSION = 1;

const iso = z.iso.datetime({ offset: true });

const attemptSchema = z.strictObject({
  attempt: z.int().positive(),
  startedAt: iso,
  // Validated with the whole results file at the end; here it is carried along.
  machine: z.custom<MachineFacts>((v) => typeof v === 'object' && v !== null),
  warnings: z.array(z.string()),
});

const completedSchema = z.strictObject({
  name: z.string().min(1),
  attempt: z.int().positive(),
  status: z.enum(['ok', 'failed']),
  benchmarks: z.array(z.custom<Benchmark>((v) => typeof v === 'object' && v !== null)),
  warnings: z.array(z.string()),
});

const checkpointSchema = z.strictObject({
  checkpointVersion: z.literal(CHECKPOINT_VERSION),
  specDigest: z.string().min(1),
  attempts: z.array(attemptSchema).min(1),
  completed: z.array(completedSchema),
});

export type Checkpoint = z.infer<typeof checkpointSchema>;
export type CompletedBenchmark = z.infer<typeof completedSchema>;
export type AttemptRecord = z.infer<typeof attemptSchema>;

/** Identifies the spec a checkpoint belongs to, so one job's progress is never mixed into another. */
export function specDigest(spec: JobSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex');
}

/** The checkpoint at `file`, or null when there is none yet. */
export async function readCheckpoint(file: string, spec: JobSpec): Promise<Checkpoint | null> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidInputError(`${file} is not valid JSON; delete it to start the job from the beginning`);
  }
  const parsed = checkpointSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidInputError(
      `${file} is not a checkpoint this runner can read (${parsed.error.issues[0]?.message ?? 'invalid'}); delete it to start over`,
    );
  }
  if (parsed.data.specDigest !== specDigest(spec)) {
    throw new InvalidInputError(
      `${file} belongs to a different job spec; use a fresh --out directory or delete the checkpoint`,
    );
  }
  return parsed.data;
}

export async function writeCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(checkpoint, null, 2)}\n`);
}
