import { formatPct } from '../report/format.js';
import { codeSpan } from '../report/markdown-text.js';
import { formatValue } from '../report/units.js';
import type { FunctionDelta, ProfileDiff } from './diff.js';

// pprof's units in benchbot's canonical ones, so values read as 12.3 ms and 4.00 MiB.
const CANONICAL: Record<string, { unit: string; factor: number }> = {
  nanoseconds: { unit: 'ns', factor: 1 },
  microseconds: { unit: 'ns', factor: 1e3 },
  milliseconds: { unit: 'ns', factor: 1e6 },
  seconds: { unit: 'ns', factor: 1e9 },
  bytes: { unit: 'B', factor: 1 },
};

function valueIn(unit: string): (value: number) => string {
  const canonical = CANONICAL[unit];
  if (canonical === undefined) return (value) => formatValue(value, unit === 'count' ? '' : unit).trim();
  return (value) => formatValue(value * canonical.factor, canonical.unit);
}

const share = (value: number, total: number) =>
  total === 0 ? '' : ` (${((value / total) * 100).toFixed(1)}%)`;

function deltaCell(before: number, after: number, show: (v: number) => string): string {
  const delta = after - before;
  const sign = delta > 0 ? '+' : delta < 0 ? '-' : '';
  const absolute = `${sign}${show(Math.abs(delta))}`;
  if (before === 0) return after === 0 ? absolute : `${absolute} (new)`;
  return `${absolute} (${formatPct((delta / before) * 100)})`;
}

function table(title: string, rows: readonly FunctionDelta[], key: 'flat' | 'cum', diff: ProfileDiff) {
  const show = valueIn(diff.unit);
  const { baseline, changed } = diff.totals;
  const mark = (f: FunctionDelta) =>
    f.presentIn === 'baseline' ? ' (baseline only)' : f.presentIn === 'changed' ? ' (changed only)' : '';
  return [
    title,
    '',
    '| function | baseline | changed | change |',
    '|---|--:|--:|--:|',
    ...rows.map(
      (f) =>
        `| ${codeSpan(f.name, true)}${mark(f)} | ${show(f.baseline[key])}${share(f.baseline[key], baseline)} | ${show(f.changed[key])}${share(f.changed[key], changed)} | ${deltaCell(f.baseline[key], f.changed[key], show)} |`,
    ),
  ].join('\n');
}

/** The two top-N tables; `heading` is the markdown heading level prefix, e.g. '####'. */
export function renderProfileDiffMarkdown(diff: ProfileDiff, heading = '###'): string {
  const show = valueIn(diff.unit);
  const { baseline, changed } = diff.totals;
  const summary = `${diff.sampleType} profile: ${show(baseline)} in the baseline, ${show(changed)} in the changed side (${deltaCell(baseline, changed, show)}); percentages are of each side's total.`;
  return [
    summary,
    table(
      `${heading} Top ${diff.byFlat.length} functions by flat ${diff.sampleType}`,
      diff.byFlat,
      'flat',
      diff,
    ),
    table(
      `${heading} Top ${diff.byCumulative.length} functions by cumulative ${diff.sampleType}`,
      diff.byCumulative,
      'cum',
      diff,
    ),
  ].join('\n\n');
}

export function renderProfileDiffJson(diff: ProfileDiff): string {
  return `${JSON.stringify(diff, null, 2)}\n`;
}
