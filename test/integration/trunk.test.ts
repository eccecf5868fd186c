import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGitHubClient } from '../../adapters/github/client.js';
import { upsertMarkedIssue } from '../../adapters/github/issues.js';
import { openResultsStore } from '../../adapters/results-store/index.js';
import type { BenchbotConfig } from '../../core/config/index.js';
import { REPOSITORY, REQUESTER, STATE } from '../../core/search-attributes.js';
import type { TrunkRunInput } from '../../core/trunk/schedules.js';
import { coverageReport } from '../../starter/commands/coverage.js';
import { historyReport } from '../../starter/commands/history.js';
import { listSchedules, setSchedulePaused, syncSchedules, triggerSchedule } from '../../starter/schedules.js';
import type { TrunkOutcome } from '../../workflows/trunk-run.js';
import { type FakeGitHub, startFakeGitHub } from '../fakes/github/index.js';
import { testConfig } from './test-config.js';
import { blipWrapper, makeTrunkRepo, PLAIN_WRAPPER, type TrunkRepo, workJson } from './trunk-fixture.js';
import { withWorker } from './worker-harness.js';

const BOT = 'benchbot[bot]';
const env = { GITHUB_TOKEN: 'bot-token' };
const HOUR = 3600;

let fake: FakeGitHub;
let trunk: TrunkRepo;
/** The 50 commits of `trunk`, oldest first; commit k (1-based) is shas[k - 1]. */
const shas: string[] = [];
const cleanup: string[] = [];

// Commits every 10 minutes, starting 5 minutes into a 2-hour-aligned block 12 hours ago: hour
// window h holds commits 6h+1..6h+6, two-hour window w holds commits 12w+1..12w+12.
const T0 = Math.floor(Date.now() / 1000 / (2 * HOUR)) * 2 * HOUR - 12 * HOUR;
const commitAt = (k: number) => T0 + k * 600 - 300;
const c = (k: number) => shas[k - 1] as string;

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'benchbot-trunk-'));
  cleanup.push(dir);
  return dir;
}

function config(repo: string, url: string, options: { platforms?: string[]; benchEnv?: string } = {}) {
  return testConfig(`
version: 1
dataDir: ${JSON.stringify(dataDir())}
github: { apiUrl: ${JSON.stringify(fake.url)}, botLogin: "${BOT}" }
${
  // The blip's counter is state shared between jobs through a file outside their folders, which
  // the sandbox exists to forbid: that test runs its (trusted, trunk) jobs unsandboxed.
  options.benchEnv ? 'executor: { local: { sandbox: none } }' : ''
}
repos:
  - name: ${repo}
    url: ${JSON.stringify(url)}
    build: { command: "sh build.sh" }
    benchmarks:
      - { name: hot, command: "sh bench.sh hot > hot.txt", output: { path: hot.txt, format: go-bench }, iterations: 8, warmups: 1, timeoutMinutes: 2${options.benchEnv ? `, env: { BLIP_COUNTER: ${JSON.stringify(options.benchEnv)} }` : ''} }
    platforms: ${JSON.stringify(options.platforms ?? ['local-a'])}
    schedules:
      # Yearly, so it never fires during a test; runs sample one-hour windows.
      - { name: main, cron: "0 0 1 1 *", window: 1h }
`);
}

function startRun(client: Client, taskQueue: string, input: TrunkRunInput) {
  return client.workflow.start('trunkRun', {
    taskQueue,
    workflowId: `trunk:${input.repo}:main:test-${randomUUID()}`,
    args: [input],
  });
}

async function runTrunk(client: Client, taskQueue: string, input: TrunkRunInput): Promise<TrunkOutcome> {
  return (await (await startRun(client, taskQueue, input)).result()) as TrunkOutcome;
}

function recorded(outcome: TrunkOutcome): Extract<TrunkOutcome, { outcome: 'recorded' }> {
  if (outcome.outcome !== 'recorded')
    throw new Error(`expected a recorded run, got ${JSON.stringify(outcome)}`);
  return outcome;
}

/** Benchmark requests that wait forever (no worker polls their queue): real queue depth in visibility. */
async function fillQueue(client: Client, count: number): Promise<() => Promise<void>> {
  const taskQueue = `trunk-idle-${randomUUID()}`;
  const handles = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      client.workflow.start('benchmarkRequest', {
        taskQueue,
        workflowId: `bench:acme/filler:manual:${randomUUID()}-${i}`,
        args: [],
        typedSearchAttributes: [
          { key: STATE, value: 'queued' },
          { key: REPOSITORY, value: 'acme/filler' },
          { key: REQUESTER, value: 'trunk-test-filler' },
        ],
      }),
    ),
  );
  const query = `WorkflowType = 'benchmarkRequest' AND ExecutionStatus = 'Running' AND BenchbotRequester = 'trunk-test-filler'`;
  for (let i = 0; i < 100 && (await client.workflow.count(query)).count < count; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  return async () => {
    await Promise.all(handles.map((h) => h.terminate('trunk test done')));
  };
}

