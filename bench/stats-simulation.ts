// How often benchbot's statistics raise false alarms, and how often they find a real change,
// measured on simulated benchmarks whose truth is known; next to the fixed rule many projects
// use instead ("changed if the medians differ by more than 5% of the baseline's minimum") and the
// oracle test that knows the noise.
//
//   npx tsx bench/stats-simulation.ts [--seed 1] [--trials 2000] [--reports 400]
//
// Samples come from bench/lib/samples.ts: an interleaving runner's rounds, each sample lognormal
// with the stated CV. With "shared drift", half of a sample's log-variance is a per-round drift
// common to both sides of the round (the case pairing is for); "independent" has no drift, the
// textbook setting in which each test should hold its level exactly; "heavy tails" makes the
// independent noise Student t with 3 degrees of freedom; "outliers" gives one benchmark in five a
// sample 1.7x the others; "mixed CVs" draws each benchmark's CV log-uniformly from a range. Every method
// judges the same samples through benchbot's engine (compareAll): "U test" ignores the pairing,
// "signed-rank" is the exact Wilcoxon test on per-round log ratios, "moderated t" is `paired:
// auto`. The oracle is a z test on the mean log ratio with the true variance: the most powerful
// test there is for lognormal noise, and not a valid one when the noise is anything else.
// The report tables are simulated in bench/lib/report-simulation.ts. Progress goes to stderr, the
// tables to stdout.

import {
  type CompareOptions,
  compareBenchmark,
  DEFAULT_OPTIONS,
  medianOfSorted,
  type PairedTest,
} from '../core/stats/index.js';
import { createRng, type Rng } from './lib/prng.js';
import {
  ALPHA,
  driftLabel,
  lognormal,
  pct,
  type ReportCase,
  repeatsTable,
  reportTable,
  SCENARIOS,
  type SimulationRun,
  toInput,
} from './lib/report-simulation.js';
import { drawRounds, type Rounds } from './lib/samples.js';

const DRIFT_SHARES = [0, 0.5];
const FIXED_RULE_PCT = 5;
const CVS = [0.01, 0.03, 0.05];
/** A/A only: where the fixed rule's false alarms show. */
const HIGH_CV = 0.1;
const SIZES = [10, 30];
const SHIFTS = [0.02, 0.05];

