import { formatValue, type Scale, unitScale } from '../report/units.js';
import { downsampleColumns } from './downsample.js';
import type { TrendPoint, TrendSeries } from './model.js';
import { changeLabel } from './trend-chart.js';

// What the dashboard's interactive charts (uPlot, in the page) draw, in a compact JSON shape.
// A page carries each chart's overview: at most two points per pixel column (the lowest and
// highest median, so spikes survive) with the band's outer edges in that column. Everything else
// (every run, its commits and its page) is the detail, a script loaded when the reader first
// hovers, zooms or filters by commit: 10,000 runs of five benchmarks are then a few hundred KB to
// open instead of megabytes.

/** Plot columns of a chart; the page's charts are drawn this wide (CSS pixels). */
export const CHART_COLUMNS = 1000;

/** Five significant digits: finer than any figure the dashboard prints (three), and short. */
const short = (value: number): number => Number(value.toPrecision(5));
const shortOrNull = (value: number | null): number | null => (value === null ? null : short(value));

/** Seconds since the first time, so that hourly runs cost a few characters each. */
function offsets(times: readonly number[], t0: number): number[] {
  return times.map((t) => Math.round((t - t0) / 1000));
}

export interface ChartChangePoint {
  /** Seconds from t0: halfway between the last run before the change and the first after. */
  t: number;
  up: boolean;
  label: string;
  title: string;
}

/** One chart as the page carries it. Times are seconds from the page's `t0` (ms since the epoch). */
export interface ChartOverview {
  id: string;
  unit: string;
  /** Runs in the series (in the page's range), of which `t.length` are drawn. */
  runs: number;
  t: number[];
  median: number[];
  lo: (number | null)[];
  hi: (number | null)[];
  changePoints: ChartChangePoint[];
  /** The prefix the chart's values are shown in (the series' median's, as formatValue picks it). */
  scale: Scale;
}

function changePointsOf(series: TrendSeries, times: readonly number[], t0: number): ChartChangePoint[] {
  return series.changePoints.map((cp, k) => {
    const after = times[cp.index] as number;
    const before = times[cp.index - 1] ?? after;
    const at = series.points[cp.index] as TrendPoint;
    const label = `CP${k + 1} ${changeLabel(cp, series.direction)}`;
    return {
      t: Math.round(((before + after) / 2 - t0) / 1000),
      up: (cp.change ?? 0) >= 0,
      label,
      title: `Change point ${k + 1} before ${at.sha.slice(0, 10)} (${at.recordedAt.slice(0, 10)}): median ${formatValue(cp.before, series.unit)} → ${formatValue(cp.after, series.unit)}, ${changeLabel(cp, series.direction)}, p = ${cp.pValue.toFixed(3)}`,
    };
  });
}

/** A chart's overview: what the page draws before any zoom. */
export function chartOverview(
  series: TrendSeries,
  id: string,
  t0: number,
  columns = CHART_COLUMNS,
): ChartOverview {
  const times = series.points.map((p) => Date.parse(p.recordedAt));
  const kept = downsampleColumns(
    times,
    series.points.map((p) => p.median),
    series.points.map((p) => p.ciLo),
    series.points.map((p) => p.ciHi),
    times[0] ?? t0,
    times[times.length - 1] ?? t0,
    columns,
  );
  const middle = [...series.points.map((p) => p.median)].sort((a, b) => a - b)[
    Math.floor(series.points.length / 2)
  ];
  return {
    id,
    unit: series.unit,
    runs: series.points.length,
    t: offsets(
      kept.index.map((i) => times[i] as number),
      t0,
    ),
    median: kept.index.map((i) => short((series.points[i] as TrendPoint).median)),
    lo: kept.lo.map(shortOrNull),
    hi: kept.hi.map(shortOrNull),
    changePoints: changePointsOf(series, times, t0),
    scale: unitScale(middle ?? 0, series.unit),
  };
}

/** One run as the detail knows it: its page, commit, the first commit of its range, how many, why. */
export type DetailRun = [
  href: string,
  sha: string,
  from: string | null,
  commits: number | null,
  reason: string,
];

/** Every point of a chart: indices into the detail's runs, times from the page's `t0`. */
export interface ChartDetail {
  run: number[];
  t: number[];
  n: number[];
  median: number[];
  lo: (number | null)[];
  hi: (number | null)[];
}

export interface TrendDetail {
  runs: DetailRun[];
  charts: ChartDetail[];
}

/** Every run and point of a page's charts, for the detail script. */
export function trendDetail(
  series: readonly TrendSeries[],
  t0: number,
  runHref: (point: TrendPoint) => string,
): TrendDetail {
  const runs: DetailRun[] = [];
  const runIndex = new Map<string, number>();
  const charts = series.map((s) => {
    return {
      run: s.points.map((p) => {
        let at = runIndex.get(p.runId);
        if (at === undefined) {
          at = runs.length;
          runIndex.set(p.runId, at);
          const range = p.commitRange;
          runs.push([
            runHref(p),
            p.sha,
            range === null || range.from === p.sha ? null : range.from,
            range?.count ?? null,
            p.reason,
          ]);
        }
        return at;
      }),
      t: offsets(
        s.points.map((p) => Date.parse(p.recordedAt)),
        t0,
      ),
      n: s.points.map((p) => p.n),
      median: s.points.map((p) => short(p.median)),
      lo: s.points.map((p) => shortOrNull(p.ciLo)),
      hi: s.points.map((p) => shortOrNull(p.ciHi)),
    };
  });
  return { runs, charts };
}

/** The page's time origin: its earliest run. */
export function pageT0(series: readonly TrendSeries[]): number {
  let t0 = Number.POSITIVE_INFINITY;
  for (const s of series) {
    const first = s.points[0];
    if (first !== undefined) t0 = Math.min(t0, Date.parse(first.recordedAt));
  }
  return Number.isFinite(t0) ? t0 : 0;
}

/** The gaps between the page's runs, in seconds (the first from t0): its run times, compactly. */
export function runGaps(times: readonly number[], t0: number): number[] {
  let previous = t0;
  return times.map((t) => {
    const gap = Math.round((t - previous) / 1000);
    previous += gap * 1000;
    return gap;
  });
}

/** JSON for inside a <script>: `</script>` and friends cannot end the element early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
