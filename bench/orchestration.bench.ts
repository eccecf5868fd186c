// benchbot's own overhead, with a benchmark that does nothing (`true`, once per side, no build),
// so what is timed is the orchestration: Temporal, the worker, the runner process (clone and two
// worktrees), comparison, the results store and the GitHub calls. Prints Markdown for
// BENCHMARKS.md.
//
//   npx tsx bench/orchestration.bench.ts [overhead] [throughput] [memory]   (default: all three)
//     --requests 30            overhead: sequential requests per source (after 2 unmeasured)
//     --burst 64               throughput: requests started at once per slot setting
//     --slots 1,8,32           throughput: executor.slots settings
//     --sources comment,manual throughput: which request paths
//     --memory-requests 1000   memory: requests through a `benchbot start` child process
//     --memory-minutes 25      memory: stop starting requests after this long
//     --memory-sample-every 250  memory: VmRSS after every this many requests (and at the end)
//     --github-write-interval-ms 1000  the workers' github.writeIntervalMs (0: writes unpaced)
//
// Everything is real except GitHub: a `temporal server start-dev` (in memory), benchbot's workers,
// runner processes, git and SQLite, and the faithful fake GitHub on 127.0.0.1. "comment" requests
// take the whole PR-comment path (validate, authorize, react, status comment, report);
// "manual" requests are `benchbot run`, the same workflow with no GitHub call, which separates
// benchbot's own cost from GitHub's pacing.

import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { pino } from 'pino';
import type { RequestOutcome, RequestSource } from '../core/request/types.js';
import { PROJECT_ROOT } from '../test/runner/fixture-repo.js';
import { createWorkers, WORKFLOWS_PATH } from '../worker/create-worker.js';
import { benchmarkRequest } from '../workflows/index.js';
import {
  type BenchEnvironment,
  type Breakdown,
  benchConfig,
  breakdown,
  commentSource,
  configYaml,
  freshDataDir,
  manualSource,
  median,
  PHASES,
  percentile,
  rssMb,
  sleep,
  startBenchEnvironment,
  TOKEN,
  uptime,
} from './lib/orchestration-env.js';

function option(name: string, fallback: number, min = 1): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? undefined : Number(process.argv[at + 1]);
  return value !== undefined && Number.isInteger(value) && value >= min ? value : fallback;
}

function listOption(name: string, fallback: string): string[] {
  const at = process.argv.indexOf(`--${name}`);
  return (at === -1 ? fallback : (process.argv[at + 1] ?? fallback)).split(',').filter(Boolean);
}

const REQUESTS = option('requests', 30);
const BURST = option('burst', 64);
const SLOTS = listOption('slots', '1,8,32').map(Number);
const SOURCES = listOption('sources', 'comment,manual') as Array<'comment' | 'manual'>;
const MEMORY_REQUESTS = option('memory-requests', 1000);
const MEMORY_MINUTES = option('memory-minutes', 25);
const MEMORY_SAMPLE_EVERY = option('memory-sample-every', 250);
const WRITE_INTERVAL_MS = option('github-write-interval-ms', 1000, 0);
const SECTIONS = ['overhead', 'throughput', 'memory'].filter(
  (s, _, all) => process.argv.includes(s) || !all.some((x) => process.argv.includes(x)),
);

const quietBundler = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (m: string) => console.error(m),
  error: (m: string) => console.error(m),
};

const sourceOf = (env: BenchEnvironment, kind: 'comment' | 'manual'): RequestSource =>
  kind === 'comment' ? commentSource(env) : manualSource();

let requestCounter = 0;
async function startRequest(client: Client, taskQueue: string, source: RequestSource) {
  requestCounter++;
  return client.workflow.start(benchmarkRequest, {
    taskQueue,
    workflowId: `bench-${taskQueue}-${requestCounter}`,
    args: [{ source }],
  });
}

function expectDone(outcome: RequestOutcome, id: string): void {
  if (outcome.outcome !== 'done') throw new Error(`${id} ended ${JSON.stringify(outcome)}`);
}

/** Workers in this process on a task queue of their own, for one slot setting. */
async function withWorkers<T>(
  env: BenchEnvironment,
  slots: number,
  bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>,
  fn: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = `bench-${slots}-${Date.now()}`;
  const config = benchConfig(
    configYaml(env, {
      slots,
      taskQueue,
      dataDir: await freshDataDir(env, taskQueue),
      writeIntervalMs: WRITE_INTERVAL_MS,
    }),
  );
  const native = await NativeConnection.connect({ address: env.server.address });
  const workers = await createWorkers({
    connection: native,
    config,
    env: { GITHUB_TOKEN: TOKEN, PATH: process.env.PATH },
    logger: pino({ level: 'warn' }, pino.destination(2)),
    uiUrl: null,
    taskQueue,
    workflowBundle: bundle,
  });
  const running = workers.run();
  try {
    return await fn(taskQueue);
  } finally {
    workers.shutdown();
    await running;
    await native.close();
  }
}

