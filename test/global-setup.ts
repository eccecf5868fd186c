import type { TestProject } from 'vitest/node';
import type { DevServer } from '../starter/dev-server.js';
import { type PostgresServer, startPostgres } from './support/postgres.js';
import { startTestTemporal } from './support/temporal-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    /** Superuser URL of the run's PostgreSQL server; test files take a database each with freshDatabase(). */
    postgresAdminUrl: string;
    /** postgresAdminUrl with a wrong password, for authentication-failure tests. */
    postgresWrongPasswordUrl: string;
  }
}

let temporal: DevServer | null = null;
let postgres: PostgresServer | null = null;

/**
 * One real `temporal server start-dev` per test run, in memory and headless, on ports picked free
 * at start. Suites isolate themselves with their own task queues and workflow ids, so they do not
 * depend on the order they run in.
 */
async function startTemporal(project: TestProject): Promise<void> {
  temporal = await startTestTemporal();
  project.provide('temporalAddress', temporal.address);
}

/** One real PostgreSQL server per test run; each test file works in a database of its own. */
async function startTestPostgres(project: TestProject): Promise<void> {
  postgres = await startPostgres();
  project.provide('postgresAdminUrl', postgres.adminUrl);
  project.provide('postgresWrongPasswordUrl', postgres.wrongPasswordUrl);
}

export async function setup(project: TestProject): Promise<void> {
  // Side by side, so a run waits for the slower of the two servers rather than for both. If one
  // fails, vitest still runs teardown, which stops the other.
  const started = await Promise.allSettled([startTemporal(project), startTestPostgres(project)]);
  for (const result of started) if (result.status === 'rejected') throw result.reason;
}

export async function teardown(): Promise<void> {
  await Promise.all([temporal?.stop(), postgres?.remove()]);
}
