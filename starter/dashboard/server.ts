import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { BenchbotConfig } from '../../core/config/index.js';
import {
  escapeHtml,
  filtersFrom,
  layout,
  type QueueView,
  type RunListCursor,
  renderIndexPage,
  renderRunPage,
  renderRunsPage,
  renderSeriesDetail,
  renderSeriesPage,
  type SeriesKey,
  seriesCsv,
  seriesSvg,
} from '../../core/dashboard/index.js';
import { assetLinks, chartAsset } from './assets.js';
import { type DashboardData, indexView, type OpenedDashboardData, openDashboardData } from './data.js';
import { servedLinks } from './links.js';
import { queueView } from './queue-view.js';

// `benchbot dashboard` and the dashboard `npm start` serves: pages rendered per request from the
// results store (read-only), the live queue from Temporal visibility.

export interface DashboardServerOptions {
  config: BenchbotConfig;
  /** Where a PostgreSQL store's URL is read from (the variable `results.urlEnv` names). */
  env: NodeJS.ProcessEnv;
  host: string;
  port: number;
  /** The Temporal Web UI's address, for each run page's link to its workflow; omitted, no link. */
  uiUrl?: string | null;
  /** The live queue; omitted, pages show none. */
  queue?: () => Promise<QueueView>;
  /**
   * Compute every series page once right after starting (default), so that the first reader does
   * not wait for the change points (E-divisive takes about a second per long series), and again
   * whenever a run has been recorded since.
   */
  warm?: boolean;
  /** How often the warmed server looks for newly recorded runs, in ms (default 10 s). */
  rewarmMs?: number;
}

export interface DashboardServer {
  url: string;
  /** Settles when the latest warm-up has computed every series page (at once without a warm-up). */
  readonly warmed: Promise<void>;
  close(): Promise<void>;
}

const REWARM_MS = 10_000;

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') throw new HttpProblem(400, `missing the "${name}" query parameter`);
  return value;
}

const seriesKey = (params: URLSearchParams): SeriesKey => ({
  repository: required(params, 'repo'),
  branch: required(params, 'branch'),
  platform: required(params, 'platform'),
});

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
): void {
  const headers = { 'content-type': type, 'cache-control': 'no-store', vary: 'accept-encoding', ...extra };
  // Series pages and their detail scripts are numbers and hex: gzip makes them a fraction.
  if (body.length > 1024 && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    res.writeHead(status, { ...headers, 'content-encoding': 'gzip' });
    res.end(gzipSync(body, { level: 4 }));
    return;
  }
  res.writeHead(status, headers);
  res.end(body);
}

const HTML = 'text/html; charset=utf-8';

function problemPage(status: number, message: string): string {
  return layout({
    title: `${status} · benchbot`,
    crumbs: '<a href="/">benchbot dashboard</a>',
    body: `<h1>${status === 404 ? 'Not found' : status === 400 ? 'Bad request' : status === 503 ? 'Results store unavailable' : 'Error'}</h1><p class="problem">${escapeHtml(message)}</p>`,
  });
}

/**
 * The results store, opened on first use and kept. Before the first run is recorded there is no
 * store yet: pages are empty (not errors) and each request looks again, so the run shows up on reload.
 */
function lazyData(options: DashboardServerOptions): {
  get(): Promise<DashboardData>;
  close(): Promise<void>;
} {
  let opened: Promise<OpenedDashboardData> | null = null;
  return {
    async get() {
      opened ??= openDashboardData(options.config, options.env, { uiUrl: options.uiUrl ?? null }).then(
        (found) => {
          if (!found.recorded) opened = null;
          return found;
        },
        (err: unknown) => {
          opened = null;
          throw new HttpProblem(503, `the results store cannot be read: ${(err as Error).message}`);
        },
      );
      return (await opened).data;
    },
    async close() {
      const open = opened;
      opened = null;
      await open?.then((found) => found.close()).catch(() => undefined);
    },
  };
}

/** Runs shown per page of the served Runs list. */
const RUNS_PER_PAGE = 50;

function olderThan(params: URLSearchParams): RunListCursor | undefined {
  const recordedAt = params.get('before');
  const runId = params.get('beforeRun');
  if (recordedAt === null && runId === null) return undefined;
  if (recordedAt === null || runId === null || Number.isNaN(Date.parse(recordedAt)))
    throw new HttpProblem(
      400,
      'the "before" and "beforeRun" query parameters go together: a recorded time (ISO 8601) and a run id, as the "Older runs" link gives them',
    );
  return { recordedAt, runId };
}

