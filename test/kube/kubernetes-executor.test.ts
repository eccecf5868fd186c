import { BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it, vi } from 'vitest';
import type { ExecutorHooks } from '../../adapters/executors/executor.js';
import { jobName, LABEL_WORKFLOW, workflowLabel } from '../../adapters/executors/kubernetes/job-manifest.js';
import { jobCheckpoints } from '../../adapters/results-store/job-artifacts.js';
import { parseCheckpoint } from '../../core/checkpoint.js';
import { RUNNER_LOST, WORKER_SHUTDOWN } from '../../core/request/contract.js';
import { attempt, hooks, kubeHarness, waitFor } from './executor-harness.js';

vi.setConfig({ testTimeout: 120_000 });

const harness = kubeHarness();
const { setup, executorFor, jobOf } = harness;
const spec = (changed: 'slow' | 'broken' = 'slow') => harness.spec(changed);

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
      const outcome = await executor.run(jobOf(spec(), 'bench:acme/widget:comment:1'), h);
      expect(outcome.kind).toBe('results');
      if (outcome.kind !== 'results') return;
      const results = JSON.parse(outcome.text) as { benchmarks: { name: string }[] };
      expect(results.benchmarks.map((b) => b.name).sort()).toEqual(['Hot', 'Steady']);
      expect(dropped).toBe(true);
      // A checkpoint after each of the 2 x 4 rounds, and one as each benchmark ends.
      expect(events.filter((e) => e.type === 'checkpoint' && e.status !== 'running')).toHaveLength(2);
      expect(events.filter((e) => e.type === 'checkpoint' && e.status === 'running')).toHaveLength(8);
      expect(events.at(-1)).toMatchObject({ type: 'progress', phase: 'done' });

      const name = jobName('bench:acme/widget:comment:1', 1);
      const job = await harness
        .plane()
        .kubeConfig.makeApiClient(BatchV1Api)
        .readNamespacedJob({ name, namespace });
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

  it('turns a preemption into a retryable error; the heartbeat names the stored checkpoint, the retry resumes by round', async () => {
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
      await expect(run1.run(jobOf(spec(), key), hooks().hooks)).rejects.toMatchObject({
        type: RUNNER_LOST,
        nonRetryable: false,
        message: expect.stringMatching(/PreemptionByScheduler.*resumes/s),
      });
      // The heartbeat carries a reference; the checkpoint itself is in the store.
      const details = first.last();
      const stored = await jobCheckpoints(harness.store(), key, () => {}).load();
      expect(details?.checkpoint).toEqual({
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        bytes: Buffer.byteLength(stored ?? ''),
      });
      expect(JSON.stringify(details).length).toBeLessThan(2_000);
      // The preempted attempt's Job is gone.
      const batch = harness.plane().kubeConfig.makeApiClient(BatchV1Api);
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
      const outcome = await run2.run(jobOf(spec(), key), h);
      expect(outcome.kind).toBe('results');
      // Only the rounds not measured before the preemption ran again.
      const rounds = events.filter((e) => e.type === 'checkpoint' && e.status === 'running');
      expect(rounds.length).toBeLessThan(8);
      const cm = await harness
        .plane()
        .kubeConfig.makeApiClient(CoreV1Api)
        .readNamespacedConfigMap({ name: jobName(key, 2), namespace });
      expect(Object.keys(cm.data ?? {}).sort()).toEqual(['checkpoint.json', 'spec.json']);
      // The ConfigMap holds the ledger: what is done, without a sample.
      const ledger = parseCheckpoint(cm.data?.['checkpoint.json'] ?? '');
      expect(ledger.ok && ledger.checkpoint.benchmarks.flatMap((b) => b.rounds).length).toBeGreaterThan(0);
      expect(cm.data?.['checkpoint.json']).not.toContain('imports');
      if (outcome.kind === 'results') {
        // hot's first rounds are from the preempted first attempt, the rest from the second; every
        // round is there once, on both sides.
        type Sample = { round?: number; attempt?: number };
        type Results = {
          benchmarks: { name: string; samples: { baseline?: Sample[]; changed?: Sample[] } }[];
        };
        const results = JSON.parse(outcome.text) as Results;
        const attempts = Object.fromEntries(
          results.benchmarks.map((b) => [
            b.name,
            [...new Set(b.samples.baseline?.map((s) => s.attempt))].sort(),
          ]),
        );
        expect(attempts).toEqual({ Hot: [1, 2], Steady: [2] });
        for (const b of results.benchmarks) {
          for (const side of [b.samples.baseline, b.samples.changed]) {
            expect([...new Set(side?.map((s) => s.round))].sort()).toEqual([0, 1, 2, 3]);
          }
        }
      }
    } finally {
      await cluster.stop();
    }
  });

  it('reports a failing build of the code under test as such, with the log tail', async () => {
    const { cluster, config } = await setup();
    try {
      const executor = executorFor(config, attempt(1).context, 500);
      const outcome = await executor.run(jobOf(spec('broken'), 'bench:acme/widget:comment:3'), hooks().hooks);
      expect(outcome).toMatchObject({ kind: 'code-under-test', failure: { kind: 'build', side: 'changed' } });
      if (outcome.kind === 'code-under-test' && outcome.failure.kind === 'build')
        expect(outcome.failure.logTail).toContain("expected ';'");
    } finally {
      await cluster.stop();
    }
  });

  it.each([
    ['image-pull-error', /did not start within 2 s: the runner container cannot start \(ImagePullBackOff/],
  ] as const)('fails a pod that stays %s past the grace, naming the fix', async (mode, message) => {
    const { cluster, config, namespace } = await setup({ mode });
    try {
      const executor = executorFor(config, attempt(1).context, 300);
      const key = `bench:acme/widget:comment:${mode}`;
      const error = await executor.run(jobOf(spec(), key), hooks().hooks).catch((e: unknown) => e);
      expect(error).toMatchObject({ nonRetryable: true, type: 'KubernetesJobNotStarted' });
      expect(String((error as Error).message)).toMatch(message);
      const batch = harness.plane().kubeConfig.makeApiClient(BatchV1Api);
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
      const running = executor.run(jobOf(spec(), key), h);
      await waitFor('the runner to start', () => events.length > 0);
      cancel.abort();
      expect(await running).toEqual({ kind: 'cancelled' });
      const batch = harness.plane().kubeConfig.makeApiClient(BatchV1Api);
      await expect(batch.readNamespacedJob({ name: jobName(key, 1), namespace })).rejects.toMatchObject({
        code: 404,
      });
      // The real garbage collector deletes the pod, and the kubelet stops its container.
      const core = harness.plane().kubeConfig.makeApiClient(CoreV1Api);
      await waitFor(
        'the pod to go',
        async () => (await core.listNamespacedPod({ namespace })).items.length === 0,
      );
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
      await expect(run1.run(jobOf(spec(), key), h)).rejects.toMatchObject({
        type: WORKER_SHUTDOWN,
        nonRetryable: false,
        message: expect.stringMatching(/Job keeps running/),
      });
      expect(first.last()).toMatchObject({ job: jobName(key, 1) });
      expect(first.last()?.checkpoint?.bytes).toBeGreaterThan(0);
      const batch = harness.plane().kubeConfig.makeApiClient(BatchV1Api);
      expect((await batch.readNamespacedJob({ name: jobName(key, 1), namespace })).metadata?.name).toBe(
        jobName(key, 1),
      );

      const run2 = executorFor(config, attempt(2, first.last()).context, 300);
      const outcome = await run2.run(jobOf(spec(), key), hooks().hooks);
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
      const orphan = first.run(jobOf(spec(), key), h1).catch(() => null);
      await waitFor('the runner to start', () => events.length > 0);
      const second = executorFor(config, attempt(2).context, 300);
      const outcome = await second.run(jobOf(spec(), key), hooks().hooks);
      expect(outcome.kind).toBe('results');
      const jobs = await harness
        .plane()
        .kubeConfig.makeApiClient(BatchV1Api)
        .listNamespacedJob({ namespace, labelSelector: `${LABEL_WORKFLOW}=${workflowLabel(key)}` });
      expect(jobs.items.map((j) => j.metadata?.name)).toEqual([jobName(key, 1)]);
      expect(cluster.pods()).toHaveLength(1);
      await orphan;
    } finally {
      await cluster.stop();
    }
  });
});
