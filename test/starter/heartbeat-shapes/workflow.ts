import { condition, defineQuery, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { RequestOutcome } from '../../../core/request/types.js';
import type { statusQuery as requestStatusQuery } from '../../../workflows/index.js';

/** The request workflow's status query, by name: what `benchbot run` asks while it follows. */
export const statusQuery: typeof requestStatusQuery = defineQuery('status');
export const answerSignal = defineSignal('answer');

const { runJob } = proxyActivities<{ runJob(): Promise<void> }>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '30 seconds',
});

/**
 * Stands in for a benchmark request's job so a follower meets each heartbeat shape in turn. Its
 * status query fails until the `answer` signal: a worker that cannot answer yet.
 */
export async function heartbeatShapes(): Promise<RequestOutcome> {
  let answering = false;
  setHandler(answerSignal, () => {
    answering = true;
  });
  setHandler(statusQuery, () => {
    if (!answering) throw new Error('not answering yet');
    return { state: 'running', queuePosition: null };
  });
  await condition(() => answering);
  await runJob();
  return { outcome: 'done', summary: '1 faster', report: 'the report', runId: 'run-1' };
}
