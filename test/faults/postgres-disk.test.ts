import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createStoreAccess } from '../../adapters/results-store/access.js';
import { ResultsStoreError } from '../../adapters/results-store/index.js';
import { openPostgresResultsStore } from '../../adapters/results-store/postgres.js';
import { expectStoreError, sha, trunkRun } from '../adapters/results-store/fixtures.js';

// A PostgreSQL whose disk is full, for real: the database lives in a tablespace on a tmpfs of its
// own, filled up until the server refuses to extend a file (SQLSTATE 53100). The mount needs root
// (CAP_SYS_ADMIN), as the SQLite disk-fault test does; elsewhere this fails naming what is missing.

const admin = () => inject('postgresAdminUrl');
const name = `disk_${process.pid}`;
let dir = '';
let mounted = false;
let url = '';

async function sql(target: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: target });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Inserts rows of `size` bytes into `filler` until PostgreSQL says the disk is full. */
async function fill(size: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (;;) {
      try {
        await client.query(
          `INSERT INTO filler SELECT string_agg(md5(random()::text), '') FROM generate_series(1, ${size / 32}) g, generate_series(1, 64) r GROUP BY r`,
        );
      } catch (error) {
        if ((error as { code?: string }).code === '53100') return;
        throw error;
      }
    }
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'benchbot-pg-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    throw new Error(
      `the PostgreSQL disk-full test mounts a tmpfs, and that failed (${String((error as { stderr?: unknown }).stderr ?? error).trim()}): run it as root with CAP_SYS_ADMIN, as CI does`,
    );
  }
  mounted = true;
  execFileSync('chown', ['postgres:postgres', dir]);
  await sql(admin(), `CREATE TABLESPACE ${name} LOCATION '${dir}'`);
  await sql(admin(), `CREATE DATABASE ${name} TABLESPACE ${name}`);
  const parsed = new URL(admin());
  parsed.pathname = `/${name}`;
  url = parsed.toString();
});

afterAll(async () => {
  if (url !== '') await sql(admin(), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  await sql(admin(), `DROP TABLESPACE IF EXISTS ${name}`).catch(() => undefined);
  if (mounted) execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
});

describe('PostgreSQL on a full disk', () => {
  it('fails the write as disk-full, retryable, with nothing written, and records it once there is room', async () => {
    const store = await openPostgresResultsStore(url);
    const access = createStoreAccess(
      { results: { store: 'postgres', path: '/unused', urlEnv: 'RESULTS_URL' } },
      { RESULTS_URL: url },
    );
    try {
      // The store's tables are empty (no page yet), so the run's first row needs a new page.
      await sql(url, 'CREATE TABLE filler (data text)');
      // Big rows first, then small ones for the last pages: no 8 kB page is left to extend into.
      await fill(64 * 1024);
      await fill(1024);
      await fill(32);

      const run = trunkRun('during', sha(2), '2026-01-02T00:00:00Z');
      await expectStoreError(
        () => store.recordRun(run),
        'disk-full',
        'nothing was written',
        'disk of PostgreSQL',
        'is full',
        'free space there',
      );
      // As activities see it: a store error Temporal retries, not a final failure.
      const failure = await access.use((s) => s.recordRun(run)).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ResultsStoreError);
      expect(failure).not.toBeInstanceOf(ApplicationFailure);
      expect((await store.getRun('during')) ?? null).toBeNull();

      await sql(url, 'DROP TABLE filler');
      expect(await access.use((s) => s.recordRun(run))).toEqual({ inserted: true });
      expect(await store.recordRun(run)).toEqual({ inserted: false });
      expect((await store.listRuns({ limit: 10 })).map((r) => r.runId)).toEqual(['during']);
    } finally {
      await access.close();
      await store.close();
    }
  });
});
