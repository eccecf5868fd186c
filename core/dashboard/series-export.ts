import { csvField } from '../report/csv.js';
import { escapeHtml } from './escape.js';
import type { TrendPoint, TrendSeries } from './model.js';
import { CHART_CSS } from './style.js';
import { changeLabel, renderTrendChart } from './trend-chart.js';

// One series as a file: CSV for a spreadsheet or a script, SVG (the dashboard's chart with its
// stylesheet inside) for a design doc or an issue.

const COLUMNS = [
  'recorded_at',
  'run_id',
  'reason',
  'sha',
  'commit_from',
  'commit_to',
  'commits',
  'benchmark',
  'metric',
  'unit',
  'n',
  'median',
  'ci_lo',
  'ci_hi',
  'change_point',
] as const;

/** One row per run, oldest first; `change_point` names the change found just before that run. */
export function seriesCsv(series: TrendSeries): string {
  const marks = new Map(
    series.changePoints.map((cp, k) => [
      cp.index,
      `CP${k + 1} ${changeLabel(cp, series.direction)} (p=${cp.pValue.toFixed(3)})`,
    ]),
  );
  const rows = series.points.map((p, i) =>
    [
      p.recordedAt,
      p.runId,
      p.reason,
      p.sha,
      p.commitRange?.from ?? null,
      p.commitRange?.to ?? null,
      p.commitRange?.count ?? null,
      series.benchmark,
      series.metric,
      series.unit,
      p.n,
      p.median,
      p.ciLo,
      p.ciHi,
      marks.get(i) ?? null,
    ]
      .map(csvField)
      .join(','),
  );
  return `${[COLUMNS.join(','), ...rows].join('\n')}\n`;
}

/** The trend chart as a standalone SVG file (its styles inside, points linking to `runHref`). */
export function seriesSvg(series: TrendSeries, runHref: (point: TrendPoint) => string): string {
  const { svg } = renderTrendChart(series, { id: 'trend', runHref });
  if (!svg.startsWith('<svg')) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="40"><text x="8" y="24">${escapeHtml(`No runs of ${series.benchmark}.`)}</text></svg>\n`;
  }
  const open = svg.indexOf('>') + 1;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${svg.slice(0, open)}<style>${CHART_CSS} svg { background: #fff; }</style>${svg.slice(open)}\n`;
}
