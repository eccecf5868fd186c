import { insideMinimumEffect } from './equivalence.js';
import { geomeanOfRatios, medianRatio } from './geomean.js';
import { mannWhitneyU } from './mann-whitney.js';
import { medianOfSorted, medianWithCi, samplesForMedianCi } from './median-ci.js';
import {
  fitVariancePrior,
  moderatedTTest,
  NO_PRIOR,
  type PairedEstimate,
  pairedEstimate,
  type VariancePrior,
  withinRoundFloor,
} from './moderated-t.js';
import { adjustPValues } from './multiple-comparisons.js';
import type {
  BenchmarkComparison,
  BenchmarkInput,
  CompareOptions,
  ComparisonReport,
  SideSummary,
  Verdict,
} from './types.js';
import { type Analysis, decide } from './verdict.js';
import { wilcoxonSignedRank } from './wilcoxon-signed-rank.js';

/** Exactly benchstat's decision rule: no correction, no minimum effect, unpaired U test. */
export const BENCHSTAT_COMPAT: CompareOptions = {
  alpha: 0.05,
  confidence: 0.95,
  thresholdPct: 0,
  correction: 'none',
  paired: 'never',
};

/**
 * benchbot's defaults. Holm, because a report compares tens of benchmarks and at alpha 0.05
 * uncorrected about one in twenty unchanged benchmarks would be flagged; Holm bounds the chance
 * of any false alarm per report without assuming independence. A 1% minimum effect, because
 * with enough low-noise samples sub-percent shifts (code layout, allocator state) become
 * "significant" without being actionable, and 1% is below what benchmark hosts reproduce.
 */
export const DEFAULT_OPTIONS: CompareOptions = {
  alpha: 0.05,
  confidence: 0.95,
  thresholdPct: 1,
  correction: 'holm',
  paired: 'auto',
};

/** A problem with the options, naming the fix; null when they are usable. */
export function checkCompareOptions(opts: CompareOptions): string | null {
  if (!(opts.alpha > 0 && opts.alpha <= 1)) return `alpha is ${opts.alpha}; use a level in (0, 1], e.g. 0.05`;
  if (!(opts.confidence > 0 && opts.confidence < 1))
    return `confidence is ${opts.confidence}; use a level in (0, 1), e.g. 0.95`;
  if (!(opts.thresholdPct >= 0 && Number.isFinite(opts.thresholdPct)))
    return `thresholdPct is ${opts.thresholdPct}; use a percentage >= 0 (0 turns the minimum effect off)`;
  return null;
}

const firstNonFinite = (values: readonly number[]): number | undefined =>
  values.find((v) => !Number.isFinite(v));

function checkInput(input: BenchmarkInput): string | null {
  const bad =
    firstNonFinite(input.baseline) ??
    firstNonFinite(input.changed) ??
    firstNonFinite((input.pairs ?? []).flat());
  if (bad !== undefined)
    return `benchmark ${input.name} has a non-finite sample (${bad}); drop failed runs before comparing`;
  return null;
}

function summarizeSide(values: readonly number[], confidence: number): SideSummary {
  if (values.length === 0) return { n: 0, median: null, ciLo: null, ciHi: null, ciNote: 'no samples' };
  const { median, lo, hi } = medianWithCi(
    values.slice().sort((a, b) => a - b),
    confidence,
  );
  const side: SideSummary = { n: values.length, median, ciLo: lo, ciHi: hi };
  if (lo === null || hi === null) {
    const need = samplesForMedianCi(confidence);
    side.ciNote = `need ${need.atLeast ? '>=' : '>'} ${need.n} samples for confidence interval at level ${confidence}`;
  }
  return side;
}

function pctFromRatio(ratio: number | null, baselineCenter: number): number | null {
  if (ratio === null) return null;
  // benchstat prints (ratio - 1) * 100, whose sign flips for a negative baseline; report the
  // change of the value itself instead (same magnitude).
  return (ratio - 1) * 100 * (baselineCenter < 0 ? -1 : 1);
}

function analyzeUnpaired(input: BenchmarkInput, baseline: SideSummary, changed: SideSummary): Analysis {
  const common = { input, baseline, changed, test: 'mann-whitney-u' as const };
  if (baseline.median === null || changed.median === null) {
    return {
      ...common,
      ratio: null,
      pctChange: null,
      p: null,
      shift: 0,
      sizes: [baseline.n, changed.n],
      degenerate: false,
      notes: [],
    };
  }
  const ratio = medianRatio(baseline.median, changed.median);
  const result = mannWhitneyU(input.baseline, input.changed);
  return {
    ...common,
    ratio,
    pctChange: pctFromRatio(ratio, baseline.median),
    // benchstat reports a failed test (all samples equal) as p = 1.
    p: result.ok ? result.p : 1,
    shift: changed.median - baseline.median,
    sizes: [baseline.n, changed.n],
    degenerate: !result.ok,
    notes: result.ok ? [] : ['all samples are equal'],
  };
}

