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
import { changeLabel, renderTrendChart, shortSha } from './trend-chart.js';

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

function seriesSection(
  view: SeriesPageView,
  series: TrendSeries,
  index: number,
  links: DashboardLinks,
): string {
  const id = `chart-${index}`;
  const chart = renderTrendChart(series, { id, runHref: (p) => links.run(view.key.repository, p) });
  const title = `${series.benchmark}${series.group !== null && series.group !== series.benchmark ? ` (${series.group})` : ''}`;
  const downsampled =
    chart.drawn < series.points.length
      ? ` ${chart.drawn} of ${series.points.length} points drawn (lowest and highest median per pixel column); every change point is marked.`
      : '';
  return `<section class="benchmark" data-benchmark="${e(series.benchmark.toLowerCase())}" aria-labelledby="${id}-h"><h2 id="${id}-h">${e(title)} <small>${e(series.metric)}, ${e(series.unit)}, ${series.direction === 'lower-is-better' ? 'lower is better' : 'higher is better'}</small></h2>
${chart.svg}
<p class="note">${series.points.length} runs. Hover a point for its commit, range, date and reason; click it for the run.${downsampled}</p>
${changePointList(series)}
<p class="downloads">Download this series: <a href="${e(links.csv(view.key, series))}" download>CSV</a> · <a href="${e(links.svg(view.key, series))}" download>SVG</a></p></section>`;
}

export interface SeriesPageExtras {
  queue: QueueView | null;
  /** Export mode: the script file that defines window.BENCHBOT_RUNS for the client-side filters. */
  runsScript: string | null;
}

export function renderSeriesPage(
  view: SeriesPageView,
  links: DashboardLinks,
  extras: SeriesPageExtras,
): string {
  const visible =
    links.mode === 'served'
      ? view.series.filter((s) => matchesBenchmark(s, view.filters.benchmark))
      : view.series;
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
${visible.map((s, i) => seriesSection(view, s, i, links)).join('\n')}`;
  const scripts =
    extras.runsScript === null
      ? ''
      : `<script src="${e(extras.runsScript)}"></script><script>${CLIENT_FILTER_SCRIPT}</script>`;
  return layout({
    title: `${keyLabel(view.key)} · benchbot`,
    crumbs: `${home(links)} › ${e(keyLabel(view.key))}`,
    body,
    scripts,
  });
}
