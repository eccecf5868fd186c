import { mkdtempSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commentRequestId } from '../../core/request/ids.js';
import type { RequestOutcome } from '../../core/request/types.js';
import { statusQuery } from '../../workflows/index.js';
import { type FakeGitHub, startFakeGitHub } from '../fakes/github/index.js';
import { type FixtureRepo, makeFixtureRepo } from '../runner/fixture-repo.js';
import { startCommentRequest, triggerComment } from '../support/trigger-comment.js';
import { testConfig } from './test-config.js';
import { withWorker } from './worker-harness.js';

const REPO = 'acme/widgets';
const BOT = 'benchbot[bot]';
const env = { GITHUB_TOKEN: 'bot-token' };

let fake: FakeGitHub;
let fixture: FixtureRepo;
let pr: number;
const dataDir = mkdtempSync(join(tmpdir(), 'benchbot-request-'));

function config(build = 'sh build.sh') {
  // `hot` does 30% more work on the PR's branch; `steady` runs byte-identical code on both sides;
  // `sleepy` is slow enough to be cancelled or killed mid-run.
  const bench = (name: string, iterations: number) =>
    `{ name: ${name}, command: "node dist/bench.js ${name} > ${name}.txt", output: { path: ${name}.txt, format: go-bench }, iterations: ${iterations}, warmups: 1, timeoutMinutes: 2 }`;
  return testConfig(`
version: 1
dataDir: ${JSON.stringify(dataDir)}
github: { apiUrl: ${JSON.stringify(fake.url)}, botLogin: "${BOT}" }
repos:
  - name: ${REPO}
    url: ${JSON.stringify(fixture.url)}
    # One active request per requester: the login is this file's own (other files share the
    # Temporal server, and the limit counts a requester's requests across it).
    trigger: { maxQueuedPerRequester: 1 }
    build: { command: "${build}", env: { BENCH_FLAVOR: x } }
    benchmarks:
      - ${bench('hot', 20)}
      - ${bench('steady', 20)}
      - { name: sleepy, command: "sleep 2 && echo BenchmarkSleepy-1 1 2000000000 ns/op > sleepy.txt", output: { path: sleepy.txt, format: go-bench }, iterations: 20, warmups: 0, timeoutMinutes: 2, runByDefault: false }
`);
}

beforeAll(async () => {
  fixture = await makeFixtureRepo();
  fake = await startFakeGitHub({
    users: [
      { login: BOT, token: 'bot-token' },
      { login: 'ada', token: 'ada-token' },
      { login: 'mallory', token: 'mallory-token' },
    ],
  });
  fake.createRepo({ owner: 'acme', name: 'widgets', gitPath: join(fixture.dir, 'project') });
  fake.setPermission(REPO, 'ada', 'maintain');
  pr = await fake.openPullRequest(REPO, { author: 'ada', head: { ref: 'slow' }, base: { ref: 'main' } });
});

afterAll(async () => {
  await fake?.stop();
  await rm(dataDir, { recursive: true, force: true });
  if (fixture) await rm(fixture.dir, { recursive: true, force: true });
});

/** A comment on the PR, and the request the poller would start for it. */
const comment = (login: string, association: 'MEMBER' | 'NONE', body: string) =>
  triggerComment(fake, REPO, pr, body, { login, association });
const start = startCommentRequest;

const botComments = () => fake.comments(REPO, pr).filter((c) => c.author === BOT);
const reactionsOn = (id: number) => fake.reactions(id).map((r) => r.content);

async function jobProcesses(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (environ.includes(`BENCHBOT_JOB=${join(dataDir, 'work')}`)) pids.push(Number(entry));
  }
  return pids;
}

