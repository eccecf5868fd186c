import type { TestProject } from 'vitest/node';
import { type PostgresServer, startPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    postgresWrongPasswordUrl: string;
  }
}

let server: PostgresServer | null = null;

/**
 * One real PostgreSQL server per test run (initdb + pg_ctl, about a second), shared by every test
 * file; each file works in a database of its own (freshDatabase), so files do not interfere.
 */
export async function setup(project: TestProject): Promise<void> {
  server = await startPostgres();
  project.provide('postgresAdminUrl', server.adminUrl);
  project.provide('postgresWrongPasswordUrl', server.wrongPasswordUrl);
}

export async function teardown(): Promise<void> {
  await server?.remove();
}
