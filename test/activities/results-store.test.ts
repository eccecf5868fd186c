import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openResultsStore,
  openSqliteResultsStore,
  type RecordRunInput,
  type ResultsStore,
  ResultsStoreError,
  type ResultsStoreErrorKind,
  SqliteResultsStore,
} from '../../activities/results-store/index.js';
import { APPLICATION_ID, LATEST_VERSION, MIGRATIONS } from '../../activities/results-store/migrations.js';
import type { BenchbotResults, Benchmark, Sample } from '../../core/results/schema.js';
import { parseResults, serializeResults } from '../../core/results/schema.js';
import { DEFAULT_OPTIONS, medianWithCi } from '../../core/stats/index.js';

const REPO = 'apache/datafusion';
const sha = (n: number) => n.toString(16).padStart(40, '0');
const SHA_A = `abc1${'0'.repeat(36)}`;
const SHA_B = `def2${'0'.repeat(36)}`;

let dir: string;
let file: string;
const open: ResultsStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'results-store-'));
  file = join(dir, 'results.sqlite');
});

afterEach(() => {
  for (const store of open.splice(0)) store.close();
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

function store(options: { readonly?: boolean } = {}): ResultsStore {
  const s = openSqliteResultsStore(file, options);
  open.push(s);
  return s;
}

function values(...vs: number[]): Sample[] {
  return vs.map((value) => ({ value }));
}

function bench(name: string, samples: Benchmark['samples'], extra: Partial<Benchmark> = {}): Benchmark {
  return {
    name,
    group: { kind: 'query', name: 'tpch' },
    metric: 'time',
    unit: 'ns',
    direction: 'lower-is-better',
    samples,
    rawSamples: true,
    status: 'ok',
    ...extra,
  };
}

/** A trunk results file: one side ('changed') at `at`. */
function trunkResults(at: string, benchmarks: Benchmark[], platform = 'x86-64-linux'): BenchbotResults {
  return {
    schema: 'benchbot-results',
    schemaVersion: 1,
    run: {
      repository: REPO,
      reason: 'schedule',
      sides: { changed: { ref: 'main', sha: at, envKeys: [] } },
      platform,
      machine: { cpuModel: 'Xeon', cores: 8, kernel: '6.1.0', memoryBytes: 1 << 30 },
      startedAt: '2026-01-01T00:00:00Z',
      finishedAt: '2026-01-01T00:10:00Z',
      runnerVersion: '0.1.0',
      interleaved: false,
    },
    benchmarks,
  };
}

function prResults(baseline: string, changed: string, benchmarks: Benchmark[]): BenchbotResults {
  const results = trunkResults(changed, benchmarks);
  return {
    ...results,
    run: {
      ...results.run,
      reason: 'pr-comment',
      pullRequest: 42,
      sides: {
        baseline: { ref: 'main', sha: baseline, envKeys: [] },
        changed: { ref: 'refs/pull/42/head', sha: changed, envKeys: ['RUST_LOG'] },
      },
      interleaved: true,
    },
  };
}

function trunkRun(
  runId: string,
  at: string,
  recordedAt: string,
  extra: Partial<RecordRunInput> = {},
): RecordRunInput {
  return {
    runId,
    repository: REPO,
    branch: 'main',
    pullRequest: null,
    reason: 'schedule',
    recordedAt,
    platforms: [
      {
        platform: 'x86-64-linux',
        status: 'ok',
        results: trunkResults(at, [bench('q1', { changed: values(10, 11, 12, 13, 14, 15) })]),
      },
    ],
    ...extra,
  };
}

function rawCounts(): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = [
      'runs',
      'skipped_commits',
      'platform_runs',
      'series',
      'benchmark_results',
      'points',
      'samples',
    ];
    return Object.fromEntries(
      tables.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]),
    );
  } finally {
    db.close();
  }
}

function expectStoreError(action: () => unknown, kind: ResultsStoreErrorKind, ...fragments: string[]): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ResultsStoreError);
  const error = caught as ResultsStoreError;
  expect(error.kind).toBe(kind);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
}

