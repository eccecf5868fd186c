import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BenchbotConfig, temporalUiUrl } from '../../core/config/index.js';
import {
  ALL_RUNS_FILTERS,
  type RunListCursor,
  type RunListRow,
  type RunListView,
  renderIndexPage,
  renderRunPage,
  renderRunsPage,
  renderSeriesDetail,
  renderSeriesPage,
  seriesCsv,
  seriesSvg,
} from '../../core/dashboard/index.js';
import { assetLinks, CHART_ASSETS } from '../dashboard/assets.js';
import { indexView, openDashboardData } from '../dashboard/data.js';
import { exportDetailScript, exportLinks, exportRunFile } from '../dashboard/links.js';
import { startDashboardServer, temporalQueue } from '../dashboard/server.js';
import { connectClient } from '../temporal-client.js';

export interface DashboardOptions {
  port?: string;
  host?: string;
  export?: string;
}

const progress = (message: string) => console.log(`[benchbot] ${message}`);

const RUNS_PAGE = exportLinks.runs(ALL_RUNS_FILTERS);
/** Runs read per listing query while the export gathers them all. */
const EXPORT_LIST_PAGE = 500;

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
  const opened = await openDashboardData(config, env, { uiUrl: temporalUiUrl(config) });
  try {
    const { data } = opened;
    const summaries = await data.index();
    mkdirSync(join(dir, 'assets'), { recursive: true });
    for (const asset of Object.values(CHART_ASSETS))
      copyFileSync(asset.path, join(dir, 'assets', asset.name));
    let pages = 0;
    for (const key of summaries) {
      const view = await data.seriesPage(key);
      if (view === null) continue;
      write(dir, exportDetailScript(key), renderSeriesDetail(view, exportLinks));
      write(
        dir,
        exportLinks.series(key),
        renderSeriesPage(view, exportLinks, {
          queue: null,
          assets: assetLinks('assets/'),
          detail: exportDetailScript(key),
        }),
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
    // Every recorded request, newest first, on one page whose filters run in the browser.
    const rows: RunListRow[] = [];
    const repositories = new Set<string>();
    let before: RunListCursor | null = null;
    do {
      const page: RunListView = await data.runList(ALL_RUNS_FILTERS, {
        limit: EXPORT_LIST_PAGE,
        ...(before === null ? {} : { before }),
      });
      rows.push(...page.rows);
      for (const repository of page.repositories) repositories.add(repository);
      before = page.older;
    } while (before !== null);
    write(
      dir,
      RUNS_PAGE,
      renderRunsPage(
        {
          filters: ALL_RUNS_FILTERS,
          repositories: [...repositories].sort(),
          rows,
          older: null,
          filterProblem: null,
        },
        exportLinks,
      ),
    );
    pages++;
    for await (const run of data.allRunPages()) {
      // Run pages live one folder down; the base makes the export's relative links work there.
      write(
        dir,
        exportRunFile(run.repository, run.runId),
        renderRunPage(run, exportLinks, '<base href="../">'),
      );
      pages++;
    }
    write(dir, exportLinks.home, renderIndexPage(await indexView(data), exportLinks, null));
    pages++;
    if (!opened.recorded) progress('no runs are recorded yet: the export shows how to get a first one');
    return { pages, index: join(dir, exportLinks.home) };
  } finally {
    await opened.close();
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
      uiUrl: temporalUiUrl(config),
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
