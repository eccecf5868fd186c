import { ActivityCancellationType, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { JobActivities } from '../activities/job-activities.js';

/** Mistakes of the user or the config: retrying changes nothing, so they fail at once. */
export const NON_RETRYABLE_USER_ERRORS = ['UnknownRef', 'UnknownRepository', 'InvalidRequest'];

/**
 * Short activities heartbeat while they run (worker/heartbeat-while-running.ts): a killed worker's
 * calls are retried after this, not after the start-to-close timeout, which has to leave room for
 * GitHub's retry-after waits.
 */
export const HEARTBEAT_TIMEOUT = '15 seconds';

/**
 * Benchmark jobs run on their own task queue, whose worker takes only as many at once as there are
 * runner slots: Temporal holds the line, so a waiting job costs nothing and survives any restart.
 * The heartbeat timeout is what notices a dead worker; the retry resumes from the runner's
 * checkpoint. A failure of the code under test is final.
 */
export function jobActivities() {
  return proxyActivities<JobActivities>({
    taskQueue: `${workflowInfo().taskQueue}-jobs`,
    startToCloseTimeout: '48 hours',
    heartbeatTimeout: '30 seconds',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      maximumAttempts: 5,
      nonRetryableErrorTypes: ['CodeUnderTestFailure', ...NON_RETRYABLE_USER_ERRORS],
    },
  });
}
