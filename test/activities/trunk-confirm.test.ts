import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrunkActivities } from '../../activities/trunk-activities.js';
import { createGitHubSession } from '../../adapters/github/session.js';
import { createStoreAccess, type StoreAccess } from '../../adapters/results-store/access.js';
import { putJobResults } from '../../adapters/results-store/job-artifacts.js';
import {
  checkpointArtifactKey,
  confirmationArtifactKey,
  resultsArtifactKey,
} from '../../core/results/claim-check.js';
import type { BenchbotResults } from '../../core/results/index.js';
import { serializeResults } from '../../core/results/schema.js';
import { bench, prResults, REPO, SHA_A, SHA_B, values } from '../adapters/results-store/fixtures.js';
import { testConfig } from '../integration/test-config.js';

// A trunk run's confirmation job by reference on a real SQLite store: its results go once judged,
// and a retry of the judging activity after that (the worker died before Temporal heard of the
// verdict) must still confirm the slowdown, not drop the alert as "results missing".

const dir = mkdtempSync(join(tmpdir(), 'benchbot-trunk-confirm-'));
let store: StoreAccess;

beforeAll(() => {
  const config = testConfig(
    `version: 1\nresults: { path: ${JSON.stringify(join(dir, 'results.sqlite'))} }\nrepos: []\n`,
  );
  store = createStoreAccess(config, process.env);
});

afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const ten = (from: number) => values(...Array.from({ length: 10 }, (_, i) => from + (i % 3)));
/** A trunk job's results: both sides on the branch, the previous commit against the new one. */
function trunkJob(results: BenchbotResults): BenchbotResults {
  const { pullRequest: _, ...run } = results.run;
  return { ...results, run: { ...run, reason: 'schedule' } };
}
const confirmation = prResults(SHA_A, SHA_B, [
  bench('Hot', { baseline: ten(100), changed: ten(130) }),
  bench('Cold', { baseline: ten(100), changed: ten(100) }),
]);

function trunkActivities() {
  const config = testConfig(
    `version: 1\nresults: { path: ${JSON.stringify(join(dir, 'results.sqlite'))} }\nrepos: []\n`,
  );
  const logger = pino({ level: 'silent' });
  const github = createGitHubSession({ config, env: {}, logger });
  return createTrunkActivities({ config, store, github, logger });
}

describe('confirming a trunk slowdown by reference', () => {
  it('removes the confirmation job’s results once judged, and a retry returns the same verdict', async () => {
    const trunk = trunkActivities();
    const ref = 'trunk:acme/widgets:main:abc:local:confirm';
    await putJobResults(store, ref, serializeResults(confirmation));
    await store.use((s) => s.putArtifact(checkpointArtifactKey(ref), Buffer.from('{}')));
    const suspects = [
      { label: 'Hot', pctChange: 0.3 },
      { label: 'Cold', pctChange: 0.02 },
    ];

    const first = await trunk.confirmSlowdowns({ suspects, ref });
    expect(first.map((s) => s.label)).toEqual(['Hot']);
    expect(await store.use((s) => s.getArtifact(resultsArtifactKey(ref)))).toBeNull();
    expect(await store.use((s) => s.getArtifact(checkpointArtifactKey(ref)))).toBeNull();

    // The activity's retry: the results are gone, the verdict is not.
    expect(await trunk.confirmSlowdowns({ suspects, ref })).toEqual(first);
    // A retry after the verdict was kept but before the results went: the verdict, and they go.
    await putJobResults(store, ref, serializeResults(confirmation));
    expect(await trunk.confirmSlowdowns({ suspects, ref })).toEqual(first);
    expect(await store.use((s) => s.getArtifact(resultsArtifactKey(ref)))).toBeNull();
  });

  it('still refuses a reference whose results were never kept', async () => {
    const trunk = trunkActivities();
    await expect(
      trunk.confirmSlowdowns({ suspects: [{ label: 'Hot', pctChange: 0.3 }], ref: 'trunk:never:kept' }),
    ).rejects.toMatchObject({ type: 'InvalidResults', nonRetryable: true });
  });
});

const PLATFORM = 'x86-64-linux';

describe('confirming a trunk slowdown from the recorded run (trunk-slowdowns-by-reference)', () => {
  it('reads the suspects from the recorded run, answers with counts, and keeps the verdict for the issue', async () => {
    const trunk = trunkActivities();
    const runId = 'trunk:apache/datafusion:main:counted';
    const first = trunkJob(
      prResults(SHA_A, SHA_B, [
        bench('Hot', { baseline: ten(100), changed: ten(130) }),
        bench('Warm', { baseline: ten(100), changed: ten(110) }),
        bench('Cold', { baseline: ten(100), changed: ten(100) }),
      ]),
    );
    const recorded = await trunk.recordTrunkRun({
      runId,
      repo: REPO,
      branch: 'main',
      reason: 'schedule',
      plan: {
        kind: 'run',
        mode: 'normal',
        windowSeconds: 3600,
        queueDepth: 0,
        pick: { sha: SHA_B, parents: 1, committedAt: 0, subject: 'slower' },
        range: { from: SHA_B, to: SHA_B, count: 1 },
        skipped: [],
      },
      baselineSha: SHA_A,
      platforms: [{ platform: PLATFORM, status: 'ok', results: first }],
      counted: true,
    });
    // Counts and the largest first, no list.
    expect(recorded).toEqual({
      inserted: true,
      suspected: [
        {
          platform: PLATFORM,
          count: 2,
          largest: [expect.objectContaining({ label: 'Hot' }), expect.objectContaining({ label: 'Warm' })],
        },
      ],
    });

    // The re-run sees Hot slower again, Warm not, and Cold (never suspected) slower: one confirmed.
    const ref = `${runId}:${PLATFORM}:confirm`;
    const rerun = trunkJob(
      prResults(SHA_A, SHA_B, [
        bench('Hot', { baseline: ten(100), changed: ten(130) }),
        bench('Warm', { baseline: ten(100), changed: ten(100) }),
        bench('Cold', { baseline: ten(100), changed: ten(130) }),
      ]),
    );
    await putJobResults(store, ref, serializeResults(rerun));
    const confirmed = await trunk.confirmSuspects({ runId, platform: PLATFORM, ref });
    expect(confirmed).toEqual({
      platform: PLATFORM,
      count: 1,
      largest: [expect.objectContaining({ label: 'Hot' })],
    });
    expect(await store.use((s) => s.getArtifact(resultsArtifactKey(ref)))).toBeNull();
    const verdict = await store.use((s) => s.getArtifact(confirmationArtifactKey(ref)));
    expect(JSON.parse(verdict?.toString('utf8') ?? '[]')).toEqual([
      expect.objectContaining({ label: 'Hot' }),
    ]);
    // A retry after the results went: the same answer, from the kept verdict.
    expect(await trunk.confirmSuspects({ runId, platform: PLATFORM, ref })).toEqual(confirmed);
  });
});
