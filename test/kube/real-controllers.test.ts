import { BatchV1Api, CoordinationV1Api, CoreV1Api, type V1Pod, Watch } from '@kubernetes/client-node';
import { describe, expect, it, vi } from 'vitest';
import { forPlatform, jobName } from '../../adapters/executors/kubernetes/job-manifest.js';
import { createSlots } from '../../adapters/executors/kubernetes/slots.js';
import type { KubernetesHeartbeat } from '../../adapters/executors/kubernetes.js';
import { platformOf } from '../../core/config/platforms.js';
import { RUNNER_LOST } from '../../core/request/contract.js';
import { attempt, hooks, kubeHarness, waitFor } from './executor-harness.js';
import { ARCH } from './fake-nodes.js';

// Benchbot's Jobs under the real kube-scheduler and kube-controller-manager: placement by
// architecture, the Job controller's deadline, a platform no node fits, a spot node that vanishes
// mid-run, and a platform's slots shared by two executors (two-workers-slots.test.ts has them in
// two real workers).

vi.setConfig({ testTimeout: 180_000 });

const harness = kubeHarness();
const { setup, executorFor, jobOf } = harness;
const kube = () => harness.plane().kubeConfig;

const arm = platformOf({
  name: 'aarch64-linux',
  nodeSelector: { [ARCH]: 'arm64' },
  tolerations: [],
  runnerImage: 'benchbot-runner:test-arm64',
  slots: null,
});
const amd = platformOf({
  name: 'x86-64-linux',
  nodeSelector: { [ARCH]: 'amd64' },
  tolerations: [],
  runnerImage: null,
  slots: null,
});

async function podOf(namespace: string, job: string): Promise<V1Pod | undefined> {
  const core = kube().makeApiClient(CoreV1Api);
  const pods = await core.listNamespacedPod({ namespace, labelSelector: `benchbot.dev/job=${job}` });
  return pods.items[0];
}

async function archOf(node: string): Promise<string | undefined> {
  return (await kube().makeApiClient(CoreV1Api).readNode({ name: node })).metadata?.labels?.[ARCH];
}

