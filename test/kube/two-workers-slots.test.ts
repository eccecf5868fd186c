import { randomUUID } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { manualRequestId } from '../../core/request/ids.js';
import type { ManualSource } from '../../core/request/types.js';
import { benchmarkRequest } from '../../workflows/index.js';
import { withWorker } from '../integration/worker-harness.js';
import { type FakeCluster, startFakeCluster } from './fake-cluster.js';
import { NAMESPACE, REPO, type RequestWorld, startRequestWorld } from './request-world.js';

// A platform's slots hold across worker replicas: two workers, each willing to take two jobs of
// the platform (executor.slots: 2 per worker), share the platform's two slots. Three requests
// arrive at once: two Jobs run side by side (nothing waits while a slot is free), never three,
// and the third starts when one finishes.

let world: RequestWorld;
let cluster: FakeCluster;

vi.setConfig({ testTimeout: 300_000 });

beforeAll(async () => {
  world = await startRequestWorld('slots');
  cluster = await startFakeCluster({ kubeConfig: world.plane.kubeConfig });
});

afterAll(async () => {
  await cluster?.stop();
  await world?.stop();
});

const config = () =>
  world.config({
    slots: 2,
    benchmarks: [
      '{ name: hot, command: "node dist/bench.js hot > hot.txt", output: { path: hot.txt, format: go-bench }, iterations: 6, warmups: 0, timeoutMinutes: 2 }',
    ],
  });

describe("a platform's slots across two workers", () => {
  it("runs two of three requests' Jobs at once and never three, the two workers together", async () => {
    const core = world.plane.kubeConfig.makeApiClient(CoreV1Api);
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const pods = (await core.listNamespacedPod({ namespace: NAMESPACE })).items;
        most = Math.max(most, pods.filter((p) => p.status?.phase === 'Running').length);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const source: ManualSource = {
      kind: 'manual',
      repo: REPO,
      requester: 'cli',
      benchmarks: ['hot'],
      baseline: { ref: 'main', env: {} },
      changed: { ref: 'slow', env: {} },
    };
    const env = { KUBECONFIG: world.plane.kubeconfigPath };
    const taskQueue = `test-${randomUUID()}`;
    try {
      const outcomes = await withWorker(
        config(),
        () =>
          withWorker(
            config(),
            async ({ client }) =>
              await Promise.all(
                [1, 2, 3].map(async () => {
                  const handle = await client.workflow.start(benchmarkRequest, {
                    taskQueue,
                    workflowId: manualRequestId(REPO, randomUUID()),
                    args: [{ source }],
                  });
                  return handle.result();
                }),
              ),
            { env, taskQueue },
          ),
        { env, taskQueue },
      );
      expect(outcomes.map((o) => o.outcome)).toEqual(['done', 'done', 'done']);
      expect(cluster.pods()).toHaveLength(3);
      // Two ran side by side, never three.
      expect(most).toBe(2);
    } finally {
      sampling = false;
      await sampler;
    }
  });
});
