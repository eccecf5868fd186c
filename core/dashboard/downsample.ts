// Many runs, few pixels: what a chart draws of a long series.

/**
 * Which points of a time-ordered series a chart of `columns` pixel columns over [from, to] draws,
 * and the band per drawn point: with at most two points per column nothing is dropped; past that
 * each column keeps its lowest and highest median, and the band its outer edges in the column.
 * A missing bound (too few samples for an interval) counts as the median.
 *
 * Plain JavaScript inside (no closures, no helpers): the page runs this same function, from its
 * source, to redraw a zoomed range at full detail.
 */
export function downsampleColumns(
  t: readonly number[],
  median: readonly number[],
  lo: readonly (number | null)[],
  hi: readonly (number | null)[],
  from: number,
  to: number,
  columns: number,
): { index: number[]; lo: (number | null)[]; hi: (number | null)[] } {
  let first = 0;
  while (first < t.length && (t[first] as number) < from) first++;
  let end = first;
  while (end < t.length && (t[end] as number) <= to) end++;
  const index: number[] = [];
  const bandLo: (number | null)[] = [];
  const bandHi: (number | null)[] = [];
  if (end - first <= 2 * columns) {
    for (let i = first; i < end; i++) {
      index.push(i);
      bandLo.push(lo[i] as number | null);
      bandHi.push(hi[i] as number | null);
    }
    return { index, lo: bandLo, hi: bandHi };
  }
  const span = to - from || 1;
  let column = -1;
  let low = -1;
  let high = -1;
  let edgeLo = 0;
  let edgeHi = 0;
  for (let i = first; i <= end; i++) {
    const c = i < end ? Math.min(columns - 1, Math.floor((((t[i] as number) - from) / span) * columns)) : -2;
    if (c !== column) {
      if (low !== -1) {
        const a = Math.min(low, high);
        const b = Math.max(low, high);
        index.push(a);
        bandLo.push(edgeLo);
        bandHi.push(edgeHi);
        if (b !== a) {
          index.push(b);
          bandLo.push(edgeLo);
          bandHi.push(edgeHi);
        }
      }
      if (i === end) break;
      column = c;
      low = i;
      high = i;
      edgeLo = Number.POSITIVE_INFINITY;
      edgeHi = Number.NEGATIVE_INFINITY;
    }
    const m = median[i] as number;
    if (m < (median[low] as number)) low = i;
    if (m > (median[high] as number)) high = i;
    edgeLo = Math.min(edgeLo, lo[i] ?? m);
    edgeHi = Math.max(edgeHi, hi[i] ?? m);
  }
  return { index, lo: bandLo, hi: bandHi };
}
