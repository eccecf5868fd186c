import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { medianOfSorted } from './median-ci.js';
import { normalCdf } from './normal.js';
import { digamma, trigamma, trigammaInverse } from './polygamma.js';

// The paired test benchbot uses by default: a t test on the per-round log ratios whose p-value is
// not capped by the number of rounds (the exact signed-rank test cannot go below 2 / 2^n, which
// no correction over tens of benchmarks lets through at 10 rounds).
//
// Three choices, each measured by bench/stats-simulation.ts (tables in BENCHMARKS.md):
// - Robust to a bad round: the mean is 10%-trimmed and the variance winsorized (Tukey and
//   McLaughlin's one-sample trimmed t, the paired case of Yuen's test), so one round with a sample
//   1.7x the others moves neither much.
// - Moderated variance: with 10 rounds the trimmed variance has 6 degrees of freedom, and t_6's
//   tail at the alpha / 100 a correction over 100 benchmarks asks for is far heavier than the
//   normal's. The
//   benchmarks of one report measure on the same machine with the same harness, so their
//   variances resemble each other: each benchmark's variance is shrunk towards a prior fitted to
//   all of them, and the prior's degrees of freedom add to its own (Smyth 2004, the empirical-Bayes
//   "moderated t" of limma). When the variances differ widely the fitted prior has few degrees of
//   freedom and the test is the plain one.
// - Repeats inside a round (criterion's samples, go test -count) bound the variance from below:
//   round-to-round variation can be larger than what the repeats show, never smaller.

/** The share trimmed from each end of the sorted log ratios (1 of 10 rounds, 2 of 20). */
const TRIM = 0.1;

/** One benchmark's paired evidence before moderation. */
export interface PairedEstimate {
  /** Rounds. */
  n: number;
  /** Trimmed mean of the per-round log ratios. */
  centre: number;
  /** Variance of one round's log ratio from the winsorized rounds: the trimmed mean's is this / kept. NaN below 2 kept. */
  variance: number;
  /** Degrees of freedom of `variance`: kept - 1 less the rounds trimmed from one end. */
  df: number;
  /** Rounds left after trimming; the trimmed mean's variance is variance / kept. */
  kept: number;
  /** Variance of one round's log ratio that the within-round repeats alone show; 0 without repeats. */
  floor: number;
}

export function pairedEstimate(logRatios: readonly number[], floor = 0): PairedEstimate {
  const n = logRatios.length;
  const sorted = [...logRatios].sort((a, b) => a - b);
  const g = Math.floor(TRIM * n);
  const kept = n - 2 * g;
  const lo = sorted[g] as number;
  const hi = sorted[n - 1 - g] as number;
  let centre = 0;
  for (let i = g; i < n - g; i++) centre += sorted[i] as number;
  centre /= kept;
  const winsorized = sorted.map((x) => Math.min(hi, Math.max(lo, x)));
  const wMean = winsorized.reduce((s, x) => s + x, 0) / n;
  const ss = winsorized.reduce((s, x) => s + (x - wMean) ** 2, 0);
  // Var(trimmed mean) = (n - 1) s_w^2 / (h (h - 1)) with h = kept (Yuen); as a per-round
  // variance, times h. Yuen's h - 1 degrees of freedom are too many for the far tail a correction
  // reaches: at 10 rounds and alpha 0.0005 the test rejects 1.5x as often as it should. With
  // h - 1 - g it rejects 0.8-0.97x as often at 10 to 50 rounds (normal samples, 300,000 draws).
  const variance = kept > 1 ? ss / (kept - 1) : Number.NaN;
  return { n, centre, variance, df: Math.max(kept - 1 - g, 0), kept, floor };
}

/**
 * The variance of one round's log ratio that the repeats inside rounds alone produce: a side's
 * round value is the median of k repeats, whose variance is about π/2 · s²/k on the log scale
 * with s from the repeats' median absolute deviation (s²/k from the sample variance for k = 2,
 * where the median is the mean), and the two sides add. The median over rounds keeps one
 * disturbed round from setting it. 0 when no round has repeats on both sides.
 */
