import { medianOfSorted } from '../../core/stats/index.js';
import type { Rng } from './prng.js';
import { lognormalSigma } from './prng.js';

// Benchmark samples as an interleaving runner produces them: round r runs baseline then changed
// on the same machine state. Each sample is centre * exp(drift_r + noise), where drift_r is
// shared by both runs of round r (frequency scaling, noisy neighbours) and noise is independent.
// Both are normal in log space, so a sample is lognormal: skewed right like real timings and
// never negative. Optionally the noise has heavy tails (Student t with 3 degrees of freedom,
// scaled to the same variance), and a benchmark may have one outlier: a single sample 1.7x
// what it would have been (a run that a neighbour's burst or a page-cache miss hit).

export interface SampleModel {
  /** Rounds, i.e. samples per side. */
  n: number;
  /** Coefficient of variation of one sample, drift and noise together (0.03 for 3%). */
  cv: number;
  /** Share of the log-variance that is per-round drift common to both sides (0..1). */
  driftShare: number;
  /** Baseline centre (median) of the samples. */
  centre: number;
  /** Proportional change of the changed side's centre (0.05: 5% slower for a time). */
  shift: number;
  /** 'heavy': the independent noise is t with 3 degrees of freedom instead of normal. */
  tails?: 'normal' | 'heavy';
  /** Chance that one sample of the benchmark (random side and round) is 1.7x its value. */
  outlierChance?: number;
  /** Samples per side and round (criterion's samples, go test -count); 1 when absent. */
  repeats?: number;
  /**
   * Share of the independent log-variance that differs between the repeats of one round; the rest
   * is shared by them (the process's own state: memory layout, which core, what it warmed up).
   */
  repeatShare?: number;
}

export const OUTLIER_FACTOR = 1.7;

export interface Rounds {
  baseline: number[];
  changed: number[];
  /** Per round, each side's median of its repeats. */
  pairs: Array<[number, number]>;
  /** Per round, each side's repeats, when there are several. */
  repeats?: Array<[number[], number[]]>;
}

/** Student t with 3 degrees of freedom scaled to unit variance (its variance is 3). */
function heavyNormal(rng: Rng): number {
  const z = rng.normal();
  let chi2 = 0;
  for (let i = 0; i < 3; i++) chi2 += rng.normal() ** 2;
  return z / Math.sqrt(chi2 / 3) / Math.sqrt(3);
}

export function drawRounds(rng: Rng, model: SampleModel): Rounds {
  const sigma = lognormalSigma(model.cv);
  const driftSd = sigma * Math.sqrt(model.driftShare);
  const noiseSd = sigma * Math.sqrt(1 - model.driftShare);
  const k = model.repeats ?? 1;
  const repeatSd = k > 1 ? noiseSd * Math.sqrt(model.repeatShare ?? 0) : 0;
  const runSd = Math.sqrt(noiseSd ** 2 - repeatSd ** 2);
  const noise = model.tails === 'heavy' ? () => heavyNormal(rng) : () => rng.normal();
  const changedCentre = model.centre * (1 + model.shift);
  const side = (centre: number, drift: number): number[] => {
    const run = drift + runSd * noise();
    return Array.from({ length: k }, () => centre * Math.exp(run + (k > 1 ? repeatSd * noise() : 0)));
  };
  const rounds: Array<[number[], number[]]> = [];
  for (let r = 0; r < model.n; r++) {
    const drift = driftSd * rng.normal();
    rounds.push([side(model.centre, drift), side(changedCentre, drift)]);
  }
  if (model.outlierChance !== undefined && rng.uniform() < model.outlierChance) {
    const which = rounds[Math.floor(rng.uniform() * model.n)] as [number[], number[]];
    const values = which[rng.uniform() < 0.5 ? 0 : 1];
    const j = Math.floor(rng.uniform() * k);
    values[j] = (values[j] as number) * OUTLIER_FACTOR;
  }
  const median = (vs: number[]) => medianOfSorted([...vs].sort((a, b) => a - b));
  return {
    baseline: rounds.flatMap(([b]) => b),
    changed: rounds.flatMap(([, c]) => c),
    pairs: rounds.map(([b, c]): [number, number] => [median(b), median(c)]),
    ...(k > 1 ? { repeats: rounds } : {}),
  };
}

/** Rounds to `digits` significant digits, as tools that print few digits do (creates ties). */
export function roundSignificant(x: number, digits: number): number {
  if (x === 0) return 0;
  const scale = 10 ** (digits - 1 - Math.floor(Math.log10(Math.abs(x))));
  return Math.round(x * scale) / scale;
}
