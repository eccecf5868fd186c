import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.js';
import {
  adjustPValues,
  BENCHSTAT_COMPAT,
  type BenchmarkInput,
  benjaminiHochberg,
  type CompareOptions,
  compareAll,
  compareBenchmark,
  DEFAULT_OPTIONS,
  geomeanOfRatios,
  holm,
  mannWhitneyU,
  wilcoxonSignedRank,
} from '../../core/stats/index.js';

const range = (n: number, start: number, step = 1) => Array.from({ length: n }, (_, i) => start + step * i);

describe('multiple-comparison corrections (as R p.adjust)', () => {
  it.each([
    // Hand-computed: Holm sorts up and multiplies by m, m-1, ...; BH sorts down and multiplies by m/i.
    { p: [0.01, 0.04, 0.03, 0.005], holm: [0.03, 0.06, 0.06, 0.02], bh: [0.02, 0.04, 0.04, 0.02] },
    { p: [0.5, 0.6], holm: [1, 1], bh: [0.6, 0.6] },
    {
      p: [0.001, 0.008, 0.039, 0.041, 0.042],
      holm: [0.005, 0.032, 0.117, 0.117, 0.117],
      bh: [0.005, 0.02, 0.042, 0.042, 0.042],
    },
    { p: [0.2], holm: [0.2], bh: [0.2] },
    { p: [], holm: [], bh: [] },
  ])('p = $p', ({ p, holm: wantHolm, bh: wantBh }) => {
    const close = (got: number[], want: number[]) => {
      expect(got).toHaveLength(want.length);
      for (const [i, v] of got.entries()) expect(v).toBeCloseTo(want[i] as number, 14);
    };
    close(holm(p), wantHolm);
    close(benjaminiHochberg(p), wantBh);
    expect(adjustPValues(p, 'none')).toEqual(p);
  });
});

/** Exact two-sided signed-rank p by enumerating all 2^n sign patterns over midranks. */
function bruteForceSignedRank(differences: number[]): number {
  const d = differences.filter((x) => x !== 0);
  const abs = d.map(Math.abs);
  const rank = abs.map((a) => {
    const below = abs.filter((b) => b < a).length;
    const equal = abs.filter((b) => b === a).length;
    return below + (equal + 1) / 2;
  });
  const observed = rank.reduce((s, r, i) => s + ((d[i] as number) > 0 ? r : 0), 0);
  const mean = rank.reduce((s, r) => s + r, 0) / 2;
  let extreme = 0;
  for (let mask = 0; mask < 2 ** d.length; mask++) {
    const w = rank.reduce((s, r, i) => s + (mask & (1 << i) ? r : 0), 0);
    if (Math.abs(w - mean) >= Math.abs(observed - mean) - 1e-9) extreme++;
  }
  return Math.min(1, extreme / 2 ** d.length);
}

describe('Wilcoxon signed-rank', () => {
  it.each([
    { d: [1, 2, 3, 4, 5], p: 2 / 32 },
    { d: [1, 2, 3, 4, 5, 6], p: 2 / 64 },
    { d: [-1, -2, -3, -4, -5, -6, -7, -8], p: 2 / 256 },
    { d: [0, 0, 1, 2, 3, 4, 5], p: 2 / 32 },
    // W+ = 1 + 3 = 4 over ranks 1..4; subsets with sum <= 4: {}, {1}, {2}, {3}, {1,2}, {4}, {1,3}.
    { d: [1, -2, 3, -4], p: (2 * 7) / 16 },
  ])('exact p for $d', ({ d, p }) => {
    const r = wilcoxonSignedRank(d);
    expect(r.ok && r.exact).toBe(true);
    if (r.ok) expect(r.p).toBeCloseTo(p, 15);
  });

  it.each([
    [[0.5, -0.2, 0.5, 0.9, -0.2, 0.5, 1.1, 0.3]],
    [[1, 1, 1, -1, 2, 2, -2, 3, 3, 3, -3, 0]],
    [[-0.01, 0.02, 0.03, -0.04, 0.05, 0.06, 0.07, 0.08, 0.09, -0.1, 0.11, 0.12, 0.13]],
  ])('exact distribution with ties matches enumeration: %j', (d) => {
    const r = wilcoxonSignedRank(d);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.p).toBeCloseTo(bruteForceSignedRank(d), 12);
  });

  it('uses the normal approximation beyond 50 pairs, close to the exact tail', () => {
    const d = range(60, 1).map((x, i) => (i % 3 === 0 ? -x : x));
    const r = wilcoxonSignedRank(d);
    expect(r.ok && !r.exact).toBe(true);
    // Exact tail from the subset-sum distribution of ranks 1..60 (relative precision is enough here).
    const counts = new Float64Array(1831);
    counts[0] = 1;
    for (let k = 1; k <= 60; k++)
      for (let s = 1830; s >= k; s--) counts[s] = (counts[s] as number) + (counts[s - k] as number);
    const wPlus = d.reduce((s, x) => s + (x > 0 ? Math.abs(x) : 0), 0);
    const upper = Array.from(counts.slice(wPlus)).reduce((a, b) => a + b, 0);
    const exact = Math.min(1, (2 * upper) / 2 ** 60);
    // The statistic's bounded support makes the normal tail slightly heavy: close and conservative.
    if (r.ok) {
      expect(r.p).toBeGreaterThanOrEqual(exact);
      expect(r.p / exact).toBeLessThan(1.1);
    }
  });

  it('reports when every difference is zero', () => {
    expect(wilcoxonSignedRank([0, 0, 0])).toEqual({ ok: false, reason: 'no-nonzero-differences', zeros: 3 });
  });
});

