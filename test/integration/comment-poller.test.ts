import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pollerWorkflowId } from '../../core/poller/ids.js';
import type { PollerState } from '../../core/poller/state.js';
import { commentRequestId } from '../../core/request/ids.js';
import type { BenchmarkRequestInput } from '../../core/request/types.js';
import { pollerStatusOf, startPoller, stopPoller } from '../../starter/commands/poller.js';
import { type FakeGitHub, startFakeGitHub } from '../fakes/github/index.js';
import { testConfig } from './test-config.js';
import { eventually, type RunningWorkers, sleep, startTestWorkers, testClient } from './worker-harness.js';

// The poller's own job is to start the right BenchmarkRequest ids; what a request then does is
// tested elsewhere. So requests start on a task queue no worker serves ("parked"), where they can
// be counted and described without running, and are terminated afterwards.

const BOT = 'benchbot[bot]';
const env = { GITHUB_TOKEN: 'bot-token' };
const LIST_ROUTE = '/repos/{owner}/{repo}/issues/comments';
const INTERVAL = 0.5;

let fake: FakeGitHub;
let client: Client;
let closeClient: () => Promise<void>;
const parked = new Set<string>();

beforeAll(async () => {
  fake = await startFakeGitHub({
    users: [
      { login: BOT, token: 'bot-token' },
      { login: 'alice', token: 'alice-token' },
    ],
  });
  ({ client, close: closeClient } = await testClient());
});

afterAll(async () => {
  for (const id of parked)
    await client.workflow
      .getHandle(id)
      .terminate('test over')
      .catch(() => {});
  await closeClient?.();
  await fake?.stop();
});

vi.setConfig({ testTimeout: 90_000 });

interface Scene {
  repo: string;
  pr: number;
  issue: number;
  taskQueue: string;
  requestQueue: string;
  workers: RunningWorkers;
  listRequests: () => ReturnType<FakeGitHub['requestsMatching']>;
  startWorkers: () => Promise<RunningWorkers>;
  trigger: (body?: string, author?: string) => number;
  started: (commentId: number) => Promise<BenchmarkRequestInput | null>;
  done: () => Promise<PollerState | null>;
}

/** A fresh repository with a PR and an issue, workers on their own queue, and its poller running. */
async function scene(options: { cyclesPerRun?: number } = {}): Promise<Scene> {
  const name = `w${randomUUID().slice(0, 8)}`;
  const repo = `acme/${name}`;
  fake.createRepo({ owner: 'acme', name });
  const root = fake.addCommit(repo, { message: 'root', branch: 'main' });
  fake.addCommit(repo, { message: 'topic', parents: [root.sha], branch: 'topic' });
  const pr = await fake.openPullRequest(repo, {
    author: 'alice',
    head: { ref: 'topic' },
    base: { ref: 'main' },
  });
  const issue = fake.openIssue(repo, { author: 'alice', title: 'a bug' });
  const config = testConfig(`
version: 1
github: { apiUrl: ${JSON.stringify(fake.url)}, botLogin: "${BOT}" }
repos:
  - name: ${repo}
    benchmarks:
      - { name: hot, command: "true", output: { format: wall-clock } }
`);
  const taskQueue = `poller-${randomUUID()}`;
  const requestQueue = `parked-${randomUUID()}`;
  const startWorkers = () => startTestWorkers(config, { taskQueue, env });
  const workers = await startWorkers();
  const s: Scene = {
    repo,
    pr,
    issue,
    taskQueue,
    requestQueue,
    workers,
    startWorkers,
    listRequests: () =>
      fake.requestsMatching({ route: LIST_ROUTE }).filter((r) => r.path === `/repos/${repo}/issues/comments`),
    trigger: (body = 'run benchmarks', author = 'alice') =>
      fake.addComment(repo, pr, { author, body, authorAssociation: 'MEMBER' }).id,
    async started(commentId) {
      const handle = client.workflow.getHandle(commentRequestId(repo, commentId));
      const history = await handle.fetchHistory().catch(() => null);
      const started = history?.events?.[0]?.workflowExecutionStartedEventAttributes;
      if (!started) return null;
      parked.add(handle.workflowId);
      expect(started.taskQueue?.name).toBe(requestQueue);
      const input = started.input?.payloads?.[0]?.data;
      return input ? (JSON.parse(Buffer.from(input).toString('utf8')) as BenchmarkRequestInput) : null;
    },
    async done() {
      await stopPoller(client, repo, 20_000);
      await s.workers.stop();
      const handle = client.workflow.getHandle(pollerWorkflowId(repo));
      return (await handle.result().catch(() => null)) as PollerState | null;
    },
  };
  await startPoller(client, {
    repo,
    intervalSeconds: INTERVAL,
    taskQueue,
    requestTaskQueue: requestQueue,
    ...(options.cyclesPerRun ? { cyclesPerRun: options.cyclesPerRun } : {}),
  });
  // The first cycle reads from the poller's start; comments before it are not its business.
  await eventually('the first poll', () => s.listRequests().length > 0);
  return s;
}

