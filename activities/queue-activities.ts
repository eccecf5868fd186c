import { Context } from '@temporalio/activity';
import {
  activeRequests,
  activeRequestsBy,
  activeRequestsOnPullRequest,
  queueTable,
} from '../adapters/temporal/request-visibility.js';
import type { BenchbotConfig } from '../core/config/index.js';
import { SIGNAL } from '../core/request/contract.js';
import { type QueueEntry, queueRows } from '../core/request/queue.js';

export function createQueueActivities(config: BenchbotConfig) {
  const client = () => Context.current().client;
  return {
    async renderQueue(): Promise<string> {
      return queueTable(client(), config, 'markdown');
    },

    /** This request's place in line among waiting requests (1 = next); null once it is not waiting. */
    async queuePosition(input: { workflowId: string }): Promise<number | null> {
      const rows = queueRows(await activeRequests(client()), new Date(), [], config.executor.slots);
      const row = rows.find((r) => r.workflowId === input.workflowId);
      return row && row.position > 0 ? row.position : null;
    },

    async countActiveRequestsBy(input: { requester: string; excludeWorkflowId: string }): Promise<number> {
      const mine = await activeRequestsBy(client(), input.requester);
      return mine.filter((e) => e.workflowId !== input.excludeWorkflowId).length;
    },

    async activeRequestsOnPullRequest(input: { repo: string; pr: number }): Promise<QueueEntry[]> {
      return activeRequestsOnPullRequest(client(), input.repo, input.pr);
    },

    /** Tells each request who cancelled it (for its status comment), then cancels it. */
    async cancelRequests(input: { workflowIds: string[]; cancelledBy: string }): Promise<void> {
      for (const workflowId of input.workflowIds) {
        const handle = client().workflow.getHandle(workflowId);
        await handle.signal<[string]>(SIGNAL.cancelledBy, input.cancelledBy);
        await handle.cancel();
      }
    },
  };
}

export type QueueActivities = ReturnType<typeof createQueueActivities>;
