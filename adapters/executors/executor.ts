import { ApplicationFailure } from '@temporalio/common';
import type { JobSpec } from '../../core/job-spec.js';
import { RUNNER_LOST, WORKER_SHUTDOWN } from '../../core/request/contract.js';
import type { CodeUnderTestFailure, ProgressEvent } from '../../core/runner-protocol.js';
import type { JobProfiles } from '../profiles/job-profiles.js';

export interface ExecutorJob {
  spec: JobSpec;
  /** Stable across retries of one request: a retry finds the previous attempt's checkpoint. */
  key: string;
  /** Where the job's checkpoint is kept between attempts, for whichever worker runs the next. */
  checkpoints: CheckpointStore;
}

/**
 * The job's checkpoint (core/checkpoint.ts) in the results store, shared by every worker: a retry
 * on another machine resumes from it. Saving is best effort: a store that is down costs the
 * resumability of the rounds since the last save, never the job.
 */
export interface CheckpointStore {
  load(): Promise<string | null>;
  save(text: string): Promise<void>;
}

export interface ExecutorHooks {
  onProgress(event: ProgressEvent): void;
  /** Keeps the activity alive (and lets it hear of cancellation) while the job is quiet. */
  heartbeat(): void;
  /** Aborted when the request is cancelled: the job must be stopped, not left running. */
  signal: AbortSignal;
  /**
   * Aborted when this worker is shutting down: give the slot up at once, with the job left
   * resumable and its last checkpoint heartbeated, so that the retry (on whichever worker takes
   * it) carries on from there. The executor then throws {@link workerShutdown}'s failure.
   */
  shutdown: AbortSignal;
  /**
   * Called once the job has its runner slot, just before a runner is started for it (not when a
   * retry adopts a runner an earlier attempt left running): the last moment to refuse the job, by
   * throwing, which the executor passes on after giving the slot back.
   */
  beforeStart?: () => Promise<void>;
}

/** The machine under the runner went away (a spot node reclaimed, a pod evicted): retried. */
export function runnerLost(message: string): ApplicationFailure {
  return ApplicationFailure.retryable(message, RUNNER_LOST);
}

/** This worker stopped while the job ran: retried, resuming from the checkpoint. */
export function workerShutdown(message: string): ApplicationFailure {
  return ApplicationFailure.retryable(message, WORKER_SHUTDOWN);
}

export type ExecutorOutcome =
  /** `profiles`: what the runner captured (absent from executors that cannot carry them). */
  | { kind: 'results'; text: string; profiles?: JobProfiles | null }
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
