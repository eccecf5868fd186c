import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { State as WorkerState } from '@temporalio/worker';

export interface HealthServerOptions {
  /** host:port, from telemetry.healthAddress. */
  address: string;
  /** The states of this process's workers, by task queue. */
  workers: () => Record<string, WorkerState>;
  /** Resolves when the Temporal frontend answers its health check, rejects otherwise. */
  checkTemporal: () => Promise<void>;
}

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

const TEMPORAL_CHECK_TIMEOUT_MS = 2_000;

function reply(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
}

async function temporalReachable(check: () => Promise<void>): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${TEMPORAL_CHECK_TIMEOUT_MS} ms`)),
      TEMPORAL_CHECK_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([check(), timeout]);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Probes for the worker's Deployment. /healthz (liveness) fails only when a worker has failed, so
 * a draining worker is not killed before its jobs have checkpointed. /readyz (readiness) also
 * needs every worker polling and the Temporal frontend answering; it fails while shutting down.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const separator = options.address.lastIndexOf(':');
  const host = options.address.slice(0, separator).replace(/^\[(.*)\]$/, '$1');
  const port = Number(options.address.slice(separator + 1));

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://health').pathname;
    if (path !== '/healthz' && path !== '/readyz')
      return reply(res, 404, { error: 'try /healthz or /readyz' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, { error: 'GET only' });
    const workers = options.workers();
    const states = Object.values(workers);
    if (path === '/healthz') {
      const failed = states.includes('FAILED');
      return reply(res, failed ? 503 : 200, { status: failed ? 'failed' : 'ok', workers });
    }
    void temporalReachable(options.checkTemporal).then((temporalProblem) => {
      const problems = [
        ...Object.entries(workers)
          .filter(([, state]) => state !== 'RUNNING')
          .map(([queue, state]) => `worker for ${queue} is ${state}`),
        ...(temporalProblem === null ? [] : [`Temporal does not answer: ${temporalProblem}`]),
      ];
      reply(res, problems.length === 0 ? 200 : 503, {
        status: problems.length === 0 ? 'ready' : 'not ready',
        workers,
        ...(problems.length === 0 ? {} : { problems }),
      });
    });
  });
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'EADDRINUSE'
        ? `telemetry.healthAddress ${options.address} is in use; set it to a free host:port, or to null to turn the health endpoint off`
        : `could not serve the health endpoint on telemetry.healthAddress ${options.address}: ${String(err)}`,
    );
  }
  const bound = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound.port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
