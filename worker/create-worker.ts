import { fileURLToPath } from 'node:url';
import { type NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createTriggerActivities } from '../activities/trigger-validation.js';
import type { BenchbotConfig } from '../core/config/index.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface WorkerOptions {
  connection: NativeConnection;
  config: BenchbotConfig;
  /** Defaults to config.temporal.taskQueue; tests give each suite its own. */
  taskQueue?: string;
  /** A prebuilt bundle skips the (seconds-long) webpack step; tests build one per run. */
  workflowBundle?: WorkflowBundleOption;
}

export function createWorker({
  connection,
  config,
  taskQueue,
  workflowBundle,
}: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: taskQueue ?? config.temporal.taskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: { ...createTriggerActivities(config) },
  });
}
