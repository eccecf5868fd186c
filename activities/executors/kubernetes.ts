import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  type Checkpoint,
  mergeCheckpoint,
  parseCheckpoint,
  serializeCheckpoint,
  toLedger,
} from '../../core/checkpoint.js';
import { assembleResults } from '../../core/job-results.js';
import { createFrameDecoder, type FramedFile, type FramedFileName } from '../../core/pod-log-frames.js';
import { KUBERNETES_JOB_FAILED, KUBERNETES_JOB_NOT_STARTED } from '../../core/request/contract.js';
import { serializeResults } from '../../core/results/schema.js';
import {
  type CodeUnderTestFailure,
  describeCheckpoint,
  type ProgressEvent,
  parseProgressLine,
  RUNNER_EXIT,
} from '../../core/runner-protocol.js';
import { type JobProfiles, profilesFromFrames } from '../profiles/job-profiles.js';
import {
  type Executor,
  type ExecutorHooks,
  type ExecutorJob,
  type ExecutorOutcome,
  runnerLost,
  workerShutdown,
} from './executor.js';
import { ignoring, keepWatching, sleep } from './kubernetes/api.js';
import {
  ANNOTATION_SPEC_DIGEST,
  ANNOTATION_WORKFLOW,
  buildJobManifests,
  jobName,
  type KubernetesExecutorConfig,
  LABEL_ATTEMPT,
  LABEL_JOB,
  LABEL_WORKFLOW,
  RUNNER_CONTAINER,
  workflowLabel,
} from './kubernetes/job-manifest.js';
import { apiPodLogs, createLineTracker, type PodLogs } from './kubernetes/pod-log.js';
import { classify, type Observation } from './kubernetes/pod-state.js';
import type { Slots } from './kubernetes/slots.js';

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
const HUMAN_TAIL_LINES = 40;

function temporalAttemptContext(): AttemptContext {
  const ctx = Context.current();
  return {
    attempt: ctx.info.attempt,
    previous: ctx.info.heartbeatDetails,
    heartbeat: (details) => ctx.heartbeat(details),
  };
}

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** The plain bytes of a framed file, or null when they do not match their digest. */
function unframe(file: { payload: string; sha256: string }): Buffer | null {
  try {
    const data = gunzipSync(Buffer.from(file.payload, 'base64'));
    return sha256(data) === file.sha256 ? data : null;
  } catch {
    return null;
  }
}

function previousHeartbeat(value: unknown): Partial<KubernetesHeartbeat> {
  if (typeof value !== 'object' || value === null) return {};
  const beat = value as Partial<KubernetesHeartbeat>;
  // Workers before the claim check heartbeated the checkpoint itself; only a reference stays.
  return typeof beat.checkpoint?.bytes === 'number' ? beat : { ...beat, checkpoint: undefined };
}

function parsedOrNull(text: string | null): Checkpoint | null {
  const parsed = text === null ? null : parseCheckpoint(text);
  return parsed?.ok ? parsed.checkpoint : null;
}

