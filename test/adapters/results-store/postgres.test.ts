import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { openResultsStore, type ResultsStore } from '../../../adapters/results-store/index.js';
import { openPostgresResultsStore } from '../../../adapters/results-store/postgres.js';
import { POSTGRES_LATEST_VERSION } from '../../../adapters/results-store/postgres-migrations.js';
import { freshDatabase } from '../../support/fresh-database.js';
import { type PostgresServer, startPostgres } from '../../support/postgres.js';
import { bench, expectStoreError, REPO, sha, trunkResults, trunkRun, values } from './fixtures.js';

// What only the PostgreSQL store has: a server that other workers share, migrations under a lock,
// credentials, and a network between the worker and its history.

const opened: ResultsStore[] = [];
async function open(url: string, options: { readonly?: boolean } = {}): Promise<ResultsStore> {
  const store = await openPostgresResultsStore(url, options);
  opened.push(store);
  return store;
}

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
});

async function sql<T extends pg.QueryResultRow>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

describe('migrations', () => {
  it('run once when several workers start together, under an advisory lock', async () => {
    const url = await freshDatabase('migrate');
    await Promise.all(Array.from({ length: 4 }, () => open(url)));
    const versions = await sql<{ version: number }>(
      url,
      'SELECT version FROM benchbot_schema ORDER BY version',
    );
    expect(versions.map((v) => v.version)).toEqual(
      Array.from({ length: POSTGRES_LATEST_VERSION }, (_, i) => i + 1),
    );
  });

  it('refuse a database from a newer benchbot, naming both versions', async () => {
    const url = await freshDatabase('newer');
    await (await open(url)).close();
    await sql(url, "INSERT INTO benchbot_schema (version, description) VALUES ($1, 'from the future')", [
      POSTGRES_LATEST_VERSION + 1,
    ]);
    await expectStoreError(
      () => open(url),
      'newer-database',
      `version ${POSTGRES_LATEST_VERSION + 1}`,
      `up to ${POSTGRES_LATEST_VERSION}`,
      'upgrade benchbot',
    );
    await expectStoreError(() => open(url, { readonly: true }), 'newer-database');
  });

  it("refuse a database that holds another application's runs table", async () => {
    const url = await freshDatabase('foreign');
    await sql(url, 'CREATE TABLE runs (id int)');
    await expectStoreError(() => open(url), 'not-a-results-database', 'search_path');
  });

  it('are not run by a read-only open: a database without benchbot tables is an empty store', async () => {
    const url = await freshDatabase('readonly');
    await expectStoreError(() => open(url, { readonly: true }), 'empty', 'no run has been recorded');
    await open(url);
    const reader = await open(url, { readonly: true });
    await expectStoreError(
      () => reader.recordRun(trunkRun('r1', sha(1), '2026-01-01T00:00:00Z')),
      'read-only',
      'primary',
    );
  });
});

describe('configuration and credentials', () => {
  it('opens the database whose URL is in the variable results.urlEnv names', async () => {
    const url = await freshDatabase('config');
    const store = await openResultsStore(
      { results: { store: 'postgres', path: '/unused', urlEnv: 'MY_RESULTS_DB' } },
      { MY_RESULTS_DB: url },
    );
    opened.push(store);
    expect(await store.recordRun(trunkRun('r1', sha(1), '2026-01-01T00:00:00Z'))).toEqual({ inserted: true });
    await expectStoreError(
      () =>
        openResultsStore({ results: { store: 'postgres', path: '/unused', urlEnv: 'MY_RESULTS_DB' } }, {}),
      'cannot-open',
      'MY_RESULTS_DB is not set',
    );
  });

  it('a wrong password is an authentication failure that never shows the password', async () => {
    const wrong = inject('postgresWrongPasswordUrl');
    const error = await expectStoreError(
      () => open(wrong),
      'authentication-failed',
      'postgres@127.0.0.1',
      'password',
    );
    expect(error.message).not.toContain(new URL(wrong).password);
  });

  it('a server that does not answer is unreachable, a retryable kind', async () => {
    await expectStoreError(
      () => open('postgresql://postgres:secret@127.0.0.1:1/benchbot'),
      'unreachable',
      '127.0.0.1:1',
      'retries by itself',
    );
  });
});

describe('a server that stops in the middle of a write', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server.remove();
  });

  it('fails the write as unreachable, keeps nothing of it, and takes it whole once back', async () => {
    const url = await server.createDatabase('crash');
    const store = await open(url);
    await store.recordRun(trunkRun('before', sha(1), '2026-01-01T00:00:00Z'));
    // Another session holds the runs table, so the write waits inside its transaction until the
    // server goes down under it.
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    blocker.on('error', () => undefined);
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE runs IN ACCESS EXCLUSIVE MODE');
    const write = store.recordRun(trunkRun('during', sha(2), '2026-01-02T00:00:00Z')).then(
      () => null,
      (error: unknown) => error,
    );
    for (let waited = 0; ; waited += 50) {
      const waiting = await sql<{ n: number }>(
        url,
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO runs%'",
      );
      if ((waiting[0]?.n ?? 0) > 0) break;
      if (waited > 10_000) throw new Error('the write never started waiting on the lock');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await server.stop({ mode: 'immediate' });
    await expectStoreError(async () => {
      throw await write;
    }, 'unreachable');
    await blocker.end().catch(() => undefined);
    await server.start();
    expect(await store.recordRun(trunkRun('during', sha(2), '2026-01-02T00:00:00Z'))).toEqual({
      inserted: true,
    });
    expect(await store.recordRun(trunkRun('during', sha(2), '2026-01-02T00:00:00Z'))).toEqual({
      inserted: false,
    });
    const runs = await sql<{ run_key: string }>(url, 'SELECT run_key FROM runs ORDER BY id');
    expect(runs.map((r) => r.run_key)).toEqual(['before', 'during']);
  });
});

