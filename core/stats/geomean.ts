// Geometric-mean summary of per-benchmark ratios, with benchstat's rules: equal medians count as
// ratio 1 (so 0 -> 0 is "no change"), a zero baseline has no ratio, and a non-positive ratio
// makes the geometric mean undefined. Where benchstat then prints "?" for the whole report, this
// leaves such benchmarks out and names them, so one odd metric does not hide the summary.

export interface RatioInput {
  name: string;
  /** From medianRatio (or a paired estimate); null when undefined. */
  ratio: number | null;
}

export interface GeomeanSummary {
  ratio: number;
  pctChange: number;
  /** Benchmarks the geometric mean covers. */
  count: number;
  /** Benchmarks left out because their ratio is undefined or not positive. */
  excluded: string[];
}

/** changed / baseline under benchstat's conventions; null when the baseline median is 0. */
export function medianRatio(baselineMedian: number, changedMedian: number): number | null {
  if (baselineMedian === changedMedian) return 1;
  if (baselineMedian === 0) return null;
  return changedMedian / baselineMedian;
}

/** Geometric mean as go-moremath's stats.GeoMean: a running mean of logs, NaN unless all > 0. */
export function geoMean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let m = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number;
    if (x <= 0) return Number.NaN;
    m += (Math.log(x) - m) / (i + 1);
  }
  return Math.exp(m);
}

export function geomeanOfRatios(items: readonly RatioInput[]): GeomeanSummary | null {
  const ratios: number[] = [];
  const excluded: string[] = [];
  for (const item of items) {
    if (item.ratio === null || !(item.ratio > 0)) excluded.push(item.name);
    else ratios.push(item.ratio);
  }
  if (ratios.length === 0) return null;
  const ratio = geoMean(ratios);
  return { ratio, pctChange: (ratio - 1) * 100, count: ratios.length, excluded };
}
