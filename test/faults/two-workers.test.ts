import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { openResultsStore } from '../../adapters/results-store/index.js';
import type { CommentSource } from '../../core/request/types.js';
import type { TrunkRunInput } from '../../core/trunk/schedules.js';
import type { TrunkOutcome } from '../../workflows/trunk-run.js';
import { makeTrunkRepo, PLAIN_WRAPPER, type TrunkRepo, workJson } from '../integration/trunk-fixture.js';
import { freshDatabase } from '../support/fresh-database.js';
import { sleep, WorkerProcess } from './worker-process.js';
import { BOT, DATABASE_URL_ENV, expectEachReportedOnce, type FaultWorld, makeWorld } from './world.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 60_000 });

// Several workers, one history: two `benchbot start` processes on one task queue (two replicas of
// a deployment, each with a disk of its own), one PostgreSQL database, pull-request requests and a
// branch's trunk runs on two platforms at once. One worker is SIGKILLed while it runs a job, and its
// job processes die with it, as a pod's do; the other finishes everything.

const REQUESTS = 20;
const HOUR = 3600;

let world: FaultWorld;
let trunk: TrunkRepo;
let trunkRepo = '';
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  [world, trunk] = await Promise.all([makeWorld('two'), makeTrunkRepo('work')]);
  const name = `trunk-${randomUUID().slice(0, 8)}`;
  trunkRepo = `faults/${name}`;
  world.fake.createRepo({ owner: 'faults', name, gitPath: trunk.dir });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await killJobsUnder(world?.dataDir ?? '/nonexistent');
  await Promise.all([world?.dispose(), trunk && rm(trunk.root, { recursive: true, force: true })]);
});

/** Processes of jobs whose work directory is under `dir` (the local executor marks each job's). */
async function jobPids(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (environ.includes(`BENCHBOT_JOB=${dir}/`)) pids.push(Number(entry));
  }
  return pids;
}

