import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { createDashboardData, type DashboardData, queueView } from '../activities/dashboard-data.js';
import { openResultsStore, type ResultsStore } from '../activities/results-store/index.js';
import type { BenchbotConfig } from '../core/config/index.js';
import {
  escapeHtml,
  filtersFrom,
  layout,
  type QueueView,
  renderIndexPage,
  renderRunPage,
  renderSeriesPage,
  type SeriesKey,
  seriesCsv,
  seriesSvg,
} from '../core/dashboard/index.js';
import { servedLinks } from './dashboard-links.js';

// `benchbot dashboard` and the dashboard `npm start` serves: pages rendered per request from the
// results store (read-only), the live queue from Temporal visibility.

export interface DashboardServerOptions {
  config: BenchbotConfig;
  /** Where a PostgreSQL store's URL is read from (the variable `results.urlEnv` names). */
  env: NodeJS.ProcessEnv;
  host: string;
  port: number;
  /** The live queue; omitted, pages show none. */
  queue?: () => Promise<QueueView>;
}

export interface DashboardServer {
  url: string;
  close(): Promise<void>;
}

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
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...extra });
  res.end(body);
}

const HTML = 'text/html; charset=utf-8';

function problemPage(status: number, message: string): string {
  return layout({
    title: `${status} · benchbot`,
    crumbs: '<a href="/">benchbot dashboard</a>',
    body: `<h1>${status === 404 ? 'Not found' : status === 400 ? 'Bad request' : 'Error'}</h1><p class="problem">${escapeHtml(message)}</p>`,
  });
}

/** The results store, opened on first use so a dashboard started before any run still serves. */
function lazyData(
  config: BenchbotConfig,
  env: NodeJS.ProcessEnv,
): { get(): Promise<DashboardData>; close(): Promise<void> } {
  let opened: Promise<{ store: ResultsStore; data: DashboardData }> | null = null;
  return {
    async get() {
      opened ??= openResultsStore(config, env, { readonly: true }).then(
        (store) => ({ store, data: createDashboardData(store, config) }),
        (err: unknown) => {
          opened = null;
          throw new HttpProblem(
            503,
            `${(err as Error).message} (no results yet? The store appears with the first recorded run.)`,
          );
        },
      );
      return (await opened).data;
    },
    async close() {
      const open = opened;
      opened = null;
      await open?.then(({ store }) => store.close()).catch(() => undefined);
    },
  };
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
      return [HTML, renderIndexPage(await (await data()).index(), servedLinks, await queue())];
    case '/series': {
      const key = seriesKey(params);
      const view = await (await data()).seriesPage(key, filtersFrom(params));
      if (view === null)
        throw new HttpProblem(404, `no runs recorded for ${key.repository} ${key.branch} on ${key.platform}`);
      return [HTML, renderSeriesPage(view, servedLinks, { queue: await queue(), runsScript: null })];
    }
    case '/run': {
      const repository = required(params, 'repo');
      const view = await (await data()).runPage(repository, required(params, 'id'), required(params, 'sha'));
      if (view === null)
        throw new HttpProblem(404, `no run ${params.get('id')} of ${repository} is recorded`);
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
    default:
      throw new HttpProblem(404, `no page at ${url.pathname}; start from /`);
  }
}

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const data = lazyData(options.config, options.env);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain', 'only GET\n', { allow: 'GET, HEAD' });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://dashboard');
    route(url, () => data.get(), options).then(
      ([type, body, headers]) => send(res, 200, type, body, headers),
      (err: unknown) => {
        const status = err instanceof HttpProblem ? err.status : 500;
        send(res, status, HTML, problemPage(status, (err as Error).message));
      },
    );
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await data.close();
    },
  };
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
