import { startTestTemporal } from '../../test/support/temporal-server.js';
// What the orchestration benchmarks share: a real `temporal server start-dev`, the faithful fake
// GitHub, a real two-commit git repository the runner clones, and a config whose one benchmark
// does nothing (`true`, timed by the runner, no build), so every millisecond measured is
// benchbot's own.

import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { type BenchbotConfig, formatConfigIssues, parseConfig } from '../../core/config/index.js';
import type { CommentSource, ManualSource } from '../../core/request/types.js';
import type { DevServer } from '../../starter/dev-server.js';
import { type FakeGitHub, startFakeGitHub } from '../../test/fakes/github/index.js';
import { commit, type GitRepo, gitIn, makeGitRepo } from '../../test/support/git-repo.js';

export const REPO = 'acme/noop';
export const BOT = 'benchbot[bot]';
export const TOKEN = 'bot-token';

export interface BenchEnvironment {
  server: DevServer;
  connection: Connection;
  client: Client;
  fake: FakeGitHub;
  pr: number;
  root: string;
  gitUrl: string;
  stop(): Promise<void>;
}

/** main and topic, one file each: cloning and two worktrees are as cheap as git makes them. */
async function makeRepo(): Promise<GitRepo> {
  const repo = await makeGitRepo('benchbot-orchestration-repo-');
  await commit(repo.dir, { README: 'baseline\n' }, 'baseline');
  gitIn(repo.dir, 'checkout', '-q', '-b', 'topic');
  await commit(repo.dir, { README: 'changed\n' }, 'changed');
  gitIn(repo.dir, 'checkout', '-q', 'main');
  return repo;
}

export async function startBenchEnvironment(): Promise<BenchEnvironment> {
  const root = await mkdtemp(join(tmpdir(), 'benchbot-orchestration-'));
  const server = await startTestTemporal();
  // GitHub's primary limit is 5,000 an hour; a thousand requests would exhaust it, which is not
  // what is measured here (the client's own write pacing still applies).
  const fake = await startFakeGitHub({
    users: [
      { login: BOT, token: TOKEN },
      { login: 'alice', token: 'alice-token' },
    ],
    rateLimit: { authenticated: 1_000_000_000 },
  });
  const repo = await makeRepo();
  fake.createRepo({ owner: 'acme', name: 'noop', gitPath: repo.dir });
  const pr = await fake.openPullRequest(REPO, {
    author: 'alice',
    head: { ref: 'topic' },
    base: { ref: 'main' },
  });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  return {
    server,
    connection,
    client,
    fake,
    pr,
    root,
    gitUrl: repo.url,
    async stop() {
      await connection.close();
      await fake.stop();
      await server.stop();
      await rm(root, { recursive: true, force: true });
      await rm(repo.root, { recursive: true, force: true });
    },
  };
}

/** The config file text: one repository, one benchmark that runs `true` once on each side. */
export function configYaml(
  env: BenchEnvironment,
  options: { slots: number; dataDir: string; taskQueue: string; writeIntervalMs: number },
): string {
  return `version: 1
dataDir: ${JSON.stringify(options.dataDir)}
temporal: { address: ${JSON.stringify(env.server.address)}, taskQueue: ${options.taskQueue} }
github: { apiUrl: ${JSON.stringify(env.fake.url)}, botLogin: "${BOT}", writeIntervalMs: ${options.writeIntervalMs} }
executor: { slots: ${options.slots} }
telemetry: { metricsAddress: null, healthAddress: null }
dashboard: { port: 0 }
repos:
  - name: ${REPO}
    watch: false
    url: ${JSON.stringify(env.gitUrl)}
    trigger: { maxQueuedPerRequester: 100000 }
    benchmarks:
      - { name: noop, command: "true", output: { format: wall-clock }, iterations: 1, warmups: 0 }
`;
}

export function benchConfig(yaml: string): BenchbotConfig {
  const parsed = parseConfig(yaml, 'bench.yaml');
  if (!parsed.ok) throw new Error(formatConfigIssues(parsed.issues));
  return parsed.config;
}

/** A fresh `run benchmarks` comment on the PR, as the poller would hand it to a request. */
export function commentSource(env: BenchEnvironment): CommentSource {
  const body = 'run benchmarks';
  const view = env.fake.addComment(REPO, env.pr, { author: 'alice', body, authorAssociation: 'MEMBER' });
  return {
    kind: 'comment',
    repo: REPO,
    pr: env.pr,
    commentId: view.id,
    requester: 'alice',
    association: 'MEMBER',
    body,
  };
}

