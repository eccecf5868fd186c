export {
  BENCHSTAT_COMPAT,
  checkCompareOptions,
  compareAll,
  compareBenchmark,
  DEFAULT_OPTIONS,
} from './compare.js';
export type { RatioInput } from './geomean.js';
export { geoMean, geomeanOfRatios, medianRatio } from './geomean.js';
export type { MannWhitneyResult } from './mann-whitney.js';
export { mannWhitneyU } from './mann-whitney.js';
export type { MedianCi, MedianCiOrders } from './median-ci.js';
export { medianCiOrders, medianOfSorted, medianWithCi } from './median-ci.js';
export { adjustPValues, benjaminiHochberg, holm } from './multiple-comparisons.js';
export type {
  BenchmarkComparison,
  BenchmarkInput,
  CompareOptions,
  ComparisonReport,
  Correction,
  Direction,
  GeomeanSummary,
  PairedTest,
  SideSummary,
  TestName,
  Verdict,
} from './types.js';
export { PAIRED_TESTS } from './types.js';
export type { SignedRankResult } from './wilcoxon-signed-rank.js';
export { wilcoxonSignedRank } from './wilcoxon-signed-rank.js';
