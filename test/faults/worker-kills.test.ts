import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, inject, it, vi } from 'vitest';
import { seededRandom, sleep, WorkerProcess } from './worker-process.js';
import { expectEachReportedOnce, type FaultWorld, makeWorld } from './world.js';

vi.setConfig({ testTimeout: 240_000 });

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

describe('the worker killed outright', () => {
  it(`SIGKILLed at seeded random points across ${REQUESTS} requests and restarted (seed ${SEED}): each reports once`, async () => {
    const { file, config } = world.writeConfig({ address: inject('temporalAddress'), slots: 4 });
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
      for (let kill = 0; kill < KILLS; kill++) {
        await sleep(1_000 + random() * 15_000);
        await worker.kill();
        worker.start();
        await worker.waitFor('ready.');
      }
      await expectEachReportedOnce(world, client, requests, config);
    } finally {
      await worker.stop();
      await connection.close();
    }
  });
});
