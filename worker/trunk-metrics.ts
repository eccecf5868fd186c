import type { MetricMeter } from '@temporalio/common';
import type { Logger } from 'pino';
import { createStoreAccess } from '../adapters/results-store/access.js';
import { newestRunOfBranch } from '../adapters/results-store/newest-run.js';
import type { BenchbotConfig } from '../core/config/index.js';
import { schedulePlatformsOrFail } from '../core/config/lookup-or-fail.js';
import { samplePeriodically } from './periodic-sample.js';

export interface TrunkMetricsOptions {
  config: BenchbotConfig;
  env: NodeJS.ProcessEnv;
  meter: MetricMeter;
  intervalMs: number;
  logger: Logger;
}

/**
 * `benchbot_trunk_last_success_timestamp_seconds{repository,schedule}`: when each trunk schedule's
 * branch last recorded a successful run, read from the results store (shared by every worker, so
 * every replica exports the same figure: aggregate with max). Alert on
 * `time() - benchbot_trunk_last_success_timestamp_seconds > N * interval`; a schedule that never
 * succeeded has no sample (alert on its absence), and a worker that is down exports nothing at all.
 */
export function startTrunkMetrics(options: TrunkMetricsOptions): { stop(): Promise<void> } {
  const { config, logger } = options;
  const gauge = options.meter.createGauge(
    'benchbot_trunk_last_success_timestamp_seconds',
    'float',
    's',
    'when the branch of each trunk schedule last recorded a successful run (Unix time)',
  );
  const schedules = config.repos.flatMap((repo) => repo.schedules.map((schedule) => ({ repo, schedule })));

  // Its own connection (pool), opened on the first sample: metrics never wait behind activities.
  const store = createStoreAccess(config, options.env);
  const sample = async () => {
    for (const { repo, schedule } of schedules) {
      const platforms = schedulePlatformsOrFail(repo, schedule);
      const lastOk = await newestRunOfBranch(store, repo.name, schedule.branch, platforms, 'ok');
      if (lastOk !== null) {
        gauge.set(Date.parse(lastOk.run.recordedAt) / 1000, {
          repository: repo.name,
          schedule: schedule.name,
        });
      }
    }
  };

  if (schedules.length === 0) return { stop: async () => undefined };
  const sampling = samplePeriodically(sample, options.intervalMs, (err) =>
    logger.warn({ err }, 'could not read trunk metrics from the results store'),
  );
  return {
    async stop() {
      await sampling.stop();
      await store.close();
    },
  };
}
