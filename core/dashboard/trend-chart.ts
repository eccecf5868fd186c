import type { ChangePoint } from '../changepoint/index.js';
import { formatValue } from '../report/units.js';
import { downsampleColumns } from './downsample.js';
import { escapeHtml } from './escape.js';
import type { TrendPoint, TrendSeries } from './model.js';
import { linear, niceTicks, paddedDomain, px, timeTicks } from './scale.js';

// A trend chart as an SVG string: time on x, the median per run with its confidence band on y,
// change points as a labelled marker (a triangle pointing the way the series moved, and words), so
// nothing depends on colour. Past 2 points per pixel column the chart downsamples (downsample.ts):
// each column keeps its lowest and highest median (spikes survive) and the band's outer edges.
// The series pages draw with uPlot (trend-client.ts); this SVG is the series' download.

export interface TrendChartOptions {
  /** Unique in the page: SVG title ids and the client-side filter use it. */
  id: string;
  runHref: (point: TrendPoint) => string;
  width?: number;
  height?: number;
}

export interface TrendChart {
  svg: string;
  /** Points drawn (less than the series' when downsampled). */
  drawn: number;
}

const MARGIN = { top: 30, right: 16, bottom: 34, left: 76 };

export function shortSha(sha: string): string {
  return sha.slice(0, 10);
}

function commitsText(p: TrendPoint): string {
  if (p.commitRange === null) return `commit ${shortSha(p.sha)}`;
  const count = p.commitRange.count === null ? '' : ` (${p.commitRange.count} commits)`;
  return `commits ${shortSha(p.commitRange.from)}..${shortSha(p.commitRange.to)}${count}`;
}

/** What hovering a point shows. */
export function pointTooltip(p: TrendPoint, unit: string): string {
  const ci =
    p.ciLo === null || p.ciHi === null
      ? 'CI unbounded (too few samples)'
      : `95% CI ${formatValue(p.ciLo, unit)} – ${formatValue(p.ciHi, unit)}`;
  return [
    `${shortSha(p.sha)} · ${p.recordedAt.slice(0, 16).replace('T', ' ')} UTC · ${p.reason}`,
    commitsText(p),
    `median ${formatValue(p.median, unit)}, ${ci}, n=${p.n}`,
  ].join('\n');
}

/** "+5.1% worse": the sign, and what it means for this metric. */
export function changeLabel(cp: ChangePoint, direction: TrendSeries['direction']): string {
  if (cp.change === null) return 'changed';
  const pct = `${cp.change >= 0 ? '+' : '−'}${Math.abs(cp.change * 100).toFixed(1)}%`;
  const worse = direction === 'lower-is-better' ? cp.change > 0 : cp.change < 0;
  return `${pct} ${worse ? 'worse' : 'better'}`;
}

/** The band as one path: the upper edge left to right, the lower edge back. */
function bandPath(xs: readonly number[], lows: readonly number[], highs: readonly number[]): string {
  if (xs.length === 0) return '';
  const upper = xs.map((x, i) => `${px(x)},${px(highs[i] as number)}`);
  const lower = xs.map((x, i) => `${px(x)},${px(lows[i] as number)}`).reverse();
  return `M${upper.join('L')}L${lower.join('L')}Z`;
}

