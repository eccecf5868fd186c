import { formatValue } from '../report/units.js';
import { humanDuration } from '../request/queue.js';
import { CLIENT_FILTER_SCRIPT } from './client-filter.js';
import { coverageGaps, renderCoverageChart } from './coverage-chart.js';
import { escapeHtml } from './escape.js';
import { matchesBenchmark } from './filters.js';
import type {
  QueueView,
  RunListCursor,
  RunListFilters,
  SeriesFilters,
  SeriesKey,
  SeriesPageView,
  TrendPoint,
  TrendSeries,
} from './model.js';
import { PAGE_CSS } from './style.js';
import { changeLabel, shortSha } from './trend-chart.js';
import { CLIENT_CHART_SCRIPT } from './trend-client.js';
import { type ChartOverview, chartOverview, pageT0, runGaps, scriptJson, trendDetail } from './trend-data.js';

/** Where links point: the server's routes, or the files of a static export. */
export interface DashboardLinks {
  mode: 'served' | 'export';
  home: string;
  series(key: SeriesKey): string;
  run(repository: string, run: Pick<TrendPoint, 'runId'>): string;
  /** The Runs list with its filters; `older` continues after a page's last run (served only). */
  runs(filters: RunListFilters, older?: RunListCursor | null): string;
  csv(key: SeriesKey, series: Pick<TrendSeries, 'benchmark' | 'metric'>): string;
  svg(key: SeriesKey, series: Pick<TrendSeries, 'benchmark' | 'metric'>): string;
}

const e = escapeHtml;

export function layout(input: {
  title: string;
  crumbs: string;
  body: string;
  head?: string;
  scripts?: string;
}): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(input.title)}</title><link rel="icon" href="data:,">${input.head ?? ''}<style>${PAGE_CSS}</style></head>
<body><header><nav aria-label="breadcrumbs">${input.crumbs}</nav></header>
<main id="main">${input.body}</main>${input.scripts ?? ''}</body></html>
`;
}

const keyLabel = (key: SeriesKey) => `${key.repository} · ${key.branch} · ${key.platform}`;

function home(links: DashboardLinks): string {
  return `<a href="${e(links.home)}">benchbot dashboard</a>`;
}

export function renderQueue(queue: QueueView): string {
  if (queue.problem !== null) return `<p class="problem">Queue unavailable: ${e(queue.problem)}</p>`;
  if (queue.rows.length === 0) return '<p>No benchmark requests are queued or running.</p>';
  const rows = queue.rows.map((row) => {
    const link = queue.links[row.workflowId];
    const where = link
      ? `<a href="${e(link)}">${e(row.workflowId)}</a>`
      : `<code>${e(row.workflowId)}</code>`;
    const expected =
      row.position === 0
        ? '—'
        : row.expectedStartSeconds === null
          ? 'unknown'
          : `in ~${humanDuration(row.expectedStartSeconds)}`;
    return `<tr><td>${row.position === 0 ? 'running' : row.position}</td><td>${e(row.repo)}</td><td>${row.pr === null ? '—' : `#${row.pr}`}</td><td>${e(row.benchmarks.join(' '))}</td><td>@${e(row.requester)}</td><td>${e(row.state)}</td><td>${humanDuration(row.waitedSeconds)}</td><td>${expected}</td><td>${where}</td></tr>`;
  });
  return `<table><caption class="note">From Temporal visibility; links open the workflow in the Temporal Web UI.</caption><thead><tr><th>#</th><th>repository</th><th>PR</th><th>benchmarks</th><th>requester</th><th>state</th><th>waited</th><th>expected start</th><th>workflow</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function filterForm(key: SeriesKey, filters: SeriesFilters, links: DashboardLinks): string {
  const hidden =
    links.mode === 'served'
      ? (['repository', 'branch', 'platform'] as const)
          .map(
            (name) =>
              `<input type="hidden" name="${name === 'repository' ? 'repo' : name}" value="${e(key[name])}">`,
          )
          .join('')
      : '';
  const field = (name: keyof SeriesFilters, label: string, type: string, placeholder: string) =>
    `<label>${label}<input name="${name}" type="${type}" value="${e(filters[name])}" placeholder="${placeholder}"></label>`;
  return `<form class="filters" id="filters" method="get" action="${links.mode === 'served' ? '/series' : ''}" role="search" aria-label="Filter the charts">${hidden}${field('benchmark', 'benchmark name contains', 'search', 'q1')}${field('from', 'from (UTC day)', 'date', 'YYYY-MM-DD')}${field('to', 'to (UTC day)', 'date', 'YYYY-MM-DD')}${field('commits', 'commit range', 'text', 'abc1234..def5678')}<button type="submit">Apply</button></form>`;
}

