// How often benchbot's statistics raise false alarms, and how often they find a real change,
// measured on simulated benchmarks whose truth is known; next to the fixed rule many projects
// use instead ("changed if the medians differ by more than 5% of the baseline's minimum").
//
//   npx tsx bench/stats-simulation.ts [--seed 1] [--trials 2000] [--reports 500]
//
// Samples come from bench/lib/samples.ts: an interleaving runner's rounds, each sample lognormal
// with the stated CV. With "shared drift", half of a sample's log-variance is a per-round drift
// common to both sides of the round (the case pairing is for); "independent" has no drift, the
// textbook setting in which each test should hold its level exactly. Every method judges the
// same samples: the U test and the fixed rule ignore the pairing, the paired test uses it.
// Progress goes to stderr, the tables to stdout.

import {
  type BenchmarkInput,
  type CompareOptions,
  type Correction,
  compareAll,
  compareBenchmark,
  DEFAULT_OPTIONS,
  medianOfSorted,
} from '../core/stats/index.js';
import { createRng, type Rng } from './lib/prng.js';
import { drawRounds, type Rounds } from './lib/samples.js';

const ALPHA = 0.05;
const DRIFT_SHARES = [0, 0.5];
const FIXED_RULE_PCT = 5;
const CVS = [0.01, 0.03, 0.05];
/** A/A only: where the fixed rule's false alarms show. */
const HIGH_CV = 0.1;
const SIZES = [10, 30];
const SHIFTS = [0.02, 0.05];
const CORRECTIONS: Correction[] = ['none', 'holm', 'bh'];
const FAMILY = 100;
const FAMILY_CV = 0.03;
/** Families use independent samples, where every test holds alpha, to isolate the correction. */
const FAMILY_DRIFT_SHARE = 0;
const MIXED_CHANGED = 10;
const MIXED_SHIFT = 0.05;

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
const REPORTS = argNumber('--reports', 500);

type Method = 'u' | 'uThreshold' | 'paired' | 'pairedThreshold' | 'fixed';
const METHODS: Method[] = ['u', 'uThreshold', 'paired', 'pairedThreshold', 'fixed'];
const METHOD_LABELS: Record<Method, string> = {
  u: 'U test',
  uThreshold: 'U test + 1%',
  paired: 'paired',
  pairedThreshold: 'paired + 1%',
  fixed: `fixed ±${FIXED_RULE_PCT}%`,
};

/** One benchmark judged alone: no correction; the minimum effect either off or benchbot's default. */
function singleOptions(paired: boolean, threshold: boolean): CompareOptions {
  return {
    ...DEFAULT_OPTIONS,
    alpha: ALPHA,
    correction: 'none',
    paired: paired ? 'auto' : 'never',
    thresholdPct: threshold ? DEFAULT_OPTIONS.thresholdPct : 0,
  };
}

const SINGLE: Record<Exclude<Method, 'fixed'>, CompareOptions> = {
  u: singleOptions(false, false),
  uThreshold: singleOptions(false, true),
  paired: singleOptions(true, false),
  pairedThreshold: singleOptions(true, true),
};

function toInput(name: string, rounds: Rounds): BenchmarkInput {
  return { name, direction: 'lower-is-better', ...rounds };
}

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
    uThreshold: sign(SINGLE.uThreshold),
    paired: sign(SINGLE.paired),
    pairedThreshold: sign(SINGLE.pairedThreshold),
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
  const hits: Record<Method, number> = { u: 0, uThreshold: 0, paired: 0, pairedThreshold: 0, fixed: 0 };
  for (let t = 0; t < TRIALS; t++) {
    const calls = judge(drawRounds(rng, { n, cv, driftShare, centre: 1000, shift }));
    for (const m of METHODS) {
      if (shift === 0 ? calls[m] !== 0 : calls[m] === 1) hits[m]++;
    }
  }
  const rate = Object.fromEntries(METHODS.map((m) => [m, hits[m] / TRIALS])) as Record<Method, number>;
  return { driftShare, shift, cv, n, rate };
}

interface FamilyStats {
  /** Share of reports with at least one false alarm. */
  fwer: number;
  /** Mean over reports of false alarms / alarms (0 for a report without alarms). */
  fdr: number;
  meanFalseAlarms: number;
  /** Mean share of the really changed benchmarks found (in the right direction). */
  power: number;
}

/**
 * REPORTS reports of FAMILY benchmarks, the first `changedCount` of them shifted by `shift`,
 * each report compared once per correction with no minimum effect, so the table isolates what
 * the correction does.
 */
function simulateFamily(
  rng: Rng,
  n: number,
  paired: boolean,
  changedCount: number,
  shift: number,
): Record<Correction, FamilyStats> {
  const acc = Object.fromEntries(
    CORRECTIONS.map((c) => [c, { fwer: 0, fdr: 0, meanFalseAlarms: 0, power: 0 }]),
  ) as Record<Correction, FamilyStats>;
  for (let r = 0; r < REPORTS; r++) {
    const inputs = Array.from({ length: FAMILY }, (_, i) =>
      toInput(
        `b${i}`,
        drawRounds(rng, {
          n,
          cv: FAMILY_CV,
          driftShare: FAMILY_DRIFT_SHARE,
          centre: 1000,
          shift: i < changedCount ? shift : 0,
        }),
      ),
    );
    for (const correction of CORRECTIONS) {
      const opts: CompareOptions = {
        ...DEFAULT_OPTIONS,
        alpha: ALPHA,
        thresholdPct: 0,
        correction,
        paired: paired ? 'auto' : 'never',
      };
      const verdicts = compareAll(inputs, opts).comparisons.map((c) => c.verdict);
      const alarm = (v: string) => v === 'faster' || v === 'slower';
      const falseAlarms = verdicts.filter((v, i) => i >= changedCount && alarm(v)).length;
      const alarms = verdicts.filter(alarm).length;
      const found = verdicts.filter((v, i) => i < changedCount && v === 'slower').length;
      const s = acc[correction];
      s.fwer += falseAlarms > 0 ? 1 : 0;
      s.fdr += alarms > 0 ? falseAlarms / alarms : 0;
      s.meanFalseAlarms += falseAlarms;
      s.power += changedCount > 0 ? found / changedCount : 0;
    }
  }
  for (const c of CORRECTIONS) {
    const s = acc[c];
    s.fwer /= REPORTS;
    s.fdr /= REPORTS;
    s.meanFalseAlarms /= REPORTS;
    s.power /= REPORTS;
  }
  return acc;
}

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;
const driftLabel = (share: number) => (share === 0 ? 'independent' : 'shared drift');

