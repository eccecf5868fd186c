import { type CodeUnderTestFailure, RUNNER_EXIT } from '../../core/runner-protocol.js';
import type { JobProfiles } from '../profiles/job-profiles.js';
import type { ExecutorOutcome } from './executor.js';

/**
 * Where an executor finds what the runner left behind. Each executor reads it from its own place
 * (the local one from the out folder, the Kubernetes one from the pod's log), so only the mapping
 * from exit code to outcome is shared.
 */
export interface RunnerLeftovers {
  results(): Promise<{ text: string; profiles: JobProfiles | null }>;
  /** The runner's failure.json; null when it never came through. */
  failure(): Promise<CodeUnderTestFailure | null>;
  /** What to tell the requester about input the runner refused. */
  invalidInputMessage(): string;
  /** The error for an exit that says nothing about the job (a crash, a kill, a lost failure.json). */
  infrastructure(): Error;
}

/** The outcome of a runner that exited with `code` (null: killed by a signal), per RUNNER_EXIT. */
export async function outcomeOfRunnerExit(
  code: number | null,
  leftovers: RunnerLeftovers,
): Promise<ExecutorOutcome> {
  if (code === RUNNER_EXIT.ok) return { kind: 'results', ...(await leftovers.results()) };
  if (code === RUNNER_EXIT.codeUnderTest) {
    const failure = await leftovers.failure();
    if (failure !== null) return { kind: 'code-under-test', failure };
  }
  if (code === RUNNER_EXIT.invalidInput)
    return { kind: 'invalid-input', message: leftovers.invalidInputMessage() };
  throw leftovers.infrastructure();
}