export function withinRoundFloor(
  repeats: ReadonlyArray<readonly [readonly number[], readonly number[]]>,
): number {
  const perRound = repeats.flatMap(([b, c]) => {
    if (b.length < 2 || c.length < 2 || ![...b, ...c].every((v) => v > 0)) return [];
    return [medianVariance(b) + medianVariance(c)];
  });
  return perRound.length === 0 ? 0 : medianOf(perRound);
}

/** 1.4826 MAD estimates a normal's standard deviation, and ignores the repeats a preemption slowed. */
const MAD_TO_SD = 1.482602218505602;

function medianVariance(values: readonly number[]): number {
  const logs = values.map(Math.log);
  const k = logs.length;
  if (k <= 2) {
    const mean = logs.reduce((s, x) => s + x, 0) / k;
    return logs.reduce((s, x) => s + (x - mean) ** 2, 0) / (k - 1) / k;
  }
  const centre = medianOf(logs);
  const sd = MAD_TO_SD * medianOf(logs.map((x) => Math.abs(x - centre)));
  return ((Math.PI / 2) * sd * sd) / k;
}

function medianOf(values: readonly number[]): number {
  return medianOfSorted([...values].sort((a, b) => a - b));
}

/** Scaled inverse-χ² prior of the benchmarks' variances: df 0 is no prior, Infinity a common variance. */
export interface VariancePrior {
  df: number;
  variance: number;
}

export const NO_PRIOR: VariancePrior = { df: 0, variance: 0 };

/**
 * Fits the prior to the estimates' variances by moments of their logs (Smyth 2004, limma's
 * fitFDist): E[log s²] = log s0² + ψ(d/2) - log(d/2) + ... Estimates without degrees of freedom
 * or with zero variance (a deterministic metric) say nothing about noise and are left out; fewer
 * than three left give no prior.
 */
export function fitVariancePrior(estimates: readonly PairedEstimate[]): VariancePrior {
  const usable = estimates.filter((e) => e.df > 0 && e.variance > 0 && Number.isFinite(e.variance));
  const count = usable.length;
  if (count < 3) return NO_PRIOR;
  const e = usable.map((u) => Math.log(u.variance) - digamma(u.df / 2) + Math.log(u.df / 2));
  const mean = e.reduce((s, x) => s + x, 0) / count;
  const spread =
    e.reduce((s, x) => s + (x - mean) ** 2, 0) / (count - 1) -
    usable.reduce((s, u) => s + trigamma(u.df / 2), 0) / count;
  if (spread <= 0) return { df: Number.POSITIVE_INFINITY, variance: Math.exp(mean) };
  const df = 2 * trigammaInverse(spread);
  return { df, variance: Math.exp(mean + digamma(df / 2) - Math.log(df / 2)) };
}

export type ModeratedTResult =
  | {
      ok: true;
      t: number;
      df: number;
      p: number;
      se: number;
      /** The within-round repeats, not the rounds, set the variance. */
      floored: boolean;
    }
  | { ok: false; reason: 'one-round' | 'no-variance' };

/** Two-sided moderated t test of "the log ratios are centred on zero". */
export function moderatedTTest(estimate: PairedEstimate, prior: VariancePrior): ModeratedTResult {
  const ownDf = estimate.df;
  const df = prior.df + ownDf;
  // Repeats inside a round are not rounds: they bound the variance but add no degrees of freedom.
  if (df === 0) return { ok: false, reason: 'one-round' };
  const pooled =
    prior.df === Number.POSITIVE_INFINITY
      ? prior.variance
      : (prior.df * prior.variance + ownDf * (ownDf > 0 ? estimate.variance : 0)) / df;
  const variance = Math.max(pooled, estimate.floor);
  if (variance === 0) {
    // Every round measured the same ratio (a deterministic metric such as allocations): no change
    // if it is 1, else a change every round showed.
    if (estimate.centre === 0) return { ok: false, reason: 'no-variance' };
    return {
      ok: true,
      t: Math.sign(estimate.centre) * Number.POSITIVE_INFINITY,
      df,
      p: 0,
      se: 0,
      floored: false,
    };
  }
  const se = Math.sqrt(variance / estimate.kept);
  const t = estimate.centre / se;
  const tail = df === Number.POSITIVE_INFINITY ? normalCdf(-Math.abs(t)) : tCdf(-Math.abs(t), df);
  return { ok: true, t, df, p: Math.min(1, 2 * tail), se, floored: estimate.floor > pooled };
}
