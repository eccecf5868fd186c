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
import { createGitHubActivities } from '../activities/github-activities.js';
import { createJobActivities } from '../activities/job-activities.js';
import { createPollerActivities } from '../activities/poller-activities.js';
import { createQueueActivities } from '../activities/queue-activities.js';
import { createReportActivities } from '../activities/report-activities.js';
import { createRepositoryActivities } from '../activities/repository-activities.js';
import { createTriggerActivities } from '../activities/trigger-activities.js';
import { createTrunkActivities } from '../activities/trunk-activities.js';
import { createTrunkWatchActivities } from '../activities/trunk-watch-activities.js';
import type { Executor } from '../adapters/executors/executor.js';
import { forPlatform } from '../adapters/executors/kubernetes/job-manifest.js';
import { createSlots } from '../adapters/executors/kubernetes/slots.js';
import { createKubernetesExecutor } from '../adapters/executors/kubernetes.js';
import { createLocalExecutor, type RunnerIsolation } from '../adapters/executors/local.js';
import { probeSandbox, type SandboxSettings } from '../adapters/executors/local-sandbox.js';
import { createGitHubSession } from '../adapters/github/session.js';
import { createStoreAccess } from '../adapters/results-store/access.js';
import type { BenchbotConfig } from '../core/config/index.js';
import { type Platform, servedPlatforms } from '../core/config/platforms.js';
import { jobsTaskQueue, sharedJobsTaskQueue } from '../core/task-queues.js';
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
  /** The config file benchbot read: hidden from jobs like the data folder. */
  configFile?: string | null;
}

export interface BenchbotWorkers {
  workers: Worker[];
  /** How local jobs are sandboxed, for the start-up lines; null on the Kubernetes executor. */
  sandbox: string | null;
  /** Each worker's state by its task queue, for the health endpoint. */
  states(): Record<string, State>;
  /** Runs every worker until shutdown() (or one fails), then releases what the activities hold. */
  run(): Promise<void>;
  shutdown(): void;
}

/** What a job must never see: the data folder (results, Temporal's state), the config, TLS keys. */
function hiddenPaths(config: BenchbotConfig, configFile: string | null): string[] {
  const tls = config.temporal.tls;
  return [
    config.dataDir,
    config.executor.local.workDir,
    config.results.path,
    ...(configFile === null ? [] : [configFile]),
    ...(tls?.clientKeyPath ? [tls.clientKeyPath] : []),
  ];
}

/**
 * How the local executor isolates jobs on this machine, said once at start: a worker that cannot
 * sandbox pull-request code refuses it unless the config chose `sandbox: none`.
 */
async function localIsolation(
  config: BenchbotConfig,
  env: NodeJS.ProcessEnv,
  configFile: string | null,
  logger: Logger,
): Promise<{ isolation: RunnerIsolation; description: string }> {
  const local = config.executor.local;
  if (local.sandbox === 'none') {
    logger.warn('executor.local.sandbox is none: jobs, pull requests included, run unsandboxed');
    return {
      isolation: { kind: 'unsandboxed', refusal: null },
      description: 'none (executor.local.sandbox: none): pull-request code runs unsandboxed',
    };
  }
  const settings: SandboxSettings = {
    network: local.network,
    readOnlyPaths: local.readOnlyPaths,
    hidden: hiddenPaths(config, configFile),
    limits: local.limits,
    path: env.PATH,
  };
  const status = await probeSandbox(settings);
  if (status.available) {
    logger.info({ network: local.network, limits: local.limits }, 'jobs run in a bubblewrap sandbox');
    return { isolation: { kind: 'sandbox', settings }, description: 'bubblewrap' };
  }
  logger.warn(
    { reason: status.reason },
    'no sandbox for jobs: pull-request runs are refused (set executor.local.sandbox: none to run them unsandboxed)',
  );
  return {
    isolation: { kind: 'unsandboxed', refusal: status.reason },
    description: `UNAVAILABLE (${status.reason}): pull-request runs are refused; set executor.local.sandbox: none to run them unsandboxed`,
  };
}

/**
 * The runner's executor for a platform (null: the jobs queue of workflows from before per-platform
 * queues): a child process here, or a Job in the cluster of $KUBECONFIG (else the in-cluster
 * service account, else ~/.kube/config) placed as the platform says, within its cluster-wide slots.
 */
