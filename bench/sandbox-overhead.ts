// What the local executor's sandbox costs a measurement: the interleaving bench's program (`node
// dist/bench.js steady` from the runner tests' fixture, an A/A pair: both sides the same commit)
// run as whole jobs through the real local executor, once in the bubblewrap sandbox (each command
// in its own box, core/sandbox.ts) and once as plain child processes, alternating which goes first.
//
//   npx tsx bench/sandbox-overhead.ts [--samples 15] [--repetitions 8]
//
// Per mode: the median wall-clock time of one run of the program as the runner timed it (so the
// command box's start-up is inside the number, as it is in a real report), and the A/A change
// estimate of each job (median log ratio of paired rounds, 95% interval), whose spread is the
// measurement noise. Progress goes to stderr, the table to stdout.

import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { ExecutorHooks } from '../adapters/executors/executor.js';
import { createLocalExecutor, type RunnerIsolation } from '../adapters/executors/local.js';
import { probeSandbox, type SandboxSettings } from '../adapters/executors/local-sandbox.js';
import { parseResults } from '../core/results/index.js';
import { COMMAND_SANDBOX_ENV } from '../core/sandbox.js';
import { medianWithCi } from '../core/stats/index.js';
import { runCommand } from '../runner/exec.js';
import { benchmark, makeFixtureRepo, makeSpec } from '../test/runner/fixture-repo.js';
import { tempCheckpointStores } from '../test/support/job-checkpoints.js';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '15' },
    repetitions: { type: 'string', default: '8' },
  },
});
const SAMPLES = Number(values.samples);
const REPETITIONS = Number(values.repetitions);
const COMMAND = 'node dist/bench.js steady --quiet';
const MODES = ['sandboxed', 'plain'] as const;
type Mode = (typeof MODES)[number];

const log = (line: string) => process.stderr.write(`${line}\n`);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

const settings: SandboxSettings = {
  network: true,
  readOnlyPaths: [],
  hidden: [],
  limits: { processes: 4096, memoryMiB: null },
  path: process.env.PATH,
};
const status = await probeSandbox(settings);
if (!status.available) throw new Error(`no sandbox on this machine: ${status.reason}`);

const repo = await makeFixtureRepo();
const workRoot = await mkdtemp(join(tmpdir(), 'benchbot-sandbox-overhead-'));
const checkpoints = tempCheckpointStores();
const isolation: Record<Mode, RunnerIsolation> = {
  sandboxed: { kind: 'sandbox', settings },
  plain: { kind: 'unsandboxed', refusal: null },
};
const executors = Object.fromEntries(
  MODES.map((mode) => [
    mode,
    createLocalExecutor({
      workRoot,
      hostEnv: process.env,
      passEnv: [],
      isolation: isolation[mode],
      wallTimeMs: 3_600_000,
      logger: pino({ level: 'error' }),
    }),
  ]),
) as Record<Mode, ReturnType<typeof createLocalExecutor>>;
const hooks: ExecutorHooks = {
  onProgress: () => {},
  heartbeat: () => {},
  signal: new AbortController().signal,
  shutdown: new AbortController().signal,
};

interface JobFigures {
  /** Every timed run of the program, ms. */
  runsMs: number[];
  /** The A/A change estimate and its 95% interval, %. */
  pct: number;
  widthPct: number;
  holdsZero: boolean;
}

async function job(mode: Mode, rep: number): Promise<JobFigures> {
  const spec = makeSpec(repo, 'main', [
    benchmark('steady', {
      command: COMMAND,
      output: { path: null, format: 'wall-clock' },
      iterations: SAMPLES,
      warmups: 1,
    }),
  ]);
  spec.order.seed = rep;
  const key = `${mode}-${rep}`;
  const outcome = await executors[mode].run({ spec, key, checkpoints: checkpoints.forJob(key) }, hooks);
  if (outcome.kind !== 'results') throw new Error(`${mode} job ended ${JSON.stringify(outcome)}`);
  const parsed = parseResults(outcome.text, 'results.json');
  if (!parsed.ok) throw new Error('unreadable results');
  const samples = parsed.results.benchmarks[0]?.samples;
  const a = samples?.baseline ?? [];
  const b = samples?.changed ?? [];
  const byRound = new Map(b.map((s) => [s.round, s.value]));
  const logs = a.map((s) => Math.log((byRound.get(s.round) as number) / s.value)).sort((x, y) => x - y);
  const { median: m, lo, hi } = medianWithCi(logs, 0.95);
  if (lo === null || hi === null)
    throw new Error('too few samples for a 95% interval; use --samples 6 or more');
  const pct = (x: number) => (Math.exp(x) - 1) * 100;
  // The runner reports wall-clock runs in ns.
  const runsMs = [...a, ...b].map((s) => s.value / 1e6);
  return { runsMs, pct: pct(m), widthPct: pct(hi) - pct(lo), holdsZero: lo <= 0 && hi >= 0 };
}

