import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { openResultsStore } from '../../adapters/results-store/index.js';
import type { CommentSource } from '../../core/request/types.js';
import { sleep, WorkerProcess } from './worker-process.js';
import { expectEachReportedOnce, type FaultWorld, makeWorld, storedRunIds } from './world.js';

vi.setConfig({ testTimeout: 180_000 });

// The faults are real: the store lives on a 4 MB tmpfs of its own, filled up with a file for "disk
// full", and its file is made immutable (chattr +i) for "read-only", which stops root too (chmod does
// not). Both need root (CAP_SYS_ADMIN / CAP_LINUX_IMMUTABLE), as CI has; elsewhere the suite fails
// naming what is missing, rather than passing without having run.
function requireTmpfsAndChattr(): void {
  const run = (what: string, command: string, args: string[]) => {
    try {
      execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? error).trim();
      throw new Error(
        `the disk-fault tests need to ${what}, and \`${command} ${args.join(' ')}\` failed (${stderr}): run them as root with CAP_SYS_ADMIN and CAP_LINUX_IMMUTABLE (as CI does; in Docker, --cap-add SYS_ADMIN --cap-add LINUX_IMMUTABLE) on Linux 6.0 or later`,
      );
    }
  };
  const probe = join('/tmp', `benchbot-mount-probe-${process.pid}`);
  mkdirSync(probe, { recursive: true });
  try {
    run('mount a tmpfs', 'mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]);
    try {
      const file = join(probe, 'probe');
      writeFileSync(file, '');
      run('make a file on a tmpfs immutable', 'chattr', ['+i', file]);
      run('make a file on a tmpfs mutable again', 'chattr', ['-i', file]);
    } finally {
      execFileSync('umount', [probe], { stdio: 'ignore' });
    }
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

let world: FaultWorld;
let storeDir = '';
let mounted = false;

beforeAll(async () => {
  requireTmpfsAndChattr();
  world = await makeWorld('store');
});

afterAll(async () => {
  if (mounted) {
    execFileSync('chattr', ['-i', join(storeDir, 'results.sqlite')], { stdio: 'ignore' });
    execFileSync('umount', ['-l', storeDir], { stdio: 'ignore' });
  }
  await world?.dispose();
});

/**
 * Waits until the store's first write of the run has failed with `message` and is being retried:
 * the job keeping its results by reference (it retries within its attempt, and says so in its
 * heartbeat), or recordRequestRun (retried by Temporal).
 */
async function waitForFailingWrite(handle: WorkflowHandle, message: RegExp): Promise<string> {
  const deadline = Date.now() + 90_000;
  let failure = '';
  for (;;) {
    const described = await handle.describe();
    const pending = described.raw.pendingActivities ?? [];
    const record = pending.find((a) => a.activityType?.name === 'recordRequestRun');
    const job = pending.find((a) => a.activityType?.name === 'runJob');
    const beat = job?.heartbeatDetails?.payloads?.[0];
    const storing =
      beat === undefined
        ? undefined
        : defaultPayloadConverter.fromPayload<{ storing?: string }>(beat).storing;
    if (storing !== undefined && message.test(storing)) {
      // Seen twice: the job keeps retrying rather than failing its attempt.
      if (failure === storing) {
        expect(described.status.name).toBe('RUNNING');
        return storing;
      }
      failure = storing;
    } else if ((record?.attempt ?? 0) >= 2 && message.test(record?.lastFailure?.message ?? '')) {
      expect(described.status.name).toBe('RUNNING');
      return record?.lastFailure?.message ?? '';
    }
    if (Date.now() > deadline)
      throw new Error(`no write of the run failed with ${message}; last: ${failure}`);
    await sleep(1_000);
  }
}

describe('the results store on a broken disk', () => {
  it('read-only, then full, when a run is recorded: a clear error, the run kept and retried until it is written once', async () => {
    storeDir = join(world.dataDir, 'results');
    mkdirSync(storeDir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', storeDir]);
    mounted = true;
    const resultsPath = join(storeDir, 'results.sqlite');
    const { file, config } = world.writeConfig({ address: inject('temporalAddress'), resultsPath });
    await (await openResultsStore(config, process.env)).close();
    const worker = new WorkerProcess(file, join(world.dataDir, 'worker.log'));
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const client = new Client({ connection });
      worker.start();
      const requests: { source: CommentSource; workflowId: string }[] = [];
      const request = async () => {
        const source = world.comment();
        const workflowId = await world.start(client, config.temporal.taskQueue, source);
        requests.push({ source, workflowId });
        return client.workflow.getHandle(workflowId);
      };

      // Read-only: the worker opens the store for the first time and cannot write.
      execFileSync('chattr', ['+i', resultsPath]);
      const first = await request();
      const readOnly = await waitForFailingWrite(first, /is read-only/);
      expect(readOnly).toContain(resultsPath);
      expect(readOnly).toMatch(/writable by the benchbot worker/);
      expect(await storedRunIds(world, config)).toEqual([]);
      execFileSync('chattr', ['-i', resultsPath]);
      await first.result();

      // Full: the store is open and in use; the disk under it fills up.
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${join(storeDir, 'filler')}`, 'bs=4k'], { stdio: 'ignore' });
      } catch {
        // dd stops with "No space left on device": that is the point.
      }
      const second = await request();
      const full = await waitForFailingWrite(second, /is full/);
      expect(full).toMatch(/free space there or point results.path at a bigger disk/);
      // No assertion that the second run is not recorded yet: the first run's artifacts, removed
      // once it was recorded, left free pages inside the database, which a retried write may reuse
      // even while the disk is full. What matters follows: each run recorded and reported once.
      expect(await storedRunIds(world, config)).toContain(requests[0]?.workflowId);
      rmSync(join(storeDir, 'filler'));

      await expectEachReportedOnce(world, client, requests, config);
      // The worker said so too, where an operator looks.
      expect(worker.log()).toMatch(/is read-only/);
      expect(worker.log()).toMatch(/is full/);
    } finally {
      await worker.stop();
      await connection.close();
    }
  });
});
