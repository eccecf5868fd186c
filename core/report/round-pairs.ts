import type { Sample } from '../results/schema.js';
import { medianOfSorted } from '../stats/index.js';

/** A round retried after infrastructure loss counts once: only its latest attempt's samples stay. */
export function latestAttempts(samples: readonly Sample[]): Sample[] {
  const latest = new Map<number, number>();
  for (const s of samples) {
    if (s.round === undefined) continue;
    latest.set(s.round, Math.max(latest.get(s.round) ?? 0, s.attempt ?? 1));
  }
  return samples.filter((s) => s.round === undefined || (s.attempt ?? 1) === latest.get(s.round));
}

function medianByRound(samples: readonly Sample[]): Map<number, number> {
  const values = new Map<number, number[]>();
  for (const s of samples) {
    const round = s.round as number;
    values.set(round, [...(values.get(round) ?? []), s.value]);
  }
  return new Map([...values].map(([round, vs]) => [round, medianOfSorted(vs.sort((a, b) => a - b))]));
}

/**
 * [baseline, changed] per interleaved round present on both sides, for the paired test; undefined
 * unless every sample of both sides names its round. Several samples of one side in one round are
 * repeats under the same machine state, so the round contributes their median, once.
 */
export function roundPairs(
  baseline: readonly Sample[],
  changed: readonly Sample[],
): Array<[number, number]> | undefined {
  if (baseline.length === 0 || changed.length === 0) return undefined;
  if (![...baseline, ...changed].every((s) => s.round !== undefined)) return undefined;
  const b = medianByRound(baseline);
  const c = medianByRound(changed);
  const pairs = [...b.keys()]
    .sort((x, y) => x - y)
    .flatMap((round): Array<[number, number]> => {
      const cv = c.get(round);
      return cv === undefined ? [] : [[b.get(round) as number, cv]];
    });
  return pairs.length > 0 ? pairs : undefined;
}
