import type { SideName } from './results/schema.js';

// What the runner and the executors that start it agree on: exit codes, the failure it reports
// for the code under test, and the progress lines it prints on stdout.

/** The runner's exit codes; executors map them to retryable and non-retryable failures. */
export const RUNNER_EXIT = {
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

/** `profile`: the untimed run that takes a benchmark's CPU profile, after its measured rounds. */
export type ProgressPhase = 'clone' | 'build' | 'warmup' | 'run' | 'profile' | 'done';

export type ProgressEvent =
  | {
      type: 'progress';
      phase: ProgressPhase;
      side?: SideName;
      benchmark?: string;
      round?: number;
      rounds?: number;
      /** Steps (builds and benchmark runs) finished so far, of total. */
      done: number;
      total: number;
    }
  | {
      /** Written after every measured round (status 'running', with the round) and every benchmark. */
      type: 'checkpoint';
      benchmark: string;
      status: 'running' | 'ok' | 'failed';
      /** The measured round just checkpointed, of `rounds`. */
      round?: number;
      rounds?: number;
      attempt: number;
      /** Benchmarks finished, of the job's. */
      completed: number;
      of: number;
    };

/** One stdout line of the runner, or null for anything that is not a progress event. */
export function parseProgressLine(line: string): ProgressEvent | null {
  try {
    const value = JSON.parse(line) as { type?: unknown };
    return value !== null && (value.type === 'progress' || value.type === 'checkpoint')
      ? (value as ProgressEvent)
      : null;
  } catch {
    return null;
  }
}

/** How far a checkpoint got, for messages: `2 of 5 benchmarks done, tpch at round 3 of 10`. */
export function describeCheckpoint(event: Extract<ProgressEvent, { type: 'checkpoint' }>): string {
  const done = `${event.completed} of ${event.of} benchmarks done`;
  return event.round === undefined || event.rounds === undefined
    ? done
    : `${done}, ${event.benchmark} at round ${event.round + 1} of ${event.rounds}`;
}

/** What the PR is told about a failure of the code under test. */
export function describeCodeUnderTestFailure(failure: CodeUnderTestFailure): {
  step: string;
  side: SideName;
  message: string;
  logTail?: string;
} {
  if (failure.kind === 'missing-commit') {
    return {
      step: 'checkout',
      side: failure.side,
      message: `commit ${failure.sha.slice(0, 12)} (${failure.ref}) is not in ${failure.url}: was the branch force-pushed?`,
    };
  }
  const how = failure.timedOut
    ? 'timed out'
    : failure.signal
      ? `was killed by ${failure.signal}`
      : `exited with code ${failure.exitCode}`;
  return {
    step: 'build',
    side: failure.side,
    message: `the build of ${failure.ref} (${failure.sha.slice(0, 12)}) ${how}`,
    logTail: failure.logTail,
  };
}
