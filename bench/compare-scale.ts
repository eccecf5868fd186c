// How long compareAll takes, and how much memory it needs, for a large report:
// 10,000 benchmarks x 2 sides x 30 samples. Targets (from the issue): under 1 s wall time and
// under 300 MB peak resident memory.
//
//   npx tsx bench/compare-scale.ts [--reps 7]
//
// Every scenario runs in a fresh child process, so its peak RSS is its own and not the
// high-water mark of an earlier scenario. Timings are the median of --reps runs after one
// warm-up run; the machine is shared, so expect the spread shown next to the median.

import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import {
  BENCHSTAT_COMPAT,
  type BenchmarkInput,
  type CompareOptions,
  compareAll,
  DEFAULT_OPTIONS,
} from '../core/stats/index.js';
import { createRng } from './lib/prng.js';
import { drawRounds, roundSignificant } from './lib/samples.js';

const BENCHMARKS = 10_000;
const SAMPLES = 30;
const SEED = 20240601;
const TARGET_MS = 1000;
const TARGET_MB = 300;
const MB = 1e6;

interface Scenario {
  id: string;
  label: string;
  opts: CompareOptions;
  /** Give every benchmark its interleaved pairs (DEFAULT_OPTIONS then runs the paired test). */
  pairs: boolean;
  /** Significant digits the samples are rounded to; null keeps full precision (no ties). */
  digits: number | null;
}

const scenarios: Scenario[] = [
  {
    id: 'default-paired',
    label: 'DEFAULT_OPTIONS, pairs (moderated t)',
    opts: DEFAULT_OPTIONS,
    pairs: true,
    digits: null,
  },
  {
    id: 'signed-rank',
    label: 'paired: signed-rank, pairs (Wilcoxon)',
    opts: { ...DEFAULT_OPTIONS, paired: 'signed-rank' },
    pairs: true,
    digits: null,
  },
  {
    id: 'default-unpaired',
    label: 'DEFAULT_OPTIONS, no pairs (U test)',
    opts: DEFAULT_OPTIONS,
    pairs: false,
    digits: null,
  },
  { id: 'benchstat', label: 'BENCHSTAT_COMPAT (U test)', opts: BENCHSTAT_COMPAT, pairs: false, digits: null },
  {
    id: 'default-paired-ties',
    label: 'DEFAULT_OPTIONS, pairs, 3 digits',
    opts: DEFAULT_OPTIONS,
    pairs: true,
    digits: 3,
  },
  {
    id: 'benchstat-ties',
    label: 'BENCHSTAT_COMPAT, 3 digits',
    opts: BENCHSTAT_COMPAT,
    pairs: false,
    digits: 3,
  },
];

interface Measurement {
  id: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Peak RSS of the whole child process (runtime + inputs + comparisons), bytes. */
  peakRss: number;
  /** Peak RSS before the first comparison: runtime, tsx and the generated inputs, bytes. */
  rssBeforeCompare: number;
  heapInputs: number;
  heapWithReport: number;
  changed: number;
}

/**
 * A report as a benchmark suite produces it: centres spread over six orders of magnitude, noise
 * between 0.5% and 8%, half of it shared drift, and about one benchmark in five really changed.
 */
function generateInputs(scenario: Scenario): BenchmarkInput[] {
  const rng = createRng(SEED);
  const round = (x: number) => (scenario.digits === null ? x : roundSignificant(x, scenario.digits));
  const inputs: BenchmarkInput[] = [];
  for (let i = 0; i < BENCHMARKS; i++) {
    const centre = 10 ** (1 + 6 * rng.uniform());
    const cv = 0.005 + 0.075 * rng.uniform();
    const shift = rng.uniform() < 0.2 ? (rng.uniform() - 0.5) * 0.2 : 0;
    const rounds = drawRounds(rng, { n: SAMPLES, cv, driftShare: 0.5, centre, shift });
    const input: BenchmarkInput = {
      name: `BenchmarkSuite/case-${i}`,
      direction: 'lower-is-better',
      baseline: rounds.baseline.map(round),
      changed: rounds.changed.map(round),
    };
    if (scenario.pairs) input.pairs = rounds.pairs.map(([b, c]) => [round(b), round(c)]);
    inputs.push(input);
  }
  return inputs;
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run the child with --expose-gc');
  gc();
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function measure(scenario: Scenario, reps: number): Measurement {
  const inputs = generateInputs(scenario);
  collectGarbage();
  const heapInputs = process.memoryUsage().heapUsed;
  const rssBeforeCompare = process.resourceUsage().maxRSS * 1024;

  let report = compareAll(inputs, scenario.opts); // warm-up: JIT and lazily built tables
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    collectGarbage();
    const start = performance.now();
    report = compareAll(inputs, scenario.opts);
    times.push(performance.now() - start);
  }
  collectGarbage();
  return {
    id: scenario.id,
    medianMs: median(times),
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    peakRss: process.resourceUsage().maxRSS * 1024,
    rssBeforeCompare,
    heapInputs,
    heapWithReport: process.memoryUsage().heapUsed,
    changed: report.comparisons.filter((c) => c.verdict === 'faster' || c.verdict === 'slower').length,
  };
}

function runChild(scenario: Scenario, reps: number): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = fork(process.argv[1] as string, ['--child', scenario.id, '--reps', String(reps)], {
      execArgv: [...process.execArgv, '--expose-gc'],
    });
    let result: Measurement | null = null;
    child.on('message', (m) => {
      result = m as Measurement;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && result !== null) resolve(result);
      else reject(new Error(`scenario ${scenario.id} exited with code ${code}`));
    });
  });
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const mb = (bytes: number) => (bytes / MB).toFixed(0);

async function main(): Promise<void> {
  const reps = Number(argValue('--reps') ?? '7');
  const childId = argValue('--child');
  if (childId !== undefined) {
    const scenario = scenarios.find((s) => s.id === childId);
    if (scenario === undefined) throw new Error(`unknown scenario ${childId}`);
    process.send?.(measure(scenario, reps));
    return;
  }

  console.log(
    `compareAll on ${BENCHMARKS.toLocaleString('en')} benchmarks x 2 sides x ${SAMPLES} samples, seed ${SEED}; ` +
      `time = median of ${reps} runs after 1 warm-up (min-max in brackets); one fresh process per scenario; ` +
      `MB = 10^6 bytes`,
  );
  console.log('');
  console.log(
    '| scenario | time ms (median) [min-max] | peak RSS MB | RSS before compare MB | heap: inputs / with report MB | changed | < 1 s | < 300 MB |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  let allPass = true;
  for (const scenario of scenarios) {
    process.stderr.write(`running ${scenario.id}...\n`);
    const m = await runChild(scenario, reps);
    const timeOk = m.medianMs < TARGET_MS;
    const memOk = m.peakRss < TARGET_MB * MB;
    allPass &&= timeOk && memOk;
    console.log(
      `| ${scenario.label} | ${m.medianMs.toFixed(0)} [${m.minMs.toFixed(0)}-${m.maxMs.toFixed(0)}] | ${mb(m.peakRss)} | ` +
        `${mb(m.rssBeforeCompare)} | ${mb(m.heapInputs)} / ${mb(m.heapWithReport)} | ${m.changed} | ` +
        `${timeOk ? 'PASS' : 'FAIL'} | ${memOk ? 'PASS' : 'FAIL'} |`,
    );
  }
  console.log('');
  console.log(allPass ? 'all scenarios within targets' : 'some scenarios miss a target (FAIL above)');
}

await main();
