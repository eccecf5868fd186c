// The E-divisive divergence (Matteson & James 2014, alpha = 1) of every split of a segment, in
// O(m log m): the sum of |x_i - x_k| over the pairs of a growing prefix is kept with two Fenwick
// trees over the values' ranks, so no m x m distance matrix is ever built.

/** A segment's values and their ordinal ranks (0..m-1); a permutation moves both together. */
export interface RankedValues {
  values: Float64Array;
  ranks: Int32Array;
}

export function rankValues(values: ArrayLike<number>): RankedValues {
  const m = values.length;
  const order = Array.from({ length: m }, (_, i) => i).sort(
    (a, b) => (values[a] as number) - (values[b] as number),
  );
  const ranks = new Int32Array(m);
  order.forEach((index, rank) => {
    ranks[index] = rank;
  });
  return { values: Float64Array.from(values), ranks };
}

/**
 * Forwards, within[t] = the sum of |x_i - x_k| over pairs i < k < t; backwards, over pairs of
 * indices t..m-1. Each new value adds its distance to every value already seen.
 */
function pairSums(data: RankedValues, forward: boolean): Float64Array {
  const m = data.values.length;
  const count = new Float64Array(m + 1);
  const sum = new Float64Array(m + 1);
  const within = new Float64Array(m + 1);
  let seen = 0;
  let total = 0;
  let acc = 0;
  for (let step = 0; step < m; step++) {
    const i = forward ? step : m - 1 - step;
    const x = data.values[i] as number;
    const r = (data.ranks[i] as number) + 1;
    let below = 0;
    let belowSum = 0;
    for (let j = r; j > 0; j -= j & -j) {
      below += count[j] as number;
      belowSum += sum[j] as number;
    }
    acc += x * below - belowSum + (total - belowSum) - x * (seen - below);
    for (let j = r; j <= m; j += j & -j) {
      count[j] = (count[j] as number) + 1;
      sum[j] = (sum[j] as number) + x;
    }
    seen++;
    total += x;
    within[forward ? step + 1 : m - 1 - step] = acc;
  }
  return within;
}

export interface BestSplit {
  /** The first index of the right part. */
  tau: number;
  statistic: number;
}

/**
 * The split maximising Q(tau) = pq/(p+q) * (2/(pq) sum|x-y| - sum|x-x'|/C(p,2) - sum|y-y'|/C(q,2))
 * with both parts at least `minSegment` long; null when the segment is too short to split.
 */
export function bestSplit(data: RankedValues, minSegment: number): BestSplit | null {
  const m = data.values.length;
  const minSize = Math.max(2, minSegment);
  if (m < 2 * minSize) return null;
  const prefix = pairSums(data, true);
  const suffix = pairSums(data, false);
  const all = prefix[m] as number;
  let best: BestSplit | null = null;
  for (let tau = minSize; tau <= m - minSize; tau++) {
    const p = tau;
    const q = m - tau;
    const left = prefix[tau] as number;
    const right = suffix[tau] as number;
    const cross = all - left - right;
    const divergence = (2 * cross) / (p * q) - left / ((p * (p - 1)) / 2) - right / ((q * (q - 1)) / 2);
    const statistic = ((p * q) / (p + q)) * divergence;
    if (best === null || statistic > best.statistic) best = { tau, statistic };
  }
  return best;
}
