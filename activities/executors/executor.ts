import type { JobSpec } from '../../core/job-spec.js';
import type { CodeUnderTestFailure, ProgressEvent } from '../../core/runner-protocol.js';

export interface ExecutorJob {
  spec: JobSpec;
  /** Stable across retries of one request: a retry finds the previous attempt's checkpoint. */
  key: string;
}

export interface ExecutorHooks {
  onProgress(event: ProgressEvent): void;
  /** Keeps the activity alive (and lets it hear of cancellation) while the job is quiet. */
  heartbeat(): void;
  /** Aborted when the request is cancelled: the job must be stopped, not left running. */
  signal: AbortSignal;
}

export type ExecutorOutcome =
  | { kind: 'results'; text: string }
  | { kind: 'code-under-test'; failure: CodeUnderTestFailure }
  | { kind: 'invalid-input'; message: string }
  | { kind: 'cancelled' };

/**
 * Runs the runner somewhere (a local process, a Kubernetes Job). Infrastructure loss (the process or
 * node died, a disk filled) is thrown as an error so the activity is retried; what the runner
 * reports about the code under test comes back as a value.
 */
export interface Executor {
  run(job: ExecutorJob, hooks: ExecutorHooks): Promise<ExecutorOutcome>;
}
