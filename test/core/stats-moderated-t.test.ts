import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.js';
import {
  fitVariancePrior,
  moderatedTTest,
  NO_PRIOR,
  pairedEstimate,
  withinRoundFloor,
} from '../../core/stats/moderated-t.js';
import { digamma, trigamma, trigammaInverse } from '../../core/stats/polygamma.js';

describe('digamma and trigamma', () => {
  it.each([
    // ψ(1) = -γ, ψ(1/2) = -γ - 2 ln 2, ψ'(1) = π²/6, ψ'(1/2) = π²/2.
    { x: 1, psi: -0.5772156649015329, tri: Math.PI ** 2 / 6 },
    { x: 0.5, psi: -0.5772156649015329 - 2 * Math.LN2, tri: Math.PI ** 2 / 2 },
  ])('at $x', ({ x, psi, tri }) => {
    expect(digamma(x)).toBeCloseTo(psi, 10);
    expect(trigamma(x)).toBeCloseTo(tri, 10);
  });

  it('keeps the recurrences where the asymptotic series takes over', () => {
    for (const x of [5.5, 6.3, 12.7]) {
      expect(digamma(x + 1) - digamma(x)).toBeCloseTo(1 / x, 10);
      expect(trigamma(x) - trigamma(x + 1)).toBeCloseTo(1 / (x * x), 10);
    }
  });

  it('inverts trigamma', () => {
    for (const x of [0.05, 0.7, 2.5, 40, 1e4]) expect(trigammaInverse(trigamma(x)) / x).toBeCloseTo(1, 6);
  });
});

describe('the paired estimate', () => {
  it('is the plain mean and variance below 10 rounds', () => {
    const e = pairedEstimate([1, 2, 3, 4, 5]);
    expect(e).toMatchObject({ n: 5, centre: 3, kept: 5, df: 4, floor: 0 });
    expect(e.variance).toBeCloseTo(2.5, 12);
  });

  it('trims one round from each end of 10 and winsorizes the variance', () => {
    // Sorted: 1..9 and an outlier of 100; trimmed mean of 2..9 is 5.5; winsorized values
    // 2,2,3,...,9,9 have mean 5.5 and a sum of squares of 2*3.5^2 + 2*3.5^2 + ... = 57.
    const e = pairedEstimate([100, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e).toMatchObject({ n: 10, centre: 5.5, kept: 8, df: 6 });
    const winsorized = [2, 2, 3, 4, 5, 6, 7, 8, 9, 9];
    const ss = winsorized.reduce((s, x) => s + (x - 5.5) ** 2, 0);
    expect(e.variance).toBeCloseTo(ss / 7, 12);
  });
});

describe('the moderated t test', () => {
  it("is Student's one-sample t test without a prior", () => {
    // R: t.test(c(1, 2, 3, 4, 5))$p.value = 0.0132356
    const r = moderatedTTest(pairedEstimate([1, 2, 3, 4, 5]), NO_PRIOR);
    expect(r.ok && r.df).toBe(4);
    expect(r.ok && r.t).toBeCloseTo(3 / Math.sqrt(0.5), 10);
    expect(r.ok && r.p).toBeCloseTo(0.0132356, 7);
  });

  it('adds the prior degrees of freedom and shrinks the variance towards the prior', () => {
    const e = pairedEstimate([1, 2, 3, 4, 5]);
    const r = moderatedTTest(e, { df: 6, variance: 0.5 });
    // (6 * 0.5 + 4 * 2.5) / 10 = 1.3
    expect(r.ok && r.df).toBe(10);
    expect(r.ok && r.t).toBeCloseTo(3 / Math.sqrt(1.3 / 5), 10);
    const common = moderatedTTest(e, { df: Number.POSITIVE_INFINITY, variance: 0.5 });
    expect(common.ok && common.df).toBe(Number.POSITIVE_INFINITY);
    expect(common.ok && common.t).toBeCloseTo(3 / Math.sqrt(0.1), 10);
  });

  it('takes the within-round floor when the rounds agree more closely than the repeats allow', () => {
    const e = pairedEstimate([0.01, 0.011, 0.012, 0.01, 0.011], 0.01);
    const r = moderatedTTest(e, NO_PRIOR);
    expect(r.ok && r.se).toBeCloseTo(Math.sqrt(0.01 / 5), 12);
  });

  it('cannot test one round alone, nor a ratio of 1 in every round', () => {
    expect(moderatedTTest(pairedEstimate([0.1]), NO_PRIOR)).toEqual({ ok: false, reason: 'one-round' });
    expect(moderatedTTest(pairedEstimate([0, 0, 0]), NO_PRIOR)).toEqual({ ok: false, reason: 'no-variance' });
    expect(moderatedTTest(pairedEstimate([0.5, 0.5, 0.5]), NO_PRIOR)).toMatchObject({ ok: true, p: 0 });
    // With a prior, one round is tested against the other benchmarks' variance.
    expect(moderatedTTest(pairedEstimate([0.1]), { df: 20, variance: 0.01 })).toMatchObject({
      ok: true,
      df: 20,
    });
  });
});

describe('the variance prior', () => {
  const chiSquare = (random: () => number, df: number) => {
    let sum = 0;
    for (let i = 0; i < df; i++) {
      const u1 = 1 - random();
      const u2 = random();
      sum += (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)) ** 2;
    }
    return sum;
  };

  it('recovers the degrees of freedom and scale it was drawn from', () => {
    // True variances s0² d0 / χ²_d0 with d0 = 8, s0² = 0.01; each observed with 9 degrees of freedom.
    const random = seededRandom(3);
    const estimates = Array.from({ length: 4000 }, () => {
      const truth = (0.01 * 8) / chiSquare(random, 8);
      return { n: 10, centre: 0, kept: 10, df: 9, floor: 0, variance: (truth * chiSquare(random, 9)) / 9 };
    });
    const prior = fitVariancePrior(estimates);
    expect(prior.df).toBeGreaterThan(6.5);
    expect(prior.df).toBeLessThan(10);
    expect(prior.variance).toBeGreaterThan(0.0093);
    expect(prior.variance).toBeLessThan(0.0107);
  });

  it('is infinitely sure of a common variance and absent below three estimates', () => {
    const same = { n: 10, centre: 0, kept: 10, df: 9, floor: 0, variance: 0.01 };
    expect(fitVariancePrior([same, same, same])).toEqual({
      df: Number.POSITIVE_INFINITY,
      variance: expect.any(Number),
    });
    expect(fitVariancePrior([same, same])).toEqual(NO_PRIOR);
    expect(fitVariancePrior([same, same, { ...same, variance: 0 }])).toEqual(NO_PRIOR);
  });
});

