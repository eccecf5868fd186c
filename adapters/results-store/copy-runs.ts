import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteResultsStore } from './sqlite.js';
import {
  type RecordRunInput,
  type ResultsStore,
  ResultsStoreError,
  type RunCursor,
  type StoredRun,
} from './store.js';

export interface CopyProgress {
  copied: number;
  existing: number;
  total: number;
}

/** The stored run as the input that records it again, elsewhere: the same run, the same id. */
export function recordInputOf(run: StoredRun): RecordRunInput {
  return {
    runId: run.runId,
    repository: run.repository,
    branch: run.branch,
    pullRequest: run.pullRequest,
    reason: run.reason,
    recordedAt: run.recordedAt,
    ...(run.commitRange === null
      ? {}
      : {
          commitRange: {
            from: run.commitRange.from,
            to: run.commitRange.to,
            ...(run.commitRange.count === null ? {} : { count: run.commitRange.count }),
          },
        }),
    skipped: run.skipped.map((s) => ({
      sha: s.sha,
      reason: s.reason,
      ...(s.queueDepth === null ? {} : { queueDepth: s.queueDepth }),
    })),
    platforms: run.platforms.map((p) => ({
      platform: p.platform,
      status: p.status,
      ...(p.failure === null ? {} : { failure: p.failure }),
      ...(p.results === null ? {} : { results: p.results }),
    })),
    ...(run.requester === null ? {} : { requester: run.requester }),
    ...(run.summary === null ? {} : { summary: run.summary }),
    ...(run.report === null ? {} : { report: run.report }),
  };
}

/**
 * A consistent copy of the SQLite file `source` at `copy`, with nothing written beside the source.
 * Without a -wal file no connection has the store open (a WAL-mode connection keeps one until the
 * last closes) and every run is in the file itself, so its bytes are the store; SQLite would leave a
 * -wal and a -shm behind even from a read-only open, which cannot remove them. With a -wal (a worker
 * still running, or one killed), runs may be only in it: SQLite's online backup reads them.
 */
async function snapshot(source: string, copy: string): Promise<void> {
  const wal = `${source}-wal`;
  if (!existsSync(wal)) {
    const before = statSync(source);
    copyFileSync(source, copy);
    const after = statSync(source);
    // A writer that opened it meanwhile may have checkpointed into the file: back it up instead.
    if (!existsSync(wal) && after.mtimeMs === before.mtimeMs && after.size === before.size) return;
    rmSync(copy);
  }
  try {
    const db = new Database(source, { readonly: true, fileMustExist: true });
    try {
      await db.backup(copy);
    } finally {
      db.close();
    }
  } catch (error) {
    if (error instanceof Database.SqliteError) {
      // A file SQLite cannot even read: copy the bytes, and let the store's checks name the problem.
      copyFileSync(source, copy);
    } else throw error;
  }
}

/**
 * Copies every run of a SQLite store file (of any version benchbot has written) into `target`.
 * The source is never written: a consistent copy (see snapshot) is upgraded to the current schema in
 * a temp folder and read from there. Runs are recorded by their ids, so a second copy
 * records nothing and an interrupted one carries on where it stopped.
 */
export async function copySqliteRuns(
  source: string,
  target: ResultsStore,
  onProgress: (progress: CopyProgress) => void,
): Promise<CopyProgress> {
  if (!existsSync(source)) {
    throw new ResultsStoreError(
      'cannot-open',
      `${source} does not exist; give the path of a results.sqlite file`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'benchbot-migrate-'));
  const copy = join(dir, basename(source));
  try {
    await snapshot(source, copy);
    const from = openSqliteResultsStore(copy);
    try {
      const ids: string[] = [];
      let before: RunCursor | undefined;
      for (;;) {
        const page = await from.listRuns({ limit: 500, ...(before === undefined ? {} : { before }) });
        ids.push(...page.map((run) => run.runId));
        const last = page[page.length - 1];
        if (last === undefined) break;
        before = { recordedAt: last.recordedAt, runId: last.runId };
      }
      // Oldest first, so an interrupted copy leaves the target's history without holes in time.
      ids.reverse();
      const progress: CopyProgress = { copied: 0, existing: 0, total: ids.length };
      for (const id of ids) {
        const run = await from.getRun(id);
        if (run === null) continue;
        const { inserted } = await target.recordRun(recordInputOf(run));
        if (inserted) progress.copied++;
        else progress.existing++;
        onProgress(progress);
      }
      return progress;
    } finally {
      await from.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
