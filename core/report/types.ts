import type { BenchmarkFailure, BenchmarkGroup, Direction, SideName } from '../results/schema.js';
import type { LookLevels } from '../stats/alpha-spending.js';
import type { BenchmarkComparison, CompareOptions, GeomeanSummary } from '../stats/types.js';
import type { MeasurementLook } from './looks.js';

/** What identifies a compared benchmark, and the label every report shows for it. */
export interface BenchmarkIdentity {
  name: string;
  group: BenchmarkGroup;
  metric: string;
  unit: string;
  direction: Direction;
  /** Unique within one comparison: the name, plus the metric when not time, plus the group when several. */
  label: string;
}

/** One side's samples, latest attempts only: the values and, when every sample names one, their rounds. */
export interface SideValues {
  values: readonly number[];
  rounds?: readonly number[];
}

/** A benchmark as the comparison reads it: a results-file benchmark, or two imports paired. */
export interface BenchmarkSides extends Omit<BenchmarkIdentity, 'label'> {
  status: 'ok' | 'failed';
  failure?: BenchmarkFailure;
  baseline: SideValues;
  changed: SideValues;
}

export interface ComparedBenchmark extends BenchmarkIdentity {
  comparison: BenchmarkComparison;
  /** For a benchmark that ran extra rounds (adaptive rounds): the look that judged it. */
  look?: MeasurementLook;
}

export interface FailedBenchmark extends BenchmarkIdentity {
  failure: BenchmarkFailure;
}

export interface OneSidedBenchmark extends BenchmarkIdentity {
  /** The side without samples: 'baseline' for a new benchmark, 'changed' for a removed one. */
  missingFrom: SideName;
}

export interface MetricGeomean extends GeomeanSummary {
  metric: string;
  unit: string;
}

/**
 * Milestones are times from the start of the run, so the group's total is the latest one reached;
 * phases are spans, so their total is the sum.
 */
export type GroupTotalKind = 'sum-of-phases' | 'latest-milestone';

/** Medians of one milestone or phase group, totalled per side. Not a statistical test. */
export interface GroupTotal {
  group: BenchmarkGroup;
  metric: string;
  unit: string;
  how: GroupTotalKind;
  /** Benchmarks the total covers (those with a median on both sides). */
  count: number;
  baseline: number;
  changed: number;
  /** Percent change of the total; null when the baseline total is 0. */
  pctChange: number | null;
}

/** Verdicts of the measured benchmarks: derived metrics (which take their source's verdict) are not counted again. */
export interface VerdictCounts {
  faster: number;
  slower: number;
  unchanged: number;
  tooFewSamples: number;
  failed: number;
  oneSided: number;
}

/** Everything every report format renders: one comparison of a baseline with a changed side. */
export interface ResultsComparison {
  options: CompareOptions;
  /** Compared benchmarks, in input order. */
  benchmarks: ComparedBenchmark[];
  failed: FailedBenchmark[];
  oneSided: OneSidedBenchmark[];
  /** One per metric and unit (a ratio of times and one of throughputs do not average). */
  geomeans: MetricGeomean[];
  groupTotals: GroupTotal[];
  /** How many hypotheses the correction covered: tested benchmarks, derived metrics not counted. */
  testedCount: number;
  /** Metrics derived from another benchmark's measurement (throughput from time), which take its verdict. */
  derivedCount: number;
  /** Which tests judged the benchmarks: 'mixed' when only some carried interleaved rounds. */
  pairing: 'paired' | 'unpaired' | 'mixed';
  /** Adaptive rounds: alpha at each look, and how many benchmarks of the config ran extra rounds. */
  looks?: LookLevels & { extended: number };
  counts: VerdictCounts;
}
