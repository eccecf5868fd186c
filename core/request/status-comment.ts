import type { RequestState } from '../search-attributes.js';

export interface SideView {
  /** What the user asked for, e.g. `main`, `v45.0.0`, or null for the default. */
  ref: string | null;
  /** How the default was chosen, e.g. "merge base with main" or "PR head". */
  label: string;
  sha: string | null;
}

export interface ProgressView {
  phase: string;
  side?: string;
  benchmark?: string;
  round?: number;
  rounds?: number;
  done: number;
  total: number;
}

export interface FailureView {
  /** build / run / compare / record / infrastructure */
  step: string;
  side?: string;
  message: string;
  logTail?: string;
}

export interface StatusView {
  workflowUrl: string | null;
  requester: string;
  command: string;
  state: RequestState;
  baseline: SideView;
  changed: SideView;
  queuePosition?: number | null;
  progress?: ProgressView | null;
  report?: string | null;
  failure?: FailureView | null;
  cancelledBy?: string | null;
  /**
   * The pull request's head after new commits: for a superseded request the head it would have
   * had to measure; for a finished one, a head that moved while it ran.
   */
  headMovedTo?: string | null;
  /** Set by the worker (never the workflow) when jobs run without the local sandbox. */
  unsandboxed?: boolean;
}

const HEADLINE: Record<RequestState, string> = {
  queued: '⏳ queued',
  building: '🔨 building',
  running: '🏃 running',
  comparing: '📊 comparing',
  done: '✅ done',
  failed: '❌ failed',
  cancelled: '🚫 cancelled',
  superseded: '⏭️ superseded',
};

const short = (sha: string | null) => (sha === null ? 'resolving…' : `\`${sha.slice(0, 10)}\``);

function sideRow(name: string, side: SideView): string {
  const ref = side.ref === null ? side.label : `\`${side.ref}\``;
  return `| ${name} | ${ref} | ${short(side.sha)} |`;
}

/** "running tpch (changed): round 3/5 · step 9/24" and the like (steps are builds and benchmark runs). */
export function describeProgress(p: ProgressView): string {
  const side = p.side ? ` (${p.side})` : '';
  const position = p.total > 0 ? ` · step ${Math.min(p.done + 1, p.total)}/${p.total}` : '';
  const round = p.round !== undefined && p.rounds !== undefined ? `: round ${p.round}/${p.rounds}` : '';
  switch (p.phase) {
    case 'clone':
      return 'cloning the repository';
    case 'build':
      return `building${side}`;
    case 'warmup':
      return `warming up ${p.benchmark ?? ''}${side}${position}`;
    case 'run':
      return `running ${p.benchmark ?? ''}${side}${round}${position}`;
    case 'profile':
      return `profiling ${p.benchmark ?? ''}${side}, not timed${position}`;
    case 'done':
      return `finished ${p.total} benchmarks`;
    default:
      return p.phase;
  }
}

/** A fence longer than any run of backticks in the text, so a log cannot close it early. */
export function fenced(text: string, lang = 'text'): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text.replace(/\n+$/, '')}\n${fence}`;
}

export const UNSANDBOXED_NOTE =
  "> ⚠️ **Unsandboxed run:** this worker runs the pull request's code as its own processes (`executor.local.sandbox: none`), with access to everything the worker can reach.";

/** The one status comment of a request, rendered whole each time it changes. */
export function renderStatusComment(view: StatusView): string {
  const position = view.state === 'queued' && view.queuePosition ? ` (position ${view.queuePosition})` : '';
  const lines = [
    `### benchbot: ${HEADLINE[view.state]}${position}`,
    '',
    `@${view.requester} asked for \`${view.command}\`.`,
    '',
    '| side | ref | commit |',
    '|---|---|---|',
    sideRow('baseline', view.baseline),
    sideRow('changed', view.changed),
    '',
  ];
  if (view.unsandboxed) lines.push(UNSANDBOXED_NOTE, '');
  if (view.progress && (view.state === 'building' || view.state === 'running')) {
    lines.push(`**Progress:** ${describeProgress(view.progress)}`, '');
  }
  if (view.cancelledBy) lines.push(`Cancelled by @${view.cancelledBy}.`, '');
  if (view.headMovedTo && view.state === 'superseded') {
    lines.push(
      `**Superseded:** new commits moved the pull request's head to ${short(view.headMovedTo)} before this request started, so it did not run (\`trigger.onPush: supersede\`). To benchmark the new head, comment \`${view.command}\` again.`,
      '',
    );
  } else if (view.headMovedTo && view.headMovedTo !== view.changed.sha) {
    lines.push(
      `Measured ${short(view.changed.sha)}: the pull request's head moved to ${short(view.headMovedTo)} while this ran. To benchmark the new head, comment \`${view.command}\` again.`,
      '',
    );
  }
  if (view.failure) {
    const where = view.failure.side ? ` (${view.failure.side} side)` : '';
    lines.push(`**Failed at the ${view.failure.step} step${where}:** ${view.failure.message}`, '');
    if (view.failure.logTail) {
      lines.push(
        '<details><summary>End of the log</summary>',
        '',
        fenced(view.failure.logTail),
        '',
        '</details>',
        '',
      );
    }
  }
  if (view.report) lines.push(view.report, '');
  if (view.workflowUrl) lines.push(`<sub>[This request in the Temporal Web UI](${view.workflowUrl})</sub>`);
  return `${lines.join('\n').trimEnd()}\n`;
}
