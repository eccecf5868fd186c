import type { Client } from '@temporalio/client';
import type { MetricMeter } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { Logger } from 'pino';
import { openRequestsQuery } from '../core/request/contract.js';
import { ACTIVE_REQUEST_STATES } from '../core/search-attributes.js';
import { samplePeriodically } from './periodic-sample.js';

// @temporalio/proto is CommonJS: its namespace comes in as the default export under ESM.
const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;

export interface RequestMetricsOptions {
  client: Client;
  meter: MetricMeter;
  /** The queues benchmark jobs wait on for a runner slot, with this worker's slots on each. */
  jobsQueues: { name: string; slots: number }[];
  intervalMs: number;
  logger: Logger;
}

/**
 * Requests by state and the depth of the job queue, read from Temporal (the one source of truth,
 * shared by every worker) and exported as gauges beside Temporal's own metrics. Every worker
 * replica exports the same figures; aggregate them with max, not sum.
 */
export function startRequestMetrics(options: RequestMetricsOptions): { stop(): Promise<void> } {
  const { client, meter, logger } = options;
  const requests = meter.createGauge(
    'benchbot_requests',
    'int',
    'requests',
    'open benchmark requests by state (finished ones: benchbot_requests_finished)',
  );
  const depth = meter.createGauge(
    'benchbot_queue_depth',
    'int',
    'jobs',
    'benchmark jobs (requests and trunk runs) waiting for a runner slot',
  );
  const oldest = meter.createGauge(
    'benchbot_queue_oldest_seconds',
    'float',
    's',
    'how long the longest-waiting benchmark job has waited for a runner slot',
  );
  const slots = meter.createGauge(
    'benchbot_runner_slots',
    'int',
    'slots',
    'runner slots of this worker per jobs queue (the platform slots, or executor.slots)',
  );
  for (const queue of options.jobsQueues) slots.set(queue.slots, { taskQueue: queue.name });

  const sample = async () => {
    const counts = await Promise.all(
      ACTIVE_REQUEST_STATES.map((state) => client.workflow.count(openRequestsQuery([state]))),
    );
    ACTIVE_REQUEST_STATES.forEach((state, i) => {
      requests.set(counts[i]?.count ?? 0, { state });
    });
    for (const queue of options.jobsQueues) {
      const { stats } = await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: queue.name, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        reportStats: true,
      });
      const tags = { taskQueue: queue.name };
      depth.set(Number(stats?.approximateBacklogCount ?? 0), tags);
      const age = stats?.approximateBacklogAge;
      oldest.set(Number(age?.seconds ?? 0) + (age?.nanos ?? 0) / 1e9, tags);
    }
  };

  // A Temporal outage is reported by the health endpoint; one warning per outage is enough here.
  return samplePeriodically(sample, options.intervalMs, (err) =>
    logger.warn({ err }, 'could not read request metrics from Temporal'),
  );
}
