// How the results stores hold up with a long trunk history, SQLite and PostgreSQL side by side:
// 10,000 runs x 30 benchmarks on one platform (one side each, 10 samples, one run an hour), then
// the queries the trunk workflow and the dashboard make. PostgreSQL is a real server of its own
// (test/support/postgres.ts: initdb + pg_ctl in a temp directory, fsync on), reached over TCP on
// localhost as a worker reaches its database. Prints a Markdown section for BENCHMARKS.md.
//
//   npx tsx bench/results-store.ts [--runs 10000] [--reps 50]
//
// Every run is written by its own recordRun call (one transaction each), as the activity does.
// Query timings are the median and the 95th percentile of --reps calls after one warm-up call.
// Targets: PostgreSQL within 3x of SQLite on each measure, a 10,000-point series under 100 ms.

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  openSqliteResultsStore,
  type RecordRunInput,
  type ResultsStore,
} from '../adapters/results-store/index.js';
import { openPostgresResultsStore } from '../adapters/results-store/postgres.js';
import type { BenchbotResults, Benchmark } from '../core/results/schema.js';
import { startPostgres } from '../test/support/postgres.js';
import { createRng } from './lib/prng.js';

const SEED = 20240601;
const BENCHMARKS = 30;
const SAMPLES = 10;
const PLATFORM = 'x86-64-linux';
const REPO = 'apache/datafusion';
const HOUR_MS = 3_600_000;
const START_MS = Date.parse('2025-01-01T00:00:00Z');

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? undefined : Number(process.argv[at + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

// Real SHAs look random, which is what a prefix lookup depends on.
const sha = (n: number) => createHash('sha1').update(`commit ${n}`).digest('hex');

function makeRuns(count: number): RecordRunInput[] {
  const rng = createRng(SEED);
  const centres = Array.from({ length: BENCHMARKS }, () => 10 ** (4 + 4 * rng.uniform()));
  let commit = 1;
  return Array.from({ length: count }, (_, i) => {
    // One run in ten is batched over a few commits after skipping some under queue pressure.
    const batched = rng.uniform() < 0.1;
    const from = commit;
    const skippedCount = batched ? 1 + Math.floor(rng.uniform() * 3) : 0;
    const to = from + skippedCount;
    commit = to + 1;
    const benchmarks: Benchmark[] = centres.map((centre, b) => ({
      name: `q${b + 1}`,
      group: { kind: 'query', name: 'tpch' },
      metric: 'time',
      unit: 'ns',
      direction: 'lower-is-better',
      samples: {
        changed: Array.from({ length: SAMPLES }, (_, round) => ({
          value: centre * Math.exp(0.03 * rng.normal()),
          round,
        })),
      },
      rawSamples: true,
      status: 'ok',
    }));
    const recordedAt = new Date(START_MS + i * HOUR_MS).toISOString();
    const results: BenchbotResults = {
      schema: 'benchbot-results',
      schemaVersion: 1,
      run: {
        repository: REPO,
        reason: 'schedule',
        sides: { changed: { ref: 'main', sha: sha(to), envKeys: [] } },
        commitRange: { from: sha(from), to: sha(to), count: to - from + 1 },
        platform: PLATFORM,
        machine: { cpuModel: 'AMD EPYC 7B13', cores: 30, kernel: '6.1.0', memoryBytes: 64e9 },
        startedAt: recordedAt,
        finishedAt: recordedAt,
        runnerVersion: '0.1.0',
        interleaved: false,
      },
      benchmarks,
    };
    return {
      runId: `trunk:${REPO}:main:${sha(to)}`,
      repository: REPO,
      branch: 'main',
      pullRequest: null,
      reason: 'schedule',
      commitRange: { from: sha(from), to: sha(to), count: to - from + 1 },
      skipped: Array.from({ length: skippedCount }, (_, k) => ({
        sha: sha(from + k),
        reason: 'queue depth above 2',
        queueDepth: 3,
      })),
      platforms: [{ platform: PLATFORM, status: 'ok', results }],
      recordedAt,
    };
  });
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
}

interface Timing {
  min: number;
  median: number;
  p95: number;
}

async function timed(reps: number, call: () => Promise<unknown>): Promise<Timing> {
  await call();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const start = performance.now();
    await call();
    times.push(performance.now() - start);
  }
  return { min: Math.min(...times), median: quantile(times, 0.5), p95: quantile(times, 0.95) };
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0));

/** What one store measured: per measure, its timing; plus its size on disk and a reopen. */
interface Measured {
  timings: Map<string, Timing>;
  writeTotalMs: number;
  bytes: number;
  openMs: number;
}

/** Progress on stderr, so the Markdown on stdout stays clean. */
function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

