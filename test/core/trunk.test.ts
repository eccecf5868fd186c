import { describe, expect, it } from 'vitest';
import { GITHUB_COMMENT_LIMIT } from '../../core/report/index.js';
import { commitCoverage } from '../../core/trunk/coverage.js';
import { renderHistory } from '../../core/trunk/history.js';
import { planTrunkRun, type TrunkCommit } from '../../core/trunk/plan.js';
import {
  confirmedSlowdowns,
  countSlowdowns,
  regressionMarker,
  regressionTitle,
  renderRegressionIssue,
  type Slowdown,
} from '../../core/trunk/regression.js';
import { desiredSchedules, findSchedule, windowSeconds } from '../../core/trunk/schedules.js';
import { testConfig } from '../integration/test-config.js';

const HOUR = 3600;
const sha = (k: number) => k.toString(16).padStart(40, '0');
/** Commit k at k*10 minutes (minus 5): hour h holds commits 6h+1..6h+6. */
const commit = (k: number, extra: Partial<TrunkCommit> = {}): TrunkCommit => ({
  sha: sha(k),
  parents: 1,
  committedAt: k * 600 - 300,
  subject: `change ${k}`,
  ...extra,
});
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => commit(from + i));

describe('planTrunkRun', () => {
  const base = {
    firstRun: false,
    strategy: 'latest' as const,
    windowSeconds: HOUR,
    reason: 'schedule' as const,
  };
  it.each([
    { name: 'normal: the oldest window', depth: 0, pick: 18, from: 13, count: 6, skipped: [] as number[] },
    { name: 'at 10 still normal', depth: 10, pick: 18, from: 13, count: 6, skipped: [] },
    { name: 'deeper than 10: two-hour windows', depth: 11, pick: 24, from: 13, count: 12, skipped: [] },
    {
      name: 'deeper than 20: the newest, skips recorded',
      depth: 21,
      pick: 50,
      from: 49,
      count: 2,
      skipped: [18, 24, 30, 36, 42, 48],
    },
  ])('$name', ({ depth, pick, from, count, skipped }) => {
    const plan = planTrunkRun({ ...base, pending: range(13, 50), queueDepth: depth });
    expect(plan).toMatchObject({
      kind: 'run',
      pick: { sha: sha(pick) },
      range: { from: sha(from), to: sha(pick), count },
    });
    expect(plan.kind === 'run' && plan.skipped.map((s) => s.sha)).toEqual(skipped.map(sha));
    if (plan.kind === 'run' && plan.skipped[0]) {
      expect(plan.skipped[0]).toEqual({
        sha: sha(18),
        reason: `queue depth ${depth} > 20: skipped to the newest commit`,
        queueDepth: depth,
      });
    }
  });

  it('lets a manual run proceed undegraded at any depth', () => {
    const plan = planTrunkRun({ ...base, reason: 'manual', pending: range(13, 50), queueDepth: 99 });
    expect(plan).toMatchObject({ kind: 'run', mode: 'normal', pick: { sha: sha(18) }, skipped: [] });
  });

  it('starts a new branch at its newest window', () => {
    const plan = planTrunkRun({ ...base, firstRun: true, pending: range(1, 50), queueDepth: 30 });
    expect(plan).toMatchObject({
      kind: 'run',
      pick: { sha: sha(50) },
      range: { from: sha(49), count: 2 },
      skipped: [],
    });
  });

  it('measures only merge commits or [bench] commits when told to', () => {
    const pending = [
      commit(1),
      commit(2, { parents: 2 }),
      commit(3, { subject: 'fast path [bench]' }),
      commit(4),
    ];
    expect(planTrunkRun({ ...base, strategy: 'merge-commits', pending, queueDepth: 0 })).toMatchObject({
      pick: { sha: sha(2) },
      range: { from: sha(1), count: 2 },
    });
    expect(planTrunkRun({ ...base, strategy: 'marked', pending, queueDepth: 0 })).toMatchObject({
      pick: { sha: sha(3) },
      range: { from: sha(1), count: 3 },
    });
  });

  it('is idle with nothing new, or nothing the strategy measures', () => {
    expect(planTrunkRun({ ...base, pending: [], queueDepth: 0 })).toMatchObject({
      kind: 'idle',
      why: 'no new commits since the last run',
    });
    expect(planTrunkRun({ ...base, strategy: 'marked', pending: range(1, 3), queueDepth: 0 })).toMatchObject({
      kind: 'idle',
      why: 'none of the 3 new commits is one the marked strategy measures',
    });
  });

  it('keeps windows in history order when committer times go backwards', () => {
    const pending = [commit(1), commit(2, { committedAt: 7 * 600 }), commit(3, { committedAt: 100 })];
    // Commit 3 is older than commit 2 by its clock but landed after it: same (second) window.
    expect(planTrunkRun({ ...base, pending, queueDepth: 0 })).toMatchObject({ pick: { sha: sha(1) } });
    expect(planTrunkRun({ ...base, pending: pending.slice(1), queueDepth: 0 })).toMatchObject({
      pick: { sha: sha(3) },
      range: { count: 2 },
    });
  });
});

