// How adaptive rounds keep a report's false-alarm rate at alpha although they look at the data
// twice: once after the planned rounds, to pick the benchmarks that get more rounds, and once at
// the end. Alpha is split between the two looks and each look runs the report's correction
// (Holm) at its share over every benchmark of the report. A false alarm needs one of the looks to
// raise it, so by the union bound the chance of any is at most the sum of the shares: alpha. The
// bound needs no model of how the looks' statistics depend on each other (both see the planned
// rounds), of the noise, or of the rule that picks which benchmarks continue, so it also holds for
// the trimmed, moderated t test and a data-dependent number of extra rounds. It gives up what the
// joint distribution of the looks (Lan and DeMets's spending with Pocock or O'Brien-Fleming
// boundaries) would win back, a few percent of alpha at the levels a correction over tens of
// benchmarks reaches; bench/adaptive-rounds-simulation.ts measures what it costs and gains.

export const SPENDING_RULE = 'bonferroni-split';

/**
 * The first look's share of alpha, chosen by bench/adaptive-rounds-simulation.ts: most changes a
 * report finds are found at the planned rounds, so that look keeps most of alpha.
 */
export const FIRST_LOOK_SHARE = 0.5;

export interface LookLevels {
  /** Level of the look after the planned rounds. */
  first: number;
  /** Level of the look after the extra rounds. */
  final: number;
}

export function lookLevels(alpha: number, firstLookShare: number): LookLevels {
  const first = alpha * firstLookShare;
  return { first, final: alpha - first };
}
