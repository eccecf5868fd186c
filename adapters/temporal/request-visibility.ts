import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { BenchbotConfig } from '../../core/config/index.js';
import { DONE_REQUESTS_QUERY, openRequestsQuery, visibilityLiteral } from '../../core/request/contract.js';
import {
  type QueueEntry,
  queueRows,
  renderQueueMarkdown,
  renderQueueText,
} from '../../core/request/queue.js';
import {
  ACTIVE_REQUEST_STATES,
  BENCHMARKS,
  PULL_REQUEST,
  REPOSITORY,
  REQUESTER,
  STATE,
} from '../../core/search-attributes.js';

function toEntry(info: WorkflowExecutionInfo): QueueEntry {
  const attrs = info.typedSearchAttributes;
  return {
    workflowId: info.workflowId,
    repo: attrs.get(REPOSITORY) ?? '?',
    pr: attrs.get(PULL_REQUEST) ?? null,
    benchmarks: attrs.get(BENCHMARKS) ?? [],
    requester: attrs.get(REQUESTER) ?? '?',
    state: attrs.get(STATE) ?? 'queued',
    requestedAt: info.startTime.toISOString(),
  };
}

async function collect(client: Client, query: string, limit = 1000): Promise<WorkflowExecutionInfo[]> {
  const found: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({ query })) {
    found.push(info);
    if (found.length >= limit) break;
  }
  return found;
}

/** Active requests across repositories, from Temporal visibility (no second source of truth). */
export async function activeRequests(client: Client, extra = ''): Promise<QueueEntry[]> {
  const query = `${openRequestsQuery(ACTIVE_REQUEST_STATES)}${extra}`;
  return (await collect(client, query)).map(toEntry);
}

/** The open requests of one requester. */
export async function activeRequestsBy(client: Client, requester: string): Promise<QueueEntry[]> {
  return activeRequests(client, ` AND BenchbotRequester = ${visibilityLiteral(requester)}`);
}

/** The open requests on one pull request. */
export async function activeRequestsOnPullRequest(
  client: Client,
  repo: string,
  pr: number,
): Promise<QueueEntry[]> {
  return activeRequests(
    client,
    ` AND BenchbotRepository = ${visibilityLiteral(repo)} AND BenchbotPullRequest = ${pr}`,
  );
}

/** How long recent runs held a slot (recorded in each finished request's memo). */
async function recentRunSeconds(client: Client): Promise<number[]> {
  const done = await collect(client, DONE_REQUESTS_QUERY, 20);
  return done.map((info) => info.memo?.jobSeconds).filter((s): s is number => typeof s === 'number');
}

export async function queueTable(
  client: Client,
  config: BenchbotConfig,
  format: 'markdown' | 'text',
): Promise<string> {
  const [entries, durations] = await Promise.all([activeRequests(client), recentRunSeconds(client)]);
  const rows = queueRows(entries, new Date(), durations, config.executor.slots);
  return format === 'markdown' ? renderQueueMarkdown(rows) : renderQueueText(rows);
}
