import type { ComparedBenchmark, GroupTotal } from './types.js';

/**
 * Per-group totals of milestone and phase data (scale tests): the sum of the phases' medians, or
 * the latest milestone's, per side. Benchmarks without a median on both sides are left out, and a
 * group mixing units is totalled per unit.
 */
export function groupTotals(benchmarks: readonly ComparedBenchmark[]): GroupTotal[] {
  const totals = new Map<string, GroupTotal>();
  for (const b of benchmarks) {
    if (b.group.kind !== 'milestone' && b.group.kind !== 'phase') continue;
    const base = b.comparison.baseline.median;
    const changed = b.comparison.changed.median;
    if (base === null || changed === null) continue;
    const key = JSON.stringify([b.group.kind, b.group.name ?? null, b.metric, b.unit]);
    const how = b.group.kind === 'phase' ? 'sum-of-phases' : 'latest-milestone';
    const total = totals.get(key) ?? {
      group: b.group,
      metric: b.metric,
      unit: b.unit,
      how,
      count: 0,
      baseline: how === 'sum-of-phases' ? 0 : Number.NEGATIVE_INFINITY,
      changed: how === 'sum-of-phases' ? 0 : Number.NEGATIVE_INFINITY,
      pctChange: null,
    };
    total.count += 1;
    if (how === 'sum-of-phases') {
      total.baseline += base;
      total.changed += changed;
    } else {
      total.baseline = Math.max(total.baseline, base);
      total.changed = Math.max(total.changed, changed);
    }
    totals.set(key, total);
  }
  return [...totals.values()].map((t) => ({
    ...t,
    pctChange: t.baseline === 0 ? null : ((t.changed - t.baseline) / Math.abs(t.baseline)) * 100,
  }));
}
