import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { activeRequestsOnPullRequest } from '../../adapters/temporal/request-visibility.js';
import { startWebhookServer } from '../../adapters/webhook/server.js';
import type { RequestOutcome } from '../../core/request/types.js';
import { statusQuery } from '../../workflows/index.js';
import { type FakeGitHub, startFakeGitHub } from '../fakes/github/index.js';
import { signBody } from '../fakes/github/webhook-signature.js';
import { type FixtureRepo, makeFixtureRepo } from '../runner/fixture-repo.js';
import { runnerPids } from '../support/runner-processes.js';
import { startCommentRequest, triggerComment } from '../support/trigger-comment.js';
import { testConfig } from './test-config.js';
import { withWorker } from './worker-harness.js';

// New commits on a pull request supersede its requests that have not started: noticed through the
// webhook's `synchronize` (at once) or by the job itself just before it starts (polling). A
// running job finishes and says which commit it measured. One runner slot: the first request
// holds it on a benchmark that waits for the test to open its gate, the second waits in line.

const REPO = 'acme/widgets';
const BOT = 'benchbot[bot]';
const SECRET = 'webhook secret';
const env = { GITHUB_TOKEN: 'bot-token' };

let fake: FakeGitHub;
let fixture: FixtureRepo;
let pr: number;
const dataDir = mkdtempSync(join(tmpdir(), 'benchbot-supersede-'));

/** A file the gate benchmark waits for: the test opens it when the first job may finish. */
const newGate = () => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-'));
  // The sandboxed job runs as a uid of its own: it must be able to look into the gate's folder.
  chmodSync(dir, 0o755);
  return join(dir, 'open');
};

function config(onPush: 'supersede' | 'keep', gate: string) {
  return testConfig(`
version: 1
dataDir: ${JSON.stringify(dataDir)}
github: { apiUrl: ${JSON.stringify(fake.url)}, botLogin: "${BOT}" }
# The gate lives outside the job's folder: the sandboxed job sees its folder only read-only.
executor: { local: { readOnlyPaths: [${JSON.stringify(dirname(gate))}] } }
repos:
  - name: ${REPO}
    url: ${JSON.stringify(fixture.url)}
    trigger: { onPush: ${onPush} }
    build: { command: "sh build.sh", env: { BENCH_FLAVOR: x } }
    benchmarks:
      - { name: gate, command: "while [ ! -e ${gate} ]; do sleep 0.05; done; echo BenchmarkGate-1 1 1000 ns/op > gate.txt", output: { path: gate.txt, format: go-bench }, iterations: 2, warmups: 0, timeoutMinutes: 2 }
      - { name: steady, command: "node dist/bench.js steady > steady.txt", output: { path: steady.txt, format: go-bench }, iterations: 3, warmups: 0, timeoutMinutes: 2 }
`);
}

beforeAll(async () => {
  fixture = await makeFixtureRepo();
  fake = await startFakeGitHub({
    users: [
      { login: BOT, token: 'bot-token' },
      { login: 'alice', token: 'alice-token' },
    ],
  });
  fake.createRepo({ owner: 'acme', name: 'widgets', gitPath: join(fixture.dir, 'project') });
  pr = await fake.openPullRequest(REPO, { author: 'alice', head: { ref: 'slow' }, base: { ref: 'main' } });
});

afterEach(() => {
  // Back to the branch's own head for the next test.
  fake.updatePullRequest(REPO, pr, { headSha: null });
});

afterAll(async () => {
  await fake?.stop();
  await rm(dataDir, { recursive: true, force: true });
  if (fixture) await rm(fixture.dir, { recursive: true, force: true });
});

vi.setConfig({ testTimeout: 180_000 });

const start = (client: Client, taskQueue: string, body: string) =>
  startCommentRequest(client, taskQueue, triggerComment(fake, REPO, pr, body));

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const openGateFile = (gate: string) => writeFileSync(gate, '');

