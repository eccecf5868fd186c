import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { expect } from 'vitest';
import { openResultsStore } from '../../adapters/results-store/index.js';
import type { BenchbotConfig } from '../../core/config/index.js';
import { commentMarker } from '../../core/request/ids.js';
import type { CommentSource, RequestOutcome } from '../../core/request/types.js';
import { type FakeGitHub, startFakeGitHub } from '../fakes/github/index.js';
import { testConfig } from '../integration/test-config.js';
import { type FixtureRepo, makeFixtureRepo } from '../runner/fixture-repo.js';
import { startCommentRequest, triggerComment } from '../support/trigger-comment.js';

export const BOT = 'benchbot[bot]';
export const TOKEN_ENV = { GITHUB_TOKEN: 'bot-token' };

export interface WorldConfigOptions {
  address: string;
  slots?: number;
  /** Absolute path of the results store; default `<dataDir>/results.sqlite`. */
  resultsPath?: string;
  githubUrl?: string;
  /** Seconds each benchmark round sleeps, to have a job to interrupt; default 0. */
  roundSeconds?: number;
  /** Serve metrics (read from Temporal every second) and the health endpoint on these ports. */
  telemetry?: { metricsPort: number; healthPort: number };
  /** The results store in PostgreSQL, its URL in BENCHBOT_DATABASE_URL (see DATABASE_URL_ENV). */
  postgres?: boolean;
  /** Task queue; default a new one per config. Workers sharing a queue share the requests. */
  taskQueue?: string;
  /** The worker's data folder (its work directories); default the world's. */
  dataDir?: string;
  /** Further entries of `repos:` (YAML list items, indented by 2), e.g. a trunk repository. */
  extraRepos?: string;
  /** Least time between two GitHub writes of a worker (github.writeIntervalMs); default 1000. */
  writeIntervalMs?: number;
}

/** The variable that holds the PostgreSQL URL for a config written with `postgres: true`. */
export const DATABASE_URL_ENV = 'BENCHBOT_DATABASE_URL';

/**
 * One fault case's world: a real git fixture, the fake GitHub with one repository (a name of its
 * own, so nothing on the shared Temporal server collides) and one pull request, and a data folder.
 */
export interface FaultWorld {
  fake: FakeGitHub;
  fixture: FixtureRepo;
  repo: string;
  pr: number;
  dataDir: string;
  /** Writes the config to a file (for `benchbot start`) and returns its path and parsed form. */
  writeConfig(options: WorldConfigOptions): { file: string; config: BenchbotConfig };
  /** Another pull request of the same branches, for faults aimed at one request's paths. */
  openPullRequest(): Promise<number>;
  /** A trigger comment by alice on a pull request (default `pr`), as the workflow input that names it. */
  comment(body?: string, pr?: number): CommentSource;
  start(client: Client, taskQueue: string, source: CommentSource): Promise<string>;
  dispose(): Promise<void>;
}

export async function makeWorld(name: string): Promise<FaultWorld> {
  const fixture = await makeFixtureRepo();
  const fake = await startFakeGitHub({
    users: [
      { login: BOT, token: 'bot-token' },
      { login: 'alice', token: 'alice-token' },
    ],
  });
  const owner = 'faults';
  const repoName = `${name}-${randomUUID().slice(0, 8)}`;
  const repo = `${owner}/${repoName}`;
  fake.createRepo({ owner, name: repoName, gitPath: join(fixture.dir, 'project') });
  const pr = await fake.openPullRequest(repo, {
    author: 'alice',
    head: { ref: 'slow' },
    base: { ref: 'main' },
  });
  const dataDir = mkdtempSync(join(tmpdir(), `benchbot-faults-${name}-`));

  // One benchmark that costs next to nothing, so what is measured is benchbot, not the benchmark.
  // `watch: false`: requests are started by the test, not by a poller racing it for the same ids.
  const configText = (o: WorldConfigOptions) => `
version: 1
dataDir: ${JSON.stringify(o.dataDir ?? dataDir)}
temporal: { address: ${JSON.stringify(o.address)}, taskQueue: ${o.taskQueue ?? `faults-${randomUUID()}`} }
telemetry: ${
    o.telemetry
      ? `{ metricsAddress: "127.0.0.1:${o.telemetry.metricsPort}", healthAddress: "127.0.0.1:${o.telemetry.healthPort}", requestMetricsIntervalSeconds: 1 }`
      : '{ metricsAddress: null, healthAddress: null }'
  }
github: { apiUrl: ${JSON.stringify(o.githubUrl ?? fake.url)}, botLogin: "${BOT}"${o.writeIntervalMs === undefined ? '' : `, writeIntervalMs: ${o.writeIntervalMs}`} }
executor: { slots: ${o.slots ?? 1} }
dashboard: { port: 0 }
${o.resultsPath ? `results: { path: ${JSON.stringify(o.resultsPath)} }` : ''}
${o.postgres ? `results: { store: postgres, urlEnv: ${DATABASE_URL_ENV} }` : ''}
repos:
  - name: ${repo}
    url: ${JSON.stringify(fixture.url)}
    watch: false
    trigger: { maxQueuedPerRequester: 100 }
    build: { command: "sh build.sh", env: { BENCH_FLAVOR: x } }
    benchmarks:
      - { name: tiny, command: "sleep ${o.roundSeconds ?? 0} && echo BenchmarkTiny-1 1 $((100 + BENCHBOT_ROUND)) ns/op > tiny.txt", output: { path: tiny.txt, format: go-bench }, iterations: 3, warmups: 0 }
      - { name: second, command: "sleep ${o.roundSeconds ?? 0} && echo BenchmarkSecond-1 1 $((100 + BENCHBOT_ROUND)) ns/op > second.txt", output: { path: second.txt, format: go-bench }, iterations: 3, warmups: 0 }
${o.extraRepos ?? ''}`;

  return {
    fake,
    fixture,
    repo,
    pr,
    dataDir,
    writeConfig(options) {
      const text = configText(options);
      const file = join(dataDir, `config-${randomUUID()}.yaml`);
      writeFileSync(file, text);
      return { file, config: testConfig(text) };
    },
    openPullRequest() {
      return fake.openPullRequest(repo, { author: 'alice', head: { ref: 'slow' }, base: { ref: 'main' } });
    },
    comment(body = 'run benchmark tiny', on = pr) {
      return triggerComment(fake, repo, on, body);
    },
    async start(client, taskQueue, source) {
      return (await startCommentRequest(client, taskQueue, source)).workflowId;
    },
    async dispose() {
      await fake.stop();
      await rm(dataDir, { recursive: true, force: true });
      await rm(fixture.dir, { recursive: true, force: true });
    },
  };
}

