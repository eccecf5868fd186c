import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { LABEL_PLATFORM, RUNNER_CONTAINER } from './job-manifest.js';

/** What the executor saw of its Job in one look. */
export interface Observation {
  job: V1Job | null;
  /** The Job's pods (with backoffLimit 0, at most one that matters). */
  pods: V1Pod[];
  /** Whether the node the pod was bound to still exists (true when unbound or unknown). */
  nodeExists: boolean;
}

export type Verdict =
  /** Not running yet; `problem` says why when it is something that will not fix itself soon. */
  | { kind: 'pending'; pod: V1Pod | null; problem: string | null }
  | { kind: 'running'; pod: V1Pod }
  | { kind: 'exited'; pod: V1Pod; exitCode: number; reason: string | null }
  /** The node or pod went away under the runner: retry, resuming from the checkpoint. */
  | { kind: 'lost'; pod: V1Pod | null; reason: string }
  /** Retrying would end the same way. */
  | { kind: 'fatal'; reason: string };

const IMAGE_PROBLEMS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

// Pod reasons that mean the node, not the code, ended the pod.
const NODE_REASONS = new Set([
  'Evicted',
  'NodeLost',
  'Shutdown',
  'NodeShutdown',
  'Terminated',
  'UnexpectedAdmissionError',
]);

function condition(pod: V1Pod, type: string) {
  return pod.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

function jobCondition(job: V1Job, type: string) {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** The newest pod: a Job with backoffLimit 0 gets one, but a pod replaced after deletion is newer. */
function currentPod(pods: V1Pod[]): V1Pod | null {
  const time = (p: V1Pod) => new Date(p.metadata?.creationTimestamp ?? 0).getTime();
  return [...pods].sort((a, b) => time(b) - time(a))[0] ?? null;
}

function describe(reason: string | undefined, message: string | undefined): string {
  return [reason, message].filter((s) => s !== undefined && s !== '').join(': ');
}

/**
 * Past the Job's activeDeadlineSeconds, as the Job controller counts it (from status.startTime).
 * The controller deletes the pod first and marks the Job FailureTarget/Failed after, so between
 * the two a pod being deleted or killed is the deadline, not a disruption to retry.
 */
function overdue(job: V1Job, pod: V1Pod | null, now: number): boolean {
  const deadline = job.spec?.activeDeadlineSeconds;
  const started = job.status?.startTime;
  if (deadline === undefined || started === undefined) return false;
  if (jobCondition(job, 'Complete') !== undefined) return false;
  const terminated = pod?.status?.containerStatuses?.find((c) => c.name === RUNNER_CONTAINER)?.state
    ?.terminated;
  return terminated?.exitCode !== 0 && new Date(started).getTime() + deadline * 1000 <= now;
}

export function classify(
  obs: Observation,
  config: { activeDeadlineSeconds: number },
  now = Date.now(),
): Verdict {
  const { job } = obs;
  const pod = currentPod(obs.pods);
  if (job === null) return { kind: 'lost', pod, reason: 'the Job was deleted while it ran' };
  const disruption = pod === null ? undefined : condition(pod, 'DisruptionTarget');
  if (pod !== null && disruption !== undefined) {
    return {
      kind: 'lost',
      pod,
      reason: `the pod was disrupted (${describe(disruption.reason, disruption.message)})`,
    };
  }
  const failed = jobCondition(job, 'Failed');
  // The Job controller marks a Job FailureTarget when it decides, and Failed only once its pods
  // have terminated; in between the pod is being deleted, which is no reason to retry.
  const failing = jobCondition(job, 'FailureTarget') ?? failed;
  if (failing?.reason === 'DeadlineExceeded' || overdue(job, pod, now)) {
    return {
      kind: 'fatal',
      reason: `the job ran longer than executor.kubernetes.activeDeadlineSeconds (${config.activeDeadlineSeconds} s); raise it or run fewer benchmarks per request`,
    };
  }
  if (pod === null) {
    if (failed !== undefined)
      return {
        kind: 'lost',
        pod,
        reason: `the Job failed without a pod (${describe(failed.reason, failed.message)})`,
      };
    return { kind: 'pending', pod, problem: null };
  }
  // A vanished node takes the pod's log with it: whatever the pod last reported, it is lost.
  const nodeName = pod.spec?.nodeName;
  if (nodeName !== undefined && !obs.nodeExists) {
    return { kind: 'lost', pod, reason: `node ${nodeName} is gone` };
  }
  const status = pod.status?.containerStatuses?.find((c) => c.name === RUNNER_CONTAINER);
  const terminated = status?.state?.terminated;
  if (terminated !== undefined) {
    return { kind: 'exited', pod, exitCode: terminated.exitCode, reason: terminated.reason ?? null };
  }
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Unknown' || phase === 'Succeeded') {
    const why = NODE_REASONS.has(pod.status?.reason ?? '') || phase !== 'Failed' ? 'node' : 'pod';
    return {
      kind: 'lost',
      pod,
      reason: `the ${why} ended the runner (${describe(pod.status?.reason ?? phase, pod.status?.message)})`,
    };
  }
  if (pod.metadata?.deletionTimestamp !== undefined) {
    return { kind: 'lost', pod, reason: 'the pod is being deleted (a node drain or a manual delete?)' };
  }
  if (phase === 'Running' && status?.state?.running !== undefined) return { kind: 'running', pod };
  const unschedulable = pod.status?.conditions?.find(
    (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
  );
  if (unschedulable !== undefined) {
    const platform = pod.metadata?.labels?.[LABEL_PLATFORM] ?? '(unnamed)';
    const selector = Object.entries(pod.spec?.nodeSelector ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    return {
      kind: 'pending',
      pod,
      problem: `no node can take the runner pod of platform ${platform} (nodeSelector ${selector || 'none'}; ${unschedulable.message ?? 'Unschedulable'}); check the platform's nodeSelector and tolerations and executor.kubernetes cpu, memory, computeClass and spot against the cluster's node pools`,
    };
  }
  const waiting = status?.state?.waiting;
  if (waiting?.reason !== undefined && IMAGE_PROBLEMS.has(waiting.reason)) {
    return {
      kind: 'pending',
      pod,
      problem: `the runner container cannot start (${describe(waiting.reason, waiting.message)}); check executor.kubernetes.runnerImage and that the nodes may pull it`,
    };
  }
  return { kind: 'pending', pod, problem: null };
}
