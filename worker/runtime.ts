import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';
import { temporalLoggerFor } from './logger.js';

/**
 * Installs the process-wide Temporal runtime: structured logs, and Prometheus metrics (task
 * latencies, schedule-to-start, activity failures, sticky cache) when an address is given.
 * Must run before the first connection is made.
 */
export function installRuntime(logger: Logger, metricsAddress: string | null): void {
  Runtime.install({
    logger: temporalLoggerFor(logger),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
    },
  });
}
