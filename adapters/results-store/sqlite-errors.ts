import Database from 'better-sqlite3';
import { ResultsStoreError } from './store.js';

/** How long a writer waits for another process's transaction before giving up. */
export const BUSY_TIMEOUT_MS = 10_000;

/** SQLite's failures in words that name the file and what to do; anything else passes through. */
export function sqliteStoreError(error: unknown, file: string, action: string): unknown {
  if (error instanceof ResultsStoreError) return error;
  if (error instanceof Database.SqliteError) {
    const code = error.code;
    const what = `${action} failed`;
    if (code.startsWith('SQLITE_READONLY')) {
      return new ResultsStoreError(
        'read-only',
        `${what}: ${file} is read-only (${error.message}); make the file, its -wal/-shm files and its folder writable by the benchbot worker, or point results.path elsewhere`,
        { cause: error },
      );
    }
    if (code === 'SQLITE_FULL') {
      return new ResultsStoreError(
        'disk-full',
        `${what}: the disk holding ${file} is full (${error.message}); free space there or point results.path at a bigger disk`,
        { cause: error },
      );
    }
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      return new ResultsStoreError(
        'busy',
        `${what}: ${file} stayed locked by another process for ${BUSY_TIMEOUT_MS / 1000}s; retry, and check nothing holds a long write transaction on it`,
        { cause: error },
      );
    }
    if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
      return new ResultsStoreError(
        'not-a-results-database',
        `${what}: ${file} is not a usable SQLite database (${error.message}); move it aside or point results.path at another file`,
        { cause: error },
      );
    }
    if (code.startsWith('SQLITE_CONSTRAINT')) {
      return new ResultsStoreError(
        'invalid-run',
        `${what}: the run breaks a rule of ${file} (${error.message}); check the results it carries, e.g. with benchbot's results parser`,
        { cause: error },
      );
    }
    if (
      code.startsWith('SQLITE_CANTOPEN') ||
      code.startsWith('SQLITE_PERM') ||
      code.startsWith('SQLITE_IOERR')
    ) {
      return new ResultsStoreError(
        'cannot-open',
        `${what}: cannot use ${file} (${error.message}); check that its folder exists and is readable and writable by the benchbot worker`,
        { cause: error },
      );
    }
    return error;
  }
  if (error instanceof TypeError && /directory does not exist/.test(error.message)) {
    return new ResultsStoreError(
      'cannot-open',
      `${action} failed: the folder of ${file} does not exist; create it or point results.path elsewhere`,
      { cause: error },
    );
  }
  return error;
}
