import { BENCHSTAT_COMPAT } from '../stats/index.js';
import type { CompareOptions } from '../stats/types.js';
import { formatPct } from './format.js';
import type { MetricGeomean, ResultsComparison } from './types.js';

/** The geomean the summary line shows: time's when there is one, else the first metric's. */
export function headlineGeomean(result: ResultsComparison): MetricGeomean | undefined {
  return result.geomeans.find((g) => g.metric === 'time') ?? result.geomeans[0];
}

/** "3 faster, 1 slower, 18 unchanged · geomean -2.1%", then too-few, failed and one-sided counts when any. */
export function summaryLine(result: ResultsComparison): string {
  const { counts } = result;
  const verdicts = [`${counts.faster} faster`, `${counts.slower} slower`, `${counts.unchanged} unchanged`];
  if (counts.tooFewSamples > 0) verdicts.push(`${counts.tooFewSamples} too few samples`);
  const parts = [verdicts.join(', ')];
  const geomean = headlineGeomean(result);
  if (geomean !== undefined) {
    const which = result.geomeans.length > 1 ? ` (${geomean.metric})` : '';
    parts.push(`geomean ${formatPct(geomean.pctChange)}${which}`);
  }
  if (counts.failed > 0) parts.push(`${counts.failed} failed`);
  if (counts.oneSided > 0) parts.push(`${counts.oneSided} on one side only`);
  return parts.join(' · ');
}

const CORRECTION_NAMES = { holm: 'Holm', bh: 'Benjamini-Hochberg' } as const;

export const correctionName = (correction: 'holm' | 'bh'): string => CORRECTION_NAMES[correction];

/** The options are benchstat's decision rule (which knows no looks of adaptive rounds). */
export function isBenchstatCompatible(options: CompareOptions): boolean {
  return (
    options.correction === BENCHSTAT_COMPAT.correction &&
    options.thresholdPct === BENCHSTAT_COMPAT.thresholdPct &&
    options.paired === BENCHSTAT_COMPAT.paired
  );
}

const level = (alpha: number): string => String(Number(alpha.toPrecision(3)));

function adaptiveText(looks: NonNullable<ResultsComparison['looks']>): string {
  const which =
    looks.extended === 0
      ? 'none undecided after the planned rounds'
      : `${looks.extended} ${looks.extended === 1 ? 'benchmark' : 'benchmarks'} ran extra rounds`;
  return `adaptive rounds (${which}): α split between the looks, ${level(looks.first)} after the planned rounds and ${level(looks.final)} after the extra ones`;
}

/** Which test and correction decided, with the levels, so a reader can judge the verdicts. */
export function methodLine(result: ResultsComparison): string {
  const { options } = result;
  const pairedTest =
    options.paired === 'signed-rank'
      ? 'Wilcoxon signed-rank'
      : "t test on the trimmed mean log ratio, variance moderated across the report's benchmarks";
  const test = {
    paired: `paired by round (${pairedTest})`,
    unpaired: 'unpaired (Mann-Whitney U)',
    mixed: `paired by round (${pairedTest}) where both sides name rounds, else unpaired (Mann-Whitney U)`,
  }[result.pairing];
  const correction =
    options.correction === 'none'
      ? 'p not adjusted for multiple comparisons'
      : `p adjusted by ${correctionName(options.correction)} over ${result.testedCount} benchmarks`;
  const parts = [`Samples ${test}`, correction];
  if (result.derivedCount > 0) {
    parts.push('throughput derived from a time takes its verdict (one hypothesis per measurement)');
  }
  parts.push(
    `α = ${options.alpha}`,
    options.thresholdPct > 0 ? `minimum effect ${options.thresholdPct}%` : 'no minimum effect',
    `medians ± ${Number((options.confidence * 100).toPrecision(6))}% confidence interval`,
  );
  if (result.looks !== undefined) parts.push(adaptiveText(result.looks));
  if (isBenchstatCompatible(options)) parts.push('benchstat-compatible');
  return parts.join(' · ');
}

/** Every metric's geomean, for reports that compare more than one metric. */
export function geomeansLine(result: ResultsComparison): string {
  return result.geomeans.map((g) => `${g.metric} ${formatPct(g.pctChange)}`).join(' · ');
}
