import type { BenchmarkGroup } from '../results/schema.js';

// Metrics that tools compute from the timing of the same runs rather than measure on their own:
// Go's MB/s is bytes / ns/op (`b.SetBytes`), Google Benchmark's bytes and items per second are
// bytes or items / time. Testing them as well would ask the same question twice.
const DERIVED_FROM_TIME: ReadonlySet<string> = new Set(['throughput', 'items-throughput']);

interface Measured {
  name: string;
  group: BenchmarkGroup;
  metric: string;
}

const measurementKey = (b: Measured): string => JSON.stringify([b.group.kind, b.group.name ?? null, b.name]);

/**
 * For each benchmark, the index of the benchmark whose measurement it is derived from (the time of
 * the same benchmark in the same group), or undefined when it is a measurement of its own.
 */
export function derivedSources(benchmarks: readonly Measured[]): Array<number | undefined> {
  const timeIndex = new Map<string, number>();
  benchmarks.forEach((b, i) => {
    if (b.metric === 'time') timeIndex.set(measurementKey(b), i);
  });
  return benchmarks.map((b) =>
    DERIVED_FROM_TIME.has(b.metric) ? timeIndex.get(measurementKey(b)) : undefined,
  );
}