describe('regression confirmation and issue', () => {
  it('counts a platform’s slowdowns and keeps the three largest, whatever their number', () => {
    const slowdowns: Slowdown[] = Array.from({ length: 1000 }, (_, i) => ({
      label: `f${i}`,
      pctChange: (i * 7) % 1000,
    }));
    slowdowns.push({ label: 'unknown change', pctChange: null });
    expect(countSlowdowns('linux', slowdowns)).toEqual({
      platform: 'linux',
      count: 1001,
      largest: [
        { label: 'f857', pctChange: 999 },
        { label: 'f714', pctChange: 998 },
        { label: 'f571', pctChange: 997 },
      ],
    });
    expect(
      countSlowdowns('linux', [
        { label: 'a', pctChange: null },
        { label: 'b', pctChange: 2 },
      ]),
    ).toEqual({
      platform: 'linux',
      count: 2,
      largest: [
        { label: 'b', pctChange: 2 },
        { label: 'a', pctChange: null },
      ],
    });
  });

  it('confirms only suspects the re-run found slower, with its figures', () => {
    expect(
      confirmedSlowdowns(
        [
          { label: 'a', pctChange: 40 },
          { label: 'b', pctChange: 3 },
        ],
        [
          { label: 'a', pctChange: 38 },
          { label: 'c', pctChange: 5 },
        ],
      ),
    ).toEqual([{ label: 'a', pctChange: 38 }]);
  });

  it('names the range, commits and benchmarks, under a marker of the range', () => {
    const input = {
      repo: 'acme/w',
      branch: 'main',
      baselineSha: sha(1),
      changedSha: sha(9),
      range: { from: sha(2), to: sha(9), count: 8 },
      platforms: [{ platform: 'x86-64-linux', slowdowns: [{ label: 'q1', pctChange: 48.2 }] }],
      runId: 'trunk:acme/w:main-1',
      compareUrl: null,
    };
    expect(regressionMarker(input)).toBe(`<!-- benchbot:regression:acme/w:main:${sha(2)}..${sha(9)} -->`);
    expect(regressionTitle(input)).toBe(
      `Performance regression on main in ${sha(2).slice(0, 10)}..${sha(9).slice(0, 10)}: q1`,
    );
    const body = renderRegressionIssue(input);
    expect(body.startsWith(regressionMarker(input))).toBe(true);
    expect(body).toContain('(8 commits)');
    expect(body).toContain('| x86-64-linux | `q1` | +48.2% |');
  });

  it('fits a regression of every benchmark into an issue GitHub accepts, saying how many rows it left out', () => {
    const slowdowns = Array.from({ length: 1000 }, (_, i) => ({
      label: `cast_kernels/cast string to date64 ${i}`,
      pctChange: 3 + i / 1000,
    }));
    const input = {
      repo: 'acme/w',
      branch: 'main',
      baselineSha: sha(1),
      changedSha: sha(9),
      range: { from: sha(2), to: sha(9), count: 8 },
      platforms: ['x86-64-linux', 'aarch64-linux', 'x86-64-windows'].map((platform) => ({
        platform,
        slowdowns,
      })),
      runId: 'trunk:acme/w:main-1',
      compareUrl: null,
    };
    const body = renderRegressionIssue(input);
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(body.startsWith(regressionMarker(input))).toBe(true);
    expect(body).toContain('| x86-64-linux | `cast_kernels/cast string to date64 0` | +3.0% |');
    const shown = body
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| platform')).length;
    expect(shown).toBeGreaterThan(500);
    expect(body).toContain(
      `…and ${3000 - shown} more slowdowns; \`benchbot runs show trunk:acme/w:main-1\` prints the trunk run's report`,
    );
    expect(body).toMatch(/Close this issue once the regression is fixed or accepted\.$/);
  });
});

