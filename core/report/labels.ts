import type { BenchmarkGroup } from '../results/schema.js';

/** How a group reads in a report; '' for an unnamed group of plain benchmarks or queries. */
export function groupLabel(group: BenchmarkGroup): string {
  switch (group.kind) {
    case 'milestone':
    case 'phase':
      return group.name === undefined ? `${group.kind}s` : `${group.name} ${group.kind}s`;
    case 'query':
    case 'benchmark':
      return group.name ?? '';
  }
}

/**
 * Report labels for a list of benchmarks: the name, the metric unless it is time, and the group
 * only when the list spans several groups (one package's name on every row is noise).
 */
export function benchmarkLabels(
  benchmarks: readonly { name: string; group: BenchmarkGroup; metric: string }[],
): string[] {
  const groups = new Set(benchmarks.map((b) => groupLabel(b.group)));
  return benchmarks.map((b) => {
    const group = groupLabel(b.group);
    const prefix = groups.size > 1 && group !== '' ? `${group} › ` : '';
    const suffix = b.metric === 'time' ? '' : ` (${b.metric})`;
    return `${prefix}${b.name}${suffix}`;
  });
}
