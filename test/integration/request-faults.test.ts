import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { openResultsStore } from '../../adapters/results-store/index.js';
import { type FakeGitHub, startFakeGitHub } from '../fakes/github/index.js';
import { type FixtureRepo, makeFixtureRepo } from '../runner/fixture-repo.js';
import { runnerPids } from '../support/runner-processes.js';
import { startCommentRequest, triggerComment } from '../support/trigger-comment.js';
import { testConfig } from './test-config.js';
import { withWorker } from './worker-harness.js';

vi.setConfig({ testTimeout: 240_000 });

const REPO = 'acme/widgets';
const BOT = 'benchbot[bot]';
const env = { GITHUB_TOKEN: 'bot-token' };
const dataDir = mkdtempSync(join(tmpdir(), 'benchbot-faults-'));
let fake: FakeGitHub;
let fixture: FixtureRepo;
let pr: number;

// `hot` finishes first and is checkpointed; `slowish` takes a few seconds per round, long enough
// to kill things in the middle of it.
const configText = (taskQueue: string) => `
version: 1
dataDir: ${JSON.stringify(dataDir)}
temporal: { address: ${JSON.stringify(inject('temporalAddress'))}, taskQueue: ${taskQueue} }
telemetry: { metricsAddress: null, healthAddress: null }
github: { apiUrl: ${JSON.stringify(fake.url)}, botLogin: "${BOT}" }
repos:
  - name: ${REPO}
    url: ${JSON.stringify(fixture.url)}
    build: { command: "sh build.sh", env: { BENCH_FLAVOR: x } }
    benchmarks:
      - { name: hot, command: "node dist/bench.js hot > hot.txt", output: { path: hot.txt, format: go-bench }, iterations: 6, warmups: 0 }
      - { name: slowish, command: "sleep 0.5 && node dist/bench.js steady > slowish.txt", output: { path: slowish.txt, format: go-bench }, iterations: 8, warmups: 0 }
`;

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

afterAll(async () => {
  await fake?.stop();
  await rm(dataDir, { recursive: true, force: true });
  if (fixture) await rm(fixture.dir, { recursive: true, force: true });
});

const comment = (body: string) => triggerComment(fake, REPO, pr, body);

const statusComments = (workflowId: string) =>
  fake
    .comments(REPO, pr)
    .filter((c) => c.author === BOT && c.body.includes(`<!-- benchbot:${workflowId} -->`));

/** Waits until the first benchmark and a round of the second are checkpointed: the job is mid-way. */
async function waitForCheckpoint(workflowId: string): Promise<void> {
  const file = join(dataDir, 'work', workflowId.replace(/[^A-Za-z0-9._-]+/g, '_'), 'out', 'checkpoint.json');
  type Checkpointed = { benchmarks: { name: string; status: string; rounds: unknown[] }[] };
  for (let i = 0; i < 1200; i++) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const benchmarks = text ? (JSON.parse(text) as Checkpointed).benchmarks : [];
    const hot = benchmarks.find((b) => b.name === 'hot');
    const slowish = benchmarks.find((b) => b.name === 'slowish');
    if (hot?.status === 'ok' && (slowish?.rounds.length ?? 0) > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no round of slowish was checkpointed in ${file}`);
}

/** Which attempt produced each benchmark's samples, from the recorded run. */
async function attemptsByBenchmark(sha: string): Promise<Record<string, number[]>> {
  const store = await openResultsStore(testConfig(configText('unused')), process.env, { readonly: true });
  try {
    const [run] = await store.runsBySha(REPO, sha);
    const results = run?.platforms[0]?.results;
    return Object.fromEntries(
      (results?.benchmarks ?? []).map((b) => [
        b.group.name ?? b.name,
        [...new Set(b.samples.changed?.map((s) => s.attempt ?? 0))],
      ]),
    );
  } finally {
    await store.close();
  }
}

describe('a request survives faults', () => {
  it('the runner killed mid-job: the job is retried, resumes from its checkpoint, and reports once', async () => {
    const taskQueue = `faults-${randomUUID()}`;
    await withWorker(
      testConfig(configText(taskQueue)),
      async ({ client, taskQueue: queue }) => {
        const source = comment('run benchmark hot slowish');
        const handle = await startCommentRequest(client, queue, source);
        await waitForCheckpoint(handle.workflowId);
        const pids = await runnerPids(dataDir);
        expect(pids.length).toBe(1);
        process.kill(pids[0] as number, 'SIGKILL');

        expect(await handle.result()).toMatchObject({ outcome: 'done' });
        expect(statusComments(handle.workflowId)).toHaveLength(1);
        expect(statusComments(handle.workflowId)[0]?.body).toContain('✅ done');
        // hot was complete before the kill and is not run again; slowish keeps its rounds of attempt
        // 1 and is finished by attempt 2.
        expect(await attemptsByBenchmark(fixture.shas.slow)).toEqual({ hot: [1], slowish: [1, 2] });
      },
      { env },
    );
  });

  it('the worker SIGKILLed mid-job and restarted: the request completes with exactly one status comment', async () => {
    const taskQueue = `faults-${randomUUID()}`;
    const configFile = join(dataDir, `${taskQueue}.yaml`);
    writeFileSync(configFile, configText(taskQueue));
    const startWorker = (): ChildProcess =>
      spawn(process.execPath, ['bin/benchbot.js', 'start'], {
        env: { ...process.env, ...env, BENCHBOT_CONFIG: configFile, BENCHBOT_LOG_LEVEL: 'error' },
        stdio: 'ignore',
      });

    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const client = new Client({ connection });
      const first = startWorker();
      const source = comment('run benchmark hot slowish');
      const handle = await startCommentRequest(client, taskQueue, source);
      await waitForCheckpoint(handle.workflowId);
      first.kill('SIGKILL');
      await once(first, 'exit');

      const second = startWorker();
      try {
        expect(await handle.result()).toMatchObject({ outcome: 'done' });
      } finally {
        second.kill('SIGINT');
        await once(second, 'exit');
      }
      expect(statusComments(handle.workflowId)).toHaveLength(1);
      expect(statusComments(handle.workflowId)[0]?.body).toContain('✅ done');
      expect(
        fake
          .reactions(source.commentId)
          .map((r) => r.content)
          .sort(),
      ).toEqual(['eyes', 'rocket']);
    } finally {
      await connection.close();
    }
  });
});
