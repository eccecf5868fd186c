import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_BODY_BYTES, startWebhookServer, type WebhookServer } from '../../adapters/webhook/server.js';
import type { BenchbotConfig } from '../../core/config/index.js';
import { commentRequestId } from '../../core/request/ids.js';
import { pollerStatusOf, startPoller, stopPoller } from '../../starter/commands/poller.js';
import { type FakeGitHub, startFakeGitHub } from '../fakes/github/index.js';
import { signBody } from '../fakes/github/webhook-signature.js';
import { testConfig } from './test-config.js';
import { eventually, type RunningWorkers, sleep, startTestWorkers, testClient } from './worker-harness.js';

const BOT = 'benchbot[bot]';
const SECRET = 'It is a secret to everybody';
const NAME = `hooks${randomUUID().slice(0, 6)}`;
const REPO = `acme/${NAME}`;

let fake: FakeGitHub;
let client: Client;
let closeClient: () => Promise<void>;
let config: BenchbotConfig;
let server: WebhookServer;
let workers: RunningWorkers;
let pr: number;
const taskQueue = `webhook-${randomUUID()}`;

beforeAll(async () => {
  fake = await startFakeGitHub({
    users: [
      { login: BOT, token: 'bot-token' },
      { login: 'alice', token: 'alice-token' },
    ],
  });
  fake.createRepo({ owner: 'acme', name: NAME });
  const root = fake.addCommit(REPO, { message: 'root', branch: 'main' });
  fake.addCommit(REPO, { message: 'topic', parents: [root.sha], branch: 'topic' });
  pr = await fake.openPullRequest(REPO, { author: 'alice', head: { ref: 'topic' }, base: { ref: 'main' } });
  config = testConfig(`
version: 1
github: { apiUrl: ${JSON.stringify(fake.url)}, botLogin: "${BOT}" }
repos:
  - name: ${REPO}
    benchmarks:
      - { name: hot, command: "true", output: { format: wall-clock } }
  - { name: acme/unwatched, watch: false }
`);
  ({ client, close: closeClient } = await testClient());
  workers = await startTestWorkers(config, { taskQueue, env: { GITHUB_TOKEN: 'bot-token' } });
  server = await startWebhookServer({
    port: 0,
    host: '127.0.0.1',
    secret: SECRET,
    client,
    taskQueue,
    config,
    logger: pino({ level: 'silent' }),
    botLogin: async () => BOT,
  });
});

afterAll(async () => {
  await server?.close();
  await workers?.stop();
  await closeClient?.();
  await fake?.stop();
});

vi.setConfig({ testTimeout: 60_000 });

interface Delivery {
  event?: string;
  body: string | Buffer;
  signature?: string | null;
  contentLength?: number;
}

/** One POST as GitHub sends it; signed with the shared secret unless the test says otherwise. */
function deliver({
  event = 'issue_comment',
  body,
  signature,
}: Delivery): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': randomUUID(),
  };
  const sig = signature === undefined ? signBody(SECRET, body) : signature;
  if (sig !== null) headers['x-hub-signature-256'] = sig;
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}/webhook`, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    // A server that stops reading an oversize body may reset the connection after answering.
    req.on('error', reject);
    req.end(body);
  });
}

function eventFor(commentId: number, action = 'created', repo = REPO): string {
  const comment = fake.comments(REPO, pr).find((c) => c.id === commentId);
  return JSON.stringify({
    action,
    repository: { full_name: repo },
    issue: { number: pr, pull_request: {} },
    comment: {
      id: commentId,
      body: comment?.body ?? '',
      user: { login: comment?.author ?? 'alice' },
      author_association: comment?.authorAssociation ?? 'MEMBER',
      updated_at: new Date(comment?.updatedAt ?? Date.now()).toISOString(),
      html_url: `https://github.com/${repo}/pull/${pr}#issuecomment-${commentId}`,
      issue_url: `https://api.github.com/repos/${repo}/issues/${pr}`,
    },
  });
}

