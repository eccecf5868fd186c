import { formatP, formatPct } from './format.js';
import { codeSpan } from './markdown-text.js';
import type { ComparedBenchmark, GroupTotal } from './types.js';
import { formatValue } from './units.js';

// Scale tests (core/results/importers/milestones.ts) report per test a few milestones (times from
// the start of the run) and phases (spans). People read them as a side-by-side table: each value
// per side, the absolute and the percent change, and whether the change is more than noise when
// there were enough runs to tell; then the test's totals.

const isTimeline = (b: { group: { kind: string } }) =>
  b.group.kind === 'milestone' || b.group.kind === 'phase';

/** `+46.1 ms`, `-1.20 s`, `0 ns`: a signed difference in the benchmark's unit. */
export function formatDelta(delta: number, unit: string): string {
  const text = formatValue(Math.abs(delta), unit);
  return delta > 0 ? `+${text}` : delta < 0 ? `-${text}` : text;
}

function deltaCells(baseline: number | null, changed: number | null, unit: string): string[] {
  if (baseline === null || changed === null) return ['—', '—'];
  const pct = baseline === 0 ? null : ((changed - baseline) / Math.abs(baseline)) * 100;
  return [formatDelta(changed - baseline, unit), pct === null ? '—' : formatPct(pct)];
}

function verdictCell(b: ComparedBenchmark): string {
  const c = b.comparison;
  const p = c.pAdjusted === null ? '' : `, p ${formatP(c.pAdjusted)}`;
  switch (c.verdict) {
    case 'faster':
      return `✅ faster${p}`;
    case 'slower':
      return `❌ slower${p}`;
    case 'unchanged':
      return `➖ unchanged${p}`;
    case 'too-few-samples':
      return `❔ not tested: ${c.baseline.n} / ${c.changed.n} runs${c.needSamples === undefined ? '' : `, need ≥ ${c.needSamples}`}`;
  }
}

const value = (x: number | null, unit: string) => (x === null ? '—' : formatValue(x, unit));

export const MILESTONES_HEAD = [
  '| test | milestone / phase | baseline | changed | Δ | Δ % | verdict |',
  '|---|---|--:|--:|--:|--:|---|',
];

/**
 * One row per milestone and phase, grouped by test (milestones, their total, phases, their total),
 * in input order. Values are medians over each side's runs.
 */
export function milestoneRows(
  benchmarks: readonly ComparedBenchmark[],
  totals: readonly GroupTotal[],
): string[] {
  const tests: string[] = [];
  for (const b of benchmarks) {
    const test = b.group.name ?? '';
    if (isTimeline(b) && !tests.includes(test)) tests.push(test);
  }
  const rows: string[] = [];
  for (const test of tests) {
    const testCell = test === '' ? '—' : codeSpan(test, true);
    for (const kind of ['milestone', 'phase'] as const) {
      for (const b of benchmarks) {
        if (b.group.kind !== kind || (b.group.name ?? '') !== test) continue;
        const c = b.comparison;
        const metric = b.metric === 'time' ? '' : ` (${b.metric})`;
        rows.push(
          `| ${testCell} | ${kind} ${codeSpan(b.name, true)}${metric} | ${value(c.baseline.median, b.unit)} | ${value(c.changed.median, b.unit)} | ${deltaCells(c.baseline.median, c.changed.median, b.unit).join(' | ')} | ${verdictCell(b)} |`,
        );
      }
      for (const t of totals) {
        if (t.group.kind !== kind || (t.group.name ?? '') !== test) continue;
        const how =
          t.how === 'sum-of-phases' ? `sum of ${t.count} phases` : `latest of ${t.count} milestones`;
        rows.push(
          `| ${testCell} | **${how}** | ${value(t.baseline, t.unit)} | ${value(t.changed, t.unit)} | ${deltaCells(t.baseline, t.changed, t.unit).join(' | ')} | not a test |`,
        );
      }
    }
  }
  return rows;
}
