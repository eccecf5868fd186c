import type { State } from '@temporalio/worker';
import { afterEach, describe, expect, it } from 'vitest';
import { type HealthServer, startHealthServer } from '../../worker/health-server.js';

const servers: HealthServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(states: Record<string, State>, checkTemporal: () => Promise<void>) {
  const server = await startHealthServer({
    address: '127.0.0.1:0',
    workers: () => states,
    checkTemporal,
  });
  servers.push(server);
  return server;
}

async function get(url: string, method = 'GET') {
  const res = await fetch(url, { method });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const answers = async () => {};

describe('health endpoint', () => {
  it('is live and ready while both workers poll and Temporal answers', async () => {
    const { url } = await serve({ benchbot: 'RUNNING', 'benchbot-jobs': 'RUNNING' }, answers);
    expect(await get(`${url}/healthz`)).toEqual({
      status: 200,
      body: { status: 'ok', workers: { benchbot: 'RUNNING', 'benchbot-jobs': 'RUNNING' } },
    });
    expect(await get(`${url}/readyz`)).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('is not ready while Temporal does not answer, or answers too slowly, and says why', async () => {
    const down = await serve({ benchbot: 'RUNNING' }, async () => {
      throw new Error('14 UNAVAILABLE: connection refused');
    });
    expect(await get(`${down.url}/readyz`)).toMatchObject({
      status: 503,
      body: { problems: ['Temporal does not answer: 14 UNAVAILABLE: connection refused'] },
    });
    expect((await get(`${down.url}/healthz`)).status).toBe(200);

    const slow = await serve({ benchbot: 'RUNNING' }, () => new Promise(() => {}));
    expect(await get(`${slow.url}/readyz`)).toMatchObject({
      status: 503,
      body: { problems: ['Temporal does not answer: no answer within 2000 ms'] },
    });
  });

  it('stays live but not ready while draining, and fails liveness once a worker failed', async () => {
    const states: Record<string, State> = { benchbot: 'DRAINING', 'benchbot-jobs': 'RUNNING' };
    const { url } = await serve(states, answers);
    expect((await get(`${url}/healthz`)).status).toBe(200);
    expect(await get(`${url}/readyz`)).toMatchObject({
      status: 503,
      body: { problems: ['worker for benchbot is DRAINING'] },
    });
    states['benchbot-jobs'] = 'FAILED';
    expect(await get(`${url}/healthz`)).toMatchObject({ status: 503, body: { status: 'failed' } });
  });

  it('answers only GET on its two paths', async () => {
    const { url } = await serve({ benchbot: 'RUNNING' }, answers);
    expect((await get(`${url}/metrics`)).status).toBe(404);
    expect((await get(`${url}/healthz`, 'POST')).status).toBe(405);
  });

  it('refuses a port in use, naming the setting', async () => {
    const first = await serve({ benchbot: 'RUNNING' }, answers);
    const address = first.url.replace('http://', '');
    await expect(startHealthServer({ address, workers: () => ({}), checkTemporal: answers })).rejects.toThrow(
      `telemetry.healthAddress ${address} is in use`,
    );
  });
});
