import type { SeriesFilters, TrendPoint, TrendSeries } from './model.js';

// The dashboard's filters: a benchmark-name substring, a time range and a commit range. A commit
// range becomes a time window over the page's runs, so both filters narrow the same axis.

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

export interface TimeWindow {
  from: number;
  to: number;
}

export type WindowResult = { ok: true; window: TimeWindow } | { ok: false; problem: string };

export function filtersFrom(params: { get(name: string): string | null }): SeriesFilters {
  const text = (name: string) => (params.get(name) ?? '').trim();
  return {
    benchmark: text('benchmark'),
    from: text('from'),
    to: text('to'),
    commits: text('commits').toLowerCase(),
  };
}

/** The runs of a page, oldest first: when each was recorded and which commits it stands for. */
export interface RunStamp {
  t: number;
  sha: string;
  /** First commit of a batched run's range; null for a run of one commit. */
  from: string | null;
}

export function runStamps(points: readonly TrendPoint[]): RunStamp[] {
  return points.map((p) => ({ t: Date.parse(p.recordedAt), sha: p.sha, from: p.commitRange?.from ?? null }));
}

/**
 * The time window the filters select: from/to days (UTC, inclusive), intersected with the runs from
 * the one that measured commit A (or whose range starts at A) to the one that measured commit B.
 */
export function filterWindow(filters: SeriesFilters, runs: readonly RunStamp[]): WindowResult {
  let from = Number.NEGATIVE_INFINITY;
  let to = Number.POSITIVE_INFINITY;
  for (const [name, value] of [
    ['from', filters.from],
    ['to', filters.to],
  ] as const) {
    if (value === '') continue;
    if (!DAY_PATTERN.test(value) || !Number.isFinite(Date.parse(`${value}T00:00:00Z`))) {
      return { ok: false, problem: `${name} "${value}" is not a date: write YYYY-MM-DD, e.g. 2025-03-01` };
    }
    const t = Date.parse(`${value}T00:00:00Z`);
    if (name === 'from') from = t;
    else to = t + DAY_MS - 1;
  }
  if (filters.commits !== '') {
    const [a = '', b = a] = filters.commits.split('..');
    if (!/^[0-9a-f]*$/.test(a) || !/^[0-9a-f]*$/.test(b)) {
      return {
        ok: false,
        problem: `commits "${filters.commits}" is not a commit range: write SHA prefixes as A..B (either may be empty), e.g. 1a2b3c4..9f8e7d6`,
      };
    }
    if (a !== '') {
      const first = runs.find((r) => r.sha.startsWith(a) || (r.from?.startsWith(a) ?? false));
      if (first === undefined)
        return {
          ok: false,
          problem: `no run in this series measured commit ${a}; try a commit from a point's tooltip`,
        };
      from = Math.max(from, first.t);
    }
    if (b !== '') {
      const last = runs.findLast((r) => r.sha.startsWith(b) || (r.from?.startsWith(b) ?? false));
      if (last === undefined)
        return {
          ok: false,
          problem: `no run in this series measured commit ${b}; try a commit from a point's tooltip`,
        };
      to = Math.min(to, last.t);
    }
  }
  return { ok: true, window: { from, to } };
}

/** The points inside the window; change points stay when both their sides are inside. */
export function windowSeries(series: TrendSeries, window: TimeWindow): TrendSeries {
  const times = series.points.map((p) => Date.parse(p.recordedAt));
  let start = times.findIndex((t) => t >= window.from);
  if (start === -1) start = times.length;
  let end = start;
  while (end < times.length && (times[end] as number) <= window.to) end++;
  if (start === 0 && end === times.length) return series;
  return {
    ...series,
    points: series.points.slice(start, end),
    changePoints: series.changePoints
      .filter((cp) => cp.index > start && cp.index < end)
      .map((cp) => ({ ...cp, index: cp.index - start })),
  };
}

export function matchesBenchmark(series: TrendSeries, filter: string): boolean {
  return filter === '' || series.benchmark.toLowerCase().includes(filter.toLowerCase());
}
