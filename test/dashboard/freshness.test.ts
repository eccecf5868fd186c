import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openResultsStore,
  type RecordRunInput,
  type ResultsStore,
} from '../../adapters/results-store/index.js';
import { type DashboardServer, startDashboardServer } from '../../starter/dashboard/server.js';
import { freshDatabase } from '../support/fresh-database.js';
import { BRANCH, dashboardConfig, PLATFORM, REPO, seedRuns } from './seed.js';

// The served dashboard keeps what it read of a series until the results store's revision changes:
// every recorded run shows on the next load, one older than the newest too (as `store migrate --from`
// records them), which a cache keyed by the latest run would miss; and a warmed server reads a
// recorded run before anyone asks. On SQLite and on PostgreSQL.

const dir = mkdtempSync(join(tmpdir(), 'benchbot-dashboard-fresh-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

// Each store with a way to take the series' points away behind the dashboard's back: a page that
// still shows them was computed before.
const HIDE_POINTS = 'ALTER TABLE points RENAME TO points_hidden';
const STORES = [
  {
    name: 'sqlite',
    setUp: async () => {
      const file = join(dir, 'sqlite', 'results.sqlite');
      return {
        config: dashboardConfig(join(dir, 'sqlite')),
        env: process.env,
        hidePoints: async () => {
          const db = new Database(file);
          db.exec(HIDE_POINTS);
          db.close();
        },
      };
    },
  },
  {
    name: 'postgres',
    setUp: async () => {
      const url = await freshDatabase('dashboard_fresh');
      return {
        config: dashboardConfig(join(dir, 'postgres'), '{ store: postgres, urlEnv: RESULTS_URL }'),
        env: { RESULTS_URL: url },
        hidePoints: async () => {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          await client.query(HIDE_POINTS);
          await client.end();
        },
      };
    },
  },
];

describe.each(STORES)('on $name', ({ setUp }) => {
  const [oldest, ...later] = seedRuns({ runs: 23, benchmarks: 2 }) as [RecordRunInput, ...RecordRunInput[]];
  const [newest, latest] = later.splice(-2) as [RecordRunInput, RecordRunInput];
  let writer: ResultsStore;
  let server: DashboardServer;
  let store: Awaited<ReturnType<typeof setUp>>;

  beforeAll(async () => {
    store = await setUp();
    const { config, env } = store;
    writer = await openResultsStore(config, env);
    for (const run of later) await writer.recordRun(run);
    server = await startDashboardServer({ config, env, host: '127.0.0.1', port: 0 });
    await server.warmed;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await writer?.close();
  });

  /** The runs the q1 chart says it draws, and the runs the index counts, as served now. */
  async function served(from = server): Promise<{ chart: number; index: number }> {
    const series = await fetch(
      `${from.url}series?${new URLSearchParams({ repo: REPO, branch: BRANCH, platform: PLATFORM })}`,
    ).then((r) => r.text());
    const index = await fetch(from.url).then((r) => r.text());
    const chart = /aria-label="q1 \(time, ns\): (\d+) runs/.exec(series)?.[1];
    // The index's series row: repository, branch, platform, then the runs.
    const listed = new RegExp(`<td>${PLATFORM}</td><td class="right">(\\d+)</td>`).exec(index)?.[1];
    return { chart: Number(chart), index: Number(listed) };
  }

  it('shows every run recorded after it started on the next load, an older one included', async () => {
    expect(await served()).toEqual({ chart: 20, index: 20 });
    // Unchanged store, same pages (from what was kept).
    expect(await served()).toEqual({ chart: 20, index: 20 });

    await writer.recordRun(oldest);
    expect(await served()).toEqual({ chart: 21, index: 21 });

    await writer.recordRun(newest);
    expect(await served()).toEqual({ chart: 22, index: 22 });
  });

  it('reads a recorded run in the background, so the next load needs nothing from the store', async () => {
    const eager = await startDashboardServer({ ...store, host: '127.0.0.1', port: 0, rewarmMs: 20 });
    try {
      await eager.warmed;
      await writer.recordRun(latest);
      // The warm-up under way may have looked before the run was recorded; the next one looks after.
      const underWay = eager.warmed;
      while (eager.warmed === underWay) await new Promise((resolve) => setTimeout(resolve, 10));
      await eager.warmed;
      await store.hidePoints();
      expect(await served(eager)).toEqual({ chart: 23, index: 23 });
    } finally {
      await eager.close();
    }
  });
});
