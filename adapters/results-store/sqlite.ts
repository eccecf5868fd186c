import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import {
  type CoverageRow,
  coverageByDay,
  listedPlatform,
  mergedSeries,
  type PlatformRunRow,
  type RunRow,
  runRecord,
  type SeriesIdRow,
  type SkippedRow,
  seriesPoint,
} from './rows.js';
import { checkLimit, checkShaPrefix, coverageDays, prefixRange, prepareRun } from './run-writes.js';
import { BUSY_TIMEOUT_MS, sqliteStoreError } from './sqlite-errors.js';
import { checkVersion, migrate } from './sqlite-migrations.js';
import { runOnPlatform, storedRun } from './sqlite-run-reads.js';
import { insertRun } from './sqlite-run-writes.js';
import { pointRow, prepareStatements, type RunAt, type Statements } from './sqlite-statements.js';
import type {
  AlertIssue,
  CoverageDay,
  CoverageQuery,
  LastRunsQuery,
  LatestRunQuery,
  RecordRunInput,
  ResultsStore,
  RunListing,
  RunListQuery,
  RunOnPlatform,
  SeriesPoint,
  SeriesQuery,
  StoredRun,
} from './store.js';
import { ResultsStoreError } from './store.js';

export interface OpenSqliteOptions {
  /** Opens without writing anything (no migration, no WAL switch); recordRun then fails as read-only. */
  readonly?: boolean;
}