describe('Jobs under the real scheduler and controllers', () => {
  it("binds an amd64 and an arm64 platform's Jobs to nodes of their architecture", async () => {
    const { cluster, config, namespace } = await setup();
    try {
      const runs = [amd, arm].map(async (platform) => {
        const key = `bench:acme/widget:comment:arch-${platform.name}`;
        const executor = executorFor(forPlatform(config, platform), attempt(1).context, 300);
        const outcome = await executor.run(jobOf(harness.spec('slow', platform.name), key), hooks().hooks);
        const pod = await podOf(namespace, jobName(key, 1));
        return { outcome, pod, arch: await archOf(pod?.spec?.nodeName ?? '') };
      });
      const [onAmd, onArm] = await Promise.all(runs);
      expect(onAmd?.outcome.kind).toBe('results');
      expect(onArm?.outcome.kind).toBe('results');
      expect(onAmd?.arch).toBe('amd64');
      expect(onArm?.arch).toBe('arm64');
      expect(onArm?.pod?.spec?.containers[0]?.image).toBe('benchbot-runner:test-arm64');
      expect(onArm?.pod?.metadata?.labels?.['benchbot.dev/platform']).toBe('aarch64-linux');
      // Both on spot nodes, which only the spot toleration lets them onto.
      for (const run of [onAmd, onArm]) expect(run?.pod?.spec?.nodeName).toMatch(/-spot-/);
    } finally {
      await cluster.stop();
    }
  });

  it('fails a platform no node fits after the pending grace, naming the platform and its selector', async () => {
    const { cluster, config, namespace } = await setup();
    try {
      const riscv = platformOf({
        name: 'riscv64-linux',
        nodeSelector: { [ARCH]: 'riscv64' },
        tolerations: [],
        runnerImage: null,
        slots: null,
      });
      const key = 'bench:acme/widget:comment:riscv';
      const executor = executorFor(forPlatform(config, riscv), attempt(1).context, 300);
      const error = await executor
        .run(jobOf(harness.spec('slow', riscv.name), key), hooks().hooks)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ nonRetryable: true, type: 'KubernetesJobNotStarted' });
      const message = String((error as Error).message);
      expect(message).toMatch(
        /did not start within 2 s: no node can take the runner pod of platform riscv64-linux/,
      );
      expect(message).toContain('kubernetes.io/arch=riscv64');
      // The scheduler's own account of the nodes.
      expect(message).toMatch(/0\/4 nodes are available/);
      await expect(
        kube()
          .makeApiClient(BatchV1Api)
          .readNamespacedJob({ name: jobName(key, 1), namespace }),
      ).rejects.toMatchObject({ code: 404 });
    } finally {
      await cluster.stop();
    }
  });

  it('fails a Job the Job controller ends at activeDeadlineSeconds, naming the setting', async () => {
    const { cluster, config } = await setup({}, { activeDeadlineSeconds: 2 });
    try {
      const executor = executorFor(config, attempt(1).context, 300);
      const error = await executor
        .run(jobOf(harness.spec(), 'bench:acme/widget:comment:deadline'), hooks().hooks)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ nonRetryable: true, type: 'KubernetesJobFailed' });
      expect(String((error as Error).message)).toMatch(
        /ran longer than executor\.kubernetes\.activeDeadlineSeconds \(2 s\)/,
      );
    } finally {
      await cluster.stop();
    }
  });

  it('leaves a finished Job to the TTL controller, which removes it with its pod and ConfigMap', async () => {
    const { cluster, config, namespace } = await setup({}, { ttlSecondsAfterFinished: 1 });
    try {
      const key = 'bench:acme/widget:comment:ttl';
      const outcome = await executorFor(config, attempt(1).context, 300).run(
        jobOf(harness.spec(), key),
        hooks().hooks,
      );
      expect(outcome.kind).toBe('results');
      const batch = kube().makeApiClient(BatchV1Api);
      const core = kube().makeApiClient(CoreV1Api);
      const name = jobName(key, 1);
      await waitFor(
        'the TTL controller and the garbage collector to remove the Job and what it owns',
        async () => {
          const gone = await Promise.all([
            batch.readNamespacedJob({ name, namespace }).then(
              () => false,
              () => true,
            ),
            core.readNamespacedConfigMap({ name, namespace }).then(
              () => false,
              () => true,
            ),
            podOf(namespace, name).then((pod) => pod === undefined),
          ]);
          return gone.every(Boolean);
        },
        600,
      );
    } finally {
      await cluster.stop();
    }
  });

  it('retries from the checkpoint on another spot node when its node is deleted mid-run; the pod GC marks the pod', async () => {
    let nodeOfFirst: string | null = null;
    const { cluster, config, namespace } = await setup({
      onLine: (pod, line, c) => {
        if (nodeOfFirst === null && line.startsWith('{"type":"file-end","name":"checkpoint.json"')) {
          nodeOfFirst = c.podNodes().get(pod) ?? '';
          void c.deleteNode(nodeOfFirst);
        }
      },
    });
    // Every version of the first pod the API server shows, to see what the controllers did to it.
    const seen: V1Pod[] = [];
    const watch = await new Watch(kube()).watch(
      `/api/v1/namespaces/${namespace}/pods`,
      {},
      (_type, pod: V1Pod) => seen.push(pod),
      () => {},
    );
    try {
      const key = 'bench:acme/widget:comment:spot';
      const first = attempt(1);
      await expect(
        executorFor(config, first.context, 300).run(jobOf(harness.spec(), key), hooks().hooks),
      ).rejects.toMatchObject({ type: RUNNER_LOST, nonRetryable: false, message: /node .* is gone/ });
      expect(first.last()?.checkpoint?.bytes).toBeGreaterThan(0);

      const second = executorFor(config, attempt(2, first.last()).context, 300);
      const { hooks: h, events } = hooks();
      const outcome = await second.run(jobOf(harness.spec(), key), h);
      expect(outcome.kind).toBe('results');
      const rounds = events.filter((e) => e.type === 'checkpoint' && e.status === 'running');
      expect(rounds.length).toBeLessThan(8);
      const retried = await podOf(namespace, jobName(key, 2));
      expect(retried?.spec?.nodeName).not.toBe(nodeOfFirst);
      expect(retried?.spec?.nodeName).toMatch(/amd64-spot/);

      // The pod garbage collector finds the first pod bound to a node that is gone, marks it as
      // disrupted and failed, and removes it.
      const firstPod = jobName(key, 1);
      const marked = await waitFor(
        'the pod GC to mark the orphaned pod',
        () =>
          seen.find(
            (p) =>
              p.metadata?.labels?.['benchbot.dev/job'] === firstPod &&
              p.status?.conditions?.some((c) => c.type === 'DisruptionTarget' && c.status === 'True'),
          ),
        1200,
      );
      expect(marked.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.reason).toBe(
        'DeletionByPodGC',
      );
    } finally {
      watch.abort();
      await cluster.stop();
    }
  });

  it("holds a platform's slots across two workers, and nothing waits while a slot is free", async () => {
    const { cluster, config, namespace } = await setup();
    const core = kube().makeApiClient(CoreV1Api);
    // Runner pods running at once, sampled until the test ends.
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const pods = (await core.listNamespacedPod({ namespace })).items;
        most = Math.max(most, pods.filter((p) => p.status?.phase === 'Running').length);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      // Two workers, each with its own client and its own view of the platform's two slots.
      const worker = () => createSlots({ kubeConfig: kube(), namespace, platform: 'x86-64-linux', count: 2 });
      const slotsOf = [worker(), worker()];
      const waited: string[] = [];
      const run = (n: number, slots: ReturnType<typeof worker>) => {
        const key = `bench:acme/widget:comment:slot-${n}`;
        const context = () => ({
          attempt: 1,
          previous: undefined,
          heartbeat: (d: KubernetesHeartbeat) => {
            if (d.phase === 'waiting-for-slot' && !waited.includes(key)) waited.push(key);
          },
        });
        return executorFor(config, context, 300, { slots }).run(jobOf(harness.spec(), key), hooks().hooks);
      };
      const outcomes = await Promise.all([
        run(1, slotsOf[0] as ReturnType<typeof worker>),
        run(2, slotsOf[1] as ReturnType<typeof worker>),
        run(3, slotsOf[1] as ReturnType<typeof worker>),
      ]);
      expect(outcomes.map((o) => o.kind)).toEqual(['results', 'results', 'results']);
      // Two ran side by side, never three; exactly one waited, for the first slot to free.
      expect(most).toBe(2);
      expect(waited).toHaveLength(1);
      // Every slot is free again.
      const leases = await kube().makeApiClient(CoordinationV1Api).listNamespacedLease({ namespace });
      expect(leases.items.filter((l) => l.spec?.holderIdentity !== undefined)).toHaveLength(0);
    } finally {
      sampling = false;
      await sampler;
      await cluster.stop();
    }
  });
});
