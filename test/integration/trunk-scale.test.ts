import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TrunkRunInput } from '../../core/trunk/schedules.js';
import type { TrunkOutcome } from '../../workflows/trunk-run.js';
import { type FakeGitHub, startFakeGitHub } from '../fakes/github/index.js';
import { historyBytes, type SuiteSize, WIDE_SCRIPT_DIR, wideBenchmark } from '../support/wide-suite.js';
import { testConfig } from './test-config.js';
import { makeTrunkRepo, type TrunkRepo } from './trunk-fixture.js';
import { withWorker } from './worker-harness.js';

vi.setConfig({ testTimeout: 900_000 });

// Issue 21, item 2, for trunk runs: a regression of every function of a large suite, on several
// platforms, confirmed and reported, with a workflow history that does not grow with the suite.
// The slowdowns stay in the store (the recorded run, the confirmations' verdicts); the history
// carries counts, a few examples and references.

const REPO = 'acme/trunk-wide';
const BOT = 'benchbot[bot]';
const HOUR = 3600;
const HISTORY_LIMIT = 200 * 1024;
const PLATFORMS = ['local-a', 'local-b', 'local-c'];
// Every function slower on the changed side: 1,000 suspects, then 1,000 confirmed, per platform.
const SUITE: SuiteSize = { functions: 1000, samples: 5, rounds: 3, slowerEvery: 1 };

let fake: FakeGitHub;
let repo: TrunkRepo;
const dataDir = mkdtempSync(join(tmpdir(), 'benchbot-trunk-scale-'));

beforeAll(async () => {
  fake = await startFakeGitHub({ users: [{ login: BOT, token: 'bot-token' }] });
  repo = await makeTrunkRepo('work');
  fake.createRepo({ owner: 'acme', name: 'trunk-wide', gitPath: repo.dir });
});

afterAll(async () => {
  await fake?.stop();
  if (repo) await rm(repo.root, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

const config = () =>
  testConfig(`
version: 1
dataDir: ${JSON.stringify(dataDir)}
github: { apiUrl: ${JSON.stringify(fake.url)}, botLogin: "${BOT}" }
executor: { local: { readOnlyPaths: [${JSON.stringify(WIDE_SCRIPT_DIR)}] } }
repos:
  - name: ${REPO}
    url: ${JSON.stringify(repo.url)}
    build: { command: "sh build.sh" }
    benchmarks:
      - ${wideBenchmark('wide', SUITE)}
    platforms: ${JSON.stringify(PLATFORMS)}
    schedules:
      - { name: main, cron: "0 0 1 1 *", window: 1h }
`);

describe('a trunk run that finds every function of a 1,000-function suite slower', () => {
  it('confirms and reports them all with a history under 200 KB', async () => {
    const now = Math.floor(Date.now() / 1000);
    const first = await repo.commit(now - 2 * HOUR, 'baseline');
    const second = await repo.commit(now - HOUR, 'everything slower');
    const input: TrunkRunInput = { repo: REPO, schedule: 'main', reason: 'schedule' };
    await withWorker(
      config(),
      async ({ client, taskQueue }) => {
        const run = async () => {
          const handle = await client.workflow.start('trunkRun', {
            taskQueue,
            workflowId: `trunk:${REPO}:main:scale-${randomUUID()}`,
            args: [input],
          });
          return { handle, outcome: (await handle.result()) as TrunkOutcome };
        };
        // The first run of the branch measures its commit against itself: nothing to suspect.
        repo.git('branch', '-f', 'main', first);
        expect((await run()).outcome).toMatchObject({ outcome: 'recorded', sha: first, suspected: [] });

        repo.git('branch', '-f', 'main', second);
        const { handle, outcome } = await run();
        const bytes = await historyBytes(handle);
        console.log(
          `history of ${handle.workflowId} (${SUITE.functions} slower functions on ${PLATFORMS.length} platforms): ${bytes} bytes`,
        );
        expect(bytes).toBeLessThan(HISTORY_LIMIT);

        if (outcome.outcome !== 'recorded') throw new Error(`not recorded: ${JSON.stringify(outcome)}`);
        expect(outcome).toMatchObject({ sha: second, baselineSha: first });
        // Counts and the three largest slowdowns of each platform, not the lists.
        for (const counted of [outcome.suspected, outcome.confirmed]) {
          expect(counted.map((p) => [p.platform, p.count, p.largest.length])).toEqual(
            PLATFORMS.map((p) => [p, SUITE.functions, 3]),
          );
        }

        const issues = [...fake.state.requireRepo(REPO).issues.values()].filter((i) =>
          i.body?.includes('benchbot:regression'),
        );
        expect(issues.map((i) => i.number)).toEqual([outcome.issue]);
        const body = issues[0]?.body ?? '';
        // The issue lists the confirmed slowdowns, read from the store, cut to what GitHub accepts:
        // every one shown or counted in the line that closes the table.
        const rows = body.split('\n').filter((line) => /^\| local-. \| `F\d{3}` \| \+/.test(line));
        expect(rows[0]).toMatch(/^\| local-a \| `F000` \|/);
        const left = /…and (\d+) more slowdowns; `benchbot runs show (\S+)`/.exec(body);
        expect(left?.[2]).toBe(outcome.runId);
        expect(rows.length + Number(left?.[1])).toBe(PLATFORMS.length * SUITE.functions);
        expect(issues[0]?.title).toMatch(/: F000, F001, F002 and 997 more$/);
      },
      { env: { GITHUB_TOKEN: 'bot-token' } },
    );
  });
});
