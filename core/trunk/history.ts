import { csvField } from '../report/csv.js';
import { formatValue } from '../report/units.js';

// `benchbot history`: one benchmark's trunk series, one row per run and metric, for a terminal,
// a spreadsheet (csv) or a chart script (json).

export interface HistoryRow {
  recordedAt: string;
  runId: string;
  reason: string;
  sha: string;
  /** The result's name (a configured benchmark may produce several, e.g. one per query). */
  benchmark: string;
  rangeFrom: string | null;
  rangeTo: string | null;
  commits: number | null;
  metric: string;
  unit: string;
  n: number;
  median: number;
  ciLo: number | null;
  ciHi: number | null;
}

export const HISTORY_FORMATS = ['text', 'csv', 'json'] as const;
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];

const COLUMNS: ReadonlyArray<keyof HistoryRow> = [
  'recordedAt',
  'runId',
  'reason',
  'sha',
  'benchmark',
  'rangeFrom',
  'rangeTo',
  'commits',
  'metric',
  'unit',
  'n',
  'median',
  'ciLo',
  'ciHi',
];

export function renderHistory(rows: readonly HistoryRow[], format: HistoryFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(rows, null, 2);
    case 'csv':
      return [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => csvField(r[c])).join(','))].join('\n');
    case 'text': {
      if (rows.length === 0) return 'No runs recorded.';
      return [
        'recorded at                commit      commits  benchmark / metric  median (95% CI)',
        ...rows.map((r) => {
          const ci =
            r.ciLo === null || r.ciHi === null
              ? ''
              : ` [${formatValue(r.ciLo, r.unit)}, ${formatValue(r.ciHi, r.unit)}]`;
          return `${r.recordedAt.padEnd(26)} ${r.sha.slice(0, 10)}  ${String(r.commits ?? '-').padStart(7)}  ${`${r.benchmark} / ${r.metric}`.padEnd(18)}  ${formatValue(r.median, r.unit)}${ci}`;
        }),
      ].join('\n');
    }
  }
}