function argNumber(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const raw = i >= 0 ? process.argv[i + 1] : undefined;
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

const SEED = argNumber('--seed', 1);
const TRIALS = argNumber('--trials', 2000);
const REPORTS = argNumber('--reports', 400);

function progress(message: string): void {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${message}\n`);
}

const started = performance.now();

// ---------------------------------------------------------------------------------------------
// One benchmark judged alone, no correction.

type Method = 'u' | 'signedRank' | 'auto' | 'autoThreshold' | 'fixed';
const METHODS: Method[] = ['u', 'signedRank', 'auto', 'autoThreshold', 'fixed'];
const METHOD_LABELS: Record<Method, string> = {
  u: 'U test',
  signedRank: 'signed-rank',
  auto: 'paired t (auto)',
  autoThreshold: 'paired t + 1%',
  fixed: `fixed ±${FIXED_RULE_PCT}%`,
};

function singleOptions(paired: PairedTest, threshold: boolean): CompareOptions {
  return {
    ...DEFAULT_OPTIONS,
    alpha: ALPHA,
    correction: 'none',
    paired,
    thresholdPct: threshold ? DEFAULT_OPTIONS.thresholdPct : 0,
  };
}

const SINGLE: Record<Exclude<Method, 'fixed'>, CompareOptions> = {
  u: singleOptions('never', false),
  signedRank: singleOptions('signed-rank', false),
  auto: singleOptions('auto', false),
  autoThreshold: singleOptions('auto', true),
};

/**
 * The fixed rule, signed: (median changed - median baseline) / min(baseline), in percent. It
 * calls a benchmark changed when the magnitude exceeds FIXED_RULE_PCT.
 */
function fixedRulePct(rounds: Rounds): number {
  const b = [...rounds.baseline].sort((x, y) => x - y);
  const c = [...rounds.changed].sort((x, y) => x - y);
  return ((medianOfSorted(c) - medianOfSorted(b)) / (b[0] as number)) * 100;
}

/** Which way each method called one benchmark: +1 slower, -1 faster, 0 no change. */
function judge(rounds: Rounds): Record<Method, number> {
  const input = toInput('bench', rounds);
  const sign = (opts: CompareOptions): number => {
    const verdict = compareBenchmark(input, opts).verdict;
    return verdict === 'slower' ? 1 : verdict === 'faster' ? -1 : 0;
  };
  const fixed = fixedRulePct(rounds);
  return {
    u: sign(SINGLE.u),
    signedRank: sign(SINGLE.signedRank),
    auto: sign(SINGLE.auto),
    autoThreshold: sign(SINGLE.autoThreshold),
    fixed: Math.abs(fixed) > FIXED_RULE_PCT ? Math.sign(fixed) : 0,
  };
}

interface CellResult {
  driftShare: number;
  shift: number;
  cv: number;
  n: number;
  /** Share of trials each method called changed (A/A: any direction; shifted: slower). */
  rate: Record<Method, number>;
}

function simulateCell(rng: Rng, driftShare: number, shift: number, cv: number, n: number): CellResult {
  const hits = Object.fromEntries(METHODS.map((m) => [m, 0])) as Record<Method, number>;
  for (let t = 0; t < TRIALS; t++) {
    const calls = judge(drawRounds(rng, { n, cv, driftShare, centre: 1000, shift }));
    for (const m of METHODS) {
      if (shift === 0 ? calls[m] !== 0 : calls[m] === 1) hits[m]++;
    }
  }
  const rate = Object.fromEntries(METHODS.map((m) => [m, hits[m] / TRIALS])) as Record<Method, number>;
  return { driftShare, shift, cv, n, rate };
}

function methodHeader(lead: string[]): string[] {
  return [
    `| ${[...lead, ...METHODS.map((m) => METHOD_LABELS[m])].join(' | ')} |`,
    `|${[...lead, ...METHODS].map(() => '---').join('|')}|`,
  ];
}

function methodRow(lead: string[], c: CellResult): string {
  return `| ${[...lead, ...METHODS.map((m) => pct(c.rate[m]))].join(' | ')} |`;
}

function main(): void {
  const rng = createRng(SEED);
  const run: SimulationRun = { reports: REPORTS, progress };
  const out: string[] = [];
  const se = Math.sqrt((ALPHA * (1 - ALPHA)) / REPORTS);
  out.push(
    `Seed ${SEED}; alpha ${ALPHA}; ${REPORTS} A/A reports and ${REPORTS} reports with changes per row. ` +
      `A/A = share of reports with any false alarm (the family-wise error rate; target at most ${pct(ALPHA, 0)}, ` +
      `Monte Carlo standard error near ${pct(ALPHA, 0)}: ${pct(se, 2)}); power = share of the changed benchmarks ` +
      'reported slower. "—": the oracle assumes lognormal noise and is no valid test otherwise.',
  );
  out.push('');

  const targetCase: ReportCase = {
    benchmarks: 100,
    rounds: 10,
    changed: 10,
    shift: 0.05,
    correction: 'holm',
    thresholdPct: DEFAULT_OPTIONS.thresholdPct,
  };
  out.push(
    ...reportTable(
      rng,
      run,
      '### Reports of 100 benchmarks, 10 rounds, ten of them 5% slower: Holm, 1% minimum effect (the defaults)',
      SCENARIOS.map((scenario) => ({ lead: [scenario.label], scenario, c: targetCase })),
      ['noise'],
    ),
  );
  out.push(
    ...reportTable(
      rng,
      run,
      '### Reports of 20 benchmarks, lognormal CV 1% with shared drift, 10 rounds, one of them 3% slower (defaults)',
      [
        {
          lead: ['20', '10'],
          scenario: lognormal(0.01, 0.5),
          c: { ...targetCase, benchmarks: 20, changed: 1, shift: 0.03 },
        },
      ],
      ['benchmarks', 'rounds'],
    ),
  );
  out.push(
    ...reportTable(
      rng,
      run,
      '### Rounds needed: reports of 100 benchmarks, lognormal CV 3% with shared drift, ten 5% slower (defaults)',
      [3, 5, 10, 20].map((rounds) => ({
        lead: [String(rounds)],
        scenario: lognormal(0.03, 0.5),
        c: { ...targetCase, rounds },
      })),
      ['rounds'],
    ),
  );
  out.push(
    ...reportTable(
      rng,
      run,
      '### Corrections: reports of 100 benchmarks, lognormal CV 3% with shared drift, 10 rounds, ten 5% slower, no minimum effect',
      (['none', 'holm', 'bh'] as const).map((correction) => ({
        lead: [correction],
        scenario: lognormal(0.03, 0.5),
        c: { ...targetCase, correction, thresholdPct: 0 },
      })),
      ['correction'],
    ),
  );

  out.push(...repeatsTable(rng, run));

  const cells: CellResult[] = [];
  for (const driftShare of DRIFT_SHARES) {
    for (const shift of [0, ...SHIFTS]) {
      for (const cv of shift === 0 ? [...CVS, HIGH_CV] : CVS) {
        for (const n of SIZES) {
          progress(
            `per benchmark: ${driftLabel(driftShare)}, shift ${pct(shift, 0)}, CV ${pct(cv, 0)}, n ${n}`,
          );
          cells.push(simulateCell(rng, driftShare, shift, cv, n));
        }
      }
    }
  }
  const cellSe = Math.sqrt((ALPHA * (1 - ALPHA)) / TRIALS);
  out.push(
    `### One benchmark alone, no correction: ${TRIALS} trials per cell (standard error of a rate near ${pct(ALPHA, 0)}: ${pct(cellSe, 2)})`,
  );
  out.push('');
  out.push(
    `"+ 1%" = benchbot's default minimum effect; "fixed ±${FIXED_RULE_PCT}%" = |median changed - median baseline| / ` +
      `min(baseline) > ${FIXED_RULE_PCT}%. Alone, the paired t test has no other benchmarks to moderate its variance with.`,
  );
  out.push('');
  out.push('False alarms, A/A:');
  out.push('');
  out.push(...methodHeader(['samples', 'CV', 'rounds']));
  const aaCells = cells.filter((c) => c.shift === 0);
  for (const c of aaCells) out.push(methodRow([driftLabel(c.driftShare), pct(c.cv, 0), String(c.n)], c));
  const worst = Math.max(...aaCells.flatMap((c) => [c.rate.u, c.rate.signedRank, c.rate.auto]));
  out.push('');
  out.push(
    `Highest A/A rate of the three tests: ${pct(worst)} ` +
      `(${worst <= ALPHA + 2 * cellSe ? 'within' : 'ABOVE'} alpha ${pct(ALPHA, 0)} + 2 standard errors).`,
  );
  for (const driftShare of [...DRIFT_SHARES].reverse()) {
    out.push('');
    out.push(`Power, ${driftLabel(driftShare)} samples (share of trials reporting the change as slower):`);
    out.push('');
    out.push(...methodHeader(['shift', 'CV', 'rounds']));
    for (const c of cells.filter((c) => c.shift !== 0 && c.driftShare === driftShare)) {
      out.push(methodRow([`+${pct(c.shift, 0)}`, pct(c.cv, 0), String(c.n)], c));
    }
  }
  out.push('');
  out.push(`Simulated in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  console.log(out.join('\n'));
}

main();
