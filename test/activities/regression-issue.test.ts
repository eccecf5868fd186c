import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrunkActivities } from '../../activities/trunk-activities.js';
import { createGitHubSession } from '../../adapters/github/session.js';
import { createStoreAccess, type StoreAccess } from '../../adapters/results-store/access.js';
import { confirmationArtifactKey } from '../../core/results/claim-check.js';
import { type FakeGitHub, startFakeGitHub } from '../fakes/github/index.js';
import { testConfig } from '../integration/test-config.js';

// A confirmed regression of every function of a large suite, on three platforms, opens its issue
// on the faithful fake GitHub, which refuses bodies over 65,536 characters as GitHub does.

const dir = mkdtempSync(join(tmpdir(), 'benchbot-regression-issue-'));
const BOT = 'benchbot[bot]';
const PLATFORMS = ['x86-64-linux', 'aarch64-linux', 'x86-64-windows'];
let fake: FakeGitHub;
let store: StoreAccess;
let trunk: ReturnType<typeof createTrunkActivities>;

beforeAll(async () => {
  fake = await startFakeGitHub({ users: [{ login: BOT, token: 'bot-token' }] });
  fake.createRepo({ owner: 'acme', name: 'widgets' });
  const config = testConfig(`
version: 1
results: { path: ${JSON.stringify(join(dir, 'results.sqlite'))} }
github: { apiUrl: ${JSON.stringify(fake.url)}, botLogin: "${BOT}" }
repos: []
`);
  store = createStoreAccess(config, process.env);
  const logger = pino({ level: 'silent' });
  trunk = createTrunkActivities({
    config,
    store,
    github: createGitHubSession({ config, env: { GITHUB_TOKEN: 'bot-token' }, logger }),
    logger,
  });
});

const slowdowns = Array.from({ length: 1000 }, (_, i) => ({
  label: `cast_kernels/cast string to date64 ${i}`,
  pctChange: 3,
}));
/** The fake's issue for commit `sha`'s regression. */
const issueOf = (sha: string) =>
  [...fake.state.requireRepo('acme/widgets').issues.values()].find((i) => i.body?.includes(`..${sha} -->`));
const regression = (sha: string) => ({
  repo: 'acme/widgets',
  branch: 'main',
  baselineSha: 'a'.repeat(40),
  changedSha: sha,
  range: { from: sha, to: sha, count: 1 },
  runId: `trunk:acme/widgets:main:${sha.slice(0, 3)}`,
});

afterAll(async () => {
  await store?.close();
  await fake?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the regression issue of a large suite', () => {
  it('is opened from the confirmations’ verdicts in the store, its table cut to what GitHub accepts', async () => {
    const sha = 'b'.repeat(40);
    const confirmations = PLATFORMS.map((platform) => ({
      platform,
      ref: `trunk:acme/widgets:main:bbb:${platform}:confirm`,
    }));
    for (const { ref } of confirmations)
      await store.use((s) =>
        s.putArtifact(confirmationArtifactKey(ref), Buffer.from(JSON.stringify(slowdowns))),
      );
    const opened = await trunk.reportRegression({ ...regression(sha), confirmations });
    expect(opened.created).toBe(true);
    const issue = issueOf(sha);
    expect(issue?.number).toBe(opened.number);
    expect(issue?.title).toContain(
      'cast_kernels/cast string to date64 0, cast_kernels/cast string to date64 1, cast_kernels/cast string to date64 2 and 997 more',
    );
    // Every row shown or counted in the line that closes the cut table.
    const body = issue?.body ?? '';
    const rows = body.split('\n').filter((line) => line.includes('| `cast_kernels/'));
    expect(rows[0]).toBe(`| ${PLATFORMS[0]} | \`cast_kernels/cast string to date64 0\` | +3.0% |`);
    const left = /…and (\d+) more slowdowns; `benchbot runs show trunk:acme\/widgets:main:bbb`/.exec(body);
    expect(rows.length + Number(left?.[1])).toBe(PLATFORMS.length * slowdowns.length);
  });

  it('is opened from the lists older workflows hand over', async () => {
    const sha = 'c'.repeat(40);
    const opened = await trunk.reportRegression({
      ...regression(sha),
      platforms: PLATFORMS.map((platform) => ({ platform, slowdowns })),
    });
    expect(opened.created).toBe(true);
    expect(issueOf(sha)?.body).toMatch(
      /…and \d+ more slowdowns; `benchbot runs show trunk:acme\/widgets:main:ccc`/,
    );
  });

  it('refuses a confirmation whose verdict is not in the store, naming it', async () => {
    const ref = 'trunk:acme/widgets:main:ddd:x86-64-linux:confirm';
    await expect(
      trunk.reportRegression({
        ...regression('d'.repeat(40)),
        confirmations: [{ platform: 'x86-64-linux', ref }],
      }),
    ).rejects.toMatchObject({
      type: 'InvalidResults',
      nonRetryable: true,
      message: expect.stringContaining(confirmationArtifactKey(ref)),
    });
  });
});
