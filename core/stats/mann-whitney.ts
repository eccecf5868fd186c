import { choose } from './go-math.js';
import { normalCdf } from './normal.js';

// Two-sided Mann-Whitney U test as benchstat runs it (go-moremath's stats.MannWhitneyUTest):
// the exact U distribution up to 50 samples per side without ties and 25 with ties (Klotz's
// conditional distribution given the tie pattern), and beyond that a normal approximation with
// tie and continuity corrections.

export const exactLimit = 50;
export const tiesExactLimit = 25;

export type MannWhitneyResult =
  | { ok: true; u: number; p: number; exact: boolean }
  | { ok: false; reason: 'empty-sample' | 'all-equal' };

export function mannWhitneyU(baseline: readonly number[], changed: readonly number[]): MannWhitneyResult {
  const n1 = baseline.length;
  const n2 = changed.length;
  if (n1 === 0 || n2 === 0) return { ok: false, reason: 'empty-sample' };
  const x1 = [...baseline].sort((a, b) => a - b);
  const x2 = [...changed].sort((a, b) => a - b);

  // Merge, rank ties at their average rank, and record the size of every tie group. The merged
  // values and which side each came from sit in two flat arrays: a report runs this per benchmark.
  const size = n1 + n2;
  const merged = new Float64Array(size);
  const fromBaseline = new Uint8Array(size);
  let i1 = 0;
  let i2 = 0;
  let k = 0;
  while (i1 < n1 && i2 < n2) {
    const a = x1[i1] as number;
    const b = x2[i2] as number;
    if (a < b) {
      merged[k] = a;
      fromBaseline[k++] = 1;
      i1++;
    } else {
      merged[k++] = b;
      i2++;
    }
  }
  for (; i1 < n1; i1++) {
    merged[k] = x1[i1] as number;
    fromBaseline[k++] = 1;
  }
  for (; i2 < n2; i2++) merged[k++] = x2[i2] as number;

  let r1 = 0;
  const ties: number[] = [];
  let hasTies = false;
  for (let i = 0; i < size; ) {
    const rank1 = i + 1;
    const v = merged[i] as number;
    let nx1 = 0;
    for (; i < size && merged[i] === v; i++) nx1 += fromBaseline[i] as number;
    if (nx1 !== 0) r1 += ((i + rank1) / 2) * nx1;
    ties.push(i - rank1 + 1);
    if (i > rank1) hasTies = true;
  }
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const uSmall = Math.min(u1, u2);

  const exact = hasTies ? n1 <= tiesExactLimit && n2 <= tiesExactLimit : n1 <= exactLimit && n2 <= exactLimit;
  if (exact) {
    if (ties.length === 1) return { ok: false, reason: 'all-equal' };
    // With U1 == U2 the statistic sits on the centre of a symmetric distribution.
    const p = u1 === u2 ? 1 : uCdf(uSmall, n1, n2, ties) * 2;
    return { ok: true, u: u1, p, exact: true };
  }

  const t = ties.reduce((acc, tj) => acc + tj * tj * tj - tj, 0);
  const mu = (n1 * n2) / 2;
  const sigma = Math.sqrt((n1 * n2 * (size + 1 - t / (size * (size - 1)))) / 12);
  if (sigma === 0) return { ok: false, reason: 'all-equal' };
  let numer = u1 - mu;
  numer -= Math.sign(numer) * 0.5;
  const z = numer / sigma;
  const p = 2 * Math.min(normalCdf(z), 1 - normalCdf(z));
  return { ok: true, u: u1, p, exact: false };
}

/** P(U <= u) under the null hypothesis, for the tie vector `ties` (all ones: no ties). */
export function uCdf(u: number, n1: number, n2: number, ties: readonly number[]): number {
  if (u < 0) return 0;
  if (u >= n1 * n2) return 1;
  if (ties.some((t) => t > 1)) {
    const twoU = Math.trunc(2 * u);
    const memo = countsAtMost(twoU, n1, ties);
    const count = memo.get(memoKey(n1, twoU));
    if (count === undefined) throw new Error('U distribution table is missing its own query');
    return count / choose(n1 + n2, n1);
  }
  let ui = Math.floor(u);
  // The distribution is symmetric around n1*n2/2: sum whichever tail is shorter.
  const flip = ui >= Math.trunc((n1 * n2 + 1) / 2);
  if (flip) ui = n1 * n2 - ui - 1;
  const p = lowerTailCdf(n1, n2)[ui] as number;
  return flip ? 1 - p : p;
}

