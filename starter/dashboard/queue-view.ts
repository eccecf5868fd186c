import type { Client } from '@temporalio/client';
import { activeRequests } from '../../adapters/temporal/request-visibility.js';
import type { BenchbotConfig } from '../../core/config/index.js';
import type { QueueView } from '../../core/dashboard/index.js';
import { queueRows } from '../../core/request/queue.js';
import { workflowUrl } from '../../core/request/workflow-url.js';

/** The live queue from Temporal visibility, each request linked to the Temporal Web UI. */
export async function queueView(
  client: Client,
  config: BenchbotConfig,
  uiUrl: string | null,
): Promise<QueueView> {
  try {
    const rows = queueRows(await activeRequests(client), new Date(), [], config.executor.slots);
    const links = Object.fromEntries(
      rows.map((r) => [r.workflowId, workflowUrl(uiUrl, config.temporal.namespace, r.workflowId)]),
    );
    return { rows, links, problem: null };
  } catch (err) {
    return { rows: [], links: {}, problem: `cannot read Temporal visibility: ${(err as Error).message}` };
  }
}