describe('migrations', () => {
  it('are numbered 1, 2, 3... in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
  });

  it('bring a new file to the latest version, in WAL mode, marked as ours', () => {
    store().close();
    open.length = 0;
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('keep the data when the file is reopened', () => {
    const first = store();
    first.recordRun(trunkRun('r1', sha(1), '2026-01-01T00:00:00Z'));
    first.close();
    open.length = 0;
    const again = store();
    expect(
      again.lastRuns({ repository: REPO, branch: 'main', platform: 'x86-64-linux', limit: 5 }),
    ).toHaveLength(1);
  });

  it('refuse a file from a newer benchbot, naming the file and both versions', () => {
    const db = new Database(file);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    expectStoreError(
      () => store(),
      'newer-database',
      file,
      `version ${LATEST_VERSION + 1}`,
      `up to ${LATEST_VERSION}`,
      'upgrade benchbot',
    );
    expectStoreError(() => store({ readonly: true }), 'newer-database', file);
  });

  it('refuse a SQLite file that is not a results store', () => {
    const db = new Database(file);
    db.exec('CREATE TABLE notes (body TEXT)');
    db.close();
    expectStoreError(() => store(), 'not-a-results-database', file, 'results.path');
  });

  it('refuse a file that is not SQLite at all', () => {
    writeFileSync(file, 'definitely not a database, just some text that is long enough to have a header');
    expectStoreError(() => store(), 'not-a-results-database', file);
  });

  it('are not run by a read-only open, which asks for a writable open first', () => {
    new Database(file).close();
    expectStoreError(() => store({ readonly: true }), 'needs-migration', file, `needs ${LATEST_VERSION}`);
  });

  it('a missing folder says so (openResultsStore creates it)', () => {
    expectStoreError(
      () => openSqliteResultsStore(join(dir, 'no', 'such', 'results.sqlite')),
      'cannot-open',
      'does not exist',
    );
  });

  it('a read-only open of a missing file says so', () => {
    expectStoreError(() => store({ readonly: true }), 'cannot-open', file);
  });
});

describe('recordRun', () => {
  it('gives back the results file as recorded, rounds, attempts and failures included', () => {
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
    const s = store();
    s.recordRun({
      runId: 'pr-1',
      repository: REPO,
      branch: null,
      pullRequest: 42,
      reason: 'pr-comment',
      recordedAt: '2026-01-01T00:00:00Z',
      platforms: [{ platform: 'x86-64-linux', status: 'ok', results }],
    });
    const [run] = s.runsBySha(REPO, SHA_B);
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

  it('stores the median and CI of the samples that count (a retried round keeps its latest attempt)', () => {
    const changed: Sample[] = [
      ...[10, 12, 11, 13, 9, 14, 10.5].map((value, round) => ({ value, round })),
      { value: 1000, round: 7, attempt: 1 },
      { value: 12.5, round: 7, attempt: 2 },
    ];
    const s = store();
    s.recordRun({
      ...trunkRun('r1', sha(1), '2026-01-01T00:00:00Z'),
      platforms: [
        { platform: 'x86-64-linux', status: 'ok', results: trunkResults(sha(1), [bench('q1', { changed })]) },
      ],
    });
    const counted = [10, 12, 11, 13, 9, 14, 10.5, 12.5].sort((a, b) => a - b);
    const expected = medianWithCi(counted, DEFAULT_OPTIONS.confidence);
    const latest = s.latestRun({ repository: REPO, branch: 'main', platform: 'x86-64-linux' });
    expect(latest?.platform.summaries[0]).toMatchObject({
      name: 'q1',
      baseline: null,
      changed: { n: 8, median: expected.median, ciLo: expected.lo, ciHi: expected.hi },
    });
  });

  it('is idempotent by runId: a retried activity writes nothing the second time', () => {
    const s = store();
    const input = trunkRun('trunk:apache/datafusion:main:1', sha(1), '2026-01-01T00:00:00Z');
    expect(s.recordRun(input)).toEqual({ inserted: true });
    const before = rawCounts();
    expect(s.recordRun({ ...input, recordedAt: '2026-01-01T00:05:00Z' })).toEqual({ inserted: false });
    expect(rawCounts()).toEqual(before);
    expect(before.runs).toBe(1);
  });

  it('is idempotent across connections, as two workers retrying the same activity would be', () => {
    const a = store();
    const b = store();
    const input = trunkRun('r1', sha(1), '2026-01-01T00:00:00Z');
    expect([a.recordRun(input), b.recordRun(input)]).toEqual([{ inserted: true }, { inserted: false }]);
    expect(rawCounts().runs).toBe(1);
  });

  it('refuses a runId already used for another repository', () => {
    const s = store();
    s.recordRun(trunkRun('r1', sha(1), '2026-01-01T00:00:00Z'));
    const other = trunkRun('r1', sha(1), '2026-01-01T00:00:00Z', { repository: 'other/repo' });
    for (const p of other.platforms) {
      if (p.results) p.results = { ...p.results, run: { ...p.results.run, repository: 'other/repo' } };
    }
    expectStoreError(() => s.recordRun(other), 'invalid-run', 'already recorded for apache/datafusion');
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

  it.each(lateFailures)('writes nothing at all when the run has %s', (_, broken) => {
    const s = store();
    const input = { ...trunkRun('r1', sha(1), '2026-01-01T00:00:00Z'), ...broken };
    expectStoreError(() => s.recordRun(input), 'invalid-run', 'nothing was written', file);
    expect(rawCounts()).toEqual({
      runs: 0,
      skipped_commits: 0,
      platform_runs: 0,
      series: 0,
      benchmark_results: 0,
      points: 0,
      samples: 0,
    });
    // The id was not taken by the failed attempt.
    expect(s.recordRun(trunkRun('r1', sha(1), '2026-01-01T00:00:00Z'))).toEqual({ inserted: true });
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

  it.each(earlyFailures)('refuses %s before writing', (_, broken, message) => {
    const s = store();
    expectStoreError(
      () => s.recordRun({ ...trunkRun('r1', sha(1), '2026-01-01T00:00:00Z'), ...broken }),
      'invalid-run',
      message,
    );
    expect(rawCounts().runs).toBe(0);
  });
});

describe('queries', () => {
  const platform = 'x86-64-linux';
  const main = { repository: REPO, branch: 'main', platform };

  function seeded(): ResultsStore {
    const s = store();
    // r1..r3 on main, one a day; r3 also on arm (failed); q2 only exists in r1.
    s.recordRun({
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
    s.recordRun({
      ...trunkRun('r2', sha(4), '2026-01-02T10:00:00Z'),
      commitRange: { from: sha(2), to: sha(4), count: 3 },
      skipped: [
        { sha: sha(2), reason: 'queue depth 3', queueDepth: 3 },
        { sha: sha(3), reason: 'queue depth 3', queueDepth: 3 },
      ],
    });
    s.recordRun({
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
    s.recordRun({
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
    s.recordRun({ ...trunkRun('rel', sha(9), '2026-01-05T10:00:00Z'), branch: 'release' });
    return s;
  }

  it('latestRun finds the newest run of a branch and platform, optionally with a benchmark or status', () => {
    const s = seeded();
    expect(s.latestRun(main)?.run.runId).toBe('r3');
    expect(s.latestRun({ ...main, benchmark: 'q2' })?.run.runId).toBe('r1');
    expect(s.latestRun({ ...main, benchmark: 'q1' })?.run.runId).toBe('r3');
    expect(s.latestRun({ ...main, platform: 'arm64-linux' })?.platform).toMatchObject({
      status: 'failed',
      failure: 'runner lost',
      results: null,
      summaries: [],
    });
    expect(s.latestRun({ ...main, platform: 'arm64-linux', status: 'ok' })).toBeNull();
    expect(s.latestRun({ ...main, branch: null })?.run.runId).toBe('pr');
    expect(s.latestRun({ ...main, branch: 'nope' })).toBeNull();
    expect(s.latestRun({ ...main, benchmark: 'q9' })).toBeNull();
  });

  it('lastRuns lists the newest first, up to the limit, with run-level facts', () => {
    const s = seeded();
    const runs = s.lastRuns({ ...main, limit: 2 });
    expect(runs.map((r) => r.run.runId)).toEqual(['r3', 'r2']);
    expect(runs[1]?.run).toMatchObject({
      commitRange: { from: sha(2), to: sha(4), count: 3 },
      skipped: [
        { sha: sha(2), reason: 'queue depth 3', queueDepth: 3 },
        { sha: sha(3), reason: 'queue depth 3', queueDepth: 3 },
      ],
    });
    expect(s.lastRuns({ ...main, limit: 10 }).map((r) => r.run.runId)).toEqual(['r3', 'r2', 'r1']);
    expectStoreError(() => s.lastRuns({ ...main, limit: 0 }), 'invalid-query', 'limit');
  });

  it('runs recorded at the same instant keep the order they were recorded in', () => {
    const s = store();
    for (const id of ['a', 'b', 'c']) s.recordRun(trunkRun(id, sha(1), '2026-01-01T00:00:00Z'));
    expect(s.lastRuns({ ...main, limit: 3 }).map((r) => r.run.runId)).toEqual(['c', 'b', 'a']);
  });

  it('runsBySha finds runs by either side, by a prefix, and by the end of a commit range', () => {
    const s = seeded();
    expect(s.runsBySha(REPO, sha(5)).map((r) => r.runId)).toEqual(['pr', 'r3']);
    expect(s.runsBySha(REPO, SHA_B.slice(0, 7)).map((r) => r.runId)).toEqual(['pr']);
    expect(s.runsBySha(REPO, sha(4)).map((r) => r.runId)).toEqual(['r2']);
    expect(s.runsBySha(REPO, sha(2))).toEqual([]);
    expect(s.runsBySha('other/repo', sha(5))).toEqual([]);
    const [r3] = s.runsBySha(REPO, sha(5)).slice(1);
    expect(r3?.platforms.map((p) => [p.platform, p.status])).toEqual([
      [platform, 'ok'],
      ['arm64-linux', 'failed'],
    ]);
    expectStoreError(() => s.runsBySha(REPO, 'HEAD'), 'invalid-query', 'hex digits');
  });

  it('finds a failed run with no results by the end of its commit range', () => {
    const s = store();
    s.recordRun({
      ...trunkRun('r1', sha(7), '2026-01-01T00:00:00Z'),
      commitRange: { from: sha(7), to: sha(7) },
      platforms: [{ platform, status: 'failed', failure: 'build failed' }],
    });
    expect(s.runsBySha(REPO, sha(7)).map((r) => [r.runId, r.commitRange])).toEqual([
      ['r1', { from: sha(7), to: sha(7), count: null }],
    ]);
  });

  it('coverage counts runs, failures, covered and skipped commits per UTC day, with empty days', () => {
    const s = seeded();
    const range = {
      repository: REPO,
      branch: 'main',
      from: '2025-12-31T12:00:00Z',
      to: '2026-01-04T00:00:00Z',
    };
    expect(s.coverage(range)).toEqual([
      { day: '2025-12-31', runs: 0, failedRuns: 0, commitsCovered: 0, skipped: 0 },
      { day: '2026-01-01', runs: 1, failedRuns: 0, commitsCovered: 1, skipped: 0 },
      { day: '2026-01-02', runs: 1, failedRuns: 0, commitsCovered: 3, skipped: 2 },
      { day: '2026-01-03', runs: 1, failedRuns: 0, commitsCovered: 1, skipped: 0 },
    ]);
    expect(s.coverage({ ...range, platform: 'arm64-linux' })).toEqual([
      { day: '2025-12-31', runs: 0, failedRuns: 0, commitsCovered: 0, skipped: 0 },
      { day: '2026-01-01', runs: 0, failedRuns: 0, commitsCovered: 0, skipped: 0 },
      { day: '2026-01-02', runs: 0, failedRuns: 0, commitsCovered: 0, skipped: 0 },
      { day: '2026-01-03', runs: 1, failedRuns: 1, commitsCovered: 0, skipped: 0 },
    ]);
    // `to` is exclusive: a run exactly at `to` belongs to the next range.
    expect(s.coverage({ ...range, from: '2026-01-01T00:00:00Z', to: '2026-01-01T10:00:00Z' })).toEqual([
      { day: '2026-01-01', runs: 0, failedRuns: 0, commitsCovered: 0, skipped: 0 },
    ]);
    expectStoreError(() => s.coverage({ ...range, from: 'soon' }), 'invalid-query', 'ISO 8601');
    expectStoreError(
      () => s.coverage({ ...range, from: '1900-01-01T00:00:00Z' }),
      'invalid-query',
      'shorter range',
    );
  });

  it('series gives successful points oldest first, by recorded time, with the last `limit` points', () => {
    const s = seeded();
    const points = s.series({ ...main, benchmark: 'q1' });
    expect(points.map((p) => [p.runId, p.sha, p.median])).toEqual([
      ['r1', sha(1), 11],
      ['r2', sha(4), 12.5],
      ['r3', sha(5), 21],
    ]);
    expect(points[1]).toMatchObject({
      reason: 'schedule',
      side: 'changed',
      group: { kind: 'query', name: 'tpch' },
      metric: 'time',
      unit: 'ns',
      direction: 'lower-is-better',
      n: 6,
      commitRange: { from: sha(2), to: sha(4), count: 3 },
    });
    expect(s.series({ ...main, benchmark: 'q1', limit: 2 }).map((p) => p.runId)).toEqual(['r2', 'r3']);
    // q2 failed in r3, so its series stops at r1.
    expect(s.series({ ...main, benchmark: 'q2' }).map((p) => p.runId)).toEqual(['r1']);
    expect(s.series({ ...main, benchmark: 'q1', metric: 'bytes' })).toEqual([]);
    // A PR A/B gives one point per side, baseline first.
    expect(
      s.series({ ...main, branch: null, benchmark: 'q1' }).map((p) => [p.side, p.sha, p.pullRequest]),
    ).toEqual([
      ['baseline', sha(5), 42],
      ['changed', SHA_B, 42],
    ]);
  });

  it('series orders by recorded time even when runs arrive out of order', () => {
    const s = store();
    s.recordRun(trunkRun('late', sha(2), '2026-01-02T00:00:00Z'));
    s.recordRun(trunkRun('early', sha(1), '2026-01-01T00:00:00Z'));
    expect(s.series({ ...main, benchmark: 'q1' }).map((p) => p.runId)).toEqual(['early', 'late']);
  });

  it('separates metrics of one benchmark into their own series', () => {
    const s = store();
    s.recordRun({
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
    expect(
      s
        .series({ ...main, benchmark: 'q1' })
        .map((p) => p.metric)
        .sort(),
    ).toEqual(['peak-memory', 'time']);
    expect(s.series({ ...main, benchmark: 'q1', metric: 'peak-memory' })).toMatchObject([
      { unit: 'B', median: 2048 },
    ]);
    s.recordRun({
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
    expect(s.series({ ...main, benchmark: 'q1', limit: 2 }).map((p) => [p.runId, p.metric])).toEqual([
      ['r1', expect.any(String)],
      ['r2', 'peak-memory'],
    ]);
  });
});

describe('storage failures', () => {
  it('a read-only store refuses to record with a clear error and leaves the file as it was', () => {
    store().close();
    open.length = 0;
    const s = store({ readonly: true });
    expectStoreError(
      () => s.recordRun(trunkRun('r1', sha(1), '2026-01-01T00:00:00Z')),
      'read-only',
      file,
      'writable',
    );
    expect(s.lastRuns({ repository: REPO, branch: 'main', platform: 'x86-64-linux', limit: 1 })).toEqual([]);
  });

  it('a file and folder without write permission give a read-only error', () => {
    store().close();
    open.length = 0;
    chmodSync(file, 0o444);
    chmodSync(dir, 0o555);
    // Root ignores modes (CI runs as root), so there the store is opened as `nobody` (uid 65534).
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      try {
        if (process.seteuid === undefined) throw new Error('process.seteuid is missing in worker threads');
        process.seteuid(65534);
      } catch (error) {
        throw new Error(
          `as root, who ignores file modes, this case opens the store as uid 65534 and could not (${error}): run it in vitest's forks pool with CAP_SETUID, or as a non-root user`,
        );
      }
    }
    try {
      expectStoreError(() => store(), 'read-only', file);
    } finally {
      if (asRoot) process.seteuid?.(0);
    }
  });

  it('a full disk fails the write with a clear error and nothing half-written', () => {
    store().close();
    open.length = 0;
    const db = new Database(file);
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`);
    const s = new SqliteResultsStore(db, file);
    open.push(s);
    const big = trunkResults(
      sha(1),
      Array.from({ length: 200 }, (_, i) => bench(`q${i}`, { changed: values(...Array(100).fill(i)) })),
    );
    expectStoreError(
      () =>
        s.recordRun({
          ...trunkRun('r1', sha(1), '2026-01-01T00:00:00Z'),
          platforms: [{ platform: 'x86-64-linux', status: 'ok', results: big }],
        }),
      'disk-full',
      file,
      'nothing was written',
    );
    expect(rawCounts().runs).toBe(0);
  });
});

describe('openResultsStore', () => {
  it('opens the configured SQLite file, creating its folder', () => {
    const path = join(dir, 'nested', 'data', 'results.sqlite');
    const s = openResultsStore({ results: { store: 'sqlite', path } });
    open.push(s);
    expect(existsSync(path)).toBe(true);
    expect(s.recordRun(trunkRun('r1', sha(1), '2026-01-01T00:00:00Z'))).toEqual({ inserted: true });
  });
});
