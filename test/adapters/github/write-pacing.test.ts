import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient, type GitHubClient } from '../../../adapters/github/client.js';
import { formatConfigIssues, parseConfig } from '../../../core/config/index.js';
import { type FakeGitHub, startFakeGitHub } from '../../fakes/github/index.js';

// github.writeIntervalMs reaches octokit's throttling: what is measured is when the writes arrive
// at the fake GitHub, started all at once by one client.

const BOT = 'benchbot[bot]';
const TOKEN = 'ghs_benchbot';
const REPO = { owner: 'acme', repo: 'engine' };

let fake: FakeGitHub;
let issue: number;

beforeAll(async () => {
  fake = await startFakeGitHub({ users: [{ login: BOT, token: TOKEN }, { login: 'alice' }] });
  fake.createRepo({ owner: REPO.owner, name: REPO.repo });
  issue = fake.openIssue(`${REPO.owner}/${REPO.repo}`, { author: 'alice', title: 'slow queries' });
});

afterAll(async () => {
  await fake?.stop();
});

/** A client as the worker makes it, from a config file with this `writeIntervalMs`, if any. */
function client(writeIntervalMs?: number): GitHubClient {
  const pacing = writeIntervalMs === undefined ? '' : `, writeIntervalMs: ${writeIntervalMs}`;
  const parsed = parseConfig(
    `version: 1\ngithub: { apiUrl: ${JSON.stringify(fake.url)}${pacing} }\n`,
    'benchbot.yaml',
  );
  if (!parsed.ok) throw new Error(formatConfigIssues(parsed.issues));
  return createGitHubClient({
    config: parsed.config,
    env: { GITHUB_TOKEN: TOKEN },
    logger: pino({ level: 'silent' }),
  });
}

const edits = (octokit: GitHubClient, count: number) => {
  const { id } = fake.addComment(`${REPO.owner}/${REPO.repo}`, issue, { author: BOT, body: 'queued' });
  return Array.from({ length: count }, (_, i) =>
    octokit.rest.issues.updateComment({ ...REPO, comment_id: id, body: `edit ${i}` }),
  );
};

const newComments = (octokit: GitHubClient, count: number) =>
  Array.from({ length: count }, (_, i) =>
    octokit.rest.issues.createComment({ ...REPO, issue_number: issue, body: `comment ${i}` }),
  );

/**
 * When each write arrived, in order, for writes all started at once. A read goes first, unpaced,
 * so the connection is open and the first write takes no longer to arrive than the others.
 */
async function arrivals(octokit: GitHubClient, writes: () => Promise<unknown>[]): Promise<number[]> {
  return (await writesInOrder(octokit, writes)).map((r) => r.at);
}

async function writesInOrder(
  octokit: GitHubClient,
  writes: () => Promise<unknown>[],
): Promise<{ path: string; at: number }[]> {
  await octokit.rest.issues.get({ ...REPO, issue_number: issue });
  fake.clearRequests();
  await Promise.all(writes());
  return fake.requests.filter((r) => r.method !== 'GET').sort((a, b) => a.at - b.at);
}

/**
 * Another client, paced at `intervalMs`, that edits a comment of its own `count` times alongside the
 * writes under test: how far it got is the yardstick the clock cannot give on a loaded machine.
 */
function yardstick(intervalMs: number, count: number) {
  const octokit = client(intervalMs);
  const { id } = fake.addComment(`${REPO.owner}/${REPO.repo}`, issue, { author: BOT, body: 'queued' });
  return {
    path: `/repos/${REPO.owner}/${REPO.repo}/issues/comments/${id}`,
    writes: () =>
      Array.from({ length: count }, (_, i) =>
        octokit.rest.issues.updateComment({ ...REPO, comment_id: id, body: `edit ${i}` }),
      ),
  };
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] ?? t));

// A few milliseconds of timer and HTTP jitter between the throttle's gate and the fake's clock.
const JITTER_MS = 100;

describe('github.writeIntervalMs', () => {
  it('by default lets one write start per second', async () => {
    const octokit = client();
    const times = await arrivals(octokit, () => edits(octokit, 3));
    expect(times).toHaveLength(3);
    expect(Math.min(...gaps(times))).toBeGreaterThanOrEqual(1000 - JITTER_MS);
  });

  it('spaces writes that notify (new comments) three intervals apart', async () => {
    const octokit = client(200);
    // Not further: all three (at 0, 0.6 and 1.2 s) come before the third of edits paced at 1 s (at
    // 2 s); at plugin-throttling's own 3 s for notifying writes, the second would not.
    const paced1s = yardstick(1000, 3);
    const writes = await writesInOrder(octokit, () => [...newComments(octokit, 3), ...paced1s.writes()]);
    const mine = writes.filter((w) => w.path !== paced1s.path);
    expect(mine).toHaveLength(3);
    expect(Math.min(...gaps(mine.map((w) => w.at)))).toBeGreaterThanOrEqual(600 - JITTER_MS);
    const beforeMyLast = writes.slice(0, writes.lastIndexOf(mine[2] as (typeof writes)[number]));
    expect(beforeMyLast.filter((w) => w.path === paced1s.path).length).toBeLessThan(3);
  });

  it('at 0 does not pace writes at all', async () => {
    const octokit = client(0);
    // All eight come before the second edit of a client paced at 3 s; paced as by default, these
    // would take 3 s (edits) and 9 s (new comments).
    const paced3s = yardstick(3000, 2);
    const writes = await writesInOrder(octokit, () => [
      ...edits(octokit, 4),
      ...newComments(octokit, 4),
      ...paced3s.writes(),
    ]);
    expect(writes).toHaveLength(10);
    expect(writes.slice(0, 9).filter((w) => w.path === paced3s.path)).toHaveLength(1);
    expect(writes.at(-1)?.path).toBe(paced3s.path);
  });
});