// The exact null distribution depends only on the two sample sizes, and a report compares
// thousands of benchmarks of the same sizes: build each lower tail once.
const lowerTails = new Map<number, Float64Array>();
const MAX_CACHED_TAILS = 256;

/** P(U <= k) for k below the centre, summed in the same order as benchstat so values match bit for bit. */
function lowerTailCdf(n1: number, n2: number): Float64Array {
  const small = Math.min(n1, n2);
  const large = Math.max(n1, n2);
  const key = small * 100_003 + large;
  const cached = lowerTails.get(key);
  if (cached) return cached;
  const maxU = Math.max(0, Math.trunc((n1 * n2 + 1) / 2) - 1);
  const pdfs = uPmfUpTo(maxU, n1, n2);
  const cdf = new Float64Array(maxU + 1);
  let p = 0;
  for (let k = 0; k <= maxU; k++) {
    p += pdfs[k] as number;
    cdf[k] = p;
  }
  if (lowerTails.size >= MAX_CACHED_TAILS) lowerTails.clear();
  lowerTails.set(key, cdf);
  return cdf;
}

/**
 * Mann and Whitney's recurrence p_{n,m}(U) = (n p_{n-1,m}(U-m) + m p_{n,m-1}(U)) / (n+m), for
 * U = 0..maxU, keeping one row of the (n, m) plane and using p_{n,m} = p_{m,n}.
 */
function uPmfUpTo(maxU: number, n1: number, n2: number): Float64Array {
  const small = Math.min(n1, n2);
  const large = Math.max(n1, n2);
  const memo: Float64Array[] = [];
  for (let n = 0; n <= small; n++) memo.push(new Float64Array(maxU + 1));
  for (let m = 0; m <= large; m++) {
    (memo[0] as Float64Array)[0] = 1;
    const nlim = Math.min(small, m);
    for (let n = 1; n <= nlim; n++) {
      const lp = memo[n - 1] as Float64Array;
      const rp = (n <= m - 1 ? memo[n] : memo[m - 1]) as Float64Array;
      const ulim = Math.min(n * m, maxU);
      const out = memo[n] as Float64Array;
      const nplusm = n + m;
      for (let uu = ulim; uu >= 0; uu--) {
        const l = uu - m >= 0 ? n * (lp[uu - m] as number) : 0;
        const r = m * (rp[uu] as number);
        out[uu] = (l + r) / nplusm;
      }
    }
  }
  return memo[small] as Float64Array;
}

// Keys pack (n1, 2U) into one number; 2U may be negative in intermediate sub-problems.
const keyOffset = 1 << 20;
function memoKey(n1: number, twoU: number): number {
  return n1 * 2 * keyOffset + twoU + keyOffset;
}

/**
 * Number of arrangements of n1 first-sample values among ranks with tie vector t whose 2U is at
 * most twoU (Cheung and Klotz 1997, "The Mann Whitney Wilcoxon distribution using linked
 * lists"). Returns the table for K = len(t) ranks.
 */
