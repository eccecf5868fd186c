// The report half of bench/stats-simulation.ts: many benchmarks judged together under a
// correction, and repeats inside rounds judged four ways. Kept apart from the single-benchmark
// cells so each file reads as one experiment; the program draws both from one seeded Rng, in order.

import {
  adjustPValues,
  type BenchmarkInput,
  type CompareOptions,
  type Correction,
  compareAll,
  DEFAULT_OPTIONS,
  type PairedTest,
} from '../../core/stats/index.js';
import { normalCdf } from '../../core/stats/normal.js';
import { lognormalSigma, type Rng } from './prng.js';
import { drawRounds, type Rounds, type SampleModel } from './samples.js';

export const ALPHA = 0.05;

export const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;
export const driftLabel = (share: number) => (share === 0 ? 'independent' : 'shared drift');

export function toInput(name: string, rounds: Rounds): BenchmarkInput {
  return { name, direction: 'lower-is-better', ...rounds };
}

/** What the program was asked for: reports per row, and where progress goes. */
export interface SimulationRun {
  reports: number;
  progress: (message: string) => void;
}

type ReportTest = 'u' | 'signedRank' | 'auto' | 'oracle';
const REPORT_TESTS: ReportTest[] = ['u', 'signedRank', 'auto', 'oracle'];
const REPORT_TEST_LABELS: Record<ReportTest, string> = {
  u: 'U test',
  signedRank: 'signed-rank',
  auto: 'moderated t',
  oracle: 'oracle',
};
const PAIRED_OF: Record<Exclude<ReportTest, 'oracle'>, PairedTest> = {
  u: 'never',
  signedRank: 'signed-rank',
  auto: 'auto',
};

interface Scenario {
  label: string;
  /** Per benchmark: the sample model without shift and rounds. */
  model: (rng: Rng) => Omit<SampleModel, 'n' | 'shift' | 'centre'>;
  /** The oracle's z test is only valid (and only the best test) for lognormal noise. */
  oracleValid: boolean;
}

export const lognormal = (cv: number, driftShare: number): Scenario => ({
  label: `lognormal CV ${pct(cv, 0)}, ${driftLabel(driftShare)}`,
  model: () => ({ cv, driftShare }),
  oracleValid: true,
});

export const SCENARIOS: Scenario[] = [
  lognormal(0.03, 0),
  lognormal(0.03, 0.5),
  {
    label: 'heavy tails (t3) CV 3%, shared drift',
    model: () => ({ cv: 0.03, driftShare: 0.5, tails: 'heavy' }),
    oracleValid: false,
  },
  {
    label: 'outliers (1 in 5 benchmarks) CV 3%, shared drift',
    model: () => ({ cv: 0.03, driftShare: 0.5, outlierChance: 0.2 }),
    oracleValid: false,
  },
  {
    label: 'mixed CVs 1-4%, shared drift',
    model: (rng) => ({ cv: 0.01 * 4 ** rng.uniform(), driftShare: 0.5 }),
    oracleValid: true,
  },
  {
    label: 'mixed CVs 1-10%, shared drift',
    // Log-uniform: as many benchmarks between 1% and 3% as between 3% and 10%.
    model: (rng) => ({ cv: 0.01 * 10 ** rng.uniform(), driftShare: 0.5 }),
    oracleValid: true,
  },
];

export interface ReportCase {
  benchmarks: number;
  rounds: number;
  changed: number;
  shift: number;
  correction: Correction;
  thresholdPct: number;
}

interface ReportStats {
  /** Share of A/A reports with at least one false alarm. */
  fwer: number;
  /** Mean share of the really changed benchmarks found (in the right direction). */
  power: number;
}

