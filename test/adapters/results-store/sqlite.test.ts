import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openResultsStore,
  openSqliteResultsStore,
  type ResultsStore,
  SqliteResultsStore,
} from '../../../adapters/results-store/index.js';
import {
  APPLICATION_ID,
  LATEST_VERSION,
  MIGRATIONS,
} from '../../../adapters/results-store/sqlite-migrations.js';
import { bench, expectStoreError, REPO, sha, trunkResults, trunkRun, values } from './fixtures.js';

// What only the SQLite file store has: its file, its migrations, its disk.

let dir: string;
let file: string;
const opened: ResultsStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'results-store-'));
  file = join(dir, 'results.sqlite');
});

async function closeAll(): Promise<void> {
  for (const store of opened.splice(0)) await store.close();
}

afterEach(async () => {
  await closeAll();
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

async function store(options: { readonly?: boolean } = {}): Promise<ResultsStore> {
  const s = openSqliteResultsStore(file, options);
  opened.push(s);
  return s;
}

function runCount(): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('migrations', () => {
  it('are numbered 1, 2, 3... in order', async () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
  });

  it('bring a new file to the latest version, in WAL mode, marked as ours', async () => {
    await store();
    await closeAll();
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('keep the data when the file is reopened', async () => {
    const first = await store();
    await first.recordRun(trunkRun('r1', sha(1), '2026-01-01T00:00:00Z'));
    await closeAll();
    const again = await store();
    expect(
      await again.lastRuns({ repository: REPO, branch: 'main', platform: 'x86-64-linux', limit: 5 }),
    ).toHaveLength(1);
  });

  it('refuse a file from a newer benchbot, naming the file and both versions', async () => {
    const db = new Database(file);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    await expectStoreError(
      () => store(),
      'newer-database',
      file,
      `version ${LATEST_VERSION + 1}`,
      `up to ${LATEST_VERSION}`,
      'upgrade benchbot',
    );
    await expectStoreError(() => store({ readonly: true }), 'newer-database', file);
  });

  it('refuse a SQLite file that is not a results store', async () => {
    const db = new Database(file);
    db.exec('CREATE TABLE notes (body TEXT)');
    db.close();
    await expectStoreError(() => store(), 'not-a-results-database', file, 'results.path');
  });

  it('refuse a file that is not SQLite at all', async () => {
    writeFileSync(file, 'definitely not a database, just some text that is long enough to have a header');
    await expectStoreError(() => store(), 'not-a-results-database', file);
  });

  it('are not run by a read-only open: an unset-up file is an empty store, an older one asks for a writable open', async () => {
    new Database(file).close();
    await expectStoreError(() => store({ readonly: true }), 'empty', file, 'no run has been recorded');
    const older = new Database(file);
    older.pragma(`application_id = ${APPLICATION_ID}`);
    older.pragma(`user_version = ${LATEST_VERSION - 1}`);
    older.close();
    await expectStoreError(
      () => store({ readonly: true }),
      'needs-migration',
      file,
      `needs ${LATEST_VERSION}`,
    );
  });

  it('a missing folder says so (openResultsStore creates it)', async () => {
    await expectStoreError(
      async () => openSqliteResultsStore(join(dir, 'no', 'such', 'results.sqlite')),
      'cannot-open',
      'does not exist',
    );
  });

  it('a read-only open of a missing file finds an empty store: no run recorded yet', async () => {
    await expectStoreError(() => store({ readonly: true }), 'empty', file, 'does not exist yet');
    expect(existsSync(file)).toBe(false);
  });
});

describe('storage failures', () => {
  it('a read-only store refuses to record with a clear error and leaves the file as it was', async () => {
    await store();
    await closeAll();
    const s = await store({ readonly: true });
    await expectStoreError(
      () => s.recordRun(trunkRun('r1', sha(1), '2026-01-01T00:00:00Z')),
      'read-only',
      file,
      'writable',
    );
    expect(
      await s.lastRuns({ repository: REPO, branch: 'main', platform: 'x86-64-linux', limit: 1 }),
    ).toEqual([]);
  });

  it('a file and folder without write permission give a read-only error', async () => {
    await store();
    await closeAll();
    chmodSync(file, 0o444);
    chmodSync(dir, 0o555);
    // Root ignores modes (CI runs as root), so there the store is opened as `nobody` (uid 65534).
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      try {
        if (process.seteuid === undefined) throw new Error('process.seteuid is missing in worker threads');
        process.seteuid(65534);
      } catch (error) {
        throw new Error(
          `as root, who ignores file modes, this case opens the store as uid 65534 and could not (${error}): run it in vitest's forks pool with CAP_SETUID, or as a non-root user`,
        );
      }
    }
    try {
      await expectStoreError(() => store(), 'read-only', file);
    } finally {
      if (asRoot) process.seteuid?.(0);
    }
  });

  it('a full disk fails the write with a clear error and nothing half-written', async () => {
    await store();
    await closeAll();
    const db = new Database(file);
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`);
    const s = new SqliteResultsStore(db, file);
    opened.push(s);
    const big = trunkResults(
      sha(1),
      Array.from({ length: 200 }, (_, i) => bench(`q${i}`, { changed: values(...Array(100).fill(i)) })),
    );
    await expectStoreError(
      () =>
        s.recordRun({
          ...trunkRun('r1', sha(1), '2026-01-01T00:00:00Z'),
          platforms: [{ platform: 'x86-64-linux', status: 'ok', results: big }],
        }),
      'disk-full',
      file,
      'nothing was written',
    );
    expect(runCount()).toBe(0);
  });
});

describe('openResultsStore', () => {
  it('opens the configured SQLite file, creating its folder', async () => {
    const path = join(dir, 'nested', 'data', 'results.sqlite');
    const s = await openResultsStore(
      { results: { store: 'sqlite', path, urlEnv: 'BENCHBOT_DATABASE_URL' } },
      {},
    );
    opened.push(s);
    expect(existsSync(path)).toBe(true);
    expect(await s.recordRun(trunkRun('r1', sha(1), '2026-01-01T00:00:00Z'))).toEqual({ inserted: true });
  });
});
