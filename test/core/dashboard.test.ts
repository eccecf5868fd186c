import { describe, expect, it } from 'vitest';
import type { ChangePoint } from '../../core/changepoint/index.js';
import {
  CHART_COLUMNS,
  chartOverview,
  coverageGaps,
  downsampleColumns,
  filterWindow,
  markdownToHtml,
  NO_FILTERS,
  niceTicks,
  renderCoverageChart,
  renderTrendChart,
  runStamps,
  seriesCsv,
  seriesSvg,
  type TrendPoint,
  type TrendSeries,
  trendDetail,
  windowSeries,
} from '../../core/dashboard/index.js';
import { compareResults, renderMarkdown } from '../../core/report/index.js';
import { DEFAULT_OPTIONS } from '../../core/stats/index.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2025-01-01T00:00:00Z');
const hex = (n: number) => n.toString(16).padStart(40, '0');

function point(i: number, median: number): TrendPoint {
  return {
    runId: `run-${i}`,
    recordedAt: new Date(T0 + i * HOUR).toISOString(),
    reason: 'schedule',
    sha: hex(i + 1),
    commitRange: { from: hex(i + 1), to: hex(i + 1), count: 1 },
    n: 10,
    median,
    ciLo: median * 0.99,
    ciHi: median * 1.01,
  };
}

function series(n: number, changePoints: ChangePoint[] = [], name = 'q1'): TrendSeries {
  return {
    benchmark: name,
    group: 'tpch',
    metric: 'time',
    unit: 'ns',
    direction: 'lower-is-better',
    points: Array.from({ length: n }, (_, i) => point(i, i >= n / 2 ? 1.1e6 : 1e6 + (i % 7) * 1e3)),
    changePoints,
  };
}

const cp = (index: number): ChangePoint => ({
  index,
  pValue: 0.005,
  statistic: 10,
  before: 1e6,
  after: 1.1e6,
  change: 0.1,
});
const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

describe('trend chart', () => {
  it('draws every point with its hover text and run link, the band and a labelled change point', () => {
    const { svg, drawn } = renderTrendChart(series(20, [cp(10)]), {
      id: 'c',
      runHref: (p) => `/run/${p.runId}`,
    });
    expect(drawn).toBe(20);
    expect(count(svg, /<circle class="point"/g)).toBe(20);
    expect(svg).toContain('<a href="/run/run-3">');
    expect(svg).toMatch(/<path class="band" d="M[^"]+Z">/);
    expect(svg).toMatch(
      /<g class="change-point"[^>]*><title>Change point 1 before 0000000000 \(2025-01-01\)[^<]*\+10\.0% worse, p = 0\.005<\/title>/,
    );
    expect(svg).toContain('>CP1 +10.0% worse</text>');
    expect(svg).toMatch(/role="img" aria-labelledby="c-title c-desc"/);
    expect(svg).toContain('q1 (time, ns): 20 runs, 1 change point');
    expect(svg).toContain('1.10 ms');
  });

  it('downsamples 10,000 runs to two points per pixel column, keeping the extremes', () => {
    const big = series(10_000, [cp(5_000)]);
    (big.points[1234] as TrendPoint).median = 5e6;
    const { svg, drawn } = renderTrendChart(big, { id: 'c', runHref: (p) => `/${p.runId}` });
    expect(drawn).toBeLessThanOrEqual(2 * 668);
    expect(count(svg, /<circle class="point"/g)).toBe(drawn);
    expect(svg).toContain('/run-1234"');
    expect(svg).toMatch(/points drawn: the lowest and highest median per pixel column/);
    expect(count(svg, /class="change-point"/g)).toBe(1);
    expect(svg.length).toBeLessThan(1_000_000);
  });

  it('says so when there is nothing to draw', () => {
    expect(renderTrendChart(series(0), { id: 'c', runHref: () => '#' }).svg).toContain('No runs of q1');
  });

  it('escapes names from benchmark tools', () => {
    const s = { ...series(3), benchmark: '<script>alert(1)</script>' };
    expect(renderTrendChart(s, { id: 'c', runHref: () => '#' }).svg).not.toContain('<script>');
  });
});

