import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import {
  bundleWorkflowCode,
  type NativeConnection,
  type State,
  Worker,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Executor } from '../activities/executors/executor.js';
import { createKubernetesExecutor } from '../activities/executors/kubernetes.js';
import { createLocalExecutor } from '../activities/executors/local.js';
import { createGitHubActivities } from '../activities/github-activities.js';
import { createJobActivities } from '../activities/job-activities.js';
import { createPollerActivities } from '../activities/poller/poll-comments.js';
import { createQueueActivities } from '../activities/queue-activities.js';
import { createReportActivities } from '../activities/report-activities.js';
import { createRepositoryActivities } from '../activities/repository-activities.js';
import { createStoreAccess } from '../activities/results-store/access.js';
import { createTriggerActivities } from '../activities/trigger-validation.js';
import { createTrunkActivities } from '../activities/trunk-activities.js';
import type { BenchbotConfig } from '../core/config/index.js';
import { withoutSecrets } from '../core/secret-env.js';
import { heartbeatWhileRunning } from './heartbeat-while-running.js';
import { bundlerLoggerFor } from './logger.js';

/** Shorter than a Kubernetes Pod's default 30 s termination grace, leaving time to exit. */
const SHORT_ACTIVITY_GRACE = '10 seconds';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface WorkerOptions {
  connection: NativeConnection;
  config: BenchbotConfig;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** The Web UI as actually served, for links in PR comments. */
  uiUrl: string | null;
  /** Defaults to config.temporal.taskQueue; tests give each suite its own. */
  taskQueue?: string;
  /** A prebuilt bundle skips the (seconds-long) webpack step; tests build one per run. */
  workflowBundle?: WorkflowBundleOption;
  /** Test knobs: shorter waits on GitHub's retry-after and between status edits. */
  retryAfterUnitMs?: number;
  statusEditIntervalMs?: number;
}

export interface BenchbotWorkers {
  workers: Worker[];
  /** Each worker's state by its task queue, for the health endpoint. */
  states(): Record<string, State>;
  /** Runs every worker until shutdown() (or one fails), then releases what the activities hold. */
  run(): Promise<void>;
  shutdown(): void;
}

/** The variables the config names as holding secrets. */
function secretEnvNames(config: BenchbotConfig): string[] {
  const { github, temporal } = config;
  return [
    github.tokenEnv,
    github.webhookSecretEnv,
    temporal.apiKeyEnv,
    ...(github.app ? [github.app.privateKeyEnv] : []),
  ];
}

/**
 * The runner's executor: a child process here, or a Job in the cluster of $KUBECONFIG (else the
 * in-cluster service account, else ~/.kube/config).
 */
function createExecutor(config: BenchbotConfig, env: NodeJS.ProcessEnv): Executor {
  if (config.executor.kind === 'kubernetes') {
    const kubeConfig = new KubeConfig();
    if (env.KUBECONFIG) kubeConfig.loadFromFile(env.KUBECONFIG);
    else kubeConfig.loadFromDefault();
    return createKubernetesExecutor({ config: config.executor.kubernetes, kubeConfig });
  }
  return createLocalExecutor(config.executor.local.workDir, withoutSecrets(env, secretEnvNames(config)));
}

/**
 * Two workers on one connection: the main task queue for workflows and short activities, and
 * `<queue>-jobs` for benchmark jobs, which takes at most `executor.slots` at a time. The jobs
 * queue is the line requests wait in.
 */
export async function createWorkers(options: WorkerOptions): Promise<BenchbotWorkers> {
  const { connection, config } = options;
  const taskQueue = options.taskQueue ?? config.temporal.taskQueue;
  // One store (a SQLite connection or a PostgreSQL pool) for every activity of this worker.
  const store = createStoreAccess(config, options.env);
  const github = createGitHubActivities({
    config,
    env: options.env,
    logger: options.logger,
    uiUrl: options.uiUrl,
    store,
    ...(options.retryAfterUnitMs === undefined ? {} : { retryAfterUnitMs: options.retryAfterUnitMs }),
  });
  const reports = createReportActivities(store);
  const trunk = createTrunkActivities({
    config,
    store,
    env: options.env,
    logger: options.logger,
    ...(options.retryAfterUnitMs === undefined ? {} : { retryAfterUnitMs: options.retryAfterUnitMs }),
  });
  const main = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue,
    workflowBundle:
      options.workflowBundle ??
      (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: bundlerLoggerFor(options.logger) })),
    // Short activities heartbeat while they run, so that a killed worker's are retried within seconds.
    interceptors: { activity: [heartbeatWhileRunning] },
    // On shutdown, GitHub writes and store writes in flight get this long to finish on their own.
    shutdownGraceTime: SHORT_ACTIVITY_GRACE,
    activities: {
      ...createTriggerActivities(config),
      ...github,
      ...createQueueActivities(config),
      ...createRepositoryActivities(config),
      ...createPollerActivities({
        config,
        env: options.env,
        logger: options.logger,
        ...(options.retryAfterUnitMs === undefined ? {} : { retryAfterUnitMs: options.retryAfterUnitMs }),
      }),
      ...reports,
      ...trunk,
    },
  });
  const jobs = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: `${taskQueue}-jobs`,
    maxConcurrentActivityTaskExecutions: config.executor.slots,
    // Cancellation reaches an activity with its next heartbeat: flush them often enough that
    // `cancel benchmark` stops a job within seconds (one small RPC per job every few seconds).
    maxHeartbeatThrottleInterval: '3 seconds',
    // Jobs run for hours: on shutdown they are interrupted at once (no grace), heartbeat their last
    // checkpoint and fail the attempt, so that the retry starts elsewhere within seconds instead of
    // after the heartbeat timeout.
    shutdownGraceTime: 0,
    activities: createJobActivities({
      config,
      executor: createExecutor(config, options.env),
      store,
      logger: options.logger,
      publishStatus: github.publishStatus,
      pullRequestHead: github.pullRequestHead,
      ...(options.statusEditIntervalMs === undefined
        ? {}
        : { statusEditIntervalMs: options.statusEditIntervalMs }),
    }),
  });
  const workers = [main, jobs];
  // One worker stopping (shutdown or failure) stops the other: half a worker would take
  // requests it cannot finish.
  const shutdown = () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  return {
    workers,
    states: () => Object.fromEntries(workers.map((w) => [w.options.taskQueue, w.getState()])),
    async run() {
      const settled = await Promise.allSettled(workers.map((w) => w.run().finally(shutdown)));
      await store.close();
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
    },
    shutdown,
  };
}
