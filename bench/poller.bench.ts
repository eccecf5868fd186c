import { startTestTemporal } from '../test/support/temporal-server.js';
// How fast and how cheaply benchbot notices trigger comments: latency from a comment being written
// to its BenchmarkRequest having started, by polling (2 s and 30 s intervals) and by webhook, and
// the GitHub requests a poller makes per hour for an idle repository and for one receiving 100
// comments a minute, with how many of them count against the rate limit. Prints a Markdown
// section for BENCHMARKS.md.
//
//   npx tsx bench/poller.bench.ts [--fast-samples 40] [--slow-samples 30] [--webhook-samples 40] [--cost-minutes 6]
//
// Everything is real except GitHub: a `temporal server start-dev`, benchbot's worker and its
// CommentPoller workflows, the webhook receiver, and the faithful fake GitHub on 127.0.0.1.
// Requests start on a task queue no worker serves, so what is measured is the intake alone (a
// running request's own GitHub calls are not the poller's). Latency is the request's start time
// as recorded by Temporal minus the wall-clock time just before the fake stored the comment; the
// comment's own timestamp has whole-second precision, like GitHub's. Comments arrive at seeded
// random moments, so they fall anywhere in the poll cycle.

import { request } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { pino } from 'pino';
import { startWebhookServer } from '../adapters/webhook/server.js';
import { type BenchbotConfig, formatConfigIssues, parseConfig } from '../core/config/index.js';
import { commentRequestId } from '../core/request/ids.js';
import { startPoller, stopPoller } from '../starter/commands/poller.js';
import { type FakeGitHub, startFakeGitHub } from '../test/fakes/github/index.js';
import { signBody } from '../test/fakes/github/webhook-signature.js';
import { createWorkers } from '../worker/create-worker.js';
import { createRng, type Rng } from './lib/prng.js';

