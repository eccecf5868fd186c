import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { seededRandom, sleep, WorkerProcess } from './worker-process.js';
import { expectEachReportedOnce, type FaultWorld, makeWorld, runners } from './world.js';

vi.setConfig({ testTimeout: 300_000 });

const REQUESTS = 20;
const KILLS = 3;
// Replay a failing schedule with BENCHBOT_FAULT_SEED=<the seed in the failure>.
const SEED = Number(process.env.BENCHBOT_FAULT_SEED ?? 20_240_611);

let world: FaultWorld;

beforeAll(async () => {
  world = await makeWorld('kills');
});

afterAll(async () => {
  await world?.dispose();
});

/** Waits for the runners `worker` started itself, and returns them. */
async function jobsOf(worker: WorkerProcess): Promise<{ pid: number; job: string }[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const mine = (await runners(world)).filter((r) => r.ancestors.includes(worker.pid ?? -1));
    if (mine.length > 0) return mine;
    if (Date.now() > deadline)
      throw new Error(`no job of the worker started within 60 s; see ${worker.logFile}`);
    await sleep(100);
  }
}

/** The attempt at which each runJob of the request's history ended. */
async function runJobAttempts(client: Client, workflowId: string): Promise<number[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const runJobs = new Set(
    events
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runJob')
      .map((e) => String(e.eventId)),
  );
  return events
    .filter((e) => runJobs.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId)))
    .map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
}

async function waitUntil(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

/** Running, not a zombie: a runner that ended just before the kill could be left one. */
function isAlive(pid: number): boolean {
  try {
    return !/^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

describe('the worker killed outright', () => {
  it(`SIGKILLed mid-job at seeded points across ${REQUESTS} requests and restarted (seed ${SEED}): each reports once`, async () => {
    const { file, config } = world.writeConfig({
      address: inject('temporalAddress'),
      slots: 4,
      roundSeconds: 1,
    });
    const worker = new WorkerProcess(file, join(world.dataDir, 'worker.log'));
    const random = seededRandom(SEED);
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const client = new Client({ connection });
      worker.start();
      await worker.waitFor('ready.');
      const requests = [];
      for (let i = 0; i < REQUESTS; i++) {
        const source = world.comment();
        requests.push({ source, workflowId: await world.start(client, config.temporal.taskQueue, source) });
      }
      const cutShort = new Set<string>();
      for (let kill = 0; kill < KILLS; kill++) {
        // Each kill lands at a seeded point inside a job of this worker: its runner is alive as the
        // worker is killed.
        await jobsOf(worker);
        await sleep(random() * 3_000);
        const alive = (await jobsOf(worker)).filter((r) => isAlive(r.pid));
        await worker.kill();
        expect(alive, `kill ${kill + 1}: no job of the worker was running when it was killed`).not.toEqual(
          [],
        );
        for (const r of alive) cutShort.add(basename(r.job));
        // The job's sandbox goes down with the worker: none of its runners outlives it.
        await waitUntil(`kill ${kill + 1}: the killed worker's runners are gone`, () =>
          alive.every((r) => !isAlive(r.pid)),
        );
        worker.start();
        await worker.waitFor('ready.');
      }
      await expectEachReportedOnce(world, client, requests, config);
      // And each job cut short was run again, by a later attempt of its activity.
      const cut = requests.filter((r) => cutShort.has(r.workflowId.replace(/[^A-Za-z0-9._-]+/g, '_')));
      expect(cut.length).toBeGreaterThanOrEqual(1);
      for (const { workflowId } of cut) {
        expect(Math.max(...(await runJobAttempts(client, workflowId))), workflowId).toBeGreaterThan(1);
      }
    } finally {
      await worker.stop();
      await connection.close();
    }
  });
});