function changePointList(series: TrendSeries): string {
  if (series.changePoints.length === 0) return '<p class="note">No change points at p ≤ 0.05.</p>';
  const items = series.changePoints.map((cp, k) => {
    const at = series.points[cp.index] as TrendPoint;
    return `<li data-t="${Date.parse(at.recordedAt)}">CP${k + 1} before <code>${e(shortSha(at.sha))}</code> (${e(at.recordedAt.slice(0, 10))}): median ${e(formatValue(cp.before, series.unit))} → ${e(formatValue(cp.after, series.unit))}, <strong>${e(changeLabel(cp, series.direction))}</strong>, p = ${cp.pValue.toFixed(3)}</li>`;
  });
  return `<ol class="cp-list" aria-label="change points">${items.join('')}</ol>`;
}

/** The benchmarks a series page shows, in order: the page's charts and its detail script agree on them. */
function visibleSeries(view: SeriesPageView, links: DashboardLinks): TrendSeries[] {
  return links.mode === 'served'
    ? view.series.filter((s) => matchesBenchmark(s, view.filters.benchmark))
    : view.series;
}

const ZOOM_BUTTONS = [
  ['earlier', '◀ earlier'],
  ['in', 'zoom in'],
  ['out', 'zoom out'],
  ['later', 'later ▶'],
  ['all', 'whole range'],
] as const;

function seriesSection(
  view: SeriesPageView,
  series: TrendSeries,
  chart: ChartOverview,
  links: DashboardLinks,
): string {
  const id = chart.id;
  const title = `${series.benchmark}${series.group !== null && series.group !== series.benchmark ? ` (${series.group})` : ''}`;
  const label = `${series.benchmark} (${series.metric}, ${series.unit})`;
  const cps = series.changePoints.length;
  const first = series.points[0];
  const last = series.points[series.points.length - 1];
  const summary =
    first === undefined || last === undefined
      ? `No runs of ${label} in this range.`
      : `${label}: ${series.points.length} runs from ${first.recordedAt.slice(0, 10)} to ${last.recordedAt.slice(0, 10)}, ${cps === 0 ? 'no change points' : `${cps} change point${cps === 1 ? '' : 's'} (listed below the chart)`}. Median per run with its 95% confidence band.`;
  const downsampled =
    chart.t.length < series.points.length
      ? ` ${chart.t.length} of ${series.points.length} points drawn (lowest and highest median per pixel column) until you zoom in; every change point is marked.`
      : '';
  const buttons = ZOOM_BUTTONS.map(
    ([how, text]) => `<button type="button" data-zoom="${how}" aria-controls="${id}">${text}</button>`,
  ).join('');
  const figure =
    series.points.length === 0
      ? `<p class="empty">No runs of ${e(label)} in this range.</p>`
      : `<figure class="trend" id="${id}" tabindex="0" aria-label="${e(summary)} Left and right arrow keys step through the points, Enter opens a run.">
<div class="zoom" role="group" aria-label="zoom and pan">${buttons}</div>
<div class="trend-plot"></div><div class="trend-tip" role="status" hidden></div>
<figcaption class="legend"><span class="key-line" aria-hidden="true"></span> median per run (dots when zoomed in) · <span class="key-band" aria-hidden="true"></span> 95% confidence band · ▲/▼ change point: the way the series moved, with its size</figcaption>
<noscript><p class="note">The chart needs JavaScript; the CSV and SVG below hold the same series.</p></noscript>
</figure>`;
  return `<section class="benchmark" data-benchmark="${e(series.benchmark.toLowerCase())}" aria-labelledby="${id}-h"><h2 id="${id}-h">${e(title)} <small>${e(series.metric)}, ${e(series.unit)}, ${series.direction === 'lower-is-better' ? 'lower is better' : 'higher is better'}</small></h2>
${figure}
<p class="note">${series.points.length} runs. Hover a point for its commit, range, date and reason; click it for the run. Drag across the chart to zoom in, double-click to zoom out.${downsampled}</p>
${changePointList(series)}
<p class="downloads">Download this series: <a href="${e(links.csv(view.key, series))}" download>CSV</a> · <a href="${e(links.svg(view.key, series))}" download>SVG</a></p></section>`;
}