describe('Mann-Whitney U', () => {
  it('gives the minimum p for fully separated samples', () => {
    const r = mannWhitneyU(range(5, 1), range(5, 10));
    expect(r.ok && r.p).toBeCloseTo(2 / 252, 15);
  });
  it('refuses all-equal and empty samples like benchstat', () => {
    expect(mannWhitneyU([3, 3], [3, 3, 3])).toEqual({ ok: false, reason: 'all-equal' });
    expect(mannWhitneyU([], [1])).toEqual({ ok: false, reason: 'empty-sample' });
  });
});

const bench = (over: Partial<BenchmarkInput>): BenchmarkInput => ({
  name: 'B',
  direction: 'lower-is-better',
  baseline: range(10, 100),
  changed: range(10, 100),
  ...over,
});

describe('verdicts', () => {
  it.each([
    { direction: 'lower-is-better', changedStart: 80, verdict: 'faster' },
    { direction: 'lower-is-better', changedStart: 120, verdict: 'slower' },
    { direction: 'higher-is-better', changedStart: 120, verdict: 'faster' },
    { direction: 'higher-is-better', changedStart: 80, verdict: 'slower' },
    { direction: 'higher-is-better', changedStart: 101, verdict: 'unchanged' },
  ] as const)('$direction, changed from $changedStart: $verdict', ({ direction, changedStart, verdict }) => {
    const c = compareBenchmark(bench({ direction, changed: range(10, changedStart) }), BENCHSTAT_COMPAT);
    expect(c.verdict).toBe(verdict);
    expect(c.test).toBe('mann-whitney-u');
  });

  it('reports ratio and percent change of the medians', () => {
    const c = compareBenchmark(
      bench({ baseline: [100, 100, 100, 101, 99], changed: [110, 110, 111, 109, 110] }),
      BENCHSTAT_COMPAT,
    );
    expect(c.baseline.median).toBe(100);
    expect(c.changed.median).toBe(110);
    expect(c.ratio).toBeCloseTo(1.1, 15);
    expect(c.pctChange).toBeCloseTo(10, 12);
  });

  it('keeps the value direction in pctChange for negative baselines', () => {
    const c = compareBenchmark(
      bench({ baseline: range(8, -100, 0.1), changed: range(8, -50, 0.1) }),
      BENCHSTAT_COMPAT,
    );
    expect(c.verdict).toBe('slower');
    expect(c.pctChange as number).toBeGreaterThan(0);
  });

  it('says how many samples are needed when too few to ever be significant', () => {
    const c = compareBenchmark(bench({ baseline: [1, 2, 3], changed: [7, 8, 9] }), BENCHSTAT_COMPAT);
    expect(c.verdict).toBe('too-few-samples');
    expect(c.needSamples).toBe(4);
    expect(c.note).toBe('need >= 4 samples to detect a difference at alpha level 0.05');
    expect(c.baseline.ciNote).toBe('need >= 6 samples for confidence interval at level 0.95');
    expect(c.baseline.ciLo).toBeNull();
  });

  it('treats an empty side as too few samples', () => {
    const c = compareBenchmark(bench({ changed: [] }), BENCHSTAT_COMPAT);
    expect(c).toMatchObject({
      verdict: 'too-few-samples',
      p: null,
      pAdjusted: null,
      ratio: null,
      needSamples: 4,
    });
    expect(c.changed.median).toBeNull();
  });

  it('applies the minimum-effect threshold to significant changes only', () => {
    const input = bench({ baseline: range(20, 1000, 0.1), changed: range(20, 1005, 0.1) });
    expect(compareBenchmark(input, BENCHSTAT_COMPAT).verdict).toBe('slower');
    const c = compareBenchmark(input, { ...BENCHSTAT_COMPAT, thresholdPct: 1 });
    expect(c.verdict).toBe('unchanged');
    expect(c.note).toMatch(/0\.50% is below the 1% minimum effect/);
    expect(compareBenchmark(input, { ...BENCHSTAT_COMPAT, thresholdPct: 0.4 }).verdict).toBe('slower');
  });

  it('rejects unusable options and samples with a message naming the fix', () => {
    expect(() => compareBenchmark(bench({}), { ...DEFAULT_OPTIONS, alpha: 0 })).toThrow(
      /alpha is 0; use a level in \(0, 1\]/,
    );
    expect(() => compareBenchmark(bench({ changed: [1, Number.NaN] }), DEFAULT_OPTIONS)).toThrow(
      /non-finite sample/,
    );
  });
});