async function route(
  url: URL,
  data: () => Promise<DashboardData>,
  options: DashboardServerOptions,
): Promise<[string, string, Record<string, string>?]> {
  const params = url.searchParams;
  const queue = async () => (options.queue === undefined ? null : await options.queue());
  switch (url.pathname) {
    case '/':
      return [HTML, renderIndexPage(await indexView(await data()), servedLinks, await queue())];
    case '/runs': {
      const filters = { repository: params.get('repo') ?? '', kind: params.get('reason') ?? '' };
      const before = olderThan(params);
      const view = await (await data()).runList(filters, {
        limit: RUNS_PER_PAGE,
        ...(before === undefined ? {} : { before }),
      });
      return [HTML, renderRunsPage(view, servedLinks)];
    }
    case '/series':
    case '/series-detail.js': {
      const key = seriesKey(params);
      const view = await (await data()).seriesPage(key, filtersFrom(params));
      if (view === null)
        throw new HttpProblem(404, `no runs recorded for ${key.repository} ${key.branch} on ${key.platform}`);
      if (url.pathname === '/series-detail.js')
        return ['text/javascript; charset=utf-8', renderSeriesDetail(view, servedLinks)];
      // The detail of the same page: the same series, range and filters.
      const detail = `/series-detail.js?${params.toString()}`;
      return [
        HTML,
        renderSeriesPage(view, servedLinks, { queue: await queue(), assets: assetLinks('/assets/'), detail }),
      ];
    }
    case '/run': {
      const id = required(params, 'id');
      const view = await (await data()).runPage(id);
      if (view === null)
        throw new HttpProblem(
          404,
          `no run ${JSON.stringify(id)} is recorded; the Runs page lists the recorded ones`,
        );
      return [HTML, renderRunPage(view, servedLinks)];
    }
    case '/export.csv':
    case '/export.svg': {
      const key = seriesKey(params);
      const benchmark = required(params, 'benchmark');
      const metric = params.get('metric');
      const series = (await (await data()).benchmarkSeries(key, benchmark)).find(
        (s) => metric === null || s.metric === metric,
      );
      if (series === undefined)
        throw new HttpProblem(
          404,
          `no series of ${benchmark} for ${key.repository} ${key.branch} on ${key.platform}`,
        );
      const name = `${benchmark}-${series.metric}`.replace(/[^\w.-]+/g, '_');
      return url.pathname === '/export.csv'
        ? [
            'text/csv; charset=utf-8',
            seriesCsv(series),
            { 'content-disposition': `attachment; filename="${name}.csv"` },
          ]
        : [
            'image/svg+xml',
            seriesSvg(series, (p) => servedLinks.run(key.repository, p)),
            { 'content-disposition': `inline; filename="${name}.svg"` },
          ];
    }
    default: {
      const asset = url.pathname.startsWith('/assets/') ? chartAsset(url.pathname.slice(8)) : undefined;
      if (asset === undefined) throw new HttpProblem(404, `no page at ${url.pathname}; start from /`);
      // The library changes only with benchbot's dependencies: let the browser keep it for a day.
      return [asset.type, asset.text, { 'cache-control': 'public, max-age=86400' }];
    }
  }
}

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const data = lazyData(options);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(req, res, 405, 'text/plain', 'only GET\n', { allow: 'GET, HEAD' });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://dashboard');
    route(url, () => data.get(), options).then(
      ([type, body, headers]) => send(req, res, 200, type, body, headers),
      (err: unknown) => {
        const status = err instanceof HttpProblem ? err.status : 500;
        send(req, res, status, HTML, problemPage(status, (err as Error).message));
      },
    );
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const warm = () =>
    warmUp(
      () => data.get(),
      () => closed,
    );
  // Again and again: with nothing recorded since, a warm-up only reads the store's revision.
  const again = () => {
    if (closed) return;
    timer = setTimeout(() => {
      warmed = warm().then(again);
    }, options.rewarmMs ?? REWARM_MS);
    timer.unref();
  };
  let warmed = options.warm === false ? Promise.resolve() : warm();
  if (options.warm !== false) void warmed.then(again);
  return {
    url: `http://${host}:${port}/`,
    get warmed() {
      return warmed;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await warmed;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await data.close();
    },
  };
}

/**
 * Every series page computed once, one at a time between requests, so that their change points are
 * cached before the first reader asks (again after each recorded run: the pages are kept until the
 * store's revision changes). Nothing to warm (no store yet) is not a problem.
 */
async function warmUp(data: () => Promise<DashboardData>, stopped: () => boolean): Promise<void> {
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  try {
    await turn();
    const dashboard = await data();
    for (const key of await dashboard.index()) {
      if (stopped()) return;
      await dashboard.seriesPage(key);
      await turn();
    }
  } catch {
    // The page that needs the store says what is wrong when someone opens it.
  }
}

/** A queue source over its own Temporal connection, made on first use and kept. */
export function temporalQueue(
  connect: () => Promise<Client>,
  config: BenchbotConfig,
  uiUrl: string | null,
): { queue: () => Promise<QueueView>; close: () => Promise<void> } {
  let client: Promise<Client> | null = null;
  return {
    async queue() {
      client ??= connect();
      try {
        return await queueView(await client, config, uiUrl);
      } catch (err) {
        client = null;
        return { rows: [], links: {}, problem: `cannot reach Temporal: ${(err as Error).message}` };
      }
    },
    async close() {
      const made = await client?.catch(() => null);
      await made?.connection.close();
    },
  };
}

/**
 * The dashboard `npm start` runs beside the worker, on config.dashboard's host and port; the
 * queue comes over the same Temporal connection options as the worker's.
 */
export async function startDashboardBeside(
  config: BenchbotConfig,
  connection: ConnectionOptions,
  uiUrl: string | null,
  progress: (message: string) => void,
): Promise<{ close(): Promise<void> }> {
  const temporal = temporalQueue(
    async () =>
      new Client({ connection: await Connection.connect(connection), namespace: config.temporal.namespace }),
    config,
    uiUrl,
  );
  try {
    const server = await startDashboardServer({
      config,
      env: process.env,
      ...config.dashboard,
      uiUrl,
      queue: temporal.queue,
    });
    progress(`dashboard: ${server.url}`);
    return {
      async close() {
        await server.close();
        await temporal.close();
      },
    };
  } catch (err) {
    progress(`dashboard not started: ${(err as Error).message}. Fix: set dashboard.port to a free port.`);
    return { close: () => temporal.close() };
  }
}
