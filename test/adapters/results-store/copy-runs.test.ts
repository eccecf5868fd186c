import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CopyProgress, copySqliteRuns } from '../../../adapters/results-store/copy-runs.js';
import { openSqliteResultsStore, type ResultsStore } from '../../../adapters/results-store/index.js';
import { openPostgresResultsStore } from '../../../adapters/results-store/postgres.js';
import { freshDatabase } from '../../support/fresh-database.js';
import { bench, prResults, REPO, SHA_A, SHA_B, sha, trunkRun, values } from './fixtures.js';

// `benchbot store migrate --from` as the issue asks it of a store written by today's benchbot: every
// run copied whole into PostgreSQL, and nothing written where the source lives, not even SQLite's
// side files.

let dir: string;
let source: string;
let target: ResultsStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'copy-runs-'));
  source = join(dir, 'results.sqlite');
  target = await openPostgresResultsStore(await freshDatabase('copy'));
});

afterEach(async () => {
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

const RUN_IDS = ['trunk:a:main:1', 'trunk:a:main:2', `bench:${REPO}:comment:7`];

async function record(store: ResultsStore): Promise<void> {
  await store.recordRun(trunkRun(RUN_IDS[0] as string, sha(1), '2026-03-01T00:00:00Z'));
  await store.recordRun({ ...trunkRun(RUN_IDS[1] as string, sha(2), '2026-03-02T00:00:00Z'), summary: 's' });
  await store.recordRun({
    runId: RUN_IDS[2] as string,
    repository: REPO,
    branch: null,
    pullRequest: 42,
    reason: 'pr-comment',
    recordedAt: '2026-03-03T00:00:00Z',
    requester: 'octocat',
    summary: '1 faster, 0 slower, 0 unchanged',
    report: '| q1 | -20% |',
    platforms: [
      {
        platform: 'x86-64-linux',
        status: 'ok',
        results: prResults(SHA_A, SHA_B, [bench('q1', { baseline: values(10, 11), changed: values(8, 9) })]),
      },
    ],
  });
}

const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function expectCopied(from: ResultsStore): Promise<void> {
  for (const id of RUN_IDS) expect(await target.getRun(id)).toEqual(await from.getRun(id));
}

describe('copySqliteRuns', () => {
  it('copies a closed store of today’s schema whole, and leaves its folder exactly as it was', async () => {
    const written = openSqliteResultsStore(source);
    await record(written);
    await written.close();
    const files = readdirSync(dir).sort();
    const before = digest(source);

    const progress: CopyProgress[] = [];
    expect(await copySqliteRuns(source, target, (p) => progress.push({ ...p }))).toEqual({
      copied: 3,
      existing: 0,
      total: 3,
    });
    expect(progress.map((p) => p.copied)).toEqual([1, 2, 3]);
    // No -wal or -shm beside it: a read-only open of a WAL file would leave both behind.
    expect(readdirSync(dir).sort()).toEqual(files);
    expect(digest(source)).toBe(before);

    expect(await copySqliteRuns(source, target, () => undefined)).toEqual({
      copied: 0,
      existing: 3,
      total: 3,
    });
    expect(readdirSync(dir).sort()).toEqual(files);

    // Checked last: opening the source, even read-only, leaves SQLite's side files beside it.
    const reader = openSqliteResultsStore(source);
    try {
      await expectCopied(reader);
    } finally {
      await reader.close();
    }
  });

  it('copies the runs still in the WAL of a store a worker has open', async () => {
    const open = openSqliteResultsStore(source);
    try {
      await record(open);
      // The worker's connection keeps its WAL: runs not checkpointed into the file yet live there.
      expect(existsSync(`${source}-wal`)).toBe(true);
      expect((await copySqliteRuns(source, target, () => undefined)).copied).toBe(3);
      await expectCopied(open);
    } finally {
      await open.close();
    }
  });
});
