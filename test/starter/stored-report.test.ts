import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createReportActivities } from '../../activities/report-activities.js';
import { createStoreAccess } from '../../adapters/results-store/access.js';
import { putJobResults } from '../../adapters/results-store/job-artifacts.js';
import { serializeResults } from '../../core/results/schema.js';
import { storedReport } from '../../starter/stored-report.js';
import { bench, prResults, SHA_A, SHA_B, values } from '../adapters/results-store/fixtures.js';
import { testConfig } from '../integration/test-config.js';

// What `benchbot run` prints once its request is done: the report the worker recorded, read by the
// run id from the results store, or, where the store cannot be opened, the summary and how to see it.

const dir = mkdtempSync(join(tmpdir(), 'benchbot-stored-report-'));

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the report `benchbot run` prints', () => {
  it('is the one recorded with the run', async () => {
    const config = testConfig(
      `version: 1\nresults: { path: ${JSON.stringify(join(dir, 'results.sqlite'))} }\nrepos: []\n`,
    );
    const store = createStoreAccess(config, process.env);
    const runId = 'bench:acme/widgets:manual:1';
    try {
      const results = prResults(SHA_A, SHA_B, [
        bench('Q1', { baseline: values(100, 101, 99, 100), changed: values(130, 131, 129, 130) }),
      ]);
      await putJobResults(store, runId, serializeResults(results));
      const reports = createReportActivities(store);
      const { summary } = await reports.recordRequestRun({ runId, ref: runId, pullRequest: null });
      const expected = (await reports.compareRun({ results })).markdown;
      const said: string[] = [];
      expect(await storedReport(config, process.env, { runId, summary }, (l) => said.push(l))).toBe(expected);
      expect(said).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('falls back to the summary and `benchbot runs show` where the store cannot be opened', async () => {
    const config = testConfig(
      'version: 1\nresults: { store: postgres, urlEnv: BENCHBOT_TEST_UNSET_DATABASE_URL }\nrepos: []\n',
    );
    const said: string[] = [];
    const text = await storedReport(
      config,
      {},
      { runId: 'bench:acme/widgets:manual:2', summary: '1 faster, 0 slower, 0 unchanged' },
      (l) => said.push(l),
    );
    expect(text).toMatch(/^1 faster, 0 slower, 0 unchanged\n/);
    expect(text).toContain('`benchbot runs show bench:acme/widgets:manual:2`');
    expect(said).toEqual([expect.stringMatching(/BENCHBOT_TEST_UNSET_DATABASE_URL/)]);
  });
});
