// The names benchbot and Temporal agree on. They are recorded in workflow histories and visibility:
// renaming one breaks replay of running workflows and the queries that find them.
import { ACTIVE_REQUEST_STATES, type RequestState } from '../search-attributes.js';

// Workflow types: each is the name of the function workflows/index.ts exports.
export const REQUEST_WORKFLOW_TYPE = 'benchmarkRequest';
export const POLLER_WORKFLOW_TYPE = 'commentPoller';
export const TRUNK_WORKFLOW_TYPE = 'trunkRun';
export const WATCHDOG_WORKFLOW_TYPE = 'trunkWatchdog';

/** Signal names; the argument types are in the definitions in workflows/. */
export const SIGNAL = {
  /** benchmarkRequest: who cancelled it, sent just before the cancellation. */
  cancelledBy: 'cancelledBy',
  /** benchmarkRequest and trunkRun: the job moved from building to running ({@link JobPhase}). */
  jobPhase: 'jobPhase',
  /** benchmarkRequest: the pull request's head moved to this SHA. */
  pullRequestHead: 'pullRequestHead',
  /** commentPoller: the new poll interval in seconds. */
  setPollInterval: 'setPollInterval',
} as const;

export const QUERY = {
  /** benchmarkRequest: its state and queue position. */
  status: 'status',
  pollerStatus: 'pollerStatus',
  trunkStatus: 'trunkStatus',
} as const;

/** What a running job is doing, as the jobPhase signal carries it. */
export type JobPhase = 'building' | 'running';

// ApplicationFailure types: activities throw them, workflows retry or not by them.
/** The request names something benchbot will not run (a bad job spec, an unknown platform). */
export const INVALID_REQUEST = 'InvalidRequest';
/** A ref that is not a branch, tag or commit of the repository. */
export const UNKNOWN_REF = 'UnknownRef';
/** A repository (or schedule) the worker's config does not have. */
export const UNKNOWN_REPOSITORY = 'UnknownRepository';
/** Results that are missing from the store or do not parse. */
export const INVALID_RESULTS = 'InvalidResults';
/** The code under test failed to build or run; details: [the failure]. */
export const CODE_UNDER_TEST_FAILURE = 'CodeUnderTestFailure';
/** The job's pull request's head moved before it started; details: [{ sha }]. */
export const SUPERSEDED = 'Superseded';
/** The machine under the runner went away (a spot node reclaimed, a pod evicted): retried. */
export const RUNNER_LOST = 'RunnerLost';
/** The worker stopped while the job ran: retried, resuming from the checkpoint. */
export const WORKER_SHUTDOWN = 'WorkerShutdown';
/** The job outlived executor.local.limits.wallMinutes: stopped, and not retried. */
export const JOB_TIMED_OUT = 'JobTimedOut';
/** Pull-request runs refused: the local sandbox was asked for but cannot run on this machine. */
export const SANDBOX_UNAVAILABLE = 'SandboxUnavailable';
/** The Kubernetes Job's pod never started (unschedulable, image not pulled). */
export const KUBERNETES_JOB_NOT_STARTED = 'KubernetesJobNotStarted';
/** The Kubernetes Job failed without a runner outcome. */
export const KUBERNETES_JOB_FAILED = 'KubernetesJobFailed';

/** A string literal of a visibility query. */
export const visibilityLiteral = (value: string) => `'${value.replaceAll("'", "\\'")}'`;

const inStates = (states: readonly RequestState[]) => `(${states.map(visibilityLiteral).join(', ')})`;

/** Open requests in one of `states`, as a visibility query. */
export function openRequestsQuery(states: readonly RequestState[]): string {
  return `WorkflowType = '${REQUEST_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND BenchbotState IN ${inStates(states)}`;
}

/** Requests that ended with a report (their memo holds how long the job held its slot). */
export const DONE_REQUESTS_QUERY = `WorkflowType = '${REQUEST_WORKFLOW_TYPE}' AND ExecutionStatus = 'Completed' AND BenchbotState = 'done'`;

/** Comment pollers that run, whether or not their repository is still watched. */
export const RUNNING_POLLERS_QUERY = `WorkflowType = '${POLLER_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;

/** The line a new job would join: active requests and trunk runs, but the workflow `selfId`. */
export function runnerLineQuery(selfId: string): string {
  return (
    `ExecutionStatus = 'Running' AND WorkflowId != ${visibilityLiteral(selfId)} AND (` +
    `(WorkflowType = '${REQUEST_WORKFLOW_TYPE}' AND BenchbotState IN ${inStates(ACTIVE_REQUEST_STATES)}) OR WorkflowType = '${TRUNK_WORKFLOW_TYPE}')`
  );
}
