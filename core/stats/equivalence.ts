import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { normalCdf } from './normal.js';

// Whether a paired test's confidence interval of the change lies inside the minimum effect: then
// no number of further rounds can make the benchmark a change worth reporting (two one-sided
// tests, Schuirmann 1987, at the report's confidence level). Adaptive rounds stop there.

/**
 * True when the interval `centre ± q·se` (q the t quantile for `confidence`, two-sided) on the log
 * ratio lies strictly inside ± `thresholdPct` percent of the value. Without a minimum effect
 * nothing lies inside.
 */
export function insideMinimumEffect(
  centre: number,
  se: number,
  df: number,
  confidence: number,
  thresholdPct: number,
): boolean {
  if (!(thresholdPct > 0) || thresholdPct >= 100) return false;
  const lower = Math.log(1 - thresholdPct / 100);
  const upper = Math.log(1 + thresholdPct / 100);
  if (se === 0) return centre > lower && centre < upper;
  const tail = (x: number) => (df === Number.POSITIVE_INFINITY ? normalCdf(x) : tCdf(x, df));
  const alphaEach = (1 - confidence) / 2;
  // The interval's lower end is above `lower` when the one-sided test of "centre <= lower" rejects.
  return tail(-(centre - lower) / se) < alphaEach && tail(-(upper - centre) / se) < alphaEach;
}