/** Opens (creating and migrating when writable) the SQLite results store in `file`. */
export function openSqliteResultsStore(file: string, options: OpenSqliteOptions = {}): SqliteResultsStore {
  const readonly = options.readonly === true;
  if (readonly && !existsSync(file)) {
    throw new ResultsStoreError(
      'empty',
      `${file} does not exist yet: no run has been recorded; the first recorded run creates it`,
    );
  }
  let db: Database.Database;
  try {
    db = new Database(file, { readonly, fileMustExist: readonly });
  } catch (error) {
    throw sqliteStoreError(error, file, 'opening the results store');
  }
  try {
    return new SqliteResultsStore(db, file);
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * The SQLite ResultsStore over an open connection. better-sqlite3 is synchronous: each method does its
 * work at once and hands back a settled promise, so a run is written in one transaction as before.
 */
export class SqliteResultsStore implements ResultsStore {
  private readonly statements: Statements;

  constructor(
    private readonly db: Database.Database,
    readonly location: string,
  ) {
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.pragma('foreign_keys = ON');
      if (db.readonly) {
        checkVersion(db, location);
      } else {
        // WAL lets the dashboard read while a run is being recorded; FULL makes a run the activity
        // reported as recorded survive a power cut, at one fsync per run.
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
        migrate(db, location);
      }
      this.statements = prepareStatements(db);
    } catch (error) {
      throw sqliteStoreError(error, location, 'opening the results store');
    }
  }

  async recordRun(input: RecordRunInput): Promise<{ inserted: boolean }> {
    const { recordedMs, platforms } = prepareRun(input);
    try {
      return this.db.transaction(() => insertRun(this.statements, input, recordedMs, platforms)).immediate();
    } catch (error) {
      throw sqliteStoreError(
        error,
        this.location,
        `recording run ${JSON.stringify(input.runId)} (nothing was written)`,
      );
    }
  }

  async latestRun(query: LatestRunQuery): Promise<RunOnPlatform | null> {
    return this.read('reading the latest run', () => {
      const params = platformParams(query);
      const row =
        query.benchmark === undefined
          ? (this.statements.lastRuns.get({ ...params, limit: 1 }) as { id: number } | undefined)
          : newest(
              this.seriesOf(query, query.benchmark, null).flatMap(
                (series) =>
                  this.statements.latestInSeries.all({
                    series_id: series.id,
                    status: params.status,
                  }) as RunAt[],
              ),
            );
      return row === undefined ? null : runOnPlatform(this.statements, row.id, query.platform);
    });
  }

  async lastRuns(query: LastRunsQuery): Promise<RunOnPlatform[]> {
    checkLimit(query.limit);
    return this.read('reading the last runs', () => {
      const rows = this.statements.lastRuns.all({ ...platformParams(query), limit: query.limit }) as Array<{
        id: number;
      }>;
      return rows.map((row) => runOnPlatform(this.statements, row.id, query.platform));
    });
  }

  async runsBySha(repository: string, sha: string): Promise<StoredRun[]> {
    checkShaPrefix(sha);
    return this.read('reading runs by SHA', () => {
      const rows = this.statements.runsBySha.all({ repository, lo: sha, hi: `${sha}g` }) as Array<{
        id: number;
      }>;
      return rows.map((row) => storedRun(this.statements, row.id));
    });
  }

  async getRun(runId: string): Promise<StoredRun | null> {
    return this.read('reading a run', () => {
      const row = this.statements.runIdByKey.get(runId) as { id: number } | undefined;
      return row === undefined ? null : storedRun(this.statements, row.id);
    });
  }

  async runReport(runId: string): Promise<{ summary: string | null; report: string | null } | null> {
    return this.read('reading a report', () => {
      const row = this.statements.reportByKey.get(runId) as
        | { summary: string | null; report: string | null }
        | undefined;
      return row ?? null;
    });
  }

  async listRuns(query: RunListQuery): Promise<RunListing[]> {
    checkLimit(query.limit);
    return this.read('listing runs', () => {
      const rows = this.statements.listRuns.all({
        repository: query.repository ?? null,
        kind: query.kind ?? null,
        before_ms: query.before === undefined ? null : Date.parse(query.before.recordedAt),
        before_key: query.before?.runId ?? null,
        limit: query.limit,
      }) as RunRow[];
      return rows.map((row) => ({
        ...runRecord(row, this.statements.skippedByRun.all(row.id) as SkippedRow[]),
        platforms: (this.statements.platformRunsByRun.all(row.id) as PlatformRunRow[]).map(listedPlatform),
      }));
    });
  }

  async repositories(): Promise<string[]> {
    return this.read('listing repositories', () =>
      (this.statements.repositories.all() as Array<{ repository: string }>).map((r) => r.repository),
    );
  }

  async coverage(query: CoverageQuery): Promise<CoverageDay[]> {
    const { fromMs, toMs, days } = coverageDays(query);
    const rows = this.read(
      'reading coverage',
      () =>
        this.statements.coverage.all({
          repository: query.repository,
          branch: query.branch,
          platform: query.platform ?? null,
          from_ms: fromMs,
          to_ms: toMs,
        }) as CoverageRow[],
    );
    return coverageByDay(days, rows);
  }

  async series(query: SeriesQuery): Promise<SeriesPoint[]> {
    if (query.limit !== undefined) checkLimit(query.limit);
    const limit = query.limit ?? -1;
    const points = this.read('reading a series', () =>
      this.seriesOf(query, query.benchmark, query.metric ?? null).flatMap((series) =>
        (this.statements.seriesPoints.all({ series_id: series.id, limit }) as unknown[][]).map((values) => {
          const row = pointRow(values);
          return { at: row, point: seriesPoint(series, row) };
        }),
      ),
    );
    return mergedSeries(points, query.limit);
  }

  async revision(): Promise<number> {
    return this.read(
      'reading the store revision',
      () => (this.statements.revision.get() as { revision: number }).revision,
    );
  }

  async putArtifact(key: string, data: Buffer): Promise<void> {
    try {
      this.statements.putArtifact.run({ key, data, updated_at: new Date().toISOString() });
    } catch (error) {
      throw sqliteStoreError(error, this.location, `keeping ${key}`);
    }
  }

  async getArtifact(key: string): Promise<Buffer | null> {
    return this.read(`reading ${key}`, () => {
      const row = this.statements.getArtifact.get(key) as { data: Buffer } | undefined;
      return row?.data ?? null;
    });
  }

  async deleteArtifacts(prefix: string): Promise<number> {
    try {
      return this.statements.deleteArtifacts.run(prefixRange(prefix)).changes;
    } catch (error) {
      throw sqliteStoreError(error, this.location, `removing ${prefix}*`);
    }
  }

  async alertIssue(key: string): Promise<AlertIssue | null> {
    return this.read('reading an alert', () => {
      const row = this.statements.alertIssue.get(key) as
        | { key: string; repository: string; issue_number: number }
        | undefined;
      return row === undefined
        ? null
        : { key: row.key, repository: row.repository, issueNumber: row.issue_number };
    });
  }

  async saveAlertIssue(alert: AlertIssue): Promise<void> {
    try {
      this.statements.saveAlertIssue.run({
        key: alert.key,
        repository: alert.repository,
        issue_number: alert.issueNumber,
        updated_at: new Date().toISOString(),
      });
    } catch (error) {
      throw sqliteStoreError(error, this.location, 'remembering an alert issue');
    }
  }

  async close(): Promise<void> {
    try {
      // Keeps the planner's statistics fresh as the history grows; cheap when nothing changed.
      if (!this.db.readonly) this.db.pragma('optimize');
    } catch {
      // A read-only or full disk refuses it; closing must still happen, or the broken connection stays.
    } finally {
      this.db.close();
    }
  }

  private read<T>(action: string, query: () => T): T {
    try {
      return query();
    } catch (error) {
      throw sqliteStoreError(error, this.location, action);
    }
  }

  /** The series of one benchmark name: one per metric (and group), each read on its own index range. */
  private seriesOf(
    where: { repository: string; branch: string | null; platform: string },
    benchmark: string,
    metric: string | null,
  ): SeriesIdRow[] {
    return this.statements.seriesIds.all({
      repository: where.repository,
      branch: where.branch,
      platform: where.platform,
      benchmark,
      metric,
    }) as SeriesIdRow[];
  }
}

function platformParams(query: LatestRunQuery) {
  return {
    repository: query.repository,
    branch: query.branch,
    platform: query.platform,
    status: query.status ?? null,
  };
}

function newest(rows: readonly RunAt[]): RunAt | undefined {
  let best: RunAt | undefined;
  for (const row of rows) {
    if (
      best === undefined ||
      row.recorded_ms > best.recorded_ms ||
      (row.recorded_ms === best.recorded_ms && row.id > best.id)
    ) {
      best = row;
    }
  }
  return best;
}