describe('the within-round floor', () => {
  it("adds both sides' variance of a round median, the median over rounds", () => {
    const e = Math.E;
    // log values 0, 1, 2: MAD 1, so s = 1.4826 and π/2 s²/3 per side; log values 0, 1: variance
    // 0.5, over k = 2 is 0.25 per side.
    const wide: [number[], number[]] = [
      [1, e, e * e],
      [1, e, e * e],
    ];
    const two: [number[], number[]] = [
      [1, e],
      [1, e],
    ];
    const wideFloor = (2 * ((Math.PI / 2) * 1.482602218505602 ** 2)) / 3;
    expect(withinRoundFloor([wide])).toBeCloseTo(wideFloor, 12);
    expect(withinRoundFloor([two, two, wide])).toBeCloseTo(0.5, 12);
    expect(withinRoundFloor([two, wide])).toBeCloseTo((0.5 + wideFloor) / 2, 12);
  });

  it('is not raised by a repeat that a preemption slowed', () => {
    const steady = [100, 101, 99, 100.5, 99.5];
    const preempted = [100, 101, 99, 100.5, 400];
    const ratio = withinRoundFloor([[preempted, steady]]) / withinRoundFloor([[steady, steady]]);
    expect(ratio).toBeGreaterThan(0.9);
    expect(ratio).toBeLessThan(1.1);
  });

  it('is 0 without repeats on both sides and ignores rounds with values that have no log', () => {
    expect(withinRoundFloor([])).toBe(0);
    expect(withinRoundFloor([[[1, 2, 3], [2]]])).toBe(0);
    expect(
      withinRoundFloor([
        [
          [1, 0, 3],
          [2, 3],
        ],
      ]),
    ).toBe(0);
  });
});
