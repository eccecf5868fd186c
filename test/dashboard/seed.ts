import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { openResultsStore, type RecordRunInput } from '../../adapters/results-store/index.js';
import type { BenchbotConfig } from '../../core/config/index.js';
import { seededRandom } from '../../core/random.js';
import { type BenchbotResults, type Benchmark, resultsSchema } from '../../core/results/index.js';
import { testConfig } from '../integration/test-config.js';

// A results store with a long trunk history for the dashboard's tests and benchmark: hourly runs
// (one in ten batched over a few commits, three days without runs), single-side results files
// that validate against core/results, and a real +8% shift in q1 at run SHIFT_AT.

export const REPO = 'acme/widgets';
export const PLATFORM = 'x86-64-linux';
export const BRANCH = 'main';
export const SHIFT_AT = 600;
const HOUR_MS = 3_600_000;
const START_MS = Date.parse('2025-01-01T00:00:00Z');

export const sha = (n: number) => createHash('sha1').update(`commit ${n}`).digest('hex');

/** The config of the seeded history; `results` (YAML) picks another store than SQLite in `dataDir`. */
export function dashboardConfig(
  dataDir: string,
  results = `{ path: ${JSON.stringify(join(dataDir, 'results.sqlite'))} }`,
): BenchbotConfig {
  return testConfig(`
version: 1
dataDir: ${JSON.stringify(dataDir)}
results: ${results}
repos:
  - name: ${REPO}
    build: { command: "true" }
    platforms: [${PLATFORM}]
    benchmarks:
      - { name: queries, command: "true" }
`);
}

export interface SeedOptions {
  runs: number;
  benchmarks: number;
  samples?: number;
  seed?: number;
}

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export function seedRuns(options: SeedOptions): RecordRunInput[] {
  const random = seededRandom(options.seed ?? 20250101);
  const samples = options.samples ?? 10;
  let commit = 1;
  let t = START_MS;
  return Array.from({ length: options.runs }, (_, i) => {
    // A three-day outage after a fifth of the history: a coverage gap.
    t += i === Math.floor(options.runs / 5) ? 3 * 24 * HOUR_MS : HOUR_MS;
    const batched = random() < 0.1;
    const from = commit;
    const to = from + (batched ? 1 + Math.floor(random() * 3) : 0);
    commit = to + 1;
    const recordedAt = new Date(t).toISOString();
    const benchmarks: Benchmark[] = Array.from({ length: options.benchmarks }, (_, b) => {
      const centre = 1e6 * (b + 1) * (b === 0 && i >= SHIFT_AT ? 1.08 : 1);
      return {
        name: `q${b + 1}`,
        group: { kind: 'query', name: 'queries' },
        metric: 'time',
        unit: 'ns',
        direction: 'lower-is-better',
        samples: {
          changed: Array.from({ length: samples }, (_, round) => ({
            value: centre * Math.exp(0.01 * normal(random)),
            round,
          })),
        },
        rawSamples: true,
        status: 'ok',
      };
    });
    const results: BenchbotResults = resultsSchema.parse({
      schema: 'benchbot-results',
      schemaVersion: 1,
      run: {
        repository: REPO,
        reason: 'schedule',
        sides: { changed: { ref: BRANCH, sha: sha(to), envKeys: [] } },
        commitRange: { from: sha(from), to: sha(to), count: to - from + 1 },
        platform: PLATFORM,
        machine: { cpuModel: 'Test CPU', cores: 8, kernel: '6.1.0', memoryBytes: 16e9 },
        startedAt: recordedAt,
        finishedAt: recordedAt,
        runnerVersion: '0.1.0',
        interleaved: false,
      },
      benchmarks,
    });
    return {
      runId: `trunk:${REPO}:${BRANCH}:${sha(to)}`,
      repository: REPO,
      branch: BRANCH,
      pullRequest: null,
      reason: 'schedule',
      commitRange: { from: sha(from), to: sha(to), count: to - from + 1 },
      skipped: batched ? [{ sha: sha(from), reason: 'queue depth above 10', queueDepth: 12 }] : [],
      platforms: [{ platform: PLATFORM, status: 'ok', results }],
      recordedAt,
    };
  });
}

/** Records the runs one transaction each, as the recordRun activity does. */
export async function seedStore(config: BenchbotConfig, options: SeedOptions): Promise<RecordRunInput[]> {
  const runs = seedRuns(options);
  const store = await openResultsStore(config, process.env);
  try {
    for (const run of runs) await store.recordRun(run);
  } finally {
    await store.close();
  }
  return runs;
}
