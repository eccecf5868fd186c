import type { KubeConfig } from '@kubernetes/client-node';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { type Checkpoint, mergeCheckpoint, serializeCheckpoint, toLedger } from '../../core/checkpoint.js';
import { assembleResults } from '../../core/job-results.js';
import { KUBERNETES_JOB_FAILED, KUBERNETES_JOB_NOT_STARTED } from '../../core/request/contract.js';
import { serializeResults } from '../../core/results/schema.js';
import {
  type CodeUnderTestFailure,
  describeCheckpoint,
  type ProgressEvent,
} from '../../core/runner-protocol.js';
import { profilesFromFrames } from '../profiles/job-profiles.js';
import {
  type Executor,
  type ExecutorHooks,
  type ExecutorJob,
  type ExecutorOutcome,
  runnerLost,
  workerShutdown,
} from './executor.js';
import { type KubernetesExecutorConfig, sha256 } from './kubernetes/job-manifest.js';
import { watchJob } from './kubernetes/job-watch.js';
import { runnerJobs } from './kubernetes/jobs.js';
import { apiPodLogs, type PodLogs } from './kubernetes/pod-log.js';
import { classify, type Observation } from './kubernetes/pod-state.js';
import { createRunnerLog, parsedOrNull } from './kubernetes/runner-log.js';
import type { Slots } from './kubernetes/slots.js';
import { outcomeOfRunnerExit } from './runner-exit.js';

// One batch/v1 Job per attempt of the runJob activity. The pod has no credential; the spec (and
// the ledger of what earlier pods finished) reach it in a ConfigMap, and everything comes back
// through its log (see runner/pod-entrypoint.ts): progress lines, after every round a ledger with
// that round's samples, and failure.json on a failure of the code under test, gzipped and framed.
// The executor merges each round into the whole checkpoint, which it keeps in the results store
// (the heartbeat carries only its digest and size), and assembles the results from it at the end:
// the retry after a preemption, on whatever worker picks it up, starts its pod from there.

/** What the activity's attempt knows and can record (Temporal's activity context by default). */
export interface AttemptContext {
  attempt: number;
  /** The previous attempt's last heartbeat details. */
  previous: unknown;
  heartbeat(details: KubernetesHeartbeat): void;
}

/** The heartbeat details this executor records. */
export interface KubernetesHeartbeat {
  job: string;
  phase: string;
  progress?: ProgressEvent;
  /** The latest checkpoint kept in the results store: the sha256 and size of its JSON. */
  checkpoint?: { sha256: string; bytes: number };
}

export interface KubernetesExecutorOptions {
  config: KubernetesExecutorConfig;
  kubeConfig: KubeConfig;
  /** Where pod logs come from; the API server's pods/log by default. */
  logs?: PodLogs;
  pollIntervalMs?: number;
  heartbeatIntervalMs?: number;
  attemptContext?: () => AttemptContext;
  /** The platform's slots, held cluster-wide; none: as many Jobs as the worker takes activities. */
  slots?: Slots;
}

const API_OUTAGE_LIMIT_MS = 120_000;
const FINAL_LOG_TIMEOUT_MS = 30_000;
const LOST_LOG_TIMEOUT_MS = 5_000;

function temporalAttemptContext(): AttemptContext {
  const ctx = Context.current();
  return {
    attempt: ctx.info.attempt,
    previous: ctx.info.heartbeatDetails,
    heartbeat: (details) => ctx.heartbeat(details),
  };
}

function previousHeartbeat(value: unknown): Partial<KubernetesHeartbeat> {
  if (typeof value !== 'object' || value === null) return {};
  const beat = value as Partial<KubernetesHeartbeat>;
  // Workers before the claim check heartbeated the checkpoint itself; only a reference stays.
  return typeof beat.checkpoint?.bytes === 'number' ? beat : { ...beat, checkpoint: undefined };
}

