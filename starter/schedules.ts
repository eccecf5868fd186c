import {
  type Client,
  ScheduleAlreadyRunning,
  type ScheduleDescription,
  ScheduleNotFoundError,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import type { BenchbotConfig } from '../core/config/index.js';
import { TRUNK_WORKFLOW_TYPE, WATCHDOG_WORKFLOW_TYPE } from '../core/request/contract.js';
import {
  type DesiredSchedule,
  type DesiredWatchdog,
  desiredSchedules,
  desiredWatchdog,
  findSchedule,
  isTrunkScheduleId,
  watchdogScheduleId,
} from '../core/trunk/schedules.js';

// benchbot.yaml's trunk schedules as Temporal Schedules. The config is the source of truth for
// timing and policies; a pause made by hand (`benchbot schedules pause`) is the operator's and
// survives a sync (`npm start` syncs), only `paused: true` in the config forces one.

export type SyncAction = 'created' | 'updated' | 'unchanged' | 'deleted';

interface ScheduleMemo {
  repo: string;
  schedule: string;
  taskQueue: string;
}

const FINGERPRINT = 'benchbotFingerprint';

function specOf(d: DesiredSchedule): ScheduleSpec {
  return 'everySeconds' in d.spec
    ? { intervals: [{ every: d.spec.everySeconds * 1000 }] }
    : { cronExpressions: [d.spec.cron] };
}

function actionOf(
  d: DesiredSchedule,
): ScheduleOptionsStartWorkflowAction<(input: unknown) => Promise<unknown>> {
  return {
    type: 'startWorkflow',
    workflowType: TRUNK_WORKFLOW_TYPE,
    args: [d.input],
    taskQueue: d.taskQueue,
    workflowId: d.workflowIdPrefix,
    memo: { [FINGERPRINT]: d.fingerprint },
  };
}

const policiesOf = (d: DesiredSchedule) => ({
  overlap: d.overlap,
  catchupWindow: d.catchupWindowSeconds * 1000,
});

async function describeOrNull(client: Client, id: string): Promise<ScheduleDescription | null> {
  try {
    return await client.schedule.getHandle(id).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return null;
    throw err;
  }
}

/**
 * Creates, updates or deletes Temporal Schedules until they match the config; running it twice
 * changes nothing the second time. Only schedules benchbot made for this task queue are deleted.
 */
export async function syncSchedules(
  client: Client,
  config: BenchbotConfig,
  taskQueue: string = config.temporal.taskQueue,
): Promise<Array<{ scheduleId: string; action: SyncAction }>> {
  const desired = desiredSchedules(config, taskQueue);
  const done: Array<{ scheduleId: string; action: SyncAction }> = [];
  for (const d of desired) {
    const current = await describeOrNull(client, d.scheduleId);
    if (current === null) {
      const memo: ScheduleMemo = { repo: d.repo, schedule: d.name, taskQueue };
      try {
        await client.schedule.create({
          scheduleId: d.scheduleId,
          spec: specOf(d),
          action: actionOf(d),
          policies: policiesOf(d),
          state: d.paused ? { paused: true, note: 'paused in benchbot.yaml' } : { paused: false },
          memo: { benchbot: memo },
        });
      } catch (err) {
        // Another worker starting at the same moment created it from the same config: nothing to do.
        if (err instanceof ScheduleAlreadyRunning) {
          done.push({ scheduleId: d.scheduleId, action: 'unchanged' });
          continue;
        }
        throw err;
      }
      done.push({ scheduleId: d.scheduleId, action: 'created' });
      continue;
    }
    const stale = current.action.memo?.[FINGERPRINT] !== d.fingerprint;
    const pause = d.paused && !current.state.paused;
    if (stale || pause) {
      await client.schedule.getHandle(d.scheduleId).update((previous) => ({
        spec: specOf(d),
        action: actionOf(d),
        policies: policiesOf(d),
        state: pause
          ? { paused: true, note: 'paused in benchbot.yaml' }
          : { paused: previous.state.paused, ...(previous.state.note ? { note: previous.state.note } : {}) },
      }));
    }
    done.push({ scheduleId: d.scheduleId, action: stale || pause ? 'updated' : 'unchanged' });
  }
  const wanted = new Set(desired.map((d) => d.scheduleId));
  for await (const summary of client.schedule.list()) {
    const memo = summary.memo?.benchbot as Partial<ScheduleMemo> | undefined;
    if (!isTrunkScheduleId(summary.scheduleId) || memo?.taskQueue !== taskQueue) continue;
    if (wanted.has(summary.scheduleId)) continue;
    try {
      await client.schedule.getHandle(summary.scheduleId).delete();
      done.push({ scheduleId: summary.scheduleId, action: 'deleted' });
    } catch (err) {
      // Listing lags behind: a schedule deleted a moment ago may still be listed.
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
  }
  const watchdog = await syncWatchdog(client, desiredWatchdog(config, taskQueue), taskQueue);
  if (watchdog !== null) done.push(watchdog);
  return done;
}

/**
 * The missing-data watchdog's Schedule: created with the first schedule that alerts, deleted with
 * the last. Overlap SKIP keeps one check at a time, so two checks never open the same issue twice;
 * a tick missed while no worker ran is made up once (catch-up window of one interval).
 */
async function syncWatchdog(
  client: Client,
  desired: DesiredWatchdog | null,
  taskQueue: string,
): Promise<{ scheduleId: string; action: SyncAction } | null> {
  const id = watchdogScheduleId(taskQueue);
  const current = await describeOrNull(client, id);
  if (desired === null) {
    if (current === null) return null;
    await client.schedule.getHandle(id).delete();
    return { scheduleId: id, action: 'deleted' };
  }
  const shape = {
    spec: { intervals: [{ every: desired.everySeconds * 1000 }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: WATCHDOG_WORKFLOW_TYPE,
      args: [],
      taskQueue,
      workflowId: id,
      memo: { [FINGERPRINT]: desired.fingerprint },
    },
    policies: { overlap: 'SKIP' as const, catchupWindow: Math.max(60, desired.everySeconds) * 1000 },
  };
  if (current === null) {
    try {
      await client.schedule.create({
        scheduleId: id,
        ...shape,
        memo: { benchbot: { watchdog: true, taskQueue } },
      });
    } catch (err) {
      if (err instanceof ScheduleAlreadyRunning) return { scheduleId: id, action: 'unchanged' };
      throw err;
    }
    return { scheduleId: id, action: 'created' };
  }
  if (current.action.memo?.[FINGERPRINT] === desired.fingerprint)
    return { scheduleId: id, action: 'unchanged' };
  await client.schedule.getHandle(id).update((previous) => ({ ...shape, state: previous.state }));
  return { scheduleId: id, action: 'updated' };
}

export interface ScheduleRow {
  scheduleId: string;
  branch: string;
  when: string;
  strategy: string;
  /** 'active', 'paused' or 'not synced'. */
  state: string;
  note: string | null;
  nextRun: Date | null;
  lastRun: { at: Date; workflowId: string } | null;
}

export async function listSchedules(
  client: Client,
  config: BenchbotConfig,
  taskQueue: string = config.temporal.taskQueue,
): Promise<ScheduleRow[]> {
  const rows: ScheduleRow[] = [];
  for (const d of desiredSchedules(config, taskQueue)) {
    const current = await describeOrNull(client, d.scheduleId);
    const schedule = config.repos.find((r) => r.name === d.repo)?.schedules.find((s) => s.name === d.name);
    const last = current?.info.recentActions.at(-1);
    rows.push({
      scheduleId: d.scheduleId,
      branch: d.branch,
      when: 'everySeconds' in d.spec ? `every ${schedule?.every}` : `cron ${d.spec.cron}`,
      strategy: schedule?.strategy ?? 'latest',
      state: current === null ? 'not synced' : current.state.paused ? 'paused' : 'active',
      note: current?.state.note ?? null,
      nextRun: current?.info.nextActionTimes[0] ?? null,
      lastRun: last ? { at: last.takenAt, workflowId: last.action.workflow.workflowId } : null,
    });
  }
  return rows;
}

function resolve(config: BenchbotConfig, text: string, taskQueue: string): DesiredSchedule {
  const found = findSchedule(desiredSchedules(config, taskQueue), text);
  if (!found.ok) throw new Error(found.error);
  return found.schedule;
}

async function handleOf(client: Client, config: BenchbotConfig, text: string) {
  const d = resolve(config, text, config.temporal.taskQueue);
  if ((await describeOrNull(client, d.scheduleId)) === null) {
    throw new Error(
      `${d.scheduleId} is not in Temporal yet. Fix: run \`benchbot schedules sync\` (npm start does too).`,
    );
  }
  return { id: d.scheduleId, handle: client.schedule.getHandle(d.scheduleId) };
}

/** Pauses (`paused: true`) or resumes a schedule, with a note Temporal keeps beside it. */
export async function setSchedulePaused(
  client: Client,
  config: BenchbotConfig,
  text: string,
  paused: boolean,
  note: string,
): Promise<string> {
  const { id, handle } = await handleOf(client, config, text);
  await (paused ? handle.pause(note) : handle.unpause(note));
  return id;
}

/**
 * A manual run of the schedule: started directly, not through the Schedule, so its overlap policy
 * and pause do not apply and the run knows it was asked for (manual runs ignore the queue depth).
 */
export async function triggerSchedule(
  client: Client,
  config: BenchbotConfig,
  text: string,
  options: { taskQueue?: string; now?: Date } = {},
): Promise<{ workflowId: string }> {
  const d = resolve(config, text, options.taskQueue ?? config.temporal.taskQueue);
  const workflowId = `${d.workflowIdPrefix}:manual:${(options.now ?? new Date()).toISOString()}`;
  await client.workflow.start(TRUNK_WORKFLOW_TYPE, {
    taskQueue: d.taskQueue,
    workflowId,
    args: [{ ...d.input, reason: 'manual' }],
  });
  return { workflowId };
}
