import { RUN_KINDS } from '../results/run-kind.js';
import { escapeHtml } from './escape.js';
import { ALL_RUNS_FILTERS, type FirstRunHelp, type RunListRow, type RunListView } from './model.js';
import { type DashboardLinks, layout } from './pages.js';
import { KIND_LABELS } from './run-page.js';
import { shortSha } from './trend-chart.js';

// The Runs view: every recorded request (pull-request A/Bs, `benchbot run`s, trunk runs), newest
// first, each linked to its run page; and what an empty dashboard says instead of an error.

const e = escapeHtml;

/** The runs table stays one line per run where it can: dates and commits do not wrap. */
export const RUNS_CSS = `<style>
table.runs { font-size: 0.85rem; }
table.runs td:first-child, table.runs td:nth-child(6) { white-space: nowrap; }
</style>`;

const side = (s: RunListRow['baseline']) =>
  s === null ? '—' : `<code>${e(s.ref)}</code> <code>${e(shortSha(s.sha))}</code>`;

function compared(row: RunListRow): string {
  if (row.kind === 'trunk' && row.commitRange !== null) {
    const { from, to, count } = row.commitRange;
    return from === to
      ? `<code>${e(shortSha(to))}</code>`
      : `<code>${e(shortSha(from))}</code>..<code>${e(shortSha(to))}</code>${count === null ? '' : ` (${count} commits)`}`;
  }
  return row.baseline === null ? side(row.changed) : `${side(row.baseline)} → ${side(row.changed)}`;
}

function where(row: RunListRow): string {
  if (row.pullRequest !== null) return `PR #${row.pullRequest}`;
  return row.branch === null ? '—' : e(row.branch);
}

/** The export shows this many matching runs at a time: a table of every run would take seconds to lay out. */
const EXPORT_RUNS_SHOWN = 100;

/**
 * The runs as a table; each row carries its repository and kind for the export's in-page filter.
 * Rows from `shown` on start hidden (the export's script shows them on request).
 */
export function runsTable(
  rows: readonly RunListRow[],
  links: DashboardLinks,
  caption: string,
  shown = rows.length,
): string {
  const body = rows.map((row, i) => {
    const platforms = row.platforms.map((p) => `${e(p.platform)}: ${e(p.status)}`).join('<br>');
    return `<tr data-repo="${e(row.repository)}" data-kind="${row.kind}"${i < shown ? '' : ' hidden'}><td><a href="${e(links.run(row.repository, row))}">${e(row.recordedAt.slice(0, 16).replace('T', ' '))}</a></td><td>${e(KIND_LABELS[row.kind])}</td><td>${e(row.repository)}</td><td>${where(row)}</td><td>${row.requester === null ? `<span class="note">${e(row.reason)}</span>` : `@${e(row.requester)}`}</td><td>${compared(row)}</td><td>${platforms}</td><td>${row.summary === null ? '—' : e(row.summary)}</td></tr>`;
  });
  return `<table class="runs"><caption class="note">${e(caption)}</caption><thead><tr><th scope="col">recorded (UTC)</th><th scope="col">kind</th><th scope="col">repository</th><th scope="col">PR or branch</th><th scope="col">requested by</th><th scope="col">compared</th><th scope="col">platforms</th><th scope="col">summary</th></tr></thead><tbody>${body.join('')}</tbody></table>`;
}

function filterForm(view: RunListView, links: DashboardLinks): string {
  const option = (value: string, label: string, chosen: string) =>
    `<option value="${e(value)}"${value === chosen ? ' selected' : ''}>${e(label)}</option>`;
  const repos = [
    option('', 'all repositories', view.filters.repository),
    ...view.repositories.map((r) => option(r, r, view.filters.repository)),
  ];
  const kinds = [
    option('', 'every reason', view.filters.kind),
    ...RUN_KINDS.map((k) => option(k, KIND_LABELS[k], view.filters.kind)),
  ];
  const action = links.mode === 'served' ? links.runs(ALL_RUNS_FILTERS) : '';
  return `<form class="filters" id="run-filters" method="get" action="${e(action)}" role="search" aria-label="Filter the runs"><label>repository<select name="repo">${repos.join('')}</select></label><label>reason<select name="reason">${kinds.join('')}</select></label><button type="submit">Apply</button></form>`;
}

/**
 * Served: one page of runs, filtered by the server, with a link to older ones. Exported: every run,
 * filtered in the page (RUNS_FILTER_SCRIPT), EXPORT_RUNS_SHOWN at a time.
 */
