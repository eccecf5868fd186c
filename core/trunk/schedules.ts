import { parseDurationSeconds } from '../config/duration.js';
import type { BenchbotConfig, RepoConfig, ScheduleConfig } from '../config/schema.js';
import { WATCHDOG_WORKFLOW_TYPE } from '../request/contract.js';
import { intervalSeconds, isWatched, watchdogEverySeconds } from './missing-data.js';
import type { TrunkReason } from './plan.js';

// What Temporal should hold for benchbot.yaml's `repos[].schedules`: one Schedule per configured
// (repository, schedule), derived purely so `schedules sync` can compare and stay idempotent.

export interface TrunkRunInput {
  repo: string;
  /** The schedule's name in the config; the worker reads branch, benchmarks and strategy from there. */
  schedule: string;
  reason: TrunkReason;
}

export type OverlapPolicy = 'SKIP' | 'BUFFER_ONE' | 'BUFFER_ALL' | 'CANCEL_OTHER' | 'ALLOW_ALL';

export interface DesiredSchedule {
  scheduleId: string;
  repo: string;
  name: string;
  branch: string;
  spec: { everySeconds: number } | { cron: string };
  overlap: OverlapPolicy;
  catchupWindowSeconds: number;
  paused: boolean;
  taskQueue: string;
  /** Workflow ids of its runs start with this; Temporal appends the scheduled time. */
  workflowIdPrefix: string;
  input: TrunkRunInput;
  /** Changes whenever anything Temporal holds for the schedule would change. */
  fingerprint: string;
}

const SCHEDULE_PREFIX = 'trunk:';

export function scheduleId(repo: string, name: string): string {
  return `${SCHEDULE_PREFIX}${repo.toLowerCase()}:${name}`;
}

export function isTrunkScheduleId(id: string): boolean {
  return id.startsWith(SCHEDULE_PREFIX);
}

const OVERLAP: Record<ScheduleConfig['overlap'], OverlapPolicy> = {
  skip: 'SKIP',
  buffer_one: 'BUFFER_ONE',
  buffer_all: 'BUFFER_ALL',
  cancel_other: 'CANCEL_OTHER',
  allow_all: 'ALLOW_ALL',
};

function desired(repo: RepoConfig, schedule: ScheduleConfig, taskQueue: string): DesiredSchedule {
  const id = scheduleId(repo.name, schedule.name);
  const spec =
    schedule.every !== null
      ? { everySeconds: parseDurationSeconds(schedule.every) ?? 0 }
      : { cron: schedule.cron ?? '' };
  const shape = {
    spec,
    overlap: OVERLAP[schedule.overlap],
    catchupWindowSeconds: parseDurationSeconds(schedule.catchupWindow) ?? 0,
    taskQueue,
    workflowIdPrefix: id,
    input: { repo: repo.name, schedule: schedule.name, reason: 'schedule' as const },
  };
  return {
    scheduleId: id,
    repo: repo.name,
    name: schedule.name,
    branch: schedule.branch,
    paused: schedule.paused,
    ...shape,
    fingerprint: JSON.stringify(shape),
  };
}

export function desiredSchedules(config: BenchbotConfig, taskQueue: string): DesiredSchedule[] {
  return config.repos.flatMap((repo) => repo.schedules.map((s) => desired(repo, s, taskQueue)));
}

export type FindSchedule = { ok: true; schedule: DesiredSchedule } | { ok: false; error: string };

/** A schedule by id (`trunk:owner/repo:name`), `owner/repo:name`, or `owner/repo` when it has one. */
export function findSchedule(schedules: readonly DesiredSchedule[], text: string): FindSchedule {
  const wanted = text.startsWith(SCHEDULE_PREFIX) ? text : `${SCHEDULE_PREFIX}${text}`;
  const exact = schedules.find((s) => s.scheduleId.toLowerCase() === wanted.toLowerCase());
  if (exact) return { ok: true, schedule: exact };
  const ofRepo = schedules.filter((s) => s.repo.toLowerCase() === text.toLowerCase());
  if (ofRepo.length === 1) return { ok: true, schedule: ofRepo[0] as DesiredSchedule };
  const known = schedules.map((s) => s.scheduleId).join(', ') || 'none';
  return {
    ok: false,
    error:
      ofRepo.length > 1
        ? `${text} has ${ofRepo.length} schedules; name one: ${ofRepo.map((s) => s.scheduleId).join(', ')}`
        : `no schedule ${JSON.stringify(text)} in the config (configured: ${known}). Fix: add it under repos[].schedules and run \`benchbot schedules sync\`.`,
  };
}

/** The window a schedule's runs sample: its `window`, else its interval, else a day for cron schedules. */
export function windowSeconds(schedule: Pick<ScheduleConfig, 'every' | 'window'>): number {
  const explicit = schedule.window === null ? null : parseDurationSeconds(schedule.window);
  const every = schedule.every === null ? null : parseDurationSeconds(schedule.every);
  return explicit ?? every ?? 86_400;
}

/** The missing-data watchdog's Schedule: one per task queue, while any trunk schedule alerts. */
export interface DesiredWatchdog {
  scheduleId: string;
  everySeconds: number;
  taskQueue: string;
  fingerprint: string;
}

export function watchdogScheduleId(taskQueue: string): string {
  return `trunk-watchdog:${taskQueue}`;
}

export function desiredWatchdog(config: BenchbotConfig, taskQueue: string): DesiredWatchdog | null {
  const intervals = config.repos.flatMap((repo) =>
    repo.schedules.filter(isWatched).map((s) => intervalSeconds(s, [])),
  );
  const everySeconds = watchdogEverySeconds(intervals);
  if (everySeconds === null) return null;
  return {
    scheduleId: watchdogScheduleId(taskQueue),
    everySeconds,
    taskQueue,
    fingerprint: JSON.stringify({ everySeconds, taskQueue, workflowType: WATCHDOG_WORKFLOW_TYPE }),
  };
}
