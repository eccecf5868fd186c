import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { inject } from 'vitest';
import type { BenchbotConfig } from '../../core/config/index.js';
import { createWorker, WORKFLOWS_PATH } from '../../worker/create-worker.js';

let bundle: Promise<WorkflowBundleWithSourceMap> | null = null;
let runtimeInstalled = false;

export interface Harness {
  client: Client;
  taskQueue: string;
}

/**
 * Runs `fn` with a real worker on the shared test server, on a task queue of its own, and shuts
 * the worker down afterwards (even when `fn` throws).
 */
export async function withWorker<T>(config: BenchbotConfig, fn: (h: Harness) => Promise<T>): Promise<T> {
  const address = inject('temporalAddress');
  if (!runtimeInstalled) {
    // Worker state changes at INFO would bury the test report; warnings and errors still show.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
  const workflowBundle = await bundle;
  const taskQueue = `test-${randomUUID()}`;
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const worker = await createWorker({ connection: nativeConnection, config, taskQueue, workflowBundle });
  try {
    return await worker.runUntil(
      fn({ client: new Client({ connection, namespace: config.temporal.namespace }), taskQueue }),
    );
  } finally {
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
