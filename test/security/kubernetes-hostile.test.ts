import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { chmod, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commentMarker, commentRequestId } from '../../core/request/ids.js';
import type { CommentSource, RequestOutcome } from '../../core/request/types.js';
import { benchmarkRequest } from '../../workflows/index.js';
import { type FakeGitHub, startFakeGitHub } from '../fakes/github/index.js';
import { testConfig } from '../integration/test-config.js';
import { withWorker } from '../integration/worker-harness.js';
import { podmanRuntime } from '../kube/container-runtime.js';
import { type ControlPlane, createNamespace, startControlPlane } from '../kube/control-plane.js';
import { type FakeCluster, startFakeCluster } from '../kube/fake-cluster.js';
import { type FixtureRepo, makeFixtureRepo } from '../runner/fixture-repo.js';
import { CONTAINERS_CONF, RUNNER_IMAGE_BUILD_TIMEOUT_MS, runnerImage } from '../support/runner-image.js';

// The hostile pull request of local-sandbox.test.ts, on the Kubernetes executor: a real worker,
// Jobs on the real API server, each pod's container the real runner image run by podman with the
// pod's user, capabilities, mounts and limits. Each benchmark tries one thing and writes a result
// only when the attempt failed, so a benchmark the report marks failed is an attack that got
// through (the fork bomb is meant to fail). What the pod spec itself holds (no token, no env) is
// checked after admission in kubernetes-runner-pod.test.ts; here the code inside the pod looks.
// Not here, as it is not contained the way the local box contains it: a command that kills every
// process it may signal (`kill -9 -1`) takes the runner down with it in a pod (same uid, no PID
// namespace between them), so the attempt fails and the retry meets it again: the request fails,
// instead of that one benchmark.

vi.setConfig({ testTimeout: 300_000 });

const REPO = 'acme/hostile';
const BOT = 'benchbot[bot]';
const NAMESPACE = 'hostile';
const TOKEN = 'bot-token';
const DATABASE_URL = 'postgres://benchbot:hunter2-db-password@db.internal/benchbot';
const TOKEN_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const LEFTOVER = '4242.5';

let plane: ControlPlane;
let cluster: FakeCluster;
let fake: FakeGitHub;
let fixture: FixtureRepo;
let image: string;
const dataDir = mkdtempSync(join(tmpdir(), 'benchbot-kube-hostile-'));
const configFile = join(dataDir, 'benchbot.yaml');

const result = (name: string) =>
  `echo Benchmark${name[0]?.toUpperCase()}${name.slice(1)}-1 1 100 ns/op > ${name}.txt`;

/** Counts the daemons' processes (the image has no procps, so no pgrep). */
const sleepers = `n=0; for p in /proc/[0-9]*; do [ "$(tr '\\0' ' ' < $p/cmdline 2>/dev/null)" = 'sleep ${LEFTOVER} ' ] && n=$((n+1)); done; echo $n`;

/** name -> shell command; each in its own benchmark, in this order. */
function attacks(): Record<string, string> {
  return {
    // Every process's environment the pod shows, for the worker's token and database password.
    environ: `if cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -e GITHUB_TOKEN -e ${TOKEN} -e hunter2 -e BENCHBOT_DATABASE_URL; then echo FOUND-SECRET; exit 1; fi; ${result('environ')}`,
    // The cluster's credential for the pod, the worker's kubeconfig (an admin's), its data folder and config.
    files: `for f in ${TOKEN_DIR}/token ${plane.kubeconfigPath} ${dataDir}/decoy.txt ${configFile}; do if cat "$f" 2>/dev/null; then echo READ "$f"; exit 1; fi; done; if test -e ${TOKEN_DIR} || test -e ${dataDir}; then echo SAW-SECRET-PATH; exit 1; fi; ${result('files')}`,
    // Writing anywhere but the pod's work volume: the runner's code, the job spec's volume, the system.
    write: `w=0; for f in /opt/benchbot/runner/evil /etc/benchbot/job/evil /etc/evil /usr/evil /evil ${dataDir}/evil; do if (echo pwned > "$f") 2>/dev/null; then echo WROTE "$f"; w=1; fi; done; [ $w = 0 ] && ${result('write')}`,
    // A fork bomb: bounded by the container's pids limit (podman's 2048 here, the node's
    // podPidsLimit on a cluster). Alone in its job: nothing in the pod reaps its dead (PID 1 is
    // node), so the rest of that job could not fork.
    forkbomb: 'f() { f | f & }; f; sleep 5',
    // A daemon left behind, out of the command's process group and session; it must have started.
    daemon: `setsid sleep ${LEFTOVER} > /dev/null 2>&1 < /dev/null & nohup sleep ${LEFTOVER} > /dev/null 2>&1 & sleep 1; [ "$(${sleepers})" = 2 ] || { echo DAEMONS-NOT-STARTED; exit 1; }; ${result('daemon')}`,
    // Runs after the others: the job went on, and no daemon is left in the pod.
    canary: `[ "$(${sleepers})" = 0 ] || { echo DAEMON-LEFT; exit 1; }; ${result('canary')}`,
  };
}

