import { type Block, fitRows, renderBlock } from '../report/budget.js';
import { formatPct } from '../report/format.js';
import { GITHUB_COMMENT_LIMIT } from '../report/markdown.js';
import type { ResultsComparison } from '../report/types.js';

// A trunk run's slowdowns are only suspects until an interleaved re-run of the same two commits
// agrees: one noisy measurement must never page anyone.

export interface Slowdown {
  /** The report's label for the benchmark (name, metric and group when needed). */
  label: string;
  pctChange: number | null;
}

export interface PlatformSlowdowns {
  platform: string;
  slowdowns: Slowdown[];
}

/**
 * A platform's slowdowns as a workflow's history carries them: how many, and the largest few. The
 * lists grow with the suite, so they stay in the results store (the recorded run, the
 * confirmation's verdict) and reach the regression issue from there.
 */
export interface SlowdownCount {
  platform: string;
  count: number;
  /** At most LARGEST_SHOWN, the largest change first. */
  largest: Slowdown[];
}

export const LARGEST_SHOWN = 3;

export function countSlowdowns(platform: string, slowdowns: readonly Slowdown[]): SlowdownCount {
  const largest = [...slowdowns]
    .sort((a, b) => (b.pctChange ?? Number.NEGATIVE_INFINITY) - (a.pctChange ?? Number.NEGATIVE_INFINITY))
    .slice(0, LARGEST_SHOWN);
  return { platform, count: slowdowns.length, largest };
}

/** The benchmarks the statistics call significantly slower (beyond the minimum effect). */
export function slowdownsOf(comparison: ResultsComparison): Slowdown[] {
  return comparison.benchmarks
    .filter((b) => b.comparison.verdict === 'slower')
    .map((b) => ({ label: b.label, pctChange: b.comparison.pctChange }));
}

/** The suspects the confirmation run found slower again, with the confirmation's figures. */
export function confirmedSlowdowns(
  suspects: readonly Slowdown[],
  confirmation: readonly Slowdown[],
): Slowdown[] {
  const suspected = new Set(suspects.map((s) => s.label));
  return confirmation.filter((s) => suspected.has(s.label));
}

export interface RegressionIssueInput {
  repo: string;
  branch: string;
  /** The previous benchmarked commit and the new one. */
  baselineSha: string;
  changedSha: string;
  range: { from: string; to: string; count: number };
  platforms: readonly PlatformSlowdowns[];
  runId: string;
  /** Link to the commits on GitHub, when known. */
  compareUrl: string | null;
}

/** One issue per regressed commit range of a branch: found again by this marker, never duplicated. */
export function regressionMarker(input: Pick<RegressionIssueInput, 'repo' | 'branch' | 'range'>): string {
  return `<!-- benchbot:regression:${input.repo}:${input.branch}:${input.range.from}..${input.range.to} -->`;
}

const short = (sha: string) => sha.slice(0, 10);

export function regressionTitle(input: RegressionIssueInput): string {
  const names = [...new Set(input.platforms.flatMap((p) => p.slowdowns.map((s) => s.label)))];
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
  return `Performance regression on ${input.branch} in ${short(input.range.from)}..${short(input.range.to)}: ${shown}`;
}

/**
 * The issue's body, within GitHub's limit on it (a regression of every benchmark of a large suite
 * would exceed it, and GitHub refuses such an issue outright): the table keeps whole rows and says
 * how many it left out.
 */
export function renderRegressionIssue(input: RegressionIssueInput): string {
  const commits = `${input.range.count} commit${input.range.count === 1 ? '' : 's'}`;
  const table: Block = {
    head: ['| platform | benchmark | change (confirmation run) |', '|---|---|---|'],
    rows: input.platforms.flatMap((p) =>
      p.slowdowns.map(
        (s) =>
          `| ${p.platform} | \`${s.label}\` | ${s.pctChange === null ? 'slower' : formatPct(s.pctChange)} |`,
      ),
    ),
    more: (left) =>
      `…and ${left} more slowdowns; \`benchbot runs show ${input.runId}\` prints the trunk run's report`,
  };
  const render = (shown: number) =>
    [
      regressionMarker(input),
      `benchbot measured a slowdown on \`${input.branch}\` of ${input.repo} and confirmed it with a second interleaved run of the same two commits.`,
      '',
      `- Commit range: \`${short(input.range.from)}\`..\`${short(input.range.to)}\` (${commits})${input.compareUrl ? ` · [compare](${input.compareUrl})` : ''}`,
      `- Previous benchmarked commit: \`${input.baselineSha}\``,
      `- New commit: \`${input.changedSha}\``,
      `- Trunk run: \`${input.runId}\``,
      '',
      renderBlock(table, shown),
      '',
      'Both runs alternated the two commits round by round on one machine, so drift and noise hit both alike. Close this issue once the regression is fixed or accepted.',
    ].join('\n');
  const whole = render(table.rows.length);
  if (whole.length <= GITHUB_COMMENT_LIMIT) return whole;
  const [shown = 0] = fitRows([table], render(0).length, GITHUB_COMMENT_LIMIT);
  return render(shown);
}
