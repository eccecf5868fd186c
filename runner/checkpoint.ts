import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type Checkpoint, parseCheckpoint, serializeCheckpoint } from '../core/checkpoint.js';
import type { JobSpec } from '../core/job-spec.js';
import { writeFileAtomic } from './atomic-write.js';
import { InvalidInputError } from './errors.js';

// The checkpoint file (see core/checkpoint.ts), written after every measured round.

/** Identifies the spec a checkpoint belongs to, so one job's progress is never mixed into another. */
export function specDigest(spec: JobSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex');
}

/**
 * The checkpoint at `file`, or null when there is none yet. One from an older runner (which
 * checkpointed whole benchmarks) is set aside with a warning: the job starts over.
 */
export async function readCheckpoint(
  file: string,
  spec: JobSpec,
  log: (line: string) => void,
): Promise<Checkpoint | null> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return null;
  const parsed = parseCheckpoint(text);
  if (!parsed.ok && parsed.outdated) {
    log(`warning: ${file}: ${parsed.error}; starting the job over`);
    return null;
  }
  if (!parsed.ok) {
    throw new InvalidInputError(
      `${file} is not a checkpoint this runner can read (${parsed.error}); delete it to start over`,
    );
  }
  if (parsed.checkpoint.specDigest !== specDigest(spec)) {
    throw new InvalidInputError(
      `${file} belongs to a different job spec; use a fresh --out directory or delete the checkpoint`,
    );
  }
  return parsed.checkpoint;
}

export async function writeCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  await writeFileAtomic(file, serializeCheckpoint(checkpoint));
}