export function renderRunsPage(view: RunListView, links: DashboardLinks): string {
  const exported = links.mode === 'export';
  const status =
    view.filterProblem !== null
      ? `<p class="problem" id="runs-status" role="status">Filter not applied: ${e(view.filterProblem)}.</p>`
      : `<p id="runs-status" role="status">${view.rows.length === 0 ? 'No runs match.' : `${view.rows.length}${view.older === null ? '' : ' newest'} run${view.rows.length === 1 ? '' : 's'}.`}</p>`;
  const more = exported
    ? `<p><button type="button" id="runs-more" hidden>Show ${EXPORT_RUNS_SHOWN} more</button></p>`
    : view.older === null
      ? ''
      : `<p><a href="${e(links.runs(view.filters, view.older))}" rel="next">Older runs</a></p>`;
  const body = `<h1>Runs</h1>
<p class="note">Every recorded request, newest first: pull-request comments, <code>benchbot run</code>, and trunk runs. Open one for its report, refs and commits, requester, durations and its workflow in the Temporal Web UI.</p>
${filterForm(view, links)}
${status}
${view.rows.length === 0 ? '' : runsTable(view.rows, links, 'Recorded runs, newest first; the date opens the run.', exported ? EXPORT_RUNS_SHOWN : view.rows.length)}
${more}`;
  return layout({
    title: 'runs · benchbot',
    head: RUNS_CSS,
    crumbs: `<a href="${e(links.home)}">benchbot dashboard</a> › runs`,
    body,
    scripts: exported ? `<script>${RUNS_FILTER_SCRIPT}</script>` : '',
  });
}

/** The export's Runs filters, in the page: rows are shown or hidden by their data-repo and data-kind. */
const RUNS_FILTER_SCRIPT = `(function () {
  var step = ${EXPORT_RUNS_SHOWN}, limit = step;
  var form = document.getElementById('run-filters');
  var status = document.getElementById('runs-status');
  var more = document.getElementById('runs-more');
  var rows = Array.prototype.slice.call(document.querySelectorAll('table.runs tbody tr'));
  if (!form) return;
  var params = new URLSearchParams(location.search);
  ['repo', 'reason'].forEach(function (name) {
    if (params.get(name)) form.elements[name].value = params.get(name);
  });
  function apply() {
    var repo = form.elements.repo.value, kind = form.elements.reason.value, matching = 0;
    rows.forEach(function (row) {
      var match = (!repo || row.dataset.repo === repo) && (!kind || row.dataset.kind === kind);
      var hide = !match || matching >= limit;
      // Only rows that change are touched: setting 10,000 attributes costs a second of style work.
      if (row.hidden !== hide) row.hidden = hide;
      if (match) matching++;
    });
    var shown = Math.min(matching, limit);
    more.hidden = shown === matching;
    status.textContent = (matching === rows.length ? rows.length + ' runs' : matching + ' of ' + rows.length + ' runs match')
      + (shown < matching ? ', the newest ' + shown + ' shown.' : '.');
  }
  function refilter() { limit = step; apply(); }
  form.addEventListener('change', refilter);
  form.addEventListener('submit', function (event) { event.preventDefault(); refilter(); });
  more.addEventListener('click', function () { limit += step; apply(); });
  apply();
})();`;

/** What to do when nothing is recorded yet: the first commands, with this config's names in them. */
export function firstRunSection(help: FirstRunHelp): string {
  const repo = help.repositories[0];
  const steps =
    repo === undefined
      ? `<li>Add a repository to <code>benchbot.yaml</code> (<code>repos:</code> its name, URL, build and benchmarks; see <code>benchbot.example.yaml</code>) and check it with <code>npx benchbot config check</code>.</li>
<li>Start benchbot with <code>npm start</code>, then run <code>npx benchbot run --repo OWNER/NAME --baseline main --changed my-branch</code>.</li>`
      : `<li>Start benchbot (the worker records every run): <pre><code>npm start</code></pre></li>
<li>In a second terminal, benchmark two refs of ${e(repo.name)}: <pre><code>npx benchbot run --repo ${e(repo.name)} --baseline ${e(repo.defaultBranch)} --changed my-branch${repo.benchmarks[0] === undefined ? '' : ` --benchmark ${e(repo.benchmarks[0])}`}</code></pre></li>
<li>Or comment <code>run benchmarks</code> on a pull request of ${e(repo.name)}, with the comment poller (<code>npx benchbot poller start</code>) or the webhook receiver (<code>npx benchbot webhook</code>) listening.</li>
<li>Trunk history comes from schedules: add <code>schedules:</code> to the repository in <code>benchbot.yaml</code>; <code>npm start</code> (or <code>npx benchbot schedules sync</code>) creates them.</li>`;
  return `<section id="first-run" aria-labelledby="first-run-h"><h1 id="first-run-h">No runs recorded yet</h1>
<p>Nothing is wrong: the results store (<code>${e(help.storeLocation)}</code>) has no runs yet. Each request is shown here once it is recorded; reload this page after the first one finishes. To get a first run:</p>
<ol>
${steps}
</ol></section>`;
}
