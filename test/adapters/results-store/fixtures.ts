import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect } from 'vitest';
import {
  openSqliteResultsStore,
  type RecordRunInput,
  type ResultsStore,
  ResultsStoreError,
  type ResultsStoreErrorKind,
} from '../../../adapters/results-store/index.js';
import { openPostgresResultsStore } from '../../../adapters/results-store/postgres.js';
import type { BenchbotResults, Benchmark, Sample } from '../../../core/results/schema.js';
import { freshDatabase } from '../../support/fresh-database.js';

// What every results-store suite builds runs from, and the two stores the contract suite runs on.

export const REPO = 'apache/datafusion';
export const sha = (n: number) => n.toString(16).padStart(40, '0');
export const SHA_A = `abc1${'0'.repeat(36)}`;
export const SHA_B = `def2${'0'.repeat(36)}`;

export function values(...vs: number[]): Sample[] {
  return vs.map((value) => ({ value }));
}

export function bench(
  name: string,
  samples: Benchmark['samples'],
  extra: Partial<Benchmark> = {},
): Benchmark {
  return {
    name,
    group: { kind: 'query', name: 'tpch' },
    metric: 'time',
    unit: 'ns',
    direction: 'lower-is-better',
    samples,
    rawSamples: true,
    status: 'ok',
    ...extra,
  };
}

/** A trunk results file: one side ('changed') at `at`. */
export function trunkResults(
  at: string,
  benchmarks: Benchmark[],
  platform = 'x86-64-linux',
): BenchbotResults {
  return {
    schema: 'benchbot-results',
    schemaVersion: 1,
    run: {
      repository: REPO,
      reason: 'schedule',
      sides: { changed: { ref: 'main', sha: at, envKeys: [] } },
      platform,
      machine: { cpuModel: 'Xeon', cores: 8, kernel: '6.1.0', memoryBytes: 1 << 30 },
      startedAt: '2026-01-01T00:00:00Z',
      finishedAt: '2026-01-01T00:10:00Z',
      runnerVersion: '0.1.0',
      interleaved: false,
    },
    benchmarks,
  };
}

export function prResults(baseline: string, changed: string, benchmarks: Benchmark[]): BenchbotResults {
  const results = trunkResults(changed, benchmarks);
  return {
    ...results,
    run: {
      ...results.run,
      reason: 'pr-comment',
      pullRequest: 42,
      sides: {
        baseline: { ref: 'main', sha: baseline, envKeys: [] },
        changed: { ref: 'refs/pull/42/head', sha: changed, envKeys: ['RUST_LOG'] },
      },
      interleaved: true,
    },
  };
}

export function trunkRun(
  runId: string,
  at: string,
  recordedAt: string,
  extra: Partial<RecordRunInput> = {},
): RecordRunInput {
  return {
    runId,
    repository: REPO,
    branch: 'main',
    pullRequest: null,
    reason: 'schedule',
    recordedAt,
    platforms: [
      {
        platform: 'x86-64-linux',
        status: 'ok',
        results: trunkResults(at, [bench('q1', { changed: values(10, 11, 12, 13, 14, 15) })]),
      },
    ],
    ...extra,
  };
}

export async function expectStoreError(
  action: () => Promise<unknown>,
  kind: ResultsStoreErrorKind,
  ...fragments: string[]
): Promise<ResultsStoreError> {
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ResultsStoreError);
  const error = caught as ResultsStoreError;
  expect(error.kind).toBe(kind);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error;
}

export const TABLES = [
  'runs',
  'skipped_commits',
  'platform_runs',
  'series',
  'benchmark_results',
  'points',
  'samples',
] as const;

/** One store under test: a fresh, empty database per test, opened as often as a test likes. */
export interface StoreUnderTest {
  /** Opens a store (a connection) on this test's database. */
  open(options?: { readonly?: boolean }): Promise<ResultsStore>;
  /** Row counts per table, read behind the store's back. */
  counts(): Promise<Record<(typeof TABLES)[number], number>>;
  /** What error messages name: the file, or the server. */
  readonly where: string;
  dispose(): Promise<void>;
}

export interface StoreKind {
  name: 'sqlite' | 'postgres';
  create(): Promise<StoreUnderTest>;
}

function tracking(open: (options?: { readonly?: boolean }) => Promise<ResultsStore>) {
  const opened: ResultsStore[] = [];
  return {
    open: async (options?: { readonly?: boolean }) => {
      const store = await open(options);
      opened.push(store);
      return store;
    },
    closeAll: async () => {
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
    },
  };
}

export const SQLITE: StoreKind = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'results-store-'));
    const file = join(dir, 'results.sqlite');
    const stores = tracking(async (options) => openSqliteResultsStore(file, options));
    return {
      open: stores.open,
      where: file,
      async counts() {
        const db = new Database(file, { readonly: true });
        try {
          return Object.fromEntries(
            TABLES.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]),
          ) as Record<(typeof TABLES)[number], number>;
        } finally {
          db.close();
        }
      },
      async dispose() {
        await stores.closeAll();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export const POSTGRES: StoreKind = {
  name: 'postgres',
  async create() {
    const url = await freshDatabase('results');
    const stores = tracking((options) => openPostgresResultsStore(url, options));
    return {
      open: stores.open,
      where: new URL(url).host,
      async counts() {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          const counts: Record<string, number> = {};
          for (const t of TABLES) {
            const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`);
            counts[t] = rows[0]?.n ?? 0;
          }
          return counts as Record<(typeof TABLES)[number], number>;
        } finally {
          await client.end();
        }
      },
      dispose: stores.closeAll,
    };
  },
};
