import { escapeHtml } from './escape.js';
import {
  ALL_RUNS_FILTERS,
  type FirstRunHelp,
  type QueueView,
  type RunListRow,
  type SeriesSummary,
} from './model.js';
import { type DashboardLinks, layout, renderQueue } from './pages.js';
import { firstRunSection, RUNS_CSS, runsTable } from './runs-page.js';

// The dashboard's front page: the latest requests of every kind, the trunk series, the live queue;
// before anything is recorded, how to get a first run.

const e = escapeHtml;

export interface IndexView {
  series: SeriesSummary[];
  /** The newest recorded runs of every kind. */
  latest: RunListRow[];
  /** Set when nothing is recorded yet: the page shows the first steps instead. */
  firstRun: FirstRunHelp | null;
}

function seriesTable(summaries: readonly SeriesSummary[], links: DashboardLinks): string {
  if (summaries.length === 0)
    return '<p>No trunk runs recorded yet. Trunk history appears here once a schedule (<code>repos[].schedules</code>) has run.</p>';
  const rows = summaries.map(
    (s) =>
      `<tr><td><a href="${e(links.series(s))}">${e(s.repository)}</a></td><td>${e(s.branch)}</td><td>${e(s.platform)}</td><td class="right">${s.runs}</td><td class="right">${s.benchmarks}</td><td>${s.latestAt === null ? '—' : e(s.latestAt.slice(0, 16).replace('T', ' '))}</td></tr>`,
  );
  return `<table><caption class="note">Trends, change points and coverage per repository, branch and platform.</caption><thead><tr><th scope="col">repository</th><th scope="col">branch</th><th scope="col">platform</th><th scope="col" class="right">runs</th><th scope="col" class="right">benchmarks</th><th scope="col">latest run (UTC)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function renderIndexPage(view: IndexView, links: DashboardLinks, queue: QueueView | null): string {
  const queueSection = queue === null ? '' : `<h2 id="queue">Queue</h2>${renderQueue(queue)}`;
  const allRuns = `<a href="${e(links.runs(ALL_RUNS_FILTERS))}">All runs</a>`;
  const body =
    view.firstRun !== null
      ? `${firstRunSection(view.firstRun)}${queueSection}`
      : `<h1>benchbot dashboard</h1>
<h2 id="latest">Latest runs</h2>
${view.latest.length === 0 ? '<p>No runs recorded yet.</p>' : runsTable(view.latest, links, 'The newest recorded requests of every kind; the date opens the run.')}
<p>${allRuns}: every pull-request, <code>benchbot run</code> and trunk run, filterable by repository and reason.</p>
<h2 id="trunk">Trunk history</h2>
${seriesTable(view.series, links)}
${queueSection}`;
  return layout({
    title: 'benchbot dashboard',
    head: RUNS_CSS,
    crumbs: `<a href="${e(links.home)}">benchbot dashboard</a> · ${allRuns}`,
    body,
  });
}