describe('false-alarm control across a report', () => {
  // One benchmark with p = 2/252 (n = 5, fully separated) among nine unchanged ones (n = 8).
  const inputs: BenchmarkInput[] = [
    bench({ name: 'moved', baseline: range(5, 1), changed: range(5, 10) }),
    ...range(9, 0).map((i) => bench({ name: `same${i}`, baseline: range(8, 1, 2), changed: range(8, 2, 2) })),
  ];

  it('flags the change without correction', () => {
    const report = compareAll(inputs, BENCHSTAT_COMPAT);
    expect(report.comparisons[0]?.verdict).toBe('slower');
    expect(report.correction).toBe('none');
  });

  it.each(['holm', 'bh'] as const)(
    '%s: n = 5 can no longer reach alpha / m, so it asks for more',
    (correction) => {
      const report = compareAll(inputs, { ...BENCHSTAT_COMPAT, correction });
      const moved = report.comparisons[0];
      expect(moved?.pAdjusted).toBeCloseTo((2 / 252) * 10, 12);
      expect(moved?.verdict).toBe('too-few-samples');
      expect(moved?.needSamples).toBe(6);
      expect(moved?.note).toContain(`after ${correction} correction over 10 benchmarks`);
      expect(report.correction).toBe(correction);
    },
  );

  it('holm keeps a strong change significant', () => {
    const strong = [
      bench({ name: 'moved', baseline: range(12, 1), changed: range(12, 50) }),
      ...inputs.slice(1),
    ];
    const report = compareAll(strong, DEFAULT_OPTIONS);
    expect(report.comparisons[0]?.verdict).toBe('slower');
    expect(report.comparisons.slice(1).every((c) => c.verdict === 'unchanged')).toBe(true);
  });
});

describe('paired test', () => {
  // Machine speed drifts by up to +-30% between rounds; within a round, changed is 2% slower.
  const drift = [1, 1.3, 0.8, 1.1, 0.7, 1.25, 0.9, 1.05, 0.75, 1.2, 0.85, 1.15];
  const pairs: Array<[number, number]> = drift.map((f, i) => [
    100 * f * (1 + 0.001 * i),
    102 * f * (1 + 0.001 * i),
  ]);
  const input = bench({ baseline: pairs.map((p) => p[0]), changed: pairs.map((p) => p[1]), pairs });
  const opts: CompareOptions = { ...DEFAULT_OPTIONS, correction: 'none' };

  it('sees through drift the unpaired test counts as noise', () => {
    expect(compareBenchmark(input, { ...opts, paired: 'never' }).verdict).toBe('unchanged');
    const report = compareAll([input], { ...opts, paired: 'signed-rank' });
    const c = report.comparisons[0];
    expect(report.paired).toBe(true);
    expect(c?.test).toBe('wilcoxon-signed-rank-paired');
    expect(c?.verdict).toBe('slower');
    expect(c?.p).toBeCloseTo(2 / 4096, 15);
    expect(c?.ratio).toBeCloseTo(1.02, 12);
    expect(c?.note).toContain('paired test on log(changed/baseline) of 12 interleaved rounds');
  });

  it('needs enough rounds', () => {
    const c = compareBenchmark(bench({ pairs: pairs.slice(0, 4) }), { ...opts, paired: 'signed-rank' });
    expect(c.verdict).toBe('too-few-samples');
    expect(c.needSamples).toBe(6);
  });

  it('falls back to the U test when values are not positive', () => {
    const c = compareBenchmark(
      bench({
        pairs: [
          [0, 1],
          [1, 2],
        ],
      }),
      opts,
    );
    expect(c.test).toBe('mann-whitney-u');
    expect(c.note).toContain('paired test skipped');
  });
});