const ms = (x: number) => String(Math.round(x));

async function overhead(env: BenchEnvironment, bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>) {
  const rows: string[] = [];
  const details: string[] = [];
  let writes = '';
  for (const kind of ['comment', 'manual'] as const) {
    const samples: Array<Breakdown & { clientMs: number }> = [];
    let measuredFrom = 0;
    await withWorkers(env, 1, bundle, async (taskQueue) => {
      // Two unmeasured requests: the first clones the mirror and warms every code path.
      for (let i = 0; i < REQUESTS + 2; i++) {
        const source = sourceOf(env, kind);
        const t0 = performance.now();
        const handle = await startRequest(env.client, taskQueue, source);
        expectDone(await handle.result(), handle.workflowId);
        const clientMs = performance.now() - t0;
        if (i === 1) measuredFrom = Date.now();
        if (i >= 2) samples.push({ ...breakdown(await handle.fetchHistory()), clientMs });
      }
    });
    const col = (f: (b: Breakdown & { clientMs: number }) => number) => samples.map(f);
    const total = col((b) => b.clientMs);
    const report = col((b) => b.reportMs);
    rows.push(
      `| ${kind} | ${samples.length} | ${ms(median(total))} | ${ms(percentile(total, 95))} | ${kind === 'comment' ? `${ms(median(report))} / ${ms(percentile(report, 95))}` : '—'} | ${PHASES.map((p) => ms(median(col((b) => b.phases[p])))).join(' | ')} |`,
    );
    if (kind === 'comment') writes = writePacing(env, measuredFrom, samples.length);
    const calls = samples[0]?.calls ?? {};
    details.push(
      `${kind}: ${Object.entries(calls)
        .map(([name, n]) => `${name} ×${n}`)
        .join(', ')}`,
    );
  }
  console.log(`### Overhead per request (${REQUESTS} sequential requests per path, slots 1, after 2 unmeasured)

\`${uptime()}\`

| path | requests | p50 ms | p95 ms | final report p50 / p95 ms | ${PHASES.map((p) => `${p} p50 ms`).join(' | ')} |
|---|---|---|---|---|${PHASES.map(() => '---').join('|')}|
${rows.join('\n')}

p50/p95: client \`workflow.start\` to \`result()\`; final report: workflow start to the completion of the
status edit that posts the report. Phases from each request's workflow history (medians of each
column, so they need not add up to the total's median): queue wait = runJob scheduled → started;
job = runJob started → completed (the runner process: clone, worktrees, \`true\` on each side);
GitHub = scheduled → completed of every GitHub activity; visibility+config = the other
activities; workflow tasks = the rest. Where activities run side by side, each moment counts once,
for the first of these phases with an activity in flight.

Activities per request: ${details.join('; ')}

GitHub writes as the fake GitHub saw them (comment path): ${writes}
`);
}

/** Writes per request and the gap between consecutive writes, from the fake's request log. */
function writePacing(env: BenchEnvironment, sinceMs: number, requests: number): string {
  const writes = env.fake.requests.filter((r) => r.method !== 'GET' && r.at >= sinceMs).map((r) => r.at);
  const gaps = writes.slice(1).map((at, i) => at - (writes[i] ?? at));
  const reads = env.fake.requests.filter((r) => r.method === 'GET' && r.at >= sinceMs).length;
  return `${(writes.length / requests).toFixed(1)} writes (POST/PATCH) and ${(reads / requests).toFixed(1)} reads per request; gap between consecutive writes p50 ${ms(median(gaps))} ms, min ${ms(Math.min(...gaps))} ms`;
}

async function throughput(env: BenchEnvironment, bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>) {
  const rows: string[] = [];
  for (const kind of SOURCES) {
    for (const slots of SLOTS) {
      const load = uptime().replace(/.*load average: /, '');
      const { seconds, jobP50 } = await withWorkers(env, slots, bundle, async (taskQueue) => {
        // One request first, unmeasured, so the mirror exists before the burst.
        expectDone(await (await startRequest(env.client, taskQueue, manualSource())).result(), 'warm-up');
        const sources = Array.from({ length: BURST }, () => sourceOf(env, kind));
        const t0 = performance.now();
        const handles = await Promise.all(sources.map((s) => startRequest(env.client, taskQueue, s)));
        await Promise.all(handles.map(async (h) => expectDone(await h.result(), h.workflowId)));
        const elapsed = (performance.now() - t0) / 1000;
        const jobs = await Promise.all(
          handles.map(async (h) => breakdown(await h.fetchHistory()).phases.job),
        );
        return { seconds: elapsed, jobP50: median(jobs) };
      });
      rows.push(
        `| ${kind} | ${slots} | ${BURST} | ${seconds.toFixed(1)} | ${Math.round((BURST / seconds) * 60)} | ${ms(jobP50)} | ${load} |`,
      );
      console.error(rows.at(-1));
    }
  }
  console.log(`### Throughput (${BURST} requests started at once per setting)

| path | slots | requests | seconds, first start → last result | requests/min | job p50 ms | load average before |
|---|---|---|---|---|---|---|
${rows.join('\n')}
`);
}

