export { type CoverageGapView, coverageGaps, renderCoverageChart } from './coverage-chart.js';
export { downsampleColumns } from './downsample.js';
export { escapeHtml } from './escape.js';
export {
  filtersFrom,
  filterWindow,
  matchesBenchmark,
  type RunStamp,
  runStamps,
  type TimeWindow,
  type WindowResult,
  windowSeries,
} from './filters.js';
export { type IndexView, renderIndexPage } from './index-page.js';
export { markdownToHtml } from './markdown-html.js';
export * from './model.js';
export {
  type DashboardLinks,
  layout,
  renderQueue,
  renderSeriesDetail,
  renderSeriesPage,
  type SeriesPageExtras,
} from './pages.js';
export { renderRunPage } from './run-page.js';
export { renderRunsPage } from './runs-page.js';
export { niceTicks, timeTicks } from './scale.js';
export { seriesCsv, seriesSvg } from './series-export.js';
export {
  changeLabel,
  pointTooltip,
  renderTrendChart,
  type TrendChart,
  type TrendChartOptions,
} from './trend-chart.js';
export { CHART_COLUMNS, chartOverview, trendDetail } from './trend-data.js';