async function createExecutors(
  options: WorkerOptions,
): Promise<{ executorFor: (platform: Platform | null) => Executor; sandbox: string | null }> {
  const { config, env } = options;
  if (config.executor.kind === 'kubernetes') {
    const kubeConfig = new KubeConfig();
    if (env.KUBECONFIG) kubeConfig.loadFromFile(env.KUBECONFIG);
    else kubeConfig.loadFromDefault();
    const base = config.executor.kubernetes;
    return {
      executorFor: (platform) =>
        platform === null
          ? createKubernetesExecutor({ config: base, kubeConfig })
          : createKubernetesExecutor({
              config: forPlatform(base, platform),
              kubeConfig,
              slots: createSlots({
                kubeConfig,
                namespace: base.namespace,
                platform: platform.name,
                count: platform.slots ?? config.executor.slots,
              }),
            }),
      sandbox: null,
    };
  }
  const local = config.executor.local;
  const { isolation, description } = await localIsolation(
    config,
    env,
    options.configFile ?? null,
    options.logger,
  );
  const executor = createLocalExecutor({
    workRoot: local.workDir,
    hostEnv: env,
    passEnv: local.passEnv,
    isolation,
    wallTimeMs: local.limits.wallMinutes * 60_000,
    logger: options.logger,
  });
  return { executorFor: () => executor, sandbox: description };
}

/**
 * Workers on one connection: the main task queue for workflows and short activities, and a jobs
 * queue per platform this worker serves (`<queue>-jobs-<platform>`, executor.platforms), each
 * taking at most its platform's slots at a time; the queues are the lines requests wait in. The
 * plain `<queue>-jobs` queue serves workflows that began before per-platform queues.
 */
export async function createWorkers(options: WorkerOptions): Promise<BenchbotWorkers> {
  const { connection, config } = options;
  const taskQueue = options.taskQueue ?? config.temporal.taskQueue;
  // One store (a SQLite connection or a PostgreSQL pool) for every activity of this worker.
  const store = createStoreAccess(config, options.env);
  // One GitHub client for every activity of this worker, so one write pacing and one rate budget.
  const session = createGitHubSession({
    config,
    env: options.env,
    logger: options.logger,
    ...(options.retryAfterUnitMs === undefined ? {} : { retryAfterUnitMs: options.retryAfterUnitMs }),
  });
  const github = createGitHubActivities({ config, github: session, uiUrl: options.uiUrl, store });
  const reports = createReportActivities(store);
  const trunkDeps = { config, store, github: session, logger: options.logger };
  const trunk = createTrunkActivities(trunkDeps);
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
      ...createPollerActivities({ github: session, logger: options.logger }),
      ...reports,
      ...trunk,
      ...createTrunkWatchActivities(trunkDeps),
    },
  });
  const executors = await createExecutors(options);
  const jobsWorker = (queue: string, slots: number, executor: Executor) =>
    Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: queue,
      maxConcurrentActivityTaskExecutions: slots,
      // Cancellation reaches an activity with its next heartbeat: flush them often enough that
      // `cancel benchmark` stops a job within seconds (one small RPC per job every few seconds).
      maxHeartbeatThrottleInterval: '3 seconds',
      // Jobs run for hours: on shutdown they are interrupted at once (no grace), heartbeat their last
      // checkpoint and fail the attempt, so that the retry starts elsewhere within seconds instead of
      // after the heartbeat timeout.
      shutdownGraceTime: 0,
      activities: createJobActivities({
        config,
        executor,
        store,
        logger: options.logger,
        publishStatus: github.publishStatus,
        pullRequestHead: github.pullRequestHead,
        ...(options.statusEditIntervalMs === undefined
          ? {}
          : { statusEditIntervalMs: options.statusEditIntervalMs }),
      }),
    });
  const served = servedPlatforms(config);
  if (config.executor.kind === 'local' && served.length > 1) {
    // Each platform has its own queue and slots: on one machine their jobs would run side by side.
    options.logger.warn(
      { platforms: served.map((p) => p.name) },
      'this machine runs the jobs of several platforms, which may then run at the same time; set executor.platforms (or BENCHBOT_PLATFORMS) to the platform it is',
    );
  }
  const jobs = await Promise.all([
    jobsWorker(sharedJobsTaskQueue(taskQueue), config.executor.slots, executors.executorFor(null)),
    ...served.map((platform) =>
      jobsWorker(
        jobsTaskQueue(taskQueue, platform.name),
        platform.slots ?? config.executor.slots,
        executors.executorFor(platform),
      ),
    ),
  ]);
  const workers = [main, ...jobs];
  // One worker stopping (shutdown or failure) stops the others: half a worker would take
  // requests it cannot finish.
  const shutdown = () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  return {
    workers,
    sandbox: executors.sandbox,
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
