import { formatValue } from '../report/units.js';
import { humanDuration } from '../request/queue.js';
import { escapeHtml } from './escape.js';
import { markdownToHtml } from './markdown-html.js';
import { ALL_RUNS_FILTERS, type RunBenchmarkRow, type RunPageView, type RunPlatformView } from './model.js';
import { type DashboardLinks, layout } from './pages.js';
import { shortSha } from './trend-chart.js';

// The page of one recorded request, whatever asked for it: who, what it compared (refs and
// commits), how long each platform took, its report, and its workflow in the Temporal Web UI.

const e = escapeHtml;

export const KIND_LABELS = {
  'pull-request': 'pull request',
  manual: 'manual',
  trunk: 'trunk',
} as const;

function sideCell(side: RunBenchmarkRow['baseline'], unit: string): string {
  if (side === null || side.median === null) return '<td>—</td>';
  const ci =
    side.ciLo === null || side.ciHi === null
      ? 'CI unbounded'
      : `${formatValue(side.ciLo, unit)} – ${formatValue(side.ciHi, unit)}`;
  return `<td class="right">${e(formatValue(side.median, unit))} <span class="note">(${e(ci)}, n=${side.n})</span></td>`;
}

/** "4 min (10:02:11 – 10:06:40 UTC)", or why there is no duration. */
function durationText(platform: Pick<RunPlatformView, 'startedAt' | 'finishedAt'>): string {
  if (platform.startedAt === null || platform.finishedAt === null) return 'not recorded (no results file)';
  const seconds = (Date.parse(platform.finishedAt) - Date.parse(platform.startedAt)) / 1000;
  const clock = (iso: string) => new Date(iso).toISOString().slice(11, 19);
  return `${humanDuration(seconds)} (${clock(platform.startedAt)} – ${clock(platform.finishedAt)} UTC)`;
}

export function renderRunPage(view: RunPageView, links: DashboardLinks, head = ''): string {
  const repoUrl = `${view.webUrl}/${view.repository}`;
  const commit = (sha: string) =>
    `<a href="${e(`${repoUrl}/commit/${sha}`)}"><code>${e(shortSha(sha))}</code></a>`;
  const range =
    view.commitRange === null
      ? null
      : view.commitRange.from === view.commitRange.to
        ? `${commit(view.commitRange.to)} (one commit)`
        : `${commit(view.commitRange.from)}..${commit(view.commitRange.to)}${view.commitRange.count === null ? '' : ` (${view.commitRange.count} commits)`} · <a href="${e(`${repoUrl}/compare/${view.commitRange.from}^...${view.commitRange.to}`)}">the commits on GitHub</a>`;
  const skipped =
    view.skipped.length === 0
      ? ''
      : `<h2>Skipped commits</h2><ul>${view.skipped.map((s) => `<li>${commit(s.sha)}: ${e(s.reason)}</li>`).join('')}</ul>`;
  const platforms = view.platforms.map((p) => {
    const sides = p.sides
      .map((s) => `<li>${s.name}: <code>${e(s.ref)}</code> at ${commit(s.sha)}</li>`)
      .join('');
    const rows = p.rows
      .map(
        (r) =>
          `<tr><td>${e(r.label)}</td><td>${e(r.metric)}</td>${sideCell(r.baseline, r.unit)}${sideCell(r.changed, r.unit)}<td>${e(r.status)}</td></tr>`,
      )
      .join('');
    const report =
      p.reportMarkdown === null
        ? ''
        : `<h3>Report</h3><div class="report">${markdownToHtml(p.reportMarkdown)}</div>`;
    return `<h2>${e(p.platform)}: ${e(p.status)}</h2>${p.failure === null ? '' : `<p class="problem">${e(p.failure)}</p>`}<ul>${sides}<li>duration: ${e(durationText(p))}</li></ul>
<table><caption class="note">Median per side with its 95% confidence interval, as recorded.</caption><thead><tr><th>benchmark</th><th>metric</th><th>baseline</th><th>changed</th><th>status</th></tr></thead><tbody>${rows}</tbody></table>${report}`;
  });
  const row = (label: string, html: string) => `<tr><th scope="row">${label}</th><td>${html}</td></tr>`;
  const facts = [
    row('kind', e(KIND_LABELS[view.kind])),
    row('repository', `<a href="${e(repoUrl)}">${e(view.repository)}</a>`),
    view.branch === null ? '' : row('branch', e(view.branch)),
    view.pullRequest === null
      ? ''
      : row('pull request', `<a href="${e(`${repoUrl}/pull/${view.pullRequest}`)}">#${view.pullRequest}</a>`),
    row('requested by', view.requester === null ? `no one (${e(view.reason)})` : `@${e(view.requester)}`),
    row('trigger', e(view.reason)),
    row('recorded', `${e(view.recordedAt)}`),
    range === null ? '' : row('commits it stands for', range),
    row('summary', view.summary === null ? '—' : e(view.summary)),
    row(
      'Temporal Web UI',
      view.workflowUrl === null
        ? `<code>${e(view.runId)}</code> <span class="note">(the Web UI's address is not known: set temporal.uiUrl)</span>`
        : `<a href="${e(view.workflowUrl)}">the workflow of this run</a>`,
    ),
  ].join('\n');
  const report =
    view.report === null ? '' : `<h2>Report</h2><div class="report">${markdownToHtml(view.report)}</div>`;
  const body = `<h1>Run <code>${e(view.runId)}</code></h1>
<table class="facts"><caption class="note">What was asked, by whom, and where to inspect it.</caption><tbody>
${facts}
</tbody></table>
${report}
${skipped}
${platforms.join('\n')}`;
  return layout({
    title: `run ${view.runId} · benchbot`,
    crumbs: `<a href="${e(links.home)}">benchbot dashboard</a> › <a href="${e(links.runs(ALL_RUNS_FILTERS))}">runs</a> › run`,
    body,
    head,
  });
}
