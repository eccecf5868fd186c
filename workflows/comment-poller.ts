import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { PollerActivities } from '../activities/poller-activities.js';
import {
  applyCycle,
  initialPollerState,
  type PollerState,
  type PollerStatus,
  pollerStatus,
} from '../core/poller/state.js';
import { QUERY, SIGNAL } from '../core/request/contract.js';
import { HEARTBEAT_TIMEOUT } from './activity-policy.js';

export interface CommentPollerInput {
  repo: string;
  intervalSeconds: number;
  /** Carried across continue-as-new, and from a stopped poller to its next start. */
  state?: PollerState;
  /** Where BenchmarkRequests start; default this poller's own task queue (the main worker's). */
  requestTaskQueue?: string;
  /** Cycles per run before continue-as-new (each cycle adds about 11 history events). */
  cyclesPerRun?: number;
}

export const pollerStatusQuery = defineQuery<PollerStatus>(QUERY.pollerStatus);
/** Changes the interval of a running poller (`benchbot poller start --interval`). */
export const setPollIntervalSignal = defineSignal<[number]>(SIGNAL.setPollInterval);

const DEFAULT_CYCLES_PER_RUN = 250;

// A failed listing (GitHub down, secondary limit beyond Octokit's own waits) is retried with
// backoff for as long as it takes; the cursor only moves when a cycle completes, so nothing is lost.
const poller = proxyActivities<PollerActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Long-running poller of one repository's PR comments. Stopping is a cancellation: the poller
 * finishes with its state as the result, which the next `poller start` resumes from.
 */
export async function commentPoller(input: CommentPollerInput): Promise<PollerState> {
  let state = input.state ?? initialPollerState(input.repo, Date.now());
  let intervalSeconds = input.intervalSeconds;
  let nextDelaySeconds = intervalSeconds;
  let intervalChanged = false;
  setHandler(setPollIntervalSignal, (seconds) => {
    intervalSeconds = seconds;
    intervalChanged = true;
  });
  setHandler(pollerStatusQuery, () => pollerStatus(state, intervalSeconds, nextDelaySeconds));
  const requestTaskQueue = input.requestTaskQueue ?? workflowInfo().taskQueue;
  const cyclesPerRun = input.cyclesPerRun ?? DEFAULT_CYCLES_PER_RUN;

  try {
    for (let cycle = 0; ; cycle++) {
      if (cycle >= cyclesPerRun || workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof commentPoller>({ ...input, intervalSeconds, state });
      }
      const result = await poller.pollComments({
        repo: input.repo,
        cursor: state.cursor,
        etag: state.etag,
        intervalSeconds,
        requestTaskQueue,
      });
      const applied = applyCycle(state, result, Date.now());
      state = applied.state;
      if (applied.finishedHour) {
        log.info('GitHub requests of the comment poller in the last hour', {
          repository: input.repo,
          ...applied.finishedHour,
          rateLimit: state.budget,
        });
      }
      nextDelaySeconds = result.delaySeconds;
      intervalChanged = false;
      await condition(() => intervalChanged, Math.max(1, Math.round(nextDelaySeconds * 1000)));
    }
  } catch (err) {
    if (isCancellation(err)) return state;
    throw err;
  }
}
