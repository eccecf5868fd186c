import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openResultsStore } from '../../adapters/results-store/index.js';
import type { BenchbotConfig } from '../../core/config/index.js';
import { exportDashboard } from '../../starter/commands/dashboard.js';
import { type DashboardServer, startDashboardServer } from '../../starter/dashboard/server.js';
import { testConfig } from '../integration/test-config.js';
import { freshDatabase } from '../support/fresh-database.js';
import { launchChromium, openPage } from './browser.js';
import { dashboardConfig, REPO, seedRuns } from './seed.js';
import { type RequestSpec, recordRequests } from './seed-requests.js';

// The Runs view and the empty dashboard in a real browser (Debian's Chromium via playwright-core):
// every recorded request (trunk, pull-request, `benchbot run`) newest first, filtered by repository
// and reason, each with its run page; and a store with no runs yet, which is a normal state.

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'dashboard');
const UI_URL = 'http://localhost:8233';
// Past two served pages of 50 and past the export's first 100 shown.
const TRUNK_RUNS = 120;
const OTHER_REPO = 'acme/gadgets';
const dir = mkdtempSync(join(tmpdir(), 'benchbot-runs-'));
const servers: DashboardServer[] = [];
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const server of servers) await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(config: BenchbotConfig, env = process.env): Promise<DashboardServer> {
  const server = await startDashboardServer({
    config,
    env,
    host: '127.0.0.1',
    port: 0,
    uiUrl: UI_URL,
  });
  servers.push(server);
  return server;
}

const cells = (page: Page, column: number) =>
  page.locator(`table.runs tbody tr:visible td:nth-child(${column})`).allTextContents();