describe('CommentPoller', () => {
  it('starts one request per trigger on a PR, by comment id; edits into a trigger count, edits of one do not', async () => {
    const s = await scene();
    const trigger = s.trigger('run benchmark hot');
    const onIssue = fake.addComment(s.repo, s.issue, { author: 'alice', body: 'run benchmarks' }).id;
    const ours = fake.addComment(s.repo, s.pr, { author: BOT, body: 'run benchmarks' }).id;
    const chat = s.trigger('nice work, thanks');

    const input = await eventually('the trigger to start', () => s.started(trigger));
    expect(input?.source).toEqual({
      kind: 'comment',
      repo: s.repo,
      pr: s.pr,
      commentId: trigger,
      requester: 'alice',
      association: 'MEMBER',
      body: 'run benchmark hot',
    });
    const firstRun = (await client.workflow.getHandle(commentRequestId(s.repo, trigger)).describe()).runId;

    await sleep(1_000);
    fake.editComment(chat, 'run benchmarks');
    fake.editComment(trigger, 'run benchmark hot\nenv:\n  X: 1');
    await eventually('the edited comment to start', () => s.started(chat));
    await eventually('the edit of the trigger to be seen', async () => {
      const status = await pollerStatusOf(client, s.repo);
      return (status?.totals.alreadyStarted ?? 0) >= 1;
    });
    const again = await client.workflow.getHandle(commentRequestId(s.repo, trigger)).describe();
    expect(again.runId).toBe(firstRun);
    expect(await s.started(onIssue)).toBeNull();
    expect(await s.started(ours)).toBeNull();

    const final = await s.done();
    expect(final?.totals).toMatchObject({ started: 2, alreadyStarted: 1 });
  });

  it('costs an idle repository one uncounted 304 a cycle, ETag kept in workflow state across worker restarts', async () => {
    const s = await scene();
    // Three cycles, however long the machine takes to run them.
    const idle = await eventually('three polls of the idle repository', () => {
      const requests = s.listRequests();
      return requests.length >= 3 ? requests : undefined;
    });
    expect(idle.length).toBeGreaterThanOrEqual(3);
    expect(idle.filter((r) => r.counted)).toHaveLength(1);
    expect(idle.slice(1).every((r) => r.status === 304 && !r.counted)).toBe(true);

    await s.workers.stop();
    const before = s.listRequests().length;
    s.workers = await s.startWorkers();
    await eventually('a poll by the new worker', () => s.listRequests().length > before);
    expect(
      s
        .listRequests()
        .slice(before)
        .every((r) => r.status === 304 && !r.counted),
    ).toBe(true);

    const status = await pollerStatusOf(client, s.repo);
    expect(status?.thisHour.counted).toBe(1);
    expect(status?.thisHour.notModified).toBe((status?.thisHour.requests ?? 0) - 1);
    await s.done();
  });

  it('loses no trigger written while the worker was down: a new worker catches up from the cursor', async () => {
    const s = await scene({ cyclesPerRun: 3 });
    await s.workers.stop();
    const written = [s.trigger(), s.trigger('run benchmark hot'), s.trigger('show benchmark queue')];
    await sleep(2_000);
    expect(await s.started(written[0] ?? 0)).toBeNull();

    s.workers = await s.startWorkers();
    for (const id of written) await eventually(`comment ${id} to start`, () => s.started(id));

    // And after several continue-as-new, the cursor still holds: nothing is started twice.
    await sleep(3_000);
    const final = await s.done();
    expect(final?.totals.started).toBe(3);
    const runs = await eventually('visibility of the poller runs', async () => {
      let count = 0;
      for await (const _ of client.workflow.list({ query: `WorkflowId = '${pollerWorkflowId(s.repo)}'` }))
        count++;
      return count > 1 ? count : undefined;
    });
    expect(runs).toBeGreaterThan(1);
  });

  it('reads 250 new comments in one cycle across pages, starting every one', async () => {
    const s = await scene();
    fake.clearRequests();
    const ids = Array.from({ length: 250 }, (_, i) =>
      s.trigger(i % 2 === 0 ? 'run benchmarks' : 'run benchmark hot'),
    );
    await eventually(
      'all 250 to start',
      async () => {
        const status = await pollerStatusOf(client, s.repo);
        return (status?.totals.started ?? 0) >= 250;
      },
      60_000,
    );
    for (const id of [ids[0], ids[99], ids[100], ids[249]]) expect(await s.started(id ?? 0)).not.toBeNull();
    const pages = s.listRequests().filter((r) => r.status === 200);
    expect(pages.slice(0, 3).map((r) => new URLSearchParams(r.query).get('page'))).toEqual([null, '2', '3']);
    const final = await s.done();
    expect(final?.totals.started).toBe(250);
    for (const id of ids) parked.add(commentRequestId(s.repo, id));
  });

  it('rides out a 403 secondary rate limit and a 502, then starts the comment written meanwhile', async () => {
    const s = await scene();
    const path = `/repos/${s.repo}/issues/comments`;
    fake.faults.next({ status: 403, retryAfter: 1, match: { method: 'GET', pathPattern: path }, times: 5 });
    fake.faults.next({ status: 502, match: { method: 'GET', pathPattern: path } });
    const id = s.trigger();
    await eventually('the trigger to start after the faults', () => s.started(id), 30_000);
    const statuses = s.listRequests().map((r) => r.status);
    expect(statuses.filter((st) => st === 403)).toHaveLength(5);
    expect(statuses).toContain(502);
    expect(fake.faults.pending()).toBe(0);
    const final = await s.done();
    expect(final?.totals.started).toBe(1);
  });

  it('resumes from the stopped poller’s cursor on the next start', async () => {
    const s = await scene();
    await stopPoller(client, s.repo, 20_000);
    const whileStopped = s.trigger();
    expect(
      await startPoller(client, {
        repo: s.repo,
        intervalSeconds: INTERVAL,
        taskQueue: s.taskQueue,
        requestTaskQueue: s.requestQueue,
      }),
    ).toBe('resumed');
    await eventually('the comment written while stopped', () => s.started(whileStopped));
    expect(await startPoller(client, { repo: s.repo, intervalSeconds: 1, taskQueue: s.taskQueue })).toBe(
      'already running',
    );
    await eventually(
      'the new interval',
      async () => (await pollerStatusOf(client, s.repo))?.intervalSeconds === 1,
    );
    await s.done();
  });
});
