import type { Sample } from '../results/schema.js';
import { medianOfSorted } from '../stats/index.js';
import type { SideValues } from './types.js';

/** A round retried after infrastructure loss counts once: only its latest attempt's samples stay. */
export function latestAttempts(samples: readonly Sample[]): Sample[] {
  const latest = new Map<number, number>();
  for (const s of samples) {
    if (s.round === undefined) continue;
    latest.set(s.round, Math.max(latest.get(s.round) ?? 0, s.attempt ?? 1));
  }
  return samples.filter((s) => s.round === undefined || (s.attempt ?? 1) === latest.get(s.round));
}

function valuesByRound(side: SideValues, rounds: readonly number[]): Map<number, number[]> {
  const values = new Map<number, number[]>();
  side.values.forEach((value, i) => {
    const round = rounds[i] as number;
    const list = values.get(round);
    if (list === undefined) values.set(round, [value]);
    else list.push(value);
  });
  return values;
}

const median = (values: readonly number[]): number => medianOfSorted([...values].sort((a, b) => a - b));

export interface RoundPairs {
  /** [baseline, changed] per round: each side's median of the round's samples. */
  pairs: Array<[number, number]>;
  /** The samples behind each pair, when some round holds several samples of a side (repeats). */
  repeats?: Array<[number[], number[]]>;
}

/**
 * The rounds present on both sides, for the paired test; undefined unless every sample of both
 * sides names its round. Several samples of one side in one round are repeats under the same
 * machine state (criterion's samples, `go test -count`): the round contributes their median, once,
 * and the repeats themselves are kept for the within-round spread.
 */
export function roundPairs(baseline: SideValues, changed: SideValues): RoundPairs | undefined {
  if (baseline.values.length === 0 || changed.values.length === 0) return undefined;
  if (baseline.rounds === undefined || changed.rounds === undefined) return undefined;
  const b = valuesByRound(baseline, baseline.rounds);
  const c = valuesByRound(changed, changed.rounds);
  const rounds = [...b.keys()].sort((x, y) => x - y).filter((round) => c.has(round));
  if (rounds.length === 0) return undefined;
  const sides = rounds.map((round): [number[], number[]] => [b.get(round) ?? [], c.get(round) ?? []]);
  const pairs = sides.map(([bs, cs]): [number, number] => [median(bs), median(cs)]);
  return sides.some(([bs, cs]) => bs.length > 1 || cs.length > 1) ? { pairs, repeats: sides } : { pairs };
}