/**
 * The paired test. When the runner interleaves baseline and changed runs, both runs of a round
 * share the machine's state at that time (thermal throttling, noisy neighbours, frequency
 * drift). Testing the per-round ratios cancels that shared drift, which the unpaired U test
 * would count as noise, and log ratios make a proportional change symmetric around 0.
 */
function analyzePaired(
  input: BenchmarkInput,
  pairs: Array<[number, number]>,
  baseline: SideSummary,
  changed: SideSummary,
): Analysis {
  const logRatios = pairs.map(([b, c]) => Math.log(c / b));
  const result = wilcoxonSignedRank(logRatios);
  const medianLog = medianOfSorted([...logRatios].sort((a, b) => a - b));
  const ratio = Math.exp(medianLog);
  const notes = [`paired test on log(changed/baseline) of ${pairs.length} interleaved rounds`];
  if (!result.ok) notes.push('every round measured the same value on both sides');
  else if (result.zeros > 0) notes.push(`${result.zeros} rounds with equal values were left out of the test`);
  return {
    input,
    baseline,
    changed,
    test: 'wilcoxon-signed-rank-paired',
    ratio,
    pctChange: (ratio - 1) * 100,
    p: result.ok ? result.p : 1,
    shift: medianLog,
    sizes: [result.ok ? result.nonZero : 0],
    degenerate: !result.ok,
    notes,
  };
}

function analyzeModerated(
  input: BenchmarkInput,
  estimate: PairedEstimate,
  prior: VariancePrior,
  baseline: SideSummary,
  changed: SideSummary,
  opts: CompareOptions,
): Analysis {
  const result = moderatedTTest(estimate, prior);
  const ratio = Math.exp(estimate.centre);
  const priorText =
    prior.df === 0
      ? 'its own variance'
      : prior.df === Number.POSITIVE_INFINITY
        ? "the variance common to the report's benchmarks"
        : `its variance moderated by the report's (${prior.df.toFixed(1)} prior degrees of freedom)`;
  const notes = [
    `paired t test on the trimmed mean of log(changed/baseline) over ${estimate.n} interleaved rounds, ${priorText}`,
  ];
  if (result.ok && result.floored) {
    notes.push('the spread of the repeats within rounds, larger than between rounds, set the variance');
  }
  if (!result.ok) {
    notes.push(
      result.reason === 'one-round'
        ? 'one round gives no round-to-round variance to test against'
        : 'every round measured the same value on both sides',
    );
  }
  return {
    input,
    baseline,
    changed,
    test: 'moderated-t-paired',
    ratio,
    pctChange: (ratio - 1) * 100,
    p: result.ok ? result.p : result.reason === 'one-round' ? null : 1,
    shift: estimate.centre,
    sizes: [estimate.n],
    degenerate: !result.ok && result.reason === 'no-variance',
    settledUnchanged: result.ok
      ? insideMinimumEffect(estimate.centre, result.se, result.df, opts.confidence, opts.thresholdPct)
      : result.reason === 'no-variance',
    notes,
  };
}

/** The interleaved pairs of an input, when the options ask for a paired test and the values allow one. */
function usablePairs(input: BenchmarkInput, opts: CompareOptions): Array<[number, number]> | undefined {
  const pairs = input.pairs;
  if (opts.paired === 'never' || pairs === undefined || pairs.length === 0) return undefined;
  return pairs.every(([b, c]) => b > 0 && c > 0) ? pairs : undefined;
}

function analyze(
  input: BenchmarkInput,
  opts: CompareOptions,
  estimate: PairedEstimate | undefined,
  prior: VariancePrior,
): Analysis {
  const baseline = summarizeSide(input.baseline, opts.confidence);
  const changed = summarizeSide(input.changed, opts.confidence);
  const pairs = usablePairs(input, opts);
  if (pairs !== undefined) {
    return estimate === undefined
      ? analyzePaired(input, pairs, baseline, changed)
      : analyzeModerated(input, estimate, prior, baseline, changed, opts);
  }
  const unpaired = analyzeUnpaired(input, baseline, changed);
  if (opts.paired !== 'never' && input.pairs !== undefined && input.pairs.length > 0) {
    unpaired.notes.push(
      'paired test skipped: it needs positive values; used the unpaired Mann-Whitney U test',
    );
  }
  return unpaired;
}

/**
 * The moderated test's estimates, and one variance prior per metric fitted to the measured
 * (not derived) benchmarks of the report.
 */
function moderatedEstimates(
  inputs: readonly BenchmarkInput[],
  opts: CompareOptions,
): { estimates: Array<PairedEstimate | undefined>; priors: Array<VariancePrior> } {
  const estimates = inputs.map((input) => {
    const pairs = opts.paired === 'auto' ? usablePairs(input, opts) : undefined;
    if (pairs === undefined) return undefined;
    const floor = input.repeats === undefined ? 0 : withinRoundFloor(input.repeats);
    return pairedEstimate(
      pairs.map(([b, c]) => Math.log(c / b)),
      floor,
    );
  });
  const byMetric = new Map<string, PairedEstimate[]>();
  inputs.forEach((input, i) => {
    const estimate = estimates[i];
    if (estimate === undefined || input.follows !== undefined) return;
    const key = input.metric ?? '';
    const list = byMetric.get(key);
    if (list === undefined) byMetric.set(key, [estimate]);
    else list.push(estimate);
  });
  const fitted = new Map([...byMetric].map(([metric, list]) => [metric, fitVariancePrior(list)]));
  return { estimates, priors: inputs.map((input) => fitted.get(input.metric ?? '') ?? NO_PRIOR) };
}