describe('before any run is recorded', () => {
  const config = dashboardConfig(join(dir, 'fresh'));

  it('the served dashboard shows the first steps, not an error, and the first run on reload', async () => {
    expect(existsSync(config.results.path)).toBe(false);
    const server = await serve(config);
    const { page, errors, status } = await openPage(browser, server.url);
    expect(status).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('No runs recorded yet');
    expect(await page.locator('.problem').count()).toBe(0);
    const steps = (await page.locator('#first-run').textContent()) ?? '';
    expect(steps).toContain(config.results.path);
    expect(steps).toContain(
      `npx benchbot run --repo ${REPO} --baseline main --changed my-branch --benchmark queries`,
    );
    expect(steps).toContain('run benchmarks');
    await page.screenshot({ path: join(ARTIFACTS, 'empty.png'), fullPage: true });

    const runs = await page.goto(`${server.url}runs`);
    expect(runs?.status()).toBe(200);
    expect(await page.locator('#runs-status').textContent()).toBe('No runs match.');
    // Reading never creates the store: the worker's first write does.
    expect(existsSync(config.results.path)).toBe(false);

    const [runId] = await recordRequests(config, [
      { kind: 'manual', repository: REPO, requester: 'alice', ratio: 1.1, startedAt: '2026-03-02T10:00:00Z' },
    ]);
    await page.goto(server.url);
    expect(await page.locator('#first-run').count()).toBe(0);
    expect(await page.locator('table.runs tbody tr').count()).toBe(1);
    await page.locator('table.runs tbody tr a').first().click();
    await page.waitForURL(/\/run\?id=/);
    expect(await page.locator('h1').textContent()).toBe(`Run ${runId}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the static export opens from the file system and shows the same first steps', async () => {
    const site = join(dir, 'fresh-site');
    const { pages } = await exportDashboard(dashboardConfig(join(dir, 'fresh-export')), process.env, site);
    expect(pages).toBe(2);
    const { page, errors } = await openPage(browser, pathToFileURL(join(site, 'index.html')).href);
    expect(await page.locator('h1').textContent()).toBe('No runs recorded yet');
    expect(await page.locator('#first-run').textContent()).toContain(`npx benchbot run --repo ${REPO}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a results file that is not a store is still a clear error, served and exported', async () => {
    const broken = dashboardConfig(join(dir, 'broken'));
    mkdirSync(dirname(broken.results.path), { recursive: true });
    writeFileSync(broken.results.path, 'not a database at all, but long enough to have a SQLite header');
    const server = await serve(broken);
    const { page, status } = await openPage(browser, server.url);
    expect(status).toBe(503);
    expect(await page.locator('h1').textContent()).toBe('Results store unavailable');
    const problem = (await page.locator('.problem').textContent()) ?? '';
    expect(problem).toContain(broken.results.path);
    expect(problem).toContain('is not a usable SQLite database');
    await page.close();
    await expect(exportDashboard(broken, process.env, join(dir, 'broken-site'))).rejects.toThrow(
      /is not a usable SQLite database/,
    );
  });
});

describe('on PostgreSQL', () => {
  const config = testConfig(`
version: 1
dataDir: ${JSON.stringify(join(dir, 'pg'))}
results: { store: postgres, urlEnv: RESULTS_URL }
repos:
  - name: ${REPO}
    build: { command: "true" }
    benchmarks:
      - { name: queries, command: "true" }
`);

  it('a database without benchbot tables shows the first steps; the first run appears on reload', async () => {
    const env = { RESULTS_URL: await freshDatabase('dashboard_empty') };
    const server = await serve(config, env);
    const { page, errors, status } = await openPage(browser, server.url);
    expect(status).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('No runs recorded yet');
    expect(await page.locator('#first-run').textContent()).toContain(
      'the PostgreSQL database in $RESULTS_URL',
    );
    await recordRequests(
      config,
      [
        {
          kind: 'pull-request',
          repository: REPO,
          requester: 'octocat',
          pullRequest: 7,
          ratio: 1,
          startedAt: '2026-03-02T10:00:00Z',
        },
      ],
      env,
    );
    await page.goto(server.url);
    expect(await cells(page, 5)).toEqual(['@octocat']);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('an unreachable server is an error page that says so', async () => {
    const server = await serve(config, { RESULTS_URL: 'postgres://benchbot:secret@127.0.0.1:1/benchbot' });
    const { page, status } = await openPage(browser, server.url);
    expect(status).toBe(503);
    expect(await page.locator('h1').textContent()).toBe('Results store unavailable');
    const problem = (await page.locator('.problem').textContent()) ?? '';
    expect(problem).toContain('cannot reach PostgreSQL at');
    expect(problem).not.toContain('secret');
    await page.close();
  });
});

describe('with trunk, pull-request and manual runs recorded', () => {
  const config = dashboardConfig(join(dir, 'busy'));
  // Recorded in this order after the trunk history, so newest first is the reverse.
  const requests: RequestSpec[] = [
    { kind: 'manual', repository: REPO, requester: 'alice', ratio: 1.1, startedAt: '2026-03-01T10:00:00Z' },
    {
      kind: 'pull-request',
      repository: REPO,
      requester: 'octocat',
      pullRequest: 7,
      ratio: 1,
      startedAt: '2026-03-01T11:00:00Z',
    },
    { kind: 'manual', repository: REPO, requester: 'alice', ratio: 0.9, startedAt: '2026-03-01T12:00:00Z' },
    {
      kind: 'pull-request',
      repository: OTHER_REPO,
      requester: 'bob',
      pullRequest: 3,
      ratio: 1.1,
      startedAt: '2026-03-01T13:00:00Z',
    },
    { kind: 'manual', repository: REPO, requester: 'alice', ratio: 1, startedAt: '2026-03-01T14:00:00Z' },
  ];
  const total = TRUNK_RUNS + requests.length;
  let ids: string[];
  let server: DashboardServer;

  beforeAll(async () => {
    const store = await openResultsStore(config, process.env);
    try {
      for (const run of seedRuns({ runs: TRUNK_RUNS, benchmarks: 2 })) await store.recordRun(run);
    } finally {
      await store.close();
    }
    ids = await recordRequests(config, requests);
    server = await serve(config);
  }, 120_000);

  it('the index lists the latest requests of every kind and links to all runs', async () => {
    const { page, errors } = await openPage(browser, server.url);
    expect(await page.locator('h2#latest').count()).toBe(1);
    expect(await page.locator('table.runs tbody tr').count()).toBe(10);
    expect((await cells(page, 5)).slice(0, 5)).toEqual(['@alice', '@bob', '@alice', '@octocat', '@alice']);
    expect(await page.getByText('No trunk runs recorded yet').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'index-runs.png'), fullPage: true });
    await page.getByRole('link', { name: 'All runs' }).first().click();
    await page.waitForURL(/\/runs$/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the Runs page lists every request newest first, pages, and filters by repository and reason', async () => {
    const { page, errors } = await openPage(browser, `${server.url}runs`);
    // Newest first: the requests in reverse, then the trunk history from its latest run.
    expect((await cells(page, 2)).slice(0, 6)).toEqual([
      'manual',
      'pull request',
      'manual',
      'pull request',
      'manual',
      'trunk',
    ]);
    expect((await cells(page, 4)).slice(0, 5)).toEqual(['—', 'PR #3', '—', 'PR #7', '—']);
    const links = () =>
      page
        .locator('table.runs tbody tr a')
        .evaluateAll((as) => as.map((a) => (a as unknown as { href: string }).href));
    const pages = [await links()];
    expect(pages[0]?.[0]).toBe(`${server.url}run?${new URLSearchParams({ id: ids[4] as string })}`);
    await page.screenshot({ path: join(ARTIFACTS, 'runs.png'), fullPage: true });
    while ((await page.getByRole('link', { name: 'Older runs' }).count()) > 0) {
      await page.getByRole('link', { name: 'Older runs' }).click();
      await page.waitForURL(/beforeRun=/);
      pages.push(await links());
    }
    expect(pages.map((p) => p.length)).toEqual([50, 50, total - 100]);
    expect(new Set(pages.flat()).size).toBe(total);

    await page.goto(`${server.url}runs`);
    await page.getByLabel('reason').selectOption('manual');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/reason=manual/);
    expect(await cells(page, 2)).toEqual(Array(3).fill('manual'));
    expect(await cells(page, 5)).toEqual(Array(3).fill('@alice'));
    // Each row's summary line, newest first: no change, 10% faster, 10% slower.
    expect(await cells(page, 8)).toEqual([
      expect.stringMatching(/^0 faster, 0 slower, 2 unchanged/),
      expect.stringMatching(/^1 faster, 0 slower, 1 unchanged/),
      expect.stringMatching(/^0 faster, 1 slower, 1 unchanged/),
    ]);

    // A repository that is not configured but has runs is offered too.
    await page.getByLabel('repository').selectOption(OTHER_REPO);
    await page.getByLabel('reason').selectOption('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/repo=acme%2Fgadgets/);
    expect(await cells(page, 3)).toEqual([OTHER_REPO]);

    await page.goto(`${server.url}runs?reason=nightly`);
    expect(await page.locator('#runs-status').textContent()).toMatch(
      /Filter not applied: no reason "nightly"/,
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a run page shows the report, refs and SHAs, who asked, the duration and the Web UI link', async () => {
    const { page, errors } = await openPage(browser, `${server.url}runs?reason=manual`);
    // The oldest manual request: 10% slower on startup.
    await page.locator('table.runs tbody tr a').last().click();
    await page.waitForURL(/\/run\?id=/);
    const id = ids[0] as string;
    expect(await page.locator('h1').textContent()).toBe(`Run ${id}`);
    const fact = (name: string) =>
      page.locator('table.facts tr', { hasText: name }).locator('td').textContent();
    expect(await fact('kind')).toBe('manual');
    expect(await fact('requested by')).toBe('@alice');
    expect(await fact('summary')).toMatch(/slower/);
    const webUi = page.getByRole('link', { name: 'the workflow of this run' });
    expect(await webUi.getAttribute('href')).toBe(
      `${UI_URL}/namespaces/default/workflows/${encodeURIComponent(id)}`,
    );
    const platform = (await page.locator('main > ul').first().textContent()) ?? '';
    expect(platform).toMatch(/baseline: main at [0-9a-f]{10}/);
    expect(platform).toMatch(/changed: feature-0 at [0-9a-f]{10}/);
    expect(platform).toContain('duration: 4 min (10:00:00 – 10:04:00 UTC)');
    // The stored report, rendered: its table names the benchmarks and the verdict.
    const report = page.locator('div.report');
    expect(await report.count()).toBe(1);
    expect(await report.locator('table').first().textContent()).toMatch(/startup[\s\S]*slower/);
    await page.screenshot({ path: join(ARTIFACTS, 'run-manual.png'), fullPage: true });

    // Back to the list from the crumbs.
    await page.getByRole('link', { name: 'runs', exact: true }).click();
    await page.waitForURL(/\/runs$/);
    expect(await page.locator('table.runs tbody tr').count()).toBe(50);

    const missing = await page.goto(`${server.url}run?id=bench%3Anope`);
    expect(missing?.status()).toBe(404);
    expect(await page.locator('.problem').textContent()).toContain('no run "bench:nope" is recorded');
    expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
    await page.close();
  });

  it('the static export lists every run on one page, filters it in the page, and opens each run', async () => {
    const site = join(dir, 'busy-site');
    const { pages } = await exportDashboard(config, process.env, site);
    // The index, one series, the runs list and a page per run.
    expect(pages).toBe(total + 3);
    const { page, errors } = await openPage(browser, pathToFileURL(join(site, 'index.html')).href);
    await page.getByRole('link', { name: 'All runs' }).first().click();
    await page.waitForURL(/runs\.html$/);
    // Laid out a hundred at a time: a table of thousands of runs would take seconds to open.
    expect(await page.locator('table.runs tbody tr:visible').count()).toBe(100);
    expect(await page.locator('#runs-status').textContent()).toBe(`${total} runs, the newest 100 shown.`);
    await page.getByRole('button', { name: 'Show 100 more' }).click();
    expect(await page.locator('table.runs tbody tr:visible').count()).toBe(total);
    expect(await page.locator('#runs-status').textContent()).toBe(`${total} runs.`);
    expect(await page.getByRole('button', { name: 'Show 100 more' }).isVisible()).toBe(false);

    await page.getByLabel('reason').selectOption('pull-request');
    expect(await cells(page, 5)).toEqual(['@bob', '@octocat']);
    expect(await page.locator('#runs-status').textContent()).toBe(`2 of ${total} runs match.`);
    await page.getByLabel('repository').selectOption(OTHER_REPO);
    expect(await cells(page, 5)).toEqual(['@bob']);
    await page.screenshot({ path: join(ARTIFACTS, 'export-runs.png'), fullPage: true });

    // The filters also come from the address, so a filtered list can be linked to.
    await page.goto(`${pathToFileURL(join(site, 'runs.html')).href}?reason=manual`);
    expect(await cells(page, 5)).toEqual(Array(3).fill('@alice'));
    await page.locator('table.runs tbody tr:visible a').first().click();
    await page.waitForURL(/runs\/.*\.html$/);
    expect(await page.locator('h1').textContent()).toBe(`Run ${ids[4]}`);
    expect(await page.locator('div.report').count()).toBe(1);
    expect(await page.getByRole('link', { name: 'the workflow of this run' }).getAttribute('href')).toBe(
      `${UI_URL}/namespaces/default/workflows/${encodeURIComponent(ids[4] as string)}`,
    );
    await page.getByRole('link', { name: 'runs', exact: true }).click();
    await page.waitForURL(/runs\.html$/);
    expect(errors).toEqual([]);
    expect(readFileSync(join(site, 'runs.html'), 'utf8')).toContain('<caption');
    await page.close();
  });
});
