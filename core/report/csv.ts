import type { SideSummary } from '../stats/types.js';
import type { BenchmarkIdentity, ResultsComparison } from './types.js';

const COLUMNS = [
  'group_kind',
  'group_name',
  'name',
  'metric',
  'unit',
  'direction',
  'verdict',
  'baseline_n',
  'baseline_median',
  'baseline_ci_lo',
  'baseline_ci_hi',
  'changed_n',
  'changed_median',
  'changed_ci_lo',
  'changed_ci_hi',
  'ratio',
  'pct_change',
  'test',
  'p',
  'p_adjusted',
  'note',
] as const;

type Cell = string | number | null | undefined;

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
export function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const identityCells = (b: BenchmarkIdentity): Cell[] => [
  b.group.kind,
  b.group.name,
  b.name,
  b.metric,
  b.unit,
  b.direction,
];

const sideCells = (s: SideSummary): Cell[] => [s.n, s.median, s.ciLo, s.ciHi];
const EMPTY_STATS: Cell[] = Array.from({ length: COLUMNS.length - 8 }, () => null);

/**
 * `benchbot compare --format csv`: one row per benchmark with raw numbers in the benchmark's unit;
 * failed and one-sided benchmarks too, with verdict `failed`, `only-in-changed` or `only-in-baseline`.
 */
export function renderCsv(result: ResultsComparison): string {
  const rows: Cell[][] = [
    [...COLUMNS],
    ...result.benchmarks.map(({ comparison: c, ...b }) => [
      ...identityCells(b),
      c.verdict,
      ...sideCells(c.baseline),
      ...sideCells(c.changed),
      c.ratio,
      c.pctChange,
      c.test,
      c.p,
      c.pAdjusted,
      c.note,
    ]),
    ...result.failed.map((f) => [...identityCells(f), 'failed', ...EMPTY_STATS, f.failure.reason]),
    ...result.oneSided.map((o) => [
      ...identityCells(o),
      o.missingFrom === 'baseline' ? 'only-in-changed' : 'only-in-baseline',
      ...EMPTY_STATS,
      null,
    ]),
  ];
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
