import { type AdaptiveRecord, type Benchmark, benchmarkKey, type Sample } from '../results/schema.js';
import { lookLevels } from '../stats/alpha-spending.js';
import { compareAll } from '../stats/index.js';
import type { BenchmarkComparison, BenchmarkInput, CompareOptions } from '../stats/types.js';

// The final comparison of a run with adaptive rounds (core/adaptive-rounds.ts). The first look is
// the one the runner took after the planned rounds: every benchmark on its planned rounds, Holm at
// the first share of alpha. The benchmarks that were undecided there and got more rounds are
// judged again at the final look, on all their rounds, with Holm at the rest of alpha over the same
// family; the benchmarks that stopped are not retested there and count as p = 1 (which only makes
// that look stricter). Each benchmark's verdict is the one of the look it stopped at, so a false
// alarm needs one of the two looks to raise it: at most alpha in all (core/stats/alpha-spending.ts).

/** Where one measurement of a benchmark that ran extra rounds was judged. */
export interface MeasurementLook {
  look: 1 | 2;
  /** Rounds its verdict rests on. */
  rounds: number;
  plannedRounds: number;
}

function cut(b: Benchmark, rounds: number): Benchmark {
  const keep = (samples: readonly Sample[]) =>
    samples.filter((s) => s.round === undefined || s.round < rounds);
  const { baseline, changed } = b.samples;
  return {
    ...b,
    samples: {
      ...(baseline === undefined ? {} : { baseline: keep(baseline) }),
      ...(changed === undefined ? {} : { changed: keep(changed) }),
    },
  };
}

/** Each benchmark's look (undefined: it ran only its planned rounds), and the benchmarks as the first look saw them. */
export function planLooks(
  benchmarks: readonly Benchmark[],
  adaptive: AdaptiveRecord,
): { firstLook: Benchmark[]; looks: Array<MeasurementLook | undefined> } {
  const byKey = new Map<string, MeasurementLook>();
  for (const extended of adaptive.extended) {
    for (const m of extended.measurements) {
      const rounds = m.look === 2 ? extended.rounds : extended.plannedRounds;
      byKey.set(benchmarkKey(m), { look: m.look, rounds, plannedRounds: extended.plannedRounds });
    }
  }
  const looks = benchmarks.map((b) => byKey.get(benchmarkKey(b)));
  const firstLook = benchmarks.map((b, i) => {
    const look = looks[i];
    return look === undefined ? b : cut(b, look.plannedRounds);
  });
  return { firstLook, looks };
}

export interface LookInputs {
  /** Test inputs on the rounds of the first look. */
  firstLook: readonly BenchmarkInput[];
  /** The same inputs on all their rounds. */
  final: readonly BenchmarkInput[];
  looks: ReadonlyArray<MeasurementLook | undefined>;
  /** The input each derived metric follows (it is judged where its source is). */
  sources: ReadonlyArray<number | undefined>;
  options: CompareOptions;
  adaptive: AdaptiveRecord;
}

export function judgeAtLooks(inputs: LookInputs): {
  comparisons: BenchmarkComparison[];
  family: number;
  looks: Array<MeasurementLook | undefined>;
} {
  const { options, final } = inputs;
  const levels = lookLevels(options.alpha, inputs.adaptive.firstLookShare);
  const looks = inputs.looks.map((look, i) => {
    const source = inputs.sources[i];
    return source === undefined ? look : inputs.looks[source];
  });
  const first = compareAll(inputs.firstLook, { ...options, alpha: levels.first });
  const again = looks.flatMap((look, i) => (look?.look === 2 ? [i] : []));
  const measured = (list: readonly BenchmarkInput[]) =>
    list.filter((input) => input.follows === undefined).length;
  const againInputs = again.map((i) => final[i] as BenchmarkInput);
  const last = compareAll(
    againInputs,
    { ...options, alpha: levels.final },
    measured(final) - measured(againInputs),
  );
  const comparisons = [...first.comparisons];
  again.forEach((i, k) => {
    comparisons[i] = last.comparisons[k] as BenchmarkComparison;
  });
  return { comparisons, family: first.family, looks };
}
