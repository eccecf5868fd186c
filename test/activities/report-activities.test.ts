import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReportActivities } from '../../activities/report-activities.js';
import { createStoreAccess, type StoreAccess } from '../../adapters/results-store/access.js';
import { putJobResults } from '../../adapters/results-store/job-artifacts.js';
import { resultsArtifactKey } from '../../core/results/claim-check.js';
import { serializeResults } from '../../core/results/schema.js';
import { bench, prResults, SHA_A, SHA_B, values } from '../adapters/results-store/fixtures.js';
import { testConfig } from '../integration/test-config.js';

// The claim check's read side on a real SQLite store: compare and record by reference, the job's
// artifacts gone once the run is recorded, and a retry of the record after that a no-op.

const dir = mkdtempSync(join(tmpdir(), 'benchbot-report-activities-'));
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

const results = prResults(SHA_A, SHA_B, [
  bench('Q1', { baseline: values(100, 101, 99, 100), changed: values(130, 131, 129, 130) }),
]);

describe('report activities by reference', () => {
  it('compare and record read the stored results; the record removes them and a retry finds the run', async () => {
    const reports = createReportActivities(store);
    const ref = 'bench:apache/datafusion:comment:7';
    await putJobResults(store, ref, serializeResults(results));
    await store.use((s) => s.putArtifact(`${ref}:checkpoint`, Buffer.from('{}')));

    const byRef = await reports.compareRun({ ref });
    expect(byRef).toEqual(await reports.compareRun({ results }));
    const input = { runId: ref, ref, pullRequest: 42, requester: 'alice' };
    expect(await reports.recordRun(input)).toBe(ref);
    expect(await store.use((s) => s.getArtifact(resultsArtifactKey(ref)))).toBeNull();
    expect(await store.use((s) => s.getArtifact(`${ref}:checkpoint`))).toBeNull();
    // A retry of the activity after its write: the run is there once, with its report.
    expect(await reports.recordRun(input)).toBe(ref);
    const runs = await store.use((s) => s.listRuns({ limit: 10 }));
    expect(runs.map((r) => r.runId)).toEqual([ref]);
    expect((await store.use((s) => s.runReport(ref)))?.report).toBe(byRef.markdown);
    expect((await store.use((s) => s.getRun(ref)))?.platforms[0]?.results?.benchmarks).toEqual(
      results.benchmarks,
    );
  });

  it('judges and records in one step for newer requests, and a retry after the write gives the same summary', async () => {
    const reports = createReportActivities(store);
    const ref = 'bench:apache/datafusion:comment:9';
    await putJobResults(store, ref, serializeResults(results));
    const expected = await reports.compareRun({ results });
    const input = { runId: ref, ref, pullRequest: 42, requester: 'alice' };
    const first = await reports.recordRequestRun(input);
    expect(first).toEqual({ runId: ref, summary: expected.summary });
    expect(await store.use((s) => s.getArtifact(resultsArtifactKey(ref)))).toBeNull();
    // The results are gone after the write: the retry answers from the recorded run.
    expect(await reports.recordRequestRun(input)).toEqual(first);
    expect((await store.use((s) => s.runReport(ref)))?.report).toBe(expected.markdown);
  });

  it('refuses a reference the store does not hold, saying what to do', async () => {
    const reports = createReportActivities(store);
    await expect(reports.compareRun({ ref: 'bench:apache/datafusion:comment:8' })).rejects.toMatchObject({
      type: 'InvalidResults',
      nonRetryable: true,
      message: expect.stringMatching(/not in the results store.*run the request again/),
    });
  });
});
