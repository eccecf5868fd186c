import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordRunInput } from '../../activities/results-store/index.js';
import type { QueueView } from '../../core/dashboard/index.js';
import { exportDashboard } from '../../starter/commands/dashboard.js';
import { type DashboardServer, startDashboardServer } from '../../starter/dashboard-server.js';
import { BRANCH, dashboardConfig, PLATFORM, REPO, SHIFT_AT, seedStore } from './seed.js';

// The dashboard in a real browser: Debian's Chromium, driven by playwright-core, over a results
// store seeded with 1,000 trunk runs (q1 shifts +8% at run 600). Screenshots go to test-artifacts/.

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'dashboard');
const RUNS = 1000;
const dir = mkdtempSync(join(tmpdir(), 'benchbot-dashboard-'));
const config = dashboardConfig(join(dir, 'data'));
const queue: QueueView = {
  rows: [
    {
      workflowId: 'bench:acme/widgets:comment:42',
      repo: REPO,
      pr: 7,
      benchmarks: ['queries'],
      requester: 'octocat',
      state: 'running',
      requestedAt: '2025-03-01T10:00:00Z',
      position: 0,
      waitedSeconds: 75,
      expectedStartSeconds: 0,
    },
  ],
  links: {
    'bench:acme/widgets:comment:42': 'http://localhost:8233/namespaces/default/workflows/bench%3Aacme',
  },
  problem: null,
};

let runs: RecordRunInput[];
let server: DashboardServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the dashboard tests drive Debian's Chromium. Run \`npm run setup\`, which installs it (apt-get install chromium).`,
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  runs = await seedStore(config, { runs: RUNS, benchmarks: 3 });
  server = await startDashboardServer({
    config,
    env: process.env,
    host: '127.0.0.1',
    port: 0,
    queue: async () => queue,
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const seriesPath = `series?${new URLSearchParams({ repo: REPO, branch: BRANCH, platform: PLATFORM })}`;

async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  await page.goto(url);
  return { page, errors };
}

const q1 = (page: Page) => page.locator('section.benchmark[data-benchmark="q1"]');

describe('served dashboard', () => {
  it('lists the series on the index page, with the live queue linked to the Temporal Web UI', async () => {
    const { page, errors } = await open(server.url);
    // exact: the queue's workflow link also contains the repository's name.
    const repoLink = page.getByRole('link', { name: REPO, exact: true });
    expect(await repoLink.count()).toBe(1);
    expect(await repoLink.isVisible()).toBe(true);
    expect(await repoLink.getAttribute('href')).toBe(`/${seriesPath}`);
    expect(await page.locator('table').first().textContent()).toContain(String(RUNS));
    const link = page.getByRole('link', { name: 'bench:acme/widgets:comment:42' });
    expect(await link.getAttribute('href')).toMatch(
      /^http:\/\/localhost:8233\/namespaces\/default\/workflows\//,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'index.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws a chart per benchmark with every point, its band, the change point and the coverage', async () => {
    const { page, errors } = await open(server.url + seriesPath);
    expect(await page.locator('svg.trend').count()).toBe(3);
    expect(await q1(page).locator('circle.point').count()).toBe(RUNS);
    expect(await q1(page).locator('path.band').getAttribute('d')).toMatch(/^M[\d.,L]+Z$/);

    // The change point: a marker with a label (readable without colour) and a list entry.
    const marker = q1(page).locator('g.change-point');
    expect(await marker.count()).toBeGreaterThanOrEqual(1);
    expect(await marker.first().locator('text').textContent()).toMatch(/^CP1 \+\d+\.\d% worse$/);
    const listed = (await q1(page).locator('ol.cp-list li').first().textContent()) ?? '';
    const near = [SHIFT_AT - 1, SHIFT_AT, SHIFT_AT + 1].map((i) =>
      (runs[i] as RecordRunInput).commitRange?.to.slice(0, 10),
    );
    expect(
      near.some((s) => listed.includes(s as string)),
      listed,
    ).toBe(true);

    // Coverage: a bar per day with runs, the three-day outage hatched as gaps.
    expect(await page.locator('svg.coverage rect.day').count()).toBeGreaterThan(30);
    expect(await page.locator('svg.coverage rect.gap').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('text=gap').count()).toBeGreaterThan(0);

    // Hover text: SHA, commit range, date and reason.
    const title = await q1(page).locator('circle.point').nth(10).locator('title').textContent();
    expect(title).toMatch(
      /^[0-9a-f]{10} · 2025-01-\d\d \d\d:\d\d UTC · schedule\ncommits [0-9a-f]{10}\.\.[0-9a-f]{10} \(\d+ commits?\)\nmedian /,
    );
    // Points 1 px apart overlap; force the pointer onto this one.
    await q1(page).locator('circle.point').nth(10).hover({ force: true });
    await page.screenshot({ path: join(ARTIFACTS, 'series.png'), fullPage: true });
    expect(errors).toEqual([]);

    // Clicking a point opens its run: the commits it stands for and its results.
    await q1(page).locator('circle.point').nth(10).click({ force: true });
    await page.waitForURL(/\/run\?/);
    expect(await page.locator('h1').textContent()).toContain('trunk:acme/widgets:main:');
    expect(await page.getByText('commits it stands for').count()).toBe(1);
    expect(await page.locator('tbody tr', { hasText: 'queries/q1' }).count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'run.png'), fullPage: true });
    await page.close();
  });

  it('filters by benchmark name, time range and commit range from the query string', async () => {
    const { page } = await open(`${server.url}${seriesPath}&benchmark=q1&from=2025-01-20&to=2025-01-22`);
    expect(await page.locator('svg.trend').count()).toBe(1);
    const points = await page.locator('circle.point').count();
    expect(points).toBeGreaterThan(40);
    expect(points).toBeLessThanOrEqual(72);
    const a = (runs[100] as RecordRunInput).commitRange?.to.slice(0, 8) as string;
    const b = (runs[199] as RecordRunInput).commitRange?.to.slice(0, 8) as string;
    await page.goto(`${server.url}${seriesPath}&benchmark=q2&commits=${a}..${b}`);
    expect(await page.locator('circle.point').count()).toBe(100);
    await page.goto(`${server.url}${seriesPath}&commits=ffffffffff`);
    expect(await page.locator('#filter-status').textContent()).toMatch(
      /Filter not applied: no run in this series measured commit ffffffffff/,
    );
    await page.close();
  });

  it('offers each series as CSV and SVG', async () => {
    const { page } = await open(server.url + seriesPath);
    const csvHref = (await q1(page).getByRole('link', { name: 'CSV' }).getAttribute('href')) as string;
    const svgHref = (await q1(page).getByRole('link', { name: 'SVG' }).getAttribute('href')) as string;
    await page.close();
    const csv = await (await fetch(new URL(csvHref, server.url))).text();
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(
      'recorded_at,run_id,reason,sha,commit_from,commit_to,commits,benchmark,metric,unit,n,median,ci_lo,ci_hi,change_point',
    );
    expect(lines).toHaveLength(RUNS + 1);
    expect(lines.filter((l) => /,CP1 \+/.test(l))).toHaveLength(1);
    const svg = await fetch(new URL(svgHref, server.url));
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(await svg.text()).toMatch(
      /^<\?xml[^>]*>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*><style>/,
    );
  });
});