/** The command box's fixed cost: runs of `true`, timed by the runner's own path, boxed or not. */
async function startupMs(boxed: boolean, logFile: string): Promise<number> {
  if (boxed) process.env[COMMAND_SANDBOX_ENV] = 'bubblewrap';
  else delete process.env[COMMAND_SANDBOX_ENV];
  const outcome = await runCommand({
    command: 'true',
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    timeoutMs: 10_000,
    logFile,
    logHeader: 'startup',
    pinCpus: null,
  });
  delete process.env[COMMAND_SANDBOX_ENV];
  return Number(outcome.elapsedNs) / 1e6;
}

const figures: Record<Mode, JobFigures[]> = { sandboxed: [], plain: [] };
const loadBefore = os.loadavg()[0] ?? 0;
for (let rep = 0; rep < REPETITIONS; rep++) {
  const order = rep % 2 === 0 ? MODES : ([...MODES].reverse() as Mode[]);
  for (const mode of order) figures[mode].push(await job(mode, rep));
  const last = (mode: Mode) => median(figures[mode].at(-1)?.runsMs ?? []).toFixed(1);
  log(`repetition ${rep + 1}/${REPETITIONS}: sandboxed ${last('sandboxed')} ms, plain ${last('plain')} ms`);
}
const startup = { boxed: [] as number[], plain: [] as number[] };
const startupLog = join(workRoot, 'startup.log');
for (let i = 0; i < 200; i++) {
  startup.boxed.push(await startupMs(true, startupLog));
  startup.plain.push(await startupMs(false, startupLog));
}
const loadAfter = os.loadavg()[0] ?? 0;
await checkpoints.close();
await rm(workRoot, { recursive: true, force: true });
await rm(repo.dir, { recursive: true, force: true });

const plainMedian = median(figures.plain.flatMap((f) => f.runsMs));
const repMedians = (mode: Mode) => figures[mode].map((f) => median(f.runsMs));
// The sandbox's cost per run, and how much the per-job medians themselves move (the noise floor).
const overheadPerRep = figures.sandboxed.map(
  (f, i) => (median(f.runsMs) / median(figures.plain[i]?.runsMs ?? []) - 1) * 100,
);
function row(mode: Mode): string {
  const runs = figures[mode].flatMap((f) => f.runsMs);
  const reps = repMedians(mode);
  const pcts = figures[mode].map((f) => f.pct);
  const mean = pcts.reduce((s, x) => s + x, 0) / pcts.length;
  const sd = Math.sqrt(pcts.reduce((s, x) => s + (x - mean) ** 2, 0) / (pcts.length - 1));
  return [
    mode.padEnd(10),
    `${median(runs).toFixed(1)} ms`.padStart(12),
    `${((median(runs) / plainMedian - 1) * 100).toFixed(1)}%`.padStart(9),
    `${Math.min(...reps).toFixed(1)}–${Math.max(...reps).toFixed(1)} ms`.padStart(17),
    `${sd.toFixed(2)}%`.padStart(11),
    `${median(figures[mode].map((f) => f.widthPct)).toFixed(2)}%`.padStart(11),
    `${figures[mode].filter((f) => f.holdsZero).length}/${figures[mode].length}`.padStart(10),
  ].join(' ');
}

console.log(
  `\`${COMMAND}\` as whole local-executor jobs (${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} CPUs, ` +
    `load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after); ${SAMPLES} rounds per side, ` +
    `${REPETITIONS} jobs per mode, alternating; A/A, true change 0`,
);
console.log('');
console.log(
  [
    'mode'.padEnd(10),
    'median run'.padStart(12),
    'vs plain'.padStart(9),
    'job medians'.padStart(17),
    'sd of A/A'.padStart(11),
    'CI95 width'.padStart(11),
    'CI holds 0'.padStart(10),
  ].join(' '),
);
for (const mode of MODES) console.log(row(mode));
console.log('');
console.log(
  `sandbox cost per job (sandboxed median / plain median of the same repetition): ${overheadPerRep
    .map((x) => `${x.toFixed(1)}%`)
    .join(', ')}`,
);
console.log(
  `command start-up (\`true\`, 200 runs each, interleaved): boxed ${median(startup.boxed).toFixed(2)} ms, ` +
    `plain ${median(startup.plain).toFixed(2)} ms: ${(median(startup.boxed) - median(startup.plain)).toFixed(2)} ms added to every timed run`,
);
