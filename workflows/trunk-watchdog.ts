import { ApplicationFailure, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { MissingDataCheck, TrunkWatchActivities } from '../activities/trunk-watch-activities.js';
import { HEARTBEAT_TIMEOUT, NON_RETRYABLE_USER_ERRORS } from './activity-policy.js';

export type WatchdogOutcome = Array<{
  repo: string;
  schedule: string;
  check: MissingDataCheck | { state: 'error'; message: string };
}>;

const watch = proxyActivities<TrunkWatchActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  // The next tick checks again: a check that keeps failing must not hold the others up.
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE_USER_ERRORS },
});

/**
 * One tick of the missing-data watchdog, started by its own Temporal Schedule: checks every trunk
 * schedule that alerts on missing data. It runs whether or not any trunk run does, so it also
 * notices a paused schedule and, once the worker is back, the time it was down.
 */
export async function trunkWatchdog(): Promise<WatchdogOutcome> {
  const outcome: WatchdogOutcome = [];
  for (const watched of await watch.listWatchedSchedules()) {
    try {
      outcome.push({ ...watched, check: await watch.checkMissingData(watched) });
    } catch (err) {
      if (isCancellation(err)) throw err;
      const cause = err instanceof Error && err.cause instanceof ApplicationFailure ? err.cause : err;
      outcome.push({
        ...watched,
        check: { state: 'error', message: cause instanceof Error ? cause.message : String(cause) },
      });
    }
  }
  return outcome;
}