beforeAll(async () => {
  fake = await startFakeGitHub({ users: [{ login: BOT, token: 'bot-token' }] });
  trunk = await makeTrunkRepo();
  cleanup.push(trunk.root);
  for (let k = 1; k <= 50; k++) shas.push(await trunk.commit(commitAt(k), `change ${k}`));
});

afterAll(async () => {
  await fake?.stop();
  await Promise.all(cleanup.map((dir) => rm(dir, { recursive: true, force: true })));
});

vi.setConfig({ testTimeout: 180_000 });

describe('trunk tracking on Temporal Schedules', () => {
  it('syncs schedules idempotently, keeps a manual pause, and a manual trigger measures the latest commit', async () => {
    const cfg = config('acme/trunk-manual', trunk.url);
    await withWorker(
      cfg,
      async ({ client, taskQueue }) => {
        const id = 'trunk:acme/trunk-manual:main';
        try {
          // The missing-data watchdog comes with the first schedule that alerts (the default).
          const watchdog = `trunk-watchdog:${taskQueue}`;
          expect(await syncSchedules(client, cfg, taskQueue)).toEqual([
            { scheduleId: id, action: 'created' },
            { scheduleId: watchdog, action: 'created' },
          ]);
          expect(await syncSchedules(client, cfg, taskQueue)).toEqual([
            { scheduleId: id, action: 'unchanged' },
            { scheduleId: watchdog, action: 'unchanged' },
          ]);
          await setSchedulePaused(client, cfg, 'acme/trunk-manual', true, 'maintenance');
          expect(await syncSchedules(client, cfg, taskQueue)).toEqual([
            { scheduleId: id, action: 'unchanged' },
            { scheduleId: watchdog, action: 'unchanged' },
          ]);
          // A yearly schedule is checked hourly, one check at a time.
          expect((await client.schedule.getHandle(watchdog).describe()).policies.overlap).toBe('SKIP');
          const quiet = {
            ...cfg,
            repos: cfg.repos.map((r) => ({
              ...r,
              schedules: r.schedules.map((s) => ({ ...s, missingRunsAfter: null })),
            })),
          };
          expect(await syncSchedules(client, quiet, taskQueue)).toEqual([
            { scheduleId: id, action: 'unchanged' },
            { scheduleId: watchdog, action: 'deleted' },
          ]);
          expect((await listSchedules(client, cfg, taskQueue))[0]).toMatchObject({
            scheduleId: id,
            state: 'paused',
            note: 'maintenance',
          });
          await setSchedulePaused(client, cfg, id, false, 'done');
          expect((await listSchedules(client, cfg, taskQueue))[0]?.state).toBe('active');
          const described = await client.schedule.getHandle(id).describe();
          expect(described.action).toMatchObject({ workflowType: 'trunkRun', taskQueue });
          expect(described.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 86_400_000 });

          const { workflowId } = await triggerSchedule(client, cfg, 'acme/trunk-manual:main', { taskQueue });
          const outcome = recorded((await client.workflow.getHandle(workflowId).result()) as TrunkOutcome);
          // The first run of a branch stands for the newest window: commits 49 and 50.
          expect(outcome).toMatchObject({
            reason: 'manual',
            sha: c(50),
            baselineSha: c(50),
            range: { from: c(49), to: c(50), count: 2 },
            skipped: 0,
            platforms: [{ platform: 'local-a', status: 'ok' }],
            suspected: [],
            issue: null,
          });
          const store = await openResultsStore(cfg, process.env, { readonly: true });
          try {
            const [run] = await store.runsBySha('acme/trunk-manual', c(50));
            expect(run).toMatchObject({
              runId: workflowId,
              branch: 'main',
              reason: 'manual',
              commitRange: { from: c(49), to: c(50), count: 2 },
              summary: expect.stringMatching(/^local-a: /),
            });
            // The job-summary report is kept with the run, not on the worker's disk.
            expect(run?.report).toContain('## Trunk run: acme/trunk-manual `main`');
          } finally {
            await store.close();
          }
        } finally {
          await client.schedule.getHandle(id).delete();
        }
      },
      { env },
    );
  });

  it('widens the window on a deep queue, then skips to the newest commit and records every skip', async () => {
    const repo = 'acme/trunk-deep';
    const cfg = config(repo, trunk.url);
    // The last run of the branch ended at commit 12 (and failed, so there is no baseline yet).
    const seed = await openResultsStore(cfg, process.env);
    await seed.recordRun({
      runId: 'seed',
      repository: repo,
      branch: 'main',
      pullRequest: null,
      reason: 'schedule',
      commitRange: { from: c(1), to: c(12), count: 12 },
      platforms: [{ platform: 'local-a', status: 'failed', failure: 'seeded' }],
      recordedAt: new Date(commitAt(13) * 1000).toISOString(),
    });
    await seed.close();

    await withWorker(
      cfg,
      async ({ client, taskQueue }) => {
        const input: TrunkRunInput = { repo, schedule: 'main', reason: 'schedule' };
        const drain = await fillQueue(client, 15);
        let drainMore: () => Promise<void> = async () => {};
        try {
          const widened = recorded(await runTrunk(client, taskQueue, input));
          // Two-hour windows: the oldest pending one holds commits 13..24.
          expect(widened).toMatchObject({
            mode: 'widened',
            windowSeconds: 2 * HOUR,
            sha: c(24),
            baselineSha: c(24),
            range: { from: c(13), to: c(24), count: 12 },
            skipped: 0,
          });
          expect(widened.queueDepth).toBeGreaterThan(10);

          drainMore = await fillQueue(client, 10);
          const skipped = recorded(await runTrunk(client, taskQueue, input));
          expect(skipped).toMatchObject({
            mode: 'skip-to-newest',
            sha: c(50),
            baselineSha: c(24),
            range: { from: c(49), to: c(50), count: 2 },
            skipped: 4,
          });
          expect(skipped.queueDepth).toBeGreaterThan(20);
          const store = await openResultsStore(cfg, process.env, { readonly: true });
          try {
            const [run] = await store.runsBySha(repo, c(50));
            expect(run?.skipped).toEqual(
              [30, 36, 42, 48].map((k) => ({
                sha: c(k),
                reason: `queue depth ${skipped.queueDepth} > 20: skipped to the newest commit`,
                queueDepth: skipped.queueDepth,
              })),
            );
          } finally {
            await store.close();
          }
        } finally {
          await drain();
          await drainMore();
        }

        // A manual run proceeds at any depth; here there is nothing new to measure.
        expect(await runTrunk(client, taskQueue, { ...input, reason: 'manual' })).toMatchObject({
          outcome: 'idle',
          why: 'no new commits since the last run',
        });
      },
      { env },
    );

    // History: the commit each successful run measured, oldest first.
    const csv = await historyReport(cfg, { repo, benchmark: 'hot', format: 'csv' });
    expect(csv.ok).toBe(true);
    const lines = csv.ok ? csv.text.split('\n') : [];
    expect(lines[0]).toBe(
      'recordedAt,runId,reason,sha,benchmark,rangeFrom,rangeTo,commits,metric,unit,n,median,ciLo,ciHi',
    );
    expect(lines.slice(1).map((l) => l.split(',')[3])).toEqual([c(24), c(50)]);
    const json = await historyReport(cfg, { repo, benchmark: 'hot', format: 'json', last: '1' });
    expect(json.ok && JSON.parse(json.text)).toMatchObject([
      { sha: c(50), benchmark: 'Hot', commits: 2, unit: 'ns', n: 8 },
    ]);

    // Coverage: 14 of 50 commits have data; the seeded failure and the skips left two gaps.
    const report = await coverageReport(cfg, {
      repo,
      since: new Date((T0 - HOUR) * 1000).toISOString(),
      format: 'json',
    });
    expect(report.ok).toBe(true);
    const parsed = report.ok ? JSON.parse(report.text) : null;
    expect(parsed.total).toMatchObject({ commits: 50, covered: 14, measured: 2 });
    expect(parsed.gaps).toEqual([
      expect.objectContaining({ from: c(1), to: c(12), count: 12 }),
      expect.objectContaining({ from: c(25), to: c(48), count: 24 }),
    ]);
    expect(parsed.skipped.map((s: { sha: string }) => s.sha)).toEqual([c(30), c(36), c(42), c(48)]);
    const text = await coverageReport(cfg, { repo, since: new Date((T0 - HOUR) * 1000).toISOString() });
    expect(text.ok && text.text).toContain('14 of 50 commits covered (28.0%), 2 measured');
  });

  it('runs two platforms in parallel and records them in one run', async () => {
    const repo = 'acme/trunk-multi';
    const cfg = config(repo, trunk.url, { platforms: ['local-a', 'local-b'] });
    await withWorker(
      cfg,
      async ({ client, taskQueue }) => {
        const outcome = recorded(
          await runTrunk(client, taskQueue, { repo, schedule: 'main', reason: 'schedule' }),
        );
        expect(outcome.platforms).toEqual([
          { platform: 'local-a', status: 'ok' },
          { platform: 'local-b', status: 'ok' },
        ]);
        const store = await openResultsStore(cfg, process.env, { readonly: true });
        try {
          const runs = await store.runsBySha(repo, c(50));
          expect(runs).toHaveLength(1);
          expect(runs[0]?.runId).toBe(outcome.runId);
          expect(runs[0]?.platforms.map((p) => [p.platform, p.status, p.results?.run.platform])).toEqual([
            ['local-a', 'ok', 'local-a'],
            ['local-b', 'ok', 'local-b'],
          ]);
        } finally {
          await store.close();
        }
      },
      { env },
    );
  });

  it('opens one issue for a confirmed regression and none for a noise blip', async () => {
    const repo = 'acme/trunk-regress';
    const work = await makeTrunkRepo('work');
    cleanup.push(work.root);
    const now = Math.floor(Date.now() / 1000);
    const r1 = await work.commit(now - 3 * HOUR, 'baseline');
    // A blip: the first 9 runs of the new commit (one job's warmup and iterations) are 50% slower.
    const r2 = await work.commit(now - 2 * HOUR, 'blip', { 'bench.sh': blipWrapper(9) });
    const r3 = await work.commit(now - HOUR, 'hot does 50% more work', {
      'bench.sh': PLAIN_WRAPPER,
      'work.json': workJson(900_000),
    });
    fake.createRepo({ owner: 'acme', name: 'trunk-regress', gitPath: work.dir });
    const cfg = config(repo, work.url, { benchEnv: join(work.root, 'blip-counter') });
    const regressionIssues = () =>
      [...fake.state.requireRepo(repo).issues.values()].filter((i) =>
        i.body?.includes('benchbot:regression'),
      );
    const input: TrunkRunInput = { repo, schedule: 'main', reason: 'schedule' };

    await withWorker(
      cfg,
      async ({ client, taskQueue }) => {
        work.git('branch', '-f', 'main', r1);
        expect(recorded(await runTrunk(client, taskQueue, input))).toMatchObject({ sha: r1, suspected: [] });

        work.git('branch', '-f', 'main', r2);
        const blip = recorded(await runTrunk(client, taskQueue, input));
        expect(blip).toMatchObject({ sha: r2, baselineSha: r1, confirmed: [], issue: null });
        expect(blip.suspected).toEqual([
          { platform: 'local-a', count: 1, largest: [expect.objectContaining({ label: 'Hot' })] },
        ]);
        expect(regressionIssues()).toHaveLength(0);

        work.git('branch', '-f', 'main', r3);
        const regression = recorded(await runTrunk(client, taskQueue, input));
        expect(regression).toMatchObject({ sha: r3, baselineSha: r2, range: { from: r3, to: r3, count: 1 } });
        expect(regression.confirmed).toEqual([
          { platform: 'local-a', count: 1, largest: [expect.objectContaining({ label: 'Hot' })] },
        ]);
        const issues = regressionIssues();
        expect(issues).toHaveLength(1);
        expect(regression.issue).toBe(issues[0]?.number);
        expect(issues[0]?.title).toContain(`${r3.slice(0, 10)}..${r3.slice(0, 10)}: Hot`);
        expect(issues[0]?.body).toContain(`<!-- benchbot:regression:${repo}:main:${r3}..${r3} -->`);
        expect(issues[0]?.author.login).toBe(BOT);
        // Both jobs' results and checkpoints went by reference and left the store once used.
        const store = await openResultsStore(cfg, process.env, { readonly: true });
        try {
          for (const job of [`${regression.runId}:local-a`, `${regression.runId}:local-a:confirm`]) {
            expect(await store.getArtifact(`${job}:results`)).toBeNull();
            expect(await store.getArtifact(`${job}:checkpoint`)).toBeNull();
          }
        } finally {
          await store.close();
        }
      },
      { env },
    );

    // Reporting the same range again (a retried activity, a replayed run) edits that issue.
    const octokit = createGitHubClient({ config: cfg as BenchbotConfig, env, logger: quietLogger });
    const issue = regressionIssues()[0];
    const again = await upsertMarkedIssue(octokit, BOT, {
      repo,
      marker: `<!-- benchbot:regression:${repo}:main:${r3}..${r3} -->`,
      title: issue?.title ?? '',
      body: `${issue?.body}\nupdated`,
    });
    expect(again).toEqual({ number: issue?.number, created: false });
    expect(regressionIssues()).toHaveLength(1);
    expect(regressionIssues()[0]?.body).toContain('updated');
  });
});

const quietLogger = {
  warn: () => {},
  error: () => {},
} as unknown as Parameters<typeof createGitHubClient>[0]['logger'];
