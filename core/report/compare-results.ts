import type { AdaptiveRecord, Benchmark } from '../results/schema.js';
import { lookLevels } from '../stats/alpha-spending.js';
import { compareAll, geomeanOfRatios } from '../stats/index.js';
import type { BenchmarkInput, CompareOptions, ComparisonReport } from '../stats/types.js';
import { derivedSources } from './derived-metrics.js';
import { groupTotals } from './group-totals.js';
import { benchmarkLabels } from './labels.js';
import { judgeAtLooks, type MeasurementLook, planLooks } from './looks.js';
import { latestAttempts, roundPairs } from './round-pairs.js';
import type {
  BenchmarkIdentity,
  ComparedBenchmark,
  FailedBenchmark,
  MetricGeomean,
  OneSidedBenchmark,
  ResultsComparison,
  VerdictCounts,
} from './types.js';

type Sorted =
  | { kind: 'compare'; identity: BenchmarkIdentity; input: BenchmarkInput }
  | { kind: 'failed'; item: FailedBenchmark }
  | { kind: 'one-sided'; item: OneSidedBenchmark };

function sortOut(b: Benchmark, label: string): Sorted {
  const identity: BenchmarkIdentity = {
    name: b.name,
    group: b.group,
    metric: b.metric,
    unit: b.unit,
    direction: b.direction,
    label,
  };
  if (b.status === 'failed') {
    return {
      kind: 'failed',
      item: { ...identity, failure: b.failure ?? { reason: 'marked failed without a reason' } },
    };
  }
  const baseline = latestAttempts(b.samples.baseline ?? []);
  const changed = latestAttempts(b.samples.changed ?? []);
  const bad = [...baseline, ...changed].find((s) => !Number.isFinite(s.value));
  if (bad !== undefined) {
    const reason = `a sample is ${bad.value}; the tool's output holds a failed or overflowed measurement`;
    return { kind: 'failed', item: { ...identity, failure: { reason } } };
  }
  if (baseline.length === 0 && changed.length === 0) {
    return { kind: 'failed', item: { ...identity, failure: { reason: 'no samples on either side' } } };
  }
  if (baseline.length === 0 || changed.length === 0) {
    return {
      kind: 'one-sided',
      item: { ...identity, missingFrom: baseline.length === 0 ? 'baseline' : 'changed' },
    };
  }
  const paired = roundPairs(baseline, changed);
  const input: BenchmarkInput = {
    name: label,
    direction: b.direction,
    metric: JSON.stringify([b.metric, b.unit]),
    baseline: baseline.map((s) => s.value),
    changed: changed.map((s) => s.value),
    ...paired,
  };
  return { kind: 'compare', identity, input };
}

function geomeansByMetric(benchmarks: readonly ComparedBenchmark[]): MetricGeomean[] {
  const byMetric = new Map<string, ComparedBenchmark[]>();
  for (const b of benchmarks) {
    const key = JSON.stringify([b.metric, b.unit]);
    byMetric.set(key, [...(byMetric.get(key) ?? []), b]);
  }
  return [...byMetric.values()].flatMap((list) => {
    const first = list[0] as ComparedBenchmark;
    const summary = geomeanOfRatios(list.map((b) => ({ name: b.label, ratio: b.comparison.ratio })));
    return summary === null ? [] : [{ metric: first.metric, unit: first.unit, ...summary }];
  });
}

function countVerdicts(
  benchmarks: readonly ComparedBenchmark[],
  failed: number,
  oneSided: number,
): VerdictCounts {
  const count = (verdict: string) => benchmarks.filter((b) => b.comparison.verdict === verdict).length;
  return {
    faster: count('faster'),
    slower: count('slower'),
    unchanged: count('unchanged'),
    tooFewSamples: count('too-few-samples'),
    failed,
    oneSided,
  };
}

