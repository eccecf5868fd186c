import type { Rng } from './prng.js';
import { lognormalSigma } from './prng.js';

// Benchmark samples as an interleaving runner produces them: round r runs baseline then changed
// on the same machine state. Each sample is centre * exp(drift_r + noise), where drift_r is
// shared by both runs of round r (frequency scaling, noisy neighbours) and noise is independent.
// Both are normal in log space, so a sample is lognormal: skewed right like real timings and
// never negative.

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
}

export interface Rounds {
  baseline: number[];
  changed: number[];
  pairs: Array<[number, number]>;
}

export function drawRounds(rng: Rng, model: SampleModel): Rounds {
  const sigma = lognormalSigma(model.cv);
  const driftSd = sigma * Math.sqrt(model.driftShare);
  const noiseSd = sigma * Math.sqrt(1 - model.driftShare);
  const changedCentre = model.centre * (1 + model.shift);
  const baseline: number[] = [];
  const changed: number[] = [];
  const pairs: Array<[number, number]> = [];
  for (let r = 0; r < model.n; r++) {
    const drift = driftSd * rng.normal();
    const b = model.centre * Math.exp(drift + noiseSd * rng.normal());
    const c = changedCentre * Math.exp(drift + noiseSd * rng.normal());
    baseline.push(b);
    changed.push(c);
    pairs.push([b, c]);
  }
  return { baseline, changed, pairs };
}

/** Rounds to `digits` significant digits, as tools that print few digits do (creates ties). */
export function roundSignificant(x: number, digits: number): number {
  if (x === 0) return 0;
  const scale = 10 ** (digits - 1 - Math.floor(Math.log10(Math.abs(x))));
  return Math.round(x * scale) / scale;
}
