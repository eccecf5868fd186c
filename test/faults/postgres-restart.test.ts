import { readFile } from 'node:fs/promises';
import type { WorkflowHandle } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { openResultsStore } from '../../adapters/results-store/index.js';
import { withWorker } from '../integration/worker-harness.js';
import { type PostgresServer, startPostgres } from '../support/postgres.js';
import { sleep } from './worker-process.js';
import { DATABASE_URL_ENV, expectEachReportedOnce, type FaultWorld, makeWorld, TOKEN_ENV } from './world.js';

vi.setConfig({ testTimeout: 180_000 });

// A real request on a PostgreSQL results store whose server crashes (pg_ctl stop -m immediate)
// while recordRequestRun's transaction is open, and comes back from its WAL. A server of its own, since
// this one is stopped under the test.

let world: FaultWorld;
let server: PostgresServer;

beforeAll(async () => {
  [world, server] = await Promise.all([makeWorld('pgrestart'), startPostgres()]);
});

afterAll(async () => {
  await Promise.all([world?.dispose(), server?.remove()]);
});

async function count(url: string, sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ n: number }>(sql)).rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

/** Waits until the request's recordRequestRun is blocked on its last statement, the raw samples' INSERT. */
async function waitForBlockedWrite(url: string, handle: WorkflowHandle): Promise<void> {
  const deadline = Date.now() + 120_000;
  const blocked =
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO samples%'";
  while ((await count(url, blocked)) === 0) {
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') throw new Error(`the request ended (${status.name}) before recording`);
    if (Date.now() > deadline) throw new Error('recordRequestRun never started writing');
    await sleep(100);
  }
}

/** The pending recordRequestRun's last failure once it has one: the attempt the crash cut short. */
async function waitForRecordFailure(handle: WorkflowHandle) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const described = await handle.describe();
    const pending = described.raw.pendingActivities?.find((a) => a.activityType?.name === 'recordRequestRun');
    if (pending?.lastFailure) return { attempt: pending.attempt ?? 0, failure: pending.lastFailure };
    if (Date.now() > deadline) throw new Error('recordRequestRun never failed');
    await sleep(200);
  }
}

describe('PostgreSQL stopped in the middle of a write', () => {
  it('recording the run fails as unreachable, is retried once the server is back, and the run is recorded once, whole', async () => {
    const url = await server.createDatabase('restart');
    const env = { ...TOKEN_ENV, [DATABASE_URL_ENV]: url };
    const { config } = world.writeConfig({ address: inject('temporalAddress'), postgres: true });
    await (await openResultsStore(config, env)).close();

    // Another session holds the samples table from before the request, so the write stops on its
    // last statement with the run, platform and points rows already written in its transaction:
    // provably in flight when the server goes down, and nothing of it may survive the crash.
    const blocker = new pg.Client({ connectionString: url });
    blocker.on('error', () => undefined);
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE samples IN ACCESS EXCLUSIVE MODE');

    await withWorker(
      config,
      async ({ client, taskQueue }) => {
        const source = world.comment();
        const workflowId = await world.start(client, taskQueue, source);
        const handle = client.workflow.getHandle(workflowId);
        await waitForBlockedWrite(url, handle);
        await server.stop({ mode: 'immediate' });
        await blocker.end().catch(() => undefined);

        const { attempt, failure } = await waitForRecordFailure(handle);
        expect(attempt).toBeGreaterThanOrEqual(2);
        // The unreachable kind: retryable, and saying so.
        expect(failure.applicationFailureInfo?.type).toBe('ResultsStoreError');
        expect(failure.applicationFailureInfo?.nonRetryable).toBeFalsy();
        expect(failure.message).toMatch(
          /^recording run .* \(nothing was written\) failed: cannot reach PostgreSQL/,
        );
        expect(failure.message).toContain('retries by itself');
        expect((await handle.describe()).status.name).toBe('RUNNING');

        await server.start();
        // The server came back from a crash, not a clean shutdown.
        expect(await readFile(server.logFile, 'utf8')).toMatch(/automatic recovery in progress/);
        await expectEachReportedOnce(world, client, [{ source, workflowId }], config, { env });

        const store = await openResultsStore(config, env, { readonly: true });
        try {
          const listed = await store.listRuns({ limit: 100 });
          expect(listed.map((r) => r.runId)).toEqual([workflowId]);
          const run = await store.getRun(workflowId);
          expect(run?.report).toContain('| `Tiny` |');
          expect(run?.platforms).toHaveLength(1);
          expect(run?.platforms[0]?.results?.benchmarks.map((b) => b.name)).toEqual(['Tiny']);
          expect(run?.platforms[0]?.summaries.map((s) => s.changed?.n)).toEqual([3]);
        } finally {
          await store.close();
        }
      },
      { env },
    );
  });
});
