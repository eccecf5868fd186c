import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { type BenchbotConfig, watchedRepos } from '../../core/config/index.js';
import { pollerWorkflowId } from '../../core/poller/ids.js';
import { formatPollerStatus, type PollerState, type PollerStatus } from '../../core/poller/state.js';
import { RUNNING_POLLERS_QUERY } from '../../core/request/contract.js';
import { REPOSITORY } from '../../core/search-attributes.js';
import type { CommentPollerInput } from '../../workflows/comment-poller.js';
import { commentPoller, pollerStatusQuery, setPollIntervalSignal } from '../../workflows/index.js';
import { connectClient } from '../temporal-client.js';

export interface PollerStartOptions {
  repo: string;
  intervalSeconds: number;
  /** The main task queue: the poller runs there and starts its requests there. */
  taskQueue: string;
  /** Test and benchmark knobs; see CommentPollerInput. */
  requestTaskQueue?: string;
  cyclesPerRun?: number;
}

export type PollerStartOutcome = 'started' | 'resumed' | 'already running';

/**
 * Starts a repository's poller, or leaves it running with the given interval. A poller stopped
 * before hands its state (cursor, ETag) to the next start, so comments written while it was
 * stopped are still read.
 */
export async function startPoller(client: Client, options: PollerStartOptions): Promise<PollerStartOutcome> {
  const workflowId = pollerWorkflowId(options.repo);
  const handle = client.workflow.getHandle<typeof commentPoller>(workflowId);
  let previous: PollerState | undefined;
  try {
    const described = await handle.describe();
    if (described.status.name === 'RUNNING') {
      await handle.signal(setPollIntervalSignal, options.intervalSeconds);
      return 'already running';
    }
    if (described.status.name === 'COMPLETED') previous = await handle.result();
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const input: CommentPollerInput = {
    repo: options.repo,
    intervalSeconds: options.intervalSeconds,
    ...(previous ? { state: previous } : {}),
    ...(options.requestTaskQueue ? { requestTaskQueue: options.requestTaskQueue } : {}),
    ...(options.cyclesPerRun ? { cyclesPerRun: options.cyclesPerRun } : {}),
  };
  try {
    await client.workflow.start(commentPoller, {
      workflowId,
      taskQueue: options.taskQueue,
      args: [input],
      typedSearchAttributes: new TypedSearchAttributes([{ key: REPOSITORY, value: options.repo }]),
    });
  } catch (err) {
    // Another `poller start` (or `npm start`) got there first: the poller runs, which is the point.
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'already running';
    throw err;
  }
  return previous ? 'resumed' : 'started';
}

/**
 * Stops a poller by cancelling it; it finishes with its state as the result. Waits up to
 * `waitMs` for that (a worker must be running to process the cancellation).
 */
export async function stopPoller(
  client: Client,
  repo: string,
  waitMs = 30_000,
): Promise<'stopped' | 'not running' | 'stop requested'> {
  const handle = client.workflow.getHandle<typeof commentPoller>(pollerWorkflowId(repo));
  try {
    if ((await handle.describe()).status.name !== 'RUNNING') return 'not running';
    await handle.cancel();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'not running';
    throw err;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'stop requested'>((resolve) => {
    timer = setTimeout(() => resolve('stop requested'), waitMs);
  });
  try {
    return await Promise.race([handle.result().then(() => 'stopped' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A running poller's status, or null when it is not running or no worker answered in time. */
export async function pollerStatusOf(
  client: Client,
  repo: string,
  waitMs = 5_000,
): Promise<PollerStatus | null> {
  const handle = client.workflow.getHandle(pollerWorkflowId(repo));
  try {
    if ((await handle.describe()).status.name !== 'RUNNING') return null;
    return await client.connection.withDeadline(Date.now() + waitMs, () => handle.query(pollerStatusQuery));
  } catch {
    return null;
  }
}

/** Watched repositories, plus any repository whose poller still runs though it is no longer watched. */
async function pollerRepos(client: Client, config: BenchbotConfig): Promise<string[]> {
  const repos = new Map(watchedRepos(config).map((r) => [r.name.toLowerCase(), r.name]));
  for await (const info of client.workflow.list({ query: RUNNING_POLLERS_QUERY })) {
    const repo = info.typedSearchAttributes.get(REPOSITORY);
    if (repo && !repos.has(repo.toLowerCase())) repos.set(repo.toLowerCase(), repo);
  }
  return [...repos.values()];
}

export async function startPollers(
  client: Client,
  config: BenchbotConfig,
  intervalSeconds = config.poll.intervalSeconds,
): Promise<string[]> {
  const lines: string[] = [];
  for (const repo of watchedRepos(config)) {
    const outcome = await startPoller(client, {
      repo: repo.name,
      intervalSeconds,
      taskQueue: config.temporal.taskQueue,
    });
    lines.push(`${repo.name}: ${outcome} (every ${intervalSeconds} s)`);
  }
  return lines.length > 0
    ? lines
    : ['no watched repositories: set watch: true on a repository in the config'];
}

/** Whether `npm start` should poll: only with credentials for GitHub in the environment. */
export function hasGitHubCredentials(config: BenchbotConfig, env: NodeJS.ProcessEnv): boolean {
  const name = config.github.app ? config.github.app.privateKeyEnv : config.github.tokenEnv;
  return Boolean(env[name]);
}

/** `benchbot poller start|stop|status`. */
export async function pollerCommand(
  config: BenchbotConfig,
  action: 'start' | 'stop' | 'status',
  options: { interval?: string; repo?: string },
): Promise<number> {
  const { client, close } = await connectClient(config);
  try {
    if (action === 'start') {
      const interval =
        options.interval === undefined ? config.poll.intervalSeconds : Number(options.interval);
      if (!Number.isFinite(interval) || interval <= 0) {
        console.error(
          `--interval ${options.interval}: give a positive number of seconds, e.g. --interval 10`,
        );
        return 2;
      }
      for (const line of await startPollers(client, config, interval)) console.log(line);
      return 0;
    }
    const repos = options.repo ? [options.repo] : await pollerRepos(client, config);
    if (action === 'stop') {
      for (const repo of repos) console.log(`${repo}: ${await stopPoller(client, repo)}`);
      return 0;
    }
    for (const repo of repos) {
      const status = await pollerStatusOf(client, repo);
      console.log(
        status
          ? formatPollerStatus(status, Date.now())
          : `${repo}: not running (or no worker answered: is \`npm start\` running?)`,
      );
    }
    return 0;
  } finally {
    await close();
  }
}