/**
 * Compares every benchmark of one report, adjusting p-values across them (opts.correction) and
 * summarising the ratios by their geometric mean. `untested` hypotheses of the same family are
 * not retested here and count in the correction as p = 1 (adaptive rounds' later look, see
 * core/report/looks.ts). Throws a RangeError naming the fix for unusable options or non-finite
 * samples, which callers' validation should already exclude.
 */
export function compareAll(
  inputs: readonly BenchmarkInput[],
  opts: CompareOptions,
  untested = 0,
): ComparisonReport {
  const problem =
    checkCompareOptions(opts) ??
    inputs.map(checkInput).find((p) => p !== null) ??
    checkFollows(inputs) ??
    null;
  if (problem !== null) throw new RangeError(problem);

  const { estimates, priors } = moderatedEstimates(inputs, opts);
  const analyses = inputs.map((input, i) => analyze(input, opts, estimates[i], priors[i] as VariancePrior));
  // One hypothesis per measurement: a derived metric repeats its source's evidence, so counting
  // it again would only make the correction stricter for everything else.
  const tested = analyses.flatMap((a, i) => (a.p === null || a.input.follows !== undefined ? [] : [i]));
  const adjusted = adjustPValues(
    [...tested.map((i) => (analyses[i] as Analysis).p as number), ...new Array<number>(untested).fill(1)],
    opts.correction,
  );
  const pAdjusted = new Map(tested.map((i, k) => [i, adjusted[k] as number]));
  const family = tested.length + untested;

  const judged = analyses.map((a, i): BenchmarkComparison => {
    const pAdj = pAdjusted.get(i) ?? null;
    const { verdict, needSamples, notes } = decide(a, pAdj, opts, family);
    return comparisonOf(a, pAdj, verdict, needSamples, notes);
  });
  const byName = new Map(judged.map((c) => [c.name, c]));
  const comparisons = judged.map((c, i) => {
    const source = (analyses[i] as Analysis).input.follows;
    return source === undefined ? c : followVerdict(c, byName.get(source) as BenchmarkComparison);
  });

  return {
    comparisons,
    geomean: geomeanOfRatios(comparisons.map((c) => ({ name: c.name, ratio: c.ratio }))),
    correction: opts.correction,
    family,
    paired: comparisons.some((c) => c.test !== 'mann-whitney-u'),
  };
}

function comparisonOf(
  a: Analysis,
  pAdjusted: number | null,
  verdict: Verdict,
  needSamples: number | undefined,
  notes: readonly string[],
): BenchmarkComparison {
  const comparison: BenchmarkComparison = {
    name: a.input.name,
    direction: a.input.direction,
    baseline: a.baseline,
    changed: a.changed,
    ratio: a.ratio,
    pctChange: a.pctChange,
    test: a.test,
    p: a.p,
    pAdjusted,
    verdict,
  };
  if (needSamples !== undefined) comparison.needSamples = needSamples;
  if (a.settledUnchanged === true && verdict === 'unchanged') comparison.settledUnchanged = true;
  if (notes.length > 0) comparison.note = notes.join('; ');
  return comparison;
}

/** A derived metric keeps its own medians and change, and takes its source's test result and verdict. */
function followVerdict(derived: BenchmarkComparison, source: BenchmarkComparison): BenchmarkComparison {
  const { needSamples: _ownNeed, note: _ownNote, settledUnchanged: _ownSettled, ...own } = derived;
  const followed: BenchmarkComparison = {
    ...own,
    test: source.test,
    p: source.p,
    pAdjusted: source.pAdjusted,
    verdict: source.verdict,
    follows: source.name,
    note: `derived from the measurement of ${source.name}, whose verdict it takes`,
  };
  if (source.needSamples !== undefined) followed.needSamples = source.needSamples;
  if (source.settledUnchanged === true) followed.settledUnchanged = true;
  return followed;
}

/** `follows` must name another input that itself follows none (a chain would hide the source). */
function checkFollows(inputs: readonly BenchmarkInput[]): string | null {
  const byName = new Map(inputs.map((input) => [input.name, input]));
  for (const input of inputs) {
    if (input.follows === undefined) continue;
    const source = byName.get(input.follows);
    if (source === undefined || source === input || source.follows !== undefined) {
      return `benchmark ${input.name} follows ${input.follows}, which is not a measured benchmark of this report; name one that follows none`;
    }
  }
  return null;
}

/** One benchmark on its own (a family of one, so the correction changes nothing). */
export function compareBenchmark(input: BenchmarkInput, opts: CompareOptions): BenchmarkComparison {
  return compareAll([input], opts).comparisons[0] as BenchmarkComparison;
}
