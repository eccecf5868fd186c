import { normalCdf } from './normal.js';

// Two-sided Wilcoxon signed-rank test of "the differences are centred on zero".
//
// Zero differences are dropped (Wilcoxon's method, the default of R's wilcox.test and SciPy).
// Tied |differences| get their average rank. Up to `exactLimit` non-zero differences the p-value
// comes from the exact permutation distribution of W+ given those (mid)ranks, so ties are handled
// exactly too; beyond it, a normal approximation with the tie-corrected variance and a
// continuity correction.

export const exactLimit = 50;

export type SignedRankResult =
  | { ok: true; wPlus: number; p: number; nonZero: number; zeros: number; exact: boolean }
  | { ok: false; reason: 'no-nonzero-differences'; zeros: number };

export function wilcoxonSignedRank(differences: readonly number[]): SignedRankResult {
  const nonZero = differences.filter((d) => d !== 0);
  const zeros = differences.length - nonZero.length;
  const n = nonZero.length;
  if (n === 0) return { ok: false, reason: 'no-nonzero-differences', zeros };

  const order = nonZero
    .map((d, i) => ({ abs: Math.abs(d), positive: d > 0, i }))
    .sort((a, b) => a.abs - b.abs);
  // Doubled ranks keep average ranks integral, so the exact distribution is a count over
  // integers.
  const doubledRank = new Array<number>(n).fill(0);
  const tieSizes: number[] = [];
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && (order[j] as { abs: number }).abs === (order[i] as { abs: number }).abs) j++;
    for (let k = i; k < j; k++) doubledRank[k] = i + 1 + j; // 2 * average of ranks i+1..j
    tieSizes.push(j - i);
    i = j;
  }
  let twoWPlus = 0;
  for (let k = 0; k < n; k++)
    if ((order[k] as { positive: boolean }).positive) twoWPlus += doubledRank[k] as number;

  if (n <= exactLimit) {
    const total = n * (n + 1); // sum of all doubled ranks
    const counts = subsetSumCounts(doubledRank, total);
    const lower = cumulative(counts, twoWPlus);
    const upper = cumulative(counts, total) - cumulative(counts, twoWPlus - 1);
    const all = 2 ** n;
    const p = Math.min(1, (2 * Math.min(lower, upper)) / all);
    return { ok: true, wPlus: twoWPlus / 2, p, nonZero: n, zeros, exact: true };
  }

  const mean = (n * (n + 1)) / 4;
  const tieTerm = tieSizes.reduce((s, t) => s + t * t * t - t, 0);
  const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48);
  let numer = twoWPlus / 2 - mean;
  numer -= Math.sign(numer) * 0.5;
  const z = numer / sigma;
  const p = Math.min(1, 2 * normalCdf(-Math.abs(z)));
  return { ok: true, wPlus: twoWPlus / 2, p, nonZero: n, zeros, exact: false };
}

/** counts[s] = number of subsets of `weights` summing to s, for s = 0..total. */
function subsetSumCounts(weights: readonly number[], total: number): Float64Array {
  const counts = new Float64Array(total + 1);
  counts[0] = 1;
  let reach = 0;
  for (const w of weights) {
    reach += w;
    for (let s = Math.min(reach, total); s >= w; s--)
      counts[s] = (counts[s] as number) + (counts[s - w] as number);
  }
  return counts;
}

function cumulative(counts: Float64Array, upTo: number): number {
  let sum = 0;
  for (let s = 0; s <= Math.min(upTo, counts.length - 1); s++) sum += counts[s] as number;
  return sum;
}

/** Smallest number of non-zero pairs for which the exact test can reach p <= alpha: 2 / 2^n <= alpha. */
export function samplesForSignedRank(alpha: number): number {
  let n = 1;
  while (2 / 2 ** n > alpha && n < 1024) n++;
  return n;
}
