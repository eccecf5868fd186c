import type { RandomSource } from '../random.js';
import { bestSplit, type RankedValues, rankValues } from './energy.js';

// E-divisive means (Matteson & James 2014), the method of Apache Otava (formerly MongoDB's
// hunter): split the series where the energy divergence between the two sides is largest, keep
// the split if a permutation test says such a divergence is unlikely without a change, and repeat
// on the pieces. Distribution-free, so skewed timings and outliers need no model.

export interface ChangePointOptions {
  /** Seeded source for the permutations; the same seed gives the same change points. */
  random: RandomSource;
  /** A split is kept when its permutation p-value is at most this (default 0.05). */
  pValue?: number;
  /** Fewest points on each side of a change point (default 5, at least 2). */
  minSegment?: number;
  /** Permutations per test (default 199, so the smallest p-value is 0.005). */
  permutations?: number;
}

export const DEFAULT_CHANGE_POINT_OPTIONS = { pValue: 0.05, minSegment: 5, permutations: 199 } as const;

export interface ChangePoint {
  /** Index of the first point after the change. */
  index: number;
  /** Permutation p-value of the test that accepted it. */
  pValue: number;
  /** The E-divisive statistic of the split when it was found. */
  statistic: number;
  /** Medians of the segments on either side in the final segmentation. */
  before: number;
  after: number;
  /** after / before - 1; null when `before` is 0. */
  change: number | null;
}

interface Segment {
  start: number;
  end: number;
  data: RankedValues;
  best: { tau: number; statistic: number } | null;
}

function segment(series: readonly number[], start: number, end: number, minSegment: number): Segment {
  const data = rankValues(series.slice(start, end));
  return { start, end, data, best: bestSplit(data, minSegment) };
}

function shuffled(data: RankedValues, random: RandomSource): RankedValues {
  const values = Float64Array.from(data.values);
  const ranks = Int32Array.from(data.ranks);
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const v = values[i] as number;
    values[i] = values[j] as number;
    values[j] = v;
    const r = ranks[i] as number;
    ranks[i] = ranks[j] as number;
    ranks[j] = r;
  }
  return { values, ranks };
}

/**
 * The permutation p-value of the largest split statistic over all segments: each segment is
 * shuffled on its own (the changes already found stay), as Matteson & James prescribe. Stops early
 * once the split cannot reach `alpha`, which is most of the work on a series without changes.
 */
function permutationPValue(
  segments: readonly Segment[],
  observed: number,
  options: Required<Omit<ChangePointOptions, 'random'>> & { random: RandomSource },
): number {
  const { permutations, pValue, minSegment, random } = options;
  let atLeast = 0;
  for (let r = 1; r <= permutations; r++) {
    let max = Number.NEGATIVE_INFINITY;
    for (const s of segments) {
      if (s.best === null) continue;
      const split = bestSplit(shuffled(s.data, random), minSegment);
      if (split !== null && split.statistic > max) max = split.statistic;
    }
    if (max >= observed) atLeast++;
    if ((atLeast + 1) / (permutations + 1) > pValue) return (atLeast + 1) / (r + 1);
  }
  return (atLeast + 1) / (permutations + 1);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The change points of `series` in index order; none for a series with fewer than 2 x minSegment points. */
export function eDivisive(series: readonly number[], options: ChangePointOptions): ChangePoint[] {
  const settings = { ...DEFAULT_CHANGE_POINT_OPTIONS, ...options };
  const { pValue, minSegment, permutations } = settings;
  if (!(pValue > 0 && pValue < 1))
    throw new RangeError(`pValue ${pValue} is not between 0 and 1; use e.g. 0.05`);
  if (!Number.isInteger(minSegment) || minSegment < 2) {
    throw new RangeError(`minSegment ${minSegment} is not a whole number of at least 2; use e.g. 5`);
  }
  if (!Number.isInteger(permutations) || permutations < 1) {
    throw new RangeError(`permutations ${permutations} is not a positive whole number; use e.g. 199`);
  }
  const bad = series.findIndex((x) => !Number.isFinite(x));
  if (bad !== -1) throw new RangeError(`series[${bad}] is ${series[bad]}; drop non-finite points first`);

  let segments: Segment[] = [segment(series, 0, series.length, minSegment)];
  const found: Array<{ index: number; pValue: number; statistic: number }> = [];
  for (;;) {
    let candidate: Segment | null = null;
    for (const s of segments) {
      if (s.best !== null && (candidate?.best == null || s.best.statistic > candidate.best.statistic))
        candidate = s;
    }
    if (candidate?.best == null) break;
    const p = permutationPValue(segments, candidate.best.statistic, settings);
    if (p > pValue) break;
    const index = candidate.start + candidate.best.tau;
    found.push({ index, pValue: p, statistic: candidate.best.statistic });
    segments = segments.flatMap((s) =>
      s === candidate
        ? [segment(series, s.start, index, minSegment), segment(series, index, s.end, minSegment)]
        : [s],
    );
  }

  const cuts = found.map((f) => f.index).sort((a, b) => a - b);
  const bounds = [0, ...cuts, series.length];
  return found
    .sort((a, b) => a.index - b.index)
    .map((f, k) => {
      const before = median(series.slice(bounds[k], bounds[k + 1]));
      const after = median(series.slice(bounds[k + 1], bounds[k + 2]));
      return { ...f, before, after, change: before === 0 ? null : after / before - 1 };
    });
}