/** The first request holds the only slot (its job has started); the second waits in line. */
async function oneRunningOneQueued(client: Client, taskQueue: string, gate: string) {
  const running = await start(client, taskQueue, 'run benchmark gate');
  await until(
    () => running.query(statusQuery),
    (s) => s.state === 'building' || s.state === 'running',
  );
  const queued = await start(client, taskQueue, 'run benchmark steady');
  await until(
    () => queued.query(statusQuery),
    (s) => s.state === 'queued' && s.queuePosition !== null,
  );
  // Both as the webhook finds them: open requests on the pull request, in Temporal visibility.
  await until(
    () => activeRequestsOnPullRequest(client, REPO, pr),
    (open) => [running.workflowId, queued.workflowId].every((id) => open.some((o) => o.workflowId === id)),
  );
  return { running, queued, openGate: () => openGateFile(gate) };
}

const statusOf = (workflowId: string) =>
  fake.comments(REPO, pr).find((c) => c.author === BOT && c.body.includes(`<!-- benchbot:${workflowId} -->`))
    ?.body ?? '';

/** A `pull_request` `synchronize` delivery, signed as GitHub signs it. */
async function deliverPush(
  url: string,
  headSha: string,
): Promise<{ status: number; body: { told?: string[] } }> {
  const body = JSON.stringify({
    action: 'synchronize',
    repository: { full_name: REPO },
    pull_request: { number: pr, head: { sha: headSha } },
  });
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'pull_request',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': signBody(SECRET, body),
    },
    body,
  });
  return { status: res.status, body: (await res.json()) as { told?: string[] } };
}

async function withWebhook<T>(
  client: Client,
  taskQueue: string,
  onPush: 'supersede' | 'keep',
  gate: string,
  fn: (url: string) => Promise<T>,
): Promise<T> {
  const server = await startWebhookServer({
    port: 0,
    host: '127.0.0.1',
    secret: SECRET,
    client,
    taskQueue,
    config: config(onPush, gate),
    logger: pino({ level: 'silent' }),
    botLogin: async () => BOT,
  });
  try {
    return await fn(server.url);
  } finally {
    await server.close();
  }
}