export function createKubernetesExecutor(options: KubernetesExecutorOptions): Executor {
  const { config, kubeConfig } = options;
  const jobs = runnerJobs(kubeConfig, config);
  const logs = options.logs ?? apiPodLogs(kubeConfig);
  const pollMs = options.pollIntervalMs ?? 5_000;
  const heartbeatMs = options.heartbeatIntervalMs ?? 10_000;
  const namespace = config.namespace;

  return {
    async run(job: ExecutorJob, hooks: ExecutorHooks): Promise<ExecutorOutcome> {
      const ctx = (options.attemptContext ?? temporalAttemptContext)();
      const previous = previousHeartbeat(ctx.previous);
      const specJson = JSON.stringify(job.spec);
      const beat: KubernetesHeartbeat = {
        job: '',
        phase: 'starting',
        ...(previous.progress === undefined ? {} : { progress: previous.progress }),
        ...(previous.checkpoint === undefined ? {} : { checkpoint: previous.checkpoint }),
      };
      const heartbeat = () => ctx.heartbeat({ ...beat });
      if (hooks.signal.aborted) return { kind: 'cancelled' };

      // The whole checkpoint, from the store; the pod gets its ledger and adds rounds to it.
      let checkpoint = parsedOrNull(await job.checkpoints.load());
      const ledger = checkpoint === null ? null : serializeCheckpoint(toLedger(checkpoint));
      let saved: Promise<void> = Promise.resolve();
      // Waiting for a slot of the platform: the request stays queued, the activity alive.
      const takeSlot = async (jobName: string) => {
        const { slots } = options;
        if (slots !== undefined) {
          const waiting = () => {
            beat.phase = 'waiting-for-slot';
            heartbeat();
          };
          const stop = AbortSignal.any([hooks.signal, hooks.shutdown]);
          if (!(await slots.acquire(jobName, stop, waiting)))
            throw hooks.signal.aborted
              ? cancelledWhileWaiting
              : workerShutdown('the worker shut down while its job waited for a runner slot');
        }
        // The Job is created next; a job refused now gives its slot to the next one at once.
        try {
          await hooks.beforeStart?.();
        } catch (error) {
          await slots?.release(jobName);
          throw error;
        }
      };
      let name: string;
      try {
        name = await jobs.attachOrCreate(job, ctx.attempt, specJson, ledger, takeSlot);
      } catch (error) {
        if (error === cancelledWhileWaiting) return { kind: 'cancelled' };
        throw error;
      }
      beat.job = name;
      heartbeat();
      // A Job left running for the retry keeps its slot; any other end frees it.
      let keepSlot = false;

      const log = createRunnerLog({
        logs,
        namespace,
        cancel: hooks.signal,
        onCheckpoint: (incoming) => {
          checkpoint = mergeCheckpoint(checkpoint, incoming);
          const whole = serializeCheckpoint(checkpoint);
          saved = job.checkpoints.save(whole);
          beat.checkpoint = { sha256: sha256(whole), bytes: Buffer.byteLength(whole) };
          heartbeat();
        },
        onProgress: (event) => {
          beat.progress = event;
          // The job activity records its own heartbeat for the event; this one, right after it,
          // is the one that stays, and it keeps the checkpoint.
          hooks.onProgress(event);
          heartbeat();
        },
      });
      const watch = watchJob(kubeConfig, namespace, name, [hooks.signal, hooks.shutdown]);
      const ticker = setInterval(heartbeat, heartbeatMs);
      let problemSince: number | null = null;
      let apiDownSince: number | null = null;
      try {
        for (;;) {
          if (hooks.signal.aborted) {
            await log.stopFollowing();
            await jobs.deleteJob(name);
            return { kind: 'cancelled' };
          }
          if (hooks.shutdown.aborted) {
            // The Job is not this worker's to stop: it keeps running, and the retry adopts it.
            keepSlot = true;
            await log.stopFollowing();
            await saved;
            heartbeat();
            throw workerShutdown(
              `the worker shut down while Job ${namespace}/${name} ran; the Job keeps running and the retry follows it${progressNote(beat)}`,
            );
          }
          let obs: Observation | null = null;
          try {
            obs = await jobs.observe(name);
            apiDownSince = null;
          } catch (error) {
            apiDownSince ??= Date.now();
            if (Date.now() - apiDownSince > API_OUTAGE_LIMIT_MS) {
              throw new Error(
                `the Kubernetes API did not answer for ${API_OUTAGE_LIMIT_MS / 1000} s: ${String(error)}`,
              );
            }
          }
          if (obs !== null) {
            const verdict = classify(obs, config);
            beat.phase = verdict.kind;
            switch (verdict.kind) {
              case 'pending':
                if (verdict.problem === null) problemSince = null;
                else {
                  problemSince ??= Date.now();
                  if (Date.now() - problemSince >= config.pendingGraceSeconds * 1000) {
                    await jobs.deleteJob(name);
                    throw ApplicationFailure.create({
                      message: `Job ${namespace}/${name} did not start within ${config.pendingGraceSeconds} s: ${verdict.problem}`,
                      type: KUBERNETES_JOB_NOT_STARTED,
                      nonRetryable: true,
                    });
                  }
                }
                break;
              case 'running':
                log.startFollowing(verdict.pod.metadata?.name ?? '');
                break;
              case 'exited':
                await log.readRest(verdict.pod, FINAL_LOG_TIMEOUT_MS);
                await saved;
                return await outcomeOfRunnerExit(verdict.exitCode, {
                  results: async () => ({
                    text: resultsOf(job.spec, checkpoint),
                    profiles: checkpoint === null ? null : profilesFromFrames(log.files, checkpoint),
                  }),
                  failure: async () => {
                    const data = log.files.get('failure.json');
                    return data === undefined
                      ? null
                      : (JSON.parse(data.toString('utf8')) as CodeUnderTestFailure);
                  },
                  invalidInputMessage: log.tail,
                  infrastructure: () => containerExited(verdict.exitCode, verdict.reason, log.tail()),
                });
              case 'lost': {
                // What the runner printed before it went: the newest checkpoint, if the log is
                // still there to read.
                await log.readRest(verdict.pod, LOST_LOG_TIMEOUT_MS);
                await jobs.deleteJob(name);
                await saved;
                heartbeat();
                throw runnerLost(
                  `${verdict.reason} (Job ${namespace}/${name}); the retry resumes from the runner's checkpoint${progressNote(beat)}`,
                );
              }
              case 'fatal':
                await log.stopFollowing();
                await jobs.deleteJob(name);
                throw ApplicationFailure.create({
                  message: `Job ${namespace}/${name}: ${verdict.reason}`,
                  type: KUBERNETES_JOB_FAILED,
                  nonRetryable: true,
                });
            }
          }
          heartbeat();
          await watch.wait(pollMs);
        }
      } finally {
        clearInterval(ticker);
        watch.stop();
        await log.stopFollowing();
        if (!keepSlot) await options.slots?.release(name);
      }
    },
  };
}

const cancelledWhileWaiting = new Error('cancelled while waiting for a runner slot');

function progressNote(beat: KubernetesHeartbeat): string {
  return beat.progress?.type === 'checkpoint' ? ` (${describeCheckpoint(beat.progress)})` : '';
}

/** The results file from the merged checkpoint: every round's samples came through the log. */
function resultsOf(spec: ExecutorJob['spec'], checkpoint: Checkpoint | null): string {
  const assembled =
    checkpoint === null
      ? { ok: false as const, error: 'no checkpoint came through' }
      : assembleResults(spec, checkpoint, new Date().toISOString());
  if (assembled.ok) return serializeResults(assembled.results);
  throw new Error(
    `the runner finished but not every round came through the pod's log (${assembled.error}); the retry measures the missing rounds again`,
  );
}

/** A runner container that ended without an outcome: lost infrastructure, retried from the checkpoint. */
function containerExited(exitCode: number, reason: string | null, tail: string): Error {
  const hint = reason === 'OOMKilled' ? '; raise executor.kubernetes.memory' : '';
  return new Error(
    `the runner container exited with code ${exitCode}${reason === null ? '' : ` (${reason})`}${hint}; the retry resumes from its checkpoint.\n${tail}`,
  );
}