/** The compared benchmarks' test inputs, derived metrics marked with the input they follow. */
function testInputs(sorted: readonly Sorted[], options: CompareOptions) {
  const toCompare = sorted.flatMap((s) => (s.kind === 'compare' ? [s] : []));
  // Derived metrics matter to the correction's family; uncorrected, each row stands alone, as in benchstat.
  const sources =
    options.correction === 'none'
      ? toCompare.map(() => undefined)
      : derivedSources(toCompare.map((s) => s.identity));
  const plain = toCompare.map((s) => s.input);
  const inputs = plain.map((input, i) => {
    const source = sources[i];
    return source === undefined ? input : { ...input, follows: (plain[source] as BenchmarkInput).name };
  });
  return { toCompare, sources, inputs };
}

/**
 * Compares the baseline and changed samples of results-file benchmarks (from `combineImports`, or a
 * runner's two-sided results file). Failed benchmarks and those with samples on one side only are
 * set aside and listed, not compared; the rest are compared together, so the multiple-comparison
 * correction covers the whole report. Samples that name their interleaved round are paired by it.
 * With `adaptive` (the run's adaptive rounds) each benchmark is judged at the look it stopped at,
 * with that look's share of alpha (core/report/looks.ts).
 * Throws a RangeError for unusable options: check them first with `checkCompareOptions`.
 */
export function compareResults(
  benchmarks: readonly Benchmark[],
  options: CompareOptions,
  adaptive?: AdaptiveRecord,
): ResultsComparison {
  const labels = benchmarkLabels(benchmarks);
  const sortAll = (list: readonly Benchmark[]) => list.map((b, i) => sortOut(b, labels[i] as string));
  const sorted = sortAll(benchmarks);
  const { toCompare, sources, inputs } = testInputs(sorted, options);
  let judged: Pick<ComparisonReport, 'comparisons' | 'family'> & {
    looks?: Array<MeasurementLook | undefined>;
  };
  let looks: ResultsComparison['looks'];
  if (adaptive === undefined) {
    judged = compareAll(inputs, options);
  } else {
    const plan = planLooks(benchmarks, adaptive);
    const compareIndex = sorted.flatMap((s, i) => (s.kind === 'compare' ? [i] : []));
    // The same benchmarks at both looks (one the extra rounds failed is set aside at both).
    const firstSorted = sortAll(plan.firstLook);
    const aligned = sorted.map((s, i) => {
      const first = firstSorted[i] as Sorted;
      return s.kind === 'compare' && first.kind === 'compare' ? first : s;
    });
    judged = judgeAtLooks({
      firstLook: testInputs(aligned, options).inputs,
      final: inputs,
      looks: compareIndex.map((i) => plan.looks[i]),
      sources,
      options,
      adaptive,
    });
    looks = { ...lookLevels(options.alpha, adaptive.firstLookShare), extended: adaptive.extended.length };
  }
  const compared = toCompare.map((s, i): ComparedBenchmark => {
    const look = judged.looks?.[i];
    return {
      ...s.identity,
      comparison: judged.comparisons[i] as ComparedBenchmark['comparison'],
      ...(look === undefined ? {} : { look }),
    };
  });
  const failed = sorted.flatMap((s) => (s.kind === 'failed' ? [s.item] : []));
  const oneSided = sorted.flatMap((s) => (s.kind === 'one-sided' ? [s.item] : []));
  const pairedCount = compared.filter((b) => b.comparison.test !== 'mann-whitney-u').length;
  return {
    options,
    benchmarks: compared,
    failed,
    oneSided,
    geomeans: geomeansByMetric(compared),
    groupTotals: groupTotals(compared),
    testedCount: judged.family,
    derivedCount: compared.filter((b) => b.comparison.follows !== undefined).length,
    pairing: pairedCount === 0 ? 'unpaired' : pairedCount === compared.length ? 'paired' : 'mixed',
    ...(looks === undefined ? {} : { looks }),
    // A derived metric is a second view of a counted measurement, not a second change.
    counts: countVerdicts(
      compared.filter((b) => b.comparison.follows === undefined),
      failed.length,
      oneSided.length,
    ),
  };
}
