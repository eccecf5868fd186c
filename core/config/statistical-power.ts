import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { FIRST_LOOK_SHARE, lookLevels } from '../stats/alpha-spending.js';
import { normalCdf, normalInvCdf } from '../stats/normal.js';
import type { BenchbotConfig, RepoConfig } from './schema.js';

// Whether a benchmark's rounds can find the change benchbot is meant to find. benchbot's default
// test (the moderated paired t test, core/stats/moderated-t.ts) trims 10% of the rounds from each
// end and, when the report's benchmarks have alike noise, comes close to a z test on the rest:
// it finds a change `effect` with probability `power` when
//   effect * sqrt(kept rounds) / noise >= z(alpha / 2m) + z(power),
// with m the report's benchmarks under the Holm correction. bench/stats-simulation.ts measures
// that rule: at 10 rounds, 100 benchmarks and 3% noise it gives 90%, as this formula says. A
// report of fewer than three benchmarks has no variance prior, so there the t distribution of
// the kept rounds replaces the normal.

/** The change benchbot should find, as a share of the value. */
export const DETECTABLE_EFFECT = 0.05;
/**
 * Round-to-round noise of one benchmark's per-round log ratio: criterion's and go test's medians
 * of one process move by 2-3% between processes on a quiet machine.
 */
export const ROUND_NOISE = 0.03;
const ALPHA = 0.05;
const POWER = 0.9;
const MAX_ROUNDS = 1000;

/** Rounds left after the paired test's 10% trim from each end. */
const keptRounds = (rounds: number): number => rounds - 2 * Math.floor(0.1 * rounds);

function detects(rounds: number, family: number, alpha: number): boolean {
  const kept = keptRounds(rounds);
  if (kept < 2) return false;
  const shift = (DETECTABLE_EFFECT * Math.sqrt(kept)) / ROUND_NOISE + normalInvCdf(1 - POWER);
  const tail = family >= 3 ? normalCdf(-shift) : tCdf(-shift, kept - 1);
  return 2 * tail <= alpha / family;
}

/**
 * The fewest rounds from which every larger count finds the change in a report of `family`
 * benchmarks, at level `alpha` (less than 0.05 at the final look of adaptive rounds).
 */
export function roundsToDetect(family: number, alpha = ALPHA): number {
  let fewest = MAX_ROUNDS;
  for (let rounds = MAX_ROUNDS; rounds >= 2 && detects(rounds, family, alpha); rounds--) fewest = rounds;
  return fewest;
}

/** Adaptive rounds reach the change when a benchmark still undecided can run enough rounds for the final look. */
function extraRoundsReach(maxRounds: number | null, family: number): boolean {
  return maxRounds !== null && maxRounds >= roundsToDetect(family, lookLevels(ALPHA, FIRST_LOOK_SHARE).final);
}

export interface ConfigWarning {
  /** Where to fix it, as `config check` prints paths. */
  place: string;
  message: string;
}

/**
 * A report of `run benchmarks` holds every benchmark run by default, so that is the smallest family
 * such a benchmark is corrected over (a tool that reports several results per command makes it
 * larger); a benchmark only run by name has a report of its own.
 */
function familyOf(repo: RepoConfig, runByDefault: boolean): number {
  return runByDefault ? repo.benchmarks.filter((b) => b.runByDefault).length : 1;
}

/** One warning per repository and round count that cannot find a 5% change at 3% noise. */
export function checkStatisticalPower(config: BenchbotConfig): ConfigWarning[] {
  return config.repos.flatMap((repo, repoIndex) => {
    const groups = new Map<string, { rounds: number; family: number; names: string[] }>();
    for (const b of repo.benchmarks) {
      const family = familyOf(repo, b.runByDefault);
      if (b.iterations >= roundsToDetect(family) || extraRoundsReach(b.maxRounds, family)) continue;
      const key = `${b.iterations}/${family}`;
      const group = groups.get(key) ?? { rounds: b.iterations, family, names: [] };
      group.names.push(b.name);
      groups.set(key, group);
    }
    return [...groups.values()].map((g): ConfigWarning => {
      const which =
        g.names.length === repo.benchmarks.length
          ? `all ${g.names.length} benchmarks`
          : g.names.length > 3
            ? `${g.names.length} benchmarks (${g.names.slice(0, 3).join(', ')}, ...)`
            : g.names.join(', ');
      const report = g.family === 1 ? 'their own report' : `a report of at least ${g.family} benchmarks`;
      return {
        place: `repos[${repoIndex}] (${repo.name})`,
        message:
          `${which} run ${g.rounds} ${g.rounds === 1 ? 'round' : 'rounds'}, too few to find a ${DETECTABLE_EFFECT * 100}% change ` +
          `at ${ROUND_NOISE * 100}% round-to-round noise in ${report} after the Holm correction; ` +
          `set iterations to at least ${roundsToDetect(g.family)}`,
      };
    });
  });
}
