import type { BenchmarkGroup, Direction, SideName } from '../results/schema.js';
import type { CompareOptions, SideSummary, TestName, Verdict } from '../stats/types.js';
import type { MeasurementLook } from './looks.js';
import { summaryLine } from './summary.js';
import type { GroupTotal, MetricGeomean, ResultsComparison, VerdictCounts } from './types.js';

export const COMPARISON_SCHEMA = 'benchbot-comparison';
export const COMPARISON_SCHEMA_VERSION = 3;

interface IdentityJson {
  label: string;
  name: string;
  group: BenchmarkGroup;
  metric: string;
  unit: string;
  direction: Direction;
}

export interface SideJson {
  n: number;
  median: number | null;
  ciLo: number | null;
  ciHi: number | null;
  ciNote: string | null;
}

export interface BenchmarkJson extends IdentityJson {
  verdict: Verdict;
  baseline: SideJson;
  changed: SideJson;
  ratio: number | null;
  pctChange: number | null;
  test: TestName;
  p: number | null;
  pAdjusted: number | null;
  needSamples: number | null;
  /** The label of the benchmark whose verdict this derived metric takes (throughput from its time). */
  follows: string | null;
  /** Adaptive rounds: the look that judged a benchmark whose benchmark of the config ran extra rounds. */
  look: MeasurementLook | null;
  note: string | null;
}

/**
 * `benchbot compare --format json`. Every key is always present (null when it has no value), values
 * are in the benchmark's `unit` (ns, B, B/s, ops/s or the tool's own), and `options` holds what
 * decided the verdicts. A change of shape bumps `schemaVersion`.
 */
export interface ComparisonJson {
  schema: typeof COMPARISON_SCHEMA;
  schemaVersion: typeof COMPARISON_SCHEMA_VERSION;
  summary: string;
  counts: VerdictCounts;
  options: CompareOptions;
  pairing: ResultsComparison['pairing'];
  /** Hypotheses the multiple-comparison correction covered (derived metrics not counted). */
  testedCount: number;
  /** Adaptive rounds: α at the first and the final look, and how many benchmarks ran extra rounds. */
  looks: ResultsComparison['looks'] | null;
  geomeans: MetricGeomean[];
  /** Compared benchmarks in input order. */
  benchmarks: BenchmarkJson[];
  groupTotals: GroupTotal[];
  failed: Array<IdentityJson & { reason: string; logTail: string | null }>;
  oneSided: Array<IdentityJson & { missingFrom: SideName }>;
}

const identity = (b: IdentityJson): IdentityJson => ({
  label: b.label,
  name: b.name,
  group: b.group,
  metric: b.metric,
  unit: b.unit,
  direction: b.direction,
});

export function toComparisonJson(result: ResultsComparison): ComparisonJson {
  const side = (s: SideSummary): SideJson => ({
    n: s.n,
    median: s.median,
    ciLo: s.ciLo,
    ciHi: s.ciHi,
    ciNote: s.ciNote ?? null,
  });
  return {
    schema: COMPARISON_SCHEMA,
    schemaVersion: COMPARISON_SCHEMA_VERSION,
    summary: summaryLine(result),
    counts: result.counts,
    options: result.options,
    pairing: result.pairing,
    testedCount: result.testedCount,
    looks: result.looks ?? null,
    geomeans: result.geomeans,
    benchmarks: result.benchmarks.map(({ comparison: c, look, ...b }) => ({
      ...identity(b),
      verdict: c.verdict,
      baseline: side(c.baseline),
      changed: side(c.changed),
      ratio: c.ratio,
      pctChange: c.pctChange,
      test: c.test,
      p: c.p,
      pAdjusted: c.pAdjusted,
      needSamples: c.needSamples ?? null,
      follows: c.follows ?? null,
      look: look ?? null,
      note: c.note ?? null,
    })),
    groupTotals: result.groupTotals,
    failed: result.failed.map((f) => ({
      ...identity(f),
      reason: f.failure.reason,
      logTail: f.failure.logTail ?? null,
    })),
    oneSided: result.oneSided.map((o) => ({ ...identity(o), missingFrom: o.missingFrom })),
  };
}

export function renderJson(result: ResultsComparison): string {
  return `${JSON.stringify(toComparisonJson(result), null, 2)}\n`;
}
