import type { AdaptiveRecord, Benchmark, Sample } from '../results/schema.js';
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
  BenchmarkSides,
  ComparedBenchmark,
  FailedBenchmark,
  MetricGeomean,
  OneSidedBenchmark,
  ResultsComparison,
  SideValues,
  VerdictCounts,
} from './types.js';

const NO_SAMPLES: SideValues = { values: [] };

function sideValues(samples: readonly Sample[]): SideValues {
  const latest = latestAttempts(samples);
  const values = latest.map((s) => s.value);
  return latest.every((s) => s.round !== undefined)
    ? { values, rounds: latest.map((s) => s.round as number) }
    : { values };
}

/** A results-file benchmark's sides, without the samples of rounds retried later. */
function sidesOfResults(b: Benchmark): BenchmarkSides {
  const { samples } = b;
  const sides: BenchmarkSides = {
    name: b.name,
    group: b.group,
    metric: b.metric,
    unit: b.unit,
    direction: b.direction,
    status: b.status,
    baseline: samples.baseline === undefined ? NO_SAMPLES : sideValues(samples.baseline),
    changed: samples.changed === undefined ? NO_SAMPLES : sideValues(samples.changed),
  };
  if (b.failure !== undefined) sides.failure = b.failure;
  return sides;
}

type Sorted =
  | { kind: 'compare'; identity: BenchmarkIdentity; input: BenchmarkInput }
  | { kind: 'failed'; item: FailedBenchmark }
  | { kind: 'one-sided'; item: OneSidedBenchmark };

const firstNonFinite = (values: readonly number[]): number | undefined =>
  values.find((v) => !Number.isFinite(v));

function sortOut(b: BenchmarkSides, label: string): Sorted {
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
  const { baseline, changed } = b;
  const bad = firstNonFinite(baseline.values) ?? firstNonFinite(changed.values);
  if (bad !== undefined) {
    const reason = `a sample is ${bad}; the tool's output holds a failed or overflowed measurement`;
    return { kind: 'failed', item: { ...identity, failure: { reason } } };
  }
  if (baseline.values.length === 0 && changed.values.length === 0) {
    return { kind: 'failed', item: { ...identity, failure: { reason: 'no samples on either side' } } };
  }
  if (baseline.values.length === 0 || changed.values.length === 0) {
    return {
      kind: 'one-sided',
      item: { ...identity, missingFrom: baseline.values.length === 0 ? 'baseline' : 'changed' },
    };
  }
  const paired = roundPairs(baseline, changed);
  const input: BenchmarkInput = {
    name: label,
    direction: b.direction,
    metric: JSON.stringify([b.metric, b.unit]),
    baseline: baseline.values,
    changed: changed.values,
    ...paired,
  };
  return { kind: 'compare', identity, input };
}

function geomeansByMetric(benchmarks: readonly ComparedBenchmark[]): MetricGeomean[] {
  const byMetric = new Map<string, ComparedBenchmark[]>();
  for (const b of benchmarks) {
    const key = JSON.stringify([b.metric, b.unit]);
    const list = byMetric.get(key);
    if (list === undefined) byMetric.set(key, [b]);
    else list.push(b);
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

/** An adaptive run's benchmarks as they stood at the first look, and the look each stopped at. */
interface SidesAtLooks {
  firstLook: readonly BenchmarkSides[];
  looks: ReadonlyArray<MeasurementLook | undefined>;
  adaptive: AdaptiveRecord;
}

/**
 * Compares the baseline and changed samples of results-file benchmarks (a runner's two-sided
 * results file, a stored run): `compareSides` on their latest attempts. With `adaptive` (the run's
 * adaptive rounds) each benchmark is judged at the look it stopped at, with that look's share of
 * alpha (core/report/looks.ts).
 */
export function compareResults(
  benchmarks: readonly Benchmark[],
  options: CompareOptions,
  adaptive?: AdaptiveRecord,
): ResultsComparison {
  const sides = benchmarks.map(sidesOfResults);
  if (adaptive === undefined) return compareSides(sides, options);
  const plan = planLooks(benchmarks, adaptive);
  return compareSides(sides, options, {
    firstLook: plan.firstLook.map(sidesOfResults),
    looks: plan.looks,
    adaptive,
  });
}

/**
 * Compares benchmarks side by side. Failed benchmarks and those with samples on one side only are
 * set aside and listed, not compared; the rest are compared together, so the multiple-comparison
 * correction covers the whole report. Samples that name their interleaved round are paired by it.
 * Throws a RangeError for unusable options: check them first with `checkCompareOptions`.
 */
export function compareSides(
  benchmarks: readonly BenchmarkSides[],
  options: CompareOptions,
  atLooks?: SidesAtLooks,
): ResultsComparison {
  const labels = benchmarkLabels(benchmarks);
  const sortAll = (list: readonly BenchmarkSides[]) => list.map((b, i) => sortOut(b, labels[i] as string));
  const sorted = sortAll(benchmarks);
  const { toCompare, sources, inputs } = testInputs(sorted, options);
  let judged: Pick<ComparisonReport, 'comparisons' | 'family'> & {
    looks?: Array<MeasurementLook | undefined>;
  };
  let looks: ResultsComparison['looks'];
  if (atLooks === undefined) {
    judged = compareAll(inputs, options);
  } else {
    const { adaptive } = atLooks;
    const compareIndex = sorted.flatMap((s, i) => (s.kind === 'compare' ? [i] : []));
    // The same benchmarks at both looks (one the extra rounds failed is set aside at both).
    const firstSorted = sortAll(atLooks.firstLook);
    const aligned = sorted.map((s, i) => {
      const first = firstSorted[i] as Sorted;
      return s.kind === 'compare' && first.kind === 'compare' ? first : s;
    });
    judged = judgeAtLooks({
      firstLook: testInputs(aligned, options).inputs,
      final: inputs,
      looks: compareIndex.map((i) => atLooks.looks[i]),
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
