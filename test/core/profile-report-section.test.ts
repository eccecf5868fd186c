import { describe, expect, it } from 'vitest';
import type { ProfileDiff } from '../../core/profile/diff.js';
import { profilesToReport, renderProfileSection } from '../../core/profile/report-section.js';
import { compareResults } from '../../core/report/index.js';
import type { Benchmark } from '../../core/results/index.js';
import { DEFAULT_OPTIONS } from '../../core/stats/index.js';

const diff = (name: string): ProfileDiff => {
  const row = {
    name,
    baseline: { flat: 5e8, cum: 9e8 },
    changed: { flat: 0, cum: 0 },
    presentIn: 'baseline' as const,
  };
  return {
    sampleType: 'cpu',
    unit: 'nanoseconds',
    totals: { baseline: 1e9, changed: 5e8 },
    byFlat: [row],
    byCumulative: [row],
  };
};

const bench = (name: string, group: string, factor: number): Benchmark => ({
  name,
  group: { kind: 'benchmark', name: group },
  metric: 'time',
  unit: 'ns',
  direction: 'lower-is-better',
  rawSamples: true,
  status: 'ok',
  samples: {
    baseline: Array.from({ length: 10 }, (_, i) => ({ value: 100 + i })),
    changed: Array.from({ length: 10 }, (_, i) => ({ value: (100 + i) * factor })),
  },
});

describe('profiles in a report', () => {
  const comparison = compareResults(
    [bench('Query 1', 'tpch', 1.5), bench('Query 1', 'clickbench', 1), bench('Sort', 'sorts', 0.5)],
    DEFAULT_OPTIONS,
  );
  const entry = (
    benchmark: string,
    group: string,
    sides: ('baseline' | 'changed')[] = ['baseline', 'changed'],
  ) => ({
    benchmark,
    sides,
    results: [
      { name: benchmark === 'sorts' ? 'Sort' : 'Query 1', group: { kind: 'benchmark', name: group } },
    ],
  });

  it('are shown for the benchmarks that changed significantly and have both sides', () => {
    const shown = profilesToReport(comparison, [
      entry('clickbench', 'clickbench'),
      entry('tpch', 'tpch'),
      entry('sorts', 'sorts', ['baseline']),
    ]);
    expect(shown.map((e) => e.benchmark)).toEqual(['tpch']);
  });

  it('fit the budget with whole entries and say how many were left out', () => {
    const outcomes = ['a', 'b', 'c'].map((b) => ({ benchmark: b, diff: diff(`${b}.helper`) }));
    const all = renderProfileSection(outcomes, 100_000);
    expect(all).toContain('<details><summary>`c`</summary>');
    const one = renderProfileSection(
      outcomes,
      renderProfileSection(outcomes.slice(0, 1), 100_000).length + 80,
    );
    expect(one).toContain('<details><summary>`a`</summary>');
    expect(one).not.toContain('`b`');
    expect(one).toContain('…the profiles of 2 more benchmarks are left out to fit the comment');
    expect(one.split('<details>').length - 1).toBe(1);
    expect(renderProfileSection(outcomes, 50)).toBe('');
    expect(
      renderProfileSection([{ benchmark: 'x', error: 'x (baseline): not a pprof profile' }], 10_000),
    ).toContain('- `x`: the profiles could not be compared: `x (baseline): not a pprof profile`');
  });
});