/** Where the page finds the chart library and its detail script (served routes or export files). */
export interface SeriesPageExtras {
  queue: QueueView | null;
  assets: { script: string; stylesheet: string };
  /** The detail script (every run and point of the page's charts), loaded on first use. */
  detail: string;
}

export function renderSeriesPage(
  view: SeriesPageView,
  links: DashboardLinks,
  extras: SeriesPageExtras,
): string {
  const visible = visibleSeries(view, links);
  const t0 = pageT0(visible);
  const charts = visible.map((s, i) => chartOverview(s, `chart-${i}`, t0));
  const gaps = coverageGaps(view.coverage);
  const gapList =
    gaps.length === 0
      ? '<p class="note">No gaps: every day in the range has at least one run.</p>'
      : `<p class="note">${gaps.length} gap${gaps.length === 1 ? '' : 's'} (days without runs, hatched): ${gaps
          .slice(0, 12)
          .map((g) => (g.days === 1 ? e(g.from) : `${e(g.from)} – ${e(g.to)} (${g.days} days)`))
          .join('; ')}${gaps.length > 12 ? `; and ${gaps.length - 12} more` : ''}.</p>`;
  const status =
    view.filterProblem !== null
      ? `<p class="problem" id="filter-status" role="status">Filter not applied: ${e(view.filterProblem)}.</p>`
      : `<p id="filter-status" role="status">${visible.length} benchmarks, ${view.totalRuns} runs in the series.</p>`;
  const queueSection = extras.queue === null ? '' : `<h2 id="queue">Queue</h2>${renderQueue(extras.queue)}`;
  const body = `<h1>${e(keyLabel(view.key))}</h1>
${filterForm(view.key, view.filters, links)}
${status}
<h2 id="coverage">Coverage per day</h2>
${renderCoverageChart(view.coverage, 'coverage-chart')}
${gapList}
${queueSection}
${visible.map((s, i) => seriesSection(view, s, charts[i] as ChartOverview, links)).join('\n')}`;
  // The export filters in the page, so it carries the page's run times; the server filters itself.
  const runTimes =
    links.mode === 'export'
      ? runGaps(
          [...new Set(visible.flatMap((s) => s.points.map((p) => Date.parse(p.recordedAt))))].sort(
            (a, b) => a - b,
          ),
          t0,
        )
      : undefined;
  const data = scriptJson({
    t0,
    detail: extras.detail,
    charts,
    ...(runTimes === undefined ? {} : { runGaps: runTimes }),
  });
  const scripts = `<script type="application/json" id="benchbot-trends">${data}</script><script src="${e(extras.assets.script)}"></script><script>${CLIENT_CHART_SCRIPT}</script>${links.mode === 'export' ? `<script>${CLIENT_FILTER_SCRIPT}</script>` : ''}`;
  return layout({
    title: `${keyLabel(view.key)} · benchbot`,
    crumbs: `${home(links)} › ${e(keyLabel(view.key))}`,
    body,
    head: `<link rel="stylesheet" href="${e(extras.assets.stylesheet)}">`,
    scripts,
  });
}

/** The detail script of a series page: `window.BENCHBOT_DETAIL`, every run and point of its charts. */
export function renderSeriesDetail(view: SeriesPageView, links: DashboardLinks): string {
  const visible = visibleSeries(view, links);
  const detail = trendDetail(visible, pageT0(visible), (p) => links.run(view.key.repository, p));
  return `window.BENCHBOT_DETAIL = ${scriptJson(detail)};\n`;
}
