import { mkdtempSync } from 'node:fs';
import { chmod, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commentRequestId } from '../../core/request/ids.js';
import type { CommentSource } from '../../core/request/types.js';
import { benchmarkRequest } from '../../workflows/index.js';
import { type FakeGitHub, startFakeGitHub } from '../fakes/github/index.js';
import { testConfig } from '../integration/test-config.js';
import { withWorker } from '../integration/worker-harness.js';
import { type FixtureRepo, makeFixtureRepo } from '../runner/fixture-repo.js';
import { RUNNER_IMAGE_BUILD_TIMEOUT_MS, runnerImage } from '../support/runner-image.js';
import { podmanRuntime } from './container-runtime.js';
import { type ControlPlane, createNamespace, startControlPlane } from './control-plane.js';
import { type FakeCluster, startFakeCluster } from './fake-cluster.js';

// The done-when of the Kubernetes executor: a request from a PR comment runs as Jobs on the real
// API server, each pod's container is the real runner image run by podman (built from this
// checkout), its first pod is preempted after its first measured round (SIGTERM to the container),
// the retry resumes from the checkpoint the worker keeps in the results store, and the PR gets
// exactly one report, its results read from the containers' logs.

const REPO = 'acme/widgets';
const BOT = 'benchbot[bot]';
const NAMESPACE = 'benchmarking';

let plane: ControlPlane;
let cluster: FakeCluster;
let fake: FakeGitHub;
let fixture: FixtureRepo;
const podsSeen = new Set<string>();
const logLines: string[] = [];
let preempted: string | null = null;
let image: string;
const dataDir = mkdtempSync(join(tmpdir(), 'benchbot-kube-request-'));

vi.setConfig({ testTimeout: 180_000 });

beforeAll(async () => {
  [image, plane, fixture] = await Promise.all([runnerImage(), startControlPlane(), makeFixtureRepo()]);
  // The container's user (uid 1000, as in the Job) clones it.
  await chmod(fixture.dir, 0o755);
  await createNamespace(plane.kubeConfig, NAMESPACE);
  cluster = await startFakeCluster({
    kubeConfig: plane.kubeConfig,
    namespace: NAMESPACE,
    // The container clones the fixture repository over file://, its stand-in for the network.
    runtime: podmanRuntime({ hostPaths: [fixture.dir] }),
    onLine: (pod, line, c) => {
      podsSeen.add(pod);
      logLines.push(line);
      if (preempted === null && line.startsWith('{"type":"file-end","name":"checkpoint.json"')) {
        preempted = pod;
        void c.preempt(pod, 'TerminationByKubelet');
      }
    },
  });
  fake = await startFakeGitHub({
    users: [
      { login: BOT, token: 'bot-token' },
      { login: 'alice', token: 'alice-token' },
    ],
  });
  fake.createRepo({ owner: 'acme', name: 'widgets', gitPath: join(fixture.dir, 'project') });
  fake.setPermission(REPO, 'alice', 'maintain');
}, RUNNER_IMAGE_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await cluster?.stop();
  await plane?.stop();
  await fake?.stop();
  await rm(dataDir, { recursive: true, force: true });
  if (fixture) await rm(fixture.dir, { recursive: true, force: true });
});

function config() {
  const bench = (name: string) =>
    `{ name: ${name}, command: "node dist/bench.js ${name} > ${name}.txt", output: { path: ${name}.txt, format: go-bench }, iterations: 10, warmups: 1, timeoutMinutes: 2 }`;
  return testConfig(`
version: 1
dataDir: ${JSON.stringify(dataDir)}
github: { apiUrl: ${JSON.stringify(fake.url)}, botLogin: "${BOT}" }
executor:
  kind: kubernetes
  kubernetes: { namespace: ${NAMESPACE}, runnerImage: ${JSON.stringify(image)}, cpu: "2", memory: 2Gi, pendingGraceSeconds: 60 }
repos:
  - name: ${REPO}
    url: ${JSON.stringify(fixture.url)}
    build: { command: "sh build.sh", env: { BENCH_FLAVOR: x } }
    benchmarks:
      - ${bench('hot')}
      - ${bench('steady')}
`);
}

describe('BenchmarkRequest on the Kubernetes executor', () => {
  it('survives a preemption mid-run and reports once', async () => {
    const pr = await fake.openPullRequest(REPO, {
      author: 'alice',
      head: { ref: 'slow' },
      base: { ref: 'main' },
    });
    const body = 'run benchmark hot steady';
    const view = fake.addComment(REPO, pr, { author: 'alice', body, authorAssociation: 'MEMBER' });
    const source: CommentSource = {
      kind: 'comment',
      repo: REPO,
      pr,
      commentId: view.id,
      requester: 'alice',
      association: 'MEMBER',
      body,
    };
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
      { env: { GITHUB_TOKEN: 'bot-token', KUBECONFIG: plane.kubeconfigPath } },
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
