import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { LostResponseProxy } from './lost-response-proxy.js';
import { sleep, WorkerProcess } from './worker-process.js';
import { BOT, expectEachReportedOnce, type FaultWorld, makeWorld } from './world.js';

vi.setConfig({ testTimeout: 180_000 });

let world: FaultWorld;
let proxy: LostResponseProxy;

beforeAll(async () => {
  world = await makeWorld('github');
  proxy = await LostResponseProxy.start(world.fake.url);
});

afterAll(async () => {
  await proxy?.stop();
  await world?.dispose();
});

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('GitHub failing under benchbot', () => {
  it('5xx, secondary limits with retry-after, lost responses and a deleted trigger: each request reports once', async () => {
    const { fake, repo } = world;
    const { file, config } = world.writeConfig({
      address: inject('temporalAddress'),
      slots: 3,
      githubUrl: proxy.url,
    });
    const worker = new WorkerProcess(file, join(world.dataDir, 'worker.log'));

    // A: GitHub's own failures, each aimed at A's paths where they have one. Octokit retries the
    // 5xx and waits out the secondary limits; whatever is left is Temporal's activity retry.
    const prA = world.pr;
    const a = world.comment();
    fake.faults.next({
      status: 500,
      match: { method: 'POST', pathPattern: `/repos/${repo}/issues/${prA}/comments` },
    });
    fake.faults.next({
      status: 403,
      retryAfter: 1,
      match: { method: 'GET', pathPattern: `/repos/${repo}/issues/${prA}/comments` },
    });
    fake.faults.next({
      status: 429,
      retryAfter: 1,
      match: { method: 'GET', pathPattern: `/repos/${repo}/pulls/${prA}` },
    });
    fake.faults.next({ status: 502, match: { method: 'GET', pathPattern: `/repos/${repo}/pulls/${prA}` } });
    fake.faults.next({
      status: 403,
      retryAfter: 1,
      match: { method: 'POST', pathPattern: `/repos/${repo}/issues/comments/${a.commentId}/reactions` },
    });
    fake.faults.next({
      status: 502,
      times: 2,
      match: { method: 'PATCH', pathPattern: '/repos/{owner}/{repo}/issues/comments/{id}' },
    });

    // B: writes that GitHub did although it answered 502: the status comment and the 👀.
    const prB = await world.openPullRequest();
    const b = world.comment(undefined, prB);
    proxy.loseNext({ method: 'POST', path: new RegExp(`^/repos/${repo}/issues/${prB}/comments$`) });
    proxy.loseNext({
      method: 'POST',
      path: new RegExp(`^/repos/${repo}/issues/comments/${b.commentId}/reactions$`),
    });

    // C: its trigger comment is deleted while it runs; the 🚀 then gets 404.
    const prC = await world.openPullRequest();
    const c = world.comment(undefined, prC);

    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const client = new Client({ connection });
      worker.start();
      const requests = [];
      for (const source of [a, b, c]) {
        requests.push({ source, workflowId: await world.start(client, config.temporal.taskQueue, source) });
      }
      await until('the 👀 on C', () => fake.reactions(c.commentId).some((r) => r.content === 'eyes'));
      fake.deleteComment(c.commentId);

      try {
        await expectEachReportedOnce(world, client, requests, config, { deletedTriggers: [c.commentId] });
      } finally {
        await worker.stop();
      }
      expect(fake.faults.pending()).toBe(0);
      expect(proxy.pending()).toBe(0);
      const rocketOnC = fake
        .requestsMatching({ method: 'POST', path: `/repos/${repo}/issues/comments/${c.commentId}/reactions` })
        .map((r) => r.status);
      // 👀 while it was there, then 🚀 into the void: one 404, not retried, not fatal.
      expect(rocketOnC).toEqual([201, 404]);
      // The deleted comment took its reactions with it; no reaction was left anywhere twice.
      expect(fake.comments(repo).filter((cm) => cm.author === BOT)).toHaveLength(3);
    } finally {
      await worker.stop();
      await connection.close();
    }
  });
});