describe('chart data for the page', () => {
  const columns = (s: TrendSeries, from: number, to: number, n: number) =>
    downsampleColumns(
      s.points.map((p) => Date.parse(p.recordedAt)),
      s.points.map((p) => p.median),
      s.points.map((p) => p.ciLo),
      s.points.map((p) => p.ciHi),
      from,
      to,
      n,
    );

  it('keeps every point up to two per column, and only those inside the range', () => {
    const s = series(50);
    expect(columns(s, T0, T0 + 49 * HOUR, 25).index).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(columns(s, T0 + 10 * HOUR, T0 + 19 * HOUR, 25).index).toEqual(
      Array.from({ length: 10 }, (_, i) => 10 + i),
    );
    expect(columns(s, T0 + 100 * HOUR, T0 + 200 * HOUR, 25).index).toEqual([]);
  });

  it("past two per column keeps each column's lowest and highest median and the band's outer edges", () => {
    const s = series(10_000);
    (s.points[1234] as TrendPoint).median = 5e6;
    (s.points[1235] as TrendPoint).ciHi = 9e6;
    (s.points[4321] as TrendPoint).ciLo = null;
    (s.points[4321] as TrendPoint).median = 1;
    const kept = columns(s, T0, T0 + 9_999 * HOUR, 500);
    expect(kept.index.length).toBeLessThanOrEqual(1000);
    expect(kept.index).toEqual([...kept.index].sort((a, b) => a - b));
    const spike = kept.index.indexOf(1234);
    expect(spike).toBeGreaterThan(-1);
    // Its column's band reaches the widest interval in the column, not only its own.
    expect(kept.hi[spike]).toBe(9e6);
    const dip = kept.index.indexOf(4321);
    expect(kept.lo[dip]).toBe(1);
  });

  it("carries a 10,000-run chart's overview in well under 100 KB", () => {
    const s = series(10_000, [cp(5_000)]);
    const overview = chartOverview(s, 'chart-0', T0);
    expect(overview.t.length).toBeLessThanOrEqual(2 * CHART_COLUMNS);
    expect(overview.t.length).toBeGreaterThan(CHART_COLUMNS);
    expect(JSON.stringify(overview).length).toBeLessThan(100_000);
    expect(overview.scale).toEqual({ factor: 1e6, symbol: 'ms' });
    expect(overview.changePoints).toEqual([
      expect.objectContaining({ t: 4999.5 * 3600, up: true, label: 'CP1 +10.0% worse' }),
    ]);
  });

  it('names every run once in the detail, with its page, commits and reason', () => {
    const a = series(3);
    const b = { ...series(3), benchmark: 'q2', points: series(3).points.slice(1) };
    const detail = trendDetail([a, b], T0, (p) => `runs/${p.runId}.html`);
    expect(detail.runs).toEqual(
      [0, 1, 2].map((i) => [`runs/run-${i}.html`, hex(i + 1), null, 1, 'schedule']),
    );
    expect(detail.charts[1]).toMatchObject({ run: [1, 2], t: [3600, 7200], n: [10, 10] });
  });
});

describe('axes', () => {
  it.each([
    { lo: 0, hi: 10, ticks: [0, 2, 4, 6, 8, 10] },
    { lo: 0.95, hi: 1.12, ticks: [0.95, 1, 1.05, 1.1] },
    { lo: 5, hi: 5, ticks: [5] },
  ])('niceTicks($lo, $hi)', ({ lo, hi, ticks }) => {
    expect(niceTicks(lo, hi)).toEqual(ticks);
  });
});

describe('coverage', () => {
  const day = (d: string, runs: number) => ({
    day: d,
    runs,
    failedRuns: 0,
    commitsCovered: runs * 2,
    skipped: 0,
  });
  const days = [
    day('2025-01-01', 3),
    day('2025-01-02', 0),
    day('2025-01-03', 0),
    day('2025-01-04', 1),
    day('2025-01-05', 0),
  ];

  it('finds the runs of days without runs', () => {
    expect(coverageGaps(days)).toEqual([
      { from: '2025-01-02', to: '2025-01-03', days: 2 },
      { from: '2025-01-05', to: '2025-01-05', days: 1 },
    ]);
  });

  it('hatches the gaps and titles every day', () => {
    const svg = renderCoverageChart(days, 'cov');
    expect(count(svg, /class="gap"/g)).toBe(3);
    expect(count(svg, /class="day"/g)).toBe(2);
    expect(svg).toContain('<title>2025-01-02: no runs (gap)</title>');
    expect(svg).toContain('<title>2025-01-01: 3 runs, 6 commits covered</title>');
    expect(svg).toContain('fill="url(#cov-hatch)"');
  });
});