export function renderTrendChart(series: TrendSeries, options: TrendChartOptions): TrendChart {
  const width = options.width ?? 760;
  const height = options.height ?? 240;
  const plot = {
    left: MARGIN.left,
    right: width - MARGIN.right,
    top: MARGIN.top,
    bottom: height - MARGIN.bottom,
  };
  const { points, unit } = series;
  const id = options.id;
  const label = `${series.benchmark} (${series.metric}, ${series.unit})`;
  if (points.length === 0) {
    return {
      svg: `<p class="empty">No runs of ${escapeHtml(label)} in this range.</p>`,
      drawn: 0,
    };
  }

  const times = points.map((p) => Date.parse(p.recordedAt));
  const t0 = times[0] as number;
  const t1 = times[times.length - 1] as number;
  const timeDomain: [number, number] = t1 > t0 ? [t0, t1] : [t0 - 43_200_000, t1 + 43_200_000];
  const x = linear(timeDomain, [plot.left, plot.right]);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    lo = Math.min(lo, p.ciLo ?? p.median, p.median);
    hi = Math.max(hi, p.ciHi ?? p.median, p.median);
  }
  const [y0, y1] = paddedDomain(lo, hi);
  const y = linear([y0, y1], [plot.bottom, plot.top]);

  const xs = times.map(x);
  const medians = points.map((p) => p.median);
  const kept = downsampleColumns(
    times,
    medians,
    points.map((p) => p.ciLo),
    points.map((p) => p.ciHi),
    timeDomain[0],
    timeDomain[1],
    Math.floor(plot.right - plot.left),
  );
  const shown = kept.index;
  const downsampled = shown.length < points.length;
  const band = bandPath(
    shown.map((i) => xs[i] as number),
    shown.map((i, k) => y(kept.lo[k] ?? (medians[i] as number))),
    shown.map((i, k) => y(kept.hi[k] ?? (medians[i] as number))),
  );

  const yTicks = niceTicks(y0, y1, 5).filter((v) => v >= y0 && v <= y1);
  const xTicks = timeTicks(timeDomain[0], timeDomain[1]);
  const parts: string[] = [];
  const cps = series.changePoints;
  const title = `${label}: ${points.length} runs, ${cps.length === 0 ? 'no change points' : `${cps.length} change point${cps.length === 1 ? '' : 's'}`}`;
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  const desc =
    `Median per run with its 95% confidence band, ${day(t0)} to ${day(t1)}.` +
    (downsampled
      ? ` ${shown.length} of ${points.length} points drawn: the lowest and highest median per pixel column.`
      : '');
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="trend" id="${escapeHtml(id)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${escapeHtml(id)}-title ${escapeHtml(id)}-desc">`,
    `<title id="${escapeHtml(id)}-title">${escapeHtml(title)}</title>`,
    `<desc id="${escapeHtml(id)}-desc">${escapeHtml(desc)}</desc>`,
    '<g class="axis y-axis">',
    ...yTicks.map(
      (v) =>
        `<line class="grid" x1="${plot.left}" x2="${plot.right}" y1="${px(y(v))}" y2="${px(y(v))}"/><text x="${plot.left - 6}" y="${px(y(v) + 4)}" text-anchor="end">${escapeHtml(formatValue(v, unit))}</text>`,
    ),
    '</g>',
    `<g class="axis x-axis"><line x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}"/>`,
    ...xTicks.map(
      (tick) =>
        `<line x1="${px(x(tick.t))}" x2="${px(x(tick.t))}" y1="${plot.bottom}" y2="${plot.bottom + 5}"/><text x="${px(x(tick.t))}" y="${plot.bottom + 18}" text-anchor="middle">${tick.label}</text>`,
    ),
    '</g>',
    `<path class="band" d="${band}"><title>95% confidence interval of each run's median</title></path>`,
    `<polyline class="median" points="${shown.map((i) => `${px(xs[i] as number)},${px(y(medians[i] as number))}`).join(' ')}"/>`,
    '<g class="points">',
  );
  for (const i of shown) {
    const p = points[i] as TrendPoint;
    parts.push(
      `<a href="${escapeHtml(options.runHref(p))}"><circle class="point" cx="${px(xs[i] as number)}" cy="${px(y(p.median))}" r="3"><title>${escapeHtml(pointTooltip(p, unit))}</title></circle></a>`,
    );
  }
  parts.push('</g><g class="change-points">');
  cps.forEach((cp, k) => {
    const before = xs[cp.index - 1] ?? plot.left;
    const after = xs[cp.index] ?? plot.right;
    const cx = (before + after) / 2;
    const up = (cp.change ?? 0) >= 0;
    const tip = plot.top - 4;
    const triangle = up
      ? `M${px(cx - 6)},${tip}L${px(cx + 6)},${tip}L${px(cx)},${tip - 10}Z`
      : `M${px(cx - 6)},${tip - 10}L${px(cx + 6)},${tip - 10}L${px(cx)},${tip}Z`;
    const text = `CP${k + 1} ${changeLabel(cp, series.direction)}`;
    // Beside the triangle, on the side with room; alternate rows so neighbours do not overlap.
    const anchor = cx > plot.right - 140 ? 'end' : 'start';
    const at = points[cp.index] as TrendPoint;
    parts.push(
      `<g class="change-point"><title>${escapeHtml(`Change point ${k + 1} before ${shortSha(at.sha)} (${at.recordedAt.slice(0, 10)}): median ${formatValue(cp.before, unit)} → ${formatValue(cp.after, unit)}, ${changeLabel(cp, series.direction)}, p = ${cp.pValue.toFixed(3)}`)}</title>` +
        `<line x1="${px(cx)}" x2="${px(cx)}" y1="${plot.top}" y2="${plot.bottom}"/><path d="${triangle}"/>` +
        `<text x="${px(anchor === 'end' ? cx - 9 : cx + 9)}" y="${tip - 2 - (k % 2) * 12}" text-anchor="${anchor}">${escapeHtml(text)}</text></g>`,
    );
  });
  parts.push('</g></svg>');
  return { svg: parts.join(''), drawn: shown.length };
}