function progress(message: string): void {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${message}\n`);
}

const started = performance.now();

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
  const families: Array<{
    n: number;
    paired: boolean;
    aa: Record<Correction, FamilyStats>;
    mixed: Record<Correction, FamilyStats>;
  }> = [];
  for (const paired of [false, true]) {
    for (const n of SIZES) {
      progress(`reports of ${FAMILY}: ${paired ? 'paired' : 'U test'}, n ${n}`);
      const aa = simulateFamily(rng, n, paired, 0, 0);
      const mixed = simulateFamily(rng, n, paired, MIXED_CHANGED, MIXED_SHIFT);
      families.push({ n, paired, aa, mixed });
    }
  }
  const seconds = (performance.now() - started) / 1000;

  const se = Math.sqrt((ALPHA * (1 - ALPHA)) / TRIALS);
  const out: string[] = [];
  out.push(
    `Seed ${SEED}; ${TRIALS} trials per cell; alpha ${ALPHA}. Samples lognormal with the given CV; ` +
      `"independent": no drift; "shared drift": half of the log-variance is a per-round drift common to both ` +
      `sides. "U test" = Mann-Whitney on the two sides, "paired" = Wilcoxon signed-rank on per-round log ` +
      `ratios, "+ 1%" = benchbot's default minimum effect, "fixed ±${FIXED_RULE_PCT}%" = ` +
      `|median changed - median baseline| / min(baseline) > ${FIXED_RULE_PCT}%. ` +
      `Monte Carlo standard error of a rate near ${ALPHA}: ${pct(se, 2)}.`,
  );
  out.push('');
  out.push('### False alarms per benchmark, A/A (no change), no correction');
  out.push('');
  out.push(...methodHeader(['samples', 'CV', 'n per side']));
  const aaCells = cells.filter((c) => c.shift === 0);
  for (const c of aaCells) out.push(methodRow([driftLabel(c.driftShare), pct(c.cv, 0), String(c.n)], c));
  const worst = Math.max(...aaCells.flatMap((c) => [c.rate.u, c.rate.paired]));
  out.push('');
  out.push(
    `Highest A/A rate of either test: ${pct(worst)} ` +
      `(${worst <= ALPHA + 2 * se ? 'within' : 'ABOVE'} alpha ${pct(ALPHA, 0)} + 2 standard errors).`,
  );
  for (const driftShare of [...DRIFT_SHARES].reverse()) {
    out.push('');
    out.push(
      `### Power per benchmark, ${driftLabel(driftShare)} samples: share of trials reporting the change as slower, no correction`,
    );
    out.push('');
    out.push(...methodHeader(['shift', 'CV', 'n per side']));
    for (const c of cells.filter((c) => c.shift !== 0 && c.driftShare === driftShare)) {
      out.push(methodRow([`+${pct(c.shift, 0)}`, pct(c.cv, 0), String(c.n)], c));
    }
  }
  out.push('');
  out.push(
    `### Reports of ${FAMILY} benchmarks: ${driftLabel(FAMILY_DRIFT_SHARE)} samples, CV ${pct(FAMILY_CV, 0)}, ` +
      `no minimum effect, ${REPORTS} reports per cell`,
  );
  out.push('');
  out.push(
    `A/A: every benchmark unchanged (FWER = share of reports with at least one false alarm; on A/A, FDR = FWER). ` +
      `Mixed: ${MIXED_CHANGED} benchmarks ${pct(MIXED_SHIFT, 0)} slower, ${FAMILY - MIXED_CHANGED} unchanged ` +
      `(FDR = mean share of false alarms among a report's alarms; power = share of the ${MIXED_CHANGED} found).`,
  );
  out.push('');
  out.push(
    '| test | n | correction | A/A: FWER | A/A: false alarms per report | mixed: FWER | mixed: FDR | mixed: false alarms per report | mixed: power |',
  );
  out.push('|---|---|---|---|---|---|---|---|---|');
  for (const f of families) {
    for (const c of CORRECTIONS) {
      const aa = f.aa[c];
      const mx = f.mixed[c];
      out.push(
        `| ${f.paired ? 'paired' : 'U test'} | ${f.n} | ${c} | ${pct(aa.fwer)} | ${aa.meanFalseAlarms.toFixed(2)} | ` +
          `${pct(mx.fwer)} | ${pct(mx.fdr)} | ${mx.meanFalseAlarms.toFixed(2)} | ${pct(mx.power)} |`,
      );
    }
  }
  out.push('');
  out.push(`Simulated in ${seconds.toFixed(0)} s.`);
  console.log(out.join('\n'));
}

main();
