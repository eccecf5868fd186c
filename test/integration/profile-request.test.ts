import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runProfiles } from '../../adapters/profiles/job-profiles.js';
import { createStoreAccess } from '../../adapters/results-store/access.js';
import { commentRequestId } from '../../core/request/ids.js';
import type { RequestOutcome } from '../../core/request/types.js';
import { benchmarkRequest } from '../../workflows/index.js';
import { type FakeGitHub, startFakeGitHub } from '../fakes/github/index.js';
import { makeProfiledGoRepo, type ProfiledGoRepo, REMOVED_HELPER } from '../profile/go-profiles.js';
import { testConfig } from './test-config.js';
import { withWorker } from './worker-harness.js';

// A PR comment on a Go module whose change inlined a helper, through the real worker: the job takes
// both profiles after its rounds, the PR's report shows the helper's CPU going to zero, the run
// keeps the profiles, and no profile byte ever enters the workflow's history.

const REPO = 'acme/work';
const BOT = 'benchbot[bot]';
const dir = mkdtempSync(join(tmpdir(), 'benchbot-profile-request-'));
let fake: FakeGitHub;
let repo: ProfiledGoRepo;
let pr: number;

const config = () =>
  testConfig(`
version: 1
dataDir: ${JSON.stringify(join(dir, 'data'))}
github: { apiUrl: ${JSON.stringify(fake.url)}, botLogin: "${BOT}" }
# The module's temp folder is the test's own; the sandbox is not what this test is about.
executor: { local: { sandbox: none } }
repos:
  - name: ${REPO}
    url: ${JSON.stringify(repo.url)}
    build: { command: "go test -c -o bench.test .", env: { GOTOOLCHAIN: local } }
    benchmarks:
      - name: work
        command: "./bench.test -test.run '^$' -test.bench . -test.benchtime 200x > bench.txt"
        output: { path: bench.txt, format: go-bench }
        iterations: 10
        warmups: 0
        profile:
          command: "./bench.test -test.run '^$' -test.bench . -test.benchtime 1s -test.cpuprofile cpu.pprof > /dev/null"
          path: cpu.pprof
`);

beforeAll(async () => {
  repo = makeProfiledGoRepo(dir);
  fake = await startFakeGitHub({
    users: [
      { login: BOT, token: 'bot-token' },
      { login: 'ada', token: 'ada-token' },
    ],
  });
  fake.createRepo({ owner: 'acme', name: 'work', gitPath: repo.dir });
  fake.setPermission(REPO, 'ada', 'maintain');
  pr = await fake.openPullRequest(REPO, { author: 'ada', head: { ref: 'inlined' }, base: { ref: 'main' } });
});

afterAll(async () => {
  await fake?.stop();
  await rm(dir, { recursive: true, force: true });
});

vi.setConfig({ testTimeout: 400_000 });

describe('a profiled benchmark requested on a pull request', () => {
  it('reports the profile diff of the benchmark that changed, by reference only', async () => {
    const cfg = config();
    await withWorker(
      cfg,
      async ({ client, taskQueue }) => {
        const body = 'run benchmark work';
        const view = fake.addComment(REPO, pr, { author: 'ada', body, authorAssociation: 'MEMBER' });
        const source = {
          kind: 'comment' as const,
          repo: REPO,
          pr,
          commentId: view.id,
          requester: 'ada',
          association: 'MEMBER' as const,
          body,
        };
        const workflowId = commentRequestId(REPO, view.id);
        const handle = await client.workflow.start(benchmarkRequest, {
          taskQueue,
          workflowId,
          args: [{ source }],
        });
        const outcome: RequestOutcome = await handle.result();
        expect(outcome, JSON.stringify(outcome)).toMatchObject({ outcome: 'done' });

        const report = fake.comments(REPO, pr).find((c) => c.author === BOT)?.body ?? '';
        expect(report).toMatch(/`Process`[^\n]*faster/);
        expect(report).toContain('### CPU profiles of the changed benchmarks');
        expect(report).toMatch(
          new RegExp(
            `\\| \`${REMOVED_HELPER.replaceAll('.', '\\.')}\` \\(baseline only\\) \\|[^\\n]*\\| -[\\d.]+ m?s \\(-100\\.0%\\) \\|`,
          ),
        );

        // Gzip's magic in base64 (H4sI): no profile (and no gzipped results) travelled through Temporal.
        const history = JSON.stringify(await handle.fetchHistory());
        expect(history).not.toContain('H4sI');

        const store = createStoreAccess(cfg, {});
        try {
          const run = await store.use((s) => s.getRun(workflowId));
          const kept = await runProfiles(store, workflowId, run?.platforms[0]?.platform ?? '');
          expect(kept?.manifest.profiles.map((p) => [p.benchmark, p.sides])).toEqual([
            ['work', ['baseline', 'changed']],
          ]);
        } finally {
          await store.close();
        }
      },
      // The worker's PATH reaches jobs (runner-env.ts): Go lives in /usr/local/go/bin here.
      { env: { GITHUB_TOKEN: 'bot-token', PATH: process.env.PATH } },
    );
  });
});
