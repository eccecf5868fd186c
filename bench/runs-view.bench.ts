// The dashboard's Runs view over a long history: --runs trunk runs plus --requests pull-request and
// `benchbot run` requests (recorded by the worker's recordRun activity) in a SQLite results store;
// the served list (first page, a filtered page, the index with the latest runs) and the static
// export's runs.html opened from file:// in Debian's Chromium (playwright-core). Prints a Markdown
// section for BENCHMARKS.md.
//
//   npx tsx bench/runs-view.bench.ts [--runs 10000] [--requests 200] [--reps 5]
//
// Served times are the server's answer (query + render) as the page's Navigation Timing sees it,
// median of --reps loads. For the export: load = until the load event; more = "Show 100 more" and
// filter = choosing a reason, each in the page until the new layout.

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { exportDashboard } from '../starter/commands/dashboard.js';
import { startDashboardServer } from '../starter/dashboard/server.js';
import { launchChromium } from '../test/dashboard/browser.js';
import { dashboardConfig, REPO, seedStore } from '../test/dashboard/seed.js';
import { type RequestSpec, recordRequests } from '../test/dashboard/seed-requests.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? undefined : Number(process.argv[at + 1]);
  return value !== undefined && Number.isInteger(value) && value >= 0 ? value : fallback;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

async function served(page: Page, url: string, reps: number): Promise<{ response: number; bytes: number }> {
  const responses: number[] = [];
  let bytes = 0;
  for (let r = 0; r < reps; r++) {
    await page.goto(url, { waitUntil: 'load' });
    // A string, so this Node program needs no DOM types; it runs in the page.
    const t = (await page.evaluate(`(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return { response: nav.responseEnd - nav.requestStart, bytes: document.documentElement.outerHTML.length };
    })()`)) as { response: number; bytes: number };
    responses.push(t.response);
    bytes = t.bytes;
  }
  return { response: median(responses), bytes };
}

async function main(): Promise<void> {
  const runs = option('runs', 10_000);
  const requestCount = option('requests', 200);
  const reps = option('reps', 5);
  const dir = mkdtempSync(join(tmpdir(), 'bench-runs-view-'));
  const config = dashboardConfig(join(dir, 'data'));
  let browser: Browser | null = null;
  try {
    const seedStart = performance.now();
    await seedStore(config, { runs, benchmarks: 3 });
    const requests: RequestSpec[] = Array.from({ length: requestCount }, (_, i) => ({
      kind: i % 3 === 0 ? 'pull-request' : 'manual',
      repository: REPO,
      requester: i % 2 === 0 ? 'alice' : 'octocat',
      ...(i % 3 === 0 ? { pullRequest: 1 + (i % 40) } : {}),
      ratio: 1 + (i % 5) / 50,
      startedAt: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(),
    }));
    await recordRequests(config, requests);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const total = runs + requestCount;

    // Launched after the minute of seeding: one launched before it was gone by the time it was used.
    browser = await launchChromium();
    const server = await startDashboardServer({ config, env: process.env, host: '127.0.0.1', port: 0 });
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const rows: string[] = [];
    for (const [label, path] of [
      ['index (latest 10 runs)', ''],
      ['runs, first page of 50', 'runs'],
      ['runs, `reason=manual`', 'runs?reason=manual'],
    ] as const) {
      const t = await served(page, server.url + path, reps);
      rows.push(`| ${label} | ${t.response.toFixed(0)} | ${kb(t.bytes)} |`);
    }
    await server.close();

    const site = join(dir, 'site');
    const exportStart = performance.now();
    const { pages } = await exportDashboard(config, process.env, site);
    const exportSeconds = (performance.now() - exportStart) / 1000;
    const runsPage = join(site, 'runs.html');
    const loads: number[] = [];
    const filters: number[] = [];
    const mores: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      await page.goto(pathToFileURL(runsPage).href, { waitUntil: 'load' });
      loads.push(performance.now() - t0);
      // Timed in the page up to a forced layout: playwright's own click (actionability checks,
      // scrolling a 10,000-row document) would add most of a second that a person does not wait.
      mores.push(
        Number(
          await page.evaluate(`(() => {
            const t = performance.now();
            document.getElementById('runs-more').click();
            document.body.offsetHeight;
            return performance.now() - t;
          })()`),
        ),
      );
      filters.push(
        Number(
          await page.evaluate(`(() => {
            const form = document.getElementById('run-filters');
            const t = performance.now();
            form.elements.reason.value = 'pull-request';
            form.dispatchEvent(new Event('change'));
            document.body.offsetHeight;
            return performance.now() - t;
          })()`),
        ),
      );
    }

    console.log(`## Dashboard: the Runs view

\`\`\`
npx tsx bench/runs-view.bench.ts --runs ${runs} --requests ${requestCount} --reps ${reps}
\`\`\`

${runs.toLocaleString('en')} trunk runs and ${requestCount} pull-request and \`benchbot run\` requests (${total.toLocaleString('en')} runs) recorded in ${seedSeconds.toFixed(0)} s; pages in Debian's Chromium (headless, playwright-core). Served: the server's answer (query + render) in ms, median of ${reps} loads.

| served page | response (ms) | HTML |
|---|---:|---:|
${rows.join('\n')}

Static export: ${pages.toLocaleString('en')} pages in ${exportSeconds.toFixed(1)} s; \`runs.html\` (every run, ${kb(statSync(runsPage).size)}) opened from file:// in ${median(loads).toFixed(0)} ms to the load event (median of ${reps}); it lays out 100 matching runs at a time, so "Show 100 more" took ${median(mores).toFixed(0)} ms and choosing a reason ${median(filters).toFixed(0)} ms (in the page, up to the new layout).
`);
  } finally {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
