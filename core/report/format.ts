import type { SideSummary } from '../stats/types.js';
import { formatValue } from './units.js';

/** A signed percent change with one decimal: +18.9%, -2.1%, 0.0%. */
export function formatPct(pct: number): string {
  const text = Math.abs(pct) >= 1000 ? Math.abs(pct).toFixed(0) : Math.abs(pct).toFixed(1);
  if (Number(text) === 0) return '0.0%';
  return `${pct < 0 ? '-' : '+'}${text}%`;
}

export function formatP(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/**
 * The confidence interval as benchstat prints it: the larger distance from the median to a bound,
 * relative to the median, so asymmetric intervals are not understated. '∞' when a bound is
 * missing (too few samples), '?' when the interval crosses zero.
 */
export function formatSpread(side: SideSummary): string {
  const { median, ciLo, ciHi } = side;
  if (median === null || ciLo === null || ciHi === null) return '∞';
  if (Math.sign(ciLo) !== Math.sign(median) || Math.sign(ciHi) !== Math.sign(median)) return '?';
  if (median === 0) return '0%';
  return `${((Math.max(ciHi - median, median - ciLo) / Math.abs(median)) * 100).toFixed(0)}%`;
}

/** `12.3 ms ± 2%`; `—` for a side without samples. */
export function formatMedianCi(side: SideSummary, unit: string): string {
  if (side.median === null) return '—';
  return `${formatValue(side.median, unit)} ± ${formatSpread(side)}`;
}
