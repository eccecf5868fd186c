import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { jobName } from '../../adapters/executors/kubernetes/job-manifest.js';
import { openResultsStore } from '../../adapters/results-store/index.js';
import { commentRequestId } from '../../core/request/ids.js';
import { benchmarkRequest } from '../../workflows/index.js';
import { withWorker } from '../integration/worker-harness.js';
import { triggerComment } from '../support/trigger-comment.js';
import { expectEverySampleKept, historyBytes, WIDE, wideBenchmark } from '../support/wide-suite.js';
import { type FakeCluster, startFakeCluster } from './fake-cluster.js';
import { BOT, NAMESPACE, REPO, type RequestWorld, startRequestWorld } from './request-world.js';

// Issue 21's test at scale on Kubernetes: a PR comment asks for a 200 x 100 x 5 suite, run as Jobs
// on the real API server; the first pod is preempted after its second round. The pod's ConfigMap
// and heartbeats stay small (a ledger, a digest), every round's samples come through the pod logs
// into the store, and the PR gets one report of every sample.

const HISTORY_LIMIT = 200 * 1024;

let world: RequestWorld;
let cluster: FakeCluster;
const podsSeen = new Set<string>();
const framesByPod = new Map<string, number>();
let preempted: string | null = null;

vi.setConfig({ testTimeout: 600_000 });

beforeAll(async () => {
  world = await startRequestWorld('scale');
  cluster = await startFakeCluster({
    kubeConfig: world.plane.kubeConfig,
    onLine: (pod, line, c) => {
      podsSeen.add(pod);
      if (!line.startsWith('{"type":"file-end","name":"checkpoint.json"')) return;
      const frames = (framesByPod.get(pod) ?? 0) + 1;
      framesByPod.set(pod, frames);
      if (preempted === null && frames === 2) {
        preempted = pod;
        void c.preempt(pod, 'TerminationByKubelet');
      }
    },
  });
});

afterAll(async () => {
  await cluster?.stop();
  await world?.stop();
});

const config = () => world.config({ benchmarks: [wideBenchmark()] });

describe('a suite of 200 functions x 100 samples x 5 rounds on Kubernetes', () => {
  it('survives a preemption after two rounds: one report, every sample kept, a small history', async () => {
    const { plane, fake } = world;
    const pr = await world.openPullRequest();
    const body = 'run benchmark wide';
    const source = triggerComment(fake, REPO, pr, body);
    const workflowId = commentRequestId(REPO, source.commentId);
    await withWorker(
      config(),
      async ({ client, taskQueue }) => {
        const handle = await client.workflow.start(benchmarkRequest, {
          taskQueue,
          workflowId,
          args: [{ source }],
        });
        // The resumed pod's ConfigMap holds the ledger of the first pod's rounds, not their samples.
        const configMap = async () =>
          await plane.kubeConfig
            .makeApiClient(CoreV1Api)
            .readNamespacedConfigMap({ name: jobName(workflowId, 2), namespace: NAMESPACE })
            .catch(() => null);
        const ledger = await poll("the second attempt's ConfigMap", configMap);
        const ledgerText = ledger.data?.['checkpoint.json'] ?? '';
        // (Each round with its time, for the adaptive look; never its samples.)
        expect(ledgerText).toMatch(
          /"rounds":\[\{"round":0,"attempt":1[^{}]*\},\{"round":1,"attempt":1[^{}]*\}/,
        );
        expect(Buffer.byteLength(ledgerText)).toBeLessThan(4_096);
        expect(await handle.result()).toMatchObject({ outcome: 'done' });
        const bytes = await historyBytes(handle);
        console.log(`history of ${workflowId}: ${bytes} bytes`);
        expect(bytes).toBeLessThan(HISTORY_LIMIT);
      },
      { env: world.env },
    );
    expect(preempted).not.toBeNull();
    // One pod per attempt: the preempted one and its resumed successor.
    expect(podsSeen.size).toBe(2);
    const reports = fake.comments(REPO, pr).filter((c) => c.author === BOT);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.body).toContain('✅ done');
    expect(reports[0]?.body).toMatch(/\| `F199` \|[^\n]*\| 500 \/ 500 \|/);

    const store = await openResultsStore(config(), process.env, { readonly: true });
    try {
      expect(await expectEverySampleKept(store, workflowId)).toBe(
        WIDE.functions * WIDE.samples * WIDE.rounds * 2,
      );
    } finally {
      await store.close();
    }
  });
});

async function poll<T>(what: string, fn: () => Promise<T | null>): Promise<T> {
  for (let i = 0; i < 3000; i++) {
    const value = await fn();
    if (value !== null) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
