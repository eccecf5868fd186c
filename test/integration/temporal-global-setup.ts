import { Connection } from '@temporalio/client';
import type { TestProject } from 'vitest/node';
import { type DevServer, startDevServer } from '../../starter/dev-server.js';
import { registerSearchAttributes } from '../../starter/register-search-attributes.js';
import { temporalCliPath } from '../../starter/temporal-cli.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

let server: DevServer | null = null;

/**
 * One real `temporal server start-dev` per test run, in memory and headless, on ports picked free
 * at start. Suites isolate themselves with their own task queues and workflow ids, so they do not
 * depend on the order they run in.
 */
export async function setup(project: TestProject): Promise<void> {
  server = await startDevServer({
    temporalPath: temporalCliPath(),
    dbFile: null,
    namespace: 'default',
    port: 0,
    uiPort: null,
  });
  const connection = await Connection.connect({ address: server.address });
  try {
    await registerSearchAttributes(connection, 'default');
  } finally {
    await connection.close();
  }
  project.provide('temporalAddress', server.address);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