describe('filters', () => {
  const points = series(48).points;
  const runs = runStamps(points);

  it.each([
    { name: 'none', filters: {}, from: -Infinity, to: Infinity },
    {
      name: 'days (inclusive, UTC)',
      filters: { from: '2025-01-01', to: '2025-01-01' },
      from: T0,
      to: T0 + 24 * HOUR - 1,
    },
    {
      name: 'a commit range by prefixes',
      filters: { commits: `${hex(3)}..${hex(6)}` },
      from: T0 + 2 * HOUR,
      to: T0 + 5 * HOUR,
    },
    { name: 'from a commit on', filters: { commits: `${hex(40)}..` }, from: T0 + 39 * HOUR, to: Infinity },
  ])('$name', ({ filters, from, to }) => {
    expect(filterWindow({ ...NO_FILTERS, ...filters }, runs)).toEqual({ ok: true, window: { from, to } });
  });

  it.each([
    { filters: { from: '2025-13-01' }, problem: /from "2025-13-01" is not a date: write YYYY-MM-DD/ },
    { filters: { commits: 'main..dev' }, problem: /not a commit range: write SHA prefixes as A\.\.B/ },
    { filters: { commits: 'abcdef1' }, problem: /no run in this series measured commit abcdef1/ },
  ])('refuses $filters', ({ filters, problem }) => {
    const result = filterWindow({ ...NO_FILTERS, ...filters }, runs);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problem).toMatch(problem);
  });

  it('keeps the change points whose both sides are inside the window, re-indexed', () => {
    const s = series(48, [cp(5), cp(24)]);
    const windowed = windowSeries(s, { from: T0 + 10 * HOUR, to: T0 + 30 * HOUR });
    expect(windowed.points).toHaveLength(21);
    expect(windowed.changePoints.map((c) => c.index)).toEqual([14]);
  });
});

describe('series exports', () => {
  it('CSV: one row per run, the change point on the first run after it', () => {
    const lines = seriesCsv(series(4, [cp(2)]))
      .trim()
      .split('\n');
    expect(lines[0]).toBe(
      'recorded_at,run_id,reason,sha,commit_from,commit_to,commits,benchmark,metric,unit,n,median,ci_lo,ci_hi,change_point',
    );
    expect(lines).toHaveLength(5);
    expect(lines[3]).toMatch(
      /^2025-01-01T02:00:00.000Z,run-2,schedule,0+3,0+3,0+3,1,q1,time,ns,10,1100000,1089000,1111000,CP1 \+10\.0% worse \(p=0\.005\)$/,
    );
    expect(lines[1]).toMatch(/,$/);
  });

  it('SVG: standalone, with its stylesheet', () => {
    const svg = seriesSvg(series(4), (p) => `https://github.com/a/b/commit/${p.sha}`);
    expect(svg).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*><style>/,
    );
    expect(svg).toContain('href="https://github.com/a/b/commit/0000000000000000000000000000000000000001"');
  });
});

describe('markdownToHtml', () => {
  it('renders the report core/report writes: headings, bold, tables, code, details', () => {
    const samples = (c: number) =>
      Array.from({ length: 12 }, (_, i) => ({ value: c * (1 + (i % 4) * 0.001), round: i }));
    const markdown = renderMarkdown(
      compareResults(
        [
          {
            name: 'q|1 <b>',
            group: { kind: 'query', name: 'tpch' },
            metric: 'time',
            unit: 'ns',
            direction: 'lower-is-better',
            samples: { baseline: samples(100), changed: samples(120) },
            rawSamples: true,
            status: 'ok',
          },
        ],
        DEFAULT_OPTIONS,
      ),
    );
    const html = markdownToHtml(markdown);
    expect(html).toMatch(/<p><strong>[^<]+<\/strong><\/p>/);
    expect(html).toContain('<h4>Significant changes</h4>');
    expect(html).toMatch(/<table><thead><tr><th>/);
    expect(html).toContain('<td><code>q|1 &#60;b&#62;</code></td>');
    expect(html).toMatch(/<details><summary>All 1 benchmarks<\/summary>/);
    expect(html).not.toContain('<b>');
  });

  it('escapes HTML it does not know', () => {
    expect(markdownToHtml('<img src=x onerror=alert(1)>\n\n- **a** `<i>`')).toBe(
      '<p>&#60;img src=x onerror=alert(1)&#62;</p>\n<ul><li><strong>a</strong> <code>&#60;i&#62;</code></li></ul>',
    );
  });
});
