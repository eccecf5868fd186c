import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freshDatabase } from './fresh-database.js';
import { type PostgresServer, requirePostgresBin, startPostgres } from './postgres.js';

async function query<Row extends pg.QueryResultRow>(url: string, sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function connectError(config: pg.ClientConfig): Promise<Error & { code?: string }> {
  const client = new pg.Client({ connectionTimeoutMillis: 10_000, ...config });
  try {
    await client.connect();
  } catch (err) {
    return err as Error & { code?: string };
  }
  await client.end();
  throw new Error(`connecting to ${config.host ?? config.connectionString} succeeded; it should have failed`);
}

describe("the test run's PostgreSQL server", () => {
  it('gives each caller a database of its own', async () => {
    const first = await freshDatabase('harness');
    const second = await freshDatabase('harness');
    expect(first).not.toBe(second);
    await query(first, 'CREATE TABLE runs (id text PRIMARY KEY)');
    await query(first, "INSERT INTO runs VALUES ('a')");
    expect(await query(first, 'SELECT id FROM runs')).toEqual([{ id: 'a' }]);
    const tables = await query(second, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    expect(tables).toEqual([]);
  });

  it('refuses a wrong password with SQLSTATE 28P01', async () => {
    const err = await connectError({ connectionString: inject('postgresWrongPasswordUrl') });
    expect(err.code).toBe('28P01');
    expect(await query(inject('postgresAdminUrl'), 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('listens on 127.0.0.1 only', async () => {
    const adminUrl = inject('postgresAdminUrl');
    expect(await query(adminUrl, 'SHOW listen_addresses')).toEqual([{ listen_addresses: '127.0.0.1' }]);
    const port = Number(new URL(adminUrl).port);
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a !== undefined && !a.internal && a.family === 'IPv4')
      .map((a) => a?.address ?? '');
    // A machine with no network besides loopback has nothing more to try; listen_addresses above still holds.
    for (const host of external) {
      const err = await connectError({ host, port, user: 'postgres', database: 'postgres' });
      expect(err.code).toBe('ECONNREFUSED');
    }
  });

  it('rejects a database name it would have to quote', async () => {
    await expect(freshDatabase('Bad-Name')).rejects.toThrow(/must match/);
  });
});

describe('a PostgreSQL server stopped in the middle of a transaction', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    // Its own server: stopping the shared one would break the test files running beside this one.
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.remove();
  });

  it('comes back on the same port with the committed rows and without the uncommitted ones', async () => {
    const url = await server.createDatabase('crash');
    await query(url, 'CREATE TABLE runs (id text PRIMARY KEY, payload text)');
    await query(url, "INSERT INTO runs VALUES ('committed', 'x')");

    const writer = new pg.Client({ connectionString: url });
    const lost = new Promise<Error>((resolve) => writer.on('error', resolve));
    await writer.connect();
    await writer.query('BEGIN');
    await writer.query(
      "INSERT INTO runs SELECT 'open-' || n, repeat('y', 1000) FROM generate_series(1, 5000) n",
    );
    const port = server.port;
    await server.stop({ mode: 'immediate' });
    await expect(writer.query('COMMIT')).rejects.toThrow();
    await lost;

    await server.start();
    expect(server.port).toBe(port);
    expect(await query(url, 'SELECT id FROM runs ORDER BY id')).toEqual([{ id: 'committed' }]);
    expect(await readFile(server.logFile, 'utf8')).toMatch(
      /not properly shut down; automatic recovery in progress/,
    );
  });

  it('stops and starts again cleanly, and drops a database that still has sessions', async () => {
    const url = await server.createDatabase('restart');
    await query(url, 'CREATE TABLE t (n int)');
    await query(url, 'INSERT INTO t VALUES (1)');
    await server.stop({ mode: 'fast' });
    await expect(query(url, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
    await server.start();
    const session = new pg.Client({ connectionString: url });
    session.on('error', () => {});
    await session.connect();
    expect((await session.query('SELECT n FROM t')).rows).toEqual([{ n: 1 }]);
    await server.dropDatabase('restart');
    const left = await query(server.adminUrl, "SELECT datname FROM pg_database WHERE datname = 'restart'");
    expect(left).toEqual([]);
    await session.end().catch(() => {});
  });
});

describe('finding PostgreSQL', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'benchbot-pg-bin-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function fakeInstall(dir: string, programs: string[]): Promise<void> {
    await mkdir(dir, { recursive: true });
    for (const program of programs) await writeFile(join(dir, program), '');
  }

  it("picks the newest complete major in Debian's layout, numerically", async () => {
    const debianRoot = join(root, 'debian');
    await fakeInstall(join(debianRoot, '9', 'bin'), ['initdb', 'pg_ctl', 'postgres']);
    await fakeInstall(join(debianRoot, '15', 'bin'), ['initdb', 'pg_ctl', 'postgres']);
    await fakeInstall(join(debianRoot, '17', 'bin'), ['pg_ctl']); // client-only: no server
    expect(requirePostgresBin({ debianRoot, path: '' })).toBe(join(debianRoot, '15', 'bin'));
  });

  it('falls back to PATH, and names the missing programs and `npm run setup` when there are none', async () => {
    const onPath = join(root, 'path-bin');
    await fakeInstall(onPath, ['initdb', 'pg_ctl', 'postgres']);
    const nowhere = join(root, 'nowhere');
    expect(requirePostgresBin({ debianRoot: nowhere, path: `${join(root, 'empty')}:${onPath}` })).toBe(
      onPath,
    );
    expect(() => requirePostgresBin({ debianRoot: nowhere, path: '' })).toThrow(
      /initdb, pg_ctl and postgres were not found.*npm run setup/,
    );
  });
});