const SEED = 20240601;
const BOT = 'benchbot[bot]';
const SECRET = 'bench-secret';
const TASK_QUEUE = 'bench-poller';
const PARKED = 'bench-parked-requests';
const LIST_PATH = (repo: string) => `/repos/${repo}/issues/comments`;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? undefined : Number(process.argv[at + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

const FAST_SAMPLES = option('fast-samples', 40);
const SLOW_SAMPLES = option('slow-samples', 30);
const WEBHOOK_SAMPLES = option('webhook-samples', 40);
/** The request counts are taken over at least this long, so a 30 s poller makes a fair number of cycles. */
const COST_MINUTES = option('cost-minutes', 6);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

interface Setup {
  fake: FakeGitHub;
  client: Client;
  repos: string[];
  pr: Map<string, number>;
}

async function makeRepos(fake: FakeGitHub, names: string[]): Promise<Map<string, number>> {
  const prs = new Map<string, number>();
  for (const name of names) {
    const repo = fake.createRepo({ owner: 'acme', name });
    const root = fake.addCommit(repo, { message: 'root', branch: 'main' });
    fake.addCommit(repo, { message: 'topic', parents: [root.sha], branch: 'topic' });
    prs.set(
      repo,
      await fake.openPullRequest(repo, { author: 'alice', head: { ref: 'topic' }, base: { ref: 'main' } }),
    );
  }
  return prs;
}

function config(fakeUrl: string, repos: string[]): BenchbotConfig {
  const parsed = parseConfig(
    `version: 1
github: { apiUrl: ${JSON.stringify(fakeUrl)}, botLogin: "${BOT}" }
repos:
${repos.map((r) => `  - { name: ${r}, benchmarks: [{ name: hot, command: "true", output: { format: wall-clock } }] }`).join('\n')}
`,
    'bench.yaml',
  );
  if (!parsed.ok) throw new Error(formatConfigIssues(parsed.issues));
  return parsed.config;
}

/** Writes a trigger and resolves with the ms from just before the write to the request's start. */
async function timedTrigger(
  s: Setup,
  repo: string,
  deliver?: (commentId: number) => Promise<void>,
): Promise<number> {
  const t0 = Date.now();
  const id = s.fake.addComment(repo, s.pr.get(repo) ?? 0, {
    author: 'alice',
    body: 'run benchmarks',
    authorAssociation: 'MEMBER',
  }).id;
  if (deliver) await deliver(id);
  const handle = s.client.workflow.getHandle(commentRequestId(repo, id));
  for (;;) {
    const described = await handle.describe().catch(() => null);
    if (described) return described.startTime.getTime() - t0;
    await sleep(25);
  }
}

/** Each repository in parallel takes its share of samples, one comment at a time, at random moments. */
async function pollingLatency(s: Setup, repos: string[], samples: number, intervalSeconds: number, rng: Rng) {
  const latencies: number[] = [];
  const perRepo = Math.ceil(samples / repos.length);
  const waits = repos.map(() =>
    Array.from({ length: perRepo }, () => rng.uniform() * intervalSeconds * 1000),
  );
  await Promise.all(
    repos.map(async (repo, i) => {
      for (const wait of waits[i] ?? []) {
        await sleep(wait);
        latencies.push(await timedTrigger(s, repo));
      }
    }),
  );
  return latencies.slice(0, samples);
}

function postWebhook(url: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'issue_comment',
          'x-hub-signature-256': signBody(SECRET, body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 202 ? resolve() : reject(new Error(`webhook answered ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface Cost {
  label: string;
  intervalSeconds: number;
  requests: number;
  counted: number;
  notModified: number;
  hours: number;
}

function costOf(fake: FakeGitHub, repo: string, sinceMs: number, untilMs: number) {
  const rows = fake.requests.filter((r) => r.path === LIST_PATH(repo) && r.at >= sinceMs && r.at < untilMs);
  return {
    requests: rows.length,
    counted: rows.filter((r) => r.counted).length,
    notModified: rows.filter((r) => r.status === 304).length,
  };
}

async function main(): Promise<void> {
  const logger = pino({ level: 'warn' }, pino.destination(2));
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const server = await startTestTemporal();
  const fake = await startFakeGitHub({
    users: [
      { login: BOT, token: 'bot-token' },
      { login: 'alice', token: 'alice-token' },
    ],
  });
  const names = {
    fast: Array.from({ length: 5 }, (_, i) => `fast${i}`),
    slow: Array.from({ length: 10 }, (_, i) => `slow${i}`),
    hook: ['hook'],
    idle: ['idle2', 'idle30'],
    busy: ['busy2', 'busy30'],
  };
  const all = Object.values(names).flat();
  const pr = await makeRepos(fake, all);
  const repos = all.map((n) => `acme/${n}`);
  const cfg = config(fake.url, repos);

  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: server.address });
  const workers = await createWorkers({
    connection: native,
    config: cfg,
    env: { GITHUB_TOKEN: 'bot-token' },
    logger,
    uiUrl: null,
    taskQueue: TASK_QUEUE,
  });
  const running = workers.run();
  const hook = await startWebhookServer({
    port: 0,
    host: '127.0.0.1',
    secret: SECRET,
    client,
    taskQueue: PARKED,
    config: cfg,
    logger,
    botLogin: async () => BOT,
  });
  const s: Setup = { fake, client, repos, pr };
  const rng = createRng(SEED);
  const twoSeconds = new Set([...names.fast, 'idle2', 'busy2'].map((n) => `acme/${n}`));
  const interval = (repo: string) => (twoSeconds.has(repo) ? 2 : 30);
  const polled = repos.filter((r) => !r.endsWith('/hook'));
  for (const repo of polled) {
    await startPoller(client, {
      repo,
      intervalSeconds: interval(repo),
      taskQueue: TASK_QUEUE,
      requestTaskQueue: PARKED,
    });
  }
  // Every poller's first cycle (one counted 200 that sets its ETag) before anything is measured.
  while (polled.some((r) => !fake.requests.some((q) => q.path === LIST_PATH(r)))) await sleep(100);
  const costStart = Date.now();

  // 100 comments a minute on each busy repository for the whole run, one in ten a trigger.
  let busy = true;
  const busyLoad = Promise.all(
    names.busy.map(async (name) => {
      const repo = `acme/${name}`;
      let n = 0;
      while (busy) {
        fake.addComment(repo, pr.get(repo) ?? 0, {
          author: 'alice',
          body: n % 10 === 0 ? 'run benchmarks' : `comment ${n}`,
          authorAssociation: 'MEMBER',
        });
        n++;
        await sleep(600);
      }
    }),
  );

  const fast = await pollingLatency(
    s,
    names.fast.map((n) => `acme/${n}`),
    FAST_SAMPLES,
    2,
    rng,
  );
  const webhook: number[] = [];
  for (let i = 0; i < WEBHOOK_SAMPLES; i++) {
    webhook.push(
      await timedTrigger(s, 'acme/hook', (id) => {
        const comment = fake.comments('acme/hook').find((c) => c.id === id);
        return postWebhook(
          hook.url,
          JSON.stringify({
            action: 'created',
            repository: { full_name: 'acme/hook' },
            comment: {
              id,
              body: comment?.body,
              user: { login: 'alice' },
              author_association: 'MEMBER',
              updated_at: new Date(comment?.updatedAt ?? 0).toISOString(),
              html_url: `https://github.com/acme/hook/pull/${pr.get('acme/hook')}#issuecomment-${id}`,
              issue_url: `${fake.url}/repos/acme/hook/issues/${pr.get('acme/hook')}`,
            },
          }),
        );
      }),
    );
    await sleep(rng.uniform() * 100);
  }
  const slow = await pollingLatency(
    s,
    names.slow.map((n) => `acme/${n}`),
    SLOW_SAMPLES,
    30,
    rng,
  );
  while (Date.now() - costStart < COST_MINUTES * 60_000) await sleep(1_000);
  busy = false;
  await busyLoad;
  const costEnd = Date.now();
  const hours = (costEnd - costStart) / 3_600_000;
  const costs: Cost[] = [...names.idle, ...names.busy].map((name) => {
    const repo = `acme/${name}`;
    return {
      label: name.startsWith('idle') ? 'idle' : '100 comments/min',
      intervalSeconds: interval(repo),
      ...costOf(fake, repo, costStart, costEnd),
      hours,
    };
  });
  const busyComments = names.busy.map((n) => fake.comments(`acme/${n}`).length);

  for (const repo of polled) await stopPoller(client, repo, 30_000);
  workers.shutdown();
  await running;
  await hook.close();
  await native.close();
  await connection.close();
  await fake.stop();
  await server.stop();

  const row = (label: string, xs: number[], intervalSeconds: number | null) => {
    const p95 = percentile(xs, 95);
    const target =
      intervalSeconds === null
        ? ''
        : ` | ${p95 < (intervalSeconds + 1) * 1000 ? 'PASS' : 'FAIL'} (< ${intervalSeconds + 1} s)`;
    return `| ${label} | ${xs.length} | ${Math.round(percentile(xs, 50))} | ${Math.round(p95)} | ${Math.round(Math.max(...xs))}${target} |`;
  };
  const perHour = (x: number, h: number) => Math.round(x / h);
  console.log(`comment → BenchmarkRequest started, ms (seed ${SEED}; ${new Date().toISOString().slice(0, 10)})

| path | samples | p50 ms | p95 ms | max ms | p95 target |
|---|---|---|---|---|---|
${row('poll every 2 s', fast, 2)}
${row('poll every 30 s', slow, 30)}
${row('webhook', webhook, null)} n/a |

GitHub requests of one repository's poller, measured over ${(hours * 60).toFixed(1)} minutes and scaled to an hour

| load | interval | requests/hour | counted/hour | 304s/hour | idle target (≤ 1 counted/hour) |
|---|---|---|---|---|---|
${costs
  .map(
    (c) =>
      `| ${c.label} | ${c.intervalSeconds} s | ${perHour(c.requests, c.hours)} | ${perHour(c.counted, c.hours)} | ${perHour(c.notModified, c.hours)} | ${c.label === 'idle' ? (c.counted === 0 ? 'PASS (0 counted after the first cycle)' : `FAIL (${c.counted})`) : ''} |`,
  )
  .join('\n')}

(the busy repositories received ${busyComments.join(' and ')} comments; the first cycle of each poller, one counted 200 at its start, is outside the window)`);
}

await main();
process.exit(0);
