import { ActivityCancellationType, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { JobActivities } from '../activities/job-activities.js';
import {
  CODE_UNDER_TEST_FAILURE,
  INVALID_REQUEST,
  UNKNOWN_REF,
  UNKNOWN_REPOSITORY,
} from '../core/request/contract.js';
import { jobsTaskQueue, sharedJobsTaskQueue } from '../core/task-queues.js';

/** Mistakes of the user or the config: retrying changes nothing, so they fail at once. */
export const NON_RETRYABLE_USER_ERRORS = [UNKNOWN_REF, UNKNOWN_REPOSITORY, INVALID_REQUEST];

/**
 * Short activities heartbeat while they run (worker/heartbeat-while-running.ts): a killed worker's
 * calls are retried after this, not after the start-to-close timeout, which has to leave room for
 * GitHub's retry-after waits.
 */
export const HEARTBEAT_TIMEOUT = '15 seconds';

/**
 * Workflows from this patch on send each job to its platform's task queue (a worker serves only
 * the platforms it reaches, with the platform's slots); older ones keep the shared jobs queue.
 */
export const PER_PLATFORM_JOB_QUEUES_PATCH = 'per-platform-job-queues';

/**
 * Benchmark jobs run on their own task queue (the platform's, or the shared one for `null`), whose
 * workers take only as many at once as there are runner slots: Temporal holds the line, so a
 * waiting job costs nothing and survives any restart. The heartbeat timeout is what notices a dead
 * worker; the retry resumes from the runner's checkpoint. A failure of the code under test is final.
 */
export function jobActivities(platform: string | null) {
  const queue = workflowInfo().taskQueue;
  return proxyActivities<JobActivities>({
    taskQueue: platform === null ? sharedJobsTaskQueue(queue) : jobsTaskQueue(queue, platform),
    startToCloseTimeout: '48 hours',
    heartbeatTimeout: '30 seconds',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      maximumAttempts: 5,
      nonRetryableErrorTypes: [CODE_UNDER_TEST_FAILURE, ...NON_RETRYABLE_USER_ERRORS],
    },
  });
}
