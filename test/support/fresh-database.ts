import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDatabase } from './postgres.js';

/**
 * A new, empty database on the test run's PostgreSQL server, returned as a superuser URL. The
 * random suffix keeps files (and repeated calls in one file) apart; the databases go with the
 * server at the end of the run.
 */
export function freshDatabase(prefix: string): Promise<string> {
  return createDatabase(inject('postgresAdminUrl'), `${prefix}_${randomBytes(4).toString('hex')}`);
}
