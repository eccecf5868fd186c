import type { GeomeanSummary } from './geomean.js';
import type { Correction } from './multiple-comparisons.js';

export type { GeomeanSummary } from './geomean.js';
export type { Correction } from './multiple-comparisons.js';

export type Direction = 'lower-is-better' | 'higher-is-better';

export const PAIRED_TESTS = ['auto', 'signed-rank', 'never'] as const;
export type PairedTest = (typeof PAIRED_TESTS)[number];

export interface CompareOptions {
  /** Significance level: a change is significant when its (adjusted) p <= alpha, as benchstat. */
  alpha: number;
  /** Level of the medians' confidence intervals. */
  confidence: number;
  /** Minimum effect: a significant change smaller than this many percent is reported unchanged. */
  thresholdPct: number;
  /** Control of false alarms across the benchmarks of one report. */
  correction: Correction;
  /**
   * The test for benchmarks that carry interleaved pairs: 'auto' the moderated paired t test,
   * 'signed-rank' the exact Wilcoxon signed-rank test, 'never' the unpaired U test (benchstat's).
   */
  paired: PairedTest;
}

export interface SideSummary {
  n: number;
  /** null only for an empty side. */
  median: number | null;
  /** null when the interval is unbounded on that side (too few samples for the confidence). */
  ciLo: number | null;
  ciHi: number | null;
  /** Why a bound is missing, in benchstat's words. */
  ciNote?: string;
}

export interface BenchmarkInput {
  name: string;
  direction: Direction;
  baseline: readonly number[];
  changed: readonly number[];
  /** [baseline, changed] samples of the same round, when the runner interleaved them. */
  pairs?: Array<[number, number]>;
  /**
   * The samples each pair summarises, when a round ran a side several times (criterion's samples,
   * `go test -count`): their spread bounds the paired test's variance from below. They are never
   * rounds of their own.
   */
  repeats?: Array<[number[], number[]]>;
  /**
   * The name of another input of the same report whose measurement this one is computed from (Go's
   * MB/s from ns/op and `b.SetBytes`): it is no hypothesis of its own and takes that input's verdict.
   */
  follows?: string;
  /**
   * What is measured (time, memory, ...): the moderated paired test fits its variance prior to the
   * inputs of one metric, since a time's noise says nothing about an allocation count's.
   */
  metric?: string;
}

export type Verdict = 'faster' | 'slower' | 'unchanged' | 'too-few-samples';
export type TestName = 'mann-whitney-u' | 'wilcoxon-signed-rank-paired' | 'moderated-t-paired';

export interface BenchmarkComparison {
  name: string;
  direction: Direction;
  baseline: SideSummary;
  changed: SideSummary;
  /**
   * changed / baseline medians (1 when equal, null when the baseline median is 0); with the
   * paired test, the median of the per-pair ratios.
   */
  ratio: number | null;
  /** Signed percent change of the value relative to |baseline|. */
  pctChange: number | null;
  test: TestName;
  /** Raw two-sided p-value; null when no test could run (an empty side). */
  p: number | null;
  /** p after the report-wide correction (equal to p with correction 'none'). */
  pAdjusted: number | null;
  verdict: Verdict;
  /** For 'too-few-samples': samples per side (pairs, for the paired test) that could show a change. */
  needSamples?: number;
  /**
   * The paired test's confidence interval of the change lies inside the minimum effect, or every
   * round measured the same ratio: more rounds would not make it a change (adaptive rounds stop).
   */
  settledUnchanged?: true;
  /** The benchmark whose verdict, p and adjusted p this derived metric took (see BenchmarkInput.follows). */
  follows?: string;
  note?: string;
}

export interface ComparisonReport {
  comparisons: BenchmarkComparison[];
  geomean: GeomeanSummary | null;
  correction: Correction;
  /** Hypotheses the correction covered: tested benchmarks that follow no other. */
  family: number;
  /** True when at least one benchmark was judged by the paired test. */
  paired: boolean;
}
