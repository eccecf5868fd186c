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

export interface RunningWorkers {
  taskQueue: string;
  stop(): Promise<void>;
}

/**
 * Real workers (main and jobs) on the shared test server, on a task queue of their own unless
 * told one, until `stop()`: a test can take them away while timers keep firing and bring new ones
 * up on the same queue.
 */
export async function startTestWorkers(
  config: BenchbotConfig,
  options: HarnessOptions = {},
): Promise<RunningWorkers> {
  if (!runtimeInstalled) {
    // Worker state changes at INFO would bury the test report; warnings and errors still show.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
  const workflowBundle = await bundle;
  const taskQueue = options.taskQueue ?? `test-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const workers = await createWorkers({
    connection,
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
  return {
    taskQueue,
    async stop() {
      workers.shutdown();
      await running;
      await connection.close();
    },
  };
}

/** Runs `fn` with workers started as by startTestWorkers, and stops them afterwards (even when `fn` throws). */
export async function withWorker<T>(
  config: BenchbotConfig,
  fn: (h: Harness) => Promise<T>,
  options: HarnessOptions = {},
): Promise<T> {
  const workers = await startTestWorkers(config, options);
  const { client, close } = await testClient(config.temporal.namespace);
  try {
    return await fn({ client, taskQueue: workers.taskQueue });
  } finally {
    await workers.stop();
    await close();
  }
}

export async function testClient(
  namespace = 'default',
): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  return { client: new Client({ connection, namespace }), close: () => connection.close() };
}

/** Polls `check` until it returns a value other than undefined, null or false, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const quietBundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
