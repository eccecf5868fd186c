// The dashboard with a long trunk history: 10,000 runs x 5 benchmarks (q1 shifts +8% at run 600)
// in a results store, then page load and render time in Debian's Chromium (playwright-core), served
// and as a static export opened from file://. Prints a Markdown section for BENCHMARKS.md.
//
//   npx tsx bench/dashboard.bench.ts [--runs 10000] [--benchmarks 5] [--reps 5]
//
// "cold" is the first load of a server process without its warm-up (the history read from the
// store and change points computed for that request); "warm" is the median of --reps loads after
// it (the history kept until the store's revision changes, so only that counter is read). Timings
// come from the page's Navigation Timing:
// response = the server's answer (query + render), load = until the load event, paint = the first
// contentful paint. Bytes: the page itself, and what it loads before its load event (the chart
// library); the detail script (every run, for hover, zoom and commit filters) loads on first use
// and is measured by the zoom row.

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { openResultsStore, type RecordRunInput } from '../adapters/results-store/index.js';
import { exportDashboard } from '../starter/commands/dashboard.js';
import { exportDetailScript, exportLinks } from '../starter/dashboard/links.js';
import { startDashboardServer } from '../starter/dashboard/server.js';
import { BRANCH, dashboardConfig, PLATFORM, REPO, seedRuns, seedStore } from '../test/dashboard/seed.js';

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
  wire: number;
  assets: number;
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
      bytes: nav.decodedBodySize || document.documentElement.outerHTML.length,
      wire: nav.transferSize,
      assets: performance.getEntriesByType('resource').reduce(function (n, r) { return n + (r.transferSize || r.encodedBodySize || 0); }, 0),
      points: (window.BENCHBOT_CHARTS || []).reduce(function (n, c) { return n + c.plot.data[0].length; }, 0),
    };
  })()`) as Promise<Timing>;
}

/** Milliseconds from pressing "zoom in" on the first chart until it is redrawn at full detail. */
async function zoomMs(page: Page): Promise<number> {
  const started = Date.now();
  await page.getByRole('button', { name: 'zoom in' }).first().click();
  await page.waitForFunction(`window.BENCHBOT_CHARTS[0].drawn().kind === 'd'`, undefined, { polling: 10 });
  return Date.now() - started;
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

    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const coldServer = await startDashboardServer({
      config,
      env: process.env,
      host: '127.0.0.1',
      port: 0,
      warm: false,
    });
    const cold = await measure(page, coldServer.url + path);
    await coldServer.close();
    const warmUpStart = performance.now();
    const server = await startDashboardServer({ config, env: process.env, host: '127.0.0.1', port: 0 });
    await server.warmed;
    const warmUpSeconds = (performance.now() - warmUpStart) / 1000;
    const first = await measure(page, server.url + path);
    const warm: Timing[] = [];
    for (let r = 0; r < reps; r++) warm.push(await measure(page, server.url + path));
    const filtered: Timing[] = [];
    for (let r = 0; r < reps; r++)
      filtered.push(await measure(page, `${server.url}${path}&from=2025-06-01&to=2025-06-30`));
    const index = await measure(page, server.url);
    await page.goto(server.url + path, { waitUntil: 'load' });
    const servedZoom = await zoomMs(page);
    const [detailBytes, detailWire] = (await page.evaluate(
      `(function () { var r = performance.getEntriesByType('resource').filter(function (r) { return r.name.indexOf('series-detail') !== -1; })[0]; return [r.decodedBodySize, r.transferSize]; })()`,
    )) as [number, number];
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
    await page.waitForFunction(`window.BENCHBOT_CHARTS[0].drawn().kind === 'd'`, undefined, { polling: 10 });
    const filterMs = Date.now() - filterStart;
    const fileBytes = (file: string) => statSync(join(site, file)).size;
    const exportAssets = fileBytes('assets/uPlot.iife.min.js') + fileBytes('assets/uPlot.min.css');
    const exportDetail = fileBytes(exportDetailScript(key));
    for (const t of exported) t.assets = exportAssets;

    // A run recorded while the server runs: the next load reads the history again (and computes
    // the change points again), unless the server's periodic warm-up has done so first.
    const rewarmMs = 1000;
    const live = await startDashboardServer({
      config,
      env: process.env,
      host: '127.0.0.1',
      port: 0,
      rewarmMs,
    });
    await live.warmed;
    const [recorded, recordedLater] = seedRuns({ runs: runs + 2, benchmarks }).slice(runs) as [
      RecordRunInput,
      RecordRunInput,
    ];
    const writer = await openResultsStore(config, process.env);
    await writer.recordRun(recorded);
    const afterRun = await measure(page, live.url + path);
    await writer.recordRun(recordedLater);
    await new Promise((resolve) => setTimeout(resolve, rewarmMs * 1.5));
    await live.warmed;
    const afterRewarm = await measure(page, live.url + path);
    await writer.close();
    await live.close();

    const kb = (bytes: number) => `${Math.round(bytes / 1000).toLocaleString('en')} KB`;
    const row = (label: string, ts: Timing[]) =>
      `| ${label} | ${ms(median(ts.map((t) => t.response)))} | ${ms(median(ts.map((t) => t.paint)))} | ${ms(median(ts.map((t) => t.load)))} | ${kb((ts[0] as Timing).bytes)} | ${(ts[0] as Timing).wire > 0 ? kb((ts[0] as Timing).wire) : '—'} | ${kb((ts[0] as Timing).assets)} | ${(ts[0] as Timing).points.toLocaleString('en')} |`;
    console.log(
      [
        '## Dashboard',
        '',
        '```',
        'npx tsx bench/dashboard.bench.ts',
        '```',
        '',
        `${runs.toLocaleString('en')} hourly trunk runs × ${benchmarks} benchmarks (10 samples each, one in ten batched over a few commits, a three-day gap, q1 +8% at run 600) recorded in ${seedSeconds.toFixed(0)} s; pages loaded in Debian's Chromium (headless, playwright-core) on the machine above. Times in ms: response = server query + render until the last byte, paint = first contentful paint, load = load event (the charts are drawn by then), all from the page's Navigation Timing. Page = the HTML as the browser has it, gzip = what crossed the wire (the server gzips), assets = what it loaded besides (the chart library). "Cold" is the first load from a server started without its warm-up (the series read from the store and change points computed for that request: E-divisive, 199 permutations, per series); "first" the first load from a server that read every series page once after starting (${warmUpSeconds.toFixed(1)} s here, before anyone asked); "warm" the median of ${reps} later loads. A served series page keeps what it read until the store's revision (a counter every recorded run bumps) changes, so "first", "warm" and "one month" read only that counter. The charts are uPlot canvases; the page carries each chart's overview, at most 2 points per pixel column of its 1,000 (the lowest and highest median), and loads the detail (every run) on the first hover, zoom or commit filter.`,
        '',
        '| page | response | paint | load | page | gzip | + assets | points drawn |',
        '|---|---:|---:|---:|---:|---:|---:|---:|',
        row('index (served)', [index]),
        row(`series, ${benchmarks} charts (served, cold, no warm-up)`, [cold]),
        row(`series, ${benchmarks} charts (served, first load after warm-up)`, [first]),
        row(`series, ${benchmarks} charts (served, warm)`, warm),
        row('series, one month (served, `from`/`to` filter)', filtered),
        row('series (static export, file://)', exported),
        row(`series, first load right after a run is recorded`, [afterRun]),
        row(
          `series, first load after the next one, once the server warmed up again (it looks every ${rewarmMs / 1000} s here, 10 s by default)`,
          [afterRewarm],
        ),
        '',
        `Zoom in (first chart, served): redrawn at full detail ${servedZoom} ms after the click, loading the detail script (${kb(detailBytes)}, ${kb(detailWire)} gzipped: every run of the page's ${benchmarks} charts) on the way.`,
        `Static export: ${pages.toLocaleString('en')} pages (one per run) in ${exportSeconds.toFixed(1)} s, ${kb(statSync(seriesFile).size)} for the series page, ${kb(exportAssets)} of chart library beside it, ${kb(exportDetail)} of detail; its client-side time filter (typing a date, which zooms every chart to it at full detail, loading the detail) applied in ${filterMs} ms (measured by playwright).`,
      ].join('\n'),
    );
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