async function killJobsUnder(dir: string): Promise<void> {
  for (const pid of await jobPids(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

const trunkYaml = () => `
  - name: ${trunkRepo}
    url: ${JSON.stringify(trunk.url)}
    watch: false
    build: { command: "sh build.sh" }
    benchmarks:
      - { name: hot, command: "sh bench.sh hot > hot.txt", output: { path: hot.txt, format: go-bench }, iterations: 8, warmups: 1, timeoutMinutes: 2 }
    platforms: ["local-a", "local-b"]
    schedules:
      # Yearly, so it never fires during the test; the test starts each run.
      - { name: main, cron: "0 0 1 1 *", window: 1h }
`;

function recorded(outcome: TrunkOutcome): Extract<TrunkOutcome, { outcome: 'recorded' }> {
  if (outcome.outcome !== 'recorded')
    throw new Error(`expected a recorded run, got ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('two workers, one PostgreSQL history', () => {
  it(`${REQUESTS} requests and 3 trunk runs on two platforms, one worker SIGKILLed mid-job: each run recorded once, baselines chained, one regression issue`, async () => {
    const url = await freshDatabase('two_workers');
    const env = { [DATABASE_URL_ENV]: url };
    const taskQueue = `two-workers-${randomUUID()}`;
    const configs = ['a', 'b'].map((name) => {
      const dataDir = join(world.dataDir, `worker-${name}`);
      mkdirSync(dataDir);
      return {
        dataDir,
        ...world.writeConfig({
          address: inject('temporalAddress'),
          taskQueue,
          dataDir,
          postgres: true,
          slots: 2,
          writeIntervalMs: 0,
          extraRepos: trunkYaml(),
        }),
      };
    });
    const [a, b] = configs as [(typeof configs)[0], (typeof configs)[0]];
    for (const { file, dataDir } of configs)
      workers.push(new WorkerProcess(file, join(dataDir, 'worker.log'), 'warn', env));
    const [workerA, workerB] = workers as [WorkerProcess, WorkerProcess];

    // Commits an hour apart, one per sampling window: a baseline, a commit that changes nothing the
    // benchmark runs, and one whose benchmark does 50% more work (the planted regression).
    const now = Math.floor(Date.now() / 1000);
    const commits = [
      await trunk.commit(now - 3 * HOUR, 'baseline'),
      await trunk.commit(now - 2 * HOUR, 'docs only', { 'bench.sh': PLAIN_WRAPPER }),
      await trunk.commit(now - HOUR, 'hot does 50% more work', { 'work.json': workJson(900_000) }),
    ];

    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const client = new Client({ connection });
      // Both replicas start together: they migrate the database and sync the schedule at once.
      workerA.start();
      workerB.start();
      // Two workers bundling their workflows at once on a small machine: give them time.
      await Promise.all([workerA.waitFor('ready.', 180_000), workerB.waitFor('ready.', 180_000)]);

      const requests: { source: CommentSource; workflowId: string }[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        const source = world.comment();
        requests.push({ source, workflowId: await world.start(client, taskQueue, source) });
      }

      // The trunk runs one after another, as the schedule's overlap policy (SKIP) has them.
      const trunkRuns = (async () => {
        const outcomes: Extract<TrunkOutcome, { outcome: 'recorded' }>[] = [];
        for (const [k, sha] of commits.entries()) {
          trunk.git('branch', '-f', 'main', sha);
          const input: TrunkRunInput = { repo: trunkRepo, schedule: 'main', reason: 'schedule' };
          const handle = await client.workflow.start('trunkRun', {
            taskQueue,
            workflowId: `trunk:${trunkRepo}:main:test-${k + 1}`,
            args: [input],
          });
          outcomes.push(recorded((await handle.result()) as TrunkOutcome));
        }
        return outcomes;
      })();

      // Mid-way: once a quarter of the requests are reported and worker A is running a job.
      const done = () =>
        world.fake.comments(world.repo).filter((c) => c.author === BOT && c.body.includes('✅ done')).length;
      const deadline = Date.now() + 180_000;
      while (done() < REQUESTS / 4 || (await jobPids(a.dataDir)).length === 0) {
        if (Date.now() > deadline)
          throw new Error(`worker A never ran a job mid-way; see ${workerA.logFile}`);
        await sleep(200);
      }
      await workerA.kill();
      await killJobsUnder(a.dataDir);
      expect(done()).toBeLessThan(REQUESTS);

      const outcomes = await trunkRuns;
      await expectEachReportedOnce(world, client, requests, a.config, { env });
      // Both shared the work: each ran jobs in its own work directory.
      for (const { config } of configs)
        expect((await readdir(config.executor.local.workDir)).length).toBeGreaterThan(0);

      // Each trunk run measured its commit against the previous recorded one (the first against itself).
      expect(outcomes.map((o) => [o.sha, o.baselineSha])).toEqual([
        [commits[0], commits[0]],
        [commits[1], commits[0]],
        [commits[2], commits[1]],
      ]);
      for (const o of outcomes)
        expect(o.platforms).toEqual([
          { platform: 'local-a', status: 'ok' },
          { platform: 'local-b', status: 'ok' },
        ]);

      const store = await openResultsStore(b.config, env, { readonly: true });
      try {
        // Every run once: the 20 requests and the 3 trunk runs, nothing else, nothing twice.
        const listed = await store.listRuns({ limit: 100 });
        expect(listed.map((r) => r.runId).sort()).toEqual(
          [...requests.map((r) => r.workflowId), ...outcomes.map((o) => o.runId)].sort(),
        );
        // The stored history agrees: oldest first, each trunk run's baseline is the commit the one
        // before it measured, on both platforms.
        const trunkRuns = (
          await store.listRuns({ repository: trunkRepo, kind: 'trunk', limit: 10 })
        ).reverse();
        expect(trunkRuns.map((r) => r.runId)).toEqual(outcomes.map((o) => o.runId));
        for (const [k, run] of trunkRuns.entries()) {
          const previous = trunkRuns[k - 1]?.platforms[0]?.sides.changed?.sha ?? commits[0];
          expect(run.platforms.map((p) => [p.platform, p.sides.baseline?.sha, p.sides.changed?.sha])).toEqual(
            [
              ['local-a', previous, commits[k]],
              ['local-b', previous, commits[k]],
            ],
          );
        }

        // The planted regression: confirmed, and exactly one issue, which the store remembers.
        const issues = [...world.fake.state.requireRepo(trunkRepo).issues.values()].filter((i) =>
          i.body?.includes('benchbot:regression'),
        );
        expect(issues).toHaveLength(1);
        const [first, second, third] = outcomes;
        expect(first?.issue).toBeNull();
        expect(second?.issue).toBeNull();
        expect(third?.confirmed.length).toBeGreaterThan(0);
        expect(third?.issue).toBe(issues[0]?.number);
        const marker = `<!-- benchbot:regression:${trunkRepo}:main:${commits[2]}..${commits[2]} -->`;
        expect(issues[0]?.body).toContain(marker);
        expect(await store.alertIssue(marker)).toEqual({
          key: marker,
          repository: trunkRepo,
          issueNumber: issues[0]?.number,
        });
      } finally {
        await store.close();
      }
    } finally {
      await deleteTrunkSchedule(connection);
      await connection.close();
    }
  });
});

/** The schedule `benchbot start` created for the trunk repository lives on the shared server: remove it. */
async function deleteTrunkSchedule(connection: Connection): Promise<void> {
  await new Client({ connection }).schedule
    .getHandle(`trunk:${trunkRepo}:main`)
    .delete()
    .catch(() => undefined);
}