async function waitForState(client: Client, workflowId: string, state: string): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  for (let i = 0; i < 600; i++) {
    if ((await handle.query(statusQuery)).state === state) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${workflowId} never reached ${state}`);
}

vi.setConfig({ testTimeout: 180_000 });

describe('BenchmarkRequest: from a PR comment to a posted report', () => {
  it('builds both sides, runs interleaved, and edits one status comment into the report', async () => {
    await withWorker(
      config(),
      async ({ client, taskQueue }) => {
        const before = botComments().length;
        const source = comment('ada', 'MEMBER', 'run benchmark hot steady');
        const outcome: RequestOutcome = await (await start(client, taskQueue, source)).result();
        expect(outcome).toMatchObject({ outcome: 'done' });

        const mine = botComments().slice(before);
        expect(mine).toHaveLength(1);
        const body = mine[0]?.body ?? '';
        expect(body).toContain(`<!-- benchbot:${commentRequestId(REPO, source.commentId)} -->`);
        expect(body).toContain('✅ done');
        expect(body).toContain(fixture.shas.slow.slice(0, 10));
        expect(body).toContain(fixture.shas.main.slice(0, 10));
        expect(body).toMatch(/`hot › Hot`[^\n]*slower/);
        expect(body).toMatch(/`steady › Steady`[^\n]*unchanged/);
        expect(body).toContain('paired by round');
        expect(reactionsOn(source.commentId)).toEqual(expect.arrayContaining(['eyes', 'rocket']));
      },
      { env },
    );
  });

  it('answers an untrusted commenter once, politely, and runs nothing', async () => {
    await withWorker(
      config(),
      async ({ client, taskQueue }) => {
        const before = botComments().length;
        const source = comment('mallory', 'NONE', 'run benchmarks');
        expect(await (await start(client, taskQueue, source)).result()).toEqual({ outcome: 'unauthorized' });
        const replies = botComments().slice(before);
        expect(replies).toHaveLength(1);
        expect(replies[0]?.body).toContain('@mallory');
        expect(replies[0]?.body).toContain('owners, organization members or collaborators');
        expect(reactionsOn(source.commentId)).toEqual([]);
      },
      { env },
    );
  });

  it('replies to a trigger with mistakes with what was wrong and what is allowed', async () => {
    await withWorker(
      config(),
      async ({ client, taskQueue }) => {
        const before = botComments().length;
        const source = comment('ada', 'MEMBER', 'run benchmark hot hott\nenv:\n  lower_case: 1');
        expect(await (await start(client, taskQueue, source)).result()).toMatchObject({ outcome: 'invalid' });
        const reply = botComments().slice(before)[0]?.body ?? '';
        expect(reply).toContain('hott');
        expect(reply).toContain('lower_case');
        expect(reply).toContain('`steady`');
        expect(reactionsOn(source.commentId)).toEqual(['confused']);
      },
      { env },
    );
  });

  it.each([
    // A build that takes a while, so the cancel lands in it.
    ['building', 'sleep 30 && sh build.sh'],
    ['running', 'sh build.sh'],
  ])(
    'cancels a request while %s on `cancel benchmark`, stops its processes and says who cancelled',
    async (phase, build) => {
      await withWorker(
        config(build),
        async ({ client, taskQueue }) => {
          const run = comment('ada', 'MEMBER', 'run benchmark sleepy');
          const handle = await start(client, taskQueue, run);
          await waitForState(client, handle.workflowId, phase);
          expect((await jobProcesses()).length).toBeGreaterThan(0);

          const second = comment('ada', 'MEMBER', 'run benchmark hot');
          expect(await (await start(client, taskQueue, second)).result()).toEqual({
            outcome: 'limited',
            active: 1,
          });
          expect(botComments().at(-1)?.body).toContain(
            'you already have 1 benchmark request queued or running',
          );

          const queueReply = comment('ada', 'MEMBER', 'show benchmark queue');
          await (await start(client, taskQueue, queueReply)).result();
          expect(botComments().at(-1)?.body).toMatch(
            new RegExp(`\\| running \\| acme/widgets \\| #\\d+ \\| sleepy \\| @ada \\| ${phase} \\|`),
          );

          const cancel = comment('ada', 'MEMBER', 'cancel benchmark');
          expect(await (await start(client, taskQueue, cancel)).result()).toEqual({
            outcome: 'replied',
            kind: 'cancel',
          });
          const failure = await handle.result().catch((err: unknown) => err);
          expect(failure).toBeInstanceOf(WorkflowFailedError);
          expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);

          const status = botComments().find((c) => c.body.includes(handle.workflowId));
          expect(status?.body).toContain('🚫 cancelled');
          expect(status?.body).toContain('Cancelled by @ada');
          expect(await jobProcesses()).toEqual([]);
        },
        { env },
      );
    },
  );
});
