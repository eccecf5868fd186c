// Adaptive rounds (core/adaptive-rounds.ts) measured on simulated reports whose truth is known:
// how often a report raises any false alarm on A/A (the looks must not raise it above alpha), how
// many of the real changes it finds, and how many rounds it spends, next to fixed round counts,
// including a fixed count that costs what the adaptive runs cost on average.
//
//   npx tsx bench/adaptive-rounds-simulation.ts [--seed 1] [--reports 400] [--case TEXT]
//
// --case runs only the cases whose title contains TEXT (to give one case more reports).
//
// Each simulated benchmark is a benchmark of the config with one measurement (so extra rounds are
// paid per benchmark). Samples come from bench/lib/samples.ts as in bench/stats-simulation.ts. The
// look and the final judgement call the code the runner and the report use: isDecided on the
// first look's comparisons, judgeAtLooks (core/report/looks.ts) for the verdicts. No time budget:
// an undecided benchmark runs to maxRounds. Progress goes to stderr, the tables to stdout.

import { isDecided } from '../core/adaptive-rounds.js';
import { judgeAtLooks, type MeasurementLook } from '../core/report/looks.js';
import type { AdaptiveRecord } from '../core/results/schema.js';
import { FIRST_LOOK_SHARE, lookLevels } from '../core/stats/alpha-spending.js';
import { type BenchmarkInput, compareAll, DEFAULT_OPTIONS } from '../core/stats/index.js';
import { createRng, type Rng } from './lib/prng.js';
import { drawRounds, type Rounds, type SampleModel } from './lib/samples.js';