export function createKubernetesExecutor(options: KubernetesExecutorOptions): Executor {
  const { config, kubeConfig } = options;
  const batch = kubeConfig.makeApiClient(BatchV1Api);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const logs = options.logs ?? apiPodLogs(kubeConfig);
  const pollMs = options.pollIntervalMs ?? 5_000;
  const heartbeatMs = options.heartbeatIntervalMs ?? 10_000;
  const namespace = config.namespace;

  const deleteJob = async (name: string) => {
    await ignoring([404], batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' }));
    // Owned by the Job, so the garbage collector removes it too; deleting it here saves the wait.
    await ignoring([404], core.deleteNamespacedConfigMap({ name, namespace }));
  };

  const podsOf = async (name: string) =>
    (await core.listNamespacedPod({ namespace, labelSelector: `${LABEL_JOB}=${name}` })).items;

  const observe = async (name: string): Promise<Observation> => {
    const job = await ignoring([404], batch.readNamespacedJob({ name, namespace }));
    const pods = await podsOf(name);
    const nodeNames = [...new Set(pods.map((p) => p.spec?.nodeName).filter((n) => n !== undefined))];
    let nodeExists = true;
    for (const node of nodeNames) {
      if ((await ignoring([404], core.readNode({ name: node }))) === null) nodeExists = false;
    }
    return { job, pods, nodeExists };
  };

  /**
   * The Job to follow: one an earlier attempt of this request started and that is still healthy
   * (a worker restarted while it ran), else a new one for this attempt. Broken leftovers go.
   */
  const attachOrCreate = async (
    job: ExecutorJob,
    attempt: number,
    specJson: string,
    checkpointJson: string | null,
    takeSlot: (name: string) => Promise<void>,
  ): Promise<string> => {
    const key = job.key;
    const listed = await batch.listNamespacedJob({
      namespace,
      labelSelector: `${LABEL_WORKFLOW}=${workflowLabel(key)}`,
    });
    const attemptOf = (j: V1Job) => Number(j.metadata?.labels?.[LABEL_ATTEMPT] ?? 0);
    const mine = listed.items
      .filter((j) => j.metadata?.annotations?.[ANNOTATION_WORKFLOW] === key)
      .sort((a, b) => attemptOf(b) - attemptOf(a));
    let adopted: string | null = null;
    for (const job of mine) {
      const name = job.metadata?.name ?? '';
      const healthy =
        adopted === null &&
        job.metadata?.deletionTimestamp === undefined &&
        job.metadata?.annotations?.[ANNOTATION_SPEC_DIGEST] === sha256(specJson) &&
        ['pending', 'running', 'exited'].includes(classify(await observe(name), config).kind);
      if (healthy) adopted = name;
      else await deleteJob(name);
    }
    if (adopted !== null) return adopted;

    const { job: manifest, configMap } = buildJobManifests({
      config,
      workflowId: key,
      attempt,
      platform: job.spec.platform,
      specJson,
      checkpointJson,
    });
    const name = manifest.metadata?.name ?? jobName(key, attempt);
    await takeSlot(name);
    const created =
      (await ignoring([409], batch.createNamespacedJob({ namespace, body: manifest }))) ??
      (await batch.readNamespacedJob({ name, namespace }));
    const uid = created.metadata?.uid;
    if (uid !== undefined) {
      configMap.metadata = {
        ...configMap.metadata,
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid, controller: true }],
      };
    }
    // The pod cannot start before its ConfigMap exists (the kubelet waits for the volume).
    await ignoring([409], core.createNamespacedConfigMap({ namespace, body: configMap }));
    return name;
  };

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
        if (options.slots === undefined) return;
        const waiting = () => {
          beat.phase = 'waiting-for-slot';
          heartbeat();
        };
        const stop = AbortSignal.any([hooks.signal, hooks.shutdown]);
        if (await options.slots.acquire(jobName, stop, waiting)) return;
        throw hooks.signal.aborted
          ? cancelledWhileWaiting
          : workerShutdown('the worker shut down while its job waited for a runner slot');
      };
      let name: string;
      try {
        name = await attachOrCreate(job, ctx.attempt, specJson, ledger, takeSlot);
      } catch (error) {
        if (error === cancelledWhileWaiting) return { kind: 'cancelled' };
        throw error;
      }
      beat.job = name;
      heartbeat();
      // A Job left running for the retry keeps its slot; any other end frees it.
      let keepSlot = false;

      // Everything the runner says, in order, once.
      const files = new Map<FramedFileName, Buffer>();
      const human: string[] = [];
      const decoder = createFrameDecoder();
      const onFile = (file: FramedFile) => {
        const data = unframe(file);
        if (data === null) return;
        files.set(file.name, data);
        const text = data.toString('utf8');
        const incoming = file.name === 'checkpoint.json' ? parsedOrNull(text) : null;
        if (incoming !== null) {
          checkpoint = mergeCheckpoint(checkpoint, incoming);
          const whole = serializeCheckpoint(checkpoint);
          saved = job.checkpoints.save(whole);
          beat.checkpoint = { sha256: sha256(whole), bytes: Buffer.byteLength(whole) };
          heartbeat();
        }
      };
      const tracker = createLineTracker((line) => {
        const file = decoder.push(line);
        if (file !== null) return onFile(file);
        if (decoder.inFrame || line.startsWith('{"type":"file-')) return;
        const event = parseProgressLine(line);
        if (event !== null) {
          beat.progress = event;
          // The job activity records its own heartbeat for the event; this one, right after it,
          // is the one that stays, and it keeps the checkpoint.
          hooks.onProgress(event);
          heartbeat();
          return;
        }
        human.push(line);
        if (human.length > HUMAN_TAIL_LINES) human.shift();
      });

      let follow: { pod: string; stop: AbortController; done: Promise<void> } | null = null;
      const stopFollowing = async () => {
        if (follow === null) return;
        follow.stop.abort();
        await follow.done;
        follow = null;
      };
      const startFollowing = (pod: string) => {
        if (follow?.pod === pod) return;
        const stop = new AbortController();
        const ref = { namespace, pod, container: RUNNER_CONTAINER };
        const done = (async () => {
          while (!stop.signal.aborted) {
            await logs
              .stream(
                ref,
                { follow: true, sinceTime: tracker.sinceTime() },
                (t) => tracker.feed(t),
                stop.signal,
              )
              .catch(() => {});
            tracker.endOfStream();
            await sleep(1_000, stop.signal);
          }
        })();
        follow = { pod, stop, done };
      };
      /** Reads what the follower has not seen yet (all of it if there was none). */
      const readRest = async (pod: V1Pod | null, timeoutMs: number) => {
        await stopFollowing();
        const podName = pod?.metadata?.name;
        if (podName === undefined) return;
        const ref = { namespace, pod: podName, container: RUNNER_CONTAINER };
        for (let i = 0; i < 3; i++) {
          try {
            await logs.stream(
              ref,
              { follow: false, sinceTime: tracker.sinceTime() },
              (t) => tracker.feed(t),
              AbortSignal.timeout(timeoutMs),
            );
            tracker.endOfStream();
            return;
          } catch {
            tracker.endOfStream();
            await sleep(1_000, hooks.signal);
          }
        }
      };
      const tail = () => human.join('\n');

      const wake = { controller: new AbortController() };
      const poke = () => wake.controller.abort();
      const stopWatches = [
        keepWatching(
          kubeConfig,
          `/apis/batch/v1/namespaces/${namespace}/jobs`,
          { fieldSelector: `metadata.name=${name}` },
          poke,
        ),
        keepWatching(
          kubeConfig,
          `/api/v1/namespaces/${namespace}/pods`,
          { labelSelector: `${LABEL_JOB}=${name}` },
          poke,
        ),
      ];
      hooks.signal.addEventListener('abort', poke, { once: true });
      hooks.shutdown.addEventListener('abort', poke, { once: true });
      const ticker = setInterval(heartbeat, heartbeatMs);
      let problemSince: number | null = null;
      let apiDownSince: number | null = null;
      try {
        for (;;) {
          if (hooks.signal.aborted) {
            await stopFollowing();
            await deleteJob(name);
            return { kind: 'cancelled' };
          }
          if (hooks.shutdown.aborted) {
            // The Job is not this worker's to stop: it keeps running, and the retry adopts it.
            keepSlot = true;
            await stopFollowing();
            await saved;
            heartbeat();
            throw workerShutdown(
              `the worker shut down while Job ${namespace}/${name} ran; the Job keeps running and the retry follows it${progressNote(beat)}`,
            );
          }
          let obs: Observation | null = null;
          try {
            obs = await observe(name);
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
                    await deleteJob(name);
                    throw ApplicationFailure.create({
                      message: `Job ${namespace}/${name} did not start within ${config.pendingGraceSeconds} s: ${verdict.problem}`,
                      type: KUBERNETES_JOB_NOT_STARTED,
                      nonRetryable: true,
                    });
                  }
                }
                break;
              case 'running':
                startFollowing(verdict.pod.metadata?.name ?? '');
                break;
              case 'exited':
                await readRest(verdict.pod, FINAL_LOG_TIMEOUT_MS);
                await saved;
                return outcomeOf(verdict.exitCode, verdict.reason, files, tail(), () => ({
                  text: resultsOf(job.spec, checkpoint),
                  profiles: checkpoint === null ? null : profilesFromFrames(files, checkpoint),
                }));
              case 'lost': {
                // What the runner printed before it went: the newest checkpoint, if the log is
                // still there to read.
                await readRest(verdict.pod, LOST_LOG_TIMEOUT_MS);
                await deleteJob(name);
                await saved;
                heartbeat();
                throw runnerLost(
                  `${verdict.reason} (Job ${namespace}/${name}); the retry resumes from the runner's checkpoint${progressNote(beat)}`,
                );
              }
              case 'fatal':
                await stopFollowing();
                await deleteJob(name);
                throw ApplicationFailure.create({
                  message: `Job ${namespace}/${name}: ${verdict.reason}`,
                  type: KUBERNETES_JOB_FAILED,
                  nonRetryable: true,
                });
            }
          }
          heartbeat();
          await sleep(pollMs, wake.controller.signal);
          if (wake.controller.signal.aborted) wake.controller = new AbortController();
        }
      } finally {
        clearInterval(ticker);
        hooks.signal.removeEventListener('abort', poke);
        hooks.shutdown.removeEventListener('abort', poke);
        for (const stop of stopWatches) stop();
        await stopFollowing();
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

function outcomeOf(
  exitCode: number,
  reason: string | null,
  files: Map<FramedFileName, Buffer>,
  tail: string,
  results: () => { text: string; profiles: JobProfiles | null },
): ExecutorOutcome {
  if (exitCode === RUNNER_EXIT.ok) return { kind: 'results', ...results() };
  if (exitCode === RUNNER_EXIT.codeUnderTest) {
    const data = files.get('failure.json');
    if (data !== undefined)
      return { kind: 'code-under-test', failure: JSON.parse(data.toString('utf8')) as CodeUnderTestFailure };
  }
  if (exitCode === RUNNER_EXIT.invalidInput) return { kind: 'invalid-input', message: tail };
  const hint = reason === 'OOMKilled' ? '; raise executor.kubernetes.memory' : '';
  throw new Error(
    `the runner container exited with code ${exitCode}${reason === null ? '' : ` (${reason})`}${hint}; the retry resumes from its checkpoint.\n${tail}`,
  );
}
