import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BENCHSTAT_COMPAT, compareAll, compareBenchmark, medianCiOrders } from '../../core/stats/index.js';

// The corpus is benchstat's own output on these samples (bash scripts/gen-benchstat-fixtures.sh).

interface FixtureSide {
  n: number;
  median: number;
  lo: number | null;
  hi: number | null;
  range: string;
  ciWarning: string | null;
}

interface FixtureCase {
  name: string;
  kind: string;
  baseline: number[];
  changed: number[];
  base: FixtureSide;
  new: FixtureSide;
  p: number;
  pText: string;
  compareWarning: string | null;
  byAlpha: Record<
    string,
    { delta: string; needWarning: string | null; needSamples: number | null; verdict: string }
  >;
}

interface Fixtures {
  confidence: number;
  cases: FixtureCase[];
  geomeans: Array<{
    name: string;
    benchmarks: Array<[number[], number[]]>;
    ratio: number | null;
    ratioText: string;
  }>;
  medianCiOrders: Array<{ confidence: number; orders: Array<[number, number]> }>;
}

const fixtures: Fixtures = JSON.parse(
  readFileSync(new URL('../fixtures/benchstat/benchstat-fixtures.json', import.meta.url), 'utf8'),
);

function relErr(actual: number, expected: number): number {
  if (actual === expected) return 0;
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe('fixture corpus', () => {
  it('covers what the agreement claim needs', () => {
    const { cases } = fixtures;
    const sizes = cases.flatMap((c) => [c.baseline.length, c.changed.length]);
    expect(cases.length).toBeGreaterThanOrEqual(200);
    expect(Math.min(...sizes)).toBe(1);
    expect(Math.max(...sizes)).toBe(100);
    for (let n = 1; n <= 100; n++) expect(sizes).toContain(n);
    const kinds = new Set(cases.map((c) => c.kind));
    for (const k of ['heavy-ties', 'all-equal', 'zero-center', 'negative-center', 'unequal-sizes'])
      expect(kinds).toContain(k);
    const verdicts = new Set(cases.flatMap((c) => Object.values(c.byAlpha).map((a) => a.verdict)));
    expect([...verdicts].sort()).toEqual(['faster', 'slower', 'too-few-samples', 'unchanged']);
    expect(Object.keys(cases[0]?.byAlpha ?? {}).sort()).toEqual(['0.01', '0.05']);
  });
});

describe('agreement with benchstat (compat mode)', () => {
  const rows = fixtures.cases.flatMap((c) =>
    Object.entries(c.byAlpha).map(([alpha, expected]) => ({ c, alpha: Number(alpha), expected })),
  );

  it.each(rows.map((r) => [`${r.c.name} ${r.c.kind} alpha=${r.alpha}`, r] as const))(
    '%s',
    (_, { c, alpha, expected }) => {
      const got = compareBenchmark(
        { name: c.name, direction: 'lower-is-better', baseline: c.baseline, changed: c.changed },
        { ...BENCHSTAT_COMPAT, alpha, confidence: fixtures.confidence },
      );
      for (const [side, want] of [
        [got.baseline, c.base],
        [got.changed, c.new],
      ] as const) {
        expect(side.n).toBe(want.n);
        expect(side.median).toBe(want.median);
        expect(side.ciLo).toBe(want.lo);
        expect(side.ciHi).toBe(want.hi);
        expect(side.ciNote).toBe(want.ciWarning ?? undefined);
      }
      expect(got.p).not.toBeNull();
      expect(relErr(got.p as number, c.p)).toBeLessThanOrEqual(1e-9);
      expect(got.pAdjusted).toBe(got.p);
      expect(got.verdict).toBe(expected.verdict);
      expect(got.needSamples).toBe(expected.needSamples ?? undefined);
      if (expected.needWarning) expect(got.note).toContain(expected.needWarning);
      if (c.compareWarning) expect(got.note).toContain(c.compareWarning);

      // benchstat's percentage is (ratio - 1) * 100; ours has the value's sign for negative baselines.
      const benchstatPct = got.pctChange === null ? null : got.pctChange * (c.base.median < 0 ? -1 : 1);
      if (expected.delta === '?') expect(got.pctChange).toBeNull();
      else if (expected.delta === '0.00%') expect(got.pctChange).toBe(0);
      else if (expected.delta !== '~') {
        expect(benchstatPct).not.toBeNull();
        expect(Math.abs((benchstatPct as number) - Number.parseFloat(expected.delta))).toBeLessThanOrEqual(
          0.005 + 1e-9,
        );
      }
    },
  );

  it('picks the same median CI order statistics for n = 1..200', () => {
    for (const { confidence, orders } of fixtures.medianCiOrders) {
      orders.forEach(([lo, hi], i) => {
        const got = medianCiOrders(i + 1, confidence);
        expect([i + 1, got.lo, got.hi]).toEqual([i + 1, lo, hi]);
      });
    }
  });

  it.each(fixtures.geomeans.map((g) => [g.name, g] as const))('geomean %s', (_, g) => {
    const report = compareAll(
      g.benchmarks.map(([baseline, changed], i) => ({
        name: `${g.name}B${i + 1}`,
        direction: 'lower-is-better' as const,
        baseline,
        changed,
      })),
      BENCHSTAT_COMPAT,
    );
    if (g.ratioText === '?') {
      // benchstat gives up on the whole summary; we leave the offending benchmark out and say so.
      expect(report.geomean?.excluded.length).toBeGreaterThan(0);
    } else {
      expect(report.geomean?.excluded).toEqual([]);
      expect(relErr(report.geomean?.ratio as number, g.ratio as number)).toBeLessThanOrEqual(1e-12);
    }
  });
});
