import { choose } from './go-math.js';
import { normalCdf, normalInvCdf } from './normal.js';

// The median and its distribution-free confidence interval, computed the way benchstat does
// (go-moremath's stats.QuantileCI and Sample.Quantile): the interval is bounded by order
// statistics chosen from the binomial distribution (exact up to n = 30, normal approximation
// with continuity correction beyond), and may be unbounded when the sample is too small.

export interface MedianCiOrders {
  /** 1-based order statistic of the lower bound; below 1 means the bound is -Infinity. */
  lo: number;
  /** 1-based order statistic of the upper bound; above n means the bound is +Infinity. */
  hi: number;
  /** The interval's actual coverage, at least the requested confidence. */
  confidence: number;
}

const exactThreshold = 30;

function binomialHalfPmf(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  return choose(n, k) * 0.5 ** k * 0.5 ** (n - k);
}

const ordersCache = new Map<string, MedianCiOrders>();

/** Order statistics bounding the confidence interval of the median of n samples. */
export function medianCiOrders(n: number, confidence: number): MedianCiOrders {
  const key = `${n}/${confidence}`;
  const cached = ordersCache.get(key);
  if (cached) return cached;
  const orders = computeOrders(n, confidence);
  ordersCache.set(key, orders);
  return orders;
}

function computeOrders(n: number, confidence: number): MedianCiOrders {
  if (confidence >= 1) return { lo: 0, hi: n + 1, confidence: 1 };
  let l: number;
  let r: number;
  let achieved: number;
  if (n <= exactThreshold) {
    // Grow [l, r) outward from the (lower) mode, taking the more probable neighbour first and
    // the left one on ties, until the covered probability reaches the confidence level.
    const x = Math.ceil((n + 1) * 0.5) - 1;
    let accum = binomialHalfPmf(n, x);
    l = x;
    r = x + 1;
    let lp = binomialHalfPmf(n, l - 1);
    let rp = binomialHalfPmf(n, r);
    while (accum < confidence && (lp > 0 || rp > 0)) {
      if (lp >= rp) {
        accum += lp;
        l--;
        lp = binomialHalfPmf(n, l - 1);
      } else {
        accum += rp;
        r++;
        rp = binomialHalfPmf(n, r);
      }
    }
    achieved = accum;
  } else {
    const mu = n * 0.5;
    const sigma = Math.sqrt(n * 0.5 * (1 - 0.5));
    const l1 = normalInvCdf((1 - confidence) / 2, mu, sigma);
    const r1 = 2 * mu - l1;
    // Round out to half-integer band edges (continuity correction) and recover the order.
    l = Math.floor(Math.floor(l1 - 0.5) + 0.5) + 1;
    r = Math.floor(Math.ceil(r1 - 0.5) + 0.5) + 1;
    const cover = (lo: number, hi: number) => normalCdf(hi - 0.5, mu, sigma) - normalCdf(lo - 0.5, mu, sigma);
    achieved = cover(l, r);
    const biased = cover(l, r - 1);
    if (biased >= confidence && biased < achieved) {
      achieved = biased;
      r = r - 1;
    }
    if (l <= 0 && r >= n + 1) achieved = 1;
  }
  return { lo: Math.max(l, 0), hi: Math.min(r, n + 1), confidence: achieved };
}

/** Median by Hyndman-Fan definition 8, benchstat's quantile estimator. `sorted` is ascending. */
export function medianOfSorted(sorted: readonly number[]): number {
  const size = sorted.length;
  if (size === 0) return Number.NaN;
  const pos = 1 / 3 + 0.5 * (size + 1 / 3);
  const k = Math.trunc(pos);
  const frac = pos - k;
  if (k <= 0) return sorted[0] as number;
  if (k >= size) return sorted[size - 1] as number;
  const below = sorted[k - 1] as number;
  const above = sorted[k] as number;
  return below + frac * (above - below);
}

export interface MedianCi {
  median: number;
  /** null when the interval is unbounded below (too few samples for the confidence level). */
  lo: number | null;
  hi: number | null;
}

export function medianWithCi(sorted: readonly number[], confidence: number): MedianCi {
  const { lo, hi } = medianCiOrders(sorted.length, confidence);
  return {
    median: medianOfSorted(sorted),
    lo: lo < 1 ? null : (sorted[lo - 1] as number),
    hi: hi - 1 >= sorted.length ? null : (sorted[hi - 1] as number),
  };
}

/**
 * Smallest sample size whose median CI is bounded at this confidence, as benchstat searches it
 * (up to 50). `atLeast` false means "more than `n`": no size up to the limit suffices.
 */
export function samplesForMedianCi(confidence: number): { atLeast: boolean; n: number } {
  const limit = 50;
  for (let n = 2; n <= limit; n++) {
    const { lo, hi } = medianCiOrders(n, confidence);
    if (lo > 0 && hi <= n) return { atLeast: true, n };
  }
  return { atLeast: false, n: limit };
}
