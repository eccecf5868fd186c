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

// Unlike withWorker, workers here are started and stopped by the test itself, on a task queue it
// chooses, so a test can take the worker away while the poller's timers keep firing and bring a
// new one up on the same queue.

let bundle: Promise<WorkflowBundleWithSourceMap> | null = null;
let runtimeInstalled = false;

export interface RunningWorkers {
  stop(): Promise<void>;
}

export async function startTestWorkers(
  config: BenchbotConfig,
  taskQueue: string,
  env: NodeJS.ProcessEnv,
): Promise<RunningWorkers> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  bundle ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: {
      log: () => {},
      trace: () => {},
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: console.error,
    },
  });
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const workers = await createWorkers({
    connection,
    config,
    env,
    logger: pino({ level: 'silent' }),
    uiUrl: null,
    taskQueue,
    workflowBundle: await bundle,
    retryAfterUnitMs: 10,
    statusEditIntervalMs: 2_000,
  });
  const running = workers.run();
  return {
    async stop() {
      workers.shutdown();
      await running;
      await connection.close();
    },
  };
}

export async function testClient(): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  return { client: new Client({ connection }), close: () => connection.close() };
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
