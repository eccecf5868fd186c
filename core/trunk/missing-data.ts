import { parseDurationSeconds } from '../config/duration.js';
import type { ScheduleConfig } from '../config/schema.js';

// The ADR's open question "should we alert on missing data?": yes. A trunk schedule that goes
// `missingRunsAfter` of its intervals without a successful run (paused, builds broken, worker down)
// gets one GitHub issue, kept up to date while the gap lasts and closed when a run succeeds again.

/**
 * Whether the watchdog checks the schedule: it alerts, and is not paused in benchbot.yaml (a pause
 * written in the config is a decision; one made by hand with `schedules pause` can be forgotten,
 * and is watched).
 */
export function isWatched(schedule: Pick<ScheduleConfig, 'missingRunsAfter' | 'paused'>): boolean {
  return schedule.missingRunsAfter !== null && !schedule.paused;
}

/** How long one interval of the schedule is: its `every`, else the gap between its next two cron times. */
export function intervalSeconds(
  schedule: Pick<ScheduleConfig, 'every'>,
  nextActionTimes: readonly Date[],
): number {
  const every = schedule.every === null ? null : parseDurationSeconds(schedule.every);
  if (every !== null) return every;
  const [next, after] = nextActionTimes;
  if (next !== undefined && after !== undefined)
    return Math.max(1, (after.getTime() - next.getTime()) / 1000);
  return 86_400;
}

export interface GapInput {
  now: Date;
  intervalSeconds: number;
  /** Intervals without a successful run before it counts as missing data. */
  after: number;
  /** The newest successful run of the branch; null before the first. */
  lastSuccessAt: string | null;
  /** When the schedule began: a schedule that never succeeded is missing data from then on. */
  scheduleCreatedAt: string;
}

export type GapVerdict =
  | { kind: 'ok'; missedIntervals: number }
  | { kind: 'gap'; since: string; missedIntervals: number };

export function gapVerdict(input: GapInput): GapVerdict {
  const since = input.lastSuccessAt ?? input.scheduleCreatedAt;
  const seconds = (input.now.getTime() - Date.parse(since)) / 1000;
  const missedIntervals = Math.max(0, Math.floor(seconds / input.intervalSeconds));
  return missedIntervals >= input.after
    ? { kind: 'gap', since, missedIntervals }
    : { kind: 'ok', missedIntervals };
}

/** Scheduled runs come this often at most: the watchdog checks once per shortest interval, at least hourly. */
export function watchdogEverySeconds(intervals: readonly number[]): number | null {
  if (intervals.length === 0) return null;
  return Math.min(3600, Math.max(1, Math.floor(Math.min(...intervals))));
}

export interface MissingDataIssueInput {
  repo: string;
  schedule: string;
  branch: string;
  intervalSeconds: number;
  after: number;
  gap: Extract<GapVerdict, { kind: 'gap' }>;
  /** The run the gap started after; null when the schedule never succeeded. */
  lastSuccessRunId: string | null;
  /** The newest recorded attempt, with what failed. */
  lastAttempt: {
    runId: string;
    recordedAt: string;
    failures: Array<{ platform: string; failure: string }>;
  } | null;
  /** Set when the Temporal Schedule is paused, with its note. */
  pausedNote: string | null;
  checkedAt: string;
}

/** One issue per schedule, found again by this marker; a later gap reopens it. */
export function missingDataMarker(repo: string, schedule: string): string {
  return `<!-- benchbot:missing-data:${repo}:${schedule} -->`;
}

const GAP_MARKER = /<!-- benchbot:gap-since:([^ ]+) -->/;

/** Which gap an issue body describes (the time it started), or null. */
export function gapOfIssue(body: string | null | undefined): string | null {
  return GAP_MARKER.exec(body ?? '')?.[1] ?? null;
}

function duration(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${Math.round(seconds)}s`;
}

export function missingDataTitle(input: Pick<MissingDataIssueInput, 'repo' | 'schedule' | 'branch'>): string {
  return `No benchmark data from trunk schedule ${input.schedule} (${input.branch})`;
}

export function renderMissingDataIssue(input: MissingDataIssueInput): string {
  const start =
    input.lastSuccessRunId === null
      ? `since the schedule was created (${input.gap.since}); it has never succeeded`
      : `since the last successful run \`${input.lastSuccessRunId}\` (${input.gap.since})`;
  const causes: string[] = [];
  if (input.pausedNote !== null) causes.push(`- The schedule is **paused** in Temporal: ${input.pausedNote}`);
  if (input.lastAttempt !== null && input.lastAttempt.failures.length > 0) {
    causes.push(
      `- The last recorded attempt \`${input.lastAttempt.runId}\` (${input.lastAttempt.recordedAt}) failed:`,
    );
    for (const f of input.lastAttempt.failures) {
      causes.push(`  - ${f.platform}: ${f.failure.split('\n')[0]?.slice(0, 300) ?? ''}`);
    }
  }
  if (causes.length === 0) {
    causes.push(
      '- No attempt was recorded in the gap: is the worker running, and the schedule synced (`benchbot schedules list`)?',
    );
  }
  return [
    missingDataMarker(input.repo, input.schedule),
    `<!-- benchbot:gap-since:${input.gap.since} -->`,
    `benchbot has no successful trunk run of \`${input.branch}\` of ${input.repo} (schedule \`${input.schedule}\`, every ${duration(input.intervalSeconds)}) ${start}: **${input.gap.missedIntervals} intervals** without data, the alert threshold being ${input.after}.`,
    '',
    'What benchbot knows:',
    '',
    ...causes,
    '',
    `Last checked ${input.checkedAt}. benchbot keeps this issue up to date and closes it when a run succeeds again.`,
  ].join('\n');
}

/** The body of the issue once runs succeed again: what the gap was, and the run that ended it. */
export function renderResumedIssue(previous: string, resumed: { runId: string; recordedAt: string }): string {
  return [
    previous.replace(/\n\nLast checked [^\n]*$/, ''),
    '',
    `**Resolved**: runs resumed with \`${resumed.runId}\` (${resumed.recordedAt}).`,
  ].join('\n');
}