describe('query plans', () => {
  // A history big enough that the planner prefers indexes where they exist.
  let url: string;
  beforeAll(async () => {
    url = await freshDatabase('plans');
    const store = await openPostgresResultsStore(url);
    try {
      for (let i = 0; i < 300; i++) {
        await store.recordRun({
          ...trunkRun(`r${i}`, sha(i), new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString()),
          platforms: [
            {
              platform: 'x86-64-linux',
              status: 'ok',
              results: trunkResults(
                sha(i),
                Array.from({ length: 10 }, (_, b) => bench(`q${b}`, { changed: values(b, b + 1, b + 2) })),
              ),
            },
          ],
        });
      }
    } finally {
      await store.close();
    }
    await sql(url, 'ANALYZE');
  }, 120_000);

  /** The plan with sequential scans priced out: whether an index can serve the query at all. */
  async function plan(query: string, params: unknown[]): Promise<string> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${query}`, params);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await client.end();
    }
  }

  /**
   * The plans of the statements a store call really sends (its prepared statements, with their
   * values), keyed by the statement's text: a change to the store's SQL is planned here too.
   */
  async function plansOf(call: (store: ResultsStore) => Promise<unknown>): Promise<Map<string, string>> {
    const store = await open(url, { readonly: true });
    const query = vi.spyOn(pg.Client.prototype, 'query');
    let calls: unknown[][];
    try {
      await call(store);
    } finally {
      // Restoring forgets the calls.
      calls = [...query.mock.calls];
      query.mockRestore();
    }
    const plans = new Map<string, string>();
    for (const [config] of calls) {
      const statement = config as unknown as pg.QueryConfig;
      if (typeof statement !== 'object' || !statement.name?.startsWith('benchbot_')) continue;
      plans.set(statement.text, await plan(statement.text, statement.values ?? []));
    }
    expect(plans.size).toBeGreaterThan(0);
    return plans;
  }

  function planOf(plans: Map<string, string>, fragment: string): string {
    const found = [...plans].filter(([text]) => text.includes(fragment));
    expect(found, `one statement containing ${fragment}`).toHaveLength(1);
    return found[0]?.[1] ?? '';
  }

  const main = { repository: REPO, branch: 'main', platform: 'x86-64-linux' };

  it('a series is read by the points key, newest first, without a sort or a scan of the table', async () => {
    const plans = await plansOf((s) => s.series({ ...main, benchmark: 'q3', limit: 100 }));
    const points = planOf(plans, 'FROM points p');
    expect(points).toMatch(
      /Index Scan Backward using points_pkey on points p .*\n\s+Index Cond: \(series_id = /,
    );
    expect(points).not.toMatch(/Seq Scan|Sort/);
    expect(planOf(plans, 'FROM series s')).toMatch(/series_identity/);
  });

  it('a run, its platforms, benchmarks, samples and skipped commits are one statement on indexes', async () => {
    for (const call of [
      (s: ResultsStore) => s.latestRun(main),
      (s: ResultsStore) => s.lastRuns({ ...main, limit: 5 }),
      (s: ResultsStore) => s.getRun('r7'),
      (s: ResultsStore) => s.runsBySha(REPO, sha(7)),
    ]) {
      const plans = await plansOf(call);
      expect(plans.size).toBe(1);
      const [run] = [...plans.values()];
      for (const index of [
        'skipped_commits_by_run',
        'platform_runs_run_id_platform_key',
        'benchmark_results_platform_run_id_series_id_key',
        'samples_pkey',
        'points_pkey',
      ])
        expect(run).toMatch(new RegExp(index));
      expect(run).not.toMatch(/Seq Scan/);
    }
  });

  it('the newest run of a branch, with or without a benchmark, starts from an index', async () => {
    const latest = await plansOf((s) => s.latestRun(main));
    expect(planOf(latest, 'LIMIT 1')).toMatch(/Index Scan (Backward )?using runs_by_(branch|time)/);
    const ofBenchmark = await plansOf((s) => s.latestRun({ ...main, benchmark: 'q3' }));
    const lateral = planOf(ofBenchmark, 'LIMIT 1');
    expect(lateral).toMatch(/Index Scan Backward using points_pkey/);
    expect(lateral).toMatch(/series_identity/);
    for (const text of [...latest.values(), ...ofBenchmark.values()]) expect(text).not.toMatch(/Seq Scan/);
  });

  it('runs by SHA prefix use the SHA indexes of both sides and of commit ranges', async () => {
    const plans = await plansOf((s) => s.runsBySha(REPO, sha(7).slice(0, 39)));
    const bySha = planOf(plans, 'baseline_sha >=');
    // Each a range of its index (an index walked whole with a filter would match the names too).
    for (const column of ['baseline_sha', 'changed_sha', 'commit_to'])
      expect(bySha).toMatch(new RegExp(`Index Cond: \\(\\(${column} >= .*\\) AND \\(${column} < `));
    for (const text of plans.values()) expect(text).not.toMatch(/Seq Scan/);
  });
});