/** p-values of the oracle: z test on the mean log ratio, knowing each benchmark's true variance. */
function oracleVerdicts(rounds: Rounds[], models: SampleModel[], opts: CompareOptions): number[] {
  const ps = rounds.map((r, i) => {
    const m = models[i] as SampleModel;
    const sigma = lognormalSigma(m.cv);
    const sd = Math.sqrt(2 * (1 - m.driftShare)) * sigma;
    const mean = r.pairs.reduce((s, [b, c]) => s + Math.log(c / b), 0) / r.pairs.length;
    const z = mean / (sd / Math.sqrt(r.pairs.length));
    return { p: 2 * normalCdf(-Math.abs(z)), mean };
  });
  const adjusted = adjustPValues(
    ps.map((x) => x.p),
    opts.correction,
  );
  return ps.map((x, i) =>
    (adjusted[i] as number) <= opts.alpha && Math.abs(Math.expm1(x.mean)) * 100 >= opts.thresholdPct
      ? Math.sign(x.mean)
      : 0,
  );
}

function simulateReports(
  rng: Rng,
  run: SimulationRun,
  scenario: Scenario,
  c: ReportCase,
): Record<ReportTest, ReportStats> {
  const acc = Object.fromEntries(REPORT_TESTS.map((t) => [t, { fwer: 0, power: 0 }])) as Record<
    ReportTest,
    ReportStats
  >;
  const opts = (test: Exclude<ReportTest, 'oracle'>): CompareOptions => ({
    ...DEFAULT_OPTIONS,
    alpha: ALPHA,
    thresholdPct: c.thresholdPct,
    correction: c.correction,
    paired: PAIRED_OF[test],
  });
  for (let r = 0; r < run.reports; r++) {
    for (const aa of [true, false]) {
      const models = Array.from(
        { length: c.benchmarks },
        (_, i): SampleModel => ({
          ...scenario.model(rng),
          n: c.rounds,
          centre: 1000,
          shift: !aa && i < c.changed ? c.shift : 0,
        }),
      );
      const rounds = models.map((m) => drawRounds(rng, m));
      const inputs = rounds.map((rs, i) => toInput(`b${i}`, rs));
      for (const test of REPORT_TESTS) {
        const calls =
          test === 'oracle'
            ? oracleVerdicts(rounds, models, { ...opts('auto') })
            : compareAll(inputs, opts(test)).comparisons.map((x) =>
                x.verdict === 'slower' ? 1 : x.verdict === 'faster' ? -1 : 0,
              );
        const s = acc[test];
        if (aa) s.fwer += calls.some((v) => v !== 0) ? 1 : 0;
        else s.power += calls.filter((v, i) => i < c.changed && v === 1).length / c.changed;
      }
    }
  }
  for (const t of REPORT_TESTS) {
    acc[t].fwer /= run.reports;
    acc[t].power /= run.reports;
  }
  return acc;
}

export function reportTable(
  rng: Rng,
  run: SimulationRun,
  title: string,
  rows: Array<{ lead: string[]; scenario: Scenario; c: ReportCase }>,
  leadHeader: string[],
): string[] {
  const out = [
    title,
    '',
    `| ${[
      ...leadHeader,
      ...REPORT_TESTS.map((t) => `A/A: ${REPORT_TEST_LABELS[t]}`),
      ...REPORT_TESTS.map((t) => `power: ${REPORT_TEST_LABELS[t]}`),
    ].join(' | ')} |`,
    `|${[...leadHeader, ...REPORT_TESTS, ...REPORT_TESTS].map(() => '---').join('|')}|`,
  ];
  for (const row of rows) {
    run.progress(`${title.replace(/^#+ /, '')}: ${row.lead.join(', ')}`);
    const stats = simulateReports(rng, run, row.scenario, row.c);
    const cell = (t: ReportTest, v: number) => (t === 'oracle' && !row.scenario.oracleValid ? '—' : pct(v));
    out.push(
      `| ${[
        ...row.lead,
        ...REPORT_TESTS.map((t) => cell(t, stats[t].fwer)),
        ...REPORT_TESTS.map((t) => cell(t, stats[t].power)),
      ].join(' | ')} |`,
    );
  }
  out.push('');
  return out;
}

