import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { openResultsStore } from '../../adapters/results-store/index.js';
import type { BenchbotConfig } from '../../core/config/index.js';
import { servedPlatforms } from '../../core/config/platforms.js';
import { jobsTaskQueue, sharedJobsTaskQueue } from '../../core/task-queues.js';
import { type BenchbotWorkers, createWorkers } from '../../worker/create-worker.js';
import { startHealthServer } from '../../worker/health-server.js';
import { createLogger } from '../../worker/logger.js';
import { startRequestMetrics } from '../../worker/request-metrics.js';
import { installRuntime } from '../../worker/runtime.js';
import { startTrunkMetrics } from '../../worker/trunk-metrics.js';
import { startDashboardBeside } from '../dashboard/server.js';
import { type DevServer, startDevServer } from '../dev-server.js';
import { startGitHubIntake } from '../intake.js';
import { registerSearchAttributes } from '../register-search-attributes.js';
import { syncSchedules } from '../schedules.js';
import { temporalCliPath } from '../temporal-cli.js';
import { connectionOptions } from '../temporal-connection.js';

const progress = (msg: string) => console.log(`[benchbot] ${msg}`);

/** The dev server logs `level=WARN …` text lines; keep their severity in the JSON stream. */
function serverLogLevel(line: string): 'error' | 'warn' | 'info' {
  const level = /\blevel=(\w+)/.exec(line)?.[1]?.toUpperCase();
  return level === 'ERROR' || level === 'FATAL' ? 'error' : level === 'WARN' ? 'warn' : 'info';
}

/**
 * `npm start`: the embedded default (a `temporal server start-dev` on a SQLite file in the data
 * folder, with the Web UI) or a configured cluster, then the worker. Ctrl-C shuts the worker down
 * (finishing in-flight tasks) before stopping the server, so nothing is cut mid-write.
 */
export async function start(config: BenchbotConfig, configFile: string | null = null): Promise<void> {
  const logger = createLogger();
  installRuntime(logger, config.telemetry.metricsAddress);

  let server: DevServer | null = null;
  let workers: BenchbotWorkers | null = null;
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      progress(`${signal} again: exiting without waiting`);
      server?.process.kill('SIGKILL');
      process.exit(130);
    }
    stopping = true;
    progress(
      `${signal}: stopping; running jobs checkpoint and move to another worker, other tasks finish (press Ctrl-C again to force)…`,
    );
    workers?.shutdown();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  try {
    // Migrated here, once per start (under a lock on PostgreSQL, so replicas starting together agree),
    // and a store that cannot be used stops the start with its reason instead of failing every run.
    const store = await openResultsStore(config, process.env);
    progress(`results store: ${store.location}`);
    await store.close();

    let address = config.temporal.address;
    let uiUrl = config.temporal.uiUrl;
    if (address === null) {
      const dbFile = join(config.dataDir, 'temporal.sqlite');
      progress(`starting the Temporal dev server (state in ${dbFile})…`);
      server = await startDevServer({
        temporalPath: temporalCliPath(),
        dbFile,
        namespace: config.temporal.namespace,
        port: config.temporal.port,
        uiPort: config.temporal.uiPort,
        onLog: (line) => logger[serverLogLevel(line)]({ source: 'temporal-server' }, line),
      });
      address = server.address;
      uiUrl ??= server.uiUrl;
    } else {
      progress(`connecting to Temporal at ${address} (namespace ${config.temporal.namespace})…`);
    }

    const options = await connectionOptions(config, address);
    const clientConnection = await Connection.connect(options);
    const connection = await NativeConnection.connect(options).catch(async (err: unknown) => {
      await clientConnection.close();
      throw err;
    });
    try {
      const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
      const added = await registerSearchAttributes(clientConnection, config.temporal.namespace);
      if (added.length > 0) progress(`registered search attributes: ${added.join(', ')}`);
      const synced = await syncSchedules(client, config);
      const changed = synced.filter((s) => s.action !== 'unchanged');
      if (changed.length > 0)
        progress(`schedules: ${changed.map((s) => `${s.action} ${s.scheduleId}`).join(', ')}`);

      workers = await createWorkers({ connection, config, env: process.env, logger, uiUrl, configFile });
      if (!stopping) {
        progress(`worker polling task queue ${config.temporal.taskQueue} on ${address}`);
        progress(`Temporal Web UI: ${uiUrl ?? '(not available: set temporal.uiUrl)'}`);
        if (workers.sandbox !== null) progress(`job sandbox: ${workers.sandbox}`);
        const running = workers;
        const health = config.telemetry.healthAddress
          ? await startHealthServer({
              address: config.telemetry.healthAddress,
              workers: () => running.states(),
              checkTemporal: async () => {
                await clientConnection.healthService.check({});
              },
            })
          : null;
        if (health) progress(`health: ${health.url}/healthz and ${health.url}/readyz`);
        const metrics = config.telemetry.metricsAddress
          ? startRequestMetrics({
              client,
              meter: Runtime.instance().metricMeter,
              jobsQueues: [
                { name: sharedJobsTaskQueue(config.temporal.taskQueue), slots: config.executor.slots },
                ...servedPlatforms(config).map((p) => ({
                  name: jobsTaskQueue(config.temporal.taskQueue, p.name),
                  slots: p.slots ?? config.executor.slots,
                })),
              ],
              intervalMs: config.telemetry.requestMetricsIntervalSeconds * 1000,
              logger,
            })
          : null;
        const trunkMetrics = config.telemetry.metricsAddress
          ? startTrunkMetrics({
              config,
              env: process.env,
              meter: Runtime.instance().metricMeter,
              intervalMs: config.telemetry.requestMetricsIntervalSeconds * 1000,
              logger,
            })
          : null;
        // Pollers and the webhook receiver, when GitHub credentials / the webhook secret are set.
        const intake = await startGitHubIntake(config, options, process.env, logger, progress);
        const dashboard = await startDashboardBeside(config, options, uiUrl, progress);
        progress('ready. Ctrl-C stops.');
        try {
          await workers.run();
        } finally {
          await intake.close();
          await dashboard.close();
          await metrics?.stop();
          await trunkMetrics?.stop();
          await health?.close();
        }
      }
    } finally {
      await connection.close();
      await clientConnection.close();
    }
  } finally {
    if (server) {
      progress('stopping the Temporal dev server…');
      await server.stop();
    }
    process.off('SIGINT', shutdown);
    process.off('SIGTERM', shutdown);
  }
  progress('stopped.');
}
