import { type RoundOrder, sidesInRound } from '../core/job-spec.js';
import type { SideName } from '../core/results/schema.js';

export interface PlannedRun {
  phase: 'warmup' | 'run';
  /** Warm-up rounds and measured rounds are numbered separately from 0. */
  round: number;
  side: SideName;
}

/**
 * Every run of one benchmark in order: warm-up rounds, then measured rounds, each round one run of
 * each side in the order the spec's scheme gives, so both sides of a round share the machine's
 * state and the statistics can pair them.
 */
export function planRuns(
  order: RoundOrder,
  benchmark: string,
  warmups: number,
  iterations: number,
): PlannedRun[] {
  const rounds = (phase: PlannedRun['phase'], count: number): PlannedRun[] =>
    Array.from({ length: count }, (_, round) =>
      sidesInRound(order, benchmark, round).map((side) => ({ phase, round, side })),
    ).flat();
  return [...rounds('warmup', warmups), ...rounds('run', iterations)];
}
