// Adjusted p-values for a family of tests, computed as R's p.adjust does, so a report that
// compares many benchmarks does not raise false alarms at the per-test rate.
// Holm controls the family-wise error rate (chance of any false alarm) under any dependence;
// Benjamini-Hochberg controls the expected share of false alarms among the alarms raised, which
// is less conservative when many benchmarks really change.

export type Correction = 'holm' | 'bh' | 'none';

export function adjustPValues(ps: readonly number[], method: Correction): number[] {
  switch (method) {
    case 'none':
      return [...ps];
    case 'holm':
      return holm(ps);
    case 'bh':
      return benjaminiHochberg(ps);
  }
}

/** Holm's step-down: sorted ascending, p_(i) * (m - i + 1), made monotone by a running max. */
export function holm(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((_, i) => i).sort((a, b) => (ps[a] as number) - (ps[b] as number));
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((idx, rank) => {
    running = Math.max(running, (m - rank) * (ps[idx] as number));
    adjusted[idx] = Math.min(1, running);
  });
  return adjusted;
}

/** Benjamini-Hochberg step-up: sorted descending, p_(i) * m / i, made monotone by a running min. */
export function benjaminiHochberg(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((_, i) => i).sort((a, b) => (ps[b] as number) - (ps[a] as number));
  const adjusted = new Array<number>(m);
  let running = Number.POSITIVE_INFINITY;
  order.forEach((idx, k) => {
    const i = m - k;
    running = Math.min(running, (m / i) * (ps[idx] as number));
    adjusted[idx] = Math.min(1, running);
  });
  return adjusted;
}
