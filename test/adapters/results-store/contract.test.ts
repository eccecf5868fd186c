import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copySqliteRuns } from '../../../adapters/results-store/copy-runs.js';
import {
  openSqliteResultsStore,
  type RecordRunInput,
  type ResultsStore,
} from '../../../adapters/results-store/index.js';
import type { Benchmark, Sample } from '../../../core/results/schema.js';
import { parseResults, serializeResults } from '../../../core/results/schema.js';
import { DEFAULT_OPTIONS, medianWithCi } from '../../../core/stats/index.js';
import {
  bench,
  expectStoreError,
  POSTGRES,
  prResults,
  REPO,
  SHA_A,
  SHA_B,
  SQLITE,
  type StoreUnderTest,
  sha,
  trunkResults,
  trunkRun,
  values,
} from './fixtures.js';

// The contract every results store keeps, run on SQLite (a file) and on a real PostgreSQL server.

describe.each([SQLITE, POSTGRES])('$name store', (kind) => {
  let t: StoreUnderTest;

  beforeEach(async () => {
    t = await kind.create();
  });

  afterEach(async () => {
    await t.dispose();
  });

  describe('recordRun', () => {
    it('gives back the results file as recorded, rounds, attempts and failures included', async () => {
      const results = prResults(SHA_A, SHA_B, [
        bench('q1', {
          baseline: [
            { value: 1.5, round: 0 },
            { value: 2.25, round: 1, attempt: 2 },
          ],
          changed: [
            { value: 1.25, round: 0 },
            { value: 2, round: 1 },
          ],
        }),
        bench(
          'q2',
          { baseline: values(3), changed: [] },
          {
            group: { kind: 'benchmark' },
            status: 'failed',
            failure: { reason: 'timed out', logTail: 'killed' },
            rawSamples: false,
          },
        ),
        bench(
          'q3',
          { baseline: values(1), changed: values(2) },
          { status: 'failed', failure: { reason: 'oom' } },
        ),
      ]);
      const parsed = parseResults(serializeResults(results), 'r.json');
      expect(parsed.ok).toBe(true);
      const s = await t.open();
      await s.recordRun({
        runId: 'pr-1',
        repository: REPO,
        branch: null,
        pullRequest: 42,
        reason: 'pr-comment',
        recordedAt: '2026-01-01T00:00:00Z',
        platforms: [{ platform: 'x86-64-linux', status: 'ok', results }],
      });
      const [run] = await s.runsBySha(REPO, SHA_B);
      expect(run?.platforms[0]?.results).toEqual(results);
      expect(run?.platforms[0]?.sides).toEqual({
        baseline: { ref: 'main', sha: SHA_A },
        changed: { ref: 'refs/pull/42/head', sha: SHA_B },
      });
      expect(run).toMatchObject({
        runId: 'pr-1',
        branch: null,
        pullRequest: 42,
        commitRange: null,
        skipped: [],
      });
    });

    it('gives back a version 2 file with its adaptive rounds as recorded', async () => {
      const base = prResults(SHA_A, SHA_B, [bench('q1', { baseline: values(3), changed: values(3) })]);
      const results = {
        ...base,
        schemaVersion: 2 as const,
        run: {
          ...base.run,
          adaptive: {
            spending: 'bonferroni-split' as const,
            firstLookShare: 0.5,
            extended: [
              {
                benchmark: 'q',
                plannedRounds: 2,
                rounds: 3,
                measurements: [
                  { group: { kind: 'query' as const }, name: 'q1', metric: 'time', look: 2 as const },
                ],
              },
            ],
          },
        },
      };
      expect(parseResults(serializeResults(results), 'r.json').ok).toBe(true);
      const s = await t.open();
      await s.recordRun({
        runId: 'pr-2',
        repository: REPO,
        branch: null,
        pullRequest: 42,
        reason: 'pr-comment',
        recordedAt: '2026-01-01T00:00:00Z',
        platforms: [{ platform: 'x86-64-linux', status: 'ok', results }],
      });
      const [run] = await s.runsBySha(REPO, SHA_B);
      expect(run?.platforms[0]?.results).toEqual(results);
    });

    it('stores the median and CI of the samples that count (a retried round keeps its latest attempt)', async () => {
      const changed: Sample[] = [
        ...[10, 12, 11, 13, 9, 14, 10.5].map((value, round) => ({ value, round })),
        { value: 1000, round: 7, attempt: 1 },
        { value: 12.5, round: 7, attempt: 2 },
      ];
      const s = await t.open();
      await s.recordRun({
        ...trunkRun('r1', sha(1), '2026-01-01T00:00:00Z'),
        platforms: [
          {
            platform: 'x86-64-linux',
            status: 'ok',
            results: trunkResults(sha(1), [bench('q1', { changed })]),
          },
        ],
      });
      const counted = [10, 12, 11, 13, 9, 14, 10.5, 12.5].sort((a, b) => a - b);
      const expected = medianWithCi(counted, DEFAULT_OPTIONS.confidence);
      const latest = await s.latestRun({ repository: REPO, branch: 'main', platform: 'x86-64-linux' });
      expect(latest?.platform.summaries[0]).toMatchObject({
        name: 'q1',
        baseline: null,
        changed: { n: 8, median: expected.median, ciLo: expected.lo, ciHi: expected.hi },
      });
    });

    it('is idempotent by runId: a retried activity writes nothing the second time', async () => {
      const s = await t.open();
      const input = trunkRun('trunk:apache/datafusion:main:1', sha(1), '2026-01-01T00:00:00Z');
      expect(await s.recordRun(input)).toEqual({ inserted: true });
      const before = await t.counts();
      expect(await s.recordRun({ ...input, recordedAt: '2026-01-01T00:05:00Z' })).toEqual({
        inserted: false,
      });
      expect(await t.counts()).toEqual(before);
      expect(before.runs).toBe(1);
    });

    it('is idempotent across connections, as two workers retrying the same activity would be', async () => {
      const a = await t.open();
      const b = await t.open();
      const input = trunkRun('r1', sha(1), '2026-01-01T00:00:00Z');
      expect([await a.recordRun(input), await b.recordRun(input)]).toEqual([
        { inserted: true },
        { inserted: false },
      ]);
      expect((await t.counts()).runs).toBe(1);
    });

    it('refuses a runId already used for another repository', async () => {
      const s = await t.open();
      await s.recordRun(trunkRun('r1', sha(1), '2026-01-01T00:00:00Z'));
      const other = trunkRun('r1', sha(1), '2026-01-01T00:00:00Z', { repository: 'other/repo' });
      for (const p of other.platforms) {
        if (p.results) p.results = { ...p.results, run: { ...p.results.run, repository: 'other/repo' } };
      }
      await expectStoreError(
        () => s.recordRun(other),
        'invalid-run',
        'already recorded for apache/datafusion',
      );
    });

    const failed = { platform: 'arm64-linux', status: 'failed', failure: 'build failed' } as const;
    const okResults = trunkResults(sha(1), [bench('q1', { changed: values(1, 2, 3) })]);

    // Each breaks a database rule late in the write (after the run row and a first platform are in).
    const lateFailures: Array<[string, Partial<RecordRunInput>]> = [
      [
        'a duplicate benchmark in the second platform',
        {
          platforms: [
            failed,
            {
              platform: 'x86-64-linux',
              status: 'ok',
              results: trunkResults(sha(1), [
                bench('q1', { changed: values(1) }),
                bench('q1', { changed: values(2) }),
              ]),
            },
          ],
        },
      ],
      [
        'an unknown direction',
        {
          platforms: [
            {
              platform: 'x86-64-linux',
              status: 'ok',
              results: trunkResults(sha(1), [
                bench('q1', { changed: values(1) }),
                bench('q2', { changed: values(1) }, { direction: 'sideways' as Benchmark['direction'] }),
              ]),
            },
          ],
        },
      ],
      [
        'a negative queue depth on a skipped commit',
        {
          skipped: [{ sha: sha(2), reason: 'queue full', queueDepth: -1 }],
          platforms: [{ platform: 'x86-64-linux', status: 'ok', results: okResults }],
        },
      ],
      [
        'a commit range with a zero count',
        {
          commitRange: { from: sha(0), to: sha(1), count: 0 },
          platforms: [{ platform: 'x86-64-linux', status: 'ok', results: okResults }],
        },
      ],
    ];

    it.each(lateFailures)('writes nothing at all when the run has %s', async (_, broken) => {
      const s = await t.open();
      const input = { ...trunkRun('r1', sha(1), '2026-01-01T00:00:00Z'), ...broken };
      await expectStoreError(() => s.recordRun(input), 'invalid-run', 'nothing was written', t.where);
      expect(await t.counts()).toEqual({
        runs: 0,
        skipped_commits: 0,
        platform_runs: 0,
        series: 0,
        benchmark_results: 0,
        points: 0,
        samples: 0,
      });
      // The id was not taken by the failed attempt.
      expect(await s.recordRun(trunkRun('r1', sha(1), '2026-01-01T00:00:00Z'))).toEqual({ inserted: true });
    });

    const earlyFailures: Array<[string, Partial<RecordRunInput>, string]> = [
      ['an empty runId', { runId: '' }, 'runId is empty'],
      ['no platforms', { platforms: [] }, 'no platforms'],
      ['a bad time', { recordedAt: 'yesterday' }, 'not an ISO 8601 time'],
      ['a platform twice', { platforms: [failed, failed] }, 'appears twice'],
      ['an ok platform without results', { platforms: [{ platform: 'p', status: 'ok' }] }, 'needs results'],
      [
        'a failed platform without a reason',
        { platforms: [{ platform: 'p', status: 'failed' }] },
        'failure reason',
      ],
      [
        'results of another platform',
        { platforms: [{ platform: 'arm64-linux', status: 'ok', results: okResults }] },
        'results are for platform x86-64-linux',
      ],
    ];

    it.each(earlyFailures)('refuses %s before writing', async (_, broken, message) => {
      const s = await t.open();
      await expectStoreError(
        () => s.recordRun({ ...trunkRun('r1', sha(1), '2026-01-01T00:00:00Z'), ...broken }),
        'invalid-run',
        message,
      );
      expect((await t.counts()).runs).toBe(0);
    });
  });

  describe('queries', () => {
    const platform = 'x86-64-linux';
    const main = { repository: REPO, branch: 'main', platform };

    async function seeded(): Promise<ResultsStore> {
      const s = await t.open();
      // r1..r3 on main, one a day; r3 also on arm (failed); q2 only exists in r1.
      await s.recordRun({
        ...trunkRun('r1', sha(1), '2026-01-01T10:00:00Z'),
        platforms: [
          {
            platform,
            status: 'ok',
            results: trunkResults(sha(1), [
              bench('q1', { changed: values(10, 11, 12) }),
              bench('q2', { changed: values(5, 6, 7) }),
            ]),
          },
        ],
      });
      await s.recordRun({
        ...trunkRun('r2', sha(4), '2026-01-02T10:00:00Z'),
        commitRange: { from: sha(2), to: sha(4), count: 3 },
        skipped: [
          { sha: sha(2), reason: 'queue depth 3', queueDepth: 3 },
          { sha: sha(3), reason: 'queue depth 3', queueDepth: 3 },
        ],
      });
      await s.recordRun({
        ...trunkRun('r3', sha(5), '2026-01-03T10:00:00Z'),
        platforms: [
          {
            platform,
            status: 'ok',
            results: trunkResults(sha(5), [
              bench('q1', { changed: values(20, 21, 22) }),
              bench('q2', { changed: values(1) }, { status: 'failed', failure: { reason: 'crashed' } }),
            ]),
          },
          { platform: 'arm64-linux', status: 'failed', failure: 'runner lost' },
        ],
      });
      // A PR A/B (no branch) and another branch must not leak into main's history.
      await s.recordRun({
        runId: 'pr',
        repository: REPO,
        branch: null,
        pullRequest: 42,
        reason: 'pr-comment',
        recordedAt: '2026-01-04T10:00:00Z',
        platforms: [
          {
            platform,
            status: 'ok',
            results: prResults(sha(5), SHA_B, [bench('q1', { baseline: values(1), changed: values(2) })]),
          },
        ],
      });
      await s.recordRun({ ...trunkRun('rel', sha(9), '2026-01-05T10:00:00Z'), branch: 'release' });
      return s;
    }

    it('latestRun finds the newest run of a branch and platform, optionally with a benchmark or status', async () => {
      const s = await seeded();
      expect((await s.latestRun(main))?.run.runId).toBe('r3');
      expect((await s.latestRun({ ...main, benchmark: 'q2' }))?.run.runId).toBe('r1');
      expect((await s.latestRun({ ...main, benchmark: 'q1' }))?.run.runId).toBe('r3');
      expect((await s.latestRun({ ...main, platform: 'arm64-linux' }))?.platform).toMatchObject({
        status: 'failed',
        failure: 'runner lost',
        results: null,
        summaries: [],
      });
      expect(await s.latestRun({ ...main, platform: 'arm64-linux', status: 'ok' })).toBeNull();
      expect((await s.latestRun({ ...main, branch: null }))?.run.runId).toBe('pr');
      expect(await s.latestRun({ ...main, branch: 'nope' })).toBeNull();
      expect(await s.latestRun({ ...main, benchmark: 'q9' })).toBeNull();
    });

    it('lastRuns lists the newest first, up to the limit, with run-level facts', async () => {
      const s = await seeded();
      const runs = await s.lastRuns({ ...main, limit: 2 });
      expect(runs.map((r) => r.run.runId)).toEqual(['r3', 'r2']);
      expect(runs[1]?.run).toMatchObject({
        commitRange: { from: sha(2), to: sha(4), count: 3 },
        skipped: [
          { sha: sha(2), reason: 'queue depth 3', queueDepth: 3 },
          { sha: sha(3), reason: 'queue depth 3', queueDepth: 3 },
        ],
      });
      expect((await s.lastRuns({ ...main, limit: 10 })).map((r) => r.run.runId)).toEqual(['r3', 'r2', 'r1']);
      await expectStoreError(() => s.lastRuns({ ...main, limit: 0 }), 'invalid-query', 'limit');
    });

    it('runs recorded at the same instant keep the order they were recorded in', async () => {
      const s = await t.open();
      for (const id of ['a', 'b', 'c']) await s.recordRun(trunkRun(id, sha(1), '2026-01-01T00:00:00Z'));
      expect((await s.lastRuns({ ...main, limit: 3 })).map((r) => r.run.runId)).toEqual(['c', 'b', 'a']);
    });

    it('runsBySha finds runs by either side, by a prefix, and by the end of a commit range', async () => {
      const s = await seeded();
      expect((await s.runsBySha(REPO, sha(5))).map((r) => r.runId)).toEqual(['pr', 'r3']);
      expect((await s.runsBySha(REPO, SHA_B.slice(0, 7))).map((r) => r.runId)).toEqual(['pr']);
      expect((await s.runsBySha(REPO, sha(4))).map((r) => r.runId)).toEqual(['r2']);
      expect(await s.runsBySha(REPO, sha(2))).toEqual([]);
      expect(await s.runsBySha('other/repo', sha(5))).toEqual([]);
      const [r3] = (await s.runsBySha(REPO, sha(5))).slice(1);
      expect(r3?.platforms.map((p) => [p.platform, p.status])).toEqual([
        [platform, 'ok'],
        ['arm64-linux', 'failed'],
      ]);
      await expectStoreError(() => s.runsBySha(REPO, 'HEAD'), 'invalid-query', 'hex digits');
    });

    it('finds a failed run with no results by the end of its commit range', async () => {
      const s = await t.open();
      await s.recordRun({
        ...trunkRun('r1', sha(7), '2026-01-01T00:00:00Z'),
        commitRange: { from: sha(7), to: sha(7) },
        platforms: [{ platform, status: 'failed', failure: 'build failed' }],
      });
      expect((await s.runsBySha(REPO, sha(7))).map((r) => [r.runId, r.commitRange])).toEqual([
        ['r1', { from: sha(7), to: sha(7), count: null }],
      ]);
    });

    it('coverage counts runs, failures, covered and skipped commits per UTC day, with empty days', async () => {
      const s = await seeded();
      const range = {
        repository: REPO,
        branch: 'main',
        from: '2025-12-31T12:00:00Z',
        to: '2026-01-04T00:00:00Z',
      };
      expect(await s.coverage(range)).toEqual([
        { day: '2025-12-31', runs: 0, failedRuns: 0, commitsCovered: 0, skipped: 0 },
        { day: '2026-01-01', runs: 1, failedRuns: 0, commitsCovered: 1, skipped: 0 },
        { day: '2026-01-02', runs: 1, failedRuns: 0, commitsCovered: 3, skipped: 2 },
        { day: '2026-01-03', runs: 1, failedRuns: 0, commitsCovered: 1, skipped: 0 },
      ]);
      expect(await s.coverage({ ...range, platform: 'arm64-linux' })).toEqual([
        { day: '2025-12-31', runs: 0, failedRuns: 0, commitsCovered: 0, skipped: 0 },
        { day: '2026-01-01', runs: 0, failedRuns: 0, commitsCovered: 0, skipped: 0 },
        { day: '2026-01-02', runs: 0, failedRuns: 0, commitsCovered: 0, skipped: 0 },
        { day: '2026-01-03', runs: 1, failedRuns: 1, commitsCovered: 0, skipped: 0 },
      ]);
      // `to` is exclusive: a run exactly at `to` belongs to the next range.
      expect(
        await s.coverage({ ...range, from: '2026-01-01T00:00:00Z', to: '2026-01-01T10:00:00Z' }),
      ).toEqual([{ day: '2026-01-01', runs: 0, failedRuns: 0, commitsCovered: 0, skipped: 0 }]);
      await expectStoreError(() => s.coverage({ ...range, from: 'soon' }), 'invalid-query', 'ISO 8601');
      await expectStoreError(
        () => s.coverage({ ...range, from: '1900-01-01T00:00:00Z' }),
        'invalid-query',
        'shorter range',
      );
    });

    it('series gives successful points oldest first, by recorded time, with the last `limit` points', async () => {
      const s = await seeded();
      const points = await s.series({ ...main, benchmark: 'q1' });
      expect(points.map((p) => [p.runId, p.sha, p.median])).toEqual([
        ['r1', sha(1), 11],
        ['r2', sha(4), 12.5],
        ['r3', sha(5), 21],
      ]);
      // Every field, the interval included: the stores read points their own way (PostgreSQL as JSON).
      const r2 = medianWithCi([10, 11, 12, 13, 14, 15], DEFAULT_OPTIONS.confidence);
      expect(points[1]).toEqual({
        runId: 'r2',
        recordedAt: '2026-01-02T10:00:00Z',
        reason: 'schedule',
        pullRequest: null,
        side: 'changed',
        sha: sha(4),
        commitRange: { from: sha(2), to: sha(4), count: 3 },
        group: { kind: 'query', name: 'tpch' },
        metric: 'time',
        unit: 'ns',
        direction: 'lower-is-better',
        n: 6,
        median: r2.median,
        ciLo: r2.lo,
        ciHi: r2.hi,
      });
      expect(r2.lo).not.toBe(r2.hi);
      expect((await s.series({ ...main, benchmark: 'q1', limit: 2 })).map((p) => p.runId)).toEqual([
        'r2',
        'r3',
      ]);
      // q2 failed in r3, so its series stops at r1.
      expect((await s.series({ ...main, benchmark: 'q2' })).map((p) => p.runId)).toEqual(['r1']);
      expect(await s.series({ ...main, benchmark: 'q1', metric: 'bytes' })).toEqual([]);
      // A PR A/B gives one point per side, baseline first.
      expect(
        (await s.series({ ...main, branch: null, benchmark: 'q1' })).map((p) => [
          p.side,
          p.sha,
          p.pullRequest,
        ]),
      ).toEqual([
        ['baseline', sha(5), 42],
        ['changed', SHA_B, 42],
      ]);
    });

    it('series orders by recorded time even when runs arrive out of order', async () => {
      const s = await t.open();
      await s.recordRun(trunkRun('late', sha(2), '2026-01-02T00:00:00Z'));
      await s.recordRun(trunkRun('early', sha(1), '2026-01-01T00:00:00Z'));
      expect((await s.series({ ...main, benchmark: 'q1' })).map((p) => p.runId)).toEqual(['early', 'late']);
    });

    it('separates metrics of one benchmark into their own series', async () => {
      const s = await t.open();
      await s.recordRun({
        ...trunkRun('r1', sha(1), '2026-01-01T00:00:00Z'),
        platforms: [
          {
            platform,
            status: 'ok',
            results: trunkResults(sha(1), [
              bench('q1', { changed: values(10) }),
              bench('q1', { changed: values(2048) }, { metric: 'peak-memory', unit: 'B' }),
            ]),
          },
        ],
      });
      expect((await s.series({ ...main, benchmark: 'q1' })).map((p) => p.metric).sort()).toEqual([
        'peak-memory',
        'time',
      ]);
      expect(await s.series({ ...main, benchmark: 'q1', metric: 'peak-memory' })).toMatchObject([
        { unit: 'B', median: 2048 },
      ]);
      await s.recordRun({
        ...trunkRun('r2', sha(2), '2026-01-02T00:00:00Z'),
        platforms: [
          {
            platform,
            status: 'ok',
            results: trunkResults(sha(2), [
              bench('q1', { changed: values(2000) }, { metric: 'peak-memory', unit: 'B' }),
            ]),
          },
        ],
      });
      // The limit applies to the merged metrics: the newest two points over both series.
      expect(
        (await s.series({ ...main, benchmark: 'q1', limit: 2 })).map((p) => [p.runId, p.metric]),
      ).toEqual([
        ['r1', expect.any(String)],
        ['r2', 'peak-memory'],
      ]);
    });
  });
  describe('what runs carry besides samples', () => {
    const platform = 'x86-64-linux';

    it('keeps who asked, the summary line and the report, and finds a run by its id', async () => {
      const s = await t.open();
      await s.recordRun({
        runId: 'bench:apache/datafusion:comment:7',
        repository: REPO,
        branch: null,
        pullRequest: 42,
        reason: 'pr-comment',
        recordedAt: '2026-01-01T00:00:00Z',
        requester: 'alamb',
        summary: '1 faster, 0 slower, 0 unchanged',
        report: '## Benchmark report\n\n| q1 | -5% |',
        platforms: [
          {
            platform,
            status: 'ok',
            results: prResults(SHA_A, SHA_B, [bench('q1', { baseline: values(2), changed: values(1) })]),
          },
        ],
      });
      const run = await s.getRun('bench:apache/datafusion:comment:7');
      expect(run).toMatchObject({
        requester: 'alamb',
        summary: '1 faster, 0 slower, 0 unchanged',
        report: '## Benchmark report\n\n| q1 | -5% |',
        pullRequest: 42,
      });
      expect(run?.platforms[0]?.results?.benchmarks[0]?.samples.changed).toEqual(values(1));
      expect(await s.getRun('no-such-run')).toBeNull();
      // A trunk run without those facts reads them as null.
      await s.recordRun(trunkRun('r1', sha(1), '2026-01-02T00:00:00Z'));
      expect(await s.getRun('r1')).toMatchObject({ requester: null, summary: null, report: null });
      // The report alone, without the samples (what the status comment loads).
      expect(await s.runReport('bench:apache/datafusion:comment:7')).toEqual({
        summary: '1 faster, 0 slower, 0 unchanged',
        report: '## Benchmark report\n\n| q1 | -5% |',
      });
      expect(await s.runReport('r1')).toEqual({ summary: null, report: null });
      expect(await s.runReport('no-such-run')).toBeNull();
    });

    it('listRuns shows every kind of run newest first, filtered by repository and kind, page by page', async () => {
      const s = await t.open();
      const ab = (runId: string, reason: 'pr-comment' | 'manual', at: string, repository = REPO) => {
        const results = prResults(SHA_A, SHA_B, [bench('q1', { baseline: values(2), changed: values(1) })]);
        return {
          runId,
          repository,
          branch: null,
          pullRequest: reason === 'pr-comment' ? 42 : null,
          reason,
          recordedAt: at,
          requester: 'octocat',
          summary: `summary of ${runId}`,
          platforms: [
            {
              platform,
              status: 'ok' as const,
              results: { ...results, run: { ...results.run, repository, reason } },
            },
          ],
        } satisfies RecordRunInput;
      };
      await s.recordRun(ab('pr-1', 'pr-comment', '2026-01-01T00:00:00Z'));
      await s.recordRun(trunkRun('trunk-1', sha(1), '2026-01-02T00:00:00Z', { reason: 'manual' }));
      await s.recordRun(ab('manual-1', 'manual', '2026-01-03T00:00:00Z'));
      await s.recordRun(ab('other-1', 'manual', '2026-01-04T00:00:00Z', 'other/repo'));
      await s.recordRun(trunkRun('trunk-2', sha(2), '2026-01-05T00:00:00Z'));

      const all = await s.listRuns({ limit: 10 });
      expect(all.map((r) => r.runId)).toEqual(['trunk-2', 'other-1', 'manual-1', 'trunk-1', 'pr-1']);
      expect(all.find((r) => r.runId === 'pr-1')).toMatchObject({
        repository: REPO,
        reason: 'pr-comment',
        pullRequest: 42,
        requester: 'octocat',
        summary: 'summary of pr-1',
        platforms: [
          {
            platform,
            status: 'ok',
            sides: {
              baseline: { ref: 'main', sha: SHA_A },
              changed: { ref: 'refs/pull/42/head', sha: SHA_B },
            },
          },
        ],
      });
      const ids = async (query: Parameters<ResultsStore['listRuns']>[0]) =>
        (await s.listRuns(query)).map((r) => r.runId);
      expect(await ids({ limit: 10, repository: REPO })).toEqual(['trunk-2', 'manual-1', 'trunk-1', 'pr-1']);
      expect(await ids({ limit: 10, kind: 'pull-request' })).toEqual(['pr-1']);
      // A manual trunk trigger is a trunk run: it belongs to a branch.
      expect(await ids({ limit: 10, kind: 'manual' })).toEqual(['other-1', 'manual-1']);
      expect(await ids({ limit: 10, kind: 'trunk' })).toEqual(['trunk-2', 'trunk-1']);
      const first = await s.listRuns({ limit: 2 });
      const last = first[first.length - 1];
      if (last === undefined) throw new Error('no runs listed');
      expect(await ids({ limit: 2, before: { recordedAt: last.recordedAt, runId: last.runId } })).toEqual([
        'manual-1',
        'trunk-1',
      ]);
      await expectStoreError(() => s.listRuns({ limit: 0 }), 'invalid-query', 'limit');
      expect(await s.repositories()).toEqual([REPO, 'other/repo'].sort());
    });

    it("keeps artifacts by key, replaces them, and removes a job's by prefix", async () => {
      const s = await t.open();
      const big = Buffer.alloc(3 * 1024 * 1024, 7);
      await s.putArtifact('job:bench:a/b:comment:1:results', big);
      await s.putArtifact('job:bench:a/b:comment:1:checkpoint', Buffer.from('one'));
      await s.putArtifact('job:bench:a/b:comment:1:checkpoint', Buffer.from('two'));
      await s.putArtifact('job:bench:a/b:comment:10:results', Buffer.from('other job'));
      expect((await s.getArtifact('job:bench:a/b:comment:1:results'))?.equals(big)).toBe(true);
      expect((await s.getArtifact('job:bench:a/b:comment:1:checkpoint'))?.toString()).toBe('two');
      expect(await s.getArtifact('job:nope')).toBeNull();
      expect(await s.deleteArtifacts('job:bench:a/b:comment:1:')).toBe(2);
      expect(await s.getArtifact('job:bench:a/b:comment:1:results')).toBeNull();
      expect((await s.getArtifact('job:bench:a/b:comment:10:results'))?.toString()).toBe('other job');
      await expectStoreError(() => s.deleteArtifacts(''), 'invalid-query', 'every artifact');
    });

    it('remembers the issue of an alert, and moves it', async () => {
      const s = await t.open();
      expect(await s.alertIssue('<!-- regression -->')).toBeNull();
      await s.saveAlertIssue({ key: '<!-- regression -->', repository: REPO, issueNumber: 7 });
      expect(await s.alertIssue('<!-- regression -->')).toEqual({
        key: '<!-- regression -->',
        repository: REPO,
        issueNumber: 7,
      });
      await s.saveAlertIssue({ key: '<!-- regression -->', repository: REPO, issueNumber: 9 });
      expect((await s.alertIssue('<!-- regression -->'))?.issueNumber).toBe(9);
    });

    it('records one run when two workers record it at the same moment', async () => {
      const stores = await Promise.all([t.open(), t.open(), t.open()]);
      const input = trunkRun('trunk:apache/datafusion:main:race', sha(1), '2026-01-01T00:00:00Z', {
        platforms: [
          {
            platform,
            status: 'ok',
            results: trunkResults(
              sha(1),
              Array.from({ length: 30 }, (_, i) => bench(`q${i}`, { changed: values(i, i + 1, i + 2) })),
            ),
          },
        ],
      });
      const outcomes = await Promise.all(stores.map((s) => s.recordRun(input)));
      expect(outcomes.filter((o) => o.inserted)).toHaveLength(1);
      expect(await t.counts()).toMatchObject({ runs: 1, benchmark_results: 30, points: 30, samples: 30 });
    });
  });

  describe('revision', () => {
    it('changes with every recorded run, an older one or a copied one too, as another connection sees it', async () => {
      const writer = await t.open();
      const reader = await t.open({ readonly: true });
      const seen = [await reader.revision()];
      await writer.recordRun(trunkRun('trunk-2', sha(2), '2026-03-02T00:00:00Z'));
      seen.push(await reader.revision());
      // Recorded after the newest run but older than it: what `store migrate --from` does.
      await writer.recordRun(trunkRun('trunk-1', sha(1), '2026-03-01T00:00:00Z'));
      seen.push(await reader.revision());

      const dir = mkdtempSync(join(tmpdir(), 'revision-source-'));
      try {
        const source = openSqliteResultsStore(join(dir, 'results.sqlite'));
        await source.recordRun(trunkRun('trunk-0', sha(0), '2026-02-28T00:00:00Z'));
        await source.recordRun(trunkRun('trunk-1', sha(1), '2026-03-01T00:00:00Z'));
        await source.close();
        const copied = await copySqliteRuns(join(dir, 'results.sqlite'), writer, () => undefined);
        expect(copied).toMatchObject({ copied: 1, existing: 1 });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      seen.push(await reader.revision());
      for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1] as number);
    });

    it('counts every run recorded at the same moment by different connections, none lost', async () => {
      const writers = await Promise.all([t.open(), t.open(), t.open()]);
      const before = await (writers[0] as ResultsStore).revision();
      await Promise.all(
        Array.from({ length: 9 }, (_, i) =>
          (writers[i % 3] as ResultsStore).recordRun(
            trunkRun(`trunk-${i}`, sha(i), `2026-03-0${i + 1}T00:00:00Z`),
          ),
        ),
      );
      expect(await (writers[1] as ResultsStore).revision()).toBe(before + 9);
    });

    it('stays the same when nothing is recorded: a known run again, artifacts, alert issues', async () => {
      const s = await t.open();
      await s.recordRun(trunkRun('trunk-1', sha(1), '2026-03-01T00:00:00Z'));
      const before = await s.revision();
      expect(await s.recordRun(trunkRun('trunk-1', sha(1), '2026-03-01T00:00:00Z'))).toEqual({
        inserted: false,
      });
      await s.putArtifact('job/1/results.json', Buffer.from('{}'));
      await s.deleteArtifacts('job/1/');
      await s.saveAlertIssue({ key: 'alert-1', repository: REPO, issueNumber: 7 });
      expect(await s.revision()).toBe(before);
    });
  });
});