/**
 * Nothing lost, nothing duplicated, counted where it shows: every request done with its report in
 * exactly one status comment (and no other comment by the bot), exactly one 👀 and one 🚀 on every
 * trigger comment still there, and exactly one run per request in the results store.
 */
export async function expectEachReportedOnce(
  world: FaultWorld,
  client: Client,
  requests: { source: CommentSource; workflowId: string }[],
  config: BenchbotConfig,
  options: { deletedTriggers?: number[]; env?: NodeJS.ProcessEnv } = {},
): Promise<void> {
  const outcomes = await Promise.all(
    requests.map((r) => client.workflow.getHandle(r.workflowId).result() as Promise<RequestOutcome>),
  );
  const botComments = world.fake.comments(world.repo).filter((c) => c.author === BOT);
  expect(botComments).toHaveLength(requests.length);
  const stored = await storedReports(world, config, options.env);
  const reports = new Map(stored);
  for (const [i, { source, workflowId }] of requests.entries()) {
    const outcome = outcomes[i];
    expect(outcome, `${workflowId}: ${JSON.stringify(outcome)}`).toMatchObject({
      outcome: 'done',
      runId: workflowId,
    });
    const mine = botComments.filter((c) => c.body.includes(commentMarker(workflowId)));
    expect(mine, workflowId).toHaveLength(1);
    expect(mine[0]?.issueNumber).toBe(source.pr);
    expect(mine[0]?.body).toContain('✅ done');
    // The comment holds the report recorded with the run.
    const report = reports.get(workflowId);
    expect(report, workflowId).toBeTruthy();
    expect(mine[0]?.body).toContain(report);
    if (options.deletedTriggers?.includes(source.commentId)) continue;
    const reactions = world.fake.reactions(source.commentId).filter((r) => r.user === BOT);
    expect(reactions.map((r) => r.content).sort(), workflowId).toEqual(['eyes', 'rocket']);
  }
  expect(stored.map(([runId]) => runId).sort()).toEqual(requests.map((r) => r.workflowId).sort());
}

/**
 * The runners of this world running right now (found by the job marker in their environment), each
 * with its ancestors (parent first: the sandbox's processes, then the worker that started it) and
 * its job's folder, named after the request's workflow id.
 */
export async function runners(
  world: FaultWorld,
): Promise<{ pid: number; ancestors: number[]; job: string }[]> {
  const found: { pid: number; ancestors: number[]; job: string }[] = [];
  for (const entry of await readdir('/proc')) {
    const [environ, cmdline, status] = await Promise.all([
      readFile(`/proc/${entry}/environ`, 'utf8').catch(() => ''),
      readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => ''),
      readFile(`/proc/${entry}/status`, 'utf8').catch(() => ''),
    ]);
    if (
      environ.includes(`BENCHBOT_JOB=${world.dataDir}`) &&
      cmdline.split('\0')[1]?.endsWith('runner/bin.js')
    ) {
      found.push({
        pid: Number(entry),
        ancestors: await ancestorsOf(Number(/^PPid:\s*(\d+)/m.exec(status)?.[1] ?? 0)),
        job: /(?:^|\0)BENCHBOT_JOB=([^\0]*)/.exec(environ)?.[1] ?? '',
      });
    }
  }
  return found;
}

async function ancestorsOf(pid: number): Promise<number[]> {
  const chain: number[] = [];
  for (let at = pid; at > 1 && chain.length < 64; ) {
    chain.push(at);
    const status = await readFile(`/proc/${at}/status`, 'utf8').catch(() => '');
    at = Number(/^PPid:\s*(\d+)/m.exec(status)?.[1] ?? 0);
  }
  return chain;
}

/** Whether a runner of this world is running right now. */
export async function runnerRunning(world: FaultWorld): Promise<boolean> {
  return (await runners(world)).length > 0;
}

/** Run ids in the results store for the pull request's head, read as another process would. */
export async function storedRunIds(
  world: FaultWorld,
  config: BenchbotConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  return (await storedReports(world, config, env)).map(([runId]) => runId);
}

/** The report recorded with each run of the fixture's changed commit, by run id. */
async function storedReports(
  world: FaultWorld,
  config: BenchbotConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<[runId: string, report: string][]> {
  const store = await openResultsStore(config, env, { readonly: true });
  try {
    const runs = await store.runsBySha(world.repo, world.fixture.shas.slow);
    const reports: [string, string][] = [];
    for (const { runId } of runs) reports.push([runId, (await store.runReport(runId))?.report ?? '']);
    return reports;
  } finally {
    await store.close();
  }
}