describe('commitCoverage', () => {
  it('counts commits covered by successful runs per day, and the gaps', () => {
    const commits = [0, 1, 2, 3, 4, 5].map((i) => ({
      sha: sha(i + 1),
      committedAt: 86_400 * (i < 3 ? 0 : 1) + i,
    }));
    const report = commitCoverage(commits, [
      { runId: 'a', range: { from: sha(1), to: sha(2) }, sha: sha(2), ok: true, skipped: [] },
      { runId: 'b', range: { from: sha(3), to: sha(4) }, sha: sha(4), ok: false, skipped: [] },
      {
        runId: 'c',
        range: { from: sha(6), to: sha(6) },
        sha: sha(6),
        ok: true,
        skipped: [{ sha: sha(5), reason: 'deep queue', queueDepth: 25 }],
      },
    ]);
    expect(report.days).toEqual([
      { day: '1970-01-01', commits: 3, covered: 2, measured: 1, pct: (100 * 2) / 3 },
      { day: '1970-01-02', commits: 3, covered: 1, measured: 1, pct: (100 * 1) / 3 },
    ]);
    expect(report.gaps).toEqual([{ from: sha(3), to: sha(5), count: 3, since: '1970-01-01' }]);
    expect(report.total).toMatchObject({ commits: 6, covered: 3, measured: 2, pct: 50 });
    expect(report.skipped).toEqual([{ sha: sha(5), reason: 'deep queue', queueDepth: 25, runId: 'c' }]);
  });
});

describe('schedules from the config', () => {
  const config = testConfig(`
version: 1
repos:
  - name: acme/w
    benchmarks: [{ name: b, command: "true", output: { format: wall-clock } }]
    schedules:
      - { every: 15m }
      - { name: nightly, cron: "0 3 * * *", overlap: buffer_one, strategy: merge-commits }
`);
  it('derives one schedule per entry, with ids, specs and policies', () => {
    const [busy, nightly] = desiredSchedules(config, 'q');
    expect(busy).toMatchObject({
      scheduleId: 'trunk:acme/w:main',
      spec: { everySeconds: 900 },
      overlap: 'SKIP',
      catchupWindowSeconds: 86_400,
      input: { repo: 'acme/w', schedule: 'main', reason: 'schedule' },
    });
    expect(nightly).toMatchObject({
      scheduleId: 'trunk:acme/w:nightly',
      spec: { cron: '0 3 * * *' },
      overlap: 'BUFFER_ONE',
    });
    expect(desiredSchedules(config, 'q')[0]?.fingerprint).toBe(busy?.fingerprint);
    expect(desiredSchedules(config, 'other')[0]?.fingerprint).not.toBe(busy?.fingerprint);
  });

  it('finds a schedule by id, repo:name, or a repository with one; says what exists otherwise', () => {
    const all = desiredSchedules(config, 'q');
    expect(findSchedule(all, 'trunk:acme/w:nightly')).toMatchObject({
      ok: true,
      schedule: { name: 'nightly' },
    });
    expect(findSchedule(all, 'acme/w:main')).toMatchObject({ ok: true, schedule: { name: 'main' } });
    expect(findSchedule(all, 'acme/w')).toEqual({
      ok: false,
      error: 'acme/w has 2 schedules; name one: trunk:acme/w:main, trunk:acme/w:nightly',
    });
    expect(findSchedule(all, 'acme/x')).toMatchObject({
      ok: false,
      error: expect.stringContaining('Fix: add it'),
    });
  });

  it('samples the interval, an explicit window, or a day for cron', () => {
    expect(windowSeconds({ every: '15m', window: null })).toBe(900);
    expect(windowSeconds({ every: '15m', window: '30m' })).toBe(1800);
    expect(windowSeconds({ every: null, window: null })).toBe(86_400);
  });
});

describe('renderHistory', () => {
  const row = {
    recordedAt: '2025-01-01T00:00:00.000Z',
    runId: 'r,1',
    reason: 'schedule',
    sha: sha(1),
    benchmark: 'Q1',
    rangeFrom: sha(1),
    rangeTo: sha(1),
    commits: 1,
    metric: 'time',
    unit: 'ns',
    n: 5,
    median: 1500,
    ciLo: null,
    ciHi: null,
  };
  it('quotes csv fields and leaves missing values empty', () => {
    expect(renderHistory([row], 'csv').split('\n')[1]).toBe(
      `2025-01-01T00:00:00.000Z,"r,1",schedule,${sha(1)},Q1,${sha(1)},${sha(1)},1,time,ns,5,1500,,`,
    );
  });
});
