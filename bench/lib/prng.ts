// Seeded randomness for benchbot's own benchmarks, so every figure in BENCHMARKS.md can be
// reproduced exactly from its seed.

import { seededRandom } from '../../core/random.js';

export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
}

/** The same generator as core/ uses, plus normals for the simulations. */
export function createRng(seed: number): Rng {
  const uniform = seededRandom(seed);

  // Box-Muller yields two normals per pair of uniforms; keep the second for the next call.
  let spare: number | null = null;
  const normal = (): number => {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return z;
    }
    const u1 = 1 - uniform(); // (0, 1], so the log is finite
    const u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  };

  return { uniform, normal };
}

/** log-sd of a lognormal whose coefficient of variation is `cv` (0.03 for 3%). */
export function lognormalSigma(cv: number): number {
  return Math.sqrt(Math.log(1 + cv * cv));
}
