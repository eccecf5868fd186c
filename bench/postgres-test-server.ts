// What the test run's PostgreSQL server costs (test/support/postgres.ts): a cold start (initdb into
// an empty cache, as on a fresh machine), a start from the cached initdb (every later run), and
// the teardown. The global setup starts it beside Temporal's dev server, whose start is measured
// too for comparison. Prints a Markdown section for BENCHMARKS.md.
//
//   npx tsx bench/postgres-test-server.ts [--reps 5]

import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startDevServer } from '../starter/dev-server.js';
import { temporalCliPath } from '../starter/temporal-cli.js';
import { type PostgresServer, startPostgres } from '../test/support/postgres.js';

const at = process.argv.indexOf('--reps');
const reps = at === -1 ? 5 : Number(process.argv[at + 1]);
if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps takes a whole number >= 1');

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function summary(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `${median.toFixed(0)} [${(sorted[0] ?? 0).toFixed(0)}-${(sorted.at(-1) ?? 0).toFixed(0)}]`;
}

async function timedStart(into: number[]): Promise<PostgresServer> {
  const started = performance.now();
  const server = await startPostgres();
  into.push(performance.now() - started);
  return server;
}

const rows: [string, number[]][] = [];
const cacheHome = process.env.XDG_CACHE_HOME;
const loadBefore = loadavg()[0] ?? 0;

const cold: number[] = [];
const cached: number[] = [];
const removal: number[] = [];
for (let i = 0; i < reps; i++) {
  const emptyCache = await mkdtemp(join(tmpdir(), 'benchbot-pg-cache-'));
  process.env.XDG_CACHE_HOME = emptyCache;
  let server = await timedStart(cold);
  await server.remove();
  // The cache now holds an initdb: the ordinary start.
  server = await timedStart(cached);
  removal.push(await timed(() => server.remove()));
  await rm(emptyCache, { recursive: true, force: true });
}
if (cacheHome === undefined) delete process.env.XDG_CACHE_HOME;
else process.env.XDG_CACHE_HOME = cacheHome;

const temporal: number[] = [];
for (let i = 0; i < reps; i++) {
  let stop = async () => {};
  temporal.push(
    await timed(async () => {
      const dev = await startDevServer({
        temporalPath: temporalCliPath(),
        dbFile: null,
        namespace: 'default',
        port: 0,
        uiPort: null,
      });
      stop = () => dev.stop();
    }),
  );
  await stop();
}

rows.push(
  ['PostgreSQL, cold (initdb into an empty cache)', cold],
  ['PostgreSQL, from the cached initdb (every later run)', cached],
  ['PostgreSQL, stop and delete (teardown)', removal],
  ['Temporal dev server start, for comparison', temporal],
);
console.log(
  `${reps} runs each; load average ${loadBefore.toFixed(1)} before, ${(loadavg()[0] ?? 0).toFixed(1)} after\n`,
);
console.log('| step | ms, median [min-max] |');
console.log('|---|---|');
for (const [name, ms] of rows) console.log(`| ${name} | ${summary(ms)} |`);