describe('static export', () => {
  it('opens from the file system, renders, and filters in the page', async () => {
    const site = join(dir, 'site');
    const { pages } = await exportDashboard(config, process.env, site);
    expect(pages).toBe(RUNS + 2);
    const { page, errors } = await open(pathToFileURL(join(site, 'index.html')).href);
    await page.getByRole('link', { name: REPO }).click();
    await page.waitForURL(/series-.*\.html$/);
    expect(await page.locator('svg.trend').count()).toBe(3);
    expect(await q1(page).locator('circle.point').count()).toBe(RUNS);
    expect(await q1(page).locator('g.change-point').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('svg.coverage rect.gap').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#filter-status').textContent()).toBe(
      `3 benchmarks, ${RUNS} of ${RUNS} runs in the selected range.`,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'export.png'), fullPage: true });

    await page.getByLabel('benchmark name contains').fill('q2');
    expect(await page.locator('section.benchmark:visible').count()).toBe(1);
    await page.getByLabel('benchmark name contains').fill('');
    await page.getByLabel('from (UTC day)').fill('2025-01-20');
    await page.getByLabel('to (UTC day)').fill('2025-01-22');
    expect(await page.locator('#filter-status').textContent()).toMatch(
      /^3 benchmarks, (4\d|5\d|6\d|7[0-2]) of 1000 runs/,
    );
    expect(await q1(page).locator('rect.outside').count()).toBe(2);
    await page.screenshot({ path: join(ARTIFACTS, 'export-filtered.png'), fullPage: true });

    await q1(page).locator('circle.point:visible').first().click({ force: true });
    await page.waitForURL(/runs\/.*\.html$/);
    expect(await page.getByText('commits it stands for').count()).toBe(1);
    expect(await page.getByRole('link', { name: 'benchbot dashboard' }).getAttribute('href')).toBe(
      'index.html',
    );
    expect(errors).toEqual([]);
    await page.close();
  });
});
