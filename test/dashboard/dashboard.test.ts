import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordRunInput } from '../../adapters/results-store/index.js';
import type { QueueView } from '../../core/dashboard/index.js';
import { exportDashboard } from '../../starter/commands/dashboard.js';
import { type DashboardServer, startDashboardServer } from '../../starter/dashboard/server.js';
import { launchChromium } from './browser.js';
import { BRANCH, dashboardConfig, PLATFORM, REPO, SHIFT_AT, seedStore } from './seed.js';

// The dashboard in a real browser: Debian's Chromium, driven by playwright-core, over a results
// store seeded with 1,000 trunk runs (q1 shifts +8% at run 600). Screenshots go to test-artifacts/.
// The charts are uPlot canvases; the page exposes them (window.BENCHBOT_CHARTS), so the tests read
// what each one holds and shows.

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
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  runs = await seedStore(config, { runs: RUNS, benchmarks: 3 });
  server = await startDashboardServer({
    config,
    env: process.env,
    host: '127.0.0.1',
    port: 0,
    queue: async () => queue,
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

interface ChartState {
  id: string;
  points: number;
  drawn: 'o' | 'd';
  min: number;
  max: number;
  full: [number, number];
  bandHolds: boolean;
  /** The first and last time drawn: a redrawn range is drawn across its whole width. */
  first: number;
  last: number;
}

/** What each uPlot chart on the page holds and shows (the page exposes them as BENCHBOT_CHARTS). */
async function charts(page: Page): Promise<ChartState[]> {
  // A string, so this file needs no DOM types; it runs in the page.
  return page.evaluate(`window.BENCHBOT_CHARTS.map(function (c) {
    var d = c.plot.data;
    return { id: c.id, points: d[0].length, drawn: c.drawn().kind, min: c.plot.scales.x.min, max: c.plot.scales.x.max,
      full: c.full, bandHolds: d[1].every(function (m, i) { return d[3][i] <= m && m <= d[2][i]; }),
      first: d[0][0], last: d[0][d[0].length - 1] };
  })`) as Promise<ChartState[]>;
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The pixel position of a chart's drawn point `index`, to hover or click it. */
async function pointPosition(page: Page, chart: number, index: number): Promise<{ x: number; y: number }> {
  return page.evaluate(`(function () {
    var u = window.BENCHBOT_CHARTS[${chart}].plot, r = u.over.getBoundingClientRect();
    return { x: r.left + u.valToPos(u.data[0][${index}], 'x'), y: r.top + u.valToPos(u.data[1][${index}], 'y') };
  })()`) as Promise<{ x: number; y: number }>;
}

const TOOLTIP =
  /^[0-9a-f]{10} · 2025-01-\d\d \d\d:\d\d UTC · schedule\ncommits? [0-9a-f]{10}(\.\.[0-9a-f]{10} \(\d+ commits\))?\nmedian \d[\d.]* ms, 95% CI [\d.]+ ms – [\d.]+ ms, n=10$/;

describe('served dashboard', () => {
  it('lists the series on the index page, with the live queue linked to the Temporal Web UI', async () => {
    const { page, errors } = await open(server.url);
    // exact: the queue's workflow link also contains the repository's name.
    const repoLink = page.getByRole('link', { name: REPO, exact: true });
    expect(await repoLink.count()).toBe(1);
    expect(await repoLink.isVisible()).toBe(true);
    expect(await repoLink.getAttribute('href')).toBe(`/${seriesPath}`);
    expect(await page.locator('table', { hasText: 'latest run (UTC)' }).textContent()).toContain(
      String(RUNS),
    );
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
    expect(await page.locator('figure.trend canvas').count()).toBe(3);
    const [first] = await charts(page);
    expect(first).toMatchObject({ points: RUNS, drawn: 'o', bandHolds: true });

    // The change point: a triangle and words over the plot (readable without colour), and a list entry.
    const marker = q1(page).locator('.change-point');
    expect(await marker.count()).toBeGreaterThanOrEqual(1);
    expect(await marker.first().textContent()).toMatch(/^▲ CP1 \+\d+\.\d% worse$/);
    expect(await marker.first().getAttribute('title')).toMatch(/^Change point 1 before [0-9a-f]{10} /);
    const listed = (await q1(page).locator('ol.cp-list li').first().textContent()) ?? '';
    const near = [SHIFT_AT - 1, SHIFT_AT, SHIFT_AT + 1].map((i) =>
      (runs[i] as RecordRunInput).commitRange?.to.slice(0, 10),
    );
    expect(
      near.some((s) => listed.includes(s as string)),
      listed,
    ).toBe(true);
    expect(await q1(page).locator('figure.trend').getAttribute('aria-label')).toMatch(
      /^q1 \(time, ns\): 1000 runs from 2025-01-01 to 2025-02-\d\d, 1 change point/,
    );
    expect(await q1(page).locator('figcaption').textContent()).toMatch(
      /median per run.*95% confidence band.*▲\/▼/,
    );

    // Coverage: a bar per day with runs, the three-day outage hatched as gaps.
    expect(await page.locator('svg.coverage rect.day').count()).toBeGreaterThan(30);
    expect(await page.locator('svg.coverage rect.gap').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('text=gap').count()).toBeGreaterThan(0);

    // Hover text: SHA, commit range, date and reason (the run details load on first hover).
    const at = await pointPosition(page, 0, 10);
    await page.mouse.move(at.x, at.y);
    const tip = q1(page).locator('.trend-tip');
    await until(
      () => tip.textContent(),
      (text) => text !== null && !text.includes('loading'),
    );
    expect(await tip.textContent()).toMatch(TOOLTIP);
    expect(await tip.textContent()).toContain((runs[10] as RecordRunInput).commitRange?.to.slice(0, 10));
    await page.screenshot({ path: join(ARTIFACTS, 'series.png'), fullPage: true });
    expect(errors).toEqual([]);

    // Clicking a point opens its run: the commits it stands for and its results.
    await page.mouse.click(at.x, at.y);
    await page.waitForURL(/\/run\?/);
    expect(await page.locator('h1').textContent()).toContain(
      `trunk:acme/widgets:main:${(runs[10] as RecordRunInput).commitRange?.to}`,
    );
    expect(await page.getByText('commits it stands for').count()).toBe(1);
    expect(await page.locator('tbody tr', { hasText: 'queries/q1' }).count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'run.png'), fullPage: true });
    await page.close();
  });

  it('zooms and pans: by dragging, with the buttons and from the keyboard, redrawn at full detail', async () => {
    const { page, errors } = await open(server.url + seriesPath);
    const [before] = await charts(page);
    const box = (await q1(page).locator('.u-over').boundingBox()) as {
      x: number;
      y: number;
      width: number;
      height: number;
    };
    // Drag across the middle fifth of the plot.
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const [zoomed] = await until(
      () => charts(page),
      ([c]) => c?.drawn === 'd',
    );
    const span = (c: ChartState) => c.max - c.min;
    expect(span(zoomed as ChartState) / span(before as ChartState)).toBeGreaterThan(0.1);
    expect(span(zoomed as ChartState) / span(before as ChartState)).toBeLessThan(0.3);
    // Every run inside the window is drawn once zoomed in this far, with its band.
    expect((zoomed as ChartState).points).toBeGreaterThan(100);
    expect((zoomed as ChartState).bandHolds).toBe(true);
    // Dots show each run once there is room for them.
    await page.screenshot({
      path: join(ARTIFACTS, 'series-zoomed.png'),
      fullPage: false,
      clip: { ...box, y: box.y - 40, height: box.height + 80 },
    });

    const HOUR = 3600;
    const across = (c: ChartState) => c.first - c.min <= HOUR && c.max - c.last <= HOUR;
    expect(across(zoomed as ChartState)).toBe(true);
    await q1(page).getByRole('button', { name: '◀ earlier' }).click();
    const [panned] = await until(
      () => charts(page),
      ([c]) => c !== undefined && c.min < (zoomed as ChartState).min && across(c),
    );
    expect((panned as ChartState).min).toBeLessThan((zoomed as ChartState).min);
    expect(span(panned as ChartState)).toBeCloseTo(span(zoomed as ChartState), 0);
    await q1(page).getByRole('button', { name: 'whole range' }).click();
    const [whole] = await until(
      () => charts(page),
      ([c]) => c?.drawn === 'o',
    );
    expect(whole).toMatchObject({ drawn: 'o', points: RUNS, min: before?.min, max: before?.max });

    // Keyboard: focus the chart, step to a point, read it, open its run.
    await q1(page).locator('figure.trend').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await q1(page).locator('.trend-tip').textContent()).toMatch(TOOLTIP);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/run\?/);
    expect(await page.locator('h1').textContent()).toContain(
      `trunk:acme/widgets:main:${(runs[1] as RecordRunInput).commitRange?.to}`,
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('filters by benchmark name, time range and commit range from the query string', async () => {
    const { page } = await open(`${server.url}${seriesPath}&benchmark=q1&from=2025-01-20&to=2025-01-22`);
    expect(await page.locator('figure.trend').count()).toBe(1);
    const [windowed] = await charts(page);
    expect(windowed?.points).toBeGreaterThan(40);
    expect(windowed?.points).toBeLessThanOrEqual(72);
    const a = (runs[100] as RecordRunInput).commitRange?.to.slice(0, 8) as string;
    const b = (runs[199] as RecordRunInput).commitRange?.to.slice(0, 8) as string;
    await page.goto(`${server.url}${seriesPath}&benchmark=q2&commits=${a}..${b}`);
    expect((await charts(page))[0]?.points).toBe(100);
    // One run per chart, and none at all: drawn, or said, without a script error.
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${server.url}${seriesPath}&commits=${a}`);
    expect((await charts(page)).map((c) => c.points)).toEqual([1, 1, 1]);
    await page.goto(`${server.url}${seriesPath}&from=2030-01-01`);
    expect(await page.locator('section.benchmark p.empty').count()).toBe(3);
    expect(await charts(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.goto(`${server.url}${seriesPath}&commits=ffffffffff`);
    expect(await page.locator('#filter-status').textContent()).toMatch(
      /Filter not applied: no run in this series measured commit ffffffffff/,
    );
    await page.close();
  });

  it('serves the chart library from benchbot itself, nothing from the network', async () => {
    const { page } = await open(server.url + seriesPath);
    const sources = await page.evaluate(
      `[...document.querySelectorAll('script[src], link[rel=stylesheet]')].map(function (e) { return e.getAttribute('src') || e.getAttribute('href'); })`,
    );
    expect(sources).toEqual(['/assets/uPlot.min.css', '/assets/uPlot.iife.min.js']);
    const library = await fetch(new URL('/assets/uPlot.iife.min.js', server.url));
    expect(library.status).toBe(200);
    expect(library.headers.get('cache-control')).toBe('public, max-age=86400');
    expect((await fetch(new URL('/assets/nothing.js', server.url))).status).toBe(404);
    // Pages and detail scripts go gzipped to a browser that accepts it.
    const gzipped = await fetch(server.url + seriesPath, { headers: { 'accept-encoding': 'gzip' } });
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(await gzipped.text()).toContain('id="benchbot-trends"');
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
  it('opens from the file system, renders, zooms and filters in the page', async () => {
    const site = join(dir, 'site');
    const { pages } = await exportDashboard(config, process.env, site);
    // The index, the series, the runs list and a page per run.
    expect(pages).toBe(RUNS + 3);
    const { page, errors } = await open(pathToFileURL(join(site, 'index.html')).href);
    await page.getByRole('link', { name: REPO }).click();
    await page.waitForURL(/series-.*\.html$/);
    expect(await page.locator('figure.trend canvas').count()).toBe(3);
    const [first] = await charts(page);
    expect(first).toMatchObject({ points: RUNS, drawn: 'o', bandHolds: true });
    expect(await q1(page).locator('.change-point').count()).toBeGreaterThanOrEqual(1);
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
    // The time filter is the charts' zoom: each shows those days, at full detail.
    const filtered = await until(
      () => charts(page),
      (cs) => cs.every((c) => c.drawn === 'd'),
    );
    for (const c of filtered) {
      expect(c.min).toBe(Date.parse('2025-01-20T00:00:00Z') / 1000);
      expect(c.points).toBeGreaterThan(40);
      expect(c.points).toBeLessThanOrEqual(72);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'export-filtered.png'), fullPage: true });

    // A commit range needs every run's commits: the page loads them from the export's data folder.
    await page.getByLabel('from (UTC day)').fill('');
    await page.getByLabel('to (UTC day)').fill('');
    const a = (runs[100] as RecordRunInput).commitRange?.to.slice(0, 8) as string;
    const b = (runs[199] as RecordRunInput).commitRange?.to.slice(0, 8) as string;
    await page.getByLabel('commit range').fill(`${a}..${b}`);
    await until(
      () => page.locator('#filter-status').textContent(),
      (text) => text === '3 benchmarks, 100 of 1000 runs in the selected range.',
    );
    await page.getByLabel('commit range').fill('');

    const at = await pointPosition(page, 0, 3);
    await page.mouse.click(at.x, at.y);
    await page.waitForURL(/runs\/.*\.html$/);
    expect(await page.getByText('commits it stands for').count()).toBe(1);
    expect(await page.getByRole('link', { name: 'benchbot dashboard' }).getAttribute('href')).toBe(
      'index.html',
    );
    expect(errors).toEqual([]);
    await page.close();
  });
});
