import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient, type GitHubClient } from '../../activities/github/client.js';
import { formatConfigIssues, parseConfig } from '../../core/config/index.js';
import { type FakeGitHub, startFakeGitHub } from '../fakes/github/index.js';

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
  await octokit.rest.issues.get({ ...REPO, issue_number: issue });
  fake.clearRequests();
  await Promise.all(writes());
  return fake.requests
    .filter((r) => r.method !== 'GET')
    .map((r) => r.at)
    .sort((a, b) => a - b);
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
    const times = await arrivals(octokit, () => newComments(octokit, 3));
    expect(times).toHaveLength(3);
    expect(Math.min(...gaps(times))).toBeGreaterThanOrEqual(600 - JITTER_MS);
    expect(Math.max(...gaps(times))).toBeLessThan(1000);
  });

  it('at 0 does not pace writes at all', async () => {
    const octokit = client(0);
    const times = await arrivals(octokit, () => [...edits(octokit, 4), ...newComments(octokit, 4)]);
    expect(times).toHaveLength(8);
    // Paced as by default, these would take 3 s (edits) and 9 s (new comments).
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeLessThan(500);
  });
});
