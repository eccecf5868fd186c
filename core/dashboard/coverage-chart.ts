import { escapeHtml } from './escape.js';
import type { CoverageDayView } from './model.js';
import { linear, niceTicks, px } from './scale.js';

// Coverage per day as bars of the commits the day's runs stand for; a day without runs is a gap,
// drawn as a hatched full-height bar (a pattern and a title, not just a colour).

export interface CoverageGapView {
  from: string;
  to: string;
  days: number;
}

/** Runs of consecutive days without any run. */
export function coverageGaps(days: readonly CoverageDayView[]): CoverageGapView[] {
  const gaps: CoverageGapView[] = [];
  let open: CoverageGapView | null = null;
  for (const day of days) {
    if (day.runs === 0) {
      if (open === null) {
        open = { from: day.day, to: day.day, days: 1 };
        gaps.push(open);
      } else {
        open.to = day.day;
        open.days++;
      }
    } else {
      open = null;
    }
  }
  return gaps;
}

function dayTitle(d: CoverageDayView): string {
  if (d.runs === 0) return `${d.day}: no runs (gap)${d.skipped > 0 ? `, ${d.skipped} commits skipped` : ''}`;
  const failed = d.failedRuns > 0 ? `, ${d.failedRuns} failed` : '';
  const skipped = d.skipped > 0 ? `, ${d.skipped} commits skipped` : '';
  return `${d.day}: ${d.runs} run${d.runs === 1 ? '' : 's'}${failed}, ${d.commitsCovered} commits covered${skipped}`;
}

export function renderCoverageChart(
  days: readonly CoverageDayView[],
  id: string,
  width = 760,
  height = 140,
): string {
  if (days.length === 0) return '<p class="empty">No days in this range.</p>';
  const plot = { left: 76, right: width - 16, top: 10, bottom: height - 30 };
  const max = Math.max(1, ...days.map((d) => d.commitsCovered));
  const y = linear([0, max], [plot.bottom, plot.top]);
  const slot = (plot.right - plot.left) / days.length;
  const barWidth = Math.max(0.5, slot * 0.85);
  const gaps = days.filter((d) => d.runs === 0).length;
  const first = (days[0] as CoverageDayView).day;
  const last = (days[days.length - 1] as CoverageDayView).day;
  const labelEvery = Math.max(1, Math.ceil(days.length / 6));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="coverage" id="${escapeHtml(id)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${escapeHtml(id)}-title">`,
    `<title id="${escapeHtml(id)}-title">${escapeHtml(`Commits covered per day, ${first} to ${last}: ${gaps} day${gaps === 1 ? '' : 's'} without runs`)}</title>`,
    `<defs><pattern id="${escapeHtml(id)}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" class="hatch"/></pattern></defs>`,
    '<g class="axis y-axis">',
    ...niceTicks(0, max, 3).map(
      (v) =>
        `<line class="grid" x1="${plot.left}" x2="${plot.right}" y1="${px(y(v))}" y2="${px(y(v))}"/><text x="${plot.left - 6}" y="${px(y(v) + 4)}" text-anchor="end">${v}</text>`,
    ),
    `<text x="12" y="${px((plot.top + plot.bottom) / 2)}" transform="rotate(-90 12 ${px((plot.top + plot.bottom) / 2)})" text-anchor="middle">commits</text>`,
    '</g><g class="days">',
  ];
  days.forEach((d, i) => {
    const bx = plot.left + i * slot;
    const title = `<title>${escapeHtml(dayTitle(d))}</title>`;
    if (d.runs === 0) {
      parts.push(
        `<rect class="gap" x="${px(bx)}" y="${plot.top}" width="${px(barWidth)}" height="${plot.bottom - plot.top}" fill="url(#${escapeHtml(id)}-hatch)" data-day="${d.day}">${title}</rect>`,
      );
    } else {
      const top = y(d.commitsCovered);
      parts.push(
        `<rect class="day${d.failedRuns === d.runs ? ' failed' : ''}" x="${px(bx)}" y="${px(top)}" width="${px(barWidth)}" height="${px(Math.max(1, plot.bottom - top))}" data-day="${d.day}">${title}</rect>`,
      );
    }
    if (i % labelEvery === 0) {
      parts.push(
        `<text class="tick" x="${px(bx + barWidth / 2)}" y="${plot.bottom + 18}" text-anchor="middle">${d.day}</text>`,
      );
    }
  });
  parts.push('</g></svg>');
  return parts.join('');
}
