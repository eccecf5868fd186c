import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DevServer, startDevServer } from '../../starter/dev-server.js';
import { temporalCliPath } from '../../starter/temporal-cli.js';
import { freePort, sleep, WorkerProcess } from './worker-process.js';
import { expectEachReportedOnce, type FaultWorld, makeWorld, runnerRunning } from './world.js';

vi.setConfig({ testTimeout: 180_000 });

let world: FaultWorld;
let server: DevServer | null = null;

beforeAll(async () => {
  world = await makeWorld('temporal');
});

afterAll(async () => {
  await server?.stop();
  await world?.dispose();
});

/** This case's own dev server: state in a SQLite file, on a port kept across restarts. */
const serve = async (port: number, dbFile: string) =>
  startDevServer({ temporalPath: temporalCliPath(), dbFile, namespace: 'default', port, uiPort: null });

describe('the Temporal server restarted', () => {
  it('stopped mid-job and started again on its SQLite file: the request completes and reports once', async () => {
    const port = await freePort();
    const dbFile = join(world.dataDir, 'temporal', 'temporal.sqlite');
    server = await serve(port, dbFile);
    const { file, config } = world.writeConfig({ address: server.address, slots: 2, roundSeconds: 1 });
    const worker = new WorkerProcess(file, join(world.dataDir, 'worker.log'));
    try {
      // `benchbot start` registers the search attributes the requests set.
      worker.start();
      await worker.waitFor('ready.');
      const requests = [];
      {
        const connection = await Connection.connect({ address: server.address });
        try {
          const client = new Client({ connection });
          for (let i = 0; i < 2; i++) {
            const source = world.comment();
            requests.push({
              source,
              workflowId: await world.start(client, config.temporal.taskQueue, source),
            });
          }
        } finally {
          await connection.close();
        }
      }
      const deadline = Date.now() + 60_000;
      while (!(await runnerRunning(world))) {
        if (Date.now() > deadline) throw new Error(`no runner started; see ${worker.logFile}`);
        await sleep(200);
      }
      await server.stop();
      await sleep(3_000);
      server = await serve(port, dbFile);

      const connection = await Connection.connect({ address: server.address });
      try {
        await expectEachReportedOnce(world, new Client({ connection }), requests, config);
      } finally {
        await connection.close();
      }
      expect(worker.log()).not.toMatch(/\[benchbot\] stopped\./);
    } finally {
      await worker.stop();
    }
  });
});
