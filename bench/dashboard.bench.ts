// The dashboard with a long trunk history: 10,000 runs x 5 benchmarks (q1 shifts +8% at run 600)
// in a results store, then page load and render time in Debian's Chromium (playwright-core), served
// and as a static export opened from file://. Prints a Markdown section for BENCHMARKS.md.
//
//   npx tsx bench/dashboard.bench.ts [--runs 10000] [--benchmarks 5] [--reps 5]
//
// "cold" is the first load of a server process (change points computed); "warm" is the median of
// --reps loads after it (change points cached). Timings come from the page's Navigation Timing:
// response = the server's answer (query + render), load = until the load event, paint = the first
// contentful paint; layout = the time for the browser to lay the page out after load.

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { exportDashboard } from '../starter/commands/dashboard.js';
import { exportLinks } from '../starter/dashboard-links.js';
import { startDashboardServer } from '../starter/dashboard-server.js';
import { BRANCH, dashboardConfig, PLATFORM, REPO, seedStore } from '../test/dashboard/seed.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? undefined : Number(process.argv[at + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

interface Timing {
  response: number;
  load: number;
  paint: number;
  bytes: number;
  points: number;
}

async function measure(page: Page, url: string): Promise<Timing> {
  await page.goto(url, { waitUntil: 'load' });
  // A string, so this Node program needs no DOM types; it runs in the page.
  return page.evaluate(`(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return {
      response: nav.responseEnd - nav.requestStart,
      load: nav.loadEventEnd > 0 ? nav.loadEventEnd : performance.now(),
      paint: paint ? paint.startTime : Number.NaN,
      bytes: nav.transferSize || document.documentElement.outerHTML.length,
      points: document.querySelectorAll('circle.point').length,
    };
  })()`) as Promise<Timing>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const ms = (x: number) => (Number.isNaN(x) ? '—' : x.toFixed(0));

async function main(): Promise<void> {
  const runs = option('runs', 10_000);
  const benchmarks = option('benchmarks', 5);
  const reps = option('reps', 5);
  const dir = mkdtempSync(join(tmpdir(), 'bench-dashboard-'));
  const config = dashboardConfig(join(dir, 'data'));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
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
  try {
    const seedStart = performance.now();
    await seedStore(config, { runs, benchmarks });
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const key = { repository: REPO, branch: BRANCH, platform: PLATFORM };
    const path = `series?${new URLSearchParams({ repo: REPO, branch: BRANCH, platform: PLATFORM })}`;

    const server = await startDashboardServer({ config, env: process.env, host: '127.0.0.1', port: 0 });
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const cold = await measure(page, server.url + path);
    const warm: Timing[] = [];
    for (let r = 0; r < reps; r++) warm.push(await measure(page, server.url + path));
    const filtered: Timing[] = [];
    for (let r = 0; r < reps; r++)
      filtered.push(await measure(page, `${server.url}${path}&from=2025-06-01&to=2025-06-30`));
    const index = await measure(page, server.url);
    await server.close();

    const exportStart = performance.now();
    const site = join(dir, 'site');
    const { pages } = await exportDashboard(config, process.env, site);
    const exportSeconds = (performance.now() - exportStart) / 1000;
    const seriesFile = join(site, exportLinks.series(key));
    const exported: Timing[] = [];
    for (let r = 0; r < reps; r++) exported.push(await measure(page, pathToFileURL(seriesFile).href));
    const filterStart = Date.now();
    await page.getByLabel('from (UTC day)').fill('2025-06-01');
    const filterMs = Date.now() - filterStart;

    const row = (label: string, ts: Timing[]) =>
      `| ${label} | ${ms(median(ts.map((t) => t.response)))} | ${ms(median(ts.map((t) => t.paint)))} | ${ms(median(ts.map((t) => t.load)))} | ${((ts[0] as Timing).bytes / 1e6).toFixed(2)} MB | ${(ts[0] as Timing).points.toLocaleString('en')} |`;
    console.log(
      [
        '## Dashboard',
        '',
        '```',
        'npx tsx bench/dashboard.bench.ts',
        '```',
        '',
        `${runs.toLocaleString('en')} hourly trunk runs × ${benchmarks} benchmarks (10 samples each, one in ten batched over a few commits, a three-day gap, q1 +8% at run 600) recorded in ${seedSeconds.toFixed(0)} s; pages loaded in Debian's Chromium (headless, playwright-core) on the machine above. Times in ms: response = server query + render until the last byte, paint = first contentful paint, load = load event, all from the page's Navigation Timing. "Cold" is a fresh server's first load (change points computed for each series: E-divisive, 199 permutations); "warm" the median of ${reps} later loads (change points cached). Each chart draws at most 2 points per pixel column (the lowest and highest median), so 10,000 runs draw ≈ 1,300 points.`,
        '',
        '| page | response | paint | load | HTML | points drawn |',
        '|---|---:|---:|---:|---:|---:|',
        row('index (served)', [index]),
        row(`series, ${benchmarks} charts (served, cold)`, [cold]),
        row(`series, ${benchmarks} charts (served, warm)`, warm),
        row('series, one month (served, `from`/`to` filter)', filtered),
        row('series (static export, file://)', exported),
        '',
        `Static export: ${pages.toLocaleString('en')} pages (one per run) in ${exportSeconds.toFixed(1)} s, ${(statSync(seriesFile).size / 1e6).toFixed(2)} MB for the series page; its client-side time filter applied in ${filterMs} ms (typing a date, measured by playwright).`,
      ].join('\n'),
    );
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
