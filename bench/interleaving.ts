// How much interleaving A/B rounds narrows the change estimate on a real, noisy benchmark on this
// machine, against running all of A and then all of B with the same number of samples.
//
//   npx tsx bench/interleaving.ts [--samples 15] [--repetitions 12]
//
// The benchmark is a real process: `node bench.js steady` from the runner tests' fixture repository,
// timed by the runner's own wall-clock path (runner/exec.ts), built and checked out by the runner's
// workspace code. Both sides are the same commit (an A/A test), so the true change is 0 and every
// bit of spread is error. Each repetition measures both schedules back to back, alternating which
// goes first, so both meet the same weather on the shared machine:
//   interleaved  rounds in the runner's balanced-random order (one AB and one BA per two rounds)
//   sequential   one warm-up, then all A, then all B (the i-th A is paired with the i-th B)
// Both use one estimator, the median of log(B_i / A_i) with its distribution-free 95% interval
// (what the paired test reports); the sequential pairs just sit far apart in time.
// Progress goes to stderr, the table to stdout.

import { mkdtemp } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { RoundOrder } from '../core/job-spec.js';
import type { SideName } from '../core/results/schema.js';
import { medianWithCi } from '../core/stats/index.js';
import { buildSide } from '../runner/build.js';
import { mergeEnv, runCommand } from '../runner/exec.js';
import { planRuns } from '../runner/interleave.js';
import { prepareWorktrees, type Worktrees } from '../runner/workspace.js';
import { makeFixtureRepo, makeSpec } from '../test/runner/fixture-repo.js';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '15' },
    repetitions: { type: 'string', default: '12' },
  },
});
const SAMPLES = Number(values.samples);
const REPETITIONS = Number(values.repetitions);
const COMMAND = 'node dist/bench.js steady --quiet';

interface Estimate {
  pct: number;
  loPct: number;
  hiPct: number;
}

async function timeOnce(worktrees: Worktrees, side: SideName, logFile: string): Promise<number> {
  const outcome = await runCommand({
    command: COMMAND,
    cwd: worktrees[side],
    env: mergeEnv(process.env, { BENCHBOT_SIDE: side }),
    timeoutMs: 60_000,
    logFile,
    logHeader: side,
    pinCpus: null,
  });
  if (outcome.exitCode !== 0) throw new Error(`benchmark failed: ${outcome.logTail}`);
  return Number(outcome.elapsedNs);
}

function estimate(pairs: Array<[number, number]>): Estimate {
  const logs = pairs.map(([a, b]) => Math.log(b / a)).sort((x, y) => x - y);
  const { median, lo, hi } = medianWithCi(logs, 0.95);
  if (lo === null || hi === null)
    throw new Error('too few samples for a 95% interval; use --samples 6 or more');
  const pct = (log: number) => (Math.exp(log) - 1) * 100;
  return { pct: pct(median), loPct: pct(lo), hiPct: pct(hi) };
}

async function interleaved(worktrees: Worktrees, seed: number, logFile: string): Promise<Estimate> {
  const order: RoundOrder = { scheme: 'balanced-random', seed };
  const times: Record<SideName, number[]> = { baseline: [], changed: [] };
  for (const run of planRuns(order, 'steady', 1, SAMPLES)) {
    const t = await timeOnce(worktrees, run.side, logFile);
    if (run.phase === 'run') times[run.side][run.round] = t;
  }
  return estimate(times.baseline.map((a, i) => [a, times.changed[i] as number]));
}

async function sequential(worktrees: Worktrees, logFile: string): Promise<Estimate> {
  await timeOnce(worktrees, 'baseline', logFile);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < SAMPLES; i++) a.push(await timeOnce(worktrees, 'baseline', logFile));
  for (let i = 0; i < SAMPLES; i++) b.push(await timeOnce(worktrees, 'changed', logFile));
  return estimate(a.map((x, i) => [x, b[i] as number]));
}

function summarize(name: string, estimates: readonly Estimate[]): string {
  const pcts = estimates.map((e) => e.pct);
  const mean = pcts.reduce((s, x) => s + x, 0) / pcts.length;
  const sd = Math.sqrt(pcts.reduce((s, x) => s + (x - mean) ** 2, 0) / (pcts.length - 1));
  const widths = estimates.map((e) => e.hiPct - e.loPct).sort((x, y) => x - y);
  const medianWidth = widths[Math.floor(widths.length / 2)] as number;
  // The true change is 0: an interval that misses it is a false alarm waiting to happen.
  const covered = estimates.filter((e) => e.loPct <= 0 && e.hiPct >= 0).length;
  const maxAbs = Math.max(...pcts.map(Math.abs));
  return [
    name.padEnd(12),
    `${sd.toFixed(2)}%`.padStart(10),
    `${maxAbs.toFixed(2)}%`.padStart(10),
    `${medianWidth.toFixed(2)}%`.padStart(12),
    `${covered}/${estimates.length}`.padStart(10),
  ].join(' ');
}

const repo = await makeFixtureRepo();
const spec = makeSpec(repo, 'main', []);
const out = await mkdtemp(join(tmpdir(), 'benchbot-interleaving-'));
const log = (line: string) => process.stderr.write(`${line}\n`);
const worktrees = await prepareWorktrees(spec, join(out, 'work'), log);
for (const side of ['baseline', 'changed'] as const) await buildSide(spec, side, worktrees[side], out, log);

const logFile = join(out, 'runs.log');
const results = { interleaved: [] as Estimate[], sequential: [] as Estimate[] };
const loadBefore = os.loadavg()[0] ?? 0;
for (let rep = 0; rep < REPETITIONS; rep++) {
  const first = rep % 2 === 0;
  if (first) results.interleaved.push(await interleaved(worktrees, rep, logFile));
  results.sequential.push(await sequential(worktrees, logFile));
  if (!first) results.interleaved.push(await interleaved(worktrees, rep, logFile));
  const last = (xs: Estimate[]) => xs.at(-1)?.pct.toFixed(2);
  log(
    `repetition ${rep + 1}/${REPETITIONS}: interleaved ${last(results.interleaved)}%, sequential ${last(results.sequential)}%`,
  );
}
const loadAfter = os.loadavg()[0] ?? 0;

console.log(
  `A/A wall-clock of \`${COMMAND}\` (${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} CPUs, ` +
    `load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after); ` +
    `${SAMPLES} samples per side, ${REPETITIONS} repetitions of each schedule; true change 0`,
);
console.log('');
console.log(
  [
    'schedule'.padEnd(12),
    'sd of est.'.padStart(10),
    'worst |est|'.padStart(10),
    'median CI95 width'.padStart(12),
    'CI holds 0'.padStart(10),
  ].join(' '),
);
console.log(summarize('interleaved', results.interleaved));
console.log(summarize('sequential', results.sequential));
