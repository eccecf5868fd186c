import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { appendFile, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { findPostgresBin } from '../../scripts/postgres-bin.mjs';

// A real, throwaway PostgreSQL server for tests: initdb in a fresh temp directory, pg_ctl on a
// free port. Its data survives stop() and start(), so a test can kill the server in the middle of
// a write and bring it back as a crashed production database would come back.

const run = promisify(execFile);

export interface PostgresServer {
  readonly port: number;
  readonly dataDir: string;
  /** The superuser, with its password, on the `postgres` database. */
  readonly adminUrl: string;
  /** adminUrl with a wrong password: connecting fails with SQLSTATE 28P01. */
  readonly wrongPasswordUrl: string;
  /** The superuser's URL for a database (default `postgres`). */
  url(database?: string): string;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  /** `fast` rolls back open transactions and shuts down cleanly; `immediate` is a crash. No-op when stopped. */
  stop(options?: { mode?: 'fast' | 'immediate' }): Promise<void>;
  /** Starts it again on the same port and data, recovering from the WAL after an immediate stop. */
  start(): Promise<void>;
  /** Stops the server and deletes its directory. */
  remove(): Promise<void>;
}

const SUPERUSER = 'postgres';

/** initdb, pg_ctl and postgres, or an error naming what is missing and how to install it. */
export function requirePostgresBin(where?: { debianRoot?: string; path?: string }): string {
  const dir = findPostgresBin(where);
  if (dir === null) {
    throw new Error(
      "PostgreSQL's initdb, pg_ctl and postgres were not found (in /usr/lib/postgresql/<major>/bin or on PATH). " +
        "Fix: run `npm run setup`, which installs Debian's postgresql package, or install PostgreSQL yourself.",
    );
  }
  return dir;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('could not pick a free port');
  return address.port;
}

/** PostgreSQL refuses to run as root, so root runs it as the `postgres` user that Debian's package creates. */
async function runAsUser(): Promise<{ uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', SUPERUSER]), run('id', ['-g', SUPERUSER])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    throw new Error(
      'the tests run as root, which PostgreSQL refuses, and there is no `postgres` user to run it as. ' +
        "Fix: run `npm run setup` (Debian's postgresql package creates the user), or run the tests as another user.",
    );
  }
}

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

/** Runs one statement on a database's server as the URL's user, with a connection of its own. */
async function execute(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function checkDatabaseName(name: string): void {
  if (!identifier.test(name)) {
    throw new Error(
      `database name ${JSON.stringify(name)} must match ${identifier} (lower case, no quoting needed)`,
    );
  }
}

/** Creates a database through a superuser URL and returns that URL pointed at the new database. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  checkDatabaseName(name);
  await execute(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database, ending the sessions still connected to it (FORCE), as a test's cleanup must. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  checkDatabaseName(name);
  await execute(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = requirePostgresBin();
  const owner = await runAsUser();
  const dir = await mkdtemp(join(tmpdir(), 'benchbot-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const passwordFile = join(dir, 'password');
  const password = randomBytes(12).toString('hex');

  const postgres = async (program: string, args: string[]): Promise<void> => {
    const command = join(bin, program);
    try {
      if (owner === null) await run(command, args);
      else await run('runuser', ['-u', SUPERUSER, '--', command, ...args]);
    } catch (err) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      const { stderr = '', stdout = '' } = err as { stderr?: string; stdout?: string };
      throw new Error(
        `${program} ${args.join(' ')} failed: ${String(err)}\n${stdout}${stderr}${log.split('\n').slice(-20).join('\n')}`,
      );
    }
  };

  let port = 0;
  let running = false;
  const start = async (): Promise<void> => {
    if (running) return;
    await postgres('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60']);
    running = true;
  };
  const stop = async ({ mode = 'fast' }: { mode?: 'fast' | 'immediate' } = {}): Promise<void> => {
    if (!running) return;
    await postgres('pg_ctl', ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '60']);
    running = false;
  };

  try {
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    if (owner !== null) {
      await chown(dir, owner.uid, owner.gid);
      await chown(passwordFile, owner.uid, owner.gid);
    }
    // Sockets use trust (pg_ctl's readiness check needs no password); TCP needs the password, so
    // the authentication-failure path is real. --no-sync only skips initdb's final flush of a
    // directory that is thrown away: the server itself keeps fsync on, as the crash tests need.
    await postgres('initdb', [
      '-D',
      dataDir,
      '-U',
      SUPERUSER,
      `--pwfile=${passwordFile}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C.UTF-8',
      '--no-sync',
    ]);
    // The port can be taken between picking it and binding it (other test runs share the
    // machine), so a failed first start picks another.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      await appendFile(
        join(dataDir, 'postgresql.conf'),
        [
          '# benchbot test harness (later lines win)',
          `port = ${port}`,
          "listen_addresses = '127.0.0.1'",
          `unix_socket_directories = '${dir}'`,
          'max_connections = 200',
          '',
        ].join('\n'),
      );
      try {
        await start();
        break;
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }
  } catch (err) {
    await stop({ mode: 'immediate' }).catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const url = (database = 'postgres', secret = password): string =>
    `postgresql://${SUPERUSER}:${secret}@127.0.0.1:${port}/${encodeURIComponent(database)}`;

  return {
    port,
    dataDir,
    adminUrl: url(),
    wrongPasswordUrl: url('postgres', `not-${password}`),
    url: (database) => url(database),
    createDatabase: (name) => createDatabase(url(), name),
    dropDatabase: (name) => dropDatabase(url(), name),
    stop,
    start,
    async remove() {
      await stop({ mode: 'immediate' });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