// Repeats inside rounds: the same reports judged four ways.
type RepeatUse = 'nested' | 'medians' | 'asRounds' | 'single';
const REPEAT_USES: RepeatUse[] = ['nested', 'medians', 'asRounds', 'single'];
const REPEAT_USE_LABELS: Record<RepeatUse, string> = {
  nested: 'nested (benchbot)',
  medians: 'round medians, repeats ignored',
  asRounds: 'repeats as rounds (wrong)',
  single: 'one sample per round',
};

function repeatInput(name: string, rounds: Rounds, use: RepeatUse): BenchmarkInput {
  const repeats = rounds.repeats ?? [];
  const pairs: Array<[number, number]> =
    use === 'asRounds'
      ? repeats.flatMap(([b, c]) => b.map((v, j): [number, number] => [v, c[j] as number]))
      : use === 'single'
        ? repeats.map(([b, c]) => [b[0] as number, c[0] as number])
        : rounds.pairs;
  return {
    name,
    direction: 'lower-is-better',
    baseline: pairs.map(([b]) => b),
    changed: pairs.map(([, c]) => c),
    pairs,
    ...(use === 'nested' ? { repeats } : {}),
  };
}

function simulateRepeats(
  rng: Rng,
  run: SimulationRun,
  repeatShare: number,
  repeats: number,
): Record<RepeatUse, ReportStats> {
  const acc = Object.fromEntries(REPEAT_USES.map((u) => [u, { fwer: 0, power: 0 }])) as Record<
    RepeatUse,
    ReportStats
  >;
  const opts: CompareOptions = { ...DEFAULT_OPTIONS, alpha: ALPHA };
  for (let r = 0; r < run.reports; r++) {
    for (const aa of [true, false]) {
      const rounds = Array.from({ length: 100 }, (_, i) =>
        drawRounds(rng, {
          n: 10,
          cv: 0.03,
          driftShare: 0.5,
          centre: 1000,
          shift: !aa && i < 10 ? 0.05 : 0,
          repeats,
          repeatShare,
        }),
      );
      for (const use of REPEAT_USES) {
        const calls = compareAll(
          rounds.map((rs, i) => repeatInput(`b${i}`, rs, use)),
          opts,
        ).comparisons.map((x) => (x.verdict === 'slower' ? 1 : x.verdict === 'faster' ? -1 : 0));
        if (aa) acc[use].fwer += calls.some((v) => v !== 0) ? 1 : 0;
        else acc[use].power += calls.filter((v, i) => i < 10 && v === 1).length / 10;
      }
    }
  }
  for (const u of REPEAT_USES) {
    acc[u].fwer /= run.reports;
    acc[u].power /= run.reports;
  }
  return acc;
}

export function repeatsTable(rng: Rng, run: SimulationRun): string[] {
  const title =
    '### Repeats within rounds: reports of 100 benchmarks, 10 rounds of 5 repeats, CV 3% per sample with shared drift, ten 5% slower (defaults)';
  const out = [
    title,
    '',
    "The share of the non-drift variance that differs between the repeats of one round; the rest is the run's own " +
      '(one process start, one memory layout), shared by its repeats and not by the next round.',
    '',
    `| repeat share | ${REPEAT_USES.map((u) => `A/A: ${REPEAT_USE_LABELS[u]}`).join(' | ')} | ${REPEAT_USES.map((u) => `power: ${REPEAT_USE_LABELS[u]}`).join(' | ')} |`,
    `|---|${[...REPEAT_USES, ...REPEAT_USES].map(() => '---').join('|')}|`,
  ];
  for (const share of [0.2, 0.5, 1]) {
    run.progress(`repeats within rounds: repeat share ${share}`);
    const stats = simulateRepeats(rng, run, share, 5);
    out.push(
      `| ${pct(share, 0)} | ${REPEAT_USES.map((u) => pct(stats[u].fwer)).join(' | ')} | ${REPEAT_USES.map((u) => pct(stats[u].power)).join(' | ')} |`,
    );
  }
  out.push('');
  return out;
}