describe('geometric mean', () => {
  it('summarises ratios and leaves out undefined ones by name', () => {
    const g = geomeanOfRatios([
      { name: 'a', ratio: 2 },
      { name: 'b', ratio: 0.5 },
      { name: 'c', ratio: 1.5 },
      { name: 'zero-baseline', ratio: null },
      { name: 'sign-flip', ratio: -1 },
    ]);
    expect(g?.ratio).toBeCloseTo(Math.cbrt(1.5), 14);
    expect(g?.pctChange).toBeCloseTo((Math.cbrt(1.5) - 1) * 100, 12);
    expect(g?.count).toBe(3);
    expect(g?.excluded).toEqual(['zero-baseline', 'sign-flip']);
    expect(geomeanOfRatios([{ name: 'x', ratio: null }])).toBeNull();
  });

  it('counts equal medians, even 0 -> 0, as ratio 1', () => {
    const report = compareAll(
      [
        bench({ name: 'allocs', baseline: [0, 0, 0], changed: [0, 0, 0] }),
        bench({ name: 'time', baseline: [10, 10, 10], changed: [40, 40, 40] }),
      ],
      BENCHSTAT_COMPAT,
    );
    expect(report.geomean?.ratio).toBeCloseTo(2, 14);
    expect(report.geomean?.excluded).toEqual([]);
  });
});

describe('derived metrics', () => {
  const time = (name: string, factor: number): BenchmarkInput => ({
    name,
    direction: 'lower-is-better',
    baseline: range(10, 100),
    changed: range(10, 100).map((v) => v * factor),
  });
  const throughputOf = (source: BenchmarkInput): BenchmarkInput => ({
    name: `${source.name} (throughput)`,
    direction: 'higher-is-better',
    baseline: source.baseline.map((v) => 1e6 / v),
    changed: source.changed.map((v) => 1e6 / v),
    follows: source.name,
  });

  it('leaves them out of the correction family and gives them the verdict of their source', () => {
    const inputs = [time('a', 1.3), time('b', 1), time('c', 1)];
    const report = compareAll([...inputs, ...inputs.map(throughputOf)], DEFAULT_OPTIONS);
    expect(report.family).toBe(3);
    const alone = compareAll(inputs, DEFAULT_OPTIONS);
    expect(report.comparisons.slice(0, 3)).toEqual(alone.comparisons);
    const derived = report.comparisons[3];
    expect(derived).toMatchObject({
      verdict: 'slower',
      follows: 'a',
      pAdjusted: alone.comparisons[0]?.pAdjusted,
    });
    expect(derived?.pctChange).toBeCloseTo((1 / 1.3 - 1) * 100, 6);
  });

  it('refuses a source that is missing or itself derived', () => {
    const a = time('a', 1);
    expect(() => compareAll([a, { ...time('x', 1), follows: 'nope' }], DEFAULT_OPTIONS)).toThrow(
      /follows nope, which is not a measured benchmark/,
    );
    const derived = throughputOf(a);
    expect(() =>
      compareAll([a, derived, { ...time('y', 1), follows: derived.name }], DEFAULT_OPTIONS),
    ).toThrow(RangeError);
  });
});

describe('the default paired test at 10 rounds', () => {
  // 100 benchmarks of one report, 10 interleaved rounds each, lognormal noise of 3% per sample,
  // half of it a per-round drift both sides share; the first ten are 5% slower. Seeded, so the
  // verdicts are fixed; bench/stats-simulation.ts gives the rates over many such reports.
  const random = seededRandom(15);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const sigma = Math.sqrt(Math.log(1 + 0.03 ** 2));
  const inputs = Array.from({ length: 100 }, (_, i): BenchmarkInput => {
    const pairs = Array.from({ length: 10 }, (): [number, number] => {
      const drift = sigma * Math.SQRT1_2 * normal();
      const noise = () => sigma * Math.SQRT1_2 * normal();
      return [1000 * Math.exp(drift + noise()), 1000 * (i < 10 ? 1.05 : 1) * Math.exp(drift + noise())];
    });
    return {
      name: `b${i}`,
      direction: 'lower-is-better',
      baseline: pairs.map(([b]) => b),
      changed: pairs.map(([, c]) => c),
      pairs,
    };
  });
  const slower = (paired: CompareOptions['paired']) =>
    compareAll(inputs, { ...DEFAULT_OPTIONS, paired }).comparisons.flatMap((c, i) =>
      c.verdict === 'slower' ? [i] : c.verdict === 'faster' ? [-i] : [],
    );

  it('finds 5% regressions through Holm over 100 benchmarks, which the exact signed-rank test cannot', () => {
    const found = slower('auto');
    expect(found.every((i) => i >= 0 && i < 10)).toBe(true);
    expect(found.length).toBeGreaterThanOrEqual(8);
    expect(slower('signed-rank')).toEqual([]);
  });
});
