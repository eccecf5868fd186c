import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDashboardData } from '../../activities/dashboard-data.js';
import { openResultsStore } from '../../activities/results-store/index.js';
import { type BenchbotConfig, temporalUiUrl } from '../../core/config/index.js';
import {
  renderIndexPage,
  renderRunPage,
  renderSeriesPage,
  runStamps,
  seriesCsv,
  seriesSvg,
} from '../../core/dashboard/index.js';
import { exportLinks, exportRunFile, exportRunsScript } from '../dashboard-links.js';
import { startDashboardServer, temporalQueue } from '../dashboard-server.js';
import { connectClient } from '../temporal-client.js';

export interface DashboardOptions {
  port?: string;
  host?: string;
  export?: string;
}

const progress = (message: string) => console.log(`[benchbot] ${message}`);

function write(root: string, file: string, text: string): void {
  const path = join(root, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/**
 * The dashboard as files that open from the file system (file://) or any static host: data is in
 * the pages and in <script> files, never fetched, and the filters run in the page.
 */
export async function exportDashboard(
  config: BenchbotConfig,
  env: NodeJS.ProcessEnv,
  dir: string,
): Promise<{ pages: number; index: string }> {
  const store = await openResultsStore(config, env, { readonly: true });
  try {
    const data = createDashboardData(store, config);
    const summaries = await data.index();
    write(dir, exportLinks.home, renderIndexPage(summaries, exportLinks, null));
    let pages = 1;
    for (const key of summaries) {
      const view = await data.seriesPage(key);
      if (view === null) continue;
      const stamps = runStamps(
        [...new Map(view.series.flatMap((s) => s.points.map((p) => [p.runId, p] as const))).values()].sort(
          (a, b) => a.recordedAt.localeCompare(b.recordedAt),
        ),
      );
      write(
        dir,
        exportRunsScript(key),
        `window.BENCHBOT_RUNS = ${JSON.stringify(stamps.map((r) => [r.t, r.sha, r.from]))};\n`,
      );
      write(
        dir,
        exportLinks.series(key),
        renderSeriesPage(view, exportLinks, { queue: null, runsScript: exportRunsScript(key) }),
      );
      pages++;
      for (const series of view.series) {
        write(dir, exportLinks.csv(key, series), seriesCsv(series));
        write(
          dir,
          exportLinks.svg(key, series),
          seriesSvg(series, (p) => exportLinks.run(key.repository, p).replace(/^runs\//, '../runs/')),
        );
      }
      progress(
        `exported ${key.repository} ${key.branch} ${key.platform}: ${view.series.length} series, ${view.totalRuns} runs`,
      );
    }
    for (const run of await data.runPages(summaries)) {
      const file = exportRunFile(run.repository, run.runId);
      // Run pages live one folder down; the base makes the export's relative links work there.
      write(dir, file, renderRunPage(run, exportLinks, '<base href="../">'));
      pages++;
    }
    return { pages, index: join(dir, exportLinks.home) };
  } finally {
    await store.close();
  }
}

/** `benchbot dashboard`: serve until Ctrl-C, or `--export DIR` and exit. */
export async function dashboard(config: BenchbotConfig, options: DashboardOptions): Promise<number> {
  if (options.export !== undefined) {
    const dir = resolve(options.export);
    try {
      const { pages, index } = await exportDashboard(config, process.env, dir);
      progress(`wrote ${pages} pages to ${dir}; open ${pathToFileURL(index).href}`);
      return 0;
    } catch (err) {
      console.error(`cannot export the dashboard: ${(err as Error).message}`);
      return 1;
    }
  }
  const port = options.port === undefined ? config.dashboard.port : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port ${options.port} is not a port number (0-65535); e.g. --port 8234`);
    return 2;
  }
  const temporal = temporalQueue(
    async () => (await connectClient(config)).client,
    config,
    temporalUiUrl(config),
  );
  let server: Awaited<ReturnType<typeof startDashboardServer>>;
  try {
    server = await startDashboardServer({
      config,
      env: process.env,
      host: options.host ?? config.dashboard.host,
      port,
      queue: temporal.queue,
    });
  } catch (err) {
    console.error(
      `cannot start the dashboard: ${(err as Error).message}. Fix: pick a free port with --port.`,
    );
    return 1;
  }
  progress(`dashboard: ${server.url} (Ctrl-C stops)`);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await server.close();
  await temporal.close();
  return 0;
}