function configText(): string {
  const benchmarks = Object.entries(attacks()).map(
    ([name, command]) =>
      `      - { name: ${name}, command: ${JSON.stringify(command)}, output: { path: ${name}.txt, format: go-bench }, iterations: 1, warmups: 0, timeoutMinutes: 1 }`,
  );
  return `
version: 1
dataDir: ${JSON.stringify(dataDir)}
github: { apiUrl: ${JSON.stringify(fake.url)}, botLogin: "${BOT}" }
executor:
  kind: kubernetes
  kubernetes: { namespace: ${NAMESPACE}, runnerImage: ${JSON.stringify(image)}, cpu: "1", memory: 1Gi, pendingGraceSeconds: 60 }
repos:
  - name: ${REPO}
    url: ${JSON.stringify(fixture.url)}
    trigger: { maxQueuedPerRequester: 100 }
    build: { command: "sh build.sh", env: { BENCH_FLAVOR: x } }
    benchmarks:
${benchmarks.join('\n')}
`;
}

beforeAll(async () => {
  [image, plane, fixture] = await Promise.all([runnerImage(), startControlPlane(), makeFixtureRepo()]);
  // The container's user (uid 1000, as in the Job) clones it.
  await chmod(fixture.dir, 0o755);
  await createNamespace(plane.kubeConfig, NAMESPACE);
  cluster = await startFakeCluster({
    kubeConfig: plane.kubeConfig,
    runtime: podmanRuntime({ hostPaths: [fixture.dir] }),
  });
  fake = await startFakeGitHub({
    users: [
      { login: BOT, token: TOKEN },
      { login: 'alice', token: 'alice-token' },
    ],
  });
  fake.createRepo({ owner: 'acme', name: 'hostile', gitPath: join(fixture.dir, 'project') });
  writeFileSync(join(dataDir, 'decoy.txt'), 'data folder contents\n');
}, RUNNER_IMAGE_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await cluster?.stop();
  await plane?.stop();
  await fake?.stop();
  await rm(dataDir, { recursive: true, force: true });
  if (fixture) await rm(fixture.dir, { recursive: true, force: true });
});

async function request(client: Client, taskQueue: string, pr: number, body: string) {
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
  const handle = await client.workflow.start(benchmarkRequest, {
    taskQueue,
    workflowId: commentRequestId(REPO, source.commentId),
    args: [{ source }],
  });
  const outcome = (await handle.result()) as RequestOutcome;
  const comments = fake
    .comments(REPO, pr)
    .filter((c) => c.author === BOT && c.body.includes(commentMarker(handle.workflowId)));
  return { outcome, comments };
}

/** Whether podman still runs the container of a pod the fake kubelet started. */
async function runningContainer(pod: string): Promise<boolean> {
  const { stdout } = await promisify(execFile)(
    'podman',
    ['ps', '-q', '--filter', `name=^benchbot-kubelet-${pod}$`],
    { env: { ...process.env, CONTAINERS_CONF } },
  );
  return stdout.trim() !== '';
}

describe('a hostile pull request on the Kubernetes executor', () => {
  it('reads no secret, writes nowhere else, leaves nothing behind, and the worker keeps serving', async () => {
    const text = configText();
    writeFileSync(configFile, text);
    const pr = await fake.openPullRequest(REPO, {
      author: 'alice',
      head: { ref: 'slow' },
      base: { ref: 'main' },
    });
    await withWorker(
      testConfig(text),
      async ({ client, taskQueue }) => {
        const run = async (names: string[]) => {
          const { outcome, comments } = await request(
            client,
            taskQueue,
            pr,
            `run benchmark ${names.join(' ')}`,
          );
          expect(outcome).toMatchObject({ outcome: 'done' });
          expect(comments).toHaveLength(1);
          const report = comments[0]?.body ?? '';
          expect(report).toContain('✅ done');
          expect(report).not.toMatch(
            /FOUND-SECRET|READ |WROTE |SAW-SECRET-PATH|DAEMONS-NOT-STARTED|DAEMON-LEFT/,
          );
          return [...report.matchAll(/⛔ failed: `([a-z]+)/g)].map((m) => m[1]);
        };
        expect(await run(['environ', 'files', 'write', 'daemon', 'canary'])).toEqual([]);
        expect(await run(['forkbomb'])).toEqual(['forkbomb']);
        // One pod per request: nothing was retried. Each pod's container ended with its job, so
        // no daemon outlived it.
        const pods = cluster.pods();
        expect(pods).toHaveLength(2);
        for (const pod of pods) expect(await runningContainer(pod)).toBe(false);

        // The worker keeps serving.
        expect(await run(['canary'])).toEqual([]);
      },
      {
        env: {
          GITHUB_TOKEN: TOKEN,
          BENCHBOT_DATABASE_URL: DATABASE_URL,
          KUBECONFIG: plane.kubeconfigPath,
        },
      },
    );
  });
});