describe('new commits on a pull request', () => {
  it('end a queued request at the webhook push, and a running job reports the commit it measured', async () => {
    const gate = newGate();
    await withWorker(
      config('supersede', gate),
      async ({ client, taskQueue }) => {
        const { running, queued, openGate } = await oneRunningOneQueued(client, taskQueue, gate);
        const pushed = fixture.shas.broken;
        fake.updatePullRequest(REPO, pr, { headSha: pushed });
        await withWebhook(client, taskQueue, 'supersede', gate, async (url) => {
          const delivery = await deliverPush(url, pushed);
          expect(delivery.status).toBe(202);
          expect(delivery.body.told?.sort()).toEqual([running.workflowId, queued.workflowId].sort());
        });

        // Ended while its job was still waiting for the slot.
        const outcome: RequestOutcome = await queued.result();
        expect(outcome).toEqual({ outcome: 'superseded', sha: pushed });
        const status = statusOf(queued.workflowId);
        expect(status).toContain('⏭️ superseded');
        expect(status).toContain(`moved the pull request's head to \`${pushed.slice(0, 10)}\``);
        expect(status).toContain('comment `run benchmark steady` again');
        expect((await running.query(statusQuery)).state).not.toBe('queued');

        openGate();
        expect(await running.result()).toMatchObject({ outcome: 'done' });
        const report = statusOf(running.workflowId);
        expect(report).toContain('✅ done');
        expect(report).toContain(
          `Measured \`${fixture.shas.slow.slice(0, 10)}\`: the pull request's head moved to \`${pushed.slice(0, 10)}\` while this ran.`,
        );
      },
      { env },
    );
  });

  it('without a webhook, end a request whose job finds the head moved just before it starts', async () => {
    const gate = newGate();
    await withWorker(
      config('supersede', gate),
      async ({ client, taskQueue }) => {
        const { running, queued, openGate } = await oneRunningOneQueued(client, taskQueue, gate);
        const pushed = fixture.shas.broken;
        fake.updatePullRequest(REPO, pr, { headSha: pushed });
        openGate();
        expect(await running.result()).toMatchObject({ outcome: 'done' });
        expect(await queued.result()).toEqual({ outcome: 'superseded', sha: pushed });
        expect(statusOf(queued.workflowId)).toContain(
          `moved the pull request's head to \`${pushed.slice(0, 10)}\` before this request started`,
        );
        // Its job ended at its first step, once: a non-retryable failure, not a run.
        const history = await queued.fetchHistory();
        const failed = (history.events ?? []).flatMap((e) => e.activityTaskFailedEventAttributes ?? []);
        expect(failed.map((f) => f.failure?.applicationFailureInfo?.type)).toEqual(['Superseded']);
      },
      { env },
    );
  });

  it('without a webhook, a job that had started and is retried after the head moved finishes, not superseded', async () => {
    const gate = newGate();
    await withWorker(
      config('supersede', gate),
      async ({ client, taskQueue }) => {
        const running = await start(client, taskQueue, 'run benchmark gate');
        await until(
          () => running.query(statusQuery),
          (s) => s.state === 'running',
        );
        fake.updatePullRequest(REPO, pr, { headSha: fixture.shas.broken });
        // The runner is lost mid-job (a worker or node gone): the job's retry resumes it, because
        // it had started; it is not a request that is still waiting for its runner.
        const pids = await until(
          () => runnerPids(dataDir),
          (found) => found.length > 0,
        );
        expect(pids).toHaveLength(1);
        process.kill(pids[0] as number, 'SIGKILL');
        openGateFile(gate);
        expect(await running.result()).toMatchObject({ outcome: 'done' });
        const report = statusOf(running.workflowId);
        expect(report).toContain('✅ done');
        expect(report).toContain(fixture.shas.slow.slice(0, 10));
        const history = await running.fetchHistory();
        const failed = (history.events ?? []).flatMap((e) => e.activityTaskFailedEventAttributes ?? []);
        expect(failed).toEqual([]);
        const attempts = (history.events ?? []).flatMap((e) => e.activityTaskStartedEventAttributes ?? []);
        expect(Math.max(...attempts.map((a) => a.attempt ?? 1))).toBeGreaterThan(1);
      },
      { env },
    );
  });

  it('leave a request that names its changed commit alone: its report does not say the head moved', async () => {
    const gate = newGate();
    await withWorker(
      config('supersede', gate),
      async ({ client, taskQueue }) => {
        const named = await start(client, taskQueue, 'run benchmark gate\nchanged:\n  ref: slow');
        await until(
          () => named.query(statusQuery),
          (s) => s.state === 'building' || s.state === 'running',
        );
        await until(
          () => activeRequestsOnPullRequest(client, REPO, pr),
          (open) => open.some((o) => o.workflowId === named.workflowId),
        );
        const pushed = fixture.shas.broken;
        fake.updatePullRequest(REPO, pr, { headSha: pushed });
        await withWebhook(client, taskQueue, 'supersede', gate, async (url) => {
          expect((await deliverPush(url, pushed)).status).toBe(202);
        });
        openGateFile(gate);
        expect(await named.result()).toMatchObject({ outcome: 'done' });
        const report = statusOf(named.workflowId);
        expect(report).toContain('✅ done');
        expect(report).toContain(fixture.shas.slow.slice(0, 10));
        expect(report).not.toContain('head moved');
        expect(report).not.toContain(pushed.slice(0, 10));
      },
      { env },
    );
  });

  it('with trigger.onPush: keep, run the queued request as asked', async () => {
    const gate = newGate();
    await withWorker(
      config('keep', gate),
      async ({ client, taskQueue }) => {
        const { running, queued, openGate } = await oneRunningOneQueued(client, taskQueue, gate);
        fake.updatePullRequest(REPO, pr, { headSha: fixture.shas.broken });
        await withWebhook(client, taskQueue, 'keep', gate, async (url) => {
          const delivery = await deliverPush(url, fixture.shas.broken);
          expect(delivery).toEqual({ status: 202, body: { ignored: 'trigger.onPush is keep' } });
        });
        openGate();
        expect(await running.result()).toMatchObject({ outcome: 'done' });
        expect(await queued.result()).toMatchObject({ outcome: 'done' });
        expect(statusOf(queued.workflowId)).toContain(fixture.shas.slow.slice(0, 10));
      },
      { env },
    );
  });
});