function argNumber(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const raw = i >= 0 ? process.argv[i + 1] : undefined;
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

const SEED = argNumber('--seed', 1);
const REPORTS = argNumber('--reports', 400);
const caseIndex = process.argv.indexOf('--case');
const ONLY = caseIndex >= 0 ? (process.argv[caseIndex + 1] ?? '') : '';
const ALPHA = DEFAULT_OPTIONS.alpha;
const started = performance.now();

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;
const progress = (message: string) =>
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${message}\n`);

interface Case {
  label: string;
  benchmarks: number;
  changed: number;
  shift: number;
  planned: number;
  maxRounds: number;
  model: (rng: Rng) => Omit<SampleModel, 'n' | 'shift' | 'centre'>;
}

type Calls = number[];

const input = (name: string, rounds: Rounds, n: number): BenchmarkInput => {
  const pairs = rounds.pairs.slice(0, n);
  return {
    name,
    direction: 'lower-is-better',
    baseline: pairs.map(([b]) => b),
    changed: pairs.map(([, c]) => c),
    pairs,
  };
};

const sign = (verdict: string) => (verdict === 'slower' ? 1 : verdict === 'faster' ? -1 : 0);

/** Fixed rounds: every benchmark judged once on its first `n` rounds at alpha. */
function fixed(draws: readonly Rounds[], n: number): Calls {
  return compareAll(
    draws.map((d, i) => input(`b${i}`, d, n)),
    DEFAULT_OPTIONS,
  ).comparisons.map((c) => sign(c.verdict));
}

/** Adaptive rounds as the runner and the report take them: the calls and the rounds spent. */
function adaptive(draws: readonly Rounds[], c: Case, share: number): { calls: Calls; rounds: number } {
  const firstLook = draws.map((d, i) => input(`b${i}`, d, c.planned));
  const look = compareAll(firstLook, { ...DEFAULT_OPTIONS, alpha: lookLevels(ALPHA, share).first });
  const more = look.comparisons.map((comparison) => !isDecided(comparison));
  const looks = more.map((m): MeasurementLook | undefined =>
    m ? { look: 2, rounds: c.maxRounds, plannedRounds: c.planned } : undefined,
  );
  const record: AdaptiveRecord = { spending: 'bonferroni-split', firstLookShare: share, extended: [] };
  const judged = judgeAtLooks({
    firstLook,
    final: draws.map((d, i) => input(`b${i}`, d, more[i] ? c.maxRounds : c.planned)),
    looks,
    sources: draws.map(() => undefined),
    options: DEFAULT_OPTIONS,
    adaptive: record,
  });
  const rounds = more.reduce((sum, m) => sum + (m ? c.maxRounds : c.planned), 0);
  return { calls: judged.comparisons.map((x) => sign(x.verdict)), rounds };
}

interface Tally {
  falseAlarmReports: number;
  found: number;
  rounds: number;
}

const SHARES = [FIRST_LOOK_SHARE, 0.8];

function simulate(rng: Rng, c: Case): { rows: Array<[string, Tally]>; equalCost: number } {
  const draw = (aa: boolean) =>
    Array.from({ length: c.benchmarks }, (_, i) =>
      drawRounds(rng, {
        ...c.model(rng),
        n: c.maxRounds,
        centre: 1000,
        shift: !aa && i < c.changed ? c.shift : 0,
      }),
    );
  const names = [
    `fixed ${c.planned}`,
    ...SHARES.map((s) => `adaptive ${c.planned}→${c.maxRounds}, first look ${pct(s, 0)} of α`),
    `fixed ${c.maxRounds}`,
  ];
  const tallies = names.map(() => ({ falseAlarmReports: 0, found: 0, rounds: 0 }));
  const reports: Array<{ aa: boolean; draws: Rounds[] }> = [];
  for (let r = 0; r < REPORTS; r++) for (const aa of [true, false]) reports.push({ aa, draws: draw(aa) });
  for (const { aa, draws } of reports) {
    const results = [
      { calls: fixed(draws, c.planned), rounds: c.planned * c.benchmarks },
      ...SHARES.map((s) => adaptive(draws, c, s)),
      { calls: fixed(draws, c.maxRounds), rounds: c.maxRounds * c.benchmarks },
    ];
    results.forEach((res, k) => {
      const t = tallies[k] as Tally;
      if (aa) t.falseAlarmReports += res.calls.some((v) => v !== 0) ? 1 : 0;
      else {
        t.found += res.calls.filter((v, i) => i < c.changed && v === 1).length / c.changed;
        t.rounds += res.rounds / c.benchmarks;
      }
    });
  }
  // A fixed count that costs what the default adaptive rule spends on average with the changes.
  const equalCost = Math.round((tallies[1] as Tally).rounds / REPORTS);
  const equal = { falseAlarmReports: 0, found: 0, rounds: 0 };
  for (const { aa, draws } of reports) {
    const calls = fixed(draws, equalCost);
    if (aa) equal.falseAlarmReports += calls.some((v) => v !== 0) ? 1 : 0;
    else {
      equal.found += calls.filter((v, i) => i < c.changed && v === 1).length / c.changed;
      equal.rounds += equalCost;
    }
  }
  const rows: Array<[string, Tally]> = names.map((n, k) => [n, tallies[k] as Tally]);
  rows.splice(3, 0, [`fixed ${equalCost} (the adaptive cost)`, equal]);
  return { rows, equalCost };
}

const lognormal = (cv: number) => () => ({ cv, driftShare: 0.5 });

const CASES: Case[] = [
  {
    label: '100 benchmarks, lognormal CV 3%, shared drift, ten 5% slower',
    benchmarks: 100,
    changed: 10,
    shift: 0.05,
    planned: 10,
    maxRounds: 20,
    model: lognormal(0.03),
  },
  {
    label: '100 benchmarks, heavy tails (t3) CV 3%, shared drift, ten 5% slower',
    benchmarks: 100,
    changed: 10,
    shift: 0.05,
    planned: 10,
    maxRounds: 20,
    model: () => ({ cv: 0.03, driftShare: 0.5, tails: 'heavy' }),
  },
  {
    label: '100 benchmarks, outliers (1 in 5 benchmarks) CV 3%, shared drift, ten 5% slower',
    benchmarks: 100,
    changed: 10,
    shift: 0.05,
    planned: 10,
    maxRounds: 20,
    model: () => ({ cv: 0.03, driftShare: 0.5, outlierChance: 0.2 }),
  },
  {
    label: '20 benchmarks, lognormal CV 1%, shared drift, one 3% slower',
    benchmarks: 20,
    changed: 1,
    shift: 0.03,
    planned: 10,
    maxRounds: 20,
    model: lognormal(0.01),
  },
  {
    label: '20 benchmarks, lognormal CV 1%, shared drift, one 2% slower',
    benchmarks: 20,
    changed: 1,
    shift: 0.02,
    planned: 10,
    maxRounds: 30,
    model: lognormal(0.01),
  },
  {
    label: '100 benchmarks, lognormal CV 1%, shared drift, ten 1.5% slower',
    benchmarks: 100,
    changed: 10,
    shift: 0.015,
    planned: 10,
    maxRounds: 30,
    model: lognormal(0.01),
  },
  {
    label: '100 benchmarks, mixed CVs 0.5-5% (log-uniform), shared drift, ten 3% slower',
    benchmarks: 100,
    changed: 10,
    shift: 0.03,
    planned: 10,
    maxRounds: 30,
    model: (rng) => ({ cv: 0.005 * 10 ** rng.uniform(), driftShare: 0.5 }),
  },
];

function main(): void {
  const rng = createRng(SEED);
  const se = Math.sqrt((ALPHA * (1 - ALPHA)) / REPORTS);
  const out = [
    `Seed ${SEED}; ${REPORTS} A/A reports and ${REPORTS} reports with changes per case; benchbot's defaults ` +
      `(paired: auto, Holm, α ${ALPHA}, 1% minimum effect). A/A = share of reports with any false alarm ` +
      `(target at most ${pct(ALPHA, 0)}; Monte Carlo standard error near ${pct(ALPHA, 0)}: ${pct(se, 2)}); ` +
      'power = share of the changed benchmarks reported slower; rounds = mean rounds per benchmark in the reports with changes.',
    '',
  ];
  for (const c of CASES.filter((k) => k.label.includes(ONLY))) {
    progress(c.label);
    const { rows } = simulate(rng, c);
    out.push(
      `### ${c.label}`,
      '',
      '| rounds | A/A: any false alarm | power | rounds per benchmark |',
      '|---|--:|--:|--:|',
    );
    for (const [name, t] of rows) {
      out.push(
        `| ${name} | ${pct(t.falseAlarmReports / REPORTS)} | ${pct(t.found / REPORTS)} | ${(t.rounds / REPORTS).toFixed(1)} |`,
      );
    }
    out.push('');
  }
  out.push(`Simulated in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  console.log(out.join('\n'));
}

main();