async function measure(
  name: string,
  runs: readonly RecordRunInput[],
  reps: number,
  open: () => Promise<ResultsStore>,
  size: () => Promise<number>,
): Promise<Measured> {
  const timings = new Map<string, Timing>();
  let store = await open();
  const writeTimes: number[] = [];
  const writeStart = performance.now();
  for (const [i, run] of runs.entries()) {
    const start = performance.now();
    await store.recordRun(run);
    writeTimes.push(performance.now() - start);
    if ((i + 1) % 1000 === 0) progress(`${name}: ${i + 1} of ${runs.length} runs written`);
  }
  const writeTotalMs = performance.now() - writeStart;
  timings.set('write, one run', {
    min: Math.min(...writeTimes),
    median: quantile(writeTimes, 0.5),
    p95: quantile(writeTimes, 0.95),
  });
  await store.close();
  const bytes = await size();

  const openStart = performance.now();
  store = await open();
  const openMs = performance.now() - openStart;

  const last = runs[runs.length - 1] as RecordRunInput;
  const lastSha = last.commitRange?.to as string;
  const q = { repository: REPO, branch: 'main', platform: PLATFORM };
  const lastMs = Date.parse(last.recordedAt);
  const day = (ms: number) => new Date(ms).toISOString();
  const queries: Array<[string, () => Promise<unknown>]> = [
    ['latestRun (platform)', () => store.latestRun(q)],
    ['latestRun (platform + benchmark)', () => store.latestRun({ ...q, benchmark: 'q17' })],
    ['lastRuns, limit 10', () => store.lastRuns({ ...q, limit: 10 })],
    ['runsBySha, full SHA', () => store.runsBySha(REPO, lastSha)],
    ['runsBySha, 7-digit prefix', () => store.runsBySha(REPO, lastSha.slice(0, 7))],
    ['listRuns, last 50', () => store.listRuns({ repository: REPO, limit: 50 })],
    [`series, all ${runs.length} points`, () => store.series({ ...q, benchmark: 'q17', metric: 'time' })],
    ['series, last 100 points', () => store.series({ ...q, benchmark: 'q17', metric: 'time', limit: 100 })],
    [
      'coverage, 30 days',
      () => store.coverage({ ...q, from: day(lastMs - 30 * 24 * HOUR_MS), to: day(lastMs) }),
    ],
    [
      'coverage, whole history',
      () => store.coverage({ ...q, from: day(START_MS), to: day(lastMs + HOUR_MS) }),
    ],
  ];
  try {
    for (const [label, call] of queries) {
      timings.set(label, await timed(reps, call));
      progress(`${name}: ${label} measured`);
    }
  } finally {
    await store.close();
  }
  return { timings, writeTotalMs, bytes, openMs };
}

let roundTripClient: pg.Client | null = null;

/** The least a PostgreSQL query costs here: one round trip on a connection kept open. */
async function postgresRoundTrip(url: string): Promise<void> {
  if (roundTripClient === null) {
    roundTripClient = new pg.Client({ connectionString: url });
    await roundTripClient.connect();
  }
  await roundTripClient.query('SELECT 1');
}

async function main(): Promise<void> {
  const runCount = option('runs', 10_000);
  const reps = option('reps', 50);
  const dir = mkdtempSync(join(tmpdir(), 'bench-results-store-'));
  const file = join(dir, 'results.sqlite');
  const server = await startPostgres();
  const loadBefore = loadavg()[0] ?? 0;
  try {
    const runs = makeRuns(runCount);
    const sqlite = await measure(
      'SQLite',
      runs,
      reps,
      async () => openSqliteResultsStore(file),
      async () => statSync(file).size,
    );
    const url = await server.createDatabase('bench');
    const postgres = await measure(
      'PostgreSQL',
      runs,
      reps,
      () => openPostgresResultsStore(url),
      async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query('VACUUM ANALYZE');
          const { rows } = await client.query<{ bytes: string }>(
            'SELECT pg_database_size(current_database()) AS bytes',
          );
          return Number(rows[0]?.bytes);
        } finally {
          await client.end();
        }
      },
    );
    const roundTrip = await timed(reps * 10, () => postgresRoundTrip(url));
    const loadAfter = loadavg()[0] ?? 0;

    const rows = [...sqlite.timings.entries()].map(([label, s]) => {
      const p = postgres.timings.get(label) as Timing;
      return `| ${label} | ${fmt(s.median)} | ${fmt(s.p95)} | ${fmt(s.min)} | ${fmt(p.median)} | ${fmt(p.p95)} | ${fmt(p.min)} | ${(p.median / s.median).toFixed(1)}× |`;
    });
    const store = (name: string, m: Measured) =>
      `- ${name}: ${fmt(m.writeTotalMs / 1000)} s to write them all (${Math.round(runCount / (m.writeTotalMs / 1000)).toLocaleString('en')} runs/s), ${(m.bytes / 1e6).toFixed(1)} MB (${Math.round(m.bytes / runCount).toLocaleString('en')} bytes per run), reopened (version check, no migration) in ${fmt(m.openMs)} ms`;
    const lines = [
      '## Results history store: SQLite and PostgreSQL',
      '',
      'Targets: PostgreSQL within 3× of SQLite on each measure; a 10,000-point series under 100 ms.',
      '',
      '```',
      `npx tsx bench/results-store.ts${runCount === 10_000 ? '' : ` --runs ${runCount}`}${reps === 50 ? '' : ` --reps ${reps}`}`,
      '```',
      '',
      `Seed ${SEED}, on the machine above (load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after): ${runCount.toLocaleString('en')} trunk runs × ${BENCHMARKS} benchmarks × ${SAMPLES} samples on one platform, one side each, written into each store by its own \`recordRun\` (one transaction each, durable at commit: SQLite in WAL mode with synchronous FULL, PostgreSQL with fsync and synchronous_commit on, over TCP on localhost, a pool of 4 connections).`,
      '',
      store('SQLite', sqlite),
      store('PostgreSQL', postgres),
      `- one round trip to the PostgreSQL server (\`SELECT 1\` on an open connection): median ${fmt(roundTrip.median)} ms, p95 ${fmt(roundTrip.p95)} ms`,
      '',
      `| measure (${reps} calls after a warm-up), ms | SQLite median | p95 | min | PostgreSQL median | p95 | min | PostgreSQL / SQLite (medians) |`,
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
    ];
    console.log(lines.join('\n'));
  } finally {
    await roundTripClient?.end();
    await server.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
