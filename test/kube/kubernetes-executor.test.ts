import { rm } from 'node:fs/promises';
import { BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ExecutorHooks, RUNNER_LOST, WORKER_SHUTDOWN } from '../../activities/executors/executor.js';
import {
  jobName,
  LABEL_WORKFLOW,
  workflowLabel,
} from '../../activities/executors/kubernetes/job-manifest.js';
import {
  type AttemptContext,
  createKubernetesExecutor,
  type KubernetesExecutorOptions,
  type KubernetesHeartbeat,
} from '../../activities/executors/kubernetes.js';
import type { ProgressEvent } from '../../core/runner-protocol.js';
import { benchmark, type FixtureRepo, makeFixtureRepo, makeSpec } from '../runner/fixture-repo.js';
import { type ControlPlane, createNamespace, startControlPlane } from './control-plane.js';
import { type KubeletMode, startFakeCluster } from './fake-cluster.js';
import { kubernetesTestConfig } from './kube-test-config.js';

vi.setConfig({ testTimeout: 120_000 });

let plane: ControlPlane;
let fixture: FixtureRepo;
let nsCounter = 0;

beforeAll(async () => {
  [plane, fixture] = await Promise.all([startControlPlane(), makeFixtureRepo()]);
});

afterAll(async () => {
  await plane?.stop();
  if (fixture) await rm(fixture.dir, { recursive: true, force: true });
});

/** A namespace and a fake cluster of its own per test, so tests share nothing. */
async function setup(
  options: { mode?: KubeletMode; onLine?: Parameters<typeof startFakeCluster>[0]['onLine'] } = {},
) {
  const namespace = `t${++nsCounter}-${Math.random().toString(36).slice(2, 7)}`;
  await createNamespace(plane.kubeConfig, namespace);
  const cluster = await startFakeCluster({ kubeConfig: plane.kubeConfig, namespace, ...options });
  const config = kubernetesTestConfig(namespace, { pendingGraceSeconds: 2 });
  const executor = createKubernetesExecutor({ config, kubeConfig: plane.kubeConfig, pollIntervalMs: 500 });
  return { namespace, cluster, config, executor };
}

/** The executor as one attempt of the job activity sees it. */
function executorFor(
  config: KubernetesExecutorOptions['config'],
  attemptContext: () => AttemptContext,
  pollIntervalMs: number,
) {
  return createKubernetesExecutor({ config, kubeConfig: plane.kubeConfig, pollIntervalMs, attemptContext });
}

function attempt(n: number, previous: unknown = undefined) {
  const beats: KubernetesHeartbeat[] = [];
  const context: AttemptContext = { attempt: n, previous, heartbeat: (d) => beats.push(structuredClone(d)) };
  return { beats, context: () => context, last: () => beats.at(-1) };
}

function hooks(signal = new AbortController().signal) {
  const events: ProgressEvent[] = [];
  const h: ExecutorHooks = {
    onProgress: (e) => events.push(e),
    heartbeat: () => {},
    signal,
    shutdown: new AbortController().signal,
  };
  return { hooks: h, events };
}

