import { ResultsStoreError } from './store.js';

// PostgreSQL's and the network's failures in words that name the server, the problem and the fix.
// The kind decides what the workflow does: 'invalid-run' is final, the others keep the run in the
// workflow and retry until it lands.

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  // admin_shutdown, crash_shutdown, cannot_connect_now (starting up or shutting down), too_many_connections
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** `postgres://user@host:port/db`: the URL as messages may show it, password removed. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    parsed.search = '';
    return parsed.toString();
  } catch {
    return 'the database URL (unparseable)';
  }
}

export function postgresStoreError(error: unknown, where: string, action: string): unknown {
  if (error instanceof ResultsStoreError) return error;
  if (!(error instanceof Error)) return error;
  const code = codeOf(error);
  const what = `${action} failed`;
  const typed = (kind: ConstructorParameters<typeof ResultsStoreError>[0], message: string) =>
    new ResultsStoreError(kind, `${what}: ${message}`, { cause: error });
  if (
    (code !== undefined && (UNREACHABLE_CODES.has(code) || code.startsWith('08'))) ||
    /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error/i.test(
      error.message,
    )
  ) {
    return typed(
      'unreachable',
      `cannot reach PostgreSQL at ${where} (${error.message}); check that the server is up and reachable from the worker, then it retries by itself`,
    );
  }
  if (code === '28P01' || code === '28000') {
    return typed(
      'authentication-failed',
      `PostgreSQL at ${where} refused the credentials (${error.message}); fix the user and password in the URL that results.urlEnv names`,
    );
  }
  if (code === '25006') {
    return typed(
      'read-only',
      `PostgreSQL at ${where} is read-only (${error.message}); point the URL at the primary, not a replica`,
    );
  }
  if (code === '53100') {
    return typed(
      'disk-full',
      `the disk of PostgreSQL at ${where} is full (${error.message}); free space there`,
    );
  }
  if (code === '40P01' || code === '40001' || code === '55P03') {
    return typed('busy', `PostgreSQL at ${where} aborted the transaction (${error.message}); it is retried`);
  }
  if (code === '3D000' || code === '42501' || code === '42P01') {
    return typed(
      'cannot-open',
      `cannot use the database at ${where} (${error.message}); create it and grant the user the right to create tables in it`,
    );
  }
  if (code !== undefined && (code.startsWith('23') || code.startsWith('22'))) {
    return typed(
      'invalid-run',
      `the run breaks a rule of the results store at ${where} (${error.message}); check the results it carries`,
    );
  }
  return error;
}
