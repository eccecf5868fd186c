import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { openResultsStore } from '../../adapters/results-store/index.js';
import { missingDataMarker } from '../../core/trunk/missing-data.js';
import { type FakeGitHub, startFakeGitHub } from '../fakes/github/index.js';
import { freePort, sleep, WorkerProcess } from '../faults/worker-process.js';
import { testConfig } from './test-config.js';
import { makeTrunkRepo, type TrunkRepo } from './trunk-fixture.js';

// The missing-data alert as it runs in production: `benchbot start` as its own process syncs a
// trunk schedule firing every 4 s and the watchdog's Schedule on the shared Temporal server. The
// branch's build is broken, so every run fails: after two intervals the watchdog opens one issue,
// keeps it up to date, and closes it once a commit that builds is measured.

vi.setConfig({ testTimeout: 300_000 });

const BOT = 'benchbot[bot]';
const owner = 'gaps';
const name = `trunk-${randomUUID().slice(0, 8)}`;
const repo = `${owner}/${name}`;
const marker = missingDataMarker(repo, 'nightly');

let fake: FakeGitHub;
let git: TrunkRepo;
let dataDir: string;

beforeAll(async () => {
  fake = await startFakeGitHub({ users: [{ login: BOT, token: 'bot-token' }] });
  git = await makeTrunkRepo();
  const now = Math.floor(Date.now() / 1000);
  await git.commit(now - 120, 'base');
  await git.commit(now - 60, 'break the build', {
    'build.sh': 'echo "compiler: syntax error in bench.js" >&2\nexit 3\n',
  });
  fake.createRepo({ owner, name, gitPath: git.dir });
  dataDir = mkdtempSync(join(tmpdir(), 'benchbot-missing-data-'));
});

