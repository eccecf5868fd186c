import type { SideName } from '../core/results/schema.js';

/** The runner's exit codes; the executor maps them to retryable and non-retryable failures. */
export const EXIT = {
  /** Results written (some benchmarks may have failed; the results say which). */
  ok: 0,
  /** Infrastructure: clone, disk, a signal, a runner bug. Retry, resuming from the checkpoint. */
  infrastructure: 1,
  /** The spec, the options or the checkpoint are unusable. Retrying changes nothing. */
  invalidInput: 2,
  /** The code under test: a build failed or a commit is missing. failure.json says which. */
  codeUnderTest: 3,
} as const;

export type CodeUnderTestFailure =
  | {
      kind: 'build';
      side: SideName;
      ref: string;
      sha: string;
      exitCode: number | null;
      signal: string | null;
      timedOut: boolean;
      logTail: string;
    }
  | { kind: 'missing-commit'; side: SideName; ref: string; sha: string; url: string };

/** A failure of the code or refs being benchmarked: reported to the PR, never retried. */
export class CodeUnderTestError extends Error {
  constructor(
    readonly failure: CodeUnderTestFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Input the runner cannot use (bad spec, foreign checkpoint, bad options). */
export class InvalidInputError extends Error {}