interface Child {
  process: ChildProcess;
  ready: Promise<void>;
  exited: Promise<number | null>;
}

/** `benchbot start` against the bench's own server, as a real deployment runs it. */
function startWorkerProcess(configFile: string): Child {
  const child = spawn(process.execPath, ['bin/benchbot.js', '--config', configFile, 'start'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_TOKEN: TOKEN, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready.')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`benchbot start exited ${code}:\n${out}`)));
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    if (/"level":(50|60)|Error/.test(text)) process.stderr.write(text);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { process: child, ready, exited };
}

function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const sxy = points.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0);
  const sxx = points.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
  return n < 2 || sxx === 0 ? Number.NaN : sxy / sxx;
}

async function memory(env: BenchEnvironment) {
  const slots = 8;
  const inFlight = slots * 2;
  const taskQueue = `bench-memory-${Date.now()}`;
  const dataDir = await freshDataDir(env, taskQueue);
  const configFile = join(dataDir, 'benchbot.yaml');
  await writeFile(
    configFile,
    configYaml(env, { slots, taskQueue, dataDir, writeIntervalMs: WRITE_INTERVAL_MS }),
  );
  const child = startWorkerProcess(configFile);
  await child.ready;
  const pid = child.process.pid ?? 0;
  await sleep(2_000);
  const samples: Array<{ done: number; mb: number; seconds: number }> = [];
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  samples.push({ done: 0, mb: await rssMb(pid), seconds: 0 });
  const deadline = t0 + MEMORY_MINUTES * 60_000;
  let started = 0;
  let done = 0;
  let peak = 0;
  const sampler = setInterval(() => {
    rssMb(pid).then(
      (mb) => {
        peak = Math.max(peak, mb);
      },
      () => {},
    );
  }, 1_000);
  const lane = async () => {
    while (started < MEMORY_REQUESTS && performance.now() < deadline) {
      started++;
      const handle = await startRequest(env.client, taskQueue, commentSource(env));
      expectDone(await handle.result(), handle.workflowId);
      done++;
      if (done % MEMORY_SAMPLE_EVERY === 0) samples.push({ done, mb: await rssMb(pid), seconds: seconds() });
      if (done % 50 === 0) console.error(`memory: ${done} done, ${seconds().toFixed(0)} s`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const elapsed = seconds();
  const last = samples.at(-1);
  if (last?.done !== done) samples.push({ done, mb: await rssMb(pid), seconds: elapsed });
  clearInterval(sampler);
  child.process.kill('SIGINT');
  await child.exited;

  const first = samples[0]?.mb ?? 0;
  const end = samples.at(-1) ?? { done: 0, mb: 0 };
  // Least-squares slope from the first checkpoint on, so the first requests' one-off allocations
  // (connections, caches filling) and single GC-timed samples do not read as growth per request.
  const later = samples.filter((s) => s.done > 0);
  const perRequestKb = slope(later.map((s) => [s.done, s.mb * 1000]));
  console.log(`### Worker memory (\`benchbot start\` child process, slots ${slots}, ${inFlight} comment requests in flight)

| requests done | VmRSS MB | elapsed s |
|---|---|---|
${samples.map((s) => `| ${s.done} | ${s.mb.toFixed(0)} | ${s.seconds.toFixed(0)} |`).join('\n')}

${done} of ${MEMORY_REQUESTS} requests in ${(elapsed / 60).toFixed(1)} min (${Math.round((done / elapsed) * 60)} requests/min); peak VmRSS ${peak.toFixed(0)} MB (sampled every second); growth ${(end.mb - first).toFixed(0)} MB overall, ${perRequestKb.toFixed(1)} KB per request (least-squares slope from the first checkpoint on). MB = 10^6 bytes.
`);
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const env = await startBenchEnvironment();
  try {
    console.log(
      `Measured with \`${uptime()}\` at the start; ${new Date().toISOString().slice(0, 16)}Z; github.writeIntervalMs ${WRITE_INTERVAL_MS}\n`,
    );
    const needsBundle = SECTIONS.includes('overhead') || SECTIONS.includes('throughput');
    const bundle = needsBundle
      ? await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundler })
      : null;
    if (bundle && SECTIONS.includes('overhead')) await overhead(env, bundle);
    if (bundle && SECTIONS.includes('throughput')) await throughput(env, bundle);
    if (SECTIONS.includes('memory')) await memory(env);
    console.log(`Finished with \`${uptime()}\``);
  } finally {
    await env.stop();
  }
}

await main();
process.exit(0);