afterAll(async () => {
  await fake?.stop();
  await rm(git.root, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined>,
  timeoutMs = 180_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

const alertIssues = () =>
  [...fake.state.requireRepo(repo).issues.values()].filter((i) => i.body?.includes(marker) === true);

/** The value of a Prometheus sample whose labels include all of `labels`, or null. */
function sample(text: string, metric: string, labels: Record<string, string>): number | null {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (match?.[1] !== metric) continue;
    if (Object.entries(labels).every(([k, v]) => (match[2] ?? '').includes(`${k}="${v}"`)))
      return Number(match[3]);
  }
  return null;
}

describe('missing trunk data', () => {
  it('opens one issue after two intervals of failing builds, updates it, closes it when a run succeeds, and reopens it on the next gap', async () => {
    const metricsPort = await freePort();
    const taskQueue = `gaps-${randomUUID()}`;
    const text = `
version: 1
dataDir: ${JSON.stringify(dataDir)}
temporal: { address: ${JSON.stringify(inject('temporalAddress'))}, taskQueue: ${taskQueue} }
telemetry: { metricsAddress: "127.0.0.1:${metricsPort}", healthAddress: null, requestMetricsIntervalSeconds: 1 }
github: { apiUrl: ${JSON.stringify(fake.url)}, botLogin: "${BOT}" }
dashboard: { port: 0 }
repos:
  - name: ${repo}
    url: ${JSON.stringify(git.url)}
    watch: false
    build: { command: "sh build.sh" }
    benchmarks:
      - { name: hot, command: "sh bench.sh hot > hot.txt", output: { path: hot.txt, format: go-bench }, iterations: 2, warmups: 0, timeoutMinutes: 2 }
    platforms: [local-a]
    schedules:
      - { name: nightly, every: 4s, missingRunsAfter: 2, commitComment: true }
`;
    const config = testConfig(text);
    const file = join(dataDir, 'benchbot.yaml');
    writeFileSync(file, text);
    const worker = new WorkerProcess(file, join(dataDir, 'worker.log'), 'info');
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    const client = new Client({ connection });
    try {
      worker.start();
      await worker.waitFor('ready.', 120_000);

      // Two intervals without a successful run, and a failed attempt the issue names.
      const opened = await until('the missing-data issue, naming the failed build', async () => {
        const [issue] = alertIssues();
        return issue?.body?.includes('exited with code 3') ? issue : null;
      });
      expect(opened).toMatchObject({ state: 'open', author: { login: BOT } });
      expect(opened.title).toBe('No benchmark data from trunk schedule nightly (main)');
      expect(opened.body).toContain('since the schedule was created');
      expect(opened.body).toContain('the alert threshold being 2');
      const firstCount = Number(/\*\*(\d+) intervals\*\*/.exec(opened.body ?? '')?.[1]);

      // The watchdog keeps checking: the same issue, updated, never a second one.
      await until('the issue to count more missed intervals', async () => {
        const count = Number(/\*\*(\d+) intervals\*\*/.exec(alertIssues()[0]?.body ?? '')?.[1]);
        return count > firstCount ? count : null;
      });
      expect(alertIssues()).toHaveLength(1);

      // A commit that builds again: the next run succeeds and the issue is closed.
      const fixed = await git.commit(Math.floor(Date.now() / 1000), 'fix the build', {
        'build.sh': 'set -e\nmkdir -p dist\ncp bench.js work.json dist/\n',
      });
      const closed = await until('the issue to be closed', async () => {
        const [issue] = alertIssues();
        return issue?.state === 'closed' ? issue : null;
      });
      expect(alertIssues()).toHaveLength(1);
      expect(closed.number).toBe(opened.number);
      expect(closed.body).toMatch(/\*\*Resolved\*\*: runs resumed with `trunk:gaps\/trunk-[0-9a-f]+:nightly/);

      // The run that ended the gap: its summary on the commit, its time in the metric.
      const store = await openResultsStore(config, process.env, { readonly: true });
      const lastOk = await store
        .latestRun({ repository: repo, branch: 'main', platform: 'local-a', status: 'ok' })
        .finally(() => store.close());
      expect(lastOk?.platform.sides.changed?.sha).toBe(fixed);
      const comments = fake.commitCommentsOf(repo, fixed);
      expect(comments).toHaveLength(1);
      expect(comments[0]?.body).toContain(`<!-- benchbot:trunk-summary:${lastOk?.run.runId} -->`);
      expect(comments[0]?.body).toContain(`## Trunk run: ${repo} \`main\``);
      const metric = await until(
        'the last-success metric',
        async () => {
          const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
          return sample(text, 'benchbot_trunk_last_success_timestamp_seconds', {
            repository: repo,
            schedule: 'nightly',
          });
        },
        30_000,
      );
      expect(metric).toBe(Date.parse(lastOk?.run.recordedAt ?? '') / 1000);

      // No new commit: the runs go idle and intervals pass, but nothing is missing.
      const quietUntil = Date.parse(lastOk?.run.recordedAt ?? '') + 3 * 4_000;
      while (Date.now() < quietUntil + 4_000) await sleep(500);
      expect(alertIssues().map((i) => i.state)).toEqual(['closed']);

      // The build breaks again: a new gap reopens the same issue.
      await git.commit(Math.floor(Date.now() / 1000), 'break it again', { 'build.sh': 'exit 4\n' });
      const reopened = await until('the issue to be reopened', async () => {
        const [issue] = alertIssues();
        return issue?.state === 'open' ? issue : null;
      });
      expect(alertIssues()).toHaveLength(1);
      expect(reopened.number).toBe(opened.number);
      expect(reopened.body).toContain(`since the last successful run \`${lastOk?.run.runId}\``);
    } finally {
      await worker.stop();
      for (const id of [`trunk:${repo}:nightly`, `trunk-watchdog:${taskQueue}`]) {
        await client.schedule
          .getHandle(id)
          .delete()
          .catch(() => undefined);
      }
      await connection.close();
    }
  });
});
