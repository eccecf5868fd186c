import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrunkActivities } from '../../activities/trunk-activities.js';
import { createGitHubSession } from '../../adapters/github/session.js';
import { createStoreAccess, type StoreAccess } from '../../adapters/results-store/access.js';
import { type FakeGitHub, startFakeGitHub } from '../fakes/github/index.js';
import { testConfig } from '../integration/test-config.js';

// A confirmed regression of every function of a large suite, on three platforms, opens its issue
// on the faithful fake GitHub, which refuses bodies over 65,536 characters as GitHub does.

const dir = mkdtempSync(join(tmpdir(), 'benchbot-regression-issue-'));
const BOT = 'benchbot[bot]';
let fake: FakeGitHub;
let store: StoreAccess;

beforeAll(async () => {
  fake = await startFakeGitHub({ users: [{ login: BOT, token: 'bot-token' }] });
  fake.createRepo({ owner: 'acme', name: 'widgets' });
});

afterAll(async () => {
  await store?.close();
  await fake?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the regression issue of a large suite', () => {
  it('is opened, its table cut to what GitHub accepts', async () => {
    const config = testConfig(`
version: 1
results: { path: ${JSON.stringify(join(dir, 'results.sqlite'))} }
github: { apiUrl: ${JSON.stringify(fake.url)}, botLogin: "${BOT}" }
repos: []
`);
    store = createStoreAccess(config, process.env);
    const logger = pino({ level: 'silent' });
    const trunk = createTrunkActivities({
      config,
      store,
      github: createGitHubSession({ config, env: { GITHUB_TOKEN: 'bot-token' }, logger }),
      logger,
    });
    const slowdowns = Array.from({ length: 1000 }, (_, i) => ({
      label: `cast_kernels/cast string to date64 ${i}`,
      pctChange: 3,
    }));
    const opened = await trunk.reportRegression({
      repo: 'acme/widgets',
      branch: 'main',
      baselineSha: 'a'.repeat(40),
      changedSha: 'b'.repeat(40),
      range: { from: 'b'.repeat(40), to: 'b'.repeat(40), count: 1 },
      platforms: ['x86-64-linux', 'aarch64-linux', 'x86-64-windows'].map((platform) => ({
        platform,
        slowdowns,
      })),
      runId: 'trunk:acme/widgets:main:bbb',
    });
    expect(opened.created).toBe(true);
    const [issue] = [...fake.state.requireRepo('acme/widgets').issues.values()];
    expect(issue?.number).toBe(opened.number);
    expect(issue?.title).toContain(
      'cast_kernels/cast string to date64 0, cast_kernels/cast string to date64 1',
    );
    expect(issue?.body).toMatch(/…and \d+ more slowdowns; `benchbot runs show trunk:acme\/widgets:main:bbb`/);
  });
});
