import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
// records them), which a cache keyed by the latest run would miss. On SQLite and on PostgreSQL.

const dir = mkdtempSync(join(tmpdir(), 'benchbot-dashboard-fresh-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const STORES = [
  { name: 'sqlite', setUp: async () => ({ config: dashboardConfig(join(dir, 'sqlite')), env: process.env }) },
  {
    name: 'postgres',
    setUp: async () => ({
      config: dashboardConfig(join(dir, 'postgres'), '{ store: postgres, urlEnv: RESULTS_URL }'),
      env: { RESULTS_URL: await freshDatabase('dashboard_fresh') },
    }),
  },
];

describe.each(STORES)('on $name', ({ setUp }) => {
  const [oldest, ...later] = seedRuns({ runs: 22, benchmarks: 2 }) as [RecordRunInput, ...RecordRunInput[]];
  const newest = later.pop() as RecordRunInput;
  let writer: ResultsStore;
  let server: DashboardServer;

  beforeAll(async () => {
    const { config, env } = await setUp();
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
  async function served(): Promise<{ chart: number; index: number }> {
    const series = await fetch(
      `${server.url}series?${new URLSearchParams({ repo: REPO, branch: BRANCH, platform: PLATFORM })}`,
    ).then((r) => r.text());
    const index = await fetch(server.url).then((r) => r.text());
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
});
