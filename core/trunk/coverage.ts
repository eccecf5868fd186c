// How much of a branch's history has data: per day, the commits that landed, how many a successful
// run stands for (its commit range) or measured itself, and the gaps no successful run covers.

export interface CoverageCommit {
  sha: string;
  /** Committer time, epoch seconds. */
  committedAt: number;
}

export interface CoverageRun {
  runId: string;
  range: { from: string; to: string } | null;
  /** The commit the run measured. */
  sha: string | null;
  /** At least one platform succeeded. */
  ok: boolean;
  skipped: ReadonlyArray<{ sha: string; reason: string; queueDepth: number | null }>;
}

export interface CoverageDayRow {
  day: string;
  commits: number;
  covered: number;
  measured: number;
  /** Covered commits in percent of the day's commits; null on a day without commits. */
  pct: number | null;
}

export interface CoverageGap {
  from: string;
  to: string;
  count: number;
  /** UTC day of the gap's first commit. */
  since: string;
}

export interface CommitCoverage {
  days: CoverageDayRow[];
  gaps: CoverageGap[];
  total: { commits: number; covered: number; measured: number; pct: number | null };
  skipped: Array<{ sha: string; reason: string; queueDepth: number | null; runId: string }>;
}

const dayOf = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString().slice(0, 10);
const pct = (part: number, whole: number) => (whole === 0 ? null : (100 * part) / whole);

/** `commits` oldest first (the branch's first-parent history over the period). */
export function commitCoverage(
  commits: readonly CoverageCommit[],
  runs: readonly CoverageRun[],
): CommitCoverage {
  const index = new Map(commits.map((c, i) => [c.sha, i]));
  const covered = new Array<boolean>(commits.length).fill(false);
  const measured = new Array<boolean>(commits.length).fill(false);
  for (const run of runs) {
    if (!run.ok) continue;
    if (run.sha !== null && index.has(run.sha)) measured[index.get(run.sha) as number] = true;
    if (run.range === null) continue;
    const to = index.get(run.range.to);
    if (to === undefined) continue;
    // A range that began before the period covers the period's start.
    const from = index.get(run.range.from) ?? 0;
    for (let i = from; i <= to; i++) covered[i] = true;
  }
  for (let i = 0; i < commits.length; i++) if (measured[i]) covered[i] = true;

  const byDay = new Map<string, CoverageDayRow>();
  commits.forEach((c, i) => {
    const day = dayOf(c.committedAt);
    const row = byDay.get(day) ?? { day, commits: 0, covered: 0, measured: 0, pct: null };
    row.commits++;
    if (covered[i]) row.covered++;
    if (measured[i]) row.measured++;
    byDay.set(day, row);
  });
  const days = [...byDay.values()]
    .sort((a, b) => a.day.localeCompare(b.day))
    .map((row) => ({ ...row, pct: pct(row.covered, row.commits) }));

  const gaps: CoverageGap[] = [];
  let start: number | null = null;
  for (let i = 0; i <= commits.length; i++) {
    if (i < commits.length && !covered[i]) {
      start ??= i;
    } else if (start !== null) {
      const first = commits[start] as CoverageCommit;
      gaps.push({
        from: first.sha,
        to: (commits[i - 1] as CoverageCommit).sha,
        count: i - start,
        since: dayOf(first.committedAt),
      });
      start = null;
    }
  }
  const coveredCount = covered.filter(Boolean).length;
  const measuredCount = measured.filter(Boolean).length;
  return {
    days,
    gaps,
    total: {
      commits: commits.length,
      covered: coveredCount,
      measured: measuredCount,
      pct: pct(coveredCount, commits.length),
    },
    skipped: runs.flatMap((run) => run.skipped.map((s) => ({ ...s, runId: run.runId }))),
  };
}

const short = (sha: string) => sha.slice(0, 10);
const percent = (value: number | null) => (value === null ? '-' : `${value.toFixed(1)}%`);

export function renderCoverageText(repo: string, branch: string, report: CommitCoverage): string {
  const { total } = report;
  const lines = [
    `${repo} ${branch}: ${total.covered} of ${total.commits} commits covered (${percent(total.pct)}), ${total.measured} measured`,
    '',
    'day         commits  covered  measured  coverage',
    ...report.days.map(
      (d) =>
        `${d.day}  ${String(d.commits).padStart(7)}  ${String(d.covered).padStart(7)}  ${String(d.measured).padStart(8)}  ${percent(d.pct).padStart(8)}`,
    ),
  ];
  lines.push('', report.gaps.length === 0 ? 'No gaps.' : `Gaps (${report.gaps.length}):`);
  for (const g of report.gaps) {
    lines.push(
      `  ${short(g.from)}..${short(g.to)}  ${g.count} commit${g.count === 1 ? '' : 's'} since ${g.since}`,
    );
  }
  if (report.skipped.length > 0) {
    lines.push('', `Skipped (${report.skipped.length}):`);
    for (const s of report.skipped) lines.push(`  ${short(s.sha)}  ${s.reason}  (run ${s.runId})`);
  }
  return lines.join('\n');
}
