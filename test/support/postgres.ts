import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import {
  appendFile,
  chown,
  mkdir,
  mkdtemp,
  readFile,
  realpath,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { findPostgresBin } from '../../scripts/postgres-bin.mjs';

// A real, throwaway PostgreSQL server for tests: a fresh data directory in a temp directory, pg_ctl
// on a free port. Its data survives stop() and start(), so a test can kill the server in the middle
// of a write and bring it back as a crashed production database would come back.
//
// initdb takes 1 s on an idle machine and 3-5 s on a busy one, so it runs once per PostgreSQL
// version into a per-user cache, and each server starts from a copy of that (a 40 MB copy).

const run = promisify(execFile);

export interface PostgresServer {
  readonly port: number;
  readonly dataDir: string;
  /** The server's log, kept across restarts: crash recovery, errors and the reasons a start failed. */
  readonly logFile: string;
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

interface Owner {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root, so root runs it as the `postgres` user that Debian's package creates. */
async function runAsUser(): Promise<Owner | null> {
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

/** Runs a PostgreSQL program (as `owner` when set); a failure carries its output and the server log's tail. */
async function runProgram(
  bin: string,
  owner: Owner | null,
  program: string,
  args: string[],
  logFile?: string,
): Promise<string> {
  const command = join(bin, program);
  try {
    const { stdout } =
      owner === null
        ? await run(command, args)
        : await run('runuser', ['-u', SUPERUSER, '--', command, ...args]);
    return stdout;
  } catch (err) {
    const { stderr = '', stdout = '' } = err as { stderr?: string; stdout?: string };
    const log = logFile === undefined ? '' : await readFile(logFile, 'utf8').catch(() => '');
    throw new Error(
      `${program} ${args.join(' ')} failed: ${String(err)}\n${stdout}${stderr}${log.split('\n').slice(-20).join('\n')}`,
    );
  }
}

// Sockets use trust (pg_ctl's readiness check needs no password); TCP needs the password, so the
// authentication-failure path is real. --no-sync only skips initdb's final flush of a directory
// that is copied before use: the server itself keeps fsync on, as the crash tests need.
const INITDB_ARGS = [
  '-U',
  SUPERUSER,
  '--auth-local=trust',
  '--auth-host=scram-sha-256',
  '--encoding=UTF8',
  '--locale=C.UTF-8',
  '--no-sync',
];

/** A temp directory that `owner` (the user PostgreSQL runs as) owns. */
async function ownedTempDir(prefix: string, owner: Owner | null): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  if (owner !== null) await chown(dir, owner.uid, owner.gid);
  return dir;
}

/**
 * The cached initdb output for this PostgreSQL and these initdb arguments, made on first use.
 * Concurrent test runs each build one and the first rename wins, so nobody sees a partial one.
 */
async function template(bin: string, owner: Owner | null): Promise<{ dataDir: string; password: string }> {
  const version = await runProgram(bin, null, 'postgres', ['--version']);
  const key = createHash('sha256')
    .update([await realpath(bin), version, ...INITDB_ARGS].join('\n'))
    .digest('hex')
    .slice(0, 16);
  const cacheRoot = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'benchbot', 'postgres');
  const entry = join(cacheRoot, key);
  if (!existsSync(join(entry, 'password'))) {
    const build = await ownedTempDir('benchbot-pg-initdb-', owner);
    const partial = join(cacheRoot, `${key}.partial-${randomBytes(4).toString('hex')}`);
    try {
      const password = randomBytes(12).toString('hex');
      const passwordFile = join(build, 'password');
      await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
      if (owner !== null) await chown(passwordFile, owner.uid, owner.gid);
      await runProgram(bin, owner, 'initdb', [
        '-D',
        join(build, 'data'),
        `--pwfile=${passwordFile}`,
        ...INITDB_ARGS,
      ]);
      await mkdir(cacheRoot, { recursive: true });
      // cp -a keeps the postgres user's ownership and the data directory's 0700, which Node's cp does not.
      await run('cp', ['-a', build, partial]);
      await rename(partial, entry).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
      });
    } finally {
      await rm(build, { recursive: true, force: true });
      await rm(partial, { recursive: true, force: true });
    }
  }
  return { dataDir: join(entry, 'data'), password: (await readFile(join(entry, 'password'), 'utf8')).trim() };
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
  const { dataDir: templateDir, password } = await template(bin, owner);
  const dir = await ownedTempDir('benchbot-pg-', owner);
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const pgCtl = (args: string[]) => runProgram(bin, owner, 'pg_ctl', ['-D', dataDir, ...args], logFile);

  let port = 0;
  let running = false;
  const start = async (): Promise<void> => {
    if (running) return;
    await pgCtl(['start', '-l', logFile, '-w', '-t', '60']);
    running = true;
  };
  const stop = async ({ mode = 'fast' }: { mode?: 'fast' | 'immediate' } = {}): Promise<void> => {
    if (!running) return;
    await pgCtl(['stop', '-m', mode, '-w', '-t', '60']);
    running = false;
  };

  try {
    await run('cp', ['-a', templateDir, dataDir]);
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
    logFile,
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