describe('webhook receiver', () => {
  it('refuses deliveries without the right signature, and oversize bodies', async () => {
    const body = eventFor(1);
    expect((await deliver({ body, signature: null })).status).toBe(401);
    expect((await deliver({ body, signature: signBody('another secret', body) })).status).toBe(401);
    expect((await deliver({ body, signature: 'sha256=short' })).status).toBe(401);
    expect(
      (await deliver({ body, signature: signBody(SECRET, body).replace('sha256=', 'sha1=') })).status,
    ).toBe(401);
    const huge = Buffer.alloc(MAX_BODY_BYTES + 1, 'x');
    expect((await deliver({ body: huge })).status).toBe(413);
  });

  it('ignores what cannot be a trigger with 202, and answers pings', async () => {
    const id = fake.addComment(REPO, pr, {
      author: 'alice',
      body: 'run benchmarks',
      authorAssociation: 'MEMBER',
    }).id;
    const chat = fake.addComment(REPO, pr, { author: 'alice', body: 'lgtm', authorAssociation: 'MEMBER' }).id;
    const own = fake.addComment(REPO, pr, { author: BOT, body: 'run benchmarks' }).id;
    const cases: [string, Delivery, number, RegExp][] = [
      ['ping', { event: 'ping', body: '{"zen":"Keep it logically awesome."}' }, 200, /ok/],
      ['another event', { event: 'push', body: '{}' }, 202, /neither issue_comment nor pull_request/],
      ['a deletion', { body: eventFor(id, 'deleted') }, 202, /action deleted/],
      ['an unwatched repository', { body: eventFor(id, 'created', 'acme/unwatched') }, 202, /not a watched/],
      ['ordinary text', { body: eventFor(chat) }, 202, /not a trigger/],
      ["benchbot's own comment", { body: eventFor(own) }, 202, /own comment/],
      ['not JSON', { body: '{' }, 400, /not JSON/],
    ];
    for (const [name, delivery, status, text] of cases) {
      const reply = await deliver(delivery);
      expect({ name, status: reply.status }).toEqual({ name, status });
      expect(reply.body).toMatch(text);
    }
    for (const commentId of [id, chat, own]) {
      await expect(client.workflow.getHandle(commentRequestId(REPO, commentId)).describe()).rejects.toThrow();
    }
  });

  it('starts the request once however often the comment is delivered, and the poller does not start it again', async () => {
    const before = fake.comments(REPO, pr).filter((c) => c.author === BOT).length;
    // The poller reads from one second before its start; keep the comments of the test above out of it.
    await sleep(1_100);
    await startPoller(client, { repo: REPO, intervalSeconds: 0.5, taskQueue });
    const id = fake.addComment(REPO, pr, {
      author: 'alice',
      body: 'show benchmark queue',
      authorAssociation: 'MEMBER',
    }).id;
    const first = await deliver({ body: eventFor(id) });
    const redelivered = await deliver({ body: eventFor(id) });
    expect(first.status).toBe(202);
    expect(redelivered.status).toBe(202);
    const outcomes = [JSON.parse(first.body).outcome, JSON.parse(redelivered.body).outcome];
    // The poller may have been quicker than the first delivery; either way exactly one started it.
    expect(outcomes[1]).toBe('already-started');

    const workflowId = commentRequestId(REPO, id);
    await client.workflow.getHandle(workflowId).result();
    const updatedAt = fake.comments(REPO, pr).find((c) => c.id === id)?.updatedAt ?? 0;
    const status = await eventually('the poller to read past the comment', async () => {
      const s = await pollerStatusOf(client, REPO);
      return s && Date.parse(s.cursor) >= updatedAt && s.totals.started + s.totals.alreadyStarted >= 1
        ? s
        : undefined;
    });
    const startedByWebhook = outcomes.filter((o) => o === 'started').length;
    expect(status.totals.started + startedByWebhook).toBe(1);
    expect(status.totals.started + status.totals.alreadyStarted).toBe(1);
    const executions = await eventually('visibility of the request', async () => {
      const found = [];
      for await (const info of client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
        found.push(info);
      return found.length > 0 ? found : undefined;
    });
    expect(executions).toHaveLength(1);

    const replies = fake
      .comments(REPO, pr)
      .filter((c) => c.author === BOT)
      .slice(before);
    expect(replies.filter((c) => c.body.includes(workflowId))).toHaveLength(1);
    expect(fake.reactions(id).map((r) => r.content)).toEqual(['eyes']);
    await stopPoller(client, REPO, 20_000);
  });
});
