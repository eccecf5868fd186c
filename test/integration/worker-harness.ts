import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { pino } from 'pino';
import { inject } from 'vitest';
import type { BenchbotConfig } from '../../core/config/index.js';
import { createWorkers, WORKFLOWS_PATH } from '../../worker/create-worker.js';

let bundle: Promise<WorkflowBundleWithSourceMap> | null = null;
let runtimeInstalled = false;

export interface Harness {
  client: Client;
  taskQueue: string;
}

export interface HarnessOptions {
  env?: NodeJS.ProcessEnv;
  uiUrl?: string | null;
  /** Another worker's queue, to run two workers side by side; a fresh one by default. */
  taskQueue?: string;
}

/**
 * Runs `fn` with real workers (main and jobs) on the shared test server, on a task queue of their
 * own, and shuts them down afterwards (even when `fn` throws).
 */
export async function withWorker<T>(
  config: BenchbotConfig,
  fn: (h: Harness) => Promise<T>,
  options: HarnessOptions = {},
): Promise<T> {
  const address = inject('temporalAddress');
  if (!runtimeInstalled) {
    // Worker state changes at INFO would bury the test report; warnings and errors still show.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
  const workflowBundle = await bundle;
  const taskQueue = options.taskQueue ?? `test-${randomUUID()}`;
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const workers = await createWorkers({
    connection: nativeConnection,
    config,
    env: options.env ?? {},
    logger: pino({ level: 'warn' }),
    uiUrl: options.uiUrl ?? null,
    taskQueue,
    workflowBundle,
    retryAfterUnitMs: 10,
    statusEditIntervalMs: 2_000,
  });
  const running = workers.run();
  try {
    return await fn({ client: new Client({ connection, namespace: config.temporal.namespace }), taskQueue });
  } finally {
    workers.shutdown();
    await running;
    await connection.close();
    await nativeConnection.close();
  }
}

const quietBundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