const spec = (changed: 'slow' | 'broken' = 'slow') =>
  makeSpec(fixture, changed, [benchmark('hot', { iterations: 4 }), benchmark('steady', { iterations: 4 })]);

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
) {
  for (let i = 0; i < 400; i++) {
    const value = await fn();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('Kubernetes executor on a real API server', () => {
  it('runs the job as a Job and returns the results through the pod log, across a dropped log stream', async () => {
    let dropped = false;
    const { namespace, cluster, config } = await setup({
      onLine: (_pod, line, c) => {
        if (!dropped && line.includes('"phase":"run"')) {
          dropped = true;
          c.dropLogStreams();
        }
      },
    });
    try {
      const executor = executorFor(config, attempt(1).context, 500);
      const { hooks: h, events } = hooks();
      const outcome = await executor.run({ spec: spec(), key: 'bench:acme/widget:comment:1' }, h);
      expect(outcome.kind).toBe('results');
      if (outcome.kind !== 'results') return;
      const results = JSON.parse(outcome.text) as { benchmarks: { name: string }[] };
      expect(results.benchmarks.map((b) => b.name).sort()).toEqual(['Hot', 'Steady']);
      expect(dropped).toBe(true);
      expect(events.filter((e) => e.type === 'checkpoint')).toHaveLength(2);
      expect(events.at(-1)).toMatchObject({ type: 'progress', phase: 'done' });

      const name = jobName('bench:acme/widget:comment:1', 1);
      const job = await plane.kubeConfig.makeApiClient(BatchV1Api).readNamespacedJob({ name, namespace });
      const pod = job.spec?.template.spec;
      expect(job.metadata?.labels?.[LABEL_WORKFLOW]).toBe(workflowLabel('bench:acme/widget:comment:1'));
      expect(job.metadata?.annotations?.['benchbot.dev/workflow-id']).toBe('bench:acme/widget:comment:1');
      expect(job.spec?.backoffLimit).toBe(0);
      expect(pod?.automountServiceAccountToken).toBe(false);
      expect(pod?.nodeSelector).toMatchObject({ 'cloud.google.com/gke-spot': 'true' });
      expect(pod?.containers[0]?.resources?.requests).toEqual(pod?.containers[0]?.resources?.limits);
      expect(pod?.containers[0]?.env ?? []).toEqual([]);
    } finally {
      await cluster.stop();
    }
  });

  it('turns a preemption into a retryable error whose heartbeat carries the checkpoint; the retry resumes', async () => {
    let preempted = false;
    const { cluster, config, namespace } = await setup({
      onLine: (pod, line, c) => {
        if (!preempted && line.startsWith('{"type":"file-end","name":"checkpoint.json"')) {
          preempted = true;
          void c.preempt(pod, 'PreemptionByScheduler');
        }
      },
    });
    try {
      const key = 'bench:acme/widget:comment:2';
      const first = attempt(1);
      const run1 = executorFor(config, first.context, 500);
      await expect(run1.run({ spec: spec(), key }, hooks().hooks)).rejects.toMatchObject({
        type: RUNNER_LOST,
        nonRetryable: false,
        message: expect.stringMatching(/PreemptionByScheduler.*resumes/s),
      });
      const details = first.last();
      expect(details?.checkpoint?.payload).toBeTruthy();
      // The preempted attempt's Job is gone.
      const batch = plane.kubeConfig.makeApiClient(BatchV1Api);
      await waitFor(
        'the first Job to go',
        async () =>
          await batch.readNamespacedJob({ name: jobName(key, 1), namespace }).then(
            () => false,
            () => true,
          ),
      );

      const second = attempt(2, details);
      const run2 = executorFor(config, second.context, 500);
      const { hooks: h, events } = hooks();
      const outcome = await run2.run({ spec: spec(), key }, h);
      expect(outcome.kind).toBe('results');
      // Only the benchmark that was cut off ran again.
      expect(events.filter((e) => e.type === 'checkpoint')).toHaveLength(1);
      const cm = await plane.kubeConfig
        .makeApiClient(CoreV1Api)
        .readNamespacedConfigMap({ name: jobName(key, 2), namespace });
      expect(Object.keys(cm.data ?? {}).sort()).toEqual(['checkpoint.json', 'spec.json']);
      if (outcome.kind === 'results') {
        // hot's samples are from the preempted first attempt, steady's from the second.
        type Results = { benchmarks: { name: string; samples: { baseline?: { attempt?: number }[] } }[] };
        const attempts = (JSON.parse(outcome.text) as Results).benchmarks.map((b) => [
          b.name,
          [...new Set(b.samples.baseline?.map((s) => s.attempt))],
        ]);
        expect(attempts.sort()).toEqual([
          ['Hot', [1]],
          ['Steady', [2]],
        ]);
      }
    } finally {
      await cluster.stop();
    }
  });

  it('reports a failing build of the code under test as such, with the log tail', async () => {
    const { cluster, config } = await setup();
    try {
      const executor = executorFor(config, attempt(1).context, 500);
      const outcome = await executor.run(
        { spec: spec('broken'), key: 'bench:acme/widget:comment:3' },
        hooks().hooks,
      );
      expect(outcome).toMatchObject({ kind: 'code-under-test', failure: { kind: 'build', side: 'changed' } });
      if (outcome.kind === 'code-under-test' && outcome.failure.kind === 'build')
        expect(outcome.failure.logTail).toContain("expected ';'");
    } finally {
      await cluster.stop();
    }
  });

  it.each([
    ['unschedulable', /did not start within 2 s: no node can take the runner pod \(0\/1 nodes are available/],
    ['image-pull-error', /did not start within 2 s: the runner container cannot start \(ImagePullBackOff/],
  ] as const)('fails a pod that stays %s past the grace, naming the fix', async (mode, message) => {
    const { cluster, config, namespace } = await setup({ mode });
    try {
      const executor = executorFor(config, attempt(1).context, 300);
      const key = `bench:acme/widget:comment:${mode}`;
      const error = await executor.run({ spec: spec(), key }, hooks().hooks).catch((e: unknown) => e);
      expect(error).toMatchObject({ nonRetryable: true, type: 'KubernetesJobNotStarted' });
      expect(String((error as Error).message)).toMatch(message);
      const batch = plane.kubeConfig.makeApiClient(BatchV1Api);
      await expect(batch.readNamespacedJob({ name: jobName(key, 1), namespace })).rejects.toMatchObject({
        code: 404,
      });
    } finally {
      await cluster.stop();
    }
  });

  it('stops the Job when the request is cancelled', async () => {
    const { cluster, config, namespace } = await setup();
    try {
      const cancel = new AbortController();
      const executor = executorFor(config, attempt(1).context, 300);
      const key = 'bench:acme/widget:comment:5';
      const { hooks: h, events } = hooks(cancel.signal);
      const running = executor.run({ spec: spec(), key }, h);
      await waitFor('the runner to start', () => events.length > 0);
      cancel.abort();
      expect(await running).toEqual({ kind: 'cancelled' });
      const batch = plane.kubeConfig.makeApiClient(BatchV1Api);
      await expect(batch.readNamespacedJob({ name: jobName(key, 1), namespace })).rejects.toMatchObject({
        code: 404,
      });
      await waitFor('the pod to go', () => cluster.pods().length === 0);
    } finally {
      await cluster.stop();
    }
  });

  it('treats a vanished node as a retryable loss', async () => {
    const { cluster, config } = await setup();
    try {
      const executor = executorFor(config, attempt(1).context, 300);
      const { hooks: h, events } = hooks();
      const running = executor.run({ spec: spec(), key: 'bench:acme/widget:comment:6' }, h);
      await waitFor('the runner to start', () => events.length > 0);
      await cluster.deleteNode();
      await expect(running).rejects.toThrow(/node .* is gone|ended the runner/);
    } finally {
      await cluster.stop();
    }
  });

  it('on worker shutdown leaves the Job running with its checkpoint heartbeated; the retry follows that Job', async () => {
    const { cluster, config, namespace } = await setup();
    try {
      // Shut down once the executor has heartbeated the first checkpoint from the pod's log.
      const shutdown = new AbortController();
      const h: ExecutorHooks = { ...hooks().hooks, shutdown: shutdown.signal };
      const key = 'bench:acme/widget:comment:8';
      const first = attempt(1);
      const run1 = executorFor(
        config,
        () => {
          const context = first.context();
          return {
            ...context,
            heartbeat: (details) => {
              context.heartbeat(details);
              if (details.checkpoint !== undefined) shutdown.abort();
            },
          };
        },
        300,
      );
      await expect(run1.run({ spec: spec(), key }, h)).rejects.toMatchObject({
        type: WORKER_SHUTDOWN,
        nonRetryable: false,
        message: expect.stringMatching(/Job keeps running/),
      });
      expect(first.last()).toMatchObject({ job: jobName(key, 1) });
      expect(first.last()?.checkpoint?.payload).toBeTruthy();
      const batch = plane.kubeConfig.makeApiClient(BatchV1Api);
      expect((await batch.readNamespacedJob({ name: jobName(key, 1), namespace })).metadata?.name).toBe(
        jobName(key, 1),
      );

      const run2 = executorFor(config, attempt(2, first.last()).context, 300);
      const outcome = await run2.run({ spec: spec(), key }, hooks().hooks);
      expect(outcome.kind).toBe('results');
      const jobs = await batch.listNamespacedJob({
        namespace,
        labelSelector: `${LABEL_WORKFLOW}=${workflowLabel(key)}`,
      });
      expect(jobs.items.map((j) => j.metadata?.name)).toEqual([jobName(key, 1)]);
      expect(cluster.pods()).toHaveLength(1);
    } finally {
      await cluster.stop();
    }
  });

  it('re-attaches to the Job an earlier attempt started instead of starting another', async () => {
    const { cluster, config, namespace } = await setup();
    try {
      const key = 'bench:acme/widget:comment:7';
      const first = executorFor(config, attempt(1).context, 300);
      const { hooks: h1, events } = hooks();
      // The first worker "dies": its run is never awaited for, and a second attempt starts.
      const orphan = first.run({ spec: spec(), key }, h1).catch(() => null);
      await waitFor('the runner to start', () => events.length > 0);
      const second = executorFor(config, attempt(2).context, 300);
      const outcome = await second.run({ spec: spec(), key }, hooks().hooks);
      expect(outcome.kind).toBe('results');
      const jobs = await plane.kubeConfig
        .makeApiClient(BatchV1Api)
        .listNamespacedJob({ namespace, labelSelector: `${LABEL_WORKFLOW}=${workflowLabel(key)}` });
      expect(jobs.items.map((j) => j.metadata?.name)).toEqual([jobName(key, 1)]);
      expect(cluster.pods()).toHaveLength(1);
      await orphan;
    } finally {
      await cluster.stop();
    }
  });
});
