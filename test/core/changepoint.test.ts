import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bestSplit, type ChangePoint, eDivisive, rankValues } from '../../core/changepoint/index.js';
import { type RandomSource, seededRandom } from '../../core/random.js';

function normals(random: RandomSource): () => number {
  return () => {
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

/** Piecewise-constant levels with noise: `levels[k]` holds for `lengths[k]` points. */
function shifted(seed: number, lengths: number[], levels: number[], sd: number, lognormal = false): number[] {
  const normal = normals(seededRandom(seed));
  return lengths.flatMap((length, k) =>
    Array.from({ length }, () => {
      const level = levels[k] as number;
      return lognormal ? level * Math.exp(sd * normal()) : level + sd * normal();
    }),
  );
}

const indices = (cps: ChangePoint[]) => cps.map((c) => c.index);

/** The statistic straight from Matteson & James's definition, with every pair visited. */
function bruteForceQ(xs: number[], tau: number): number {
  const left = xs.slice(0, tau);
  const right = xs.slice(tau);
  const p = left.length;
  const q = right.length;
  let cross = 0;
  for (const x of left) for (const y of right) cross += Math.abs(x - y);
  const within = (set: number[]) => {
    let sum = 0;
    for (let i = 0; i < set.length; i++)
      for (let k = i + 1; k < set.length; k++) sum += Math.abs((set[i] as number) - (set[k] as number));
    return sum / ((set.length * (set.length - 1)) / 2);
  };
  return ((p * q) / (p + q)) * ((2 * cross) / (p * q) - within(left) - within(right));
}

describe('E-divisive statistic', () => {
  it('equals the pairwise definition at its best split (property, ties included)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 4, maxLength: 40 }),
        fc.integer({ min: 2, max: 5 }),
        (xs, minSegment) => {
          const split = bestSplit(rankValues(xs), minSegment);
          if (xs.length < 2 * minSegment) return split === null;
          const taus = Array.from({ length: xs.length - 2 * minSegment + 1 }, (_, i) => minSegment + i);
          const best = Math.max(...taus.map((tau) => bruteForceQ(xs, tau)));
          return split !== null && Math.abs(split.statistic - best) < 1e-9 * Math.max(1, Math.abs(best));
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('eDivisive on series with known shifts', () => {
  // Shifts of 5 noise standard deviations (a 5% change under 1% noise), as a trunk series shows
  // a real regression; 10 seeds each, with every extra change point counted against the method.
  const cases = [
    { name: '+5 sd at 60 of 120', lengths: [60, 60], levels: [100, 105], sd: 1, expected: [60] },
    {
      name: '-5% at 20 of 100 (lognormal, 1% noise)',
      lengths: [20, 80],
      levels: [100, 95],
      sd: 0.01,
      expected: [20],
      lognormal: true,
    },
    { name: '+5 sd late: 190 of 200', lengths: [190, 10], levels: [10, 12.5], sd: 0.5, expected: [190] },
    {
      name: 'three shifts',
      lengths: [40, 30, 50, 40],
      levels: [100, 105, 99, 104],
      sd: 1,
      expected: [40, 70, 120],
    },
    {
      name: 'a spike that comes back',
      lengths: [50, 25, 50],
      levels: [50, 56, 50],
      sd: 1,
      expected: [50, 75],
    },
  ];
  const seeds = Array.from({ length: 10 }, (_, i) => i + 1);

  it.each(cases)(
    '$name: every shift found within one index',
    ({ lengths, levels, sd, expected, lognormal }) => {
      for (const seed of seeds) {
        const found = indices(
          eDivisive(shifted(seed, lengths, levels, sd, lognormal), { random: seededRandom(seed) }),
        );
        for (const at of expected) {
          expect(
            found.some((index) => Math.abs(index - at) <= 1),
            `seed ${seed}: ${found} vs ${expected}`,
          ).toBe(true);
        }
      }
    },
  );

  it('adds few change points beyond the real ones (each later test is at level p too)', () => {
    let extra = 0;
    let tests = 0;
    for (const { lengths, levels, sd, expected, lognormal } of cases) {
      for (const seed of seeds) {
        const found = eDivisive(shifted(seed, lengths, levels, sd, lognormal), {
          random: seededRandom(seed),
        });
        extra += Math.max(0, found.length - expected.length);
        tests += expected.length + 1;
      }
    }
    expect(extra / tests).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / tests));
  });

  it('reports the medians on either side, the relative change and a significant p-value', () => {
    const [cp] = eDivisive(shifted(9, [50, 50], [200, 220], 1), { random: seededRandom(9) });
    expect(cp?.index).toBe(50);
    expect(cp?.before).toBeCloseTo(200, 0);
    expect(cp?.after).toBeCloseTo(220, 0);
    expect(cp?.change).toBeCloseTo(0.1, 2);
    expect(cp?.pValue).toBe(1 / 200);
  });

  it('is deterministic for a seed', () => {
    const series = shifted(3, [30, 30, 30], [1, 1.5, 1.2], 0.2);
    const a = eDivisive(series, { random: seededRandom(11) });
    const b = eDivisive(series, { random: seededRandom(11) });
    expect(b).toEqual(a);
  });

  it('keeps every segment at least minSegment long', () => {
    const series = shifted(4, [3, 40], [200, 100], 1);
    // The 3-point head is a real change, but the nearest allowed split is at 5.
    expect(indices(eDivisive(series, { random: seededRandom(4), minSegment: 5 }))).toEqual([5]);
    expect(indices(eDivisive(series, { random: seededRandom(4), minSegment: 3 }))).toEqual([3]);
  });

  it.each([
    { name: 'constant', series: Array(50).fill(7) },
    { name: 'too short to split', series: [1, 2, 3, 100, 100, 100, 100] },
    { name: 'empty', series: [] },
  ])('finds nothing in a $name series', ({ series }) => {
    expect(eDivisive(series, { random: seededRandom(1) })).toEqual([]);
  });

  it.each([
    { options: { pValue: 0 }, message: /pValue 0 is not between 0 and 1/ },
    { options: { minSegment: 1 }, message: /minSegment 1 .* at least 2/ },
    { options: { permutations: 0 }, message: /permutations 0/ },
  ])('refuses $options', ({ options, message }) => {
    expect(() => eDivisive([1, 2, 3], { random: seededRandom(1), ...options })).toThrow(message);
  });

  it('refuses non-finite points', () => {
    expect(() => eDivisive([1, Number.NaN, 3], { random: seededRandom(1) })).toThrow(/series\[1\] is NaN/);
  });
});

describe('eDivisive on pure noise', () => {
  // The first test of a series without changes is a permutation test at level p, so at most a
  // fraction p of noise series may get any change point. 400 series: the bound below is p plus
  // three binomial standard deviations (sqrt(0.05 * 0.95 / 400) = 0.011).
  it.each([
    { name: 'normal', pValue: 0.05, lognormal: false },
    { name: 'lognormal (skewed, like timings)', pValue: 0.05, lognormal: true },
    { name: 'normal at p = 0.01', pValue: 0.01, lognormal: false },
  ])('$name: false change points in at most p of the series', ({ pValue, lognormal }) => {
    const series = 400;
    let withFalse = 0;
    for (let seed = 1; seed <= series; seed++) {
      const noise = shifted(1000 + seed, [60], [100], lognormal ? 0.05 : 1, lognormal);
      if (eDivisive(noise, { random: seededRandom(seed), pValue }).length > 0) withFalse++;
    }
    const rate = withFalse / series;
    expect(rate).toBeLessThanOrEqual(pValue + 3 * Math.sqrt((pValue * (1 - pValue)) / series));
  });
});
