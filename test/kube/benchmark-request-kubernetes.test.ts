import { chmod } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commentRequestId } from '../../core/request/ids.js';
import { benchmarkRequest } from '../../workflows/index.js';
import { withWorker } from '../integration/worker-harness.js';
import { RUNNER_IMAGE_BUILD_TIMEOUT_MS, runnerImage } from '../support/runner-image.js';
import { triggerComment } from '../support/trigger-comment.js';
import { podmanRuntime } from './container-runtime.js';
import { type FakeCluster, startFakeCluster } from './fake-cluster.js';
import { BOT, REPO, type RequestWorld, startRequestWorld } from './request-world.js';

// The done-when of the Kubernetes executor: a request from a PR comment runs as Jobs on the real
// API server, each pod's container is the real runner image run by podman (built from this
// checkout), its first pod is preempted after its first measured round (SIGTERM to the container),
// the retry resumes from the checkpoint the worker keeps in the results store, and the PR gets
// exactly one report, its results read from the containers' logs.

let world: RequestWorld;
let cluster: FakeCluster;
const podsSeen = new Set<string>();
const logLines: string[] = [];
let preempted: string | null = null;
let image: string;

vi.setConfig({ testTimeout: 180_000 });

beforeAll(async () => {
  [image, world] = await Promise.all([runnerImage(), startRequestWorld('request')]);
  // The container's user (uid 1000, as in the Job) clones it.
  await chmod(world.fixture.dir, 0o755);
  cluster = await startFakeCluster({
    kubeConfig: world.plane.kubeConfig,
    // The container clones the fixture repository over file://, its stand-in for the network.
    runtime: podmanRuntime({ hostPaths: [world.fixture.dir] }),
    onLine: (pod, line, c) => {
      podsSeen.add(pod);
      logLines.push(line);
      if (preempted === null && line.startsWith('{"type":"file-end","name":"checkpoint.json"')) {
        preempted = pod;
        void c.preempt(pod, 'TerminationByKubelet');
      }
    },
  });
}, RUNNER_IMAGE_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await cluster?.stop();
  await world?.stop();
});

function config() {
  const bench = (name: string) =>
    `{ name: ${name}, command: "node dist/bench.js ${name} > ${name}.txt", output: { path: ${name}.txt, format: go-bench }, iterations: 10, warmups: 1, timeoutMinutes: 2 }`;
  return world.config({ runnerImage: image, benchmarks: [bench('hot'), bench('steady')] });
}

describe('BenchmarkRequest on the Kubernetes executor', () => {
  it('survives a preemption mid-run and reports once', async () => {
    const { fake } = world;
    const pr = await world.openPullRequest();
    const body = 'run benchmark hot steady';
    const source = triggerComment(fake, REPO, pr, body);
    await withWorker(
      config(),
      async ({ client, taskQueue }) => {
        const handle = await client.workflow.start(benchmarkRequest, {
          taskQueue,
          workflowId: commentRequestId(REPO, source.commentId),
          args: [{ source }],
        });
        expect(await handle.result()).toMatchObject({ outcome: 'done' });
      },
      { env: world.env },
    );
    expect(preempted).not.toBeNull();
    // One pod per attempt: the preempted one and its resumed successor.
    expect(podsSeen.size).toBe(2);
    // Inside the image: the work volume is /work there (a local process would name a host folder).
    expect(
      logLines.filter((l) => /^baseline: [0-9a-f]{40} at [0-9a-f]{12} in \/work\/src\/a$/.test(l)),
    ).toHaveLength(2);
    const reports = fake.comments(REPO, pr).filter((c) => c.author === BOT);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.body).toContain('✅ done');
    expect(reports[0]?.body).toMatch(/`hot › Hot`[^\n]*slower/);
  });
});