function countsAtMost(twoU: number, n1: number, t: readonly number[]): Map<number, number> {
  const K = t.length;
  const tk = (k: number) => t[k] as number;
  const a: number[] = new Array(K + 1).fill(0);
  a[1] = tk(0);
  for (let k = 2; k <= K; k++) a[k] = (a[k - 1] as number) + tk(k - 2) + tk(k - 1);
  const ak = (k: number) => a[k] as number;

  const twoUBound = (n: number, upto: number, fromTop: boolean): number => {
    let acc = -n * n;
    let left = n;
    for (let i = 0; i < upto; i++) {
      const k = fromTop ? upto - i : i + 1;
      const take = Math.min(left, tk(k - 1));
      acc += take * ak(k);
      left -= take;
    }
    return acc;
  };
  const twoUmin = (n: number, upto: number) => twoUBound(n, upto, false);
  const twoUmax = (n: number, upto: number) => twoUBound(n, upto, true);

  // Keys of every sub-problem the recurrence needs, from K ranks down to 2.
  const keys: Array<Array<[number, number]>> = new Array(K + 1);
  keys[K] = [[n1, twoU]];
  let tsum = t.reduce((s, x) => s + x, 0);
  for (let k = K - 1; k >= 2; k--) {
    tsum -= tk(k);
    const list: Array<[number, number]> = [];
    const set = new Set<number>();
    for (const [n1Next, twoUNext] of keys[k + 1] as Array<[number, number]>) {
      const rkLow = Math.max(0, n1Next - tsum);
      const rkHigh = Math.min(n1Next, tk(k));
      for (let rk = rkLow; rk <= rkHigh; rk++) {
        const twoUk = twoUNext - rk * (ak(k + 1) - 2 * n1Next + rk);
        const n1k = n1Next - rk;
        if (twoUmin(n1k, k) <= twoUk && twoUk <= twoUmax(n1k, k)) {
          const key = memoKey(n1k, twoUk);
          if (!set.has(key)) {
            set.add(key);
            list.push([n1k, twoUk]);
          }
        }
      }
    }
    keys[k] = list;
  }

  // Fill the counts bottom-up, starting from the two-rank base case.
  let prev = new Map<number, number>();
  const n2Ranks = tk(0) + tk(1);
  for (const [n1k, twoUk] of keys[2] as Array<[number, number]>) {
    let sum = 0;
    const r2Low = Math.max(0, n1k - tk(0));
    const r2High = Math.trunc((twoUk - n1k * (tk(0) - n1k)) / n2Ranks);
    for (let r2 = r2Low; r2 <= r2High; r2++) sum += choose(tk(0), n1k - r2) * choose(tk(1), r2);
    prev.set(memoKey(n1k, twoUk), sum);
  }
  tsum = tk(0);
  for (let k = 3; k <= K; k++) {
    tsum += tk(k - 2);
    const cur = new Map<number, number>();
    for (const [n1k, twoUk] of keys[k] as Array<[number, number]>) {
      let sum = 0;
      const rkLow = Math.max(0, n1k - tsum);
      const rkHigh = Math.min(n1k, tk(k - 1));
      for (let rk = rkLow; rk <= rkHigh; rk++) {
        const twoUPrev = twoUk - rk * (ak(k) - 2 * n1k + rk);
        const n1Prev = n1k - rk;
        let x = prev.get(memoKey(n1Prev, twoUPrev));
        if (x === undefined) x = twoUmax(n1Prev, k - 1) < twoUPrev ? choose(tsum, n1Prev) : 0;
        sum += x * choose(tk(k - 1), rk);
      }
      cur.set(memoKey(n1k, twoUk), sum);
    }
    prev = cur;
  }
  return prev;
}

/**
 * Minimum two-sided U-test p-value for two samples of n each, n = 1..9 (2 / C(2n, n)), copied
 * from benchmath so the "need >= N samples" rule matches it bit for bit.
 */
const uTestMinP = [
  1, 0.3333333333333333, 0.1, 0.02857142857142857, 0.007936507936507936, 0.0021645021645021645,
  0.0005827505827505828, 0.0001554001554001554, 4.113533525298231e-5,
];

/**
 * Smallest equal sample size at which a U test can reach p <= alpha, as benchstat reports it.
 * `atLeast` false means "more than `n`".
 */
export function samplesForUTest(alpha: number): { atLeast: boolean; n: number } {
  for (let i = 0; i < uTestMinP.length; i++) {
    if ((uTestMinP[i] as number) <= alpha) return { atLeast: true, n: i + 1 };
  }
  return { atLeast: false, n: uTestMinP.length + 1 };
}
