// How the SQLite results store holds up with a long trunk history: 10,000 runs x 30 benchmarks on
// one platform (one side each, 10 samples, one run an hour), then the queries the trunk workflow
// and the dashboard make. Prints a Markdown section for BENCHMARKS.md.
//
//   npx tsx bench/results-store.ts [--runs 10000] [--reps 50]
//
// Every run is written by its own recordRun call (one transaction each), as the activity does.
// Query timings are the median and the 95th percentile of --reps calls after one warm-up call.

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { openSqliteResultsStore, type RecordRunInput } from '../activities/results-store/index.js';
import type { BenchbotResults, Benchmark } from '../core/results/schema.js';
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

async function timed(reps: number, call: () => Promise<unknown>): Promise<{ median: number; p95: number }> {
  await call();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const start = performance.now();
    await call();
    times.push(performance.now() - start);
  }
  return { median: quantile(times, 0.5), p95: quantile(times, 0.95) };
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0));

async function main(): Promise<void> {
  const runCount = option('runs', 10_000);
  const reps = option('reps', 50);
  const dir = mkdtempSync(join(tmpdir(), 'bench-results-store-'));
  const file = join(dir, 'results.sqlite');
  try {
    const runs = makeRuns(runCount);
    let store = openSqliteResultsStore(file);
    const writeTimes: number[] = [];
    const writeStart = performance.now();
    for (const run of runs) {
      const start = performance.now();
      await store.recordRun(run);
      writeTimes.push(performance.now() - start);
    }
    const writeTotal = performance.now() - writeStart;
    await store.close();
    const bytes = statSync(file).size;

    const openStart = performance.now();
    store = openSqliteResultsStore(file);
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
      [`series, all ${runCount} points`, () => store.series({ ...q, benchmark: 'q17', metric: 'time' })],
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
    const rows: string[] = [];
    for (const [label, call] of queries) {
      const t = await timed(reps, call);
      rows.push(`| ${label} | ${fmt(t.median)} | ${fmt(t.p95)} |`);
    }
    await store.close();

    const db = new Database(file, { readonly: true });
    const points = (db.prepare('SELECT count(*) AS n FROM points').get() as { n: number }).n;
    db.close();

    const lines = [
      '## Results history store (SQLite)',
      '',
      `\`npx tsx bench/results-store.ts\` (seed ${SEED}), on the machine above with the file on local disk: ${runCount.toLocaleString('en')} trunk runs × ${BENCHMARKS} benchmarks × ${SAMPLES} samples on one platform, one side each, so ${points.toLocaleString('en')} summary points, each next to its raw samples (one float64 BLOB per benchmark and side). Every run is recorded by its own \`recordRun\` (one transaction; WAL, synchronous FULL, so one fsync per run).`,
      '',
      `- writes: ${fmt(writeTotal / 1000)} s in total, ${fmt(quantile(writeTimes, 0.5))} ms per run (p95 ${fmt(quantile(writeTimes, 0.95))} ms), ${Math.round(runCount / (writeTotal / 1000)).toLocaleString('en')} runs/s`,
      `- file: ${(bytes / 1e6).toFixed(1)} MB (${Math.round(bytes / runCount).toLocaleString('en')} bytes per run); reopening (version check, no migration): ${fmt(openMs)} ms`,
      '',
      `| query (${reps} calls after a warm-up) | median ms | p95 ms |`,
      '|---|---:|---:|',
      ...rows,
    ];
    console.log(lines.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