/** `benchbot run`: the same request without GitHub (sides resolved from the git repository). */
export function manualSource(): ManualSource {
  return {
    kind: 'manual',
    repo: REPO,
    requester: 'alice',
    benchmarks: ['noop'],
    baseline: { ref: 'main', env: {} },
    changed: { ref: 'topic', env: {} },
  };
}

export async function freshDataDir(env: BenchEnvironment, name: string): Promise<string> {
  const dir = join(env.root, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

export const median = (values: readonly number[]) => percentile(values, 50);

export function uptime(): string {
  return execFileSync('uptime', { encoding: 'utf8' }).trim();
}

// Where a request's time goes, from its workflow history. benchmarkRequest runs some activities
// side by side (👀 with the sides, the report with 🚀), so each moment of the request counts once:
// for the first phase in PHASES with an activity in flight then, else for workflow tasks. The
// phases then add up to the total.

export type Phase =
  | 'queue wait'
  | 'job'
  | 'compare+record'
  | 'GitHub'
  | 'visibility+config'
  | 'workflow tasks';
export const PHASES: readonly Phase[] = [
  'queue wait',
  'job',
  'compare+record',
  'GitHub',
  'visibility+config',
  'workflow tasks',
];

const GITHUB_ACTIVITIES = new Set([
  'authorizeCommenter',
  'publishReply',
  'publishStatus',
  'reactToComment',
  'resolveSides',
  'canCancelAnyRequest',
]);

export interface Breakdown {
  /** Workflow start to close, ms. */
  totalMs: number;
  /** Workflow start to the completion of the last status edit (the final report), ms. */
  reportMs: number;
  phases: Record<Phase, number>;
  /** Activity name → how many times it ran. */
  calls: Record<string, number>;
}

function eventMs(ts: { seconds?: { toString(): string } | null; nanos?: number | null } | null | undefined) {
  return ts ? Number(ts.seconds?.toString() ?? 0) * 1000 + (ts.nanos ?? 0) / 1e6 : Number.NaN;
}

export function breakdown(history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>): Breakdown {
  const events = history.events ?? [];
  const start = eventMs(events[0]?.eventTime);
  const end = eventMs(events.at(-1)?.eventTime);
  const scheduled = new Map<string, { name: string; at: number }>();
  const started = new Map<string, number>();
  const spans: Array<{ phase: Phase; from: number; to: number }> = [];
  const calls: Record<string, number> = {};
  let reportAt = start;
  for (const event of events) {
    const at = eventMs(event.eventTime);
    const id = String(event.eventId);
    const sched = event.activityTaskScheduledEventAttributes;
    if (sched) scheduled.set(id, { name: sched.activityType?.name ?? '?', at });
    const st = event.activityTaskStartedEventAttributes;
    if (st) started.set(String(st.scheduledEventId), at);
    const done = event.activityTaskCompletedEventAttributes;
    if (!done) continue;
    const key = String(done.scheduledEventId);
    const activity = scheduled.get(key);
    if (!activity) continue;
    calls[activity.name] = (calls[activity.name] ?? 0) + 1;
    if (activity.name === 'runJob') {
      const began = started.get(key) ?? activity.at;
      spans.push(
        { phase: 'queue wait', from: activity.at, to: began },
        { phase: 'job', from: began, to: at },
      );
    } else if (['compareRun', 'recordRun', 'recordRequestRun'].includes(activity.name)) {
      spans.push({ phase: 'compare+record', from: activity.at, to: at });
    } else if (GITHUB_ACTIVITIES.has(activity.name)) {
      spans.push({ phase: 'GitHub', from: activity.at, to: at });
      if (activity.name === 'publishStatus') reportAt = at;
    } else {
      spans.push({ phase: 'visibility+config', from: activity.at, to: at });
    }
  }
  const phases = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  const cuts = [...new Set([start, end, ...spans.flatMap((s) => [s.from, s.to])])].sort((x, y) => x - y);
  for (const [i, from] of cuts.slice(0, -1).entries()) {
    const to = cuts[i + 1] ?? from;
    const busy = PHASES.find((p) => spans.some((s) => s.phase === p && s.from <= from && s.to >= to));
    phases[busy ?? 'workflow tasks'] += to - from;
  }
  return { totalMs: end - start, reportMs: reportAt - start, phases, calls };
}

/** VmRSS of a process in MB (10^6 bytes), from /proc. */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN);
  return (kb * 1024) / 1e6;
}
