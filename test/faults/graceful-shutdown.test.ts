import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { openResultsStore } from '../../adapters/results-store/index.js';
import { freePort, sleep, WorkerProcess } from './worker-process.js';
import { expectEachReportedOnce, type FaultWorld, makeWorld, runnerRunning } from './world.js';

vi.setConfig({ testTimeout: 240_000 });

let world: FaultWorld;

beforeAll(async () => {
  world = await makeWorld('shutdown');
});

afterAll(async () => {
  await world?.dispose();
});

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The value of a Prometheus sample whose labels include all of `labels`, or null. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const have = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => have.includes(`${k}="${v}"`))) return Number(match[3]);
  }
  return null;
}

describe('operability of a running worker', () => {
  it('serves health and metrics, and on SIGTERM hands its running job on with the last checkpoint', async () => {
    const [metricsPort, healthPort] = [await freePort(), await freePort()];
    const { file, config } = world.writeConfig({
      address: inject('temporalAddress'),
      slots: 2,
      roundSeconds: 1,
      telemetry: { metricsPort, healthPort },
    });
    const logFile = join(world.dataDir, 'worker.log');
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const health = `http://127.0.0.1:${healthPort}`;
    const worker = new WorkerProcess(file, logFile, 'info');
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const client = new Client({ connection });
      worker.start();
      await worker.waitFor('ready.');
      expect(await get(`${health}/healthz`)).toMatchObject({ status: 200, body: { status: 'ok' } });
      const ready = await get(`${health}/readyz`);
      expect(ready).toMatchObject({ status: 200, body: { status: 'ready' } });
      // The main queue, the shared jobs queue of older workflows, and the platform's jobs queue.
      const queue = config.temporal.taskQueue;
      expect(ready.body.workers).toEqual({
        [queue]: 'RUNNING',
        [`${queue}-jobs`]: 'RUNNING',
        [`${queue}-jobs-x86-64-linux`]: 'RUNNING',
      });
      expect((await fetch(`${health}/elsewhere`)).status).toBe(404);

      const source = world.comment('run benchmark tiny second');
      const workflowId = await world.start(client, config.temporal.taskQueue, source);
      const checkpointFile = join(
        config.executor.local.workDir,
        workflowId.replace(/[^A-Za-z0-9._-]+/g, '_'),
        'out',
        'checkpoint.json',
      );
      type Checkpointed = { benchmarks: { name: string; status: string; rounds: unknown[] }[] };
      await until('the first benchmark and a round of the second to be checkpointed', async () => {
        const text = await readFile(checkpointFile, 'utf8').catch(() => '{"benchmarks":[]}');
        const { benchmarks } = JSON.parse(text) as Checkpointed;
        const second = benchmarks.find((b) => b.name === 'second');
        return benchmarks.find((b) => b.name === 'tiny')?.status === 'ok' && (second?.rounds.length ?? 0) > 0
          ? true
          : null;
      });

      // The job holds one of the two slots; the request shows as running.
      const metrics = await until('the request and slot metrics', async () => {
        const text = await (await fetch(metricsUrl)).text();
        const running = sample(text, 'benchbot_requests', { state: 'running' });
        return running === 1 && sample(text, 'benchbot_runner_slots_used') === 1 ? text : null;
      });
      expect(sample(metrics, 'benchbot_requests', { state: 'queued' })).toBe(0);
      expect(sample(metrics, 'benchbot_runner_slots')).toBe(2);
      expect(sample(metrics, 'benchbot_queue_depth')).toBe(0);
      expect(sample(metrics, 'benchbot_github_rate_limit_remaining')).not.toBeNull();

      expect(await worker.stop('SIGTERM')).toBe(0);
      // Nothing waited for the job to finish: stopped, the runner had still not done the second benchmark.
      const atStop = JSON.parse(await readFile(checkpointFile, 'utf8')) as Checkpointed;
      expect(atStop.benchmarks.map((b) => [b.name, b.status])).toEqual([
        ['tiny', 'ok'],
        ['second', 'running'],
      ]);
      expect(await runnerRunning(world)).toBe(false);

      // The attempt failed as a shutdown, with the checkpoint as its last heartbeat.
      const handle = client.workflow.getHandle(workflowId);
      const pending = (await handle.describe()).raw.pendingActivities?.[0];
      expect(pending?.activityType?.name).toBe('runJob');
      expect(pending?.lastFailure?.message).toMatch(
        /worker shut down.*resumes.*1 of 2 benchmarks done, second at round \d of 3/,
      );
      expect(pending?.lastFailure?.applicationFailureInfo?.type).toBe('WorkerShutdown');
      const details = pending?.heartbeatDetails?.payloads?.[0];
      expect(details && defaultPayloadConverter.fromPayload(details)).toMatchObject({
        progress: { type: 'checkpoint', benchmark: 'second', status: 'running', completed: 1, of: 2 },
      });

      // Every line the worker logged while a request's activity ran names the request.
      const lines = (await readFile(logFile, 'utf8'))
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const activityLines = lines.filter((l) => l.activityType !== undefined);
      expect(activityLines.length).toBeGreaterThan(0);
      for (const line of activityLines) expect(line.workflowId, JSON.stringify(line)).toBeTypeOf('string');
      expect(activityLines.some((l) => l.workflowId === workflowId && l.activityType === 'runJob')).toBe(
        true,
      );

      worker.start();
      await worker.waitFor('ready.');
      await expectEachReportedOnce(world, client, [{ source, workflowId }], config);
      // `tiny` was done before the shutdown and is not run again; `second` kept the rounds of attempt
      // 1 and was finished by attempt 2.
      const store = await openResultsStore(config, process.env, { readonly: true });
      try {
        const [run] = await store.runsBySha(world.repo, world.fixture.shas.slow);
        const attempts = Object.fromEntries(
          (run?.platforms[0]?.results?.benchmarks ?? []).map((b) => [
            b.name,
            [...new Set(b.samples.changed?.map((s) => s.attempt))],
          ]),
        );
        expect(attempts).toEqual({ Tiny: [1], Second: [1, 2] });
      } finally {
        await store.close();
      }
      const after = await until('the finished request to be counted', async () => {
        const text = await (await fetch(metricsUrl)).text();
        return sample(text, 'benchbot_requests_finished', { state: 'done' }) === 1 ? text : null;
      });
      expect(sample(after, 'benchbot_requests', { state: 'running' })).toBe(0);
      expect(sample(after, 'benchbot_jobs', { outcome: 'results' })).toBe(1);
    } finally {
      await worker.stop();
      await connection.close();
    }
  });
});
